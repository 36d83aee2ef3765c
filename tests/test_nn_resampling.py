"""Padding layers, pixel and channel shuffles, and interpolate's modes (with Upsample and
its fixed-mode layers) against torch: values, gradients, reprs, state dicts and the
inputs and arguments refused."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

DTYPES = ["float32", "float64"]


def _leaves(shape, dtype, seed=0, transpose=False):
    """(ours, theirs) leaves of the same random values, and the inputs built from them:
    the leaves themselves, or (transpose) their non-contiguous view with the last two
    dims swapped."""
    data = normal(shape, dtype, seed)
    ours = minitorch.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    if transpose:
        return ours, theirs, ours.transpose(-1, -2), theirs.transpose(-1, -2)
    return ours, theirs, ours, theirs


def _check(ours_fn, theirs_fn, shape, dtype, transpose=False):
    """ours_fn(x) vs theirs_fn(x): values and the input's gradient."""
    ours, theirs, x, tx = _leaves(shape, dtype, transpose=transpose)
    check_backward([(ours_fn(x), theirs_fn(tx))], [ours], [theirs], dtype)


def _check_layer(name, args, shape, dtype, transpose=False):
    """Layer `name`(*args) vs torch's: repr, state dict (loaded from torch's), values and
    the input's gradient."""
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(theirs.state_dict())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _check(ours, theirs, shape, dtype, transpose)


# ---- padding layers ---------------------------------------------------------------------

# (layer, args, input shape): each family and dims, int and tuple padding, batched and
# unbatched inputs, negative (cropping) amounts where the mode allows them
PADDING_LAYERS = [
    ("ZeroPad1d", (2,), (3, 5)), ("ZeroPad1d", ((1, -2),), (2, 3, 5)),
    ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)), ("ZeroPad2d", (1,), (3, 4, 5)),
    ("ZeroPad3d", ((1, 0, 2, 1, 0, 1),), (1, 2, 3, 4, 2)), ("ZeroPad3d", (1,), (2, 3, 2, 2)),
    ("ConstantPad1d", (3, 1.5), (2, 3, 4)), ("ConstantPad1d", ((0, 2), -1), (3, 4)),
    ("ConstantPad2d", ((2, 1, -1, 1), 0.5), (2, 3, 4, 5)),
    ("ConstantPad2d", (1, 2.0), (3, 4, 5)),
    ("ConstantPad3d", (1, -2.5), (1, 2, 3, 2, 2)),
    ("ConstantPad3d", ((0, 1, 1, 0, 2, 1), 1.0), (2, 2, 3, 3)),
    ("ReflectionPad1d", (2,), (3, 5)), ("ReflectionPad1d", ((3, 1),), (2, 3, 5)),
    ("ReflectionPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)), ("ReflectionPad2d", (1,), (3, 4, 5)),
    ("ReflectionPad3d", ((1, 0, 2, 1, 0, 1),), (1, 2, 3, 4, 2)),
    ("ReflectionPad3d", (1,), (2, 3, 2, 2)),
    ("ReplicationPad1d", (3,), (3, 2)), ("ReplicationPad1d", ((-1, 2),), (2, 3, 5)),
    ("ReplicationPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)), ("ReplicationPad2d", (2,), (3, 4, 5)),
    ("ReplicationPad3d", (1,), (1, 2, 3, 4, 2)), ("ReplicationPad3d", ((2, 0, 1, 1, 0, 1),),
                                                  (2, 3, 2, 2)),
    ("CircularPad1d", (2,), (3, 5)), ("CircularPad1d", ((-1, 3),), (2, 3, 5)),
    ("CircularPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)), ("CircularPad2d", (1,), (3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 2)), ("CircularPad3d", ((2, 0, 1, 1, 0, 1),),
                                               (2, 3, 2, 2)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args, shape", PADDING_LAYERS)
def test_padding_layers_match_torch(backend, name, args, shape, dtype):
    _check_layer(name, args, shape, dtype)


@pytest.mark.parametrize("family", ["Zero", "Constant", "Reflection", "Replication",
                                    "Circular"])
def test_padding_layers_of_a_transposed_input_match_torch(backend, family):
    args = ((1, 2, 2, 1), 0.25) if family == "Constant" else ((1, 2, 2, 1),)
    _check_layer(f"{family}Pad2d", args, (2, 3, 5, 4), "float32", transpose=True)


def test_padding_layers_are_torchs_kinds():
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)
    assert nn.ConstantPad1d([1, 2], 0).padding == (1, 2)   # lists become tuples, as torch
    assert nn.ZeroPad3d(1).value == 0.0


@pytest.mark.parametrize("make, shape, message", [
    (lambda: nn.ReflectionPad2d(1), (2, 3, 4, 5, 6),
     r"ReflectionPad2d: expected a 3-D or 4-D input, got 5-D input 2x3x4x5x6"),
    (lambda: nn.ReplicationPad1d(1), (5,),
     r"ReplicationPad1d: expected a 2-D or 3-D input, got 1-D input 5"),
    (lambda: nn.CircularPad3d(1), (2, 3, 4),
     r"CircularPad3d: expected a 4-D or 5-D input, got 3-D input 2x3x4"),
    (lambda: nn.ReflectionPad1d(5), (2, 3, 5),
     r"pad: mode='reflect' needs each padding less than the size of its dim"),
])
def test_padding_layers_refuse_bad_inputs(make, shape, message):
    with pytest.raises(ValueError, match=message):
        make()(minitorch.ones(*shape))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.ZeroPad2d((1, 2)), r"ZeroPad2d: padding must be an int or a tuple of 4 "
                                   r"ints, got \(1, 2\)"),
    (lambda: nn.ConstantPad1d(1.5, 0), r"ConstantPad1d: padding must be an int or a tuple "
                                       r"of 2 ints, got 1.5"),
    (lambda: nn.ReflectionPad3d((1, 1, 1, 1, 1, True)), "ReflectionPad3d: padding must be"),
    (lambda: nn.CircularPad1d(None), "CircularPad1d: padding must be"),
])
def test_padding_layers_refuse_bad_padding(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ---- pixel and channel shuffles ---------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factor, shape", [(2, (8, 3, 2)), (2, (2, 4, 3, 5)),
                                           (3, (2, 1, 9, 2, 1)), (1, (2, 3, 4))])
def test_pixel_shuffle_matches_torch(backend, factor, shape, dtype):
    _check(lambda x: F.pixel_shuffle(x, factor), lambda x: TF.pixel_shuffle(x, factor),
           shape, dtype)
    _check_layer("PixelShuffle", (factor,), shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factor, shape", [(2, (3, 4, 2)), (2, (2, 3, 4, 6)),
                                           (3, (2, 1, 2, 6, 3)), (1, (2, 3, 4))])
def test_pixel_unshuffle_matches_torch(backend, factor, shape, dtype):
    _check(lambda x: F.pixel_unshuffle(x, factor), lambda x: TF.pixel_unshuffle(x, factor),
           shape, dtype)
    _check_layer("PixelUnshuffle", (factor,), shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("groups, shape", [(2, (2, 6, 3)), (3, (1, 6, 2, 2)),
                                           (2, (2, 4, 1, 2, 3)), (1, (2, 3, 2))])
def test_channel_shuffle_matches_torch(backend, groups, shape, dtype):
    _check(lambda x: F.channel_shuffle(x, groups), lambda x: TF.channel_shuffle(x, groups),
           shape, dtype)
    _check_layer("ChannelShuffle", (groups,), shape, dtype)


def test_shuffles_of_a_transposed_input_match_torch(backend):
    _check(lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2),
           (2, 4, 3, 5), "float32", transpose=True)
    _check(lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2),
           (2, 3, 4, 6), "float32", transpose=True)
    _check(lambda x: F.channel_shuffle(x, 2), lambda x: TF.channel_shuffle(x, 2),
           (2, 4, 3, 5), "float32", transpose=True)


def test_shuffles_round_trip():
    x = minitorch.arange(2 * 8 * 3 * 4.0).reshape(2, 8, 3, 4)
    assert F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).tolist() == x.tolist()
    assert F.channel_shuffle(F.channel_shuffle(x, 2), 4).tolist() == x.tolist()


@pytest.mark.parametrize("call, message", [
    (lambda: F.pixel_shuffle(minitorch.ones(4, 3), 2),
     r"pixel_shuffle: expected an input of at least 3 dims \(\*, C, H, W\), got 4x3"),
    (lambda: F.pixel_shuffle(minitorch.ones(1, 6, 2, 2), 2),
     r"pixel_shuffle: the channel dim \(-3\) of input 1x6x2x2 must be a multiple of "
     r"upscale_factor \*\* 2 = 4"),
    (lambda: F.pixel_shuffle(minitorch.ones(1, 4, 2, 2), 0),
     "pixel_shuffle: upscale_factor must be a positive int, got 0"),
    (lambda: nn.PixelShuffle(2.0)(minitorch.ones(1, 4, 2, 2)),
     "pixel_shuffle: upscale_factor must be a positive int, got 2.0"),
    (lambda: F.pixel_unshuffle(minitorch.ones(1, 1, 4, 3), 2),
     r"pixel_unshuffle: the height and width \(dims -2, -1\) of input 1x1x4x3 must be "
     "multiples of downscale_factor 2"),
    (lambda: F.pixel_unshuffle(minitorch.ones(2, 4), 2),
     "pixel_unshuffle: expected an input of at least 3 dims"),
    (lambda: F.pixel_unshuffle(minitorch.ones(1, 1, 4, 4), -2),
     "pixel_unshuffle: downscale_factor must be a positive int, got -2"),
    (lambda: F.channel_shuffle(minitorch.ones(2, 6), 2),
     r"channel_shuffle: expected an input of at least 3 dims \(N, C, \*\), got 2x6"),
    (lambda: F.channel_shuffle(minitorch.ones(1, 4, 3), 3),
     r"channel_shuffle: the channel dim \(1\) of input 1x4x3 must be a multiple of groups 3"),
    (lambda: nn.ChannelShuffle(0)(minitorch.ones(1, 4, 3)),
     "channel_shuffle: groups must be a positive int, got 0"),
])
def test_shuffles_refuse_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- interpolate ------------------------------------------------------------------------

# (input shape, options): upsampling and downsampling, odd sizes, sizes, integer and
# non-integer scale factors (one, or one per dim), recompute_scale_factor, and an output
# as large as the input from a scale factor other than 1 (torch's linear kernels copy
# there, its cubic one does not)
SAME_SIZE = {"scale_factor": 1.1}   # an output as large as the input, but scaled
RESIZES = {
    1: [((2, 3, 7), {"scale_factor": 2}), ((2, 3, 7), {"scale_factor": 0.6}),
        ((1, 2, 5), {"size": 13}), ((2, 1, 9), {"size": 4}), ((1, 2, 1), {"size": 3}),
        ((1, 2, 5), SAME_SIZE), ((2, 2, 6), {"size": 1}),
        ((1, 3, 6), {"scale_factor": 1.7, "recompute_scale_factor": True})],
    2: [((2, 3, 5, 6), {"scale_factor": 2}), ((1, 2, 7, 5), {"scale_factor": (0.6, 1.5)}),
        ((2, 1, 5, 3), {"size": (9, 4)}), ((1, 2, 6, 9), {"size": (3, 2)}),
        ((1, 1, 5, 5), SAME_SIZE),
        ((1, 2, 4, 5), {"scale_factor": 2.3, "recompute_scale_factor": True})],
    3: [((1, 2, 3, 4, 5), {"scale_factor": 2}),
        ((2, 1, 5, 3, 4), {"scale_factor": (0.6, 1.5, 2.2)}),
        ((1, 2, 3, 4, 2), {"size": (5, 2, 3)})],
}
INTERPOLATING = [("linear", 1), ("bilinear", 2), ("bicubic", 2), ("trilinear", 3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode, shape, options", [
    (mode, shape, options) for mode, dims in INTERPOLATING for shape, options in RESIZES[dims]
    if (mode, options) != ("bicubic", SAME_SIZE)])
def test_interpolating_modes_match_torch(backend, mode, shape, options, align_corners, dtype):
    _check(lambda x: F.interpolate(x, mode=mode, align_corners=align_corners, **options),
           lambda x: TF.interpolate(x, mode=mode, align_corners=align_corners, **options),
           shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic_at_the_input_size_matches_torchs_forward(backend, align_corners, dtype):
    """torch's bicubic backward copies the gradient when the output is as large as the
    input, while its forward interpolates at the scaled positions; the gradient here is
    the adjoint of that forward: <forward(x), w> == <x, gradient>."""
    data, weights = normal((1, 2, 5, 5), dtype), normal((1, 2, 5, 5), dtype, seed=1)
    x = minitorch.tensor(data, requires_grad=True)
    out = F.interpolate(x, mode="bicubic", align_corners=align_corners, **SAME_SIZE)
    expected = TF.interpolate(torch.tensor(data), mode="bicubic", align_corners=align_corners,
                              **SAME_SIZE)
    assert_close(out, expected, dtype)
    (out * minitorch.tensor(weights)).sum().backward()
    np.testing.assert_allclose((data * x.grad.numpy()).sum(),
                               (expected.numpy() * weights).sum(), rtol=1e-4 if
                               dtype == "float32" else 1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, shape, options", [
    (mode, shape, options) for mode in ("nearest-exact", "area") for dims in (1, 2, 3)
    for shape, options in RESIZES[dims]])
def test_nearest_exact_and_area_match_torch(backend, mode, shape, options, dtype):
    _check(lambda x: F.interpolate(x, mode=mode, **options),
           lambda x: TF.interpolate(x, mode=mode, **options), shape, dtype)


def test_linear_is_the_default_align_corners():
    x = minitorch.tensor(normal((1, 1, 4, 5), "float64"))
    assert F.interpolate(x, scale_factor=1.5, mode="bilinear").tolist() == \
        F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=False).tolist()


# where float32 or float64 rounding decides nearest-exact's source position
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, options", [
    ((1, 1, 14), {"size": 46}), ((1, 1, 26), {"size": 22}),
    ((1, 1, 2, 14, 2), {"size": (3, 46, 1)}), ((1, 2, 2), {"scale_factor": 1.4}),
    ((1, 2, 3, 3), {"scale_factor": 2.3}), ((1, 2, 16), {"scale_factor": 2.6})])
def test_nearest_exact_picks_torchs_positions(shape, options, dtype):
    data = normal(shape, dtype)
    np.testing.assert_array_equal(
        F.interpolate(minitorch.tensor(data), mode="nearest-exact", **options).numpy(),
        TF.interpolate(torch.tensor(data), mode="nearest-exact", **options).numpy())


@pytest.mark.parametrize("mode, shape", [
    ("linear", (1, 2, 5, 6)), ("bilinear", (1, 2, 5, 6)), ("bicubic", (2, 1, 5, 6)),
    ("trilinear", (1, 2, 3, 5, 6)), ("area", (1, 2, 5, 6)), ("nearest-exact", (1, 2, 5, 6))])
def test_interpolate_of_a_transposed_input_matches_torch(backend, mode, shape):
    if mode == "linear":   # a 3-D view: drop the batch dim of the 4-D leaf's view
        ours, theirs, x, tx = _leaves(shape, "float32", transpose=True)
        x, tx = x[0], tx[0]
        check_backward([(F.interpolate(x, scale_factor=1.5, mode=mode),
                         TF.interpolate(tx, scale_factor=1.5, mode=mode))],
                       [ours], [theirs], "float32")
        return
    _check(lambda x: F.interpolate(x, scale_factor=1.5, mode=mode),
           lambda x: TF.interpolate(x, scale_factor=1.5, mode=mode), shape, "float32",
           transpose=True)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "area", "nearest-exact"])
def test_interpolate_python_backend(mode):
    with minitorch.use_backend("python"):
        _check(lambda x: F.interpolate(x, size=(3, 2), mode=mode),
               lambda x: TF.interpolate(x, size=(3, 2), mode=mode), (1, 1, 2, 3), "float64")


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.interpolate(minitorch.ones(1, 1, 4, 4), scale_factor=2, mode="cubic"),
     NotImplementedError, "interpolate: unknown interpolation mode 'cubic'; expected one "
                          "of 'nearest', 'nearest-exact', 'area', 'linear'"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4, 4), scale_factor=2, mode="linear"),
     NotImplementedError, "interpolate: mode='linear' needs a 3-D input, got 4-D input "
                          "1x1x4x4"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 2, 4, 4), size=2, mode="bicubic"),
     NotImplementedError, "interpolate: mode='bicubic' needs a 4-D input, got 5-D"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2, mode="trilinear"),
     NotImplementedError, "interpolate: mode='trilinear' needs a 5-D input, got 3-D"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4, 4), size=2, mode="bilinear",
                           antialias=True),
     NotImplementedError, r"interpolate: antialias=True \(mode='bilinear'\) is not "
                          "supported"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2, mode="linear", antialias=True),
     ValueError, "interpolate: antialias is only for the bilinear and bicubic modes of a "
                 "4-D input"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), size=2, mode="area",
                           align_corners=True),
     ValueError, "align_corners can only be set with the interpolating modes"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4, dtype="int64"), size=2, mode="linear"),
     TypeError, "interpolate: input must be floating point, got int64"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 0, 3), size=(2, 2), mode="bilinear"),
     ValueError, "interpolate: the input size of each spatial dim must be positive, got "
                 "input 1x1x0x3"),
    (lambda: F.interpolate(minitorch.ones(1, 1, 4), scale_factor=0.2, mode="linear"),
     ValueError, "interpolate: the output size of each spatial dim must be positive, got 0"),
    (lambda: nn.Upsample(scale_factor=2, mode="bilinar"), NotImplementedError,
     "Upsample: unknown interpolation mode 'bilinar'"),
    (lambda: nn.UpsamplingBilinear2d(scale_factor=2)(minitorch.ones(1, 1, 2)),
     NotImplementedError, "interpolate: mode='bilinear' needs a 4-D input, got 3-D"),
])
def test_interpolate_refuses_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- Upsample and its fixed-mode layers -------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs, shape", [
    ("Upsample", {"scale_factor": 1.5, "mode": "bilinear"}, (2, 3, 4, 5)),
    ("Upsample", {"size": (3, 7), "mode": "bicubic", "align_corners": True}, (1, 2, 4, 5)),
    ("Upsample", {"scale_factor": (2, 0.5, 1.5), "mode": "trilinear"}, (1, 2, 3, 4, 5)),
    ("Upsample", {"size": 9, "mode": "linear", "align_corners": True}, (2, 2, 5)),
    ("Upsample", {"scale_factor": 0.7, "mode": "area", "recompute_scale_factor": True},
     (1, 2, 5, 6)),
    ("Upsample", {"scale_factor": 2.5, "mode": "nearest-exact"}, (1, 2, 3, 4)),
    ("UpsamplingNearest2d", {"scale_factor": 2}, (2, 3, 4, 5)),
    ("UpsamplingNearest2d", {"size": (5, 3)}, (1, 2, 3, 4)),
    ("UpsamplingBilinear2d", {"scale_factor": 2}, (2, 3, 4, 5)),
    ("UpsamplingBilinear2d", {"size": (7, 3)}, (1, 2, 3, 4)),
])
def test_upsample_layers_match_torch(backend, name, kwargs, shape, dtype):
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(theirs.state_dict())
    _check(ours, theirs, shape, dtype)


def test_upsampling_bilinear2d_aligns_corners():
    layer = nn.UpsamplingBilinear2d(scale_factor=2)
    assert (layer.mode, layer.align_corners) == ("bilinear", True)
    assert isinstance(layer, nn.Upsample)


@pytest.mark.parametrize("name, call, reference", [
    ("upsample_nearest", lambda x: F.upsample_nearest(x, scale_factor=2),
     lambda x: TF.interpolate(x, scale_factor=2, mode="nearest")),
    ("upsample_bilinear", lambda x: F.upsample_bilinear(x, size=(3, 5)),
     lambda x: TF.interpolate(x, size=(3, 5), mode="bilinear", align_corners=True)),
    ("upsample", lambda x: F.upsample(x, scale_factor=1.5, mode="bicubic"),
     lambda x: TF.interpolate(x, scale_factor=1.5, mode="bicubic")),
])
def test_deprecated_upsample_functions_warn_as_torch(name, call, reference):
    data = normal((1, 2, 2, 3), "float64")
    with pytest.warns(UserWarning, match=f"{name}: nn.functional.{name} is deprecated"):
        result = call(minitorch.tensor(data))
    assert_close(result, reference(torch.tensor(data)), "float64")
