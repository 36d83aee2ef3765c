"""Helpers the distributions share: parameters to tensors, probabilities to logits and
back, sums over the rightmost dimensions, checked shapes."""
import numbers
from functools import cached_property

from .. import functions
from ..creation import tensor
from ..dtype import finfo, get_default_dtype
from ..tensor import Tensor

EULER_GAMMA = 0.57721566490153286060  # the Euler-Mascheroni constant


def broadcast_all(*values, owner="broadcast_all"):
    """values (floating tensors or numbers) as tensors broadcast to one shape: numbers
    take the dtype and backend of the tensors among them (the default dtype when there
    are none). Anything else, or an integer or bool tensor, is refused naming owner."""
    tensors = [value for value in values if isinstance(value, Tensor)]
    for value in values:
        if isinstance(value, Tensor):
            if not value.dtype.is_floating_point:
                raise TypeError(f"{owner}: parameters must be floating-point tensors or "
                                f"numbers, got a {value.dtype.name} tensor")
        elif not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{owner}: parameters must be floating-point tensors or "
                            f"numbers, got {type(value).__name__}")
    dtype = tensors[0].dtype if tensors else get_default_dtype()
    backend = tensors[0].backend if tensors else None
    as_tensors = [value if isinstance(value, Tensor) else
                  tensor(float(value), dtype=dtype, backend=backend) for value in values]
    return functions.broadcast_tensors(*as_tensors)


def clamp_probs(probs):
    """probs kept eps (the dtype's machine epsilon) away from 0 and 1, so their logs and
    the logs of their complements are finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits of probabilities: log-odds log(p) - log(1 - p) for binary (Bernoulli)
    probabilities, log(p) for probabilities over categories (last dimension)."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


def logits_to_probs(logits, is_binary=False):
    """Probabilities of logits: sigmoid of log-odds, or softmax over the last dimension."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def sum_rightmost(value, dims):
    """value summed over its dims rightmost dimensions (value itself when dims is 0)."""
    if dims == 0:
        return value
    return value.reshape(value.shape[:value.ndim - dims] + (-1,)).sum(-1)


def shape_argument(shape, owner, what):
    """A shape given as a sequence of non-negative ints, as a tuple; anything else is a
    TypeError naming owner and what the shape is for."""
    if isinstance(shape, Tensor) or not isinstance(shape, (tuple, list)) or any(
            not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 0
            for size in shape):
        raise TypeError(f"{owner}: {what} must be a tuple of non-negative ints, got "
                        f"{shape!r}")
    return tuple(int(size) for size in shape)


class BinaryProbsLogits:
    """How the two-outcome families (Bernoulli, Binomial, Geometric, the relaxed
    Bernoulli) hold their parameter, as torch's: the one given (probs or logits, stored
    under its name) and the other derived from it on first use."""

    @property
    def _param(self):
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]

    @cached_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @cached_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @property
    def param_shape(self):
        return self._param.shape

    def _hold_count_and_param(self, owner, total_count, name, given):
        """Keep total_count and the given parameter (stored under name) broadcast
        together; an integer count tensor is held in the parameter's dtype (the default
        float dtype when the parameter is a number)."""
        if isinstance(total_count, Tensor) and not total_count.dtype.is_floating_point:
            total_count = total_count.to(dtype=given.dtype if isinstance(given, Tensor)
                                         else get_default_dtype())
        self.total_count, self.__dict__[name] = broadcast_all(total_count, given,
                                                              owner=owner)
