"""Gumbel(loc, scale): the law of the maximum of many draws; density
exp(-(z + exp(-z))) / scale with z = (x - loc) / scale."""
import math

from ..creation import full_like
from ..dtype import finfo
from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform
from .utils import EULER_GAMMA, broadcast_all


class Gumbel(TransformedDistribution):
    """loc - scale * log(-log(u)) for u uniform on (0, 1): as in torch, a
    TransformedDistribution of a Uniform, so rsample, cdf and icdf come from the
    transforms."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale, owner="Gumbel")
        info = finfo(self.loc.dtype)
        base = Uniform(full_like(self.loc, info.tiny), full_like(self.loc, 1 - info.eps),
                       validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(loc=0, scale=-1),
                      ExpTransform().inv, AffineTransform(loc=self.loc, scale=-self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        standardized = (self.loc - value) / self.scale
        return standardized - standardized.exp() - self.scale.log()

    @property
    def mean(self):
        return self.loc + self.scale * EULER_GAMMA

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def entropy(self):
        return self.scale.log() + (1 + EULER_GAMMA)
