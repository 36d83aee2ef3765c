"""In-place writes through views under autograd, against PyTorch: the base's graph is
rewritten (CopySlices) and the view's re-derived from it, so values and gradients through
the base, the written view and views taken before the write all match torch's."""
import numpy as np
import pytest
import torch

import minitorch
from nn_helpers import backend  # noqa: F401  (the fixture: numpy, then c)

X = np.random.default_rng(7).standard_normal((4, 3)).astype(np.float32)
W = np.random.default_rng(8).standard_normal(3).astype(np.float32)


def _run(library, program):
    """program(library, x, w) on leaves x (X) and w (W) that require grad: the tensors it
    returns, then the gradients of a weighted sum of their squares w.r.t. x and w."""
    x = library.tensor(X, requires_grad=True)
    w = library.tensor(W, requires_grad=True)
    outputs = program(library, x, w)
    loss = sum((output * output).sum() * (index + 1) for index, output in enumerate(outputs))
    loss.backward()
    grads = [None if leaf.grad is None else leaf.grad.numpy() for leaf in (x, w)]
    return [output.detach().numpy() for output in outputs], grads


def _matches_torch(program):
    ours, our_grads = _run(minitorch, program)
    theirs, their_grads = _run(torch, program)
    for mine, reference in zip(ours + our_grads, theirs + their_grads):
        if reference is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


def scale_rows(library, x, w):
    c = x.clone()
    c[1:3] *= 2
    return (c,)


def shift_a_column(library, x, w):
    c = x.clone()
    c[:, 0] += 1
    return (c,)


def assign_strided_rows(library, x, w):
    c = x * 1
    first = c[0]            # taken before the write: re-derived from c
    c[::2] = w
    return c, first


def write_through_a_flat_view(library, x, w):
    c = x * 1
    v = c.view(-1)
    v[3] = 5
    return c, v


def add_through_the_transpose(library, x, w):
    c = x * 1
    c.T.add_(1)
    return (c,)


def a_row_plus_another_row(library, x, w):
    c = x * 1
    c[0].add_(c[1])         # the source is a view of the same base
    return (c,)


def two_successive_view_writes(library, x, w):
    c = x * 1
    c[0].mul_(w)
    c[:, 1].sub_(w[:1] * 3)
    return (c,)


def write_through_a_view_of_a_view(library, x, w):
    c = x * 1
    rows = c[1:]
    rows[0].mul_(3)
    return c, rows


def zero_by_mask(library, x, w):
    c = x * 1
    top = c[:2]
    c[library.tensor(X > 0)] = 0
    return c, top


def a_scalar_element(library, x, w):
    c = x * 1
    c[1, 2].mul_(w[0])
    return (c,)


def the_diagonal(library, x, w):
    c = x[:3] * 1
    c.diagonal().add_(w)
    return (c,)


def old_views_after_writes(library, x, w):
    c = x * 1
    row, column = c[2], c[:, 1]       # taken before the writes: re-derived from c
    c[0].mul_(3)
    c.add_(w)
    return c, row * row, column


def a_write_under_no_grad_then_a_recorded_one(library, x, w):
    c = x * 1
    with library.no_grad():
        c[0].mul_(10)                 # not recorded: the graph still says c = x * 1
    c[1].mul_(w)
    return (c,)


@pytest.mark.parametrize("program", [
    scale_rows, shift_a_column, assign_strided_rows, write_through_a_flat_view,
    add_through_the_transpose, a_row_plus_another_row, two_successive_view_writes,
    write_through_a_view_of_a_view, zero_by_mask, a_scalar_element, the_diagonal,
    old_views_after_writes, a_write_under_no_grad_then_a_recorded_one],
    ids=lambda program: program.__name__)
def test_values_and_gradients_match_torch(backend, program):  # noqa: F811
    _matches_torch(program)


def test_the_base_and_the_view_get_new_nodes(backend):  # noqa: F811
    x = minitorch.tensor(X, requires_grad=True)
    c = x * 1
    view = c[1:3]
    view.mul_(2)
    assert c.grad_fn.name() == "CopySlices" and view.grad_fn is not None
    assert [node for node, _ in view.grad_fn.next_functions] == [c.grad_fn]


def test_a_source_saved_by_the_op_is_still_an_error_as_in_torch(backend):  # noqa: F811
    for library in (minitorch, torch):
        x = library.tensor(X, requires_grad=True)
        c = x * 1
        c[0].mul_(c[1])       # mul saved c[1], whose memory the write then changed
        with pytest.raises(RuntimeError, match="modified by an inplace|modified by an in-place"):
            c.sum().backward()


def test_a_base_without_grad_starts_requiring_it(backend):  # noqa: F811
    w = minitorch.tensor(W, requires_grad=True)
    buffer = minitorch.zeros(4)
    buffer[1:3].copy_(w[:2])
    assert buffer.requires_grad and buffer.grad_fn.name() == "CopySlices"
    (buffer * minitorch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert w.grad.tolist() == [2.0, 3.0, 0.0]
    assert buffer.tolist() == [0.0, float(W[0]), float(W[1]), 0.0]


def test_an_integer_base_stays_without_a_graph(backend):  # noqa: F811
    w = minitorch.tensor(W, requires_grad=True)
    counts = minitorch.zeros(4, dtype="int64")
    counts[1:4].copy_(w * 10)
    assert not counts.requires_grad and counts.grad_fn is None
    assert counts.tolist() == [0] + [int(value) for value in W * 10]
    (counts.float() * w[0]).sum().backward()   # counts is current (in torch too)
    assert w.grad.tolist() == [float(sum(int(value) for value in W * 10)), 0.0, 0.0]


@pytest.mark.parametrize("write", [
    lambda x, w: x[0].mul_(2), lambda x, w: x.T.add_(w[0]), lambda x, w: x[1:].copy_(w)],
    ids=["mul_", "add_", "copy_"])
def test_a_view_of_a_leaf_that_requires_grad_still_refuses(backend, write):  # noqa: F811
    x = minitorch.tensor(X, requires_grad=True)
    w = minitorch.tensor(W, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        write(x, w)
    assert x.is_leaf and x.tolist() == minitorch.tensor(X).tolist()


def test_a_view_of_a_leaf_taken_under_no_grad_refuses_a_recorded_write(backend):  # noqa: F811
    x = minitorch.tensor(X, requires_grad=True)
    w = minitorch.tensor(W, requires_grad=True)
    with minitorch.no_grad():
        row = x[0]
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        row.mul_(w)          # torch refuses it too (a view made in no_grad mode)
    assert x.is_leaf and x.tolist() == minitorch.tensor(X).tolist()


def test_a_write_through_detach_still_leaves_its_memory_stale(backend):  # noqa: F811
    x = minitorch.tensor(X, requires_grad=True)
    c = x * 1
    row = c[0]
    c.detach()[0].copy_(x[1])        # recorded, but detach() is no view of c
    for stale in (c, row):
        with pytest.raises(RuntimeError, match="shares memory with a tensor"):
            stale + 1


def test_retain_grad_follows_the_base_through_a_view_write(backend):  # noqa: F811
    grads = []
    for library in (minitorch, torch):
        x = library.tensor(X, requires_grad=True)
        c = x * 2
        c.retain_grad()
        c[1].mul_(3)
        (c * c).sum().backward()
        grads.append(c.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5)


def test_second_order_gradients_through_a_view_write(backend):  # noqa: F811
    results = []
    for library in (minitorch, torch):
        x = library.tensor(X, requires_grad=True)
        c = x * x
        c[0].mul_(x[1])
        c[:, 2] += 1
        (first,) = library.autograd.grad((c * c).sum(), x, create_graph=True)
        (first * first).sum().backward()
        results += [first.detach().numpy(), x.grad.numpy()]
    np.testing.assert_allclose(results[0], results[2], rtol=1e-4)
    np.testing.assert_allclose(results[1], results[3], rtol=1e-4)


def test_base_is_as_in_torch():
    checks = {
        "x.view(12)[1:]": lambda x: x.view(12)[1:], "x.T": lambda x: x.T,
        "x[0].expand(2, 3)": lambda x: x[0].expand(2, 3), "x.diagonal()": lambda x: x.diagonal(),
        "x.as_strided((2,), (1,))": lambda x: x.as_strided((2,), (1,)),
        "x.unsqueeze(0)": lambda x: x.unsqueeze(0), "x.unbind(0)[1]": lambda x: x.unbind(0)[1],
        "x.narrow(0, 1, 2)": lambda x: x.narrow(0, 1, 2), "x.unfold(0, 2, 1)": lambda x:
        x.unfold(0, 2, 1), "x[None, ..., 1]": lambda x: x[None, ..., 1],
        "x.detach()": lambda x: x.detach(), "x.detach()[0]": lambda x: x.detach()[0],
        "x.data": lambda x: x.data, "x.T.reshape(-1)": lambda x: x.T.reshape(-1),
        "x.sum(0)": lambda x: x.sum(0), "x[[0, 2]]": lambda x: x[[0, 2]], "x * 1": lambda x: x * 1,
    }
    for text, make in checks.items():
        ours, theirs = minitorch.tensor(X), torch.tensor(X)
        made, reference = make(ours), make(theirs)
        if reference._base is None:
            assert made._base is None, text
        else:   # the base is x itself or (taken from x.detach()) x's detached alias
            assert (made._base is ours) == (reference._base is theirs), text
            assert made._base._base is None and made._base._storage is ours._storage, text
    parameter = minitorch.nn.Parameter(minitorch.tensor(X)[0])
    assert parameter._base is None and torch.nn.Parameter(torch.tensor(X)[0])._base is None


def test_ten_thousand_writes_through_views_run_and_backpropagate():
    x = minitorch.tensor(X, requires_grad=True)
    c = x * 1
    for step in range(10_000):
        c[step % 4] += 1
    (c * c).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (X + 2500), rtol=1e-5)
