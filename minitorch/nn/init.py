"""Weight initialisation in place, with torch.nn.init's names and formulas.

Every random value comes from minitorch's seeded generator (`minitorch.manual_seed`, or
the `generator=` argument) through Tensor.uniform_ / Tensor.normal_, which draw on the
host: one seed gives the same weights on every backend. Each function writes into
`tensor` without recording autograd and returns it.
"""
import math
import warnings

from .. import creation, linalg
from ..autograd import no_grad

_UNIT_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid", "identity")


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for weights feeding `nonlinearity` (PyTorch's table).

    "relu": sqrt(2); "tanh": 5/3; "leaky_relu": sqrt(2 / (1 + slope**2)) with
    slope = param (default 0.01); "selu": 3/4; linear, sigmoid, conv{1,2,3}d and
    conv_transpose{1,2,3}d: 1, and "identity" (PyTorch's table lists it; its code refuses
    it): 1.
    """
    if nonlinearity in _UNIT_GAIN:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of "
                     f"{', '.join(_UNIT_GAIN)}, tanh, relu, leaky_relu, selu")


def fans(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel): in * kernel, out * kernel."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got "
                         f"shape {tuple(tensor.shape)}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fans(tensor)[0 if mode == "fan_in" else 1]


def _is_empty(tensor):
    """True, with PyTorch's warning, when `tensor` has no elements (kaiming init skips it)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn uniformly from [a, b) (Tensor.uniform_)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values drawn from N(mean, std**2) (Tensor.normal_)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def zeros_(tensor):
    with no_grad():
        return tensor.fill_(0)


def ones_(tensor):
    with no_grad():
        return tensor.fill_(1)


def reset_affine(weight, bias):
    """A normalization layer's scale to ones and shift to zeros (either may be None: a
    layer without it)."""
    if weight is not None:
        ones_(weight)
    if bias is not None:
        zeros_(bias)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).

    nn.Linear's default is kaiming_uniform_(weight, a=sqrt(5)), i.e. b = 1 / sqrt(fan_in).
    A tensor with no elements is returned as it is, with a warning.
    """
    if _is_empty(tensor):
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std**2) with std = gain / sqrt(fan); as kaiming_uniform_ for a
    tensor with no elements."""
    if _is_empty(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def constant_(tensor, val):
    """Fill with the value val."""
    with no_grad():
        return tensor.fill_(val)


def eye_(tensor):
    """Set a 2-D tensor to the identity matrix (ones on the main diagonal of a
    rectangular one)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    with no_grad():
        tensor.fill_(0)
        tensor.diagonal().fill_(1)
    return tensor


def dirac_(tensor, groups=1):
    """Set a 3-, 4- or 5-D convolution weight (out, in, *kernel) to the Dirac delta: each
    of the `groups` groups of out // groups output channels copies input channel i to
    its i-th output channel through the kernel's centre (floor(size / 2)); the rest is 0."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only tensors with 3, 4, or 5 dimensions are supported, "
                         f"got shape {tuple(tensor.shape)}")
    out_channels = tensor.shape[0]
    if out_channels % groups != 0:
        raise ValueError(f"dirac_: dim 0 ({out_channels}) must be divisible by groups "
                         f"({groups})")
    per_group = out_channels // groups
    centre = tuple(size // 2 for size in tensor.shape[2:])
    with no_grad():
        tensor.fill_(0)
        for group in range(groups):
            for channel in range(min(per_group, tensor.shape[1])):
                tensor[(group * per_group + channel, channel) + centre] = 1
    return tensor


def orthogonal_(tensor, gain=1.0, generator=None):
    """Fill with a (semi-)orthogonal matrix times gain: the Q of the QR decomposition of
    a standard normal matrix (rows = shape[0], columns = the rest flattened), its signs
    fixed so that R's diagonal is positive, as torch does. At least 2 dimensions."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are "
                         f"supported, got shape {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    columns = tensor.numel() // rows
    with no_grad():
        flattened = creation.empty(rows, columns, dtype=tensor.dtype).normal_(
            0, 1, generator=generator)
        if rows < columns:
            flattened = flattened.mT
        q, r = linalg.qr(flattened)
        q = q * r.diagonal().sign().unsqueeze(0)
        if rows < columns:
            q = q.mT
        tensor.copy_(q.reshape(tensor.shape) * gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor from N(0, std**2), then zero ceil(sparsity * rows) randomly chosen
    entries of every column."""
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    rows, columns = tensor.shape
    zeros_per_column = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        for column in range(columns):
            zero_rows = creation.randperm(rows, generator=generator)[:zeros_per_column]
            tensor[zero_rows, column] = 0
    return tensor


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with values from N(mean, std**2) truncated to [a, b]: values falling outside
    are drawn again until none does (rejection sampling; torch inverts the CDF instead, so
    the values differ from torch's for one seed while the distribution is the same)."""
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        tensor.normal_(mean, std, generator=generator)
        outside = (tensor < a) | (tensor > b)
        while outside.any().item():
            redrawn = tensor.clone().normal_(mean, std, generator=generator)
            tensor.copy_(tensor.where(~outside, redrawn))
            outside = (tensor < a) | (tensor > b)
    return tensor
