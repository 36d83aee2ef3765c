"""Printing, conversion, creation and dtype/generator API found to differ from torch by
differential fuzzing; each test compares with torch 2.13 where it can."""
import operator

import numpy as np
import pytest
import torch

import minitorch
from nn_helpers import backend  # noqa: F401  (fixture)


@pytest.fixture
def default_printoptions():
    """Both libraries print with their defaults before and after the test."""
    torch.set_printoptions(profile="default")
    minitorch.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    minitorch.set_printoptions(profile="default")


def _torch_repr(tensor):
    return repr(tensor).replace("torch.", "minitorch.")


# ---- printing ----------------------------------------------------------------------------
@pytest.mark.parametrize("values", [[0.4353, 1.5, -2.25], [1.1025e11, 2.4695e-12, -7.5114e6],
                                    [[float("-inf"), 9.99e-5, 1e10, 0.0]]])
def test_a_suffix_past_the_line_width_wraps_as_torch(default_printoptions, values):
    torch.set_printoptions(linewidth=40)
    minitorch.set_printoptions(linewidth=40)
    ours = minitorch.tensor(values, requires_grad=True)
    assert repr(ours) == _torch_repr(torch.tensor(values, requires_grad=True))
    assert ",\n       requires_grad=True)" in repr(ours)


def test_setting_another_option_makes_sci_mode_automatic_again(default_printoptions):
    for lib in (torch, minitorch):
        lib.set_printoptions(sci_mode=True)
        lib.set_printoptions(precision=2)
    assert repr(minitorch.tensor([1.5, 2.25])) == _torch_repr(torch.tensor([1.5, 2.25]))
    assert repr(minitorch.tensor([1.5, 2.25])) == "tensor([1.50, 2.25])"


@pytest.mark.parametrize("threshold", [3, 1000])
def test_edgeitems_zero_elides_everything_and_prints_the_size(default_printoptions,
                                                              threshold):
    for lib in (torch, minitorch):
        lib.set_printoptions(edgeitems=0, threshold=threshold)
    for values in ([[1.5, 2.25], [3.0, 4.0]], list(range(10))):
        assert repr(minitorch.tensor(values)) == _torch_repr(torch.tensor(values))


def test_repr_of_values_whose_ratio_overflows_gives_no_warning(recwarn):
    values = [1e300, 5e-324]
    ours = repr(minitorch.tensor(values, dtype=minitorch.float64))
    assert ours == _torch_repr(torch.tensor(values, dtype=torch.float64))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# ---- conversion --------------------------------------------------------------------------
@pytest.mark.parametrize("values", [2.5, -7, True, float("nan"), [1.5], [[2]]])
@pytest.mark.parametrize("element", [1.5, 3, True, -7])
def test_in_compares_elementwise_also_on_0d_tensors(backend, values, element):
    expected = element in torch.tensor(values)
    assert (element in minitorch.tensor(values)) is expected
    assert (minitorch.tensor(element) in minitorch.tensor(values)) is expected


@pytest.mark.parametrize("element", [[1.5], "a"])
def test_in_refuses_what_is_not_a_tensor_or_number(element):
    with pytest.raises(RuntimeError, match="Tensor or scalar"):
        element in torch.tensor([1.5])  # noqa: B015
    with pytest.raises(RuntimeError, match="__contains__ only supports Tensor or scalar"):
        element in minitorch.tensor([1.5])  # noqa: B015


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_tensor_is_an_index(backend, value):
    assert operator.index(minitorch.tensor(value)) == operator.index(torch.tensor(value))
    assert [10, 20][minitorch.tensor([value])] == [10, 20][torch.tensor([value])]


def test_numpy_force_converts_a_tensor_that_requires_grad():
    ours = minitorch.tensor([1.5], requires_grad=True).numpy(force=True)
    np.testing.assert_array_equal(ours, torch.tensor([1.5], requires_grad=True).numpy(force=True))
    with pytest.raises(RuntimeError, match="requires grad"):
        minitorch.tensor([1.5], requires_grad=True).numpy()


# ---- creation ----------------------------------------------------------------------------
@pytest.mark.parametrize("fill", [3, 3.5, True])
def test_full_infers_its_dtype_from_a_0d_tensor_fill_value(fill):
    ours = minitorch.full((2,), minitorch.tensor(fill))
    theirs = torch.full((2,), torch.tensor(fill))
    assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("args,error", [
    ((0, 5, 0), RuntimeError), ((0, float("inf")), RuntimeError),
    ((float("nan"),), RuntimeError), ((0, 1, 0.5), ValueError)])
def test_arange_error_classes_as_torch(args, error):
    with pytest.raises(error):
        torch.arange(*args, dtype=torch.int64)
    with pytest.raises(error, match="arange"):
        minitorch.arange(*args, dtype=minitorch.int64)


@pytest.mark.parametrize("start,end,steps", [(-3.5, 10, 5), (2.7, -4.2, 4), (-0.5, 0.5, 3)])
@pytest.mark.parametrize("name", ["linspace", "logspace"])
def test_integer_linspace_and_logspace_truncate_their_ends_first(name, start, end, steps):
    keywords = {"base": 2} if name == "logspace" else {}
    ours = getattr(minitorch, name)(start, end, steps, dtype=minitorch.int64, **keywords)
    theirs = getattr(torch, name)(start, end, steps, dtype=torch.int64, **keywords)
    assert ours.tolist() == theirs.tolist()


def test_one_element_tensors_in_a_list_are_scalars_of_their_dtype():
    for make in (lambda lib: [lib.tensor([1.0]), lib.tensor([2.0])],
                 lambda lib: [lib.tensor(1.0, dtype=lib.float64), lib.tensor(2.0)],
                 lambda lib: [[lib.tensor(True)], [lib.tensor(2)]]):
        ours, theirs = minitorch.tensor(make(minitorch)), torch.tensor(make(torch))
        assert ours.shape == tuple(theirs.shape)
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        assert ours.tolist() == theirs.tolist()
    with pytest.raises(ValueError, match="only one element tensors"):
        minitorch.tensor([minitorch.tensor([1.0, 2.0])])


def test_tensor_from_a_range_and_from_numpy_of_a_list():
    assert minitorch.tensor(range(3)).tolist() == torch.tensor(range(3)).tolist()
    with pytest.raises(TypeError, match="expected np.ndarray"):
        minitorch.from_numpy([1, 2])


# ---- dtypes and generators ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["float32", "float64", "int64", "bool"])
def test_dtype_is_signed_is_complex_and_to_real(name):
    ours, theirs = getattr(minitorch, name), getattr(torch, name)
    assert (ours.is_signed, ours.is_complex) == (theirs.is_signed, theirs.is_complex)
    assert ours.to_real() is ours


@pytest.mark.parametrize("seed", [-1, -2 ** 63, 2 ** 64 - 1])
def test_generator_manual_seed_wraps_negative_seeds_as_torch(seed):
    ours = minitorch.Generator().manual_seed(seed).initial_seed()
    assert ours == torch.Generator().manual_seed(seed).initial_seed()


@pytest.mark.parametrize("seed,error", [(2 ** 64, ValueError), (1.5, RuntimeError),
                                        ("1", RuntimeError), (True, RuntimeError)])
def test_generator_manual_seed_refuses_what_torch_refuses(seed, error):
    with pytest.raises(error):
        torch.Generator().manual_seed(seed)
    with pytest.raises(error, match="manual_seed"):
        minitorch.Generator().manual_seed(seed)


def test_generator_seed_and_device():
    generator = minitorch.Generator(device="cpu")
    assert str(generator.device) == str(torch.Generator(device="cpu").device)
    fresh = generator.seed()
    assert isinstance(fresh, int) and generator.initial_seed() == fresh
    with pytest.raises(Exception, match="cuda"):
        minitorch.Generator(device="cuda")

