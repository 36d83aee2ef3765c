"""linalg.ldl_factor / ldl_factor_ex / ldl_solve, nn.functional.multi_head_attention_forward,
nn.CrossMapLRN2d and minitorch.embedding_bag checked against torch on the numpy and c
backends: values (LAPACK's LD and pivots exactly), gradients where torch has them,
non-contiguous inputs, reprs and state dicts, and errors."""
import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn.functional as F
from minitorch import nn
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

DTYPES = ("float32", "float64")
SOLVE_TOLERANCE = {"float32": dict(rtol=1e-3, atol=1e-4),
                   "float64": dict(rtol=1e-9, atol=1e-10)}


def pair(array, grad=True):
    """array as a (minitorch, torch) pair of leaves (float arrays require grad)."""
    grad = grad and array.dtype.kind == "f"
    return (minitorch.tensor(array, requires_grad=grad),
            torch.tensor(array, requires_grad=grad))


def symmetric(shape, dtype, seed, dominant=False):
    a = normal(shape, dtype, seed)
    a = a + np.swapaxes(a, -1, -2)
    if dominant:
        a = a + 3 * shape[-1] * np.eye(shape[-1], dtype=dtype)
    return a


def assert_equal(ours, theirs):
    """An int64 minitorch tensor equal to a torch integer tensor."""
    assert ours.dtype.name == "int64"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---- LDL^T ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, dominant", [((1, 1), False), ((4, 4), True), ((5, 5), False),
                                             ((6, 6), False), ((3, 2, 5, 5), False)])
def test_ldl_factor_is_lapacks(backend, dtype, shape, dominant):
    """Same LD, pivots (2x2 blocks included: negative pairs) and info as torch."""
    for seed in range(4):
        a = symmetric(shape, dtype, seed, dominant)
        ours = minitorch.linalg.ldl_factor_ex(minitorch.tensor(a))
        theirs = torch.linalg.ldl_factor_ex(torch.tensor(a))
        assert_close(ours.LD, theirs.LD, dtype)
        assert_equal(ours.pivots, theirs.pivots)
        assert_equal(ours.info, theirs.info)
        LD, pivots = minitorch.linalg.ldl_factor(minitorch.tensor(a), hermitian=True)
        assert_close(LD, theirs.LD, dtype)


def test_ldl_factor_uses_two_by_two_blocks(backend):
    """This matrix needs a 2x2 pivot: LAPACK marks both its columns with -2."""
    a = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 2.0], [0.5, 2.0, 1.0]])
    ours = minitorch.linalg.ldl_factor(minitorch.tensor(a))
    theirs = torch.linalg.ldl_factor(torch.tensor(a))
    assert (theirs.pivots < 0).any()
    assert_close(ours.LD, theirs.LD, "float64")
    assert_equal(ours.pivots, theirs.pivots)


def test_ldl_factor_reads_the_lower_triangle_of_a_view(backend):
    a = symmetric((5, 5), "float64", 3)
    garbage = np.triu(normal((5, 5), "float64", 9), 1)
    transposed = minitorch.tensor(np.ascontiguousarray((np.tril(a) + garbage).T)).mT
    assert not transposed.is_contiguous()
    ours = minitorch.linalg.ldl_factor(transposed)
    theirs = torch.linalg.ldl_factor(torch.tensor(np.tril(a) + garbage))
    assert_close(ours.LD, theirs.LD, "float64")
    assert_equal(ours.pivots, theirs.pivots)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, rhs", [((5, 5), (5, 3)), ((2, 4, 4), (2, 4, 2)),
                                        ((6, 6), (6, 1))])
def test_ldl_solve(backend, dtype, shape, rhs):
    """Our solve from our factors and from torch's factors equals torch's solve."""
    for seed in range(3):
        a, b = symmetric(shape, dtype, seed), normal(rhs, dtype, seed + 10)
        LD, pivots = minitorch.linalg.ldl_factor(minitorch.tensor(a))
        t_LD, t_pivots = torch.linalg.ldl_factor(torch.tensor(a))
        expected = torch.linalg.ldl_solve(t_LD, t_pivots, torch.tensor(b))
        for factors in ((LD, pivots), (minitorch.tensor(t_LD.numpy()),
                                       minitorch.tensor(t_pivots.numpy().astype(np.int64)))):
            solution = minitorch.linalg.ldl_solve(*factors, minitorch.tensor(b))
            np.testing.assert_allclose(solution.numpy(), expected.numpy(),
                                       **SOLVE_TOLERANCE[dtype])
        np.testing.assert_allclose(a @ solution.numpy(), b, **SOLVE_TOLERANCE[dtype])


def test_ldl_solve_transposed_right_hand_side(backend):
    a, b = symmetric((4, 4), "float64", 1), normal((2, 4), "float64", 2)
    LD, pivots = minitorch.linalg.ldl_factor(minitorch.tensor(a))
    solution = minitorch.linalg.ldl_solve(LD, pivots, minitorch.tensor(b).mT)
    np.testing.assert_allclose(solution.numpy(), np.linalg.solve(a, b.T), rtol=1e-10)


def test_ldl_singular():
    zeros = np.zeros((3, 3))
    ours = minitorch.linalg.ldl_factor_ex(minitorch.tensor(zeros))
    theirs = torch.linalg.ldl_factor_ex(torch.tensor(zeros))
    assert_close(ours.LD, theirs.LD, "float64")
    assert_equal(ours.pivots, theirs.pivots)
    assert_equal(ours.info, theirs.info)
    with pytest.raises(minitorch.linalg.LinAlgError, match="linalg.ldl_factor: D has a zero"):
        minitorch.linalg.ldl_factor(minitorch.tensor(zeros))
    with pytest.raises(minitorch.linalg.LinAlgError, match="ldl_factor_ex: D has a zero"):
        minitorch.linalg.ldl_factor_ex(minitorch.tensor(zeros), check_errors=True)


def _factors():
    return minitorch.linalg.ldl_factor(minitorch.tensor(symmetric((3, 3), "float64", 0)))


@pytest.mark.parametrize("call, error, message", [
    (lambda: minitorch.linalg.ldl_factor(minitorch.zeros(3, 4)), ValueError,
     "ldl_factor: expected a .*square"),
    (lambda: minitorch.linalg.ldl_factor(minitorch.zeros(3)), ValueError,
     "ldl_factor: expected a .*at least 2 dims"),
    (lambda: minitorch.linalg.ldl_factor_ex(minitorch.zeros(3, 3, dtype="int64")), TypeError,
     "ldl_factor_ex: expected a floating-point"),
    (lambda: minitorch.linalg.ldl_solve(_factors()[0], minitorch.tensor([1, 2]),
                                        minitorch.zeros(3, 1, dtype="float64")), ValueError,
     "ldl_solve: pivots must be int64 of shape 3"),
    (lambda: minitorch.linalg.ldl_solve(_factors()[0], minitorch.tensor([1, 2, 4]),
                                        minitorch.zeros(3, 1, dtype="float64")), ValueError,
     r"ldl_solve: pivots must lie in \[1, 3\]"),
    (lambda: minitorch.linalg.ldl_solve(*_factors(), minitorch.zeros(4, 1, dtype="float64")),
     ValueError, "ldl_solve: B 4x1 does not match LD 3x3"),
    (lambda: minitorch.linalg.ldl_solve(*_factors(), minitorch.zeros(3, 1)), TypeError,
     "ldl_solve"),
])
def test_ldl_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- multi_head_attention_forward -------------------------------------------------------

L, S, N, E, HEADS, KDIM = 4, 5, 3, 8, 2, 6


def _mha_arguments(dtype, batched, separate, extras, seed=0):
    """(ours, theirs): the positional and keyword arguments of
    multi_head_attention_forward for both libraries, the leaves that require grad last."""
    def shape(length, features):
        return (length, N, features) if batched else (length, features)
    kdim = KDIM if separate else E
    arrays = dict(query=shape(L, E), key=shape(S, kdim), value=shape(S, kdim),
                  in_proj_bias=(3 * E,), out_proj_weight=(E, E), out_proj_bias=(E,))
    if separate:
        arrays.update(q_proj_weight=(E, E), k_proj_weight=(E, kdim), v_proj_weight=(E, kdim))
    else:
        arrays.update(in_proj_weight=(3 * E, E))
    if extras:
        arrays.update(bias_k=(1, 1, E), bias_v=(1, 1, E))
    leaves = {name: pair(normal(size, dtype, seed + i)) for i, (name, size)
              in enumerate(arrays.items())}
    rng = np.random.default_rng(seed)
    masks = dict(attn_mask=normal((L, S), dtype, seed + 50),
                 key_padding_mask=rng.random((N, S) if batched else (S,)) < 0.3)
    result = []
    for side in (0, 1):
        def get(name):
            return leaves[name][side] if name in leaves else None
        lib = (minitorch, torch)[side]
        positional = (get("query"), get("key"), get("value"), E, HEADS,
                      get("in_proj_weight"), get("in_proj_bias"), get("bias_k"),
                      get("bias_v"), extras, 0.0, get("out_proj_weight"),
                      get("out_proj_bias"))
        keywords = dict(use_separate_proj_weight=separate, q_proj_weight=get("q_proj_weight"),
                        k_proj_weight=get("k_proj_weight"),
                        v_proj_weight=get("v_proj_weight"),
                        **{name: lib.tensor(mask) for name, mask in masks.items()})
        result.append((positional, keywords, [leaf[side] for leaf in leaves.values()]))
    return result


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("separate, extras", [(False, False), (True, False), (False, True),
                                              (True, True)])
def test_multi_head_attention_forward(backend, dtype, batched, separate, extras):
    """Outputs, weights (averaged and per head) and every gradient equal torch's, with
    packed or separate projections, bias_k/bias_v and add_zero_attn, and both masks."""
    ours, theirs = _mha_arguments(dtype, batched, separate, extras)
    average = not extras
    output, weights = F.multi_head_attention_forward(*ours[0], **ours[1],
                                                     average_attn_weights=average)
    t_output, t_weights = torch.nn.functional.multi_head_attention_forward(
        *theirs[0], **theirs[1], average_attn_weights=average)
    check_backward([(output, t_output), (weights, t_weights)], ours[2], theirs[2], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_multi_head_attention_forward_static_kv_and_no_weights(backend, dtype):
    """static_k/static_v replace the projected keys and values; need_weights=False gives
    None; a transposed (non-contiguous) query works."""
    ours, theirs = _mha_arguments(dtype, True, False, False, seed=3)
    static = normal((N * HEADS, S + 2, E // HEADS), dtype, 7), \
        normal((N * HEADS, S + 2, E // HEADS), dtype, 8)
    static_ours, static_theirs = zip(*(pair(array) for array in static))
    query = normal((N, L, E), dtype, 9)
    for keywords in (ours[1], theirs[1]):     # masks are of key's length, not static_k's
        del keywords["key_padding_mask"], keywords["attn_mask"]
    query_ours = minitorch.tensor(query, requires_grad=True)
    query_theirs = torch.tensor(query, requires_grad=True)
    assert not query_ours.transpose(0, 1).is_contiguous()
    output, weights = F.multi_head_attention_forward(
        query_ours.transpose(0, 1), *ours[0][1:], **ours[1], static_k=static_ours[0],
        static_v=static_ours[1], need_weights=False)
    t_output, _ = torch.nn.functional.multi_head_attention_forward(
        query_theirs.transpose(0, 1), *theirs[0][1:], **theirs[1], static_k=static_theirs[0],
        static_v=static_theirs[1], need_weights=False)
    assert weights is None
    check_backward([(output, t_output)], (query_ours,) + static_ours,
                   (query_theirs,) + static_theirs, dtype)


def test_multi_head_attention_forward_dropout_only_when_training():
    ours, _ = _mha_arguments("float64", True, False, False)
    positional = ours[0][:10] + (0.9,) + ours[0][11:]
    evaluated = F.multi_head_attention_forward(*positional, **ours[1], training=False)
    reference = F.multi_head_attention_forward(*ours[0], **ours[1])
    np.testing.assert_allclose(evaluated[0].detach().numpy(), reference[0].detach().numpy())
    trained = F.multi_head_attention_forward(*positional, **ours[1], training=True)
    assert not np.allclose(trained[1].detach().numpy(), reference[1].detach().numpy())


def test_module_routes_through_the_functional_form(backend):
    """MultiheadAttention (batch_first, kdim) gives what the functional form gives with its
    parameters."""
    module = nn.MultiheadAttention(E, HEADS, kdim=KDIM, vdim=KDIM, batch_first=True,
                                   dtype="float64")
    query = minitorch.tensor(normal((N, L, E), "float64", 1))
    key = minitorch.tensor(normal((N, S, KDIM), "float64", 2))
    output, weights = module(query, key, key)
    expected = F.multi_head_attention_forward(
        query.transpose(0, 1), key.transpose(0, 1), key.transpose(0, 1), E, HEADS, None,
        module.in_proj_bias, None, None, False, 0.0, module.out_proj.weight,
        module.out_proj.bias, use_separate_proj_weight=True,
        q_proj_weight=module.q_proj_weight, k_proj_weight=module.k_proj_weight,
        v_proj_weight=module.v_proj_weight)
    np.testing.assert_allclose(output.detach().numpy(),
                               expected[0].transpose(0, 1).detach().numpy())
    np.testing.assert_allclose(weights.detach().numpy(), expected[1].detach().numpy())


def _mha_call(**changes):
    ours, _ = _mha_arguments("float32", True, False, False)
    names = ("query", "key", "value", "embed_dim_to_check", "num_heads", "in_proj_weight",
             "in_proj_bias", "bias_k", "bias_v", "add_zero_attn", "dropout_p",
             "out_proj_weight", "out_proj_bias")
    arguments = {**dict(zip(names, ours[0])), **ours[1], **changes}
    return lambda: F.multi_head_attention_forward(**arguments)


@pytest.mark.parametrize("call, error, message", [
    (_mha_call(embed_dim_to_check=6), ValueError,
     "multi_head_attention_forward: query must have embed_dim_to_check = 6"),
    (_mha_call(num_heads=3), ValueError, "embed_dim 8 must be divisible by num_heads 3"),
    (_mha_call(bias_k=minitorch.zeros(1, 1, E)), ValueError, "bias_k and bias_v together"),
    (_mha_call(in_proj_weight=None), ValueError, "in_proj_weight is None"),
    (_mha_call(in_proj_weight=minitorch.zeros(E, E)), ValueError,
     "expected in_proj_weight of shape 24x8"),
    (_mha_call(static_k=minitorch.zeros(N, S, E)), ValueError,
     r"expected static_k of shape 6xSx4"),
    (_mha_call(dropout_p=1.5), ValueError, "dropout_p must be between 0 and 1"),
    (_mha_call(query=minitorch.zeros(L, E)), ValueError, "all 3-D .* or all 2-D"),
    (_mha_call(attn_mask=minitorch.zeros(S, L)), ValueError, "attn_mask of shape 4x5"),
    (_mha_call(query=minitorch.zeros(L, N, E, dtype="float64")), TypeError,
     "query is float64"),
])
def test_multi_head_attention_forward_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- CrossMapLRN2d ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size, channels", [(2, 4), (3, 7), (4, 6), (5, 9), (6, 3)])
def test_cross_map_lrn2d(backend, dtype, size, channels):
    """torch's forward and its hand-written backward, window quirks included."""
    ours, theirs = pair(normal((2, channels, 3, 4), dtype, size))
    arguments = (size, 0.5, 0.75, 1.5)
    check_backward([(nn.CrossMapLRN2d(*arguments)(ours),
                     torch.nn.CrossMapLRN2d(*arguments)(theirs))], [ours], [theirs], dtype)


def test_cross_map_lrn2d_gradient_is_not_its_forwards():
    """The documented mismatch: torch's backward is not the derivative of its forward (so
    a gradient of our forward's own graph would not match torch)."""
    x = torch.tensor(normal((1, 6, 1, 1), "float64", 1), requires_grad=True)
    analytic = torch.autograd.grad(torch.nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5)(x).sum(), x)[0]
    ours = minitorch.tensor(x.detach().numpy(), requires_grad=True)
    nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5)(ours).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), analytic.numpy(), rtol=1e-10)
    step = 1e-6
    finite = np.zeros(6)
    module = nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5)
    for c in range(6):
        shift = np.zeros((1, 6, 1, 1))
        shift[0, c] = step
        finite[c] = (module(minitorch.tensor(x.detach().numpy() + shift)).sum().item()
                     - module(minitorch.tensor(x.detach().numpy() - shift)).sum().item()) \
            / (2 * step)
    assert not np.allclose(finite, analytic.numpy().reshape(-1), rtol=1e-4)


def test_cross_map_lrn2d_non_contiguous_repr_state_dict(backend):
    array = normal((2, 5, 3, 4), "float32", 4)
    ours = minitorch.tensor(np.ascontiguousarray(array.transpose(0, 1, 3, 2))).transpose(2, 3)
    assert not ours.is_contiguous()
    module, reference = nn.CrossMapLRN2d(3, k=2), torch.nn.CrossMapLRN2d(3, k=2)
    assert_close(module(ours), reference(torch.tensor(array)), "float32")
    assert repr(module) == repr(reference)
    assert list(module.state_dict()) == list(reference.state_dict()) == []
    module.load_state_dict({})


@pytest.mark.parametrize("module, value, error, message", [
    (nn.CrossMapLRN2d(3), minitorch.zeros(2, 3, 4), ValueError,
     "CrossMapLRN2d: expected a 4-D input"),
    (nn.CrossMapLRN2d(3), minitorch.zeros(1, 2, 3, 4, dtype="int64"), TypeError,
     "CrossMapLRN2d"),
    (nn.CrossMapLRN2d(0), minitorch.zeros(1, 2, 3, 4), ValueError,
     "CrossMapLRN2d: size must be a positive int"),
])
def test_cross_map_lrn2d_errors(module, value, error, message):
    with pytest.raises(error, match=message):
        module(value)


# ---- embedding_bag ----------------------------------------------------------------------

BAGS = [([1, 2, 4, 5, 4, 3, 2, 9, 0], [0, 4, 4, 6], None, False),      # an empty bag
        ([1, 2, 4, 5, 4, 3, 2, 9, 0], [0, 4, 4, 6], 4, False),
        ([4, 4, 1, 1, 2, 9, 0, 1], [0, 2, 4], 4, False),               # an all-padding bag
        ([4, 4, 1, 1, 2, 9, 0], [0, 2, 4, 7], None, True),
        ([3, 3, 7, 3], [0, 1], None, False)]                             # ties in max mode


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("indices, offsets, padding_idx, include_last_offset", BAGS)
def test_embedding_bag(backend, dtype, mode, indices, offsets, padding_idx,
                       include_last_offset):
    """All four results equal torch's (offset2bag, bag_size, max_indices with torch's CPU
    conventions); the weight's gradient too, from a transposed (non-contiguous) weight."""
    if mode == 2 and include_last_offset and dtype == "float64":
        pytest.skip("torch's float64 max kernel gives 0 as the last bag's max_indices here")
    weight = normal((3, 10), dtype, 5)
    if indices[0] == 3:
        weight[:, 7] = weight[:, 3]          # rows 3 and 7 tie: the first one wins
    ours, theirs = pair(weight)
    arguments = (None, False, mode, False, None, include_last_offset, padding_idx)
    result = minitorch.embedding_bag(ours.T, minitorch.tensor(indices),
                                     minitorch.tensor(offsets), *arguments[1:])
    expected = torch.embedding_bag(theirs.T, torch.tensor(indices), torch.tensor(offsets),
                                   *arguments[1:])
    for mine, reference in zip(result[1:], expected[1:]):
        assert_equal(mine, reference)
    check_backward([(result[0], expected[0])], [ours], [theirs], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_bag_per_sample_weights(backend, dtype):
    weight, scales = pair(normal((10, 3), dtype, 1)), pair(normal((9,), dtype, 2))
    indices, offsets = [1, 2, 4, 5, 4, 3, 2, 9, 0], [0, 4, 4, 6]
    result = minitorch.embedding_bag(weight[0], minitorch.tensor(indices),
                                     minitorch.tensor(offsets), False, 0, False, scales[0])
    expected = torch.embedding_bag(weight[1], torch.tensor(indices), torch.tensor(offsets),
                                   False, 0, False, scales[1])
    for mine, reference in zip(result[1:], expected[1:]):
        assert_equal(mine, reference)
    check_backward([(result[0], expected[0])], [weight[0], scales[0]],
                   [weight[1], scales[1]], dtype)


@pytest.mark.parametrize("arguments, error, message", [
    (dict(mode=3), ValueError, r"embedding_bag: mode must be 0 \(sum\), 1 \(mean\) or 2"),
    (dict(indices=minitorch.tensor([[1, 2], [3, 4]])), ValueError,
     "embedding_bag: expected 1-D indices with offsets, got 2x2"),
    (dict(offsets=minitorch.tensor([1, 2])), ValueError, "offsets\\[0\\] must be 0"),
    (dict(indices=minitorch.tensor([1, 12])), IndexError, "embedding_bag"),
])
def test_embedding_bag_errors(arguments, error, message):
    call = dict(weight=minitorch.zeros(10, 3), indices=minitorch.tensor([1, 2]),
                offsets=minitorch.tensor([0]))
    with pytest.raises(error, match=message):
        minitorch.embedding_bag(**{**call, **arguments})


def test_embedding_bag_forward_only_sizes_by_offsets(backend):
    """Without a gradient wanted, torch's sum mode sizes bag_size and max_indices by the
    offsets (one more than the bags with include_last_offset)."""
    weight = normal((10, 3), "float64", 3)
    indices, offsets = [4, 4, 1, 1, 2, 9, 0], [0, 2, 4, 7]
    result = minitorch.embedding_bag(minitorch.tensor(weight), minitorch.tensor(indices),
                                     minitorch.tensor(offsets), include_last_offset=True)
    expected = torch.embedding_bag(torch.tensor(weight), torch.tensor(indices),
                                   torch.tensor(offsets), include_last_offset=True)
    assert_close(result[0], expected[0], "float64")
    for mine, reference in zip(result[1:], expected[1:]):
        assert_equal(mine, reference)


def test_tiny_python_backend_case():
    with minitorch.use_backend("python"):
        a = symmetric((3, 3), "float64", 2)
        LD, pivots = minitorch.linalg.ldl_factor(minitorch.tensor(a))
        b = normal((3, 1), "float64", 3)
        np.testing.assert_allclose(
            minitorch.linalg.ldl_solve(LD, pivots, minitorch.tensor(b)).numpy(),
            np.linalg.solve(a, b), rtol=1e-10)
        x = normal((1, 4, 2, 2), "float64", 4)
        assert_close(nn.CrossMapLRN2d(3)(minitorch.tensor(x)),
                     torch.nn.CrossMapLRN2d(3)(torch.tensor(x)), "float64")
