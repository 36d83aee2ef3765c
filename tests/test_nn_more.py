"""The newer torch.nn pieces of minitorch against torch: the losses L1, SmoothL1, Huber,
BCE, KLDiv and BCEWithLogits' pos_weight; softmin, softsign, hardswish, hardsigmoid,
threshold, glu, prelu; cosine_similarity, pairwise_distance; nearest interpolate;
Unflatten and the other layers; minitorch.nn.utils. Values, the gradients of every
input, reprs and error messages, in float32 and float64, on the numpy and c backends
(one small case on the python backend), with contiguous and transposed inputs."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.nn import utils
from nn_helpers import backend  # noqa: F401  (a fixture)

TF = torch.nn.functional
TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}
DTYPES = {"float32": np.float32, "float64": np.float64}
DTYPE_NAMES = list(DTYPES)
REDUCTIONS = ["none", "mean", "sum"]


def assert_close(ours, theirs, dtype, **tolerance):
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                               **(tolerance or TOLERANCE[dtype]))


def leaves(array, transposed=False):
    """(minitorch leaf, the tensor to use, torch leaf, the tensor to use): with
    transposed, the tensors to use are .T views of leaves holding array.T."""
    source = np.ascontiguousarray(array.T) if transposed else array
    ours = minitorch.tensor(source, requires_grad=True)
    theirs = torch.tensor(source, requires_grad=True)
    if transposed:
        return ours, ours.T, theirs, theirs.T
    return ours, ours, theirs, theirs


def check(ours, theirs, arrays, dtype, transposed=False, **tolerance):
    """ours(*inputs) against theirs(*inputs): the values, and the gradients reaching each
    input of a random weighting of the output (nan where torch's is nan). transposed
    passes the 2-D inputs as non-contiguous .T views."""
    made = [leaves(a, transposed and a.ndim == 2) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the broadcasting and 'mean' warnings
        out = ours(*[m[1] for m in made])
        tout = theirs(*[m[3] for m in made])
    assert_close(out, tout, dtype, **tolerance)
    weights = np.random.default_rng(1).uniform(0.5, 1.5, tout.shape).astype(DTYPES[dtype])
    (out * minitorch.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for ours_leaf, _, theirs_leaf, _ in made:
        assert_close(ours_leaf.grad, theirs_leaf.grad, dtype, **tolerance)


def normal(dtype, *shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(DTYPES[dtype])


def uniform(dtype, *shape, seed=0):
    return np.random.default_rng(seed).uniform(size=shape).astype(DTYPES[dtype])


# ---- regression losses ------------------------------------------------------------------

REGRESSION = [("L1Loss", {}), ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.5}),
              ("SmoothL1Loss", {"beta": 0.0}), ("HuberLoss", {}),
              ("HuberLoss", {"delta": 0.5}), ("HuberLoss", {"delta": 2.0})]


def regression_pair(dtype):
    """prediction and target whose differences include 0 and exactly +-0.5, +-1, +-2 (the
    kinks of every beta and delta above)."""
    prediction = normal(dtype, 3, 4) * 2
    target = prediction.copy()
    target.reshape(-1)[:7] -= np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0], DTYPES[dtype])
    return prediction, target


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,options", REGRESSION)
@pytest.mark.parametrize("transposed", [False, True])
def test_regression_losses_match_torch(backend, dtype, reduction, name, options, transposed):
    ours = getattr(nn, name)(reduction=reduction, **options)
    theirs = getattr(torch.nn, name)(reduction=reduction, **options)
    assert repr(ours) == repr(theirs) == f"{name}()"
    check(ours, theirs, regression_pair(dtype), dtype, transposed)


@pytest.mark.parametrize("function", ["l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses_broadcast_with_torchs_warning(backend, function):
    prediction, target = normal("float64", 3, 4), normal("float64", 4, seed=1)
    with pytest.warns(UserWarning, match=f"{function}: using a target size 4 that is "
                                         "different to the input size 3x4"):
        getattr(F, function)(minitorch.tensor(prediction), minitorch.tensor(target))
    check(getattr(F, function), getattr(TF, function), [prediction, target], "float64")
    with pytest.raises(ValueError, match=f"{function}: .*3x4 and 5"):
        getattr(F, function)(minitorch.ones(3, 4), minitorch.ones(5))


def test_regression_loss_arguments_are_checked():
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must not be negative, got -1"):
        F.smooth_l1_loss(minitorch.ones(2), minitorch.ones(2), beta=-1.0)
    for delta in (0.0, -1.0):
        with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
            nn.HuberLoss(delta=delta)(minitorch.ones(2), minitorch.ones(2))
    with pytest.raises(TypeError, match="l1_loss: input must be floating point, got int64"):
        F.l1_loss(minitorch.tensor([1, 2]), minitorch.tensor([1, 2]))
    with pytest.raises(ValueError, match="L1Loss: reduction must be 'none', 'mean' or 'sum', "
                                         "got 'batchmean'"):
        nn.L1Loss(reduction="batchmean")
    with pytest.raises(ValueError, match="huber_loss: reduction must be"):
        F.huber_loss(minitorch.ones(2), minitorch.ones(2), reduction="average")


# ---- binary cross-entropy ---------------------------------------------------------------

def bce_inputs(dtype):
    """Probabilities including exactly 0 and 1 against targets 0 and 1 (both the finite
    clamped losses and the 1e12 gradients), and soft targets."""
    probabilities = uniform(dtype, 3, 4)
    target = uniform(dtype, 3, 4, seed=1)
    probabilities[0] = [0.0, 1.0, 0.0, 1.0]
    target[0] = [0.0, 1.0, 1.0, 0.0]
    target[1, :2] = [0.0, 1.0]
    return probabilities, target


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (4,), (3, 1), (3, 4)])
@pytest.mark.parametrize("transposed", [False, True])
def test_binary_cross_entropy_matches_torch(backend, dtype, reduction, weight_shape,
                                            transposed):
    weight = None if weight_shape is None else uniform(dtype, *weight_shape, seed=2) + 0.5
    ours = nn.BCELoss(None if weight is None else minitorch.tensor(weight), reduction)
    theirs = torch.nn.BCELoss(None if weight is None else torch.tensor(weight),
                              reduction=reduction)
    assert repr(ours) == repr(theirs) == "BCELoss()"
    check(ours, theirs, bce_inputs(dtype), dtype, transposed)


def test_binary_cross_entropy_at_0_and_1_is_clamped_at_100(backend):
    probabilities = minitorch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    target = minitorch.tensor([1.0, 0.0, 0.0, 1.0], requires_grad=True)
    losses = F.binary_cross_entropy(probabilities, target, reduction="none")
    assert losses.tolist() == [100.0, 100.0, 0.0, 0.0]
    losses.sum().backward()
    assert np.all(np.isfinite(probabilities.grad.numpy()))   # +-1/1e-12, or 0
    assert target.grad.tolist() == [math.inf, -math.inf, math.inf, -math.inf]


@pytest.mark.parametrize("value", [1.5, -0.25, math.nan])
def test_binary_cross_entropy_refuses_inputs_outside_0_1(backend, value):
    with pytest.raises(RuntimeError, match="binary_cross_entropy: all elements of input "
                                           "should be between 0 and 1"):
        F.binary_cross_entropy(minitorch.tensor([0.5, value]), minitorch.tensor([0.0, 1.0]))


def test_binary_cross_entropy_shapes_are_checked():
    with pytest.raises(ValueError, match="binary_cross_entropy: input 2x3 and target 3 "):
        F.binary_cross_entropy(minitorch.full((2, 3), 0.5), minitorch.ones(3))
    with pytest.raises(ValueError, match="binary_cross_entropy: weight 2 must broadcast to "
                                         "the input's shape 2x3"):
        F.binary_cross_entropy(minitorch.full((2, 3), 0.5), minitorch.ones(2, 3),
                               minitorch.ones(2))
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits: input 2x3 and "
                                         "target 2x1"):
        nn.BCEWithLogitsLoss()(minitorch.ones(2, 3), minitorch.ones(2, 1))
    with pytest.raises(ValueError, match="pos_weight 4 must broadcast to the input's shape"):
        F.binary_cross_entropy_with_logits(minitorch.ones(2, 3), minitorch.ones(2, 3),
                                           pos_weight=minitorch.ones(4))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight_shape", [(), (5,), (2, 5)])
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_logits_pos_weight_matches_torch(backend, dtype, reduction,
                                                  pos_weight_shape, weighted):
    logits = np.array([[1e4, -1e4, 0.0, 50.0, -50.0],
                       [-3.0, 2.5, -0.5, 20.0, -20.0]], DTYPES[dtype])
    target = np.array([[1.0, 1.0, 0.5, 0.0, 0.0], [0.0, 1.0, 0.3, 1.0, 0.0]], DTYPES[dtype])
    pos_weight = uniform(dtype, *pos_weight_shape, seed=3) * 4 + 0.2
    weight = uniform(dtype, 5, seed=4) + 0.5 if weighted else None
    ours = nn.BCEWithLogitsLoss(None if weight is None else minitorch.tensor(weight),
                                reduction, pos_weight=minitorch.tensor(pos_weight))
    theirs = torch.nn.BCEWithLogitsLoss(None if weight is None else torch.tensor(weight),
                                        reduction=reduction,
                                        pos_weight=torch.tensor(pos_weight))
    assert repr(ours) == repr(theirs) == "BCEWithLogitsLoss()"
    check(ours, theirs, [logits, target], dtype)
    loss = ours(minitorch.tensor(logits), minitorch.tensor(target))
    assert np.all(np.isfinite(loss.numpy()))


def test_loss_weights_are_buffers_as_in_torch(backend):
    weight, pos_weight = np.ones(3, np.float32), np.full(3, 2.0, np.float32)
    for name, arguments, keywords in [
            ("BCEWithLogitsLoss", (weight,), {"pos_weight": pos_weight}),
            ("BCEWithLogitsLoss", (), {}), ("BCELoss", (weight,), {}),
            ("CrossEntropyLoss", (weight,), {}), ("NLLLoss", (), {})]:
        ours = getattr(nn, name)(*map(minitorch.tensor, arguments),
                                 **{k: minitorch.tensor(v) for k, v in keywords.items()})
        theirs = getattr(torch.nn, name)(*map(torch.tensor, arguments),
                                         **{k: torch.tensor(v) for k, v in keywords.items()})
        assert list(ours.state_dict()) == list(theirs.state_dict())
    loss = nn.BCEWithLogitsLoss(minitorch.tensor(weight),
                                pos_weight=minitorch.tensor(pos_weight)).double()
    assert loss.weight.dtype is loss.pos_weight.dtype is minitorch.float64


# ---- KL divergence ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("reduction", ["none", "batchmean", "sum", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("target_shape", [(3, 4), (4,)])
def test_kl_div_matches_torch(backend, dtype, reduction, log_target, target_shape):
    log_probs = np.log(np.random.default_rng(0).dirichlet(np.ones(4), 3)).astype(
        DTYPES[dtype])
    rows = 3 if len(target_shape) == 2 else 1
    target = np.random.default_rng(1).dirichlet(np.ones(4), rows).astype(
        DTYPES[dtype]).reshape(target_shape)
    if not log_target:
        target.reshape(-1)[1] = 0.0   # contributes 0 (its own gradient is nan, as torch's)
    target = np.log(target) if log_target else target
    ours = nn.KLDivLoss(reduction, log_target=log_target)
    theirs = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)
    assert repr(ours) == repr(theirs) == "KLDivLoss()"
    check(ours, theirs, [log_probs, target], dtype)


def test_kl_div_warns_about_mean_and_checks_its_reduction():
    log_probs, target = minitorch.zeros(2, 3), minitorch.full((2, 3), 1 / 3)
    with pytest.warns(UserWarning, match="kl_div: reduction 'mean' divides.*'batchmean'"):
        F.kl_div(log_probs, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.kl_div(log_probs, target, reduction="batchmean").item() == pytest.approx(
            math.log(1 / 3))
    with pytest.raises(ValueError, match="kl_div: reduction must be 'none', 'batchmean', "
                                         "'sum' or 'mean', got 'avg'"):
        F.kl_div(log_probs, target, reduction="avg")
    with pytest.raises(ValueError, match="kl_div: .*2x3 and 4"):
        F.kl_div(log_probs, minitorch.ones(4), reduction="sum")


# ---- activations ------------------------------------------------------------------------

def activation_inputs(dtype):
    """Normal values, plus the kinks and edges -3, 3, 0, 0.5 (the threshold below), +-6,
    +-100."""
    array = normal(dtype, 4, 6) * 3
    array.reshape(-1)[:8] = [-3.0, 3.0, 0.0, 0.5, 6.0, -6.0, 100.0, -100.0]
    return array


ACTIVATIONS = [("Softmin", (1,)), ("Softmin", (0,)), ("Softsign", ()), ("Hardswish", ()),
               ("Hardsigmoid", ()), ("Threshold", (0.5, -2.0)), ("Threshold", (0.1, 20)),
               ("GLU", ()), ("GLU", (0,))]


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("name,args", ACTIVATIONS)
@pytest.mark.parametrize("transposed", [False, True])
def test_activation_layers_match_torch(backend, dtype, name, args, transposed):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    # torch's float64 hardsigmoid backward multiplies by a float32 1/6
    tolerance = dict(rtol=1e-7, atol=0) if (name, dtype) == ("Hardsigmoid", "float64") else {}
    check(ours, theirs, [activation_inputs(dtype)], dtype, transposed, **tolerance)


def test_threshold_keeps_nan_as_torch():
    values = [math.nan, 0.5, 0.4, 0.6]
    ours = F.threshold(minitorch.tensor(values), 0.5, -1.0).tolist()
    assert np.array_equal(ours, TF.threshold(torch.tensor(values), 0.5, -1.0).tolist(),
                          equal_nan=True)


@pytest.mark.parametrize("name,args", [("Hardswish", ()), ("Hardsigmoid", ()),
                                       ("Threshold", (0.5, -2.0))])
def test_inplace_activations_write_into_the_input(backend, name, args):
    array = activation_inputs("float32")
    x, tx = minitorch.tensor(array), torch.tensor(array)
    out = getattr(nn, name)(*args, inplace=True)(x)
    getattr(torch.nn, name)(*args, inplace=True)(tx)
    assert out is x
    assert repr(getattr(nn, name)(*args, inplace=True)) == repr(
        getattr(torch.nn, name)(*args, inplace=True))
    assert_close(x, tx, "float32")


def test_glu_refuses_odd_and_0_d_inputs():
    with pytest.raises(ValueError, match="glu: dimension 1 of input 2x3 must have an even "
                                         "size to be halved, got 3"):
        F.glu(minitorch.ones(2, 3))
    with pytest.raises(ValueError, match="glu: does not support a 0-d input"):
        nn.GLU()(minitorch.tensor(1.0))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("num_parameters,shape", [(1, (2, 3, 4)), (3, (2, 3, 4)),
                                                  (3, (5, 3)), (1, (6,)), (1, ())])
def test_prelu_matches_torch(backend, dtype, num_parameters, shape):
    ours = nn.PReLU(num_parameters, init=0.1, dtype=dtype)
    theirs = torch.nn.PReLU(num_parameters, init=0.1, dtype=getattr(torch, dtype))
    assert repr(ours) == repr(theirs)
    assert_close(ours.weight, theirs.weight, dtype)
    slopes = normal(dtype, num_parameters, seed=5)
    with minitorch.no_grad():
        ours.weight.copy_(minitorch.tensor(slopes))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(slopes))
    array = np.array(normal(dtype, *shape))
    array.reshape(-1)[:1] = 0.0   # x = 0 takes the slope, as torch
    check(ours, theirs, [array], dtype)
    assert_close(ours.weight.grad, theirs.weight.grad, dtype)


def test_prelu_checks_its_weight():
    with pytest.raises(ValueError, match="prelu: weight of 2 elements must hold 1 slope or "
                                         "one per channel, and input 4x3 has 3 channel"):
        F.prelu(minitorch.ones(4, 3), minitorch.ones(2))
    with pytest.raises(ValueError, match="prelu: weight must be 0-d or 1-D, got 1x3"):
        F.prelu(minitorch.ones(4, 3), minitorch.ones(1, 3))


# ---- distances --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("shapes,dim", [(((4, 5), (4, 5)), 1), (((3, 4, 5), (3, 4, 5)), -1),
                                        (((3, 1, 5), (4, 5)), 2), (((4, 1), (4, 5)), 1),
                                        (((2, 3), (2, 3)), 0)])
def test_cosine_similarity_matches_torch(backend, dtype, shapes, dim):
    arrays = [normal(dtype, *shape, seed=k) for k, shape in enumerate(shapes)]
    check(lambda a, b: nn.CosineSimilarity(dim)(a, b),
          lambda a, b: torch.nn.CosineSimilarity(dim)(a, b), arrays, dtype)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_cosine_similarity_of_zero_and_tiny_vectors_matches_torch(backend, dtype):
    # rows: zero, below eps (the clamp passes its gradient through), ordinary
    x1 = np.array([[0.0, 0.0, 0.0], [1e-10, 0.0, 0.0], [1.0, -2.0, 0.5]], DTYPES[dtype])
    x2 = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.5, 0.5, -1.0]], DTYPES[dtype])
    check(F.cosine_similarity, TF.cosine_similarity, [x1, x2], dtype, transposed=True,
          rtol=TOLERANCE[dtype]["rtol"], atol=0)
    check(lambda a, b: F.cosine_similarity(a, b, 1, 1e-3),
          lambda a, b: TF.cosine_similarity(a, b, 1, 1e-3), [x1, x2], dtype)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, math.inf])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shapes", [((4, 5), (4, 5)), ((4, 5), (5,)), ((5,), (5,))])
def test_pairwise_distance_matches_torch(backend, dtype, p, keepdim, shapes):
    arrays = [normal(dtype, *shape, seed=k) for k, shape in enumerate(shapes)]
    ours, theirs = nn.PairwiseDistance(p, keepdim=keepdim), torch.nn.PairwiseDistance(
        p, keepdim=keepdim)
    assert repr(ours) == repr(theirs) == "PairwiseDistance()" and ours.norm == p
    check(ours, theirs, arrays, dtype, transposed=True)


@pytest.mark.parametrize("p", [2.0, 0.5, 1.0])
def test_pairwise_distance_of_equal_rows_has_a_zero_gradient(backend, p):
    x1 = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    x2 = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 3.0]])
    check(lambda a, b: F.pairwise_distance(a, b, p, eps=0.0),
          lambda a, b: TF.pairwise_distance(a, b, p, eps=0.0), [x1, x2], "float64")


def test_distance_arguments_are_checked():
    with pytest.raises(ValueError, match="cosine_similarity: .*2x3 and 4x3"):
        F.cosine_similarity(minitorch.ones(2, 3), minitorch.ones(4, 3))
    with pytest.raises(IndexError, match="cosine_similarity: dimension 2 is out of range"):
        F.cosine_similarity(minitorch.ones(2, 3), minitorch.ones(2, 3), dim=2)


@pytest.mark.parametrize("p", [0, -1, 0.5])
def test_pairwise_distance_takes_any_order_as_torch(p):
    x1, x2 = np.random.default_rng(3).standard_normal((2, 4, 3))
    ours = F.pairwise_distance(minitorch.tensor(x1), minitorch.tensor(x2), p=p)
    theirs = torch.nn.functional.pairwise_distance(torch.tensor(x1), torch.tensor(x2), p=p)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


# ---- interpolate, Upsample, Unflatten ---------------------------------------------------

INTERPOLATIONS = [((2, 3, 7), {"scale_factor": 2}), ((2, 3, 7), {"scale_factor": 1.5}),
                  ((2, 3, 7), {"scale_factor": 0.5}), ((2, 3, 7), {"size": 4}),
                  ((2, 3, 5), {"size": 13}), ((1, 2, 5, 6), {"scale_factor": (2.3, 1 / 3)}),
                  ((1, 2, 5, 6), {"scale_factor": 0.7, "recompute_scale_factor": True}),
                  ((1, 2, 5, 6), {"size": (9, 4)}), ((1, 2, 4, 3), {"scale_factor": 3}),
                  ((1, 2, 3, 4, 2), {"size": (5, 2, 3)}), ((1, 1, 14, 2), {"size": (46, 3)}),
                  ((1, 1, 2, 3), {"scale_factor": (1.4, 2.3)})]

# Where the kernels' float32 or float64 rounding decides a source position, and where an
# output as large as the input (or twice) is exact with 2 spatial dims only. In some of
# these torch's backward uses other positions than its forward (its gradcheck fails), so
# the gradient is checked as the adjoint of torch's forward instead.
ROUNDING_CASES = [((1, 1, 14), {"size": 46}), ((1, 1, 26), {"size": 22}),
                  ((1, 1, 2, 14, 2), {"size": (3, 46, 1)}), ((1, 2, 2), {"scale_factor": 1.4}),
                  ((1, 2, 3), {"scale_factor": 2.3}), ((1, 2, 16), {"scale_factor": 2.6})]


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("shape,options", INTERPOLATIONS)
def test_nearest_interpolate_matches_torch(backend, dtype, shape, options):
    check(lambda x: F.interpolate(x, **options), lambda x: TF.interpolate(x, **options),
          [normal(dtype, *shape)], dtype)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("shape,options", ROUNDING_CASES)
def test_nearest_interpolate_picks_torchs_positions(backend, dtype, shape, options):
    array = normal(dtype, *shape)
    x = minitorch.tensor(array, requires_grad=True)
    out = F.interpolate(x, **options)
    expected = TF.interpolate(torch.tensor(array), **options)
    np.testing.assert_array_equal(out.detach().numpy(), expected.numpy())
    weights = normal(dtype, *expected.shape, seed=1)
    (out * minitorch.tensor(weights)).sum().backward()
    # <forward(x), w> == <x, gradient> for the linear map torch's forward is
    np.testing.assert_allclose((array * x.grad.numpy()).sum(),
                               (expected.numpy() * weights).sum(), **TOLERANCE[dtype])


def test_interpolate_of_a_transposed_input_matches_torch(backend):
    array = normal("float32", 1, 2, 5, 6)
    x, tx = minitorch.tensor(array).transpose(2, 3), torch.tensor(array).transpose(2, 3)
    assert_close(F.interpolate(x, scale_factor=1.5), TF.interpolate(tx, scale_factor=1.5),
                 "float32")


@pytest.mark.parametrize("options", [{"scale_factor": 2}, {"size": (3, 4)},
                                     {"scale_factor": (2, 3)}, {"size": 5}])
def test_upsample_matches_torch(backend, options):
    ours, theirs = nn.Upsample(**options), torch.nn.Upsample(**options)
    assert repr(ours) == repr(theirs)
    check(ours, theirs, [normal("float32", 2, 1, 3, 4)], "float32")


def test_upsample_function_is_deprecated_as_in_torch():
    with pytest.warns(UserWarning, match="upsample: nn.functional.upsample is deprecated"):
        out = F.upsample(minitorch.ones(1, 1, 2), scale_factor=2)
    assert out.shape == (1, 1, 4)


@pytest.mark.parametrize("call,error,message", [
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), scale_factor=2, mode="cubic"),
     NotImplementedError, "interpolate: unknown interpolation mode 'cubic'"),
    (lambda: nn.Upsample(scale_factor=2, mode="bilinar"), NotImplementedError,
     "Upsample: unknown interpolation mode 'bilinar'"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2, scale_factor=2), ValueError,
     "exactly one of size and scale_factor"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4)), ValueError,
     "exactly one of size and scale_factor"),
    (lambda: F.interpolate(minitorch.ones(4, 4), size=2), ValueError,
     "interpolate: expected a 3-D, 4-D or 5-D input .*, got 4x4"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4, 4), size=(2, 2, 2)), ValueError,
     r"interpolate: size \(2, 2, 2\) must have one entry per spatial dim of the input, "
     "which has 2 \\(4x4\\)"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), scale_factor=0.2), ValueError,
     "interpolate: the output size of each spatial dim must be positive, got 0"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2, align_corners=False),
     ValueError, "align_corners can only be set with the interpolating modes"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2.5), TypeError,
     "interpolate: size must be ints"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2, recompute_scale_factor=True),
     ValueError, "recompute_scale_factor is not meaningful with an explicit size"),
])
def test_interpolate_arguments_are_checked(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("dim,sizes,shape", [(1, (2, 5), (3, 10)), (-1, [2, 5], (3, 10)),
                                             (1, (2, -1, 3), (2, 12, 2)), (0, (1, 3), (3, 4))])
def test_unflatten_matches_torch(backend, dim, sizes, shape):
    ours, theirs = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(ours) == repr(theirs)
    check(ours, theirs, [normal("float32", *shape)], "float32")


def test_unflatten_arguments_are_checked():
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, got float "
                                        "at position 1"):
        nn.Unflatten(1, (2, 2.5))
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, got int"):
        nn.Unflatten(1, 4)
    for sizes in [(2, 4), (-1, -1), (3, -1)]:
        with pytest.raises(ValueError, match=r"Unflatten: sizes \(.*\) do not multiply up "
                                             "to the size 10 of dim 1 of input 3x10"):
            nn.Unflatten(1, sizes)(minitorch.ones(3, 10))


def test_layer_reprs_match_torch():
    for name, args, kwargs in [("PReLU", (), {}), ("Softmin", (), {}), ("Softsign", (), {}),
                               ("Hardswish", (True,), {}), ("GLU", (1,), {}),
                               ("Threshold", (0.1, 20.0, True), {}),
                               ("CosineSimilarity", (0, 1e-3), {}),
                               ("Upsample", (), {"size": 3}),
                               ("PairwiseDistance", (1.0, 1e-3, True), {})]:
        assert repr(getattr(nn, name)(*args, **kwargs)) == repr(
            getattr(torch.nn, name)(*args, **kwargs))
    model = nn.Sequential(nn.Linear(4, 6), nn.PReLU(6), nn.Unflatten(1, (2, 3)),
                          nn.GLU(1), nn.Hardswish(), nn.Flatten())
    reference = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.PReLU(6),
                                    torch.nn.Unflatten(1, (2, 3)), torch.nn.GLU(1),
                                    torch.nn.Hardswish(), torch.nn.Flatten())
    assert repr(model) == repr(reference)
    assert model(minitorch.ones(5, 4)).shape == (5, 3)


# ---- the old losses' reprs --------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", [
    ("CrossEntropyLoss", {"reduction": "sum", "label_smoothing": 0.1, "ignore_index": 2}),
    ("NLLLoss", {"ignore_index": 0}), ("MSELoss", {"reduction": "none"}),
    ("BCEWithLogitsLoss", {}), ("SmoothL1Loss", {"beta": 0.3}),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True})])
def test_loss_reprs_are_torchs(name, kwargs):
    assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


# ---- nn.utils ---------------------------------------------------------------------------

def parameters_with_gradients(dtype, gradients):
    """Matching minitorch and torch parameters whose .grad are `gradients` (None: none)."""
    ours, theirs = [], []
    for k, gradient in enumerate(gradients):
        shape = (3, 2) if gradient is None else gradient.shape
        value = normal(dtype, *shape, seed=k)
        ours.append(nn.Parameter(minitorch.tensor(value)))
        theirs.append(torch.nn.Parameter(torch.tensor(value)))
        if gradient is not None:
            ours[-1].grad = minitorch.tensor(gradient.astype(DTYPES[dtype]))
            theirs[-1].grad = torch.tensor(gradient.astype(DTYPES[dtype]))
    return ours, theirs


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(backend, dtype, norm_type, max_norm):
    gradients = [normal(dtype, 4, 3, seed=7), None, normal(dtype, 5, seed=8) * 3,
                 normal(dtype, 2, 2, 2, seed=9)]
    ours, theirs = parameters_with_gradients(dtype, gradients)
    before = [p.grad for p in ours]
    total = utils.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert_close(total, expected, dtype)
    assert not total.requires_grad
    for p, tp, gradient in zip(ours, theirs, before):
        assert p.grad is gradient                              # changed in place
        if gradient is not None:
            assert_close(p.grad, tp.grad, dtype)
            assert not p.grad.requires_grad and p.grad._ctx is None
    if max_norm == 0.5:
        assert utils.clip_grad_norm_(ours, max_norm, norm_type).item() == pytest.approx(
            max_norm, rel=1e-4)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_clip_grad_norm_of_a_non_finite_norm(backend, bad):
    gradients = [np.array([1.0, bad, 2.0]), np.array([[3.0, -4.0]])]
    ours, theirs = parameters_with_gradients("float64", gradients)
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total norm of order 2.0 of "
                                           "the gradients is non-finite"):
        utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert ours[1].grad.tolist() == [[3.0, -4.0]]             # nothing scaled
    total = utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert_close(total, expected, "float64")
    for p, tp in zip(ours, theirs):                            # inf: 0 and nan; nan: nan
        assert_close(p.grad, tp.grad, "float64")


def test_clip_grad_norm_takes_one_tensor_and_no_gradients(backend):
    parameter = nn.Parameter(minitorch.tensor([3.0, 4.0]))
    assert utils.clip_grad_norm_(parameter, 1.0).item() == 0.0
    parameter.grad = minitorch.tensor([3.0, 4.0])
    assert utils.clip_grad_norm_(parameter, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(parameter.grad.numpy(), [0.6, 0.8], rtol=1e-5)


@pytest.mark.parametrize("norm_type", [0, -1, 0.5])
def test_clip_grad_norm_of_any_order_matches_torch(norm_type):
    ours, theirs = nn.Parameter(minitorch.ones(3)), torch.nn.Parameter(torch.ones(3))
    ours.grad, theirs.grad = minitorch.tensor([2.0, 0.0, -4.0]), torch.tensor([2.0, 0.0, -4.0])
    total = utils.clip_grad_norm_([ours], 1.0, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_([theirs], 1.0, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_after_backward_clips_what_backward_stored(backend):
    model = nn.Linear(3, 2)
    reference = torch.nn.Linear(3, 2)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(model.weight.detach().numpy()))
        reference.bias.copy_(torch.tensor(model.bias.detach().numpy()))
    x = normal("float32", 4, 3) * 10
    (model(minitorch.tensor(x)) ** 2).sum().backward()
    (reference(torch.tensor(x)) ** 2).sum().backward()
    assert_close(utils.clip_grad_norm_(model.parameters(), 1.0),
                 torch.nn.utils.clip_grad_norm_(reference.parameters(), 1.0), "float32")
    assert_close(model.weight.grad, reference.weight.grad, "float32")
    assert_close(model.bias.grad, reference.bias.grad, "float32")


def test_clip_grad_value_matches_torch(backend):
    gradients = [normal("float32", 4, 3, seed=1) * 2, None, normal("float32", 5, seed=2)]
    ours, theirs = parameters_with_gradients("float32", gradients)
    assert utils.clip_grad_value_(ours, 0.5) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for p, tp in zip(ours, theirs):
        if tp.grad is not None:
            assert_close(p.grad, tp.grad, "float32")
            assert p.grad.abs().max().item() == 0.5


def test_parameters_to_vector_and_back_match_torch(backend):
    values = [normal("float32", *shape, seed=k) for k, shape in
              enumerate([(2, 3), (4,), (1, 2, 2)])]
    ours = [nn.Parameter(minitorch.tensor(value)) for value in values]
    theirs = [torch.nn.Parameter(torch.tensor(value)) for value in values]
    vector = utils.parameters_to_vector(ours)
    assert_close(vector, torch.nn.utils.parameters_to_vector(theirs), "float32")
    (vector * minitorch.arange(14.0)).sum().backward()         # differentiable, as torch's
    assert ours[1].grad.tolist() == [6.0, 7.0, 8.0, 9.0]
    replacement = minitorch.arange(14.0) / 10
    utils.vector_to_parameters(replacement, ours)
    torch.nn.utils.vector_to_parameters(torch.arange(14.0) / 10, theirs)
    for p, tp in zip(ours, theirs):
        assert isinstance(p, nn.Parameter) and p.requires_grad
        assert_close(p, tp, "float32")
    with minitorch.no_grad():
        replacement[6] = -1.0                                  # shared memory, as in torch
    assert ours[1].tolist()[0] == -1.0


def test_vector_to_parameters_checks_the_vector():
    parameters = [nn.Parameter(minitorch.ones(2, 3)), nn.Parameter(minitorch.ones(4))]
    with pytest.raises(TypeError, match="vector_to_parameters: expected a Tensor, got list"):
        utils.vector_to_parameters([1.0] * 10, parameters)
    for shape in [(9,), (11,), (2, 5)]:
        with pytest.raises(ValueError, match="expected a 1-D vector of 10 elements"):
            utils.vector_to_parameters(minitorch.ones(*shape), parameters)


# ---- the python backend -----------------------------------------------------------------

def test_a_small_case_on_the_python_backend():
    with minitorch.use_backend("python"):
        prediction, target = regression_pair("float64")
        check(nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5),
              [prediction[:1], target[:1]], "float64")
        check(nn.BCELoss(), torch.nn.BCELoss(), [a[:2] for a in bce_inputs("float64")],
              "float64")
        check(lambda a, b: F.binary_cross_entropy_with_logits(
                  a, b, pos_weight=minitorch.tensor([2.0, 0.5])),
              lambda a, b: TF.binary_cross_entropy_with_logits(
                  a, b, pos_weight=torch.tensor([2.0, 0.5])),
              [np.array([[60.0, -60.0]]), np.array([[1.0, 0.3]])], "float64")
        check(nn.KLDivLoss("batchmean"), torch.nn.KLDivLoss(reduction="batchmean"),
              [np.log([[0.2, 0.8]]), np.array([[0.0, 1.0]])], "float64")
        check(F.cosine_similarity, TF.cosine_similarity,
              [normal("float64", 2, 3), normal("float64", 2, 3, seed=1)], "float64")
        check(lambda x: F.interpolate(x, scale_factor=1.5),
              lambda x: TF.interpolate(x, scale_factor=1.5), [normal("float64", 1, 1, 3)],
              "float64")
        ours, theirs = parameters_with_gradients("float64", [np.array([3.0, 4.0])])
        assert_close(utils.clip_grad_norm_(ours, 1.0),
                     torch.nn.utils.clip_grad_norm_(theirs, 1.0), "float64")
        assert_close(ours[0].grad, theirs[0].grad, "float64")
