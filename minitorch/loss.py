"""Loss modules (also reachable as minitorch.nn.CrossEntropyLoss and so on).

Each is a Module wrapping the function of minitorch.nn.functional with the same name,
called as loss(prediction, target). `reduction` is 'mean' (default), 'sum' or 'none'
(one loss per sample or element); KLDivLoss also takes 'batchmean'. As in torch, a
loss prints as its bare class name (`CrossEntropyLoss()`), and a `weight` or
`pos_weight` tensor is a buffer: saved by state_dict, moved by to().
"""
from .nn import functional as F
from .nn.module import Module


class _Loss(Module):
    """A loss with a `reduction`, checked against `reductions` when the loss is made."""

    reductions = F.REDUCTIONS

    def __init__(self, reduction="mean"):
        super().__init__()
        F.check_reduction(reduction, type(self).__name__, self.reductions)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional `weight` tensor, registered as a buffer."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at int64 class indices, with
    PyTorch's `weight` (one scale per class) and `ignore_index` (see F.nll_loss)."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, log_probs, target):
        return F.nll_loss(log_probs, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


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


class MSELoss(_Loss):
    """Squared error (prediction - target)**2; 'mean' averages over every element."""

    def forward(self, prediction, target):
        return F.mse_loss(prediction, target, self.reduction)


class L1Loss(_Loss):
    """Absolute error |prediction - target| (see F.l1_loss)."""

    def forward(self, prediction, target):
        return F.l1_loss(prediction, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error / (2 * beta) below |error| = beta, absolute error - beta / 2 above
    (see F.smooth_l1_loss)."""

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, prediction, target):
        return F.smooth_l1_loss(prediction, target, self.reduction, self.beta)


class HuberLoss(_Loss):
    """Squared error / 2 below |error| = delta, delta * (|error| - delta / 2) above
    (see F.huber_loss)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, prediction, target):
        return F.huber_loss(prediction, target, self.reduction, self.delta)


class KLDivLoss(_Loss):
    """KL divergence of the distribution `target` (log-probabilities if log_target)
    from log-probabilities (see F.kl_div); 'batchmean' is the per-sample divergence."""

    reductions = F.KL_DIV_REDUCTIONS

    def __init__(self, reduction="mean", log_target=False):
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, log_probs, target):
        return F.kl_div(log_probs, target, self.reduction, self.log_target)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1], each log clamped at -100 (see
    F.binary_cross_entropy). `weight`, when given, rescales each element's loss."""

    def forward(self, probabilities, target):
        return F.binary_cross_entropy(probabilities, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed
    stably from the logits. `weight`, when given, rescales each element's loss;
    `pos_weight` (one value per class) weighs the positive term (see
    F.binary_cross_entropy_with_logits)."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target, self.weight,
                                                  self.reduction, self.pos_weight)
