"""repr of a Tensor in PyTorch's style: tensor([[1., 2.]], requires_grad=True)."""
import numpy as np

from .dtype import bool_, get_default_dtype, int64

EDGE_ITEMS = 3
SUMMARIZE_ABOVE = 1000
LINE_WIDTH = 80


def _float_formatter(values):
    """One format for every element, chosen the way PyTorch chooses it."""
    finite = np.abs(values[np.isfinite(values)])
    nonzero = finite[finite != 0]
    spread = nonzero.size and nonzero.max() / nonzero.min() > 1000
    if finite.size and np.all(finite == np.round(finite)):
        if spread or (nonzero.size and nonzero.max() > 1e8):
            return lambda v: f"{v:.4e}"
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    if nonzero.size and (spread or nonzero.max() >= 1e8 or nonzero.min() < 1e-4):
        return lambda v: f"{v:.4e}"
    return lambda v: f"{v:.4f}" if np.isfinite(v) else str(v)


def _formatter(array, dtype):
    if dtype is bool_:
        return str
    if dtype is int64:
        return lambda v: str(int(v))
    return _float_formatter(array.astype(np.float64).reshape(-1))


def _edges(array, summarize):
    """array with only EDGE_ITEMS kept at both ends of each long dim (for width)."""
    if not summarize:
        return array
    for axis in range(array.ndim):
        if array.shape[axis] > 2 * EDGE_ITEMS:
            keep = list(range(EDGE_ITEMS)) + list(range(-EDGE_ITEMS, 0))
            array = np.take(array, keep, axis=axis)
    return array


def _render(array, format_item, width, indent, summarize):
    if array.ndim == 0:
        return format_item(array.item()).rjust(width)
    if array.ndim == 1:
        items = [format_item(v).rjust(width) for v in array.tolist()]
        if summarize and len(items) > 2 * EDGE_ITEMS:
            items = items[:EDGE_ITEMS] + [" ..."] + items[-EDGE_ITEMS:]
        lines, line = [], []
        per_line = max((LINE_WIDTH - indent) // (width + 2), 1)
        for position, item in enumerate(items):
            line.append(item)
            if len(line) == per_line and position != len(items) - 1:
                lines.append(", ".join(line))
                line = []
        lines.append(", ".join(line))
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(array.shape[0]))
    if summarize and len(rows) > 2 * EDGE_ITEMS:
        rows = rows[:EDGE_ITEMS] + [None] + rows[-EDGE_ITEMS:]
    parts = ["..." if r is None else _render(array[r], format_item, width, indent + 1, summarize)
             for r in rows]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def format_values(array, dtype, indent):
    summarize = array.size > SUMMARIZE_ABOVE
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
    if tensor.dtype is not get_default_dtype() and (array.size == 0 or
                                                    tensor.dtype not in (int64, bool_)):
        extras.append(f"dtype=minitorch.{tensor.dtype.name}")
    if tensor.backend != get_backend().name:
        extras.append(f"backend={tensor.backend!r}")
    if tensor._ctx is not None:
        extras.append(f"grad_fn=<{tensor._ctx.name()}>")
    elif tensor.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"


def tensor_format(tensor, spec):
    """format(tensor, spec), as PyTorch: a 0-d tensor formats its value (f"{t:.2f}");
    any other tensor only with an empty spec (its str)."""
    if tensor.ndim == 0:
        return format(tensor.item(), spec)
    return object.__format__(tensor, spec)
