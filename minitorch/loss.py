"""Loss modules (also reachable as minitorch.nn.CrossEntropyLoss and so on).

Each is a Module wrapping the function of minitorch.nn.functional with the same name,
called as loss(prediction, target). `reduction` is 'mean' (default), 'sum' or 'none'
(one loss per sample or element); KLDivLoss also takes 'batchmean'. As in torch, a
loss prints as its bare class name (`CrossEntropyLoss()`), and a `weight` or
`pos_weight` tensor is a buffer: saved by state_dict, moved by to().
"""
from .nn import functional as F
from .nn.layers import PairwiseDistance
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


class GaussianNLLLoss(_Loss):
    """Negative log-likelihood of target under normal distributions of mean `input` and
    variance `var`, called as loss(input, target, var) (see F.gaussian_nll_loss); `full`
    adds the constant 0.5 * log(2 pi), `eps` is var's lower clamp."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Negative log-likelihood of counts under Poisson distributions of rate exp(input)
    (log_input) or input (see F.poisson_nll_loss); `full` adds Stirling's term."""

    def __init__(self, log_input=True, full=False, eps=1e-8, reduction="mean"):
        super().__init__(reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, self.eps,
                                  self.reduction)


class MarginRankingLoss(_Loss):
    """max(0, margin - target * (input1 - input2)), called as loss(input1, input2, target)
    with labels +-1 (see F.margin_ranking_loss)."""

    def __init__(self, margin=0.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class HingeEmbeddingLoss(_Loss):
    """Distances against labels +-1: the distance for 1, max(0, margin - distance) for -1
    (see F.hinge_embedding_loss)."""

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, distances, target):
        return F.hinge_embedding_loss(distances, target, self.margin, self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 - cos for pairs labelled 1, max(0, cos - margin) for pairs labelled -1, called as
    loss(input1, input2, target) (see F.cosine_embedding_loss)."""

    def __init__(self, margin=0.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss log(1 + exp(-target * input)) for labels +-1 (see
    F.soft_margin_loss)."""

    def forward(self, scores, target):
        return F.soft_margin_loss(scores, target, self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Per-class binary logistic loss of scores (N, C) against 0/1 targets, averaged over
    the classes; `weight` rescales each class (see F.multilabel_soft_margin_loss)."""

    def forward(self, scores, target):
        return F.multilabel_soft_margin_loss(scores, target, self.weight, self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss of scores (N, C) against int64 class indices, p 1 or 2,
    `weight` one value per class (see F.multi_margin_loss). Refused when made: p other
    than 1 or 2, a weight that is not 1-d."""

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p}")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: weight must be None or 1-d (one value per "
                             f"class), got {weight.ndim}-d")
        super().__init__(weight, reduction)
        self.p = p
        self.margin = margin

    def forward(self, scores, target):
        return F.multi_margin_loss(scores, target, self.p, self.margin, self.weight,
                                   self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss of scores (N, C) against int64 targets (N, C) listing each
    sample's classes up to a -1 (see F.multilabel_margin_loss)."""

    def forward(self, scores, target):
        return F.multilabel_margin_loss(scores, target, self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with d the p-norm
    distance (see F.triplet_margin_loss); `swap` also measures d(positive, negative).
    margin must be positive."""

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"):
        if not margin > 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got "
                             f"{margin}")
        super().__init__(reduction)
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p,
                                     self.eps, self.swap, self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """The triplet loss with any `distance_function(x1, x2)`, nn.PairwiseDistance() when
    None (a Module distance is a child, so it prints as torch's) (see
    F.triplet_margin_with_distance_loss). margin must be positive."""

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        if not margin > 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: margin must be greater than "
                             f"0, got {margin}")
        super().__init__(reduction)
        self.distance_function = distance_function if distance_function is not None \
            else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    """The Connectionist Temporal Classification loss of log-probabilities (T, N, C)
    against unaligned label sequences, with PyTorch's `blank` and `zero_infinity`;
    called as loss(log_probs, targets, input_lengths, target_lengths) (see F.ctc_loss).
    'mean' averages each loss over its target length, then over the batch."""

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
