"""minitorch.special's incomplete gamma and integer-order Bessel functions: values against
mpmath (torch's own are off by up to ~1e-9 relative for the incomplete gamma, ~1e-4 near
some Bessel zeros) and torch, torch's special values, gradients (only in x for the
incomplete gamma, none for the Bessel functions, as torch), methods and refused inputs."""
import functools
import math

import mpmath
import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, check_backward  # noqa: F401

import minitorch
import minitorch.special as special

RNG = np.random.default_rng(0)
_SPECIAL = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan]


def _log_uniform(low, high, count):
    return 10.0 ** RNG.uniform(low, high, count)


# (a, x) pairs: small and large shapes, x near a (where series and fraction meet), tails
_A = np.concatenate([_log_uniform(-3, 3, 120), RNG.uniform(0.5, 400, 60)])
_X = np.concatenate([_log_uniform(-3, 3.3, 120), _A[120:] * RNG.uniform(0.8, 1.2, 60)])


@functools.cache
def _mpmath_gammainc(upper):
    """mpmath's P (upper: Q) at every (_A, _X) pair, computed once for both backends."""
    with mpmath.workdps(30):
        return np.array([float(mpmath.gammainc(a, *((x, mpmath.inf) if upper else (0, x)),
                                               regularized=True)) for a, x in zip(_A, _X)])


@pytest.mark.parametrize("upper", [False, True], ids=["gammainc", "gammaincc"])
def test_incomplete_gamma_matches_mpmath_and_torch(backend, upper):
    ours = (special.gammaincc if upper else special.gammainc)(minitorch.tensor(_A),
                                                              minitorch.tensor(_X))
    theirs = (torch.special.gammaincc if upper else torch.special.gammainc)(
        torch.tensor(_A), torch.tensor(_X))
    exact = _mpmath_gammainc(upper)
    normal_range = exact > 1e-290
    np.testing.assert_allclose(ours.numpy()[normal_range], exact[normal_range], rtol=2e-12)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=5e-9, atol=1e-300)


def test_incomplete_gamma_special_values_broadcasting_and_float32(backend):
    a = torch.tensor(_SPECIAL + [2.0, -2.0, 0.5], dtype=torch.float64)
    x = torch.tensor(_SPECIAL + [3.0], dtype=torch.float64).unsqueeze(-1)   # (8, 1) x (10,)
    for ours, theirs in [(special.gammainc, torch.special.gammainc),
                         (special.gammaincc, torch.special.gammaincc)]:
        result = ours(minitorch.tensor(a.numpy()), minitorch.tensor(x.numpy()))
        np.testing.assert_allclose(result.numpy(), theirs(a, x).numpy(), rtol=1e-14)
        assert_close(ours(2.5, minitorch.tensor(x.numpy())), theirs(torch.tensor(2.5,
                     dtype=torch.float64), x), "float64")
        a32 = np.float32(_A[:40]).reshape(8, 5)
        x32 = np.float32(_X[:40]).reshape(5, 8)    # non-contiguous: a transposed view
        assert_close(ours(minitorch.tensor(a32), minitorch.tensor(x32).mT),
                     theirs(torch.tensor(a32), torch.tensor(x32).mT), "float32")


def test_incomplete_gamma_gradient_in_x_only(backend):
    a = RNG.uniform(0.5, 4, (4, 6))    # where torch's values are good to 1e-10
    x = RNG.uniform(0.1, 8, (6, 4))
    ours_x = minitorch.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    results = [(special.gammainc(minitorch.tensor(a), ours_x.mT),
                torch.special.gammainc(torch.tensor(a), theirs_x.mT)),
               (special.gammaincc(minitorch.tensor(a), ours_x.mT),
                torch.special.gammaincc(torch.tensor(a), theirs_x.mT))]
    check_backward(results, [ours_x], [theirs_x], "float64")
    ours_a = minitorch.tensor(a, requires_grad=True)
    for function, name in [(special.gammainc, "igamma"), (special.gammaincc, "igammac")]:
        with pytest.raises(NotImplementedError, match=f"{name}: the derivative with respect "
                                                      "to input"):
            function(ours_a, minitorch.tensor(x.T)).sum().backward()


def test_incomplete_gamma_top_level_and_methods(backend):
    a, x = _A[:6], _X[:6]
    expected = torch.igamma(torch.tensor(a), torch.tensor(x))
    assert_close(minitorch.igamma(minitorch.tensor(a), minitorch.tensor(x)), expected,
                 "float64")
    assert_close(minitorch.tensor(a).igammac(minitorch.tensor(x)),
                 torch.tensor(a).igammac(torch.tensor(x)), "float64")
    target = minitorch.tensor(a)
    assert target.igamma_(minitorch.tensor(x)) is target
    assert_close(target, expected, "float64")
    target = minitorch.tensor(a)
    target.igammac_(minitorch.tensor(x))
    assert_close(target, 1 - expected, "float64")


def test_incomplete_gamma_refuses_bad_input():
    with pytest.raises(ValueError, match="gammainc"):
        special.gammainc(minitorch.ones(3), minitorch.ones(2))
    with pytest.raises(TypeError):
        special.gammaincc("a", minitorch.ones(2))


# ---- Bessel functions -------------------------------------------------------------------

_BESSEL_X = np.concatenate([RNG.uniform(-40, 40, 150), _log_uniform(-8, 4, 60),
                            [24.999, 25.0, 25.001, 1.0, 0.999]])
def _wave_envelope(x):
    """The size of J_n and Y_n's oscillation (their zeros give no relative accuracy)."""
    return np.minimum(1.0, np.sqrt(2 / (np.pi * np.abs(x))))


def _airy_envelope(x):
    """Ai oscillates for x < 0 with amplitude |x|^(-1/4) / sqrt(pi); it decays above."""
    return np.where(x < 0, np.abs(x) ** -0.25 / np.sqrt(np.pi), 0.0)


@functools.cache
def _besselk(order, x):
    """mpmath's K (slow), shared by the plain and scaled cases."""
    return mpmath.besselk(order, x)


def _no_envelope(x):
    return np.zeros_like(x)


_BESSEL_CASES = [
    # name, mpmath's, whether it is defined below 0 (the others are nan there), envelope
    ("bessel_j0", lambda x: mpmath.besselj(0, x), True, _wave_envelope),
    ("bessel_j1", lambda x: mpmath.besselj(1, x), True, _wave_envelope),
    ("bessel_y0", lambda x: mpmath.bessely(0, x), False, _wave_envelope),
    ("bessel_y1", lambda x: mpmath.bessely(1, x), False, _wave_envelope),
    ("modified_bessel_i0", lambda x: mpmath.besseli(0, x), True, _no_envelope),
    ("modified_bessel_i1", lambda x: mpmath.besseli(1, x), True, _no_envelope),
    ("modified_bessel_k0", lambda x: _besselk(0, x), False, _no_envelope),
    ("modified_bessel_k1", lambda x: _besselk(1, x), False, _no_envelope),
    ("scaled_modified_bessel_k0", lambda x: mpmath.exp(x) * _besselk(0, x), False,
     _no_envelope),
    ("scaled_modified_bessel_k1", lambda x: mpmath.exp(x) * _besselk(1, x), False,
     _no_envelope),
    ("spherical_bessel_j0", lambda x: mpmath.sinc(x), True, lambda x: 1 / np.abs(x)),
    ("airy_ai", mpmath.airyai, True, _airy_envelope),
]


@functools.cache
def _bessel_reference(name):
    """(points, mpmath's values there) for one function, computed once for both backends."""
    _, exact, negative, _ = next(case for case in _BESSEL_CASES if case[0] == name)
    values = _BESSEL_X if negative else np.abs(_BESSEL_X)
    if "modified_bessel" in name:     # I overflows and K underflows beyond
        values = values[np.abs(values) < 700]
    if "modified_bessel_k" in name:   # half the points: mpmath's K is slow
        values = values[::2]
    if name == "airy_ai":   # beyond, zeta = 2/3 |x|^1.5 alone is rounded by more than 1e-13
        values = np.concatenate([values[np.abs(values) < 100],
                                 np.random.default_rng(1).uniform(-12, 3, 60)])
    with mpmath.workdps(40):
        return values, np.array([float(exact(mpmath.mpf(v))) for v in values])


@pytest.mark.parametrize("name, exact, negative, envelope", _BESSEL_CASES,
                         ids=[case[0] for case in _BESSEL_CASES])
def test_bessel_matches_mpmath_and_torch(backend, name, exact, negative, envelope):
    values, reference = _bessel_reference(name)
    ours = getattr(special, name)(minitorch.tensor(values)).numpy()
    # relative, or near a zero of an oscillating function relative to its amplitude
    scale = np.maximum(np.abs(reference), envelope(values))
    assert np.all(np.abs(ours - reference) <= 2e-13 * scale)
    theirs = getattr(torch.special, name)(torch.tensor(values)).numpy()
    assert np.all(np.abs(ours - theirs) <= 1e-5 * scale)   # torch's own error (~5e-6)


@pytest.mark.parametrize("name", [case[0] for case in _BESSEL_CASES])
def test_bessel_special_values_dtypes_and_no_gradient(backend, name):
    ours, theirs = getattr(special, name), getattr(torch.special, name)
    edges = np.array(_SPECIAL + [-2.5, 1e-300, -1e-300])     # nan and inf where torch's
    np.testing.assert_allclose(ours(minitorch.tensor(edges)).numpy(),
                               theirs(torch.tensor(edges)).numpy(), rtol=1e-5, atol=0)
    grid = np.float32(RNG.uniform(0.1, 30, (5, 3)))       # float32, a transposed view
    result = ours(minitorch.tensor(grid).mT)
    assert result.dtype is minitorch.float32
    np.testing.assert_allclose(result.numpy(), theirs(torch.tensor(grid).mT).numpy(),
                               rtol=1e-5, atol=1e-6)
    integers = ours(minitorch.tensor([1, 2, 3]))
    assert integers.dtype is minitorch.float32
    leaf = minitorch.tensor([0.5, 2.0], dtype=minitorch.float64, requires_grad=True)
    assert not ours(leaf).requires_grad and ours(leaf).grad_fn is None
    with pytest.raises(TypeError, match=name):
        ours([1.0, 2.0])


# ---- orthogonal polynomials -------------------------------------------------------------

_POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
                "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
                "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
                "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
                "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("name", _POLYNOMIALS)
def test_polynomials_match_torch(backend, name):
    ours, theirs = getattr(special, name), getattr(torch.special, name)
    x = np.concatenate([RNG.uniform(-1.5, 1.5, 40), [-1.0, 1.0, 0.0, 0.5] + _SPECIAL])
    n = np.array([-2.0, -0.5, 0.0, 1.0, 2.0, 3.0, 4.7, 7.0, 9.0, 12.0, 30.0, 60.0])
    result = ours(minitorch.tensor(x[:, None]), minitorch.tensor(n))    # broadcast
    expected = theirs(torch.tensor(x[:, None]), torch.tensor(n))
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-11, atol=1e-11)
    # numbers for either argument, float32, an integer degree tensor, a transposed view
    assert_close(ours(minitorch.tensor(x), 5), theirs(torch.tensor(x), 5), "float64")
    assert_close(ours(0.25, minitorch.tensor(n)), theirs(0.25, torch.tensor(n)), "float64")
    grid = np.float32(RNG.uniform(-1, 1, (3, 4)))
    degrees = np.arange(4)
    assert_close(ours(minitorch.tensor(grid).mT, minitorch.tensor(degrees)[:, None]),
                 theirs(torch.tensor(grid).mT, torch.tensor(degrees)[:, None]), "float32")
    leaf = minitorch.tensor([0.5], requires_grad=True)
    assert not ours(leaf, 3).requires_grad
    with pytest.raises(ValueError, match=name):
        ours(minitorch.ones(3), minitorch.ones(2))
