"""torch.func for minitorch: function transforms built on reverse-mode autograd.

`grad`, `grad_and_value`, `vjp`, `jvp`, `jacrev`, `jacfwd` and `hessian` take a function
of tensors and return a function computing its derivatives; `vmap` maps a function over
a dimension of its inputs; `functional_call` runs a module with other tensors in place
of its parameters and buffers (nn.utils.stateless).

How they differ from torch's, which are functorch's "levels" of wrapped tensors:

* Derivatives come from the ordinary autograd graph. Each transform cuts its inputs
  from their graphs and differentiates with respect to the cut copies, so a transform
  only sees its own inputs. Its results carry a graph (create_graph) only when something
  outside needs one: an enclosing transform, or an input that already required grad.
  So grad(grad(f)), jacfwd(jacrev(f)) and vmap(grad(f)) compose, and the results of an
  outermost transform on plain tensors do not require grad. A tensor that f closes over
  is not an input: gradients through it reach outside only inside an enclosing
  transform, not through a top-level call.
* jvp and jacfwd are forward-mode in value but computed with the "double backward"
  trick of autograd.functional.jvp, one Jacobian column per input element.
* vmap is an honest loop: func runs once per index of the mapped dimension on the
  selected slices, and the outputs are stacked. It is not a batching compiler, so it is
  as fast as that loop; what it gives is torch.vmap's interface and semantics (in_dims,
  out_dims, randomness, the errors).

Arguments that transforms differentiate or map may be pytrees: tuples, lists and dicts
nested in any way, with Tensors at the leaves.
"""
import contextlib

from .autograd import enable_grad, functional as autograd_functional, is_grad_enabled
from .autograd.functional import _check_v, _grad, _prepare, _zeros_for_none
from .creation import eye
from .functions import stack
from .generator import default_generator
from .nn.utils.stateless import _functional_call
from .tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev",
           "jacfwd", "hessian", "vmap"]

_RANDOMNESS = ("error", "different", "same")
_transform_depth = 0   # how many derivative transforms are running (enclosing this call)


# ---- pytrees: tuples, lists and dicts of leaves -----------------------------------------

def _flatten(tree):
    """(the leaves of tree in order, its structure for _unflatten). Exact tuples, lists
    and dicts are containers; anything else (a Tensor, a number, None) is a leaf."""
    if isinstance(tree, dict):
        kind, keys, children = dict, list(tree), list(tree.values())
    elif type(tree) in (tuple, list):
        kind, keys, children = type(tree), None, tree
    else:
        return [tree], None
    flat = [_flatten(child) for child in children]
    return ([leaf for leaves, _ in flat for leaf in leaves],
            (kind, keys, [spec for _, spec in flat]))


def _unflatten(spec, leaves):
    """The tree of structure spec whose leaves, in order, are leaves."""
    remaining = iter(leaves)

    def build(node):
        if node is None:
            return next(remaining)
        kind, keys, children = node
        values = [build(child) for child in children]
        return dict(zip(keys, values)) if kind is dict else kind(values)

    return build(spec)


def _spec_text(spec):
    """A structure written with * for each leaf, for error messages."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    inner = ", ".join(f"{key!r}: {_spec_text(child)}" if keys is not None else
                      _spec_text(child) for key, child in zip(keys or children, children))
    return {dict: "{%s}", list: "[%s]"}.get(kind, "(%s)") % inner


def _broadcast(prefix, tree, mismatch):
    """prefix's entry for each leaf of tree: a leaf of prefix (an int or None) stands
    for the whole subtree below it; mismatch() is raised where the structures differ
    (a tuple and a list differ, as in torch's pytrees)."""
    if prefix is None or isinstance(prefix, int):
        return [prefix] * len(_flatten(tree)[0])
    if type(prefix) in (tuple, list) and type(prefix) is type(tree) and \
            len(prefix) == len(tree):
        return [entry for sub, child in zip(prefix, tree)
                for entry in _broadcast(sub, child, mismatch)]
    if isinstance(prefix, dict) and isinstance(tree, dict) and set(prefix) == set(tree):
        return [entry for key in tree for entry in _broadcast(prefix[key], tree[key], mismatch)]
    raise mismatch()


def _detached(tree, keep_graph):
    """tree with every Tensor leaf detached, unless keep_graph."""
    if keep_graph:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten(spec, [leaf.detach() if isinstance(leaf, Tensor) else leaf
                             for leaf in leaves])


# ---- what the derivative transforms share -----------------------------------------------

@contextlib.contextmanager
def _inside_transform():
    """Marks the block as running inside a derivative transform, so that transforms
    nested in it keep the graph of their results for this one."""
    global _transform_depth
    _transform_depth += 1
    try:
        yield
    finally:
        _transform_depth -= 1


def _needs_graph(tensors):
    """Whether results computed from tensors must carry a graph: an enclosing transform
    differentiates them, or one of tensors is tracked by autograd outside."""
    return _transform_depth > 0 or (is_grad_enabled() and
                                    any(tensor.requires_grad for tensor in tensors))


def _tensor_leaves(tree, caller, error=ValueError,
                   complaint="Thing passed to transform API must be Tensor"):
    """(leaves, structure) of tree, each leaf checked to be a Tensor (error otherwise,
    with torch's complaint)."""
    leaves, spec = _flatten(tree)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise error(f"{caller}: {complaint}, got {type(leaf)}")
    return leaves, spec


def _tensor_outputs(output, caller):
    """(leaves, structure) of func's output, each leaf checked to be a Tensor."""
    return _tensor_leaves(output, caller, RuntimeError,
                          "Expected f to be a function that has Tensor outputs")


def _positions(argnums, count):
    """argnums (an int or a non-empty tuple of distinct ints) as non-negative positions
    into count positional arguments; torch's RuntimeError otherwise."""
    if isinstance(argnums, int):
        numbers = (argnums,)
    elif isinstance(argnums, tuple) and all(isinstance(n, int) for n in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        numbers = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for number in numbers:
        if not -count <= number < count:
            raise RuntimeError(f"Got argnum={number}, but only {count} positional inputs")
    positions = tuple(number % count for number in numbers)
    if len(set(positions)) != len(positions):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return positions


class _Differentiated:
    """The arguments at argnums of one call, flattened: `leaves` are the tensors to
    differentiate with respect to, `with_leaves(new)` the call's arguments with new
    tensors in their place, `group(values)` values (one per leaf) arranged as the
    argnums arguments are (one tree for an int argnums, a tuple of trees otherwise)."""

    def __init__(self, args, argnums, caller):
        self.args = args
        self.argnums = argnums
        self.positions = _positions(argnums, len(args))
        flat = [_tensor_leaves(args[position], caller) for position in self.positions]
        self.specs = [spec for _, spec in flat]
        self.counts = [len(leaves) for leaves, _ in flat]
        self.leaves = [leaf for leaves, _ in flat for leaf in leaves]

    def _trees(self, values):
        trees, start = [], 0
        for spec, count in zip(self.specs, self.counts):
            trees.append(_unflatten(spec, values[start:start + count]))
            start += count
        return trees

    def with_leaves(self, new):
        args = list(self.args)
        for position, tree in zip(self.positions, self._trees(list(new))):
            args[position] = tree
        return args

    def group(self, values):
        trees = self._trees(list(values))
        return trees[0] if isinstance(self.argnums, int) else tuple(trees)


def _split_aux(output, has_aux, caller):
    """(output, aux) when has_aux (output must then be such a pair, aux a pytree of
    Tensors), else (output, None)."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{caller}: output of function f should be a tuple: "
                           "(output, aux) if has_aux is True")
    for leaf in _flatten(output[1])[0]:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"{caller}: the aux output must hold Tensors only: Expected "
                               f"tensors, got unsupported type {type(leaf)}")
    return output


# ---- functional_call ---------------------------------------------------------------------

def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """module(*args, **kwargs) with the given tensors in place of its parameters and
    buffers ({dotted name: Tensor}, or a tuple/list of such dicts with distinct keys);
    see nn.utils.stateless for tie_weights, strict and the restoring of the module's own
    tensors."""
    if isinstance(parameter_and_buffer_dicts, dict):
        merged = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (tuple, list)):
        if not all(isinstance(entry, dict) for entry in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        merged, repeated = {}, []
        for entry in parameter_and_buffer_dicts:
            repeated += [key for key in entry if key in merged and key not in repeated]
            merged.update(entry)
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple "
                         f"of dicts, but got {type(parameter_and_buffer_dicts)}")
    return _functional_call(module, merged, args, kwargs, tie_weights=tie_weights,
                            strict=strict)


# ---- reverse mode ------------------------------------------------------------------------

def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient, value) of func: value = func(*args) must be a 0-d
    Tensor; the gradient w.r.t. args[argnums] has the structure of those arguments (a
    tuple over argnums when it is a tuple), zeros where value does not depend on a
    tensor. With has_aux, func returns (value, aux) and the result is
    (gradient, (value, aux))."""
    caller = "grad_and_value(f)(*args)"

    def wrapper(*args, **kwargs):
        differentiated = _Differentiated(args, argnums, caller)
        keep_graph = _needs_graph(differentiated.leaves)
        with enable_grad(), _inside_transform():
            inputs = _prepare(differentiated.leaves, keep_graph, need_graph=True)
            output, aux = _split_aux(func(*differentiated.with_leaves(inputs), **kwargs),
                                     has_aux, caller)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{caller}: Expected f(*args) to return a Tensor, got "
                                   f"{type(output)}")
            if output.ndim != 0:
                raise RuntimeError(f"{caller}: Expected f(*args) to return a scalar Tensor, "
                                   f"got tensor with {output.ndim} dims. Maybe you wanted to "
                                   "use the vjp or jacrev APIs instead?")
            gradients = _zeros_for_none(_grad((output,), inputs, create_graph=keep_graph),
                                        inputs, False, "grad")
        gradients = differentiated.group(_detached(list(gradients), keep_graph))
        value = _detached(output, keep_graph)
        if has_aux:
            return gradients, (value, _detached(aux, keep_graph))
        return gradients, value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of func (see grad_and_value) w.r.t.
    args[argnums]; with has_aux, (gradient, aux)."""
    with_value = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        gradients, value = with_value(*args, **kwargs)
        return (gradients, value[1]) if has_aux else gradients

    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn) (with has_aux: (output, vjp_fn, aux)). vjp_fn(cotangents),
    cotangents shaped as the output (same structure, same shapes), returns the
    cotangent-weighted gradient w.r.t. each primal as a tuple shaped as primals; it may
    be called several times."""
    caller = "vjp(f, *primals)"
    leaves, primals_spec = _tensor_leaves(primals, caller)
    keep_graph = _needs_graph(leaves)
    with enable_grad(), _inside_transform():
        inputs = _prepare(leaves, keep_graph, need_graph=True)
        output, aux = _split_aux(func(*_unflatten(primals_spec, inputs)), has_aux, caller)
    outputs, output_spec = _tensor_outputs(output, caller)

    def vjp_fn(cotangents):
        weights, weights_spec = _tensor_leaves(cotangents, "vjp_fn(cotangents)", TypeError,
                                               "gradients can be either Tensors or None")
        if weights_spec != output_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function. cotangents: "
                               f"{_spec_text(weights_spec)}, primal output: "
                               f"{_spec_text(output_spec)}")
        _check_v(weights, outputs, True, "vjp_fn")
        graph = keep_graph or _needs_graph(weights)
        with enable_grad(), _inside_transform():
            products = _zeros_for_none(_grad(outputs, inputs, weights, create_graph=graph,
                                             retain_graph=True), inputs, False, "vjp")
        return _unflatten(primals_spec, _detached(list(products), graph))

    output = _detached(output, keep_graph)
    if has_aux:
        return output, vjp_fn, _detached(aux, keep_graph)
    return output, vjp_fn


def _flat_outputs(call, has_aux, caller, record):
    """call (tensors -> func's output) as a function of flat tensors returning a flat
    tuple of tensors; record(structure, aux) is told the structure of func's output
    (and its aux) on each call."""
    def flat(*tensors):
        output, aux = _split_aux(call(tensors), has_aux, caller)
        outputs, spec = _tensor_outputs(output, caller)
        record(spec, aux)
        return tuple(outputs)
    return flat


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J tangents) (with has_aux: (output, jvp_out, aux)): the derivative
    of each output along tangents, which has the structure and shapes of primals (a
    tuple). strict is autograd.functional.jvp's."""
    caller = "jvp(f, primals, tangents)"
    for name, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise RuntimeError(f"{caller}: Expected {name} to be a tuple. E.g. it should be "
                               "valid to call f(*primals).")
    leaves, primals_spec = _tensor_leaves(primals, caller, RuntimeError,
                                          "Expected primals to only contain Tensors")
    directions, tangents_spec = _tensor_leaves(tangents, caller, RuntimeError,
                                               "Expected tangents to only contain Tensors")
    if tangents_spec != primals_spec:
        raise RuntimeError(f"{caller}: Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure "
                           f"{_spec_text(primals_spec)} and tangents with structure "
                           f"{_spec_text(tangents_spec)}")
    seen = {}
    flat = _flat_outputs(lambda tensors: func(*_unflatten(primals_spec, tensors)), has_aux,
                         caller, lambda spec, aux: seen.update(spec=spec, aux=aux))
    keep_graph = _needs_graph(leaves + directions)
    with _inside_transform():
        outputs, products = autograd_functional.jvp(flat, tuple(leaves), tuple(directions),
                                                    create_graph=keep_graph, strict=strict)
    output, jvp_out = (_unflatten(seen["spec"], values) for values in (outputs, products))
    if has_aux:
        return output, jvp_out, _detached(seen["aux"], keep_graph)
    return output, jvp_out


def linearize(func, *primals):
    """(func(*primals), jvp_fn) as torch.func.linearize: jvp_fn(*tangents) is J tangents,
    the derivative of func at primals along tangents (of primals' structure). Each call
    of jvp_fn is a jvp at primals (func runs again) rather than a replay of a recorded
    linear graph; the values are the same."""
    output = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


def _jacobian_transform(func, argnums, has_aux, caller, blocks_of):
    """The function computing func's Jacobian w.r.t. args[argnums] with blocks_of(flat,
    leaves, keep_graph), which returns block [i][j] = d output i / d leaf j of shape
    output_i.shape + leaf_j.shape. The result has the structure of func's output, each
    of its tensors replaced by the structure of the argnums arguments."""
    def wrapper(*args):
        differentiated = _Differentiated(args, argnums, caller)
        seen = {}
        flat = _flat_outputs(
            lambda tensors: func(*differentiated.with_leaves(tensors)), has_aux,
            caller, lambda spec, aux: seen.update(spec=spec, aux=aux))
        keep_graph = _needs_graph(differentiated.leaves)
        with _inside_transform():
            blocks = blocks_of(flat, tuple(differentiated.leaves), keep_graph)
        jacobian = _unflatten(seen["spec"], [differentiated.group(row) for row in blocks])
        return (jacobian, _detached(seen["aux"], keep_graph)) if has_aux else jacobian
    return wrapper


def _reverse_blocks(flat, leaves, keep_graph):
    """The Jacobian blocks by reverse mode: one backward pass per output element."""
    return autograd_functional.jacobian(flat, leaves, create_graph=keep_graph)


def _forward_blocks(flat, leaves, keep_graph):
    """The Jacobian blocks column by column: one jvp per input element, along the basis
    vector of that element."""
    columns = []   # columns[j][k]: the derivatives of the outputs along element k of leaf j
    for j, leaf in enumerate(leaves):
        basis = eye(leaf.numel(), dtype=leaf.dtype, backend=leaf.backend)
        columns.append([])
        for k in range(leaf.numel()):
            directions = tuple(basis[k].reshape(leaf.shape) if i == j else
                               other.new_zeros(other.shape) for i, other in enumerate(leaves))
            outputs, products = autograd_functional.jvp(flat, leaves, directions,
                                                        create_graph=keep_graph)
            columns[j].append(products)
    if not any(columns):   # no input element: the outputs' shapes still come from func
        outputs = flat(*leaves)
    return [tuple(stack([column[i] for column in leaf_columns], dim=-1)
                  .reshape(tuple(output.shape) + tuple(leaf.shape)) if leaf_columns else
                  output.new_zeros(tuple(output.shape) + tuple(leaf.shape))
                  for leaf_columns, leaf in zip(columns, leaves))
            for i, output in enumerate(outputs)]


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """A function returning the Jacobian of func w.r.t. args[argnums] by reverse mode:
    for each output tensor of func (any pytree of them), a block of shape
    output.shape + input.shape per input tensor, arranged as the argnums arguments are.
    With has_aux, func returns (output, aux) and the result is (jacobian, aux).
    chunk_size (None or positive) is checked as torch checks it; the rows are always
    computed one at a time."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian_transform(func, argnums, has_aux, "jacrev(f)(*args)", _reverse_blocks)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """jacrev's result computed column by column with jvp (forward mode in value).
    randomness is vmap's flag for func's calls, one per column, as torch's jacfwd maps
    its jvp over the columns: "error" (a func drawing random numbers is a RuntimeError),
    "same" or "different"."""
    def blocks_of(flat, leaves, keep_graph):
        _check_randomness(randomness)
        return _forward_blocks(_with_randomness(flat, randomness), leaves, keep_graph)

    return _jacobian_transform(func, argnums, has_aux, "jacfwd(f)(*args)", blocks_of)


def hessian(func, argnums=0):
    """The Hessian of func (returning a 0-d or one-output Tensor) w.r.t. args[argnums]:
    jacfwd(jacrev(func, argnums), argnums), as torch defines it."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---- vmap --------------------------------------------------------------------------------

def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over a dimension of its inputs: calling the result runs func once per
    index b of the mapped dimension, on args with each mapped tensor replaced by its
    slice at b (select(in_dim, b)), and stacks the outputs along out_dims.

    in_dims is an int (every positional argument mapped along that dim), or a tuple with
    one entry per argument, each an int, None (not mapped: passed whole to every call)
    or a nested tuple/list/dict matching that argument's structure; keyword arguments are
    never mapped. Every mapped tensor must have the same size there. out_dims is an int
    or a structure matching func's output; None returns the first call's output as is
    (torch requires it not to vary). randomness: "error" refuses a func that draws from
    the default generator, "different" lets each slice draw its own numbers, "same"
    restores the generator before each slice so that all draw the same ones.

    This is a Python loop followed by stack, not a batching compiler: it costs one call
    of func per index. chunk_size (None or a positive int) is accepted for torch's
    signature; a loop has no batches to chunk.
    """
    _check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got "
                         f"{chunk_size})")
    name = getattr(func, "__name__", repr(func))

    def wrapper(*args, **kwargs):
        calling = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        inputs, inputs_spec = _flatten(args)
        dims = _input_dims(in_dims, args, inputs, calling)
        size = _mapped_size(inputs, dims, calling)
        call_once = _with_randomness(func, randomness)
        outputs = []
        for index in range(size):
            sliced = [leaf if dim is None else leaf.select(dim, index)
                      for leaf, dim in zip(inputs, dims)]
            outputs.append(call_once(*_unflatten(inputs_spec, sliced), **kwargs))
        return _stack_outputs(outputs, out_dims, name)

    return wrapper


def _check_randomness(randomness):
    """torch's RuntimeError unless randomness is one of vmap's randomness flags."""
    if randomness not in _RANDOMNESS:
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _with_randomness(func, randomness):
    """func, each call of which follows the randomness flag as one slice of a vmap: "same"
    restores the default generator to its state now before each call, "error" raises
    torch's RuntimeError after a call that drew from it, "different" lets calls draw."""
    start = default_generator.get_state()

    def call_once(*args, **kwargs):
        if randomness == "same":
            default_generator.set_state(start)
        before = default_generator.get_state()
        result = func(*args, **kwargs)
        if randomness == "error" and default_generator.get_state() != before:
            raise RuntimeError("vmap: called random operation while in randomness error "
                               "mode. Please either use the 'same' or 'different' "
                               "randomness flags on vmap or perform the randomness "
                               "operation out of vmap")
        return result

    return call_once


def _input_dims(in_dims, args, inputs, calling):
    """The mapped dim (or None) of each leaf of args, checked: an int needs a Tensor of
    enough dimensions, and is made non-negative."""
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"{calling}: expected `in_dims` to be int or a (potentially nested) "
                         f"tuple matching the structure of inputs, got: {type(in_dims)}.")

    def mismatch():
        return ValueError(f"{calling}: in_dims is not compatible with the structure of "
                          f"`inputs`. in_dims has structure {_spec_text(_flatten(in_dims)[1])}"
                          f" but inputs has structure {_spec_text(_flatten(args)[1])}.")

    dims = _broadcast(in_dims, args, mismatch)
    checked = []
    for leaf, dim in zip(inputs, dims):
        if dim is not None and not isinstance(leaf, Tensor):
            raise ValueError(f"{calling}: Got in_dim={dim} for an input but the input is of "
                             f"type {type(leaf)}. We cannot vmap over non-Tensor arguments, "
                             "please use None as the respective in_dim")
        if dim is not None and not -leaf.ndim <= dim < leaf.ndim:
            raise ValueError(f"{calling}: Got in_dim={dim} for some input, but that input is "
                             f"a Tensor of dimensionality {leaf.ndim} so expected in_dim to "
                             f"satisfy {-leaf.ndim} <= in_dim < {leaf.ndim}.")
        checked.append(None if dim is None else dim % leaf.ndim)
    return checked


def _mapped_size(inputs, dims, calling):
    """The common size of the mapped dimensions (torch's ValueError when none is mapped,
    when they differ, or, for this loop, when it is 0)."""
    sizes = [leaf.shape[dim] for leaf, dim in zip(inputs, dims) if dim is not None]
    if not sizes:
        raise ValueError(f"{calling}: at least one input must be a Tensor mapped over a "
                         "dimension; got in_dims with no int for a Tensor input")
    if len(set(sizes)) != 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    if sizes[0] == 0:
        raise ValueError(f"{calling}: the mapped dimension has size 0; this vmap runs func "
                         "once per index and needs at least one to find the output's shape")
    return sizes[0]


def _stack_outputs(outputs, out_dims, name):
    """The outputs of the calls, one per index, stacked leaf by leaf along out_dims."""
    first, spec = _flatten(outputs[0])

    def mismatch():
        return ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                          "compatible with the structure of `outputs`. out_dims has structure "
                          f"{_spec_text(_flatten(out_dims)[1])} but outputs has structure "
                          f"{_spec_text(spec)}.")

    dims = _broadcast(out_dims, outputs[0], mismatch)
    per_call = [_flatten(output)[0] for output in outputs]
    stacked = []
    for position, (leaf, dim) in enumerate(zip(first, dims)):
        if dim is None:
            stacked.append(leaf)
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(leaf)}. Did you mean to set out_dims= to None for "
                             "output?")
        stacked.append(stack([leaves[position] for leaves in per_call], dim=dim))
    return _unflatten(spec, stacked)
