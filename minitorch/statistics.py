"""Statistics of tensors, composed from the reductions and scans in functions.py:
std_mean and var_mean, the nan-ignoring sum and mean, aminmax, logcumsumexp, cov and
corrcoef, counting (bincount, histc) and trapezoid-rule integrals. Gradients come from
the ops they are built of; bincount and histc, which count, have none (as PyTorch).
"""
import math
import numbers

import numpy as np

from . import dispatch, layout
from .autograd import no_grad
from .dtype import bool_, float64, int64
from .creation import tensor
from .functions import (_accumulating, _check_floating, _reduction_dims, _scan_steps,
                        amax, amin, clamp, clone, cumsum, gather, lerp, movedim,
                        diagonal, full, index_add, isnan, logaddexp, logical_and,
                        logical_not, matmul, mean, reduce_sum, sqrt, std, var, where)
from .layout import format_shape
from .selection import NotDifferentiable, sort
from .tensor import Tensor


# ---- moments ----------------------------------------------------------------------------

def var_mean(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim, with var's arguments (correction 1 unless given)."""
    if isinstance(dim, bool):  # var_mean(a, False): `unbiased`, as var takes it
        dim, unbiased = None, dim
    return (var(a, dim, unbiased, keepdim, correction=correction),
            mean(a, _reduction_dims(dim, a.ndim, "var_mean"), keepdim))


def std_mean(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim, with std's arguments (correction 1 unless given)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (std(a, dim, unbiased, keepdim, correction=correction),
            mean(a, _reduction_dims(dim, a.ndim, "std_mean"), keepdim))


def nansum(a, dim=None, keepdim=False, *, dtype=None):
    """sum over dim counting nan as 0 (so nan elements get gradient 0)."""
    if a.dtype.is_floating_point:
        a = where(isnan(a), 0.0, a)
    return reduce_sum(a, dim, keepdim, dtype=dtype)


def nanmean(a, dim=None, keepdim=False, *, dtype=None):
    """mean over dim of the elements that are not nan (nan where all are); floating
    point only, as PyTorch."""
    _check_floating("nanmean", a)
    counted = logical_not(isnan(a))
    return nansum(a, dim, keepdim, dtype=dtype) / reduce_sum(counted, dim, keepdim)


class MinMax:
    """What aminmax returns: a (min, max) pair, like torch.return_types.aminmax."""

    def __init__(self, low, high):
        self.min, self.max = low, high

    def __iter__(self):
        return iter((self.min, self.max))

    def __getitem__(self, position):
        return (self.min, self.max)[position]

    def __repr__(self):
        return f"minitorch.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


def aminmax(a, *, dim=None, keepdim=False):
    """(amin, amax) over dim (None: every element), each with amin's and amax's
    gradient rules. Reducing an empty dim is refused (other dims may be empty)."""
    if any(a.shape[d] == 0 for d in _reduction_dims(dim, a.ndim, "aminmax")):
        raise RuntimeError(f"aminmax: cannot reduce an empty tensor (shape "
                           f"{format_shape(a.shape)})")
    return MinMax(amin(a, dim, keepdim), amax(a, dim, keepdim))


def logcumsumexp(a, dim):
    """log(cumsum(exp(a), dim)) without overflow or underflow: running logaddexp steps
    (see functions._scan_steps), so each element's gradient is exact. Floating point
    only."""
    _check_floating("logcumsumexp", a)
    dim = layout.normalize_dim(dim, a.ndim, "logcumsumexp")
    if not a.shape or a.shape[dim] < 2:
        return clone(a)
    return _scan_steps(a, dim, logaddexp, -math.inf)


# ---- covariance -------------------------------------------------------------------------

def _weights(weights, observations, op_name, what, integral):
    """A 1-d, non-negative weight tensor with one weight per observation."""
    if weights is None:
        return None
    if weights.ndim > 1 or weights.numel() != observations:
        raise ValueError(f"{op_name}: {what} must be a 1-d tensor with one weight per "
                         f"observation ({observations}), got {format_shape(weights.shape)}")
    if integral and weights.dtype.is_floating_point:
        raise TypeError(f"{op_name}: {what} must hold integers, got {weights.dtype.name}")
    if weights.numel() and bool((weights < 0).any().item()):
        raise RuntimeError(f"{op_name}: {what} must be non-negative")
    return weights


def cov(a, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in a's rows (a 1-d a is one variable, and
    gives a 0-d result), observations in its columns, as torch.cov: weighted by integer
    frequency weights and float observation weights when given, normalized by the weight
    sum minus `correction` (a non-positive normalization gives inf and nan, as PyTorch)."""
    if a.ndim > 2:
        raise ValueError(f"cov: expected a 1-d or 2-d input, got {format_shape(a.shape)}")
    variables = a.reshape(1, -1) if a.ndim < 2 else a
    observations = variables.shape[1]
    fweights = _weights(fweights, observations, "cov", "fweights", integral=True)
    aweights = _weights(aweights, observations, "cov", "aweights", integral=False)
    weights = fweights if aweights is None else \
        aweights if fweights is None else fweights * aweights
    variables = variables if variables.dtype.is_floating_point else \
        _accumulating(variables, None).float()
    if weights is None:
        weight_sum = observations
        average = mean(variables, 1, keepdim=True)
    else:
        weight_sum = reduce_sum(weights)
        average = reduce_sum(variables * weights, 1, keepdim=True) / weight_sum
    if weights is not None and aweights is not None and correction != 0:
        normalization = weight_sum - correction * reduce_sum(weights * aweights) / weight_sum
    else:
        normalization = weight_sum - correction
    normalization = clamp(normalization, min=0) if isinstance(normalization, Tensor) else \
        max(normalization, 0)
    centered = variables - average
    weighted = centered if weights is None else centered * weights
    covariance = matmul(centered, weighted.t()) / normalization
    return covariance.reshape(()) if a.ndim < 2 else covariance


def corrcoef(a):
    """Pearson correlation coefficients of the variables in a's rows (see cov), clipped
    to [-1, 1]; a 1-d a gives a 0-d 1 (nan where a variable is constant)."""
    covariance = cov(a)
    if covariance.ndim == 0:
        return covariance / covariance
    deviations = sqrt(diagonal(covariance))
    correlation = covariance / deviations.unsqueeze(1) / deviations
    return clamp(correlation, -1, 1)


# ---- counting ---------------------------------------------------------------------------

def _not_differentiable(values, a, op_name):
    """values as a result of a with no derivative (an error on backward, as PyTorch)."""
    if a is not None and a.requires_grad:
        return NotDifferentiable.apply(a, values, op_name)
    return values


def bincount(a, weights=None, minlength=0):
    """How often each value 0, 1, ..., occurs in the non-negative 1-d int64 a: a tensor
    of length max(a.max() + 1, minlength); with weights (one per element of a), the sum
    of the weights of each value's elements instead (float weights keep their dtype,
    others give float64). No derivative, as PyTorch."""
    if a.dtype not in (int64, bool_) or a.ndim != 1:
        raise ValueError(f"bincount: expected a 1-d tensor of non-negative ints, got "
                         f"{a.dtype.name} {format_shape(a.shape)}")
    if not isinstance(minlength, numbers.Integral) or minlength < 0:
        raise ValueError(f"bincount: minlength must be a non-negative int, got {minlength!r}")
    if weights is not None and weights.shape != a.shape:
        raise ValueError(f"bincount: weights {format_shape(weights.shape)} must have the "
                         f"shape of input {format_shape(a.shape)}")
    a = a.long()
    largest = int(a.max().item()) if a.numel() else -1
    if a.numel() and int(a.min().item()) < 0:
        raise ValueError("bincount: input must hold non-negative values")
    dtype = int64 if weights is None else \
        weights.dtype if weights.dtype.is_floating_point else float64
    with no_grad():
        counted = full((a.numel(),), 1, dtype=dtype, backend=a.backend) if weights is None \
            else weights.to(dtype)
        bins = full((max(largest + 1, minlength),), 0, dtype=dtype, backend=a.backend)
        counts = index_add(bins, 0, a, counted)
    return _not_differentiable(counts, weights, "bincount")


def histc(a, bins=100, min=0, max=0):  # noqa: A002  (torch's parameter names)
    """A histogram of a's elements: `bins` equal-width bins between min and max (both 0:
    a's smallest and largest element, an error when one is nan or infinite; equal:
    widened by 1 each way), in a's floating dtype. Elements outside [min, max], and nan,
    are not counted; max itself falls in the last bin. The counts carry no gradient, as
    PyTorch."""
    _check_floating("histc", a)
    if not isinstance(bins, numbers.Integral) or bins <= 0:
        raise ValueError(f"histc: bins must be a positive int, got {bins!r}")
    low, high = float(min), float(max)
    if low > high:
        raise ValueError(f"histc: max ({max}) must not be less than min ({min})")
    if low == high and a.numel():   # a nan element makes this range not finite, as PyTorch
        low, high = float(a.min().item()), float(a.max().item())
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"histc: range of [{low}, {high}] is not finite")
    with no_grad():
        values = a.reshape(-1)
        values = values[logical_and(values >= low, values <= high)]
        positions = ((values - low) * bins / (high - low)).floor().long()
        positions = clamp(positions, 0, bins - 1)
        counts = full((bins,), 0, dtype=a.dtype, backend=a.backend)
        return index_add(counts, 0, positions, full(positions.shape, 1, dtype=a.dtype,
                                                     backend=a.backend))


# ---- integrals --------------------------------------------------------------------------

def _trapezoid_areas(y, x, dx, dim, op_name):
    """The areas of the trapezoids between neighbours along dim (one fewer than y has),
    the spacing from x (1-d, or y's shape) or the number dx (default 1)."""
    if not y.shape:
        raise ValueError(f"{op_name}: expected y with at least 1 dim")
    if x is not None and dx is not None:
        raise TypeError(f"{op_name}: give either x or dx, not both")
    dim = layout.normalize_dim(dim, y.ndim, op_name)
    count = y.shape[dim] - 1
    if count < 0:
        return dim, y.narrow(dim, 0, 0)
    heights = y.narrow(dim, 1, count) + y.narrow(dim, 0, count)
    if x is None:
        return dim, heights * ((1 if dx is None else dx) / 2)
    if x.ndim == 1:
        if x.shape[0] != y.shape[dim]:
            raise ValueError(f"{op_name}: x of size {x.shape[0]} must have y's size "
                             f"{y.shape[dim]} along dim {dim}")
        widths = (x[1:] - x[:-1]).reshape([-1 if d == dim else 1 for d in range(y.ndim)])
    else:
        if x.ndim != y.ndim:
            raise ValueError(f"{op_name}: x {format_shape(x.shape)} must be 1-d or have "
                             f"y's dims {format_shape(y.shape)}")
        widths = x.narrow(dim, 1, count) - x.narrow(dim, 0, count)
    return dim, widths * heights / 2


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of y along dim by the trapezoidal rule, with sample points x (1-d,
    or y's shape) or spacing dx (default 1)."""
    dim, areas = _trapezoid_areas(y, x, dx, dim, "trapezoid")
    return reduce_sum(areas, dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal-rule integrals of y along dim (one fewer than y has)."""
    dim, areas = _trapezoid_areas(y, x, dx, dim, "cumulative_trapezoid")
    return cumsum(areas, dim)


# ---- quantiles ----------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(a, q, dim, keepdim, interpolation, ignore_nan, op_name):
    """quantile and nanquantile (see quantile). The ranks are index metadata found on the
    host from each slice's count of (non-nan) elements; the values are gathered from the
    sorted a and interpolated with lerp, so gradients are sort's and lerp's."""
    _check_floating(op_name, a)
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op_name}: interpolation must be one of "
                         f"{', '.join(_INTERPOLATIONS)}, got {interpolation!r}")
    if isinstance(q, Tensor):
        if q.dtype is not a.dtype or q.ndim > 1:
            raise ValueError(f"{op_name}: q must be a number or a 0-d or 1-d {a.dtype.name} "
                             f"tensor, got a {q.dtype.name} tensor of shape "
                             f"{format_shape(q.shape)}")
        levels, scalar = dispatch.to_numpy(q).reshape(-1), q.ndim == 0
    else:
        levels, scalar = np.array([q], a.dtype.numpy), True
    if not ((levels >= 0) & (levels <= 1)).all():
        raise ValueError(f"{op_name}: q values must be in the range [0, 1]")
    if a.numel() == 0:
        raise RuntimeError(f"{op_name}: the input tensor must be non-empty")
    if dim is None:
        rows = a.reshape(-1)
    else:
        dim = layout.normalize_dim(dim, a.ndim, op_name)
        rows = movedim(a, dim, -1) if a.shape else a.reshape(1)
    ordered = sort(rows, -1).values                     # nan last
    array = dispatch.to_numpy(ordered)
    size = array.shape[-1]
    counted = np.count_nonzero(array == array, axis=-1) if ignore_nan else \
        np.where((array != array).any(axis=-1), 0, size)  # 0: the answer is nan
    last = np.where(counted > 0, counted - 1, size - 1)
    ranks = levels.reshape((-1,) + (1,) * (array.ndim - 1)) * last.astype(a.dtype.numpy)
    ranks = np.where(counted > 0, ranks, size - 1)
    below, above = np.floor(ranks), np.ceil(ranks)
    if interpolation == "nearest":
        below = above = np.round(ranks)
    elif interpolation == "lower":
        above = below
    elif interpolation == "higher":
        below = above
    expanded = ordered.expand((len(levels),) + ordered.shape)

    def values_at(ranks_chosen):
        index = tensor(ranks_chosen.astype(np.int64)[..., None], int64, backend=a.backend)
        return gather(expanded, -1, index).squeeze(-1)

    weights = np.full(ranks.shape, 0.5) if interpolation == "midpoint" else ranks - below
    result = lerp(values_at(below), values_at(above),
                  tensor(weights, a.dtype, backend=a.backend))
    if keepdim:
        if dim is None:
            result = result.reshape((len(levels),) + (1,) * a.ndim)
        elif a.shape:
            result = result.unsqueeze(dim + 1)
    return result.squeeze(0) if scalar else result


def quantile(a, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles of a's elements (dim=None) or of each slice along dim, as
    torch.quantile: q a number in [0, 1] or a 1-d tensor of them (which adds a leading dim
    of len(q)); between two elements the interpolation is "linear", "lower", "higher",
    "midpoint" or "nearest" (half to even). A slice holding nan gives nan."""
    return _quantile(a, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(a, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile of the non-nan elements (nan where a slice has none)."""
    return _quantile(a, q, dim, keepdim, interpolation, True, "nanquantile")
