"""Train a small MLP on a two-moons dataset with the scalar autograd engine.

    python examples/scalar_moons.py [--steps 100] [--seed 1337] [--plot moons.png]

The dataset (100 noisy points on two interleaving half circles, labels -1/+1) is
generated here in pure Python. The model is `MLP(2, [16, 16, 1])`, trained with
full-batch gradient descent on the SVM max-margin (hinge) loss plus L2
regularisation, with a learning rate decaying linearly from 1.0 to 0.1.

With the defaults it reaches 100% training accuracy: first at step 28, and at every
step from 41 on, ending at loss 0.0113. The 100 steps take about 15 seconds on one
CPU core (Python 3.11); seeds 1, 2 and 3 also end at 100%.
"""

import argparse
import gc
import math
import random
import sys
import time
from pathlib import Path

# Make the example runnable from a source checkout without installing minitorch.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minitorch.scalar.nn import MLP  # noqa: E402


def make_moons(n_samples=100, noise=0.1):
    """Return (points, labels): n_samples 2-D points in two interleaving half moons.

    The upper moon (label +1) lies on the unit half circle, the lower moon
    (label -1) is the same arc flipped and shifted by (1, 0.5); Gaussian noise with
    standard deviation `noise` is added to each coordinate. Uses the global
    `random` module, so seed it for reproducible data. Needs n_samples >= 2.
    """
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    points, labels = [], []
    for n, label in ((n_upper, 1), (n_lower, -1)):
        for i in range(n):
            t = math.pi * i / max(n - 1, 1)
            if label == 1:
                x, y = math.cos(t), math.sin(t)
            else:
                x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
            points.append((x + random.gauss(0.0, noise), y + random.gauss(0.0, noise)))
            labels.append(label)
    return points, labels


def loss_and_accuracy(model, points, labels, alpha=1e-4):
    """Mean hinge loss max(0, 1 - label * score) plus alpha * sum(p ** 2), as a
    Value, and the fraction of points whose score has the label's sign."""
    scores = [model(p) for p in points]
    margins = [(1 - label * score).relu() for label, score in zip(labels, scores)]
    data_loss = sum(margins) / len(margins)
    reg_loss = alpha * sum(p * p for p in model.parameters())
    correct = sum((score.data > 0) == (label > 0) for label, score in zip(labels, scores))
    return data_loss + reg_loss, correct / len(labels)


def train(model, points, labels, steps, log=print):
    """Run `steps` steps of full-batch gradient descent on `model`, in place.

    Returns the list of (loss, accuracy) measured at the start of each step,
    before its update. `log`, if not None, is called with a line per step.
    """
    history = []
    for step in range(steps):
        loss, accuracy = loss_and_accuracy(model, points, labels)
        model.zero_grad()
        loss.backward()
        learning_rate = 1.0 - 0.9 * step / steps
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((loss.data, accuracy))
        if log is not None:
            log(f"step {step:3d}  loss {loss.data:.6f}  accuracy {accuracy:.0%}")
    return history


def plot_decision_boundary(model, points, labels, path):
    """Save a picture of the model's decision regions and the data to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    step = 0.1
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    grid_x = [min(xs) - 1 + step * i for i in range(int((max(xs) - min(xs) + 2) / step) + 1)]
    grid_y = [min(ys) - 1 + step * j for j in range(int((max(ys) - min(ys) + 2) / step) + 1)]
    regions = [[1.0 if model((gx, gy)).data > 0 else -1.0 for gx in grid_x] for gy in grid_y]

    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(grid_x, grid_y, regions, levels=[-2, 0, 2], colors=["tab:red", "tab:blue"], alpha=0.3)
    ax.scatter(xs, ys, c=["tab:blue" if label > 0 else "tab:red" for label in labels],
               s=30, edgecolors="k")
    ax.set_title("scalar MLP on two moons")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="training steps (default 100)")
    parser.add_argument("--seed", type=int, default=1337, help="random seed (default 1337)")
    parser.add_argument("--plot", metavar="PNG", help="save the decision boundary to this file")
    args = parser.parse_args(argv)

    random.seed(args.seed)
    points, labels = make_moons()
    model = MLP(2, [16, 16, 1])
    print(model, f"with {len(model.parameters())} parameters")

    # The graphs built here have no reference cycles (a node refers only to its
    # inputs), so reference counting frees each one after its step. The cycle
    # collector would just rescan the ~300k live graph objects again and again,
    # which makes training about five times slower.
    gc.disable()
    start = time.perf_counter()
    history = train(model, points, labels, args.steps)
    elapsed = time.perf_counter() - start
    gc.enable()
    final_loss, final_accuracy = loss_and_accuracy(model, points, labels)
    print(f"final loss {final_loss.data:.6f}  accuracy {final_accuracy:.0%}  "
          f"({len(history)} steps in {elapsed:.1f}s)")

    if args.plot:
        plot_decision_boundary(model, points, labels, args.plot)
        print(f"decision boundary saved to {args.plot}")


if __name__ == "__main__":
    main()
