"""torch.nn.utils.parametrize: a module attribute computed from other tensors.

register_parametrization(module, "weight", p) moves module.weight to
module.parametrizations.weight.original and makes `weight` a property that returns
p(original) on every read (several parametrizations chain: p2(p1(original))).
Assigning to the attribute stores right_inverse(value) in the originals. The module's
class is replaced by a subclass named "Parametrized" + its name that holds the
properties, as torch does, so the repr and state-dict keys are torch's.
"""
import contextlib
from collections.abc import Sequence

from ...autograd import no_grad
from ...tensor import Tensor
from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

_cache_depth = 0   # how many cached() blocks are open
_cache = {}        # (id(module), tensor name) -> the parametrized tensor, inside cached()


@contextlib.contextmanager
def cached():
    """Inside this block each parametrized attribute is computed once, on its first
    read, and the same tensor is returned by the later reads; the cache is dropped when
    the outermost block exits."""
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache.clear()


def _register_tensor(module, name, tensor):
    """Register tensor on module as a parameter when it is one, as a buffer otherwise."""
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _write(destination, source):
    """Copy source's values into destination in place, or repoint destination's data at
    source when the shapes differ (torch's set_)."""
    if destination.shape == source.shape:
        destination.copy_(source)
    else:
        destination.data = source.detach()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor (entries "0", "1", ...) and the tensor(s) they
    start from: `original`, or `original0`, `original1`, ... when the first
    parametrization's right_inverse returns a sequence. Calling it returns the
    parametrized tensor. Built by register_parametrization."""

    def __init__(self, modules, original, unsafe=False):
        modules = list(modules)
        if not modules:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new = original
            for module in reversed(modules):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError(f"register_parametrization: 'right_inverse' must return a Tensor "
                             f"or a sequence of tensors, got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if new.dtype != original.dtype:
                raise ValueError(f"register_parametrization: when `right_inverse` returns one "
                                 f"tensor it may not change the dtype ({original.dtype.name} "
                                 f"became {new.dtype.name})")
            with no_grad():
                _write(original, new)
            _register_tensor(self, "original", original)
        else:
            for index, tensor in enumerate(new):
                if not isinstance(tensor, Tensor):
                    raise ValueError(f"register_parametrization: 'right_inverse' returned a "
                                     f"sequence whose element {index} is a "
                                     f"{type(tensor).__name__}, not a Tensor")
                if isinstance(original, Parameter):
                    tensor = Parameter(tensor, original.requires_grad)
                tensor.requires_grad_(original.requires_grad)
                _register_tensor(self, f"original{index}", tensor)
        if not unsafe:
            value = self()
            if not isinstance(value, Tensor):
                raise ValueError(f"register_parametrization: a parametrization must return a "
                                 f"tensor, got {type(value).__name__}")
            if value.dtype != original.dtype or value.shape != original.shape:
                raise ValueError(
                    f"register_parametrization: a parametrization may not change the dtype or "
                    f"shape of the tensor unless unsafe=True: {original.dtype.name} "
                    f"{tuple(original.shape)} became {value.dtype.name} {tuple(value.shape)}")

    def _originals(self):
        return [getattr(self, f"original{index}") for index in range(self.ntensors)]

    def right_inverse(self, value):
        """Store in the originals what makes this list return `value`: each
        parametrization's right_inverse, last to first (each must have one)."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor) or value.dtype != self.original.dtype:
                    raise ValueError("right_inverse: expected a tensor of dtype "
                                     f"{self.original.dtype.name}, got {value!r:.80}")
                _write(self.original, value)
                return
            if not isinstance(value, Sequence) or len(value) != self.ntensors:
                raise ValueError(f"right_inverse: expected a sequence of {self.ntensors} "
                                 f"tensors, got {type(value).__name__}")
            for original, tensor in zip(self._originals(), value):
                if tensor.dtype != original.dtype:
                    raise ValueError(f"right_inverse: a tensor of dtype {tensor.dtype.name} "
                                     f"cannot be stored in one of dtype {original.dtype.name}")
                _write(original, tensor)

    def forward(self):
        parametrizations = list(self)
        if self.is_tensor:
            value = parametrizations[0](self.original)
        else:
            value = parametrizations[0](*self._originals())
        for parametrization in parametrizations[1:]:
            value = parametrization(value)
        return value


def _parametrized_property(name):
    """The property that stands for tensor `name` on a parametrized module."""

    def read(module):
        parametrization = module.parametrizations[name]
        if not _cache_depth:
            return parametrization()
        key = (id(module), name)
        if key not in _cache:
            _cache[key] = parametrization()
        return _cache[key]

    def write(module, value):
        module.parametrizations[name].right_inverse(value)

    return property(read, write)


def is_parametrized(module, tensor_name=None):
    """Whether module has a parametrization (on tensor_name, when given)."""
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make module.<tensor_name> the output of `parametrization` (a Module) and return
    module.

    The first time, the tensor (a parameter or buffer) moves to
    module.parametrizations.<tensor_name>.original, after being replaced by
    parametrization.right_inverse(tensor) when the parametrization has one (it may
    return several tensors: original0, original1, ...). Registering again on the same
    name chains: the attribute becomes parametrization(previous value). Unless unsafe,
    the parametrization must keep the tensor's shape and dtype (ValueError).
    """
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: the parametrization must be an "
                        f"nn.Module, got {type(parametrization).__name__}")
    if is_parametrized(module, tensor_name):
        parametrizations = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            value = parametrization(current)
            if not isinstance(value, Tensor) or value.shape != current.shape \
                    or value.dtype != current.dtype:
                raise ValueError(f"register_parametrization: the parametrization may not "
                                 f"change the shape or dtype of {tensor_name!r} unless "
                                 "unsafe=True")
            if hasattr(parametrization, "right_inverse"):
                try:
                    inverse = parametrization.right_inverse(value)
                except NotImplementedError:
                    pass
                else:
                    if not isinstance(inverse, Tensor) or inverse.shape != current.shape:
                        raise ValueError("register_parametrization: right_inverse must "
                                         f"return a tensor shaped as {tensor_name!r}")
        parametrizations.append(parametrization)
        parametrizations.unsafe |= unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(f"register_parametrization: module '{module}' has no parameter or "
                         f"buffer named {tensor_name!r}")
    original = getattr(module, tensor_name)
    parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = parametrizations
    setattr(type(module), tensor_name, _parametrized_property(tensor_name))
    return module


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo register_parametrization on tensor_name and return module.

    With leave_parametrized the tensor keeps its current (parametrized) value, else it
    gets back the original; either way it is the same Parameter (or buffer) object as
    `original` when there is one original. With several originals, only
    leave_parametrized=True is possible (a new Parameter holding the value). The module
    gets its own class back once no tensor is parametrized.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"remove_parametrizations: module {module} does not have a "
                         f"parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
                _write(original, value)
    else:
        if not leave_parametrized:
            raise ValueError("remove_parametrizations: cannot leave the tensor unparametrized "
                             "(leave_parametrized=False) when right_inverse returned several "
                             "tensors")
        with no_grad():
            value = getattr(module, tensor_name).detach()
        if isinstance(parametrizations.original0, Parameter):
            original = Parameter(value, parametrizations.original0.requires_grad)
        else:
            original = value
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register_tensor(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class as it was before any parametrization was registered."""
    return type(module).__bases__[0] if is_parametrized(module) else type(module)
