"""torch.nn.utils.stateless: call a module with other tensors in place of its
parameters and buffers.

`functional_call(module, {"0.weight": w, ...}, args)` swaps each named tensor into the
module's registries (a dotted name reaches into submodules), runs the module, and swaps
the module's own tensors back, even when the forward raises. Nothing is copied, so
gradients flow to the tensors given. torch.func.functional_call (minitorch.func) is the
same call, also taking a tuple of dicts; this older name warns that it is deprecated, as
torch's does.
"""
import contextlib
import warnings

from ...tensor import Tensor

__all__ = ["functional_call"]

_MISSING = object()   # a name the module did not have before the swap


def _tied_names(module):
    """{name: every name of the same tensor} for each parameter or buffer registered
    under more than one name."""
    names_of = {}
    for name, tensor in _named_tensors(module):
        names_of.setdefault(id(tensor), set()).add(name)
    return {name: names for names in names_of.values() if len(names) > 1 for name in names}


def _named_tensors(module):
    """(name, tensor) of every parameter, then every buffer, tied ones under each name."""
    yield from module.named_parameters(remove_duplicate=False)
    yield from module.named_buffers(remove_duplicate=False)


def _untie(module, parameters_and_buffers):
    """parameters_and_buffers plus, for each given tensor that the module ties to others,
    the same tensor under the tied names; two different tensors for one tie are an error."""
    tied = _tied_names(module)
    untied = dict(parameters_and_buffers)
    for name in parameters_and_buffers:
        if name not in tied:
            continue
        given = {id(parameters_and_buffers[other]) for other in tied[name]
                 if other in parameters_and_buffers}
        if len(given) > 1:
            raise ValueError(f"functional_call got multiple values for keys "
                             f"{sorted(tied[name])}, which are tied. Consider using "
                             "tie_weights=False")
        for other in tied[name]:
            untied[other] = parameters_and_buffers[name]
    return untied


def _check_keys(module, names):
    """torch's RuntimeError for strict=True when names are not exactly the module's
    parameter and buffer names."""
    valid = {name for name, _ in _named_tensors(module)}
    unexpected, missing = sorted(set(names) - valid), sorted(valid - set(names))
    messages = []
    if unexpected:
        messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if messages:
        raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                           + "\n\t".join(messages))


def _swap(module, name, tensor):
    """Put tensor (or, for _MISSING, nothing) at the dotted name and return what was there:
    a registered parameter or buffer stays registered under its kind, any other name
    becomes a plain attribute."""
    prefix, _, attribute = name.rpartition(".")
    owner = module.get_submodule(prefix) if prefix else module
    for registry in (owner._parameters, owner._buffers):
        if attribute in registry:
            previous = registry[attribute]
            if tensor is _MISSING:
                del registry[attribute]
            else:
                registry[attribute] = tensor
            return previous
    previous = getattr(owner, attribute, _MISSING)
    if previous is not _MISSING and previous is not None and not isinstance(previous, Tensor):
        raise TypeError(f"functional_call: attribute {name!r} of {type(owner).__name__} is "
                        f"a {type(previous).__name__}, not a Tensor")
    if tensor is _MISSING:
        if previous is not _MISSING:
            delattr(owner, attribute)
    else:
        setattr(owner, attribute, tensor)
    return previous


def _swap_all(module, named):
    """_swap every (name, tensor) of named; {name: what was there}. On an error the
    swaps made so far are undone before it propagates."""
    previous = {}
    try:
        for name, tensor in named.items():
            if not isinstance(tensor, Tensor):
                raise TypeError(f"functional_call: the value for {name!r} must be a Tensor, "
                                f"got {type(tensor).__name__}")
            previous[name] = _swap(module, name, tensor)
    except Exception:
        for name, tensor in previous.items():
            _swap(module, name, tensor)
        raise
    return previous


@contextlib.contextmanager
def _reparametrized(module, parameters_and_buffers, tie_weights, strict):
    """Inside the block, module holds the given tensors; afterwards its own again, and
    parameters_and_buffers holds what the module ended with under each of its keys (a
    forward that reassigns a tensor is seen there, as in torch)."""
    named = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        _check_keys(module, named)
    previous = _swap_all(module, named)
    try:
        yield
    finally:
        final = {name: _swap(module, name, tensor) for name, tensor in previous.items()}
        parameters_and_buffers.update({name: final[name] for name in parameters_and_buffers
                                       if final.get(name, _MISSING) is not _MISSING})


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                     tie_weights=True, strict=False):
    """module(*args, **kwargs) with the tensors of the dict parameters_and_buffers in
    place of the module's (see functional_call)."""
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrized(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **(kwargs or {}))


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """module(*args, **kwargs) with the tensors of the dict parameters_and_buffers
    ({dotted name: Tensor}) in place of the module's parameters and buffers; the module's
    own are restored afterwards, even if the forward raises.

    args that is not a tuple is one positional argument. With tie_weights, a tensor given
    for one of several tied names is used for all of them (two different tensors for one
    tie are a ValueError); with strict, the names must be exactly the module's parameter
    and buffer names (RuntimeError listing the unexpected and missing keys). Deprecated
    like torch's: use minitorch.func.functional_call.
    """
    warnings.warn("`minitorch.nn.utils.stateless.functional_call` is deprecated; use "
                  "`minitorch.func.functional_call` instead, which is a drop-in "
                  "replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
