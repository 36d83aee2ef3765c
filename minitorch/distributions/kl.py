"""kl_divergence(p, q) = E_p[log p(x) - log q(x)], with the closed forms torch has for
pairs of these families, and register_kl to add more."""
import math

from .. import functions
from ..creation import full_like
from ..nn.functional import softplus
from ..special import digamma, lgamma
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical, OneHotCategorical
from .cauchy import Cauchy
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Beta, Dirichlet
from .exp_family import ExponentialFamily, bregman_divergence
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .independent import Independent
from .laplace import Laplace
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import (MultivariateNormal, half_log_det, mahalanobis_squared,
                                  solve_lower)
from .normal import HalfNormal, LogNormal, Normal
from .pareto import Pareto
from .poisson import Poisson
from .uniform import Uniform
from .utils import EULER_GAMMA, sum_rightmost

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


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)  # both folded the same way


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    # Chyzak and Nielsen's closed form
    return (((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
            - (4 * p.scale * q.scale).log())


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    # E_p[k] log(1 - q) + log q is E_p[log q(k)], with E_p[k] = 1/p - 1
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - alpha_ratio.log() + alpha_ratio - 1
    return functions.where(p.scale < q.scale, math.inf, result)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    return (q.concentration * (p.rate / q.rate).log()
            + lgamma(q.concentration) - lgamma(p.concentration)
            + (p.concentration - q.concentration) * digamma(p.concentration)
            + (q.rate - p.rate) * (p.concentration / p.rate))


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    p_total, q_total = p.concentration.sum(-1), q.concentration.sum(-1)
    expected_log_p = p.concentration.digamma() - p_total.digamma().unsqueeze(-1)
    return (lgamma(p_total) - lgamma(q_total)
            - (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1)
            + ((p.concentration - q.concentration) * expected_log_p).sum(-1))


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    return _kl_dirichlet_dirichlet(p._dirichlet, q._dirichlet)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    """Infinite where p has more trials than q; refused, as in torch, where it has
    fewer."""
    if bool((p.total_count < q.total_count).any().item()):
        raise NotImplementedError("kl_divergence: KL between Binomials where "
                                  "q.total_count > p.total_count is not implemented")
    result = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p()
                              - (-q.probs).log1p())
    return functions.where(p.total_count > q.total_count, math.inf, result)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    scale_ratio = p.scale / q.scale
    loc_shift = (q.loc - p.loc) / q.scale
    return (-scale_ratio.log() - loc_shift + scale_ratio * EULER_GAMMA
            + (loc_shift + lgamma(1 + scale_ratio)).exp() - (1 + EULER_GAMMA))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariatenormal_multivariatenormal(p, q):
    """log det(L_q) - log det(L_p) + (tr(S_q^-1 S_p) + Mahalanobis(mu_q - mu_p) - n) / 2,
    with tr(S_q^-1 S_p) the squared Frobenius norm of L_q^-1 L_p."""
    if p.event_shape != q.event_shape:
        raise ValueError(f"kl_divergence: MultivariateNormals of different event shapes "
                         f"{p.event_shape} and {q.event_shape}")
    n = p.event_shape[0]
    p_factor, q_factor = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    # L_q^-1 L_p column by column: the columns of L_p, moved last, are the vectors solved
    whitened = solve_lower(q_factor.unsqueeze(-3), p_factor.mT)
    trace = whitened.pow(2).sum((-2, -1))
    return (half_log_det(q_factor) - half_log_det(p_factor)
            + 0.5 * (trace + mahalanobis_squared(q_factor, q.loc - p.loc) - n))


def _dense(normal):
    """A LowRankMultivariateNormal as the MultivariateNormal of its full covariance."""
    if isinstance(normal, MultivariateNormal):
        return normal
    return MultivariateNormal(normal.loc, covariance_matrix=normal.covariance_matrix,
                              validate_args=False)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
@register_kl(LowRankMultivariateNormal, MultivariateNormal)
@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_gaussians(p, q):
    """The Gaussian KL on full covariances (torch uses Woodbury forms; same value)."""
    return _kl_multivariatenormal_multivariatenormal(_dense(p), _dense(q))


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


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    rate_scale = p.rate * q.scale
    loc_in_scales = q.loc / q.scale
    return (rate_scale.log() - 1 - loc_in_scales + rate_scale.reciprocal()
            + loc_in_scales.exp() * rate_scale / (rate_scale + 1))


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    mean_in_scales = (p.loc - q.loc) / q.scale
    variance_ratio = (p.scale / q.scale).pow(2)
    return (-0.5 * variance_ratio.log() + mean_in_scales
            + (0.5 * variance_ratio - mean_in_scales).exp()
            - 0.5 * (1 + math.log(2 * math.pi)))


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    scale_ratio = p.scale / q.scale
    mean_distance = (p.loc + p.scale * EULER_GAMMA - q.loc) / q.scale
    return (-(scale_ratio / math.sqrt(2 * math.pi)).log()
            + (math.pi * scale_ratio).pow(2) / 12 + 0.5 * mean_distance.pow(2)
            - (1 + EULER_GAMMA))


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    scale_over_width = q.scale / (p.high - p.low)
    high_in_scales = (p.high - q.loc) / q.scale
    low_in_scales = (p.low - q.loc) / q.scale
    return (scale_over_width.log() + 0.5 * (high_in_scales + low_in_scales)
            - scale_over_width * ((-high_in_scales).exp() - (-low_in_scales).exp()))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    scale_rate = p.scale * q.rate
    result = ((p.alpha / scale_rate).log() - p.alpha.reciprocal()
              + p.alpha * scale_rate / (p.alpha - 1) - 1)
    return functions.where(p.alpha <= 1, math.inf, result)  # p has no mean: E_p[x] = inf


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    mean = p.alpha * p.scale / (p.alpha - 1)
    variance = p.alpha * (p.scale / (p.alpha - 1)).pow(2) / (p.alpha - 2)
    result = ((math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale).log()
              - p.alpha.reciprocal() - 1
              + (variance + (mean - q.loc).pow(2)) / (2 * q.scale.pow(2)))
    return functions.where(p.alpha <= 2, math.inf, result)  # p has no variance


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return functions.where(p.low < 0, math.inf, result)


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    rate_ratio = q.rate / p.rate
    return (-q.concentration * rate_ratio.log() + rate_ratio + lgamma(q.concentration)
            + q.concentration * EULER_GAMMA - (1 + EULER_GAMMA))


def _gamma_negative_entropy(p):
    """-entropy(p) of a Gamma p, less its log(rate) term."""
    return ((p.concentration - 1) * digamma(p.concentration) - lgamma(p.concentration)
            - p.concentration)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    normal_variance = q.scale.pow(2)
    second_moment = (p.concentration.pow(2) + p.concentration) / p.rate.pow(2)
    return (_gamma_negative_entropy(p)
            + 0.5 * (p.rate.pow(2) * normal_variance * 2 * math.pi).log()
            + (0.5 * second_moment - q.loc * p.mean + 0.5 * q.loc.pow(2)) / normal_variance)


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    rate_scale = p.rate * q.scale
    loc_in_scales = q.loc / q.scale
    return (_gamma_negative_entropy(p) + rate_scale.log() + p.concentration / rate_scale
            + loc_in_scales.exp() * (1 + rate_scale.reciprocal()).pow(-p.concentration)
            - loc_in_scales)


def _gamma_normalizer(q):
    """log Gamma(a) - a log(rate) of a Gamma q: -log q(x) less its x terms."""
    return lgamma(q.concentration) - q.concentration * q.rate.log()


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    expected_log = p.scale.log() + p.alpha.reciprocal()  # E_p[log x]
    result = (p.alpha.log() - expected_log + _gamma_normalizer(q)
              + (1 - q.concentration) * expected_log + q.rate * p.mean - 1)
    return functions.where(p.alpha <= 1, math.inf, result)  # p has no mean


def _uniform_expected_log(p):
    """E_p[log x] for a Uniform p on [low, high] within [0, inf)."""
    width = p.high - p.low
    return (functions.xlogy(p.high, p.high) - functions.xlogy(p.low, p.low) - width) / width


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    result = (-(p.high - p.low).log() + _gamma_normalizer(q)
              + (1 - q.concentration) * _uniform_expected_log(p) + q.rate * p.mean)
    return functions.where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    width = p.high - p.low
    mirrored = Uniform(1 - p.high, 1 - p.low, validate_args=False)  # of 1 - x
    log_beta = (lgamma(q.concentration1) + lgamma(q.concentration0)
                - lgamma(q.concentration1 + q.concentration0))
    result = (log_beta - width.log() - (q.concentration1 - 1) * _uniform_expected_log(p)
              - (q.concentration0 - 1) * _uniform_expected_log(mirrored))
    outside = (p.high > q.support.upper_bound) | (p.low < q.support.lower_bound)
    return functions.where(outside, math.inf, result)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    result = ((q.alpha + 1) * _uniform_expected_log(p)
              - (q.alpha * q.scale.pow(q.alpha) * (p.high - p.low)).log())
    return functions.where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    expected_log = (digamma(p.concentration1)
                    - digamma(p.concentration1 + p.concentration0))  # E_p[log x]
    return (-p.entropy() + _gamma_normalizer(q) - (q.concentration - 1) * expected_log
            + q.rate * p.mean)


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    normal_variance = q.scale.pow(2)
    second_moment = p.variance + p.mean.pow(2)
    return (-p.entropy() + 0.5 * (normal_variance * 2 * math.pi).log()
            + (0.5 * second_moment - q.loc * p.mean + 0.5 * q.loc.pow(2)) / normal_variance)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    outside = (q.low > p.support.lower_bound) | (q.high < p.support.upper_bound)
    return functions.where(outside, math.inf, result)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


# q has bounded support (Uniform, Beta, ContinuousBernoulli), support [0, inf)
# (Exponential, Gamma) or [scale, inf) (Pareto) where p's reaches beyond it, or p is
# discrete and unbounded where q is bounded: the divergence is infinite
@register_kl(Exponential, Beta)
@register_kl(Exponential, Uniform)
@register_kl(Exponential, Pareto)
@register_kl(Exponential, ContinuousBernoulli)
@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_exponential_infinity(p, q):
    return _infinite_like(p.rate)


@register_kl(Gamma, Beta)
@register_kl(Gamma, Pareto)
@register_kl(Gamma, Uniform)
def _kl_gamma_infinity(p, q):
    return _infinite_like(p.concentration)


@register_kl(Pareto, Beta)
@register_kl(Pareto, Uniform)
def _kl_pareto_infinity(p, q):
    return _infinite_like(p.scale)


@register_kl(Beta, Pareto)
def _kl_beta_infinity(p, q):
    return _infinite_like(p.concentration1)


@register_kl(Gumbel, Beta)
@register_kl(Gumbel, ContinuousBernoulli)
@register_kl(Gumbel, Exponential)
@register_kl(Gumbel, Gamma)
@register_kl(Gumbel, Pareto)
@register_kl(Gumbel, Uniform)
@register_kl(Laplace, Beta)
@register_kl(Laplace, ContinuousBernoulli)
@register_kl(Laplace, Exponential)
@register_kl(Laplace, Gamma)
@register_kl(Laplace, Pareto)
@register_kl(Laplace, Uniform)
@register_kl(Normal, Beta)
@register_kl(Normal, ContinuousBernoulli)
@register_kl(Normal, Exponential)
@register_kl(Normal, Gamma)
@register_kl(Normal, Pareto)
@register_kl(Normal, Uniform)
def _kl_unbounded_infinity(p, q):
    return _infinite_like(p.loc)


# ---- exponential families and the continuous Bernoulli -----------------------------------

@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_exponential_family(p, q):
    """The Bregman divergence of the log-normalizer, for p and q of one family."""
    if type(p) is not type(q):
        raise NotImplementedError(f"kl_divergence: the Bregman divergence needs p and q of "
                                  f"one exponential family, got {type(p).__name__} and "
                                  f"{type(q).__name__}")
    return bregman_divergence(p, q)


def _expected_continuous_bernoulli_log_density(p_mean, q):
    """E_p[log q(x)] for q ContinuousBernoulli: linear in x, so p's mean suffices."""
    return p_mean * q.logits + (-q.probs).log1p() + q._cont_bern_log_norm()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    return (p.mean * (p.logits - q.logits) + p._cont_bern_log_norm() + (-p.probs).log1p()
            - q._cont_bern_log_norm() - (-q.probs).log1p())


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() - _expected_continuous_bernoulli_log_density(p.mean, q)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    result = -p.entropy() - _expected_continuous_bernoulli_log_density(p.mean, q)
    # torch's test: p reaching either end of [0, 1] counts as leaving it
    outside = (p.high >= q.support.upper_bound) | (p.low <= q.support.lower_bound)
    return functions.where(outside, math.inf, result)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    return (-p.entropy()
            + 0.5 * (math.log(2.0 * math.pi) + (q.loc / q.scale).pow(2)) + q.scale.log()
            + (p.variance + p.mean.pow(2) - 2.0 * q.loc * p.mean) / (2.0 * q.scale.pow(2)))


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    outside = (q.low >= p.support.lower_bound) | (q.high <= p.support.upper_bound)
    return functions.where(outside, math.inf, result)


# the continuous Bernoulli lives on [0, 1]; these reach beyond it (p) or put no mass
# on part of it (q)
@register_kl(ContinuousBernoulli, Pareto)
def _kl_continuous_bernoulli_pareto(p, q):
    return _infinite_like(p.probs)


@register_kl(Gamma, ContinuousBernoulli)
def _kl_gamma_continuous_bernoulli(p, q):
    return _infinite_like(p.concentration)


@register_kl(Pareto, ContinuousBernoulli)
def _kl_pareto_continuous_bernoulli(p, q):
    return _infinite_like(p.alpha)
