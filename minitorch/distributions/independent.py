"""Independent(base_distribution, reinterpreted_batch_ndims): batch dimensions of a
distribution read as event dimensions."""
import numbers

from . import constraints
from .distribution import Distribution
from .utils import shape_argument, sum_rightmost


class Independent(Distribution):
    """base_distribution with its reinterpreted_batch_ndims rightmost batch dimensions
    made part of the event: log_prob and entropy sum over them (a diagonal Normal over
    vectors is Independent(Normal(loc, scale), 1)). Samples and moments are the base's."""
    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        if not isinstance(base_distribution, Distribution):
            raise TypeError(f"Independent: base_distribution must be a Distribution, got "
                            f"{type(base_distribution).__name__}")
        batch_ndims = len(base_distribution.batch_shape)
        if not isinstance(reinterpreted_batch_ndims, numbers.Integral) or \
                isinstance(reinterpreted_batch_ndims, bool) or \
                not 0 <= reinterpreted_batch_ndims <= batch_ndims:
            raise ValueError(f"Independent: expected 0 <= reinterpreted_batch_ndims <= "
                             f"len(base_distribution.batch_shape), actual "
                             f"{reinterpreted_batch_ndims!r} vs {batch_ndims}")
        shape = base_distribution.batch_shape + base_distribution.event_shape
        event_ndims = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        split = len(shape) - event_ndims
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = int(reinterpreted_batch_ndims)
        super().__init__(shape[:split], shape[split:], validate_args=validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self):
        return False if self.reinterpreted_batch_ndims else \
            self.base_dist.has_enumerate_support

    @constraints.dependent_property
    def support(self):
        if self.reinterpreted_batch_ndims == 0:
            return self.base_dist.support
        return constraints.independent(self.base_dist.support,
                                       self.reinterpreted_batch_ndims)

    def expand(self, batch_shape):
        batch_shape = shape_argument(batch_shape, "Independent.expand", "batch_shape")
        reinterpreted = self._event_shape[:self.reinterpreted_batch_ndims]
        base = self.base_dist.expand(batch_shape + reinterpreted)
        return Independent(base, self.reinterpreted_batch_ndims,
                           validate_args=self._validate_args)

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand=True):
        if self.reinterpreted_batch_ndims:
            raise NotImplementedError("Independent: enumerate_support over more than one "
                                      "dimension is not implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
