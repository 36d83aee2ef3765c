"""Adadelta: per-coordinate steps scaled by running averages of squared gradients and of
squared updates, so that no learning rate is needed (lr only scales the result)."""
from ..creation import zeros_like
from . import functional
from .optimizer import Optimizer, check_real


class Adadelta(Optimizer):
    """Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
    capturable=False, maximize=False, differentiable=False).

    The update is torch.optim.Adadelta's (see minitorch.optim.functional.adadelta_step).
    state[p] holds "step" (an int), "square_avg" and "acc_delta".
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, capturable=capturable,
                                      maximize=maximize, differentiable=differentiable))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        check_real(op, "rho", group["rho"], lambda rho: 0.0 <= rho <= 1.0, "in [0, 1]")
        self._check_range(op, "eps", group["eps"])

    def _update(self, group):
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                state.update(step=0, square_avg=zeros_like(param), acc_delta=zeros_like(param))
            state["step"] += 1
            functional.adadelta_step(param, grad, state["square_avg"], state["acc_delta"],
                                     group["lr"], group["rho"], group["eps"],
                                     group["weight_decay"])
