"""The settings and legacy arguments that training scripts pass along unchanged from
PyTorch code: the "seed everything" block, autograd.grad's only_inputs and scatter's
reduce."""
import os
import warnings

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

LIBRARIES = pytest.mark.parametrize("library", [minitorch, torch],
                                    ids=["minitorch", "torch"])


def seed_everything(library, seed):
    """The block many training scripts start with."""
    library.manual_seed(seed)
    library.cuda.manual_seed_all(seed)
    library.backends.cudnn.deterministic = True
    library.backends.cudnn.benchmark = False
    library.backends.cuda.matmul.allow_tf32 = False
    return library.device("cuda" if library.cuda.is_available() else
                          "mps" if library.backends.mps.is_available() else "cpu")


@LIBRARIES
def test_the_seed_everything_block_runs_and_keeps_its_settings(library):
    assert str(seed_everything(library, 0)) == "cpu"
    assert library.backends.cudnn.deterministic is True
    assert library.backends.cudnn.benchmark is False
    assert library.backends.cuda.matmul.allow_tf32 is False
    assert library.backends.cudnn.enabled is True
    library.backends.cudnn.deterministic = False


def test_seeding_through_the_block_repeats_the_draws():
    seed_everything(minitorch, 3)
    first = minitorch.randn(4).tolist()
    seed_everything(minitorch, 3)
    assert minitorch.randn(4).tolist() == first
    minitorch.backends.cudnn.deterministic = False


@LIBRARIES
def test_grad_takes_only_inputs_as_torch_does(library):
    """The WGAN-GP gradient penalty passes only_inputs=True (the 6th positional
    argument); False is ignored with a FutureWarning."""
    x = library.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradient, = library.autograd.grad(y, x, library.ones(()), True, True, True)
    assert gradient.tolist() == [3.0, 12.0]
    assert gradient.requires_grad
    with pytest.warns(FutureWarning, match="only_inputs"):
        again, = library.autograd.grad(y, x, only_inputs=False)
    assert again.tolist() == [3.0, 12.0]


@LIBRARIES
@pytest.mark.filterwarnings("ignore:.*reduce argument")
@pytest.mark.parametrize("reduce,value", [("add", 2.0), ("multiply", 3.0)])
def test_scatter_takes_the_legacy_reduce_argument(library, reduce, value):
    """scatter_(dim, index, src or value, reduce='add' | 'multiply') combines with the
    target's elements (repeated positions too) instead of writing."""
    index = library.tensor([[1, 1], [3, 0], [0, 0]])
    by_value = library.ones(3, 4).scatter(1, index, value, reduce=reduce)
    by_tensor = library.ones(3, 4)
    by_tensor.scatter_(1, index, library.full((3, 2), value), reduce=reduce)
    expected = {"add": [[1, 5, 1, 1], [3, 1, 1, 3], [5, 1, 1, 1]],
                "multiply": [[1, 9, 1, 1], [3, 1, 1, 3], [9, 1, 1, 1]]}[reduce]
    assert by_value.tolist() == expected and by_tensor.tolist() == expected
    with pytest.raises((ValueError, RuntimeError)):
        library.ones(3, 4).scatter(1, index, value, reduce="mean")


@LIBRARIES
def test_the_attention_fast_path_switch_is_kept(library):
    assert library.backends.mha.get_fastpath_enabled() is True
    library.backends.mha.set_fastpath_enabled(False)
    try:
        assert library.backends.mha.get_fastpath_enabled() is False
    finally:
        library.backends.mha.set_fastpath_enabled(True)


def test_a_torch_device_names_a_device_and_a_load_location(tmp_path):
    assert minitorch.device(torch.device("cpu")) == minitorch.device("cpu")
    assert minitorch.device(torch.device("cpu", 0)) == minitorch.device("cpu", 0)
    path = tmp_path / "state.npz"
    minitorch.save({"w": minitorch.ones(2)}, path)
    assert minitorch.load(path, map_location=torch.device("cpu"))["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="cuda"):
        minitorch.load(path, map_location=torch.device("cuda"))
