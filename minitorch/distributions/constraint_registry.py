"""biject_to and transform_to: from a constraint to a transform whose codomain it is,
as torch.distributions.constraint_registry, so an unconstrained parameter can be
optimized and mapped onto the region a distribution needs.

`biject_to(constraint)` is a bijection from the reals (over events of the constraint's
event_dim) onto the constraint, with a log_abs_det_jacobian (what HMC-style samplers
need); `transform_to(constraint)` is any map onto it (what optimizers need; it may be
cheaper and not invertible, such as softmax onto the simplex). Both are registries:
`register(constraint class or singleton, factory)` adds or replaces an entry.
"""
import numbers

from . import constraints, transforms

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]


class ConstraintRegistry:
    """Constraint -> transform factories, looked up by the constraint's class (a
    singleton such as constraints.positive is registered through its class)."""

    def __init__(self):
        self._registry = {}

    def register(self, constraint, factory=None):
        """Register factory(constraint) -> Transform for the constraint's class; without
        factory, a decorator."""
        if factory is None:
            return lambda given: self.register(constraint, given)
        key = constraint if isinstance(constraint, type) else type(constraint)
        if not issubclass(key, constraints.Constraint):
            raise TypeError(f"ConstraintRegistry.register: expected a Constraint subclass "
                            f"or instance, got {constraint!r}")
        self._registry[key] = factory
        return factory

    def __call__(self, constraint):
        factory = self._registry.get(type(constraint))
        if factory is None:
            raise NotImplementedError(f"Cannot transform {type(constraint).__name__} "
                                      "constraints")
        return factory(constraint)


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _register_both(*keys):
    def decorator(factory):
        for key in keys:
            biject_to.register(key, factory)
            transform_to.register(key, factory)
        return factory
    return decorator


@_register_both(constraints.real)
def _to_real(constraint):
    return transforms.identity_transform


@biject_to.register(constraints.independent)
def _biject_to_independent(constraint):
    return transforms.IndependentTransform(biject_to(constraint.base_constraint),
                                           constraint.reinterpreted_batch_ndims)


@transform_to.register(constraints.independent)
def _transform_to_independent(constraint):
    return transforms.IndependentTransform(transform_to(constraint.base_constraint),
                                           constraint.reinterpreted_batch_ndims)


# positive and nonnegative are instances of these classes, so (as in torch) they map
# to exp followed by a shift by 0
@_register_both(constraints.greater_than, constraints.greater_than_eq)
def _to_greater_than(constraint):
    return transforms.ComposeTransform([
        transforms.ExpTransform(), transforms.AffineTransform(constraint.lower_bound, 1)])


@_register_both(constraints.less_than)
def _to_less_than(constraint):
    return transforms.ComposeTransform([
        transforms.ExpTransform(), transforms.AffineTransform(constraint.upper_bound, -1)])


def _is_number(bound, value):
    return isinstance(bound, numbers.Number) and bound == value


@_register_both(constraints.interval, constraints.half_open_interval)
def _to_interval(constraint):
    if _is_number(constraint.lower_bound, 0) and _is_number(constraint.upper_bound, 1):
        return transforms.SigmoidTransform()
    return transforms.ComposeTransform([
        transforms.SigmoidTransform(),
        transforms.AffineTransform(constraint.lower_bound,
                                   constraint.upper_bound - constraint.lower_bound)])


@biject_to.register(constraints.simplex)
def _biject_to_simplex(constraint):
    return transforms.StickBreakingTransform()


@transform_to.register(constraints.simplex)
def _transform_to_simplex(constraint):
    return transforms.SoftmaxTransform()


@transform_to.register(constraints.lower_cholesky)
def _transform_to_lower_cholesky(constraint):
    return transforms.LowerCholeskyTransform()


@transform_to.register(constraints.positive_definite)
def _transform_to_positive_definite(constraint):
    return transforms.PositiveDefiniteTransform()


@_register_both(constraints.corr_cholesky)
def _to_corr_cholesky(constraint):
    return transforms.CorrCholeskyTransform()


@biject_to.register(constraints.cat)
def _biject_to_cat(constraint):
    return transforms.CatTransform([biject_to(part) for part in constraint.cseq],
                                   constraint.dim, constraint.lengths)


@transform_to.register(constraints.cat)
def _transform_to_cat(constraint):
    return transforms.CatTransform([transform_to(part) for part in constraint.cseq],
                                   constraint.dim, constraint.lengths)


@biject_to.register(constraints.stack)
def _biject_to_stack(constraint):
    return transforms.StackTransform([biject_to(part) for part in constraint.cseq],
                                     constraint.dim)


@transform_to.register(constraints.stack)
def _transform_to_stack(constraint):
    return transforms.StackTransform([transform_to(part) for part in constraint.cseq],
                                     constraint.dim)
