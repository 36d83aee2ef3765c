"""SELU, CELU, RReLU, the shrink activations, Softmax2d, the in-place F forms, the channel
and alpha dropouts and Bilinear of minitorch.nn, checked against torch.nn: values and
gradients (float32 and float64, at the kinks, through non-contiguous views), reprs, state
dicts, in-place semantics, the statistics and structure of the random ones, and errors,
on the numpy and c backends (the `backend` fixture)."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.serialization import from_torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
# the kinks of every activation here: 0, +-lambd of the shrinks, +-1, and tiny values
KINKS = [0.0, -0.0, 0.5, -0.5, 0.3, -0.3, 1.0, -1.0, 1e-8, -1e-8, 30.0, -30.0]


def inputs(dtype, shape, seed=0):
    """Normal values times 3, starting with the KINKS (exactly representable in dtype)."""
    values = normal(shape, dtype, seed) * 3
    values.reshape(-1)[:len(KINKS)] = np.array(KINKS, dtype)[:values.size]
    return values


def leaves(array):
    return (minitorch.tensor(array, requires_grad=True),
            torch.tensor(array, requires_grad=True))


def compare_transposed(ours, theirs, array, dtype):
    """ours and theirs applied to a transposed (non-contiguous) view of the leaf:
    values, and the leaf gradients of a random weighting."""
    x, tx = leaves(array)
    check_backward([(ours(x.transpose(0, 1)), theirs(tx.transpose(0, 1)))], [x], [tx],
                   dtype)


# ---- deterministic activations ---------------------------------------------------------

ACTIVATIONS = [
    ("SELU", (), {}), ("CELU", (), {}), ("CELU", (0.5,), {}), ("CELU", (-2.0,), {}),
    ("RReLU", (), {}), ("RReLU", (0.1, 0.3), {}), ("Hardshrink", (), {}),
    ("Hardshrink", (0.3,), {}), ("Softshrink", (), {}), ("Softshrink", (0.3,), {}),
    ("Tanhshrink", (), {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args,kwargs", ACTIVATIONS)
def test_activation_modules_match_torch(backend, name, args, kwargs, dtype):
    ours = getattr(nn, name)(*args, **kwargs).eval()    # eval: RReLU's fixed slope
    theirs = getattr(torch.nn, name)(*args, **kwargs).eval()
    assert repr(ours) == repr(theirs)
    compare_transposed(ours, theirs, inputs(dtype, (6, 5)), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", [
    ("selu", {}), ("celu", {"alpha": 2.0}), ("rrelu", {}), ("rrelu", {"lower": 0.2}),
    ("hardshrink", {"lambd": 0.3}), ("softshrink", {}), ("softshrink", {"lambd": 0.0}),
    ("tanhshrink", {})])
def test_functional_activations_match_torch_at_the_kinks(backend, name, kwargs, dtype):
    array = np.array(KINKS, dtype)
    x, tx = leaves(array)
    result = getattr(F, name)(x, **kwargs)
    expected = getattr(torch.nn.functional, name)(tx, **kwargs)
    check_backward([(result, expected)], [x], [tx], dtype)


def test_nan_passes_through_the_shrinks_as_in_torch():
    array = np.array([math.nan, 0.2, -2.0])
    for name in ("hardshrink", "softshrink", "tanhshrink", "selu", "celu"):
        np.testing.assert_allclose(
            getattr(F, name)(minitorch.tensor(array)).numpy(),
            getattr(torch.nn.functional, name)(torch.tensor(array)).numpy(), rtol=1e-15)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 5, 4), (2, 3, 5, 4)])
def test_softmax2d_is_softmax_over_channels_batched_or_not(backend, dtype, shape):
    ours, theirs = nn.Softmax2d(), torch.nn.Softmax2d()
    assert repr(ours) == repr(theirs)
    x, tx = leaves(inputs(dtype, shape))
    # a view with dims 0 and 1 swapped: not contiguous
    results = [(ours(x.transpose(0, 1)), theirs(tx.transpose(0, 1))), (ours(x), theirs(tx))]
    check_backward(results, [x], [tx], dtype)


# ---- in-place forms ----------------------------------------------------------------------

INPLACE = [("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 2.0)),
           ("threshold_", (0.3, -4.0)), ("selu_", ()), ("celu_", (1.5,)), ("rrelu_", ())]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_forms_write_into_their_input_and_differentiate(backend, name, args, dtype):
    x, tx = leaves(inputs(dtype, (4, 6)))
    target, ttarget = x * 1.0, tx * 1.0    # leaves that require grad refuse writes
    result = getattr(F, name)(target, *args)
    getattr(torch.nn.functional, name)(ttarget, *args)
    assert result is target
    check_backward([(target, ttarget)], [x], [tx], dtype)


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_forms_write_through_a_transposed_view(backend, name, args):
    array = inputs("float64", (4, 6))
    base, tbase = minitorch.tensor(array), torch.tensor(array)
    view = base.transpose(0, 1)
    assert getattr(F, name)(view, *args) is view
    getattr(torch.nn.functional, name)(tbase.transpose(0, 1), *args)
    assert_close(base, tbase, "float64")


@pytest.mark.parametrize("name,args", [("SELU", ()), ("CELU", (0.5,)), ("RReLU", (0.1, 0.2))])
def test_inplace_modules_write_into_their_input(backend, name, args):
    ours = getattr(nn, name)(*args, inplace=True).eval()
    theirs = getattr(torch.nn, name)(*args, inplace=True).eval()
    assert repr(ours) == repr(theirs)
    array = inputs("float32", (3, 4))
    x, tx = minitorch.tensor(array), torch.tensor(array)
    assert ours(x) is x
    theirs(tx)
    assert_close(x, tx, "float32")


# ---- RReLU while training ------------------------------------------------------------------

def test_rrelu_training_draws_one_uniform_slope_per_element(backend):
    lower, upper = 0.1, 0.4
    layer = nn.RReLU(lower, upper)
    array = np.where(np.arange(40000) % 2 == 0, -2.0, 3.0).reshape(200, 200)
    x = minitorch.tensor(array, requires_grad=True)
    out = layer(x)
    out.sum().backward()
    values, grads = out.detach().numpy(), x.grad.numpy()
    positive = array > 0
    np.testing.assert_array_equal(values[positive], 3.0)
    np.testing.assert_array_equal(grads[positive], 1.0)
    slopes = values[~positive] / -2.0
    assert slopes.min() >= lower and slopes.max() < upper
    assert abs(slopes.mean() - (lower + upper) / 2) < 0.003
    assert abs(slopes.var() - (upper - lower) ** 2 / 12) < 0.0005
    assert len(np.unique(slopes)) > 19000         # a slope per element, not per tensor
    np.testing.assert_allclose(grads[~positive], slopes, rtol=1e-12)   # d/dx = the slope
    layer.eval()
    np.testing.assert_allclose(layer(x).detach().numpy()[~positive], -2.0 * 0.25)


def test_rrelu_slopes_are_seeded_and_backend_independent(backend):
    minitorch.manual_seed(7)
    drawn = F.rrelu(-minitorch.ones(5, 6), training=True).numpy()
    minitorch.manual_seed(7)
    with minitorch.use_backend("numpy"):
        reference = F.rrelu(-minitorch.ones(5, 6), training=True).numpy()
    np.testing.assert_array_equal(drawn, reference)


# ---- channel dropout -------------------------------------------------------------------

CHANNEL_DROPOUTS = [   # F name, input shape, the dims one mask entry covers
    ("dropout1d", (60, 50, 3), (2,)), ("dropout1d", (3000, 3), (1,)),
    ("dropout2d", (60, 50, 2, 3), (2, 3)), ("dropout3d", (60, 50, 2, 1, 3), (2, 3, 4)),
    ("dropout3d", (3000, 2, 1, 3), (1, 2, 3)),
]


@pytest.mark.parametrize("name,shape,shared", CHANNEL_DROPOUTS)
def test_channel_dropout_zeroes_whole_channels_and_keeps_the_mean(backend, name, shape,
                                                                  shared):
    p = 0.3
    x = minitorch.ones(*shape, dtype=minitorch.float64, requires_grad=True)
    out = getattr(F, name)(x, p)
    out.sum().backward()
    values = out.detach().numpy()
    assert set(np.unique(values)) == {0.0, 1 / (1 - p)}
    per_channel = values.min(axis=shared)
    np.testing.assert_array_equal(per_channel, values.max(axis=shared))   # whole channels
    assert abs((per_channel == 0).mean() - p) < 0.03
    assert abs(values.mean() - 1.0) < 0.05
    np.testing.assert_array_equal(x.grad.numpy(), values)   # the same mask, scaled


@pytest.mark.parametrize("name,shape", [("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 4, 5)),
                                        ("Dropout3d", (3, 2, 4, 5)),
                                        ("AlphaDropout", (3, 4)),
                                        ("FeatureAlphaDropout", (2, 3, 4))])
def test_dropout_layers_print_as_torch_and_are_the_identity_in_eval(backend, name, shape):
    for args in [(), (0.2,), (0.0, True)]:
        assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    layer = getattr(nn, name)(0.5)
    x = minitorch.ones(*shape)
    assert layer.eval()(x) is x
    assert layer.train()(x) is not x
    zero = getattr(nn, name)(0.0)
    assert zero(x) is x
    everything = getattr(nn, name)(1.0)(x).numpy()
    np.testing.assert_array_equal(everything, np.zeros(shape, np.float32))   # as torch's


@pytest.mark.parametrize("name,shape", [("dropout1d", (40, 3)), ("dropout2d", (4, 5, 2, 3)),
                                        ("dropout3d", (5, 2, 3, 4)),
                                        ("alpha_dropout", (4, 5)),
                                        ("feature_alpha_dropout", (4, 5, 2))])
def test_dropouts_in_place_return_their_input_with_the_result(backend, name, shape):
    generator_seed = 11
    x = minitorch.ones(*shape)
    expected = getattr(F, name)(x, 0.4, True, generator=minitorch.Generator(generator_seed))
    assert getattr(F, name)(x, 0.4, True, True,
                            generator=minitorch.Generator(generator_seed)) is x
    np.testing.assert_array_equal(x.numpy(), expected.numpy())


def test_dropout2d_and_3d_warn_about_ranks_torch_deprecates():
    x = minitorch.ones(4, 5, 6)
    with pytest.warns(UserWarning, match="dropout2d: a 3-D input is read as .N, C, L."):
        out = F.dropout2d(x, 0.5).numpy()
    np.testing.assert_array_equal(out.min(axis=2), out.max(axis=2))   # channels of (N, C, L)
    with pytest.warns(UserWarning, match="dropout2d: a 2-D input is deprecated"):
        F.dropout2d(minitorch.ones(4, 5), 0.5)
    with pytest.warns(UserWarning, match="dropout3d: a 3-D input is deprecated"):
        out = F.dropout3d(x, 0.5).numpy()
    np.testing.assert_array_equal(out.min(axis=(1, 2)), out.max(axis=(1, 2)))  # (C, *)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(minitorch.ones(2, 3, 4, 5))
        F.dropout3d(minitorch.ones(2, 3, 4, 5))


# ---- alpha dropout ---------------------------------------------------------------------

def torch_affine(p):
    """What torch's alpha dropout makes of a kept element (a * x + b) and of a dropped
    one, found from torch itself."""
    x = torch.linspace(-2, 2, 4000, dtype=torch.float64)
    out = torch.nn.functional.alpha_dropout(x, p, True)
    dropped = torch.mode(out).values.item()
    kept = out != dropped
    slope, intercept = np.polyfit(x[kept].numpy(), out[kept].numpy(), 1)
    return slope, intercept, dropped


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_matches_torchs_scaling_and_keeps_mean_and_variance(backend, p):
    slope, intercept, dropped = torch_affine(p)
    array = normal((400, 500), "float64")
    x = minitorch.tensor(array, requires_grad=True)
    out = F.alpha_dropout(x, p, training=True)
    out.sum().backward()
    values = out.detach().numpy()
    is_dropped = np.isclose(values, dropped, rtol=1e-12, atol=0)
    assert abs(is_dropped.mean() - p) < 0.005
    np.testing.assert_allclose(values[~is_dropped], slope * array[~is_dropped] + intercept,
                               rtol=1e-9, atol=1e-9)
    assert abs(values.mean()) < 0.01 and abs(values.var() - 1.0) < 0.01
    np.testing.assert_allclose(x.grad.numpy(), np.where(is_dropped, 0.0, slope), rtol=1e-9)


def test_feature_alpha_dropout_drops_whole_channels(backend):
    array = normal((100, 80, 5), "float64")
    out = F.feature_alpha_dropout(minitorch.tensor(array), 0.4, training=True).numpy()
    _, _, dropped = torch_affine(0.4)
    is_dropped = np.isclose(out, dropped, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(is_dropped.all(axis=2), is_dropped.any(axis=2))
    assert abs(is_dropped.all(axis=2).mean() - 0.4) < 0.02


def test_alpha_dropouts_default_to_not_training_as_torch():
    x = minitorch.ones(3, 4)
    assert F.alpha_dropout(x) is x and F.feature_alpha_dropout(x) is x
    assert F.rrelu(-x).numpy().max() == pytest.approx(-(1 / 8 + 1 / 3) / 2)


def test_alpha_dropout_inplace_flag_is_only_printed_as_in_torch():
    x = minitorch.ones(3, 4)
    out = nn.AlphaDropout(0.5, inplace=True)(x)
    assert out is not x and np.all(x.numpy() == 1.0)


# ---- Bilinear --------------------------------------------------------------------------

def bilinear_pair(dtype, bias=True):
    theirs = torch.nn.Bilinear(4, 3, 5, bias=bias).to(TORCH_DTYPES[dtype])
    ours = nn.Bilinear(4, 3, 5, bias=bias, dtype=getattr(minitorch, dtype))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("leading", [(), (6,), (2, 3)])
def test_bilinear_matches_torch(backend, dtype, bias, leading):
    ours, theirs = bilinear_pair(dtype, bias)
    assert repr(ours) == repr(theirs)
    x1, tx1 = leaves(normal(leading + (4,), dtype, 1))
    x2, tx2 = leaves(normal(leading + (3,), dtype, 2))
    check_backward([(ours(x1, x2), theirs(tx1, tx2))], [x1, x2], [tx1, tx2], dtype,
                   ours, theirs)


def test_bilinear_takes_non_contiguous_inputs(backend):
    ours, theirs = bilinear_pair("float64")
    x1, tx1 = leaves(normal((4, 7), "float64", 1))     # used transposed: (7, 4)
    x2, tx2 = leaves(normal((7, 3), "float64", 2))
    check_backward([(ours(x1.T, x2), theirs(tx1.T, tx2))], [x1, x2], [tx1, tx2], "float64",
                   ours, theirs)
    assert_close(F.bilinear(x1.T, x2, ours.weight, ours.bias),
                 torch.nn.functional.bilinear(tx1.T, tx2, theirs.weight, theirs.bias),
                 "float64")


def test_bilinear_init_is_uniform_in_one_over_sqrt_in1():
    minitorch.manual_seed(0)
    layer = nn.Bilinear(16, 3, 400)
    bound = 1 / math.sqrt(16)
    for parameter in (layer.weight, layer.bias):
        values = parameter.detach().numpy()
        assert values.min() >= -bound and values.max() <= bound
        assert values.max() > 0.95 * bound and values.min() < -0.95 * bound
    assert layer.weight.shape == (400, 16, 3)


# ---- refused inputs --------------------------------------------------------------------

def test_bad_arguments_are_refused_naming_the_op():
    ones, weight = minitorch.ones(2, 4), minitorch.ones(5, 4, 3)
    cases = [
        (lambda: F.softshrink(ones, -1.0), ValueError, "softshrink: lambd must be at least 0"),
        (lambda: F.celu(ones, 0.0), ValueError, "celu: alpha cannot be 0"),
        (lambda: F.rrelu(ones, 0.5, 0.1), ValueError, "rrelu: lower bound 0.5"),
        (lambda: nn.RReLU(0.5, 0.1), ValueError, "RReLU: lower bound 0.5"),
        (lambda: F.selu(minitorch.tensor([1, 2])), TypeError, "selu: input must be floating"),
        (lambda: F.hardshrink(minitorch.tensor([1])), TypeError, "hardshrink: input must be"),
        (lambda: nn.Softmax2d()(ones), ValueError, "Softmax2d: expected a 3-D .* got 2x4"),
        (lambda: F.dropout1d(minitorch.ones(2, 3, 4, 5)), ValueError,
         "dropout1d: expected a 2-D .* got 2x3x4x5"),
        (lambda: F.dropout1d(ones, 1.5), ValueError, "dropout1d: probability p must be"),
        (lambda: nn.Dropout2d(-0.1), ValueError, "Dropout2d: probability p must be between"),
        (lambda: nn.AlphaDropout(2), ValueError, "AlphaDropout: probability p must be"),
        (lambda: F.feature_alpha_dropout(minitorch.ones(4), 0.5, True), ValueError,
         "feature_alpha_dropout: feature dropout needs a channel dim 1"),
        (lambda: F.bilinear(ones, minitorch.ones(3, 3), weight), ValueError,
         "bilinear: input1 .* and input2 .* same leading dims"),
        (lambda: F.bilinear(minitorch.ones(2, 3), minitorch.ones(2, 3), weight), ValueError,
         "bilinear: the last dim of input1 2x3 must be 4"),
        (lambda: F.bilinear(ones, minitorch.ones(2, 2), weight), ValueError,
         "bilinear: the last dim of input2"),
        (lambda: F.bilinear(ones, minitorch.ones(2, 3), minitorch.ones(5, 4)), ValueError,
         "bilinear: weight must be 3-D"),
        (lambda: F.bilinear(ones, minitorch.ones(2, 3), weight, minitorch.ones(4)),
         ValueError, r"bilinear: bias must be \(5,\)"),
        (lambda: F.bilinear(ones, minitorch.ones(2, 3, dtype=minitorch.float64), weight),
         TypeError, "bilinear: inputs, weight and bias must share one dtype"),
        (lambda: nn.Bilinear(0, 3, 2), ValueError, "Bilinear: in1_features must be positive"),
    ]
    for make, error, message in cases:
        with pytest.raises(error, match=message):
            make()


def test_refused_inplace_calls_leave_their_input_unchanged():
    x = minitorch.tensor([-1.0, 0.2, 2.0])
    for call in (lambda: F.celu_(x, 0.0), lambda: F.rrelu_(x, 0.4, 0.1, True),
                 lambda: F.dropout1d(x, 0.5, True, True)):
        with pytest.raises(ValueError):
            call()
        np.testing.assert_array_equal(x.numpy(), np.array([-1.0, 0.2, 2.0], np.float32))


@pytest.mark.parametrize("name", ["SiLU", "Mish", "Hardswish", "ELU", "Hardtanh"])
def test_inplace_modules_differentiate_through_the_write(backend, name):
    # these activations save their input: the write must not spoil their backward
    x, tx = leaves(inputs("float64", (4, 6)))
    target, ttarget = x * 1.0, tx * 1.0
    assert getattr(nn, name)(inplace=True)(target) is target
    getattr(torch.nn, name)(inplace=True)(ttarget)
    check_backward([(target, ttarget)], [x], [tx], "float64")
