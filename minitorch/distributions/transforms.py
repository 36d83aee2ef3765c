"""Invertible maps y = t(x) between constrained spaces, as torch.distributions.transforms:
what TransformedDistribution pushes a base distribution through.

A transform maps values of its `domain` to values of its `codomain`; `inv` is the
inverse transform (t.inv(t(x)) is x), `log_abs_det_jacobian(x, y)` is log |dy/dx|
per element (summed over the event for transforms over events, `domain.event_dim` > 0),
and `sign` is +1 or -1 for monotone elementwise maps. With cache_size=1 a transform
remembers its last (x, y) pair, so the inverse of a value it just produced is exact.
"""
import math
import numbers

import numpy as np

from .. import functions
from ..creation import arange, eye, full_like, tensor
from ..dtype import finfo
from ..layout import broadcast_shapes
from ..linalg import cholesky
from ..nn.functional import logsigmoid, pad, softplus
from ..tensor import Tensor
from . import constraints
from .utils import broadcast_all, clamp_probs, shape_argument, sum_rightmost

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform",
           "CorrCholeskyTransform", "CumulativeDistributionTransform", "ExpTransform",
           "IndependentTransform", "LowerCholeskyTransform", "PositiveDefiniteTransform",
           "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
           "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "identity_transform"]


class Transform:
    """Base of every transform: subclasses set domain, codomain, bijective and implement
    _call (forward), _inverse and log_abs_det_jacobian where the map has them."""
    domain = constraints.real
    codomain = constraints.real
    bijective = False

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError(f"{type(self).__name__}: cache_size must be 0 or 1, got "
                             f"{cache_size!r}")
        self._cache_size = cache_size
        self._cached_pair = None  # (x, y) of the last call, when caching
        self._inverse_transform = None

    @property
    def event_dim(self):
        if self.domain.event_dim != self.codomain.event_dim:
            raise ValueError(f"{type(self).__name__}: event_dim differs between domain "
                             "and codomain")
        return self.domain.event_dim

    @property
    def inv(self):
        """The inverse transform (one instance per transform, so its cache is shared)."""
        if self._inverse_transform is None:
            self._inverse_transform = _InverseTransform(self)
        return self._inverse_transform

    @property
    def sign(self):
        raise NotImplementedError(f"{type(self).__name__}: sign is not implemented")

    def __call__(self, x):
        if self._cached_pair is not None and self._cached_pair[0] is x:
            return self._cached_pair[1]
        y = self._call(x)
        if self._cache_size:
            self._cached_pair = (x, y)
        return y

    def _inv_call(self, y):
        if self._cached_pair is not None and self._cached_pair[1] is y:
            return self._cached_pair[0]
        x = self._inverse(y)
        if self._cache_size:
            self._cached_pair = (x, y)
        return x

    def _call(self, x):
        raise NotImplementedError(f"{type(self).__name__}: the forward map is not "
                                  "implemented")

    def _inverse(self, y):
        raise NotImplementedError(f"{type(self).__name__}: the inverse map is not "
                                  "implemented")

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError(f"{type(self).__name__}: log_abs_det_jacobian is not "
                                  "implemented")

    def forward_shape(self, shape):
        return shape

    def inverse_shape(self, shape):
        return shape

    def __repr__(self):
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    """t.inv: t's maps swapped, its Jacobian negated."""

    def __init__(self, transform):
        super().__init__(transform._cache_size)
        self._inverse_transform = transform

    domain = property(lambda self: self._inverse_transform.codomain)
    codomain = property(lambda self: self._inverse_transform.domain)
    bijective = property(lambda self: self._inverse_transform.bijective)
    sign = property(lambda self: self._inverse_transform.sign)

    def __call__(self, x):
        return self._inverse_transform._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inverse_transform.log_abs_det_jacobian(y, x)

    def __repr__(self):
        return f"_InverseTransform({self._inverse_transform!r})"


def _with_event_dim(constraint, event_dim):
    """constraint read over events of event_dim dims (itself when it has as many)."""
    extra = event_dim - constraint.event_dim
    return constraints.independent(constraint, extra) if extra > 0 else constraint


class ComposeTransform(Transform):
    """parts applied in order (parts[0] first); the empty composition is the identity."""

    def __init__(self, parts, cache_size=0):
        for part in parts:
            if not isinstance(part, Transform):
                raise TypeError(f"ComposeTransform: parts must be Transforms, got "
                                f"{type(part).__name__}")
        super().__init__(cache_size)
        self.parts = list(parts)

    @property
    def domain(self):
        if not self.parts:
            return constraints.real
        event_dim = self.parts[-1].codomain.event_dim
        for part in reversed(self.parts):
            event_dim += part.domain.event_dim - part.codomain.event_dim
            event_dim = max(event_dim, part.domain.event_dim)
        return _with_event_dim(self.parts[0].domain, event_dim)

    @property
    def codomain(self):
        if not self.parts:
            return constraints.real
        event_dim = self.parts[0].domain.event_dim
        for part in self.parts:
            event_dim += part.codomain.event_dim - part.domain.event_dim
            event_dim = max(event_dim, part.codomain.event_dim)
        return _with_event_dim(self.parts[-1].codomain, event_dim)

    @property
    def bijective(self):
        return all(part.bijective for part in self.parts)

    @property
    def sign(self):
        sign = 1
        for part in self.parts:
            sign = sign * part.sign
        return sign

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x, y):
        """The parts' terms summed, each over the event dims the composition has beyond
        that part's own."""
        if not self.parts:
            return full_like(x, 0.0)
        event_dim = self.domain.event_dim
        total = 0
        for part in self.parts:
            following = part(x)
            term = part.log_abs_det_jacobian(x, following)
            total = total + sum_rightmost(term, event_dim - part.domain.event_dim)
            event_dim += part.codomain.event_dim - part.domain.event_dim
            x = following
        return total

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self):
        inner = ",\n    ".join(repr(part) for part in self.parts)
        return f"ComposeTransform(\n    {inner}\n)"


identity_transform = ComposeTransform([])


class ExpTransform(Transform):
    """y = exp(x)."""
    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = 1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class AbsTransform(Transform):
    """y = |x|: not injective; its "inverse" returns y itself (the non-negative root)."""
    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


def _parameter(value, owner, what):
    """A number as given, or a floating tensor; anything else refused naming owner."""
    if isinstance(value, Tensor):
        if not value.dtype.is_floating_point:
            raise TypeError(f"{owner}: {what} must be a floating-point tensor or a "
                            f"number, got a {value.dtype.name} tensor")
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value
    raise TypeError(f"{owner}: {what} must be a floating-point tensor or a number, got "
                    f"{type(value).__name__}")


class AffineTransform(Transform):
    """y = loc + scale * x, elementwise over events of event_dim dims (loc and scale
    numbers or tensors broadcasting with x)."""
    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        if not isinstance(event_dim, int) or isinstance(event_dim, bool) or event_dim < 0:
            raise ValueError(f"AffineTransform: event_dim must be a non-negative int, got "
                             f"{event_dim!r}")
        super().__init__(cache_size)
        self.loc = _parameter(loc, "AffineTransform", "loc")
        self.scale = _parameter(scale, "AffineTransform", "scale")
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @property
    def domain(self):
        return _with_event_dim(constraints.real, self._event_dim)

    codomain = domain

    @property
    def sign(self):
        if isinstance(self.scale, Tensor):
            return self.scale.sign()
        return math.copysign(1, self.scale)

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        if isinstance(self.scale, Tensor):
            per_element = self.scale.abs().log().expand(x.shape)
        else:
            per_element = full_like(x, math.log(abs(self.scale)))
        return sum_rightmost(per_element, self._event_dim)

    def forward_shape(self, shape):
        return _broadcast_shape(shape, self.loc, self.scale)

    inverse_shape = forward_shape


def _broadcast_shape(shape, *parameters):
    """shape broadcast with the shapes of the tensors among parameters."""
    shape = tuple(shape)
    for parameter in parameters:
        if isinstance(parameter, Tensor):
            shape = tuple(broadcast_shapes(shape, tuple(parameter.shape), "Transform"))
    return shape


class SigmoidTransform(Transform):
    """y = sigmoid(x), kept eps away from 0 and 1 so the inverse stays finite."""
    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = 1

    def _call(self, x):
        return clamp_probs(x.sigmoid())

    def _inverse(self, y):
        info = finfo(y.dtype)
        y = y.clamp(min=info.tiny, max=1 - info.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x) - softplus(x)


class TanhTransform(Transform):
    """y = tanh(x)."""
    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = 1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        # log(1 - tanh(x)**2) written with softplus, stable for large |x|
        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


class PowerTransform(Transform):
    """y = x ** exponent on positive x."""
    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size)
        (self.exponent,) = broadcast_all(_parameter(exponent, "PowerTransform", "exponent"),
                                         owner="PowerTransform")

    @property
    def sign(self):
        return self.exponent.sign()

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return _broadcast_shape(shape, self.exponent)

    inverse_shape = forward_shape


class SoftmaxTransform(Transform):
    """y = softmax(x) over the last dimension: onto the simplex, not injective (adding a
    constant to x changes nothing), so it has no log_abs_det_jacobian; its inverse is
    log(y), one of the preimages."""
    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        return x.softmax(-1)

    def _inverse(self, y):
        return y.log()


class SoftplusTransform(Transform):
    """y = log(1 + exp(x))."""
    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = 1

    def _call(self, x):
        return softplus(x)

    def _inverse(self, y):
        return y + (-(-y).expm1()).log()  # log(exp(y) - 1), stable for large y

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x)


def _stick_offsets(count, like):
    """log(count), log(count - 1), ..., log(1): the shifts centring each stick-breaking
    fraction, so x = 0 maps to the uniform vector."""
    return arange(count, 0, -1, dtype=like.dtype, backend=like.backend).log()


class StickBreakingTransform(Transform):
    """Vectors of K reals onto the simplex of K + 1 entries by stick breaking: entry k
    takes the fraction sigmoid(x_k - log(K - k)) of what is left of the stick, the last
    entry the rest. Bijective (unlike SoftmaxTransform)."""
    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def _call(self, x):
        fractions = (x - _stick_offsets(x.shape[-1], x)).sigmoid()
        remaining = (1 - fractions).cumprod(-1)
        return pad(fractions, (0, 1), value=1.0) * pad(remaining, (1, 0), value=1.0)

    def _inverse(self, y):
        head = y[..., :-1]
        left = (1 - head.cumsum(-1)).clamp(min=finfo(y.dtype).tiny)
        return head.log() - left.log() + _stick_offsets(head.shape[-1], y)

    def log_abs_det_jacobian(self, x, y):
        shifted = x - _stick_offsets(x.shape[-1], x)
        return (-shifted + logsigmoid(shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        _need_dims(self, shape, 1)
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        _need_dims(self, shape, 1)
        return tuple(shape[:-1]) + (shape[-1] - 1,)


def _need_dims(transform, shape, count):
    if len(shape) < count:
        raise ValueError(f"{type(transform).__name__}: expected a shape of at least "
                         f"{count} dims, got {tuple(shape)}")


class LowerCholeskyTransform(Transform):
    """Square matrices onto lower-triangular ones with a positive diagonal: the strict
    lower triangle kept, the diagonal exponentiated (not bijective: the upper triangle
    is dropped)."""
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(Transform):
    """Square matrices onto positive definite ones: L L^T for L the
    LowerCholeskyTransform of x; the inverse goes through the Cholesky factor."""
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        factor = LowerCholeskyTransform()(x)
        return factor @ factor.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(cholesky(y))


def _strict_lower_positions(size):
    """Flat positions (row-major, as torch.tril_indices orders them) of the entries
    below the diagonal of a size x size matrix: host index metadata."""
    rows, columns = np.tril_indices(size, k=-1)
    return rows * size + columns


def _correlation_size(transform, vector_size):
    size = int(round((0.25 + 2 * vector_size) ** 0.5 + 0.5))
    if size * (size - 1) // 2 != vector_size:
        raise ValueError(f"{type(transform).__name__}: a vector of {vector_size} entries "
                         "is not the strict lower triangle of a square matrix")
    return size


class CorrCholeskyTransform(Transform):
    """Unconstrained vectors of D (D - 1) / 2 reals onto Cholesky factors of D x D
    correlation matrices: tanh maps each entry into (-1, 1) as a partial correlation,
    filled row by row into the strict lower triangle, and each row is completed by
    stick breaking on its squared norm so it has unit length."""
    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        eps = finfo(x.dtype).eps
        partial = x.tanh().clamp(min=-1 + eps, max=1 - eps)
        size = _correlation_size(self, x.shape[-1])
        lower = self._fill_lower(partial, size)
        left = (1 - lower.pow(2)).sqrt().cumprod(-1)
        identity = eye(size, dtype=x.dtype, backend=x.backend)
        return (lower + identity) * pad(left[..., :-1], (1, 0), value=1.0)

    def _inverse(self, y):
        left = 1 - (y * y).cumsum(-1)
        left_before = pad(left[..., :-1], (1, 0), value=1.0)
        partial = (self._read_lower(y) / self._read_lower(left_before).sqrt())
        return partial.atanh()

    def log_abs_det_jacobian(self, x, y):
        left = 1 - (y * y).cumsum(-1)
        size = y.shape[-1]
        # the stick-breaking part reads the lower triangle below the first subdiagonal
        rows, columns = np.tril_indices(size, k=-2)
        stick = tensor(rows * size + columns, backend=y.backend)
        flat_left = left.reshape(left.shape[:-2] + (-1,))
        stick_log_det = 0.5 * flat_left[..., stick].log().sum(-1)
        tanh_log_det = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(-1)
        return stick_log_det + tanh_log_det

    @staticmethod
    def _fill_lower(vector, size):
        """The size x size matrix with vector in its strict lower triangle, zeros
        elsewhere."""
        padded = pad(vector, (0, 1), value=0.0)  # the last slot is the zero
        source = np.full(size * size, vector.shape[-1])
        source[_strict_lower_positions(size)] = np.arange(vector.shape[-1])
        flat = padded[..., tensor(source, backend=vector.backend)]
        return flat.reshape(vector.shape[:-1] + (size, size))

    @staticmethod
    def _read_lower(matrix):
        size = matrix.shape[-1]
        flat = matrix.reshape(matrix.shape[:-2] + (-1,))
        return flat[..., tensor(_strict_lower_positions(size), backend=matrix.backend)]

    def forward_shape(self, shape):
        _need_dims(self, shape, 1)
        size = _correlation_size(self, shape[-1])
        return tuple(shape[:-1]) + (size, size)

    def inverse_shape(self, shape):
        _need_dims(self, shape, 2)
        if shape[-1] != shape[-2]:
            raise ValueError(f"CorrCholeskyTransform: expected square matrices, got shape "
                             f"{tuple(shape)}")
        return tuple(shape[:-2]) + (shape[-1] * (shape[-1] - 1) // 2,)


def _transform_list(owner, parts):
    parts = list(parts)
    if not parts or not all(isinstance(part, Transform) for part in parts):
        raise TypeError(f"{owner}: expected a non-empty sequence of Transforms, got "
                        f"{parts!r}")
    return parts


def _check_dim(owner, x, dim):
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"{owner}: dim {dim} is out of range for a value of shape "
                         f"{tuple(x.shape)}")


class CatTransform(Transform):
    """tseq[i] applied to the i-th slice along dim, of lengths[i] elements (1 each by
    default), the results concatenated along dim."""

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        self.transforms = _transform_list("CatTransform", tseq)
        super().__init__(cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise ValueError(f"CatTransform: {len(self.transforms)} transforms but "
                             f"{len(self.lengths)} lengths")
        self.dim = dim

    @property
    def length(self):
        return sum(self.lengths)

    @property
    def event_dim(self):
        return max(part.event_dim for part in self.transforms)

    @property
    def domain(self):
        return constraints.cat([part.domain for part in self.transforms], self.dim,
                               self.lengths)

    @property
    def codomain(self):
        return constraints.cat([part.codomain for part in self.transforms], self.dim,
                               self.lengths)

    @property
    def bijective(self):
        return all(part.bijective for part in self.transforms)

    def _slices(self, x):
        _check_dim("CatTransform", x, self.dim)
        if x.shape[self.dim] != self.length:
            raise ValueError(f"CatTransform: expected {self.length} entries along dim "
                             f"{self.dim}, got shape {tuple(x.shape)}")
        start = 0
        for part, length in zip(self.transforms, self.lengths):
            yield part, start, length
            start += length

    def _call(self, x):
        return functions.cat([part(x.narrow(self.dim, start, length))
                              for part, start, length in self._slices(x)], self.dim)

    def _inverse(self, y):
        return functions.cat([part.inv(y.narrow(self.dim, start, length))
                              for part, start, length in self._slices(y)], self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = []
        for part, start, length in self._slices(x):
            term = part.log_abs_det_jacobian(x.narrow(self.dim, start, length),
                                             y.narrow(self.dim, start, length))
            terms.append(sum_rightmost(term, self.event_dim - part.event_dim))
        # dim counted from the right: inside the event the slices' terms add up,
        # outside it they stay apart along dim
        dim = (self.dim if self.dim < 0 else self.dim - x.ndim) + self.event_dim
        return functions.cat(terms, dim) if dim < 0 else sum(terms)


class StackTransform(Transform):
    """tseq[i] applied to the i-th index along dim, the results stacked along dim."""

    def __init__(self, tseq, dim=0, cache_size=0):
        self.transforms = _transform_list("StackTransform", tseq)
        super().__init__(cache_size)
        self.dim = dim

    @property
    def domain(self):
        return constraints.stack([part.domain for part in self.transforms], self.dim)

    @property
    def codomain(self):
        return constraints.stack([part.codomain for part in self.transforms], self.dim)

    @property
    def bijective(self):
        return all(part.bijective for part in self.transforms)

    def _map(self, maps, *values):
        _check_dim("StackTransform", values[0], self.dim)
        if values[0].shape[self.dim] != len(self.transforms):
            raise ValueError(f"StackTransform: expected {len(self.transforms)} entries "
                             f"along dim {self.dim}, got shape {tuple(values[0].shape)}")
        return functions.stack([
            fn(*(value.select(self.dim, i) for value in values))
            for i, fn in enumerate(maps)], self.dim)

    def _call(self, x):
        return self._map(self.transforms, x)

    def _inverse(self, y):
        return self._map([part.inv for part in self.transforms], y)

    def log_abs_det_jacobian(self, x, y):
        return self._map([part.log_abs_det_jacobian for part in self.transforms], x, y)


class ReshapeTransform(Transform):
    """Events of in_shape reshaped to out_shape (of as many elements); the leading
    dims are kept. Volume preserving: log_abs_det_jacobian is 0 per batch element."""
    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape = shape_argument(in_shape, "ReshapeTransform", "in_shape")
        self.out_shape = shape_argument(out_shape, "ReshapeTransform", "out_shape")
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ValueError(f"ReshapeTransform: in_shape {self.in_shape} and out_shape "
                             f"{self.out_shape} have different numbers of elements")
        super().__init__(cache_size)

    @property
    def domain(self):
        return _with_event_dim(constraints.real, len(self.in_shape))

    @property
    def codomain(self):
        return _with_event_dim(constraints.real, len(self.out_shape))

    @staticmethod
    def _reshaped(value, old, new):
        return value.reshape(tuple(value.shape[:value.ndim - len(old)]) + new)

    def _call(self, x):
        return self._reshaped(x, self.in_shape, self.out_shape)

    def _inverse(self, y):
        return self._reshaped(y, self.out_shape, self.in_shape)

    def log_abs_det_jacobian(self, x, y):
        return full_like(x, 0.0).reshape(tuple(x.shape[:x.ndim - len(self.in_shape)])
                                         + (-1,)).sum(-1)

    def _swap_event(self, shape, old, new):
        shape = tuple(shape)
        cut = len(shape) - len(old)
        if cut < 0 or shape[cut:] != old:
            raise ValueError(f"ReshapeTransform: shape {shape} does not end in {old}")
        return shape[:cut] + new

    def forward_shape(self, shape):
        return self._swap_event(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._swap_event(shape, self.out_shape, self.in_shape)


class IndependentTransform(Transform):
    """base_transform over events of reinterpreted_batch_ndims more dims: the same map,
    its log_abs_det_jacobian summed over those dims."""

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        if not isinstance(base_transform, Transform):
            raise TypeError(f"IndependentTransform: base_transform must be a Transform, "
                            f"got {type(base_transform).__name__}")
        if not isinstance(reinterpreted_batch_ndims, int) or \
                isinstance(reinterpreted_batch_ndims, bool) or reinterpreted_batch_ndims < 0:
            raise ValueError(f"IndependentTransform: reinterpreted_batch_ndims must be a "
                             f"non-negative int, got {reinterpreted_batch_ndims!r}")
        super().__init__(cache_size)
        self.base_transform = base_transform
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def domain(self):
        return constraints.independent(self.base_transform.domain,
                                       self.reinterpreted_batch_ndims)

    @property
    def codomain(self):
        return constraints.independent(self.base_transform.codomain,
                                       self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        _need_dims(self, x.shape, self.domain.event_dim)
        return self.base_transform(x)

    def _inverse(self, y):
        _need_dims(self, y.shape, self.codomain.event_dim)
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y),
                             self.reinterpreted_batch_ndims)

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)

    def __repr__(self):
        return (f"IndependentTransform({self.base_transform!r}, "
                f"{self.reinterpreted_batch_ndims})")


class CumulativeDistributionTransform(Transform):
    """y = distribution.cdf(x), from the distribution's support onto [0, 1]; the
    inverse is its icdf and log_abs_det_jacobian its log density."""
    bijective = True
    codomain = constraints.unit_interval
    sign = 1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)
