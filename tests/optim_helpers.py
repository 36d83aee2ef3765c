"""What test_optim.py and test_optim_more.py share: the small regression the optimizers
train on, the two-group optimizer the schedulers drive, and the checks that minitorch's
results are torch's, or that a failed call changed nothing. A helper that takes `library`
runs in minitorch or torch (both spell every call in it the same way).

The test modules import it as `optim_helpers`: in pytest's default ("prepend") import
mode, the folder of a test module or conftest.py without an __init__.py goes at the
front of sys.path."""
import copy
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn, optim

TOLERANCE = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def in_both(function, *args, **options):
    """(function(minitorch, ...), function(torch, ...)), torch's warnings silenced (its
    schedulers warn of calls they take to be out of order)."""
    ours = function(minitorch, *args, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ours, function(torch, *args, **options)


# ---- optimizers --------------------------------------------------------------------------

def make_problem(dtype, seed=0):
    """Initial values of a weight (3, 4) and bias (3,), data x (5, 4) and targets y."""
    rng = np.random.default_rng(seed)
    arrays = (rng.standard_normal((3, 4)), rng.standard_normal(3),
              rng.standard_normal((5, 4)), rng.standard_normal((5, 3)))
    return [array.astype(dtype) for array in arrays]


def train(library, name, options, arrays, steps):
    """Parameter values after each of `steps` optimizer steps on a small regression."""
    weight, bias, x, y = (library.tensor(array) for array in arrays)
    params = [library.nn.Parameter(weight), library.nn.Parameter(bias)]
    optimizer = getattr(library.optim, name)(params, **options)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        ((((x @ params[0].T + params[1]).tanh() - y) ** 2).mean()).backward()
        optimizer.step()
        history.append([param.detach().numpy().copy() for param in params])
    return history


def assert_same_trajectory(ours, theirs, dtype):
    assert len(ours) == len(theirs)
    for step, (our_params, their_params) in enumerate(zip(ours, theirs)):
        for our_value, their_value in zip(our_params, their_params, strict=True):
            np.testing.assert_allclose(our_value, their_value,
                                       **TOLERANCE[np.dtype(dtype).name],
                                       err_msg=f"after step {step + 1}")


def assert_a_non_compact_parameter_gets_the_same_update(name, options, rtol=0.0):
    """A parameter viewing part of a larger buffer (no fused kernel takes one) is updated
    in place as a compact one is (exactly, unless the compact one's fused kernel rounds
    otherwise: `rtol`), and the rest of the buffer is left alone."""
    initial = make_problem(np.float32)[0]
    buffer = minitorch.zeros(2, 3, 4)
    buffer[0] = minitorch.tensor(initial)
    view = nn.Parameter(buffer[0])
    compact = nn.Parameter(minitorch.tensor(initial))
    assert not minitorch.dispatch.is_compact(view)
    grad = minitorch.tensor(make_problem(np.float32, seed=1)[0])
    for param in (view, compact):
        optimizer = getattr(optim, name)([param], **options)
        for _ in range(3):
            param.grad = grad
            optimizer.step()
    np.testing.assert_allclose(view.detach().numpy(), compact.detach().numpy(), rtol=rtol)
    assert buffer[1].abs().sum().item() == 0


def assert_a_saved_state_dict_resumes_exactly(name, options, path):
    """Three steps, a checkpoint of the parameters and the optimizer's state dict at
    `path`, three more steps; an optimizer made with another lr over the saved parameters
    and loaded from the checkpoint takes the same three steps, to the bit."""
    arrays = make_problem(np.float32)
    x, y = minitorch.tensor(arrays[2]), minitorch.tensor(arrays[3])

    def run(params, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            ((x @ params[0].T + params[1] - y) ** 2).mean().backward()
            optimizer.step()

    params = [nn.Parameter(minitorch.tensor(array)) for array in arrays[:2]]
    optimizer = getattr(optim, name)(params, **options)
    run(params, optimizer, 3)
    minitorch.save({"params": [param.detach() for param in params],
                    "optimizer": optimizer.state_dict()}, path)
    run(params, optimizer, 3)
    saved = minitorch.load(path)
    resumed = [nn.Parameter(value) for value in saved["params"]]
    resumed_optimizer = getattr(optim, name)(resumed, lr=123.0)
    resumed_optimizer.load_state_dict(saved["optimizer"])
    assert resumed_optimizer.param_groups[0]["lr"] == options.get("lr", optimizer.defaults["lr"])
    run(resumed, resumed_optimizer, 3)
    for ours, reference in zip(resumed, params):
        np.testing.assert_array_equal(ours.detach().numpy(), reference.detach().numpy())


# ---- failed calls change nothing ---------------------------------------------------------

def snapshot(optimizer):
    """Everything a failed call must leave as it was: parameter values, state (by
    parameter position, with the state tensors' identities and values) and groups."""
    params = [param for group in optimizer.param_groups for param in group["params"]]
    position = {id(param): index for index, param in enumerate(params)}
    state = {position[id(param)]: {name: (id(value), value.tolist())
                                   if isinstance(value, minitorch.Tensor) else value
                                   for name, value in values.items()}
             for param, values in optimizer.state.items()}
    groups = [{key: value for key, value in group.items() if key != "params"}
              for group in optimizer.param_groups]
    return [param.tolist() for param in params], state, groups, id(optimizer.state)


def stepped_two_groups(library, name, options):
    """An optimizer over groups [a (2,)] and [b (3,), c (2, 2)] (lr 0.05), after one
    step."""
    values = ([1.0, -2.0], [0.5, 1.5, -1.0], [[1.0, 2.0], [3.0, 4.0]])
    params = [library.nn.Parameter(library.tensor(value)) for value in values]
    optimizer = getattr(library.optim, name)([{"params": params[:1]},
                                              {"params": params[1:], "lr": 0.05}], **options)
    for param in params:
        param.grad = library.ones(*param.shape) * 0.5
    optimizer.step()
    return params, optimizer


def assert_a_bad_gradient_changes_nothing(params, optimizer, bad_grad, error, match):
    """Every parameter given a good gradient, then the last one's repointed at `bad_grad`
    (the .grad setter refuses a mismatched gradient; repointing its .data is how one can
    still arise): the step raises and leaves the parameters, state and groups as they
    were."""
    for param in params:
        param.grad = minitorch.ones(*param.shape)
    params[-1].grad.data = bad_grad
    before = snapshot(optimizer)
    with pytest.raises(error, match=match):
        optimizer.step()
    assert snapshot(optimizer) == before


# ---- lr schedulers -----------------------------------------------------------------------

def make_optimizer(library, kind="SGD"):
    """An optimizer over two one-parameter groups with lrs 0.1 and 0.3 (SGD with momentum,
    or Adam, whose beta1 OneCycleLR cycles)."""
    groups = [{"params": [library.nn.Parameter(library.ones(1))]},
              {"params": [library.nn.Parameter(library.ones(1))], "lr": 0.3}]
    if kind == "Adam":
        return library.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return library.optim.SGD(groups, lr=0.1, momentum=0.9)


def momentums(optimizer):
    return [group["betas"][0] if "betas" in group else group["momentum"]
            for group in optimizer.param_groups]


def assert_same_schedule(ours, theirs):
    """Records of lists of lrs (or momentums, epochs), one record an epoch."""
    assert len(ours) == len(theirs)
    for epoch, (our_values, their_values) in enumerate(zip(ours, theirs)):
        for our_list, their_list in zip(our_values, their_values, strict=True):
            assert our_list == pytest.approx(their_list, rel=1e-13, abs=1e-16), \
                f"record {epoch}"


def resumed_at_last_epoch(library, name, options, first_lr=None):
    """A scheduler <name> made with last_epoch=3 over an optimizer restored from a
    checkpoint three epochs in (which holds initial_lr, and OneCycleLR's entries), the
    first group's lr then set to `first_lr` if given: its get_lr() and get_last_lr()
    before stepping, then get_last_lr() and the momentums after each of nine epochs."""
    optimizer = make_optimizer(library)
    made = getattr(library.optim.lr_scheduler, name)(optimizer, **options)
    for _ in range(3):
        optimizer.step()
        made.step()
    resumed_optimizer = make_optimizer(library)
    resumed_optimizer.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    resumed = getattr(library.optim.lr_scheduler, name)(resumed_optimizer, **options,
                                                         last_epoch=3)
    if first_lr is not None:
        resumed_optimizer.param_groups[0]["lr"] = first_lr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that get_lr() is not get_last_lr()
        history = [[resumed.get_lr(), resumed.get_last_lr()]]
    for _ in range(9):
        resumed_optimizer.step()
        resumed.step()
        history.append([resumed.get_last_lr(), momentums(resumed_optimizer)])
    return history


def jumped(library, name, options, epochs, first_lr=None):
    """last_epoch and get_last_lr() after each step(epoch) (deprecated) to one of `epochs`
    and after the plain step that follows it; the first group's lr set to `first_lr`, if
    given, before all that."""
    optimizer = make_optimizer(library)
    made = getattr(library.optim.lr_scheduler, name)(optimizer, **options)
    if first_lr is not None:
        optimizer.param_groups[0]["lr"] = first_lr
    history = []
    for epoch in epochs:
        optimizer.step()
        with pytest.warns(UserWarning, match="deprecated"):
            made.step(epoch)
        history.append([[made.last_epoch], made.get_last_lr()])
        optimizer.step()
        made.step()
        history.append([[made.last_epoch], made.get_last_lr()])
    return history
