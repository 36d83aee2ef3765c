"""ContinuousBernoulli(probs or logits): the density on [0, 1] proportional to
probs^x (1 - probs)^(1 - x) (Loaiza-Ganem and Cunningham, 2019)."""
import math
from functools import cached_property

from .. import functions
from ..autograd import no_grad
from ..creation import rand
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .bernoulli import _probs_or_logits
from .exp_family import ExponentialFamily
from .utils import BinaryProbsLogits, broadcast_all, clamp_probs, logits_to_probs


class ContinuousBernoulli(BinaryProbsLogits, ExponentialFamily):
    """The continuous Bernoulli distribution of parameter probs in [0, 1] or logits,
    exactly one of the two; probs are kept eps away from 0 and 1. Its normalizing
    constant, mean, variance, cdf and icdf have a removable singularity at probs = 1/2:
    for probs in (lims[0], lims[1]] they are replaced by Taylor expansions around 1/2,
    as torch does. rsample is reparameterized (the icdf of a uniform draw)."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        name, given = _probs_or_logits("ContinuousBernoulli", probs, logits)
        (given,) = broadcast_all(given, owner="ContinuousBernoulli")
        self.__dict__[name] = given
        # probs are checked before clamping (clamped, any value would pass)
        super().__init__(given.shape, validate_args=validate_args)
        if name == "probs":
            self.__dict__["probs"] = clamp_probs(given)
        self._lims = lims

    @cached_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def _outside_unstable_region(self):
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        """probs where the closed forms are stable, lims[0] elsewhere (the Taylor
        branch is taken there, and the unused closed form must stay finite)."""
        return functions.where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _taylor_or(self, closed_form, taylor):
        return functions.where(self._outside_unstable_region(), closed_form, taylor)

    def _cont_bern_log_norm(self):
        """The log of the normalizing constant C(probs)."""
        cut = self._cut_probs()
        below_half = functions.where(cut <= 0.5, cut, 0.0)
        above_half = functions.where(cut >= 0.5, cut, 1.0)
        log_norm = ((-cut).log1p() - cut.log()).abs().log() - functions.where(
            cut <= 0.5, (-2.0 * below_half).log1p(), (2.0 * above_half - 1.0).log())
        x = (self.probs - 0.5).pow(2)
        return self._taylor_or(log_norm, math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x)

    @property
    def mean(self):
        cut = self._cut_probs()
        means = cut / (2.0 * cut - 1.0) + 1.0 / ((-cut).log1p() - cut.log())
        x = self.probs - 0.5
        return self._taylor_or(means, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x)

    @property
    def variance(self):
        cut = self._cut_probs()
        variances = (cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2)
                     + 1.0 / ((-cut).log1p() - cut.log()).pow(2))
        x = (self.probs - 0.5).pow(2)
        return self._taylor_or(variances, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        uniform = rand(shape, dtype=self._param.dtype, backend=self._param.backend)
        return self.icdf(uniform)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        logits, value = functions.broadcast_tensors(self.logits, value)
        return (-binary_cross_entropy_with_logits(logits, value, reduction="none")
                + self._cont_bern_log_norm())

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = self._taylor_or(cdfs, value)
        return functions.where(value <= 0.0, 0.0, functions.where(value >= 1.0, 1.0,
                                                                   unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        inverted = (((-cut + value * (2.0 * cut - 1.0)).log1p() - (-cut).log1p())
                    / (cut.log() - (-cut).log1p()))
        return self._taylor_or(inverted, value)

    def entropy(self):
        log_probs0, log_probs1 = (-self.probs).log1p(), self.probs.log()
        return (self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm()
                - log_probs0)

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """F(logits) = log((e^x - 1) / x), its Taylor expansion near 0."""
        outside = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut = functions.where(outside, x, self._lims[0] - 0.5)
        log_norm = (cut.exp() - 1.0).abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return functions.where(outside, log_norm, taylor)
