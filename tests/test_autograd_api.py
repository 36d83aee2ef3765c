"""Tensor.register_hook, minitorch.autograd.grad/backward, backward(inputs=) and
inference_mode, checked against PyTorch."""
import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch import autograd  # noqa: E402

DATA = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]


def pair(data=DATA):
    """The same leaf in minitorch and torch (float64)."""
    return (minitorch.tensor(data, dtype="float64", requires_grad=True),
            torch.tensor(data, dtype=torch.float64, requires_grad=True))


def close(mine, theirs):
    np.testing.assert_allclose(np.asarray(mine.numpy()), theirs.detach().numpy(),
                               rtol=1e-12, atol=1e-12)


# ---- hooks ------------------------------------------------------------------------------
def run_hook_scenario(lib, x, log):
    """A leaf and a non-leaf with hooks (observing, replacing, ordered, one removed),
    retain_grad on the non-leaf, two backward calls accumulating into the leaf."""
    y = x * 3
    y.retain_grad()   # registered first: still runs after the hooks, as in PyTorch
    y.register_hook(lambda g: log.append(("y1", g.clone())))
    y.register_hook(lambda g: g * 2)
    y.register_hook(lambda g: log.append(("y3", g.clone())))
    removed = y.register_hook(lambda g: g * 1000)
    removed.remove()
    removed.remove()   # a second remove does nothing
    x.register_hook(lambda g: log.append(("x", g.clone())))
    x.register_hook(lambda g: g + 1)
    (y * y).sum().backward(retain_graph=True)
    (y * x).sum().backward()
    return y


def test_hooks_match_torch():
    x, tx = pair()
    log, tlog = [], []
    y = run_hook_scenario(minitorch, x, log)
    ty = run_hook_scenario(torch, tx, tlog)
    assert [name for name, _ in log] == [name for name, _ in tlog]
    for (_, mine), (_, theirs) in zip(log, tlog):
        close(mine, theirs)
    close(x.grad, tx.grad)
    close(y.grad, ty.grad)


def test_hook_order_relative_to_retain_grad():
    for retain_first in (True, False):
        x, tx = pair()
        results = []
        for tensor in (x, tx):
            y = tensor * 3
            if retain_first:
                y.retain_grad()
            y.register_hook(lambda g: g * 2)
            if not retain_first:
                y.retain_grad()
            (y * y).sum().backward()
            results.append((y.grad, tensor.grad))
        close(results[0][0], results[1][0])
        close(results[0][1], results[1][1])


def test_leaf_hook_sees_summed_gradient_once_per_backward():
    x, tx = pair()
    seen, tseen = [], []
    x.register_hook(lambda g: seen.append(g.clone()))
    tx.register_hook(lambda g: tseen.append(g.clone()))
    (x * 2 + x * x).sum().backward()
    (tx * 2 + tx * tx).sum().backward()
    assert len(seen) == len(tseen) == 1
    close(seen[0], tseen[0])


def test_hook_refused_without_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minitorch.ones(2).register_hook(lambda g: g)


def test_hook_changing_shape_is_refused():
    x, _ = pair()
    y = x * 2
    y.register_hook(lambda g: minitorch.ones(3, dtype="float64"))
    with pytest.raises(RuntimeError, match="changed the size"):
        y.sum().backward()


def test_hook_registered_before_inplace_sees_old_values_gradient():
    x, tx = pair()
    seen, tseen = [], []
    for tensor, log in ((x, seen), (tx, tseen)):
        y = tensor * 1
        y.register_hook(lambda g, log=log: log.append(g.clone()))
        y.mul_(3)
        (y * y).sum().backward()
    close(seen[0], tseen[0])


# ---- autograd.grad -----------------------------------------------------------------------
FUNCTIONS = [
    lambda lib, a, b: ((a * b).exp().sum(),),
    lambda lib, a, b: ((a @ b.T).tanh().sum(), (a - b).pow(2).mean()),
    lambda lib, a, b: (lib.relu(a).sum(dim=1), (a / (b * b + 1)).sum(dim=0)),
]


@pytest.mark.parametrize("index", range(len(FUNCTIONS)))
def test_grad_matches_torch_and_leaves_grad_untouched(index):
    (a, ta), (b, tb) = pair(), pair([[1.0, 2.0, -0.5], [0.3, -1.2, 0.7]])
    outputs, toutputs = FUNCTIONS[index](minitorch, a, b), FUNCTIONS[index](torch, ta, tb)
    weights = [None if out.numel() == 1 else np.linspace(1, 2, out.numel()).reshape(out.shape)
               for out in toutputs]
    mine = autograd.grad(outputs, [a, b], grad_outputs=[
        None if w is None else minitorch.tensor(w, dtype="float64") for w in weights])
    theirs = torch.autograd.grad(toutputs, [ta, tb], grad_outputs=[
        None if w is None else torch.tensor(w) for w in weights])
    assert isinstance(mine, tuple) and len(mine) == 2
    for m, t in zip(mine, theirs):
        close(m, t)
    assert a.grad is None and b.grad is None


def test_grad_single_tensor_and_non_leaf_input():
    (a, ta) = pair()
    results = []
    for grad, x in ((autograd.grad, a), (torch.autograd.grad, ta)):
        h = x * 2
        h.register_hook(lambda g: g * 10)   # applied to what flows on, not to h's result
        results.append(grad((h * h * x).sum(), [h, x]))
    for m, t in zip(*results):
        close(m, t)
    (g,) = autograd.grad((a * a).sum(), a)
    close(g, torch.autograd.grad((ta * ta).sum(), ta)[0])


def test_grad_leaf_hooks_apply_and_retained_grad_untouched():
    a, ta = pair()
    a.register_hook(lambda g: g * 100)
    ta.register_hook(lambda g: g * 100)
    y = a * 2
    y.retain_grad()
    (g,) = autograd.grad((y * 3).sum(), a)
    close(g, torch.autograd.grad((ta * 2 * 3).sum(), ta)[0])
    assert y.grad is None and a.grad is None   # minitorch's grad() touches no .grad


def test_grad_allow_unused_and_errors():
    (a, _), (b, _) = pair(), pair()
    with pytest.raises(RuntimeError, match="index 1 appears to not have been used"):
        autograd.grad((a * 2).sum(), [a, b], retain_graph=True)
    ga, gb = autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    assert gb is None
    np.testing.assert_allclose(ga.numpy(), 2.0)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
        autograd.grad(a * 2, a)
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad(minitorch.ones(1).sum(), a)
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((a * 2).sum(), minitorch.ones(2))
    with pytest.raises(RuntimeError, match="gradient has shape"):
        autograd.grad((a * 2).sum(), a, grad_outputs=minitorch.ones(3, dtype="float64"))
    with pytest.raises(RuntimeError, match="one per output"):
        autograd.grad((a * 2).sum(), a, grad_outputs=[None, None])
    with pytest.raises(RuntimeError, match="non-empty inputs"):
        autograd.grad((a * 2).sum(), [])


def test_grad_frees_graph_unless_retained():
    a, _ = pair()
    loss = (a * a).sum()
    autograd.grad(loss, a, retain_graph=True)
    autograd.grad(loss, a)
    with pytest.raises(RuntimeError, match="second time"):
        autograd.grad(loss, a)


def test_grad_runs_only_the_graph_leading_to_inputs():
    a, _ = pair()
    b = minitorch.ones(2, 3, dtype="float64", requires_grad=True)
    fired = []
    b.register_hook(lambda g: fired.append(g))
    h = a * b          # below h: not needed for d/dh
    autograd.grad((h * 2).sum(), h)
    assert fired == []
    (h * 2).sum().backward()   # h's node kept its graph
    np.testing.assert_allclose(b.grad.numpy(), 2 * a.detach().numpy())


# ---- backward(inputs=) and autograd.backward ----------------------------------------------
def test_backward_inputs_matches_torch():
    (a, ta), (b, tb) = pair(), pair([[1.0, 2.0, -0.5], [0.3, -1.2, 0.7]])
    results = []
    for x, y in ((a, b), (ta, tb)):
        z = x * y
        z.retain_grad()
        w = z * 3
        w.retain_grad()
        (w * w).sum().backward(inputs=[z, x])
        results.append((z.grad, w.grad, x.grad, y.grad))
    for m, t in zip(*results):
        if t is None:
            assert m is None
        else:
            close(m, t)


def test_backward_inputs_unused_and_empty():
    (a, ta), (c, tc) = pair(), pair()
    (a * 2).sum().backward(inputs=[a, c])
    (ta * 2).sum().backward(inputs=[ta, tc])
    close(a.grad, ta.grad)
    assert c.grad is None and tc.grad is None
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (a * 2).sum().backward(inputs=[])


def test_autograd_backward_several_outputs():
    (a, ta) = pair()
    weight = np.arange(6.0).reshape(2, 3)
    autograd.backward([(a * a).sum(), a.exp()], [None, minitorch.tensor(weight)])
    torch.autograd.backward([(ta * ta).sum(), ta.exp()], [None, torch.tensor(weight)])
    close(a.grad, ta.grad)


# ---- inference_mode -----------------------------------------------------------------------
def test_inference_mode_context_and_decorator():
    a, _ = pair()
    with minitorch.autograd.inference_mode():
        assert not (a * 2).requires_grad
        assert not minitorch.is_grad_enabled()
    assert minitorch.is_grad_enabled()
    with minitorch.autograd.inference_mode(False):
        assert (a * 2).requires_grad

    @minitorch.autograd.inference_mode()
    def double(x):
        return x * 2
    assert not double(a).requires_grad
    assert minitorch.is_grad_enabled()


def _skeleton(node, leaves):
    """A graph below node as nested tuples: "leaf i" for the AccumulateGrad of
    leaves[i], None where no gradient flows, (name-free) tuples for other nodes."""
    if node is None:
        return None
    if node.name().endswith("AccumulateGrad"):   # torch: "torch::autograd::AccumulateGrad"
        assert node.next_functions == ()
        return f"leaf {[id(leaf) for leaf in leaves].index(id(node.variable))}"
    assert all(index == 0 for _, index in node.next_functions)
    return tuple(_skeleton(child, leaves) for child, _ in node.next_functions)


@pytest.mark.parametrize("build", [
    lambda lib, a, b, c: (a * 2 + c).sum(),
    lambda lib, a, b, c: (a * b).exp().sum() + a.sum(),
    lambda lib, a, b, c: a.relu().max() * (b - c).sigmoid().sum(),
])
def test_grad_fn_graph_shape_matches_torch(build):
    """next_functions walks the same graph as torch's: the same edges to the same
    leaves (as AccumulateGrad nodes holding them), None where no gradient flows.
    (Node names are minitorch's ops: SumBackward where torch says SumBackward0; and
    a composite such as mean is several nodes here, one in torch.)"""
    data = [np.random.default_rng(i).standard_normal(4).astype(np.float32) for i in range(3)]
    ours = [minitorch.tensor(data[0], requires_grad=True),
            minitorch.tensor(data[1], requires_grad=True), minitorch.tensor(data[2])]
    theirs = [torch.tensor(data[0], requires_grad=True),
              torch.tensor(data[1], requires_grad=True), torch.tensor(data[2])]
    result, expected = build(minitorch, *ours), build(torch, *theirs)
    assert _skeleton(result.grad_fn, ours) == _skeleton(expected.grad_fn, theirs)


def test_grad_fn_names_and_repr():
    a = minitorch.ones(2, requires_grad=True)
    total = (a * 3).sum()
    assert total.grad_fn.name() == "SumBackward"
    assert repr(total).endswith("grad_fn=<SumBackward>)")
    assert repr(total.grad_fn).startswith("<SumBackward object at 0x")
    (mul, _), = total.grad_fn.next_functions
    assert mul.name() == "MulBackward"
    assert mul.next_functions[0][0].variable is a and mul.next_functions[1] == (None, 0)
    assert a.grad_fn is None
    total.backward()
    assert total.grad_fn.next_functions == ((mul, 0),)   # backward keeps edges, as torch


def test_post_accumulate_grad_hooks_as_torch():
    """hook(tensor) runs after .grad is updated, every backward, in registration order;
    an optimizer can step from it (torch's optimizer-in-backward pattern)."""
    def run(lib):
        calls = []
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        first = w.register_post_accumulate_grad_hook(
            lambda t: calls.append(("first", t.grad.tolist())))
        w.register_post_accumulate_grad_hook(lambda t: calls.append(("second", t is w)))
        (w * w).sum().backward()
        first.remove()
        (w * 3).sum().backward()
        optimizer = lib.optim.SGD([w], lr=0.5)

        def step_now(tensor):
            optimizer.step()
            optimizer.zero_grad()
        w.register_post_accumulate_grad_hook(step_now)
        (w * w).sum().backward()
        return calls, w.tolist(), w.grad
    ours, theirs = run(minitorch), run(torch)
    assert ours[:2] == theirs[:2] and ours[2] is None and theirs[2] is None


def test_post_accumulate_grad_hook_only_on_leaves_that_require_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minitorch.ones(2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (minitorch.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print)
