"""Geometric(probs or logits): the number of failures before the first success of
Bernoulli(probs) trials."""

from .. import functions
from ..autograd import no_grad
from ..creation import rand, zeros_like
from ..dtype import finfo
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .bernoulli import _probs_or_logits
from .distribution import Distribution
from .utils import BinaryProbsLogits, broadcast_all


class Geometric(BinaryProbsLogits, Distribution):
    """P(k) = (1 - p)^k p for k = 0, 1, 2, ...; p given as probs in (0, 1] or as
    log-odds (logits), exactly one of the two. Samples are whole numbers in the
    parameter's dtype."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, given = _probs_or_logits("Geometric", probs, logits)
        (self.__dict__[name],) = broadcast_all(given, owner="Geometric")
        super().__init__(self._param.shape, validate_args=validate_args)
        if name == "probs" and self._validate_args and \
                not bool((self.probs > 0).all().item()):
            raise ValueError(f"Expected parameter probs of distribution {self!r} to be "
                             f"positive, but found invalid values:\n{self.probs}")

    @property
    def mean(self):
        return self.probs.reciprocal() - 1

    @property
    def mode(self):
        return zeros_like(self.probs)

    @property
    def variance(self):
        return (self.probs.reciprocal() - 1) / self.probs

    def sample(self, sample_shape=()):
        """floor(log(u) / log(1 - p)), u uniform in (0, 1)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            u = rand(shape, dtype=self.probs.dtype, backend=self.probs.backend)
            u = u.clamp(min=finfo(u.dtype).tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        value, probs = functions.broadcast_tensors(value, self.probs)
        # at p = 1, k = 0 has probability 1: 0 * log(0) is taken as 0
        probs = functions.where((probs == 1) & (value == 0), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs,
                                                reduction="none") / self.probs
