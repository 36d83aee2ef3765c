"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, unique, nonzero,
count_nonzero, cummax, cummin, searchsorted and bucketize, with PyTorch's semantics.

Why the order is computed on the host: the backend contract has no sort kernel, and
making one required would break every backend and plugin written against it. An order
is index metadata, like the storage positions advanced indexing computes on the host
(indexing.py), so it is found the same way: the values are copied to the host
(`dispatch.to_numpy`) and numpy's stable argsort orders them, with PyTorch's rules (nan is
the largest value; descending order keeps ties in their original order). The values are
then taken from the input by the backend, with `gather` and the indices the host found,
so their gradient is gather's (each value's gradient added back at the position it came
from), which is PyTorch's backward of sort, topk, kthvalue and median(dim). Indices are
int64 and carry no gradient.

The sort is always stable: PyTorch leaves the order of equal elements unspecified (unless
sort's stable=True), so the stable order is one it allows.
"""
import math
import numbers

import numpy as np

from . import dispatch, layout
from .autograd import Function, no_grad
from .dtype import bool_, int64
from .functions import ExtremeOfAll, MaxMin, _drop_dims, _reduction_dims, gather, ne, reduce_sum
from .layout import format_shape
from .tensor import Tensor


# ---- on the host ------------------------------------------------------------------------

def _sorting_order(array, axis, descending):
    """The int64 indices that sort numpy `array` along axis (a 0-d array: 0): stable, nan
    last, or first when descending, with equal elements in their original order either way.

    Descending order is the ascending order of the array reversed along axis, reversed
    back and its indices mapped to the original positions: no negation, so it holds for
    bools and the smallest int64 too."""
    if array.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(array, axis=axis, kind="stable")
    reversed_order = np.argsort(np.flip(array, axis), axis=axis, kind="stable")
    return array.shape[axis] - 1 - np.flip(reversed_order, axis)


def _median_ranks(array, axis):
    """The rank, in ascending order along axis, of each slice's median (axis kept as size
    1): the lower median, or the first nan when the slice has any (nan propagates)."""
    size = array.shape[axis]
    nans = np.count_nonzero(array != array, axis=axis, keepdims=True)
    return np.where(nans > 0, size - nans, (size - 1) // 2)


def _indices(positions, a):
    """A numpy array of positions as an int64 tensor on a's backend."""
    return dispatch.from_numpy(positions, int64, a._storage.backend)


# ---- argument checks --------------------------------------------------------------------

def _size_along(a, dim):
    """a's size along (normalized) dim; a 0-d tensor counts as one element along dim 0."""
    return a.shape[dim] if a.shape else 1


def _check_not_bool(a, op_name):
    if a.dtype is bool_:
        raise NotImplementedError(f"{op_name}: not implemented for bool tensors (as in "
                                  "PyTorch); convert with .long() first")


def _check_k(k, op_name):
    if not isinstance(k, numbers.Integral) or isinstance(k, bool):
        raise TypeError(f"{op_name}: k must be an int, got {type(k).__name__}")


def _check_k_in_range(k, low, a, dim, op_name):
    """low <= k <= a's size along dim, else PyTorch's RuntimeError, naming op and shape."""
    size = _size_along(a, dim)
    if not low <= k <= size:
        raise RuntimeError(f"{op_name}: k={k} is out of range for dimension {dim} of size "
                           f"{size} (input shape {format_shape(a.shape)}; expected "
                           f"{low} <= k <= {size})")


def _check_slices_not_empty(a, dim, op_name):
    if _size_along(a, dim) == 0:
        raise IndexError(f"{op_name}: expected reduction dim {dim} to have non-zero size "
                         f"(input shape {format_shape(a.shape)})")


# ---- sorting ----------------------------------------------------------------------------

def _sorting_indices(a, dim, descending, op_name):
    """The int64 tensor of indices that sort a along dim (see _sorting_order)."""
    dim = layout.normalize_dim(dim, a.ndim, op_name)
    return _indices(_sorting_order(dispatch.to_numpy(a), dim, descending), a)


def argsort(a, dim=-1, descending=False, *, stable=False):
    """The int64 indices that sort a along dim: sort(a, dim, descending).indices."""
    return _sorting_indices(a, dim, descending, "argsort")


def sort(a, dim=-1, descending=False, *, stable=False):
    """(values, indices) of a sorted along dim, ascending unless descending: nan counts as
    the largest value, equal elements keep their order (always; `stable` is accepted for
    PyTorch's signature), and values' gradient goes back to the positions in indices."""
    indices = _sorting_indices(a, dim, descending, "sort")
    return MaxMin(gather(a, dim, indices), indices, "sort")


def msort(a):
    """a sorted along its first dim: sort(a, 0).values."""
    return sort(a, 0).values


def topk(a, k, dim=-1, largest=True, sorted=True):  # noqa: A002  (PyTorch's keyword name)
    """(values, indices) of the k largest (or, with largest=False, smallest) elements along
    dim, in order (always; `sorted` is accepted for PyTorch's signature), nan counting as
    the largest. 0 <= k <= size of dim; as PyTorch, a 0-d tensor is its own top-k for k
    of 0 or 1."""
    _check_k(k, "topk")
    dim = layout.normalize_dim(dim, a.ndim, "topk")
    _check_not_bool(a, "topk")
    _check_k_in_range(k, 0, a, dim, "topk")
    order = _sorting_order(dispatch.to_numpy(a), dim, descending=largest)
    if a.shape:
        order = order[(slice(None),) * dim + (slice(0, k),)]
    indices = _indices(order, a)
    return MaxMin(gather(a, dim, indices), indices, "topk")


# ---- selecting one element per slice ----------------------------------------------------

def _select_by_rank(op_name, a, dim, keepdim, ranks_of):
    """(values, indices) of one element per slice along dim: the one at the rank
    ranks_of(array, dim) gives (an int array with dim kept as size 1) in the slice's
    ascending order. dim is normalized and no slice is empty."""
    array = dispatch.to_numpy(a)
    order = _sorting_order(array, dim, descending=False)
    if a.shape:
        order = np.take_along_axis(order, ranks_of(array, dim), dim)
    indices = _indices(order, a)
    values = gather(a, dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return MaxMin(values, indices, op_name)


def kthvalue(a, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element (k from 1) of each slice along dim,
    nan counting as the largest."""
    _check_k(k, "kthvalue")
    dim = layout.normalize_dim(dim, a.ndim, "kthvalue")
    _check_not_bool(a, "kthvalue")
    _check_slices_not_empty(a, dim, "kthvalue")
    _check_k_in_range(k, 1, a, dim, "kthvalue")
    return _select_by_rank("kthvalue", a, dim, keepdim,
                           lambda array, axis: np.full((1,) * array.ndim, k - 1))


class MedianOfAll(ExtremeOfAll):
    """median() of every element: the lower median, nan when any element is nan (or a
    floating-point a is empty). backward as PyTorch's: the gradient shared evenly by every
    position holding the median (every nan, when it is nan), as max() shares it."""

    def forward(self, a):
        self.dims, self.keepdim = tuple(range(a.ndim)), False
        kept_shape = (1,) * a.ndim
        if a.numel() == 0:
            kept = dispatch.fill(math.nan, kept_shape, a.dtype, a._storage.backend)
        else:
            with no_grad():
                kept = self.of_slices(a.reshape(-1), 0).values.reshape(kept_shape)
        self.save_for_backward(a, kept)
        return _drop_dims(kept, self.dims, False)

    @staticmethod
    def of_slices(a, dim):
        return median(a, dim)


def median(a, dim=None, keepdim=False):
    """median(a) -> the lower median of all elements (see MedianOfAll). median(a, dim) ->
    (values, indices) of each slice's lower median, or of its first nan when it has one;
    values' gradient goes to indices."""
    _check_not_bool(a, "median")
    if dim is not None:
        dim = layout.normalize_dim(dim, a.ndim, "median")
        _check_slices_not_empty(a, dim, "median")
        return _select_by_rank("median", a, dim, keepdim, _median_ranks)
    if keepdim:
        raise TypeError("median: keepdim needs a dim (median() of all elements is 0-d)")
    if a.numel() == 0 and not a.dtype.is_floating_point:
        raise RuntimeError(f"median: an empty {a.dtype.name} tensor has no median (input "
                           f"shape {format_shape(a.shape)})")
    return MedianOfAll.apply(a)


# ---- unique, nonzero --------------------------------------------------------------------

class NotDifferentiable(Function):
    """`values`, computed from `a` outside any graph, as an op of a: as in PyTorch, the
    result requires grad when a does, and a backward through it is an error."""

    def forward(self, a, values, op_name):
        self.op_name = op_name
        return values

    def backward(self, grad):
        raise NotImplementedError(f"{self.op_name}: the derivative is not implemented (as "
                                  "in PyTorch)")


def unique(a, sorted=True, return_inverse=False, return_counts=False,  # noqa: A002
           dim=None):
    """The distinct elements of a, flattened, in ascending order (always; `sorted` is
    accepted for PyTorch's signature); each nan is distinct, as in PyTorch. With
    return_inverse, also where each element of a went (int64, a's shape); with
    return_counts, how often each distinct element occurs. With dim, the distinct slices
    along dim instead, in lexicographic order, the inverse giving each slice's place."""
    if dim is None:
        array = dispatch.to_numpy(a).reshape(-1)
        order = _sorting_order(array, 0, descending=False)
        ordered = array[order]
        starts = np.ones(array.shape, bool)   # where a new distinct value starts in `ordered`
        starts[1:] = ordered[1:] != ordered[:-1]   # nan != nan: each nan starts its own
        with no_grad():
            values = a.reshape(-1)[order[starts]]
        inverse = np.empty(array.shape, np.int64)
        inverse[order] = np.cumsum(starts) - 1
        inverse = inverse.reshape(a.shape)
        counts = np.diff(np.flatnonzero(np.append(starts, True)))
    else:
        values, inverse, counts = _unique_slices(a, dim)
    result = (NotDifferentiable.apply(a, values, "unique"),)
    if return_inverse:
        result += (_indices(inverse, a),)
    if return_counts:
        result += (_indices(counts, a),)
    return result if len(result) > 1 else result[0]


def _unique_slices(a, dim):
    """unique's (values, inverse, counts) for the slices of a along dim: numpy's unique
    over rows compares them element by element, in row-major order, as PyTorch."""
    if not a.shape:
        raise IndexError(f"unique: a 0-d tensor has no dimension {dim}")
    along = layout.normalize_dim(dim, a.ndim, "unique")
    array = np.moveaxis(dispatch.to_numpy(a), along, 0)
    rows = array.reshape(array.shape[0], layout.numel(array.shape[1:]))
    if rows.shape[0] and not rows.shape[1]:
        raise RuntimeError(f"unique: the slices along dim {dim} of a tensor of shape "
                           f"{format_shape(a.shape)} are empty, so have no order")
    _, firsts, inverse, counts = np.unique(rows, axis=0, return_index=True,
                                           return_inverse=True, return_counts=True)
    with no_grad():
        values = a.index_select(along, _indices(firsts, a))
    return values, inverse.reshape(-1), counts


def nonzero(a, *, as_tuple=False):
    """The indices of a's nonzero elements (nan is nonzero), in row-major order: an int64
    tensor (count, a.ndim), or with as_tuple a tuple of one 1-D index tensor per dim (a
    0-d tensor counting as 1-D, as in PyTorch)."""
    array = dispatch.to_numpy(a)
    if as_tuple:
        return tuple(_indices(positions, a) for positions in np.nonzero(np.atleast_1d(array)))
    return _indices(np.argwhere(array), a)


def count_nonzero(a, dim=None):
    """How many elements of a are nonzero (nan is) over dim (None or (): all; an int or a
    tuple), as int64."""
    return reduce_sum(ne(a, 0), _reduction_dims(dim, a.ndim, "count_nonzero"))


# ---- running extremes -------------------------------------------------------------------

def _running_extreme_order(array, axis, later_wins):
    """The int64 position, along axis, of the running max (or min) of numpy `array` at
    each element, with PyTorch's rules: a later element equal to the extreme takes over,
    and so does every nan (which then stays the extreme)."""
    array = np.moveaxis(array, axis, -1)
    positions = np.zeros(array.shape, np.int64)
    if array.shape[-1]:
        extreme = array[..., 0].copy()
        position = np.zeros(array.shape[:-1], np.int64)
        for step in range(array.shape[-1]):
            current = array[..., step]
            takes_over = (current != current) | ((extreme == extreme) &
                                                 later_wins(current, extreme))
            extreme = np.where(takes_over, current, extreme)
            position = np.where(takes_over, step, position)
            positions[..., step] = position
    return np.moveaxis(positions, -1, axis)


def _running_extreme(a, dim, later_wins, op_name):
    dim = layout.normalize_dim(dim, a.ndim, op_name)
    if not a.shape:
        return MaxMin(a.clone(), _indices(np.zeros((), np.int64), a), op_name)
    indices = _indices(_running_extreme_order(dispatch.to_numpy(a), dim, later_wins), a)
    return MaxMin(gather(a, dim, indices), indices, op_name)


def cummax(a, dim):
    """(values, indices) of the running maximum along dim: values[i] is the largest of
    a[0..i] and indices[i] where it is (the latest of equal ones; a nan, once seen, is
    the maximum). values' gradient goes to indices."""
    return _running_extreme(a, dim, np.greater_equal, "cummax")


def cummin(a, dim):
    """(values, indices) of the running minimum along dim (see cummax)."""
    return _running_extreme(a, dim, np.less_equal, "cummin")


# ---- searching a sorted sequence --------------------------------------------------------

def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each of values (a tensor or a number), the int64 position in sorted_sequence
    (ascending along its last dim, or in the order `sorter` gives) where it would be
    inserted to keep the order: before equal elements, or after them with right=True or
    side="right". A sorted_sequence with more than one dim is searched row by row; its
    leading dims must match values'."""
    if out_int32:
        raise NotImplementedError("searchsorted: out_int32=True is not supported "
                                  "(minitorch has no int32 dtype); results are int64")
    if side not in (None, "left", "right") or (side == "left" and right):
        raise ValueError(f"searchsorted: side must be 'left' or 'right' (and not 'left' with "
                         f"right=True), got side={side!r}, right={right}")
    right = right or side == "right"
    boundaries = dispatch.to_numpy(sorted_sequence)
    if boundaries.ndim == 0:
        raise ValueError("searchsorted: sorted_sequence must have at least 1 dim")
    if sorter is not None:
        if sorter.shape != sorted_sequence.shape or sorter.dtype is not int64:
            raise ValueError("searchsorted: sorter must be an int64 tensor of "
                             "sorted_sequence's shape")
        boundaries = np.take_along_axis(boundaries, dispatch.to_numpy(sorter), -1)
    scalar = not isinstance(values, Tensor)
    queries = np.asarray(values) if scalar else dispatch.to_numpy(values)
    if boundaries.ndim == 1:
        positions = _insertion_points(boundaries.reshape(1, -1), queries.reshape(1, -1),
                                      right)
    else:
        if scalar or queries.shape[:-1] != boundaries.shape[:-1]:
            raise ValueError(f"searchsorted: the leading dims of sorted_sequence "
                             f"{format_shape(sorted_sequence.shape)} and values "
                             f"{format_shape(queries.shape)} must match")
        row_count = layout.numel(queries.shape[:-1])
        positions = _insertion_points(boundaries.reshape(row_count, boundaries.shape[-1]),
                                      queries.reshape(row_count, queries.shape[-1]), right)
    return _indices(positions.reshape(queries.shape), sorted_sequence)


def _insertion_points(rows, queries, right):
    """For each of `queries` (2-d), its insertion point in the same row of `rows` (2-d),
    by PyTorch's binary search, run on all queries at once: a nan in a row compares false,
    so is passed over, where numpy's searchsorted takes nan for the largest value."""
    start = np.zeros(queries.shape, np.int64)
    end = np.full(queries.shape, rows.shape[-1], np.int64)
    searching = start < end
    while searching.any():
        middle = (start + end) // 2
        pivot = np.take_along_axis(rows, np.minimum(middle, rows.shape[-1] - 1), -1)
        after = ~(pivot > queries) if right else ~(pivot >= queries)
        start = np.where(searching & after, middle + 1, start)
        end = np.where(searching & ~after, middle, end)
        searching = start < end
    return start


def bucketize(values, boundaries, *, out_int32=False, right=False):
    """For each of values, the index of its bucket among the ascending 1-d boundaries:
    the i with boundaries[i-1] < v <= boundaries[i] (with right=True,
    boundaries[i-1] <= v < boundaries[i]), as int64."""
    if boundaries.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-d, got "
                         f"{format_shape(boundaries.shape)}")
    return searchsorted(boundaries, values, out_int32=out_int32, right=right)


# ---- nan-ignoring median, mode, consecutive runs ----------------------------------------

def _nanmedian_ranks(array, axis):
    """The rank, in ascending order along axis (nan last), of each slice's lower median
    of its non-nan elements (axis kept as size 1); of all of them when all are nan, as
    PyTorch (a nan then, at the middle nan's position)."""
    counted = np.count_nonzero(array == array, axis=axis, keepdims=True)
    return (np.where(counted > 0, counted, array.shape[axis]) - 1) // 2


class NanMedianOfAll(MedianOfAll):
    """nanmedian() of every element: the lower median of the non-nan ones (nan when all
    are nan or a is empty); the gradient is shared as median()'s."""

    @staticmethod
    def of_slices(a, dim):
        return nanmedian(a, dim)


def nanmedian(a, dim=None, keepdim=False):
    """median ignoring nan: the lower median of each slice's non-nan elements (nan, and
    the first nan's index, where all are nan). Forms and gradients as median's."""
    _check_not_bool(a, "nanmedian")
    if dim is not None:
        dim = layout.normalize_dim(dim, a.ndim, "nanmedian")
        _check_slices_not_empty(a, dim, "nanmedian")
        return _select_by_rank("nanmedian", a, dim, keepdim, _nanmedian_ranks)
    if keepdim:
        raise TypeError("nanmedian: keepdim needs a dim (nanmedian() of all elements is 0-d)")
    if a.numel() == 0 and not a.dtype.is_floating_point:
        raise RuntimeError(f"nanmedian: an empty {a.dtype.name} tensor has no median (input "
                           f"shape {format_shape(a.shape)})")
    return NanMedianOfAll.apply(a)


def _mode_positions(array, axis):
    """For each slice of numpy `array` along axis (kept as size 1), the position of its
    mode, as PyTorch's CPU kernel: the most frequent value, the smallest of equally
    frequent ones, at its last occurrence."""
    rows = np.moveaxis(array, axis, -1).reshape(-1, array.shape[axis])
    positions = np.empty(len(rows), np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)
        mode = values[np.argmax(counts)]   # unique sorts, so argmax picks the smallest
        positions[r] = np.flatnonzero((row == mode) | ((row != row) & (mode != mode)))[-1]
    shape = list(array.shape)
    shape[axis] = 1
    return np.moveaxis(positions.reshape(shape[:axis] + shape[axis + 1:] + [1]), -1, axis)


def mode(a, dim=-1, keepdim=False):
    """(values, indices): each slice's most frequent value along dim (the smallest of equally
    frequent ones) and its last position; values' gradient goes to indices."""
    dim = layout.normalize_dim(dim, a.ndim, "mode")
    _check_slices_not_empty(a, dim, "mode")
    if not a.shape:
        return MaxMin(a.clone(), _indices(np.zeros((), np.int64), a), "mode")
    indices = _indices(_mode_positions(dispatch.to_numpy(a), dim), a)
    values = gather(a, dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return MaxMin(values, indices, "mode")


def unique_consecutive(a, return_inverse=False, return_counts=False, dim=None):
    """a with each run of consecutive equal elements (dim=None: of the flattened a; else
    of equal slices along dim) kept once. With return_inverse, the run each element (or
    slice) belongs to; with return_counts, each run's length."""
    if dim is None:
        array, along = dispatch.to_numpy(a).reshape(-1), 0
    else:
        along = layout.normalize_dim(dim, a.ndim, "unique_consecutive")
        array = np.moveaxis(dispatch.to_numpy(a), along, 0)
    size = array.shape[0] if array.ndim else 1
    starts = np.ones(size, bool)   # where a new run starts
    if size > 1:
        differs = array[1:] != array[:-1]
        starts[1:] = differs.reshape(size - 1, -1).any(axis=1)
    with no_grad():
        if dim is None:
            values = a.reshape(-1)[_indices(np.flatnonzero(starts), a)]
        else:
            values = a.index_select(along, _indices(np.flatnonzero(starts), a))
    result = (NotDifferentiable.apply(a, values, "unique_consecutive"),)
    if return_inverse:
        inverse = np.cumsum(starts) - 1
        result += (_indices(inverse.reshape(a.shape) if dim is None else inverse, a),)
    if return_counts:
        result += (_indices(np.diff(np.flatnonzero(np.append(starts, True))), a),)
    return result if len(result) > 1 else result[0]
