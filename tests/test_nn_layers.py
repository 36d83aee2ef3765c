"""The activations, LayerNorm, Embedding, one_hot, normalize and pad of minitorch.nn,
checked against torch.nn: values, input and parameter gradients and reprs, in float32
and float64, on every backend (the backend_name fixture)."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F

TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}
DTYPES = {"float32": np.float32, "float64": np.float64}


def assert_close(ours, theirs, dtype):
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                               **TOLERANCE[dtype])


def pair(array, requires_grad=True):
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def inputs(dtype, *shape, seed=0):
    """Normal values scaled by 4, plus the edge cases 0, +-1, +-6, +-25 and +-100."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) * 4.0
    edges = np.array([0.0, 1.0, -1.0, 6.0, -6.0, 25.0, -25.0, 100.0, -100.0])
    values.reshape(-1)[:edges.size] = edges[:values.size]
    return values.astype(DTYPES[dtype])


def check_against_torch(ours, theirs, array, dtype, parameters=()):
    """Forward values and the gradients of a random weighting of the output."""
    x, tx = pair(array)
    out, tout = ours(x), theirs(tx)
    assert out.shape == tuple(tout.shape)
    assert_close(out, tout, dtype)
    weights = np.random.default_rng(1).standard_normal(tout.shape).astype(DTYPES[dtype])
    (out * minitorch.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    assert_close(x.grad, tx.grad, dtype)
    for ours_p, theirs_p in parameters:
        assert_close(ours_p.grad, theirs_p.grad, dtype)


ACTIVATIONS = [
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2,), {}), ("ELU", (), {}), ("ELU", (0.5,), {}),
    ("SiLU", (), {}), ("Softplus", (), {}), ("Softplus", (2.0, 5.0), {}),
    ("Softplus", (0.5,), {}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 6.0), {}), ("ReLU6", (), {}), ("Mish", (), {}),
    ("LogSigmoid", (), {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args,kwargs", ACTIVATIONS)
def test_activation_layers_match_torch(backend_name, name, args, kwargs, dtype):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, inputs(dtype, 5, 7), dtype)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "silu", "softplus", "gelu",
                                  "hardtanh", "relu6", "mish", "logsigmoid"])
def test_functional_activations_match_torch_at_the_kinks(backend_name, name):
    # 0 and the hardtanh / relu6 bounds, where the one-sided slopes differ
    array = np.array([0.0, -1.0, 1.0, 6.0, -0.0, 1e-8, -1e-8, 30.0, -30.0])
    check_against_torch(getattr(F, name), getattr(torch.nn.functional, name), array,
                        "float64")


def test_erf_is_accurate_in_float64_far_into_the_tails():
    values = np.concatenate([np.linspace(-7, 7, 281), [1e-300, -1e-10, 5.9, 5.95]])
    ours = F.erf(minitorch.tensor(values)).numpy()
    np.testing.assert_allclose(ours, [math.erf(v) for v in values], rtol=2e-15, atol=0)


@pytest.mark.parametrize("name", ["SiLU", "Mish", "ELU", "LeakyReLU", "Hardtanh", "ReLU6"])
def test_inplace_activations_write_into_the_input(backend_name, name):
    array = inputs("float32", 3, 4)
    x, tx = pair(array, requires_grad=False)
    out = getattr(nn, name)(inplace=True)(x)
    getattr(torch.nn, name)(inplace=True)(tx)
    assert out is x and repr(getattr(nn, name)(inplace=True)) == repr(
        getattr(torch.nn, name)(inplace=True))
    assert_close(x, tx, "float32")


def test_activation_arguments_are_checked():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")(minitorch.ones(2))
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(TypeError, match="floating point"):
        F.logsigmoid(minitorch.tensor([1, 2]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,normalized,options", [
    ((4, 6), 6, {}), ((2, 3, 4), (3, 4), {}), ((3, 5), [5], {"bias": False}),
    ((2, 5), 5, {"elementwise_affine": False}), ((2, 3, 5), 5, {"eps": 0.1}),
])
def test_layer_norm_matches_torch(backend_name, dtype, shape, normalized, options):
    ours = nn.LayerNorm(normalized, dtype=dtype, **options)
    theirs = torch.nn.LayerNorm(normalized, dtype=getattr(torch, dtype), **options)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    pairs = []
    for (_, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p, tp, dtype)                       # ones and zeros
        values = np.random.default_rng(2).standard_normal(p.shape).astype(DTYPES[dtype])
        with minitorch.no_grad():
            p.copy_(minitorch.tensor(values))
        with torch.no_grad():
            tp.copy_(torch.tensor(values))
        pairs.append((p, tp))
    check_against_torch(ours, theirs, inputs(dtype, *shape) + 3.0, dtype, pairs)


def test_layer_norm_refuses_a_shape_the_input_does_not_end_in():
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm(4)(minitorch.ones(2, 5))


def copy_weight(ours, theirs):
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch_with_repeats_and_padding(backend_name, dtype, padding_idx):
    minitorch.manual_seed(0)
    ours = nn.Embedding(6, 3, padding_idx=padding_idx, dtype=dtype)
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx, dtype=getattr(torch, dtype))
    assert repr(ours) == repr(theirs)
    if padding_idx is not None:
        assert ours.weight[padding_idx].abs().sum().item() == 0
    copy_weight(ours, theirs)
    index = np.array([[0, 2, 2, 5], [1, 2, 0, 0], [5, 5, 5, 3]])   # repeats and padding
    out, tout = ours(minitorch.tensor(index)), theirs(torch.tensor(index))
    assert out.shape == tuple(tout.shape) == (3, 4, 3)
    assert_close(out, tout, dtype)
    weights = np.random.default_rng(3).standard_normal(out.shape).astype(DTYPES[dtype])
    (out * minitorch.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    assert_close(ours.weight.grad, theirs.weight.grad, dtype)


def test_embedding_init_is_standard_normal_and_indices_are_checked():
    minitorch.manual_seed(0)
    weight = nn.Embedding(1000, 50).weight.detach().numpy()
    assert abs(weight.mean()) < 0.01 and abs(weight.std() - 1.0) < 0.01
    layer = nn.Embedding(4, 2)
    assert layer(minitorch.tensor(3)).shape == (2,)
    with pytest.raises(IndexError, match="out of range"):
        layer(minitorch.tensor([4]))
    with pytest.raises(TypeError, match="int64"):
        layer(minitorch.tensor([1.0]))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(4, 2, padding_idx=4)


@pytest.mark.parametrize("labels,num_classes", [([0, 2, 1], -1), ([[1], [3]], 5), (4, -1),
                                                ([], 3)])
def test_one_hot_matches_torch(backend_name, labels, num_classes):
    ours = F.one_hot(minitorch.tensor(labels, dtype="int64"), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.int64), num_classes)
    assert ours.dtype is minitorch.int64 and ours.backend == backend_name
    assert ours.shape == tuple(theirs.shape) and ours.tolist() == theirs.tolist()


def test_one_hot_refuses_what_torch_refuses():
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(minitorch.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(minitorch.tensor([-1]))
    with pytest.raises(RuntimeError, match="empty"):
        F.one_hot(minitorch.tensor([], dtype="int64"))
    with pytest.raises(TypeError, match="int64"):
        F.one_hot(minitorch.tensor([1.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (math.inf, 1), (2, 2)])
def test_normalize_matches_torch_including_zero_slices(backend_name, dtype, p, dim):
    array = inputs(dtype, 3, 4, 2)
    array[1] = 0.0                                        # all-zero slices: no nan gradient
    check_against_torch(lambda x: F.normalize(x, p, dim),
                        lambda x: torch.nn.functional.normalize(x, p, dim), array, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding,value", [((1, 2), 0), ((0, 1, 2, 0), 1.5),
                                           ((-1, 2, 1, -2), -3.0), ((1, 1, 0, 0, 2, 1), None)])
def test_constant_pad_matches_torch(backend_name, dtype, padding, value):
    check_against_torch(lambda x: F.pad(x, padding, value=value),
                        lambda x: torch.nn.functional.pad(x, padding, value=value),
                        inputs(dtype, 2, 3, 4), dtype)


def test_pad_refuses_bad_arguments():
    with pytest.raises(ValueError, match="even"):
        F.pad(minitorch.ones(2, 2), (1,))
    with pytest.raises(ValueError, match="negative size"):
        F.pad(minitorch.ones(2, 2), (-2, -1))
    with pytest.raises(NotImplementedError, match="'mirror'.*constant.*reflect"):
        F.pad(minitorch.ones(2, 2), (1, 1), mode="mirror")
