"""Normalisation layers with torch.nn's names, arguments, buffers, state_dict keys and
reprs: batch (BatchNorm1d/2d/3d, batch_norm), instance (InstanceNorm1d/2d/3d,
instance_norm), group (GroupNorm, group_norm), root mean square (RMSNorm, rms_norm) and
local response (LocalResponseNorm, local_response_norm). LayerNorm and layer_norm live in
layers.py and functional.py.

Built from tensor ops (mean, multiply, rsqrt, pad), so every one runs and differentiates
on every backend. Batch and instance norm share one path: both standardise with the
mean and biased variance over some dims (batch norm: every dim but the channel's;
instance norm: the spatial dims of each sample), and both can keep running statistics
(buffers) that move towards the per-channel mean and unbiased variance by `momentum`
while training and replace the input's statistics in eval mode.
"""
import warnings

import numpy as np

from .. import creation, functions
from ..autograd import Function, no_grad
from ..dtype import int64
from ..layout import format_shape
from . import functional as F   # (functional imports this module: use F at call time)
from . import init
from .conv import _check_floating
from .module import Module
from .parameter import Parameter


# ---- checks and shared computation ------------------------------------------------------

def _check_channels_first(input, per_channel, op_name):
    """Raise, naming op_name and the shapes, unless input is floating point (N, C, *)
    and each tensor of `per_channel` (name -> tensor or None) is (C,) of input's dtype
    and backend."""
    _check_floating(input, op_name)
    if input.ndim < 2:
        raise ValueError(f"{op_name}: expected input (N, C, *) with at least 2 dims, got "
                         f"{format_shape(input.shape)}")
    channels = input.shape[1]
    for name, tensor in per_channel.items():
        if tensor is None:
            continue
        if tensor.shape != (channels,):
            raise ValueError(f"{op_name}: {name} must have shape ({channels},), one value "
                             f"per channel of input {format_shape(input.shape)}, got "
                             f"{format_shape(tensor.shape)}")
        functions._same_backend(input, tensor, op_name)
        if tensor.dtype is not input.dtype:
            raise TypeError(f"{op_name}: {name} is {tensor.dtype.name} but input is "
                            f"{input.dtype.name}; convert one (module.to(dtype) or "
                            f"input.to(dtype))")


def _check_running_stats_given(running_mean, running_var, flag, op_name):
    if running_mean is None or running_var is None:
        raise ValueError(f"{op_name}: running_mean and running_var must be given when "
                         f"{flag}=False")


def _standardized(input, dims, eps):
    """(input - mean) / sqrt(variance + eps), with the mean and the biased variance over
    `dims` (kept as size-1 dims); returns the result, the mean and the variance."""
    mean = input.mean(dims, keepdim=True)
    centred = input - mean
    variance = (centred * centred).mean(dims, keepdim=True)
    return centred * functions.rsqrt(variance + eps), mean, variance


def _per_channel_affine(result, weight, bias):
    """result (N, C, *) scaled by weight and shifted by bias (C,), each when given."""
    per_channel = (result.shape[1],) + (1,) * (result.ndim - 2)
    if weight is not None:
        result = result * weight.reshape(per_channel)
    if bias is not None:
        result = result + bias.reshape(per_channel)
    return result


def _normalize(input, running_mean, running_var, weight, bias, use_input_stats, momentum,
               eps, dims):
    """batch_norm and instance_norm on checked arguments. use_input_stats: standardise
    over `dims` (which leave dim 1, and for instance norm dim 0, out); the running
    statistics, when given, then move towards the channel's mean and unbiased variance
    (averaged over the samples for instance norm), in place. Otherwise standardise with
    the running statistics."""
    if not use_input_stats:
        per_channel = (input.shape[1],) + (1,) * (input.ndim - 2)
        result = (input - running_mean.reshape(per_channel)) * \
            functions.rsqrt(running_var.reshape(per_channel) + eps)
        return _per_channel_affine(result, weight, bias)
    result, mean, variance = _standardized(input, dims, eps)
    if running_mean is None and running_var is None:
        return _per_channel_affine(result, weight, bias)
    count = input.numel() // mean.numel()   # values behind each statistic
    with no_grad():
        for running, statistic in ((running_mean, mean),
                                   (running_var, variance * (count / (count - 1)))):
            if running is not None:
                running.mul_(1.0 - momentum).add_(statistic.mean(0).reshape(-1) * momentum)
    return _per_channel_affine(result, weight, bias)


# ---- batch norm -------------------------------------------------------------------------

def _check_batch_norm(input, per_channel, training, op_name):
    """_check_channels_first, and when training, more than one value per channel."""
    _check_channels_first(input, per_channel, op_name)
    if training and input.numel() // max(input.shape[1], 1) <= 1:
        raise ValueError(f"{op_name}: expected more than 1 value per channel when training, "
                         f"got input {format_shape(input.shape)}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) of input (N, C, *), as torch's batch_norm.

    training=True: with the batch's mean and biased variance over every dim but 1; then
    running_mean and running_var (C,), when given, become (1 - momentum) * running +
    momentum * batch statistic, in place, with the unbiased variance. training=False:
    with running_mean and running_var, which must be given. The result is scaled by
    weight and shifted by bias (C,) when given. Everything is checked before anything
    is computed or updated."""
    if not training:
        _check_running_stats_given(running_mean, running_var, "training", "batch_norm")
    _check_batch_norm(input, {"running_mean": running_mean, "running_var": running_var,
                              "weight": weight, "bias": bias}, training, "batch_norm")
    return _normalize(input, running_mean, running_var, weight, bias, training, momentum,
                      eps, dims=(0,) + tuple(range(2, input.ndim)))


class _NormBase(Module):
    """What the batch and instance norm layers share: parameters weight (ones) and bias
    (zeros; bias=False: none) when affine, buffers running_mean, running_var and
    num_batches_tracked when track_running_stats. Subclasses set `ranks`, the input
    ranks they take, and `described`, those ranks in words."""

    ranks = ()
    described = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=None, backend=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        for name, wanted in (("weight", affine), ("bias", affine and bias)):
            self.register_parameter(name, Parameter(creation.empty(
                num_features, dtype=dtype, backend=backend)) if wanted else None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype,
                                                                backend=backend))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype,
                                                              backend=backend))
            self.register_buffer("num_batches_tracked", creation.tensor(
                0, dtype=int64, backend=backend))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self):
        """running_mean to zeros, running_var to ones, num_batches_tracked to 0."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        """The running statistics reset, weight to ones and bias to zeros."""
        self.reset_running_stats()
        init.reset_affine(self.weight, self.bias)

    def _check_rank(self, input):
        if input.ndim not in self.ranks:
            raise ValueError(f"{type(self).__name__}: expected {self.described} input, got "
                             f"{input.ndim}-D input {format_shape(input.shape)}")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """What BatchNorm1d, 2d and 3d share: the forward pass."""

    def forward(self, input):
        """Batch statistics while training (then the running ones, if tracked, are
        updated and num_batches_tracked counts the batch) or when there are no running
        statistics; the running statistics in eval mode. Checks come first: bad input
        changes nothing."""
        name = type(self).__name__
        self._check_rank(input)
        if input.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected input with {self.num_features} channels "
                             f"(num_features) in dim 1, got {format_shape(input.shape)}")
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        tracked = not self.training or self.track_running_stats   # (PyTorch's rules)
        running_mean, running_var = (self.running_mean, self.running_var) if tracked \
            else (None, None)
        _check_batch_norm(input, {"running_mean": running_mean, "running_var": running_var,
                                  "weight": self.weight, "bias": self.bias}, use_batch, name)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and \
                self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:   # a cumulative moving average
                momentum = 1.0 / self.num_batches_tracked.item()
        return _normalize(input, running_mean, running_var, self.weight, self.bias, use_batch,
                          momentum, self.eps, dims=(0,) + tuple(range(2, input.ndim)))


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of input (N, C) or (N, C, L) over N (and L), per channel C =
    num_features, as torch.nn.BatchNorm1d: weight (ones) and bias (zeros; bias=False:
    none) when affine; buffers running_mean, running_var and num_batches_tracked when
    track_running_stats (momentum None: a cumulative average)."""

    ranks = (2, 3)
    described = "2-D (N, C) or 3-D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of input (N, C, H, W) over N, H and W, per channel C =
    num_features, as torch.nn.BatchNorm2d (see BatchNorm1d for the parameters and
    buffers)."""

    ranks = (4,)
    described = "4-D (N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of input (N, C, D, H, W) over N, D, H and W, per channel C =
    num_features, as torch.nn.BatchNorm3d (see BatchNorm1d for the parameters and
    buffers)."""

    ranks = (5,)
    described = "5-D (N, C, D, H, W)"


# ---- instance norm ----------------------------------------------------------------------

def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample of input (N, C, *), as torch's
    instance_norm.

    use_input_stats=True: with the mean and biased variance over the spatial dims (*),
    of which there must be more than one value; then running_mean and running_var (C,),
    when given, become (1 - momentum) * running + momentum * the statistic averaged over
    the N samples, in place, with the unbiased variance. use_input_stats=False: with
    running_mean and running_var, which must be given. The result is scaled by weight
    and shifted by bias (C,) when given. Everything is checked before anything is
    computed or updated."""
    if not use_input_stats:
        _check_running_stats_given(running_mean, running_var, "use_input_stats",
                                   "instance_norm")
    _check_channels_first(input, {"running_mean": running_mean, "running_var": running_var,
                                  "weight": weight, "bias": bias}, "instance_norm")
    if use_input_stats and int(np.prod(input.shape[2:])) <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when "
                         f"use_input_stats, got input {format_shape(input.shape)}")
    return _normalize(input, running_mean, running_var, weight, bias, use_input_stats,
                      momentum, eps, dims=tuple(range(2, input.ndim)))


class _InstanceNorm(_NormBase):
    """What InstanceNorm1d, 2d and 3d share: torch's defaults (no affine parameters, no
    running statistics) and the forward pass; subclasses set `spatial_dims`."""

    spatial_dims = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, dtype=None, backend=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype,
                         backend, bias=bias)

    def forward(self, input):
        """instance_norm with the input's statistics while training or when there are no
        running statistics (updating them, when tracked, while training:
        num_batches_tracked stays as it is, as in torch); with the running statistics in
        eval mode. An unbatched input (C, *) is a batch of one. A channel count other than
        num_features is an error when affine, a warning otherwise (as torch: the count is
        then unused)."""
        name = type(self).__name__
        self._check_rank(input)
        channel_dim = input.ndim - self.spatial_dims - 1
        if input.shape[channel_dim] != self.num_features:
            message = (f"{name}: expected input with {self.num_features} channels "
                       f"(num_features) in dim {channel_dim}, got "
                       f"{format_shape(input.shape)}")
            if self.affine:
                raise ValueError(message)
            warnings.warn(message + "; num_features is unused as affine=False", stacklevel=2)
        batched = input if channel_dim == 1 else input.unsqueeze(0)
        result = instance_norm(batched, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               0.0 if self.momentum is None else self.momentum, self.eps)
        return result if channel_dim == 1 else result.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of input (N, C, L) or unbatched (C, L) over L, per sample
    and channel C = num_features, as torch.nn.InstanceNorm1d: weight (ones) and bias
    (zeros; bias=False: none) when affine; buffers running_mean, running_var and
    num_batches_tracked when track_running_stats (used in eval mode)."""

    spatial_dims = 1
    ranks = (2, 3)
    described = "2-D (C, L) or 3-D (N, C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of input (N, C, H, W) or unbatched (C, H, W) over H and W,
    as torch.nn.InstanceNorm2d (see InstanceNorm1d for the parameters and buffers)."""

    spatial_dims = 2
    ranks = (3, 4)
    described = "3-D (C, H, W) or 4-D (N, C, H, W)"


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of input (N, C, D, H, W) or unbatched (C, D, H, W) over D,
    H and W, as torch.nn.InstanceNorm3d (see InstanceNorm1d for the parameters and
    buffers)."""

    spatial_dims = 3
    ranks = (4, 5)
    described = "4-D (C, D, H, W) or 5-D (N, C, D, H, W)"


# ---- group norm -------------------------------------------------------------------------

def _check_num_groups(num_groups, channels, op_name):
    if not isinstance(num_groups, int) or isinstance(num_groups, bool) or num_groups < 1 \
            or channels % num_groups:
        raise ValueError(f"{op_name}: num_groups must be a positive int dividing the "
                         f"{channels} channels, got {num_groups!r}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the channels of input (N, C, *) into num_groups groups of consecutive
    channels and normalise each group of each sample with its mean and biased variance,
    as torch's group_norm; then scale by weight and shift by bias (C,) when given.
    num_groups must divide C; as in torch, an input of one sample with one value per
    group is refused."""
    _check_channels_first(input, {"weight": weight, "bias": bias}, "group_norm")
    _check_num_groups(num_groups, input.shape[1], "group_norm")
    if input.numel() // num_groups == 1:
        raise ValueError(f"group_norm: expected more than 1 value per group, got input "
                         f"{format_shape(input.shape)} with num_groups={num_groups}")
    grouped = input.reshape(input.shape[0], num_groups, -1)
    result = _standardized(grouped, (2,), eps)[0].reshape(input.shape)
    return _per_channel_affine(result, weight, bias)


class GroupNorm(Module):
    """Group normalisation (see group_norm) of input (N, num_channels, *) in num_groups
    groups, as torch.nn.GroupNorm: per-channel weight (ones) and bias (zeros; bias=False:
    none) when affine."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, dtype=None,
                 backend=None, *, bias=True):
        super().__init__()
        _check_num_groups(num_groups, num_channels, "GroupNorm")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        for name, wanted in (("weight", affine), ("bias", affine and bias)):
            self.register_parameter(name, Parameter(creation.empty(
                num_channels, dtype=dtype, backend=backend)) if wanted else None)
        self.reset_parameters()

    def reset_parameters(self):
        """weight to ones, bias to zeros."""
        init.reset_affine(self.weight, self.bias)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


# ---- RMS norm ---------------------------------------------------------------------------

def _shape_tuple(normalized_shape):
    return (normalized_shape,) if isinstance(normalized_shape, int) \
        else tuple(normalized_shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input / sqrt(mean(input ** 2) + eps) * weight, the mean over the trailing dims
    that make up normalized_shape (an int or a tuple), as torch's rms_norm. eps=None is
    the machine epsilon of input's dtype; weight, when given, has normalized_shape."""
    normalized_shape = _shape_tuple(normalized_shape)
    count = len(normalized_shape)
    _check_floating(input, "rms_norm")
    if count == 0 or input.ndim < count or input.shape[-count:] != normalized_shape:
        raise ValueError(f"rms_norm: input {format_shape(input.shape)} does not end in "
                         f"normalized_shape {format_shape(normalized_shape)}")
    if weight is not None:
        if weight.shape != normalized_shape:
            raise ValueError(f"rms_norm: weight must have normalized_shape "
                             f"{format_shape(normalized_shape)}, got "
                             f"{format_shape(weight.shape)}")
        functions._same_backend(input, weight, "rms_norm")
    if eps is None:
        eps = float(np.finfo(input.dtype.numpy).eps)
    dims = tuple(range(input.ndim - count, input.ndim))
    result = input * functions.rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return result if weight is None else result * weight


class RMSNorm(Module):
    """Root-mean-square normalisation (see rms_norm) over the trailing dims
    normalized_shape, as torch.nn.RMSNorm: then scaled by weight (ones, of
    normalized_shape) when elementwise_affine."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, dtype=None,
                 backend=None):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.register_parameter("weight", Parameter(creation.empty(
            *self.normalized_shape, dtype=dtype, backend=backend))
            if elementwise_affine else None)
        self.reset_parameters()

    def reset_parameters(self):
        """weight to ones."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


# ---- local response norm ----------------------------------------------------------------

def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * mean of the squares) ** beta, as torch's local_response_norm:
    the mean over a window of `size` channels (dim 1 of input (N, C, *), which needs at
    least 3 dims) from size // 2 before each channel to (size - 1) // 2 after it, the
    channels beyond either end counting as zeros."""
    _check_floating(input, "local_response_norm")
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: expected input (N, C, *) with at least 3 "
                         f"dims, got {input.ndim}-D input {format_shape(input.shape)}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"local_response_norm: size must be a positive int, got {size!r}")
    channels = input.shape[1]
    padding = (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2)
    squares = F.pad(input * input, padding)
    window_sum = squares.narrow(1, 0, channels)
    for start in range(1, size):
        window_sum = window_sum + squares.narrow(1, start, channels)
    return input / ((window_sum / size) * alpha + k) ** beta


class LocalResponseNorm(Module):
    """Local response normalisation across channels (see local_response_norm), as
    torch.nn.LocalResponseNorm; no parameters."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ---- cross-map LRN (torch's legacy Lua-Torch port) ---------------------------------------

def _channel_mixing(matrix, tensor):
    """(N, C, H, W) tensor with its channels mixed by the (C, C) numpy 0/1 matrix:
    result[:, c] = sum over j of matrix[c, j] * tensor[:, j]."""
    mixing = creation.tensor(matrix, dtype=tensor.dtype, backend=tensor.backend)
    return functions.matmul(tensor.movedim(1, -1), mixing.T).movedim(-1, 1)


def _cross_map_windows(channels, size):
    """The (C, C) 0/1 matrices (forward, backward) of the channel windows torch's
    CrossMapLRN2d uses, with pre_pad = int((size - 1) / 2 + 1):

    forward, channel c sums the squares of channels c - pre_pad + 1 .. c + pre_pad - 1
    and, once that window has left channel 0 (c >= pre_pad), channel 0's too: torch's
    running sum adds each next channel but starts removing the oldest one a channel late;
    backward, channel c sums the ratios of channels c - r .. c + size - 1 - r with
    r = int(size - (size - 1) / 2), torch's padded loop. The backward window is not the
    transpose of the forward one, so torch's gradient is not that of its forward; both
    are kept as torch computes them. Channels past either end are left out."""
    pre_pad, shift = int((size - 1) / 2 + 1), int(size - (size - 1) / 2)
    channel, other = np.arange(channels)[:, None], np.arange(channels)[None, :]
    forward = np.abs(other - channel) <= pre_pad - 1
    forward[:, 0] |= channel[:, 0] >= pre_pad
    backward = (other >= channel - shift) & (other <= channel + size - 1 - shift)
    return forward.astype(np.float64), backward.astype(np.float64)


class _CrossMapLRN2dFunction(Function):
    """torch's _cross_map_lrn2d: forward and its hand-written backward, each following
    torch's loops (see _cross_map_windows for where they disagree)."""

    @staticmethod
    def forward(ctx, input, size, alpha, beta, k):
        forward_window, backward_window = _cross_map_windows(input.shape[1], size)
        scale = _channel_mixing(forward_window, input * input) * (alpha / size) + k
        output = input * scale ** -beta
        ctx.save_for_backward(input, output, scale)
        ctx.backward_window, ctx.size, ctx.alpha, ctx.beta = backward_window, size, alpha, beta
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output, scale = ctx.saved_tensors
        ratio = grad_output * output / scale
        accumulated = _channel_mixing(ctx.backward_window, ratio)
        grad_input = scale ** -ctx.beta * grad_output \
            - input * accumulated * (2 * ctx.alpha * ctx.beta / ctx.size)
        return grad_input, None, None, None, None


class CrossMapLRN2d(Module):
    """torch.nn.CrossMapLRN2d: input (N, C, H, W) times (k + alpha / size * (sum of
    squares over a window of channels)) ** -beta, with torch's windows and its
    hand-written gradient, which is not the gradient of its forward (see
    _cross_map_windows). No parameters."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        name = type(self).__name__
        _check_floating(input, name)
        if input.ndim != 4:
            raise ValueError(f"{name}: expected a 4-D input (N, C, H, W), got "
                             f"{format_shape(input.shape)}")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 1:
            raise ValueError(f"{name}: size must be a positive int, got {self.size!r}")
        return _CrossMapLRN2dFunction.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
