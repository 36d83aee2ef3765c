"""PyTorch's device API over minitorch's backends, so device-agnostic PyTorch code runs.

Every backend (numpy, python, c, plugins) keeps its storage in host memory, so every
tensor is on `device("cpu")`; which backend holds it is `Tensor.backend`. A device is
named where PyTorch code names one: `Tensor.device`, factories' `device=`,
`Tensor.to(device)`, `Module.to(device)`. "cpu" is accepted everywhere and changes
nothing; any other device ("cuda", "mps", "cuda:0") is refused with an error naming the
backends. (This module is not minitorch/device.py because `minitorch.device` is the class.)
"""
from .dtype import is_name as is_dtype_name
from .dtype import resolve
from .registry import list_backends
from .tensor import Tensor

# the device types PyTorch knows, in its order; only "cpu" can hold a minitorch tensor
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
          "privateuseone")


class device:  # noqa: N801  (PyTorch's name)
    """Where a tensor's memory is, as `torch.device`: a `type` and an optional `index`.

    `device("cpu")`, `device("cpu", 0)`, `device("cpu:0")`, `device(other_device)` (also
    a torch.device, read by its type and index); an int
    names an accelerator, which minitorch has none of (RuntimeError, as PyTorch without
    one). Any PyTorch device type can be named, so `device("cuda")` can be built and
    printed, but only "cpu" can hold tensors: factories and to() refuse the others.
    Immutable and hashable; equal to a device of the same type and index, and, as in
    PyTorch, to nothing else (`device("cpu") != "cpu"`; compare `.type == "cpu"`).
    The type is positional only (no `type=` keyword).
    """

    __slots__ = ("_type", "_index")

    def __init__(self, spec, index=None):
        if index is None and isinstance(getattr(spec, "type", None), str) and \
                hasattr(spec, "index"):   # a minitorch device, or torch's (load(map_location=))
            spec, index = spec.type, spec.index
        elif isinstance(spec, int) and not isinstance(spec, bool) and index is None:
            raise RuntimeError(f"device({spec}): an int names an accelerator device, and "
                               "minitorch has none (it runs on CPU backends); use 'cpu'")
        elif not isinstance(spec, str):
            raise TypeError(f"device(): expected a device type string such as 'cpu' (and an "
                            f"optional int index) or a device, got {spec!r}")
        elif ":" in spec:
            if index is not None:
                raise RuntimeError(f"device(): {spec!r} must not include an index because "
                                   "index was passed explicitly")
            spec, _, ordinal = spec.partition(":")
            if not ordinal.isdigit():
                raise RuntimeError(f"device(): invalid device string {spec}:{ordinal!r}")
            index = int(ordinal)
        if spec not in _TYPES:
            raise RuntimeError(f"device(): unknown device type {spec!r}; expected one of "
                               f"{', '.join(_TYPES)} (a minitorch backend name goes to "
                               "backend= or Tensor.to)")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)
                                  or index < 0):
            raise RuntimeError(f"device(): the index must be a non-negative int, got "
                               f"{index!r}")
        self._type = spec
        self._index = index

    @property
    def type(self):
        """The device type: "cpu", "cuda", ..."""
        return self._type

    @property
    def index(self):
        """The device's ordinal, or None when not given."""
        return self._index

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash((self._type, self._index))

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self):
        index = "" if self._index is None else f", index={self._index}"
        return f"device(type={self._type!r}{index})"

    def __reduce__(self):
        return (device, (self._type, self._index))


CPU = device("cpu")  # every tensor's device


def check_device(spec, op_name):
    """Refuse a device (a device, a device string, an int) other than a CPU one for op_name,
    with an error naming the backends. None and CPU devices pass."""
    if spec is None:
        return
    if device(spec).type != "cpu":
        names = ", ".join(backend.name for backend in list_backends() if backend.available)
        raise RuntimeError(f"{op_name}: device {str(spec)!r} is not available: minitorch "
                           f"runs on CPU backends only ({names}). Use device='cpu' or leave "
                           "device out, and choose a backend with minitorch.set_backend(name), "
                           "backend=name or tensor.to(name)")


def _is_place(arg):
    """Whether a positional argument of to() names where to go (a device, device string,
    int or backend name) rather than a dtype."""
    if isinstance(arg, str):
        return not is_dtype_name(arg)
    return isinstance(arg, (device, int)) and not isinstance(arg, bool)


def parse_to(args, place=None, dtype=None):
    """(backend name or None, DType or None) for `Tensor.to` and `Module.to`, from PyTorch's
    forms: to(dtype), to(place), to(place, dtype), to(tensor) and the keywords device=
    and dtype=. A place is a device, a device string or a backend name: a backend name is
    returned (moving there); a CPU device returns None (every backend is CPU memory, so the
    tensor stays on its backend); any other device is refused. to(tensor) takes that
    tensor's backend and dtype. TypeError for two places, two dtypes or extra arguments.
    """
    if len(args) > 2:
        raise TypeError(f"to() takes at most 2 positional arguments (a device and a dtype), "
                        f"got {len(args)}")
    if args and isinstance(args[0], Tensor):
        if len(args) > 1 or place is not None or dtype is not None:
            raise TypeError("to(other): the tensor gives both backend and dtype; pass no "
                            "other device or dtype")
        return args[0].backend, args[0].dtype
    if args and _is_place(args[0]):
        place = _one("device", args[0], place)
        args = args[1:]
    if len(args) > 1:
        raise TypeError("to(dtype, ...): a dtype is the last positional argument (to(dtype) or "
                        "to(device, dtype))")
    if args:
        dtype = _one("dtype", args[0], dtype)
    if isinstance(place, str) and place.partition(":")[0] not in _TYPES:
        backend = place
    else:
        check_device(place, "to")
        backend = None
    return backend, (None if dtype is None else resolve(dtype))


def _one(name, positional, keyword):
    """The positional value of argument `name`, refused when the keyword gave it too."""
    if keyword is not None:
        raise TypeError(f"to() got multiple values for argument {name!r} ({positional!r} "
                        f"and {name}={keyword!r})")
    return positional
