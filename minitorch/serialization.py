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

As torch.save does, a tensor object found more than once in the saved object is stored
once (every place names the same entry) and loads as one tensor shared by those places,
and an nn.Parameter loads as an nn.Parameter: the structure's optional "parameters"
list names their entries. Both are additive: files without them load as before, and an
older minitorch loads such a file with copies and plain tensors. Unlike torch.save, sharing
is per tensor object, not per storage: distinct views of one storage (a tensor and its
slice, transpose or expand) are each saved with just their own elements and load as
independent tensors, so changing one after loading leaves the others as they were.

save() writes a path atomically: to a temporary file in the same folder, renamed over the
path only once complete, so a failed save leaves an existing file as it was. The path is
used as given ("model" stays "model"; np.savez would append ".npz").
"""
import json
import os
import secrets
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from .creation import tensor as make_tensor
from .devices import check_device
from .nn.parameter import Parameter
from .tensor import Tensor

FORMAT = "minitorch-state/1"
STRUCTURE_ENTRY = "structure"
_SCALARS = (bool, int, float, str, type(None))
_ARRAY_DTYPES = ("float32", "float64", "int64", "bool")


class _Writer:
    """Turns a value into its JSON form, collecting its tensors' arrays."""

    def __init__(self):
        self.arrays = {}      # entry name -> numpy array
        self.entries = {}     # id of a tensor already stored -> its entry name
        self.parameters = []  # entry names of the nn.Parameters

    def encode(self, value, where="obj"):
        """The JSON form of `value`; tensors are moved into `arrays` and referenced by name.
        `where` is the value's place, as obj['key'][0], for error messages."""
        if isinstance(value, Tensor):
            name = self.entries.get(id(value))
            if name is None:
                name = self.entries[id(value)] = f"tensor_{len(self.arrays)}"
                self.arrays[name] = value.detach().numpy()
                if isinstance(value, Parameter):
                    self.parameters.append(name)
            return {"tensor": name, "requires_grad": value.requires_grad}
        if isinstance(value, Mapping):
            for key in value:
                if not isinstance(key, _SCALARS):
                    raise TypeError(f"save: dict keys must be str, int, float, bool or None, "
                                    f"got {type(key).__name__} key {key!r} in {where}")
            return {"dict": [[key, self.encode(item, f"{where}[{key!r}]")]
                             for key, item in value.items()],
                    "ordered": isinstance(value, OrderedDict)}
        if isinstance(value, (list, tuple)):
            return {type(value).__name__: [self.encode(item, f"{where}[{index}]")
                                           for index, item in enumerate(value)]}
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return {"value": value.item()}
        if isinstance(value, _SCALARS):
            return {"value": value}
        raise TypeError(f"save: cannot store {where}, a {type(value).__module__}."
                        f"{type(value).__name__}; state dicts may hold minitorch tensors, "
                        "dicts, lists, tuples, numbers, strings, booleans and None: convert "
                        "it to one of those, or leave it out")


def save(obj, f):
    """Write `obj` (a state dict, or any nesting of the types above) to `f`, a path or a
    binary file object. Tensors are copied, so later changes to them do not matter. A path
    is written atomically and as given (see the module docstring); a value that cannot be
    stored is a TypeError naming its place (obj['key'][0]) before anything is written."""
    writer = _Writer()
    structure = {"format": FORMAT, "root": writer.encode(obj)}
    if writer.parameters:
        structure["parameters"] = writer.parameters
    arrays = writer.arrays
    arrays[STRUCTURE_ENTRY] = np.frombuffer(json.dumps(structure).encode("utf-8"), np.uint8)
    if not isinstance(f, (str, os.PathLike)):
        np.savez(f, **arrays)
        return
    path = os.path.realpath(f)
    if os.path.exists(path) and not os.path.isfile(path):  # a named pipe or a device
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)
        return
    # beside the file a symbolic link points to (os.replace cannot cross file systems);
    # created as open() creates files, so the umask sets its permissions
    partial = os.path.join(os.path.dirname(path),
                           f".{os.path.basename(path)}.{secrets.token_hex(8)}.partial")
    handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb")
    try:
        with handle:
            np.savez(handle, **arrays)  # not np.savez(path): it would append ".npz"
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise


def _is_list_of_pairs(content):
    return isinstance(content, list) and all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], _SCALARS)
        for pair in content)


_CONTENT_CHECKS = {  # node kind -> whether its content is what _Writer.encode writes
    "tensor": lambda content: isinstance(content, str),
    "dict": _is_list_of_pairs,
    "list": lambda content: isinstance(content, list),
    "tuple": lambda content: isinstance(content, list),
    "value": lambda content: isinstance(content, _SCALARS),
}


def _malformed(node):
    """Whether `node` is not a structure node as _Writer.encode writes them: a dict with
    one kind key (plus optional flags) whose content has that kind's form. A node of an
    unknown kind is not malformed here: _Reader.decode reports it as unknown."""
    if not isinstance(node, dict):
        return True
    kinds = node.keys() - {"ordered", "requires_grad"}
    if len(kinds) != 1:
        return True
    kind, = kinds
    check = _CONTENT_CHECKS.get(kind)
    return check is not None and not check(node[kind])


class _Reader:
    """Rebuilds the value a JSON structure describes, taking tensors from an archive."""

    def __init__(self, archive, backend, source, parameters):
        self.archive = archive
        self.backend = backend
        self.source = source
        self.parameters = parameters
        self.tensors = {}  # entry name -> the tensor loaded from it, for every place naming it

    def decode(self, node):
        """The value the JSON `node` describes; ValueError naming the file for a node
        save() does not write."""
        if _malformed(node):
            raise ValueError(f"load: {self.source} has a malformed structure entry {node!r}")
        if "tensor" in node:
            name = node["tensor"]
            if name not in self.archive.files:
                raise ValueError(f"load: {self.source} refers to a missing tensor entry "
                                 f"{name!r}")
            if name not in self.tensors:
                self.tensors[name] = self._tensor(name, bool(node.get("requires_grad", False)))
            return self.tensors[name]
        if "dict" in node:
            items = [(key, self.decode(item)) for key, item in node["dict"]]
            return OrderedDict(items) if node.get("ordered") else dict(items)
        if "list" in node:
            return [self.decode(item) for item in node["list"]]
        if "tuple" in node:
            return tuple(self.decode(item) for item in node["tuple"])
        if "value" in node:
            return node["value"]
        raise ValueError(f"load: {self.source} has an unknown structure entry {node!r}")

    def _tensor(self, name, requires_grad):
        """A new tensor (or nn.Parameter) of the archive's entry `name`."""
        array = _read_entry(self.archive, name, self.source)
        if array.dtype.name not in _ARRAY_DTYPES:
            raise ValueError(f"load: entry {name!r} of {self.source} holds {array.dtype} "
                             f"data; minitorch tensors are {', '.join(_ARRAY_DTYPES)}")
        if name in self.parameters:
            return Parameter(make_tensor(array, backend=self.backend), requires_grad)
        return make_tensor(array, backend=self.backend, requires_grad=requires_grad)


def _read_entry(archive, name, source):
    """The array of `archive`'s entry `name`; an entry numpy will not read without
    unpickling (an object array) or cannot parse is a ValueError naming the file and the
    entry."""
    try:
        return archive[name]
    except ValueError as error:
        raise ValueError(f"load: entry {name!r} of {source} cannot be read ({error}); "
                         "minitorch reads only numeric arrays and never unpickles: the file "
                         "was not written by minitorch.save, or is damaged") from error


def _written_by_torch(names):
    """Whether zip entry names are those of a torch.save file: its pickle is 'data.pkl'
    in a folder named after the file ('archive/data.pkl')."""
    return any(name == "data.pkl" or name.endswith("/data.pkl") for name in names)


def load(f, map_location=None, *, backend=None, weights_only=True):
    """Read what save() wrote, from a path or binary file object. Tensors are made on
    `backend` (default: the current one). Never unpickles or runs code from the file;
    a file written by torch.save is reported with how to convert it.

    map_location and weights_only are torch.load's: as every backend is CPU memory,
    map_location may only name the CPU (a device, a device string, or a dict whose
    values do); a callable (torch's `lambda storage, loc: storage`) is accepted and not
    called, as there are no storages on other devices to map. Loading only ever reads
    weights, whatever weights_only says."""
    if not callable(map_location):
        locations = map_location.values() if isinstance(map_location, Mapping) \
            else (map_location,)
        for location in locations:
            check_device(location, "load")
    source = os.fspath(f) if isinstance(f, (str, os.PathLike)) else "the file"
    try:
        archive = np.load(f, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as error:
        # numpy's message for a file that is not a zip or .npy suggests unpickling it
        raise ValueError(f"load: {source} is not a file written by minitorch.save: it is "
                         "not a complete .npz (zip) archive; it may be truncated (save it "
                         "again, or restore a good copy) or in another format") from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {source} is a single .npy array, not a file written by "
                         "minitorch.save")
    with archive:
        if _written_by_torch(archive.files):
            raise ValueError(
                f"load: {source} was written by torch.save, not minitorch.save; minitorch "
                "does not read it (its pickle could run code). Convert it where PyTorch is "
                "installed: state = torch.load(path, weights_only=True), then "
                "minitorch.save(minitorch.serialization.from_torch(state), new_path)")
        if STRUCTURE_ENTRY not in archive.files:
            raise ValueError(f"load: {source} is not a file written by minitorch.save (it "
                             f"has no {STRUCTURE_ENTRY!r} entry)")
        try:
            structure = json.loads(_read_entry(archive, STRUCTURE_ENTRY, source)
                                   .tobytes().decode("utf-8"))
            if not isinstance(structure, dict) or "root" not in structure:
                raise ValueError(f"load: {source} has a malformed {STRUCTURE_ENTRY!r} entry "
                                 "(not an object with a 'root'): it was not written by "
                                 "minitorch.save")
            if structure.get("format") != FORMAT:
                raise ValueError(f"load: {source} has format {structure.get('format')!r}; "
                                 f"this minitorch reads {FORMAT!r}: load it with the "
                                 "minitorch version that saved it")
            parameters = structure.get("parameters", [])
            if not isinstance(parameters, list) or \
                    not all(isinstance(name, str) for name in parameters):
                raise ValueError(f"load: {source} has a malformed parameters list "
                                 f"{parameters!r}")
            reader = _Reader(archive, backend, source, set(parameters))
            return reader.decode(structure["root"])
        except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError,
                json.JSONDecodeError) as error:   # entries are read (and checked) lazily
            raise ValueError(f"load: {source} is damaged ({error}); it changed after it was "
                             "saved: save it again, or restore a good copy") from error


def _convert(value, convert_tensor, is_tensor, where="state_dict"):
    """`value` with every tensor (is_tensor) replaced by convert_tensor(tensor, where),
    keeping dicts (and their kind), lists and tuples; `where` is the tensor's place, as
    state_dict['key'][0], for error messages."""
    if is_tensor(value):
        return convert_tensor(value, where)
    if isinstance(value, Mapping):
        return type(value)((key, _convert(item, convert_tensor, is_tensor, f"{where}[{key!r}]"))
                           for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(item, convert_tensor, is_tensor, f"{where}[{index}]")
                           for index, item in enumerate(value))
    return value


def to_torch(state_dict):
    """A copy of `state_dict` with every minitorch tensor turned into a CPU torch.Tensor
    of the same dtype and values, for torch's load_state_dict. Needs torch installed."""
    import torch
    return _convert(state_dict, lambda t, where: torch.from_numpy(t.detach().numpy()),
                    lambda value: isinstance(value, Tensor))


def from_torch(state_dict, backend=None):
    """A copy of a PyTorch `state_dict` with every torch.Tensor turned into a minitorch
    tensor on `backend` (default: the current one), for Module.load_state_dict.

    dtypes convert as minitorch.tensor converts numpy's: float32, float64, int64 and bool
    are kept, narrower ints widen to int64, float16 and bfloat16 to float32; any other
    (complex, quantized, float8, uint64...) is a TypeError naming the tensor's key."""
    import torch

    def convert(t, where):
        t = t.detach().cpu().resolve_conj().resolve_neg()  # numpy() refuses lazy bits
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16
            t = t.to(torch.float32)
        try:
            return make_tensor(t.numpy(), backend=backend)
        except TypeError as error:
            raise TypeError(f"from_torch: cannot convert {where}, a {t.dtype} tensor: {error}. "
                            "Convert it in PyTorch first (e.g. .float(), .dequantize() or "
                            ".to_dense())") from None

    return _convert(state_dict, convert, lambda value: isinstance(value, torch.Tensor))
