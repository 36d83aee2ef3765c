"""StudentT(df, loc, scale): loc + scale * T for T Student's t with df degrees of
freedom, density proportional to (1 + t^2 / df)^(-(df + 1) / 2)."""
import math

from .. import functions
from ..autograd import no_grad
from ..creation import randn
from ..special import digamma, lgamma
from . import constraints
from .distribution import Distribution
from .gamma import standard_gamma
from .utils import broadcast_all


class StudentT(Distribution):
    """Student's t with positive `df`, location `loc` and positive `scale` (broadcast
    together). Samples are not reparameterized: `sample` only (torch's rsample
    differentiates through the chi-squared draw, which minitorch does not)."""
    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale, owner="StudentT")
        super().__init__(self.df.shape, validate_args=validate_args)

    @property
    def mean(self):
        """loc where df > 1, nan where the mean does not exist."""
        return functions.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """scale^2 df / (df - 2) where df > 2, inf for 1 < df <= 2, nan for df <= 1."""
        finite = self.scale.pow(2) * self.df / (self.df - 2)
        undefined = functions.where(self.df > 1, math.inf, math.nan)
        return functions.where(self.df > 2, finite, undefined)

    def sample(self, sample_shape=()):
        """loc + scale * X / sqrt(Z / df), X standard normal, Z chi-squared(df)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            chi2 = 2 * standard_gamma(0.5 * self.df, shape)
            x = randn(shape, dtype=self.df.dtype, backend=self.df.backend)
            return self.loc + self.scale * x * (chi2 / self.df).rsqrt()

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        standardized = (value - self.loc) / self.scale
        log_normalizer = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
                          + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1)))
        return -0.5 * (self.df + 1) * (standardized.pow(2) / self.df).log1p() - log_normalizer

    def entropy(self):
        half_df, half_df_plus_one = 0.5 * self.df, 0.5 * (self.df + 1)
        log_beta = lgamma(half_df) + math.lgamma(0.5) - lgamma(half_df_plus_one)
        return (self.scale.log() + half_df_plus_one * (digamma(half_df_plus_one)
                                                       - digamma(half_df))
                + 0.5 * self.df.log() + log_beta)
