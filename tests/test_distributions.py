"""minitorch.distributions against torch.distributions: densities, moments, cdf/icdf,
entropy and kl_divergence (values and gradients w.r.t. the parameters), shapes, sampling
statistics and reproducibility, reparameterized gradients, argument validation."""
import math

import numpy as np
import pytest
import torch
import torch.distributions as T
from distribution_helpers import DTYPES, pair, positive
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
import minitorch.distributions as D



# name -> (parameters as arrays, the values log_prob/cdf take, icdf's probabilities)
# parameters broadcast: one of shape (3,), one of shape (2, 1); batch (2, 3)
def _continuous_case(name, dtype):
    loc, scale = normal((3,), dtype, 1), positive((2, 1), dtype, 2)
    # values of shape (3, 2) transposed: a non-contiguous (2, 3) view
    real_values = normal((3, 2), dtype, 3)
    positive_values = positive((3, 2), dtype, 4)
    if name == "Uniform":
        low = normal((3,), dtype, 1) - 2
        high = np.array([[2.5], [3.0]], dtype=dtype)
        return (low, high), (positive_values - 1).clip(-1.5, 2.4)
    if name == "Exponential":
        return (positive((2, 3), dtype, 5),), positive_values
    if name == "LogNormal":
        return (loc, scale), positive_values
    return (loc, scale), real_values


CONTINUOUS = ["Normal", "Laplace", "LogNormal", "Exponential", "Uniform"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CONTINUOUS)
def test_continuous_match_torch(backend, name, dtype):
    parameters, values = _continuous_case(name, dtype)
    pairs = [pair(p, dtype) for p in parameters]
    ours = getattr(D, name)(*[p[0] for p in pairs])
    theirs = getattr(T, name)(*[p[1] for p in pairs])
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    assert not value.is_contiguous()
    probabilities = np.array([[0.05, 0.5, 0.7], [0.2, 0.9, 0.99]], dtype=dtype)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.cdf(value), theirs.cdf(tvalue)),
               (ours.icdf(minitorch.tensor(probabilities)),
                theirs.icdf(torch.tensor(probabilities))),
               (ours.entropy(), theirs.entropy()), (ours.mean, theirs.mean),
               (ours.variance, theirs.variance), (ours.stddev, theirs.stddev)]
    if name != "Uniform":  # Uniform's mode is nan
        results.append((ours.mode, theirs.mode))
    check_backward(results, [p[0] for p in pairs], [p[1] for p in pairs], dtype)


def test_normal_icdf_in_the_tails():
    probabilities = np.array([1e-9, 1e-6, 1e-4, 0.3, 0.9999, 1 - 1e-6])
    ours = D.Normal(0.5, 2.0).icdf(minitorch.tensor(probabilities))
    expected = T.Normal(0.5, 2.0).icdf(torch.tensor(probabilities))
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-8)
    assert D.Normal(0.0, 1.0).icdf(minitorch.tensor([0.0, 1.0])).tolist() == [-math.inf,
                                                                              math.inf]


def _discrete(name, given, dtype):
    array = np.asarray(given, dtype=dtype)
    ours_leaf, theirs_leaf = pair(array, dtype)
    family, keyword = name.split("-")
    return (getattr(D, family)(**{keyword: ours_leaf}),
            getattr(T, family)(**{keyword: theirs_leaf}), ours_leaf, theirs_leaf)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_bernoulli_matches_torch(backend, keyword, dtype):
    given = [[0.2, 0.5, 0.9]] * 2 if keyword == "probs" else normal((2, 3), dtype, 1)
    ours, theirs, leaf, tleaf = _discrete("Bernoulli-" + keyword, given, dtype)
    values = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=dtype)
    value, tvalue = minitorch.tensor(values).T, torch.tensor(values).T
    np.testing.assert_array_equal(ours.mode.numpy(), theirs.mode.numpy())
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()), (ours.mean, theirs.mean),
               (ours.variance, theirs.variance), (ours.probs, theirs.probs),
               (ours.logits, theirs.logits)]
    check_backward(results, [leaf], [tleaf], dtype)
    assert ours.enumerate_support().numpy().tolist() == theirs.enumerate_support().tolist()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["Categorical-probs", "Categorical-logits",
                                  "OneHotCategorical-probs", "OneHotCategorical-logits"])
def test_categorical_matches_torch(backend, name, dtype):
    given = positive((2, 4), dtype, 1) if name.endswith("probs") else normal((2, 4), dtype, 1)
    ours, theirs, leaf, tleaf = _discrete(name, given, dtype)
    assert (ours.batch_shape, ours.event_shape) == (theirs.batch_shape, theirs.event_shape)
    indices = np.array([[3, 0], [1, 2], [0, 0]])   # (3, 2): broadcasts with batch (2,)
    if name.startswith("OneHot"):
        value = minitorch.tensor(np.eye(4, dtype=dtype)[indices])
        tvalue = torch.tensor(np.eye(4, dtype=dtype)[indices])
        results = [(ours.mean, theirs.mean), (ours.variance, theirs.variance)]
        np.testing.assert_array_equal(ours.mode.numpy(), theirs.mode.numpy())
    else:
        value, tvalue = minitorch.tensor(indices), torch.tensor(indices)
        results = []
        assert ours.mode.numpy().tolist() == theirs.mode.tolist()
    results += [(ours.log_prob(value), theirs.log_prob(tvalue)),
                (ours.entropy(), theirs.entropy()), (ours.probs, theirs.probs),
                (ours.logits, theirs.logits)]
    check_backward(results, [leaf], [tleaf], dtype)
    np.testing.assert_array_equal(ours.enumerate_support().numpy(),
                                  theirs.enumerate_support().numpy())


def test_categorical_zero_probability_entropy_and_kl():
    p = D.Categorical(probs=minitorch.tensor([0.0, 0.25, 0.75]))
    tp = T.Categorical(probs=torch.tensor([0.0, 0.25, 0.75]))
    assert_close(p.entropy(), tp.entropy(), "float32")
    logits = [-math.inf, 0.5, 1.0]   # a category of probability exactly 0 adds 0, not nan
    assert_close(D.Categorical(logits=minitorch.tensor(logits)).entropy(),
                 T.Categorical(logits=torch.tensor(logits)).entropy(), "float32")
    q = D.Categorical(probs=minitorch.tensor([0.5, 0.0, 0.5]))
    assert D.kl_divergence(p, q).item() == math.inf
    assert D.kl_divergence(q, D.Categorical(probs=minitorch.tensor([0.5, 0.5, 0.0]))).item() \
        == math.inf


# ---- kl_divergence --------------------------------------------------------------------

def _family(name, seed, dtype):
    """A distribution of the family in both libraries, batch (2, 3), with its leaves."""
    if name in ("Bernoulli", "Categorical", "OneHotCategorical"):
        shape = (2, 3) if name == "Bernoulli" else (2, 3, 4)
        ours, theirs, leaf, tleaf = _discrete(name + "-logits", normal(shape, dtype, seed),
                                              dtype)
        return ours, theirs, [leaf], [tleaf]
    if name == "Exponential":
        parameters = (positive((2, 3), dtype, seed),)
    elif name == "Uniform":
        low = normal((2, 3), dtype, seed) - 3
        parameters = (low, low + 3 + positive((2, 3), dtype, seed + 1))
    else:
        parameters = (normal((2, 3), dtype, seed), positive((2, 3), dtype, seed + 1))
    pairs = [pair(p, dtype) for p in parameters]
    return (getattr(D, name)(*[p[0] for p in pairs]), getattr(T, name)(*[p[1] for p in pairs]),
            [p[0] for p in pairs], [p[1] for p in pairs])


KL_PAIRS = [("Bernoulli", "Bernoulli"), ("Categorical", "Categorical"),
            ("OneHotCategorical", "OneHotCategorical"), ("Exponential", "Exponential"),
            ("Laplace", "Laplace"), ("Normal", "Normal"), ("LogNormal", "LogNormal"),
            ("Uniform", "Uniform"), ("Exponential", "Normal"), ("Laplace", "Normal"),
            ("Normal", "Laplace"), ("Uniform", "Normal"), ("Uniform", "Exponential"),
            ("Exponential", "Uniform"), ("Normal", "Uniform"), ("Laplace", "Exponential"),
            ("Normal", "Exponential"), ("Laplace", "Uniform")]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("names", KL_PAIRS, ids="-".join)
def test_kl_divergence_matches_torch(backend, names, dtype):
    p, tp, leaves, tleaves = _family(names[0], 1, dtype)
    q, tq, q_leaves, tq_leaves = _family(names[1], 5, dtype)
    result, expected = D.kl_divergence(p, q), T.kl_divergence(tp, tq)
    if names == ("Uniform", "Uniform"):   # some of q's intervals miss part of p's
        assert np.isinf(expected.detach().numpy()).any()
    if np.isinf(expected.detach().numpy()).all():
        assert_close(result, expected, dtype)
        return
    finite = minitorch.tensor(np.isfinite(expected.detach().numpy()))
    check_backward([(minitorch.where(finite, result, 0.0),
                     torch.where(torch.tensor(finite.numpy()), expected, 0.0))],
                   leaves + q_leaves, tleaves + tq_leaves, dtype)


def test_kl_of_independent_sums_the_reinterpreted_dims():
    p, tp, _, _ = _family("Normal", 1, "float64")
    q, tq, _, _ = _family("Normal", 5, "float64")
    result = D.kl_divergence(D.Independent(p, 1), D.Independent(q, 1))
    assert_close(result, T.kl_divergence(T.Independent(tp, 1), T.Independent(tq, 1)), "float64")
    with pytest.raises(NotImplementedError, match="reinterpreted_batch_ndims"):
        D.kl_divergence(D.Independent(p, 1), D.Independent(q, 2))


def test_register_kl_picks_the_most_specific_pair():
    class Wide(D.Normal):
        pass

    p, q = Wide(0.0, 1.0), Wide(1.0, 2.0)
    assert D.kl_divergence(p, q).item() == pytest.approx(
        T.kl_divergence(T.Normal(0.0, 1.0), T.Normal(1.0, 2.0)).item())
    D.register_kl(Wide, Wide)(lambda p, q: minitorch.tensor(-1.0))
    assert D.kl_divergence(p, q).item() == -1.0
    assert D.kl_divergence(p, D.Normal(1.0, 2.0)).item() > 0   # (Normal, Normal) still
    with pytest.raises(NotImplementedError, match="kl_divergence: .*Bernoulli.*Normal"):
        D.kl_divergence(D.Bernoulli(0.3), D.Normal(0.0, 1.0))


# ---- shapes, sampling ------------------------------------------------------------------

def _all_distributions():
    loc, scale = minitorch.zeros(2, 3), minitorch.ones(3)
    probs = minitorch.full((2, 3, 4), 0.25)
    return [(D.Normal(loc, scale), T.Normal(torch.zeros(2, 3), torch.ones(3))),
            (D.Laplace(loc, scale), T.Laplace(torch.zeros(2, 3), torch.ones(3))),
            (D.LogNormal(loc, scale), T.LogNormal(torch.zeros(2, 3), torch.ones(3))),
            (D.Exponential(scale), T.Exponential(torch.ones(3))),
            (D.Uniform(loc, 1.0), T.Uniform(torch.zeros(2, 3), 1.0)),
            (D.Bernoulli(probs=loc + 0.5), T.Bernoulli(probs=torch.zeros(2, 3) + 0.5)),
            (D.Categorical(probs), T.Categorical(torch.full((2, 3, 4), 0.25))),
            (D.OneHotCategorical(probs), T.OneHotCategorical(torch.full((2, 3, 4), 0.25))),
            (D.Independent(D.Normal(loc, scale), 1),
             T.Independent(T.Normal(torch.zeros(2, 3), torch.ones(3)), 1))]


@pytest.mark.parametrize("index", range(9))
def test_shapes_match_torch(index):
    ours, theirs = _all_distributions()[index]
    assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape),
                                                    tuple(theirs.event_shape))
    for sample_shape in [(), (5,), (4, 1)]:
        sample = ours.sample(sample_shape)
        expected = theirs.sample(torch.Size(sample_shape))
        assert sample.shape == tuple(expected.shape)
        assert sample.dtype.name == str(expected.dtype).replace("torch.", "")
        assert ours.log_prob(sample).shape == tuple(theirs.log_prob(expected).shape)
    assert ours.has_rsample == theirs.has_rsample
    if ours.has_rsample:
        assert ours.rsample((2,)).shape == tuple(theirs.rsample((2,)).shape)
    assert ours.entropy().shape == tuple(theirs.entropy().shape)
    batch_shape = (5,) + ours.batch_shape
    expanded, texpanded = ours.expand(batch_shape), theirs.expand(torch.Size(batch_shape))
    assert (expanded.batch_shape, expanded.event_shape) == (tuple(texpanded.batch_shape),
                                                            tuple(texpanded.event_shape))
    assert expanded.sample((7,)).shape == tuple(texpanded.sample((7,)).shape)
    assert repr(ours.support) == repr(theirs.support) or isinstance(ours, D.Uniform)


def test_expand_keeps_gradients_to_the_parameters():
    loc = minitorch.tensor([0.5, -1.0], requires_grad=True)
    expanded = D.Normal(loc, 2.0).expand((3, 2))
    expanded.log_prob(minitorch.zeros(3, 2)).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), 3 * -np.array([0.5, -1.0]) / 4, rtol=1e-6)


# (distribution, analytic mean, analytic variance) per sample element
STATISTICS = [
    (lambda: D.Normal(minitorch.tensor([1.0, -2.0]), minitorch.tensor([0.5, 3.0])),
     [1.0, -2.0], [0.25, 9.0]),
    (lambda: D.Laplace(minitorch.tensor([1.0, -2.0]), 2.0), [1.0, -2.0], [8.0, 8.0]),
    (lambda: D.LogNormal(0.0, minitorch.tensor([0.25, 0.5])),
     [math.exp(0.25 ** 2 / 2), math.exp(0.125)],
     [(math.exp(0.0625) - 1) * math.exp(0.0625), (math.exp(0.25) - 1) * math.exp(0.25)]),
    (lambda: D.Exponential(minitorch.tensor([0.5, 4.0])), [2.0, 0.25], [4.0, 1 / 16]),
    (lambda: D.Uniform(minitorch.tensor([-1.0, 2.0]), 3.0), [1.0, 2.5], [16 / 12, 1 / 12]),
    (lambda: D.Bernoulli(minitorch.tensor([0.2, 0.7])), [0.2, 0.7], [0.16, 0.21]),
    (lambda: D.OneHotCategorical(minitorch.tensor([0.2, 0.3, 0.5])), [0.2, 0.3, 0.5],
     [0.16, 0.21, 0.25]),
]


@pytest.mark.parametrize("case", range(len(STATISTICS)))
def test_sample_statistics(case):
    make, mean, variance = STATISTICS[case]
    minitorch.manual_seed(case)
    draws = make().sample((40000,)).to(dtype=minitorch.float64).numpy()
    # the sample mean is within 5 standard errors; the sample variance within 5%
    standard_error = np.sqrt(np.array(variance) / len(draws))
    assert np.all(np.abs(draws.mean(0) - mean) < 5 * standard_error)
    np.testing.assert_allclose(draws.var(0), variance, rtol=0.05)


def test_categorical_sample_frequencies():
    minitorch.manual_seed(3)
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])
    draws = D.Categorical(minitorch.tensor(probs)).sample((20000,)).numpy()
    frequencies = np.stack([(draws == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(frequencies, probs, atol=0.015)


@pytest.mark.parametrize("index", range(9))
def test_sampling_is_reproducible_under_a_seed(index):
    ours = _all_distributions()[index][0]
    minitorch.manual_seed(11)
    first = ours.sample((3,)).numpy()
    minitorch.manual_seed(11)
    np.testing.assert_array_equal(ours.sample((3,)).numpy(), first)
    assert not np.array_equal(ours.sample((3,)).numpy(), first) or \
        isinstance(ours, (D.Bernoulli, D.Categorical, D.OneHotCategorical))


def test_rsample_gradients_are_the_analytic_ones():
    loc = minitorch.tensor([0.5, -1.0], requires_grad=True)
    scale = minitorch.tensor([2.0, 0.5], requires_grad=True)
    z = D.Normal(loc, scale).rsample((1000,))
    (z * z).sum().backward()   # d/dloc = sum 2z, d/dscale = sum 2z * eps
    eps = (z.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(loc.grad.numpy(), (2 * z.detach()).sum(0).numpy(), rtol=1e-5)
    np.testing.assert_allclose(scale.grad.numpy(), (2 * z.detach() * eps).sum(0).numpy(),
                               rtol=1e-5)
    rate = minitorch.tensor([0.5, 3.0], requires_grad=True)
    z = D.Exponential(rate).rsample((1000,))
    z.sum().backward()   # z = -log(1 - u) / rate: dz/drate = -z / rate
    np.testing.assert_allclose(rate.grad.numpy(),
                               (-z.detach() / rate.detach()).sum(0).numpy(), rtol=1e-5)
    low = minitorch.tensor(-1.0, requires_grad=True)
    high = minitorch.tensor(3.0, requires_grad=True)
    z = D.Uniform(low, high).rsample((1000,))
    z.sum().backward()   # z = low + u (high - low): dz/dlow = 1 - u, dz/dhigh = u
    u = ((z.detach() + 1) / 4).numpy()
    assert low.grad.item() == pytest.approx((1 - u).sum(), rel=1e-4)
    assert high.grad.item() == pytest.approx(u.sum(), rel=1e-4)


def test_sample_is_outside_the_graph_and_discrete_have_no_rsample():
    loc = minitorch.zeros(2, requires_grad=True)
    assert not D.Normal(loc, 1.0).sample().requires_grad
    assert D.Normal(loc, 1.0).rsample().requires_grad
    with pytest.raises(NotImplementedError, match="Bernoulli: rsample"):
        D.Bernoulli(0.5).rsample()


def test_reparameterized_vae_loss_trains():
    """A tiny VAE: the encoder's mean and log-scale of q(z|x), a reparameterized z, a
    Normal decoder and the KL to the prior; the negative ELBO must drop by half."""
    minitorch.manual_seed(0)
    data = minitorch.tensor(np.random.default_rng(0).standard_normal((64, 4)) * 0.3 + 1.0)
    data = data.to(dtype=minitorch.float32)
    encoder, decoder = minitorch.nn.Linear(4, 4), minitorch.nn.Linear(2, 4)
    optimizer = minitorch.optim.Adam(list(encoder.parameters()) +
                                     list(decoder.parameters()), lr=0.05)
    prior = D.Normal(0.0, 1.0)

    def negative_elbo():
        loc, log_scale = encoder(data).chunk(2, dim=-1)
        posterior = D.Independent(D.Normal(loc, log_scale.exp()), 1)
        z = posterior.rsample()
        likelihood = D.Independent(D.Normal(decoder(z), 0.3), 1)
        kl = D.kl_divergence(posterior, D.Independent(prior.expand(loc.shape), 1))
        return (kl - likelihood.log_prob(data)).mean()

    first = negative_elbo().item()
    for _ in range(150):
        optimizer.zero_grad()
        loss = negative_elbo()
        loss.backward()
        optimizer.step()
    assert loss.item() < first / 2


# ---- misc API, reprs, validation -------------------------------------------------------

def test_reprs_and_constraints_match_torch():
    assert repr(D.Normal(0.0, 1.0)) == repr(T.Normal(0.0, 1.0))
    assert repr(D.Bernoulli(0.3)) == repr(T.Bernoulli(0.3))
    assert repr(D.Independent(D.Normal(0.0, minitorch.ones(2)), 1)) == \
        "Independent(Normal(loc: (2,), scale: (2,)), 1)"
    for ours, theirs in [(D.Normal, T.Normal), (D.Categorical, T.Categorical),
                         (D.Bernoulli, T.Bernoulli)]:
        assert {k: repr(v) for k, v in ours.arg_constraints.items()} == \
            {k: repr(v) for k, v in theirs.arg_constraints.items()}


def test_dtype_and_scalar_parameters():
    d = D.Normal(minitorch.zeros(3, dtype=minitorch.float64), 1.0)
    assert d.scale.dtype == minitorch.float64 and d.sample().dtype == minitorch.float64
    assert D.Normal(0.0, 1.0).batch_shape == () and D.Normal(0.0, 1.0).sample().shape == ()


def test_validation_can_be_turned_off():
    d = D.Normal(0.0, -1.0, validate_args=False)
    assert math.isnan(d.log_prob(minitorch.tensor(0.0)).item())
    assert D.Bernoulli(0.3, validate_args=False).log_prob(minitorch.tensor(0.5)).shape == ()


@pytest.mark.parametrize("make, error, match", [
    (lambda: D.Normal(minitorch.zeros(2), -minitorch.ones(2)), ValueError,
     r"Expected parameter scale \(Tensor of shape \(2,\)\) of distribution Normal.*"
     r"GreaterThan\(lower_bound=0.0\)"),
    (lambda: D.Uniform(1.0, 0.0), ValueError, "Expected parameter low .* Uniform"),
    (lambda: D.Exponential(0.0), ValueError, "parameter rate"),
    (lambda: D.LogNormal(0.0, -2.0), ValueError, "parameter scale .* LogNormal"),
    (lambda: D.Bernoulli(1.5), ValueError, "parameter probs .* Interval"),
    (lambda: D.Bernoulli(0.3, logits=0.1), ValueError, "Bernoulli: either `probs` or"),
    (lambda: D.Categorical(), ValueError, "Categorical: either `probs` or"),
    (lambda: D.Categorical(minitorch.tensor(0.5)), ValueError,
     "Categorical: `probs` must be .* at least one dimension"),
    (lambda: D.Categorical(minitorch.tensor([1, 2])), ValueError,
     "`probs` must be a floating-point tensor.*int64"),
    (lambda: D.Categorical(minitorch.tensor([-0.5, 2.0])), ValueError, "Simplex"),
    (lambda: D.Normal(minitorch.tensor([1, 2]), 1.0), TypeError,
     "Normal: parameters must be floating-point .* int64"),
    (lambda: D.Normal("0", 1.0), TypeError, "Normal: parameters must be .* got str"),
    (lambda: D.Independent(D.Normal(minitorch.zeros(2), 1.0), 2), ValueError,
     "Independent: expected 0 <= reinterpreted_batch_ndims .* actual 2 vs 1"),
    (lambda: D.Independent(minitorch.zeros(2), 0), TypeError,
     "Independent: base_distribution must be a Distribution"),
    (lambda: D.Normal(0.0, 1.0).sample(5), TypeError,
     "Normal: sample_shape must be a tuple of non-negative ints, got 5"),
    (lambda: D.Normal(0.0, 1.0).expand(3), TypeError, "Normal.expand: batch_shape"),
    (lambda: D.Normal(minitorch.zeros(2), 1.0).log_prob(minitorch.zeros(3)), ValueError,
     r"Normal.log_prob: value is not broadcastable with batch_shape\+event_shape: "
     r"\(3,\) vs \(2,\)"),
    (lambda: D.Normal(0.0, 1.0).log_prob(0.5), ValueError,
     "Normal.log_prob: the value argument must be a Tensor, got float"),
    (lambda: D.Bernoulli(0.3).log_prob(minitorch.tensor(0.5)), ValueError,
     r"Bernoulli.log_prob: expected value argument .* within the support \(Boolean\(\)\)"),
    (lambda: D.Exponential(1.0).cdf(minitorch.tensor(-1.0)), ValueError,
     r"Exponential.cdf: .* support \(GreaterThanEq"),
    (lambda: D.Categorical(minitorch.ones(3)).log_prob(minitorch.tensor(3)), ValueError,
     r"IntegerInterval\(lower_bound=0, upper_bound=2\)"),
    (lambda: D.OneHotCategorical(minitorch.ones(3)).log_prob(minitorch.zeros(2)),
     ValueError, r"right-most size of value must match event_shape: \(2,\) vs \(3,\)"),
    (lambda: D.OneHotCategorical(minitorch.ones(3)).log_prob(minitorch.ones(3)),
     ValueError, r"OneHot\(\)"),
    (lambda: D.Uniform(0.0, 1.0).log_prob(minitorch.tensor(2.0)), ValueError,
     "Uniform.log_prob: .* support"),
    (lambda: D.Bernoulli(0.5).cdf(minitorch.tensor(1.0)), NotImplementedError,
     "Bernoulli: cdf is not implemented"),
    (lambda: D.register_kl(D.Normal, "Normal"), TypeError, "register_kl: expected"),
])
def test_bad_inputs(make, error, match):
    with pytest.raises(error, match=match):
        make()
