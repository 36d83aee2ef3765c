"""Stateless neural-network functions with torch.nn.functional's names.

The primitives (linear, relu, softmax, cross_entropy, ...) are the core's ops from
minitorch.functions, with their fused kernels; the losses, activations, distances,
dropouts, padding, shuffles and interpolation below (and the convolution, pooling,
normalization and attention functions imported from their modules) are built from those
ops, so they run, and differentiate, on every backend.

The losses take torch's arguments without the deprecated `size_average` and `reduce`,
so `reduction` is the argument after target (after weight where there is one).
"""
import math
import warnings

import numpy as np

from .. import functions, layout
from ..autograd import Function, no_grad
from ..creation import full, rand
from ..creation import tensor as make_tensor
from ..functions import erf, flatten, linear, sigmoid, tanh  # noqa: F401
from ..layout import format_shape
from .conv import (cached_positions, conv1d, conv2d, conv3d, conv_transpose1d,  # noqa: F401
                   conv_transpose2d, conv_transpose3d, fold, unfold)
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d,  # noqa: F401
                      adaptive_avg_pool3d, adaptive_max_pool1d,
                      adaptive_max_pool1d_with_indices, adaptive_max_pool2d,
                      adaptive_max_pool2d_with_indices, adaptive_max_pool3d,
                      adaptive_max_pool3d_with_indices, avg_pool1d, avg_pool2d, avg_pool3d,
                      lp_pool1d, lp_pool2d, lp_pool3d, max_pool1d, max_pool1d_with_indices,
                      max_pool2d, max_pool2d_with_indices, max_pool3d,
                      max_pool3d_with_indices, max_unpool1d, max_unpool2d, max_unpool3d,
                      fractional_max_pool2d, fractional_max_pool3d)
from .normalization import (batch_norm, group_norm, instance_norm,  # noqa: F401
                            local_response_norm, rms_norm)
from .attention import (multi_head_attention_forward,  # noqa: F401
                        scaled_dot_product_attention)
from .grid_sampling import affine_grid, cubic_convolution_weights, grid_sample  # noqa: F401

REDUCTIONS = ("none", "mean", "sum")
KL_DIV_REDUCTIONS = ("none", "batchmean", "sum", "mean")


def check_reduction(reduction, name, allowed=REDUCTIONS):
    """Raise ValueError naming `name` unless reduction is one of `allowed`."""
    if reduction not in allowed:
        choices = ", ".join(repr(choice) for choice in allowed[:-1])
        raise ValueError(f"{name}: reduction must be {choices} or {allowed[-1]!r}, got "
                         f"{reduction!r}")


def _reduce(losses, reduction, name):
    """The one reduction of every elementwise loss: losses as they are ('none'), their
    sum ('sum') or their mean over every element ('mean')."""
    check_reduction(reduction, name)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _check_floating(prediction, name):
    if not prediction.dtype.is_floating_point:
        raise TypeError(f"{name}: input must be floating point, got "
                        f"{prediction.dtype.name}; use input.float()")


def _check_same_shape(prediction, target, name):
    if prediction.shape != target.shape:
        raise ValueError(f"{name}: input {format_shape(prediction.shape)} and target "
                         f"{format_shape(target.shape)} must have the same shape")


def _difference(prediction, target, name):
    """prediction - target for the regression losses, with torch's rule: a target of
    another shape gives a UserWarning (broadcasting is likely a mistake) and then
    broadcasts; shapes that do not broadcast raise ValueError naming the loss."""
    _check_floating(prediction, name)
    if prediction.shape != target.shape:
        layout.broadcast_shapes(prediction.shape, target.shape, name)
        warnings.warn(f"{name}: using a target size {format_shape(target.shape)} that is "
                      f"different to the input size {format_shape(prediction.shape)}. This "
                      "will likely lead to incorrect results due to broadcasting. Please "
                      "ensure they have the same size.", stacklevel=3)
    return prediction - target


def _check_broadcasts_to(tensor, shape, name, what):
    """ValueError naming the loss unless `tensor` (its `what`) broadcasts to `shape`."""
    padded = (1,) * (len(shape) - len(tensor.shape)) + tensor.shape
    if len(tensor.shape) > len(shape) or any(size not in (1, wanted)
                                             for size, wanted in zip(padded, shape)):
        raise ValueError(f"{name}: {what} {format_shape(tensor.shape)} must broadcast to "
                         f"the input's shape {format_shape(shape)}")


def _weighted(losses, weight, name):
    """losses * weight, for a weight (None: losses as they are) that broadcasts to the
    losses' shape."""
    if weight is None:
        return losses
    _check_broadcasts_to(weight, losses.shape, name, "weight")
    return losses * weight


def mse_loss(prediction, target, reduction="mean"):
    """(prediction - target)**2, reduced ('mean' over all elements, 'sum' or 'none').
    A target of another shape warns and broadcasts, as in torch (see _difference)."""
    difference = _difference(prediction, target, "mse_loss")
    return _reduce(difference * difference, reduction, "mse_loss")


def l1_loss(prediction, target, reduction="mean"):
    """|prediction - target|, reduced. Its gradient at equal values is 0 (sign(0))."""
    return _reduce(_difference(prediction, target, "l1_loss").abs(), reduction, "l1_loss")


def _huber(difference, delta):
    """0.5 * d**2 where |d| < delta, else delta * (|d| - 0.5 * delta): quadratic near 0,
    linear (slope +-delta) beyond, joined smoothly at |d| = delta."""
    size = difference.abs()
    return functions.where(size < delta, difference * difference * 0.5,
                           (size - 0.5 * delta) * delta)


def huber_loss(prediction, target, reduction="mean", delta=1.0):
    """torch.nn.functional.huber_loss: the Huber function of prediction - target
    (see _huber), reduced; delta must be positive."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    difference = _difference(prediction, target, "huber_loss")
    return _reduce(_huber(difference, delta), reduction, "huber_loss")


def smooth_l1_loss(prediction, target, reduction="mean", beta=1.0):
    """0.5 * d**2 / beta where |d| < beta, else |d| - 0.5 * beta, for d = prediction -
    target: huber_loss(delta=beta) / beta, and l1_loss for beta = 0 (as torch). beta must
    not be negative."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must not be negative, got {beta}")
    difference = _difference(prediction, target, "smooth_l1_loss")
    losses = _huber(difference, beta) / beta if beta else difference.abs()
    return _reduce(losses, reduction, "smooth_l1_loss")


def _xlogx(values):
    """values * log(values), 0 where values == 0 (torch's xlogy(t, t)); nan below 0."""
    return functions.where(values == 0, 0.0, values * values.log())


def kl_div(log_probs, target, reduction="mean", log_target=False):
    """torch.nn.functional.kl_div: the pointwise KL divergence target * (log(target) -
    log_probs) of probabilities `target` (log-probabilities if log_target) from
    log-probabilities `log_probs`, 0 where target is 0; the two broadcast.

    reduction 'batchmean' sums and divides by log_probs.shape[0] (the KL divergence per
    sample, what 'mean' means mathematically); 'mean' divides by every element, and warns
    as torch does.
    """
    check_reduction(reduction, "kl_div", KL_DIV_REDUCTIONS)
    _check_floating(log_probs, "kl_div")
    layout.broadcast_shapes(log_probs.shape, target.shape, "kl_div")
    if reduction == "mean":
        warnings.warn("kl_div: reduction 'mean' divides the total loss by both the batch "
                      "size and the support size; 'batchmean' divides only by the batch "
                      "size, and aligns with the KL div math definition", stacklevel=2)
    if log_target:
        losses = target.exp() * (target - log_probs)
    else:
        losses = _xlogx(target) - target * log_probs
    if reduction == "batchmean":
        total = losses.sum()
        return total / log_probs.shape[0] if log_probs.ndim else total
    return _reduce(losses, reduction, "kl_div")


def _classes_last(scores, target, op_name):
    """(scores as (M, C), target as (M,) class indices or (M, C) probabilities, the shape
    of the per-sample losses) for PyTorch's layouts: (N, C) with (N,) or (N, C); an
    unbatched (C,) with () or (C,); (N, C, d1, ...) with (N, d1, ...) or (N, C, d1, ...),
    the class dim moved last."""
    ndim = len(scores.shape)
    probabilities = target.dtype.is_floating_point
    if probabilities:
        expected = scores.shape
    else:
        expected = () if ndim == 1 else scores.shape[:1] + scores.shape[2:]
    if ndim == 0 or target.shape != expected:
        raise ValueError(f"{op_name}: expected input (N, C) and target (N,) of class "
                         "indices or (N, C) of probabilities (or (C,) with () or (C,), or "
                         f"(N, C, d1, ...) with (N, d1, ...) or (N, C, d1, ...)), got "
                         f"{format_shape(scores.shape)} and {format_shape(target.shape)}")
    if ndim == 2:
        return scores, target, scores.shape[:1]
    if ndim == 1:
        return (scores.unsqueeze(0), target.unsqueeze(0) if probabilities else
                target.reshape(1), ())
    classes_last = (0,) + tuple(range(2, ndim)) + (1,)
    moved = scores.permute(*classes_last).reshape(-1, scores.shape[1])
    target = target.permute(*classes_last).reshape(-1, scores.shape[1]) if probabilities \
        else target.reshape(-1)
    return moved, target, scores.shape[:1] + scores.shape[2:]


def _sample_losses(losses, reduction, shape, divisor):
    """Per-sample losses (M,) reduced: reshaped to `shape` ('none'), summed, or summed
    and divided by the number `divisor` ('mean'; a divisor of 0, when every sample is
    ignored or there are none, gives nan with a zero gradient, as in PyTorch)."""
    if reduction == "none":
        return losses.reshape(shape)
    total = losses.sum()
    if reduction == "sum":
        return total
    return total / divisor if divisor else total * 0.0 + math.nan


def _class_weight(weight, scores, op_name):
    """weight (C,) checked against scores (M, C), detached (PyTorch gives it no gradient)."""
    if weight.shape != scores.shape[1:] or weight.dtype is not scores.dtype:
        raise ValueError(f"{op_name}: weight must be a {scores.dtype.name} tensor of shape "
                         f"({scores.shape[1]},), one value per class, got "
                         f"{weight.dtype.name} {format_shape(weight.shape)}")
    functions._same_backend(scores, weight, op_name)
    return weight.detach()


def _kept(labels, ignored):
    """The numpy mask of the samples that count: all but those `ignored` (or None)."""
    return np.ones(labels.shape, bool) if ignored is None else ~ignored


def _nll(log_probs, labels, ignored, weight, reduction, shape):
    """nll_loss of (M, C) log-probabilities at the class indices `labels` (numpy) that
    check_class_targets passed, with its `ignored` mask: -weight[t] * log_probs[i, t]
    per sample, 0 where ignored; 'mean' divides by the sum of the weights of the samples
    not ignored (their count when weight is None), as PyTorch does."""
    kept = _kept(labels, ignored)
    safe = np.where(kept, labels, 0)
    counted = make_tensor(kept, dtype=log_probs.dtype, backend=log_probs.backend)
    kept_weight = counted if weight is None else weight[safe] * counted
    picked = log_probs[np.arange(labels.size), safe]
    total_weight = kept_weight.sum().item()
    if reduction == "mean" and total_weight == 0 and kept.any():
        # every counted sample weighs 0, and PyTorch divides by that total weight
        # anyway: the loss is nan, and so is each counted sample's gradient (0 / 0);
        # ignored samples still get 0
        shares = functions.where(counted > 0, kept_weight / total_weight, 0.0)
        return (-picked * shares).sum()
    return _sample_losses(-picked * kept_weight, reduction, shape, total_weight)


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """-input[i, target[i]] for log-probabilities input and int64 class indices, in
    PyTorch's layouts (see cross_entropy). weight (C,) scales each class's losses;
    samples whose target is ignore_index count for nothing. 'mean' divides by the
    total weight of the samples not ignored. nll_loss(log_softmax(x, 1), t) equals
    cross_entropy(x, t).
    """
    check_reduction(reduction, "nll_loss")
    if target.dtype.is_floating_point:
        raise TypeError(f"nll_loss: target must hold int64 class indices, got "
                        f"{target.dtype.name}; use target.long()")
    log_probs, target, shape = _classes_last(input, target, "nll_loss")
    labels, ignored = functions.check_class_targets(log_probs, target, "nll_loss",
                                                    ignore_index)
    if weight is not None:
        weight = _class_weight(weight, log_probs, "nll_loss")
    return _nll(log_probs, labels, ignored, weight, reduction, shape)


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """torch.nn.functional.cross_entropy: nll_loss(log_softmax(input, 1), target) for
    logits input (N, C), (C,) or (N, C, d1, ...).

    target: int64 class indices (N,) / () / (N, d1, ...), or class probabilities of
    input's shape. weight (C,): each class's loss scale. ignore_index: class-index
    targets equal to it count for nothing. label_smoothing e: the target becomes
    (1 - e) * target + e / C (for indices: (1 - e) * nll plus e times the mean over
    classes of -weight[c] * log p[c]). 'mean' divides as nll_loss does for indices, by
    the number of samples for probabilities. The common case (class indices, no
    weight, no smoothing, nothing ignored) is one graph node over fused kernels.
    """
    check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    scores, target, shape = _classes_last(input, target, "cross_entropy")
    if weight is not None:
        weight = _class_weight(weight, scores, "cross_entropy")
    if target.dtype.is_floating_point:
        return _cross_entropy_of_probabilities(scores, target, weight, ignore_index,
                                               reduction, label_smoothing, shape)
    labels, ignored = functions.check_class_targets(scores, target, "cross_entropy",
                                                    ignore_index)
    if weight is None and not label_smoothing and ignored is None:
        losses = functions.cross_entropy_of_rows(scores, target, reduction)
        return losses.reshape(shape) if reduction == "none" else losses
    log_probs = functions.log_softmax(scores, 1)
    loss = _nll(log_probs, labels, ignored, weight, reduction, shape)
    if not label_smoothing:
        return loss
    classes = scores.shape[1]
    kept = _kept(labels, ignored)
    per_class = log_probs if weight is None else log_probs * weight
    kept_rows = make_tensor(kept, dtype=scores.dtype, backend=scores.backend)
    smooth = -per_class.sum(1) * kept_rows
    divisor = int(kept.sum()) if weight is None else weight[labels[kept]].sum().item()
    smooth = _sample_losses(smooth, reduction, shape, divisor)
    return loss * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)


def _cross_entropy_of_probabilities(scores, target, weight, ignore_index, reduction,
                                    label_smoothing, shape):
    """cross_entropy against class probabilities (M, C): -sum_c weight[c] * target[c] *
    log_softmax(scores)[c] per sample; 'mean' divides by M."""
    if ignore_index >= 0:
        raise ValueError("cross_entropy: ignore_index is not supported for class "
                         "probability targets")
    if target.dtype is not scores.dtype:
        raise TypeError(f"cross_entropy: probability targets must have the input's dtype "
                        f"{scores.dtype.name}, got {target.dtype.name}")
    classes = scores.shape[1]
    if label_smoothing:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    weighted = functions.log_softmax(scores, 1) * target
    if weight is not None:
        weighted = weighted * weight
    return _sample_losses(-weighted.sum(1), reduction, shape, scores.shape[0])


_BCE_EPSILON = float(np.float32(1e-12))  # torch's (a C float, so 9.99999996e-13)


class _BinaryCrossEntropy(Function):
    """Elementwise -(y * log(p) + (1 - y) * log(1 - p)) with each log clamped at -100,
    as torch, so p = 0 or 1 gives a finite loss. backward is torch's: d/dp = (p - y) /
    max(p * (1 - p), 1e-12), finite at 0 and 1; d/dy = log(1 - p) - log(p)."""

    def forward(self, probabilities, target):
        self.save_for_backward(probabilities, target)
        with no_grad():
            log_p = probabilities.log().clamp(min=-100.0)
            log_not_p = functions.log1p(-probabilities).clamp(min=-100.0)
            return -(target * log_p + (1.0 - target) * log_not_p)

    def backward(self, grad):
        probabilities, target = self.saved_tensors
        spread = ((1.0 - probabilities) * probabilities).clamp(min=_BCE_EPSILON)
        grad_target = None
        if self.inputs[1] is not None:
            grad_target = grad * (functions.log1p(-probabilities) - probabilities.log())
        return grad * (probabilities - target) / spread, grad_target


def binary_cross_entropy(probabilities, target, weight=None, reduction="mean"):
    """torch.nn.functional.binary_cross_entropy: -(y log p + (1 - y) log(1 - p)) of
    probabilities p in [0, 1] against targets y of p's shape, each log clamped at -100
    (see _BinaryCrossEntropy). `weight`, broadcasting to p's shape, rescales each
    element's loss. An input outside [0, 1] (or nan) is a RuntimeError, as in torch."""
    name = "binary_cross_entropy"
    _check_same_shape(probabilities, target, name)
    _check_floating(probabilities, name)
    if not ((probabilities >= 0) & (probabilities <= 1)).all().item():
        raise RuntimeError(f"{name}: all elements of input should be between 0 and 1")
    losses = _BinaryCrossEntropy.apply(probabilities, target.type_as(probabilities))
    return _reduce(_weighted(losses, weight, name), reduction, name)


class _BCEWithLogits(Function):
    """Elementwise (1 - y) * x + (1 + (q - 1) * y) * softplus(-x): the logistic loss of
    logits x against targets y with positive-class weight q (1 when pos_weight is
    None), softplus(-x) = -logsigmoid(x) computed so that it never overflows. backward
    is torch's: d/dx = (1 + (q - 1) * y) * sigmoid(x) - q * y (sigmoid(x) - y without
    q; exact at x = 0, where the composite form would take a one-sided slope),
    d/dy = -x + (q - 1) * softplus(-x); pos_weight gets no gradient."""

    def forward(self, logits, target, pos_weight):
        self.save_for_backward(logits, target, pos_weight)
        with no_grad():
            scale, _ = _positive_scale(target, pos_weight)
            return (1.0 - target) * logits - scale * logsigmoid(logits)

    def backward(self, grad):
        logits, target, pos_weight = self.saved_tensors
        scale, weighted_target = _positive_scale(target, pos_weight)
        grad_target = None
        if self.inputs[1] is not None:
            grad_target = -logits if pos_weight is None else \
                (pos_weight - 1.0) * -logsigmoid(logits) - logits
            grad_target = grad * grad_target
        return grad * (sigmoid(logits) * scale - weighted_target), grad_target, None


def _positive_scale(target, pos_weight):
    """(1 + (q - 1) * y, q * y) for pos_weight q; (1, y) without it."""
    if pos_weight is None:
        return 1.0, target
    weighted_target = pos_weight * target
    return weighted_target - target + 1.0, weighted_target


def binary_cross_entropy_with_logits(logits, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1] of the logits'
    shape, computed from the logits so that any logit gives a finite loss (see
    _BCEWithLogits). `weight` rescales each element's loss; `pos_weight` (one value per
    class, broadcasting along the last dim) weighs the positive term
    -y * log(sigmoid(x)) and gets no gradient. Both must broadcast to the logits' shape."""
    name = "binary_cross_entropy_with_logits"
    _check_same_shape(logits, target, name)
    _check_floating(logits, name)
    if pos_weight is not None:
        _check_broadcasts_to(pos_weight, logits.shape, name, "pos_weight")
        pos_weight = pos_weight.detach().type_as(logits)
    losses = _BCEWithLogits.apply(logits, target.type_as(logits), pos_weight)
    return _reduce(_weighted(losses, weight, name), reduction, name)


# ---- the other losses of torch.nn: likelihoods, margins, embeddings, triplets ----------

def _broadcast_together(name, *tensors):
    """The shape the tensors broadcast to (as torch, these losses broadcast silently), or
    a ValueError naming the loss and the shapes."""
    shape = tensors[0].shape
    for tensor in tensors[1:]:
        shape = layout.broadcast_shapes(shape, tensor.shape, name)
    return shape


def _as_floating(target, like):
    """target as it is when floating point; integer or bool labels (counts, +-1) cast to
    like's dtype, the dtype torch's promotion would give them."""
    return target if target.dtype.is_floating_point else target.type_as(like)


def _check_same_ndim(name, **tensors):
    """ValueError naming the loss unless all the named tensors have the same rank."""
    if len({tensor.ndim for tensor in tensors.values()}) > 1:
        ranks = ", ".join(f"{what} {format_shape(tensor.shape)}"
                          for what, tensor in tensors.items())
        raise ValueError(f"{name}: expected inputs with the same number of dimensions, "
                         f"got {ranks}")


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _gaussian_variance(var, input, name):
    """var as a tensor broadcasting to input's shape by torch's rules: input's shape;
    input's shape without its last dim (one variance per row, unsqueezed); input's rank
    with exactly one differing dim, where var has size 1; or a Python number."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError(f"{name}: var must not be negative, got {var}")
        return make_tensor(float(var), dtype=input.dtype, backend=input.backend)
    if not var.dtype.is_floating_point:
        raise TypeError(f"{name}: var must be floating point, got {var.dtype.name}")
    if var.shape == input.shape[:-1]:
        var = var.unsqueeze(-1)
    elif var.shape != input.shape:
        differing = [size for size, wanted in zip(var.shape, input.shape) if size != wanted]
        if var.ndim != input.ndim or differing != [1]:
            raise ValueError(f"{name}: var {format_shape(var.shape)} must have the input's "
                             f"shape {format_shape(input.shape)}, that shape without its "
                             "last dim, or size 1 in one of its dims")
    if (var < 0).any().item():
        raise ValueError(f"{name}: var has negative entries")
    return var


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """torch.nn.functional.gaussian_nll_loss: the negative log-likelihood of target under
    normal distributions of mean input and variance var, 0.5 * (log(v) + (input -
    target)**2 / v) elementwise, plus 0.5 * log(2 pi) when full. v is var clamped below
    at eps, the clamp passing the gradient through as torch's. var is a non-negative
    Python number or a tensor of input's shape, of that shape without the last dim, or
    with size 1 in one dim (see _gaussian_variance); target broadcasts with input."""
    name = "gaussian_nll_loss"
    check_reduction(reduction, name)
    _check_floating(input, name)
    _broadcast_together(name, input, target)
    var = _ClampMinPassingGradient.apply(_gaussian_variance(var, input, name), eps)
    difference = input - target
    losses = (var.log() + difference * difference / var) * 0.5
    if full:
        losses = losses + _HALF_LOG_2PI
    return _reduce(losses, reduction, name)


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    """torch.nn.functional.poisson_nll_loss: the negative log-likelihood of counts target
    under Poisson distributions of rate input, without the constant log(target!):
    exp(input) - target * input when log_input (input is the log-rate), else input -
    target * log(input + eps). full adds Stirling's approximation of log(target!),
    target * log(target) - target + 0.5 * log(2 pi target), where target > 1. input and
    target broadcast; integer counts are accepted."""
    name = "poisson_nll_loss"
    check_reduction(reduction, name)
    _check_floating(input, name)
    _broadcast_together(name, input, target)
    target = _as_floating(target, input)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        losses = losses + functions.where(target > 1, stirling, 0.0)
    return _reduce(losses, reduction, name)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """torch.nn.functional.margin_ranking_loss: max(0, margin - target * (input1 -
    input2)) elementwise, target 1 asking input1 to rank above input2 by margin and -1
    below. The three must have the same rank (as torch) and broadcast together."""
    name = "margin_ranking_loss"
    check_reduction(reduction, name)
    _check_same_ndim(name, input1=input1, input2=input2, target=target)
    _check_floating(input1, name)
    _broadcast_together(name, input1, input2, target)
    target = _as_floating(target, input1)
    return _reduce((margin - target * (input1 - input2)).clamp(min=0.0), reduction, name)


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    """torch.nn.functional.hinge_embedding_loss of distances input against labels
    target: input where target is 1, max(0, margin - input) where it is -1 (and, as
    torch, the sum of both for any other label). input and target broadcast."""
    name = "hinge_embedding_loss"
    check_reduction(reduction, name)
    _check_floating(input, name)
    _broadcast_together(name, input, target)
    target = _as_floating(target, input)
    losses = functions.where(target != 1, (margin - input).clamp(min=0.0), 0.0) + \
        functions.where(target != -1, input, 0.0)
    return _reduce(losses, reduction, name)


_COSINE_EMBEDDING_EPSILON = 1e-12   # torch's, added to each squared norm


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """torch.nn.functional.cosine_embedding_loss: for pairs of vectors (input1, input2
    (N, D) with target (N,), or (D,) with a 0-d target) of cosine similarity cos, 1 -
    cos where target is 1, max(0, cos - margin) where it is -1, 0 for other labels. As
    torch, cos = x1.x2 / sqrt((|x1|^2 + 1e-12) * (|x2|^2 + 1e-12)), and the inputs
    broadcast together, their batch with target."""
    name = "cosine_embedding_loss"
    check_reduction(reduction, name)
    if target.ndim > 1:
        raise ValueError(f"{name}: target must be 0-d or 1-d (one label per pair), got "
                         f"{format_shape(target.shape)}")
    if input1.ndim != target.ndim + 1 or input2.ndim != target.ndim + 1:
        raise ValueError(f"{name}: a {target.ndim}-d target expects {target.ndim + 1}-d "
                         f"inputs, got {format_shape(input1.shape)} and "
                         f"{format_shape(input2.shape)}")
    _check_floating(input1, name)
    shape = _broadcast_together(name, input1, input2)
    layout.broadcast_shapes(shape[:-1], target.shape, name)
    target = _as_floating(target, input1)
    squares1 = (input1 * input1).sum(-1) + _COSINE_EMBEDDING_EPSILON
    squares2 = (input2 * input2).sum(-1) + _COSINE_EMBEDDING_EPSILON
    cosine = (input1 * input2).sum(-1) / (squares1 * squares2).sqrt()
    losses = functions.where(target == 1, 1.0 - cosine, 0.0) + \
        functions.where(target == -1, (cosine - margin).clamp(min=0.0), 0.0)
    return _reduce(losses, reduction, name)


def soft_margin_loss(input, target, reduction="mean"):
    """torch.nn.functional.soft_margin_loss: the two-class logistic loss log(1 +
    exp(-target * input)) elementwise for labels target of +-1, computed as
    -logsigmoid(target * input) so that it never overflows. input and target broadcast.
    Unlike torch, which refuses, a target that requires grad gets its gradient."""
    name = "soft_margin_loss"
    check_reduction(reduction, name)
    _check_floating(input, name)
    _broadcast_together(name, input, target)
    return _reduce(-logsigmoid(_as_floating(target, input) * input), reduction, name)


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    """torch.nn.functional.multilabel_soft_margin_loss: for scores input (N, C) (or (C,)
    and more leading dims) and targets in [0, 1] broadcasting to it, the binary logistic
    loss of each class, -(y log sigmoid(x) + (1 - y) log sigmoid(-x)), times weight
    (broadcasting to input's shape) when given, averaged over the last (class) dim: one
    loss per sample, then reduced."""
    name = "multilabel_soft_margin_loss"
    check_reduction(reduction, name)
    _check_floating(input, name)
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dim, got a 0-d tensor")
    _check_broadcasts_to(target, input.shape, name, "target")
    target = _as_floating(target, input)
    losses = -(target * logsigmoid(input) + (1.0 - target) * logsigmoid(-input))
    losses = _weighted(losses, weight, name)
    return _reduce(losses.sum(-1) / input.shape[-1], reduction, name)


def _margin_scores(input, target, name):
    """(input as (N, C), target as (N,)) for the class-index margin losses, whose input
    is (N, C) with target (N,), or (C,) with target () or (1,)."""
    batched = input.ndim == 2 and target.shape == input.shape[:1]
    unbatched = input.ndim == 1 and target.shape in ((), (1,))
    if not (batched or unbatched) or input.shape[-1] == 0:
        raise ValueError(f"{name}: expected input (N, C) with target (N,), or (C,) with "
                         f"target () or (1,), C > 0, got {format_shape(input.shape)} and "
                         f"{format_shape(target.shape)}")
    return (input.unsqueeze(0), target.reshape(1)) if unbatched else (input, target)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """torch.nn.functional.multi_margin_loss, the multi-class hinge loss: for scores x
    (N, C) (or (C,)) and int64 class indices y (N,) (or () or (1,)), per sample the sum
    over classes j != y of weight[y] * max(0, margin - x[y] + x[j])**p, divided by C.
    p is 1 or 2; weight (C,), one value per class, gets no gradient. As torch, a term
    exactly at 0 passes no gradient. 'none' gives the losses in target's shape."""
    name = "multi_margin_loss"
    check_reduction(reduction, name)
    if p not in (1, 2):
        raise ValueError(f"{name}: p must be 1 or 2, got {p}")
    scores, target_rows = _margin_scores(input, target, name)
    labels, _ = functions.check_class_targets(scores, target_rows, name)
    if weight is not None:
        weight = _class_weight(weight, scores, name)
    classes = scores.shape[1]
    rows = np.arange(labels.size)
    hinges = functions.relu(scores - scores[rows, labels].unsqueeze(1) + margin)
    if p == 2:
        hinges = hinges * hinges
    if weight is not None:
        hinges = hinges * weight[labels].unsqueeze(1)
    other_classes = make_tensor(np.arange(classes) != labels[:, None], dtype=scores.dtype,
                                backend=scores.backend)
    losses = (hinges * other_classes).sum(1) / classes
    return _reduce(losses.reshape(target.shape), reduction, name)


def _listed_class_counts(labels, name):
    """For multilabel_margin_loss's int64 targets (N, C) (numpy): each row lists its
    target classes and ends at the first -1. Returns the (N, C) count of how often each
    class is listed; every entry, listed or not, must be in [-1, C) as torch checks."""
    classes = labels.shape[1]
    outside = (labels < -1) | (labels >= classes)
    if outside.any():
        raise IndexError(f"{name}: target {int(labels[outside][0])} is out of range: "
                         f"entries must be class indices in [0, {classes}) or -1, which "
                         "ends a sample's list")
    listed = np.cumprod(labels != -1, axis=1).astype(bool)
    counts = np.zeros(labels.shape)
    np.add.at(counts, (np.nonzero(listed)[0], labels[listed]), 1)
    return counts


def multilabel_margin_loss(input, target, reduction="mean"):
    """torch.nn.functional.multilabel_margin_loss, the multi-label hinge loss: for scores
    x (N, C) (or (C,)) and int64 targets of the same shape, each row listing its target
    classes and ending at its first -1, per sample the sum over listed classes j and
    classes k not listed of max(0, 1 - (x[j] - x[k])), divided by C; a class listed
    twice counts twice, as in torch. As torch, a term exactly at 0 passes no gradient."""
    name = "multilabel_margin_loss"
    check_reduction(reduction, name)
    if input.ndim not in (1, 2) or input.shape[-1] == 0 or target.shape != input.shape:
        raise ValueError(f"{name}: expected input (N, C) or (C,), C > 0, and target of "
                         f"the same shape, got {format_shape(input.shape)} and "
                         f"{format_shape(target.shape)}")
    if target.dtype is not functions.int64:
        raise TypeError(f"{name}: target must hold int64 class indices, got "
                        f"{target.dtype.name}; use target.long()")
    _check_floating(input, name)
    scores = input.reshape(-1, input.shape[-1])
    counts = _listed_class_counts(target.numpy().reshape(scores.shape), name)
    # pair_counts[i, j, k]: how often sample i lists j, when k is not one of its targets
    pair_counts = counts[:, :, None] * (counts == 0)[:, None, :]
    hinges = functions.relu(1.0 - scores.unsqueeze(2) + scores.unsqueeze(1))
    pairs = make_tensor(pair_counts, dtype=scores.dtype, backend=scores.backend)
    losses = (hinges * pairs).sum((1, 2)) / scores.shape[1]
    return _reduce(losses.reshape(input.shape[:-1]), reduction, name)


def _triplet_losses(anchor, positive, negative, distance, margin, swap, reduction, name):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), reduced, where with
    swap d(anchor, negative) becomes min(d(anchor, negative), d(positive, negative))."""
    check_reduction(reduction, name)
    if not margin > 0:
        raise ValueError(f"{name}: margin must be greater than 0, got {margin}")
    _check_same_ndim(name, anchor=anchor, positive=positive, negative=negative)
    _broadcast_together(name, anchor, positive, negative)
    to_negative = distance(anchor, negative)
    if swap:
        to_negative = functions.minimum(to_negative, distance(positive, negative))
    losses = (margin + distance(anchor, positive) - to_negative).clamp(min=0.0)
    return _reduce(losses, reduction, name)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6,
                        swap=False, reduction="mean"):
    """torch.nn.functional.triplet_margin_loss of embeddings (N, D) (or (D,)): the
    triplet loss (see _triplet_losses) with distance pairwise_distance(x1, x2, p, eps),
    the p-norm of x1 - x2 + eps along the last dim. The three have the same rank and
    broadcast together; margin must be positive."""
    name = "triplet_margin_loss"
    for embeddings in (anchor, positive, negative):
        _check_floating(embeddings, name)
    return _triplet_losses(anchor, positive, negative,
                           lambda x1, x2: pairwise_distance(x1, x2, p, eps), margin, swap,
                           reduction, name)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """torch.nn.functional.triplet_margin_with_distance_loss: the triplet loss (see
    _triplet_losses) with any distance_function(x1, x2) returning non-negative distances
    (pairwise_distance when None). The three have the same rank and broadcast together;
    margin must be positive."""
    distance = pairwise_distance if distance_function is None else distance_function
    return _triplet_losses(anchor, positive, negative, distance, margin, swap, reduction,
                           "triplet_margin_with_distance_loss")


EMBEDDING_BAG_MODES = ("sum", "mean", "max")


def _check_embedding_bag_mode(mode, op_name):
    if mode not in EMBEDDING_BAG_MODES:
        raise ValueError(f"{op_name}: mode must be 'sum', 'mean' or 'max', got {mode!r}")


def _bag_bounds(input, offsets, include_last_offset):
    """(starts, lengths) of the bags, numpy int64 arrays of positions into
    input.reshape(-1): the rows of a 2-D input (offsets None), or for a 1-D input the
    runs from each offset to the next (to the end of input for the last, unless
    include_last_offset makes the last offset that end, leaving one bag fewer)."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: offsets must be None for a 2-D input (each "
                             "row is a bag)")
        bags, size = input.shape
        return np.arange(bags) * size, np.full(bags, size)
    if input.ndim != 1:
        raise ValueError(f"embedding_bag: input must be 1-D (with offsets) or 2-D, got "
                         f"{format_shape(input.shape)}")
    if not isinstance(offsets, functions.Tensor) or offsets.dtype is not functions.int64 \
            or offsets.ndim != 1:
        raise ValueError("embedding_bag: a 1-D input needs offsets, a 1-D int64 tensor of "
                         "the bags' start positions")
    functions._same_backend(input, offsets, "embedding_bag")
    bounds = offsets.numpy()
    if bounds.size and bounds[0] != 0:
        raise ValueError(f"embedding_bag: offsets[0] must be 0, got {bounds[0]}")
    if np.any(np.diff(bounds) < 0) or (bounds.size and bounds[-1] > input.shape[0]):
        raise ValueError(f"embedding_bag: offsets must be non-decreasing and at most the "
                         f"input's length {input.shape[0]}")
    ends = bounds[1:] if include_last_offset else np.append(bounds[1:], input.shape[0])
    starts = bounds[:len(ends)]
    return starts, ends - starts


def _renorm_rows_(weight, indices, max_norm, norm_type):
    """torch's embedding_renorm_: each row of weight that `indices` name whose
    norm_type-norm exceeds max_norm is scaled in place to norm max_norm (over norm +
    1e-7), unrecorded by autograd."""
    rows = np.unique(indices)
    with no_grad():
        looked_up = weight[rows]
        norms = functions.norm(looked_up, norm_type, dim=1, keepdim=True)
        scale = functions.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = looked_up * scale


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """torch.nn.functional.embedding_bag: the rows of weight (num_embeddings, D) that
    each bag of int64 indices names, reduced per bag by `mode` ('sum', 'mean' or 'max'
    per feature), giving (bags, D). A bag is a row of a 2-D input, or for a 1-D input
    the run of indices between consecutive `offsets` (see _bag_bounds). Indices equal to
    padding_idx are left out of their bag; an empty bag gives zeros. per_sample_weights
    (input's shape and weight's dtype, 'sum' only) scales each looked-up row. max_norm
    first renormalises, in place, the rows input names (see _renorm_rows_). In 'max'
    mode a feature's gradient goes to the first row holding the maximum, as in torch.
    Refused: scale_grad_by_freq and sparse gradients (NotImplementedError)."""
    name = "embedding_bag"
    _check_embedding_bag_mode(mode, name)
    if scale_grad_by_freq or sparse:
        raise NotImplementedError(f"{name}: scale_grad_by_freq and sparse gradients are "
                                  "not supported")
    if weight.ndim != 2:
        raise ValueError(f"{name}: weight must be 2-D, got {format_shape(weight.shape)}")
    indices = functions._index_positions(weight, input, weight.shape[0], name).reshape(-1)
    starts, lengths = _bag_bounds(input, offsets, include_last_offset)
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"{name}: per_sample_weights is only supported with "
                                      f"mode='sum', got mode={mode!r}")
        if per_sample_weights.shape != input.shape or \
                per_sample_weights.dtype is not weight.dtype:
            raise ValueError(f"{name}: per_sample_weights must be a {weight.dtype.name} "
                             f"tensor of input's shape {format_shape(input.shape)}, got "
                             f"{per_sample_weights.dtype.name} "
                             f"{format_shape(per_sample_weights.shape)}")
        functions._same_backend(weight, per_sample_weights, name)
    padding_idx = _padding_index(padding_idx, weight.shape[0], name)
    if max_norm is not None:
        _renorm_rows_(weight, indices, max_norm, norm_type)
    # Bags side by side as a (bags, longest) grid of positions into input, with a mask of
    # the cells that hold an index of the bag (not past its end, not padding_idx).
    longest = max(int(lengths.max(initial=0)), 1)
    steps = np.arange(longest)
    in_bag = steps < lengths[:, None]
    positions = np.where(in_bag, starts[:, None] + steps, 0)
    looked_up = np.where(in_bag, indices[positions] if indices.size else 0, 0)
    if padding_idx is not None:
        in_bag &= looked_up != padding_idx
    mask = make_tensor(in_bag[..., None], backend=weight.backend)
    rows = weight[looked_up]
    if mode == "max":
        largest = functions.where(mask, rows, -math.inf).max(1).values
        return functions.where(mask.any(1), largest, 0.0)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[positions][..., None]
    total = functions.where(mask, rows, 0.0).sum(1)
    if mode == "sum":
        return total
    counts = np.maximum(in_bag.sum(1, keepdims=True), 1)
    return total / make_tensor(counts, dtype=weight.dtype, backend=weight.backend)


def _log_sum_exp(values, dim):
    """logsumexp over dim that is -inf where every value is -inf with a zero gradient
    there, not nan (0 * 1/0): CTC states no alignment reaches hold -inf."""
    shift = values.amax(dim, keepdim=True).detach()
    unreached = shift == -math.inf
    shift = functions.where(unreached, 0.0, shift)
    total = functions.where(unreached, 1.0, (values - shift).exp().sum(dim, keepdim=True))
    return functions.where(unreached, -math.inf, total.log() + shift).squeeze(dim)


def _ctc_lengths(lengths, batch, name, what):
    """input_lengths or target_lengths (an int64 tensor, or a sequence of ints) as a
    numpy array of `batch` non-negative ints."""
    if isinstance(lengths, functions.Tensor):
        if lengths.dtype is not functions.int64:
            raise TypeError(f"{name}: {what} must be int64, got {lengths.dtype.name}")
        lengths = lengths.numpy()
    lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    if lengths.size != batch:
        raise ValueError(f"{name}: {what} must hold {batch} lengths, one per sequence, "
                         f"got {lengths.size}")
    if np.any(lengths < 0):
        raise ValueError(f"{name}: {what} must be non-negative, got {lengths.tolist()}")
    return lengths


def _ctc_targets(targets, target_lengths, unbatched, classes, name):
    """The labels as a numpy (N, longest target) array, row b's first target_lengths[b]
    used: from padded targets (N, S) ((S,) when unbatched) or from the N sequences
    concatenated, (sum(target_lengths),). Used labels must lie in [0, classes)."""
    if not isinstance(targets, functions.Tensor) or targets.dtype is not functions.int64:
        found = targets.dtype.name if isinstance(targets, functions.Tensor) else \
            type(targets).__name__
        raise TypeError(f"{name}: targets must be an int64 tensor, got {found}")
    labels = targets.numpy()
    batch, total = target_lengths.size, int(target_lengths.sum())
    if unbatched and labels.ndim == 1:
        labels = labels[None]
    elif labels.ndim == 1:
        if labels.size != total:
            raise ValueError(f"{name}: concatenated targets must hold sum(target_lengths) "
                             f"= {total} labels, got {labels.size}")
        used = np.arange(target_lengths.max(initial=0)) < target_lengths[:, None]
        padded = np.zeros(used.shape, np.int64)
        padded[used] = labels   # row-major order is the order of concatenation
        labels = padded
    if labels.ndim != 2 or labels.shape[0] != batch or \
            np.any(target_lengths > labels.shape[1]):
        raise ValueError(f"{name}: targets must be padded (N, S) with S at least the "
                         f"longest target (or (S,) for unbatched input), or 1-D "
                         f"concatenated; got {format_shape(targets.shape)} for N={batch} "
                         f"and target_lengths {target_lengths.tolist()}")
    used = np.arange(labels.shape[1]) < target_lengths[:, None]
    if np.any(used & ((labels < 0) | (labels >= classes))):
        raise IndexError(f"{name}: target labels must be in [0, {classes}), got "
                         f"{labels[used & ((labels < 0) | (labels >= classes))][0]}")
    return np.where(used, labels, 0)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """torch.nn.functional.ctc_loss: the Connectionist Temporal Classification loss,
    -log of the total probability of every alignment of log_probs (T, N, C) (or unbatched
    (T, C)) to each target: label sequences with `blank` and repeats that collapse to
    it. targets are padded (N, S) or concatenated (see _ctc_targets); input_lengths and
    target_lengths are int64 tensors or sequences of N ints (one int, or a 0-d tensor,
    when unbatched). Losses are (N,) ('none', () unbatched), their sum, or ('mean') the
    mean of each loss over its target length (at least 1). A target no alignment fits
    gives inf, or 0 with a zero gradient under zero_infinity.

    Computed with the forward (alpha) recursion in log space over time, so autograd
    gives the gradient of the loss itself. torch's own backward instead returns the
    gradient with respect to the logits behind a log_softmax (it adds exp(log_probs)),
    so the two agree through log_softmax, the documented way to make log_probs; where
    torch's gradient of an infinite loss is nan, this one is 0."""
    name = "ctc_loss"
    check_reduction(reduction, name)
    _check_floating(log_probs, name)
    if log_probs.ndim not in (2, 3):
        raise ValueError(f"{name}: log_probs must be (T, N, C) or unbatched (T, C), got "
                         f"{format_shape(log_probs.shape)}")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise ValueError(f"{name}: blank must be in [0, {classes}), got {blank}")
    input_lengths = _ctc_lengths(input_lengths, batch, name, "input_lengths")
    if np.any(input_lengths > steps):
        raise ValueError(f"{name}: input_lengths must be at most T = {steps}, got "
                         f"{input_lengths.tolist()}")
    target_lengths = _ctc_lengths(target_lengths, batch, name, "target_lengths")
    labels = _ctc_targets(targets, target_lengths, unbatched, classes, name)
    # The extended targets: blank, label 1, blank, label 2, ..., blank, one state each.
    states = 2 * labels.shape[1] + 1
    extended = np.full((batch, states), blank)
    extended[:, 1::2] = labels
    can_skip = np.zeros((batch, states), bool)   # from state s - 2: a label after a blank
    can_skip[:, 3::2] = extended[:, 3::2] != extended[:, 1:-2:2]
    emissions = log_probs[:, np.arange(batch)[:, None], extended]   # (T, N, states)
    can_skip = make_tensor(can_skip, backend=log_probs.backend)
    # alpha before the first step: all probability in the first state.
    alpha = make_tensor(np.where(np.arange(states) == 0, 0.0, -np.inf)[None].repeat(
        batch, 0), dtype=log_probs.dtype, backend=log_probs.backend)
    unreached = full((batch, 2), -math.inf, dtype=log_probs.dtype, backend=log_probs.backend)
    for step in range(int(input_lengths.max(initial=0))):
        before = functions.cat([unreached, alpha], 1)
        skip = functions.where(can_skip, before[:, :-2], -math.inf)
        arrivals = functions.stack([before[:, 2:], before[:, 1:-1], skip], 2)
        advanced = _log_sum_exp(arrivals, 2) + emissions[step]
        running = make_tensor((step < input_lengths)[:, None], backend=log_probs.backend)
        alpha = functions.where(running, advanced, alpha)
    # An alignment ends in the last blank or the last label.
    last = 2 * target_lengths
    finals = alpha[np.arange(batch)[:, None], np.stack([last, np.maximum(last - 1, 0)], 1)]
    has_label = make_tensor(np.stack([np.ones(batch, bool), last > 0], 1),
                            backend=log_probs.backend)
    losses = -_log_sum_exp(functions.where(has_label, finals, -math.inf), 1)
    if zero_infinity:
        losses = functions.where(losses == math.inf, 0.0, losses)
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    per_label = make_tensor(np.maximum(target_lengths, 1), dtype=log_probs.dtype,
                            backend=log_probs.backend)
    return (losses / per_label).mean()


def relu(x, inplace=False):
    """max(x, 0); with inplace=True written into x (as x.relu_(), which autograd records
    when x is part of a graph)."""
    return x.relu_() if inplace else functions.relu(x)


# ---- dropout ----------------------------------------------------------------------------

# SELU's negative saturation value is -_ALPHA_DROPOUT_SATURATION: alpha dropout sets the
# dropped elements near it, where SELU activations sit when "off"
_ALPHA_DROPOUT_SATURATION = 1.7580993408473766


def check_dropout_probability(p, name):
    """Raise ValueError naming `name` unless 0 <= p <= 1."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: probability p must be between 0 and 1, got {p}")


def _drop(x, p, training, inplace, generator, alpha=False, channel_dim=None, name=None):
    """The one body of every dropout. While training (and p > 0, x not empty) draw a keep
    mask, one entry per element (channel_dim None) or per channel (one per index of dims
    0..channel_dim, shared by the rest; a channel dim x lacks is refused naming `name`),
    each entry kept with probability 1 - p from minitorch's seeded generator, then
    - alpha=False: x * keep / (1 - p), so each element keeps its expected value;
    - alpha=True: a * x + a * alpha' * p where kept and a * alpha' * (p - 1) where dropped,
      alpha' the saturation value and a = 1 / sqrt((alpha'^2 p + 1)(1 - p)), which keeps
      a zero-mean unit-variance input so (torch's alpha dropout).
    p = 1 gives x * 0 in both cases, as torch; outside training x itself is returned.
    inplace=True writes the result into x."""
    if not training or p == 0.0 or x.numel() == 0:
        return x
    if p == 1.0:
        return x.mul_(0.0) if inplace else x * 0.0
    if channel_dim is None:
        noise_shape = x.shape
    elif x.ndim <= channel_dim:
        raise ValueError(f"{name}: feature dropout needs a channel dim {channel_dim}, got "
                         f"input {format_shape(x.shape)}")
    else:
        noise_shape = x.shape[:channel_dim + 1] + (1,) * (x.ndim - channel_dim - 1)
    keep = (rand(noise_shape, generator=generator, dtype=x.dtype, backend=x.backend)
            >= p).type_as(x)
    if not alpha:
        scale = keep * (1.0 / (1.0 - p))
        return x.mul_(scale) if inplace else x * scale
    saturation = _ALPHA_DROPOUT_SATURATION
    a = 1.0 / math.sqrt((saturation * saturation * p + 1.0) * (1.0 - p))
    shift = (keep - 1.0) * (saturation * a) + saturation * a * p
    return x.mul_(keep * a).add_(shift) if inplace else x * (keep * a) + shift


def dropout(x, p=0.5, training=True, inplace=False, generator=None):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while
    training; the identity otherwise. The mask comes from minitorch's seeded generator.
    inplace=True writes the result into x."""
    check_dropout_probability(p, "dropout")
    return _drop(x, p, training, inplace, generator)


def dropout1d(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero whole channels of input (N, C, L) or unbatched (C, L) with probability p and
    scale the rest by 1 / (1 - p) while training; the identity otherwise. Other ranks are
    refused."""
    check_dropout_probability(p, "dropout1d")
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got "
                         f"{format_shape(input.shape)}")
    return _drop(input, p, training, inplace, generator, channel_dim=input.ndim - 2,
                 name="dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero whole channels of input (N, C, H, W) with probability p and scale the rest by
    1 / (1 - p) while training; the identity otherwise. As torch, a 3-D input is read as
    (N, C, L) (with a warning: torch will read it as (C, H, W) in future), and another
    rank, deprecated, is warned about, then dropped by channel as (N, C, *)."""
    check_dropout_probability(p, "dropout2d")
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: a {input.ndim}-D input is deprecated (dropout2d drops "
                      f"channels of 3-D or 4-D inputs); use dropout instead", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: a 3-D input is read as (N, C, L) and its channels dropped "
                      "as dropout1d does; a future torch reads it as unbatched (C, H, W). "
                      "Use dropout1d to keep this behaviour", stacklevel=2)
    return _drop(input, p, training, inplace, generator, channel_dim=1, name="dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero whole channels of input (N, C, D, H, W) or unbatched (C, D, H, W) with
    probability p and scale the rest by 1 / (1 - p) while training; the identity
    otherwise. As torch, another rank is deprecated, warned about, and read as unbatched
    (its dim 0 the channels)."""
    check_dropout_probability(p, "dropout3d")
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: a {input.ndim}-D input is deprecated (dropout3d drops "
                      f"channels of 4-D or 5-D inputs); use dropout instead", stacklevel=2)
    return _drop(input, p, training, inplace, generator,
                 channel_dim=1 if input.ndim == 5 else 0, name="dropout3d")


def alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """Dropout for SELU networks: while training, each element is dropped with
    probability p to SELU's saturation value and the result scaled and shifted so that a
    zero-mean unit-variance input keeps its mean and variance (see _drop); the identity
    otherwise. As torch, training defaults to False here."""
    check_dropout_probability(p, "alpha_dropout")
    return _drop(input, p, training, inplace, generator, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """alpha_dropout of whole channels of input (N, C, *) (torch's feature dropout: one
    mask entry per sample and channel); training defaults to False."""
    check_dropout_probability(p, "feature_alpha_dropout")
    return _drop(input, p, training, inplace, generator, alpha=True, channel_dim=1,
                 name="feature_alpha_dropout")


def _inplace_result(x, activation, inplace):
    """activation(x), or with inplace=True activation(x) written into x and x returned.
    Autograd records the write; the activation then reads a clone of x when x requires
    grad, so that what its backward saved is not the memory the write changes."""
    if not inplace:
        return activation(x)
    return x.copy_(activation(x.clone() if x.requires_grad else x))


# ---- activations ------------------------------------------------------------------------

def _piecewise_linear(x, values, gradient):
    """values(x) as one graph node whose backward is gradient(grad, x) (see
    functions.PiecewiseLinear: relu's family, whose gradients are themselves
    differentiable, with a zero derivative w.r.t. x, as torch's)."""
    return functions.PiecewiseLinear.apply(x, values, gradient)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    return _inplace_result(input, lambda x: _piecewise_linear(
        x, lambda a: functions.where(a > 0, a, a * negative_slope),
        lambda grad, a: functions.where(a > 0, grad, grad * negative_slope)), inplace)


def _exponential_linear(input, alpha, scale=1.0, input_scale=1.0):
    """scale * x where x > 0, else scale * alpha * expm1(input_scale * x): elu, selu and
    celu (torch's elu with its scale and input_scale), with torch's gradient: scale *
    alpha * input_scale * exp(input_scale * x) up to 0, scale above and at nan. exp and
    expm1 see min(x, 0), so the branch not taken never overflows (into a nan second
    derivative)."""
    def values(x):
        negative = functions.expm1(x.clamp(max=0.0) * input_scale) * alpha
        return functions.where(x > 0, x, negative) * scale

    def gradients(grad, x):
        slope = functions.exp(x.clamp(max=0.0) * input_scale) * (scale * alpha * input_scale)
        return (functions.where(x <= 0, grad * slope, grad * scale),)
    return functions.ExplicitGradient.apply("Elu", values, gradients, False, input)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * expm1(x)."""
    return _inplace_result(input, lambda x: _exponential_linear(x, alpha), inplace)


# SELU's constants (Klambauer et al., 2017), as torch's
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * (x where x > 0, else alpha * expm1(x)), with SELU's fixed alpha ~ 1.6733
    and scale ~ 1.0507 (the self-normalising choice)."""
    _check_floating(input, "selu")
    return _inplace_result(
        input, lambda x: _exponential_linear(x, _SELU_ALPHA, _SELU_SCALE), inplace)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * expm1(x / alpha) (continuously differentiable at 0 for
    every alpha); alpha 0 is refused."""
    _check_floating(input, "celu")
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0")
    return _inplace_result(
        input, lambda x: _exponential_linear(x, alpha, input_scale=1.0 / alpha), inplace)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish); sigmoid never overflows."""
    return _inplace_result(input, lambda x: x * sigmoid(x), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (where the
    two agree to within exp(-threshold)), as PyTorch. exp sees beta * x capped at the
    threshold, so it cannot overflow, not even in the branch that is not taken; a nan
    passes the cap, so its gradient is nan, as torch's."""
    scaled = input * beta
    capped = functions.where(scaled > threshold, threshold, scaled)
    smooth = functions.log1p(functions.exp(capped)) / beta
    return functions.where(scaled > threshold, input, smooth)


def _in_dtype_of(x, *scalars):
    """The scalar arguments of an activation, truncated to ints for an integer x: torch
    casts them to x's dtype, so the result keeps it."""
    return scalars if x.dtype.is_floating_point else tuple(int(value) for value in scalars)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val]; the gradient is 1 strictly inside, 0 elsewhere
    (at the bounds too, as PyTorch's hardtanh_backward)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} cannot be greater than max_val "
                         f"{max_val}")
    min_val, max_val = _in_dtype_of(input, min_val, max_val)
    def clamped(x):
        return functions.where(x <= min_val, min_val, functions.where(x >= max_val, max_val, x))

    def gradient(grad, x):   # a nan x passes grad on, as torch's
        return functions.where((x <= min_val) | (x >= max_val), 0.0, grad)
    return _inplace_result(input, lambda x: _piecewise_linear(x, clamped, gradient), inplace)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _inplace_result(input, lambda x: x * tanh(softplus(x)), inplace)


def _hardsigmoid_values(x):
    return relu6(x + 3.0) / 6.0


def _hardsigmoid_gradient(grad, x):   # 0 at a nan x, as torch's (unlike hardtanh's)
    return functions.where((x > -3.0) & (x < 3.0), grad / 6.0, 0.0)


def hardsigmoid(x, inplace=False):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between; the gradient is 1/6
    strictly inside (-3, 3) and 0 elsewhere (at the kinks and at nan), as torch's."""
    return _inplace_result(x, lambda source: _piecewise_linear(
        source, _hardsigmoid_values, _hardsigmoid_gradient), inplace)


def _hardswish_values(x):
    return x * relu6(x + 3.0) / 6.0


def _hardswish_gradients(grad, x):
    # torch's: 0 up to -3, x / 3 + 1/2 between the kinks, 1 from 3 on and at a nan x
    inside = functions.where(x < 3.0, grad * (x / 3.0 + 0.5), grad)
    return (functions.where(x <= -3.0, 0.0, inside),)


def hardswish(x, inplace=False):
    """x * relu6(x + 3) / 6, with torch's gradient (see _hardswish_gradients): 0 and 1 at
    the kinks -3 and 3, 1 at nan."""
    return _inplace_result(x, lambda source: functions.ExplicitGradient.apply(
        "Hardswish", _hardswish_values, _hardswish_gradients, False, source), inplace)


def softsign(x):
    """x / (1 + |x|)."""
    return x / (x.abs() + 1.0)


def _softmax_dim(name, tensor, dim, stacklevel):
    """dim, or for dim None torch's deprecated implicit choice (0 for a 0-, 1- or 3-D
    tensor, else 1) with torch's warning (stacklevel: torch's, where it points)."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if tensor.ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002 (torch's name)
    """minitorch.softmax over dim (see _softmax_dim for dim None)."""
    return functions.softmax(input, _softmax_dim("softmax", input, dim, _stacklevel), dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """minitorch.log_softmax over dim (see _softmax_dim for dim None)."""
    return functions.log_softmax(input, _softmax_dim("log_softmax", input, dim, _stacklevel),
                                 dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """softmax(-input) over dim (see _softmax_dim for dim None)."""
    return functions.softmax(-input, _softmax_dim("softmin", input, dim, _stacklevel), dtype)


def threshold(x, threshold, value, inplace=False):
    """x where x > threshold, else value (nan stays nan); the gradient is 1 where x >
    threshold, 0 elsewhere."""
    threshold, value = _in_dtype_of(x, threshold, value)
    return _inplace_result(x, lambda source: _piecewise_linear(
        source, lambda a: functions.where(a <= threshold, value, a),
        lambda grad, a: functions.where(a <= threshold, 0.0, grad)), inplace)


def glu(x, dim=-1):
    """The gated linear unit a * sigmoid(b), a and b the two halves of x along dim (whose
    size must be even). x must be floating point."""
    _check_floating(x, "glu")
    if x.ndim == 0:
        raise ValueError("glu: does not support a 0-d input; its halving dim must have "
                         "an even size")
    dim = layout.normalize_dim(dim, x.ndim, "glu")
    if x.shape[dim] % 2:
        raise ValueError(f"glu: dimension {dim} of input {format_shape(x.shape)} must "
                         f"have an even size to be halved, got {x.shape[dim]}")
    first, second = x.chunk(2, dim)
    return first * sigmoid(second)


def prelu(x, weight):
    """x where x > 0, else weight * x, with one learned slope (weight of 1 element) or
    one per channel (weight (C,) for x (N, C, ...)). The gradients are torch's: weight
    where x <= 0 for x, and x there for weight."""
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-D, got "
                         f"{format_shape(weight.shape)}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.numel() == 1:
        slope = weight.reshape(())
    elif weight.numel() == channels:
        slope = weight.reshape((channels,) + (1,) * (x.ndim - 2))
    else:
        raise ValueError(f"prelu: weight of {weight.numel()} elements must hold 1 slope "
                         f"or one per channel, and input {format_shape(x.shape)} has "
                         f"{channels} channel(s) (dim 1)")
    # x split at 0 by two piecewise-linear nodes (nan goes to the negative side, as in
    # torch), so that the gradient w.r.t. x has a recorded zero derivative w.r.t. x
    positive = _piecewise_linear(x, lambda a: functions.where(a > 0, a, 0.0),
                                 lambda grad, a: functions.where(a > 0, grad, 0.0))
    negative = _piecewise_linear(x, lambda a: functions.where(a > 0, 0.0, a),
                                 lambda grad, a: functions.where(a > 0, 0.0, grad))
    return positive + slope * negative


class _LogSigmoid(Function):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), which never overflows; d/dx =
    sigmoid(-x) exactly (the composite form would give a slope of 1, not 1/2, at 0)."""

    def forward(self, x):
        self.save_for_backward(x)
        with no_grad():
            return x.clamp(max=0.0) - functions.log1p(functions.exp(-x.abs()))

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * sigmoid(-x)


def logsigmoid(input):
    """log(1 / (1 + exp(-x))), stable for large |x| (see _LogSigmoid)."""
    if not input.dtype.is_floating_point:
        raise TypeError(f"logsigmoid: input must be floating point, got {input.dtype.name}")
    return _LogSigmoid.apply(input)


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF: 0.5 * x * (1 + erf(x / sqrt(2))) for
    approximate='none'; 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) for
    approximate='tanh'."""
    if approximate == "none":
        return input * 0.5 * (erf(input * (1.0 / math.sqrt(2.0))) + 1.0)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (tanh(inner) + 1.0)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def check_rrelu_bounds(lower, upper, name):
    """Raise ValueError naming `name` unless lower <= upper."""
    if lower > upper:
        raise ValueError(f"{name}: lower bound {lower} must not exceed upper bound {upper}")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False,
          generator=None):
    """The randomized leaky ReLU: x where x > 0, else slope * x. While training each
    element draws its own slope uniformly from [lower, upper) (minitorch's seeded
    generator), and its gradient is that slope; otherwise the slope is (lower + upper) / 2
    (leaky_relu). As torch, training defaults to False here."""
    _check_floating(input, "rrelu")
    check_rrelu_bounds(lower, upper, "rrelu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    slopes = rand(input.shape, generator=generator, dtype=input.dtype,
                  backend=input.backend) * (upper - lower) + lower
    return _inplace_result(input, lambda x: functions.where(x > 0, x, x * slopes), inplace)


def hardshrink(input, lambd=0.5):
    """0 where |x| <= lambd, else x; the gradient is 0 on [-lambd, lambd], 1 elsewhere."""
    _check_floating(input, "hardshrink")
    return _piecewise_linear(input, lambda a: functions.where(a.abs() <= lambd, 0.0, a),
                             lambda grad, a: functions.where(a.abs() <= lambd, 0.0, grad))


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between (as x * 0, so that nan
    stays nan, as torch); lambd < 0 is refused."""
    _check_floating(input, "softshrink")
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be at least 0, got {lambd}")
    def values(a):
        return functions.where(a > lambd, a - lambd,
                               functions.where(a < -lambd, a + lambd, a * 0.0))

    def gradient(grad, a):   # a nan a passes grad on, as torch's
        return functions.where((a >= -lambd) & (a <= lambd), 0.0, grad)
    return _piecewise_linear(input, values, gradient)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - tanh(input)


# ---- in-place forms (torch.nn.functional's trailing-underscore names) --------------------

def relu_(input):
    """relu written into input (see relu)."""
    return relu(input, inplace=True)


def elu_(input, alpha=1.0):
    """elu written into input."""
    return elu(input, alpha, inplace=True)


def selu_(input):
    """selu written into input."""
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """celu written into input."""
    return celu(input, alpha, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu written into input."""
    return leaky_relu(input, negative_slope, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """rrelu written into input."""
    return rrelu(input, lower, upper, training, inplace=True, generator=generator)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh written into input."""
    return hardtanh(input, min_val, max_val, inplace=True)


_threshold = threshold  # threshold_'s argument `threshold` (torch's name) hides the function


def threshold_(input, threshold, value):
    """threshold written into input."""
    return _threshold(input, threshold, value, inplace=True)


# ---- bilinear ---------------------------------------------------------------------------

def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]:
    input1 (*, in1) and input2 (*, in2) with the same leading dims * (none for unbatched
    inputs), weight (out, in1, in2), bias (out,) or None; y is (*, out). Computed as one
    matmul of input1 with weight laid out (in1, out * in2), then a batched matmul with
    input2. Inputs and parameters must share one dtype."""
    if weight.ndim != 3:
        raise ValueError(f"bilinear: weight must be 3-D (out_features, in1_features, "
                         f"in2_features), got {format_shape(weight.shape)}")
    if input1.ndim == 0 or input2.ndim == 0 or input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear: input1 {format_shape(input1.shape)} and input2 "
                         f"{format_shape(input2.shape)} must have at least 1 dim and the "
                         f"same leading dims")
    out_features, in1_features, in2_features = weight.shape
    for name, tensor, size in (("input1", input1, in1_features),
                               ("input2", input2, in2_features)):
        if tensor.shape[-1] != size:
            raise ValueError(f"bilinear: the last dim of {name} {format_shape(tensor.shape)} "
                             f"must be {size}, as weight {format_shape(weight.shape)} says")
    if bias is not None and bias.shape != (out_features,):
        raise ValueError(f"bilinear: bias must be ({out_features},) for weight "
                         f"{format_shape(weight.shape)}, got {format_shape(bias.shape)}")
    tensors = (input1, input2, weight) + (() if bias is None else (bias,))
    if len({tensor.dtype for tensor in tensors}) > 1:
        raise TypeError(f"bilinear: inputs, weight and bias must share one dtype, got "
                        f"{', '.join(tensor.dtype.name for tensor in tensors)}")
    leading = input1.shape[:-1]
    rows = math.prod(leading)
    flat_weight = weight.permute(1, 0, 2).reshape(in1_features, out_features * in2_features)
    projected = (input1.reshape(rows, in1_features) @ flat_weight).reshape(
        rows, out_features, in2_features)
    result = (projected @ input2.reshape(rows, in2_features, 1)).reshape(
        leading + (out_features,))
    return result if bias is None else result + bias


# ---- normalisation, embedding, encoding, padding ----------------------------------------

def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing dims that make up
    normalized_shape; var is the biased (population) variance."""
    normalized_shape = tuple(normalized_shape)
    count = len(normalized_shape)
    if count == 0 or tuple(input.shape[-count:]) != normalized_shape \
            or input.ndim < count:
        raise ValueError(f"layer_norm: input {format_shape(input.shape)} does not end in "
                         f"normalized_shape {format_shape(normalized_shape)}")
    dims = tuple(range(input.ndim - count, input.ndim))
    centred = input - input.mean(dims, keepdim=True)
    variance = (centred * centred).mean(dims, keepdim=True)
    result = centred * functions.rsqrt(variance + eps)
    if weight is not None:
        result = result * weight
    if bias is not None:
        result = result + bias
    return result


def _padding_index(padding_idx, num_embeddings, op_name):
    """padding_idx in [0, num_embeddings) (negative counts from the end), or None."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{op_name}: padding_idx {padding_idx} must be within "
                         f"num_embeddings {num_embeddings}")
    return padding_idx % num_embeddings


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows weight[input] for an int64 index tensor of any shape: result shape
    input.shape + (embedding_dim,). Repeated indices add up their gradients; the row
    padding_idx, where looked up, passes no gradient to weight. max_norm first
    renormalises, in place, the rows input names (see _renorm_rows_). Refused:
    scale_grad_by_freq and sparse gradients (NotImplementedError)."""
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are "
                                  "not supported")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D, got {format_shape(weight.shape)}")
    positions = functions._index_positions(weight, input, weight.shape[0], "embedding")
    if max_norm is not None:
        _renorm_rows_(weight, positions.reshape(-1), max_norm, norm_type)
    rows = weight[positions]
    padding_idx = _padding_index(padding_idx, weight.shape[0], "embedding")
    if padding_idx is not None:
        padded = make_tensor((positions == padding_idx)[..., None], backend=weight.backend)
        rows = functions.where(padded, rows.detach(), rows)
    return rows


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape tensor.shape + (num_classes,), 1 at each index, 0 elsewhere;
    num_classes=-1 takes the largest index + 1."""
    if not isinstance(tensor, functions.Tensor) or tensor.dtype is not functions.int64:
        found = tensor.dtype.name if isinstance(tensor, functions.Tensor) else \
            type(tensor).__name__
        raise TypeError(f"one_hot: input must be an int64 tensor, got {found}")
    labels = tensor.numpy()
    if labels.size == 0 and num_classes <= 0:   # torch refuses 0 classes here too
        raise RuntimeError("one_hot: cannot infer the number of classes from an "
                           "empty tensor; pass a positive num_classes")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError("one_hot: class values must be non-negative")
    if labels.size and labels.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes "
                           f"{num_classes}")
    encoded = (labels[..., None] == np.arange(num_classes)).astype(np.int64)
    return make_tensor(encoded, dtype="int64", backend=tensor.backend)


class _ClampMinPassingGradient(Function):
    """max(x, bound) whose gradient passes through unchanged, as if unclamped: what
    torch's cosine_similarity gets by clamping the norms in place without recording."""

    def forward(self, x, bound):
        with no_grad():
            return x.clamp(min=bound)

    def backward(self, grad):
        return grad


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(||x||_p, eps) along dim, p positive or inf; an all-zero slice gets a zero
    gradient (see functions.vector_norm)."""
    return input / functions._vector_norm(input, p, dim, True, None, "normalize").clamp(min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along dim, x1 and x2
    broadcast together first. As torch, each input is divided by its own clamped norm
    (so the result stays in [-1, 1]) and the clamp passes the gradient through."""
    shape = layout.broadcast_shapes(x1.shape, x2.shape, "cosine_similarity")
    for x in (x1, x2):
        if not x.dtype.is_floating_point:
            raise TypeError(f"cosine_similarity: inputs must be floating point, got "
                            f"{x.dtype.name}")
    dim = layout.normalize_dim(dim, len(shape), "cosine_similarity")
    units = []
    for x in (x1.broadcast_to(shape), x2.broadcast_to(shape)):
        norm = functions._vector_norm(x, 2, dim, True, None, "cosine_similarity")
        units.append(x / _ClampMinPassingGradient.apply(norm, eps))
    return (units[0] * units[1]).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps along the last dim (x1 and x2 broadcast), p positive
    or inf."""
    return functions._vector_norm(x1 - x2 + eps, p, -1, keepdim, None,
                                  "pairwise_distance")


def pdist(input, p=2):
    """torch.nn.functional.pdist: the p-norm distance between every pair of rows i < j of
    input (N, M), in row-major order of (i, j): shape (N * (N - 1) / 2,). Input must be
    2-D and floating point; p positive or inf (a pair of equal rows gets a zero
    gradient)."""
    if input.ndim != 2:
        raise ValueError(f"pdist: expected a 2-D input (N, M), got {input.ndim}-D input "
                         f"{format_shape(input.shape)}")
    _check_floating(input, "pdist")
    first, second = np.triu_indices(input.shape[0], 1)
    return functions._vector_norm(input[first] - input[second], p, -1, False, None, "pdist")


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """torch.nn.functional.gumbel_softmax: softmax((logits + g) / tau) along dim, g
    independent Gumbel(0, 1) noise from minitorch's generator. With hard=True the result
    is the one-hot of that softmax's (first) maximum in the forward pass, while its
    gradient is the soft sample's (straight-through). eps is deprecated and unused, as
    in torch (a warning when it is set)."""
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: `eps` is deprecated and has no effect",
                      UserWarning, stacklevel=2)
    _check_floating(logits, "gumbel_softmax")
    gumbels = -functions.exponential_values(logits).log()
    soft = functions.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    dim = layout.normalize_dim(dim, soft.ndim, "gumbel_softmax")
    chosen = soft.detach().argmax(dim, keepdim=True)
    one_hot_sample = functions.zeros_like(soft).scatter(dim, chosen, 1.0)
    return one_hot_sample - soft.detach() + soft


_COPYING_PAD_MODES = ("reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad (or, for negative amounts, crop) the trailing dims: pad = (last_left,
    last_right, second_last_left, ...), as torch.nn.functional.pad.

    mode='constant' pads any number of dims with `value` (0 when None). The other
    modes copy input elements and take no value (None or 0 only); as torch's, they pad
    the last 1, 2 or 3 dims (pad of length 2, 4 or 6) of an input with one or two more
    dims (2-D or 3-D, 3-D or 4-D, 4-D or 5-D):
      'reflect'   mirrors about the edge element (d c b | a b c d | c b a): each pad
                  less than the dim's size;
      'replicate' repeats the edge element (a a | a b c d | d d);
      'circular'  wraps around (c d | a b c d | a b): each pad at most the dim's size;
                  negative pads crop first, and what is left is what wraps.
    The result is one gather of the input whose positions numpy computes on the host
    (cached per geometry), so gradients are the gather's (a scatter-add) on every
    backend."""
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: padding length must be even and at most 2 * ndim "
                         f"({2 * input.ndim}), got {len(pad)}")
    if mode == "constant":
        return _constant_pad(input, pad, 0 if value is None else value)
    if mode not in _COPYING_PAD_MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; expected "
                                  f"'constant' or one of {_COPYING_PAD_MODES}")
    if value not in (None, 0):
        raise ValueError(f"pad: mode={mode!r} takes no value argument, got value={value!r}")
    _check_copying_pad(input, pad, mode)
    return input.reshape(-1)[_copying_pad_positions(input.shape, pad, mode)]


def _constant_pad(input, pad, value):
    """pad(mode='constant'): narrow away negative amounts, cat `value` blocks on."""
    result = input
    for k in range(len(pad) // 2):
        dim = input.ndim - 1 - k
        before, after = pad[2 * k], pad[2 * k + 1]
        size = result.shape[dim] + min(before, 0) + min(after, 0)
        if size < 0:
            raise ValueError(f"pad: padding {pad} leaves dimension {dim} of input "
                             f"{format_shape(input.shape)} with a negative size")
        result = result.narrow(dim, -min(before, 0), size)
        pieces = []
        for amount in (before, None, after):
            if amount is None:
                pieces.append(result)
            elif amount > 0:
                shape = result.shape[:dim] + (amount,) + result.shape[dim + 1:]
                pieces.append(full(shape, value, dtype=input.dtype, backend=input.backend))
        result = functions.cat(pieces, dim) if len(pieces) > 1 else result
    return _in_new_memory(result, input)


def _in_new_memory(result, input):
    """result, or a copy of it when it is a view of input's memory: as torch's, pad,
    pixel_shuffle and channel_shuffle return a new tensor even when nothing moves (a
    zero pad, a factor of 1), so writing into it leaves input alone."""
    return result.clone() if result._storage is input._storage else result


def _check_copying_pad(input, pad, mode):
    """Raise, naming the input's shape and the padding, unless torch accepts `pad` for
    `input` in `mode` (reflect, replicate or circular); see pad."""
    padded = len(pad) // 2
    shape = format_shape(input.shape)
    if input.ndim not in (padded + 1, padded + 2):
        raise NotImplementedError(
            f"pad: mode={mode!r} with padding of length {len(pad)} pads the last {padded} "
            f"dims of a {padded + 1}-D or {padded + 2}-D input, got {input.ndim}-D input "
            f"{shape} (padding of length 2, 4 or 6 only)")
    batch_dims = input.ndim - padded - 1   # 1 when batched: only that dim may be empty
    if mode != "circular" and 0 in input.shape[batch_dims:]:
        raise ValueError(f"pad: mode={mode!r} needs an input whose dims are all non-empty "
                         f"(but for a batch dim), got input {shape}")
    outputs = []
    for k in range(padded):
        dim = input.ndim - 1 - k
        size, before, after = input.shape[dim], pad[2 * k], pad[2 * k + 1]
        outputs.append(size + before + after)
        if mode == "reflect" and max(before, after) >= size:
            raise ValueError(f"pad: mode='reflect' needs each padding less than the size "
                             f"of its dim, got padding ({before}, {after}) for dim {dim} "
                             f"of input {shape}")
        if outputs[-1] < 0:
            raise ValueError(f"pad: padding ({before}, {after}) leaves dim {dim} of input "
                             f"{shape} with a negative size {outputs[-1]}")
        kept = size + min(before, 0) + min(after, 0)   # what is left after cropping
        if mode == "circular" and max(before, after) > kept:
            raise ValueError(f"pad: mode='circular' can wrap around at most once: padding "
                             f"({before}, {after}) for dim {dim} of input {shape} exceeds "
                             f"the {kept} elements left after cropping")
    if mode != "circular" and not any(outputs):
        raise ValueError(f"pad: padding {pad} leaves every padded dim of input {shape} "
                         f"empty; mode={mode!r} needs one of them non-empty")


def _pad_sources(size, before, after, mode):
    """(size + before + after,) int64: the index, along a dim of `size`, that each
    element of the padded dim copies in `mode` (the pads already checked)."""
    wanted = np.arange(-before, size + after)   # positions in the input's coordinates
    if mode == "replicate":
        return np.clip(wanted, 0, size - 1)
    if mode == "reflect":
        mirrored = np.abs(wanted)                # about the first element, then the last
        return np.where(mirrored > size - 1, 2 * (size - 1) - mirrored, mirrored)
    start = max(-before, 0)                      # circular: crop, then wrap what is left
    kept = size + min(before, 0) + min(after, 0)
    return start + (np.arange(len(wanted)) - max(before, 0)) % kept


@cached_positions
def _copying_pad_positions(shape, pad, mode):
    """Storage positions, in a contiguous input of `shape`, of every element of
    pad(input, pad, mode) (reflect, replicate or circular; checked), in its shape."""
    padded = len(pad) // 2
    sources = [np.arange(size) for size in shape[:len(shape) - padded]]
    sources += [_pad_sources(shape[-1 - k], pad[2 * k], pad[2 * k + 1], mode)
                for k in reversed(range(padded))]
    return np.ravel_multi_index(np.ix_(*sources), shape)
# ---- interpolation ----------------------------------------------------------------------

# the spatial dims (input rank - 2) of each mode that interpolates between neighbours
_INTERPOLATING_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
INTERPOLATION_MODES = ("nearest", "nearest-exact", "area") + tuple(_INTERPOLATING_MODES)


def check_interpolation_mode(mode, name):
    """NotImplementedError naming `name` unless interpolate knows `mode`."""
    if mode not in INTERPOLATION_MODES:
        raise NotImplementedError(f"{name}: unknown interpolation mode {mode!r}; expected "
                                  f"one of {', '.join(map(repr, INTERPOLATION_MODES))}")


def _check_interpolation(input, mode, align_corners, antialias):
    """Raise as torch does for a mode, flag or input rank interpolate cannot combine."""
    check_interpolation_mode(mode, "interpolate")
    if mode not in _INTERPOLATING_MODES and align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with the "
                         "interpolating modes linear, bilinear, bicubic and trilinear")
    if antialias and (mode not in ("bilinear", "bicubic") or input.ndim != 4):
        raise ValueError("interpolate: antialias is only for the bilinear and bicubic modes "
                         "of a 4-D input")
    if antialias:
        raise NotImplementedError(f"interpolate: antialias=True (mode={mode!r}) is not "
                                  "supported")
    if input.ndim not in (3, 4, 5):
        raise ValueError(f"interpolate: expected a 3-D, 4-D or 5-D input (N, C, ...), got "
                         f"{format_shape(input.shape)}")
    spatial_dims = _INTERPOLATING_MODES.get(mode, input.ndim - 2)
    if input.ndim != spatial_dims + 2:
        raise NotImplementedError(f"interpolate: mode={mode!r} needs a {spatial_dims + 2}-D "
                                  f"input, got {input.ndim}-D input "
                                  f"{format_shape(input.shape)}")
    if mode != "nearest":
        _check_floating(input, "interpolate")


def _per_spatial_dim(value, spatial, what):
    """value (one number, or one per spatial dim) as a tuple of one per spatial dim."""
    if not isinstance(value, (tuple, list)):
        return (value,) * len(spatial)
    if len(value) != len(spatial):
        raise ValueError(f"interpolate: {what} {tuple(value)} must have one entry per "
                         f"spatial dim of the input, which has {len(spatial)} "
                         f"({format_shape(spatial)})")
    return tuple(value)


def _output_sizes(spatial, size, scale_factor, recompute_scale_factor):
    """(output size, scale factor or None) of each spatial dim, as torch derives them:
    from `size`, or floor(input size * scale_factor); with recompute_scale_factor the
    scale is dropped, so that the sizes alone decide the source positions."""
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with "
                             "an explicit size")
        sizes = _per_spatial_dim(size, spatial, "size")
        if not all(isinstance(s, int) for s in sizes):
            raise TypeError(f"interpolate: size must be ints, got {size!r}")
        return sizes, (None,) * len(spatial)
    scales = tuple(float(s) for s in _per_spatial_dim(scale_factor, spatial, "scale_factor"))
    sizes = tuple(math.floor(n * s) for n, s in zip(spatial, scales))
    return sizes, (None,) * len(spatial) if recompute_scale_factor else scales


def _nearest_sources(in_size, out_size, scale, spatial_dims, dtype_name, exact):
    """For each output position j, the input position torch's CPU kernels copy:
    floor(j * s) ('nearest') or floor((j + 0.5) * s) ('nearest-exact'), capped at
    in_size - 1, s = 1 / scale (in_size / out_size without a scale), in those kernels'
    arithmetic, which decides the positions where the product is within an ulp of an
    integer. With 2 spatial dims: s and the product in float32, and for 'nearest'
    out_size equal to in_size or twice it gives j and j // 2 exactly. With 1 or 3: s and
    the product in the input's precision (float64 for float64), rounded to float32
    before the floor, and no exact cases."""
    positions = np.arange(out_size) + (0.5 if exact else 0.0)
    if spatial_dims == 2 and not exact and out_size in (in_size, 2 * in_size):
        return np.arange(out_size) * in_size // out_size
    precision = np.float64 if spatial_dims != 2 and dtype_name == "float64" else np.float32
    step = precision(1.0 / scale) if scale else precision(in_size) / precision(out_size)
    products = (positions.astype(precision) * step).astype(np.float32)
    return np.minimum(np.floor(products).astype(np.int64), in_size - 1)


def _source_coordinates(in_size, out_size, scale, align_corners):
    """(out_size,) float64: where each output element sits in the input's coordinates, as
    torch's linear and cubic kernels place it: j * (in - 1) / (out - 1) with
    align_corners (0 when out is 1), else (j + 0.5) * s - 0.5 with s = 1 / scale
    (in / out without a scale). (torch's linear kernels clamp this at 0; here both taps
    of a coordinate in (-1, 0) are clamped to element 0, which comes to the same.)"""
    positions = np.arange(out_size, dtype=np.float64)
    if align_corners:
        return positions * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    step = 1.0 / scale if scale else in_size / out_size
    return step * (positions + 0.5) - 0.5


def _cubic_weights(fraction):
    """(4, n): the weights of the inputs at offsets -1, 0, 1, 2 from floor(coordinate),
    fraction = coordinate - floor, under Keys' cubic convolution kernel with a = -0.75."""
    return np.stack(cubic_convolution_weights(fraction))


def _area_taps(in_size, out_size):
    """(sources, weights) of mode 'area', adaptive average pooling's windows: output j
    averages input[floor(j * in / out) : ceil((j + 1) * in / out)]; the taps past a
    shorter window's end get weight 0."""
    positions = np.arange(out_size)
    starts = positions * in_size // out_size
    lengths = -(-(positions + 1) * in_size // out_size) - starts
    offsets = np.arange(lengths.max(initial=0))[:, None]
    sources = np.minimum(starts + offsets, in_size - 1)
    return sources, np.where(offsets < lengths, 1.0 / lengths, 0.0)


def _taps(in_size, out_size, scale, align_corners, mode):
    """(sources int64, weights float64), both (taps, out_size): along a dim resampled in
    `mode` (area or an interpolating one), output j is the sum over k of
    weights[k, j] * input[sources[k, j]]. Out-of-range neighbours are clamped to the
    border, as torch's kernels do; so is the floor of a coordinate and its fraction."""
    if mode == "area":
        return _area_taps(in_size, out_size)
    cubic = mode == "bicubic"
    if in_size == out_size and not cubic:   # torch's linear kernels copy, whatever the scale
        return np.arange(out_size)[None], np.ones((1, out_size))
    coordinates = _source_coordinates(in_size, out_size, scale, align_corners)
    below = np.minimum(np.floor(coordinates).astype(np.int64), in_size - 1)
    fraction = np.clip(coordinates - below, 0.0, 1.0)
    if cubic:
        offsets, weights = np.arange(-1, 3), _cubic_weights(fraction)
    else:
        offsets, weights = np.arange(2), np.stack([1 - fraction, fraction])
    return np.clip(below + offsets[:, None], 0, in_size - 1), weights


@cached_positions
def _tap_sources(in_size, out_size, scale, align_corners, mode):
    return _taps(in_size, out_size, scale, align_corners, mode)[0]


@cached_positions
def _tap_weights(in_size, out_size, scale, align_corners, mode):
    return _taps(in_size, out_size, scale, align_corners, mode)[1]


def _resample(input, dim, geometry):
    """input resampled along `dim` by the taps of `geometry` (see _taps): one gather of
    every tap's source, then the weighted sum over the taps."""
    sources, weights = _tap_sources(*geometry), _tap_weights(*geometry)
    count, out_size = sources.shape
    gathered = input[(slice(None),) * dim + (sources.reshape(-1),)]
    gathered = gathered.reshape(input.shape[:dim] + (count, out_size) + input.shape[dim + 1:])
    trailing = (1,) * (input.ndim - dim - 1)   # weights broadcast over the dims after dim
    weights = make_tensor(weights.reshape(weights.shape + trailing), dtype=input.dtype,
                          backend=input.backend)
    return (gathered * weights).sum(dim)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate: resize the spatial dims of input (N, C, L),
    (N, C, H, W) or (N, C, D, H, W) to `size`, or by `scale_factor` (one number or one
    per spatial dim), in `mode`:
      'nearest', 'nearest-exact'  copy the input element at torch's source position
                                  (see _nearest_sources), any input dtype for 'nearest';
      'linear' (3-D input), 'bilinear' (4-D), 'trilinear' (5-D), 'bicubic' (4-D)
                                  weigh the 2 (4 for bicubic, torch's a = -0.75)
                                  neighbours of each output's source coordinate, along
                                  each spatial dim in turn; align_corners (default False)
                                  maps the corner elements' centres onto each other;
      'area'                      average adaptive pooling windows.
    Each spatial dim is one gather (positions and weights computed and cached on the
    host) and, but for the nearest modes, a weighted sum, so gradients flow as theirs.
    Refused: antialias=True (NotImplementedError), align_corners with a mode that does
    not interpolate, a rank the mode does not take, non-floating input (but 'nearest'),
    empty input or output spatial dims (but empty outputs of 'area'), and no channels
    (but in 'area')."""
    _check_interpolation(input, mode, align_corners, antialias)
    spatial = input.shape[2:]
    sizes, scales = _output_sizes(spatial, size, scale_factor, recompute_scale_factor)
    if min(spatial) <= 0:
        raise ValueError(f"interpolate: the input size of each spatial dim must be "
                         f"positive, got input {format_shape(input.shape)}")
    if input.shape[1] == 0 and mode != "area":
        raise RuntimeError(f"interpolate: mode={mode!r} needs a non-empty channel dim, got "
                           f"input {format_shape(input.shape)}")
    # 'area' is adaptive average pooling, which (as torch's) also gives empty outputs
    if min(sizes) < 0 or min(sizes) == 0 and mode != "area":
        raise ValueError(f"interpolate: the output size of each spatial dim must be "
                         f"positive, got {format_shape(sizes)} from input "
                         f"{format_shape(input.shape)} (or 0 in mode 'area')")
    result = input
    for dim, in_size, out_size, scale in zip(range(2, input.ndim), spatial, sizes, scales):
        if mode in ("nearest", "nearest-exact"):
            sources = _nearest_sources(in_size, out_size, scale, len(spatial),
                                       input.dtype.name, mode == "nearest-exact")
            result = result[(slice(None),) * dim + (sources,)]
        else:
            result = _resample(result, dim, (in_size, out_size, scale, bool(align_corners),
                                             mode))
    return result


def _warn_deprecated(name):
    warnings.warn(f"{name}: nn.functional.{name} is deprecated; use "
                  "nn.functional.interpolate instead", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated in torch (and warned about, as there): interpolate."""
    _warn_deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated in torch (and warned about, as there): interpolate, mode='nearest'."""
    _warn_deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated in torch (and warned about, as there): interpolate of a 4-D input,
    mode='bilinear' with align_corners=True."""
    _warn_deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel and channel shuffles -----------------------------------------------------------

def _check_positive_int(value, what, name):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}: {what} must be a positive int, got {value!r}")


def _check_at_least_3d(input, layout, name):
    if input.ndim < 3:
        raise ValueError(f"{name}: expected an input of at least 3 dims {layout}, got "
                         f"{format_shape(input.shape)}")


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r), r = upscale_factor:
    output[..., c, h * r + i, w * r + j] = input[..., c * r^2 + i * r + j, h, w]. A
    reshape, a permute and a reshape. Refused: fewer than 3 dims, a channel count not a
    multiple of r^2, r not a positive int."""
    _check_positive_int(upscale_factor, "upscale_factor", "pixel_shuffle")
    _check_at_least_3d(input, "(*, C, H, W)", "pixel_shuffle")
    r = upscale_factor
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise ValueError(f"pixel_shuffle: the channel dim (-3) of input "
                         f"{format_shape(input.shape)} must be a multiple of "
                         f"upscale_factor ** 2 = {r * r}")
    n = len(batch)
    blocks = input.reshape(*batch, channels // (r * r), r, r, height, width)
    blocks = blocks.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return _in_new_memory(blocks.reshape(*batch, channels // (r * r), height * r, width * r),
                          input)


def pixel_unshuffle(input, downscale_factor):
    """pixel_shuffle's inverse: (*, C, H * r, W * r) -> (*, C * r^2, H, W),
    r = downscale_factor. Refused: fewer than 3 dims, H or W not a multiple of r, r not
    a positive int."""
    _check_positive_int(downscale_factor, "downscale_factor", "pixel_unshuffle")
    _check_at_least_3d(input, "(*, C, H, W)", "pixel_unshuffle")
    r = downscale_factor
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise ValueError(f"pixel_unshuffle: the height and width (dims -2, -1) of input "
                         f"{format_shape(input.shape)} must be multiples of "
                         f"downscale_factor {r}")
    n = len(batch)
    blocks = input.reshape(*batch, channels, height // r, r, width // r, r)
    blocks = blocks.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return _in_new_memory(blocks.reshape(*batch, channels * r * r, height // r, width // r),
                          input)


def channel_shuffle(input, groups):
    """Interleave the channels of input (N, C, *) from `groups` groups: output channel
    k * groups + g is input channel g * (C / groups) + k. A reshape, a transpose and a
    reshape. Refused: fewer than 3 dims, C not a multiple of groups, groups not a
    positive int."""
    _check_positive_int(groups, "groups", "channel_shuffle")
    _check_at_least_3d(input, "(N, C, *)", "channel_shuffle")
    batch, channels, *rest = input.shape
    if channels % groups:
        raise ValueError(f"channel_shuffle: the channel dim (1) of input "
                         f"{format_shape(input.shape)} must be a multiple of groups "
                         f"{groups}")
    grouped = input.reshape(batch, groups, channels // groups, *rest)
    return _in_new_memory(grouped.transpose(1, 2).reshape(input.shape), input)
