"""The transforms added after the first batch (softplus, stick breaking, Cholesky and
correlation factors, cat/stack/reshape/independent, cumulative distribution) and the
biject_to / transform_to registries, against torch.distributions."""
import pytest
import torch
import torch.distributions as T
import torch.distributions.transforms as TT
from distribution_helpers import DTYPES, pair
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
import minitorch.distributions as D
import minitorch.distributions.constraints as C
import minitorch.distributions.transforms as DT


def _cases(library):
    """name -> (transform built from library's module, input shape)."""
    return {
        "Softplus": (library.SoftplusTransform(), (3, 4)),
        "StickBreaking": (library.StickBreakingTransform(), (3, 4)),
        "CorrCholesky": (library.CorrCholeskyTransform(), (2, 6)),
        "Cat": (library.CatTransform([library.ExpTransform(), library.SoftplusTransform(),
                                      library.TanhTransform()], 1, [1, 2, 1]), (3, 4)),
        "CatOfEvents": (library.CatTransform(
            [library.IndependentTransform(library.ExpTransform(), 1),
             library.IndependentTransform(library.SoftplusTransform(), 1)], -1, [2, 2]),
            (3, 4)),
        "Stack": (library.StackTransform([library.ExpTransform(),
                                          library.SoftplusTransform()], 1), (3, 2)),
        "Reshape": (library.ReshapeTransform((2, 3), (3, 2)), (4, 2, 3)),
        "Independent": (library.IndependentTransform(library.SoftplusTransform(), 2),
                        (4, 2, 3)),
    }


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(_cases(DT)))
def test_bijective_transforms_match_torch(backend, name, dtype):
    ours, shape = _cases(DT)[name]
    theirs, _ = _cases(TT)[name]
    array = normal(shape[::-1], dtype, 1).T  # non-contiguous: a transposed view
    x, tx = pair(array, dtype)
    x_view, tx_view = x.mT, tx.mT
    assert ours.bijective and theirs.bijective
    assert ours.domain.event_dim == theirs.domain.event_dim
    assert ours.codomain.event_dim == theirs.codomain.event_dim
    assert ours.forward_shape(shape) == tuple(theirs.forward_shape(shape))
    y, ty = ours(x_view.mT), theirs(tx_view.mT)
    assert ours.inverse_shape(y.shape) == shape
    assert bool(ours.codomain.check(y).all().item())
    results = [(y, ty), (ours.log_abs_det_jacobian(x_view.mT, y),
                         theirs.log_abs_det_jacobian(tx_view.mT, ty)),
               (ours.inv(y), theirs.inv(ty))]
    check_backward(results, [x], [tx], dtype)
    assert_close(ours.inv(y.detach()), torch.tensor(array), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky_transforms_match_torch(backend, dtype):
    x, tx = pair(normal((2, 3, 3), dtype, 2), dtype)
    for ours, theirs in [(DT.LowerCholeskyTransform(), TT.LowerCholeskyTransform()),
                         (DT.PositiveDefiniteTransform(), TT.PositiveDefiniteTransform())]:
        assert not ours.bijective and ours.codomain is not None
        y, ty = ours(x.mT), theirs(tx.mT)
        assert bool(ours.codomain.check(y).all().item())
        check_backward([(y, ty), (ours.inv(y), theirs.inv(ty))], [x], [tx], dtype)
        x.grad, tx.grad = None, None


def test_cumulative_distribution_transform_matches_torch():
    ours = DT.CumulativeDistributionTransform(D.Normal(0.5, 2.0))
    theirs = TT.CumulativeDistributionTransform(T.Normal(0.5, 2.0))
    x, tx = pair(normal((5,), "float32", 3), "float32")
    y, ty = ours(x), theirs(tx)
    assert ours.domain is C.real and ours.codomain is C.unit_interval and ours.sign == 1
    check_backward([(y, ty), (ours.log_abs_det_jacobian(x, y),
                              theirs.log_abs_det_jacobian(tx, ty))], [x], [tx], "float32")
    assert_close(ours.inv(y), tx, "float32")


def test_transforms_inside_transformed_distribution():
    # Dirichlet-like vectors from a stick-broken normal; a reshaped Independent Normal
    base, tbase = D.Normal(minitorch.zeros(3), 1.0), T.Normal(torch.zeros(3), 1.0)
    ours = D.TransformedDistribution(base, DT.StickBreakingTransform())
    theirs = T.TransformedDistribution(tbase, TT.StickBreakingTransform())
    assert ours.event_shape == tuple(theirs.event_shape) == (4,)
    value = [0.1, 0.2, 0.3, 0.4]
    assert_close(ours.log_prob(minitorch.tensor(value)), theirs.log_prob(torch.tensor(value)),
                 "float32")
    base, tbase = D.Normal(minitorch.zeros(2, 6), 1.0), T.Normal(torch.zeros(2, 6), 1.0)
    ours = D.TransformedDistribution(base, DT.ReshapeTransform((6,), (2, 3)))
    theirs = T.TransformedDistribution(tbase, TT.ReshapeTransform((6,), (2, 3)))
    assert ours.batch_shape == (2,) and ours.event_shape == (2, 3)
    value = normal((2, 2, 3), "float32", 4)
    assert_close(ours.log_prob(minitorch.tensor(value)), theirs.log_prob(torch.tensor(value)),
                 "float32")


def test_transforms_refuse_bad_arguments():
    with pytest.raises(ValueError, match="ReshapeTransform: in_shape .* different numbers"):
        DT.ReshapeTransform((2, 3), (4,))
    with pytest.raises(ValueError, match=r"ReshapeTransform: shape \(4, 3\) does not end"):
        DT.ReshapeTransform((2, 3), (6,)).forward_shape((4, 3))
    with pytest.raises(ValueError, match="CatTransform: 2 transforms but 1 lengths"):
        DT.CatTransform([DT.ExpTransform(), DT.ExpTransform()], 0, [2])
    with pytest.raises(TypeError, match="CatTransform: expected a non-empty sequence"):
        DT.CatTransform([])
    with pytest.raises(ValueError, match="CatTransform: expected 2 entries along dim 0"):
        DT.CatTransform([DT.ExpTransform(), DT.ExpTransform()])(minitorch.zeros(3))
    with pytest.raises(ValueError, match="StackTransform: dim 2 is out of range"):
        DT.StackTransform([DT.ExpTransform()], 2)(minitorch.zeros(1, 3))
    with pytest.raises(ValueError, match="CorrCholeskyTransform: a vector of 4 entries"):
        DT.CorrCholeskyTransform()(minitorch.zeros(4))
    with pytest.raises(ValueError, match="IndependentTransform: reinterpreted_batch_ndims"):
        DT.IndependentTransform(DT.ExpTransform(), -1)
    with pytest.raises(TypeError, match="IndependentTransform: base_transform must be"):
        DT.IndependentTransform(C.real, 1)


# ---- biject_to / transform_to -----------------------------------------------------------

def _constraints(library):
    """Constraints of library with the shape of the unconstrained values mapped onto them."""
    c = library.constraints
    return [(c.real, (3, 2)), (c.positive, (3, 2)), (c.nonnegative, (3, 2)),
            (c.greater_than(2.0), (3, 2)), (c.greater_than_eq(-1.0), (3, 2)),
            (c.less_than(1.5), (3, 2)), (c.unit_interval, (3, 2)),
            (c.interval(-1.0, 3.0), (3, 2)), (c.half_open_interval(0.0, 2.0), (3, 2)),
            (c.simplex, (3, 2)), (c.real_vector, (3, 2)),
            (c.independent(c.positive, 2), (3, 2)), (c.corr_cholesky, (2, 3)),
            (c.cat([c.positive, c.interval(0.0, 1.0)], 0, [2, 1]), (3, 2)),
            (c.stack([c.positive, c.less_than(0.0)], -1), (3, 2))]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("index", range(len(_constraints(D))))
def test_registries_match_torch(backend, registry, index):
    (constraint, shape), (tconstraint, _) = _constraints(D)[index], _constraints(T)[index]
    ours, theirs = getattr(D, registry)(constraint), getattr(T, registry)(tconstraint)
    assert repr(ours) == repr(theirs)
    x, tx = pair(normal(shape, "float64", index), "float64")
    y = ours(x)
    assert bool(constraint.check(y).all().item())
    results = [(y, theirs(tx))]
    if ours.bijective:
        results.append((ours.log_abs_det_jacobian(x, y),
                        theirs.log_abs_det_jacobian(tx, theirs(tx))))
        assert_close(ours.inv(y), tx, "float64")
    check_backward(results, [x], [tx], "float64")


def test_registry_lookup_and_registration():
    assert isinstance(D.transform_to(C.lower_cholesky), DT.LowerCholeskyTransform)
    assert isinstance(D.transform_to(C.positive_definite), DT.PositiveDefiniteTransform)
    with pytest.raises(NotImplementedError, match="Cannot transform _LowerCholesky"):
        D.biject_to(C.lower_cholesky)
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean"):
        D.transform_to(C.boolean)
    registry = D.constraint_registry.ConstraintRegistry()
    registry.register(C.boolean, lambda constraint: DT.SigmoidTransform())
    assert isinstance(registry(C.boolean), DT.SigmoidTransform)
    with pytest.raises(TypeError, match="ConstraintRegistry.register: expected a Constraint"):
        registry.register(3, lambda constraint: None)
