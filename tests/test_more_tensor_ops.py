"""What the op table cannot state for norm, vector_norm, diagonal, trace, lerp, roll,
repeat, repeat_interleave, exp2, erf, cumprod, fmax/fmin, sum/mean(dtype=) and the
size= keyword of the factories: views sharing storage, dtypes of results and gradients,
copies where PyTorch copies, erf's accuracy, in-place forms, and argument errors (naming
the op, raised where torch raises too)."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch.nn import functional as F

INF = math.inf


def _pair(data, dtype="float64", requires_grad=False):
    array = np.asarray(data, dtype=dtype)
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _same(actual, expected, rtol=1e-12):
    assert tuple(actual.shape) == tuple(expected.shape)
    assert actual.dtype.name == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(),
                               rtol=rtol, atol=0, equal_nan=True)


def _torch_raises(function):
    """torch refuses the same call (any error type: ours follow the project's, see the
    individual tests)."""
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
        function()


# ---- diagonal: a view computed from strides -------------------------------------------------

@pytest.mark.parametrize("offset,dim1,dim2", [(0, 0, 1), (1, 0, 1), (-1, 0, 1), (2, -1, 0),
                                              (9, 0, 1), (-9, 1, 0), (1, 2, 0)])
def test_diagonal_has_torch_layout_and_shares_storage(backend_name, offset, dim1, dim2):
    values = np.arange(24.0).reshape(2, 3, 4)
    ours, theirs = minitorch.tensor(values), torch.tensor(values)
    view, expected = ours.diagonal(offset, dim1, dim2), theirs.diagonal(offset, dim1, dim2)
    assert view.shape == tuple(expected.shape)
    assert view.stride() == expected.stride()
    if view.numel():
        assert view.storage_offset() == expected.storage_offset()
    assert view._storage is ours._storage
    _same(view, expected)


def test_writing_a_diagonal_writes_the_tensor(backend_name):
    a, t = minitorch.zeros(3, 4), torch.zeros(3, 4)
    for lib_tensor in (a, t):
        lib_tensor.diagonal(1).fill_(5.0)
        lib_tensor.diagonal()[1] = 7.0
    _same(a, t)
    a[2, 2] = -1.0   # and the other way round
    assert a.diagonal().tolist() == [0.0, 7.0, -1.0]


def test_diagonal_of_a_transposed_view_is_a_view_of_the_storage():
    a = minitorch.arange(12.0).reshape(3, 4)
    view = a.T.diagonal(1)   # a[1, 0], a[2, 1]
    assert view._storage is a._storage and view.tolist() == [4.0, 9.0]


def test_diagonal_of_a_leaf_that_requires_grad_refuses_in_place_writes():
    a = minitorch.ones(3, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        a.diagonal().zero_()


def test_diagonal_gradient_lands_on_the_diagonal_only():
    a, t = _pair(np.ones((3, 4)), requires_grad=True)
    a.diagonal(1).sum().backward()
    t.diagonal(1).sum().backward()
    _same(a.grad, t.grad)


def test_diagonal_and_trace_errors():
    with pytest.raises(IndexError, match="diagonal"):
        minitorch.ones(3).diagonal()
    _torch_raises(lambda: torch.ones(3).diagonal())
    with pytest.raises(ValueError, match=r"diagonal: dim1 \(1\) and dim2 \(-1\) are the same "
                                         r"dimension of a 3x4 tensor"):
        minitorch.ones(3, 4).diagonal(0, 1, -1)
    _torch_raises(lambda: torch.ones(3, 4).diagonal(0, 1, -1))
    with pytest.raises(TypeError):
        minitorch.ones(3, 4).diagonal(1.0)
    _torch_raises(lambda: torch.ones(3, 4).diagonal(1.0))
    with pytest.raises(ValueError, match=r"trace: expected a matrix \(2-D\), got 2x2x2"):
        minitorch.ones(2, 2, 2).trace()
    _torch_raises(lambda: torch.ones(2, 2, 2).trace())
    with pytest.raises(TypeError, match="trace: not implemented for bool"):
        minitorch.ones(2, 2, dtype=minitorch.bool).trace()
    _torch_raises(lambda: torch.ones(2, 2, dtype=torch.bool).trace())


def test_trace_of_ints_is_int64_and_of_a_non_square_matrix_is_its_diagonal_sum():
    assert minitorch.tensor([[1, 2, 3], [4, 5, 6]]).trace().tolist() == 6
    assert minitorch.tensor([[1, 2, 3], [4, 5, 6]]).trace().dtype is minitorch.int64


# ---- norm and linalg.vector_norm ------------------------------------------------------------

def test_norm_gradient_at_zero_is_zero_as_torch():
    for order in (2, "fro", 1, INF, 3, 1.5):
        a, t = _pair(np.zeros(3), requires_grad=True)
        a.norm(order).backward()
        t.norm(order).backward()
        _same(a.grad, t.grad)
        assert a.grad.tolist() == [0.0, 0.0, 0.0]


def test_norm_of_order_0_has_no_gradient_as_torch():
    a, t = _pair([1.0, 0.0, 2.0], requires_grad=True)
    a.norm(0).backward()
    t.norm(0).backward()
    assert a.grad is None and t.grad is None


def test_vector_norm_lives_in_linalg_and_matches_norm():
    x = minitorch.tensor([[3.0, -4.0], [0.0, 1.0]])
    assert minitorch.linalg.vector_norm(x).item() == pytest.approx(math.sqrt(26.0))
    _same(minitorch.linalg.vector_norm(x, ord=INF, dim=(0, 1), keepdim=True),
          torch.linalg.vector_norm(torch.tensor(x.numpy()), ord=INF, dim=(0, 1), keepdim=True))
    assert minitorch.norm(x, p=1, dim=1).tolist() == [7.0, 1.0]


def test_norm_dtype_argument_casts_first_and_keeps_the_gradient_dtype():
    a, t = _pair([1.0, 2.0, 2.0], dtype="float32", requires_grad=True)
    result = a.norm(dtype=minitorch.float64)
    expected = t.norm(dtype=torch.float64)
    _same(result, expected)
    result.backward()
    expected.backward()
    assert a.grad.dtype is minitorch.float32
    _same(a.grad, t.grad)


def test_norm_errors():
    ints, torch_ints = minitorch.tensor([1, 2]), torch.tensor([1, 2])
    with pytest.raises(TypeError, match="norm: expected a floating-point input, got int64"):
        ints.norm()
    _torch_raises(lambda: torch_ints.norm())
    with pytest.raises(TypeError, match="linalg.vector_norm: expected a floating-point"):
        minitorch.linalg.vector_norm(ints, dtype=minitorch.float32)
    _torch_raises(lambda: torch.linalg.vector_norm(torch_ints, dtype=torch.float32))
    x, t = minitorch.zeros(0, 3), torch.zeros(0, 3)
    for order in (INF, -INF, -1):
        with pytest.raises(ValueError, match=rf"norm: the {order} norm over dimension 0 of "
                                             r"size 0 \(shape 0x3\)"):
            x.norm(order)
        _torch_raises(lambda: t.norm(order))
        assert x.norm(order, dim=1).shape == (0,)   # the empty dim is not reduced
    with pytest.raises(ValueError, match="norm: p='spectral' is not supported"):
        minitorch.ones(2, 2).norm("spectral")
    values = np.random.default_rng(3).standard_normal((2, 3, 4))
    for dim in ((0, 2), (-1, -2)):
        np.testing.assert_allclose(minitorch.tensor(values).norm("nuc", dim=dim).numpy(),
                                   torch.tensor(values).norm("nuc", dim=dim).numpy(),
                                   rtol=1e-10)
    with pytest.raises(ValueError, match=r"norm: p='fro' takes at most 2 dims"):
        minitorch.ones(2, 2, 2).norm("fro", dim=(0, 1, 2))
    _torch_raises(lambda: torch.ones(2, 2, 2).norm("fro", dim=(0, 1, 2)))
    with pytest.raises(TypeError, match="linalg.vector_norm: the order must be a real number"):
        minitorch.linalg.vector_norm(minitorch.ones(2), "fro")
    _torch_raises(lambda: torch.linalg.vector_norm(torch.ones(2), "fro"))
    with pytest.raises(TypeError, match="no narrower than the input's float64, got float32"):
        minitorch.linalg.vector_norm(minitorch.ones(2, dtype=minitorch.float64),
                                     dtype=minitorch.float32)
    _torch_raises(lambda: torch.linalg.vector_norm(torch.ones(2, dtype=torch.float64),
                                                   dtype=torch.float32))
    with pytest.raises(IndexError, match="norm"):
        minitorch.ones(2, 2).norm(dim=2)


# ---- lerp -------------------------------------------------------------------------------------

def test_lerp_takes_a_0d_weight_of_another_dtype_and_gives_it_a_gradient_of_its_dtype():
    a, t = _pair([1.0, 2.0], dtype="float32")
    end, torch_end = _pair([3.0, 5.0], dtype="float32")
    weight = minitorch.tensor(0.25, dtype=minitorch.float64, requires_grad=True)
    torch_weight = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    result, expected = a.lerp(end, weight), t.lerp(torch_end, torch_weight)
    _same(result, expected)
    result.sum().backward()
    expected.sum().backward()
    _same(weight.grad, torch_weight.grad)


def test_lerp_with_weight_one_gives_end_exactly():
    start, end = minitorch.tensor([0.1, -3.0]), minitorch.tensor([1e8, 7.3])
    assert start.lerp(end, 1.0).tolist() == end.tolist()
    assert minitorch.lerp(start, end, minitorch.ones(2)).tolist() == end.tolist()


def test_lerp_errors():
    floats, doubles = minitorch.ones(2), minitorch.ones(2, dtype=minitorch.float64)
    with pytest.raises(TypeError, match="lerp: expected end to have the input's dtype float32, "
                                        "got float64"):
        floats.lerp(doubles, 0.5)
    _torch_raises(lambda: torch.ones(2).lerp(torch.ones(2, dtype=torch.float64), 0.5))
    with pytest.raises(TypeError, match="lerp: expected weight to have the input's dtype"):
        floats.lerp(floats, doubles)
    _torch_raises(lambda: torch.ones(2).lerp(torch.ones(2), torch.ones(2, dtype=torch.float64)))
    with pytest.raises(TypeError, match="lerp: input must be floating point, got int64"):
        minitorch.tensor([1, 2]).lerp(minitorch.tensor([3, 4]), 0.5)
    _torch_raises(lambda: torch.tensor([1, 2]).lerp(torch.tensor([3, 4]), 0.5))
    with pytest.raises(TypeError, match="lerp: end must be a tensor, got float"):
        floats.lerp(1.0, 0.5)
    _torch_raises(lambda: torch.ones(2).lerp(1.0, 0.5))
    with pytest.raises(ValueError, match=r"lerp: shapes 3 and 2 cannot be broadcast"):
        minitorch.ones(3).lerp(minitorch.ones(2), 0.5)
    _torch_raises(lambda: torch.ones(3).lerp(torch.ones(2), 0.5))
    with pytest.raises(ValueError, match=r"lerp: shapes 3 and 2x2 cannot be broadcast"):
        minitorch.ones(3).lerp(minitorch.ones(3), minitorch.ones(2, 2))


# ---- roll, repeat, repeat_interleave ----------------------------------------------------------

def test_roll_repeat_and_repeat_interleave_copy_even_when_nothing_moves():
    a = minitorch.arange(6.0).reshape(2, 3)
    for result in (a.roll(0), a.roll(3, 1), a.repeat(1, 1), a.repeat_interleave(1, dim=0)):
        assert result._storage is not a._storage
        assert result.tolist() == a.tolist()


def test_roll_applies_a_repeated_dim_twice_as_torch():
    a, t = _pair(np.arange(6.0).reshape(2, 3))
    _same(a.roll((1, 1), (1, 1)), t.roll((1, 1), (1, 1)))
    _same(minitorch.roll(a, 1, ()), torch.roll(t, 1, ()))   # no dims: the flattened tensor


def test_repeat_interleave_of_counts_alone_repeats_positions():
    counts = minitorch.tensor([1, 0, 3])
    assert minitorch.repeat_interleave(counts).tolist() == \
        torch.repeat_interleave(torch.tensor([1, 0, 3])).tolist() == [0, 2, 2, 2]


def test_repeat_interleave_gradient_adds_up_repeated_slices():
    a, t = _pair(np.arange(6.0).reshape(2, 3), requires_grad=True)
    a.repeat_interleave(minitorch.tensor([2, 0, 3]), dim=1).sum().backward()
    t.repeat_interleave(torch.tensor([2, 0, 3]), dim=1).sum().backward()
    _same(a.grad, t.grad)


def test_repeat_is_a_method_only_as_in_torch():
    assert hasattr(minitorch.Tensor, "repeat") and not hasattr(minitorch, "repeat")
    assert not hasattr(torch, "repeat")


def test_roll_repeat_and_repeat_interleave_errors():
    a = minitorch.ones(2, 3)
    t = torch.ones(2, 3)
    with pytest.raises(ValueError, match=r"roll: shifts \(1, 2\) and dims \(0,\) must have "
                                         r"the same"):
        a.roll((1, 2), 0)
    _torch_raises(lambda: t.roll((1, 2), 0))
    with pytest.raises(ValueError, match="roll: shifts"):
        a.roll((1, 2))
    _torch_raises(lambda: t.roll((1, 2)))
    with pytest.raises(IndexError, match="roll: a 0-d tensor has no dimension 0"):
        minitorch.tensor(1.0).roll(1, 0)
    _torch_raises(lambda: torch.tensor(1.0).roll(1, 0))
    with pytest.raises(TypeError):
        a.roll(1.5)
    _torch_raises(lambda: t.roll(1.5))
    with pytest.raises(ValueError, match=r"repeat: 1 counts \(2,\) for a 2-d tensor \(2x3\)"):
        a.repeat(2)
    _torch_raises(lambda: t.repeat(2))
    with pytest.raises(ValueError, match=r"repeat: counts must be non-negative"):
        a.repeat(-1, 2)
    _torch_raises(lambda: t.repeat(-1, 2))
    with pytest.raises(ValueError, match=r"repeat_interleave: 3 repeats for a dimension of "
                                         r"size 2"):
        a.repeat_interleave(minitorch.tensor([1, 2, 3]), dim=0)
    _torch_raises(lambda: t.repeat_interleave(torch.tensor([1, 2, 3]), dim=0))
    with pytest.raises(ValueError, match="repeat_interleave: repeats must be non-negative"):
        a.repeat_interleave(-1)
    _torch_raises(lambda: t.repeat_interleave(-1))
    with pytest.raises(TypeError, match="repeat_interleave: repeats must be an int64 tensor, "
                                        "got float32"):
        a.repeat_interleave(minitorch.ones(2), dim=0)
    _torch_raises(lambda: t.repeat_interleave(torch.ones(2), dim=0))
    with pytest.raises(ValueError, match="repeat_interleave: repeats must be 0-d or 1-d"):
        a.repeat_interleave(minitorch.tensor([[1, 1]]), dim=0)
    _torch_raises(lambda: t.repeat_interleave(torch.tensor([[1, 1]]), dim=0))
    with pytest.raises(ValueError, match="repeat_interleave: output_size is 5, but the "
                                         "repeats make 6"):
        a.repeat_interleave(2, dim=1, output_size=5)
    _torch_raises(lambda: t.repeat_interleave(2, dim=1, output_size=5))
    with pytest.raises(TypeError, match="repeat_interleave: repeats must be an int"):
        a.repeat_interleave(True)
    _torch_raises(lambda: t.repeat_interleave(True))


# ---- erf, exp2 ----------------------------------------------------------------------------

def test_erf_is_within_one_ulp_of_math_erf_across_the_real_line():
    rng = np.random.default_rng(0)
    values = np.concatenate([np.linspace(-8, 8, 40001), np.geomspace(1e-310, 8, 3000),
                             -np.geomspace(1e-310, 8, 3000), rng.uniform(-6, 6, 20000),
                             [0.84375, 1.25, 1 / 0.35, 6.0, 27.0, 1e300]])
    expected = np.array([math.erf(v) for v in values])
    ours = minitorch.erf(minitorch.tensor(values)).numpy()
    ulps = np.abs(ours - expected) / np.spacing(np.abs(expected))
    assert ulps.max() <= 1.0
    theirs = torch.erf(torch.tensor(values)).numpy()   # torch is within 1 ulp as well
    assert (np.abs(ours - theirs) / np.spacing(np.abs(expected))).max() <= 2.0


def test_erf_is_the_same_on_every_backend(backend_name):
    values = np.concatenate([np.linspace(-7, 7, 141), [1e-300, -1e-10, 5.95, -INF, INF]])
    ours = minitorch.erf(minitorch.tensor(values)).numpy()
    np.testing.assert_allclose(ours, [math.erf(v) for v in values], rtol=2.3e-16, atol=0)


def test_erf_of_float32_is_correctly_rounded_and_ints_give_floats_as_torch():
    values = np.linspace(-5, 5, 1001, dtype=np.float32)
    ours = minitorch.tensor(values).erf()
    assert ours.numpy().tolist() == [float(np.float32(math.erf(v))) for v in values]
    _same(ours, torch.tensor(values).erf(), rtol=1.2e-7)   # torch's float32 erf: 1 ulp
    _same(minitorch.erf(minitorch.tensor([0, 1, 2])), torch.erf(torch.tensor([0, 1, 2])),
          rtol=1.2e-7)


def test_gelu_and_functional_erf_use_the_public_erf():
    assert F.erf is minitorch.erf
    values = np.linspace(-9, 9, 301)
    _same(F.gelu(minitorch.tensor(values)), torch.nn.functional.gelu(torch.tensor(values)))


def test_exp2_is_exact_at_integers_and_floats_ints():
    powers = minitorch.arange(-60, 61).exp2()
    assert powers.dtype is minitorch.float32
    assert powers.tolist() == [2.0 ** k for k in range(-60, 61)]


# ---- cumprod -------------------------------------------------------------------------------

def test_cumprod_gradient_with_zeros_matches_torch():
    for data in ([2.0, 0.0, 3.0, 0.0, 5.0], [2.0, 3.0, 0.0, 4.0, 5.0, 6.0, 7.0], [0.0] * 4):
        a, t = _pair(data, requires_grad=True)
        weights = np.arange(1.0, len(data) + 1)
        (a.cumprod(0) * minitorch.tensor(weights)).sum().backward()
        (t.cumprod(0) * torch.tensor(weights)).sum().backward()
        _same(a.grad, t.grad)


def test_cumprod_in_place_keeps_the_dtype_as_torch():
    a, t = minitorch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 3.0])
    assert a.cumprod_(0) is a
    _same(a, t.cumprod_(0))
    with pytest.raises(TypeError, match="cumprod_: dtype float64 differs from the tensor's "
                                        "float32"):
        a.cumprod_(0, dtype=minitorch.float64)
    _torch_raises(lambda: t.cumprod_(0, dtype=torch.float64))


def test_scans_and_products_over_one_element_return_new_tensors():
    a = minitorch.tensor([[3.0], [4.0]], requires_grad=True)
    for result in (a.cumsum(1), a.cumprod(1), a.prod(1, keepdim=True)):
        assert result is not a and result._storage is not a._storage
    assert a.is_leaf and a.grad_fn is None
    scalar = minitorch.tensor(2.0)
    assert scalar.prod()._storage is not scalar._storage


# ---- in-place forms, fmax/fmin ------------------------------------------------------------

@pytest.mark.parametrize("name,args", [("lerp_", (0.3,)), ("exp2_", ()), ("erf_", ())])
def test_in_place_forms_write_into_self(name, args):
    values = np.linspace(-2, 2, 6).reshape(2, 3)
    a, t = minitorch.tensor(values), torch.tensor(values)
    if name == "lerp_":
        args = (minitorch.ones(3, dtype=minitorch.float64),) + args
        torch_args = (torch.ones(3, dtype=torch.float64),) + args[1:]
    else:
        torch_args = args
    assert getattr(a, name)(*args) is a
    getattr(t, name)(*torch_args)
    _same(a, t)


def test_fmax_and_fmin_take_tensors_only_as_torch():
    with pytest.raises(TypeError, match="fmax: both arguments must be tensors, got Tensor and "
                                        "float"):
        minitorch.ones(2).fmax(1.0)
    _torch_raises(lambda: torch.ones(2).fmax(1.0))
    with pytest.raises(ValueError, match=r"fmin: shapes 3 and 2 cannot be broadcast"):
        minitorch.ones(3).fmin(minitorch.ones(2))


# ---- sum and mean with dtype= ---------------------------------------------------------------

def test_sum_dtype_casts_first_as_torch():
    a, t = _pair([1.5, 2.5, -1.5, 0.0])
    _same(a.sum(dtype=minitorch.int64), t.sum(dtype=torch.int64))      # truncates each first
    _same(a.sum(dtype=minitorch.bool), t.sum(dtype=torch.bool))
    _same(minitorch.zeros(2, 3).sum(1, dtype=minitorch.bool),
          torch.zeros(2, 3).sum(1, dtype=torch.bool))
    b, tb = _pair([True, False, True], dtype="bool")
    _same(b.sum(dtype=minitorch.float32), tb.sum(dtype=torch.float32))


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_reductions_in_float64_give_float32_inputs_float32_gradients(reduction):
    a, t = _pair(np.linspace(0, 1, 6).reshape(2, 3), dtype="float32", requires_grad=True)
    result = getattr(a, reduction)(1, dtype=minitorch.float64)
    expected = getattr(t, reduction)(1, dtype=torch.float64)
    _same(result, expected)
    result.sum().backward()
    expected.sum().backward()
    assert a.grad.dtype is minitorch.float32
    _same(a.grad, t.grad)


def test_mean_dtype_rules():
    ints = minitorch.tensor([1, 2])
    _same(ints.mean(dtype=minitorch.float64), torch.tensor([1, 2]).mean(dtype=torch.float64))
    with pytest.raises(TypeError, match="mean: input dtype must be floating point, got int64"):
        ints.mean()
    _torch_raises(lambda: torch.tensor([1, 2]).mean())
    with pytest.raises(TypeError, match="mean: dtype must be floating point, got int64"):
        minitorch.ones(2).mean(dtype=minitorch.int64)
    _torch_raises(lambda: torch.ones(2).mean(dtype=torch.int64))


def test_dtype_of_sum_and_mean_is_keyword_only_as_torch():
    with pytest.raises(TypeError):
        minitorch.ones(2, 3).sum(1, True, minitorch.float64)
    _torch_raises(lambda: torch.ones(2, 3).sum(1, True, torch.float64))
    with pytest.raises(TypeError):
        minitorch.ones(2, 3).mean(1, True, minitorch.float64)
    _torch_raises(lambda: torch.ones(2, 3).mean(1, True, torch.float64))


# ---- factories with size= -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("size", [(2, 3), [4], ()])
def test_factories_take_size_as_a_keyword(name, size):
    result = getattr(minitorch, name)(size=size, dtype=minitorch.float64)
    expected = getattr(torch, name)(size=size, dtype=torch.float64)
    assert result.shape == tuple(expected.shape) and result.dtype is minitorch.float64


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_random_factories_draw_the_same_with_size_keyword_or_positional(name):
    minitorch.manual_seed(5)
    keyword = getattr(minitorch, name)(size=(2, 3))
    minitorch.manual_seed(5)
    assert keyword.tolist() == getattr(minitorch, name)(2, 3).tolist()


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_refuse_size_twice_or_as_an_int(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): got multiple values for argument "
                                        "'size'"):
        getattr(minitorch, name)(2, size=(2, 3))
    _torch_raises(lambda: getattr(torch, name)(2, size=(2, 3)))
    with pytest.raises(TypeError, match=rf"{name}\(\): size must be a tuple or list of ints, "
                                        "got int"):
        getattr(minitorch, name)(size=2)
    _torch_raises(lambda: getattr(torch, name)(size=2))
