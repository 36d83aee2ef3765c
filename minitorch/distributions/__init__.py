"""Probability distributions with torch.distributions' names and semantics: sampling
from minitorch's seeded generator (reparameterized `rsample` where the family has one),
and log_prob, entropy, moments, cdf/icdf and kl_divergence written with tensor ops, so
gradients flow to the parameters.

    from minitorch.distributions import Normal, kl_divergence
    q = Normal(mu, log_sigma.exp())
    z = q.rsample()                      # gradients reach mu and log_sigma
    loss = -p_x(z).log_prob(x).sum() + kl_divergence(q, Normal(0.0, 1.0)).sum()
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .exponential import Exponential
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .normal import LogNormal, Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Exponential", "Independent",
           "Laplace", "LogNormal", "Normal", "OneHotCategorical", "Uniform", "constraints",
           "kl_divergence", "register_kl"]
