"""Making tensors: from data, filled, ranges, and random (from the core's generator)."""
import math
import numbers

import numpy as np

from . import dispatch
from .dtype import bool_, default_float, from_numpy_dtype, int64, resolve
from .generator import numpy_generator
from .registry import get_backend, lookup
from .tensor import Tensor


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
    if isinstance(data, (list, tuple)):
        data = [_host_item(item) for item in data]
    elif isinstance(data, (numbers.Number, np.generic)):
        pass
    else:
        raise TypeError(f"tensor(): cannot make a tensor from {type(data).__name__}; "
                        "pass a number, a (nested) list or tuple, or a numpy array")
    array = np.array(data)
    if array.dtype == object:
        raise ValueError("tensor(): nested sequences have uneven lengths; every row must "
                         "have the same length")
    if dtype is None:
        dtype = {"b": bool_, "i": int64, "u": int64}.get(array.dtype.kind, default_float)
        if array.dtype.kind == "f" and isinstance(data, np.generic):
            dtype = from_numpy_dtype(array.dtype)
    return array, dtype


def _host_item(item):
    """A nested element: tensors inside lists become their values."""
    if isinstance(item, Tensor):
        return dispatch.to_numpy(item)
    if isinstance(item, (list, tuple)):
        return [_host_item(inner) for inner in item]
    return item


def tensor(data, dtype=None, requires_grad=False, backend=None):
    """A new tensor holding a copy of data (number, nested list, numpy array, Tensor).

    dtype is inferred as in PyTorch: Python floats -> float32, ints -> int64, bools ->
    bool, numpy arrays keep their dtype (narrower ints widen to int64).
    """
    array, dtype = _host_array(data, None if dtype is None else resolve(dtype))
    if array.dtype.kind == "f" and dtype.category < 2 and not np.all(np.isfinite(array)):
        raise ValueError(f"tensor(): cannot convert non-finite floats to {dtype.name}")
    result = dispatch.from_numpy(np.asarray(array, dtype=dtype.numpy), dtype, _backend(backend))
    return _finish(result, requires_grad)


def as_tensor(data, dtype=None, backend=None):
    if isinstance(data, Tensor) and (dtype is None or resolve(dtype) is data.dtype) and \
            (backend is None or data.backend == backend):
        return data
    return tensor(data, dtype=dtype, backend=backend)


def from_numpy(array):
    """A tensor with a copy of a numpy array's values (storage belongs to the backend)."""
    return tensor(np.asarray(array))


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimension in size {shape}")
    return shape


def full(size, fill_value, dtype=None, requires_grad=False, backend=None):
    dtype = resolve(dtype) if dtype is not None else (
        bool_ if isinstance(fill_value, bool) else
        int64 if isinstance(fill_value, numbers.Integral) else default_float)
    result = dispatch.fill(fill_value, _shape((size,) if isinstance(size, int) else size),
                           dtype, _backend(backend))
    return _finish(result, requires_grad)


def zeros(*size, dtype=None, requires_grad=False, backend=None):
    return full(_shape(size), 0, dtype or default_float, requires_grad, backend)


def ones(*size, dtype=None, requires_grad=False, backend=None):
    return full(_shape(size), 1, dtype or default_float, requires_grad, backend)


def empty(*size, dtype=None, requires_grad=False, backend=None):
    shape = _shape(size)
    result = dispatch.empty(shape, resolve(dtype or default_float), _backend(backend))
    return _finish(result, requires_grad)


def _like(function, a, dtype, requires_grad, backend):
    return function(a.shape, dtype=dtype or a.dtype, requires_grad=requires_grad,
                    backend=backend or a.backend)


def zeros_like(a, dtype=None, requires_grad=False, backend=None):
    return _like(zeros, a, dtype, requires_grad, backend)


def ones_like(a, dtype=None, requires_grad=False, backend=None):
    return _like(ones, a, dtype, requires_grad, backend)


def empty_like(a, dtype=None, requires_grad=False, backend=None):
    return _like(empty, a, dtype, requires_grad, backend)


def full_like(a, fill_value, dtype=None, requires_grad=False, backend=None):
    return full(a.shape, fill_value, dtype=dtype or a.dtype, requires_grad=requires_grad,
                backend=backend or a.backend)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, backend=None):
    """Values start, start+step, ... below end; int64 when all arguments are ints."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    count = max(math.ceil((end - start) / step), 0)
    all_ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dtype = resolve(dtype) if dtype is not None else (int64 if all_ints else default_float)
    values = start + np.arange(count, dtype=np.float64 if not all_ints else np.int64) * step
    return tensor(values.astype(dtype.numpy), dtype, requires_grad, backend)


def linspace(start, end, steps, dtype=None, requires_grad=False, backend=None):
    values = np.linspace(start, end, steps)
    return tensor(values, resolve(dtype or default_float), requires_grad, backend)


def eye(n, m=None, dtype=None, requires_grad=False, backend=None):
    return tensor(np.eye(n, m), resolve(dtype or default_float), requires_grad, backend)


def _random(draw, size, dtype, requires_grad, backend):
    dtype = resolve(dtype or default_float)
    if not dtype.is_floating_point:
        raise TypeError(f"random floats cannot be drawn as {dtype.name}; use randint")
    values = draw(_shape(size), dtype.numpy)
    return tensor(values, dtype, requires_grad, backend)


def rand(*size, generator=None, dtype=None, requires_grad=False, backend=None):
    """Uniform values in [0, 1) from the seeded generator."""
    numpy_gen = numpy_generator(generator)
    return _random(lambda shape, d: numpy_gen.random(shape, dtype=d), size, dtype,
                   requires_grad, backend)


def randn(*size, generator=None, dtype=None, requires_grad=False, backend=None):
    """Standard normal values from the seeded generator."""
    numpy_gen = numpy_generator(generator)
    return _random(lambda shape, d: numpy_gen.standard_normal(shape, dtype=d), size, dtype,
                   requires_grad, backend)


def randint(low, high=None, size=(), generator=None, dtype=None, backend=None):
    """Integers uniform in [low, high) (or [0, low) when high is omitted)."""
    if high is None:
        low, high = 0, low
    values = numpy_generator(generator).integers(low, high, size=_shape((size,)
                                                 if isinstance(size, int) else size))
    return tensor(values, resolve(dtype or int64), backend=backend)


def randperm(n, generator=None, dtype=None, backend=None):
    """A random permutation of 0..n-1."""
    return tensor(numpy_generator(generator).permutation(n), resolve(dtype or int64),
                  backend=backend)

