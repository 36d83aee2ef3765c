"""Parameter, Buffer and the uninitialized tensors of lazy modules: the Tensor subclasses
a Module treats specially when they are assigned to its attributes."""
import functools

from ..tensor import Tensor


def _adopt(tensor, data, requires_grad, op_name):
    """Make `tensor` (a new Tensor subclass instance) a leaf with no gradient sharing
    `data`'s storage and layout (no copy)."""
    if not isinstance(data, Tensor):
        raise TypeError(f"{op_name}: data must be a minitorch Tensor, got "
                        f"{type(data).__name__}; wrap it with minitorch.tensor(...) first")
    if requires_grad and not data.dtype.is_floating_point:
        raise TypeError(f"{op_name}: only floating point tensors can require gradients, "
                        f"got {data.dtype.name}; pass requires_grad=False or cast it")
    tensor._grad = None
    tensor._ctx = None
    tensor._retains_grad = False
    tensor._requires_grad = requires_grad
    tensor.data = data


class Parameter(Tensor):
    """A Tensor that a Module registers as trainable when assigned to one of its attributes.

    `Parameter(data, requires_grad=True)` shares `data`'s storage (no copy), like
    torch.nn.Parameter, and starts as a leaf with no gradient. Ops on a Parameter return
    plain Tensors. `Parameter()` is an empty float32 parameter.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        _adopt(self, data, requires_grad, "Parameter")

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce__(self):
        return (Parameter, (self.detach(), self.requires_grad))


class Buffer(Tensor):
    """A Tensor that a Module registers as a buffer when assigned to one of its attributes
    (`self.steps = nn.Buffer(minitorch.zeros(()))`), as torch.nn.Buffer: saved by
    state_dict unless persistent=False. `Buffer(data)` shares `data`'s storage (no copy)
    and keeps its requires_grad; `Buffer()` is an empty float32 tensor. Ops on a Buffer
    return plain Tensors. register_buffer takes its own `persistent` argument instead."""

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        _adopt(self, data, isinstance(data, Tensor) and data.requires_grad, "Buffer")
        self.persistent = persistent

    def __reduce__(self):
        return (functools.partial(Buffer, persistent=self.persistent),
                (self.detach().requires_grad_(self.requires_grad),))


class UninitializedTensorMixin:
    """What UninitializedParameter and UninitializedBuffer share: a tensor whose shape is
    not known yet. It has a dtype, a backend and requires_grad, but reading its shape
    (which every op does) is a RuntimeError, until materialize(shape) gives it memory
    and turns it into `cls_to_become`. Module.to() converts its dtype and backend;
    state_dict keeps it as it is and load_state_dict materializes it to the loaded
    value's shape."""

    __slots__ = ()
    cls_to_become = None

    def __init__(self, requires_grad, device=None, dtype=None, backend=None):
        from ..creation import empty
        _adopt(self, empty(0, dtype=dtype, backend=backend, device=device), requires_grad,
               type(self).__name__)

    @property
    def shape(self):
        raise RuntimeError(
            f"{type(self).__name__}: an uninitialized parameter or buffer has no shape, so "
            "it cannot be used yet; its lazy module infers the shape from its first input: "
            "call the module once on a batch (or load a state dict into it) first")

    @shape.setter
    def shape(self, value):
        Tensor.shape.__set__(self, value)   # (the layout kept under the property)

    @property
    def data(self):
        """An empty tensor of this one's dtype and backend (there are no values yet)."""
        from ..creation import empty
        return empty(0, dtype=self.dtype, backend=self.backend)

    data = data.setter(Tensor.data.fset)

    def to(self, *args, **kwargs):
        """A new uninitialized tensor of this class with the dtype and backend that
        Tensor.to's arguments give (self when they change nothing)."""
        target = self.data.to(*args, **kwargs)
        if target.dtype is self.dtype and target.backend == self.backend:
            return self
        return type(self)(self.requires_grad, dtype=target.dtype, backend=target.backend)

    def materialize(self, shape, device=None, dtype=None, backend=None):
        """Give this tensor uninitialised memory of `shape` (an int or a tuple), of its own
        dtype and backend unless given, and make it a `cls_to_become` in place (the
        object stays the same, so a module holding it sees the change)."""
        from ..creation import empty
        self.data = empty(shape, dtype=dtype or self.dtype, device=device,
                          backend=backend or self.backend)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce__(self):
        return (type(self), (self.requires_grad, None, self.dtype, self.backend))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape a lazy module infers later (see UninitializedTensorMixin):
    `UninitializedParameter(requires_grad=True, device=None, dtype=None, backend=None)`;
    materialize(shape) makes it a Parameter."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None, backend=None):
        super().__init__(requires_grad, device, dtype, backend)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a lazy module infers later (see UninitializedTensorMixin):
    `UninitializedBuffer(requires_grad=False, device=None, dtype=None, backend=None)`;
    materialize(shape) makes it a plain Tensor."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None, backend=None):
        super().__init__(requires_grad, device, dtype, backend)


def is_lazy(tensor):
    """True when `tensor` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(tensor, UninitializedTensorMixin)


def clear_grads(tensors, set_to_none=True):
    """Drop each tensor's .grad (set_to_none) or fill an existing one with zeros in place."""
    for tensor in tensors:
        if set_to_none:
            tensor.grad = None
        elif tensor.grad is not None:
            tensor.grad.zero_()
