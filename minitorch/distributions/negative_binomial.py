"""NegativeBinomial(total_count, probs or logits): the number of successes before
total_count failures in Bernoulli(probs) trials."""
from .. import functions
from ..autograd import no_grad
from ..nn.functional import softplus
from ..sampling import poisson
from ..special import lgamma
from . import constraints
from .bernoulli import _probs_or_logits
from .distribution import Distribution
from .gamma import standard_gamma
from .utils import BinaryProbsLogits


class NegativeBinomial(BinaryProbsLogits, Distribution):
    """Successes before `total_count` (a non-negative real, so a Polya distribution
    when not whole) failures, with success probability probs in [0, 1) or log-odds
    logits, exactly one of the two. Samples (a Poisson draw at a Gamma(total_count,
    exp(-logits)) rate) are whole numbers in the parameter's dtype, outside the graph."""
    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        name, given = _probs_or_logits("NegativeBinomial", probs, logits)
        self._hold_count_and_param("NegativeBinomial", total_count, name, given)
        super().__init__(self._param.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            rates = standard_gamma(self.total_count, shape) * self.logits.exp()
            return poisson(rates)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        # log sigmoid(-l) = -softplus(l) and log sigmoid(l) = -softplus(-l)
        log_unnormalized = (-self.total_count * softplus(self.logits)
                            - value * softplus(-self.logits))
        log_normalizer = (lgamma(value + 1) + lgamma(self.total_count)
                          - lgamma(self.total_count + value))
        # no trials and no successes: probability 1 (lgamma(0) terms cancel)
        log_normalizer = functions.where(self.total_count + value == 0, 0.0, log_normalizer)
        return log_unnormalized - log_normalizer
