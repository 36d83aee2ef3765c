"""cross_entropy and nll_loss with PyTorch's options (weight, ignore_index,
label_smoothing, probability targets, unbatched and (N, C, d1, ...) layouts), against
PyTorch: values and input gradients, on every backend."""
import numpy as np
import pytest
import torch

import minitorch

F = minitorch.nn.functional

# (input shape, target shape) for class-index targets; probabilities use the input's
LAYOUTS = [((6, 4), (6,)), ((4,), ()), ((3, 4, 2, 2), (3, 2, 2))]
REDUCTIONS = ("mean", "sum", "none")


def _pair(array, requires_grad=False):
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _labels(shape, classes, ignore_index, seed=0):
    labels = np.random.default_rng(seed).integers(0, classes, size=shape)
    if ignore_index is not None and labels.size:
        labels.reshape(-1)[::3] = ignore_index   # every third sample ignored
    return labels


def _check(loss, torch_loss, logits, torch_logits, rtol=1e-5):
    np.testing.assert_allclose(loss.detach().numpy(), torch_loss.detach().numpy(),
                               rtol=rtol, atol=1e-6)
    weights = np.random.default_rng(1).uniform(0.5, 1.5, size=tuple(torch_loss.shape))
    (loss * minitorch.tensor(weights.astype(np.float32))).sum().backward()
    (torch_loss * torch.tensor(weights.astype(np.float32))).sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), torch_logits.grad.numpy(), rtol=rtol,
                               atol=1e-6)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: str(layout[0]))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [None, 2])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_of_class_indices_matches_torch(backend_name, layout, reduction,
                                                      weighted, ignore_index, smoothing):
    input_shape, target_shape = layout
    classes = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    logits, torch_logits = _pair(np.random.default_rng(0).normal(
        size=input_shape).astype(np.float32) * 3, requires_grad=True)
    labels = _labels(target_shape, classes, ignore_index)
    weight = np.linspace(0.5, 2.0, classes).astype(np.float32) if weighted else None
    options = dict(reduction=reduction, label_smoothing=smoothing,
                   ignore_index=-100 if ignore_index is None else ignore_index)
    loss = F.cross_entropy(logits, minitorch.tensor(labels),
                           None if weight is None else minitorch.tensor(weight), **options)
    torch_loss = torch.nn.functional.cross_entropy(
        torch_logits, torch.tensor(labels), None if weight is None else torch.tensor(weight),
        **options)
    _check(loss, torch_loss, logits, torch_logits)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: str(layout[0]))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_of_class_probabilities_matches_torch(backend_name, layout, reduction,
                                                            weighted, smoothing):
    input_shape = layout[0]
    classes = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    rng = np.random.default_rng(2)
    logits, torch_logits = _pair(rng.normal(size=input_shape).astype(np.float32),
                                 requires_grad=True)
    class_dim = 0 if len(input_shape) == 1 else 1
    raw = rng.uniform(size=input_shape)
    probabilities = (raw / raw.sum(axis=class_dim, keepdims=True)).astype(np.float32)
    weight = np.linspace(0.5, 2.0, classes).astype(np.float32) if weighted else None
    loss = F.cross_entropy(logits, minitorch.tensor(probabilities),
                           None if weight is None else minitorch.tensor(weight),
                           reduction=reduction, label_smoothing=smoothing)
    torch_loss = torch.nn.functional.cross_entropy(
        torch_logits, torch.tensor(probabilities),
        None if weight is None else torch.tensor(weight), reduction=reduction,
        label_smoothing=smoothing)
    _check(loss, torch_loss, logits, torch_logits)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_with_weight_and_ignore_index_matches_torch(backend_name, reduction,
                                                             weighted):
    log_probs, torch_log_probs = _pair(np.log(np.random.default_rng(3).dirichlet(
        np.ones(5), size=(4, 3)).transpose(0, 2, 1)).astype(np.float32), requires_grad=True)
    labels = _labels((4, 3), 5, ignore_index=0)
    weight = np.linspace(2.0, 0.5, 5).astype(np.float32) if weighted else None
    loss = minitorch.nn.NLLLoss(None if weight is None else minitorch.tensor(weight),
                                ignore_index=0, reduction=reduction)(
        log_probs, minitorch.tensor(labels))
    torch_loss = torch.nn.NLLLoss(None if weight is None else torch.tensor(weight),
                                  ignore_index=0, reduction=reduction)(
        torch_log_probs, torch.tensor(labels))
    _check(loss, torch_loss, log_probs, torch_log_probs)


def test_the_default_ignore_index_is_ignored_and_all_ignored_gives_nan():
    logits, torch_logits = _pair(np.ones((3, 4), np.float32), requires_grad=True)
    labels = np.array([1, -100, 3])
    loss = minitorch.nn.CrossEntropyLoss()(logits, minitorch.tensor(labels))
    torch_loss = torch.nn.CrossEntropyLoss()(torch_logits, torch.tensor(labels))
    _check(loss, torch_loss, logits, torch_logits)
    everything_ignored = F.cross_entropy(minitorch.ones(2, 4), minitorch.tensor([-100, -100]))
    assert np.isnan(everything_ignored.item())


@pytest.mark.parametrize("call,message", [
    (lambda: F.cross_entropy(minitorch.ones(3, 4), minitorch.tensor([0, 4, 1])),
     "target 4 is out of bounds for 4 classes"),
    (lambda: F.cross_entropy(minitorch.ones(3, 4), minitorch.tensor([0, 1])),
     r"expected input \(N, C\)"),
    (lambda: F.cross_entropy(minitorch.ones(3, 4), minitorch.tensor([0, 1, 2]),
                             minitorch.ones(3)), "weight must be a float32 tensor of shape"),
    (lambda: F.cross_entropy(minitorch.ones(3, 4), minitorch.tensor([0, 1, 2]),
                             label_smoothing=1.5), "label_smoothing must be in"),
    (lambda: F.cross_entropy(minitorch.ones(3, 4), minitorch.ones(3, 4), ignore_index=1),
     "ignore_index is not supported for class probability targets"),
    (lambda: F.nll_loss(minitorch.ones(3, 4), minitorch.ones(3)), "int64 class indices"),
])
def test_bad_loss_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError, IndexError), match=message):
        call()


def test_options_after_weight_are_keyword_only_as_torch_users_write_them():
    with pytest.raises(TypeError):
        F.cross_entropy(minitorch.ones(2, 3), minitorch.tensor([0, 1]), None, -100)
