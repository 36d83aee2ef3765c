"""minitorch.special against torch.special: values over wide ranges (poles, tails, large
and negative arguments) in float64 and float32, gradients, Tensor methods and in-place
forms, and refused inputs."""
import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
import minitorch.special as special

RNG = np.random.default_rng(0)


def _sample(low, high, count=240):
    return np.sort(RNG.uniform(low, high, count))


def _off_integers(values):
    return values[np.abs(values - np.round(values)) > 1e-3]


_WIDE = np.concatenate([_sample(-30, 30), _sample(0, 4), 10.0 ** _sample(-300, 300, 40),
                        -10.0 ** _sample(-3, 12, 40) - 0.5])
_PROBABILITY = np.concatenate([_sample(0, 1), 10.0 ** _sample(-300, -1, 40),
                               1 - 10.0 ** _sample(-16, -1, 40)])
_INVERSE_ERF = np.concatenate([_sample(-1, 1), 1 - 10.0 ** _sample(-16, -1, 40),
                               -1 + 10.0 ** _sample(-16, -1, 40), 10.0 ** _sample(-300, -1, 20)])

# name, ours, torch's, float64 arguments, float64 tolerance (relative, absolute)
CASES = [
    ("lgamma", special.gammaln, torch.special.gammaln, _WIDE, (1e-13, 1e-13)),
    ("digamma", special.digamma, torch.special.digamma, _off_integers(_WIDE), (1e-12, 1e-12)),
    # torch's trigamma is good to about 5e-10 only (scipy agrees with ours to 1e-15)
    ("trigamma", lambda x: special.polygamma(1, x), lambda x: torch.special.polygamma(1, x),
     _off_integers(_sample(-30, 40)), (1e-9, 0)),
    ("polygamma3", lambda x: special.polygamma(3, x), lambda x: torch.special.polygamma(3, x),
     _off_integers(_sample(-30, 40)), (1e-12, 0)),
    ("erfc", special.erfc, torch.special.erfc, _sample(-30, 30), (1e-14, 0)),
    ("erfcx", special.erfcx, torch.special.erfcx,
     np.concatenate([_sample(-25, 30), 10.0 ** _sample(1, 300, 40)]), (1e-14, 0)),
    ("erfinv", special.erfinv, torch.special.erfinv, _INVERSE_ERF, (1e-14, 0)),
    ("ndtri", special.ndtri, torch.special.ndtri, _PROBABILITY, (1e-14, 0)),
    # torch's ndtr goes through erf: absolute accuracy only in the lower tail (0 below -8)
    ("ndtr", special.ndtr, torch.special.ndtr, _sample(-8, 8), (1e-14, 1e-16)),
    ("log_ndtr", special.log_ndtr, torch.special.log_ndtr,
     np.concatenate([_sample(-40, 10), -10.0 ** _sample(1, 100, 20)]), (1e-14, 0)),
    ("i0", special.i0, torch.special.i0, _sample(-700, 700), (1e-14, 0)),
    ("i0e", special.i0e, torch.special.i0e, _sample(-60, 60), (1e-14, 0)),
    ("i1", special.i1, torch.special.i1, _sample(-700, 700), (1e-14, 0)),
    ("i1e", special.i1e, torch.special.i1e, _sample(-60, 60), (1e-14, 0)),
    ("entr", special.entr, torch.special.entr, _sample(-1, 5), (1e-14, 0)),
    ("multigammaln", lambda x: special.multigammaln(x, 3),
     lambda x: torch.special.multigammaln(x, 3), _sample(1.01, 50), (1e-13, 1e-13)),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("name, ours, theirs, values, tolerance", CASES, ids=IDS)
def test_float64_values_match_torch(backend, name, ours, theirs, values, tolerance):
    rtol, atol = tolerance
    result = ours(minitorch.tensor(values))
    assert result.dtype is minitorch.float64
    np.testing.assert_allclose(result.numpy(), theirs(torch.tensor(values)).numpy(),
                               rtol=rtol, atol=atol)


@pytest.mark.parametrize("name, ours, theirs, values, tolerance", CASES, ids=IDS)
def test_float32_values_and_transposed_views(backend, name, ours, theirs, values, tolerance):
    values = values[np.abs(values) < 1e38]
    values = values[:len(values) // 2 * 2].astype("float32").reshape(2, -1)
    view = minitorch.tensor(values).T   # not contiguous
    result = ours(view)
    # float32 arguments are computed in float64 and rounded once, so the reference is
    # torch's float64 value rounded to float32 (torch's float32 kernels lose digits near
    # the poles of lgamma and polygamma)
    expected = theirs(torch.tensor(values, dtype=torch.float64).T).float()
    assert result.dtype is minitorch.float32 and result.shape == tuple(expected.shape)
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=2e-7,
                               atol=max(tolerance[1], 1e-37))
    if name in ("erfc", "erfcx", "erfinv", "ndtri", "i0e", "i1e", "entr"):  # also torch's float32
        assert_close(result, theirs(torch.tensor(values).T), "float32")


def test_non_finite_values_and_poles_match_torch(backend):
    edges = [0.0, -0.0, -1.0, -2.0, -50.0, np.inf, -np.inf, np.nan, 1e-310, 1.0, 2.0]
    for ours, theirs in [(special.lgamma, torch.lgamma), (special.digamma, torch.digamma),
                         (special.erfc, torch.erfc), (special.erfcx, torch.special.erfcx),
                         (special.i0, torch.i0), (special.i0e, torch.special.i0e),
                         (special.i1, torch.special.i1), (special.i1e, torch.special.i1e),
                         (special.entr, torch.special.entr),
                         (special.log_ndtr, torch.special.log_ndtr)]:
        result = ours(minitorch.tensor(edges, dtype=minitorch.float64)).numpy()
        expected = theirs(torch.tensor(edges, dtype=torch.float64)).numpy()
        np.testing.assert_allclose(result, expected, rtol=1e-14, atol=0)
        assert (np.signbit(result) == np.signbit(expected))[np.isinf(expected)].all()
    arguments = [-1.0, 1.0, -1.5, 1.5, 0.0, -0.0, np.nan, 2.0, -0.5, 0.5]
    for ours, theirs in [(special.erfinv, torch.erfinv), (special.ndtri, torch.special.ndtri)]:
        result = ours(minitorch.tensor(arguments, dtype=minitorch.float64)).numpy()
        expected = theirs(torch.tensor(arguments, dtype=torch.float64)).numpy()
        np.testing.assert_allclose(result, expected, rtol=1e-15, atol=0)
        assert (np.signbit(result) == np.signbit(expected)).all()


def test_zeta_values_poles_and_broadcasting(backend):
    s = np.array([[1.0], [0.5], [2.0], [3.0], [4.5]])
    q = np.array([1.0, 0.0, -1.0, -1.5, 0.25, 30.0, 1e5])
    result = special.zeta(minitorch.tensor(s), minitorch.tensor(q))
    expected = torch.special.zeta(torch.tensor(s), torch.tensor(q))
    np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-13)
    number_first = special.zeta(2, minitorch.tensor([0.5, 3.0]))
    np.testing.assert_allclose(number_first.numpy(),
                               torch.special.zeta(2, torch.tensor([0.5, 3.0])).numpy(),
                               rtol=1e-6)


def _namespace(x):
    """minitorch.special for a minitorch tensor, torch.special for a torch one."""
    return special if isinstance(x, minitorch.Tensor) else torch.special


def _unary_gradient_cases():
    return [("lgamma", lambda x: x.lgamma(), _off_integers(_sample(-8, 20, 30))),
            ("digamma", lambda x: x.digamma(), _off_integers(_sample(-8, 20, 30))),
            ("polygamma2", lambda x: x.polygamma(2), _off_integers(_sample(-8, 20, 30))),
            ("erfc", lambda x: _namespace(x).erfc(x), _sample(-6, 6, 30)),
            ("erfcx", lambda x: _namespace(x).erfcx(x), _sample(-6, 40, 30)),
            ("erfinv", lambda x: x.erfinv(), _sample(-0.999, 0.999, 30)),
            ("ndtri", lambda x: _namespace(x).ndtri(x), _sample(1e-6, 1 - 1e-6, 30)),
            ("ndtr", lambda x: _namespace(x).ndtr(x), _sample(-6, 6, 30)),
            ("log_ndtr", lambda x: _namespace(x).log_ndtr(x), _sample(-30, 8, 30)),
            ("i0", lambda x: x.i0(), _sample(-40, 40, 30)),
            ("i0e", lambda x: _namespace(x).i0e(x), np.r_[_sample(-40, 40, 29), 0.0]),
            ("i1", lambda x: _namespace(x).i1(x), np.r_[_sample(-40, 40, 29), 0.0]),
            ("i1e", lambda x: _namespace(x).i1e(x), np.r_[_sample(-40, 40, 29), 0.0]),
            ("entr", lambda x: _namespace(x).entr(x), _sample(0.01, 4, 30)),
            ("mvlgamma", lambda x: x.mvlgamma(2), _sample(0.6, 20, 30))]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, function, values", _unary_gradient_cases(),
                         ids=[case[0] for case in _unary_gradient_cases()])
def test_gradients_match_torch(backend, dtype, name, function, values):
    values = values[:len(values) // 5 * 5].astype(dtype).reshape(5, -1)
    ours = minitorch.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    if name == "digamma" and dtype == "float64":   # its gradient is torch's trigamma,
        expected = torch.polygamma(1, theirs.detach())  # good to about 5e-10 only
        function(ours.T).sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), expected.numpy(), rtol=1e-9)
        return
    # through a transposed view, so the node sees a non-contiguous input
    check_backward([(function(ours.T), function(theirs.T))], [ours], [theirs], dtype)


def test_second_derivatives_match_torch(backend):
    values = _off_integers(_sample(-5, 10, 20))
    for name in ("lgamma", "digamma", "erfinv", "i0"):
        arguments = np.clip(values, -0.99, 0.99) if name == "erfinv" else values
        ours = minitorch.tensor(arguments, requires_grad=True)
        theirs = torch.tensor(arguments, requires_grad=True)
        (first,) = minitorch.autograd.grad(getattr(ours, name)().sum(), ours, create_graph=True)
        (expected,) = torch.autograd.grad(getattr(theirs, name)().sum(), theirs,
                                          create_graph=True)
        first.sum().backward()
        expected.sum().backward()
        # lgamma'' is torch's trigamma, good to about 5e-10 only
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9)


def test_two_argument_gradients_match_torch(backend):
    x, y = normal((4, 3), "float64", 1), np.abs(normal((3,), "float64", 2)) + 0.5
    ours = [minitorch.tensor(x, requires_grad=True), minitorch.tensor(y, requires_grad=True)]
    theirs = [torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)]
    s = minitorch.tensor([[2.0], [3.5], [2.5], [4.0]])
    check_backward([(special.xlog1py(ours[0], ours[1]), torch.special.xlog1py(*theirs)),
                    (special.zeta(s, ours[1]),
                     torch.special.zeta(torch.tensor(s.numpy()), theirs[1]))],
                   ours, theirs, "float64")


def test_shared_functions_are_torchs(backend):
    x = normal((3, 4), "float64")
    probabilities = 1 / (1 + np.exp(-x))
    pairs = [(special.expit(minitorch.tensor(x)), torch.special.expit(torch.tensor(x))),
             (special.exp2(minitorch.tensor(x)), torch.special.exp2(torch.tensor(x))),
             (special.expm1(minitorch.tensor(x)), torch.special.expm1(torch.tensor(x))),
             (special.log1p(minitorch.tensor(probabilities)),
              torch.special.log1p(torch.tensor(probabilities))),
             (special.erf(minitorch.tensor(x)), torch.special.erf(torch.tensor(x))),
             (special.sinc(minitorch.tensor(x)), torch.special.sinc(torch.tensor(x))),
             (special.logit(minitorch.tensor(probabilities), eps=0.3),
              torch.special.logit(torch.tensor(probabilities), eps=0.3)),
             (special.xlogy(minitorch.tensor(x), minitorch.tensor(probabilities)),
              torch.special.xlogy(torch.tensor(x), torch.tensor(probabilities))),
             (special.softmax(minitorch.tensor(x), 0), torch.special.softmax(torch.tensor(x), 0)),
             (special.log_softmax(minitorch.tensor(x), 1),
              torch.special.log_softmax(torch.tensor(x), 1)),
             (special.logsumexp(minitorch.tensor(x), 1), torch.special.logsumexp(torch.tensor(x), 1)),
             (special.round(minitorch.tensor(x), decimals=1),
              torch.special.round(torch.tensor(x), decimals=1)),
             (special.psi(minitorch.tensor(probabilities)),
              torch.special.psi(torch.tensor(probabilities))),
             (special.polygamma(0, minitorch.tensor(probabilities)),
              torch.special.polygamma(0, torch.tensor(probabilities)))]
    for ours, theirs in pairs:
        assert_close(ours, theirs, "float64")


def test_integers_promote_to_the_default_float(backend):
    values = [-3, 0, 1, 4]
    for name in ("lgamma", "digamma", "erfc", "i0", "erfinv"):
        result = getattr(special, name)(minitorch.tensor(values))
        expected = getattr(torch.special, "gammaln" if name == "lgamma" else name)(
            torch.tensor(values))
        assert result.dtype is minitorch.float32
        np.testing.assert_allclose(result.numpy(), expected.numpy(), rtol=1e-6)
    assert special.ndtr(minitorch.tensor([True, False])).dtype is minitorch.float32
    assert special.xlog1py(minitorch.tensor([1, 0]), 3).dtype is minitorch.float32


def test_methods_in_place_forms_and_top_level_names(backend):
    values = np.array([0.5, 2.5, 7.0])
    assert set(special.TOP_LEVEL) == {"lgamma", "digamma", "polygamma", "erfc", "erfinv",
                                      "i0", "mvlgamma", "igamma", "igammac"}
    for name in ("lgamma", "digamma", "erfc", "i0"):
        target = minitorch.tensor(values)
        returned = getattr(target, name + "_")()
        assert returned is target
        np.testing.assert_allclose(target.numpy(),
                                   getattr(torch.tensor(values), name)().numpy(), rtol=1e-13)
    target = minitorch.tensor(values / 10)
    target.erfinv_()
    np.testing.assert_allclose(target.numpy(), torch.erfinv(torch.tensor(values / 10)).numpy(),
                               rtol=1e-13)
    target = minitorch.tensor(values)
    target.polygamma_(2)
    np.testing.assert_allclose(target.numpy(), torch.tensor(values).polygamma(2).numpy(),
                               rtol=1e-13)
    target = minitorch.tensor(values + 1)
    target.mvlgamma_(2)
    np.testing.assert_allclose(target.numpy(), torch.tensor(values + 1).mvlgamma(2).numpy(),
                               rtol=1e-13)
    with pytest.raises(Exception, match="lgamma_"):
        minitorch.tensor([1, 2]).lgamma_()   # a float result cannot be stored in int64


def test_python_backend_small_case():
    with minitorch.use_backend("python"):
        x = minitorch.tensor([-2.5, 0.3, 4.0], requires_grad=True)
        special.lgamma(x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), torch.digamma(torch.tensor(
            [-2.5, 0.3, 4.0])).numpy(), rtol=1e-5)
        np.testing.assert_allclose(special.i1e(x).detach().numpy(), torch.special.i1e(
            torch.tensor([-2.5, 0.3, 4.0])).numpy(), rtol=1e-6)


def test_bad_inputs_are_refused():
    x = minitorch.tensor([1.0, 2.0])
    for n in (-1, 1.5, True):
        with pytest.raises(ValueError, match="polygamma: n must be a non-negative integer"):
            special.polygamma(n, x)
    with pytest.raises(TypeError, match="lgamma: expected a Tensor, got list"):
        special.lgamma([1.0])
    with pytest.raises(TypeError, match="log_ndtr: expected a Tensor, got float"):
        special.log_ndtr(1.0)
    with pytest.raises(ValueError, match=r"multigammaln: p must be an integer >= 1, got 0"):
        special.multigammaln(x, 0)
    with pytest.raises(ValueError, match="zeta"):
        special.zeta(minitorch.tensor([2.0, 3.0]), minitorch.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(NotImplementedError, match="zeta: q below"):
        special.zeta(2.0, minitorch.tensor([-1e6 - 0.5]))
    s = minitorch.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="zeta: the derivative with respect to input"):
        special.zeta(s, minitorch.tensor([1.0, 2.0])).sum().backward()
