"""One training step of a small CNN: minitorch (each backend) next to PyTorch.

Conv2d(1, 8, 3) - ReLU - MaxPool2d(2) - Conv2d(8, 16, 3) - ReLU - MaxPool2d(2) - Flatten -
Linear(400, 10), cross-entropy, SGD, on a batch of 28x28 images, with the same initial
weights in both libraries. minitorch's convolution is an im2col made of existing ops (one
gather, one matmul), so this measures how far that composition is from PyTorch's
dedicated kernels. Prints the median milliseconds per step and the ratio to PyTorch.

    python benchmarks/cnn_step.py [--batch 64] [--steps 30] [--backends numpy,c]
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
from minitorch.serialization import from_torch  # noqa: E402


def model(nn):
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))


def median_step_ms(library, network, images, labels, steps):
    optimizer = library.optim.SGD(network.parameters(), lr=0.01)
    loss_function = library.nn.CrossEntropyLoss()
    times = []
    for _ in range(steps + 3):   # the first steps fill caches (gather positions, buffers)
        start = time.perf_counter()
        optimizer.zero_grad()
        loss_function(network(images), labels).backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times[3:]) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--backends", default="numpy,c")
    options = parser.parse_args()
    threads = os.cpu_count()
    torch.set_num_threads(threads)
    minitorch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    images = rng.random((options.batch, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, options.batch)
    torch_model = model(torch.nn)
    initial_state = {key: value.clone() for key, value in torch_model.state_dict().items()}
    reference = median_step_ms(torch, torch_model, torch.tensor(images), torch.tensor(labels),
                               options.steps)
    print(f"CNN training step, batch {options.batch} of 1x28x28, median ms per step")
    print(f"{'PyTorch':20s}{reference:8.2f}   1.00")
    for backend in options.backends.split(","):
        with minitorch.use_backend(backend):
            ours = model(minitorch.nn)
        ours.load_state_dict(from_torch(initial_state, backend=backend))
        milliseconds = median_step_ms(minitorch, ours, minitorch.tensor(images, backend=backend),
                                      minitorch.tensor(labels, backend=backend), options.steps)
        print(f"{'minitorch (' + backend + ')':20s}{milliseconds:8.2f}{milliseconds / reference:7.2f}")


if __name__ == "__main__":
    main()
