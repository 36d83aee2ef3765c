"""Dirichlet(concentration) over the probability simplex, and Beta(concentration1,
concentration0), the Dirichlet of two categories read at its first coordinate."""
from .. import functions
from ..autograd import no_grad
from ..creation import arange
from ..dtype import finfo
from ..functions import xlogy
from ..special import digamma, lgamma
from ..tensor import Tensor
from . import constraints
from .exp_family import ExponentialFamily
from .gamma import standard_gamma
from .utils import broadcast_all


class Dirichlet(ExponentialFamily):
    """Probability vectors along the last dimension of `concentration` (a positive
    floating tensor of at least one dimension; the leading dimensions are the batch).
    Samples (normalized gamma draws) are not reparameterized: `sample` only."""
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex

    def __init__(self, concentration, validate_args=None):
        if not isinstance(concentration, Tensor) or concentration.ndim < 1 or \
                not concentration.dtype.is_floating_point:
            found = (f"a {concentration.dtype.name} tensor of shape "
                     f"{tuple(concentration.shape)}" if isinstance(concentration, Tensor)
                     else type(concentration).__name__)
            raise ValueError(f"{type(self).__name__}: concentration must be a "
                             f"floating-point tensor of at least one dimension, got {found}")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        """(alpha - 1)+ normalized; where every alpha < 1 (the density is unbounded at
        the corners) the first corner, as torch chooses."""
        above_one = (self.concentration - 1).clamp(min=0)
        mode = above_one / above_one.sum(-1, keepdim=True)
        categories = arange(mode.shape[-1], dtype=mode.dtype, backend=mode.backend)
        first_corner = (categories == 0).to(dtype=mode.dtype)
        all_below_one = (self.concentration < 1).all(-1, keepdim=True)
        return functions.where(all_below_one, first_corner, mode)

    @property
    def variance(self):
        total = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            gammas = standard_gamma(self.concentration, shape)
            info = finfo(gammas.dtype)
            return (gammas / gammas.sum(-1, keepdim=True)).clamp(min=info.tiny,
                                                                 max=1 - info.eps)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return (xlogy(self.concentration - 1, value).sum(-1)
                + lgamma(self.concentration.sum(-1)) - lgamma(self.concentration).sum(-1))

    def entropy(self):
        count = self.concentration.shape[-1]
        total = self.concentration.sum(-1)
        return (lgamma(self.concentration).sum(-1) - lgamma(total)
                - (count - total) * digamma(total)
                - ((self.concentration - 1) * digamma(self.concentration)).sum(-1))

    # the exponential-family form, as torch's (E[log h(x)] = -E[sum log x] is not
    # given, so ExponentialFamily.entropy is not available; the closed form above is)
    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))


class Beta(ExponentialFamily):
    """The beta distribution on [0, 1] with density proportional to
    x^(concentration1 - 1) (1 - x)^(concentration0 - 1) (both positive). Samples are
    not reparameterized: `sample` only."""
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(
            concentration1, concentration0, owner="Beta")
        self._dirichlet = Dirichlet(functions.stack([self.concentration1,
                                                     self.concentration0], -1),
                                    validate_args=validate_args)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def sample(self, sample_shape=()):
        return self._dirichlet.sample(sample_shape).select(-1, 0)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        heads_tails = functions.stack(functions.broadcast_tensors(value, 1 - value), -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self):
        return self._dirichlet.entropy()

    # the exponential-family form, as torch's (E[log h(x)] = -E[sum log x] is not
    # given, so ExponentialFamily.entropy is not available; the closed form above is)
    @property
    def _natural_params(self):
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x, y):
        return lgamma(x) + lgamma(y) - lgamma(x + y)
