"""Lazy modules: layers whose input size (in_features, in_channels, num_features) is
inferred from their first input, as torch.nn's LazyLinear, LazyConv*, LazyConvTranspose*,
LazyBatchNorm* and LazyInstanceNorm*.

A lazy layer is its non-lazy class built with that size 0, whose shaped parameters and
buffers are UninitializedParameter / UninitializedBuffer (nn/parameter.py). A forward
pre-hook runs `initialize_parameters(input)` on the first call: the size is read from
the input, every uninitialized tensor is materialized and the non-lazy class's
reset_parameters draws its initial values (the same draws, from the same seeded
generator, as the non-lazy layer's constructor), then the module becomes its
`cls_to_become` (a LazyLinear is then a Linear) and the hook is removed. Loading a state
dict into a lazy layer materializes its tensors to the loaded shapes instead (see
Module.load_state_dict); the first call then only sets the size.
"""
import itertools

from ..autograd import no_grad
from ..layout import format_shape
from ..tensor import Tensor
from .conv import (_check_floating, _check_input_rank, Conv1d, Conv2d, Conv3d,
                   ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
from .layers import Linear
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                            InstanceNorm2d, InstanceNorm3d)
from .parameter import UninitializedBuffer, UninitializedParameter, is_lazy


class LazyModuleMixin:
    """The lazy part of a lazy module, put before a Module class in the bases (torch's
    LazyModuleMixin): on the first call, a forward pre-hook calls
    initialize_parameters(*args), which subclasses implement to materialize every
    uninitialized parameter and buffer from the arguments; then the module becomes
    `cls_to_become` (when not None). A call that leaves something uninitialized is a
    RuntimeError. The arguments reach the hook positionally only (minitorch's forward
    pre-hooks do not see keyword arguments)."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters)

    def has_uninitialized_params(self):
        """True while one of this module's own parameters or buffers is uninitialized."""
        return any(is_lazy(tensor) for tensor in
                   itertools.chain(self._parameters.values(), self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs):
        """Materialize the uninitialized tensors from the first call's arguments."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")

    def _infer_parameters(self, module, args):
        """The forward pre-hook: initialize, then stop being lazy (keeps args)."""
        self.initialize_parameters(*args)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {type(self).__name__} has not been fully "
                               "initialized by initialize_parameters")
        self._initialize_hook.remove()
        del self._initialize_hook
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become


class _LazyLayer(LazyModuleMixin):
    """What the lazy layers share: one size, the attribute `inferred` names, read from
    the input by `_inferred_size(input)` (which checks the input), and the shapes it
    gives each tensor, `_shapes(size)` ({attribute: shape}, None entries ignored)."""

    inferred = ""

    def _inferred_size(self, input):
        raise NotImplementedError

    def _shapes(self, size):
        raise NotImplementedError

    def reset_parameters(self):
        """The non-lazy class's reset_parameters, once the tensors have shapes (not while
        the non-lazy constructor builds the module with size 0)."""
        if not self.has_uninitialized_params() and getattr(self, self.inferred) != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        """Set the size from `input`, materialize the uninitialized tensors to the shapes
        it gives and draw their initial values. Tensors already loaded from a state dict
        are kept, and must have those shapes. The input is checked (a Tensor of a rank
        the layer takes, of the tensors' dtype) before anything changes. With no tensor
        to shape (an InstanceNorm without affine or running statistics), the size stays
        0, as in torch."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input to infer {self.inferred} "
                            f"from, got {type(input).__name__}")
        _check_floating(input, name)
        size = self._inferred_size(input)
        shapes = self._shapes(size)
        tensors = {key: getattr(self, key) for key in shapes if getattr(self, key) is not None}
        lazy = [key for key, tensor in tensors.items() if is_lazy(tensor)]
        for key, tensor in tensors.items():
            if key not in lazy and tensor.shape != shapes[key]:
                raise ValueError(f"{name}: the input {format_shape(input.shape)} gives "
                                 f"{self.inferred}={size}, so {key} of shape "
                                 f"{format_shape(shapes[key])}, but the loaded {key} has "
                                 f"shape {format_shape(tensor.shape)}")
            if key in lazy and tensor.dtype is not input.dtype:
                raise TypeError(f"{name}: input is {input.dtype.name} but {key} is "
                                f"{tensor.dtype.name}; convert one (module.to(dtype) or "
                                "input.to(dtype))")
        if lazy and len(lazy) < len(tensors):
            raise RuntimeError(f"{name}: {', '.join(lazy)} uninitialized while the other "
                               "tensors were loaded from a state dict; load all or none")
        if tensors:
            setattr(self, self.inferred, size)
        if lazy:
            with no_grad():
                for key in lazy:
                    tensors[key].materialize(shapes[key])
                self.reset_parameters()


def _uninitialized_weights(module, bias, dtype, backend):
    """Replace module's weight (and bias, when `bias`) by uninitialized parameters."""
    module.weight = UninitializedParameter(dtype=dtype, backend=backend)
    if bias:
        module.bias = UninitializedParameter(dtype=dtype, backend=backend)


# ---- linear -----------------------------------------------------------------------------

class LazyLinear(_LazyLayer, Linear):
    """A Linear whose in_features is inferred from the last dim of its first input (0
    until then), as torch.nn.LazyLinear; it then becomes a Linear, initialised as one."""

    cls_to_become = Linear
    inferred = "in_features"

    def __init__(self, out_features, bias=True, dtype=None, backend=None):
        super().__init__(0, out_features, bias, dtype, backend)
        _uninitialized_weights(self, bias, dtype, backend)

    def _inferred_size(self, input):
        if input.ndim < 1:
            raise ValueError(f"{type(self).__name__}: expected input (*, in_features) with "
                             f"at least 1 dim, got {format_shape(input.shape)}")
        return input.shape[-1]

    def _shapes(self, size):
        return {"weight": (self.out_features, size), "bias": (self.out_features,)}


# ---- convolutions -----------------------------------------------------------------------

class _LazyConv(_LazyLayer):
    """What the lazy (transposed) convolutions share: in_channels, read from dim 1 of a
    batched input or dim 0 of an unbatched one, must be divisible by groups."""

    inferred = "in_channels"

    def _inferred_size(self, input):
        name = type(self).__name__
        channels = input.shape[1 if _check_input_rank(input, self.dims, name) else 0]
        if channels % self.groups:
            raise ValueError(f"{name}: groups={self.groups} must divide the input's "
                             f"{channels} channels (in_channels), got input "
                             f"{format_shape(input.shape)}")
        return channels

    def _shapes(self, size):
        channels = (size, self.out_channels // self.groups) if self.transposed else \
            (self.out_channels, size // self.groups)
        return {"weight": channels + self.kernel_size, "bias": (self.out_channels,)}


class _LazyConvNd(_LazyConv):
    """torch's LazyConv arguments: those of the Conv layer without in_channels."""

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", dtype=None, backend=None):
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, dtype, backend)
        _uninitialized_weights(self, bias, dtype, backend)


class _LazyConvTransposeNd(_LazyConv):
    """torch's LazyConvTranspose arguments: those of the ConvTranspose layer without
    in_channels."""

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", dtype=None,
                 backend=None):
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding,
                         groups, bias, dilation, padding_mode, dtype, backend)
        _uninitialized_weights(self, bias, dtype, backend)


class LazyConv1d(_LazyConvNd, Conv1d):
    """A Conv1d whose in_channels is inferred from its first input, as
    torch.nn.LazyConv1d; it then becomes a Conv1d, initialised as one."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvNd, Conv2d):
    """A Conv2d whose in_channels is inferred from its first input, as
    torch.nn.LazyConv2d; it then becomes a Conv2d, initialised as one."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConvNd, Conv3d):
    """A Conv3d whose in_channels is inferred from its first input, as
    torch.nn.LazyConv3d; it then becomes a Conv3d, initialised as one."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTransposeNd, ConvTranspose1d):
    """A ConvTranspose1d whose in_channels is inferred from its first input, as
    torch.nn.LazyConvTranspose1d; it then becomes a ConvTranspose1d."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeNd, ConvTranspose2d):
    """A ConvTranspose2d whose in_channels is inferred from its first input, as
    torch.nn.LazyConvTranspose2d; it then becomes a ConvTranspose2d."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeNd, ConvTranspose3d):
    """A ConvTranspose3d whose in_channels is inferred from its first input, as
    torch.nn.LazyConvTranspose3d; it then becomes a ConvTranspose3d."""

    cls_to_become = ConvTranspose3d


# ---- normalization ----------------------------------------------------------------------

class _LazyNorm(_LazyLayer):
    """What the lazy batch and instance norms share: torch's arguments without
    num_features (and, as torch's, affine=True and track_running_stats=True by default
    for both); weight, bias, running_mean and running_var are uninitialized when present,
    num_batches_tracked is a 0 from the start."""

    inferred = "num_features"

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=None, backend=None, *, bias=True):
        super().__init__(0, eps, momentum, affine, track_running_stats, dtype, backend,
                         bias=bias)
        if affine:
            _uninitialized_weights(self, bias, dtype, backend)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype, backend=backend)
            self.running_var = UninitializedBuffer(dtype=dtype, backend=backend)

    def _inferred_size(self, input):
        self._check_rank(input)
        return input.shape[self._channel_dim(input)]

    def _channel_dim(self, input):
        return 1

    def _shapes(self, size):
        return dict.fromkeys(("weight", "bias", "running_mean", "running_var"), (size,))


class _LazyInstanceNorm(_LazyNorm):
    """The channel dim of an instance norm's input: before its spatial dims, so dim 0 of
    an unbatched input (torch's lazy instance norms read dim 1 even then)."""

    def _channel_dim(self, input):
        return input.ndim - self.spatial_dims - 1


class LazyBatchNorm1d(_LazyNorm, BatchNorm1d):
    """A BatchNorm1d whose num_features is inferred from dim 1 of its first input, as
    torch.nn.LazyBatchNorm1d; it then becomes a BatchNorm1d."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNorm, BatchNorm2d):
    """A BatchNorm2d whose num_features is inferred from dim 1 of its first input, as
    torch.nn.LazyBatchNorm2d; it then becomes a BatchNorm2d."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNorm, BatchNorm3d):
    """A BatchNorm3d whose num_features is inferred from dim 1 of its first input, as
    torch.nn.LazyBatchNorm3d; it then becomes a BatchNorm3d."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    """An InstanceNorm1d whose num_features is inferred from the channel dim of its
    first input, as torch.nn.LazyInstanceNorm1d (affine and track_running_stats default
    to True); it then becomes an InstanceNorm1d."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    """An InstanceNorm2d whose num_features is inferred from the channel dim of its
    first input, as torch.nn.LazyInstanceNorm2d (affine and track_running_stats default
    to True); it then becomes an InstanceNorm2d."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm, InstanceNorm3d):
    """An InstanceNorm3d whose num_features is inferred from the channel dim of its
    first input, as torch.nn.LazyInstanceNorm3d (affine and track_running_stats default
    to True); it then becomes an InstanceNorm3d."""

    cls_to_become = InstanceNorm3d
