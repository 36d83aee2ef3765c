"""Parameter: the Tensor subclass a Module treats as trainable."""
from ..tensor import Tensor


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
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a minitorch Tensor, got "
                            f"{type(data).__name__}; wrap it with minitorch.tensor(...) first")
        if requires_grad and not data.dtype.is_floating_point:
            raise TypeError(f"Parameter: only floating point tensors can require gradients, "
                            f"got {data.dtype.name}; pass requires_grad=False or cast it")
        self.grad = None
        self._ctx = None
        self._retains_grad = False
        self.requires_grad = requires_grad
        self.data = data

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce__(self):
        return (Parameter, (self.detach(), self.requires_grad))


def clear_grads(tensors, set_to_none=True):
    """Drop each tensor's .grad (set_to_none) or fill an existing one with zeros in place."""
    for tensor in tensors:
        if set_to_none:
            tensor.grad = None
        elif tensor.grad is not None:
            tensor.grad.zero_()
