"""Module: the base class of layers and models, with PyTorch's registration rules."""
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import List, NamedTuple

import numpy as np

from ..autograd import no_grad
from ..layout import format_shape
from ..tensor import Tensor
from .parameter import Parameter, clear_grads


class IncompatibleKeys(NamedTuple):
    """What load_state_dict(strict=False) could not match: both lists of dotted names."""

    missing_keys: List[str]
    unexpected_keys: List[str]


_REGISTRIES = ("_parameters", "_modules")
_ABSENT = object()


class _Registry(MutableMapping):
    """A module's `_parameters` or `_modules`: an ordered {name: object} table that also
    keeps each entry in the owning module's instance __dict__, so `module.weight` is a
    plain attribute read that can never return an object no longer registered.

    Every change (item assignment, del, pop, popitem, clear, update, setdefault) goes
    through __setitem__ and __delitem__; reads and iteration go straight to the dict.
    """

    __slots__ = ("_items", "_mirror")

    def __init__(self, mirror, items=()):
        self._items = {}
        self._mirror = mirror
        self.update(items)

    def __getitem__(self, name):
        return self._items[name]

    def __setitem__(self, name, value):
        self._items[name] = value
        self._mirror[name] = value

    def __delitem__(self, name):
        value = self._items.pop(name)
        # leave the __dict__ entry when it is another object (the other registry's entry
        # of the same name, written there directly after this one)
        if self._mirror.get(name, _ABSENT) is value:
            del self._mirror[name]

    def __contains__(self, name):
        return name in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def get(self, name, default=None):
        return self._items.get(name, default)

    def popitem(self):
        """Remove and return the last (name, object) pair, as dict.popitem does."""
        if not self._items:
            raise KeyError("popitem(): the registry is empty")
        name = next(reversed(self._items))
        return name, self.pop(name)

    def __repr__(self):
        return repr(self._items)


class Module:
    """Base class of every layer and model.

    Assigning a Parameter to an attribute registers it as a parameter, assigning a
    Module registers it as a submodule, in assignment order; everything else is a plain
    attribute. Subclasses call `super().__init__()` first and implement `forward`;
    calling the module runs `forward`.
    """

    def __init__(self):
        for key in _REGISTRIES:
            registry = self.__dict__.get(key)
            if registry is not None:  # __init__ run again: forget what was registered
                registry.clear()
            object.__setattr__(self, key, _Registry(self.__dict__))
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward(); subclasses of "
                                  "minitorch.nn.Module must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ---- registration -------------------------------------------------------------------
    # _parameters and _modules (see _Registry) also keep every registered object in the
    # instance __dict__, so `self.weight` in a forward is an ordinary attribute read, not a
    # failed one followed by __getattr__ (0.03 against 0.55 us).
    def _registries(self, name):
        """(parameters, modules) of this module; an error before Module.__init__ ran."""
        parameters = self.__dict__.get("_parameters")
        if parameters is None:
            raise AttributeError(f"cannot assign {name!r} to {type(self).__name__} before "
                                 "Module.__init__() was called; call super().__init__() "
                                 "first in __init__")
        return parameters, self.__dict__["_modules"]

    def _register(self, name, value, as_module):
        """Record value (a Parameter, a Module or None) as parameter or submodule `name`,
        replacing whatever the name held."""
        parameters, modules = self._registries(name)
        (parameters if as_module else modules).pop(name, None)
        (modules if as_module else parameters)[name] = value

    def _unregister(self, name):
        """Forget parameter or submodule `name`; False when it is neither."""
        for registry in (self.__dict__.get("_parameters"), self.__dict__.get("_modules")):
            if registry is not None and name in registry:
                del registry[name]
                return True
        return False

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Module)):
            self._register(name, value, isinstance(value, Module))
            return
        for registry, expected in ((self.__dict__.get("_parameters"), "Parameter"),
                                   (self.__dict__.get("_modules"), "Module")):
            if registry is not None and name in registry:
                if value is not None:
                    raise TypeError(f"cannot assign a {type(value).__name__} to "
                                    f"{type(self).__name__}.{name}: it is a registered "
                                    f"{expected}, so it takes a {expected} or None")
                self._register(name, None, expected == "Module")
                return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # only called when ordinary lookup failed; the registries mirror themselves into
        # __dict__, but a name registered in both keeps only one __dict__ entry
        for registry in (self.__dict__.get("_parameters"), self.__dict__.get("_modules")):
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        if not self._unregister(name):
            object.__delattr__(self, name)

    def register_parameter(self, name, parameter):
        """Register `parameter` (a Parameter, or None for an absent one) under `name`.

        `name` must be a non-empty string without '.', and not an existing attribute other
        than a parameter (a submodule, a plain attribute, a method): KeyError otherwise.
        """
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got "
                            f"{type(parameter).__name__}; wrap tensors in nn.Parameter")
        self._check_new_name("register_parameter", name, as_module=False)
        self._register(name, parameter, False)

    def add_module(self, name, module):
        """Register `module` (or None) as the submodule `name`.

        `name` follows register_parameter's rules, with "other than a submodule".
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        self._check_new_name("add_module", name, as_module=True)
        self._register(name, module, True)

    register_module = add_module

    def _check_new_name(self, op, name, as_module):
        """PyTorch's rules for a name given to register_parameter or add_module (`op`)."""
        parameters, modules = self._registries(name)
        if not isinstance(name, str):
            raise TypeError(f"{op}: the name must be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{op}: {name!r} is not a valid attribute name for a parameter "
                           "or module (a non-empty string without '.')")
        if hasattr(self, name) and name not in (modules if as_module else parameters):
            raise KeyError(f"{op}: attribute {name!r} already exists")

    # ---- traversal ----------------------------------------------------------------------
    def named_modules(self, prefix=""):
        """(dotted name, module) for this module and every descendant, each once."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for each direct submodule, each once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) for every parameter, each once (tied ones too)."""
        seen = set()
        owners = self.named_modules(prefix) if recurse else [(prefix, self)]
        for owner_name, module in owners:
            for name, parameter in module._parameters.items():
                if parameter is not None and id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield (f"{owner_name}.{name}" if owner_name else name), parameter

    def parameters(self, recurse=True):
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def apply(self, function):
        """Call function(module) on the whole tree, children before parents: each child's
        apply(function) in order, then function(self), as PyTorch does. Returns self."""
        for child in self.children():
            child.apply(function)
        function(self)
        return self

    # ---- modes and gradients ------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (Dropout active) on this module and all below; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: training mode is expected to be boolean, got "
                             f"{type(mode).__name__}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Evaluation mode: train(False)."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's .grad: drop it (default) or fill it with zeros."""
        clear_grads(self.parameters(), set_to_none)

    # ---- state --------------------------------------------------------------------------
    def _state_items(self, prefix=""):
        """(dotted name, Parameter) for each state_dict entry, in PyTorch's order: own
        parameters, then each submodule's. Nothing is de-duplicated, so a Parameter or a
        submodule registered under two names appears under both."""
        for name, parameter in self._parameters.items():
            if parameter is not None:
                yield prefix + name, parameter
        for name, module in self._modules.items():
            if module is not None:
                yield from module._state_items(f"{prefix}{name}.")

    def state_dict(self):
        """An OrderedDict from dotted parameter names ("0.weight") to detached tensors.

        The tensors share storage with the parameters (save them to keep a snapshot).
        """
        return OrderedDict((name, parameter.detach())
                           for name, parameter in self._state_items())

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` (names -> minitorch tensors or numpy arrays).

        Values are cast to each parameter's dtype and moved to its backend. With
        strict=True, any missing or unexpected key is an error; a shape mismatch always
        is. Nothing is copied unless every check passes. Returns IncompatibleKeys.
        """
        slots = OrderedDict(self._state_items())
        missing = [name for name in slots if name not in state_dict]
        unexpected = [name for name in state_dict if name not in slots]
        errors = []
        for name, parameter in slots.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            if not isinstance(value, (Tensor, np.ndarray)):
                raise TypeError(
                    f"load_state_dict: {name!r} holds a {type(value).__module__}."
                    f"{type(value).__name__}, expected a minitorch Tensor or numpy array; "
                    "convert a PyTorch state dict with minitorch.serialization.from_torch")
            if tuple(value.shape) != parameter.shape:
                errors.append(f"size mismatch for {name}: the state dict has shape "
                              f"{format_shape(tuple(value.shape))}, the model "
                              f"{format_shape(parameter.shape)}")
        if strict:
            errors += [f"missing key {name!r}" for name in missing]
            errors += [f"unexpected key {name!r}" for name in unexpected]
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n  "
                               + "\n  ".join(errors))
        with no_grad():
            for name, parameter in slots.items():
                if name in state_dict:
                    parameter.copy_(state_dict[name])
        return IncompatibleKeys(missing, unexpected)

    def to(self, target, dtype=None):
        """Move every parameter (and its gradient) to a backend and/or dtype, in place.

        Takes what Tensor.to takes: a backend name, a dtype, or both. The Parameter
        objects stay the same, so build the optimizer before or after, as you like;
        optimizer state made before the move stays where it was. Returns self.
        """
        for parameter in self.parameters():
            parameter.data = parameter.detach().to(target, dtype)
            if parameter.grad is not None:
                parameter.grad = parameter.grad.to(target, dtype)
        return self

    # ---- copy and pickle ----------------------------------------------------------------
    def __getstate__(self):
        """The instance __dict__, with the registries as plain dicts."""
        state = self.__dict__.copy()
        for key in _REGISTRIES:
            if key in state:
                state[key] = dict(state[key])
        return state

    def __setstate__(self, state):
        """Restore __getstate__'s state, with registries that mirror this __dict__ (not
        the one the module was copied or pickled from)."""
        state = dict(state)
        registries = {key: state.pop(key) for key in _REGISTRIES if key in state}
        self.__dict__.update(state)
        for key, items in registries.items():
            object.__setattr__(self, key, _Registry(self.__dict__, items))

    # ---- printing -----------------------------------------------------------------------
    def extra_repr(self):
        """The text inside the parentheses of this module's repr (subclasses override)."""
        return ""

    def __repr__(self):
        lines = [self.extra_repr()] if self.extra_repr() else []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules:
            return f"{type(self).__name__}({''.join(lines)})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
