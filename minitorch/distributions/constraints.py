"""What values a distribution's parameters and samples may take, as torch.distributions.constraints.

A constraint's `check(value)` is a bool tensor: whether each element (each event, for a
constraint over events: `event_dim` of its rightmost dimensions are one event) satisfies
it. `Distribution` checks its parameters against `arg_constraints` and the values given
to `log_prob`/`cdf` against `support` when argument validation is on. A dependent
constraint (one whose bounds depend on other arguments, known only to the distribution)
cannot be checked and is skipped.
"""

from ..dtype import finfo
from ..functions import cat as concatenate
from ..functions import stack as stack_tensors
from ..linalg import cholesky_ex

__all__ = ["Constraint", "boolean", "cat", "corr_cholesky", "dependent",
           "dependent_property", "greater_than", "greater_than_eq", "half_open_interval",
           "independent", "integer_interval", "interval", "multinomial", "stack",
           "is_dependent", "less_than", "lower_cholesky", "nonnegative",
           "nonnegative_integer", "one_hot", "positive", "positive_definite", "real",
           "real_vector", "simplex", "unit_interval"]

_SIMPLEX_TOLERANCE = 1e-6  # torch's: how far from 1 the sum of a simplex's entries may be
_SYMMETRY_ATOL, _SYMMETRY_RTOL = 1e-6, 1e-5  # torch's isclose: how far a symmetric matrix
                                             # may be from its transpose


class Constraint:
    """A region of values. `is_discrete`: the values are integers; `event_dim`: how many
    rightmost dimensions make up one checked value."""
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__.lstrip("_") + "()"


def _bounds_repr(constraint, **bounds):
    shown = ", ".join(f"{name}={bound}" for name, bound in bounds.items())
    return f"{type(constraint).__name__.lstrip('_')}({shown})"


class _Dependent(Constraint):
    """A placeholder whose bounds depend on other arguments: never checked."""

    def check(self, value):
        raise ValueError("Cannot determine validity of a dependent constraint")


def is_dependent(constraint):
    return isinstance(constraint, _Dependent)


class _DependentProperty(property):
    """A property computing a constraint from the instance (Uniform's support, say); on
    the class it stands for a dependent constraint."""

    def __get__(self, instance, owner=None):
        return dependent if instance is None else super().__get__(instance, owner)


dependent_property = _DependentProperty


class _Real(Constraint):
    def check(self, value):
        return value == value  # false exactly at nan


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return value > self.lower_bound

    def __repr__(self):
        return _bounds_repr(self, lower_bound=self.lower_bound)


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return value >= self.lower_bound


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return value < self.upper_bound

    def __repr__(self):
        return _bounds_repr(self, upper_bound=self.upper_bound)


class _Interval(Constraint):
    """lower_bound <= value <= upper_bound."""

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (value >= self.lower_bound) & (value <= self.upper_bound)

    def __repr__(self):
        return _bounds_repr(self, lower_bound=self.lower_bound, upper_bound=self.upper_bound)


class _HalfOpenInterval(_Interval):
    """lower_bound <= value < upper_bound."""

    def check(self, value):
        return (value >= self.lower_bound) & (value < self.upper_bound)


class _IntegerInterval(_Interval):
    is_discrete = True

    def check(self, value):
        return (value % 1 == 0) & super().check(value)


class _IntegerGreaterThanEq(_GreaterThanEq):
    is_discrete = True

    def check(self, value):
        return (value % 1 == 0) & super().check(value)


class _Simplex(Constraint):
    """Non-negative entries along the last dimension that sum to 1."""
    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < _SIMPLEX_TOLERANCE)


class _OneHot(Constraint):
    """Entries 0 or 1 along the last dimension, exactly one of them 1."""
    is_discrete = True
    event_dim = 1

    def check(self, value):
        return boolean.check(value).all(-1) & (value.sum(-1) == 1)


class _LowerCholesky(Constraint):
    """Lower-triangular square matrices with a positive diagonal."""
    event_dim = 2

    def check(self, value):
        lower = (value.tril() == value).reshape(value.shape[:-2] + (-1,)).all(-1)
        return lower & (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: lower-triangular with a positive
    diagonal and rows of unit Euclidean norm."""
    event_dim = 2

    def check(self, value):
        tolerance = finfo(value.dtype).eps * value.shape[-1] * 10  # torch's
        unit_rows = ((value.pow(2).sum(-1).sqrt() - 1).abs() <= tolerance).all(-1)
        return lower_cholesky.check(value) & unit_rows


class _Multinomial(Constraint):
    """Vectors of non-negative counts summing to at most upper_bound."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return (value >= 0).all(-1) & (value.sum(-1) <= self.upper_bound)

    def __repr__(self):
        return _bounds_repr(self, upper_bound=self.upper_bound)


class _PositiveDefinite(Constraint):
    """Symmetric square matrices with a Cholesky factor (all eigenvalues positive)."""
    event_dim = 2

    def check(self, value):
        close = (value - value.mT).abs() <= _SYMMETRY_ATOL + _SYMMETRY_RTOL * value.mT.abs()
        symmetric = close.reshape(value.shape[:-2] + (-1,)).all(-1)
        return symmetric & (cholesky_ex(value).info == 0)


class _IndependentConstraint(Constraint):
    """base_constraint over events of reinterpreted_batch_ndims more dimensions: an event
    satisfies it when all its elements do."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value):
        satisfied = self.base_constraint.check(value)
        if self.reinterpreted_batch_ndims == 0:
            return satisfied
        kept = satisfied.shape[:satisfied.ndim - self.reinterpreted_batch_ndims]
        return satisfied.reshape(kept + (-1,)).all(-1)

    def __repr__(self):
        return (f"IndependentConstraint({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


class _Joined(Constraint):
    """A constraint made of the constraints cseq, each on its own part of a value along
    dim: discrete when any part is."""

    def __init__(self, cseq, dim):
        self.cseq = list(cseq)
        self.dim = dim

    @property
    def is_discrete(self):
        return any(constraint.is_discrete for constraint in self.cseq)


class _Cat(_Joined):
    """cseq[i] on the i-th slice along dim, of lengths[i] elements (1 each by default)."""

    def __init__(self, cseq, dim=0, lengths=None):
        super().__init__(cseq, dim)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"cat: {len(self.cseq)} constraints but "
                             f"{len(self.lengths)} lengths")

    @property
    def event_dim(self):
        return max(constraint.event_dim for constraint in self.cseq)

    def check(self, value):
        checks, start = [], 0
        for constraint, length in zip(self.cseq, self.lengths):
            checks.append(constraint.check(value.narrow(self.dim, start, length)))
            start += length
        return concatenate(checks, self.dim)


class _Stack(_Joined):
    """cseq[i] on the i-th index along dim (which then is no dimension of the values
    checked)."""

    def __init__(self, cseq, dim=0):
        super().__init__(cseq, dim)

    @property
    def event_dim(self):
        event_dim = max(constraint.event_dim for constraint in self.cseq)
        return event_dim + 1 if self.dim + event_dim < 0 else event_dim

    def check(self, value):
        if value.shape[self.dim] != len(self.cseq):
            raise ValueError(f"stack: expected {len(self.cseq)} entries along dim "
                             f"{self.dim}, got shape {tuple(value.shape)}")
        return stack_tensors([constraint.check(value.select(self.dim, i))
                              for i, constraint in enumerate(self.cseq)], self.dim)


dependent = _Dependent()
real = _Real()
real_vector = _IndependentConstraint(real, 1)
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThanEq(0)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
one_hot = _OneHot()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
corr_cholesky = _CorrCholesky()
multinomial = _Multinomial
cat = _Cat
stack = _Stack
integer_interval = _IntegerInterval
independent = _IndependentConstraint
