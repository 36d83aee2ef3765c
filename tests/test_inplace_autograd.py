"""In-place ops that autograd records: each program runs unchanged in minitorch and in
PyTorch (the method names are the same), and the gradients must agree."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch


def run_both(program, *arrays):
    """program(lib, *leaves) -> loss, in minitorch and torch; the leaves' gradients."""
    results = []
    for lib in (minitorch, torch):
        leaves = [lib.tensor(np.asarray(a, np.float32), requires_grad=True) for a in arrays]
        program(lib, *leaves).backward()
        results.append([leaf.grad for leaf in leaves])
    return results


def assert_same_gradients(ours, theirs):
    for mine, reference in zip(ours, theirs):
        if reference is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-5, atol=1e-6)


X = np.linspace(0.2, 1.3, 6).reshape(2, 3)
R = np.linspace(-1.0, 0.9, 6).reshape(2, 3)

INPLACE_PROGRAMS = {
    "add_": lambda h, r: h.add_(r),
    "add_ alpha": lambda h, r: h.add_(r, alpha=0.5),
    "+=": lambda h, r: h.__iadd__(r),
    "-=": lambda h, r: h.__isub__(r),
    "*= tensor": lambda h, r: h.__imul__(r),
    "/= tensor": lambda h, r: h.__itruediv__(r + 3),
    "mul_ scalar": lambda h, r: h.mul_(2.5),
    "pow_": lambda h, r: h.pow_(2),
    "clamp_": lambda h, r: h.clamp_(-0.5, 0.6),
    "relu_": lambda h, r: h.sub_(0.5).relu_(),
    "exp_": lambda h, r: h.exp_(),
    "neg_": lambda h, r: h.neg_(),
    "sqrt_": lambda h, r: h.add_(0.1).sqrt_(),
    "sigmoid_": lambda h, r: h.sigmoid_(),
    "tanh_": lambda h, r: h.tanh_(),
    "masked_fill_": lambda h, r: h.masked_fill_(r > 0, 2.0),
}


@pytest.mark.parametrize("name", INPLACE_PROGRAMS)
def test_inplace_op_on_a_graph_tensor_matches_torch(backend_name, name):
    def program(lib, x, r):
        hidden = x * 2           # a non-leaf: PyTorch lets it be changed in place
        out = INPLACE_PROGRAMS[name](hidden, r)
        assert out is hidden and hidden.requires_grad
        return (hidden * hidden).sum()
    assert_same_gradients(*run_both(program, X, R))


def test_earlier_consumers_keep_the_old_values_gradient():
    def program(lib, x):
        y = x * 2
        z = y * 3                # uses y before the write: its gradient reaches x through y's old node
        y += 1
        y.mul_(y.detach() + 1)   # a second write chains onto the first
        return (z + y * y).sum()
    assert_same_gradients(*run_both(program, X))


def test_residual_block_written_in_place():
    def program(lib, x, w, r):
        hidden = x @ w
        hidden += r
        hidden.relu_()
        return hidden.pow(2).mean()
    assert_same_gradients(*run_both(program, X, np.linspace(-1, 1, 9).reshape(3, 3), R))


def test_writing_a_gradient_carrying_value_into_a_plain_tensor():
    def program(lib, w, v):
        buffer = lib.zeros(2, 3)           # requires no grad until written with w
        buffer[0] = w[0] * 2               # setitem, basic key
        buffer[1, lib.tensor([0, 2])] = v[1, :2]   # setitem, advanced key
        buffer[buffer > 0.5] = 0.25        # a constant over part of w's values
        assert buffer.requires_grad
        column = lib.zeros(3, 2)
        column.copy_(v[0])                 # copy_, broadcasting a row of 2
        total = lib.zeros(2)
        total += w[1, :2]                  # += on a plain tensor
        return (buffer * buffer).sum() + column.sum() + (total * total).sum()
    ours, theirs = run_both(lambda lib, w, v: program(lib, w, v[:, :2]), X, R)
    assert_same_gradients(ours, theirs)


def test_index_put_accumulate_and_fill_are_recorded():
    def program(lib, x, r):
        y = x * 1.5
        y.index_put_((lib.tensor([0, 0, 1]), lib.tensor([1, 1, 2])), r[0], accumulate=True)
        z = x + 1
        z.fill_(r[1, 1])                   # a one-element tensor: its gradient is z's sum
        w = x * 3
        w.zero_()                          # still in the graph, with zero gradient to x
        return (y * y).sum() + (z * x).sum() + (w + x).sum()
    assert_same_gradients(*run_both(program, X, R))


def test_retain_grad_follows_the_tensor_through_an_inplace_write():
    grads = []
    for lib in (minitorch, torch):
        x = lib.tensor(X.astype(np.float32), requires_grad=True)
        y = x * 2
        y.retain_grad()
        y += 1
        (y * y).sum().backward()
        grads.append(y.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_a_saved_tensor_written_in_place_is_still_an_error():
    x = minitorch.tensor(X, requires_grad=True)
    y = x.sigmoid()                        # its backward needs y itself
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_views_made_before_an_inplace_write_are_re_derived_from_their_base():
    x = minitorch.tensor(X, requires_grad=True)
    y = x * 2
    row = y[0]
    y += 1
    # row's graph said (x * 2)[0]; as in PyTorch, it now reads its row of y = x * 2 + 1
    np.testing.assert_allclose(row.detach().numpy(), X[0] * 2 + 1, rtol=1e-6)
    (row * 2).sum().backward()
    assert x.grad.tolist() == [[4.0, 4.0, 4.0], [0.0, 0.0, 0.0]]


def test_a_write_through_detach_makes_the_tensors_sharing_its_memory_refuse_gradients():
    x = minitorch.tensor(X, requires_grad=True)
    y = x * 2
    row = y[0]
    y.detach().copy_(x)                    # not a view: y's graph cannot follow the write
    for stale in (y, row):
        with pytest.raises(RuntimeError, match="shares memory with a tensor that an "
                                               "in-place op changed"):
            stale * 2


def test_a_view_written_in_place_rewrites_its_base_graph():
    x = minitorch.tensor(X, requires_grad=True)
    y = x * 2
    row = y[1]
    row.mul_(3)                            # y is now x * 2 with its row 1 times 3, as in PyTorch
    assert y.grad_fn.name() == "CopySlices"
    y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [[2.0, 2.0, 2.0], [6.0, 6.0, 6.0]]
    row.sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0, 2.0], [12.0, 12.0, 12.0]]
    with minitorch.no_grad():
        np.testing.assert_allclose((y * 1).numpy()[1], X[1] * 6, rtol=1e-6)


def test_inplace_refusals_happen_before_any_write():
    x = minitorch.tensor(X, requires_grad=True)
    counts = minitorch.zeros(2, 3, dtype="int64")
    with pytest.raises(TypeError, match="can't be cast to the desired output type int64"):
        counts += x                        # a float result does not fit an int64 tensor
    assert counts.tolist() == [[0, 0, 0], [0, 0, 0]] and not counts.requires_grad
    y = x * 2
    with pytest.raises(ValueError, match="doesn't match the broadcast shape"):
        y[0].add_(minitorch.ones(2, 3))
    np.testing.assert_allclose(y.detach().numpy(), X * 2, rtol=1e-6)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x.add_(1)


@pytest.mark.parametrize("write", [
    lambda w: w.unsqueeze(0).mul_(0), lambda w: w.reshape(3, 2).add_(1),
    lambda w: w.permute(1, 0).copy_(minitorch.ones(3, 2)), lambda w: w.reshape(6).fill_(3.0),
    lambda w: w.reshape(3, 2).reshape(6).sub_(1), lambda w: w[0:1].add_(1.0),
    lambda w: w[1][::2].fill_(3.0), lambda w: w[0].__setitem__(1, 5.0)])
def test_a_view_of_a_leaf_that_requires_grad_refuses_in_place_writes(write):
    w = minitorch.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        write(w)
    assert w.tolist() == minitorch.tensor(X).tolist()
    (w * 2).sum().backward()                       # the leaf still works in a graph
    assert w.grad.tolist() == [[2.0] * 3] * 2
    with minitorch.no_grad():                      # the way to edit a parameter in place
        w.reshape(6).fill_(1.0)
    w.detach().reshape(6).add_(1.0)                # so is a detached view
    assert w.tolist() == [[2.0] * 3] * 2
    y = w * 1                                      # a view of a non-leaf may be written
    y.reshape(6).add_(1.0)
    assert y.tolist() == [[3.0] * 3] * 2


@pytest.mark.parametrize("write", [
    lambda e: e.add_(minitorch.ones(2, 3)), lambda e: e.fill_(1.0),
    lambda e: e.copy_(minitorch.ones(2, 3)), lambda e: e.mul_(2)])
def test_writing_an_expanded_tensor_in_place_is_an_error(write):
    base = minitorch.zeros(3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        write(base.expand(2, 3))
    assert base.tolist() == [0.0, 0.0, 0.0]


def test_relu_inplace_module_trains_like_torch():
    weights = (np.linspace(-1, 1, 12).reshape(4, 3), np.linspace(1, -1, 8).reshape(2, 4))
    grads = []
    for lib in (minitorch, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(inplace=True),
                                  lib.nn.Linear(4, 2))
        for layer, weight in zip((model[0], model[2]), weights):
            with lib.no_grad():
                layer.weight.copy_(lib.tensor(weight.astype(np.float32)))
                layer.bias.fill_(0.1)
        model(lib.tensor(X.astype(np.float32))).pow(2).sum().backward()
        grads.append([p.grad.numpy() for p in model.parameters()])
    for mine, reference in zip(*grads):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    assert repr(minitorch.nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(minitorch.nn.ReLU()) == "ReLU()"


def test_functional_inplace_flags_write_into_their_input():
    from minitorch.nn import functional as F
    x = minitorch.tensor(R)
    assert F.relu(x, inplace=True) is x and x.min().item() == 0.0
    ones = minitorch.ones(4, 8)
    expected = F.dropout(minitorch.ones(4, 8), 0.5, generator=minitorch.Generator(3))
    assert F.dropout(ones, 0.5, inplace=True, generator=minitorch.Generator(3)) is ones
    assert ones.tolist() == expected.tolist()


def test_writing_a_gradient_carrying_value_into_an_integer_tensor_casts_it():
    w = minitorch.tensor([1.5, 2.5], requires_grad=True)
    counts = minitorch.zeros(3, dtype="int64")
    counts[0] = w[1] * 2
    copied = minitorch.zeros(2, dtype="int64")
    copied.copy_(w)
    # as in PyTorch: the values are truncated and no gradient can flow through integers
    assert counts.tolist() == [5, 0, 0] and copied.tolist() == [1, 2]
    assert not counts.requires_grad and not copied.requires_grad
    wider = minitorch.zeros(2, dtype="float64")
    wider.copy_(w)
    (wider * 2).sum().backward()
    assert wider.dtype is minitorch.float64 and w.grad.tolist() == [2.0, 2.0]


# ---- random programs ----------------------------------------------------------------------

STEPS = {   # (lib, a, b) -> the new value of a; the in-place ones return a itself
    "a += b": lambda lib, a, b: a.__iadd__(b),
    "a -= b": lambda lib, a, b: a.__isub__(b),
    "a *= b": lambda lib, a, b: a.__imul__(b),
    "a *= 0.5": lambda lib, a, b: a.mul_(0.5),
    "a.tanh_()": lambda lib, a, b: a.tanh_(),
    "a.clamp_(-1, 1)": lambda lib, a, b: a.clamp_(-1.0, 1.0),
    "a[0] = b[1]": lambda lib, a, b: a.__setitem__(0, b[1]) or a,
    "a = a * b": lambda lib, a, b: a * b,
    "a = a + 1": lambda lib, a, b: a + 1,
    "a = a.sigmoid()": lambda lib, a, b: a.sigmoid(),
}


def _run_program(lib, steps):
    """Gradients of x and r after `steps` over three non-leaf tensors made from them, or
    the type of the error the program raised."""
    x = lib.tensor(X.astype(np.float32), requires_grad=True)
    r = lib.tensor(R.astype(np.float32), requires_grad=True)
    values = [x * 1.0, r * 2.0, x + r]
    try:
        for name, i in steps:
            values[i] = STEPS[name](lib, values[i], values[(i + 1) % 3])
        sum((v * v).sum() for v in values).backward()
    except RuntimeError:
        return RuntimeError
    return x.grad.numpy(), r.grad.numpy()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 2)), max_size=7))
def test_random_programs_of_inplace_and_out_of_place_ops_match_torch(steps):
    theirs = _run_program(torch, steps)
    if theirs is RuntimeError:
        # PyTorch refuses a backward whose saved tensor was overwritten; minitorch may
        # refuse too, or (having saved a clone where PyTorch saves the output) succeed
        return
    ours = _run_program(minitorch, steps)
    assert ours is not RuntimeError, f"minitorch refused what PyTorch ran: {steps}"
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-5)
