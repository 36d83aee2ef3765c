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

from ..creation import full_like
from ..dtype import finfo
from ..layout import broadcast_shapes
from ..nn.functional import softplus
from ..tensor import Tensor
from . import constraints
from .utils import broadcast_all, clamp_probs, sum_rightmost

__all__ = ["AbsTransform", "AffineTransform", "ComposeTransform", "ExpTransform",
           "PowerTransform", "SigmoidTransform", "SoftmaxTransform", "TanhTransform",
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
