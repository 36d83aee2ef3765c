"""Convolution: Conv1d/2d/3d, ConvTranspose1d/2d/3d, Unfold and Fold and their
functional forms, with torch.nn's names, arguments and results, and the gather
positions (and argument checks) that pooling (nn/pooling.py) and nn.functional.pad
share.

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

Unfold is step 2 alone. Fold and the transposed convolution run the steps backwards:
a transposed convolution is the adjoint of a convolution (the map its backward applies
to the output gradient), so it is one matmul with the transposed weight to columns and
one scatter-add of the columns through the same cached positions, whose backward is the
gather.
"""
import functools
import math

import numpy as np

from .. import creation, functions
from ..indexing import IndexPut
from ..layout import contiguous_strides, format_shape
from . import functional as F   # (functional imports this module: use F at call time)
from .layers import reset_weight_and_bias
from .module import Module
from .parameter import Parameter

_POSITION_CACHE_SIZE = 32   # geometries whose gather positions are kept (int64 arrays
                            # with one entry per gathered element)
_SPATIAL_NAMES = {1: "L", 2: "H, W", 3: "D, H, W"}
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


def _block_positions(shape, kernel, stride, dilation):
    """Gather positions in a contiguous padded input of `shape` (N, C, *spatial) that lay
    its windows out as unfold's blocks, (N, C * K, L): row (c, k), column l of sample n
    is element k of window l of channel c (the convolution's positions, batch first)."""
    positions = _convolution_positions(shape, kernel, stride, dilation, 1)[0]
    windows = math.prod(_output_sizes(shape[2:], kernel, stride, dilation))
    return positions.reshape(positions.shape[0], shape[0], windows).swapaxes(0, 1)


def _scatter_add(values, positions, shape):
    """A zero tensor of `shape` with each element of values added at its flat position in
    `positions` (an array of values' shape; repeated positions add up): the adjoint of
    the gather x.reshape(-1)[positions], and that gather is its backward."""
    zeros = creation.zeros(math.prod(shape), dtype=values.dtype, backend=values.backend)
    return IndexPut.apply(zeros, values, positions, True).reshape(shape)


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


def _check_weights(dims, input, weight, bias, weight_layout, op_name):
    """Raise unless weight has dims + 2 dims (weight_layout names them) and weight and
    bias have input's dtype and backend."""
    if weight.ndim != dims + 2:
        raise ValueError(f"{op_name}: weight must be {dims + 2}-D {weight_layout}, got "
                         f"{format_shape(weight.shape)}")
    for other in (weight,) if bias is None else (weight, bias):
        functions._same_backend(input, other, op_name)
        if other.dtype is not input.dtype:
            raise TypeError(f"{op_name}: input ({input.dtype.name}) and weights "
                            f"({other.dtype.name}) must have the same dtype")


def _check_bias(bias, out_channels, op_name):
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op_name}: bias must have shape ({out_channels},), one value per "
                         f"output channel, got {format_shape(bias.shape)}")


def _finished(result, bias, batched):
    """A convolution's result (N, C_out, *spatial) plus bias (C_out,) when given, made
    contiguous, and without N for an unbatched input."""
    result = result.contiguous() if bias is None else \
        result + bias.reshape(bias.shape + (1,) * (result.ndim - 2))
    return result if batched else result.squeeze(0)


def _convolution(dims, input, weight, bias, stride, padding, dilation, groups, op_name):
    """The `dims`-D convolution (cross-correlation, as PyTorch's) behind conv1d, conv2d,
    conv3d and the Conv layers; errors name op_name. Every argument is checked before
    anything is computed."""
    _check_floating(input, op_name)
    batched = _check_input_rank(input, dims, op_name)
    _check_weights(dims, input, weight, bias,
                   "(out_channels, in_channels / groups, *kernel_size)", op_name)
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
    _check_bias(bias, out_channels, op_name)
    pads = _convolution_padding(padding, kernel, stride, dilation, op_name)
    _check_fits(input, pads, kernel, dilation, op_name)
    x = _padded(input if batched else input.unsqueeze(0), pads, value=0.0)
    columns = x.reshape(-1)[_convolution_positions(x.shape, kernel, stride, dilation,
                                                   groups)]
    result = weight.reshape(groups, out_channels // groups, -1) @ columns  # (G, O/G, N*L)
    result = result.reshape((out_channels, x.shape[0]) +
                            _output_sizes(x.shape[2:], kernel, stride, dilation))
    # (N, O, *outputs), made contiguous by _finished
    return _finished(result.transpose(0, 1), bias, batched)


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


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution of input (N, C_in, D, H, W) or (C_in, D, H, W) with weight (C_out,
    C_in / groups, kD, kH, kW) and optional bias (C_out,): (N, C_out, D_out, H_out,
    W_out), as torch's conv3d. stride, dilation: an int or a triple; padding: an int, a
    triple, 'valid' or 'same' (as conv2d's)."""
    return _convolution(3, input, weight, bias, stride, padding, dilation, groups, "conv3d")


# ---- transposed convolution -------------------------------------------------------------

def _convolution_transpose(dims, input, weight, bias, stride, padding, output_padding,
                           groups, dilation, op_name):
    """The `dims`-D transposed convolution behind conv_transpose1d/2d/3d and the
    ConvTranspose layers; errors name op_name, and every argument is checked before
    anything is computed.

    It is the adjoint of conv{dims}d with the same weight and geometry (the input
    gradient that convolution's backward computes), built from the same pieces run
    backwards: each group's transposed weight times the input gives columns (G, C_out /
    G * K, N * L), and one scatter-add through the convolution's cached gather positions
    sums them into the output, padded by `padding`, which is then cut off (and zeros
    added for output_padding). This does no work for the zeros that the other usual
    construction, a convolution of the stride-dilated input with the flipped kernel,
    multiplies by, and its backward is the gather and the matmul again."""
    _check_floating(input, op_name)
    batched = _check_input_rank(input, dims, op_name)
    _check_weights(dims, input, weight, bias,
                   "(in_channels, out_channels / groups, *kernel_size)", op_name)
    stride = _int_tuple(stride, dims, "stride", op_name, 1)
    padding = _int_tuple(padding, dims, "padding", op_name, 0)
    output_padding = _int_tuple(output_padding, dims, "output_padding", op_name, 0)
    dilation = _int_tuple(dilation, dims, "dilation", op_name, 1)
    _check_groups(groups, op_name)
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op_name}: output_padding {output_padding} must be smaller than "
                         f"either the stride {stride} or the dilation {dilation} in every "
                         "dim")
    in_channels, kernel = weight.shape[0], weight.shape[2:]
    out_channels = weight.shape[1] * groups
    channels, spatial = input.shape[-dims - 1], input.shape[-dims:]
    if in_channels % groups:
        raise ValueError(f"{op_name}: groups={groups} must divide the weight's in_channels "
                         f"(its first dim), got weight {format_shape(weight.shape)}")
    if channels != in_channels:
        raise ValueError(f"{op_name}: weight {format_shape(weight.shape)} expects input "
                         f"with {in_channels} channels, got input "
                         f"{format_shape(input.shape)} with {channels}")
    _check_bias(bias, out_channels, op_name)
    full = tuple((size - 1) * s + d * (k - 1) + 1
                 for size, k, s, d in zip(spatial, kernel, stride, dilation))
    outputs = tuple(size + o - 2 * p for size, o, p in zip(full, output_padding, padding))
    if any(size < 1 for size in outputs):
        raise ValueError(f"{op_name}: the output would be {format_shape(outputs)}, too small "
                         f"(input {format_shape(input.shape)}, kernel "
                         f"{format_shape(kernel)}, stride {stride}, padding {padding}, "
                         f"output_padding {output_padding}, dilation {dilation})")
    x = input if batched else input.unsqueeze(0)
    batch, group_channels = x.shape[0], in_channels // groups
    x = x.reshape(batch, groups, group_channels, math.prod(spatial)).permute(1, 2, 0, 3)
    columns = weight.reshape(groups, group_channels, -1).transpose(1, 2) @ \
        x.reshape(groups, group_channels, -1)                      # (G, O/G * K, N * L)
    shape = (batch, out_channels) + full
    result = _scatter_add(columns, _convolution_positions(shape, kernel, stride, dilation,
                                                          groups), shape)
    result = _padded(result, tuple((-p, o - p) for p, o in zip(padding, output_padding)))
    return _finished(result, bias, batched)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """1-D transposed convolution of input (N, C_in, L) or (C_in, L) with weight (C_in,
    C_out / groups, k) and optional bias (C_out,), as torch's conv_transpose1d: (N, C_out,
    L_out) with L_out = (L - 1) * stride - 2 * padding + dilation * (k - 1) +
    output_padding + 1. output_padding (added after) must be smaller than the stride or
    the dilation."""
    return _convolution_transpose(1, input, weight, bias, stride, padding, output_padding,
                                  groups, dilation, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """2-D transposed convolution of input (N, C_in, H, W) or (C_in, H, W) with weight
    (C_in, C_out / groups, kH, kW) and optional bias (C_out,), as torch's
    conv_transpose2d: (N, C_out, H_out, W_out), each size as conv_transpose1d's; every
    geometry argument is an int or a pair."""
    return _convolution_transpose(2, input, weight, bias, stride, padding, output_padding,
                                  groups, dilation, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """3-D transposed convolution of input (N, C_in, D, H, W) or (C_in, D, H, W) with
    weight (C_in, C_out / groups, kD, kH, kW) and optional bias (C_out,), as torch's
    conv_transpose3d: (N, C_out, D_out, H_out, W_out), each size as conv_transpose1d's;
    every geometry argument is an int or a triple."""
    return _convolution_transpose(3, input, weight, bias, stride, padding, output_padding,
                                  groups, dilation, "conv_transpose3d")


def _output_padding_for(output_size, input, kernel, stride, padding, dilation, op_name):
    """The output_padding with which a transposed convolution of input (already checked)
    gives spatial sizes output_size, as torch's ConvTranspose layers work it out:
    output_size lists the spatial sizes, or every size of the output (N and C, or C
    unbatched, first), each from the smallest output size to stride - 1 more."""
    dims = len(kernel)
    sizes = tuple(output_size)
    if len(sizes) == input.ndim:
        sizes = sizes[-dims:]
    sizes = _int_tuple(sizes, dims, "output_size", op_name, 1)
    smallest = tuple((size - 1) * s - 2 * p + d * (k - 1) + 1 for size, k, s, p, d in
                     zip(input.shape[-dims:], kernel, stride, padding, dilation))
    largest = tuple(size + s - 1 for size, s in zip(smallest, stride))
    if not all(low <= size <= high for size, low, high in zip(sizes, smallest, largest)):
        raise ValueError(f"{op_name}: requested an output size of {sizes}, but valid sizes "
                         f"range from {smallest} to {largest} (for an input of spatial size "
                         f"{format_shape(input.shape[-dims:])})")
    return tuple(size - low for size, low in zip(sizes, smallest))


# ---- unfold and fold --------------------------------------------------------------------

def _block_geometry(kernel_size, dilation, padding, stride, op_name):
    """(kernel, dilation, padding, stride) of unfold or fold, each a pair of ints."""
    return (_int_tuple(kernel_size, 2, "kernel_size", op_name, 1),
            _int_tuple(dilation, 2, "dilation", op_name, 1),
            _int_tuple(padding, 2, "padding", op_name, 0),
            _int_tuple(stride, 2, "stride", op_name, 1))


def _check_empty_only_in_batch(input, batched, op_name):
    """RuntimeError, as torch's, unless every dim of input but a batch dim is non-empty."""
    if 0 in input.shape[int(batched):]:
        raise RuntimeError(f"{op_name}: expected an input whose dims are all non-empty (but "
                           f"for a batch dim), got input {format_shape(input.shape)}")


def _unfold(input, kernel_size, dilation, padding, stride, op_name):
    kernel, dilation, padding, stride = _block_geometry(kernel_size, dilation, padding,
                                                        stride, op_name)
    _check_floating(input, op_name)
    batched = _check_input_rank(input, 2, op_name)
    _check_empty_only_in_batch(input, batched, op_name)
    pads = tuple((p, p) for p in padding)
    _check_fits(input, pads, kernel, dilation, op_name)
    x = _padded(input if batched else input.unsqueeze(0), pads, value=0.0)
    blocks = x.reshape(-1)[_block_positions(x.shape, kernel, stride, dilation)]
    return blocks if batched else blocks.squeeze(0)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding blocks of input (N, C, H, W) or (C, H, W) as columns (im2col), as
    torch's unfold: (N, C * K, L), K = kH * kW elements per block (channel first, then
    kernel rows), L blocks in row-major order. The input is zero-padded by `padding` on
    both sides; every argument is an int or a pair."""
    return _unfold(input, kernel_size, dilation, padding, stride, "unfold")


def _fold(input, output_size, kernel_size, dilation, padding, stride, op_name):
    kernel, dilation, padding, stride = _block_geometry(kernel_size, dilation, padding,
                                                        stride, op_name)
    output_size = _int_tuple(output_size, 2, "output_size", op_name, 1)
    _check_floating(input, op_name)
    if input.ndim not in (2, 3):
        raise ValueError(f"{op_name}: expected a 2-D (C * K, L) or 3-D (N, C * K, L) input, "
                         f"got {input.ndim}-D input {format_shape(input.shape)}")
    _check_empty_only_in_batch(input, input.ndim == 3, op_name)
    rows, blocks = input.shape[-2:]
    kernel_elements = math.prod(kernel)
    if rows % kernel_elements:
        raise ValueError(f"{op_name}: the input's size {rows} in dim -2 must be divisible "
                         f"by the {kernel_elements} elements of kernel_size {kernel} (input "
                         f"{format_shape(input.shape)})")
    padded = tuple(size + 2 * p for size, p in zip(output_size, padding))
    counts = _output_sizes(padded, kernel, stride, dilation)
    if any(count < 1 for count in counts) or math.prod(counts) != blocks:
        raise ValueError(f"{op_name}: output_size {output_size} with kernel_size {kernel}, "
                         f"dilation {dilation}, padding {padding} and stride {stride} has "
                         f"{' x '.join(map(str, counts))} sliding blocks, but the input "
                         f"{format_shape(input.shape)} has {blocks} in dim -1")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    shape = (x.shape[0], rows // kernel_elements) + padded
    result = _scatter_add(x, _block_positions(shape, kernel, stride, dilation), shape)
    result = _padded(result, tuple((-p, -p) for p in padding))
    return result if input.ndim == 3 else result.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns of sliding blocks summed back into an image (col2im), as torch's fold:
    input (N, C * K, L) or (C * K, L), laid out as unfold's, gives (N, C, *output_size)
    or (C, *output_size); where blocks overlap their elements add up, and what falls in
    `padding` is dropped. L must be the number of blocks unfold would find; every
    argument is an int or a pair. fold(unfold(x)) is x times how many blocks hold each
    element."""
    return _fold(input, output_size, kernel_size, dilation, padding, stride, "fold")


# ---- layers -----------------------------------------------------------------------------

class _ConvBase(Module):
    """What the convolution layers, plain and transposed, share: arguments, parameters,
    their initialisation and the repr. Subclasses set `dims` and `transposed` and take
    their arguments in torch's order."""

    dims = None
    transposed = False   # weight (in, out / groups, *kernel) if so, else (out, in / groups, ...)

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding,
                 output_padding, groups, bias, dilation, padding_mode, dtype, backend):
        super().__init__()
        name = type(self).__name__
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode 'zeros' is supported, got "
                             f"{padding_mode!r}")
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
        self.output_padding = _int_tuple(output_padding, self.dims, "output_padding", name, 0)
        self.padding_mode = padding_mode
        if self.transposed:
            self.padding = _int_tuple(padding, self.dims, "padding", name, 0)
        else:   # checked now, kept as given (strings) or as a tuple, as PyTorch keeps it
            _convolution_padding(padding, self.kernel_size, self.stride, self.dilation, name)
            self.padding = padding if isinstance(padding, str) else \
                _int_tuple(padding, self.dims, "padding", name, 0)
        channels = (in_channels, out_channels // groups) if self.transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(creation.empty(*channels, *self.kernel_size, dtype=dtype,
                                               backend=backend))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, backend=backend))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight kaiming_uniform_(a=sqrt(5)), bias uniform in
        ±1/sqrt(fan_in), fan_in = the weight's dim 1 times its kernel elements:
        in_channels / groups * K, or out_channels / groups * K when transposed."""
        reset_weight_and_bias(self.weight, self.bias)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _ConvNd(_ConvBase):
    """What Conv1d, Conv2d and Conv3d share: torch's arguments, and the forward."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", dtype=None,
                 backend=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, 0, groups,
                         bias, dilation, padding_mode, dtype, backend)

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


class Conv3d(_ConvNd):
    """3-D convolution layer: weight (out_channels, in_channels / groups, kD, kH, kW),
    bias (out_channels,) unless bias=False; input (N, C_in, D, H, W) or (C_in, D, H, W).
    Arguments and default initialisation as torch.nn.Conv3d (see conv3d); padding_mode
    'zeros', 'reflect', 'replicate' or 'circular' (see nn.functional.pad)."""

    dims = 3


class _ConvTransposeNd(_ConvBase):
    """What ConvTranspose1d, 2d and 3d share: torch's arguments (padding_mode 'zeros'
    only, as torch's), and the forward."""

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 dtype=None, backend=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, dtype, backend)

    def forward(self, input, output_size=None):
        """The transposed convolution of input. output_size (the output's spatial sizes,
        or all its sizes), when given, replaces output_padding: it picks among the output
        sizes a stride allows (see _output_padding_for)."""
        name, output_padding = type(self).__name__, self.output_padding
        if output_size is not None:
            _check_input_rank(input, self.dims, name)
            output_padding = _output_padding_for(output_size, input, self.kernel_size,
                                                 self.stride, self.padding, self.dilation,
                                                 name)
        return _convolution_transpose(self.dims, input, self.weight, self.bias, self.stride,
                                      self.padding, output_padding, self.groups,
                                      self.dilation, name)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution layer: weight (in_channels, out_channels / groups,
    kernel_size), bias (out_channels,) unless bias=False; input (N, C_in, L) or (C_in, L).
    Arguments, forward(input, output_size=None) and default initialisation as
    torch.nn.ConvTranspose1d (see conv_transpose1d)."""

    dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution layer: weight (in_channels, out_channels / groups, kH,
    kW), bias (out_channels,) unless bias=False; input (N, C_in, H, W) or (C_in, H, W).
    Arguments, forward(input, output_size=None) and default initialisation as
    torch.nn.ConvTranspose2d (see conv_transpose2d)."""

    dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution layer: weight (in_channels, out_channels / groups, kD,
    kH, kW), bias (out_channels,) unless bias=False; input (N, C_in, D, H, W) or (C_in,
    D, H, W). Arguments, forward(input, output_size=None) and default initialisation as
    torch.nn.ConvTranspose3d (see conv_transpose3d)."""

    dims = 3


class Unfold(Module):
    """unfold as a layer: the sliding blocks of input (N, C, H, W) or (C, H, W) as
    columns (N, C * K, L). Arguments as torch.nn.Unfold, checked here and kept as given."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        _block_geometry(kernel_size, dilation, padding, stride, type(self).__name__)
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input):
        return _unfold(input, self.kernel_size, self.dilation, self.padding, self.stride,
                       type(self).__name__)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """fold as a layer: columns of sliding blocks (N, C * K, L) or (C * K, L) summed
    back into (N, C, *output_size) or (C, *output_size). Arguments as torch.nn.Fold,
    checked here and kept as given."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        name = type(self).__name__
        _block_geometry(kernel_size, dilation, padding, stride, name)
        _int_tuple(output_size, 2, "output_size", name, 1)
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return _fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                     self.stride, type(self).__name__)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
