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
        """Build the backend once: import, construct, validate against the contract."""
        if self._impl is not None or self._reason is not None:
            return
        try:
            impl = self._build()
        except BackendUnavailable as error:
            self._reason = str(error)
            return
        except ImportError as error:
            self._reason = f"cannot import it: {error}"
            return
        except BackendError as error:  # breaks the contract: never usable
            self._reason = str(error)
            if self.origin == "built-in":
                raise
            from .plugins import report_failure
            report_failure(f"backend {self.name!r} from {self.origin}", error)
            return
        self._impl = impl
        if _num_threads is not None and hasattr(impl, "set_num_threads"):
            impl.set_num_threads(_num_threads)
        self.dtypes = frozenset(impl.dtypes)
        for kernel in REQUIRED_KERNELS + tuple(OPTIONAL_KERNELS):
            setattr(self, kernel, getattr(impl, kernel, None))

    def _build(self):
        factory = self._factory
        if isinstance(factory, str):
            module_name, _, attribute = factory.partition(":")
            factory = getattr(importlib.import_module(module_name), attribute)
        impl = factory()
        self.optional = check_backend(impl, self.origin)
        if impl.name != self.name:
            raise BackendError(f"{self.origin} registered backend {self.name!r} but its "
                               f"object is named {impl.name!r}")
        return impl

    @property
    def available(self):
        self._load()
        return self._impl is not None

    @property
    def loaded(self):
        """True once the backend has been built (asking does not build it)."""
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


_registry = {}
_current = None
_plugins_loaded = False
_num_threads = None  # set by set_num_threads; None: each backend's own default


def register_backend(name, factory, origin="user code"):
    """Add a backend. Two backends with one name are an error naming both origins."""
    _ensure_plugins()
    return _add(name, factory, origin)


def _add(name, factory, origin):
    first = _registry.get(name)
    if first is not None:
        error = BackendError(f"two backends are named {name!r}: one from {first.origin}, "
                             f"one from {origin}; uninstall one")
        if first.origin != "built-in" and origin != "user code":
            # two plugins claim the name: neither wins, choosing it reports both
            conflict = Backend(name, None, f"{first.origin} and {origin}")
            conflict._reason = str(error)
            _registry[name] = conflict
        raise error
    _registry[name] = Backend(name, factory, origin)
    return _registry[name]


def _ensure_plugins():
    """Load the plugins (built-ins and entry points) once, on first use."""
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        from . import plugins
        plugins.register_all(plugins.plugin_manager(), _add)


def lookup(name):
    """The available Backend called `name`, or an error listing the valid names."""
    _ensure_plugins()
    backend = _registry.get(name)
    if backend is None:
        names = ", ".join(sorted(_registry))
        raise ValueError(f"unknown backend {name!r}; registered backends are: {names}")
    if not backend.available:
        raise BackendError(f"backend {name!r} is unavailable: {backend.reason}")
    return backend


def list_backends():
    """Every registered Backend (available or not), in registration order."""
    _ensure_plugins()
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


def set_num_threads(count):
    """Threads every backend may use (PyTorch's name). Applied to each backend that has
    a `set_num_threads(count)` method — the C GEMM's OpenMP threads, numpy's BLAS — now
    and to backends loaded later."""
    global _num_threads
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {count!r}")
    _num_threads = count
    for backend in list_backends():
        if backend.available and hasattr(backend.implementation, "set_num_threads"):
            backend.implementation.set_num_threads(count)


def get_num_threads():
    """The count given to set_num_threads, else the machine's CPU count."""
    return _num_threads if _num_threads is not None else os.cpu_count()
