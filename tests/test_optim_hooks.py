"""Optimizer hooks as torch.optim's: step pre/post hooks (per optimizer and global),
state_dict and load_state_dict pre/post hooks, their order, return values and removal."""
import importlib

import pytest
import torch

import minitorch


def make(library, name="SGD", **options):
    param = library.nn.Parameter(library.tensor([1.0, -2.0]))
    param.grad = library.tensor([0.5, 0.25])
    return param, getattr(library.optim, name)([param], lr=0.1, **options)


@pytest.mark.parametrize("name", ["SGD", "Adam", "LBFGS"])
def test_step_hooks_run_in_torchs_order_and_can_be_removed(name):
    def run(library):
        calls = []
        param, optimizer = make(library, name)
        closure = (lambda: (param * param).sum()) if name == "LBFGS" else None
        module = importlib.import_module(f"{library.__name__}.optim.optimizer")
        handles = [
            module.register_optimizer_step_pre_hook(
                lambda opt, args, kwargs: calls.append(("global pre", len(args)))),
            optimizer.register_step_pre_hook(
                lambda opt, args, kwargs: calls.append(("pre", opt is optimizer))),
            optimizer.register_step_post_hook(
                lambda opt, args, kwargs: calls.append(("post", len(args)))),
            module.register_optimizer_step_post_hook(
                lambda opt, args, kwargs: calls.append(("global post", len(kwargs)))),
        ]
        optimizer.step(closure) if closure else optimizer.step()
        for handle in handles:
            handle.remove()
        optimizer.step(closure) if closure else optimizer.step()
        return calls
    assert run(minitorch) == run(torch)


def test_a_pre_hook_can_replace_the_arguments():
    def run(library):
        param, optimizer = make(library, "LBFGS")
        optimizer.register_step_pre_hook(
            lambda opt, args, kwargs: ((opt,), {"closure": lambda: (param * param * 3).sum()}))
        loss = optimizer.step(lambda: (param * param).sum())
        return loss.item(), param.tolist()
    ours, theirs = run(minitorch), run(torch)
    assert ours[0] == pytest.approx(theirs[0]) == 15.0
    assert ours[1] == pytest.approx(theirs[1])


def test_a_pre_hook_returning_something_else_is_an_error():
    param, optimizer = make(minitorch)
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: "no")
    with pytest.raises(RuntimeError, match="must return None or a tuple of"):
        optimizer.step()
    assert param.tolist() == [1.0, -2.0]


def test_state_dict_hooks_as_torch():
    def run(library):
        calls = []
        _, optimizer = make(library, "SGD", momentum=0.9)
        optimizer.step()
        optimizer.register_state_dict_pre_hook(lambda opt: calls.append("pre"))
        optimizer.register_state_dict_pre_hook(lambda opt: calls.append("first"), prepend=True)
        optimizer.register_state_dict_post_hook(
            lambda opt, state: {**state, "note": "added"})
        state = optimizer.state_dict()
        calls.append(state["note"])
        optimizer.register_load_state_dict_pre_hook(
            lambda opt, state: {key: value for key, value in state.items() if key != "note"})
        optimizer.register_load_state_dict_post_hook(
            lambda opt: calls.append(opt.param_groups[0]["lr"]))
        state["param_groups"][0]["lr"] = 0.5
        optimizer.load_state_dict(state)
        return calls
    assert run(minitorch) == run(torch) == ["first", "pre", "added", 0.5]
