"""Sorting and selection (minitorch/selection.py), each compared with PyTorch on every
backend: values, indices, dtypes and shapes, along every dim (negative ones too), on
transposed views, 0-d and empty tensors, where nan goes, float64 gradients, and the
errors PyTorch raises. Where PyTorch leaves the order of equal elements unspecified, the
inputs are distinct or the comparison uses stable=True."""
import re

import numpy as np
import pytest
import torch

import minitorch
from minitorch import selection

NAN = float("nan")
INF = float("inf")


# ---- helpers ----------------------------------------------------------------------------

def both(array, requires_grad=False):
    """The same numpy array as a minitorch tensor (on the current backend) and a torch
    tensor, with the array's dtype."""
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def assert_same(ours, theirs, backend_name):
    """Same shape, dtype and values (nan where PyTorch has nan), on the expected backend."""
    assert ours.backend == backend_name
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


def assert_same_pair(ours, theirs, backend_name, op_name):
    """A (values, indices) result equal to PyTorch's, named after its op; indices are
    int64 and carry no gradient."""
    assert repr(ours).startswith(f"minitorch.return_types.{op_name}(\nvalues=")
    assert_same(ours.values, theirs.values, backend_name)
    assert_same(ours.indices, theirs.indices, backend_name)
    assert not ours.indices.requires_grad


def with_ties_and_specials(dtype, shape, seed=0):
    """Small integers (many ties) of dtype; floats also get two nans, inf, -inf, -0.0."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    array = rng.integers(-3, 4, shape).astype(dtype)
    if dtype != "int64":
        flat = array.reshape(-1)
        flat[rng.choice(flat.size, 5, replace=False)] = [NAN, NAN, INF, -INF, -0.0]
    return array


def distinct(dtype, shape, seed=0):
    """Distinct values of dtype (a shuffled ramp, scaled for floats)."""
    rng = np.random.default_rng(seed)
    ramp = rng.permutation(int(np.prod(shape))).reshape(shape)
    return ramp.astype(dtype) if dtype == "int64" else (ramp * 0.75 - 5).astype(dtype)


def one_nan_per_row(shape, dtype="float32", seed=0):
    """Distinct floats with exactly one nan in each slice along the last dim."""
    array = distinct(dtype, shape, seed)
    rows = array.reshape(-1, shape[-1])
    rows[np.arange(len(rows)), np.random.default_rng(seed + 1).integers(0, shape[-1],
                                                                          len(rows))] = NAN
    return array


def transposed(tensor):
    """A non-contiguous view: the first and last dims swapped."""
    return tensor.transpose(0, tensor.ndim - 1)


def expect_errors(error, pattern, ours, theirs):
    """ours raises error with a message matching pattern, and PyTorch raises error too."""
    with pytest.raises(error, match=pattern):
        ours()
    with pytest.raises(error):
        theirs()


DIMS_3D = (0, 1, 2, -1, -3)
FLOAT_DTYPES = ("float32", "float64")
DTYPES = FLOAT_DTYPES + ("int64",)


# ---- sort, argsort, msort ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + ("bool",))
@pytest.mark.parametrize("dim", DIMS_3D)
@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_with_ties_and_nan_matches_torch(backend_name, dtype, dim, descending):
    ours, theirs = both(with_ties_and_specials(dtype, (3, 4, 5)))
    options = dict(dim=dim, descending=descending, stable=True)
    assert_same_pair(selection.sort(ours, **options), torch.sort(theirs, **options),
                     backend_name, "sort")
    assert_same(selection.argsort(ours, **options), torch.argsort(theirs, **options),
                backend_name)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_of_a_transposed_view_matches_torch(backend_name, dim, descending):
    ours, theirs = both(with_ties_and_specials("float32", (4, 3, 5), seed=3))
    assert not transposed(ours).is_contiguous()
    options = dict(dim=dim, descending=descending, stable=True)
    assert_same_pair(selection.sort(transposed(ours), **options),
                     torch.sort(transposed(theirs), **options), backend_name, "sort")


def test_sort_defaults_to_the_last_dim_and_places_nan_as_the_largest(backend_name):
    ours, theirs = both(np.array([[3.0, NAN, -INF, 1.0], [NAN, 2.0, INF, 0.0]]))
    values, indices = selection.sort(ours)
    assert values.tolist()[0][:3] == [-INF, 1.0, 3.0] and np.isnan(values.tolist()[0][3])
    assert indices.tolist() == [[2, 3, 0, 1], [3, 1, 2, 0]]
    assert_same_pair(selection.sort(ours), torch.sort(theirs), backend_name, "sort")
    assert_same_pair(selection.sort(ours, descending=True), torch.sort(theirs, descending=True),
                     backend_name, "sort")


@pytest.mark.parametrize("dtype", DTYPES + ("bool",))
def test_msort_sorts_along_the_first_dim_as_torch(backend_name, dtype):
    ours, theirs = both(distinct(dtype, (5, 3)) if dtype != "bool" else
                        with_ties_and_specials(dtype, (5, 3)))
    assert_same(selection.msort(ours), torch.msort(theirs), backend_name)
    assert_same(selection.msort(transposed(ours)), torch.msort(transposed(theirs)), backend_name)


# ---- topk -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", DIMS_3D)
@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_torch(backend_name, dtype, dim, largest):
    ours, theirs = both(distinct(dtype, (3, 4, 5)))
    for k in range(0, (3, 4, 5)[dim] + 1):
        assert_same_pair(selection.topk(ours, k, dim, largest),
                         torch.topk(theirs, k, dim, largest), backend_name, "topk")


@pytest.mark.parametrize("largest", [True, False])
def test_topk_of_a_transposed_view_with_one_nan_per_row_matches_torch(backend_name, largest):
    ours, theirs = both(one_nan_per_row((4, 6)))
    assert_same_pair(selection.topk(transposed(ours), 3, dim=0, largest=largest),
                     torch.topk(transposed(theirs), 3, dim=0, largest=largest),
                     backend_name, "topk")
    values = selection.topk(ours, 1).values   # nan is the largest
    assert np.isnan(values.numpy()).all()


def test_topk_unsorted_selects_the_same_elements_as_torch(backend_name):
    """PyTorch's order with sorted=False is unspecified: compare the selected sets."""
    ours, theirs = both(distinct("float32", (3, 7)))
    mine, reference = selection.topk(ours, 4, sorted=False), torch.topk(theirs, 4, sorted=False)
    np.testing.assert_array_equal(np.sort(mine.indices.numpy(), 1),
                                  np.sort(reference.indices.numpy(), 1))
    np.testing.assert_array_equal(np.sort(mine.values.numpy(), 1),
                                  np.sort(reference.values.numpy(), 1))


# ---- kthvalue, median -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", DIMS_3D)
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue_matches_torch(backend_name, dtype, dim, keepdim):
    ours, theirs = both(distinct(dtype, (3, 4, 5)))
    for k in range(1, (3, 4, 5)[dim] + 1):
        assert_same_pair(selection.kthvalue(ours, k, dim, keepdim),
                         torch.kthvalue(theirs, k, dim, keepdim), backend_name, "kthvalue")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", DIMS_3D)
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_along_a_dim_matches_torch(backend_name, dtype, dim, keepdim):
    ours, theirs = both(distinct(dtype, (3, 4, 5)))   # odd and even slice sizes
    assert_same_pair(selection.median(ours, dim, keepdim), torch.median(theirs, dim, keepdim),
                     backend_name, "median")


def test_kthvalue_and_median_of_a_transposed_view_with_nan_match_torch(backend_name):
    ours, theirs = both(one_nan_per_row((4, 6)))
    for dim in (0, 1):
        for k in (1, 3, 4):
            assert_same_pair(selection.kthvalue(transposed(ours), k, dim),
                             torch.kthvalue(transposed(theirs), k, dim), backend_name,
                             "kthvalue")
    # the median of a slice holding a nan is that nan, at its index
    assert_same_pair(selection.median(ours, 1), torch.median(theirs, 1), backend_name, "median")
    assert np.isnan(selection.median(ours, 1).values.numpy()).all()
    assert_same_pair(selection.median(transposed(ours), 0, keepdim=True),
                     torch.median(transposed(theirs), 0, keepdim=True), backend_name, "median")


@pytest.mark.parametrize("data", [
    [[4.0, 1.0, 3.0], [2.0, 6.0, 5.0]],            # odd count
    [4.0, 1.0, 3.0, 2.0],                          # even: the lower median, 2
    [2.0, 2.0, 1.0, 2.0, 3.0],                     # ties
    [3.0, NAN, 1.0],                               # nan propagates
    [[7, 1, 3, 5]],                                # int64
    [-INF, INF, 0.0],
])
def test_median_of_all_elements_matches_torch(backend_name, data):
    ours, theirs = both(np.array(data))
    assert_same(selection.median(ours), torch.median(theirs), backend_name)
    assert_same(selection.median(transposed(ours)), torch.median(transposed(theirs)),
                backend_name)


# ---- gradients (float64, each compared with PyTorch's) ----------------------------------

GRADIENT_CASES = {
    "sort": lambda lib, x: lib.sort(x, 1).values,
    "sort descending dim 0": lambda lib, x: lib.sort(x, 0, descending=True).values,
    "msort": lambda lib, x: lib.msort(x),
    "topk": lambda lib, x: lib.topk(x, 2, dim=-1).values,
    "topk smallest dim 0": lambda lib, x: lib.topk(x, 3, dim=0, largest=False).values,
    "kthvalue": lambda lib, x: lib.kthvalue(x, 2, 1).values,
    "kthvalue keepdim": lambda lib, x: lib.kthvalue(x, 3, 0, keepdim=True).values,
    "median dim": lambda lib, x: lib.median(x, -1).values,
    "median dim keepdim": lambda lib, x: lib.median(x, 0, keepdim=True).values,
    "median": lambda lib, x: lib.median(x),
}


@pytest.mark.parametrize("case", GRADIENT_CASES)
@pytest.mark.parametrize("view", [False, True])
def test_gradients_reach_the_selected_positions_as_torch(backend_name, case, view):
    """Each selected value weighted differently, so a gradient sent to the wrong position
    shows."""
    ours, theirs = both(distinct("float64", (5, 4)), requires_grad=True)
    for lib, make, leaf in ((selection, minitorch.tensor, ours), (torch, torch.tensor, theirs)):
        values = GRADIENT_CASES[case](lib, transposed(leaf) if view else leaf)
        assert values.requires_grad
        weights = np.linspace(0.5, 2.0, values.numel()).reshape(tuple(values.shape))
        (values * make(weights)).sum().backward()
    assert_same(ours.grad, theirs.grad, backend_name)


@pytest.mark.parametrize("data", [[2.0, 2.0, 1.0, 2.0], [NAN, 2.0, NAN], [1.0, 3.0, 3.0, 5.0]])
def test_median_of_all_shares_its_gradient_among_equal_elements_as_torch(backend_name, data):
    """PyTorch's median() spreads the gradient evenly over every element equal to the
    median (every nan when it is nan), unlike median(dim)."""
    ours, theirs = both(np.array(data), requires_grad=True)
    selection.median(ours).backward()
    torch.median(theirs).backward()
    assert_same(ours.grad, theirs.grad, backend_name)


def test_repeated_selections_add_their_gradients(backend_name):
    ours, theirs = both(distinct("float64", (2, 3)), requires_grad=True)
    for lib, leaf in ((selection, ours), (torch, theirs)):
        (lib.sort(leaf, 1).values.sum() + lib.topk(leaf, 1, 0).values.sum() * 3
         + lib.median(leaf, 1).values.sum()).backward()
    assert_same(ours.grad, theirs.grad, backend_name)


# ---- 0-d and empty tensors --------------------------------------------------------------

ZERO_D_CASES = {
    "sort": lambda lib, x: lib.sort(x),
    "sort dim 0 descending": lambda lib, x: lib.sort(x, 0, True),
    "topk 1": lambda lib, x: lib.topk(x, 1),
    "topk 0": lambda lib, x: lib.topk(x, 0),   # PyTorch: a 0-d tensor is its own top-0
    "kthvalue": lambda lib, x: lib.kthvalue(x, 1, -1),
    "kthvalue keepdim": lambda lib, x: lib.kthvalue(x, 1, 0, keepdim=True),
    "median dim": lambda lib, x: lib.median(x, 0),
    "median dim keepdim": lambda lib, x: lib.median(x, -1, keepdim=True),
}


@pytest.mark.parametrize("case", ZERO_D_CASES)
def test_a_zero_d_tensor_is_one_element_along_dim_0_as_in_torch(backend_name, case):
    ours, theirs = both(np.array(2.5), requires_grad=True)
    mine, reference = ZERO_D_CASES[case](selection, ours), ZERO_D_CASES[case](torch, theirs)
    assert_same_pair(mine, reference, backend_name, case.split()[0])
    mine.values.backward()
    reference.values.backward()
    assert_same(ours.grad, theirs.grad, backend_name)


def test_zero_d_argsort_msort_median_unique_nonzero_count_nonzero_match_torch(backend_name):
    for value in (3, 0.0, 2.5):
        ours, theirs = both(np.array(value))
        for name in ("argsort", "msort", "median", "unique", "nonzero", "count_nonzero"):
            assert_same(getattr(selection, name)(ours), getattr(torch, name)(theirs),
                        backend_name)
        for mine, reference in zip(selection.nonzero(ours, as_tuple=True),
                                   torch.nonzero(theirs, as_tuple=True), strict=True):
            assert_same(mine, reference, backend_name)


EMPTY_CASES = {
    "sort dim 0": lambda lib, x: lib.sort(x, 0),
    "sort dim 1": lambda lib, x: lib.sort(x, 1, descending=True),
    "topk 0 of an empty dim": lambda lib, x: lib.topk(x, 0, 0),
    "topk along a full dim": lambda lib, x: lib.topk(x, 2, 1),
    "kthvalue along a full dim": lambda lib, x: lib.kthvalue(x, 3, 1),
    "median along a full dim": lambda lib, x: lib.median(x, 1, keepdim=True),
}


@pytest.mark.parametrize("case", EMPTY_CASES)
def test_empty_tensors_give_empty_results_as_torch(backend_name, case):
    ours, theirs = both(np.zeros((0, 3), np.float32))
    assert_same_pair(EMPTY_CASES[case](selection, ours), EMPTY_CASES[case](torch, theirs),
                     backend_name, case.split()[0])


def test_empty_argsort_msort_median_nonzero_count_nonzero_match_torch(backend_name):
    ours, theirs = both(np.zeros((2, 0), np.float64))
    assert_same(selection.argsort(ours, 0), torch.argsort(theirs, 0), backend_name)
    assert_same(selection.msort(ours), torch.msort(theirs), backend_name)
    assert_same(selection.median(ours), torch.median(theirs), backend_name)   # nan
    assert_same(selection.nonzero(ours), torch.nonzero(theirs), backend_name)
    assert_same(selection.count_nonzero(ours, 1), torch.count_nonzero(theirs, 1), backend_name)


# ---- unique -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + ("bool",))
@pytest.mark.parametrize("return_inverse", [False, True])
@pytest.mark.parametrize("return_counts", [False, True])
def test_unique_matches_torch(backend_name, dtype, return_inverse, return_counts):
    ours, theirs = both(with_ties_and_specials(dtype, (3, 5), seed=1))
    options = dict(return_inverse=return_inverse, return_counts=return_counts)
    for x, t in ((ours, theirs), (transposed(ours), transposed(theirs))):
        mine, reference = selection.unique(x, **options), torch.unique(t, **options)
        if not (return_inverse or return_counts):
            mine, reference = (mine,), (reference,)
        assert isinstance(mine, tuple) and len(mine) == len(reference)
        for part, expected in zip(mine, reference):
            assert_same(part, expected, backend_name)


def test_unique_keeps_each_nan_apart_as_torch(backend_name):
    ours, theirs = both(np.array([3.0, NAN, 1.0, NAN, 3.0, 1.0], np.float32))
    mine = selection.unique(ours, return_inverse=True, return_counts=True)
    reference = torch.unique(theirs, return_inverse=True, return_counts=True)
    for part, expected in zip(mine, reference, strict=True):
        assert_same(part, expected, backend_name)
    assert mine[2].tolist() == [2, 2, 1, 1]


def test_unique_unsorted_gives_the_same_elements_as_torch(backend_name):
    """PyTorch's order with sorted=False is unspecified: compare as sets, and check that
    the inverse still maps back to the input."""
    data = np.array([[5, 1, 4], [2, 5, 1]])
    ours, theirs = both(data)
    values, inverse = selection.unique(ours, sorted=False, return_inverse=True)
    assert sorted(values.tolist()) == sorted(torch.unique(theirs, sorted=False).tolist())
    np.testing.assert_array_equal(values.numpy()[inverse.numpy()], data)


def test_unique_of_an_empty_tensor_matches_torch(backend_name):
    ours, theirs = both(np.zeros((0, 2), np.float32))
    for part, expected in zip(selection.unique(ours, return_inverse=True, return_counts=True),
                              torch.unique(theirs, return_inverse=True, return_counts=True),
                              strict=True):
        assert_same(part, expected, backend_name)


def test_unique_is_not_differentiable_as_in_torch(backend_name):
    ours = minitorch.tensor([2.0, 1.0, 2.0], requires_grad=True)
    values = selection.unique(ours)
    assert values.requires_grad   # as torch's, whose backward then refuses
    with pytest.raises(NotImplementedError, match="unique: the derivative is not implemented"):
        values.sum().backward()
    theirs = torch.unique(torch.tensor([2.0, 1.0, 2.0], requires_grad=True))
    with pytest.raises(NotImplementedError):
        theirs.sum().backward()


# ---- nonzero, count_nonzero -------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + ("bool",))
def test_nonzero_matches_torch(backend_name, dtype):
    ours, theirs = both(with_ties_and_specials(dtype, (3, 4, 2), seed=2))   # nan, -0.0 too
    for x, t in ((ours, theirs), (transposed(ours), transposed(theirs))):
        assert_same(selection.nonzero(x), torch.nonzero(t), backend_name)
        for mine, reference in zip(selection.nonzero(x, as_tuple=True),
                                   torch.nonzero(t, as_tuple=True), strict=True):
            assert_same(mine, reference, backend_name)


@pytest.mark.parametrize("dtype", DTYPES + ("bool",))
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2), (), [1]])
def test_count_nonzero_matches_torch(backend_name, dtype, dim):
    ours, theirs = both(with_ties_and_specials(dtype, (3, 4, 2), seed=2))
    assert_same(selection.count_nonzero(ours, dim), torch.count_nonzero(theirs, dim),
                backend_name)
    assert_same(selection.count_nonzero(transposed(ours), dim),
                torch.count_nonzero(transposed(theirs), dim), backend_name)


# ---- the result pair --------------------------------------------------------------------

def test_the_pair_unpacks_indexes_and_names_its_op(backend_name):
    ours = minitorch.tensor([3.0, 1.0, 2.0])
    pair = selection.topk(ours, 2)
    values, indices = pair
    assert pair[0] is values is pair.values and pair[1] is indices is pair.indices
    assert repr(pair) == ("minitorch.return_types.topk(\nvalues=tensor([3., 2.]),\n"
                          "indices=tensor([0, 2]))")
    assert repr(torch.topk(torch.tensor([3.0, 1.0, 2.0]), 2)) == repr(pair).replace(
        "minitorch.", "torch.")


# ---- errors -----------------------------------------------------------------------------

def test_k_out_of_range_names_the_op_and_the_shape(backend_name):
    ours, theirs = both(np.arange(6.0).reshape(2, 3))
    for k in (-1, 4):
        expect_errors(RuntimeError, re.escape(f"topk: k={k} is out of range for dimension 1 "
                                              "of size 3 (input shape 2x3;"),
                      lambda: selection.topk(ours, k), lambda: torch.topk(theirs, k))
    for k in (0, 4):
        expect_errors(RuntimeError, re.escape(f"kthvalue: k={k} is out of range for dimension"
                                              " 1 of size 3 (input shape 2x3;"),
                      lambda: selection.kthvalue(ours, k), lambda: torch.kthvalue(theirs, k))
    expect_errors(RuntimeError, "topk: k=2 is out of range for dimension 0 of size 1",
                  lambda: selection.topk(ours[0, 0], 2), lambda: torch.topk(theirs[0, 0], 2))
    expect_errors(RuntimeError, "kthvalue: k=2 is out of range",
                  lambda: selection.kthvalue(ours[0, 0], 2),
                  lambda: torch.kthvalue(theirs[0, 0], 2))


@pytest.mark.parametrize("k", [1.0, True, "1"])
def test_k_must_be_an_int(backend_name, k):
    ours, theirs = both(np.arange(3.0))
    expect_errors(TypeError, f"topk: k must be an int, got {type(k).__name__}",
                  lambda: selection.topk(ours, k), lambda: torch.topk(theirs, k))
    expect_errors(TypeError, f"kthvalue: k must be an int, got {type(k).__name__}",
                  lambda: selection.kthvalue(ours, k), lambda: torch.kthvalue(theirs, k))


@pytest.mark.parametrize("name, call", [
    ("sort", lambda lib, x: lib.sort(x, 2)),
    ("argsort", lambda lib, x: lib.argsort(x, -3)),
    ("topk", lambda lib, x: lib.topk(x, 1, 2)),
    ("kthvalue", lambda lib, x: lib.kthvalue(x, 1, -3)),
    ("median", lambda lib, x: lib.median(x, 2)),
    ("count_nonzero", lambda lib, x: lib.count_nonzero(x, 2)),
])
def test_dim_out_of_range_is_an_index_error(backend_name, name, call):
    ours, theirs = both(np.ones((2, 3)))
    expect_errors(IndexError, f"^{name}: dimension -?[23] is out of range",
                  lambda: call(selection, ours), lambda: call(torch, theirs))


@pytest.mark.parametrize("name, call", [
    ("kthvalue", lambda lib, x: lib.kthvalue(x, 1, 0)),
    ("median", lambda lib, x: lib.median(x, 0)),
])
def test_selecting_from_an_empty_slice_is_an_index_error(backend_name, name, call):
    ours, theirs = both(np.zeros((0, 3), np.float32))
    expect_errors(IndexError, re.escape(f"{name}: expected reduction dim 0 to have non-zero "
                                        "size (input shape 0x3)"),
                  lambda: call(selection, ours), lambda: call(torch, theirs))


@pytest.mark.parametrize("name, call", [
    ("topk", lambda lib, x: lib.topk(x, 1)),
    ("kthvalue", lambda lib, x: lib.kthvalue(x, 1)),
    ("median", lambda lib, x: lib.median(x)),
    ("median", lambda lib, x: lib.median(x, 0)),
])
def test_topk_kthvalue_and_median_refuse_bool_as_torch(backend_name, name, call):
    ours, theirs = both(np.array([True, False]))
    expect_errors(RuntimeError, f"{name}: not implemented for bool tensors",
                  lambda: call(selection, ours), lambda: call(torch, theirs))


def test_median_of_an_empty_integer_tensor_is_refused(backend_name):
    """PyTorch returns an undefined value here (whatever the memory held)."""
    with pytest.raises(RuntimeError, match=re.escape("median: an empty int64 tensor has no "
                                                     "median (input shape 0)")):
        selection.median(minitorch.tensor([], dtype=minitorch.int64))


def test_median_keepdim_needs_a_dim_as_in_torch(backend_name):
    ours, theirs = both(np.arange(3.0))
    expect_errors(TypeError, "median: keepdim needs a dim",
                  lambda: selection.median(ours, keepdim=True),
                  lambda: torch.median(theirs, keepdim=True))


def test_unique_takes_a_dim(backend_name):
    values, counts = selection.unique(minitorch.tensor([[1, 2], [1, 2]]), dim=0,
                                      return_counts=True)
    assert values.tolist() == [[1, 2]] and counts.tolist() == [2]


def test_sort_and_argsort_take_stable_by_keyword_only_as_torch(backend_name):
    ours, theirs = both(np.arange(3.0))
    expect_errors(TypeError, "positional", lambda: selection.sort(ours, 0, False, True),
                  lambda: torch.sort(theirs, 0, False, True))
    expect_errors(TypeError, "positional", lambda: selection.argsort(ours, 0, False, True),
                  lambda: torch.argsort(theirs, 0, False, True))
