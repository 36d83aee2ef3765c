"""Behaviours checked against PyTorch itself, on every backend (audit 4 items)."""
import numpy as np
import pytest
import torch

import minitorch

BACKENDS = ["numpy", "c", "python"]


def same(result, expected):
    """result (minitorch) has expected's (torch) dtype name, shape and values."""
    assert result.dtype.name == str(expected.dtype).replace("torch.", "")
    assert tuple(result.shape) == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(result.reshape(-1).tolist(), dtype=np.float64),
                               expected.double().reshape(-1).numpy(), rtol=1e-5, atol=1e-6)


def both(backend):
    return (lambda d, **k: minitorch.tensor(d, backend=backend, **k)), torch.tensor


A = [[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", [True, False, (0, True), (Ellipsis, True), (True, [0, 1]),
                                 "tensor_true", "tensor_false"])
def test_bool_scalar_index(backend, key):
    M, T = both(backend)
    def k(make):
        return make(key == "tensor_true") if isinstance(key, str) else key
    same(M(A)[k(M)], T(A)[k(T)])
    a, t = M(A), T(A)
    a[k(M)] = 7.0
    t[k(T)] = 7.0
    same(a, t)


@pytest.mark.parametrize("backend", BACKENDS)
def test_setitem_value_with_extra_leading_ones(backend):
    M, T = both(backend)
    a, t = M(np.zeros((2, 2, 4), np.float32)), torch.zeros(2, 2, 4)
    a[0, 0] = M([[1.0, 2.0, 3.0, 4.0]])
    t[0, 0] = T([[1.0, 2.0, 3.0, 4.0]])
    a[[1], 1] = M([[[5.0, 6.0, 7.0, 8.0]]])
    t[[1], 1] = T([[[5.0, 6.0, 7.0, 8.0]]])
    same(a, t)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["sum", "mean", "var", "std", "amax", "amin"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_empty_dim_tuple_reduces_everything(backend, op, keepdim):
    M, T = both(backend)
    same(getattr(M(A), op)(dim=(), keepdim=keepdim), getattr(T(A), op)(dim=(), keepdim=keepdim))


@pytest.mark.parametrize("backend", BACKENDS)
def test_logsumexp_empty_dim_tuple(backend):
    M, T = both(backend)
    same(M(A).logsumexp((), keepdim=True), T(A).logsumexp((), keepdim=True))
    with pytest.raises(RuntimeError, match="logsumexp"):
        M(A).logsumexp(())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("args", [(1, False), (1, True, True), (False,), (0, False, True)])
def test_var_std_positional_order(backend, args):
    M, T = both(backend)
    same(M(A).var(*args), T(A).var(*args))
    same(M(A).std(*args), T(A).std(*args))


@pytest.mark.parametrize("backend", BACKENDS)
def test_masked_fill_keeps_dtype(backend):
    M, T = both(backend)
    same(M([1, 2]).masked_fill(M([True, False]), 2.5),
         T([1, 2]).masked_fill(T([True, False]), 2.5))
    a, t = M([1, 2]), T([1, 2])
    a.masked_fill_(M([False, True]), 2.7)
    t.masked_fill_(T([False, True]), 2.7)
    same(a, t)
    same(M([True, False]).masked_fill(M([False, True]), 2.5),
         T([True, False]).masked_fill(T([False, True]), 2.5))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_arg_extreme_keepdim_without_dim(backend, op):
    M, T = both(backend)
    same(getattr(M(A), op)(keepdim=True), getattr(T(A), op)(keepdim=True))
    same(getattr(M(2.0), op)(keepdim=True), getattr(T(2.0), op)(keepdim=True))


@pytest.mark.parametrize("backend", BACKENDS)
def test_dtype_inference(backend):
    M, T = both(backend)
    same(minitorch.arange(M(3)), torch.arange(T(3)))
    same(M([np.float64(1.5)]), T([np.float64(1.5)]))
    same(M([np.float64(1.5), 2.0]), T([np.float64(1.5), 2.0]))
    same(M([True, False]).square(), T([True, False]).square())
    for exponent in (True, False, 2, 1.5):
        same(M([True, False]) ** exponent, T([True, False]) ** exponent)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("a, b", [(1.0, 0), (1, 0), (True, False), (True, 2)])
def test_where_with_two_scalars(backend, a, b):
    M, T = both(backend)
    same(minitorch.where(M([True, False]), a, b), torch.where(T([True, False]), a, b))


@pytest.mark.parametrize("backend", BACKENDS)
def test_bool_bitwise_with_python_bool(backend):
    M, T = both(backend)
    same(M([True, False]) | True, T([True, False]) | True)
    same(M([True, False]) & False, T([True, False]) & False)
    same(M([True, False]) ^ True, T([True, False]) ^ True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_negative_powers(backend):
    M, T = both(backend)
    same(M([2, 1, -1, 0, 3]) ** M([-1, -2, -3, 2, -1]), T([2, 1, -1, 0, 3]) ** T([-1, -2, -3, 2, -1]))
    same(2 ** M([3, -1, 0]), 2 ** T([3, -1, 0]))
    same(True ** M([-1, 2]), True ** T([-1, 2]))
    same((-1) ** M([-1, -2]), (-1) ** T([-1, -2]))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["amax", "amin", "argmax", "argmin", "logsumexp"])
def test_reduce_non_empty_dim_of_empty_tensor(backend, op):
    M, _ = both(backend)
    empty_m = M(np.zeros((0, 3), np.float32))
    same(getattr(empty_m, op)(1), getattr(torch.zeros(0, 3), op)(1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_min_of_empty_tensor(backend):
    M, _ = both(backend)
    empty_m, empty_t = M(np.zeros((0, 3), np.float32)), torch.zeros(0, 3)
    for op in ("max", "min"):
        values, indices = getattr(empty_m, op)(1)
        same(values, getattr(empty_t, op)(1).values)
        same(indices, getattr(empty_t, op)(1).indices)
        with pytest.raises(ValueError, match=rf"^{op}\(\)"):
            getattr(empty_m, op)(0)
    same(empty_m.logsumexp(0), empty_t.logsumexp(0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_sign_of_bool(backend):
    M, T = both(backend)
    same(M([True, False]).sign(), T([True, False]).sign())


@pytest.mark.parametrize("backend", BACKENDS)
def test_cat_skips_legacy_empty(backend):
    M, T = both(backend)
    same(minitorch.cat([M([[1.0, 2.0]]), M([])]), torch.cat([T([[1.0, 2.0]]), T([])]))
    same(minitorch.cat([M([]), M([1])]), torch.cat([T([]), T([1])]))


@pytest.mark.parametrize("args, kwargs", [((5, (3,)), {}), ((2, 5, (3,)), {}),
                                          ((5,), {"size": (3,)}),
                                          ((), {"high": 5, "size": (2, 2)})])
def test_randint_signatures(args, kwargs):
    result, expected = minitorch.randint(*args, **kwargs), torch.randint(*args, **kwargs)
    assert result.shape == tuple(expected.shape) and result.dtype is minitorch.int64
    high = kwargs.get("high", args[1] if len(args) == 3 else args[0] if args else None)
    assert 0 <= result.min().item() and result.max().item() < high


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("data", [[1.0, 1001.0], [float("nan"), 1.0], [1.0, 1000.0],
                                  [2.0, 1001.5], [float("inf"), 1.0], "arange"])
def test_repr_matches_torch(backend, data):
    made = minitorch.arange(2000, backend=backend) if data == "arange" else \
        minitorch.tensor(data, backend=backend)
    expected = repr(torch.arange(2000) if data == "arange" else torch.tensor(data))
    assert repr(made).replace(f", backend='{backend}'", "") == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_repr_empty_keeps_dtype_and_format(backend):
    M, _ = both(backend)
    assert repr(M([], dtype=minitorch.int64)).startswith("tensor([], dtype=minitorch.int64")
    assert repr(M([], dtype=minitorch.bool)).startswith("tensor([], dtype=minitorch.bool")
    assert f"{M(1.5):.2f}" == f"{torch.tensor(1.5):.2f}" == "1.50"
    with pytest.raises(TypeError):
        f"{M([1.5]):.2f}"
