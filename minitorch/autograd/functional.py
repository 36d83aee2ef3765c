"""torch.autograd.functional: derivatives of a whole function of tensors, built on
`grad`: vector-Jacobian and Jacobian-vector products, the Jacobian, the Hessian and its
products with a vector.

`func` takes the tensors of `inputs` (a Tensor or a tuple of Tensors) as positional
arguments and returns a Tensor or a tuple of Tensors. Results mirror those structures
as PyTorch's do: a product has the structure of what it is a gradient of, a Jacobian is
indexed [output][input] (each level dropped where that side was a single Tensor) and
each block has shape output.shape + input.shape. Inputs are detached first (with
create_graph=True, one that requires grad stays in its graph instead), and results are
detached unless create_graph=True asks for a graph through them. With strict=True, an
output independent of an input is an error instead of a zero block. jvp and hvp use the
"double backward" trick (the gradient of a vector-Jacobian product w.r.t. the vector),
so func must be differentiable twice (hvp: three times).
"""
from .engine import grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled


def _as_tuple(value, what, caller):
    """(whether value was a tuple, value as a tuple), each entry checked to be a Tensor."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for index, entry in enumerate(values):
        if not hasattr(entry, "_storage"):
            raise TypeError(f"{caller}(): the {what} must be a Tensor or a tuple of Tensors, "
                            f"but the value at index {index} has type {type(entry).__name__}")
    return is_tuple, values


def _prepare(tensors, create_graph, need_graph):
    """tensors cut from their graphs (requiring grad if need_graph), except that with
    create_graph one requiring grad stays in its graph, as a new tensor."""
    return tuple([t.view_as(t) if create_graph and t.requires_grad else
                  t.detach().requires_grad_(need_graph) for t in tensors])


def _finish(results, create_graph):
    """results (nested tuples of tensors) detached unless create_graph."""
    if isinstance(results, tuple):
        return tuple(_finish(entry, create_graph) for entry in results)
    return results if create_graph else results.detach()


def _unpack(results, was_tuple):
    """results with the levels whose side was a single Tensor dropped: was_tuple is a
    bool for a flat tuple, or (outputs were, inputs were) for a Jacobian's nesting."""
    if isinstance(was_tuple, tuple):
        outputs_were, inputs_were = was_tuple
        if not inputs_were:
            results = tuple(row[0] for row in results)
        return results if outputs_were else results[0]
    return results if was_tuple else results[0]


def _check_v(v, reference, reference_is_tuple, caller):
    if len(v) != len(reference):
        raise RuntimeError(f"{caller}(): v is a tuple of invalid length: should be "
                           f"{len(reference)} but got {len(v)}")
    for index, (entry, ref) in enumerate(zip(v, reference)):
        if entry.shape != ref.shape:
            where = f"entry {index} in v" if reference_is_tuple else "v"
            raise RuntimeError(f"{caller}(): {where} has invalid size: should be "
                               f"{tuple(ref.shape)} but got {tuple(entry.shape)}")


_INDEPENDENT = {  # what strict mode refuses, by the kind of tensors checked
    "outputs": "output {i} of the user-provided function does not require gradients; in "
               "strict mode the outputs must be computed differentiably from the inputs",
    "grad_inputs": "the gradient with respect to input {i} is independent of the inputs "
                   "of the user-provided function",
    "jacobian": "the jacobian of the user-provided function with respect to input {i} is "
                "independent of the input",
    "hessian": "the hessian of the user-provided function with respect to input {i} is "
               "independent of the input; the function must be thrice differentiable",
}


def _check_requires_grad(tensors, kind, strict, caller):
    """In strict mode, refuse a None (a result independent of input i) or a tensor that
    does not require grad among tensors."""
    if not strict:
        return
    for i, tensor in enumerate(tensors):
        if tensor is None:
            raise RuntimeError(f"{caller}(): the output of the user-provided function is "
                               f"independent of input {i}; this is not allowed in strict mode")
        if not tensor.requires_grad:
            raise RuntimeError(f"{caller}(): {_INDEPENDENT[kind].format(i=i)}; this is not "
                               "allowed in strict mode")


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """grad() of the outputs that require grad (None for an input no output reaches)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs)
             if out is not None and out.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(tuple(out for out, _ in pairs), inputs, tuple(g for _, g in pairs),
                retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads, references, strict, caller):
    """grads with each None replaced by zeros shaped as its reference (refused in strict
    mode: that output does not depend on that input)."""
    filled = []
    for i, (gradient, reference) in enumerate(zip(grads, references)):
        if gradient is None:
            if strict:
                raise RuntimeError(f"{caller}(): the output of the user-provided function "
                                   f"is independent of input {i}; this is not allowed in "
                                   "strict mode")
            gradient = reference.new_zeros(reference.shape)
        filled.append(gradient)
    return tuple(filled)


def _single_element_v(v, tensors, what, caller):
    """v as a tuple checked against tensors; None only for one one-element tensor."""
    if v is None:
        if len(tensors) != 1 or tensors[0].numel() != 1:
            raise RuntimeError(f"{caller}(): the vector v can only be None if the {what} is "
                               "a single Tensor with a single element")
        return None
    return _as_tuple(v, "v", caller)[1]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the gradient of the outputs weighted by v (None for one
    one-element output) w.r.t. each input."""
    with enable_grad():
        inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_were_tuple, outputs = _as_tuple(func(*inputs), "outputs of the "
                                                "user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict, "vjp")
        v = _single_element_v(v, outputs, "output of the user-provided function", "vjp")
        if v is not None:
            v = _prepare(v, create_graph, need_graph=False)
            _check_v(v, outputs, outputs_were_tuple, "vjp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(outputs, inputs, v, create_graph), inputs,
                                   strict, "vjp")
    return (_unpack(_finish(outputs, create_graph), outputs_were_tuple),
            _unpack(_finish(products, create_graph), inputs_were_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the directional derivative of each output along v (one
    tensor per input; None for one one-element input)."""
    with enable_grad():
        inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _single_element_v(v, inputs, "input to the user-provided function", "jvp")
        if v is not None:
            v = _prepare(v, create_graph, need_graph=False)
            _check_v(v, inputs, inputs_were_tuple, "jvp")
        outputs_were_tuple, outputs = _as_tuple(func(*inputs), "outputs of the "
                                                "user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict, "jvp")
        # u -> u^T J is linear in u; its gradient w.r.t. u along v is J v
        dummies = tuple(out.new_zeros(out.shape).requires_grad_() for out in outputs)
        vector_jacobian = _grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(vector_jacobian, "grad_inputs", strict, "jvp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(vector_jacobian, dummies, v, create_graph),
                                   outputs, strict, "jvp")
    return (_unpack(_finish(outputs, create_graph), outputs_were_tuple),
            _unpack(_finish(products, create_graph), outputs_were_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs, one backward pass per output element.

    vectorize=True is a speed hint in PyTorch (one batched pass); minitorch accepts it and
    computes the same values row by row. strategy="forward-mode" is accepted under
    PyTorch's conditions (vectorize=True, create_graph=False) and also gives the same
    values from the same row-by-row reverse passes."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(f"jacobian(): expected strategy to be either 'forward-mode' or "
                         f"'reverse-mode', got {strategy!r}")
    if strategy == "forward-mode":
        if not vectorize:
            raise NotImplementedError("jacobian(): strategy='forward-mode' (and a "
                                      "forward-over-reverse hessian) is only implemented "
                                      "for vectorize=True")
        if create_graph:
            raise NotImplementedError("jacobian(): create_graph=True and strategy="
                                      "'forward-mode' are not supported together; use "
                                      "strategy='reverse-mode'")
    from ..functions import stack   # the op modules import autograd
    with enable_grad():
        inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_were_tuple, outputs = _as_tuple(func(*inputs), "outputs of the "
                                                "user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict, "jacobian")
        blocks = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]   # rows[j]: d out.flat[k] / d inputs[j], over k
            flat = out.reshape(-1)
            for k in range(out.numel()):
                gradients = _grad((flat[k],), inputs, retain_graph=True,
                                  create_graph=create_graph)
                for j, (gradient, given) in enumerate(zip(gradients, inputs)):
                    if gradient is None:
                        if strict:
                            raise RuntimeError(
                                f"jacobian(): output {i} of the user-provided function is "
                                f"independent of input {j}; this is not allowed in strict "
                                "mode")
                        gradient = given.new_zeros(given.shape)
                    elif strict and create_graph and not gradient.requires_grad:
                        raise RuntimeError(
                            f"jacobian(): the jacobian of the user-provided function is "
                            f"independent of input {j}; this is not allowed in strict mode "
                            "when create_graph=True")
                    rows[j].append(gradient)
            blocks.append(tuple(
                stack(rows_j).reshape(tuple(out.shape) + tuple(given.shape)) if rows_j
                else given.new_zeros(tuple(out.shape) + tuple(given.shape))
                for rows_j, given in zip(rows, inputs)))
    return _unpack(_finish(tuple(blocks), create_graph),
                   (outputs_were_tuple, inputs_were_tuple))


def _scalar_output(func, caller, strict):
    """func, checked to return one one-element Tensor."""
    def checked(*inputs):
        output = func(*inputs)
        was_tuple, outputs = _as_tuple(output, "outputs of the user-provided function",
                                       caller)
        _check_requires_grad(outputs, "outputs", strict, caller)
        if was_tuple:
            raise RuntimeError(f"{caller}(): the function should return a single Tensor")
        if output.numel() != 1:
            raise RuntimeError(f"{caller}(): the Tensor returned by the function should "
                               f"contain a single element, got shape {tuple(output.shape)}")
        return output
    return checked


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of func (returning one one-element Tensor) at inputs: the Jacobian of
    its gradient, indexed [input][input] for a tuple of inputs."""
    inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    scalar = _scalar_output(func, "hessian", strict)

    def gradient(*values):
        jac = jacobian(lambda *x: scalar(*x).reshape(()), values, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict, "hessian")
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(result, (inputs_were_tuple, inputs_were_tuple))


def _gradient_of_scalar(func, inputs, v, create_graph, strict, caller):
    """(inputs prepared, v checked, outputs, the gradient of the scalar output w.r.t.
    the inputs with a graph), shared by vhp and hvp."""
    inputs_were_tuple, inputs = _as_tuple(inputs, "inputs", caller)
    inputs = _prepare(inputs, create_graph, need_graph=True)
    v = _single_element_v(v, inputs, "input to the user-provided function", caller)
    if v is not None:
        v = _prepare(v, create_graph, need_graph=False)
        _check_v(v, inputs, inputs_were_tuple, caller)
    output = _scalar_output(func, caller, strict)(*inputs)
    gradients = _grad((output,), inputs, create_graph=True)
    _check_requires_grad(gradients, "jacobian", strict, caller)
    return inputs_were_tuple, inputs, v, output, gradients


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for func returning one one-element Tensor."""
    with enable_grad():
        inputs_were_tuple, inputs, v, output, gradients = _gradient_of_scalar(
            func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(gradients, inputs, v, create_graph), inputs,
                                   strict, "vhp")
    return (_finish(output, create_graph),
            _unpack(_finish(products, create_graph), inputs_were_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for func returning one one-element Tensor."""
    with enable_grad():
        inputs_were_tuple, inputs, v, output, gradients = _gradient_of_scalar(
            func, inputs, v, create_graph, strict, "hvp")
        # u -> u^T H is linear in u; its gradient w.r.t. u along v is H v
        dummies = tuple(t.new_zeros(t.shape).requires_grad_() for t in inputs)
        vector_hessian = _grad(gradients, inputs, dummies, create_graph=True)
        _check_requires_grad(vector_hessian, "hessian", strict, "hvp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        products = _zeros_for_none(_grad(vector_hessian, dummies, v, create_graph),
                                   inputs, strict, "hvp")
    return (_finish(output, create_graph),
            _unpack(_finish(products, create_graph), inputs_were_tuple))
