"""AdaptiveLogSoftmaxWithLoss: torch.nn's adaptive softmax (Grave et al., "Efficient
softmax approximation for GPUs") for many classes of skewed frequency.

Classes are split by `cutoffs` into a shortlist [0, cutoffs[0]) and clusters
[cutoffs[i], cutoffs[i + 1]). The head, a linear layer, scores the shortlist's classes
and one entry per cluster; each cluster's tail (a projection to in_features //
div_value ** (i + 1) features, then a linear layer to the cluster's classes) scores
the classes inside it. A class's log probability is its head log probability (for a
shortlist class) or its cluster's head log probability plus its log probability
within the cluster.
"""
from collections import namedtuple

import numpy as np

from .. import creation, functions
from ..layout import format_shape
from .container import ModuleList, Sequential
from .layers import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value=4.0,
    head_bias=False): parameters head (Linear(in_features, cutoffs[0] + clusters,
    bias=head_bias)) and tail[i] (Sequential of two bias-free Linears), torch's names.

    forward(input (N, in_features) or (in_features,), target (N,) or () int64) returns
    (output, loss): the log probability of each target class and the mean of their
    negatives. log_prob(input (N, in_features)) gives every class's log probability
    (N, n_classes); predict(input) the most probable class of each row. cutoffs must be unique
    increasing ints in [1, n_classes - 1]; targets outside [0, n_classes - 1] are a
    RuntimeError."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 dtype=None, backend=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if not cutoffs:
            raise ValueError("AdaptiveLogSoftmaxWithLoss: cutoffs must be a non-empty "
                             "sequence")
        if (cutoffs != sorted(cutoffs) or len(set(cutoffs)) != len(cutoffs)
                or not all(isinstance(c, int) and 0 < c < n_classes for c in cutoffs)):
            raise ValueError(f"AdaptiveLogSoftmaxWithLoss: cutoffs must be unique ints in "
                             f"increasing order, each between 1 and n_classes - 1 = "
                             f"{n_classes - 1}, got {cutoffs!r}")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = dict(dtype=dtype, backend=backend)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            classes = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **factory),
                                        Linear(hidden, classes, bias=False, **factory)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection, scores in self.tail:
            projection.reset_parameters()
            scores.reset_parameters()

    def _check_input(self, input, rank, op_name):
        if input.ndim != rank or input.shape[-1] != self.in_features:
            shapes = "(in_features,)" if rank == 1 else "(N, in_features)"
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss.{op_name}: expected input "
                               f"{shapes} with in_features = {self.in_features}, got "
                               f"{format_shape(input.shape)}")

    def forward(self, input, target):
        if target.ndim > 1:
            raise RuntimeError("AdaptiveLogSoftmaxWithLoss: 0-D or 1-D target expected, "
                               f"got {format_shape(target.shape)}")
        if target.dtype.name != "int64":
            raise TypeError(f"AdaptiveLogSoftmaxWithLoss: target must be int64, got "
                            f"{target.dtype.name}")
        self._check_input(input, target.ndim + 1, "forward")
        batched = target.ndim == 1
        if batched and input.shape[0] != target.shape[0]:
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: input {format_shape(input.shape)}"
                               f" and target {format_shape(target.shape)} differ in batch size")
        rows = input if batched else input.unsqueeze(0)
        labels = target.reshape(-1).numpy()
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: target values must be in "
                               f"[0, {self.n_classes - 1}], found values in "
                               f"[{labels.min()}, {labels.max()}]")
        # head entry of each row: its class in the shortlist, else its cluster's entry
        cluster = np.searchsorted(self.cutoffs, labels, side="right")
        head_entry = np.where(cluster == 0, labels, self.shortlist_size + cluster - 1)
        head_logprob = functions.log_softmax(self.head(rows), dim=1)
        output = head_logprob.gather(1, creation.tensor(head_entry[:, None],
                                                        backend=rows.backend)).squeeze(1)
        for i in range(self.n_clusters):
            members = np.flatnonzero(cluster == i + 1)
            if members.size == 0:
                continue
            within = creation.tensor((labels[members] - self.cutoffs[i])[:, None],
                                     backend=rows.backend)
            cluster_logprob = functions.log_softmax(self.tail[i](rows[members]), dim=1)
            # add each member's log probability within its cluster to its row
            output = output.index_add(0, creation.tensor(members, backend=rows.backend),
                                      cluster_logprob.gather(1, within).squeeze(1))
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, rows, head_output):
        """(N, n_classes): every class's log probability for rows (N, in_features)."""
        head_logprob = functions.log_softmax(head_output, dim=1)
        pieces = [head_logprob[:, :self.shortlist_size]]
        for i, tail in enumerate(self.tail):
            cluster_logprob = functions.log_softmax(tail(rows), dim=1)
            pieces.append(cluster_logprob
                          + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return functions.cat(pieces, dim=1)

    def log_prob(self, input):
        """Every class's log probability: (N, n_classes) for input (N, in_features)."""
        self._check_input(input, 2, "log_prob")
        return self._full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most probable class of each row of input (N, in_features): (N,) int64. A
        row whose head prefers a shortlist class gets it (no tail is run for it), as
        torch."""
        self._check_input(input, 2, "predict")
        head_output = self.head(input)
        output = head_output.argmax(1)
        outside = np.flatnonzero(output.numpy() >= self.shortlist_size)
        if outside.size:
            chosen = self._full_log_prob(input[outside], head_output[outside]).argmax(1)
            output = output.index_put((creation.tensor(outside, backend=input.backend),),
                                      chosen)
        return output
