"""MixtureSameFamily(mixture_distribution, component_distribution): a finite mixture of
distributions of one family."""
from ..autograd import no_grad
from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .utils import shape_argument


class MixtureSameFamily(Distribution):
    """Draw a component index k from mixture_distribution (a Categorical over K), then a
    value from component k of component_distribution, whose rightmost batch dim holds
    the K components. batch_shape is the component batch without that dim (it must equal
    the mixture's batch), event_shape the components'. No rsample: the choice of
    component is discrete."""
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("MixtureSameFamily: mixture_distribution must be a "
                             f"Categorical, got {type(mixture_distribution).__name__}")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("MixtureSameFamily: component_distribution must be a "
                             f"Distribution, got {type(component_distribution).__name__}")
        component_batch = component_distribution.batch_shape
        if not component_batch:
            raise ValueError("MixtureSameFamily: component_distribution needs a batch "
                             "dim holding the components")
        if mixture_distribution.batch_shape != component_batch[:-1]:
            raise ValueError(f"MixtureSameFamily: mixture_distribution.batch_shape "
                             f"{mixture_distribution.batch_shape} does not match "
                             f"component_distribution.batch_shape[:-1] "
                             f"{component_batch[:-1]}")
        categories = mixture_distribution.param_shape[-1]
        if categories != component_batch[-1]:
            raise ValueError(f"MixtureSameFamily: mixture_distribution has {categories} "
                             f"categories but component_distribution has "
                             f"{component_batch[-1]} components (its last batch dim)")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = categories
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(component_batch[:-1], component_distribution.event_shape,
                         validate_args=validate_args)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    @constraints.dependent_property
    def support(self):
        return self._component_distribution.support

    def expand(self, batch_shape):
        batch_shape = shape_argument(batch_shape, "MixtureSameFamily.expand", "batch_shape")
        return MixtureSameFamily(
            self._mixture_distribution.expand(batch_shape),
            self._component_distribution.expand(batch_shape + (self._num_component,)),
            validate_args=self._validate_args)

    def _per_component(self, value):
        """value with a dim for the components inserted left of the event dims."""
        return value.unsqueeze(-1 - self._event_ndims)

    def _mixture_weights(self):
        """The mixture's probabilities shaped to broadcast against per-component values."""
        probs = self._mixture_distribution.probs
        return probs.reshape(probs.shape + (1,) * self._event_ndims)

    @property
    def mean(self):
        weighted = self._mixture_weights() * self._component_distribution.mean
        return weighted.sum(-1 - self._event_ndims)

    @property
    def variance(self):
        """The law of total variance: E[Var(X | k)] + Var(E[X | k])."""
        weights = self._mixture_weights()
        component_axis = -1 - self._event_ndims
        mean_of_variances = (weights * self._component_distribution.variance).sum(
            component_axis)
        spread = (self._component_distribution.mean - self._per_component(self.mean)).pow(2)
        return mean_of_variances + (weights * spread).sum(component_axis)

    def cdf(self, value):
        per_component = self._component_distribution.cdf(self._per_component(value))
        return (per_component * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, value):
        """log sum_k pi_k p_k(value), computed as a logsumexp."""
        self._validate_sample(value, "log_prob")
        per_component = self._component_distribution.log_prob(self._per_component(value))
        log_weights = self._mixture_distribution.logits.log_softmax(-1)
        return (per_component + log_weights).logsumexp(-1)

    def sample(self, sample_shape=()):
        """Each component's draw, then the one the mixture chose, picked by gather."""
        with no_grad():
            chosen = self._mixture_distribution.sample(sample_shape)
            draws = self._component_distribution.sample(sample_shape)
            gather_dim = len(chosen.shape)
            index = chosen.reshape(chosen.shape + (1,) * (self._event_ndims + 1))
            index = index.expand(chosen.shape + (1,) + self._event_shape)
            return draws.gather(gather_dim, index).squeeze(gather_dim)

    def __repr__(self):
        return (f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  "
                f"{self._component_distribution!r})")
