"""Stateless neural-network functions with torch.nn.functional's names.

The primitives (linear, relu, softmax, cross_entropy, ...) are the core's ops from
minitorch.functions, with their fused kernels; the losses and dropout below are built
from those ops, so they run, and differentiate, on every backend.
"""
import math

import numpy as np

from .. import functions
from ..autograd import Function, no_grad
from ..creation import full, rand
from ..creation import tensor as make_tensor
from ..functions import (erf, flatten, linear, log_softmax, sigmoid,  # noqa: F401
                         softmax, tanh)
from ..layout import format_shape
from .conv import (adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d,  # noqa: F401
                   max_pool2d)
from .normalization import batch_norm  # noqa: F401

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction, name):
    """Raise ValueError naming `name` unless reduction is 'none', 'mean' or 'sum'."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'none', 'mean' or 'sum', got "
                         f"{reduction!r}")


def _reduce(losses, reduction, name):
    check_reduction(reduction, name)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _check_same_shape(prediction, target, name):
    if prediction.shape != target.shape:
        raise ValueError(f"{name}: input {format_shape(prediction.shape)} and target "
                         f"{format_shape(target.shape)} must have the same shape")


def mse_loss(prediction, target, reduction="mean"):
    """(prediction - target)**2, reduced ('mean' over all elements, 'sum' or 'none')."""
    _check_same_shape(prediction, target, "mse_loss")
    if not prediction.dtype.is_floating_point:
        raise TypeError(f"mse_loss: input must be floating point, got "
                        f"{prediction.dtype.name}; use input.float()")
    difference = prediction - target
    return _reduce(difference * difference, reduction, "mse_loss")


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
    kept_weight = make_tensor(kept, dtype=log_probs.dtype, backend=log_probs.backend)
    if weight is not None:
        kept_weight = weight[safe] * kept_weight
    picked = log_probs[np.arange(labels.size), safe]
    return _sample_losses(-picked * kept_weight, reduction, shape, kept_weight.sum().item())


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
    log_probs = log_softmax(scores, 1)
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
    weighted = log_softmax(scores, 1) * target
    if weight is not None:
        weighted = weighted * weight
    return _sample_losses(-weighted.sum(1), reduction, shape, scores.shape[0])


class _BCEWithLogits(Function):
    """Elementwise max(x, 0) - x * y + log(1 + exp(-|x|)): the logistic loss of logits x
    against targets y, which never overflows. d/dx = sigmoid(x) - y exactly (the
    composite form would give the wrong slope at x = 0), d/dy = -x."""

    def forward(self, logits, target):
        self.save_for_backward(logits, target)
        with no_grad():
            return relu(logits) - logits * target + (1.0 + (-logits.abs()).exp()).log()

    def backward(self, grad):
        logits, target = self.saved_tensors
        grad_target = -grad * logits if self.inputs[1] is not None else None
        return grad * (sigmoid(logits) - target), grad_target


def binary_cross_entropy_with_logits(logits, target, weight=None, reduction="mean"):
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed from
    the logits so large values stay finite. `weight` (broadcast to the input) rescales
    each element's loss before the reduction."""
    _check_same_shape(logits, target, "binary_cross_entropy_with_logits")
    if not logits.dtype.is_floating_point:
        raise TypeError(f"binary_cross_entropy_with_logits: input must be floating point, "
                        f"got {logits.dtype.name}")
    losses = _BCEWithLogits.apply(logits, target.type_as(logits))
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction, "binary_cross_entropy_with_logits")


def relu(x, inplace=False):
    """max(x, 0); with inplace=True written into x (as x.relu_(), which autograd records
    when x is part of a graph)."""
    return x.relu_() if inplace else functions.relu(x)


def dropout(x, p=0.5, training=True, inplace=False, generator=None):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while
    training; the identity otherwise. The mask comes from minitorch's seeded generator.
    inplace=True writes the result into x."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        scale = 0.0
    else:
        keep = rand(x.shape, generator=generator, dtype=x.dtype, backend=x.backend) >= p
        scale = keep.type_as(x) * (1.0 / (1.0 - p))
    return x.mul_(scale) if inplace else x * scale


def _inplace_result(x, result, inplace):
    """result, or with inplace=True result written into x (recorded by autograd)."""
    return x.copy_(result) if inplace else result


# ---- activations ------------------------------------------------------------------------

def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    return _inplace_result(input, functions.where(input > 0, input, input * negative_slope),
                           inplace)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * expm1(x). expm1 sees min(x, 0), so its (unused) branch
    never overflows into a nan gradient."""
    negative = functions.expm1(input.clamp(max=0.0)) * alpha
    return _inplace_result(input, functions.where(input > 0, input, negative), inplace)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish); sigmoid never overflows."""
    return _inplace_result(input, input * sigmoid(input), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (where the
    two agree to within exp(-threshold)), as PyTorch. exp sees beta * x capped at the
    threshold, so it cannot overflow, not even in the branch that is not taken."""
    scaled = input * beta
    smooth = functions.log1p(functions.exp(scaled.clamp(max=threshold))) / beta
    return functions.where(scaled > threshold, input, smooth)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val]; the gradient is 1 strictly inside, 0 elsewhere
    (at the bounds too, as PyTorch's hardtanh_backward)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} cannot be greater than max_val "
                         f"{max_val}")
    result = functions.where(input <= min_val, min_val,
                             functions.where(input >= max_val, max_val, input))
    return _inplace_result(input, result, inplace)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _inplace_result(input, input * tanh(softplus(input)), inplace)


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


def embedding(input, weight, padding_idx=None):
    """The rows weight[input] for an int64 index tensor of any shape: result shape
    input.shape + (embedding_dim,). Repeated indices add up their gradients; the row
    padding_idx, where looked up, passes no gradient to weight."""
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D, got {format_shape(weight.shape)}")
    positions = functions._index_positions(weight, input, weight.shape[0], "embedding")
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
    if num_classes == -1:
        if labels.size == 0:
            raise RuntimeError("one_hot: cannot infer the number of classes from an "
                               "empty tensor; pass num_classes")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError("one_hot: class values must be non-negative")
    if labels.size and labels.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes "
                           f"{num_classes}")
    encoded = (labels[..., None] == np.arange(num_classes)).astype(np.int64)
    return make_tensor(encoded, dtype="int64", backend=tensor.backend)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(||x||_p, eps) along dim. The max is taken as (max(sum |x|^p, eps^p))^(1/p),
    the same value, so that an all-zero slice gets a zero gradient rather than nan."""
    if p == math.inf:
        norm = input.abs().amax(dim, keepdim=True).clamp(min=eps)
    elif p > 0:
        magnitude = input.abs()
        powered = magnitude * magnitude if p == 2 else magnitude ** p
        total = powered.sum(dim, keepdim=True).clamp(min=eps ** p)
        norm = total.sqrt() if p == 2 else total ** (1.0 / p)
    else:
        raise ValueError(f"normalize: p must be positive or inf, got {p}")
    return input / norm


def pad(input, pad, mode="constant", value=None):
    """Pad (or, for negative amounts, crop) the trailing dims: pad = (last_left,
    last_right, second_last_left, ...), as torch.nn.functional.pad; the new entries
    hold `value` (0 when None). Only mode='constant'."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: padding length must be even and at most 2 * ndim "
                         f"({2 * input.ndim}), got {len(pad)}")
    value = 0 if value is None else value
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
    return result
