"""torch-level names that are neither ops nor layers: constants, the global settings
(deterministic algorithms, float32 matmul precision, default device), the legacy tensor
types (FloatTensor, ...), a few factories (scalar_tensor, asarray, range) and the float
decompositions frexp and nextafter. minitorch/__init__.py installs TOP_LEVEL."""
import math
import warnings
from collections import namedtuple

import numpy as np

from . import creation, devices, functions
from .dtype import float32, float64, get_default_dtype, resolve
from .tensor import _LEGACY_NAMES, Tensor, legacy_construct

CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan, "newaxis": None}


def scalar_tensor(s, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding s, of the default float dtype unless dtype is given (an int
    or a bool too becomes a float, as torch's)."""
    devices.check_device(device, "scalar_tensor")
    return creation.full((), s, dtype=dtype or get_default_dtype(),
                         requires_grad=requires_grad)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """obj as a tensor, as torch.asarray: a Tensor of the asked dtype is returned itself
    (sharing its memory) unless copy=True; otherwise its values are cast or cloned
    (through the graph), which copy=False refuses. Other data (sequences, numbers, numpy
    arrays) is always copied into backend storage, so copy=False is refused for it.
    requires_grad=None keeps what obj has; True or False is set on obj itself when it is
    returned, and on a new result otherwise (False detaches it), as torch does."""
    devices.check_device(device, "asarray")
    if not isinstance(obj, Tensor):
        if copy is False:
            raise ValueError(f"asarray: copy=False, but a {type(obj).__name__} can't be used "
                             f"without a copy")
        return creation.tensor(obj, dtype=dtype, requires_grad=bool(requires_grad))
    dtype = obj.dtype if dtype is None else resolve(dtype)
    if copy is False and dtype is not obj.dtype:
        raise ValueError(f"asarray: copy=False, but a {obj.dtype.name} tensor, asked for "
                         f"{dtype.name}, can't be used without a copy")
    if dtype is obj.dtype and not copy:
        return obj if requires_grad is None else obj.requires_grad_(requires_grad)
    result = functions.clone(obj) if dtype is obj.dtype else functions.cast(obj, dtype)
    if requires_grad is False:
        return result.detach()
    if requires_grad and not result.requires_grad:
        result.requires_grad_()
    return result


def _inclusive_range(start, end, step=1, dtype=None, requires_grad=False, device=None):
    """torch.range (deprecated): start, start + step, ... up to and including end, of
    the default float dtype unless dtype is given. Use arange, which stops before end."""
    warnings.warn("minitorch.range is deprecated, as torch.range: it includes `end`, "
                  "unlike Python's range; use minitorch.arange(start, end), which stops "
                  "before end", UserWarning, stacklevel=2)
    devices.check_device(device, "range")
    if step == 0:
        raise ValueError("range: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(f"range: upper bound and larger bound inconsistent with step sign "
                         f"(start={start}, end={end}, step={step})")
    count = math.floor((end - start) / step) + 1
    ramp = creation.arange(count, dtype=float64) * step + start
    dtype = get_default_dtype() if dtype is None else resolve(dtype)
    return functions.cast(ramp, dtype).requires_grad_(requires_grad)


frexp_result = namedtuple("frexp", ("mantissa", "exponent"))


def frexp(input):  # noqa: A002  (torch's argument name)
    """(mantissa, exponent) with input = mantissa * 2 ** exponent and 0.5 <= |mantissa| <
    1, as torch.frexp; zeros, infinities and nans give mantissa input and exponent 0.
    The exponent is int64 (torch's is int32, which minitorch lacks)."""
    if not input.dtype.is_floating_point:
        raise TypeError(f"frexp: expected a floating point tensor, got {input.dtype.name}")
    magnitude = input.abs()
    finite_nonzero = (magnitude > 0) & magnitude.isfinite()
    safe = functions.where(finite_nonzero, magnitude, functions.ones_like(magnitude))
    exponent = safe.log2().floor() + 1
    # log2 may round across a power of two: move the exponent so the mantissa lands in
    # [0.5, 1)
    estimate = _times_power_of_two(safe, -exponent)
    exponent = exponent + (estimate >= 1).to(input.dtype) - (estimate < 0.5).to(input.dtype)
    exponent = functions.where(finite_nonzero, exponent, functions.zeros_like(exponent))
    return frexp_result(_times_power_of_two(input, -exponent), exponent.long())


def _times_power_of_two(values, exponent):
    """values * 2 ** exponent (exponent: integral floats), exact, in two halves so that
    neither power overflows or underflows where the product does not (2 ** 128 is no
    float32, yet the largest float32 is 2 ** 128 * (1 - 2 ** -24))."""
    half = (exponent / 2).floor()
    return values * half.exp2() * (exponent - half).exp2()


# per float dtype: bits of precision (the leading one included) and the smallest
# subnormal number's base-2 exponent
_FLOAT_FORMATS = {float32: (24, -149), float64: (53, -1074)}


def nextafter(input, other):  # noqa: A002
    """The next representable number after input in the direction of other, elementwise
    (broadcast), as torch.nextafter: other itself where the two are equal, nan where
    either is. Computed from frexp: a step is one unit in the last place of input's
    binade (the binade below when stepping down from a power of two), never less than
    the smallest subnormal number; from an infinity it is the largest finite number."""
    other_dtype = getattr(other, "dtype", None)
    if not input.dtype.is_floating_point or input.dtype is not other_dtype:
        other_kind = getattr(other_dtype, "name", type(other).__name__)
        raise TypeError(f"nextafter: expected two floating point tensors of one dtype, got "
                        f"{input.dtype.name} and {other_kind}")
    precision, smallest_exponent = _FLOAT_FORMATS[input.dtype]
    mantissa, exponent = frexp(input)
    direction = (other - input).sign()
    toward_zero = direction * input.sign() < 0
    power_of_two = mantissa.abs() == 0.5
    step_exponent = exponent.to(input.dtype) - precision - (toward_zero & power_of_two).to(
        input.dtype)
    # from zero (whose frexp exponent is 0) the step is the smallest subnormal too
    step_exponent = functions.where(input == 0, smallest_exponent, step_exponent)
    step = functions.clamp(step_exponent, min=smallest_exponent).to(float64).exp2() \
        .to(input.dtype)
    largest = float(np.finfo(input.dtype.name).max)
    stepped = functions.where(input.isinf(), input.sign() * largest, input + direction * step)
    # stepping from a subnormal to zero keeps the sign, as C's nextafter: -0.0 from below
    stepped = functions.where(stepped == 0, input * 0, stepped)
    stepped = functions.where(input == other, other, stepped)
    return functions.where(input.isnan() | other.isnan(), input + other, stepped)


def is_signed(input):  # noqa: A002
    """Whether input's dtype holds negative numbers: all but bool."""
    return input.is_signed()


def typename(obj):
    """A tensor's legacy type name ("minitorch.FloatTensor"); for anything else its
    module-qualified name (of obj itself when obj is a class or a function, else of its
    class), without the module for builtins."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    module = getattr(named, "__module__", None) or ""
    qualname = named.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# torch has these as Tensor methods too
Tensor.frexp, Tensor.nextafter = frexp, nextafter


# ---- global settings --------------------------------------------------------------------
# minitorch's kernels are deterministic whatever these say: every op computes the same
# result for the same input (no atomics, no autotuning), so the flags are only recorded.
_settings = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}
_MATMUL_PRECISIONS = ("highest", "high", "medium")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the flag torch uses to refuse nondeterministic ops. minitorch's ops are all
    deterministic, so nothing changes."""
    if not isinstance(mode, bool) or not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms: mode and warn_only must be bools, "
                        f"got {type(mode).__name__} and {type(warn_only).__name__}")
    _settings.update(deterministic=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _settings["warn_only"]


def set_float32_matmul_precision(precision):
    """Record "highest", "high" or "medium", as torch; minitorch always multiplies float32
    matrices in full float32 ("highest"), whatever is recorded. Other values are
    refused (torch only warns)."""
    if precision not in _MATMUL_PRECISIONS:
        raise ValueError(f"set_float32_matmul_precision: precision must be one of "
                         f"{', '.join(map(repr, _MATMUL_PRECISIONS))}, got {precision!r}")
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["matmul_precision"]


def get_default_device():
    """minitorch.device("cpu"): every backend keeps tensors in host memory."""
    return devices.CPU


def set_default_device(device):
    """Accept None or a CPU device ("cpu", minitorch.device("cpu")), the default
    already; any other device is refused (see devices.check_device). The backend is
    chosen with set_backend."""
    devices.check_device(device, "set_default_device")


# ---- legacy tensor types ----------------------------------------------------------------
class _LegacyTensorType(type):
    """The metaclass of FloatTensor & co.: calling one builds a tensor of its dtype
    (see tensor.legacy_construct); isinstance(t, FloatTensor) is whether t is a float32
    Tensor, as in torch."""

    def __call__(cls, *args):
        return legacy_construct(cls.__name__, cls.dtype, args)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype


LEGACY_TYPES = {name: _LegacyTensorType(name, (), {"dtype": dtype, "__module__": "minitorch"})
                for dtype, name in _LEGACY_NAMES.items()}

TOP_LEVEL = {
    **CONSTANTS, **LEGACY_TYPES, "scalar_tensor": scalar_tensor, "asarray": asarray,
    "range": _inclusive_range, "frexp": frexp, "nextafter": nextafter, "is_signed": is_signed,
    "typename": typename, "use_deterministic_algorithms": use_deterministic_algorithms,
    "are_deterministic_algorithms_enabled": are_deterministic_algorithms_enabled,
    "is_deterministic_algorithms_warn_only_enabled":
        is_deterministic_algorithms_warn_only_enabled,
    "set_float32_matmul_precision": set_float32_matmul_precision,
    "get_float32_matmul_precision": get_float32_matmul_precision,
    "get_default_device": get_default_device, "set_default_device": set_default_device,
}
