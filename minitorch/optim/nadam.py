"""NAdam and RAdam: Adam with Nesterov momentum, and Adam with its adaptive rate's
variance rectified (plain momentum SGD while too few steps make that variance tractable)."""
from ..creation import ones, zeros_like
from ..dtype import get_default_dtype
from . import functional
from .optimizer import Optimizer


class _AdamVariant(Optimizer):
    """What NAdam and RAdam share: betas, eps, weight decay (L2 or decoupled) and the
    moment estimates "exp_avg" and "exp_avg_sq" beside "step" (an int) in state[p]."""

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        self._check_range(op, "eps", group["eps"])
        self._check_betas(op, group["betas"])
        self._check_flag(op, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _moments(self, param):
        """param's state, made on first use (with _extra_state's entries too)."""
        state = self.state[param]
        if not state:
            state.update(step=0, **self._extra_state(param), exp_avg=zeros_like(param),
                         exp_avg_sq=zeros_like(param))
        state["step"] += 1
        return state

    def _extra_state(self, param):
        return {}


class NAdam(_AdamVariant):
    """NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False,
    capturable=False, differentiable=False).

    The update is torch.optim.NAdam's (see minitorch.optim.functional.nadam_step).
    state[p] also holds "mu_product", a 0-d tensor of the default dtype, as torch's.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      capturable=capturable, differentiable=differentiable))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        self._check_range(op, "momentum_decay", group["momentum_decay"])

    def _extra_state(self, param):
        return dict(mu_product=ones((), dtype=get_default_dtype(), backend=param.backend))

    def _update(self, group):
        beta1, beta2 = group["betas"]
        for param, grad in self._with_gradients(group):
            state = self._moments(param)
            functional.nadam_step(param, grad, state["exp_avg"], state["exp_avg_sq"],
                                  state["mu_product"], state["step"], group["lr"], beta1,
                                  beta2, group["eps"], group["weight_decay"],
                                  group["momentum_decay"], group["decoupled_weight_decay"])


class RAdam(_AdamVariant):
    """RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
    differentiable=False).

    The update is torch.optim.RAdam's (see minitorch.optim.functional.radam_step).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      capturable=capturable, differentiable=differentiable))

    def _update(self, group):
        beta1, beta2 = group["betas"]
        for param, grad in self._with_gradients(group):
            state = self._moments(param)
            functional.radam_step(param, grad, state["exp_avg"], state["exp_avg_sq"],
                                  state["step"], group["lr"], beta1, beta2, group["eps"],
                                  group["weight_decay"], group["decoupled_weight_decay"])
