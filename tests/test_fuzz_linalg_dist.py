"""Differences from torch found by fuzzing linalg, special and distributions: norms and
condition numbers of empty matrices, per-matrix tolerances of matrix_rank/pinv, lstsq's
vector right-hand sides, linalg.diagonal's defaults, zeta at q = inf, Gamma's cdf, the
support checked by a transformed distribution's cdf, and the KL pairs of two families."""
import math

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, normal  # noqa: F401

import minitorch
from minitorch import distributions, linalg, special


def _pair(array):
    return minitorch.tensor(array), torch.tensor(array)


# ---- linalg -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3)])
@pytest.mark.parametrize("order", ["fro", "nuc", 1, 2, math.inf])
def test_positive_order_matrix_norms_of_empty_matrices_are_zero(backend, shape, order):
    a, ta = _pair(np.zeros(shape, "float64"))
    for keepdim in (False, True):
        expected = torch.linalg.matrix_norm(ta, order, keepdim=keepdim)
        assert_close(linalg.matrix_norm(a, order, keepdim=keepdim), expected, "float64")
        assert_close(linalg.norm(a, order, dim=(-2, -1), keepdim=keepdim), expected,
                     "float64")


def test_negative_two_norm_of_an_empty_matrix_is_refused():
    with pytest.raises(ValueError, match="amin"):
        linalg.matrix_norm(minitorch.zeros(0, 3), -2)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 3), (3, 0), (0, 2, 2)])
@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, math.inf])
def test_condition_number_of_empty_matrices_is_zero(backend, shape, p):
    a, ta = _pair(np.zeros(shape, "float32"))
    assert_close(linalg.cond(a, p), torch.linalg.cond(ta, p), "float32")


def test_condition_number_checks_p_and_squareness_of_empty_matrices():
    with pytest.raises(ValueError, match="linalg.cond: p must be"):
        linalg.cond(minitorch.zeros(0, 0), "bad")
    with pytest.raises(ValueError, match="linalg.cond: expected a .* square"):
        linalg.cond(minitorch.zeros(0, 3), "fro")


@pytest.mark.parametrize("tolerances", [{"atol": [0.0, 1.0, 10.0]},
                                        {"rtol": [0.0, 0.1, 0.9]},
                                        {"atol": [0.0, 1e-3, 0.0], "rtol": [0.0, 0.1, 0.9]}])
def test_matrix_rank_and_pinv_take_one_tolerance_per_matrix(backend, tolerances):
    a, ta = _pair(normal((3, 4, 5), "float64", seed=1))
    ours = {name: minitorch.tensor(np.array(v)) for name, v in tolerances.items()}
    theirs = {name: torch.tensor(np.array(v)) for name, v in tolerances.items()}
    assert linalg.matrix_rank(a, **ours).tolist() == \
        torch.linalg.matrix_rank(ta, **theirs).tolist()
    assert_close(linalg.pinv(a, **ours), torch.linalg.pinv(ta, **theirs), "float64")


@pytest.mark.parametrize("shapes", [((4, 3), (4,)), ((2, 4, 3), (2, 4)), ((3, 3), (3,))])
@pytest.mark.parametrize("driver", [None, "gelsd"])
def test_lstsq_solves_for_vectors_when_b_has_one_dim_fewer(backend, shapes, driver):
    a, ta = _pair(normal(shapes[0], "float64", seed=2))
    b, tb = _pair(normal(shapes[1], "float64", seed=3))
    ours, theirs = linalg.lstsq(a, b, driver=driver), torch.linalg.lstsq(ta, tb, driver=driver)
    assert_close(ours.solution, theirs.solution, "float64")
    assert_close(ours.residuals, theirs.residuals, "float64")


@pytest.mark.parametrize("shapes", [((4, 3), (2, 4, 1)), ((2, 4, 3), (4, 1))])
def test_lstsq_refuses_b_with_more_dims_or_mismatched_vectors(shapes):
    a, b = minitorch.ones(*shapes[0]), minitorch.ones(*shapes[1])
    with pytest.raises((ValueError, RuntimeError), match="lstsq"):
        linalg.lstsq(a, b)


def test_linalg_diagonal_takes_the_last_two_dims_by_default(backend):
    a, ta = _pair(normal((2, 3, 4), "float32"))
    assert_close(linalg.diagonal(a), torch.linalg.diagonal(ta), "float32")
    assert_close(linalg.diagonal(a, offset=1), torch.linalg.diagonal(ta, offset=1), "float32")
    assert_close(linalg.diagonal(a, offset=-1, dim1=0, dim2=2),
                 torch.linalg.diagonal(ta, offset=-1, dim1=0, dim2=2), "float32")


# ---- special ------------------------------------------------------------------------------

def test_zeta_at_infinite_q_and_at_poles_with_nan_s(backend):
    s = np.array([[2.0], [3.5], [1.0], [0.5], [math.nan]])
    q = np.array([math.inf, -math.inf, 0.0, -1.0, 2.5])
    for dtype in ("float32", "float64"):
        ours = special.zeta(minitorch.tensor(s.astype(dtype)), minitorch.tensor(q.astype(dtype)))
        theirs = torch.special.zeta(torch.tensor(s.astype(dtype)), torch.tensor(q.astype(dtype)))
        assert_close(ours, theirs, dtype)


# ---- distributions ------------------------------------------------------------------------

@pytest.mark.parametrize("family, params", [
    ("Gamma", ([[0.5, 2.0, 3.0], [1.0, 7.5, 0.2]], [1.5, 0.3, 2.0])),
    ("Chi2", ([[0.5, 2.0, 3.0], [1.0, 7.5, 0.2]],)),
    ("InverseGamma", ([[0.5, 2.0, 3.0], [1.0, 7.5, 0.2]], [1.5, 0.3, 2.0])),
])
def test_gamma_family_cdf_matches_torch(backend, family, params):
    values = np.array([[[0.0]], [[0.3]], [[1.0]], [[4.0]], [[math.inf]]])
    ours = getattr(distributions, family)(*(minitorch.tensor(p) for p in params))
    theirs = getattr(torch.distributions, family)(*(torch.tensor(p) for p in params))
    assert_close(ours.cdf(minitorch.tensor(values)), theirs.cdf(torch.tensor(values)), "float64")


def test_gamma_cdf_is_differentiable_in_the_value():
    value = minitorch.tensor([0.5, 2.0], dtype=minitorch.float64, requires_grad=True)
    torch_value = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    distributions.Gamma(2.0, 1.5).cdf(value).sum().backward()
    torch_gamma = torch.distributions.Gamma(torch.tensor(2.0), torch.tensor(1.5))
    torch_gamma.cdf(torch_value).sum().backward()
    assert_close(value.grad, torch_value.grad, "float64")


@pytest.mark.parametrize("family, params, value", [
    ("Weibull", (1.0, 2.0), 0.0),
    ("Weibull", (1.0, 2.0), -0.5),
    ("LogNormal", (0.0, 1.0), 0.0),
    ("InverseGamma", (2.0, 3.0), 0.0),
])
def test_transformed_cdf_checks_the_base_support(family, params, value):
    ours = getattr(distributions, family)(*(minitorch.tensor(p) for p in params),
                                          validate_args=True)
    theirs = getattr(torch.distributions, family)(*(torch.tensor(p) for p in params),
                                                  validate_args=True)
    result = ours.cdf(minitorch.tensor([value]))
    assert_close(result, theirs.cdf(torch.tensor([value])), "float32")


def test_lognormal_cdf_still_refuses_negative_values():
    lognormal = distributions.LogNormal(0.0, 1.0, validate_args=True)
    with pytest.raises(ValueError, match="cdf"):
        lognormal.cdf(minitorch.tensor([-1.0]))


_UNIT = [0.5, 2.0, 3.0, 1.5]
_KL_CASES = [
    ("Gamma", (_UNIT, 1.2), "Exponential", (1.3,)),
    ("Exponential", ([0.5, 2.0],), "Gamma", ([0.5, 2.0], 3.0)),
    ("Gamma", (_UNIT, 1.2), "Normal", ([0.5, -1.0, 3.0, 1.5], 2.0)),
    ("Gamma", (_UNIT, 1.2), "Gumbel", ([0.5, -1.0, 3.0, 1.5], 2.0)),
    ("Pareto", (_UNIT, 1.2), "Gamma", (_UNIT, 2.0)),
    ("Uniform", ([0.1, 0.2, 0.0, -0.1], [0.4, 0.9, 1.0, 0.5]), "Gamma", (_UNIT, 2.0)),
    ("Uniform", ([0.1, 0.2, 0.0, -0.1], [0.4, 0.9, 1.0, 0.5]), "Beta", (_UNIT, 2.0)),
    ("Uniform", ([0.1, 0.2, 0.0, -0.1], [0.4, 0.9, 1.0, 0.5]), "Pareto",
     ([0.05, 0.1, 0.3, 0.01], 2.5)),
    ("Beta", (_UNIT, 1.2), "Exponential", (1.3,)),
    ("Beta", (_UNIT, 1.2), "Gamma", (_UNIT, 2.0)),
    ("Beta", (_UNIT, 1.2), "Normal", ([0.5, -1.0, 3.0, 1.5], 2.0)),
    ("Beta", (_UNIT, 1.2), "Uniform", ([-0.5, 0.0, 0.1, -1.0], [1.0, 1.0, 2.0, 0.9])),
    ("Bernoulli", ([0.1, 0.5, 0.9, 0.3],), "Poisson", (_UNIT,)),
    ("Poisson", (_UNIT,), "Bernoulli", (0.3,)),
    ("Normal", (0.0, 1.0), "Gamma", (_UNIT, 2.0)),
    ("Gamma", (_UNIT, 1.2), "Uniform", (0.0, 1.0)),
    ("Gumbel", (0.0, 1.0), "Beta", (_UNIT, 2.0)),
    ("Laplace", (0.0, 1.0), "Gamma", (_UNIT, 2.0)),
    ("Exponential", (_UNIT,), "Beta", (_UNIT, 2.0)),
    ("Pareto", (_UNIT, 1.2), "Beta", (_UNIT, 2.0)),
    ("Beta", (_UNIT, 1.2), "Pareto", (_UNIT, 2.0)),
    ("Chi2", (_UNIT,), "Exponential", (1.3,)),
]


@pytest.mark.parametrize("p_family, p_params, q_family, q_params", _KL_CASES)
def test_kl_divergence_between_two_families(backend, p_family, p_params, q_family, q_params):
    def build(module, family, params, make):
        return getattr(module, family)(*(make(np.array(v, "float64")) for v in params))
    ours = distributions.kl_divergence(
        build(distributions, p_family, p_params, minitorch.tensor),
        build(distributions, q_family, q_params, minitorch.tensor))
    theirs = torch.distributions.kl_divergence(
        build(torch.distributions, p_family, p_params, torch.tensor),
        build(torch.distributions, q_family, q_params, torch.tensor))
    assert_close(ours, theirs, "float64")


def test_multigammaln_takes_any_argument_as_torch_2_13():
    values = [0.4, 3.0, 0.5, -1.3]
    for p in (2, 3):
        expected = torch.special.multigammaln(torch.tensor(values, dtype=torch.float64), p)
        ours = minitorch.special.multigammaln(minitorch.tensor(values, dtype=minitorch.float64), p)
        np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-12)
