"""The in-place forms of torch.Tensor (augmented assignments and the `name_` methods),
each compared with PyTorch on every backend: the values written, the dtype kept, that
self is what is modified and returned (also through a view, into its base), the
version counter, gradients when autograd records the write, and the errors PyTorch
raises (before anything is written). Then the random fills uniform_ and normal_."""
import math
import operator
import re
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

import minitorch

TARGET_SHAPE = (4, 3)   # every target is the transpose of a (3, 4) base: a strided view
WEIGHTS = np.linspace(0.5, 1.6, 12).reshape(TARGET_SHAPE)   # distinct per-element gradients


@dataclass(frozen=True)
class Row:
    """A tensor argument of shape (3,), broadcast over the target's rows, with values in
    `domain`; of the target's dtype unless `dtype` is given."""

    domain: tuple = (-2.0, 2.0)
    dtype: str = None


@dataclass(frozen=True)
class Case:
    """One in-place call: target.method(*args, **kwargs). ties: float values are
    multiples of 0.5 (so comparisons and roundings meet ties). grad: gradients are
    compared with PyTorch's (see the tests at the end for the ones that are not)."""

    method: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    dtypes: tuple = ("float32", "float64")
    domain: tuple = (-2.0, 2.0)
    ties: bool = False
    grad: bool = True

    def describe(self):
        args = ",".join((f"row:{a.dtype}" if a.dtype else "row") if isinstance(a, Row)
                        else repr(a) for a in self.args)
        kwargs = ",".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.method}({args}{';' if kwargs else ''}{kwargs})"


FLOATS = ("float32", "float64")
NUMERIC = FLOATS + ("int64",)
POSITIVE = (0.5, 3.0)

CASES = (
    # augmented assignments new to minitorch
    Case("__ifloordiv__", (Row((1.0, 4.0)),), dtypes=NUMERIC, domain=(-9.0, 9.0), grad=False),
    Case("__ifloordiv__", (2,), dtypes=NUMERIC, domain=(-9.0, 9.0), grad=False),
    Case("__imod__", (Row((1.0, 4.0)),), dtypes=NUMERIC, domain=(-9.0, 9.0)),
    Case("__imod__", (1.5,), domain=(-9.0, 9.0)),
    Case("__ipow__", (Row((0.5, 2.0)),), domain=POSITIVE),
    Case("__ipow__", (2,), dtypes=NUMERIC),
    Case("__iand__", (Row(),), dtypes=("bool",)),
    Case("__iand__", (True,), dtypes=("bool",)),
    Case("__ior__", (Row(),), dtypes=("bool",)),
    Case("__ixor__", (Row(),), dtypes=("bool",)),
    Case("__ixor__", (True,), dtypes=("bool",)),
    # arithmetic
    Case("subtract_", (Row(),), {"alpha": 2}, dtypes=NUMERIC),
    Case("multiply_", (Row(),), dtypes=NUMERIC),
    Case("multiply_", (Row(dtype="bool"),), dtypes=("bool", "float32")),
    Case("divide_", (Row(POSITIVE),)),
    Case("divide_", (Row((1.0, 4.0)),), {"rounding_mode": "floor"}, dtypes=NUMERIC,
         domain=(-9.0, 9.0), grad=False),
    Case("true_divide_", (2.5,)),
    Case("floor_divide_", (Row((1.0, 4.0)),), dtypes=NUMERIC, domain=(-9.0, 9.0), grad=False),
    Case("floor_divide_", (Row((1.0, 4.0), dtype="int64"),), domain=(-9.0, 9.0), grad=False),
    Case("remainder_", (Row((1.0, 4.0)),), dtypes=NUMERIC, domain=(-9.0, 9.0)),
    Case("remainder_", (-2.5,), domain=(-9.0, 9.0)),
    # comparisons: 0 or 1 in self's dtype
    Case("eq_", (Row(),), dtypes=NUMERIC + ("bool",), ties=True),
    Case("eq_", (Row(dtype="float32"),), dtypes=("int64",)),
    Case("ne_", (0.5,), dtypes=NUMERIC, ties=True),
    Case("lt_", (Row(),), dtypes=NUMERIC, ties=True),
    Case("lt_", (0.5,), dtypes=("int64",)),
    Case("le_", (Row(),), dtypes=NUMERIC, ties=True),
    Case("gt_", (0,), dtypes=NUMERIC + ("bool",), ties=True),
    Case("ge_", (Row(),), dtypes=NUMERIC, ties=True),
    # unary
    Case("negative_", dtypes=NUMERIC),
    Case("abs_", dtypes=NUMERIC),
    Case("log_", domain=POSITIVE),
    Case("sin_"),
    Case("cos_"),
    Case("sign_", dtypes=NUMERIC + ("bool",), ties=True),
    Case("square_", dtypes=NUMERIC),
    Case("rsqrt_", domain=POSITIVE),
    Case("reciprocal_", domain=POSITIVE),
    Case("log1p_", domain=(-0.5, 2.0)),
    Case("log2_", domain=POSITIVE),
    Case("log10_", domain=POSITIVE),
    Case("expm1_"),
    Case("clip_", (-1, 1), dtypes=NUMERIC),
    Case("clip_", (), {"min": -0.5}),
    Case("clip_", (Row((-1.0, 0.0)), Row((0.0, 1.0)))),
    # logical ops: 0 or 1 in self's dtype (gradients: see test_logical_inplace_...)
    Case("logical_not_", dtypes=NUMERIC + ("bool",), ties=True, grad=False),
    Case("logical_and_", (Row(),), dtypes=NUMERIC + ("bool",), ties=True, grad=False),
    Case("logical_or_", (Row(),), dtypes=NUMERIC, ties=True, grad=False),
    Case("logical_xor_", (Row(),), dtypes=NUMERIC + ("bool",), ties=True, grad=False),
    # roundings (ties meet round-half-even)
    Case("floor_", dtypes=NUMERIC, ties=True),
    Case("ceil_", dtypes=NUMERIC),
    Case("round_", ties=True),
    Case("round_", dtypes=("int64",)),
    Case("round_", (), {"decimals": 1}),
    Case("trunc_", dtypes=NUMERIC),
    Case("fix_", dtypes=NUMERIC),
    # along dims
    Case("cumsum_", (1,), dtypes=NUMERIC),
    Case("cumsum_", (0,), {"dtype": None}),
    Case("tril_", dtypes=NUMERIC + ("bool",)),
    Case("tril_", (-1,), dtypes=NUMERIC),
    Case("triu_", (1,), dtypes=NUMERIC + ("bool",)),
)
VALUE_CASES = [(case, dtype) for case in CASES for dtype in case.dtypes]
VALUE_IDS = [f"{case.describe()}-{dtype}" for case, dtype in VALUE_CASES]
GRAD_CASES = [(case, dtype) for case, dtype in VALUE_CASES if case.grad and dtype in FLOATS]
GRAD_IDS = [f"{case.describe()}-{dtype}" for case, dtype in GRAD_CASES]


def _array(shape, dtype, domain, ties=False, seed=0):
    """Deterministic values of a dtype name in domain (bools: about half True)."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    low, high = domain
    if dtype == "int64":
        return rng.integers(math.floor(low), math.ceil(high) + 1, size=shape)
    values = rng.uniform(low, high, size=shape)
    return (np.round(values * 2) / 2 if ties else values).astype(dtype)


def _arguments(lib, case, dtype):
    """case's arguments in lib (the same values for both libraries)."""
    return [lib.tensor(_array((3,), arg.dtype or dtype, arg.domain, case.ties, seed=1 + i))
            if isinstance(arg, Row) else arg for i, arg in enumerate(case.args)]


def _base(lib, case, dtype, requires_grad=False):
    return lib.tensor(_array(TARGET_SHAPE[::-1], dtype, case.domain, case.ties),
                      requires_grad=requires_grad)


def _dtype_name(tensor):
    return str(tensor.dtype).split(".")[-1]


def _assert_same(mine, reference, what):
    assert tuple(mine.shape) == tuple(reference.shape), what
    assert _dtype_name(mine) == _dtype_name(reference), what
    if reference.dtype.is_floating_point:
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(),
                                   rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=what)
    else:
        assert mine.tolist() == reference.tolist(), what


@pytest.mark.parametrize("case,dtype", VALUE_CASES, ids=VALUE_IDS)
def test_inplace_form_writes_into_self_as_torch(backend_name, case, dtype):
    bases, targets = [], []
    for lib in (minitorch, torch):
        base = _base(lib, case, dtype)
        target = base.T                          # non-contiguous, and a view of base
        result = getattr(target, case.method)(*_arguments(lib, case, dtype), **case.kwargs)
        assert result is target
        bases.append(base)
        targets.append(target)
    what = f"{case.describe()} {dtype} on {backend_name}"
    _assert_same(targets[0], targets[1], what)
    _assert_same(bases[0], bases[1], what + " (seen through the base)")
    assert targets[0].backend == backend_name and targets[0]._storage is bases[0]._storage


@pytest.mark.parametrize("case", [c for c in CASES if "float32" in c.dtypes],
                         ids=lambda c: c.describe())
def test_inplace_form_bumps_the_version_once_and_keeps_the_layout(case):
    base = _base(minitorch, case, "float32")
    target = base.T
    version, strides = base._storage.version, target.stride()
    getattr(target, case.method)(*_arguments(minitorch, case, "float32"), **case.kwargs)
    assert base._storage.version == version + 1
    assert target.stride() == strides and target.dtype is minitorch.float32


@pytest.mark.parametrize("case,dtype", GRAD_CASES, ids=GRAD_IDS)
def test_recorded_inplace_form_gradients_match_torch(backend_name, case, dtype):
    """The target is a transposed view of a graph tensor; every float tensor argument
    requires grad too."""
    grads = []
    for lib in (minitorch, torch):
        x = _base(lib, case, dtype, requires_grad=True)
        args = [a.requires_grad_() if isinstance(a, lib.Tensor) and a.is_floating_point()
                else a for a in _arguments(lib, case, dtype)]
        hidden = (x * 1).T
        assert getattr(hidden, case.method)(*args, **case.kwargs) is hidden
        assert hidden.requires_grad
        (hidden * lib.tensor(WEIGHTS.astype(dtype))).sum().backward()
        grads.append([x.grad] + [a.grad for a in args if isinstance(a, lib.Tensor)])
    for position, (mine, reference) in enumerate(zip(*grads)):
        what = f"d/d(input {position}) of {case.describe()} {dtype} on {backend_name}"
        assert (mine is None) == (reference is None), what
        if reference is not None:
            _assert_same(mine, reference, what)


def test_a_plain_target_written_with_a_gradient_carrying_argument_joins_the_graph():
    writes = {"eq_": lambda a, w: a.eq_(w), "remainder_": lambda a, w: a.remainder_(w),
              "**=": lambda a, w: a.__ipow__(w), "ge_ (broadcast)": lambda a, w: a.ge_(w[:1])}
    for name, write in writes.items():
        results = []
        for lib in (minitorch, torch):
            target = lib.tensor([[3.0, 5.0], [2.0, 1.0]])
            w = lib.tensor([2.0, 1.0], requires_grad=True)
            assert write(target, w) is target
            assert target.requires_grad, name
            (target * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
            results.append((target, w.grad))
        _assert_same(results[0][0], results[1][0], name)
        _assert_same(results[0][1], results[1][1], name + " gradient")


@pytest.mark.parametrize("case", [c for c in CASES if "float32" in c.dtypes],
                         ids=lambda c: c.describe())
def test_inplace_form_refuses_a_leaf_that_requires_grad(case):
    values = _array(TARGET_SHAPE, "float32", case.domain, case.ties)
    for lib in (minitorch, torch):
        if lib is torch and case.method.startswith("logical_"):
            continue   # PyTorch does not track these at all (see test_logical_inplace_...)
        leaf = lib.tensor(values, requires_grad=True)
        for target in (leaf, leaf[1:]):          # the leaf, and a view of it
            with pytest.raises(RuntimeError, match="leaf"):
                getattr(target, case.method)(*_arguments(lib, case, "float32"),
                                             **case.kwargs)
        np.testing.assert_array_equal(leaf.detach().numpy(), values)
    leaf = minitorch.tensor(values, requires_grad=True)
    with minitorch.no_grad():                    # the way to edit a parameter in place
        getattr(leaf, case.method)(*_arguments(minitorch, case, "float32"), **case.kwargs)
    assert leaf.is_leaf and leaf.requires_grad


AUGMENTED = {   # the statement form, as Python runs it: a = operator.i<op>(a, b)
    "//=": (operator.ifloordiv, "int64", 3),
    "%=": (operator.imod, "float32", 1.5),
    "**=": (operator.ipow, "int64", 3),
    "&=": (operator.iand, "bool", False),
    "|=": (operator.ior, "bool", True),
    "^=": (operator.ixor, "bool", True),
}


@pytest.mark.parametrize("symbol", AUGMENTED)
def test_augmented_assignment_changes_every_alias(backend_name, symbol):
    operation, dtype, other = AUGMENTED[symbol]
    seen = []
    for lib in (minitorch, torch):
        a = lib.tensor(_array((2, 3), dtype, (-4.0, 4.0)))
        alias, row = a, a[1]
        a = operation(a, other)
        assert a is alias, f"{symbol} made a new tensor"
        seen.append((alias, row))
    _assert_same(seen[0][0], seen[1][0], symbol)
    _assert_same(seen[0][1], seen[1][1], symbol + " through a view taken before")


def test_augmented_assignment_statements_keep_the_object():
    a = minitorch.tensor([[7, -8], [9, 10]])
    alias = a
    a //= 2
    a %= 3
    a **= 2
    assert a is alias and alias.tolist() == [[0, 4], [1, 4]]
    mask = minitorch.tensor([True, False, True])
    alias = mask
    mask &= minitorch.tensor([True, True, False])
    mask |= minitorch.tensor([False, True, False])
    mask ^= True
    assert mask is alias and alias.tolist() == [False, False, True]


def _int(lib):
    return lib.tensor([[1, -2, 3], [4, 5, -6]])


def _float(lib):
    return lib.tensor([[1.5, -2.5, 3.0], [4.0, 0.5, -6.0]])


def _bool(lib):
    return lib.tensor([True, False, True])


ERRORS = {  # name: (make target, write, minitorch's error type, part of its message)
    "int /= 2": (_int, lambda lib, t: t.__itruediv__(2), TypeError, "can't be cast"),
    "int true_divide_": (_int, lambda lib, t: t.true_divide_(2), TypeError, "can't be cast"),
    "int divide_": (_int, lambda lib, t: t.divide_(_int(lib)), TypeError, "can't be cast"),
    "int //= 2.5": (_int, lambda lib, t: t.__ifloordiv__(2.5), TypeError, "can't be cast"),
    "int %= 2.5": (_int, lambda lib, t: t.__imod__(2.5), TypeError, "can't be cast"),
    "int remainder_ float": (_int, lambda lib, t: t.remainder_(_float(lib)), TypeError,
                             "can't be cast"),
    "int **= 0.5": (_int, lambda lib, t: t.__ipow__(0.5), TypeError, "can't be cast"),
    "int **= -1": (_int, lambda lib, t: t.__ipow__(-1), ValueError, "negative integer"),
    "int //= 0": (_int, lambda lib, t: t.__ifloordiv__(0), ZeroDivisionError, "by zero"),
    "int log_": (_int, lambda lib, t: t.log_(), TypeError, "can't be cast"),
    "int sin_": (_int, lambda lib, t: t.sin_(), TypeError, "can't be cast"),
    "int rsqrt_": (_int, lambda lib, t: t.rsqrt_(), TypeError, "can't be cast"),
    "int reciprocal_": (_int, lambda lib, t: t.reciprocal_(), TypeError, "can't be cast"),
    "int log1p_": (_int, lambda lib, t: t.log1p_(), TypeError, "can't be cast"),
    "int log2_": (_int, lambda lib, t: t.log2_(), TypeError, "can't be cast"),
    "int expm1_": (_int, lambda lib, t: t.expm1_(), TypeError, "can't be cast"),
    "int clip_ float bounds": (_int, lambda lib, t: t.clip_(0.5, 2), TypeError,
                               "can't be cast"),
    "bool square_": (_bool, lambda lib, t: t.square_(), TypeError, "can't be cast"),
    "bool **= 2": (_bool, lambda lib, t: t.__ipow__(2), TypeError, "can't be cast"),
    "bool //= True": (_bool, lambda lib, t: t.__ifloordiv__(True), TypeError,
                      "not implemented for bool"),
    "bool %= True": (_bool, lambda lib, t: t.__imod__(True), TypeError,
                     "not implemented for bool"),
    "bool negative_": (_bool, lambda lib, t: t.negative_(), TypeError, "negation"),
    "bool subtract_": (_bool, lambda lib, t: t.subtract_(_bool(lib)), TypeError, "bool"),
    "bool floor_": (_bool, lambda lib, t: t.floor_(), TypeError, "bool"),
    "bool cumsum_": (_bool, lambda lib, t: t.cumsum_(0), TypeError, "can't be cast"),
    "cumsum_ to another dtype": (_float, lambda lib, t: t.cumsum_(0, dtype=lib.float64),
                                 TypeError, "keeps its dtype"),
    "float &= True": (_float, lambda lib, t: t.__iand__(True), TypeError, "only int64 and bool"),
    "bool |= 1": (_bool, lambda lib, t: t.__ior__(1), TypeError, "can't be cast"),
    "bool ^= int tensor": (_bool, lambda lib, t: t.__ixor__(lib.tensor([1, 0, 1])),
                           TypeError, "can't be cast"),
    "0-d target, broadcast to (2,)": (lambda lib: lib.tensor(1.0),
                                      lambda lib, t: t.ge_(lib.tensor([1.0, 2.0])),
                                      ValueError, "doesn't match the broadcast shape"),
    "argument of a larger shape": (_float, lambda lib, t: t.T.remainder_(lib.ones(2, 3, 2)),
                                   ValueError, "doesn't match the broadcast shape"),
    "expanded target": (_float, lambda lib, t: t[0].expand(2, 3).floor_divide_(2),
                        RuntimeError, "single memory location"),
    "int uniform_": (_int, lambda lib, t: t.uniform_(), TypeError, "random floats"),
    "bool normal_": (_bool, lambda lib, t: t.normal_(), TypeError, "random floats"),
    "uniform_ from > to": (_float, lambda lib, t: t.uniform_(3, 2), RuntimeError,
                           "from <= to"),
    "uniform_ to inf": (_float, lambda lib, t: t.uniform_(0, math.inf), RuntimeError,
                        "finite"),
    "uniform_ too wide for float32": (_float, lambda lib, t: t.uniform_(-3e38, 3e38),
                                      RuntimeError, "largest float32 apart"),
    "normal_ std < 0": (_float, lambda lib, t: t.normal_(0, -1), RuntimeError, "std >= 0"),
    "normal_ std nan": (_float, lambda lib, t: t.normal_(0, math.nan), RuntimeError,
                        "std >= 0"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_inplace_errors_as_torch_before_any_write(backend_name, name):
    make, write, error, message = ERRORS[name]
    with pytest.raises(Exception):
        write(torch, make(torch))
    target = make(minitorch)
    before, version = target.tolist(), target._storage.version
    with pytest.raises(error, match=message):
        write(minitorch, target)
    assert target.tolist() == before and target._storage.version == version


def test_bitwise_assignments_on_integers_write_in_place_as_torch():
    """&=, |=, ^=, <<=, >>= on int64 tensors are bitwise and in place, as in PyTorch."""
    for method in ("__iand__", "__ior__", "__ixor__", "__ilshift__", "__irshift__"):
        results = []
        for lib in (minitorch, torch):
            target = lib.tensor([1, 6, -3])
            alias = target
            getattr(target, method)(lib.tensor([3, 2, 1]))
            assert alias is target
            results.append(target.tolist())
        assert results[0] == results[1], method


def test_a_tensor_saved_for_backward_and_then_written_in_place_is_an_error():
    for lib in (minitorch, torch):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = x.exp()                          # exp's backward needs y itself
        y.log_()
        with pytest.raises(RuntimeError, match="modified by an in.?place operation"):
            y.sum().backward()


def test_logical_inplace_forms_record_a_zero_gradient():
    """PyTorch's autograd does not track logical_not_ & co.: a float tensor overwritten
    with 0s and 1s keeps its old graph node (the gradient flows as if nothing had been
    written), a gradient-carrying argument is dropped, and even a leaf that requires
    grad is overwritten. minitorch treats them as it treats eq_: leaves refuse, and self
    stays in the graph with gradient 0 to self and to a tensor argument."""
    x = minitorch.tensor([0.0, 1.5, -2.0], requires_grad=True)
    w = minitorch.tensor([1.0, 0.0, 2.0], requires_grad=True)
    hidden = x * 2
    hidden.logical_and_(w)
    assert hidden.requires_grad and hidden.tolist() == [0.0, 0.0, 1.0]
    (hidden * minitorch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and w.grad.tolist() == [0.0, 0.0, 0.0]
    hidden = x * 2
    hidden.logical_not_()
    hidden.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_floor_division_in_place_leaves_the_graph_as_the_op_does():
    """minitorch's floor_divide (and div with rounding_mode='floor') is not
    differentiable and returns a tensor outside the graph; its in-place forms leave the
    target outside the graph too. PyTorch keeps it in with a node whose backward raises
    (floor_divide_) or gives 0 (div_ with rounding_mode='floor')."""
    x = minitorch.tensor([1.5, 4.5], requires_grad=True)
    for write in (lambda h: h.__ifloordiv__(2), lambda h: h.floor_divide_(2),
                  lambda h: h.divide_(2, rounding_mode="floor")):
        hidden = x * 2
        assert write(hidden) is hidden
        assert hidden.tolist() == [1.0, 4.0] and not hidden.requires_grad


# ---- uniform_ and normal_ --------------------------------------------------------------

def _available_backends():
    return [b.name for b in minitorch.list_backends() if b.available]


def test_random_fills_are_the_seeded_draws_of_rand_and_randn_on_every_backend():
    """uniform_() is rand's draw and normal_() randn's, from the default generator: the
    same values for one seed whatever the backend, into a strided target too."""
    for dtype in (minitorch.float32, minitorch.float64):
        minitorch.manual_seed(11)
        expected = {"uniform_": minitorch.rand(4, 3, dtype=dtype).tolist(),
                    "normal_": minitorch.randn(4, 3, dtype=dtype).tolist()}
        for name in _available_backends():
            minitorch.manual_seed(11)
            for method, values in expected.items():
                base = minitorch.zeros(3, 4, dtype=dtype, backend=name)
                target = base.T
                assert getattr(target, method)() is target
                assert target.tolist() == values, f"{method} {dtype} on {name}"
                assert base.T.tolist() == values and target.backend == name


def test_random_fills_scale_and_shift_identically_on_every_backend():
    results = {}
    for name in _available_backends():
        minitorch.manual_seed(3)
        filled = minitorch.empty(5, 7, backend=name)
        filled.uniform_(-2.5, 4.0)
        shifted = minitorch.empty(5, 7, backend=name).normal_(1.5, 0.25)
        results[name] = (filled.numpy(), shifted.numpy())
    reference = next(iter(results.values()))
    for name, arrays in results.items():
        for mine, expected in zip(arrays, reference):
            np.testing.assert_array_equal(mine, expected, err_msg=name)


def test_random_fills_are_reproducible_and_take_a_generator():
    minitorch.manual_seed(5)
    first = minitorch.empty(6).uniform_(0.0, 2.0).tolist()
    second = minitorch.empty(6).uniform_(0.0, 2.0).tolist()
    minitorch.manual_seed(5)
    assert minitorch.empty(6).uniform_(0.0, 2.0).tolist() == first
    assert first != second
    state = minitorch.default_generator.get_state()
    own = minitorch.empty(6).uniform_(0.0, 2.0, generator=minitorch.Generator(5))
    assert own.tolist() == first
    assert minitorch.default_generator.get_state() == state   # left untouched
    minitorch.manual_seed(8)
    drawn = minitorch.empty(6).normal_(mean=1.0, std=3.0).tolist()
    assert minitorch.empty(6).normal_(1.0, 3.0, generator=minitorch.Generator(8)).tolist() \
        == drawn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_fills_have_the_asked_range_and_moments(backend_name, dtype):
    minitorch.manual_seed(0)
    uniform = minitorch.empty(200_000, dtype=dtype).uniform_(-1.0, 3.0).numpy()
    assert uniform.dtype == np.dtype(dtype)
    assert uniform.min() >= -1.0 and uniform.max() < 3.0
    assert abs(uniform.mean() - 1.0) < 0.01 and abs(uniform.std() - 4 / math.sqrt(12)) < 0.01
    assert np.histogram(uniform, bins=4, range=(-1, 3))[0].min() > 49_000   # spread evenly
    normal = minitorch.empty(200_000, dtype=dtype).normal_(2.0, 0.5).numpy()
    assert abs(normal.mean() - 2.0) < 0.005 and abs(normal.std() - 0.5) < 0.005
    assert abs(np.mean(np.abs(normal - 2.0) < 0.5) - 0.6827) < 0.005   # one sigma
    assert (minitorch.empty(3).normal_(4.0, 0.0).tolist() == [4.0, 4.0, 4.0])
    assert minitorch.empty(3).uniform_(2.0, 2.0).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("method", ["uniform_", "normal_"])
def test_random_fills_refuse_a_leaf_that_requires_grad_before_drawing(method):
    minitorch.manual_seed(1)
    leaf = minitorch.zeros(2, 3, requires_grad=True)
    for target in (leaf, leaf[0]):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            getattr(target, method)()
    assert leaf.tolist() == [[0.0] * 3] * 2
    after = getattr(minitorch.empty(4), method)().tolist()
    minitorch.manual_seed(1)
    assert getattr(minitorch.empty(4), method)().tolist() == after   # nothing was drawn
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(torch.zeros(2, 3, requires_grad=True), method)()
    with minitorch.no_grad():
        getattr(leaf, method)()
    assert leaf.is_leaf and leaf.requires_grad and leaf.tolist() != [[0.0] * 3] * 2


@pytest.mark.parametrize("method", ["uniform_", "normal_"])
def test_random_fill_of_a_graph_tensor_has_zero_gradient_as_in_torch(backend_name, method):
    grads = []
    for lib in (minitorch, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        hidden = (x * 3).T
        version = hidden._version if lib is torch else hidden._storage.version
        assert getattr(hidden, method)() is hidden and hidden.requires_grad
        assert (hidden._version if lib is torch else hidden._storage.version) == version + 1
        # x's own term makes its gradient ones; the fill must add exactly 0 to it
        ((hidden * lib.tensor(WEIGHTS[:3, :2])).sum() + x.sum()).backward()
        grads.append(x.grad)
    _assert_same(grads[0], grads[1], method)


def test_nn_init_fills_are_the_tensor_methods():
    minitorch.manual_seed(21)
    expected = minitorch.empty(3, 5).uniform_(-0.5, 0.5).tolist()
    expected_normal = minitorch.empty(3, 5).normal_(0.0, 0.1).tolist()
    weight = minitorch.nn.Parameter(minitorch.zeros(3, 5))
    minitorch.manual_seed(21)
    assert minitorch.nn.init.uniform_(weight, -0.5, 0.5) is weight
    assert weight.tolist() == expected
    assert minitorch.nn.init.normal_(weight, 0.0, 0.1).tolist() == expected_normal
    assert weight.is_leaf and weight.requires_grad and weight.grad is None
    with pytest.raises(RuntimeError, match="from <= to"):
        minitorch.nn.init.uniform_(weight, 1.0, -1.0)    # as torch.nn.init.uniform_
