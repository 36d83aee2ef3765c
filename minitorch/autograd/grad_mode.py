"""Grad mode and inference mode: whether ops record a graph, and the context managers
(also decorators) that set them."""
import functools
import inspect

_grad_enabled = [True]  # a list so hot paths read it with one index, no global lookup
_inference_mode = [False]


def is_grad_enabled():
    return _grad_enabled[0]


def is_inference_mode_enabled():
    """Whether an inference_mode block (not one with mode=False) is running."""
    return _inference_mode[0]


class _ModeContext:
    """A context manager that is also a decorator: each call of the decorated function
    runs inside a fresh context (`clone()`); for a generator function, each resumption
    of its body does, so the mode holds while the body runs and the caller's mode is
    back between its yields, as in PyTorch."""

    def clone(self):
        raise NotImplementedError

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self.clone, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper


def _wrap_generator(make_context, func):
    """The generator function func, each resumption of whose body (by next(), send(),
    throw() or close()) runs inside a new context from make_context()."""
    @functools.wraps(func)
    def generator(*args, **kwargs):
        body = func(*args, **kwargs)
        resume, value = body.send, None
        while True:
            try:
                with make_context():
                    yielded = resume(value)
            except StopIteration as stop:
                return stop.value
            try:
                value = yield yielded
                resume = body.send
            except GeneratorExit:
                with make_context():
                    body.close()
                raise
            except BaseException as error:   # thrown in by the caller: on to the body
                resume, value = body.throw, error
    return generator


class _GradMode(_ModeContext):
    """Grad mode set to `enabled` for the block, restored after it."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.previous = []   # a stack, so one instance may be entered again inside itself

    def __enter__(self):
        self.previous.append(_grad_enabled[0])
        _grad_enabled[0] = self.enabled

    def __exit__(self, *exc_info):
        _grad_enabled[0] = self.previous.pop()

    def clone(self):
        return _GradMode(self.enabled)


class no_grad(_GradMode):
    """`with minitorch.no_grad():` or `@minitorch.no_grad()`: record no graph."""

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):
    """Turn graph recording back on inside a no_grad block."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_ModeContext):
    """set_grad_enabled(mode) turns recording on or off at once, as a plain call; as a
    context manager, the mode from before the call comes back when the block ends; as a
    decorator (`@set_grad_enabled(False)`), it leaves the mode as it was and applies
    mode to each call of the function instead (PyTorch's semantics)."""

    def __init__(self, mode):
        self.enabled = mode
        self.previous = _grad_enabled[0]
        _grad_enabled[0] = mode

    def __enter__(self):
        _grad_enabled[0] = self.enabled

    def __exit__(self, *exc_info):
        _grad_enabled[0] = self.previous

    def __call__(self, func):
        _grad_enabled[0] = self.previous
        return super().__call__(func)

    def clone(self):
        return set_grad_enabled(self.enabled)


class inference_mode(_ModeContext):
    """`with minitorch.inference_mode():` or `@minitorch.inference_mode()`: no graph is
    recorded, as under no_grad, and is_inference_mode_enabled() is True;
    inference_mode(False) turns both off for its block (grad mode on), as in PyTorch.
    Unlike PyTorch there are no "inference tensors": what is made inside is an ordinary
    tensor that does not require grad, as under no_grad, and may be used in recorded ops
    afterwards."""

    def __init__(self, mode=True):
        self.mode = mode
        self.previous = []   # (grad mode, inference mode) before each entry

    def __enter__(self):
        self.previous.append((_grad_enabled[0], _inference_mode[0]))
        _grad_enabled[0], _inference_mode[0] = not self.mode, self.mode

    def __exit__(self, *exc_info):
        _grad_enabled[0], _inference_mode[0] = self.previous.pop()

    def clone(self):
        return inference_mode(self.mode)
