"""Backend plugins end to end: entry points, loading rules, broken plugins, the doctor.

Plugins here are real distributions found by importlib.metadata on sys.path:

* `minimal`: tests/plugin_fixtures/minimal-backend, pip-installed (`--target`) into a
  temporary folder once per session. Its backend has only the required kernels, so the
  conformance suite run against it (the end-to-end proof below) exercises every
  decomposition of the core through a plugin loaded from its entry point.
* broken or conflicting plugins: a `NAME-VERSION.dist-info` folder (METADATA and
  entry_points.txt) and a module, written into a temporary folder by `add_plugin`.

The test session runs with MINITORCH_AUTOLOAD_PLUGINS=0 (tests/conftest.py); the
`autoload` fixture turns it on for one test, with a fresh registry that is restored
afterwards. Subprocesses get their environment from `plugin_environment`.
"""
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import nn, registry
from minitorch.__main__ import describe_backends
from minitorch.contract import OPTIONAL_KERNELS, BackendError
from minitorch.nn import functional as F
from minitorch.plugins import AUTOLOAD_VARIABLE, STRICT_VARIABLE, PluginError

ROOT = Path(__file__).resolve().parents[1]
MINIMAL_SOURCE = ROOT / "tests" / "plugin_fixtures" / "minimal-backend"
WRITING_A_BACKEND = ROOT / "docs" / "writing-a-backend.md"
# Conformance runs compile nothing for `minimal`, but a first `numba` run compiles its
# kernels (cached on disk afterwards).
SUITE_TIMEOUT = 900

NUMBA_INSTALLED = bool(importlib.metadata.entry_points(group="minitorch.backends",
                                                       name="numba"))
needs_numba_plugin = pytest.mark.skipif(
    not NUMBA_INSTALLED,
    reason="the minitorch-numba plugin is not installed (pip install plugins/minitorch-numba)")


# ---- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory):
    """A folder holding the installed `minitorch-minimal` distribution (pip --target)."""
    source = tmp_path_factory.mktemp("minimal-source") / "minimal-backend"
    shutil.copytree(MINIMAL_SOURCE, source)  # the build writes build/ and *.egg-info there
    site = tmp_path_factory.mktemp("minimal-site")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
               "--disable-pip-version-check", "--target", str(site), str(source)]
    if importlib.util.find_spec("setuptools") is not None:
        command.insert(4, "--no-build-isolation")  # build offline with this setuptools
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    return site


@pytest.fixture
def fresh_registry(monkeypatch):
    """An empty, not yet loaded registry for this test; the real one comes back after."""
    monkeypatch.setattr(registry, "_registry", {})
    monkeypatch.setattr(registry, "_current", None)
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.delenv("MINITORCH_BACKEND", raising=False)
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)


@pytest.fixture
def autoload(monkeypatch, fresh_registry):
    """Entry-point plugins on, as outside the test suite."""
    monkeypatch.setenv(AUTOLOAD_VARIABLE, "1")


@pytest.fixture
def with_minimal(monkeypatch, minimal_site):
    monkeypatch.syspath_prepend(str(minimal_site))


@pytest.fixture
def add_plugin(tmp_path, monkeypatch):
    """add_plugin(distribution, module, source): a distribution whose entry point in group
    minitorch.backends (named after the module) is the given module source."""
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = []

    def add(distribution, module, source, version="1.0"):
        info = tmp_path / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\n"
                                       f"Version: {version}\n")
        (info / "entry_points.txt").write_text(f"[minitorch.backends]\n{module} = {module}\n")
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        modules.append(module)
        return f"{distribution} {version}"

    yield add
    for module in modules:
        sys.modules.pop(module, None)


def plugin_environment(site=None, autoload=True):
    """The environment for a subprocess: plugins on (or off), `site` on the path."""
    environment = dict(os.environ)
    environment[AUTOLOAD_VARIABLE] = "1" if autoload else "0"
    for variable in (STRICT_VARIABLE, "MINITORCH_BACKEND", "MINITORCH_TEST_BACKENDS"):
        environment.pop(variable, None)
    if site is not None:
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(site)] + [p for p in [environment.get("PYTHONPATH")] if p])
    return environment


def run_python(*arguments, site=None, autoload=True, timeout=120):
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True,
                          env=plugin_environment(site, autoload), timeout=timeout, cwd=ROOT)


def backend_named(name):
    return next(b for b in minitorch.list_backends() if b.name == name)


# A backend class with every required kernel; plugin sources below start from it.
FULL_BACKEND = """
    from minitorch.plugins import hookimpl
    from minitorch_backends.numpy_backend import NumpyBackend
    import minitorch

    class Backend(NumpyBackend):
        name = "{name}"
"""


# ---- the minimal plugin, found through its entry point -----------------------------------

def test_minimal_distribution_declares_its_entry_point(minimal_site, with_minimal):
    (entry_point,) = [e for e in importlib.metadata.entry_points(group="minitorch.backends")
                      if e.name == "minimal"]
    assert entry_point.value == "minitorch_minimal"
    assert entry_point.dist.metadata["Name"] == "minitorch-minimal"
    assert Path(entry_point.dist.locate_file("minitorch_minimal")).parent == minimal_site


def test_minimal_is_listed_with_its_distribution_as_origin(autoload, with_minimal):
    minimal = backend_named("minimal")
    assert minimal.origin == "minitorch-minimal 0.1.0"
    assert minimal.available and minimal.reason is None
    assert minimal.dtypes == {"float32", "float64", "int64", "bool"}
    assert minimal.optional == frozenset()  # required kernels only: all else decomposed
    assert backend_named("numpy").origin == "built-in"


def test_minimal_runs_tensor_code_through_the_decompositions(autoload, with_minimal):
    with minitorch.use_backend("minimal"):
        logits = minitorch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], requires_grad=True)
        loss = F.cross_entropy(logits, minitorch.tensor([2, 0]))
        loss.backward()
        assert logits.grad._storage.backend.name == "minimal"
    expected = np.mean([np.log(np.exp([1, 2, 3]).sum()) - 3, np.log(3)])
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_end_to_end_minimal_plugin_passes_the_conformance_suite(minimal_site):
    """THE END-TO-END PROOF: a backend with only the required kernels, installed as a
    distribution and loaded through its entry point, passes the whole conformance
    suite, run the documented way, through the core's decompositions."""
    result = run_python("-m", "minitorch.testing", "--backend", "minimal", site=minimal_site,
                        timeout=SUITE_TIMEOUT)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary, summary


# ---- loading rules -----------------------------------------------------------------------

def test_autoload_off_loads_no_entry_point(fresh_registry, with_minimal, monkeypatch):
    monkeypatch.setenv(AUTOLOAD_VARIABLE, "0")
    names = [b.name for b in minitorch.list_backends()]
    assert "minimal" not in names
    assert {"numpy", "python", "c"} <= set(names)  # the built-ins load regardless


def test_tests_run_with_autoload_off():
    assert os.environ[AUTOLOAD_VARIABLE] == "0"


def test_plugins_load_lazily_never_at_import(minimal_site):
    script = ("import sys, minitorch\n"
              "before = 'minitorch_minimal' in sys.modules\n"
              "names = [b.name for b in minitorch.list_backends()]\n"
              "print(before, 'minimal' in names, 'minitorch_minimal' in sys.modules)")
    on = run_python("-c", script, site=minimal_site)
    assert on.stdout.split() == ["False", "True", "True"], on.stderr
    off = run_python("-c", script, site=minimal_site, autoload=False)
    assert off.stdout.split() == ["False", "False", "False"]


# ---- broken plugins ----------------------------------------------------------------------

def test_plugin_failing_at_import_is_skipped_with_a_warning(autoload, add_plugin):
    origin = add_plugin("broken-import", "mt_broken_import",
                        "raise RuntimeError('libfoo.so.3: cannot open shared object')\n")
    with pytest.warns(RuntimeWarning) as caught:
        names = [b.name for b in minitorch.list_backends()]
    message = str(caught[0].message)
    assert "backend plugin 'mt_broken_import'" in message and origin in message
    assert "RuntimeError: libfoo.so.3: cannot open shared object" in message
    assert f"{AUTOLOAD_VARIABLE}=0" in message
    assert "numpy" in names  # the rest of minitorch works


def test_strict_mode_makes_a_failing_plugin_an_error(autoload, add_plugin, monkeypatch):
    origin = add_plugin("broken-import", "mt_broken_strict",
                        "raise RuntimeError('libfoo.so.3: cannot open shared object')\n")
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    with pytest.raises(PluginError, match=re.escape(origin)) as caught:
        minitorch.list_backends()
    assert "libfoo.so.3" in str(caught.value)
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_plugin_whose_hook_raises_is_skipped_with_a_warning(autoload, add_plugin):
    origin = add_plugin("broken-hook", "mt_broken_hook", """
        from minitorch.plugins import hookimpl

        @hookimpl
        def minitorch_register_backends(register):
            raise KeyError("no device found")
    """)
    with pytest.warns(RuntimeWarning, match=f"registering backends of plugin {origin}"):
        minitorch.list_backends()


MISSING_KERNELS = FULL_BACKEND + """
    class Partial:
        name = "partial"
        dtypes = ("float32", "int64", "bool")

    for kernel in minitorch.contract.REQUIRED_KERNELS:
        if kernel not in ("matmul", "take"):
            setattr(Partial, kernel, getattr(Backend, kernel))

    @hookimpl
    def minitorch_register_backends(register):
        register("partial", Partial)
"""
NOT_A_BACKEND = FULL_BACKEND + """
    @hookimpl
    def minitorch_register_backends(register):
        register("notabackend", lambda: {"kernels": "elsewhere"})
"""
UNSUPPORTED_DTYPE = FULL_BACKEND + """
    Backend.dtypes = ("float32", "int64", "bool", "complex64")

    @hookimpl
    def minitorch_register_backends(register):
        register("complexbackend", Backend)
"""


@pytest.mark.parametrize("name, source, problem", [
    ("partial", MISSING_KERNELS, "backend 'partial' from {origin} lacks required kernels: "
                                 "matmul, take (see minitorch.contract)"),
    ("notabackend", NOT_A_BACKEND, "{origin} registered {{'kernels': 'elsewhere'}}, which is "
                                   "not a backend: it has no string attribute `name`"),
    ("complexbackend", UNSUPPORTED_DTYPE, "backend 'complexbackend' from {origin} declares "
                                          "unsupported dtypes ['complex64']; supported are "
                                          "float32, float64, int64, bool"),
], ids=["missing-kernels", "not-a-backend", "unsupported-dtype"])
def test_backend_breaking_the_contract(autoload, add_plugin, name, source, problem):
    """Listed (with a warning when first built, as the doctor does), never usable:
    choosing it is an error naming the plugin and what is wrong."""
    origin = add_plugin(f"bad-{name}", f"mt_bad_{name}", source.replace("{name}", name))
    problem = problem.format(origin=origin)
    backend = backend_named(name)  # listing alone builds nothing
    with pytest.warns(RuntimeWarning, match=re.escape(problem)):
        assert not backend.available
    assert backend.reason == problem
    refusal = f"backend {name!r} is unavailable: {problem}"
    with pytest.raises(BackendError, match=re.escape(refusal)):
        minitorch.set_backend(name)
    assert minitorch.get_backend().name == "numpy"


def test_strict_mode_makes_a_contract_violation_an_error(autoload, add_plugin, monkeypatch):
    add_plugin("bad-partial", "mt_bad_partial_strict", MISSING_KERNELS)
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    with pytest.raises(PluginError, match="lacks required kernels: matmul, take"):
        minitorch.set_backend("partial")


def test_unavailable_backend_is_listed_and_refused_with_its_reason(autoload, add_plugin):
    origin = add_plugin("gpu-backend", "mt_gpu", FULL_BACKEND.replace("{name}", "gpu") + """
    def build():
        raise minitorch.BackendUnavailable("no CUDA device (torch.cuda.device_count() == 0)")

    @hookimpl
    def minitorch_register_backends(register):
        register("gpu", build)
        register("gpu-lazy", "mt_gpu_missing_module:Backend")
    """)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "cannot run here" is no plugin failure
        gpu, lazy = backend_named("gpu"), backend_named("gpu-lazy")
        assert (gpu.available, lazy.available) == (False, False)
    assert gpu.origin == origin
    with pytest.raises(BackendError, match=re.escape(
            "backend 'gpu' is unavailable: no CUDA device (torch.cuda.device_count() == 0)")):
        minitorch.set_backend("gpu")
    with pytest.raises(BackendError, match="backend 'gpu-lazy' is unavailable: cannot import "
                                           "it: No module named 'mt_gpu_missing_module'"):
        minitorch.set_backend("gpu-lazy")
    doctor = describe_backends()
    assert "gpu\n  from:       gpu-backend 1.0\n  available:  no — no CUDA device" in doctor


def test_unknown_backend_names_the_registered_ones(fresh_registry):
    with pytest.raises(ValueError, match="unknown backend 'nope'; registered backends are: "
                                         "c, numpy, python"):
        minitorch.set_backend("nope")


# ---- two backends with one name ----------------------------------------------------------

TWIN_PLUGIN = FULL_BACKEND.replace("{name}", "twin") + """
    @hookimpl
    def minitorch_register_backends(register):
        register("twin", Backend)
"""


def test_duplicate_name_across_plugins_names_both_distributions(autoload, add_plugin):
    first = add_plugin("twin-one", "mt_twin_one", TWIN_PLUGIN)
    second = add_plugin("twin-two", "mt_twin_two", TWIN_PLUGIN)
    with pytest.warns(RuntimeWarning) as caught:
        minitorch.list_backends()
    messages = "\n".join(str(w.message) for w in caught)
    assert "two backends are named 'twin'" in messages
    assert first in messages and second in messages and "uninstall one" in messages


def test_duplicate_name_in_strict_mode_is_an_error(autoload, add_plugin, monkeypatch):
    first = add_plugin("twin-one", "mt_twin_one_strict", TWIN_PLUGIN)
    second = add_plugin("twin-two", "mt_twin_two_strict", TWIN_PLUGIN)
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    with pytest.raises(PluginError) as caught:
        minitorch.list_backends()
    assert isinstance(caught.value.__cause__, BackendError)
    assert first in str(caught.value) and second in str(caught.value)


def test_choosing_a_duplicated_name_is_an_error_naming_both(autoload, add_plugin):
    first = add_plugin("twin-one", "mt_twin_one_choose", TWIN_PLUGIN)
    second = add_plugin("twin-two", "mt_twin_two_choose", TWIN_PLUGIN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(BackendError) as caught:
            minitorch.set_backend("twin")
    assert first in str(caught.value) and second in str(caught.value)


def test_plugin_cannot_shadow_a_built_in_backend(autoload, add_plugin):
    origin = add_plugin("numpy-impostor", "mt_numpy_impostor",
                        FULL_BACKEND.replace("{name}", "numpy") + """
    @hookimpl
    def minitorch_register_backends(register):
        register("numpy", Backend)
    """)
    with pytest.warns(RuntimeWarning, match=re.escape(
            f"two backends are named 'numpy': one from built-in, one from {origin}")):
        numpy_backend = backend_named("numpy")
    assert numpy_backend.origin == "built-in"


def test_user_code_cannot_shadow_a_plugin_backend(autoload, with_minimal):
    with pytest.raises(BackendError, match="two backends are named 'minimal': one from "
                                           "minitorch-minimal 0.1.0, one from user code"):
        minitorch.register_backend("minimal", lambda: None)


# ---- the doctor --------------------------------------------------------------------------

def test_doctor_prints_origin_availability_kernels_and_dtypes(minimal_site):
    result = run_python("-m", "minitorch", "backends", site=minimal_site)
    assert result.returncode == 0, result.stderr
    blocks = {block.splitlines()[0]: block for block in re.split(r"\n(?=\S)", result.stdout)}
    decomposed = ", ".join(OPTIONAL_KERNELS)
    assert blocks["minimal"].splitlines() == [
        "minimal",
        "  from:       minitorch-minimal 0.1.0",
        "  available:  yes",
        "  dtypes:     bool, float32, float64, int64",
        "  fast paths: none",
    ] + [line.rstrip() for line in textwrap.wrap(
        decomposed, 88, initial_indent="  decomposed: ", subsequent_indent=" " * 14)]
    assert "from:       built-in" in blocks["numpy (current)"]
    assert "fast paths: view, copy_view" in blocks["numpy (current)"]
    assert result.stderr == ""


def test_list_backends_in_python(autoload, with_minimal):
    backends = {b.name: b for b in minitorch.list_backends()}
    assert list(backends)[:3] == ["numpy", "python", "c"]  # built-ins register first
    assert backends["minimal"].origin == "minitorch-minimal 0.1.0"
    assert repr(backends["minimal"]) == ("<minitorch backend 'minimal' (minitorch-minimal "
                                         "0.1.0; available)>")


# ---- docs/writing-a-backend.md shows the minimal plugin verbatim -------------------------

def test_the_guide_shows_the_minimal_plugin_files_verbatim():
    blocks = re.findall(r"```[a-z]*\n(.*?)```", WRITING_A_BACKEND.read_text(), re.S)
    for path in ("pyproject.toml", "minitorch_minimal/__init__.py"):
        assert (MINIMAL_SOURCE / path).read_text() in blocks, f"{path} differs from the guide"


# ---- the numba plugin (plugins/minitorch-numba), when installed --------------------------

@needs_numba_plugin
def test_numba_plugin_passes_the_conformance_suite():
    result = run_python("-m", "minitorch.testing", "--backend", "numba", timeout=SUITE_TIMEOUT)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary, summary


@needs_numba_plugin
def test_numba_plugin_is_listed_with_its_fused_kernels(autoload):
    numba = backend_named("numba")
    assert numba.origin.startswith("minitorch-numba ")
    assert numba.available, numba.reason
    assert {"linear", "cross_entropy", "sgd_step", "adam_step"} <= numba.optional


def mlp_parameters(rng):
    """784-128-10 MLP parameters (W1, b1, W2, b2), PyTorch's default initialisation."""
    shapes = [(128, 784), (128,), (10, 128), (10,)]
    fan_in = [784, 784, 128, 128]
    return [(rng.uniform(-1, 1, size=shape) / np.sqrt(n)).astype(np.float32)
            for shape, n in zip(shapes, fan_in)]


def numpy_sgd(parameters, batches, lr, momentum):
    """The training written with numpy only (forward, backward by hand, SGD with
    momentum as torch.optim.SGD): (loss of each step, parameters after the last)."""
    parameters = [p.copy() for p in parameters]
    w1, b1, w2, b2 = parameters
    buffers = None
    losses = []
    for x, labels in batches:
        hidden_in = x @ w1.T + b1
        hidden = np.maximum(hidden_in, 0)
        logits = hidden @ w2.T + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(len(labels))
        losses.append(-log_probs[rows, labels].mean())
        grad_logits = np.exp(log_probs)
        grad_logits[rows, labels] -= 1
        grad_logits /= len(labels)
        grad_hidden = (grad_logits @ w2) * (hidden_in > 0)
        grads = [grad_hidden.T @ x, grad_hidden.sum(axis=0), grad_logits.T @ hidden,
                 grad_logits.sum(axis=0)]
        buffers = grads if buffers is None else [momentum * b + g
                                                 for b, g in zip(buffers, grads)]
        for parameter, buffer in zip(parameters, buffers):
            parameter -= lr * buffer
    return np.array(losses), parameters


def minitorch_sgd(parameters, batches, lr, momentum):
    """The same training with minitorch.nn and minitorch.optim on the current backend."""
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    with minitorch.no_grad():
        for parameter, value in zip(model.parameters(), parameters):
            parameter.copy_(minitorch.tensor(value))
    optimizer = minitorch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_function = nn.CrossEntropyLoss()
    losses = []
    for x, labels in batches:
        optimizer.zero_grad()
        loss = loss_function(model(minitorch.tensor(x)), minitorch.tensor(labels))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return (np.array(losses, dtype=np.float32),
            [p.detach().numpy() for p in model.parameters()])


@needs_numba_plugin
def test_numba_trains_an_mnist_shaped_mlp_like_numpy(autoload):
    """A few SGD steps (momentum 0.9, as examples/mnist.py) of a 784-128-10 MLP on
    batches of 128 MNIST-shaped images: the numba backend (fused linear, cross-entropy
    and sgd_step kernels) gives numpy's losses and weights to float32 tolerance."""
    rng = np.random.default_rng(0)
    parameters = mlp_parameters(rng)
    teacher = rng.standard_normal((784, 10))  # labels a linear rule can learn
    images = [rng.random((128, 784), dtype=np.float32) for _ in range(5)]
    batches = [(x, np.argmax((x - 0.5) @ teacher, axis=1)) for x in images]
    expected_losses, expected_parameters = numpy_sgd(parameters, batches, 0.05, 0.9)
    with minitorch.use_backend("numba"):
        losses, trained = minitorch_sgd(parameters, batches, 0.05, 0.9)
    np.testing.assert_allclose(losses, expected_losses, rtol=2e-5)
    for start, result, expected in zip(parameters, trained, expected_parameters):
        assert np.abs(expected - start).max() > 1e-3  # the steps did change every parameter
        np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-6)
