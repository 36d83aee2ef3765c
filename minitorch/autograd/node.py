"""The graph's node: the Function base class every differentiable op subclasses, its
edges to the tensors an op was applied to, and the bookkeeping of in-place ops recorded
in the graph (rebase, stale tensors)."""
import inspect
import weakref

from .anomaly_mode import _anomaly_enabled, forward_trace
from .grad_mode import _grad_enabled
from .hooks import RemovableHandle, node_hooks

_rebases = [0]  # in-place ops recorded so far (see rebase); while 0, nothing can be stale
# the (pack_hook, unpack_hook) pairs of the active autograd.graph.saved_tensors_hooks
# contexts, innermost last; while empty, saving for backward costs nothing extra
_saved_tensors_hooks = []


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

    A subclass whose `forward` is a staticmethod is a user-defined Function in PyTorch's
    form instead (`forward(ctx, *args)`, `backward(ctx, *grads)`, optionally
    `setup_context`): see function.py, which gives it its own `apply`.

    `differentiable_backward(self, grad)` is what a create_graph=True backward pass runs,
    with grad mode on: it must return backward's values computed with recorded Tensor ops
    from the graph tensors the op was applied to (its saved inputs and output, never
    detached copies; graph tensors a fast backward does not read are kept with
    save_for_differentiable_backward), so that the gradients it returns can be
    differentiated again. It is `backward` itself unless an op overrides it (because its
    backward calls kernels directly) or sets it to `no_differentiable_backward`.
    """

    __slots__ = ("inputs", "shape", "hooks", "saved", "saved_versions", "__dict__")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(inspect.getattr_static(cls, "forward", None), staticmethod):
            from .function import make_user_function   # function.py builds on this module
            make_user_function(cls)

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
                if getattr(argument, "_requires_grad", False):
                    ctx.inputs = _edges(args)
                    ctx.shape = result.shape
                    ctx.hooks = None
                    result._requires_grad = True
                    result._ctx = ctx
                    if _saved_tensors_hooks:
                        ctx.pack_saved()
                    if _anomaly_enabled[0]:
                        ctx.forward_trace = forward_trace()
                    break
        return result

    released = False  # set once backward has used this node and freed tensors it saved

    def release(self):
        """Free the tensors this node holds for its backward, once a backward pass that
        does not retain the graph has used it: what it saved, and attributes holding a
        tensor or a tuple of them (set to None). Its edges, hooks and other attributes
        stay, as in PyTorch. A node that held tensors is marked released, and a later
        backward through it is an error; one that held none (a sum, an add, a view) may
        run again."""
        attributes = self.__dict__   # empty for most nodes: no scan then
        held = [name for name, value in attributes.items() if _holds_tensors(value)] \
            if attributes else ()
        for name in held:
            setattr(self, name, None)
        if held or getattr(self, "saved", ()) or self.graph_saved:
            self.saved = self.saved_versions = ()
            self.graph_saved = self.graph_saved_versions = ()
            self.released = True

    def register_prehook(self, hook):
        """hook(grad_outputs) -> None or a tuple to use instead, called with the tuple
        of gradients w.r.t. this node's output each time the node is about to run
        (after the output tensor's hooks and retain_grad); returns a RemovableHandle."""
        return RemovableHandle(node_hooks(self).prehooks, hook)

    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) -> None or a tuple of grad_inputs to use
        instead, called each time this node has run, with its gradient w.r.t. each edge
        (None where no gradient flows) and the gradients it was given; returns a
        RemovableHandle."""
        return RemovableHandle(node_hooks(self).posthooks, hook)

    # what only differentiable_backward reads (see save_for_differentiable_backward)
    graph_saved = graph_saved_versions = ()

    def save_for_backward(self, *tensors):
        self.saved, self.saved_versions = tensors, _versions(tensors)

    def save_for_differentiable_backward(self, *tensors):
        """Keep tensors that only differentiable_backward needs (graph tensors a fast
        backward does without), so that an in-place change to them after the op fails
        only a create_graph=True pass, as in save_for_backward."""
        self.graph_saved, self.graph_saved_versions = tensors, _versions(tensors)

    def pack_saved(self):
        """Pass what the node saved for backward through the pack hook of the innermost
        saved_tensors_hooks (called once the node is recorded): each tensor is kept as
        what pack_hook returns, and turned back by that context's unpack_hook on each
        read. As in PyTorch, no version is checked for such tensors: the hooks own them."""
        pack_hook, unpack_hook = _saved_tensors_hooks[-1]
        name = type(self).__name__
        self.saved = _pack(getattr(self, "saved", ()), pack_hook, unpack_hook, name)
        self.graph_saved = _pack(self.graph_saved, pack_hook, unpack_hook, name)
        self.saved_versions = self.graph_saved_versions = None

    @property
    def saved_tensors(self):
        return self._unchanged(self.saved, self.saved_versions)

    @property
    def graph_saved_tensors(self):
        return self._unchanged(self.graph_saved, self.graph_saved_versions)

    def _unchanged(self, tensors, versions):
        """tensors, after checking that no in-place op wrote to one since it was saved
        (versions None: tensors packed by saved-tensor hooks, unpacked here instead)."""
        if versions is None:
            return tuple([None if saved is None else saved.unpack() for saved in tensors])
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
        requires grad, or None where no gradient flows."""
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


def _holds_tensors(value):
    """Whether value is a Tensor or a tuple holding one."""
    return hasattr(value, "_storage") or (
        type(value) is tuple and any(hasattr(item, "_storage") for item in value))


def _versions(tensors):
    """The storage version of each of tensors (None for a None)."""
    return tuple([None if t is None else t._storage.version for t in tensors])


class _HookPacked:
    """A tensor saved for backward while saved_tensors_hooks was active: what its
    pack_hook returned, the unpack_hook that turns it back into a tensor, and a weak
    reference to the saved tensor's graph edge (None if it needed no gradient)."""

    __slots__ = ("packed", "unpack_hook", "node_name", "edge")

    def __init__(self, tensor, pack_hook, unpack_hook, node_name):
        edge = _edges((tensor,))[0]
        self.edge = None if edge is None else weakref.ref(edge)
        self.packed = pack_hook(tensor)
        self.unpack_hook, self.node_name = unpack_hook, node_name

    def unpack(self):
        """The unpacked tensor; in a create_graph=True pass (grad mode on), one standing
        for the saved tensor in the graph, so the gradients computed from it can be
        differentiated again (as PyTorch gives an unpacked tensor the saved one's
        grad_fn)."""
        tensor = self.unpack_hook(self.packed)
        if not hasattr(tensor, "_storage"):
            raise TypeError(f"{self.node_name}.backward: output of saved tensor unpack_hook "
                            "expected to be a Tensor but got result of type "
                            f"{type(tensor).__name__}")
        edge = self.edge() if _grad_enabled[0] and self.edge is not None else None
        if edge is None:
            return tensor
        node = _Unpacked()
        node.inputs, node.shape, node.hooks = (edge,), tensor.shape, None
        tensor = tensor.detach()
        tensor._requires_grad, tensor._ctx = True, node
        return tensor


class _Unpacked(Function):
    """The node of a tensor unpacked by saved-tensor hooks during a create_graph=True
    pass: the saved tensor itself, for the graph (the gradient passes through)."""

    def backward(self, grad):
        return grad


def _pack(tensors, pack_hook, unpack_hook, node_name):
    """tensors (None entries kept as None) as _HookPacked records made by pack_hook,
    which must not write to the tensor it is given."""
    packed = []
    for tensor in tensors:
        if tensor is None:
            packed.append(None)
            continue
        version = tensor._storage.version
        record = _HookPacked(tensor, pack_hook, unpack_hook, node_name)
        if tensor._storage.version != version:
            raise RuntimeError(f"{node_name}: a saved tensor pack hook is modifying its "
                               "input in place; tensors given to a pack hook must not be "
                               "changed by in-place operations")
        packed.append(record)
    return tuple(packed)


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
            edges.append(None if not argument._requires_grad else
                         argument if argument._ctx is None else argument._ctx)
    return tuple(edges)


def _check_current(tensor, op_name):
    """Make sure tensor's graph describes the values it holds before an op records it.
    A tensor is stale when an in-place op recorded by autograd rewrote its memory after
    it was made (through another tensor). A stale view of a current base gets a node
    reading its elements from the base, as PyTorch regenerates a view's grad_fn; any other
    stale tensor is refused, since gradients through its graph would be silently wrong."""
    storage = tensor._storage
    if tensor._graph_version == storage.graph_version:
        return
    base = tensor._base
    if base is not None and base._storage is storage and \
            base._graph_version == storage.graph_version:
        from ..indexing import positions_in_base   # indexing builds on this module
        positions = positions_in_base(tensor, base)
        if positions is not None:
            _stand_for(tensor, _view_of_base(base, positions, tensor.shape))
            return
    raise RuntimeError(
        f"{op_name}: an input of shape {tuple(tensor.shape)} shares memory with a tensor "
        "that an in-place op changed while recording gradients, after this one was made, "
        "and it is not a view of a tensor that is current (the write went through "
        "detach() or .data, or through a tensor this one is not a view of); its gradient "
        "would be wrong. Take it again after the in-place op, or clone() before it")


def rebase(target, result):
    """Finish an in-place op recorded by autograd: `result` (computed out of place from
    target's old values) has been written into target's memory, and target now stands
    for those values. When target is a view (it has a `_base` sharing its memory, whose
    graph is current, and which is not a leaf that requires grad), the base gets a
    CopySlices node (its old values with the view's elements replaced by result) and
    target a node reading its elements from it, as in PyTorch; otherwise target gets
    result's node. Other tensors sharing the memory keep nodes that describe the old
    values: they are stale until _check_current re-derives them (see there)."""
    from ..indexing import CopySlices, positions_in_base   # indexing builds on this module
    _rebases[0] += 1
    storage = target._storage
    base = target._base
    positions = None
    if base is not None and base._storage is storage and \
            base._graph_version == storage.graph_version and \
            not (base.requires_grad and base._ctx is None):
        positions = positions_in_base(target, base)
    storage.graph_version += 1
    if positions is None:
        _stand_for(target, result._ctx)   # no node when the write cast to integers
        return
    old_values, written = _edges((base, result))
    if old_values is None and written is None:   # nothing requires grad: integers
        _stand_for(base, None)
        _stand_for(target, None)
        return
    copy_slices = CopySlices()
    copy_slices.inputs, copy_slices.shape = (old_values, written), base.shape
    copy_slices.hooks, copy_slices.positions = None, positions
    _stand_for(base, copy_slices)
    _stand_for(target, _view_of_base(base, positions, target.shape))


def _view_of_base(base, positions, shape):
    """The node of a view of shape `shape` reading base's elements at `positions` (see
    indexing.positions_in_base) from base's current node; None when base has no graph."""
    from ..indexing import ViewOfBase   # indexing builds on this module
    edge = _edges((base,))[0]
    if edge is None:
        return None
    node = ViewOfBase()
    node.inputs, node.shape, node.hooks = (edge,), shape, None
    node.positions, node.base_shape = positions, base.shape
    return node


def _stand_for(tensor, node):
    """Make tensor stand for the values `node` computes (no graph when node is None) as
    of the latest in-place write recorded on its memory."""
    tensor._graph_version = tensor._storage.graph_version
    tensor._requires_grad = node is not None
    tensor._ctx = node
    if tensor._retains_grad and node is not None:
        node_hooks(node).retaining = weakref.ref(tensor)

