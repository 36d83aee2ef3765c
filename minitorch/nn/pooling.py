"""Pooling over 1-D, 2-D and 3-D inputs: max, average and power-average (LP) pooling, their
adaptive forms, max unpooling, fractional max pooling, and their functional forms, with
torch.nn's names, arguments, output shapes and results.

Built as convolution is (nn/conv.py), from tensor ops only:

- fixed windows: the input is padded (max pooling pads with -inf, so padding never
  wins), one gather lays each window's elements out along a last dim of size K, and a
  pooling is a max or a mean over it. With ceil_mode, the padding after each dim grows
  by what the last, partial window hangs past it. max(dim)'s backward sends a window's
  gradient to its first maximum, as PyTorch's max pooling does, and its argmax gives
  return_indices; the gather's backward adds overlapping windows' gradients up.
- adaptive windows (start floor(i * in / out), end ceil((i + 1) * in / out)) vary in
  size. Their average is separable: one matmul per spatial dim with a host-made
  averaging matrix. Their max gathers windows of the largest size, a window's positions
  past its end repeating its last element, which changes neither the max nor which
  element is first to reach it.
- max unpooling scatters each value to the position its index names in a zero plane;
  its backward gathers, as PyTorch's.
- fractional max pooling places fixed-size windows at pseudo-random starts, one
  placement per plane drawn from its samples in [0, 1) as PyTorch computes it (on the
  host, in the samples' precision); one gather per plane's windows, then a max.
"""
import math
from typing import NamedTuple

import numpy as np

from .. import creation, functions
from ..dtype import int64
from ..layout import contiguous_strides, format_shape
from ..tensor import Tensor
from .conv import (_check_fits, _check_floating, _check_input_rank, _int_tuple,
                   _output_sizes, _padded, _spatial_positions, cached_positions)
from .module import Module


# ---- geometry ---------------------------------------------------------------------------

class _Geometry(NamedTuple):
    """A pooling's per-dim kernel, stride, padding and dilation, as tuples of ints."""
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple


def _pool_geometry(kernel_size, stride, padding, dilation, dims, op_name):
    """The checked _Geometry of a `dims`-D pooling; stride None means kernel_size.
    PyTorch's limit applies: padding at most half the (dilated) kernel."""
    kernel = _int_tuple(kernel_size, dims, "kernel_size", op_name, 1)
    stride = kernel if stride is None else _int_tuple(stride, dims, "stride", op_name, 1)
    padding = _int_tuple(padding, dims, "padding", op_name, 0)
    dilation = _int_tuple(dilation, dims, "dilation", op_name, 1)
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise ValueError(f"{op_name}: padding {padding} must be at most half of the "
                             f"(dilated) kernel size {kernel}")
    return _Geometry(kernel, stride, padding, dilation)


def _window_pads(spatial, geometry, ceil_mode):
    """((before, after) per spatial dim): `padding` on both sides; with ceil_mode, after
    it as much more as the last window needs, as PyTorch counts windows: the division
    rounds up, but a window may not start past the input and its left padding."""
    pads = []
    for size, k, s, p, d in zip(spatial, *geometry):
        reach = d * (k - 1) + 1
        count = (size + 2 * p - reach + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= size + p:
            count -= 1
        extra = max(0, (count - 1) * s + reach - size - 2 * p) if count > 0 else 0
        pads.append((p, p + extra))
    return tuple(pads)


def _in_planes(shape, within):
    """Positions in a contiguous (N, C, *spatial) tensor of `shape` of within[l, k] (a
    position in one plane) in every plane: (N, C, L, K)."""
    planes = np.arange(shape[0] * shape[1]).reshape(shape[0], shape[1], 1, 1)
    return planes * math.prod(shape[2:]) + within


@cached_positions
def _pooling_positions(shape, kernel, stride, dilation):
    """Gather positions in a contiguous padded input of `shape` (N, C, *spatial) that lay
    its windows out as (N, C, L, K): element k of window l of each plane."""
    return _in_planes(shape, _spatial_positions(shape[2:], kernel, stride, dilation).T)


class _Windows(NamedTuple):
    """What _pool_windows returns."""
    values: object     # (N, C, L, K) tensor: element k of window l
    outputs: tuple     # the output's spatial sizes (L is their product)
    pads: tuple        # (before, after) per spatial dim, ceil_mode's extra included
    batched: bool


def _check_poolable(input, op_name):
    """Max and average pooling take floating-point and int64 inputs, as torch's."""
    if input.dtype is not int64:
        _check_floating(input, op_name)


def _pool_windows(input, geometry, ceil_mode, fill, op_name):
    """The windows of a pooling with `geometry` of input (N, C, *spatial) or (C,
    *spatial), padded with `fill`; every argument is checked first."""
    kernel, stride, _, dilation = geometry
    _check_poolable(input, op_name)
    batched = _check_input_rank(input, len(kernel), op_name)
    pads = _window_pads(input.shape[-len(kernel):], geometry, ceil_mode)
    _check_fits(input, pads, kernel, dilation, op_name)
    x = _padded(input if batched else input.unsqueeze(0), pads, value=fill)
    values = x.reshape(-1)[_pooling_positions(x.shape, kernel, stride, dilation)]
    return _Windows(values, _output_sizes(x.shape[2:], kernel, stride, dilation), pads,
                    batched)


def _pooled(values, outputs, batched):
    """Pooled values (N, C, L) as (N, C, *outputs), or (C, *outputs) when unbatched."""
    result = values.reshape(values.shape[:2] + outputs)
    return result if batched else result.squeeze(0)


def _looked_up(table, chosen):
    """table[l, chosen[n, c, l]]: for each window l, the entry of the host table (L, K)
    int64 at the window element chosen (an (N, C, L) int64 tensor)."""
    table = creation.tensor(table[None, None], backend=chosen.backend)
    return functions.take_along_dim(table, chosen.unsqueeze(-1), -1).squeeze(-1)


# ---- max pooling ------------------------------------------------------------------------

@cached_positions
def _input_indices(spatial, kernel, stride, dilation, pads):
    """(L, K) int64: the flat position in an input plane of shape `spatial` of element k
    of window l, the plane padded by `pads`. A padding element gets the position of its
    window's first input element, where PyTorch's max pooling starts, so that a window
    of -inf values reports an input position as PyTorch's does."""
    plane = np.pad(np.arange(math.prod(spatial)).reshape(spatial), pads, constant_values=-1)
    within = plane.reshape(-1)[_spatial_positions(plane.shape, kernel, stride, dilation)].T
    first_inside = within[np.arange(len(within)), (within >= 0).argmax(1)]
    return np.where(within >= 0, within, first_inside[:, None])


def _max_pool(input, geometry, ceil_mode, return_indices, op_name):
    lowest = -math.inf if input.dtype.is_floating_point else int(np.iinfo(np.int64).min)
    windows = _pool_windows(input, geometry, ceil_mode, lowest, op_name)
    values, chosen = windows.values.max(-1)
    result = _pooled(values, windows.outputs, windows.batched)
    if not return_indices:
        return result
    kernel, stride, _, dilation = geometry
    table = _input_indices(input.shape[-len(kernel):], kernel, stride, dilation, windows.pads)
    return result, _pooled(_looked_up(table, chosen), windows.outputs, windows.batched)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each window of input (N, C, L) or (C, L), as torch's
    max_pool1d: see max_pool2d (an int64 input only with return_indices, as torch)."""
    if not return_indices:
        _check_floating(input, "max_pool1d")
    geometry = _pool_geometry(kernel_size, stride, padding, dilation, 1, "max_pool1d")
    return _max_pool(input, geometry, ceil_mode, return_indices, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each kernel_size window of input (N, C, H, W) or (C, H, W),
    as torch's max_pool2d: stride defaults to kernel_size; padding (at most half the
    dilated kernel) is -inf, so it never wins; ceil_mode keeps a last partial window
    when it starts inside the input or its left padding. With return_indices, also the
    flat position (h * W + w, int64) of each maximum in its input plane. The gradient of
    each window goes to its first maximum in row-major order (to its nan if it has one),
    as PyTorch's; overlapping windows add up. (Only a window whose input values are all
    -inf differs: its gradient goes to the padding, PyTorch's to its first input
    element.) An int64 input pools as torch's, with the lowest int64 as padding."""
    geometry = _pool_geometry(kernel_size, stride, padding, dilation, 2, "max_pool2d")
    return _max_pool(input, geometry, ceil_mode, return_indices, "max_pool2d")



def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each window of input (N, C, D, H, W) or (C, D, H, W), as
    torch's max_pool3d: see max_pool2d (indices are d * H * W + h * W + w)."""
    geometry = _pool_geometry(kernel_size, stride, padding, dilation, 3, "max_pool3d")
    return _max_pool(input, geometry, ceil_mode, return_indices, "max_pool3d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool1d(..., return_indices=True): (values, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool2d(..., return_indices=True): (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool3d(..., return_indices=True): (values, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ---- average pooling --------------------------------------------------------------------

@cached_positions
def _window_counts(spatial, kernel, stride, pads, count_padding):
    """(L,) float64: PyTorch's divisor of each window over a block of shape `spatial`
    padded by `pads`: how many of its elements are input, or, with count_padding, input
    or padding; never the extra padding ceil_mode adds."""
    counted = np.pad(np.ones(spatial), [(before, before) for before, _ in pads],
                     constant_values=1.0 if count_padding else 0.0)
    counted = np.pad(counted, [(0, after - before) for before, after in pads])
    positions = _spatial_positions(counted.shape, kernel, stride, (1,) * len(kernel))
    return counted.reshape(-1)[positions].sum(0)


def _check_divisor(divisor_override, op_name):
    if divisor_override is not None and (not isinstance(divisor_override, int) or
                                         isinstance(divisor_override, bool) or
                                         divisor_override == 0):
        raise ValueError(f"{op_name}: divisor_override must be a non-zero int, got "
                         f"{divisor_override!r}")


def _divided(sums, divisors):
    """sums / divisors (an int, or a tensor of positive counts); int64 sums divide as in
    torch's integer pooling, truncating toward zero."""
    if sums.dtype.is_floating_point:
        return sums / divisors
    quotient = sums.abs() // abs(divisors)
    return functions.where((sums < 0) ^ (divisors < 0), -quotient, quotient)


def _avg_pool(input, geometry, ceil_mode, count_include_pad, divisor_override, op_name):
    _check_divisor(divisor_override, op_name)
    windows = _pool_windows(input, geometry, ceil_mode, 0, op_name)
    if divisor_override is not None:
        values = _divided(windows.values.sum(-1), divisor_override)
    else:
        kernel, stride = geometry.kernel, geometry.stride
        counts = _window_counts(input.shape[-len(kernel):], kernel, stride, windows.pads,
                                bool(count_include_pad))
        if input.dtype.is_floating_point and (counts == math.prod(kernel)).all():
            values = windows.values.mean(-1)
        else:
            values = _divided(windows.values.sum(-1), creation.tensor(
                counts, dtype=input.dtype, backend=input.backend))
    return _pooled(values, windows.outputs, windows.batched)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window of input (N, C, L) or (C, L), as torch's avg_pool1d: see
    avg_pool2d."""
    geometry = _pool_geometry(kernel_size, stride, padding, 1, 1, "avg_pool1d")
    return _avg_pool(input, geometry, ceil_mode, count_include_pad, None, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each kernel_size window of input (N, C, H, W) or (C, H, W), as torch's
    avg_pool2d: stride defaults to kernel_size; the zero padding (at most half the
    kernel) counts in the mean with count_include_pad=True, not with False;
    divisor_override (a non-zero int) replaces the divisor. ceil_mode keeps a last
    partial window when it starts inside the input or its left padding; what it hangs
    past the padding never counts."""
    geometry = _pool_geometry(kernel_size, stride, padding, 1, 2, "avg_pool2d")
    return _avg_pool(input, geometry, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window of input (N, C, D, H, W) or (C, D, H, W), as torch's
    avg_pool3d: see avg_pool2d."""
    geometry = _pool_geometry(kernel_size, stride, padding, 1, 3, "avg_pool3d")
    return _avg_pool(input, geometry, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool3d")


# ---- power-average pooling --------------------------------------------------------------

def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, dims, op_name):
    """PyTorch's power-average pooling: (sum of x ** p over each window) ** (1 / p),
    composed as PyTorch composes it (an average pool times the kernel size, negative
    averages clamped to 0); p = inf is the max of |x|, -inf the min."""
    if not isinstance(norm_type, (int, float)) or isinstance(norm_type, bool) or \
            norm_type == 0 or math.isnan(norm_type):
        raise ValueError(f"{op_name}: norm_type must be a non-zero number, got "
                         f"{norm_type!r}")
    geometry = _pool_geometry(kernel_size, stride, 0, 1, dims, op_name)
    if norm_type == math.inf:
        return _max_pool(input.abs(), geometry, ceil_mode, False, op_name)
    if norm_type == -math.inf:
        return -_max_pool(-input.abs(), geometry, ceil_mode, False, op_name)
    average = _avg_pool(input.pow(norm_type), geometry, ceil_mode, True, None, op_name)
    clamped = average.sign() * functions.relu(average.abs())
    return (clamped * math.prod(geometry.kernel)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling of input (N, C, L) or (C, L), as torch's lp_pool1d: each
    window's (sum of x ** norm_type) ** (1 / norm_type); stride defaults to kernel_size;
    no padding."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, "lp_pool1d")


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling of input (N, C, H, W) or (C, H, W), as torch's lp_pool2d:
    each window's (sum of x ** norm_type) ** (1 / norm_type); stride defaults to
    kernel_size; no padding."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, "lp_pool2d")


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling of input (N, C, D, H, W) or (C, D, H, W), as torch's
    lp_pool3d: see lp_pool2d."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, "lp_pool3d")


# ---- adaptive pooling -------------------------------------------------------------------

def _output_size_tuple(output_size, dims, op_name):
    """output_size (an int, or `dims` entries each a positive int or None) as a tuple."""
    items = (output_size,) * dims if isinstance(output_size, int) else output_size
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or len(items) != dims or not all(
            item is None or isinstance(item, int) and not isinstance(item, bool) and item > 0
            for item in items):
        raise ValueError(f"{op_name}: output_size must be an int or a tuple of {dims} "
                         f"entries, each a positive int or None, got {output_size!r}")
    return items


def _adaptive_input(input, output_size, dims, op_name):
    """(batched, spatial sizes, output sizes) of an adaptive pooling of input, checked;
    a None output size keeps the input's."""
    _check_floating(input, op_name)
    batched = _check_input_rank(input, dims, op_name)
    outputs = _output_size_tuple(output_size, dims, op_name)
    spatial = input.shape[-dims:]
    if 0 in spatial:
        raise ValueError(f"{op_name}: input {format_shape(input.shape)} has an empty "
                         "spatial dim")
    return batched, spatial, tuple(size if output is None else output
                                   for size, output in zip(spatial, outputs))


def _adaptive_bounds(size, output):
    """(starts, ends) of the `output` adaptive windows over `size` elements, as PyTorch."""
    i = np.arange(output)
    return i * size // output, -(-(i + 1) * size // output)


@cached_positions
def _averaging_matrix(size, output):
    """(output, size) float64: row i averages the input positions of adaptive window i."""
    starts, ends = _adaptive_bounds(size, output)
    columns = np.arange(size)
    inside = (columns >= starts[:, None]) & (columns < ends[:, None])
    return inside / (ends - starts)[:, None]


def _adaptive_avg_pool(input, output_size, dims, op_name):
    _, spatial, outputs = _adaptive_input(input, output_size, dims, op_name)
    result = input
    for dim, size, output in zip(range(input.ndim - dims, input.ndim), spatial, outputs):
        matrix = creation.tensor(_averaging_matrix(size, output), dtype=input.dtype,
                                 backend=input.backend)
        result = (result.movedim(dim, -1) @ matrix.T).movedim(-1, dim)
    return result


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of input (N, C, L) or (C, L) to output_size windows, as torch's
    adaptive_avg_pool1d: window i spans [floor(i * L / out), ceil((i + 1) * L / out))."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of input (N, C, H, W) or (C, H, W) to output_size (an int or a
    pair; None keeps that input size), as torch's adaptive_avg_pool2d: along each dim,
    window i spans [floor(i * in / out), ceil((i + 1) * in / out))."""
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    """Average pooling of input (N, C, D, H, W) or (C, D, H, W) to output_size, as
    torch's adaptive_avg_pool3d: see adaptive_avg_pool2d."""
    return _adaptive_avg_pool(input, output_size, 3, "adaptive_avg_pool3d")


@cached_positions
def _adaptive_positions(spatial, outputs):
    """(L, K) int64: the flat position in a plane of shape `spatial` of element k of
    adaptive window l, K the largest window's size; along each dim, a window's positions
    past its end repeat its last one (an element that came earlier in row-major order)."""
    within = np.zeros((1, 1), np.int64)   # built one dim at a time
    for size, output, step in zip(spatial, outputs, contiguous_strides(spatial)):
        starts, ends = _adaptive_bounds(size, output)
        offsets = np.arange((ends - starts).max())
        along = np.minimum(starts[:, None] + offsets, ends[:, None] - 1) * step
        within = (within[:, None, :, None] + along[None, :, None, :]).reshape(
            len(within) * output, -1)
    return within


def _adaptive_max_pool(input, output_size, return_indices, dims, op_name):
    batched, spatial, outputs = _adaptive_input(input, output_size, dims, op_name)
    x = input if batched else input.unsqueeze(0)
    within = _adaptive_positions(spatial, outputs)
    values, chosen = x.reshape(-1)[_in_planes(x.shape, within)].max(-1)
    result = _pooled(values, outputs, batched)
    if not return_indices:
        return result
    return result, _pooled(_looked_up(within, chosen), outputs, batched)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of input (N, C, L) or (C, L) to output_size windows, as torch's
    adaptive_max_pool1d (windows as adaptive_avg_pool1d's); with return_indices, also
    each maximum's position in its input plane (int64)."""
    return _adaptive_max_pool(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of input (N, C, H, W) or (C, H, W) to output_size (an int or a pair;
    None keeps that input size), as torch's adaptive_max_pool2d (windows as
    adaptive_avg_pool2d's); with return_indices, also each maximum's flat position
    h * W + w in its input plane (int64). The gradient goes to each window's first
    maximum."""
    return _adaptive_max_pool(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of input (N, C, D, H, W) or (C, D, H, W) to output_size, as torch's
    adaptive_max_pool3d: see adaptive_max_pool2d."""
    return _adaptive_max_pool(input, output_size, return_indices, 3, "adaptive_max_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool1d(..., return_indices=True): (values, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool2d(..., return_indices=True): (values, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool3d(..., return_indices=True): (values, indices)."""
    return adaptive_max_pool3d(input, output_size, True)


# ---- max unpooling ----------------------------------------------------------------------

def _unpool_output_sizes(input, kernel, stride, padding, output_size, op_name):
    """The spatial sizes of max unpooling's output: (in - 1) * stride - 2 * padding +
    kernel, or output_size (spatial sizes, or with N and C first), each within one
    stride of that, as PyTorch."""
    dims = len(kernel)
    defaults = tuple((size - 1) * s - 2 * p + k for size, k, s, p in
                     zip(input.shape[-dims:], kernel, stride, padding))
    if output_size is None:
        return defaults
    sizes = tuple(output_size)
    sizes = sizes[2:] if len(sizes) == dims + 2 else sizes
    if len(sizes) != dims or not all(isinstance(size, int) for size in sizes):
        raise ValueError(f"{op_name}: output_size must hold {dims} or {dims + 2} ints, got "
                         f"{output_size!r}")
    for d, (size, default, s) in enumerate(zip(sizes, defaults, stride)):
        if not default - s < size < default + s:
            raise ValueError(f"{op_name}: output_size {output_size!r} is invalid: dim {d} "
                             f"must be between {default - s} and {default + s}, "
                             "exclusive")
    return sizes


def _unpool_arguments(kernel_size, stride, padding, dims, op_name):
    """(kernel, stride, padding) of a max unpooling as tuples of `dims` ints; stride None
    means kernel_size."""
    kernel = _int_tuple(kernel_size, dims, "kernel_size", op_name, 1)
    stride = kernel if stride is None else _int_tuple(stride, dims, "stride", op_name, 1)
    return kernel, stride, _int_tuple(padding, dims, "padding", op_name, 0)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, dims, op_name):
    kernel, stride, padding = _unpool_arguments(kernel_size, stride, padding, dims, op_name)
    batched = _check_input_rank(input, dims, op_name)
    if not isinstance(indices, Tensor) or indices.dtype is not int64:
        found = indices.dtype.name if isinstance(indices, Tensor) else type(indices).__name__
        raise TypeError(f"{op_name}: indices must be an int64 tensor, got {found}")
    if indices.shape != input.shape:
        raise ValueError(f"{op_name}: indices {format_shape(indices.shape)} must have the "
                         f"shape of input {format_shape(input.shape)}")
    outputs = _unpool_output_sizes(input, kernel, stride, padding, output_size, op_name)
    plane = math.prod(outputs)
    low, high = (indices.min().item(), indices.max().item()) if indices.numel() else (0, 0)
    if low < 0 or high >= plane:
        raise IndexError(f"{op_name}: indices must lie in [0, {plane}), the output plane "
                         f"{format_shape(outputs)}, got values in [{low}, {high}]")
    x, where = (input, indices) if batched else (input.unsqueeze(0), indices.unsqueeze(0))
    batch, channels = x.shape[:2]
    zeros = creation.zeros(batch, channels, plane, dtype=input.dtype, backend=input.backend)
    result = zeros.scatter(-1, where.reshape(batch, channels, -1),
                           x.reshape(batch, channels, -1))
    return _pooled(result, outputs, batched)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool1d as far as it goes, as torch's max_unpool1d: zeros of
    length output_size (default (L - 1) * stride - 2 * padding + kernel_size) with each
    value of input (N, C, L) or (C, L) at the position its index (from max_pool1d's
    return_indices) names. Where indices repeat, which value lands is unspecified."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1,
                       "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool2d as far as it goes, as torch's max_unpool2d: zero planes
    of output_size (default (in - 1) * stride - 2 * padding + kernel_size per dim) with
    each value of input (N, C, H, W) or (C, H, W) at the flat position its index (from
    max_pool2d's return_indices) names. Where indices repeat, which value lands is
    unspecified. The gradient of each value is the output gradient at its position."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2,
                       "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool3d as far as it goes, as torch's max_unpool3d: see
    max_unpool2d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3,
                       "max_unpool3d")


# ---- layers -----------------------------------------------------------------------------

class _MaxPoolNd(Module):
    """What MaxPool1d and MaxPool2d share (torch.nn's arguments, kept as given); `dims`
    is set by each."""

    dims = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        self._geometry()   # checked now

    def _geometry(self):
        return _pool_geometry(self.kernel_size, self.stride, self.padding, self.dilation,
                              self.dims, type(self).__name__)

    def forward(self, input):
        return _max_pool(input, self._geometry(), self.ceil_mode, self.return_indices,
                         type(self).__name__)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding="
                f"{self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """max_pool1d as a layer, with torch.nn.MaxPool1d's arguments; input (N, C, L) or
    (C, L); with return_indices=True it returns (values, indices)."""

    dims = 1


class MaxPool2d(_MaxPoolNd):
    """max_pool2d as a layer, with torch.nn.MaxPool2d's arguments; input (N, C, H, W) or
    (C, H, W); with return_indices=True it returns (values, indices)."""

    dims = 2


class MaxPool3d(_MaxPoolNd):
    """max_pool3d as a layer, with torch.nn.MaxPool3d's arguments; input (N, C, D, H, W)
    or (C, D, H, W); with return_indices=True it returns (values, indices)."""

    dims = 3


class _AvgPoolNd(Module):
    """avg pooling as a layer, with torch.nn.AvgPool2d's and AvgPool3d's arguments (kept
    as given); `dims` is set by each subclass."""

    dims = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        _check_divisor(divisor_override, type(self).__name__)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        self._geometry()   # checked now

    def _geometry(self):
        return _pool_geometry(self.kernel_size, self.stride, self.padding, 1, self.dims,
                              type(self).__name__)

    def forward(self, input):
        return _avg_pool(input, self._geometry(), self.ceil_mode, self.count_include_pad,
                         self.divisor_override, type(self).__name__)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """avg_pool1d as a layer, with torch.nn.AvgPool1d's arguments (no divisor_override;
    kept as 1-tuples, as torch keeps them); input (N, C, L) or (C, L)."""

    dims = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        kernel = _int_tuple(kernel_size, 1, "kernel_size", "AvgPool1d", 1)
        stride = kernel if stride is None else _int_tuple(stride, 1, "stride", "AvgPool1d", 1)
        padding = _int_tuple(padding, 1, "padding", "AvgPool1d", 0)
        super().__init__(kernel, stride, padding, ceil_mode, count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """avg_pool2d as a layer; input (N, C, H, W) or (C, H, W)."""

    dims = 2


class AvgPool3d(_AvgPoolNd):
    """avg_pool3d as a layer; input (N, C, D, H, W) or (C, D, H, W)."""

    dims = 3


class _LPPoolNd(Module):
    """What LPPool1d and LPPool2d share (stride kept as given, None included, as torch
    keeps it); `dims` is set by each."""

    dims = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride = norm_type, kernel_size, stride
        self.ceil_mode = ceil_mode
        _pool_geometry(kernel_size, stride, 0, 1, self.dims, type(self).__name__)

    def forward(self, input):
        return _lp_pool(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode,
                        self.dims, type(self).__name__)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """lp_pool1d as a layer, with torch.nn.LPPool1d's arguments; input (N, C, L) or
    (C, L)."""

    dims = 1


class LPPool2d(_LPPoolNd):
    """lp_pool2d as a layer, with torch.nn.LPPool2d's arguments; input (N, C, H, W) or
    (C, H, W)."""

    dims = 2


class LPPool3d(_LPPoolNd):
    """lp_pool3d as a layer, with torch.nn.LPPool3d's arguments; input (N, C, D, H, W)
    or (C, D, H, W)."""

    dims = 3


class _AdaptivePoolNd(Module):
    """What the adaptive pooling layers share: output_size, checked and kept as given;
    `dims` is set by each."""

    dims = None

    def __init__(self, output_size):
        super().__init__()
        _output_size_tuple(output_size, self.dims, type(self).__name__)
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class _AdaptiveAvgPoolNd(_AdaptivePoolNd):
    """Adaptive average pooling as a layer."""

    def forward(self, input):
        return _adaptive_avg_pool(input, self.output_size, self.dims, type(self).__name__)


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """adaptive_avg_pool1d as a layer: (N, C, L) or (C, L) to output_size windows."""

    dims = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """adaptive_avg_pool2d as a layer: (N, C, H, W) or (C, H, W) to output_size (an int,
    or a pair whose None entries keep that input size)."""

    dims = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """adaptive_avg_pool3d as a layer: (N, C, D, H, W) or (C, D, H, W) to output_size."""

    dims = 3


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    """Adaptive max pooling as a layer, returning (values, indices) with return_indices."""

    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return _adaptive_max_pool(input, self.output_size, self.return_indices, self.dims,
                                  type(self).__name__)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """adaptive_max_pool1d as a layer; with return_indices=True it returns (values,
    indices)."""

    dims = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """adaptive_max_pool2d as a layer; with return_indices=True it returns (values,
    indices)."""

    dims = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """adaptive_max_pool3d as a layer; with return_indices=True it returns (values,
    indices)."""

    dims = 3


class _MaxUnpoolNd(Module):
    """What MaxUnpool1d and MaxUnpool2d share (arguments kept as tuples, as torch keeps
    them); `dims` is set by each."""

    dims = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = _unpool_arguments(
            kernel_size, stride, padding, self.dims, type(self).__name__)

    def forward(self, input, indices, output_size=None):
        return _max_unpool(input, indices, self.kernel_size, self.stride, self.padding,
                           output_size, self.dims, type(self).__name__)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """max_unpool1d as a layer: forward(input, indices, output_size=None)."""

    dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """max_unpool2d as a layer: forward(input, indices, output_size=None)."""

    dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """max_unpool3d as a layer: forward(input, indices, output_size=None)."""

    dims = 3


# ---- fractional max pooling -------------------------------------------------------------

def _fractional_ratios(output_ratio, dims, op_name):
    """output_ratio (a number, or `dims` numbers) as a tuple, each in (0, 1)."""
    ratios = (output_ratio,) * dims if isinstance(output_ratio, (int, float)) \
        else tuple(output_ratio)
    if len(ratios) != dims or not all(0 < ratio < 1 for ratio in ratios):
        raise ValueError(f"{op_name}: output_ratio must be a number or {dims} numbers, "
                         f"each between 0 and 1, got {output_ratio!r}")
    return ratios


def _fractional_output_sizes(spatial, kernel, output_size, output_ratio, op_name):
    """The output size of each spatial dim: output_size, or int(size * ratio) from
    output_ratio (exactly one of them given); each window must fit in the input."""
    dims = len(spatial)
    if (output_size is None) == (output_ratio is None):
        raise ValueError(f"{op_name}: give exactly one of output_size and output_ratio")
    if output_size is not None:
        outputs = _int_tuple(output_size, dims, "output_size", op_name, 1)
    else:
        outputs = tuple(int(size * ratio) for size, ratio in
                        zip(spatial, _fractional_ratios(output_ratio, dims, op_name)))
    for size, window, output in zip(spatial, kernel, outputs):
        if output + window - 1 > size:
            raise ValueError(f"{op_name}: {output} windows of size {window} do not fit in "
                             f"an input of size {size} (need output_size + kernel_size - 1 "
                             f"<= input size)")
    return outputs


def _fractional_starts(samples, size, window, output):
    """(..., output) int64: where each window starts along a dim, from each plane's
    sample u in [0, 1) as torch computes it, in the samples' precision: with
    alpha = (size - window) / (output - 1), start i = int((i + u) * alpha) - int(u * alpha),
    and the last window ends at the input's end."""
    starts = np.empty(samples.shape + (output,), np.int64)
    if output > 1:
        alpha = samples.dtype.type(size - window) / samples.dtype.type(output - 1)
        steps = np.arange(output - 1, dtype=samples.dtype)
        starts[..., :-1] = ((steps + samples[..., None]) * alpha).astype(np.int64) - \
            (samples * alpha).astype(np.int64)[..., None]
    starts[..., -1] = size - window
    return starts


def _fractional_positions(samples, spatial, kernel, outputs):
    """(N, C, L, K) int64: the flat position in a plane of element k of window l, for
    each plane's samples (N, C, dims) (dim d's sample is entry dims - 1 - d for 2-D, as
    torch's W-first order, and entry d for 3-D)."""
    dims = len(spatial)
    order = range(dims - 1, -1, -1) if dims == 2 else range(dims)
    positions = np.zeros(samples.shape[:2] + (1, 1), np.int64)   # built one dim at a time
    for d, entry in enumerate(order):
        starts = _fractional_starts(samples[..., entry], spatial[d], kernel[d], outputs[d])
        along = (starts[..., None] + np.arange(kernel[d])) * contiguous_strides(spatial)[d]
        positions = (positions[:, :, :, None, :, None] + along[:, :, None, :, None, :])
        positions = positions.reshape(samples.shape[:2] + (-1, positions.shape[-1]
                                                             * positions.shape[-2]))
    return positions


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                         random_samples, dims, op_name):
    _check_floating(input, op_name)
    batched = _check_input_rank(input, dims, op_name)
    x = input if batched else input.unsqueeze(0)
    spatial = x.shape[2:]
    kernel = _int_tuple(kernel_size, dims, "kernel_size", op_name, 1)
    outputs = _fractional_output_sizes(spatial, kernel, output_size, output_ratio, op_name)
    if random_samples is None:
        random_samples = creation.rand(x.shape[:2] + (dims,), dtype=x.dtype, backend=x.backend)
    if tuple(random_samples.shape) != x.shape[:2] + (dims,):
        raise ValueError(f"{op_name}: _random_samples must be "
                         f"{format_shape(x.shape[:2] + (dims,))} (N, C, {dims}), got "
                         f"{format_shape(random_samples.shape)}")
    samples = random_samples.detach().to(x.dtype).numpy()
    positions = _fractional_positions(samples, spatial, kernel, outputs)
    table = creation.tensor(positions, backend=x.backend)
    planes = x.reshape(x.shape[0], x.shape[1], -1)
    windows = planes.gather(2, table.reshape(table.shape[0], table.shape[1], -1))
    values, chosen = windows.reshape(positions.shape).max(-1)
    result = _pooled(values, outputs, batched)
    if not return_indices:
        return result
    indices = functions.take_along_dim(table, chosen.unsqueeze(-1), -1).squeeze(-1)
    return result, _pooled(indices, outputs, batched)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """torch.nn.functional.fractional_max_pool2d: max pooling of input (N, C, H, W) or
    (C, H, W) over kernel_size windows placed pseudo-randomly (Graham's fractional
    pooling) so that there are output_size of them (or int(size * output_ratio)) per
    dim. _random_samples (N, C, 2) in [0, 1), one pair per plane (N = 1 unbatched),
    fixes the placement (drawn from minitorch's generator when None); with
    return_indices, also the flat position in its plane of each maximum."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples, 2, "fractional_max_pool2d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """fractional_max_pool2d over 3 spatial dims: input (N, C, D, H, W) or (C, D, H, W),
    _random_samples (N, C, 3)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples, 3, "fractional_max_pool3d")


class _FractionalMaxPoolNd(Module):
    """What FractionalMaxPool2d and 3d share: torch.nn's arguments, kernel_size and the
    output size or ratio as tuples, _random_samples a buffer (when given)."""

    dims = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices=False, _random_samples=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _int_tuple(kernel_size, self.dims, "kernel_size", name, 1)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = None if output_size is None else _int_tuple(
            output_size, self.dims, "output_size", name, 1)
        self.output_ratio = None if output_ratio is None else _fractional_ratios(
            output_ratio, self.dims, name)
        if (output_size is None) == (output_ratio is None):
            raise ValueError(f"{name}: give exactly one of output_size and output_ratio")

    def forward(self, input):
        return _fractional_max_pool(input, self.kernel_size, self.output_size,
                                    self.output_ratio, self.return_indices,
                                    self._random_samples, self.dims, type(self).__name__)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """fractional_max_pool2d as a layer; with return_indices=True it returns (values,
    indices)."""

    dims = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """fractional_max_pool3d as a layer; with return_indices=True it returns (values,
    indices)."""

    dims = 3
