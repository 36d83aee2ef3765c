"""torch.nn.utils.init.skip_init: a module whose parameters and buffers are left
uninitialized, for code that sets them all itself afterwards."""
import inspect

from ...devices import check_device
from ..module import Module


def skip_init(module_cls, *args, **kwargs):
    """module_cls(*args, **kwargs) with every parameter and buffer replaced by
    uninitialized memory of the same shape and dtype (Module.to_empty). `device` (popped
    from kwargs, default 'cpu') must be a CPU device, as everywhere in minitorch.

    torch builds the module on its 'meta' device so that the initialization never runs;
    minitorch has no such device, so the module's initialization runs (and draws from
    the random generator) before its values are discarded: the result is the same, the
    time saving is not. RuntimeError, as in torch, when module_cls is not a Module class.
    """
    if not (inspect.isclass(module_cls) and issubclass(module_cls, Module)):
        raise RuntimeError(f"skip_init: expected a Module class; got {module_cls!r}")
    device = kwargs.pop("device", "cpu")
    check_device(device, "skip_init")
    return module_cls(*args, **kwargs).to_empty(device=device)
