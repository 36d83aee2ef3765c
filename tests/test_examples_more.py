"""examples/per_sample_gradients.py and examples/profile_training_step.py: each runs as a
script in a subprocess with small sizes, and its printed results are checked; the
per-sample gradients are also compared with torch.func's on the same weights."""
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import minitorch
from nn_helpers import backend  # noqa: F401  (the fixture)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PER_SAMPLE = EXAMPLES / "per_sample_gradients.py"
PROFILE = EXAMPLES / "profile_training_step.py"


def run_script(path, *args, cwd=None):
    """The finished subprocess `python path args...`, its output captured as text."""
    return subprocess.run([sys.executable, str(path), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def number_after(label, text):
    match = re.search(re.escape(label) + r"\s*([-+0-9.e]+)", text)
    assert match, f"{label!r} not in the output:\n{text}"
    return float(match.group(1))


# ---- per-sample gradients ---------------------------------------------------------------

C_AVAILABLE = any(b.name == "c" and b.available for b in minitorch.list_backends())
needs_c = pytest.mark.skipif(not C_AVAILABLE, reason="backend c unavailable")


@pytest.mark.parametrize("chosen", ["numpy", pytest.param("c", marks=needs_c)])
def test_per_sample_script_matches_its_backward_loop_and_clips(chosen):
    result = run_script(PER_SAMPLE, "--batch-size", "5", "--max-norm", "3.0",
                        "--backend", chosen)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"backend {chosen}; 5 examples" in out
    norms = [float(n) for n in out.split("per-sample gradient norms:")[1].splitlines()[0].split()]
    assert len(norms) == 5 and all(n > 0 for n in norms)
    assert number_after("max difference from a loop of backward():", out) < 1e-5
    scaled = int(re.search(r"(\d+) examples scaled down", out).group(1))
    assert scaled == sum(n > 3.0 for n in norms)
    assert 0 < number_after("averaged gradient norm", out) <= 3.0


def test_per_sample_gradients_equal_torch_func(backend):  # noqa: F811
    """The example's per_sample_gradients against torch.func's recipe, same weights."""
    example = runpy.run_path(str(PER_SAMPLE))
    minitorch.manual_seed(1)
    ours = minitorch.nn.Sequential(minitorch.nn.Linear(6, 5), minitorch.nn.Tanh(),
                                   minitorch.nn.Linear(5, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    theirs.load_state_dict({name: torch.from_numpy(value.numpy().copy())
                            for name, value in ours.state_dict().items()})
    # a transposed view: the examples are the columns of a (6, 4) tensor
    inputs = minitorch.randn(6, 4).T
    targets = minitorch.tensor([0, 2, 1, 2])

    per_sample = example["per_sample_gradients"](ours, inputs, targets)

    def loss_of_one(params, x, target):
        logits = torch.func.functional_call(theirs, params, (x.unsqueeze(0),))
        return torch.nn.functional.cross_entropy(logits, target.unsqueeze(0))
    params = {name: p.detach() for name, p in theirs.named_parameters()}
    expected = torch.func.vmap(torch.func.grad(loss_of_one), in_dims=(None, 0, 0))(
        params, torch.from_numpy(inputs.numpy().copy()), torch.tensor([0, 2, 1, 2]))
    assert set(per_sample) == set(expected)
    for name, gradient in expected.items():
        assert per_sample[name].shape == tuple(gradient.shape)
        torch.testing.assert_close(torch.from_numpy(per_sample[name].numpy().copy()), gradient,
                                   rtol=1e-4, atol=1e-6)
    assert all(p.grad is None for p in ours.parameters())   # the model's grads untouched


# ---- profiling a training step ----------------------------------------------------------

def test_profile_script_prints_ops_nodes_and_kernels_and_writes_a_trace(tmp_path):
    result = run_script(PROFILE, "--batch-size", "16", "--steps", "2", "--rows", "60",
                        "--trace", "step.json", "--backend", "numpy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "backend numpy; 2 step(s) of batch 16" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line and not line.startswith(("-", "Name", "backend", "Self", "Chrome"))}
    for name in ("forward", "backward", "linear", "numpy::linear", "LinearBackward",
                 "numpy::linear_backward", "relu", "cross_entropy", "Optimizer.step#SGD.step",
                 "numpy::sgd_step"):
        assert name in rows, f"no row {name!r} in\n{out}"
    assert rows["linear"][-1] == "4"            # 2 layers x 2 steps
    assert rows["numpy::sgd_step"][-1] == "8"   # 4 parameters x 2 steps
    assert rows["forward"][-1] == "2"
    # sorted by CPU total: the forward range (which holds the linear op) comes before it
    names = list(rows)
    assert names.index("forward") < names.index("linear") < names.index("numpy::linear")
    assert "Chrome trace written to step.json" in out

    trace = json.loads((tmp_path / "step.json").read_text())
    events = trace["traceEvents"]
    assert {"forward", "numpy::linear", "LinearBackward"} <= {e["name"] for e in events}
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in events)


@needs_c
def test_profile_script_row_limit_and_backend():
    result = run_script(PROFILE, "--batch-size", "8", "--rows", "5", "--backend", "c")
    assert result.returncode == 0, result.stderr
    table_rows = [line for line in result.stdout.splitlines()
                  if line and not line.startswith(("-", "Name", "backend", "Self"))]
    assert len(table_rows) == 5
    assert "numpy::" not in result.stdout   # the kernels are the chosen backend's
    assert "backend c;" in result.stdout


@pytest.mark.parametrize("script, args, message", [
    (PROFILE, ["--steps", "0"], "--steps and --batch-size must be at least 1"),
    (PROFILE, ["--backend", "nonexistent"], "invalid choice: 'nonexistent'"),
    (PER_SAMPLE, ["--batch-size", "0"], "--batch-size must be at least 1"),
    (PER_SAMPLE, ["--max-norm", "-1"], "--max-norm above 0"),
])
def test_scripts_refuse_bad_options(script, args, message):
    result = run_script(script, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_readme_taste_runs(capsys):
    """The README's "A taste" code runs as written, per-sample gradients and profile
    included."""
    readme = (EXAMPLES.parent / "README.md").read_text()
    code = readme.split("## A taste", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "README.md (A taste)", "exec"), namespace)
    assert namespace["per_sample"]["0.weight"].shape == (32, 128, 784)
    assert "numpy::linear" in capsys.readouterr().out
