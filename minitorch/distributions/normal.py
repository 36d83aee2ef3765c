"""Normal(loc, scale), LogNormal(loc, scale): exp of a Normal draw, and HalfNormal(scale):
the absolute value of one."""
import math

from .. import functions, special
from ..creation import randn
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .folded import FoldedAtZero
from .utils import broadcast_all

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class Normal(ExponentialFamily):
    """The normal distribution N(loc, scale**2); loc and scale broadcast to the batch."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale, owner="Normal")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def rsample(self, sample_shape=()):
        """loc + scale * eps, eps standard normal: gradients flow to loc and scale."""
        shape = self._extended_shape(sample_shape)
        eps = randn(shape, dtype=self.loc.dtype, backend=self.loc.backend)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - _HALF_LOG_TWO_PI)

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        return 0.5 * (1 + functions.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        return self.loc + self.scale * special.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + _HALF_LOG_TWO_PI + self.scale.log()

    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x, y):
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()


class LogNormal(Distribution):
    """The distribution of exp(X) for X ~ Normal(loc, scale); `base_dist` is that
    Normal, so log_prob, cdf, icdf and entropy are the Normal's, changed by the exp."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.base_dist = Normal(loc, scale, validate_args=False)  # checked as LogNormal
        self.loc, self.scale = self.base_dist.loc, self.base_dist.scale
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self):
        scale_squared = self.scale.pow(2)
        return scale_squared.expm1() * (2 * self.loc + scale_squared).exp()

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        log_value = value.log()
        return self.base_dist.log_prob(log_value) - log_value

    def cdf(self, value):
        log_value = value.log()
        if self._validate_args:  # as torch's transformed Normal: log(value) is checked (0 passes)
            Normal(self.loc, self.scale, validate_args=True)._validate_sample(log_value, "cdf")
        return self.base_dist.cdf(log_value)

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class HalfNormal(FoldedAtZero):
    """The normal distribution around 0 folded onto [0, inf): |X| for X ~ Normal(0,
    scale); its density is twice the Normal's."""

    def __init__(self, scale, validate_args=None):
        base = Normal(0, scale, validate_args=False)  # checked as HalfNormal
        super().__init__(base, validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
