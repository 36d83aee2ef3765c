"""Categorical and OneHotCategorical: one of K categories, given by (unnormalized)
probabilities or logits along the last dimension."""
from functools import cached_property

from .. import functions
from ..autograd import no_grad
from ..creation import arange, full
from ..dtype import finfo, int64
from ..nn.functional import one_hot
from ..sampling import multinomial
from ..tensor import Tensor
from . import constraints
from .bernoulli import _probs_or_logits
from .distribution import Distribution
from .utils import logits_to_probs, probs_to_logits


class Categorical(Distribution):
    """Categories 0..K-1 with probabilities along the last dimension of probs (which
    are normalized to sum to 1) or of logits (normalized to log-probabilities); exactly
    one of the two, a floating tensor of at least one dimension. The other leading
    dimensions are the batch. Samples are int64 category indices."""
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, given = _probs_or_logits(type(self).__name__, probs, logits)
        if not isinstance(given, Tensor) or given.ndim < 1 or \
                not given.dtype.is_floating_point:
            found = (f"a {given.dtype.name} tensor of shape {tuple(given.shape)}"
                     if isinstance(given, Tensor) else type(given).__name__)
            raise ValueError(f"{type(self).__name__}: `{name}` must be a floating-point "
                             f"tensor of at least one dimension, got {found}")
        if name == "probs":
            self.probs = given / given.sum(-1, keepdim=True)
        else:
            self.logits = given - given.logsumexp(-1, keepdim=True)
        self._num_events = given.shape[-1]
        super().__init__(given.shape[:-1], validate_args=validate_args)

    @property
    def _param(self):
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]

    @cached_property
    def probs(self):
        return logits_to_probs(self.logits)

    @cached_property
    def logits(self):
        return probs_to_logits(self.probs)

    @property
    def param_shape(self):
        return self._param.shape

    @constraints.dependent_property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def _undefined(self):
        return full(self._extended_shape(), float("nan"), dtype=self._param.dtype,
                    backend=self._param.backend)

    @property
    def mean(self):
        return self._undefined()  # categories are labels: no mean, as in torch

    @property
    def variance(self):
        return self._undefined()

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        draws = 1
        for size in shape[:len(shape) - len(self._batch_shape)]:
            draws *= size
        with no_grad():
            rows = self.probs.reshape(-1, self._num_events)
            if draws == 0 or rows.shape[0] == 0:
                return full(shape, 0, dtype=int64, backend=self._param.backend)
            return multinomial(rows, draws, True).T.reshape(shape)

    def log_prob(self, value):
        """The log-probability of each category index in value (broadcast with the
        batch)."""
        self._validate_sample(value, "log_prob")
        index = value.long().unsqueeze(-1)
        index, log_pmf = functions.broadcast_tensors(index, self.logits)
        return log_pmf.gather(-1, index[..., :1]).squeeze(-1)

    def entropy(self):
        # a category of probability 0 has logit -inf; clamped to the dtype's lowest
        # finite value it contributes 0 * finite = 0, not 0 * -inf = nan
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = arange(self._num_events, dtype=int64, backend=self._param.backend)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((self._num_events,) + self._batch_shape) if expand else values


class CategoricalWrapper:
    """What a distribution over K categories built on a Categorical (held as
    `_categorical`) reads from it: probs, logits and param_shape."""

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape


class OneHotCategorical(CategoricalWrapper, Distribution):
    """A Categorical whose samples are one-hot vectors of length K (the event), in the
    parameter's dtype."""
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=False)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    @property
    def _num_events(self):
        return self._categorical._num_events

    def _as_one_hot(self, index):
        return one_hot(index, self._num_events).to(dtype=self._categorical._param.dtype)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return self._as_one_hot(self.probs.argmax(-1))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        return self._as_one_hot(self._categorical.sample(sample_shape))

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        values = self._as_one_hot(arange(self._num_events, dtype=int64,
                                         backend=self._categorical._param.backend))
        values = values.reshape((self._num_events,) + (1,) * len(self._batch_shape)
                                + (self._num_events,))
        if expand:
            return values.expand((self._num_events,) + self._batch_shape
                                 + (self._num_events,))
        return values

    def __repr__(self):
        return repr(self._categorical).replace("Categorical", type(self).__name__, 1)


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A OneHotCategorical whose rsample is the straight-through estimator (Bengio et
    al., 2013): the one-hot sample forward, the gradient of probs backward
    (sample + probs - probs.detach())."""
    has_rsample = True

    def rsample(self, sample_shape=()):
        samples = self.sample(sample_shape)
        probs = self.probs
        return samples + (probs - probs.detach())
