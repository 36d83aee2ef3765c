"""The rest of torch.nn's losses against torch: Gaussian and Poisson NLL, the margin
losses (ranking, hinge embedding, cosine embedding, soft, multi-label soft, multi-class,
multi-label) and the triplet losses. Values and the gradients of every differentiable
input for each reduction, in float32 and float64, on the numpy and c backends (one small
case on python), with broadcast and transposed (non-contiguous) inputs; the modules'
reprs and state dicts; and the errors naming the loss."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from nn_helpers import backend, check_backward, normal  # noqa: F401  (a fixture)

TF = torch.nn.functional
DTYPES = ["float32", "float64"]
REDUCTIONS = ["none", "mean", "sum"]


class Arg:
    """One input of a loss: an array, whether it is a differentiable leaf, and whether to
    pass it as a .T view of a leaf holding its transpose (a non-contiguous input)."""

    def __init__(self, array, grad=True, transposed=False):
        self.array, self.grad, self.transposed = array, grad, transposed

    def make(self):
        """(minitorch leaf, the minitorch input, torch leaf, the torch input)."""
        source = np.ascontiguousarray(self.array.T) if self.transposed else self.array
        ours = minitorch.tensor(source, requires_grad=self.grad)
        theirs = torch.tensor(source, requires_grad=self.grad)
        if self.transposed:
            return ours, ours.T, theirs, theirs.T
        return ours, ours, theirs, theirs


def compare(ours, theirs, args, dtype):
    """ours(*inputs) and theirs(*inputs) equal, and so the gradients of every
    differentiable input (nan where torch's is nan) through a random weighting. args:
    Args, or (minitorch tensor, torch tensor) pairs such as integer targets."""
    made = [arg.make() if isinstance(arg, Arg) else (None, arg[0], None, arg[1])
            for arg in args]
    out = ours(*[m[1] for m in made])
    tout = theirs(*[m[3] for m in made])
    grads = [(m[0], m[2]) for arg, m in zip(args, made)
             if isinstance(arg, Arg) and arg.grad]
    check_backward([(out, tout)], [g[0] for g in grads], [g[1] for g in grads], dtype)


def signs(shape, seed, labels=(-1, 1)):
    return np.random.default_rng(seed).choice(labels, size=shape)


# ---- Gaussian and Poisson negative log-likelihoods -----------------------------------

VAR_SHAPES = {"same": (3, 4), "row": (3,), "column": (3, 1), "class": (1, 4)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", list(VAR_SHAPES))
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss_matches_torch(backend, dtype, reduction, var_shape, full):
    var = np.abs(normal(VAR_SHAPES[var_shape], dtype, 2)) + 0.1
    var.reshape(-1)[0] = 1e-9   # below eps: clamped, the gradient still passing
    compare(lambda x, y, v: F.gaussian_nll_loss(x, y, v, full, 1e-6, reduction),
            lambda x, y, v: TF.gaussian_nll_loss(x, y, v, full, 1e-6, reduction),
            [Arg(normal((3, 4), dtype, 0), transposed=var_shape == "same"),
             Arg(normal((3, 4), dtype, 1)), Arg(var)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_nll_loss_takes_a_float_var_and_a_broadcasting_target(backend, dtype):
    compare(lambda x, y: nn.GaussianNLLLoss(full=True, eps=0.5)(x, y, 0.25),
            lambda x, y: torch.nn.GaussianNLLLoss(full=True, eps=0.5)(x, y, 0.25),
            [Arg(normal((3, 4), dtype, 0)), Arg(normal((4,), dtype, 1))], dtype)
    compare(lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction="none"),
            lambda x, y, v: TF.gaussian_nll_loss(x, y, v, reduction="none"),
            [Arg(normal((5,), dtype, 0)), Arg(normal((5,), dtype, 1)),
             Arg(np.full((5,), 2.0, dtype))], dtype)


def _counts(shape, seed):
    counts = np.random.default_rng(seed).poisson(2.0, size=shape)
    counts.reshape(-1)[:3] = [0, 1, 7]   # each side of the Stirling term's cut at 1
    return counts


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss_matches_torch(backend, dtype, reduction, log_input, full):
    rates = normal((4, 3), dtype, 0)
    if not log_input:
        rates = np.abs(rates) + 0.05
    compare(lambda x, y: nn.PoissonNLLLoss(log_input, full, reduction=reduction)(x, y),
            lambda x, y: torch.nn.PoissonNLLLoss(log_input, full,
                                                 reduction=reduction)(x, y),
            [Arg(rates, transposed=full), Arg(_counts((4, 3), 1).astype(dtype))], dtype)


def test_poisson_nll_loss_takes_integer_counts_that_broadcast(backend):
    counts = _counts((3,), 1)
    compare(lambda x, y: F.poisson_nll_loss(x, y, full=True, reduction="none"),
            lambda x, y: TF.poisson_nll_loss(x, y, full=True, reduction="none"),
            [Arg(normal((2, 3), "float32", 0)), (minitorch.tensor(counts),
                                                torch.tensor(counts))], "float32")


# ---- margin losses over +-1 labels -----------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss_matches_torch_and_broadcasts(backend, dtype, reduction):
    compare(lambda a, b, y: nn.MarginRankingLoss(0.3, reduction)(a, b, y),
            lambda a, b, y: torch.nn.MarginRankingLoss(0.3, reduction=reduction)(a, b, y),
            [Arg(normal((3, 4), dtype, 0), transposed=True), Arg(normal((1, 4), dtype, 1)),
             Arg(signs((3, 1), 2).astype(dtype))], dtype)
    compare(lambda a, b, y: F.margin_ranking_loss(a, b, y, reduction=reduction),
            lambda a, b, y: TF.margin_ranking_loss(a, b, y, reduction=reduction),
            [Arg(normal((6,), dtype, 0)), Arg(normal((6,), dtype, 1)),
             Arg(signs((6,), 2).astype(dtype))], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_loss_matches_torch(backend, dtype, reduction):
    # labels other than +-1 get both terms, as in torch
    labels = signs((3, 4), 2, labels=(-1, 1, 1, -1, 0, 2))
    compare(lambda x, y: nn.HingeEmbeddingLoss(0.5, reduction)(x, y),
            lambda x, y: torch.nn.HingeEmbeddingLoss(0.5, reduction=reduction)(x, y),
            [Arg(normal((3, 4), dtype, 0), transposed=True),
             Arg(labels.astype(dtype), grad=False)],
            dtype)
    int_labels = signs((4,), 3)
    compare(lambda x, y: F.hinge_embedding_loss(x, y, reduction=reduction),
            lambda x, y: TF.hinge_embedding_loss(x, y, reduction=reduction),
            [Arg(normal((3, 4), dtype, 0)), (minitorch.tensor(int_labels),
                                            torch.tensor(int_labels))], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss_matches_torch(backend, dtype, reduction):
    labels = signs((5,), 2, labels=(-1, 1, 0))
    compare(lambda a, b: nn.CosineEmbeddingLoss(0.2, reduction)(a, b,
                                                                minitorch.tensor(labels)),
            lambda a, b: torch.nn.CosineEmbeddingLoss(0.2, reduction=reduction)(
                a, b, torch.tensor(labels)),
            [Arg(normal((5, 3), dtype, 0), transposed=True), Arg(normal((1, 3), dtype, 1))],
            dtype)
    for label in (1.0, -1.0):
        compare(lambda a, b, y: F.cosine_embedding_loss(a, b, y, -0.5, reduction),
                lambda a, b, y: TF.cosine_embedding_loss(a, b, y, -0.5,
                                                         reduction=reduction),
                [Arg(normal((4,), dtype, 0)), Arg(normal((4,), dtype, 1)),
                 Arg(np.array(label, dtype), grad=False)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss_matches_torch_and_never_overflows(backend, dtype, reduction):
    scores = normal((3, 4), dtype, 0) * 40   # exp(-y x) overflows float32 beyond 88
    compare(lambda x, y: nn.SoftMarginLoss(reduction)(x, y),
            lambda x, y: torch.nn.SoftMarginLoss(reduction=reduction)(x, y),
            [Arg(scores), Arg(signs((4,), 2).astype(dtype), grad=False)], dtype)
    compare(lambda x, y: F.soft_margin_loss(x, y, reduction),
            lambda x, y: TF.soft_margin_loss(x, y, reduction=reduction),
            [Arg(normal((3, 4), dtype, 1), transposed=True),
             Arg(signs((3, 4), 3).astype(dtype), grad=False)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss_matches_torch(backend, dtype, reduction, weighted):
    weight = np.linspace(0.5, 2.0, 4).astype(dtype) if weighted else None

    def ours(x, y):
        return nn.MultiLabelSoftMarginLoss(
            None if weight is None else minitorch.tensor(weight), reduction)(x, y)

    def theirs(x, y):
        return torch.nn.MultiLabelSoftMarginLoss(
            None if weight is None else torch.tensor(weight), reduction=reduction)(x, y)

    targets = np.random.default_rng(2).uniform(size=(3, 4)).astype(dtype)
    compare(ours, theirs, [Arg(normal((3, 4), dtype, 0), transposed=True), Arg(targets)],
            dtype)
    compare(ours, theirs, [Arg(normal((2, 3, 4), dtype, 0)),
                           Arg(signs((4,), 1, labels=(0, 1)).astype(dtype))], dtype)
    compare(ours, theirs, [Arg(normal((4,), dtype, 0)), Arg(targets[0])], dtype)


# ---- margin losses over class indices --------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss_matches_torch(backend, dtype, reduction, p, weighted):
    weight = np.linspace(2.0, 0.5, 5).astype(dtype) if weighted else None
    labels = np.array([0, 4, 2, 2, 1, 3])

    def ours(x, y):
        return nn.MultiMarginLoss(p, 0.7, None if weight is None else
                                  minitorch.tensor(weight), reduction)(x, y)

    def theirs(x, y):
        return torch.nn.MultiMarginLoss(p, 0.7, None if weight is None else
                                        torch.tensor(weight), reduction=reduction)(x, y)

    compare(ours, theirs, [Arg(normal((6, 5), dtype, 0), transposed=True),
                           (minitorch.tensor(labels), torch.tensor(labels))], dtype)
    for label in (np.array(3), np.array([3])):   # unbatched: a () or (1,) target
        compare(ours, theirs, [Arg(normal((5,), dtype, 1)),
                               (minitorch.tensor(label), torch.tensor(label))], dtype)


def test_multi_margin_loss_passes_no_gradient_at_a_zero_hinge(backend):
    # x[y] - x[j] == margin exactly: the hinge is 0 and, as torch, so is its gradient
    scores = np.array([[2.0, 1.0, -3.0]])
    compare(lambda x, y: F.multi_margin_loss(x, y), lambda x, y: TF.multi_margin_loss(x, y),
            [Arg(scores), (minitorch.tensor([0]), torch.tensor([0]))], "float64")


MULTILABEL_TARGETS = np.array([
    [3, 0, -1, 1, 2],      # classes 3 and 0; what follows the -1 is not read
    [1, 1, 4, -1, -1],     # class 1 listed twice counts twice, as torch
    [-1, 2, 2, 2, 2],      # no target class: a loss of 0
    [0, 1, 2, 3, 4],       # every class a target: nothing to compare against, 0
])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss_matches_torch(backend, dtype, reduction):
    def ours(x, y):
        return nn.MultiLabelMarginLoss(reduction)(x, y)

    def theirs(x, y):
        return torch.nn.MultiLabelMarginLoss(reduction=reduction)(x, y)

    compare(ours, theirs, [Arg(normal((4, 5), dtype, 0), transposed=True),
                           (minitorch.tensor(MULTILABEL_TARGETS),
                            torch.tensor(MULTILABEL_TARGETS))], dtype)
    compare(ours, theirs, [Arg(normal((5,), dtype, 1)),
                           (minitorch.tensor(MULTILABEL_TARGETS[0]),
                            torch.tensor(MULTILABEL_TARGETS[0]))], dtype)


def test_multilabel_margin_loss_passes_no_gradient_at_a_zero_hinge(backend):
    scores = np.array([[2.0, 1.0, 0.5]])   # 1 - (x[0] - x[1]) == 0 exactly
    target = np.array([[0, -1, 0]])
    compare(lambda x, y: F.multilabel_margin_loss(x, y),
            lambda x, y: TF.multilabel_margin_loss(x, y),
            [Arg(scores), (minitorch.tensor(target), torch.tensor(target))], "float64")


# ---- triplet losses --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2, 3.5, math.inf])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss_matches_torch(backend, dtype, reduction, p, swap):
    def ours(a, pos, neg):
        return nn.TripletMarginLoss(1.5, p, 1e-3, swap, reduction)(a, pos, neg)

    def theirs(a, pos, neg):
        return torch.nn.TripletMarginLoss(1.5, p, 1e-3, swap, reduction=reduction)(
            a, pos, neg)

    compare(ours, theirs, [Arg(normal((4, 3), dtype, 0), transposed=True),
                           Arg(normal((1, 3), dtype, 1)), Arg(normal((4, 3), dtype, 2))],
            dtype)
    compare(ours, theirs, [Arg(normal((3,), dtype, 0)), Arg(normal((3,), dtype, 1)),
                           Arg(normal((3,), dtype, 2))], dtype)


def _cosine_distance(x1, x2):
    return 1.0 - F.cosine_similarity(x1, x2, dim=-1)


def _torch_cosine_distance(x1, x2):
    return 1.0 - TF.cosine_similarity(x1, x2, dim=-1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("distance", ["default", "module", "function"])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss_matches_torch(backend, dtype, reduction,
                                                         distance, swap):
    ours_distance, theirs_distance = {
        "default": (None, None),
        "module": (nn.PairwiseDistance(p=1.0), torch.nn.PairwiseDistance(p=1.0)),
        "function": (_cosine_distance, _torch_cosine_distance)}[distance]

    def ours(a, pos, neg):
        return nn.TripletMarginWithDistanceLoss(distance_function=ours_distance,
                                                margin=0.4, swap=swap,
                                                reduction=reduction)(a, pos, neg)

    def theirs(a, pos, neg):
        return torch.nn.TripletMarginWithDistanceLoss(distance_function=theirs_distance,
                                                      margin=0.4, swap=swap,
                                                      reduction=reduction)(a, pos, neg)

    compare(ours, theirs, [Arg(normal((5, 6), dtype, 0)), Arg(normal((5, 6), dtype, 1),
                                                             transposed=True),
                           Arg(normal((5, 6), dtype, 2))], dtype)


def test_a_small_case_on_the_python_backend():
    with minitorch.use_backend("python"):
        compare(lambda x, y: F.multi_margin_loss(x, y, p=2),
                lambda x, y: TF.multi_margin_loss(x, y, p=2),
                [Arg(normal((2, 3), "float64", 0)),
                 (minitorch.tensor([2, 0]), torch.tensor([2, 0]))], "float64")
        compare(lambda x, y, v: F.gaussian_nll_loss(x, y, v, full=True),
                lambda x, y, v: TF.gaussian_nll_loss(x, y, v, full=True),
                [Arg(normal((2, 3), "float64", 0)), Arg(normal((2, 3), "float64", 1)),
                 Arg(np.full((2,), 0.5))], "float64")


def test_cross_entropy_and_nll_loss_take_images_probabilities_and_smoothing(backend):
    """The NLLLoss2d layout (N, C, H, W), as torch: class indices and probability targets,
    label smoothing, on a non-contiguous float64 input (made contiguous for torch, whose
    nll_loss2d backward refuses it)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=(2, 4, 5))
    probabilities = rng.dirichlet(np.ones(3), size=(2, 4, 5)).transpose(0, 3, 1, 2)
    for target in (labels, probabilities):
        compare(lambda x: F.cross_entropy(x.permute(0, 3, 1, 2), minitorch.tensor(target),
                                          label_smoothing=0.1),
                lambda x: TF.cross_entropy(x.permute(0, 3, 1, 2).contiguous(),
                                           torch.tensor(target),
                                           label_smoothing=0.1),
                [Arg(normal((2, 4, 5, 3), "float64", 1))], "float64")
    compare(lambda x: F.nll_loss(x.permute(0, 3, 1, 2), minitorch.tensor(labels),
                                 reduction="none"),
            lambda x: TF.nll_loss(x.permute(0, 3, 1, 2).contiguous(), torch.tensor(labels),
                                  reduction="none"),
            [Arg(normal((2, 4, 5, 3), "float64", 1))], "float64")


# ---- modules: reprs and state dicts ----------------------------------------------------

MODULES = [
    ("GaussianNLLLoss", dict(full=True, eps=1e-3, reduction="sum")),
    ("PoissonNLLLoss", dict(log_input=False, full=True, eps=1e-4)),
    ("MarginRankingLoss", dict(margin=0.5)),
    ("HingeEmbeddingLoss", dict(margin=2.0, reduction="none")),
    ("CosineEmbeddingLoss", dict(margin=0.1)),
    ("SoftMarginLoss", dict(reduction="sum")),
    ("MultiLabelSoftMarginLoss", dict()),
    ("MultiMarginLoss", dict(p=2, margin=0.5)),
    ("MultiLabelMarginLoss", dict()),
    ("TripletMarginLoss", dict(margin=2.0, p=1.0, swap=True)),
    ("TripletMarginWithDistanceLoss", dict(margin=2.0, swap=True)),
]


@pytest.mark.parametrize("name,options", MODULES, ids=[name for name, _ in MODULES])
def test_modules_print_and_keep_their_options_as_torch(name, options):
    ours, theirs = getattr(nn, name)(**options), getattr(torch.nn, name)(**options)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    for option, value in options.items():
        assert getattr(ours, option) == getattr(theirs, option) == value
    assert getattr(minitorch.loss, name) is getattr(nn, name)


@pytest.mark.parametrize("name", ["MultiMarginLoss", "MultiLabelSoftMarginLoss"])
def test_a_class_weight_is_a_buffer_loaded_from_torchs_state_dict(name):
    rng = np.random.default_rng(0)
    theirs = getattr(torch.nn, name)(weight=torch.tensor(rng.uniform(0.5, 2, 4)))
    ours = getattr(nn, name)(weight=minitorch.ones(4, dtype=minitorch.float64))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    ours.load_state_dict({key: minitorch.tensor(value.numpy())
                          for key, value in theirs.state_dict().items()})
    scores, labels = normal((3, 4), "float64"), np.array([1, 0, 3])
    target = labels if name == "MultiMarginLoss" else np.eye(4)[labels]
    np.testing.assert_allclose(
        ours(minitorch.tensor(scores), minitorch.tensor(target)).item(),
        theirs(torch.tensor(scores), torch.tensor(target)).item(), rtol=1e-12)


def test_modules_refuse_bad_options_when_made():
    with pytest.raises(ValueError, match="MultiMarginLoss: p must be 1 or 2, got 3"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="MultiMarginLoss: weight must be None or 1-d"):
        nn.MultiMarginLoss(weight=minitorch.ones(2, 2))
    with pytest.raises(ValueError, match="TripletMarginLoss: margin must be greater than"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError,
                       match="TripletMarginWithDistanceLoss: margin must be greater"):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)
    with pytest.raises(ValueError, match="SoftMarginLoss: reduction must be"):
        nn.SoftMarginLoss("average")
    with pytest.raises(TypeError):   # keyword-only, as torch
        nn.GaussianNLLLoss(True)


# ---- bad inputs ------------------------------------------------------------------------

def t(*shape, dtype=minitorch.float32):
    return minitorch.ones(*shape, dtype=dtype)


def indices(*values):
    return minitorch.tensor(values)


BAD_INPUTS = [
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), t(1, 1)),
     ValueError, "gaussian_nll_loss: var 1x1 must have the input's shape 3x4"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), t(4)),
     ValueError, "gaussian_nll_loss: var 4 must have"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), -t(3, 4)),
     ValueError, "gaussian_nll_loss: var has negative entries"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), -1.0),
     ValueError, "gaussian_nll_loss: var must not be negative"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), indices(1, 2, 3)),
     TypeError, "gaussian_nll_loss: var must be floating point"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(2, 4), t(3, 4)),
     ValueError, r"gaussian_nll_loss: shapes 3x4 and 2x4 cannot be broadcast"),
    (lambda: F.gaussian_nll_loss(t(3), t(3), t(3), reduction="avg"),
     ValueError, "gaussian_nll_loss: reduction must be"),
    (lambda: F.poisson_nll_loss(t(3, 4), t(2, 4)), ValueError, "poisson_nll_loss: shapes"),
    (lambda: F.poisson_nll_loss(indices(1, 2), t(2)),
     TypeError, "poisson_nll_loss: input must be floating point"),
    (lambda: F.poisson_nll_loss(t(2), t(2), reduction=None),
     ValueError, "poisson_nll_loss: reduction must be"),
    (lambda: F.margin_ranking_loss(t(3, 4), t(4), t(3, 4)),
     ValueError, "margin_ranking_loss: expected inputs with the same number of dimensions, "
                 "got input1 3x4, input2 4, target 3x4"),
    (lambda: F.margin_ranking_loss(t(3, 4), t(3, 4), t(2, 4)),
     ValueError, "margin_ranking_loss: shapes"),
    (lambda: F.hinge_embedding_loss(t(3, 4), t(2, 4)), ValueError,
     "hinge_embedding_loss: shapes"),
    (lambda: F.hinge_embedding_loss(indices(1, 2), indices(1, -1)),
     TypeError, "hinge_embedding_loss: input must be floating point"),
    (lambda: F.cosine_embedding_loss(t(3, 4), t(3, 4), t(3, 1)),
     ValueError, r"cosine_embedding_loss: target must be 0-d or 1-d"),
    (lambda: F.cosine_embedding_loss(t(4), t(4), t(1)),
     ValueError, r"cosine_embedding_loss: a 1-d target expects 2-d inputs"),
    (lambda: F.cosine_embedding_loss(t(3, 4), t(3, 4), t(2)),
     ValueError, r"cosine_embedding_loss: shapes 3 and 2 "),
    (lambda: F.cosine_embedding_loss(t(3, 4), t(3, 2), t(3)),
     ValueError, "cosine_embedding_loss: shapes"),
    (lambda: F.soft_margin_loss(t(3, 4), t(3)), ValueError, "soft_margin_loss: shapes"),
    (lambda: F.multilabel_soft_margin_loss(t(3, 4), t(2, 3, 4)),
     ValueError, r"multilabel_soft_margin_loss: target 2x3x4 must broadcast"),
    (lambda: F.multilabel_soft_margin_loss(t(3, 4), t(3, 4), weight=t(3)),
     ValueError, r"multilabel_soft_margin_loss: weight 3 must broadcast"),
    (lambda: F.multilabel_soft_margin_loss(t(), t()),
     ValueError, "multilabel_soft_margin_loss: input must have a class dim"),
    (lambda: F.multi_margin_loss(t(3, 4), indices(0, 1)),
     ValueError, r"multi_margin_loss: expected input \(N, C\) with target \(N,\).* "
                 "got 3x4 and 2$"),
    (lambda: F.multi_margin_loss(t(3, 2, 2), indices(0, 1, 1)),
     ValueError, r"multi_margin_loss: expected input \(N, C\)"),
    (lambda: F.multi_margin_loss(t(3, 4), indices(0, 1, 4)),
     IndexError, "multi_margin_loss: target 4 is out of bounds for 4 classes"),
    (lambda: F.multi_margin_loss(t(3, 4), t(3)),
     TypeError, "multi_margin_loss: target must hold int64 class indices"),
    (lambda: F.multi_margin_loss(t(3, 4), indices(0, 1, 2), p=3),
     ValueError, "multi_margin_loss: p must be 1 or 2"),
    (lambda: F.multi_margin_loss(t(3, 4), indices(0, 1, 2), weight=t(3)),
     ValueError, r"multi_margin_loss: weight must be a float32 tensor of shape \(4,\)"),
    (lambda: F.multi_margin_loss(t(3, 4), indices(0, 1, 2),
                                 weight=t(4, dtype=minitorch.float64)),
     ValueError, "multi_margin_loss: weight must be a float32 tensor"),
    (lambda: F.multilabel_margin_loss(t(3, 4), indices(0, 1, -1)),
     ValueError, r"multilabel_margin_loss: expected input \(N, C\) or \(C,\)"),
    (lambda: F.multilabel_margin_loss(t(4), t(4)),
     TypeError, "multilabel_margin_loss: target must hold int64 class indices"),
    (lambda: F.multilabel_margin_loss(t(4), indices(0, -1, 7, 0)),
     IndexError, "multilabel_margin_loss: target 7 is out of range"),
    (lambda: F.multilabel_margin_loss(t(4), indices(-2, 0, 0, 0)),
     IndexError, "multilabel_margin_loss: target -2 is out of range"),
    (lambda: F.triplet_margin_loss(t(3, 4), t(4), t(3, 4)),
     ValueError, r"triplet_margin_loss: expected inputs with the same number of dim"),
    (lambda: F.triplet_margin_loss(t(3, 4), t(2, 4), t(3, 4)),
     ValueError, "triplet_margin_loss: shapes"),
    (lambda: F.triplet_margin_loss(t(3, 4), t(3, 4), t(3, 4), margin=0),
     ValueError, "triplet_margin_loss: margin must be greater than 0, got 0"),
    (lambda: F.triplet_margin_loss(t(3, 4), indices(1, 2), t(3, 4)),
     TypeError, "triplet_margin_loss: input must be floating point"),
    (lambda: F.triplet_margin_with_distance_loss(t(3), t(3), t(3, 3)),
     ValueError, "triplet_margin_with_distance_loss: expected inputs with the same number"),
    (lambda: F.triplet_margin_with_distance_loss(t(3), t(3), t(3), reduction="max"),
     ValueError, "triplet_margin_with_distance_loss: reduction must be"),
]


@pytest.mark.parametrize("call,error,message", BAD_INPUTS)
def test_bad_inputs_are_refused_naming_the_loss(call, error, message):
    with pytest.raises(error, match=message):
        call()
