"""nn.EmbeddingBag / F.embedding_bag, Embedding.from_pretrained and nn.CTCLoss /
F.ctc_loss against torch: values, gradients (of the weight, per_sample_weights and the
logits behind log_softmax), reprs, state dicts and refused inputs, in float32 and
float64 on numpy and c (the `backend` fixture), with a tiny case on python."""
import math

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

import minitorch
from minitorch import nn
from minitorch.nn import functional as F

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}

# One 1-D input of 9 indices into 6 rows, with repeats, and its bags as offsets:
# [0, 3) [3, 3) (empty) [3, 7) [7, 9).
INDICES = np.array([1, 2, 2, 5, 0, 2, 4, 3, 3])
OFFSETS = np.array([0, 3, 3, 7])


def loaded_bag(dtype, **options):
    """(ours, theirs): EmbeddingBag(6, 4, **options), torch's state dict loaded into ours."""
    theirs = torch.nn.EmbeddingBag(6, 4, dtype=TORCH_DTYPES[dtype], **options)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(normal((6, 4), dtype, seed=7)))
    ours = nn.EmbeddingBag(6, 4, dtype=dtype, **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({key: minitorch.tensor(value.numpy())
                          for key, value in theirs.state_dict().items()})
    return ours, theirs


def bag_inputs(layout):
    """(minitorch args, torch args, include_last_offset) of the forward for a layout."""
    if layout == "2d":
        index = INDICES[:8].reshape(2, 4)
        return (minitorch.tensor(index),), (torch.tensor(index),), False
    offsets = np.append(OFFSETS, INDICES.size) if layout == "last_offset" else OFFSETS
    return ((minitorch.tensor(INDICES), minitorch.tensor(offsets)),
            (torch.tensor(INDICES), torch.tensor(offsets)), layout == "last_offset")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("layout", ["2d", "offsets", "last_offset"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_matches_torch(backend, dtype, mode, layout, padding_idx):
    args, targs, last = bag_inputs(layout)
    ours, theirs = loaded_bag(dtype, mode=mode, include_last_offset=last,
                              padding_idx=padding_idx)
    assert repr(ours) == repr(theirs)
    out, tout = ours(*args), theirs(*targs)
    check_backward([(out, tout)], [], [], dtype, ours, theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_bag_per_sample_weights_and_views(backend, dtype):
    """sum mode with per_sample_weights, as a transposed view of a 2-D input's shape and
    as 1-D with offsets; the weight itself a transposed view (functional form)."""
    table = normal((4, 6), dtype, seed=1)
    weight, tweight = (minitorch.tensor(table, requires_grad=True),
                       torch.tensor(table, requires_grad=True))
    scales = normal((4, 2), dtype, seed=2)
    psw, tpsw = (minitorch.tensor(scales, requires_grad=True),
                 torch.tensor(scales, requires_grad=True))
    index = INDICES[:8].reshape(2, 4)
    out = F.embedding_bag(minitorch.tensor(index), weight.T, mode="sum",
                          per_sample_weights=psw.T, padding_idx=5)
    tout = torch.nn.functional.embedding_bag(torch.tensor(index), tweight.T, mode="sum",
                                             per_sample_weights=tpsw.T, padding_idx=5)
    flat = normal(INDICES.shape, dtype, seed=3)
    fpsw, tfpsw = minitorch.tensor(flat, requires_grad=True), torch.tensor(flat,
                                                                           requires_grad=True)
    out1 = F.embedding_bag(minitorch.tensor(INDICES), weight.T, minitorch.tensor(OFFSETS),
                           mode="sum", per_sample_weights=fpsw)
    tout1 = torch.nn.functional.embedding_bag(torch.tensor(INDICES), tweight.T,
                                              torch.tensor(OFFSETS), mode="sum",
                                              per_sample_weights=tfpsw)
    check_backward([(out, tout), (out1, tout1)], [weight, psw, fpsw],
                   [tweight, tpsw, tfpsw], dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_bag_max_norm_renormalises_looked_up_rows_in_place(backend, dtype,
                                                                     norm_type):
    ours, theirs = loaded_bag(dtype, max_norm=1.5, norm_type=norm_type, mode="sum")
    assert repr(ours) == repr(theirs)
    index = np.array([[0, 3, 3], [5, 0, 1]])   # rows 2 and 4 are not looked up
    out, tout = ours(minitorch.tensor(index)), theirs(torch.tensor(index))
    assert_close(ours.weight, theirs.weight, dtype)
    check_backward([(out, tout)], [], [], dtype, ours, theirs)


def test_embedding_bag_max_gives_the_gradient_to_the_first_maximum(backend):
    weight = minitorch.tensor([[1.0, 5.0], [1.0, 2.0], [3.0, 0.0]], requires_grad=True)
    tweight = torch.tensor(weight.detach().numpy(), requires_grad=True)
    index = np.array([[0, 1, 2, 1]])   # feature 0: rows 2; feature 1: row 0
    F.embedding_bag(minitorch.tensor(index), weight, mode="max").sum().backward()
    torch.nn.functional.embedding_bag(torch.tensor(index), tweight, mode="max").sum().backward()
    assert_close(weight.grad, tweight.grad, "float32")
    tied = minitorch.tensor([[2.0], [2.0]], requires_grad=True)
    F.embedding_bag(minitorch.tensor([[1, 0]]), tied, mode="max").sum().backward()
    assert tied.grad.numpy().tolist() == [[0.0], [1.0]]   # the first in the bag: row 1


@pytest.mark.parametrize("cls", ["Embedding", "EmbeddingBag"])
@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_shares_the_weight_and_freezes(backend, cls, freeze):
    table = normal((5, 3), "float32", seed=4)
    pretrained = minitorch.tensor(table)
    ours = getattr(nn, cls).from_pretrained(pretrained, freeze=freeze, padding_idx=1)
    theirs = getattr(torch.nn, cls).from_pretrained(torch.tensor(table), freeze=freeze,
                                                   padding_idx=1)
    assert repr(ours) == repr(theirs)
    assert ours.weight.requires_grad is (not freeze) is theirs.weight.requires_grad
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight.detach().numpy(), table)   # padding row kept
    index = np.array([[1, 4, 0]])
    assert_close(ours(minitorch.tensor(index)), theirs(torch.tensor(index)), "float32")
    with minitorch.no_grad():
        pretrained[0, 0] = 42.0
    assert ours.weight[0, 0].item() == 42.0   # shared, not copied


@pytest.mark.parametrize("args,kwargs", [
    ((10, 3), {}), ((10, 3), dict(mode="sum", padding_idx=-1)),
    ((7, 2), dict(max_norm=1.0, norm_type=3.0, mode="max", include_last_offset=True))])
def test_embedding_bag_repr_and_init_match_torch(args, kwargs):
    minitorch.manual_seed(0)
    ours, theirs = nn.EmbeddingBag(*args, **kwargs), torch.nn.EmbeddingBag(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    if ours.padding_idx is not None:
        assert ours.weight[ours.padding_idx].abs().sum().item() == 0


def test_embedding_bag_refuses_bad_input():
    weight = minitorch.tensor(normal((6, 4), "float32"), requires_grad=True)
    flat, offsets = minitorch.tensor(INDICES), minitorch.tensor(OFFSETS)
    bad = [
        (ValueError, "mode must be", dict(input=flat, offsets=offsets, mode="median")),
        (ValueError, "offsets must be None for a 2-D", dict(input=flat.reshape(3, 3),
                                                            offsets=offsets)),
        (ValueError, "needs offsets", dict(input=flat)),
        (ValueError, "needs offsets", dict(input=flat, offsets=offsets.reshape(2, 2))),
        (ValueError, "must be 1-D .* or 2-D", dict(input=flat.reshape(1, 3, 3))),
        (ValueError, r"offsets\[0\] must be 0", dict(input=flat,
                                                     offsets=minitorch.tensor([1, 3]))),
        (ValueError, "non-decreasing", dict(input=flat, offsets=minitorch.tensor([0, 4, 2]))),
        (ValueError, "at most the input's length 9",
         dict(input=flat, offsets=minitorch.tensor([0, 10]))),
        (IndexError, "out of range", dict(input=minitorch.tensor([[6]]))),
        (TypeError, "int64", dict(input=minitorch.tensor([[1.0]]))),
        (NotImplementedError, "per_sample_weights is only supported with mode='sum'",
         dict(input=flat, offsets=offsets, per_sample_weights=minitorch.ones(9))),
        (ValueError, "per_sample_weights must be a float32 tensor of input's shape",
         dict(input=flat, offsets=offsets, mode="sum", per_sample_weights=minitorch.ones(8))),
        (ValueError, "per_sample_weights must be a float32",
         dict(input=flat, offsets=offsets, mode="sum",
              per_sample_weights=minitorch.ones(9, dtype="float64"))),
        (NotImplementedError, "scale_grad_by_freq", dict(input=flat, offsets=offsets,
                                                         scale_grad_by_freq=True)),
        (ValueError, "padding_idx 6", dict(input=flat, offsets=offsets, padding_idx=6)),
    ]
    for error, message, kwargs in bad:
        with pytest.raises(error, match="embedding_bag: .*" + message):
            F.embedding_bag(weight=weight, max_norm=0.5, **kwargs)
        # refused before the in-place max_norm renormalisation
        np.testing.assert_array_equal(weight.detach().numpy(), normal((6, 4), "float32"))
    with pytest.raises(ValueError, match="embedding_bag: weight must be 2-D"):
        F.embedding_bag(flat, weight.reshape(-1), offsets)
    with pytest.raises(ValueError, match="EmbeddingBag: mode must be"):
        nn.EmbeddingBag(3, 2, mode="avg")
    with pytest.raises(NotImplementedError, match="EmbeddingBag: .*sparse"):
        nn.EmbeddingBag(3, 2, sparse=True)
    with pytest.raises(ValueError, match="from_pretrained: embeddings must be 2-D"):
        nn.EmbeddingBag.from_pretrained(minitorch.ones(3))


# --- CTC -------------------------------------------------------------------------------

def logits_pair(shape, dtype, seed=0):
    values = normal(shape, dtype, seed)
    return (minitorch.tensor(values, requires_grad=True),
            torch.tensor(values, requires_grad=True))


PADDED = np.array([[1, 1, 3, 0], [2, 3, 0, 0], [4, 2, 4, 1]])   # repeats need a blank
TARGET_LENGTHS = (3, 1, 4)
INPUT_LENGTHS = (8, 5, 7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("targets", ["padded", "concatenated"])
@pytest.mark.parametrize("lengths", ["tuple", "tensor"])
def test_ctc_loss_matches_torch(backend, dtype, reduction, targets, lengths):
    logits, tlogits = logits_pair((8, 3, 5), dtype)
    if targets == "padded":
        labels = PADDED
    else:
        labels = np.concatenate([row[:n] for row, n in zip(PADDED, TARGET_LENGTHS)])
    lengths_of = (lambda ls, make: tuple(ls)) if lengths == "tuple" else \
        (lambda ls, make: make(np.array(ls)))
    loss = nn.CTCLoss(blank=0, reduction=reduction)(
        logits.log_softmax(2), minitorch.tensor(labels),
        lengths_of(INPUT_LENGTHS, minitorch.tensor), lengths_of(TARGET_LENGTHS,
                                                                minitorch.tensor))
    tloss = torch.nn.CTCLoss(blank=0, reduction=reduction)(
        tlogits.log_softmax(2), torch.tensor(labels),
        lengths_of(INPUT_LENGTHS, torch.tensor), lengths_of(TARGET_LENGTHS, torch.tensor))
    check_backward([(loss, tloss)], [logits], [tlogits], dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ctc_loss_other_blank_unbatched_and_transposed(backend, dtype):
    """blank=4, log_probs a transposed view, an empty target; and unbatched (T, C)."""
    logits, tlogits = logits_pair((3, 6, 5), dtype, seed=1)
    log_probs = logits.log_softmax(2).transpose(0, 1)       # (6, 3, 5), not contiguous
    tlog_probs = tlogits.log_softmax(2).transpose(0, 1)
    labels = np.array([[0, 1, 0], [3, 3, 2], [2, 2, 2]])
    loss = F.ctc_loss(log_probs, minitorch.tensor(labels), (6, 6, 4), (3, 0, 1), blank=4,
                      reduction="none")
    tloss = torch.nn.functional.ctc_loss(tlog_probs, torch.tensor(labels), (6, 6, 4),
                                         (3, 0, 1), blank=4, reduction="none")
    single = F.ctc_loss(log_probs[:, 1], minitorch.tensor([3, 3]), minitorch.tensor(6),
                        minitorch.tensor(2), reduction="none")
    tsingle = torch.nn.functional.ctc_loss(tlog_probs[:, 1], torch.tensor([3, 3]),
                                           torch.tensor(6), torch.tensor(2), reduction="none")
    assert single.shape == ()
    check_backward([(loss, tloss), (single, tsingle)], [logits], [tlogits], dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_loss_impossible_alignments_are_infinite_or_zeroed(backend, dtype, reduction):
    """Too short for the target (3 labels with a repeat need 4 steps; 2 steps for 1
    label of 2 is fine but 1 step for 2 labels is not); zero_infinity zeroes those
    losses and their gradients, as torch."""
    logits, tlogits = logits_pair((4, 3, 5), dtype, seed=2)
    labels = np.array([[1, 1, 2], [3, 4, 0], [2, 0, 0]])
    args = ((3, 1, 2), (3, 2, 1))
    loss = F.ctc_loss(logits.log_softmax(2), minitorch.tensor(labels), *args,
                      reduction=reduction)
    tloss = torch.nn.functional.ctc_loss(tlogits.log_softmax(2), torch.tensor(labels),
                                         *args, reduction=reduction)
    assert math.isinf(loss.sum().item())
    np.testing.assert_array_equal(loss.detach().numpy(), tloss.detach().numpy())
    loss = F.ctc_loss(logits.log_softmax(2), minitorch.tensor(labels), *args,
                      reduction=reduction, zero_infinity=True)
    tloss = torch.nn.functional.ctc_loss(tlogits.log_softmax(2), torch.tensor(labels),
                                         *args, reduction=reduction, zero_infinity=True)
    check_backward([(loss, tloss)], [logits], [tlogits], dtype)
    assert not np.isnan(logits.grad.numpy()).any()


def test_ctc_module_repr_and_state_dict_match_torch():
    for kwargs in ({}, dict(blank=3, reduction="sum", zero_infinity=True)):
        ours, theirs = nn.CTCLoss(**kwargs), torch.nn.CTCLoss(**kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    with pytest.raises(ValueError, match="CTCLoss: reduction must be"):
        nn.CTCLoss(reduction="batchmean")


def test_ctc_loss_refuses_bad_input():
    log_probs = minitorch.tensor(normal((6, 2, 4), "float32")).log_softmax(2)
    labels = minitorch.tensor([[1, 2], [3, 3]])
    good = dict(log_probs=log_probs, targets=labels, input_lengths=(6, 5),
                target_lengths=(2, 2))
    bad = [
        (ValueError, r"log_probs must be \(T, N, C\)", dict(log_probs=log_probs[0, 0])),
        (TypeError, "input must be floating point",
         dict(log_probs=minitorch.tensor([[[1, 2]]]))),
        (ValueError, r"blank must be in \[0, 4\)", dict(blank=4)),
        (ValueError, "input_lengths must hold 2 lengths", dict(input_lengths=(6,))),
        (ValueError, "input_lengths must be at most T = 6", dict(input_lengths=(7, 5))),
        (ValueError, "target_lengths must be non-negative", dict(target_lengths=(2, -1))),
        (TypeError, "target_lengths must be int64",
         dict(target_lengths=minitorch.tensor([2.0, 2.0]))),
        (TypeError, "targets must be an int64 tensor", dict(targets=labels.float())),
        (ValueError, "targets must be padded", dict(target_lengths=(3, 2))),
        (ValueError, "targets must be padded", dict(targets=labels.reshape(1, 4))),
        (ValueError, r"sum\(target_lengths\) = 4 labels, got 3",
         dict(targets=minitorch.tensor([1, 2, 3]))),
        (IndexError, r"labels must be in \[0, 4\), got 4",
         dict(targets=minitorch.tensor([[1, 4], [3, 3]]))),
        (ValueError, "reduction must be", dict(reduction="batchmean")),
    ]
    for error, message, changes in bad:
        with pytest.raises(error, match="ctc_loss: .*" + message):
            F.ctc_loss(**{**good, **changes})
    # labels past a target's length are padding and may hold anything
    padded = minitorch.tensor([[1, -1], [3, 99]])
    assert F.ctc_loss(**{**good, "targets": padded, "target_lengths": (1, 1)}).shape == ()


def test_python_backend_tiny_cases():
    with minitorch.use_backend("python"):
        weight = minitorch.tensor(normal((3, 2), "float64"), requires_grad=True)
        tweight = torch.tensor(weight.detach().numpy(), requires_grad=True)
        index = np.array([0, 2, 2, 1])
        out = F.embedding_bag(minitorch.tensor(index), weight, minitorch.tensor([0, 1]),
                              mode="max")
        tout = torch.nn.functional.embedding_bag(torch.tensor(index), tweight,
                                                 torch.tensor([0, 1]), mode="max")
        logits, tlogits = logits_pair((3, 1, 3), "float64")
        loss = F.ctc_loss(logits.log_softmax(2), minitorch.tensor([[1, 2]]), (3,), (2,))
        tloss = torch.nn.functional.ctc_loss(tlogits.log_softmax(2), torch.tensor([[1, 2]]),
                                             (3,), (2,))
        check_backward([(out, tout), (loss, tloss)], [weight, logits], [tweight, tlogits],
                       "float64")
