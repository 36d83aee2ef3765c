"""Reverse-mode autograd: grad mode, the Function base class, and the backward pass.

Every differentiable op is a Function subclass with `forward` (computes with the
dispatcher, no graph) and `backward` (written with Tensor ops or dispatcher calls, so it
runs on any backend). `Function.apply` records the op in the graph when an input
requires grad.
"""
import functools

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


class Function:
    """One node of the graph: an op's saved state and its backward.

    Subclasses implement `forward(self, *args)` returning a Tensor and
    `backward(self, grad)` returning one gradient (or None) per entry of `self.inputs`:
    the arguments of forward that are Tensors or None (an absent optional tensor), in
    order, each kept only if it requires grad (else None) — so `self.inputs[i] is None`
    tells backward that gradient i is not needed. `save_for_backward` records tensors
    together with their storage version so an in-place change is caught.
    """

    __slots__ = ("inputs", "saved", "saved_versions", "__dict__")

    @classmethod
    def apply(cls, *args):
        ctx = cls()
        result = ctx.forward(*args)
        if _grad_enabled[0] and result.dtype.is_floating_point:
            for argument in args:
                if getattr(argument, "requires_grad", False):
                    ctx.inputs = tuple([a if a is not None and a.requires_grad else None
                                        for a in args if a is None or _is_tensor(a)])
                    result.requires_grad = True
                    result._ctx = ctx
                    break
        return result

    released = False  # set once backward has used and freed this node

    def release(self):
        """Drop the graph edges and saved tensors (after backward), keeping the node."""
        self.inputs = ()
        self.saved = self.saved_versions = ()
        self.released = True

    def save_for_backward(self, *tensors):
        self.saved = tensors
        self.saved_versions = tuple([t._storage.version for t in tensors])

    @property
    def saved_tensors(self):
        for tensor, version in zip(self.saved, self.saved_versions):
            if tensor._storage.version != version:
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


def _is_tensor(value):
    return hasattr(value, "_storage")


def backward(root, gradient, retain_graph=False):
    """Accumulate d(root)/d(leaf) * gradient into every leaf's .grad.

    Walks the graph in reverse topological order, found with an explicit stack (no
    recursion, so a 10,000-op chain works). Gradients of a node used several times
    are summed before its own backward runs. Unless retain_graph, each node releases
    its inputs and saved tensors once used (the graph's memory is freed; its grad_fn
    names stay), and a second backward through it is an error.
    """
    from .tensor import Tensor  # backward needs Tensor ops; tensor imports this module
    order = _topological_order(root)
    pending = {id(root): gradient}
    # storages already stored in some .grad (or owned by the caller): a second leaf
    # receiving one of them gets a copy, so no two .grad tensors share memory
    handed_out = {id(gradient._storage)}
    with no_grad():
        for node in order:
            grad = pending.pop(id(node), None)
            if grad is None:
                continue
            ctx = node._ctx
            if ctx is None or node._retains_grad:
                _accumulate(node, grad, handed_out)
            if ctx is None:
                continue
            input_grads = ctx.backward(grad)
            if isinstance(input_grads, Tensor) or input_grads is None:
                input_grads = (input_grads,)
            for parent, parent_grad in zip(ctx.inputs, input_grads):
                if parent is None or parent_grad is None:
                    continue
                if parent_grad.shape != parent.shape:
                    parent_grad = parent_grad.sum_to_shape(parent.shape)
                key = id(parent)
                pending[key] = parent_grad if key not in pending else pending[key] + parent_grad
            if not retain_graph:
                ctx.release()


def _topological_order(root):
    """Nodes reachable from root, each after every node that consumes it.

    Iterative depth-first post-order: a node is appended once all its inputs are;
    reversing that puts every consumer before the nodes it consumes.
    """
    order = []
    expanded = set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in expanded:
            continue
        expanded.add(id(node))
        stack.append((node, True))
        if node._ctx is not None:
            if node._ctx.released:
                raise RuntimeError(
                    f"backward: trying to backward through the graph a second time (the "
                    f"{node._ctx.name} node's saved tensors were freed by the first backward);"
                    " pass retain_graph=True to the first backward() if you need a second")
            for parent in node._ctx.inputs:
                if parent is not None and id(parent) not in expanded:
                    stack.append((parent, False))
    order.reverse()
    return order


def _accumulate(node, grad, handed_out):
    """node.grad += grad, where a first gradient is stored without aliasing another."""
    if node.grad is not None:
        node.grad = node.grad + grad
        return
    if id(grad._storage) in handed_out:
        grad = grad.clone()
    handed_out.add(id(grad._storage))
    node.grad = grad
