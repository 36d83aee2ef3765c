"""The second batch of minitorch.distributions against torch.distributions: Cauchy,
HalfNormal, HalfCauchy, Gumbel, Weibull, Pareto, Geometric, MultivariateNormal, the
relaxed (Gumbel-softmax) distributions, MixtureSameFamily, transforms and
TransformedDistribution, and their kl_divergence registrations (values and gradients),
sampling statistics and reproducibility, reparameterized gradients, bad inputs."""
import math

import numpy as np
import pytest
import torch
import torch.distributions as T
from distribution_helpers import DTYPES, pair, positive, both
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
import minitorch.distributions as D
import minitorch.distributions.transforms as DT



# name -> parameters (one of shape (3,), one (2, 1): batch (2, 3)), values for
# log_prob/cdf as a (3, 2) array read transposed, and which moments torch has finite
def _univariate_case(name, dtype):
    real_values, positive_values = normal((3, 2), dtype, 3), positive((3, 2), dtype, 4)
    if name == "Cauchy":
        return (normal((3,), dtype, 1), positive((2, 1), dtype, 2)), real_values, ["mode"]
    if name == "Gumbel":
        return ((normal((3,), dtype, 1), positive((2, 1), dtype, 2)), real_values,
                ["mean", "mode", "variance", "stddev"])
    if name in ("HalfNormal", "HalfCauchy"):
        moments = ["mean", "variance", "mode"] if name == "HalfNormal" else ["mode"]
        return (positive((2, 3), dtype, 2),), positive_values, moments
    if name == "Weibull":
        return ((positive((3,), dtype, 1), positive((2, 1), dtype, 2) + 1), positive_values,
                ["mode"])
    if name == "Pareto":  # alpha > 2: finite mean and variance
        scale = positive((3,), dtype, 1) * 0.5
        return (scale, positive((2, 1), dtype, 2) + 2), positive_values + 1.5, \
            ["mean", "variance", "mode"]
    raise AssertionError(name)


UNIVARIATE = ["Cauchy", "Gumbel", "HalfNormal", "HalfCauchy", "Weibull", "Pareto"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNIVARIATE)
def test_univariate_match_torch(backend, name, dtype):
    parameters, values, moments = _univariate_case(name, dtype)
    ours, theirs, leaves, tleaves = both(name, parameters, dtype)
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    assert not value.is_contiguous()
    probabilities = np.array([[0.05, 0.5, 0.7], [0.2, 0.9, 0.95]], dtype=dtype)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.cdf(value), theirs.cdf(tvalue)),
               (ours.icdf(minitorch.tensor(probabilities)),
                theirs.icdf(torch.tensor(probabilities))),
               (ours.entropy(), theirs.entropy())]
    results += [(getattr(ours, m), getattr(theirs, m)) for m in moments]
    check_backward(results, leaves, tleaves, dtype)
    assert ours.has_rsample and ours.rsample((4,)).shape == (4, 2, 3)
    expanded = ours.expand((5, 2, 3))
    assert_close(expanded.log_prob(value), theirs.expand((5, 2, 3)).log_prob(tvalue), dtype)


def test_undefined_moments_match_torch():
    cauchy = D.Cauchy(0.0, minitorch.tensor([1.0, 2.0]))
    tcauchy = T.Cauchy(0.0, torch.tensor([1.0, 2.0]))
    half, thalf = D.HalfCauchy(minitorch.tensor([1.0])), T.HalfCauchy(torch.tensor([1.0]))
    for ours, theirs in [(cauchy.mean, tcauchy.mean), (cauchy.variance, tcauchy.variance),
                         (half.mean, thalf.mean), (half.variance, thalf.variance)]:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    # the folded distributions put no mass below 0
    assert D.HalfNormal(1.0, validate_args=False).log_prob(
        minitorch.tensor([-1.0])).item() == -math.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_geometric_matches_torch(backend, keyword, dtype):
    given = [[0.2, 0.5, 0.9]] * 2 if keyword == "probs" else normal((2, 3), dtype, 1)
    leaf, tleaf = pair(given, dtype)
    ours, theirs = D.Geometric(**{keyword: leaf}), T.Geometric(**{keyword: tleaf})
    values = np.array([[0.0, 3.0], [1.0, 0.0], [5.0, 2.0]], dtype=dtype)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()), (ours.mean, theirs.mean),
               (ours.variance, theirs.variance), (ours.mode, theirs.mode)]
    check_backward(results, [leaf], [tleaf], dtype)
    certain = D.Geometric(minitorch.tensor([1.0]))  # k = 0 has probability 1
    assert certain.log_prob(minitorch.tensor([0.0])).item() == 0.0


# ---- MultivariateNormal -------------------------------------------------------------------

def _covariance(batch, dtype, seed):
    """A leaf A and the positive-definite A A^T + I built from it (gradients reach A)."""
    a_ours, a_theirs = pair(normal(batch + (3, 3), dtype, seed), dtype)
    identity = np.eye(3, dtype=dtype)
    return (a_ours, a_theirs, a_ours @ a_ours.mT + minitorch.tensor(identity),
            a_theirs @ a_theirs.mT + torch.tensor(identity))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_multivariate_normal_matches_torch(backend, keyword, batch, dtype):
    a, ta, cov, tcov = _covariance(batch, dtype, 1)
    if keyword == "scale_tril":
        cov, tcov = minitorch.linalg.cholesky(cov), torch.linalg.cholesky(tcov)
    loc, tloc = pair(normal((3,), dtype, 2), dtype)   # broadcasts against the matrix batch
    ours = D.MultivariateNormal(loc, **{keyword: cov})
    theirs = T.MultivariateNormal(tloc, **{keyword: tcov})
    assert (ours.batch_shape, ours.event_shape) == (batch, (3,))
    values = normal((3,) + batch + (4,), dtype, 3)   # (4,) + batch + (3,) reversed: a view
    value = minitorch.tensor(values).permute(*range(values.ndim - 1, -1, -1))
    tvalue = torch.tensor(values).permute(*range(values.ndim - 1, -1, -1))
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()), (ours.mean, theirs.mean),
               (ours.variance, theirs.variance), (ours.covariance_matrix,
                                                  theirs.covariance_matrix),
               (ours.precision_matrix, theirs.precision_matrix),
               (ours.scale_tril, theirs.scale_tril)]
    check_backward(results, [a, loc], [ta, tloc], dtype)
    assert ours.rsample((5,)).shape == (5,) + batch + (3,)
    assert ours.expand((4,) + batch).log_prob(value).shape == (4,) + batch


def test_multivariate_normal_sampling_and_rsample_gradients():
    covariance = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    loc = minitorch.tensor([1.0, -1.0, 0.5], dtype=minitorch.float64, requires_grad=True)
    factor = minitorch.tensor(np.linalg.cholesky(covariance), requires_grad=True)
    distribution = D.MultivariateNormal(loc, scale_tril=factor)
    minitorch.manual_seed(0)
    draws = distribution.rsample((20000,))
    np.testing.assert_allclose(draws.detach().numpy().mean(0), loc.detach().numpy(),
                               atol=0.05)
    np.testing.assert_allclose(np.cov(draws.detach().numpy().T), covariance, atol=0.06)
    draws.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [20000.0] * 3)
    # x = loc + L eps: d sum(x) / dL[i, j] = sum of eps_j over the draws (for every
    # entry: as in torch, L is used as given, its upper triangle included)
    eps = np.linalg.solve(np.linalg.cholesky(covariance),
                          (draws.detach().numpy() - loc.detach().numpy()).T)
    np.testing.assert_allclose(factor.grad.numpy(), np.tile(eps.sum(1), (3, 1)),
                               atol=1e-8)
    minitorch.manual_seed(0)
    np.testing.assert_array_equal(distribution.sample((20000,)).numpy(),
                                  draws.detach().numpy())


# ---- relaxed distributions ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_relaxed_bernoulli_matches_torch(backend, keyword, dtype):
    given = [[0.2, 0.5, 0.9]] * 2 if keyword == "probs" else normal((2, 3), dtype, 1)
    leaf, tleaf = pair(given, dtype)
    temperature, ttemperature = pair(0.7, dtype)
    ours = D.RelaxedBernoulli(temperature, **{keyword: leaf})
    theirs = T.RelaxedBernoulli(ttemperature, **{keyword: tleaf})
    values = np.array([[0.1, 0.6], [0.95, 0.3], [0.5, 0.02]], dtype=dtype)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.probs, theirs.probs), (ours.logits, theirs.logits)]
    check_backward(results, [leaf, temperature], [tleaf, ttemperature], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_relaxed_one_hot_categorical_matches_torch(backend, keyword, dtype):
    given = positive((2, 4), dtype, 1) if keyword == "probs" else normal((2, 4), dtype, 1)
    leaf, tleaf = pair(given, dtype)
    temperature, ttemperature = pair(0.5, dtype)
    ours = D.RelaxedOneHotCategorical(temperature, **{keyword: leaf})
    theirs = T.RelaxedOneHotCategorical(ttemperature, **{keyword: tleaf})
    assert (ours.batch_shape, ours.event_shape) == ((2,), (4,))
    values = np.random.default_rng(3).dirichlet(np.ones(4), size=(3, 2)).astype(dtype)
    value, tvalue = minitorch.tensor(values), torch.tensor(values)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.probs, theirs.probs)]
    check_backward(results, [leaf, temperature], [tleaf, ttemperature], dtype)


def test_relaxed_samples_approach_the_discrete_ones():
    minitorch.manual_seed(1)
    probs = minitorch.tensor([0.2, 0.7], requires_grad=True)
    draws = D.RelaxedBernoulli(0.05, probs).rsample((20000,))
    np.testing.assert_allclose((draws.detach().numpy() > 0.5).mean(0), [0.2, 0.7], atol=0.02)
    draws.sum().backward()   # reparameterized: the draws depend on probs
    assert (probs.grad.numpy() > 0).all()
    logits = minitorch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    simplex_draws = D.RelaxedOneHotCategorical(0.05, logits=logits).rsample((20000,))
    np.testing.assert_allclose(simplex_draws.sum(-1).detach().numpy(), 1.0, rtol=1e-5)
    frequencies = np.bincount(simplex_draws.detach().numpy().argmax(-1), minlength=3) / 20000
    np.testing.assert_allclose(frequencies, np.exp([0, 1, 2]) / np.exp([0, 1, 2]).sum(),
                               atol=0.02)
    (simplex_draws[:, 2] * 1.0).sum().backward()
    assert logits.grad.numpy()[2] > 0


# ---- MixtureSameFamily --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("event", [False, True])
def test_mixture_same_family_matches_torch(backend, event, dtype):
    logits, tlogits = pair(normal((2, 3), dtype, 1), dtype)
    loc, tloc = pair(normal((2, 3) + ((2,) if event else ()), dtype, 2), dtype)
    scale, tscale = pair(positive((2, 3) + ((2,) if event else ()), dtype, 3), dtype)
    components = D.Normal(loc, scale)
    tcomponents = T.Normal(tloc, tscale)
    if event:
        components, tcomponents = D.Independent(components, 1), T.Independent(tcomponents, 1)
    ours = D.MixtureSameFamily(D.Categorical(logits=logits), components)
    theirs = T.MixtureSameFamily(T.Categorical(logits=tlogits), tcomponents)
    assert (ours.batch_shape, ours.event_shape) == (theirs.batch_shape, theirs.event_shape)
    values = normal((2, 4, 2) if event else (2, 4), dtype, 4)
    value = minitorch.tensor(values).transpose(0, 1)
    tvalue = torch.tensor(values).transpose(0, 1)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)), (ours.mean, theirs.mean),
               (ours.variance, theirs.variance)]
    if not event:
        results.append((ours.cdf(value), theirs.cdf(tvalue)))
    check_backward(results, [logits, loc, scale], [tlogits, tloc, tscale], dtype)
    assert repr(ours) == repr(theirs).replace("torch.Size(", "(").replace("])", ")") \
        .replace("([", "(")


def test_mixture_same_family_sample_statistics():
    mixture = D.MixtureSameFamily(D.Categorical(probs=minitorch.tensor([0.3, 0.7])),
                                  D.Normal(minitorch.tensor([-4.0, 4.0]),
                                           minitorch.tensor([0.5, 1.0])))
    minitorch.manual_seed(2)
    draws = mixture.sample((40000,)).numpy()
    assert abs((draws > 0).mean() - 0.7) < 0.01
    assert abs(draws.mean() - mixture.mean.item()) < 0.05
    assert abs(draws.var() - mixture.variance.item()) < 0.3
    minitorch.manual_seed(2)
    np.testing.assert_array_equal(mixture.sample((40000,)).numpy(), draws)


# ---- transforms and TransformedDistribution -----------------------------------------------

def _transform_pairs(dtype):
    loc, scale = normal((3,), dtype, 5), positive((3,), dtype, 6) * -1.0
    return [(DT.ExpTransform(), T.ExpTransform(), "real"),
            (DT.AffineTransform(minitorch.tensor(loc), minitorch.tensor(scale)),
             T.AffineTransform(torch.tensor(loc), torch.tensor(scale)), "real"),
            (DT.AffineTransform(1.5, -2.0, event_dim=1),
             T.AffineTransform(1.5, -2.0, event_dim=1), "real"),
            (DT.SigmoidTransform(), T.SigmoidTransform(), "real"),
            (DT.TanhTransform(), T.TanhTransform(), "real"),
            (DT.PowerTransform(minitorch.tensor(scale * -1.0)),
             T.PowerTransform(torch.tensor(scale * -1.0)), "positive"),
            (DT.ComposeTransform([DT.AffineTransform(0.5, 2.0), DT.ExpTransform().inv,
                                  DT.TanhTransform()]),
             T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.ExpTransform().inv,
                                 T.TanhTransform()]), "positive")]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index", range(7))
def test_transforms_match_torch(backend, index, dtype):
    ours, theirs, domain = _transform_pairs(dtype)[index]
    array = normal((3, 2), dtype, 7) * 0.8
    if domain == "positive":
        array = np.exp(array)
    x, tx = pair(array, dtype)
    x_view, tx_view = x.T, tx.T   # (2, 3), not contiguous
    y, ty = ours(x_view), theirs(tx_view)
    results = [(y, ty), (ours.inv(y), theirs.inv(ty)),
               (ours.log_abs_det_jacobian(x_view, y),
                theirs.log_abs_det_jacobian(tx_view, ty)),
               (ours.inv.log_abs_det_jacobian(y, x_view),
                theirs.inv.log_abs_det_jacobian(ty, tx_view))]
    check_backward(results, [x], [tx], dtype)
    assert ours.inv.inv is ours
    assert (ours.domain.event_dim, ours.codomain.event_dim) == \
        (theirs.domain.event_dim, theirs.codomain.event_dim)
    assert ours.bijective == theirs.bijective
    sign, tsign = ours.sign, theirs.sign   # a tensor for tensor scales and exponents
    if isinstance(tsign, torch.Tensor):
        assert_close(sign, tsign, dtype)
    else:
        assert sign == tsign


def test_softmax_and_abs_transforms_and_reprs():
    logits = normal((2, 4), "float64", 1)
    ours, theirs = DT.SoftmaxTransform(), T.SoftmaxTransform()
    assert_close(ours(minitorch.tensor(logits)), theirs(torch.tensor(logits)), "float64")
    probabilities = ours(minitorch.tensor(logits))
    assert_close(ours.inv(probabilities), theirs.inv(torch.tensor(probabilities.numpy())),
                 "float64")
    assert ours.codomain.event_dim == 1 and not ours.bijective
    with pytest.raises(NotImplementedError, match="SoftmaxTransform: log_abs_det_jacobian"):
        ours.log_abs_det_jacobian(minitorch.tensor(logits), probabilities)
    for mine, reference, _ in _transform_pairs("float64")[:6]:
        assert repr(mine) == repr(reference)
    assert repr(DT.ExpTransform().inv) == repr(T.ExpTransform().inv)


def test_transform_cache_returns_the_exact_preimage():
    transform = DT.SigmoidTransform(cache_size=1)
    x = minitorch.tensor([40.0])   # sigmoid rounds to 1 - eps: the inverse alone is not 40
    assert transform.inv(transform(x)) is x
    assert DT.SigmoidTransform().inv(DT.SigmoidTransform()(x)).item() != 40.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_transformed_distribution_matches_torch(backend, dtype):
    loc, tloc = pair(normal((2, 3), dtype, 1), dtype)
    scale, tscale = pair(positive((2, 3), dtype, 2), dtype)
    transforms = [DT.AffineTransform(0.5, -2.0), DT.ExpTransform()]
    ttransforms = [T.AffineTransform(0.5, -2.0), T.ExpTransform()]
    ours = D.TransformedDistribution(D.Normal(loc, scale), transforms)
    theirs = T.TransformedDistribution(T.Normal(tloc, tscale), ttransforms)
    values = positive((3, 2), dtype, 3)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    probabilities = np.array([[0.05, 0.5, 0.7], [0.2, 0.9, 0.95]], dtype=dtype)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.cdf(value), theirs.cdf(tvalue)),
               (ours.icdf(minitorch.tensor(probabilities)),
                theirs.icdf(torch.tensor(probabilities)))]
    check_backward(results, [loc, scale], [tloc, tscale], dtype)
    # transforms over events make the base's batch dims event dims, as in torch
    vectors = D.TransformedDistribution(D.Normal(loc, scale), DT.SoftmaxTransform().inv.inv)
    tvectors = T.TransformedDistribution(T.Normal(tloc, tscale), T.SoftmaxTransform())
    assert (vectors.batch_shape, vectors.event_shape) == ((2,), (3,))
    assert (tvectors.batch_shape, tvectors.event_shape) == ((2,), (3,))
    stick = D.TransformedDistribution(D.Normal(loc, scale), DT.AffineTransform(0.0, 2.0, 1))
    tstick = T.TransformedDistribution(T.Normal(tloc, tscale), T.AffineTransform(0.0, 2.0, 1))
    assert (stick.batch_shape, stick.event_shape) == (tuple(tstick.batch_shape),
                                                       tuple(tstick.event_shape))
    assert_close(stick.log_prob(value), tstick.log_prob(tvalue), dtype)


# ---- kl_divergence ------------------------------------------------------------------------

def _kl_case(name, dtype, seed):
    if name == "MultivariateNormal":
        a, ta, cov, tcov = _covariance((2,), dtype, seed)
        loc, tloc = pair(normal((3,), dtype, seed + 10), dtype)
        return (D.MultivariateNormal(loc, cov), T.MultivariateNormal(tloc, tcov),
                [a, loc], [ta, tloc])
    if name == "Geometric":
        ours, theirs, leaves, tleaves = both(name, [1 / (1 + positive((2,), dtype, seed))],
                                             dtype)
    elif name == "HalfNormal":
        ours, theirs, leaves, tleaves = both(name, [positive((2,), dtype, seed)], dtype)
    elif name == "Exponential":
        ours, theirs, leaves, tleaves = both(name, [positive((2,), dtype, seed)], dtype)
    elif name == "Uniform":
        low = normal((2,), dtype, seed)
        ours, theirs, leaves, tleaves = both(name, [low, low + 1.5], dtype)
    elif name == "Pareto":
        ours, theirs, leaves, tleaves = both(
            name, [positive((2,), dtype, seed), positive((2,), dtype, seed + 1) + 2], dtype)
    else:
        ours, theirs, leaves, tleaves = both(
            name, [normal((2,), dtype, seed), positive((2,), dtype, seed + 1)], dtype)
    return ours, theirs, leaves, tleaves


KL_PAIRS = ["MultivariateNormal-MultivariateNormal", "Cauchy-Cauchy", "Geometric-Geometric",
            "HalfNormal-HalfNormal", "Pareto-Pareto", "Exponential-Gumbel", "Normal-Gumbel",
            "Gumbel-Normal", "Uniform-Gumbel", "Pareto-Exponential", "Pareto-Normal"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("names", KL_PAIRS)
def test_kl_divergence_matches_torch(backend, names, dtype):
    first, second = names.split("-")
    p, tp, p_leaves, tp_leaves = _kl_case(first, dtype, 1)
    q, tq, q_leaves, tq_leaves = _kl_case(second, dtype, 3)
    if names == "Pareto-Pareto":   # finite only where p.scale >= q.scale
        p, tp, p_leaves, tp_leaves = _kl_case(first, dtype, 5)
    ours, theirs = D.kl_divergence(p, q), T.kl_divergence(tp, tq)
    finite = np.isfinite(theirs.detach().numpy())
    assert finite.any()
    np.testing.assert_array_equal(np.isfinite(ours.detach().numpy()), finite)
    if finite.all():
        check_backward([(ours, theirs)], p_leaves + q_leaves, tp_leaves + tq_leaves, dtype)
    else:
        assert_close(ours[minitorch.tensor(finite)], theirs[torch.tensor(finite)], dtype)


@pytest.mark.parametrize("names", ["Normal-Pareto", "Exponential-Pareto", "Gumbel-Uniform",
                                   "Laplace-Pareto", "Gumbel-Pareto"])
def test_kl_divergence_infinite_where_torch_is(names):
    first, second = names.split("-")
    p, tp, _, _ = _kl_case(first, "float64", 1)
    q, tq, _, _ = _kl_case(second, "float64", 3)
    expected = [math.inf] * 2
    assert D.kl_divergence(p, q).tolist() == T.kl_divergence(tp, tq).tolist() == expected


# ---- sampling -----------------------------------------------------------------------------

SAMPLED = [lambda: D.Gumbel(1.0, 2.0), lambda: D.HalfNormal(1.5), lambda: D.Pareto(1.0, 4.0),
           lambda: D.Geometric(minitorch.tensor(0.3)), lambda: D.Cauchy(1.0, 0.5),
           lambda: D.Weibull(2.0, 3.0)]


@pytest.mark.parametrize("index", range(len(SAMPLED)))
def test_sample_statistics_and_reproducibility(index):
    distribution = SAMPLED[index]()
    minitorch.manual_seed(index)
    draws = distribution.sample((40000,))
    minitorch.manual_seed(index)
    np.testing.assert_array_equal(distribution.sample((40000,)).numpy(), draws.numpy())
    # the empirical cdf at a few quantiles is the distribution's probability
    probabilities = minitorch.tensor([0.1, 0.5, 0.9])
    if isinstance(distribution, D.Geometric):
        quantiles = minitorch.tensor([0.0, 1.0, 6.0])
        expected = 1 - (1 - 0.3) ** (quantiles.numpy() + 1)
    else:
        quantiles, expected = distribution.icdf(probabilities), probabilities.numpy()
    empirical = (draws.numpy()[:, None] <= quantiles.numpy()).mean(0)
    np.testing.assert_allclose(empirical, expected, atol=0.01)


def test_rsample_gradients_are_the_analytic_ones():
    loc = minitorch.tensor([0.5, -1.0], requires_grad=True)
    scale = minitorch.tensor([2.0, 0.5], requires_grad=True)
    for family in (D.Gumbel, D.Cauchy):
        loc.grad = scale.grad = None
        draws = family(loc, scale).rsample((1000,))
        draws.sum().backward()   # x = loc + scale * noise: d/dscale = sum of the noise
        np.testing.assert_allclose(loc.grad.numpy(), [1000.0, 1000.0])
        noise = (draws.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
        np.testing.assert_allclose(scale.grad.numpy(), noise.sum(0), rtol=1e-4)
    half_scale = minitorch.tensor([2.0], requires_grad=True)
    draws = D.HalfNormal(half_scale).rsample((100,))
    draws.sum().backward()
    np.testing.assert_allclose(half_scale.grad.numpy(), draws.detach().numpy().sum() / 2.0,
                               rtol=1e-5)


# ---- bad inputs ---------------------------------------------------------------------------

EYE = minitorch.eye(2)

BAD = [
    (lambda: D.MultivariateNormal(minitorch.zeros(2)), ValueError,
     "MultivariateNormal: exactly one of covariance_matrix"),
    (lambda: D.MultivariateNormal(minitorch.zeros(2), EYE, scale_tril=EYE), ValueError,
     "exactly one of"),
    (lambda: D.MultivariateNormal(minitorch.zeros(3), EYE), ValueError,
     r"covariance_matrix must be a \(batch of\) square matrices of size 3"),
    (lambda: D.MultivariateNormal(minitorch.tensor(0.0), EYE), ValueError,
     "loc must be a floating-point tensor of at least one dimension"),
    (lambda: D.MultivariateNormal(minitorch.zeros(2), EYE.double()), TypeError,
     "must have one dtype"),
    (lambda: D.MultivariateNormal(minitorch.zeros(2), minitorch.tensor([[1.0, 2.0],
                                                                         [2.0, 1.0]])),
     ValueError, "covariance_matrix .* PositiveDefinite"),
    (lambda: D.MultivariateNormal(minitorch.zeros(2), scale_tril=minitorch.tensor(
        [[1.0, 1.0], [0.0, 1.0]])), ValueError, "scale_tril .* LowerCholesky"),
    (lambda: D.kl_divergence(D.MultivariateNormal(minitorch.zeros(2), EYE),
                             D.MultivariateNormal(minitorch.zeros(3), minitorch.eye(3))),
     ValueError, "MultivariateNormals of different event shapes"),
    (lambda: D.Geometric(minitorch.tensor([0.0, 0.5])), ValueError, "probs .* positive"),
    (lambda: D.Geometric(minitorch.tensor([0.5]), logits=minitorch.tensor([0.0])),
     ValueError, "Geometric: either `probs` or `logits`"),
    (lambda: D.Geometric(minitorch.tensor([0.5])).log_prob(minitorch.tensor([1.5])),
     ValueError, "Geometric.log_prob: expected value argument .* support"),
    (lambda: D.HalfNormal(1.0).log_prob(minitorch.tensor([-1.0])), ValueError,
     "HalfNormal.log_prob: expected value argument .* support"),
    (lambda: D.Pareto(2.0, 1.0).log_prob(minitorch.tensor([1.0])), ValueError,
     "Pareto.log_prob: expected value argument"),
    (lambda: D.Cauchy(0.0, -1.0), ValueError, "parameter scale .* GreaterThan"),
    (lambda: D.Gumbel(minitorch.tensor([1]), 1.0), TypeError,
     "Gumbel: parameters must be floating-point"),
    (lambda: D.RelaxedBernoulli("hot", probs=minitorch.tensor([0.5])), TypeError,
     "LogitRelaxedBernoulli: temperature must be"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=minitorch.zeros(3)),
                                 D.Normal(minitorch.zeros(2), 1.0)), ValueError,
     "MixtureSameFamily: mixture_distribution has 3 categories but component_distribution "
     "has 2"),
    (lambda: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(minitorch.zeros(2), 1.0)),
     ValueError, "mixture_distribution must be a Categorical"),
    (lambda: D.MixtureSameFamily(D.Categorical(logits=minitorch.zeros(2, 2)),
                                 D.Normal(minitorch.zeros(3, 2), 1.0)), ValueError,
     r"batch_shape \(2,\) does not match"),
    (lambda: DT.ExpTransform(cache_size=2), ValueError, "ExpTransform: cache_size must be"),
    (lambda: DT.AffineTransform(minitorch.tensor([1]), 1.0), TypeError,
     "AffineTransform: loc must be a floating-point"),
    (lambda: DT.AffineTransform(0.0, 1.0, event_dim=-1), ValueError,
     "AffineTransform: event_dim must be"),
    (lambda: DT.ComposeTransform([DT.ExpTransform(), "exp"]), TypeError,
     "ComposeTransform: parts must be Transforms"),
    (lambda: D.TransformedDistribution(D.Normal(0.0, 1.0), [lambda x: x]), ValueError,
     "TransformedDistribution: transforms must be"),
    (lambda: D.TransformedDistribution(D.Normal(0.0, 1.0), DT.SoftmaxTransform()),
     ValueError, "TransformedDistribution: base_distribution needs at least 1 dims"),
]


@pytest.mark.parametrize("make, error, match", BAD)
def test_bad_inputs(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_python_backend_small_case():
    with minitorch.use_backend("python"):
        covariance = [[2.0, 0.5], [0.5, 1.0]]
        ours = D.MultivariateNormal(minitorch.zeros(2), minitorch.tensor(covariance))
        theirs = T.MultivariateNormal(torch.zeros(2), torch.tensor(covariance))
        value = [[0.3, -1.2], [1.0, 0.4]]
        assert_close(ours.log_prob(minitorch.tensor(value)),
                     theirs.log_prob(torch.tensor(value)), "float32")
        assert_close(D.Gumbel(0.5, 2.0).cdf(minitorch.tensor([1.0])),
                     T.Gumbel(0.5, 2.0).cdf(torch.tensor([1.0])), "float32")
