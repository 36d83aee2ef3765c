"""The dispatcher: from tensors (layout + storage) to backend kernels.

Every function here takes Tensors whose backend, dtype and broadcast shape the op
layer (minitorch.functions) has already settled, and returns a new Tensor; none
records autograd. Each one calls the backend's optional fast path when it has one, and
otherwise *decomposes* into required kernels: the typical decomposition is "make the
operands compact (strided `copy`), then run the flat kernel".
"""
import numpy as np

from . import layout
from .dtype import bool_, int64
from .tensor import Storage, Tensor


def _tensor(storage, shape, strides, offset, dtype, compact=None):
    """A Tensor with this layout over `storage`, outside any graph. `compact`: True when
    the caller knows the layout fills the storage in row-major order (see is_compact),
    None when it is left to find out."""
    tensor = Tensor.__new__(Tensor)
    tensor._storage = storage
    tensor.shape = shape
    tensor._strides = strides
    tensor._offset = offset
    tensor.dtype = dtype
    tensor._requires_grad = False
    tensor._grad = None
    tensor._ctx = None
    tensor._view = None
    tensor._compact = compact
    tensor._retains_grad = False
    tensor._graph_version = storage.graph_version
    tensor._base = None
    return tensor


def wrap(buffer, size, backend, shape, dtype):
    """A contiguous Tensor over a freshly made buffer of `size` elements."""
    return _tensor(Storage(buffer, backend, size), shape, layout.contiguous_layout(shape)[0],
                   0, dtype, True)


def empty(shape, dtype, backend):
    strides, size = layout.contiguous_layout(shape)
    return _tensor(Storage(backend.empty(size, dtype), backend, size), shape, strides, 0, dtype,
                   True)


def view_of(source, shape, strides, offset):
    """A view of source: a Tensor sharing its storage with another layout (no autograd),
    whose `_base` is source's base, or source itself when source is not a view."""
    view = _tensor(source._storage, shape, strides, offset, source.dtype)
    base = source._base
    view._base = source if base is None else base
    return view


def alias(source, shape=None, strides=None, offset=None):
    """A Tensor sharing source's storage (with source's layout unless given) that is not
    a view of it for autograd (`_base` None): detach(), or a result just computed, seen
    in the shape its op returns."""
    if shape is None:
        shape, strides, offset = source.shape, source._strides, source._offset
    return _tensor(source._storage, shape, strides, offset, source.dtype)


def transposed(a):
    """A view of `a` with its last two dims swapped (a.mT outside any graph)."""
    strides = a._strides
    return view_of(a, a.shape[:-2] + (a.shape[-1], a.shape[-2]),
                   strides[:-2] + (strides[-1], strides[-2]), a._offset)


def from_numpy(array, dtype, backend):
    """A Tensor holding a copy of numpy `array` (already of dtype.numpy)."""
    flat = np.ascontiguousarray(array, dtype=dtype.numpy).reshape(-1)
    return wrap(backend.from_numpy(flat), flat.size, backend, tuple(array.shape), dtype)


def to_numpy(tensor):
    """A numpy array with tensor's shape and values (a copy)."""
    buffer = compact(tensor)
    return tensor._storage.backend.to_numpy(buffer).reshape(tensor.shape)


def _buffer(tensor):
    """tensor's storage buffer, or None for no tensor (an output not wanted)."""
    return None if tensor is None else tensor._storage.buffer


def native(tensor):
    """The backend's strided handle for tensor's layout, made once and cached."""
    handle = tensor._view
    if handle is None:
        storage = tensor._storage
        handle = tensor._view = storage.backend.view(storage.buffer, tensor.shape,
                                                     tensor._strides, tensor._offset)
    return handle


def is_compact(tensor):
    """True when tensor's elements fill its whole buffer in row-major order (found once
    per tensor: a layout never changes)."""
    compact = tensor._compact
    if compact is None:
        strides, size = layout.contiguous_layout(tensor.shape)
        compact = tensor._compact = (tensor._offset == 0 and tensor._storage.size == size
                                     and tensor._strides == strides)
    return compact


def copy_into(source, source_strides, shape, target, target_strides, target_offset):
    """Strided copy of source (seen with source_strides over `shape`) into target's
    storage at (target_strides, target_offset), casting to target's dtype."""
    backend = target._storage.backend
    fast = backend.copy_view
    if fast is not None:
        source_handle = backend.view(source._storage.buffer, shape, source_strides,
                                     source._offset)
        target_handle = backend.view(target._storage.buffer, shape, target_strides,
                                     target_offset)
        fast(source_handle, target_handle)
    else:
        backend.copy(source._storage.buffer, source_strides, source._offset, shape,
                     target_strides, target_offset, target._storage.buffer)


def materialize(tensor, shape=None, dtype=None):
    """A new compact Tensor with tensor's values broadcast to `shape`, cast to dtype."""
    shape = tensor.shape if shape is None else shape
    dtype = tensor.dtype if dtype is None else dtype
    strides = (tensor._strides if shape == tensor.shape else
               layout.expanded_strides(tensor.shape, tensor._strides, shape))
    result = empty(shape, dtype, tensor._storage.backend)
    copy_into(tensor, strides, shape, result, result._strides, 0)
    return result


def compact(tensor, shape=None):
    """A flat buffer of tensor's values (broadcast to shape), copying only if needed."""
    if (shape is None or shape == tensor.shape) and (tensor._compact or is_compact(tensor)):
        return tensor._storage.buffer
    return materialize(tensor, shape)._storage.buffer


def cast(tensor, dtype):
    return tensor if tensor.dtype is dtype else materialize(tensor, dtype=dtype)


def fill(value, shape, dtype, backend):
    result = empty(shape, dtype, backend)
    backend.fill(value, result._storage.buffer)
    return result


# ---- elementwise ------------------------------------------------------------------------

# The elementwise ops run the flat kernel when every operand is compact and of the result's
# shape (nothing to express with strides, and no handles to make), the strided fast path
# otherwise.

def unary(op, a):
    backend = a._storage.backend
    result = empty(a.shape, a.dtype, backend)
    fast = backend.unary_view
    if fast is None or a._compact or is_compact(a):
        backend.unary(op, compact(a), result._storage.buffer)
    else:
        fast(op, native(a), native(result))
    return result


def binary(op, a, b, shape, out_dtype):
    """OP(a, b) elementwise; a and b share a dtype and broadcast to `shape`."""
    backend = a._storage.backend
    result = empty(shape, out_dtype, backend)
    if a.shape == b.shape == shape and is_compact(a) and is_compact(b):
        backend.binary(op, a._storage.buffer, b._storage.buffer, result._storage.buffer)
    elif backend.binary_view is None:
        backend.binary(op, compact(a, shape), compact(b, shape), result._storage.buffer)
    else:
        backend.binary_view(op, native(a), native(b), native(result))
    return result


def where(cond, a, b, shape):
    backend = a._storage.backend
    result = empty(shape, a.dtype, backend)
    fast = backend.where_view
    if fast is not None:
        fast(native(cond), native(a), native(b), native(result))
    else:
        backend.where(compact(cond, shape), compact(a, shape), compact(b, shape),
                      result._storage.buffer)
    return result


# ---- reductions -------------------------------------------------------------------------

def reduce(op, a, dims, out_dtype, keepdim=True):
    """OP over the (sorted, normalized) dims of a; the result keeps them as size 1, or
    drops them when not keepdim (the same compact buffer either way).

    Decomposition: permute the reduced dims to the end, make that compact, and reduce
    rows of prod(reduced sizes) with the flat `reduce` kernel.
    """
    backend = a._storage.backend
    result = empty(layout.reduced_shape(a.shape, dims, keepdim), out_dtype, backend)
    source = cast(a, out_dtype) if op == "sum" else a
    # The last dims of a compact tensor (a full reduction, a row sum): the flat kernel,
    # with no handles and no permutation. dims are sorted, so they are the last ones
    # exactly when the first of them is first_reduced.
    first_reduced = a.ndim - len(dims)
    if (not dims or dims[0] == first_reduced) and is_compact(source):
        backend.reduce(op, source._storage.buffer, layout.numel(source.shape[first_reduced:]),
                       result._storage.buffer)
        return result
    fast = backend.reduce_view
    if fast is not None:
        kept_shape = layout.reduced_shape(a.shape, dims, True)
        kept = result if keepdim else view_of(result, kept_shape,
                                              layout.contiguous_strides(kept_shape), 0)
        fast(op, native(source), dims, native(kept))
        return result
    order = [d for d in range(a.ndim) if d not in dims] + list(dims)
    moved_shape = tuple(source.shape[d] for d in order)
    moved_strides = tuple(source._strides[d] for d in order)
    rows = view_of(source, moved_shape, moved_strides, source._offset)
    reduce_size = layout.numel(source.shape[d] for d in dims)
    backend.reduce(op, compact(rows), reduce_size, result._storage.buffer)
    return result


def arg_reduce(op, a, dim):
    """Index of the first max (op "argmax") or min ("argmin") along dim, kept as size 1.

    Decomposition: m = max(a, dim); first index where a == m is
    min(where(a == m, arange, size)) along dim.
    """
    backend = a._storage.backend
    fast = backend.reduce_view
    if fast is not None:
        result = empty(layout.reduced_shape(a.shape, (dim,), True), int64, backend)
        fast(op, native(a), (dim,), native(result))
        return result
    extreme = reduce("max" if op == "argmax" else "min", a, (dim,), a.dtype)
    hits = binary("eq", a, extreme, a.shape, bool_)
    # NaN counts as the extreme (PyTorch's rule): a position holding NaN is a hit
    if a.dtype.is_floating_point:
        nan_here = binary("ne", a, a, a.shape, bool_)
        hits = binary("maximum", hits, nan_here, a.shape, bool_)
    size = a.shape[dim]
    positions_shape = tuple(size if d == dim else 1 for d in range(a.ndim))
    positions = from_numpy(np.arange(size).reshape(positions_shape), int64, backend)
    sentinel = fill(size, (), int64, backend)
    candidates = where(hits, positions, sentinel, a.shape)
    return reduce("min", candidates, (dim,), int64)


# ---- matmul -----------------------------------------------------------------------------

def matmul(a, b, shape):
    """Batched a @ b: a is (..., m, k), b is (..., k, n), batch dims broadcast to
    shape[:-2]; the result has `shape`."""
    backend = a._storage.backend
    batch_shape = shape[:-2]
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    result = empty(shape, a.dtype, backend)
    if result._storage.size == 0:   # nothing to compute: no kernel loops over a huge m
        return result
    fast = backend.matmul_view
    if fast is not None:
        fast(native(a), native(b), native(result))
        return result
    batch = layout.numel(batch_shape)
    backend.matmul(compact(a, batch_shape + (m, k)), compact(b, batch_shape + (k, n)),
                   batch, m, k, n, result._storage.buffer)
    return result


# ---- gather / scatter by storage position -----------------------------------------------

def take(a, positions):
    """result[i...] = a's storage at positions[i...] (int64 numpy array, in range)."""
    backend = a._storage.backend
    index = backend.from_numpy(np.ascontiguousarray(positions, dtype=np.int64).reshape(-1))
    result = empty(tuple(positions.shape), a.dtype, backend)
    backend.take(a._storage.buffer, index, result._storage.buffer)
    return result


def take_rows(a, shape, offset, rows, index=None):
    """Rows `rows` (int64 numpy array, in range) of the compact block of `shape` that
    starts at storage position `offset`; the result has shape rows.shape + shape[1:].
    `index`: rows already uploaded to a's backend (backend.from_numpy), when the caller
    gathers the same rows from several tensors."""
    backend = a._storage.backend
    fast = backend.take_rows
    if fast is None:
        row_size = layout.numel(shape[1:])
        positions = (offset + rows[..., None] * row_size) + np.arange(row_size)
        return take(a, positions.reshape(rows.shape + shape[1:]))
    if index is None:
        index = backend.from_numpy(np.ascontiguousarray(rows, dtype=np.int64).reshape(-1))
    result = empty(tuple(rows.shape) + shape[1:], a.dtype, backend)
    fast(a._storage.buffer, offset, shape[0], layout.numel(shape[1:]), index,
         result._storage.buffer)
    return result


def index_put(target, positions, values, accumulate):
    """target's storage at positions[i...] = values[i...] (or += when accumulate)."""
    backend = target._storage.backend
    index = backend.from_numpy(np.ascontiguousarray(positions, dtype=np.int64).reshape(-1))
    flat_values = compact(cast(values, target.dtype), tuple(positions.shape))
    backend.index_put(index, flat_values, accumulate, target._storage.buffer)


# ---- fused training kernels -------------------------------------------------------------

def linear(x, weight, bias):
    """x (m, k) @ weight(n, k).T + bias(n): one fused kernel, or matmul + add."""
    backend = x._storage.backend
    m, k = x.shape
    n = weight.shape[0]
    fast = backend.linear
    if fast is not None:
        result = empty((m, n), x.dtype, backend)
        fast(compact(x), compact(weight), None if bias is None else compact(bias), m, k, n,
             result._storage.buffer)
        return result
    weight_t = view_of(weight, (k, n), (weight._strides[1], weight._strides[0]), weight._offset)
    product = matmul(x, weight_t, (m, n))
    return product if bias is None else binary("add", product, bias, (m, n), x.dtype)


def linear_backward(grad, x, weight, needs_x, needs_weight, needs_bias):
    """(grad_x, grad_weight, grad_bias) of linear(x (m, k), weight (n, k), bias (n,)) for
    the gradient grad (m, n) of its output; None for each one not needed."""
    backend = x._storage.backend
    (m, k), n = x.shape, weight.shape[0]
    fast = backend.linear_backward
    if fast is not None:
        dtype = x.dtype
        grad_x = empty((m, k), dtype, backend) if needs_x else None
        grad_weight = empty((n, k), dtype, backend) if needs_weight else None
        grad_bias = empty((n,), dtype, backend) if needs_bias else None
        fast(compact(grad), compact(x), compact(weight), m, k, n, _buffer(grad_x),
             _buffer(grad_weight), _buffer(grad_bias))
        return grad_x, grad_weight, grad_bias
    return (matmul(grad, weight, (m, k)) if needs_x else None,
            matmul(transposed(grad), x, (n, k)) if needs_weight else None,
            reduce("sum", grad, (0,), grad.dtype, keepdim=False)
            if needs_bias else None)


def relu_backward(grad, x):
    backend = x._storage.backend
    fast = backend.relu_backward
    if fast is not None:
        result = empty(x.shape, x.dtype, backend)
        fast(compact(grad, x.shape), compact(x), result._storage.buffer)
        return result
    zero = fill(0, (), x.dtype, backend)
    dropped = binary("le", x, zero, x.shape, bool_)   # not "gt": a nan x passes grad on
    return where(dropped, zero, grad, x.shape)


def log_softmax_rows(x):
    """log_softmax over the last dim of a 2-D compact-able tensor (rows, cols)."""
    backend = x._storage.backend
    rows, cols = x.shape
    if rows * cols == 0:   # no row to normalize (and no max of an empty row to take)
        return empty(x.shape, x.dtype, backend)
    fast = backend.log_softmax
    if fast is not None:
        result = empty(x.shape, x.dtype, backend)
        fast(compact(x), rows, cols, result._storage.buffer)
        return result
    row_max = reduce("max", x, (1,), x.dtype)
    shifted = binary("sub", x, row_max, x.shape, x.dtype)
    total = reduce("sum", unary("exp", shifted), (1,), x.dtype)
    return binary("sub", shifted, unary("log", total), x.shape, x.dtype)


def log_softmax_rows_backward(grad, y):
    backend = y._storage.backend
    rows, cols = y.shape
    if rows * cols == 0:
        return empty(y.shape, y.dtype, backend)
    fast = backend.log_softmax_backward
    if fast is not None:
        result = empty(y.shape, y.dtype, backend)
        fast(compact(grad, y.shape), compact(y), rows, cols, result._storage.buffer)
        return result
    grad_total = reduce("sum", grad, (1,), y.dtype)
    scaled = binary("mul", unary("exp", y), grad_total, y.shape, y.dtype)
    return binary("sub", grad, scaled, y.shape, y.dtype)


def cross_entropy_rows(logits, target):
    """(losses, probs) for (rows, cols) logits and int64 class indices target (rows,):
    losses[r] = logsumexp(logits[r]) - logits[r, target[r]], and probs (rows, cols) =
    softmax(logits) over each row, which cross_entropy_rows_backward takes."""
    backend = logits._storage.backend
    rows, cols = logits.shape
    fast = backend.cross_entropy
    if fast is not None:
        losses = empty((rows,), logits.dtype, backend)
        probs = empty(logits.shape, logits.dtype, backend)
        fast(compact(logits), compact(target), rows, cols, losses._storage.buffer,
             probs._storage.buffer)
        return losses, probs
    log_probs = log_softmax_rows(logits)
    picked = take(log_probs, _row_target_positions(target, cols))
    return unary("neg", picked), unary("exp", log_probs)


def cross_entropy_rows_backward(probs, target, grad):
    """d loss / d logits[r, c] = grad[r] * (probs[r, c] - (c == target[r])) for the probs
    of cross_entropy_rows and the gradient grad (rows,) of its losses; probs is left as
    it is (autograd saved it)."""
    backend = probs._storage.backend
    rows, cols = probs.shape
    fast = backend.cross_entropy_backward
    if fast is not None:
        result = empty(probs.shape, probs.dtype, backend)
        fast(compact(probs), compact(target), compact(grad), rows, cols,
             result._storage.buffer)
        return result
    grad_column = view_of(grad, (rows, 1), (grad._strides[0], 0), grad._offset)
    result = binary("mul", probs, grad_column, probs.shape, probs.dtype)   # a new tensor
    index_put(result, _row_target_positions(target, cols), unary("neg", grad),
              accumulate=True)
    return result


def _row_target_positions(target, cols):
    """Storage positions r * cols + target[r] of each row's target in a compact matrix."""
    labels = to_numpy(target)
    return np.arange(labels.size) * cols + labels
