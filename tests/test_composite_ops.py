"""Composite ops (einsum, scatter, meshgrid, stacking...) against PyTorch, for what the
op table cannot state: equations and their errors, tuples of outputs, views, errors."""
import numpy as np
import pytest
import torch

import minitorch

EQUATIONS = [  # (equation, operand shapes)
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]), ("iji->j", [(2, 4, 2)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]),
    ("i,i->", [(4,), (4,)]), ("i,j->ij", [(2,), (3,)]), ("i,j", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("bij,bjk", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]), ("...ij->i", [(2, 3, 4)]),
    ("i...->...", [(3, 2, 4)]), ("i...,...i", [(3, 2), (2, 3)]), ("Ba,aB", [(2, 3), (3, 2)]),
    ("aB", [(2, 3)]), ("i,i->i", [(1,), (3,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ab,cd->", [(2, 3), (4, 5)]), ("ii,jj->ij", [(2, 2), (3, 3)]), ("->", [()]),
    (",i->i", [(), (3,)]), ("i j , j k -> i k", [(2, 3), (3, 4)]), ("ij,jk->ik", [(0, 3), (3, 4)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("...,...->...", [(2, 3), (3,)]),
]


@pytest.mark.parametrize("equation,shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_matches_torch_with_gradients(equation, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    mt = [minitorch.tensor(a, requires_grad=True) for a in arrays]
    th = [torch.tensor(a, requires_grad=True) for a in arrays]
    actual, expected = minitorch.einsum(equation, *mt), torch.einsum(equation, *th)
    assert tuple(actual.shape) == tuple(expected.shape)
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    weights = rng.standard_normal(tuple(expected.shape))
    (actual * minitorch.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for m, t in zip(mt, th):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_einsum_takes_a_list_and_int64():
    a = [[1, 2], [3, 4]]
    assert minitorch.einsum("ij,jk", [minitorch.tensor(a), minitorch.tensor(a)]).tolist() == \
        torch.einsum("ij,jk", [torch.tensor(a), torch.tensor(a)]).tolist()


@pytest.mark.parametrize("equation,shapes,message", [
    ("ii->i", [(2, 3)], "repeated for operand 0"),
    ("ij->", [(2, 3, 4)], "no ellipsis"),
    ("ij,j->k", [(2, 3), (3,)], "output subscript k"),
    ("ij,jk", [(2, 3)], "2 terms"),
    ("i1,j", [(2, 2), (3,)], "must be letters"),
    ("ij->ii", [(2, 2)], "more than once"),
    ("i,i->i", [(2,), (3,)], "do not broadcast"),
])
def test_einsum_errors(equation, shapes, message):
    operands = [minitorch.ones(*shape) for shape in shapes]
    with pytest.raises((ValueError, RuntimeError), match=message):
        minitorch.einsum(equation, *operands)


def test_einsum_refuses_mixed_dtypes():
    with pytest.raises(TypeError, match="one dtype"):
        minitorch.einsum("i,i", minitorch.ones(2), minitorch.ones(2, dtype=minitorch.float64))


def test_tensordot_forms_and_errors():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 3, 5))
    for dims in (1, ([1, 2], [1, 0]), ([2], [0]), 0):
        expected = torch.tensordot(torch.tensor(a), torch.tensor(b if dims else b), dims)
        actual = minitorch.tensordot(minitorch.tensor(a), minitorch.tensor(b), dims)
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="need to match"):
        minitorch.tensordot(minitorch.ones(2, 3), minitorch.ones(4, 2), 1)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch_and_gives_views(indexing):
    x, y, z = [1.0, 2.0], [3.0, 4.0, 5.0], 7.0
    actual = minitorch.meshgrid(minitorch.tensor(x), minitorch.tensor(y), minitorch.tensor(z),
                                indexing=indexing)
    expected = torch.meshgrid(torch.tensor(x), torch.tensor(y), torch.tensor(z),
                              indexing=indexing)
    assert [a.tolist() for a in actual] == [e.tolist() for e in expected]
    assert all(0 in a.stride() for a in actual)   # expanded views, as torch's
    with pytest.raises(TypeError, match="same dtype"):
        minitorch.meshgrid(minitorch.ones(2), minitorch.ones(2, dtype=minitorch.int64))
    with pytest.raises(ValueError, match="0-d or 1-d"):
        minitorch.meshgrid(minitorch.ones(2, 2))


def test_views_where_torch_documents_views():
    a = minitorch.arange(12.0).reshape(3, 4)
    for view in (a.select(1, -1), a.ravel(), a.unflatten(1, (2, -1)),
                 *a.tensor_split(3, dim=1), minitorch.broadcast_tensors(a, minitorch.ones(4))[0]):
        assert view._storage is a._storage
    assert a.diag()._storage is not a._storage   # diag copies, as torch.diag


@pytest.mark.parametrize("spec", [3, [1, -1, 6], [3, 1], (0,), 7])
def test_tensor_split_pieces_match_torch(spec):
    actual = minitorch.arange(5).tensor_split(spec)
    expected = torch.arange(5).tensor_split(spec)
    assert [p.tolist() for p in actual] == [p.tolist() for p in expected]
    indices = minitorch.tensor(spec) if isinstance(spec, list) else None
    if indices is not None:
        assert [p.tolist() for p in minitorch.arange(5).tensor_split(indices)] == \
            [p.tolist() for p in expected]


def test_broadcast_shapes_and_tensor_only_methods():
    assert minitorch.broadcast_shapes((2, 1), (3,), 1) == tuple(
        torch.broadcast_shapes((2, 1), (3,), 1))
    with pytest.raises(ValueError):
        minitorch.broadcast_shapes((2,), (3,))
    a = minitorch.ones(2, 3, 4)
    assert a.nelement() == 24 and a.ndimension() == 3
    empty = a.new_empty(2, 5)
    assert empty.shape == (2, 5) and empty.dtype is a.dtype
    assert a.sum_to_size(3, 1).tolist() == torch.ones(2, 3, 4).sum_to_size(3, 1).tolist()
    for size in ((2, 4), (5, 3, 4)):
        with pytest.raises(ValueError, match="sum_to_size"):
            a.sum_to_size(*size)


def test_scatter_family_inplace_and_gradients():
    index = [[0, 2], [1, 0]]
    for lib in (minitorch, torch):
        a = lib.zeros(3, 3, dtype=lib.float64)
        a.scatter_(0, lib.tensor(index), 1.5)
        a.scatter_add_(1, lib.tensor(index), lib.ones(2, 2, dtype=lib.float64))
        a.index_add_(0, lib.tensor([2, 2]), lib.ones(2, 3, dtype=lib.float64), alpha=2)
        if lib is minitorch:
            actual = a.tolist()
        else:
            assert actual == a.tolist()
    src = minitorch.ones(3, 3, requires_grad=True)
    base = minitorch.zeros(3, 3, requires_grad=True)
    base.scatter(0, minitorch.tensor([[0, 2]]), src).sum().backward()
    assert src.grad.tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 0]]
    assert base.grad.tolist() == [[0, 1, 1], [1, 1, 1], [1, 0, 1]]


@pytest.mark.parametrize("call,error,message", [
    (lambda: minitorch.zeros(3).scatter(0, minitorch.tensor([3]), 1.0), IndexError,
     "out of range"),
    (lambda: minitorch.zeros(3).scatter(0, minitorch.tensor([[0]]), 1.0), ValueError,
     "as many dims"),
    (lambda: minitorch.zeros(3).scatter(0, minitorch.tensor([0, 1]), minitorch.ones(1)),
     ValueError, "no larger than src"),
    (lambda: minitorch.zeros(3).scatter(0, minitorch.tensor([0]),
                                        minitorch.ones(1, dtype=minitorch.float64)),
     TypeError, "dtype"),
    (lambda: minitorch.zeros(3).scatter(0, minitorch.tensor([0.0]), 1.0), TypeError, "int64"),
    (lambda: minitorch.zeros(3, 2).index_add(0, minitorch.tensor([0]), minitorch.ones(2, 2)),
     ValueError, "source of shape"),
    (lambda: minitorch.zeros(3).masked_select(minitorch.ones(3)), TypeError, "bool mask"),
    (lambda: minitorch.addcdiv(minitorch.ones(2), minitorch.tensor([3]), minitorch.tensor([4])),
     TypeError, "integer division"),
    (lambda: minitorch.addmm(minitorch.ones(3, 3), minitorch.ones(2, 3), minitorch.ones(3, 2)),
     ValueError, "addmm"),
    (lambda: minitorch.hypot(minitorch.tensor([3]), minitorch.tensor([4])), TypeError,
     "floating-point"),
    (lambda: minitorch.diff(minitorch.tensor(1.0)), ValueError, "one-dimensional"),
    (lambda: minitorch.diag(minitorch.ones(2, 2, 2)), ValueError, "1-d or 2-d"),
    (lambda: minitorch.ones(2, 2).rot90(1, (0, 0)), ValueError, "different"),
    (lambda: minitorch.cross(minitorch.ones(2, 4), minitorch.ones(2, 4)), ValueError, "size 3"),
    (lambda: minitorch.ones(4).unflatten(0, (3, -1)), ValueError, "unflatten"),
    (lambda: minitorch.ones(4).select(0, 4), IndexError, "out of range"),
    (lambda: minitorch.ones(4).tensor_split(0), ValueError, "positive"),
])
def test_errors_name_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_value_ops_match_torch():
    data = [[0.0, 1.0, -2.0], [3.0, 0.0, 2.0]]
    cases = [
        lambda lib: lib.argwhere(lib.tensor(data)),
        lambda lib: lib.isin(lib.tensor(data), lib.tensor([0.0, 3.0])),
        lambda lib: lib.isin(lib.tensor(data), lib.tensor([0.0, 3.0]), invert=True),
        lambda lib: lib.diff(lib.tensor([True, False, False])),
        lambda lib: lib.diff(lib.tensor([1, 4, 9, 16]), n=2),
        lambda lib: lib.diff(lib.tensor(data), n=5, dim=0),
        lambda lib: lib.nan_to_num(lib.tensor([1, 2])),
        lambda lib: lib.nan_to_num(lib.tensor([float("nan"), float("inf"), -float("inf"), 1.0])),
        lambda lib: lib.nan_to_num(lib.tensor([float("nan"), float("inf"), -float("inf")]),
                                   nan=1.0, posinf=2.0, neginf=-3.0),
        lambda lib: lib.xlogy(lib.tensor([0.0, 0.0, 2.0]), lib.tensor([0.0, float("nan"), 3.0])),
        lambda lib: lib.logaddexp(lib.tensor([float("inf"), -float("inf"), 1.0]),
                                  lib.tensor([float("inf"), -float("inf"), 1.0])),
        lambda lib: lib.float_power(lib.tensor([1, 2]), 2),
        lambda lib: lib.float_power(2, lib.tensor([1.0, 2.0])),
        lambda lib: lib.logit(lib.tensor([1, 0])),
        lambda lib: lib.tan(lib.tensor([1, 2])),
        lambda lib: lib.hstack([lib.tensor(1.0), lib.tensor([2.0, 3.0])]),
        lambda lib: lib.column_stack([lib.tensor([1, 2]), lib.tensor([[3], [4]])]),
        lambda lib: lib.dstack([lib.tensor(1), lib.tensor(2)]),
        lambda lib: lib.vstack([lib.tensor([1, 2]), lib.tensor([[3, 4]])]),
        lambda lib: lib.diag(lib.tensor([1, 2]), -1),
        lambda lib: lib.kron(lib.tensor([[1, 2]]), lib.tensor([1, 10, 100])),
        lambda lib: lib.masked_select(lib.tensor(data), lib.tensor([True, False, True])),
        lambda lib: lib.tensor(data).take_along_dim(lib.tensor([5, 0])),
        lambda lib: lib.tensor(data).greater(0).logical_and(lib.tensor(data).less_equal(2)),
    ]
    for position, case in enumerate(cases):
        actual, expected = case(minitorch), case(torch)
        assert actual.dtype.name == str(expected.dtype).replace("torch.", ""), position
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-6,
                                   err_msg=str(position))
