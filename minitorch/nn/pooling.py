"""Pooling: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d and their functional forms, with
torch.nn's names, arguments and results.

Built as convolution is (nn/conv.py): the input is padded (max pooling pads with -inf),
one gather lays each window's elements out along a last dim of size K, and a pooling is
a max or mean over it. max(dim)'s backward sends each window's gradient to its first
maximum, as PyTorch's max pooling does; the gather's backward adds overlapping windows'
gradients up.
"""
import math

import numpy as np

from .. import creation
from .conv import (_check_fits, _check_floating, _check_input_rank, _int_tuple,
                   _output_sizes, _padded, _spatial_positions, cached_positions)
from .module import Module


@cached_positions
def _pooling_positions(shape, kernel, stride, dilation):
    """Gather positions in a contiguous padded input of `shape` (N, C, *spatial) that lay
    its windows out as (N, C, L, K): element k of window l of each plane."""
    within = _spatial_positions(shape[2:], kernel, stride, dilation)     # (K, L)
    planes = np.arange(shape[0] * shape[1]).reshape(shape[0], shape[1], 1, 1)
    return planes * math.prod(shape[2:]) + within.T[None, None]


def _pool_geometry(kernel_size, stride, padding, dilation, op_name):
    """(kernel, stride, padding, dilation) of a 2-D pooling as pairs of ints; stride None
    means kernel_size. PyTorch's limit applies: padding at most half the (dilated)
    kernel."""
    kernel = _int_tuple(kernel_size, 2, "kernel_size", op_name, 1)
    stride = kernel if stride is None else _int_tuple(stride, 2, "stride", op_name, 1)
    padding = _int_tuple(padding, 2, "padding", op_name, 0)
    dilation = _int_tuple(dilation, 2, "dilation", op_name, 1)
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise ValueError(f"{op_name}: padding {padding} must be at most half of the "
                             f"(dilated) kernel size {kernel}")
    return kernel, stride, padding, dilation


def _pool_windows(input, geometry, fill, op_name):
    """(windows (N, C, L, K), output spatial sizes, batched) of a 2-D pooling with
    `geometry` (from _pool_geometry) of input (N, C, H, W) or (C, H, W), padded with
    `fill`."""
    kernel, stride, padding, dilation = geometry
    _check_floating(input, op_name)
    batched = _check_input_rank(input, 2, op_name)
    pads = tuple((p, p) for p in padding)
    _check_fits(input, pads, kernel, dilation, op_name)
    x = _padded(input if batched else input.unsqueeze(0), pads, value=fill)
    windows = x.reshape(-1)[_pooling_positions(x.shape, kernel, stride, dilation)]
    return windows, _output_sizes(x.shape[2:], kernel, stride, dilation), batched


def _pooled(values, outputs, batched):
    """Pooled values (N, C, L) as (N, C, *outputs), or (C, *outputs) when unbatched."""
    result = values.reshape(values.shape[:2] + outputs)
    return result if batched else result.squeeze(0)


def _refuse(op_name, ceil_mode, return_indices=False):
    """NotImplementedError for the options of PyTorch's pooling not supported here."""
    for option, value in (("ceil_mode", ceil_mode), ("return_indices", return_indices)):
        if value:
            raise NotImplementedError(f"{op_name}: {option}=True is not supported")


def _max_pool(input, geometry, op_name):
    windows, outputs, batched = _pool_windows(input, geometry, -math.inf, op_name)
    return _pooled(windows.max(-1).values, outputs, batched)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each kernel_size window of input (N, C, H, W) or (C, H, W),
    as torch's max_pool2d: stride defaults to kernel_size; padding (at most half the
    kernel) is -inf, so it never wins. The gradient of each window goes to its first
    maximum in row-major order (to its nan if it has one), as PyTorch's; overlapping
    windows add up. (Only a window whose input values are all -inf differs: its
    gradient goes to the padding, PyTorch's to its first input element.) ceil_mode and
    return_indices are not supported."""
    _refuse("max_pool2d", ceil_mode, return_indices)
    geometry = _pool_geometry(kernel_size, stride, padding, dilation, "max_pool2d")
    return _max_pool(input, geometry, "max_pool2d")


@cached_positions
def _unpadded_counts(spatial, kernel, stride, padding):
    """(L,) float64: how many elements of each window over a block of shape `spatial`,
    padded by `padding` on both sides, are input rather than padding."""
    inside = np.pad(np.ones(spatial), [(p, p) for p in padding])
    positions = _spatial_positions(inside.shape, kernel, stride, (1,) * len(kernel))
    return inside.reshape(-1)[positions].sum(0)


def _check_divisor(divisor_override, op_name):
    if divisor_override is not None and (not isinstance(divisor_override, int) or
                                         isinstance(divisor_override, bool) or
                                         divisor_override == 0):
        raise ValueError(f"{op_name}: divisor_override must be a non-zero int, got "
                         f"{divisor_override!r}")


def _avg_pool(input, geometry, count_include_pad, divisor_override, op_name):
    windows, outputs, batched = _pool_windows(input, geometry, 0.0, op_name)
    kernel, stride, padding, _ = geometry
    if divisor_override is not None:
        values = windows.sum(-1) / divisor_override
    elif count_include_pad or not any(padding):
        values = windows.mean(-1)
    else:
        counts = _unpadded_counts(input.shape[-2:], kernel, stride, padding)
        values = windows.sum(-1) / creation.tensor(counts, dtype=input.dtype,
                                                   backend=input.backend)
    return _pooled(values, outputs, batched)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each kernel_size window of input (N, C, H, W) or (C, H, W), as torch's
    avg_pool2d: stride defaults to kernel_size; the zero padding (at most half the
    kernel) counts in the mean with count_include_pad=True, not with False;
    divisor_override (a non-zero int) replaces the divisor. ceil_mode is not supported."""
    _refuse("avg_pool2d", ceil_mode)
    _check_divisor(divisor_override, "avg_pool2d")
    geometry = _pool_geometry(kernel_size, stride, padding, 1, "avg_pool2d")
    return _avg_pool(input, geometry, count_include_pad, divisor_override, "avg_pool2d")


def _check_adaptive_output_size(output_size, op_name):
    """Only output_size 1 or (1, 1) is supported."""
    size = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size)
    if size != (1, 1):
        raise NotImplementedError(f"{op_name}: only output_size 1 or (1, 1) (global "
                                  f"average pooling) is supported, got {output_size!r}")


def _global_avg_pool(input, op_name):
    _check_floating(input, op_name)
    _check_input_rank(input, 2, op_name)
    return input.mean((-2, -1), keepdim=True)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size, as torch's adaptive_avg_pool2d; only
    output_size 1 or (1, 1) is supported: the mean of each (H, W) plane of input
    (N, C, H, W) or (C, H, W), kept as a 1 x 1 plane."""
    _check_adaptive_output_size(output_size, "adaptive_avg_pool2d")
    return _global_avg_pool(input, "adaptive_avg_pool2d")


class MaxPool2d(Module):
    """max_pool2d as a layer, with torch.nn.MaxPool2d's arguments (return_indices and
    ceil_mode: False only); stride defaults to kernel_size."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        _refuse("MaxPool2d", ceil_mode, return_indices)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        _pool_geometry(kernel_size, self.stride, padding, dilation, "MaxPool2d")

    def forward(self, input):
        geometry = _pool_geometry(self.kernel_size, self.stride, self.padding, self.dilation,
                                  "MaxPool2d")
        return _max_pool(input, geometry, "MaxPool2d")

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding="
                f"{self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """avg_pool2d as a layer, with torch.nn.AvgPool2d's arguments (ceil_mode: False
    only); stride defaults to kernel_size, count_include_pad to True."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        _refuse("AvgPool2d", ceil_mode)
        _check_divisor(divisor_override, "AvgPool2d")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        _pool_geometry(kernel_size, self.stride, padding, 1, "AvgPool2d")

    def forward(self, input):
        geometry = _pool_geometry(self.kernel_size, self.stride, self.padding, 1, "AvgPool2d")
        return _avg_pool(input, geometry, self.count_include_pad, self.divisor_override,
                         "AvgPool2d")

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """adaptive_avg_pool2d as a layer; only output_size 1 or (1, 1): global average
    pooling, (N, C, H, W) to (N, C, 1, 1)."""

    def __init__(self, output_size):
        super().__init__()
        _check_adaptive_output_size(output_size, "AdaptiveAvgPool2d")
        self.output_size = output_size

    def forward(self, input):
        return _global_avg_pool(input, "AdaptiveAvgPool2d")

    def extra_repr(self):
        return f"output_size={self.output_size}"
