"""Making tensors: from data, filled, ranges, and random (from the core's generator)."""
import functools
import math
import numbers
import operator

import numpy as np

from . import dispatch
from .devices import check_device
from .dtype import bool_, from_numpy_dtype, get_default_dtype, int64, resolve
from .generator import numpy_generator
from .registry import get_backend, lookup
from .tensor import Tensor, preserve_format

_INT64 = np.iinfo(np.int64)
_MAX_BYTES = np.iinfo(np.intp).max  # the most bytes one numpy array can span
_UNEVEN = ("tensor(): nested sequences have uneven lengths; every row must have the same "
           "length")


def _backend(name):
    return get_backend() if name is None else lookup(name)


def _finish(result, requires_grad):
    return result.requires_grad_() if requires_grad else result


def _host_array(data, dtype):
    """numpy array and dtype for tensor(data): PyTorch's inference rules."""
    if isinstance(data, Tensor):
        array = dispatch.to_numpy(data)
        return array, dtype or data.dtype
    if isinstance(data, np.ndarray):
        return data, dtype or from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple, range)):
        data = [_host_item(item) for item in data]
    elif not isinstance(data, (numbers.Number, np.generic)):
        raise TypeError(f"tensor(): cannot make a tensor from {type(data).__name__}; "
                        "pass a number, a (nested) list or tuple, or a numpy array")
    array = _nested_array(data, dtype)
    if dtype is None:
        dtype = {"b": bool_, "i": int64, "u": int64}.get(array.dtype.kind, get_default_dtype())
        if array.dtype.kind == "f" and isinstance(data, np.generic):
            dtype = from_numpy_dtype(array.dtype)
        elif array.dtype == np.float64 and isinstance(data, list) and any(
                isinstance(leaf, np.float64) for leaf in _leaves(data)):
            dtype = from_numpy_dtype(array.dtype)  # PyTorch keeps numpy float64 scalars
    return array, dtype


def _nested_array(data, dtype):
    """np.array(data) for a number or nested list of numbers, refusing (before numpy turns
    them into strings, objects, complex numbers, or wrapped or rounded ints) elements that
    are not real numbers, and ints beyond int64 unless dtype (given, or inferred from a
    float element) is floating point."""
    try:
        array = np.array(data)
    except ValueError:  # numpy: "inhomogeneous shape"
        raise ValueError(_UNEVEN) from None
    kind = array.dtype.kind
    if kind in "bi" or (kind in "uf" and not _beyond_int64(array)):
        return array
    leaves = list(_leaves(data))
    for leaf in leaves:
        _check_element(leaf)
    too_big = [leaf for leaf in leaves if isinstance(leaf, numbers.Integral)
               and not _INT64.min <= leaf <= _INT64.max]
    if not too_big:
        if kind in "uf":  # large floats, not ints
            return array
        raise ValueError(_UNEVEN)  # numpy before 1.24 makes object arrays of ragged lists
    floating = dtype.is_floating_point if dtype is not None else \
        any(isinstance(leaf, (float, np.floating)) for leaf in leaves)
    if not floating:
        raise _int64_overflow(too_big[0], "tensor()")
    return np.array(data, dtype=np.float64)


def _beyond_int64(array):
    """Whether a numeric array has values outside int64's range (maybe ints numpy made
    uint64 or float64)."""
    return array.size > 0 and bool(array.max() > _INT64.max or array.min() < _INT64.min)


def _leaves(data):
    """The non-list elements of a nested list (a numpy array counts as one)."""
    if isinstance(data, list):
        for item in data:
            yield from _leaves(item)
    else:
        yield data


def _check_element(leaf):
    """Refuse a nested-list element that is not a real number (or a tensor's array)."""
    if isinstance(leaf, (complex, np.complexfloating)):
        raise TypeError(f"tensor(): complex values are not supported, got {leaf!r}; "
                        "minitorch tensors hold float32, float64, int64 or bool")
    if not isinstance(leaf, (numbers.Real, np.bool_, np.ndarray)):
        raise TypeError(f"tensor(): cannot make a tensor from an element of type "
                        f"{type(leaf).__name__} ({leaf!r}); elements must be numbers or bools")


def _int64_overflow(value, op_name):
    """PyTorch's "Overflow when unpacking long", with the value and the way out."""
    return ValueError(f"{op_name}: value {value} does not fit in int64 (range -2**63 to "
                      "2**63 - 1); use a floating-point dtype such as minitorch.float64 "
                      "for larger numbers")


def check_fill_value(value, dtype, op_name):
    """Refuse a Python number that a tensor of dtype cannot hold, as PyTorch does, before
    anything is written: for int64 and bool an int beyond int64 (ValueError), for int64
    nan or +-inf (RuntimeError). Floating dtypes take any number; bool any value's truth."""
    if dtype.is_floating_point:
        return
    if isinstance(value, numbers.Integral):
        if not _INT64.min <= value <= _INT64.max:
            raise _int64_overflow(value, op_name)
    elif dtype is int64 and isinstance(value, numbers.Real) and not math.isfinite(value):
        raise RuntimeError(f"{op_name}: value {value} cannot be converted to int64 without "
                           "overflow; store nan and inf in a floating-point tensor")


def _host_item(item):
    """A nested element: a tensor inside a list is a scalar, as in PyTorch: its one
    element, as a numpy scalar of its dtype (so a float64 one keeps the result float64)."""
    if isinstance(item, Tensor):
        if item.numel() != 1:
            raise ValueError(f"tensor(): only one element tensors can be converted to "
                             f"Python scalars, got one of shape {tuple(item.shape)} in a "
                             "list; use minitorch.stack to join tensors")
        return dispatch.to_numpy(item).reshape(-1)[0]
    if isinstance(item, (list, tuple)):
        return [_host_item(inner) for inner in item]
    return item


def tensor(data, dtype=None, requires_grad=False, backend=None, device=None):
    """A new tensor holding a copy of data (number, nested list, numpy array, Tensor).

    dtype is inferred as in PyTorch: Python floats -> the default float dtype (float32
    unless set_default_dtype changed it), ints -> int64, bools ->
    bool, numpy arrays keep their dtype (narrower ints widen to int64).

    backend= picks the backend (default: the current one). Every factory takes PyTorch's
    device= too: a CPU device ("cpu", minitorch.device("cpu")) or None, as every backend
    is CPU memory; another ("cuda") is an error.
    """
    check_device(device, "tensor")
    array, dtype = _host_array(data, None if dtype is None else resolve(dtype))
    if array.dtype.kind == "f" and dtype is int64 and not np.all(np.isfinite(array)):
        raise ValueError(f"tensor(): cannot convert non-finite floats to {dtype.name}")
    result = dispatch.from_numpy(np.asarray(array, dtype=dtype.numpy), dtype, _backend(backend))
    return _finish(result, requires_grad)


def as_tensor(data, dtype=None, backend=None, device=None):
    """A Tensor `data` converted with to(backend, dtype) as torch.as_tensor does: itself
    when it has them, else a converted tensor still in data's graph; other data is
    tensor(data)."""
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data.to(backend or data.backend, dtype)
    return tensor(data, dtype=dtype, backend=backend)


def from_numpy(array):
    """A tensor with a copy of a numpy array's values (storage belongs to the backend)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    return tensor(array)


def _count(value, op_name, what):
    """A non-negative int argument (a size, a number of steps), checked as PyTorch does:
    an int (TypeError), not negative (RuntimeError)."""
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{op_name}: {what} must be an int, got "
                        f"{type(value).__name__}") from None
    if value < 0:
        raise RuntimeError(f"{op_name}: {what} must be non-negative, got {value}")
    return value


def _as_size(size):
    """A size given as one int or as a sequence of ints, as a sequence."""
    return (size,) if isinstance(size, numbers.Integral) else size


def _shape(size, dtype, op_name):
    """A size (ints, or one tuple or list of ints) as a shape tuple, checked as PyTorch
    does: see _count, and few enough elements of dtype to address (RuntimeError)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(_count(s, op_name, f"dimension {dim} of size {list(size)}")
                  for dim, s in enumerate(size))
    count = math.prod(shape)
    if count * dtype.itemsize > _MAX_BYTES:
        raise RuntimeError(f"{op_name}: size {list(shape)} has too many elements ({count}) "
                           f"for {dtype.name}; its storage would exceed {_MAX_BYTES} bytes")
    return shape


def _size_argument(sizes, size, op_name):
    """The size a factory was given, as PyTorch takes it: positional `sizes` (ints, or one
    tuple or list of them) or the keyword size= (a tuple or list), not both."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{op_name}(): got multiple values for argument 'size' (positional "
                        f"sizes {list(sizes)} and size={size!r})")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{op_name}(): size must be a tuple or list of ints, got "
                        f"{type(size).__name__}")
    return (size,)


def _filled(op_name, size, fill_value, dtype, requires_grad, backend, device):
    """full(), reporting bad sizes, values and devices as op_name. A 0-d tensor fill_value
    counts as its value (its dtype is inferred, as PyTorch's)."""
    check_device(device, op_name)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = resolve(dtype) if dtype is not None else (
        bool_ if isinstance(fill_value, bool) else
        int64 if isinstance(fill_value, numbers.Integral) else get_default_dtype())
    shape = _shape(_as_size(size), dtype, op_name)
    check_fill_value(fill_value, dtype, op_name)
    return _finish(dispatch.fill(fill_value, shape, dtype, _backend(backend)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, backend=None, device=None):
    return _filled("full", size, fill_value, dtype, requires_grad, backend, device)


def zeros(*sizes, size=None, dtype=None, requires_grad=False, backend=None,
          device=None):
    """Zeros of the given size (positional ints or a sequence, or size=)."""
    return _filled("zeros", _size_argument(sizes, size, "zeros"), 0,
                   dtype or get_default_dtype(), requires_grad, backend, device)


def ones(*sizes, size=None, dtype=None, requires_grad=False, backend=None,
         device=None):
    """Ones of the given size (positional ints or a sequence, or size=)."""
    return _filled("ones", _size_argument(sizes, size, "ones"), 1,
                   dtype or get_default_dtype(), requires_grad, backend, device)


def empty(*sizes, size=None, dtype=None, requires_grad=False, backend=None, device=None):
    """An uninitialised tensor of the given size (positional ints or a sequence, or
    size=)."""
    check_device(device, "empty")
    dtype = resolve(dtype or get_default_dtype())
    shape = _shape(_size_argument(sizes, size, "empty"), dtype, "empty")
    return _finish(dispatch.empty(shape, dtype, _backend(backend)), requires_grad)


def empty_strided(size, stride, *, dtype=None, requires_grad=False, backend=None,
                  device=None):
    """An uninitialised (here zero-filled) tensor of shape `size` laid out with `stride`
    over a storage just large enough for it, as torch.empty_strided."""
    check_device(device, "empty_strided")
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride) or any(s < 0 for s in size + stride):
        raise ValueError(f"empty_strided: needs one non-negative stride per non-negative "
                         f"size, got sizes {size} and strides {stride}")
    extent = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    storage = zeros(extent, dtype=dtype, backend=backend)
    result = dispatch.alias(storage, size, stride, 0)
    return _finish(result, requires_grad)


def _like(function, a, dtype, requires_grad, backend, device, memory_format):
    """function(size, ...) of a's shape, dtype and backend unless given; row-major, or
    laid out in memory_format's dim order (channels_last: the permuted shape made and
    seen back in a's dim order)."""
    order = memory_format.dim_order(a.ndim, "*_like")
    shape = a.shape if order is None else tuple([a.shape[d] for d in order])
    result = function(shape, dtype=dtype or a.dtype, backend=backend or a.backend,
                      device=device)
    if order is not None:
        inverse = [order.index(d) for d in range(a.ndim)]
        result = dispatch.alias(result, a.shape, tuple([result._strides[d] for d in inverse]),
                                0)
    return _finish(result, requires_grad)


def zeros_like(a, dtype=None, requires_grad=False, backend=None, device=None, *,
               memory_format=preserve_format):
    return _like(zeros, a, dtype, requires_grad, backend, device, memory_format)


def ones_like(a, dtype=None, requires_grad=False, backend=None, device=None, *,
              memory_format=preserve_format):
    return _like(ones, a, dtype, requires_grad, backend, device, memory_format)


def empty_like(a, dtype=None, requires_grad=False, backend=None, device=None, *,
               memory_format=preserve_format):
    return _like(empty, a, dtype, requires_grad, backend, device, memory_format)


def full_like(a, fill_value, dtype=None, requires_grad=False, backend=None, device=None, *,
              memory_format=preserve_format):
    return _like(functools.partial(full, fill_value=fill_value), a, dtype, requires_grad,
                 backend, device, memory_format)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, backend=None,
           device=None):
    """Values start, start+step, ... below end; int64 when all arguments are ints (a 0-d
    tensor counts as its value). As in PyTorch, an int64 arange truncates its arguments
    to integers first (so a step in (-1, 1) is 0, an error), and an end on the wrong
    side of start for step's sign is an error rather than an empty result."""
    check_device(device, "arange")
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if end is None:
        start, end = 0, start
    all_ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dtype = resolve(dtype) if dtype is not None else (int64 if all_ints else get_default_dtype())
    if dtype is bool_:
        raise TypeError("arange: not implemented for bool, as in PyTorch")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end} (step {step})")
    if not dtype.is_floating_point:
        start, end, step = int(start), int(end), int(step)
        all_ints = True
        if step == 0:  # PyTorch's class for a step truncated to zero
            raise ValueError("arange: step must be nonzero (an int64 arange truncates "
                             "its step to an integer)")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step "
                           f"sign (start={start}, end={end}, step={step})")
    count = -((start - end) // step) if all_ints else math.ceil((end - start) / step)
    _shape((count,), dtype, "arange")
    values = start + np.arange(count, dtype=np.float64 if not all_ints else np.int64) * step
    return tensor(values.astype(dtype.numpy), dtype, requires_grad, backend)


def linspace(start, end, steps, dtype=None, requires_grad=False, backend=None, device=None):
    check_device(device, "linspace")
    dtype = resolve(dtype or get_default_dtype())
    steps = _count(steps, "linspace", "number of steps")
    _shape((steps,), dtype, "linspace")
    return tensor(_evenly_spaced(start, end, steps, dtype), dtype, requires_grad, backend)


def _evenly_spaced(start, end, steps, dtype):
    """np.linspace(start, end, steps) in float64; for an integer dtype the ends are
    truncated to integers first, as PyTorch does (the steps between them need not be)."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if not dtype.is_floating_point:
        start, end = int(start), int(end)
    return np.linspace(start, end, steps)


def eye(n, m=None, dtype=None, requires_grad=False, backend=None, device=None):
    check_device(device, "eye")
    dtype = resolve(dtype or get_default_dtype())
    n = _count(n, "eye", "n")
    m = n if m is None else _count(m, "eye", "m")
    _shape((n, m), dtype, "eye")
    return tensor(np.eye(n, m), dtype, requires_grad, backend)


def _random(op_name, draw, size, dtype, requires_grad, backend, device):
    check_device(device, op_name)
    dtype = resolve(dtype or get_default_dtype())
    if not dtype.is_floating_point:
        raise TypeError(f"{op_name}: random floats cannot be drawn as {dtype.name}; "
                        "use randint")
    values = draw(_shape(size, dtype, op_name), dtype.numpy)
    return tensor(values, dtype, requires_grad, backend)


def rand(*sizes, size=None, generator=None, dtype=None, requires_grad=False, backend=None,
         device=None):
    """Uniform values in [0, 1) from the seeded generator, of the given size (positional
    ints or a sequence, or size=)."""
    numpy_gen = numpy_generator(generator)
    return _random("rand", lambda shape, d: numpy_gen.random(shape, dtype=d),
                   _size_argument(sizes, size, "rand"), dtype, requires_grad, backend, device)


def randn(*sizes, size=None, generator=None, dtype=None, requires_grad=False, backend=None,
          device=None):
    """Standard normal values from the seeded generator, of the given size (positional
    ints or a sequence, or size=)."""
    numpy_gen = numpy_generator(generator)
    return _random("randn", lambda shape, d: numpy_gen.standard_normal(shape, dtype=d),
                   _size_argument(sizes, size, "randn"), dtype, requires_grad, backend,
                   device)


def randint(low=None, high=None, size=(), generator=None, dtype=None, backend=None,
            device=None):
    """Integers uniform in [low, high), in PyTorch's forms: randint(low, high, size),
    randint(high, size) and the keywords (low defaults to 0)."""
    check_device(device, "randint")
    if isinstance(high, (tuple, list)):   # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if low is None:
        low = 0
    if high is None:
        raise TypeError("randint: missing the upper bound high")
    if low >= high:
        raise RuntimeError(f"randint: low ({low}) must be less than high ({high})")
    dtype = resolve(dtype or int64)
    shape = _shape(_as_size(size), dtype, "randint")
    return tensor(numpy_generator(generator).integers(low, high, size=shape), dtype,
                  backend=backend)


def randperm(n, generator=None, dtype=None, backend=None, device=None):
    """A random permutation of 0..n-1."""
    check_device(device, "randperm")
    dtype = resolve(dtype or int64)
    n = _count(n, "randperm", "n")
    _shape((n,), dtype, "randperm")
    return tensor(numpy_generator(generator).permutation(n), dtype, backend=backend)


def logspace(start, end, steps, base=10.0, dtype=None, requires_grad=False, backend=None,
             device=None):
    """base ** linspace(start, end, steps): steps values evenly spaced on a log scale."""
    check_device(device, "logspace")
    dtype = resolve(dtype or get_default_dtype())
    steps = _count(steps, "logspace", "number of steps")
    _shape((steps,), dtype, "logspace")
    return tensor(np.power(float(base), _evenly_spaced(start, end, steps, dtype)), dtype,
                  requires_grad, backend)


def _triangle_indices(op_name, numpy_indices, row, col, offset, dtype, backend, device):
    check_device(device, op_name)
    row, col = _count(row, op_name, "row"), _count(col, op_name, "col")
    dtype = resolve(dtype)
    if dtype is not int64:
        raise TypeError(f"{op_name}: dtype must be int64, got {dtype.name}")
    rows, cols = numpy_indices(row, operator.index(offset), col)
    return tensor(np.stack([rows, cols]).astype(np.int64).reshape(2, -1), dtype,
                  backend=backend)


def tril_indices(row, col, offset=0, *, dtype=int64, backend=None, device=None):
    """The (2, count) int64 coordinates of the lower triangle of a row x col matrix, on
    and below its offset-th diagonal, in row-major order."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype,
                             backend, device)


def triu_indices(row, col, offset=0, *, dtype=int64, backend=None, device=None):
    """The (2, count) int64 coordinates of the upper triangle of a row x col matrix, on
    and above its offset-th diagonal, in row-major order."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype,
                             backend, device)
