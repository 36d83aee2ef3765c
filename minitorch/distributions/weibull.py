"""Weibull(scale, concentration): density (k/s) (x/s)^(k-1) exp(-(x/s)^k) on x > 0."""
from ..creation import ones_like
from ..special import lgamma
from . import constraints
from .exponential import Exponential
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .utils import EULER_GAMMA, broadcast_all


class Weibull(TransformedDistribution):
    """scale * E^(1/concentration) for E ~ Exponential(1), a TransformedDistribution as
    in torch."""
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
        """scale * Gamma(1 + 1/k)."""
        return self.scale * lgamma(1 + self.concentration_reciprocal).exp()

    @property
    def variance(self):
        """scale^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2)."""
        second_moment = lgamma(1 + 2 * self.concentration_reciprocal).exp()
        squared_mean = (2 * lgamma(1 + self.concentration_reciprocal)).exp()
        return self.scale.pow(2) * (second_moment - squared_mean)

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k).pow(self.concentration_reciprocal)

    def entropy(self):
        return (EULER_GAMMA * (1 - self.concentration_reciprocal)
                + (self.scale * self.concentration_reciprocal).log() + 1)
