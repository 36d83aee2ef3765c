"""Continuous relaxations of Bernoulli and OneHotCategorical (the Concrete / Gumbel-softmax
distributions): reparameterized samples that approach the discrete ones as the
temperature goes to 0, so gradients can flow through a "discrete" choice.

LogitRelaxedBernoulli and ExpRelaxedCategorical live in logit and log space, where their
densities are simple; RelaxedBernoulli and RelaxedOneHotCategorical push them through a
sigmoid and an exp, as in torch."""
import math
import numbers

from ..creation import rand, tensor
from ..tensor import Tensor
from . import constraints
from .bernoulli import _probs_or_logits
from .categorical import Categorical, CategoricalWrapper
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform
from .utils import BinaryProbsLogits, broadcast_all, clamp_probs


def _temperature(temperature, like, owner):
    """temperature (a positive number or floating tensor) as a tensor like `like`'s."""
    if isinstance(temperature, Tensor) and temperature.dtype.is_floating_point:
        return temperature
    if isinstance(temperature, numbers.Real) and not isinstance(temperature, bool):
        return tensor(float(temperature), dtype=like.dtype, backend=like.backend)
    raise TypeError(f"{owner}: temperature must be a floating-point tensor or a number, "
                    f"got {type(temperature).__name__}")


def _uniform(shape, like):
    """Uniform draws of `shape` kept eps away from 0 and 1 (their logs stay finite)."""
    return clamp_probs(rand(shape, dtype=like.dtype, backend=like.backend))


class LogitRelaxedBernoulli(BinaryProbsLogits, Distribution):
    """The logit of a RelaxedBernoulli sample: (logits + logistic noise) / temperature."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        name, given = _probs_or_logits(type(self).__name__, probs, logits)
        (self.__dict__[name],) = broadcast_all(given, owner=type(self).__name__)
        self.temperature = _temperature(temperature, self.__dict__[name],
                                        type(self).__name__)
        super().__init__(self.__dict__[name].shape, validate_args=validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = _uniform(shape, probs)
        logistic_noise = u.log() - (-u).log1p()
        return (logistic_noise + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        difference = self.logits - value * self.temperature
        return self.temperature.log() + difference - 2 * difference.exp().log1p()


class _RelaxedTransformed(TransformedDistribution):
    """What a relaxed distribution, a transform of its base (base_dist), reads from
    that base: temperature, logits and probs."""

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs


class RelaxedBernoulli(_RelaxedTransformed):
    """sigmoid of a LogitRelaxedBernoulli sample: values in (0, 1), near 0 or 1 (with
    probabilities 1 - probs and probs) at low temperature."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)


class ExpRelaxedCategorical(CategoricalWrapper, Distribution):
    """The log of a RelaxedOneHotCategorical sample: log_softmax((logits + Gumbel noise)
    / temperature) over the last dimension (the event)."""
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self.temperature = _temperature(temperature, self._categorical._param,
                                        type(self).__name__)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = _uniform(shape, self.logits)
        gumbel_noise = -(-u.log()).log()
        scores = (self.logits + gumbel_noise) / self.temperature
        return scores - scores.logsumexp(-1, keepdim=True)

    def log_prob(self, value):
        """The Concrete density of Maddison et al. in log space: log((K-1)!) +
        (K-1) log(temperature) + sum_k log_softmax(logits - temperature value)_k."""
        self._validate_sample(value, "log_prob")
        categories = self._categorical._num_events
        log_scale = math.lgamma(categories) + (categories - 1) * self.temperature.log()
        score = self.logits - value * self.temperature
        return (score - score.logsumexp(-1, keepdim=True)).sum(-1) + log_scale


class RelaxedOneHotCategorical(_RelaxedTransformed):
    """exp of an ExpRelaxedCategorical sample: points of the simplex, near its corners
    (one-hot vectors, chosen with probabilities probs) at low temperature."""
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)
