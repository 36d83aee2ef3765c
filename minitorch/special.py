"""torch.special, built from minitorch's tensor ops.

The gamma family, the error-function family and the modified Bessel functions are
written as their classic approximations over tensors: Lanczos' series for lgamma
(reflection below 1/2), recurrence plus the asymptotic series for digamma, the
Euler-Maclaurin sum for the Hurwitz zeta (and so polygamma), fdlibm's rational fits for
erfc/erfcx, Giles' guess refined by Newton steps for erfinv/ndtri, and the power series or
the large-argument expansion for i0/i1. Each such function is one graph node computed in
float64 whatever the input's dtype (then cast back), whose backward is PyTorch's formula
written with these same public functions, so gradients of any order are torch's
(lgamma' = digamma, digamma' = polygamma(1, .), erfinv' = sqrt(pi)/2 exp(erfinv^2), ...).
Integer and bool inputs give the default float dtype. Values are within about 1e-13
(relative, or absolute near a zero of the function) of torch's in float64.
"""
import fractions
import math
import numbers

import numpy as np

from . import functions, layout
from .autograd import Function, no_grad
from .creation import arange, full_like
from .dtype import float64, get_default_dtype
from .functions import (_ERFC_FAR, _ERFC_NEAR, _erf_values, _floor_values,  # fdlibm's erf
                        _inplace, _operands, _rational)
from .functions import (absolute, cast, clamp, copysign, exp, isinf, isnan,
                        log, log1p, maximum, minimum, sign, sqrt, where)
from .tensor import Tensor

# the functions torch.special shares with the rest of minitorch
erf = functions.erf
expit = functions.sigmoid
exp2 = functions.exp2
expm1 = functions.expm1
xlogy = functions.xlogy
sinc = functions.sinc
logit = functions.logit
softmax = functions.softmax
log_softmax = functions.log_softmax
logsumexp = functions.logsumexp
round = functions.round_half_even  # noqa: A001  (torch.special.round)

_SQRT_PI = math.sqrt(math.pi)
_SQRT_HALF = math.sqrt(0.5)


def _bernoulli_numbers(count):
    """B_0 .. B_{count-1} as exact fractions (B_1 = -1/2), from the recurrence
    sum_{j<=m} C(m+1, j) B_j = 0."""
    numbers_so_far = [fractions.Fraction(1)]
    for m in range(1, count):
        total = sum(math.comb(m + 1, j) * numbers_so_far[j] for j in range(m))
        numbers_so_far.append(-total / (m + 1))
    return numbers_so_far


_BERNOULLI = _bernoulli_numbers(27)


# ---- one graph node per special function ------------------------------------------------

class _Special(Function):
    """values(a) computed in float64 without a graph, cast back to a's dtype; backward:
    grad * derivative(a, result), written with public ops (so it differentiates again)."""

    def forward(self, a, values, derivative):
        self.derivative = derivative
        with no_grad():
            result = cast(values(cast(a, float64)), a.dtype)
        self.save_for_backward(a, result)
        return result

    def backward(self, grad):
        a, result = self.saved_tensors
        return grad * self.derivative(a, result)


def _apply(op_name, a, values, derivative):
    if not isinstance(a, Tensor):
        raise TypeError(f"{op_name}: expected a Tensor, got {type(a).__name__}")
    if not a.dtype.is_floating_point:
        a = cast(a, get_default_dtype())
    return _Special.apply(a, values, derivative)


# ---- the gamma family -------------------------------------------------------------------

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905,
            -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def _distance_to_integer(x):
    """x - round(x), in [-1/2, 1/2]: sin(pi x) and tan(pi x) read it without the rounding
    of pi * x for large x (sin(pi x) = +-sin(pi r), tan(pi x) = tan(pi r))."""
    return x - functions.round_half_even(x)


def _lgamma_values(x):
    """Lanczos (g = 7, 9 terms) for x >= 1/2; below, the reflection
    lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x), inf at the poles 0, -1, -2, ...;
    exactly 0 at 1 and 2."""
    reflect = x < 0.5
    z = where(reflect, 1.0 - x, x)
    series = _LANCZOS[0]
    for k, coefficient in enumerate(_LANCZOS[1:], 1):
        series = series + coefficient / (z + (k - 1))
    t = z + (_LANCZOS_G - 0.5)
    positive = _HALF_LOG_TWO_PI + (z - 0.5) * log(t) - t + log(series)
    sine = absolute(functions.sin(math.pi * _distance_to_integer(x)))
    reflected = math.log(math.pi) - log(sine) - positive
    result = where(functions.logical_or(x == 1, x == 2), 0.0, where(reflect, reflected, positive))
    return where(isinf(x), math.inf, result)


_DIGAMMA_SHIFT = 10.0   # the asymptotic series is used from here up


def _digamma_values(x):
    """psi(x) for x >= 1/2: psi(x) = psi(x + n) - sum 1/(x + k) up to x + n >= 10, then
    log z - 1/(2z) - sum B_2k / (2k z^2k) (k <= 7); below 1/2 the reflection
    psi(x) = psi(1 - x) - pi / tan(pi x). As torch: -inf at +0, inf at -0, nan at the
    negative integers and -inf."""
    reflect = x < 0.5
    z = where(reflect, 1.0 - x, x)
    shifted_sum = 0.0
    for _ in range(int(_DIGAMMA_SHIFT)):
        below = z < _DIGAMMA_SHIFT
        shifted_sum = shifted_sum + where(below, 1.0 / z, 0.0)
        z = where(below, z + 1.0, z)
    inverse_square = 1.0 / (z * z)
    series = 0.0
    for k in range(7, 0, -1):
        series = series * inverse_square + float(_BERNOULLI[2 * k] / (2 * k))
    positive = log(z) - 0.5 / z - series * inverse_square - shifted_sum
    reflected = positive - math.pi / functions.tan(math.pi * _distance_to_integer(x))
    result = where(reflect, reflected, positive)
    negative_integer = functions.logical_and(x < 0, x == functions.round_half_even(x))
    result = where(negative_integer, math.nan, result)
    return where(x == 0, copysign(math.inf, -x), result)


_ZETA_SHIFT = 10      # terms summed directly before Euler-Maclaurin takes over
_ZETA_CORRECTIONS = 12
_ZETA_MAX_TERMS = 10_000


def _zeta_values(s, q):
    """Hurwitz zeta sum_k (q + k)^-s: the first n terms summed (n >= 10, and enough for
    q + n >= 10), then Euler-Maclaurin's tail with 12 Bernoulli corrections. inf at s = 1
    and at q a non-positive integer, nan for s < 1 or q < 0 with s not an integer."""
    finite_q = q.detach().numpy()
    finite_q = finite_q[np.isfinite(finite_q)]
    lowest = float(finite_q.min()) if finite_q.size else 0.0
    count = max(_ZETA_SHIFT, math.ceil(_ZETA_SHIFT - lowest))
    if count > _ZETA_MAX_TERMS:
        raise NotImplementedError(f"zeta: q below {_ZETA_SHIFT - _ZETA_MAX_TERMS} is not "
                                  f"supported (got {lowest}); the direct sum would need "
                                  f"{count} terms")
    offsets = arange(count, dtype=float64, backend=q.backend)
    direct = functions.power(q.unsqueeze(-1) + offsets, -s.unsqueeze(-1)).sum(-1)
    w = q + count
    tail = functions.power(w, 1.0 - s) / (s - 1.0) + 0.5 * functions.power(w, -s)
    rising = s          # s (s + 1) ... (s + 2j - 2)
    power_of_w = functions.power(w, -s - 1.0)
    inverse_square = 1.0 / (w * w)
    for j in range(1, _ZETA_CORRECTIONS + 1):
        coefficient = float(_BERNOULLI[2 * j] / math.factorial(2 * j))
        tail = tail + coefficient * rising * power_of_w
        rising = rising * (s + 2 * j - 1) * (s + 2 * j)
        power_of_w = power_of_w * inverse_square
    result = where(s < 1, math.nan, direct + tail)
    pole = functions.logical_or(s == 1, functions.logical_and(
        q <= 0, q == functions.round_half_even(q)))
    return where(functions.logical_and(pole, s >= 1), math.inf, result)


def _polygamma_values(n):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1."""
    scale = (-1.0) ** (n + 1) * math.factorial(n)

    def values(x):
        return scale * _zeta_values(full_like(x, n + 1.0), x)
    return values


def lgamma(input):  # noqa: A002  (torch's argument name)
    """log |Gamma(x)| elementwise; inf at 0, -1, -2, ... and at +-inf. Gradient digamma."""
    return _apply("lgamma", input, _lgamma_values, lambda x, result: digamma(x))


def digamma(input):  # noqa: A002
    """psi(x) = d/dx lgamma(x) elementwise. Gradient polygamma(1, x)."""
    return _apply("digamma", input, _digamma_values, lambda x, result: polygamma(1, x))


def polygamma(n, input):  # noqa: A002
    """psi^(n)(x), the n-th derivative of digamma, for an integer n >= 0. Gradient
    polygamma(n + 1, x). Raises ValueError for a negative or non-integer n."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative integer, got {n!r}")
    if n == 0:
        return digamma(input)
    return _apply("polygamma", input, _polygamma_values(int(n)),
                  lambda x, result: polygamma(n + 1, x))


class _Zeta(Function):
    """Hurwitz zeta of two float tensors of one shape; backward: d/dq = -s zeta(s + 1, q);
    as torch, the derivative in s is not implemented."""

    def forward(self, s, q):
        with no_grad():
            result = cast(_zeta_values(cast(s, float64), cast(q, float64)), s.dtype)
        self.save_for_backward(s, q)
        return result

    def backward(self, grad):
        s, q = self.saved_tensors
        if self.inputs[0] is not None:
            raise NotImplementedError("zeta: the derivative with respect to input (s) is "
                                      "not implemented, as in torch")
        return None, grad * -s * zeta(s + 1.0, q)


def zeta(input, other):  # noqa: A002
    """The Hurwitz zeta function sum_{k>=0} (other + k)^-input, elementwise with
    broadcasting (either may be a number). Differentiable in other only."""
    s, q = _operands(input, other, "zeta", functions._floating)
    shape = layout.broadcast_shapes(s.shape, q.shape, "zeta")
    return _Zeta.apply(s.expand(shape), q.expand(shape))


def multigammaln(input, p):  # noqa: A002
    """The multivariate log-gamma log Gamma_p(a) = p(p-1)/4 log(pi) + sum_{i<p}
    lgamma(a - i/2), elementwise. Refuses p < 1 and any a <= (p - 1) / 2, as torch."""
    if isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 1:
        raise ValueError(f"multigammaln: p must be an integer >= 1, got {p!r}")
    if not isinstance(input, Tensor):
        raise TypeError(f"multigammaln: expected a Tensor, got {type(input).__name__}")
    if not input.dtype.is_floating_point:
        input = cast(input, get_default_dtype())
    if input.numel() and not bool((input > (p - 1) / 2).all()):
        raise ValueError(f"multigammaln: all elements must be greater than (p-1)/2 = "
                         f"{(p - 1) / 2} for p = {p}")
    halves = arange(p, dtype=input.dtype, backend=input.backend) * 0.5
    terms = lgamma(input.unsqueeze(-1) - halves)
    return terms.sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


gammaln = lgamma
psi = digamma


# ---- the error-function family ----------------------------------------------------------

def _erfcx_tail_exponent(magnitude):
    """fdlibm's fit: erfc(m) = exp(-m^2 - 0.5625 + R(1 / m^2)) / m for m in [1.25, 28]."""
    inverse_square = 1.0 / (magnitude * magnitude)
    return where(magnitude < 1 / 0.35, _rational(inverse_square, _ERFC_NEAR),
                 _rational(inverse_square, _ERFC_FAR)) - 0.5625


def _erfc_values(x):
    """1 - erf(x) below |x| = 1.25 (a value near 1, no cancellation); beyond, fdlibm's
    tail, exp(-x^2) split as exp(-h^2) exp((h - |x|)(h + |x|)) with h = |x| cut to 20
    fraction bits so that x^2's rounding does not reach the result; 0 (2 for x < 0)
    from |x| = 28 on."""
    magnitude = absolute(x)
    head = _floor_values(magnitude * 2.0 ** 20) * 2.0 ** -20
    tail = exp(-(head * head)) * exp((head - magnitude) * (head + magnitude)
                                     + _erfcx_tail_exponent(magnitude)) / magnitude
    far = where(magnitude >= 28.0, 0.0, tail)
    return where(magnitude < 1.25, 1.0 - _erf_values(x), where(x < 0, 2.0 - far, far))


def _erfcx_values(x):
    """exp(x^2) erfc(x): directly below 1.25 (inf once exp(x^2) overflows), fdlibm's tail
    exp(R - 0.5625) / x up to 28, then the asymptotic series
    1/(x sqrt(pi)) sum_k (-1)^k (2k-1)!! / (2x^2)^k (10 terms)."""
    near = exp(x * x) * _erfc_values(x)
    tail = exp(_erfcx_tail_exponent(x)) / x
    inverse = 1.0 / (2.0 * x * x)
    series, term = 1.0, 1.0
    for k in range(1, 11):
        term = term * -(2 * k - 1) * inverse
        series = series + term
    asymptotic = series / (x * _SQRT_PI)
    return where(x < 1.25, near, where(x < 28.0, tail, asymptotic))


# erfinv's starting guess: M. Giles' single-precision polynomials in w = -log(1 - y^2),
# one for the centre (w < 5, in w - 2.5) and one for the tails (in sqrt(w) - 3), highest
# power first.
_GILES_CENTRE = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                 2.1858087e-04, -1.25372503e-03, -4.17768164e-03, 2.46640727e-01,
                 1.50140941)
_GILES_TAIL = (-2.00214257e-04, 1.00950558e-04, 1.34934322e-03, -3.67342844e-03,
               5.73950773e-03, -7.6224613e-03, 9.43887047e-03, 1.00167406, 2.83297682)
_GILES_LIMIT = 16.0  # w up to which the guess is within 1e-7 (float32's tails)
_NEWTON_STEPS = 3


def _polynomial(coefficients, x):
    result = coefficients[0]
    for coefficient in coefficients[1:]:
        result = result * x + coefficient
    return result


def _inverse_erf_magnitude(a, c):
    """The x >= 0 with erf(x) = a and erfc(x) = c, given both (a + c = 1, each exact where
    it is the smaller). Giles' guess, then Newton steps: on erf(x) - a for a < 1/2, on
    log erfc(x) - log c = log erfcx(x) - x^2 - log c beyond, whose slope
    -2 / (sqrt(pi) erfcx(x)) stays moderate deep in the tail (c down to the smallest
    float64)."""
    w = -log(c * (1.0 + a))
    centre = _polynomial(_GILES_CENTRE, w - 2.5)
    tail = _polynomial(_GILES_TAIL, sqrt(clamp(w, 5.0, _GILES_LIMIT)) - 3.0)
    log_c = log(c)
    # beyond Giles' range, solve erfc(x) ~ exp(-x^2) (1 - 1/(2x^2)) / (x sqrt(pi)) = c
    # by two fixed-point steps from x = sqrt(-log c): within 1e-3 of the root
    far = sqrt(maximum(-log_c, _GILES_LIMIT))
    far = sqrt(-log_c - log(far * _SQRT_PI))
    far = sqrt(-log_c - log(far * _SQRT_PI) + log1p(-0.5 / (far * far)))
    x = where(w < 5.0, centre * a, where(w < _GILES_LIMIT, tail * a, far))
    for _ in range(_NEWTON_STEPS):
        erf_step = (_erf_values(x) - a) * (_SQRT_PI / 2) * exp(x * x)
        scaled = _erfcx_values(x)
        tail_step = -(log(scaled) - x * x - log_c) * (_SQRT_PI / 2) * scaled
        x = x - where(a < 0.5, erf_step, tail_step)
    return x


def _erfinv_values(y):
    """+-inf at +-1, nan beyond; the sign (and a zero's sign) is y's."""
    a = absolute(y)
    x = copysign(_inverse_erf_magnitude(a, 1.0 - a), y)
    return where(a > 1, math.nan, where(a == 1, copysign(math.inf, y), x))


def _ndtri_values(p):
    """x = +-sqrt(2) erfcinv(2 min(p, 1 - p)): -inf at 0, inf at 1, nan outside [0, 1]."""
    below = p < 0.5
    c = where(below, 2.0 * p, 2.0 * (1.0 - p))
    x = math.sqrt(2.0) * _inverse_erf_magnitude(1.0 - c, c)
    x = where(below, -x, x)
    return where(functions.logical_or(p < 0, p > 1), math.nan,
                 where(p == 0, -math.inf, where(p == 1, math.inf, x)))


def _ndtr_values(x):
    return 0.5 * _erfc_values(-_SQRT_HALF * x)


def _log_ndtr_values(x):
    """log(erfcx(-x/sqrt(2)) / 2) - x^2/2 below x = -1, log1p(-erfc(x/sqrt(2)) / 2)
    above."""
    lower = log(0.5 * _erfcx_values(-_SQRT_HALF * x)) - 0.5 * x * x
    upper = log1p(-0.5 * _erfc_values(_SQRT_HALF * x))
    return where(x < -1.0, lower, upper)


def erfc(input):  # noqa: A002
    """1 - erf(x) without cancellation (full relative accuracy in the tail). Gradient
    -2/sqrt(pi) exp(-x^2)."""
    return _apply("erfc", input, _erfc_values,
                  lambda x, result: exp(-(x * x)) * (-2.0 / _SQRT_PI))


def erfcx(input):  # noqa: A002
    """The scaled complementary error function exp(x^2) erfc(x). Gradient
    2x erfcx(x) - 2/sqrt(pi)."""
    return _apply("erfcx", input, _erfcx_values,
                  lambda x, result: 2.0 * x * result - 2.0 / _SQRT_PI)


def erfinv(input):  # noqa: A002
    """The inverse of erf on [-1, 1] (+-inf at +-1, nan outside). Gradient
    sqrt(pi)/2 exp(erfinv(y)^2)."""
    return _apply("erfinv", input, _erfinv_values,
                  lambda y, result: exp(result * result) * (_SQRT_PI / 2))


def ndtr(input):  # noqa: A002
    """The standard normal CDF, erfc(-x / sqrt(2)) / 2 (full relative accuracy in the
    lower tail). Gradient exp(-x^2 / 2) / sqrt(2 pi)."""
    return _apply("ndtr", input, _ndtr_values,
                  lambda x, result: exp(-0.5 * x * x) / math.sqrt(2 * math.pi))


def ndtri(input):  # noqa: A002
    """The inverse of ndtr on [0, 1] (-inf at 0, inf at 1, nan outside), accurate for p
    near 0 and near 1. Gradient sqrt(2 pi) exp(ndtri(p)^2 / 2)."""
    return _apply("ndtri", input, _ndtri_values,
                  lambda p, result: exp(0.5 * result * result) * math.sqrt(2 * math.pi))


def log_ndtr(input):  # noqa: A002
    """log(ndtr(x)) without underflow. Gradient exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi)."""
    return _apply("log_ndtr", input, _log_ndtr_values,
                  lambda x, result: exp(-0.5 * x * x - result) / math.sqrt(2 * math.pi))


# ---- entropy and xlog1py ----------------------------------------------------------------

def _entr_values(x):
    """-x log x for x > 0, 0 at 0, -inf below, nan kept."""
    positive = maximum(x, 1.0)  # any value > 0; replaced below where x <= 0
    positive = where(x > 0, x, positive)
    result = where(x > 0, -x * log(positive), where(x == 0, 0.0, -math.inf))
    return where(isnan(x), x, result)


def entr(input):  # noqa: A002
    """The elementwise entropy term -x log x (0 at 0, -inf for x < 0). Gradient
    -(log x + 1)."""
    return _apply("entr", input, _entr_values, lambda x, result: -(log(x) + 1.0))


def xlog1py(input, other):  # noqa: A002
    """input * log1p(other), 0 where input is 0 (unless other is nan); either may be a
    number."""
    x, y = _operands(input, other, "xlog1py", functions._floating)
    undefined = functions.logical_and(x == 0, functions.logical_or(y == -1, y == math.inf))
    return where(undefined, 0.0, x * log1p(y))


# ---- modified Bessel functions of the first kind ----------------------------------------

_BESSEL_SPLIT = 30.0       # the power series below, the asymptotic expansion above
_SERIES_TERMS = 60         # enough for every term past the 60th to be < 1e-17 of the sum
_ASYMPTOTIC_TERMS = 25


def _bessel_values(order, scaled):
    """I_order(x) (times exp(-|x|) when scaled) for order 0 or 1: the power series
    (x/2)^v sum_k (x^2/4)^k / (k! (k+v)!) below |x| = 30 (all terms positive), then
    exp(|x|) / sqrt(2 pi |x|) sum_k prod_{j<=k} ((2j-1)^2 - 4v^2) / (8 j |x|); odd in x
    for order 1."""
    def values(x):
        magnitude = absolute(x)
        small = minimum(magnitude, _BESSEL_SPLIT)
        large = maximum(magnitude, _BESSEL_SPLIT)
        quarter_square = 0.25 * small * small
        term = (0.5 * small) ** order
        series = term
        for k in range(1, _SERIES_TERMS + 1):
            term = term * quarter_square / (k * (k + order))
            series = series + term
        term = 1.0
        expansion = 1.0
        for k in range(1, _ASYMPTOTIC_TERMS + 1):
            term = term * ((2 * k - 1) ** 2 - 4 * order ** 2) / (8.0 * k * large)
            expansion = expansion + term
        expansion = expansion / sqrt(2 * math.pi * large)
        if scaled:
            series = series * exp(-small)
        else:
            expansion = expansion * exp(large)
        result = where(magnitude < _BESSEL_SPLIT, series, expansion)
        return result * sign(x) if order else result
    return values


def _bessel_i1_derivative(x, result, i0_like, scaled):
    """i1' = i0 - i1 / x; i1e' = i0e - i1e (sign(x) + 1/x); both 1/2 at 0."""
    at_zero = x == 0
    safe = where(at_zero, 1.0, x)
    slope = i0_like(x) - result / safe
    if scaled:
        slope = slope - sign(x) * result
    return where(at_zero, 0.5, slope)


def i0(input):  # noqa: A002
    """The modified Bessel function of the first kind, order 0. Gradient i1."""
    return _apply("i0", input, _bessel_values(0, False), lambda x, result: i1(x))


def i0e(input):  # noqa: A002
    """exp(-|x|) i0(x). Gradient i1e(x) - sign(x) i0e(x)."""
    return _apply("i0e", input, _bessel_values(0, True),
                  lambda x, result: i1e(x) - sign(x) * result)


def i1(input):  # noqa: A002
    """The modified Bessel function of the first kind, order 1. Gradient i0 - i1/x."""
    return _apply("i1", input, _bessel_values(1, False),
                  lambda x, result: _bessel_i1_derivative(x, result, i0, False))


def i1e(input):  # noqa: A002
    """exp(-|x|) i1(x). Gradient i0e - i1e (sign(x) + 1/x)."""
    return _apply("i1e", input, _bessel_values(1, True),
                  lambda x, result: _bessel_i1_derivative(x, result, i0e, True))


# ---- minitorch.lgamma, ... and the Tensor methods ---------------------------------------

def _polygamma_method(self, n):
    return polygamma(n, self)


TOP_LEVEL = {"lgamma": lgamma, "digamma": digamma, "polygamma": polygamma, "erfc": erfc,
             "erfinv": erfinv, "i0": i0, "mvlgamma": multigammaln}
_METHODS = {"lgamma": lgamma, "digamma": digamma, "polygamma": _polygamma_method,
            "erfc": erfc, "erfinv": erfinv, "i0": i0, "mvlgamma": multigammaln}
for _name, _function in _METHODS.items():
    setattr(Tensor, _name, _function)
    setattr(Tensor, _name + "_", _inplace(_function, _name + "_"))
