"""torch.testing's assert_close and make_tensor for minitorch tensors: the same default
tolerances, inputs and failure messages, the comparison made with tensor ops."""
import collections.abc
import math
from numbers import Number

import numpy as np

from .. import creation, functions
from ..devices import check_device
from ..dtype import bool_, float32, float64, int64, resolve
from ..tensor import Tensor

# torch's defaults for (rtol, atol) by dtype; integers and bools must be equal
DEFAULT_TOLERANCES = {float32: (1.3e-6, 1e-5), float64: (1e-7, 1e-7), int64: (0.0, 0.0),
                      bool_: (0.0, 0.0)}


def _as_tensor(value):
    """A number as a 0-d tensor of torch's dtype for it (float -> float64, int -> int64,
    bool -> bool)."""
    dtype = bool_ if isinstance(value, bool) else int64 if isinstance(value, int) else float64
    return creation.tensor(value, dtype=dtype)


def _fail(message, msg, path):
    if msg is not None:
        raise AssertionError(msg(message) if callable(msg) else msg)
    where = "".join(f"[{key!r}]" for key in path)
    raise AssertionError(message + (f"\n\nThe failure occurred for item {where}"
                                    if path else ""))


def _mismatch_message(actual, expected, rtol, atol, equal_nan, scalars):
    """None when every element is close, else torch's message."""
    exact = rtol == 0 and atol == 0
    computing = actual.dtype if actual.dtype.is_floating_point else float64
    actual_values, expected_values = actual.detach().to(computing), expected.detach().to(computing)
    difference = (actual_values - expected_values).abs()
    close = (actual_values == expected_values) | (difference <= atol + rtol * expected_values.abs())
    if equal_nan:
        close = close | (actual_values.isnan() & expected_values.isnan())
    mismatched = int((~close).sum().item())
    if mismatched == 0:
        return None
    relative = difference / expected_values.abs()
    kind = "Scalars" if scalars else "Tensor-likes"
    verdict = "equal" if exact else "close"

    if scalars:
        lines = [f"Expected {expected.item()} but got {actual.item()}."]
    else:
        total = actual.numel()
        lines = [f"Mismatched elements: {mismatched} / {total} "
                 f"({100 * mismatched / total:.1f}%)"]
    for name, values, tolerance in (("absolute", difference, atol),
                                    ("relative", relative, rtol)):
        flat = values.reshape(-1)
        position = int(flat.argmax().item())
        value = flat[position].item()
        if name == "absolute" and not actual.dtype.is_floating_point:
            value = int(value)
        if scalars:
            line = f"{name.capitalize()} difference: {value}"
        else:
            index = tuple(int(i) for i in np.unravel_index(position, actual.shape))
            line = f"Greatest {name} difference: {value} at index {index}"
        lines.append(line + ("" if exact else f" (up to {tolerance} allowed)"))
    return f"{kind} are not {verdict}!\n\n" + "\n".join(lines)


def _compare_tensors(actual, expected, path, options):
    scalars = not isinstance(actual, Tensor) and not isinstance(expected, Tensor)
    actual = actual if isinstance(actual, Tensor) else _as_tensor(actual)
    expected = expected if isinstance(expected, Tensor) else _as_tensor(expected)
    msg = options["msg"]
    checks = [("shape", tuple(actual.shape), tuple(expected.shape), True)]
    checks.append(("dtype", actual.dtype, expected.dtype, options["check_dtype"]))
    checks.append(("stride", actual.stride(), expected.stride(), options["check_stride"]))
    for attribute, mine, theirs, wanted in checks:
        if wanted and mine != theirs:
            _fail(f"The values for attribute '{attribute}' do not match: {mine} != "
                  f"{theirs}.", msg, path)
    if actual.dtype is not expected.dtype:
        common = functions.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    rtol, atol = options["rtol"], options["atol"]
    if rtol is None:
        rtol, atol = max(DEFAULT_TOLERANCES[actual.dtype], DEFAULT_TOLERANCES[expected.dtype])
    message = _mismatch_message(actual, expected, rtol, atol, options["equal_nan"], scalars)
    if message is not None:
        _fail(message, msg, path)


def _is_sequence(value):
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _compare(actual, expected, path, options):
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                  options["msg"], path)
        for index, (mine, theirs) in enumerate(zip(actual, expected)):
            _compare(mine, theirs, path + (index,), options)
        return
    if isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match:\nMissing keys in the actual "
                  f"mapping: {sorted(map(repr, set(expected) - set(actual)))}\nAdditional "
                  f"keys in the actual mapping: {sorted(map(repr, set(actual) - set(expected)))}",
                  options["msg"], path)
        for key in expected:
            _compare(actual[key], expected[key], path + (key,), options)
        return
    for value in (actual, expected):
        if not isinstance(value, (Tensor, Number, np.ndarray)):
            _fail(f"No comparison pair was able to handle inputs of type {type(actual)} and "
                  f"{type(expected)}.", options["msg"], path)
    if isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray):
        actual, expected = (creation.tensor(value) if isinstance(value, np.ndarray) else value
                            for value in (actual, expected))
    if type(actual) is not type(expected) and not options["allow_subclasses"] and \
            not (isinstance(actual, Number) and isinstance(expected, Number)):
        _fail(f"Except for scalars, type equality is required if allow_subclasses=False, "
              f"but got {type(actual).__name__} and {type(expected).__name__} instead.",
              options["msg"], path)
    _compare_tensors(actual, expected, path, options)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless actual and expected are close, as
    torch.testing.assert_close: tensors, numbers, numpy arrays, and sequences or mappings
    of them (compared item by item). Shapes must match; dtypes too unless
    check_dtype=False (then both are compared in their promoted dtype); strides when
    check_stride=True. Close means |actual - expected| <= atol + rtol * |expected|, with
    torch's defaults by dtype (DEFAULT_TOLERANCES) when rtol and atol are None; nans are
    equal only with equal_nan=True. Every minitorch tensor is a strided CPU tensor, so
    check_device and check_layout have nothing to tell apart. msg replaces the message
    (a string, or a callable given the message)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: both rtol and atol must be given, or neither; got "
                         f"rtol={rtol} and atol={atol}")
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol,
                   equal_nan=equal_nan, check_dtype=check_dtype, check_stride=check_stride,
                   msg=msg)
    _compare(actual, expected, (), options)


# torch's default value ranges for make_tensor: [low, high) for floats, and for int64
# low to high - 1
_DEFAULT_RANGES = {float32: (-9, 9), float64: (-9, 9), int64: (-9, 10)}


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of that shape (ints, or one sequence of them) filled with random values,
    as torch.testing.make_tensor: uniform in [low, high) for floats, integers from low up
    to high - 1, random bools; low and high default to torch's -9 and 9 (clamped into
    the dtype's range). exclude_zero replaces zeros by 1 (ints) or the dtype's smallest
    normal number (floats); noncontiguous gives a non-contiguous view with the same
    values (for more than one element)."""
    check_device(device, "make_tensor")
    if memory_format is not None:
        raise NotImplementedError("make_tensor: memory_format is not supported (minitorch "
                                  "tensors are row-major)")
    dtype = resolve(dtype)
    if len(shape) == 1 and _is_sequence(shape[0]):
        shape = tuple(shape[0])
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(f"make_tensor: requires_grad=True is not supported for "
                         f"{dtype.name}")
    if dtype is bool_:
        result = creation.randint(0, 2, shape).to(bool_)
    else:
        default_low, default_high = _DEFAULT_RANGES[dtype]
        low = default_low if low is None else low
        high = default_high if high is None else high
        if math.isnan(low) or math.isnan(high):
            raise ValueError("make_tensor: low and high must not be nan")
        if low > high:
            raise ValueError(f"make_tensor: low must not exceed high, got low={low} and "
                             f"high={high}")
        if dtype.is_floating_point:
            result = creation.rand(*shape, dtype=dtype) * (high - low) + low
        else:
            result = creation.randint(math.ceil(low), math.ceil(high), shape)
    if exclude_zero:
        replacement = float(np.finfo(dtype.name).tiny) if dtype.is_floating_point else 1
        result = functions.where(result == 0, replacement, result).to(dtype)
    if noncontiguous and result.numel() > 1:
        doubled = functions.repeat_interleave(result, 2, dim=-1)
        result = doubled[..., ::2]
    return result.requires_grad_(requires_grad) if requires_grad else result
