"""minitorch.linalg against torch.linalg: values and gradients (through the algorithms),
float32 and float64, batched and non-contiguous inputs, singular and non-positive-definite
inputs refused with the op named."""
import numpy as np
import pytest
import torch

import minitorch
from minitorch import linalg
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

DTYPES = ["float32", "float64"]
LOOSE = {"float32": dict(rtol=1e-3, atol=1e-4), "float64": dict(rtol=1e-9, atol=1e-11)}


def pair(array, dtype, transposed=False):
    """(minitorch leaf, torch leaf) of one array; transposed: a non-contiguous view of it
    (the leaves hold the transpose, so gradients compare on the same values)."""
    array = np.ascontiguousarray(np.swapaxes(array, -1, -2)) if transposed else array
    ours = minitorch.tensor(array.astype(dtype), requires_grad=True)
    theirs = torch.tensor(array.astype(dtype), requires_grad=True)
    return ours, theirs


def view(tensor, transposed):
    return tensor.mT if transposed else tensor


def well_conditioned(shape, dtype, seed=0):
    """Random square matrices with a dominant diagonal (well away from singular)."""
    return normal(shape, dtype, seed) + 3 * np.eye(shape[-1], dtype=dtype)


def positive_definite(shape, dtype, seed=0):
    a = normal(shape, dtype, seed)
    return a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1], dtype=dtype)


def close(ours, theirs, dtype):
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **LOOSE[dtype])


def check_gradients(ours_results, theirs_results, ours_leaf, theirs_leaf, dtype):
    loss, tloss = 0, 0
    for seed, (result, expected) in enumerate(zip(ours_results, theirs_results), 1):
        close(result, expected, dtype)
        weights = normal(tuple(expected.shape), dtype, seed)
        loss = loss + (result * minitorch.tensor(weights)).sum()
        tloss = tloss + (expected * torch.tensor(weights)).sum()
    loss.backward()
    tloss.backward()
    close(ours_leaf.grad, theirs_leaf.grad, dtype)


SQUARE_OPS = {  # name -> (ours, torch's), results compared with their gradients
    "det": (linalg.det, torch.linalg.det),
    "slogdet": (linalg.slogdet, torch.linalg.slogdet),
    "inv": (linalg.inv, torch.linalg.inv),
    "inv_ex": (lambda a: linalg.inv_ex(a)[0], lambda a: torch.linalg.inv_ex(a)[0]),
    "matrix_power-3": (lambda a: linalg.matrix_power(a, -3),
                       lambda a: torch.linalg.matrix_power(a, -3)),
    "matrix_power2": (lambda a: linalg.matrix_power(a, 2),
                      lambda a: torch.linalg.matrix_power(a, 2)),
    "lu_factor": (lambda a: linalg.lu_factor(a)[0], lambda a: torch.linalg.lu_factor(a)[0]),
    "lu": (lambda a: linalg.lu(a)[1:], lambda a: torch.linalg.lu(a)[1:]),
    "qr": (linalg.qr, torch.linalg.qr),
    "matrix_norm-nuc": (lambda a: linalg.matrix_norm(a, "nuc"),
                        lambda a: torch.linalg.matrix_norm(a, "nuc")),
}


@pytest.mark.parametrize("name", sorted(SQUARE_OPS))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,transposed", [((4, 4), False), ((2, 3, 3), True),
                                              ((2, 1, 5, 5), False)])
def test_square_ops(backend, name, dtype, shape, transposed):
    ours_op, torch_op = SQUARE_OPS[name]
    array = normal(shape, dtype) + (2 * np.eye(shape[-1], dtype=dtype) if "inv" in name or
                                    "power-" in name else 0)
    ours, theirs = pair(array, dtype, transposed)
    results = ours_op(view(ours, transposed))
    expected = torch_op(view(theirs, transposed))
    if not isinstance(expected, tuple):
        results, expected = (results,), (expected,)
    check_gradients(results, expected, ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 5), (4, 4)])
def test_lu_rectangular_and_pivots(backend, dtype, shape):
    ours, theirs = pair(normal(shape, dtype), dtype)
    permutation, lower, upper = linalg.lu(ours)
    tp, tl, tu = torch.linalg.lu(theirs)
    assert_close(permutation, tp, dtype)
    check_gradients((lower, upper), (tl, tu), ours, theirs, dtype)
    packed, pivots, info = linalg.lu_factor_ex(ours.detach())
    tpacked, tpivots, tinfo = torch.linalg.lu_factor_ex(theirs.detach())
    close(packed, tpacked, dtype)
    assert pivots.tolist() == tpivots.tolist() and info.tolist() == tinfo.tolist()
    assert pivots.dtype is minitorch.int64


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 5)])
def test_qr_modes(backend, dtype, mode, shape):
    ours, theirs = pair(normal(shape, dtype), dtype)
    (q, r), (tq, tr) = linalg.qr(ours, mode), torch.linalg.qr(theirs, mode)
    assert q.shape == tuple(tq.shape)
    differentiable = mode == "reduced" and shape[-2] >= shape[-1] or \
        mode == "complete" and shape[-2] <= shape[-1]
    if differentiable:
        check_gradients((q, r), (tq, tr), ours, theirs, dtype)
    else:
        close(q, tq, dtype)
        close(r, tr, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,transposed", [((4, 4), False), ((2, 3, 3), True)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(backend, dtype, shape, transposed, upper):
    ours, theirs = pair(positive_definite(shape, dtype), dtype, transposed)
    results = (linalg.cholesky(view(ours, transposed), upper=upper),
               linalg.cholesky_ex(view(ours, transposed), upper=upper).L)
    expected = (torch.linalg.cholesky(view(theirs, transposed), upper=upper),
                torch.linalg.cholesky_ex(view(theirs, transposed), upper=upper).L)
    check_gradients(results, expected, ours, theirs, dtype)


def test_cholesky_reads_one_triangle(backend):
    array = positive_definite((3, 3), "float64")
    array[0, 2] = 100.0   # the upper triangle is ignored (and the lower with upper=True)
    ours, theirs = minitorch.tensor(array), torch.tensor(array)
    assert_close(linalg.cholesky(ours), torch.linalg.cholesky(theirs), "float64")
    assert_close(linalg.eigvalsh(ours, "U"), torch.linalg.eigvalsh(theirs, "U"), "float64")


def sign_fixed(vectors, reference):
    """vectors with each column's sign chosen so its first entry is positive (a constant
    factor, so gradients stay comparable)."""
    signs = np.sign(reference.detach().numpy()[..., :1, :])
    return vectors * (minitorch.tensor(signs) if isinstance(vectors, minitorch.Tensor)
                      else torch.tensor(signs))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,transposed", [((4, 4), False), ((2, 3, 3), True)])
def test_eigh(backend, dtype, shape, transposed):
    ours, theirs = pair(positive_definite(shape, dtype) - 2 * np.eye(shape[-1]), dtype,
                        transposed)
    values, vectors = linalg.eigh(view(ours, transposed))
    tvalues, tvectors = torch.linalg.eigh(view(theirs, transposed))
    results = (values, sign_fixed(vectors, vectors), linalg.eigvalsh(view(ours, transposed)))
    expected = (tvalues, sign_fixed(tvectors, tvectors),
                torch.linalg.eigvalsh(view(theirs, transposed)))
    check_gradients(results, expected, ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,transposed", [((5, 3), False), ((2, 3, 4), True),
                                              ((4, 4), False)])
@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd(backend, dtype, shape, transposed, full_matrices):
    ours, theirs = pair(normal(shape, dtype), dtype, transposed)
    left, values, right = linalg.svd(view(ours, transposed), full_matrices)
    tleft, tvalues, tright = torch.linalg.svd(view(theirs, transposed), full_matrices)
    assert (left.shape, right.shape) == (tuple(tleft.shape), tuple(tright.shape))
    for basis in (left, right):   # orthonormal columns (rows of Vh)
        gram = basis.mT @ basis if basis is left else basis @ basis.mT
        close(gram, torch.eye(gram.shape[-1]).expand(gram.shape), dtype)
    k = values.shape[-1]
    rebuilt = (left[..., :, :k] * values.unsqueeze(-2)) @ right[..., :k, :]
    results = (values, linalg.svdvals(view(ours, transposed)), rebuilt)
    expected = (tvalues, torch.linalg.svdvals(view(theirs, transposed)), view(theirs, transposed))
    if full_matrices:
        close(rebuilt, view(theirs, transposed), dtype)
        return
    results += (sign_fixed(left, left),)
    expected += (sign_fixed(tleft, tleft),)
    check_gradients(results, expected, ours, theirs, dtype)


def test_svd_rank_deficient_completes_u(backend):
    array = normal((5, 2), "float64") @ normal((2, 4), "float64", 1)   # rank 2
    left, values, right = linalg.svd(minitorch.tensor(array))
    close(values, torch.linalg.svdvals(torch.tensor(array)), "float64")
    close(left.mT @ left, torch.eye(5, dtype=torch.float64), "float64")
    close((left[:, :4] * values) @ right, torch.tensor(array), "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("left", [True, False])
def test_solve(backend, dtype, left):
    ours, theirs = pair(well_conditioned((2, 3, 3), dtype), dtype, transposed=True)
    rhs, trhs = pair(normal((1, 3, 2), dtype, 1), dtype)
    if not left:
        rhs, trhs = pair(normal((1, 2, 3), dtype, 1), dtype)
    result = linalg.solve(ours.mT, rhs, left=left)
    expected = torch.linalg.solve(theirs.mT, trhs, left=left)
    check_gradients((result,), (expected,), ours, theirs, dtype)
    close(rhs.grad, trhs.grad, dtype)


@pytest.mark.parametrize("b_shape", [(3,), (2, 3)])
def test_solve_vectors(backend, b_shape):
    a = well_conditioned((2, 3, 3), "float64")
    b = normal(b_shape, "float64")
    assert_close(linalg.solve(minitorch.tensor(a), minitorch.tensor(b)),
                 torch.linalg.solve(torch.tensor(a), torch.tensor(b)), "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")])
def test_matrix_norm(backend, dtype, ord):
    ours, theirs = pair(normal((2, 3, 4), dtype), dtype)
    results = (linalg.matrix_norm(ours, ord), linalg.matrix_norm(ours, ord, (0, 2), True),
               linalg.norm(ours, ord, (-1, -2)), linalg.norm(ours[0], ord))
    expected = (torch.linalg.matrix_norm(theirs, ord),
                torch.linalg.matrix_norm(theirs, ord, (0, 2), True),
                torch.linalg.norm(theirs, ord, (-1, -2)), torch.linalg.norm(theirs[0], ord))
    check_gradients(results, expected, ours, theirs, dtype)


def test_norm_vector_forms(backend):
    ours, theirs = pair(normal((3, 4), "float64"), "float64")
    results = (linalg.norm(ours), linalg.norm(ours, 3, 1), linalg.norm(ours[0], 1),
               linalg.norm(ours, dim=(0, 1), keepdim=True))
    expected = (torch.linalg.norm(theirs), torch.linalg.norm(theirs, 3, 1),
                torch.linalg.norm(theirs[0], 1), torch.linalg.norm(theirs, dim=(0, 1),
                                                                  keepdim=True))
    check_backward(zip(results, expected), [ours], [theirs], "float64")


@pytest.mark.parametrize("hermitian", [False, True])
def test_rank_and_pinv(backend, hermitian):
    array = normal((2, 4, 2), "float64") @ normal((2, 2, 4), "float64", 1)   # rank 2
    if hermitian:
        array = array @ np.swapaxes(array, -1, -2)
    ours, theirs = minitorch.tensor(array), torch.tensor(array)
    rank = linalg.matrix_rank(ours, hermitian=hermitian)
    assert rank.dtype is minitorch.int64
    assert rank.tolist() == torch.linalg.matrix_rank(theirs, hermitian=hermitian).tolist()
    assert linalg.matrix_rank(ours, atol=1e30).tolist() == [0, 0]
    close(linalg.pinv(ours, hermitian=hermitian),
          torch.linalg.pinv(theirs, hermitian=hermitian), "float64")


@pytest.mark.parametrize("dtype", DTYPES)
def test_pinv_gradient(backend, dtype):
    ours, theirs = pair(normal((2, 3, 5), dtype), dtype, transposed=True)
    check_gradients((linalg.pinv(ours.mT),), (torch.linalg.pinv(theirs.mT),), ours, theirs,
                    dtype)


@pytest.mark.parametrize("driver", [None, "gelsd"])
def test_lstsq(backend, driver):
    ours, theirs = pair(normal((2, 5, 3), "float64"), "float64")
    rhs = normal((2, 5, 2), "float64", 1)
    result = linalg.lstsq(ours, minitorch.tensor(rhs), driver=driver)
    expected = torch.linalg.lstsq(theirs, torch.tensor(rhs), driver=driver)
    assert result.rank.tolist() == expected.rank.tolist()
    close(result.residuals, expected.residuals, "float64")
    close(result.singular_values, expected.singular_values, "float64")
    check_gradients((result.solution,), (expected.solution,), ours, theirs, "float64")


def test_cross_and_vecdot(backend):
    a, ta = pair(normal((2, 4, 3), "float64"), "float64")
    b, tb = pair(normal((1, 4, 3), "float64", 1), "float64")
    results = (linalg.cross(a, b), linalg.vecdot(a, b), linalg.vecdot(a, b, dim=1))
    expected = (torch.linalg.cross(ta, tb), torch.linalg.vecdot(ta, tb),
                torch.linalg.vecdot(ta, tb, dim=1))
    check_backward(zip(results, expected), [a, b], [ta, tb], "float64")


def test_singular_inputs(backend):
    singular = minitorch.tensor([[1.0, 2.0], [2.0, 4.0]])
    tsingular = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
    assert linalg.det(singular).item() == 0.0
    sign, logabsdet = linalg.slogdet(singular)
    assert sign.item() == 0.0 and logabsdet.item() == -float("inf")
    assert linalg.inv_ex(singular).info.tolist() == torch.linalg.inv_ex(tsingular).info.tolist()
    assert linalg.lu_factor_ex(singular).info.item() == 2
    for call, match in [(lambda: linalg.inv(singular), "linalg.inv: .* singular"),
                        (lambda: linalg.solve(singular, singular), "linalg.solve: .*singular"),
                        (lambda: linalg.lu_factor(singular), r"linalg.lu_factor: U\[2,2\]"),
                        (lambda: linalg.matrix_power(singular, -1), "linalg.inv"),
                        (lambda: linalg.inv_ex(singular, check_errors=True), "singular")]:
        with pytest.raises(linalg.LinAlgError, match=match):
            call()


def test_not_positive_definite(backend):
    array = np.array([[[1.0, 0.0], [0.0, -1.0]], [[-2.0, 0.0], [0.0, 1.0]]])
    with pytest.raises(linalg.LinAlgError, match="linalg.cholesky: .*leading minor of order 1"):
        linalg.cholesky(minitorch.tensor(array))
    info = linalg.cholesky_ex(minitorch.tensor(array)).info
    assert info.tolist() == torch.linalg.cholesky_ex(torch.tensor(array)).info.tolist()


@pytest.mark.parametrize("call,error,match", [
    (lambda: linalg.det(minitorch.ones(2, 3)), ValueError, "linalg.det: .*square"),
    (lambda: linalg.inv(minitorch.ones(3)), ValueError, "linalg.inv: .*at least 2 dims"),
    (lambda: linalg.eigh(minitorch.ones(2, 2, dtype=minitorch.int64)), TypeError,
     "linalg.eigh: .*floating-point"),
    (lambda: linalg.eigh(minitorch.ones(2, 2), "X"), ValueError, "UPLO"),
    (lambda: linalg.qr(minitorch.ones(2, 2), "full"), ValueError, "linalg.qr: mode"),
    (lambda: linalg.solve(minitorch.eye(2), minitorch.ones(3, 1)), ValueError,
     "linalg.solve: B"),
    (lambda: linalg.solve(minitorch.eye(2), minitorch.ones(2, 1, dtype=minitorch.float64)),
     TypeError, "linalg.solve: .*same dtype"),
    (lambda: linalg.matrix_norm(minitorch.ones(2, 2), 3), ValueError,
     "linalg.matrix_norm: ord"),
    (lambda: linalg.matrix_norm(minitorch.ones(2, 2), dim=(0, -2)), ValueError,
     "2 different dims"),
    (lambda: linalg.norm(minitorch.ones(2, 2, 2), 2), ValueError, "linalg.norm: .*1-D"),
    (lambda: linalg.lu(minitorch.eye(2), pivot=False), NotImplementedError, "pivot=False"),
    (lambda: linalg.svd(minitorch.eye(2), driver="gesvd"), ValueError, "linalg.svd: driver"),
    (lambda: linalg.lstsq(minitorch.eye(2), minitorch.ones(3, 1)), ValueError,
     "linalg.lstsq: B"),
    (lambda: linalg.cross(minitorch.ones(2, 3), minitorch.ones(3)), ValueError,
     "linalg.cross: .*same number of dims"),
])
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_python_backend_small():
    with minitorch.use_backend("python"):
        array = well_conditioned((3, 3), "float64")
        assert_close(linalg.inv(minitorch.tensor(array)),
                     torch.linalg.inv(torch.tensor(array)), "float64")
        assert_close(linalg.eigvalsh(minitorch.tensor(array + array.T)),
                     torch.linalg.eigvalsh(torch.tensor(array + array.T)), "float64")


def test_top_level_and_method_spellings_match_torch():
    """minitorch.det/logdet/slogdet/inverse/pinverse/matrix_power and their Tensor
    methods, as torch's (logdet: nan for a negative determinant, -inf when singular)."""
    rng = np.random.default_rng(7)
    data = [rng.standard_normal((3, 3)) for _ in range(2)]
    data[1][0] = -data[1][0] if np.linalg.det(data[1]) > 0 else data[1][0]   # det < 0
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for values in data + [singular]:
        for lib_call in (lambda lib, a: lib.det(a), lambda lib, a: a.det(),
                         lambda lib, a: lib.logdet(a), lambda lib, a: a.slogdet()[1],
                         lambda lib, a: lib.inverse(a) if abs(np.linalg.det(values)) > 1e-9
                         else lib.pinverse(a),
                         lambda lib, a: a.matrix_power(-2) if abs(np.linalg.det(values)) > 1e-9
                         else a.matrix_power(3)):
            ours = lib_call(minitorch, minitorch.tensor(values))
            theirs = lib_call(torch, torch.tensor(values))
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9, atol=1e-12)
    a = minitorch.tensor(data[0], requires_grad=True)
    t = torch.tensor(data[0], requires_grad=True)
    minitorch.logdet(a).backward()
    torch.logdet(t).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9)
