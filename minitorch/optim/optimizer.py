"""Optimizer: parameter groups, per-parameter state, zero_grad and state dicts."""
import copy

import numpy as np

from ..autograd import enable_grad
from ..creation import tensor as make_tensor
from ..nn.parameter import clear_grads
from ..tensor import Tensor


class Optimizer:
    """Base class of the optimizers: holds parameter groups and per-parameter state.

    `params` is an iterable of tensors, or of dicts each with a "params" entry and any
    hyper-parameters that override `defaults` for that group. `state` maps each
    parameter to a dict of tensors and numbers (momentum buffers, step counts).
    Subclasses implement `_update(group)`, called by step() once per group.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors or dicts, got a single "
                            "Tensor; pass [tensor] or model.parameters()")
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; pass "
                             "model.parameters() of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add a dict with "params" (tensors) and optional hyper-parameter overrides."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"a parameter group must be a dict with a 'params' entry, got "
                            f"{type(group).__name__}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"{type(self).__name__} can only optimize Tensors, got a "
                                f"{type(param).__name__}")
            if not param.is_leaf:
                raise ValueError(f"{type(self).__name__} can't optimize a non-leaf Tensor "
                                 "(one computed from others); optimize the leaves it came from")
            if not param.dtype.is_floating_point:
                raise TypeError(f"{type(self).__name__} can only optimize floating point "
                                f"tensors, got {param.dtype.name}")
        known = {id(p) for existing in self.param_groups for p in existing["params"]}
        if len({id(p) for p in params}) != len(params) or known & {id(p) for p in params}:
            raise ValueError(f"{type(self).__name__}: some parameters appear more than once "
                             "(within a group or in two groups); pass each parameter once")
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown hyper-parameters "
                            f"{sorted(unknown)} in a parameter group; known ones are "
                            f"{sorted(self.defaults)}")
        full_group = {**self.defaults, **group, "params": params}
        self._check_hyperparameters(full_group)
        self.param_groups.append(full_group)

    def _check_hyperparameters(self, group):
        """Raise ValueError for hyper-parameters out of range (subclasses extend)."""
        if group["lr"] < 0:
            raise ValueError(f"{type(self).__name__}: invalid learning rate {group['lr']}")
        if group.get("weight_decay", 0) < 0:
            raise ValueError(f"{type(self).__name__}: invalid weight_decay "
                             f"{group['weight_decay']}")

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's .grad: drop it (default) or fill it with zeros."""
        clear_grads((param for group in self.param_groups for param in group["params"]),
                    set_to_none)

    def step(self, closure=None):
        """Update every parameter that has a .grad; returns closure() when one is given
        (it is called first, with grad enabled, to recompute the loss)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update(group)
        return loss

    def _update(self, group):
        raise NotImplementedError(f"{type(self).__name__} must implement _update(group)")

    def _with_gradients(self, group):
        """(param, grad, state) for each parameter of the group that has a gradient;
        state is the parameter's (initially empty) state dict. A gradient must match its
        parameter's shape, dtype and backend."""
        state = self.state
        for param in group["params"]:
            grad = param.grad
            if grad is None:
                continue
            if grad.shape != param.shape or grad.dtype is not param.dtype or \
                    grad._storage.backend is not param._storage.backend:
                raise RuntimeError(f"the gradient of a parameter of shape "
                                   f"{tuple(param.shape)} ({param.dtype.name}, "
                                   f"{param.backend}) has shape {tuple(grad.shape)} "
                                   f"({grad.dtype.name}, {grad.backend}); assign .grad a "
                                   "tensor matching its parameter")
            yield param, grad, state.setdefault(param, {})

    # ---- state dicts --------------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {name: value}}, "param_groups": [{..., "params": [indices]}]}.

        Parameters are numbered across groups in order, as in PyTorch. Tensors in
        "state" are the optimizer's own (save them to keep a snapshot).
        """
        index_of = {}
        groups = []
        for group in self.param_groups:
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": [index_of[id(p)] for p in group["params"]]})
        state = {index_of[id(param)]: dict(values) for param, values in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by state_dict() of a like optimizer.

        Groups must match in number and size. State tensors are copied onto each
        parameter's backend and dtype; numpy arrays are accepted in their place.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups) or any(
                len(saved["params"]) != len(group["params"])
                for saved, group in zip(saved_groups, self.param_groups)):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved groups hold "
                             f"{[len(g['params']) for g in saved_groups]} parameters, this "
                             f"optimizer's {[len(g['params']) for g in self.param_groups]}")
        param_of = {}
        for saved, group in zip(saved_groups, self.param_groups):
            param_of.update(zip(saved["params"], group["params"]))
        self.state = {}
        for index, values in state_dict["state"].items():
            param = param_of[int(index)]
            self.state[param] = {name: self._restore(name, value, param)
                                 for name, value in values.items()}
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})

    @staticmethod
    def _restore(name, value, param):
        """A saved state entry ready for use with `param`: tensors (which must have its
        shape) copied, compact, onto its backend and dtype; step counts as ints."""
        if name == "step":
            return int(value.item() if isinstance(value, (Tensor, np.ndarray)) else value)
        if isinstance(value, (Tensor, np.ndarray)):
            if tuple(value.shape) != param.shape:
                raise ValueError(f"load_state_dict: state {name!r} has shape "
                                 f"{tuple(value.shape)}, its parameter {tuple(param.shape)}")
            return make_tensor(value, dtype=param.dtype, backend=param.backend)
        return copy.deepcopy(value)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for position, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {position}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items())
                      if key != "params"]
        return "\n".join(lines + [")"])
