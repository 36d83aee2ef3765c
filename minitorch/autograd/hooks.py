"""Tensor hooks (register_hook, register_post_accumulate_grad_hook, retain_grad's
storing of .grad), graph nodes' hooks (grad_fn.register_prehook, grad_fn.register_hook)
and the handles that remove them."""
import weakref
from itertools import count

_handle_ids = count()
_leaf_hooks = {}  # id(leaf) -> (weak reference to the leaf, its hooks {handle id: hook})
_post_accumulate_hooks = {}  # the same, for hooks run after the leaf's .grad is updated


class TensorHooks:
    """What runs around a node's backward, in PyTorch's order, once the gradient w.r.t.
    its output tensor is complete: the hooks registered on that tensor ({handle id:
    hook}, in registration order), then the storing of it into the .grad of `retaining`
    (a weak reference to the tensor whose retain_grad() asked for it, or None), then the
    node's own `prehooks` (grad_fn.register_prehook), the node's backward, and its
    `posthooks` (grad_fn.register_hook)."""

    __slots__ = ("hooks", "retaining", "prehooks", "posthooks")

    def __init__(self):
        self.hooks = {}
        self.retaining = None
        self.prehooks = {}
        self.posthooks = {}


def node_hooks(node):
    """node's TensorHooks, made on first use (nodes without any keep `hooks` None, so the
    backward pass pays one check per node for the feature)."""
    if node.hooks is None:
        node.hooks = TensorHooks()
    return node.hooks


class RemovableHandle:
    """What register_hook returns: `remove()` unregisters the hook (again: no effect)."""

    def __init__(self, hooks, hook):
        self.hooks = hooks
        self.id = next(_handle_ids)
        hooks[self.id] = hook

    def remove(self):
        self.hooks.pop(self.id, None)


def register_hook(tensor, hook):
    """Tensor.register_hook: hook(grad) -> None or a gradient of grad's shape to use
    instead, called each time the gradient w.r.t. tensor is computed: for a leaf, before
    it is accumulated into .grad (or returned by grad()); for a non-leaf, once its node's
    gradient is complete, before it flows on (and before retain_grad stores it). Hooks
    stay with the node tensor has now: after an in-place op they see the gradient w.r.t.
    the old values, as in PyTorch."""
    if not tensor.requires_grad:
        raise RuntimeError("register_hook(): cannot register a hook on a tensor that "
                           "doesn't require gradient")
    if tensor._ctx is not None:
        return RemovableHandle(node_hooks(tensor._ctx).hooks, hook)
    return RemovableHandle(_leaf_registry(_leaf_hooks, tensor), hook)


def register_post_accumulate_grad_hook(tensor, hook):
    """Tensor.register_post_accumulate_grad_hook: hook(tensor), called each time a
    backward pass has updated the .grad of tensor, a leaf that requires grad (e.g. to
    step an optimizer per parameter as soon as its gradient is ready); its return value
    is ignored."""
    if not tensor.requires_grad:
        raise RuntimeError("register_post_accumulate_grad_hook(): cannot register a hook on "
                           "a tensor that doesn't require gradient")
    if tensor._ctx is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                           "tensors")
    return RemovableHandle(_leaf_registry(_post_accumulate_hooks, tensor), hook)


def _leaf_registry(registry, tensor):
    """The hooks ({handle id: hook}) of the leaf `tensor` in registry, made on first use;
    the entry goes when the leaf is garbage collected."""
    key = id(tensor)
    if key not in registry:
        registry[key] = (weakref.ref(tensor, lambda _, key=key: registry.pop(key, None)), {})
    return registry[key][1]


def _run_hooks(hooks, grad):
    """grad passed through hooks ({id: hook}) in order, each seeing the previous result."""
    for hook in tuple(hooks.values()):   # a hook may remove itself
        result = hook(grad)
        if result is not None:
            _check_replacement(hook, result, grad)
            grad = result
    return grad


def run_node_hooks(hooks, grads, *context):
    """grads (a tuple of gradients, None where there is none) passed through hooks ({id:
    hook}) in order, as PyTorch runs a node's hooks: hook(grads, *context) returns None
    or a tuple of as many entries to use instead, where an entry may become None but a
    None may not become a gradient."""
    for hook in tuple(hooks.values()):
        result = hook(grads, *context)
        if result is None:
            continue
        if not isinstance(result, tuple):
            raise TypeError(f"expected tuple, but hook returned {type(result).__name__!r}")
        if len(result) != len(grads):
            raise RuntimeError(f"hook {_hook_name(hook)!r} has returned an incorrect "
                               f"number of values (got {len(result)}, but expected "
                               f"{len(grads)})")
        for new, old in zip(result, grads):
            if new is not None:
                if old is None:
                    raise RuntimeError("can't replace a None gradient with a non-None "
                                       "value")
                _check_replacement(hook, new, old)
        grads = result
    return grads


def _hook_name(hook):
    return getattr(hook, "__name__", hook)


def _check_replacement(hook, result, grad):
    """Refuse result, what hook returned to replace grad, unless a tensor of grad's
    shape and dtype."""
    name = _hook_name(hook)
    if not hasattr(result, "_storage"):   # autograd cannot import the Tensor class
        raise TypeError(f"hook {name!r} returned a {type(result).__name__}: "
                        "expected a Tensor (or None)")
    if tuple(result.shape) != tuple(grad.shape):
        raise RuntimeError(
            f"hook {name!r} has changed the size of value: it returned shape "
            f"{tuple(result.shape)} for a gradient of shape {tuple(grad.shape)}")
    if result.dtype is not grad.dtype:
        raise RuntimeError(f"hook {name!r} has changed the type of value: it "
                           f"returned {result.dtype.name} for a gradient of "
                           f"{grad.dtype.name}")


def _leaf_grad(key, grad):
    """The gradient reaching the leaf id(leaf) == key, after its hooks."""
    if key in _leaf_hooks:
        return _run_hooks(_leaf_hooks[key][1], grad)
    return grad

