"""Core tensor behaviour that the op table does not cover: creation, dtypes, views,
autograd rules, errors, repr, and the original project's README code."""
import numpy as np
import pytest
import torch

import minitorch
from minitorch import Tensor


# ---- creation and dtypes ----------------------------------------------------------------

@pytest.mark.parametrize("data,expected", [
    ([1.0, 2.0], "float32"), ([1, 2], "int64"), ([True, False], "bool"), (3, "int64"),
    (2.5, "float32"), (np.zeros(2, np.float64), "float64"), ([[1, 2.5]], "float32"),
])
def test_tensor_infers_dtype_like_torch(data, expected):
    assert minitorch.tensor(data).dtype.name == expected
    assert str(torch.tensor(data).dtype) == f"torch.{expected}"


def test_narrow_numpy_types_widen_to_the_four_dtypes():
    assert minitorch.tensor(np.zeros(2, np.int32)).dtype is minitorch.int64
    assert minitorch.tensor(np.zeros(2, np.uint8)).dtype is minitorch.int64
    assert minitorch.tensor(np.zeros(2, np.float16)).dtype is minitorch.float32
    with pytest.raises(TypeError, match="complex128"):
        minitorch.tensor(np.zeros(2, np.complex128))


def test_legacy_constructor_keeps_floats_float32_and_labels_int64():
    assert Tensor(np.ones((2, 2)) / 255).dtype is minitorch.float32
    assert Tensor(np.arange(3)).dtype is minitorch.int64


@pytest.mark.parametrize("left,right", [
    ("int64", "float32"), ("bool", "int64"), ("float32", "float64"), ("bool", "float32"),
])
def test_type_promotion_between_tensors(left, right):
    a = minitorch.ones(2, dtype=left) + minitorch.ones(2, dtype=right)
    b = torch.ones(2, dtype=getattr(torch, left)) + torch.ones(2, dtype=getattr(torch, right))
    assert a.dtype.name == str(b.dtype).replace("torch.", "")


@pytest.mark.parametrize("dtype,scalar", [("int64", 2.5), ("float32", 2), ("bool", 3),
                                          ("float32", 1e40), ("int64", True)])
def test_type_promotion_with_python_scalars(dtype, scalar):
    a = minitorch.ones(2, dtype=dtype) * scalar
    b = torch.ones(2, dtype=getattr(torch, dtype)) * scalar
    assert a.dtype.name == str(b.dtype).replace("torch.", "")
    np.testing.assert_allclose(a.numpy().astype(float), b.numpy().astype(float))


def test_zero_dim_tensor_does_not_promote_dimensioned_tensor():
    a = minitorch.ones(3) + minitorch.tensor(1.0, dtype="float64")
    assert a.dtype is minitorch.float32
    b = minitorch.ones(3, dtype="int64") + minitorch.tensor(1.5, dtype="float64")
    assert b.dtype is minitorch.float64


def test_int_true_division_gives_float32():
    assert (minitorch.tensor([3, 4]) / 2).dtype is minitorch.float32
    assert (minitorch.tensor([3, 4]) // 2).tolist() == [1, 2]


def test_factories_match_torch():
    assert minitorch.arange(5).tolist() == torch.arange(5).tolist()
    np.testing.assert_allclose(minitorch.arange(0, 1, 0.25).numpy(), torch.arange(0, 1, 0.25))
    np.testing.assert_allclose(minitorch.linspace(0, 1, 5).numpy(), torch.linspace(0, 1, 5))
    assert minitorch.eye(3).tolist() == torch.eye(3).tolist()
    assert minitorch.full((2, 2), 7).dtype is minitorch.int64
    assert minitorch.zeros(2, 3).shape == (2, 3) and minitorch.ones((4,)).sum().item() == 4
    assert minitorch.zeros_like(minitorch.ones(2, dtype="int64")).dtype is minitorch.int64


def test_random_numbers_are_seeded_and_backend_independent():
    values = {}
    for backend in ("numpy", "python"):
        minitorch.manual_seed(7)
        values[backend] = (minitorch.randn(3, 4, backend=backend).numpy(),
                           minitorch.randint(0, 10, (5,), backend=backend).numpy(),
                           minitorch.randperm(6, backend=backend).numpy())
    for first, second in zip(values["numpy"], values["python"]):
        np.testing.assert_array_equal(first, second)
    assert sorted(values["numpy"][2].tolist()) == list(range(6))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_type_names_and_sizes_match_torch(dtype):
    ours, theirs = minitorch.zeros(2, 3, dtype=dtype), torch.zeros(2, 3, dtype=getattr(torch, dtype))
    assert ours.type() == theirs.type().replace("torch.", "minitorch.")
    assert (ours.element_size(), ours.itemsize, ours.nbytes, ours[:, :2].nbytes) == \
        (theirs.element_size(), theirs.itemsize, theirs.nbytes, theirs[:, :2].nbytes)
    assert minitorch.numel(ours) == torch.numel(theirs)
    assert minitorch.is_floating_point(ours) == torch.is_floating_point(theirs)


def test_type_converts_by_dtype_or_legacy_name_and_refuses_others():
    a = minitorch.tensor([1.5, -2.5])
    assert a.type(minitorch.int64).tolist() == torch.tensor([1.5, -2.5]).type(torch.int64).tolist()
    assert a.type("minitorch.DoubleTensor").dtype is minitorch.float64
    assert a.type("float64").dtype is minitorch.float64
    assert a.type(minitorch.float32) is a
    with pytest.raises(ValueError, match="minitorch.LongTensor"):
        a.type("minitorch.HalfTensor")
    assert minitorch.is_tensor(a) and minitorch.is_tensor(minitorch.nn.Parameter(a))
    assert not minitorch.is_tensor(a.numpy()) and not minitorch.is_tensor(1.5)


@pytest.fixture
def default_float64():
    minitorch.set_default_dtype(minitorch.float64)
    torch.set_default_dtype(torch.float64)
    yield
    minitorch.set_default_dtype(minitorch.float32)
    torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1.5]), lambda lib: lib.zeros(2), lambda lib: lib.rand(2),
    lambda lib: lib.full((1,), 2.0), lambda lib: lib.arange(0.0, 1.0, 0.5),
    lambda lib: lib.linspace(0, 1, 3), lambda lib: lib.eye(2), lambda lib: lib.tensor([1, 2]) / 2,
    lambda lib: lib.tensor([1, 2]) * 1.5, lambda lib: lib.tensor([1, 2]).sqrt(),
    lambda lib: lib.tensor(np.zeros(2, np.float32)), lambda lib: lib.ones(2, dtype=lib.float32) * 2.5,
    lambda lib: lib.nn.Linear(2, 3).weight,
])
def test_set_default_dtype_changes_what_floats_become_as_in_torch(default_float64, make):
    assert make(minitorch).dtype.name == str(make(torch).dtype).replace("torch.", "")


def test_repr_names_dtypes_other_than_the_default(default_float64):
    assert minitorch.get_default_dtype() is minitorch.float64
    assert repr(minitorch.ones(2)) == "tensor([1., 1.])"
    assert repr(minitorch.ones(2, dtype=minitorch.float32)) == \
        "tensor([1., 1.], dtype=minitorch.float32)"


def test_set_default_dtype_refuses_non_floating_types():
    with pytest.raises(TypeError, match="floating-point.*int64"):
        minitorch.set_default_dtype(minitorch.int64)
    assert minitorch.get_default_dtype() is minitorch.float32


def test_unknown_dtype_lists_the_valid_ones():
    with pytest.raises(TypeError, match="float32.*float64.*int64.*bool"):
        minitorch.zeros(2, dtype="complex64")


# ---- conversion and repr ----------------------------------------------------------------

@pytest.mark.parametrize("data,dtype", [
    ([[1.0, 2.0]], None), ([1.5, -2.25, 3.0], None), (3.0, None), ([1, 2, 3], None),
    ([True, False], None), ([1.0, 2.0], "float64"), ([[1e-5, 1.0]], None), ([], None),
])
def test_repr_matches_torch(data, dtype):
    ours = repr(minitorch.tensor(data, dtype=dtype))
    theirs = repr(torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None))
    assert ours == theirs.replace("torch.", "minitorch.")


def test_repr_shows_requires_grad_and_grad_fn():
    x = minitorch.tensor([[1.0, 2.0]], requires_grad=True)
    assert repr(x) == "tensor([[1., 2.]], requires_grad=True)"
    assert "grad_fn=<MulBackward>" in repr(x * 2)


def test_conversions():
    x = minitorch.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert x.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert np.asarray(x).shape == (2, 2)
    assert x[0, 0].item() == 1.5 and float(x[1, 1]) == 4.0
    assert len(x) == 2 and [row.tolist() for row in x] == [[1.5, 2.0], [3.0, 4.0]]
    assert x.size() == (2, 2) and x.size(-1) == 2 and x.dim() == 2 and x.numel() == 4
    assert bool(minitorch.tensor([1])) is True
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)
    with pytest.raises(RuntimeError, match="4 elements"):   # torch's classes
        x.item()
    with pytest.raises(ValueError, match="4 elements"):
        float(x)
    with pytest.raises(ValueError, match="4 elements"):
        int(x)


# ---- views ------------------------------------------------------------------------------

def test_views_share_storage_and_are_zero_copy():
    x = minitorch.zeros(3, 4)
    views = [x.reshape(12), x.view(4, 3), x.T, x.permute(1, 0), x[1:, ::2], x.unsqueeze(0),
             x.flatten(), x[None, ..., 1]]
    for view in views:
        assert view._storage is x._storage
    x.T[0, 1] = 5.0  # writes through a transposed view
    assert x[1, 0].item() == 5.0
    assert x.expand(2, 3, 4)._storage is x._storage and x.expand(2, 3, 4).stride()[0] == 0


def test_view_refuses_incompatible_layout_but_reshape_copies():
    x = minitorch.arange(6).reshape(2, 3).T
    with pytest.raises(RuntimeError, match="view.*reshape"):
        x.view(6)
    assert x.reshape(6).tolist() == [0, 3, 1, 4, 2, 5]
    assert x.reshape(6)._storage is not x._storage


def test_setitem_matches_torch():
    ours, theirs = minitorch.zeros(4, 5), torch.zeros(4, 5)
    for target in (ours, theirs):
        target[1] = 1.0
        target[:, 2] = target.new_tensor([1, 2, 3, 4]) if hasattr(target, "new_tensor") and \
            target is theirs else minitorch.tensor([1.0, 2.0, 3.0, 4.0])
        target[2:, ::2] = -1.0
        target[[0, 3], [4, 1]] = 9.0
        target[target > 8] = 7.0
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_index_put_accumulates_repeated_indices():
    x = minitorch.zeros(3)
    x.index_put_((minitorch.tensor([0, 0, 2]),), minitorch.tensor([1.0, 2.0, 5.0]),
                 accumulate=True)
    assert x.tolist() == [3.0, 0.0, 5.0]


def test_narrow_checks_its_range_like_torch():
    t = minitorch.tensor([1.0, 2.0, 3.0])
    assert t.narrow(0, -1, 1).tolist() == [3.0]       # a negative start counts from the end
    assert minitorch.narrow(t, 0, 1, 2).tolist() == [2.0, 3.0]
    assert t.narrow(0, 3, 0).tolist() == []
    with pytest.raises(RuntimeError, match=r"narrow: start \(1\) \+ length \(5\) exceeds"):
        t.narrow(0, 1, 5)
    with pytest.raises(RuntimeError, match="narrow: length must be non-negative"):
        t.narrow(0, 0, -1)
    with pytest.raises(IndexError, match="narrow: start 5 is out of range"):
        t.narrow(0, 5, 0)
    with pytest.raises(RuntimeError, match="0-d"):
        minitorch.tensor(1.0).narrow(0, 0, 1)


@pytest.mark.parametrize("shape", [(-2,), (-1, 2), (2, -3)])
def test_expand_refuses_negative_sizes(shape):
    with pytest.raises(ValueError, match="expand: size -"):
        minitorch.tensor([1.0]).expand(*shape)


def test_cat_refuses_0d_tensors():
    with pytest.raises(ValueError, match=r"cat: a 0-d tensor \(at position 0\)"):
        minitorch.cat([minitorch.tensor(1.0), minitorch.tensor(2.0)])


@pytest.mark.parametrize("backend", ["numpy", "c", "python"])
def test_empty_views_that_start_past_the_end_work_in_ops(backend):
    """a[:, 1:] of a (0, 3) tensor starts at storage position 1 of an empty buffer; ops on
    it (which see it through a strided view) work as in torch."""
    a, t = minitorch.zeros(0, 3, backend=backend), torch.zeros(0, 3)
    assert (a[:, 1:] + a[:, :2]).shape == tuple((t[:, 1:] + t[:, :2]).shape)
    assert a[:, 2:].exp().sum(0).tolist() == t[:, 2:].exp().sum(0).tolist()


@pytest.mark.parametrize("backend", ["numpy", "c", "python"])
def test_an_empty_product_runs_no_kernel_loop(backend):
    """A result with no elements is returned at once, however large the other sizes (a
    kernel looping over 2**40 empty rows would never finish)."""
    tall = minitorch.zeros(2**40, 0, backend=backend)
    assert (tall @ minitorch.zeros(0, 0, backend=backend)).shape == (2**40, 0)
    assert minitorch.nn.functional.linear(tall, minitorch.zeros(0, 0, backend=backend)).shape \
        == (2**40, 0)
    wide = minitorch.zeros(0, 2**40, backend=backend)
    assert (wide @ minitorch.zeros(2**40, 0, backend=backend)).shape == (0, 0)


def test_cat_and_stack_promote_and_check_shapes():
    assert minitorch.cat([minitorch.ones(2, dtype="int64"), minitorch.ones(1)]).dtype \
        is minitorch.float32
    with pytest.raises(ValueError, match="cat: sizes of tensors must match"):
        minitorch.cat([minitorch.ones(2, 3), minitorch.ones(3, 3)], dim=1)
    with pytest.raises(ValueError, match="stack: expects each tensor to be equal size"):
        minitorch.stack([minitorch.ones(2), minitorch.ones(3)])


# ---- in-place ops -----------------------------------------------------------------------

def test_inplace_ops_modify_storage_and_views():
    x = minitorch.ones(2, 3)
    row = x[0]
    x += 1
    x.mul_(minitorch.tensor([1.0, 2.0, 3.0]))
    x[1].sub_(1)
    assert row.tolist() == [2.0, 4.0, 6.0]
    assert x.tolist() == [[2.0, 4.0, 6.0], [1.0, 3.0, 5.0]]
    x.zero_()
    assert x.sum().item() == 0
    x.copy_(minitorch.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [[1.0, 2.0, 3.0]] * 2


def test_inplace_refuses_a_wider_result_type_before_writing():
    x = minitorch.tensor([1, 2])
    with pytest.raises(TypeError, match="float32 can't be cast to .* int64"):
        x += 0.5
    assert x.tolist() == [1, 2]


# ---- autograd ---------------------------------------------------------------------------

def test_long_chain_backward_is_iterative():
    x = minitorch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10000):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad.item() - 1.0001 ** 10000) < 1e-2


def test_gradients_accumulate_over_reuse_and_calls():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    (x * x + x).sum().backward()
    assert x.grad.tolist() == [3.0, 5.0]
    (x * 2).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_diamond_graph_orders_nodes_correctly():
    x = minitorch.tensor(2.0, requires_grad=True)
    a = x * 3
    b = a * a       # uses a twice
    c = b + a       # and a again, on another path
    c.backward()
    assert x.grad.item() == 2 * 9 * 2 + 3


def test_backward_from_a_leaf_and_through_nodes_that_receive_no_gradient():
    from minitorch import dispatch
    from minitorch.autograd import Function

    class CutsGradient(Function):   # an op whose backward passes its input no gradient
        def forward(self, a):
            return dispatch.materialize(a)

        def backward(self, grad):
            return None

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    x.backward(minitorch.tensor([3.0, 4.0]))          # the root is the leaf itself
    assert x.grad.tolist() == [3.0, 4.0]
    # y feeds two consumers, one passing it no gradient: y's node still runs (once the
    # other consumer is done), and the leaf gets the other path's gradient
    w = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = w * 2
    (CutsGradient.apply(y) * y).sum().backward()
    assert w.grad.tolist() == [2 * 2.0, 2 * 4.0]      # d/dw of const(y) * y = const(y) * 2
    # a node no gradient reaches is skipped, and keeps its graph
    v = minitorch.tensor([1.0], requires_grad=True)
    u = v * 3
    (CutsGradient.apply(u) + minitorch.tensor([1.0], requires_grad=True)).sum().backward()
    assert v.grad is None and not u.grad_fn.released


def test_leaf_grads_do_not_alias_each_other():
    a = minitorch.ones(2, requires_grad=True)
    b = minitorch.ones(2, requires_grad=True)
    (a + b).sum().backward()
    with minitorch.no_grad():
        a.grad.mul_(5)
    assert b.grad.tolist() == [1.0, 1.0]


def test_broadcast_gradient_is_summed_back():
    bias = minitorch.zeros(3, requires_grad=True)
    (minitorch.ones(4, 3) + bias).sum().backward()
    assert bias.grad.tolist() == [4.0, 4.0, 4.0]


def test_retain_grad_detach_and_no_grad():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]
    assert not x.detach().requires_grad
    with minitorch.no_grad():
        assert not (x * 2).requires_grad
        with minitorch.enable_grad():
            assert (x * 2).requires_grad

    @minitorch.no_grad()
    def doubled(t):
        return t * 2
    assert not doubled(x).requires_grad


def test_data_updates_a_leaf_outside_the_graph_like_torch():
    results = []
    for lib in (minitorch, torch):
        w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        for _ in range(3):      # the classic hand-written SGD loop
            w.grad = None
            (w * w * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
            w.data -= 0.1 * w.grad
        view = w.data
        assert not view.requires_grad and w.requires_grad and w.is_leaf
        view[0] = 7.0           # shares w's memory
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_assigning_data_swaps_memory_but_keeps_identity_and_grad():
    w = minitorch.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    replacement = minitorch.arange(6.0).reshape(2, 3)
    w.data = replacement
    assert w.shape == (2, 3) and w.requires_grad and w.grad.tolist() == [3.0, 3.0]
    replacement[0, 0] = 9.0
    assert w[0, 0].item() == 9.0       # no copy, as in PyTorch
    with pytest.raises(TypeError, match="data: expected a Tensor, got list"):
        w.data = [1.0]
    with pytest.raises(TypeError, match="needs floating point data, got int64"):
        w.data = minitorch.tensor([1, 2])
    assert w.shape == (2, 3)


def test_second_backward_needs_retain_graph():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    assert y.grad_fn.name() == "SumBackward" and not y.is_leaf  # the node outlives its buffers
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_backward_errors():
    x = minitorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(minitorch.tensor([1.0, 1.0]))
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="floating point"):
        minitorch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        minitorch.ones(2).sum().backward()


def test_backward_gradient_of_another_dtype_is_cast_and_of_another_backend_refused():
    # PyTorch casts a float64 gradient to the float32 output's dtype; so does minitorch,
    # and every gradient down the graph (and in .grad) stays float32
    w = minitorch.ones(3, 2, requires_grad=True)
    x = minitorch.tensor([[1.0, 2.0, 3.0]])
    (x @ w).backward(minitorch.tensor([[1.0, 0.5]], dtype=minitorch.float64))
    assert w.grad.dtype is minitorch.float32
    assert w.grad.tolist() == [[1.0, 0.5], [2.0, 1.0], [3.0, 1.5]]
    other = "python" if minitorch.get_backend() != "python" else "numpy"
    y = (x @ w).sum()
    with pytest.raises(RuntimeError, match=f"gradient is on backend '{other}'"):
        y.backward(minitorch.ones((), backend=other))
    assert w.grad.tolist() == [[1.0, 0.5], [2.0, 1.0], [3.0, 1.5]]   # unchanged


def test_inplace_change_of_saved_tensor_is_detected():
    w = minitorch.ones(2, requires_grad=True)
    a = minitorch.tensor([1.0, 2.0])
    loss = (a * w).sum()
    a += 1   # a was saved by the multiplication
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_inplace_on_leaf_requiring_grad_is_refused():
    w = minitorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w += 1
    with minitorch.no_grad():
        w -= 1
    assert w.tolist() == [0.0, 0.0]


# ---- errors -----------------------------------------------------------------------------

def test_shape_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match="matmul: cannot multiply 2x5 and 3x7"):
        minitorch.ones(2, 5) @ minitorch.ones(3, 7)
    with pytest.raises(ValueError, match="add: shapes 2x3 and 4 cannot be broadcast"):
        minitorch.ones(2, 3) + minitorch.ones(4)


def test_index_errors():
    x = minitorch.ones(3, 4)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[3]
    with pytest.raises(IndexError, match="out of bounds"):
        x[minitorch.tensor([0, 7])]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError):
        x[:, -5] = 1.0
    assert x.sum().item() == 12.0  # nothing was written


def test_numpy_gathers_check_their_indices_even_when_called_directly():
    # the numpy kernels gather with mode="clip" (which skips numpy's temporary), so they
    # check the range themselves: a bad index is an error, never a clipped row
    from minitorch_backends.numpy_backend import NumpyBackend
    backend = NumpyBackend()
    values = np.arange(12, dtype=np.float32)
    out = np.full(8, -1.0, np.float32)
    backend.take_rows(values, 0, 3, 4, np.array([2, 0]), out)
    assert out.tolist() == [8, 9, 10, 11, 0, 1, 2, 3]
    for bad in ([0, 3], [-1, 0]):
        with pytest.raises(IndexError, match=r"take_rows: index (3|-1) is out of range for size 3"):
            backend.take_rows(values, 0, 3, 4, np.array(bad), out)
    with pytest.raises(IndexError, match="take: index 12 is out of range for size 12"):
        backend.take(values, np.array([1, 12]), out[:2])
    assert out.tolist() == [8, 9, 10, 11, 0, 1, 2, 3]   # nothing written


def test_first_out_of_range_finds_the_first_bad_index_of_any_shape():
    from minitorch.contract import first_out_of_range
    # in range; empty; the first bad one in row-major order, below 0 or at the limit;
    # one bad value far past int64's sign bit seen as unsigned
    assert first_out_of_range(np.array([[0, 4], [2, 1]]), 5) is None
    assert first_out_of_range(np.zeros((0, 3), np.int64), 0) is None
    assert first_out_of_range(np.array([[0, 5], [-2, 1]]), 5) == 5
    assert first_out_of_range(np.array([[0, 4], [-2, 7]]), 5) == -2
    assert first_out_of_range(np.array([np.iinfo(np.int64).min, 0]), 5) == np.iinfo(np.int64).min


def test_mixed_backends_and_unknown_backend_errors():
    a = minitorch.ones(2)
    b = minitorch.ones(2, backend="python")
    with pytest.raises(RuntimeError, match="different backends .*'numpy'.*'python'"):
        a + b
    assert (a + b.to("numpy")).tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="unknown backend 'cuda'.*numpy.*python"):
        minitorch.set_backend("cuda")
    assert minitorch.get_backend().name == "numpy"


def test_failed_op_changes_nothing():
    x = minitorch.ones(2, 3)
    before = x.numpy().copy()
    with pytest.raises(ValueError):
        x.add_(minitorch.ones(4, 3))
    with pytest.raises(ValueError):
        x[:, 0] = minitorch.ones(5)
    np.testing.assert_array_equal(x.numpy(), before)
    assert x._storage.version == 0


def test_use_backend_restores_previous_backend():
    with minitorch.use_backend("python"):
        assert minitorch.ones(1).backend == "python"
    assert minitorch.ones(1).backend == "numpy"


# ---- the original project's README ------------------------------------------------------

def test_original_readme_tensor_code_runs_unchanged():
    X = np.random.default_rng(0).integers(0, 256, size=(10, 28, 28))
    Y = np.arange(10)
    x = Tensor(X / 255).flatten(start_dim=1)
    target = Tensor(Y)
    assert x.shape == (10, 784) and x.dtype is minitorch.float32
    output = x @ minitorch.randn(784, 10)
    pred = output.argmax(dim=1, keepdim=True)
    correct = pred.eq(target.view_as(pred)).sum().item()
    expected = (output.numpy().argmax(axis=1) == Y).sum()
    assert correct == expected and isinstance(correct, int)


def test_set_num_threads_reaches_every_backend():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = minitorch.get_num_threads()
    try:
        minitorch.set_num_threads(1)
        assert minitorch.get_num_threads() == 1
        blas = [pool["num_threads"] for pool in threadpoolctl.threadpool_info()
                if pool["user_api"] == "blas"]
        assert blas and set(blas) == {1}
        for backend in minitorch.list_backends():
            implementation = backend.implementation if backend.available else None
            if hasattr(implementation, "get_num_threads"):
                assert implementation.get_num_threads() == 1
        with pytest.raises(ValueError, match="positive int"):
            minitorch.set_num_threads(0)
    finally:
        minitorch.set_num_threads(before)


def test_contract_check_refuses_strided_kernels_without_view():
    from minitorch.contract import BackendError, check_backend
    from minitorch_backends.numpy_backend import NumpyBackend

    class NoView(NumpyBackend):
        name = "no-view"
        view = None

    with pytest.raises(BackendError, match="binary_view.*but no `view` kernel"):
        check_backend(NoView(), "a test")
    assert "view" in check_backend(NumpyBackend(), "a test")
