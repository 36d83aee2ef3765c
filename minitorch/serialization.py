"""Saving and loading state dicts, and converting them to and from PyTorch's.

    minitorch.save(model.state_dict(), "model.npz")
    model.load_state_dict(minitorch.load("model.npz"))
    torch_model.load_state_dict(minitorch.serialization.to_torch(model.state_dict()))

File format: a NumPy .npz archive (a zip of .npy arrays) read with allow_pickle=False,
so loading a file never runs code from it. Every tensor is one array entry; the
structure around the tensors is JSON in the entry "structure": dicts (keys: str, int,
float, bool or None; OrderedDicts stay OrderedDicts), lists, tuples, numbers, strings,
booleans and None. Tensors keep dtype, shape, values and requires_grad bit for bit;
floats in the structure keep their exact value (JSON writes the shortest repr that
reads back to the same float, including nan and inf).
"""
import json
import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from .creation import tensor as make_tensor
from .tensor import Tensor

FORMAT = "minitorch-state/1"
STRUCTURE_ENTRY = "structure"
_SCALARS = (bool, int, float, str, type(None))
_ARRAY_DTYPES = ("float32", "float64", "int64", "bool")


def _encode(value, arrays):
    """The JSON form of `value`; tensors are moved into `arrays` and referenced by name."""
    if isinstance(value, Tensor):
        name = f"tensor_{len(arrays)}"
        arrays[name] = value.detach().numpy()
        return {"tensor": name, "requires_grad": value.requires_grad}
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, _SCALARS):
                raise TypeError(f"save: dict keys must be str, int, float, bool or None, "
                                f"got {type(key).__name__} key {key!r}")
        return {"dict": [[key, _encode(item, arrays)] for key, item in value.items()],
                "ordered": isinstance(value, OrderedDict)}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(item, arrays) for item in value]}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"value": value.item()}
    if isinstance(value, _SCALARS):
        return {"value": value}
    raise TypeError(f"save: cannot store a {type(value).__module__}.{type(value).__name__}; "
                    "state dicts may hold minitorch tensors, dicts, lists, tuples, numbers, "
                    "strings, booleans and None")


def save(obj, f):
    """Write `obj` (a state dict, or any nesting of the types above) to `f`, a path or a
    binary file object. Tensors are copied, so later changes to them do not matter."""
    arrays = {}
    structure = {"format": FORMAT, "root": _encode(obj, arrays)}
    text = json.dumps(structure).encode("utf-8")
    arrays[STRUCTURE_ENTRY] = np.frombuffer(text, dtype=np.uint8)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:  # not np.savez(path): it would append ".npz"
            np.savez(handle, **arrays)
    else:
        np.savez(f, **arrays)


def _decode(node, archive, backend, source):
    """Rebuild the value described by the JSON `node`, taking tensors from `archive`."""
    if not isinstance(node, dict) or len(node.keys() - {"ordered", "requires_grad"}) != 1:
        raise ValueError(f"load: {source} has a malformed structure entry {node!r}")
    if "tensor" in node:
        name = node["tensor"]
        if name not in archive.files:
            raise ValueError(f"load: {source} refers to a missing tensor entry {name!r}")
        array = archive[name]
        if array.dtype.name not in _ARRAY_DTYPES:
            raise ValueError(f"load: entry {name!r} of {source} holds {array.dtype} data; "
                             f"minitorch tensors are {', '.join(_ARRAY_DTYPES)}")
        return make_tensor(array, backend=backend,
                           requires_grad=bool(node.get("requires_grad", False)))
    if "dict" in node:
        items = [(key, _decode(item, archive, backend, source)) for key, item in node["dict"]]
        return OrderedDict(items) if node.get("ordered") else dict(items)
    if "list" in node:
        return [_decode(item, archive, backend, source) for item in node["list"]]
    if "tuple" in node:
        return tuple(_decode(item, archive, backend, source) for item in node["tuple"])
    if "value" in node:
        return node["value"]
    raise ValueError(f"load: {source} has an unknown structure entry {node!r}")


def load(f, backend=None):
    """Read what save() wrote, from a path or binary file object. Tensors are made on
    `backend` (default: the current one). Never unpickles or runs code from the file."""
    source = os.fspath(f) if isinstance(f, (str, os.PathLike)) else "the file"
    try:
        archive = np.load(f, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"load: {source} is not a file written by minitorch.save ({error})") \
            from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {source} is a single .npy array, not a file written by "
                         "minitorch.save")
    with archive:
        if STRUCTURE_ENTRY not in archive.files:
            raise ValueError(f"load: {source} is not a file written by minitorch.save (it "
                             f"has no {STRUCTURE_ENTRY!r} entry)")
        try:
            structure = json.loads(archive[STRUCTURE_ENTRY].tobytes().decode("utf-8"))
            if structure.get("format") != FORMAT:
                raise ValueError(f"load: {source} has format {structure.get('format')!r}; "
                                 f"this minitorch reads {FORMAT!r}")
            return _decode(structure["root"], archive, backend, source)
        except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError,
                json.JSONDecodeError) as error:   # entries are read (and checked) lazily
            raise ValueError(f"load: {source} is damaged ({error}); it changed after it was "
                             "saved: save it again, or restore a good copy") from error


def _convert(value, convert_tensor, is_tensor):
    """`value` with every tensor (is_tensor) replaced by convert_tensor(tensor), keeping
    dicts (and their kind), lists and tuples."""
    if is_tensor(value):
        return convert_tensor(value)
    if isinstance(value, Mapping):
        return type(value)((key, _convert(item, convert_tensor, is_tensor))
                           for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(item, convert_tensor, is_tensor) for item in value)
    return value


def to_torch(state_dict):
    """A copy of `state_dict` with every minitorch tensor turned into a CPU torch.Tensor
    of the same dtype and values, for torch's load_state_dict. Needs torch installed."""
    import torch
    return _convert(state_dict, lambda t: torch.from_numpy(t.detach().numpy()),
                    lambda value: isinstance(value, Tensor))


def from_torch(state_dict, backend=None):
    """A copy of a PyTorch `state_dict` with every torch.Tensor turned into a minitorch
    tensor on `backend` (default: the current one), for Module.load_state_dict."""
    import torch
    return _convert(state_dict,
                    lambda t: make_tensor(t.detach().cpu().numpy(), backend=backend),
                    lambda value: isinstance(value, torch.Tensor))
