"""TransformedDistribution: a base distribution pushed through transforms."""
from ..autograd import no_grad
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .independent import Independent
from .transforms import ComposeTransform, Transform
from .utils import shape_argument, sum_rightmost


class TransformedDistribution(Distribution):
    """The distribution of y = t_n(...t_1(x)) for x from base_distribution and
    transforms [t_1, ..., t_n] (or one transform). log_prob is the base's at the
    inverse image minus the transforms' log_abs_det_jacobian (change of variables);
    cdf/icdf go through the inverses (for monotone transforms, flipped where their sign
    is -1). When the transforms act on events of more dims than the base's, the base's
    rightmost batch dims become event dims (Independent)."""
    arg_constraints = {}

    def __init__(self, base_distribution, transforms, validate_args=None):
        if isinstance(transforms, Transform):
            transforms = [transforms]
        if not isinstance(transforms, (list, tuple)) or not all(
                isinstance(t, Transform) for t in transforms):
            raise ValueError(f"TransformedDistribution: transforms must be a Transform or "
                             f"a list of Transforms, got {transforms!r}")
        if not isinstance(base_distribution, Distribution):
            raise TypeError(f"TransformedDistribution: base_distribution must be a "
                            f"Distribution, got {type(base_distribution).__name__}")
        self.transforms = list(transforms)
        composed = ComposeTransform(self.transforms)
        base_shape = base_distribution.batch_shape + base_distribution.event_shape
        base_event_dim = len(base_distribution.event_shape)
        if len(base_shape) < composed.domain.event_dim:
            raise ValueError(f"TransformedDistribution: base_distribution needs at least "
                             f"{composed.domain.event_dim} dims but has shape {base_shape}")
        shape = composed.forward_shape(base_shape)
        expanded_base_shape = composed.inverse_shape(shape)
        if expanded_base_shape != base_shape:
            base_distribution = base_distribution.expand(
                expanded_base_shape[:len(expanded_base_shape) - base_event_dim])
        reinterpreted_batch_ndims = composed.domain.event_dim - base_event_dim
        if reinterpreted_batch_ndims > 0:
            base_distribution = Independent(base_distribution, reinterpreted_batch_ndims)
        self.base_dist = base_distribution
        event_dim = max(composed.codomain.event_dim, base_event_dim
                        + composed.codomain.event_dim - composed.domain.event_dim)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @constraints.dependent_property
    def support(self):
        if not self.transforms:
            return self.base_dist.support
        codomain = self.transforms[-1].codomain
        extra = len(self._event_shape) - codomain.event_dim
        return constraints.independent(codomain, extra) if extra > 0 else codomain

    def expand(self, batch_shape):
        """This distribution over a base expanded so its batch is batch_shape; the
        parameters a subclass holds (Gumbel's loc, say) are expanded views too."""
        batch_shape = shape_argument(batch_shape, type(self).__name__ + ".expand",
                                     "batch_shape")
        shape = batch_shape + self._event_shape
        expanded = type(self).__new__(type(self))
        expanded.__dict__.update(self.__dict__)
        expanded.base_dist = self.base_dist.expand(
            shape[:len(shape) - len(self.base_dist.event_shape)])
        for name, held in self.__dict__.items():
            if isinstance(held, Tensor) and name in self.arg_constraints:
                per_batch_element = held.shape[len(self._batch_shape):]
                expanded.__dict__[name] = held.expand(batch_shape + per_batch_element)
        expanded._batch_shape = batch_shape
        return expanded

    def rsample(self, sample_shape=()):
        x = self.base_dist.rsample(sample_shape)
        for transform in self.transforms:
            x = transform(x)
        return x

    def sample(self, sample_shape=()):
        with no_grad():
            x = self.base_dist.sample(sample_shape)
            for transform in self.transforms:
                x = transform(x)
            return x

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        event_dim = len(self._event_shape)
        log_prob = 0.0
        y = value
        for transform in reversed(self.transforms):
            x = transform.inv(y)
            event_dim += transform.domain.event_dim - transform.codomain.event_dim
            log_prob = log_prob - sum_rightmost(transform.log_abs_det_jacobian(x, y),
                                                event_dim - transform.domain.event_dim)
            y = x
        return log_prob + sum_rightmost(self.base_dist.log_prob(y),
                                        event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value):
        """value, or 1 - value where the transforms decrease (their signs multiply to -1)."""
        sign = 1
        for transform in self.transforms:
            sign = sign * transform.sign
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value):
        """The base distribution's cdf at the inverse-mapped value; as torch, validation
        checks that value against the base's support (a value outside this support may
        still have a cdf, e.g. 0 for a Weibull)."""
        for transform in reversed(self.transforms):
            value = transform.inv(value)
        if self._validate_args:
            self.base_dist._validate_sample(value, "cdf")
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value):
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for transform in self.transforms:
            value = transform(value)
        return value
