"""Where one MNIST training step spends its time, phase by phase, PyTorch next to minitorch.

    python benchmarks/step_phases.py [--backends numpy,c] [--epochs 3]

mnist_vs_torch.py's model and loop (784-128-ReLU-10 on Fashion-MNIST, batch 128, SGD
lr 0.01, mean cross-entropy), with a clock read between the phases of every step: loading
the batch, forward, loss, backward, optimizer step (zero_grad is folded into the step).
Prints the median microseconds of each phase over all steps (medians, as a busy moment of a
shared machine moves them less than means), their sum, and for minitorch how much of the
step its kernels took: the time inside the backend's kernel calls (their Python-side
checks included), the rest being the framework's Python.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch import registry  # noqa: E402
from minitorch.contract import OPTIONAL_KERNELS, REQUIRED_KERNELS  # noqa: E402
from minitorch.data import DataLoader, TensorDataset  # noqa: E402
from mnist_vs_torch import BATCH_SIZE, minitorch_model, torch_model  # noqa: E402

PHASES = ("load", "forward", "loss", "backward", "step")


class KernelClock:
    """Wraps every kernel of a backend to add up the seconds spent inside them."""

    def __init__(self, backend):
        self.seconds = 0.0
        record = registry.lookup(backend)
        for name in REQUIRED_KERNELS + tuple(OPTIONAL_KERNELS):
            kernel = getattr(record, name, None)
            if kernel is not None:
                setattr(record, name, self._timed(kernel))

    def _timed(self, kernel):
        def timed(*args):
            start = time.perf_counter()
            result = kernel(*args)
            self.seconds += time.perf_counter() - start
            return result
        return timed


def time_steps(batches, forward, loss_of, zero_grad, step):
    """Seconds of each phase of every step: a list of 5-tuples."""
    steps = []
    iterator = iter(batches)
    while True:
        start = time.perf_counter()
        try:
            inputs, targets = next(iterator)
        except StopIteration:
            return steps
        loaded = time.perf_counter()
        output = forward(inputs)
        forwarded = time.perf_counter()
        loss = loss_of(output, targets)
        lossed = time.perf_counter()
        loss.backward()
        backwarded = time.perf_counter()
        step()
        zero_grad()
        stepped = time.perf_counter()
        steps.append((loaded - start, forwarded - loaded, lossed - forwarded,
                      backwarded - lossed, stepped - backwarded))


def print_row(name, steps, extra=""):
    medians = [statistics.median(phase) * 1e6 for phase in zip(*steps)]
    cells = "".join(f"{value:10.0f}" for value in medians)
    print(f"{name:22s}{cells}{sum(medians):10.0f}  {extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="numpy,c")
    parser.add_argument("--epochs", type=int, default=3)
    options = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    x_train, y_train, _, _ = minitorch.datasets.fashion_mnist()
    pixels = x_train.reshape(len(x_train), -1).astype(np.float32) / 255
    minitorch.manual_seed(0)
    state = minitorch_model().state_dict()

    print(f"median µs per step phase, {options.epochs} epochs of {len(y_train)} images, "
          f"batch {BATCH_SIZE}")
    print(f"{'':22s}" + "".join(f"{phase:>10s}" for phase in PHASES) + f"{'sum':>10s}")

    model = torch_model(state)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.from_numpy(pixels), torch.from_numpy(y_train)

    def torch_batches():
        order = torch.randperm(len(y))
        for start in range(0, len(y), BATCH_SIZE):
            index = order[start:start + BATCH_SIZE]
            yield x[index], y[index]

    steps = []
    for _ in range(options.epochs):
        steps += time_steps(torch_batches(), model, torch.nn.functional.cross_entropy,
                            optimizer.zero_grad, optimizer.step)
    print_row("PyTorch", steps)

    for backend in options.backends.split(","):
        time.sleep(0.5)   # the previous library's idle threads stop spinning
        model = minitorch_model().to(backend)
        model.load_state_dict(state)
        optimizer = minitorch.optim.SGD(model.parameters(), lr=0.01)
        dataset = TensorDataset(minitorch.tensor(pixels, backend=backend),
                                minitorch.tensor(y_train, backend=backend))
        loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)
        clock = KernelClock(backend)
        steps = []
        for _ in range(options.epochs):
            steps += time_steps(loader, model, minitorch.nn.functional.cross_entropy,
                                optimizer.zero_grad, optimizer.step)
        kernel_share = clock.seconds / sum(map(sum, steps))
        print_row(f"minitorch ({backend})", steps,
                  f"kernels {100 * kernel_share:.0f}% of the time")


if __name__ == "__main__":
    main()
