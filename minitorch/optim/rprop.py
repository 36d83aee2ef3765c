"""Rprop: resilient backpropagation, a step size per coordinate grown while its gradient
keeps its sign and shrunk when the sign flips; only the gradient's sign is used."""
from ..creation import full_like, zeros_like
from . import functional
from .optimizer import Optimizer, check_real


class Rprop(Optimizer):
    """Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
    capturable=False, foreach=None, maximize=False, differentiable=False).

    The update is torch.optim.Rprop's (see minitorch.optim.functional.rprop_step): etas
    are (eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus, step_sizes the (min,
    max) step size. state[p] holds "step" (an int), "prev" (the gradient the last step
    used) and "step_size" (starting at lr everywhere).
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        for name in ("etas", "step_sizes"):
            if not isinstance(group[name], (tuple, list)) or len(group[name]) != 2:
                raise TypeError(f"{op}: {name} must be a pair, got {group[name]!r}")
        eta_minus, eta_plus = group["etas"]
        check_real(op, "etas[0]", eta_minus, lambda eta: 0.0 < eta < 1.0, "in (0, 1)")
        check_real(op, "etas[1]", eta_plus, lambda eta: 1.0 < eta < float("inf"),
                   "a finite number > 1")
        low, high = group["step_sizes"]
        check_real(op, "step_sizes[0]", low, lambda size: 0.0 <= size < float("inf"),
                   "a finite number >= 0")
        check_real(op, "step_sizes[1]", high, lambda size: low <= size < float("inf"),
                   f"a finite number >= step_sizes[0] ({low!r})")

    def _update(self, group):
        eta_minus, eta_plus = group["etas"]
        low, high = group["step_sizes"]
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                state.update(step=0, prev=zeros_like(param),
                             step_size=full_like(param, group["lr"]))
            state["step"] += 1
            functional.rprop_step(param, grad, state["prev"], state["step_size"], eta_minus,
                                  eta_plus, low, high)
