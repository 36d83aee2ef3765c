"""Containers: Sequential (a pipeline) and ModuleList (a registered list)."""
import operator
from collections import OrderedDict

from .module import Module


def _position(index, length, owner):
    """`index` (negative counts from the end) as a position in range(length)."""
    position = operator.index(index)
    if not -length <= position < length:
        raise IndexError(f"{owner}: index {index} is out of range for {length} modules")
    return position % length


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: ordered submodules, len(), iteration,
    append, and indexing where a slice gives a new container of the same kind."""

    def _from_modules(self, items):
        """A new container of this kind holding the (name, module) pairs `items`."""
        raise NotImplementedError

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return self._from_modules(items[index])
        return items[_position(index, len(items), type(self).__name__)][1]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add `module` at the end, named by its position; returns self."""
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """Modules applied in order: Sequential(m0, m1, ...) or Sequential(OrderedDict(name=m)).

    Submodules are named "0", "1", ... (or by the dict's keys). Indexing gives a module,
    slicing a new Sequential sharing the modules; len() and iteration work as on a list.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for module in modules:
                self.append(module)

    def _from_modules(self, items):
        return Sequential(OrderedDict(items))

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the owning Module sees (a plain list hides them).

    ModuleList(modules) holds the modules of an iterable; ModuleList() or ModuleList(None)
    is empty. Supports indexing (a slice gives a new ModuleList), assignment, len(),
    iteration, append and extend. It has no forward: iterate over it in your own.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _from_modules(self, items):
        return ModuleList(module for _, module in items)

    def __setitem__(self, index, module):
        self.add_module(str(_position(index, len(self), "ModuleList")), module)

    def extend(self, modules):
        """Append each of `modules`; returns self."""
        for module in modules:
            self.append(module)
        return self
