"""Weibull(scale, concentration): density (k/s) (x/s)^(k-1) exp(-(x/s)^k) on x > 0."""
from ..creation import ones_like
from . import constraints
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .utils import EULER_GAMMA, broadcast_all


class Weibull(TransformedDistribution):
    """scale * E^(1/concentration) for E ~ Exponential(1), a TransformedDistribution as
    in torch. mean and variance need the gamma function, which minitorch does not have
    yet: they raise NotImplementedError."""
    arg_constraints = {"scale": constraints.positive,
                       "concentration": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration,
                                                       owner="Weibull")
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration_reciprocal),
                      AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self):
        raise self._unsupported("mean (it needs the gamma function)")

    @property
    def variance(self):
        raise self._unsupported("variance (it needs the gamma function)")

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k).pow(self.concentration_reciprocal)

    def entropy(self):
        return (EULER_GAMMA * (1 - self.concentration_reciprocal)
                + (self.scale * self.concentration_reciprocal).log() + 1)
