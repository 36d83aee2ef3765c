"""Convolution: Conv1d, Conv2d and their functional forms, with torch.nn's names,
arguments and results, and the gather positions (and argument checks) that pooling
(nn/pooling.py) and nn.functional.pad share.

Everything is built from existing tensor ops (im2col), so it runs and differentiates on
every backend with no kernel of its own:

1. the input is zero-padded with nn.functional.pad (or as `padding_mode` says);
2. one gather, `padded.reshape(-1)[positions]`, copies every window's elements into a
   column matrix. `positions` (storage positions in the padded input) depends only on
   the geometry (input shape, kernel, stride, dilation, groups), so numpy computes it
   once on the host and it is cached;
3. a convolution is then one (batched over groups) matmul of the reshaped weight with
   the columns.

Backward comes from the ops: the gather's backward adds the column gradients back into
the input (a scatter-add, so overlapping windows sum up), the matmul's gives the weight
gradient.
"""
import functools
import math

import numpy as np

from .. import creation, functions
from ..layout import contiguous_strides, format_shape
from . import functional as F   # (functional imports this module: use F at call time)
from .layers import reset_weight_and_bias
from .module import Module
from .parameter import Parameter

_POSITION_CACHE_SIZE = 32   # geometries whose gather positions are kept (int64 arrays
                            # with one entry per gathered element)
_SPATIAL_NAMES = {1: "L", 2: "H, W"}
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")   # of the Conv layers


# ---- arguments --------------------------------------------------------------------------

def _int_tuple(value, dims, what, op_name, minimum):
    """`value` (an int, or a sequence of `dims` ints) as a tuple of `dims` ints, each at
    least `minimum`; anything else is a ValueError naming op_name and `what`."""
    items = (value,) * dims if isinstance(value, int) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or len(items) != dims or not all(
            isinstance(item, int) and not isinstance(item, bool) and item >= minimum
            for item in items):
        raise ValueError(f"{op_name}: {what} must be an int or a tuple of {dims} ints, each "
                         f"at least {minimum}, got {value!r}")
    return items


def _check_input_rank(input, dims, op_name):
    """True for a batched input (N, C, *spatial), False for an unbatched (C, *spatial);
    any other rank is a ValueError naming op_name and the shape."""
    if input.ndim not in (dims + 1, dims + 2):
        spatial = _SPATIAL_NAMES[dims]
        raise ValueError(f"{op_name}: expected a {dims + 1}-D (C, {spatial}) or {dims + 2}-D "
                         f"(N, C, {spatial}) input, got {input.ndim}-D input "
                         f"{format_shape(input.shape)}")
    return input.ndim == dims + 2


def _check_groups(groups, op_name):
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op_name}: groups must be a positive int, got {groups!r}")


def _check_floating(input, op_name):
    if not input.dtype.is_floating_point:
        raise TypeError(f"{op_name}: input must be floating point, got {input.dtype.name}; "
                        "use input.float()")


def _output_sizes(padded, kernel, stride, dilation):
    """Window counts along each spatial dim of a padded input of spatial size `padded`."""
    return tuple((size - d * (k - 1) - 1) // s + 1
                 for size, k, s, d in zip(padded, kernel, stride, dilation))


def _check_fits(input, pads, kernel, dilation, op_name):
    """Raise unless the (dilated) kernel fits in the padded input along every dim."""
    padded = tuple(size + before + after
                   for size, (before, after) in zip(input.shape[-len(kernel):], pads))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(r > size for r, size in zip(reach, padded)):
        raise ValueError(f"{op_name}: the kernel {format_shape(reach)} (with dilation) is "
                         f"larger than the padded input {format_shape(padded)} (input "
                         f"{format_shape(input.shape)}, padding "
                         f"{tuple(before for before, _ in pads)})")


def _padded(input, pads, mode="constant", value=None):
    """input with pads[i] = (before, after) added around spatial dim i (the last
    len(pads) dims) by F.pad in `mode` (constant: filled with `value`); input itself
    when there is nothing to add."""
    amounts = tuple(amount for pair in reversed(pads) for amount in pair)
    return F.pad(input, amounts, mode, value) if any(amounts) else input


# ---- gather positions -------------------------------------------------------------------

def cached_positions(function):
    """`function` (of hashable geometry arguments, returning a numpy array) memoised for
    the last _POSITION_CACHE_SIZE geometries; the arrays it returns are read-only, as
    every later call with that geometry shares them. nn.functional.pad uses it too."""
    @functools.lru_cache(maxsize=_POSITION_CACHE_SIZE)
    @functools.wraps(function)
    def cached(*geometry):
        array = function(*geometry)
        array.setflags(write=False)
        return array
    return cached


@cached_positions
def _spatial_positions(spatial, kernel, stride, dilation):
    """(K, L) int64 array: the position, in a row-major block of shape `spatial`, of the
    k-th element (kernel order, last dim fastest) of the l-th window (output order)."""
    outputs = _output_sizes(spatial, kernel, stride, dilation)
    offsets = np.zeros(1, np.int64)   # flattened kernel offsets, built one dim at a time
    starts = np.zeros(1, np.int64)    # flattened window starts
    for size_k, size_o, s, d, step in zip(kernel, outputs, stride, dilation,
                                                 contiguous_strides(spatial)):
        offsets = (offsets[:, None] + np.arange(size_k) * (d * step)).reshape(-1)
        starts = (starts[:, None] + np.arange(size_o) * (s * step)).reshape(-1)
    return offsets[:, None] + starts[None, :]


@cached_positions
def _convolution_positions(shape, kernel, stride, dilation, groups):
    """Gather positions in a contiguous padded input of `shape` (N, C, *spatial) that lay
    its windows out as im2col columns, (groups, C / groups * K, N * L): row (c, k) of
    group g, column (n, l) is element k of window l of channel g * C / groups + c of
    sample n."""
    batch, channels = shape[:2]
    within = _spatial_positions(shape[2:], kernel, stride, dilation)     # (K, L)
    plane = math.prod(shape[2:])
    channel = np.arange(channels).reshape(groups, channels // groups, 1, 1, 1)
    sample = np.arange(batch).reshape(1, 1, 1, batch, 1)
    positions = (sample * channels + channel) * plane + within[None, None, :, None, :]
    kernel_size, windows = within.shape
    return positions.reshape(groups, channels // groups * kernel_size, batch * windows)


# ---- convolution ------------------------------------------------------------------------

def _convolution_padding(padding, kernel, stride, dilation, op_name):
    """((before, after) per spatial dim) for padding given as an int, a tuple, 'valid' or
    'same' (PyTorch's split: the odd element of the total goes after)."""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if padding != "same":
            raise ValueError(f"{op_name}: padding must be an int, a tuple, 'valid' or "
                             f"'same', got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op_name}: padding='same' is not supported for strided "
                             f"convolutions (stride {stride})")
        totals = (d * (k - 1) for k, d in zip(kernel, dilation))
        return tuple((total // 2, total - total // 2) for total in totals)
    return tuple((p, p) for p in _int_tuple(padding, len(kernel), "padding", op_name, 0))


def _convolution(dims, input, weight, bias, stride, padding, dilation, groups, op_name):
    """The `dims`-D convolution (cross-correlation, as PyTorch's) behind conv1d, conv2d
    and the Conv layers; errors name op_name. Every argument is checked before
    anything is computed."""
    _check_floating(input, op_name)
    batched = _check_input_rank(input, dims, op_name)
    if weight.ndim != dims + 2:
        raise ValueError(f"{op_name}: weight must be {dims + 2}-D (out_channels, "
                         f"in_channels / groups, *kernel_size), got "
                         f"{format_shape(weight.shape)}")
    for other in (weight,) if bias is None else (weight, bias):
        functions._same_backend(input, other, op_name)
        if other.dtype is not input.dtype:
            raise TypeError(f"{op_name}: input ({input.dtype.name}) and weights "
                            f"({other.dtype.name}) must have the same dtype")
    stride = _int_tuple(stride, dims, "stride", op_name, 1)
    dilation = _int_tuple(dilation, dims, "dilation", op_name, 1)
    _check_groups(groups, op_name)
    out_channels, group_channels, kernel = weight.shape[0], weight.shape[1], weight.shape[2:]
    channels = input.shape[-dims - 1]
    if out_channels % groups:
        raise ValueError(f"{op_name}: groups={groups} must divide the weight's "
                         f"out_channels, got weight {format_shape(weight.shape)}")
    if channels != group_channels * groups:
        raise ValueError(f"{op_name}: weight {format_shape(weight.shape)} with groups="
                         f"{groups} expects input with {group_channels * groups} channels, "
                         f"got input {format_shape(input.shape)} with {channels}")
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op_name}: bias must have shape ({out_channels},), one value per "
                         f"output channel, got {format_shape(bias.shape)}")
    pads = _convolution_padding(padding, kernel, stride, dilation, op_name)
    _check_fits(input, pads, kernel, dilation, op_name)
    x = _padded(input if batched else input.unsqueeze(0), pads, value=0.0)
    columns = x.reshape(-1)[_convolution_positions(x.shape, kernel, stride, dilation,
                                                   groups)]
    result = weight.reshape(groups, out_channels // groups, -1) @ columns  # (G, O/G, N*L)
    result = result.reshape((out_channels, x.shape[0]) +
                            _output_sizes(x.shape[2:], kernel, stride, dilation))
    result = result.transpose(0, 1)   # (N, O, *outputs), made contiguous by the next op
    result = result.contiguous() if bias is None else \
        result + bias.reshape((out_channels,) + (1,) * dims)
    return result if batched else result.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of input (N, C_in, L) or (C_in, L) with weight (C_out, C_in /
    groups, k) and optional bias (C_out,): (N, C_out, L_out), as torch's conv1d.
    padding: an int, a 1-tuple, 'valid' (none) or 'same' (output length L; stride 1)."""
    return _convolution(1, input, weight, bias, stride, padding, dilation, groups, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of input (N, C_in, H, W) or (C_in, H, W) with weight (C_out,
    C_in / groups, kH, kW) and optional bias (C_out,): (N, C_out, H_out, W_out), as
    torch's conv2d. stride, dilation: an int or a pair; padding: an int, a pair, 'valid'
    or 'same' (output size H x W; stride 1, any extra element of padding goes after)."""
    return _convolution(2, input, weight, bias, stride, padding, dilation, groups, "conv2d")


class _ConvNd(Module):
    """What Conv1d and Conv2d share; subclasses set `dims`."""

    dims = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", dtype=None,
                 backend=None):
        super().__init__()
        name = type(self).__name__
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"{padding_mode!r}")
        _check_groups(groups, name)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must divide both in_channels "
                             f"({in_channels}) and out_channels ({out_channels})")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _int_tuple(kernel_size, self.dims, "kernel_size", name, 1)
        self.stride = _int_tuple(stride, self.dims, "stride", name, 1)
        self.dilation = _int_tuple(dilation, self.dims, "dilation", name, 1)
        self.padding_mode = padding_mode
        # checked now, kept as given (strings) or as a tuple, as PyTorch keeps it
        _convolution_padding(padding, self.kernel_size, self.stride, self.dilation, name)
        self.padding = padding if isinstance(padding, str) else \
            _int_tuple(padding, self.dims, "padding", name, 0)
        self.weight = Parameter(creation.empty(out_channels, in_channels // groups,
                                               *self.kernel_size, dtype=dtype, backend=backend))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, backend=backend))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight kaiming_uniform_(a=sqrt(5)), bias uniform in
        ±1/sqrt(fan_in), fan_in = in_channels / groups * kernel elements."""
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input):
        """The convolution of input; with a padding_mode other than 'zeros', as PyTorch:
        F.pad in that mode (the padding split as for zeros), then no padding."""
        name, padding = type(self).__name__, self.padding
        if self.padding_mode != "zeros":
            _check_input_rank(input, self.dims, name)
            pads = _convolution_padding(padding, self.kernel_size, self.stride,
                                        self.dilation, name)
            input, padding = _padded(input, pads, mode=self.padding_mode), 0
        return _convolution(self.dims, input, self.weight, self.bias, self.stride,
                            padding, self.dilation, self.groups, name)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution layer: weight (out_channels, in_channels / groups, kernel_size),
    bias (out_channels,) unless bias=False; input (N, C_in, L) or (C_in, L). Arguments
    and default initialisation as torch.nn.Conv1d (see conv1d); padding_mode 'zeros',
    'reflect', 'replicate' or 'circular' (see nn.functional.pad)."""

    dims = 1


class Conv2d(_ConvNd):
    """2-D convolution layer: weight (out_channels, in_channels / groups, kH, kW), bias
    (out_channels,) unless bias=False; input (N, C_in, H, W) or (C_in, H, W). Arguments
    and default initialisation as torch.nn.Conv2d (see conv2d); padding_mode 'zeros',
    'reflect', 'replicate' or 'circular' (see nn.functional.pad)."""

    dims = 2
