"""Autograd API differences that differential fuzzing found against torch: grad modes as
calls, context managers and decorators (generator functions too), inference mode,
in-place .grad accumulation, second backward through a graph that saved nothing, graph
node hooks, grad(materialize_grads=True), and Tensor's detach_ and _version rules. Each
scenario runs on both libraries and must agree."""
import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

def values(tensor):
    return np.asarray(tensor.detach().numpy()).tolist()


def both(scenario):
    """scenario(lib) run on minitorch and on torch; both results, to compare."""
    return scenario(minitorch), scenario(torch)


# ---- grad modes -------------------------------------------------------------------------
def grad_mode_transitions(lib):
    seen = [lib.is_grad_enabled()]
    lib.set_grad_enabled(False)                 # a plain call switches at once
    seen.append(lib.is_grad_enabled())
    with lib.set_grad_enabled(True):
        seen.append(lib.is_grad_enabled())
    seen.append(lib.is_grad_enabled())          # the mode from before that call is back
    lib.set_grad_enabled(True)
    kept = lib.set_grad_enabled(False)          # called, later used as a context manager
    with kept:
        seen.append(lib.is_grad_enabled())
    seen.append(lib.is_grad_enabled())          # back to the mode before the call

    @lib.set_grad_enabled(False)                # as a decorator: no change until called
    def inside():
        return lib.is_grad_enabled()
    seen += [lib.is_grad_enabled(), inside(), lib.is_grad_enabled()]
    return seen


def test_set_grad_enabled_as_call_context_and_decorator():
    try:
        mine, theirs = both(grad_mode_transitions)
    finally:
        minitorch.set_grad_enabled(True)
        torch.set_grad_enabled(True)
    assert mine == theirs == [True, False, True, False, False, True, True, False, True]


def generator_modes(lib):
    """The modes seen inside decorated generators and by their caller between yields,
    through next(), send(), throw() and close(): (what the caller saw, what the body
    recorded)."""
    seen, events = [], []

    def modes():
        return (lib.is_grad_enabled(), lib.is_inference_mode_enabled())

    def body():
        try:
            received = yield modes()
            events.append(("received", received, modes()))
            yield modes()
            yield modes()
        except KeyError:
            events.append(("thrown", modes()))
            yield modes()
        finally:
            events.append(("closing", modes()))

    # made one at a time: set_grad_enabled(False) switches grad off when called
    for make_decorator in (lib.no_grad, lib.inference_mode,
                           lambda: lib.set_grad_enabled(False)):
        generator = make_decorator()(body)()
        seen += [next(generator), modes(), generator.send("sent"), modes(),
                 generator.throw(KeyError("k")), modes()]
        generator.close()
        seen.append(modes())
    with lib.no_grad():
        generator = lib.enable_grad()(body)()
        seen += [next(generator), modes()]
        generator.close()
    return seen, events


def test_mode_decorators_apply_to_each_resumption_of_a_generator():
    mine, theirs = both(generator_modes)
    assert mine == theirs
    assert mine[0][:2] == [(False, False), (True, False)]


def inference_modes(lib):
    seen = [lib.is_inference_mode_enabled()]
    with lib.inference_mode():
        seen.append((lib.is_inference_mode_enabled(), lib.is_grad_enabled()))
        with lib.inference_mode(False):
            seen.append((lib.is_inference_mode_enabled(), lib.is_grad_enabled()))
        seen.append((lib.is_inference_mode_enabled(), lib.is_grad_enabled()))
    with lib.no_grad(), lib.inference_mode(False):
        seen.append((lib.is_inference_mode_enabled(), lib.is_grad_enabled()))

    @lib.inference_mode()
    def decorated():
        return lib.is_inference_mode_enabled()
    seen += [decorated(), lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
    return seen


def test_inference_mode_nests_and_restores():
    mine, theirs = both(inference_modes)
    assert mine == theirs
    assert mine[1] == (True, False)


# ---- .grad accumulation and a second backward -------------------------------------------
def accumulation(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad
    (x * 3).sum().backward()
    in_place = first is x.grad
    x.grad = None
    (x * x).sum().backward(create_graph=True)
    first_graph = x.grad
    (x * 3).sum().backward(create_graph=True)   # recorded: a new .grad holding the sum
    return in_place, values(first), first_graph is x.grad, values(x.grad)


def test_second_backward_accumulates_into_grad_in_place():
    mine, theirs = both(accumulation)
    assert mine == theirs == (True, [5.0, 5.0], False, [5.0, 7.0])


def backward_twice(lib, make_loss):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    loss = make_loss(x)
    loss.backward()
    try:
        loss.backward()
    except RuntimeError as error:
        assert "backward through the graph a second time" in str(error)
        return "raises", values(x.grad)
    return "runs", values(x.grad)


SECOND_BACKWARD_LOSSES = [   # torch runs the first three again, and refuses the others
    lambda x: (x + 1).sum(), lambda x: x.sum(), lambda x: (-x).view(2, 1).sum(),
    lambda x: (x * 2).sum(), lambda x: (x * x).sum(), lambda x: (x + 1).exp().sum()]


def test_second_backward_raises_only_where_saved_tensors_were_freed():
    mine, theirs = both(lambda lib: [backward_twice(lib, make_loss)
                                     for make_loss in SECOND_BACKWARD_LOSSES])
    assert mine == theirs
    assert [outcome for outcome, _ in mine] == ["runs"] * 3 + ["raises"] * 3


def test_backward_keeps_the_graph_edges():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    product = x * x
    loss = product.sum()
    loss.backward()
    (node, _), = loss.grad_fn.next_functions
    assert node is product.grad_fn and node.released
    assert node.next_functions[0][0].variable is x


# ---- graph node hooks -------------------------------------------------------------------
def node_hooks(lib):
    """Tensor hook, retain_grad, two prehooks and two posthooks (replacing and observing)
    on one node; the order and what each saw."""
    log = []

    def listed(grads):
        return [None if g is None else values(g) for g in grads]

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * lib.tensor([3.0, 4.0])
    y.register_hook(lambda g: log.append(("tensor", values(g))) or g * 2)
    y.retain_grad()
    y.grad_fn.register_prehook(lambda go: log.append(("pre1", listed(go))) or (go[0] * 10,))
    y.grad_fn.register_prehook(lambda go: log.append(("pre2", listed(go))))
    y.grad_fn.register_hook(lambda gi, go: log.append(("post1", listed(gi), listed(go)))
                            or (gi[0] + 1, None))
    y.grad_fn.register_hook(lambda gi, go: log.append(("post2", listed(gi), listed(go))))
    removed = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, None))
    removed.remove()
    y.sum().backward()
    a = lib.ones(2, 3, requires_grad=True)
    b = lib.ones(3, requires_grad=True)
    total = a + b   # broadcast: grad_inputs come reduced to each input's shape
    total.grad_fn.register_hook(
        lambda gi, go: log.append(("broadcast", [tuple(g.shape) for g in gi])))
    total.sum().backward()
    return log, values(x.grad), values(y.grad)


def test_node_hooks_order_and_replacements():
    mine, theirs = both(node_hooks)
    assert mine == theirs
    assert mine[1] == [61.0, 81.0]


def failing_node_hook(lib, register):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * lib.tensor([3.0, 4.0])
    register(y.grad_fn)
    with pytest.raises((RuntimeError, TypeError)) as caught:
        y.sum().backward()
    return caught.type, [phrase for phrase in (
        "incorrect number of values", "expected tuple", "changed the size",
        "can't replace a None gradient") if phrase in str(caught.value)]


@pytest.mark.parametrize("register", [
    lambda node: node.register_hook(lambda gi, go: (gi[0],) * 3),
    lambda node: node.register_prehook(lambda go: (go[0], go[0])),
    lambda node: node.register_prehook(lambda go: go[0]),
    lambda node: node.register_hook(lambda gi, go: [gi[0], None]),
    lambda node: node.register_prehook(lambda go: (go[0][:1],)),
    lambda node: node.register_hook(lambda gi, go: (gi[0], gi[0]))],
    ids=["post-count", "pre-count", "pre-not-tuple", "post-list", "pre-size", "post-none"])
def test_node_hook_results_are_checked(register):
    mine, theirs = both(lambda lib: failing_node_hook(lib, register))
    assert mine == theirs and mine[1]


# ---- grad(materialize_grads=True) -------------------------------------------------------
def materialized(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    unused = lib.tensor([[1.0], [2.0]], requires_grad=True)
    plain = lib.autograd.grad((x * x).sum(), [x, unused], materialize_grads=True)
    graph = lib.autograd.grad((x * x).sum(), [x, unused], materialize_grads=True,
                              create_graph=True)
    with pytest.raises(ValueError, match="allow_unused"):
        lib.autograd.grad((x * x).sum(), [x, unused], materialize_grads=True,
                          allow_unused=False)
    return ([(values(g), tuple(g.shape), g.requires_grad) for g in plain + graph])


def test_grad_materialize_grads():
    mine, theirs = both(materialized)
    assert mine == theirs
    assert mine[1] == ([[0.0], [0.0]], (2, 1), False)


def test_grad_is_grads_batched_is_refused_by_name():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="is_grads_batched"):
        minitorch.autograd.grad((x * x).sum(), x, is_grads_batched=True)


# ---- Tensor: detach_, _version, .data ---------------------------------------------------
def detach_in_place(lib, make_view):
    """The error detach_() raises on a view (None if it does not)."""
    view = make_view(lib, lib.ones(3, requires_grad=True))
    try:
        view.detach_()
    except RuntimeError as error:
        return str(error).split(".")[0]
    return None


@pytest.mark.parametrize("make_view", [
    lambda lib, x: x[:2], lambda lib, x: x.view(3, 1), lambda lib, x: x.detach()[:2],
    lambda lib, x: lib.ones(3)[1:]], ids=["slice", "view", "of-detached", "no-grad"])
def test_detach_in_place_refuses_views(make_view):
    mine, theirs = both(lambda lib: detach_in_place(lib, make_view))
    assert mine == theirs == "Can't detach views in-place"


def versions(lib):
    t = lib.ones(3)
    seen = [t._version]
    t.add_(1)
    t[0] = 2
    seen.append(t._version)
    view = t[:2]
    view.mul_(2)
    seen.append((t._version, view._version))
    t.detach().add_(1)                  # detach() shares the tensor's counter
    t.zero_()
    seen.append(t._version)
    return seen


def test_version_counter_as_torch():
    mine, theirs = both(versions)
    assert mine == theirs == [0, 2, (3, 3), 5]
