"""Every tensor op, defined once.

Differentiable primitives are Function subclasses: `forward` computes through the
dispatcher, `backward` is written with the public ops below (early-tinygrad style), or,
on the hot paths of training (matmul, linear, relu, log_softmax, cross_entropy), with
the same dispatcher calls the forward ops use, skipping their argument checks; either
way gradients run on any backend. Composite ops (mean, var, softmax, ...) are plain
functions built from primitives and need no backward of their own. Public functions
are exported as `minitorch.<name>` and installed as Tensor methods (see the end).
"""
import builtins
import functools
import itertools
import math
import numbers
import operator
import warnings

import numpy as np

from . import dispatch, layout
from .autograd import Function, _grad_enabled, rebase
from .contract import first_out_of_range
from .dtype import (DIMENSIONED, SCALAR, ZERO_DIM, bool_, float64, get_default_dtype,
                    int64, of_scalar, promote)
from .layout import format_shape
from .creation import (check_fill_value, full, ones_like, rand, randn, tensor as make_tensor,
                       zeros_like)
from .tensor import Tensor, contiguous_format, preserve_format

# ---- operands ---------------------------------------------------------------------------

_constants = {}  # (value, type, dtype, backend) -> cached 0-d tensor for Python scalars


def _scalar_tensor(value, dtype, backend):
    """A 0-d tensor holding a Python scalar; cached, since loops reuse constants."""
    key = (value, type(value), dtype, backend)
    cacheable = not (value == 0 and math.copysign(1.0, value) < 0)  # -0.0 == 0.0
    if cacheable and key in _constants:
        return _constants[key]
    constant = dispatch.fill(value, (), dtype, backend)
    if cacheable:
        if len(_constants) > 1024:
            _constants.clear()
        _constants[key] = constant
    return constant


def _priority(tensor):
    return DIMENSIONED if tensor.shape else ZERO_DIM


def _check_scalar(value, op_name):
    if not isinstance(value, (numbers.Number, np.bool_)) or isinstance(value, complex):
        raise TypeError(f"{op_name}: unsupported operand type {type(value).__name__!r}; "
                        "expected a Tensor or a Python int, float or bool")


def _same_backend(a, b, op_name):
    if a._storage.backend is not b._storage.backend:
        raise RuntimeError(f"{op_name}: tensors are on different backends "
                           f"({a.backend!r} and {b.backend!r}); move one with "
                           f".to({a.backend!r})")


def _result_type(a, b, op_name):
    """(tensor_a, tensor_b, dtype): scalars become tensors, dtype by PyTorch's rules."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        _same_backend(a, b, op_name)
        if a.dtype is b.dtype:
            return a, b, a.dtype
        return a, b, promote(a.dtype, _priority(a), b.dtype, _priority(b))
    if isinstance(a, Tensor):
        _check_scalar(b, op_name)
        dtype = promote(a.dtype, _priority(a), of_scalar(b), SCALAR)
        return a, _scalar_tensor(b, dtype, a._storage.backend), dtype
    _check_scalar(a, op_name)
    dtype = promote(of_scalar(a), SCALAR, b.dtype, _priority(b))
    return _scalar_tensor(a, dtype, b._storage.backend), b, dtype


def _operands(a, b, op_name, compute_dtype=None):
    """Both operands as tensors of one dtype (compute_dtype overrides the promoted one)."""
    if type(a) is Tensor and type(b) is Tensor and a.dtype is b.dtype and \
            a._storage.backend is b._storage.backend and compute_dtype is None:
        return a, b  # the common case, decided without the general rules below
    a, b, dtype = _result_type(a, b, op_name)
    dtype = compute_dtype(dtype) if compute_dtype else dtype
    return cast(a, dtype), cast(b, dtype)


def _broadcast(a, b, op_name):
    return a.shape if a.shape == b.shape else layout.broadcast_shapes(a.shape, b.shape, op_name)


def _floating(dtype):
    return dtype if dtype.is_floating_point else get_default_dtype()


def _not_bool(dtype):
    return int64 if dtype is bool_ else dtype


def _refusing_bool(op_name):
    """A compute_dtype for _operands that refuses a bool result type, for the ops PyTorch
    implements for no bool operands (floor_divide, remainder, fmod, pow)."""
    def checked(dtype):
        if dtype is bool_:
            raise TypeError(f"{op_name}: not implemented for bool operands, as in PyTorch; "
                            "cast them to int64 first")
        return dtype
    return checked


# ---- casting and moving -----------------------------------------------------------------

class Cast(Function):
    def forward(self, a, dtype):
        self.input_dtype = a.dtype
        return dispatch.cast(a, dtype)

    def backward(self, grad):
        return cast(grad, self.input_dtype) if self.input_dtype.is_floating_point else None


def cast(a, dtype):
    """a converted to dtype (a itself when it already has it)."""
    return a if a.dtype is dtype else Cast.apply(a, dtype)


class ToBackend(Function):
    def forward(self, a, backend):
        self.source = a._storage.backend
        return dispatch.from_numpy(dispatch.to_numpy(a), a.dtype, backend)

    def backward(self, grad):
        return ToBackend.apply(grad, self.source)


def to_backend(a, name):
    from .registry import lookup
    backend = lookup(name)
    return a if a._storage.backend is backend else ToBackend.apply(a, backend)


class Clone(Function):
    def forward(self, a):
        return dispatch.materialize(a)

    def backward(self, grad):
        return grad


def clone(a, *, memory_format=preserve_format):
    """A copy of a in its graph, row-major (or in memory_format; see MemoryFormat)."""
    return Clone.apply(a) if memory_format is preserve_format else \
        _laid_out(a, memory_format, "clone")


def contiguous(a, memory_format=contiguous_format):
    """a itself when it is compact in memory_format's order (row-major by default), else
    a copy that is (preserve_format names no order to copy into: refused, as torch)."""
    if a.is_contiguous(memory_format):
        return a
    if memory_format is preserve_format:
        raise RuntimeError("contiguous: preserve_format is not supported by contiguous; "
                           "use contiguous_format or channels_last")
    return _laid_out(a, memory_format, "contiguous")


def _laid_out(a, memory_format, op_name):
    """A copy of a (in a's graph) compact in memory_format's dim order: the dims
    permuted into that order, copied row-major, and permuted back (a view)."""
    order = memory_format.dim_order(a.ndim, op_name)
    if order is None:
        return Clone.apply(a)
    return permute(Clone.apply(permute(a, order)), tuple(order.index(d) for d in range(a.ndim)))


# ---- elementwise binary -----------------------------------------------------------------

class Add(Function):
    def forward(self, a, b):
        return dispatch.binary("add", a, b, _broadcast(a, b, "add"), a.dtype)

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return dispatch.binary("sub", a, b, _broadcast(a, b, "sub"), a.dtype)

    def backward(self, grad):
        return grad, neg(grad)


class Mul(Function):
    def forward(self, a, b):
        # each side's gradient needs the other side: a constant factor saves nothing more
        self.save_for_backward(a if b._requires_grad else None, b if a._requires_grad else None)
        return dispatch.binary("mul", a, b, _broadcast(a, b, "mul"), a.dtype)

    def backward(self, grad):
        a, b = self.saved_tensors
        needs_a, needs_b = (i is not None for i in self.inputs)
        return grad * b if needs_a else None, grad * a if needs_b else None


class Div(Function):
    def forward(self, a, b):
        self.save_for_backward(a if b._requires_grad else None, b)
        return dispatch.binary("div", a, b, _broadcast(a, b, "div"), a.dtype)

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_a = grad / b
        return grad_a, neg(grad_a * a / b) if self.inputs[1] is not None else None


class Pow(Function):
    def forward(self, a, b):
        result = dispatch.binary("pow", a, b, _broadcast(a, b, "pow"), a.dtype)
        self.save_for_backward(a, b, result)
        return result

    def backward(self, grad):
        # PyTorch's pow_backward_self and pow_backward_exponent: an exponent of 0 gives a
        # zero gradient (not 0 * a ** -1, nan at a = 0), and so does a = 0 for the
        # exponent when it is >= 0 (not log(0) * 0); elsewhere log(a) is nan below 0
        a, b, result = self.saved_tensors
        grad_a = where(b == 0, 0.0, grad * b * a ** (b - 1))
        grad_b = None
        if self.inputs[1] is not None:  # log(a) only when the exponent needs a gradient
            grad_b = grad * where(logical_and(a == 0, b >= 0), 0.0, result * log(a))
        return grad_a, grad_b


class Maximum(Function):
    """max(a, b) elementwise. backward, as PyTorch's: on ties each side gets half the
    gradient; the losing side gets 0 (even for an inf or nan gradient); where a or b is
    nan, neither loses, so both get all of it."""

    op = "maximum"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return dispatch.binary(self.op, a, b, _broadcast(a, b, self.op), a.dtype)

    def backward(self, grad):
        a, b = self.saved_tensors
        a_loses, b_loses = (a < b, a > b) if self.op == "maximum" else (a > b, a < b)
        share = where(a == b, grad * 0.5, grad)
        return where(a_loses, 0.0, share), where(b_loses, 0.0, share)


class Minimum(Maximum):
    op = "minimum"


class Remainder(Function):
    def forward(self, a, b):
        self.save_for_backward(*((a, b) if b._requires_grad else ()))   # only b's needs them
        return dispatch.binary("mod", a, b, _broadcast(a, b, "remainder"), a.dtype)

    def backward(self, grad):
        if self.inputs[1] is None:
            return grad, None
        a, b = self.saved_tensors
        return grad, neg(grad * floor_divide(a, b))


class Fmod(Function):
    def forward(self, a, b):
        self.save_for_backward(*((a, b) if b._requires_grad else ()))   # only b's needs them
        return dispatch.binary("fmod", a, b, _broadcast(a, b, "fmod"), a.dtype)

    def backward(self, grad):
        if self.inputs[1] is None:
            return grad, None
        a, b = self.saved_tensors
        return grad, neg(grad * trunc(a / b))


class Atan2(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return dispatch.binary("atan2", a, b, _broadcast(a, b, "atan2"), a.dtype)

    def backward(self, grad):
        # PyTorch's atan2_backward: b / (a**2 + b**2) and -a / (a**2 + b**2), where a
        # denominator that is 0 (as at the origin, or by underflow) counts as infinite
        a, b = self.saved_tensors
        denominator = a * a + b * b
        scale = where(denominator == 0, 0.0, reciprocal(denominator))
        return grad * b * scale, grad * neg(a) * scale


def _integral_alpha(alpha, dtype, op_name):
    """alpha, checked to keep an op's result dtype: a floating-point alpha (even 2.0)
    scaling an integer or bool operand is refused, as PyTorch refuses it, instead of
    reaching the kernels with operands of two dtypes."""
    if not dtype.is_floating_point and isinstance(alpha, (float, np.floating)):
        raise TypeError(f"{op_name}: for integral input tensors ({dtype.name}), alpha must "
                        f"not be a floating point number, got {alpha!r}; pass an int "
                        f"alpha or convert the tensors to a floating dtype")
    return alpha


def add(a, b, alpha=1):
    a, b = _operands(a, b, "add")
    if alpha != 1:
        b = b * _integral_alpha(alpha, a.dtype, "add")
    if a.dtype is bool_:
        return _bool_binary("maximum", a, b, "add")  # logical or, as PyTorch
    return Add.apply(a, b)


def _is_bool(value):
    """Whether value is a bool tensor or a Python (or numpy) bool."""
    if isinstance(value, Tensor):
        return value.dtype is bool_
    return isinstance(value, (bool, np.bool_))


def sub(a, b, alpha=1):
    left, right = _operands(a, b, "sub")
    # a bool on either side is refused, even where the other operand promoted it away (as
    # PyTorch); the originals need a look only when _operands converted one of them
    if left.dtype is bool_ or (left is not a or right is not b) and (_is_bool(a) or
                                                                     _is_bool(b)):
        raise TypeError("sub: subtraction with a bool operand is not supported; use "
                        "logical_xor or ~ instead")
    if alpha != 1:
        right = right * _integral_alpha(alpha, left.dtype, "sub")
    return Sub.apply(left, right)


def mul(a, b):
    a, b = _operands(a, b, "mul")
    if a.dtype is bool_:
        return _bool_binary("minimum", a, b, "mul")  # logical and, as PyTorch
    return Mul.apply(a, b)


def div(a, b, rounding_mode=None):
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode is not None:
        raise ValueError(f"div: rounding_mode must be None or 'floor', got {rounding_mode!r}")
    a, b = _operands(a, b, "div", _floating)
    return Div.apply(a, b)


def floor_divide(a, b):
    """Elementwise floor(a / b) (Python's //); not differentiable."""
    a, b = _operands(a, b, "floor_divide", _refusing_bool("floor_divide"))
    return dispatch.binary("floordiv", a, b, _broadcast(a, b, "floor_divide"), a.dtype)


def remainder(a, b):
    """a - floor(a / b) * b, the sign following b (Python's %)."""
    a, b = _operands(a, b, "remainder", _refusing_bool("remainder"))
    return Remainder.apply(a, b)


def fmod(a, b):
    """a - trunc(a / b) * b computed exactly, with the sign of a (C's fmod; Python's %,
    `remainder`, takes the sign of b instead). Integer division by zero raises
    ZeroDivisionError."""
    a, b = _operands(a, b, "fmod", _refusing_bool("fmod"))
    return Fmod.apply(a, b)


def atan2(a, b):
    """The angle of the point (b, a) in (-pi, pi], quadrant and signed zeros as C's
    atan2(a, b); both arguments are tensors (broadcast), integers are promoted to the
    default float dtype."""
    for value in (a, b):
        if not isinstance(value, Tensor):
            raise TypeError(f"atan2: both arguments must be tensors, got "
                            f"{type(a).__name__} and {type(b).__name__}")
    a, b = _operands(a, b, "atan2", _floating)
    return Atan2.apply(a, b)


def power(a, exponent):
    if isinstance(a, Tensor) and isinstance(exponent, numbers.Number) and \
            not a.dtype.is_floating_point and not isinstance(exponent, bool) and \
            isinstance(exponent, numbers.Integral) and exponent < 0:
        raise ValueError(f"pow: integers to negative integer powers are not allowed "
                         f"({a.dtype.name} tensor ** {exponent}); use a float tensor")
    if isinstance(a, Tensor) and a.dtype is bool_ and isinstance(exponent, bool):
        # as PyTorch: bool ** True is a, bool ** False is all True, and both stay bool
        return cast(power(cast(a, int64), int(exponent)), bool_)
    if isinstance(exponent, float) and exponent == 0.5 and isinstance(a, Tensor) and \
            a.dtype.is_floating_point:
        # as PyTorch: a square root, so (-inf) ** 0.5 is nan and (-0.0) ** 0.5 is -0.0 on
        # every backend (C's pow gives inf and 0.0 there)
        return sqrt(a)
    a, exponent = _operands(a, exponent, "pow", _refusing_bool("pow"))
    return Pow.apply(a, exponent)


def maximum(a, b):
    a, b = _operands(a, b, "maximum")
    return Maximum.apply(a, b)


def minimum(a, b):
    a, b = _operands(a, b, "minimum")
    return Minimum.apply(a, b)


def _ignoring_nan(a, b, a_wins, op_name):
    """fmax/fmin: a where a_wins(a, b) or b is nan, else b (so nan only where both are);
    as PyTorch, the side chosen gets all the gradient, ties going to a."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{op_name}: both arguments must be tensors, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    a, b = _operands(a, b, op_name)
    _broadcast(a, b, op_name)
    return where(logical_or(a_wins(a, b), isnan(b)), a, b)


def fmax(a, b):
    """Elementwise maximum that ignores nan: the other value where one is nan."""
    return _ignoring_nan(a, b, ge, "fmax")


def fmin(a, b):
    """Elementwise minimum that ignores nan: the other value where one is nan."""
    return _ignoring_nan(a, b, le, "fmin")


def _bool_binary(op, a, b, op_name):
    return dispatch.binary(op, a, b, _broadcast(a, b, op_name), bool_)


def _compare(op):
    def compare(a, b):
        a, b = _operands(a, b, op)
        return dispatch.binary(op, a, b, _broadcast(a, b, op), bool_)
    compare.__name__ = op
    compare.__doc__ = f"Elementwise a {op} b as a bool tensor (not differentiable)."
    return compare


eq, ne, lt, le, gt, ge = (_compare(op) for op in ("eq", "ne", "lt", "le", "gt", "ge"))


def logical_not(a):
    return eq(a, False) if a.dtype is bool_ else eq(a, 0)


def _truth(value, other):
    """value != 0 as a bool tensor; a Python scalar becomes a 0-d one on other's backend."""
    if isinstance(value, Tensor):
        return ne(value, 0)
    _check_scalar(value, "logical op")
    return _scalar_tensor(bool(value), bool_, other._storage.backend)


def logical_and(a, b):
    return _bool_binary("minimum", _truth(a, b), _truth(b, a), "logical_and")


def logical_or(a, b):
    return _bool_binary("maximum", _truth(a, b), _truth(b, a), "logical_or")


def logical_xor(a, b):
    return ne(_truth(a, b), _truth(b, a))


# ---- bitwise (int64 and bool; not differentiable) ---------------------------------------

def _check_bitwise(dtype, op_name, bool_allowed=True):
    if dtype.is_floating_point or (dtype is bool_ and not bool_allowed):
        allowed = "int64 and bool" if bool_allowed else "int64"
        raise TypeError(f"{op_name}: only {allowed} tensors are supported, got {dtype.name}")


def _bitwise(op, bool_allowed=True):
    """The public function of a bitwise binary op of the contract: operands promoted as
    PyTorch does (a bool tensor with an int becomes int64), then refused when the result
    type is a float (or, for the shifts, bool)."""
    def apply(a, b):
        a, b = _operands(a, b, op)
        _check_bitwise(a.dtype, op, bool_allowed)
        return dispatch.binary(op, a, b, _broadcast(a, b, op), a.dtype)
    apply.__name__ = op
    apply.__doc__ = f"Elementwise {op} (contract: minitorch.contract.BINARY_OPS[{op!r}])."
    return apply


bitwise_and, bitwise_or, bitwise_xor = (
    _bitwise(op) for op in ("bitwise_and", "bitwise_or", "bitwise_xor"))
bitwise_left_shift, bitwise_right_shift = (
    _bitwise(op, bool_allowed=False) for op in ("bitwise_left_shift", "bitwise_right_shift"))


def bitwise_not(a):
    """~a: every bit flipped for int64, logical not for bool; floats are refused."""
    _check_bitwise(a.dtype, "bitwise_not")
    return dispatch.unary("bitwise_not", a)


# ---- elementwise unary ------------------------------------------------------------------

class Unary(Function):
    """An elementwise op whose backward is grad * derivative(saved): saved is the input,
    or the output where `uses_result` (as PyTorch saves, so that an in-place write to
    the tensor not saved leaves the backward valid)."""

    op = None
    uses_result = False

    def forward(self, a):
        result = dispatch.unary(self.op, a)
        self.save_for_backward(result if self.uses_result else a)
        return result

    def backward(self, grad):
        (saved,) = self.saved_tensors
        return grad * self.derivative(saved)


class Neg(Function):
    def forward(self, a):
        return dispatch.unary("neg", a)

    def backward(self, grad):
        return neg(grad)


class Abs(Unary):
    op = "abs"

    def derivative(self, a):
        return sign(a)


class Exp(Unary):
    op = "exp"
    uses_result = True

    def derivative(self, result):
        return result


class Log(Unary):
    op = "log"

    def derivative(self, a):
        return 1.0 / a


class Sqrt(Unary):
    op = "sqrt"
    uses_result = True

    def derivative(self, result):
        return 0.5 / result


class Sin(Unary):
    op = "sin"

    def derivative(self, a):
        return cos(a)


class Cos(Unary):
    op = "cos"

    def derivative(self, a):
        return neg(sin(a))


class Tanh(Unary):
    op = "tanh"
    uses_result = True

    def derivative(self, result):
        return 1.0 - result * result


class Sigmoid(Unary):
    op = "sigmoid"
    uses_result = True

    def derivative(self, result):
        return result * (1.0 - result)


# The inverse and hyperbolic functions take PyTorch's derivative formulas, so their
# infinities and nans at the domain's edges (asin at +-1, acosh at 1) are PyTorch's.

class Tan(Unary):
    op = "tan"
    uses_result = True

    def derivative(self, result):
        return 1.0 + result * result


class Asin(Unary):
    op = "asin"

    def derivative(self, a):
        return rsqrt(1.0 - a * a)


class Acos(Unary):
    op = "acos"

    def derivative(self, a):
        return neg(rsqrt(1.0 - a * a))


class Atan(Unary):
    op = "atan"

    def derivative(self, a):
        return reciprocal(a * a + 1.0)


class Sinh(Unary):
    op = "sinh"

    def derivative(self, a):
        return cosh(a)


class Cosh(Unary):
    op = "cosh"

    def derivative(self, a):
        return sinh(a)


class Asinh(Unary):
    op = "asinh"

    def derivative(self, a):
        return rsqrt(a * a + 1.0)


class Acosh(Unary):
    op = "acosh"

    def derivative(self, a):
        return rsqrt(a * a - 1.0)


class Atanh(Unary):
    op = "atanh"

    def derivative(self, a):
        return reciprocal(1.0 - a * a)


class Relu(Function):
    """max(a, 0). Its backward reads the output, as PyTorch's, so that an in-place write
    to a after relu leaves it valid: relu(a) <= 0 exactly where a <= 0 (relu(nan) is
    nan), which is the mask relu_backward applies."""

    def forward(self, a):
        result = dispatch.unary("relu", a)
        self.save_for_backward(result)
        return result

    def backward(self, grad):
        (result,) = self.saved_tensors
        return dispatch.relu_backward(grad, result)

    def differentiable_backward(self, grad):
        (result,) = self.saved_tensors
        return PiecewiseLinearGradient.apply(grad, result, _relu_gradient)


def _relu_gradient(grad, result):
    return where(result <= 0, 0.0, grad)   # as relu_backward: a nan passes grad on


class PiecewiseLinear(Function):
    """An elementwise activation that is linear between kinks (relu's family: leaky_relu,
    hardtanh, threshold, the shrinks): forward is `values(a)`, and `gradient(grad, a)` is
    its backward, linear in grad and elementwise (each computed without a graph, so a
    first-order backward is one pass of plain ops). A create_graph=True pass records the
    gradient as a PiecewiseLinearGradient node, as PyTorch's threshold_backward: it
    depends on a (with a zero derivative) so it can be differentiated again."""

    def forward(self, a, values, gradient):
        self.save_for_backward(a)
        self.gradient = gradient
        with no_grad():
            return values(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return self.gradient(grad, a)

    def differentiable_backward(self, grad):
        (a,) = self.saved_tensors
        return PiecewiseLinearGradient.apply(grad, a, self.gradient)


class PiecewiseLinearGradient(Function):
    """gradient(grad, a) (see PiecewiseLinear) as a graph node of grad and a: its
    derivative w.r.t. grad is the same masking of the incoming gradient (gradient is
    linear and elementwise in grad), and w.r.t. a it is zero (the slopes are constant
    between kinks), recorded rather than absent, as in PyTorch, so the gradient of a
    gradient w.r.t. a is zeros rather than an error."""

    def forward(self, grad, a, gradient):
        self.save_for_backward(a)
        self.gradient = gradient
        with no_grad():
            return gradient(grad, a)

    def backward(self, grad_grad):
        (a,) = self.saved_tensors
        needs_grad, needs_a = self.inputs
        return (None if needs_grad is None else
                PiecewiseLinearGradient.apply(grad_grad, a, self.gradient),
                None if needs_a is None else zeros_like(a))


def neg(a):
    if a.dtype is bool_:
        raise TypeError("neg: negation of a bool tensor is not supported; to invert a "
                        "mask use ~mask or logical_not(mask)")
    return Neg.apply(a)


def _unary(function_class, name, floating=True):
    def apply(a):
        if floating and not a.dtype.is_floating_point:
            a = cast(a, get_default_dtype())
        return function_class.apply(a)
    apply.__name__ = name
    apply.__doc__ = f"Elementwise {name} (contract: minitorch.contract.UNARY_OPS[{name!r}])."
    return apply


exp = _unary(Exp, "exp")
log = _unary(Log, "log")
sqrt = _unary(Sqrt, "sqrt")
sin = _unary(Sin, "sin")
cos = _unary(Cos, "cos")
tanh = _unary(Tanh, "tanh")
sigmoid = _unary(Sigmoid, "sigmoid")
tan = _unary(Tan, "tan")
asin = _unary(Asin, "asin")
acos = _unary(Acos, "acos")
atan = _unary(Atan, "atan")
sinh = _unary(Sinh, "sinh")
cosh = _unary(Cosh, "cosh")
asinh = _unary(Asinh, "asinh")
acosh = _unary(Acosh, "acosh")
atanh = _unary(Atanh, "atanh")
absolute = _unary(Abs, "abs", floating=False)
relu = _unary(Relu, "relu", floating=False)


class Stepwise(Function):
    """A piecewise-constant function of a (sign, floor, round...), computed by `values`
    (a function of the tensor, run without a graph); its gradient is 0 everywhere, as in
    PyTorch."""

    def forward(self, a, values):
        with no_grad():
            return values(a)

    def backward(self, grad):
        return zeros_like(grad)


def _sign_values(a):
    return dispatch.unary("sign", a)


def sign(a):
    """-1, 0 or 1 (0 for nan); gradient 0."""
    return Stepwise.apply(a, _sign_values)


def isnan(a):
    return ne(a, a)


def isinf(a):
    return eq(absolute(a), math.inf) if a.dtype.is_floating_point else zeros_like(a, bool_)


def isfinite(a):
    return logical_not(logical_or(isnan(a), isinf(a)))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |a - b| <= atol + rtol * |b| (or a == b, for infinities) as a bool
    tensor; nan is close to nan only with equal_nan. a and b share one dtype."""
    _check_same_dtype("isclose", a, b)
    close = eq(a, b)
    if equal_nan:
        close = logical_or(close, logical_and(isnan(a), isnan(b)))
    if rtol == 0 and atol == 0:
        return close
    if a.dtype is bool_:
        a, b = cast(a, get_default_dtype()), cast(b, get_default_dtype())
    error = absolute(a - b)
    within = logical_and(isfinite(error), error <= atol + absolute(b * rtol))
    return logical_or(close, within)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of a is close to b's (see isclose); a Python bool."""
    return builtins.bool(all_true(isclose(a, b, rtol, atol, equal_nan)).item())


def equal(a, b):
    """True when a and b have the same shape and elements; a Python bool."""
    return a.shape == b.shape and builtins.bool(all_true(eq(a, b)).item())


def square(a):
    """a * a; a bool tensor squares as int64, as in PyTorch."""
    if a.dtype is bool_:
        a = cast(a, int64)
    return a * a


def rsqrt(a):
    return 1.0 / sqrt(a)


def reciprocal(a):
    return 1.0 / a


class Log1p(Function):
    """log(1 + a), accurate for small a, where log(1 + a) would round 1 + a first.

    With u = 1 + a as rounded: a where u == 1; log(u) where u - 1 == a (no rounding
    happened: large a, -1, +-inf); otherwise log(u) * a / (u - 1), which cancels the
    rounding of u to within a few ulps (Goldberg, "What every computer scientist should
    know about floating-point arithmetic", theorem 4). backward: grad / (1 + a).
    """

    def forward(self, a):
        self.save_for_backward(a)
        with no_grad():
            u = a + 1.0
            shifted = u - 1.0
            log_u = log(u)
            return where(u == 1.0, a, where(shifted == a, log_u, log_u * (a / shifted)))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a + 1.0)


log1p = _unary(Log1p, "log1p")


class Expm1(Function):
    """exp(a) - 1, accurate for small a, where exp(a) - 1 would cancel.

    With u = exp(a) as rounded: a where u == 1; u - 1 where that is exact or cannot be
    corrected (u - 1 == -1, u == inf); otherwise (u - 1) * a / log(u), whose roundings
    cancel (Kahan's counterpart of Log1p's correction). backward: grad * exp(a), that is
    grad * (result + 1), as PyTorch."""

    def forward(self, a):
        with no_grad():
            u = exp(a)
            shifted = u - 1.0
            uncorrectable = logical_or(shifted == -1.0, u == math.inf)
            result = where(u == 1.0, a, where(uncorrectable, shifted, shifted * (a / log(u))))
        self.save_for_backward(result)
        return result

    def backward(self, grad):
        (result,) = self.saved_tensors
        return grad * (result + 1.0)


expm1 = _unary(Expm1, "expm1")


def log2(a):
    """Elementwise base-2 logarithm, log(a) / log(2)."""
    return log(a) / math.log(2.0)


def log10(a):
    """Elementwise base-10 logarithm, log(a) / log(10)."""
    return log(a) / math.log(10.0)


class Exp2(Function):
    """2 ** a with the pow kernel (exact at integers). backward, as PyTorch's:
    grad * result * log(2)."""

    def forward(self, a):
        two = _scalar_tensor(2.0, a.dtype, a._storage.backend)
        result = dispatch.binary("pow", two, a, a.shape, a.dtype)
        self.save_for_backward(result)
        return result

    def backward(self, grad):
        (result,) = self.saved_tensors
        return grad * result * math.log(2.0)


exp2 = _unary(Exp2, "exp2")
exp2.__doc__ = "Elementwise 2 ** a; ints and bools give the default float dtype."

# erf as fdlibm computes it (s_erf.c, Sun Microsystems 1993): rational approximations,
# coefficients lowest degree first; each denominator's constant term is 1.
_ERX = 8.45062911510467529297e-01   # the constant term near |x| = 1, a float32 value
_ERF_SMALL = ((1.28379167095512558561e-01, -3.25042107247001499370e-01,    # |x| < 0.84375
               -2.84817495755985104766e-02, -5.77027029648944159157e-03,
               -2.37630166566501626084e-05),
              (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
               5.08130628187576562776e-03, 1.32494738004321644526e-04,
               -3.96022827877536812320e-06))
_ERF_MIDDLE = ((-2.36211856075265944077e-03, 4.14856118683748331666e-01,   # |x| < 1.25
                -3.72207876035701323847e-01, 3.18346619901161753674e-01,
                -1.10894694282396677476e-01, 3.54783043256182359371e-02,
                -2.16637559486879084300e-03),
               (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
                7.18286544141962662868e-02, 1.26171219808761642112e-01,
                1.36370839120290507362e-02, 1.19844998467991074170e-02))
_ERFC_NEAR = ((-9.86494403484714822705e-03, -6.93858572707181764372e-01,   # |x| < 1/0.35
               -1.05586262253232909814e+01, -6.23753324503260060396e+01,
               -1.62396669462573470355e+02, -1.84605092906711035994e+02,
               -8.12874355063065934246e+01, -9.81432934416914548592e+00),
              (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
               4.34565877475229228821e+02, 6.45387271733267880336e+02,
               4.29008140027567833386e+02, 1.08635005541779435134e+02,
               6.57024977031928170135e+00, -6.04244152148580987438e-02))
_ERFC_FAR = ((-9.86494292470009928597e-03, -7.99283237680523006574e-01,    # |x| < 6
              -1.77579549177547519889e+01, -1.60636384855821916062e+02,
              -6.37566443368389627722e+02, -1.02509513161107724954e+03,
              -4.83519191608651397019e+02),
             (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
              1.53672958608443695994e+03, 3.19985821950859553908e+03,
              2.55305040643316442583e+03, 4.74528541206955367215e+02,
              -2.24409524465858183362e+01))


def _rational(x, fraction):
    """numerator(x) / denominator(x) for a (numerator, denominator) pair of coefficient
    tuples, lowest degree first (Horner's rule)."""
    quotient = []
    for coefficients in fraction:
        value = coefficients[-1]
        for coefficient in reversed(coefficients[:-1]):
            value = x * value + coefficient
        quotient.append(value)
    return quotient[0] / quotient[1]


def _erf_values(x):
    """erf of a float64 tensor, within 1 ulp (as fdlibm, whose method this is):
    x + x * R(x^2) below 0.84375, 0.845... + R(|x| - 1) below 1.25, then
    1 - exp(-x^2 - 0.5625 + R(1 / x^2)) / |x| below 6, and +-1 beyond (nan stays nan).
    exp(-x^2) is taken as exp(-h^2) * exp((h - |x|)(h + |x|)) with h = |x| cut to 20
    fraction bits, so h^2 is exact and x^2's rounding does not reach the result."""
    magnitude = absolute(x)
    square = x * x
    small = x + x * _rational(square, _ERF_SMALL)
    middle = _ERX + _rational(magnitude - 1.0, _ERF_MIDDLE)
    inverse_square = 1.0 / square
    tail_fraction = where(magnitude < 1 / 0.35, _rational(inverse_square, _ERFC_NEAR),
                          _rational(inverse_square, _ERFC_FAR))
    head = _floor_values(magnitude * 2.0 ** 20) * 2.0 ** -20
    tail = exp(-(head * head) - 0.5625) * exp((head - magnitude) * (head + magnitude)
                                             + tail_fraction) / magnitude
    large = where(magnitude < 1.25, middle, where(magnitude >= 6.0, 1.0, 1.0 - tail))
    return where(magnitude < 0.84375, small, where(x < 0, neg(large), large))


class Erf(Function):
    """The error function erf(a) = 2/sqrt(pi) * integral from 0 to a of exp(-t^2) dt,
    computed in float64 whatever a's dtype (see _erf_values). backward, as PyTorch's:
    grad * 2/sqrt(pi) * exp(-a^2)."""

    def forward(self, a):
        self.save_for_backward(a)
        with no_grad():
            return cast(_erf_values(cast(a, float64)), a.dtype)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (exp(-(a * a)) * (2.0 / math.sqrt(math.pi)))


erf = _unary(Erf, "erf")
erf.__doc__ = ("Elementwise error function, accurate to 1 ulp in float64 over the whole "
               "real line; ints and bools give the default float dtype.")


def _floor_values(a):
    """floor(a) for a float tensor: a // 1 (exact, -0.0 kept), but +-inf stay +-inf."""
    return where(isinf(a), a, floor_divide(a, 1.0))


def _round_half_even_values(a):
    """a rounded to the nearest integer, ties to the even one; a zero result keeps a's
    sign (round(-0.4) is -0.0)."""
    low = _floor_values(a)
    above = a - low   # exact: the fractional part
    odd = remainder(low, 2.0) == 1.0
    up = logical_or(above > 0.5, logical_and(above == 0.5, odd))
    result = where(up, low + 1.0, low)
    return where(result == 0.0, a * 0.0, result)


def _rounding(name, rounding):
    def apply(a):
        if a.dtype is bool_:
            raise TypeError(f"{name}: not implemented for bool tensors")
        if not a.dtype.is_floating_point:
            return clone(a)   # integers are already integral
        return Stepwise.apply(a, rounding)
    apply.__name__ = name
    return apply


floor = _rounding("floor", _floor_values)
floor.__doc__ = "Elementwise largest integer <= a; gradient 0."
def _ceil_values(a):
    return neg(_floor_values(neg(a)))


ceil = _rounding("ceil", _ceil_values)
ceil.__doc__ = "Elementwise smallest integer >= a; gradient 0."
trunc = _rounding("trunc", lambda a: where(a < 0, _ceil_values(a), _floor_values(a)))
trunc.__doc__ = "Elementwise a rounded toward zero; gradient 0."
fix = trunc
_round_values = _rounding("round", _round_half_even_values)


def round_half_even(a, decimals=0):
    """Elementwise round to `decimals` places, halves to even (as PyTorch: round(x * 10**d)
    / 10**d, or round(x / 10**-d) * 10**-d for negative d); gradient 0. decimals other
    than 0 need a floating point tensor, as in PyTorch."""
    if decimals == 0:
        return _round_values(a)
    if not a.dtype.is_floating_point:
        raise TypeError(f"round: decimals={decimals} is not implemented for {a.dtype.name} "
                        "tensors; only floating point tensors round to decimal places")
    scale = 10.0 ** builtins.abs(decimals)
    if decimals > 0:
        return _round_values(a * scale) / scale
    return _round_values(a / scale) * scale


class Clamp(Function):
    def forward(self, a, low, high):
        result = a
        if low is not None:
            result = dispatch.binary("maximum", result, low, a.shape, a.dtype)
        if high is not None:
            result = dispatch.binary("minimum", result, high, a.shape, a.dtype)
        self.save_for_backward(a)
        self.low, self.high = low, high
        return result

    def backward(self, grad):
        # PyTorch's clamp_backward and clamp_backward_min_max: a gets the gradient where
        # it lies within the bounds; a tensor bound gets it where it is the result (min
        # where a < min and min < max, max where a > max or max < min)
        (a,) = self.saved_tensors
        low, high = self.low, self.high
        inside = ones_like(a, dtype=bool_)
        if low is not None:
            inside = logical_and(inside, a >= low)
        if high is not None:
            inside = logical_and(inside, a <= high)
        grad_low = grad_high = None
        if self.inputs[1] is not None:
            chosen = a < low if high is None else logical_and(a < low, low < high)
            grad_low = where(chosen, grad, 0.0)
        if self.inputs[2] is not None:
            chosen = a > high if low is None else logical_or(a > high, high < low)
            grad_high = where(chosen, grad, 0.0)
        return where(inside, grad, 0.0), grad_low, grad_high


def clamp(a, min=None, max=None):  # PyTorch's keyword names, so callers can write min=
    """Limit every element to [min, max] (either may be None); gradient 1 inside."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    dtype = a.dtype
    for bound in (min, max):
        if bound is not None:
            candidate = _result_type(a, bound, "clamp")[2]
            dtype = candidate if candidate.rank > dtype.rank else dtype
    a = cast(a, dtype)
    bounds = [None if bound is None else dispatch.cast(_result_type(a, bound, "clamp")[1], dtype)
              for bound in (min, max)]
    return Clamp.apply(a, bounds[0], bounds[1])


clip = clamp


# ---- where ------------------------------------------------------------------------------

class Where(Function):
    def forward(self, cond, a, b):
        self.cond = cond
        shape = layout.broadcast_shapes(_broadcast(a, b, "where"), cond.shape, "where")
        return dispatch.where(cond, a, b, shape)

    def backward(self, grad):
        zero = zeros_like(grad)
        return None, where(self.cond, grad, zero), where(self.cond, zero, grad)


def where(cond, a=None, b=None):
    """a where cond is True, else b; a and b may be tensors or Python scalars. With cond
    alone, nonzero(cond, as_tuple=True), as torch.where(condition)."""
    if a is None and b is None:
        return nonzero(cond, as_tuple=True)
    if not isinstance(cond, Tensor) or cond.dtype is not bool_:
        raise TypeError(f"where: condition must be a bool tensor, got "
                        f"{getattr(cond, 'dtype', type(cond).__name__)}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        _check_scalar(a, "where")
        _check_scalar(b, "where")
        dtype = promote(of_scalar(a), SCALAR, of_scalar(b), SCALAR)
        backend = cond._storage.backend
        a, b = _scalar_tensor(a, dtype, backend), _scalar_tensor(b, dtype, backend)
    a, b = _operands(a, b, "where")
    _same_backend(cond, a, "where")
    return Where.apply(cond, a, b)


class Lerp(Function):
    """a + weight * (end - a), broadcast over all three, computed as PyTorch does: from a
    where |weight| < 0.5, else as end - (end - a) * (1 - weight), so a weight of 1 gives
    end exactly. backward, as PyTorch's: grad * (1 - weight) to a, grad * weight to end,
    grad * (end - a) to weight."""

    def forward(self, a, end, weight):
        # a's and end's gradients need only weight (so in-place writes to them are allowed)
        needs_difference = weight.requires_grad
        self.save_for_backward(a if needs_difference else None,
                               end if needs_difference else None, weight)
        with no_grad():
            difference = end - a
            return where(absolute(weight) < 0.5, a + weight * difference,
                         end - difference * (1.0 - weight))

    def backward(self, grad):
        a, end, weight = self.saved_tensors
        needs_a, needs_end, needs_weight = (edge is not None for edge in self.inputs)
        return (grad * (1.0 - weight) if needs_a else None,
                grad * weight if needs_end else None,
                grad * (end - a) if needs_weight else None)


def lerp(a, end, weight):
    """Linear interpolation from a to end (see Lerp). a and end are floating-point tensors
    of one dtype; weight is a Python number, a 0-d tensor (cast to a's dtype) or a tensor
    of a's dtype, as PyTorch requires."""
    for name, tensor in (("input", a), ("end", end)):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"lerp: {name} must be a tensor, got {type(tensor).__name__}")
    if not a.dtype.is_floating_point:
        raise TypeError(f"lerp: input must be floating point, got {a.dtype.name}")
    _same_backend(a, end, "lerp")
    if isinstance(weight, Tensor):
        _same_backend(a, weight, "lerp")
        if not weight.shape:
            weight = cast(weight, a.dtype)
    else:
        _check_scalar(weight, "lerp")
        weight = _scalar_tensor(weight, a.dtype, a._storage.backend)
    for name, tensor in (("end", end), ("weight", weight)):
        if tensor.dtype is not a.dtype:
            raise TypeError(f"lerp: expected {name} to have the input's dtype "
                            f"{a.dtype.name}, got {tensor.dtype.name}")
    layout.broadcast_shapes(_broadcast(a, end, "lerp"), weight.shape, "lerp")
    return Lerp.apply(a, end, weight)


# ---- reductions -------------------------------------------------------------------------

def _reduction_dims(dim, ndim, op_name):
    """A reduction's dim argument as a sorted tuple of dims: None and, as in PyTorch 2.13,
    an empty tuple or list mean every dim."""
    if isinstance(dim, (tuple, list)) and not dim:
        dim = None
    return layout.normalize_dims(dim, ndim, op_name)


def _check_reducible(a, dims, op_name):
    """A max-like reduction (no identity) needs every reduced dim non-empty."""
    for d in dims:
        if a.shape[d] == 0:
            raise ValueError(f"{op_name}(): expected reduction dim {d} to have non-zero size "
                             f"(shape {format_shape(a.shape)}); there is no identity for "
                             f"{op_name}")
    if not dims and a.numel() == 0:
        raise ValueError(f"{op_name}(): cannot reduce an empty tensor")


def _drop_dims(tensor, dims, keepdim):
    """A reduced result (reduced dims of size 1) in the shape the caller asked for."""
    if keepdim:
        return tensor
    shape = layout.reduced_shape(tensor.shape, dims, False)
    return dispatch.alias(tensor, shape, layout.contiguous_strides(shape), tensor._offset)


class Sum(Function):
    """The sum over dims of a cast to dtype (the cast is part of the reduction).
    backward: grad spread over the summed dims, in a's dtype."""

    def forward(self, a, dims, keepdim, dtype):
        self.input_shape, self.input_dtype = a.shape, a.dtype
        self.dims, self.keepdim = dims, keepdim
        return dispatch.reduce("sum", a, dims, dtype, keepdim)

    def backward(self, grad):
        if not self.keepdim:
            grad = grad.reshape(layout.reduced_shape(self.input_shape, self.dims, True))
        return cast(grad, self.input_dtype).expand(self.input_shape)


def reduce_sum(a, dim=None, keepdim=False, *, dtype=None):
    """Sum over dim (None: all; int or tuple; negative allowed). Ints and bools sum as
    int64. dtype, as PyTorch, casts a before summing (a float sum as int64 truncates each
    element first); a bool sum is True where any element is nonzero."""
    dims = _reduction_dims(dim, a.ndim, "sum")
    if dtype is None:
        dtype = a.dtype if a.dtype.is_floating_point else int64
    else:
        dtype = _dtype_arg(dtype)
        if dtype is bool_:
            return any_true(a, dims, keepdim)
    return Sum.apply(a, dims, keepdim, dtype)


def mean(a, dim=None, keepdim=False, *, dtype=None):
    """The average over dim (see sum). As PyTorch, a must be floating point unless dtype
    (a floating-point dtype) is given, which casts a before summing."""
    if dtype is not None:
        dtype = _dtype_arg(dtype)
        if not dtype.is_floating_point:
            raise TypeError(f"mean: dtype must be floating point, got {dtype.name}")
    elif not a.dtype.is_floating_point:
        raise TypeError(f"mean: input dtype must be floating point, got {a.dtype.name}; "
                        "call .float() first, or pass dtype=")
    dims = _reduction_dims(dim, a.ndim, "mean")
    return Mean.apply(a, dims, keepdim, dtype or a.dtype)


class Mean(Sum):
    """The sum over dims of a cast to dtype, divided by the number of elements summed
    (0 / 0: nan for an empty mean). backward: the sum's, of grad / count. It saves no
    tensor, so a second backward through it works, as in PyTorch."""

    def forward(self, a, dims, keepdim, dtype):
        total = super().forward(a, dims, keepdim, dtype)
        self.count = layout.numel(a.shape[d] for d in dims)
        return dispatch.binary("div", total,
                               _scalar_tensor(self.count, dtype, a._storage.backend),
                               total.shape, dtype)

    def backward(self, grad):
        return super().backward(grad / self.count)


class Extreme(Function):
    """amax or amin over dims. backward, as PyTorch's amax: every position equal to the
    result gets grad / (how many are), i.e. (a == result) * (grad / count), so a nan
    in a reduced slice makes its whole gradient nan."""

    def forward(self, a, op, dims, keepdim):
        if a.numel() == 0:   # callers checked (_check_reducible) that no reduced dim is
            # empty, so an empty a gives an empty result: nothing to reduce
            kept = dispatch.empty(layout.reduced_shape(a.shape, dims, True), a.dtype,
                                  a._storage.backend)
        else:
            kept = dispatch.reduce(op, a, dims, a.dtype)
        self.save_for_backward(a, kept)
        self.dims, self.keepdim = dims, keepdim
        return _drop_dims(kept, dims, keepdim)

    def backward(self, grad):
        a, kept = self.saved_tensors
        if not self.keepdim:
            grad = grad.reshape(kept.shape)
        hits = cast(a == kept, a.dtype)
        return hits * (grad / reduce_sum(hits, self.dims, keepdim=True))


class ExtremeOfAll(Extreme):
    """max() or min() of every element. backward, as PyTorch's evenly_distribute_backward:
    grad / count to each position holding the result (each nan, when the result is nan),
    and exactly 0 elsewhere, even for an inf or nan gradient."""

    def backward(self, grad):
        a, kept = self.saved_tensors
        hits = logical_or(a == kept, logical_and(a != a, kept != kept))
        share = grad.reshape(kept.shape) / reduce_sum(hits, self.dims, keepdim=True)
        return where(hits, share, 0.0)


class ExtremeAlongDim(Extreme):
    """The values of max(dim) or min(dim), given their `indices` (argmax or argmin with
    the dim kept). backward, as PyTorch's: all of each value's gradient goes to the
    position its index names (the first extreme, or the nan), 0 to the rest."""

    def forward(self, a, op, dims, keepdim, indices):
        self.indices = indices
        return super().forward(a, op, dims, keepdim)

    def backward(self, grad):
        a, kept = self.saved_tensors
        if not a.shape:   # a 0-d tensor is its own max
            return grad
        (dim,) = self.dims
        positions_shape = tuple(size if d == dim else 1 for d, size in enumerate(a.shape))
        positions = dispatch.from_numpy(np.arange(a.shape[dim]).reshape(positions_shape),
                                        int64, a._storage.backend)
        return where(positions == self.indices, grad.reshape(kept.shape), 0.0), None


def _amax_or_amin(op, a, dim, keepdim):
    op_name = "a" + op
    dims = _reduction_dims(dim, a.ndim, op_name)
    _check_reducible(a, dims, op_name)
    return Extreme.apply(a, op, dims, keepdim)


def amax(a, dim=None, keepdim=False):
    """The largest value over dim (None or (): all dims)."""
    return _amax_or_amin("max", a, dim, keepdim)


def amin(a, dim=None, keepdim=False):
    return _amax_or_amin("min", a, dim, keepdim)


class MaxMin:
    """What max(dim), min(dim), sort, topk, ... return: a (values, indices) pair named
    after its op, like torch.return_types.max."""

    def __init__(self, values, indices, op_name):
        self.values, self.indices, self.op_name = values, indices, op_name

    def __iter__(self):
        return iter((self.values, self.indices))

    def __len__(self):
        return 2

    def __getitem__(self, position):
        return (self.values, self.indices)[position]

    def __repr__(self):
        return (f"minitorch.return_types.{self.op_name}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")


def _extreme(op, a, dim, keepdim, other):
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return (maximum if op == "max" else minimum)(a, other)
    dims = layout.normalize_dims(dim, a.ndim, op)
    _check_reducible(a, dims, op)
    if dim is None:
        return ExtremeOfAll.apply(a, op, dims, False)
    indices = (argmax if op == "max" else argmin)(a, dim, keepdim=True)
    values = ExtremeAlongDim.apply(a, op, dims, keepdim, indices)
    return MaxMin(values, _drop_dims(indices, dims, keepdim), op)


def reduce_max(a, dim=None, keepdim=False, other=None):
    """max(a) -> tensor; max(a, dim) -> (values, indices); max(a, other) -> maximum."""
    return _extreme("max", a, dim, keepdim, other)


def reduce_min(a, dim=None, keepdim=False, other=None):
    return _extreme("min", a, dim, keepdim, other)


def _arg_extreme(op, a, dim, keepdim):
    """argmax/argmin; with dim None, over the flattened tensor, and keepdim gives every
    dim size 1, as PyTorch."""
    if dim is None:
        _check_reducible(a, (), op)
        flat = a.reshape(-1)
        index = _drop_dims(dispatch.arg_reduce(op, flat, 0), (0,), False)
        return index.reshape((1,) * a.ndim) if keepdim else index
    dim = layout.normalize_dim(dim, a.ndim, op)
    if not a.shape:
        return dispatch.fill(0, (), int64, a._storage.backend)
    _check_reducible(a, (dim,), op)
    if a.numel() == 0:
        kept = dispatch.empty(layout.reduced_shape(a.shape, (dim,), True), int64,
                              a._storage.backend)
    else:
        kept = dispatch.arg_reduce(op, a, dim)
    return _drop_dims(kept, (dim,), keepdim)


def argmax(a, dim=None, keepdim=False):
    """Index of the first maximum (over the flattened tensor when dim is None)."""
    return _arg_extreme("argmax", a, dim, keepdim)


def argmin(a, dim=None, keepdim=False):
    return _arg_extreme("argmin", a, dim, keepdim)


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction by default (correction=1), as PyTorch; the
    positional arguments follow PyTorch's (dim, unbiased, keepdim), and a bool first
    argument is `unbiased` (var(False) is the biased variance of all elements)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise ValueError("var: pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    dims = _reduction_dims(dim, a.ndim, "var")
    count = layout.numel(a.shape[d] for d in dims)
    centered = a - mean(a, dims, keepdim=True)
    degrees_of_freedom = count - correction if count > correction else 0
    return reduce_sum(centered * centered, dims, keepdim) / degrees_of_freedom


class SqrtOfVariance(Function):
    """std from a variance. backward, as PyTorch's std_backward: grad / (2 * std), but 0
    where std is 0 (a constant slice) instead of inf, which would make the variance's
    backward nan."""

    def forward(self, variance):
        result = dispatch.unary("sqrt", variance)
        self.save_for_backward(result)
        return result

    def backward(self, grad):
        (result,) = self.saved_tensors
        return where(result == 0, 0.0, grad / (2.0 * result))


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt of var, with var's arguments."""
    return SqrtOfVariance.apply(var(a, dim, unbiased, keepdim, correction=correction))


def logsumexp(a, dim=None, keepdim=False):
    """log(sum(exp(a))) over dim, shifted by the max so large values do not overflow."""
    if not a.dtype.is_floating_point:
        a = cast(a, get_default_dtype())
    if isinstance(dim, (tuple, list)) and not dim and not keepdim and a.ndim and a.numel():
        # PyTorch 2.13 reduces every dim for dim=() but raises here (only a 0-d or an
        # empty input passes)
        raise RuntimeError("logsumexp: dim=() with keepdim=False is not supported for a "
                           "non-empty input of 1 or more dims (PyTorch 2.13 raises here "
                           "too); pass dim=None to reduce every dim")
    dims = _reduction_dims(dim, a.ndim, "logsumexp")
    if a.numel() == 0:   # log(0) = -inf over empty dims; no max to shift by
        return log(reduce_sum(exp(a), dims, keepdim))
    shift = amax(a, dims, keepdim=True).detach()
    shift = where(shift.abs() == math.inf, 0.0, shift)
    total = log(reduce_sum(exp(a - shift), dims, keepdim=True)) + shift
    return total if keepdim else total.reshape(layout.reduced_shape(a.shape, dims, False))


class VectorNorm(Function):
    """The `order`-norm over dims of a floating-point a, the dims kept with size 1:
    max |a| (order inf), min |a| (-inf), the count of nonzeros (0), or
    sum(|a| ** order) ** (1 / order), sqrt(sum(a * a)) for 2.

    backward, as PyTorch's norm_backward: none for order 0; sign(a) * grad for 1;
    grad * a / norm for 2 (0 where the norm is 0); for +-inf, grad shared evenly by the
    elements whose |a| is the norm (or nan), times their sign; otherwise
    sign(a) |a|^(order-1) * grad / norm^(order-1), with 0 for a = 0 below order 1 and
    for norm = 0 above."""

    def forward(self, a, order, dims):
        self.order, self.dims = order, dims
        with no_grad():
            magnitude = absolute(a)
            if order == math.inf:
                result = amax(magnitude, dims, keepdim=True)
            elif order == -math.inf:
                result = amin(magnitude, dims, keepdim=True)
            elif order == 0:
                result = reduce_sum(ne(a, 0), dims, keepdim=True, dtype=a.dtype)
            elif order == 1:
                result = reduce_sum(magnitude, dims, keepdim=True)
            elif order == 2:
                result = sqrt(reduce_sum(a * a, dims, keepdim=True))
            else:
                result = reduce_sum(magnitude ** order, dims, keepdim=True) ** (1.0 / order)
        self.save_for_backward(a, result)
        return result

    def backward(self, grad):
        a, norm = self.saved_tensors
        order = self.order
        if order == 0:
            return None
        if order == 1:
            return sign(a) * grad
        if order == 2:
            return grad * where(norm == 0, 0.0, a / norm)
        if math.isinf(order):
            hits = logical_or(absolute(a) == norm, isnan(a))
            share = grad / reduce_sum(hits, self.dims, keepdim=True)
            return sign(a) * (share * cast(hits, a.dtype))
        if order < 1:
            scaled = where(a == 0, 0.0, sign(a) * absolute(a) ** (order - 1))
            return scaled * grad * norm ** (1 - order)
        if order < 2:
            scaled = sign(a) * absolute(a) ** (order - 1)
        else:
            scaled = a * absolute(a) ** (order - 2)
        return scaled * where(norm == 0, 0.0, grad / norm ** (order - 1))


def _vector_norm(a, order, dim, keepdim, dtype, op_name):
    """vector_norm's work, its errors naming op_name (norm and linalg.vector_norm)."""
    if not a.dtype.is_floating_point:
        raise TypeError(f"{op_name}: expected a floating-point input, got {a.dtype.name}; "
                        "call .float() first")
    if isinstance(order, str) or not isinstance(order, numbers.Real):
        raise TypeError(f"{op_name}: the order must be a real number, got {order!r}")
    if dtype is not None:
        dtype = _dtype_arg(dtype)
        if not dtype.is_floating_point or dtype.rank < a.dtype.rank:
            raise TypeError(f"{op_name}: dtype must be a floating-point dtype no narrower "
                            f"than the input's {a.dtype.name}, got {dtype.name}")
        a = cast(a, dtype)
    dims = _reduction_dims(dim, a.ndim, op_name)
    if order < 0 or order == math.inf:
        for d in dims:
            if a.shape[d] == 0:
                raise ValueError(f"{op_name}: the {order} norm over dimension {d} of size 0 "
                                 f"(shape {format_shape(a.shape)}) is undefined; it has no "
                                 "identity")
    kept = VectorNorm.apply(a, order, dims)
    return kept if keepdim else kept.reshape(layout.reduced_shape(a.shape, dims, False))


def vector_norm(a, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002 (torch's name)
    """torch.linalg.vector_norm: the ord-norm of a's elements over dim (None or (): all
    of them; int or tuple) for a floating-point a: ord inf is max |a|, -inf min |a|, 0
    the number of nonzeros, any other real sum(|a| ** ord) ** (1 / ord). dtype (floating
    point, no narrower than a's) casts a first. Gradients as PyTorch's (see VectorNorm);
    orders below 0 and inf refuse to reduce an empty dim, which has no identity."""
    return _vector_norm(a, ord, dim, keepdim, dtype, "linalg.vector_norm")


def norm(a, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: the vector p-norm of a over dim (see vector_norm); p 'fro' (the
    default) or None is the 2-norm, for which dim may name at most 2 dims; p='nuc' is
    the nuclear norm (the sum of the singular values, linalg.matrix_norm) of the matrices
    over dim, two dims (default: all of a's, so a must be 2-D)."""
    if p == "nuc":
        from . import linalg   # linalg is built on this module
        return linalg.matrix_norm(a, "nuc", tuple(range(a.ndim)) if dim is None else dim,
                                  keepdim, dtype=dtype)
    if p is None:
        p = 2
    elif isinstance(p, str):
        if p != "fro":
            raise ValueError(f"norm: p={p!r} is not supported; use 'fro', 'nuc' or a "
                             "number")
        if dim is not None and not isinstance(dim, numbers.Integral) and len(dim) > 2:
            raise ValueError(f"norm: p='fro' takes at most 2 dims, got {dim}")
        p = 2
    return _vector_norm(a, p, dim, keepdim, dtype, "norm")


def _accumulating(a, dtype):
    """a as prod, cumsum and cumprod take it: cast to dtype when given, else ints and
    bools as int64 (as PyTorch)."""
    if dtype is not None:
        return cast(a, _dtype_arg(dtype))
    return a if a.dtype.is_floating_point else cast(a, int64)


def _product_along(a, dim):
    """The product over dim, kept with size 1 (a new tensor), by halving: the first half
    times the second (an odd element out joins the next round). Built from Mul, so its
    gradient is the product of the other elements, exact even when some are zero."""
    size = a.shape[dim]
    if size == 0:   # the empty product, 1, still an op of a for autograd
        return reduce_sum(a, dim, keepdim=True) + 1
    if size == 1:
        return clone(a)
    while size > 1:
        half = size // 2
        product = a.narrow(dim, 0, half) * a.narrow(dim, half, half)
        a = cat([product, a.narrow(dim, size - 1, 1)], dim) if size % 2 else product
        size = a.shape[dim]
    return a


def prod(a, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements (dim None, a 0-d result) or over one dim; ints and bools
    multiply as int64. The gradient is right with zeros in the input, as PyTorch's."""
    a = _accumulating(a, dtype)
    if dim is None:
        return _product_along(a.reshape(-1), 0).reshape(())
    dim = layout.normalize_dim(dim, a.ndim, "prod")
    if not a.shape:
        return clone(a)
    kept = _product_along(a, dim)
    return kept if keepdim else kept.squeeze(dim)


def _shifted_along(a, dim, shift, fill):
    """a moved `shift` places up along dim, `fill` filling the first places."""
    size = a.shape[dim]
    filled_shape = a.shape[:dim] + (builtins.min(shift, size),) + a.shape[dim + 1:]
    filled = dispatch.fill(fill, filled_shape, a.dtype, a._storage.backend)
    return cat([filled, a.narrow(dim, 0, size - filled_shape[dim])], dim)


def _scan_steps(a, dim, combine, identity):
    """The running combination (sum, product) of a along dim by doubling steps
    (Hillis-Steele: after the step of shift s, each position holds the combination of
    the 2s elements ending there); a has at least 2 elements along dim."""
    shift = 1
    while shift < a.shape[dim]:
        a = combine(a, _shifted_along(a, dim, shift, identity))
        shift *= 2
    return a


class Cumsum(Function):
    """Running sums along dim (see _scan_steps). backward: the reversed running sums of
    grad."""

    def forward(self, a, dim):
        self.dim = dim
        with no_grad():
            return _scan_steps(a, dim, add, 0)

    def backward(self, grad):
        return flip(cumsum(flip(grad, self.dim), self.dim), self.dim)


def _scan_input(a, dim, dtype, op_name):
    """(a as cumsum and cumprod take it, the normalized dim, whether there is anything to
    combine: at least 2 elements along dim)."""
    a = _accumulating(a, dtype)
    dim = layout.normalize_dim(dim, a.ndim, op_name)
    return a, dim, a.ndim > 0 and a.shape[dim] > 1


def cumsum(a, dim, *, dtype=None):
    """Running sums along dim (out[i] = a[0] + ... + a[i]); ints and bools sum as int64."""
    a, dim, combines = _scan_input(a, dim, dtype, "cumsum")
    return Cumsum.apply(a, dim) if combines else clone(a)


def cumprod(a, dim, *, dtype=None):
    """Running products along dim (out[i] = a[0] * ... * a[i]); ints and bools multiply
    as int64. Built from Mul (see _scan_steps), so the gradient is the exact derivative
    even where a holds zeros, as PyTorch's."""
    a, dim, combines = _scan_input(a, dim, dtype, "cumprod")
    return _scan_steps(a, dim, mul, 1) if combines else clone(a)


def _keeping_dtype(scan):
    """cumsum or cumprod as their in-place forms compute them: as in PyTorch, only the
    tensor's own dtype may be asked for (a bool tensor, whose results are int64, is then
    refused when they are stored)."""
    def apply(a, dim, *, dtype=None):
        if dtype is not None and _dtype_arg(dtype) is not a.dtype:
            raise TypeError(f"{scan.__name__}_: dtype {_dtype_arg(dtype).name} differs from "
                            f"the tensor's {a.dtype.name}; an in-place {scan.__name__} keeps "
                            "its dtype")
        return scan(a, dim)
    apply.__name__ = scan.__name__
    return apply


def any_true(a, dim=None, keepdim=False):
    return ne(reduce_sum(ne(a, 0), dim, keepdim), 0)


def all_true(a, dim=None, keepdim=False):
    dims = layout.normalize_dims(dim, a.ndim, "all")
    count = layout.numel(a.shape[d] for d in dims)
    return eq(reduce_sum(ne(a, 0), dims, keepdim), count)


class LogSoftmax(Function):
    """log_softmax over the last dim of a 2-D tensor (the fused kernel's shape)."""

    def forward(self, a):
        result = dispatch.log_softmax_rows(a)
        self.save_for_backward(result)
        return result

    def backward(self, grad):
        (result,) = self.saved_tensors
        return dispatch.log_softmax_rows_backward(grad, result)

    def differentiable_backward(self, grad):
        (result,) = self.saved_tensors
        return grad - exp(result) * reduce_sum(grad, 1, keepdim=True)


def log_softmax(a, dim, dtype=None):
    """a - logsumexp(a, dim): computed on rows with dim moved last. dim is required, as in
    torch.log_softmax (nn.functional's keeps torch's deprecated implicit choice)."""
    if dtype is not None:
        a = cast(a, dtype)
    if not a.dtype.is_floating_point:
        a = cast(a, get_default_dtype())
    dim = layout.normalize_dim(dim, a.ndim, "log_softmax")
    if a.ndim == 0:
        return a - a
    moved = a.transpose(dim, -1) if dim != a.ndim - 1 else a
    rows = LogSoftmax.apply(moved.reshape(layout.numel(moved.shape[:-1]), moved.shape[-1]))
    result = rows.reshape(moved.shape)
    return result.transpose(dim, -1) if dim != a.ndim - 1 else result


def softmax(a, dim, dtype=None):
    return exp(log_softmax(a, dim, dtype))


class CrossEntropy(Function):
    """Cross-entropy of (rows, classes) logits against int64 class indices: per-row
    losses (divisor None), or their sum divided by `divisor` (rows for the mean, 1 for
    the sum) as one 0-d loss, without a graph node for the sum and the division.

    backward: d/dlogits[r] = g[r] * (softmax(logits[r]) - onehot(target[r])), where
    g[r] is the incoming gradient of row r, or grad / divisor for every row. The forward
    keeps the softmax it computes along the way, so the backward does not redo it."""

    def forward(self, logits, target, divisor):
        self.divisor = divisor
        losses, probs = dispatch.cross_entropy_rows(logits, target)
        self.save_for_backward(probs, target)
        self.save_for_differentiable_backward(logits)
        if divisor is None:
            return losses
        dtype = logits.dtype
        total = dispatch.reduce("sum", losses, (0,), dtype, keepdim=False)
        if divisor == 1:
            return total
        return dispatch.binary("div", total,
                               _scalar_tensor(divisor, dtype, logits._storage.backend), (),
                               dtype)

    def backward(self, grad):
        probs, target = self.saved_tensors
        if self.divisor is not None:
            # (with no rows, the mean's divisor is 0 and there is no row to fill)
            row_grad = float(dispatch.to_numpy(grad)) / self.divisor if self.divisor else 0.0
            grad = dispatch.fill(row_grad, target.shape, probs.dtype, probs._storage.backend)
        return dispatch.cross_entropy_rows_backward(probs, target, grad), None

    def differentiable_backward(self, grad):
        # the softmax again from the graph's logits (the saved probs have no graph)
        _, target = self.saved_tensors
        (logits,) = self.graph_saved_tensors
        rows, classes = logits.shape
        if self.divisor is not None:
            grad = (grad / self.divisor if self.divisor else grad).expand(rows)
        classes_ramp = dispatch.from_numpy(np.arange(classes), int64, logits._storage.backend)
        one_hot = cast(classes_ramp == target.reshape(rows, 1), logits.dtype)
        probs = exp(log_softmax(logits, 1))
        return grad.reshape(rows, 1) * (probs - one_hot), None


def check_class_targets(scores, target, op_name, ignore_index=None):
    """Validate (N, C) scores against (N,) int64 class indices in [0, C), or equal to
    ignore_index (when given). Returns (the indices as a numpy array, a numpy mask of
    those equal to ignore_index, or None when there are none)."""
    if len(scores.shape) != 2 or len(target.shape) != 1 or target.shape[0] != scores.shape[0]:
        raise ValueError(f"{op_name}: expected input (N, C) and target (N,), got "
                         f"{format_shape(scores.shape)} and {format_shape(target.shape)}")
    if target.dtype is not int64:
        raise TypeError(f"{op_name}: target must hold int64 class indices, got "
                        f"{target.dtype.name}; use target.long()")
    if not scores.dtype.is_floating_point:
        raise TypeError(f"{op_name}: input must be floating point, got {scores.dtype.name}; "
                        "use input.float()")
    _same_backend(scores, target, op_name)
    labels = dispatch.to_numpy(target)
    classes = scores.shape[1]
    bad = first_out_of_range(labels, classes)
    ignored = None
    if ignore_index is not None and (bad is not None or 0 <= ignore_index < classes):
        ignored = labels == ignore_index
        if ignored.any():
            outside = ((labels < 0) | (labels >= classes)) & ~ignored
            bad = int(labels[outside][0]) if outside.any() else None
        else:
            ignored = None
    if bad is not None:
        raise IndexError(f"{op_name}: target {bad} is out of bounds for {classes} classes"
                         + ("" if ignore_index is None else
                            f" (and is not ignore_index {ignore_index})"))
    return labels, ignored


def cross_entropy_of_rows(logits, target, reduction):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) that
    check_class_targets passed, as one graph node (the fused kernels): per-row losses,
    or their 'mean' or 'sum'. nn.functional.cross_entropy is the public form."""
    divisor = logits.shape[0] if reduction == "mean" else 1 if reduction == "sum" else None
    return CrossEntropy.apply(logits, target, divisor)


# ---- matmul and linear ------------------------------------------------------------------

class MatMul(Function):
    def forward(self, a, b):
        # each side's gradient needs the other side: a constant factor saves nothing more
        self.save_for_backward(a if b._requires_grad else None, b if a._requires_grad else None)
        batch = layout.broadcast_shapes(a.shape[:-2], b.shape[:-2], "matmul")
        return dispatch.matmul(a, b, batch + (a.shape[-2], b.shape[-1]))

    def backward(self, grad):
        a, b = self.saved_tensors
        needs_a, needs_b = (i is not None for i in self.inputs)
        # grad is (batch, m, n), the broadcast batch (autograd sums it back to a's, b's);
        # only the side a gradient needs was saved, so the shapes come from grad and it
        *batch, m, n = grad.shape
        return (dispatch.matmul(grad, dispatch.transposed(b), (*batch, m, b.shape[-2]))
                if needs_a else None,
                dispatch.matmul(dispatch.transposed(a), grad, (*batch, a.shape[-1], n))
                if needs_b else None)

    def differentiable_backward(self, grad):
        a, b = self.saved_tensors
        needs_a, needs_b = (i is not None for i in self.inputs)
        return (matmul(grad, transpose(b, -2, -1)) if needs_a else None,
                matmul(transpose(a, -2, -1), grad) if needs_b else None)


def matmul(a, b):
    """a @ b with PyTorch's rules for 1-D operands and broadcast batch dimensions."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul: both operands must be tensors")
    a, b = _operands(a, b, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: both arguments need at least 1 dimension, got "
                         f"{format_shape(a.shape)} and {format_shape(b.shape)}")
    left = a.unsqueeze(0) if a.ndim == 1 else a
    right = b.unsqueeze(-1) if b.ndim == 1 else b
    if left.shape[-1] != right.shape[-2]:
        raise ValueError(f"matmul: cannot multiply {format_shape(a.shape)} and "
                         f"{format_shape(b.shape)} (inner sizes {left.shape[-1]} and "
                         f"{right.shape[-2]} differ)")
    result = MatMul.apply(left, right)
    if a.ndim == 1 or b.ndim == 1:  # drop the dims added to the 1-D operands
        shape = result.shape[:-2] + result.shape[-2:][a.ndim == 1:2 - (b.ndim == 1)]
        result = result.reshape(shape)
    return result


mm = matmul


def _check_ndim(op_name, expected, **tensors):
    for name, tensor in tensors.items():
        if tensor.ndim != expected:
            raise ValueError(f"{op_name}: {name} must be {expected}-D, got "
                             f"{format_shape(tensor.shape)}")


def _check_same_dtype(op_name, a, b):
    if a.dtype is not b.dtype:
        raise TypeError(f"{op_name}: expected both tensors to have the same dtype, got "
                        f"{a.dtype.name} and {b.dtype.name}")


def _check_vectors(op_name, a, b):
    """a and b are 1-D tensors of one size and dtype, as dot and vdot take them."""
    _check_ndim(op_name, 1, input=a, tensor=b)
    _check_same_dtype(op_name, a, b)
    if a.shape != b.shape:
        raise ValueError(f"{op_name}: expected both tensors to have the same number of "
                         f"elements, got {a.shape[0]} and {b.shape[0]}")


def dot(a, b):
    """The inner product of two 1-D tensors of one size and dtype (a 0-d tensor)."""
    _check_vectors("dot", a, b)
    return matmul(a, b)


def outer(a, b):
    """The outer product of two 1-D tensors: out[i, j] = a[i] * b[j]."""
    _check_ndim("outer", 1, input=a, vec2=b)
    return a.unsqueeze(1) * b


def bmm(a, b):
    """Batched matrix product of (B, n, m) and (B, m, p), with no broadcasting."""
    _check_ndim("bmm", 3, input=a, mat2=b)
    _check_same_dtype("bmm", a, b)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: batch sizes differ: {format_shape(a.shape)} and "
                         f"{format_shape(b.shape)}")
    return matmul(a, b)


def _triangle(a, diagonal, keep, op_name):
    """a with the elements of its last two dims zeroed where keep(column - row,
    diagonal) is False."""
    if a.ndim < 2:
        raise ValueError(f"{op_name}: input must have at least 2 dimensions, got "
                         f"{format_shape(a.shape)}")
    rows, columns = a.shape[-2:]
    offsets = np.arange(columns)[None, :] - np.arange(rows)[:, None]
    dropped = dispatch.from_numpy(~keep(offsets, diagonal), bool_, a._storage.backend)
    return masked_fill(a, dropped, False if a.dtype is bool_ else 0)


def tril(a, diagonal=0):
    """The lower triangle of the matrices in a (elements with column - row <= diagonal);
    the rest zero."""
    return _triangle(a, diagonal, np.less_equal, "tril")


def triu(a, diagonal=0):
    """The upper triangle of the matrices in a (elements with column - row >= diagonal);
    the rest zero."""
    return _triangle(a, diagonal, np.greater_equal, "triu")


class Linear(Function):
    def forward(self, x, weight, bias):
        self.save_for_backward(x, weight)
        return dispatch.linear(x, weight, bias)

    def backward(self, grad):
        x, weight = self.saved_tensors
        x_edge, weight_edge, bias_edge = self.inputs
        return dispatch.linear_backward(grad, x, weight, x_edge is not None,
                                        weight_edge is not None, bias_edge is not None)

    def differentiable_backward(self, grad):
        x, weight = self.saved_tensors
        x_edge, weight_edge, bias_edge = self.inputs
        return (matmul(grad, weight) if x_edge is not None else None,
                matmul(transpose(grad, 0, 1), x) if weight_edge is not None else None,
                reduce_sum(grad, 0) if bias_edge is not None else None)


def linear(x, weight, bias=None):
    """x @ weight.T + bias, with weight stored (out_features, in_features)."""
    if x.shape[-1] != weight.shape[-1] or len(weight.shape) != 2:
        raise ValueError(f"linear: input {format_shape(x.shape)} does not match weight "
                         f"{format_shape(weight.shape)} (expected (*, in) and (out, in))")
    _same_backend(x, weight, "linear")
    if x.dtype is not weight.dtype or (bias is not None and bias.dtype is not x.dtype):
        raise TypeError(f"linear: dtypes differ: input {x.dtype.name}, weight "
                        f"{weight.dtype.name}" + (f", bias {bias.dtype.name}" if bias is not None else ""))
    if len(x.shape) == 2:
        return Linear.apply(x, weight, bias)
    result = Linear.apply(x.reshape(-1, x.shape[-1]), weight, bias)
    return result.reshape(x.shape[:-1] + (weight.shape[0],))


# ---- views ------------------------------------------------------------------------------

class Reshape(Function):
    def forward(self, a, shape):
        self.input_shape = a.shape
        strides = layout.view_strides(a.shape, a._strides, shape)
        if strides is None:
            compact = dispatch.materialize(a)   # a copy, not a view of a
            return dispatch.alias(compact, shape, layout.contiguous_strides(shape), 0)
        return dispatch.view_of(a, shape, strides, a._offset)

    def backward(self, grad):
        return grad.reshape(self.input_shape)


def reshape(a, *shape):
    """A tensor with the same elements in `shape` (one -1 is inferred); a view when the
    layout allows, else a copy. Always a new tensor, as in PyTorch: a reshape to a's own
    shape is a view of a (so requires_grad_, retain_grad or .grad on it leave a alone)."""
    return Reshape.apply(a, layout.reshaped_shape(a.shape, shape, "reshape"))


def view(a, *shape):
    """Like reshape, but never copies: an error when the layout forbids a view.

    view(dtype) reinterprets a's memory as torch's does; minitorch's storages hold one
    dtype, so only a's own dtype is accepted, giving an alias of a that autograd does
    not track (as torch's, and as detach())."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return _viewed_as_dtype(a, _dtype_arg(shape[0]))
    shape = layout.reshaped_shape(a.shape, shape, "view")
    if layout.view_strides(a.shape, a._strides, shape) is None:
        raise RuntimeError(f"view: size {format_shape(shape)} is not compatible with the "
                           f"input's layout (shape {format_shape(a.shape)}, strides "
                           f"{a._strides}); use .reshape(...) instead")
    return Reshape.apply(a, shape)


def _viewed_as_dtype(a, dtype):
    if dtype is not a.dtype:
        raise NotImplementedError(
            f"view(dtype): reinterpreting the memory of a {a.dtype.name} tensor as "
            f"{dtype.name} is not supported (a minitorch storage holds one dtype); to "
            f"convert the values, use .to(minitorch.{dtype.name})")
    return dispatch.alias(a)


def _dtype_arg(spec):
    from .dtype import resolve
    return resolve(spec)


def view_as(a, other):
    return view(a, other.shape)


def reshape_as(a, other):
    return reshape(a, other.shape)


def flatten(a, start_dim=0, end_dim=-1):
    start = layout.normalize_dim(start_dim, a.ndim, "flatten")
    end = layout.normalize_dim(end_dim, a.ndim, "flatten")
    if a.ndim == 0:
        return reshape(a, 1)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    if start == end:
        return a   # nothing to merge: a itself, as torch.flatten returns
    merged = layout.numel(a.shape[start:end + 1])
    return reshape(a, a.shape[:start] + (merged,) + a.shape[end + 1:])


def squeeze(a, dim=None):
    if dim is None:
        dims = {d for d, s in enumerate(a.shape) if s == 1}
    else:
        dims = {d for d in layout.normalize_dims(dim, a.ndim, "squeeze") if a.shape[d] == 1}
    return reshape(a, layout.reduced_shape(a.shape, dims, False))


def unsqueeze(a, dim):
    dim = layout.normalize_dim(dim, a.ndim + 1, "unsqueeze")
    return reshape(a, a.shape[:dim] + (1,) + a.shape[dim:])


class Permute(Function):
    def forward(self, a, dims):
        self.dims = dims
        shape, strides = a.shape, a._strides
        return dispatch.view_of(a, tuple([shape[d] for d in dims]),
                                tuple([strides[d] for d in dims]), a._offset)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for position, d in enumerate(self.dims):
            inverse[d] = position
        return grad.permute(*inverse)


def permute(a, *dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    normalized = tuple(layout.normalize_dim(d, a.ndim, "permute") for d in dims)
    if sorted(normalized) != list(range(a.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the "
                         f"{a.ndim} dimensions of a {format_shape(a.shape)} tensor")
    return Permute.apply(a, normalized)


def transpose(a, dim0, dim1):
    ndim = a.ndim
    dim0 = layout.normalize_dim(dim0, ndim, "transpose")
    dim1 = layout.normalize_dim(dim1, ndim, "transpose")
    order = list(range(ndim))
    if ndim:   # a 0-d tensor (dims 0 and -1 accepted) is its own transpose, a new view
        order[dim0], order[dim1] = dim1, dim0
    return Permute.apply(a, tuple(order))


def reversed_dims(a):
    """a.T: every dim in reverse order (the transpose of a matrix)."""
    return Permute.apply(a, tuple(range(a.ndim - 1, -1, -1)))


def t(a):
    if a.ndim > 2:
        raise ValueError(f"t: expects a tensor with <= 2 dimensions, got {a.ndim}; use "
                         "transpose or mT")
    return transpose(a, 0, -1) if a.ndim == 2 else Permute.apply(a, tuple(range(a.ndim)))


def movedim(a, source, destination):
    """A view of a with the dims in `source` (int or sequence) moved to the positions in
    `destination`; the other dims keep their order."""
    sources = (source,) if isinstance(source, int) else tuple(source)
    destinations = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(sources) != len(destinations):
        raise ValueError(f"movedim: source {source} and destination {destination} must "
                         "have the same number of dims")
    sources = [layout.normalize_dim(d, a.ndim, "movedim") for d in sources]
    destinations = [layout.normalize_dim(d, a.ndim, "movedim") for d in destinations]
    for name, dims in (("source", sources), ("destination", destinations)):
        if len(set(dims)) != len(dims):
            raise ValueError(f"movedim: repeated dim in {name} {dims}")
    order = [None] * a.ndim
    if a.ndim:   # a 0-d tensor (its dims 0 and -1 checked) has nothing to move
        for src, dst in zip(sources, destinations):
            order[dst] = src
    rest = iter(d for d in range(a.ndim) if d not in sources)
    return Permute.apply(a, tuple(next(rest) if d is None else d for d in order))


def _diagonal_layout(shape, strides, offset, diagonal_offset, dim1, dim2):
    """(shape, strides, offset) of the view of the diagonal of dims dim1 and dim2 (which
    differ) of a layout: those dims dropped, the diagonal appended as the last dim, its
    stride the sum of theirs. diagonal_offset > 0 starts it above the main diagonal
    (further along dim2), < 0 below."""
    if diagonal_offset >= 0:
        length = builtins.min(shape[dim1], shape[dim2] - diagonal_offset)
        start = offset + diagonal_offset * strides[dim2]
    else:
        length = builtins.min(shape[dim1] + diagonal_offset, shape[dim2])
        start = offset - diagonal_offset * strides[dim1]
    rest = [d for d in range(len(shape)) if d not in (dim1, dim2)]
    return (tuple([shape[d] for d in rest]) + (builtins.max(length, 0),),
            tuple([strides[d] for d in rest]) + (strides[dim1] + strides[dim2],),
            start if length > 0 else offset)


class Diagonal(Function):
    """A diagonal of a, as a view (see _diagonal_layout). backward: grad written onto the
    same diagonal of zeros in a's shape."""

    def forward(self, a, diagonal_offset, dim1, dim2):
        self.input_shape, self.choice = a.shape, (diagonal_offset, dim1, dim2)
        return dispatch.view_of(a, *_diagonal_layout(a.shape, a._strides, a._offset,
                                                     *self.choice))

    def backward(self, grad):
        grad_input = dispatch.fill(0, self.input_shape, grad.dtype, grad._storage.backend)
        shape, strides, offset = _diagonal_layout(grad_input.shape, grad_input._strides, 0,
                                                  *self.choice)
        dispatch.copy_into(grad, grad._strides, shape, grad_input, strides, offset)
        return grad_input

    def differentiable_backward(self, grad):
        zeros = dispatch.fill(0, self.input_shape, grad.dtype, grad._storage.backend)
        return diagonal_scatter(zeros, grad, *self.choice)


def diagonal(a, offset=0, dim1=0, dim2=1):
    """The view of the diagonal a[..., i, i + offset] of dims dim1 and dim2 (removed, the
    diagonal appended as the last dim), as torch.diagonal: offset > 0 is above the main
    diagonal, < 0 below; one beyond the matrix is empty. Writes to it change a."""
    offset = operator.index(offset)
    first = layout.normalize_dim(dim1, a.ndim, "diagonal")
    second = layout.normalize_dim(dim2, a.ndim, "diagonal")
    if a.ndim < 2:
        raise IndexError(f"diagonal: expected a tensor with at least 2 dimensions, got "
                         f"{format_shape(a.shape)}")
    if first == second:
        raise ValueError(f"diagonal: dim1 ({dim1}) and dim2 ({dim2}) are the same "
                         f"dimension of a {format_shape(a.shape)} tensor")
    return Diagonal.apply(a, offset, first, second)


def trace(a):
    """The sum of the main diagonal of a 2-D tensor (int64 for ints, as sum)."""
    if a.ndim != 2:
        raise ValueError(f"trace: expected a matrix (2-D), got {format_shape(a.shape)}")
    if a.dtype is bool_:
        raise TypeError("trace: not implemented for bool tensors (as PyTorch); convert "
                        "with .long() first")
    return reduce_sum(diagonal(a))


class Expand(Function):
    def forward(self, a, shape):
        self.input_shape = a.shape
        return dispatch.view_of(a, shape, layout.expanded_strides(a.shape, a._strides, shape),
                                a._offset)

    def backward(self, grad):
        return grad.sum_to_shape(self.input_shape)


def expand(a, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    extra = len(shape) - a.ndim
    shape = tuple(a.shape[d - extra] if s == -1 and d >= extra else s
                  for d, s in enumerate(shape))
    for d, size in enumerate(shape):
        if size < 0:
            place = "a new leading dimension" if d < extra else "dimension"
            raise ValueError(f"expand: size {size} is not allowed in {place} {d} (expanding "
                             f"{format_shape(a.shape)} to {format_shape(shape)}); -1 keeps an "
                             "existing size")
    return Expand.apply(a, shape)


def expand_as(a, other):
    return expand(a, other.shape)


def broadcast_to(a, shape):
    return expand(a, shape)


def sum_to_shape(a, shape):
    """Sum a broadcast gradient back to `shape` (the backward of broadcasting)."""
    extra = a.ndim - len(shape)
    dims = tuple(range(extra)) + tuple(extra + d for d, s in enumerate(shape)
                                      if s == 1 and a.shape[extra + d] != 1)
    result = reduce_sum(a, dims, keepdim=True) if dims else a
    return result if result.shape == shape else result.reshape(shape)


# ---- joining ----------------------------------------------------------------------------

class Cat(Function):
    def forward(self, dim, *tensors):
        self.dim = dim
        self.sizes = [t.shape[dim] for t in tensors]
        first = tensors[0]
        shape = first.shape[:dim] + (builtins.sum(self.sizes),) + first.shape[dim + 1:]
        result = dispatch.empty(shape, first.dtype, first._storage.backend)
        start = 0
        for tensor, size in zip(tensors, self.sizes):
            dispatch.copy_into(tensor, tensor._strides, tensor.shape, result, result._strides,
                               start * result._strides[dim])
            start += size
        return result

    def backward(self, grad):
        grads = []
        start = 0
        for size in self.sizes:
            grads.append(grad.narrow(self.dim, start, size))
            start += size
        return tuple(grads)


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other sizes must match. As in PyTorch,
    legacy empty 1-d tensors (shape (0,)) are exempt from that check, though their dtype
    still takes part in the result's; they join as empty slices (so a gradient still
    reaches them: zeros, as torch's)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    for position, tensor in enumerate(tensors):
        if not tensor.shape:
            raise ValueError(f"cat: a 0-d tensor (at position {position}) cannot be "
                             "concatenated; use stack(), or reshape(1) it first")
    dtype = tensors[0].dtype
    for tensor in tensors[1:]:
        _same_backend(tensors[0], tensor, "cat")
        dtype = promote(dtype, DIMENSIONED, tensor.dtype, DIMENSIONED)
    checked = [t for t in tensors if t.shape != (0,)] or tensors[:1]
    first = checked[0]
    dim = layout.normalize_dim(dim, first.ndim, "cat")
    for tensor in checked[1:]:
        if tensor.ndim != first.ndim or _sizes_differ(tensor.shape, first.shape, dim):
            raise ValueError(f"cat: sizes of tensors must match except in dimension {dim}; "
                             f"got {format_shape(first.shape)} and {format_shape(tensor.shape)}")
    empty_slice = first.shape[:dim] + (0,) + first.shape[dim + 1:]
    return Cat.apply(dim, *[cast(t.reshape(empty_slice) if t.shape == (0,) else t, dtype)
                            for t in tensors])


def _sizes_differ(shape_a, shape_b, skip_dim):
    return [a for d, a in enumerate(shape_a) if d != skip_dim] != \
        [b for d, b in enumerate(shape_b) if d != skip_dim]


def stack(tensors, dim=0):
    """Join tensors of one shape along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: expects each tensor to be equal size, got "
                         f"{', '.join(format_shape(s) for s in shapes)}")
    dim = layout.normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def narrow(a, dim, start, length):
    """The view a[..., start:start + length] along dim; a negative start counts from the
    end. Unlike a slice, a range that does not fit is an error, as in PyTorch."""
    if not a.shape:
        raise RuntimeError("narrow: cannot be applied to a 0-d tensor")
    dim = layout.normalize_dim(dim, a.ndim, "narrow")
    size = a.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dimension {dim} of "
                         f"size {size} (expected {-size} to {size})")
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError(f"narrow: length must be non-negative, got {length}")
    if start + length > size:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                           f"{dim} of size {size}")
    return a[(slice(None),) * dim + (slice(start, start + length),)]


def split(a, split_size_or_sections, dim=0):
    """a cut along dim into views: pieces of split_size_or_sections elements (the last
    may be smaller), or of the sizes in a list of them (which must add up to the size)."""
    if not a.shape:
        raise RuntimeError("split: cannot split a 0-d tensor")
    dim = layout.normalize_dim(dim, a.ndim, "split")
    size = a.shape[dim]
    if isinstance(split_size_or_sections, numbers.Integral):
        step = int(split_size_or_sections)
        if step < 0 or (step == 0 and size != 0):
            raise ValueError(f"split: split_size must be positive (0 only for an empty "
                             f"dimension), got {step}")
        sizes = [builtins.min(step, size - start) for start in range(0, size, step)] \
            if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != size or builtins.any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} must be non-negative and add up to "
                             f"the size {size} of dimension {dim}")
    pieces, start = [], 0
    for length in sizes:
        pieces.append(narrow(a, dim, start, length))
        start += length
    return tuple(pieces)


def chunk(a, chunks, dim=0):
    """a cut along dim into at most `chunks` views of ceil(size / chunks) elements (the
    last may be smaller, and there may be fewer), as PyTorch."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    if not a.shape:
        raise RuntimeError("chunk: cannot chunk a 0-d tensor")
    size = a.shape[layout.normalize_dim(dim, a.ndim, "chunk")]
    if size == 0:
        return split(a, [0] * chunks, dim)
    return split(a, -(-size // chunks), dim)


def unbind(a, dim=0):
    """The views a.select(dim, i) for every i, as a tuple (dim removed)."""
    if not a.shape:
        raise IndexError("unbind: cannot unbind a 0-d tensor")
    dim = layout.normalize_dim(dim, a.ndim, "unbind")
    return tuple(a[(slice(None),) * dim + (i,)] for i in range(a.shape[dim]))


def _index_positions(a, index, size, op_name, from_end=False):
    """An int64 index tensor on a's backend as a numpy array of positions in [0, size):
    unlike a[index], gather and index_select take no negative positions, as PyTorch;
    with from_end (index_fill's rule) positions in [-size, 0) count from the end."""
    if not isinstance(index, Tensor) or index.dtype is not int64:
        found = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"{op_name}: index must be an int64 tensor, got {found}")
    _same_backend(a, index, op_name)
    positions = dispatch.to_numpy(index)
    if from_end:
        positions = np.where((positions < 0) & (positions >= -size), positions + size,
                             positions)
    bad = first_out_of_range(positions, size)
    if bad is not None:
        raise IndexError(f"{op_name}: index {bad} is out of range for a dimension of "
                         f"size {size}")
    return positions


def index_select(a, dim, index):
    """The entries of a at positions `index` (a 1-D or 0-d int64 tensor) along dim, a
    copy; repeated positions get their gradients added up."""
    dim = layout.normalize_dim(dim, a.ndim, "index_select")
    positions = _index_positions(a, index, a.shape[dim] if a.shape else 1, "index_select")
    if index.ndim > 1:
        raise IndexError(f"index_select: index must be 1-D or 0-d, got "
                         f"{format_shape(index.shape)}")
    if not a.shape:
        return a.reshape(1)[positions.reshape(1)].reshape(())
    return a[(slice(None),) * dim + (positions.reshape(-1),)]


def gather(a, dim, index):
    """out[i][j][k] = a[index[i][j][k]][j][k] for dim 0 (likewise for other dims): index
    is an int64 tensor with a's number of dims, no larger than a outside dim. Gradients
    are added back to the gathered positions."""
    dim = layout.normalize_dim(dim, a.ndim, "gather")
    positions = _index_positions(a, index, a.shape[dim] if a.shape else 1, "gather")
    if index.ndim != a.ndim and index.ndim + a.ndim != 1:  # 0-d and 1-element 1-d mix
        raise ValueError(f"gather: index {format_shape(index.shape)} must have as many "
                         f"dims as input {format_shape(a.shape)}")
    if not a.shape or not index.shape:
        return a.reshape(-1)[positions.reshape(-1)].reshape(index.shape)
    for d, (size, limit) in enumerate(zip(index.shape, a.shape)):
        if d != dim and size > limit:
            raise ValueError(f"gather: index {format_shape(index.shape)} is larger than "
                             f"input {format_shape(a.shape)} in dimension {d}")
    key = tuple(positions if d == dim else
                np.arange(size).reshape([-1 if e == d else 1 for e in range(index.ndim)])
                for d, size in enumerate(index.shape))
    return a[key]


def flip(a, dims):
    """A copy of a with the order of its elements reversed along each of `dims` (int or
    tuple): one gather per dim, since views here never step backwards. A copy even when
    no dim is flipped, as in PyTorch."""
    flipped = a
    for dim in layout.normalize_dims(dims, a.ndim, "flip"):
        size = flipped.shape[dim]
        flipped = flipped[(slice(None),) * dim + (np.arange(size - 1, -1, -1),)]
    return clone(a) if flipped is a else flipped


def roll(a, shifts, dims=None):
    """A copy of a with its elements moved shifts[i] places along dims[i] (negative:
    back), those pushed past the end coming round to the start, as torch.roll; an int is
    one shift or dim. Without dims, the flattened a is rolled by one shift."""
    shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, numbers.Integral) \
        else tuple(dims)
    if not dims and len(shifts) == 1:
        return roll(a.reshape(-1), shifts, 0).reshape(a.shape)
    if not shifts or len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same "
                         "(non-zero) length; without dims, give one shift")
    if not a.shape:
        raise IndexError(f"roll: a 0-d tensor has no dimension {dims[0]}; pass no dims")
    rolled = a
    for shift, dim in zip(shifts, dims):
        dim = layout.normalize_dim(dim, a.ndim, "roll")
        size = a.shape[dim]
        shift = operator.index(shift) % size if size else 0
        if shift:
            rolled = cat([rolled.narrow(dim, size - shift, shift),
                          rolled.narrow(dim, 0, size - shift)], dim)
    return clone(a) if rolled is a else rolled


def repeat(a, *sizes):
    """torch.Tensor.repeat: a tiled sizes[d] times along each dim d (a copy). sizes
    (ints, or one tuple or list) has at least a's number of dims; extra ones are new
    leading dims."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(operator.index(size) for size in sizes)
    if len(sizes) < a.ndim:
        raise ValueError(f"repeat: {len(sizes)} counts {sizes} for a {a.ndim}-d tensor "
                         f"({format_shape(a.shape)}); give one per dimension at least")
    if builtins.any(size < 0 for size in sizes):
        raise ValueError(f"repeat: counts must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - a.ndim) + a.shape
    # as (1, s0, 1, s1, ...) broadcast to (r0, s0, r1, s1, ...), copied, merged to (r0*s0, ...)
    paired = a.reshape(tuple(d for size in shape for d in (1, size)))
    tiled = paired.expand(tuple(d for pair in zip(sizes, shape) for d in pair))
    return clone(tiled).reshape(tuple(count * size for count, size in zip(sizes, shape)))


def _repeat_counts(repeats, size, op_name):
    """repeat_interleave's repeats (an int, or an int64 tensor of one count or of one
    per slice) as a numpy array of `size` non-negative counts."""
    if isinstance(repeats, Tensor):
        if repeats.dtype is not int64:
            raise TypeError(f"{op_name}: repeats must be an int64 tensor, got "
                            f"{repeats.dtype.name}")
        if repeats.ndim > 1:
            raise ValueError(f"{op_name}: repeats must be 0-d or 1-d, got "
                             f"{format_shape(repeats.shape)}")
        counts = dispatch.to_numpy(repeats).reshape(-1)
    elif isinstance(repeats, bool):
        raise TypeError(f"{op_name}: repeats must be an int or an int64 tensor, got bool")
    else:
        counts = np.array([operator.index(repeats)])
    if counts.size == 1:
        counts = np.repeat(counts, size)
    if counts.size != size:
        raise ValueError(f"{op_name}: {counts.size} repeats for a dimension of size {size};"
                         " give one count per slice, or a single count")
    if (counts < 0).any():
        raise ValueError(f"{op_name}: repeats must be non-negative, got {int(counts.min())}")
    return counts


def repeat_interleave(a, repeats=None, dim=None, *, output_size=None):
    """Each slice of a along dim repeated in place: the slice i repeats[i] times (repeats
    an int or an int64 tensor of one count per slice, or of one count for all); dim None
    works on the flattened a. output_size, when given, must be the result's size along
    dim. torch.repeat_interleave(counts), with repeats None, repeats the positions
    0, 1, ... of the 1-d int64 `counts` as often as they say."""
    if repeats is None:
        if a.dtype is not int64 or a.ndim != 1:
            raise ValueError(f"repeat_interleave: counts alone must be a 1-d int64 tensor, "
                             f"got {a.dtype.name} {format_shape(a.shape)}")
        positions = dispatch.from_numpy(np.arange(a.shape[0]), int64, a._storage.backend)
        return repeat_interleave(positions, a, 0, output_size=output_size)
    if dim is None:
        a, dim = a.reshape(-1), 0
    elif not a.shape:
        raise IndexError(f"repeat_interleave: a 0-d tensor has no dimension {dim}; pass "
                         "dim=None")
    dim = layout.normalize_dim(dim, a.ndim, "repeat_interleave")
    if isinstance(repeats, Tensor):
        _same_backend(a, repeats, "repeat_interleave")
    counts = _repeat_counts(repeats, a.shape[dim], "repeat_interleave")
    positions = np.repeat(np.arange(a.shape[dim]), counts)
    if output_size is not None and output_size != positions.size:
        raise ValueError(f"repeat_interleave: output_size is {output_size}, but the "
                         f"repeats make {positions.size}")
    return a[(slice(None),) * dim + (positions,)]


def masked_fill(a, mask, value):
    """a with `value` wherever the bool mask (broadcast to a) is True; the result keeps
    a's dtype (value is cast to it: an int tensor filled with 2.5 holds 2), as PyTorch."""
    if isinstance(value, Tensor):
        value = cast(value, a.dtype)
    else:
        _check_scalar(value, "masked_fill")
        check_fill_value(value, a.dtype, "masked_fill")
        value = _scalar_tensor(value, a.dtype, a._storage.backend)
    return where(mask, value, a)


# ---- in-place ops -----------------------------------------------------------------------

def check_inplace(target, sources, op_name):
    """Refuse an in-place write that would be wrong or that autograd could not follow,
    before anything changes. True when autograd must record the write: grad mode is on
    and the target or one of the `sources` (the op's other arguments) requires grad."""
    if any(stride == 0 and size > 1 for size, stride in zip(target.shape, target._strides)):
        raise RuntimeError(f"{op_name}: more than one element of the written-to tensor "
                           f"(shape {format_shape(target.shape)}, expanded) refers to a single "
                           "memory location; clone() it before writing in place")
    if not _grad_enabled[0]:
        return False
    if target.requires_grad and target._ctx is None:
        raise RuntimeError(f"{op_name}: a leaf tensor that requires grad cannot be "
                           "modified in place; do it inside `with minitorch.no_grad():`")
    if _views_a_leaf(target):
        raise RuntimeError(f"{op_name}: a view of a leaf tensor that requires grad cannot be "
                           "modified in place (it would change the leaf); do it inside `with "
                           "minitorch.no_grad():`, or clone() the view first")
    return target.requires_grad or any(getattr(s, "requires_grad", False) for s in sources)


def _views_a_leaf(tensor):
    """True when tensor is a view (reshape, permute, expand, indexing...) sharing the
    memory of a leaf that requires grad: writing it would change that leaf. Refused even
    when the view itself does not require grad (taken under no_grad), as in PyTorch."""
    base = tensor._base
    return (base is not None and base.requires_grad and base._ctx is None
            and base._storage is tensor._storage)


def _check_storable(target, result, op_name):
    if result.shape != target.shape:
        raise ValueError(f"{op_name}: output with shape {format_shape(target.shape)} doesn't "
                         f"match the broadcast shape {format_shape(result.shape)}")
    if result.dtype.category > target.dtype.category:
        raise TypeError(f"{op_name}: result type {result.dtype.name} can't be cast to the "
                        f"desired output type {target.dtype.name}")


def _store(target, result, op_name):
    """Write result into target's elements (the second half of every in-place op)."""
    _check_storable(target, result, op_name)
    dispatch.copy_into(result, result._strides, target.shape, target, target._strides,
                       target._offset)
    target._storage.version += 1
    return target


def record_inplace(target, result, op_name):
    """The second half of an in-place op that autograd records: `result`, computed out
    of place (with its graph) from target's old values, is written into target, which
    then stands for it in the graph (see autograd.rebase)."""
    _check_storable(target, result, op_name)
    result = cast(result, target.dtype)
    with no_grad():
        _store(target, result, op_name)
    rebase(target, result)
    return target


def _inplace(function, op_name):
    """The in-place form of an op: computed out of place, then written into self. When
    autograd records it, the op reads a clone of self, so what its backward saved is not
    the memory the write changes."""
    def method(self, *args, **kwargs):
        if check_inplace(self, args + tuple(kwargs.values()), op_name):
            return record_inplace(self, function(clone(self), *args, **kwargs), op_name)
        with no_grad():
            result = function(self, *args, **kwargs)
        return _store(self, result, op_name)
    method.__name__ = op_name
    method.__doc__ = (f"self.{op_name}(...): the op computed out of place, its result "
                      "written into self, which is returned.")
    return method


def _overwritten(a, values):
    """values (a tensor, or a Python number) cast to a's dtype and broadcast over a, as an
    op of a (with zero gradient) so that a recorded overwrite (fill_, copy_) keeps a in the
    graph, as PyTorch does."""
    if isinstance(values, Tensor):
        values = cast(values, a.dtype)
    return where(_scalar_tensor(True, bool_, a._storage.backend), values, a)


def fill_(a, value):
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(f"fill_: only a one-element tensor can fill, got "
                             f"{format_shape(value.shape)}")
    else:
        _check_scalar(value, "fill_")
    check_fill_value(value.item() if isinstance(value, Tensor) else value, a.dtype, "fill_")
    if check_inplace(a, (value,), "fill_"):
        if isinstance(value, Tensor):
            value = to_backend(value, a.backend).reshape(())
        return record_inplace(a, _overwritten(a, value), "fill_")
    if isinstance(value, Tensor):
        value = value.item()
    constant = dispatch.fill(value, (), a.dtype, a._storage.backend)
    dispatch.copy_into(constant, (0,) * a.ndim, a.shape, a, a._strides, a._offset)
    a._storage.version += 1
    return a


def copy_(a, source):
    """Copy source's values (broadcast, cast, from any backend) into a. source is a
    Tensor or a Python number, as in torch (a list or array is refused: wrap it with
    minitorch.tensor)."""
    if isinstance(source, numbers.Number):
        source = make_tensor(source, dtype=a.dtype, backend=a.backend)
    elif not isinstance(source, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be a Tensor or a number, not "
                        f"{type(source).__name__}; wrap the values with minitorch.tensor(...)")
    if check_inplace(a, (source,), "copy_"):
        return record_inplace(a, _overwritten(a, to_backend(source, a.backend)), "copy_")
    if source._storage.backend is not a._storage.backend:
        source = dispatch.from_numpy(dispatch.to_numpy(source), source.dtype, a._storage.backend)
    elif source._storage is a._storage:
        source = dispatch.materialize(source)
    strides = layout.expanded_strides(source.shape, source._strides, a.shape, "copy_")
    dispatch.copy_into(source, strides, a.shape, a, a._strides, a._offset)
    a._storage.version += 1
    return a


class NoDerivative(Function):
    """`values` (computed without a graph) as an op of `tensors` with gradient 0 to each:
    how PyTorch records the in-place forms of ops that have no derivative (eq_, uniform_,
    ...), so that the tensor written to stays in the graph."""

    def forward(self, values, *tensors):
        return values

    def backward(self, grad):
        zero = zeros_like(grad)
        return tuple(None if edge is None else zero for edge in self.inputs)


def _zero_gradient(function):
    """function for an in-place form: its result (bools, or values of a's dtype) cast to
    a's dtype, as an op of a and of its tensor arguments with gradient 0 (NoDerivative)."""
    def apply(a, *args, **kwargs):
        values = cast(function(a, *args, **kwargs), a.dtype)
        tensors = [arg for arg in args if isinstance(arg, Tensor)]
        return NoDerivative.apply(values, a, *tensors)
    apply.__name__ = function.__name__
    return apply


def _check_random_fill(a, op_name):
    """Refuse to fill a tensor that is not floating point with random floats."""
    if not a.dtype.is_floating_point:
        raise TypeError(f"{op_name}: random floats cannot be written into a tensor of "
                        f"dtype {a.dtype.name}; use a floating-point tensor "
                        "(minitorch.randint draws integers)")


def _uniform_values(a, from_=0.0, to=1.0, *, generator=None):
    """What uniform_ writes: values uniform in [from_, to) in a's shape, dtype and backend,
    scaled from minitorch.rand (drawn on the host from the seeded generator, so every
    backend gets the same). As in PyTorch, from_ <= to, both finite, and to - from_ must
    fit a's dtype."""
    _check_random_fill(a, "uniform_")
    limit = float(np.finfo(a.dtype.numpy).max)
    if not (-limit <= from_ <= to <= limit and to - from_ <= limit):
        raise RuntimeError(f"uniform_: expected from <= to, finite and at most the "
                           f"largest {a.dtype.name} apart, got from={from_} and to={to}")
    unit = rand(a.shape, generator=generator, dtype=a.dtype, backend=a.backend)
    return unit * (to - from_) + from_


def _normal_values(a, mean=0.0, std=1.0, *, generator=None):
    """What normal_ writes: values from N(mean, std**2) in a's shape, dtype and backend,
    scaled from minitorch.randn (the seeded generator, the same on every backend)."""
    _check_random_fill(a, "normal_")
    if not std >= 0:
        raise RuntimeError(f"normal_: expected std >= 0, got {std}")
    standard = randn(a.shape, generator=generator, dtype=a.dtype, backend=a.backend)
    return standard * std + mean


# ---- Tensor methods ---------------------------------------------------------------------

from .autograd import no_grad  # noqa: E402
from .indexing import getitem, index_put_, setitem  # noqa: E402
from .printing import tensor_format  # noqa: E402
from .selection import (NotDifferentiable, argsort, bucketize, count_nonzero,  # noqa: E402
                        cummax, cummin, kthvalue, median, msort, nonzero, searchsorted, sort,
                        topk, unique)


def _new(a, filled_with, size, dtype, requires_grad, backend):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return full(size, filled_with, dtype=dtype or a.dtype, requires_grad=requires_grad,
                backend=backend or a.backend)


def new_zeros(a, *size, dtype=None, requires_grad=False, backend=None):
    """Zeros of `size`, with a's dtype and backend unless given."""
    return _new(a, 0, size, dtype, requires_grad, backend)


def new_ones(a, *size, dtype=None, requires_grad=False, backend=None):
    """Ones of `size`, with a's dtype and backend unless given."""
    return _new(a, 1, size, dtype, requires_grad, backend)


def new_full(a, size, fill_value, dtype=None, requires_grad=False, backend=None):
    """fill_value in every element of `size`, with a's dtype and backend unless given."""
    return _new(a, fill_value, (size,), dtype, requires_grad, backend)


def new_tensor(a, data, dtype=None, requires_grad=False, backend=None):
    """A copy of data as a new leaf tensor with a's dtype and backend unless given."""
    if isinstance(data, Tensor):
        data = data.detach()
    return make_tensor(data, dtype=dtype or a.dtype, requires_grad=requires_grad,
                       backend=backend or a.backend)


def _reflected(function):
    def method(self, other):
        return function(other, self)
    return method


def _where_method(a, condition, other):
    return where(condition, a, other)


# ---- composites: PyTorch functions written with the ops above (no kernels of their own) --

from .indexing import IndexPut, storage_positions  # noqa: E402


def _as_tensors(tensors, op_name):
    """The tensors of a varargs call (f(a, b) or f([a, b])) as a list, never empty."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op_name}: expected at least one tensor")
    return tensors


def _check_floating(op_name, *tensors):
    for tensor in tensors:
        if not tensor.dtype.is_floating_point:
            raise TypeError(f"{op_name}: expected floating-point tensors, got "
                            f"{tensor.dtype.name}; call .float() first")


# -- einsum and tensordot: permutes, diagonals and sums around one matmul per pair --------

def _check_subscripts(term, what):
    """A term of an einsum equation is ASCII letters with at most one '...'."""
    letters = term.replace("...", "", 1)
    if letters and not (letters.isascii() and letters.isalpha()):
        raise ValueError(f"einsum(): {what} subscripts {term!r} must be letters with at most "
                         "one '...'")


def _einsum_term(term, operand, position):
    """One input term as a list of labels, one per dim of operand: letters, and ints
    (counted from the right) for the dims `...` stands for."""
    _check_subscripts(term, f"operand {position}")
    before, dots, after = term.partition("...")
    letters = len(before) + len(after)
    fits = operand.ndim >= letters if dots else operand.ndim == letters
    if not fits:
        raise ValueError(f"einsum(): the {letters} subscripts of operand {position} "
                         f"({term!r}) do not match its {operand.ndim} dims "
                         f"{format_shape(operand.shape)}"
                         + ("" if dots else " and no ellipsis was given"))
    hidden = operand.ndim - letters
    return list(before) + list(range(hidden - 1, -1, -1)) + list(after)


def _einsum_diagonals(operand, labels, position):
    """operand with each repeated label's dims replaced by their diagonal (appended last)."""
    for label in dict.fromkeys(labels):
        while labels.count(label) > 1:
            first = labels.index(label)
            second = labels.index(label, first + 1)
            if operand.shape[first] != operand.shape[second]:
                raise ValueError(f"einsum(): subscript {label} is repeated for operand "
                                 f"{position} but the sizes don't match, "
                                 f"{operand.shape[first]} != {operand.shape[second]}")
            operand = diagonal(operand, 0, first, second)
            labels = [lb for d, lb in enumerate(labels) if d not in (first, second)] + [label]
    return operand, labels


def _sum_labels(operand, labels, keep):
    """operand summed over its labels that are not in `keep`."""
    dims = tuple(d for d, label in enumerate(labels) if label not in keep)
    if not dims:
        return operand, labels
    return reduce_sum(operand, dims), [lb for lb in labels if lb in keep]


def _label_sizes(pairs):
    """{label: size} over (operand, labels) pairs, size-1 dims broadcasting."""
    sizes = {}
    for operand, labels in pairs:
        for label, size in zip(labels, operand.shape):
            known = sizes.get(label, 1)
            if size != known and 1 not in (size, known):
                name = "..." if isinstance(label, int) else label
                raise ValueError(f"einsum(): subscript {name} has size {size} for one operand "
                                 f"and {known} for another; they do not broadcast")
            sizes[label] = known if size == 1 else size
    return sizes


def _contract_pair(left, right, needed):
    """Two (operand, labels) contracted into one: labels in both and in `needed` stay
    (batch dims, broadcast by matmul), labels in both and not needed are summed by the
    matmul, the rest are the matmul's rows and columns."""
    (a, a_labels), (b, b_labels) = left, right
    sizes = _label_sizes([left, right])
    shared = [label for label in a_labels if label in b_labels]
    batch = [label for label in shared if label in needed]
    summed = [label for label in shared if label not in needed]
    rows = [label for label in a_labels if label not in b_labels]
    columns = [label for label in b_labels if label not in a_labels]

    def arranged(operand, labels, order, matrix):
        operand = operand.permute(*[labels.index(label) for label in order])
        grown = [sizes[label] if label in summed else operand.shape[d]
                 for d, label in enumerate(order)]
        flat = [layout.numel([sizes[label] for label in group]) for group in matrix]
        return operand.expand(tuple(grown)).reshape(*operand.shape[:len(batch)], *flat)

    a = arranged(a, a_labels, batch + rows + summed, (rows, summed))
    b = arranged(b, b_labels, batch + summed + columns, (summed, columns))
    product = matmul(a, b)
    shape = product.shape[:-2] + tuple(sizes[label] for label in rows + columns)
    return product.reshape(shape), batch + rows + columns


def einsum(equation, *operands):
    """torch.einsum: the sum of products of operands' elements that `equation` names.

    equation: one term of letters per operand, comma separated, with '...' for any
    number of leading, middle or trailing dims (broadcast together), then optionally
    '->' and the output's labels; without it the output is '...' followed by the
    letters used once, in ASCII order. A letter repeated within a term takes a diagonal;
    letters missing from the output are summed. Operands (varargs or one list) share
    one dtype; dims of size 1 broadcast. Pairs are contracted left to right with one
    matmul each, after summing out labels no later operand or the output needs."""
    operands = _as_tensors(operands, "einsum")
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum(): {len(terms)} terms in the equation {equation!r} but "
                         f"{len(operands)} operands")
    for operand in operands[1:]:
        _same_backend(operands[0], operand, "einsum")
        if operand.dtype is not operands[0].dtype:
            raise TypeError(f"einsum(): operands must have one dtype, got "
                            f"{operands[0].dtype.name} and {operand.dtype.name}")
    pairs = [_einsum_diagonals(operand, _einsum_term(term, operand, position), position)
             for position, (term, operand) in enumerate(zip(terms, operands))]
    hidden = builtins.max(operand.ndim - len(term.replace("...", ""))
                          for term, operand in zip(terms, operands))
    letters = [letter for term in terms for letter in term.replace("...", "")]
    if arrow:
        _check_subscripts(output, "output")
        before, dots, after = output.partition("...")
        out_labels = list(before) + (list(range(hidden - 1, -1, -1)) if dots else []) + \
            list(after)
        for label in before + after:
            if label not in letters:
                raise ValueError(f"einsum(): output subscript {label} does not appear in "
                                 "the equation for any input operand")
            if out_labels.count(label) > 1:
                raise ValueError(f"einsum(): output subscript {label} appears more than once")
    else:
        out_labels = list(range(hidden - 1, -1, -1)) + \
            sorted(label for label in set(letters) if letters.count(label) == 1)
    sizes = _label_sizes(pairs)
    result = _sum_labels(*pairs[0], set(out_labels).union(*[lb for _, lb in pairs[1:]]))
    for position in range(1, len(pairs)):
        needed = set(out_labels).union(*[lb for _, lb in pairs[position + 1:]])
        right = _sum_labels(*pairs[position], needed | set(result[1]))
        result = _contract_pair(result, right, needed)
    operand, labels = _sum_labels(*result, set(out_labels))
    operand = operand.permute(*[labels.index(label) for label in out_labels])
    return operand.expand(tuple(sizes[label] for label in out_labels))


def tensordot(a, b, dims=2):
    """torch.tensordot: a and b (one dtype) contracted over dims: an int n (a's last n
    with b's first n), or a pair of lists of a's and b's dims (sizes must match). The
    result has a's remaining dims then b's."""
    _check_same_dtype("tensordot", a, b)
    if isinstance(dims, numbers.Integral):
        if dims < 0 or dims > builtins.min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: dims {dims} must be between 0 and the smaller "
                             f"number of dims of {format_shape(a.shape)} and "
                             f"{format_shape(b.shape)}")
        dims = (list(range(a.ndim - dims, a.ndim)), list(range(dims)))
    a_dims, b_dims = ([d] if isinstance(d, numbers.Integral) else list(d) for d in dims)
    if len(a_dims) != len(b_dims):
        raise ValueError(f"tensordot: both dims lists must have one length, got {a_dims} "
                         f"and {b_dims}")
    a_dims = [layout.normalize_dim(d, a.ndim, "tensordot") for d in a_dims]
    b_dims = [layout.normalize_dim(d, b.ndim, "tensordot") for d in b_dims]
    for d, e in zip(a_dims, b_dims):
        if a.shape[d] != b.shape[e]:
            raise ValueError(f"tensordot: contracted dimensions need to match, but a "
                             f"{format_shape(a.shape)} has size {a.shape[d]} in dim {d} and "
                             f"b {format_shape(b.shape)} has size {b.shape[e]} in dim {e}")
    a_free = [d for d in range(a.ndim) if d not in a_dims]
    b_free = [d for d in range(b.ndim) if d not in b_dims]
    summed = layout.numel([a.shape[d] for d in a_dims])
    left = a.permute(*a_free, *a_dims).reshape(-1, summed)
    right = b.permute(*b_dims, *b_free).reshape(summed, -1)
    return matmul(left, right).reshape([a.shape[d] for d in a_free] +
                                       [b.shape[d] for d in b_free])


# -- fused arithmetic ------------------------------------------------------------------

def _scaled_sum(a, product, beta, alpha, op_name):
    """beta * a + alpha * product, a of product's dtype broadcast to product's shape; with
    beta 0, a is ignored (its nan and inf too), as the add*mm family does in PyTorch."""
    _check_same_dtype(op_name, a, product)
    if layout.broadcast_shapes(a.shape, product.shape, op_name) != product.shape:
        raise ValueError(f"{op_name}: input {format_shape(a.shape)} does not broadcast to "
                         f"the product's shape {format_shape(product.shape)}")
    product = product if alpha == 1 else product * alpha
    if beta == 0:
        return product
    return (a if beta == 1 else a * beta) + product


def addmm(a, mat1, mat2, *, beta=1, alpha=1):
    """beta * a + alpha * (mat1 @ mat2) for 2-D mat1 (n, m), mat2 (m, p) and a broadcast
    to (n, p), all one dtype (see _scaled_sum)."""
    _check_ndim("addmm", 2, mat1=mat1, mat2=mat2)
    _check_same_dtype("addmm", mat1, mat2)
    return _scaled_sum(a, matmul(mat1, mat2), beta, alpha, "addmm")


def addmv(a, mat, vec, *, beta=1, alpha=1):
    """beta * a + alpha * (mat @ vec) for 2-D mat (n, m), 1-D vec (m) and a broadcast to
    (n), all one dtype (see _scaled_sum)."""
    return _scaled_sum(a, _matrix_vector("addmv", mat, vec), beta, alpha, "addmv")


def addr(a, vec1, vec2, *, beta=1, alpha=1):
    """beta * a + alpha * outer(vec1, vec2) for 1-D vec1 (n), vec2 (m) and a broadcast to
    (n, m), all one dtype (see _scaled_sum)."""
    _check_ndim("addr", 1, vec1=vec1, vec2=vec2)
    _check_same_dtype("addr", vec1, vec2)
    return _scaled_sum(a, outer(vec1, vec2), beta, alpha, "addr")


def _batch_product(op_name, batch1, batch2):
    """bmm(batch1, batch2), its errors naming op_name."""
    _check_ndim(op_name, 3, batch1=batch1, batch2=batch2)
    _check_same_dtype(op_name, batch1, batch2)
    if batch1.shape[0] != batch2.shape[0] or batch1.shape[2] != batch2.shape[1]:
        raise ValueError(f"{op_name}: batch1 {format_shape(batch1.shape)} and batch2 "
                         f"{format_shape(batch2.shape)} must be (b, n, m) and (b, m, p)")
    return matmul(batch1, batch2)


def baddbmm(a, batch1, batch2, *, beta=1, alpha=1):
    """beta * a + alpha * bmm(batch1, batch2) for batch1 (b, n, m), batch2 (b, m, p) and
    a broadcast to (b, n, p), all one dtype (see _scaled_sum)."""
    return _scaled_sum(a, _batch_product("baddbmm", batch1, batch2), beta, alpha, "baddbmm")


def addbmm(a, batch1, batch2, *, beta=1, alpha=1):
    """beta * a + alpha * (the sum over the batch of batch1[i] @ batch2[i]) for batch1
    (b, n, m), batch2 (b, m, p) and a broadcast to (n, p), all one dtype."""
    product = reduce_sum(_batch_product("addbmm", batch1, batch2), 0)
    return _scaled_sum(a, product, beta, alpha, "addbmm")


def addcmul(a, tensor1, tensor2, *, value=1):
    """a + value * tensor1 * tensor2, broadcast, with the three tensors' promoted dtype."""
    product = tensor1 * tensor2
    return a + (product if value == 1 else product * value)


def addcdiv(a, tensor1, tensor2, *, value=1):
    """a + value * tensor1 / tensor2, broadcast. As PyTorch, integer tensor1 and tensor2
    are refused (the old integer division is no longer supported)."""
    if not tensor1.dtype.is_floating_point and not tensor2.dtype.is_floating_point:
        raise TypeError("addcdiv: integer division of tensor1 by tensor2 is not supported; "
                        "convert them to floating point")
    quotient = tensor1 / tensor2
    return a + (quotient if value == 1 else quotient * value)


def clamp_min(a, min):  # noqa: A002  (torch's parameter name)
    """clamp(a, min=min)."""
    return clamp(a, min=min)


def clamp_max(a, max):  # noqa: A002  (torch's parameter name)
    """clamp(a, max=max)."""
    return clamp(a, max=max)


# -- elementwise -----------------------------------------------------------------------

def nan_to_num(a, nan=0.0, posinf=None, neginf=None):
    """a with nan, +inf and -inf replaced by nan, posinf and neginf (by default the
    largest and lowest finite values of a's dtype); integer and bool tensors are copied.
    Replaced elements get gradient 0."""
    if not a.dtype.is_floating_point:
        return clone(a)
    finfo = np.finfo(a.dtype.numpy)
    posinf = float(finfo.max) if posinf is None else posinf
    neginf = float(finfo.min) if neginf is None else neginf
    result = where(isnan(a), nan, a)
    result = where(a == math.inf, posinf, result)
    return where(a == -math.inf, neginf, result)


class ExplicitGradient(Function):
    """`values(*operands)`, computed without a graph, as one op of the operands whose
    backward is `gradients(grad, *saved)`, a tuple of one gradient per operand (a
    broadcast one is summed back to its operand's shape by the engine); saved is the
    operands, after the result when `saves_result` (as PyTorch saves them). For
    composites whose gradient is PyTorch's formula rather than the chain rule through
    the ops computing the value, which can differ (a nan from a branch that where()
    drops, an intermediate that overflows). The formula is made of tensor ops, so a
    create_graph=True pass differentiates it. `op_name` names the node ("Xlogy" gives
    grad_fn XlogyBackward)."""

    def forward(self, op_name, values, gradients, saves_result, *operands):
        with no_grad():
            result = values(*operands)
        self.op_name, self.gradients = op_name, gradients
        self.save_for_backward(*((result,) if saves_result else ()), *operands)
        return result

    def backward(self, grad):
        return tuple(self.gradients(grad, *self.saved_tensors))

    def name(self):
        return f"{self.op_name}Backward"


def _xlogy_values(a, b):
    product = a * log(b)
    undefined = logical_and(a == 0, logical_or(b <= 0, b == math.inf))  # 0 * (-inf, nan, inf)
    # + 0.0 makes the -0.0 of a = -0.0 the +0.0 PyTorch gives
    return where(undefined, 0.0, where(a == 0, product + 0.0, product))


def _xlogy_gradients(grad, a, b):
    # PyTorch's: xlogy(grad, b) (0 where a is 0 and b <= 0) to a, grad * a / b to b
    grad_a = where(logical_and(a == 0, b <= 0), 0.0, xlogy(grad, b))
    return grad_a, grad * a / b


def xlogy(a, b):
    """a * log(b), 0.0 where a is 0 (unless b is nan), in floating point, broadcast.
    Gradients as PyTorch's (see _xlogy_gradients): at a = 0, b = 0, 0 to a and nan to b."""
    a, b = _operands(a, b, "xlogy", _floating)
    return ExplicitGradient.apply("Xlogy", _xlogy_values, _xlogy_gradients, False, a, b)


def logaddexp(a, b):
    """log(exp(a) + exp(b)) without overflow: max(a, b) + log1p(exp(-|a - b|)); equal
    infinities give themselves. Floating point only, as PyTorch."""
    a, b = _operands(a, b, "logaddexp")
    _check_floating("logaddexp", a)
    larger = maximum(a, b)
    result = larger + log1p(exp(-absolute(a - b)))
    return where(logical_and(isinf(a), a == b), a, result)


def _hypot_values(a, b):
    # scaled by the larger magnitude, as C's hypot, so that neither squaring overflows
    # nor underflows: larger * sqrt(1 + (smaller / larger) ** 2)
    larger = maximum(absolute(a), absolute(b))
    ratio = minimum(absolute(a), absolute(b)) / where(larger == 0, 1.0, larger)
    result = larger * sqrt(ratio * ratio + 1.0)
    return where(logical_or(isinf(a), isinf(b)), math.inf, result)   # inf even with a nan


def _hypot_gradients(grad, result, a, b):
    return grad * a / result, grad * b / result   # PyTorch's (nan where the result is 0)


def hypot(a, b):
    """sqrt(a ** 2 + b ** 2) without overflow or underflow in between (inf where a or b
    is infinite, even with a nan), floating point only, broadcast, as PyTorch; the
    gradients are PyTorch's, a / hypot and b / hypot."""
    a, b = _operands(a, b, "hypot")
    _check_floating("hypot", a)
    return ExplicitGradient.apply("Hypot", _hypot_values, _hypot_gradients, True, a, b)


def frac(a):
    """a - trunc(a), the fractional part with a's sign; floating point only."""
    _check_floating("frac", a)
    return a - trunc(a)


def float_power(a, exponent):
    """a ** exponent computed in float64 (both operands cast), as torch.float_power."""
    if isinstance(a, Tensor):
        return power(cast(a, float64), cast(exponent, float64)
                     if isinstance(exponent, Tensor) else exponent)
    return power(a, cast(exponent, float64))


_float_power_written = _inplace(float_power, "float_power_")


def _float_power_inplace(a, exponent):
    """a.float_power_(exponent): only a float64 a can hold the float64 result (torch
    refuses the others rather than round it)."""
    if a.dtype is not float64:
        raise TypeError(f"float_power_: the base given to float_power_ has dtype "
                        f"{a.dtype.name} but the operation's result requires dtype float64")
    return _float_power_written(a, exponent)


def logit(a, eps=None):
    """log(a / (1 - a)); with eps (None or below 0: none), a is first clamped to [eps,
    1 - eps] as PyTorch does (below eps to eps, else above 1 - eps to 1 - eps).
    Integers are promoted to the default float dtype. The gradient is PyTorch's,
    1 / (a * (1 - a)) inside the bounds, and outside them 0, or nan without eps (a
    outside [0, 1])."""
    a = cast(a, _floating(a.dtype))
    clamps = eps is not None and eps >= 0
    low, high = (eps, 1 - eps) if clamps else (0.0, 1.0)

    def values(a):
        if clamps:
            a = where(a < low, low, where(a > high, high, a))
        return log(a / (1 - a))

    def gradients(grad, a):
        outside = logical_or(a < low, a > high)
        return (where(outside, 0.0 if clamps else math.nan, grad / (a * (1 - a))),)
    return ExplicitGradient.apply("Logit", values, gradients, False, a)


def diff(a, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim, after joining prepend and append (tensors
    of a's dims) to a's ends; bool tensors give a != b instead of b - a. Always a new
    tensor (n=0 gives a copy), as in PyTorch."""
    if not a.shape:
        raise ValueError("diff: expects input to be at least one-dimensional")
    if n < 0:
        raise ValueError(f"diff: order n must be non-negative, got {n}")
    dim = layout.normalize_dim(dim, a.ndim, "diff")
    original = a
    parts = [part for part in (prepend, a, append) if part is not None]
    for part in parts:
        if part.ndim != a.ndim:
            raise ValueError(f"diff: prepend and append must have a's {a.ndim} dims, got "
                             f"{format_shape(part.shape)}")
    a = cat(parts, dim) if len(parts) > 1 else a
    for _ in range(n):
        if a.shape[dim] == 0:
            break
        length = a.shape[dim] - 1
        later, earlier = a.narrow(dim, 1, length), a.narrow(dim, 0, length)
        a = ne(later, earlier) if a.dtype is bool_ else later - earlier
    return clone(a) if a is original else a


# -- joining, broadcasting, grids -------------------------------------------------------

def _at_least(a, ndim):
    """a viewed with at least ndim dims as numpy's atleast_1d/2d/3d: a 0-d tensor is
    (1, ...), a 1-d (n) is (1, n) or (1, n, 1), a 2-d (m, n) is (m, n, 1)."""
    if a.ndim >= ndim:
        return a
    if ndim == 3 and a.ndim:
        matrix = _at_least(a, 2)
        return reshape(matrix, matrix.shape + (1,))
    return reshape(a, (1,) * (ndim - a.ndim) + a.shape)


def hstack(tensors):
    """Tensors joined column-wise: along dim 0 for 1-d (and 0-d) tensors, else dim 1."""
    tensors = [_at_least(t, 1) for t in _as_tensors([tensors], "hstack")]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """Tensors joined row-wise (dim 0), 1-d (n) ones as rows (1, n)."""
    return cat([_at_least(t, 2) for t in _as_tensors([tensors], "vstack")], 0)


def dstack(tensors):
    """Tensors joined along dim 2, each viewed as at least 3-d first."""
    return cat([_at_least(t, 3) for t in _as_tensors([tensors], "dstack")], 2)


def column_stack(tensors):
    """Tensors joined along dim 1, 0-d and 1-d (n) ones as columns (n, 1)."""
    tensors = _as_tensors([tensors], "column_stack")
    return cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors], 1)


def broadcast_shapes(*shapes):
    """The shape that all shapes (tuples, or ints for 1-d shapes) broadcast to."""
    result = ()
    for shape in shapes:
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        result = layout.broadcast_shapes(result, shape, "broadcast_shapes")
    return result


def broadcast_tensors(*tensors):
    """The tensors expanded (views) to their common broadcast shape; as in PyTorch, one
    already of that shape is returned itself."""
    tensors = _as_tensors(tensors, "broadcast_tensors")
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t if t.shape == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 0-d or 1-d tensors of one dtype: output i is tensor i
    viewed along dim i and expanded over the others (views; write to a clone). 'xy'
    swaps the first two dims (Cartesian indexing). PyTorch warns when indexing is not
    given; here 'ij' is simply the default."""
    tensors = _as_tensors(tensors, "meshgrid")
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for tensor in tensors:
        if tensor.ndim > 1:
            raise ValueError(f"meshgrid: expected 0-d or 1-d tensors, got "
                             f"{format_shape(tensor.shape)}")
        if tensor.dtype is not tensors[0].dtype:
            raise TypeError(f"meshgrid: expects all tensors to have the same dtype, got "
                            f"{tensors[0].dtype.name} and {tensor.dtype.name}")
        _same_backend(tensors[0], tensor, "meshgrid")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0
    shape = tuple(tensors[i].numel() for i in order)
    grids = []
    for tensor in tensors:
        position = order.index(len(grids))
        view_shape = [1] * len(tensors)
        view_shape[position] = -1
        grids.append(expand(reshape(tensor, view_shape), shape))
    return tuple(grids)


def tile(a, *dims):
    """a repeated dims[d] times along each dim d (ints, or one tuple or list, as
    Tensor.tile takes them); fewer dims than a's are padded with 1s in front (unlike
    repeat)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    return repeat(a, (1,) * (a.ndim - len(dims)) + dims)


def ravel(a):
    """a flattened to 1-d: a view when the layout allows, else a copy (as reshape)."""
    return reshape(a, -1)


def unflatten(a, dim, sizes):
    """a with dim split into `sizes` (one may be -1); their product must be its size."""
    if not a.shape:
        raise ValueError("unflatten: cannot unflatten a 0-d tensor")
    dim = layout.normalize_dim(dim, a.ndim, "unflatten")
    sizes = tuple(sizes)
    if not sizes:
        raise ValueError("unflatten: sizes must be non-empty")
    inner = layout.reshaped_shape((a.shape[dim],), sizes, "unflatten")
    return reshape(a, a.shape[:dim] + inner + a.shape[dim + 1:])


def select(a, dim, index):
    """The view a[..., index, ...] at dim (removed); index may be negative."""
    if not a.shape:
        raise IndexError("select: cannot be applied to a 0-d tensor")
    dim = layout.normalize_dim(dim, a.ndim, "select")
    size = a.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} is out of range for dimension {dim} of "
                         f"size {size}")
    return a[(slice(None),) * dim + (operator.index(index),)]


def tensor_split(a, indices_or_sections, dim=0):
    """a cut along dim into views: an int n (or 0-d int64 tensor) gives n pieces, the
    first size % n of them one longer; a list (or 1-d int64 tensor) of indices cuts
    before each, as a[:i0], a[i0:i1], ..., a[ik:] with Python's slice rules."""
    if not a.shape:
        raise RuntimeError("tensor_split: expected at least a 1-dimensional tensor")
    dim = layout.normalize_dim(dim, a.ndim, "tensor_split")
    split_spec = indices_or_sections
    if isinstance(split_spec, Tensor):
        if split_spec.dtype is not int64 or split_spec.ndim > 1:
            raise TypeError(f"tensor_split: a tensor of indices or sections must be 0-d or "
                            f"1-d int64, got {split_spec.dtype.name} "
                            f"{format_shape(split_spec.shape)}")
        split_spec = split_spec.item() if split_spec.ndim == 0 else split_spec.tolist()
    size = a.shape[dim]
    if isinstance(split_spec, numbers.Integral):
        if split_spec <= 0:
            raise ValueError(f"tensor_split: number of sections must be positive, got "
                             f"{split_spec}")
        small, extra = divmod(size, split_spec)
        split_spec = list(itertools.accumulate(
            small + 1 if i < extra else small for i in range(split_spec - 1)))
    bounds = [None] + [operator.index(i) for i in split_spec] + [None]
    return tuple(a[(slice(None),) * dim + (slice(start, stop),)]
                 for start, stop in zip(bounds, bounds[1:]))


# -- matrices and products --------------------------------------------------------------

def diag(a, diagonal=0):
    """For 1-d a, the square matrix with a on its diagonal-th diagonal (above the main
    one when positive) and zeros elsewhere; for 2-d a, a copy of that diagonal."""
    offset = operator.index(diagonal)
    if a.ndim == 2:
        return clone(a.diagonal(offset))
    if a.ndim != 1:
        raise ValueError(f"diag: supports 1-d or 2-d tensors, got {format_shape(a.shape)}")
    size = a.shape[0] + builtins.abs(offset)
    steps = np.arange(a.shape[0])
    key = (steps + builtins.max(-offset, 0), steps + builtins.max(offset, 0))
    zeros = dispatch.fill(0, (size, size), a.dtype, a._storage.backend)
    return IndexPut.apply(zeros, a, key, False)


def fliplr(a):
    """a with its columns (dim 1) in reverse order; a must be at least 2-d."""
    if a.ndim < 2:
        raise ValueError(f"fliplr: input must be at least 2-d, got {format_shape(a.shape)}")
    return flip(a, 1)


def flipud(a):
    """a with its rows (dim 0) in reverse order; a must be at least 1-d."""
    if a.ndim < 1:
        raise ValueError("flipud: input must be at least 1-d, got a 0-d tensor")
    return flip(a, 0)


def rot90(a, k=1, dims=(0, 1)):
    """a rotated k quarter turns in the plane of dims, from the first towards the second
    (a copy)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise ValueError(f"rot90: expected two dims, got {dims}")
    if a.ndim < 2:
        raise ValueError(f"rot90: expected at least 2 dims, got {format_shape(a.shape)}")
    first, second = (layout.normalize_dim(d, a.ndim, "rot90") for d in dims)
    if first == second:
        raise ValueError(f"rot90: dims {dims} must be different")
    turns = operator.index(k) % 4
    if turns == 0:
        return clone(a)
    if turns == 2:
        return flip(a, (first, second))
    flipped = flip(a, second if turns == 1 else first)
    return transpose(flipped, first, second)


def kron(a, b):
    """The Kronecker product: block (i, j, ...) of the result is a[i, j, ...] * b; the
    operand with fewer dims gets leading 1s."""
    ndim = builtins.max(a.ndim, b.ndim)
    a_shape = (1,) * (ndim - a.ndim) + a.shape
    b_shape = (1,) * (ndim - b.ndim) + b.shape
    product = a.reshape([d for size in a_shape for d in (size, 1)]) * \
        b.reshape([d for size in b_shape for d in (1, size)])
    return product.reshape([x * y for x, y in zip(a_shape, b_shape)])


def cross(a, b, dim=None):
    """The cross product of 3-vectors along dim (a and b broadcast); without dim, the
    first dim of size 3, as torch.cross (which warns about it). a and b have one dtype."""
    _check_same_dtype("cross", a, b)
    shape = layout.broadcast_shapes(a.shape, b.shape, "cross")
    a, b = _operands(expand(a, shape), expand(b, shape), "cross")
    if dim is None:
        dim = next((d for d, size in enumerate(shape) if size == 3), None)
        if dim is None:
            raise ValueError(f"cross: no dimension of size 3 in {format_shape(shape)}")
    dim = layout.normalize_dim(dim, len(shape), "cross")
    if shape[dim] != 3:
        raise ValueError(f"cross: dimension {dim} of {format_shape(shape)} must have size 3")
    x, y, z = unbind(a, dim)
    u, v, w = unbind(b, dim)
    return stack([y * w - z * v, z * u - x * w, x * v - y * u], dim)


def cdist(x1, x2, p=2.0):
    """The p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M): a
    (..., P, R) tensor, batch dims broadcast. Floating point, one dtype."""
    _check_floating("cdist", x1, x2)
    _check_same_dtype("cdist", x1, x2)
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"cdist: expected x1 (..., P, M) and x2 (..., R, M) with one M, "
                         f"got {format_shape(x1.shape)} and {format_shape(x2.shape)}")
    if p < 0:
        raise ValueError(f"cdist: p must be non-negative, got {p}")
    distances = vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)
    if p == 0:   # counts of differing coordinates: PyTorch gives both inputs gradient 0
        return ZeroGradient.apply(distances.detach(), x1, x2)
    return distances


# -- searching and selecting ------------------------------------------------------------

def isin(elements, test_elements, *, invert=False):
    """A bool tensor of elements' shape: True where the element equals one of
    test_elements (either may be a Python number); invert gives the opposite."""
    if not isinstance(elements, Tensor):
        elements = make_tensor(elements, backend=test_elements.backend)
    if not isinstance(test_elements, Tensor):
        test_elements = make_tensor(test_elements, backend=elements.backend)
    found = any_true(eq(elements.unsqueeze(-1), test_elements.reshape(-1)), -1)
    return logical_not(found) if invert else found


def argwhere(a):
    """The indices of a's nonzero elements, as an int64 tensor (count, a.ndim)."""
    return nonzero(a)


def take_along_dim(a, indices, dim=None):
    """gather along dim after broadcasting a and indices over the other dims; without
    dim, positions in the flattened a (a 1-d result)."""
    if dim is None:
        return gather(a.reshape(-1), 0, indices.reshape(-1))
    dim = layout.normalize_dim(dim, a.ndim, "take_along_dim")
    if indices.ndim != a.ndim:
        raise ValueError(f"take_along_dim: input {format_shape(a.shape)} and indices "
                         f"{format_shape(indices.shape)} must have the same number of dims")
    shape = list(layout.broadcast_shapes(
        a.shape[:dim] + (1,) + a.shape[dim + 1:],
        indices.shape[:dim] + (1,) + indices.shape[dim + 1:], "take_along_dim"))
    shape[dim] = a.shape[dim]
    a = expand(a, shape)
    shape[dim] = indices.shape[dim]
    return gather(a, dim, expand(indices, shape))


def _scatter_key(a, dim, index, op_name):
    """The indexing key that sends element i of index to a[..., index[i], ...] at dim (i
    elsewhere), as gather reads it; index has a's dims and is no larger outside dim."""
    positions = _index_positions(a, index, a.shape[dim], op_name)
    if index.ndim != a.ndim:
        raise ValueError(f"{op_name}: index {format_shape(index.shape)} must have as many "
                         f"dims as self {format_shape(a.shape)}")
    for d, (size, limit) in enumerate(zip(index.shape, a.shape)):
        if d != dim and size > limit:
            raise ValueError(f"{op_name}: index {format_shape(index.shape)} is larger than "
                             f"self {format_shape(a.shape)} in dimension {d}")
    return tuple(positions if d == dim else
                 np.arange(size).reshape([-1 if e == d else 1 for e in range(index.ndim)])
                 for d, size in enumerate(index.shape))


def _scattered(a, dim, index, src, accumulate, op_name):
    """a copy of a with src's leading index-shaped block written (or added) at the
    positions index gives along dim; src is a tensor of a's dtype, or a number."""
    if not a.shape:
        return _scattered(a.reshape(1), 0, index.reshape(1),
                          src.reshape(1) if isinstance(src, Tensor) else src,
                          accumulate, op_name).reshape(())
    dim = layout.normalize_dim(dim, a.ndim, op_name)
    key = _scatter_key(a, dim, index, op_name)
    if isinstance(src, Tensor):
        _same_backend(a, src, op_name)
        if src.dtype is not a.dtype:
            raise TypeError(f"{op_name}: expected self.dtype to be equal to src.dtype, got "
                            f"{a.dtype.name} and {src.dtype.name}")
        if src.ndim != index.ndim or builtins.any(i > s for i, s in
                                                  zip(index.shape, src.shape)):
            raise ValueError(f"{op_name}: index {format_shape(index.shape)} must be no "
                             f"larger than src {format_shape(src.shape)} in any dimension")
        values = src[tuple(slice(0, size) for size in index.shape)]
    else:
        _check_scalar(src, op_name)
        check_fill_value(src, a.dtype, op_name)
        values = _scalar_tensor(src, a.dtype, a._storage.backend)
    return IndexPut.apply(a, values, key, accumulate)


def scatter(a, dim, index, src=None, *, value=None, reduce=None):
    """A copy of a with out[..., index[i], ...] = src[i] along dim for every position i
    of index (src a tensor of a's dtype, or the number `value`). Where index repeats,
    which write wins is unspecified, as PyTorch. Gradients: a's is zero at the written
    positions, src's is the gathered output gradient. torch's legacy reduce="add" or
    "multiply" combines instead of writing: scatter_reduce's "sum" or "prod" with a's own
    elements (deprecated for a tensor src, with torch's warning)."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    source = value if src is None else src
    if reduce is None:
        return _scattered(a, dim, index, source, False, "scatter")
    _check_reduce(reduce, ("add", "multiply"), "scatter")
    if isinstance(source, Tensor):
        warnings.warn("scatter: the reduce argument with a Tensor src is deprecated, as in "
                      "torch; use scatter_reduce, which has more reduction options",
                      UserWarning, stacklevel=2)
    else:
        source = full(index.shape, source, dtype=a.dtype, backend=a.backend)
    return scatter_reduce(a, dim, index, source, "sum" if reduce == "add" else "prod")


def scatter_add(a, dim, index, src):
    """A copy of a with src[i] added at out[..., index[i], ...] along dim for every
    position i of index; repeated positions add up."""
    return _scattered(a, dim, index, src, True, "scatter_add")


def _index_key(a, dim, index, op_name, from_end=False):
    """(normalized dim, the key a[key] reaches the slices at positions index along dim
    with), for a with dims and a 1-d (or 0-d) int64 index (see _index_positions)."""
    dim = layout.normalize_dim(dim, a.ndim, op_name)
    positions = _index_positions(a, index, a.shape[dim], op_name, from_end)
    if index.ndim > 1:
        raise IndexError(f"{op_name}: index must be 1-d or 0-d, got "
                         f"{format_shape(index.shape)}")
    return dim, (slice(None),) * dim + (positions.reshape(-1),)


def _index_written(a, dim, index, source, accumulate, op_name):
    """A copy of a with source[..., i, ...] written (or added) at a[..., index[i], ...]
    along dim; source is a with dim's size len(index), of a's dtype."""
    if not a.shape:
        return _index_written(a.reshape(1), 0, index.reshape(-1), source.reshape(-1),
                              accumulate, op_name).reshape(())
    dim, key = _index_key(a, dim, index, op_name)
    _same_backend(a, source, op_name)
    if source.dtype is not a.dtype:
        raise TypeError(f"{op_name}: self ({a.dtype.name}) and source "
                        f"({source.dtype.name}) must have the same dtype")
    expected = a.shape[:dim] + (key[dim].size,) + a.shape[dim + 1:]
    if source.shape != expected:
        raise ValueError(f"{op_name}: expected source of shape {format_shape(expected)}, "
                         f"got {format_shape(source.shape)}")
    return IndexPut.apply(a, source, key, accumulate)


def index_add(a, dim, index, source, *, alpha=1):
    """A copy of a with alpha * source[..., i, ...] added at a[..., index[i], ...] along
    dim (index 1-d int64; source is a with dim's size len(index)); repeats add up."""
    if alpha != 1:
        source = source * _integral_alpha(alpha, a.dtype, "index_add")
    return _index_written(a, dim, index, source, True, "index_add")


def index_copy(a, dim, index, source):
    """A copy of a with source[..., i, ...] written at a[..., index[i], ...] along dim
    (index 1-d int64; source is a with dim's size len(index)). Where index repeats, which
    write wins is unspecified, as PyTorch. a's gradient is 0 where written."""
    return _index_written(a, dim, index, source, False, "index_copy")


def index_fill(a, dim, index, value):
    """A copy of a with `value` (a number, or a 0-d tensor of a's dtype, which then gets
    the written positions' summed gradient) in every slice at positions index along dim;
    unlike the other index_* ops, negative positions count from the end, as PyTorch."""
    if isinstance(value, Tensor):
        if value.ndim != 0 or value.dtype is not a.dtype:
            raise ValueError(f"index_fill: value must be a number or a 0-d {a.dtype.name} "
                             f"tensor, got a {value.dtype.name} tensor of shape "
                             f"{format_shape(value.shape)}")
        _same_backend(a, value, "index_fill")
    else:
        _check_scalar(value, "index_fill")
        check_fill_value(value, a.dtype, "index_fill")
        value = _scalar_tensor(value, a.dtype, a._storage.backend)
    if not a.shape:
        return index_fill(a.reshape(1), 0, index.reshape(-1), value).reshape(())
    dim, key = _index_key(a, dim, index, "index_fill", from_end=True)
    # each slice is filled once, so a repeated position adds value's gradient once
    return IndexPut.apply(a, value, key[:dim] + (np.unique(key[dim]),), False)


def take(a, index):
    """The elements of a, read as 1-d in row-major order, at the positions of the int64
    tensor index (negative ones count from the end): a tensor of index's shape."""
    if not isinstance(index, Tensor) or index.dtype is not int64:
        found = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"take: index must be an int64 tensor, got {found}")
    return a.reshape(-1)[index]


def masked_select(a, mask):
    """The elements of a where the bool mask is True (both broadcast), as a 1-d copy."""
    if not isinstance(mask, Tensor) or mask.dtype is not bool_:
        found = mask.dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"masked_select: expected a bool mask, got {found}")
    a, mask = broadcast_tensors(a, mask)
    return a[mask]


# -- more elementwise ops ----------------------------------------------------------------

def deg2rad(a):
    """a in degrees converted to radians; integers are promoted to the default float."""
    return cast(a, _floating(a.dtype)) * (math.pi / 180)


def rad2deg(a):
    """a in radians converted to degrees; integers are promoted to the default float."""
    return cast(a, _floating(a.dtype)) * (180 / math.pi)


class ZeroGradient(Function):
    """`values` (computed without a graph) as an op of `tensors`, each of which gets a
    zero gradient of its own shape: PyTorch's derivative with respect to arguments that
    only count (cdist's p=0), choose among values or parametrize a random draw."""

    def forward(self, values, *tensors):
        self.shapes = [t.shape for t in tensors]
        return values

    def backward(self, grad):
        zero = _scalar_tensor(0, grad.dtype, grad._storage.backend)
        return (None,) + tuple(None if edge is None else expand(zero, shape)
                               for edge, shape in zip(self.inputs[1:], self.shapes))


def _sign_bit(a):
    """Whether each element of a has its sign bit set (-0.0 counts, as -inf = 1 / -0.0;
    nan does not: its sign bit cannot be told apart with tensor ops)."""
    if not a.dtype.is_floating_point:
        return a < 0
    return logical_or(a < 0, logical_and(a == 0, reciprocal(a) < 0))


def copysign(a, b):
    """|a| with the sign of b (-0.0 negative), broadcast, in floating point. Gradients
    as PyTorch's: a's is result / a (0 where a is 0, nan where a is infinite or nan),
    b's is 0. A nan in b counts as positive (PyTorch reads its sign bit)."""
    a, b = _operands(a, b, "copysign", _floating)
    return ExplicitGradient.apply("Copysign", _copysign_values, _copysign_gradients, True, a, b)


def _copysign_values(a, b):
    return absolute(a) * cast(where(_sign_bit(b), -1.0, 1.0), a.dtype)


def _copysign_gradients(grad, result, a, b):
    return grad * where(a == 0, 0.0, result / a), zeros_like(b)


def heaviside(a, values):
    """The step function: 0 where a < 0, values (broadcast) where a == 0, 1 where a > 0
    (a nan gives 0); a and values must have one dtype. No derivative, as PyTorch."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside: values must be a tensor, got {type(values).__name__}")
    _check_same_dtype("heaviside", a, values)
    _same_backend(a, values, "heaviside")
    with no_grad():
        steps = where(a == 0, values, cast(a > 0, a.dtype))
    return NotDifferentiable.apply(a, steps, "heaviside") if a.requires_grad else steps


def sinc(a):
    """sin(pi * a) / (pi * a), 1 where a is 0 (gradient 0 there); integers are promoted
    to the default float."""
    a = cast(a, _floating(a.dtype))
    at_zero = a == 0
    angle = where(at_zero, 1.0, a * math.pi)  # no 0 / 0 in the branch where() discards
    return where(at_zero, 1.0, sin(angle) / angle)


def rsub(a, b, *, alpha=1):
    """b - alpha * a: sub with its operands swapped."""
    return sub(b, a, alpha=alpha)


def positive(a):
    """a itself (unary +); refused for bool tensors, as PyTorch."""
    if a.dtype is bool_:
        raise TypeError("positive: the unary + operator is not supported on bool tensors")
    return a


# -- dtype and shape predicates ----------------------------------------------------------

def result_type(tensor1, tensor2):
    """The dtype an op of tensor1 and tensor2 (tensors or Python numbers) computes in,
    by PyTorch's promotion rules: dimensioned tensors outrank 0-d ones, which outrank
    numbers, within a category."""
    def operand(value):
        if isinstance(value, Tensor):
            return value.dtype, _priority(value)
        _check_scalar(value, "result_type")
        return of_scalar(value), SCALAR
    return promote(*operand(tensor1), *operand(tensor2))


def is_nonzero(a):
    """Whether the one element of a is nonzero (a tensor of any other size is refused)."""
    if a.numel() != 1:
        raise RuntimeError(f"is_nonzero: a tensor with {a.numel()} elements (shape "
                           f"{format_shape(a.shape)}) has no single truth value")
    return builtins.bool(a.item())


def is_same_size(a, b):
    """Whether a and b have the same shape."""
    return a.shape == b.shape


def is_complex(a):
    """False: minitorch has no complex dtypes (so no tensor is a conjugate or negated
    view of one either: is_conj and is_neg)."""
    return False


def real_part(a):
    """a itself: every minitorch tensor is real, and torch's conj, resolve_conj,
    resolve_neg, conj_physical and real return a real tensor itself too (the names
    complex-aware code calls; is_conj and is_neg are False)."""
    return a


def imaginary_part(a):
    """Refused, as torch refuses it for a real tensor."""
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes "
                       f"(this one is {a.dtype.name}); minitorch has no complex dtypes")


# -- products ----------------------------------------------------------------------------

def _matrix_vector(op_name, mat, vec):
    """mat @ vec for 2-D mat (n, m) and 1-D vec (m) of one dtype."""
    _check_ndim(op_name, 2, mat=mat)
    _check_ndim(op_name, 1, vec=vec)
    _check_same_dtype(op_name, mat, vec)
    if mat.shape[1] != vec.shape[0]:
        raise ValueError(f"{op_name}: size mismatch, mat {format_shape(mat.shape)} and vec "
                         f"{format_shape(vec.shape)}")
    return matmul(mat, vec)


def mv(a, vec):
    """The matrix-vector product of 2-D a (n, m) and 1-D vec (m), of one dtype."""
    return _matrix_vector("mv", a, vec)


def vdot(a, b):
    """The inner product of two 1-D tensors of one size and dtype (for real tensors,
    dot)."""
    _check_vectors("vdot", a, b)
    return matmul(a, b)


def inner(a, b):
    """Sums of products over the last dim of a and of b (which must match): the result
    has a's leading dims, then b's; with a 0-d operand, the product a * b."""
    if not a.shape or not b.shape:
        return mul(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: the last dims of input {format_shape(a.shape)} and other "
                         f"{format_shape(b.shape)} must match")
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


def _check_chain(op_name, matrices):
    """matrices (at least 2) are of one dtype and chain: each one's columns are the next
    one's rows."""
    for left, right in zip(matrices, matrices[1:]):
        _check_same_dtype(op_name, left, right)
        if left.shape[-1] != right.shape[0]:
            raise ValueError(f"{op_name}: matrices {format_shape(left.shape)} and "
                             f"{format_shape(right.shape)} cannot be multiplied")


def multi_dot(tensors):
    """The product of a chain of 2-D tensors (the first may be 1-D, a row; the last may
    be 1-D, a column; those dims are dropped from the result), multiplied left to right."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise ValueError(f"multi_dot: expected at least 2 tensors, got {len(tensors)}")
    for position, matrix in enumerate(tensors):
        allowed = (1, 2) if position in (0, len(tensors) - 1) else (2,)
        if matrix.ndim not in allowed:
            raise ValueError(f"multi_dot: tensor {position} must be "
                             f"{' or '.join(f'{n}-D' for n in allowed)}, got "
                             f"{format_shape(matrix.shape)}")
    _check_chain("multi_dot", tensors)
    return functools.reduce(matmul, tensors)


def chain_matmul(*matrices):
    """The product of 2-D matrices, left to right (PyTorch's deprecated form of
    linalg.multi_dot); one matrix gives a copy."""
    for matrix in matrices:
        _check_ndim("chain_matmul", 2, matrices=matrix)
    if len(matrices) == 1:
        return clone(matrices[0])
    _check_chain("chain_matmul", matrices)
    return functools.reduce(matmul, matrices)


def matrix_power(a, n):
    """a (..., m, m) multiplied by itself n times (n >= 0; n == 0 gives identities of a's
    dtype, whose gradient to a is 0), by repeated squaring. minitorch.matrix_power and
    Tensor.matrix_power are linalg.matrix_power, which takes negative powers through
    linalg.inv and calls this for the rest."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"matrix_power: expected a (batch of) square matrices, got "
                         f"{format_shape(a.shape)}")
    n = operator.index(n)
    if n < 0:
        raise ValueError("matrix_power: a negative power needs the inverse: use "
                         "minitorch.linalg.matrix_power")
    if n == 0:
        identity = make_tensor(np.eye(a.shape[-1]), dtype=a.dtype, backend=a.backend)
        identities = clone(expand(identity, a.shape))
        return ZeroGradient.apply(identities, a) if a.requires_grad else identities
    result, square_power = None, a
    while True:
        if n & 1:
            result = square_power if result is None else matmul(result, square_power)
        n >>= 1
        if not n:
            return result
        square_power = matmul(square_power, square_power)


def block_diag(*tensors):
    """The block-diagonal matrix of the tensors (0-d as 1x1, 1-d (n) as a row 1xn, 2-d
    as is) in order, zeros elsewhere, with their promoted dtype."""
    if not tensors:
        return full((1, 0), 0, dtype=get_default_dtype())
    for tensor in tensors:
        if tensor.ndim > 2:
            raise ValueError(f"block_diag: expected tensors of at most 2 dims, got "
                             f"{format_shape(tensor.shape)}")
    dtype = functools.reduce(lambda d, t: promote(d, DIMENSIONED, t.dtype, DIMENSIONED),
                             tensors[1:], tensors[0].dtype)
    blocks = [cast(_at_least(t, 2), dtype) for t in tensors]
    width = builtins.sum(block.shape[1] for block in blocks)
    rows, left = [], 0
    for block in blocks:
        height = block.shape[0]
        before = full((height, left), 0, dtype=dtype, backend=block.backend)
        after = full((height, width - left - block.shape[1]), 0, dtype=dtype,
                     backend=block.backend)
        rows.append(cat([before, block, after], 1))
        left += block.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-d tensor (of one dtype), in
    row-major order: (product of sizes, number of tensors); one tensor gives that tensor
    itself, as in PyTorch."""
    tensors = _as_tensors(tensors, "cartesian_prod")
    for tensor in tensors:
        _check_ndim("cartesian_prod", 1, tensors=tensor)
    if len(tensors) == 1:
        return tensors[0]
    return stack([grid.reshape(-1) for grid in meshgrid(*tensors, indexing="ij")], 1)


def combinations(a, r=2, with_replacement=False):
    """The length-r combinations of the 1-d a's elements, as itertools.combinations (or
    combinations_with_replacement) orders them: (count, r); r == 0 gives an empty 1-d
    tensor."""
    _check_ndim("combinations", 1, input=a)
    r = operator.index(r)
    if r < 0:
        raise ValueError(f"combinations: r must be non-negative, got {r}")
    if r == 0:
        return a[np.zeros(0, np.int64)]
    choose = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    positions = np.array(list(choose(range(a.shape[0]), r)), np.int64).reshape(-1, r)
    return a[positions]


def vander(x, N=None, increasing=False):  # noqa: N803  (torch's parameter name)
    """The Vandermonde matrix of the 1-d x: column j is x ** (N - 1 - j), or x ** j when
    increasing; N defaults to len(x). Built as running products, so gradients are exact;
    bools count as int64."""
    _check_ndim("vander", 1, x=x)
    columns = x.shape[0] if N is None else operator.index(N)
    if columns < 0:
        raise ValueError(f"vander: N must be non-negative, got {columns}")
    x = cast(x, _not_bool(x.dtype))
    if columns == 0:
        return full((x.shape[0], 0), 0, dtype=x.dtype, backend=x.backend)
    first = full((x.shape[0], 1), 1, dtype=x.dtype, backend=x.backend)
    powers = cumprod(cat([first, expand(x.unsqueeze(1), (x.shape[0], columns - 1))], 1), 1)
    return powers if increasing else flip(powers, 1)


# -- views, splits and diagonals ---------------------------------------------------------

def _at_least_each(ndim, tensors, op_name):
    """atleast_Nd: one tensor gives one view, several (or a sequence) a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return _at_least(tensors[0], ndim)
    return tuple(_at_least(t, ndim) for t in _as_tensors(tensors, op_name))


def atleast_1d(*tensors):
    """The tensors viewed with at least 1 dim (0-d as (1))."""
    return _at_least_each(1, tensors, "atleast_1d")


def atleast_2d(*tensors):
    """The tensors viewed with at least 2 dims (0-d as (1, 1), (n) as (1, n))."""
    return _at_least_each(2, tensors, "atleast_2d")


def atleast_3d(*tensors):
    """The tensors viewed with at least 3 dims (0-d as (1, 1, 1), (n) as (1, n, 1),
    (m, n) as (m, n, 1))."""
    return _at_least_each(3, tensors, "atleast_3d")


def _split_along(a, indices_or_sections, dim, least_ndim, op_name):
    """tensor_split along dim for a of at least least_ndim dims, where a number of
    sections must divide the dim's size."""
    if a.ndim < least_ndim:
        raise ValueError(f"{op_name}: expected a tensor with at least {least_ndim} dims, "
                         f"got {format_shape(a.shape)}")
    if isinstance(indices_or_sections, numbers.Integral) and \
            (indices_or_sections <= 0 or a.shape[dim] % indices_or_sections):
        raise ValueError(f"{op_name}: dimension {dim} of size {a.shape[dim]} cannot be "
                         f"split into {indices_or_sections} equal sections")
    return tensor_split(a, indices_or_sections, dim)


def hsplit(a, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-d a); a number of sections must divide it."""
    return _split_along(a, indices_or_sections, 0 if a.ndim == 1 else 1, 1, "hsplit")


def vsplit(a, indices_or_sections):
    """tensor_split along dim 0 of an at least 2-d a; sections must divide it."""
    return _split_along(a, indices_or_sections, 0, 2, "vsplit")


def dsplit(a, indices_or_sections):
    """tensor_split along dim 2 of an at least 3-d a; sections must divide it."""
    return _split_along(a, indices_or_sections, 2, 3, "dsplit")


def diag_embed(a, offset=0, dim1=-2, dim2=-1):
    """Zeros with a's last dim written on the offset-th diagonal of the (dim1, dim2)
    planes of the result, which has one more dim than a (dim1 and dim2 index it)."""
    if not a.shape:
        raise IndexError("diag_embed: expected a tensor with at least 1 dim")
    offset = operator.index(offset)
    ndim = a.ndim + 1
    dim1 = layout.normalize_dim(dim1, ndim, "diag_embed")
    dim2 = layout.normalize_dim(dim2, ndim, "diag_embed")
    if dim1 == dim2:
        raise ValueError(f"diag_embed: dim1 and dim2 must differ, both are {dim1}")
    length = a.shape[-1]
    size = length + builtins.abs(offset)
    batch_shape = list(a.shape[:-1])
    batch_dims = [d for d in range(ndim) if d not in (dim1, dim2)]
    shape, key, steps = [0] * ndim, [None] * ndim, np.arange(length)
    for position, d in enumerate(batch_dims):  # key arrays broadcast to a's shape
        shape[d] = batch_shape[position]
        key[d] = np.arange(batch_shape[position]).reshape(
            [-1 if p == position else 1 for p in range(a.ndim)])
    shape[dim1] = shape[dim2] = size
    key[dim1] = steps + builtins.max(-offset, 0)
    key[dim2] = steps + builtins.max(offset, 0)
    zeros = dispatch.fill(0, tuple(shape), a.dtype, a._storage.backend)
    return IndexPut.apply(zeros, a, tuple(key), False)


def diagflat(a, offset=0):
    """The square matrix with a's elements (flattened) on its offset-th diagonal."""
    return diag(a.reshape(-1), offset)


def unravel_index(indices, shape):
    """The coordinates, in a tensor of `shape`, of the flat (row-major) positions in the
    int64 indices (negative ones count from the end): a tuple of one int64 tensor of
    indices' shape per dim of shape."""
    if not isinstance(indices, Tensor) or indices.dtype is not int64:
        found = indices.dtype.name if isinstance(indices, Tensor) else type(indices).__name__
        raise TypeError(f"unravel_index: indices must be an int64 tensor, got {found}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if builtins.any(size < 0 for size in shape):
        raise ValueError(f"unravel_index: sizes must be non-negative, got {list(shape)}")
    count = math.prod(shape)
    if indices.numel() and not builtins.bool(logical_and(indices >= -count,
                                                         indices < count).all().item()):
        raise IndexError(f"unravel_index: an index is out of bounds for shape {list(shape)} "
                         f"({count} elements)")
    flat = remainder(indices, count) if count else indices
    coordinates = []
    for size in reversed(shape):
        coordinates.append(remainder(flat, size))
        flat = floor_divide(flat, size)
    return tuple(reversed(coordinates))


# -- Tensor-only methods -----------------------------------------------------------------

def new_empty(a, *size, dtype=None, requires_grad=False, backend=None):
    """An uninitialised tensor of `size` (zeros here), with a's dtype and backend unless
    given."""
    return _new(a, 0, size, dtype, requires_grad, backend)


def sum_to_size(a, *size):
    """a summed to `size` (ints, or one tuple), which must broadcast to a's shape."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if layout.broadcast_shapes(size, a.shape, "sum_to_size") != a.shape:
        raise ValueError(f"sum_to_size: size {format_shape(size)} is not expandable to "
                         f"size {format_shape(a.shape)}")
    return sum_to_shape(a, tuple(size))


# ---- strided views: unfold, as_strided ----------------------------------------------------

class StridedView(Function):
    """A view of a's storage with any layout (shape, strides, offset: storage positions,
    not a's). backward, as PyTorch's as_strided: the output gradient added up per storage
    position, then read at a's positions, divided where several of a's elements share one
    (an expanded a)."""

    def forward(self, a, shape, strides, offset):
        self.output_positions = storage_positions(shape, strides, offset)
        self.input_positions = storage_positions(a.shape, a._strides, a._offset)
        return dispatch.view_of(a, shape, strides, offset)

    def backward(self, grad):
        per_position = self._zero_per_position(grad)
        dispatch.index_put(per_position, self.output_positions, grad, accumulate=True)
        return self._divided_where_shared(dispatch.take(per_position, self.input_positions))

    def differentiable_backward(self, grad):
        per_position = IndexPut.apply(self._zero_per_position(grad), grad,
                                      (self.output_positions,), True)
        return self._divided_where_shared(per_position[self.input_positions])

    def _zero_per_position(self, grad):
        """Zeros of grad's dtype, one per storage position the view or a reaches."""
        size = 1 + builtins.max([0, *self.output_positions.reshape(-1),
                                 *self.input_positions.reshape(-1)])
        return dispatch.fill(0, (size,), grad.dtype, grad._storage.backend)

    def _divided_where_shared(self, grad_input):
        """grad_input (a's shape) divided at each element by the number of a's elements
        sharing its storage position."""
        sharing = np.bincount(self.input_positions.reshape(-1))
        if (sharing > 1).any():
            grad_input = grad_input / make_tensor(sharing[self.input_positions],
                                                  grad_input.dtype, backend=grad_input.backend)
        return grad_input


def _check_sizes(values, op_name, what):
    values = tuple(operator.index(v) for v in values)
    if builtins.any(v < 0 for v in values):
        raise ValueError(f"{op_name}: {what} must be non-negative, got {values}")
    return values


def as_strided(a, size, stride, storage_offset=None):
    """A view of a's storage (not of a's elements: strides and offset count storage
    positions) with shape `size`, as torch.as_strided. Refused: strides or sizes below 0,
    and a layout that would reach outside the storage."""
    size = _check_sizes(size, "as_strided", "sizes")
    stride = _check_sizes(stride, "as_strided", "strides")
    if len(size) != len(stride):
        raise ValueError(f"as_strided: {len(size)} sizes but {len(stride)} strides")
    offset = a._offset if storage_offset is None else operator.index(storage_offset)
    if offset < 0:
        raise ValueError(f"as_strided: storage_offset must be non-negative, got {offset}")
    needed = 0 if 0 in size else offset + 1 + builtins.sum(
        (n - 1) * s for n, s in zip(size, stride))
    if needed > a._storage.size:
        raise RuntimeError(f"as_strided: sizes {format_shape(size)}, strides {stride} and "
                           f"storage offset {offset} need a storage of {needed} elements, "
                           f"but it has {a._storage.size}")
    return StridedView.apply(a, size, stride, offset)


def unfold(a, dimension, size, step):
    """Every window of `size` elements along `dimension`, `step` apart, as a view (no
    copy): that dim becomes the number of windows, and a last dim of `size` is added
    (Tensor.unfold). A 0-d a counts as one element."""
    dim = layout.normalize_dim(dimension, builtins.max(a.ndim, 1), "unfold")
    length = a.shape[dim] if a.shape else 1
    size, step = operator.index(size), operator.index(step)
    if step <= 0:
        raise ValueError(f"unfold: step must be positive, got {step}")
    if not 0 <= size <= length:
        raise ValueError(f"unfold: size {size} exceeds the size {length} of dimension "
                         f"{dimension} (input shape {format_shape(a.shape)})")
    if not a.shape:
        return StridedView.apply(a, (size,), (1,), a._offset)
    shape, strides = list(a.shape), list(a._strides)
    shape[dim], strides[dim] = (length - size) // step + 1, strides[dim] * step
    return StridedView.apply(a, tuple(shape) + (size,), tuple(strides) + (a._strides[dim],),
                             a._offset)


# ---- scattering reductions -----------------------------------------------------------------

_REDUCTION_IDENTITY = {"sum": 0, "mean": 0, "prod": 1}


def _identity(reduce, dtype):
    """The value a reduction ignores: 0, 1, or the lowest (amax) or highest (amin) one."""
    if reduce in _REDUCTION_IDENTITY:
        return _REDUCTION_IDENTITY[reduce]
    if dtype is bool_:
        return reduce == "amin"
    if dtype.is_floating_point:
        return -math.inf if reduce == "amax" else math.inf
    info = np.iinfo(dtype.numpy)
    return info.min if reduce == "amax" else info.max


def _reduced_into(a, targets, values, reduce, include_self, op_name):
    """A copy of a where each element at flat (row-major) position t is replaced by the
    reduction (sum, prod, mean, amax, amin) of the `values` (a flat tensor) whose entry of
    `targets` (a host int array) is t, and of a's own element when include_self.

    The groups are laid out as rows of a dense table on the host (padded with the
    reduction's identity), gathered from values in one take and reduced along the rows,
    so every gradient is the gather's and the reduction's, as PyTorch's."""
    if values.dtype is not a.dtype:
        raise TypeError(f"{op_name}: expected self and the source to have the same dtype, "
                        f"got {a.dtype.name} and {values.dtype.name}")
    flat = a.reshape(-1)
    if not len(targets):   # nothing is written; the (empty) values keep a gradient
        return IndexPut.apply(flat, values, (targets,), False).reshape(a.shape)
    written, slot_of = np.unique(targets, return_inverse=True)
    column = np.zeros(len(targets), np.int64)   # each value's place within its group
    order = np.argsort(slot_of, kind="stable")
    starts = np.searchsorted(slot_of[order], np.arange(len(written)))
    column[order] = np.arange(len(targets)) - starts[slot_of[order]]
    counts = np.bincount(slot_of, minlength=len(written)) + include_self
    width = int(counts.max()) if len(written) else 0
    pad = len(targets) + a.numel()   # positions in cat([values, flat, identity])
    table = np.full((len(written), width), pad, np.int64)
    table[slot_of, column + include_self] = np.arange(len(targets))
    if include_self:
        table[:, 0] = len(targets) + written
    identity = _scalar_tensor(_identity(reduce, a.dtype), a.dtype, a._storage.backend)
    pool = cat([values, flat, identity.reshape(1)])
    grouped = pool[make_tensor(table, int64, backend=a.backend)]
    if reduce in ("sum", "mean"):
        reduced = reduce_sum(grouped, 1)
        if reduce == "mean":
            count = make_tensor(np.maximum(counts, 1), a.dtype, backend=a.backend)
            reduced = div(reduced, count, rounding_mode=None if
                          a.dtype.is_floating_point else "floor")
    elif reduce == "prod":
        reduced = prod(grouped, 1)
    else:
        reduced = (amax if reduce == "amax" else amin)(grouped, 1)
    return IndexPut.apply(flat, reduced, (written,), False).reshape(a.shape)


def _check_reduce(reduce, allowed, op_name):
    if reduce not in allowed:
        raise ValueError(f"{op_name}: reduce must be one of {', '.join(allowed)}, got "
                         f"{reduce!r}")


def scatter_reduce(a, dim, index, src, reduce, *, include_self=True):
    """A copy of a where out[..., index[i], ...] (along dim) is reduced with src[i] for
    every position i of index: reduce is "sum", "prod", "mean", "amax" or "amin", over
    the scattered values and, with include_self, a's own element (positions no index
    names keep a's). As PyTorch: mean of integers rounds down, amax/amin share the
    gradient evenly among the elements equal to the result."""
    _check_reduce(reduce, ("sum", "prod", "mean", "amax", "amin"), "scatter_reduce")
    if not a.shape:
        return scatter_reduce(a.reshape(1), 0, index.reshape(1), src.reshape(1), reduce,
                              include_self=include_self).reshape(())
    dim = layout.normalize_dim(dim, a.ndim, "scatter_reduce")
    key = _scatter_key(a, dim, index, "scatter_reduce")
    _same_backend(a, src, "scatter_reduce")
    if src.ndim != index.ndim or builtins.any(i > s for i, s in zip(index.shape, src.shape)):
        raise ValueError(f"scatter_reduce: index {format_shape(index.shape)} must be no "
                         f"larger than src {format_shape(src.shape)} in any dimension")
    targets = np.ravel_multi_index(np.broadcast_arrays(*key), a.shape).reshape(-1)
    values = src[tuple(slice(0, size) for size in index.shape)].reshape(-1)
    return _reduced_into(a, targets, values, reduce, include_self, "scatter_reduce")


def index_reduce(a, dim, index, source, reduce, *, include_self=True):
    """A copy of a where each slice a[..., index[i], ...] along dim is reduced with
    source[..., i, ...]: reduce is "prod", "mean", "amax" or "amin" (see scatter_reduce);
    index is 1-d int64, source is a with dim's size len(index)."""
    _check_reduce(reduce, ("prod", "mean", "amax", "amin"), "index_reduce")
    if not a.shape:
        return index_reduce(a.reshape(1), 0, index.reshape(-1), source.reshape(-1), reduce,
                            include_self=include_self).reshape(())
    dim, key = _index_key(a, dim, index, "index_reduce")
    _same_backend(a, source, "index_reduce")
    expected = a.shape[:dim] + (key[dim].size,) + a.shape[dim + 1:]
    if source.shape != expected:
        raise ValueError(f"index_reduce: expected source of shape {format_shape(expected)}, "
                         f"got {format_shape(source.shape)}")
    grid = list(np.indices(expected, dtype=np.int64))
    grid[dim] = key[dim][grid[dim]]
    targets = np.ravel_multi_index(grid, a.shape).reshape(-1)
    return _reduced_into(a, targets, source.reshape(-1), reduce, include_self,
                         "index_reduce")


def masked_scatter(a, mask, source):
    """A copy of a (broadcast with the bool mask) whose elements where mask is True take
    source's elements in row-major order; source needs at least that many."""
    if not isinstance(mask, Tensor) or mask.dtype is not bool_:
        found = mask.dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"masked_scatter: expected a bool mask, got {found}")
    _same_backend(a, source, "masked_scatter")
    if source.dtype is not a.dtype:
        raise TypeError(f"masked_scatter: expected source of dtype {a.dtype.name}, got "
                        f"{source.dtype.name}")
    a, mask = broadcast_tensors(a, mask)
    chosen = np.flatnonzero(dispatch.to_numpy(mask))
    if len(chosen) > source.numel():
        raise ValueError(f"masked_scatter: the mask selects {len(chosen)} elements but "
                         f"source has only {source.numel()}")
    written = source.reshape(-1)[:len(chosen)]
    return IndexPut.apply(contiguous(a).reshape(-1), written, (chosen,), False).reshape(a.shape)


def put(a, index, source, accumulate=False):
    """A copy of a, read as 1-d in row-major order, with source's elements written (or,
    with accumulate, added) at the positions of the int64 tensor index (negative ones
    count from the end); source has as many elements as index, and a's dtype."""
    if not isinstance(index, Tensor) or index.dtype is not int64:
        found = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"put: index must be an int64 tensor, got {found}")
    if source.numel() != index.numel():
        raise ValueError(f"put: index has {index.numel()} elements but source has "
                         f"{source.numel()}")
    if source.dtype is not a.dtype:
        raise TypeError(f"put: expected source of dtype {a.dtype.name}, got "
                        f"{source.dtype.name}")
    _same_backend(a, source, "put")
    positions = dispatch.to_numpy(index).reshape(-1)
    size = a.numel()
    outside = positions[(positions < -size) | (positions >= size)]
    if len(outside):
        raise IndexError(f"put: index {outside[0]} is out of range for a tensor of "
                         f"{size} elements")
    return IndexPut.apply(a.reshape(-1), source.reshape(-1), (positions % builtins.max(size, 1),),
                          accumulate).reshape(a.shape)


def _diagonal_filled(a, fill_value, wrap=False):
    """What fill_diagonal_ writes: a with fill_value on its main diagonal (every dim of
    size n for more than 2 dims); wrap continues a tall matrix's diagonal every n + 1
    rows, as PyTorch (and numpy.fill_diagonal)."""
    if a.ndim < 2:
        raise ValueError(f"fill_diagonal_: expected at least 2 dims, got "
                         f"{format_shape(a.shape)}")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise ValueError(f"fill_diagonal_: all dims must have the same size, got "
                         f"{format_shape(a.shape)}")
    _check_scalar(fill_value, "fill_diagonal_")
    check_fill_value(fill_value, a.dtype, "fill_diagonal_")
    step = builtins.sum(layout.contiguous_strides(a.shape))
    positions = np.arange(0, a.numel(), step) if wrap and a.ndim == 2 else \
        np.arange(builtins.min(a.shape)) * step
    value = _scalar_tensor(fill_value, a.dtype, a._storage.backend)
    return IndexPut.apply(a.reshape(-1), value, (positions,), False).reshape(a.shape)


def renorm(a, p, dim, maxnorm):
    """a with each slice along dim (the elements sharing an index of dim) whose p-norm
    exceeds maxnorm scaled to norm maxnorm (by maxnorm / (norm + 1e-7), as PyTorch);
    the others unchanged. Gradients flow through the norms too. Floating point only."""
    _check_floating("renorm", a)
    if not p > 0:
        raise ValueError(f"renorm: p must be positive, got {p}")
    if not maxnorm >= 0:
        raise ValueError(f"renorm: maxnorm must be non-negative, got {maxnorm}")
    if a.ndim == 0:
        raise ValueError("renorm: needs at least 1 dim, got a 0-d tensor")
    dim = layout.normalize_dim(dim, a.ndim, "renorm")
    others = tuple(d for d in range(a.ndim) if d != dim)
    norms = vector_norm(a, p, others, keepdim=True)
    return a * where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)


def _scattered_into_view(a, src, numbered_view, op_name):
    """A copy of a with src written into the view `numbered_view` takes of it: that
    function, applied to a numpy array numbering a's elements in row-major order, gives
    the positions written. Gradients: a's is zero there, src's the gradient read there."""
    positions = numbered_view(np.arange(a.numel()).reshape(a.shape))
    if src.shape != positions.shape:
        raise ValueError(f"{op_name}: expected src of shape {format_shape(positions.shape)}, "
                         f"got {format_shape(src.shape)}")
    if src.dtype is not a.dtype:
        raise TypeError(f"{op_name}: expected src of dtype {a.dtype.name}, got "
                        f"{src.dtype.name}")
    _same_backend(a, src, op_name)
    return IndexPut.apply(a.reshape(-1), src.reshape(-1), (positions.reshape(-1),),
                          False).reshape(a.shape)


def diagonal_scatter(a, src, offset=0, dim1=0, dim2=1):
    """A copy of a with src written into diagonal(a, offset, dim1, dim2)."""
    diagonal(a, offset, dim1, dim2)   # the argument checks
    return _scattered_into_view(
        a, src, lambda numbers: np.diagonal(numbers, offset, layout.normalize_dim(
            dim1, a.ndim, "diagonal_scatter"), layout.normalize_dim(
            dim2, a.ndim, "diagonal_scatter")), "diagonal_scatter")


def select_scatter(a, src, dim, index):
    """A copy of a with src written into select(a, dim, index)."""
    select(a, dim, index)
    dim = layout.normalize_dim(dim, a.ndim, "select_scatter")
    return _scattered_into_view(a, src, lambda numbers: np.take(numbers, index, axis=dim),
                                "select_scatter")


def slice_scatter(a, src, dim=0, start=None, end=None, step=1):
    """A copy of a with src written into a[..., start:end:step, ...] along dim."""
    dim = layout.normalize_dim(dim, a.ndim, "slice_scatter")
    if step <= 0:
        raise ValueError(f"slice_scatter: step must be positive, got {step}")
    key = (slice(None),) * dim + (slice(start, end, step),)
    return _scattered_into_view(a, src, lambda numbers: numbers[key], "slice_scatter")


def split_with_sizes(a, split_sizes, dim=0):
    """a cut along dim into views of the given sizes, which must add up to its size."""
    if isinstance(split_sizes, numbers.Integral):
        raise TypeError("split_with_sizes: split_sizes must be a sequence of ints")
    return split(a, list(split_sizes), dim)


# ---- elementwise predicates and number theory ---------------------------------------------

def isposinf(a):
    """Where a is +inf (never for integers and bools)."""
    return a == math.inf if a.dtype.is_floating_point else zeros_like(a, dtype=bool_)


def isneginf(a):
    """Where a is -inf (never for integers and bools)."""
    return a == -math.inf if a.dtype.is_floating_point else zeros_like(a, dtype=bool_)


def isreal(a):
    """Where a has no imaginary part: everywhere, minitorch having no complex dtypes."""
    return ones_like(a, dtype=bool_)


def signbit(a):
    """Whether each element's sign bit is set (-0.0 counts; see _sign_bit for nan)."""
    return _sign_bit(a) if a.dtype is not bool_ else zeros_like(a, dtype=bool_)


def sgn(a):
    """sign(a): for real tensors (the only ones minitorch has) sgn is sign."""
    return sign(a)


def ldexp(a, other):
    """a * 2 ** other, in floating point (integers promote to the default float)."""
    return mul(a, exp2(other))


def logaddexp2(a, b):
    """log2(2 ** a + 2 ** b) without overflow: max(a, b) + log2(1 + 2 ** -|a - b|);
    equal infinities give themselves. Floating point only, as PyTorch."""
    a, b = _operands(a, b, "logaddexp2")
    _check_floating("logaddexp2", a)
    larger = maximum(a, b)
    result = larger + log1p(exp2(-absolute(a - b))) / math.log(2)
    return where(logical_and(isinf(a), a == b), a, result)


def dist(a, b, p=2):
    """The p-norm of a - b (broadcast), as a 0-d tensor."""
    return vector_norm(sub(a, b), p)


def _check_integers(op_name, a, b):
    for tensor in (a, b):
        if tensor.dtype is not int64:
            raise TypeError(f"{op_name}: expected int64 tensors, got {tensor.dtype.name}")


def gcd(a, b):
    """The non-negative greatest common divisor of a and b (int64, broadcast), by Euclid's
    algorithm run elementwise until every remainder is 0; gcd(0, 0) is 0."""
    a, b = _operands(a, b, "gcd")
    _check_integers("gcd", a, b)
    a, b = broadcast_tensors(absolute(a), absolute(b))
    while bool(any_true(b != 0)):
        nonzero = b != 0
        a, b = where(nonzero, b, a), where(nonzero, remainder(a, where(nonzero, b, 1)), 0)
    return a


def lcm(a, b):
    """The non-negative least common multiple of a and b (int64, broadcast); 0 when
    either is."""
    a, b = _operands(a, b, "lcm")
    _check_integers("lcm", a, b)
    divisor = gcd(a, b)
    return absolute(where(divisor == 0, 0, floor_divide(a, where(divisor == 0, 1, divisor)) * b))


# ---- in-place view ops: they change the tensor's own layout ----------------------------------

def _relaid(view_op, op_name):
    """The in-place form of a view op (squeeze_, t_, ...): self takes the view's layout.
    Not recorded by autograd: a tensor that requires grad is refused in grad mode (the
    graph keeps the layout each node's output had)."""
    def method(self, *args, **kwargs):
        if _grad_enabled[0] and self.requires_grad:
            raise NotImplementedError(f"{op_name}: changing the layout in place of a tensor "
                                      "that requires grad is not supported; use the "
                                      "out-of-place op, or do it under minitorch.no_grad()")
        result = view_op(self, *args, **kwargs)
        self.shape, self._strides, self._offset = result.shape, result._strides, result._offset
        self._compact = None
        # an in-place change as torch counts it: a backward that saved self now raises
        # instead of reading it in its new layout
        self._storage.version += 1
        return self
    method.__name__ = op_name
    method.__doc__ = f"self.{op_name}(...): self takes the layout of the view op's result."
    return method


def matrix_transpose(a, op_name="mH"):
    """a with its last two dims swapped, refused for fewer than 2 dims (Tensor.mH,
    adjoint: minitorch has no complex numbers to conjugate)."""
    if a.ndim < 2:
        raise ValueError(f"{op_name}: needs a matrix or a batch of matrices, got "
                         f"{format_shape(a.shape)}")
    return transpose(a, -2, -1)


def adjoint(a):
    """The matrix transpose of a's last two dims (no conjugate: no complex numbers)."""
    return matrix_transpose(a, "adjoint")


from .creation import empty_strided, logspace, tril_indices, triu_indices  # noqa: E402
from .dtype import can_cast, finfo, iinfo, promote_types  # noqa: E402
from .generator import get_rng_state, seed, set_rng_state  # noqa: E402
from .printing import set_printoptions  # noqa: E402
from .sampling import (_random_integers, bernoulli, cauchy_values,  # noqa: E402
                       exponential_values, geometric_values, log_normal_values, multinomial,
                       normal, poisson, rand_like, randint_like, randn_like)
from .statistics import (aminmax, bincount, corrcoef, cov, cumulative_trapezoid,  # noqa: E402
                         histc, logcumsumexp, nanmean, nanquantile, nansum, quantile,
                         std_mean, trapezoid, var_mean)
from .selection import mode, nanmedian, unique_consecutive  # noqa: E402


def _bernoulli_fill(a, p=0.5, *, generator=None):
    """What bernoulli_ writes: 0 or 1 in a's shape, 1 with probability p."""
    return bernoulli(a, p, generator=generator)


PUBLIC = {  # minitorch.<name> -> function (names PyTorch uses, including builtin ones)
    "sort": sort, "argsort": argsort, "msort": msort, "topk": topk, "kthvalue": kthvalue,
    "median": median, "unique": unique, "nonzero": nonzero, "count_nonzero": count_nonzero,
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "floor_divide": floor_divide, "remainder": remainder,
    "pow": power, "maximum": maximum, "minimum": minimum, "eq": eq, "ne": ne, "lt": lt,
    "le": le, "gt": gt, "ge": ge, "neg": neg, "negative": neg, "abs": absolute, "exp": exp,
    "log": log, "sqrt": sqrt, "sin": sin, "cos": cos, "tanh": tanh, "sigmoid": sigmoid,
    "relu": relu, "sign": sign, "square": square, "rsqrt": rsqrt, "reciprocal": reciprocal,
    "log1p": log1p, "isnan": isnan, "isinf": isinf, "isfinite": isfinite, "clamp": clamp,
    "clip": clip, "where": where, "sum": reduce_sum,
    "mean": mean, "var": var, "std": std, "max": reduce_max, "min": reduce_min,
    "amax": amax, "amin": amin, "argmax": argmax, "argmin": argmin, "logsumexp": logsumexp,
    "softmax": softmax, "log_softmax": log_softmax, "any": any_true, "all": all_true,
    "logical_not": logical_not, "logical_and": logical_and, "logical_or": logical_or,
    "logical_xor": logical_xor, "matmul": matmul, "mm": mm, "reshape": reshape,
    "flatten": flatten, "squeeze": squeeze, "unsqueeze": unsqueeze, "permute": permute,
    "transpose": transpose, "t": t, "broadcast_to": broadcast_to, "cat": cat,
    "concatenate": cat, "stack": stack, "narrow": narrow, "clone": clone,
    "masked_fill": masked_fill, "flip": flip, "chunk": chunk, "split": split,
    "unbind": unbind, "index_select": index_select, "gather": gather, "floor": floor,
    "ceil": ceil, "round": round_half_even, "trunc": trunc, "fix": fix, "log2": log2,
    "log10": log10, "expm1": expm1, "prod": prod, "cumsum": cumsum, "tril": tril,
    "triu": triu, "outer": outer, "ger": outer, "dot": dot, "bmm": bmm, "movedim": movedim,
    "moveaxis": movedim, "swapaxes": transpose, "swapdims": transpose, "isclose": isclose,
    "allclose": allclose, "equal": equal, "norm": norm, "diagonal": diagonal, "trace": trace,
    "lerp": lerp, "roll": roll, "repeat_interleave": repeat_interleave, "exp2": exp2,
    "erf": erf, "cumprod": cumprod, "fmax": fmax, "fmin": fmin,
    # composites (PyTorch compatibility)
    "einsum": einsum, "tensordot": tensordot, "addmm": addmm, "addcmul": addcmul,
    "addcdiv": addcdiv, "clamp_min": clamp_min, "clamp_max": clamp_max, "diff": diff,
    "nan_to_num": nan_to_num, "xlogy": xlogy, "logaddexp": logaddexp, "hypot": hypot,
    "frac": frac, "float_power": float_power, "logit": logit, "tan": tan, "hstack": hstack,
    "vstack": vstack, "dstack": dstack, "column_stack": column_stack,
    "broadcast_tensors": broadcast_tensors, "broadcast_shapes": broadcast_shapes,
    "meshgrid": meshgrid, "tile": tile, "ravel": ravel, "unflatten": unflatten,
    "select": select, "tensor_split": tensor_split, "absolute": absolute, "greater": gt,
    "less": lt, "greater_equal": ge, "less_equal": le, "not_equal": ne, "diag": diag,
    "fliplr": fliplr, "flipud": flipud, "rot90": rot90, "kron": kron, "cross": cross,
    "cdist": cdist, "isin": isin, "argwhere": argwhere, "take_along_dim": take_along_dim,
    "scatter": scatter, "scatter_add": scatter_add, "index_add": index_add,
    "masked_select": masked_select,
    # torch namespace breadth: random sampling, dtype and printing utilities
    "rand_like": rand_like, "randn_like": randn_like, "randint_like": randint_like,
    "normal": normal, "bernoulli": bernoulli, "multinomial": multinomial,
    "poisson": poisson, "get_rng_state": get_rng_state, "set_rng_state": set_rng_state,
    "seed": seed, "finfo": finfo, "iinfo": iinfo, "promote_types": promote_types,
    "result_type": result_type, "can_cast": can_cast, "is_nonzero": is_nonzero,
    "is_same_size": is_same_size, "is_complex": is_complex,
    "set_printoptions": set_printoptions, "logspace": logspace,
    "tril_indices": tril_indices, "triu_indices": triu_indices,
    # statistics, scans, searching
    "std_mean": std_mean, "var_mean": var_mean, "nanmean": nanmean, "nansum": nansum,
    "aminmax": aminmax, "cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp,
    "cov": cov, "corrcoef": corrcoef, "bincount": bincount, "histc": histc,
    "bucketize": bucketize, "searchsorted": searchsorted, "trapezoid": trapezoid,
    "trapz": trapezoid, "cumulative_trapezoid": cumulative_trapezoid,
    # products, shapes, indexing, elementwise
    "mv": mv, "addmv": addmv, "addr": addr, "baddbmm": baddbmm, "addbmm": addbmm,
    "inner": inner, "vdot": vdot, "chain_matmul": chain_matmul,
    "block_diag": block_diag,
    "cartesian_prod": cartesian_prod, "combinations": combinations, "vander": vander,
    "atleast_1d": atleast_1d, "atleast_2d": atleast_2d, "atleast_3d": atleast_3d,
    "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit, "row_stack": vstack,
    "take": take, "index_copy": index_copy, "index_fill": index_fill,
    "diag_embed": diag_embed, "diagflat": diagflat, "unravel_index": unravel_index,
    "deg2rad": deg2rad, "rad2deg": rad2deg, "heaviside": heaviside, "copysign": copysign,
    "sinc": sinc, "rsub": rsub, "positive": positive,
    # inverse trigonometric and hyperbolic functions, fmod, bitwise ops
    "asin": asin, "arcsin": asin, "acos": acos, "arccos": acos, "atan": atan,
    "arctan": atan, "sinh": sinh, "cosh": cosh, "asinh": asinh, "arcsinh": asinh,
    "acosh": acosh, "arccosh": acosh, "atanh": atanh, "arctanh": atanh, "atan2": atan2,
    "arctan2": atan2, "fmod": fmod, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    # quantiles, modes, strided views, scattering reductions, number theory
    "quantile": quantile, "nanquantile": nanquantile, "nanmedian": nanmedian, "mode": mode,
    "as_strided": as_strided, "scatter_reduce": scatter_reduce,
    "index_reduce": index_reduce, "masked_scatter": masked_scatter, "put": put,
    "renorm": renorm, "diagonal_scatter": diagonal_scatter,
    "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "unique_consecutive": unique_consecutive, "split_with_sizes": split_with_sizes,
    "isposinf": isposinf, "isneginf": isneginf, "isreal": isreal, "signbit": signbit,
    "sgn": sgn, "ldexp": ldexp, "logaddexp2": logaddexp2, "dist": dist, "gcd": gcd,
    "lcm": lcm, "adjoint": adjoint, "empty_strided": empty_strided,
    "conj": real_part, "resolve_conj": real_part, "resolve_neg": real_part,
    "conj_physical": real_part, "real": real_part, "imag": imaginary_part,
    "is_conj": is_complex, "is_neg": is_complex,
}

_METHOD_NAMES = (
    "sort", "argsort", "msort", "topk", "kthvalue", "median", "unique", "nonzero",
    "count_nonzero",
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt",
    "ge", "neg", "negative", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
    "relu", "sign", "square", "rsqrt", "reciprocal", "log1p", "isnan", "isinf", "isfinite",
    "clamp", "clip", "sum",
    "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp",
    "softmax", "log_softmax", "any", "all", "logical_not", "logical_and", "logical_or",
    "logical_xor", "matmul", "mm", "reshape", "flatten", "squeeze", "unsqueeze", "permute",
    "transpose", "t", "broadcast_to", "narrow", "clone", "masked_fill", "flip", "chunk",
    "split", "unbind", "index_select", "gather", "floor", "ceil", "round", "trunc", "fix",
    "log2", "log10", "expm1", "prod", "cumsum", "tril", "triu", "outer", "ger", "dot", "bmm",
    "movedim", "moveaxis", "swapaxes", "swapdims", "isclose", "allclose", "equal", "norm",
    "diagonal", "trace", "lerp", "roll", "repeat_interleave", "exp2", "erf", "cumprod",
    "fmax", "fmin",
    "addmm", "addcmul", "addcdiv", "clamp_min", "clamp_max", "diff", "nan_to_num", "xlogy",
    "logaddexp", "hypot", "frac", "float_power", "logit", "tan", "tile", "ravel",
    "unflatten", "select", "tensor_split", "absolute", "greater", "less", "greater_equal",
    "less_equal", "not_equal", "diag", "fliplr", "flipud", "rot90", "kron", "cross",
    "argwhere", "take_along_dim", "scatter", "scatter_add", "index_add", "masked_select",
    "bernoulli", "multinomial", "is_nonzero", "is_same_size", "is_complex", "nanmean",
    "nansum", "aminmax", "cummax", "cummin", "logcumsumexp", "cov", "corrcoef", "bincount",
    "histc", "mv", "addmv", "addr", "baddbmm", "addbmm", "inner", "vdot",
    "hsplit", "vsplit", "dsplit", "take", "index_copy", "index_fill", "diag_embed",
    "diagflat", "deg2rad", "rad2deg", "heaviside", "copysign", "sinc", "positive",
    "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh",
    "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "atan2", "arctan2", "fmod",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",
    "quantile", "nanquantile", "nanmedian", "mode", "as_strided", "scatter_reduce",
    "index_reduce", "masked_scatter", "put", "renorm", "diagonal_scatter", "select_scatter",
    "slice_scatter", "unique_consecutive", "split_with_sizes", "isposinf", "isneginf",
    "isreal", "signbit", "sgn", "ldexp", "logaddexp2", "dist", "gcd", "lcm",
    "conj", "resolve_conj", "resolve_neg", "conj_physical", "is_conj", "is_neg",
)

_INPLACE_OPS = {  # in-place method -> the op it computes out of place and writes into self
    "__iadd__": add, "__isub__": sub, "__imul__": mul, "__itruediv__": div,
    "__ifloordiv__": floor_divide, "__imod__": remainder, "__ipow__": power,
    "__iand__": bitwise_and, "__ior__": bitwise_or, "__ixor__": bitwise_xor,
    "__ilshift__": bitwise_left_shift, "__irshift__": bitwise_right_shift,
    **{name + "_": PUBLIC[name] for name in (
        "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
        "floor_divide", "remainder", "pow", "neg", "negative", "abs", "exp", "log", "sqrt",
        "sin", "cos", "tanh", "sigmoid", "relu", "sign", "square", "rsqrt", "reciprocal",
        "log1p", "clamp", "clip", "masked_fill", "floor", "ceil", "round", "trunc", "fix",
        "log2", "log10", "expm1", "tril", "triu", "lerp", "exp2", "erf", "addmm", "addcmul",
        "addcdiv", "clamp_min", "clamp_max", "nan_to_num", "xlogy", "hypot", "frac", "logit",
        "tan", "absolute", "scatter", "scatter_add", "index_add", "addmv", "addr", "baddbmm",
        "addbmm", "index_copy", "index_fill", "deg2rad", "rad2deg", "copysign", "sinc",
        "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh",
        "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "atan2", "arctan2", "fmod",
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
        "bitwise_right_shift", "scatter_reduce", "index_reduce", "masked_scatter", "put",
        "renorm", "sgn", "ldexp", "logaddexp2", "gcd", "lcm")},
    "float_power_": _float_power_inplace,
    "fill_diagonal_": _diagonal_filled,
    # no derivative; as PyTorch, self stays in the graph with gradient 0
    **{name + "_": _zero_gradient(PUBLIC[name]) for name in (
        "eq", "ne", "lt", "le", "gt", "ge", "logical_not", "logical_and", "logical_or",
        "logical_xor", "greater", "less", "greater_equal", "less_equal", "not_equal",
        "heaviside")},
    "bernoulli_": _zero_gradient(_bernoulli_fill),
    "uniform_": _zero_gradient(_uniform_values), "normal_": _zero_gradient(_normal_values),
    "random_": _zero_gradient(_random_integers),
    "exponential_": _zero_gradient(exponential_values),
    "geometric_": _zero_gradient(geometric_values),
    "cauchy_": _zero_gradient(cauchy_values),
    "log_normal_": _zero_gradient(log_normal_values),
    "cumsum_": _keeping_dtype(cumsum), "cumprod_": _keeping_dtype(cumprod),
}

_SPECIAL_METHODS = {
    "__add__": add, "__radd__": _reflected(add), "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul), "__truediv__": div,
    "__rtruediv__": _reflected(div), "__floordiv__": floor_divide,
    "__rfloordiv__": _reflected(floor_divide), "__mod__": remainder,
    "__rmod__": _reflected(remainder), "__pow__": power, "__rpow__": _reflected(power),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul), "__neg__": neg,
    "__pos__": positive,
    "__abs__": absolute, "__invert__": bitwise_not, "__eq__": eq, "__ne__": ne, "__lt__": lt,
    "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": bitwise_and, "__rand__": _reflected(bitwise_and), "__or__": bitwise_or,
    "__ror__": _reflected(bitwise_or), "__xor__": bitwise_xor,
    "__rxor__": _reflected(bitwise_xor), "__lshift__": bitwise_left_shift,
    "__rlshift__": _reflected(bitwise_left_shift), "__rshift__": bitwise_right_shift,
    "__rrshift__": _reflected(bitwise_right_shift),
    "__getitem__": getitem, "__setitem__": setitem,
    **{name: _inplace(function, name) for name, function in _INPLACE_OPS.items()},
    "fill_": fill_, "copy_": copy_, "index_put_": index_put_,
    "view": view, "view_as": view_as, "reshape_as": reshape_as, "expand": expand,
    "expand_as": expand_as, "contiguous": contiguous, "sum_to_shape": sum_to_shape,
    "where": _where_method, "__format__": tensor_format, "new_zeros": new_zeros,
    "new_ones": new_ones, "new_full": new_full, "new_tensor": new_tensor, "repeat": repeat,
    "new_empty": new_empty, "sum_to_size": sum_to_size, "nelement": Tensor.numel,
    "ndimension": Tensor.dim, "unfold": unfold, "adjoint": adjoint,
    "real": property(real_part), "imag": property(imaginary_part),
    "squeeze_": _relaid(squeeze, "squeeze_"), "unsqueeze_": _relaid(unsqueeze, "unsqueeze_"),
    "t_": _relaid(t, "t_"), "transpose_": _relaid(transpose, "transpose_"),
    "swapaxes_": _relaid(transpose, "swapaxes_"), "swapdims_": _relaid(transpose, "swapdims_"),
}

for _name in _METHOD_NAMES:
    setattr(Tensor, _name, PUBLIC[_name])
for _name, _function in _SPECIAL_METHODS.items():
    setattr(Tensor, _name, _function)
