"""Wishart(df, covariance_matrix | precision_matrix | scale_tril): the distribution of
sums of outer products of normal vectors, over positive definite matrices."""
import math
import numbers
import warnings

from ..autograd import no_grad
from ..creation import arange, randn, tensor
from ..dtype import finfo
from ..layout import broadcast_shapes
from ..linalg import cholesky_solve, slogdet
from ..special import digamma, multigammaln
from ..tensor import Tensor
from . import constraints
from .exp_family import ExponentialFamily
from .gamma import standard_gamma
from .multivariate_normal import CholeskyParametrized, given_matrix

_LOG_2 = math.log(2)


def _multivariate_digamma(x, p):
    """sum_{i<p} digamma(x - i / 2), the derivative of multigammaln(x, p)."""
    halves = arange(p, dtype=x.dtype, backend=x.backend) / 2
    return digamma(x.unsqueeze(-1) - halves).sum(-1)


class Wishart(CholeskyParametrized, ExponentialFamily):
    """p x p positive definite matrices sum_k x_k x_k^T for df (> p - 1; a number or a
    tensor broadcast with the batch) draws x_k ~ N(0, Sigma), Sigma given as exactly one
    of covariance_matrix, precision_matrix (its inverse) or scale_tril (its Cholesky
    factor), each (..., p, p). Samples come from the Bartlett decomposition, whose
    chi-square draws (as minitorch's Gamma) are not reparameterized: `sample` only. As
    torch, df < p warns that singular samples are likely; the mode is nan where
    df <= p + 1."""
    support = constraints.positive_definite
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self._event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        name, matrix = given_matrix("Wishart", covariance_matrix, precision_matrix,
                                    scale_tril)
        if not isinstance(matrix, Tensor) or matrix.ndim < 2 or \
                matrix.shape[-1] != matrix.shape[-2] or not matrix.dtype.is_floating_point:
            found = (tuple(matrix.shape) if isinstance(matrix, Tensor)
                     else type(matrix).__name__)
            raise ValueError(f"Wishart: {name} must be a floating-point (batch of) square "
                             f"matrices, got {found}")
        p = matrix.shape[-1]
        if isinstance(df, Tensor):
            if df.dtype != matrix.dtype:
                raise TypeError(f"Wishart: df ({df.dtype.name}) and {name} "
                                f"({matrix.dtype.name}) must have one dtype")
            batch_shape = broadcast_shapes(matrix.shape[:-2], df.shape, "Wishart")
            self.df = df.expand(batch_shape)
        elif isinstance(df, numbers.Real) and not isinstance(df, bool):
            batch_shape = tuple(matrix.shape[:-2])
            self.df = tensor(float(df), dtype=matrix.dtype, backend=matrix.backend)
        else:
            raise TypeError(f"Wishart: df must be a number or a tensor, got "
                            f"{type(df).__name__}")
        if bool((self.df <= p - 1).any().item()):
            raise ValueError(f"Wishart: df must be greater than p - 1 = {p - 1}, got {df}")
        if bool((self.df < p).any().item()):
            warnings.warn("Wishart: low df values: singular samples are likely for "
                          "p - 1 < df < p", stacklevel=2)
        self.__dict__[name] = matrix.expand(batch_shape + (p, p))
        super().__init__(batch_shape, (p, p), validate_args=validate_args)
        self._hold_scale_tril(name, matrix)

    def _df_matrix(self):
        """df shaped to broadcast with the batch of matrices."""
        return self.df.expand(self._batch_shape).reshape(self._batch_shape + (1, 1))

    @property
    def mean(self):
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self):
        factor = self._df_matrix() - self._event_shape[-1] - 1
        return (factor * self.covariance_matrix).masked_fill(factor <= 0, math.nan)

    @property
    def variance(self):
        covariance = self.covariance_matrix
        diagonal = covariance.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (covariance.pow(2)
                                    + diagonal.unsqueeze(-1) * diagonal.unsqueeze(-2))

    def sample(self, sample_shape=()):
        """The Bartlett decomposition: L A A^T L^T with A lower triangular, sqrt of
        chi-square(df - i) draws on its diagonal and standard normals below."""
        shape = self._extended_shape(sample_shape)
        p = self._event_shape[-1]
        with no_grad():
            factor = self._unbroadcasted_scale_tril
            degrees = (self.df.unsqueeze(-1)
                       - arange(p, dtype=factor.dtype, backend=factor.backend))
            chi_squares = 2 * standard_gamma(degrees / 2, shape[:-1])
            eps = finfo(factor.dtype).eps
            diagonal = chi_squares.sqrt().clamp(min=eps)
            below = randn(shape, dtype=factor.dtype, backend=factor.backend).tril(-1)
            bartlett = factor @ (below + diagonal.diag_embed())
            return bartlett @ bartlett.mT

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        nu, p = self.df, self._event_shape[-1]
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        trace = cholesky_solve(value, self._unbroadcasted_scale_tril).diagonal(
            dim1=-2, dim2=-1).sum(-1)
        return (-nu * (p * _LOG_2 / 2 + half_log_det) - multigammaln(nu / 2, p)
                + (nu - p - 1) / 2 * slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return ((p + 1) * (p * _LOG_2 / 2 + half_log_det) + multigammaln(nu / 2, p)
                - (nu - p - 1) / 2 * _multivariate_digamma(nu / 2, p) + nu * p / 2)

    @property
    def _natural_params(self):
        return -self.precision_matrix / 2, (self.df - self._event_shape[-1] - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-slogdet(-2 * x).logabsdet + _LOG_2 * p)
                + multigammaln(y + (p + 1) / 2, p))

