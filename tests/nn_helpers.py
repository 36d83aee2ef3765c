"""What the nn parity tests (conv, rnn, more layers) share: the `backend` fixture that runs
a test on numpy and c (the python backend is too slow for their sizes; each file has a
tiny python case of its own), and float tolerances for comparing with torch."""
import numpy as np
import pytest
import torch

import minitorch

TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}


def _available(name):
    return any(b.name == name and b.available for b in minitorch.list_backends())


@pytest.fixture(params=[pytest.param(name, marks=pytest.mark.skipif(
    not _available(name), reason=f"backend {name} unavailable")) for name in ("numpy", "c")])
def backend(request):
    """The test runs with this backend current (numpy, then c)."""
    with minitorch.use_backend(request.param):
        yield request.param


def assert_close(ours, theirs, dtype):
    """A minitorch tensor equal to a torch tensor: shape, dtype name, values within
    TOLERANCE[dtype]."""
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == dtype
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                               **TOLERANCE[dtype])


def normal(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def check_backward(results, ours_leaves, theirs_leaves, dtype, ours=None, theirs=None):
    """Backward through a random weighting of each (minitorch, torch) result pair; compare
    the gradients of the leaves and (when given) of every parameter, by name."""
    loss, tloss = 0, 0
    for seed, (result, expected) in enumerate(results, 1):
        assert_close(result, expected, dtype)
        weights = normal(tuple(expected.shape), dtype, seed)
        loss = loss + (result * minitorch.tensor(weights)).sum()
        tloss = tloss + (expected * torch.tensor(weights)).sum()
    loss.backward()
    tloss.backward()
    for mine, reference in zip(ours_leaves, theirs_leaves):
        assert_close(mine.grad, reference.grad, dtype)
    if ours is not None:
        parameters = dict(theirs.named_parameters())
        assert [name for name, _ in ours.named_parameters()] == list(parameters)
        for name, parameter in ours.named_parameters():
            assert_close(parameter.grad, parameters[name].grad, dtype)
