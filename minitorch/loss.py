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


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, C) against int64 class indices (N,).

    Computed from the logits with a max shift (a fused kernel on backends that have
    one), so logits of any size give finite losses. 'mean' divides by N.
    """

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) at int64 classes (N,)."""

    def forward(self, log_probs, target):
        return F.nll_loss(log_probs, target, self.reduction)


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
