"""Stateless neural-network functions with torch.nn.functional's names.

The primitives (linear, relu, softmax, cross_entropy, ...) are the core's ops from
minitorch.functions, with their fused kernels; the losses and dropout below are built
from those ops, so they run, and differentiate, on every backend.
"""
import numpy as np

from .. import functions
from ..autograd import Function, no_grad
from ..creation import rand
from ..functions import (cross_entropy, flatten, linear, log_softmax,  # noqa: F401
                         sigmoid, softmax, tanh)
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


def nll_loss(log_probs, target, reduction="mean"):
    """-log_probs[i, target[i]] for log-probabilities (N, C) and int64 classes (N,).

    'mean' divides by N. Pair with log_softmax: nll_loss(log_softmax(x, 1), t) equals
    cross_entropy(x, t).
    """
    labels = functions.check_class_targets(log_probs, target, "nll_loss")
    picked = log_probs[np.arange(labels.size), labels]
    return _reduce(-picked, reduction, "nll_loss")


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
