"""Property tests: hypothesis draws shapes (broadcasting, reductions, views) and the
results must match PyTorch on the backend under test."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch

torch = pytest.importorskip("torch")

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
BINARY = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sub": lambda a, b: a - b,
          "maximum": lambda a, b: a.maximum(b), "gt": lambda a, b: a > b}


def _pair(values, requires_grad=False):
    return (minitorch.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                 max_side=4),
       op_name=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_broadcast_binary_forward_and_backward(backend_name, shapes, op_name, seed):
    rng = np.random.default_rng(seed)
    shape_a, shape_b = shapes.input_shapes
    values_a = rng.standard_normal(shape_a).astype(np.float32)
    values_b = rng.standard_normal(shape_b).astype(np.float32)
    op = BINARY[op_name]
    mt_a, torch_a = _pair(values_a, requires_grad=True)
    mt_b, torch_b = _pair(values_b, requires_grad=True)
    mt_out, torch_out = op(mt_a, mt_b), op(torch_a, torch_b)
    assert mt_out.shape == tuple(torch_out.shape) == shapes.result_shape
    np.testing.assert_allclose(mt_out.numpy() if not mt_out.requires_grad
                               else mt_out.detach().numpy(), torch_out.detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    if op_name != "gt":
        mt_out.sum().backward()
        torch_out.sum().backward()
        for mt_leaf, torch_leaf in ((mt_a, torch_a), (mt_b, torch_b)):
            assert mt_leaf.grad.shape == mt_leaf.shape
            np.testing.assert_allclose(mt_leaf.grad.numpy(), torch_leaf.grad.numpy(),
                                       rtol=1e-5, atol=1e-5)


@st.composite
def _shape_and_dims(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                         max_size=len(shape), unique_by=lambda d: d % len(shape)))
    return shape, tuple(dims), draw(st.booleans())


@SETTINGS
@given(case=_shape_and_dims(), seed=st.integers(0, 2**16),
       reduction=st.sampled_from(["sum", "mean", "amax", "amin"]))
def test_reductions_over_any_dims(backend_name, case, seed, reduction):
    shape, dims, keepdim = case
    values = np.random.default_rng(seed).standard_normal(shape)
    mt_x, torch_x = _pair(values, requires_grad=True)
    mt_out = getattr(mt_x, reduction)(dim=dims, keepdim=keepdim)
    torch_out = getattr(torch_x, reduction)(dim=dims, keepdim=keepdim)
    np.testing.assert_allclose(mt_out.detach().numpy(), torch_out.detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    mt_out.sum().backward()
    torch_out.sum().backward()
    np.testing.assert_allclose(mt_x.grad.numpy(), torch_x.grad.numpy(), rtol=1e-10)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), data=st.data())
def test_permute_then_reshape_matches_torch(backend_name, shape, data):
    order = data.draw(st.permutations(range(len(shape))))
    values = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    mt_x, torch_x = _pair(values)
    mt_view = mt_x.permute(*order).reshape(-1)
    torch_view = torch_x.permute(*order).reshape(-1)
    np.testing.assert_array_equal(mt_view.numpy(), torch_view.numpy())
