"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""
from ..creation import zeros_like
from . import functional
from .optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    foreach=None, *, maximize=False, differentiable=False, capturable=False).

    The update is torch.optim.Adamax's (see minitorch.optim.functional.adamax_step).
    state[p] holds "step" (an int), "exp_avg" and "exp_inf".
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        self._check_range(op, "eps", group["eps"])
        self._check_betas(op, group["betas"])

    def _update(self, group):
        beta1, beta2 = group["betas"]
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                state.update(step=0, exp_avg=zeros_like(param), exp_inf=zeros_like(param))
            state["step"] += 1
            functional.adamax_step(param, grad, state["exp_avg"], state["exp_inf"],
                                   state["step"], group["lr"], beta1, beta2, group["eps"],
                                   group["weight_decay"])
