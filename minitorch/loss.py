"""Loss modules (also reachable as minitorch.nn.CrossEntropyLoss and so on).

Each is a Module wrapping the function of minitorch.nn.functional with the same name,
called as loss(prediction, target). `reduction` is 'mean' (default), 'sum' or 'none'
(one loss per sample or element).
"""
from .nn import functional as F
from .nn.module import Module


class _Loss(Module):
    """A loss with a `reduction`, checked when the loss is made."""

    def __init__(self, reduction="mean"):
        super().__init__()
        F.check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities at int64 class indices, with
    PyTorch's `weight` (one scale per class) and `ignore_index` (see F.nll_loss)."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def forward(self, log_probs, target):
        return F.nll_loss(log_probs, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)

    def extra_repr(self):
        ignoring = f", ignore_index={self.ignore_index}" if self.ignore_index != -100 else ""
        return super().extra_repr() + ignoring


class CrossEntropyLoss(NLLLoss):
    """Softmax cross-entropy of logits against class indices or class probabilities,
    with PyTorch's `weight`, `ignore_index` and `label_smoothing` (see F.cross_entropy).

    Computed from the logits with a max shift (fused kernels in the common case), so
    logits of any size give finite losses.
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, ignore_index=ignore_index, reduction=reduction)
        self.label_smoothing = label_smoothing

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self):
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return super().extra_repr() + smoothing


class MSELoss(_Loss):
    """Squared error (prediction - target)**2; 'mean' averages over every element."""

    def forward(self, prediction, target):
        return F.mse_loss(prediction, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed
    stably from the logits. `weight`, when given, rescales each element's loss."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target, self.weight,
                                                  self.reduction)
