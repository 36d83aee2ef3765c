"""Grad mode: whether ops record a graph, and the context managers that set it."""
import functools

_grad_enabled = [True]  # a list so hot paths read it with one index, no global lookup


def is_grad_enabled():
    return _grad_enabled[0]


class _GradMode:
    """Context manager and decorator setting grad mode for its block."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.previous = []

    def __enter__(self):
        self.previous.append(_grad_enabled[0])
        _grad_enabled[0] = self.enabled

    def __exit__(self, *exc_info):
        _grad_enabled[0] = self.previous.pop()

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradMode(self.enabled):
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """`with minitorch.no_grad():` or `@minitorch.no_grad()`: record no graph."""

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):
    """Turn graph recording back on inside a no_grad block."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_GradMode):
    """set_grad_enabled(mode): recording on or off for the block."""


class inference_mode(_GradMode):
    """`with minitorch.inference_mode():` or `@minitorch.inference_mode()`: as no_grad
    (inference_mode(False) as enable_grad). Unlike PyTorch there are no "inference
    tensors": what is made inside is an ordinary tensor that does not require grad, as
    under no_grad, and may be used in recorded ops afterwards."""

    def __init__(self, mode=True):
        super().__init__(not mode)

