"""torch.autograd.graph: the graph's node type (`Node`, `GradientEdge`), version
bumping, hooks on the tensors nodes save for backward, and hooks on the gradients
of several tensors at once (`register_multi_grad_hook`).

While a `saved_tensors_hooks(pack_hook, unpack_hook)` context is active, each tensor an
op saves for backward as it is recorded (built-in ops and user-defined Functions alike)
is kept as `pack_hook(tensor)` instead, and `unpack_hook(packed)` makes it a tensor
again each time backward (or a node) reads it. The innermost active context packs, and
the unpack hook of the context that packed a tensor is the one that unpacks it. Ops run
without recording (no_grad, no input requiring grad) save nothing, so no hook runs.
"""
import abc
from collections import namedtuple

from .engine import _as_tuple, _multi_grad_hooks, _passes
from .node import AccumulateGrad, Function, _saved_tensors_hooks

_disabled_message = [None]   # set by disable_saved_tensors_hooks: why hooks are refused


class Node(abc.ABC):
    """What every `grad_fn` is an instance of (`isinstance(y.grad_fn, Node)`): minitorch's
    graph nodes are `Function` instances (and `AccumulateGrad` for a leaf in
    next_functions), registered here as virtual subclasses. A Node has `name()` and
    `next_functions`, the `(node, 0)` pairs of its edges."""

    @abc.abstractmethod
    def name(self):
        """The node's name, e.g. "MulBackward"."""

    @property
    @abc.abstractmethod
    def next_functions(self):
        """One (node, 0) pair per graph edge, as torch shows them."""


Node.register(Function)
Node.register(AccumulateGrad)


GradientEdge = namedtuple("GradientEdge", ["node", "output_nr"])
GradientEdge.__doc__ = """Where a tensor's gradient enters the graph: the node that made
it (an AccumulateGrad for a leaf) and which of that node's outputs it is (always 0 here:
each minitorch node, or output slot of a user Function, has one output)."""


def get_gradient_edge(tensor):
    """The GradientEdge of tensor, which must require grad."""
    if not tensor.requires_grad:
        raise RuntimeError("get_gradient_edge: it is not possible to get the gradient edge "
                           "for a tensor that does not require gradients")
    node = tensor.grad_fn
    return GradientEdge(AccumulateGrad(tensor) if node is None else node, 0)


def increment_version(tensor):
    """Bump the version counter of tensor (or of each tensor of an iterable), as an
    in-place write does: a backward that saved it before then refuses to use it. For
    code that changes a tensor's memory behind autograd's back."""
    tensors = _as_tuple(tensor)
    for each in tensors:
        if not hasattr(each, "_storage"):
            raise TypeError("increment_version: expected a tensor or an iterable of "
                            f"tensors, got an element of type {type(each).__name__}")
    for each in tensors:
        each._storage.version += 1


class saved_tensors_hooks:
    """Context manager: tensors saved for backward while active are stored as
    `pack_hook(tensor)` (anything; the hook gets the saved tensor itself and must not
    change it in place) and given back as `unpack_hook(packed)`, which must return a
    tensor of the original's values. Nested contexts: the innermost packs. As in PyTorch,
    a tensor saved through hooks is not checked against later in-place writes (the hooks
    decide what is kept). Refused inside disable_saved_tensors_hooks."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled_message[0] is not None:
            raise RuntimeError(_disabled_message[0])
        _saved_tensors_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc_info):
        _saved_tensors_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Context manager: keep the tensors saved for backward in host memory, as PyTorch's
    does for accelerator tensors. Every minitorch backend already keeps host memory, so
    they are kept as they are (no copy); `pin_memory` and `device_type` are accepted for
    torch's signature and change nothing."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(_unchanged, _unchanged)


def _unchanged(tensor):
    """A pack or unpack hook that keeps the tensor itself."""
    return tensor


class disable_saved_tensors_hooks:
    """Context manager: while active, entering saved_tensors_hooks (or code built on it,
    such as non-reentrant checkpointing) raises RuntimeError(error_message); entering it
    while such hooks are active raises the same. Nested uses restore the outer message."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if _saved_tensors_hooks:
            raise RuntimeError(self.error_message)
        self.outer_message = _disabled_message[0]
        _disabled_message[0] = self.error_message
        return self

    def __exit__(self, *exc_info):
        _disabled_message[0] = self.outer_message


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call fn from the gradients of several tensors (each requiring grad), once per
    backward pass that reaches at least one of them:
    - mode="all": fn(grads) as soon as the pass has computed the gradients of all the
      tensors it reaches (as the graph says), grads holding one per tensor, None for
      those the pass does not reach;
    - mode="any": fn(grad) with the first of their gradients the pass computes.
    fn's return value is ignored (it cannot change the gradients). Returns a handle
    whose remove() unregisters fn."""
    if mode not in ("all", "any"):
        raise ValueError(f"register_multi_grad_hook: expects mode to be one of "
                         f"('all', 'any') but got {mode!r}")
    tensors = tuple(tensors)
    for index, tensor in enumerate(tensors):
        if not getattr(tensor, "requires_grad", False):
            raise RuntimeError(f"register_multi_grad_hook: tensor {index} does not "
                               "require grad; every tensor must")
    hook = _MultiGradHook(fn, mode, [tensor if tensor._ctx is None else tensor._ctx
                                     for tensor in tensors])
    handles = [tensor.register_hook(hook.for_tensor(index))
               for index, tensor in enumerate(tensors)]
    _multi_grad_hooks[0] += 1
    return _MultiGradHandle(handles)


class _MultiGradHook:
    """The state of one register_multi_grad_hook: the edges of its tensors (node or
    leaf, see node._edges), the pass it last saw (its record in engine._passes) and, in
    "all" mode, the gradients gathered in it and how many more the pass will compute."""

    def __init__(self, fn, mode, edges):
        self.fn, self.mode, self.edges = fn, mode, edges
        self.current = self.grads = None
        self.waiting = 0

    def for_tensor(self, index):
        """The tensor hook of the tensor at index: it records (or, in "any" mode,
        reports) that tensor's gradient in the current pass, and returns None."""
        def hook(grad):
            current = _passes[-1]
            first = self.current is not current
            if first:
                self.current = current
                if self.mode == "all":
                    self._start(current)
            if self.mode == "any":
                if first:
                    self.fn(grad)
            elif self.grads is not None and self.grads[index] is None:
                self.grads[index] = grad
                self.waiting -= 1
                if not self.waiting:
                    self._finish()
        return hook

    def _start(self, current):
        """Begin gathering in the pass `current`: count the tensors it will reach, and
        ask it to call fn at its end should one of them not arrive after all."""
        at_end, reached = current
        if reached is None:   # registered while this pass ran: it may reach them all
            self.waiting = len(self.edges)
        else:
            self.waiting = sum(id(edge) in reached for edge in self.edges)
        self.grads = [None] * len(self.edges)
        at_end.append(self._finish)

    def _finish(self):
        """Call fn with the gathered gradients, once per pass."""
        grads, self.grads = self.grads, None
        if grads is not None:
            self.fn(grads)


class _MultiGradHandle:
    """What register_multi_grad_hook returns: remove() unregisters the hook from every
    tensor (again: no effect)."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        if self.handles:
            _multi_grad_hooks[0] -= 1
        for handle in self.handles:
            handle.remove()
        self.handles = []
