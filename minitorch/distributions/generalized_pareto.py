"""GeneralizedPareto(loc, scale, concentration): the limit distribution of exceedances
over a high threshold."""
import math

from .. import functions
from ..creation import rand
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

_ZERO_CONCENTRATION = 1e-8  # torch's isclose(concentration, 0): the exponential limit


class GeneralizedPareto(Distribution):
    """Density (1 / scale) (1 + concentration z)^(-1/concentration - 1) at
    z = (x - loc) / scale, the exponential exp(-z) / scale where concentration is 0
    (|concentration| <= 1e-8, as torch's isclose); support [loc, inf) for
    concentration >= 0 and [loc, loc - scale / concentration] below. rsample is
    reparameterized (the icdf of a uniform draw). Mean (concentration >= 1) and
    variance (concentration >= 1/2) are nan where infinite, as in torch."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(
            loc, scale, concentration, owner="GeneralizedPareto")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @constraints.dependent_property
    def support(self):
        upper = functions.where(self.concentration < 0,
                                self.loc - self.scale / self.concentration, math.inf)
        return constraints.interval(self.loc, upper)

    def _zero_and_safe_concentration(self):
        """Where the concentration counts as 0, and the concentration with 1 there (so
        the closed form that is not taken stays finite)."""
        zero = self.concentration.abs() <= _ZERO_CONCENTRATION
        return zero, functions.where(zero, 1.0, self.concentration)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return self.icdf(rand(shape, dtype=self.loc.dtype, backend=self.loc.backend))

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        z = (value - self.loc) / self.scale
        zero, safe = self._zero_and_safe_concentration()
        exponent = 1 / safe + 1
        nonzero = functions.where(exponent == 0, exponent, exponent * (safe * z).log1p())
        return -self.scale.log() - functions.where(zero, z, nonzero)

    def log_survival_function(self, value):
        self._validate_sample(value, "log_survival_function")
        z = (value - self.loc) / self.scale
        zero, safe = self._zero_and_safe_concentration()
        return functions.where(zero, -z, -(safe * z).log1p() / safe)

    def log_cdf(self, value):
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value):
        return self.log_cdf(value).exp()

    def icdf(self, value):
        zero, safe = self._zero_and_safe_concentration()
        log_survival = (-value).log1p()
        nonzero = self.loc + self.scale / safe * (-safe * log_survival).expm1()
        return functions.where(zero, self.loc - self.scale * log_survival, nonzero)

    @property
    def mean(self):
        valid = self.concentration < 1
        safe = functions.where(valid, self.concentration, 0.5)
        return functions.where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        safe = functions.where(valid, self.concentration, 0.25)
        result = self.scale.pow(2) / ((1 - safe).pow(2) * (1 - 2 * safe))
        return functions.where(valid, result, math.nan)

    @property
    def mode(self):
        return self.loc

    def entropy(self):
        return self.scale.log() + self.concentration + 1
