"""torch namespace breadth that the op table cannot express: random draws, rng state,
dtype information, print options, integer and index results, and bad inputs. (Every
differentiable new op has OpInfo rows in minitorch/testing/optable.py.)"""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch.linalg import multi_dot
from nn_helpers import assert_close, backend, normal  # noqa: F401  (backend is a fixture)

DTYPES = ("float32", "float64")


def _pair(values, dtype=None):
    """The same values as a minitorch and a torch tensor."""
    array = np.asarray(values) if dtype is None else np.asarray(values, dtype)
    return minitorch.tensor(array), torch.tensor(array)


def _equal(ours, theirs):
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---- random sampling --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_like_factories_take_shape_dtype_and_backend(backend, dtype):
    a = minitorch.tensor(normal((3, 1, 4), dtype)).transpose(0, 2)
    for draw in (minitorch.rand_like, minitorch.randn_like):
        sample = draw(a)
        assert sample.shape == a.shape and sample.dtype.name == dtype
        assert sample.backend == backend and not sample.requires_grad
    assert minitorch.rand_like(a, dtype=minitorch.float64, requires_grad=True).requires_grad
    uniform = minitorch.rand_like(minitorch.zeros(1000, dtype=dtype)).numpy()
    assert 0 <= uniform.min() and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.05
    integers = minitorch.randint_like(a, 3, 7)
    assert integers.dtype.name == dtype and set(np.unique(integers.numpy())) <= {3, 4, 5, 6}
    assert minitorch.randint_like(minitorch.zeros(50, dtype=minitorch.int64), 2).dtype is \
        minitorch.int64


def test_rng_state_round_trips_and_seed():
    minitorch.manual_seed(5)
    state = minitorch.get_rng_state()
    assert state.dtype is minitorch.int64 and state.ndim == 1
    first = [minitorch.rand(4), minitorch.randn(2, 2), minitorch.multinomial(
        minitorch.rand(6), 3)]
    minitorch.set_rng_state(state)
    again = [minitorch.rand(4), minitorch.randn(2, 2), minitorch.multinomial(
        minitorch.rand(6), 3)]
    for before, after in zip(first, again):
        np.testing.assert_array_equal(before.numpy(), after.numpy())
    assert minitorch.initial_seed() == 5
    fresh = minitorch.seed()
    assert minitorch.initial_seed() == fresh and 0 <= fresh < 2 ** 63
    minitorch.manual_seed(0)
    with pytest.raises(TypeError, match="set_rng_state: expected the int64 tensor"):
        minitorch.set_rng_state(minitorch.zeros(10))
    with pytest.raises(ValueError, match="set_rng_state: .*32-bit words"):
        minitorch.set_rng_state(minitorch.full((10,), -1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_forms_dtypes_and_zero_gradients(backend, dtype):
    minitorch.manual_seed(1)
    mean = minitorch.tensor(normal((2, 1), dtype), requires_grad=True)
    std = minitorch.tensor(np.full((3,), 0.5, dtype), requires_grad=True)
    sample = minitorch.normal(mean, std)
    assert sample.shape == (2, 3) and sample.dtype.name == dtype and sample.requires_grad
    sample.sum().backward()
    tmean, tstd = torch.tensor(mean.detach().numpy(), requires_grad=True), \
        torch.tensor(std.detach().numpy(), requires_grad=True)
    torch.normal(tmean, tstd).sum().backward()  # PyTorch: zero gradients
    assert_close(mean.grad, tmean.grad, dtype)
    assert_close(std.grad, tstd.grad, dtype)
    assert minitorch.normal(mean.detach(), 2.0).shape == (2, 1)
    assert minitorch.normal(0.0, std.detach()).shape == (3,)
    many = minitorch.normal(3.0, 2.0, (20000,), dtype=dtype)
    assert many.dtype.name == dtype
    assert abs(many.mean().item() - 3) < 0.05 and abs(many.std().item() - 2) < 0.05
    with pytest.raises(RuntimeError, match="normal: expected std >= 0"):
        minitorch.normal(0.0, -1.0, (2,))
    with pytest.raises(TypeError, match="normal: .*give the size"):
        minitorch.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="normal: mean must be a floating-point"):
        minitorch.normal(minitorch.tensor([1, 2]), 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bernoulli_poisson_and_in_place_bernoulli(backend, dtype):
    minitorch.manual_seed(2)
    p = minitorch.tensor(np.array([0.0, 1.0, 0.3] * 2000, dtype), requires_grad=True)
    draws = minitorch.bernoulli(p)
    values = draws.detach().numpy()
    assert draws.dtype.name == dtype and draws.requires_grad
    assert values[0::3].max() == 0 and values[1::3].min() == 1
    assert abs(values[2::3].mean() - 0.3) < 0.03
    draws.sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), 0)   # as torch's BernoulliBackward
    assert set(np.unique(minitorch.bernoulli(minitorch.zeros(50, dtype=dtype), 0.5).numpy())) \
        == {0.0, 1.0}
    target = minitorch.zeros(3000, dtype=dtype)
    assert target.bernoulli_(0.25) is target and abs(target.mean().item() - 0.25) < 0.03
    counts = minitorch.poisson(minitorch.tensor(np.full(4000, 3.0, dtype)))
    assert counts.dtype.name == dtype and abs(counts.mean().item() - 3) < 0.1
    with pytest.raises(RuntimeError, match=r"bernoulli: expected every probability to be in"):
        minitorch.bernoulli(minitorch.tensor([0.5, 1.5]))
    with pytest.raises(TypeError, match="bernoulli: input must be a floating-point"):
        minitorch.bernoulli(minitorch.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="poisson: expected every rate"):
        minitorch.poisson(minitorch.tensor([-1.0]))


def test_multinomial_with_and_without_replacement(backend):
    minitorch.manual_seed(3)
    weights = minitorch.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 0.0]])
    drawn = minitorch.multinomial(weights, 4000, replacement=True)
    assert drawn.dtype is minitorch.int64 and drawn.shape == (2, 4000)
    first = drawn[0].numpy()
    assert not (first == 0).any() and abs((first == 2).mean() - 0.75) < 0.03
    assert (drawn[1].numpy() == 0).all()
    unique_rows = minitorch.multinomial(minitorch.ones(4, 5), 5)
    for row in unique_rows.numpy():
        assert sorted(row) == [0, 1, 2, 3, 4]
    assert minitorch.rand(6).multinomial(2).shape == (2,)
    with pytest.raises(RuntimeError, match="multinomial: cannot draw 4 samples without "
                                           "replacement from 3 categories"):
        minitorch.multinomial(minitorch.ones(3), 4)
    with pytest.raises(RuntimeError, match="multinomial: each row needs"):
        minitorch.multinomial(weights, 2)
    with pytest.raises(ValueError, match="multinomial: expected a 1-d or 2-d"):
        minitorch.multinomial(minitorch.ones(2, 2, 2), 1)
    with pytest.raises(RuntimeError, match="multinomial: weights must be finite"):
        minitorch.multinomial(minitorch.tensor([1.0, -1.0]), 1)


# ---- dtype information ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_finfo_matches_torch(dtype):
    ours, theirs = minitorch.finfo(getattr(minitorch, dtype)), torch.finfo(getattr(torch, dtype))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                  "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


def test_iinfo_default_finfo_and_refusals():
    ours, theirs = minitorch.iinfo(minitorch.int64), torch.iinfo(torch.int64)
    assert (ours.bits, ours.max, ours.min, ours.dtype) == (theirs.bits, theirs.max,
                                                            theirs.min, theirs.dtype)
    assert repr(ours) == repr(theirs)
    assert minitorch.finfo().dtype == "float32"
    with pytest.raises(TypeError, match="finfo: requires a floating point dtype, got int64"):
        minitorch.finfo(minitorch.int64)
    with pytest.raises(TypeError, match="iinfo: requires an integer dtype, got bool"):
        minitorch.iinfo(minitorch.bool)


def test_promotion_helpers_match_torch():
    names = ("bool", "int64", "float32", "float64")
    for first in names:
        for second in names:
            ours = minitorch.promote_types(getattr(minitorch, first), getattr(minitorch, second))
            theirs = torch.promote_types(getattr(torch, first), getattr(torch, second))
            assert ours.name == str(theirs).replace("torch.", "")
            assert minitorch.can_cast(getattr(minitorch, first), getattr(minitorch, second)) \
                == torch.can_cast(getattr(torch, first), getattr(torch, second))
    operands = [([1, 2], [1.0]), (3, [1.5]), (2.5, 3), (True, 2), ([True], 2.0)]
    for a, b in operands + [(np.float64(1.0), [1.0])]:
        convert = [(minitorch.tensor(v), torch.tensor(v)) if isinstance(v, list) else (v, v)
                   for v in (a, b)]
        ours = minitorch.result_type(convert[0][0], convert[1][0])
        theirs = torch.result_type(convert[0][1], convert[1][1])
        assert ours.name == str(theirs).replace("torch.", "")
    float64_zero_d = minitorch.tensor(1.0, dtype=minitorch.float64)
    assert minitorch.result_type(float64_zero_d, minitorch.tensor([1.0])) is minitorch.float32


def test_predicates():
    assert minitorch.is_nonzero(minitorch.tensor([2.0])) and \
        not minitorch.tensor(0).is_nonzero()
    with pytest.raises(RuntimeError, match="is_nonzero: a tensor with 2 elements"):
        minitorch.is_nonzero(minitorch.ones(2))
    assert minitorch.is_same_size(minitorch.ones(2, 3), minitorch.zeros(2, 3))
    assert not minitorch.ones(2, 3).is_same_size(minitorch.ones(3, 2))
    assert not minitorch.is_complex(minitorch.ones(1)) and not minitorch.ones(1).is_complex()
    assert minitorch.is_floating_point(minitorch.ones(1))


# ---- print options ----------------------------------------------------------------------

@pytest.fixture
def default_printoptions():
    yield
    minitorch.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("options", [
    {"precision": 2}, {"precision": 6}, {"sci_mode": True}, {"sci_mode": False},
    {"threshold": 5}, {"threshold": 5, "edgeitems": 1}, {"linewidth": 30},
    {"profile": "short"}, {"profile": "full"}, {"profile": "short", "precision": 3}])
def test_set_printoptions_matches_torch(options, default_printoptions):
    values = [np.array([0.123456789, -2.5, 1e-5, 300.0]),
              np.arange(40, dtype=np.float64).reshape(5, 8) / 7,
              np.arange(2000, dtype=np.float64) * 1.5, np.array([1.0, 2.0, 3.0]),
              np.array([123456.0, 0.5])]
    minitorch.set_printoptions(**options)
    torch.set_printoptions(**options)
    for array in values:
        ours, theirs = _pair(array.astype(np.float32))
        assert repr(ours) == repr(theirs)
    minitorch.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    ours, theirs = _pair(values[0].astype(np.float32))
    assert repr(ours) == repr(theirs)


def test_set_printoptions_refuses_unknown_profile(default_printoptions):
    with pytest.raises(ValueError, match="set_printoptions: unknown profile 'long'"):
        minitorch.set_printoptions(profile="long")


# ---- integer and index results ----------------------------------------------------------

def test_searchsorted_and_bucketize_match_torch(backend):
    sequence, tsequence = _pair([1.0, 3.0, 3.0, 5.0, 9.0])
    queries, tqueries = _pair(np.array([[0.0, 3.0], [5.0, 10.0]]).T)   # a transposed view
    for kwargs in ({}, {"right": True}, {"side": "right"}):
        _equal(minitorch.searchsorted(sequence, queries, **kwargs),
               torch.searchsorted(tsequence, tqueries, **kwargs))
    _equal(minitorch.searchsorted(sequence, 3.0), torch.searchsorted(tsequence, 3.0))
    rows, trows = _pair([[1, 2, 3], [2, 4, 6]])
    values, tvalues = _pair([[2, 3], [1, 7]])
    _equal(minitorch.searchsorted(rows, values), torch.searchsorted(trows, tvalues))
    unsorted, tunsorted = _pair([5.0, 1.0, 3.0])
    sorter, tsorter = _pair([1, 2, 0])
    _equal(minitorch.searchsorted(unsorted, queries, sorter=sorter),
           torch.searchsorted(tunsorted, tqueries, sorter=tsorter))
    for right in (False, True):
        _equal(minitorch.bucketize(queries, sequence, right=right),
               torch.bucketize(tqueries, tsequence, right=right))
    with pytest.raises(NotImplementedError, match="searchsorted: out_int32=True"):
        minitorch.searchsorted(sequence, queries, out_int32=True)
    with pytest.raises(ValueError, match="searchsorted: side must be"):
        minitorch.searchsorted(sequence, queries, side="left", right=True)
    with pytest.raises(ValueError, match="searchsorted: the leading dims"):
        minitorch.searchsorted(rows, minitorch.ones(3, 2, dtype=minitorch.int64))
    with pytest.raises(ValueError, match="bucketize: boundaries must be 1-d"):
        minitorch.bucketize(queries, rows)


def test_cummax_cummin_indices_with_ties_and_nan(backend):
    values = [[1.0, 3.0, 3.0, math.nan, 2.0, math.nan, 5.0], [2.0, 1.0, 1.0, 0.0, 4.0, 4.0, 4.0]]
    ours, theirs = _pair(values)
    for name in ("cummax", "cummin"):
        result, expected = getattr(ours, name)(1), getattr(theirs, name)(1)
        np.testing.assert_array_equal(result.values.numpy(), expected.values.numpy())
        _equal(result.indices, expected.indices)
    transposed, ttransposed = ours.t(), theirs.t()
    _equal(transposed.cummax(0).indices, ttransposed.cummax(0).indices)
    integers, tintegers = _pair([3, 1, 4, 1, 5])
    _equal(integers.cummin(0).values, tintegers.cummin(0).values)


def test_bincount_and_histc_match_torch(backend):
    counts, tcounts = _pair([1, 4, 1, 0, 4, 4])
    _equal(minitorch.bincount(counts), torch.bincount(tcounts))
    _equal(counts.bincount(minlength=8), tcounts.bincount(minlength=8))
    _equal(minitorch.bincount(minitorch.tensor([], dtype=minitorch.int64)),
           torch.bincount(torch.tensor([], dtype=torch.int64)))
    for dtype in DTYPES:
        weights, tweights = _pair(np.linspace(0, 1, 6), dtype)
        _equal(minitorch.bincount(counts, weights), torch.bincount(tcounts, tweights))
    integer_weights, tinteger_weights = _pair([1, 2, 3, 4, 5, 6])
    _equal(minitorch.bincount(counts, integer_weights),
           torch.bincount(tcounts, tinteger_weights))
    with pytest.raises(ValueError, match="bincount: input must hold non-negative"):
        minitorch.bincount(minitorch.tensor([1, -1]))
    with pytest.raises(ValueError, match="bincount: expected a 1-d tensor of non-negative"):
        minitorch.bincount(minitorch.tensor([[1]]))
    samples = normal((500,), "float64", seed=4)
    for dtype in DTYPES:
        data, tdata = _pair(samples, dtype)
        for kwargs in ({}, {"bins": 7}, {"bins": 4, "min": -1, "max": 1}):
            _equal(data.histc(**kwargs), tdata.histc(**kwargs))
    constant, tconstant = _pair([2.0, 2.0])
    _equal(minitorch.histc(constant, bins=4), torch.histc(tconstant, bins=4))
    grads = minitorch.tensor([1.0, 2.0], requires_grad=True)
    assert not minitorch.histc(grads, bins=3).requires_grad
    with pytest.raises(TypeError, match="histc: expected floating-point"):
        minitorch.histc(minitorch.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"histc: max \(0\) must not be less than min \(1\)"):
        minitorch.histc(constant, min=1, max=0)


def test_index_factories_and_unravel_index_match_torch(backend):
    for row, col, offset in ((3, 3, 0), (3, 5, 1), (4, 2, -1), (0, 3, 0)):
        _equal(minitorch.tril_indices(row, col, offset), torch.tril_indices(row, col, offset))
        _equal(minitorch.triu_indices(row, col, offset), torch.triu_indices(row, col, offset))
    for kwargs in ({}, {"base": 2.0}, {"dtype": minitorch.float64}):
        ours = minitorch.logspace(-1, 2, 7, **kwargs)
        theirs = torch.logspace(-1, 2, 7, **{k: torch.float64 if k == "dtype" else v
                                             for k, v in kwargs.items()})
        assert_close(ours, theirs, ours.dtype.name)
    flat, tflat = _pair([[5, 7, -1], [0, 3, 2]])
    for ours, theirs in zip(minitorch.unravel_index(flat, (2, 4)),
                            torch.unravel_index(tflat, (2, 4))):
        _equal(ours, theirs)
    with pytest.raises(IndexError, match="unravel_index: an index is out of bounds"):
        minitorch.unravel_index(flat, (2, 2))
    with pytest.raises(TypeError, match="unravel_index: indices must be an int64 tensor"):
        minitorch.unravel_index(minitorch.ones(2), (2,))
    with pytest.raises(TypeError, match="tril_indices: dtype must be int64"):
        minitorch.tril_indices(2, 2, dtype=minitorch.float32)


def test_integer_results_match_torch(backend):
    a, ta = _pair([[3, -1, 4], [1, -5, 9]])
    _equal(a.nansum(), ta.nansum())
    _equal(minitorch.combinations(a[0], 2), torch.combinations(ta[0], 2))
    _equal(minitorch.combinations(a[0], 0), torch.combinations(ta[0], 0))
    _equal(minitorch.vander(a[1], 4), torch.vander(ta[1], 4))
    _equal(a.t().take(minitorch.tensor([0, 5, -2])), ta.t().take(torch.tensor([0, 5, -2])))
    _equal(a.heaviside(minitorch.tensor([7])), ta.heaviside(torch.tensor([7])))
    _equal(minitorch.block_diag(a, a[0]), torch.block_diag(ta, ta[0]))
    _equal(minitorch.rsub(a, 2, alpha=3), torch.rsub(ta, 2, alpha=3))
    _equal(a.mv(minitorch.tensor([1, 1, 1])),
           ta.mv(torch.tensor([1, 1, 1])))
    for name in ("deg2rad", "rad2deg", "sinc"):
        ours, theirs = getattr(a, name)(), getattr(ta, name)()
        assert_close(ours, theirs, "float32")
    bools, tbools = _pair([True, False])
    with pytest.raises(TypeError, match="positive: the unary \\+ operator"):
        minitorch.positive(bools)
    _equal(minitorch.atleast_1d(bools), torch.atleast_1d(tbools))


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_values(backend, dtype):
    a, ta = _pair([[1.0, -2.0, math.nan], [math.nan, math.nan, 4.0]], dtype)
    for name in ("nansum", "nanmean"):
        assert_close(getattr(a, name)(dim=1), getattr(ta, name)(dim=1), dtype)
        assert_close(getattr(a, name)(), getattr(ta, name)(), dtype)
    signs, tsigns = _pair([-0.0, 0.0, -math.inf, 2.0, -3.0], dtype)
    assert_close(minitorch.copysign(minitorch.ones(5, dtype=dtype), signs),
                 torch.copysign(torch.ones(5, dtype=getattr(torch, dtype)), tsigns), dtype)
    zeros, tzeros = _pair([0.0, -1.0, 2.0, math.nan], dtype)
    assert_close(zeros.heaviside(minitorch.tensor([0.5], dtype=dtype)),
                 tzeros.heaviside(torch.tensor([0.5], dtype=getattr(torch, dtype))), dtype)
    x = minitorch.tensor(np.array([0.0, 1.5], dtype), requires_grad=True)
    tx = torch.tensor(np.array([0.0, 1.5], dtype), requires_grad=True)
    x.sinc().sum().backward()
    tx.sinc().sum().backward()
    assert_close(x.grad, tx.grad, dtype)
    big, tbig = _pair([-1000.0, 0.0, 1.0, -math.inf], dtype)
    assert_close(big.logcumsumexp(0), tbig.logcumsumexp(0), dtype)
    constant, tconstant = _pair([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]], dtype)
    assert_close(constant.corrcoef(), tconstant.corrcoef(), dtype)
    assert_close(constant[1].corrcoef(), tconstant[1].corrcoef(), dtype)
    assert_close(constant.cov(correction=3), tconstant.cov(correction=3), dtype)


# ---- in-place forms ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_in_place_forms_match_torch(backend, dtype):
    base = normal((3, 4), dtype, seed=6)
    calls = [("deg2rad_", ()), ("rad2deg_", ()), ("sinc_", ()),
             ("copysign_", (np.array([-1.0, 1.0, -0.0, 0.0], dtype),)),
             ("addr_", (normal((3,), dtype), normal((4,), dtype))),
             ("addmv_", (normal((3, 2), dtype), normal((2,), dtype))),
             ("index_copy_", (1, np.array([3, 0]), normal((3, 2), dtype))),
             ("index_fill_", (0, np.array([2]), -7.0)),
             ("heaviside_", (np.array([0.5], dtype),))]
    for name, args in calls:
        ours, theirs = minitorch.tensor(base.copy()), torch.tensor(base.copy())
        if name == "addmv_":
            ours, theirs = ours[:, 0], theirs[:, 0]   # a strided view, written in place
        our_args = [minitorch.tensor(v) if isinstance(v, np.ndarray) else v for v in args]
        their_args = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in args]
        assert getattr(ours, name)(*our_args) is ours
        getattr(theirs, name)(*their_args)
        assert_close(ours, theirs, dtype)


# ---- products and shapes: what the op table leaves out ----------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_multi_dot_matches_torch(backend, dtype):
    shapes = [(4,), (4, 3), (3, 5), (5,)]
    arrays = [normal(shape, dtype, seed) for seed, shape in enumerate(shapes)]
    ours = [minitorch.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    result, expected = multi_dot(ours), torch.linalg.multi_dot(theirs)
    assert_close(result, expected, dtype)
    result.backward()
    expected.backward()
    for mine, reference in zip(ours, theirs):
        assert_close(mine.grad, reference.grad, dtype)
    assert_close(multi_dot(ours[1:3]), torch.linalg.multi_dot(theirs[1:3]), dtype)


def test_vander_gradient_is_the_power_rule(backend):
    x = minitorch.tensor([0.5, -1.5, 2.0], dtype=minitorch.float64, requires_grad=True)
    minitorch.vander(x, 4).sum().backward()
    values = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), 1 + 2 * values + 3 * values ** 2)


def test_bad_inputs_name_the_op():
    m, v = minitorch.ones(3, 4), minitorch.ones(3)
    cases = [
        (ValueError, "mv: size mismatch", lambda: m.mv(v)),
        (ValueError, "mv: mat must be 2-D", lambda: v.mv(v)),
        (TypeError, "mv: expected both tensors to have the same dtype",
         lambda: m.mv(minitorch.ones(4, dtype=minitorch.float64))),
        (ValueError, "addmv: shapes 4 and 3 cannot be broadcast",
         lambda: minitorch.addmv(minitorch.ones(4), m, minitorch.ones(4))),
        (ValueError, "baddbmm: batch1 2x3x4 and batch2 3x4x5",
         lambda: minitorch.baddbmm(minitorch.ones(1), minitorch.ones(2, 3, 4),
                                   minitorch.ones(3, 4, 5))),
        (ValueError, "addr: vec1 must be 1-D", lambda: minitorch.addr(m, m, v)),
        (ValueError, "vdot: expected both tensors to have the same number of elements",
         lambda: minitorch.vdot(v, minitorch.ones(4))),
        (ValueError, "inner: the last dims", lambda: minitorch.inner(m, v)),
        (ValueError, "multi_dot: expected at least 2 tensors", lambda: multi_dot([m])),
        (ValueError, "multi_dot: tensor 1 must be 2-D", lambda: multi_dot([m, v, v])),
        (ValueError, "multi_dot: matrices 3x4 and 3x4 cannot be multiplied",
         lambda: multi_dot([m, m])),
        (ValueError, "chain_matmul: matrices must be 2-D", lambda: minitorch.chain_matmul(v)),
        (ValueError, "matrix_power: expected a \\(batch of\\) square", lambda: m.matrix_power(2)),
        (minitorch.linalg.LinAlgError, "linalg.inv: .* the input matrix is singular",
         lambda: minitorch.ones(2, 2).matrix_power(-1)),
        (ValueError, "block_diag: expected tensors of at most 2 dims",
         lambda: minitorch.block_diag(minitorch.ones(1, 1, 1))),
        (ValueError, "cartesian_prod: tensors must be 1-D", lambda: minitorch.cartesian_prod(m)),
        (ValueError, "combinations: input must be 1-D", lambda: minitorch.combinations(m)),
        (ValueError, "vander: N must be non-negative", lambda: minitorch.vander(v, -1)),
        (ValueError, "hsplit: dimension 1 of size 4 cannot be split into 3", lambda: m.hsplit(3)),
        (ValueError, "vsplit: expected a tensor with at least 2 dims", lambda: v.vsplit(1)),
        (ValueError, "dsplit: expected a tensor with at least 3 dims", lambda: m.dsplit(1)),
        (TypeError, "take: index must be an int64 tensor", lambda: m.take(v)),
        (IndexError, "index_copy: index 5 is out of range",
         lambda: m.index_copy(0, minitorch.tensor([5]), minitorch.ones(1, 4))),
        (ValueError, "index_copy: expected source of shape 2x4",
         lambda: m.index_copy(0, minitorch.tensor([0, 1]), minitorch.ones(2, 3))),
        (ValueError, "index_fill: value must be a number or a 0-d float32",
         lambda: m.index_fill(0, minitorch.tensor([0]), v)),
        (ValueError, "diag_embed: dim1 and dim2 must differ",
         lambda: m.diag_embed(dim1=0, dim2=0)),
        (TypeError, "copysign: unsupported operand", lambda: m.copysign("a")),
        (TypeError, "heaviside: expected both tensors to have the same dtype",
         lambda: m.heaviside(minitorch.tensor([1]))),
        (TypeError, "nanmean: expected floating-point", lambda: minitorch.tensor([1]).nanmean()),
        (RuntimeError, "aminmax: cannot reduce an empty tensor",
         lambda: minitorch.ones(0).aminmax()),
        (TypeError, "logcumsumexp: expected floating-point",
         lambda: minitorch.tensor([1]).logcumsumexp(0)),
        (ValueError, "cov: expected a 1-d or 2-d input", lambda: minitorch.ones(2, 2, 2).cov()),
        (ValueError, "cov: fweights must be a 1-d tensor with one weight per observation",
         lambda: m.cov(fweights=minitorch.ones(3, dtype=minitorch.int64))),
        (TypeError, "cov: fweights must hold integers", lambda: m.cov(fweights=minitorch.ones(4))),
        (RuntimeError, "cov: aweights must be non-negative",
         lambda: m.cov(aweights=-minitorch.ones(4))),
        (ValueError, "trapezoid: x of size 3 must have y's size 4",
         lambda: minitorch.trapezoid(m, v)),
        (TypeError, "trapezoid: give either x or dx", lambda: minitorch.trapezoid(m, v, dx=1)),
        (ValueError, "cumulative_trapezoid: expected y with at least 1 dim",
         lambda: minitorch.cumulative_trapezoid(minitorch.tensor(1.0))),
        (RuntimeError, "randint_like: low \\(3\\) must be less than high \\(3\\)",
         lambda: minitorch.randint_like(m, 3, 3)),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=message):
            call()
