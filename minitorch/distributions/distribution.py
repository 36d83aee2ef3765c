"""The Distribution base class: shapes, sampling, argument validation, expand.

A distribution holds a batch of independent distributions of the same family
(`batch_shape`), each over events of `event_shape`. `sample(sample_shape)` returns a
tensor of shape sample_shape + batch_shape + event_shape; `log_prob(value)` takes values
broadcastable to batch_shape + event_shape and returns one log-density per event.

With validation on (the default, as in torch; `validate_args=False` turns it off for one
instance, `Distribution.set_default_validate_args` for all), the constructor checks each
parameter against `arg_constraints` and `log_prob`/`cdf` check their value against
`support`; each raises a ValueError naming the distribution and what is wrong.
"""
from functools import cached_property

from ..autograd import no_grad
from ..tensor import Tensor
from . import constraints
from .utils import shape_argument


class Distribution:
    """Base of every distribution: subclasses set `arg_constraints` and `support` and
    implement what their family has (rsample, log_prob, entropy, moments, cdf/icdf);
    what is not implemented raises NotImplementedError naming the distribution."""
    has_rsample = False
    has_enumerate_support = False
    arg_constraints = {}
    support = None
    _validate_args = True

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for every instance that does not choose."""
        if value not in (True, False):
            raise ValueError("set_default_validate_args: value must be True or False")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = shape_argument(batch_shape, type(self).__name__, "batch_shape")
        self._event_shape = shape_argument(event_shape, type(self).__name__, "event_shape")
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self):
        for name, constraint in self.arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if name not in self.__dict__ and isinstance(getattr(type(self), name, None),
                                                        cached_property):
                continue  # derived from the parameter given (logits from probs): not given
            value = getattr(self, name)
            if not bool(constraint.check(value).all().item()):
                raise ValueError(
                    f"Expected parameter {name} ({type(value).__name__} of shape "
                    f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                    f"constraint {constraint!r}, but found invalid values:\n{value}")

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        """sample_shape + batch_shape + event_shape: the shape of a sample."""
        sample_shape = shape_argument(sample_shape, type(self).__name__, "sample_shape")
        return sample_shape + self._batch_shape + self._event_shape

    def expand(self, batch_shape):
        """This distribution with its batch broadcast to batch_shape: the parameters are
        expanded views (no copies), so gradients still reach the originals."""
        batch_shape = shape_argument(batch_shape, type(self).__name__ + ".expand",
                                     "batch_shape")
        expanded = type(self).__new__(type(self))
        expanded.__dict__.update(self.__dict__)
        for name, held in self.__dict__.items():
            if isinstance(held, Distribution):
                expanded.__dict__[name] = held.expand(batch_shape)
            elif isinstance(held, Tensor) and name in self.arg_constraints:
                per_batch_element = held.shape[len(self._batch_shape):]
                expanded.__dict__[name] = held.expand(batch_shape + per_batch_element)
        expanded._batch_shape = batch_shape
        return expanded

    # ---- what each family implements --------------------------------------------------

    def _unsupported(self, what):
        return NotImplementedError(f"{type(self).__name__}: {what} is not implemented")

    @property
    def mean(self):
        raise self._unsupported("mean")

    @property
    def mode(self):
        raise self._unsupported("mode")

    @property
    def variance(self):
        raise self._unsupported("variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def rsample(self, sample_shape=()):
        raise self._unsupported("rsample (a reparameterized sample)")

    def sample(self, sample_shape=()):
        """A sample of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise self._unsupported("log_prob")

    def cdf(self, value):
        raise self._unsupported("cdf")

    def icdf(self, value):
        raise self._unsupported("icdf")

    def entropy(self):
        raise self._unsupported("entropy")

    def enumerate_support(self, expand=True):
        raise self._unsupported("enumerate_support")

    def perplexity(self):
        return self.entropy().exp()

    # ---- checking values --------------------------------------------------------------

    def _validate_sample(self, value, method):
        """Refuse a value log_prob/cdf cannot take: not a tensor, events of another
        shape, not broadcastable to the batch, outside the support."""
        if not self._validate_args:
            return
        owner = f"{type(self).__name__}.{method}"
        if not isinstance(value, Tensor):
            raise ValueError(f"{owner}: the value argument must be a Tensor, got "
                             f"{type(value).__name__}")
        actual = tuple(value.shape)
        event_start = len(actual) - len(self._event_shape)
        if event_start < 0 or actual[event_start:] != self._event_shape:
            raise ValueError(f"{owner}: the right-most size of value must match "
                             f"event_shape: {actual} vs {self._event_shape}")
        expected = self._batch_shape + self._event_shape
        for size, wanted in zip(reversed(actual), reversed(expected)):
            if size != 1 and wanted != 1 and size != wanted:
                raise ValueError(f"{owner}: value is not broadcastable with "
                                 f"batch_shape+event_shape: {actual} vs {expected}")
        if not bool(self.support.check(value).all().item()):
            raise ValueError(f"{owner}: expected value argument ({type(value).__name__} "
                             f"of shape {actual}) to be within the support "
                             f"({self.support!r}) of the distribution {self!r}, but found "
                             f"invalid values:\n{value}")

    def __repr__(self):
        shown = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                held = self.__dict__[name]
                shown.append(f"{name}: " + (str(held.item()) if held.numel() == 1
                                            else str(tuple(held.shape))))
        return f"{type(self).__name__}({', '.join(shown)})"
