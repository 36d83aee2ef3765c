"""parametrizations.orthogonal's maps ("matrix_exp", "cayley", "householder"), with and
without the dynamic trivialization, against torch 2.13: values after loading torch's
state, gradients through optimizer steps, assignment (right_inverse), defaults, errors."""
import numpy as np
import pytest
import torch
import torch.nn.utils.parametrizations as torch_parametrizations
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
from minitorch import nn
from minitorch.nn.utils import parametrizations

DTYPES = ["float32", "float64"]
MAPS = ["matrix_exp", "cayley", "householder"]
# (module maker, shape of its weight): square, wide, tall and a batch of tall matrices
MODULES = {"square": lambda lib: lib.nn.Linear(4, 4), "wide": lambda lib: lib.nn.Linear(5, 3),
           "tall": lambda lib: lib.nn.Linear(3, 5), "batch": lambda lib: lib.nn.Conv1d(2, 3, 4)}
# torch cannot assign to matrix_exp or cayley without the trivialization, so registering
# keeps the weight as it is: an unconstrained original there
SETTINGS = [(name, True) for name in MAPS] + [(name, False) for name in MAPS]


def module_pair(kind, dtype):
    minitorch.manual_seed(0)
    ours = MODULES[kind](minitorch).to(getattr(minitorch, dtype))
    theirs = MODULES[kind](torch).to(getattr(torch, dtype))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def load_torch_state(ours, theirs):
    ours.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})


def orthogonal_pair(kind, dtype, orthogonal_map, use_trivialization):
    ours, theirs = module_pair(kind, dtype)
    parametrizations.orthogonal(ours, orthogonal_map=orthogonal_map,
                                use_trivialization=use_trivialization)
    torch_parametrizations.orthogonal(theirs, orthogonal_map=orthogonal_map,
                                      use_trivialization=use_trivialization)
    return ours, theirs


def inputs(kind, dtype):
    """(ours, torch's) input for the module; ours a transposed (non-contiguous) view for
    the Linears."""
    if kind == "batch":
        x = normal((2, 2, 6), dtype)
        return minitorch.tensor(x), torch.tensor(x)
    columns = normal((MODULES[kind](torch).in_features, 3), dtype)
    return minitorch.tensor(columns).mT, torch.tensor(columns.T)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("orthogonal_map, use_trivialization", SETTINGS)
def test_orthogonal_map_matches_torch(backend, dtype, kind, orthogonal_map,  # noqa: F811
                                      use_trivialization):
    ours, theirs = orthogonal_pair(kind, dtype, orthogonal_map, use_trivialization)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight, dtype)
    load_torch_state(ours, theirs)   # the originals and, with the trivialization, base
    assert_close(ours.weight, theirs.weight, dtype)
    our_x, their_x = inputs(kind, dtype)
    check_backward([(ours(our_x), theirs(their_x))], [], [], dtype, ours, theirs)
    # a few optimizer steps move the originals alike (gradients flow through the map)
    our_optimizer = minitorch.optim.SGD(ours.parameters(), lr=0.1, momentum=0.5)
    their_optimizer = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.5)
    for _ in range(3):
        our_optimizer.zero_grad()
        their_optimizer.zero_grad()
        ours(our_x).tanh().sum().backward()
        theirs(their_x).tanh().sum().backward()
        our_optimizer.step()
        their_optimizer.step()
        assert_close(ours.weight, theirs.weight, dtype)
    if use_trivialization or orthogonal_map == "householder":   # orthogonal throughout
        matrices = ours.weight.detach().numpy().reshape(-1, *ours.weight.shape[-2:])
        rows, columns = matrices.shape[-2:]
        gram = matrices @ matrices.swapaxes(-1, -2) if rows < columns \
            else matrices.swapaxes(-1, -2) @ matrices
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(min(rows, columns)),
                                                         gram.shape), atol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("orthogonal_map, use_trivialization",
                         [(name, True) for name in MAPS] + [("householder", False)])
def test_orthogonal_assignment_matches_torch(dtype, kind, orthogonal_map, use_trivialization):
    ours, theirs = orthogonal_pair(kind, dtype, orthogonal_map, use_trivialization)
    shape = tuple(theirs.weight.shape)
    tall = shape[-2] >= shape[-1]
    draws = torch.tensor(normal(shape if tall else shape[:-2] + shape[:-3:-1], dtype, seed=7))
    value = torch.linalg.qr(draws).Q if tall else torch.linalg.qr(draws).Q.mT
    ours.weight = minitorch.tensor(value.numpy())
    theirs.weight = value
    assert_close(ours.weight, theirs.weight, dtype)
    assert_close(ours.weight, value, dtype)
    assert_close(ours.parametrizations.weight.original,
                 theirs.parametrizations.weight.original, dtype)
    if use_trivialization and shape[-2] == shape[-1]:   # else base has random columns
        assert_close(ours.parametrizations.weight[0].base,
                     theirs.parametrizations.weight[0].base, dtype)


def test_orthogonal_assigning_a_non_orthogonal_matrix():
    """householder without the trivialization stores the QR factors of what it is given,
    so the weight becomes the Q (R's diagonal made positive), as in torch."""
    ours, theirs = orthogonal_pair("wide", "float64", "householder", False)
    value = normal((3, 5), "float64", seed=3)
    ours.weight = minitorch.tensor(value)
    theirs.weight = torch.tensor(value)
    assert_close(ours.parametrizations.weight.original,
                 theirs.parametrizations.weight.original, "float64")
    assert_close(ours.weight, theirs.weight, "float64")


@pytest.mark.parametrize("kind, expected", [("square", "matrix_exp"), ("wide", "householder"),
                                            ("tall", "householder"), ("batch", "householder")])
def test_orthogonal_default_map_is_torchs(kind, expected):
    ours, theirs = orthogonal_pair(kind, "float32", None, True)
    assert ours.parametrizations.weight[0].orthogonal_map == expected
    assert theirs.parametrizations.weight[0].orthogonal_map.name == expected
    assert_close(ours.weight, theirs.weight, "float32")


def test_orthogonal_refusals():
    with pytest.raises(ValueError, match="orthogonal: orthogonal_map has to be one of "
                                         "'matrix_exp', 'cayley', 'householder', got 'qr'"):
        parametrizations.orthogonal(nn.Linear(3, 2), orthogonal_map="qr")
    with pytest.raises(ValueError, match="orthogonal: expected a matrix or batch of "
                                         "matrices, got a tensor of 1 dimensions"):
        parametrizations.orthogonal(nn.Linear(3, 2), "bias")
    with pytest.raises(ValueError, match="orthogonal: module .* has no parameter or buffer "
                                         "with name 'kernel'"):
        parametrizations.orthogonal(nn.Linear(3, 2), "kernel")
    module = parametrizations.orthogonal(nn.Linear(3, 2), orthogonal_map="householder")
    before = module.weight.detach().numpy().copy()
    with pytest.raises(ValueError, match=r"orthogonal: expected a matrix or batch of "
                                         r"matrices of shape \(2, 3\), got a tensor of "
                                         r"shape \(3, 2\)"):
        module.weight = minitorch.zeros(3, 2)
    np.testing.assert_array_equal(module.weight.detach().numpy(), before)
    for name in ("matrix_exp", "cayley"):
        module = parametrizations.orthogonal(nn.Linear(3, 3), orthogonal_map=name,
                                             use_trivialization=False)
        original = module.parametrizations.weight.original.detach().numpy().copy()
        with pytest.raises(NotImplementedError, match=f"orthogonal: cannot assign to the "
                                                      f"'{name}' parametrization with "
                                                      "use_trivialization=False"):
            module.weight = minitorch.eye(3)
        np.testing.assert_array_equal(module.parametrizations.weight.original.detach().numpy(),
                                      original)
