"""Poisson(rate): P(k) = rate^k exp(-rate) / k! for k = 0, 1, 2, ..."""
from ..autograd import no_grad
from ..functions import xlogy
from ..sampling import poisson
from ..special import lgamma
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all


class Poisson(ExponentialFamily):
    """Counts with the given non-negative mean `rate`. Samples are whole numbers in the
    rate's dtype, drawn on the host from the seeded generator; there is no closed-form
    entropy (as in torch)."""
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate, owner="Poisson")
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return poisson(self.rate.expand(shape))

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return xlogy(value, self.rate) - self.rate - lgamma(value + 1)

    # the exponential-family form, as torch's (E[log h(x)] = -E[log x!] has no closed
    # form, so neither has the entropy)
    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return x.exp()
