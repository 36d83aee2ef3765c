"""The Tensor: a layout (shape, strides, offset, dtype) over a backend's storage, plus
the autograd fields. Methods are thin: the math lives in minitorch.functions."""
import ctypes
import functools
import warnings
import weakref
from numbers import Integral, Number

import numpy as np

from . import autograd, layout
from .dtype import bool_, float32, float64, get_default_dtype, int64, resolve


class Storage:
    """A backend buffer shared by a tensor and all its views.

    `version` counts in-place writes, so autograd can tell that a tensor it saved
    for backward has changed since. `graph_version` counts the in-place writes that
    autograd recorded (see autograd.rebase): a tensor made before the last of them, other
    than the one written and its base, no longer matches its graph until it is re-derived.
    """

    __slots__ = ("buffer", "backend", "size", "version", "graph_version")

    def __init__(self, buffer, backend, size):
        self.buffer = buffer
        self.backend = backend
        self.size = size
        self.version = 0
        self.graph_version = 0


class Layout:
    """How a tensor's elements lie in memory; minitorch has only `minitorch.strided`
    (shape, strides and offset over a flat storage), as torch's default layout."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"minitorch.{self.name}"


strided = Layout("strided")


class MemoryFormat:
    """The order of a dense tensor's dims in memory (torch.memory_format). minitorch's
    ops make row-major results (contiguous_format); clone, contiguous, to and the *_like
    factories can lay a copy out channels-last (NHWC for a rank-4 tensor, NDHWC for rank
    5) as torch does. preserve_format keeps the input's order in torch; here it gives
    row-major, the same values."""

    __slots__ = ("name", "rank")

    def __init__(self, name, rank=None):
        self.name = name
        self.rank = rank   # the one rank a channels-last format applies to

    def dim_order(self, ndim, op_name):
        """The dims from outermost to innermost in memory, or None for row-major."""
        if self.rank is None:
            return None
        if ndim != self.rank:
            raise RuntimeError(f"{op_name}: required rank {self.rank} tensor to use "
                               f"{self.name} format, got rank {ndim}")
        return (0,) + tuple(range(2, ndim)) + (1,)

    def __repr__(self):
        return f"minitorch.{self.name}"


contiguous_format = MemoryFormat("contiguous_format")
preserve_format = MemoryFormat("preserve_format")
channels_last = MemoryFormat("channels_last", 4)
channels_last_3d = MemoryFormat("channels_last_3d", 5)


def _buffer_address(buffer):
    """The host address of a (non-empty) backend buffer's first element: through the
    buffer protocol (numpy arrays, the python backend's array.array) or, for a buffer
    holding a cffi pointer `ptr` (the c backend), that pointer's value. A buffer offering
    neither gets its id(), which is unique while the buffer lives, as an address is."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(buffer))
    except TypeError:
        pass
    pointer = getattr(buffer, "ptr", None)
    if pointer is not None:
        return int(_cffi().cast("uintptr_t", pointer))
    return id(buffer)


@functools.lru_cache(maxsize=1)
def _cffi():
    """One cffi FFI object, made on first use (only c-backend storages need it)."""
    import cffi
    return cffi.FFI()


class UntypedStorage:
    """What `Tensor.untyped_storage()` returns: the bytes of a tensor's whole storage
    (shared with its views), as torch.UntypedStorage reports them."""

    __slots__ = ("_storage", "_itemsize")

    def __init__(self, storage, itemsize):
        self._storage = storage
        self._itemsize = itemsize

    def data_ptr(self):
        """The address of the storage's first byte (equal for every view of it)."""
        if self._storage.size == 0:
            return 0   # torch's address of an empty storage
        return _buffer_address(self._storage.buffer)

    def nbytes(self):
        return self._storage.size * self._itemsize

    def size(self):
        """In bytes, as torch's untyped storage counts."""
        return self.nbytes()

    def __len__(self):
        return self.nbytes()


# the names `Tensor.type()` reports and accepts, as PyTorch's legacy tensor types
_LEGACY_NAMES = {float32: "FloatTensor", float64: "DoubleTensor", int64: "LongTensor",
                 bool_: "BoolTensor"}

# what `tensor.data = other` takes from other: everything but identity and autograd state
_LAYOUT_SLOTS = ("_storage", "shape", "_strides", "_offset", "dtype", "_view", "_compact",
                 "_graph_version")


def fits_as_gradient(gradient, tensor):
    """Whether the Tensor `gradient` can be tensor's .grad: the same shape, dtype and
    backend."""
    return (gradient.shape == tensor.shape and gradient.dtype is tensor.dtype
            and gradient._storage.backend is tensor._storage.backend)


class Tensor:
    """An n-dimensional array with autograd, on one backend.

    `Tensor(data)` accepts what `minitorch.tensor` accepts (numpy arrays, nested lists,
    numbers) and keeps the original project's spelling working. Like `torch.Tensor`, it
    stores floating data in the default float dtype (float32 unless
    set_default_dtype changed it, so `Tensor(X / 255)` is float32);
    integer and bool data keep their kind, so labels stay int64.
    """

    # _base: None, or for a view (a tensor made over another's memory by a view op) the
    # tensor it was taken from, never itself a view, as PyTorch's Tensor._base; an
    # in-place op recorded on a view rewrites the base's graph too (autograd.rebase)
    __slots__ = ("_storage", "shape", "_strides", "_offset", "dtype", "_requires_grad",
                 "_grad", "_ctx", "_view", "_compact", "_retains_grad", "_graph_version",
                 "_base", "__weakref__")

    __array_priority__ = 1000  # numpy defers `ndarray + Tensor` to Tensor.__radd__

    def __init__(self, data, dtype=None, requires_grad=False):
        from .creation import tensor as make_tensor
        if dtype is None and np.asarray(data).dtype.kind == "f":
            dtype = get_default_dtype()
        made = make_tensor(data, dtype=dtype, requires_grad=requires_grad)
        for slot in Tensor.__slots__[:-1]:
            setattr(self, slot, getattr(made, slot))

    # ---- metadata -----------------------------------------------------------------------
    @property
    def backend(self):
        """Name of the backend holding this tensor's storage."""
        return self._storage.backend.name

    @property
    def device(self):
        """`minitorch.device("cpu")` on every backend, since every backend keeps its storage
        in host memory; which backend holds the tensor is `.backend`."""
        return devices.CPU

    @property
    def is_cuda(self):
        """False: minitorch tensors are never on a CUDA device."""
        return False

    @property
    def ndim(self):
        return len(self.shape)

    def dim(self):
        return len(self.shape)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self.shape[layout.normalize_dim(dim, self.ndim, "size")]

    def numel(self):
        return layout.numel(self.shape)

    def stride(self, dim=None):
        if dim is None:
            return self._strides
        return self._strides[layout.normalize_dim(dim, self.ndim, "stride")]

    def storage_offset(self):
        return self._offset

    def is_contiguous(self, memory_format=contiguous_format):
        """Whether the elements lie compact in memory_format's dim order (row-major by
        default; size-1 dims ignored)."""
        order = None if memory_format is contiguous_format else \
            memory_format.dim_order(self.ndim, "is_contiguous")
        if order is None:
            return layout.is_contiguous(self.shape, self._strides)
        return layout.is_contiguous(tuple([self.shape[d] for d in order]),
                                    tuple([self._strides[d] for d in order]))

    @property
    def is_leaf(self):
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    @property
    def T(self):
        return functions.reversed_dims(self)

    @property
    def mT(self):
        return self.transpose(-2, -1)

    @property
    def H(self):  # noqa: N802  (PyTorch's name)
        """The transpose of a matrix (conjugate: a no-op, minitorch being real); a 0-d
        tensor is its own, other ranks are refused, as PyTorch."""
        if self.ndim == 0:
            return self
        if self.ndim != 2:
            raise ValueError(f"H: only supported on matrices (2-d tensors), got a "
                             f"{self.ndim}-d tensor")
        return functions.t(self)

    @property
    def mH(self):  # noqa: N802  (PyTorch's name)
        """The transpose of the last two dims (a matrix or a batch of them)."""
        return functions.matrix_transpose(self, "mH")

    @property
    def is_cpu(self):
        """True: every backend keeps its storage in host memory."""
        return True

    def is_signed(self):
        """Whether the dtype holds negative numbers: all but bool."""
        return self.dtype is not bool_

    def is_floating_point(self):
        return self.dtype.is_floating_point

    # constant facts of minitorch's memory model: strided host memory, dense, real
    is_sparse = is_quantized = is_meta = is_mkldnn = is_nested = False
    layout = strided

    def get_device(self):
        """-1, torch's answer for a CPU tensor (every backend is host memory)."""
        return -1

    def is_inference(self):
        """False: inference_mode works as no_grad here and makes no inference tensors."""
        return False

    @property
    def output_nr(self):
        """Which output of its grad_fn this tensor is: 0 for a leaf and for every op's
        result (minitorch's ops return one tensor each), the position for one of several
        outputs of a user-defined autograd.Function."""
        from .autograd.function import _OutputSlot
        return self._ctx.index if isinstance(self._ctx, _OutputSlot) else 0

    def data_ptr(self):
        """The address of this tensor's first element: the storage's address plus
        storage_offset() * element_size(), so views at the same start share it, as in
        torch. For a backend buffer without a host address, the storage's stand-in from
        untyped_storage().data_ptr() (see _buffer_address)."""
        return self.untyped_storage().data_ptr() + self._offset * self.dtype.itemsize

    def untyped_storage(self):
        """The storage this tensor shares with its views (data_ptr(), nbytes(), size())."""
        return UntypedStorage(self._storage, self.dtype.itemsize)

    def is_pinned(self):
        """False: page-locked memory is a CUDA notion; minitorch has no CUDA."""
        return False

    def pin_memory(self, device=None):
        """Refused, as torch does without an accelerator."""
        raise RuntimeError("pin_memory: pinned memory needs an accelerator device, and "
                           "minitorch has none (tensors are already in host memory)")

    def is_shared(self):
        """False: storages live in their backend's private memory; DataLoader workers
        send batches by pickling rather than through shared memory."""
        return False

    def share_memory_(self):
        """self, unchanged: minitorch does not move storages to shared memory (see
        is_shared); kept so code written for torch runs."""
        return self

    # ---- conversion ---------------------------------------------------------------------
    def numpy(self, *, force=False):
        """The values as a NumPy array; force=True also converts a tensor that requires
        grad (its detached values), as PyTorch."""
        if self.requires_grad and not force:
            raise RuntimeError("numpy(): can't call numpy() on a tensor that requires grad; "
                               "use tensor.detach().numpy()")
        return dispatch.to_numpy(self)

    def __array__(self, dtype=None, copy=None):
        array = dispatch.to_numpy(self)
        return array if dtype is None else array.astype(dtype, copy=False)

    def tolist(self):
        return dispatch.to_numpy(self).tolist()

    def item(self):
        """The one element as a Python number (RuntimeError otherwise, as torch's)."""
        self._check_one_element(RuntimeError, "item()")
        return dispatch.to_numpy(self).reshape(-1)[0].item()

    def _check_one_element(self, error, caller):
        if self.numel() != 1:
            raise error(f"{caller}: a Tensor with {self.numel()} elements cannot be "
                        "converted to a Python scalar (it must have exactly one)")

    def __float__(self):
        self._check_one_element(ValueError, "float()")   # torch's class here
        return float(self.item())

    def __int__(self):
        self._check_one_element(ValueError, "int()")
        return int(self.item())

    def __index__(self):
        if self.dtype not in (int64, bool_) or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted "
                            "to an index")
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.numel()} elements is "
                               "ambiguous; use .any() or .all()")
        return bool(self.item())

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __contains__(self, element):
        """element in tensor: whether any element equals it (a Tensor or a number)."""
        if not isinstance(element, (Tensor, Number)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but "
                               f"you passed in a {type(element)}.")
        return bool((self == element).any().item())

    def __repr__(self):
        from .printing import tensor_repr
        return tensor_repr(self)

    # identity hashing (tensors key optimizer state and autograd's tables), kept at C
    # speed: defining __eq__ as an elementwise op would otherwise drop the inherited one
    __hash__ = object.__hash__

    def __reduce__(self):
        return (_rebuild, (self.detach().numpy(), self.dtype.name, self.requires_grad,
                           self.backend))

    def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False,
           memory_format=preserve_format):
        """PyTorch's to(): to(dtype), to(device), to(device, dtype), to(other) (its backend
        and dtype), device= and dtype= as keywords. Where a device goes, a backend name
        ("numpy", "python", "c") moves the tensor to that backend; "cpu" or
        `minitorch.device("cpu")` keeps it on its own one (every backend is CPU memory);
        other devices ("cuda") are refused. memory_format other than preserve_format lays
        the result out in that format (see contiguous). Returns self when nothing
        changes, unless copy=True; non_blocking is ignored (every copy is synchronous).
        """
        backend, dtype = devices.parse_to(args, device, dtype)
        result = self if backend is None else functions.to_backend(self, backend)
        if dtype is not None:
            result = functions.cast(result, dtype)
        if memory_format is not preserve_format:
            result = functions.contiguous(result, memory_format)
        return functions.clone(result) if copy and result is self else result

    def cpu(self):
        """self, as PyTorch returns for a tensor already on the CPU: every backend is."""
        return self

    def cuda(self, device=None, non_blocking=False):
        """Always a RuntimeError, whatever the arguments (kept for torch's signature):
        minitorch runs on CPU backends only (see devices.check_device); use to(backend
        name) to change backend."""
        devices.check_device("cuda", "Tensor.cuda")

    def float(self):
        return functions.cast(self, float32)

    def double(self):
        return functions.cast(self, float64)

    def long(self):
        return functions.cast(self, int64)

    def bool(self):
        return functions.cast(self, bool_)

    def type_as(self, other):
        return functions.cast(self, other.dtype)

    def type(self, dtype=None):
        """type(): the legacy type name ("minitorch.FloatTensor"); type(dtype) converts,
        with dtype a DType, a dtype name or one of those legacy names (as to(dtype))."""
        if dtype is None:
            return f"minitorch.{_LEGACY_NAMES[self.dtype]}"
        if isinstance(dtype, str) and dtype.startswith("minitorch."):
            legacy = {name: kind for kind, name in _LEGACY_NAMES.items()}
            if dtype[len("minitorch."):] not in legacy:
                valid = ", ".join(f"minitorch.{name}" for name in legacy)
                raise ValueError(f"type(): invalid type {dtype!r}; valid ones are {valid}")
            dtype = legacy[dtype[len("minitorch."):]]
        return functions.cast(self, resolve(dtype))

    def element_size(self):
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        """Bytes of this tensor's elements (not of the whole storage a view shares)."""
        return self.numel() * self.dtype.itemsize

    # ---- autograd -----------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate gradients of this tensor into the .grad of every leaf it came from
        (only into those of `inputs`, when given): minitorch.autograd.backward(self, ...).

        The graph is freed as it is used unless retain_graph=True, which a second
        backward through the same graph needs.
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def _gradient_seed(self, gradient, caller, index=0):
        """The gradient a backward pass from this tensor (output `index` of `caller`)
        starts from: ones for gradient=None (one element only), else gradient (a Tensor
        or data) checked for shape and backend, detached and cast to this dtype, as
        PyTorch's engine does."""
        if not self.requires_grad:
            raise RuntimeError(f"{caller}(): element {index} of tensors does not require "
                               "grad and has no grad_fn; call requires_grad_() on the "
                               "leaves first")
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(f"{caller}(): grad can be implicitly created only for "
                                   f"scalar outputs, but this tensor has shape "
                                   f"{tuple(self.shape)}; pass a gradient")
            return dispatch.fill(1, self.shape, self.dtype, self._storage.backend)
        if not isinstance(gradient, Tensor):
            gradient = creation.tensor(gradient, dtype=self.dtype, backend=self.backend)
        if gradient.shape != self.shape:
            raise RuntimeError(f"{caller}(): gradient has shape {tuple(gradient.shape)} but "
                               f"the tensor has shape {tuple(self.shape)}")
        if gradient.backend != self.backend:
            raise RuntimeError(f"{caller}(): gradient is on backend {gradient.backend!r} but "
                               f"the tensor is on {self.backend!r}; move it with "
                               f".to({self.backend!r})")
        return gradient.detach().to(self.dtype)

    def register_hook(self, hook):
        """hook(grad) -> None or a replacement gradient, called each time the gradient
        w.r.t. this tensor is computed; returns a handle whose remove() unregisters it
        (see minitorch.autograd.register_hook)."""
        return autograd.register_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(self) after each backward pass that updated self.grad (a leaf); returns
        a handle whose remove() unregisters it (see
        minitorch.autograd.register_post_accumulate_grad_hook)."""
        return autograd.register_post_accumulate_grad_hook(self, hook)

    @property
    def requires_grad(self):
        """Whether autograd records the ops this tensor takes part in. Set it on leaves;
        a tensor an op computed from one that requires grad requires grad itself, and its
        flag cannot change (detach() gives a tensor that does not)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad):
        if not isinstance(requires_grad, bool):
            raise RuntimeError(f"requires_grad must be a bool, got "
                               f"{type(requires_grad).__name__}")
        if self._ctx is not None:
            raise RuntimeError("requires_grad: you can only change requires_grad flags of "
                               "leaf tensors (this one was computed by "
                               f"{self._ctx.name()}); use detach() for a tensor that does "
                               "not require grad")
        self.requires_grad_(requires_grad)

    def requires_grad_(self, requires_grad=True):
        """Set this leaf's flag in place and return it. requires_grad must be a bool (as
        in PyTorch: a truthy str or int is refused, not read as True); True needs a
        floating-point dtype, False a leaf."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_(): argument 'requires_grad' must be a bool, "
                            f"got {type(requires_grad).__name__}; pass True or False")
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(f"requires_grad_(): only floating point tensors can require "
                               f"gradients, this one is {self.dtype.name}")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False): this is not a leaf tensor; use "
                               "detach()")
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The gradient backward passes accumulated into this tensor (a leaf, or a
        non-leaf that called retain_grad()); None until one arrives. Reading it on any
        other non-leaf warns, as in PyTorch: it is a common slip, and stays None."""
        gradient = self._grad
        if gradient is None and self._ctx is not None and not self._retains_grad:
            warnings.warn(
                "grad: the .grad of a tensor that is not a leaf (computed by "
                f"{self._ctx.name()}) is being read; backward does not fill it in. Call "
                ".retain_grad() on it before backward to keep its gradient, or read the "
                ".grad of the leaf tensor you meant", UserWarning, stacklevel=2)
        return gradient

    @grad.setter
    def grad(self, gradient):
        """Refuses, as PyTorch, a gradient that could not be this tensor's: not a Tensor,
        or of another shape, dtype or backend."""
        if gradient is not None:
            if not isinstance(gradient, Tensor):
                raise TypeError(f"grad: expected a Tensor or None, got "
                                f"{type(gradient).__name__}")
            if not fits_as_gradient(gradient, self):
                raise RuntimeError(
                    f"grad: cannot assign a gradient of shape {layout.format_shape(gradient.shape)} "
                    f"({gradient.dtype.name}, on {gradient.backend!r}) to a tensor of shape "
                    f"{layout.format_shape(self.shape)} ({self.dtype.name}, on {self.backend!r}); "
                    "the gradient must match the tensor's shape, dtype and backend")
        self._grad = gradient

    @grad.deleter
    def grad(self):
        self._grad = None

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("retain_grad(): can't retain_grad on a tensor that has "
                               "requires_grad=False")
        self._retains_grad = True
        if self._ctx is not None:
            autograd.node_hooks(self._ctx).retaining = weakref.ref(self)

    @property
    def retains_grad(self):
        """Whether retain_grad() asked for this non-leaf's .grad to be kept."""
        return self._retains_grad and self._ctx is not None

    def detach(self):
        """The same data (shared storage), cut from the graph; not a view for autograd
        (`_base` is None), as in PyTorch."""
        return dispatch.alias(self)

    @property
    def _version(self):
        """How many in-place writes this tensor's memory has had (shared with its views,
        detach() and .data), which autograd compares against the count a saved tensor
        had when saved, as PyTorch's version counter."""
        return self._storage.version

    @property
    def data(self):
        """PyTorch's `.data`: this tensor's memory seen outside the graph (as detach()),
        so `param.data -= lr * param.grad` updates a leaf that requires grad. Unlike
        PyTorch, a write through it still counts as an in-place change for a backward
        that saved this tensor (an error instead of a silently wrong gradient)."""
        return self.detach()

    @data.setter
    def data(self, tensor):
        """Point this tensor at `tensor`'s memory, layout and dtype, keeping its identity,
        requires_grad and .grad (Module.to() moves parameters this way, so optimizers
        holding them see the new values)."""
        if not isinstance(tensor, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(tensor).__name__}")
        if self.requires_grad and not tensor.dtype.is_floating_point:
            raise TypeError(f"data: a tensor that requires grad needs floating point data, "
                            f"got {tensor.dtype.name}")
        for slot in _LAYOUT_SLOTS:
            setattr(self, slot, getattr(tensor, slot))
        self._base = None   # the memory is now this tensor's own, not a view's (as torch)

    def detach_(self):
        """Cut this tensor from the graph in place (it becomes a leaf that does not
        require grad); refused for a view, as in PyTorch."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._requires_grad = False
        self._ctx = None
        return self

    def zero_(self):
        return self.fill_(0)

    def new(self, *args):
        """The legacy constructor: new() an empty 1-d tensor, new(size, ...) a
        zero-filled one of that size, new(data) a copy of data (a sequence, an array) or
        a tensor sharing a Tensor's memory; all of this tensor's dtype and backend (see
        legacy_construct)."""
        return legacy_construct("new", self.dtype, args, self.backend)

    def index_put(self, indices, values, accumulate=False):
        """Out-of-place index_put_: a copy of self with copy[indices] = values (+= with
        accumulate=True); gradients flow to self and values."""
        return functions.clone(self).index_put_(indices, values, accumulate)

    def narrow_copy(self, dim, start, length):
        """narrow(dim, start, length) as a new contiguous tensor (not a view)."""
        return functions.clone(functions.narrow(self, dim, start, length))

    def resize_(self, *sizes, memory_format=None):
        """Give this tensor the contiguous shape `sizes` (ints or one sequence of them)
        starting at its storage offset, as torch's resize_: the elements kept are those
        the storage already holds there. When the storage is too small, this tensor moves
        to a new, larger storage holding a copy of the old one (the added elements are
        zeros, where torch leaves them uninitialised); unlike torch, other tensors that
        shared the old storage keep it and do not see later writes. Refused for a tensor
        that requires grad, as in torch."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        if not all(isinstance(size, Integral) and size >= 0 for size in sizes):
            raise ValueError(f"resize_: sizes must be non-negative ints, got {sizes}")
        if memory_format is not None:
            raise NotImplementedError("resize_: memory_format is not supported "
                                      "(minitorch tensors are row-major)")
        if self.requires_grad:
            raise RuntimeError("resize_: cannot resize a tensor that requires grad")
        strides, count = layout.contiguous_layout(tuple(sizes))
        storage = self._storage
        if self._offset + count > storage.size:
            grown = dispatch.fill(0, (self._offset + count,), self.dtype, storage.backend)
            whole = dispatch.view_of(self, (storage.size,), (1,), 0)
            dispatch.copy_into(whole, (1,), whole.shape, grown, (1,), 0)
            storage = grown._storage
        resized = dispatch._tensor(storage, tuple(sizes), strides, self._offset, self.dtype)
        for slot in _LAYOUT_SLOTS:
            setattr(self, slot, getattr(resized, slot))
        storage.version += 1
        return self

    def resize_as_(self, other, memory_format=None):
        """resize_(other's shape)."""
        return self.resize_(other.shape, memory_format=memory_format)

    def new_empty_strided(self, size, stride, dtype=None, requires_grad=False, backend=None):
        """An uninitialised (zero-filled) tensor with that size and stride, with this
        tensor's dtype and backend unless given (see minitorch.empty_strided)."""
        return creation.empty_strided(size, stride, dtype=dtype or self.dtype,
                                      requires_grad=requires_grad,
                                      backend=backend or self.backend)

    def apply_(self, callable):  # noqa: A002  (PyTorch's parameter name)
        """Replace each element x by callable(x), run on the host one element at a time
        (slow, as in PyTorch; not recorded by autograd, so refused on a tensor that
        requires grad)."""
        return self._mapped_in_place("apply_", callable)

    def map_(self, tensor, callable):  # noqa: A002
        """Replace each element x by callable(x, y), y the element of `tensor` (broadcast
        to this shape) at the same position, run on the host (see apply_)."""
        others = np.broadcast_to(dispatch.to_numpy(tensor), self.shape)
        return self._mapped_in_place("map_", callable, others)

    def _mapped_in_place(self, op_name, function, *others):
        if self.requires_grad:
            raise RuntimeError(f"{op_name}: can't be called on a tensor that requires grad; "
                               f"use tensor.detach().{op_name}(...)")
        values = [function(*items) for items in zip(
            dispatch.to_numpy(self).reshape(-1).tolist(),
            *(other.reshape(-1).tolist() for other in others))]
        result = creation.tensor(np.array(values).reshape(self.shape), self.dtype,
                                 backend=self.backend)
        return self.copy_(result)


def legacy_construct(op_name, dtype, args, backend=None):
    """What the legacy constructors (minitorch.FloatTensor(...), Tensor.new(...)) build
    from args, as torch's: nothing gives an empty 1-d tensor, ints a zero-filled tensor
    of that size, a Tensor of that dtype a tensor sharing its memory (another dtype is
    refused), one other argument (a sequence, a plain tuple included, an array) a
    tensor of its values."""
    if all(isinstance(size, Integral) and not isinstance(size, (bool, np.bool_))
           for size in args):
        return creation.zeros(*args or (0,), dtype=dtype, backend=backend)
    if len(args) != 1:
        raise TypeError(f"{op_name}: expected sizes (ints) or one data argument, got "
                        f"({', '.join(type(arg).__name__ for arg in args)})")
    data = args[0]
    if isinstance(data, Tensor):
        if data.dtype is not dtype:
            raise TypeError(f"{op_name}: expected a {dtype.name} tensor, got a "
                            f"{data.dtype.name} one (convert it with .to())")
        return data.detach()   # shares data's memory, as torch's
    return creation.tensor(data, dtype=dtype, backend=backend)


def is_tensor(obj):
    """True when obj is a minitorch Tensor (or a Parameter)."""
    return isinstance(obj, Tensor)


def _rebuild(array, dtype_name, requires_grad, backend=None):
    """A pickled tensor back, on its backend (the default one for a pickle that names
    none)."""
    from .creation import tensor as make_tensor
    return make_tensor(array, dtype=dtype_name, requires_grad=requires_grad, backend=backend)


# The ops themselves (math, views, reductions, indexing) are defined once in
# minitorch.functions, which also installs them as Tensor methods.
from . import creation, devices, dispatch, functions  # noqa: E402  (they need Tensor)
