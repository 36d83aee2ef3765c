"""Profile training steps of the MNIST-shaped MLP (784-128-ReLU-10) with minitorch.profiler.

    python examples/profile_training_step.py
    python examples/profile_training_step.py --steps 3 --backend c --trace step.json

The data is random (a profile is about where time goes, not about learning). One step
runs first unrecorded, as a warm-up; then --steps steps run inside
minitorch.profiler.profile and the script prints
prof.key_averages().table(sort_by="cpu_time_total", row_limit=15).

How to read the table. docs/architecture.md ("One op from a + b to a kernel") follows
one op down the layers: a Tensor op calls Function.apply, whose forward asks the
dispatcher for backend kernels; loss.backward() later runs one graph node per op. The
profiler records one row name per layer it crosses:

* ops, named after their Function in snake case: `linear`, `relu`, `cross_entropy`;
* backward nodes, named as grad_fn shows them: `LinearBackward`, `ReluBackward`;
* kernels, `backend::kernel` (with the op for kernels that take one):
  `numpy::linear`, `numpy::unary(relu)`, `numpy::empty`;
* optimizer steps, `Optimizer.step#SGD.step`, and any record_function range of your
  own (here `forward`, `backward` and `optimizer step`).

A row adds up every call of that name. "CPU total" is the time from entering to
leaving it, including everything it called: an op's total contains its kernels', and
the `forward` range contains all of them. "Self CPU" is the total minus the time of the
recorded rows nested inside it: for a kernel that is the loop itself; for an op it is
the Python around its kernels (argument checks, dispatch, building the graph node).
Self times add up to the whole recording, so sort by self_cpu_time_total to find where
the time is actually spent, and by cpu_time_total (as here) to see which layer of the
program it is spent under. A large self time on an op with cheap kernels is dispatch
overhead; a large self time on `numpy::linear` is arithmetic.

--trace PATH writes the same events as a Chrome trace: open it in chrome://tracing or
https://ui.perfetto.dev to see the nesting on a time line.
"""
import argparse

import minitorch
from minitorch import nn
from minitorch.profiler import profile, record_function


def parse_args(argv=None):
    """The options; bad values end the script with a one-line message (exit status 2)."""
    available = [backend.name for backend in minitorch.list_backends() if backend.available]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=available, default=None,
                        help="minitorch backend (default: the current one, normally numpy)")
    parser.add_argument("--steps", type=int, default=1, help="steps to profile (default: 1)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rows", type=int, default=15, help="rows of the table (default: 15)")
    parser.add_argument("--trace", metavar="PATH", help="also write a Chrome trace (JSON) here")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.batch_size < 1:
        parser.error("--steps and --batch-size must be at least 1")
    return args


def train_step(model, optimizer, images, labels):
    """One SGD step on a batch; each phase is a named range in the profile."""
    with record_function("forward"):
        loss = nn.functional.cross_entropy(model(images), labels)
    with record_function("backward"):
        optimizer.zero_grad()
        loss.backward()
    with record_function("optimizer step"):
        optimizer.step()
    return loss


def main(argv=None):
    """Warm up, profile --steps steps, print the table (and write the trace); returns
    the profile."""
    args = parse_args(argv)
    if args.backend is not None:
        minitorch.set_backend(args.backend)   # loads it, so its kernels get recorded
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    images = minitorch.randn(args.batch_size, 784)
    labels = minitorch.randint(0, 10, (args.batch_size,))

    # Warm-up: the first step also creates the momentum buffers and fills caches, which
    # would otherwise show up as one-off costs in the table.
    train_step(model, optimizer, images, labels)

    with profile() as prof:
        for _ in range(args.steps):
            train_step(model, optimizer, images, labels)
            prof.step()

    print(f"backend {minitorch.get_backend().name}; {args.steps} step(s) of batch "
          f"{args.batch_size}")
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=args.rows))
    if args.trace is not None:
        prof.export_chrome_trace(args.trace)
        print(f"Chrome trace written to {args.trace}")
    return prof


if __name__ == "__main__":
    main()
