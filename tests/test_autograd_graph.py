"""minitorch.autograd.graph against torch.autograd.graph: saved-tensor hooks (what they
receive, when they run, nesting, user Functions, in-place writes, their errors),
disable_saved_tensors_hooks, save_on_cpu, Node, gradient edges, increment_version."""
import pytest
import torch
from nn_helpers import assert_close, backend, normal  # noqa: F401

import minitorch
from minitorch.autograd import graph


def _pair(shape, dtype, seed=0, requires_grad=True):
    values = normal(shape, dtype, seed)
    return (minitorch.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


def _model(x, w):
    """A small graph of several ops that save tensors; x may be batched or not."""
    return ((x @ w).tanh() * x.exp()).sum()


class _Recorder:
    """pack/unpack hooks that count their calls; pack keeps a clone (so later in-place
    writes to the original do not reach backward)."""

    def __init__(self, clone=True):
        self.packed, self.unpacked, self.clone = [], 0, clone

    def pack(self, tensor):
        self.packed.append(tensor)
        return tensor.clone() if self.clone else tensor

    def unpack(self, tensor):
        self.unpacked += 1
        return tensor


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3,), (2, 3)], ids=["unbatched", "batched"])
def test_hooks_pack_and_unpack_saved_tensors_gradients_as_torch(backend, dtype, shape):
    x, tx = _pair(shape, dtype)
    w, tw = _pair((3, 3), dtype, seed=1)
    ours, theirs = _Recorder(), _Recorder()
    with graph.saved_tensors_hooks(ours.pack, ours.unpack):
        loss = _model(x, w)
    with torch.autograd.graph.saved_tensors_hooks(theirs.pack, theirs.unpack):
        tloss = _model(tx, tw)
    assert ours.packed and ours.unpacked == 0   # packed when recorded, unpacked on use
    loss.backward()
    tloss.backward()
    assert ours.unpacked > 0
    assert_close(x.grad, tx.grad, dtype)
    assert_close(w.grad, tw.grad, dtype)


def test_pack_hook_gets_the_saved_tensor_itself():
    x, tx = _pair((2, 3), "float32")
    ours, theirs = _Recorder(clone=False), _Recorder(clone=False)
    with graph.saved_tensors_hooks(ours.pack, ours.unpack):
        x * x
    with torch.autograd.graph.saved_tensors_hooks(theirs.pack, theirs.unpack):
        tx * tx
    assert [t is x for t in ours.packed] == [t is tx for t in theirs.packed] == [True, True]


def test_hooks_do_not_run_where_nothing_is_recorded():
    x, _ = _pair((2, 3), "float32")
    constant, _ = _pair((2, 3), "float32", requires_grad=False)
    recorder = _Recorder()
    with graph.saved_tensors_hooks(recorder.pack, recorder.unpack):
        constant.exp() * constant
        with minitorch.no_grad():
            x.exp() * x
    assert recorder.packed == []


def test_non_contiguous_saved_tensor_is_packed_and_gives_the_gradient():
    x, tx = _pair((3, 2), "float64")
    recorder = _Recorder()
    with graph.saved_tensors_hooks(recorder.pack, recorder.unpack):
        loss = (x.T * x.T).sum()
    assert any(t.shape == (2, 3) for t in recorder.packed)
    loss.backward()
    (tx.T * tx.T).sum().backward()
    assert_close(x.grad, tx.grad, "float64")


def test_innermost_context_packs_and_its_unpack_hook_unpacks():
    x, _ = _pair((3,), "float32")
    outer, inner = _Recorder(), _Recorder()
    with graph.saved_tensors_hooks(outer.pack, outer.unpack):
        with graph.saved_tensors_hooks(inner.pack, inner.unpack):
            first = x.exp()
        second = x.exp()
    saved_count = len(inner.packed)
    assert saved_count > 0 and len(outer.packed) == saved_count
    with graph.saved_tensors_hooks(outer.pack, outer.unpack):   # unpacking in another context
        first.sum().backward()
    assert (inner.unpacked, outer.unpacked) == (saved_count, 0)
    second.sum().backward()
    assert outer.unpacked == saved_count


def test_every_read_unpacks_again():
    x, _ = _pair((3,), "float32")
    recorder = _Recorder()
    with graph.saved_tensors_hooks(recorder.pack, recorder.unpack):
        y = x.exp()
    y.grad_fn.saved_tensors
    y.grad_fn.saved_tensors
    assert recorder.unpacked == 2 * len(recorder.packed) > 0


class _Cube(minitorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 3 * x * x * grad


def test_hooks_apply_to_user_functions():
    x, tx = _pair((2, 3), "float64")
    recorder = _Recorder(clone=False)
    with graph.saved_tensors_hooks(recorder.pack, recorder.unpack):
        y = _Cube.apply(x)
    assert len(recorder.packed) == 1 and recorder.packed[0] is x
    y.sum().backward()
    assert recorder.unpacked == 1
    (tx ** 3).sum().backward()
    assert_close(x.grad, tx.grad, "float64")


def test_hooked_tensors_skip_the_in_place_check_as_in_torch():
    """Without hooks, a write after saving is refused; with hooks that keep a copy,
    backward uses the values saved (torch does not check versions of hooked tensors)."""
    results = []
    for library in (minitorch, torch):
        hooks = (graph.saved_tensors_hooks if library is minitorch
                 else torch.autograd.graph.saved_tensors_hooks)
        leaf = library.tensor([1.0, 2.0, 3.0], requires_grad=True)
        kept = leaf * 1
        with hooks(lambda t: t.clone(), lambda t: t):
            product = kept * kept
        kept.add_(1)
        product.sum().backward()
        results.append(leaf.grad.tolist())
    assert results[0] == results[1] == [2.0, 4.0, 6.0]
    leaf = minitorch.tensor([1.0, 2.0], requires_grad=True)
    kept = leaf * 1
    product = kept * kept
    kept.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        product.sum().backward()


def test_hooks_reach_a_create_graph_backward():
    """Unpacked tensors stand for the saved ones in a create_graph pass, even when the
    pack hook kept a copy detached from the graph (as torch does)."""
    x, tx = _pair((3,), "float64")
    with graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
        y = (x * x).exp().sum()
    grad, = minitorch.autograd.grad(y, x, create_graph=True)
    grad.sum().backward()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
        ty = (tx * tx).exp().sum()
    tgrad, = torch.autograd.grad(ty, tx, create_graph=True)
    tgrad.sum().backward()
    assert_close(x.grad, tx.grad, "float64")


def test_unpack_hook_must_return_a_tensor():
    x, _ = _pair((3,), "float32")
    with graph.saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = x.exp()
    with pytest.raises(TypeError, match="ExpBackward|Exp.backward.*unpack_hook.*int"):
        y.sum().backward()


def test_pack_hook_must_not_write_its_input():
    x, _ = _pair((3,), "float32")
    source = x.detach().clone().requires_grad_()
    with graph.saved_tensors_hooks(lambda t: t.add_(0), lambda t: t):
        with pytest.raises(RuntimeError, match="pack hook is modifying its input in place"):
            source * x.detach()


def test_disable_saved_tensors_hooks():
    x, _ = _pair((3,), "float32")
    with graph.disable_saved_tensors_hooks("outer message"):
        with graph.disable_saved_tensors_hooks("inner message"):
            with pytest.raises(RuntimeError, match="inner message"):
                graph.saved_tensors_hooks(lambda t: t, lambda t: t).__enter__()
        with pytest.raises(RuntimeError, match="outer message"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
        x.exp().sum().backward()   # saving without hooks still works
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        with pytest.raises(RuntimeError, match="refused while active"):
            with graph.disable_saved_tensors_hooks("refused while active"):
                pass
    recorder = _Recorder()
    with graph.saved_tensors_hooks(recorder.pack, recorder.unpack):   # usable again
        x.exp()
    assert recorder.packed


def test_save_on_cpu_keeps_the_tensors_and_the_gradients(backend):
    x, tx = _pair((2, 3), "float32")
    w, tw = _pair((3, 3), "float32", seed=1)
    with graph.save_on_cpu(pin_memory=True):
        loss = _model(x, w)
        assert minitorch.autograd.node._saved_tensors_hooks   # a hooks context is active
    with torch.autograd.graph.save_on_cpu(pin_memory=False):
        tloss = _model(tx, tw)
    loss.backward()
    tloss.backward()
    assert_close(x.grad, tx.grad, "float32")
    assert_close(w.grad, tw.grad, "float32")


def test_node_is_the_type_of_every_grad_fn():
    x, _ = _pair((2, 3), "float32")
    y = x.exp() * x
    assert isinstance(y.grad_fn, graph.Node)
    assert all(isinstance(node, graph.Node) for node, _ in y.grad_fn.next_functions)
    accumulate, _ = y.grad_fn.next_functions[1]
    assert isinstance(accumulate, graph.Node) and accumulate.variable is x
    assert isinstance(_Cube.apply(x).grad_fn, graph.Node)
    assert not isinstance(x, graph.Node) and not isinstance(None, graph.Node)


def test_get_gradient_edge():
    x, _ = _pair((2, 3), "float32")
    y = x.exp()
    node, output_nr = graph.get_gradient_edge(y)
    assert node is y.grad_fn and output_nr == 0
    leaf_edge = graph.get_gradient_edge(x)
    assert isinstance(leaf_edge, graph.GradientEdge)
    assert leaf_edge.node.name() == "AccumulateGrad" and leaf_edge.node.variable is x
    with pytest.raises(RuntimeError, match="get_gradient_edge.*does not require gradients"):
        graph.get_gradient_edge(x.detach())


def test_increment_version_makes_backward_refuse_the_saved_tensor():
    x, _ = _pair((3,), "float32")
    other, _ = _pair((3,), "float32", seed=1)
    y = x.exp()
    version = y._storage.version
    graph.increment_version([y, other])
    assert y._storage.version == version + 1
    with pytest.raises(RuntimeError, match="ExpBackward|Exp.backward.*in-place"):
        y.sum().backward()
    z = x.exp()
    graph.increment_version(z)
    with pytest.raises(RuntimeError, match="in-place"):
        z.sum().backward()
    with pytest.raises(TypeError, match="increment_version: expected a tensor .* float"):
        graph.increment_version([other, 1.0])
    assert other._storage.version == 1   # refused before bumping any
