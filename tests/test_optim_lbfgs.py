"""minitorch.optim.LBFGS and Adafactor against torch.optim's: trajectories (parameters,
returned losses, evaluation counts), state dicts both ways, and refused arguments."""
import copy

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn, optim
from minitorch.serialization import from_torch, to_torch
from nn_helpers import backend  # noqa: F401  (a fixture)
from optim_helpers import assert_a_bad_gradient_changes_nothing, snapshot
from optim_helpers import assert_a_non_compact_parameter_gets_the_same_update
from optim_helpers import assert_a_saved_state_dict_resumes_exactly, stepped_two_groups

# L-BFGS feeds every rounding difference back into its curvature history, so float32
# runs drift from torch's faster than a one-step update would
LBFGS_TOLERANCE = {np.float64: dict(rtol=1e-8, atol=1e-10), np.float32: dict(rtol=1e-3,
                                                                              atol=1e-4)}
LINE_SEARCHES = [None, "strong_wolfe"]


# ---- LBFGS problems: a library's parameters and closure ---------------------------------

def regression(library, dtype):
    """A tanh regression with a (3, 4) weight and a (3,) bias."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape).astype(dtype) for shape in [(3, 4), (3,), (5, 4),
                                                                      (5, 3)]]
    weight, bias, x, y = (library.tensor(array) for array in arrays)
    params = [library.nn.Parameter(weight), library.nn.Parameter(bias)]
    return params, lambda: (((x @ params[0].T + params[1]).tanh() - y) ** 2).mean()


def rosenbrock(library, dtype):
    """Rosenbrock's banana function of one 2-vector, from (-1.5, 2)."""
    point = library.nn.Parameter(library.tensor(np.array([-1.5, 2.0], dtype=dtype)))
    return [point], lambda: rosenbrock_at(point)


def rosenbrock_at(point):
    return (1 - point[0]) ** 2 + 100 * (point[1] - point[0] ** 2) ** 2


def closure_of(optimizer, loss_of):
    def closure():
        optimizer.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss
    return closure


def lbfgs_run(library, problem, dtype, steps, options, optimizer_from=None):
    """(losses step() returned, parameter values after each step, optimizer);
    `optimizer_from(params)` makes the optimizer when given."""
    params, loss_of = problem(library, dtype)
    optimizer = library.optim.LBFGS(params, **options) if optimizer_from is None else \
        optimizer_from(params)
    closure = closure_of(optimizer, loss_of)
    losses, values = [], []
    for _ in range(steps):
        losses.append(float(optimizer.step(closure).detach()))
        values.append([param.detach().numpy().copy() for param in params])
    return losses, values, optimizer


def assert_same_run(ours, theirs, dtype):
    (our_losses, our_values, ours_optimizer), (their_losses, their_values, theirs_optimizer) = \
        ours, theirs
    np.testing.assert_allclose(our_losses, their_losses, **LBFGS_TOLERANCE[dtype])
    for step, (our_params, their_params) in enumerate(zip(our_values, their_values)):
        for our_value, their_value in zip(our_params, their_params, strict=True):
            np.testing.assert_allclose(our_value, their_value, **LBFGS_TOLERANCE[dtype],
                                       err_msg=f"after step {step + 1}")
    our_state = ours_optimizer.state[ours_optimizer.param_groups[0]["params"][0]]
    their_state = theirs_optimizer.state[theirs_optimizer.param_groups[0]["params"][0]]
    assert sorted(our_state) == sorted(their_state)
    assert (our_state["func_evals"], our_state["n_iter"]) == \
        (their_state["func_evals"], their_state["n_iter"])


@pytest.mark.parametrize("line_search_fn", LINE_SEARCHES)
@pytest.mark.parametrize("problem,options", [
    (regression, {}),
    (regression, dict(max_iter=5, history_size=2)),
    (rosenbrock, dict(max_iter=5)),
    (rosenbrock, dict(lr=0.8, max_iter=5, max_eval=6, history_size=2)),
], ids=["regression", "regression-short-history", "rosenbrock", "rosenbrock-max-eval"])
def test_lbfgs_steps_match_torch_in_float64(backend, problem, options,  # noqa: F811
                                            line_search_fn):
    options = dict(options, line_search_fn=line_search_fn)
    assert_same_run(lbfgs_run(minitorch, problem, np.float64, 4, options),
                    lbfgs_run(torch, problem, np.float64, 4, options), np.float64)


@pytest.mark.parametrize("line_search_fn", LINE_SEARCHES)
def test_lbfgs_steps_match_torch_in_float32(backend, line_search_fn):  # noqa: F811
    options = dict(max_iter=5, line_search_fn=line_search_fn)
    ours = lbfgs_run(minitorch, rosenbrock, np.float32, 3, options)
    assert all(value.dtype == np.float32 for values in ours[1] for value in values)
    assert_same_run(ours, lbfgs_run(torch, rosenbrock, np.float32, 3, options), np.float32)


def test_lbfgs_stops_where_the_gradient_is_already_small():
    """A first gradient within tolerance_grad: one evaluation, no iteration, as torch."""
    for library in (minitorch, torch):
        point = library.nn.Parameter(library.tensor([1.0, 1.0]))
        optimizer = library.optim.LBFGS([point], tolerance_grad=1e-3)
        def loss_of():
            return ((point - 1.0) ** 2).sum()
        assert float(optimizer.step(closure_of(optimizer, loss_of)).detach()) == 0.0
        assert dict(optimizer.state[point]) == {"func_evals": 1, "n_iter": 0}


def test_lbfgs_moves_a_non_compact_parameter_and_reads_a_non_contiguous_gradient():
    """A parameter viewing half of a buffer, whose gradient the closure assigns as a
    transposed view, takes the same steps as a compact one; the buffer's other half is
    left alone."""
    target = minitorch.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))

    def run(param):
        optimizer = optim.LBFGS([param], max_iter=4)

        def closure():
            loss = ((param - target) ** 2 * param).sum()
            gradient = (3 * param * param - 4 * param * target + target * target).detach()
            param.grad = gradient.T.contiguous().T   # the same values, strides (1, 2)
            return loss
        for _ in range(2):
            optimizer.step(closure)
        return param.tolist()

    buffer = minitorch.zeros(2, 2, 3)
    buffer[0] = minitorch.ones(2, 3)
    view = nn.Parameter(buffer[0])
    assert not minitorch.dispatch.is_compact(view)
    assert run(view) == run(nn.Parameter(minitorch.ones(2, 3)))
    assert view.tolist() != minitorch.ones(2, 3).tolist()
    assert buffer[1].abs().sum().item() == 0


def test_lbfgs_treats_a_parameter_without_gradient_as_zero_gradient():
    ours = lbfgs_run(minitorch, regression, np.float64, 2, {},
                     optimizer_from=lambda params: optim.LBFGS(
                         params + [nn.Parameter(minitorch.ones(2, dtype=minitorch.float64))]))
    theirs = lbfgs_run(torch, regression, np.float64, 2, {},
                       optimizer_from=lambda params: torch.optim.LBFGS(
                           params + [torch.nn.Parameter(torch.ones(2, dtype=torch.float64))]))
    assert_same_run(ours, theirs, np.float64)
    assert ours[2].param_groups[0]["params"][-1].tolist() == [1.0, 1.0]


def test_lbfgs_state_and_groups_are_torchs():
    ours = lbfgs_run(minitorch, regression, np.float64, 2, dict(history_size=3))[2]
    theirs = lbfgs_run(torch, regression, np.float64, 2, dict(history_size=3))[2]
    our_dict, their_dict = ours.state_dict(), theirs.state_dict()
    assert our_dict["param_groups"] == their_dict["param_groups"]
    our_state, their_state = our_dict["state"][0], their_dict["state"][0]
    assert list(our_dict["state"]) == list(their_dict["state"]) == [0]
    assert sorted(our_state) == sorted(their_state)
    for name in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(our_state[name].numpy(), their_state[name].numpy(),
                                   rtol=1e-8, atol=1e-12)
    for name in ("t", "H_diag"):   # a number or a 0-d tensor, in both
        assert float(our_state[name]) == pytest.approx(float(their_state[name]), rel=1e-8)
    for name in ("old_dirs", "old_stps", "ro"):
        assert len(our_state[name]) == len(their_state[name]) == 3
        for ours_entry, theirs_entry in zip(our_state[name], their_state[name]):
            np.testing.assert_allclose(ours_entry.numpy(), theirs_entry.numpy(), rtol=1e-8,
                                       atol=1e-12)   # some entries are ~1e-13
    assert our_state["d"].shape == (15,)
    assert len(our_state["al"]) == 3
    assert our_state["prev_loss"] == pytest.approx(their_state["prev_loss"], rel=1e-12)


@pytest.mark.parametrize("line_search_fn", LINE_SEARCHES)
def test_lbfgs_state_dicts_go_both_ways_with_torch(line_search_fn):
    """Two steps in one library, its state dict loaded into the other's LBFGS over the
    same parameter values, two more steps in both: the same run. The history carries
    over: without it, the same two steps from those values go elsewhere."""
    options = dict(max_iter=3, history_size=4, line_search_fn=line_search_fn)
    for source, target, convert in ((minitorch, torch, to_torch),
                                    (torch, minitorch, from_torch)):
        params, loss_of = regression(source, np.float64)
        optimizer = source.optim.LBFGS(params, **options)
        closure = closure_of(optimizer, loss_of)
        for _ in range(2):
            optimizer.step(closure)
        resumed, resumed_loss_of = regression(target, np.float64)
        with torch.no_grad(), minitorch.no_grad():
            for param, value in zip(resumed, params):
                param.copy_(target.tensor(value.detach().numpy()))
        resumed_start = [param.detach().numpy().copy() for param in resumed]
        resumed_optimizer = target.optim.LBFGS(resumed, lr=0.25)
        resumed_optimizer.load_state_dict(convert(copy.deepcopy(optimizer.state_dict())))
        assert resumed_optimizer.param_groups[0]["lr"] == 1
        resumed_closure = closure_of(resumed_optimizer, resumed_loss_of)
        for _ in range(2):
            optimizer.step(closure)
            resumed_optimizer.step(resumed_closure)
        for param, value in zip(resumed, params):
            np.testing.assert_allclose(param.detach().numpy(), value.detach().numpy(),
                                       rtol=1e-8, atol=1e-10)
        unloaded, unloaded_loss_of = regression(target, np.float64)
        with torch.no_grad(), minitorch.no_grad():
            for param, value in zip(unloaded, resumed_start):
                param.copy_(target.tensor(value))
        unloaded_optimizer = target.optim.LBFGS(unloaded, **options)
        for _ in range(2):
            unloaded_optimizer.step(closure_of(unloaded_optimizer, unloaded_loss_of))
        assert not np.allclose(unloaded[0].detach().numpy(), resumed[0].detach().numpy(),
                               rtol=1e-4)


def test_lbfgs_resumes_exactly_from_a_saved_state_dict(tmp_path):
    """The history (lists of tensors, "al" with its None entries) survives save/load."""
    optimizer = lbfgs_run(minitorch, rosenbrock, np.float64, 2, dict(max_iter=3))[2]
    point = optimizer.param_groups[0]["params"][0]
    minitorch.save({"point": point.detach(), "optimizer": optimizer.state_dict()},
                   tmp_path / "lbfgs.mt")
    saved = minitorch.load(tmp_path / "lbfgs.mt")
    resumed_point = nn.Parameter(saved["point"])
    resumed = optim.LBFGS([resumed_point], lr=0.5)
    resumed.load_state_dict(saved["optimizer"])
    for param, made in ((point, optimizer), (resumed_point, resumed)):
        made.step(closure_of(made, lambda param=param: rosenbrock_at(param)))
    assert resumed_point.tolist() == point.tolist()
    for name in ("n_iter", "func_evals"):
        assert resumed.state[resumed_point][name] == optimizer.state[point][name]


# ---- LBFGS: refused arguments -----------------------------------------------------------

@pytest.mark.parametrize("options,error,match", [
    (dict(lr=-1.0), ValueError, "LBFGS\\(\\): invalid lr -1.0"),
    (dict(max_iter=0), ValueError, "LBFGS\\(\\): invalid max_iter 0; it must be an int >= 1"),
    (dict(max_iter=2.5), TypeError, "LBFGS\\(\\): max_iter must be an int, got float"),
    (dict(max_eval=True), TypeError, "max_eval must be an int, got bool"),
    (dict(history_size=0), ValueError, "invalid history_size 0"),
    (dict(tolerance_grad=float("nan")), ValueError, "invalid tolerance_grad nan"),
    (dict(tolerance_change=-1e-9), ValueError, "invalid tolerance_change"),
    (dict(line_search_fn="armijo"), ValueError,
     "line_search_fn must be None or 'strong_wolfe', got 'armijo'"),
])
def test_bad_lbfgs_arguments_are_refused(options, error, match):
    with pytest.raises(error, match=match):
        optim.LBFGS([nn.Parameter(minitorch.ones(2))], **options)


def test_lbfgs_refuses_several_parameter_groups():
    first, second = nn.Parameter(minitorch.ones(2)), nn.Parameter(minitorch.ones(2))
    with pytest.raises(ValueError, match="LBFGS\\(\\) doesn't support per-parameter options"):
        optim.LBFGS([{"params": [first]}, {"params": [second]}])
    optimizer = optim.LBFGS([first])
    with pytest.raises(ValueError, match="LBFGS.add_param_group: LBFGS doesn't support"):
        optimizer.add_param_group({"params": [second]})
    assert len(optimizer.param_groups) == 1


@pytest.mark.parametrize("closure", [None, 1.0])
def test_lbfgs_step_needs_a_closure(closure):
    point = nn.Parameter(minitorch.ones(2))
    point.grad = minitorch.ones(2)
    optimizer = optim.LBFGS([point])
    with pytest.raises(TypeError, match="LBFGS.step: needs a closure"):
        optimizer.step(closure)
    assert point.tolist() == [1.0, 1.0] and not optimizer.state


def test_lbfgs_step_with_a_bad_gradient_changes_nothing():
    point = nn.Parameter(minitorch.ones(2))
    optimizer = optim.LBFGS([point])

    def closure():
        point.grad = minitorch.ones(2)
        point.grad.data = minitorch.ones(3)
        return point.sum()
    before = snapshot(optimizer)
    with pytest.raises(RuntimeError, match="LBFGS.step: the gradient of parameter 0"):
        optimizer.step(closure)
    assert snapshot(optimizer) == before


def test_lbfgs_bad_state_dict_changes_nothing():
    optimizer = lbfgs_run(minitorch, regression, np.float64, 1, {})[2]
    saved = copy.deepcopy(optimizer.state_dict())
    saved["state"][0]["old_dirs"][0] = minitorch.ones(3, 4)
    before = snapshot(optimizer)
    with pytest.raises(ValueError, match="LBFGS.load_state_dict: parameter 0's state "
                                         "'old_dirs' has shape \\(3, 4\\); LBFGS state "
                                         "tensors are flat vectors of shape \\(15,\\)"):
        optimizer.load_state_dict(saved)
    saved = copy.deepcopy(optimizer.state_dict())
    saved["param_groups"][0]["history_size"] = 0
    with pytest.raises(ValueError, match="LBFGS.load_state_dict: invalid history_size 0"):
        optimizer.load_state_dict(saved)
    assert snapshot(optimizer) == before


# ---- Adafactor ---------------------------------------------------------------------------

ADAFACTOR_CONFIGS = [
    {},
    dict(lr=0.1, weight_decay=0.1, maximize=True),
    dict(eps=(1e-3, 1e-2), d=1.5, beta2_decay=-0.5),
    dict(lr=0.5, d=1.0, foreach=False),   # large steps, so the RMS clipping acts
]


def adafactor_run(library, dtype, options, steps=6):
    """Values after each step of a (2, 3, 4) (factored over its last two dims), a (3,)
    and a 0-d parameter, the first a transposed view of its data."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape).astype(dtype) for shape in [(4, 3, 2), (3,), (),
                                                                      (5, 4)]]
    weight = library.tensor(arrays[0]).permute(2, 1, 0)   # non-contiguous
    params = [library.nn.Parameter(weight)] + \
        [library.nn.Parameter(library.tensor(array)) for array in arrays[1:3]]
    x = library.tensor(arrays[3])
    optimizer = library.optim.Adafactor(params, **options)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        (((x @ params[0].sum(0).T + params[1]).tanh() * params[2]) ** 2).mean().backward()
        optimizer.step()
        history.append([param.detach().numpy().copy() for param in params])
    return history, optimizer


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("options", ADAFACTOR_CONFIGS, ids=["defaults", "decay-maximize",
                                                           "eps-d-beta2", "clipped"])
def test_adafactor_steps_match_torch(backend, dtype, options):  # noqa: F811
    ours, _ = adafactor_run(minitorch, dtype, options)
    theirs, _ = adafactor_run(torch, dtype, options)
    tolerance = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else \
        dict(rtol=2e-5, atol=2e-6)
    for step, (our_params, their_params) in enumerate(zip(ours, theirs)):
        for our_value, their_value in zip(our_params, their_params, strict=True):
            assert our_value.dtype == dtype
            np.testing.assert_allclose(our_value, their_value, **tolerance,
                                       err_msg=f"after step {step + 1}")


def test_adafactor_state_and_defaults_are_torchs():
    (_, ours), (_, theirs) = (adafactor_run(library, np.float64, {}, steps=2)
                              for library in (minitorch, torch))
    assert ours.defaults == theirs.defaults
    our_dict, their_dict = ours.state_dict(), theirs.state_dict()
    assert our_dict["param_groups"] == their_dict["param_groups"]
    for index in range(3):
        our_state, their_state = our_dict["state"][index], their_dict["state"][index]
        assert sorted(our_state) == sorted(their_state)
        assert our_state["step"] == float(their_state["step"]) == 2
        for name in set(our_state) - {"step"}:
            assert our_state[name].shape == tuple(their_state[name].shape)
            np.testing.assert_allclose(our_state[name].numpy(), their_state[name].numpy(),
                                       rtol=1e-10)
    assert our_dict["state"][0]["row_var"].shape == (2, 3, 1)
    assert our_dict["state"][0]["col_var"].shape == (2, 1, 4)


def test_adafactor_state_dicts_go_both_ways_with_torch():
    options = dict(lr=0.05, weight_decay=0.1)
    for source, target, convert in ((minitorch, torch, to_torch),
                                    (torch, minitorch, from_torch)):
        _, optimizer = adafactor_run(source, np.float64, options, steps=3)
        _, resumed_optimizer = adafactor_run(target, np.float64, options, steps=0)
        params = optimizer.param_groups[0]["params"]
        resumed = resumed_optimizer.param_groups[0]["params"]
        with torch.no_grad(), minitorch.no_grad():
            for param, value in zip(resumed, params):
                param.copy_(target.tensor(value.detach().numpy()))
        resumed_optimizer.load_state_dict(convert(copy.deepcopy(optimizer.state_dict())))
        rng = np.random.default_rng(1)
        for _ in range(3):
            for param, other in zip(params, resumed):
                grad = rng.standard_normal(tuple(param.shape))
                param.grad, other.grad = source.tensor(grad), target.tensor(grad)
            optimizer.step()
            resumed_optimizer.step()
        for param, value in zip(resumed, params):
            np.testing.assert_allclose(param.detach().numpy(), value.detach().numpy(),
                                       rtol=1e-10, atol=1e-12)


def test_adafactor_resumes_exactly_from_a_saved_state_dict(tmp_path):
    assert_a_saved_state_dict_resumes_exactly("Adafactor", dict(lr=0.05), tmp_path / "a.mt")


def test_adafactor_updates_a_non_compact_parameter_as_a_compact_one():
    assert_a_non_compact_parameter_gets_the_same_update("Adafactor", dict(lr=0.05))


@pytest.mark.parametrize("options,error,match", [
    (dict(lr=-0.1), ValueError, "Adafactor\\(\\): invalid lr -0.1"),
    (dict(beta2_decay=0.5), ValueError, "invalid beta2_decay 0.5; it must be <= 0"),
    (dict(beta2_decay=float("nan")), ValueError, "invalid beta2_decay nan"),
    (dict(eps=1e-3), TypeError, "eps must be a pair \\(eps1 or None, eps2\\)"),
    (dict(eps=(-1.0, 1e-3)), ValueError, "invalid eps\\[0\\] -1.0"),
    (dict(eps=(None, "big")), TypeError, "eps\\[1\\] must be a real number, got str"),
    (dict(d=0.5), ValueError, "invalid d 0.5; it must be a finite number >= 1"),
    (dict(weight_decay=-0.1), ValueError, "invalid weight_decay"),
    (dict(foreach="yes"), TypeError, "option foreach must be True or False"),
    (dict(maximize=None), TypeError, "option maximize must be True or False"),
])
def test_bad_adafactor_arguments_are_refused(options, error, match):
    with pytest.raises(error, match=match):
        optim.Adafactor([nn.Parameter(minitorch.ones(2, 2))], **options)


def test_adafactor_step_with_a_bad_gradient_changes_nothing():
    params, optimizer = stepped_two_groups(minitorch, "Adafactor", {})
    assert sorted(optimizer.state[params[2]]) == ["col_var", "row_var", "step"]
    assert_a_bad_gradient_changes_nothing(params, optimizer, minitorch.ones(3), RuntimeError,
                                          "Adafactor.step: the gradient of parameter 1 of "
                                          "group 1")


def test_adafactor_refuses_a_misshapen_factored_state():
    params, optimizer = stepped_two_groups(minitorch, "Adafactor", {})
    saved = copy.deepcopy(optimizer.state_dict())
    saved["state"][2]["row_var"] = minitorch.zeros(2, 2)
    before = snapshot(optimizer)
    with pytest.raises(ValueError, match="'row_var' has shape \\(2, 2\\); for a parameter of "
                                         "shape \\(2, 2\\) it must be \\(2, 1\\)"):
        optimizer.load_state_dict(saved)
    assert snapshot(optimizer) == before
