"""Cauchy(loc, scale) and HalfCauchy(scale): |X| for X ~ Cauchy(0, scale)."""
import math

from ..creation import full, rand
from . import constraints
from .distribution import Distribution
from .folded import FoldedAtZero
from .utils import broadcast_all


class Cauchy(Distribution):
    """The Cauchy (Lorentz) distribution: density 1 / (pi scale (1 + ((x - loc)/scale)^2)).
    It has no mean or variance: they are nan and inf, as in torch."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale, owner="Cauchy")
        super().__init__(self.loc.shape, validate_args=validate_args)

    def _constant(self, value):
        return full(self._extended_shape(), value, dtype=self.loc.dtype,
                    backend=self.loc.backend)

    @property
    def mean(self):
        return self._constant(math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._constant(math.inf)

    def rsample(self, sample_shape=()):
        """loc + scale * tan(pi (u - 1/2)), u uniform in [0, 1): gradients flow to loc
        and scale."""
        shape = self._extended_shape(sample_shape)
        u = rand(shape, dtype=self.loc.dtype, backend=self.loc.backend)
        return self.loc + self.scale * (math.pi * (u - 0.5)).tan()

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        standardized = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - standardized.pow(2).log1p()

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        return self.loc + self.scale * (math.pi * (value - 0.5)).tan()

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()


class HalfCauchy(FoldedAtZero):
    """The Cauchy distribution around 0 folded onto [0, inf): density twice Cauchy's."""

    def __init__(self, scale, validate_args=None):
        base = Cauchy(0, scale, validate_args=False)  # checked as HalfCauchy
        super().__init__(base, validate_args=validate_args)

    @property
    def mean(self):
        return self.base_dist._constant(math.inf)

    @property
    def variance(self):
        return self.base_dist.variance
