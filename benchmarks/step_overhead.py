"""Framework overhead of one training step: minitorch (each backend) next to PyTorch.

The MNIST loop (DataLoader batch of 128, two Linear layers with ReLU, cross-entropy,
backward, SGD step) on a model so small (8-4-10) that the arithmetic is negligible, so
what is left is the cost of the framework itself: op dispatch, autograd, the data and
optimizer plumbing. Prints microseconds per step, best of --repeat epochs.

    python benchmarks/step_overhead.py [--backends numpy,c] [--repeat 3]
"""
import argparse
import os
import time

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch.data import DataLoader, TensorDataset  # noqa: E402

SAMPLES, FEATURES, HIDDEN, CLASSES, BATCH = 60000, 8, 4, 10, 128


def minitorch_epoch_function(backend):
    with minitorch.use_backend(backend):
        nn = minitorch.nn
        x = minitorch.randn(SAMPLES, FEATURES)
        y = minitorch.randint(0, CLASSES, (SAMPLES,))
        model = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True)

    def epoch():
        for inputs, targets in loader:
            optimizer.zero_grad()
            minitorch.nn.functional.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
    return epoch


def torch_epoch_function():
    x, y = torch.randn(SAMPLES, FEATURES), torch.randint(0, CLASSES, (SAMPLES,))
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN, CLASSES))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def epoch():
        order = torch.randperm(SAMPLES)
        for start in range(0, SAMPLES, BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
    return epoch


def microseconds_per_step(epoch, repeat):
    epoch()  # warm-up (and any compilation)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        epoch()
        best = min(best, time.perf_counter() - start)
    return best / -(-SAMPLES // BATCH) * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="numpy,c",
                        help="comma-separated minitorch backends (default: numpy,c)")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    reference = microseconds_per_step(torch_epoch_function(), options.repeat)
    print(f"{'framework':20s}{'us/step':>10s}{'x PyTorch':>11s}")
    print(f"{'PyTorch':20s}{reference:10.0f}{1.0:11.2f}")
    for backend in options.backends.split(","):
        ours = microseconds_per_step(minitorch_epoch_function(backend), options.repeat)
        print(f"{'minitorch (' + backend + ')':20s}{ours:10.0f}{ours / reference:11.2f}")


if __name__ == "__main__":
    main()
