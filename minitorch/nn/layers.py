"""Layers: Linear, Bilinear, the activations, LayerNorm, the dropouts, Flatten,
Unflatten, Identity and the distances CosineSimilarity and PairwiseDistance."""
import math

from .. import creation, layout
from ..autograd import no_grad
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def reset_weight_and_bias(weight, bias):
    """PyTorch's default initialisation of Linear and the Conv layers, in place: weight
    (out, in, *kernel) by kaiming_uniform_(a=sqrt(5)), i.e. uniform in ±1/sqrt(fan_in)
    with fan_in = in * kernel elements, and bias (unless None) uniform in the same range
    (0 when fan_in is 0), from minitorch's seeded generator."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = init.fans(weight)[0]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x @ weight.T + bias, with weight (out_features, in_features), bias (out_features,).

    Initialised as PyTorch does: weight by kaiming_uniform_(a=sqrt(5)), i.e. uniform in
    ±1/sqrt(in_features), and bias uniform in the same range, from minitorch's seeded
    generator; with in_features or out_features 0 the weight is left as it is (PyTorch's
    "Initializing zero-element tensors is a no-op" warning) and with in_features 0 the
    bias is zero. `bias=False` leaves `self.bias` None. `dtype` and `backend` default to
    the current ones.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None, backend=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(creation.empty(out_features, in_features, dtype=dtype,
                                               backend=backend))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype, backend=backend))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh initial values (see the class docstring)."""
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """max(x, 0); inplace=True writes it into the input (see F.relu)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class Softmax(Module):
    """softmax over `dim` (None: PyTorch's legacy choice, 1 for 2-D input)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log_softmax over `dim`."""

    def forward(self, x):
        return F.log_softmax(x, self.dim, _stacklevel=5)


class _DropoutNd(Module):
    """What every dropout layer holds: the probability p (checked to lie in [0, 1]) and
    inplace; each subclass applies its F form while training, the identity in eval()."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        F.check_dropout_probability(p, type(self).__name__)
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes elements with probability p while training (see F.dropout); identity in eval()."""

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of (N, C, L) or (C, L) inputs while training (see F.dropout1d)."""

    def forward(self, x):
        return F.dropout1d(x, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of (N, C, H, W) inputs while training (see F.dropout2d, also
    for how it reads other ranks)."""

    def forward(self, x):
        return F.dropout2d(x, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs while training (see
    F.dropout3d)."""

    def forward(self, x):
        return F.dropout3d(x, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout, which keeps a SELU network's zero mean and unit variance, while
    training (see F.alpha_dropout). As torch's, it never writes in place: `inplace` is
    only stored and printed."""

    def forward(self, x):
        return F.alpha_dropout(x, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of (N, C, *) inputs while training (see
    F.feature_alpha_dropout); as AlphaDropout, `inplace` is only stored and printed."""

    def forward(self, x):
        return F.feature_alpha_dropout(x, self.p, self.training)


class Flatten(Module):
    """Merge dims start_dim..end_dim into one; by default all but the batch dim."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x):
        return F.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim `dim` into the sizes `unflattened_size` (a tuple or list of ints, one of
    which may be -1), whose product must be that dim's size: the inverse of Flatten."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got "
                            f"{type(unflattened_size).__name__}")
        for position, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got "
                                f"{type(size).__name__} at position {position}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, x):
        dim = layout.normalize_dim(self.dim, x.ndim, "Unflatten")
        sizes = tuple(self.unflattened_size)
        known = math.prod(size for size in sizes if size != -1)
        if -1 in sizes:   # the -1 takes what the others leave
            fits = sizes.count(-1) == 1 and known > 0 and x.shape[dim] % known == 0
        else:
            fits = known == x.shape[dim]
        if not fits:
            raise ValueError(f"Unflatten: sizes {sizes} do not multiply up to the size "
                             f"{x.shape[dim]} of dim {dim} of input "
                             f"{layout.format_shape(x.shape)}")
        return x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for a removed layer).

    Like torch.nn.Identity it takes and ignores any arguments, so it can stand in for a
    layer without changing the call that builds it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


def _inplace_suffix(inplace):
    return ", inplace=True" if inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x (see F.leaky_relu)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{_inplace_suffix(self.inplace)}"


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1) (see F.elu)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, x):
        return F.elu(x, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}{_inplace_suffix(self.inplace)}"


class SiLU(ReLU):
    """x * sigmoid(x) (see F.silu)."""

    def forward(self, x):
        return F.silu(x, self.inplace)


class Mish(ReLU):
    """x * tanh(softplus(x)) (see F.mish)."""

    def forward(self, x):
        return F.mish(x, self.inplace)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, linear above threshold (see F.softplus)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """x * Phi(x), exactly (approximate='none', via erf) or by the tanh form (see F.gelu)."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Hardtanh(Module):
    """x clamped to [min_val, max_val] (see F.hardtanh)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} cannot be greater than max_val "
                             f"{max_val}")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_suffix(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): Hardtanh(0, 6), as in PyTorch."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LogSigmoid(Module):
    """log(sigmoid(x)), stable for large |x| (see F.logsigmoid)."""

    def forward(self, x):
        return F.logsigmoid(x)


class Softmin(Softmax):
    """softmin over `dim` (see F.softmin)."""

    def forward(self, x):
        return F.softmin(x, self.dim, _stacklevel=5)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x):
        return F.softsign(x)


class Hardsigmoid(Module):
    """relu6(x + 3) / 6 (see F.hardsigmoid). Prints no arguments, as torch's."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.hardsigmoid(x, self.inplace)


class Hardswish(Hardsigmoid):
    """x * relu6(x + 3) / 6 (see F.hardswish)."""

    def forward(self, x):
        return F.hardswish(x, self.inplace)


class Threshold(Module):
    """x where x > threshold, else value (see F.threshold)."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}{_inplace_suffix(self.inplace)}"


class SELU(ReLU):
    """scale * elu(x, alpha) with SELU's fixed constants (see F.selu)."""

    def forward(self, x):
        return F.selu(x, self.inplace)


class CELU(ELU):
    """x where x > 0, else alpha * (exp(x / alpha) - 1) (see F.celu)."""

    def forward(self, x):
        return F.celu(x, self.alpha, self.inplace)


class RReLU(Module):
    """The randomized leaky ReLU: while training, a slope per element drawn uniformly from
    [lower, upper); in eval() the slope (lower + upper) / 2 (see F.rrelu)."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        F.check_rrelu_bounds(lower, upper, "RReLU")
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}{_inplace_suffix(self.inplace)}"


class Hardshrink(Module):
    """0 where |x| <= lambd, else x (see F.hardshrink)."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, x):
        return F.hardshrink(x, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """x shrunk towards 0 by lambd, 0 where |x| <= lambd (see F.softshrink)."""

    def forward(self, x):
        return F.softshrink(x, self.lambd)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, x):
        return F.tanhshrink(x)


class Softmax2d(Module):
    """softmax over the channels (dim -3) of an (N, C, H, W) or (C, H, W) input."""

    def forward(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) "
                             f"input, got {layout.format_shape(x.shape)}")
        return F.softmax(x, -3)


class GLU(Module):
    """The gated linear unit over `dim` (see F.glu)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class PReLU(Module):
    """x where x > 0, else a * x with a learned slope `weight` (num_parameters,): one
    slope, or one per channel (dim 1) of the input; initialised to `init`."""

    def __init__(self, num_parameters=1, init=0.25, dtype=None, backend=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(creation.empty(num_parameters, dtype=dtype, backend=backend))
        self.reset_parameters()

    def reset_parameters(self):
        """Every slope back to `init`."""
        with no_grad():
            self.weight.fill_(self.init)

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Bilinear(Module):
    """y = x1^T weight[o] x2 + bias[o] for each output o (see F.bilinear), with weight
    (out_features, in1_features, in2_features) and bias (out_features,).

    Initialised as PyTorch does: weight and bias uniform in ±1/sqrt(in1_features), from
    minitorch's seeded generator; in1_features must be positive. `bias=False` leaves
    `self.bias` None. `dtype` and `backend` default to the current ones.
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, dtype=None,
                 backend=None):
        super().__init__()
        if in1_features <= 0:
            raise ValueError(f"Bilinear: in1_features must be positive, got {in1_features}")
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(creation.empty(out_features, in1_features, in2_features,
                                               dtype=dtype, backend=backend))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype, backend=backend))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh initial values (see the class docstring)."""
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x1, x2):
        return F.bilinear(x1, x2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LayerNorm(Module):
    """Normalise over the trailing dims `normalized_shape` (see F.layer_norm), then scale
    by `weight` and shift by `bias` (initialised to ones and zeros) when
    elementwise_affine; bias=False keeps the weight only."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 dtype=None, backend=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        for name, wanted in (("weight", elementwise_affine),
                             ("bias", elementwise_affine and bias)):
            self.register_parameter(name, Parameter(creation.empty(
                *self.normalized_shape, dtype=dtype, backend=backend)) if wanted else None)
        self.reset_parameters()

    def reset_parameters(self):
        """weight to ones, bias to zeros."""
        init.reset_affine(self.weight, self.bias)

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class CosineSimilarity(Module):
    """Cosine similarity of two inputs along `dim` (see F.cosine_similarity)."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm of x1 - x2 + eps along the last dim (see F.pairwise_distance); as in torch,
    p is stored as `norm`."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
