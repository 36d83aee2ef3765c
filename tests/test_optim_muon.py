"""optim.Muon against torch 2.13's: trajectories for each option, groups, state dicts,
refusals. torch runs the Newton-Schulz iteration in bfloat16 and minitorch in the
parameter's dtype, so the tight comparisons run torch's own code with its bfloat16 cast
made a copy (the `full_precision_torch` fixture, undone after each test); one test
compares with unpatched torch at bfloat16's tolerance."""
import numpy as np
import pytest
import torch
from nn_helpers import backend  # noqa: F401

import minitorch
from minitorch import optim
from minitorch.optim.functional import zeropower_via_newtonschulz

DTYPES = ["float32", "float64"]
TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}


@pytest.fixture
def full_precision_torch(monkeypatch):
    """torch's Muon with its Newton-Schulz iteration in the gradient's dtype."""
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())


def problem(dtype, shapes, seed=0):
    """Initial weights of the given shapes and, per weight, 3 targets of its shape."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(shape).astype(dtype),
             rng.standard_normal((3,) + shape).astype(dtype)) for shape in shapes]


def train(library, arrays, groups_options, steps, transposed_grads=False, **options):
    """Weights after each of `steps` Muon steps on sum((tanh(w) - target)^2), target
    changing each step; groups_options: one dict of options per weight's group."""
    params = [library.nn.Parameter(library.tensor(weight)) for weight, _ in arrays]
    groups = [{"params": [param], **extra} for param, extra in zip(params, groups_options)]
    optimizer = library.optim.Muon(groups, **options)
    history = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = sum((((param.tanh() - library.tensor(targets[step % 3])) ** 2).sum())
                   for param, (_, targets) in zip(params, arrays))
        loss.backward()
        if transposed_grads:   # the same values, laid out column-major
            for param in params:
                param.grad = param.grad.mT.contiguous().mT
        optimizer.step()
        history.append([param.detach().numpy().copy() for param in params])
    return history, optimizer


def assert_same(ours, theirs, tolerance):
    assert len(ours) == len(theirs)
    for our_params, their_params in zip(ours, theirs):
        for our_value, their_value in zip(our_params, their_params, strict=True):
            assert our_value.dtype == their_value.dtype
            np.testing.assert_allclose(our_value, their_value, **tolerance)


OPTIONS = [dict(), dict(nesterov=False), dict(adjust_lr_fn="original"),
           dict(adjust_lr_fn="match_rms_adamw"), dict(momentum=0.5, weight_decay=0.0),
           dict(ns_coefficients=(2.0, -1.5, 0.5), ns_steps=3, eps=1e-3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_muon_matches_torch(backend, full_precision_torch, dtype, options):  # noqa: F811
    arrays = problem(dtype, [(5, 3), (3, 6), (4, 4)])
    options = dict(lr=0.05, **options)
    ours, _ = train(minitorch, arrays, [{}] * 3, 4, **options)
    theirs, _ = train(torch, arrays, [{}] * 3, 4, **options)
    assert_same(ours, theirs, TOLERANCE[dtype])


def test_muon_noncontiguous_gradients(full_precision_torch):
    arrays = problem("float32", [(5, 3), (3, 6)], seed=1)
    ours, _ = train(minitorch, arrays, [{}] * 2, 3, transposed_grads=True, lr=0.05)
    theirs, _ = train(torch, arrays, [{}] * 2, 3, lr=0.05)
    assert_same(ours, theirs, TOLERANCE["float32"])


def test_muon_near_bfloat16_torch():
    """Unpatched torch orthogonalises in bfloat16: the same steps within its precision."""
    arrays = problem("float32", [(6, 4), (4, 4)], seed=2)
    ours, _ = train(minitorch, arrays, [{}] * 2, 3, lr=0.02)
    theirs, _ = train(torch, arrays, [{}] * 2, 3, lr=0.02)
    assert_same(ours, theirs, dict(rtol=0, atol=1e-3))   # steps of ~2e-2 each


def test_muon_param_groups(full_precision_torch):
    arrays = problem("float64", [(5, 3), (3, 6)], seed=3)
    groups = [dict(lr=0.1, adjust_lr_fn="match_rms_adamw"), dict(momentum=0.8, nesterov=False)]
    ours, ours_optimizer = train(minitorch, arrays, groups, 3, lr=0.05, weight_decay=0.01)
    theirs, theirs_optimizer = train(torch, arrays, groups, 3, lr=0.05, weight_decay=0.01)
    assert_same(ours, theirs, TOLERANCE["float64"])
    for our_group, their_group in zip(ours_optimizer.param_groups,
                                      theirs_optimizer.param_groups):
        assert {k: v for k, v in our_group.items() if k != "params"} == \
            {k: v for k, v in their_group.items() if k != "params"}


def test_muon_defaults_are_torchs():
    ours = optim.Muon([minitorch.nn.Parameter(minitorch.zeros(2, 3))]).defaults
    theirs = torch.optim.Muon([torch.nn.Parameter(torch.zeros(2, 3))]).defaults
    assert ours == theirs


def test_muon_state_dict_round_trip(full_precision_torch):
    arrays = problem("float64", [(5, 3), (3, 6)], seed=4)
    whole, _ = train(minitorch, arrays, [{}] * 2, 4, lr=0.05)
    first, optimizer = train(minitorch, arrays, [{}] * 2, 2, lr=0.05)
    saved = optimizer.state_dict()
    _, theirs_optimizer = train(torch, arrays, [{}] * 2, 2, lr=0.05)
    their_saved = theirs_optimizer.state_dict()
    assert saved["param_groups"] == their_saved["param_groups"]
    assert {i: list(s) for i, s in saved["state"].items()} == \
        {i: list(s) for i, s in their_saved["state"].items()}
    for index, state in saved["state"].items():
        np.testing.assert_allclose(state["momentum_buffer"].numpy(),
                                   their_saved["state"][index]["momentum_buffer"].numpy(),
                                   **TOLERANCE["float64"])
    # a fresh optimizer on the weights after step 2, loaded, takes steps 3 and 4 as one run
    params = [minitorch.nn.Parameter(minitorch.tensor(value)) for value in first[-1]]
    resumed = optim.Muon([{"params": [param]} for param in params], lr=0.05)
    resumed.load_state_dict(saved)
    for step in (2, 3):
        resumed.zero_grad()
        sum(((param.tanh() - minitorch.tensor(targets[step % 3])) ** 2).sum()
            for param, (_, targets) in zip(params, arrays)).backward()
        resumed.step()
    for param, expected in zip(params, whole[-1]):
        np.testing.assert_allclose(param.detach().numpy(), expected, **TOLERANCE["float64"])


def test_zeropower_is_nearly_orthogonal():
    matrix = minitorch.tensor(np.random.default_rng(5).standard_normal((8, 5)))
    result = zeropower_via_newtonschulz(matrix, (3.4445, -4.775, 2.0315), 5, 1e-7)
    singular_values = np.linalg.svd(result.numpy(), compute_uv=False)
    assert result.shape == (8, 5) and singular_values.min() > 0.6 \
        and singular_values.max() < 1.25


def test_muon_refusals():
    weight = minitorch.nn.Parameter(minitorch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"Muon\(\): Muon only supports 2D parameters .* "
                                         r"size: \(3,\)"):
        optim.Muon([weight, minitorch.nn.Parameter(minitorch.zeros(3))])
    with pytest.raises(ValueError, match=r"Muon\(\): adjust_lr_fn 'rms' is not supported"):
        optim.Muon([weight], adjust_lr_fn="rms")
    with pytest.raises(ValueError, match=r"Muon\(\): invalid lr -1"):
        optim.Muon([weight], lr=-1.0)
    with pytest.raises(ValueError, match=r"Muon\(\): invalid momentum -0.5"):
        optim.Muon([weight], momentum=-0.5)
    with pytest.raises(ValueError, match=r"Muon\(\): ns_coefficients must be a tuple of "
                                         "exactly 3"):
        optim.Muon([weight], ns_coefficients=(1.0, 2.0))
    with pytest.raises(ValueError, match=r"Muon\(\): ns_steps must be in \[0, 100\)"):
        optim.Muon([weight], ns_steps=100)
    with pytest.raises(TypeError, match=r"Muon\(\): ns_steps must be an int"):
        optim.Muon([weight], ns_steps=2.0)
    with pytest.raises(TypeError, match=r"Muon\(\): option nesterov must be True or False"):
        optim.Muon([weight], nesterov=1)
    optimizer = optim.Muon([weight])
    with pytest.raises(ValueError, match=r"Muon.add_param_group: Muon only supports 2D "
                                         r"parameters .* size: \(2, 2, 2\)"):
        optimizer.add_param_group({"params": [minitorch.nn.Parameter(minitorch.zeros(2, 2, 2))]})
    assert len(optimizer.param_groups) == 1


def test_muon_bad_gradient_changes_nothing():
    weight = minitorch.nn.Parameter(minitorch.ones(2, 3))
    other = minitorch.nn.Parameter(minitorch.ones(3, 3))
    optimizer = optim.Muon([weight, other], lr=0.1)
    weight.grad = minitorch.ones(2, 3)
    other.grad = minitorch.ones(3, 3)
    other.grad.data = minitorch.ones(3, 2)
    with pytest.raises(RuntimeError, match="Muon.step: the gradient of parameter 1"):
        optimizer.step()
    assert not optimizer.state
    np.testing.assert_array_equal(weight.detach().numpy(), np.ones((2, 3), np.float32))
