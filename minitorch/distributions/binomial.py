"""Binomial(total_count, probs or logits): the number of successes in total_count
independent Bernoulli(probs) trials."""

import numpy as np

from ..autograd import no_grad
from ..creation import arange, tensor
from ..generator import numpy_generator
from ..special import lgamma
from . import constraints
from .bernoulli import _probs_or_logits
from .distribution import Distribution
from .utils import BinaryProbsLogits


class Binomial(BinaryProbsLogits, Distribution):
    """Successes out of `total_count` (a non-negative whole number, a number or a
    tensor broadcast with the probabilities) trials of success probability probs in
    [0, 1] or log-odds logits, exactly one of the two. Samples are whole numbers in the
    parameter's dtype, drawn on the host from the seeded generator."""
    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        name, given = _probs_or_logits("Binomial", probs, logits)
        self._hold_count_and_param("Binomial", total_count, name, given)
        super().__init__(self._param.shape, validate_args=validate_args)

    @constraints.dependent_property
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            counts = self.total_count.expand(shape).numpy().astype(np.int64)
            probs = self.probs.expand(shape).numpy().astype(np.float64)
        draws = numpy_generator().binomial(counts, probs)
        return tensor(draws.astype(self._param.dtype.numpy), dtype=self._param.dtype,
                      backend=self._param.backend)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        # n log(1 + e^l) as n (max(l, 0) + log1p(e^-|l|)); the max is the mean of
        # clamp(min=0) and l - clamp(max=0), which gives torch's gradient 1/2 at l = 0
        positive_part = (self.logits.clamp(min=0) + self.logits
                         - self.logits.clamp(max=0)) / 2
        normalizer = (self.total_count * (positive_part
                                          + (-self.logits.abs()).exp().log1p())
                      - lgamma(self.total_count + 1))
        return (value * self.logits - lgamma(value + 1)
                - lgamma(self.total_count - value + 1) - normalizer)

    def entropy(self):
        """-sum_k P(k) log P(k) over k = 0..total_count; refused, as in torch, when the
        batch's total counts differ."""
        self._homogeneous_total_count("entropy")
        log_probs = self.log_prob(self.enumerate_support(expand=False))
        return -(log_probs.exp() * log_probs).sum(0)

    def enumerate_support(self, expand=True):
        """0, 1, ..., total_count along a new first dimension (expanded over the batch
        unless expand is False); refused when the batch's total counts differ."""
        count = self._homogeneous_total_count("enumerate_support")
        values = arange(count + 1, dtype=self._param.dtype, backend=self._param.backend)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((count + 1,) + self._batch_shape) if expand else values

    def _homogeneous_total_count(self, method):
        highest = int(self.total_count.max().item())
        if int(self.total_count.min().item()) != highest:
            raise NotImplementedError(f"Binomial.{method}: an inhomogeneous total_count "
                                      "is not supported")
        return highest
