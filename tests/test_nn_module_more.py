"""Module's remaining API against torch 2.13: full backward pre-hooks, the deprecated
backward hook, state-dict and load hooks, extra state, set_submodule, to_empty,
share_memory and type."""
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, normal

import minitorch
from minitorch import nn


def linear_pair(dtype="float32"):
    ours = nn.Linear(3, 2).to(getattr(minitorch, dtype))
    theirs = torch.nn.Linear(3, 2).to(getattr(torch, dtype))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_full_backward_pre_hook_replaces_grad_output(dtype):
    ours, theirs = linear_pair(dtype)
    seen = {}
    ours.register_full_backward_pre_hook(lambda m, g: (g[0] * 3,))
    ours.register_full_backward_hook(lambda m, gi, go: seen.update(ours=go[0]))
    theirs.register_full_backward_pre_hook(lambda m, g: (g[0] * 3,))
    theirs.register_full_backward_hook(lambda m, gi, go: seen.update(theirs=go[0]))
    x = normal((4, 3), dtype)
    mine, reference = minitorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(mine.mT.contiguous().mT).sum().backward()
    theirs(reference).sum().backward()
    assert_close(mine.grad, reference.grad, dtype)
    assert_close(ours.weight.grad, theirs.weight.grad, dtype)
    assert_close(seen["ours"], seen["theirs"], dtype)


def test_full_backward_pre_hook_wrong_length_is_refused():
    layer = nn.Linear(3, 2)
    layer.register_full_backward_pre_hook(lambda m, g: (g[0], g[0]))
    with pytest.raises(RuntimeError, match="Backward pre hook returned an invalid number"):
        layer(minitorch.ones(1, 3, requires_grad=True)).sum().backward()


def test_register_backward_hook_warns_and_cannot_mix():
    layer = nn.Linear(3, 2)
    with pytest.warns(FutureWarning, match="register_backward_hook is deprecated"):
        layer.register_backward_hook(lambda m, gi, go: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks"):
        layer.register_full_backward_hook(lambda m, gi, go: None)
    other = nn.Linear(3, 2)
    other.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(RuntimeError, match="Cannot use both"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other.register_backward_hook(lambda m, gi, go: None)


def test_state_dict_hooks_order_and_prefixes():
    calls = {}
    for library in (nn, torch.nn):
        model = library.Sequential(library.Linear(2, 2), library.ReLU())
        log = calls.setdefault(library.__name__, [])
        for name, module in [("root", model), ("child", model[0])]:
            module.register_state_dict_pre_hook(
                lambda m, prefix, keep_vars, name=name: log.append(("pre", name, prefix)))
            module.register_state_dict_post_hook(
                lambda m, sd, prefix, meta, name=name: log.append(("post", name, prefix,
                                                                   len(sd))))
        model.state_dict()
    assert calls["minitorch.nn"] == calls["torch.nn"]


def test_state_dict_post_hook_must_return_none():
    layer = nn.Linear(2, 2)
    handle = layer.register_state_dict_post_hook(lambda m, sd, prefix, meta: sd)
    with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
        layer.state_dict()
    handle.remove()
    assert list(layer.state_dict()) == ["weight", "bias"]


def test_load_state_dict_hooks():
    model = nn.Sequential(nn.Linear(2, 2))
    source = {"0.w": minitorch.ones(2, 2), "0.bias": minitorch.zeros(2)}

    def rename(module, state_dict, prefix, metadata, strict, missing, unexpected, errors):
        assert prefix == "0." and strict
        state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")

    seen = []
    model[0].register_load_state_dict_pre_hook(rename)
    model.register_load_state_dict_post_hook(lambda m, keys: seen.append(keys))
    result = model.load_state_dict(source)
    assert "0.w" in source   # the hooks work on a copy
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), np.ones((2, 2)))
    assert seen == [result] and result.missing_keys == [] == result.unexpected_keys

    def fail(module, state_dict, prefix, metadata, strict, missing, unexpected, errors):
        errors.append("refused by a hook")

    model.register_load_state_dict_pre_hook(fail)
    with pytest.raises(RuntimeError, match="refused by a hook"):
        model.load_state_dict(source)
    assert len(seen) == 1


class WithExtra(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.step = 0

    def get_extra_state(self):
        return {"step": self.step}

    def set_extra_state(self, state):
        self.step = state["step"]


class TorchWithExtra(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 2)

    def get_extra_state(self):
        return {"step": 0}

    def set_extra_state(self, state):
        pass


def test_extra_state_key_and_round_trip():
    ours = nn.Sequential(WithExtra())
    ours[0].step = 5
    theirs = torch.nn.Sequential(TorchWithExtra())
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    fresh = nn.Sequential(WithExtra())
    fresh.load_state_dict(state)
    assert fresh[0].step == 5
    del state["0._extra_state"]
    with pytest.raises(RuntimeError, match="missing key '0._extra_state'"):
        fresh.load_state_dict(state)
    with pytest.raises(RuntimeError, match="override get_extra_state"):
        nn.Linear(2, 2).get_extra_state()


def test_set_submodule():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2)))
    replacement = nn.ReLU()
    model.set_submodule("0.0", replacement)
    assert model[0][0] is replacement
    model.set_submodule("0.extra", nn.Tanh())
    assert isinstance(model.get_submodule("0.extra"), nn.Tanh)
    with pytest.raises(AttributeError, match="no submodule `new` to replace"):
        model.set_submodule("0.new", nn.ReLU(), strict=True)
    with pytest.raises(ValueError, match="cannot set the submodule without a target name"):
        model.set_submodule("", nn.ReLU())
    with pytest.raises(ValueError, match="`module` is not an nn.Module"):
        model.set_submodule("0.0", 3)
    with pytest.raises(AttributeError, match="has no attribute `missing`"):
        model.set_submodule("missing.layer", nn.ReLU())
    layer = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="`weight` is an attribute of Linear but not"):
        layer.set_submodule("weight", nn.ReLU())
    assert isinstance(layer.weight, nn.Parameter)


def test_to_empty_share_memory_and_type():
    model = nn.BatchNorm1d(3)
    weight = model.weight
    assert model.to_empty(device="cpu") is model and model.weight is weight
    assert model.weight.shape == (3,) and model.running_mean.shape == (3,)
    assert model.share_memory() is model
    assert model.type(minitorch.float64) is model
    assert model.weight.dtype == minitorch.float64
    assert model.num_batches_tracked.dtype == minitorch.float64   # torch casts every tensor
    theirs = torch.nn.BatchNorm1d(3).type(torch.float64)
    assert theirs.num_batches_tracked.dtype == torch.float64
    with pytest.raises(RuntimeError, match="cuda"):
        model.to_empty(device="cuda")
