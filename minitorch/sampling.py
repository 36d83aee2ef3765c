"""Random sampling beyond the factories: the *_like factories, normal with tensor
parameters, bernoulli, multinomial and poisson.

Every draw comes from the core's seeded generator (generator.py), so a seed gives the
same values on every backend. Where a draw can be written as uniform or normal numbers
transformed by tensor ops (bernoulli is `rand < p`, normal is `mean + std * randn`) it
is; multinomial and poisson need the distribution's parameters on the host to draw.
As in PyTorch, a sample requires grad when a parameter does, with gradient 0 to each
parameter (the draws are not reparametrized).
"""
import math
import numbers

import numpy as np

from . import dispatch
from .autograd import no_grad
from .creation import _like, _random, check_fill_value, rand, randn, tensor
from .devices import check_device
from .dtype import int64, promote_types, resolve
from .functions import ZeroGradient, broadcast_tensors, cast
from .generator import numpy_generator
from .layout import format_shape
from .tensor import Tensor, preserve_format


def _floating_parameter(value, op_name, what):
    if isinstance(value, Tensor) and not value.dtype.is_floating_point:
        raise TypeError(f"{op_name}: {what} must be a floating-point tensor, got "
                        f"{value.dtype.name}")


def _sample_of(values, *parameters):
    """values as a sample drawn with parameters: gradient 0 to those that require it."""
    tensors = [p for p in parameters if isinstance(p, Tensor)]
    if any(t.requires_grad for t in tensors):
        return ZeroGradient.apply(values, *tensors)
    return values


# ---- the *_like factories ---------------------------------------------------------------

def rand_like(a, *, dtype=None, requires_grad=False, backend=None, device=None,
              generator=None, memory_format=preserve_format):
    """Uniform values in [0, 1) in a's shape (a's dtype and backend unless given)."""
    def draw(shape, dtype=None, requires_grad=False, backend=None, device=None):
        return rand(shape, generator=generator, dtype=dtype, requires_grad=requires_grad,
                    backend=backend, device=device)
    return _like(draw, a, dtype, requires_grad, backend, device, memory_format)


def randn_like(a, *, dtype=None, requires_grad=False, backend=None, device=None,
               generator=None, memory_format=preserve_format):
    """Standard normal values in a's shape (a's dtype and backend unless given)."""
    def draw(shape, dtype=None, requires_grad=False, backend=None, device=None):
        return randn(shape, generator=generator, dtype=dtype, requires_grad=requires_grad,
                     backend=backend, device=device)
    return _like(draw, a, dtype, requires_grad, backend, device, memory_format)


def randint_like(a, low=0, high=None, *, dtype=None, requires_grad=False, backend=None,
                 device=None, generator=None):
    """Integers uniform in [low, high) in a's shape, held in a's dtype unless dtype is
    given (floats hold whole numbers); randint_like(a, high) takes low as 0."""
    check_device(device, "randint_like")
    if high is None:
        low, high = 0, low
    for bound in (low, high):
        if not isinstance(bound, numbers.Integral) or isinstance(bound, bool):
            raise TypeError(f"randint_like: low and high must be ints, got {bound!r}")
    if low >= high:
        raise RuntimeError(f"randint_like: low ({low}) must be less than high ({high})")
    dtype = resolve(dtype) if dtype is not None else a.dtype
    check_fill_value(high - 1, dtype, "randint_like")
    check_fill_value(low, dtype, "randint_like")
    values = numpy_generator(generator).integers(low, high, size=a.shape)
    result = tensor(values.astype(dtype.numpy), dtype, backend=backend or a.backend)
    return result.requires_grad_() if requires_grad else result


# ---- normal, bernoulli, poisson, multinomial --------------------------------------------

def _check_std(std, op_name):
    negative = bool((std < 0).any().item()) if isinstance(std, Tensor) else not std >= 0
    if negative:
        raise RuntimeError(f"{op_name}: expected std >= 0, got "
                           f"{'a negative element' if isinstance(std, Tensor) else std}")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None,
           requires_grad=False, backend=None, device=None):
    """Samples of N(mean, std**2), in torch.normal's forms: mean and std tensors
    (broadcast together), one a tensor and the other a number, or both numbers with a
    size (and then dtype, requires_grad, backend and device as the factories take them).
    The result's dtype is the tensors' promoted floating dtype."""
    check_device(device, "normal")
    _floating_parameter(mean, "normal", "mean")
    _floating_parameter(std, "normal", "std")
    _check_std(std, "normal")
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal: with a number for both mean and std, give the size of "
                            "the result")
        standard = _random("normal", numpy_generator(generator).standard_normal,
                           tuple(size), dtype, False, backend, None)
        result = standard * std + mean
        return result.requires_grad_() if requires_grad else result
    if size is not None:
        raise TypeError("normal: size is taken only when mean and std are both numbers; the "
                        "result has the shape of the mean and std tensors")
    shape_of = mean if isinstance(mean, Tensor) else std
    if isinstance(mean, Tensor) and isinstance(std, Tensor):
        shape_of = broadcast_tensors(mean, std)[0]
        result_dtype = promote_types(mean.dtype, std.dtype)
    else:
        result_dtype = shape_of.dtype
    standard = randn(shape_of.shape, generator=generator, dtype=result_dtype,
                     backend=shape_of.backend)
    with no_grad():
        values = cast(standard * std + mean, result_dtype)
    return _sample_of(values, mean, std)


def bernoulli(a, p=None, *, generator=None):
    """0 or 1 in each element of a, 1 with probability a's value (or, given p, the
    number p), in a's floating dtype. Probabilities must lie in [0, 1]."""
    _floating_parameter(a, "bernoulli", "input")
    probability = a if p is None else p
    if isinstance(probability, Tensor):
        outside = bool(((probability < 0) | (probability > 1)).any().item())
    else:
        outside = not 0 <= probability <= 1
    if outside:
        raise RuntimeError("bernoulli: expected every probability to be in [0, 1]")
    with no_grad():
        values = cast(rand_like(a, generator=generator) < probability, a.dtype)
    return _sample_of(values, a)


def poisson(a, generator=None):
    """A Poisson sample with rate a's value in each element, in a's floating dtype; rates
    must be non-negative."""
    _floating_parameter(a, "poisson", "rates")
    rates = dispatch.to_numpy(a).astype(np.float64)
    if not np.all(rates >= 0):
        raise RuntimeError("poisson: expected every rate to be non-negative (and not nan)")
    counts = numpy_generator(generator).poisson(rates).astype(a.dtype.numpy)
    return _sample_of(dispatch.from_numpy(counts, a.dtype, a._storage.backend), a)


def multinomial(a, num_samples, replacement=False, *, generator=None):
    """num_samples category indices (int64) drawn from each row of a, whose non-negative
    weights (1-D: one distribution; 2-D: one per row) need not sum to 1. Without
    replacement a category is drawn at most once per row, so a row needs at least
    num_samples categories of positive weight."""
    _floating_parameter(a, "multinomial", "input")
    if a.ndim not in (1, 2):
        raise ValueError(f"multinomial: expected a 1-d or 2-d tensor of weights, got shape "
                         f"{format_shape(a.shape)}")
    if not isinstance(num_samples, numbers.Integral) or num_samples <= 0:
        raise RuntimeError(f"multinomial: num_samples must be a positive int, got "
                           f"{num_samples!r}")
    categories = a.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError(f"multinomial: cannot draw {num_samples} samples without "
                           f"replacement from {categories} categories")
    weights = dispatch.to_numpy(a).astype(np.float64).reshape(-1, categories)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError("multinomial: weights must be finite and non-negative")
    positive = np.count_nonzero(weights > 0, axis=1)
    if np.any(positive == 0) or (not replacement and np.any(positive < num_samples)):
        raise RuntimeError("multinomial: each row needs a positive total weight and, "
                           f"without replacement, at least {num_samples} categories of "
                           "positive weight")
    numpy_gen = numpy_generator(generator)
    drawn = np.stack([numpy_gen.choice(categories, num_samples, replace=replacement,
                                       p=row / row.sum()) for row in weights])
    return dispatch.from_numpy(drawn.reshape(a.shape[:-1] + (num_samples,)).astype(np.int64),
                               int64, a._storage.backend)


# ---- what the in-place random fills write (random_, exponential_, ...) ---------------------
# Each takes the tensor filled, for its shape, dtype and backend, and draws from the
# seeded generator: integers on the host, real distributions transformed from rand/randn.

def _random_integers(a, from_=0, to=None, *, generator=None):
    """What random_ writes: integers uniform in [from_, to - 1]; random_(to), one
    argument, is [0, to - 1]; random_() is [0, the largest integer a's dtype holds
    exactly] (2**24 for float32, 2**53 for float64, 2**63 - 1 for int64, 1 for bool), as
    PyTorch."""
    if to is None and from_ != 0:   # random_(to): the one argument is the end
        from_, to = 0, from_
    if to is None:
        exact = {"float32": 2 ** 24, "float64": 2 ** 53, "int64": 2 ** 63 - 1, "bool": 1}
        low, high = from_, exact[a.dtype.name]
    else:
        low, high = from_, to - 1
    if low > high:
        raise RuntimeError(f"random_: expected from < to, got from={from_} and to={to}")
    draws = numpy_generator(generator).integers(low, high, size=a.shape, endpoint=True)
    return tensor(draws, a.dtype, backend=a.backend)


def _random_from_uniform(op_name, transform):
    """A fill of floats: transform(uniform values in [0, 1), *parameters)."""
    def draw(a, *parameters, generator=None):
        if not a.dtype.is_floating_point:
            raise TypeError(f"{op_name}: random floats cannot be written into a tensor of "
                            f"dtype {a.dtype.name}")
        return transform(rand(a.shape, generator=generator, dtype=a.dtype,
                              backend=a.backend), *parameters)
    draw.__name__ = op_name
    return draw


def _exponential(unit, lambd=1.0):
    if not lambd > 0:
        raise RuntimeError(f"exponential_: expects lambd > 0.0, but found lambd={lambd}")
    return -(1 - unit).log() / lambd


def _geometric(unit, p):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_: expects p to be in (0, 1), but found p={p}")
    return ((1 - unit).log() / math.log1p(-p)).floor() + 1


def _cauchy(unit, median=0.0, sigma=1.0):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_: expects sigma > 0.0, but found sigma={sigma}")
    return (math.pi * (unit - 0.5)).tan() * sigma + median


exponential_values = _random_from_uniform("exponential_", _exponential)
geometric_values = _random_from_uniform("geometric_", _geometric)
cauchy_values = _random_from_uniform("cauchy_", _cauchy)


def log_normal_values(a, mean=1.0, std=2.0, *, generator=None):
    """What log_normal_ writes: exp of normal values with that mean and std."""
    if not a.dtype.is_floating_point:
        raise TypeError(f"log_normal_: random floats cannot be written into a tensor of "
                        f"dtype {a.dtype.name}")
    _check_std(std, "log_normal_")
    return (randn(a.shape, generator=generator, dtype=a.dtype, backend=a.backend) * std
            + mean).exp()
