"""Attention: scaled_dot_product_attention, MultiheadAttention, the Transformer's encoder
and decoder layers and stacks (TransformerEncoderLayer, TransformerEncoder,
TransformerDecoderLayer, TransformerDecoder) and the Transformer itself, with torch.nn's
names, arguments, parameter names and shapes, state_dict keys, reprs and results.

Everything is built from existing tensor ops (linear, matmul, softmax, where, dropout,
reshape, transpose, layer_norm), so it runs and differentiates on every backend with no
kernel of its own. One function, `_attend`, computes

    weights = softmax(Q @ K^T * scale + bias),   output = dropout(weights) @ V

for the functional form and for MultiheadAttention; `bias` is the additive float form of
every mask (-inf where a position may not be attended to).

Mask conventions differ, as they do in torch: in scaled_dot_product_attention a bool
attn_mask is True where a key *takes part*; in MultiheadAttention (and the Transformer
layers) a bool attn_mask or key_padding_mask is True where a key is *masked out*. Float
masks are added to the scores in both. A query row whose keys are all masked gets zero
weights and a zero output (torch's scaled_dot_product_attention does the same).
multi_head_attention_forward is MultiheadAttention's computation with every parameter
passed in (the module calls it, with its bias_k/bias_v when add_bias_kv and its
add_zero_attn). torch's fast paths and nested tensors are out of scope where the results
are the same; where they are not, the result is torch's: TransformerEncoder's nested-tensor
path (inference with a padding mask) gives zeros at the padded positions. Also out of
scope: the detection of a causal mask when is_causal is None (a hint only: the mask given
is used).
"""
import copy
import math
import warnings

import numpy as np

from .. import backends, creation, functions
from ..autograd.grad_mode import is_grad_enabled
from ..dtype import bool_, float32
from ..layout import broadcast_shapes, format_shape
from . import functional as F   # (functional imports this module: use F at call time)
from . import init
from .container import ModuleList
from .layers import GELU, Dropout, LayerNorm, Linear, ReLU
from .module import Module
from .parameter import Parameter


# ---- masks ------------------------------------------------------------------------------

def _float_mask(mask, masked_when, like, name, layer_name):
    """`mask` as an additive float mask of like's dtype: a bool mask becomes -inf where it
    equals `masked_when`, else 0; a float mask (of like's dtype) is returned as it is."""
    if mask.dtype is bool_:
        blocked = mask if masked_when else ~mask
        zeros = creation.zeros(*mask.shape, dtype=like.dtype, backend=like.backend)
        return functions.masked_fill(zeros, blocked, -math.inf)
    _check_mask_dtype(mask, like.dtype, name, layer_name)
    functions._same_backend(like, mask, layer_name)
    return mask


def _check_mask_dtype(mask, dtype, name, layer_name):
    """Raise unless mask is bool or of the query's dtype."""
    if mask.dtype is not bool_ and mask.dtype is not dtype:
        raise TypeError(f"{layer_name}: {name} must be bool or of the query's dtype "
                        f"{dtype.name}, got {mask.dtype.name}")


def _causal_mask(length, source_length, like):
    """A (L, S) additive mask: 0 on and below the diagonal, -inf above it."""
    above = creation.tensor(np.triu(np.ones((length, source_length), bool), 1),
                            backend=like.backend)
    return _float_mask(above, True, like, "causal mask", "")


def _attend(query, key, value, bias, dropout_p, scale):
    """(output, weights) of attention over the last two dims: weights = softmax(query @
    key^T * scale + bias) over the keys (bias None: no mask), zero in rows where bias is
    -inf for every key; output = dropout(weights, dropout_p) @ value. The weights returned
    are those after dropout, as torch's."""
    scores = functions.matmul(query, key.transpose(-2, -1)) * scale
    if bias is not None:
        scores = scores + bias
        # rows with every key masked: softmax over zeros (finite, so no NaN reaches the
        # gradients), then weights set to 0
        fully_masked = functions.all_true(scores == -math.inf, -1, keepdim=True)
        scores = functions.masked_fill(scores, fully_masked, 0.0)
    weights = functions.softmax(scores, -1)
    if bias is not None:
        weights = functions.masked_fill(weights, fully_masked, 0.0)
    weights = F.dropout(weights, dropout_p, training=True)
    return functions.matmul(weights, value), weights


def _shared_heads(query, key, value, name):
    """(key, value), each with its heads (dim -3) repeated (each head in place) up to the
    query's number of heads, which theirs must divide: grouped-query attention."""
    for label, tensor in (("query", query), ("key", key), ("value", value)):
        if tensor.ndim < 3:
            raise IndexError(f"{name}: enable_gqa=True needs {label} of at least 3 dims "
                             f"(..., heads, length, E), got {format_shape(tensor.shape)}")
    heads = query.shape[-3]
    if heads % key.shape[-3] or heads % value.shape[-3]:
        raise RuntimeError(f"{name}: the number of heads in key ({key.shape[-3]}) and value "
                           f"({value.shape[-3]}) must divide the number in query ({heads})")
    return (key.repeat_interleave(heads // key.shape[-3], -3),
            value.repeat_interleave(heads // value.shape[-3], -3))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + mask) @ value over query (..., L, E), key (..., S, E)
    and value (..., S, Ev), giving (..., L, Ev); the leading dims broadcast. With
    enable_gqa=True (grouped-query attention) the heads (dim -3) of key and value are
    first each repeated query's heads / theirs times.

    scale defaults to 1 / sqrt(E). attn_mask broadcasts to (..., L, S): bool True where a
    key takes part (False: -inf), or a float mask (float32 or the query's dtype) added to
    the scores. is_causal=True (with no attn_mask) lets query i attend to keys j <= i
    only. dropout_p is applied to the weights whenever it is > 0, as torch's does (pass
    0.0 in eval). A query whose keys are all masked gets a zero output.
    """
    name = "scaled_dot_product_attention"
    for label, tensor in (("query", query), ("key", key), ("value", value)):
        if tensor.ndim < 2:
            raise ValueError(f"{name}: expected {label} of at least 2 dims (..., L, E), got "
                             f"{format_shape(tensor.shape)}")
        if not tensor.dtype.is_floating_point or tensor.dtype is not query.dtype:
            raise TypeError(f"{name}: query, key and value must share one float dtype, "
                            f"got {query.dtype.name}, {key.dtype.name}, {value.dtype.name}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{name}: expected query (..., L, E), key (..., S, E) and value "
                         f"(..., S, Ev), got {format_shape(query.shape)}, "
                         f"{format_shape(key.shape)}, {format_shape(value.shape)}")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{name}: dropout_p must be between 0 and 1, got {dropout_p}")
    length, source_length = query.shape[-2], key.shape[-2]
    if is_causal and attn_mask is not None:
        raise ValueError(f"{name}: pass either attn_mask or is_causal=True, not both")
    bias = None
    if attn_mask is not None:
        broadcast_shapes(attn_mask.shape, query.shape[:-1] + (source_length,), name)
        if attn_mask.dtype is float32:   # torch takes a float32 mask whatever the query's
            attn_mask = attn_mask.to(query.dtype)
        bias = _float_mask(attn_mask, False, query, "attn_mask", name)
    elif is_causal:
        bias = _causal_mask(length, source_length, query)
    if scale is None:   # with E = 0 every score is 0, whatever the scale
        scale = 1.0 / math.sqrt(max(query.shape[-1], 1))
    if enable_gqa:
        key, value = _shared_heads(query, key, value, name)
    return _attend(query, key, value, bias, dropout_p, scale)[0]


# ---- MultiheadAttention -----------------------------------------------------------------

def _check_positive_int(value, what, layer_name):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer_name}: {what} must be a positive int, got {value!r}")


def _check_masks(layer_name, described, dtype, num_heads, batch, length, source_length,
                 attn_mask, key_padding_mask, is_causal,
                 names=("attn_mask", "key_padding_mask", "is_causal")):
    """Raise, naming the layer, the masks by `names` and the inputs (`described`), unless
    key_padding_mask is (N, S) ((S,) when batch is None: unbatched) and attn_mask (L, S)
    or (N * num_heads, L, S) ((num_heads, L, S) unbatched), both bool or of the query's
    dtype, and unless is_causal comes with attn_mask."""
    attn_name, padding_name, causal_name = names
    for name, mask in ((attn_name, attn_mask), (padding_name, key_padding_mask)):
        if mask is not None:
            _check_mask_dtype(mask, dtype, name, layer_name)
    if key_padding_mask is not None:
        expected = (source_length,) if batch is None else (batch, source_length)
        if tuple(key_padding_mask.shape) != expected:
            raise ValueError(f"{layer_name}: expected {padding_name} of shape "
                             f"{format_shape(expected)} for {described}, got "
                             f"{format_shape(key_padding_mask.shape)}")
    if attn_mask is not None:
        allowed = [(length, source_length), ((batch or 1) * num_heads, length, source_length)]
        if tuple(attn_mask.shape) not in allowed:
            raise ValueError(f"{layer_name}: expected {attn_name} of shape "
                             f"{' or '.join(format_shape(s) for s in allowed)} for "
                             f"{described}, got {format_shape(attn_mask.shape)}")
    elif is_causal:
        raise ValueError(f"{layer_name}: {causal_name}=True is a hint that {attn_name} is the "
                         f"causal mask; pass that {attn_name} too")


def _check_attention_inputs(name, query, key, value, feature_sizes, dtype, num_heads,
                            key_padding_mask, attn_mask, is_causal, batch_first=False):
    """Raise, naming `name` and the shapes, unless query (L, N, E), key (S, N, *) and
    value (S, N, *) ((N, T, *) with batch_first; all 2-D, without N, when unbatched) have
    the last dims of feature_sizes ((size, its name) for each) and `dtype`, and the masks
    fit (see _check_masks; unbatched, attn_mask may also be (num_heads, L, S))."""
    shapes = (f"query {format_shape(query.shape)}, key {format_shape(key.shape)}, "
              f"value {format_shape(value.shape)}")
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"{name}: expected query, key and value all 3-D (batched) or "
                         f"all 2-D (unbatched), got {shapes}")
    for label, tensor, (size, size_name) in zip(("query", "key", "value"),
                                                 (query, key, value), feature_sizes):
        if tensor.shape[-1] != size:
            raise ValueError(f"{name}: {label} must have {size_name} = {size} features "
                             f"in its last dim, got {shapes}")
        if tensor.dtype is not dtype:
            raise TypeError(f"{name}: {label} is {tensor.dtype.name} but the weights are "
                            f"{dtype.name}")
    if key.shape[:-1] != value.shape[:-1]:
        raise ValueError(f"{name}: key and value must share their sequence and batch "
                         f"dims, got {shapes}")
    batch_dim = 0 if batch_first else 1
    if query.ndim == 3 and query.shape[batch_dim] != key.shape[batch_dim]:
        raise ValueError(f"{name}: query and key must have the same batch size, got "
                         f"{shapes}" + (" (batch_first=True)" if batch_first else ""))
    if query.ndim == 2:
        batch, length, source_length = None, query.shape[0], key.shape[0]
    else:
        batch, length, source_length = (query.shape[batch_dim], query.shape[1 - batch_dim],
                                        key.shape[1 - batch_dim])
    _check_masks(name, shapes, dtype, num_heads, batch, length, source_length,
                 attn_mask, key_padding_mask, is_causal)


def _check_parameter(name, label, tensor, shape, dtype):
    """Raise, naming `name` and `label`, unless tensor is of `shape` and `dtype`."""
    if tuple(tensor.shape) != shape or tensor.dtype is not dtype:
        raise ValueError(f"{name}: expected {label} of shape {format_shape(shape)} and "
                         f"dtype {dtype.name}, got {tensor.dtype.name} "
                         f"{format_shape(tensor.shape)}")


def _in_projection_weights(name, embed_dim, key, value, in_proj_weight,
                           use_separate_proj_weight, q_proj_weight, k_proj_weight,
                           v_proj_weight):
    """(W_q, W_k, W_v): the chunks of in_proj_weight (3E, E), or the three separate
    weights (E, E), (E, kdim), (E, vdim); raise, naming `name`, if one is missing or of
    another shape or dtype than the key's."""
    dtype = key.dtype
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise ValueError(f"{name}: in_proj_weight is None but use_separate_proj_weight "
                             f"is False")
        _check_parameter(name, "in_proj_weight", in_proj_weight, (3 * embed_dim, embed_dim),
                         dtype)
        return functions.chunk(in_proj_weight, 3, 0)
    weights = (("q_proj_weight", q_proj_weight, embed_dim),
               ("k_proj_weight", k_proj_weight, key.shape[-1]),
               ("v_proj_weight", v_proj_weight, value.shape[-1]))
    for label, weight, size in weights:
        if weight is None:
            raise ValueError(f"{name}: {label} is None but use_separate_proj_weight is True")
        _check_parameter(name, label, weight, (embed_dim, size), dtype)
    return q_proj_weight, k_proj_weight, v_proj_weight


def _mask_bias(name, like, key_padding_mask, attn_mask, num_heads, batch, length,
               source_length):
    """The sum of MultiheadAttention's masks (bool True: masked out) as one additive float
    mask broadcasting to (N, num_heads, L, S), or None when there is none."""
    bias = None
    if attn_mask is not None:
        bias = _float_mask(attn_mask, True, like, "attn_mask", name)
        if bias.ndim == 3:
            bias = bias.reshape(batch, num_heads, length, source_length)
    if key_padding_mask is not None:
        padding = _float_mask(key_padding_mask, True, like, "key_padding_mask", name)
        padding = padding.reshape(batch, 1, 1, source_length)
        bias = padding if bias is None else bias + padding
    return bias


def _check_static(name, label, static, bias_k, expected_heads, head_dim, dtype):
    """Raise unless static (static_k or static_v) is (N * num_heads, S, head_dim) of
    dtype, given without bias_k/bias_v."""
    if bias_k is not None:
        raise ValueError(f"{name}: bias_k and bias_v cannot be added to a given {label}")
    if static.ndim != 3 or static.shape[0] != expected_heads or static.shape[2] != head_dim \
            or static.dtype is not dtype:
        raise ValueError(f"{name}: expected {label} of shape "
                         f"{expected_heads}xSx{head_dim} (N * num_heads, S, head_dim) and "
                         f"dtype {dtype.name}, got {static.dtype.name} "
                         f"{format_shape(static.shape)}")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """torch.nn.functional.multi_head_attention_forward, MultiheadAttention's
    computation (see that class) with every parameter passed in: (output, weights) for
    query (L, N, E), key (S, N, kdim), value (S, N, vdim) ((L, E), (S, kdim), (S, vdim)
    unbatched), E = embed_dim_to_check split over num_heads heads.

    In-projection: in_proj_weight (3E, E), or with use_separate_proj_weight the three
    q/k/v_proj_weight; in_proj_bias (3E,) or None. bias_k and bias_v (1, 1, E), given
    together, append one key and value after the projection; add_zero_attn appends a
    zero key and value to every head; the masks get a zero (attended) column for each.
    static_k / static_v (N * num_heads, S', head_dim) replace the projected keys /
    values. dropout_p drops attention weights when training. Masks, need_weights,
    average_attn_weights and is_causal as in MultiheadAttention.forward; a query row whose
    keys are all masked gets zero weights and output (torch: NaN). key_padding_mask is
    checked against key's S, not a static_k's.
    """
    name = "multi_head_attention_forward"
    dtype = out_proj_weight.dtype    # every tensor's, checked below
    if not dtype.is_floating_point:
        raise TypeError(f"{name}: expected floating point weights, got {dtype.name}")
    _check_positive_int(num_heads, "num_heads", name)
    if embed_dim_to_check % num_heads:
        raise ValueError(f"{name}: embed_dim {embed_dim_to_check} must be divisible by "
                         f"num_heads {num_heads}")
    separate = use_separate_proj_weight
    key_features = k_proj_weight.shape[-1] if separate and k_proj_weight is not None \
        else embed_dim_to_check
    value_features = v_proj_weight.shape[-1] if separate and v_proj_weight is not None \
        else embed_dim_to_check
    _check_attention_inputs(
        name, query, key, value, ((embed_dim_to_check, "embed_dim_to_check"),
                                  (key_features, "the key projection's input size"),
                                  (value_features, "the value projection's input size")),
        dtype, num_heads, key_padding_mask, attn_mask, is_causal)
    embed_dim, head_dim = embed_dim_to_check, embed_dim_to_check // num_heads
    weights = _in_projection_weights(name, embed_dim, key, value, in_proj_weight, separate,
                                     q_proj_weight, k_proj_weight, v_proj_weight)
    if in_proj_bias is not None:
        _check_parameter(name, "in_proj_bias", in_proj_bias, (3 * embed_dim,), dtype)
    _check_parameter(name, "out_proj_weight", out_proj_weight, (embed_dim, embed_dim), dtype)
    if out_proj_bias is not None:
        _check_parameter(name, "out_proj_bias", out_proj_bias, (embed_dim,), dtype)
    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{name}: give bias_k and bias_v together, or neither")
    for label, extra in (("bias_k", bias_k), ("bias_v", bias_v)):
        if extra is not None:
            _check_parameter(name, label, extra, (1, 1, embed_dim), dtype)
    batched = query.ndim == 3
    batch = query.shape[1] if batched else 1
    for label, static in (("static_k", static_k), ("static_v", static_v)):
        if static is not None:
            _check_static(name, label, static, bias_k, batch * num_heads, head_dim, dtype)
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{name}: dropout_p must be between 0 and 1, got {dropout_p!r}")

    if not batched:
        query, key, value = (x.unsqueeze(1) for x in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    query, key, value = (x.transpose(0, 1) for x in (query, key, value))   # (N, T, *)
    length, source_length = query.shape[1], key.shape[1]
    biases = (functions.chunk(in_proj_bias, 3, 0) if in_proj_bias is not None
              else (None,) * 3)
    q, k, v = (F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))
    bias = _mask_bias(name, query, key_padding_mask, attn_mask, num_heads, batch, length,
                      source_length)
    appended = 0    # keys added after the masks were made: each gets a zero mask column
    if bias_k is not None:
        k = functions.cat([k, bias_k.expand(batch, 1, embed_dim)], 1)
        v = functions.cat([v, bias_v.expand(batch, 1, embed_dim)], 1)
        appended += 1

    def heads(x):    # (N, T, E) -> (N, num_heads, T, head_dim)
        return x.reshape(batch, x.shape[1], num_heads, head_dim).transpose(1, 2)

    def static_heads(x):    # (N * num_heads, T, head_dim) -> (N, num_heads, T, head_dim)
        return x.reshape(batch, num_heads, x.shape[1], head_dim)
    q = heads(q)
    k = heads(k) if static_k is None else static_heads(static_k)
    v = heads(v) if static_v is None else static_heads(static_v)
    if add_zero_attn:
        zeros = creation.zeros(batch, num_heads, 1, head_dim, dtype=dtype,
                               backend=query.backend)
        k, v = functions.cat([k, zeros], 2), functions.cat([v, zeros], 2)
        appended += 1
    if bias is not None and appended:
        bias = F.pad(bias, (0, appended))
    output, attention = _attend(q, k, v, bias, dropout_p if training else 0.0,
                                1.0 / math.sqrt(head_dim))
    output = F.linear(output.transpose(1, 2).reshape(batch, length, embed_dim),
                      out_proj_weight, out_proj_bias).transpose(0, 1)
    if average_attn_weights:
        attention = attention.mean(1)
    if not batched:
        output, attention = output.squeeze(1), attention.squeeze(0)
    return output, (attention if need_weights else None)


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under the name torch gives MultiheadAttention's out_proj (torch's
    quantization tools skip modules of this class), so that reprs match torch's."""


class MultiheadAttention(Module):
    """Attention over num_heads heads of size head_dim = embed_dim / num_heads:

        Q = query W_q^T + b_q,  K = key W_k^T + b_k,  V = value W_v^T + b_v
        head_h = softmax(Q_h K_h^T / sqrt(head_dim) + mask) V_h
        output = concat(head_1 .. head_H) W_o^T + b_o

    Parameters (torch's names and shapes): in_proj_weight (3E, E) holding W_q, W_k, W_v
    stacked, when kdim == vdim == embed_dim; otherwise q_proj_weight (E, E), k_proj_weight
    (E, kdim), v_proj_weight (E, vdim) (in_proj_weight None). With bias, in_proj_bias
    (3E,) holds b_q, b_k, b_v. out_proj is a Linear(E, E) (keys out_proj.weight,
    out_proj.bias). Initialised as torch: xavier_uniform_ on the projection weights, zero
    biases, out_proj.weight as Linear's default. add_bias_kv adds bias_k and bias_v
    (1, 1, E) (xavier_normal_), one more key and value; add_zero_attn appends a zero key
    and value after them. Dropout (training only) applies to the attention weights.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, dtype=None,
                 backend=None):
        super().__init__()
        name = type(self).__name__
        _check_positive_int(embed_dim, "embed_dim", name)
        _check_positive_int(num_heads, "num_heads", name)
        if embed_dim % num_heads:
            raise ValueError(f"{name}: embed_dim {embed_dim} must be divisible by num_heads "
                             f"{num_heads}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be between 0 and 1, got {dropout!r}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, \
            embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        _check_positive_int(self.kdim, "kdim", name)
        _check_positive_int(self.vdim, "vdim", name)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = float(dropout), batch_first

        def parameter(*shape):
            return Parameter(creation.empty(*shape, dtype=dtype, backend=backend))
        packed = self._qkv_same_embed_dim
        self.register_parameter("in_proj_weight",
                                parameter(3 * embed_dim, embed_dim) if packed else None)
        for prefix, size in (("q", embed_dim), ("k", self.kdim), ("v", self.vdim)):
            self.register_parameter(f"{prefix}_proj_weight",
                                    None if packed else parameter(embed_dim, size))
        self.register_parameter("in_proj_bias", parameter(3 * embed_dim) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype, backend=backend)
        if add_bias_kv:
            self.bias_k, self.bias_v = parameter(1, 1, embed_dim), parameter(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self.reset_parameters()

    def reset_parameters(self):
        """torch's: xavier_uniform_ on in_proj_weight (or on each of q/k/v_proj_weight),
        zeros on in_proj_bias and out_proj.bias; out_proj.weight as Linear's default."""
        self.out_proj.reset_parameters()
        for weight in self._projection_weights():
            init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _projection_weights(self):
        if self._qkv_same_embed_dim:
            return (self.in_proj_weight,)
        return self.q_proj_weight, self.k_proj_weight, self.v_proj_weight

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """(output, weights): output (L, N, E) ((N, L, E) with batch_first; (L, E)
        unbatched) for query (L, N, E), key (S, N, kdim) and value (S, N, vdim) (same
        layouts); weights (N, L, S) averaged over the heads, or (N, num_heads, L, S) with
        average_attn_weights=False (unbatched: without N), or None unless need_weights.

        key_padding_mask (N, S) ((S,) unbatched) and attn_mask (L, S) or
        (N * num_heads, L, S): bool True where a key is masked out, or float masks added
        to the scores. is_causal=True is torch's hint that attn_mask is the causal mask,
        which must be given as well. The computation is multi_head_attention_forward's.
        """
        batch_first = self.batch_first and query.ndim == 3
        _check_attention_inputs(
            type(self).__name__, query, key, value,
            ((self.embed_dim, "embed_dim"), (self.kdim, "kdim"), (self.vdim, "vdim")),
            self.out_proj.weight.dtype, self.num_heads, key_padding_mask, attn_mask,
            is_causal, batch_first)
        if batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        output, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight,
            self.out_proj.bias, training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        return (output.transpose(0, 1) if batch_first else output), weights


# ---- Transformer layers -----------------------------------------------------------------

_ACTIVATIONS = {"relu": lambda x: F.relu(x), "gelu": lambda x: F.gelu(x)}


def _activation_function(activation, layer_name):
    """The callable for 'relu' or 'gelu'; a callable as it is."""
    if callable(activation):
        return activation
    if activation not in _ACTIVATIONS:
        raise ValueError(f"{layer_name}: activation should be 'relu' or 'gelu' (or a "
                         f"callable), got {activation!r}")
    return _ACTIVATIONS[activation]


def _check_sequences(layer_name, d_model, batch_first, sequences, dtype=None):
    """(batch, lengths, described) of the sequences {name: tensor}, each (T, N, E)
    ((N, T, E) with batch_first; (T, E) unbatched, batch None); described names every
    shape, for messages. Raise, naming the layer and the shapes, unless all have the same
    rank, batch size and dtype (dtype, the weights', when given), and E = d_model."""
    described = ", ".join(f"{name} {format_shape(x.shape)}" for name, x in sequences.items())
    names = " and ".join(sequences)
    tensors = list(sequences.values())
    rank = tensors[0].ndim
    if rank not in (2, 3) or any(x.ndim != rank for x in tensors):
        raise ValueError(f"{layer_name}: expected {names} of one rank, 3 (batched) or 2 "
                         f"(unbatched), got {described}")
    expected = dtype or tensors[0].dtype
    if any(x.dtype is not expected for x in tensors):
        raise TypeError(f"{layer_name}: expected {names} of dtype {expected.name}"
                        + (" (the weights')" if dtype else "") + ", got "
                        + ", ".join(f"{name} {x.dtype.name}" for name, x in sequences.items()))
    if any(x.shape[-1] != d_model for x in tensors):
        raise ValueError(f"{layer_name}: expected d_model = {d_model} features in the last "
                         f"dim, got {described}")
    if rank == 2:
        return None, [x.shape[0] for x in tensors], described
    batch_dim = 0 if batch_first else 1
    if len({x.shape[batch_dim] for x in tensors}) > 1:
        raise ValueError(f"{layer_name}: {names} must have the same batch size, got "
                         f"{described}" + (" (batch_first=True)" if batch_first else ""))
    return tensors[0].shape[batch_dim], [x.shape[1 - batch_dim] for x in tensors], described


def _build_sublayers(layer, attention_names, d_model, nhead, dim_feedforward, dropout,
                     activation, layer_norm_eps, batch_first, norm_first, bias, factory):
    """Give a Transformer layer its submodules, in torch's registration order (which is
    its state-dict order): one MultiheadAttention per name in attention_names, linear1,
    dropout, linear2, then norm1.. and dropout1.., one per sublayer (each attention and
    the feed-forward block)."""
    activation = _activation_function(activation, type(layer).__name__)
    for name in attention_names:
        setattr(layer, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                batch_first=batch_first, **factory))
    layer.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
    layer.dropout = Dropout(dropout)
    layer.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
    layer.norm_first = norm_first
    sublayers = range(1, len(attention_names) + 2)
    for index in sublayers:
        setattr(layer, f"norm{index}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias,
                                                 **factory))
    for index in sublayers:
        setattr(layer, f"dropout{index}", Dropout(dropout))
    layer.activation = activation


def _residual(x, block, norm, norm_first):
    """A sublayer with its residual connection: x + block(norm(x)) with norm_first
    (pre-norm), else norm(x + block(x))."""
    if norm_first:
        return x + block(norm(x))
    return norm(x + block(x))


def _attention_block(attention, dropout, x, memory, attn_mask, key_padding_mask, is_causal):
    """dropout(attention(x, memory, memory)), the attention weights not computed."""
    return dropout(attention(x, memory, memory, attn_mask=attn_mask,
                             key_padding_mask=key_padding_mask, need_weights=False,
                             is_causal=is_causal)[0])


def _feed_forward_block(layer, x, dropout):
    """dropout(linear2(dropout(activation(linear1(x))))) with the layer's linear1,
    activation, inner dropout and linear2."""
    return dropout(layer.linear2(layer.dropout(layer.activation(layer.linear1(x)))))


def _clones(layer, num_layers, owner_name):
    """A ModuleList of num_layers deep copies of layer."""
    _check_positive_int(num_layers, "num_layers", owner_name)
    return ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with a residual connection and a
    LayerNorm (torch's names: self_attn, linear1, dropout, linear2, norm1, norm2,
    dropout1, dropout2):

        norm_first=False:  x = norm1(x + sa(x));        x = norm2(x + ff(x))
        norm_first=True:   x = x + sa(norm1(x));        x = x + ff(norm2(x))

    with sa(x) = dropout1(self_attn(x, x, x)) and ff(x) = dropout2(linear2(dropout(
    activation(linear1(x))))). activation is 'relu', 'gelu' or a callable.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 dtype=None, backend=None):
        super().__init__()
        _build_sublayers(self, ("self_attn",), d_model, nhead, dim_feedforward, dropout,
                         activation, layer_norm_eps, batch_first, norm_first, bias,
                         dict(dtype=dtype, backend=backend))
        # torch's flag, read by TransformerEncoder: 1 relu, 2 gelu, 0 any other activation
        self.activation_relu_or_gelu = (
            1 if activation in ("relu", F.relu) or isinstance(activation, ReLU) else
            2 if activation in ("gelu", F.gelu) or isinstance(activation, GELU) else 0)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """src (S, N, E) ((N, S, E) with batch_first; (S, E) unbatched) to the same shape;
        src_mask (S, S) or (N * nhead, S, S) and src_key_padding_mask (N, S) ((S,)
        unbatched) as MultiheadAttention's attn_mask and key_padding_mask."""
        name, attention = type(self).__name__, self.self_attn
        batch, (length,), described = _check_sequences(
            name, attention.embed_dim, attention.batch_first, {"src": src},
            self.linear1.weight.dtype)
        _check_masks(name, described, src.dtype, attention.num_heads, batch, length, length,
                     src_mask, src_key_padding_mask, is_causal,
                     ("src_mask", "src_key_padding_mask", "is_causal"))
        x = _residual(src, lambda x: _attention_block(
            self.self_attn, self.dropout1, x, x, src_mask, src_key_padding_mask, is_causal),
            self.norm1, self.norm_first)
        return _residual(x, lambda x: _feed_forward_block(self, x, self.dropout2), self.norm2,
                         self.norm_first)


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention from the target to the encoder's output
    (memory), then a feed-forward block, each with a residual connection and a LayerNorm
    (torch's names: self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2,
    norm3, dropout1, dropout2, dropout3):

        norm_first=False:  x = norm1(x + sa(x)); x = norm2(x + ca(x)); x = norm3(x + ff(x))
        norm_first=True:   x = x + sa(norm1(x)); x = x + ca(norm2(x)); x = x + ff(norm3(x))

    with sa(x) = dropout1(self_attn(x, x, x)), ca(x) = dropout2(multihead_attn(x, memory,
    memory)) and ff(x) = dropout3(linear2(dropout(activation(linear1(x))))). activation
    is 'relu', 'gelu' or a callable.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 dtype=None, backend=None):
        super().__init__()
        _build_sublayers(self, ("self_attn", "multihead_attn"), d_model, nhead,
                         dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                         norm_first, bias, dict(dtype=dtype, backend=backend))

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        """tgt (T, N, E) and memory (S, N, E) ((N, T, E), (N, S, E) with batch_first; (T, E),
        (S, E) unbatched) to tgt's shape. As MultiheadAttention's attn_mask and
        key_padding_mask: tgt_mask (T, T) or (N * nhead, T, T) and tgt_key_padding_mask
        (N, T) for the self-attention, memory_mask (T, S) or (N * nhead, T, S) and
        memory_key_padding_mask (N, S) for the attention to memory (unbatched: no N).
        *_is_causal=True is a hint that the matching mask is causal; the mask must be
        given."""
        self._check(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                    memory_key_padding_mask, tgt_is_causal, memory_is_causal)
        x = _residual(tgt, lambda x: _attention_block(
            self.self_attn, self.dropout1, x, x, tgt_mask, tgt_key_padding_mask,
            tgt_is_causal), self.norm1, self.norm_first)
        x = _residual(x, lambda x: _attention_block(
            self.multihead_attn, self.dropout2, x, memory, memory_mask,
            memory_key_padding_mask, memory_is_causal), self.norm2, self.norm_first)
        return _residual(x, lambda x: _feed_forward_block(self, x, self.dropout3), self.norm3,
                         self.norm_first)

    def _check(self, tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
               memory_key_padding_mask, tgt_is_causal, memory_is_causal):
        """Raise, naming the layer, the argument and the shapes, unless the inputs fit (see
        forward)."""
        name, attention = type(self).__name__, self.self_attn
        batch, (length, memory_length), described = _check_sequences(
            name, attention.embed_dim, attention.batch_first, {"tgt": tgt, "memory": memory},
            self.linear1.weight.dtype)
        _check_masks(name, described, tgt.dtype, attention.num_heads, batch, length, length,
                     tgt_mask, tgt_key_padding_mask, tgt_is_causal,
                     ("tgt_mask", "tgt_key_padding_mask", "tgt_is_causal"))
        _check_masks(name, described, tgt.dtype, attention.num_heads, batch, length,
                     memory_length, memory_mask, memory_key_padding_mask, memory_is_causal,
                     ("memory_mask", "memory_key_padding_mask", "memory_is_causal"))


# ---- stacks and the Transformer ---------------------------------------------------------

class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer (in `layers`) applied in turn, then `norm`
    when given.

    torch runs inference with a padding mask through nested tensors, which changes the
    result, so minitorch reproduces it: when use_nested_tensor (enable_nested_tensor and
    a layer torch's fast path takes; the constructor warns as torch does when it is not)
    and backends.mha.get_fastpath_enabled(),
    the first layer is in eval mode, src is batched, src_key_padding_mask is given, mask
    is not, and no gradient is needed (autograd off, or neither src nor the first layer's
    weights require one), each sequence keeps its first n tokens, n the number of
    unpadded ones (with mask_check, only when the unpadded ones come first; else the
    ordinary path runs), and the output is 0 at the positions after them, before norm."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, type(self).__name__)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why_not}", stacklevel=2)
        self.use_nested_tensor = enable_nested_tensor and not why_not
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        """src through every layer with the same mask, src_key_padding_mask and is_causal
        (see TransformerEncoderLayer.forward; is_causal None is False), then through
        norm; zeros at the padded positions when torch takes its nested-tensor path (see
        the class)."""
        padded = self._nested_padding(src, mask, src_key_padding_mask)
        if padded is not None:
            src_key_padding_mask = padded
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                           is_causal=bool(is_causal))
        if padded is not None:
            output = functions.masked_fill(output, padded.unsqueeze(-1), 0.0)
        return output if self.norm is None else self.norm(output)

    def _nested_padding(self, src, mask, key_padding_mask):
        """The (N, S) bool padding of the nested tensor torch would build (True from each
        sequence's length on), or None when torch would not build one."""
        first = self.layers[0]
        if (not self.use_nested_tensor or not backends.mha.get_fastpath_enabled()
                or first.training or src.ndim != 3 or mask is not None
                or key_padding_mask is None
                or tuple(key_padding_mask.shape) != tuple(src.shape[:2])):
            return None
        attention = first.self_attn
        weights = (src, attention.in_proj_weight, attention.in_proj_bias,
                   attention.out_proj.weight, attention.out_proj.bias, first.norm1.weight,
                   first.norm1.bias, first.norm2.weight, first.norm2.bias,
                   first.linear1.weight, first.linear1.bias, first.linear2.weight,
                   first.linear2.bias)
        if is_grad_enabled() and any(t.requires_grad for t in weights):
            return None
        kept = ~key_padding_mask if key_padding_mask.dtype is bool_ else key_padding_mask == 0
        positions = creation.arange(src.shape[1], backend=src.backend)
        padded = positions.unsqueeze(0) >= kept.sum(1).unsqueeze(1)
        if self.mask_check and not bool(functions.equal(padded, ~kept)):
            return None
        return padded


def _why_not_nested(layer):
    """Why torch's TransformerEncoder would not use nested tensors with encoder layers
    like `layer` ('' when it would): its checks, in its order and words."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    attention = layer.self_attn
    for failed, reason in (
            (layer.norm_first, "norm_first was True"),
            (not attention.batch_first, "self_attn.batch_first was not True(use batch_first "
                                        "for better inference performance)"),
            (not attention._qkv_same_embed_dim, "self_attn._qkv_same_embed_dim was not True"),
            (attention.in_proj_bias is None, "self_attn was passed bias=False"),
            (not layer.activation_relu_or_gelu, "activation_relu_or_gelu was not True"),
            (layer.norm1.eps != layer.norm2.eps, "norm1.eps was not equal to "
                                                 f"{name}.norm2.eps"),
            (attention.num_heads % 2 == 1, "self_attn.num_heads is odd")):
        if failed:
            return f"{name}.{reason}"
    return ""


class TransformerDecoder(Module):
    """num_layers deep copies of decoder_layer (in `layers`) applied in turn, each
    attending to the same memory, then `norm` when given."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, type(self).__name__)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        """tgt through every layer with the same memory and masks (see
        TransformerDecoderLayer.forward; tgt_is_causal None is False), then through norm."""
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=bool(tgt_is_causal),
                           memory_is_causal=memory_is_causal)
        return output if self.norm is None else self.norm(output)


class Transformer(Module):
    """The encoder-decoder Transformer: `encoder` (num_encoder_layers
    TransformerEncoderLayers, then a LayerNorm) reads src into a memory, which `decoder`
    (num_decoder_layers TransformerDecoderLayers, then a LayerNorm) attends to while
    reading tgt. custom_encoder / custom_decoder replace either stack. Every parameter of
    more than one dim (those of custom stacks too) is initialised by xavier_uniform_, as
    torch's is.
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, dtype=None, backend=None):
        super().__init__()
        factory = dict(dtype=dtype, backend=backend)
        layer_arguments = (d_model, nhead, dim_feedforward, dropout, activation,
                           layer_norm_eps, batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*layer_arguments, **factory), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*layer_arguments, **factory), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        """The decoder's output, of tgt's shape, for src (S, N, E) and tgt (T, N, E)
        ((N, S, E), (N, T, E) with batch_first; (S, E), (T, E) unbatched). src_mask
        (S, S) and src_key_padding_mask (N, S) go to the encoder; tgt_mask (T, T),
        memory_mask (T, S), tgt_key_padding_mask (N, T) and memory_key_padding_mask
        (N, S) to the decoder (see TransformerDecoderLayer.forward)."""
        _check_sequences(type(self).__name__, self.d_model, self.batch_first,
                         {"src": src, "tgt": tgt})
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None, backend=None):
        """The (sz, sz) causal float mask: -inf above the diagonal (no query attends to a
        later position), 0 on and below it."""
        filled = creation.full((sz, sz), -math.inf, dtype=dtype, backend=backend,
                               device=device)
        return functions.triu(filled, 1)

    def _reset_parameters(self):
        """xavier_uniform_ on every parameter of more than one dim."""
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)
