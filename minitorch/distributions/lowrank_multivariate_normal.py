"""LowRankMultivariateNormal(loc, cov_factor, cov_diag): the normal distribution over
vectors whose covariance is a low-rank part plus a diagonal, W W^T + D."""
import math
from functools import cached_property

from ..creation import eye, randn
from ..layout import broadcast_shapes
from ..linalg import cholesky, solve_triangular
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .multivariate_normal import half_log_det, mahalanobis_squared


class LowRankMultivariateNormal(Distribution):
    """N(loc, W W^T + diag(D)) over vectors of size n for loc (..., n), cov_factor W
    (..., n, rank) and positive cov_diag D (..., n); the batch is their leading dims
    broadcast. Determinant and Mahalanobis distance use the capacitance matrix
    I + W^T D^-1 W (rank x rank, the matrix determinant lemma and Woodbury's identity),
    so no n x n matrix is factored. rsample is reparameterized: W eps_rank + sqrt(D) eps_n."""
    arg_constraints = {"loc": constraints.real_vector,
                       "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        for name, value, rank in (("loc", loc, 1), ("cov_factor", cov_factor, 2),
                                  ("cov_diag", cov_diag, 1)):
            if not isinstance(value, Tensor) or value.ndim < rank or \
                    not value.dtype.is_floating_point:
                raise ValueError(f"LowRankMultivariateNormal: {name} must be a "
                                 f"floating-point tensor of at least {rank} dimension(s)")
        n = loc.shape[-1]
        if cov_factor.shape[-2] != n or cov_diag.shape[-1] != n:
            raise ValueError(f"LowRankMultivariateNormal: cov_factor must be (..., {n}, "
                             f"rank) and cov_diag (..., {n}) for loc of size {n}, got "
                             f"{tuple(cov_factor.shape)} and {tuple(cov_diag.shape)}")
        if not loc.dtype == cov_factor.dtype == cov_diag.dtype:
            raise TypeError("LowRankMultivariateNormal: loc, cov_factor and cov_diag must "
                            "have one dtype")
        batch_shape = broadcast_shapes(broadcast_shapes(loc.shape[:-1], cov_factor.shape[:-2],
                                                        "LowRankMultivariateNormal"),
                                       cov_diag.shape[:-1], "LowRankMultivariateNormal")
        self.loc = loc.expand(batch_shape + (n,))
        self.cov_factor = cov_factor.expand(batch_shape + tuple(cov_factor.shape[-2:]))
        self.cov_diag = cov_diag.expand(batch_shape + (n,))
        super().__init__(batch_shape, (n,), validate_args=validate_args)

    @cached_property
    def _factor_t_over_diag(self):
        """W^T D^-1, (..., rank, n)."""
        return self.cov_factor.mT / self.cov_diag.unsqueeze(-2)

    @cached_property
    def _capacitance_tril(self):
        """The Cholesky factor of I + W^T D^-1 W."""
        rank = self.cov_factor.shape[-1]
        identity = eye(rank, dtype=self.loc.dtype, backend=self.loc.backend)
        return cholesky(identity + self._factor_t_over_diag @ self.cov_factor)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @cached_property
    def variance(self):
        return self.cov_factor.pow(2).sum(-1) + self.cov_diag

    @cached_property
    def covariance_matrix(self):
        return (self.cov_factor @ self.cov_factor.mT) + self.cov_diag.diag_embed()

    @cached_property
    def scale_tril(self):
        return cholesky(self.covariance_matrix)

    @cached_property
    def precision_matrix(self):
        """D^-1 - D^-1 W C^-1 W^T D^-1 (Woodbury), C the capacitance matrix."""
        solved = solve_triangular(self._capacitance_tril, self._factor_t_over_diag,
                                  upper=False)
        return (1 / self.cov_diag).diag_embed() - solved.mT @ solved

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        rank = self.cov_factor.shape[-1]
        eps_factor = randn(shape[:-1] + (rank,), dtype=self.loc.dtype,
                           backend=self.loc.backend)
        eps_diag = randn(shape, dtype=self.loc.dtype, backend=self.loc.backend)
        return (self.loc + (self.cov_factor @ eps_factor.unsqueeze(-1))[..., 0]
                + self.cov_diag.sqrt() * eps_diag)

    def _log_det(self):
        """log det(W W^T + D) = 2 log det(capacitance factor) + sum log D."""
        return 2 * half_log_det(self._capacitance_tril) + self.cov_diag.log().sum(-1)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        difference = value - self.loc
        # Woodbury: x^T D^-1 x - |L_C^-1 W^T D^-1 x|^2
        projected = (self._factor_t_over_diag @ difference.unsqueeze(-1))[..., 0]
        distance = ((difference.pow(2) / self.cov_diag).sum(-1)
                    - mahalanobis_squared(self._capacitance_tril, projected))
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + distance + self._log_det())

    def entropy(self):
        n = self._event_shape[0]
        entropy = 0.5 * (n * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return entropy.expand(self._batch_shape)
