"""Gamma(concentration, rate) and Chi2(df): density rate^a x^(a-1) exp(-rate x) / Gamma(a)
on x >= 0; Chi2(df) is Gamma(df / 2, 1 / 2)."""
import numpy as np

from ..autograd import no_grad
from ..creation import tensor
from ..dtype import finfo
from ..functions import xlogy
from ..generator import numpy_generator
from ..special import digamma, gammainc, lgamma
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all


def standard_gamma(concentration, shape):
    """Gamma(concentration, 1) draws of the given shape (concentration broadcast to it)
    from the seeded generator, on the host, in concentration's dtype and backend; kept
    at least the dtype's smallest normal number, as torch does. Outside the graph."""
    with no_grad():
        alphas = concentration.expand(shape).detach().numpy().astype(np.float64)
    draws = numpy_generator().standard_gamma(alphas)
    draws = np.maximum(draws, finfo(concentration.dtype).tiny)
    return tensor(draws.astype(concentration.dtype.numpy), dtype=concentration.dtype,
                  backend=concentration.backend)


class Gamma(ExponentialFamily):
    """The gamma distribution of shape `concentration` and inverse scale `rate` (both
    positive). Samples are not reparameterized: `sample` only (torch's implicit
    reparameterization gradient of rsample is not implemented)."""
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate,
                                                      owner=type(self).__name__)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return standard_gamma(self.concentration, shape) / self.rate.expand(shape)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value)
                - self.rate * value - lgamma(self.concentration))

    def cdf(self, value):
        """P(X <= value): the regularized lower incomplete gamma function."""
        self._validate_sample(value, "cdf")
        return gammainc(self.concentration, self.rate * value)

    def entropy(self):
        return (self.concentration - self.rate.log() + lgamma(self.concentration)
                + (1 - self.concentration) * digamma(self.concentration))

    # the exponential-family form (natural parameters, log-normalizer), as torch's
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()


class Chi2(Gamma):
    """The chi-squared distribution with `df` (positive) degrees of freedom:
    Gamma(df / 2, 1 / 2)."""
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        (self.df,) = broadcast_all(df, owner="Chi2")
        super().__init__(0.5 * self.df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape):
        expanded = super().expand(batch_shape)  # expands df, the one declared parameter
        expanded.concentration = self.concentration.expand(expanded.batch_shape)
        expanded.rate = self.rate.expand(expanded.batch_shape)
        return expanded
