"""Sampling an input at arbitrary points: affine_grid makes the points of an affine
transform, grid_sample reads an input there, with torch.nn.functional's names, arguments
and results.

A grid holds normalised coordinates: -1 and 1 are the centres of the first and last
elements (align_corners=True) or the outer edges of the first and last elements
(align_corners=False). grid_sample turns each coordinate into an element coordinate,
applies the padding mode (border clamps it, reflection folds it back), and sums
`weight * input[tap]` over the taps of the mode: the nearest element, the 2 (per dim)
of linear interpolation or the 4 of cubic convolution. The taps' positions are
floor()ed coordinates (no gradient, as in torch), their weights are tensor expressions
of the coordinates' fractions, so autograd differentiates the result with respect to
both the input and the grid. With padding_mode 'zeros', a tap outside the input reads 0
(its weight is masked).
"""
import itertools
import math
import warnings

import numpy as np

from .. import functions
from ..creation import tensor as make_tensor
from ..layout import format_shape

GRID_SAMPLE_MODES = ("bilinear", "nearest", "bicubic")
GRID_SAMPLE_PADDING_MODES = ("zeros", "border", "reflection")
_CUBIC_A = -0.75   # the constant of torch's bicubic convolution kernel (Keys')


def cubic_convolution_weights(fraction):
    """[w(-1), w(0), w(1), w(2)]: the weights of the elements at offsets -1, 0, 1, 2 from
    floor(coordinate), fraction = coordinate - floor (a numpy array or a tensor), under
    Keys' cubic convolution kernel with a = -0.75 (interpolate's and grid_sample's)."""
    a = _CUBIC_A

    def near(distance):   # the kernel for distances up to 1
        return ((a + 2) * distance - (a + 3)) * distance * distance + 1

    def far(distance):    # and from 1 to 2
        return ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a

    return [far(fraction + 1), near(fraction), near(1 - fraction), far(2 - fraction)]


def _default_align_corners(align_corners, op_name):
    """align_corners, with None meaning False after torch's warning about the change."""
    if align_corners is None:
        warnings.warn(f"{op_name}: the default align_corners changed to False (as in torch "
                      "1.3.0 and later); pass align_corners explicitly to silence this",
                      UserWarning, stacklevel=3)
        return False
    return align_corners


# ---- affine_grid ------------------------------------------------------------------------

def _normalised_positions(steps, align_corners):
    """(steps,) float64: the normalised coordinate of each element centre along a dim."""
    if steps <= 1:
        return np.zeros(steps)
    positions = np.linspace(-1.0, 1.0, steps)
    return positions if align_corners else positions * (steps - 1) / steps


def affine_grid(theta, size, align_corners=None):
    """torch.nn.functional.affine_grid: the sampling grid of an affine transform.
    theta (N, 2, 3) with size (N, C, H, W) gives (N, H, W, 2); theta (N, 3, 4) with size
    (N, C, D, H, W) gives (N, D, H, W, 3). Point (x, y[, z], 1) of the output's
    normalised grid (x along W) maps to theta @ (x, y[, z], 1). theta must be floating;
    any other size or theta shape is a ValueError naming the op."""
    align_corners = _default_align_corners(align_corners, "affine_grid")
    if not theta.dtype.is_floating_point:
        raise TypeError(f"affine_grid: theta must be floating point, got {theta.dtype.name}")
    size = tuple(size)
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid: only 4-D and 5-D sizes (N, C, H, W) and "
                                  f"(N, C, D, H, W) are supported, got {size!r}")
    spatial = size[2:]
    dims = len(spatial)
    expected = (size[0], dims, dims + 1)
    if tuple(theta.shape) != expected:
        raise ValueError(f"affine_grid: for size {size!r} theta must be "
                         f"{format_shape(expected)}, got {format_shape(theta.shape)}")
    if min(size) <= 0:
        raise ValueError(f"affine_grid: size must be positive, got {size!r}")
    if align_corners and 1 in spatial:
        warnings.warn("affine_grid: with align_corners=True a spatial size of 1 puts its "
                      "one point at 0 whatever theta scales (as torch since 1.3.0)",
                      UserWarning, stacklevel=2)
    # one row (x, y[, z], 1) per output point, x varying fastest
    along = np.meshgrid(*[_normalised_positions(steps, align_corners) for steps in spatial],
                        indexing="ij")
    points = np.stack(along[::-1] + (np.ones(spatial),), axis=-1).reshape(-1, dims + 1)
    base = make_tensor(points, dtype=theta.dtype, backend=theta.backend)
    return (base @ theta.transpose(1, 2)).reshape((size[0],) + spatial + (dims,))


# ---- grid_sample ------------------------------------------------------------------------

def _check_grid_sample(input, grid, mode, padding_mode):
    if mode not in GRID_SAMPLE_MODES:
        raise ValueError(f"grid_sample: mode must be one of "
                         f"{', '.join(map(repr, GRID_SAMPLE_MODES))}, got {mode!r}")
    if padding_mode not in GRID_SAMPLE_PADDING_MODES:
        raise ValueError(f"grid_sample: padding_mode must be one of "
                         f"{', '.join(map(repr, GRID_SAMPLE_PADDING_MODES))}, got "
                         f"{padding_mode!r}")
    if input.ndim not in (4, 5):
        raise ValueError(f"grid_sample: expected a 4-D (N, C, H, W) or 5-D (N, C, D, H, W) "
                         f"input, got {input.ndim}-D input {format_shape(input.shape)}")
    dims = input.ndim - 2
    if (grid.ndim != input.ndim or grid.shape[0] != input.shape[0]
            or grid.shape[-1] != dims):
        raise ValueError(f"grid_sample: a {input.ndim}-D input {format_shape(input.shape)} "
                         f"needs a grid (N, {', '.join('*' * dims)}, {dims}) with N = "
                         f"{input.shape[0]}, got {format_shape(grid.shape)}")
    if mode == "bicubic" and dims != 2:
        raise ValueError("grid_sample: mode 'bicubic' supports only 4-D input")
    for tensor, what in ((input, "input"), (grid, "grid")):
        if not tensor.dtype.is_floating_point:
            raise TypeError(f"grid_sample: {what} must be floating point, got "
                            f"{tensor.dtype.name}")
    if input.dtype != grid.dtype:
        raise TypeError(f"grid_sample: input ({input.dtype.name}) and grid "
                        f"({grid.dtype.name}) must have the same dtype")
    if 0 in input.shape[2:]:
        raise ValueError(f"grid_sample: input {format_shape(input.shape)} has an empty "
                         "spatial dim")


def _element_coordinate(coordinate, size, align_corners):
    """A normalised coordinate as a coordinate in elements (0 is the first centre)."""
    if align_corners:
        return (coordinate + 1) * ((size - 1) / 2)
    return ((coordinate + 1) * size - 1) / 2


def _reflected(coordinate, low, high):
    """coordinate folded into [low, high] by reflection at both ends, as torch's
    reflect_coordinates (the fold count is constant, so the gradient is +-1)."""
    span = high - low
    if span == 0:
        return coordinate * 0
    distance = (coordinate - low).abs()
    folds = (distance / span).floor().detach()
    extra = distance - folds * span
    return functions.where(folds.remainder(2) == 0, extra, span - extra) + low


def _padded_coordinate(coordinate, size, padding_mode, align_corners):
    """The element coordinate that padding_mode reads for `coordinate`: as it is
    ('zeros'), clamped into the input ('border'), or reflected into it first
    ('reflection': at the extreme centres with align_corners, else at the outer
    edges)."""
    if padding_mode == "zeros":
        return coordinate
    if padding_mode == "reflection":
        coordinate = (_reflected(coordinate, 0, size - 1) if align_corners
                      else _reflected(coordinate, -0.5, size - 0.5))
    return coordinate.clamp(0, size - 1)


def _taps_along(coordinate, size, mode, padding_mode, align_corners):
    """[(position, weight)] along one dim: position a float tensor holding whole numbers
    (no gradient), weight a tensor (ones for 'nearest'), for each tap of `mode`."""
    if mode == "bicubic":   # torch pads each tap's position, not the coordinate
        below = coordinate.floor().detach()
        weights = cubic_convolution_weights(coordinate - below)
        return [(_padded_coordinate(below + offset, size, padding_mode, align_corners)
                 .detach(), weight) for offset, weight in zip((-1, 0, 1, 2), weights)]
    coordinate = _padded_coordinate(coordinate, size, padding_mode, align_corners)
    if mode == "nearest":   # round half to even, as torch's nearbyint
        # weight 1 as an op of the coordinate with a zero gradient, so that the grid gets
        # torch's zero gradient (not none)
        ones = functions.ones_like(coordinate.detach())
        return [(coordinate.round().detach(), functions.ZeroGradient.apply(ones, coordinate))]
    below = coordinate.floor().detach()
    fraction = coordinate - below
    return [(below, 1 - fraction), (below + 1, fraction)]


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """torch.nn.functional.grid_sample: out[n, c, *p] = input[n, c] read at the
    normalised point grid[n, *p] (x, y[, z]; x along the last dim of input).
    input (N, C, H, W) with grid (N, Ho, Wo, 2) gives (N, C, Ho, Wo); input
    (N, C, D, H, W) with grid (N, Do, Ho, Wo, 3) gives (N, C, Do, Ho, Wo).
    mode: 'bilinear' (trilinear for 5-D), 'nearest', 'bicubic' (4-D only, Keys' kernel
    with a = -0.75); padding_mode: 'zeros', 'border', 'reflection'. Differentiable with
    respect to input and grid (the grid's gradient is 0 for 'nearest', as torch's).
    input and grid must be floating point of one dtype; bad modes or shapes are errors
    naming the op."""
    _check_grid_sample(input, grid, mode, padding_mode)
    align_corners = _default_align_corners(align_corners, "grid_sample")
    batch, channels, spatial = input.shape[0], input.shape[1], input.shape[2:]
    points = grid.shape[1:-1]
    # the reshapes name every size: -1 cannot be inferred when batch or channels is 0
    flat_grid = grid.reshape(batch, math.prod(points), len(spatial))
    per_dim = []   # the taps of each spatial dim, in input order (D, H, W)
    for axis, size in enumerate(spatial):
        coordinate = _element_coordinate(flat_grid[..., len(spatial) - 1 - axis], size,
                                         align_corners)
        per_dim.append(_taps_along(coordinate, size, mode, padding_mode, align_corners))
    planes = input.reshape(batch, channels, math.prod(spatial))
    strides = [math.prod(spatial[axis + 1:]) for axis in range(len(spatial))]
    result = 0
    for taps in itertools.product(*per_dim):
        inside, position, weight = True, 0, 1
        for (at, tap_weight), size, stride in zip(taps, spatial, strides):
            inside = (at >= 0).logical_and(at <= size - 1).logical_and(inside)
            position = position + at.clamp(0, size - 1) * stride
            weight = weight * tap_weight
        weight = inside.to(input.dtype) * weight
        index = position.long().unsqueeze(1).expand(batch, channels, position.shape[1])
        result = result + planes.gather(2, index) * weight.unsqueeze(1)
    return result.reshape((batch, channels) + points)
