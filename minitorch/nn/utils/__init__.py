"""torch.nn.utils' gradient clipping and parameter/vector conversion, and the hook-based
weight_norm/remove_weight_norm (weight_norm.py); its submodules, at torch's paths: `rnn`
(padded and packed sequences), `parametrize` (register_parametrization),
`parametrizations` (weight_norm, spectral_norm, orthogonal) and `prune`.

The clipping functions change each parameter's .grad in place without recording
autograd; the conversions follow torch's (parameters_to_vector is differentiable,
vector_to_parameters repoints each parameter's .data at a slice of the vector).
"""
from ... import creation, functions
from ...autograd import no_grad
from ...tensor import Tensor
from . import parametrizations, parametrize, prune, rnn  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401


def _gradients(parameters):
    """The .grad of each parameter (a Tensor, or an iterable of them) that has one."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [parameter.grad for parameter in parameters if parameter.grad is not None]


def _norm(tensor, norm_type):
    """The norm_type-norm of all of tensor's elements (functions.vector_norm's rules)."""
    return functions._vector_norm(tensor, norm_type, None, False, None, "clip_grad_norm_")


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients so that their total norm is at most max_norm, and return that
    total norm (before clipping) as a 0-d tensor.

    The total norm is the norm_type-norm (positive or inf) of the per-gradient norms,
    i.e. of all gradients concatenated. Every gradient is multiplied by
    min(max_norm / (total_norm + 1e-6), 1), as torch does, so a nan or inf total norm
    turns the gradients into nan or 0, unless error_if_nonfinite, which raises
    RuntimeError first. With no gradients the total norm is tensor(0.).
    """
    gradients = _gradients(parameters)
    norm_type = float(norm_type)
    if not gradients:
        return creation.tensor(0.0)
    with no_grad():
        norms = functions.stack([_norm(gradient, norm_type) for gradient in gradients])
        total_norm = _norm(norms, norm_type)
        if error_if_nonfinite and not functions.isfinite(total_norm).item():
            raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of "
                               "the gradients is non-finite, so it cannot be clipped; pass "
                               "error_if_nonfinite=False to scale the gradients by it anyway")
        scale = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for gradient in gradients:
            gradient.mul_(scale)
    return total_norm


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with no_grad():
        for gradient in _gradients(parameters):
            gradient.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return functions.cat([parameter.reshape(-1) for parameter in parameters])


def vector_to_parameters(vec, parameters):
    """Point each parameter's .data, in order, at the next slice of the 1-D tensor vec
    (shaped as the parameter), as torch does: the parameters then share vec's memory.
    Unlike torch, a vec whose length is not the parameters' total size is an error."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got "
                        f"{type(vec).__name__}")
    parameters = list(parameters)
    total = sum(parameter.numel() for parameter in parameters)
    if vec.shape != (total,):
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of {total} elements "
                         f"(the parameters' total size), got shape {tuple(vec.shape)}")
    start = 0
    for parameter in parameters:
        count = parameter.numel()
        parameter.data = vec[start:start + count].view_as(parameter)
        start += count
