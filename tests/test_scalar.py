"""Tests for minitorch.scalar: the Value autograd engine and the tiny nn library.

Forward values and gradients are checked against torch in float64 to 1e-12.
"""

import importlib.util
import math
import random
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from minitorch.scalar import Value, nn

TOL = {"rel": 1e-12, "abs": 1e-12}
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "scalar_moons.py"


def assert_matches_torch(fn, *inputs):
    """Apply `fn` to Values and to float64 torch tensors holding `inputs`; check
    that the results and the gradients with respect to every input agree."""
    values = [Value(x) for x in inputs]
    out = fn(*values)
    out.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    expected = fn(*tensors)
    expected.backward()

    assert out.data == pytest.approx(expected.item(), **TOL)
    for value, tensor in zip(values, tensors):
        assert value.grad == pytest.approx(tensor.grad.item(), **TOL)


# ------------------------------------------------------------------ single ops

BINARY_CASES = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}

UNARY_CASES = {
    "add_number": lambda a: a + 2.5,
    "radd": lambda a: 2.5 + a,
    "sub_number": lambda a: a - 2.5,
    "rsub": lambda a: 2.5 - a,
    "mul_number": lambda a: a * -3,
    "rmul": lambda a: -3 * a,
    "div_number": lambda a: a / 4.0,
    "rdiv": lambda a: 2.5 / a,
    "neg": lambda a: -a,
    "pow_2": lambda a: a**2,
    "pow_3": lambda a: a**3,
    "pow_0": lambda a: a**0,
    "pow_minus_1": lambda a: a**-1,
    "pow_minus_3": lambda a: a**-3,
    "pow_0.5": lambda a: a**0.5,
    "pow_1.5": lambda a: a**1.5,
    "pow_minus_2.5": lambda a: a**-2.5,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
}

# Fractional powers and log need a positive input; the rest also see negative ones.
POSITIVE_ONLY = {"pow_0.5", "pow_1.5", "pow_minus_2.5", "log"}


@pytest.mark.parametrize("name", BINARY_CASES)
@pytest.mark.parametrize("a, b", [(1.3, -0.7), (-2.2, 3.9), (0.25, 0.5)])
def test_binary_op_matches_torch(name, a, b):
    assert_matches_torch(BINARY_CASES[name], a, b)


@pytest.mark.parametrize(
    "name, a",
    [
        (name, a)
        for name in UNARY_CASES
        for a in (1.7, 0.3, -0.8, -2.6)
        if a > 0 or name not in POSITIVE_ONLY
    ],
)
def test_unary_op_matches_torch(name, a):
    assert_matches_torch(UNARY_CASES[name], a)


def test_same_value_on_both_sides_matches_torch():
    for fn in BINARY_CASES.values():
        assert_matches_torch(lambda a, fn=fn: fn(a, a), 1.7)


def test_op_labels_and_children():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = 1 - c
    assert c.op == "*" and c.children == (a, b)
    assert d.op == "-" and d.children[1] is c and d.children[0].data == 1.0
    assert (a**-2).op == "**-2"
    assert a.op == "" and a.children == ()


# ------------------------------------------------------------------ composites


def composite(a, b, c):
    """Every operator and function, with several nodes used more than once."""
    d = a * b + b**3
    e = (d - a / c).tanh()
    f = 2 + e * e - 3 / (1 + c.exp())
    g = (a * a + 1).log() * d.sigmoid()
    h = (f - g).relu() + (-f + 4.5) ** -2 + 0.5 - 2 * g + c**0.5
    return h * h + h / d - (0.1 * d) ** 2


def rational(a, b):
    """Divisions, reflected operators and negative powers of shared subterms."""
    s = a + b
    q = s / (a - b) + 1 / s - 2 / (b * b)
    return (q**-1 - 3 - q) * (s**2 + 1) ** -0.5 - (-q).relu() + (-s).sigmoid()


@pytest.mark.parametrize("a, b, c", [(0.8, -1.4, 2.3), (-1.1, 0.6, 0.4), (2.0, 1.5, 3.0)])
def test_composite_expression_matches_torch(a, b, c):
    assert_matches_torch(composite, a, b, c)


@pytest.mark.parametrize("a, b", [(0.8, -1.4), (-1.1, 0.6), (2.0, 1.5)])
def test_rational_expression_matches_torch(a, b):
    assert_matches_torch(rational, a, b)


# ------------------------------------------------------------------ graph walking


def test_chain_of_ten_thousand_additions():
    x = Value(0.5)
    y = x
    for _ in range(10_000):
        y = y + x
    y.backward()
    assert y.data == 0.5 * 10_001
    assert x.grad == 10_001.0


def test_deep_chain_matches_torch():
    def chain(x):
        y = x
        for _ in range(10_000):
            y = (0.9 * y + x).tanh()
        return y

    assert_matches_torch(chain, 0.3)


def test_topological_order_puts_children_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = e.topological_order()
    assert len(order) == len(set(order)) == 5
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[child] < position[node]
    assert order[-1] is e


# ------------------------------------------------------------------ accumulation


def test_square_by_reuse():
    a = Value(3.0)
    b = a * a
    b.backward()
    assert a.grad == 6.0


def test_sum_by_reuse():
    a = Value(-4.0)
    b = a + a
    b.backward()
    assert b.data == -8.0
    assert a.grad == 2.0


def test_reused_intermediate_collects_all_paths():
    a = Value(2.0)
    b = 3 * a
    c = b * b + b  # dc/db = 2b + 1 = 13, db/da = 3
    c.backward()
    assert b.grad == 13.0
    assert a.grad == 39.0


def test_second_backward_accumulates_into_leaves_only():
    a = Value(2.0)
    b = 3 * a
    c = b * b
    c.backward()
    c.backward()
    assert b.grad == 12.0  # this call's gradient, not twice it
    assert a.grad == 2 * 36.0


def test_backward_of_a_leaf():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


# ------------------------------------------------------------------ numerics


def test_tanh_saturates_without_overflow():
    big, small = Value(1000.0), Value(-1000.0)
    up, down = big.tanh(), small.tanh()
    assert up.data == 1.0 and down.data == -1.0
    up.backward()
    down.backward()
    assert big.grad == 0.0 and small.grad == 0.0


def test_sigmoid_saturates_without_overflow():
    low, high = Value(-1000), Value(1000)
    assert low.sigmoid().data == 0.0
    assert high.sigmoid().data == 1.0
    out = low.sigmoid() + high.sigmoid()
    out.backward()
    assert low.grad == 0.0 and high.grad == 0.0


def test_exp_overflows_like_python():
    assert math.isfinite(Value(709.0).exp().data)
    with pytest.raises(OverflowError):
        Value(710.0).exp()


def test_relu_gradient_at_zero_is_zero():
    a = Value(0.0)
    a.relu().backward()
    assert a.grad == 0.0


def test_relu_of_nan_is_nan_like_torch():
    a = Value(float("nan"))
    out = a.relu()
    out.backward()
    t = torch.tensor(float("nan"), dtype=torch.float64, requires_grad=True)
    t_out = t.relu()
    t_out.backward()
    assert math.isnan(out.data) and math.isnan(t_out.item())
    assert a.grad == t.grad.item() == 1.0


@pytest.mark.parametrize(
    "base, exponent, error",
    [(-2.0, np.float64(0.5), ValueError), (0.0, np.float64(-1), ZeroDivisionError),
     (0.0, np.int64(-2), ZeroDivisionError), (-8.0, np.float32(1 / 3), ValueError)],
)
def test_numpy_exponent_raises_like_python_float(base, exponent, error):
    with pytest.raises(error):
        Value(base) ** float(exponent)  # what the numpy scalar must behave like
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarning would fail the test
        with pytest.raises(error):
            Value(base) ** exponent


@pytest.mark.parametrize("exponent, label", [(np.float64(0.5), "**0.5"), (np.int64(3), "**3"),
                                             (np.bool_(True), "**1")])
def test_numpy_exponent_matches_python_number(exponent, label):
    a = Value(2.0)
    out = a**exponent
    out.backward()
    assert type(out.data) is float and out.op == label
    assert out.data == pytest.approx(2.0 ** float(exponent), **TOL)
    assert a.grad == pytest.approx(float(exponent) * 2.0 ** (float(exponent) - 1), **TOL)


def test_numpy_bools_are_accepted_like_python_bools():
    assert Value(np.bool_(True)).data == Value(True).data == 1.0
    assert (Value(3.0) * np.bool_(False)).data == 0.0
    assert (np.bool_(True) + Value(3.0)).data == 4.0


def test_power_gradients_at_zero_match_torch():
    for exponent in (0, 0.5, 1, 2):
        a = Value(0.0)
        (a**exponent).backward()
        t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        (t**exponent).backward()
        assert a.grad == t.grad.item(), exponent


def test_repr():
    a = Value(2)
    assert repr(a) == "Value(data=2.0, grad=0.0)"
    (a * a).backward()
    assert repr(a) == "Value(data=2.0, grad=4.0)"


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "make, type_name",
    [
        (lambda: Value(1) + "x", "str"),
        (lambda: Value(1) * None, "NoneType"),
        (lambda: [1] - Value(1), "list"),
        (lambda: Value(1) / 2j, "complex"),
        (lambda: Value(1) ** Value(2), "Value"),
        (lambda: Value(1) ** "2", "str"),
        (lambda: Value("3"), "str"),
    ],
)
def test_unsupported_operand_raises_type_error(make, type_name):
    with pytest.raises(TypeError, match=type_name):
        make()


@pytest.mark.parametrize("x", [0.0, -2.5])
def test_log_of_non_positive_raises(x):
    with pytest.raises(ValueError, match=str(x)):
        Value(x).log()


def test_complex_power_raises():
    with pytest.raises(ValueError, match="not a real number"):
        Value(-8.0) ** (1 / 3)


def test_division_by_zero_raises():
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1


# ------------------------------------------------------------------ nn


def test_mlp_structure_and_repr():
    model = nn.MLP(2, [16, 16, 1])
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    assert [layer.neurons[0].nonlin for layer in model.layers] == [True, True, False]
    assert repr(model) == (
        "MLP(Layer(2 -> 16, relu), Layer(16 -> 16, relu), Layer(16 -> 1, linear))"
    )
    assert repr(model.layers[2].neurons[0]) == "Neuron(16, linear)"
    assert isinstance(model([0.5, -0.5]), Value)


def test_layer_outputs_are_lists_even_for_one_neuron():
    layer = nn.Layer(3, 1, nonlin=False)
    assert len(layer([1.0, 2.0, 3.0])) == 1
    model = nn.MLP(2, [1, 3])  # a width-1 hidden layer feeds the next layer
    assert len(model([1.0, 2.0])) == 3


@pytest.mark.parametrize("inputs", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0]])
def test_neuron_rejects_wrong_input_length(inputs):
    with pytest.raises(ValueError, match=f"^Neuron expects 3 inputs, got {len(inputs)}$"):
        nn.Neuron(3)(inputs)
    with pytest.raises(ValueError, match=f"^Neuron expects 3 inputs, got {len(inputs)}$"):
        nn.MLP(3, [2, 1])(inputs)


def test_weights_follow_random_seed():
    random.seed(42)
    first = [p.data for p in nn.MLP(3, [4, 1]).parameters()]
    random.seed(42)
    second = [p.data for p in nn.MLP(3, [4, 1]).parameters()]
    random.seed(43)
    third = [p.data for p in nn.MLP(3, [4, 1]).parameters()]
    assert first == second
    assert first != third


def test_zero_grad():
    model = nn.MLP(2, [3, 1])
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_mlp_gradients_match_torch_mlp():
    random.seed(7)
    model = nn.MLP(3, [5, 4, 1])
    points = [[random.uniform(-2, 2) for _ in range(3)] for _ in range(8)]
    labels = [1, -1, 1, 1, -1, -1, 1, -1]
    alpha = 1e-3

    scores = [model(p) for p in points]
    hinge = sum((1 - y * s).relu() for y, s in zip(labels, scores)) / len(labels)
    loss = hinge + alpha * sum(p * p for p in model.parameters())
    loss.backward()

    def as_tensor(rows):
        return torch.tensor(rows, dtype=torch.float64, requires_grad=True)

    weights = [as_tensor([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers]
    biases = [as_tensor([n.b.data for n in layer.neurons]) for layer in model.layers]
    hidden = torch.tensor(points, dtype=torch.float64)
    for i, (w, b) in enumerate(zip(weights, biases)):
        hidden = hidden @ w.T + b
        if i < len(weights) - 1:
            hidden = hidden.relu()
    t_scores = hidden[:, 0]
    t_labels = torch.tensor(labels, dtype=torch.float64)
    t_reg = sum((w * w).sum() + (b * b).sum() for w, b in zip(weights, biases))
    t_loss = (1 - t_labels * t_scores).relu().mean() + alpha * t_reg
    t_loss.backward()

    assert [s.data for s in scores] == pytest.approx(t_scores.tolist(), **TOL)
    assert loss.data == pytest.approx(t_loss.item(), **TOL)
    for layer, w, b in zip(model.layers, weights, biases):
        for i, neuron in enumerate(layer.neurons):
            assert [p.grad for p in neuron.w] == pytest.approx(w.grad[i].tolist(), **TOL)
            assert neuron.b.grad == pytest.approx(b.grad[i].item(), **TOL)
    # Make sure the comparison is not vacuous: the data loss reaches every layer.
    for w in weights:
        assert (w.grad - 2 * alpha * w).abs().max().item() > 1e-6


# ------------------------------------------------------------------ example


def load_example():
    spec = importlib.util.spec_from_file_location("scalar_moons", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_training_reduces_loss():
    moons = load_example()
    random.seed(0)
    points, labels = moons.make_moons(n_samples=20)
    assert len(points) == 20 and labels.count(1) == labels.count(-1) == 10
    model = nn.MLP(2, [8, 8, 1])
    history = moons.train(model, points, labels, steps=5, log=None)
    assert len(history) == 5
    assert history[-1][0] < history[0][0]
