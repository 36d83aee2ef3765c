"""The pure-Python backend: the reference implementation to read to learn what a backend is.

What a backend is
-----------------
A minitorch Tensor is a *layout* (shape, strides, offset, dtype) over a *buffer*. The
core owns every layout decision: reshape, permute, expand and slicing only compute new
strides, the same way for every backend. What is left for a backend is small: flat
storage (here one `array.array` per buffer) and a dozen loops over it, the required
kernels of `minitorch.contract`. Each kernel below states its contract as a pseudo-loop
in its docstring and then runs that loop in the fastest plain Python available.

How the core calls it
---------------------
The registry builds `PythonBackend()` the first time "python" is chosen
(`minitorch.set_backend("python")` or MINITORCH_BACKEND=python), checks it against the
contract and binds its kernels. For an operation such as `x + y` the dispatcher then

1. allocates the result with `empty(size, dtype)`;
2. makes each operand a compact buffer of the common dtype, broadcast to the result's
   shape, with `copy`: the one kernel that reads strides;
3. runs a flat kernel over whole buffers, e.g. `binary("add", a, b, out)`.

Data enters and leaves only through `from_numpy` and `to_numpy`, the one place numpy
is used. Everything else (softmax, cross-entropy, argmax, the strided fast paths) the
core builds out of these kernels when a backend lacks the optional kernel for it. This
backend implements no optional kernel on purpose, so running the test suite on it
checks those decompositions.

Storage
-------
One `array.array` typecode per dtype, so every buffer knows its own dtype: 'f' float32,
'd' float64, 'q' int64 and 'B' bool (holding 0 or 1; no other dtype uses 'B'). Kernels
compute in Python floats and ints; storing into an 'f' array rounds to float32, and an
int64 result that does not fit wraps around (two's complement), as in C, numpy and
torch (see _stored).

Where to look next
------------------
`minitorch/contract.py` for the full contract and the optional kernels,
`minitorch/dispatch.py` for how operations become kernel calls and are decomposed,
`minitorch_backends/numpy_backend.py` for the same contract written with whole-array
numpy operations, and `minitorch/registry.py` to register a backend of your own.
"""
import math
import operator
from array import array

import numpy as np

_TYPECODE = {"float32": "f", "float64": "d", "int64": "q", "bool": "B"}
_NUMPY = {"f": np.float32, "d": np.float64, "q": np.int64, "B": np.bool_}
# How any number becomes an element of each typecode: trunc() rounds toward zero, and
# bool() is `!= 0`, so NaN becomes True.
_CONVERT = {"f": float, "d": float, "q": math.trunc, "B": bool}


# ---- unary ops ---------------------------------------------------------------------------
# Python's math functions raise where IEEE arithmetic (and torch) returns inf or nan.

def _sign(x):
    return (x > 0) - (x < 0)  # 0 for nan, as torch


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x):
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan  # nan for x < 0 and for nan


def _sqrt(x):
    return math.sqrt(x) if x >= 0 else math.nan


def _sin(x):
    return math.sin(x) if math.isfinite(x) else math.nan


def _cos(x):
    return math.cos(x) if math.isfinite(x) else math.nan


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)  # x < 0 or nan: exp(x) cannot overflow
    return z / (1.0 + z)


def _relu(x):
    return 0 if x < 0 else x  # nan stays nan


def _tan(x):
    return math.tan(x) if math.isfinite(x) else math.nan


def _inside(function, low, high):
    """function(x) for x in [low, high], nan elsewhere (and for nan)."""
    def bounded(x):
        return function(x) if low <= x <= high else math.nan
    return bounded


def _overflowing(function, sign_of_x):
    """function(x), +-inf where the result does not fit a float (math raises there); the
    infinity takes x's sign when sign_of_x."""
    def unbounded(x):
        try:
            return function(x)
        except OverflowError:
            return math.copysign(math.inf, x) if sign_of_x else math.inf
    return unbounded


def _atanh(x):
    if abs(x) == 1:
        return math.copysign(math.inf, x)
    return math.atanh(x) if abs(x) < 1 else math.nan


_UNARY = {
    "neg": operator.neg, "abs": operator.abs, "sign": _sign, "exp": _exp, "log": _log,
    "sqrt": _sqrt, "sin": _sin, "cos": _cos, "tanh": math.tanh, "sigmoid": _sigmoid,
    "relu": _relu, "tan": _tan, "asin": _inside(math.asin, -1, 1),
    "acos": _inside(math.acos, -1, 1), "atan": math.atan,
    "sinh": _overflowing(math.sinh, True), "cosh": _overflowing(math.cosh, False),
    "asinh": math.asinh, "acosh": _inside(math.acosh, 1, math.inf), "atanh": _atanh,
    "bitwise_not": operator.invert,
}
# A bool is stored as 0 or 1, whose bitwise inverse (-1 or -2) is no bool: not x instead.
_BOOL_UNARY = {**_UNARY, "bitwise_not": operator.not_}


# ---- binary ops --------------------------------------------------------------------------

def _maximum(x, y):
    return x if x >= y or x != x else y  # x != x: x is nan, which wins


def _minimum(x, y):
    return x if x <= y or x != x else y


def _by_float_zero(function, result):
    """function(x, y) for floats, with result(x, y) where Python raises ZeroDivisionError."""
    def divide(x, y):
        try:
            return function(x, y)
        except ZeroDivisionError:
            return result(x, y)
    return divide


def _signed_inf(x, y):
    """x / ±0.0 in IEEE arithmetic: inf signed by x times y; nan when x is 0 or nan."""
    return x * math.copysign(math.inf, y)


def _float_pow(x, y):
    """x ** y with C's pow() results where math.pow raises."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0 and y % 2 == 1 else math.inf
    except ValueError:  # 0 to a negative power, or a negative base to a fractional power
        if x != 0:
            return math.nan
        return math.copysign(math.inf, x) if y % 2 == 1 else math.inf


def _float_fmod(x, y):
    """C's fmod: math.fmod, with nan where it raises (y == 0, or x infinite)."""
    try:
        return math.fmod(x, y)
    except ValueError:
        return math.nan


def _float_remainder(x, y):
    """Python's x % y, but a zero result keeps x's sign (Python gives it y's), as
    PyTorch's C fmod-based remainder does; nan for y == 0."""
    try:
        remainder = x % y
    except ZeroDivisionError:
        return math.nan
    return math.copysign(0.0, x) if remainder == 0 else remainder


def _int_fmod(x, y):
    """x - trunc(x / y) * y, with the sign of x; y == 0 raises ZeroDivisionError."""
    remainder = abs(x) % abs(y)
    return -remainder if x < 0 else remainder


def _left_shift(x, y):
    return x << y if 0 <= y < 64 else 0   # _stored wraps what does not fit


def _right_shift(x, y):
    return x >> y if 0 <= y < 64 else (-1 if x < 0 else 0)  # Python's >> is arithmetic


def _int_pow(x, y):
    """x ** y for integers; a negative y gives 1 / x**-y truncated, as torch does (0 for x == 0)."""
    if y >= 0:
        return x ** y
    return x ** (y % 2) if x in (1, -1) else 0


_COMMON_BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "maximum": _maximum, "minimum": _minimum,
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge,
}
_FLOAT_BINARY = {
    **_COMMON_BINARY, "pow": _float_pow,
    "div": _by_float_zero(operator.truediv, _signed_inf),
    "floordiv": _by_float_zero(operator.floordiv, _signed_inf),
    "mod": _float_remainder,
    "atan2": math.atan2, "fmod": _float_fmod,
}
# Integer floordiv, mod and fmod by zero raise ZeroDivisionError, as in torch; `binary`
# names the op. For bools (0 and 1) the bitwise ops are the logical ones.
_INT_BINARY = {**_COMMON_BINARY, "pow": _int_pow,
               "floordiv": operator.floordiv, "mod": operator.mod, "fmod": _int_fmod,
               "bitwise_and": operator.and_, "bitwise_or": operator.or_,
               "bitwise_xor": operator.xor, "bitwise_left_shift": _left_shift,
               "bitwise_right_shift": _right_shift}
_BINARY = {"f": _FLOAT_BINARY, "d": _FLOAT_BINARY, "q": _INT_BINARY, "B": _INT_BINARY}


# ---- reductions --------------------------------------------------------------------------

def _row_max(row):
    return math.nan if any(map(math.isnan, row)) else max(row)


def _row_min(row):
    return math.nan if any(map(math.isnan, row)) else min(row)


_REDUCE = {"sum": sum, "max": _row_max, "min": _row_min}


# ---- strided copy helpers ----------------------------------------------------------------

def _merge_dims(shape, a_strides, out_strides):
    """The same walk over fewer, longer dimensions: size-1 dimensions are dropped, and a
    dimension joins the one before it when both layouts step over the pair as one run."""
    merged = []
    for size, a_stride, out_stride in zip(shape, a_strides, out_strides):
        if size == 1:
            continue
        if merged:
            outer_size, outer_a, outer_out = merged[-1]
            if outer_a == a_stride * size and outer_out == out_stride * size:
                merged[-1] = (outer_size * size, a_stride, out_stride)
                continue
        merged.append((size, a_stride, out_stride))
    return zip(*merged) if merged else ((1,), (1,), (1,))


def _starts(shape, strides, offset):
    """Flat position of the first element of every row (last dimension), in row-major order."""
    starts = [offset]
    for size, stride in zip(shape[:-1], strides[:-1]):
        steps = [i * stride for i in range(size)]
        starts = [start + step for start in starts for step in steps]
    return starts


def _int64(value):
    """A Python int (which never overflows) wrapped into int64, as two's complement
    arithmetic in C, numpy and torch leaves it."""
    return (value + 2**63) % 2**64 - 2**63


def _stored(typecode, values):
    """array(typecode, values), with int64 values that do not fit wrapped around."""
    if typecode != "q":
        return array(typecode, values)
    values = list(values)
    try:
        return array(typecode, values)
    except OverflowError:
        return array(typecode, map(_int64, values))


class PythonBackend:
    """Every required kernel of minitorch.contract as plain loops over `array.array`s."""

    name = "python"
    dtypes = ("float32", "float64", "int64", "bool")

    # ---- making buffers and moving data ----

    def empty(self, size, dtype):
        """A buffer of `size` elements of `dtype` (zeros, though the contract promises nothing)."""
        return array(_TYPECODE[dtype.name], [0]) * size

    def from_numpy(self, data):
        """A buffer holding a copy of the 1-D numpy array `data`."""
        typecode = _TYPECODE[data.dtype.name]
        return array(typecode, np.ascontiguousarray(data, dtype=_NUMPY[typecode]).tobytes())

    def to_numpy(self, a):
        """A 1-D numpy copy of buffer `a`, with a's dtype."""
        return np.array(a, dtype=_NUMPY[a.typecode])

    def fill(self, value, out):
        """for i in range(len(out)): out[i] = value   (converted to out's dtype)"""
        out[:] = array(out.typecode, [_CONVERT[out.typecode](value)]) * len(out)

    def copy(self, a, a_strides, a_offset, shape, out_strides, out_offset, out):
        """For every index tuple idx of shape (row-major):
            out[out_offset + sum(idx[d] * out_strides[d])]
                = a[a_offset + sum(idx[d] * a_strides[d])]
        converting to out's dtype (float -> int truncates toward zero, -> bool is != 0).

        The last dimension is moved one row at a time, as slices of a and out.
        """
        shape, a_strides, out_strides = _merge_dims(shape, a_strides, out_strides)
        n, a_step, out_step = shape[-1], a_strides[-1], out_strides[-1]
        convert = None if a.typecode == out.typecode else _CONVERT[out.typecode]
        for a_start, out_start in zip(_starts(shape, a_strides, a_offset),
                                      _starts(shape, out_strides, out_offset)):
            # a slice's step cannot be 0, so a broadcast row repeats one element instead
            if a_step:
                row = a[a_start:a_start + n * a_step:a_step]
            else:
                row = a[a_start:a_start + 1] * n
            if convert is not None:
                row = array(out.typecode, map(convert, row))
            out[out_start:out_start + n * out_step:out_step] = row

    # ---- flat kernels: whole contiguous buffers of matching sizes ----

    def unary(self, op, a, out):
        """for i: out[i] = OP(a[i])"""
        table = _BOOL_UNARY if a.typecode == "B" else _UNARY
        out[:] = _stored(out.typecode, map(table[op], a))

    def binary(self, op, a, b, out):
        """for i: out[i] = OP(a[i], b[i])   (comparisons write bool)"""
        try:
            out[:] = _stored(out.typecode, map(_BINARY[a.typecode][op], a, b))
        except ZeroDivisionError:
            raise ZeroDivisionError(f"{op}: integer division by zero") from None

    def where(self, cond, a, b, out):
        """for i: out[i] = a[i] if cond[i] else b[i]"""
        out[:] = array(out.typecode, [x if c else y for c, x, y in zip(cond, a, b)])

    def reduce(self, op, a, reduce_size, out):
        """for i in range(len(out)): out[i] = OP(a[i * reduce_size:(i + 1) * reduce_size])
        (the sum of an empty row is 0; max and min are nan if any element is nan)"""
        function = _REDUCE[op]
        out[:] = _stored(out.typecode, [function(a[i * reduce_size:(i + 1) * reduce_size])
                                        for i in range(len(out))])

    def matmul(self, a, b, batch, m, k, n, out):
        """for p, i, j: out[(p*m + i)*n + j] = sum(a[(p*m + i)*k + t] * b[(p*k + t)*n + j] for t)

        Each column of b is sliced out once; Python lists (unlike arrays) hold ready-made
        float objects, so a dot product is one C-level pass of sum(map(mul, row, col)).
        """
        results = []
        for p in range(batch):
            b_end = (p + 1) * k * n
            cols = [b[p * k * n + j:b_end:n].tolist() for j in range(n)]
            for i in range(p * m, (p + 1) * m):
                row = a[i * k:(i + 1) * k].tolist()
                results += [sum(map(operator.mul, row, col)) for col in cols]
        out[:] = _stored(out.typecode, results)

    def take(self, a, index, out):
        """for i: out[i] = a[index[i]]"""
        out[:] = array(out.typecode, map(a.__getitem__, index))

    def index_put(self, index, values, accumulate, out):
        """for i: out[index[i]] = values[i], or += when accumulate (in order: the last
        write to a repeated index wins); accumulating into bool is logical or."""
        if not accumulate:
            for i, value in zip(index, values):
                out[i] = value
            return
        combine = {"B": operator.or_, "q": lambda x, y: _int64(x + y)}.get(out.typecode,
                                                                         operator.add)
        for i, value in zip(index, values):
            out[i] = combine(out[i], value)
