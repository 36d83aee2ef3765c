"""Reverse-mode autograd: grad mode, the Function base class, and the backward pass.

Every differentiable op is a Function subclass with `forward` (computes with the
dispatcher, no graph) and `backward` (written with Tensor ops or dispatcher calls, so it
runs on any backend). `Function.apply` records the op in the graph when an input
requires grad.
"""
import functools
import weakref
from itertools import zip_longest

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
    a new node while earlier consumers must still reach the old one. `shape` is the
    shape of the node's output. `save_for_backward` records tensors (None for one that
    backward will not need) together with their storage version, so an in-place change
    is caught.
    """

    __slots__ = ("inputs", "shape", "retained", "saved", "saved_versions", "__dict__")

    @classmethod
    def apply(cls, *args):
        ctx = cls()
        result = ctx.forward(*args)
        if _grad_enabled[0] and result.dtype.is_floating_point:
            if _rebases[0]:
                for argument in args:
                    if hasattr(argument, "_storage"):   # a Tensor
                        _check_current(argument, ctx.name)
            for argument in args:
                if getattr(argument, "requires_grad", False):
                    ctx.inputs = _edges(args)
                    ctx.shape = result.shape
                    ctx.retained = None
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
        self.retained = None
        self.released = True

    def save_for_backward(self, *tensors):
        self.saved = tensors
        self.saved_versions = tuple([None if t is None else t._storage.version
                                     for t in tensors])

    @property
    def saved_tensors(self):
        for tensor, version in zip(self.saved, self.saved_versions):
            if tensor is not None and tensor._storage.version != version:
                raise RuntimeError(
                    f"{type(self).__name__}.backward: one of the tensors needed for gradient "
                    f"computation (shape {tuple(tensor.shape)}) was modified by an in-place "
                    f"operation after it was used (version {version} -> "
                    f"{tensor._storage.version}); use an out-of-place op (x = x + 1 instead "
                    "of x += 1) or .clone() it first")
        return self.saved

    @property
    def name(self):
        return type(self).__name__


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
        target._ctx.retained = weakref.ref(target)


def backward(root, gradient, retain_graph=False):
    """Accumulate d(root)/d(leaf) * gradient into every leaf's .grad.

    Kahn's algorithm, as PyTorch's engine: count each node's consumers in the graph
    below root, then run a node once all of them have passed it their gradients (summed
    when several reach it), so every node runs after every node that consumes it. Both
    walks use explicit stacks (no recursion, so a 10,000-op chain works). A node whose
    consumers passed it no gradient is skipped (and keeps its graph). Leaves wait for
    every node; then each stores the sum of what reached it. Unless retain_graph, each
    node releases its edges and saved tensors once used (the graph's memory is freed; its
    grad_fn names stay), and a second backward through it is an error.
    """
    if _rebases[0]:
        _check_current(root, "backward")
    (start,) = _edges((root,))
    pending = {id(start): gradient}   # id(node or leaf) -> the gradient summed so far
    # leaves: id -> each leaf (or tensor retaining its grad) a gradient reached
    if isinstance(start, Function):
        consumers, ready, leaves = _count_consumers(start), [start], {}
    else:  # the root is a leaf itself
        consumers, ready, leaves = {}, [], {id(start): start}
    grad_was_enabled = _grad_enabled[0]
    _grad_enabled[0] = False
    try:
        while ready:
            node = ready.pop()
            grad = pending.pop(id(node), None)
            input_grads = ()   # stays empty when its consumers passed it no gradient
            if grad is not None:
                if node.retained is not None:
                    _retained_grad(node, grad, leaves, pending)
                input_grads = node.backward(grad)
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
        # storages already stored in some .grad (or owned by the caller): a second leaf
        # receiving one of them gets a copy, so no two .grad tensors share memory
        handed_out = {id(gradient._storage)}
        for key, leaf in leaves.items():
            _accumulate(leaf, pending[key], handed_out)
    finally:
        _grad_enabled[0] = grad_was_enabled


def _retained_grad(node, grad, leaves, pending):
    """Schedule grad for the .grad of the tensor whose retain_grad() made node keep a
    reference to it, while that tensor still stands for node's output."""
    retaining = node.retained()
    if retaining is not None and retaining._ctx is node:
        leaves[id(retaining)] = retaining
        pending[id(retaining)] = grad


def _count_consumers(start):
    """{id(node): how many edges lead into it} over the nodes reachable from start
    (leaves are not counted); refuses a node whose graph an earlier backward released."""
    consumers = {id(start): 0}
    stack = [start]
    while stack:
        node = stack.pop()
        if node.released:
            raise RuntimeError(
                f"backward: trying to backward through the graph a second time (the "
                f"{node.name} node's saved tensors were freed by the first backward);"
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


def _accumulate(tensor, grad, handed_out):
    """tensor.grad += grad, where a first gradient is stored without aliasing another."""
    if tensor.grad is not None:
        tensor.grad = tensor.grad + grad
        return
    if id(grad._storage) in handed_out:
        grad = grad.clone()
    handed_out.add(id(grad._storage))
    tensor.grad = grad
