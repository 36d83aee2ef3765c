"""Differences from PyTorch found by differential fuzzing of the less common parts of
nn.functional (resampling, padding, folding, attention, sampling grids), each checked
against torch itself."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F

from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401


def _leaf(array):
    """(minitorch leaf, torch leaf) holding `array`, both requiring grad."""
    return (minitorch.tensor(array.copy(), requires_grad=True),
            torch.tensor(array.copy(), requires_grad=True))


@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 3, 3), (2, 2, 0, 3), (3, 4, 0)])
def test_unfold_refuses_empty_dims_but_the_batch(shape):
    with pytest.raises(RuntimeError):
        TF.unfold(torch.zeros(shape), 1)
    with pytest.raises(RuntimeError, match="unfold: expected an input whose dims are all "
                                           "non-empty"):
        F.unfold(minitorch.zeros(*shape), 1)


@pytest.mark.parametrize("shape", [(0, 4), (2, 0, 4), (2, 2, 0)])
def test_fold_refuses_empty_dims_but_the_batch(shape):
    with pytest.raises(RuntimeError):
        TF.fold(torch.zeros(shape), (2, 2), 1)
    with pytest.raises(RuntimeError, match="fold: expected an input whose dims are all "
                                           "non-empty"):
        F.fold(minitorch.zeros(*shape), (2, 2), 1)


def test_unfold_and_fold_keep_an_empty_batch():
    blocks = F.unfold(minitorch.zeros(0, 2, 3, 3), 2)
    assert blocks.shape == tuple(TF.unfold(torch.zeros(0, 2, 3, 3), 2).shape)
    image = F.fold(minitorch.zeros(0, 8, 4), (3, 3), 2)
    assert image.shape == tuple(TF.fold(torch.zeros(0, 8, 4), (3, 3), 2).shape)


@pytest.mark.parametrize("num_classes", [-1, 0])
def test_one_hot_of_an_empty_tensor_needs_a_positive_num_classes(num_classes):
    with pytest.raises(RuntimeError):
        TF.one_hot(torch.zeros(0, dtype=torch.long), num_classes)
    with pytest.raises(RuntimeError, match="one_hot: cannot infer the number of classes"):
        F.one_hot(minitorch.zeros(0, dtype="int64"), num_classes)
    assert F.one_hot(minitorch.zeros(0, dtype="int64"), 3).shape == (0, 3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("query_shape, key_shape, value_shape, is_causal", [
    ((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 3), False),
    ((4, 3, 5), (1, 6, 5), (2, 6, 3), True),
    ((1, 4, 3, 5), (2, 4, 6, 5), (2, 4, 6, 5), False),   # equal heads; batch broadcast
])
def test_scaled_dot_product_attention_grouped_query(backend, dtype, query_shape, key_shape,
                                                    value_shape, is_causal):
    leaves = [_leaf(normal(shape, dtype, seed)) for seed, shape in
              enumerate((query_shape, key_shape, value_shape))]
    ours = F.scaled_dot_product_attention(*(mine for mine, _ in leaves),
                                          is_causal=is_causal, enable_gqa=True)
    theirs = TF.scaled_dot_product_attention(*(reference for _, reference in leaves),
                                             is_causal=is_causal, enable_gqa=True)
    check_backward([(ours, theirs)], [mine for mine, _ in leaves],
                   [reference for _, reference in leaves], dtype)


@pytest.mark.parametrize("query_shape, key_shape, error", [
    ((2, 3, 3, 4), (2, 2, 5, 4), RuntimeError),   # 2 key heads do not divide 3
    ((3, 4), (5, 4), IndexError),                 # no heads dim
])
def test_scaled_dot_product_attention_grouped_query_refusals(query_shape, key_shape, error):
    arrays = [normal(shape, "float32") for shape in (query_shape, key_shape, key_shape)]
    with pytest.raises(error):
        TF.scaled_dot_product_attention(*map(torch.tensor, arrays), enable_gqa=True)
    with pytest.raises(error, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(*map(minitorch.tensor, arrays), enable_gqa=True)


def test_scaled_dot_product_attention_without_gqa_needs_broadcastable_heads():
    arrays = [normal(shape, "float32") for shape in ((2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4))]
    with pytest.raises(RuntimeError):
        TF.scaled_dot_product_attention(*map(torch.tensor, arrays), enable_gqa=False)
    with pytest.raises(ValueError):
        F.scaled_dot_product_attention(*map(minitorch.tensor, arrays), enable_gqa=False)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_nearest_gives_the_grid_a_zero_gradient(backend, padding_mode):
    (image, timage), (grid, tgrid) = (_leaf(normal((2, 1, 3, 4), "float64")),
                                      _leaf(normal((2, 2, 3, 2), "float64", 1)))
    ours = F.grid_sample(image, grid, mode="nearest", padding_mode=padding_mode,
                         align_corners=False)
    theirs = TF.grid_sample(timage, tgrid, mode="nearest", padding_mode=padding_mode,
                            align_corners=False)
    check_backward([(ours, theirs)], [image, grid], [timage, tgrid], "float64")
    (gradient,) = minitorch.autograd.grad(
        F.grid_sample(image, grid, mode="nearest", align_corners=True).sum(), [grid])
    assert not gradient.numpy().any()


@pytest.mark.parametrize("size", [(0, 2), (0, 0), (3, 0)])
def test_interpolate_area_allows_empty_outputs(size):
    ours = F.interpolate(minitorch.ones(2, 3, 5, 3), size=size, mode="area")
    theirs = TF.interpolate(torch.ones(2, 3, 5, 3), size=size, mode="area")
    assert_close(ours, theirs, "float32")
    assert F.interpolate(minitorch.ones(1, 2, 4), scale_factor=0.2, mode="area").shape == \
        (1, 2, 0)
    with pytest.raises(ValueError, match="output size of each spatial dim must be positive"):
        F.interpolate(minitorch.ones(1, 2, 4), scale_factor=0.2, mode="nearest")


@pytest.mark.parametrize("mode, shape", [
    ("nearest", (2, 0, 3)), ("linear", (2, 0, 3)), ("bicubic", (2, 0, 3, 3)),
    ("nearest-exact", (1, 0, 2, 3, 3)), ("trilinear", (1, 0, 2, 3, 3))])
def test_interpolate_refuses_empty_channels_but_in_area_mode(mode, shape):
    with pytest.raises(RuntimeError):
        TF.interpolate(torch.zeros(shape), scale_factor=2.0, mode=mode)
    with pytest.raises(RuntimeError, match=f"interpolate: mode='{mode}' needs a non-empty "
                                           "channel dim"):
        F.interpolate(minitorch.zeros(*shape), scale_factor=2.0, mode=mode)
    pooled = F.interpolate(minitorch.zeros(2, 0, 3), scale_factor=2.0, mode="area")
    assert pooled.shape == tuple(TF.interpolate(torch.zeros(2, 0, 3), scale_factor=2.0,
                                                mode="area").shape)


def test_glu_refuses_integer_input():
    with pytest.raises(NotImplementedError):
        TF.glu(torch.arange(4))
    with pytest.raises(TypeError, match="glu: input must be floating point, got int64"):
        F.glu(minitorch.arange(4))


@pytest.mark.parametrize("input_shape, grid_shape", [
    ((1, 0, 2, 3), (1, 2, 2, 2)), ((0, 1, 2, 3), (0, 2, 2, 2)),
    ((0, 2, 2, 3, 2), (0, 1, 2, 2, 3))])
def test_grid_sample_of_an_empty_batch_or_no_channels(input_shape, grid_shape):
    (image, timage), (grid, tgrid) = (_leaf(normal(input_shape, "float64")),
                                      _leaf(normal(grid_shape, "float64", 1)))
    ours = F.grid_sample(image, grid, align_corners=False)
    theirs = TF.grid_sample(timage, tgrid, align_corners=False)
    check_backward([(ours, theirs)], [image, grid], [timage, tgrid], "float64")


def test_scaled_dot_product_attention_with_empty_features_weighs_keys_equally():
    arrays = [normal(shape, "float64", seed) for seed, shape in
              enumerate(((2, 4, 0), (2, 3, 0), (2, 3, 3)))]
    ours = F.scaled_dot_product_attention(*map(minitorch.tensor, arrays))
    theirs = TF.scaled_dot_product_attention(*map(torch.tensor, arrays))
    assert_close(ours, theirs, "float64")


def test_scaled_dot_product_attention_takes_a_float32_mask_with_float64_query(backend):
    leaves = [_leaf(normal(shape, "float64", seed)) for seed, shape in
              enumerate(((2, 4, 5), (2, 3, 5), (2, 3, 2)))]
    mask = normal((4, 3), "float32", 3)
    ours = F.scaled_dot_product_attention(*(mine for mine, _ in leaves),
                                          attn_mask=minitorch.tensor(mask))
    theirs = TF.scaled_dot_product_attention(*(reference for _, reference in leaves),
                                             attn_mask=torch.tensor(mask))
    check_backward([(ours, theirs)], [mine for mine, _ in leaves],
                   [reference for _, reference in leaves], "float64")
    with pytest.raises(RuntimeError):   # but not a float64 mask with a float32 query
        TF.scaled_dot_product_attention(*(torch.tensor(a, dtype=torch.float32)
                                          for a in (normal((4, 5), "float32"),) * 3),
                                        attn_mask=torch.zeros(4, 4, dtype=torch.float64))
    with pytest.raises(TypeError, match="attn_mask must be bool or of the query's dtype"):
        F.scaled_dot_product_attention(*(minitorch.tensor(normal((4, 5), "float32")),) * 3,
                                       attn_mask=minitorch.zeros(4, 4, dtype="float64"))
