"""The backend registry: which backends exist, which one is current, and switching.

Backends are registered as *factories* (a callable, or an "module:attribute" string
naming one) and built lazily, the first time they are chosen or listed, so that an
unbuilt C extension makes `c` unavailable instead of breaking `import minitorch`.
A factory signals "cannot run here" by raising BackendUnavailable(reason).
"""
import contextlib
import importlib
import os

from .contract import OPTIONAL_KERNELS, REQUIRED_KERNELS, BackendError, check_backend


class BackendUnavailable(BackendError):
    """Raised by a backend factory that cannot run on this machine; says why."""


class Backend:
    """A registered backend as the core sees it: the implementation plus bookkeeping.

    Kernel lookups are resolved once here so the dispatcher pays one attribute read
    per call: every kernel named by the contract is an attribute, `backend.binary` a
    required one, `backend.binary_view` an optional one (None when absent).
    """

    def __init__(self, name, factory, origin):
        self.name = name
        self.origin = origin
        self._factory = factory
        self._impl = None
        self._reason = None
        self.dtypes = frozenset()
        self.optional = frozenset()

    def _load(self):
        if self._impl is not None or self._reason is not None:
            return
        factory = self._factory
        try:
            if isinstance(factory, str):
                module_name, _, attribute = factory.partition(":")
                factory = getattr(importlib.import_module(module_name), attribute)
            impl = factory()
            self.optional = check_backend(impl, self.origin)
        except BackendUnavailable as error:
            self._reason = str(error)
            return
        except ImportError as error:
            self._reason = f"cannot import it: {error}"
            return
        if impl.name != self.name:
            raise BackendError(f"{self.origin} registered backend {self.name!r} but its "
                               f"object is named {impl.name!r}")
        self._impl = impl
        self.dtypes = frozenset(impl.dtypes)
        for kernel in REQUIRED_KERNELS + tuple(OPTIONAL_KERNELS):
            setattr(self, kernel, getattr(impl, kernel, None))

    @property
    def available(self):
        self._load()
        return self._impl is not None

    @property
    def reason(self):
        """Why the backend is unavailable (None when it is available)."""
        self._load()
        return self._reason

    @property
    def implementation(self):
        self._load()
        return self._impl

    def __repr__(self):
        state = "available" if self.available else f"unavailable: {self.reason}"
        return f"<minitorch backend {self.name!r} ({self.origin}; {state})>"


BUILTIN_BACKENDS = {
    "numpy": "minitorch_backends.numpy_backend:NumpyBackend",
    "python": "minitorch_backends.python_backend:PythonBackend",
    "c": "minitorch_backends.c_backend:CBackend",
}

_registry = {}
_current = None


def register_backend(name, factory, origin="user code"):
    """Add a backend. Two backends with one name are an error naming both origins."""
    if name in _registry:
        raise BackendError(f"two backends are named {name!r}: one from "
                           f"{_registry[name].origin}, one from {origin}; uninstall one")
    _registry[name] = Backend(name, factory, origin)
    return _registry[name]


def _ensure_builtins():
    if not _registry:
        for name, factory in BUILTIN_BACKENDS.items():
            register_backend(name, factory, origin="built-in")


def lookup(name):
    """The available Backend called `name`, or an error listing the valid names."""
    _ensure_builtins()
    backend = _registry.get(name)
    if backend is None:
        names = ", ".join(sorted(_registry))
        raise ValueError(f"unknown backend {name!r}; registered backends are: {names}")
    if not backend.available:
        raise BackendError(f"backend {name!r} is unavailable: {backend.reason}")
    return backend


def list_backends():
    """Every registered Backend (available or not), in registration order."""
    _ensure_builtins()
    return list(_registry.values())


def get_backend():
    """The current Backend: set by set_backend, else $MINITORCH_BACKEND, else numpy."""
    global _current
    if _current is None:
        _current = lookup(os.environ.get("MINITORCH_BACKEND", "numpy"))
    return _current


def set_backend(name):
    """Make `name` the backend new tensors are created on."""
    global _current
    _current = lookup(name) if isinstance(name, str) else name


@contextlib.contextmanager
def use_backend(name):
    """`with minitorch.use_backend("python"):` — the backend for the block, then restore."""
    previous = get_backend()
    set_backend(name)
    try:
        yield _current
    finally:
        set_backend(previous)
