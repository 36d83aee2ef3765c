"""scaled_dot_product_attention, MultiheadAttention, TransformerEncoderLayer and
TransformerEncoder of minitorch.nn checked against torch: outputs, attention weights and
the gradients of the inputs and every parameter with the weights copied from torch, on
the numpy and c backends, with masks, batch_first, unbatched input and kdim/vdim; state
dict keys, initialisation, a few SGD steps of a tiny model, and errors."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn.attention import scaled_dot_product_attention
from minitorch.serialization import from_torch, to_torch
from nn_helpers import backend, check_backward, normal  # noqa: F401  (backend: a fixture)

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
DTYPES = ("float32", "float64")
L, S, N, E, HEADS = 4, 5, 3, 8, 2


def pair(array):
    """array as a (minitorch, torch) pair; float arrays become leaves that require grad."""
    grad = array.dtype.kind == "f"
    return (minitorch.tensor(array, requires_grad=grad),
            torch.tensor(array, requires_grad=grad))


def make_pair(name, dtype, *args, **kwargs):
    """(ours, theirs): torch.nn.<name> (seeded, eval mode) and ours with its weights."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(TORCH_DTYPES[dtype]).eval()
    ours = getattr(nn, name)(*args, **kwargs, dtype=dtype).eval()
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours, theirs


# ---- scaled_dot_product_attention -------------------------------------------------------

SDPA_CASES = {
    "plain": {}, "scale": dict(scale=0.3), "causal": dict(is_causal=True),
    "bool_mask": dict(attn_mask=np.random.default_rng(1).random((L, S)) < 0.6),
    "float_mask": dict(attn_mask="float"),
    "broadcast_bool_mask": dict(attn_mask=np.random.default_rng(2).random((N, 1, L, S)) < 0.6),
}


@pytest.mark.parametrize("case", SDPA_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_matches_torch(backend, dtype, case):
    kwargs = dict(SDPA_CASES[case])
    if isinstance(kwargs.get("attn_mask"), str):
        kwargs["attn_mask"] = normal((HEADS, L, S), dtype, seed=7)
    arrays = [normal((N, HEADS, L, 6), dtype, 1), normal((N, HEADS, S, 6), dtype, 2),
              normal((N, HEADS, S, 3), dtype, 3)]
    (q, tq), (k, tk), (v, tv) = (pair(a) for a in arrays)
    ours_kwargs, theirs_kwargs = dict(kwargs), dict(kwargs)
    if "attn_mask" in kwargs:
        ours_kwargs["attn_mask"], theirs_kwargs["attn_mask"] = pair(kwargs["attn_mask"])
        ours_kwargs["attn_mask"] = ours_kwargs["attn_mask"].detach()
        theirs_kwargs["attn_mask"] = theirs_kwargs["attn_mask"].detach()
    out = scaled_dot_product_attention(q, k, v, **ours_kwargs)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **theirs_kwargs)
    check_backward([(out, tout)], (q, k, v), (tq, tk, tv), dtype)


def test_sdpa_fully_masked_row_is_zero_with_finite_gradients(backend):
    mask = np.ones((L, S), bool)
    mask[1] = False
    arrays = [normal((L, 6), "float64", 1), normal((S, 6), "float64", 2),
              normal((S, 3), "float64", 3)]
    (q, tq), (k, tk), (v, tv) = (pair(a) for a in arrays)
    out = scaled_dot_product_attention(q, k, v, attn_mask=minitorch.tensor(mask))
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv,
                                                            attn_mask=torch.tensor(mask))
    assert np.all(out.detach().numpy()[1] == 0)
    check_backward([(out, tout)], (q, k, v), (tq, tk, tv), "float64")


def test_sdpa_dropout_one_zeroes_everything():
    q = minitorch.randn(2, 3, 4)
    assert np.all(scaled_dot_product_attention(q, q, q, dropout_p=1.0).numpy() == 0)


# ---- MultiheadAttention -----------------------------------------------------------------

def _bool(shape, seed):
    mask = np.random.default_rng(seed).random(shape) < 0.3
    mask[..., 0] = False   # every query keeps one key (torch gives NaN rows otherwise)
    return mask


CAUSAL = np.triu(np.ones((L, S), bool), 1)
MHA_CASES = {   # name -> (constructor kwargs, forward kwargs: arrays are masks)
    "plain": ({}, {}),
    "batch_first": (dict(batch_first=True), {}),
    "unbatched": ({}, dict(unbatched=True)),
    "kdim_vdim": (dict(kdim=5, vdim=6), {}),
    "no_bias": (dict(bias=False), {}),
    "bool_attn_mask": ({}, dict(attn_mask=_bool((L, S), 1))),
    "float_attn_mask_3d": ({}, dict(attn_mask=normal((N * HEADS, L, S), "float64", 2))),
    "bool_key_padding_mask": (dict(batch_first=True), dict(key_padding_mask=_bool((N, S), 3))),
    "float_key_padding_mask": ({}, dict(key_padding_mask=normal((N, S), "float64", 4))),
    "both_masks": ({}, dict(attn_mask=_bool((L, S), 5), key_padding_mask=_bool((N, S), 6))),
    "causal": ({}, dict(attn_mask=CAUSAL, is_causal=True)),
    "unbatched_masks": (dict(kdim=5, vdim=6), dict(unbatched=True, attn_mask=_bool((L, S), 7),
                                                   key_padding_mask=_bool((S,), 8))),
    "per_head_weights": ({}, dict(average_attn_weights=False)),
    "no_weights": ({}, dict(need_weights=False, key_padding_mask=_bool((N, S), 9))),
    "bias_kv": (dict(add_bias_kv=True), dict(key_padding_mask=_bool((N, S), 11))),
    "zero_attn": (dict(add_zero_attn=True), dict(attn_mask=_bool((L, S), 12))),
    "bias_kv_zero_attn_unbatched": (dict(add_bias_kv=True, add_zero_attn=True, kdim=5),
                                    dict(unbatched=True, attn_mask=_bool((L, S), 13))),
}


@pytest.mark.parametrize("case", MHA_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_multihead_attention_matches_torch(backend, dtype, case):
    constructor, forward = MHA_CASES[case]
    forward = dict(forward)
    ours, theirs = make_pair("MultiheadAttention", dtype, E, HEADS, **constructor)
    batch = () if forward.pop("unbatched", False) else (N,)
    first = constructor.get("batch_first", False)

    def shape(length, features):
        if not batch:
            return (length, features)
        return (N, length, features) if first else (length, N, features)
    arrays = [normal(shape(L, E), dtype, 1), normal(shape(S, ours.kdim), dtype, 2),
              normal(shape(S, ours.vdim), dtype, 3)]
    inputs = [pair(a) for a in arrays]
    masks = {}
    for key, value in forward.items():
        if isinstance(value, np.ndarray):
            value = value.astype(dtype) if value.dtype.kind == "f" else value
            mine, reference = pair(value)
            masks[key] = (mine.detach(), reference.detach())
    ours_kwargs = {**forward, **{key: m for key, (m, _) in masks.items()}}
    theirs_kwargs = {**forward, **{key: t for key, (_, t) in masks.items()}}
    out, weights = ours(*(m for m, _ in inputs), **ours_kwargs)
    tout, tweights = theirs(*(t for _, t in inputs), **theirs_kwargs)
    results = [(out, tout)]
    if forward.get("need_weights", True):
        results.append((weights, tweights))
    else:
        assert weights is None and tweights is None
    check_backward(results, [m for m, _ in inputs], [t for _, t in inputs], dtype, ours,
                   theirs)


def test_self_attention_with_one_tensor(backend):
    ours, theirs = make_pair("MultiheadAttention", "float64", E, HEADS)
    x, tx = pair(normal((L, N, E), "float64"))
    out, weights = ours(x, x, x)
    tout, tweights = theirs(tx, tx, tx)
    check_backward([(out, tout), (weights, tweights)], [x], [tx], "float64", ours, theirs)


@pytest.mark.parametrize("kwargs", [{}, dict(kdim=5, vdim=6), dict(bias=False),
                                    dict(add_bias_kv=True, add_zero_attn=True)])
def test_multihead_attention_state_dict_and_init(kwargs):
    theirs = torch.nn.MultiheadAttention(E, HEADS, **kwargs)
    minitorch.manual_seed(0)
    ours = nn.MultiheadAttention(E, HEADS, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, tensor in ours.state_dict().items():
        assert tensor.shape == tuple(theirs.state_dict()[name].shape)
    theirs.load_state_dict(to_torch(ours.state_dict()))   # loads into torch, strict
    for name in ("in_proj_bias", "out_proj.bias"):
        if kwargs.get("bias", True):
            assert np.all(ours.state_dict()[name].numpy() == 0)
    separate = ("q_proj_weight", "k_proj_weight", "v_proj_weight")
    for weight in [ours.in_proj_weight] if "kdim" not in kwargs else \
            [getattr(ours, name) for name in separate]:   # xavier_uniform_: within ±sqrt(6 / (fan_in + fan_out))
        bound = math.sqrt(6.0 / sum(weight.shape))
        values = weight.detach().numpy()
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound
    bound = 1 / math.sqrt(E)   # out_proj.weight: Linear's default
    assert np.abs(ours.out_proj.weight.detach().numpy()).max() <= bound
    assert ours.add_zero_attn == theirs.add_zero_attn
    if kwargs.get("add_bias_kv"):   # xavier_normal_ on (1, 1, E): std sqrt(2 / (E + E))
        values = np.concatenate([ours.bias_k.detach().numpy(), ours.bias_v.detach().numpy()])
        assert 0 < np.abs(values).max() < 6 * math.sqrt(1.0 / E)
    else:
        assert ours.bias_k is None and ours.bias_v is None


# ---- Transformer encoder ----------------------------------------------------------------

ENCODER_CASES = {
    "post_norm_relu": (dict(), {}),
    "pre_norm_gelu_batch_first": (dict(norm_first=True, activation="gelu", batch_first=True),
                                  dict(src_key_padding_mask=_bool((N, L), 10))),
    "causal_mask_no_bias": (dict(bias=False), dict(mask=np.triu(np.ones((L, L), bool), 1),
                                                   is_causal=True)),
}


@pytest.mark.parametrize("case", ENCODER_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_transformer_encoder_matches_torch(backend, dtype, case):
    constructor, forward = ENCODER_CASES[case]
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=16, **constructor)
    theirs = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(E),
                                         enable_nested_tensor=False)
    theirs = theirs.to(TORCH_DTYPES[dtype]).eval()
    ours = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=16, **constructor, dtype=dtype), 2,
        norm=nn.LayerNorm(E, dtype=dtype)).eval()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(from_torch(theirs.state_dict()))
    shape = (N, L, E) if constructor.get("batch_first") else (L, N, E)
    x, tx = pair(normal(shape, dtype, 1))
    ours_kwargs, theirs_kwargs = dict(forward), dict(forward)
    for key, value in forward.items():
        if isinstance(value, np.ndarray):
            ours_kwargs[key], theirs_kwargs[key] = minitorch.tensor(value), torch.tensor(value)
    out = ours(x, **ours_kwargs)
    tout = theirs(tx, **theirs_kwargs)
    check_backward([(out, tout)], [x], [tx], dtype, ours, theirs)


def test_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=16)
    encoder = nn.TransformerEncoder(layer, 2)
    first, second = encoder.layers
    assert first.linear1.weight is not second.linear1.weight
    assert first.linear1.weight is not layer.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.detach().numpy(),
                                  second.linear1.weight.detach().numpy())


def test_sgd_steps_match_torch(backend):
    """A tiny sequence classifier (self-attention, mean over time, Linear) trained by SGD
    for a few steps with the same batches gives torch's losses."""
    torch.manual_seed(0)
    theirs = torch.nn.ModuleDict(dict(attn=torch.nn.MultiheadAttention(E, HEADS,
                                                                       batch_first=True),
                                      head=torch.nn.Linear(E, 3))).double()
    ours = nn.ModuleDict(dict(attn=nn.MultiheadAttention(E, HEADS, batch_first=True),
                              head=nn.Linear(E, 3))).to("float64")
    ours.load_state_dict(from_torch(theirs.state_dict()))
    optimizer = minitorch.optim.SGD(ours.parameters(), lr=0.5)
    toptimizer = torch.optim.SGD(theirs.parameters(), lr=0.5)
    rng = np.random.default_rng(0)
    losses, tlosses = [], []
    for _ in range(4):
        x = rng.standard_normal((N, L, E))
        y = rng.integers(0, 3, N)
        for model, opt, lib, record in ((ours, optimizer, minitorch, losses),
                                        (theirs, toptimizer, torch, tlosses)):
            xs = lib.tensor(x)
            logits = model["head"](model["attn"](xs, xs, xs)[0].mean(1))
            loss = (nn if lib is minitorch else torch.nn).functional.cross_entropy(
                logits, lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            record.append(loss.item())
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    assert tlosses[-1] != tlosses[0]


# ---- errors -----------------------------------------------------------------------------

def _mha(**kwargs):
    return nn.MultiheadAttention(E, HEADS, **kwargs)


@pytest.mark.parametrize("build, error, message", [
    (lambda: nn.MultiheadAttention(E, 3), ValueError, "divisible by num_heads"),
    (lambda: nn.MultiheadAttention(0, 1), ValueError, "embed_dim must be a positive int"),
    (lambda: nn.MultiheadAttention(E, HEADS, dropout=1.5), ValueError, "dropout"),
    (lambda: nn.TransformerEncoderLayer(E, HEADS, activation="tanh"), ValueError,
     "activation"),
    (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS), 0), ValueError,
     "num_layers"),
])
def test_constructor_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


q3, kv3 = minitorch.randn(L, N, E), minitorch.randn(S, N, E)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m(minitorch.randn(L, E), kv3, kv3), ValueError,
     r"MultiheadAttention: expected query, key and value all 3-D .* query 4x8"),
    (lambda m: m(minitorch.randn(L, N, 7), kv3, kv3), ValueError,
     r"query must have embed_dim = 8 features"),
    (lambda m: m(q3, kv3, minitorch.randn(S + 1, N, E)), ValueError,
     "key and value must share"),
    (lambda m: m(q3, minitorch.randn(S, N + 1, E), minitorch.randn(S, N + 1, E)), ValueError,
     "same batch size"),
    (lambda m: m(q3, kv3, kv3, key_padding_mask=minitorch.zeros(S, N, dtype="bool")),
     ValueError, r"key_padding_mask of shape 3x5"),
    (lambda m: m(q3, kv3, kv3, attn_mask=minitorch.zeros(S, L, dtype="bool")), ValueError,
     r"attn_mask of shape 4x5 or 6x4x5"),
    (lambda m: m(q3, kv3, kv3, attn_mask=minitorch.zeros(L, S, dtype="int64")), TypeError,
     "attn_mask must be bool or of the query's dtype float32"),
    (lambda m: m(q3, kv3, kv3, is_causal=True), ValueError, "pass that attn_mask too"),
    (lambda m: m(q3.to("float64"), kv3, kv3), TypeError, "query is float64"),
])
def test_forward_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(_mha())


@pytest.mark.parametrize("arguments, error, message", [
    (dict(query=minitorch.randn(3)), ValueError, "query of at least 2 dims"),
    (dict(key=minitorch.randn(2, 6, 4)), ValueError, "2x6x4"),
    (dict(value=minitorch.randn(2, 7, 5)), ValueError, "2x7x5"),
    (dict(attn_mask=minitorch.ones(5, 7, dtype="bool")), ValueError,
     "scaled_dot_product_attention"),
    (dict(attn_mask=minitorch.ones(5, 6, dtype="bool"), is_causal=True), ValueError,
     "not both"),
    (dict(value=minitorch.randn(2, 6, 5, dtype="float64")), TypeError, "one float dtype"),
])
def test_sdpa_errors(arguments, error, message):
    inputs = dict(query=minitorch.randn(2, 5, 3), key=minitorch.randn(2, 6, 3),
                  value=minitorch.randn(2, 6, 5))
    with pytest.raises(error, match=message):
        scaled_dot_product_attention(**{**inputs, **arguments})
