"""User-defined autograd Functions in PyTorch's form, once_differentiable, and anomaly
detection, each against the same Function written for torch."""
import numpy as np
import pytest
import torch

import minitorch
from nn_helpers import assert_close, backend, normal  # noqa: F401


def _pair(library):
    """The same user Functions written against library (minitorch or torch)."""
    class MyReLU(library.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * (x > 0)

    class ScaledSplit(library.autograd.Function):   # several outputs, kwargs, non-tensors
        @staticmethod
        def forward(ctx, x, y, scale, power=2):
            ctx.scale, ctx.power = scale, power
            ctx.save_for_backward(x, y)
            return x * y * scale, x ** power, "label", (x > 0).long()

        @staticmethod
        def backward(ctx, grad_product, grad_power, grad_label, grad_index):
            x, y = ctx.saved_tensors
            assert grad_label is None
            grad_x = grad_product * y * ctx.scale + grad_power * ctx.power * x ** (ctx.power - 1)
            grad_y = grad_product * x * ctx.scale if ctx.needs_input_grad[1] else None
            return grad_x, grad_y, None, None

    class Cube(library.autograd.Function):   # setup_context style, differentiable backward
        @staticmethod
        def forward(x, offset=0.0):
            return x ** 3 + offset

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, offset = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * 3 * x * x, None

    class AddInPlace(library.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            x.add_(y)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    return MyReLU, ScaledSplit, Cube, AddInPlace


MINE, THEIRS = _pair(minitorch), _pair(torch)


def _leaves(shape, dtype, seed=0, transpose=False):
    values = normal(shape, dtype, seed)
    ours, theirs = minitorch.tensor(values), torch.tensor(values)
    if transpose:   # a non-contiguous input
        ours, theirs = ours.T, theirs.T
    return ours.requires_grad_(), theirs.requires_grad_()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("transpose", [False, True])
def test_single_output_function_matches_torch(backend, dtype, transpose):
    x, tx = _leaves((3, 4), dtype, transpose=transpose)
    y, ty = MINE[0].apply(x), THEIRS[0].apply(tx)
    assert_close(y, ty, dtype)
    assert y.grad_fn.name() == "MyReLUBackward" and y.requires_grad
    weights = normal(tuple(ty.shape), dtype, 5)
    (y * minitorch.tensor(weights)).sum().backward()
    (ty * torch.tensor(weights)).sum().backward()
    assert_close(x.grad, tx.grad, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_several_outputs_kwargs_and_non_tensors(backend, dtype):
    x, tx = _leaves((2, 3), dtype, 1)
    y, ty = _leaves((3,), dtype, 2)
    ours = MINE[1].apply(x, y, 1.5, 3)
    theirs = THEIRS[1].apply(tx, ty, 1.5, 3)
    with pytest.raises(TypeError, match=r"ScaledSplit.apply: keyword arguments \(power\)"):
        MINE[1].apply(x, y, 1.5, power=3)
    assert ours[2] == "label" and ours[3].dtype == minitorch.int64
    assert not ours[3].requires_grad
    for mine, reference in zip(ours[:2], theirs[:2]):
        assert_close(mine, reference, dtype)
    # each output's gradient reaches backward in its place; one output alone: zeros
    loss = (ours[0] * 2).sum() + ours[1].sum()
    loss.backward()
    ((theirs[0] * 2).sum() + theirs[1].sum()).backward()
    assert_close(x.grad, tx.grad, dtype)
    assert_close(y.grad, ty.grad, dtype)
    x.grad = y.grad = tx.grad = ty.grad = None
    MINE[1].apply(x, y, 1.5)[1].sum().backward()
    THEIRS[1].apply(tx, ty, 1.5)[1].sum().backward()
    assert_close(x.grad, tx.grad, dtype)
    assert_close(y.grad, ty.grad, dtype)


def test_setup_context_and_double_backward(backend):
    x, tx = _leaves((4,), "float64", 3)
    y, ty = MINE[2].apply(x, offset=1.0), THEIRS[2].apply(tx, offset=1.0)
    assert_close(y, ty, "float64")
    g, = minitorch.autograd.grad(y.sum(), x, create_graph=True)
    tg, = torch.autograd.grad(ty.sum(), tx, create_graph=True)
    assert_close(g, tg, "float64")
    gg, = minitorch.autograd.grad(g.sum(), x)
    tgg, = torch.autograd.grad(tg.sum(), tx)
    assert_close(gg, tgg, "float64")


def test_forward_records_no_graph_and_ctx_state():
    seen = {}

    class Probe(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor, y):
            seen["grad_enabled"] = minitorch.is_grad_enabled()
            seen["needs"] = ctx.needs_input_grad
            inner = x * factor
            seen["inner_requires_grad"] = inner.requires_grad
            ctx.note = "kept"
            return inner

        @staticmethod
        def backward(ctx, grad):
            seen["note"] = ctx.note
            return grad * 2, None, None

    x = minitorch.randn(3, requires_grad=True)
    Probe.apply(x, 2.0, minitorch.randn(3)).sum().backward()
    assert seen == {"grad_enabled": False, "needs": (True, False, False),
                    "inner_requires_grad": False, "note": "kept"}
    with minitorch.no_grad():
        assert not Probe.apply(x, 2.0, None).requires_grad


def test_materialize_grads_and_non_differentiable():
    received = []

    class TwoOutputs(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            first, second = x * 2, x * 3
            ctx.mark_non_differentiable(second)
            return first, second

        @staticmethod
        def backward(ctx, grad_first, grad_second):
            received.append(grad_second)
            return grad_first * 2, None

    x = minitorch.randn(3, requires_grad=True)
    first, second = TwoOutputs.apply(x, True)
    assert first.requires_grad and not second.requires_grad
    first.sum().backward()
    assert received[-1].tolist() == [0.0, 0.0, 0.0]
    TwoOutputs.apply(x, False)[0].sum().backward()
    assert received[-1] is None
    assert x.grad.tolist() == [4.0] * 3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mark_dirty_in_place_function(backend, dtype):
    base, tbase = _leaves((3,), dtype, 4)
    other, tother = _leaves((3,), dtype, 5)
    x, tx = base * 1, tbase * 1
    out, tout = MINE[3].apply(x, other), THEIRS[3].apply(tx, tother)
    assert out is x and x.grad_fn.name() == "AddInPlaceBackward"
    assert_close(out, tout, dtype)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    assert_close(base.grad, tbase.grad, dtype)
    assert_close(other.grad, tother.grad, dtype)
    leaf = minitorch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="AddInPlace: a leaf tensor that requires grad"):
        MINE[3].apply(leaf, other)


def test_saved_tensor_modified_in_place_is_refused():
    x = minitorch.randn(3, requires_grad=True)
    h = x * 1
    y = MINE[0].apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="MyReLUBackward.backward: one of the tensors"):
        y.sum().backward()


def test_bad_backward_results_are_refused():
    class Wrong(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            return x * scale

        @staticmethod
        def backward(ctx, grad):
            return (grad,) if getattr(ctx, "count", 1) == 1 else (grad, grad)

    x = minitorch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"WrongBackward returned an incorrect number "
                                           r"of gradients \(expected 2, got 1\)"):
        Wrong.apply(x, 2.0).sum().backward()
    with pytest.raises(RuntimeError, match="gradient different than None at position 2"):
        y = Wrong.apply(x, 2.0)
        y.grad_fn.count = 2
        y.sum().backward()
    with pytest.raises(TypeError, match="save_for_backward can only save tensors"):
        class Saves(minitorch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x
        Saves.apply(x)

    class NoBackward(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2
    with pytest.raises(NotImplementedError, match="NoBackwardBackward: you must implement"):
        NoBackward.apply(x).sum().backward()


def test_once_differentiable_refuses_a_second_derivative():
    class Square(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @minitorch.autograd.once_differentiable
        def backward(ctx, grad):
            assert not minitorch.is_grad_enabled()
            x, = ctx.saved_tensors
            return grad * 2 * x

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    # the gradient reaching Square's backward (x) requires grad: its result is marked
    g, = minitorch.autograd.grad((Square.apply(x) * x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0 + 1.0, 8.0 + 4.0] and g.requires_grad
    with pytest.raises(RuntimeError, match="differentiate twice .* @once_differentiable"):
        g.sum().backward()
    # as in torch: a constant incoming gradient gives a constant result
    g, = minitorch.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert not g.requires_grad


def test_internal_ops_keep_their_apply():
    assert "apply" not in vars(minitorch.functions.Mul)
    assert MINE[0].apply.__func__ is not minitorch.autograd.Function.apply.__func__


# ---- anomaly detection ----------------------------------------------------------------
def _nan_backward():
    x = minitorch.tensor([0.0, 1.0], requires_grad=True)
    return (x.sqrt() * 0.0).sum()   # d sqrt(x)/dx at 0 is inf, times 0 is nan


def test_detect_anomaly_names_the_node_and_its_forward_call(backend):
    with minitorch.autograd.detect_anomaly():
        assert minitorch.autograd.is_anomaly_enabled()
        loss = _nan_backward()
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward' returned nan "
                                               r"values in its 0th output\.(.|\n)*_nan_backward"):
            loss.backward()
    assert not minitorch.autograd.is_anomaly_enabled()
    _nan_backward().backward()   # off: no error, as in torch


def test_set_detect_anomaly_function_and_context():
    previous = minitorch.autograd.is_anomaly_enabled()
    with minitorch.autograd.set_detect_anomaly(True):
        with pytest.raises(RuntimeError, match="SqrtBackward"):
            _nan_backward().backward()
        with minitorch.autograd.set_detect_anomaly(True, check_nan=False):
            _nan_backward().backward()
    assert minitorch.autograd.is_anomaly_enabled() == previous
    loss = _nan_backward()   # made outside: no call site, still named
    with minitorch.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="SqrtBackward.*anomaly detection was off"):
            loss.backward()


def test_detect_anomaly_in_a_user_function():
    class Nan(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    x = minitorch.randn(2, requires_grad=True)
    with minitorch.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="Function 'NanBackward' returned nan"):
            Nan.apply(x).sum().backward()
    with minitorch.autograd.detect_anomaly():
        outputs = np.array(Nan.apply(x).detach().tolist())
    assert np.isfinite(outputs).all()
