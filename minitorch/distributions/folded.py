"""What HalfNormal and HalfCauchy share: a distribution symmetric about 0 folded onto
[0, inf) by the absolute value."""
import math

from ..creation import zeros_like
from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform


class FoldedAtZero(TransformedDistribution):
    """|X| for X from base (symmetric about 0, with a `scale`): on [0, inf) the density
    is twice the base's, the cdf 2 F(x) - 1, and the entropy the base's less log 2."""
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, base, validate_args=None):
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return zeros_like(self.scale)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        density = self.base_dist.log_prob(value) + math.log(2)
        return density.masked_fill(value < 0, -math.inf)

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, value):
        return self.base_dist.icdf((value + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
