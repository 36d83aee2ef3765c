"""The tensor-method breadth ops (quantiles, mode, strided views, scattering reductions,
scatters into views, number theory, in-place view ops, random fills) against PyTorch on
the numpy and c backends: values, gradients (float32 and float64, transposed views),
integer and bool results exactly, and the errors, raised before anything is written.
The op table (minitorch/testing/optable.py) adds every backend and finite differences."""
import math

import numpy as np
import pytest
import torch

import minitorch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401 (fixture)

DTYPES = ("float32", "float64")
NAN = float("nan")
INF = float("inf")


# ---- helpers ----------------------------------------------------------------------------

def leaves(array):
    """The same numpy array as a minitorch and a torch leaf that require grad."""
    return (minitorch.tensor(array, requires_grad=True),
            torch.tensor(array, requires_grad=True))


def transposed_leaves(array):
    """Leaves holding array.T, and their transposed views (non-contiguous, equal to
    array): (ours_leaf, theirs_leaf, ours_view, theirs_view)."""
    ours, theirs = leaves(np.ascontiguousarray(array.T))
    return ours, theirs, ours.t(), theirs.t()


def pair(values, dtype=None):
    """The same values as a minitorch and a torch tensor (no grad)."""
    array = np.asarray(values) if dtype is None else np.asarray(values, dtype)
    return minitorch.tensor(array), torch.tensor(array)


def assert_equal(ours, theirs):
    """Same shape, dtype and values exactly (nan where PyTorch has nan)."""
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


def assert_refused(ours, theirs, error, pattern):
    """ours() raises error matching pattern; PyTorch refuses the same call too."""
    with pytest.raises(error, match=pattern):
        ours()
    with pytest.raises((RuntimeError, ValueError, TypeError, IndexError)):
        theirs()


# ---- quantile, nanquantile, nanmedian, mode ----------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (0, False), (-1, True)],
                         ids=["all", "all-keepdim", "dim0", "dim-1-keepdim"])
def test_quantile_of_a_transposed_view_matches_torch(backend, dtype, interpolation, dim,
                                                     keepdim):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((5, 4), dtype))
    levels = np.array([0.0, 0.25, 0.6, 1.0], dtype)
    results = []
    for ours_q, theirs_q in ((0.3, 0.3), pair(levels)):
        options = dict(dim=dim, keepdim=keepdim, interpolation=interpolation)
        results.append((minitorch.quantile(ours, ours_q, **options),
                        torch.quantile(theirs, theirs_q, **options)))
    check_backward(results, [ours_leaf], [theirs_leaf], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_nan_ignoring_quantile_and_median_match_torch(backend, dtype, dim):
    array = normal((4, 6), dtype)
    array[0, 1] = array[3, 0] = array[3, 4] = NAN
    array[2, :] = NAN   # a row with no number: nan
    ours, theirs = leaves(array)
    results = [(minitorch.nanquantile(ours, 0.4, dim), torch.nanquantile(theirs, 0.4, dim)),
               (minitorch.quantile(ours, 0.4, dim), torch.quantile(theirs, 0.4, dim))]
    if dim is None:
        results.append((ours.nanmedian(), theirs.nanmedian()))
    else:
        values, indices = ours.nanmedian(dim)
        expected = theirs.nanmedian(dim)
        # where a slice is all nan, PyTorch's index depends on its selection algorithm
        has_numbers = ~np.isnan(expected.values.detach().numpy())
        np.testing.assert_array_equal(indices.numpy()[has_numbers],
                                      expected.indices.numpy()[has_numbers])
        results.append((values, expected.values))
    for result, expected in results:   # nan where PyTorch has nan, then compare the rest
        np.testing.assert_array_equal(np.isnan(result.detach().numpy()),
                                      np.isnan(expected.detach().numpy()))
    total, expected_total = 0, 0
    for result, expected in results:
        total = total + minitorch.nan_to_num(result, nan=0.0).sum()
        expected_total = expected_total + torch.nan_to_num(expected, nan=0.0).sum()
    total.backward()
    expected_total.backward()
    assert_close(ours.grad, theirs.grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES + ("int64",))
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mode_with_ties_matches_torch(backend, dtype, dim, keepdim):
    array = np.random.default_rng(1).integers(-2, 3, (5, 7)).astype(dtype)
    ours, theirs = pair(array.T)   # transposed copies; the views below are non-contiguous
    result, expected = ours.t().mode(dim, keepdim), theirs.t().mode(dim, keepdim)
    assert_equal(result.values, expected.values)
    assert_equal(result.indices, expected.indices)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mode_gradient_goes_to_the_chosen_position(backend, dtype):
    array = np.array([[1.0, 2.0, 1.0, 3.0], [4.0, 4.0, 0.5, 0.5]], dtype)
    ours, theirs = leaves(array)
    check_backward([(ours.mode(1).values, theirs.mode(1).values)], [ours], [theirs], dtype)


# ---- strided views: unfold, as_strided ---------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dimension,size,step", [(0, 2, 1), (0, 2, 2), (1, 3, 1), (-1, 5, 3),
                                                 (1, 0, 1)])
def test_unfold_of_a_transposed_view_is_a_view_like_torch(backend, dtype, dimension, size, step):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((6, 5), dtype))
    result, expected = ours.unfold(dimension, size, step), theirs.unfold(dimension, size, step)
    assert result.stride() == expected.stride()
    assert result.storage_offset() == expected.storage_offset()
    # overlapping windows share elements: their gradients add up
    check_backward([(result * result, expected * expected)], [ours_leaf], [theirs_leaf], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size,stride,offset", [((3, 3), (1, 2), 1), ((2, 4), (5, 1), None),
                                                ((4, 2), (0, 3), 2), ((2, 0), (1, 1), 3)],
                         ids=["overlapping", "rows", "expanded", "empty"])
def test_as_strided_values_and_gradients_match_torch(backend, dtype, size, stride, offset):
    ours, theirs = leaves(normal((4, 5), dtype))
    result = ours.as_strided(size, stride, offset)
    expected = theirs.as_strided(size, stride, offset)
    assert result.stride() == expected.stride()
    check_backward([(result * result, expected * expected)], [ours], [theirs], dtype)


def test_as_strided_sees_the_storage_not_the_view(backend):
    ours, theirs = pair(np.arange(12.0).reshape(3, 4))
    result = ours.t().as_strided((2, 2), (1, 4))
    assert_equal(result, theirs.t().as_strided((2, 2), (1, 4)))
    ours[0, 1] = 100.0   # a view: writes to the base show through
    assert result[1, 0].item() == 100.0


# ---- scattering reductions ---------------------------------------------------------------

REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("include_self", [True, False], ids=["with_self", "without_self"])
def test_scatter_reduce_values_and_gradients_match_torch(backend, dtype, reduce, include_self):
    ours, theirs = leaves(normal((4, 5), dtype))
    ours_leaf, theirs_leaf, ours_src, theirs_src = transposed_leaves(normal((3, 5), dtype, 1))
    index = np.random.default_rng(2).integers(0, 4, (3, 5))
    result = ours.scatter_reduce(0, minitorch.tensor(index), ours_src, reduce,
                                 include_self=include_self)
    expected = theirs.scatter_reduce(0, torch.tensor(index), theirs_src, reduce,
                                     include_self=include_self)
    check_backward([(result, expected)], [ours, ours_leaf], [theirs, theirs_leaf], dtype)


@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_of_integers_matches_torch(backend, reduce):
    ours, theirs = pair(np.arange(-6, 6).reshape(3, 4))
    index, source = pair([[0, 0, 2, 1], [0, 2, 2, 2]]), pair([[7, -3, 5, 2], [1, 4, -8, 9]])
    assert_equal(ours.scatter_reduce(1, index[0], source[0], reduce),
                 theirs.scatter_reduce(1, index[1], source[1], reduce))


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")   # PyTorch's warning
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False], ids=["with_self", "without_self"])
def test_index_reduce_values_and_gradients_match_torch(backend, dtype, reduce, include_self):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((5, 4), dtype))
    ours_source, theirs_source = leaves(normal((5, 3), dtype, 1))
    ours_index, theirs_index = pair([0, 3, 0])
    expected = theirs.index_reduce(1, theirs_index, theirs_source, reduce,
                                   include_self=include_self)
    result = ours.index_reduce(1, ours_index, ours_source, reduce, include_self=include_self)
    check_backward([(result, expected)], [ours_leaf, ours_source],
                   [theirs_leaf, theirs_source], dtype)


# ---- writes into copies: masked_scatter, put, *_scatter, fill_diagonal_, renorm ----------

@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_scatter_and_put_values_and_gradients_match_torch(backend, dtype):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((4, 5), dtype))
    ours_source, theirs_source = leaves(normal((25,), dtype, 1))
    ours_mask, theirs_mask = pair(normal((4, 5), dtype, 2) > 0)
    ours_index, theirs_index = pair([1, -1, 1, 7])
    results = [(ours.masked_scatter(ours_mask, ours_source),
                theirs.masked_scatter(theirs_mask, theirs_source)),
               (ours.put(ours_index, ours_source[:4], accumulate=True),
                theirs.put(theirs_index, theirs_source[:4], accumulate=True)),
               (ours.put(ours_index[1:], ours_source[4:7]),
                theirs.put(theirs_index[1:], theirs_source[4:7]))]
    check_backward(results, [ours_leaf, ours_source], [theirs_leaf, theirs_source], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op,arguments,source_shape", [
    ("diagonal_scatter", (1,), (4,)), ("diagonal_scatter", (-2, 1, 0), (4,)),
    ("select_scatter", (1, 2), (4,)), ("select_scatter", (0, -1), (6,)),
    ("slice_scatter", (1, 1, None, 2), (4, 3)), ("slice_scatter", (0, -2), (2, 6))],
    ids=["diagonal", "diagonal-below-swapped", "select", "select-last-row", "slice-step",
         "slice-tail"])
def test_scatters_into_views_match_torch(backend, dtype, op, arguments, source_shape):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((4, 6), dtype))
    ours_source, theirs_source = leaves(normal(source_shape, dtype, 1))
    result = getattr(ours, op)(ours_source, *arguments)
    expected = getattr(theirs, op)(theirs_source, *arguments)
    check_backward([(result, expected)], [ours_leaf, ours_source],
                   [theirs_leaf, theirs_source], dtype)


@pytest.mark.parametrize("shape,wrap", [((5, 3), True), ((7, 3), True), ((5, 3), False),
                                        ((3, 3, 3), False), ((2, 4), True)])
def test_fill_diagonal_matches_torch(backend, shape, wrap):
    ours, theirs = pair(np.zeros(shape, "float32"))
    assert ours.fill_diagonal_(2.5, wrap) is ours
    assert_equal(ours, theirs.fill_diagonal_(2.5, wrap))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 1.5), (1, 1, 2.0), (INF, -1, 0.5)])
def test_renorm_values_and_gradients_match_torch(backend, dtype, p, dim, maxnorm):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((3, 5), dtype))
    check_backward([(ours.renorm(p, dim, maxnorm), theirs.renorm(p, dim, maxnorm))],
                   [ours_leaf], [theirs_leaf], dtype)


# ---- elementwise: predicates, ldexp, logaddexp2, dist, gcd, lcm --------------------------

SPECIALS = [-0.0, 0.0, INF, -INF, NAN, 1.0, -2.0, 1e-40]


@pytest.mark.parametrize("dtype", DTYPES + ("int64", "bool"))
@pytest.mark.parametrize("op", ["isposinf", "isneginf", "isreal", "signbit", "sgn"])
def test_predicates_and_sgn_match_torch(backend, dtype, op):
    values = SPECIALS if dtype in DTYPES else [-3, 0, 2, 1]
    ours, theirs = pair(np.array(values).astype(dtype))
    if op == "sgn" and dtype == "bool":
        pytest.skip("PyTorch's sgn refuses bool")
    assert_equal(getattr(ours, op)(), getattr(theirs, op)())


@pytest.mark.parametrize("dtype", DTYPES)
def test_ldexp_logaddexp2_dist_values_and_gradients_match_torch(backend, dtype):
    ours_leaf, theirs_leaf, ours, theirs = transposed_leaves(normal((4, 5), dtype))
    ours_other, theirs_other = leaves(normal((5,), dtype, 1))
    # (PyTorch's gradient is 0 where an int64 exponent is negative: see the test below)
    ours_exponent, theirs_exponent = pair([1, 2, 3, 0, 10])
    results = [(ours.ldexp(ours_exponent), theirs.ldexp(theirs_exponent)),
               (ours.ldexp(ours_other), theirs.ldexp(theirs_other)),
               (ours.logaddexp2(ours_other), theirs.logaddexp2(theirs_other)),
               *((minitorch.dist(ours, ours_other, p), torch.dist(theirs, theirs_other, p))
                 for p in (2, 3, 1.5, INF))]
    check_backward(results, [ours_leaf, ours_other], [theirs_leaf, theirs_other], dtype)


def test_ldexp_gradient_with_negative_integer_exponents_is_two_to_the_exponent(backend):
    mantissas = minitorch.ones(3, requires_grad=True)
    result = mantissas.ldexp(minitorch.tensor([-3, 0, 2]))
    assert result.tolist() == [0.125, 1.0, 4.0]
    result.sum().backward()
    assert mantissas.grad.tolist() == [0.125, 1.0, 4.0]


def test_logaddexp2_of_infinities_matches_torch(backend):
    ours, theirs = pair([INF, -INF, -INF, 1e30, NAN], "float64")
    other = pair([INF, -INF, 3.0, -1e30, 1.0], "float64")
    assert_equal(ours.logaddexp2(other[0]), theirs.logaddexp2(other[1]))


def test_gcd_and_lcm_match_torch_with_signs_zeros_and_broadcasting(backend):
    first = pair([[0, 4, -6, 12, 7, 0], [9, -15, 1, 0, 48, 36]])
    second = pair([0, 6, 4, -18, 3, 5])
    for op in ("gcd", "lcm"):
        assert_equal(getattr(first[0].t().t(), op)(second[0]),
                     getattr(first[1], op)(second[1]))
        assert_equal(getattr(minitorch, op)(second[0], first[0].t().t()),
                     getattr(torch, op)(second[1], first[1]))


# ---- results that are not tensors of numbers: runs, splits --------------------------------

@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_consecutive_matches_torch(backend, dim):
    ours, theirs = pair([[1, 1, 2], [1, 1, 2], [3, 1, 2], [3, 1, 2], [1, 1, 2]])
    for result, expected in zip(ours.unique_consecutive(True, True, dim),
                                theirs.unique_consecutive(True, True, dim)):
        assert_equal(result, expected)
    assert_equal(ours.unique_consecutive(dim=dim), theirs.unique_consecutive(dim=dim))


def test_split_with_sizes_gives_views_like_torch(backend):
    ours, theirs = pair(np.arange(12.0).reshape(3, 4))
    parts = ours.t().split_with_sizes([1, 0, 3], dim=0)
    for part, expected in zip(parts, theirs.t().split_with_sizes([1, 0, 3], dim=0)):
        assert_equal(part, expected)
        assert part.stride() == expected.stride()
    with pytest.raises(TypeError, match="split_with_sizes: split_sizes must be a sequence"):
        ours.split_with_sizes(2)


# ---- in-place view ops, matrix transposes, tensor attributes -----------------------------

@pytest.mark.parametrize("op,arguments", [
    ("squeeze_", ()), ("squeeze_", (1,)), ("unsqueeze_", (0,)), ("unsqueeze_", (-1,)),
    ("t_", ()), ("transpose_", (0, 2)), ("swapaxes_", (1, -1)), ("swapdims_", (0, 1))])
def test_in_place_view_ops_change_the_layout_like_torch(backend, op, arguments):
    shape = (3, 4) if op == "t_" else (3, 1, 4)
    ours, theirs = pair(np.arange(12.0).reshape(shape))
    base = ours
    ours, theirs = ours[:, ...] * 1, theirs[:, ...] * 1
    assert getattr(ours, op)(*arguments) is ours
    getattr(theirs, op)(*arguments)
    assert ours.stride() == theirs.stride()
    assert_equal(ours, theirs)
    assert base.shape == shape   # only the tensor it was called on changed


def test_in_place_view_ops_keep_sharing_memory(backend):
    base = minitorch.zeros(2, 3)
    view = base[:, :]
    view.t_()
    view[2, 1] = 5.0
    assert base[1, 2].item() == 5.0


def test_in_place_view_op_of_a_tensor_that_requires_grad_is_refused_unchanged(backend):
    leaf = minitorch.randn(2, 1, 3, requires_grad=True)
    with pytest.raises(NotImplementedError, match="squeeze_: changing the layout"):
        leaf.squeeze_()
    assert leaf.shape == (2, 1, 3) and leaf.stride() == (3, 3, 1)
    with minitorch.no_grad():
        leaf.squeeze_(1)
    assert leaf.shape == (2, 3)


def test_matrix_transposes_match_torch(backend):
    ours, theirs = pair(normal((2, 3, 4), "float32"))
    assert_equal(ours.mH, theirs.mH)
    assert_equal(ours.adjoint(), theirs.adjoint())
    assert_equal(minitorch.adjoint(ours[0]), torch.adjoint(theirs[0]))
    assert_equal(ours[0].H, theirs[0].H)
    scalar = minitorch.tensor(2.0)
    assert scalar.H is scalar
    assert_refused(lambda: ours.H, lambda: theirs.H, ValueError, "H: only supported on matrices")
    assert_refused(lambda: ours[0, 0].mH, lambda: theirs[0, 0].mH, ValueError,
                   "mH: needs a matrix or a batch of matrices, got 4")


@pytest.mark.parametrize("dtype,signed", [("float32", True), ("int64", True), ("bool", False)])
def test_is_signed_and_is_cpu_match_torch(dtype, signed):
    ours, theirs = pair(np.zeros(2, dtype))
    assert ours.is_signed() is theirs.is_signed() is signed
    assert ours.is_cpu is True


def test_retains_grad_is_true_only_after_retain_grad_on_a_non_leaf():
    leaf = minitorch.randn(2, 3, requires_grad=True)
    hidden = leaf * 2
    assert not hidden.retains_grad
    hidden.retain_grad()
    assert hidden.retains_grad and not leaf.retains_grad
    leaf.retain_grad()   # a no-op on a leaf, as PyTorch
    assert not leaf.retains_grad


@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (0, 1)), ((0, 4), (4, 1)),
                                         ((3,), (2,))])
def test_empty_strided_layout_matches_torch(backend, size, stride):
    result = minitorch.empty_strided(size, stride, dtype=minitorch.float64)
    expected = torch.empty_strided(size, stride)
    assert result.shape == tuple(expected.shape) and result.stride() == expected.stride()
    assert result.dtype is minitorch.float64 and result.backend == backend
    like = minitorch.zeros(1, dtype=minitorch.int64).new_empty_strided(size, stride)
    assert like.stride() == stride and like.dtype is minitorch.int64
    with pytest.raises(ValueError, match="empty_strided: needs one non-negative stride"):
        minitorch.empty_strided(size, stride[:-1])


def test_empty_strided_defaults_to_float32():
    assert minitorch.empty_strided((2, 3), (3, 1)).dtype is minitorch.float32


def test_apply_and_map_run_the_callable_per_element(backend):
    ours, theirs = pair(np.arange(6.0).reshape(2, 3))
    assert ours.apply_(lambda x: x * x + 1) is ours
    assert_equal(ours, theirs.apply_(lambda x: x * x + 1))
    other = pair([10.0, 20.0, 30.0])
    assert_equal(ours.map_(other[0], lambda x, y: x - y),
                 theirs.map_(other[1], lambda x, y: x - y))


def test_float_power_in_place_matches_torch(backend):
    ours, theirs = pair([1.0, 2.0, 3.0], "float64")
    assert_equal(ours.float_power_(2.5), theirs.float_power_(2.5))


def test_float_power_in_place_refuses_float32_like_torch():
    single = pair([1.0, 2.0], "float32")
    assert_refused(lambda: single[0].float_power_(2), lambda: single[1].float_power_(2),
                   TypeError, "float_power_")
    assert single[0].tolist() == [1.0, 2.0]


# ---- random fills ------------------------------------------------------------------------

DRAWS = 40_000


def assert_moments(draws, mean, variance, fourth_central_moment):
    """The sample mean and variance of draws within 4 standard errors of the
    distribution's (the variance's error from its fourth central moment)."""
    values = draws.double().numpy().reshape(-1)
    mean_error = math.sqrt(variance / values.size)
    variance_error = math.sqrt((fourth_central_moment - variance ** 2) / values.size)
    assert abs(values.mean() - mean) < 4 * mean_error
    assert abs(values.var() - variance) < 4 * variance_error


def assert_fraction(condition, probability):
    """The fraction of True in the bool numpy array within 4 standard errors of probability."""
    error = math.sqrt(probability * (1 - probability) / condition.size)
    assert abs(condition.mean() - probability) < 4 * error


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lambd", [1.0, 2.5])
def test_exponential_fill_has_the_moments_and_support(backend, dtype, lambd):
    minitorch.manual_seed(0)
    draws = minitorch.empty(DRAWS, dtype=dtype).exponential_(lambd)
    assert draws.dtype.name == dtype and draws.min().item() >= 0
    assert_moments(draws, 1 / lambd, 1 / lambd ** 2, 9 / lambd ** 4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.2, 0.7])
def test_geometric_fill_counts_trials_to_the_first_success(backend, dtype, p):
    minitorch.manual_seed(1)
    draws = minitorch.empty(DRAWS, dtype=dtype).geometric_(p).numpy()
    assert draws.min() >= 1 and (draws == np.round(draws)).all()
    assert_fraction(draws == 1, p)
    assert_fraction(draws == 2, (1 - p) * p)
    assert abs(draws.mean() - 1 / p) < 4 * math.sqrt((1 - p) / p ** 2 / DRAWS)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cauchy_fill_has_the_median_and_quartiles(backend, dtype):
    minitorch.manual_seed(2)
    draws = minitorch.empty(DRAWS, dtype=dtype).cauchy_(1.5, 0.5).numpy()
    assert_fraction(draws < 1.5, 0.5)
    assert_fraction(np.abs(draws - 1.5) < 0.5, 0.5)   # median +- sigma: the quartiles


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_normal_fill_is_exp_of_a_normal(backend, dtype):
    minitorch.manual_seed(3)
    draws = minitorch.empty(DRAWS, dtype=dtype).log_normal_(0.5, 0.75)
    assert draws.min().item() > 0
    assert_moments(draws.log(), 0.5, 0.75 ** 2, 3 * 0.75 ** 4)


@pytest.mark.parametrize("dtype", DTYPES + ("int64",))
@pytest.mark.parametrize("arguments,low,high", [
    ((3, 9), 3, 8), ((5,), 0, 4), ((-4, 0), -4, -1)], ids=["from-to", "to", "negative"])
def test_random_fill_is_uniform_over_its_integers(backend, dtype, arguments, low, high):
    minitorch.manual_seed(4)
    draws = minitorch.empty(DRAWS, dtype=dtype).random_(*arguments)
    assert draws.dtype.name == dtype
    assert set(np.unique(draws.numpy()).tolist()) == set(range(low, high + 1))
    count = high - low + 1
    assert_moments(draws, (low + high) / 2, (count ** 2 - 1) / 12,
                   (count ** 2 - 1) * (3 * count ** 2 - 7) / 240)


@pytest.mark.parametrize("dtype,largest", [("float32", 2 ** 24), ("float64", 2 ** 53),
                                           ("bool", 1)])
def test_random_fill_without_bounds_spans_the_exact_integers(backend, dtype, largest):
    minitorch.manual_seed(5)
    draws = minitorch.empty(4000, dtype=dtype).random_().double().numpy()
    assert draws.min() >= 0 and draws.max() <= largest and (draws == np.round(draws)).all()
    assert_fraction(draws > largest / 2, 0.5)


@pytest.mark.parametrize("fill,arguments", [("exponential_", (2.0,)), ("geometric_", (0.3,)),
                                            ("cauchy_", ()), ("log_normal_", ()),
                                            ("random_", (0, 100))])
def test_random_fills_repeat_under_manual_seed_and_have_no_gradient(backend, fill, arguments):
    minitorch.manual_seed(6)
    first = getattr(minitorch.empty(50, 2).t(), fill)(*arguments)
    minitorch.manual_seed(6)
    again = getattr(minitorch.empty(2, 50), fill)(*arguments)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert len(set(first.numpy().reshape(-1).tolist())) > 10   # draws, not one value
    leaf = minitorch.randn(4, requires_grad=True)
    hidden = leaf * 3
    getattr(hidden, fill)(*arguments).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.zeros(4, "float32"))


# ---- bad inputs: the op named, nothing written -------------------------------------------

def test_quantile_refusals_match_torch(backend):
    ours, theirs = pair(normal((3, 4), "float32"))
    integers = pair([1, 2, 3])
    for q, pattern in ((1.5, "quantile: q values must be in the range"),
                       (-0.1, "quantile: q values must be in the range")):
        assert_refused(lambda: ours.quantile(q), lambda: theirs.quantile(q), ValueError, pattern)
    assert_refused(lambda: ours.nanquantile(0.5, interpolation="cubic"),
                   lambda: theirs.nanquantile(0.5, interpolation="cubic"), ValueError,
                   "nanquantile: interpolation must be one of")
    assert_refused(lambda: integers[0].quantile(0.5), lambda: integers[1].quantile(0.5),
                   TypeError, "quantile: expected floating")
    assert_refused(lambda: ours[:0].quantile(0.5), lambda: theirs[:0].quantile(0.5),
                   RuntimeError, "quantile: the input tensor must be non-empty")
    assert_refused(lambda: ours.mode(2), lambda: theirs.mode(2), IndexError, "mode")


def test_view_refusals_match_torch(backend):
    ours, theirs = pair(normal((3, 4), "float32"))
    assert_refused(lambda: ours.as_strided((4, 4), (4, 1)), lambda: theirs.as_strided(
        (4, 4), (4, 1)), RuntimeError, "as_strided: sizes 4x4, strides .* need a storage of 16")
    assert_refused(lambda: ours.as_strided((2, 2), (-1, 1)), lambda: theirs.as_strided(
        (2, 2), (-1, 1)), ValueError, "as_strided: strides must be non-negative")
    assert_refused(lambda: ours.unfold(1, 5, 1), lambda: theirs.unfold(1, 5, 1), ValueError,
                   "unfold: size 5 exceeds the size 4 of dimension 1")
    assert_refused(lambda: ours.unfold(1, 2, 0), lambda: theirs.unfold(1, 2, 0), ValueError,
                   "unfold: step must be positive")


def test_in_place_scatter_refusals_write_nothing(backend):
    ours, theirs = pair(normal((3, 4), "float32"))
    before = ours.numpy().copy()
    index = pair([[0, 1]])
    wrong_dtype = pair(np.ones((1, 2)))   # float64 into float32
    assert_refused(lambda: ours.scatter_reduce_(0, index[0], ours[:1, :2], "max"),
                   lambda: theirs.scatter_reduce_(0, index[1], theirs[:1, :2], "max"),
                   ValueError, "scatter_reduce: reduce must be one of sum, prod")
    assert_refused(lambda: ours.scatter_reduce_(0, index[0], wrong_dtype[0], "sum"),
                   lambda: theirs.scatter_reduce_(0, index[1], wrong_dtype[1], "sum"),
                   TypeError, "scatter_reduce: expected self and the source to have the same")
    assert_refused(lambda: ours.index_reduce_(0, index[0][0], ours[:2], "sum"),
                   lambda: theirs.index_reduce_(0, index[1][0], theirs[:2], "sum"),
                   ValueError, "index_reduce: reduce must be one of prod, mean")
    assert_refused(lambda: ours.put_(minitorch.tensor([12]), minitorch.tensor([1.0])),
                   lambda: theirs.put_(torch.tensor([12]), torch.tensor([1.0])),
                   IndexError, "put: index 12 is out of range for a tensor of 12 elements")
    assert_refused(lambda: ours.put_(minitorch.tensor([1.0]), minitorch.tensor([1.0])),
                   lambda: theirs.put_(torch.tensor([1.0]), torch.tensor([1.0])),
                   TypeError, "put: index must be an int64 tensor, got float32")
    assert_refused(lambda: ours.masked_scatter_(ours > -10, minitorch.zeros(3)),
                   lambda: theirs.masked_scatter_(theirs > -10, torch.zeros(3)),
                   ValueError, "masked_scatter: the mask selects 12 elements but source has")
    assert_refused(lambda: ours.select_scatter(minitorch.zeros(3), 0, 1),
                   lambda: theirs.select_scatter(torch.zeros(3), 0, 1),
                   ValueError, "select_scatter: expected src of shape 4, got 3")
    assert_refused(lambda: ours[0].fill_diagonal_(1.0),
                   lambda: theirs[0].fill_diagonal_(1.0), ValueError,
                   "fill_diagonal_: expected at least 2 dims")
    np.testing.assert_array_equal(ours.numpy(), before)


def test_number_theory_and_fill_refusals_write_nothing(backend):
    floats = pair([1.0, 2.0])
    assert_refused(lambda: minitorch.gcd(floats[0], floats[0]),
                   lambda: torch.gcd(floats[1], floats[1]), TypeError, "gcd: expected int64")
    assert_refused(lambda: minitorch.lcm(floats[0], floats[0]),
                   lambda: torch.lcm(floats[1], floats[1]), TypeError, "lcm: expected int64")
    for fill, arguments, error, pattern in (
            ("exponential_", (-1.0,), RuntimeError, "exponential_: expects lambd > 0.0"),
            ("geometric_", (1.5,), RuntimeError, r"geometric_: expects p to be in \(0, 1\)"),
            ("cauchy_", (0.0, 0.0), RuntimeError, "cauchy_: expects sigma > 0.0"),
            ("random_", (5, 2), RuntimeError, "random_: expected from < to")):
        ours, theirs = pair([1.0, 2.0])
        assert_refused(lambda: getattr(ours, fill)(*arguments),
                       lambda: getattr(theirs, fill)(*arguments), error, pattern)
        assert ours.tolist() == [1.0, 2.0]
    integers = minitorch.tensor([1, 2])
    with pytest.raises(TypeError, match="exponential_: random floats cannot be written"):
        integers.exponential_()
    assert integers.tolist() == [1, 2]
    leaf = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="apply_: can't be called on a tensor that requires"):
        leaf.apply_(lambda x: x)
    assert leaf.tolist() == [1.0, 2.0]
