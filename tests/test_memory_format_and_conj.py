"""torch's memory formats (contiguous_format, preserve_format, channels_last) and the
complex-aware names (conj, real, resolve_conj, ...) that real-valued code calls, compared
with torch 2.13."""
import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

LIBRARIES = pytest.mark.parametrize("library", [minitorch, torch],
                                    ids=["minitorch", "torch"])
VALUES = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)


def _both(make):
    """make(library) for both libraries: (minitorch's, torch's)."""
    return make(minitorch), make(torch)


@pytest.mark.parametrize("backend", ["numpy", "c"])
@pytest.mark.parametrize("make", [
    lambda L, x: x.to(memory_format=L.channels_last),
    lambda L, x: x.contiguous(memory_format=L.channels_last),
    lambda L, x: x.clone(memory_format=L.channels_last),
    lambda L, x: x.clone(memory_format=L.contiguous_format),
    lambda L, x: x.to(memory_format=L.channels_last).contiguous(),
    lambda L, x: x.to(memory_format=L.channels_last).to(memory_format=L.contiguous_format),
    lambda L, x: L.zeros_like(x, memory_format=L.channels_last),
    lambda L, x: L.empty_like(x, memory_format=L.contiguous_format).fill_(1),
    lambda L, x: L.full_like(x, 2.5, memory_format=L.channels_last),
    lambda L, x: L.ones_like(x.to(memory_format=L.channels_last),
                             memory_format=L.contiguous_format),
], ids=["to", "contiguous", "clone", "clone-contiguous", "back", "to-back", "zeros_like",
        "empty_like", "full_like", "ones_like"])
def test_a_memory_format_gives_torchs_strides_and_values(backend, make):
    with minitorch.use_backend(backend):
        ours = make(minitorch, minitorch.tensor(VALUES))
    theirs = make(torch, torch.tensor(VALUES))
    assert ours.stride() == theirs.stride()
    for memory_format in ("contiguous_format", "channels_last"):
        assert ours.is_contiguous(memory_format=getattr(minitorch, memory_format)) == \
            theirs.is_contiguous(memory_format=getattr(torch, memory_format))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@LIBRARIES
def test_channels_last_keeps_the_graph_and_a_leaf_stays_one(library):
    weight = library.tensor(VALUES, requires_grad=True)
    (weight.to(memory_format=library.channels_last) * 2).sum().backward()
    assert weight.grad.tolist() == np.full(VALUES.shape, 2.0).tolist()
    made = library.zeros_like(weight, memory_format=library.channels_last,
                              requires_grad=True)
    assert made.is_leaf and made.requires_grad


@LIBRARIES
@pytest.mark.parametrize("make", [
    lambda L: L.ones(2, 3).contiguous(memory_format=L.channels_last),
    lambda L: L.ones(2, 3, 4, 5).clone(memory_format=L.channels_last_3d),
    lambda L: L.ones(3, 2).t().contiguous(memory_format=L.preserve_format),
], ids=["rank-2-channels-last", "rank-4-channels-last-3d", "contiguous-preserve"])
def test_a_format_that_cannot_apply_is_refused(library, make):
    with pytest.raises(RuntimeError):
        make(library)


@LIBRARIES
def test_a_real_tensor_is_its_own_conjugate(library):
    x = library.tensor([1.0, -2.0], requires_grad=True)
    for name in ("conj", "resolve_conj", "resolve_neg", "conj_physical"):
        assert getattr(x, name)() is x
        assert getattr(library, name)(x) is x
    assert x.real is x and library.real(x) is x
    assert not x.is_conj() and not x.is_neg()
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        x.imag
