"""Probability distributions with torch.distributions' names and semantics: sampling
from minitorch's seeded generator (reparameterized `rsample` where the family has one),
and log_prob, entropy, moments, cdf/icdf and kl_divergence written with tensor ops, so
gradients flow to the parameters. `transforms` holds invertible maps, and
TransformedDistribution pushes a distribution through them.

    from minitorch.distributions import Normal, kl_divergence
    q = Normal(mu, log_sigma.exp())
    z = q.rsample()                      # gradients reach mu and log_sigma
    loss = -p_x(z).log_prob(x).sum() + kl_divergence(q, Normal(0.0, 1.0)).sum()
"""
from . import constraints, transforms
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical, OneHotCategorical
from .cauchy import Cauchy, HalfCauchy
from .dirichlet import Beta, Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Chi2, Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .mixture_same_family import MixtureSameFamily
from .multivariate_normal import MultivariateNormal
from .normal import HalfNormal, LogNormal, Normal
from .pareto import Pareto
from .poisson import Poisson
from .relaxed import (ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli,
                      RelaxedOneHotCategorical)
from .student_t import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform,
                         PowerTransform, SigmoidTransform, SoftmaxTransform, TanhTransform,
                         Transform)
from .uniform import Uniform
from .weibull import Weibull

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial",
           "Categorical", "Cauchy", "Chi2", "ComposeTransform", "Dirichlet", "Distribution",
           "ExpRelaxedCategorical", "ExpTransform", "Exponential", "Gamma", "Geometric",
           "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "Laplace", "LogNormal",
           "LogitRelaxedBernoulli", "MixtureSameFamily", "MultivariateNormal", "Normal",
           "OneHotCategorical", "Pareto", "Poisson", "PowerTransform", "RelaxedBernoulli",
           "RelaxedOneHotCategorical", "SigmoidTransform", "SoftmaxTransform", "StudentT",
           "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "Weibull",
           "constraints", "kl_divergence", "register_kl", "transforms"]
