"""Stateless neural-network functions with torch.nn.functional's names.

The primitives (linear, relu, softmax, cross_entropy, ...) are the core's ops from
minitorch.functions, with their fused kernels; the losses and dropout below are built
from those ops, so they run, and differentiate, on every backend.
"""
import math

import numpy as np

from .. import functions
from ..autograd import Function, no_grad
from ..creation import rand
from ..creation import tensor as make_tensor
from ..functions import (flatten, linear, log_softmax, sigmoid, softmax,  # noqa: F401
                         tanh)
from ..layout import format_shape

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
