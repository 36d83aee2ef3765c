"""torch.autograd.graph: the graph's node type (`Node`, `GradientEdge`), version
bumping, and hooks on the tensors nodes save for backward.

While a `saved_tensors_hooks(pack_hook, unpack_hook)` context is active, each tensor an
op saves for backward as it is recorded (built-in ops and user-defined Functions alike)
is kept as `pack_hook(tensor)` instead, and `unpack_hook(packed)` makes it a tensor
again each time backward (or a node) reads it. The innermost active context packs, and
the unpack hook of the context that packed a tensor is the one that unpacks it. Ops run
without recording (no_grad, no input requiring grad) save nothing, so no hook runs.
"""
import abc
from collections import namedtuple

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
    tensors = (tensor,) if hasattr(tensor, "_storage") else tuple(tensor)
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
        super().__init__(_keep, _keep)


def _keep(tensor):
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
