"""The distributions built on lgamma against torch.distributions: Gamma, Chi2, Beta,
Dirichlet, Poisson, Binomial, StudentT, Weibull's moments, and the kl_divergence pairs
among them (values and gradients w.r.t. the parameters), sampling statistics and
reproducibility, bad inputs."""
import math

import numpy as np
import pytest
import torch
import torch.distributions as T
from distribution_helpers import DTYPES, pair, positive, both
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import nn_helpers

import minitorch
import minitorch.distributions as D



@pytest.fixture
def trigamma_tolerance(monkeypatch):
    """float64 tolerances for gradients through digamma: torch's trigamma (the
    derivative of its digamma) is accurate to about 1e-9 only, minitorch's to 1e-13."""
    monkeypatch.setitem(nn_helpers.TOLERANCE, "float64", dict(rtol=1e-8, atol=1e-10))


def transposed(values):
    """values (a (3, 2) array) as a non-contiguous (2, 3) view in minitorch and torch."""
    return minitorch.tensor(values).T, torch.tensor(values).T


# name -> parameters broadcasting to batch (2, 3), a (3, 2) array of values, moments
def _case(name, dtype):
    counts = np.array([[0.0, 3.0], [1.0, 0.0], [5.0, 2.0]], dtype=dtype)
    if name == "Gamma":
        return ((positive((3,), dtype, 1) + 0.5, positive((2, 1), dtype, 2)),
                positive((3, 2), dtype, 4), ["mean", "mode", "variance", "stddev"])
    if name == "Chi2":
        return ((positive((2, 3), dtype, 1) * 3,), positive((3, 2), dtype, 4),
                ["mean", "mode", "variance"])
    if name == "Beta":
        return ((positive((3,), dtype, 1) + 1, positive((2, 1), dtype, 2) + 1),
                1 / (1 + positive((3, 2), dtype, 4)), ["mean", "mode", "variance"])
    if name == "Poisson":
        return (positive((2, 3), dtype, 1) * 2,), counts, ["mean", "mode", "variance"]
    if name == "StudentT":
        return ((positive((3,), dtype, 1) * 3, normal((2, 1), dtype, 2),
                 positive((3,), dtype, 3)), normal((3, 2), dtype, 4),
                ["mean", "mode", "variance"])
    raise AssertionError(name)


FAMILIES = ["Gamma", "Chi2", "Beta", "Poisson", "StudentT"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FAMILIES)
def test_family_matches_torch(backend, trigamma_tolerance, name, dtype):
    parameters, values, moments = _case(name, dtype)
    ours, theirs, leaves, tleaves = both(name, parameters, dtype)
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3)
    value, tvalue = transposed(values)
    assert not value.is_contiguous()
    results = [(ours.log_prob(value), theirs.log_prob(tvalue))]
    if name != "Poisson":   # torch has no Poisson entropy
        results.append((ours.entropy(), theirs.entropy()))
    results += [(getattr(ours, m), getattr(theirs, m)) for m in moments]
    check_backward(results, leaves, tleaves, dtype)
    assert repr(ours).split("(")[0] == repr(theirs).split("(")[0]
    expanded = ours.expand((5, 2, 3))
    assert_close(expanded.log_prob(value), theirs.expand((5, 2, 3)).log_prob(tvalue), dtype)
    assert expanded.sample().shape == (5, 2, 3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [(), (2,)])
def test_dirichlet_matches_torch(backend, trigamma_tolerance, batch, dtype):
    leaf, tleaf = pair(positive(batch + (3,), dtype, 1) + 0.5, dtype)
    ours, theirs = D.Dirichlet(leaf), T.Dirichlet(tleaf)
    assert (ours.batch_shape, ours.event_shape) == (batch, (3,))
    raw = positive((3,) + batch + (4,), dtype, 2)   # (4,) + batch + (3,) as a view
    raw = raw / raw.sum(0, keepdims=True)
    order = tuple(range(raw.ndim - 1, -1, -1))
    value, tvalue = minitorch.tensor(raw).permute(*order), torch.tensor(raw).permute(*order)
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()), (ours.mean, theirs.mean),
               (ours.mode, theirs.mode), (ours.variance, theirs.variance)]
    check_backward(results, [leaf], [tleaf], dtype)


def test_modes_below_one_follow_torch():
    concentration = [[0.5, 0.7, 0.9], [2.0, 0.5, 3.0]]
    assert_close(D.Dirichlet(minitorch.tensor(concentration)).mode,
                 T.Dirichlet(torch.tensor(concentration)).mode, "float32")
    assert_close(D.Beta(minitorch.tensor([0.5, 0.5, 2.0]), 0.5).mode,
                 T.Beta(torch.tensor([0.5, 0.5, 2.0]), 0.5).mode, "float32")
    variance = D.StudentT(minitorch.tensor([0.5, 1.5, 3.0])).variance
    expected = T.StudentT(torch.tensor([0.5, 1.5, 3.0])).variance
    np.testing.assert_array_equal(variance.numpy(), expected.numpy())
    mean = D.StudentT(minitorch.tensor([0.5, 3.0])).mean
    np.testing.assert_array_equal(mean.numpy(), T.StudentT(torch.tensor([0.5, 3.0])).mean)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keyword", ["probs", "logits"])
def test_binomial_matches_torch(backend, keyword, dtype):
    given = [[0.2, 0.5, 0.9]] * 2 if keyword == "probs" else normal((2, 3), dtype, 1)
    leaf, tleaf = pair(given, dtype)
    ours = D.Binomial(5, **{keyword: leaf})
    theirs = T.Binomial(5, **{keyword: tleaf})
    value, tvalue = transposed(np.array([[0.0, 3.0], [1.0, 5.0], [5.0, 2.0]], dtype=dtype))
    results = [(ours.log_prob(value), theirs.log_prob(tvalue)),
               (ours.entropy(), theirs.entropy()), (ours.mean, theirs.mean),
               (ours.variance, theirs.variance), (ours.mode, theirs.mode)]
    check_backward(results, [leaf], [tleaf], dtype)
    assert_close(ours.enumerate_support(), theirs.enumerate_support(), dtype)
    # broadcast total counts, given as an integer tensor
    counts = [[5], [7]]
    ours = D.Binomial(minitorch.tensor(counts), **{keyword: leaf.detach()})
    theirs = T.Binomial(torch.tensor(counts), **{keyword: tleaf.detach()})
    assert_close(ours.log_prob(value), theirs.log_prob(tvalue), dtype)
    assert_close(ours.mode, theirs.mode, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_weibull_moments_match_torch(backend, dtype):
    ours, theirs, leaves, tleaves = both(
        "Weibull", [positive((3,), dtype, 1), positive((2, 1), dtype, 2) + 0.5], dtype)
    check_backward([(ours.mean, theirs.mean), (ours.variance, theirs.variance),
                    (ours.stddev, theirs.stddev)], leaves, tleaves, dtype)


# ---- kl_divergence ------------------------------------------------------------------------

def _kl_case(name, dtype, seed):
    if name == "Dirichlet":
        return both(name, [positive((2, 3), dtype, seed) + 0.5], dtype)
    if name == "Binomial":
        return _binomial_case(dtype, seed)
    if name == "Poisson":
        return both(name, [positive((2,), dtype, seed)], dtype)
    if name == "Gumbel":
        return both(name, [normal((2,), dtype, seed), positive((2,), dtype, seed + 1)],
                    dtype)
    return both(name, [positive((2,), dtype, seed) + 0.5, positive((2,), dtype, seed + 1)],
                dtype)


def _binomial_case(dtype, seed):
    leaf, tleaf = pair(normal((2,), dtype, seed), dtype)
    return D.Binomial(4, logits=leaf), T.Binomial(4, logits=tleaf), [leaf], [tleaf]


KL_PAIRS = ["Gamma", "Chi2", "Beta", "Dirichlet", "Poisson", "Binomial", "Gumbel"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_matches_torch(backend, trigamma_tolerance, name, dtype):
    if name == "Chi2":
        p, tp, p_leaves, tp_leaves = both(name, [positive((2,), dtype, 1) * 3], dtype)
        q, tq, q_leaves, tq_leaves = both(name, [positive((2,), dtype, 3) * 3], dtype)
    else:
        p, tp, p_leaves, tp_leaves = _kl_case(name, dtype, 1)
        q, tq, q_leaves, tq_leaves = _kl_case(name, dtype, 3)
    check_backward([(D.kl_divergence(p, q), T.kl_divergence(tp, tq))],
                   p_leaves + q_leaves, tp_leaves + tq_leaves, dtype)


def test_binomial_kl_with_different_total_counts():
    probs = torch.tensor([0.3, 0.6])
    theirs = T.kl_divergence(T.Binomial(torch.tensor([5.0, 4.0]), probs),
                             T.Binomial(4, probs * 0.5))
    ours = D.kl_divergence(D.Binomial(minitorch.tensor([5.0, 4.0]), minitorch.tensor(
        [0.3, 0.6])), D.Binomial(4, minitorch.tensor([0.15, 0.3])))
    assert ours[0].item() == theirs[0].item() == math.inf
    np.testing.assert_allclose(ours[1].item(), theirs[1].item(), rtol=1e-5)
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        D.kl_divergence(D.Binomial(3, minitorch.tensor([0.5])),
                        D.Binomial(4, minitorch.tensor([0.5])))


# ---- sampling -----------------------------------------------------------------------------

SAMPLED = [(lambda: D.Gamma(2.5, 1.5), 2.5 / 1.5, 2.5 / 1.5 ** 2),
           (lambda: D.Gamma(0.3, 2.0), 0.15, 0.075),
           (lambda: D.Chi2(3.0), 3.0, 6.0),
           (lambda: D.Beta(2.0, 5.0), 2 / 7, 10 / (49 * 8)),
           (lambda: D.Poisson(3.5), 3.5, 3.5),
           (lambda: D.Binomial(10, minitorch.tensor(0.3)), 3.0, 2.1),
           (lambda: D.StudentT(5.0, 1.0, 2.0), 1.0, 4 * 5 / 3),
           (lambda: D.Dirichlet(minitorch.tensor([1.0, 2.0, 3.0])), [1 / 6, 2 / 6, 3 / 6],
            [5 / 252, 8 / 252, 9 / 252])]


@pytest.mark.parametrize("index", range(len(SAMPLED)))
def test_sample_statistics_and_reproducibility(index):
    make, mean, variance = SAMPLED[index]
    distribution = make()
    n = 40000
    minitorch.manual_seed(index)
    draws = distribution.sample((n,))
    minitorch.manual_seed(index)
    np.testing.assert_array_equal(distribution.sample((n,)).numpy(), draws.numpy())
    assert draws.shape == (n,) + distribution.batch_shape + distribution.event_shape
    assert bool(distribution.support.check(draws).all().item())
    values = draws.numpy().astype(np.float64)
    mean, variance = np.asarray(mean), np.asarray(variance)
    # within 4 standard errors: of the mean, and (roughly, from the fourth moment) of
    # the variance
    assert np.all(np.abs(values.mean(0) - mean) < 4 * np.sqrt(variance / n))
    fourth = ((values - mean) ** 4).mean(0)
    assert np.all(np.abs(values.var(0) - variance) < 4 * np.sqrt(fourth / n))


def test_samples_are_outside_the_graph():
    concentration = minitorch.tensor([2.0], requires_grad=True)
    assert not D.Gamma(concentration, 1.0).sample((3,)).requires_grad
    assert not D.Gamma(2.0, 1.0).has_rsample
    with pytest.raises(NotImplementedError, match="Gamma: rsample"):
        D.Gamma(concentration, 1.0).rsample()


# ---- bad inputs ---------------------------------------------------------------------------

BAD = [
    (lambda: D.Gamma(-1.0, 1.0), ValueError, "parameter concentration .* GreaterThan"),
    (lambda: D.Gamma(1.0, minitorch.tensor([1])), TypeError,
     "Gamma: parameters must be floating-point"),
    (lambda: D.Gamma(2.0, 1.0).log_prob(minitorch.tensor([-1.0])), ValueError,
     "Gamma.log_prob: expected value argument .* support"),
    (lambda: D.Chi2(0.0), ValueError, "parameter df .* GreaterThan"),
    (lambda: D.Beta(1.0, "a"), TypeError, "Beta: parameters must be"),
    (lambda: D.Beta(1.0, 2.0).log_prob(minitorch.tensor([1.5])), ValueError,
     "Beta.log_prob: expected value argument"),
    (lambda: D.Dirichlet(minitorch.tensor(1.0)), ValueError,
     "Dirichlet: concentration must be a floating-point tensor of at least one dimension"),
    (lambda: D.Dirichlet(minitorch.tensor([1.0, -1.0])), ValueError,
     "parameter concentration"),
    (lambda: D.Dirichlet(minitorch.ones(3)).log_prob(minitorch.tensor([0.5, 0.6, 0.1])),
     ValueError, "Dirichlet.log_prob: expected value argument .*Simplex"),
    (lambda: D.Dirichlet(minitorch.ones(3)).log_prob(minitorch.tensor([0.5, 0.5])),
     ValueError, "Dirichlet.log_prob: the right-most size of value must match"),
    (lambda: D.Poisson(-1.0), ValueError, "parameter rate .* GreaterThanEq"),
    (lambda: D.Poisson(1.0).log_prob(minitorch.tensor([0.5])), ValueError,
     "Poisson.log_prob: expected value argument"),
    (lambda: D.Binomial(2.5, minitorch.tensor([0.5])), ValueError,
     "parameter total_count"),
    (lambda: D.Binomial(3, minitorch.tensor([0.5]), logits=minitorch.tensor([0.0])),
     ValueError, "Binomial: either `probs` or `logits`"),
    (lambda: D.Binomial(minitorch.tensor([2.0, 3.0]), minitorch.tensor([0.5])).entropy(),
     NotImplementedError, "Binomial.entropy: an inhomogeneous total_count"),
    (lambda: D.StudentT(-1.0), ValueError, "parameter df"),
    (lambda: D.StudentT(1.0, scale=0.0), ValueError, "parameter scale"),
]


@pytest.mark.parametrize("make, error, match", BAD)
def test_bad_inputs(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_python_backend_small_case():
    with minitorch.use_backend("python"):
        value = [0.5, 2.0]
        assert_close(D.Gamma(2.0, 3.0).log_prob(minitorch.tensor(value)),
                     T.Gamma(2.0, 3.0).log_prob(torch.tensor(value)), "float32")
        assert_close(D.StudentT(3.0).log_prob(minitorch.tensor(value)),
                     T.StudentT(3.0).log_prob(torch.tensor(value)), "float32")
