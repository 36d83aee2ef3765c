"""kl_divergence(p, q) = E_p[log p(x) - log q(x)], with the closed forms torch has for
pairs of these families, and register_kl to add more."""
import math

from .. import functions
from ..creation import full_like
from ..nn.functional import softplus
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .exponential import Exponential
from .independent import Independent
from .laplace import Laplace
from .normal import LogNormal, Normal
from .uniform import Uniform
from .utils import sum_rightmost

_KL_REGISTRY = {}  # (type of p, type of q) -> function(p, q)
_KL_CACHE = {}  # the same for the concrete types looked up so far


def register_kl(type_p, type_q):
    """Decorator registering fn(p, q) as KL(p || q) for p of type_p and q of type_q
    (and their subclasses, when no more specific pair is registered)."""
    for given in (type_p, type_q):
        if not isinstance(given, type):
            raise TypeError(f"register_kl: expected distribution classes, got {given!r}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _KL_CACHE.clear()
        return fn
    return decorator


def _lookup(type_p, type_q):
    """The registered function of the most specific pair: the match whose classes come
    first in the method resolution orders of type_p, then of type_q."""
    matches = [(type_p.__mro__.index(p), type_q.__mro__.index(q), (p, q))
               for p, q in _KL_REGISTRY if issubclass(type_p, p) and issubclass(type_q, q)]
    return _KL_REGISTRY[min(matches)[2]] if matches else None


def kl_divergence(p, q):
    """KL(p || q) per batch element (batch_shape of p and q broadcast)."""
    key = type(p), type(q)
    if key not in _KL_CACHE:
        _KL_CACHE[key] = _lookup(*key)
    fn = _KL_CACHE[key]
    if fn is None:
        raise NotImplementedError(f"kl_divergence: no KL(p || q) is implemented for p a "
                                  f"{key[0].__name__} and q a {key[1].__name__}")
    return fn(p, q)


def _infinite_like(t):
    return full_like(t, math.inf)


# ---- one family ---------------------------------------------------------------------------

@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    # p log(p/q) + (1-p) log((1-p)/(1-q)) with the logs as softplus of logits: +inf
    # where q excludes what p allows, 0 from the terms p gives probability 0
    ones = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    ones = functions.where(q.probs == 0, math.inf, ones)
    ones = functions.where(p.probs == 0, 0.0, ones)
    zeros = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    zeros = functions.where(q.probs == 1, math.inf, zeros)
    zeros = functions.where(p.probs == 1, 0.0, zeros)
    return ones + zeros


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    terms = p.probs * (p.logits - q.logits)
    terms = functions.where(q.probs == 0, math.inf, terms)
    terms = functions.where(p.probs == 0, 0.0, terms)
    return terms.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    rate_ratio = q.rate / p.rate
    return rate_ratio - rate_ratio.log() - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    scale_ratio = p.scale / q.scale
    loc_distance = (p.loc - q.loc).abs()
    return (-scale_ratio.log() + loc_distance / q.scale
            + scale_ratio * (-loc_distance / p.scale).exp() - 1)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    variance_ratio = (p.scale / q.scale).pow(2)
    mean_term = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (variance_ratio + mean_term - 1 - variance_ratio.log())


@register_kl(LogNormal, LogNormal)
def _kl_lognormal_lognormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)  # KL is invariant under exp


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return functions.where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("kl_divergence: Independent distributions with "
                                  "different reinterpreted_batch_ndims "
                                  f"({p.reinterpreted_batch_ndims} and "
                                  f"{q.reinterpreted_batch_ndims})")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist),
                         p.reinterpreted_batch_ndims)


# ---- two families -------------------------------------------------------------------------

@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    normal_variance = q.scale.pow(2)
    rate_squared = p.rate.pow(2)
    log_term = 0.5 * (rate_squared * normal_variance * 2 * math.pi).log()
    moments = rate_squared.reciprocal() - q.loc / p.rate + q.loc.pow(2) * 0.5
    return log_term - 1 + moments / normal_variance


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    normal_variance = q.scale.pow(2)
    scale_ratio_squared = p.scale.pow(2) / normal_variance
    log_term = 0.5 * (2 * scale_ratio_squared / math.pi).log()
    moments = 0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)
    return -log_term + scale_ratio_squared + moments / normal_variance - 1


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    loc_difference = p.loc - q.loc
    standardized = loc_difference / p.scale
    expected_distance = (math.sqrt(2 / math.pi) * p.scale * (-0.5 * standardized.pow(2)).exp()
                         + loc_difference * functions.erf(math.sqrt(0.5) * standardized))
    return (-(p.scale / q.scale).log() + expected_distance / q.scale
            - 0.5 * (1 + math.log(0.5 * math.pi)))


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    log_term = (math.sqrt(2 * math.pi) * q.scale / width).log()
    second_moment = width.pow(2) / 12 + ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return log_term + 0.5 * second_moment / q.scale.pow(2)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return functions.where(p.low < 0, math.inf, result)


# q has bounded support (Uniform) or support [0, inf) (Exponential) where p's reaches
# beyond it: the divergence is infinite
@register_kl(Exponential, Uniform)
def _kl_exponential_infinity(p, q):
    return _infinite_like(p.rate)


@register_kl(Laplace, Exponential)
@register_kl(Laplace, Uniform)
@register_kl(Normal, Exponential)
@register_kl(Normal, Uniform)
def _kl_unbounded_infinity(p, q):
    return _infinite_like(p.loc)
