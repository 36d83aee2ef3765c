"""F.pad's copying modes (reflect, replicate, circular) and Conv padding_mode, against
torch: values, gradients (the gather's scatter-add) and the conditions refused."""
import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from nn_helpers import assert_close, backend, normal  # noqa: F401

MODES = ("reflect", "replicate", "circular")

# (input shape, pad): 1, 2 and 3 padded dims, batched and unbatched, asymmetric, and
# negative pads (crops) where each mode allows them
CASES = [
    ((3, 5), (2, 1)),
    ((2, 3, 5), (0, 3)),
    ((2, 3, 5), (-1, 2)),
    ((3, 4, 5), (1, 2, 3, 0)),
    ((2, 3, 4, 5), (2, -1, 0, 3)),
    ((2, 3, 4, 5), (-2, 1, 1, -1)),
    ((2, 3, 4, 5), (1, 1, 2, 2, 2, 1)),
    ((1, 2, 3, 4, 5), (0, 2, 1, 0, -1, 2)),
]


def _check_pad(shape, pad, mode, dtype, transpose=False):
    """pad of a (possibly non-contiguous) input vs torch: result and input gradient."""
    data = normal(shape, dtype)
    theirs = torch.tensor(data, requires_grad=True)
    ours = minitorch.tensor(data, requires_grad=True)
    t_in, o_in = (theirs.transpose(-1, -2), ours.transpose(-1, -2)) if transpose else \
        (theirs, ours)
    t_out = torch.nn.functional.pad(t_in, pad, mode=mode)
    o_out = F.pad(o_in, pad, mode=mode)
    assert_close(o_out, t_out, dtype)
    weights = normal(tuple(t_out.shape), dtype, seed=1)   # distinct per output element
    (t_out * torch.tensor(weights)).sum().backward()
    (o_out * minitorch.tensor(weights)).sum().backward()
    assert_close(ours.grad, theirs.grad, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, pad", CASES)
def test_pad_matches_torch(backend, shape, pad, mode, dtype):
    _check_pad(shape, pad, mode, dtype)


@pytest.mark.parametrize("mode", MODES)
def test_pad_non_contiguous_input(backend, mode):
    _check_pad((2, 3, 5, 4), (1, 2, 2, 0), mode, "float32", transpose=True)


@pytest.mark.parametrize("mode", MODES)
def test_pad_python_backend(mode):
    with minitorch.use_backend("python"):
        _check_pad((1, 2, 3), (2, 1), mode, "float64")


def test_pad_empty_batch_and_cache():
    out = F.pad(minitorch.zeros(0, 2, 3), (1, 2), mode="reflect")
    assert out.shape == (0, 2, 6)
    x = minitorch.tensor(normal((2, 3, 4), "float64"))
    first = F.pad(x, (1, 1), mode="circular")   # the second call reuses the positions
    np.testing.assert_array_equal(F.pad(x, (1, 1), mode="circular").numpy(), first.numpy())


@pytest.mark.parametrize("mode, shape, pad, error, match", [
    ("reflect", (3,), (1, 1), NotImplementedError, "pads the last 1 dims of a 2-D or 3-D"),
    ("replicate", (2, 2, 2, 3), (1, 1), NotImplementedError, "got 4-D input 2x2x2x3"),
    ("circular", (2, 3), (1, 1, 1, 1), NotImplementedError, "got 2-D input"),
    ("reflect", (2, 2, 2, 2, 2, 3), (1,) * 6, NotImplementedError, "got 6-D input"),
    ("reflect", (2, 2, 3), (3, 0), ValueError, r"less than the size .* dim 2 of input 2x2x3"),
    ("reflect", (2, 2, 3), (-2, -1), ValueError, "leaves every padded dim"),
    ("replicate", (2, 3, 4), (-4, 0, -3, 0), ValueError, "leaves every padded dim"),
    ("replicate", (2, 3, 4), (0, 0, -4, 0), ValueError, "negative size"),
    ("reflect", (2, 0, 3), (1, 1), ValueError, "non-empty"),
    ("replicate", (0, 3), (1, 1), ValueError, "non-empty"),
    ("circular", (2, 2, 3), (4, 0), ValueError, "wrap around at most once"),
    ("circular", (2, 2, 3), (-2, -2), ValueError, "negative size"),
    ("circular", (2, 2, 3), (1, 1, 1), ValueError, "must be even"),
])
def test_pad_refuses_what_torch_refuses(mode, shape, pad, error, match):
    with pytest.raises(Exception):
        torch.nn.functional.pad(torch.zeros(shape), pad, mode=mode)
    with pytest.raises(error, match=match):
        F.pad(minitorch.zeros(*shape), pad, mode=mode)


def test_pad_refuses_value_and_unknown_modes():
    x = minitorch.zeros(2, 2, 3)
    assert F.pad(x, (1, 1), mode="reflect", value=0).shape == (2, 2, 5)
    with pytest.raises(Exception):
        torch.nn.functional.pad(torch.zeros(2, 2, 3), (1, 1), mode="reflect", value=1.0)
    with pytest.raises(ValueError, match="takes no value"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
    with pytest.raises(NotImplementedError, match="unrecognised padding mode 'mirror'"):
        F.pad(x, (1, 1), mode="mirror")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding, dilation, stride", [(1, 1, 1), ((2, 1), 1, (2, 1)),
                                                       ("same", (1, 2), 1)])
def test_conv2d_padding_mode_matches_torch(backend, mode, padding, dilation, stride, dtype):
    kwargs = dict(padding=padding, dilation=dilation, stride=stride, padding_mode=mode)
    theirs = torch.nn.Conv2d(3, 4, (3, 2), dtype=getattr(torch, dtype), **kwargs)
    ours = nn.Conv2d(3, 4, (3, 2), dtype=getattr(minitorch, dtype), **kwargs)
    ours.load_state_dict({name: minitorch.tensor(value.detach().numpy())
                          for name, value in theirs.state_dict().items()})
    data = normal((2, 3, 5, 6), dtype)
    t_x, o_x = torch.tensor(data, requires_grad=True), minitorch.tensor(data,
                                                                        requires_grad=True)
    t_out, o_out = theirs(t_x), ours(o_x)
    assert_close(o_out, t_out, dtype)
    weights = normal(tuple(t_out.shape), dtype, seed=2)
    (t_out * torch.tensor(weights)).sum().backward()
    (o_out * minitorch.tensor(weights)).sum().backward()
    assert_close(o_x.grad, t_x.grad, dtype)
    assert_close(ours.weight.grad, theirs.weight.grad, dtype)
    assert_close(ours.bias.grad, theirs.bias.grad, dtype)
    assert f"padding_mode={mode}" in repr(ours)


@pytest.mark.parametrize("mode", MODES)
def test_conv1d_padding_mode_unbatched(mode):
    theirs = torch.nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode, dtype=torch.float64)
    ours = nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode, dtype=minitorch.float64)
    ours.load_state_dict({name: minitorch.tensor(value.detach().numpy())
                          for name, value in theirs.state_dict().items()})
    data = normal((2, 4), "float64")
    assert_close(ours(minitorch.tensor(data)), theirs(torch.tensor(data)), "float64")


def test_conv_padding_mode_errors():
    with pytest.raises(ValueError):
        torch.nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(Exception):   # reflect padding must be smaller than the input
        torch.nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")(torch.zeros(1, 3, 3, 3))
    with pytest.raises(ValueError, match="less than the size"):
        nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")(minitorch.zeros(1, 3, 3, 3))
    with pytest.raises(ValueError, match="Conv2d: expected a 3-D"):
        nn.Conv2d(3, 4, 3, padding=1, padding_mode="circular")(minitorch.zeros(3, 3))
