"""torch.nn.utils.prune: zero out parts of a module's tensor through a mask.

Pruning module.<name> moves the parameter to <name>_orig, stores the mask as the buffer
<name>_mask, and makes module.<name> the plain tensor <name>_orig * <name>_mask,
recomputed before every forward by the pruning method itself, registered as a forward
pre-hook (so state-dict keys and hooks are torch's). Pruning the same tensor again
combines the masks in a PruningContainer: the new method only prunes what is left.
"""
import numbers
from abc import ABC, abstractmethod

from ... import creation, functions
from ...autograd import no_grad


def _check_amount(amount):
    """amount is a count (int >= 0) or a fraction (float in [0, 1]): ValueError if not."""
    if not isinstance(amount, numbers.Real) or isinstance(amount, bool):
        raise TypeError(f"prune: amount must be an int or a float, got "
                        f"{type(amount).__name__}")
    if isinstance(amount, numbers.Integral) and amount < 0 or \
            not isinstance(amount, numbers.Integral) and not 0.0 <= amount <= 1.0:
        raise ValueError(f"prune: amount={amount} should either be a float in the range "
                         "[0, 1] or a non-negative integer")


def _count_to_prune(amount, size):
    """How many of `size` units `amount` (a count or a fraction) prunes; ValueError when
    the count exceeds size."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"prune: amount={amount} should be smaller than the number of "
                             f"parameters to prune={size}")
        return amount
    return round(amount * size)


def _other_dims(tensor, dim):
    return [axis for axis in range(tensor.ndim) if axis != dim]


def _channel_mask(tensor, dim, keep):
    """A mask of tensor's shape that is 1 on the channels (indices along dim) where the
    1-D bool tensor `keep` is True and 0 elsewhere."""
    shape = [1] * tensor.ndim
    shape[dim] = tensor.shape[dim]
    return functions.zeros_like(tensor) + keep.reshape(shape).to(tensor.dtype)


class BasePruningMethod(ABC):
    """A way to prune a tensor: compute_mask(t, default_mask) returns the new mask. An
    instance applied to a module is that module's forward pre-hook for the tensor."""

    PRUNING_TYPE = None   # "unstructured", "structured" or "global"
    _tensor_name = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for tensor t (1 keeps, 0 prunes), which must keep default_mask's 0s."""

    def apply_mask(self, module):
        """module.<name>_orig * module.<name>_mask, the pruned tensor."""
        name = self._tensor_name
        return getattr(module, name + "_orig") * getattr(module, name + "_mask")

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune module.<name> with cls(*args, **kwargs), ranking by importance_scores
        (default: the tensor's values); returns the method."""
        hooks = [(key, hook) for key, hook in module._forward_pre_hooks.items()
                 if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
        if len(hooks) > 1:
            raise RuntimeError(f"prune: {name!r} of {type(module).__name__} has more than one "
                               "pruning hook")
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if hooks:
            key, previous = hooks[0]
            if isinstance(previous, PruningContainer):
                previous.add_pruning_method(method)
                container = previous
            else:
                container = PruningContainer(previous, method)
            del module._forward_pre_hooks[key]
            method = container
        original = getattr(module, name + "_orig", None) if hooks else getattr(module, name)
        if importance_scores is None:
            importance_scores = original
        elif importance_scores.shape != original.shape:
            raise ValueError(f"prune: importance_scores should have the shape of parameter "
                             f"{name!r}, {tuple(original.shape)}; got "
                             f"{tuple(importance_scores.shape)}")
        if hooks:
            default_mask = getattr(module, name + "_mask").detach().clone()
        else:
            default_mask = functions.ones_like(original)
        with no_grad():
            mask = method.compute_mask(importance_scores.detach(), default_mask)
        if not hooks:
            module.register_parameter(name + "_orig", original)
            del module._parameters[name]
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """t times its mask (from importance_scores, default t's values)."""
        scores = t if importance_scores is None else importance_scores
        if default_mask is None:
            default_mask = functions.ones_like(t)
        with no_grad():
            return t * self.compute_mask(scores, default_mask)

    def remove(self, module):
        """Make the pruning permanent: module.<name> becomes the Parameter <name>_orig
        holding the pruned values; the mask buffer goes."""
        name = self._tensor_name
        with no_grad():
            pruned = self.apply_mask(module)
        delattr(module, name)
        original = module._parameters[name + "_orig"]
        original.data = pruned.detach()
        del module._parameters[name + "_orig"]
        del module._buffers[name + "_mask"]
        module.register_parameter(name, original)


class PruningContainer(BasePruningMethod):
    """The pruning methods applied, in turn, to one tensor: each new one prunes only the
    entries (unstructured) or channels (structured) that the earlier ones left."""

    def __init__(self, *methods):
        self._pruning_methods = ()
        for method in methods:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"PruningContainer: {type(method).__name__} is not a "
                            "BasePruningMethod subclass")
        if self._tensor_name is None:
            self._tensor_name = method._tensor_name
        elif method._tensor_name != self._tensor_name:
            raise ValueError(f"PruningContainer: can only add methods acting on "
                             f"{self._tensor_name!r}, got one acting on "
                             f"{method._tensor_name!r}")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, index):
        return self._pruning_methods[index]

    def compute_mask(self, t, default_mask):
        """default_mask with the last method's mask computed on what it left alive."""
        method = self._pruning_methods[-1]
        kind = method.PRUNING_TYPE
        if kind in ("unstructured", "global"):
            alive = default_mask == 1
            partial = method.compute_mask(t[alive], functions.ones_like(t[alive]))
            mask = default_mask.clone()
            mask[alive] = partial
            return mask
        if kind == "structured":
            dim = method.dim if method.dim >= 0 else method.dim + t.ndim
            alive_channels = default_mask.sum(dim=_other_dims(t, dim)) != 0
            positions = functions.nonzero(alive_channels).reshape(-1)
            alive_t = t.index_select(dim, positions)
            partial = method.compute_mask(alive_t, default_mask.index_select(dim, positions))
            kept = creation.zeros(t.shape[dim], dtype=t.dtype)
            kept[positions] = partial.sum(dim=_other_dims(t, dim)) != 0
            return default_mask * _channel_mask(t, dim, kept != 0)
        raise ValueError(f"PruningContainer: unrecognized PRUNING_TYPE {kind!r}")


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class _UnstructuredByScore(BasePruningMethod):
    """Prunes the `amount` entries of lowest score (score_of(t)); amount: a count or a
    fraction of the entries."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def score_of(self, t):
        raise NotImplementedError

    def compute_mask(self, t, default_mask):
        count = _count_to_prune(self.amount, t.numel())
        mask = default_mask.clone()
        if count:
            lowest = functions.topk(self.score_of(t).reshape(-1), count, largest=False).indices
            flat = mask.reshape(-1)
            flat[lowest] = 0
            mask = flat.reshape(t.shape)
        return mask

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class L1Unstructured(_UnstructuredByScore):
    """Prunes the entries of smallest absolute value."""

    def score_of(self, t):
        return t.abs()


class RandomUnstructured(_UnstructuredByScore):
    """Prunes entries chosen uniformly at random (minitorch's seeded generator)."""

    def score_of(self, t):
        return functions.rand_like(t)


class _StructuredByScore(BasePruningMethod):
    """Prunes the `amount` channels (indices along dim) of lowest channel score."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _check_amount(amount)
        self.amount = amount
        self.dim = dim

    def channel_scores(self, t, dim):
        raise NotImplementedError

    def compute_mask(self, t, default_mask):
        if t.ndim < 1 or not -t.ndim <= self.dim < t.ndim:
            raise ValueError(f"prune: dim {self.dim} is out of range for a tensor of "
                             f"{t.ndim} dimensions; structured pruning needs it")
        dim = self.dim % t.ndim
        channels = t.shape[dim]
        count = _count_to_prune(self.amount, channels)
        if count == 0:
            return default_mask
        kept = functions.topk(self.channel_scores(t, dim), channels - count).indices
        keep = creation.zeros(channels, dtype=t.dtype)
        keep[kept] = 1
        return default_mask * _channel_mask(t, dim, keep != 0)


class LnStructured(_StructuredByScore):
    """Prunes the channels of smallest n-norm (n: a number, inf, -inf, "fro" or "nuc")."""

    def __init__(self, amount, n, dim=-1):
        super().__init__(amount, dim)
        self.n = n

    def channel_scores(self, t, dim):
        return functions.norm(t, p=self.n, dim=_other_dims(t, dim))

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


class RandomStructured(_StructuredByScore):
    """Prunes channels chosen uniformly at random."""

    def channel_scores(self, t, dim):
        return creation.rand(t.shape[dim], dtype=t.dtype)

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given mask is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise ValueError(f"custom_from_mask: the mask has shape "
                             f"{tuple(self.mask.shape)}, the tensor "
                             f"{tuple(default_mask.shape)}")
        return default_mask * self.mask.to(default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Apply Identity pruning to module.<name> (the orig/mask scheme, nothing pruned)."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` random entries of module.<name>; returns module."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of module.<name> with the smallest |score| (the values,
    or importance_scores); returns module."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` random channels along dim of module.<name>; returns module."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` channels along dim of module.<name> with the smallest n-norm;
    returns module."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    """Prune module.<name> where mask is 0; returns module."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune the (module, name) pairs of `parameters` together: pruning_method (an
    unstructured one, built with kwargs) ranks all their entries at once, so amount
    counts over all of them. importance_scores maps (module, name) to scores."""
    parameters = list(parameters)
    importance_scores = importance_scores or {}
    scores = functions.cat([
        importance_scores.get((module, name), getattr(module, name)).detach().reshape(-1)
        for module, name in parameters])
    default_mask = functions.cat([
        getattr(module, name + "_mask", functions.ones_like(getattr(module, name)))
        .detach().reshape(-1) for module, name in parameters])
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f"global_unstructured: only unstructured pruning methods can be "
                        f"used, got PRUNING_TYPE {method.PRUNING_TYPE!r}")
    with no_grad():
        final_mask = PruningContainer(method).compute_mask(scores, default_mask)
    start = 0
    for module, name in parameters:
        size = getattr(module, name).numel()
        mask = final_mask[start:start + size].reshape(getattr(module, name).shape)
        custom_from_mask(module, name, mask)
        start += size


def remove(module, name):
    """Make the pruning of module.<name> permanent (see BasePruningMethod.remove) and
    drop its hook; ValueError when it is not pruned. Returns module."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter {name!r} of module {module} has to be pruned before pruning "
                     "can be removed")


def is_pruned(module):
    """Whether module or one of its submodules has a pruned tensor."""
    return any(isinstance(hook, BasePruningMethod)
               for submodule in module.modules()
               for hook in submodule._forward_pre_hooks.values())
