"""Module: the base class of layers and models, with PyTorch's registration rules."""
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from typing import List, NamedTuple

import warnings

import numpy as np

from ..autograd import RemovableHandle, is_grad_enabled, no_grad
from ..creation import empty_like, tensor as make_tensor
from ..devices import check_device, parse_to
from ..functions import Reshape
from ..dtype import float32, float64
from ..layout import format_shape
from ..tensor import Tensor
from .parameter import Buffer, Parameter, clear_grads, is_lazy


class _IncompatibleKeys(NamedTuple):
    """What load_state_dict(strict=False) could not match: both lists of dotted names.
    Named and shown as torch's: "<All keys matched successfully>" when both are empty,
    as a notebook shows after model.load_state_dict(...)."""

    missing_keys: List[str]
    unexpected_keys: List[str]

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


IncompatibleKeys = _IncompatibleKeys   # minitorch's earlier public name


# (registry attribute, what it holds, the type an assignment to a registered name takes
# besides None); a name lives in at most one registry
_KINDS = (("_parameters", "Parameter", Parameter), ("_modules", "Module", None),
          ("_buffers", "buffer", Tensor))
_REGISTRIES = tuple(key for key, _, _ in _KINDS)
# the {handle id: hook} tables of module hooks, in torch's attribute names
_HOOK_TABLES = ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks",
                "_backward_pre_hooks", "_state_dict_pre_hooks", "_state_dict_hooks",
                "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")
# the state-dict key of a module's get_extra_state() (after its own tensors)
_EXTRA_STATE_KEY = "_extra_state"
_ABSENT = object()


class _Registry(MutableMapping):
    """A module's `_parameters`, `_modules` or `_buffers`: an ordered {name: object} table that also
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
        # names of the buffers that state_dict leaves out (register_buffer(persistent=False))
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "training", True)
        for key in _HOOK_TABLES:
            object.__setattr__(self, key, OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward(); subclasses of "
                                  "minitorch.nn.Module must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        """forward(*args, **kwargs), with this module's hooks around it when it has any
        (see _call_with_hooks); without hooks this is the whole cost of a call."""
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ---- hooks --------------------------------------------------------------------------
    def _call_with_hooks(self, args, kwargs):
        """A call, as torch.nn.Module's: the forward pre-hooks (each may replace args),
        then, when backward hooks are registered and grad mode is on, the inputs pass
        through _BackwardHookCall, then forward, then the forward hooks (each may replace
        the output), then the output passes through _BackwardHookCall. Each table is read
        when its hooks run, so a hook may remove itself (or others) while running."""
        for hook in tuple(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        backward = None
        if (self._backward_hooks or self._backward_pre_hooks) and is_grad_enabled():
            backward = _BackwardHookCall(self, args)
            args = backward.args
        output = self.forward(*args, **kwargs)
        for hook in tuple(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output if backward is None else backward.wrap_output(output)

    @staticmethod
    def _add_hook(table, hook, prepend, op, **refused):
        """Register hook in `table` (first when prepend), returning its handle. `refused`
        holds torch's keyword options that minitorch does not implement: each must be
        False (NotImplementedError otherwise)."""
        for name, value in refused.items():
            if value:
                raise NotImplementedError(f"{op}({name}=True) is not supported by minitorch; "
                                          f"only {name}=False")
        handle = RemovableHandle(table, hook)
        if prepend:
            table.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Run hook(module, args) before every forward; `args` is the tuple of positional
        arguments (keyword arguments are passed to forward untouched). It returns None
        (keep args) or new args: a tuple, or a single value that is wrapped in one. Hooks
        run in registration order (prepend=True puts this one first), each seeing the
        args the previous left. Returns a handle whose remove() unregisters the hook.
        with_kwargs=True is not supported (NotImplementedError)."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend,
                              "register_forward_pre_hook", with_kwargs=with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Run hook(module, args, output) after every forward; `args` are the positional
        arguments forward received (after the pre-hooks). It returns None (keep the
        output) or the output to use instead. Order as register_forward_pre_hook;
        returns a removable handle. with_kwargs=True and always_call=True are not
        supported (NotImplementedError)."""
        return self._add_hook(self._forward_hooks, hook, prepend, "register_forward_hook",
                              with_kwargs=with_kwargs, always_call=always_call)

    def register_full_backward_hook(self, hook, prepend=False):
        """Run hook(module, grad_input, grad_output) once the gradients w.r.t. the
        module's inputs of a call are computed, as torch does: grad_output is a 1-tuple,
        the gradient w.r.t. the output; grad_input holds one entry per positional Tensor
        argument: its gradient, or None for one that does not require grad. The hook
        returns None or a tuple of the same length, whose entries replace grad_input's
        (and flow on to the inputs). When no input requires grad, hooks run as soon as
        grad_output is known, with grad_input all None, and must return None (or all
        None). Hooks are the ones registered when forward ran, in order, each seeing the
        grad_input the previous returned; nothing runs for calls made under no_grad.

        Limits (NotImplementedError at call time): the output must be one Tensor, and at
        most one Tensor argument may require grad. A hook returning None for the input's
        entry stops nothing here: the gradient flows on unchanged, where torch drops it.
        Returns a removable handle."""
        if getattr(self, "_is_full_backward_hook", None) is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", True)
        return self._add_hook(self._backward_hooks, hook, prepend,
                              "register_full_backward_hook")

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Run hook(module, grad_output) when the gradient w.r.t. the module's output of
        a call is known, before the gradients w.r.t. its inputs are computed: grad_output
        is a 1-tuple; the hook returns None or a 1-tuple that replaces it (and flows on
        into the module). Same limits as register_full_backward_hook; returns a
        removable handle."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend,
                              "register_full_backward_pre_hook")

    def register_backward_hook(self, hook):
        """The deprecated form of register_full_backward_hook: minitorch runs it as a
        full backward hook (torch's grad_input is that of the output's last graph node,
        which is the module's input only for a one-op forward), with torch's warning.
        Mixing it with full backward hooks on one module is an error, as in torch."""
        warnings.warn("register_backward_hook is deprecated and will be removed; use "
                      "register_full_backward_hook", FutureWarning, stacklevel=2)
        if getattr(self, "_is_full_backward_hook", None) is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", False)
        return self._add_hook(self._backward_hooks, hook, False, "register_backward_hook")

    def register_state_dict_pre_hook(self, hook):
        """Run hook(module, prefix, keep_vars) at the start of this module's part of every
        state_dict() (prefix: this module's dotted name plus '.'). Returns a handle."""
        return self._add_hook(self._state_dict_pre_hooks, hook, False,
                              "register_state_dict_pre_hook")

    def register_state_dict_post_hook(self, hook):
        """Run hook(module, state_dict, prefix, local_metadata) once this module's entries
        (its subtree's) are in the state dict; it may change state_dict in place and must
        return None (RuntimeError otherwise). local_metadata is an empty dict (minitorch
        keeps no metadata). Returns a handle."""
        return self._add_hook(self._state_dict_hooks, hook, False,
                              "register_state_dict_post_hook")

    def register_load_state_dict_pre_hook(self, hook):
        """Run hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs) before load_state_dict reads this module's entries:
        it may change state_dict (a copy of the caller's) in place, and appending to
        error_msgs makes the load fail. Returns a handle."""
        return self._add_hook(self._load_state_dict_pre_hooks, hook, False,
                              "register_load_state_dict_pre_hook")

    def register_load_state_dict_post_hook(self, hook):
        """Run hook(module, incompatible_keys) after load_state_dict has copied the values;
        incompatible_keys holds the missing and unexpected key lists of the whole load.
        The hook returns None. Unlike torch, where a hook may empty those lists to make a
        strict load pass, minitorch checks strictness before copying anything, so these
        hooks run only for loads that succeed. Returns a handle."""
        return self._add_hook(self._load_state_dict_post_hooks, hook, False,
                              "register_load_state_dict_post_hook")

    # ---- registration -------------------------------------------------------------------
    # _parameters and _modules (see _Registry) also keep every registered object in the
    # instance __dict__, so `self.weight` in a forward is an ordinary attribute read, not a
    # failed one followed by __getattr__ (0.03 against 0.55 us).
    def _registries(self, name):
        """{registry attribute: registry} of this module; an error before Module.__init__."""
        if self.__dict__.get("_parameters") is None:
            raise AttributeError(f"cannot assign {name!r} to {type(self).__name__} before "
                                 "Module.__init__() was called; call super().__init__() "
                                 "first in __init__")
        return {key: self.__dict__[key] for key in _REGISTRIES if key in self.__dict__}

    def _register(self, name, value, key):
        """Record value as entry `name` of registry `key` ("_parameters", "_modules" or
        "_buffers"), removing the name from the other registries. A name that stops being
        a buffer forgets its persistence; a buffer keeps it (register_buffer sets it)."""
        registries = self._registries(name)
        for other, registry in registries.items():
            if other != key:
                registry.pop(name, None)
        if key != "_buffers":
            self._non_persistent_buffers_set.discard(name)
        registries[key][name] = value

    def _unregister(self, name):
        """Forget parameter, submodule or buffer `name`; False when it is none of them."""
        for key in _REGISTRIES:
            registry = self.__dict__.get(key)
            if registry is not None and name in registry:
                del registry[name]
                self.__dict__.get("_non_persistent_buffers_set", set()).discard(name)
                return True
        return False

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            self._register(name, value, "_parameters")
            return
        # a module over a parameter's name is refused below, as in torch
        if isinstance(value, Module) and name not in self.__dict__.get("_parameters", ()):
            self._register(name, value, "_modules")
            return
        for key, kind, accepts in _KINDS:
            registry = self.__dict__.get(key)
            if registry is not None and name in registry:
                if value is not None and not (accepts and isinstance(value, accepts)):
                    takes = "Tensor" if kind == "buffer" else kind
                    raise TypeError(f"cannot assign a {type(value).__name__} to "
                                    f"{type(self).__name__}.{name}: it is a registered "
                                    f"{kind}, so it takes a {takes} or None")
                if isinstance(value, Buffer):   # (only a buffer's entry accepts one)
                    break
                self._register(name, value, key)
                return
        if isinstance(value, Buffer):
            self.register_buffer(name, value, value.persistent)
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # only called when ordinary lookup failed; the registries mirror themselves into
        # __dict__, so this finds something only in unusual states (e.g. mid-unpickling)
        for key in _REGISTRIES:
            registry = self.__dict__.get(key)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        if not self._unregister(name):
            object.__delattr__(self, name)

    def register_parameter(self, name, parameter):
        """Register `parameter` (a Parameter, or None for an absent one) under `name`.

        `name` must be a non-empty string without '.', and not an existing attribute other
        than a parameter (a submodule, a buffer, a plain attribute, a method): KeyError
        otherwise.
        """
        self._add("register_parameter", name, parameter, "_parameters")

    def add_module(self, name, module):
        """Register `module` (or None) as the submodule `name`.

        `name` follows register_parameter's rules, with "other than a submodule".
        """
        self._add("add_module", name, module, "_modules")

    register_module = add_module

    def register_buffer(self, name, tensor, persistent=True):
        """Register `tensor` (a Tensor, or None for an absent one) as buffer `name`: state
        that is not trained (a running mean), moved by to() and, when `persistent`, saved
        by state_dict. Assigning a Tensor or None to the name later keeps it a buffer.

        `name` follows register_parameter's rules, with "other than a buffer".
        """
        self._add("register_buffer", name, tensor, "_buffers")
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def _add(self, op, name, value, key):
        """What register_parameter, add_module and register_buffer (`op`) share: check
        value's type and the name (PyTorch's rules), then register value under `key`."""
        kind, accepts = next((kind, accepts) for k, kind, accepts in _KINDS if k == key)
        accepts = accepts or Module
        if value is not None and not isinstance(value, accepts):
            hint = "; wrap tensors in nn.Parameter" if accepts is Parameter else ""
            raise TypeError(f"{op}: {name!r} must be a {accepts.__name__} or None, got "
                            f"{type(value).__name__}{hint}")
        registries = self._registries(name)
        if not isinstance(name, str):
            raise TypeError(f"{op}: the name must be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{op}: {name!r} is not a valid attribute name for a {kind} "
                           "(a non-empty string without '.')")
        if hasattr(self, name) and name not in registries[key]:
            raise KeyError(f"{op}: attribute {name!r} already exists")
        self._register(name, value, key)

    def get_submodule(self, target):
        """The submodule at dotted path `target` ("" is this module); AttributeError
        naming the first part of the path that is missing or not a Module."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(f"get_submodule: {type(module).__name__} has no "
                                     f"attribute `{item}` (looking up {target!r})")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"get_submodule: `{item}` is not an nn.Module "
                                     f"(looking up {target!r})")
        return module

    def set_submodule(self, target, module, strict=False):
        """Put `module` at dotted path `target` ("a.b.c": the submodule c of a.b), replacing
        what is there; with strict=True only an existing submodule may be replaced.
        ValueError for an empty target or a module that is not a Module; AttributeError
        (from get_submodule) when the parent path does not lead to a Module, or, strict,
        when the last name is not an existing submodule."""
        if not target:
            raise ValueError("set_submodule: cannot set the submodule without a target name")
        if not isinstance(module, Module):
            raise ValueError(f"set_submodule: `module` is not an nn.Module, found "
                             f"{type(module).__name__}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not isinstance(parent._modules.get(name), Module):
            raise AttributeError(f"set_submodule: {type(parent).__name__} has no submodule "
                                 f"`{name}` to replace (strict=True, target {target!r})")
        if hasattr(parent, name) and name not in parent._modules:
            raise AttributeError(f"set_submodule: `{name}` is an attribute of "
                                 f"{type(parent).__name__} but not an nn.Module "
                                 f"(target {target!r})")
        setattr(parent, name, module)

    def _get_member(self, op, target, key):
        """The parameter or buffer (registry `key`) at dotted path `target`, for `op`."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        kind = "an nn.Parameter" if key == "_parameters" else "a buffer"
        if not hasattr(module, name):
            raise AttributeError(f"{op}: {type(module).__name__} has no attribute `{name}` "
                                 f"(looking up {target!r})")
        if name not in getattr(module, key):
            raise AttributeError(f"{op}: `{name}` is not {kind} (looking up {target!r})")
        return getattr(module, name)

    def get_parameter(self, target):
        """The Parameter at dotted path `target` ("layer.weight"); AttributeError when the
        path does not lead to one."""
        return self._get_member("get_parameter", target, "_parameters")

    def get_buffer(self, target):
        """The buffer at dotted path `target`; AttributeError when there is none."""
        return self._get_member("get_buffer", target, "_buffers")

    # ---- traversal ----------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and every descendant, parents first.

        With remove_duplicate, each module is yielded once (its first name) and recorded
        in `memo` (a set, shared by the recursive calls); otherwise a module registered
        under several names is yielded, with its subtree, under each of them.
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                                remove_duplicate)

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

    def _named_members(self, key, prefix, recurse, remove_duplicate):
        """(dotted name, tensor) for the non-None entries of registry `key` of this module
        (and, with recurse, of every submodule), each tensor once with remove_duplicate."""
        seen = set()
        owners = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                  if recurse else [(prefix, self)])
        for owner_name, module in owners:
            for name, tensor in getattr(module, key).items():
                if tensor is None or id(tensor) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(tensor))
                yield (f"{owner_name}.{name}" if owner_name else name), tensor

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) for every parameter, each once (tied ones too) unless
        remove_duplicate=False."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Tensor) for every buffer that is not None, persistent or not, each
        once unless remove_duplicate=False."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

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

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad on every parameter (to freeze or unfreeze); returns self."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    # ---- state --------------------------------------------------------------------------
    def get_extra_state(self):
        """State beyond parameters and buffers that state_dict saves under
        '<prefix>_extra_state' (any picklable object); a subclass that has some overrides
        this together with set_extra_state. The base class has none (RuntimeError)."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never "
                           "be called: override get_extra_state() in the subclass to save "
                           "extra state")

    def set_extra_state(self, state):
        """Restore what get_extra_state returned, from load_state_dict (see there)."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never "
                           "be called: override set_extra_state() in the subclass to load "
                           "extra state")

    def _own_state_items(self, prefix):
        """(dotted name, value) for this module's own state_dict entries, in PyTorch's
        order: parameters, persistent buffers (None entries left out), then, when the
        class overrides get_extra_state, ('<prefix>_extra_state', self) (the module
        stands for its extra state, which is read only when saved)."""
        for name, parameter in self._parameters.items():
            if parameter is not None:
                yield prefix + name, parameter
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                yield prefix + name, buffer
        if type(self).get_extra_state is not Module.get_extra_state:
            yield prefix + _EXTRA_STATE_KEY, self

    def _named_state_modules(self, prefix=""):
        """(prefix, module) for this module and each submodule as state_dict visits them,
        the prefix being the dotted name plus '.'; nothing is de-duplicated."""
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module._named_state_modules(f"{prefix}{name}.")

    def _state_items(self, prefix=""):
        """(dotted name, value) for each state_dict entry of the tree (_own_state_items of
        each module, parents first): a tensor or a module standing for its extra state.
        Nothing is de-duplicated, so a tensor or a submodule registered under two names
        appears under both."""
        for module_prefix, module in self._named_state_modules(prefix):
            yield from module._own_state_items(module_prefix)

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """Dotted names ("0.weight", "bn.running_mean") -> parameters and persistent
        buffers, written into `destination` (default: a new OrderedDict), which is
        returned. Names start with `prefix`.

        With keep_vars=False the values are detached tensors sharing storage with the
        module's (save them to keep a snapshot); with keep_vars=True, the objects
        themselves (the Parameters, with their autograd state). An uninitialized
        parameter or buffer (of a lazy module) is always the object itself.
        """
        if destination is None:
            destination = OrderedDict()
        for hook in tuple(self._state_dict_pre_hooks.values()):
            hook(self, prefix, keep_vars)
        for name, value in self._own_state_items(prefix):
            if isinstance(value, Module):
                destination[name] = value.get_extra_state()
            else:
                destination[name] = value if keep_vars or is_lazy(value) else value.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=f"{prefix}{name}.",
                                  keep_vars=keep_vars)
        for hook in tuple(self._state_dict_hooks.values()):
            if hook(self, destination, prefix, {}) is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` (names -> minitorch tensors or numpy arrays) into
        the parameters and persistent buffers, in place.

        Values are cast to each tensor's dtype and moved to its backend. With
        strict=True, any missing or unexpected key is an error; a shape mismatch always
        is. Nothing is copied unless every check passes. Returns IncompatibleKeys.

        An uninitialized parameter or buffer of the model (a lazy module's) takes the
        shape of its value, as torch's lazy modules do; an uninitialized value leaves
        it uninitialized, and cannot be loaded into an initialized one.

        A module whose class overrides get_extra_state/set_extra_state expects the key
        '<prefix>_extra_state' and receives its value (any object) by set_extra_state.
        Each module's load_state_dict pre-hooks run first, parents first, on a copy of
        state_dict they may change; its post-hooks run after a successful load.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected state_dict to be dict-like, got "
                            f"{type(state_dict).__name__}")
        state_dict = OrderedDict(state_dict)
        missing, unexpected, errors = [], [], []
        modules = list(self._named_state_modules())
        for prefix, module in modules:
            for hook in tuple(module._load_state_dict_pre_hooks.values()):
                hook(module, state_dict, prefix, {}, strict, missing, unexpected, errors)
        slots = OrderedDict(self._state_items())
        missing += [name for name in slots if name not in state_dict]
        unexpected += [name for name in state_dict if name not in slots]
        for name, target in slots.items():
            if name not in state_dict or isinstance(target, Module):
                continue
            value = state_dict[name]
            if not isinstance(value, (Tensor, np.ndarray)):
                raise TypeError(
                    f"load_state_dict: {name!r} holds a {type(value).__module__}."
                    f"{type(value).__name__}, expected a minitorch Tensor or numpy array; "
                    "convert a PyTorch state dict with minitorch.serialization.from_torch")
            if is_lazy(value) and not is_lazy(target):
                errors.append(f"{name}: the state dict holds an uninitialized "
                              f"{type(value).__name__}, the model an initialized tensor of "
                              f"shape {format_shape(target.shape)}; run the saved lazy "
                              "module on a batch before saving it")
            elif not is_lazy(target) and tuple(value.shape) != target.shape:
                errors.append(f"size mismatch for {name}: the state dict has shape "
                              f"{format_shape(tuple(value.shape))}, the model "
                              f"{format_shape(target.shape)}")
        if strict:
            errors += [f"missing key {name!r}" for name in missing]
            errors += [f"unexpected key {name!r}" for name in unexpected]
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n  "
                               + "\n  ".join(errors))
        with no_grad():
            for name, target in slots.items():
                if name not in state_dict:
                    continue
                value = state_dict[name]
                if isinstance(target, Module):
                    target.set_extra_state(value)
                    continue
                if value is None or is_lazy(value):
                    continue
                if is_lazy(target):
                    target.materialize(tuple(value.shape))
                target.copy_(value if isinstance(value, Tensor) else
                             make_tensor(value, backend=target.backend))
        incompatible = IncompatibleKeys(missing, unexpected)
        for _, module in modules:
            for hook in tuple(module._load_state_dict_post_hooks.values()):
                if hook(module, incompatible) is not None:
                    raise RuntimeError("load_state_dict post-hook must return None")
        return incompatible

    def _apply(self, convert):
        """Replace every parameter's data (and gradient) and every buffer by
        convert(tensor). Parameters keep their identity (their .data is repointed), so
        optimizers holding them see the change; buffers are replaced. Returns self."""
        for parameter in self.parameters():
            parameter.data = convert(parameter.data)
            if parameter.grad is not None:
                parameter.grad = convert(parameter.grad)
        for module in self.modules():
            buffers = module._buffers
            for name, buffer in list(buffers.items()):
                if buffer is not None:
                    buffers[name] = convert(buffer)
        return self

    def to(self, *args, device=None, dtype=None, non_blocking=False):
        """Move parameters (with their gradients) and buffers to a backend and/or dtype,
        in place; returns self.

        Takes what Tensor.to takes (no copy=): a device, a backend name, a dtype, a
        device and a dtype, or a tensor. "cpu" (every backend is CPU memory) keeps each
        tensor on its backend, so `model.to(device)` with a CPU device changes nothing; a
        backend name moves them all there; other devices ("cuda") are refused. The dtype
        must be a floating one and, as in PyTorch, converts only floating tensors (an
        int64 step counter stays int64). The Parameter objects stay the same, so build
        the optimizer before or after, as you like; optimizer state made before the move
        stays where it was. non_blocking is ignored.
        """
        backend, dtype = parse_to(args, device, dtype)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"to: Module.to only accepts floating point dtypes, got "
                            f"{dtype.name}")
        if backend is None and dtype is None:
            return self
        return self._apply(lambda tensor: tensor.to(
            device=backend, dtype=dtype if tensor.dtype.is_floating_point else None))

    def to_empty(self, *, device, recurse=True):
        """Replace every parameter's data and every buffer (this module's only when not
        recurse) by an uninitialized tensor of the same shape and dtype on `device` (a
        CPU device or a backend name, as to() takes; None keeps each tensor's backend).
        Returns self."""
        backend, _ = parse_to((device,) if device is not None else (), None, None)
        modules = self.modules() if recurse else (self,)
        with no_grad():
            for module in modules:
                for parameter in module._parameters.values():
                    if parameter is not None:
                        parameter.data = empty_like(parameter.data.to(device=backend))
                for name, buffer in list(module._buffers.items()):
                    if buffer is not None:
                        module._buffers[name] = empty_like(buffer.to(device=backend))
        return self

    def share_memory(self):
        """self: every backend's memory is ordinary process memory, which minitorch's
        DataLoader workers do not share, so there is nothing to move (torch moves the
        tensors to shared memory). Kept for torch's API."""
        return self

    def type(self, dst_type):
        """Cast every parameter and buffer, floating or not, to dtype dst_type (torch's
        Module.type); returns self."""
        return self._apply(lambda tensor: tensor.to(dtype=dst_type))

    def cpu(self):
        """self, unchanged: every backend keeps its tensors in CPU memory (PyTorch's
        model.cpu() moves them there)."""
        return self

    def cuda(self, device=None):
        """Always a RuntimeError, whatever `device` (kept for torch's signature):
        minitorch runs on CPU backends only (see devices.check_device); use to(backend
        name) to change backend."""
        check_device("cuda", "Module.cuda")

    def float(self):
        """Cast floating parameters and buffers to float32 (to(float32)); returns self."""
        return self.to(float32)

    def double(self):
        """Cast floating parameters and buffers to float64 (to(float64)); returns self."""
        return self.to(float64)

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
        registries = {key: state.pop(key, {}) for key in _REGISTRIES}
        state.setdefault("_non_persistent_buffers_set", set())
        for key in _HOOK_TABLES:
            state.setdefault(key, OrderedDict())
        self.__dict__.update(state)
        for key, items in registries.items():
            object.__setattr__(self, key, _Registry(self.__dict__, items))

    # ---- printing -----------------------------------------------------------------------
    def extra_repr(self):
        """The text inside the parentheses of this module's repr (subclasses override)."""
        return ""

    def _child_reprs(self):
        """(label, text) of each submodule as __repr__ lists it: its name and repr."""
        return [(name, repr(module)) for name, module in self._modules.items()]

    def __repr__(self):
        """torch's layout: Name(extra) when extra_repr() is one line and there are no
        submodules, else each line of extra_repr() and each "(name): child" on a line of
        its own, indented by two spaces."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({label}): " + child.replace("\n", "\n  ")
                       for label, child in self._child_reprs()]
        text = f"{type(self).__name__}("
        if len(extra_lines) == 1 and not child_lines:
            text += extra_lines[0]
        elif extra_lines or child_lines:
            text += "\n  " + "\n  ".join(extra_lines + child_lines) + "\n"
        return text + ")"


def _alias(tensor):
    """tensor's values as a new tensor sharing its memory, with a graph node of its own,
    so a hook on it sees the gradient w.r.t. exactly this use of tensor (torch's
    BackwardHookFunction)."""
    return Reshape.apply(tensor, tensor.shape)


class _BackwardHookCall:
    """One call of a module that has full backward hooks (see
    Module.register_full_backward_hook): `args` are the call's arguments with the input
    that requires grad replaced by an alias whose tensor hook runs the module's hooks;
    wrap_output(output) aliases the output so a tensor hook records grad_output."""

    def __init__(self, module, args):
        self.module = module
        self.hooks = tuple(module._backward_hooks.values())
        self.pre_hooks = tuple(module._backward_pre_hooks.values())
        positions = [index for index, value in enumerate(args) if isinstance(value, Tensor)]
        self.input_count = len(positions)
        differentiable = [index for index in positions if args[index].requires_grad]
        if len(differentiable) > 1:
            raise NotImplementedError(
                f"{type(module).__name__}: full backward hooks support modules called with "
                f"at most one Tensor argument that requires grad; this call has "
                f"{len(differentiable)}")
        self.input_slot = None   # position in grad_input of the input that requires grad
        self.grad_output = None  # set by the output's hook, consumed by the input's
        if differentiable:
            index = differentiable[0]
            self.input_slot = positions.index(index)
            alias = _alias(args[index])
            alias.register_hook(self._input_hook)
            args = args[:index] + (alias,) + args[index + 1:]
        self.args = args

    def wrap_output(self, output):
        """output aliased, with the hook that records grad_output; output itself when it
        does not require grad."""
        if not isinstance(output, Tensor):
            raise NotImplementedError(
                f"{type(self.module).__name__}: full backward hooks support modules whose "
                f"output is one Tensor; this call returned a {type(output).__name__}")
        if not output.requires_grad:
            return output
        output = _alias(output)
        output.register_hook(self._output_hook)
        return output

    def _output_hook(self, grad):
        for hook in self.pre_hooks:
            result = hook(self.module, (grad,))
            if result is not None:
                if len(result) != 1:
                    raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(result)}, but expected 1")
                grad = result[0]
        self.grad_output = (grad,)
        if self.input_slot is None:   # no gradient will reach an input: run the hooks now
            grad_input = (None,) * self.input_count
            for hook in self.hooks:
                result = hook(self.module, grad_input, self.grad_output)
                if result is not None and any(entry is not None for entry in result):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_output = None
        return grad

    def _input_hook(self, grad):
        if self.grad_output is None:   # this gradient did not come through the output
            return None
        grad_input = tuple(grad if slot == self.input_slot else None
                           for slot in range(self.input_count))
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                if len(result) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of "
                                       f"grad_input, got {len(result)}, but expected "
                                       f"{len(grad_input)}")
                grad_input = tuple(result)
        self.grad_output = None
        return grad_input[self.input_slot]
