"""MNIST training, PyTorch against minitorch on each available backend, in one run.

    python benchmarks/mnist_vs_torch.py [--dataset fashion-mnist] [--epochs 10]
        [--momentum 0] [--limit N] [--backends numpy,c] [--budget 900] [--seed 0]

Every contestant trains the same model (784-128-ReLU-10, float32) from the same initial
weights (drawn by minitorch from --seed and copied into PyTorch), with SGD (lr 0.01),
batch size 128 and mean cross-entropy, for the same number of epochs. The contestants:

  PyTorch (index slicing): PyTorch's fastest honest loop: the whole training set as
      two tensors, each batch gathered by indexing them with a slice of a permutation;
      torch.set_num_threads(os.cpu_count()).
  PyTorch (DataLoader): torch.utils.data.DataLoader over a TensorDataset, as most
      PyTorch code is written.
  minitorch (<backend>): minitorch.data.DataLoader over a TensorDataset.
  numpy by hand: the same step written directly with numpy (no framework: no autograd,
      no dispatch), the floor a framework on numpy can approach.

The index-sliced PyTorch loop, the hand-written numpy loop and every minitorch loop visit the samples in the same
order each epoch (the permutation comes from minitorch.Generator(seed)), so their
accuracies differ only by rounding. Epochs run round-robin (epoch 1 of every contestant,
then epoch 2, ..., each after a 0.5 s pause in which the previous contestant's idle
threads stop spinning) so that a change in machine load hits all of them alike. Only the
training loop is timed; the test set is evaluated once at the end (accuracy, mean
loss). A minitorch backend whose first steps project past --budget seconds for the
whole run is stopped and reported with its projected epoch time (the first step, which
may include compilation, is not counted).
"""
import argparse
import os
import sys
import time

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch.data import DataLoader, TensorDataset  # noqa: E402
from minitorch.serialization import to_torch  # noqa: E402

BATCH_SIZE = 128
LEARNING_RATE = 0.01
EVAL_BATCH_SIZE = 1000
# Idle worker threads keep spinning for a while after their last task (OpenBLAS's for up
# to ~0.1 s, OpenMP's for milliseconds) and would take a core from the next contestant:
# measured, numpy's epoch made the next `c` epoch ~35% slower. So every epoch starts
# after this pause, when they have gone to sleep.
QUIET_SECONDS = 0.5
DATASETS = {"mnist": ("MNIST", minitorch.datasets.mnist),
            "fashion-mnist": ("Fashion-MNIST", minitorch.datasets.fashion_mnist)}


class TooSlow(Exception):
    """A contestant whose projected epoch time is over its budget."""

    def __init__(self, projected_seconds, steps):
        super().__init__(f"{projected_seconds:.0f} s/epoch projected from {steps} timed "
                         "step(s)")


def initial_state(seed):
    """The starting weights of every contestant: a minitorch model's state dict."""
    minitorch.manual_seed(seed)
    return minitorch_model().state_dict()


def minitorch_model():
    nn = minitorch.nn
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def torch_model(state):
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    model.load_state_dict(to_torch(state))
    return model


class TorchContestant:
    """PyTorch's loop; `use_dataloader` picks torch.utils.data.DataLoader over slicing."""

    def __init__(self, data, state, momentum, seed, use_dataloader):
        x_train, y_train, self.x_test, self.y_test = (torch.from_numpy(a) for a in data)
        self.name = "PyTorch (DataLoader)" if use_dataloader else "PyTorch (index slicing)"
        self.model = torch_model(state)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE,
                                         momentum=momentum)
        self.x_train, self.y_train = x_train, y_train
        self.order = minitorch.Generator(seed).numpy  # the minitorch loaders' permutations
        torch.manual_seed(seed)
        dataset = torch.utils.data.TensorDataset(x_train, y_train)
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE,
                                                  shuffle=True) if use_dataloader else None

    def batches(self):
        if self.loader is not None:
            yield from self.loader
            return
        order = torch.from_numpy(self.order.permutation(len(self.y_train)))
        for start in range(0, len(order), BATCH_SIZE):
            index = order[start:start + BATCH_SIZE]
            yield self.x_train[index], self.y_train[index]

    def train_epoch(self):
        self.model.train()
        for inputs, targets in self.batches():
            self.optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.model(inputs), targets)
            loss.backward()
            self.optimizer.step()

    def evaluate(self):
        """(accuracy %, mean loss) on the test set."""
        self.model.eval()
        with torch.no_grad():
            logits = self.model(self.x_test)
            loss = torch.nn.functional.cross_entropy(logits, self.y_test).item()
            correct = (logits.argmax(dim=1) == self.y_test).sum().item()
        return 100.0 * correct / len(self.y_test), loss


class MinitorchContestant:
    """minitorch's loop on one backend."""

    def __init__(self, backend, data, state, momentum, seed, epoch_budget):
        self.name = f"minitorch ({backend})"
        self.epoch_budget = epoch_budget
        x_train, y_train, self.x_test, self.y_test = (minitorch.tensor(a, backend=backend)
                                                      for a in data)
        self.model = minitorch_model().to(backend)
        self.model.load_state_dict(state)
        self.optimizer = minitorch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE,
                                             momentum=momentum)
        self.loader = DataLoader(TensorDataset(x_train, y_train), batch_size=BATCH_SIZE,
                                 shuffle=True, generator=minitorch.Generator(seed))

    def train_epoch(self):
        """One epoch; raises TooSlow as soon as the steps after the first (which may pay
        for compilation or caches) project an epoch over the budget."""
        self.model.train()
        steps = len(self.loader)
        for step, (inputs, targets) in enumerate(self.loader, 1):
            self.optimizer.zero_grad()
            loss = minitorch.nn.functional.cross_entropy(self.model(inputs), targets)
            loss.backward()
            self.optimizer.step()
            if step == 1:
                after_first = time.perf_counter()
                continue
            projected = (time.perf_counter() - after_first) / (step - 1) * steps
            if projected > self.epoch_budget:
                raise TooSlow(projected, step - 1)

    def evaluate(self):
        self.model.eval()
        correct, total_loss = 0, 0.0
        with minitorch.no_grad():
            for start in range(0, len(self.y_test), EVAL_BATCH_SIZE):
                inputs = self.x_test[start:start + EVAL_BATCH_SIZE]
                targets = self.y_test[start:start + EVAL_BATCH_SIZE]
                logits = self.model(inputs)
                total_loss += minitorch.nn.functional.cross_entropy(
                    logits, targets, reduction="sum").item()
                correct += (logits.argmax(dim=1) == targets).sum().item()
        return 100.0 * correct / len(self.y_test), total_loss / len(self.y_test)


class NumpyByHandContestant:
    """The model's step written directly in numpy: forward, softmax cross-entropy and its
    gradient, backward and the SGD (momentum) update, by hand."""

    name = "numpy by hand (no framework)"

    def __init__(self, data, state, momentum, seed):
        self.x_train, self.y_train, self.x_test, self.y_test = data
        self.params = [state[key].numpy().copy() for key in
                       ("0.weight", "0.bias", "2.weight", "2.bias")]
        self.velocities = [np.zeros_like(p) for p in self.params]
        self.momentum = momentum
        self.order = minitorch.Generator(seed).numpy  # the minitorch loaders' permutations

    def forward(self, inputs):
        w1, b1, w2, b2 = self.params
        hidden = inputs @ w1.T
        hidden += b1
        np.maximum(hidden, 0, out=hidden)
        logits = hidden @ w2.T
        logits += b2
        return hidden, logits

    def train_epoch(self):
        order = self.order.permutation(len(self.y_train))
        for start in range(0, len(order), BATCH_SIZE):
            index = order[start:start + BATCH_SIZE]
            inputs, targets = np.take(self.x_train, index, axis=0), self.y_train[index]
            hidden, logits = self.forward(inputs)
            logits -= logits.max(axis=1, keepdims=True)
            grad_logits = np.exp(logits)
            grad_logits /= grad_logits.sum(axis=1, keepdims=True)
            grad_logits[np.arange(len(targets)), targets] -= 1
            grad_logits /= len(targets)
            grad_hidden = grad_logits @ self.params[2]
            grad_hidden *= hidden > 0
            grads = (grad_hidden.T @ inputs, grad_hidden.sum(axis=0),
                     grad_logits.T @ hidden, grad_logits.sum(axis=0))
            for param, grad, velocity in zip(self.params, grads, self.velocities):
                if self.momentum:
                    velocity *= self.momentum
                    velocity += grad
                    grad = velocity
                param -= LEARNING_RATE * grad

    def evaluate(self):
        logits = self.forward(self.x_test)[1].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(self.y_test)), self.y_test].mean()
        return 100.0 * (logits.argmax(axis=1) == self.y_test).mean(), float(loss)


def load_data(dataset, limit):
    """(x_train, y_train, x_test, y_test) numpy arrays: float32 pixels / 255, int64 labels."""
    title, loader = DATASETS[dataset]
    x_train, y_train, x_test, y_test = loader()
    pixels = [images[:limit].reshape(len(images[:limit]), -1).astype(np.float32) / 255
              for images in (x_train, x_test)]
    return title, (pixels[0], y_train[:limit], pixels[1], y_test[:limit])


def print_table(title, epochs, results, reference_name):
    """The summary table; results maps a name to its dict of figures or a skip reason."""
    width = 101
    reference = results[reference_name]["best"]
    print("=" * width)
    print(f"{title} Training Summary ({epochs} epochs)".center(width))
    print("=" * width)
    print(f"{'Framework / backend':26s}{'Final Acc (%)':>14s}{'Final Loss':>12s}"
          f"{'best s/epoch':>14s}{'mean s/epoch':>14s}{'Total (s)':>10s}{'x PyTorch':>11s}")
    print("-" * width)
    for name, figures in results.items():
        if isinstance(figures, str):
            print(f"{name:26s}  skipped: {figures}")
            continue
        print(f"{name:26s}{figures['accuracy']:14.2f}{figures['loss']:12.4f}"
              f"{figures['best']:14.3f}{figures['mean']:14.3f}{figures['total']:10.2f}"
              f"{figures['best'] / reference:11.2f}")
    print("=" * width)
    print(f"x PyTorch: best epoch time over {reference_name}'s best (lower is faster).")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="fashion-mnist")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N images of each split")
    parser.add_argument("--backends", default=None,
                        help="comma-separated minitorch backends (default: all available)")
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds a minitorch backend may take for all epochs before "
                             "it is stopped (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.set_num_threads(os.cpu_count())
    backends = (args.backends.split(",") if args.backends else
                [b.name for b in minitorch.list_backends() if b.available])
    title, data = load_data(args.dataset, args.limit)
    state = initial_state(args.seed)
    command = " ".join(["python", "benchmarks/mnist_vs_torch.py"] +
                       (sys.argv[1:] if argv is None else argv))
    print(f"{command}\n{title}: {len(data[1])} training / {len(data[3])} test images; batch "
          f"{BATCH_SIZE}, SGD lr {LEARNING_RATE} momentum {args.momentum}; {os.cpu_count()} "
          f"cores; torch {torch.__version__} with {torch.get_num_threads()} threads; numpy "
          f"{np.__version__}")

    contestants = [TorchContestant(data, state, args.momentum, args.seed, use_dataloader)
                   for use_dataloader in (False, True)]
    contestants += [MinitorchContestant(name, data, state, args.momentum, args.seed,
                                        args.budget / args.epochs) for name in backends]
    contestants.append(NumpyByHandContestant(data, state, args.momentum, args.seed))
    times = {contestant.name: [] for contestant in contestants}
    results = {}
    for epoch in range(1, args.epochs + 1):
        for contestant in [c for c in contestants if c.name not in results]:
            time.sleep(QUIET_SECONDS)
            start = time.perf_counter()
            try:
                contestant.train_epoch()
            except TooSlow as verdict:
                results[contestant.name] = f"{verdict} (over --budget {args.budget:.0f} s)"
                continue
            times[contestant.name].append(time.perf_counter() - start)
        line = "  ".join(f"{name} {seconds[-1]:.3f}s" for name, seconds in times.items()
                         if len(seconds) == epoch)
        print(f"epoch {epoch}: {line}", flush=True)

    for contestant in contestants:
        if contestant.name in results:
            continue
        accuracy, loss = contestant.evaluate()
        seconds = times[contestant.name]
        results[contestant.name] = dict(accuracy=accuracy, loss=loss, best=min(seconds),
                                        mean=sum(seconds) / len(seconds), total=sum(seconds))
    ordered = {c.name: results[c.name] for c in contestants}
    print_table(title, args.epochs, ordered, contestants[0].name)
    return ordered


if __name__ == "__main__":
    main()
