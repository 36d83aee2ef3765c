"""minitorch.save / minitorch.load (exact round trips, a format that runs no code) and
state-dict interop with PyTorch."""
import io
import math
import pickle
import warnings
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.serialization import from_torch, to_torch


def assert_same(loaded, original):
    """Equal structure, types, and bit-identical tensors (dtype, shape, values, grad bit)."""
    assert type(loaded) is type(original)
    if isinstance(original, minitorch.Tensor):
        assert loaded.dtype is original.dtype and loaded.shape == original.shape
        assert loaded.requires_grad == original.requires_grad
        np.testing.assert_array_equal(loaded.detach().numpy(), original.detach().numpy())
        assert loaded.detach().numpy().tobytes() == original.detach().numpy().tobytes()
    elif isinstance(original, dict):
        assert list(loaded) == list(original)
        for key in original:
            assert_same(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original)
        for mine, theirs in zip(loaded, original):
            assert_same(mine, theirs)
    elif isinstance(original, float) and math.isnan(original):
        assert math.isnan(loaded)
    else:
        assert loaded == original


def test_round_trip_is_exact_for_every_dtype_and_structure(tmp_path):
    rng = np.random.default_rng(0)
    state = OrderedDict([
        ("float32", minitorch.tensor(rng.standard_normal((3, 4)).astype(np.float32))),
        ("float64", minitorch.tensor(rng.standard_normal(5))),
        ("int64", minitorch.tensor([-(2 ** 62), 0, 2 ** 62])),
        ("bool", minitorch.tensor([[True, False]])),
        ("scalar", minitorch.tensor(np.float32(np.pi))),
        ("empty", minitorch.zeros(0, 3)),
        ("extremes", minitorch.tensor(np.array([np.inf, -np.inf, np.nan, 1e-45, -0.0],
                                               np.float32))),
        ("trainable", minitorch.ones(2, requires_grad=True)),
        ("nested", {"lrs": [0.1, 1 / 3, float("nan"), float("inf")], 7: (1, "two", None),
                    2.5: [], "flags": [True, False], "big": 2 ** 70}),
    ])
    path = tmp_path / "state.npz"
    minitorch.save(state, path)
    assert_same(minitorch.load(path), state)


def test_model_state_dict_round_trip_restores_the_model(tmp_path, backend_name):
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    minitorch.save(model.state_dict(), tmp_path / "model.pt")
    assert (tmp_path / "model.pt").exists()  # the name is kept (no ".npz" appended)
    fresh = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    fresh.load_state_dict(minitorch.load(tmp_path / "model.pt"))
    x = minitorch.randn(5, 4)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_save_copies_so_later_changes_do_not_leak(tmp_path):
    weights = minitorch.zeros(3)
    minitorch.save({"w": weights}, tmp_path / "w.npz")
    weights.fill_(1.0)
    assert minitorch.load(tmp_path / "w.npz")["w"].tolist() == [0.0, 0.0, 0.0]


def test_file_objects_and_the_backend_argument():
    buffer = io.BytesIO()
    minitorch.save({"x": minitorch.arange(4)}, buffer)
    buffer.seek(0)
    loaded = minitorch.load(buffer, backend="python")
    assert loaded["x"].backend == "python" and loaded["x"].tolist() == [0, 1, 2, 3]


def test_unsupported_values_are_refused_when_saving(tmp_path):
    with pytest.raises(TypeError, match=r"cannot store obj\['s'\], a builtins.set"):
        minitorch.save({"s": {1, 2}}, tmp_path / "bad.npz")
    with pytest.raises(TypeError, match=r"cannot store obj\['t'\], a torch.Tensor"):
        minitorch.save({"t": torch.ones(1)}, tmp_path / "bad.npz")
    with pytest.raises(TypeError, match="dict keys must be"):
        minitorch.save({(1, 2): 3}, tmp_path / "bad.npz")


class _Boom:
    def __reduce__(self):
        return (print, ("code ran while loading",))


def test_loading_never_unpickles(tmp_path, capsys):
    pickled = tmp_path / "pickle.bin"
    pickled.write_bytes(pickle.dumps({"x": _Boom()}))
    with pytest.raises(ValueError, match="not a file written by minitorch.save"):
        minitorch.load(pickled)

    archive = tmp_path / "object.npz"
    np.savez(archive, structure=np.frombuffer(b"{}", np.uint8),
             tensor_0=np.array([_Boom()], dtype=object))
    with pytest.raises(ValueError):
        minitorch.load(archive)
    nested = tmp_path / "nested.npz"
    structure = b'{"format": "minitorch-state/1", "root": {"tensor": "tensor_0"}}'
    np.savez(nested, structure=np.frombuffer(structure, np.uint8),
             tensor_0=np.array([_Boom()], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        minitorch.load(nested)
    assert "code ran" not in capsys.readouterr().out


@pytest.mark.parametrize("contents,match", [
    (b"", "not a file written by minitorch.save"),
    (b"PK\x03\x04 not really a zip", "not a file written by minitorch.save"),
])
def test_corrupt_files_are_reported(tmp_path, contents, match):
    path = tmp_path / "corrupt.npz"
    path.write_bytes(contents)
    with pytest.raises(ValueError, match=match):
        minitorch.load(path)


def test_a_damaged_entry_is_reported_with_the_fix(tmp_path):
    """A byte flipped inside a saved tensor fails the zip checksum when the entry is read,
    after the archive itself opened fine."""
    path = tmp_path / "state.npz"
    minitorch.save({"weight": minitorch.arange(1000, dtype="float32")}, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"tensor_0.npy") + 200     # inside that entry's stored bytes
    data[start] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="is damaged .*save it again, or restore a good copy"):
        minitorch.load(path)


def test_torch_save_files_are_named_with_the_conversion_and_never_unpickled(tmp_path,
                                                                            capsys):
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.arange(3.0), "boom": _Boom()}, path)
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer)
    buffer.seek(0)
    for source in (path, buffer):
        with pytest.raises(ValueError, match=r"written by torch.save.*torch.load\(path, "
                                             r"weights_only=True\).*"
                                             r"minitorch.serialization.from_torch\(state\)"):
            minitorch.load(source)
    assert "code ran" not in capsys.readouterr().out
    # the conversion the message gives works
    torch.save({"w": torch.arange(3.0)}, path)
    minitorch.save(minitorch.serialization.from_torch(torch.load(path, weights_only=True)),
                   tmp_path / "converted.npz")
    assert minitorch.load(tmp_path / "converted.npz")["w"].tolist() == [0.0, 1.0, 2.0]


def test_a_zip_with_data_pkl_at_the_top_is_reported_as_torch_save(tmp_path):
    with zipfile.ZipFile(tmp_path / "flat.pt", "w") as archive:
        archive.writestr("data.pkl", pickle.dumps({"x": _Boom()}))
    with pytest.raises(ValueError, match="written by torch.save"):
        minitorch.load(tmp_path / "flat.pt")


def test_parameters_load_as_parameters_like_torch(tmp_path):
    ours = {"weight": nn.Parameter(minitorch.randn(2, 3)),
            "frozen": nn.Parameter(minitorch.ones(2), requires_grad=False),
            "buffer": minitorch.zeros(2), "trainable": minitorch.ones(2, requires_grad=True)}
    theirs = {"weight": torch.nn.Parameter(torch.randn(2, 3)),
              "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False),
              "buffer": torch.zeros(2), "trainable": torch.ones(2, requires_grad=True)}
    minitorch.save(ours, tmp_path / "ours.npz")
    torch.save(theirs, tmp_path / "theirs.pt")
    loaded = minitorch.load(tmp_path / "ours.npz")
    reference = torch.load(tmp_path / "theirs.pt")
    assert_same(loaded, ours)   # types (Parameter or Tensor), requires_grad and values
    for key in ours:
        assert isinstance(loaded[key], nn.Parameter) == \
            isinstance(reference[key], torch.nn.Parameter)
        assert loaded[key].requires_grad == reference[key].requires_grad


def test_a_tensor_saved_in_several_places_is_stored_once_and_loads_shared(tmp_path):
    shared, other = minitorch.arange(3.0), minitorch.arange(3.0)
    parameter = nn.Parameter(minitorch.ones(2))
    minitorch.save({"a": shared, "b": shared, "c": [other, (shared, parameter)],
                    "p": parameter}, tmp_path / "shared.npz")
    assert sorted(np.load(tmp_path / "shared.npz").files) == \
        ["structure", "tensor_0", "tensor_1", "tensor_2"]
    loaded = minitorch.load(tmp_path / "shared.npz")
    assert loaded["a"] is loaded["b"] is loaded["c"][1][0]
    assert loaded["c"][0] is not loaded["a"] and loaded["c"][0].tolist() == [0.0, 1.0, 2.0]
    assert loaded["p"] is loaded["c"][1][1] and isinstance(loaded["p"], nn.Parameter)
    loaded["a"].add_(1.0)
    assert loaded["b"].tolist() == [1.0, 2.0, 3.0]

    t = torch.arange(3.0)   # torch restores the sharing the same way
    torch.save({"a": t, "b": t}, tmp_path / "shared.pt")
    reference = torch.load(tmp_path / "shared.pt")
    assert reference["a"] is reference["b"]


def test_files_without_the_sharing_and_parameter_fields_still_load(tmp_path):
    # written as minitorch.save wrote before tensors could be shared or Parameters
    old = (b'{"format": "minitorch-state/1", "root": {"dict": [["w", {"tensor": "tensor_0", '
           b'"requires_grad": true}], ["b", {"tensor": "tensor_1", "requires_grad": false}]], '
           b'"ordered": true}}')
    np.savez(tmp_path / "old.npz", structure=np.frombuffer(old, np.uint8),
             tensor_0=np.ones(2, np.float32), tensor_1=np.ones(2, np.float32))
    loaded = minitorch.load(tmp_path / "old.npz")
    assert type(loaded) is OrderedDict and list(loaded) == ["w", "b"]
    assert type(loaded["w"]) is minitorch.Tensor and loaded["w"].requires_grad
    assert loaded["w"] is not loaded["b"] and not loaded["b"].requires_grad
    bad = b'{"format": "minitorch-state/1", "root": {"value": 1}, "parameters": "tensor_0"}'
    np.savez(tmp_path / "bad.npz", structure=np.frombuffer(bad, np.uint8))
    with pytest.raises(ValueError, match="malformed parameters list 'tensor_0'"):
        minitorch.load(tmp_path / "bad.npz")


def test_foreign_archives_are_reported(tmp_path):
    np.savez(tmp_path / "plain.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match="no 'structure' entry"):
        minitorch.load(tmp_path / "plain.npz")
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match="single .npy array"):
        minitorch.load(tmp_path / "single.npy")
    future = b'{"format": "minitorch-state/99", "root": {"value": 1}}'
    np.savez(tmp_path / "future.npz", structure=np.frombuffer(future, np.uint8))
    with pytest.raises(ValueError, match="format 'minitorch-state/99'"):
        minitorch.load(tmp_path / "future.npz")
    dangling = b'{"format": "minitorch-state/1", "root": {"tensor": "tensor_5"}}'
    np.savez(tmp_path / "dangling.npz", structure=np.frombuffer(dangling, np.uint8))
    with pytest.raises(ValueError, match="missing tensor entry 'tensor_5'"):
        minitorch.load(tmp_path / "dangling.npz")
    with pytest.raises(FileNotFoundError):
        minitorch.load(tmp_path / "absent.npz")


# ---- PyTorch interop ---------------------------------------------------------------------

def make_models(seed=0):
    minitorch.manual_seed(seed)
    ours = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    return ours, theirs


def test_a_model_trained_here_loads_into_torch_and_back():
    ours, theirs = make_models()
    optimizer = minitorch.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    x = minitorch.randn(8, 6)
    labels = minitorch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    for _ in range(3):
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(ours(x), labels).backward()
        optimizer.step()

    converted = to_torch(ours.state_dict())
    assert isinstance(converted, OrderedDict)
    assert all(value.dtype == torch.float32 for value in converted.values())
    theirs.load_state_dict(converted)
    np.testing.assert_allclose(theirs(torch.tensor(x.numpy())).detach().numpy(),
                               ours(x).detach().numpy(), rtol=1e-5, atol=1e-6)

    back, _ = make_models(seed=1)
    back.load_state_dict(from_torch(theirs.state_dict()))
    np.testing.assert_array_equal(back(x).detach().numpy(), ours(x).detach().numpy())


def test_from_torch_widens_half_precision_floats_to_float32():
    state = {"bf16": torch.tensor([1.5, -2.25, 3.0e38, 1e-3], dtype=torch.bfloat16),
             "fp16": torch.tensor([0.1, -65504.0], dtype=torch.float16)}
    converted = from_torch(state)
    for key, theirs in state.items():
        assert converted[key].dtype is minitorch.float32
        np.testing.assert_array_equal(converted[key].numpy(), theirs.float().numpy())


def test_from_torch_refuses_other_dtypes_naming_the_key():
    with warnings.catch_warnings():   # torch deprecates quantized tensors
        warnings.simplefilter("ignore")
        quantized = torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.quint8)
    for tensor in (torch.ones(2, dtype=torch.complex64), quantized,
                   torch.ones(2).to(torch.float8_e4m3fn), torch.ones(2, dtype=torch.uint64)):
        state = {"layer": OrderedDict(ok=torch.ones(1), w=[torch.ones(1), tensor])}
        with pytest.raises(TypeError, match=rf"from_torch: cannot convert "
                                            rf"state_dict\['layer'\]\['w'\]\[1\], a "
                                            rf"{tensor.dtype} tensor: .*Convert it in PyTorch"):
            from_torch(state)


def test_conversion_keeps_dtypes_structure_and_backend():
    state = {"w": minitorch.tensor([1, 2]), "inner": [minitorch.tensor([True]), 3.5]}
    converted = to_torch(state)
    assert converted["w"].dtype == torch.int64 and converted["inner"][0].dtype == torch.bool
    assert converted["inner"][1] == 3.5
    back = from_torch(converted, backend="python")
    assert back["w"].backend == "python" and back["w"].tolist() == [1, 2]
    assert back["inner"][0].dtype is minitorch.bool
