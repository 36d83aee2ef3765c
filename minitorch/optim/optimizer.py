"""Optimizer: parameter groups, per-parameter state, zero_grad, state dicts and hooks."""
import copy
import functools
import math
import numbers
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Mapping

import numpy as np

from ..autograd import RemovableHandle, enable_grad, no_grad
from ..creation import tensor as make_tensor
from ..nn.parameter import clear_grads
from ..tensor import Tensor, fits_as_gradient


_HOOK_KINDS = ("step_pre", "step_post", "state_dict_pre", "state_dict_post",
               "load_state_dict_pre", "load_state_dict_post")
_global_step_hooks = {"pre": OrderedDict(), "post": OrderedDict()}


def register_optimizer_step_pre_hook(hook):
    """A step pre-hook (see Optimizer) for every optimizer, run before their own."""
    return RemovableHandle(_global_step_hooks["pre"], hook)


def register_optimizer_step_post_hook(hook):
    """A step post-hook (see Optimizer) for every optimizer, run after their own."""
    return RemovableHandle(_global_step_hooks["post"], hook)


def _with_step_hooks(step):
    """step, running the global and the optimizer's step pre- and post-hooks around it."""
    @functools.wraps(step)
    def hooked(*args, **kwargs):   # args[0] is the optimizer; hooks see it in args too
        self = args[0]
        self._opt_called = True   # read by LRScheduler.step, as torch's patched step sets it
        pre, post = self._hooks["step_pre"], self._hooks["step_post"]
        if not (pre or post or _global_step_hooks["pre"] or _global_step_hooks["post"]):
            return step(*args, **kwargs)   # the usual case: no hooks, no lists built
        for hook in [*_global_step_hooks["pre"].values(), *pre.values()]:
            changed = hook(self, args, kwargs)
            if changed is not None:
                if not (isinstance(changed, tuple) and len(changed) == 2):
                    raise RuntimeError(f"{hook} must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {changed}.")
                args, kwargs = changed
        result = step(*args, **kwargs)
        for hook in [*post.values(), *_global_step_hooks["post"].values()]:
            hook(self, args, kwargs)
        return result
    return hooked


class Optimizer:
    """Base class of the optimizers: holds parameter groups and per-parameter state.

    `params` is an iterable of tensors or of (name, tensor) pairs (as
    model.named_parameters() gives), or of dicts each with a "params" entry of either
    kind and any hyper-parameters that override `defaults` for that group. A group may
    hold other keys too (a "name", say): they are kept, and saved by state_dict(). The
    names of named parameters are kept in their group's "param_names".

    `state` maps each parameter to a dict of tensors and numbers (momentum buffers, step
    counts); as in PyTorch it is a defaultdict(dict), so state[p] of a parameter without
    state is a new, empty dict (which reading it inserts). Subclasses implement
    `_update(group)`, called by step() once per group (or step itself, as LBFGS).

    The implementation options of torch.optim's signatures, `foreach`, `fused` (None or
    a bool), `capturable` and `differentiable` (bools), are kept in each group as torch
    keeps them, and change nothing: every choice gives the per-tensor loop's result.
    differentiable=True, which asks for a step autograd can differentiate, is refused
    (ValueError): minitorch's steps are not recorded.

    Hooks, as torch.optim's (each register_* returns a handle whose remove() drops it):
    step pre-hooks hook(optimizer, args, kwargs) -> None or new (args, kwargs) (args
    starts with the optimizer itself, as in torch), run
    before step (the global ones of register_optimizer_step_pre_hook first), and step
    post-hooks hook(optimizer, args, kwargs), run after it (the global ones last);
    state_dict pre-hooks hook(optimizer) and post-hooks hook(optimizer, state_dict) ->
    None or a state dict to return instead; load_state_dict pre-hooks
    hook(optimizer, state_dict) -> None or the state dict to load instead, and post-hooks
    hook(optimizer). prepend=True runs a hook before those registered earlier.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:   # an optimizer with its own step (LBFGS) runs hooks too
            cls.step = _with_step_hooks(cls.step)

    def __init__(self, params, defaults):
        name = type(self).__name__
        self._hooks = {kind: OrderedDict() for kind in _HOOK_KINDS}
        if isinstance(params, Tensor):
            raise TypeError(f"{name}(): params must be an iterable of Tensors or dicts, got "
                            "a single Tensor; pass [tensor] or model.parameters()")
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}() got an empty parameter list; pass "
                             "model.parameters() of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self._add_param_group(group, f"{name}()")

    def add_param_group(self, group):
        """Add a dict with "params" (tensors, or (name, tensor) pairs), optional
        hyper-parameter overrides and any other keys. All groups must be named, or none."""
        self._add_param_group(group, f"{type(self).__name__}.add_param_group")

    def _add_param_group(self, group, op):
        """add_param_group, with errors naming `op`; the group is checked in full first."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{op}: a parameter group must be a dict with a 'params' entry, "
                            f"got {type(group).__name__}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        params, names = _split_names(params, op)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"{op}: can only optimize Tensors, got a {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError(f"{op}: can't optimize a non-leaf Tensor (one computed from "
                                 "others); optimize the leaves it came from")
            if not param.dtype.is_floating_point:
                raise TypeError(f"{op}: can only optimize floating point tensors, got "
                                f"{param.dtype.name}")
        known = {id(p) for existing in self.param_groups for p in existing["params"]}
        if known & {id(p) for p in params}:
            raise ValueError(f"{op}: some parameters appear in more than one parameter "
                             "group; pass each parameter in one group only")
        full_group = {**self.defaults, **group, "params": params}
        if names is not None:
            full_group["param_names"] = names
        named = "param_names" in full_group
        if any(("param_names" in existing) != named for existing in self.param_groups):
            raise ValueError(f"{op}: all parameter groups should be with or without names; "
                             f"cannot add a group {'with' if named else 'without'} names to "
                             "this optimizer's")
        self._check_hyperparameters(full_group, op)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          UserWarning, stacklevel=3)
        self.param_groups.append(full_group)

    def _check_hyperparameters(self, group, op):
        """Raise, naming `op`, TypeError for a hyper-parameter of the wrong type and
        ValueError for one out of range. Subclasses extend this; add_param_group and
        load_state_dict call it on the complete group before using it."""
        self._check_range(op, "lr", group["lr"])
        if "weight_decay" in group:
            self._check_range(op, "weight_decay", group["weight_decay"])
        if "maximize" in group:
            self._check_flag(op, "maximize", group["maximize"])
        for name in ("foreach", "fused"):
            if group.get(name) is not None:
                self._check_flag(op, name, group[name])
        for name in ("capturable", "differentiable"):
            if name in group:
                self._check_flag(op, name, group[name])
        if group.get("differentiable"):
            raise ValueError(f"{op}: differentiable=True is not supported: minitorch's "
                             "optimizer steps are not recorded by autograd; pass "
                             "differentiable=False")

    @staticmethod
    def _check_range(op, name, value, upper=math.inf):
        """Raise unless `value` is a real number (bool is not one) with 0 <= value < upper.

        The test is written as `not 0 <= value < upper`, as torch.optim writes its checks,
        so that nan fails it; inf fails it too, as no update survives an infinite factor.
        """
        allowed = "a finite number >= 0" if upper == math.inf else f"in [0, {upper})"
        check_real(op, name, value, lambda number: 0.0 <= number < upper, allowed)

    @classmethod
    def _check_betas(cls, op, betas):
        """Raise unless `betas` is a pair of numbers, each in [0, 1)."""
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{op}: betas must be a pair (beta1, beta2), got {betas!r}")
        for position, beta in enumerate(betas):
            cls._check_range(op, f"betas[{position}]", beta, upper=1.0)

    @staticmethod
    def _check_flag(op, name, value):
        """Raise TypeError unless `value` is a bool (an option such as maximize)."""
        if not isinstance(value, bool):
            raise TypeError(f"{op}: option {name} must be True or False, got "
                            f"{type(value).__name__} {value!r}")

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's .grad: drop it (default) or fill it with zeros."""
        clear_grads((param for group in self.param_groups for param in group["params"]),
                    set_to_none)

    def _register(self, kind, hook, prepend=False):
        handle = RemovableHandle(self._hooks[kind], hook)
        if prepend:
            self._hooks[kind].move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        return self._register("step_pre", hook)

    def register_step_post_hook(self, hook):
        return self._register("step_post", hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._register("state_dict_pre", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._register("state_dict_post", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._register("load_state_dict_pre", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._register("load_state_dict_post", hook, prepend)

    @_with_step_hooks
    def step(self, closure=None):
        """Update every parameter that has a .grad; returns closure() when one is given
        (it is called first, with grad enabled, to recompute the loss).

        Every gradient is checked before any parameter or state is written, so a step
        that raises changes nothing.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group_index, group in enumerate(self.param_groups):
            self._check_gradients(group, group_index)
        for group in self.param_groups:
            self._update(group)
        return loss

    def _update(self, group):
        raise NotImplementedError(f"{type(self).__name__} must implement _update(group)")

    def _check_gradients(self, group, group_index):
        """Raise unless each .grad in the group is None or matches its parameter in shape,
        dtype and backend (the .grad setter checks that, but the parameter's or the
        gradient's .data may have been repointed since). Writes nothing."""
        for index, param in enumerate(group["params"]):
            grad = param.grad
            if grad is not None and not fits_as_gradient(grad, param):
                raise RuntimeError(f"{type(self).__name__}.step: the gradient of parameter "
                                   f"{index} of group {group_index}, of shape "
                                   f"{tuple(param.shape)} ({param.dtype.name}, "
                                   f"{param.backend}), has shape {tuple(grad.shape)} "
                                   f"({grad.dtype.name}, {grad.backend}); assign .grad a "
                                   "tensor matching its parameter. No parameter was updated")

    def _with_gradients(self, group):
        """(param, grad) for each parameter of the group that has a gradient, for
        _update, which step() calls only after _check_gradients has passed every group.
        When the group's "maximize" is set, grad is the negated gradient (a new tensor),
        so the update ascends, as torch.optim's maximize=True does.
        self.state[param] (a defaultdict) gives the parameter's state dict, made empty on
        first use: only optimizers that keep state create entries, as in PyTorch."""
        maximize = group.get("maximize", False)
        for param in group["params"]:
            grad = param.grad
            if grad is not None:
                if maximize:
                    with no_grad():
                        grad = -grad
                yield param, grad

    # ---- state dicts --------------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {name: value}}, "param_groups": [{..., "params": [indices]}]}.

        Parameters are numbered across groups in order, as in PyTorch. Tensors in
        "state" are the optimizer's own (save them to keep a snapshot).
        """
        for hook in list(self._hooks["state_dict_pre"].values()):
            hook(self)
        index_of = {}
        groups = []
        start = 0
        for group in self.param_groups:
            # torch's numbering: positions across groups; a parameter repeated within a
            # group (torch warns when it is added) takes its last position there
            index_of.update({id(param): index for index, param
                             in enumerate(group["params"], start) if id(param) not in index_of})
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": [index_of[id(p)] for p in group["params"]]})
            start += len(group["params"])
        state = {index_of[id(param)]: dict(values) for param, values in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in list(self._hooks["state_dict_post"].values()):
            changed = hook(self, result)
            result = result if changed is None else changed
        return result

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by state_dict() of a like optimizer.

        As in PyTorch, the groups must match this optimizer's in number and size, and a
        saved index stands for the parameter at the same position. State tensors (numpy
        arrays are accepted in their place) must have their parameter's shape and a
        floating point dtype; they are copied, compact, onto its backend and dtype.
        The saved groups' entries (hyper-parameters, other keys such as "param_names")
        replace this optimizer's; entries they lack keep their values. Everything,
        hyper-parameters included, is checked before anything is applied: a call that
        raises (TypeError for a wrong type, ValueError for a wrong value)
        leaves the optimizer as it was.
        """
        op = f"{type(self).__name__}.load_state_dict"
        for hook in list(self._hooks["load_state_dict_pre"].values()):
            changed = hook(self, state_dict)
            state_dict = state_dict if changed is None else changed
        saved_groups = self._saved_groups(state_dict, op)
        param_of = self._parameters_by_index(saved_groups, op)
        hyperparameters = []
        for group, saved in zip(self.param_groups, saved_groups):
            values = {key: copy.deepcopy(value) for key, value in saved.items()
                      if key != "params"}
            self._check_hyperparameters({**group, **values}, op)
            hyperparameters.append(values)
        state = self._restored_state(state_dict["state"], param_of, op)
        self.state = state
        for group, values in zip(self.param_groups, hyperparameters):
            group.update(values)
        for hook in list(self._hooks["load_state_dict_post"].values()):
            hook(self)

    def _saved_groups(self, state_dict, op):
        """state_dict["param_groups"], once the dict's layout is checked and its groups
        match this optimizer's in number and size."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{op}: expected the dict state_dict() returns, got "
                            f"{type(state_dict).__name__}")
        missing = [key for key in ("state", "param_groups") if key not in state_dict]
        if missing:
            raise ValueError(f"{op}: the state dict lacks {missing}; pass what "
                             f"{type(self).__name__}.state_dict() returned")
        saved_groups = state_dict["param_groups"]
        if not isinstance(state_dict["state"], Mapping):
            raise TypeError(f"{op}: 'state' must be a dict {{index: {{name: value}}}}, got "
                            f"{type(state_dict['state']).__name__}")
        if not isinstance(saved_groups, (list, tuple)) or not all(
                isinstance(saved, Mapping) and isinstance(saved.get("params"), (list, tuple))
                for saved in saved_groups):
            raise TypeError(f"{op}: 'param_groups' must be a list of dicts, each with a "
                            "'params' list of parameter indices")
        saved_sizes = [len(saved["params"]) for saved in saved_groups]
        sizes = [len(group["params"]) for group in self.param_groups]
        if len(saved_sizes) != len(sizes):
            raise ValueError(f"{op}: loaded state dict has a different number of parameter "
                             f"groups ({len(saved_sizes)}) than this optimizer "
                             f"({len(sizes)}); load one saved from an optimizer built with "
                             "the same parameter groups")
        if saved_sizes != sizes:
            raise ValueError(f"{op}: loaded state dict contains a parameter group that "
                             "doesn't match the size of optimizer's group: its groups hold "
                             f"{saved_sizes} parameters, this optimizer's {sizes}; load one "
                             "saved from an optimizer built with the same parameter groups")
        return saved_groups

    def _parameters_by_index(self, saved_groups, op):
        """{saved index: this optimizer's parameter in the same position}."""
        param_of = {}
        for saved, group in zip(saved_groups, self.param_groups):
            for saved_index, param in zip(saved["params"], group["params"]):
                index = _as_index(saved_index)
                if index is None:
                    raise TypeError(f"{op}: parameter indices in 'param_groups' must be "
                                    f"ints, got {saved_index!r}")
                if param_of.get(index, param) is not param:
                    raise ValueError(f"{op}: parameter index {index} stands for two "
                                     "different parameters in 'param_groups'; each index "
                                     "must name one parameter")
                param_of[index] = param
        return param_of

    def _restored_state(self, saved_state, param_of, op):
        """A new state defaultdict {param: {name: value}} made from the saved {index: ...}."""
        state = defaultdict(dict)
        for saved_index, values in saved_state.items():
            param = param_of.get(_as_index(saved_index))
            if param is None:
                raise ValueError(f"{op}: 'state' has an entry for parameter index "
                                 f"{saved_index!r}, which 'param_groups' does not list "
                                 f"(it lists {sorted(param_of)})")
            if not isinstance(values, Mapping):
                raise TypeError(f"{op}: the state of parameter {saved_index!r} must be a dict "
                                f"{{name: value}}, got {type(values).__name__}")
            where = f"{op}: parameter {saved_index!r}'s state"
            state[param] = {name: self._restore(name, value, param, where)
                            for name, value in values.items()}
        return state

    @staticmethod
    def _restore(name, value, param, where):
        """A saved state entry ready for use with `param`: tensors (which must have its
        shape, or be 0-d like NAdam's mu_product, and have a floating point dtype) copied,
        compact, onto its backend and dtype (as torch.optim casts them); step counts as
        ints. Errors start with `where`."""
        if name == "step":
            return _step_count(value, f"{where} 'step'")
        if isinstance(value, (Tensor, np.ndarray)):
            if tuple(value.shape) not in (param.shape, ()):
                raise ValueError(f"{where} {name!r} has shape {tuple(value.shape)}, its "
                                 f"parameter {tuple(param.shape)}; state tensors must have "
                                 "their parameter's shape (or be 0-d)")
            floating = value.dtype.is_floating_point if isinstance(value, Tensor) else \
                value.dtype.kind == "f"
            if not floating:
                raise TypeError(f"{where} {name!r} has dtype {value.dtype.name}; state "
                                "tensors must be floating point")
            return make_tensor(value, dtype=param.dtype, backend=param.backend)
        return copy.deepcopy(value)

    def __repr__(self):
        """torch.optim's: each group's entries but "params", sorted, a blank line between
        groups."""
        text = f"{type(self).__name__} ("
        for position, group in enumerate(self.param_groups):
            text += f"\nParameter Group {position}\n"
            text += "".join(f"    {key}: {value}\n" for key, value in sorted(group.items())
                            if key != "params")
        return text + ")"


def check_real(op, name, value, valid, allowed):
    """Raise, naming `op`, TypeError unless `value` is a real number (bool is not one) and
    ValueError unless valid(value); `allowed` says in words what `valid` accepts. Write
    `valid` as a chained comparison (0 < v <= 1) so that nan fails it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}: hyper-parameter {name} must be a real number, got "
                        f"{type(value).__name__} {value!r}; pass a Python float")
    if not valid(value):
        raise ValueError(f"{op}: invalid {name} {value!r}; it must be {allowed}")


def _split_names(params, op):
    """(tensors, names) from a group's params: all tensors (names is None), or all
    (name, tensor) pairs as named_parameters() gives. Errors name `op`."""
    named = [isinstance(param, tuple) for param in params]
    if not any(named):
        return params, None
    if not all(named):
        raise ValueError(f"{op}: all parameters of a group should be with or without names; "
                         "some param names are missing. Pass tensors, or (name, tensor) "
                         "pairs as named_parameters() gives")
    for pair in params:
        if len(pair) != 2:
            raise TypeError(f"{op}: a named parameter must be a (name, tensor) pair, got a "
                            f"tuple of {len(pair)}")
    return [tensor for _, tensor in params], [name for name, _ in params]


def _as_index(key):
    """A saved parameter index as an int (an int, or a string of digits as JSON would
    turn a key into), or None when it is neither."""
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.isdecimal():
        return int(key)
    return None


def _step_count(value, where):
    """A saved step count as an int: a whole number >= 0, or a one-element tensor or
    array holding one (PyTorch saves a float32 tensor). Errors start with `where`."""
    if isinstance(value, (Tensor, np.ndarray)) and math.prod(value.shape) == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a whole number, got {type(value).__name__}")
    if not (value >= 0 and float(value).is_integer()):
        raise ValueError(f"{where} must be a whole number >= 0, got {value!r}")
    return int(value)
