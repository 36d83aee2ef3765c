"""The conformance suite: every OpInfo of the op table, on one backend, against PyTorch.

Run for a backend of yours with `python -m minitorch.testing --backend NAME`. Tests take
the `backend_name` fixture from minitorch.testing.plugin, which makes that backend
current for the test. Failures print the op, the sample (shapes, layouts, kwargs) and
the dtype.
"""
import math

import numpy as np
import pytest

import minitorch

from .optable import OP_TABLE, SPECIAL_CASES, Arg

torch = pytest.importorskip("torch")

# A flat list of (op, sample, dtype) cases, with readable ids for failure reports.
CASES = [(op, sample, dtype) for op in OP_TABLE for sample in op.samples for dtype in op.dtypes]
CASE_IDS = [f"{op.name}-{sample.describe()}-{dtype}" for op, sample, dtype in CASES]
GRAD_CASES = [case for case in CASES if case[0].differentiable and case[2] != "int64"]
GRAD_IDS = [f"{op.name}-{sample.describe()}-{dtype}" for op, sample, dtype in GRAD_CASES]
GRADCHECK_CASES = [(op, sample) for op in OP_TABLE if op.differentiable and op.gradcheck
                   for sample in op.samples]
GRADCHECK_IDS = [f"{op.name}-{sample.describe()}" for op, sample in GRADCHECK_CASES]


def _values(arg, dtype, domain, rng):
    """numpy values for one argument (same values feed both libraries)."""
    if arg.kind == "index":
        if arg.distinct:
            return rng.permutation(arg.high)[:math.prod(arg.shape)].reshape(arg.shape)
        return rng.integers(0, arg.high, size=arg.shape)
    if arg.kind == "mask":
        return rng.random(arg.shape) < 0.5
    low, high = domain
    if dtype == "int64":
        return rng.integers(int(np.floor(low)), int(np.ceil(high)) + 1, size=arg.shape)
    return rng.uniform(low, high, size=arg.shape).astype(dtype)


def _storage_for(values, arg_layout):
    """(storage values, how to view them) that realises the layout under test."""
    if arg_layout == "transposed":
        order = tuple(reversed(range(values.ndim)))
        return np.ascontiguousarray(values.transpose(order)), ("permute", order)
    if arg_layout == "strided":
        storage = np.zeros(values.shape[:-1] + (values.shape[-1] * 2,), values.dtype)
        storage[..., ::2] = values
        return storage, ("step", None)
    return values, ("same", None)


def _realise(lib, storage_values, view, requires_grad):
    """(leaf, argument): the leaf owns the storage, the argument views it."""
    leaf = lib.tensor(storage_values)
    if requires_grad:
        leaf.requires_grad_()
    kind, order = view
    if kind == "permute":
        return leaf, leaf.permute(*order)
    if kind == "step":
        return leaf, leaf[..., ::2]
    return leaf, leaf


def build_inputs(op, sample, dtype, seed=0, grad=False):
    """Equal inputs for minitorch and torch: (mt_args, torch_args, mt_leaves, torch_leaves)."""
    rng = np.random.default_rng(seed)
    mt_args, torch_args, mt_leaves, torch_leaves = [], [], [], []
    for arg in sample.args:
        if not isinstance(arg, Arg):
            mt_args.append(arg)
            torch_args.append(arg)
            continue
        values = _values(arg, dtype, op.domain, rng)
        storage, view = _storage_for(values, arg.layout)
        wants_grad = grad and arg.requires_grad
        mt_leaf, mt_arg = _realise(minitorch, storage, view, wants_grad)
        torch_leaf, torch_arg = _realise(torch, storage, view, wants_grad)
        mt_args.append(mt_arg)
        torch_args.append(torch_arg)
        if wants_grad:
            mt_leaves.append(mt_leaf)
            torch_leaves.append(torch_leaf)
    return mt_args, torch_args, mt_leaves, torch_leaves


def assert_matches_torch(actual, expected, rtol, atol, what):
    """actual (minitorch) equals expected (torch) in shape, dtype and values."""
    expected_values = expected.detach().numpy()
    assert tuple(actual.shape) == tuple(expected.shape), (
        f"{what}: shape {tuple(actual.shape)} != torch's {tuple(expected.shape)}")
    assert actual.dtype.name == str(expected.dtype).replace("torch.", ""), (
        f"{what}: dtype {actual.dtype.name} != torch's {expected.dtype}")
    actual_values = actual.detach().numpy()
    np.testing.assert_allclose(actual_values, expected_values, rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=what)


@pytest.mark.parametrize("op,sample,dtype", CASES, ids=CASE_IDS)
def test_forward_matches_torch(backend_name, op, sample, dtype):
    mt_args, torch_args, _, _ = build_inputs(op, sample, dtype)
    expected = op.call(*torch_args, **sample.kwargs)
    actual = op.call(*mt_args, **sample.kwargs)
    assert actual.backend == backend_name
    assert_matches_torch(actual, expected, op.rtol.get(dtype, 0), op.atol.get(dtype, 0),
                         f"{op.name}{sample.describe()} {dtype} on {backend_name}")


@pytest.mark.parametrize("op,sample,dtype", GRAD_CASES, ids=GRAD_IDS)
def test_gradients_match_torch(backend_name, op, sample, dtype):
    mt_args, torch_args, mt_leaves, torch_leaves = build_inputs(op, sample, dtype, grad=True)
    if not mt_leaves:
        pytest.skip("sample has no differentiable tensor input")
    expected = op.call(*torch_args, **sample.kwargs)
    actual = op.call(*mt_args, **sample.kwargs)
    # weight the outputs so every element's gradient path is distinct
    weights = np.random.default_rng(1).uniform(0.5, 1.5, size=tuple(expected.shape))
    (expected * torch.tensor(weights.astype(dtype))).sum().backward()
    (actual * minitorch.tensor(weights.astype(dtype))).sum().backward()
    rtol = op.grad_rtol if dtype == "float32" else op.rtol[dtype]
    for position, (mt_leaf, torch_leaf) in enumerate(zip(mt_leaves, torch_leaves)):
        what = f"d/d(input {position}) of {op.name}{sample.describe()} {dtype} on {backend_name}"
        assert mt_leaf.grad is not None, f"{what}: no gradient reached the input"
        assert_matches_torch(mt_leaf.grad, torch_leaf.grad, rtol, op.atol[dtype], what)


SPECIAL_RUNS = [(case, size) for case in SPECIAL_CASES
                for size in ((None, 1000) if case.elementwise else (None,))]
SPECIAL_IDS = [case.name + ("" if size is None else f"-x{size}") for case, size in SPECIAL_RUNS]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case,size", SPECIAL_RUNS, ids=SPECIAL_IDS)
def test_special_values_match_torch(backend_name, case, size, dtype):
    """One SpecialCase (nan, inf, signed zeros, ties...): forward and gradients as PyTorch."""
    def values(data):
        array = np.asarray(data, dtype=dtype)
        return array if size is None else np.resize(array, size)

    arrays = [values(data) for data in case.inputs]
    mt_inputs = [minitorch.tensor(array, requires_grad=True) for array in arrays]
    torch_inputs = [torch.tensor(array, requires_grad=True) for array in arrays]
    mt_result, torch_result = case.call(*mt_inputs), case.call(*torch_inputs)
    what = f"{case.name} {dtype} on {backend_name}"
    rtol = case.rtol[dtype]
    assert_matches_torch(mt_result, torch_result, rtol, 0, what)
    if case.grad is None:
        return
    grad = values(case.grad)
    mt_result.backward(minitorch.tensor(grad))
    torch_result.backward(torch.tensor(grad))
    for position, (mt_input, torch_input) in enumerate(zip(mt_inputs, torch_inputs)):
        assert_matches_torch(mt_input.grad, torch_input.grad, rtol, 0,
                             f"d/d(input {position}) of {what}")


def test_int64_arithmetic_wraps_around_like_torch(backend_name):
    """int64 results that do not fit wrap around (two's complement), as in torch."""
    low, high = -2**63, 2**62
    cases = [lambda lib: lib.tensor([high, -3]) * 4, lambda lib: lib.tensor([low, 5]).abs(),
             lambda lib: lib.tensor([low, 7]) // -1, lambda lib: lib.tensor([3, -3]) ** 41,
             lambda lib: lib.tensor([high, high, 1]).sum(), lambda lib: -lib.tensor([low]),
             lambda lib: lib.tensor([[high, 2]]) @ lib.tensor([[2], [1]])]
    for position, case in enumerate(cases):
        assert case(minitorch).tolist() == case(torch).tolist(), f"case {position}"


def _numeric_gradient(function, arrays, position, epsilon=1e-6):
    """Central differences of sum(function(arrays) * weights) w.r.t. arrays[position]."""
    gradient = np.zeros_like(arrays[position])
    flat = arrays[position].reshape(-1)
    flat_gradient = gradient.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + epsilon
        upper = function(arrays)
        flat[i] = saved - epsilon
        lower = function(arrays)
        flat[i] = saved
        flat_gradient[i] = (upper - lower) / (2 * epsilon)
    return gradient


@pytest.mark.parametrize("op,sample", GRADCHECK_CASES, ids=GRADCHECK_IDS)
def test_gradcheck_float64(backend_name, op, sample):
    """Analytic gradients agree with finite differences (float64, minitorch alone)."""
    rng = np.random.default_rng(2)
    arrays = [None if not isinstance(a, Arg) else _values(a, "float64", op.domain, rng)
              for a in sample.args]
    differentiable = [i for i, a in enumerate(sample.args)
                      if isinstance(a, Arg) and a.kind == "real"]

    def arguments(values, grad):
        built = []
        for arg, value in zip(sample.args, values):
            if not isinstance(arg, Arg):
                built.append(arg)
            else:
                tensor = minitorch.tensor(value if arg.kind == "real" else value,
                                          dtype=None if arg.kind != "real" else "float64")
                built.append(tensor.requires_grad_() if grad and arg.kind == "real" else tensor)
        return built

    probe = op.call(*arguments(arrays, False), **sample.kwargs)
    weights = rng.uniform(0.5, 1.5, size=probe.shape)

    def objective(values):
        with minitorch.no_grad():
            output = op.call(*arguments(values, False), **sample.kwargs)
        return float((output.numpy() * weights).sum())

    tensors = arguments(arrays, True)
    output = op.call(*tensors, **sample.kwargs)
    (output * minitorch.tensor(weights)).sum().backward()
    for position in differentiable:
        numeric = _numeric_gradient(objective, arrays, position)
        analytic = tensors[position].grad.numpy()
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"gradcheck of {op.name}{sample.describe()} "
                                           f"input {position} on {backend_name}")
