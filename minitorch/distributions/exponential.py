"""Exponential(rate): density rate * exp(-rate * x) on x >= 0."""
from ..creation import rand, zeros_like
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all


class Exponential(ExponentialFamily):
    """The exponential distribution with the given (positive) rate."""
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate, owner="Exponential")
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        """-log(1 - u) / rate, u uniform in [0, 1): gradients flow to rate."""
        shape = self._extended_shape(sample_shape)
        u = rand(shape, dtype=self.rate.dtype, backend=self.rate.backend)
        return -(-u).log1p() / self.rate

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()

    # the exponential-family form (natural parameters, log-normalizer), as torch's
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, x):
        return -(-x).log()
