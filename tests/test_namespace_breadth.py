"""The torch namespace beyond ops, compared with torch: constants, factories (scalar_tensor,
asarray, range, frexp), global settings, legacy tensor types, the top-level forms of
nn.functional ops and of in-place methods, minitorch.random, and Tensor's memory and
metadata API (data_ptr, untyped_storage, new, index_put, narrow_copy, ...)."""
import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.namespace_aliases import INPLACE_METHODS, TOP_LEVEL as ALIASES
from nn_helpers import assert_close, backend, normal  # noqa: F401  (a fixture)

DTYPES = ("float32", "float64")


def _pair(array):
    return minitorch.tensor(array), torch.tensor(array)


def _same(ours, theirs):
    """Equal shapes, dtype names and values (nans equal)."""
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


# ---- constants, factories ----------------------------------------------------------------

def test_constants_are_torchs():
    for name in ("pi", "e", "inf"):
        assert getattr(minitorch, name) == getattr(torch, name)
    assert math.isnan(minitorch.nan) and minitorch.newaxis is None is torch.newaxis
    a = minitorch.ones(2, 3)
    assert a[:, minitorch.newaxis].shape == (2, 1, 3)


@pytest.mark.parametrize("value", [1, 2.5, True, -3])
def test_scalar_tensor(value):
    _same(minitorch.scalar_tensor(value), torch.scalar_tensor(value))
    _same(minitorch.scalar_tensor(value, dtype=minitorch.float64),
          torch.scalar_tensor(value, dtype=torch.float64))
    assert minitorch.scalar_tensor(1.0, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="scalar_tensor: device 'cuda'"):
        minitorch.scalar_tensor(1.0, device="cuda")


def test_asarray_shares_a_tensor_and_copies_when_asked(backend):
    a = minitorch.arange(6.0).reshape(2, 3).T
    assert minitorch.asarray(a) is a
    assert minitorch.asarray(a, dtype=minitorch.float32, copy=False) is a
    copied = minitorch.asarray(a, copy=True)
    assert copied.data_ptr() != a.data_ptr()
    np.testing.assert_array_equal(copied.numpy(), a.numpy())
    cast = minitorch.asarray(a, dtype=minitorch.int64)
    _same(cast, torch.asarray(torch.arange(6.0).reshape(2, 3).T, dtype=torch.int64))
    grad = minitorch.asarray(a, copy=True, requires_grad=True)
    assert grad.requires_grad and grad.is_leaf and not a.requires_grad
    with pytest.raises(ValueError, match="asarray: copy=False, but a float32 tensor, asked "
                                         "for int64"):
        minitorch.asarray(a, dtype="int64", copy=False)


@pytest.mark.filterwarnings("ignore:torch.asarray")
@pytest.mark.parametrize("requires_grad", [None, True, False])
@pytest.mark.parametrize("copy", [None, True])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_asarray_requires_grad_follows_torch(requires_grad, copy, dtype):
    ours, theirs = minitorch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    result = minitorch.asarray(ours, dtype=dtype, copy=copy, requires_grad=requires_grad)
    expected = torch.asarray(theirs, dtype=dtype and getattr(torch, dtype), copy=copy,
                             requires_grad=requires_grad)
    assert (result is ours) == (expected is theirs)
    assert (result.requires_grad, result.is_leaf, ours.requires_grad) == \
        (expected.requires_grad, expected.is_leaf, theirs.requires_grad)
    plain = minitorch.ones(2)
    assert minitorch.asarray(plain, requires_grad=True) is plain and plain.requires_grad


@pytest.mark.parametrize("obj", [[1, 2], [1.5, 2], 3, 2.5, True, [[True], [False]]])
def test_asarray_of_data_follows_torchs_dtypes(obj):
    _same(minitorch.asarray(obj), torch.asarray(obj))
    _same(minitorch.asarray(obj, dtype=minitorch.float64), torch.asarray(obj, dtype=torch.float64))
    with pytest.raises(ValueError, match="asarray: copy=False, but a"):
        minitorch.asarray(obj, copy=False)


@pytest.mark.parametrize("args,kwargs", [((1, 4), {}), ((0, 1, 0.3), {}), ((5, 1, -2), {}),
                                         ((1, 4), {"dtype": "int64"}),
                                         ((0.5, 2), {"dtype": "float64"})])
def test_range_includes_end_and_warns(args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.range(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    with pytest.warns(UserWarning, match="range is deprecated"):
        ours = minitorch.range(*args, **kwargs)
    assert ours.shape == tuple(expected.shape) and ours.dtype.name == str(expected.dtype)[6:]
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-6)


def test_range_refuses_bad_steps():
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="range: step must be"):
        minitorch.range(0, 1, 0)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="range: upper bound"):
        minitorch.range(0, 1, -1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_frexp(backend, dtype):
    tiny = float(np.finfo(dtype).tiny)
    largest = float(np.finfo(dtype).max)
    values = np.array([[0.0, -0.0, 1.0, -3.5, 8.0, 0.75, 1e-3, largest, largest / 1.5],
                       [math.inf, -math.inf, math.nan, tiny, tiny / 8, 1e30, -7.0, -largest,
                        float(np.finfo(dtype).smallest_subnormal)]], dtype)
    ours, theirs = _pair(values)
    for a, b in ((ours, theirs), (ours.T, theirs.T)):
        mantissa, exponent = minitorch.frexp(a)
        expected = torch.frexp(b)
        _same(mantissa, expected.mantissa)
        np.testing.assert_array_equal(exponent.numpy(), expected.exponent.numpy())
        assert exponent.dtype is minitorch.int64
    with pytest.raises(TypeError, match="frexp: expected a floating point tensor, got int64"):
        minitorch.frexp(minitorch.tensor([1, 2]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_nextafter_is_bitwise_torchs(backend, dtype):
    finfo = np.finfo(dtype)
    tiny, smallest = float(finfo.tiny), float(finfo.smallest_subnormal)
    pairs = [(0.0, 1.0), (-0.0, -1.0), (1.0, 2.0), (1.0, 0.0), (-1.0, -2.0), (-1.0, 0.0),
             (0.5, 0.0), (3.3, -1.0), (-7.1e-3, 1.0), (tiny, 0.0), (tiny, 1.0),
             (smallest, 0.0), (-smallest, 1.0), (smallest * 3, -1.0), (finfo.max, math.inf),
             (finfo.max, 0.0), (math.inf, 0.0), (-math.inf, 0.0), (math.inf, math.inf),
             (math.nan, 1.0), (1.0, math.nan), (2.0, 2.0), (1e20, -math.inf), (0.0, -0.0)]
    x, y = (np.array(values, dtype).reshape(4, 6) for values in zip(*pairs))
    expected = torch.nextafter(torch.tensor(x).T, torch.tensor(y).T).numpy()
    ours = minitorch.nextafter(minitorch.tensor(x).T, minitorch.tensor(y).T)
    assert ours.dtype.name == dtype
    bits = f"i{np.dtype(dtype).itemsize}"
    np.testing.assert_array_equal(ours.numpy().view(bits), expected.view(bits))
    rng = np.random.default_rng(0)
    spread = (rng.standard_normal(200) * np.exp(rng.uniform(-80, 80, 200))).astype(dtype)
    toward = rng.standard_normal(200).astype(dtype)
    np.testing.assert_array_equal(
        minitorch.tensor(spread).nextafter(minitorch.tensor(toward)).numpy(),
        torch.tensor(spread).nextafter(torch.tensor(toward)).numpy())
    with pytest.raises(TypeError, match="nextafter: expected two floating point tensors of "
                                        "one dtype, got int64 and int64"):
        minitorch.nextafter(minitorch.tensor([1]), minitorch.tensor([2]))


def test_is_signed_and_typename():
    for dtype in ("float32", "float64", "int64", "bool"):
        ours = minitorch.zeros(2, dtype=dtype)
        theirs = torch.zeros(2, dtype=getattr(torch, dtype))
        assert minitorch.is_signed(ours) == torch.is_signed(theirs) == ours.is_signed()
        assert minitorch.typename(ours) == torch.typename(theirs).replace("torch", "minitorch")
    for obj in (1, "text", math.sqrt, np.float64, warnings.catch_warnings()):
        assert minitorch.typename(obj) == torch.typename(obj)
    assert minitorch.typename(minitorch.nn.Linear) == "minitorch.nn.layers.Linear"


# ---- global settings ------------------------------------------------------------------------

def test_deterministic_algorithms_flag_round_trips():
    assert not minitorch.are_deterministic_algorithms_enabled()
    try:
        minitorch.use_deterministic_algorithms(True, warn_only=True)
        assert minitorch.are_deterministic_algorithms_enabled()
        assert minitorch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        minitorch.use_deterministic_algorithms(False)
    assert not minitorch.is_deterministic_algorithms_warn_only_enabled()
    with pytest.raises(TypeError, match="use_deterministic_algorithms: mode and warn_only "
                                        "must be bools, got int"):
        minitorch.use_deterministic_algorithms(1)
    assert not minitorch.are_deterministic_algorithms_enabled()


def test_float32_matmul_precision():
    assert minitorch.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    try:
        for precision in ("medium", "high", "highest"):
            minitorch.set_float32_matmul_precision(precision)
            assert minitorch.get_float32_matmul_precision() == precision
        minitorch.set_float32_matmul_precision("medium")
        with pytest.raises(ValueError, match="set_float32_matmul_precision: precision must "
                                             "be one of 'highest', 'high', 'medium', got 'low'"):
            minitorch.set_float32_matmul_precision("low")
        assert minitorch.get_float32_matmul_precision() == "medium"
    finally:
        minitorch.set_float32_matmul_precision("highest")


def test_default_device_is_cpu_only():
    assert minitorch.get_default_device() == minitorch.device("cpu")
    assert str(minitorch.get_default_device()) == str(torch.get_default_device())
    for device in (None, "cpu", minitorch.device("cpu")):
        minitorch.set_default_device(device)
    with pytest.raises(RuntimeError, match="set_default_device: device 'cuda' is not "
                                           "available: minitorch runs on CPU backends only"):
        minitorch.set_default_device("cuda")


# ---- legacy tensor types --------------------------------------------------------------------

LEGACY = ("FloatTensor", "DoubleTensor", "LongTensor", "BoolTensor")


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_types_construct_as_torchs(name):
    ours, theirs = getattr(minitorch, name), getattr(torch, name)
    assert ours(2, 3).shape == (2, 3) and ours(2, 3).dtype.name == str(theirs(2, 3).dtype)[6:]
    assert ours().shape == tuple(theirs().shape) == (0,)
    for data in ([1, 0, 3], (2, 3), [[1.5], [0.0]], np.array([4, 0])):
        _same(ours(data), theirs(data))
    dtype = str(theirs().dtype)[6:]
    source = minitorch.tensor([1, 0, 2], dtype=dtype)
    shared = ours(source)
    _same(shared, theirs(torch.tensor([1, 0, 2], dtype=getattr(torch, dtype))))
    assert shared.data_ptr() == source.data_ptr()
    other = "int64" if dtype != "int64" else "float32"
    with pytest.raises(TypeError, match=f"{name}: expected a {dtype} tensor, got a {other}"):
        ours(minitorch.zeros(2, dtype=other))
    with pytest.raises(TypeError, match=f"{name}: expected sizes \\(ints\\) or one data "
                                        "argument, got \\(list, list\\)"):
        ours([1], [2])


def test_legacy_types_isinstance_checks_the_dtype():
    for dtype in ("float32", "float64", "int64", "bool"):
        ours = minitorch.zeros(2, dtype=dtype)
        theirs = torch.zeros(2, dtype=getattr(torch, dtype))
        for name in LEGACY:
            assert isinstance(ours, getattr(minitorch, name)) == \
                isinstance(theirs, getattr(torch, name))
    assert not isinstance([1.0], minitorch.FloatTensor)
    assert minitorch.FloatTensor.__name__ == "FloatTensor"


# ---- top-level functional aliases -----------------------------------------------------------

def _aliases_table():
    """name -> args(make, lib, dtype): the same arguments built for either library."""
    def x(shape, seed=0, scale=1.0):
        return lambda make, lib, dtype: make(normal(shape, dtype, seed) * scale)

    def ints(values):
        return lambda make, lib, dtype: make(np.array(values))

    def labels(values):
        return lambda make, lib, dtype: make(np.array(values, dtype))

    def pos(shape, seed=0):
        return lambda make, lib, dtype: make(np.abs(normal(shape, dtype, seed)) + 0.1)

    def value(v):
        return lambda make, lib, dtype: v

    def log_probs(make, lib, dtype):
        return make(normal((6, 2, 4), dtype)).log_softmax(2)

    return {
        "conv1d": (x((2, 4, 7)), x((6, 2, 3), 1), x((6,), 2), value(2), value(1), value(1),
                   value(2)),
        "conv2d": (x((1, 2, 5, 5)), x((3, 2, 3, 3), 1)),
        "conv3d": (x((1, 2, 4, 4, 4)), x((2, 2, 2, 2, 2), 1), None, value(1), value(1)),
        "conv_transpose1d": (x((2, 2, 5)), x((2, 3, 3), 1), x((3,), 2), value(2)),
        "conv_transpose2d": (x((1, 2, 4, 4)), x((2, 3, 3, 3), 1)),
        "conv_transpose3d": (x((1, 2, 3, 3, 3)), x((2, 1, 2, 2, 2), 1)),
        "dropout": (x((3, 4)), value(0.0), value(True)),
        "alpha_dropout": (x((3, 4)), value(0.5), value(False)),
        "feature_alpha_dropout": (x((2, 3, 4)), value(0.5), value(False)),
        "batch_norm": (x((4, 3, 5)), x((3,), 1), x((3,), 2), x((3,), 3), pos((3,), 4),
                       value(False), value(0.1), value(1e-5), value(False)),
        "instance_norm": (x((2, 3, 5)), x((3,), 1), x((3,), 2), None, None, value(True),
                          value(0.1), value(1e-5), value(False)),
        "layer_norm": (x((2, 3, 4)), value([3, 4]), x((3, 4), 1), x((3, 4), 2)),
        "group_norm": (x((2, 4, 3)), value(2), x((4,), 1), x((4,), 2)),
        "rms_norm": (x((2, 3, 4)), value([4]), x((4,), 1)),
        "embedding": (x((5, 3)), ints([[0, 4], [2, 2]]), value(2)),
        "embedding_bag": (x((10, 3)), ints([1, 2, 4, 5, 4, 3, 2, 9, 0]), ints([0, 4, 4, 6]),
                          value(False), value(2)),
        "max_pool1d": (x((2, 3, 8)), value(3), value(2), value(1)),
        "max_pool2d": (x((1, 2, 6, 6)), value(2)),
        "max_pool3d": (x((1, 1, 4, 4, 4)), value(2), value(()), value(1)),
        "avg_pool1d": (x((2, 3, 8)), value(3), value(2), value(1), value(True),
                       value(False)),
        "adaptive_avg_pool1d": (x((2, 3, 7)), value(3)),
        "adaptive_max_pool1d": (x((2, 3, 7)), value(3)),
        "pixel_shuffle": (x((1, 8, 2, 3)), value(2)),
        "pixel_unshuffle": (x((1, 2, 4, 6)), value(2)),
        "channel_shuffle": (x((1, 6, 2, 2)), value(3)),
        "cosine_similarity": (x((3, 5)), x((3, 5), 1), value(1)),
        "pairwise_distance": (x((3, 5)), x((3, 5), 1), value(1.5)),
        "bilinear": (x((3, 4)), x((3, 2), 1), x((5, 4, 2), 2), x((5,), 3)),
        "prelu": (x((2, 3, 4)), pos((3,), 1)),
        "selu": (x((3, 4)),),
        "celu": (x((3, 4)), value(0.7)),
        "rrelu": (x((3, 4)), value(0.1), value(0.3)),
        "threshold": (x((3, 4)), value(0.2), value(-1.0)),
        "hardshrink": (x((3, 4)), value(0.7)),
        "kl_div": (x((3, 4)), pos((3, 4), 1), value(2)),
        "margin_ranking_loss": (x((5,)), x((5,), 1), labels([1, -1, 1, 1, -1]), value(0.2)),
        "hinge_embedding_loss": (x((5,)), labels([1, -1, 1, 1, -1]), value(0.5), value(0)),
        "cosine_embedding_loss": (x((3, 4)), x((3, 4), 1), labels([1, -1, 1])),
        "triplet_margin_loss": (x((3, 4)), x((3, 4), 1), x((3, 4), 2), value(0.5), value(1.0),
                                value(1e-6), value(True), value(2)),
        "poisson_nll_loss": (x((3, 4)), pos((3, 4), 1), value(True), value(True),
                             value(1e-8), value(1)),
        "binary_cross_entropy_with_logits": (x((3, 4)), labels(np.eye(3, 4)), pos((4,), 1),
                                             pos((4,), 2), value(2)),
        "ctc_loss": (log_probs, ints([[1, 2], [3, 3]]), value([6, 5]), value([2, 2]),
                     value(0), value(0)),
        "constant_pad_nd": (x((2, 3)), value([1, 2, 0, 1]), value(0.5)),
    }


ALIAS_CASES = _aliases_table()


def _results(output):
    return output if isinstance(output, tuple) else (output,)


def test_every_functional_alias_has_a_case_and_exists_in_torch():
    functional = set(ALIASES) - set(INPLACE_METHODS) - {n for n in ALIASES if n.endswith("_")}
    assert functional == set(ALIAS_CASES)
    assert all(hasattr(torch, name) for name in ALIASES)
    assert all(getattr(minitorch, name) is ALIASES[name] for name in ALIASES)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ALIAS_CASES))
def test_functional_alias_matches_torch(name, dtype):
    builders = ALIAS_CASES[name]
    ours_args = [None if b is None else b(minitorch.tensor, minitorch, dtype) for b in builders]
    theirs_args = [None if b is None else b(torch.tensor, torch, dtype) for b in builders]
    ours = _results(getattr(minitorch, name)(*ours_args))
    theirs = _results(getattr(torch, name)(*theirs_args))
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        if reference.dtype.is_floating_point:
            assert_close(mine, reference, dtype)
        else:
            _same(mine, reference)


@pytest.mark.parametrize("name", sorted(ALIAS_CASES))
def test_functional_alias_parameter_names_are_torchs(name):
    """torch.X accepts every argument by our parameter's name (and its result matches)."""
    builders = ALIAS_CASES[name]
    names = list(inspect.signature(ALIASES[name]).parameters)[:len(builders)]
    keywords = {key: None if b is None else b(torch.tensor, torch, "float64")
                for key, b in zip(names, builders)}
    ours_keywords = {key: None if b is None else b(minitorch.tensor, minitorch, "float64")
                     for key, b in zip(names, builders)}
    theirs = _results(getattr(torch, name)(**keywords))
    for mine, reference in zip(_results(ALIASES[name](**ours_keywords)), theirs):
        assert mine.shape == tuple(reference.shape)


def test_alias_losses_default_to_no_reduction_as_torchs():
    ours, theirs = _pair(normal((3, 4), "float64"))
    labels, tlabels = _pair(np.array([1.0, -1.0, 1.0]))
    for name, args, targs in (
            ("kl_div", (ours, ours.exp()), (theirs, theirs.exp())),
            ("hinge_embedding_loss", (ours, ours.sign()), (theirs, theirs.sign())),
            ("cosine_embedding_loss", (ours, ours, labels), (theirs, theirs, tlabels)),
            ("binary_cross_entropy_with_logits", (ours, ours.sigmoid()),
             (theirs, theirs.sigmoid()))):
        assert_close(getattr(minitorch, name)(*args), getattr(torch, name)(*targs), "float64")


def test_aliases_refuse_bad_arguments():
    x = minitorch.ones(2, 3)
    with pytest.raises(ValueError, match="kl_div: reduction must be 0 \\(none\\), 1 \\(mean\\) "
                                         "or 2 \\(sum\\), got 'mean'"):
        minitorch.kl_div(x, x, "mean")
    with pytest.raises(TypeError):
        minitorch.dropout(x, 0.5)   # train is required, as in torch
    with pytest.raises(NotImplementedError, match="embedding: sparse=True is not supported"):
        minitorch.embedding(x, minitorch.tensor([0]), sparse=True)


def test_alias_gradients_match_torch():
    weight, tweight = _pair(normal((5, 3), "float64"))
    ours_x, theirs_x = _pair(normal((2, 3, 4), "float64"))
    for a in (weight, tweight, ours_x, theirs_x):
        a.requires_grad_()
    index = np.array([[0, 4], [3, 0]])
    # padding_idx 0 gets no gradient; the default, -1, is no padding (row 4 gets one)
    loss = minitorch.embedding(weight, minitorch.tensor(index), 0).sum() + \
        minitorch.embedding(weight, minitorch.tensor(index)).pow(2).sum() + \
        minitorch.layer_norm(ours_x, [4]).pow(3).sum()
    tloss = torch.embedding(tweight, torch.tensor(index), 0).sum() + \
        torch.embedding(tweight, torch.tensor(index)).pow(2).sum() + \
        torch.layer_norm(theirs_x, [4]).pow(3).sum()
    loss.backward()
    tloss.backward()
    assert_close(weight.grad, tweight.grad, "float64")
    assert_close(ours_x.grad, theirs_x.grad, "float64")


# ---- top-level in-place forms ---------------------------------------------------------------

def test_inplace_list_is_torchs_names_that_tensor_has():
    expected = {name for name in dir(torch) if name.endswith("_") and not name.startswith("_")
                and hasattr(minitorch.Tensor, name)}
    defined_otherwise = set(ALIASES) - set(INPLACE_METHODS)   # selu_, dropout_, ...
    assert set(INPLACE_METHODS) == expected - defined_otherwise


INPLACE_CASES = {"relu_": (), "sigmoid_": (), "tanh_": (), "exp_": (), "abs_": (),
                 "clamp_": (-0.5, 0.5), "zero_": (), "fill_": (2.5,), "square_": (),
                 "floor_": (), "neg_": (), "selu_": (), "celu_": (0.5,),
                 "threshold_": (0.1, -2.0)}


@pytest.mark.parametrize("name", sorted(INPLACE_CASES))
def test_inplace_forms_write_into_their_input(backend, name):
    ours, theirs = _pair(normal((3, 4), "float32"))
    ours, theirs = ours.T, theirs.T
    result = getattr(minitorch, name)(ours, *INPLACE_CASES[name])
    getattr(torch, name)(theirs, *INPLACE_CASES[name])
    assert result is ours
    assert_close(ours, theirs, "float32")


def test_dropout_inplace_forms():
    for name in ("dropout_", "alpha_dropout_", "feature_alpha_dropout_"):
        ours = minitorch.ones(2, 3, 4)
        assert getattr(minitorch, name)(ours, 0.5, False) is ours
        assert ours.numpy().tolist() == torch.ones(2, 3, 4).numpy().tolist()
    zeroed = minitorch.ones(3)
    minitorch.dropout_(zeroed, 1.0, True)
    assert zeroed.numpy().tolist() == [0.0, 0.0, 0.0]


# ---- minitorch.random ------------------------------------------------------------------------

def test_random_module_seeds():
    assert minitorch.random.manual_seed(7) is minitorch.default_generator
    assert minitorch.random.initial_seed() == 7
    first = minitorch.rand(4).numpy()
    minitorch.random.manual_seed(7)
    np.testing.assert_array_equal(minitorch.rand(4).numpy(), first)
    fresh = minitorch.random.seed()
    assert minitorch.random.initial_seed() == fresh


def test_fork_rng_restores_the_state():
    minitorch.random.manual_seed(3)
    state = minitorch.random.get_rng_state()
    with minitorch.random.fork_rng():
        minitorch.rand(10)
    after = minitorch.rand(3).numpy()
    minitorch.random.set_rng_state(state)
    np.testing.assert_array_equal(minitorch.rand(3).numpy(), after)
    state = minitorch.random.get_rng_state()
    with pytest.raises(KeyError):
        with minitorch.random.fork_rng(devices=[]):
            minitorch.rand(10)
            raise KeyError("inside")
    np.testing.assert_array_equal(minitorch.random.get_rng_state().numpy(), state.numpy())
    with minitorch.random.fork_rng(enabled=False):
        minitorch.rand(10)
    assert minitorch.random.get_rng_state().tolist() != state.tolist()


def test_fork_rng_refuses_devices():
    with pytest.raises(ValueError, match="fork_rng: minitorch has no accelerator devices"):
        with minitorch.random.fork_rng(devices=[0]):
            pass
    with pytest.raises(ValueError, match="fork_rng: device_type must be None or 'cpu'"):
        with minitorch.random.fork_rng(device_type="cuda"):
            pass


# ---- Tensor memory and metadata --------------------------------------------------------------

@pytest.mark.parametrize("name", ["numpy", "python", "c"])
def test_data_ptr_follows_the_storage_offset(name):
    if not any(b.name == name and b.available for b in minitorch.list_backends()):
        pytest.skip(f"backend {name} unavailable")
    with minitorch.use_backend(name):
        for dtype in ("float32", "float64", "int64"):
            a = minitorch.zeros(4, 5, dtype=dtype)
            base = a.data_ptr()
            assert isinstance(base, int) and base == a.untyped_storage().data_ptr()
            assert a.T.data_ptr() == a[0].data_ptr() == a.view(20).data_ptr() == base
            assert a[1, 2:].data_ptr() - base == 7 * a.element_size()
            assert a[2:].untyped_storage().data_ptr() == base
            assert a.clone().data_ptr() != base
            assert a[1:].untyped_storage().nbytes() == a.untyped_storage().size() == \
                20 * a.element_size()
            empty = minitorch.empty(0, dtype=dtype)   # torch's address of no storage: 0
            assert empty.data_ptr() == torch.empty(0).data_ptr() == 0
            assert empty.untyped_storage().nbytes() == 0
    if name == "numpy":
        assert a.data_ptr() == a._storage.buffer.ctypes.data


def test_data_ptr_matches_torchs_differences():
    theirs = torch.zeros(3, 4, dtype=torch.float64)
    ours = minitorch.zeros(3, 4, dtype="float64")
    for key in ((1,), (slice(1, None), 2), (2, slice(1, None))):
        assert ours[key].data_ptr() - ours.data_ptr() == theirs[key].data_ptr() - \
            theirs.data_ptr()
    assert ours[1:].untyped_storage().nbytes() == theirs[1:].untyped_storage().nbytes()


def test_cpu_memory_facts_match_torch():
    ours, theirs = minitorch.ones(2, 3), torch.ones(2, 3)
    for name in ("get_device", "is_pinned", "is_shared", "is_inference"):
        assert getattr(ours, name)() == getattr(theirs, name)()
    for name in ("is_sparse", "is_quantized", "is_meta", "is_mkldnn", "is_nested"):
        assert getattr(ours, name) is getattr(theirs, name) is False
    assert ours.share_memory_() is ours
    assert ours.layout is minitorch.strided and repr(minitorch.strided) == \
        repr(torch.strided).replace("torch", "minitorch")
    with pytest.raises(RuntimeError, match="pin_memory: pinned memory needs an accelerator"):
        ours.pin_memory()
    with pytest.raises(RuntimeError):
        theirs.pin_memory()


def test_output_nr():
    class Split(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, a, b):
            return 2 * a + 3 * b

    x = minitorch.ones(2, requires_grad=True)
    first, second = Split.apply(x)
    assert (x.output_nr, (x * 2).output_nr, first.output_nr, second.output_nr) == (0, 0, 0, 1)
    values, indices = torch.ones(2, 3, requires_grad=True).max(1)
    assert values.output_nr == 0 and torch.ones(2, requires_grad=True).output_nr == 0


@pytest.mark.parametrize("dtype", DTYPES + ("int64",))
def test_new_is_the_legacy_constructor(dtype):
    ours, theirs = _pair(np.zeros((2, 2), dtype))
    for args in ((), (3,), (2, 3), ([1, 2],), ((4, 5),), (np.array([[1, 0]]),)):
        made, expected = ours.new(*args), theirs.new(*args)
        assert made.shape == tuple(expected.shape)
        assert made.dtype.name == dtype
        if args and not isinstance(args[0], int):
            _same(made, expected)
    with pytest.raises(TypeError, match="new: expected sizes \\(ints\\) or one data argument"):
        ours.new(2, [3])


@pytest.mark.parametrize("dtype", DTYPES)
def test_index_put_is_out_of_place(backend, dtype):
    ours, theirs = _pair(normal((3, 4), dtype))
    values, tvalues = _pair(normal((3,), dtype, 1))
    for a in (ours, theirs, values, tvalues):
        a.requires_grad_()
    rows, columns = np.array([0, 2, 0]), np.array([1, 3, 1])
    for accumulate in (True, False):
        ours_indices = (minitorch.tensor(rows), minitorch.tensor(columns))
        theirs_indices = (torch.tensor(rows), torch.tensor(columns))
        if accumulate:
            result = ours.T.index_put(ours_indices[::-1], values, accumulate=True)
            expected = theirs.T.index_put(theirs_indices[::-1], tvalues, accumulate=True)
            assert_close(result, expected, dtype)
            weights = normal((4, 3), dtype, 5)
            (result * minitorch.tensor(weights)).sum().backward()
            (expected * torch.tensor(weights)).sum().backward()
            assert_close(ours.grad, theirs.grad, dtype)
            assert_close(values.grad, tvalues.grad, dtype)
        else:
            result = ours.detach().index_put(ours_indices, minitorch.tensor(9.0, dtype=dtype))
            assert_close(result, theirs.detach().index_put(
                theirs_indices, torch.tensor(9.0, dtype=getattr(torch, dtype))), dtype)
    assert_close(ours, theirs, dtype)   # unchanged
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0"):
        ours.detach().index_put((minitorch.tensor([7]),), minitorch.tensor(1.0, dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_narrow_copy(dtype):
    ours, theirs = _pair(normal((4, 5), dtype))
    for a, b in ((ours, theirs), (ours.T, theirs.T)):
        copied = a.narrow_copy(1, 1, 2)
        _same(copied, b.narrow_copy(1, 1, 2))
        assert copied.is_contiguous() and copied.data_ptr() != a.data_ptr()
    with pytest.raises(RuntimeError, match="narrow: start \\(4\\) \\+ length \\(3\\) exceeds"):
        ours.narrow_copy(0, 4, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_hardshrink_and_prelu_methods(dtype):
    ours, theirs = _pair(normal((2, 3, 4), dtype))
    weight, tweight = _pair(np.array([0.1, 0.2, 0.3], dtype))
    assert_close(ours.hardshrink(0.6), theirs.hardshrink(0.6), dtype)
    assert_close(ours.transpose(0, 2).hardshrink(), theirs.transpose(0, 2).hardshrink(), dtype)
    assert_close(ours.prelu(weight), theirs.prelu(tweight), dtype)
    with pytest.raises(Exception, match="prelu"):
        ours.prelu(minitorch.ones(5, dtype=dtype))


@pytest.mark.parametrize("name", ["numpy", "python", "c"])
def test_resize_keeps_the_storage_or_grows_it(name):
    if not any(b.name == name and b.available for b in minitorch.list_backends()):
        pytest.skip(f"backend {name} unavailable")
    values = np.arange(12.0, dtype="float64")
    theirs = torch.tensor(values)
    with minitorch.use_backend(name):
        ours = minitorch.tensor(values)
        start = ours.data_ptr()
        for sizes in ((3, 4), ((2, 2),), ([5],), (0,)):
            assert ours.resize_(*sizes) is ours
            _same(ours, theirs.resize_(*sizes))
            assert ours.data_ptr() == start and ours.is_contiguous()
        view, tview = ours.resize_(12)[2:], theirs.resize_(12)[2:]
        _same(view.resize_(2, 3), tview.resize_(2, 3))
        assert view.storage_offset() == 2
        grown = minitorch.tensor(values[:4]).resize_(3, 3)
        assert grown.shape == (3, 3) and grown.numpy().reshape(-1)[:4].tolist() == [0, 1, 2, 3]
        assert grown.untyped_storage().nbytes() == 9 * 8
        like = minitorch.zeros(2, 5)
        assert ours.resize_as_(like).shape == (2, 5)
        with pytest.raises(RuntimeError, match="resize_: cannot resize a tensor that "
                                               "requires grad"):
            minitorch.ones(2, requires_grad=True).resize_(3)
        with pytest.raises(ValueError, match="resize_: sizes must be non-negative ints, got "
                                             "\\(2, -1\\)"):
            ours.resize_(2, -1)
        assert ours.shape == (2, 5)
