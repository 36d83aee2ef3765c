"""The torch-level forms of nn.functional's ops (`minitorch.conv2d`, `minitorch.dropout`,
...) and of the in-place Tensor methods (`minitorch.relu_(x)`), with torch.X's own
signatures.

torch.X is the ATen op, whose arguments sometimes differ from torch.nn.functional.X's:
`dropout(input, p, train)` needs `train`, `embedding(weight, indices)` takes the weight
first, `batch_norm` and `instance_norm` take every argument positionally (cudnn_enabled
included, ignored here), the losses take `reduction` as ATen's enum (0 "none", 1 "mean",
2 "sum") and default to 0, unreduced, as torch.X does when called from Python (unlike
nn.functional's "mean"), and `adaptive_max_pool1d` always returns (values, indices). Each alias
converts its arguments and calls the functional form, so checks and autograd are those
of nn.functional. Built after minitorch.nn is imported; minitorch/__init__.py installs
TOP_LEVEL.
"""
import numpy as np

from . import functions
from .autograd import is_grad_enabled, no_grad
from .creation import tensor as make_tensor
from .dtype import float32
from .layout import format_shape
from .nn import functional as F
from .tensor import Tensor

_REDUCTIONS = ("none", "mean", "sum")  # ATen's at::Reduction enum, by value


def _reduction(reduction, op_name):
    """ATen's reduction enum value as nn.functional's name."""
    if isinstance(reduction, bool) or reduction not in range(len(_REDUCTIONS)):
        raise ValueError(f"{op_name}: reduction must be 0 (none), 1 (mean) or 2 (sum), "
                         f"got {reduction!r}")
    return _REDUCTIONS[reduction]


def _default_stride(stride):
    """ATen's pooling stride default is an empty list, meaning "the kernel size"."""
    return None if stride in ((), []) else stride


# ---- same signature as nn.functional: the functional form itself ------------------------
_SAME = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
         "conv_transpose3d", "avg_pool1d", "adaptive_avg_pool1d", "pixel_shuffle",
         "pixel_unshuffle", "channel_shuffle", "cosine_similarity", "pairwise_distance",
         "bilinear", "prelu", "hardshrink", "rms_norm")


# ---- dropouts: p and train are required --------------------------------------------------
def dropout(input, p, train):  # noqa: A002  (torch's argument names)
    """torch.dropout: F.dropout(input, p, training=train)."""
    return F.dropout(input, p, train)


def dropout_(input, p, train):  # noqa: A002
    """torch.dropout_: dropout written into input."""
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):  # noqa: A002
    """torch.alpha_dropout: F.alpha_dropout(input, p, training=train)."""
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):  # noqa: A002
    """torch.alpha_dropout_: alpha_dropout written into input."""
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):  # noqa: A002
    """torch.feature_alpha_dropout: F.feature_alpha_dropout(input, p, training=train)."""
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):  # noqa: A002
    """torch.feature_alpha_dropout_: feature_alpha_dropout written into input."""
    return F.feature_alpha_dropout(input, p, train, inplace=True)


# ---- normalisations ------------------------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training,  # noqa: A002
               momentum, eps, cudnn_enabled):
    """torch.batch_norm: every argument required, weight and bias before the running
    statistics; cudnn_enabled is accepted and ignored (no cuDNN here)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                        eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,  # noqa: A002
                  momentum, eps, cudnn_enabled):
    """torch.instance_norm: as batch_norm's argument order; cudnn_enabled is ignored."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5,  # noqa: A002
               cudnn_enable=True):
    """torch.layer_norm: F.layer_norm plus an ignored cudnn_enable."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5,  # noqa: A002
               cudnn_enabled=True):
    """torch.group_norm: F.group_norm plus an ignored cudnn_enabled."""
    return F.group_norm(input, num_groups, weight, bias, eps)


# ---- embedding, pooling, padding ------------------------------------------------------------
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding: weight first; padding_idx=-1 means none (ATen's convention, so a
    negative index cannot name the last row here). scale_grad_by_freq and sparse are
    refused when True, as nn.functional.embedding does not implement them."""
    for option, value in (("scale_grad_by_freq", scale_grad_by_freq), ("sparse", sparse)):
        if value:
            raise NotImplementedError(f"embedding: {option}=True is not supported")
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx)


_BAG_MODES = ("sum", "mean", "max")  # ATen's embedding_bag mode enum, by value


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0,
                  sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """torch.embedding_bag: (output, offset2bag, bag_size, max_indices) for 1-D int64
    indices split into bags by offsets; mode is ATen's enum (0 sum, 1 mean, 2 max). output
    is F.embedding_bag's (its checks and gradient). The int64 bookkeeping follows torch's
    CPU kernels:

    - offset2bag (indices' length) names each index's bag; it is empty in float32 sum
      mode without padding_idx when weight's rows have unit stride (torch's fast path);
    - bag_size counts each bag's indices other than padding_idx in mean and max mode; in
      sum mode it is zeros, one per offset when no gradient is wanted (torch's
      forward-only kernel), else one per bag;
    - max_indices is, in max mode, (bags, D): the weight row that gave each maximum (the
      first, on ties; 0 for an empty bag), else a copy of bag_size.

    Not matched: torch's float64 max mode with include_last_offset gives 0 as the last
    bag's max_indices."""
    name = "embedding_bag"
    if mode not in range(len(_BAG_MODES)):
        raise ValueError(f"{name}: mode must be 0 (sum), 1 (mean) or 2 (max), got {mode!r}")
    if indices.ndim != 1:
        raise ValueError(f"{name}: expected 1-D indices with offsets, got "
                         f"{format_shape(indices.shape)}")
    mode_name = _BAG_MODES[mode]
    output = F.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, mode_name,
                             sparse, per_sample_weights, include_last_offset, padding_idx)
    starts, lengths = F._bag_bounds(indices, offsets, include_last_offset)
    bags, host_indices = len(starts), indices.numpy()
    padding_idx = F._padding_index(padding_idx, weight.shape[0], name)
    bag_of_index = np.repeat(np.arange(bags), lengths)
    if mode_name == "sum":
        differentiable = is_grad_enabled() and any(
            t is not None and t.requires_grad for t in (weight, per_sample_weights))
        bag_size = np.zeros(bags if differentiable else offsets.shape[0], np.int64)
        if padding_idx is None and weight.dtype is float32 and weight.stride(1) == 1:
            bag_of_index = np.zeros(0, np.int64)
    else:
        counted = bag_of_index if padding_idx is None else \
            bag_of_index[host_indices[:len(bag_of_index)] != padding_idx]
        bag_size = np.bincount(counted, minlength=bags)
    bookkeeping = tuple(make_tensor(np.asarray(values, np.int64), backend=weight.backend)
                        for values in (bag_of_index, bag_size))
    if mode_name == "max":
        max_indices = _bag_argmax_rows(weight, output, host_indices, starts, lengths, padding_idx)
    else:
        max_indices = bookkeeping[1].clone()
    return (output,) + bookkeeping + (max_indices,)


def _bag_argmax_rows(weight, maxima, indices, starts, lengths, padding_idx):
    """(bags, D) int64 tensor: for each bag and feature, the first weight row of the bag
    (padding_idx left out) whose value is the bag's maximum `maxima`; 0 for an empty bag.
    Found by comparing the gathered rows with the maxima (tensor ops, no gradient)."""
    longest = max(int(lengths.max(initial=0)), 1)
    steps = np.arange(longest)
    in_bag = steps < lengths[:, None]
    rows = np.where(in_bag, indices[np.where(in_bag, starts[:, None] + steps, 0)]
                    if indices.size else 0, 0)
    if padding_idx is not None:
        in_bag &= rows != padding_idx
    row_tensor = make_tensor(rows, backend=weight.backend)
    with no_grad():
        hits = (weight[row_tensor] == maxima.unsqueeze(1)) \
            & make_tensor(in_bag[..., None], backend=weight.backend)
        ramp = make_tensor(steps[:, None], backend=weight.backend)
        first = functions.where(hits, ramp, longest).min(1).values       # (bags, D)
        found = first < longest
        return functions.where(
            found, functions.gather(row_tensor, 1, functions.where(found, first, 0)), 0)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """torch.max_pool1d: the values only (stride () is the kernel size)."""
    return F.max_pool1d(input, kernel_size, _default_stride(stride), padding, dilation,
                        ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """torch.max_pool2d: the values only (stride () is the kernel size)."""
    return F.max_pool2d(input, kernel_size, _default_stride(stride), padding, dilation,
                        ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """torch.max_pool3d: the values only (stride () is the kernel size)."""
    return F.max_pool3d(input, kernel_size, _default_stride(stride), padding, dilation,
                        ceil_mode)


def adaptive_max_pool1d(input, output_size):  # noqa: A002
    """torch.adaptive_max_pool1d: (values, indices), always."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def constant_pad_nd(input, pad, value=0):  # noqa: A002
    """torch.constant_pad_nd: F.pad in "constant" mode (pad pairs from the last dim;
    negative pads crop)."""
    return F.pad(input, pad, "constant", value)


# ---- activations -----------------------------------------------------------------------------
def selu(input):  # noqa: A002
    """torch.selu."""
    return F.selu(input)


def celu(input, alpha=1.0):  # noqa: A002
    """torch.celu."""
    return F.celu(input, alpha)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):  # noqa: A002
    """torch.rrelu."""
    return F.rrelu(input, lower, upper, training, generator=generator)


def threshold(input, threshold, value):  # noqa: A002
    """torch.threshold: value where input <= threshold, else input."""
    return F.threshold(input, threshold, value)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):  # noqa: A002
    """torch.rrelu_: rrelu written into input."""
    return F.rrelu_(input, lower, upper, training, generator)


# ---- losses: reduction as ATen's enum ------------------------------------------------------
def kl_div(input, target, reduction=0, log_target=False):  # noqa: A002
    """torch.kl_div (reduction 1, "mean", averages over every element)."""
    return F.kl_div(input, target, _reduction(reduction, "kl_div"), log_target)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """torch.margin_ranking_loss."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 _reduction(reduction, "margin_ranking_loss"))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):  # noqa: A002
    """torch.hinge_embedding_loss."""
    return F.hinge_embedding_loss(input, target, margin,
                                  _reduction(reduction, "hinge_embedding_loss"))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """torch.cosine_embedding_loss."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   _reduction(reduction, "cosine_embedding_loss"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=0):
    """torch.triplet_margin_loss."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 _reduction(reduction, "triplet_margin_loss"))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):  # noqa: A002
    """torch.poisson_nll_loss: every argument required."""
    return F.poisson_nll_loss(input, target, log_input, full, eps,
                              _reduction(reduction, "poisson_nll_loss"))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,  # noqa: A002
                                     reduction=0):
    """torch.binary_cross_entropy_with_logits: pos_weight comes before reduction."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, _reduction(reduction, "binary_cross_entropy_with_logits"),
        pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
             zero_infinity=False):
    """torch.ctc_loss (lengths as int64 tensors or sequences of ints)."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      _reduction(reduction, "ctc_loss"), zero_infinity)


# The Tensor methods torch also has as torch.X_(input, ...): generated by listing the names
# in dir(torch) ending in "_" that minitorch's Tensor has (test_namespace_breadth checks
# the list against torch).
INPLACE_METHODS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_",
    "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_",
    "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_",
    "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "resize_as_",
    "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_",
    "tanh_", "trunc_", "xlogy_", "zero_")

# nn.functional's in-place activations with torch.X_'s signature
_FUNCTIONAL_INPLACE = ("selu_", "celu_", "threshold_")

_DEFINED_HERE = (
    "dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout",
    "feature_alpha_dropout_", "batch_norm", "instance_norm", "layer_norm", "group_norm",
    "embedding", "embedding_bag", "max_pool1d", "max_pool2d", "max_pool3d",
    "adaptive_max_pool1d", "constant_pad_nd", "selu", "celu", "rrelu", "threshold", "rrelu_",
    "kl_div",
    "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "poisson_nll_loss", "binary_cross_entropy_with_logits",
    "ctc_loss")

TOP_LEVEL = {
    **{name: getattr(F, name) for name in _SAME + _FUNCTIONAL_INPLACE},
    **{name: getattr(Tensor, name) for name in INPLACE_METHODS},
    **{name: globals()[name] for name in _DEFINED_HERE},
}

# Tensor methods whose form lives in nn.functional, installed here since tensor.py sits
# below nn
Tensor.hardshrink = F.hardshrink
Tensor.prelu = F.prelu
