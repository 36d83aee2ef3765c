"""grid_sample / affine_grid, gumbel_softmax, pdist, fractional max pooling,
AdaptiveLogSoftmaxWithLoss, the RNN base classes and the torch.nn.modules import paths,
against torch."""
import importlib
import warnings

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F

DTYPES = ("float32", "float64")


def _pair(array, requires_grad=True):
    """The same values as a minitorch tensor and a torch tensor."""
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def _grid(shape, dtype, seed):
    """Normalised points reaching past both borders, so every padding mode matters."""
    return np.random.default_rng(seed).uniform(-1.3, 1.3, shape).astype(dtype)


# ---- grid_sample ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_2d_matches_torch(backend, dtype, mode, padding_mode, align_corners):
    input, tinput = _pair(normal((2, 3, 5, 6), dtype))
    grid, tgrid = _pair(_grid((2, 4, 3, 2), dtype, 1))
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    result = F.grid_sample(input, grid, **options)
    expected = torch.nn.functional.grid_sample(tinput, tgrid, **options)
    if mode == "nearest":   # no gradient reaches the grid
        check_backward([(result, expected)], [input], [tinput], dtype)
    else:
        check_backward([(result, expected)], [input, grid], [tinput, tgrid], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_3d_matches_torch(backend, dtype, mode, padding_mode, align_corners):
    input, tinput = _pair(normal((2, 2, 4, 3, 5), dtype))
    grid, tgrid = _pair(_grid((2, 3, 2, 2, 3), dtype, 2))
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    result = F.grid_sample(input, grid, **options)
    expected = torch.nn.functional.grid_sample(tinput, tgrid, **options)
    leaves = ([input], [tinput]) if mode == "nearest" else ([input, grid], [tinput, tgrid])
    check_backward([(result, expected)], *leaves, dtype)


def test_grid_sample_non_contiguous_inputs(backend):
    base, tbase = _pair(normal((2, 3, 6, 5), "float64"))
    grid_base, tgrid_base = _pair(_grid((2, 3, 4, 2), "float64", 3))
    input, grid = base.transpose(2, 3), grid_base.transpose(1, 2)
    assert not input.is_contiguous() and not grid.is_contiguous()
    result = F.grid_sample(input, grid, mode="bicubic", padding_mode="reflection",
                           align_corners=False)
    expected = torch.nn.functional.grid_sample(tbase.transpose(2, 3), tgrid_base.transpose(1, 2),
                                               mode="bicubic", padding_mode="reflection",
                                               align_corners=False)
    check_backward([(result, expected)], [base, grid_base], [tbase, tgrid_base], "float64")


def test_grid_sample_on_python_backend():
    with minitorch.use_backend("python"):
        input, tinput = _pair(normal((1, 1, 3, 3), "float64"))
        grid, tgrid = _pair(_grid((1, 2, 2, 2), "float64", 4))
        result = F.grid_sample(input, grid, align_corners=True)
        expected = torch.nn.functional.grid_sample(tinput, tgrid, align_corners=True)
        check_backward([(result, expected)], [input, grid], [tinput, tgrid], "float64")


def test_grid_sample_and_affine_grid_warn_without_align_corners():
    input, grid = minitorch.zeros(1, 1, 2, 2), minitorch.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="grid_sample: the default align_corners"):
        F.grid_sample(input, grid)
    with pytest.warns(UserWarning, match="affine_grid: the default align_corners"):
        F.affine_grid(minitorch.zeros(1, 2, 3), (1, 1, 2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(input, grid, align_corners=False)


@pytest.mark.parametrize("input_shape, grid_shape, options, error, match", [
    ((1, 1, 3), (1, 2, 1), {}, ValueError, "grid_sample: expected a 4-D"),
    ((1, 1, 3, 3), (1, 2, 2, 3), {}, ValueError, r"grid_sample: a 4-D input .* needs a grid"),
    ((2, 1, 3, 3), (1, 2, 2, 2), {}, ValueError, "needs a grid"),
    ((1, 1, 3, 3, 3), (1, 2, 2, 2, 3), {"mode": "bicubic"}, ValueError,
     "bicubic' supports only 4-D"),
    ((1, 1, 3, 3), (1, 2, 2, 2), {"mode": "area"}, ValueError, "grid_sample: mode must be"),
    ((1, 1, 3, 3), (1, 2, 2, 2), {"padding_mode": "wrap"}, ValueError,
     "grid_sample: padding_mode must be"),
])
def test_grid_sample_refuses_bad_arguments(input_shape, grid_shape, options, error, match):
    with pytest.raises(error, match=match):
        F.grid_sample(minitorch.zeros(*input_shape), minitorch.zeros(*grid_shape),
                      align_corners=False, **options)


def test_grid_sample_refuses_bad_dtypes():
    with pytest.raises(TypeError, match="grid_sample: input must be floating"):
        F.grid_sample(minitorch.zeros(1, 1, 2, 2, dtype="int64"), minitorch.zeros(1, 1, 1, 2),
                      align_corners=False)
    with pytest.raises(TypeError, match=r"grid_sample: input \(float32\) and grid "
                                        r"\(float64\) must have the same dtype"):
        F.grid_sample(minitorch.zeros(1, 1, 2, 2), minitorch.zeros(1, 1, 1, 2, dtype="float64"),
                      align_corners=False)


# ---- affine_grid ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 4, 2), (1, 2, 1, 3)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(backend, dtype, size, align_corners):
    dims = len(size) - 2
    theta, ttheta = _pair(normal((size[0], dims, dims + 1), dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch's and ours: unit sizes with align_corners
        result = F.affine_grid(theta, size, align_corners=align_corners)
        expected = torch.nn.functional.affine_grid(ttheta, size, align_corners=align_corners)
    check_backward([(result, expected)], [theta], [ttheta], dtype)


def test_affine_grid_then_grid_sample_is_identity_for_the_identity_transform(backend):
    input = minitorch.tensor(normal((2, 3, 4, 5), "float64"))
    theta = minitorch.tensor(np.tile(np.eye(2, 3), (2, 1, 1)))
    grid = F.affine_grid(theta, input.shape, align_corners=False)
    result = F.grid_sample(input, grid, align_corners=False)
    np.testing.assert_allclose(result.numpy(), input.numpy(), atol=1e-12)


@pytest.mark.parametrize("theta_shape, size, error, match", [
    ((1, 2, 3), (1, 1, 4), NotImplementedError, "affine_grid: only 4-D and 5-D sizes"),
    ((1, 3, 4), (1, 1, 4, 4), ValueError, r"affine_grid: for size .* theta must be"),
    ((2, 2, 3), (1, 1, 4, 4), ValueError, "theta must be 1x2x3, got 2x2x3"),
    ((1, 2, 3), (1, 1, 0, 4), ValueError, "affine_grid: size must be positive"),
])
def test_affine_grid_refuses_bad_arguments(theta_shape, size, error, match):
    with pytest.raises(error, match=match):
        F.affine_grid(minitorch.zeros(*theta_shape), size, align_corners=False)
    with pytest.raises(TypeError, match="affine_grid: theta must be floating"):
        F.affine_grid(minitorch.zeros(1, 2, 3, dtype="int64"), (1, 1, 2, 2), False)


# ---- gumbel_softmax ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_gumbel_softmax_samples_follow_the_softmax(dtype):
    probabilities = np.array([0.1, 0.2, 0.7])
    logits = minitorch.tensor(np.tile(np.log(probabilities), (20000, 1)).astype(dtype))
    minitorch.manual_seed(0)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert hard.dtype.name == dtype and hard.shape == (20000, 3)
    values = hard.numpy()
    assert set(np.unique(values)) == {0.0, 1.0} and (values.sum(1) == 1).all()
    np.testing.assert_allclose(values.mean(0), probabilities, atol=0.01)
    soft = F.gumbel_softmax(logits, tau=2.0).numpy()
    np.testing.assert_allclose(soft.sum(1), 1, rtol=1e-5)
    assert 0 < soft.min() and soft.max() < 1


def test_gumbel_softmax_uses_minitorch_generator_and_dim():
    logits = minitorch.tensor(normal((3, 4, 5), "float64"))
    minitorch.manual_seed(7)
    first = F.gumbel_softmax(logits, dim=1)
    minitorch.manual_seed(7)
    again = F.gumbel_softmax(logits, dim=1)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    np.testing.assert_allclose(first.numpy().sum(1), 1, rtol=1e-12)


def test_gumbel_softmax_hard_is_straight_through():
    weights = minitorch.tensor(normal((4, 6), "float64", 1))
    grads = []
    for hard in (False, True):
        logits = minitorch.tensor(normal((4, 6), "float64"), requires_grad=True)
        minitorch.manual_seed(3)
        sample = F.gumbel_softmax(logits, tau=0.7, hard=hard)
        (sample * weights).sum().backward()
        grads.append(logits.grad.numpy())
        if hard:   # the one-hot of the soft sample's maximum
            minitorch.manual_seed(3)
            soft = F.gumbel_softmax(logits.detach(), tau=0.7).numpy()
            np.testing.assert_array_equal(sample.detach().numpy().argmax(1), soft.argmax(1))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
    assert np.abs(grads[0]).max() > 0


def test_gumbel_softmax_refuses_integers_and_warns_on_eps():
    with pytest.raises(TypeError, match="gumbel_softmax: input must be floating"):
        F.gumbel_softmax(minitorch.zeros(2, 3, dtype="int64"))
    with pytest.warns(UserWarning, match="gumbel_softmax: `eps` is deprecated"):
        F.gumbel_softmax(minitorch.zeros(2, 3), eps=1e-5)


# ---- pdist ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [1, 2, 3.5, float("inf")])
def test_pdist_matches_torch(backend, dtype, p):
    input, tinput = _pair(normal((5, 3), dtype))
    check_backward([(F.pdist(input, p), torch.nn.functional.pdist(tinput, p))],
                   [input], [tinput], dtype)


def test_pdist_of_a_transposed_view(backend):
    base, tbase = _pair(normal((3, 4), "float64"))
    check_backward([(F.pdist(base.T), torch.nn.functional.pdist(tbase.T))], [base], [tbase],
                   "float64")


def test_pdist_refuses_bad_input():
    with pytest.raises(ValueError, match=r"pdist: expected a 2-D input \(N, M\), got 3-D"):
        F.pdist(minitorch.zeros(2, 3, 4))
    with pytest.raises(TypeError, match="pdist: input must be floating"):
        F.pdist(minitorch.zeros(2, 3, dtype="int64"))


# ---- fractional max pooling -------------------------------------------------------------

FRACTIONAL = {2: (F.fractional_max_pool2d, torch.nn.functional.fractional_max_pool2d,
                  (9, 11), (2, 3), (4, 5), (0.5, 0.7)),
              3: (F.fractional_max_pool3d, torch.nn.functional.fractional_max_pool3d,
                  (7, 8, 6), (2, 3, 2), (3, 4, 3), (0.5, 0.6, 0.4))}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("by_ratio", [False, True])
def test_fractional_max_pool_matches_torch_exactly(backend, dtype, dims, batched, by_ratio):
    ours, theirs, spatial, kernel, outputs, ratios = FRACTIONAL[dims]
    shape = ((2, 3) if batched else (3,)) + spatial
    samples = np.random.default_rng(5).uniform(size=((2 if batched else 1), 3, dims))
    samples = samples.astype(dtype)
    size = dict(output_ratio=ratios) if by_ratio else dict(output_size=outputs)
    input, tinput = _pair(normal(shape, dtype))
    result, indices = ours(input, kernel, return_indices=True,
                           _random_samples=minitorch.tensor(samples), **size)
    expected, tindices = theirs(tinput, kernel, return_indices=True,
                                _random_samples=torch.tensor(samples), **size)
    np.testing.assert_array_equal(result.detach().numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
    assert indices.dtype.name == "int64"
    check_backward([(result, expected)], [input], [tinput], dtype)


def test_fractional_max_pool_places_windows_in_float32_as_torch():
    # samples where (i + u) * alpha falls on the other side of an integer in float64
    samples = np.array([[[0.03448273241519928, 0.5], [0.4482754170894623, 0.5]]],
                       dtype="float32")
    input, tinput = _pair(normal((1, 2, 4, 31), "float32"), requires_grad=False)
    result, indices = F.fractional_max_pool2d(input, 2, output_size=(3, 10),
                                              return_indices=True,
                                              _random_samples=minitorch.tensor(samples))
    expected, tindices = torch.nn.functional.fractional_max_pool2d(
        tinput, 2, output_size=(3, 10), return_indices=True,
        _random_samples=torch.tensor(samples))
    np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
    np.testing.assert_array_equal(result.numpy(), expected.numpy())


def test_fractional_max_pool_of_a_transposed_view(backend):
    base, tbase = _pair(normal((2, 3, 10, 9), "float32"))
    samples = np.random.default_rng(6).uniform(size=(2, 3, 2)).astype("float32")
    result = F.fractional_max_pool2d(base.transpose(2, 3), 3, output_size=(4, 3),
                                     _random_samples=minitorch.tensor(samples))
    expected = torch.nn.functional.fractional_max_pool2d(
        tbase.transpose(2, 3), 3, output_size=(4, 3), _random_samples=torch.tensor(samples))
    np.testing.assert_array_equal(result.detach().numpy(), expected.detach().numpy())
    check_backward([(result, expected)], [base], [tbase], "float32")


def test_fractional_max_pool_draws_its_samples_from_minitorch_generator():
    input = minitorch.tensor(normal((2, 3, 12, 12), "float64"))
    minitorch.manual_seed(1)
    first = F.fractional_max_pool2d(input, 2, output_ratio=0.5)
    minitorch.manual_seed(1)
    again = F.fractional_max_pool2d(input, 2, output_ratio=0.5)
    assert first.shape == (2, 3, 6, 6)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    # each output is the maximum of some 2x2 window of its plane
    windows = np.lib.stride_tricks.sliding_window_view(input.numpy(), (2, 2), axis=(2, 3))
    maxima = windows.max((-1, -2)).reshape(2, 3, -1)
    assert all(np.isin(first.numpy()[n, c], maxima[n, c]).all()
               for n in range(2) for c in range(3))


@pytest.mark.parametrize("dims", [2, 3])
def test_fractional_max_pool_module(backend, dims):
    _, _, spatial, kernel, outputs, _ = FRACTIONAL[dims]
    name = f"FractionalMaxPool{dims}d"
    samples = np.random.default_rng(7).uniform(size=(1, 2, dims)).astype("float32")
    layer = getattr(nn, name)(kernel, output_size=outputs,
                              _random_samples=minitorch.tensor(samples), return_indices=True)
    reference = getattr(torch.nn, name)(kernel, output_size=outputs,
                                        _random_samples=torch.tensor(samples),
                                        return_indices=True)
    assert repr(layer) == repr(reference)
    assert list(layer.state_dict()) == list(reference.state_dict()) == ["_random_samples"]
    input, tinput = _pair(normal((1, 2) + spatial, "float32"))
    (result, indices), (expected, tindices) = layer(input), reference(tinput)
    np.testing.assert_array_equal(result.detach().numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
    assert list(getattr(nn, name)(2, output_ratio=0.5).state_dict()) == []


@pytest.mark.parametrize("call, match", [
    (lambda x: F.fractional_max_pool2d(x, 2), "give exactly one of output_size"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_size=3, output_ratio=0.5),
     "give exactly one of output_size"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_ratio=1.5), "output_ratio must be"),
    (lambda x: F.fractional_max_pool2d(x, 4, output_size=5), r"5 windows of size 4 do not fit"),
    (lambda x: F.fractional_max_pool2d(x[0, 0], 2, output_size=3),
     r"fractional_max_pool2d: expected a 3-D \(C, H, W\) or 4-D"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_size=3,
                                       _random_samples=minitorch.zeros(1, 2, 2)),
     r"_random_samples must be 2x2x2 \(N, C, 2\), got 1x2x2"),
    (lambda x: nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1.0)),
     "FractionalMaxPool2d: output_ratio must be"),
    (lambda x: nn.FractionalMaxPool3d(2), "FractionalMaxPool3d: give exactly one"),
])
def test_fractional_max_pool_refuses_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call(minitorch.zeros(2, 2, 6, 6))


# ---- AdaptiveLogSoftmaxWithLoss ---------------------------------------------------------

def _adaptive_pair(dtype, head_bias):
    torch.manual_seed(0)
    reference = torch.nn.AdaptiveLogSoftmaxWithLoss(12, 20, [4, 10, 15], div_value=2.0,
                                                    head_bias=head_bias).to(getattr(torch, dtype))
    layer = nn.AdaptiveLogSoftmaxWithLoss(12, 20, [4, 10, 15], div_value=2.0,
                                          head_bias=head_bias, dtype=dtype)
    layer.load_state_dict({key: minitorch.tensor(value.numpy())
                           for key, value in reference.state_dict().items()})
    return layer, reference


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_matches_torch(backend, dtype, head_bias):
    layer, reference = _adaptive_pair(dtype, head_bias)
    assert list(layer.state_dict()) == list(reference.state_dict())
    assert "tail.0.0.weight" in layer.state_dict() and repr(layer) == repr(reference)
    input, tinput = _pair(normal((30, 12), dtype))
    labels = np.random.default_rng(1).integers(0, 20, 30)
    result = layer(input, minitorch.tensor(labels))
    expected = reference(tinput, torch.tensor(labels))
    assert result._fields == ("output", "loss")
    check_backward([(result.output, expected.output), (result.loss, expected.loss)],
                   [input], [tinput], dtype, layer, reference)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_log_softmax_log_prob_and_predict(backend, dtype):
    layer, reference = _adaptive_pair(dtype, True)
    base, tbase = _pair(normal((12, 40), dtype))
    input, tinput = base.T, tbase.T   # non-contiguous rows
    check_backward([(layer.log_prob(input), reference.log_prob(tinput))], [base], [tbase],
                   dtype)
    np.testing.assert_array_equal(layer.predict(input).numpy(),
                                  reference.predict(tinput).numpy())
    np.testing.assert_allclose(np.exp(layer.log_prob(input).detach().numpy()).sum(1), 1,
                               rtol=1e-5)
    single, tsingle = input[3].detach(), tinput[3].detach()
    result, expected = layer(single, minitorch.tensor(7)), reference(tsingle, torch.tensor(7))
    assert_close(result.output, expected.output, dtype)
    assert_close(result.loss, expected.loss, dtype)


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m(minitorch.zeros(3, 12), minitorch.tensor([0, 1, 20])), RuntimeError,
     r"target values must be in \[0, 19\]"),
    (lambda m: m(minitorch.zeros(3, 12), minitorch.tensor([0, 1])), RuntimeError,
     "differ in batch size"),
    (lambda m: m(minitorch.zeros(3, 5), minitorch.tensor([0, 1, 2])), RuntimeError,
     r"forward: expected input \(N, in_features\) with in_features = 12"),
    (lambda m: m(minitorch.zeros(3, 12), minitorch.zeros(3, 2, dtype="int64")),
     RuntimeError, "0-D or 1-D target expected"),
    (lambda m: m(minitorch.zeros(3, 12), minitorch.zeros(3)), TypeError,
     "target must be int64"),
    (lambda m: m.log_prob(minitorch.zeros(12)), RuntimeError,
     r"log_prob: expected input \(N, in_features\)"),
    (lambda m: m.predict(minitorch.zeros(2, 2, 12)), RuntimeError, "predict: expected"),
    (lambda m: nn.AdaptiveLogSoftmaxWithLoss(12, 20, [10, 4]), ValueError,
     "cutoffs must be unique ints in increasing order"),
    (lambda m: nn.AdaptiveLogSoftmaxWithLoss(12, 20, [4, 20]), ValueError,
     "between 1 and n_classes - 1 = 19"),
    (lambda m: nn.AdaptiveLogSoftmaxWithLoss(12, 20, []), ValueError, "non-empty"),
])
def test_adaptive_log_softmax_refuses_bad_input(call, error, match):
    layer = nn.AdaptiveLogSoftmaxWithLoss(12, 20, [4, 10])
    with pytest.raises(error, match=match):
        call(layer)


# ---- base classes and torch.nn.modules paths --------------------------------------------

def test_rnn_base_classes_as_torch():
    for layer in (nn.RNN(2, 3), nn.LSTM(2, 3), nn.GRU(2, 3)):
        assert isinstance(layer, nn.RNNBase) and not isinstance(layer, nn.RNNCellBase)
    for cell in (nn.RNNCell(2, 3), nn.LSTMCell(2, 3), nn.GRUCell(2, 3)):
        assert isinstance(cell, nn.RNNCellBase) and not isinstance(cell, nn.RNNBase)


@pytest.mark.parametrize("path, names", [
    ("module", ["Module"]),
    ("loss", ["_Loss", "_WeightedLoss", "MSELoss", "CrossEntropyLoss", "CTCLoss"]),
    ("linear", ["Linear", "Identity", "Bilinear", "LazyLinear"]),
    ("conv", ["Conv2d", "ConvTranspose3d", "_ConvNd", "LazyConv1d"]),
    ("pooling", ["MaxPool2d", "AdaptiveAvgPool3d", "FractionalMaxPool2d"]),
    ("batchnorm", ["BatchNorm1d", "_BatchNorm", "_NormBase", "LazyBatchNorm2d"]),
    ("activation", ["ReLU", "GELU", "Softmax", "MultiheadAttention"]),
    ("container", ["Sequential", "ModuleList", "ModuleDict", "ParameterList"]),
    ("dropout", ["Dropout", "Dropout2d", "AlphaDropout", "_DropoutNd"]),
    ("rnn", ["RNN", "LSTM", "GRUCell", "RNNBase", "RNNCellBase"]),
    ("normalization", ["LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm"]),
    ("transformer", ["Transformer", "TransformerEncoderLayer", "TransformerDecoder"]),
    ("sparse", ["Embedding", "EmbeddingBag"]),
])
def test_nn_modules_import_paths_as_torch(path, names):
    ours = importlib.import_module(f"minitorch.nn.modules.{path}")
    theirs = importlib.import_module(f"torch.nn.modules.{path}")
    for name in names:
        assert hasattr(theirs, name)
        assert getattr(ours, name) is getattr(nn, name, getattr(ours, name))
    from minitorch.nn.modules.loss import _Loss, _WeightedLoss
    assert issubclass(nn.NLLLoss, _WeightedLoss) and issubclass(nn.MSELoss, _Loss)
    from minitorch.nn.modules.module import Module
    assert Module is nn.Module
