"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril): the
normal distribution over vectors, held as the Cholesky factor of its covariance."""
import math
from functools import cached_property

from ..creation import eye, randn
from ..layout import broadcast_shapes
from ..linalg import _substitute, cholesky, inv
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution



def solve_lower(lower, b):
    """X with lower @ X = b for lower-triangular matrices (..., n, n) and a (batch of)
    vectors b (..., n); the batch dims broadcast (forward substitution, differentiable)."""
    batch = broadcast_shapes(lower.shape[:-2], b.shape[:-1], "solve_lower")
    n = lower.shape[-1]
    columns = b.expand(batch + (n,)).unsqueeze(-1)
    return _substitute(lower.expand(batch + (n, n)), columns, True, False)[..., 0]


def half_log_det(scale_tril):
    """log det(L) = half the log-determinant of the covariance L L^T."""
    return scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def mahalanobis_squared(scale_tril, difference):
    """difference^T (L L^T)^-1 difference for each vector in difference (..., n)."""
    return solve_lower(scale_tril, difference).pow(2).sum(-1)


def given_matrix(owner, covariance_matrix, precision_matrix, scale_tril):
    """(name, matrix): the one of the three ways to give a covariance that the caller
    used; an error naming owner unless exactly one is given."""
    given = [(name, matrix) for name, matrix in (("covariance_matrix", covariance_matrix),
                                                 ("precision_matrix", precision_matrix),
                                                 ("scale_tril", scale_tril))
             if matrix is not None]
    if len(given) != 1:
        raise ValueError(f"{owner}: exactly one of covariance_matrix, precision_matrix or "
                         "scale_tril may be specified")
    return given[0]


class CholeskyParametrized:
    """A distribution whose covariance (or scale) matrix is held as its Cholesky factor
    L, `_unbroadcasted_scale_tril`, (..., k, k): scale_tril, covariance_matrix (L L^T) and
    precision_matrix (its inverse), each expanded to the batch shape, derived on first
    use."""

    def _hold_scale_tril(self, name, matrix):
        """Keep L for `matrix` given as `name` (see given_matrix)."""
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(inv(matrix))

    def _full_matrix(self, matrix):
        return matrix.expand(self._batch_shape + tuple(matrix.shape[-2:]))

    @cached_property
    def scale_tril(self):
        return self._full_matrix(self._unbroadcasted_scale_tril)

    @cached_property
    def covariance_matrix(self):
        factor = self._unbroadcasted_scale_tril
        return self._full_matrix(factor @ factor.mT)

    @cached_property
    def precision_matrix(self):
        factor = self._unbroadcasted_scale_tril
        identity = eye(factor.shape[-1], dtype=factor.dtype, backend=factor.backend)
        inverse_factor = _substitute(factor, identity.expand(factor.shape), True, False)
        return self._full_matrix(inverse_factor.mT @ inverse_factor)


class MultivariateNormal(CholeskyParametrized, Distribution):
    """N(loc, Sigma) over vectors of size n = loc.shape[-1]: Sigma given as exactly one
    of covariance_matrix, precision_matrix (its inverse) or scale_tril (its Cholesky
    factor L, Sigma = L L^T), each (..., n, n). The batch is loc's and the matrix's
    leading dims broadcast; the event is (n,). The other two matrices are derived on
    first use; gradients reach the given one through Cholesky and triangular solves."""
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        name, matrix = given_matrix("MultivariateNormal", covariance_matrix,
                                    precision_matrix, scale_tril)
        if not isinstance(loc, Tensor) or loc.ndim < 1 or not loc.dtype.is_floating_point:
            raise ValueError("MultivariateNormal: loc must be a floating-point tensor of "
                             "at least one dimension")
        if not isinstance(matrix, Tensor) or matrix.ndim < 2 or \
                matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            found = (tuple(matrix.shape) if isinstance(matrix, Tensor)
                     else type(matrix).__name__)
            raise ValueError(f"MultivariateNormal: {name} must be a (batch of) square "
                             f"matrices of size {loc.shape[-1]} (loc's last dim), got "
                             f"{found}")
        if matrix.dtype != loc.dtype:
            raise TypeError(f"MultivariateNormal: {name} ({matrix.dtype.name}) and loc "
                            f"({loc.dtype.name}) must have one dtype")
        n = loc.shape[-1]
        batch_shape = broadcast_shapes(matrix.shape[:-2], loc.shape[:-1],
                                       "MultivariateNormal")
        self.loc = loc.expand(batch_shape + (n,))
        self.__dict__[name] = matrix.expand(batch_shape + (n, n))
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        self._hold_scale_tril(name, matrix)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        variance = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return variance.expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        """loc + L eps, eps standard normal: gradients flow to loc and the matrix."""
        shape = self._extended_shape(sample_shape)
        eps = randn(shape, dtype=self.loc.dtype, backend=self.loc.backend)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1))[..., 0]

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        n = self._event_shape[0]
        distance = mahalanobis_squared(self._unbroadcasted_scale_tril, value - self.loc)
        return (-0.5 * (n * math.log(2 * math.pi) + distance)
                - half_log_det(self._unbroadcasted_scale_tril))

    def entropy(self):
        n = self._event_shape[0]
        entropy = (0.5 * n * (1.0 + math.log(2 * math.pi))
                   + half_log_det(self._unbroadcasted_scale_tril))
        return entropy.expand(self._batch_shape)
