"""Bernoulli(probs or logits): 1 with probability probs, else 0."""

from .. import functions
from ..autograd import no_grad
from ..creation import arange
from ..nn.functional import binary_cross_entropy_with_logits
from ..sampling import bernoulli
from . import constraints
from .exp_family import ExponentialFamily
from .utils import BinaryProbsLogits, broadcast_all


def _probs_or_logits(owner, probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError(f"{owner}: either `probs` or `logits` must be specified, but not "
                         "both")
    return ("probs", probs) if probs is not None else ("logits", logits)


class Bernoulli(BinaryProbsLogits, ExponentialFamily):
    """Bernoulli trials given by probabilities in [0, 1] or by log-odds (logits), exactly
    one of the two; the other is derived on first use. Samples are 0.0 or 1.0 in the
    parameter's dtype."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, given = _probs_or_logits("Bernoulli", probs, logits)
        (self.__dict__[name],) = broadcast_all(given, owner="Bernoulli")
        super().__init__(self._param.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        """1 where probs > 0.5, 0 where below, nan at exactly 0.5 (no single mode)."""
        above = (self.probs >= 0.5).to(dtype=self.probs.dtype)
        return above.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        logits, value = functions.broadcast_tensors(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    # the exponential-family form (natural parameters, log-normalizer), as torch's
    _mean_carrier_measure = 0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        return x.exp().log1p()

    def enumerate_support(self, expand=True):
        """0 and 1 along a new first dimension (expanded over the batch unless expand is
        False)."""
        values = arange(2, dtype=self._param.dtype, backend=self._param.backend)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((2,) + self._batch_shape) if expand else values
