"""minitorch.optim against torch.optim: the same parameters after several steps, state
dicts, parameter groups, errors, and the learning-rate schedulers."""
import copy

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn, optim
from optim_helpers import make_problem, train, assert_same_trajectory
from optim_helpers import assert_a_non_compact_parameter_gets_the_same_update
from optim_helpers import assert_a_saved_state_dict_resumes_exactly
from optim_helpers import make_optimizer, in_both, assert_same_schedule
from optim_helpers import jumped, resumed_at_last_epoch
from optim_helpers import snapshot, stepped_two_groups, assert_a_bad_gradient_changes_nothing

STEPS = 5

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.3)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.3)),
]


@pytest.mark.parametrize("name,options", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                       enumerate(CONFIGS)])
def test_steps_match_torch(backend_name, name, options):
    """Fused kernels (numpy) and the tensor-op decomposition (python) alike."""
    arrays = make_problem(np.float32)
    assert_same_trajectory(train(minitorch, name, options, arrays, STEPS),
                           train(torch, name, options, arrays, STEPS), "float32")


@pytest.mark.parametrize("name,options", [CONFIGS[3], CONFIGS[5], CONFIGS[7], CONFIGS[10]])
def test_steps_match_torch_in_float64(name, options):
    arrays = make_problem(np.float64)
    assert_same_trajectory(train(minitorch, name, options, arrays, STEPS),
                           train(torch, name, options, arrays, STEPS), "float64")


@pytest.mark.parametrize("name,options", [CONFIGS[3], CONFIGS[5]])
def test_non_compact_parameter_takes_the_decomposed_path(name, options):
    """It can't use a fused kernel; the tensor-op path must give the same update, to
    rounding."""
    assert_a_non_compact_parameter_gets_the_same_update(name, options, rtol=1e-6)


def test_a_step_invalidates_tensors_saved_for_backward():
    param = nn.Parameter(minitorch.ones(3))
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9)
    param.grad = minitorch.ones(3)
    product = (param * param).sum()  # saves param for backward
    optimizer.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        product.backward()


def test_parameters_without_grad_are_skipped_and_get_no_state_as_in_torch():
    for library in (minitorch, torch):
        used, unused = (library.nn.Parameter(library.ones(2)) for _ in range(2))
        optimizer = library.optim.Adam([used, unused], lr=0.1)
        used.grad = library.ones(2)
        optimizer.step()
        assert unused.tolist() == [1.0, 1.0] and used.tolist() != [1.0, 1.0]
        assert list(optimizer.state) == [used]


def test_zero_grad_sets_none_or_zeroes():
    param = nn.Parameter(minitorch.ones(2))
    optimizer = optim.SGD([param], lr=0.1)
    param.grad = minitorch.ones(2)
    optimizer.zero_grad(set_to_none=False)
    assert param.grad.tolist() == [0.0, 0.0]
    optimizer.zero_grad()
    assert param.grad is None


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    param = nn.Parameter(minitorch.tensor([2.0]))
    optimizer = optim.SGD([param], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    with minitorch.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 4.0 and param.item() == 1.0  # 2 - 0.25 * 4


def test_parameter_groups_have_their_own_hyperparameters():
    first, second = nn.Parameter(minitorch.ones(1)), nn.Parameter(minitorch.ones(1))
    optimizer = optim.SGD([{"params": [first]}, {"params": second, "lr": 0.5}], lr=0.1)
    first.grad = second.grad = minitorch.ones(1)
    optimizer.step()
    assert first.item() == pytest.approx(0.9) and second.item() == pytest.approx(0.5)
    assert optimizer.param_groups[1]["momentum"] == 0.0


@pytest.mark.parametrize("make,match", [
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: optim.SGD(p, lr=0.1), "single Tensor"),
    (lambda p: optim.SGD([p * 2], lr=0.1), "non-leaf"),
    (lambda p: optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
     "more than one parameter group"),
    (lambda p: optim.SGD([p], lr=-1.0), "SGD\\(\\): invalid lr -1.0"),
    (lambda p: optim.SGD([p], lr=0.1, nesterov=True), "Nesterov"),
    (lambda p: optim.Adam([p], betas=(1.0, 0.9)), "betas"),
    (lambda p: optim.RMSprop([p], alpha=-0.5), "alpha"),
    (lambda p: optim.SGD([{"params": [p], "name": "head", "lr": -1.0}]), "invalid lr -1.0"),
    (lambda p: optim.SGD([("w", p), p], lr=0.1), "some param names are missing"),
    (lambda p: optim.SGD([("w", p, 1)], lr=0.1), "\\(name, tensor\\) pair, got a tuple of 3"),
    (lambda p: optim.SGD([minitorch.tensor([1, 2])], lr=0.1), "floating point"),
])
def test_bad_arguments_are_refused_with_a_reason(make, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make(nn.Parameter(minitorch.ones(2)))


def test_mismatched_gradient_is_an_error():
    param = nn.Parameter(minitorch.ones(2))
    param.grad = minitorch.ones(2)
    param.data = minitorch.ones(3)   # the parameter moved on, its .grad did not
    with pytest.raises(RuntimeError, match="SGD.step: the gradient of parameter 0 of group 0, "
                                           "of shape \\(3,\\) .* has shape \\(2,\\)"):
        optim.SGD([param], lr=0.1).step()


# ---- state dicts -------------------------------------------------------------------------

@pytest.mark.parametrize("name,options", [CONFIGS[1], CONFIGS[5], CONFIGS[10]])
def test_state_dict_resumes_training_exactly(name, options, tmp_path):
    assert_a_saved_state_dict_resumes_exactly(name, options, tmp_path / "checkpoint.npz")


def test_state_dict_has_torchs_layout_and_loads_into_torch():
    arrays = make_problem(np.float32)
    ours = [nn.Parameter(minitorch.tensor(a)) for a in arrays[:2]]
    optimizer = optim.SGD(ours, lr=0.1, momentum=0.9)
    for param in ours:
        param.grad = minitorch.ones(*param.shape)
    optimizer.step()
    state = optimizer.state_dict()
    assert sorted(state) == ["param_groups", "state"] and sorted(state["state"]) == [0, 1]
    assert state["param_groups"][0]["params"] == [0, 1]
    assert sorted(state["state"][0]) == ["momentum_buffer"]

    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in arrays[:2]]
    torch_optimizer = torch.optim.SGD(theirs, lr=0.1, momentum=0.9)
    torch_optimizer.load_state_dict(minitorch.serialization.to_torch(state))
    np.testing.assert_array_equal(
        torch_optimizer.state[theirs[0]]["momentum_buffer"].numpy(),
        optimizer.state[ours[0]]["momentum_buffer"].numpy())


def test_load_state_dict_refuses_a_different_layout():
    optimizer = optim.SGD([nn.Parameter(minitorch.ones(1))], lr=0.1)
    other = optim.SGD([nn.Parameter(minitorch.ones(1)), nn.Parameter(minitorch.ones(1))], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group: its "
                       "groups hold \\[2\\] parameters, this optimizer's \\[1\\]"):
        optimizer.load_state_dict(other.state_dict())


def test_adam_loads_torchs_tensor_step_count():
    theirs = torch.nn.Parameter(torch.ones(2))
    torch_optimizer = torch.optim.Adam([theirs], lr=0.1)
    theirs.grad = torch.ones(2)
    torch_optimizer.step()
    ours = nn.Parameter(minitorch.ones(2))
    optimizer = optim.Adam([ours], lr=0.1)
    optimizer.load_state_dict(minitorch.serialization.from_torch(torch_optimizer.state_dict()))
    assert optimizer.state[ours]["step"] == 1
    ours.grad, theirs.grad = minitorch.ones(2), torch.ones(2)
    with torch.no_grad():
        theirs.copy_(torch.ones(2))
    optimizer.step()
    torch_optimizer.step()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def test_repr_lists_groups():
    text = repr(optim.SGD([nn.Parameter(minitorch.ones(1))], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9" in text


def test_state_of_a_parameter_without_state_is_an_empty_dict_as_in_torch():
    """state is a defaultdict(dict), also after load_state_dict; reading an entry
    inserts it, in torch too."""
    for library in (minitorch, torch):
        first, second = (library.nn.Parameter(library.ones(2)) for _ in range(2))
        optimizer = library.optim.Adam([first, second], lr=0.1)
        assert optimizer.state[first] == {} and len(optimizer.state) == 1
        first.grad = library.ones(2)
        optimizer.step()
        assert sorted(optimizer.state[first]) == ["exp_avg", "exp_avg_sq", "step"]
        optimizer.load_state_dict(optimizer.state_dict())
        assert optimizer.state[second] == {} and len(optimizer.state) == 2


def test_extra_group_keys_are_kept_saved_and_loaded_as_in_torch():
    def make(library, name):
        return library.optim.SGD(
            [{"params": [library.nn.Parameter(library.ones(1))], "name": name},
             {"params": [library.nn.Parameter(library.ones(1))], "lr": 0.5, "tags": ["a"]}],
            lr=0.1, momentum=0.9)

    for library in (minitorch, torch):
        optimizer = make(library, "head")
        assert optimizer.param_groups[0]["name"] == "head"
        assert optimizer.param_groups[1]["tags"] == ["a"]
        assert optimizer.param_groups[1]["momentum"] == 0.9
        saved = optimizer.state_dict()
        assert saved["param_groups"][0]["name"] == "head"
        other = make(library, "other")
        other.load_state_dict(saved)
        assert other.param_groups[0]["name"] == "head"


def test_named_parameters_are_accepted_as_in_torch():
    """(name, tensor) pairs, as named_parameters() gives, alone or as a group's "params":
    the names go to the group's "param_names"; groups are all named or all not."""
    for library in (minitorch, torch):
        model = library.nn.Linear(2, 3)
        optimizer = library.optim.SGD(model.named_parameters(), lr=0.1)
        scale = library.nn.Parameter(library.ones(1))
        optimizer.add_param_group({"params": [("scale", scale)], "lr": 0.5})
        params = [param for group in optimizer.param_groups for param in group["params"]]
        assert all(ours is theirs for ours, theirs in
                   zip(params, [model.weight, model.bias, scale], strict=True))
        groups = optimizer.state_dict()["param_groups"]
        assert [group["param_names"] for group in groups] == [["weight", "bias"], ["scale"]]
        assert [group["params"] for group in groups] == [[0, 1], [2]]
        with pytest.raises(ValueError, match="without names"):
            optimizer.add_param_group({"params": [library.nn.Parameter(library.ones(1))]})
        assert len(optimizer.param_groups) == 2


# ---- learning-rate schedulers ------------------------------------------------------------

# Their parity with torch over whole schedules (manual lr changes, two schedulers, a group
# added later) is test_optim_more.py's test_schedules_match_torch.

STEP = ("StepLR", dict(step_size=2, gamma=0.5))
COSINE = ("CosineAnnealingLR", dict(T_max=4))


def test_get_last_lr_after_a_manual_change_is_the_last_scheduled_lr():
    def last_lrs(library):
        optimizer = make_optimizer(library)
        scheduler = library.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        optimizer.param_groups[0]["lr"] = 0.05
        lrs = [scheduler.get_last_lr()]
        for _ in range(4):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return lrs

    ours = last_lrs(minitorch)
    np.testing.assert_allclose(ours, last_lrs(torch), rtol=1e-12)
    np.testing.assert_allclose([lrs[0] for lrs in ours], [0.1, 0.05, 0.025, 0.025, 0.0125],
                               rtol=1e-12)


@pytest.mark.parametrize("name,options", [STEP, ("StepLR", dict(step_size=3)), COSINE,
                                          ("CosineAnnealingLR", dict(T_max=3, eta_min=0.05))])
def test_resuming_at_last_epoch_matches_torch(name, options):
    """As torch's, after a manual lr change too; get_lr() called before its first step
    gives torch's closed form, which ignores it."""
    assert_same_schedule(*in_both(resumed_at_last_epoch, name, options, first_lr=0.7))


@pytest.mark.parametrize("name,options", [STEP, COSINE])
def test_step_with_an_epoch_uses_the_closed_form_as_torch_does(name, options):
    """The closed form ignores the current lr."""
    ours, theirs = in_both(jumped, name, options, epochs=[5], first_lr=7.0)
    assert ours[-1][0] == theirs[-1][0] == [6]
    assert_same_schedule(ours, theirs)


def cosine_with_a_late_group(library):
    """A CosineAnnealingLR(T_max=2) two epochs on, over make_optimizer's groups and one
    added after it was made: its next step, after the minimum, needs a base lr for every
    group, which the late group lacks."""
    optimizer = make_optimizer(library)
    scheduler = library.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=2)
    optimizer.add_param_group({"params": [library.nn.Parameter(library.ones(1))]})
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    return optimizer, scheduler


def test_a_failed_scheduler_step_changes_nothing():
    with pytest.raises(ValueError):  # torch's is zip()'s "argument 2 is longer"
        cosine_with_a_late_group(torch)[1].step()
    optimizer, scheduler = cosine_with_a_late_group(minitorch)
    before = (scheduler.last_epoch, scheduler._step_count, scheduler.get_last_lr(),
              [group["lr"] for group in optimizer.param_groups])
    with pytest.raises(ValueError, match="CosineAnnealingLR.step: the optimizer has 3 "
                       "parameter groups but the scheduler base lrs for 2"):
        scheduler.step()
    assert (scheduler.last_epoch, scheduler._step_count, scheduler.get_last_lr(),
            [group["lr"] for group in optimizer.param_groups]) == before


def test_scheduler_state_dict_resumes():
    """As in torch, resuming needs the optimizer's state dict (its lrs) as well as the
    scheduler's: each step starts from the groups' current lrs."""
    optimizer = optim.SGD([nn.Parameter(minitorch.ones(1))], lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3

    fresh_optimizer = optim.SGD([nn.Parameter(minitorch.ones(1))], lr=1.0)
    fresh = optim.lr_scheduler.StepLR(fresh_optimizer, step_size=2, gamma=0.5)
    fresh_optimizer.load_state_dict(optimizer.state_dict())
    fresh.load_state_dict(saved)
    fresh.step()
    scheduler.step()
    assert fresh.get_last_lr() == scheduler.get_last_lr() == [0.25]


def test_scheduler_arguments_are_checked():
    optimizer = optim.SGD([nn.Parameter(minitorch.ones(1))], lr=1.0)
    with pytest.raises(ValueError, match="step_size"):
        optim.lr_scheduler.StepLR(optimizer, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=0)
    with pytest.raises(TypeError, match="Optimizer"):
        optim.lr_scheduler.StepLR(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))]), 1)
    with pytest.raises(TypeError, match="StepLR: last_epoch must be an int, got float"):
        optim.lr_scheduler.StepLR(optimizer, step_size=1, last_epoch=2.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1)
    with pytest.raises(ValueError, match="StepLR.step: epoch must be >= 0, got -2"):
        scheduler.step(-2)
    assert scheduler.last_epoch == 0


def test_resuming_without_initial_lr_is_a_key_error_as_in_torch():
    def resume(library):
        optimizer = make_optimizer(library)
        optimizer.param_groups[0]["initial_lr"] = 0.1
        library.optim.lr_scheduler.StepLR(optimizer, step_size=1, last_epoch=4)

    message = "param 'initial_lr' is not specified in param_groups\\[1\\] when resuming"
    with pytest.raises(KeyError, match=message):
        resume(torch)
    with pytest.raises(KeyError, match=f"StepLR: {message} an optimizer"):
        resume(minitorch)


def test_load_state_dict_refuses_state_of_another_shape():
    param = nn.Parameter(minitorch.ones(2))
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9)
    state = {"state": {0: {"momentum_buffer": minitorch.ones(3)}},
             "param_groups": optimizer.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match="'momentum_buffer' has shape \\(3,\\)"):
        optimizer.load_state_dict(state)



# ---- failed calls change nothing -------------------------------------------------------

def two_group_problem(library, name):
    options = dict(lr=0.1, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.1)
    return stepped_two_groups(library, name, options)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop"])
@pytest.mark.parametrize("bad_grad,error,match", [
    (lambda: minitorch.ones(2), RuntimeError, "has shape \\(2,\\)"),
    (lambda: minitorch.ones(2, 2, dtype=minitorch.float64), RuntimeError, "float64"),
    (lambda: minitorch.ones(2, 2, backend="python"), RuntimeError, "python"),
])
def test_a_failed_step_changes_nothing(name, bad_grad, error, match):
    """The last parameter's bad .grad is found before the others (in an earlier group
    too) are updated; once it is fixed, training goes on exactly as torch's does."""
    params, optimizer = two_group_problem(minitorch, name)
    torch_params, torch_optimizer = two_group_problem(torch, name)
    assert_a_bad_gradient_changes_nothing(
        params, optimizer, bad_grad(), error,
        f"{name}.step: the .* of parameter 1 of group 1.*{match}")

    params[2].grad = minitorch.ones(2, 2)
    optimizer.step()
    for param in torch_params:
        param.grad = torch.ones(*param.shape)
    torch_optimizer.step()
    for ours, theirs in zip(params, torch_params):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def _with(state_dict, path, value):
    """A deep copy of state_dict with the entry at `path` (a tuple of keys) set."""
    result = copy.deepcopy(state_dict)
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return result


def _without(state_dict, key):
    return {k: v for k, v in state_dict.items() if k != key}


BAD_STATE_DICTS = [  # (make a bad state dict from a good one, error, message pattern)
    (lambda s: [s], TypeError, "expected the dict state_dict\\(\\) returns, got list"),
    (lambda s: _without(s, "param_groups"), ValueError, "lacks \\['param_groups'\\]"),
    (lambda s: _without(s, "state"), ValueError, "lacks \\['state'\\]"),
    (lambda s: _with(s, ("state",), [1, 2]), TypeError, "'state' must be a dict"),
    (lambda s: _with(s, ("param_groups",), s["param_groups"][:1]), ValueError,
     "different number of parameter groups \\(1\\) than this optimizer \\(2\\)"),
    (lambda s: _with(s, ("param_groups", 1, "params"), [1]), ValueError,
     "doesn't match the size of optimizer's group: its groups hold \\[1, 1\\] parameters, "
     "this optimizer's \\[1, 2\\]"),
    (lambda s: _with(s, ("param_groups", 1, "params"), [1, "two"]), TypeError,
     "indices in 'param_groups' must be ints, got 'two'"),
    (lambda s: _with(s, ("param_groups", 1, "params"), [1, 0]), ValueError,
     "index 0 stands for two different parameters"),
    (lambda s: _with(s, ("state", 5), {}), ValueError,
     "entry for parameter index 5, which 'param_groups' does not list "
     "\\(it lists \\[0, 1, 2\\]\\)"),
    (lambda s: _with(s, ("state", 2), [1.0]), TypeError, "state of parameter 2 must be a dict"),
    (lambda s: _with(s, ("state", 1, "exp_avg"), minitorch.ones(5)), ValueError,
     "parameter 1's state 'exp_avg' has shape \\(5,\\), its parameter \\(3,\\)"),
    (lambda s: _with(s, ("state", 2, "exp_avg_sq"), np.ones((2, 2), np.int64)), TypeError,
     "parameter 2's state 'exp_avg_sq' has dtype int64; state tensors must be floating point"),
    (lambda s: _with(s, ("state", 2, "step"), -1), ValueError,
     "parameter 2's state 'step' must be a whole number >= 0, got -1"),
    (lambda s: _with(s, ("state", 2, "step"), "3"), TypeError,
     "parameter 2's state 'step' must be a whole number, got str"),
    (lambda s: _with(s, ("param_groups", 1, "lr"), -1.0), ValueError, "invalid lr -1.0"),
    (lambda s: _with(s, ("param_groups", 1, "lr"), "0.1"), TypeError,
     "hyper-parameter lr must be a real number, got str '0.1'"),
    (lambda s: _with(s, ("param_groups", 1, "betas"), (2.0, 5.0)), ValueError,
     "invalid betas\\[0\\] 2.0; it must be in \\[0, 1.0\\)"),
    (lambda s: _with(s, ("param_groups", 1, "betas"), 0.9), TypeError,
     "betas must be a pair"),
    (lambda s: _with(s, ("param_groups", 1, "eps"), float("nan")), ValueError, "invalid eps nan"),
]


@pytest.mark.parametrize("make_bad,error,match", BAD_STATE_DICTS)
def test_a_failed_load_state_dict_changes_nothing(make_bad, error, match):
    """Each bad entry sits after good ones that differ from the optimizer's own (state of
    an earlier step, another lr), so applying anything before checking would show."""
    params, optimizer = two_group_problem(minitorch, "Adam")
    saved = copy.deepcopy(optimizer.state_dict())
    for group in saved["param_groups"]:
        group["lr"] = 0.25
    for param in params:
        param.grad = minitorch.ones(*param.shape)
    optimizer.step()
    before = snapshot(optimizer)
    with pytest.raises(error, match="Adam.load_state_dict: .*" + match):
        optimizer.load_state_dict(make_bad(saved))
    assert snapshot(optimizer) == before

    optimizer.load_state_dict(saved)
    assert snapshot(optimizer) != before
    assert [group["lr"] for group in optimizer.param_groups] == [0.25, 0.25]
    assert [optimizer.state[param]["step"] for param in params] == [1, 1, 1]


@pytest.mark.parametrize("option,value,torch_also", [
    ("lr", float("nan"), True),
    ("lr", float("inf"), False),  # torch.optim accepts an infinite lr; no step survives one
    ("lr", -0.1, True),
    ("weight_decay", float("nan"), True),
    ("momentum", float("nan"), False),  # torch.optim.SGD checks momentum < 0, so nan passes
    ("dampening", float("nan"), False),  # torch.optim does not check dampening
    ("dampening", -1.0, False),
    ("eps", float("nan"), True),
    ("alpha", float("nan"), True),
    ("betas", (float("nan"), 0.9), True),
    ("betas", (0.9, float("inf")), True),
    ("betas", (0.9, 1.0), True),
])
def test_nan_inf_and_negative_hyperparameters_are_refused(option, value, torch_also):
    name = {"momentum": "SGD", "dampening": "SGD", "alpha": "RMSprop"}.get(option, "Adam")
    label = {"betas": "betas\\[[01]\\]"}.get(option, option)
    options = {"lr": 0.1, option: value}
    with pytest.raises(ValueError, match=f"{name}\\(\\): invalid {label} "):
        getattr(optim, name)([nn.Parameter(minitorch.ones(2))], **options)
    if torch_also:
        with pytest.raises(ValueError):
            getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], **options)


@pytest.mark.parametrize("lr", ["0.1", None, True, minitorch.tensor(0.1)])
def test_a_non_number_lr_is_a_type_error(lr):
    with pytest.raises(TypeError, match="SGD\\(\\): hyper-parameter lr must be a real number, "
                                        f"got {type(lr).__name__}"):
        optim.SGD([nn.Parameter(minitorch.ones(2))], lr=lr)


@pytest.mark.parametrize("lr", [1, 0.0, np.float32(0.5), np.float64(0.5), np.int64(2)])
def test_real_numbers_are_valid_lrs(lr):
    assert optim.SGD([nn.Parameter(minitorch.ones(2))], lr=lr).param_groups[0]["lr"] == lr


def test_a_refused_param_group_leaves_the_groups_alone():
    optimizer = optim.SGD([nn.Parameter(minitorch.ones(2))], lr=0.1)
    before = snapshot(optimizer)
    with pytest.raises(ValueError, match="SGD.add_param_group: invalid momentum nan"):
        optimizer.add_param_group({"params": [nn.Parameter(minitorch.ones(1))],
                                   "momentum": float("nan")})
    assert snapshot(optimizer) == before and len(optimizer.param_groups) == 1
