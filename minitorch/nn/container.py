"""Containers: Sequential (a pipeline), ModuleList and ModuleDict (registered submodules),
ParameterList and ParameterDict (registered parameters), as in torch.nn."""
import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _position(index, length, owner):
    """`index` (negative counts from the end) as a position in range(length)."""
    position = operator.index(index)
    if not -length <= position < length:
        raise IndexError(f"{owner}: index {index} is out of range for {length} entries")
    return position % length


def _as_parameter(op, value):
    """`value` as a Parameter: a Parameter as is, another Tensor wrapped (requires_grad),
    as torch's ParameterList and ParameterDict do; anything else is a TypeError."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{op}: expected a Parameter or Tensor, got {type(value).__name__}")


def _parameter_lines(items, kind):
    """torch's extra_repr of ParameterList and ParameterDict: a line
    "  (key): Parameter containing: [kind(value) of size AxB]" for each (key, value);
    `kind` is what torch shows (the dtype in a list, the tensor type in a dict)."""
    return "\n".join(f"  ({key}): Parameter containing: [{kind(value)} of size "
                     f"{'x'.join(str(size) for size in value.shape)}]"
                     for key, value in items)


def _check_iterable(op, values):
    if not isinstance(values, Iterable) or isinstance(values, Tensor):
        raise TypeError(f"{op} should be called with an iterable, but got "
                        f"{type(values).__name__}")


class _Sequence(Module):
    """What Sequential, ModuleList and ParameterList share: entries of one registry
    (`_REGISTRY`) named "0", "1", ... in order, with list-like len(), iteration,
    indexing (a slice gives a new container of the same kind), assignment, deletion,
    insert, append, extend and pop. Deletion and insertion renumber the names, as
    torch's ModuleList and Sequential do after a deletion."""

    _REGISTRY = "_modules"

    def _put(self, name, value):
        """Register `value` under `name` (with the registry's type check)."""
        self.add_module(name, value)

    def _checked(self, value):
        """`value` as this container stores it; TypeError when it cannot hold it."""
        if not isinstance(value, Module):
            raise TypeError(f"{type(self).__name__}: expected a Module, got "
                            f"{type(value).__name__}")
        return value

    def _from_items(self, items):
        """A new container of this kind holding the (name, value) pairs `items`."""
        return type(self)(value for _, value in items)

    @property
    def _entries(self):
        return self.__dict__[self._REGISTRY]

    def _renumber(self, values):
        """Make `values` the entries, in order, named "0", "1", ..."""
        self._entries.clear()
        for index, value in enumerate(values):
            self._put(str(index), value)

    def __getitem__(self, index):
        items = list(self._entries.items())
        if isinstance(index, slice):
            return self._from_items(items[index])
        return items[_position(index, len(items), type(self).__name__)][1]

    def __setitem__(self, index, value):
        """Replace the entry at `index` (an int), keeping its name."""
        names = list(self._entries)
        self._put(names[_position(index, len(names), type(self).__name__)], value)

    def __delitem__(self, index):
        """Remove the entry at `index` (an int or a slice), then renumber from "0"."""
        values = list(self._entries.values())
        if isinstance(index, slice):
            del values[index]
        else:
            del values[_position(index, len(values), type(self).__name__)]
        self._renumber(values)

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(list(self._entries.values()))

    def append(self, value):
        """Add `value` at the end, named by its position; returns self."""
        self._put(str(len(self)), value)
        return self

    def extend(self, values):
        """Append each of `values` (an iterable); returns self."""
        _check_iterable(f"{type(self).__name__}.extend", values)
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values):
        return self.extend(values)

    def insert(self, index, value):
        """Put `value` before position `index` (-len <= index <= len; negative counts from
        the end), renumbering the entries. Returns self."""
        values = list(self._entries.values())
        position = operator.index(index)
        if not -len(values) <= position <= len(values):
            raise IndexError(f"{type(self).__name__}.insert: index {index} is out of range "
                             f"for {len(values)} entries")
        values.insert(position, self._checked(value))
        self._renumber(values)
        return self

    def pop(self, index=-1):
        """Remove and return the entry at `index` (a slice gives a container)."""
        value = self[index]
        del self[index]
        return value


class Sequential(_Sequence):
    """Modules applied in order: Sequential(m0, m1, ...) or Sequential(OrderedDict(name=m)).

    Submodules are named "0", "1", ... (or by the dict's keys). Indexing gives a module,
    slicing a new Sequential sharing the modules, `a + b` a new Sequential of both;
    assignment keeps the name; deletion, insert and pop renumber the names from "0" (as
    torch does after a deletion), append and extend add at the end.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for module in modules:
                self.append(module)

    def _from_items(self, items):
        return Sequential(OrderedDict(items))

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential.__add__: the add operator supports only "
                             f"Sequential, but {type(other).__name__} is given")
        return Sequential(*self, *other)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_Sequence):
    """A list of modules whose parameters the owning Module sees (a plain list hides them).

    ModuleList(modules) holds the modules of an iterable; ModuleList() or ModuleList(None)
    is empty. Supports indexing (a slice gives a new ModuleList), assignment, deletion
    (renumbering, as torch does), len(), iteration, append, extend, insert, pop, `+=`
    (extend) and `+` (a new ModuleList of both). It has no forward: iterate over it.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _child_reprs(self):
        """Consecutive entries with the same repr listed once, as torch lists them:
        (0-2): 3 x Linear(...)."""
        runs = []   # [first index, last index, repr]
        for index, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = index
            else:
                runs.append([index, index, text])
        return [(str(first), text) if first == last else
                (f"{first}-{last}", f"{last - first + 1} x {text}") for first, last, text in runs]

    def __add__(self, other):
        return ModuleList([*self, *other])


class ParameterList(_Sequence):
    """A list of Parameters registered on the module (named "0", "1", ...), so the
    owning Module's parameters() sees them. Tensors that are not Parameters are wrapped
    in one (requires_grad=True) as torch does; other values are a TypeError (torch would
    store them as plain attributes). List operations as in ModuleList."""

    _REGISTRY = "_parameters"

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _put(self, name, value):
        self.register_parameter(name, self._checked(value))

    def _checked(self, value):
        return _as_parameter(type(self).__name__, value)

    def extra_repr(self):
        return _parameter_lines(enumerate(self), lambda value: value.dtype)


class _Dict(Module):
    """What ModuleDict and ParameterDict share: an ordered, dict-like view of one
    registry (`_REGISTRY`), keyed by name; keys follow register_parameter's name rules
    (a string without '.' that is not already another attribute, e.g. not "keys")."""

    _REGISTRY = "_modules"

    def _put(self, key, value):
        self.add_module(key, value)

    @property
    def _entries(self):
        return self.__dict__[self._REGISTRY]

    def __getitem__(self, key):
        return self._entries[key]

    def __setitem__(self, key, value):
        self._put(key, value)

    def __delitem__(self, key):
        del self._entries[key]

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(list(self._entries))

    def __contains__(self, key):
        return key in self._entries

    def keys(self):
        return self._entries.keys()

    def values(self):
        return self._entries.values()

    def items(self):
        return self._entries.items()

    def get(self, key, default=None):
        return self._entries.get(key, default)

    def pop(self, key):
        """Remove entry `key` and return it; KeyError when absent."""
        value = self[key]
        del self[key]
        return value

    def clear(self):
        """Remove every entry."""
        for key in list(self._entries):
            del self[key]

    def update(self, entries):
        """Add or replace entries from a mapping (in its order) or an iterable of
        (key, value) pairs."""
        op = f"{type(self).__name__}.update"
        if isinstance(entries, (Mapping, _Dict)):
            entries = entries.items()
        elif not isinstance(entries, Iterable):
            raise TypeError(f"{op} should be called with an iterable of key/value pairs, "
                            f"but got {type(entries).__name__}")
        for number, pair in enumerate(entries):
            if not isinstance(pair, Iterable):
                raise TypeError(f"{op}: sequence element #{number} should be Iterable; is "
                                f"{type(pair).__name__}")
            pair = tuple(pair)
            if len(pair) != 2:
                raise ValueError(f"{op}: sequence element #{number} has length "
                                 f"{len(pair)}; 2 is required")
            self[pair[0]] = pair[1]


class ModuleDict(_Dict):
    """An ordered dict of submodules, registered on the module under their keys.

    ModuleDict(modules) takes a mapping or an iterable of (name, module) pairs. Supports
    [key] get/set/del, `in`, len(), iteration over keys, keys(), values(), items(), get,
    pop, clear and update. It has no forward.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)


class ParameterDict(_Dict):
    """An ordered dict of Parameters registered on the module under their keys.

    Tensors that are not Parameters are wrapped in one (requires_grad=True), as torch
    does. Same dict operations as ModuleDict.
    """

    _REGISTRY = "_parameters"

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def update(self, parameters):
        """As ModuleDict.update, except that a plain mapping (not an OrderedDict or a
        ParameterDict) is taken in sorted key order, as torch's ParameterDict does."""
        if isinstance(parameters, Mapping) and not isinstance(parameters, OrderedDict):
            parameters = sorted(parameters.items())
        super().update(parameters)

    def _put(self, key, value):
        self.register_parameter(key, _as_parameter(type(self).__name__, value))

    def extra_repr(self):
        return _parameter_lines(self.items(), lambda value: value.type())
