"""Fuzzed edge cases of minitorch.save / minitorch.load and the PyTorch interop helpers,
each a regression test for a bug found by comparing with torch.save / torch.load."""
import io
import os
import stat
from collections import OrderedDict

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch import serialization  # noqa: E402
from minitorch.serialization import from_torch  # noqa: E402


def structure_file(path, structure, **arrays):
    """An .npz with the given raw JSON structure entry (bytes) and arrays."""
    np.savez(path, structure=np.frombuffer(structure, np.uint8), **arrays)
    return path


def test_an_unsupported_value_deep_inside_is_named_by_its_place(tmp_path):
    with pytest.raises(TypeError, match=r"cannot store obj\['opt'\]\['groups'\]\[1\], a "
                                        r"builtins.object.*convert it"):
        minitorch.save({"opt": {"groups": [1, object()]}}, tmp_path / "bad.npz")
    with pytest.raises(TypeError, match=r"got tuple key \(1, 2\) in obj\['a'\]\[0\]"):
        minitorch.save({"a": [{(1, 2): 3}]}, tmp_path / "bad.npz")


def test_a_save_failing_midway_leaves_the_old_file_and_no_partial_file(tmp_path,
                                                                        monkeypatch):
    path = tmp_path / "model.npz"
    minitorch.save({"w": minitorch.arange(3.0)}, path)

    def fail_midway(handle, **arrays):
        handle.write(b"PK\x03\x04 half an archive")
        raise OSError("No space left on device")

    monkeypatch.setattr(serialization.np, "savez", fail_midway)
    with pytest.raises(OSError, match="No space left"):
        minitorch.save({"w": minitorch.zeros(3)}, path)
    monkeypatch.undo()
    assert minitorch.load(path)["w"].tolist() == [0.0, 1.0, 2.0]
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_keeps_the_path_as_given_and_umask_permissions(tmp_path):
    minitorch.save({"a": 1}, tmp_path / "checkpoint")
    minitorch.save({"a": 2}, str(tmp_path / "checkpoint"))   # overwrites
    assert os.listdir(tmp_path) == ["checkpoint"]
    assert minitorch.load(tmp_path / "checkpoint") == {"a": 2}
    umask = os.umask(0o022)
    os.umask(umask)
    mode = stat.S_IMODE(os.stat(tmp_path / "checkpoint").st_mode)
    assert mode == 0o666 & ~umask   # as open() creates files, not a private temp file


def test_saving_through_a_symbolic_link_writes_its_target(tmp_path):
    target = tmp_path / "real.npz"
    minitorch.save({"a": 1}, target)
    (tmp_path / "link.npz").symlink_to(target)
    minitorch.save({"a": 2}, tmp_path / "link.npz")
    assert (tmp_path / "link.npz").is_symlink() and minitorch.load(target) == {"a": 2}


def test_a_file_that_is_not_an_archive_never_suggests_unpickling(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_bytes(b"hello world, not an archive")
    with pytest.raises(ValueError, match="notes.npz is not a file written by minitorch.save")\
            as error:
        minitorch.load(path)
    assert "pickle" not in str(error.value)
    saved = io.BytesIO()
    minitorch.save({"w": minitorch.arange(1000.0)}, saved)
    path.write_bytes(saved.getvalue()[:len(saved.getvalue()) // 2])
    with pytest.raises(ValueError, match="notes.npz .*may be truncated"):
        minitorch.load(path)


def test_object_arrays_are_refused_naming_the_file_and_entry(tmp_path):
    path = structure_file(tmp_path / "objects.npz",
                          b'{"format": "minitorch-state/1", "root": {"tensor": "tensor_0"}}',
                          tensor_0=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="entry 'tensor_0' of .*objects.npz cannot be read "
                                         ".*never unpickles"):
        minitorch.load(path)
    np.savez(tmp_path / "objects.npz", structure=np.array([1, "x"], dtype=object))
    with pytest.raises(ValueError, match="entry 'structure' of .*objects.npz"):
        minitorch.load(tmp_path / "objects.npz")


@pytest.mark.parametrize("structure", [
    b'[1, 2]',
    b'{"format": "minitorch-state/1"}',
    b'{"format": "minitorch-state/1", "root": {"dict": [["a"]]}}',
    b'{"format": "minitorch-state/1", "root": {"dict": [[["unhashable"], 1]]}}',
    b'{"format": "minitorch-state/1", "root": {"list": 5}}',
    b'{"format": "minitorch-state/1", "root": {"tuple": {"a": 1}}}',
    b'{"format": "minitorch-state/1", "root": {"tensor": ["tensor_0"]}}',
    b'{"format": "minitorch-state/1", "root": {"value": {"a": 1}}}',
])
def test_malformed_structures_are_reported_naming_the_file(tmp_path, structure):
    path = structure_file(tmp_path / "odd.npz", structure)
    with pytest.raises(ValueError, match="odd.npz has a malformed"):
        minitorch.load(path)


def test_a_future_format_says_what_to_do(tmp_path):
    path = structure_file(tmp_path / "new.npz",
                          b'{"format": "minitorch-state/2", "root": {"value": 1}}')
    with pytest.raises(ValueError, match="new.npz has format 'minitorch-state/2'.*load it "
                                         "with the minitorch version that saved it"):
        minitorch.load(path)


def test_map_location_callables_from_torch_code_are_accepted(tmp_path):
    minitorch.save({"w": minitorch.ones(2)}, tmp_path / "w.npz")
    loaded = minitorch.load(tmp_path / "w.npz", map_location=lambda storage, loc: storage)
    assert loaded["w"].tolist() == [1.0, 1.0]


def test_views_of_one_storage_load_as_independent_tensors_as_documented(tmp_path):
    base = minitorch.arange(6.0)
    minitorch.save({"base": base, "tail": base[2:], "same": base, "t": base.reshape(2, 3).t()},
                   tmp_path / "views.npz")
    loaded = minitorch.load(tmp_path / "views.npz")
    assert loaded["same"] is loaded["base"]          # one object: shared, as torch
    loaded["base"][3] = 100.0
    assert loaded["tail"].tolist() == [2.0, 3.0, 4.0, 5.0]   # a view: a copy, unlike torch
    assert loaded["t"].shape == (3, 2) and loaded["t"].is_contiguous()
    assert "not per storage" in serialization.__doc__


def test_from_torch_reads_tensors_with_lazy_negation_and_conjugation():
    z = torch.tensor([1 + 2j, 3 - 4j])
    state = {"neg": z.conj().imag, "conj_real": z.conj().real}
    assert state["neg"].is_neg()
    converted = from_torch(state)
    assert converted["neg"].tolist() == [-2.0, 4.0]
    assert converted["conj_real"].tolist() == [1.0, 3.0]


def test_special_values_and_nested_containers_round_trip_exactly(tmp_path):
    payload_nan = np.array([0x7FC00123, 0x80000000, 0x7F800000, 1], np.uint32).view(np.float32)
    state = OrderedDict([
        ("floats", minitorch.tensor(payload_nan)),
        ("ints", minitorch.tensor([2 ** 63 - 1, -2 ** 63])),
        ("numbers", {1: -0.0, 2.5: float("inf"), None: 5e-324, "big": 2 ** 100}),
        ("nest", ([(1,), []], {"é/a.b\x00": "☃", "a.b": 1, "a/b": 2, "a_b": 3, "": 4})),
    ])
    minitorch.save(state, tmp_path / "s.npz")
    loaded = minitorch.load(tmp_path / "s.npz")
    assert type(loaded) is OrderedDict and list(loaded) == list(state)
    assert loaded["floats"].numpy().tobytes() == payload_nan.tobytes()
    assert loaded["ints"].tolist() == [2 ** 63 - 1, -2 ** 63]
    assert loaded["numbers"] == state["numbers"] and str(loaded["numbers"][1]) == "-0.0"
    assert loaded["nest"] == state["nest"] and type(loaded["nest"][0][0]) is tuple
