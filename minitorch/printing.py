"""repr of a Tensor in PyTorch's style: tensor([[1., 2.]], requires_grad=True)."""
import math

import numpy as np

from .dtype import bool_, get_default_dtype, int64


class PrintOptions:
    """What set_printoptions changes: digits after the point (precision), how many
    elements a tensor may have before it is summarized (threshold) and with how many
    items at each end of each dim (edgeitems), the line width, and sci_mode (None: chosen
    from the values, as PyTorch; True or False: always or never scientific)."""

    def __init__(self, precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None):
        self.precision, self.threshold, self.edgeitems = precision, threshold, edgeitems
        self.linewidth, self.sci_mode = linewidth, sci_mode


_PROFILES = {"default": PrintOptions(),
             "short": PrintOptions(precision=2, edgeitems=2),
             "full": PrintOptions(threshold=math.inf)}
_options = PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Change how tensors print, as torch.set_printoptions: a profile ("default", "short"
    or "full") first resets every option to its values, then each option given overrides
    one. sci_mode is always set, as in PyTorch: leaving it out makes it automatic again."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected one "
                             f"of {', '.join(map(repr, _PROFILES))}")
        vars(_options).update(vars(_PROFILES[profile]))
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(_options, name, value)
    _options.sci_mode = sci_mode


def _float_formatter(values):
    """One format for every element, chosen the way PyTorch chooses it (sci_mode, when
    set, overrides the choice)."""
    finite = np.abs(values[np.isfinite(values)])
    nonzero = finite[finite != 0]
    with np.errstate(over="ignore"):  # 1e300 / 1e-300 is inf, which is "spread" too
        spread = nonzero.size and nonzero.max() / nonzero.min() > 1000
    whole = finite.size and np.all(finite == np.round(finite))
    scientific = nonzero.size and (spread or nonzero.max() > 1e8) if whole else \
        nonzero.size and (spread or nonzero.max() >= 1e8 or nonzero.min() < 1e-4)
    if _options.sci_mode is not None:
        scientific = _options.sci_mode
    precision = _options.precision
    if scientific:
        return lambda v: f"{v:.{precision}e}"
    if whole:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    return lambda v: f"{v:.{precision}f}" if np.isfinite(v) else str(v)


def _formatter(array, dtype):
    if dtype is bool_:
        return str
    if dtype is int64:
        return lambda v: str(int(v))
    return _float_formatter(array.astype(np.float64).reshape(-1))


def _edges(array, summarize):
    """array with only edgeitems kept at both ends of each long dim (for width)."""
    if not summarize:
        return array
    edge_items = _options.edgeitems
    for axis in range(array.ndim):
        if array.shape[axis] > 2 * edge_items:
            keep = list(range(edge_items)) + list(range(-edge_items, 0))
            array = np.take(array, keep, axis=axis)
    return array


def _render(array, format_item, width, indent, summarize):
    edge_items = _options.edgeitems
    if array.ndim == 0:
        return format_item(array.item()).rjust(width)
    if array.ndim == 1:
        items = [format_item(v).rjust(width) for v in array.tolist()]
        if summarize and len(items) > 2 * edge_items:
            items = items[:edge_items] + [" ..."] + items[-edge_items:]
        lines, line = [], []
        per_line = max((_options.linewidth - indent) // (width + 2), 1)
        for position, item in enumerate(items):
            line.append(item)
            if len(line) == per_line and position != len(items) - 1:
                lines.append(", ".join(line))
                line = []
        lines.append(", ".join(line))
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(array.shape[0]))
    if summarize and len(rows) > 2 * edge_items:
        rows = rows[:edge_items] + [None] + rows[-edge_items:]
    parts = ["..." if r is None else _render(array[r], format_item, width, indent + 1, summarize)
             for r in rows]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def format_values(array, dtype, indent):
    summarize = array.size > _options.threshold
    if summarize and not _options.edgeitems and array.ndim:
        return "[...]"
    shown = _edges(array, summarize).reshape(-1)
    format_item = _formatter(shown, dtype)
    if dtype.is_floating_point:  # as PyTorch: columns fit the non-zero finite values
        shown = shown[np.isfinite(shown) & (shown != 0)]
    width = max((len(format_item(v)) for v in shown.tolist()), default=0)
    return _render(array, format_item, width, indent, summarize)


def tensor_repr(tensor):
    from .registry import get_backend
    array = tensor.detach().numpy()
    extras = []
    if array.size == 0:
        body = "[]"
        if array.shape != (0,):
            extras.append(f"size={tuple(array.shape)}")
    else:
        body = format_values(array, tensor.dtype, len("tensor("))
        if not _options.edgeitems:  # as PyTorch, whether or not the values are elided
            extras.append(f"size={tuple(array.shape)}")
    if tensor.dtype is not get_default_dtype() and (array.size == 0 or
                                                    tensor.dtype not in (int64, bool_)):
        extras.append(f"dtype=minitorch.{tensor.dtype.name}")
    if tensor.backend != get_backend().name:
        extras.append(f"backend={tensor.backend!r}")
    if tensor._ctx is not None:
        extras.append(f"grad_fn=<{tensor._ctx.name()}>")
    elif tensor.requires_grad:
        extras.append("requires_grad=True")
    return _with_suffixes("tensor(" + body, extras, indent=len("tensor("))


def _with_suffixes(text, suffixes, indent):
    """text followed by each suffix and the closing parenthesis, as PyTorch: a suffix
    that would take its line past linewidth starts a new line at indent."""
    parts = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > _options.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_format(tensor, spec):
    """format(tensor, spec), as PyTorch: a 0-d tensor formats its value (f"{t:.2f}");
    any other tensor only with an empty spec (its str)."""
    if tensor.ndim == 0:
        return format(tensor.item(), spec)
    return object.__format__(tensor, spec)
