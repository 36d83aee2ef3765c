"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""
from ..creation import zeros_like
from . import functional
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
    decoupled_weight_decay=False).

    The update is torch.optim.Adam's (see minitorch.optim.functional.adam_step), run by
    the backend's fused `adam_step` kernel where it has one (amsgrad takes tensor ops);
    weight_decay adds an L2 term to the gradient, or with decoupled_weight_decay scales
    the parameter as AdamW does; maximize ascends the gradient. state[p]
    holds "step" (an int), "exp_avg", "exp_avg_sq" and, with amsgrad, "max_exp_avg_sq"
    (zeros when amsgrad is first used, so turning it on mid-training starts the maximum
    there; torch.optim raises a KeyError instead).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        self._check_range(op, "eps", group["eps"])
        self._check_betas(op, group["betas"])
        self._check_flag(op, "amsgrad", group["amsgrad"])
        self._check_flag(op, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _update(self, group):
        beta1, beta2 = group["betas"]
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                state.update(step=0, exp_avg=zeros_like(param), exp_avg_sq=zeros_like(param))
            if group["amsgrad"] and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_like(param)
            state["step"] += 1
            functional.adam_step(param, grad, state["exp_avg"], state["exp_avg_sq"],
                                 state["step"], group["lr"], beta1, beta2, group["eps"],
                                 group["weight_decay"], group["decoupled_weight_decay"],
                                 state["max_exp_avg_sq"] if group["amsgrad"] else None)


class AdamW(Adam):
    """AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
    amsgrad=False, *, maximize=False, foreach=None, capturable=False, differentiable=False,
    fused=None).

    Adam with decoupled weight decay (Adam with decoupled_weight_decay=True): each step
    first scales the parameter by 1 - lr * weight_decay, and the gradient is left alone.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
