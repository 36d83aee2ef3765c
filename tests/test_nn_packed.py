"""minitorch.nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence, unpack_sequence, unpad_sequence, PackedSequence) and RNN, LSTM, GRU on
packed batches, checked against torch: values, the packing metadata, final states, and
the gradients of the inputs, initial states and every parameter, on the numpy and c
backends (a tiny case on python); then errors."""
import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as trnn

import minitorch
from minitorch.nn.utils import rnn
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401
from test_nn_rnn import KINDS, initial_states, leaves, make_pair

LENGTHS = {"sorted": [4, 4, 2, 1], "unsorted": [2, 4, 1, 4, 3]}


def sequence_pairs(lengths, trailing, dtype):
    """One (minitorch, torch) leaf pair per length, each (length, *trailing)."""
    return leaves([normal((length,) + trailing, dtype, seed) for seed, length in
                   enumerate(lengths)])


def assert_same_packing(ours, theirs, dtype):
    """Two PackedSequences with equal data, batch_sizes and indices."""
    assert isinstance(ours, rnn.PackedSequence) and ours._fields == theirs._fields
    assert_close(ours.data, theirs.data, dtype)
    assert ours.batch_sizes.tolist() == theirs.batch_sizes.tolist()
    assert ours.batch_sizes.dtype is minitorch.int64
    for mine, reference in zip(ours[2:], theirs[2:]):
        assert (mine is None) == (reference is None)
        if mine is not None:
            assert mine.dtype is minitorch.int64 and mine.tolist() == reference.tolist()


# ---- padding ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(backend, dtype, batch_first, padding_side):
    pairs = sequence_pairs([3, 1, 4], (2, 3), dtype)
    ours = rnn.pad_sequence([m for m, _ in pairs], batch_first, -1.5, padding_side)
    theirs = trnn.pad_sequence([t for _, t in pairs], batch_first, -1.5, padding_side)
    check_backward([(ours, theirs)], [m for m, _ in pairs], [t for _, t in pairs], dtype)


def test_pad_sequence_of_views_a_tensor_and_mixed_dtypes(backend):
    array = normal((3, 5, 2), "float64")
    ours, theirs = leaves([array])[0]
    views, tviews = [ours[i].T for i in range(3)], [theirs[i].T for i in range(3)]
    check_backward([(rnn.pad_sequence(views, True), trnn.pad_sequence(tviews, True))],
                   [ours], [theirs], "float64")
    assert_close(rnn.pad_sequence(minitorch.tensor(array)),
                 trnn.pad_sequence(torch.tensor(array)), "float64")
    mixed = rnn.pad_sequence([minitorch.ones(2), minitorch.ones(3, dtype="float64")])
    assert mixed.dtype is minitorch.float32   # the first sequence's, as torch
    padded = rnn.pad_sequence([minitorch.tensor([1, 2]), minitorch.tensor([3])], True, 7)
    assert padded.dtype is minitorch.int64 and padded.tolist() == [[1, 2], [3, 7]]


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence_matches_torch(backend, batch_first):
    padded = normal((5, 3, 2) if not batch_first else (3, 5, 2), "float64")
    lengths = [5, 2, 3]
    ours = rnn.unpad_sequence(minitorch.tensor(padded), minitorch.tensor(lengths),
                              batch_first)
    theirs = trnn.unpad_sequence(torch.tensor(padded), torch.tensor(lengths), batch_first)
    assert len(ours) == len(theirs) == 3
    for mine, reference in zip(ours, theirs):
        assert_close(mine, reference, "float64")


# ---- packing ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("order", list(LENGTHS))
def test_pack_then_pad_matches_torch(backend, dtype, batch_first, order):
    lengths = LENGTHS[order]
    shape = (len(lengths), 5, 3) if batch_first else (5, len(lengths), 3)
    x, tx = leaves([normal(shape, dtype)])[0]
    sort = order == "sorted"
    packed = rnn.pack_padded_sequence(x, lengths, batch_first, enforce_sorted=sort)
    tpacked = trnn.pack_padded_sequence(tx, lengths, batch_first, enforce_sorted=sort)
    assert_same_packing(packed, tpacked, dtype)
    padded, padded_lengths = rnn.pad_packed_sequence(packed, batch_first, 9.0, 6)
    tpadded, tpadded_lengths = trnn.pad_packed_sequence(tpacked, batch_first, 9.0, 6)
    assert padded_lengths.dtype is minitorch.int64
    assert padded_lengths.tolist() == tpadded_lengths.tolist() == lengths
    check_backward([(packed.data, tpacked.data), (padded, tpadded)], [x], [tx], dtype)


def test_pack_a_transposed_view_with_tensor_lengths(backend):
    array = normal((4, 3, 2), "float32")   # (B, T, *), packed through a (T, B, *) view
    x, tx = leaves([array])[0]
    lengths = [1, 3, 2, 3]
    packed = rnn.pack_padded_sequence(x.transpose(0, 1), minitorch.tensor(lengths),
                                      enforce_sorted=False)
    tpacked = trnn.pack_padded_sequence(tx.transpose(0, 1), torch.tensor(lengths),
                                        enforce_sorted=False)
    assert_same_packing(packed, tpacked, "float32")
    padded, _ = rnn.pad_packed_sequence(packed)
    tpadded, _ = trnn.pad_packed_sequence(tpacked)
    check_backward([(padded, tpadded)], [x], [tx], "float32")


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_and_unpack_sequence_match_torch(backend, enforce_sorted):
    lengths = [4, 3, 3, 1] if enforce_sorted else [1, 3, 4, 3]
    pairs = sequence_pairs(lengths, (2,), "float64")
    packed = rnn.pack_sequence([m for m, _ in pairs], enforce_sorted)
    tpacked = trnn.pack_sequence([t for _, t in pairs], enforce_sorted)
    assert_same_packing(packed, tpacked, "float64")
    unpacked, tunpacked = rnn.unpack_sequence(packed), trnn.unpack_sequence(tpacked)
    assert len(unpacked) == len(tunpacked) == 4
    check_backward(zip(unpacked, tunpacked), [m for m, _ in pairs], [t for _, t in pairs],
                   "float64")


def test_packed_sequence_is_a_named_tuple_with_torchs_helpers():
    data, sizes = minitorch.arange(6.0), minitorch.tensor([3, 2, 1])
    order = minitorch.tensor([2, 0, 1])
    packed = rnn.PackedSequence(data, sizes, order)
    assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert packed.unsorted_indices.tolist() == [1, 2, 0]
    assert rnn.invert_permutation(order).tolist() == [1, 2, 0]
    assert rnn.invert_permutation(None) is None
    assert rnn.PackedSequence((data, sizes)).sorted_indices is None
    assert packed.to("float32") is packed and packed.cpu() is packed and not packed.is_cuda
    double = packed.double()
    assert double.data.dtype is minitorch.float64 and double.batch_sizes is sizes
    assert double.unsorted_indices.tolist() == [1, 2, 0]
    moved = packed.to("python")
    assert moved.data.backend == moved.sorted_indices.backend == "python"
    assert repr(rnn.PackedSequence(minitorch.tensor([1.0]), minitorch.tensor([1]))) == \
        "PackedSequence(data=tensor([1.]), batch_sizes=tensor([1]), sorted_indices=None, " \
        "unsorted_indices=None)"
    assert minitorch.nn.utils.rnn.pad_sequence is rnn.pad_sequence   # torch's path


# ---- recurrent layers on packed batches -------------------------------------------------

def run_packed(ours, theirs, kind, lengths, dtype, batch_first=False, with_h0=True):
    """Pack the same padded input (a leaf) in both libraries, run both layers on it, and
    compare the packed outputs, final states and every gradient."""
    directions = 2 if theirs.bidirectional else 1
    shape = (len(lengths), 6, 3) if batch_first else (6, len(lengths), 3)
    x, tx = leaves([normal(shape, dtype)])[0]
    initial = leaves(initial_states(kind, (theirs.num_layers * directions, len(lengths), 4),
                                    dtype)) if with_h0 else []
    hx = thx = None
    if initial:
        hx = initial[0][0] if kind != "lstm" else tuple(m for m, _ in initial)
        thx = initial[0][1] if kind != "lstm" else tuple(t for _, t in initial)
    packed = rnn.pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False)
    tpacked = trnn.pack_padded_sequence(tx, lengths, batch_first, enforce_sorted=False)
    (output, final), (toutput, tfinal) = ours(packed, hx), theirs(tpacked, thx)
    assert_same_packing(output, toutput, dtype)
    finals = list(final) if kind == "lstm" else [final]
    tfinals = list(tfinal) if kind == "lstm" else [tfinal]
    padded, tpadded = rnn.pad_packed_sequence(output)[0], trnn.pad_packed_sequence(toutput)[0]
    check_backward(zip([output.data, padded] + finals, [toutput.data, tpadded] + tfinals),
                   [x] + [m for m, _ in initial], [tx] + [t for _, t in initial], dtype,
                   ours, theirs)


PACKED_CONFIGS = [dict(), dict(num_layers=2, bidirectional=True), dict(bidirectional=True),
                  dict(num_layers=2, batch_first=True, bias=False)]


@pytest.mark.parametrize("with_h0", [False, True], ids=["zeros", "h0"])
@pytest.mark.parametrize("order", list(LENGTHS))
@pytest.mark.parametrize("kwargs", PACKED_CONFIGS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_module_on_packed_batch_matches_torch_float64(backend, kind, kwargs, order, with_h0):
    ours, theirs = make_pair(KINDS, kind, "float64", 3, 4, **kwargs)
    run_packed(ours, theirs, kind, LENGTHS[order], "float64",
               kwargs.get("batch_first", False), with_h0)


@pytest.mark.parametrize("kind", list(KINDS))
def test_module_on_packed_batch_matches_torch_float32(backend, kind):
    ours, theirs = make_pair(KINDS, kind, "float32", 3, 4, num_layers=2, bidirectional=True)
    run_packed(ours, theirs, kind, LENGTHS["unsorted"], "float32")


def test_packed_final_state_is_each_sequences_own_last_step(backend):
    """Each sequence's h_n is what the layer gives that sequence run alone."""
    gru = minitorch.nn.GRU(3, 4, dtype="float64")
    sequences = [minitorch.tensor(normal((length, 3), "float64", length))
                 for length in (2, 5, 3)]
    _, h_n = gru(rnn.pack_sequence(sequences, enforce_sorted=False))
    for b, sequence in enumerate(sequences):
        np.testing.assert_allclose(h_n[0, b].detach().numpy(),
                                   gru(sequence)[1][0].detach().numpy(), rtol=1e-12)


def test_python_backend_on_a_tiny_packed_lstm():
    with minitorch.use_backend("python"):
        ours, theirs = make_pair(KINDS, "lstm", "float64", 3, 4, bidirectional=True)
        run_packed(ours, theirs, "lstm", [1, 2], "float64")


# ---- errors -----------------------------------------------------------------------------

def test_bad_padding_and_packing_arguments_are_refused():
    x = minitorch.zeros(3, 2, 4)
    with pytest.raises(ValueError, match="pad_sequence: received an empty list"):
        rnn.pad_sequence([])
    with pytest.raises(ValueError, match=r"pad_sequence: every sequence must have the "
                                         r"shape of the first after dim 0; sequence 0 is "
                                         r"2x3, sequence 1 is 3x4"):
        rnn.pad_sequence([minitorch.zeros(2, 3), minitorch.zeros(3, 4)])
    with pytest.raises(ValueError, match="pad_sequence: sequence 1 must be a tensor of at "
                                         "least 1 dim"):
        rnn.pad_sequence([minitorch.zeros(2), minitorch.tensor(1.0)])
    with pytest.raises(ValueError, match="pad_sequence: padding_side must be 'left' or "
                                         "'right', got 'middle'"):
        rnn.pad_sequence([minitorch.zeros(2)], padding_side="middle")
    with pytest.raises(TypeError, match="pad_sequence: expected an iterable of tensors"):
        rnn.pad_sequence(3)
    with pytest.raises(ValueError, match=r"pack_padded_sequence: lengths must be sorted in "
                                         r"decreasing order .* got \[2, 3\]; pass "
                                         r"enforce_sorted=False"):
        rnn.pack_padded_sequence(x, [2, 3])
    with pytest.raises(ValueError, match=r"pack_padded_sequence: every length must be in "
                                         r"1..3 .* got \[3, 0\]"):
        rnn.pack_padded_sequence(x, [3, 0])
    with pytest.raises(ValueError, match=r"pack_padded_sequence: every length must be in "
                                         r"1..3 \(the steps of input 3x2x4\), got \[4, 2\]"):
        rnn.pack_padded_sequence(x, [4, 2])
    with pytest.raises(ValueError, match=r"pack_padded_sequence: expected one length per "
                                         r"sequence, 2 \(the batch size of input 3x2x4\), "
                                         r"got 3"):
        rnn.pack_padded_sequence(x, [3, 2, 1])
    with pytest.raises(ValueError, match="pack_padded_sequence: lengths must be a 1-D"):
        rnn.pack_padded_sequence(x, minitorch.tensor([[3, 2]]))
    with pytest.raises(ValueError, match="pack_padded_sequence: expected input of at least "
                                         "2 dims"):
        rnn.pack_padded_sequence(minitorch.zeros(3), [3])
    packed = rnn.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="pad_packed_sequence: expected total_length to be "
                                         "at least .* longest sequence, 3, got "
                                         "total_length=2"):
        rnn.pad_packed_sequence(packed, total_length=2)
    with pytest.raises(TypeError, match="pad_packed_sequence: expected a PackedSequence"):
        rnn.pad_packed_sequence(x)
    with pytest.raises(ValueError, match="unpad_sequence: got 3 lengths for a batch of 2"):
        rnn.unpad_sequence(x, [3, 2, 1])
    with pytest.raises(TypeError, match="PackedSequence: without batch_sizes, data must be "
                                        "a pair"):
        rnn.PackedSequence(x)


def test_bad_packed_input_to_a_recurrent_layer_is_refused():
    lstm, gru = minitorch.nn.LSTM(4, 5, num_layers=2), minitorch.nn.GRU(4, 5)
    packed = rnn.pack_padded_sequence(minitorch.zeros(3, 2, 4), [3, 1])
    with pytest.raises(ValueError, match=r"GRU: expected hx of shape 1x2x5 for input 4x4, "
                                         r"got 1x3x5"):
        gru(packed, minitorch.zeros(1, 3, 5))
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape 2x2x5"):
        lstm(packed, (minitorch.zeros(2, 2, 5), minitorch.zeros(2, 1, 5)))
    with pytest.raises(ValueError, match=r"GRU: input 4x3 has size 3 in its last dim, "
                                         r"expected input_size 4"):
        gru(rnn.pack_padded_sequence(minitorch.zeros(3, 2, 3), [3, 1]))
    with pytest.raises(ValueError, match=r"GRU: expected a PackedSequence's data to be 2-D"):
        gru(rnn.PackedSequence(minitorch.zeros(4), packed.batch_sizes))
    with pytest.raises(ValueError, match=r"GRU: a PackedSequence's batch_sizes add up to 4 "
                                         r"but its data has 3 rows"):
        gru(rnn.PackedSequence(minitorch.zeros(3, 4), packed.batch_sizes))
    with pytest.raises(TypeError, match="GRU: input is float32 but the weights are float64"):
        gru.double()(packed)
