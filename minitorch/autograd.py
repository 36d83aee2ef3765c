"""Reverse-mode autograd: grad mode, the Function base class, the backward pass, and
the torch.autograd API around it (`backward`, `grad`, tensor hooks, `inference_mode`).

Every differentiable op is a Function subclass with `forward` (computes with the
dispatcher, no graph) and `backward` (written with Tensor ops or dispatcher calls, so it
runs on any backend). `Function.apply` records the op in the graph when an input
requires grad. A backward that calls the dispatcher records no graph, so such an op also
has a `differentiable_backward` (the same values from Tensor ops), which the backward
pass runs instead when create_graph=True asks for gradients that carry a graph.
"""
import functools
import weakref
from itertools import count, zip_longest

_grad_enabled = [True]  # a list so hot paths read it with one index, no global lookup


def is_grad_enabled():
    return _grad_enabled[0]


class _GradMode:
    """Context manager and decorator setting grad mode for its block."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.previous = []

    def __enter__(self):
        self.previous.append(_grad_enabled[0])
        _grad_enabled[0] = self.enabled

    def __exit__(self, *exc_info):
        _grad_enabled[0] = self.previous.pop()

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradMode(self.enabled):
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """`with minitorch.no_grad():` or `@minitorch.no_grad()`: record no graph."""

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):
    """Turn graph recording back on inside a no_grad block."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_GradMode):
    """set_grad_enabled(mode): recording on or off for the block."""


class inference_mode(_GradMode):
    """`with minitorch.inference_mode():` or `@minitorch.inference_mode()`: as no_grad
    (inference_mode(False) as enable_grad). Unlike PyTorch there are no "inference
    tensors": what is made inside is an ordinary tensor that does not require grad, as
    under no_grad, and may be used in recorded ops afterwards."""

    def __init__(self, mode=True):
        super().__init__(not mode)


_rebases = [0]  # in-place ops recorded so far (see rebase); while 0, nothing can be stale


class Function:
    """One node of the graph: an op's saved state and its backward.

    Subclasses implement `forward(self, *args)` returning a Tensor and
    `backward(self, grad)` returning a tuple of one gradient (or None) per entry of
    `self.inputs` (for a single entry, the gradient alone may be returned):
    the arguments of forward that are Tensors or None (an absent optional tensor), in
    order. Each entry is the graph edge to that argument (see `_edges`): the node that
    produced it, the argument itself for a leaf that requires grad, or None when no
    gradient flows to it — so `self.inputs[i] is None` tells backward that gradient i is
    not needed. Edges point at nodes, not tensors, because an in-place op gives a tensor
    a new node while earlier consumers must still reach the old one. `hooks` is None or
    the `TensorHooks` of the node's output (see node_hooks). `shape` is the
    shape of the node's output. `save_for_backward` records tensors (None for one that
    backward will not need) together with their storage version, so an in-place change
    is caught.

    `differentiable_backward(self, grad)` is what a create_graph=True backward pass runs,
    with grad mode on: it must return backward's values computed with recorded Tensor ops
    from the graph tensors the op was applied to (its saved inputs and output, never
    detached copies; graph tensors a fast backward does not read are kept with
    save_for_differentiable_backward), so that the gradients it returns can be
    differentiated again. It is `backward` itself unless an op overrides it (because its
    backward calls kernels directly) or sets it to `no_differentiable_backward`.
    """

    __slots__ = ("inputs", "shape", "hooks", "saved", "saved_versions", "__dict__")

    @classmethod
    def apply(cls, *args):
        ctx = cls()
        result = ctx.forward(*args)
        if _grad_enabled[0] and result.dtype.is_floating_point:
            if _rebases[0]:
                for argument in args:
                    if hasattr(argument, "_storage"):   # a Tensor
                        _check_current(argument, cls.__name__)
            for argument in args:
                if getattr(argument, "requires_grad", False):
                    ctx.inputs = _edges(args)
                    ctx.shape = result.shape
                    ctx.hooks = None
                    result.requires_grad = True
                    result._ctx = ctx
                    break
        return result

    released = False  # set once backward has used and freed this node
    may_view = False  # True for ops whose output may share their first input's memory

    def release(self):
        """Drop the graph edges and saved tensors (after backward), keeping the node."""
        self.inputs = ()
        self.saved = self.saved_versions = ()
        self.graph_saved = self.graph_saved_versions = ()
        self.hooks = None
        self.released = True

    # what only differentiable_backward reads (see save_for_differentiable_backward)
    graph_saved = graph_saved_versions = ()

    def save_for_backward(self, *tensors):
        self.saved, self.saved_versions = tensors, _versions(tensors)

    def save_for_differentiable_backward(self, *tensors):
        """Keep tensors that only differentiable_backward needs (graph tensors a fast
        backward does without), so that an in-place change to them after the op fails
        only a create_graph=True pass, as in save_for_backward."""
        self.graph_saved, self.graph_saved_versions = tensors, _versions(tensors)

    @property
    def saved_tensors(self):
        return self._unchanged(self.saved, self.saved_versions)

    @property
    def graph_saved_tensors(self):
        return self._unchanged(self.graph_saved, self.graph_saved_versions)

    def _unchanged(self, tensors, versions):
        """tensors, after checking that no in-place op wrote to one since it was saved."""
        for tensor, version in zip(tensors, versions):
            if tensor is not None and tensor._storage.version != version:
                raise RuntimeError(
                    f"{type(self).__name__}.backward: one of the tensors needed for gradient "
                    f"computation (shape {tuple(tensor.shape)}) was modified by an in-place "
                    f"operation after it was used (version {version} -> "
                    f"{tensor._storage.version}); use an out-of-place op (x = x + 1 instead "
                    "of x += 1) or .clone() it first")
        return tensors

    def name(self):
        """The node's name as `grad_fn` shows it, e.g. "SumBackward" (torch: "SumBackward0";
        nodes here are named after minitorch's ops, which are not always torch's)."""
        return f"{type(self).__name__}Backward"

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        """torch's view of the graph edges: one (node, 0) pair per entry of inputs, where
        node is the Function that made that input, an AccumulateGrad for a leaf that
        requires grad, or None where no gradient flows. Empty once backward has
        released the node."""
        return tuple((AccumulateGrad(edge) if edge is not None and
                      not isinstance(edge, Function) else edge, 0) for edge in self.inputs)

    def differentiable_backward(self, grad):
        return self.backward(grad)


class AccumulateGrad:
    """What next_functions shows for a leaf that requires grad, as in torch: the end of
    a path, where backward adds the gradient into `variable.grad`. Made on demand (the
    graph's edges point at the leaf itself)."""

    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def _versions(tensors):
    """The storage version of each of tensors (None for a None)."""
    return tuple([None if t is None else t._storage.version for t in tensors])


def no_differentiable_backward(node, grad):
    """The differentiable_backward of an op whose backward cannot yet record a graph:
    refuses create_graph=True rather than return gradients that silently lack one."""
    raise NotImplementedError(
        f"{type(node).__name__}.backward: create_graph=True (higher-order gradients) is not supported "
        "through this op; its backward writes the gradient with kernels and records no "
        "graph, so a gradient of the gradient would be wrong")


def _edges(args):
    """The graph edge to each of an op's arguments that is a Tensor or None: the node
    that made it, itself for a leaf that requires grad, or None (an absent argument, or
    one needing no gradient)."""
    edges = []
    for argument in args:
        if argument is None:
            edges.append(None)
        elif hasattr(argument, "_storage"):   # a Tensor (autograd cannot import the class)
            edges.append(None if not argument.requires_grad else
                         argument if argument._ctx is None else argument._ctx)
    return tuple(edges)


def _check_current(tensor, op_name):
    """Refuse a tensor whose memory an in-place op rewrote while recording gradients after
    the tensor was made (a view taken before the write, or the base of a view written
    through): its graph describes values it no longer holds, so gradients through it would
    be silently wrong."""
    if tensor._graph_version != tensor._storage.graph_version:
        raise RuntimeError(
            f"{op_name}: an input of shape {tuple(tensor.shape)} shares memory with a tensor "
            "that an in-place op changed while recording gradients, after this one was made "
            "(a view taken before the write, or the base of a view written in place); its "
            "gradient would be wrong. Take the view again after the in-place op, or clone() "
            "before it")


def rebase(target, result):
    """Finish an in-place op recorded by autograd: `result` (computed out of place from
    target's old values) has been written into target's memory; target now stands for
    those values, with result's node as its producer. Other tensors sharing the memory
    keep nodes that describe the old values, so they become stale (see _check_current)."""
    _rebases[0] += 1
    storage = target._storage
    storage.graph_version += 1
    target._graph_version = storage.graph_version
    target.requires_grad = result.requires_grad   # False when the write cast to integers
    target._ctx = result._ctx
    if target._retains_grad and target._ctx is not None:
        node_hooks(target._ctx).retaining = weakref.ref(target)


# ---- tensor hooks ---------------------------------------------------------------------
_handle_ids = count()
_leaf_hooks = {}  # id(leaf) -> (weak reference to the leaf, its hooks {handle id: hook})


class TensorHooks:
    """What runs once the gradient w.r.t. a node's output tensor is complete, before it
    flows on: the hooks registered on that tensor ({handle id: hook}, in registration
    order), then the storing of it into the .grad of `retaining` (a weak reference to the
    tensor whose retain_grad() asked for it, or None), as PyTorch runs retain_grad last."""

    __slots__ = ("hooks", "retaining")

    def __init__(self):
        self.hooks = {}
        self.retaining = None


def node_hooks(node):
    """node's TensorHooks, made on first use (nodes without any keep `hooks` None, so the
    backward pass pays one check per node for the feature)."""
    if node.hooks is None:
        node.hooks = TensorHooks()
    return node.hooks


class RemovableHandle:
    """What register_hook returns: `remove()` unregisters the hook (again: no effect)."""

    def __init__(self, hooks, hook):
        self.hooks = hooks
        self.id = next(_handle_ids)
        hooks[self.id] = hook

    def remove(self):
        self.hooks.pop(self.id, None)


def register_hook(tensor, hook):
    """Tensor.register_hook: hook(grad) -> None or a gradient of grad's shape to use
    instead, called each time the gradient w.r.t. tensor is computed: for a leaf, before
    it is accumulated into .grad (or returned by grad()); for a non-leaf, once its node's
    gradient is complete, before it flows on (and before retain_grad stores it). Hooks
    stay with the node tensor has now: after an in-place op they see the gradient w.r.t.
    the old values, as in PyTorch."""
    if not tensor.requires_grad:
        raise RuntimeError("register_hook(): cannot register a hook on a tensor that "
                           "doesn't require gradient")
    if tensor._ctx is not None:
        return RemovableHandle(node_hooks(tensor._ctx).hooks, hook)
    key = id(tensor)
    if key not in _leaf_hooks:
        _leaf_hooks[key] = (weakref.ref(tensor, lambda _, key=key: _leaf_hooks.pop(key, None)),
                            {})
    return RemovableHandle(_leaf_hooks[key][1], hook)


def _run_hooks(hooks, grad):
    """grad passed through hooks ({id: hook}) in order, each seeing the previous result."""
    for hook in tuple(hooks.values()):   # a hook may remove itself
        result = hook(grad)
        if result is not None:
            if tuple(result.shape) != tuple(grad.shape):
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} has changed the size of value: "
                    f"it returned shape {tuple(result.shape)} for a gradient of shape "
                    f"{tuple(grad.shape)}")
            grad = result
    return grad


def _leaf_grad(key, grad):
    """The gradient reaching the leaf id(leaf) == key, after its hooks."""
    if key in _leaf_hooks:
        return _run_hooks(_leaf_hooks[key][1], grad)
    return grad


# ---- the backward pass ----------------------------------------------------------------
def _as_tuple(tensors):
    """A tensor, or a sequence of tensors, as a tuple."""
    return (tensors,) if hasattr(tensors, "_storage") else tuple(tensors)


def _seeds(outputs, grad_outputs, caller):
    """(outputs, the gradient each starts from) as tuples, validated by the outputs
    (Tensor._gradient_seed: None is ones for a one-element output)."""
    outputs = _as_tuple(outputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise RuntimeError(f"{caller}(): got {len(grad_outputs)} gradients for "
                               f"{len(outputs)} outputs; pass one per output")
    return outputs, tuple([output._gradient_seed(gradient, caller, index)
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
        _run_backward((tensors,), (tensors._gradient_seed(grad_tensors, "backward"),),
                      retain_graph, create_graph=create_graph)
        return
    outputs, seeds = _seeds(tensors, grad_tensors, "backward")
    if inputs is None:
        _run_backward(outputs, seeds, retain_graph, create_graph=create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("backward(): the `inputs` argument cannot be empty")
    _run_backward(outputs, seeds, retain_graph, _checked_inputs(inputs, "backward"),
                  create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """torch.autograd.grad: a tuple holding, for each of `inputs` (a tensor or a
    sequence, leaves or not), the sum of the gradients of `outputs` (a tensor or a
    sequence, each weighted by its entry of `grad_outputs` as in backward) w.r.t. it. No
    .grad is touched. Only the graph leading to the inputs runs; it is freed unless
    retain_graph=True. An input that no output depends on is an error unless
    allow_unused=True, which gives None for it. A non-leaf input's gradient is the one
    its node computed, before the input's hooks (a leaf's is after them), as in PyTorch.
    With create_graph=True the gradients carry a graph (those that depend on a tensor
    requiring grad require grad themselves), for higher-order gradients; retain_graph
    then defaults to True."""
    if retain_graph is None:
        retain_graph = create_graph
    outputs, seeds = _seeds(outputs, grad_outputs, "grad")
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("grad(): requires non-empty inputs")
    grads = _run_backward(outputs, seeds, retain_graph, _checked_inputs(inputs, "grad"),
                          store=False, create_graph=create_graph)
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
    for every node. Unless retain_graph, each node releases its edges and saved tensors
    once used (the graph's memory is freed; its grad_fn names stay), and a second
    backward through it is an error.

    A node's complete gradient first goes through its output's TensorHooks (if any);
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
                if node.hooks is not None:
                    grad = _run_node_hooks(node, grad, retained)
                input_grads = (node.differentiable_backward(grad) if create_graph
                               else node.backward(grad))
                if not isinstance(input_grads, tuple):  # one Tensor, or None
                    input_grads = (input_grads,)
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
                _accumulate(tensor, tensor_grad, handed_out)
        if inputs is None:
            for key, leaf in leaves.items():
                leaf_grad = _leaf_grad(key, pending[key]) if _leaf_hooks else pending[key]
                _accumulate(leaf, leaf_grad, handed_out)
            return None
        for key in captured:
            if key in leaves:
                captured[key] = _leaf_grad(key, pending[key])
        grads = [captured[id(target)] for target in targets]
        if store:
            for tensor, tensor_grad in {id(t): (t, g) for t, g in zip(inputs, grads)}.values():
                if tensor_grad is not None:
                    _accumulate(tensor, tensor_grad, handed_out)
        return grads
    finally:
        _grad_enabled[0] = grad_was_enabled


def _run_node_hooks(node, grad, retained):
    """grad (node's complete gradient) through the hooks of node's output tensor; the
    result, which flows on, is also scheduled for the .grad of the tensor retaining it
    (when retained is a list and that tensor still stands for node's output)."""
    tensor_hooks = node.hooks
    grad = _run_hooks(tensor_hooks.hooks, grad)
    retaining = tensor_hooks.retaining and tensor_hooks.retaining()
    if retained is not None and retaining is not None and retaining._ctx is node:
        retained.append((retaining, grad))
    return grad


def _count_consumers(starts):
    """{id(node): how many edges lead into it} over the nodes reachable from the list of
    nodes starts (leaves are not counted); refuses a node whose graph an earlier backward
    released."""
    consumers = dict.fromkeys(map(id, starts), 0)
    stack = starts[:]
    while stack:
        node = stack.pop()
        if node.released:
            raise RuntimeError(
                f"backward: trying to backward through the graph a second time (the "
                f"{type(node).__name__} node's saved tensors were freed by the first backward);"
                " pass retain_graph=True to the first backward() if you need a second")
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


def _accumulate(tensor, grad, handed_out):
    """tensor.grad += grad, where a first gradient is stored without aliasing another."""
    if tensor.grad is not None:
        tensor.grad = tensor.grad + grad
        return
    if id(grad._storage) in handed_out:
        grad = grad.clone()
    handed_out.add(id(grad._storage))
    tensor.grad = grad
