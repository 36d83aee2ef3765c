"""The backward pass (Kahn's algorithm, as PyTorch's engine) and the torch.autograd API
that runs it: `backward`, `grad`."""
import warnings
from itertools import zip_longest

from .anomaly_mode import _anomaly_enabled, check_nan
from .grad_mode import _grad_enabled
from .hooks import (_leaf_grad, _leaf_hooks, _post_accumulate_hooks, _run_hooks,
                    run_node_hooks)
from .node import Function, _check_current, _edges, _rebases


# one record per backward pass running (nested passes: innermost last): (the list of
# what to call once that pass has computed every gradient, what it will reach (see
# _will_run) or None), for register_multi_grad_hook's "all" mode
_passes = []
_multi_grad_hooks = [0]   # how many are registered; while 0, a pass finds no _will_run


def _as_tuple(tensors):
    """A tensor, or a sequence of tensors, as a tuple."""
    return (tensors,) if hasattr(tensors, "_storage") else tuple(tensors)


def _seed(output, gradient, caller, index, create_graph):
    """The gradient a pass from output starts from, validated by output
    (Tensor._gradient_seed: None is ones for a one-element output). A pass recording its
    own graph keeps a gradient that requires grad in it, as PyTorch does (what
    jvp's "double backward" differentiates with respect to)."""
    seed = output._gradient_seed(gradient, caller, index)
    if create_graph and getattr(gradient, "requires_grad", False):
        return gradient.to(output.dtype)
    return seed


def _seeds(outputs, grad_outputs, caller, create_graph):
    """(outputs, the gradient each starts from (see _seed)) as tuples."""
    outputs = _as_tuple(outputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise RuntimeError(f"{caller}(): got {len(grad_outputs)} gradients for "
                               f"{len(outputs)} outputs; pass one per output")
    return outputs, tuple([_seed(output, gradient, caller, index, create_graph)
                           for index, (output, gradient)
                           in enumerate(zip(outputs, grad_outputs))])


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None):
    """torch.autograd.backward: accumulate the gradients of `tensors` (a tensor or a
    sequence), each weighted by its entry of `grad_tensors` (None for a one-element
    tensor means 1), into the .grad of the leaves they came from and of the tensors that
    retain_grad(). Given `inputs` (a tensor or a non-empty sequence), only those
    tensors' .grad (non-leaves too) receive gradients, and only the graph leading to them
    runs. The graph is freed as it is used unless retain_graph=True, which a second
    backward through it needs. create_graph=True records the backward pass itself as a
    graph (see _run_backward), so the .grad it accumulates can be differentiated again;
    retain_graph then defaults to True, as in PyTorch."""
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None and hasattr(tensors, "_storage"):   # loss.backward(): one tensor
        seed = _seed(tensors, grad_tensors, "backward", 0, create_graph)
        _run_backward((tensors,), (seed,), retain_graph, create_graph=create_graph)
        return
    outputs, seeds = _seeds(tensors, grad_tensors, "backward", create_graph)
    if inputs is None:
        _run_backward(outputs, seeds, retain_graph, create_graph=create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("backward(): the `inputs` argument cannot be empty")
    _run_backward(outputs, seeds, retain_graph, _checked_inputs(inputs, "backward"),
                  create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """torch.autograd.grad: a tuple holding, for each of `inputs` (a tensor or a
    sequence, leaves or not), the sum of the gradients of `outputs` (a tensor or a
    sequence, each weighted by its entry of `grad_outputs` as in backward) w.r.t. it. No
    .grad is touched. Only the graph leading to the inputs runs; it is freed unless
    retain_graph=True. An input that no output depends on is an error unless
    allow_unused=True, which gives None for it, or materialize_grads=True, which gives
    zeros (allow_unused then defaults to True; False is an error). only_inputs is torch's
    deprecated switch, ignored as torch ignores it (False warns). A non-leaf input's
    gradient is the one its node computed, before the input's hooks (a leaf's is after
    them), as in PyTorch. With create_graph=True the gradients carry a graph (those that
    depend on a tensor requiring grad require grad themselves, and so do materialized
    zeros), for higher-order gradients; retain_graph then defaults to True.
    is_grads_batched=True is not supported."""
    if not only_inputs:
        warnings.warn("grad(): only_inputs argument is deprecated and is ignored now "
                      "(defaults to True). To accumulate gradient for other parts of the "
                      "graph, please use minitorch.autograd.backward.", FutureWarning,
                      stacklevel=2)
    if is_grads_batched:
        raise NotImplementedError("grad(): is_grads_batched=True is not supported; loop "
                                  "over the batch of grad_outputs (or use "
                                  "minitorch.func.vmap)")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if retain_graph is None:
        retain_graph = create_graph
    outputs, seeds = _seeds(outputs, grad_outputs, "grad", create_graph)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("grad(): requires non-empty inputs")
    grads = _run_backward(outputs, seeds, retain_graph, _checked_inputs(inputs, "grad"),
                          store=False, create_graph=create_graph)
    if materialize_grads:
        return tuple([tensor.new_zeros(tensor.shape, requires_grad=create_graph)
                      if input_grad is None else input_grad
                      for tensor, input_grad in zip(inputs, grads)])
    if not allow_unused:
        for index, input_grad in enumerate(grads):
            if input_grad is None:
                raise RuntimeError(
                    f"grad(): the differentiated tensor at index {index} appears to not "
                    "have been used in the graph; set allow_unused=True if this is the "
                    "desired behavior")
    return tuple(grads)


def _checked_inputs(inputs, caller):
    """inputs, each of which must require grad."""
    for index, tensor in enumerate(inputs):
        if not tensor.requires_grad:
            raise RuntimeError(f"{caller}(): the differentiated tensor at index {index} "
                               "does not require grad")
    return inputs


def _run_backward(roots, seeds, retain_graph, inputs=None, store=True, create_graph=False):
    """Propagate seeds[i] (a gradient of roots[i]) back through the graph.

    Kahn's algorithm, as PyTorch's engine: count each node's consumers in the graph
    below the roots, then run a node once all of them have passed it their gradients
    (summed when several reach it), so every node runs after every node that consumes
    it. Both walks use explicit stacks (no recursion, so a 10,000-op chain works). A node
    whose consumers passed it no gradient is skipped (and keeps its graph). Leaves wait
    for every node. Unless retain_graph, each node frees the tensors it saved once used
    (see Function.release; its edges stay), and a second backward through a node that
    saved some is an error, as in PyTorch.

    A node's complete gradient first goes through its output's TensorHooks (if any:
    see _run_hooked_node, which also runs the node's own hooks);
    the gradient reaching a leaf goes through the leaf's hooks. Without inputs (tensors
    that require grad), every leaf reached accumulates its gradient into .grad. With
    inputs, only the nodes that lead to one run, and the list of the gradient reaching
    each input (None where none did; for a non-leaf, its node's before its hooks) is
    returned; if store, each input accumulates it into .grad, other leaves are left
    alone. If store, the tensors that retain_grad() get their .grad when their node runs.

    Grad mode is create_graph while the pass runs (as in PyTorch, whatever it was
    outside). With create_graph, each node runs its differentiable_backward, and the sums
    of gradients and the .grad accumulations are recorded too, so every gradient is a
    graph tensor of the values it was computed from.

    While the pass runs, _passes[-1] describes it; the callbacks in its first entry are
    called once it has computed and stored every gradient (and not if it fails).
    """
    if _rebases[0]:
        for root in roots:
            _check_current(root, "backward")
    pending = {}      # id(node or leaf) -> the gradient summed so far
    leaves = {}       # id(leaf) -> each leaf a gradient reached
    retained = [] if store else None   # (tensor, gradient) for retain_grad
    # storages already stored in some .grad (or owned by the caller): a second leaf
    # receiving one of them gets a copy, so no two .grad tensors share memory
    handed_out = set()
    starts = []       # the roots' nodes, once each
    for root, seed in zip(roots, seeds):   # each root requires grad (see _seeds)
        handed_out.add(id(seed._storage))
        edge = root if root._ctx is None else root._ctx
        key = id(edge)
        if key in pending:
            pending[key] = pending[key] + seed
            continue
        pending[key] = seed
        if isinstance(edge, Function):
            starts.append(edge)
        else:   # a root that is a leaf itself
            leaves[key] = edge
    consumers = _count_consumers(starts)
    ready = [node for node in starts if not consumers[id(node)]]
    captured = needed = None
    if inputs is not None:
        targets = _edges(inputs)
        captured = dict.fromkeys(map(id, targets))   # id(target) -> its gradient
        needed = _leading_to(starts, captured)
    grad_was_enabled = _grad_enabled[0]
    _grad_enabled[0] = create_graph
    at_end = []
    _passes.append((at_end, _will_run(starts, needed) if _multi_grad_hooks[0] else None))
    try:
        while ready:
            node = ready.pop()
            grad = pending.pop(id(node), None)
            input_grads = ()   # stays empty when its consumers passed it no gradient
            if grad is not None and needed is not None:
                if id(node) in captured:
                    captured[id(node)] = grad
                if id(node) not in needed:
                    grad = None
            if grad is not None:
                if node.hooks is None:
                    input_grads = (node.differentiable_backward(grad) if create_graph
                                   else node.backward(grad))
                else:
                    input_grads = _run_hooked_node(node, grad, retained, create_graph)
                if not isinstance(input_grads, tuple):  # one Tensor, or None
                    input_grads = (input_grads,)
                if _anomaly_enabled[0] and _anomaly_enabled[1]:
                    check_nan(node, input_grads)
            for parent, parent_grad in zip_longest(node.inputs, input_grads):
                if parent is None:
                    continue
                key = id(parent)
                is_node = isinstance(parent, Function)
                if parent_grad is not None:
                    if parent_grad.shape != parent.shape:
                        parent_grad = parent_grad.sum_to_shape(parent.shape)
                    if key in pending:
                        parent_grad = pending[key] + parent_grad
                    elif not is_node:
                        leaves[key] = parent
                    pending[key] = parent_grad
                if is_node:
                    consumers[key] -= 1
                    if not consumers[key]:
                        ready.append(parent)
            if grad is not None and not retain_graph:
                node.release()
        for tensor, tensor_grad in retained or ():
            if captured is None or id(tensor._ctx) not in captured:  # an input: below
                _accumulate(tensor, tensor_grad, handed_out, in_place=False)
        grads = None
        if inputs is None:
            for key, leaf in leaves.items():
                leaf_grad = _leaf_grad(key, pending[key]) if _leaf_hooks else pending[key]
                _accumulate(leaf, leaf_grad, handed_out)
        else:
            for key in captured:
                if key in leaves:
                    captured[key] = _leaf_grad(key, pending[key])
            grads = [captured[id(target)] for target in targets]
            if store:
                for tensor, tensor_grad in {id(t): (t, g)
                                            for t, g in zip(inputs, grads)}.values():
                    if tensor_grad is not None:
                        _accumulate(tensor, tensor_grad, handed_out)
        for callback in at_end:
            callback()
        return grads
    finally:
        _passes.pop()
        _grad_enabled[0] = grad_was_enabled


def _run_hooked_node(node, grad, retained, create_graph):
    """What node's backward returns for grad (its complete gradient), with its hooks
    around it (see TensorHooks): grad goes through its output tensor's hooks, is
    scheduled for the .grad of the tensor retaining it (when retained is a list and that
    tensor still stands for node's output), then goes through the node's prehooks; the
    gradients backward returns, one per edge (reduced to its shape; None where no
    gradient flows), go through the node's posthooks."""
    hooks = node.hooks
    grad = _run_hooks(hooks.hooks, grad)
    retaining = hooks.retaining and hooks.retaining()
    if retained is not None and retaining is not None and retaining._ctx is node:
        retained.append((retaining, grad))
    if hooks.prehooks:
        grad, = run_node_hooks(hooks.prehooks, (grad,))
    input_grads = (node.differentiable_backward(grad) if create_graph
                   else node.backward(grad))
    if not hooks.posthooks:
        return input_grads
    if not isinstance(input_grads, tuple):
        input_grads = (input_grads,)
    input_grads += (None,) * (len(node.inputs) - len(input_grads))
    input_grads = tuple([None if edge is None or edge_grad is None
                         else edge_grad if edge_grad.shape == edge.shape
                         else edge_grad.sum_to_shape(edge.shape)
                         for edge, edge_grad in zip(node.inputs, input_grads)])
    return run_node_hooks(hooks.posthooks, input_grads, (grad,))


def _count_consumers(starts):
    """{id(node): how many edges lead into it} over the nodes reachable from the list of
    nodes starts (leaves are not counted); refuses a node whose saved tensors an earlier
    backward freed."""
    consumers = dict.fromkeys(map(id, starts), 0)
    stack = starts[:]
    while stack:
        node = stack.pop()
        if node.released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access "
                f"saved tensors after they have already been freed): the {node.name()} "
                "node's saved tensors were freed by the first backward. Specify "
                "retain_graph=True if you need to backward through the graph a second time")
        for parent in node.inputs:
            if parent is None or not isinstance(parent, Function):
                continue
            key = id(parent)
            if key in consumers:
                consumers[key] += 1
            else:
                consumers[key] = 1
                stack.append(parent)
    return consumers


def _will_run(starts, needed):
    """The ids of the nodes a pass from starts runs (all of them, or those whose ids are
    in needed unless it is None) and of the leaves those nodes pass a gradient to, as
    the graph says (torch's will_engine_execute_node)."""
    reached = set()
    stack = [node for node in starts if needed is None or id(node) in needed]
    while stack:
        node = stack.pop()
        if id(node) in reached:
            continue
        reached.add(id(node))
        for parent in node.inputs:
            if parent is None:
                continue
            if not isinstance(parent, Function):
                reached.add(id(parent))
            elif needed is None or id(parent) in needed:
                stack.append(parent)
    return reached


def _leading_to(starts, targets):
    """The ids of the nodes reachable from starts through which a gradient reaches one of
    targets (ids of nodes or leaves) below them: those a grad() or backward(inputs=) must
    run. Post-order walk with an explicit stack; the graph is acyclic."""
    leads = {}   # id(node) -> whether a target lies below it (final once its parents are)
    stack = [(node, False) for node in starts]
    while stack:
        node, parents_done = stack.pop()
        key = id(node)
        if parents_done:
            leads[key] = any(id(parent) in targets or leads.get(id(parent), False)
                             for parent in node.inputs if parent is not None)
        elif key not in leads:
            leads[key] = False
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.inputs
                         if isinstance(parent, Function) and id(parent) not in leads)
    return {key for key, lead in leads.items() if lead}


def _accumulate(tensor, grad, handed_out, in_place=True):
    """tensor.grad += grad, where a first gradient is stored as a contiguous tensor (a
    broadcast gradient, as the sum's backward gives, is expanded: it gets a copy, as
    PyTorch's AccumulateGrad makes one) not aliasing another; then tensor's
    post-accumulate-grad hooks run. As in PyTorch, a leaf's sum is written into its
    .grad tensor in place, unless the pass records a graph (create_graph=True, so grad
    mode is on), which gets a new .grad carrying the sum's graph; a non-leaf that retains
    its gradient (in_place=False) gets a new .grad, as torch's retain_grad hook makes."""
    accumulated = tensor._grad
    if accumulated is not None:
        if _grad_enabled[0] or not in_place:
            tensor._grad = accumulated + grad
        else:
            _add_into(accumulated, grad)
    else:
        if id(grad._storage) in handed_out or not grad.is_contiguous():
            grad = grad.clone()
        handed_out.add(id(grad._storage))
        tensor._grad = grad
    if _post_accumulate_hooks and id(tensor) in _post_accumulate_hooks:
        for hook in tuple(_post_accumulate_hooks[id(tensor)][1].values()):
            hook(tensor)


def _add_into(accumulated, grad):
    """accumulated += grad in accumulated's memory (a .grad), bumping its version. In the
    usual case (a compact .grad of grad's shape and dtype) the dispatcher adds and the
    sum is stored as an in-place op stores its result (kernels may not write a buffer
    they read); other .grad tensors take add_'s general path, with its casts and checks."""
    from .. import dispatch, functions   # both build on autograd: imported at call time
    if (accumulated.dtype is not grad.dtype or accumulated.shape != grad.shape
            or not dispatch.is_compact(accumulated)):
        accumulated.add_(grad)
        return
    functions._store(accumulated, dispatch.binary("add", accumulated, grad, grad.shape,
                                                  grad.dtype), "backward")
