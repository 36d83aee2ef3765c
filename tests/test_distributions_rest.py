"""The third batch of minitorch.distributions against torch.distributions: Multinomial,
NegativeBinomial, LowRankMultivariateNormal, VonMises and the families after them, their
kl_divergence registrations, sampling statistics, reparameterized gradients, expand and
the errors of argument validation."""
import math

import numpy as np
import pytest
import torch
import torch.distributions as T
from distribution_helpers import DTYPES, both, pair, positive
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
import minitorch.distributions as D


def _simplex(shape, dtype, seed):
    weights = positive(shape, dtype, seed)
    return weights / weights.sum(-1, keepdims=True)


# ---- Multinomial ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_multinomial_matches_torch(backend, keyword, dtype):
    parameter = (_simplex((2, 3), dtype, 1) if keyword == "probs"
                 else normal((2, 3), dtype, 1))
    ours, theirs, leaves, tleaves = _build("Multinomial", 5, keyword, parameter, dtype)
    assert ours.batch_shape == (2,) and ours.event_shape == (3,)
    counts = np.array([[1, 0], [2, 0], [2, 5]], dtype=dtype)  # read transposed
    value, tvalue = minitorch.tensor(counts).T, torch.tensor(counts).T
    assert not value.is_contiguous()
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), _multinomial_entropy(theirs)),
               (ours.mean, theirs.mean), (ours.variance, theirs.variance)]
    check_backward(results, leaves, tleaves, dtype)
    expanded, texpanded = ours.expand((4, 2)), theirs.expand((4, 2))
    assert expanded.batch_shape == (4, 2)
    assert_close(expanded.log_prob(value), texpanded.log_prob(tvalue), dtype)
    # (torch's expanded Multinomial has no entropy: it loses its inner Binomial)
    assert_close(expanded.entropy(), _multinomial_entropy(theirs).expand(4, 2), dtype)


def _multinomial_entropy(theirs):
    """torch's Multinomial entropy with its log(n!) term, which torch evaluates in
    float32 whatever the dtype, replaced by the exact value."""
    count = theirs.total_count
    float32_term = torch.lgamma(torch.tensor(count + 1.0, dtype=torch.float32)).double()
    return theirs.entropy() + (float32_term - math.lgamma(count + 1)).to(theirs.probs.dtype)


def _build(name, count, keyword, parameter, dtype):
    ours_leaf, torch_leaf = pair(parameter, dtype)
    ours = getattr(D, name)(count, **{keyword: ours_leaf})
    theirs = getattr(T, name)(count, **{keyword: torch_leaf})
    return ours, theirs, [ours_leaf], [torch_leaf]


def test_multinomial_samples_count_total_count_draws():
    minitorch.manual_seed(0)
    probs = np.array([[0.2, 0.3, 0.5], [0.7, 0.0, 0.3]], dtype="float64")
    multinomial = D.Multinomial(10, minitorch.tensor(probs))
    samples = multinomial.sample((4000,))
    assert samples.shape == (4000, 2, 3) and samples.dtype == minitorch.float64
    array = samples.numpy()
    assert (array.sum(-1) == 10).all() and (array[..., 1, 1] == 0).all()
    np.testing.assert_allclose(array.mean(0), 10 * probs, atol=0.1)
    np.testing.assert_allclose(array.var(0), 10 * probs * (1 - probs), rtol=0.1, atol=0.02)
    minitorch.manual_seed(0)
    np.testing.assert_array_equal(multinomial.sample((4000,)).numpy(), array)


def test_multinomial_zero_probability_categories_count_zero():
    probs = [[0.0, 0.4, 0.6]]
    ours = D.Multinomial(3, minitorch.tensor(probs))
    theirs = T.Multinomial(3, torch.tensor(probs))
    value = [[0.0, 1.0, 2.0]]
    assert_close(ours.log_prob(minitorch.tensor(value)),
                 theirs.log_prob(torch.tensor(value)), "float32")
    assert_close(ours.entropy(), theirs.entropy(), "float32")


def test_multinomial_refuses_bad_arguments():
    probs = minitorch.tensor([0.2, 0.8])
    with pytest.raises(NotImplementedError, match="Multinomial: total_count must be an "
                                                  "int.*inhomogeneous"):
        D.Multinomial(minitorch.tensor([2.0]), probs)
    with pytest.raises(ValueError, match="Multinomial: total_count must be non-negative"):
        D.Multinomial(-1, probs)
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        D.Multinomial(2)
    with pytest.raises(ValueError, match="parameter probs .*Simplex"):
        D.Multinomial(2, minitorch.tensor([0.2, -0.1]))
    with pytest.raises(ValueError, match="Multinomial.log_prob: .*support"):
        D.Multinomial(2, probs).log_prob(minitorch.tensor([2.0, 1.0]))
    with pytest.raises(ValueError, match="Multinomial.log_prob: the right-most size"):
        D.Multinomial(2, probs).log_prob(minitorch.tensor([1.0, 0.0, 1.0]))


# ---- NegativeBinomial -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_negative_binomial_matches_torch(backend, keyword, dtype):
    parameter = (_simplex((2, 3), dtype, 1) if keyword == "probs"
                 else normal((2, 3), dtype, 1))
    counts, tcounts = pair(positive((2, 1), dtype, 2) + 0.5, dtype)
    leaf, tleaf = pair(parameter, dtype)
    ours = D.NegativeBinomial(counts, **{keyword: leaf})
    theirs = T.NegativeBinomial(tcounts, **{keyword: tleaf})
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3)
    values = np.array([[0, 3], [1, 0], [7, 2]], dtype=dtype)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.mean, theirs.mean), (ours.variance, theirs.variance)]
    check_backward(results, [leaf, counts], [tleaf, tcounts], dtype)
    assert_close(ours.mode, theirs.mode, dtype)
    assert_close(ours.expand((4, 2, 3)).log_prob(value),
                 theirs.expand((4, 2, 3)).log_prob(tvalue), dtype)


def test_negative_binomial_sampling_statistics_and_edge_cases():
    minitorch.manual_seed(1)
    counts, probs = minitorch.tensor([2.0, 0.5, 6.0]), minitorch.tensor([0.3, 0.6, 0.8])
    negative_binomial = D.NegativeBinomial(counts, probs)
    samples = negative_binomial.sample((20000,)).numpy()
    assert samples.shape == (20000, 3) and (samples % 1 == 0).all()
    np.testing.assert_allclose(samples.mean(0), negative_binomial.mean.numpy(), rtol=0.05)
    np.testing.assert_allclose(samples.var(0), negative_binomial.variance.numpy(), rtol=0.1)
    # no failures needed and no successes: probability 1, as torch gives
    zero = D.NegativeBinomial(minitorch.tensor([0.0]), minitorch.tensor([0.5]))
    tzero = T.NegativeBinomial(torch.tensor([0.0]), torch.tensor([0.5]))
    assert_close(zero.log_prob(minitorch.tensor([0.0])), tzero.log_prob(torch.tensor([0.0])),
                 "float32")


def test_negative_binomial_refuses_bad_arguments():
    with pytest.raises(ValueError, match="parameter probs .*HalfOpenInterval"):
        D.NegativeBinomial(2.0, minitorch.tensor([1.0]))
    with pytest.raises(ValueError, match="parameter total_count .*GreaterThanEq"):
        D.NegativeBinomial(minitorch.tensor([-1.0]), minitorch.tensor([0.5]))
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        D.NegativeBinomial(2.0, probs=minitorch.tensor([0.5]), logits=minitorch.tensor([0.]))
    with pytest.raises(ValueError, match="NegativeBinomial.log_prob: .*support"):
        D.NegativeBinomial(2.0, minitorch.tensor([0.5])).log_prob(minitorch.tensor([1.5]))


# ---- LowRankMultivariateNormal --------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [(), (2,)])
def test_lowrank_multivariate_normal_matches_torch(backend, batch, dtype):
    arrays = [normal(batch + (4,), dtype, 1), normal((4, 2), dtype, 2),
              positive(batch + (4,), dtype, 3)]
    ours, theirs, leaves, tleaves = both("LowRankMultivariateNormal", arrays, dtype)
    assert ours.batch_shape == tuple(theirs.batch_shape) == batch
    assert ours.event_shape == (4,)
    values = normal((4, 3), dtype, 4)  # read transposed: 3 vectors, one per batch row
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    assert not value.is_contiguous()
    if batch:
        value, tvalue = value.unsqueeze(-2), tvalue.unsqueeze(-2)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()), (ours.variance, theirs.variance),
               (ours.covariance_matrix, theirs.covariance_matrix),
               (ours.precision_matrix, theirs.precision_matrix),
               (ours.scale_tril, theirs.scale_tril)]
    check_backward(results, leaves, tleaves, dtype)
    expanded = ours.expand((3,) + batch)
    assert_close(expanded.log_prob(value), theirs.expand((3,) + batch).log_prob(tvalue),
                 dtype)


def test_lowrank_multivariate_normal_rsample():
    minitorch.manual_seed(2)
    loc = minitorch.tensor([1.0, -1.0, 0.5], dtype=minitorch.float64, requires_grad=True)
    factor = minitorch.tensor([[1.0], [0.5], [-1.0]], dtype=minitorch.float64,
                              requires_grad=True)
    diagonal = minitorch.tensor([0.5, 1.0, 0.2], dtype=minitorch.float64,
                                requires_grad=True)
    distribution = D.LowRankMultivariateNormal(loc, factor, diagonal)
    samples = distribution.rsample((20000,))
    assert samples.shape == (20000, 3)
    array = samples.detach().numpy()
    np.testing.assert_allclose(array.mean(0), loc.detach().numpy(), atol=0.03)
    np.testing.assert_allclose(np.cov(array.T),
                               distribution.covariance_matrix.detach().numpy(), atol=0.05)
    # d mean(x) / d loc = 1; d mean(x_i^2) / d diag_i = 1 (the variance it adds)
    samples.pow(2).mean(0).sum().backward()
    np.testing.assert_allclose(diagonal.grad.numpy(), np.ones(3), atol=0.05)
    np.testing.assert_allclose(loc.grad.numpy(), 2 * loc.detach().numpy(), atol=0.06)


def test_lowrank_kl_divergences_match_torch():
    p_arrays = [normal((4,), "float64", 1), normal((4, 2), "float64", 2),
                positive((4,), "float64", 3)]
    q_arrays = [normal((4,), "float64", 4), normal((4, 1), "float64", 5),
                positive((4,), "float64", 6)]
    p, tp, p_leaves, tp_leaves = both("LowRankMultivariateNormal", p_arrays, "float64")
    q, tq, q_leaves, tq_leaves = both("LowRankMultivariateNormal", q_arrays, "float64")
    covariance = q.covariance_matrix.detach().numpy()
    m, tm = (D.MultivariateNormal(q_leaves[0], covariance_matrix=minitorch.tensor(covariance)),
             T.MultivariateNormal(tq_leaves[0], covariance_matrix=torch.tensor(covariance)))
    results = [(D.kl_divergence(p, q), T.kl_divergence(tp, tq)),
               (D.kl_divergence(p, m), T.kl_divergence(tp, tm)),
               (D.kl_divergence(m, p), T.kl_divergence(tm, tp))]
    check_backward(results, p_leaves + q_leaves, tp_leaves + tq_leaves, "float64")


def test_lowrank_multivariate_normal_refuses_bad_arguments():
    loc, factor, diagonal = minitorch.zeros(3), minitorch.ones(3, 1), minitorch.ones(3)
    with pytest.raises(ValueError, match=r"LowRankMultivariateNormal: cov_factor must be "
                                         r"\(..., 3, rank\)"):
        D.LowRankMultivariateNormal(loc, minitorch.ones(2, 1), diagonal)
    with pytest.raises(ValueError, match="LowRankMultivariateNormal: cov_factor must be a "
                                         "floating-point tensor of at least 2"):
        D.LowRankMultivariateNormal(loc, minitorch.ones(3), diagonal)
    with pytest.raises(TypeError, match="LowRankMultivariateNormal: .* one dtype"):
        D.LowRankMultivariateNormal(loc, factor, minitorch.ones(3, dtype=minitorch.float64))
    with pytest.raises(ValueError, match="parameter cov_diag .*GreaterThan"):
        D.LowRankMultivariateNormal(loc, factor, -diagonal)
    with pytest.raises(ValueError, match="LowRankMultivariateNormal.log_prob: the right-most"):
        D.LowRankMultivariateNormal(loc, factor, diagonal).log_prob(minitorch.zeros(2))


# ---- VonMises -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_von_mises_matches_torch(backend, dtype):
    arrays = [normal((3,), dtype, 1) * 2, positive((2, 1), dtype, 2) * 3]
    ours, theirs, leaves, tleaves = both("VonMises", arrays, dtype)
    values = normal((3, 2), dtype, 3) * 3
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    # torch evaluates log I0 by a polynomial fit good to about 1e-7: compare with it at
    # that tolerance, and values and gradients with the exact Bessel functions (torch's
    # i0e, i1e) at the dtype's
    loc, concentration = tleaves
    exact_log_prob = (concentration * torch.cos(tvalue - loc) - math.log(2 * math.pi)
                      - torch.special.i0e(concentration).log() - concentration)
    exact_variance = 1 - torch.special.i1e(concentration) / torch.special.i0e(concentration)
    check_backward([(ours.log_prob(value), exact_log_prob),
                    (ours.variance, exact_variance.expand(2, 3))], leaves, tleaves, dtype)
    for mine, reference in [(ours.log_prob(value), theirs.log_prob(tvalue)),
                            (ours.variance, theirs.variance)]:
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(),
                                   rtol=1e-6, atol=1e-6)
    assert_close(ours.mean, theirs.mean, dtype)
    assert_close(ours.mode, theirs.mode, dtype)
    assert_close(ours.expand((4, 2, 3)).log_prob(value),
                 exact_log_prob.expand(4, 2, 3), dtype)


def test_von_mises_sampling():
    minitorch.manual_seed(3)
    loc = minitorch.tensor([0.5, -3.0, 3.0], dtype=minitorch.float64)
    concentration = minitorch.tensor([0.2, 4.0, 50.0], dtype=minitorch.float64)
    distribution = D.VonMises(loc, concentration)
    assert not distribution.has_rsample
    samples = distribution.sample((20000,))
    assert samples.shape == (20000, 3) and samples.dtype == minitorch.float64
    array = samples.numpy()
    assert (np.abs(array) <= math.pi).all()
    resultant = np.exp(1j * array).mean(0)
    np.testing.assert_allclose(np.angle(resultant[1:]), loc.numpy()[1:], atol=0.03)
    np.testing.assert_allclose(1 - np.abs(resultant), distribution.variance.numpy(),
                               atol=0.02)
    with pytest.raises(NotImplementedError, match="VonMises: rsample"):
        distribution.rsample()


def test_von_mises_refuses_bad_arguments():
    with pytest.raises(ValueError, match="parameter concentration .*GreaterThan"):
        D.VonMises(0.0, minitorch.tensor([0.0]))
    with pytest.raises(TypeError, match="VonMises: parameters must be floating-point"):
        D.VonMises(minitorch.tensor([1]), 1.0)


# ---- families built on others: FisherSnedecor, InverseGamma, Kumaraswamy, -------------
# ---- GeneralizedPareto, LogisticNormal, ContinuousBernoulli ---------------------------

def _family_case(name, dtype):
    """Parameters (batch (2, 3) after broadcasting), values in the support read
    transposed, and the methods torch has for the family."""
    positive_values = positive((3, 2), dtype, 4)
    if name == "FisherSnedecor":
        return ((positive((3,), dtype, 1) * 3, positive((2, 1), dtype, 2) * 5),
                positive_values, ["log_prob", "mean", "mode", "variance"])
    if name == "InverseGamma":
        return ((positive((3,), dtype, 1) * 3, positive((2, 1), dtype, 2)), positive_values,
                ["log_prob", "mean", "mode", "variance", "entropy"])
    if name == "Kumaraswamy":  # concentrations above 1: a finite mode
        unit_values = np.linspace(0.05, 0.95, 6, dtype=dtype).reshape(3, 2)
        return ((positive((3,), dtype, 1) + 1, positive((2, 1), dtype, 2) + 1), unit_values,
                ["log_prob", "mean", "mode", "variance", "entropy", "cdf", "icdf"])
    if name == "GeneralizedPareto":  # concentrations > 0, < 0 and the exponential's 0
        concentration = np.array([0.3, -0.2, 0.0], dtype=dtype)
        return ((normal((3,), dtype, 1), positive((2, 1), dtype, 2), concentration),
                np.full((3, 2), 0.25, dtype=dtype) + np.abs(normal((3, 1), dtype, 5)),
                ["log_prob", "mean", "mode", "variance", "entropy", "cdf", "icdf"])
    if name == "ContinuousBernoulli":  # both sides of 1/2 and its Taylor region
        probs = np.array([[0.1, 0.4995, 0.7], [0.95, 0.3, 0.5005]], dtype=dtype)
        return ((probs,), np.linspace(0.0, 1.0, 6, dtype=dtype).reshape(3, 2),
                ["log_prob", "mean", "variance", "entropy", "cdf", "icdf"])
    raise AssertionError(name)


def _torch_reference(name, theirs, method, argument):
    """torch's result; torch's GeneralizedPareto compares a float64 concentration with a
    float32 zero and fails, so that one is evaluated with it cast and back."""
    if name == "GeneralizedPareto" and argument is not None and \
            theirs.loc.dtype == torch.float64 and method in ("log_prob", "cdf"):
        single = T.GeneralizedPareto(theirs.loc.float(), theirs.scale.float(),
                                     theirs.concentration.float())
        safe = torch.where(theirs.concentration.abs() <= 1e-8, 1.0, theirs.concentration)
        z = (argument - theirs.loc) / theirs.scale
        assert single is not None  # the float32 instance works: only the dtype differs
        if method == "log_prob":
            nonzero = (1 / safe + 1) * torch.log1p(safe * z)
            return -theirs.scale.log() - torch.where(safe == theirs.concentration, nonzero, z)
        survival = torch.where(safe == theirs.concentration,
                               -torch.log1p(safe * z) / safe, -z)
        return torch.exp(torch.log1p(-torch.exp(survival)))
    result = getattr(theirs, method)
    return result(argument) if argument is not None else result() \
        if method == "entropy" else result


FAMILIES = ["FisherSnedecor", "InverseGamma", "Kumaraswamy", "GeneralizedPareto",
            "ContinuousBernoulli"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FAMILIES)
def test_families_match_torch(backend, name, dtype):
    parameters, values, methods = _family_case(name, dtype)
    ours, theirs, leaves, tleaves = both(name, parameters, dtype)
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    assert not value.is_contiguous()
    probabilities = np.array([[0.05, 0.5, 0.7], [0.2, 0.9, 0.95]], dtype=dtype)
    results = []
    for method in methods:
        argument = {"log_prob": (value, tvalue), "cdf": (value, tvalue),
                    "icdf": (minitorch.tensor(probabilities), torch.tensor(probabilities))
                    }.get(method)
        if argument is None:
            mine = getattr(ours, method)() if method == "entropy" else getattr(ours, method)
            reference = _torch_reference(name, theirs, method, None)
        else:
            mine = getattr(ours, method)(argument[0])
            reference = _torch_reference(name, theirs, method, argument[1])
        results.append((mine, reference))
    check_backward(results, leaves, tleaves, dtype)
    assert ours.has_rsample == theirs.has_rsample or name in ("FisherSnedecor",
                                                               "InverseGamma")
    expanded = ours.expand((4, 2, 3))
    assert expanded.batch_shape == (4, 2, 3)
    assert_close(expanded.log_prob(value),
                 _torch_reference(name, theirs, "log_prob", tvalue).expand(4, 2, 3), dtype)


@pytest.mark.parametrize("name", FAMILIES)
def test_family_sampling_statistics(name):
    minitorch.manual_seed(4)
    parameters = {"FisherSnedecor": (minitorch.tensor([4.0, 9.0]),
                                     minitorch.tensor([12.0, 20.0])),
                  "InverseGamma": (minitorch.tensor([5.0, 8.0]), minitorch.tensor([2.0, 1.0])),
                  "Kumaraswamy": (minitorch.tensor([2.0, 0.5]), minitorch.tensor([3.0, 1.5])),
                  "GeneralizedPareto": (minitorch.tensor([0.5, -1.0]),
                                        minitorch.tensor([1.0, 2.0]),
                                        minitorch.tensor([0.1, -0.3])),
                  "ContinuousBernoulli": (minitorch.tensor([0.2, 0.8]),)}[name]
    distribution = getattr(D, name)(*[p.to(dtype=minitorch.float64) for p in parameters])
    samples = distribution.sample((40000,))
    assert samples.shape == (40000, 2) and samples.dtype == minitorch.float64
    array = samples.numpy()
    assert bool(distribution.support.check(samples).all().item())
    np.testing.assert_allclose(array.mean(0), distribution.mean.numpy(), rtol=0.03)
    np.testing.assert_allclose(array.var(0), distribution.variance.numpy(), rtol=0.12)
    minitorch.manual_seed(4)
    np.testing.assert_array_equal(distribution.sample((40000,)).numpy(), array)


@pytest.mark.parametrize("name", ["Kumaraswamy", "GeneralizedPareto", "ContinuousBernoulli"])
def test_family_rsample_gradients_match_the_icdf(name):
    # rsample is a map of a uniform draw u (icdf(u); Kumaraswamy's transforms): with the
    # same u the sample and its gradients are torch's map of u
    parameters, _, _ = _family_case(name, "float64")
    ours, theirs, leaves, tleaves = both(name, parameters, "float64")
    assert ours.has_rsample and theirs.has_rsample
    minitorch.manual_seed(5)
    sample = ours.rsample((3,))
    minitorch.manual_seed(5)
    uniform = torch.tensor(minitorch.rand((3, 2, 3), dtype=minitorch.float64).numpy())
    if name == "Kumaraswamy":
        for transform in theirs.transforms:
            uniform = transform(uniform)
        expected = uniform
    else:
        expected = theirs.icdf(uniform)
    check_backward([(sample, expected)], leaves, tleaves, "float64")


def test_samples_without_reparameterization_refuse_rsample():
    for distribution in [D.FisherSnedecor(3.0, 4.0), D.InverseGamma(2.0, 1.0),
                         D.VonMises(0.0, 1.0)]:
        assert not distribution.has_rsample
        with pytest.raises(NotImplementedError, match="rsample"):
            distribution.rsample()


@pytest.mark.parametrize("dtype", DTYPES)
def test_logistic_normal_matches_torch(backend, dtype):
    ours, theirs, leaves, tleaves = both("LogisticNormal",
                                         [normal((2, 3), dtype, 1), positive((3,), dtype, 2)],
                                         dtype)
    assert ours.batch_shape == (2,) and ours.event_shape == tuple(theirs.event_shape) == (4,)
    values = _simplex((2, 4), dtype, 3)
    value, tvalue = minitorch.tensor(values.T.copy()).T, torch.tensor(values)
    assert not value.is_contiguous()
    check_backward([(ours.log_prob(value), theirs.log_prob(tvalue))], leaves, tleaves, dtype)
    minitorch.manual_seed(6)
    loc = minitorch.tensor(normal((2, 3), dtype, 1), requires_grad=True)
    sample = D.LogisticNormal(loc, minitorch.tensor(positive((3,), dtype, 2))).rsample((5,))
    assert sample.shape == (5, 2, 4)
    assert bool(ours.support.check(sample).all().item())
    sample.sum().backward()  # sums to 1 whatever the parameters: no gradient
    assert_close(loc.grad, torch.zeros(2, 3, dtype=getattr(torch, dtype)), dtype)
    scalar, tscalar = D.LogisticNormal(0.0, 1.0), T.LogisticNormal(0.0, 1.0)
    assert scalar.batch_shape == () and scalar.event_shape == tuple(tscalar.event_shape)
    assert_close(ours.expand((3, 2)).log_prob(value), theirs.expand((3, 2)).log_prob(tvalue),
                 dtype)


def test_one_hot_categorical_straight_through():
    probs, tprobs = pair(_simplex((2, 3), "float64", 1), "float64")
    ours = D.OneHotCategoricalStraightThrough(probs)
    theirs = T.OneHotCategoricalStraightThrough(tprobs)
    assert ours.has_rsample and isinstance(ours, D.OneHotCategorical)
    assert repr(ours).startswith("OneHotCategoricalStraightThrough(")
    minitorch.manual_seed(7)
    sample = ours.rsample((4,))
    assert bool(ours.support.check(sample).all().item())
    weights = normal((4, 2, 3), "float64", 2)
    (sample * minitorch.tensor(weights)).sum().backward()
    # the gradient passes straight through to the probabilities
    tsample = theirs.rsample((4,))
    (tsample * torch.tensor(weights)).sum().backward()
    assert_close(probs.grad, tprobs.grad, "float64")


def test_families_refuse_bad_arguments():
    with pytest.raises(ValueError, match="parameter df2 .*GreaterThan"):
        D.FisherSnedecor(1.0, minitorch.tensor([0.0]))
    with pytest.raises(ValueError, match="parameter rate .*GreaterThan"):
        D.InverseGamma(1.0, minitorch.tensor([-1.0]))
    with pytest.raises(ValueError, match="parameter concentration0 .*GreaterThan"):
        D.Kumaraswamy(1.0, minitorch.tensor([0.0]))
    with pytest.raises(ValueError, match="parameter scale .*GreaterThan"):
        D.GeneralizedPareto(0.0, minitorch.tensor([-1.0]), 0.5)
    with pytest.raises(ValueError, match="GeneralizedPareto.log_prob: .*support"):
        D.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(minitorch.tensor([2.5]))
    with pytest.raises(ValueError, match="parameter probs .*Interval"):
        D.ContinuousBernoulli(minitorch.tensor([1.5]))
    with pytest.raises(ValueError, match="ContinuousBernoulli.log_prob: .*support"):
        D.ContinuousBernoulli(minitorch.tensor([0.3])).log_prob(minitorch.tensor([1.5]))
    with pytest.raises(ValueError, match="LogisticNormal.log_prob: .*support"):
        D.LogisticNormal(minitorch.zeros(2), 1.0).log_prob(minitorch.tensor([0.5, 0.5, 0.5]))
    with pytest.raises(TypeError, match="Kumaraswamy: parameters must be floating-point"):
        D.Kumaraswamy(minitorch.tensor([1]), 1.0)


# ---- ExponentialFamily ----------------------------------------------------------------

EXPONENTIAL_FAMILIES = {"Normal": 2, "Exponential": 1, "Gamma": 2, "Bernoulli": 1,
                        "ContinuousBernoulli": 1}


@pytest.mark.parametrize("name", list(EXPONENTIAL_FAMILIES))
def test_exponential_family_entropy_and_bregman_kl_match_torch(name):
    count = EXPONENTIAL_FAMILIES[name]
    arrays = ([_simplex((3, 2), "float64", 1)[:, 0]] if "Bernoulli" in name else
              [positive((3,), "float64", seed) for seed in range(1, count + 1)])
    if name == "Normal":
        arrays[0] = normal((3,), "float64", 1)
    other_arrays = [np.clip(array * 0.7, 0.01, 0.99) if "Bernoulli" in name else array * 1.4
                    for array in arrays]
    ours, theirs, leaves, tleaves = both(name, arrays, "float64")
    other, tother, other_leaves, tother_leaves = both(name, other_arrays, "float64")
    assert isinstance(ours, D.ExponentialFamily)
    from minitorch.distributions.kl import _kl_exponential_family
    check_backward([(D.ExponentialFamily.entropy(ours), T.ExponentialFamily.entropy(theirs)),
                    (_kl_exponential_family(ours, other), T.kl_divergence(theirs, tother)),
                    (D.kl_divergence(ours, other), T.kl_divergence(theirs, tother))],
                   other_leaves, tother_leaves, "float64")
    assert_close(D.ExponentialFamily.entropy(ours), theirs.entropy(), "float64")


def test_exponential_family_bregman_kl_of_other_families():
    for name, arrays in [("Poisson", [positive((3,), "float64", 1)]),
                         ("Dirichlet", [positive((2, 3), "float64", 1)]),
                         ("Beta", [positive((3,), "float64", seed) for seed in (1, 2)])]:
        ours, theirs, _, _ = both(name, arrays, "float64")
        other, tother, _, _ = both(name, [array * 1.5 for array in arrays], "float64")
        from minitorch.distributions.kl import _kl_exponential_family
        assert_close(_kl_exponential_family(ours, other), T.kl_divergence(theirs, tother),
                     "float64")
    with pytest.raises(NotImplementedError, match="Poisson: _mean_carrier_measure"):
        D.ExponentialFamily.entropy(D.Poisson(1.0))
    from minitorch.distributions.kl import _kl_exponential_family
    with pytest.raises(NotImplementedError, match="Bregman divergence needs p and q of one"):
        _kl_exponential_family(D.Exponential(1.0), D.Normal(0.0, 1.0))


def test_continuous_bernoulli_kl_divergences_match_torch():
    probs = np.array([0.2, 0.4999, 0.9], dtype="float64")
    p, tp, p_leaves, tp_leaves = both("ContinuousBernoulli", [probs], "float64")
    q, tq, q_leaves, tq_leaves = both("ContinuousBernoulli", [probs[::-1].copy()], "float64")
    others = [("Exponential", [positive((3,), "float64", 1)]),
              ("Normal", [normal((3,), "float64", 2), positive((3,), "float64", 3)]),
              ("Uniform", [np.array([-0.5, 0.1, -1.0]), np.array([1.5, 0.9, 2.0])])]
    results = [(D.kl_divergence(p, q), T.kl_divergence(tp, tq))]
    for name, arrays in others:
        other, tother, _, _ = both(name, arrays, "float64")
        results.append((D.kl_divergence(p, other), T.kl_divergence(tp, tother)))
    for name, arrays in [("Beta", [positive((3,), "float64", seed) for seed in (4, 5)]),
                         ("Uniform", [np.array([0.1, 0.0, 0.2]), np.array([0.9, 0.5, 1.0])])]:
        other, tother, _, _ = both(name, arrays, "float64")
        results.append((D.kl_divergence(other, q), T.kl_divergence(tother, tq)))
    check_backward(results, p_leaves + q_leaves, tp_leaves + tq_leaves, "float64")
    infinite = [(D.Exponential(1.0), p), (D.Normal(0.0, 1.0), p), (D.Gamma(2.0, 1.0), p),
                (p, D.Pareto(1.0, 2.0)), (D.Pareto(1.0, 2.0), p), (D.Laplace(0.0, 1.0), p),
                (D.Gumbel(0.0, 1.0), p)]
    for first, second in infinite:
        assert (D.kl_divergence(first, second).numpy() == np.inf).all()


# ---- LKJCholesky and Wishart ----------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_lkj_cholesky_matches_torch(backend, dtype):
    concentration, tconcentration = pair(np.array([0.5, 1.0, 3.0], dtype=dtype), dtype)
    ours, theirs = D.LKJCholesky(4, concentration), T.LKJCholesky(4, tconcentration)
    assert ours.batch_shape == (3,) and ours.event_shape == tuple(theirs.event_shape)
    torch.manual_seed(0)
    factors = theirs.sample((2,))
    value = minitorch.tensor(factors.mT.numpy()).mT  # a non-contiguous view
    assert not value.is_contiguous()
    check_backward([(ours.log_prob(value), theirs.log_prob(factors))], [concentration],
                   [tconcentration], dtype)
    assert_close(ours.expand((2, 3)).log_prob(value), theirs.expand((2, 3)).log_prob(factors),
                 dtype)


def test_lkj_cholesky_sampling_matches_torch_statistics():
    minitorch.manual_seed(8)
    torch.manual_seed(8)
    concentration = np.array([0.5, 2.0])
    ours = D.LKJCholesky(3, minitorch.tensor(concentration))
    theirs = T.LKJCholesky(3, torch.tensor(concentration))
    samples = ours.sample((20000,))
    assert samples.shape == (20000, 2, 3, 3) and not ours.has_rsample
    assert bool(ours.support.check(samples).all().item())
    correlations = (samples @ samples.mT).numpy()
    tsamples = theirs.sample((20000,))
    tcorrelations = (tsamples @ tsamples.mT).numpy()
    np.testing.assert_allclose(correlations.var(0), tcorrelations.var(0), atol=0.01)
    # every correlation of LKJ(eta) in 3 dims has variance 1 / (2 eta + 2)
    np.testing.assert_allclose(correlations[:, :, 1, 0].var(0), 1 / (2 * concentration + 2),
                               atol=0.01)


def test_lkj_cholesky_refuses_bad_arguments():
    with pytest.raises(ValueError, match="LKJCholesky: expected dim to be an integer greater"):
        D.LKJCholesky(1)
    with pytest.raises(ValueError, match="parameter concentration .*GreaterThan"):
        D.LKJCholesky(3, minitorch.tensor([-1.0]))
    with pytest.raises(ValueError, match="LKJCholesky.log_prob: .*support"):
        D.LKJCholesky(2).log_prob(minitorch.tensor([[1.0, 0.0], [0.5, 0.5]]))


def _positive_definite(batch, size, dtype, seed):
    factor = normal(batch + (size, size), dtype, seed)
    return factor @ np.swapaxes(factor, -1, -2) + np.eye(size, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_matches_torch(backend, keyword, dtype):
    matrix = _positive_definite((2,), 3, dtype, 1)
    if keyword == "scale_tril":
        matrix = np.linalg.cholesky(matrix)
    df, tdf = pair(np.array([4.0, 6.5], dtype=dtype), dtype)
    leaf, tleaf = pair(matrix, dtype)
    if keyword == "scale_tril":
        # the libraries' gradients differ off the constraint (the zero upper triangle
        # of the factor); through tril() both are 0 there
        ours = D.Wishart(df, scale_tril=leaf.tril())
        theirs = T.Wishart(tdf, scale_tril=tleaf.tril())
    else:
        ours = D.Wishart(df, **{keyword: leaf})
        theirs = T.Wishart(tdf, **{keyword: tleaf})
    assert ours.batch_shape == (2,) and ours.event_shape == (3, 3)
    values = _positive_definite((3, 1), 3, dtype, 2)
    value, tvalue = minitorch.tensor(values).mT, torch.tensor(values).mT
    assert not value.is_contiguous()
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()),
               (ours.mean, theirs.mean), (ours.variance, theirs.variance),
               (ours.covariance_matrix, theirs.covariance_matrix),
               (ours.precision_matrix, theirs.precision_matrix),
               (ours.scale_tril, theirs.scale_tril)]
    check_backward(results, [df, leaf], [tdf, tleaf], dtype)
    assert_close(ours.mode, theirs.mode, dtype)
    assert_close(ours.expand((3, 2)).log_prob(value), theirs.expand((3, 2)).log_prob(tvalue),
                 dtype)


def test_wishart_sampling_and_kl():
    minitorch.manual_seed(9)
    covariance = _positive_definite((), 3, "float64", 3)
    wishart = D.Wishart(5.0, covariance_matrix=minitorch.tensor(covariance))
    samples = wishart.sample((20000,))
    assert samples.shape == (20000, 3, 3) and not wishart.has_rsample
    assert bool(wishart.support.check(samples[:100]).all().item())
    array = samples.numpy()
    np.testing.assert_allclose(array.mean(0), wishart.mean.numpy(), rtol=0.05, atol=0.1)
    np.testing.assert_allclose(array.var(0), wishart.variance.numpy(), rtol=0.15)
    # kl_divergence is torch's Bregman divergence of the exponential family
    other = D.Wishart(6.0, covariance_matrix=minitorch.tensor(2 * covariance))
    theirs = T.kl_divergence(T.Wishart(5.0, covariance_matrix=torch.tensor(covariance)),
                             T.Wishart(6.0, covariance_matrix=torch.tensor(2 * covariance)))
    assert_close(D.kl_divergence(wishart, other), theirs, "float64")


def test_wishart_refuses_bad_arguments():
    covariance = minitorch.eye(3)
    with pytest.raises(ValueError, match="Wishart: exactly one of covariance_matrix"):
        D.Wishart(4.0)
    with pytest.raises(ValueError, match="Wishart: df must be greater than p - 1 = 2"):
        D.Wishart(2.0, covariance_matrix=covariance)
    with pytest.raises(ValueError, match=r"Wishart: scale_tril must be a floating-point "
                                         r"\(batch of\) square matrices, got \(3, 2\)"):
        D.Wishart(4.0, scale_tril=minitorch.ones(3, 2))
    with pytest.raises(TypeError, match="Wishart: df .* must have one dtype"):
        D.Wishart(minitorch.tensor([4.0], dtype=minitorch.float64),
                  covariance_matrix=covariance)
    with pytest.raises(ValueError, match="parameter covariance_matrix .*PositiveDefinite"):
        D.Wishart(4.0, covariance_matrix=-covariance)
    with pytest.warns(UserWarning, match="singular samples are likely"):
        D.Wishart(2.5, covariance_matrix=covariance)
    with pytest.raises(ValueError, match="Wishart.log_prob: .*support"):
        D.Wishart(4.0, covariance_matrix=covariance).log_prob(-covariance)
