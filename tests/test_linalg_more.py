"""minitorch.linalg's triangular solves, matrix exponential, solves from factorizations,
structured and tensor equations, the _ex forms and LinAlgError, and torch's legacy
top-level names (svd, qr, cholesky_solve, lu_unpack, triangular_solve, ...) against
torch: values in float32 and float64, batched and broadcast inputs, transposed views,
gradients, Tensor methods and refused inputs."""
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
from minitorch import linalg

DTYPES = ["float32", "float64"]


def _pair(array, requires_grad=False):
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _well_conditioned(shape, dtype, seed=0):
    """Random square matrices with a dominant diagonal (invertible, any triangle too)."""
    n = shape[-1]
    return (normal(shape, dtype, seed) + 3 * np.eye(n)).astype(dtype)


def _legacy(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# ---- solve_triangular -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_solve_triangular(backend, dtype, upper, left, unitriangular):
    a, ta = _pair(_well_conditioned((2, 1, 4, 4), dtype), True)   # batch broadcasts
    b, tb = _pair(normal((3, 4, 5) if left else (3, 5, 4), dtype, 1), True)
    results = [(linalg.solve_triangular(a, b, upper=upper, left=left,
                                        unitriangular=unitriangular),
                torch.linalg.solve_triangular(ta, tb, upper=upper, left=left,
                                              unitriangular=unitriangular))]
    check_backward(results, [a, b], [ta, tb], dtype)


def test_solve_triangular_transposed_view_and_errors(backend):
    array = _well_conditioned((4, 4), "float64")
    a, ta = _pair(array.T.copy(), True)
    b, tb = _pair(normal((4, 2), "float64"))
    check_backward([(linalg.solve_triangular(a.mT, b, upper=True),
                     torch.linalg.solve_triangular(ta.mT, tb, upper=True))], [a], [ta],
                   "float64")
    with pytest.raises(ValueError, match=r"linalg.solve_triangular: B 3x2 does not match A 4x4"):
        linalg.solve_triangular(a, minitorch.ones(3, 2, dtype=minitorch.float64), upper=True)
    with pytest.raises(ValueError, match="linalg.solve_triangular: .*square"):
        linalg.solve_triangular(minitorch.ones(2, 3), minitorch.ones(2, 1), upper=True)
    with pytest.raises(TypeError, match="linalg.solve_triangular"):
        linalg.solve_triangular(a, minitorch.ones(4, 1), upper=True)   # float64 vs float32


# ---- matrix_exp -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [0.01, 1.0, 4.0, 20.0])
def test_matrix_exp(backend, dtype, scale):
    a, ta = _pair((normal((2, 3, 3), dtype) * scale).astype(dtype), True)
    ours, theirs = linalg.matrix_exp(a), torch.linalg.matrix_exp(ta)
    # relative to the largest entry: exp(20 A) spans many orders of magnitude
    largest = float(theirs.detach().abs().max())
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours.detach().numpy() / largest,
                               theirs.detach().numpy() / largest, atol=tolerance)
    weights = normal((2, 3, 3), dtype, 1)
    (ours * minitorch.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    gradient_scale = float(ta.grad.abs().max())
    np.testing.assert_allclose(a.grad.numpy() / gradient_scale,
                               ta.grad.numpy() / gradient_scale, atol=tolerance * 10)


def test_matrix_exp_top_level_method_view_and_errors(backend):
    a, ta = _pair(normal((3, 3), "float64").T.copy(), True)
    check_backward([(minitorch.matrix_exp(a.mT), torch.matrix_exp(ta.mT)),
                    (a.matrix_exp(), ta.matrix_exp())], [a], [ta], "float64")
    assert_close(linalg.matrix_exp(minitorch.zeros(0, 0)), torch.linalg.matrix_exp(
        torch.zeros(0, 0)), "float32")
    with pytest.raises(ValueError, match="linalg.matrix_exp: .*square"):
        linalg.matrix_exp(minitorch.ones(2, 3))
    with pytest.raises(TypeError, match="linalg.matrix_exp: expected a floating-point"):
        linalg.matrix_exp(minitorch.ones(2, 2, dtype=minitorch.int64))


# ---- LinAlgError and the _ex forms ------------------------------------------------------

def test_linalg_error_and_ex_forms(backend):
    singular_array = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    singular, tsingular = _pair(singular_array)
    b, tb = _pair(normal((2, 2, 3), "float64"))
    assert issubclass(linalg.LinAlgError, RuntimeError)
    for call in [lambda: linalg.inv(singular), lambda: linalg.solve(singular, b),
                 lambda: linalg.cholesky(singular - 3), lambda: linalg.lu_factor(singular),
                 lambda: linalg.solve_ex(singular, b, check_errors=True),
                 lambda: minitorch.lu(singular)]:
        with pytest.raises(linalg.LinAlgError, match="singular|positive-definite|is zero"):
            call()
    result = linalg.solve_ex(singular[1:], b[1:])
    expected = torch.linalg.solve_ex(tsingular[1:], tb[1:])
    assert_close(result.result, expected.result, "float64")
    assert linalg.solve_ex(singular, b).info.tolist() == \
        torch.linalg.solve_ex(tsingular, tb).info.tolist()
    assert linalg.inv_ex(singular).info.tolist() == torch.linalg.inv_ex(tsingular).info.tolist()
    assert linalg.cholesky_ex(singular).info.tolist() == \
        torch.linalg.cholesky_ex(tsingular).info.tolist()


# ---- solves from an LU factorization --------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve(backend, dtype, left, adjoint):
    array = normal((2, 4, 4), dtype)     # random: row swaps happen
    lu_array, pivots = torch.linalg.lu_factor(torch.tensor(array))
    lu, tlu = _pair(lu_array.numpy(), True)
    pivots_ours = minitorch.tensor(pivots.numpy().astype(np.int64))
    b, tb = _pair(normal((4, 3) if left else (3, 4), dtype, 1), True)    # broadcast batch
    results = [(linalg.lu_solve(lu, pivots_ours, b, left=left, adjoint=adjoint),
                torch.linalg.lu_solve(tlu, pivots, tb, left=left, adjoint=adjoint))]
    check_backward(results, [lu, b], [tlu, tb], dtype)


def test_lu_solve_legacy_unpack_and_errors(backend):
    for shape in [(2, 4, 4), (5, 3), (3, 5)]:
        lu_array, pivots = torch.linalg.lu_factor(torch.tensor(normal(shape, "float64")))
        ours = minitorch.lu_unpack(minitorch.tensor(lu_array.numpy()),
                                   minitorch.tensor(pivots.numpy().astype(np.int64)))
        for mine, reference in zip(ours, torch.lu_unpack(lu_array, pivots)):
            assert_close(mine, reference, "float64")
    a, ta = _pair(normal((2, 3, 3), "float64"))
    lu, pivots = minitorch.lu(a)
    tlu, tpivots = _legacy(torch.lu, ta)
    assert_close(lu, tlu, "float64")
    assert pivots.tolist() == tpivots.tolist()
    b, tb = _pair(normal((2, 3, 2), "float64"))
    assert_close(b.lu_solve(lu, pivots), _legacy(tb.lu_solve, tlu, tpivots), "float64")
    assert len(a.lu(get_infos=True)) == 3
    with pytest.raises(ValueError, match=r"linalg.lu_solve: pivots must be int64 of shape"):
        linalg.lu_solve(lu, pivots[..., :2], b)
    with pytest.raises(ValueError, match=r"linalg.lu_solve: pivots must lie in \[1, 3\]"):
        linalg.lu_solve(lu, pivots * 0, b)
    with pytest.raises(ValueError, match=r"linalg.lu_solve: B 2x2x2 does not match"):
        linalg.lu_solve(lu, pivots, b[..., :2, :])


# ---- structured matrices and tensor equations -----------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_vander(backend, dtype):
    x, tx = _pair(normal((2, 4), dtype), True)
    check_backward([(linalg.vander(x), torch.linalg.vander(tx)),
                    (linalg.vander(x, N=6), torch.linalg.vander(tx, N=6)),
                    (linalg.vander(x.mT, N=2), torch.linalg.vander(tx.mT, N=2))],
                   [x], [tx], dtype)
    zero, tzero = _pair(np.zeros(3, dtype), True)
    check_backward([(linalg.vander(zero), torch.linalg.vander(tzero))], [zero], [tzero], dtype)
    integers = linalg.vander(minitorch.tensor([1, 2, 3]))
    assert integers.tolist() == torch.linalg.vander(torch.tensor([1, 2, 3])).tolist()
    with pytest.raises(ValueError, match="linalg.vander: N must be greater than 1"):
        linalg.vander(x, N=1)
    with pytest.raises(ValueError, match="linalg.vander: x must have at least 1 dim"):
        linalg.vander(minitorch.tensor(1.0))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", np.inf, -np.inf, 1, -1])
def test_cond(backend, p):
    a, ta = _pair(normal((2, 3, 3), "float64"), True)
    if p in (None, 2, -2, "nuc"):
        check_backward([(linalg.cond(a, p), torch.linalg.cond(ta, p))], [a], [ta], "float64")
    else:   # torch's backward fails there (its inverse is modified in place)
        assert_close(linalg.cond(a, p), torch.linalg.cond(ta, p), "float64")
    singular, tsingular = _pair(np.ones((3, 3)))
    if p not in (None, 2, -2):
        assert_close(linalg.cond(singular, p), torch.linalg.cond(tsingular, p), "float64")


def test_cond_rectangular_and_errors(backend):
    a, ta = _pair(normal((4, 2), "float32"))
    assert_close(linalg.cond(a), torch.linalg.cond(ta), "float32")
    with pytest.raises(ValueError, match="linalg.cond: .*square"):
        linalg.cond(a, "fro")
    with pytest.raises(ValueError, match="linalg.cond: p must be"):
        linalg.cond(minitorch.ones(2, 2), 3)


def test_tensorinv_and_tensorsolve(backend):
    a, ta = _pair(normal((4, 6, 8, 3), "float64"), True)
    check_backward([(linalg.tensorinv(a, ind=2), torch.linalg.tensorinv(ta, ind=2))],
                   [a], [ta], "float64")
    a, ta = _pair(normal((2, 3, 6), "float64"), True)
    b, tb = _pair(normal((2, 3), "float64"), True)
    c, tc = _pair(normal((6, 2, 3), "float64"), True)
    check_backward([(linalg.tensorsolve(a, b), torch.linalg.tensorsolve(ta, tb)),
                    (linalg.tensorsolve(c, b, dims=(0,)),
                     torch.linalg.tensorsolve(tc, tb, dims=(0,)))], [a, b, c], [ta, tb, tc],
                   "float64")
    with pytest.raises(ValueError, match=r"linalg.tensorinv: the product of A's first 1 dims"):
        linalg.tensorinv(minitorch.ones(2, 3), ind=1)
    with pytest.raises(ValueError, match="linalg.tensorsolve: A's leading dims"):
        linalg.tensorsolve(minitorch.ones(2, 3, 6), minitorch.ones(3, 2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_householder_product(backend, dtype):
    a, ta = _pair(normal((2, 5, 3), dtype), True)
    tau, ttau = _pair(normal((2, 2), dtype, 1), True)
    check_backward([(linalg.householder_product(a, tau),
                     torch.linalg.householder_product(ta, ttau))], [a, tau], [ta, ttau], dtype)
    with pytest.raises(ValueError, match="linalg.householder_product: expected A"):
        linalg.householder_product(a, minitorch.ones(2, 4, dtype=a.dtype))


# ---- torch's legacy names ---------------------------------------------------------------

@pytest.mark.parametrize("some", [True, False])
def test_legacy_svd_and_qr(backend, some):
    a, ta = _pair(normal((2, 4, 3), "float64"))
    u, s, v = minitorch.svd(a, some=some)
    tu, ts, tv = torch.svd(ta, some=some)
    assert (u.shape, v.shape) == (tuple(tu.shape), tuple(tv.shape))
    assert_close(s, ts, "float64")
    assert_close((u[..., :3] * s.unsqueeze(-2)) @ v.mT, ta, "float64")
    assert_close(a.svd(compute_uv=False).U, torch.svd(ta, compute_uv=False).U, "float64")
    q, r = a.qr(some=some)
    tq, tr = _legacy(torch.qr, ta, some=some)
    assert_close(q, tq, "float64")
    assert_close(r, tr, "float64")


@pytest.mark.parametrize("upper", [False, True])
def test_legacy_cholesky_family(backend, upper):
    array = normal((2, 3, 3), "float64")
    spd, tspd = _pair(array @ array.transpose(0, 2, 1) + 3 * np.eye(3), True)
    factor, tfactor = minitorch.cholesky(spd, upper), _legacy(torch.cholesky, tspd, upper)
    b, tb = _pair(normal((3, 2), "float64"), True)
    check_backward([(factor, tfactor),
                    (minitorch.cholesky_solve(b, factor, upper),
                     torch.cholesky_solve(tb, tfactor, upper)),
                    (factor.cholesky_inverse(upper), tfactor.cholesky_inverse(upper))],
                   [spd, b], [tspd, tb], "float64")


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_legacy_triangular_solve(backend, upper, transpose):
    a, ta = _pair(_well_conditioned((2, 3, 3), "float64"), True)
    b, tb = _pair(normal((2, 3, 2), "float64"), True)
    solution, clone = b.triangular_solve(a, upper, transpose)
    tsolution, tclone = _legacy(tb.triangular_solve, ta, upper, transpose)
    check_backward([(solution, tsolution), (clone, tclone)], [a, b], [ta, tb], "float64")
