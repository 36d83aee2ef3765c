"""VonMises(loc, concentration): the circular normal distribution on angles."""
import math

from ..autograd import no_grad
from ..creation import tensor
from ..generator import numpy_generator
from ..special import i0e, i1e
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


def _log_i0(x):
    """log I0(x) for x >= 0, from the scaled i0e(x) = exp(-x) I0(x) so it cannot overflow."""
    return i0e(x).log() + x


class VonMises(Distribution):
    """Angles with density exp(concentration cos(x - loc)) / (2 pi I0(concentration));
    loc real, concentration positive. As in torch the support is all reals (log_prob
    is 2 pi periodic), samples lie in [-pi, pi] and mean and variance are the circular
    ones. Samples come from the seeded generator on the host (in float64, cast to the
    parameters' dtype) and are not reparameterized: `sample` only."""
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration, owner="VonMises")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        """1 - I1(k) / I0(k): one minus the mean resultant length."""
        return 1 - i1e(self.concentration) / i0e(self.concentration)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            loc = self.loc.expand(shape).numpy().astype("float64")
            concentration = self.concentration.expand(shape).numpy().astype("float64")
        draws = numpy_generator().vonmises(loc, concentration)
        # numpy centres the draws at loc and wraps them into [-pi, pi]
        return tensor(draws.astype(self.loc.dtype.numpy), dtype=self.loc.dtype,
                      backend=self.loc.backend)

    def log_prob(self, value):
        self._validate_sample(value, "log_prob")
        return (self.concentration * (value - self.loc).cos() - math.log(2 * math.pi)
                - _log_i0(self.concentration))
