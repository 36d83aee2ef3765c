"""Multinomial(total_count, probs or logits): how many of total_count independent draws
from a Categorical fall in each of its K categories."""
import numbers

from .. import functions
from ..creation import tensor
from ..nn.functional import one_hot
from ..special import lgamma
from . import constraints
from .binomial import Binomial
from .categorical import Categorical, CategoricalWrapper
from .distribution import Distribution


class Multinomial(CategoricalWrapper, Distribution):
    """Count vectors of length K (the event) summing to `total_count` (one Python int
    for the whole batch, as in torch: a tensor of counts is refused), for category
    probabilities `probs` or `logits` along the last dimension, exactly one of the two
    (normalized as Categorical's). Samples are counts in the parameter's dtype;
    log_prob accepts any total (the count is read from the value) as torch does."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, numbers.Integral) or isinstance(total_count, bool):
            raise NotImplementedError(f"Multinomial: total_count must be an int (an "
                                      f"inhomogeneous total_count is not supported), got "
                                      f"{type(total_count).__name__}")
        if total_count < 0:
            raise ValueError(f"Multinomial: total_count must be non-negative, got "
                             f"{total_count}")
        self.total_count = int(total_count)
        self._categorical = Categorical(probs=probs, logits=logits, validate_args=False)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    @constraints.dependent_property
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """total_count category draws per event, counted per category."""
        draws = self._categorical.sample((self.total_count,) + tuple(sample_shape))
        counts = one_hot(draws, self._event_shape[0]).sum(0)
        return counts.to(dtype=self._categorical._param.dtype)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        logits, value = functions.broadcast_tensors(self.logits, value)
        # a category of probability 0 (logit -inf) counted 0 times contributes 0
        logits = functions.where((value == 0) & (logits == -float("inf")), 0.0, logits)
        return (lgamma(value.sum(-1) + 1) - lgamma(value + 1).sum(-1)
                + (logits * value).sum(-1))

    def entropy(self):
        """n H(categorical) - log n! + sum_k E[log x_k!], the expectation over each
        count's Binomial(n, p_k) marginal, as torch computes it."""
        count = tensor(float(self.total_count), dtype=self.probs.dtype,
                       backend=self.probs.backend)
        first = count * self._categorical.entropy() - lgamma(count + 1)
        binomial = Binomial(self.total_count, self.probs, validate_args=False)
        support = binomial.enumerate_support(expand=False)[1:]
        binomial_probs = binomial.log_prob(support).exp()
        second = (binomial_probs * lgamma(support + 1)).sum(0).sum(-1)
        return first + second

    def __repr__(self):
        return repr(self._categorical).replace("Categorical", "Multinomial", 1)
