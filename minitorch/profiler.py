"""Which ops, backward nodes and backend kernels a program runs, and how long each takes:
torch.profiler's API (also `minitorch.autograd.profiler`, torch's legacy path).

    with minitorch.profiler.profile(record_shapes=True) as prof:
        with minitorch.profiler.record_function("step"):
            loss = model(x).sum()
            loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))

While a profile records, and only then, it wraps the places every computation passes
through, and on stop puts the originals back (also when the block raises), so code that
is not profiled runs exactly as without this module:

- `Function.apply` (and the `apply` of each user-defined Function class): one event per
  op, named in snake case after its class ("mul", "linear", "cross_entropy"; a user
  Function by its class name, as torch does);
- `backward` and `differentiable_backward` of every Function class: one event per node
  the backward pass runs, named as its `grad_fn` ("MulBackward");
- each kernel attribute of every loaded backend record (`registry.Backend`): one event
  per kernel call, "backend::kernel", with the op for the kernels that take one as their
  first argument ("numpy::binary(mul)");
- `step` of the optimizer classes: "Optimizer.step#SGD.step", as in torch.

Each event's children are the events that began and ended inside it on the same thread;
its self time is its total time minus its children's. Times are microseconds.
"""
import enum
import functools
import json
import os
import re
import threading
import time
import traceback

from . import registry
from .autograd.node import Function
from .contract import OPTIONAL_KERNELS, REQUIRED_KERNELS


class ProfilerActivity(enum.Enum):
    """What a profile records; minitorch runs on the CPU only."""
    CPU = "CPU"


_active = [None]   # the profile recording now, or None
_PACKAGE_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
_OP_NAMES = {"MatMul": "matmul"}   # where the snake case of the class is not the op's name


@functools.lru_cache(maxsize=None)
def _op_name(op_class):
    """"CrossEntropy" -> "cross_entropy", "_LogSigmoid" -> "log_sigmoid"."""
    name = op_class.__name__
    return _OP_NAMES.get(name) or re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.lstrip("_")).lower()


def _shapes(arguments):
    """torch's input_shapes: a tensor's shape as a list, a list of them for a sequence of
    tensors, [] for anything else."""
    def shape_of(argument):
        if hasattr(argument, "_storage"):
            return list(argument.shape)
        if isinstance(argument, (list, tuple)) and argument and all(
                hasattr(item, "_storage") for item in argument):
            return [list(item.shape) for item in argument]
        return []
    return [shape_of(argument) for argument in arguments]


def _user_stack():
    """The Python frames outside minitorch that led here, innermost first, as
    "file(line): function"."""
    frames = [frame for frame in traceback.extract_stack()
              if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIRECTORY)]
    return [f"{frame.filename}({frame.lineno}): {frame.name}" for frame in reversed(frames)]


def _allocated_bytes(kernel, arguments):
    """The bytes an allocating kernel call (empty(size, dtype), from_numpy(array)) takes;
    0 for any other kernel."""
    if kernel == "empty":
        size, dtype = arguments[:2]
        return size * dtype.itemsize
    if kernel == "from_numpy":
        return arguments[0].nbytes
    return 0


class FunctionEvent:
    """One recorded range: an op ("op"), a backward node ("backward"), a kernel call
    ("kernel") or a record_function range ("user_annotation"). Times in microseconds;
    `cpu_parent` is the range it ran inside (None at the top), `cpu_children` the ranges
    that ran inside it. `input_shapes` is filled for ops when the profile records shapes,
    `stack` (innermost frame first) when it records stacks, `self_cpu_memory_usage` (the
    bytes the allocating kernels took) when it profiles memory."""

    __slots__ = ("name", "kind", "thread", "start_us", "end_us", "input_shapes", "stack",
                 "cpu_parent", "cpu_children", "self_cpu_memory_usage", "source")
    count = 1

    def __init__(self, name, kind, thread, source):
        self.name, self.kind, self.thread, self.source = name, kind, thread, source
        self.start_us = self.end_us = None
        self.input_shapes = []
        self.stack = []
        self.cpu_parent = None
        self.cpu_children = []
        self.self_cpu_memory_usage = 0

    @property
    def key(self):
        return self.name

    @property
    def cpu_time_total(self):
        return self.end_us - self.start_us

    cpu_time = cpu_time_total

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    @property
    def cpu_memory_usage(self):
        return self.self_cpu_memory_usage + sum(child.cpu_memory_usage
                                                for child in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent {self.name} ({self.kind}) cpu_time_total="
                f"{self.cpu_time_total:.3f}us self_cpu_time_total="
                f"{self.self_cpu_time_total:.3f}us children={len(self.cpu_children)}>")


class FunctionEventAvg:
    """The events of one key added up: `count` calls, their `cpu_time_total`,
    `self_cpu_time_total` and memory; `cpu_time` is the average total per call."""

    def __init__(self, key, input_shapes, stack):
        self.key, self.input_shapes, self.stack = key, input_shapes, stack
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0

    def add(self, event):
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.cpu_memory_usage += event.cpu_memory_usage
        self.self_cpu_memory_usage += event.self_cpu_memory_usage

    @property
    def cpu_time(self):
        return self.cpu_time_total / self.count

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} count={self.count} cpu_time_total="
                f"{self.cpu_time_total:.3f}us self_cpu_time_total="
                f"{self.self_cpu_time_total:.3f}us>")


_SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "count",
              "cpu_memory_usage", "self_cpu_memory_usage")


class EventList(list):
    """A list of FunctionEvents (or of FunctionEventAvgs, from key_averages) with
    torch's summaries. `with_shapes` / `with_memory` say whether table() shows the
    input shapes and memory columns."""

    def __init__(self, events=(), with_shapes=False, with_memory=False):
        super().__init__(events)
        self.with_shapes, self.with_memory = with_shapes, with_memory

    @property
    def self_cpu_time_total(self):
        return sum(event.self_cpu_time_total for event in self)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """One FunctionEventAvg per name (and per input shapes when
        group_by_input_shape, per innermost group_by_stack_n stack frames when that is
        positive), in order of first appearance."""
        averages = {}
        for event in self:
            shapes = event.input_shapes if group_by_input_shape else []
            stack = event.stack[:group_by_stack_n] if group_by_stack_n > 0 else []
            key = (event.name, str(shapes), tuple(stack))
            if key not in averages:
                averages[key] = FunctionEventAvg(event.name, shapes, stack)
            averages[key].add(event)
        return EventList(averages.values(), with_shapes=group_by_input_shape,
                         with_memory=self.with_memory)

    def table(self, sort_by=None, row_limit=100, header=None):
        """The rows as a text table: name, self CPU time (and its share of the total
        self time), CPU time total (and share), average, memory (when profiled), calls,
        input shapes (when grouped by them). sort_by (descending) is one of _SORT_KEYS,
        None keeps the list's order; row_limit < 0 shows every row."""
        if sort_by is not None and sort_by not in _SORT_KEYS:
            raise ValueError(f"table: sort_by must be None or one of {', '.join(_SORT_KEYS)}, "
                             f"got {sort_by!r}")
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda row: getattr(row, sort_by), reverse=True)
        if row_limit >= 0:
            rows = rows[:row_limit]
        everything = self.self_cpu_time_total or 1.0   # an empty profile: no division by 0
        columns = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
                   "CPU time avg"]
        if self.with_memory:
            columns += ["CPU Mem", "Self CPU Mem"]
        columns.append("# of Calls")
        if self.with_shapes:
            columns.append("Input Shapes")
        cells = []
        for row in rows:
            line = [row.key, f"{100 * row.self_cpu_time_total / everything:.2f}%",
                    _format_time(row.self_cpu_time_total),
                    f"{100 * row.cpu_time_total / everything:.2f}%",
                    _format_time(row.cpu_time_total), _format_time(row.cpu_time)]
            if self.with_memory:
                line += [_format_memory(row.cpu_memory_usage),
                         _format_memory(row.self_cpu_memory_usage)]
            line.append(str(row.count))
            if self.with_shapes:
                line.append(str(row.input_shapes))
            cells.append(line)
        widths = [max([len(column)] + [len(line[i]) for line in cells])
                  for i, column in enumerate(columns)]
        rule = "  ".join("-" * width for width in widths)
        left_aligned = {0, len(columns) - 1} if self.with_shapes else {0}   # not numbers

        def render(line):
            return "  ".join(cell.ljust(width) if i in left_aligned else cell.rjust(width)
                             for i, (cell, width) in enumerate(zip(line, widths)))
        lines = ([header] if header else []) + [rule, render(columns), rule]
        lines += [render(line) for line in cells]
        lines += [rule, f"Self CPU time total: {_format_time(self.self_cpu_time_total)}"]
        return "\n".join(lines) + "\n"

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON, chrome://tracing or Perfetto): one
        complete event ("ph": "X", "ts" and "dur" in microseconds) per range."""
        trace = [{"name": event.name, "cat": event.kind, "ph": "X", "ts": event.start_us,
                  "dur": event.cpu_time_total, "pid": os.getpid(), "tid": event.thread,
                  "args": {"Input Dims": event.input_shapes} if event.input_shapes else {}}
                 for event in self]
        with open(path, "w") as file:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, file)


def _format_time(microseconds):
    if microseconds >= 1e6:
        return f"{microseconds / 1e6:.3f}s"
    if microseconds >= 1e3:
        return f"{microseconds / 1e3:.3f}ms"
    return f"{microseconds:.3f}us"


def _format_memory(size):
    for unit, scale in (("Gb", 1 << 30), ("Mb", 1 << 20), ("Kb", 1 << 10)):
        if abs(size) >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size} b"


class profile:
    """torch.profiler.profile: records, between start() and stop() (or in a `with`
    block), every op, backward node, backend kernel call, optimizer step and
    record_function range (see the module docstring).

    activities: None or ProfilerActivity members (CPU, the only one). record_shapes:
    keep each op's input shapes. profile_memory: keep the bytes each allocating kernel
    call took (allocations only; frees are not seen). with_stack: keep the Python frames
    outside minitorch that led to each range. on_trace_ready(prof) runs at stop().
    schedule (wait/warmup/active cycles) is not supported. One profile records at a
    time. step() counts steps (`step_num`), as torch's does without a schedule.
    Kernels are recorded for the backends already loaded when recording starts.
    """

    def __init__(self, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False):
        activities = [ProfilerActivity.CPU] if activities is None else list(activities)
        wrong = [activity for activity in activities
                 if not isinstance(activity, ProfilerActivity)]
        if wrong:
            raise ValueError(f"profile: activities must be ProfilerActivity members "
                             f"(minitorch has only ProfilerActivity.CPU), got {wrong}")
        if schedule is not None:
            raise NotImplementedError("profile: schedule is not supported; record the "
                                      "steps you want with start() and stop()")
        if on_trace_ready is not None and not callable(on_trace_ready):
            raise TypeError(f"profile: on_trace_ready must be callable, got "
                            f"{type(on_trace_ready).__name__}")
        self.activities = set(activities)
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.with_stack = with_stack
        self.step_num = 0
        self._events = []
        self._patched = []   # (owner, attribute, original value) to put back on stop
        self._open = threading.local()   # .stack: this thread's unfinished events

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exception):
        self.stop()
        return False

    def start(self):
        """Start recording (dropping what an earlier recording kept)."""
        if _active[0] is not None:
            raise RuntimeError("profile.start: another profile is already recording; "
                               "stop it first (profiles do not nest)")
        self._events = []
        self._open = threading.local()
        try:
            self._wrap_everything()
        except BaseException:
            self._unwrap_everything()
            raise
        _active[0] = self

    def stop(self):
        """Stop recording and put every wrapped function back; ranges still open end now."""
        if _active[0] is not self:
            raise RuntimeError("profile.stop: this profile is not recording")
        _active[0] = None
        self._unwrap_everything()
        now = time.perf_counter_ns() / 1000
        for event in self._events:
            if event.end_us is None:
                event.end_us = now
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self):
        """Mark the end of one training step (counted in step_num)."""
        self.step_num += 1

    def events(self):
        """Every recorded event, in the order they began."""
        return EventList(self._events, with_memory=self.profile_memory)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """The events added up per name (see EventList.key_averages)."""
        if group_by_input_shape and not self.record_shapes:
            raise RuntimeError("key_averages: group_by_input_shape=True needs a profile "
                               "made with record_shapes=True")
        if group_by_stack_n > 0 and not self.with_stack:
            raise RuntimeError("key_averages: group_by_stack_n needs a profile made with "
                               "with_stack=True")
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        self.events().export_chrome_trace(path)

    # ---- recording ----------------------------------------------------------------------

    def _begin(self, name, kind, arguments=(), source=None):
        """Open an event inside this thread's innermost open one. The clock is read last,
        so the bookkeeping is not counted in the range."""
        stack = getattr(self._open, "stack", None)
        if stack is None:
            stack = self._open.stack = []
        event = FunctionEvent(name, kind, threading.get_ident(), source)
        if stack:
            event.cpu_parent = stack[-1]
            stack[-1].cpu_children.append(event)
        if self.record_shapes and kind == "op":
            event.input_shapes = _shapes(arguments)
        if self.with_stack:
            event.stack = _user_stack()
        stack.append(event)
        self._events.append(event)
        event.start_us = time.perf_counter_ns() / 1000
        return event

    def _end(self, event):
        event.end_us = time.perf_counter_ns() / 1000
        stack = self._open.stack
        if stack[-1] is event:
            stack.pop()
        else:   # a record_function closed out of order
            stack.remove(event)

    def _inside(self, source):
        """Whether this thread's innermost open event was opened for `source` (an id):
        a method calling its overridden version records once."""
        stack = getattr(self._open, "stack", None)
        return bool(stack) and stack[-1].source == source

    def _replace(self, owner, attribute, value):
        self._patched.append((owner, attribute, owner.__dict__[attribute]))
        setattr(owner, attribute, value)

    def _wrap_everything(self):
        from .optim.optimizer import Optimizer   # optim is built on the layers that import us
        for op_class in _subclasses(Function):
            if isinstance(op_class.__dict__.get("apply"), classmethod):
                user_defined = op_class is not Function
                self._replace(op_class, "apply", self._recorded_apply(
                    op_class.__dict__["apply"].__func__, user_defined))
            for method in ("backward", "differentiable_backward"):
                original = op_class.__dict__.get(method)
                if original is not None and not isinstance(original, staticmethod):
                    self._replace(op_class, method, self._recorded_method(
                        original, "backward", _node_name))
        for backend in registry.list_backends():
            if not backend.loaded:   # listing does not load a backend; nor does this
                continue
            for kernel in REQUIRED_KERNELS + tuple(OPTIONAL_KERNELS):
                original = backend.__dict__.get(kernel)
                if original is not None:
                    self._replace(backend, kernel, self._recorded_kernel(
                        f"{backend.name}::{kernel}", kernel, original))
        for optimizer_class in _subclasses(Optimizer):
            if "step" in optimizer_class.__dict__:
                self._replace(optimizer_class, "step", self._recorded_method(
                    optimizer_class.__dict__["step"], "user_annotation", _step_name))

    def _unwrap_everything(self):
        while self._patched:
            owner, attribute, original = self._patched.pop()
            setattr(owner, attribute, original)

    def _recorded_apply(self, apply, user_defined):
        """classmethod apply, recording one "op" event per call."""
        def recorded(op_class, *arguments, **keywords):
            name = op_class.__name__ if user_defined else _op_name(op_class)
            event = self._begin(name, "op", arguments)
            try:
                return apply(op_class, *arguments, **keywords)
            finally:
                self._end(event)
        return classmethod(recorded)

    def _recorded_method(self, method, kind, name_of):
        """method, recording one event named name_of(receiver) per call; a call it makes
        on the same receiver to the method it overrides (a step calling its base class's
        step, differentiable_backward calling backward) is not recorded again."""
        @functools.wraps(method)
        def recorded(receiver, *arguments, **keywords):
            if self._inside(id(receiver)):
                return method(receiver, *arguments, **keywords)
            event = self._begin(name_of(receiver), kind, source=id(receiver))
            try:
                return method(receiver, *arguments, **keywords)
            finally:
                self._end(event)
        return recorded

    def _recorded_kernel(self, label, kernel_name, kernel):
        profile_memory = self.profile_memory

        def recorded(*arguments):
            operation = arguments[0] if arguments and isinstance(arguments[0], str) else None
            event = self._begin(label if operation is None else f"{label}({operation})",
                                "kernel")
            if profile_memory:
                event.self_cpu_memory_usage = _allocated_bytes(kernel_name, arguments)
            try:
                return kernel(*arguments)
            finally:
                self._end(event)
        return recorded


def _node_name(node):
    """A backward node's event name, as its grad_fn shows it ("MulBackward")."""
    return node.name()


def _step_name(optimizer):
    """An optimizer step's event name, as torch's: "Optimizer.step#SGD.step"."""
    return f"Optimizer.step#{type(optimizer).__name__}.step"


def _subclasses(base):
    """base and every class below it."""
    found, pending = [], [base]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


class record_function:
    """A named range in the profile recording now (nothing when none is): a context
    manager, or a decorator recording each call of a function. Ranges nest."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError(f"record_function: name must be a str, got {type(name).__name__}")
        self.name = name
        self._recording = None   # (profile, event) while open

    def __enter__(self):
        profile = _active[0]
        if profile is not None:
            self._recording = profile, profile._begin(self.name, "user_annotation")
        return self

    def __exit__(self, *exception):
        if self._recording is not None:
            profile, event = self._recording
            self._recording = None
            if event.end_us is None:   # not already closed by the profile's stop()
                profile._end(event)
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def recorded(*arguments, **keywords):
            with record_function(self.name):
                return function(*arguments, **keywords)
        return recorded
