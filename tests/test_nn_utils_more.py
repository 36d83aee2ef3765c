"""minitorch.nn.utils against torch.nn.utils, continued: get_total_norm,
clip_grads_with_norm_, the deprecated clip_grad_norm, batch-norm fusion, skip_init and the
hook-based spectral_norm / remove_spectral_norm."""
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.nn import utils
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401


def ours_and_theirs(shape, dtype, seed, transposed=False):
    """The same values as a minitorch and a torch tensor; `transposed`: a transposed view."""
    values = normal(shape[::-1] if transposed else shape, dtype, seed)
    ours, theirs = minitorch.tensor(values), torch.tensor(values)
    return (ours.t(), theirs.t()) if transposed else (ours, theirs)


def copy_weights(ours, theirs):
    """Load torch module theirs' state dict into our module (same keys), after giving it
    random values."""
    with torch.no_grad():
        for seed, (name, tensor) in enumerate(theirs.state_dict().items()):
            if tensor.dtype.is_floating_point:
                values = normal(tuple(tensor.shape), "float64", seed)
                tensor.copy_(torch.tensor(np.abs(values) + 0.5 if "running_var" in name
                                          else values))
    state = {name: minitorch.tensor(tensor.numpy()) for name, tensor in theirs.state_dict().items()}
    ours.load_state_dict(state)
    assert list(ours.state_dict()) == list(theirs.state_dict())


# ---- norms and clipping --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 0.5])
def test_get_total_norm_follows_torch(backend, dtype, norm_type):
    pairs = [ours_and_theirs((3, 4), dtype, 0, transposed=True), ours_and_theirs((5,), dtype, 1),
             ours_and_theirs((2, 2, 2), dtype, 2)]
    ours = utils.get_total_norm([mine for mine, _ in pairs], norm_type)
    theirs = torch.nn.utils.get_total_norm([reference for _, reference in pairs], norm_type)
    assert_close(ours, theirs, dtype)
    single = utils.get_total_norm(pairs[0][0], norm_type, foreach=True)
    assert_close(single, torch.nn.utils.get_total_norm(pairs[0][1], norm_type), dtype)
    assert utils.get_total_norm([]).item() == 0.0


def test_get_total_norm_nonfinite():
    tensors = [minitorch.tensor([1.0, float("inf")])]
    assert utils.get_total_norm(tensors).item() == float("inf")
    with pytest.raises(RuntimeError, match="get_total_norm: the total norm of order 2.0"):
        utils.get_total_norm(tensors, error_if_nonfinite=True)


def gradients_in_both(dtype, seed=0):
    """Two parameters with gradients (one a transposed view), and a third without one."""
    pairs = [ours_and_theirs((3, 4), dtype, seed, transposed=True),
             ours_and_theirs((4,), dtype, seed + 1)]
    ours, theirs = [], []
    for index, (mine, reference) in enumerate(pairs):
        parameter, tparameter = minitorch.nn.Parameter(mine * 0), torch.nn.Parameter(reference * 0)
        parameter.grad, tparameter.grad = mine, reference.clone()
        ours.append(parameter), theirs.append(tparameter)
    ours.append(minitorch.nn.Parameter(minitorch.zeros(2, dtype=getattr(minitorch, dtype))))
    theirs.append(torch.nn.Parameter(torch.zeros(2, dtype=getattr(torch, dtype))))
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grads_with_norm_follows_torch(dtype, max_norm):
    ours, theirs = gradients_in_both(dtype)
    total = utils.get_total_norm([p.grad for p in ours if p.grad is not None])
    utils.clip_grads_with_norm_(ours, max_norm, total)
    torch.nn.utils.clip_grads_with_norm_(
        theirs, max_norm, torch.nn.utils.get_total_norm([p.grad for p in theirs[:2]]))
    for mine, reference in zip(ours[:2], theirs[:2]):
        assert_close(mine.grad, reference.grad, dtype)
    assert ours[2].grad is None
    utils.clip_grads_with_norm_([], 1.0, total)  # nothing to clip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_and_its_deprecated_alias(dtype):
    ours, theirs = gradients_in_both(dtype)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        total = utils.clip_grad_norm(ours, 0.5, norm_type=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        their_total = torch.nn.utils.clip_grad_norm(theirs, 0.5, norm_type=1.0)
    assert_close(total, their_total, dtype)
    for mine, reference in zip(ours[:2], theirs[:2]):
        assert_close(mine.grad, reference.grad, dtype)
    with pytest.warns(UserWarning, match="empty generator"):
        assert utils.clip_grad_norm_((p for p in []), 1.0).item() == 0.0


def test_clip_grad_norm_nonfinite_changes_nothing():
    parameter = minitorch.nn.Parameter(minitorch.zeros(2))
    parameter.grad = minitorch.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total norm"):
        utils.clip_grad_norm_([parameter], 1.0, error_if_nonfinite=True)
    assert parameter.grad[1].item() == 1.0


# ---- fusion --------------------------------------------------------------------------------

CONV_CASES = [  # (minitorch/torch class name, constructor args, input shape, transpose)
    ("Conv2d", (2, 3, 3), (2, 2, 5, 5), False),
    ("Conv1d", (3, 4, 2), (2, 3, 6), False),
    ("ConvTranspose2d", (2, 3, 3), (2, 2, 4, 4), True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, args, shape, transpose", CONV_CASES)
@pytest.mark.parametrize("bias, affine", [(True, True), (False, False)])
def test_fuse_conv_bn_eval_matches_the_unfused_model(backend, dtype, name, args, shape,
                                                      transpose, bias, affine):
    norm = f"BatchNorm{len(shape) - 2}d"
    def build(library):
        conv = getattr(library.nn, name)(*args, bias=bias)
        bn = getattr(library.nn, norm)(args[1], affine=affine)
        return library.nn.Sequential(conv, bn).to(getattr(library, dtype)).eval()
    ours, theirs = build(minitorch), build(torch)
    copy_weights(ours, theirs)
    fused = utils.fuse_conv_bn_eval(ours[0], ours[1], transpose=transpose)
    their_fused = torch.nn.utils.fuse_conv_bn_eval(theirs[0], theirs[1], transpose=transpose)
    assert repr(fused) == repr(their_fused)
    assert [n for n, _ in fused.named_parameters()] == \
        [n for n, _ in their_fused.named_parameters()]
    for (_, mine), (_, reference) in zip(fused.named_parameters(), their_fused.named_parameters()):
        assert_close(mine, reference, dtype)
        assert mine.requires_grad == reference.requires_grad
    inputs, _ = ours_and_theirs(shape, dtype, 5)
    assert np.isfinite(fused(inputs).detach().numpy()).all()
    assert_close(fused(inputs), theirs(torch.tensor(inputs.numpy())), dtype)
    assert_close(fused(inputs), ours(inputs), dtype)
    assert ours[0].weight is not fused.weight  # the originals are left alone


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("features", [4, 1])
def test_fuse_linear_bn_eval_matches_the_unfused_model(backend, dtype, features):
    def build(library):
        model = library.nn.Sequential(library.nn.Linear(3, 4), library.nn.BatchNorm1d(features))
        return model.to(getattr(library, dtype)).eval()
    ours, theirs = build(minitorch), build(torch)
    copy_weights(ours, theirs)
    fused = utils.fuse_linear_bn_eval(ours[0], ours[1])
    their_fused = torch.nn.utils.fuse_linear_bn_eval(theirs[0], theirs[1])
    assert_close(fused.weight, their_fused.weight, dtype)
    assert_close(fused.bias, their_fused.bias, dtype)
    for batched in (True, False):
        inputs, tinputs = ours_and_theirs((5, 3) if batched else (3,), dtype, 6,
                                          transposed=batched)
        assert_close(fused(inputs), their_fused(tinputs), dtype)
    inputs, _ = ours_and_theirs((5, 3), dtype, 6)
    assert np.isfinite(fused(inputs).detach().numpy()).all()
    if features == 4:
        assert_close(fused(inputs), ours(inputs), dtype)


def test_fuse_linear_bn_weights_without_bias():
    weight, tweight = ours_and_theirs((4, 3), "float64", 0, transposed=False)
    stats = [ours_and_theirs((4,), "float64", seed) for seed in range(1, 5)]
    mean, variance, scale, shift = [mine for mine, _ in stats]
    tmean, tvariance, tscale, tshift = [reference for _, reference in stats]
    ours = utils.fuse_linear_bn_weights(weight, None, mean, variance.abs(), 1e-5, scale, shift)
    theirs = torch.nn.utils.fuse_linear_bn_weights(tweight, None, tmean, tvariance.abs(), 1e-5,
                                                   tscale, tshift)
    for mine, reference in zip(ours, theirs):
        assert isinstance(mine, minitorch.nn.Parameter)
        assert_close(mine, reference, "float64")


def test_fusion_refuses_training_mode_and_mismatched_sizes():
    conv, bn = minitorch.nn.Conv2d(2, 3, 1), minitorch.nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match="fuse_conv_bn_eval: fusion is only for eval mode"):
        utils.fuse_conv_bn_eval(conv, bn.eval())
    untracked = minitorch.nn.BatchNorm2d(3, track_running_stats=False).eval()
    with pytest.raises(ValueError, match="fuse_conv_bn_eval: the batch norm has no running"):
        utils.fuse_conv_bn_eval(conv.eval(), untracked)
    linear, bn = minitorch.nn.Linear(2, 3).eval(), minitorch.nn.BatchNorm1d(2).eval()
    with pytest.raises(ValueError, match="fuse_linear_bn_eval: to fuse, bn.num_features"):
        utils.fuse_linear_bn_eval(linear, bn)


# ---- skip_init -----------------------------------------------------------------------------

def test_skip_init():
    module = utils.skip_init(minitorch.nn.Linear, 3, 4, bias=False, dtype=minitorch.float64)
    assert type(module) is minitorch.nn.Linear
    assert repr(module) == repr(torch.nn.utils.skip_init(torch.nn.Linear, 3, 4, bias=False))
    assert module.weight.shape == (4, 3) and module.weight.dtype == minitorch.float64
    norm = utils.skip_init(minitorch.nn.BatchNorm1d, 3, device="cpu")
    assert norm.running_mean.shape == (3,)
    with pytest.raises(RuntimeError, match="skip_init: expected a Module class"):
        utils.skip_init(minitorch.nn.functional.relu)
    with pytest.raises(RuntimeError, match="skip_init: device 'meta' is not available"):
        utils.skip_init(minitorch.nn.Linear, 3, 4, device="meta")


# ---- hook-based spectral_norm --------------------------------------------------------------

SPECTRAL_CASES = [  # (class name, args, input shape, spectral_norm keyword arguments)
    ("Linear", (5, 4), (3, 5), {}),
    ("Conv2d", (2, 3, 2), (2, 2, 4, 4), dict(n_power_iterations=3)),
    ("ConvTranspose1d", (3, 2, 3), (2, 3, 5), {}),
    ("Linear", (4, 6), (2, 4), dict(dim=1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, args, shape, options", SPECTRAL_CASES)
def test_spectral_norm_follows_torch(backend, dtype, name, args, shape, options):
    def build(library):
        module = getattr(library.nn, name)(*args).to(getattr(library, dtype))
        return library.nn.utils.spectral_norm(module, **options)
    ours, theirs = build(minitorch), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert {"weight_orig", "weight_u", "weight_v"} <= set(ours.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({key: minitorch.tensor(value.numpy())
                          for key, value in theirs.state_dict().items()})
    results = []
    for seed in range(3):  # training mode: the power iteration runs on each call
        inputs, tinputs = ours_and_theirs(shape, dtype, seed, transposed=seed == 1 and
                                          len(shape) == 2)
        results.append((ours(inputs), theirs(tinputs)))
    for key in ("weight_u", "weight_v"):
        assert_close(ours.state_dict()[key], theirs.state_dict()[key], dtype)
    check_backward(results, [], [], dtype, ours, theirs)
    ours.eval(), theirs.eval()
    inputs, tinputs = ours_and_theirs(shape, dtype, 9)
    assert_close(ours(inputs), theirs(tinputs), dtype)
    assert_close(ours.weight, theirs.weight, dtype)
    utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight, dtype)
    assert isinstance(ours.weight, minitorch.nn.Parameter)


def test_spectral_norm_bad_input():
    linear = utils.spectral_norm(minitorch.nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="cannot register two spectral_norm hooks"):
        utils.spectral_norm(linear)
    with pytest.raises(ValueError, match="n_power_iterations to be positive"):
        utils.spectral_norm(minitorch.nn.Linear(3, 2), n_power_iterations=0)
    fresh = minitorch.nn.Linear(3, 2)
    with pytest.raises(ValueError, match="spectral_norm: module .* has no parameter or buffer "
                                         "with name 'kernel'"):
        utils.spectral_norm(fresh, name="kernel")
    with pytest.raises(IndexError, match="spectral_norm: dim 2 is out of range"):
        utils.spectral_norm(fresh, dim=2)
    assert list(fresh.state_dict()) == ["weight", "bias"] and not fresh._forward_pre_hooks
    with pytest.raises(ValueError, match="spectral_norm of 'bias' not found"):
        utils.remove_spectral_norm(linear, "bias")
