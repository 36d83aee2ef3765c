"""Per-call time of small ops: minitorch on each available backend next to PyTorch.

Measures the fixed cost of the path `a + b` -> dispatcher -> kernel, on tensors small
enough that the arithmetic itself is negligible. Prints microseconds per call and the
ratio to PyTorch (lower is better; 1.0 means as fast as PyTorch).

    python benchmarks/op_overhead.py [--size 16] [--repeat 5] [--backends numpy,python,c]
"""
import argparse
import os
import timeit

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

OPS = {  # name -> statement over tensors a, b (size x size), v (size), w (requires grad)
    "a + b": "a + b",
    "a + v (broadcast)": "a + v",
    "a * 2.0": "a * 2.0",
    "a.relu()": "a.relu()",
    "a.exp()": "a.exp()",
    "a.sum()": "a.sum()",
    "a.sum(dim=1)": "a.sum(dim=1)",
    "a @ b": "a @ b",
    "a.T (view)": "a.T",
    "a[1:3] (view)": "a[1:3]",
    "a.reshape(-1)": "a.reshape(-1)",
    "w * b (records grad)": "w * b",
}


def _tensors(library, size, **options):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size)).astype(np.float32) for _ in range(2))
    v = rng.standard_normal(size).astype(np.float32)
    namespace = {"a": library.tensor(a, **options), "b": library.tensor(b, **options),
                 "v": library.tensor(v, **options)}
    namespace["w"] = library.tensor(a, **options).requires_grad_()
    return namespace


def per_call_microseconds(statement, namespace, repeat):
    timer = timeit.Timer(statement, globals=namespace)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat, number)) / number * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default=None,
                        help="comma-separated minitorch backends (default: all available)")
    options = parser.parse_args()
    torch.set_num_threads(1)
    minitorch.set_num_threads(1)
    minitorch_backends = (options.backends.split(",") if options.backends else
                          [b.name for b in minitorch.list_backends() if b.available])
    torch_namespace = _tensors(torch, options.size)
    ours = {name: _tensors(minitorch, options.size, backend=name) for name in minitorch_backends}

    header = f"{'op (' + str(options.size) + 'x' + str(options.size) + ' float32)':24s}" \
             f"{'torch us':>10s}" + "".join(f"{name + ' us':>12s}{'ratio':>7s}"
                                           for name in minitorch_backends)
    print(header)
    print("-" * len(header))
    for label, statement in OPS.items():
        torch_time = per_call_microseconds(statement, torch_namespace, options.repeat)
        row = f"{label:24s}{torch_time:10.2f}"
        for name in minitorch_backends:
            ours_time = per_call_microseconds(statement, ours[name], options.repeat)
            row += f"{ours_time:12.2f}{ours_time / torch_time:7.2f}"
        print(row)


if __name__ == "__main__":
    main()
