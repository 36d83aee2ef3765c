"""gradcheck and gradgradcheck: a function's gradients from the backward pass against
central finite differences, as torch.autograd.gradcheck: its slow mode compares full
Jacobians (one perturbation per input element), its fast mode one random projection
v^T J u of each Jacobian (one perturbation along u, one backward weighted by v)."""
import warnings

from .engine import grad
from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    """A Jacobian from backward differs from the finite-difference one."""


def _tensor_tuple(values):
    return values if isinstance(values, tuple) else (values,)


def _float_outputs(func, inputs):
    """func(*inputs)'s floating point tensors, as a tuple."""
    return tuple(out for out in _tensor_tuple(func(*inputs))
                 if hasattr(out, "_storage") and out.dtype.is_floating_point)


def _numerical_jacobians(func, inputs, position, eps, outputs):
    """For each of the float outputs, d output / d inputs[position] by central
    differences: a (input numel, output numel) tensor, one row per perturbed element."""
    given = inputs[position]
    if given.numel() == 0:
        return [given.new_zeros((0, output.numel())) for output in outputs]
    columns = []
    for k in range(given.numel()):
        values = []
        for step in (eps, -eps):
            with no_grad():
                shifted = given.detach().clone()
                flat = shifted.reshape(-1)   # a view: shifted is contiguous
                flat[k] = flat[k] + step
            # func runs with grad mode as the caller has it (gradgradcheck's calls grad)
            changed = inputs[:position] + (shifted.requires_grad_(given.requires_grad),) \
                + inputs[position + 1:]
            values.append([out.detach() for out in _float_outputs(func, changed)])
        columns.append([((plus - minus) / (2 * eps)).reshape(-1)
                        for plus, minus in zip(*values)])
    from ..functions import stack   # the op modules import autograd
    return [stack([column[i] for column in columns]) for i in range(len(columns[0]))]


def _shifted(inputs, position, step):
    """inputs with inputs[position] replaced by a copy moved by step (a tensor of its
    shape), requiring grad as the original does."""
    given = inputs[position]
    with no_grad():
        shifted = given.detach() + step
    return inputs[:position] + (shifted.requires_grad_(given.requires_grad),) \
        + inputs[position + 1:]


def _unit_random(like):
    """A random vector of like's shape and dtype, entries in [0, 1), of norm 1 (from
    minitorch's seeded generator)."""
    from ..creation import rand
    vector = rand(like.shape, dtype=like.dtype, backend=like.backend)
    return vector / vector.pow(2).sum().sqrt()


def _fast_mismatch(func, inputs, position, outputs, eps, atol, rtol):
    """Fast mode for one input: for each float output, v^T J u from backward against
    v^T (J u), J u by central differences along u (u and v random unit vectors). The
    tolerance atol is scaled by sum(u) sum(v), what an atol per entry of J allows for the
    projection. Returns (output index, numerical, analytical) of the first mismatch, or
    None."""
    given = inputs[position]
    direction = _unit_random(given)
    plus = _float_outputs(func, _shifted(inputs, position, direction * eps))
    minus = _float_outputs(func, _shifted(inputs, position, direction * -eps))
    for index, output in enumerate(outputs):
        weights = _unit_random(output)
        jacobian_u = (plus[index].detach() - minus[index].detach()) / (2 * eps)
        numerical = float((jacobian_u.to(output.dtype) * weights).sum())
        gradient, = grad(output, given, weights, retain_graph=True, allow_unused=True)
        analytical = 0.0 if gradient is None else float((gradient * direction).sum())
        tolerance = atol * float(direction.sum()) * float(weights.sum())
        if abs(analytical - numerical) > tolerance + rtol * abs(numerical):
            return index, numerical, analytical
    return None


def _analytical_jacobian(outputs, given):
    """d output / d given from backward, one pass per output element, with the
    numerical Jacobian's layout."""
    from ..functions import stack
    flat = outputs.reshape(-1)
    rows = []
    for k in range(outputs.numel()):
        gradient, = grad(flat[k], given, retain_graph=True, allow_unused=True)
        rows.append(given.new_zeros(given.shape).reshape(-1) if gradient is None
                    else gradient.reshape(-1))
    return stack(rows).T if rows else given.new_zeros((given.numel(), 0))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_backward_ad=True, fast_mode=False,
              check_forward_ad=False, check_batched_grad=False):
    """True when, for every floating output of func(*inputs) and every input tensor that
    requires grad, the Jacobian backward computes is within atol + rtol * |numerical|
    of the central-difference one (inputs perturbed by +-eps). Otherwise raises
    GradcheckError naming the output and input and showing both Jacobians, or returns
    False with raise_exception=False. fast_mode=True compares one random projection
    v^T J u of each Jacobian instead (see _fast_mismatch), as torch's fast mode. Meant
    for float64 inputs (others warn: their rounding swamps the differences). Each
    Jacobian from backward is computed twice (slow mode), and the two must agree within
    nondet_tol (backward must be reentrant). check_backward_ad=False checks nothing
    (refused: minitorch has no forward-mode check to run instead)."""
    if not check_backward_ad:
        raise ValueError("gradcheck(): expected at least one of check_forward_ad or "
                         "check_backward_ad to be True (minitorch checks backward only)")
    for option, value in (("check_forward_ad", check_forward_ad),
                          ("check_batched_grad", check_batched_grad)):
        if value:
            raise NotImplementedError(f"gradcheck(): {option}=True is not supported")
    inputs = _tensor_tuple(inputs)
    checked = [position for position, value in enumerate(inputs)
               if hasattr(value, "_storage") and value.requires_grad]
    if not checked:
        raise ValueError("gradcheck(): expected at least one input tensor to require grad")
    for position in checked:
        given = inputs[position]
        if given.numel() and any(stride == 0 and size > 1
                                 for size, stride in zip(given.shape, given.stride())):
            raise RuntimeError(f"gradcheck(): input {position} has a dimension with stride 0 "
                               "(an expanded tensor): its elements share memory, so they "
                               "cannot be perturbed one at a time; pass .contiguous()")
        if given.dtype.name != "float64":
            warnings.warn(f"gradcheck(): input {position} requires grad and is "
                          f"{given.dtype.name}, not float64; the check will "
                          "likely fail", UserWarning, stacklevel=2)
    outputs = _float_outputs(func, inputs)
    for position in checked:
        if fast_mode:
            mismatch = _fast_mismatch(func, inputs, position, outputs, eps, atol, rtol)
            if mismatch is None:
                continue
            if not raise_exception:
                return False
            index, numerical, analytical = mismatch
            raise GradcheckError(
                f"gradcheck(): Jacobian mismatch for output {index} with respect to "
                f"input {position} (fast mode, the projection v^T J u),\n"
                f"numerical:{numerical}\nanalytical:{analytical}\n")
        numerical = _numerical_jacobians(func, inputs, position, eps, outputs)
        for index, output in enumerate(outputs):
            analytical = _analytical_jacobian(output, inputs[position])
            again = _analytical_jacobian(output, inputs[position])
            if not bool(((again - analytical).abs() <= nondet_tol).all()):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"gradcheck(): backward is not reentrant for output {index} with "
                    f"respect to input {position}: two passes gave Jacobians further "
                    f"apart than nondet_tol={nondet_tol},\nfirst:{analytical}\n"
                    f"second:{again}\n")
            expected = numerical[index].to(analytical.dtype)
            within = (analytical - expected).abs() <= atol + rtol * expected.abs()
            if not bool(within.all()):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"gradcheck(): Jacobian mismatch for output {index} with respect to "
                    f"input {position},\nnumerical:{expected}\nanalytical:{analytical}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, nondet_tol=0.0, fast_mode=False):
    """gradcheck of the gradients of func: the function from (inputs, grad_outputs) to
    the vector-Jacobian products of func's float outputs weighted by grad_outputs (by
    default random normal ones that require grad), computed with create_graph=True.
    nondet_tol and fast_mode as in gradcheck."""
    from ..creation import randn
    inputs = _tensor_tuple(inputs)
    outputs = _float_outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(randn(out.shape, dtype=out.dtype, requires_grad=True)
                             for out in outputs)
    grad_outputs = _tensor_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"gradgradcheck(): got {len(grad_outputs)} grad_outputs for "
                           f"{len(outputs)} outputs")
    count = len(inputs)
    differentiated = [position for position, value in enumerate(inputs)
                      if hasattr(value, "_storage") and value.requires_grad]

    def vector_jacobian_products(*values):
        outputs = _float_outputs(func, values[:count])
        products = grad(outputs, [values[p] for p in differentiated], values[count:],
                        create_graph=True, allow_unused=True)
        return tuple(product for product in products if product is not None)

    return gradcheck(vector_jacobian_products, inputs + grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     fast_mode=fast_mode)
