"""Metadata of results compared with PyTorch, beyond their values: whether a result is
its input itself, a new view sharing its memory, or a copy; what an in-place write into
it changes; its strides where torch defines them; its autograd fields (grad_fn,
is_leaf, requires_grad) and the version counter that in-place changes bump."""
import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

BACKENDS = ("numpy", "c")


def _pair(shape, backend, requires_grad=False):
    values = (np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) * 0.37) % 5 - 2
    return (torch.tensor(values, requires_grad=requires_grad),
            minitorch.tensor(values, backend=backend, requires_grad=requires_grad))


def _shares_memory(result, source):
    return result.untyped_storage().data_ptr() == source.untyped_storage().data_ptr()


def _relation(result, source):
    """What result is to source: the same object, another tensor over its memory, or a
    tensor with memory of its own."""
    if result is source:
        return "itself"
    return "alias" if _shares_memory(result, source) else "copy"


# (name, op, input shape): ops whose result has the input's shape and values, so the
# only question is whether it is the input, a new view of it, or a copy
SAME_VALUE_OPS = [
    ("view(shape)", lambda library, x: x.view(x.shape), (3, 4)),
    ("view(-1) of 1-d", lambda library, x: x.view(-1), (5,)),
    ("view_as", lambda library, x: x.view_as(x), (3, 4)),
    ("reshape(shape)", lambda library, x: x.reshape(x.shape), (3, 4)),
    ("reshape_as", lambda library, x: x.reshape_as(x), (3, 4)),
    ("reshape(()) of 0-d", lambda library, x: x.reshape(()), ()),
    ("ravel of 1-d", lambda library, x: x.ravel(), (5,)),
    ("expand(shape)", lambda library, x: x.expand(3, 4), (3, 4)),
    ("expand(-1, -1)", lambda library, x: x.expand(-1, -1), (3, 4)),
    ("expand_as", lambda library, x: x.expand_as(x), (3, 4)),
    ("broadcast_to", lambda library, x: x.broadcast_to((3, 4)), (3, 4)),
    ("squeeze() with no size-1 dim", lambda library, x: x.squeeze(), (3, 4)),
    ("squeeze(0) of a size-3 dim", lambda library, x: x.squeeze(0), (3, 4)),
    ("squeeze(()) ", lambda library, x: x.squeeze(()), (1, 3)),
    ("squeeze of 0-d", lambda library, x: x.squeeze(), ()),
    ("transpose of 0-d", lambda library, x: x.transpose(0, -1), ()),
    ("t of 1-d", lambda library, x: x.t(), (4,)),
    ("t of 0-d", lambda library, x: x.t(), ()),
    ("movedim(0, 0)", lambda library, x: x.movedim(0, 0), (3, 4)),
    ("movedim of 0-d", lambda library, x: library.movedim(x, 0, 0), ()),
    ("permute(0, 1)", lambda library, x: x.permute(0, 1), (3, 4)),
    ("flatten of 1-d", lambda library, x: x.flatten(), (5,)),
    ("flatten(1, 1)", lambda library, x: x.flatten(1, 1), (3, 4)),
    ("flip([])", lambda library, x: x.flip([]), (3, 4)),
    ("flip of 0-d", lambda library, x: x.flip(0), ()),
    ("diff(n=0)", lambda library, x: x.diff(n=0), (3, 4)),
    ("contiguous", lambda library, x: x.contiguous(), (3, 4)),
    ("to(own dtype)", lambda library, x: x.to(x.dtype), (3, 4)),
    ("cartesian_prod of one tensor", lambda library, x: library.cartesian_prod(x), (4,)),
    ("broadcast_tensors of one shape",
     lambda library, x: library.broadcast_tensors(x, x.detach())[0], (3, 4)),
    ("broadcast_tensors, first already broadcast",
     lambda library, x: library.broadcast_tensors(x, x.detach()[0])[0], (3, 4)),
    ("as_tensor with no change", lambda library, x: library.as_tensor(x), (3, 4)),
    ("unary +", lambda library, x: +x, (3, 4)),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, op, shape", SAME_VALUE_OPS, ids=[c[0] for c in SAME_VALUE_OPS])
def test_a_result_is_its_input_a_view_or_a_copy_as_in_torch(name, op, shape, backend):
    """The relation decides what a user's requires_grad_, retain_grad, .grad assignment
    or in-place write on the result does to the input."""
    tx, mx = _pair(shape, backend)
    expected = _relation(op(torch, tx), tx)
    assert _relation(op(minitorch, mx), mx) == expected
    tx, mx = _pair(shape, backend, requires_grad=True)
    tresult, mresult = op(torch, tx), op(minitorch, mx)
    assert (mresult.grad_fn is None) == (tresult.grad_fn is None)
    assert mresult.is_leaf == tresult.is_leaf
    assert mresult.requires_grad == tresult.requires_grad


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, op, shape", SAME_VALUE_OPS, ids=[c[0] for c in SAME_VALUE_OPS])
def test_writing_into_the_result_changes_the_input_as_in_torch(name, op, shape, backend):
    tx, mx = _pair(shape, backend)
    tresult, mresult = op(torch, tx), op(minitorch, mx)
    tresult.add_(10)
    mresult.add_(10)
    np.testing.assert_allclose(mx.numpy(), tx.numpy(), rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_view_of_the_same_shape_keeps_its_own_autograd_state(backend):
    """y = x.view(x.shape) is a new tensor: retaining its gradient or making it require
    grad leaves x alone."""
    for library, x in zip((torch, minitorch), _pair((3, 4), backend, requires_grad=True)):
        y = x.reshape(3, 4)
        y.retain_grad()
        (y * 2).sum().backward()
        assert y.grad_fn is not None and y.grad is not x.grad
        np.testing.assert_allclose(x.grad.numpy(), np.full((3, 4), 2.0))
    for library, x in zip((torch, minitorch), _pair((3, 4), backend)):
        x.view(3, 4).requires_grad_()
        assert not x.requires_grad


@pytest.mark.parametrize("backend", BACKENDS)
def test_view_as_its_own_dtype_is_an_untracked_alias(backend):
    for library, x in zip((torch, minitorch), _pair((3, 4), backend, requires_grad=True)):
        y = x.view(x.dtype)
        assert y is not x and _shares_memory(y, x)
        assert not y.requires_grad and y.grad_fn is None and y._base is None


def test_view_as_another_dtype_is_refused_rather_than_converting_values():
    """torch reinterprets the bytes; minitorch's storages hold one dtype, so it refuses
    instead of returning converted values as a view would never give."""
    x = minitorch.tensor([1.5, -2.0], dtype=minitorch.float64)
    with pytest.raises(NotImplementedError, match=r"view\(dtype\).*float64.*int64.*\.to\("):
        x.view(minitorch.int64)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["t_()", "transpose_(0, 1)", "unsqueeze_(0)", "squeeze_()",
                                "swapdims_(0, 1)"])
def test_changing_the_layout_in_place_counts_as_an_in_place_change(op, backend):
    """torch bumps the version, so a backward that saved the tensor refuses to read it in
    its new layout rather than compute with it."""
    (ta, ma), (tw, mw) = _pair((3, 3), backend), _pair((3, 3), backend, requires_grad=True)
    for a, w in ((ta, tw), (ma, mw)):
        loss = (w @ a).sum()          # saves a for w's gradient
        version = a._version
        eval("a." + op, {"a": a})
        assert a._version == version + 1
        with pytest.raises(RuntimeError, match="modified by an in-?place operation"):
            loss.backward()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_0d_integer_tensor_index_selects_a_view(backend):
    tx, mx = _pair((2, 3, 4), backend)
    for index, x in ((torch.tensor(1), tx), (minitorch.tensor(1, backend=backend), mx)):
        row = x[index]
        assert _shares_memory(row, x) and row.stride() == (4, 1)
        row[0, 0] = 100.0
        assert x[1, 0, 0].item() == 100.0
    # as an int, not an advanced index: the adjacency rule for the others follows suit
    index = minitorch.tensor(1, backend=backend)
    assert mx[index, :, [0, 1]].shape == tx[torch.tensor(1), :, [0, 1]].shape
    tx, mx = _pair((3, 4), backend, requires_grad=True)
    tx[torch.tensor(2)].sum().backward()
    mx[minitorch.tensor(2, backend=backend)].sum().backward()
    np.testing.assert_array_equal(mx.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", [(None,), (None, None), (0, None), (slice(None), None),
                                 (Ellipsis, None), (None, Ellipsis, None),
                                 (slice(None), slice(None, None, 2), None), (None, 0)])
def test_a_none_index_has_torchs_strides(key, backend):
    tx, mx = _pair((2, 3, 4), backend)
    assert mx[key].stride() == tx[key].stride()


def test_a_0d_tensor_has_dims_0_and_minus_1_to_transpose():
    for library in (torch, minitorch):
        with pytest.raises(IndexError):
            library.tensor(1.0).transpose(0, 1)


@pytest.mark.parametrize("dims", [(2,), (2, 1), ((2, 1),), ([1, 2],)])
def test_tile_takes_ints_or_one_sequence(dims):
    tx, mx = _pair((3, 4), "numpy")
    np.testing.assert_array_equal(mx.tile(*dims).numpy(), tx.tile(*dims).numpy())


def test_as_tensor_converting_a_tensor_stays_in_its_graph():
    tx, mx = _pair((3, 4), "numpy", requires_grad=True)
    for library, x in ((torch, tx), (minitorch, mx)):
        converted = library.as_tensor(x, dtype=library.float64)
        assert converted.dtype == library.float64 and converted.grad_fn is not None
        (converted * 3).sum().backward()
    np.testing.assert_array_equal(mx.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("make", [
    lambda L, x: L.nn.functional.pad(x, (0, 0)),
    lambda L, x: L.nn.functional.pad(x, (-1, 0)),
    lambda L, x: L.nn.ZeroPad2d(0)(x),
    lambda L, x: L.nn.functional.pixel_shuffle(x, 1),
    lambda L, x: L.nn.functional.pixel_unshuffle(x, 1),
    lambda L, x: L.nn.functional.channel_shuffle(x, 1),
    lambda L, x: L.nn.functional.channel_shuffle(x, 4),
], ids=["pad-zero", "pad-crop", "zeropad-0", "pixel-shuffle-1", "pixel-unshuffle-1",
        "channel-shuffle-1", "channel-shuffle-all"])
def test_a_layout_op_that_moves_nothing_still_returns_new_memory(make):
    """torch's pad, pixel_shuffle and channel_shuffle copy even when no element moves:
    writing into the result leaves the input alone."""
    for library in (minitorch, torch):
        x = library.arange(24.0).reshape(1, 4, 2, 3)
        result = make(library, x)
        result.fill_(-1.0)
        assert x.reshape(-1).tolist() == list(range(24)), library.__name__
