"""TransformerDecoderLayer, TransformerDecoder and Transformer of minitorch.nn checked
against torch with torch's weights loaded: outputs and the gradients of the inputs and of
every parameter, on the numpy and c backends, float32 and float64, with and without masks,
batch_first both ways, unbatched and non-contiguous input, pre- and post-norm; state dict
keys, initialisation, reprs, the causal mask, dropout in training, and errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.serialization import from_torch, to_torch
from nn_helpers import backend, check_backward, normal  # noqa: F401  (backend: a fixture)

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
DTYPES = ("float32", "float64")
T, S, N, E, HEADS, FF = 4, 5, 3, 8, 2, 16


def _bool(shape, seed):
    mask = np.random.default_rng(seed).random(shape) < 0.3
    mask[..., 0] = False   # every query keeps one key (torch gives NaN rows otherwise)
    return mask


def _torch_transformer(*args, **kwargs):
    with warnings.catch_warnings():   # torch's nested-tensor advice for batch_first=False
        warnings.simplefilter("ignore", UserWarning)
        return torch.nn.Transformer(*args, **kwargs)


def _sequence(length, dtype, seed, batch_first=False, unbatched=False, transposed=False):
    """A (minitorch, torch, leaves) triple: a (length, N, E) sequence ((N, length, E) with
    batch_first, (length, E) unbatched) from the same values; with transposed it is a
    non-contiguous view of a leaf stored the other way round. leaves: the (minitorch,
    torch) tensors whose .grad to compare."""
    shape = (length, E) if unbatched else (N, length, E) if batch_first else (length, N, E)
    array = normal(shape, dtype, seed)
    if not transposed:
        pair = (minitorch.tensor(array, requires_grad=True),
                torch.tensor(array, requires_grad=True))
        return pair[0], pair[1], pair
    stored = np.ascontiguousarray(np.swapaxes(array, 0, 1))
    leaves = (minitorch.tensor(stored, requires_grad=True),
              torch.tensor(stored, requires_grad=True))
    view = leaves[0].transpose(0, 1)
    assert not view.is_contiguous()
    return view, leaves[1].transpose(0, 1), leaves


def _masks(masks, dtype):
    """{name: array} as ({name: minitorch tensor}, {name: torch tensor}); float arrays in
    dtype; other values (the *_is_causal hints) as they are."""
    ours, theirs = {}, {}
    for name, value in masks.items():
        if isinstance(value, np.ndarray):
            value = value.astype(dtype) if value.dtype.kind == "f" else value
            ours[name], theirs[name] = minitorch.tensor(value), torch.tensor(value)
        else:
            ours[name] = theirs[name] = value
    return ours, theirs


def _load(ours, theirs, dtype):
    """theirs in dtype and eval mode, its state dict loaded into ours (eval mode)."""
    theirs = theirs.to(TORCH_DTYPES[dtype]).eval()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours.eval(), theirs


CAUSAL = np.triu(np.ones((T, T), bool), 1)

# name -> (constructor kwargs, input kwargs, mask kwargs)
DECODER_CASES = {
    "post_norm_relu": ({}, {}, {}),
    "pre_norm_gelu_batch_first_padding": (
        dict(norm_first=True, activation="gelu", batch_first=True), dict(batch_first=True),
        dict(tgt_key_padding_mask=_bool((N, T), 1), memory_key_padding_mask=_bool((N, S), 2))),
    "causal_bool_and_float_memory_mask_no_bias": (
        dict(bias=False), {},
        dict(tgt_mask=CAUSAL, tgt_is_causal=True, memory_mask=normal((T, S), "float64", 3))),
    "per_head_masks_transposed_input": (
        {}, dict(transposed=True),
        dict(tgt_mask=_bool((N * HEADS, T, T), 4), memory_mask=_bool((N * HEADS, T, S), 5))),
    "unbatched_pre_norm": (
        dict(norm_first=True), dict(unbatched=True),
        dict(tgt_mask=normal((T, T), "float64", 6), memory_key_padding_mask=_bool((S,), 7))),
    "callable_activation_float_padding": (
        dict(activation="callable"), {},
        dict(tgt_key_padding_mask=normal((N, T), "float64", 8),
             memory_key_padding_mask=normal((N, S), "float64", 9))),
}


def _activation(constructor, lib):
    """constructor with activation='callable' replaced by lib's tanh function."""
    if constructor.get("activation") == "callable":
        return {**constructor, "activation": lib.tanh}
    return constructor


@pytest.mark.parametrize("case", DECODER_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_decoder_layer_matches_torch(backend, dtype, case):
    constructor, inputs, masks = DECODER_CASES[case]
    torch.manual_seed(0)
    theirs = torch.nn.TransformerDecoderLayer(E, HEADS, FF, **_activation(constructor, torch))
    ours = nn.TransformerDecoderLayer(E, HEADS, FF, **_activation(constructor, minitorch),
                                      dtype=dtype)
    ours, theirs = _load(ours, theirs, dtype)
    tgt, ttgt, tgt_leaves = _sequence(T, dtype, 10, **inputs)
    memory, tmemory, memory_leaves = _sequence(S, dtype, 11, **inputs)
    ours_masks, theirs_masks = _masks(masks, dtype)
    out = ours(tgt, memory, **ours_masks)
    tout = theirs(ttgt, tmemory, **theirs_masks)
    check_backward([(out, tout)], [tgt_leaves[0], memory_leaves[0]],
                   [tgt_leaves[1], memory_leaves[1]], dtype, ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_decoder_stack_matches_torch(backend, dtype):
    torch.manual_seed(0)
    theirs = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(E, HEADS, FF), 2,
                                         norm=torch.nn.LayerNorm(E))
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, HEADS, FF, dtype=dtype), 2,
                                 norm=nn.LayerNorm(E, dtype=dtype))
    ours, theirs = _load(ours, theirs, dtype)
    tgt, ttgt, _ = _sequence(T, dtype, 1)
    memory, tmemory, _ = _sequence(S, dtype, 2)
    masks = dict(tgt_mask=CAUSAL, memory_key_padding_mask=_bool((N, S), 3))
    ours_masks, theirs_masks = _masks(masks, dtype)
    check_backward([(ours(tgt, memory, **ours_masks), theirs(ttgt, tmemory, **theirs_masks))],
                   [tgt, memory], [ttgt, tmemory], dtype, ours, theirs)


def test_decoder_layers_are_independent_copies_and_norm_optional():
    layer = nn.TransformerDecoderLayer(E, HEADS, FF)
    decoder = nn.TransformerDecoder(layer, 2)
    first, second = decoder.layers
    assert decoder.norm is None and decoder.num_layers == 2
    assert first.multihead_attn.in_proj_weight is not second.multihead_attn.in_proj_weight
    assert first.linear1.weight is not layer.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.detach().numpy(),
                                  second.linear1.weight.detach().numpy())


TRANSFORMER_CASES = {   # name -> (constructor kwargs, input kwargs, mask kwargs)
    "plain": ({}, {}, {}),
    "batch_first_pre_norm_all_masks": (
        dict(batch_first=True, norm_first=True), dict(batch_first=True),
        dict(src_mask=_bool((S, S), 1), tgt_mask="causal", memory_mask=_bool((T, S), 2),
             src_key_padding_mask=_bool((N, S), 3), tgt_key_padding_mask=_bool((N, T), 4),
             memory_key_padding_mask=_bool((N, S), 5), tgt_is_causal=True)),
    "unbatched_gelu": (dict(activation="gelu"), dict(unbatched=True),
                       dict(tgt_mask="causal", memory_key_padding_mask=_bool((S,), 6))),
    "transposed_no_bias": (dict(bias=False), dict(transposed=True),
                           dict(src_key_padding_mask=_bool((N, S), 7))),
}


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")   # torch's
@pytest.mark.parametrize("case", TRANSFORMER_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_transformer_matches_torch(backend, dtype, case):
    constructor, inputs, masks = TRANSFORMER_CASES[case]
    torch.manual_seed(0)
    theirs = _torch_transformer(E, HEADS, 2, 2, FF, **constructor)
    ours = nn.Transformer(E, HEADS, 2, 2, FF, **constructor, dtype=dtype)
    ours, theirs = _load(ours, theirs, dtype)
    src, tsrc, src_leaves = _sequence(S, dtype, 10, **inputs)
    tgt, ttgt, tgt_leaves = _sequence(T, dtype, 11, **inputs)
    ours_masks, theirs_masks = _masks(masks, dtype)
    if masks.get("tgt_mask") == "causal":
        ours_masks["tgt_mask"] = nn.Transformer.generate_square_subsequent_mask(T, dtype=dtype)
        theirs_masks["tgt_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(
            T, dtype=TORCH_DTYPES[dtype])
    out = ours(src, tgt, **ours_masks)
    tout = theirs(tsrc, ttgt, **theirs_masks)
    check_backward([(out, tout)], [src_leaves[0], tgt_leaves[0]],
                   [src_leaves[1], tgt_leaves[1]], dtype, ours, theirs)


def test_python_backend_tiny_decoder_layer():
    with minitorch.use_backend("python"):
        torch.manual_seed(0)
        ours, theirs = _load(nn.TransformerDecoderLayer(4, 1, 4, dtype="float64"),
                             torch.nn.TransformerDecoderLayer(4, 1, 4), "float64")
        tgt, memory = normal((2, 1, 4), "float64", 1), normal((3, 1, 4), "float64", 2)
        x, m = minitorch.tensor(tgt, requires_grad=True), minitorch.tensor(memory)
        tx, tm = torch.tensor(tgt, requires_grad=True), torch.tensor(memory)
        check_backward([(ours(x, m), theirs(tx, tm))], [x], [tx], "float64", ours, theirs)


# ---- construction -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, dict(bias=False, norm_first=True, batch_first=True)])
def test_transformer_state_dict_and_init(kwargs):
    theirs = _torch_transformer(E, HEADS, 2, 1, FF, **kwargs)
    minitorch.manual_seed(0)
    ours = nn.Transformer(E, HEADS, 2, 1, FF, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, tensor in ours.state_dict().items():
        assert tensor.shape == tuple(theirs.state_dict()[name].shape), name
    theirs.load_state_dict(to_torch(ours.state_dict()))   # loads into torch, strict
    assert (ours.d_model, ours.nhead, ours.batch_first) == (
        E, HEADS, kwargs.get("batch_first", False))
    for name, parameter in ours.named_parameters():
        values = parameter.detach().numpy()
        if parameter.ndim > 1:   # xavier_uniform_: within ±sqrt(6 / (fan_in + fan_out))
            bound = math.sqrt(6.0 / sum(parameter.shape))
            assert bound >= np.abs(values).max() > 0.7 * bound, name
        elif "norm" in name:
            assert np.all(values == (1 if name.endswith("weight") else 0)), name
        else:
            assert np.all(values == 0) if "in_proj_bias" in name or "out_proj" in name \
                else np.abs(values).max() > 0, name


def test_custom_encoder_and_decoder_are_used_and_reinitialised():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS, FF), 1)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, HEADS, FF), 1)
    for parameter in list(encoder.parameters()) + list(decoder.parameters()):
        nn.init.zeros_(parameter)
    model = nn.Transformer(E, HEADS, custom_encoder=encoder, custom_decoder=decoder)
    assert model.encoder is encoder and model.decoder is decoder
    for name, parameter in model.named_parameters():
        assert np.any(parameter.detach().numpy() != 0) == (parameter.ndim > 1), name


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_generate_square_subsequent_mask_matches_torch(size, dtype):
    mask = nn.Transformer.generate_square_subsequent_mask(size, dtype=dtype)
    expected = torch.nn.Transformer.generate_square_subsequent_mask(
        size, dtype=None if dtype is None else TORCH_DTYPES[dtype])
    assert mask.dtype.name == str(expected.dtype).split(".")[1]
    np.testing.assert_array_equal(mask.numpy(), expected.numpy())
    instance = nn.Transformer(E, HEADS, 1, 1, FF)   # a static method: same on an instance
    np.testing.assert_array_equal(instance.generate_square_subsequent_mask(size).numpy(),
                                  nn.Transformer.generate_square_subsequent_mask(size).numpy())


def test_reprs_match_torch():
    def build(lib):
        return [lib.nn.TransformerDecoderLayer(E, HEADS, FF, norm_first=True, bias=False),
                lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(E, HEADS), 1,
                                          norm=lib.nn.LayerNorm(E)),
                lib.nn.TransformerEncoderLayer(E, HEADS, FF),
                lib.nn.MultiheadAttention(E, HEADS, kdim=5, vdim=6)]
    for mine, reference in zip(build(minitorch), build(torch)):
        assert repr(mine) == repr(reference)
    assert repr(nn.Transformer(E, HEADS, 1, 1, FF, dropout=0.2)) == repr(
        _torch_transformer(E, HEADS, 1, 1, FF, dropout=0.2))
    # several layers: ModuleList lists identical layers once ("(0-2): 3 x ...")
    assert repr(nn.Transformer(E, HEADS, 3, 2, FF)) == repr(
        _torch_transformer(E, HEADS, 3, 2, FF))


# ---- dropout in training ----------------------------------------------------------------

@pytest.mark.parametrize("norm_first", [False, True])
def test_dropout_one_drops_every_branch_as_torch(norm_first):
    """In training with dropout=1 every branch (self-attention, cross-attention,
    feed-forward) is zeroed, so the layer is its norms alone (pre-norm: the identity);
    torch gives the same."""
    torch.manual_seed(0)
    ours, theirs = _load(nn.TransformerDecoderLayer(E, HEADS, FF, dropout=1.0,
                                                    norm_first=norm_first, dtype="float64"),
                         torch.nn.TransformerDecoderLayer(E, HEADS, FF, dropout=1.0,
                                                          norm_first=norm_first), "float64")
    ours.train(), theirs.train()
    tgt, memory = normal((T, N, E), "float64", 1), normal((S, N, E), "float64", 2)
    out = ours(minitorch.tensor(tgt), minitorch.tensor(memory)).detach().numpy()
    np.testing.assert_allclose(out, theirs(torch.tensor(tgt), torch.tensor(memory))
                               .detach().numpy(), rtol=1e-12, atol=1e-12)
    if norm_first:
        np.testing.assert_array_equal(out, tgt)


def test_dropout_is_random_in_training_only():
    minitorch.manual_seed(0)
    model = nn.Transformer(E, HEADS, 1, 1, FF, dropout=0.5)
    src, tgt = minitorch.randn(S, N, E), minitorch.randn(T, N, E)
    with minitorch.no_grad():
        first, second = model(src, tgt).numpy(), model(src, tgt).numpy()
        assert np.abs(first - second).max() > 1e-3
        model.eval()
        np.testing.assert_array_equal(model(src, tgt).numpy(), model(src, tgt).numpy())
        assert np.abs(model(src, tgt).numpy() - first).max() > 1e-3


# ---- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("build, error, message", [
    (lambda: nn.TransformerDecoderLayer(E, HEADS, activation="tanh"), ValueError,
     "TransformerDecoderLayer: activation should be 'relu' or 'gelu'"),
    (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(E, HEADS), 0), ValueError,
     "TransformerDecoder: num_layers must be a positive int"),
    (lambda: nn.Transformer(E, 3), ValueError, "divisible by num_heads"),
    (lambda: nn.Transformer(E, HEADS, num_encoder_layers=0), ValueError,
     "TransformerEncoder: num_layers"),
])
def test_constructor_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


tgt3, memory3 = minitorch.randn(T, N, E), minitorch.randn(S, N, E)
narrow_memory, unbatched_memory, other_batch_memory = (
    minitorch.randn(S, N, 6), minitorch.randn(S, E), minitorch.randn(S, N + 1, E))
memory64 = memory3.to("float64")


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m(tgt3, narrow_memory), ValueError,
     r"TransformerDecoderLayer: expected d_model = 8 features .* memory 5x3x6"),
    (lambda m: m(tgt3, unbatched_memory), ValueError,
     r"TransformerDecoderLayer: expected tgt and memory of one rank"),
    (lambda m: m(tgt3, other_batch_memory), ValueError,
     r"TransformerDecoderLayer: tgt and memory must have the same batch size"),
    (lambda m: m(tgt3, memory3, tgt_mask=minitorch.zeros(T, S, dtype="bool")), ValueError,
     r"TransformerDecoderLayer: expected tgt_mask of shape 4x4 or 6x4x4"),
    (lambda m: m(tgt3, memory3, memory_mask=minitorch.zeros(T, T, dtype="bool")), ValueError,
     r"TransformerDecoderLayer: expected memory_mask of shape 4x5 or 6x4x5"),
    (lambda m: m(tgt3, memory3, tgt_key_padding_mask=minitorch.zeros(N, S, dtype="bool")),
     ValueError, r"expected tgt_key_padding_mask of shape 3x4"),
    (lambda m: m(tgt3, memory3, memory_key_padding_mask=minitorch.zeros(S, dtype="bool")),
     ValueError, r"expected memory_key_padding_mask of shape 3x5"),
    (lambda m: m(tgt3, memory3, tgt_is_causal=True), ValueError,
     "tgt_is_causal=True is a hint that tgt_mask is the causal mask"),
    (lambda m: m(tgt3, memory3, memory_mask=minitorch.zeros(T, S, dtype="int64")), TypeError,
     "TransformerDecoderLayer: memory_mask must be bool or of the query's dtype float32"),
    (lambda m: m(tgt3, memory64), TypeError, "TransformerDecoderLayer: expected tgt and "
     r"memory of dtype float32 \(the weights'\), got tgt float32, memory float64"),
])
def test_decoder_layer_forward_errors_come_before_any_random_draw(call, error, message):
    """Checked before anything runs: in training (dropout on) the failed call draws no
    random numbers."""
    layer = nn.TransformerDecoderLayer(E, HEADS, FF).train()
    minitorch.manual_seed(1)
    with pytest.raises(error, match=message):
        call(layer)
    after = minitorch.rand(3).numpy()
    minitorch.manual_seed(1)
    np.testing.assert_array_equal(after, minitorch.rand(3).numpy())


src3 = minitorch.randn(S, N, E)
src64 = src3.to("float64")


@pytest.mark.parametrize("kwargs, call, error, message", [
    ({}, lambda m: m(src3, minitorch.randn(T, N + 1, E)), ValueError,
     r"Transformer: src and tgt must have the same batch size, got src 5x3x8, tgt 4x4x8"),
    (dict(batch_first=True), lambda m: m(minitorch.randn(N, S, E), minitorch.randn(N + 1, T, E)),
     ValueError, r"same batch size.*\(batch_first=True\)"),
    ({}, lambda m: m(src3, minitorch.randn(T, N, E + 2)), ValueError,
     r"Transformer: expected d_model = 8 features"),
    ({}, lambda m: m(src3, minitorch.randn(T, E)), ValueError,
     r"Transformer: expected src and tgt of one rank"),
    ({}, lambda m: m(src3, tgt3, src_mask=minitorch.zeros(T, T, dtype="bool")), ValueError,
     r"TransformerEncoderLayer: expected src_mask of shape 5x5 or 6x5x5"),
    ({}, lambda m: m(src3, tgt3, src_is_causal=True), ValueError,
     "is_causal=True is a hint that src_mask is the causal mask"),
    ({}, lambda m: m(src3, tgt3, memory_key_padding_mask=minitorch.zeros(N, T, dtype="bool")),
     ValueError, r"TransformerDecoderLayer: expected memory_key_padding_mask of shape 3x5"),
    ({}, lambda m: m(src64, tgt3.to("float64")), TypeError,
     r"TransformerEncoderLayer: expected src of dtype float32 \(the weights'\)"),
    ({}, lambda m: m(src64, tgt3), TypeError,
     "Transformer: expected src and tgt of dtype float64, got src float64, tgt float32"),
])
def test_transformer_forward_errors(kwargs, call, error, message):
    with pytest.raises(error, match=message):
        call(nn.Transformer(E, HEADS, 1, 1, FF, **kwargs))
