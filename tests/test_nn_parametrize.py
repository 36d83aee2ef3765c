"""nn.utils.parametrize, parametrizations, prune, the hook-based weight_norm and the rest
of nn.init, against torch 2.13: values, gradients, state-dict keys, reprs, errors."""
import numpy as np
import pytest
import torch
import torch.nn.utils.parametrizations as torch_parametrizations
import torch.nn.utils.parametrize as torch_parametrize
import torch.nn.utils.prune as torch_prune
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
from minitorch import nn
from minitorch.nn import init
from minitorch.nn.utils import parametrizations, parametrize, prune

DTYPES = ["float32", "float64"]


def linear_pair(dtype, seed=0, sizes=(5, 4)):
    """A minitorch Linear and a torch Linear with the same values."""
    minitorch.manual_seed(seed)
    ours = nn.Linear(*sizes).to(getattr(minitorch, dtype))
    theirs = torch.nn.Linear(*sizes).to(getattr(torch, dtype))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def load_torch_state(ours, theirs):
    ours.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class TorchSymmetric(torch.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class Double(nn.Module):
    def forward(self, x):
        return 2 * x


class TorchDouble(torch.nn.Module):
    def forward(self, x):
        return 2 * x


# ---- parametrize -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_register_parametrization_chain_matches_torch(backend, dtype):
    ours, theirs = linear_pair(dtype, sizes=(4, 4))
    parametrize.register_parametrization(ours, "weight", Symmetric())
    parametrize.register_parametrization(ours, "weight", Double())
    torch_parametrize.register_parametrization(theirs, "weight", TorchSymmetric())
    torch_parametrize.register_parametrization(theirs, "weight", TorchDouble())
    assert repr(ours).replace("Torch", "") == repr(theirs).replace("Torch", "")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert parametrize.is_parametrized(ours) and parametrize.is_parametrized(ours, "weight")
    assert not parametrize.is_parametrized(ours, "bias")
    x = normal((3, 4), dtype)
    xt = minitorch.tensor(x).mT.contiguous().mT   # (same values, through a transposed copy)
    check_backward([(ours(xt), theirs(torch.tensor(x)))], [], [], dtype, ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_assignment_goes_through_right_inverse(dtype):
    ours, theirs = linear_pair(dtype, sizes=(3, 3))
    parametrize.register_parametrization(ours, "weight", Symmetric())
    torch_parametrize.register_parametrization(theirs, "weight", TorchSymmetric())
    value = normal((3, 3), dtype, seed=4)
    ours.weight = minitorch.tensor(value)
    with torch.no_grad():
        theirs.weight = torch.tensor(value)
    assert_close(ours.parametrizations.weight.original, theirs.parametrizations.weight.original,
                 dtype)
    assert_close(ours.weight, theirs.weight, dtype)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_restores_the_class_and_keys(leave):
    ours, theirs = linear_pair("float32", sizes=(3, 3))
    original = ours.weight
    parametrize.register_parametrization(ours, "weight", Double())
    torch_parametrize.register_parametrization(theirs, "weight", TorchDouble())
    parametrize.remove_parametrizations(ours, "weight", leave_parametrized=leave)
    torch_parametrize.remove_parametrizations(theirs, "weight", leave_parametrized=leave)
    assert type(ours) is nn.Linear and ours.weight is original
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight, "float32")
    assert repr(ours) == repr(theirs)


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1

    layer = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Counting())
    calls.clear()
    with parametrize.cached():
        first = layer.weight
        assert layer.weight is first
    assert len(calls) == 1
    layer.weight
    assert len(calls) == 2


def test_parametrize_errors():
    layer = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="no parameter or buffer named 'nope'"):
        parametrize.register_parametrization(layer, "nope", Double())

    class Shrink(nn.Module):
        def forward(self, x):
            return x[:1]

    with pytest.raises(ValueError, match="may not change the dtype or shape"):
        parametrize.register_parametrization(layer, "weight", Shrink())
    assert type(layer) is nn.Linear and "weight" in layer._parameters
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(layer, "weight")
    parametrize.register_parametrization(layer, "weight", Double())
    with pytest.raises(RuntimeError, match="Double does not implement right_inverse"):
        layer.weight = minitorch.zeros(3, 2)


# ---- parametrizations --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(backend, dtype, dim):
    ours, theirs = linear_pair(dtype)
    parametrizations.weight_norm(ours, dim=dim)
    torch_parametrizations.weight_norm(theirs, dim=dim)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[key], value, dtype)
    x = normal((2, 3, 5), dtype)
    check_backward([(ours(minitorch.tensor(x)), theirs(torch.tensor(x)))], [], [], dtype,
                   ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_spectral_norm_matches_torch_with_its_vectors(backend, dtype):
    ours, theirs = linear_pair(dtype)
    parametrizations.spectral_norm(ours)
    torch_parametrizations.spectral_norm(theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    load_torch_state(ours, theirs)
    x = normal((3, 5), dtype)
    # training mode: one power-iteration step from the same u, v, then the same values
    check_backward([(ours(minitorch.tensor(x)), theirs(torch.tensor(x)))], [], [], dtype,
                   ours, theirs)
    assert_close(ours.parametrizations.weight[0]._u, theirs.parametrizations.weight[0]._u,
                 dtype)
    ours.eval()
    theirs.eval()
    assert_close(ours.weight, theirs.weight, dtype)


def test_spectral_norm_conv_transpose_dim_and_errors():
    conv = parametrizations.spectral_norm(nn.ConvTranspose2d(3, 4, 2))
    assert conv.parametrizations.weight[0]._u.shape == (4,)
    with pytest.raises(ValueError, match="n_power_iterations to be positive"):
        parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="no parameter or buffer with name 'kernel'"):
        parametrizations.spectral_norm(nn.Linear(2, 2), "kernel")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [(4, 4), (3, 5), (5, 3)])
def test_orthogonal_cayley_matches_torch(dtype, sizes):
    ours, theirs = linear_pair(dtype, sizes=sizes)
    parametrizations.orthogonal(ours, orthogonal_map="cayley")
    torch_parametrizations.orthogonal(theirs, orthogonal_map="cayley")
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight, dtype)
    load_torch_state(ours, theirs)
    x = normal((2, sizes[0]), dtype)
    check_backward([(ours(minitorch.tensor(x)), theirs(torch.tensor(x)))], [], [], dtype,
                   ours, theirs)


def test_orthogonal_refusals():
    with pytest.raises(ValueError, match="orthogonal: expected a matrix"):
        parametrizations.orthogonal(nn.Linear(3, 2), "bias")


# ---- the hook-based weight_norm ----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_old_weight_norm_matches_torch(dtype):
    ours, theirs = linear_pair(dtype)
    with pytest.warns(FutureWarning, match="deprecated"):
        nn.utils.weight_norm(ours)
    with pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = normal((3, 5), dtype)
    check_backward([(ours(minitorch.tensor(x)), theirs(torch.tensor(x)))], [], [], dtype,
                   ours, theirs)
    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight, dtype)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(ours)


# ---- prune -------------------------------------------------------------------------------
PRUNINGS = [("l1_unstructured", dict(amount=0.3)), ("l1_unstructured", dict(amount=4)),
            ("ln_structured", dict(amount=2, n=2, dim=0)),
            ("ln_structured", dict(amount=0.5, n=1, dim=1)), ("identity", {})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method, arguments", PRUNINGS)
def test_pruning_twice_matches_torch(dtype, method, arguments):
    ours, theirs = linear_pair(dtype)
    for _ in range(2):
        getattr(prune, method)(ours, "weight", **arguments)
        getattr(torch_prune, method)(theirs, "weight", **arguments)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight_mask, theirs.weight_mask, dtype)
    assert prune.is_pruned(ours)
    x = normal((3, 5), dtype)
    check_backward([(ours(minitorch.tensor(x)), theirs(torch.tensor(x)))], [], [], dtype)
    assert_close(ours.weight_orig.grad, theirs.weight_orig.grad, dtype)
    prune.remove(ours, "weight")
    torch_prune.remove(theirs, "weight")
    assert not prune.is_pruned(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight, dtype)


def test_importance_scores_custom_mask_and_global_match_torch():
    ours, theirs = linear_pair("float64")
    scores = normal((4, 5), "float64", seed=7)
    prune.l1_unstructured(ours, "weight", 6, importance_scores=minitorch.tensor(scores).mT.mT)
    torch_prune.l1_unstructured(theirs, "weight", 6, importance_scores=torch.tensor(scores))
    assert_close(ours.weight_mask, theirs.weight_mask, "float64")
    mask = (normal((4,), "float64", seed=3) > 0).astype("float64")
    prune.custom_from_mask(ours, "bias", minitorch.tensor(mask))
    torch_prune.custom_from_mask(theirs, "bias", torch.tensor(mask))
    assert_close(ours.bias, theirs.bias, "float64")
    pairs = [linear_pair("float32", seed) for seed in (1, 2)]
    prune.global_unstructured([(o, "weight") for o, _ in pairs], prune.L1Unstructured,
                              amount=9)
    torch_prune.global_unstructured([(t, "weight") for _, t in pairs],
                                    torch_prune.L1Unstructured, amount=9)
    for o, t in pairs:
        assert_close(o.weight_mask, t.weight_mask, "float32")


def test_random_pruning_counts():
    layer = nn.Linear(5, 4)
    prune.random_unstructured(layer, "weight", amount=7)
    assert int((layer.weight_mask == 0).sum().item()) == 7
    prune.random_structured(layer, "weight", amount=2, dim=1)
    pruned_columns = (layer.weight_mask.sum(dim=0) == 0).sum().item()
    assert pruned_columns >= 2


def test_prune_errors():
    layer = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="amount=7 should be smaller than the number"):
        prune.l1_unstructured(layer, "weight", 7)
    with pytest.raises(ValueError, match=r"amount=1.5 should either be a float in the range"):
        prune.l1_unstructured(layer, "weight", 1.5)
    assert "weight" in layer._parameters and not prune.is_pruned(layer)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(layer, "weight")
    with pytest.raises(ValueError, match="importance_scores should have the shape"):
        prune.l1_unstructured(layer, "weight", 1, importance_scores=minitorch.ones(2))


# ---- init --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_deterministic_inits_match_torch(dtype):
    ours = init.eye_(minitorch.empty(3, 5, dtype=getattr(minitorch, dtype)))
    assert_close(ours, torch.nn.init.eye_(torch.empty(3, 5, dtype=getattr(torch, dtype))),
                 dtype)
    for shape, groups in [((6, 2, 3), 2), ((4, 4, 3, 2), 1), ((2, 3, 3, 3, 3), 1)]:
        ours = init.dirac_(minitorch.empty(*shape, dtype=getattr(minitorch, dtype)), groups)
        theirs = torch.nn.init.dirac_(torch.empty(*shape, dtype=getattr(torch, dtype)), groups)
        assert_close(ours, theirs, dtype)
    assert_close(init.constant_(minitorch.empty(2, 3, dtype=getattr(minitorch, dtype)), 0.5),
                 torch.full((2, 3), 0.5, dtype=getattr(torch, dtype)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5), (6, 4), (4, 2, 3)])
def test_orthogonal_init(dtype, shape):
    minitorch.manual_seed(0)
    ours = init.orthogonal_(minitorch.empty(*shape, dtype=getattr(minitorch, dtype)), gain=2.0)
    matrix = ours.numpy().reshape(shape[0], -1)
    small = min(matrix.shape)
    gram = matrix @ matrix.T if matrix.shape[0] == small else matrix.T @ matrix
    np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)
    # torch's sign rule: the same normal draws give torch's matrix
    minitorch.manual_seed(0)
    draws = minitorch.empty(shape[0], matrix.shape[1], dtype=getattr(minitorch, dtype)).normal_()
    flat = torch.tensor(draws.numpy())
    q, r = torch.linalg.qr(flat if shape[0] >= matrix.shape[1] else flat.T)
    q = q * torch.diagonal(r).sign()
    expected = q if shape[0] >= matrix.shape[1] else q.T
    np.testing.assert_allclose(matrix, 2 * expected.numpy(), atol=1e-5)


def test_sparse_and_trunc_normal():
    minitorch.manual_seed(0)
    sparse = init.sparse_(minitorch.empty(10, 4), sparsity=0.3)
    assert ((sparse.numpy() == 0).sum(axis=0) == 3).all()
    values = init.trunc_normal_(minitorch.empty(2000), mean=0.5, std=1.0, a=0.0, b=1.0).numpy()
    assert values.min() >= 0.0 and values.max() <= 1.0 and abs(values.mean() - 0.5) < 0.05
    minitorch.manual_seed(1)
    again = init.trunc_normal_(minitorch.empty(2000), mean=0.5, std=1.0, a=0.0, b=1.0).numpy()
    minitorch.manual_seed(1)
    np.testing.assert_array_equal(
        again, init.trunc_normal_(minitorch.empty(2000), 0.5, 1.0, 0.0, 1.0).numpy())


def test_init_errors():
    with pytest.raises(ValueError, match="eye_: only tensors with 2 dimensions"):
        init.eye_(minitorch.empty(2, 2, 2))
    with pytest.raises(ValueError, match="dirac_: only tensors with 3, 4, or 5 dimensions"):
        init.dirac_(minitorch.empty(2, 2))
    with pytest.raises(ValueError, match=r"dirac_: dim 0 \(5\) must be divisible by groups"):
        init.dirac_(minitorch.empty(5, 2, 3), groups=2)
    with pytest.raises(ValueError, match="orthogonal_: only tensors with 2 or more"):
        init.orthogonal_(minitorch.empty(3))
    with pytest.raises(ValueError, match="sparse_: only tensors with 2 dimensions"):
        init.sparse_(minitorch.empty(3), 0.5)
    with pytest.raises(ValueError, match="trunc_normal_: expected a < b"):
        init.trunc_normal_(minitorch.empty(3), a=1.0, b=0.0)
