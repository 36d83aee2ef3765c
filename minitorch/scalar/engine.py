"""A scalar reverse-mode autograd engine in the style of micrograd.

Every arithmetic operation on a `Value` returns a new `Value` that remembers its
inputs (`children`), a label for the operation (`op`) and a small closure that,
given the gradient of the final output with respect to the new value, adds the
chain-rule contributions into its inputs' `grad`. `Value.backward()` walks that
graph in reverse topological order.

Numerics follow Python float semantics, with these deliberate choices:

* `exp` uses `math.exp`, so it raises OverflowError where Python would (inputs
  above about 709.78) rather than returning inf. `**` likewise raises
  OverflowError or ZeroDivisionError exactly where Python's float `**` does.
* `tanh` and `sigmoid` never overflow: `Value(1000.0).tanh()` is 1.0 and
  `Value(-1000.0).sigmoid()` is 0.0, with gradients of 0.0.
* `log` of a non-positive number, and a power whose result would be complex
  (negative base, fractional exponent), raise ValueError.
* `relu` of nan is nan, as in torch.
* Operands other than `Value` and real numbers (int, float, bool, numpy scalars
  including numpy bools, but not complex) are rejected by Python's usual
  TypeError, which names the types. Numpy scalars follow Python's rules too: they
  are converted to Python numbers, so `Value(-2.0) ** np.float64(0.5)` raises
  ValueError like `** 0.5` instead of giving nan.
"""

import functools
import math
import sys
from numbers import Integral, Real


def _is_numpy_bool(x):
    """True for a numpy bool scalar (numpy does not register it as numbers.Real)."""
    numpy = sys.modules.get("numpy")  # without numpy loaded, x can't be a numpy bool
    return numpy is not None and isinstance(x, numpy.bool_)


def _is_real(x):
    """True for int, float, bool, numpy bools and any other numbers.Real (e.g. numpy
    scalars)."""
    # The concrete types are checked first because this runs for every new node
    # and an isinstance check against the Real ABC is several times slower.
    return isinstance(x, (float, int)) or isinstance(x, Real) or _is_numpy_bool(x)


def _python_number(x):
    """The real number `x` as a Python int (integers and bools) or float, so that
    arithmetic on it follows Python's rules rather than numpy's."""
    if isinstance(x, Integral) or _is_numpy_bool(x):
        return int(x)
    return float(x)


def _binary(method):
    """Let a binary dunder method accept a real number as `other`.

    The number is wrapped in a constant `Value`; any other operand type makes the
    method return NotImplemented, so Python raises its usual TypeError
    ("unsupported operand type(s) for +: 'Value' and 'str'") or lets the other
    operand's reflected method handle it.
    """

    @functools.wraps(method)
    def wrapper(self, other):
        if not isinstance(other, Value):
            if not _is_real(other):
                return NotImplemented
            other = Value(other)
        return method(self, other)

    return wrapper


def _power_slope(base, exponent):
    """d(base ** exponent)/d(base), with the limits torch uses at base == 0."""
    if exponent == 0:
        return 0.0  # the formula below would compute 0 * 0.0 ** -1
    if base == 0 and exponent < 1:
        return math.inf  # the slope of x ** p for 0 < p < 1 blows up at 0
    return exponent * base ** (exponent - 1)


class Value:
    """A scalar that records how it was computed, so gradients can flow back.

    Attributes:
        data: the float value.
        grad: d(output)/d(self) after `output.backward()`; starts at 0.0.
        children: the Values this one was computed from (empty for a leaf).
        op: a label for the operation that produced it ("" for a leaf).

    Values hash and compare by identity, so they can be graph nodes in sets.
    """

    # Slots keep the many small nodes of a graph compact and quick to access.
    __slots__ = ("data", "grad", "children", "op", "_backward")

    def __init__(self, data, children=(), op="", backward=None):
        """Make a Value. `data` must be a real number (int, float, bool, numpy
        scalar); anything else raises TypeError.

        `children`, `op` and `backward` are for operations building the graph:
        `backward(grad)` must add grad * d(self)/d(child) to each child's grad.
        """
        if not _is_real(data):
            raise TypeError(f"Value data must be a real number, not {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self._backward = backward

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # ----------------------------------------------------------------- arithmetic

    @_binary
    def __add__(self, other):
        def _backward(grad):
            self.grad += grad
            other.grad += grad

        return Value(self.data + other.data, (self, other), "+", _backward)

    @_binary
    def __sub__(self, other):
        def _backward(grad):
            self.grad += grad
            other.grad -= grad

        return Value(self.data - other.data, (self, other), "-", _backward)

    @_binary
    def __mul__(self, other):
        def _backward(grad):
            self.grad += other.data * grad
            other.grad += self.data * grad

        return Value(self.data * other.data, (self, other), "*", _backward)

    @_binary
    def __truediv__(self, other):
        """self / other; raises ZeroDivisionError when other.data is 0."""
        quotient = self.data / other.data

        def _backward(grad):
            self.grad += grad / other.data
            other.grad -= quotient / other.data * grad

        return Value(quotient, (self, other), "/", _backward)

    def __pow__(self, exponent):
        """self ** exponent for a real-number exponent; a Value exponent (and
        number ** Value) is not supported. Raises ValueError when the result
        would be complex, and ZeroDivisionError or OverflowError where Python's
        float ** does (e.g. 0.0 ** -1)."""
        if not _is_real(exponent):
            return NotImplemented
        exponent = _python_number(exponent)  # np.float64 would give nan/inf, not raise
        result = self.data**exponent
        if isinstance(result, complex):
            raise ValueError(f"{self.data!r} ** {exponent!r} is not a real number")

        def _backward(grad):
            self.grad += _power_slope(self.data, exponent) * grad

        return Value(result, (self,), f"**{exponent!r}", _backward)

    def __neg__(self):
        def _backward(grad):
            self.grad -= grad

        return Value(-self.data, (self,), "neg", _backward)

    __radd__ = __add__
    __rmul__ = __mul__

    @_binary
    def __rsub__(self, other):
        return other - self

    @_binary
    def __rtruediv__(self, other):
        return other / self

    # ----------------------------------------------------------------- functions

    def exp(self):
        """e ** self; raises OverflowError above about 709.78, like math.exp."""
        result = math.exp(self.data)

        def _backward(grad):
            self.grad += result * grad

        return Value(result, (self,), "exp", _backward)

    def log(self):
        """Natural logarithm; raises ValueError if self.data <= 0."""
        if self.data <= 0:
            raise ValueError(f"log of non-positive value {self.data!r}")

        def _backward(grad):
            self.grad += grad / self.data

        return Value(math.log(self.data), (self,), "log", _backward)

    def tanh(self):
        """Hyperbolic tangent; saturates to exactly +-1.0 for large inputs."""
        result = math.tanh(self.data)

        def _backward(grad):
            self.grad += (1.0 - result * result) * grad

        return Value(result, (self,), "tanh", _backward)

    def sigmoid(self):
        """1 / (1 + e ** -self), computed without overflow for any input."""
        if self.data >= 0:
            result = 1.0 / (1.0 + math.exp(-self.data))
        else:
            # exp(-x) would overflow for very negative x; exp(x) only underflows.
            e = math.exp(self.data)
            result = e / (1.0 + e)

        def _backward(grad):
            self.grad += result * (1.0 - result) * grad

        return Value(result, (self,), "sigmoid", _backward)

    def relu(self):
        """max(0, self), as torch.relu: the gradient at exactly 0 is taken to be 0, and
        nan stays nan (with the incoming gradient passed through)."""
        positive = not self.data <= 0  # true for nan, like torch's threshold test

        def _backward(grad):
            if positive:
                self.grad += grad

        return Value(self.data if positive else 0.0, (self,), "relu", _backward)

    # ----------------------------------------------------------------- autograd

    def topological_order(self):
        """All Values this one depends on (itself included), each after its children.

        Iterative depth-first search, so graphs of any depth work without
        hitting Python's recursion limit.
        """
        order = []
        visited = set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node.children if child not in visited)
        return order

    def backward(self):
        """Compute d(self)/d(node) for every node of the graph behind self.

        Sets self.grad to 1.0, resets the grad of every intermediate (non-leaf)
        node, then propagates. Leaves (Values built directly, such as parameters)
        accumulate: their grad grows by d(self)/d(leaf) on every call, as in torch,
        so reset them (e.g. `Module.zero_grad()`) between optimisation steps.
        A node reached along several paths receives the sum of all of them.
        """
        order = self.topological_order()
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            if node._backward is not None:
                node._backward(node.grad)
