"""Differences from PyTorch found by differential fuzzing of composite ops (gradients at
special values, activations at nan, relu's saved tensor, integer pooling, losses whose
weights are all 0, reductions over no dims), each checked against torch itself, on the
numpy and c backends, in float32 and float64."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn

from nn_helpers import backend  # noqa: F401

NAN, INF = math.nan, math.inf
DTYPES = ["float32", "float64"]
# relative only, so that tiny values (hypot's underflow) are compared too
RTOL = {"float32": 1e-4, "float64": 1e-7}


def _same(ours, theirs):
    """ours (minitorch) equals theirs (torch): shape, dtype name, values (nan where
    theirs is nan, infinities with their signs)."""
    dtype = str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == dtype
    expected = theirs.detach().numpy()
    if dtype in RTOL:
        np.testing.assert_allclose(ours.detach().numpy(), expected, rtol=RTOL[dtype], atol=0)
    else:
        np.testing.assert_array_equal(ours.detach().numpy(), expected)


def _compare(ours_op, theirs_op, dtype, *operands):
    """Forward and gradients (each operand a list of values) of ours_op against
    theirs_op, backward from a sum."""
    ours_leaves = [minitorch.tensor(values, dtype=getattr(minitorch, dtype),
                                    requires_grad=True) for values in operands]
    theirs_leaves = [torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
                     for values in operands]
    result, expected = ours_op(*ours_leaves), theirs_op(*theirs_leaves)
    _same(result, expected)
    result.sum().backward()
    expected.sum().backward()
    for mine, reference in zip(ours_leaves, theirs_leaves):
        _same(mine.grad, reference.grad)


# ---- gradients of composites at special values ---------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps", [None, 0.1, 0.0, -0.5, 0.6])
def test_logit_gradient_outside_the_unit_interval(backend, dtype, eps):
    values = [-0.5, 0.0, 0.05, 0.3, 0.6, 0.95, 1.0, 1.5, NAN]
    _compare(lambda a: minitorch.logit(a, eps), lambda a: torch.logit(a, eps), dtype, values)


@pytest.mark.parametrize("dtype", DTYPES)
def test_copysign_gradient_at_infinite_and_nan_operands(backend, dtype):
    a = [1.0, -2.0, INF, -INF, NAN, 0.0, -0.0, 3.0, 3.0, 3.0, INF]
    b = [1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, INF, -INF, NAN, -INF]
    _compare(minitorch.copysign, torch.copysign, dtype, a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_xlogy_gradient_where_x_is_zero(backend, dtype):
    x = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, -0.0]
    y = [0.0, -1.0, INF, NAN, 2.0, -0.0, 0.0, 3.0, 0.0]
    _compare(minitorch.xlogy, torch.xlogy, dtype, x, y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_hypot_neither_underflows_nor_overflows(backend, dtype):
    tiny, large = (1e-30, 1e30) if dtype == "float32" else (1e-200, 1e300)
    a = [tiny, 1e-45 if dtype == "float32" else 5e-324, tiny, large, large, 3.0, -large,
         0.0, INF, NAN, -INF]
    b = [tiny, 0.0, tiny * 1e-5, 1.0, large, -4.0, large * 1e-3, 0.0, NAN, INF, 1.0]
    _compare(minitorch.hypot, torch.hypot, dtype, a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_hypot_broadcasts_with_its_gradient(backend, dtype):
    large = 1e30 if dtype == "float32" else 1e200
    _compare(lambda a, b: minitorch.hypot(a.unsqueeze(1), b),
             lambda a, b: torch.hypot(a.unsqueeze(1), b), dtype,
             [large, -2.0, 0.5], [[3.0, 1 / large], [-1.0, 4.0], [0.0, 2.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_cdist_p0_gives_zero_gradients(backend, dtype):
    x1 = np.random.default_rng(0).integers(-1, 2, (2, 3, 4)).tolist()
    x2 = np.random.default_rng(1).integers(-1, 2, (2, 5, 4)).tolist()
    _compare(lambda a, b: minitorch.cdist(a, b, 0), lambda a, b: torch.cdist(a, b, 0),
             dtype, x1, x2)


# ---- relu saves its output -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("create_graph", [False, True])
def test_relu_backward_survives_an_inplace_write_to_its_input(backend, dtype, create_graph):
    values = [NAN, -1.0, -0.0, 0.0, 2.0, -3.0, 0.5]
    weights = [2.0, INF, NAN, 1.0, -1.0, 3.0, 4.0]   # dropped where relu is flat, even inf
    grads = []
    for library in (minitorch, torch):
        leaf = library.tensor(values, dtype=getattr(library, dtype), requires_grad=True)
        x = leaf * 2.0
        y = x.relu()
        x.add_(1.0)   # relu's backward reads its output, which this leaves alone
        loss = (y * y).sum() if create_graph else (y * library.tensor(weights, dtype=y.dtype)).sum()
        (gradient,) = (minitorch.autograd if library is minitorch else torch.autograd).grad(
            loss, leaf, create_graph=create_graph)
        grads.append(gradient)
    _same(*grads)


# ---- activations at nan ----------------------------------------------------------------------

ACTIVATION_POINTS = [NAN, -INF, -25.0, -3.0, -1.0, -0.0, 0.0, 1.0, 3.0, 25.0, INF]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", [
    ("elu", {}), ("elu", {"alpha": 2.0}), ("selu", {}), ("celu", {}),
    ("celu", {"alpha": 0.5}), ("softplus", {}), ("softplus", {"beta": 2, "threshold": 1}),
    ("hardswish", {}), ("hardsigmoid", {})])
def test_activation_gradients_at_nan(backend, dtype, name, kwargs):
    _compare(lambda a: getattr(nn.functional, name)(a, **kwargs),
             lambda a: getattr(torch.nn.functional, name)(a, **kwargs), dtype,
             ACTIVATION_POINTS)


@pytest.mark.parametrize("dtype", DTYPES)
def test_hardswish_second_derivative(backend, dtype):
    values = [NAN, -4.0, -3.0, -1.0, 0.5, 3.0, 4.0]
    grads = []
    for library in (minitorch, torch):
        x = library.tensor(values, dtype=getattr(library, dtype), requires_grad=True)
        autograd = minitorch.autograd if library is minitorch else torch.autograd
        functional = nn.functional if library is minitorch else torch.nn.functional
        (first,) = autograd.grad(functional.hardswish(x).sum(), x, create_graph=True)
        grads.append(autograd.grad((first * first).sum(), x)[0])
    _same(*grads)


# ---- integer pooling -------------------------------------------------------------------------

def _integers(shape, seed=0):
    return np.random.default_rng(seed).integers(-50, 50, shape)


def _compare_pooling(ours_op, theirs_op, array):
    """ours_op and theirs_op (a pooling: a tensor, or values and indices) agree on array."""
    result, expected = ours_op(minitorch.tensor(array)), theirs_op(torch.tensor(array))
    if not isinstance(expected, tuple):
        result, expected = (result,), (expected,)
    assert len(result) == len(expected)
    for mine, reference in zip(result, expected):
        _same(mine, reference)


@pytest.mark.parametrize("dims, args, kwargs", [
    (1, (2,), {}), (1, (3, 1, 1), {}), (1, (2, 2, 1, 2), {"ceil_mode": True}),
    (2, (2,), {}), (2, (3, 1, 1), {}), (2, ((2, 3), (1, 2), (1, 1), (2, 1)), {}),
    (2, (3, 2, 1), {"ceil_mode": True}), (3, (2,), {}), (3, (3, 2, 1), {})])
def test_max_pooling_of_int64(backend, dims, args, kwargs):
    function = f"max_pool{dims}d"
    array = _integers((2, 3) + (5,) * dims)
    array.flat[::7] = np.iinfo(np.int64).min   # ties with the padding
    _compare_pooling(lambda x: getattr(nn.functional, function)(
                         x, *args, return_indices=True, **kwargs),
                     lambda x: getattr(torch.nn.functional, function)(
                         x, *args, return_indices=True, **kwargs), array)
    if dims > 1:
        _compare_pooling(lambda x: getattr(nn.functional, function)(x, *args, **kwargs),
                         lambda x: getattr(torch.nn.functional, function)(x, *args, **kwargs),
                         array[0])   # unbatched, no indices
        module = getattr(nn, f"MaxPool{dims}d")(*args, **kwargs)
        assert module(minitorch.tensor(array)).dtype is minitorch.int64


def test_int64_pooling_refused_where_torch_refuses(backend):
    # torch has no int64 max_pool1d without indices, adaptive pooling or fractional one
    x = minitorch.tensor(_integers((2, 3, 6, 6)))
    with pytest.raises(TypeError):
        nn.functional.max_pool1d(x[0], 2)
    for function in (nn.functional.adaptive_max_pool2d, nn.functional.adaptive_avg_pool2d):
        with pytest.raises(TypeError):
            function(x, 3)
    # but max_pool1d with indices takes it
    values, indices = nn.functional.max_pool1d(x[0], 2, return_indices=True)
    assert values.dtype is indices.dtype is minitorch.int64


@pytest.mark.parametrize("dims, args, kwargs", [
    (1, (2,), {}), (1, (2, 2, 1), {}), (1, (2, 2, 1), {"count_include_pad": False}),
    (1, (3, 2, 1), {"ceil_mode": True}), (2, (2,), {}), (2, (3, 2, 1), {}),
    (2, (2,), {"divisor_override": 3}), (2, (2,), {"divisor_override": -3}),
    (2, (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}), (3, (2,), {}),
    (3, (3, 2, 1), {"divisor_override": 5})])
def test_average_pooling_of_int64_truncates(backend, dims, args, kwargs):
    function = f"avg_pool{dims}d"
    _compare_pooling(lambda x: getattr(nn.functional, function)(x, *args, **kwargs),
                     lambda x: getattr(torch.nn.functional, function)(x, *args, **kwargs),
                     _integers((2, 3) + (5,) * dims, seed=dims))


@pytest.mark.parametrize("dims", [1, 2])
def test_lp_pooling_of_int64_gives_floats(backend, dims):
    function = f"lp_pool{dims}d"
    _compare_pooling(lambda x: getattr(nn.functional, function)(x, 2, 2),
                     lambda x: getattr(torch.nn.functional, function)(x, 2, 2),
                     _integers((2, 3) + (4,) * dims, seed=5))


# ---- losses whose class weights are all 0 ----------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss, target, kwargs", [
    ("cross_entropy", [0, 1, 2], {}), ("nll_loss", [0, 1, 2], {}),
    ("cross_entropy", [0, -100, 2], {}), ("nll_loss", [3, -100, 0], {}),
    ("cross_entropy", [0, 1, 3], {"label_smoothing": 0.2})])
def test_losses_with_every_class_weight_zero(backend, dtype, loss, target, kwargs):
    scores = np.random.default_rng(4).standard_normal((3, 4)).tolist()

    def op(library, functional):
        def apply(x):
            return getattr(functional, loss)(
                x, library.tensor(target), weight=library.zeros(4, dtype=x.dtype), **kwargs)
        return apply
    _compare(op(minitorch, nn.functional), op(torch, torch.nn.functional), dtype, scores)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_loss_with_zero_weights_over_spatial_dims(backend, dtype):
    scores = np.random.default_rng(5).standard_normal((2, 3, 4)).tolist()
    target = [[0, 1, 2, -100], [2, 2, 1, 0]]
    weight = [0.0, 0.0, 0.0]
    _compare(lambda x: nn.functional.nll_loss(x, minitorch.tensor(target),
                                              minitorch.tensor(weight, dtype=x.dtype)),
             lambda x: torch.nn.functional.nll_loss(x, torch.tensor(target),
                                                    torch.tensor(weight, dtype=x.dtype)),
             dtype, scores)


# ---- reductions over no dims -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("values", [2.5, [], [[], []]])
def test_logsumexp_over_no_dims_of_zero_dim_and_empty_inputs(backend, dtype, values):
    _compare(lambda a: minitorch.logsumexp(a, dim=()), lambda a: torch.logsumexp(a, dim=()),
             dtype, values)
    with pytest.raises(RuntimeError):   # as torch 2.13, for a non-empty input with dims
        minitorch.logsumexp(minitorch.ones(2, 3), dim=())
