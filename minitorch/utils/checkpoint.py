"""torch.utils.checkpoint: activation checkpointing. A checkpointed function keeps none
of the tensors its ops save for backward; backward runs it again to get them, trading
compute for memory.

Two forms, as in PyTorch:

- non-reentrant (use_reentrant=False, recommended): the function runs recording its
  graph as usual, under saved_tensors_hooks whose pack hook keeps only a position; the
  first time backward reads a saved tensor, the function is run again (recording, under
  hooks that collect what it saves) and the saved tensors come from that rerun.
- reentrant (use_reentrant=True, the default when use_reentrant is not given, with a
  warning): one graph node whose forward runs the function under no_grad, keeping only
  its tensor arguments, and whose backward reruns it with grad enabled and runs a
  backward pass through that rerun, inside the outer one.

With preserve_rng_state=True the rerun starts from the random state the forward started
from (and the state after it is restored), so dropout draws the same masks.
"""
import contextlib
import warnings

from ..autograd import Function, backward, enable_grad
from ..autograd.graph import _unchanged, saved_tensors_hooks
from ..generator import get_rng_state, set_rng_state
from ..nn import Sequential
from ..random import fork_rng
from ..tensor import Tensor

_DETERMINISM_CHECKS = ("default", "none")


def _resolved_use_reentrant(use_reentrant, op_name):
    """use_reentrant, or True with PyTorch's warning when it is None (not given)."""
    if use_reentrant is not None:
        return use_reentrant
    warnings.warn(f"{op_name}: pass use_reentrant explicitly; without it the reentrant "
                  "form is used (use_reentrant=True), but use_reentrant=False is "
                  "recommended", stacklevel=3)
    return True


@contextlib.contextmanager
def _replaying_rng(rng_state):
    """Run the block from rng_state (a state saved by get_rng_state) and restore the
    state it found afterwards; with rng_state None, leave the random state alone."""
    with fork_rng(enabled=rng_state is not None):
        if rng_state is not None:
            set_rng_state(rng_state)
        yield


class CheckpointError(RuntimeError):
    """The rerun of a checkpointed function saved other tensors than its first run did
    (a different count, shapes or dtypes): its gradients would be wrong."""


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True,
               determinism_check="default", debug=False, context_fn=None, early_stop=True,
               **kwargs):
    """function(*args, **kwargs), with its activations recomputed in backward instead of
    kept (see the module docstring). use_reentrant must be given (None warns, then uses
    True, as PyTorch 2.13 does); only the non-reentrant form takes keyword arguments for
    function. determinism_check="default" compares the shapes and dtypes of what the
    rerun saves with the first run ("none": no check). The rerun always runs the whole
    function (early_stop only lets PyTorch stop it sooner; the gradients are the same).
    debug=True and context_fn are not supported."""
    use_reentrant = _resolved_use_reentrant(use_reentrant, "checkpoint")
    if determinism_check not in _DETERMINISM_CHECKS:
        raise ValueError(f"checkpoint: determinism_check should be one of "
                         f"{', '.join(_DETERMINISM_CHECKS)}, but got {determinism_check!r}")
    if use_reentrant:
        if kwargs:
            raise ValueError("checkpoint: unexpected keyword arguments for the reentrant form "
                             f"(use_reentrant=True): {', '.join(kwargs)}")
        if debug or context_fn is not None:
            raise ValueError("checkpoint: debug and context_fn are only supported with "
                             "use_reentrant=False")
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("checkpoint: none of the inputs have requires_grad=True; with "
                          "use_reentrant=True, gradients will be None", stacklevel=2)
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    if debug:
        raise NotImplementedError("checkpoint: debug=True (tracing the ops of the rerun) is "
                                  "not supported")
    if context_fn is not None:
        raise NotImplementedError("checkpoint: context_fn (context managers around the "
                                  "forward and the rerun) is not supported")
    rerun = _Rerun(function, args, kwargs, preserve_rng_state, determinism_check)
    with saved_tensors_hooks(rerun.pack, rerun.unpack):
        return function(*args, **kwargs)


class _Rerun:
    """The saved tensors of one non-reentrant checkpointed call: the first run keeps each
    one's position and (shape, dtype); the first read in backward reruns the function to
    get them all, and each is dropped once read (a later backward, after
    retain_graph=True, reruns it again)."""

    def __init__(self, function, args, kwargs, preserve_rng_state, determinism_check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state = get_rng_state() if preserve_rng_state else None
        self.check = determinism_check == "default"
        self.metadata = []   # (shape, dtype) of each tensor the first run saved
        self.recomputed = {}   # position -> tensor the rerun saved, until read

    def pack(self, tensor):
        self.metadata.append((tuple(tensor.shape), tensor.dtype))
        return len(self.metadata) - 1

    def unpack(self, position):
        if position not in self.recomputed:
            self.recomputed = dict(enumerate(self._run_again()))
        return self.recomputed.pop(position)

    def _run_again(self):
        """The tensors the function saves when run again (on detached copies of the tensor
        arguments, recording, from the first run's random state)."""
        saved = []

        def keep(tensor):
            saved.append(tensor)
            return tensor

        with _replaying_rng(self.rng_state), enable_grad(), \
                saved_tensors_hooks(keep, _unchanged):
            self.function(*_detached(self.args), **self.kwargs)
        if self.check:
            self._check_same(saved)
        return saved

    def _check_same(self, saved):
        if len(saved) != len(self.metadata):
            raise CheckpointError(
                f"checkpoint: the function saved {len(self.metadata)} tensors for backward "
                f"in its forward but {len(saved)} when run again in backward; it must run "
                "the same ops both times (pass determinism_check='none' to skip this check)")
        for position, (tensor, (shape, dtype)) in enumerate(zip(saved, self.metadata)):
            if (tuple(tensor.shape), tensor.dtype) != (shape, dtype):
                raise CheckpointError(
                    f"checkpoint: saved tensor {position} had shape {shape} and dtype "
                    f"{dtype.name} in the forward but shape {tuple(tensor.shape)} and dtype "
                    f"{tensor.dtype.name} when run again in backward")


def _detached(args):
    """args with each tensor detached from the graph, requiring grad as it did."""
    return tuple([a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                  for a in args])


class CheckpointFunction(Function):
    """The reentrant form's node: forward(ctx, function, preserve_rng_state, *args) keeps
    the tensor arguments (saved for backward) and the others (on ctx)."""

    @staticmethod
    def forward(ctx, function, preserve_rng_state, *args):
        ctx.function = function
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.other_args = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[args[i] for i in ctx.tensor_positions])
        return function(*args)

    @staticmethod
    def backward(ctx, *grads):
        args = list(ctx.other_args)
        for position, tensor in zip(ctx.tensor_positions, ctx.saved_tensors):
            args[position] = tensor
        args = _detached(args)
        with _replaying_rng(ctx.rng_state), enable_grad():
            outputs = ctx.function(*args)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(output, grad) for output, grad in zip(outputs, grads)
                 if isinstance(output, Tensor) and output.requires_grad]
        if not pairs:
            raise RuntimeError("checkpoint: none of the outputs has requires_grad=True, so "
                               "this checkpoint() is not necessary")
        backward([output for output, _ in pairs], [grad for _, grad in pairs])
        return (None, None) + tuple([a.grad if isinstance(a, Tensor) else None
                                     for a in args])


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """functions (a Sequential, or a list of callables) applied in order to input, cut
    into `segments` runs of len(functions) // segments functions; every run but the last
    is checkpointed (the last one's activations are needed at once by backward).
    kwargs may hold preserve_rng_state only; use_reentrant as in checkpoint."""
    use_reentrant = _resolved_use_reentrant(use_reentrant, "checkpoint_sequential")
    preserve_rng_state = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError(f"checkpoint_sequential: unexpected keyword arguments: "
                         f"{', '.join(kwargs)}")
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    if not 1 <= segments <= len(functions):
        raise ValueError(f"checkpoint_sequential: segments must be between 1 and the number "
                         f"of functions ({len(functions)}), got {segments}")
    size = len(functions) // segments
    for start in range(0, size * (segments - 1), size):
        input = checkpoint(_run_in_order(functions[start:start + size]), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve_rng_state)
    return _run_in_order(functions[size * (segments - 1):])(input)


def _run_in_order(functions):
    """One function applying functions in order."""
    def run(value):
        for function in functions:
            value = function(value)
        return value
    return run
