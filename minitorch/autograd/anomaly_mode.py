"""Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly): while it is
on, each recorded node keeps the stack of the forward call that made it, and the
backward pass refuses a node whose backward returned nan, naming the node and that call.
"""
import functools
import traceback

# [enabled, check_nan]; a list so the hot paths read it with one index
_anomaly_enabled = [False, True]


def is_anomaly_enabled():
    return _anomaly_enabled[0]


def is_anomaly_check_nan_enabled():
    return _anomaly_enabled[1]


class set_detect_anomaly:
    """set_detect_anomaly(mode, check_nan=True): turns anomaly detection on or off at
    once; used as a context manager, the previous setting is restored on exit."""

    def __init__(self, mode, check_nan=True):
        self.previous = tuple(_anomaly_enabled)
        _anomaly_enabled[:] = [bool(mode), bool(check_nan)]

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _anomaly_enabled[:] = self.previous


class detect_anomaly:
    """`with minitorch.autograd.detect_anomaly():` (or as a decorator): anomaly detection
    on inside the block (see the module docstring), restored on exit."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.previous = []

    def __enter__(self):
        self.previous.append(tuple(_anomaly_enabled))
        _anomaly_enabled[:] = [True, self.check_nan]
        return self

    def __exit__(self, *exc_info):
        _anomaly_enabled[:] = self.previous.pop()

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


def forward_trace():
    """The stack of the forward call now recording a node (this module's frames and the
    recording machinery's excluded), as the text a later anomaly error shows."""
    frames = traceback.extract_stack()
    return "".join(traceback.format_list(frames[:-2]))


def check_nan(node, input_grads):
    """Raise when one of the gradients node's backward returned holds a nan."""
    for index, gradient in enumerate(input_grads):
        if gradient is None or not gradient.dtype.is_floating_point:
            continue
        if bool(gradient.detach().isnan().any()):
            trace = getattr(node, "forward_trace", None)
            origin = (f"The forward op that created it was called at (most recent call "
                      f"last):\n{trace}" if trace else
                      "Its forward op ran while anomaly detection was off, so its call "
                      "site was not recorded")
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{index}th output. {origin}")
