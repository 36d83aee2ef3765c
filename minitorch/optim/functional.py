"""The update rules of the optimizers, one parameter at a time, in place.

sgd_step and adam_step call the backend's fused kernel of the same name when it has
one (see minitorch.contract.OPTIONAL_KERNELS) and the parameter is compact (and, for
adam_step, without amsgrad); otherwise, like the other updates (rmsprop, adagrad,
adamax, adadelta, nadam, radam, rprop, asgd, adafactor, muon) always, they decompose
into tensor ops under no_grad and write the results into the parameter and its state
tensors. Either way each write bumps the storage's version, so
autograd notices a parameter changed after it was saved.
State tensors (momentum buffers, moment estimates) must be compact and shaped like the
parameter, as zeros_like(param) makes them.

The arithmetic follows torch.optim's single-tensor implementations.
"""
import math

from .. import dispatch
from ..autograd import no_grad
from ..creation import ones_like
from ..dtype import finfo
from ..functions import addmm, where


def _fused(kernel_name, param):
    """The backend kernel `kernel_name`, or None when the backend lacks it or `param` is
    not compact (a view into a larger buffer)."""
    kernel = getattr(param._storage.backend, kernel_name)
    if kernel is None or not dispatch.is_compact(param):
        return None
    return kernel


def _written(*tensors):
    """Record an in-place write into each tensor (the autograd version counter)."""
    for tensor in tensors:
        if tensor is not None:
            tensor._storage.version += 1


def sgd_step(param, grad, momentum_buffer, lr, momentum=0.0, dampening=0.0,
             weight_decay=0.0, nesterov=False, first_step=False):
    """One SGD update of `param` with gradient `grad`.

        g = grad + weight_decay * param
        if momentum: buf = g if first_step else momentum * buf + (1 - dampening) * g
                     g = g + momentum * buf if nesterov else buf
        param -= lr * g

    `momentum_buffer` is a tensor shaped like param (None when momentum is 0); on the
    first step its contents are ignored and overwritten.
    """
    kernel = _fused("sgd_step", param)
    if kernel is not None:
        kernel(dispatch.compact(grad), None if momentum_buffer is None else
               momentum_buffer._storage.buffer, lr, momentum, dampening, weight_decay,
               nesterov, first_step, param._storage.buffer)
        _written(param, momentum_buffer)
        return
    with no_grad():
        if weight_decay:
            grad = grad + param * weight_decay
        if momentum:
            momentum_buffer.copy_(grad if first_step else
                                  momentum_buffer * momentum + grad * (1 - dampening))
            grad = grad + momentum_buffer * momentum if nesterov else momentum_buffer
        param.sub_(grad * lr)


def _weight_decayed(param, grad, lr, weight_decay, decoupled):
    """The gradient after weight decay: decoupled (AdamW's) scales param by
    1 - lr * weight_decay and leaves grad; otherwise grad + weight_decay * param."""
    if weight_decay and decoupled:
        param.mul_(1 - lr * weight_decay)
    elif weight_decay:
        grad = grad + param * weight_decay
    return grad


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
              weight_decay=0.0, decoupled=False, max_exp_avg_sq=None):
    """One Adam (decoupled=False) or AdamW (decoupled=True) update; `step` counts from 1.

        AdamW: param *= 1 - lr * weight_decay;  Adam: g = grad + weight_decay * param
        exp_avg = beta1 * exp_avg + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        amsgrad (max_exp_avg_sq given): max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq),
                                        and it stands for exp_avg_sq below
        param -= lr / (1 - beta1**step) * exp_avg / (sqrt(exp_avg_sq / (1 - beta2**step)) + eps)

    The fused kernel has no amsgrad, so an amsgrad update always takes the tensor ops.
    """
    kernel = None if max_exp_avg_sq is not None else _fused("adam_step", param)
    if kernel is not None:
        kernel(dispatch.compact(grad), exp_avg._storage.buffer, exp_avg_sq._storage.buffer,
               step, lr, beta1, beta2, eps, weight_decay, decoupled, param._storage.buffer)
        _written(param, exp_avg, exp_avg_sq)
        return
    with no_grad():
        grad = _weight_decayed(param, grad, lr, weight_decay, decoupled)
        exp_avg.copy_(exp_avg * beta1 + grad * (1 - beta1))
        exp_avg_sq.copy_(exp_avg_sq * beta2 + grad * grad * (1 - beta2))
        second_moment = exp_avg_sq
        if max_exp_avg_sq is not None:
            max_exp_avg_sq.copy_(max_exp_avg_sq.maximum(exp_avg_sq))
            second_moment = max_exp_avg_sq
        denominator = second_moment.sqrt() / math.sqrt(1 - beta2 ** step) + eps
        param.sub_(exp_avg / denominator * (lr / (1 - beta1 ** step)))


def rmsprop_step(param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps,
                 weight_decay=0.0, momentum=0.0):
    """One RMSprop update (tensor ops on every backend).

        g = grad + weight_decay * param
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        centered (grad_avg given): grad_avg = alpha * grad_avg + (1 - alpha) * g
                                   avg = sqrt(square_avg - grad_avg**2) + eps
        else: avg = sqrt(square_avg) + eps
        momentum: buf = momentum * buf + g / avg; param -= lr * buf
        else: param -= lr * g / avg
    """
    with no_grad():
        if weight_decay:
            grad = grad + param * weight_decay
        square_avg.copy_(square_avg * alpha + grad * grad * (1 - alpha))
        if grad_avg is not None:
            grad_avg.copy_(grad_avg * alpha + grad * (1 - alpha))
            average = (square_avg - grad_avg * grad_avg).sqrt() + eps
        else:
            average = square_avg.sqrt() + eps
        if momentum:
            momentum_buffer.copy_(momentum_buffer * momentum + grad / average)
            param.sub_(momentum_buffer * lr)
        else:
            param.sub_(grad / average * lr)


def adagrad_step(param, grad, state_sum, step, lr, lr_decay=0.0, eps=1e-10, weight_decay=0.0):
    """One Adagrad update (tensor ops on every backend); `step` counts from 1.

        g = grad + weight_decay * param
        state_sum += g * g
        param -= lr / (1 + (step - 1) * lr_decay) * g / (sqrt(state_sum) + eps)
    """
    with no_grad():
        if weight_decay:
            grad = grad + param * weight_decay
        state_sum.add_(grad * grad)
        param.sub_(grad / (state_sum.sqrt() + eps) * (lr / (1 + (step - 1) * lr_decay)))


def adamax_step(param, grad, exp_avg, exp_inf, step, lr, beta1, beta2, eps, weight_decay=0.0):
    """One Adamax update (tensor ops on every backend); `step` counts from 1.

        g = grad + weight_decay * param
        exp_avg = lerp(exp_avg, g, 1 - beta1)       (beta1 * exp_avg + (1 - beta1) * g)
        exp_inf = maximum(beta2 * exp_inf, |g| + eps)
        param -= lr / (1 - beta1**step) * exp_avg / exp_inf
    """
    with no_grad():
        if weight_decay:
            grad = grad + param * weight_decay
        exp_avg.lerp_(grad, 1 - beta1)
        exp_inf.copy_((exp_inf * beta2).maximum(grad.abs() + eps))
        param.sub_(exp_avg / exp_inf * (lr / (1 - beta1 ** step)))


def adadelta_step(param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay=0.0):
    """One Adadelta update (tensor ops on every backend).

        g = grad + weight_decay * param
        square_avg = rho * square_avg + (1 - rho) * g * g
        delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta * delta
        param -= lr * delta
    """
    with no_grad():
        if weight_decay:
            grad = grad + param * weight_decay
        square_avg.copy_(square_avg * rho + grad * grad * (1 - rho))
        delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * grad
        acc_delta.copy_(acc_delta * rho + delta * delta * (1 - rho))
        param.sub_(delta * lr)


def nadam_step(param, grad, exp_avg, exp_avg_sq, mu_product, step, lr, beta1, beta2, eps,
               weight_decay=0.0, momentum_decay=4e-3, decoupled=False):
    """One NAdam update (tensor ops on every backend); `step` counts from 1 and
    `mu_product` is a 0-d tensor holding the product of the momentum coefficients so far.

        g = grad after weight decay (decoupled: param *= 1 - lr * weight_decay)
        mu(t) = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_product *= mu(step)
        exp_avg = lerp(exp_avg, g, 1 - beta1)
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        denominator = sqrt(exp_avg_sq / (1 - beta2**step)) + eps
        param -= lr * (1 - mu(step)) / (1 - mu_product) * g / denominator
        param -= lr * mu(step + 1) / (1 - mu_product * mu(step + 1)) * exp_avg / denominator
    """
    with no_grad():
        grad = _weight_decayed(param, grad, lr, weight_decay, decoupled)
        mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product.mul_(mu)   # in the state's dtype, as torch keeps it
        product = mu_product.item()
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.copy_(exp_avg_sq * beta2 + grad * grad * (1 - beta2))
        denominator = (exp_avg_sq / (1 - beta2 ** step)).sqrt() + eps
        param.sub_(grad / denominator * (lr * (1 - mu) / (1 - product)))
        param.sub_(exp_avg / denominator * (lr * mu_next / (1 - product * mu_next)))


def radam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
               weight_decay=0.0, decoupled=False):
    """One RAdam update (tensor ops on every backend); `step` counts from 1.

        g = grad after weight decay (decoupled: param *= 1 - lr * weight_decay)
        exp_avg = lerp(exp_avg, g, 1 - beta1)
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2**step / (1 - beta2**step)
        update = lr * exp_avg / (1 - beta1**step)
        if rho > 5 (the variance of the adaptive rate is tractable):
            update *= sqrt(1 - beta2**step) / (sqrt(exp_avg_sq) + eps)
                      * sqrt((rho - 4)(rho - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho))
        param -= update
    """
    with no_grad():
        grad = _weight_decayed(param, grad, lr, weight_decay, decoupled)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.copy_(exp_avg_sq * beta2 + grad * grad * (1 - beta2))
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2 ** step / bias_correction2
        update = exp_avg / (1 - beta1 ** step) * lr
        if rho > 5:
            rectification = math.sqrt((rho - 4) * (rho - 2) * rho_inf /
                                      ((rho_inf - 4) * (rho_inf - 2) * rho))
            adaptive_lr = math.sqrt(bias_correction2) / (exp_avg_sq.sqrt() + eps)
            update = update * adaptive_lr * rectification
        param.sub_(update)


def rprop_step(param, grad, prev, step_size, eta_minus, eta_plus, step_size_min,
               step_size_max):
    """One Rprop update (tensor ops on every backend): each coordinate moves by its own
    step size against the sign of its gradient.

        agree = grad * prev              (prev: the gradient the last step used)
        step_size = clamp(step_size * (eta_plus if agree > 0 else eta_minus if agree < 0
                                       else 1), step_size_min, step_size_max)
        g = 0 where agree < 0 (the sign flipped: skip this step there), else grad
        param -= sign(g) * step_size;  prev = g
    """
    with no_grad():
        agree = grad * prev
        flipped = agree < 0
        factor = where(agree > 0, eta_plus, where(flipped, eta_minus, ones_like(grad)))
        step_size.copy_((step_size * factor).clamp(step_size_min, step_size_max))
        grad = grad.masked_fill(flipped, 0.0)
        param.sub_(grad.sign() * step_size)
        prev.copy_(grad)


def asgd_step(param, grad, ax, eta, mu, step, lr, lambd, alpha, t0, weight_decay=0.0):
    """One averaged-SGD update (tensor ops on every backend); `step` counts from 1; eta
    (the current rate) and mu (the averaging weight) are 0-d state tensors, as in torch.

        g = grad + weight_decay * param
        param = param * (1 - lambd * eta) - eta * g
        ax = ax + mu * (param - ax)            (ax = param while mu is 1)
        eta = lr / (1 + lambd * lr * step) ** alpha;  mu = 1 / max(1, step - t0)
    """
    with no_grad():
        if weight_decay:
            grad = grad + param * weight_decay
        rate = eta.item()
        param.mul_(1 - lambd * rate)
        param.sub_(grad * rate)
        if mu.item() != 1:
            ax.add_((param - ax) * mu)
        else:
            ax.copy_(param)
        eta.fill_(lr / (1 + lambd * lr * step) ** alpha)
        mu.fill_(1 / max(1, step - t0))


def adafactor_step(param, grad, row_var, col_var, variance, step, lr, beta2_decay, eps1,
                   eps2, d, weight_decay=0.0):
    """One Adafactor update, in place (tensor ops on every backend); `step` counts from 1.
    row_var and col_var are given for a parameter of 2 or more dims (factored), variance
    otherwise.

        beta2_weight = step ** beta2_decay;  eps1 = finfo(param.dtype).eps if None
        scale = max(eps2, rms(param)) * min(lr, 1 / sqrt(step))     (before weight decay)
        param *= 1 - lr * weight_decay
        factored: row_var = lerp(row_var, mean of g*g over the last dim, beta2_weight)
                  col_var = lerp(col_var, mean of g*g over the second-to-last dim, ...)
                  v = row_var @ col_var / max(mean of row_var over its rows, eps1)
        else:     variance = lerp(variance, g*g, beta2_weight);  v = variance
        update = g / sqrt(max(v, eps1**2))
        param -= scale / max(1, rms(update) / d) * update
    """
    with no_grad():
        if eps1 is None:
            eps1 = finfo(param.dtype).eps
        beta2_weight = step ** beta2_decay
        relative_lr = min(lr, 1 / step ** 0.5)
        scale = max(eps2, _rms(param)) * relative_lr
        if weight_decay:
            param.mul_(1 - lr * weight_decay)
        squared = grad * grad
        if row_var is not None:
            row_var.lerp_(squared.mean(dim=-1, keepdim=True), beta2_weight)
            col_var.lerp_(squared.mean(dim=-2, keepdim=True), beta2_weight)
            estimate = row_var @ col_var / row_var.mean(dim=-2, keepdim=True).clamp(min=eps1)
        else:
            variance.lerp_(squared, beta2_weight)
            estimate = variance
        update = estimate.clamp(min=eps1 * eps1).rsqrt() * grad
        param.sub_(update * (scale / max(1.0, _rms(update) / d)))


def _rms(tensor):
    """The root mean square of the tensor's elements, as a float."""
    return tensor.norm().item() / tensor.numel() ** 0.5


def zeropower_via_newtonschulz(matrix, ns_coefficients, ns_steps, eps):
    """An approximately orthogonal matrix with matrix's singular vectors: matrix (m, n)
    is divided by max(its Frobenius norm, eps), then, seen wide (transposed while m > n),
    takes ns_steps steps of the quintic iteration

        gram = X @ X^T;  X = a X + (b gram + c gram @ gram) @ X     (a, b, c = ns_coefficients)

    which drives its singular values towards 1 (to roughly 0.7 .. 1.2, not exactly, with
    torch's default coefficients). torch runs this in bfloat16; minitorch has no bfloat16
    and runs it in the matrix's own dtype, so its result is the more precise one.
    """
    a, b, c = ns_coefficients
    tall = matrix.shape[0] > matrix.shape[1]
    result = matrix.mT if tall else matrix
    result = result / result.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = result @ result.mT
        polynomial = addmm(gram, gram, gram, beta=b, alpha=c)
        result = addmm(result, polynomial, result, beta=a)
    return result.mT if tall else result


def adjusted_lr(lr, adjust_lr_fn, shape):
    """The learning rate scaled for a (rows, columns) parameter, as torch.optim.Muon:
    "original" (and None) by sqrt(max(1, rows / columns)), Keller Jordan's rule;
    "match_rms_adamw" by 0.2 sqrt(max(rows, columns)), Moonshot's, which gives the
    update the RMS of an AdamW one."""
    rows, columns = shape
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, columns))
    return lr * math.sqrt(max(1, rows / columns))


def muon_step(param, grad, momentum_buffer, lr, weight_decay, momentum, nesterov,
              ns_coefficients, ns_steps, eps, adjust_lr_fn):
    """One Muon update of the 2-D `param`, in place (tensor ops on every backend).

        buf = lerp(buf, grad, 1 - momentum)
        update = lerp(grad, buf, momentum) if nesterov else buf
        O = zeropower_via_newtonschulz(update, ns_coefficients, ns_steps, eps)
        param *= 1 - lr * weight_decay
        param -= adjusted_lr(lr, adjust_lr_fn, param.shape) * O
    """
    with no_grad():
        momentum_buffer.lerp_(grad, 1 - momentum)
        update = grad.lerp(momentum_buffer, momentum) if nesterov else momentum_buffer
        orthogonalised = zeropower_via_newtonschulz(update, ns_coefficients, ns_steps, eps)
        param.mul_(1 - lr * weight_decay)
        param.sub_(orthogonalised * adjusted_lr(lr, adjust_lr_fn, param.shape))
