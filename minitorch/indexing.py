"""Indexing with PyTorch's semantics: `a[key]` and `a[key] = value`.

Basic items (ints, slices with positive steps, None, ...) only change the layout and
give a view. Advanced items (integer or bool tensors, lists, tuples inside the key,
numpy arrays) select arbitrary elements: the core computes the *storage position* of
every selected element from the layout (index metadata, like strides, so it is done on
the host), then one `take` kernel gathers them, or one `index_put` kernel scatters
into them.
"""
import numbers
import warnings

import numpy as np

from . import dispatch, layout
from .autograd import Function
from .contract import first_out_of_range
from .creation import check_fill_value
from .dtype import int64
from .tensor import Tensor


class _Advanced:
    """An advanced index on one dim of the basic view: integer positions (numpy)."""

    __slots__ = ("dim", "positions")

    def __init__(self, dim, positions):
        self.dim = dim
        self.positions = positions


def _as_index_array(item):
    """An advanced item as a numpy array of ints or bools."""
    if isinstance(item, Tensor):
        if item.dtype.is_floating_point:
            raise IndexError(f"tensors used as indices must be long or bool, got "
                             f"{item.dtype.name}")
        return dispatch.to_numpy(item)
    array = np.asarray(item)
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind not in "iub":
        raise IndexError(f"indices must be integers or bools, got {array.dtype} values")
    return array


def basic_view(shape, strides, offset, key):
    """Apply the basic part of `key` to a layout.

    Returns (shape, strides, offset, advanced) where advanced lists _Advanced entries
    (dims of the returned view, still full) for the caller to gather from.
    """
    items = []
    consumed = 0      # dims of the tensor the items index: None and ... index none
    ellipses = []
    for item in key if isinstance(key, tuple) else (key,):
        if isinstance(item, Tensor) and not item.shape and item.dtype is int64:
            consumed += 1   # a 0-d integer tensor is an int (a view), as in PyTorch
        elif isinstance(item, (Tensor, list, tuple, np.ndarray, bool, np.bool_)):  # an array
            item = _as_index_array(item)
            consumed += item.ndim if item.dtype == np.bool_ else 1
        elif item is Ellipsis:
            ellipses.append(len(items))
        elif item is not None:
            consumed += 1
        items.append(item)
    ndim = len(shape)
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} "
                         f"({consumed} given)")
    if ellipses:
        at = ellipses[0]
        items[at:at + 1] = [slice(None)] * (ndim - consumed)
    else:
        items += [slice(None)] * (ndim - consumed)
    new_shape, new_strides, advanced = [], [], []
    dim = 0
    for item in items:
        if item is None:   # torch's unsqueeze stride: the next dim's extent, 1 at the end
            new_shape.append(1)
            new_strides.append(shape[dim] * strides[dim] if dim < ndim else 1)
        elif isinstance(item, slice):
            start, stop, step = item.indices(shape[dim])
            if step <= 0:
                raise ValueError(f"slice step must be positive, got {item.step}; use "
                                 "flip() for reversed order")
            new_shape.append(len(range(start, stop, step)))
            new_strides.append(strides[dim] * step)
            offset += start * strides[dim] if new_shape[-1] else 0
            dim += 1
        elif isinstance(item, np.ndarray):
            array = item
            if array.dtype == np.bool_ and array.ndim == 0:
                # a bool scalar (True, False, a 0-d bool tensor), as PyTorch and numpy: a new
                # dim, selected once (True) or not at all (False)
                advanced.append(_Advanced(len(new_shape), np.zeros(int(array), np.int64)))
                new_shape.append(1)
                new_strides.append(0)
            elif array.dtype == np.bool_:
                covered = shape[dim:dim + array.ndim]
                if array.shape != covered:
                    raise IndexError(f"the shape of the mask {list(array.shape)} does not "
                                     f"match the shape {list(covered)} of the indexed tensor "
                                     f"at dimension {dim}")
                for part in np.nonzero(array):
                    advanced.append(_Advanced(len(new_shape), part))
                    new_shape.append(shape[dim])
                    new_strides.append(strides[dim])
                    dim += 1
            else:
                advanced.append(_Advanced(len(new_shape), _wrapped(array, shape[dim], dim)))
                new_shape.append(shape[dim])
                new_strides.append(strides[dim])
                dim += 1
        elif isinstance(item, numbers.Integral) or hasattr(item, "__index__"):
            offset += _wrapped_position(int(item), shape[dim], dim) * strides[dim]
            dim += 1
        else:
            raise IndexError(f"unsupported index {item!r} of type {type(item).__name__}; "
                             "use ints, slices, None, ..., or integer/bool tensors")
    return tuple(new_shape), tuple(new_strides), offset, advanced


def _out_of_bounds(position, size, dim):
    return IndexError(f"index {position} is out of bounds for dimension {dim} with size "
                      f"{size}")


def _wrapped_position(position, size, dim):
    """One int index: negative counts from the end; out of range is an IndexError."""
    if not -size <= position < size:
        raise _out_of_bounds(position, size, dim)
    return position + size if position < 0 else position


def _wrapped(positions, size, dim):
    """An int64 array of indices, negative ones counted from the end (the array itself
    when none is negative); an out-of-range one is an IndexError."""
    if positions.size == 0:
        return positions.astype(np.int64)
    if positions.dtype == np.int64 and first_out_of_range(positions, size) is None:
        return positions  # none negative, none too large: the common case
    low, high = positions.min(), positions.max()   # before the cast: uint64 may not fit
    if high >= size:
        raise _out_of_bounds(int(high), size, dim)
    positions = positions.astype(np.int64, copy=False)
    if low >= 0:
        return positions
    if low < -size:
        raise _out_of_bounds(int(low), size, dim)
    return np.where(positions < 0, positions + size, positions)


def storage_positions(shape, strides, offset):
    """The storage position of every element of a layout, as an int64 numpy array of
    shape `shape` (host metadata, like the gather positions below)."""
    positions = np.full(shape, offset, np.int64)
    for dim, (size, stride) in enumerate(zip(shape, strides)):
        positions += (np.arange(size, dtype=np.int64) * stride).reshape(
            [-1 if d == dim else 1 for d in range(len(shape))])
    return positions


def positions_in_base(view, base):
    """Where each of view's elements lies among base's elements (their row-major index),
    as an int64 numpy array of view's shape; None when one of them is not an element of
    base (as_strided can reach past it) or two of base's elements share memory."""
    positions = storage_positions(view.shape, view._strides, view._offset)
    if base._offset == 0 and layout.is_contiguous(base.shape, base._strides):
        return positions if (positions < base.numel()).all() else None   # the common case
    base_positions = storage_positions(base.shape, base._strides, base._offset).reshape(-1)
    element_at = np.full(base._storage.size, -1, np.int64)
    element_at[base_positions] = np.arange(base_positions.size)
    if np.count_nonzero(element_at >= 0) != base_positions.size:
        return None
    positions = element_at[positions]
    return None if (positions < 0).any() else positions


def gather_positions(shape, strides, offset, advanced):
    """Storage positions of the elements an advanced index selects, in result layout.

    The broadcast index arrays take the place of the first indexed dim when the indexed
    dims are adjacent, and go first otherwise (NumPy's and PyTorch's rule).
    """
    try:
        index_arrays = np.broadcast_arrays(*[entry.positions for entry in advanced])
    except ValueError:
        shapes = ", ".join(str(list(entry.positions.shape)) for entry in advanced)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast "
                         f"together with shapes {shapes}") from None
    index_shape = index_arrays[0].shape
    indexed_dims = [entry.dim for entry in advanced]
    position_of_index = sum(array * strides[d] for array, d in zip(index_arrays, indexed_dims))
    rest = [d for d in range(len(shape)) if d not in indexed_dims]
    adjacent = indexed_dims == list(range(indexed_dims[0], indexed_dims[-1] + 1))
    insert_at = sum(1 for d in rest if d < indexed_dims[0]) if adjacent else 0
    result_ndim = len(rest) + len(index_shape)
    positions = np.full((), offset, dtype=np.int64)
    index_axes = list(range(insert_at, insert_at + len(index_shape)))
    positions = positions + np.expand_dims(
        position_of_index, [a for a in range(result_ndim) if a not in index_axes])
    rest_axes = [a for a in range(result_ndim) if a not in index_axes]
    for axis, d in zip(rest_axes, rest):
        ramp = np.arange(shape[d], dtype=np.int64) * strides[d]
        positions = positions + ramp.reshape([-1 if a == axis else 1 for a in range(result_ndim)])
    return positions


class Index(Function):
    """a[key]: a view for basic keys, a gather for advanced ones.

    backward: the gradient added back at the selected positions of a zero tensor of a's
    shape, whose layout is contiguous. When a's is too, the gather's storage positions
    are those positions, so the forward keeps them and the backward scatters into them
    directly (an im2col's gather has hundreds of thousands: recomputing and rechecking
    them took a third of a small convolution's backward)."""

    positions = None   # the gather's storage positions, when they fit the gradient's layout

    def forward(self, a, key):
        self.key, self.input_shape = key, a.shape
        shape, strides, offset, advanced = basic_view(a.shape, a._strides, a._offset, key)
        if not advanced:
            return dispatch.view_of(a, shape, strides, offset)
        laid_out_from_0 = a._offset == 0 and a._strides == layout.contiguous_strides(a.shape)
        if len(advanced) == 1 and advanced[0].dim == 0 and \
                layout.is_contiguous(shape, strides):  # whole rows: x[index], a data batch
            if laid_out_from_0 and a.ndim == 1 and shape == a.shape:
                self.positions = advanced[0].positions   # rows of one element: positions
            return dispatch.take_rows(a, shape, offset, advanced[0].positions)
        positions = gather_positions(shape, strides, offset, advanced)
        if laid_out_from_0:
            self.positions = positions
        return dispatch.take(a, positions)

    def backward(self, grad):
        grad_input = dispatch.fill(0, self.input_shape, grad.dtype, grad._storage.backend)
        if self.positions is not None:
            dispatch.index_put(grad_input, self.positions, grad, accumulate=True)
        else:
            _write(grad_input, self.key, grad, accumulate=True)
        return grad_input

    def differentiable_backward(self, grad):
        zeros = dispatch.fill(0, self.input_shape, grad.dtype, grad._storage.backend)
        return IndexPut.apply(zeros, grad, self.key, True)


def take_batch(tensors, rows):
    """(t[rows] for t in tensors) for a 1-D numpy array of row indices: a DataLoader
    batch. The rows are checked once, and uploaded once per backend, for all the tensors
    (the gather of each is one take_rows kernel); a tensor that requires grad or is not
    compact is indexed the ordinary way."""
    rows = _wrapped(_as_index_array(rows), tensors[0].shape[0], 0)
    uploaded = {}
    batch = []
    for item in tensors:
        backend = item._storage.backend
        if item.requires_grad or backend.take_rows is None or not (
                dispatch.is_compact(item) or layout.is_contiguous(item.shape, item._strides)):
            batch.append(item[rows])
            continue
        if backend not in uploaded:
            uploaded[backend] = backend.from_numpy(rows)
        batch.append(dispatch.take_rows(item, item.shape, item._offset, rows,
                                        uploaded[backend]))
    return tuple(batch)


def _check_index_backends(a, key, op_name):
    """Index tensors in key must be on a's backend, like any other operand."""
    for item in key if isinstance(key, tuple) else (key,):
        if isinstance(item, Tensor) and item._storage.backend is not a._storage.backend:
            from .functions import _same_backend   # (functions imports this module)
            _same_backend(a, item, op_name)


def _as_key(key):
    """key, except that a list of fewer than 32 items holding a sequence, tensor, slice,
    None or ... is read as a tuple of items, as PyTorch 2.13 still does (with NumPy's old
    heuristic, and its deprecation warning): a[[[0, 1], [1, 2]]] is a[[0, 1], [1, 2]]."""
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(item, (list, tuple, Tensor, np.ndarray, slice)) or item is None or
            item is Ellipsis for item in key):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                      "deprecated; use a[tuple(seq)] instead of a[seq]", UserWarning,
                      stacklevel=3)
        return tuple(key)
    return key


def getitem(a, key):
    key = _as_key(key)
    _check_index_backends(a, key, "getitem")
    return Index.apply(a, key)


def _without_leading_ones(values, ndim):
    """values with leading size-1 dims beyond ndim dropped (a view): PyTorch accepts
    a[0] = t of shape (1, n) where a[0] has shape (n,)."""
    extra = 0
    while values.ndim - extra > ndim and values.shape[extra] == 1:
        extra += 1
    if not extra:
        return values
    return dispatch.view_of(values, values.shape[extra:], values._strides[extra:],
                            values._offset)


def _write(target, key, values, accumulate):
    """target[key] = values (or += when accumulate), values broadcast to the selection."""
    shape, strides, offset, advanced = basic_view(target.shape, target._strides,
                                                   target._offset, key)
    if advanced:
        positions = gather_positions(shape, strides, offset, advanced)
        values = _without_leading_ones(values, positions.ndim)
        dispatch.index_put(target, positions, values, accumulate)
        return
    if values._storage is target._storage:
        values = dispatch.materialize(values)
    values = _without_leading_ones(values, len(shape))
    value_strides = layout.expanded_strides(values.shape, values._strides, shape, "setitem")
    if accumulate:  # a basic region is never repeated, so += is read, add, write back
        region = dispatch.view_of(target, shape, strides, offset)
        values = dispatch.binary("add", dispatch.materialize(region),
                                 dispatch.cast(values, target.dtype), shape, target.dtype)
        value_strides = values._strides
    dispatch.copy_into(values, value_strides, shape, target, strides, offset)


class IndexPut(Function):
    """Out of place a[key] = values (or += with accumulate), which a setitem or index_put_
    that autograd records computes; values already has a's dtype.

    backward: a's gradient is grad with the written positions zeroed (all of grad with
    accumulate); values' gradient is grad[key]."""

    def forward(self, a, values, key, accumulate):
        self.key, self.accumulate = key, accumulate
        result = dispatch.materialize(a)
        _write(result, key, values, accumulate)
        return result

    def backward(self, grad):
        grad_a = grad
        if self.inputs[0] is not None and not self.accumulate:   # recorded with create_graph
            zero = dispatch.fill(0, (), grad.dtype, grad._storage.backend)
            grad_a = IndexPut.apply(grad, zero, self.key, False)
        grad_values = getitem(grad, self.key) if self.inputs[1] is not None else None
        return grad_a, grad_values


class CopySlices(Function):
    """The node of a base after an in-place op recorded on one of its views (PyTorch's
    CopySlices): its inputs are the edges to the base's old values and to the op's
    result, and the base now holds its old values with the view's elements (`positions`,
    see positions_in_base) replaced by that result. backward: grad with those elements
    zeroed for the old values; grad at them, in the view's shape, for the result."""

    def backward(self, grad):
        flat = grad.reshape(-1)
        grad_old = grad_written = None
        if self.inputs[0] is not None:
            zero = dispatch.fill(0, (), grad.dtype, grad._storage.backend)
            grad_old = IndexPut.apply(flat, zero, (self.positions,), False).reshape(grad.shape)
        if self.inputs[1] is not None:
            grad_written = getitem(flat, self.positions)
        return grad_old, grad_written

    def name(self):
        return "CopySlices"


class ViewOfBase(Function):
    """The node of a view whose memory an in-place op recorded by autograd rewrote: its
    elements (`positions`, see positions_in_base) read from its base's current values,
    the node's one input, as PyTorch regenerates a view's grad_fn. backward: grad added
    at those elements of zeros of the base's shape (`base_shape`)."""

    def backward(self, grad):
        zeros = dispatch.fill(0, (layout.numel(self.base_shape),), grad.dtype,
                              grad._storage.backend)
        return IndexPut.apply(zeros, grad, (self.positions,), True).reshape(self.base_shape)


def setitem(a, key, value):
    """a[key] = value in place; value is a tensor or Python scalar, broadcast and cast."""
    from .functions import _check_scalar, _same_backend, cast, check_inplace, record_inplace
    key = _as_key(key)
    _check_index_backends(a, key, "setitem")
    if isinstance(value, Tensor):
        _same_backend(a, value, "setitem")
    else:
        _check_scalar(value, "setitem")
        check_fill_value(value, a.dtype, "setitem")
        value = dispatch.fill(value, (), a.dtype, a._storage.backend)
    if check_inplace(a, (value,), "setitem"):
        record_inplace(a, IndexPut.apply(a, cast(value, a.dtype), key, False), "setitem")
        return
    _write(a, key, dispatch.cast(value, a.dtype), accumulate=False)
    a._storage.version += 1


def _check_index_put_args(a, indices, values):
    """index_put_'s arguments as PyTorch takes them: a tuple or list of index tensors, and
    a tensor of values with a's dtype, all on a's backend."""
    from .functions import _same_backend
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put_: indices must be a tuple or list of tensors, got "
                        f"{type(indices).__name__}; wrap a single index tensor as (index,)")
    for position, index in enumerate(indices):
        if not isinstance(index, Tensor):
            raise TypeError(f"index_put_: indices[{position}] must be a tensor, got "
                            f"{type(index).__name__}; make it with minitorch.tensor(...)")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put_: values must be a tensor, got {type(values).__name__}; "
                        "pass minitorch.tensor(value, dtype=target.dtype), or use "
                        "target[indices] = value for a Python number")
    if values.dtype is not a.dtype:
        raise RuntimeError(f"index_put_: values have dtype {values.dtype.name} but the "
                           f"target has {a.dtype.name} (index put requires the source and "
                           f"destination dtypes match); convert with "
                           f"values.to(minitorch.{a.dtype.name})")
    _same_backend(a, values, "index_put_")
    _check_index_backends(a, tuple(indices), "index_put_")


def index_put_(a, indices, values, accumulate=False):
    """a[indices] = values (or += with accumulate=True; repeated indices add up).

    indices is a tuple or list of integer or bool tensors, values a tensor of a's dtype
    (broadcast to the selection); everything is checked before anything is written."""
    from .functions import check_inplace, record_inplace
    _check_index_put_args(a, indices, values)
    indices = tuple(indices)
    if check_inplace(a, (values,), "index_put_"):
        return record_inplace(a, IndexPut.apply(a, values, indices, accumulate), "index_put_")
    _write(a, indices, values, accumulate)
    a._storage.version += 1
    return a
