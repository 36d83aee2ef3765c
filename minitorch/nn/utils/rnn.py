"""torch.nn.utils.rnn: batches of sequences of different lengths, padded or packed.

A padded batch is one tensor (T, B, *) ((B, T, *) with batch_first) in which sequence b
fills lengths[b] steps and padding_value the rest. A packed batch (PackedSequence) keeps
only the real steps, time-major: step 0 of every sequence, then step 1 of every sequence
still running, and so on. For that the sequences are taken longest first (the order
sorted_indices gives; None when the batch came sorted), so step t holds the first
batch_sizes[t] of them. nn.RNN, nn.LSTM and nn.GRU take and return packed batches.

Every conversion is one gather (advanced indexing) at positions the host computes from
the lengths, so gradients flow back through it as a scatter-add on every backend.
"""
import collections

import numpy as np

from ... import creation, functions
from ...dtype import int64
from ...layout import format_shape
from ...tensor import Tensor

_PackedFields = collections.namedtuple(
    "PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedFields):
    """A packed batch, as torch's: a named tuple (data, batch_sizes, sorted_indices,
    unsorted_indices).

    data (sum(batch_sizes), *) holds the real steps, time-major; batch_sizes (T,) (int64)
    how many sequences run at each step (non-increasing); sorted_indices (B,) (int64)
    the batch position of the longest sequence, then of the next, ..., or None when the
    batch was packed sorted; unsorted_indices its inverse permutation (computed when not
    given). Build one with pack_padded_sequence or pack_sequence, as torch advises;
    PackedSequence((data, batch_sizes)) is also accepted, as in torch.
    """
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise TypeError("PackedSequence: without batch_sizes, data must be a pair "
                                f"(data, batch_sizes), got {type(data).__name__}")
            data, batch_sizes = data
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """data.to(*args, **kwargs) (Tensor.to's arguments), with the index tensors moved to
        data's new backend; self when data does not change, as torch."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices, unsorted_indices = (
            None if indices is None else functions.to_backend(indices, data.backend)
            for indices in (self.sorted_indices, self.unsorted_indices))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cpu(self):
        """self: every backend keeps its tensors in host memory."""
        return self

    def float(self):
        return self.to(dtype="float32")

    def double(self):
        return self.to(dtype="float64")

    def long(self):
        return self.to(dtype="int64")

    @property
    def is_cuda(self):
        """False: minitorch tensors are never on a CUDA device."""
        return False


def invert_permutation(permutation):
    """The inverse of the permutation (a 1-D int64 tensor): inverse[permutation[i]] = i,
    on permutation's backend; None for None."""
    if permutation is None:
        return None
    positions = np.asarray(permutation.tolist(), dtype=np.int64)
    inverse = np.empty_like(positions)
    inverse[positions] = np.arange(len(positions))
    return creation.tensor(inverse, backend=permutation.backend)


# ---- host metadata ----------------------------------------------------------------------

def _lengths_array(lengths, op_name):
    """lengths (a list of ints or a 1-D tensor, truncated to int64 as torch) as a numpy
    int64 array."""
    values = np.asarray(lengths.tolist() if isinstance(lengths, Tensor) else lengths)
    if values.ndim != 1 or values.dtype.kind not in "iuf":
        raise ValueError(f"{op_name}: lengths must be a 1-D list or tensor of ints, got "
                         f"{values.dtype} values of shape {format_shape(values.shape)}")
    return values.astype(np.int64)


def _gather_padded(rows, positions, valid, padding_value, batch_first):
    """The padded batch (T, B, *) ((B, T, *) with batch_first) whose entry [t, b] is
    rows[positions[t, b]] where valid[t, b] and padding_value elsewhere: one gather from
    rows (N, *) with a padding row appended."""
    padding = creation.full((1,) + rows.shape[1:], padding_value, dtype=rows.dtype,
                            backend=rows.backend)
    positions = np.where(valid, positions, rows.shape[0])
    if batch_first:
        positions = positions.T
    return functions.cat([rows, padding], 0)[positions]


# ---- padding ----------------------------------------------------------------------------

def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """The sequences (an iterable of tensors (L_i, *) with one trailing shape *, or a
    tensor, read along dim 0) padded to the longest, L = max L_i, and stacked: (L, B, *),
    (B, L, *) with batch_first. padding_side='left' puts the padding before each
    sequence instead of after. The result has the first sequence's dtype."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    if isinstance(sequences, Tensor):
        sequences = functions.unbind(sequences, 0)
    try:
        sequences = list(sequences)
    except TypeError:
        raise TypeError(f"pad_sequence: expected an iterable of tensors, got "
                        f"{type(sequences).__name__}") from None
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    for position, sequence in enumerate(sequences):
        if not isinstance(sequence, Tensor) or sequence.ndim == 0:
            found = format_shape(sequence.shape) if isinstance(sequence, Tensor) else \
                type(sequence).__name__
            raise ValueError(f"pad_sequence: sequence {position} must be a tensor of at "
                             f"least 1 dim (steps, *), got {found}")
        if sequence.shape[1:] != sequences[0].shape[1:]:
            raise ValueError(f"pad_sequence: every sequence must have the shape of the "
                             f"first after dim 0; sequence 0 is "
                             f"{format_shape(sequences[0].shape)}, sequence {position} is "
                             f"{format_shape(sequence.shape)}")
    dtype = sequences[0].dtype
    lengths = np.array([sequence.shape[0] for sequence in sequences])
    starts = np.cumsum(lengths) - lengths              # each sequence's first row in `rows`
    steps = np.arange(lengths.max())[:, None]          # (L, 1)
    offsets = steps if padding_side == "right" else steps - (lengths.max() - lengths)
    rows = functions.cat([functions.cast(sequence, dtype) for sequence in sequences], 0)
    return _gather_padded(rows, starts + offsets, (offsets >= 0) & (offsets < lengths),
                          padding_value, batch_first)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences padded_sequences[:lengths[b], b] (batch_first:
    [b, :lengths[b]]), each (lengths[b], *): views, in batch order. Unlike torch, the
    argument is not transposed in place."""
    lengths = _lengths_array(lengths, "unpad_sequence")
    if not isinstance(padded_sequences, Tensor) or padded_sequences.ndim < 2:
        found = format_shape(padded_sequences.shape) \
            if isinstance(padded_sequences, Tensor) else type(padded_sequences).__name__
        raise ValueError(f"unpad_sequence: expected a padded batch of at least 2 dims, got "
                         f"{found}")
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    if len(lengths) != batch.shape[0]:
        raise ValueError(f"unpad_sequence: got {len(lengths)} lengths for a batch of "
                         f"{batch.shape[0]} sequences")
    return [sequence[:length] for sequence, length in zip(functions.unbind(batch, 0),
                                                          lengths)]


# ---- packing ----------------------------------------------------------------------------

def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """The padded batch input (T, B, *) ((B, T, *) with batch_first) whose sequence b has
    lengths[b] steps (a list or 1-D tensor), packed (see PackedSequence). With
    enforce_sorted the lengths must be non-increasing and sorted_indices is None;
    otherwise the sequences are taken longest first (ties in batch order, as torch's
    sort) and sorted_indices records that order. Lengths must be positive and at most T.
    """
    name = "pack_padded_sequence"
    lengths = _lengths_array(lengths, name)
    if not isinstance(input, Tensor) or input.ndim < 2:
        found = format_shape(input.shape) if isinstance(input, Tensor) else \
            type(input).__name__
        raise ValueError(f"{name}: expected input of at least 2 dims (steps, batch, *), "
                         f"got {found}")
    steps, batch = input.shape[:2][::-1] if batch_first else input.shape[:2]
    if len(lengths) != batch or batch == 0:
        raise ValueError(f"{name}: expected one length per sequence, {batch} (the batch "
                         f"size of input {format_shape(input.shape)}), got {len(lengths)}")
    if lengths.min() <= 0 or lengths.max() > steps:
        raise ValueError(f"{name}: every length must be in 1..{steps} (the steps of input "
                         f"{format_shape(input.shape)}), got {lengths.tolist()}")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise ValueError(f"{name}: lengths must be sorted in decreasing order when "
                             f"enforce_sorted=True, got {lengths.tolist()}; pass "
                             f"enforce_sorted=False to pack an unsorted batch")
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = creation.tensor(order, backend=input.backend)
    sorted_lengths = lengths[order]
    running = np.arange(sorted_lengths[0])[:, None] < sorted_lengths   # (T', B)
    times, ranks = np.nonzero(running)   # time-major, longest first within a step
    columns = order[ranks]
    data = input[columns, times] if batch_first else input[times, columns]
    batch_sizes = creation.tensor(running.sum(1), backend=input.backend)
    return PackedSequence(data, batch_sizes, sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: (padded, lengths), padded (T, B, *) ((B, T, *)
    with batch_first) in the original batch order, T the longest length or total_length
    (which must not be shorter), and lengths (B,) the int64 lengths in that order."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    batch_sizes = np.asarray(sequence.batch_sizes.tolist(), dtype=np.int64)
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"pad_packed_sequence: expected total_length to be at least "
                             f"the length of the longest sequence, {steps}, got "
                             f"total_length={total_length}")
        steps = total_length
    ranks = np.arange(batch_sizes[0])
    lengths = (batch_sizes[:, None] > ranks).sum(0)        # per sequence, longest first
    step_starts = np.cumsum(batch_sizes) - batch_sizes     # each step's first row in data
    times = np.arange(steps)[:, None]
    positions = np.take(step_starts, times, mode="clip") + ranks
    valid = times < lengths
    if sequence.unsorted_indices is not None:
        columns = np.asarray(sequence.unsorted_indices.tolist(), dtype=np.int64)
        positions, valid, lengths = positions[:, columns], valid[:, columns], lengths[columns]
    padded = _gather_padded(sequence.data, positions, valid, padding_value, batch_first)
    return padded, creation.tensor(lengths, dtype=int64, backend=sequence.data.backend)


def pack_sequence(sequences, enforce_sorted=True):
    """The sequences (tensors (L_i, *)) packed: pack_padded_sequence of their
    pad_sequence with their lengths."""
    sequences = list(sequences)
    padded = pad_sequence(sequences)
    return pack_padded_sequence(padded, [sequence.shape[0] for sequence in sequences],
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The inverse of pack_sequence: the list of sequences (L_i, *) in batch order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
