"""minitorch.utils.checkpoint: gradients equal to the un-checkpointed run (dropout
included, thanks to preserve_rng_state) and to torch's, activations not kept, keyword
and non-tensor arguments, tuple outputs, checkpoint_sequential, and the errors."""
import gc
import weakref

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, normal  # noqa: F401

import minitorch
from minitorch import nn
from minitorch.autograd.graph import saved_tensors_hooks
from minitorch.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential

REENTRANT = pytest.mark.parametrize("use_reentrant", [False, True],
                                    ids=["non_reentrant", "reentrant"])


def _models(dtype, dropout=0.0):
    """The same Sequential in minitorch and torch (torch's state dict loaded into ours)."""
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(),
                                 torch.nn.Dropout(dropout), torch.nn.Linear(5, 3),
                                 torch.nn.Sigmoid(), torch.nn.Linear(3, 2))
    theirs = theirs.to(getattr(torch, dtype))
    ours = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Dropout(dropout), nn.Linear(5, 3),
                         nn.Sigmoid(), nn.Linear(3, 2)).to(getattr(minitorch, dtype))
    ours.load_state_dict({key: minitorch.tensor(value.numpy())
                          for key, value in theirs.state_dict().items()})
    return ours, theirs


def _grads(model, x):
    return [x.grad] + [p.grad for p in model.parameters()]


def _assert_same_grads(first, second, dtype):
    for mine, reference in zip(first, second):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6 if
                                   dtype == "float32" else 1e-12)


@REENTRANT
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4,), (3, 4)], ids=["unbatched", "batched"])
def test_gradients_equal_torch(backend, use_reentrant, dtype, shape):
    ours, theirs = _models(dtype)
    values = normal(shape, dtype)
    x = minitorch.tensor(values, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    y = checkpoint(ours, x, use_reentrant=use_reentrant)
    ty = torch.utils.checkpoint.checkpoint(theirs, tx, use_reentrant=use_reentrant)
    assert_close(y, ty, dtype)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    assert_close(x.grad, tx.grad, dtype)
    for (name, parameter), reference in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(parameter.grad, reference.grad, dtype)


@REENTRANT
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_masks_repeat_on_recompute(backend, use_reentrant, dtype):
    ours, _ = _models(dtype, dropout=0.5)
    x = minitorch.tensor(normal((6, 4), dtype), requires_grad=True)
    minitorch.manual_seed(3)
    ours(x).sum().backward()
    expected = _grads(ours, x)
    after_plain = minitorch.randn(3)
    ours.zero_grad()
    x.grad = None
    minitorch.manual_seed(3)
    checkpoint(ours, x, use_reentrant=use_reentrant).sum().backward()
    _assert_same_grads(_grads(ours, x), expected, dtype)
    # the recompute leaves the random state where the un-checkpointed run left it
    assert minitorch.randn(3).tolist() == after_plain.tolist()


@REENTRANT
def test_without_preserve_rng_state_the_masks_differ(use_reentrant):
    ours, _ = _models("float64", dropout=0.5)
    x = minitorch.tensor(normal((6, 4), "float64"), requires_grad=True)
    minitorch.manual_seed(3)
    ours(x).sum().backward()
    expected = x.grad
    x.grad = None
    minitorch.manual_seed(3)
    checkpoint(ours, x, use_reentrant=use_reentrant, preserve_rng_state=False).sum().backward()
    assert not np.allclose(x.grad.numpy(), expected.numpy())


def test_non_reentrant_keeps_no_activation():
    """An intermediate of the checkpointed function is freed after the forward (without
    checkpointing the graph keeps it), and outer hooks see no tensor saved inside."""
    w = minitorch.randn(4, 4, requires_grad=True)
    kept = []

    def function(x):
        hidden = (x @ w).tanh()
        kept.append(weakref.ref(hidden))
        return (hidden @ w).exp()

    x = minitorch.randn(2, 4, requires_grad=True)
    plain = function(x)
    gc.collect()
    assert kept[-1]() is not None
    outer = []
    with saved_tensors_hooks(lambda t: outer.append(t) or t, lambda t: t):
        checkpointed = checkpoint(function, x, use_reentrant=False)
    gc.collect()
    assert kept[-1]() is None and outer == []
    plain.sum().backward()
    expected = (x.grad, w.grad)
    x.grad = w.grad = None
    checkpointed.sum().backward()
    _assert_same_grads((x.grad, w.grad), expected, "float32")


def test_reentrant_saves_only_the_inputs():
    w = minitorch.randn(4, 4, requires_grad=True)
    x = minitorch.randn(2, 4, requires_grad=True)
    counted = []
    with saved_tensors_hooks(lambda t: counted.append(t) or t, lambda t: t):
        ((x @ w).tanh() @ w).exp()
        plain_count = len(counted)
        counted.clear()
        y = checkpoint(lambda a, b: ((a @ b).tanh() @ b).exp(), x, w, use_reentrant=True)
    assert y.grad_fn.name() == "CheckpointFunctionBackward"   # torch's name
    assert plain_count > 2
    assert len(counted) == 2 and counted[0] is x and counted[1] is w


@REENTRANT
def test_non_tensor_arguments_tuple_outputs_and_a_transposed_input(backend, use_reentrant):
    w, tw = [library.tensor(normal((4, 3), "float64", seed=1), requires_grad=True)
             for library in (minitorch, torch)]

    def function(x, scale, flip, unused):
        assert unused is None
        product = x @ w * scale
        return (product.flip(0) if flip else product), (product * product).sum(), "label"

    values = normal((4, 3), "float64")
    x = minitorch.tensor(values, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    first, second, label = checkpoint(function, x.T, 0.5, True, None,
                                       use_reentrant=use_reentrant)
    tfirst, tsecond, _ = torch.utils.checkpoint.checkpoint(
        lambda a, s, f: ((a @ tw * s).flip(0), ((a @ tw * s) ** 2).sum(), "label"),
        tx.T, 0.5, True, use_reentrant=use_reentrant)
    assert label == "label"
    (first.exp().sum() + second).backward()
    (tfirst.exp().sum() + tsecond).backward()
    assert_close(x.grad, tx.grad, "float64")
    assert_close(w.grad, tw.grad, "float64")


def test_keyword_arguments_non_reentrant():
    w = minitorch.randn(3, 3, requires_grad=True)
    x = minitorch.randn(2, 3, requires_grad=True)

    def function(x, *, power=1, bias=None):
        return ((x @ w) ** power + bias).sum()

    bias = minitorch.ones(3)
    function(x, power=3, bias=bias).backward()
    expected = (x.grad, w.grad)
    x.grad = w.grad = None
    checkpoint(function, x, power=3, bias=bias, use_reentrant=False).backward()
    _assert_same_grads((x.grad, w.grad), expected, "float32")


def test_second_backward_with_retain_graph_recomputes():
    w = minitorch.randn(3, 3, dtype=minitorch.float64, requires_grad=True)
    y = checkpoint(lambda a: (a @ w).tanh().sum(), minitorch.ones(2, 3, dtype=minitorch.float64),
                   use_reentrant=False)
    y.backward(retain_graph=True)
    once = w.grad.clone()
    y.backward()
    _assert_same_grads((w.grad,), (2 * once,), "float64")


def test_under_no_grad_it_just_runs():
    w = minitorch.randn(3, 3, requires_grad=True)
    with minitorch.no_grad():
        for use_reentrant in (False, True):
            y = checkpoint(lambda a: a @ w, minitorch.ones(2, 3, requires_grad=True),
                           use_reentrant=use_reentrant)
            assert not y.requires_grad


@REENTRANT
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_matches_the_plain_model(backend, use_reentrant, segments):
    ours, _ = _models("float64", dropout=0.3)
    x = minitorch.tensor(normal((5, 4), "float64"), requires_grad=True)
    minitorch.manual_seed(1)
    ours(x).sum().backward()
    expected = _grads(ours, x)
    ours.zero_grad()
    x.grad = None
    minitorch.manual_seed(1)
    y = checkpoint_sequential(ours, segments, x, use_reentrant=use_reentrant)
    y.sum().backward()
    _assert_same_grads(_grads(ours, x), expected, "float64")
    x.grad = None
    as_list = list(ours.children())
    minitorch.manual_seed(1)
    checkpoint_sequential(as_list, segments, x, use_reentrant=use_reentrant).sum().backward()
    _assert_same_grads((x.grad,), expected[:1], "float64")


def test_use_reentrant_none_warns_and_is_reentrant():
    x = minitorch.randn(3, requires_grad=True)
    with pytest.warns(UserWarning, match="checkpoint: pass use_reentrant explicitly"):
        with pytest.raises(ValueError, match="unexpected keyword arguments.*scale"):
            checkpoint(lambda a, scale: a * scale, x, scale=2.0)
    with pytest.warns(UserWarning, match="checkpoint_sequential: pass use_reentrant"):
        checkpoint_sequential([minitorch.exp, minitorch.tanh], 2, x)


def test_errors():
    x = minitorch.randn(3, requires_grad=True)
    with pytest.raises(ValueError, match="determinism_check should be one of default, none"):
        checkpoint(minitorch.exp, x, use_reentrant=False, determinism_check="all")
    with pytest.raises(ValueError, match="debug and context_fn are only supported with "
                                         "use_reentrant=False"):
        checkpoint(minitorch.exp, x, use_reentrant=True, debug=True)
    with pytest.raises(NotImplementedError, match="checkpoint: debug=True"):
        checkpoint(minitorch.exp, x, use_reentrant=False, debug=True)
    with pytest.raises(NotImplementedError, match="checkpoint: context_fn"):
        checkpoint(minitorch.exp, x, use_reentrant=False, context_fn=lambda: None)
    with pytest.warns(UserWarning, match="none of the inputs have requires_grad=True"):
        checkpoint(minitorch.exp, x.detach(), use_reentrant=True)
    with pytest.raises(ValueError, match="checkpoint_sequential: segments must be between 1 "
                                         r"and the number of functions \(2\), got 3"):
        checkpoint_sequential([minitorch.exp, minitorch.tanh], 3, x, use_reentrant=False)
    with pytest.raises(ValueError, match="checkpoint_sequential: unexpected keyword arguments: "
                                         "early_stop"):
        checkpoint_sequential([minitorch.exp], 1, x, use_reentrant=False, early_stop=False)


def test_a_rerun_saving_other_tensors_is_refused():
    runs = []

    def changing(a):
        runs.append(None)
        return (a * a).sum() if len(runs) == 1 else (a[:2] * a[:2]).sum()

    x = minitorch.randn(3, requires_grad=True)
    y = checkpoint(changing, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match=r"saved tensor 0 had shape \(3,\).*shape \(2,\)"):
        y.backward()

    def reordered(a):
        runs.append(None)
        return (a * a).sum() if len(runs) == 1 else (a.flip(0) * a).sum()

    runs.clear()
    checkpoint(reordered, x, use_reentrant=False, determinism_check="none").backward()
    assert x.grad is not None   # unchecked: the rerun's saved tensors (same shapes) are used

    def fewer(a):
        runs.append(None)
        return (a * a).sum() if len(runs) == 1 else a.sum() * 2

    runs.clear()
    with pytest.raises(CheckpointError, match="saved 2 tensors .* but 1 when run again"):
        checkpoint(fewer, x, use_reentrant=False).backward()


def test_non_reentrant_second_order_gradients_as_torch():
    w, tw = [library.tensor(normal((3, 3), "float64"), requires_grad=True)
             for library in (minitorch, torch)]
    values = normal((2, 3), "float64", seed=1)
    x = minitorch.tensor(values, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    y = checkpoint(lambda a: ((a @ w).tanh() * a).exp().sum(), x, use_reentrant=False)
    ty = torch.utils.checkpoint.checkpoint(lambda a: ((a @ tw).tanh() * a).exp().sum(), tx,
                                           use_reentrant=False)
    grad, = minitorch.autograd.grad(y, x, create_graph=True)
    tgrad, = torch.autograd.grad(ty, tx, create_graph=True)
    (grad * grad).sum().backward()
    (tgrad * tgrad).sum().backward()
    assert_close(x.grad, tx.grad, "float64")
    assert_close(w.grad, tw.grad, "float64")
