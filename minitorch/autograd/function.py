"""User-defined Functions in PyTorch's form:

    class MyReLU(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * (x > 0)

A subclass of Function whose forward is a staticmethod gets `apply` from here (the
internal ops keep Function.apply, so their hot path is untouched). `ctx` is an instance
of a class made once per user Function (`MyReLUBackward`, a FunctionCtx): the node that
stands for the call in the graph, which also carries whatever forward puts on it.
"""
import functools
import inspect

from .anomaly_mode import _anomaly_enabled, forward_trace
from .grad_mode import _grad_enabled, no_grad
from .node import (Function, _check_current, _edges, _rebases, _saved_tensors_hooks,
                   _versions, rebase)


def _is_tensor(value):
    return hasattr(value, "_storage")   # autograd cannot import the Tensor class


class FunctionCtx(Function):
    """`ctx`: what forward (or setup_context) and backward of one call share, and the
    call's node in the graph.

    forward may call `save_for_backward(*tensors)` (read back in backward as
    `saved_tensors`, refused there if an in-place op changed one after forward
    returned), `mark_dirty(*inputs)` (inputs it wrote in place and returns),
    `mark_non_differentiable(*outputs)` and `set_materialize_grads(False)` (an output no
    gradient reached gets None in backward instead of zeros), and set any attribute.
    `needs_input_grad` holds, per forward argument, whether it is a tensor that requires
    grad. The engine calls `backward(grad)`: grad is the output's gradient, or for a
    tuple of outputs a _PerOutputGrads; it returns the user's gradients of the
    arguments that are edges of the graph (`inputs`).
    """

    _forward_cls = None   # the user's Function subclass, set on each made subclass
    shape = None          # the output's shape; None for a tuple of outputs

    def __init__(self):
        self.to_save = ()
        self.dirty = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self.argument_count = 0
        self.edge_positions = ()   # the position among forward's arguments of each edge
        self.edge_metas = ()       # per edge: its argument's (shape, dtype), None if absent
        self.outputs_meta = ()     # per output: (shape, dtype, backend), None if no tensor

    def name(self):
        return type(self).__name__

    def save_for_backward(self, *tensors):
        for index, tensor in enumerate(tensors):
            if tensor is not None and not _is_tensor(tensor):
                raise TypeError(f"{self.name()}: save_for_backward can only save tensors "
                                f"(or None), but argument {index} is of type "
                                f"{type(tensor).__name__}")
        self.to_save = tensors   # versions are taken once forward returns (see _finish)

    def mark_dirty(self, *tensors):
        self.dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def backward(self, grad):
        grads = grad.grads if isinstance(grad, _PerOutputGrads) else (grad,)
        if self.materialize_grads:
            grads = tuple(_zeros(meta) if gradient is None and meta is not None else gradient
                          for gradient, meta in zip(grads, self.outputs_meta))
        user_backward = getattr(self._forward_cls, "backward", None)
        if not isinstance(inspect.getattr_static(self._forward_cls, "backward", None),
                          staticmethod):
            raise NotImplementedError(
                f"{self.name()}: you must implement the backward method (a staticmethod "
                f"backward(ctx, *grads)) of {self._forward_cls.__name__} to use it with "
                "backward mode AD")
        return self._edge_gradients(user_backward(self, *grads))

    def _edge_gradients(self, gradients):
        """The user's gradients (one per forward argument, None for a non-tensor; extra
        trailing Nones allowed, as in PyTorch), those of the graph's edges."""
        if not isinstance(gradients, tuple):
            gradients = (gradients,)
        expected = self.argument_count
        if len(gradients) < expected or any(g is not None for g in gradients[expected:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {expected}, got {len(gradients)})")
        edge_positions = set(self.edge_positions)
        for position, gradient in enumerate(gradients[:expected]):
            if gradient is not None and position not in edge_positions:
                raise RuntimeError(f"function {self.name()} returned a gradient different "
                                   f"than None at position {position + 1}, but the "
                                   "corresponding forward input was not a Tensor")
        return tuple([self._checked_gradient(gradients[position], position, meta)
                      for position, meta in zip(self.edge_positions, self.edge_metas)])

    def _checked_gradient(self, gradient, position, meta):
        """The user's gradient of the input described by meta = (shape, dtype) (None for an
        absent input), as PyTorch validates it: a tensor of a shape the input's broadcasts
        to (the engine sums it back to the input's), cast to the input's dtype."""
        if gradient is None or meta is None:
            return gradient
        if not _is_tensor(gradient):
            raise RuntimeError(f"function {self.name()} returned a {type(gradient).__name__} "
                               f"as the gradient at index {position}: expected a Tensor "
                               "or None")
        shape, dtype = meta
        if not _expands_to(shape, gradient.shape):
            raise RuntimeError(f"function {self.name()} returned an invalid gradient at index "
                               f"{position} - got {list(gradient.shape)} but expected shape "
                               f"compatible with {list(shape)}")
        return gradient if gradient.dtype is dtype else gradient.to(dtype)


def _expands_to(shape, target):
    """Whether a tensor of shape broadcasts to target."""
    return len(shape) <= len(target) and all(
        size in (1, full) for size, full in zip(reversed(shape), reversed(target)))


def _zeros(meta):
    """The zero gradient of an output described by meta = (shape, dtype, backend)."""
    from .. import dispatch   # below autograd, but it imports the Tensor, which imports us
    shape, dtype, backend = meta
    return dispatch.fill(0, shape, dtype, backend)


class _PerOutputGrads:
    """The gradients reaching a node with a tuple of outputs, one entry per output (None
    where none arrived yet). The engine sums what the outputs' slots send with `+`."""

    __slots__ = ("grads",)
    shape = None   # equal to FunctionCtx.shape of such a node: the engine never reduces it

    def __init__(self, grads):
        self.grads = grads

    def __add__(self, other):
        return _PerOutputGrads(tuple([
            mine if theirs is None else theirs if mine is None else mine + theirs
            for mine, theirs in zip(self.grads, other.grads)]))


class _OutputSlot(Function):
    """The node of output `index` of a user Function that returned a tuple: it passes
    its gradient to the call's node in that output's place. Graph edges name nodes, not
    (node, output) pairs, so each output needs its own. It shows itself as the call's
    node (name, next_functions), as PyTorch's outputs share their grad_fn."""

    def __init__(self, owner, index, count, shape):
        self.inputs = (owner,)
        self.shape = shape
        self.hooks = None
        self.owner, self.index, self.count = owner, index, count

    def backward(self, grad):
        grads = [None] * self.count
        grads[self.index] = grad
        return _PerOutputGrads(tuple(grads))

    def name(self):
        return self.owner.name()

    @property
    def next_functions(self):
        return self.owner.next_functions


def make_user_function(cls):
    """Give cls (a Function subclass with a staticmethod forward) PyTorch's `apply` and
    the ctx class its calls make."""
    cls._backward_cls = type(f"{cls.__name__}Backward", (FunctionCtx,),
                             {"_forward_cls": cls, "__module__": cls.__module__})
    cls._uses_setup_context = getattr(cls, "setup_context", None) is not None
    cls.apply = classmethod(_apply)


def _apply(cls, *args, **kwargs):
    """Run cls.forward without recording a graph; when grad mode is on and a tensor
    argument requires grad, the outputs (floating point ones not marked
    non-differentiable) get the call's node, so backward reaches cls.backward. Without
    setup_context, forward is forward(ctx, *args) (keyword arguments are refused, as in
    PyTorch); with it, forward(*args, **kwargs) (keyword arguments bound to their
    positions, defaults filled in) and then setup_context(ctx, args, output)."""
    if cls._uses_setup_context:
        bound = inspect.signature(cls.forward).bind(*args, **kwargs)
        bound.apply_defaults()
        args, kwargs = bound.args, bound.kwargs
    elif kwargs:
        raise TypeError(f"{cls.__name__}.apply: keyword arguments ({', '.join(kwargs)}) "
                        "need a Function with setup_context; forward(ctx, ...) takes its "
                        "arguments by position, as in PyTorch")
    ctx = cls._backward_cls()
    ctx.needs_input_grad = tuple([_is_tensor(a) and a.requires_grad for a in args])
    recording = _grad_enabled[0] and any(ctx.needs_input_grad)
    if recording:
        if _rebases[0]:
            for argument in args:
                if _is_tensor(argument):
                    _check_current(argument, cls.__name__)
        ctx.inputs = _edges(args)   # before forward, whose in-place writes rebase inputs
        ctx.edge_positions = tuple([position for position, a in enumerate(args)
                                    if a is None or _is_tensor(a)])
        ctx.edge_metas = tuple([None if args[position] is None else
                                (args[position].shape, args[position].dtype)
                                for position in ctx.edge_positions])
        ctx.argument_count = len(args)
        ctx.hooks = None
        if _anomaly_enabled[0]:
            ctx.forward_trace = forward_trace()
    with no_grad():
        if cls._uses_setup_context:
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args, **kwargs)
    return _finish(ctx, args, output, recording)


def _finish(ctx, args, output, recording):
    """forward's output, its tensors attached to ctx's node when recording."""
    outputs = output if isinstance(output, tuple) else (output,)
    output_ids = {id(o) for o in outputs}
    input_ids = {id(a) for a in args if _is_tensor(a)}
    dirty_ids = {id(t) for t in ctx.dirty}
    non_differentiable_ids = {id(t) for t in ctx.non_differentiable}
    name = ctx._forward_cls.__name__
    for tensor in ctx.dirty:
        if id(tensor) not in output_ids or id(tensor) not in input_ids:
            raise RuntimeError(f"{name}: a tensor passed to mark_dirty must be an input "
                               "that forward modified in place and returned as an output")
        if recording and tensor.requires_grad and tensor._ctx is None:
            raise RuntimeError(f"{name}: a leaf tensor that requires grad has been used "
                               "in an in-place operation (mark_dirty)")
    ctx.outputs_meta = tuple([(o.shape, o.dtype, o._storage.backend) if _is_tensor(o)
                              else None for o in outputs])
    ctx.saved, ctx.saved_versions = ctx.to_save, _versions(ctx.to_save)
    if not recording:
        return output
    is_tuple = isinstance(output, tuple)
    ctx.shape = None if is_tuple else output.shape
    finished = []
    for index, result in enumerate(outputs):
        if not _is_tensor(result):
            finished.append(result)
            continue
        dirty = id(result) in dirty_ids
        if id(result) in input_ids and not dirty:
            result = result.detach()   # a returned input is a new tensor, as in PyTorch
        if result.dtype.is_floating_point and id(outputs[index]) not in non_differentiable_ids:
            result._requires_grad = True
            result._ctx = (_OutputSlot(ctx, index, len(outputs), result.shape) if is_tuple
                           else ctx)
            if dirty:
                rebase(result, result)   # the written input now stands for the output
        finished.append(result)
    if _saved_tensors_hooks:
        ctx.pack_saved()
    return tuple(finished) if is_tuple else finished[0]


class _OnceDifferentiable(Function):
    """The node given to gradients a @once_differentiable backward computed while a graph
    was being recorded: differentiating them again is refused."""

    def backward(self, grad):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


def once_differentiable(backward):
    """Decorator for a user Function's backward that is not itself differentiable: it
    runs without recording a graph, and when create_graph=True asked for one, the
    gradients it returns refuse a second differentiation (instead of silently being
    constants)."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            gradients = backward(ctx, *grads)
        if not _grad_enabled[0] or not any(getattr(g, "requires_grad", False) for g in grads):
            return gradients
        is_tuple = isinstance(gradients, tuple)
        marked = []
        for gradient in (gradients if is_tuple else (gradients,)):
            if _is_tensor(gradient) and gradient.dtype.is_floating_point:
                node = _OnceDifferentiable()
                node.inputs, node.shape, node.hooks = _edges(grads), gradient.shape, None
                gradient = gradient.detach()
                gradient._requires_grad, gradient._ctx = True, node
            marked.append(gradient)
        return tuple(marked) if is_tuple else marked[0]
    return wrapper
