"""Normal(loc, scale), LogNormal(loc, scale): exp of a Normal draw, and HalfNormal(scale):
the absolute value of one."""
import math

from .. import functions
from ..creation import randn
from . import constraints
from .distribution import Distribution
from .folded import FoldedAtZero
from .utils import broadcast_all

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)

# erfinv's starting guess: M. Giles' single-precision polynomials in w = -log(1 - y**2),
# one for the centre (w < 5, in w - 2.5) and one for the tails (in sqrt(w) - 3), highest
# power first.
_CENTRE = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
           2.1858087e-04, -1.25372503e-03, -4.17768164e-03, 2.46640727e-01, 1.50140941)
_TAIL = (-2.00214257e-04, 1.00950558e-04, 1.34934322e-03, -3.67342844e-03,
         5.73950773e-03, -7.6224613e-03, 9.43887047e-03, 1.00167406, 2.83297682)
_NEWTON_STEPS = 2  # each roughly doubles the digits: float64 accuracy from float32's


def _polynomial(coefficients, x):
    result = coefficients[0]
    for coefficient in coefficients[1:]:
        result = result * x + coefficient
    return result


def _erfinv(y):
    """The x with erf(x) = y for y in [-1, 1] (+-inf at +-1), from tensor ops: Giles'
    polynomial guess refined by Newton steps on erf, so gradients flow (at the root the
    steps' derivative is 1 / erf'(x), erfinv's). Relative error is near the dtype's
    precision for 1 - |y| down to about 1e-6, and grows to about 1e-4 at 1 - |y| = 1e-12,
    where erf(x) - y keeps few significant digits."""
    inside = y.clamp(-1, 1)
    w = -((1 - inside) * (1 + inside)).log()
    centre = _polynomial(_CENTRE, w - 2.5)
    tail = _polynomial(_TAIL, w.clamp(min=5).sqrt() - 3)
    x = functions.where(w < 5, centre, tail) * inside
    for _ in range(_NEWTON_STEPS):
        x = x - (functions.erf(x) - inside) / ((2 / math.sqrt(math.pi)) * (-x * x).exp())
    return functions.where(inside.abs() == 1, inside * math.inf, x)


class Normal(Distribution):
    """The normal distribution N(loc, scale**2); loc and scale broadcast to the batch."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale, owner="Normal")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def rsample(self, sample_shape=()):
        """loc + scale * eps, eps standard normal: gradients flow to loc and scale."""
        shape = self._extended_shape(sample_shape)
        eps = randn(shape, dtype=self.loc.dtype, backend=self.loc.backend)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - _HALF_LOG_TWO_PI)

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        return 0.5 * (1 + functions.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        return self.loc + self.scale * _erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + _HALF_LOG_TWO_PI + self.scale.log()


class LogNormal(Distribution):
    """The distribution of exp(X) for X ~ Normal(loc, scale); `base_dist` is that
    Normal, so log_prob, cdf, icdf and entropy are the Normal's, changed by the exp."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.base_dist = Normal(loc, scale, validate_args=False)  # checked as LogNormal
        self.loc, self.scale = self.base_dist.loc, self.base_dist.scale
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self):
        scale_squared = self.scale.pow(2)
        return scale_squared.expm1() * (2 * self.loc + scale_squared).exp()

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        log_value = value.log()
        return self.base_dist.log_prob(log_value) - log_value

    def cdf(self, value):
        self._validate_sample(value, "cdf")
        return self.base_dist.cdf(value.log())

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class HalfNormal(FoldedAtZero):
    """The normal distribution around 0 folded onto [0, inf): |X| for X ~ Normal(0,
    scale); its density is twice the Normal's."""

    def __init__(self, scale, validate_args=None):
        base = Normal(0, scale, validate_args=False)  # checked as HalfNormal
        super().__init__(base, validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
