"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad,
each for 1, 2 or 3 trailing dims, with torch.nn's names, arguments, results and reprs.

Each is nn.functional.pad with a fixed mode and padding, so values and gradients are
pad's (a gather of the input, or a cat of constant blocks). `padding` is an int (the
same amount on every side) or a tuple (left, right[, top, bottom[, front, back]]) of
2 * dims ints, negative to crop; the padding layers that copy input elements take
(C, *spatial) or (N, C, *spatial) input, as torch's.
"""
from ..layout import format_shape
from . import functional as F
from .module import Module


def _padding_tuple(padding, dims, op_name):
    """`padding` (an int, or a sequence of 2 * dims ints) as a tuple of 2 * dims ints;
    anything else is a ValueError naming op_name."""
    amounts = (padding,) * (2 * dims) if isinstance(padding, int) else padding
    try:
        amounts = tuple(amounts)
    except TypeError:
        amounts = ()
    if len(amounts) != 2 * dims or not all(
            isinstance(amount, int) and not isinstance(amount, bool) for amount in amounts):
        raise ValueError(f"{op_name}: padding must be an int or a tuple of {2 * dims} "
                         f"ints, got {padding!r}")
    return amounts


class _CopyingPadNd(Module):
    """Pads the last `_dims` dims of (C, *spatial) or (N, C, *spatial) input in `_mode`
    (reflect, replicate or circular; see F.pad)."""

    _dims = None
    _mode = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding_tuple(padding, self._dims, type(self).__name__)

    def forward(self, input):
        if input.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"{type(self).__name__}: expected a {self._dims + 1}-D or "
                             f"{self._dims + 2}-D input, got {input.ndim}-D input "
                             f"{format_shape(input.shape)}")
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_CopyingPadNd):
    """Pads the last dim with its mirror image about the edge element (F.pad 'reflect');
    each amount less than the dim's size."""
    _dims, _mode = 1, "reflect"


class ReflectionPad2d(_CopyingPadNd):
    """Pads the last 2 dims with their mirror image (F.pad 'reflect')."""
    _dims, _mode = 2, "reflect"


class ReflectionPad3d(_CopyingPadNd):
    """Pads the last 3 dims with their mirror image (F.pad 'reflect')."""
    _dims, _mode = 3, "reflect"


class ReplicationPad1d(_CopyingPadNd):
    """Pads the last dim by repeating its edge elements (F.pad 'replicate')."""
    _dims, _mode = 1, "replicate"


class ReplicationPad2d(_CopyingPadNd):
    """Pads the last 2 dims by repeating their edge elements (F.pad 'replicate')."""
    _dims, _mode = 2, "replicate"


class ReplicationPad3d(_CopyingPadNd):
    """Pads the last 3 dims by repeating their edge elements (F.pad 'replicate')."""
    _dims, _mode = 3, "replicate"


class CircularPad1d(_CopyingPadNd):
    """Pads the last dim by wrapping around (F.pad 'circular'); each amount at most the
    dim's size."""
    _dims, _mode = 1, "circular"


class CircularPad2d(_CopyingPadNd):
    """Pads the last 2 dims by wrapping around (F.pad 'circular')."""
    _dims, _mode = 2, "circular"


class CircularPad3d(_CopyingPadNd):
    """Pads the last 3 dims by wrapping around (F.pad 'circular')."""
    _dims, _mode = 3, "circular"


class _ConstantPadNd(Module):
    """Pads the last `_dims` dims with `value` (F.pad 'constant'). As torch's, the input
    may have any rank of at least `_dims`."""

    _dims = None

    def __init__(self, padding, value):
        super().__init__()
        self.padding = _padding_tuple(padding, self._dims, type(self).__name__)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with `value`."""
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with `value`."""
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with `value`."""
    _dims = 3


class _ZeroPad:
    """Mixin of the ZeroPad layers: a ConstantPad with value 0.0, whose repr shows only
    the padding (as torch's)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pads the last dim with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pads the last 2 dims with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pads the last 3 dims with zeros."""
