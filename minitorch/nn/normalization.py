"""Batch normalisation: BatchNorm1d, BatchNorm2d and functional batch_norm, with
torch.nn's names, arguments, buffers and state_dict keys.

Built from tensor ops (mean, multiply, rsqrt), so it runs and differentiates on every
backend. While training, each channel is normalised with the batch's mean and biased
variance, and the running statistics (buffers) move towards the batch's mean and
unbiased variance by `momentum`; in eval mode the running statistics are used.
"""
from .. import creation, functions
from ..autograd import no_grad
from ..dtype import int64
from ..layout import format_shape
from . import init
from .module import Module
from .parameter import Parameter


def _check_batch_norm(input, per_channel, training, op_name):
    """Raise, naming op_name and the shapes, unless input is floating point (N, C, *),
    each tensor of `per_channel` (name -> tensor or None) is (C,) of input's dtype and
    backend, and, when training, each channel has more than one value."""
    if not input.dtype.is_floating_point:
        raise TypeError(f"{op_name}: input must be floating point, got {input.dtype.name}")
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
    if training and input.numel() // max(channels, 1) <= 1:
        raise ValueError(f"{op_name}: expected more than 1 value per channel when training, "
                         f"got input {format_shape(input.shape)}")


def _normalize(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """batch_norm on checked arguments (see batch_norm); running stats updated in place."""
    dims = (0,) + tuple(range(2, input.ndim))
    per_channel = (input.shape[1],) + (1,) * (input.ndim - 2)
    if training:
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        variance = (centred * centred).mean(dims, keepdim=True)
        result = centred * functions.rsqrt(variance + eps)
        if running_mean is not None or running_var is not None:
            count = input.numel() // input.shape[1]
            with no_grad():
                for running, batch in ((running_mean, mean),
                                       (running_var, variance * (count / (count - 1)))):
                    if running is not None:
                        running.mul_(1.0 - momentum).add_(batch.reshape(-1) * momentum)
    else:
        result = (input - running_mean.reshape(per_channel)) * \
            functions.rsqrt(running_var.reshape(per_channel) + eps)
    if weight is not None:
        result = result * weight.reshape(per_channel)
    if bias is not None:
        result = result + bias.reshape(per_channel)
    return result


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) of input (N, C, *), as torch's batch_norm.

    training=True: with the batch's mean and biased variance over every dim but 1; then
    running_mean and running_var (C,), when given, become (1 - momentum) * running +
    momentum * batch statistic, in place, with the unbiased variance. training=False:
    with running_mean and running_var, which must be given. The result is scaled by
    weight and shifted by bias (C,) when given. Everything is checked before anything
    is computed or updated."""
    if not training and (running_mean is None or running_var is None):
        raise ValueError("batch_norm: running_mean and running_var must be given when "
                         "training=False")
    _check_batch_norm(input, {"running_mean": running_mean, "running_var": running_var,
                              "weight": weight, "bias": bias}, training, "batch_norm")
    return _normalize(input, running_mean, running_var, weight, bias, training, momentum,
                      eps)


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; subclasses set `ranks`, the input ranks
    they take, and `described`, those ranks in words."""

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
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        """Batch statistics while training (then the running ones, if tracked, are
        updated and num_batches_tracked counts the batch) or when there are no running
        statistics; the running statistics in eval mode. Checks come first: bad input
        changes nothing."""
        name = type(self).__name__
        if input.ndim not in self.ranks:
            raise ValueError(f"{name}: expected {self.described} input, got {input.ndim}-D "
                             f"input {format_shape(input.shape)}")
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
                          momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


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
