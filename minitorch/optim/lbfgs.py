"""L-BFGS: a quasi-Newton method. It keeps the last few parameter steps and gradient
changes, and from them turns the gradient into an approximate Newton direction (the
inverse Hessian applied to the gradient, never stored), then moves a fixed step along it
or one found by a strong-Wolfe line search.

The parameters are treated as one flat vector: each evaluation concatenates their
gradients, and each move adds a slice of the flat direction to every parameter. Scalars
computed from tensors (directional derivatives, step sizes, the history's 1 / (y.s))
stay 0-d tensors of the parameters' dtype, as torch.optim.LBFGS keeps them, so a
float32 run rounds them as torch does and a division by zero is inf or nan, not an
exception."""
import numbers

from ..autograd import enable_grad, no_grad
from ..creation import empty, zeros
from ..functions import cat
from .optimizer import Optimizer

LINE_SEARCHES = (None, "strong_wolfe")


class LBFGS(Optimizer):
    """LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None).

    torch.optim.LBFGS: step(closure) runs up to `max_iter` L-BFGS iterations and
    `max_eval` evaluations of `closure` (default max_iter * 5 // 4), which must clear the
    gradients, compute the loss, call backward() and return the loss; it returns the
    first loss closure() gave. A step stops early when the largest gradient entry is at
    most `tolerance_grad`, or a step or the change of the loss is below
    `tolerance_change`. `history_size` (step, gradient change) pairs are kept.
    line_search_fn "strong_wolfe" picks each step length by torch's cubic-interpolation
    search for the strong Wolfe conditions; None moves by lr (the first iteration by
    lr * min(1, 1 / sum|grad|)).

    One parameter group only (as torch.optim.LBFGS). The state, kept with the first
    parameter as in torch: "func_evals", "n_iter" (ints over all steps), and after an
    iteration "d" (the last direction, flat), "t" (its step length), "old_dirs" and
    "old_stps" (the gradient changes y and steps s, flat), "ro" (1 / y.s), "H_diag"
    (the initial inverse Hessian scale), "prev_flat_grad", "prev_loss" and "al" (the
    two-loop recursion's coefficients).
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None and isinstance(max_iter, int):
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS() doesn't support per-parameter options (parameter "
                             f"groups), got {len(self.param_groups)} groups; pass one list "
                             "of parameters")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, group):
        """Refused: L-BFGS optimizes one flat vector, so it has one group only."""
        raise ValueError("LBFGS.add_param_group: LBFGS doesn't support per-parameter "
                         "options (parameter groups); make a new LBFGS over all the "
                         "parameters instead")

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        for name in ("max_iter", "max_eval", "history_size"):
            _check_count(op, name, group[name])
        self._check_range(op, "tolerance_grad", group["tolerance_grad"])
        self._check_range(op, "tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in LINE_SEARCHES:
            raise ValueError(f"{op}: line_search_fn must be None or 'strong_wolfe', got "
                             f"{group['line_search_fn']!r}")

    # ---- the parameters as one flat vector ------------------------------------------------
    def _numel(self):
        return sum(param.numel() for param in self._params)

    def _flat_grad(self):
        """Every parameter's gradient (zeros where it has none), concatenated."""
        self._check_gradients(self.param_groups[0], 0)
        return cat([zeros(param.numel(), dtype=param.dtype, backend=param.backend)
                    if param.grad is None else param.grad.reshape(-1)
                    for param in self._params])

    def _move(self, step_length, direction):
        """Add step_length * direction (a flat vector) to the parameters, in place."""
        offset = 0
        for param in self._params:
            numel = param.numel()
            param.add_(direction[offset:offset + numel].view_as(param), alpha=step_length)
            offset += numel

    def _evaluate(self, closure):
        """(closure()'s loss as it returned it, the loss as a float, the flat gradient)."""
        with enable_grad():
            loss = closure()
        return loss, float(loss), self._flat_grad()

    def _evaluate_along(self, closure, step_length, direction):
        """(loss, flat gradient) at the parameters moved by step_length * direction; the
        parameters are put back afterwards."""
        start = [param.clone() for param in self._params]
        self._move(step_length, direction)
        _, loss, flat_grad = self._evaluate(closure)
        for param, value in zip(self._params, start):
            param.copy_(value)
        return loss, flat_grad

    # ---- the step -------------------------------------------------------------------------
    def step(self, closure=None):
        """Run up to max_iter L-BFGS iterations (see the class docstring); returns the
        loss closure() gave first, before any parameter moved."""
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step: needs a closure (a function that clears the "
                            "gradients, computes the loss, calls backward() and returns "
                            "the loss), as L-BFGS evaluates the loss several times a step; "
                            f"got {closure!r}")
        with no_grad():
            return self._iterate(closure)

    def _iterate(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        first_loss, loss, flat_grad = self._evaluate(closure)   # raises before any write
        evaluations = 1
        state = self.state[self._params[0]]   # torch keeps the state with the first one
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        state["func_evals"] += 1
        if flat_grad.abs().max() <= tolerance_grad:
            return first_loss

        direction, step_length = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                direction = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                gradient_change = flat_grad - prev_flat_grad
                last_step = direction * step_length
                curvature = gradient_change.dot(last_step)
                if curvature > 1e-10:   # keep the pair only where it keeps H positive
                    if len(old_dirs) == history_size:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(gradient_change)
                    old_stps.append(last_step)
                    ro.append(1.0 / curvature)
                    h_diag = curvature / gradient_change.dot(gradient_change)
                # kept in the state as torch keeps it, so the two state dicts match
                coefficients = state.setdefault("al", [None] * history_size)
                direction = _two_loop_direction(flat_grad, old_dirs, old_stps, ro, h_diag,
                                                coefficients)
            prev_flat_grad = flat_grad
            prev_loss = loss

            if state["n_iter"] == 1:
                step_length = min(1.0, 1.0 / flat_grad.abs().sum()) * lr
            else:
                step_length = lr
            slope = flat_grad.dot(direction)
            if slope > -tolerance_change:   # not a descent direction (any more)
                break

            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, step_length, line_evaluations = _strong_wolfe(
                    lambda length, along: self._evaluate_along(closure, length, along),
                    step_length, direction, loss, flat_grad, slope,
                    tolerance_change=tolerance_change, max_ls=max_eval - evaluations)
                self._move(step_length, direction)
                converged = flat_grad.abs().max() <= tolerance_grad
            else:
                self._move(step_length, direction)
                line_evaluations, converged = 0, False
                if iteration != max_iter:   # the last iteration's loss would go unused
                    _, loss, flat_grad = self._evaluate(closure)
                    line_evaluations, converged = 1, flat_grad.abs().max() <= tolerance_grad
            evaluations += line_evaluations
            state["func_evals"] += line_evaluations

            if iteration == max_iter or evaluations >= max_eval or converged:
                break
            if (direction * step_length).abs().max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=direction, t=step_length, old_dirs=old_dirs, old_stps=old_stps, ro=ro,
                     H_diag=h_diag, prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss

    # ---- state dicts ----------------------------------------------------------------------
    def _restore(self, name, value, param, where):
        """A saved state entry: lists (the history) entry by entry; tensors must be flat
        vectors of all the parameters' size or 0-d scalars, and are copied onto the first
        parameter's backend and dtype."""
        if isinstance(value, list):
            return [self._restore(name, item, param, where) for item in value]
        flat_shape = (self._numel(),)
        if hasattr(value, "shape") and tuple(value.shape) not in (flat_shape, ()):
            raise ValueError(f"{where} {name!r} has shape {tuple(value.shape)}; LBFGS state "
                             f"tensors are flat vectors of shape {flat_shape} (all the "
                             "parameters' elements) or 0-d scalars")
        flat = empty(flat_shape, dtype=param.dtype, backend=param.backend)
        return Optimizer._restore(name, value, flat, where)


def _check_count(op, name, value):
    """Raise, naming `op`, TypeError unless `value` is an int and ValueError unless >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{op}: invalid {name} {value!r}; it must be an int >= 1")


def _two_loop_direction(flat_grad, old_dirs, old_stps, ro, h_diag, coefficients):
    """The L-BFGS direction -H grad by the two-loop recursion over the history pairs
    (y = old_dirs[i], s = old_stps[i], ro[i] = 1 / y.s), with h_diag * identity as the
    initial inverse Hessian; coefficients[i] receives the first loop's alpha_i."""
    q = -flat_grad
    for i in reversed(range(len(old_dirs))):
        coefficients[i] = old_stps[i].dot(q) * ro[i]
        q = q.add(old_dirs[i], alpha=-coefficients[i])
    direction = q * h_diag
    for i in range(len(old_dirs)):
        beta = old_dirs[i].dot(direction) * ro[i]
        direction = direction.add(old_stps[i], alpha=coefficients[i] - beta)
    return direction


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
    clamped to `bounds` (default: between x1 and x2); their midpoint when the cubic has
    no minimum (a negative discriminant). The slopes are 0-d tensors, so the result is
    one, or a bound."""
    lower, upper = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if not d2_square >= 0:
        return (lower + upper) / 2.0
    d2 = d2_square.sqrt()
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, lower), upper)


def _strong_wolfe(evaluate_along, step_length, direction, loss, flat_grad, slope, c1=1e-4,
                  c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step length along `direction` meeting the strong Wolfe conditions
        sufficient decrease  f(t) <= f(0) + c1 * t * f'(0)
        curvature            |f'(t)| <= c2 * |f'(0)|
    starting from `step_length`, with f(0) = loss, its flat gradient and slope
    f'(0) = grad . direction (< 0). evaluate_along(t, direction) gives (f(t), gradient).

    First a bracket is grown (each trial extrapolated by cubic interpolation) until it
    holds an acceptable point; then it is narrowed ("zoom") by cubic interpolation,
    nudged away from its ends when progress stalls. At most max_ls evaluations. Returns
    (loss, flat gradient, step length, evaluations) of the best point found."""
    direction_size = direction.abs().max()
    # a point is (t, f(t), gradient at t, f'(t)); the bracket holds one or two
    start = (0, loss, flat_grad, slope)
    previous = start
    new = _point_along(evaluate_along, step_length, direction)
    evaluations, trials, done = 1, 0, False
    while trials < max_ls:
        t, new_loss, _, new_slope = new
        if new_loss > loss + c1 * t * slope or (trials > 1 and new_loss >= previous[1]):
            bracket = [previous, new]
            break
        if abs(new_slope) <= -c2 * slope:
            bracket, done = [new], True
            break
        if new_slope >= 0:
            bracket = [previous, new]
            break
        t_next = _cubic_interpolate(previous[0], previous[1], previous[3], t, new_loss,
                                    new_slope, bounds=(t + 0.01 * (t - previous[0]), t * 10))
        previous = new
        new = _point_along(evaluate_along, t_next, direction)
        evaluations += 1
        trials += 1
    if trials == max_ls:
        bracket = [start, new]

    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    insufficient_progress = False
    while not done and trials < max_ls:
        if abs(bracket[1][0] - bracket[0][0]) * direction_size < tolerance_change:
            break
        (t_a, f_a, _, g_a), (t_b, f_b, _, g_b) = bracket
        t = _cubic_interpolate(t_a, f_a, g_a, t_b, f_b, g_b)
        left, right = min(t_a, t_b), max(t_a, t_b)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:   # t is close to an end of the bracket
            if insufficient_progress or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = _point_along(evaluate_along, t, direction)
        evaluations += 1
        trials += 1
        new_loss, new_slope = new[1], new[3]
        if new_loss > loss + c1 * t * slope or new_loss >= bracket[low][1]:
            bracket[high] = new
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if abs(new_slope) <= -c2 * slope:
                done = True
            elif new_slope * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new

    t, best_loss, best_grad, _ = bracket[low]
    return best_loss, best_grad, t, evaluations


def _point_along(evaluate_along, step_length, direction):
    """(t, f(t), gradient at t, f'(t) = gradient . direction)."""
    loss, flat_grad = evaluate_along(step_length, direction)
    return step_length, loss, flat_grad, flat_grad.dot(direction)
