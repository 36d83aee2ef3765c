"""The four dtypes and PyTorch's type-promotion rules.

A dtype is a small immutable object; backends receive it in `empty(size, dtype)` and
may read `dtype.name` ("float32", "float64", "int64", "bool") or `dtype.numpy`.
"""
import numpy as np


class DType:
    """One element type. `category` orders bool < integer < floating point."""

    __slots__ = ("name", "numpy", "itemsize", "category", "rank", "is_floating_point",
                 "is_signed", "is_complex")

    def __init__(self, name, numpy_dtype, category, rank):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.itemsize = self.numpy.itemsize
        self.category = category
        self.rank = rank  # total order used for promotion inside one category
        self.is_floating_point = category == FLOAT
        self.is_signed = category != BOOL
        self.is_complex = False  # as torch.dtype.is_complex: none of the four is

    def to_real(self):
        """The real dtype of this one's values: itself, as none of the four is complex."""
        return self

    def __repr__(self):
        return f"minitorch.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


BOOL, INT, FLOAT = 0, 1, 2

bool_ = DType("bool", np.bool_, BOOL, 0)
int64 = DType("int64", np.int64, INT, 1)
float32 = DType("float32", np.float32, FLOAT, 2)
float64 = DType("float64", np.float64, FLOAT, 3)

ALL = (float32, float64, int64, bool_)
_BY_NAME = {d.name: d for d in ALL}
_BY_NUMPY = {d.numpy: d for d in ALL}
_ALIASES = {"float": float32, "double": float64, "long": int64, "float32": float32,
            "float64": float64, "int64": int64, "bool": bool_}
# Integer and float numpy types that convert without loss of meaning; others are refused.
_NUMPY_WIDENING = {np.dtype(np.int8): int64, np.dtype(np.int16): int64, np.dtype(np.int32): int64,
                   np.dtype(np.uint8): int64, np.dtype(np.uint16): int64, np.dtype(np.uint32): int64,
                   np.dtype(np.float16): float32}

_default_float = [float32]  # a list, so every module reads the current one


def get_default_dtype():
    """The dtype of Python floats and of float factories (zeros, rand, ...) when no dtype
    is given: float32 unless set_default_dtype changed it."""
    return _default_float[0]


def set_default_dtype(dtype):
    """Make float32 or float64 the default floating dtype, as torch.set_default_dtype."""
    dtype = resolve(dtype)
    if not dtype.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the "
                        f"default type, got {dtype.name}; use minitorch.float32 or "
                        "minitorch.float64")
    _default_float[0] = dtype


def from_name(name):
    return _BY_NAME[name]


def is_name(text):
    """True when text names a dtype ("float32", "double", ...), not a backend."""
    return text in _ALIASES


def resolve(spec):
    """Turn a user's dtype spec (DType, name string, numpy dtype, Python type) into a DType."""
    if isinstance(spec, DType):
        return spec
    if spec is float:
        return _default_float[0]
    if spec is int:
        return int64
    if spec is bool:
        return bool_
    if isinstance(spec, str) and spec in _ALIASES:
        return _ALIASES[spec]
    try:
        numpy_dtype = np.dtype(spec)
    except TypeError:
        numpy_dtype = None
    if numpy_dtype in _BY_NUMPY:
        return _BY_NUMPY[numpy_dtype]
    valid = ", ".join(f"minitorch.{d.name}" for d in ALL)
    raise TypeError(f"unknown dtype {spec!r}; valid dtypes are {valid}")


def from_numpy_dtype(numpy_dtype):
    """The DType that holds values of a numpy array of `numpy_dtype` (uint8 -> int64 ...)."""
    numpy_dtype = np.dtype(numpy_dtype)
    found = _BY_NUMPY.get(numpy_dtype) or _NUMPY_WIDENING.get(numpy_dtype)
    if found is None:
        valid = ", ".join(d.name for d in ALL)
        raise TypeError(f"cannot make a tensor from a numpy array of dtype {numpy_dtype}; "
                        f"supported dtypes are {valid} (and narrower ints/float16, which widen)")
    return found


def of_scalar(value):
    """dtype a Python scalar gets as a tensor of its own: bool, int64 or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default_float[0]


def _higher(a, b):
    return a if a.rank >= b.rank else b


# Priority of an operand in promotion: tensors with dimensions beat 0-d tensors, which
# beat Python scalars; a lower-priority operand only matters when its category is higher.
DIMENSIONED, ZERO_DIM, SCALAR = 2, 1, 0


def promote(dtype_a, priority_a, dtype_b, priority_b):
    """PyTorch's result_type for two operands (see DIMENSIONED/ZERO_DIM/SCALAR)."""
    if dtype_a is dtype_b:
        return dtype_a
    if priority_a == priority_b:
        return _higher(dtype_a, dtype_b)
    if priority_a < priority_b:
        dtype_a, priority_a, dtype_b, priority_b = dtype_b, priority_b, dtype_a, priority_a
    # now a has the higher priority
    # a lower-priority operand of a higher category wins with its own dtype (a Python
    # scalar already carries the default dtype of its category, see of_scalar)
    return dtype_a if dtype_b.category <= dtype_a.category else dtype_b


def promote_types(type1, type2):
    """The smallest dtype both dtypes convert to without losing their category
    (torch.promote_types): bool < int64 < float32 < float64."""
    return _higher(resolve(type1), resolve(type2))


def can_cast(from_, to):
    """Whether PyTorch's casting rules let an op write values of dtype from_ into a tensor
    of dtype to: any cast that does not lower the category (float to int, int or float to
    bool) is allowed."""
    return resolve(from_).category <= resolve(to).category


def _short(value):
    """A number as torch's finfo/iinfo reprs write it: 6 significant digits."""
    return f"{value:g}"


class finfo:  # noqa: N801  (torch's name)
    """The numerical properties of a floating dtype (default: the default dtype), as
    torch.finfo: bits, eps, max, min, tiny (== smallest_normal), resolution, and dtype
    (the dtype's name). Integer and bool dtypes are refused."""

    def __init__(self, type=None):  # noqa: A002  (torch's parameter name)
        dtype = get_default_dtype() if type is None else resolve(type)
        if not dtype.is_floating_point:
            raise TypeError(f"finfo: requires a floating point dtype, got {dtype.name}; use "
                            "minitorch.iinfo for integer dtypes")
        info = np.finfo(dtype.numpy)
        self.bits, self.dtype = info.bits, dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
                f"max={_short(self.max)}, eps={_short(self.eps)}, "
                f"smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801  (torch's name)
    """The range of an integer dtype, as torch.iinfo: bits, max, min, and dtype (the
    dtype's name). Floating and bool dtypes are refused, as in PyTorch."""

    def __init__(self, type):  # noqa: A002  (torch's parameter name)
        dtype = resolve(type)
        if dtype.category != INT:
            raise TypeError(f"iinfo: requires an integer dtype, got {dtype.name}; use "
                            "minitorch.finfo for floating point dtypes")
        info = np.iinfo(dtype.numpy)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), \
            dtype.name

    def __repr__(self):
        return f"iinfo(min={_short(float(self.min))}, max={_short(float(self.max))}, " \
               f"dtype={self.dtype})"
