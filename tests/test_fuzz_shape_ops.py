"""Differences from PyTorch found by differential fuzzing of the shape, gather/scatter and
selection ops (0-d inputs, negative index_fill positions, bool and int64 extremes in
scatter_reduce, unique along a dim, nan in searchsorted's sequence and histc's range),
each checked against torch itself on the numpy and c backends."""
import math

import numpy as np
import pytest
import torch

import minitorch

from nn_helpers import backend  # noqa: F401

NAN, INF = math.nan, math.inf


def _same(ours, theirs):
    """ours (minitorch) equals theirs (torch): shape, dtype name, values (nan where
    theirs is nan)."""
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def _pair(values, dtype=None):
    """The same values as a minitorch and a torch tensor."""
    array = np.array(values, dtype=dtype)
    return minitorch.tensor(array), torch.from_numpy(array)


@pytest.mark.parametrize("op, args", [
    ("flatten", (1,)), ("flatten", (0, 1)), ("unbind", (0,)), ("diag_embed", ()),
    ("movedim", (1, 0))])
def test_zero_dim_bad_dims_raise_index_error(backend, op, args):
    a, ta = _pair(2.0, "float32")
    with pytest.raises(IndexError):
        getattr(torch, op)(ta, *args)
    with pytest.raises(IndexError, match=op):
        getattr(minitorch, op)(a, *args)


@pytest.mark.parametrize("source, destination", [(0, 0), (-1, 0), ((0,), (-1,))])
def test_movedim_of_zero_dim_tensor(backend, source, destination):
    a, ta = _pair(2.0, "float32")
    _same(minitorch.movedim(a, source, destination), torch.movedim(ta, source, destination))


def test_index_fill_counts_negative_positions_from_the_end(backend):
    a, ta = _pair(np.arange(6.0).reshape(2, 3), "float64")
    a.requires_grad_(True)
    ta.requires_grad_(True)
    value, tvalue = _pair(7.0, "float64")
    value.requires_grad_(True)
    tvalue.requires_grad_(True)
    index, tindex = _pair([-1, 0, -3])
    result = a.index_fill(1, index, value)
    _same(result, ta.detach().index_fill(1, tindex, tvalue.detach()))
    # torch's own backward fails on negative positions: its gradient from the wrapped ones
    expected = ta.index_fill(1, tindex % 3, tvalue)
    _same(result, expected)
    weights = np.arange(1.0, 7.0).reshape(2, 3)
    (result * minitorch.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    _same(a.grad, ta.grad)
    _same(value.grad, tvalue.grad)
    zero_dim, tzero_dim = _pair(1.0, "float32")
    last, tlast = _pair([-1])
    _same(zero_dim.index_fill(0, last, 5), tzero_dim.index_fill(0, tlast, 5))


def test_index_fill_refuses_positions_before_the_start(backend):
    a = minitorch.zeros(3)
    with pytest.raises(IndexError, match="index_fill: index -4"):
        a.index_fill_(0, minitorch.tensor([0, -4]), 1.0)
    assert a.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("op", ["index_select", "index_add", "index_copy"])
def test_index_of_two_dims_is_an_index_error(backend, op):
    arguments = {"index_select": (), "index_add": (minitorch.ones(1, 2),),
                 "index_copy": (minitorch.ones(1, 2),)}[op]
    with pytest.raises(IndexError, match=op):
        getattr(minitorch.zeros(3, 2), op)(0, minitorch.tensor([[0]]), *arguments)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_extremes_of_bools(backend, reduce, include_self):
    a, ta = _pair([True, False, True])
    src, tsrc = _pair([False, True, False, True])
    index, tindex = _pair([0, 1, 1, 0])
    _same(minitorch.scatter_reduce(a, 0, index, src, reduce, include_self=include_self),
          torch.scatter_reduce(ta, 0, tindex, tsrc, reduce, include_self=include_self))


def test_scatter_reduce_amax_keeps_the_smallest_int64(backend):
    lowest = np.iinfo(np.int64).min
    a, ta = _pair([0, 0])
    src, tsrc = _pair([lowest, lowest, lowest])
    index, tindex = _pair([0, 0, 1])   # groups of two sizes: the shorter one is padded
    ours = minitorch.scatter_reduce(a, 0, index, src, "amax", include_self=False)
    theirs = torch.scatter_reduce(ta, 0, tindex, tsrc, "amax", include_self=False)
    assert ours.tolist() == theirs.tolist() == [lowest, lowest]


@pytest.mark.parametrize("op, args", [("sort", ()), ("topk", (2,)), ("kthvalue", (1,)),
                                      ("mode", ()), ("cummax", (0,))])
def test_values_and_indices_pairs_have_a_length(backend, op, args):
    a, ta = _pair([3.0, 1.0, 2.0], "float32")
    ours, theirs = getattr(minitorch, op)(a, *args), getattr(torch, op)(ta, *args)
    assert len(ours) == len(theirs) == 2
    for mine, reference in zip(ours, theirs):
        _same(mine, reference)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("shape, dim", [((6, 3), 0), ((6, 3), 1), ((4, 3, 2), -1),
                                        ((4, 3, 2), 1), ((5,), 0), ((0, 3), 0),
                                        ((3, 0), 1)])
def test_unique_along_a_dim(backend, dtype, shape, dim):
    a, ta = _pair(np.random.default_rng(0).integers(-1, 2, shape), dtype)
    ours = minitorch.unique(a, return_inverse=True, return_counts=True, dim=dim)
    theirs = torch.unique(ta, return_inverse=True, return_counts=True, dim=dim)
    for mine, reference in zip(ours, theirs):
        _same(mine, reference)
    _same(minitorch.unique(a, sorted=False, dim=dim), torch.unique(ta, sorted=False, dim=dim))


def test_unique_along_a_dim_keeps_signed_zeros_together(backend):
    a, ta = _pair([[-0.0, 1.0], [0.0, 1.0], [-1.0, 2.0]], "float64")
    _same(minitorch.unique(a, dim=0), torch.unique(ta, dim=0))


@pytest.mark.parametrize("shape, dim, error", [((), 0, IndexError), ((3, 0), 0, RuntimeError),
                                               ((2, 3), 2, IndexError)])
def test_unique_along_a_dim_refuses_what_torch_refuses(backend, shape, dim, error):
    with pytest.raises(error):
        torch.unique(torch.zeros(shape), dim=dim)
    with pytest.raises(error, match="unique"):
        minitorch.unique(minitorch.zeros(shape), dim=dim)


@pytest.mark.parametrize("sequence", [[1.0, 2.0, 2.0, 3.0, NAN], [NAN, NAN],
                                      [1.0, NAN, 2.0, 3.0], [-INF, 0.0, INF]])
@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_passes_over_nan_as_torch(backend, sequence, right):
    boundaries, tboundaries = _pair(sequence, "float32")
    values, tvalues = _pair([2.0, 0.0, 5.0, NAN, -INF, INF], "float32")
    _same(minitorch.searchsorted(boundaries, values, right=right),
          torch.searchsorted(tboundaries, tvalues, right=right))
    _same(minitorch.bucketize(values, boundaries, right=right),
          torch.bucketize(tvalues, tboundaries, right=right))
    rows, trows = _pair([sequence, sorted(sequence)], "float32")
    queries, tqueries = _pair([[2.0, NAN], [INF, 1.0]], "float32")
    _same(minitorch.searchsorted(rows, queries, side="right" if right else "left"),
          torch.searchsorted(trows, tqueries, side="right" if right else "left"))


@pytest.mark.parametrize("values", [[NAN, 1.0], [INF, 1.0]])
def test_histc_automatic_range_is_not_finite_with_nan_or_inf(backend, values):
    a, ta = _pair(values, "float32")
    with pytest.raises(RuntimeError):
        torch.histc(ta, bins=4)
    with pytest.raises(ValueError, match="histc: range"):
        minitorch.histc(a, bins=4)
    _same(minitorch.histc(a, bins=4, min=0, max=3), torch.histc(ta, bins=4, min=0, max=3))


def test_block_diag_of_nothing_has_the_default_dtype(backend):
    _same(minitorch.block_diag(), torch.block_diag())


@pytest.mark.parametrize("op", ["cross", "linalg.cross"])
def test_cross_refuses_mixed_dtypes(backend, op):
    ours = minitorch.linalg.cross if op == "linalg.cross" else minitorch.cross
    theirs = torch.linalg.cross if op == "linalg.cross" else torch.cross
    with pytest.raises(RuntimeError):
        theirs(torch.tensor([1, 2, 3]), torch.tensor([1.0, 2.0, 4.0]))
    with pytest.raises(TypeError, match="cross: expected both tensors to have the same dtype"):
        ours(minitorch.tensor([1, 2, 3]), minitorch.tensor([1.0, 2.0, 4.0]))


@pytest.mark.parametrize("rows, queries", [((2, 3), (2, 0)), ((2, 0), (2, 2)), ((0, 3), (0, 2))])
def test_searchsorted_row_by_row_with_empty_rows(backend, rows, queries):
    _same(minitorch.searchsorted(minitorch.zeros(rows), minitorch.ones(queries)),
          torch.searchsorted(torch.zeros(rows), torch.ones(queries)))


@pytest.mark.parametrize("name", ["numpy", "python", "c"])
def test_gathering_rows_of_zero_elements_keeps_the_shape_as_torch(name):
    with minitorch.use_backend(name):
        a = minitorch.zeros(2, 0, 3)
        rows = minitorch.tensor([1, 0, 1])
        assert a[rows].shape == tuple(torch.zeros(2, 0, 3)[torch.tensor([1, 0, 1])].shape)
        assert a.flip(0).shape == (2, 0, 3)
        assert minitorch.zeros(2, 0).index_select(0, rows).shape == (3, 0)


@pytest.mark.parametrize("name", ["numpy", "python", "c"])
def test_cat_keeps_legacy_empty_tensors_in_the_graph_as_torch(name):
    with minitorch.use_backend(name):
        x = minitorch.randn(3, requires_grad=True)
        y = minitorch.randn(2, 4, requires_grad=True)
        joined = minitorch.cat([x[:0], y, minitorch.zeros(0, dtype=minitorch.float64)], 1)
        joined.sum().backward()
        padded = minitorch.nn.functional.pad(x, (2, -3))   # cat of x[:0] with zeros
        padded.sum().backward()
    tx, ty = torch.randn(3, requires_grad=True), torch.randn(2, 4, requires_grad=True)
    expected = torch.cat([tx[:0], ty, torch.zeros(0, dtype=torch.float64)], 1)
    expected.sum().backward()
    torch.nn.functional.pad(tx, (2, -3)).sum().backward()
    assert joined.dtype is minitorch.float64 and joined.shape == tuple(expected.shape)
    assert x.grad is not None and x.grad.tolist() == tx.grad.tolist()   # zeros, not None
    assert y.grad.tolist() == ty.grad.tolist()
