"""Lookup tables: Embedding (one row per index) and EmbeddingBag (rows reduced per bag)."""
from .. import creation
from ..autograd import no_grad
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def _table(layer, num_embeddings, embedding_dim, weight, freeze, dtype, backend):
    """Give `layer` its weight: `weight` itself (shared, as torch's _weight) when given,
    then trainable unless freeze, else a new (num_embeddings, embedding_dim) table
    initialised by layer.reset_parameters()."""
    if weight is None:
        layer.weight = Parameter(creation.empty(num_embeddings, embedding_dim, dtype=dtype,
                                                backend=backend), requires_grad=not freeze)
        layer.reset_parameters()
        return
    if weight.shape != (num_embeddings, embedding_dim):
        raise ValueError(f"{type(layer).__name__}: weight must be ({num_embeddings}, "
                         f"{embedding_dim}), got {tuple(weight.shape)}")
    layer.weight = Parameter(weight, requires_grad=not freeze)


def _pretrained_shape(embeddings, cls):
    if embeddings.ndim != 2:
        raise ValueError(f"{cls.__name__}.from_pretrained: embeddings must be 2-D, got "
                         f"{tuple(embeddings.shape)}")
    return embeddings.shape


def _zero_padding_row(weight, padding_idx):
    """weight from normal(0, 1), the row padding_idx (when not None) then zeroed."""
    init.normal_(weight)
    if padding_idx is not None:
        with no_grad():
            weight[padding_idx].fill_(0.0)


class Embedding(Module):
    """A lookup table: weight (num_embeddings, embedding_dim), initialised normal(0, 1),
    maps int64 indices of any shape to rows (see F.embedding). The row padding_idx
    (negative counts from the end) starts at zero and receives no gradient. With
    max_norm, each looked-up row whose norm_type-norm exceeds it is first rescaled in
    place. `_weight` (shared, not copied) replaces the initialisation, as in torch;
    `_freeze` makes it not require grad. scale_grad_by_freq and sparse are refused
    (NotImplementedError)."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, dtype=None, backend=None):
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: scale_grad_by_freq and sparse gradients "
                                      "are not supported")
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = F._padding_index(padding_idx, num_embeddings, "Embedding")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        _table(self, num_embeddings, embedding_dim, _weight, _freeze, dtype, backend)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is the 2-D tensor `embeddings` (shared, not
        copied), frozen (no gradient) unless freeze=False; the padding row is kept."""
        rows, columns = _pretrained_shape(embeddings, cls)
        return cls(rows, columns, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=embeddings, _freeze=freeze)

    def reset_parameters(self):
        """weight from normal(0, 1), the padding row then zeroed."""
        _zero_padding_row(self.weight, self.padding_idx)

    def forward(self, x):
        return F.embedding(x, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        return text


class EmbeddingBag(Module):
    """A lookup table whose rows are reduced per bag of indices: weight (num_embeddings,
    embedding_dim), initialised normal(0, 1) with the row padding_idx zeroed, maps a
    2-D input (bags, n) or a 1-D input with offsets to (bags, embedding_dim) by `mode`
    'sum', 'mean' or 'max' (see F.embedding_bag, which also describes max_norm,
    include_last_offset, padding_idx and per_sample_weights). `_weight` (shared) replaces
    the initialisation, as in torch. scale_grad_by_freq and sparse are refused
    (NotImplementedError)."""

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, dtype=None, backend=None,
                 *, _freeze=False):
        F._check_embedding_bag_mode(mode, "EmbeddingBag")
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("EmbeddingBag: scale_grad_by_freq and sparse "
                                      "gradients are not supported")
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = F._padding_index(padding_idx, num_embeddings, "EmbeddingBag")
        _table(self, num_embeddings, embedding_dim, _weight, _freeze, dtype, backend)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode="mean", sparse=False,
                        include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is the 2-D tensor `embeddings` (shared, not
        copied), frozen (no gradient) unless freeze=False; the padding row is kept."""
        rows, columns = _pretrained_shape(embeddings, cls)
        return cls(rows, columns, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                   embeddings, include_last_offset, padding_idx, _freeze=freeze)

    def reset_parameters(self):
        """weight from normal(0, 1), the padding row then zeroed."""
        _zero_padding_row(self.weight, self.padding_idx)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse,
                               per_sample_weights, self.include_last_offset,
                               self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        text += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text
