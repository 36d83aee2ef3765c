"""minitorch.profiler: what a profile records (ops, backward nodes, kernels, ranges,
optimizer steps), the time arithmetic, the summaries, and that every wrapped function is
put back."""
import json

import numpy as np
import pytest
from nn_helpers import backend  # noqa: F401  (fixture)

import minitorch
from minitorch import profiler, registry
from minitorch.autograd.node import Function
from minitorch.contract import OPTIONAL_KERNELS, REQUIRED_KERNELS
from minitorch.optim.optimizer import Optimizer


def _training_step(backend_name):
    """One Linear forward, cross-entropy, backward and SGD step, profiled. A step runs
    first unprofiled, so that the scalars' cached tensors exist whichever tests ran
    before."""
    minitorch.manual_seed(0)
    layer = minitorch.nn.Linear(4, 3)
    optimizer = minitorch.optim.SGD(layer.parameters(), lr=0.1)
    x = minitorch.tensor(np.arange(8, dtype=np.float32).reshape(2, 4))
    target = minitorch.tensor([0, 2])
    prof = profiler.profile()
    for recording in (False, True):
        if recording:
            prof.start()
        optimizer.zero_grad()   # set to None: no kernel
        loss = minitorch.nn.functional.cross_entropy(layer(x), target)
        loss.backward()
        optimizer.step()
    prof.stop()
    return prof


def test_training_step_counts(backend):
    prof = _training_step(backend)
    counts = {row.key: row.count for row in prof.key_averages()}
    kernels = {"empty": 10, "linear": 1, "to_numpy": 2, "cross_entropy": 1, "reduce(sum)": 1,
               "fill": 2, "binary(div)": 1, "cross_entropy_backward": 1,
               "linear_backward": 1, "sgd_step": 2}
    assert counts == {"linear": 1, "cross_entropy": 1, "CrossEntropyBackward": 1,
                      "LinearBackward": 1, "Optimizer.step#SGD.step": 1,
                      **{f"{backend}::{name}": count for name, count in kernels.items()}}
    parents = {(event.name, event.cpu_parent and event.cpu_parent.name)
               for event in prof.events()}
    assert (f"{backend}::linear", "linear") in parents
    assert (f"{backend}::linear_backward", "LinearBackward") in parents
    assert (f"{backend}::sgd_step", "Optimizer.step#SGD.step") in parents
    assert ("LinearBackward", None) in parents   # the engine runs nodes one after another


def test_kernel_names_name_backend_and_op():
    with minitorch.use_backend("python"):
        a = minitorch.tensor([1.0, 2.0], requires_grad=True)
        with profiler.profile() as prof:
            (a * a).exp()
    names = [(event.name, event.kind, event.cpu_parent and event.cpu_parent.name)
             for event in prof.events()]
    assert names == [("mul", "op", None), ("python::empty", "kernel", "mul"),
                     ("python::binary(mul)", "kernel", "mul"), ("exp", "op", None),
                     ("python::empty", "kernel", "exp"),
                     ("python::unary(exp)", "kernel", "exp")]


class Square(minitorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 2 * x * grad


def test_user_function_and_its_node_are_recorded_once():
    x = minitorch.tensor([1.0, 3.0], requires_grad=True)
    with profiler.profile() as prof:
        Square.apply(x).sum().backward()
    counts = {row.key: row.count for row in prof.key_averages()}
    assert counts["Square"] == 1 and counts["SquareBackward"] == 1
    assert counts["mul"] == 3   # x * x, then 2 * x * grad
    assert x.grad.tolist() == [2.0, 6.0]


def test_create_graph_records_each_node_once():
    layer = minitorch.nn.Linear(3, 2)
    x = minitorch.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    with profiler.profile() as prof:
        minitorch.autograd.grad(layer(x).sum(), x, create_graph=True)
    counts = {row.key: row.count for row in prof.key_averages()}
    assert counts["LinearBackward"] == 1 and counts["SumBackward"] == 1
    matmuls = [event for event in prof.events() if event.name == "matmul"]
    assert len(matmuls) == 2   # differentiable_backward's gradients of x and weight
    assert all(event.cpu_parent.name == "LinearBackward" for event in matmuls)


def test_ranges_nest_and_self_time_is_total_minus_children():
    a = minitorch.tensor(np.ones((8, 8), np.float32))

    @profiler.record_function("inner")
    def inner():
        return (a + a).sum()

    with profiler.profile() as prof:
        with profiler.record_function("outer"):
            inner()
            inner()
    events = prof.events()
    outer, = [event for event in events if event.name == "outer"]
    assert [child.name for child in outer.cpu_children] == ["inner", "inner"]
    for event in events:
        children = event.cpu_children
        assert event.self_cpu_time_total == pytest.approx(
            event.cpu_time_total - sum(child.cpu_time_total for child in children))
        assert 0 <= event.self_cpu_time_total <= event.cpu_time_total
        for child in children:
            assert child.cpu_parent is event
            assert event.start_us <= child.start_us <= child.end_us <= event.end_us
    rows = {row.key: row for row in prof.key_averages()}
    assert rows["inner"].count == 2 and rows["add"].count == 2 and rows["outer"].count == 1
    assert rows["inner"].cpu_time == pytest.approx(rows["inner"].cpu_time_total / 2)
    assert rows["outer"].cpu_time_total == pytest.approx(outer.cpu_time_total)
    # self times partition the time of the top-level ranges
    assert prof.key_averages().self_cpu_time_total == pytest.approx(outer.cpu_time_total)


def _wrapped_attributes():
    """Everything a profile replaces while it records, by identity."""
    found = {}
    for op_class in profiler._subclasses(Function):
        for name in ("apply", "backward", "differentiable_backward"):
            if name in op_class.__dict__:
                found[op_class, name] = op_class.__dict__[name]
    for record in registry.list_backends():
        for name in REQUIRED_KERNELS + tuple(OPTIONAL_KERNELS):
            if name in record.__dict__:
                found[record, name] = record.__dict__[name]
    for optimizer_class in profiler._subclasses(Optimizer):
        if "step" in optimizer_class.__dict__:
            found[optimizer_class, "step"] = optimizer_class.__dict__["step"]
    return found


def _same(before, after):
    return before.keys() == after.keys() and all(after[key] is value
                                                 for key, value in before.items())


def test_everything_is_put_back_after_the_block_and_after_an_error():
    minitorch.tensor([1.0]).to("c")   # the c backend loaded, so its kernels are wrapped
    before = _wrapped_attributes()
    with profiler.profile():
        assert not _same(before, _wrapped_attributes())
        assert Function.__dict__["apply"] is not before[Function, "apply"]
        assert registry.lookup("numpy").binary is not before[registry.lookup("numpy"),
                                                                "binary"]
    assert _same(before, _wrapped_attributes())
    with pytest.raises(ZeroDivisionError):
        with profiler.profile():
            minitorch.tensor([1.0]) + 1
            1 / 0
    assert _same(before, _wrapped_attributes())
    assert profiler._active[0] is None


def test_nothing_is_recorded_outside_the_profile():
    a = minitorch.tensor([1.0, 2.0])
    prof = profiler.profile()
    with profiler.record_function("ignored"):
        a + a
    prof.start()
    a * a
    prof.stop()
    a - a
    with profiler.record_function("ignored too"):
        pass
    assert [event.name for event in prof.events()] == ["mul", "numpy::empty",
                                                       "numpy::binary(mul)"]


def test_start_again_drops_the_earlier_recording_and_step_counts():
    prof = profiler.profile()
    ready = []
    prof.on_trace_ready = ready.append
    with prof:
        minitorch.tensor([1.0]) + 1
        prof.step()
        prof.step()
    assert prof.step_num == 2 and ready == [prof]
    with prof:
        pass
    assert list(prof.events()) == [] and ready == [prof, prof]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_input_shapes_and_memory(dtype):
    a = minitorch.tensor(np.ones((3, 4), dtype))
    b = minitorch.tensor(np.ones((3, 5), dtype))
    with profiler.profile(record_shapes=True, profile_memory=True) as prof:
        a.T @ b   # a transposed (non-contiguous) view
        a.sum(dim=0)
    matmul = next(event for event in prof.events() if event.name == "matmul")
    assert matmul.input_shapes == [[4, 3], [3, 5]]
    assert matmul.self_cpu_memory_usage == 0
    assert matmul.cpu_memory_usage == 4 * 5 * np.dtype(dtype).itemsize
    shapes = {(row.key, str(row.input_shapes))
              for row in prof.key_averages(group_by_input_shape=True)}
    assert ("matmul", "[[4, 3], [3, 5]]") in shapes and ("sum", "[[3, 4], [], [], []]") in shapes
    assert all(event.input_shapes == [] for event in prof.events() if event.kind == "kernel")


def test_with_stack_points_at_the_caller():
    with profiler.profile(with_stack=True) as prof:
        minitorch.tensor([1.0]).exp()
    exp = next(event for event in prof.events() if event.name == "exp")
    assert "test_profiler.py" in exp.stack[0]
    assert "test_with_stack_points_at_the_caller" in exp.stack[0]
    assert not any("minitorch/functions.py" in frame for frame in exp.stack)
    rows = prof.key_averages(group_by_stack_n=1)
    assert any(row.key == "exp" and row.stack == exp.stack[:1] for row in rows)


def test_chrome_trace_is_valid_json_with_complete_events(tmp_path):
    with profiler.profile(record_shapes=True) as prof:
        with profiler.record_function("block"):
            minitorch.tensor([[1.0, 2.0]]).relu()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())["traceEvents"]
    assert [entry["name"] for entry in trace] == [event.name for event in prof.events()]
    for entry, event in zip(trace, prof.events()):
        assert entry["ph"] == "X" and entry["cat"] == event.kind
        assert entry["ts"] == event.start_us and entry["dur"] == event.cpu_time_total >= 0
    relu = trace[[entry["name"] for entry in trace].index("relu")]
    assert relu["args"] == {"Input Dims": [[1, 2]]}


def test_table():
    a = minitorch.tensor(np.ones((2, 2), np.float32))
    with profiler.profile(record_shapes=True) as prof:
        for _ in range(3):
            a + a
        a * a
    text = prof.key_averages().table(sort_by="count", row_limit=2)
    lines = text.splitlines()
    for column in ("Name", "Self CPU %", "Self CPU", "CPU total", "CPU time avg", "# of Calls"):
        assert column in lines[1]
    assert "Input Shapes" not in text and "CPU Mem" not in text
    assert lines[3].split()[0] == "numpy::empty" and lines[3].split()[-1] == "4"
    assert lines[4].split()[0] in ("add", "numpy::binary(add)")
    assert lines[4].split()[-1] == "3" and len(lines) == 7
    assert lines[-1].startswith("Self CPU time total: ")
    shaped = prof.key_averages(group_by_input_shape=True).table()
    assert "Input Shapes" in shaped.splitlines()[1]
    mul_row, = [line for line in shaped.splitlines() if line.startswith("mul ")]
    assert mul_row.endswith("[[2, 2], [2, 2]]") and mul_row.split()[-5] == "1"


def test_empty_profile(tmp_path):
    with profiler.profile() as prof:
        pass
    assert list(prof.events()) == [] and list(prof.key_averages()) == []
    assert "Self CPU time total: 0.000us" in prof.key_averages().table()
    prof.export_chrome_trace(str(tmp_path / "empty.json"))
    assert json.loads((tmp_path / "empty.json").read_text())["traceEvents"] == []


def test_legacy_path_is_the_same_profiler():
    assert minitorch.autograd.profiler.profile is profiler.profile
    assert minitorch.autograd.profiler.record_function is profiler.record_function
    assert profiler.profile(activities=[profiler.ProfilerActivity.CPU]).activities == {
        profiler.ProfilerActivity.CPU}


def test_bad_arguments():
    with pytest.raises(ValueError, match="profile: activities must be ProfilerActivity"):
        profiler.profile(activities=["cuda"])
    with pytest.raises(NotImplementedError, match="profile: schedule is not supported"):
        profiler.profile(schedule=lambda step: None)
    with pytest.raises(TypeError, match="profile: on_trace_ready must be callable"):
        profiler.profile(on_trace_ready=3)
    with pytest.raises(TypeError, match="record_function: name must be a str"):
        profiler.record_function(3)
    with pytest.raises(RuntimeError, match="profile.stop: this profile is not recording"):
        profiler.profile().stop()
    with profiler.profile() as prof:
        pass
    with pytest.raises(RuntimeError, match="group_by_input_shape=True needs a profile made "
                                           "with record_shapes=True"):
        prof.key_averages(group_by_input_shape=True)
    with pytest.raises(RuntimeError, match="group_by_stack_n needs"):
        prof.key_averages(group_by_stack_n=2)
    with pytest.raises(ValueError, match="table: sort_by must be None or one of"):
        prof.key_averages().table(sort_by="cuda_time")


def test_a_second_profile_is_refused_and_the_first_keeps_recording():
    before = _wrapped_attributes()
    with profiler.profile() as outer:
        wrapped = _wrapped_attributes()
        with pytest.raises(RuntimeError, match="profile.start: another profile is already "
                                               "recording"):
            profiler.profile().start()
        assert _same(wrapped, _wrapped_attributes())
        minitorch.tensor([1.0]).neg()
    assert "neg" in [event.name for event in outer.events()]
    assert _same(before, _wrapped_attributes())
