"""Whole models as tutorials write them, run differentially against PyTorch.

Each model is a function of the library (`torch` or `minitorch`: the namespaces mirror
each other). Both copies start from torch's initial weights (copied across with
serialization.from_torch), see identical inputs, and must agree on the forward
outputs, the loss, every parameter's gradient, and the parameters and buffers after
three steps of SGD with momentum and of Adam. Every model also runs on the "c" backend.

Tolerances are float32's (rtol 1e-4, atol 1e-5) unless a model says why it needs more.
"""
import os
import warnings

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch.serialization import from_torch  # noqa: E402

BACKENDS = pytest.mark.parametrize("backend", ["numpy", "c"])
RTOL, ATOL = 1e-4, 1e-5


def _numpy(value):
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else \
        value.detach().numpy()


def _close(got, want, what, rtol, atol):
    got, want = _numpy(got), _numpy(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != torch's {want.shape}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


class Zoo:
    """One model, built and run the same way in both libraries.

    build(lib) -> module; run(lib, model, inputs) -> (outputs tuple, loss), where
    inputs is the dict of numpy arrays made into `lib` tensors.

    unmoved: {parameter name: index} of entries whose gradient is zero in exact
    arithmetic (an attention key's bias: softmax ignores a shift shared by a row). Both
    libraries give them rounding noise (~1e-9), which Adam divides by its running RMS into
    full-size steps (~lr) in random directions; they are left out after Adam's steps."""

    def __init__(self, build, run, inputs, *, rtol=RTOL, atol=ATOL, train=True,
                 steps_atol=None, unmoved=None):
        self.build, self.run, self.inputs = build, run, inputs
        self.unmoved = unmoved or {}
        self.rtol, self.atol, self.train = rtol, atol, train
        self.steps_atol = atol if steps_atol is None else steps_atol

    def models(self):
        torch.manual_seed(0)
        theirs = self.build(torch).train(self.train)
        ours = self.build(minitorch).train(self.train)
        ours.load_state_dict(from_torch(theirs.state_dict()))
        return theirs, ours

    def tensors(self, lib):
        return {name: lib.tensor(array) for name, array in self.inputs.items()}

    def forward_and_backward(self, backend):
        theirs, ours = self.models()
        want_out, want_loss = self.run(torch, theirs, self.tensors(torch))
        want_loss.backward()
        with minitorch.use_backend(backend):
            ours.to(backend)
            got_out, got_loss = self.run(minitorch, ours, self.tensors(minitorch))
            got_loss.backward()
        for i, (got, want) in enumerate(zip(got_out, want_out, strict=True)):
            _close(got, want, f"output {i}", self.rtol, self.atol)
        _close(got_loss, want_loss, "loss", self.rtol, self.atol)
        want_grads = dict(theirs.named_parameters())
        got_grads = dict(ours.named_parameters())
        assert got_grads.keys() == want_grads.keys()
        for name, param in want_grads.items():
            if param.grad is None:
                assert got_grads[name].grad is None, f"{name}: torch has no gradient"
            else:
                _close(got_grads[name].grad, param.grad, f"grad of {name}", self.rtol,
                       self.atol)

    def steps(self, backend, optimizer, **options):
        theirs, ours = self.models()
        with minitorch.use_backend(backend):
            ours.to(backend)
            for lib, model in ((torch, theirs), (minitorch, ours)):
                opt = getattr(lib.optim, optimizer)(model.parameters(), **options)
                inputs = self.tensors(lib)
                for _ in range(3):
                    opt.zero_grad()
                    self.run(lib, model, inputs)[1].backward()
                    opt.step()
        for name, want in theirs.state_dict().items():
            got, want = _numpy(ours.state_dict()[name]), _numpy(want)
            if optimizer == "Adam" and name in self.unmoved:
                keep = np.ones(want.shape, bool)
                keep[self.unmoved[name]] = False
                got, want = got[keep], want[keep]
            np.testing.assert_allclose(got, want, self.rtol, self.steps_atol,
                                       err_msg=f"{optimizer}: {name} after 3 steps")

    def check(self, backend):
        self.forward_and_backward(backend)
        self.steps(backend, "SGD", lr=0.05, momentum=0.9)
        self.steps(backend, "Adam", lr=1e-2)


def _random(*shape, seed=0, low=None, high=None):
    rng = np.random.default_rng(seed)
    if low is not None:
        return rng.integers(low, high, size=shape).astype(np.int64)
    return rng.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- LeNet-5 ----------

def lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def classify(lib, model, inputs):
    logits = model(inputs["x"])
    return (logits,), lib.nn.CrossEntropyLoss()(logits, inputs["y"])


LENET_INPUTS = {"x": _random(4, 1, 28, 28), "y": _random(4, low=0, high=10)}


@BACKENDS
def test_lenet5_in_eval_mode(backend):
    Zoo(lenet, classify, LENET_INPUTS, train=False).check(backend)


class _SameMask:
    """Train-mode dropout draws its mask from each library's own generator; this replays
    the mask minitorch drew (read from its output) in torch, through forward hooks, so
    both libraries scale and back-propagate through the same mask."""

    def __init__(self):
        self.masks = []

    def record(self, module, args, output):
        self.masks.append(_numpy(output) != 0)

    def replay(self, module, args, output):
        mask = torch.tensor(self.masks.pop(0), dtype=output.dtype)
        return args[0] * mask / (1 - module.p)


@BACKENDS
def test_lenet5_in_train_mode_with_the_same_dropout_mask(backend):
    same = _SameMask()

    def run(lib, model, inputs):
        dropout = model[9]
        hook = dropout.register_forward_hook(same.record if lib is minitorch else same.replay)
        try:
            return classify(lib, model, inputs)
        finally:
            hook.remove()

    zoo = Zoo(lenet, run, LENET_INPUTS)
    # minitorch runs first in each pair below, so its mask is there for torch to replay
    theirs, ours = zoo.models()
    with minitorch.use_backend(backend):
        ours.to(backend)
        got_out, got_loss = run(minitorch, ours, zoo.tensors(minitorch))
        got_loss.backward()
    want_out, want_loss = run(torch, theirs, zoo.tensors(torch))
    want_loss.backward()
    assert 0.3 < (_numpy(ours[9](minitorch.ones(1000))) == 0).mean() < 0.7
    _close(got_out[0], want_out[0], "logits", RTOL, ATOL)
    _close(got_loss, want_loss, "loss", RTOL, ATOL)
    for (name, want), got in zip(theirs.named_parameters(), ours.parameters(), strict=True):
        _close(got.grad, want.grad, f"grad of {name}", RTOL, ATOL)


# ---------------------------------------------------------------- ResNet -----------

def resnet(lib):
    nn, F = lib.nn, lib.nn.functional

    class BasicBlock(nn.Module):
        def __init__(self, inplanes, planes, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        def __init__(self, num_classes=5):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.layer1 = nn.Sequential(BasicBlock(8, 8), BasicBlock(8, 8))
            self.layer2 = BasicBlock(8, 16, stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(16, num_classes)
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, nn.BatchNorm2d):  # not 1 and 0: the affine path shows
                    nn.init.uniform_(m.weight, 0.5, 1.5)
                    nn.init.uniform_(m.bias, -0.5, 0.5)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = self.layer2(self.layer1(x))
            x = lib.flatten(self.avgpool(x), 1)
            return self.fc(x)

    return ResNet()


RESNET_INPUTS = {"x": _random(4, 3, 8, 8), "y": _random(4, low=0, high=5)}


@BACKENDS
def test_resnet_blocks_with_batch_norm_in_train_mode(backend):
    # running_mean/var and num_batches_tracked are in the state dict compared after steps
    Zoo(resnet, classify, RESNET_INPUTS).check(backend)


@BACKENDS
def test_resnet_blocks_in_eval_mode_after_training_steps(backend):
    theirs, ours = Zoo(resnet, classify, RESNET_INPUTS).models()
    with minitorch.use_backend(backend):
        ours.to(backend)
        for lib, model in ((torch, theirs), (minitorch, ours)):
            opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            x, y = lib.tensor(RESNET_INPUTS["x"]), lib.tensor(RESNET_INPUTS["y"])
            for _ in range(3):
                opt.zero_grad()
                classify(lib, model, {"x": x, "y": y})[1].backward()
                opt.step()
            model.eval()
    eval_zoo = Zoo(None, classify, RESNET_INPUTS, train=False)
    eval_zoo.models = lambda: (theirs, ours)
    eval_zoo.forward_and_backward(backend)


# ---------------------------------------------------------------- char-RNN LM -----

VOCAB = 11
TEXT = {"x": _random(3, 7, low=0, high=VOCAB, seed=1),
        "y": _random(3, 7, low=0, high=VOCAB, seed=2)}


def char_lm(cell):
    def build(lib):
        nn = lib.nn

        class CharLM(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(VOCAB, 6)
                self.rnn = getattr(nn, cell)(6, 8, num_layers=2, batch_first=True,
                                             dropout=0.3)
                self.head = nn.Linear(8, VOCAB)

            def forward(self, x, hidden=None):
                out, hidden = self.rnn(self.embed(x), hidden)
                return self.head(out), hidden

        return CharLM()
    return build


def language_model(lib, model, inputs):
    logits, hidden = model(inputs["x"])
    loss = lib.nn.CrossEntropyLoss()(logits.reshape(-1, VOCAB), inputs["y"].view(-1))
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    return (logits, *hidden), loss


@BACKENDS
@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_char_level_language_model(cell, backend):
    # eval mode: the dropout between layers is off, as in sampling from a trained model
    Zoo(char_lm(cell), language_model, TEXT, train=False).check(backend)


def packed_lm(lib, model, inputs):
    rnn_utils = lib.nn.utils.rnn
    lengths = [4, 7, 2]  # unsorted: enforce_sorted=False sorts and unsorts the batch
    packed = rnn_utils.pack_padded_sequence(model.embed(inputs["x"]), lengths,
                                            batch_first=True, enforce_sorted=False)
    out, hidden = model.rnn(packed)
    padded, out_lengths = rnn_utils.pad_packed_sequence(out, batch_first=True)
    logits = model.head(padded)
    mask = lib.arange(padded.shape[1])[None, :] < out_lengths[:, None]
    targets = inputs["y"][:, :padded.shape[1]].masked_fill(~mask, -100)
    loss = lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1),
                                           ignore_index=-100)
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    return (logits, out_lengths.float(), *hidden), loss


@BACKENDS
@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_char_level_language_model_on_packed_variable_lengths(cell, backend):
    Zoo(char_lm(cell), packed_lm, TEXT, train=False).check(backend)


# ---------------------------------------------------------------- Transformers -----

def transformer_classifier(lib):
    nn = lib.nn

    class Classifier(nn.Module):
        def __init__(self, d_model=16, max_len=8, classes=3):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, d_model, padding_idx=0)
            self.pos = nn.Parameter(lib.randn(1, max_len, d_model) * 0.1)
            layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=32,
                                               dropout=0.1, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=2)
            self.head = nn.Linear(d_model, classes)

        def encode(self, x):
            pad = x == 0
            return self.encoder(self.embed(x) + self.pos[:, :x.shape[1]],
                                src_key_padding_mask=pad), pad

        def forward(self, x):
            h, pad = self.encode(x)
            keep = (~pad).unsqueeze(-1).float()
            pooled = (h * keep).sum(1) / keep.sum(1)
            return self.head(pooled)

    return Classifier()


def _padded_tokens():
    tokens = _random(3, 7, low=1, high=VOCAB, seed=3)
    tokens[1, 5:] = 0
    tokens[2, 3:] = 0
    return tokens


SENTENCES = {"x": _padded_tokens(), "y": np.array([0, 2, 1])}


@BACKENDS
def test_transformer_encoder_classifier_with_padding_mask(backend):
    keys = slice(16, 32)  # in_proj_bias is [query; key; value]
    Zoo(transformer_classifier, classify, SENTENCES, train=False,
        unmoved={f"encoder.layers.{i}.self_attn.in_proj_bias": keys for i in (0, 1)}
        ).check(backend)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
@BACKENDS
def test_transformer_encoder_inference_zeroes_padded_positions_as_torch(backend):
    # torch encodes with a padding mask in eval mode without autograd through nested
    # tensors: the padded positions come out 0, not computed. With autograd on, both
    # libraries compute every position.
    theirs, ours = Zoo(transformer_classifier, classify, SENTENCES, train=False).models()
    tokens = SENTENCES["x"]
    with torch.no_grad():
        want, pad = theirs.encode(torch.tensor(tokens))
    want_trained = theirs.encode(torch.tensor(tokens))[0]
    with minitorch.use_backend(backend):
        ours.to(backend)
        with minitorch.no_grad():
            got = ours.encode(minitorch.tensor(tokens))[0]
        got_trained = ours.encode(minitorch.tensor(tokens))[0]
    pad = _numpy(pad)
    assert pad.any() and (_numpy(want)[pad] == 0).all()
    _close(got, want, "encoder output without autograd", RTOL, ATOL)
    assert (_numpy(got_trained)[pad] != 0).all()
    _close(got_trained, want_trained, "encoder output with autograd", RTOL, ATOL)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
@pytest.mark.parametrize("mask_check", [True, False])
def test_transformer_encoder_inference_with_padding_not_at_the_end(mask_check):
    # torch keeps each sequence's first n tokens (n unpadded); mask_check sends a mask
    # whose padding is not all at the end down the ordinary path instead
    pad = np.zeros((2, 5), bool)
    pad[0, 1] = pad[1, 3:] = True
    x = _random(2, 5, 8)
    outputs = []
    for lib in (torch, minitorch):
        torch.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        encoder = lib.nn.TransformerEncoder(layer, 2, mask_check=mask_check).eval()
        if lib is minitorch:
            encoder.load_state_dict(from_torch(outputs[0][1]))
        with lib.no_grad():
            out = encoder(lib.tensor(x), src_key_padding_mask=lib.tensor(pad))
        outputs.append((out, encoder.state_dict()))
    (want, _), (got, _) = outputs
    assert (_numpy(want)[0, 4] == 0).all() != mask_check
    _close(got, want, "encoder output", RTOL, ATOL)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
def test_the_mha_fast_path_switch_turns_the_nested_tensor_path_off():
    # torch.backends.mha.set_fastpath_enabled(False) sends inference with a padding
    # mask down the ordinary path: the padded positions are computed, in both libraries
    pad = np.zeros((2, 5), bool)
    pad[1, 3:] = True
    x = _random(2, 5, 8)
    outputs = []
    for lib in (torch, minitorch):
        torch.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        encoder = lib.nn.TransformerEncoder(layer, 1).eval()
        if lib is minitorch:
            encoder.load_state_dict(from_torch(outputs[0][1]))
        lib.backends.mha.set_fastpath_enabled(False)
        try:
            with lib.no_grad():
                out = encoder(lib.tensor(x), src_key_padding_mask=lib.tensor(pad))
        finally:
            lib.backends.mha.set_fastpath_enabled(True)
        outputs.append((out, encoder.state_dict()))
    (want, _), (got, _) = outputs
    assert (_numpy(want)[1, 3:] != 0).all()
    _close(got, want, "encoder output", RTOL, ATOL)


@pytest.mark.parametrize("options, reason", [
    (dict(batch_first=False), "encoder_layer.self_attn.batch_first was not True"),
    (dict(batch_first=True, nhead=1), "encoder_layer.self_attn.num_heads is odd"),
    (dict(batch_first=True, norm_first=True), "encoder_layer.norm_first was True"),
    (dict(batch_first=True, activation=lambda x: x), "activation_relu_or_gelu was not True")])
def test_transformer_encoder_says_why_it_does_not_use_nested_tensors(options, reason):
    for lib in (torch, minitorch):
        layer = lib.nn.TransformerEncoderLayer(**{"d_model": 8, "nhead": 2, **options})
        with pytest.warns(UserWarning, match=reason):
            assert lib.nn.TransformerEncoder(layer, 1).use_nested_tensor is False
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)


def causal_attention(lib):
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        """nanoGPT's block: fused qkv projection, heads, causal mask, output projection."""

        def __init__(self, n_embd=16, n_head=4, block_size=8):
            super().__init__()
            self.n_head = n_head
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.ln = nn.LayerNorm(n_embd)
            self.register_buffer("bias", lib.tril(lib.ones(block_size, block_size))
                                 .view(1, 1, block_size, block_size))

        def heads(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(self.ln(x)).split(C, dim=2)
            return [t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
                    for t in (q, k, v)]

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.heads(x)
            fused = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            att = (q @ k.transpose(-2, -1)) * (1.0 / (k.size(-1) ** 0.5))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            manual = att @ v
            out = lambda y: x + self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))
            return out(fused), out(manual)

    return CausalSelfAttention()


def attend(lib, model, inputs):
    fused, manual = model(inputs["x"])
    loss = (fused ** 2).mean() + (manual * inputs["x"]).sum()
    return (fused, manual), loss


@BACKENDS
def test_causal_self_attention_fused_and_by_hand(backend):
    Zoo(causal_attention, attend, {"x": _random(2, 6, 16)},
        unmoved={"c_attn.bias": slice(16, 32)}).check(backend)


# ---------------------------------------------------------------- autoencoders -----

def autoencoder(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Sequential(nn.Linear(20, 12), nn.ReLU(True), nn.Linear(12, 4)),
        nn.Sequential(nn.Linear(4, 12), nn.ReLU(True), nn.Linear(12, 20), nn.Sigmoid()))


def reconstruct(lib, model, inputs):
    out = model(inputs["x"])
    return (out,), lib.nn.MSELoss()(out, inputs["x"])


IMAGES = {"x": np.random.default_rng(4).random((5, 20)).astype(np.float32)}


@BACKENDS
def test_mlp_autoencoder(backend):
    Zoo(autoencoder, reconstruct, IMAGES).check(backend)


def vae(lib):
    nn, F = lib.nn, lib.nn.functional

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(20, 12)
            self.fc21 = nn.Linear(12, 3)
            self.fc22 = nn.Linear(12, 3)
            self.fc3 = nn.Linear(3, 12)
            self.fc4 = nn.Linear(12, 20)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def decode(self, z):
            return lib.sigmoid(self.fc4(F.relu(self.fc3(z))))

    return VAE()


def vae_by_hand(lib, model, inputs):
    """The PyTorch examples' VAE: reparameterize with a fixed eps, BCE(sum) + KL."""
    x = inputs["x"]
    mu, logvar = model.encode(x.view(-1, 20))
    std = lib.exp(0.5 * logvar)
    z = mu + inputs["eps"] * std
    recon = model.decode(z)
    bce = lib.nn.functional.binary_cross_entropy(recon, x.view(-1, 20), reduction="sum")
    kld = -0.5 * lib.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return (recon, mu, logvar), bce + kld


def vae_by_distributions(lib, model, inputs):
    """The same model through distributions: Normal(mu, std).rsample() and
    kl_divergence against the standard normal prior."""
    D = lib.distributions
    x = inputs["x"]
    mu, logvar = model.encode(x)
    posterior = D.Normal(mu, (0.5 * logvar).exp())
    z = posterior.rsample()
    prior = D.Normal(lib.zeros_like(mu), lib.ones_like(mu))
    recon = model.decode(z)
    nll = lib.nn.BCELoss(reduction="sum")(recon, x)
    kl = D.kl_divergence(posterior, prior).sum()
    log_q = posterior.log_prob(z).sum(-1)
    return (recon, z, log_q), nll + kl


VAE_INPUTS = dict(IMAGES, eps=_random(5, 3, seed=5))


@BACKENDS
def test_vae_reparameterized_by_hand(backend):
    Zoo(vae, vae_by_hand, VAE_INPUTS).check(backend)


@BACKENDS
def test_vae_through_distributions(backend, monkeypatch):
    # rsample's standard-normal draw is the fixed eps in both libraries
    eps = VAE_INPUTS["eps"]
    monkeypatch.setattr(torch.distributions.normal, "_standard_normal",
                        lambda shape, dtype, device: torch.tensor(eps, dtype=dtype))
    monkeypatch.setattr(minitorch.distributions.normal, "randn",
                        lambda shape, dtype, backend: minitorch.tensor(eps, dtype=dtype,
                                                                        backend=backend))
    Zoo(vae, vae_by_distributions, IMAGES).check(backend)


# ---------------------------------------------------------------- GAN ---------------

def gan(lib):
    nn = lib.nn

    class GAN(nn.Module):
        def __init__(self):
            super().__init__()
            self.G = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 6),
                                   nn.Tanh())
            self.D = nn.Sequential(nn.Linear(6, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))

    return GAN()


def gan_step(lib, model, inputs, optimizers=None):
    """One WGAN-GP-flavoured training step: the discriminator on real and detached fake
    samples (BCEWithLogitsLoss) plus a gradient penalty through autograd.grad with
    create_graph=True, then the generator. With optimizers (opt_D, opt_G) it steps them;
    returns the outputs and the generator's loss."""
    G, D = model.G, model.D
    criterion = lib.nn.BCEWithLogitsLoss()
    real, noise, alpha = inputs["real"], inputs["noise"], inputs["alpha"]
    ones, zeros = lib.ones(real.shape[0], 1), lib.zeros(real.shape[0], 1)
    fake = G(noise)
    d_real, d_fake = D(real), D(fake.detach())
    mixed = (alpha * real + (1 - alpha) * fake.detach()).requires_grad_(True)
    grads, = lib.autograd.grad(D(mixed).sum(), mixed, create_graph=True)
    penalty = ((grads.norm(2, dim=1) - 1) ** 2).mean()
    loss_D = criterion(d_real, ones) + criterion(d_fake, zeros) + 10 * penalty
    if optimizers:
        optimizers[0].zero_grad()
    loss_D.backward()
    if optimizers:
        optimizers[0].step()
        optimizers[1].zero_grad()
    loss_G = criterion(D(fake), ones)
    if optimizers:
        # the generator's step leaves D's gradients stale, as tutorials do
        loss_G.backward()
        optimizers[1].step()
        return (fake, d_real, d_fake, penalty, loss_D), None
    return (fake, d_real, d_fake, penalty, loss_D), loss_G


GAN_INPUTS = {"real": _random(6, 6, seed=6), "noise": _random(6, 4, seed=7),
              "alpha": np.random.default_rng(8).random((6, 1)).astype(np.float32)}


@BACKENDS
def test_gan_step_with_gradient_penalty(backend):
    # forward_and_backward: D's gradients hold loss_D's and loss_G's, G's loss_G's
    zoo = Zoo(gan, gan_step, GAN_INPUTS)
    zoo.forward_and_backward(backend)
    theirs, ours = zoo.models()
    with minitorch.use_backend(backend):
        ours.to(backend)
        for lib, model in ((torch, theirs), (minitorch, ours)):
            opt_D = lib.optim.Adam(model.D.parameters(), lr=1e-2, betas=(0.5, 0.999))
            opt_G = lib.optim.SGD(model.G.parameters(), lr=0.05, momentum=0.9)
            inputs = zoo.tensors(lib)
            for _ in range(3):
                gan_step(lib, model, inputs, (opt_D, opt_G))
    for name, want in theirs.state_dict().items():
        _close(ours.state_dict()[name], want, f"{name} after 3 steps", RTOL, ATOL)


# ---------------------------------------------------------------- U-Net -------------

def unet(lib):
    nn, F = lib.nn, lib.nn.functional

    def double_conv(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(2, cout),
                             nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3, padding=1),
                             nn.GroupNorm(2, cout), nn.ReLU(inplace=True))

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inc = double_conv(2, 4)
            self.down = nn.Sequential(nn.MaxPool2d(2), double_conv(4, 8))
            self.up = nn.ConvTranspose2d(8, 4, kernel_size=2, stride=2)
            self.dec = double_conv(8, 4)
            self.norm = nn.LayerNorm([4, 8, 8])
            self.outc = nn.Conv2d(4, 1, kernel_size=1)

        def forward(self, x):
            x1 = self.inc(x)
            x2 = self.down(x1)
            up = self.up(x2)
            wide = F.interpolate(x2, scale_factor=2, mode="bilinear", align_corners=False)
            x = self.dec(lib.cat([x1, up + wide[:, :4]], dim=1))
            return self.outc(self.norm(x))

    return UNet()


def segment(lib, model, inputs):
    logits = model(inputs["x"])
    return (logits,), lib.nn.BCEWithLogitsLoss()(logits, inputs["mask"])


UNET_INPUTS = {"x": _random(2, 2, 8, 8, seed=9),
               "mask": (np.random.default_rng(10).random((2, 1, 8, 8)) > 0.5).astype(np.float32)}


@BACKENDS
def test_unet_block(backend):
    Zoo(unet, segment, UNET_INPUTS).check(backend)


# ---------------------------------------------------------------- word vectors -----

def bag_of_words(lib):
    nn = lib.nn

    class TextClassifier(nn.Module):
        """The torchtext tutorial's model: EmbeddingBag(mean) over flat tokens + offsets."""

        def __init__(self):
            super().__init__()
            self.embedding = nn.EmbeddingBag(VOCAB, 8, mode="mean")
            self.fc = nn.Linear(8, 4)
            self.embedding.weight.data.uniform_(-0.5, 0.5)
            self.fc.weight.data.uniform_(-0.5, 0.5)
            self.fc.bias.data.zero_()

        def forward(self, text, offsets):
            return self.fc(self.embedding(text, offsets))

    return TextClassifier()


def classify_bags(lib, model, inputs):
    logits = model(inputs["text"], inputs["offsets"])
    return (logits,), lib.nn.functional.cross_entropy(logits, inputs["y"])


BAGS = {"text": np.array([1, 3, 4, 4, 2, 9, 10, 1, 1, 5]), "offsets": np.array([0, 3, 4, 8]),
        "y": np.array([0, 3, 1, 2])}


@BACKENDS
def test_embedding_bag_text_classifier(backend):
    Zoo(bag_of_words, classify_bags, BAGS).check(backend)


def tied_lm(lib):
    nn = lib.nn

    class TiedLM(nn.Module):
        """word_language_model's tie_weights: the decoder shares the encoder's weight."""

        def __init__(self):
            super().__init__()
            self.encoder = nn.Embedding(VOCAB, 8)
            self.rnn = nn.GRU(8, 8)
            self.decoder = nn.Linear(8, VOCAB)
            self.decoder.weight = self.encoder.weight

        def forward(self, x):
            out, _ = self.rnn(self.encoder(x))
            return self.decoder(out)

    return TiedLM()


def tied_language_model(lib, model, inputs):
    logits = model(inputs["x"].t())
    loss = lib.nn.functional.cross_entropy(logits.view(-1, VOCAB), inputs["y"].t().reshape(-1))
    return (logits,), loss


@BACKENDS
def test_weight_tying_between_embedding_and_output(backend):
    zoo = Zoo(tied_lm, tied_language_model, TEXT)
    theirs, ours = zoo.models()
    assert ours.decoder.weight is ours.encoder.weight
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    zoo.check(backend)


# ---------------------------------------------------------------- more tutorials ---

def vit(lib):
    nn = lib.nn

    class ViT(nn.Module):
        """Patches by a strided Conv2d, a class token, pre-norm GELU encoder layers."""

        def __init__(self):
            super().__init__()
            self.patch = nn.Conv2d(3, 16, kernel_size=4, stride=4)
            self.cls = nn.Parameter(lib.zeros(1, 1, 16))
            self.pos = nn.Parameter(lib.randn(1, 5, 16) * 0.02)
            layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, activation="gelu",
                                               batch_first=True, norm_first=True)
            self.enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(16),
                                             enable_nested_tensor=False)
            self.head = nn.Linear(16, 3)

        def forward(self, x):
            x = self.patch(x).flatten(2).transpose(1, 2)
            x = lib.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
            return self.head(self.enc(x)[:, 0])

    return ViT()


@BACKENDS
def test_vision_transformer_pre_norm_with_class_token(backend):
    Zoo(vit, classify, {"x": _random(2, 3, 8, 8), "y": np.array([0, 2])},
        unmoved={f"enc.layers.{i}.self_attn.in_proj_bias": slice(16, 32) for i in (0, 1)}
        ).check(backend)


def dcgan(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.ConvTranspose2d(4, 8, 4, 1, 0, bias=False), nn.BatchNorm2d(8), nn.ReLU(True),
        nn.ConvTranspose2d(8, 4, 4, 2, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(True),
        nn.ConvTranspose2d(4, 1, 4, 2, 1, bias=False), nn.Tanh())


def generate(lib, model, inputs):
    out = model(inputs["z"])
    return (out,), (out * inputs["t"]).mean()


@BACKENDS
def test_dcgan_generator_with_batch_norm(backend):
    Zoo(dcgan, generate, {"z": _random(3, 4, 1, 1), "t": _random(3, 1, 16, 16, seed=3)}
        ).check(backend)


def mobilenet(lib):
    nn = lib.nn

    def separable(cin, cout, stride):
        return nn.Sequential(
            nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
            nn.ReLU6(inplace=True), nn.Conv2d(cin, cout, 1, 1, 0, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))

    return nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8), nn.Hardswish(),
                         separable(8, 16, 1), separable(16, 16, 2), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Dropout(0.2), nn.Linear(16, 5))


@BACKENDS
def test_mobilenet_depthwise_separable_in_eval_mode(backend):
    Zoo(mobilenet, classify, {"x": _random(3, 3, 8, 8), "y": np.array([0, 2, 4])},
        train=False).check(backend)


def bigru(lib):
    nn = lib.nn

    class Classifier(nn.Module):
        """Packed padded batch through a bidirectional GRU; the last forward and
        backward hidden states concatenated."""

        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, 6, padding_idx=0)
            self.rnn = nn.GRU(6, 8, batch_first=True, bidirectional=True)
            self.fc = nn.Linear(16, 3)

        def forward(self, x, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                                       enforce_sorted=False)
            _, h = self.rnn(packed)
            return self.fc(lib.cat((h[-2], h[-1]), dim=1))

    return Classifier()


def classify_smoothed(lib, model, inputs):
    out = model(inputs["x"], inputs["len"])
    return (out,), lib.nn.functional.cross_entropy(out, inputs["y"], label_smoothing=0.1)


@BACKENDS
def test_bidirectional_gru_classifier_on_packed_sequences(backend):
    Zoo(bigru, classify_smoothed, {"x": _padded_tokens(), "len": np.array([4, 7, 3]),
                                   "y": np.array([0, 2, 1])}).check(backend)


def pooling_zoo(lib):
    nn, F = lib.nn, lib.nn.functional

    class Features(nn.Module):
        """The pooling and resampling options tutorials reach for, side by side, after a
        BatchNorm2d keeping a cumulative average (momentum=None)."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 4, 3, bias=False)
            self.bn = nn.BatchNorm2d(4, momentum=None)
            self.max = nn.MaxPool2d(3, 2, padding=1, ceil_mode=True)
            self.avg = nn.AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=False)
            self.adaptive_avg = nn.AdaptiveAvgPool2d((3, 2))
            self.adaptive_max = nn.AdaptiveMaxPool2d(3)
            self.fc = nn.Linear(4 * (16 + 16 + 6 + 9 + 100 + 100), 3)

        def forward(self, x):
            h = self.bn(self.conv(x))  # 7 x 7
            features = [self.max(h), self.avg(h), self.adaptive_avg(h), self.adaptive_max(h),
                        F.interpolate(h, scale_factor=1.5, mode="bilinear", align_corners=True),
                        F.interpolate(h, size=(10, 10), mode="bicubic", align_corners=False)]
            return self.fc(lib.cat([f.flatten(1) for f in features], 1))

    return Features()


@BACKENDS
def test_pooling_and_resampling_features(backend):
    # steps_atol: a few of fc.weight's gradients are sums over the batch that cancel to
    # ~1e-4 of their terms (relative rounding ~1e-3); Adam normalises each entry's step by
    # its gradient's size, so those entries' later steps carry that rounding at ~1e-5
    Zoo(pooling_zoo, classify, {"x": _random(2, 2, 9, 9), "y": np.array([0, 2])},
        steps_atol=5e-5).check(backend)


def truncated_bptt(lib):
    nn = lib.nn

    class LM(nn.Module):
        """An LSTM with projections fed chunk by chunk, its state detached in between,
        then an LSTMCell unrolled by hand; the embedding renormalises rows (max_norm)."""

        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, 6, max_norm=1.0)
            self.rnn = nn.LSTM(6, 8, proj_size=4, num_layers=2)
            self.cell = nn.LSTMCell(4, 5)
            self.fc = nn.Linear(5, VOCAB)

    return LM()


def train_in_chunks(lib, model, inputs):
    x, y = inputs["x"].t(), inputs["y"].t()  # (time, batch)
    hidden, loss, outputs = None, 0, []
    for start in range(0, x.shape[0], 3):
        out, hidden = model.rnn(model.emb(x[start:start + 3]), hidden)
        hidden = tuple(h.detach() for h in hidden)
        hx = cx = lib.zeros(out.shape[1], 5)
        steps = []
        for t in range(out.shape[0]):
            hx, cx = model.cell(out[t], (hx, cx))
            steps.append(hx)
        logits = model.fc(lib.stack(steps))
        outputs.append(logits)
        loss = loss + lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB),
                                                      y[start:start + 3].reshape(-1))
    return (*outputs, *hidden), loss


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@BACKENDS
def test_truncated_backprop_through_time_with_projections(backend):
    Zoo(truncated_bptt, train_in_chunks, TEXT).check(backend)


def ctc_model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv1d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv1d(8, 5, 1))


def transcribe(lib, model, inputs):
    log_probs = model(inputs["x"]).permute(2, 0, 1).log_softmax(2)  # (T, N, C)
    loss = lib.nn.CTCLoss(blank=0, zero_infinity=True)(
        log_probs, inputs["targets"], lib.tensor([10, 9]), lib.tensor([3, 2]))
    return (log_probs,), loss


@BACKENDS
def test_conv1d_speech_model_with_ctc_loss(backend):
    Zoo(ctc_model, transcribe,
        {"x": _random(2, 3, 10), "targets": np.array([[1, 2, 2], [3, 4, 0]])}).check(backend)
