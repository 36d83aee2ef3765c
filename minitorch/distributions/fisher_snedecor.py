"""FisherSnedecor(df1, df2): the F distribution, the ratio of two scaled chi-squares."""
import math

from .. import functions
from ..autograd import no_grad
from ..dtype import finfo
from ..special import lgamma
from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all


class FisherSnedecor(Distribution):
    """(X1 / df1) / (X2 / df2) for independent chi-squares X1, X2 of df1 and df2
    (positive) degrees of freedom. Samples are a ratio of Gamma(df / 2, df / 2) draws,
    which (as minitorch's Gamma) are not reparameterized: `sample` only. The mean is
    nan for df2 <= 2, the variance for df2 <= 4 and the mode for df1 <= 2, as in torch."""
    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2, owner="FisherSnedecor")
        super().__init__(self.df1.shape, validate_args=validate_args)

    @property
    def mean(self):
        df2 = functions.where(self.df2 <= 2, math.nan, self.df2)
        return df2 / (df2 - 2)

    @property
    def mode(self):
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return functions.where(self.df1 <= 2, math.nan, mode)

    @property
    def variance(self):
        df2 = functions.where(self.df2 <= 4, math.nan, self.df2)
        return (2 * df2.pow(2) * (self.df1 + df2 - 2)
                / (self.df1 * (df2 - 2).pow(2) * (df2 - 4)))

    def sample(self, sample_shape=()):
        with no_grad():
            numerator = Gamma(self.df1 * 0.5, self.df1, validate_args=False).sample(
                sample_shape)
            denominator = Gamma(self.df2 * 0.5, self.df2, validate_args=False).sample(
                sample_shape)
            tiny = finfo(numerator.dtype).tiny
            return (numerator / denominator.clamp(min=tiny)).clamp(min=tiny)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        half1, half2 = self.df1 * 0.5, self.df2 * 0.5
        ratio = self.df1 / self.df2
        return (lgamma(half1 + half2) - lgamma(half1) - lgamma(half2)
                + half1 * ratio.log() + (half1 - 1) * value.log()
                - (half1 + half2) * (ratio * value).log1p())
