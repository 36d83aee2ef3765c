"""Layout arithmetic owned by the core: shapes, strides, broadcasting, dims.

Strides count elements (not bytes). A tensor's element at index tuple idx lives at
storage position `offset + sum(idx[d] * strides[d])`.
"""
import math


_contiguous_layouts = {}  # shape -> (strides, numel); shapes repeat across a program


def contiguous_layout(shape):
    """(row-major strides, number of elements) of a compact tensor of `shape`. As in
    PyTorch, a size-0 dim counts as size 1 in the strides of the dims before it (zeros(4, 0)
    has strides (1, 1)), so a stride is 0 only where a dim is expanded."""
    found = _contiguous_layouts.get(shape)
    if found is None:
        step = 1
        reversed_strides = []
        for size in reversed(shape):
            reversed_strides.append(step)
            step *= max(size, 1)
        found = (tuple(reversed(reversed_strides)), math.prod(shape))
        if len(_contiguous_layouts) < 4096:
            _contiguous_layouts[shape] = found
    return found


def contiguous_strides(shape):
    """Row-major strides of a compact tensor of `shape`."""
    return contiguous_layout(shape)[0]


def numel(shape):
    return math.prod(shape)


def is_contiguous(shape, strides):
    """True when a tensor with this layout is row-major compact (size-1 dims ignored); an
    empty one always is, as in PyTorch, whatever its strides."""
    if 0 in shape:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


_broadcasts = {}  # (shape_a, shape_b) -> broadcast shape, for the pairs a program repeats


def broadcast_shapes(shape_a, shape_b, op_name):
    """NumPy/PyTorch broadcasting of two shapes (tuples), or a ValueError naming op and
    shapes."""
    if shape_a == shape_b:
        return shape_a
    found = _broadcasts.get((shape_a, shape_b))
    if found is None:
        found = _broadcast(shape_a, shape_b, op_name)
        if len(_broadcasts) < 4096:
            _broadcasts[(shape_a, shape_b)] = found
    return found


def _broadcast(shape_a, shape_b, op_name):
    ndim = max(len(shape_a), len(shape_b))
    padded_a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for size_a, size_b in zip(padded_a, padded_b):
        if size_a == size_b or size_b == 1:
            result.append(size_a)
        elif size_a == 1:
            result.append(size_b)
        else:
            raise ValueError(f"{op_name}: shapes {format_shape(shape_a)} and "
                             f"{format_shape(shape_b)} cannot be broadcast together "
                             f"(dimension {len(result) - ndim} is {size_a} vs {size_b})")
    return tuple(result)


def expanded_strides(shape, strides, target_shape, op_name="expand"):
    """Strides that view (shape, strides) as target_shape, with stride 0 where broadcast."""
    extra = len(target_shape) - len(shape)
    if extra < 0:
        raise ValueError(f"{op_name}: cannot expand shape {format_shape(shape)} to "
                         f"{format_shape(target_shape)} (fewer dimensions)")
    result = [0] * extra
    for size, stride, target in zip(shape, strides, target_shape[extra:]):
        if size == target:
            result.append(stride)
        elif size == 1:
            result.append(0)
        else:
            raise ValueError(f"{op_name}: cannot expand shape {format_shape(shape)} to "
                             f"{format_shape(target_shape)}: size {size} is not 1 and "
                             f"differs from {target}")
    return tuple(result)


def normalize_dim(dim, ndim, op_name):
    """A possibly negative dim as an index in range(ndim), or IndexError (TypeError for
    a dim that is no number, such as None)."""
    bound = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, like PyTorch
    try:
        in_range = -bound <= dim < bound
    except TypeError:
        raise TypeError(f"{op_name}: dim must be an int, got {type(dim).__name__}") from None
    if not in_range:
        raise IndexError(f"{op_name}: dimension {dim} is out of range for a tensor with "
                         f"{ndim} dimension(s) (expected {-bound} to {bound - 1})")
    return dim % bound


def normalize_dims(dims, ndim, op_name):
    """dim argument (None, int or tuple) as a sorted tuple of distinct dims."""
    if dims is None:
        return tuple(range(ndim))
    # a 0-d tensor has no dim to reduce, but its dims are checked all the same
    if isinstance(dims, int):
        dim = normalize_dim(dims, ndim, op_name)
        return (dim,) if ndim else ()
    result = sorted({normalize_dim(d, ndim, op_name) for d in dims})
    if not ndim:
        return ()
    if len(result) != len(dims):
        raise ValueError(f"{op_name}: dimension {dims} appears more than once")
    return tuple(result)


def reduced_shape(shape, dims, keepdim):
    """`shape` after a reduction over `dims`: those dims kept as size 1, or dropped."""
    if keepdim:
        return tuple([1 if d in dims else s for d, s in enumerate(shape)])
    return tuple([s for d, s in enumerate(shape) if d not in dims])


def reshaped_shape(shape, new_shape, op_name):
    """new_shape with one -1 inferred, checked to hold the same number of elements."""
    if len(new_shape) == 1 and isinstance(new_shape[0], (tuple, list)):
        new_shape = new_shape[0]
    new_shape = tuple([int(s) for s in new_shape])
    total = contiguous_layout(shape)[1]
    inferred = new_shape.count(-1)
    if inferred > 1:
        raise ValueError(f"{op_name}: only one dimension can be -1, got {new_shape}")
    if inferred:
        known = -numel(new_shape)  # the product of the other sizes (one factor is -1)
        if known == 0 or total % known:
            raise ValueError(f"{op_name}: shape {format_shape(new_shape)} is invalid for "
                             f"input of size {total}")
        new_shape = tuple([total // known if s == -1 else s for s in new_shape])
    if any(s < 0 for s in new_shape) or numel(new_shape) != total:
        raise ValueError(f"{op_name}: shape {format_shape(new_shape)} is invalid for input "
                         f"of size {total} (shape {format_shape(shape)})")
    return new_shape


def view_strides(shape, strides, new_shape):
    """Strides viewing (shape, strides) as new_shape without copying, or None.

    Merges runs of dimensions that are laid out contiguously with respect to each other
    (PyTorch's computeStride rule); returns None when a copy is unavoidable.
    """
    compact_strides, size = contiguous_layout(shape)
    if size == 0 or strides == compact_strides:  # the common case, no merging to work out
        return contiguous_strides(new_shape)
    result = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[tensor_d]
        if tensor_d == 0 or (shape[tensor_d - 1] != 1 and
                             strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                result[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(result)


def format_shape(shape):
    """(2, 5) -> '2x5', () -> 'scalar' — the form used in error messages."""
    return "x".join(str(s) for s in shape) if shape else "scalar"
