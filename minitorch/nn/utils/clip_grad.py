"""Gradient clipping, as torch.nn.utils.clip_grad: the total norm of a set of tensors
(get_total_norm), scaling gradients to a norm (clip_grads_with_norm_), both at once
(clip_grad_norm_, and its deprecated alias clip_grad_norm) and clamping them
(clip_grad_value_).

The clipping functions change each parameter's .grad in place without recording
autograd. `foreach` is accepted for torch's signatures and changes nothing: minitorch
has no multi-tensor kernels, so every choice gives the per-tensor loop's result.
"""
import types
import warnings

from ... import creation, functions
from ...autograd import no_grad
from ...tensor import Tensor


def _as_list(tensors):
    """A list of the tensors given: one Tensor or an iterable of them."""
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _gradients(parameters):
    """The .grad of each parameter (a Tensor, or an iterable of them) that has one."""
    return [parameter.grad for parameter in _as_list(parameters)
            if parameter.grad is not None]


def _total_norm(tensors, norm_type, error_if_nonfinite, op):
    """get_total_norm's result, with errors naming `op`."""
    norm_type = float(norm_type)
    if not tensors:
        return creation.tensor(0.0)
    with no_grad():
        norms = functions.stack([functions._vector_norm(tensor, norm_type, None, False,
                                                        None, op) for tensor in tensors])
        total_norm = functions._vector_norm(norms, norm_type, None, False, None, op)
    if error_if_nonfinite and not functions.isfinite(total_norm).item():
        raise RuntimeError(f"{op}: the total norm of order {norm_type} of the gradients is "
                           "non-finite, so it cannot be clipped; pass "
                           "error_if_nonfinite=False to scale the gradients by it anyway")
    return total_norm


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm_type-norm (positive or inf) of the per-tensor norms of `tensors` (a
    Tensor or an iterable of them), i.e. of all their elements concatenated, as a 0-d
    tensor; tensor(0.) when there are none. error_if_nonfinite: RuntimeError when that
    norm is nan or inf. Not recorded by autograd."""
    return _total_norm(_as_list(tensors), norm_type, error_if_nonfinite, "get_total_norm")


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Multiply every gradient of `parameters` by min(max_norm / (total_norm + 1e-6), 1),
    in place, as torch does: total_norm (a tensor, e.g. from get_total_norm) is taken as
    given, so a nan or inf total norm turns the gradients into nan or 0."""
    gradients = _gradients(parameters)
    if not gradients:
        return
    with no_grad():
        scale = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for gradient in gradients:
            gradient.mul_(scale)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale the gradients so that their total norm (get_total_norm of them) is at most
    max_norm (clip_grads_with_norm_), and return that total norm before clipping.
    With error_if_nonfinite, a nan or inf total norm raises RuntimeError before any
    gradient changes. An empty generator of parameters warns, as in torch."""
    if isinstance(parameters, types.GeneratorType):
        parameters = list(parameters)
        if not parameters:
            warnings.warn("clip_grad_norm_: `parameters` is an empty generator, no gradient "
                          "clipping will occur.", UserWarning, stacklevel=2)
    parameters = _as_list(parameters)
    total_norm = _total_norm(_gradients(parameters), norm_type, error_if_nonfinite,
                             "clip_grad_norm_")
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """clip_grad_norm_, under its deprecated name (a FutureWarning, as in torch)."""
    warnings.warn("`minitorch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`minitorch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with no_grad():
        for gradient in _gradients(parameters):
            gradient.clamp_(-clip_value, clip_value)
