"""torch.special, built from minitorch's tensor ops.

The gamma family, the error-function family and the modified Bessel functions are
written as their classic approximations over tensors: Lanczos' series for lgamma
(reflection below 1/2), recurrence plus the asymptotic series for digamma, the
Euler-Maclaurin sum for the Hurwitz zeta (and so polygamma), fdlibm's rational fits for
erfc/erfcx, Giles' guess refined by Newton steps for erfinv/ndtri, and the power series or
the large-argument expansion for i0/i1, the series and Legendre's continued fraction for
the regularized incomplete gamma functions. Each such function is one graph node computed in
float64 whatever the input's dtype (then cast back), whose backward is PyTorch's formula
written with these same public functions, so gradients of any order are torch's
(lgamma' = digamma, digamma' = polygamma(1, .), erfinv' = sqrt(pi)/2 exp(erfinv^2), ...).
Integer and bool inputs give the default float dtype. Values are within about 1e-13
(relative, or absolute near a zero of the function) of torch's in float64.

The functions torch defines without a gradient (the Bessel functions J, Y, K and the
newer I, the Airy function Ai, the orthogonal polynomials) return tensors that never
require grad. J and Y come from Bessel's integral by the trapezoid rule (exact for its
periodic integrand) and Neumann's series up to |x| = 25, Hankel's expansion beyond; K
from its power series below 1 and the integral of exp(-x cosh t) above; Ai from Taylor
steps along Ai'' = x Ai, K_1/3 and its oscillating expansion. Their values agree with
mpmath to about 1e-13; torch's own are off by up to ~5e-6 in places (near x = 5 for J and
Y, x = -2 for Ai), and its incomplete gamma by ~2e-9 for large a.
"""
import fractions
import math
import numbers

import numpy as np

from . import functions, layout
from .autograd import Function, no_grad
from .creation import arange, full_like
from .creation import tensor as make_tensor
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
    grad * derivative(*saved), written with public ops (so it differentiates again).
    saved holds a and/or the result, as `saves` ("input", "result") names them: what
    PyTorch's formula saves, so that an in-place write to the other keeps backward valid."""

    def forward(self, a, values, derivative, saves):
        self.derivative = derivative
        with no_grad():
            result = cast(values(cast(a, float64)), a.dtype)
        self.save_for_backward(*[a if saved == "input" else result for saved in saves])
        return result

    def backward(self, grad):
        return grad * self.derivative(*self.saved_tensors)


def _apply(op_name, a, values, derivative, saves=("input",)):
    if not isinstance(a, Tensor):
        raise TypeError(f"{op_name}: expected a Tensor, got {type(a).__name__}")
    if not a.dtype.is_floating_point:
        a = cast(a, get_default_dtype())
    return _Special.apply(a, values, derivative, saves)


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
    and at q a non-positive integer (for any s not below 1, nan included), nan for s < 1,
    for q < 0 with s not an integer and for q = inf, as torch (Cephes)."""
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
    result = where(functions.logical_or(s < 1, q == math.inf), math.nan, direct + tail)
    pole = functions.logical_or(s == 1, functions.logical_and(
        q <= 0, q == functions.round_half_even(q)))
    return where(functions.logical_and(pole, ~(s < 1)), math.inf, result)


def _polygamma_values(n):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1."""
    scale = (-1.0) ** (n + 1) * math.factorial(n)

    def values(x):
        return scale * _zeta_values(full_like(x, n + 1.0), x)
    return values


def lgamma(input):  # noqa: A002  (torch's argument name)
    """log |Gamma(x)| elementwise; inf at 0, -1, -2, ... and at +-inf. Gradient digamma."""
    return _apply("lgamma", input, _lgamma_values, digamma)


def digamma(input):  # noqa: A002
    """psi(x) = d/dx lgamma(x) elementwise. Gradient polygamma(1, x)."""
    return _apply("digamma", input, _digamma_values, lambda x: polygamma(1, x))


def polygamma(n, input):  # noqa: A002
    """psi^(n)(x), the n-th derivative of digamma, for an integer n >= 0. Gradient
    polygamma(n + 1, x). Raises ValueError for a negative or non-integer n."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative integer, got {n!r}")
    if n == 0:
        return digamma(input)
    return _apply("polygamma", input, _polygamma_values(int(n)),
                  lambda x: polygamma(n + 1, x))


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
    lgamma(a - i/2), elementwise. Refuses p < 1; any a is taken (below (p - 1) / 2 some
    terms are log-gammas of negative arguments), as torch 2.13, which no longer checks."""
    if isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 1:
        raise ValueError(f"multigammaln: p must be an integer >= 1, got {p!r}")
    if not isinstance(input, Tensor):
        raise TypeError(f"multigammaln: expected a Tensor, got {type(input).__name__}")
    if not input.dtype.is_floating_point:
        input = cast(input, get_default_dtype())
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
                  lambda x: exp(-(x * x)) * (-2.0 / _SQRT_PI))


def erfcx(input):  # noqa: A002
    """The scaled complementary error function exp(x^2) erfc(x). Gradient
    2x erfcx(x) - 2/sqrt(pi)."""
    return _apply("erfcx", input, _erfcx_values,
                  lambda x, result: 2.0 * x * result - 2.0 / _SQRT_PI,
                  saves=("input", "result"))


def erfinv(input):  # noqa: A002
    """The inverse of erf on [-1, 1] (+-inf at +-1, nan outside). Gradient
    sqrt(pi)/2 exp(erfinv(y)^2)."""
    return _apply("erfinv", input, _erfinv_values,
                  lambda result: exp(result * result) * (_SQRT_PI / 2),
                  saves=("result",))


def ndtr(input):  # noqa: A002
    """The standard normal CDF, erfc(-x / sqrt(2)) / 2 (full relative accuracy in the
    lower tail). Gradient exp(-x^2 / 2) / sqrt(2 pi)."""
    return _apply("ndtr", input, _ndtr_values,
                  lambda x: exp(-0.5 * x * x) / math.sqrt(2 * math.pi))


def ndtri(input):  # noqa: A002
    """The inverse of ndtr on [0, 1] (-inf at 0, inf at 1, nan outside), accurate for p
    near 0 and near 1. Gradient sqrt(2 pi) exp(ndtri(p)^2 / 2)."""
    return _apply("ndtri", input, _ndtri_values,
                  lambda result: exp(0.5 * result * result) * math.sqrt(2 * math.pi),
                  saves=("result",))


def log_ndtr(input):  # noqa: A002
    """log(ndtr(x)) without underflow. Gradient exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi)."""
    return _apply("log_ndtr", input, _log_ndtr_values,
                  lambda x, result: exp(-0.5 * x * x - result) / math.sqrt(2 * math.pi),
                  saves=("input", "result"))


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
    return _apply("entr", input, _entr_values, lambda x: -(log(x) + 1.0))


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
    return _apply("i0", input, _bessel_values(0, False), i1)


def i0e(input):  # noqa: A002
    """exp(-|x|) i0(x). Gradient i1e(x) - sign(x) i0e(x)."""
    return _apply("i0e", input, _bessel_values(0, True),
                  lambda x, result: i1e(x) - sign(x) * result,
                  saves=("input", "result"))


def i1(input):  # noqa: A002
    """The modified Bessel function of the first kind, order 1. Gradient i0 - i1/x."""
    return _apply("i1", input, _bessel_values(1, False),
                  lambda x, result: _bessel_i1_derivative(x, result, i0, False),
                  saves=("input", "result"))


def i1e(input):  # noqa: A002
    """exp(-|x|) i1(x). Gradient i0e - i1e (sign(x) + 1/x)."""
    return _apply("i1e", input, _bessel_values(1, True),
                  lambda x, result: _bessel_i1_derivative(x, result, i0e, True),
                  saves=("input", "result"))


# ---- the regularized incomplete gamma functions ---------------------------------------

_GAMMAINC_MAX_TERMS = 100_000
_TINY = 1e-300          # Lentz's guard against a zero denominator


def _until_converged(op_name, step, state, relevant):
    """Runs state = step(k, state) for k = 1, 2, ... until step reports (as a host bool
    array) that every element where relevant (host) has converged."""
    for k in range(1, _GAMMAINC_MAX_TERMS + 1):
        state, done = step(k, state)
        if bool(np.all(done | ~relevant)):
            return state
    raise NotImplementedError(f"{op_name}: no convergence in {_GAMMAINC_MAX_TERMS} terms "
                              "(arguments too large)")


def _log_power_prefactor(a, x):
    """log(x^a e^-x / Gamma(a))."""
    return a * log(x) - x - _lgamma_values(a)


def _lower_series(a, x, relevant):
    """P(a, x) = x^a e^-x / Gamma(a) sum_n x^n / (a (a+1) ... (a+n)), all terms
    positive; used for x < a + 1, where they fall at least as fast as x / (a + n)."""
    def step(k, state):
        term, total = state
        term = term * x / (a + k)
        total = total + term
        return (term, total), (term <= 1e-17 * total).detach().numpy()
    first = 1.0 / a
    _, total = _until_converged("gammainc", step, (first, first), relevant)
    return exp(_log_power_prefactor(a, x)) * total


def _upper_fraction(a, x, relevant):
    """Q(a, x) = x^a e^-x / Gamma(a) / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) /
    ...)), Legendre's continued fraction by the modified Lentz method; used for
    x >= a + 1, where it converges quickly."""
    denominator = x + 1.0 - a
    def step(k, state):
        c, d, fraction, b = state
        numerator = -k * (k - a)
        b = b + 2.0
        d = numerator * d + b
        d = 1.0 / where(absolute(d) < _TINY, _TINY, d)
        c = b + numerator / c
        c = where(absolute(c) < _TINY, _TINY, c)
        change = c * d
        fraction = fraction * change
        return (c, d, fraction, b), (absolute(change - 1.0) <= 4e-16).detach().numpy()
    start = 1.0 / denominator
    state = (full_like(x, 1.0 / _TINY), start, start, denominator)
    fraction = _until_converged("gammaincc", step, state, relevant)[2]
    return exp(_log_power_prefactor(a, x)) * fraction


def _incomplete_gamma_values(a, x, upper):
    """P(a, x) (upper: Q(a, x) = 1 - P) of float64 tensors of one shape: the series for
    x < a + 1, the continued fraction beyond, each giving the other as its complement.
    As torch: nan for a < 0 or x < 0 (and a = x = 0, or both infinite); at a = 0 P is 1
    for x > 0; at x = 0 P is 0; an infinite a gives P = 0, an infinite x P = 1."""
    ordinary = functions.logical_and(a > 0, x > 0)
    ordinary = functions.logical_and(ordinary, functions.logical_and(
        functions.isfinite(a), functions.isfinite(x)))
    use_series = x < a + 1.0
    host_ordinary = ordinary.numpy()
    host_series = use_series.numpy()
    safe_a = where(ordinary, a, 1.0)
    series_x = where(functions.logical_and(ordinary, use_series), x, 0.5)
    fraction_x = where(functions.logical_and(ordinary, use_series), safe_a + 1.0,
                       where(ordinary, x, 2.0))
    lower = _lower_series(safe_a, series_x, host_ordinary & host_series)
    upper_value = _upper_fraction(safe_a, fraction_x, host_ordinary & ~host_series)
    p = where(use_series, lower, 1.0 - upper_value)
    q = where(use_series, 1.0 - lower, upper_value)
    result = where(functions.logical_or(isnan(a), isnan(x)), math.nan, q if upper else p)
    # torch's order of precedence: the last rule applied wins
    one, zero = (0.0, 1.0) if upper else (1.0, 0.0)     # the values of P = 1 and P = 0
    result = where(isinf(x), one, result)
    result = where(isinf(a), where(isinf(x), math.nan, zero), result)
    result = where(x == 0, zero, result)
    result = where(a == 0, where(x > 0, one, math.nan), result)
    return where(functions.logical_or(a < 0, x < 0), math.nan, result)


class _IncompleteGamma(Function):
    """P(a, x) or Q(a, x) of two float tensors of one shape; backward: d/dx is
    +-x^(a-1) e^-x / Gamma(a); as torch, the derivative in a is not implemented."""

    def forward(self, a, x, upper):
        self.upper = upper
        with no_grad():
            result = cast(_incomplete_gamma_values(cast(a, float64), cast(x, float64),
                                                   upper), a.dtype)
        self.save_for_backward(a, x)
        return result

    def backward(self, grad):
        a, x = self.saved_tensors
        name = "igammac" if self.upper else "igamma"
        if self.inputs[0] is not None:
            raise NotImplementedError(f"{name}: the derivative with respect to input (a) "
                                      "is not implemented, as in torch")
        density = exp((a - 1.0) * log(x) - x - lgamma(a))
        return None, grad * (-density if self.upper else density)


def _incomplete_gamma(op_name, input, other, upper):  # noqa: A002
    a, x = _operands(input, other, op_name, functions._floating)
    shape = layout.broadcast_shapes(a.shape, x.shape, op_name)
    return _IncompleteGamma.apply(a.expand(shape), x.expand(shape), upper)


def gammainc(input, other):  # noqa: A002
    """The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a)
    with a = input and x = other, elementwise with broadcasting (either may be a
    number). Differentiable in other only, as torch."""
    return _incomplete_gamma("gammainc", input, other, False)


def gammaincc(input, other):  # noqa: A002
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) (see
    gammainc), computed directly where it is the smaller. Differentiable in other only."""
    return _incomplete_gamma("gammaincc", input, other, True)


# ---- Bessel functions of integer order ------------------------------------------------
# As in torch, these have no gradient: their results never require grad.

_EULER_GAMMA = 0.57721566490153286061
_HANKEL_SPLIT = 25.0        # Bessel's integral below, Hankel's expansion above
_BESSEL_NODES = 96          # trapezoid intervals on [0, pi]: the aliasing error is
_NEUMANN_TERMS = 30         # J_{2*96-61}(25) ~ 1e-79; the Neumann sums stop at J_61(25) ~ 1e-18
_HANKEL_TERMS = 45          # Hankel's terms shrink up to the 2x-th; the 45th at x = 25 is ~1e-19


def _integer_order_bessel_j(x, highest):
    """J_0(x) .. J_highest(x) as columns (..., highest + 1), from Bessel's integral
    J_n(x) = 1/pi int_0^pi cos(n t - x sin t) dt by the trapezoid rule, which for this
    periodic integrand is exact up to J_{2N-n}(x) (N = 96 intervals): full accuracy for
    |x| <= 25. By symmetry about t = pi/2 the integrand is cos(n t) cos(x sin t) for even
    n and sin(n t) sin(x sin t) for odd n (the other half integrates to 0; leaving it out
    keeps J_1's relative accuracy at tiny x), so the sum over nodes is two matmuls with
    tables of cos(n t) and sin(n t)."""
    nodes = np.arange(_BESSEL_NODES + 1) * (math.pi / _BESSEL_NODES)
    weights = np.full(_BESSEL_NODES + 1, 1.0 / _BESSEL_NODES)
    weights[[0, -1]] /= 2
    orders = np.arange(highest + 1)
    odd = (orders % 2 == 1)[:, None]
    def constant(array):
        return make_tensor(array, dtype=x.dtype, backend=x.backend)
    phase = x.unsqueeze(-1) * constant(np.sin(nodes))
    even_table = np.where(odd, 0.0, weights * np.cos(np.outer(orders, nodes)))
    odd_table = np.where(odd, weights * np.sin(np.outer(orders, nodes)), 0.0)
    return (functions.matmul(functions.cos(phase), constant(even_table.T))
            + functions.matmul(functions.sin(phase), constant(odd_table.T)))


def _hankel_coefficients(order):
    """a_k(order) = prod_{j<=k} (4 order^2 - (2j - 1)^2) / (k! 8^k), k < 45."""
    coefficients = [1.0]
    for k in range(1, _HANKEL_TERMS):
        coefficients.append(coefficients[-1] * (4 * order * order - (2 * k - 1) ** 2)
                            / (8.0 * k))
    return coefficients


def _alternating_halves(coefficients, t):
    """(sum_k (-1)^k c_2k t^2k, sum_k (-1)^k c_2k+1 t^(2k+1)) for c = coefficients: the
    two halves of an asymptotic expansion, summed smallest terms first."""
    even, odd = 0.0, 0.0
    for k in reversed(range(len(coefficients))):
        term = (-1.0 if k % 4 >= 2 else 1.0) * coefficients[k] * t ** k
        if k % 2:
            odd = odd + term
        else:
            even = even + term
    return even, odd


def _hankel_expansion(order, x):
    """(J_order(x), Y_order(x)) for x >= 25 by Hankel's expansion sqrt(2 / (pi x))
    (P cos w -+ Q sin w) with w = x - (order / 2 + 1/4) pi, P = sum (-1)^k a_2k / x^2k,
    Q = sum (-1)^k a_2k+1 / x^(2k+1); cos w and sin w from cos x and sin x."""
    p, q = _alternating_halves(_hankel_coefficients(order), 1.0 / x)
    cosine, sine = functions.cos(x), functions.sin(x)
    if order == 0:      # w = x - pi/4
        cos_w, sin_w = (cosine + sine) * _SQRT_HALF, (sine - cosine) * _SQRT_HALF
    else:               # w = x - 3 pi/4
        cos_w, sin_w = (sine - cosine) * _SQRT_HALF, -(sine + cosine) * _SQRT_HALF
    scale = sqrt(2.0 / (math.pi * x))
    return scale * (p * cos_w - q * sin_w), scale * (p * sin_w + q * cos_w)


def _bessel_first_kind_values(order):
    """J_order(x) for order 0 (even) or 1 (odd): Bessel's integral up to |x| = 25,
    Hankel's expansion beyond; nan at +-inf, as torch."""
    def values(x):
        magnitude = absolute(x)
        near = _integer_order_bessel_j(minimum(magnitude, _HANKEL_SPLIT), order)[..., order]
        far = _hankel_expansion(order, maximum(magnitude, _HANKEL_SPLIT))[0]
        result = where(magnitude <= _HANKEL_SPLIT, near, far)
        return result * sign(x) if order else result
    return values


def _bessel_second_kind_values(order):
    """Y_order(x) for order 0 or 1 from Neumann's series in J_n (x <= 25),
    Y_0 = 2/pi (log(x/2) + gamma) J_0 - 4/pi sum_k (-1)^k J_2k / k,
    Y_1 = -Y_0' = 2/pi ((log(x/2) + gamma) J_1 - J_0 / x)
                  + 2/pi sum_k (-1)^k (J_2k-1 - J_2k+1) / k,
    and Hankel's expansion beyond. -inf at 0, nan below and at inf, as torch."""
    def values(x):
        near_x = clamp(x, 0.0, _HANKEL_SPLIT)
        bessel = _integer_order_bessel_j(near_x, 2 * _NEUMANN_TERMS + 1)
        k = np.arange(1, _NEUMANN_TERMS + 1)
        alternating = make_tensor((-1.0) ** k / k, dtype=x.dtype, backend=x.backend)
        logarithm = log(0.5 * near_x) + _EULER_GAMMA
        if order == 0:
            near = (2 / math.pi) * (logarithm * bessel[..., 0]
                                    - 2.0 * (bessel[..., 2::2] * alternating).sum(-1))
        else:
            differences = bessel[..., 1:-1:2] - bessel[..., 3::2]
            near = (2 / math.pi) * (logarithm * bessel[..., 1] - bessel[..., 0] / near_x
                                    + (differences * alternating).sum(-1))
        far = _hankel_expansion(order, maximum(x, _HANKEL_SPLIT))[1]
        result = where(x == 0, -math.inf, where(x <= _HANKEL_SPLIT, near, far))
        return where(x < 0, math.nan, result)
    return values


_TRAPEZOID_STEP = 0.2        # in s = t sqrt(x): exp(-s^2/2)-like, error ~ exp(-pi^2 / 0.2)
_TRAPEZOID_END = 10.0        # beyond it the integrand is below exp(-40)
_SMALL_ARGUMENT = 1.0        # K's power series below, the integral above
_K_SERIES_TERMS = 20


def _scaled_k_integral(order, x):
    """exp(x) K_order(x) = int_0^inf exp(-x (cosh t - 1)) cosh(order t) dt for x >= 1,
    by the trapezoid rule in s = t sqrt(x) (so the integrand has the same width for every
    x): it decays doubly exponentially and is analytic in a strip, so the rule converges
    geometrically in 1 / step."""
    steps = np.arange(0.0, _TRAPEZOID_END + _TRAPEZOID_STEP / 2, _TRAPEZOID_STEP)
    weights = np.full(steps.shape, _TRAPEZOID_STEP)
    weights[0] /= 2
    root = sqrt(x).unsqueeze(-1)
    t = make_tensor(steps, dtype=x.dtype, backend=x.backend) / root
    half_sinh = functions.sinh(0.5 * t)     # cosh t - 1 = 2 sinh(t/2)^2, without cancellation
    integrand = exp(-2.0 * x.unsqueeze(-1) * half_sinh * half_sinh)
    if order:
        integrand = integrand * functions.cosh(order * t)
    return (integrand * make_tensor(weights, dtype=x.dtype, backend=x.backend)).sum(-1) \
        / root.squeeze(-1)


def _k_series(order, x):
    """K_order(x) for 0 < x < 1 from the power series (DLMF 10.31.1), with q = x^2/4:
    K_0 = -(log(x/2) + gamma) I_0 + sum H_k q^k / k!^2,
    K_1 = 1/x + log(x/2) I_1 - x/4 sum (psi(k+1) + psi(k+2)) q^k / (k! (k+1)!)."""
    quarter_square = 0.25 * x * x
    logarithm = log(0.5 * x)
    series, power = 0.0, 1.0
    harmonic = 0.0
    for k in range(_K_SERIES_TERMS):
        if order == 0:
            series = series + harmonic * power / math.factorial(k) ** 2
        else:
            psi_sum = 2 * harmonic + 1.0 / (k + 1) - 2 * _EULER_GAMMA
            series = series + psi_sum * power / (math.factorial(k) * math.factorial(k + 1))
        power = power * quarter_square
        harmonic += 1.0 / (k + 1)
    if order == 0:
        return -(logarithm + _EULER_GAMMA) * _bessel_values(0, False)(x) + series
    return 1.0 / x + logarithm * _bessel_values(1, False)(x) - 0.25 * x * series


def _modified_k_values(order, scaled):
    """K_order(x) (times exp(x) when scaled): the power series below x = 1, the integral
    above; inf at 0, nan below, 0 at inf (scaled too, as torch)."""
    def values(x):
        small = clamp(x, 1e-300, _SMALL_ARGUMENT)
        large = maximum(x, _SMALL_ARGUMENT)
        near = _k_series(order, small)
        far = _scaled_k_integral(order, large)
        if scaled:
            near = near * exp(small)
        else:
            far = far * exp(-large)
        result = where(x < _SMALL_ARGUMENT, near, where(isinf(x), 0.0, far))
        result = where(x == 0, math.inf, result)
        return where(x < 0, math.nan, result)
    return values


def _spherical_j0_values(x):
    """sin(x) / x, by its Taylor series 1 - x^2/6 + x^4/120 - ... below |x| = 0.5
    (no division near 0); 0 at +-inf."""
    square = x * x
    series, term = 1.0, 1.0
    for k in range(1, 10):
        term = term * -square / ((2 * k) * (2 * k + 1))
        series = series + term
    safe = where(absolute(x) < 0.5, 1.0, x)
    result = where(absolute(x) < 0.5, series, functions.sin(safe) / safe)
    return where(isinf(x), 0.0, result)


def _without_gradient(op_name, input, values):  # noqa: A002
    """values(input) in float64, cast back, as a tensor that never requires grad (torch
    defines no derivative for these functions)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op_name}: expected a Tensor, got {type(input).__name__}")
    with no_grad():
        dtype = input.dtype if input.dtype.is_floating_point else get_default_dtype()
        return cast(values(cast(input, float64)), dtype)


def bessel_j0(input):  # noqa: A002
    """The Bessel function of the first kind of order 0, elementwise (no gradient)."""
    return _without_gradient("bessel_j0", input, _bessel_first_kind_values(0))


def bessel_j1(input):  # noqa: A002
    """The Bessel function of the first kind of order 1, elementwise (no gradient)."""
    return _without_gradient("bessel_j1", input, _bessel_first_kind_values(1))


def bessel_y0(input):  # noqa: A002
    """The Bessel function of the second kind of order 0 (-inf at 0, nan for x < 0; no
    gradient)."""
    return _without_gradient("bessel_y0", input, _bessel_second_kind_values(0))


def bessel_y1(input):  # noqa: A002
    """The Bessel function of the second kind of order 1 (-inf at 0, nan for x < 0; no
    gradient)."""
    return _without_gradient("bessel_y1", input, _bessel_second_kind_values(1))


def modified_bessel_i0(input):  # noqa: A002
    """I_0 as i0, but without a gradient, as torch.special.modified_bessel_i0."""
    return _without_gradient("modified_bessel_i0", input, _bessel_values(0, False))


def modified_bessel_i1(input):  # noqa: A002
    """I_1 as i1, but without a gradient, as torch.special.modified_bessel_i1."""
    return _without_gradient("modified_bessel_i1", input, _bessel_values(1, False))


def modified_bessel_k0(input):  # noqa: A002
    """The modified Bessel function of the second kind of order 0 (inf at 0, nan for
    x < 0; no gradient)."""
    return _without_gradient("modified_bessel_k0", input, _modified_k_values(0, False))


def modified_bessel_k1(input):  # noqa: A002
    """The modified Bessel function of the second kind of order 1 (inf at 0, nan for
    x < 0; no gradient)."""
    return _without_gradient("modified_bessel_k1", input, _modified_k_values(1, False))


def scaled_modified_bessel_k0(input):  # noqa: A002
    """exp(x) K_0(x), without overflow or underflow for large x (no gradient)."""
    return _without_gradient("scaled_modified_bessel_k0", input, _modified_k_values(0, True))


def scaled_modified_bessel_k1(input):  # noqa: A002
    """exp(x) K_1(x), without overflow or underflow for large x (no gradient)."""
    return _without_gradient("scaled_modified_bessel_k1", input, _modified_k_values(1, True))


def spherical_bessel_j0(input):  # noqa: A002
    """The spherical Bessel function of the first kind of order 0, sin(x) / x (1 at 0;
    no gradient)."""
    return _without_gradient("spherical_bessel_j0", input, _spherical_j0_values)


# ---- the Airy function Ai ---------------------------------------------------------------

_AIRY_AT_ZERO = 0.355028053887817239260      # Ai(0) = 3^(-2/3) / Gamma(2/3)
_AIRY_SLOPE_AT_ZERO = -0.258819403792806798405   # Ai'(0) = -3^(-1/3) / Gamma(1/3)
_AIRY_DECAYING = 1.5      # from here up Ai is K_1/3's (no growing solution to lose it in)
_AIRY_OSCILLATING = -10.0  # from here down the asymptotic expansion (error ~ exp(-2 zeta))
_AIRY_STEPS = 24          # Taylor steps from 0 to x, each at most 10/24 long
_AIRY_TAYLOR_TERMS = 30
_AIRY_ASYMPTOTIC_TERMS = 30


def _airy_taylor(x):
    """Ai(x) for -10 <= x <= 1.5 by integrating Ai'' = x Ai from Ai(0), Ai'(0) in 24
    equal steps, each a 30-term Taylor series whose coefficients follow from the
    equation: a_{k+2} = (x0 a_k + a_{k-1}) / ((k + 1)(k + 2)) about the point x0."""
    step = x / _AIRY_STEPS
    value, slope = full_like(x, _AIRY_AT_ZERO), full_like(x, _AIRY_SLOPE_AT_ZERO)
    for index in range(_AIRY_STEPS):
        point = step * index
        coefficients = [value, slope]
        for k in range(_AIRY_TAYLOR_TERMS - 2):
            lower = coefficients[k - 1] if k else 0.0
            coefficients.append((point * coefficients[k] + lower) / ((k + 1) * (k + 2)))
        value = _polynomial(coefficients[::-1], step)
        slope = _polynomial([k * c for k, c in enumerate(coefficients)][:0:-1], step)
    return value


def _airy_oscillating(x):
    """Ai(x) for x <= -10 (z = -x, zeta = 2/3 z^(3/2)), DLMF 9.7.9:
    (cos(zeta - pi/4) sum (-1)^k u_2k zeta^-2k + sin(zeta - pi/4) sum (-1)^k u_2k+1
    zeta^-(2k+1)) / (sqrt(pi) z^(1/4)), u_k = (2k+1)(2k+3)...(6k-1) / (216^k k!)."""
    z = -x
    zeta = (2.0 / 3.0) * z * sqrt(z)
    u = [1.0]
    for k in range(1, _AIRY_ASYMPTOTIC_TERMS):
        u.append(u[-1] * math.prod(range(2 * k + 1, 6 * k, 2))
                 / math.prod(range(2 * k - 1, 6 * k - 6, 2)) / (216.0 * k))
    even, odd = _alternating_halves(u, 1.0 / zeta)
    phase = zeta - math.pi / 4
    return (functions.cos(phase) * even + functions.sin(phase) * odd) / (
        _SQRT_PI * sqrt(sqrt(z)))


def _airy_values(x):
    """Ai(x): the asymptotic expansion below -10, Taylor steps up to 1.5, then
    Ai(x) = sqrt(x / 3) K_1/3(zeta) / pi with zeta = 2/3 x^(3/2) (the K integral); nan
    at +-inf, as torch."""
    oscillating = minimum(x, _AIRY_OSCILLATING)
    middle = clamp(x, _AIRY_OSCILLATING, _AIRY_DECAYING)
    decaying = maximum(x, _AIRY_DECAYING)
    zeta = (2.0 / 3.0) * decaying * sqrt(decaying)
    tail = sqrt(decaying / 3.0) / math.pi * _scaled_k_integral(1.0 / 3.0, zeta) * exp(-zeta)
    result = where(x < _AIRY_OSCILLATING, _airy_oscillating(oscillating),
                   where(x <= _AIRY_DECAYING, _airy_taylor(middle), tail))
    return where(isinf(x), math.nan, result)


def airy_ai(input):  # noqa: A002
    """The Airy function Ai(x), the solution of y'' = x y decaying as x -> inf (no
    gradient)."""
    return _without_gradient("airy_ai", input, _airy_values)


# ---- orthogonal polynomials ------------------------------------------------------------
# Each is its three-term recurrence run up to the largest degree asked for, as torch (its
# degree n, a tensor or a number, is truncated toward zero; a negative n gives 0). As in
# torch, these have no gradient.

def _polynomial_by_recurrence(op_name, input, n, first, step):  # noqa: A002
    """p_n(x) elementwise with broadcasting, p_0 = 1, p_1 = first(x),
    p_{k+1} = step(k, x, p_k, p_{k-1}); 0 where n < 0."""
    with no_grad():
        x, n = _operands(input, n, op_name, functions._floating)
        shape = layout.broadcast_shapes(x.shape, n.shape, op_name)
        x, degree = x.expand(shape), functions.trunc(n).expand(shape)
        finite = degree.numpy()[np.isfinite(degree.numpy())]
        highest = int(finite.max()) if finite.size else 0
        previous, current = full_like(x, 1.0), first(x)
        result = where(degree == 0, previous, current)
        for k in range(1, highest):
            previous, current = current, step(k, x, current, previous)
            result = where(degree == k + 1, current, result)
        return where(degree < 0, 0.0, result)


def _chebyshev_step(k, x, current, previous):
    return 2.0 * x * current - previous


def _shifted(step):
    """The recurrence of the polynomial shifted from [-1, 1] to [0, 1]: x -> 2x - 1."""
    return lambda k, x, current, previous: step(k, 2.0 * x - 1.0, current, previous)


def chebyshev_polynomial_t(input, n):  # noqa: A002
    """The Chebyshev polynomial of the first kind T_n(x) (no gradient)."""
    return _polynomial_by_recurrence("chebyshev_polynomial_t", input, n, lambda x: x,
                                     _chebyshev_step)


def chebyshev_polynomial_u(input, n):  # noqa: A002
    """The Chebyshev polynomial of the second kind U_n(x) (no gradient)."""
    return _polynomial_by_recurrence("chebyshev_polynomial_u", input, n, lambda x: 2.0 * x,
                                     _chebyshev_step)


def chebyshev_polynomial_v(input, n):  # noqa: A002
    """The Chebyshev polynomial of the third kind V_n(x) (no gradient)."""
    return _polynomial_by_recurrence("chebyshev_polynomial_v", input, n,
                                     lambda x: 2.0 * x - 1.0, _chebyshev_step)


def chebyshev_polynomial_w(input, n):  # noqa: A002
    """The Chebyshev polynomial of the fourth kind W_n(x) (no gradient)."""
    return _polynomial_by_recurrence("chebyshev_polynomial_w", input, n,
                                     lambda x: 2.0 * x + 1.0, _chebyshev_step)


def shifted_chebyshev_polynomial_t(input, n):  # noqa: A002
    """T_n(2x - 1), the first-kind Chebyshev polynomial on [0, 1] (no gradient)."""
    return _polynomial_by_recurrence("shifted_chebyshev_polynomial_t", input, n,
                                     lambda x: 2.0 * x - 1.0, _shifted(_chebyshev_step))


def shifted_chebyshev_polynomial_u(input, n):  # noqa: A002
    """U_n(2x - 1), the second-kind Chebyshev polynomial on [0, 1] (no gradient)."""
    return _polynomial_by_recurrence("shifted_chebyshev_polynomial_u", input, n,
                                     lambda x: 4.0 * x - 2.0, _shifted(_chebyshev_step))


def shifted_chebyshev_polynomial_v(input, n):  # noqa: A002
    """V_n(2x - 1), the third-kind Chebyshev polynomial on [0, 1] (no gradient)."""
    return _polynomial_by_recurrence("shifted_chebyshev_polynomial_v", input, n,
                                     lambda x: 4.0 * x - 3.0, _shifted(_chebyshev_step))


def shifted_chebyshev_polynomial_w(input, n):  # noqa: A002
    """W_n(2x - 1), the fourth-kind Chebyshev polynomial on [0, 1] (no gradient)."""
    return _polynomial_by_recurrence("shifted_chebyshev_polynomial_w", input, n,
                                     lambda x: 4.0 * x - 1.0, _shifted(_chebyshev_step))


def hermite_polynomial_h(input, n):  # noqa: A002
    """The physicists' Hermite polynomial H_n(x): H_{k+1} = 2x H_k - 2k H_{k-1} (no
    gradient)."""
    return _polynomial_by_recurrence(
        "hermite_polynomial_h", input, n, lambda x: 2.0 * x,
        lambda k, x, current, previous: 2.0 * x * current - 2.0 * k * previous)


def hermite_polynomial_he(input, n):  # noqa: A002
    """The probabilists' Hermite polynomial He_n(x): He_{k+1} = x He_k - k He_{k-1} (no
    gradient)."""
    return _polynomial_by_recurrence(
        "hermite_polynomial_he", input, n, lambda x: x,
        lambda k, x, current, previous: x * current - k * previous)


def laguerre_polynomial_l(input, n):  # noqa: A002
    """The Laguerre polynomial L_n(x): (k + 1) L_{k+1} = (2k + 1 - x) L_k - k L_{k-1} (no
    gradient)."""
    return _polynomial_by_recurrence(
        "laguerre_polynomial_l", input, n, lambda x: 1.0 - x,
        lambda k, x, current, previous: ((2 * k + 1 - x) * current - k * previous) / (k + 1))


def legendre_polynomial_p(input, n):  # noqa: A002
    """The Legendre polynomial P_n(x): (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1} (no
    gradient)."""
    return _polynomial_by_recurrence(
        "legendre_polynomial_p", input, n, lambda x: x,
        lambda k, x, current, previous: ((2 * k + 1) * x * current - k * previous) / (k + 1))


# ---- minitorch.lgamma, ... and the Tensor methods ---------------------------------------

def _polygamma_method(self, n):
    return polygamma(n, self)


TOP_LEVEL = {"lgamma": lgamma, "digamma": digamma, "polygamma": polygamma, "erfc": erfc,
             "erfinv": erfinv, "i0": i0, "mvlgamma": multigammaln, "igamma": gammainc,
             "igammac": gammaincc}
_METHODS = {"lgamma": lgamma, "digamma": digamma, "polygamma": _polygamma_method,
            "erfc": erfc, "erfinv": erfinv, "i0": i0, "mvlgamma": multigammaln,
            "igamma": gammainc, "igammac": gammaincc}
for _name, _function in _METHODS.items():
    setattr(Tensor, _name, _function)
    setattr(Tensor, _name + "_", _inplace(_function, _name + "_"))
