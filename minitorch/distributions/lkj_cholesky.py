"""LKJCholesky(dim, concentration): the LKJ distribution over correlation matrices, on
their lower Cholesky factors."""
import math
import numbers

from .. import functions
from ..autograd import no_grad
from ..creation import arange, randn
from ..dtype import finfo
from ..special import lgamma, multigammaln
from . import constraints
from .dirichlet import Beta
from .distribution import Distribution
from .utils import broadcast_all


class LKJCholesky(Distribution):
    """Lower Cholesky factors L of dim x dim correlation matrices, with density of the
    correlation matrix L L^T proportional to det(L L^T)^(concentration - 1)
    (concentration positive; 1 is uniform over correlation matrices). Samples come from
    the onion method (Ghosh and Henderson, 2003): row i of L is a direction on the
    sphere scaled by the square root of a Beta draw. Not reparameterized: `sample`
    only, as in torch."""
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if not isinstance(dim, numbers.Integral) or isinstance(dim, bool) or dim < 2:
            raise ValueError(f"LKJCholesky: expected dim to be an integer greater than or "
                             f"equal to 2, got {dim!r}")
        self.dim = int(dim)
        (self.concentration,) = broadcast_all(concentration, owner="LKJCholesky")
        super().__init__(self.concentration.shape, (self.dim, self.dim),
                         validate_args=validate_args)

    def _row_beta(self):
        """Beta(i / 2, c + (dim - 2 - i + 1) / 2) for rows i = 1..dim-1 (and a dummy
        Beta(1/2, .) for row 0, which is always e_1): the squared norm of each row's
        off-diagonal part."""
        concentration = self.concentration
        offset = arange(self.dim - 1, dtype=concentration.dtype, backend=concentration.backend)
        offset = functions.cat([offset[:1] * 0, offset])
        marginal = concentration + 0.5 * (self.dim - 2)
        return Beta(offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset, validate_args=False)

    def sample(self, sample_shape=()):
        with no_grad():
            squared_norms = self._row_beta().sample(sample_shape).unsqueeze(-1)
            shape = self._extended_shape(sample_shape)
            directions = randn(shape, dtype=squared_norms.dtype,
                               backend=squared_norms.backend).tril(-1)
            tiny = finfo(directions.dtype).tiny
            # row 0 is all zeros: the clamp keeps it 0 rather than 0 / 0
            directions = directions / directions.pow(2).sum(-1, keepdim=True).sqrt().clamp(
                min=tiny)
            off_diagonal = squared_norms.sqrt() * directions
            diagonal = (1 - off_diagonal.pow(2).sum(-1)).clamp(min=tiny).sqrt()
            return off_diagonal + diagonal.diag_embed()

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        diagonal = value.diagonal(dim1=-2, dim2=-1)[..., 1:]
        order = arange(2, self.dim + 1, dtype=value.dtype, backend=value.backend)
        exponents = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (exponents * diagonal.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = (0.5 * dm1 * math.log(math.pi) + multigammaln(alpha - 0.5, dm1)
                      - lgamma(alpha) * dm1)
        return unnormalized - normalizer
