"""Adagrad: scale each coordinate's step by the root of its summed squared gradients."""
from ..creation import full_like
from . import functional
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None).

    The update is torch.optim.Adagrad's (see minitorch.optim.functional.adagrad_step).
    state[p] holds "step" (an int) and "sum", the running sum of squared gradients, which
    starts at the group's initial_accumulator_value. As in PyTorch the state of every
    parameter given here is made at once; a group added later gets its state at its
    first step. (torch.optim takes the constructor's initial_accumulator_value for every
    group, ignoring a group's own; minitorch takes the group's.)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        for group in self.param_groups:
            for param in group["params"]:
                self._initialize(param, group)

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        for name in ("lr_decay", "initial_accumulator_value", "eps"):
            self._check_range(op, name, group[name])

    def _initialize(self, param, group):
        """Give `param` its initial state unless it has state already; returns the state."""
        state = self.state[param]
        if not state:
            state.update(step=0, sum=full_like(param, group["initial_accumulator_value"]))
        return state

    def _update(self, group):
        for param, grad in self._with_gradients(group):
            state = self._initialize(param, group)
            state["step"] += 1
            functional.adagrad_step(param, grad, state["sum"], state["step"], group["lr"],
                                    group["lr_decay"], group["eps"], group["weight_decay"])
