"""Train a 784-128-ReLU-10 MLP on MNIST or Fashion-MNIST with minitorch, on any backend.

    python examples/mnist.py
    python examples/mnist.py --dataset fashion-mnist --backend numpy --epochs 10 \\
        --optimizer sgd --lr 0.05 --momentum 0.9 --save mlp.npz --plot curves.png
    python examples/mnist.py --model cnn --epochs 2     # a small convolutional network

--model cnn trains two convolution + max-pooling stages and a linear classifier instead
(see make_model); it takes the same options.

The default dataset is MNIST; when it can't be found or downloaded the script says so
and uses Fashion-MNIST (Debian's dataset-fashion-mnist package installs it). Each epoch
shows a progress bar (when stderr is a terminal and tqdm is installed) and ends with
one line: mean training loss, test loss and accuracy, and the seconds the training
pass took. --save writes the trained weights with minitorch.save; --plot draws the
loss and accuracy curves with matplotlib into a PNG file (its name must end in .png).

Bad options (a --limit below 1, a --plot path that is a directory, an unknown backend...)
are refused with a one-line message before any data is loaded; data that can't be found
or downloaded ends the script with a one-line error and exit status 1.
"""
import argparse
import math
import os
import sys
import time

import numpy as np

import minitorch
from minitorch import nn
from minitorch.data import DataLoader, TensorDataset
from minitorch.datasets import DatasetError, fashion_mnist, mnist

DATASETS = {"mnist": ("MNIST", mnist), "fashion-mnist": ("Fashion-MNIST", fashion_mnist)}
MODELS = ("mlp", "cnn")
DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3}
EVAL_BATCH_SIZE = 1000


def make_parser():
    """The command-line parser; parse_args() checks the values it returns."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="mnist",
                        help="MNIST falls back to Fashion-MNIST when it can't be had "
                             "(default: %(default)s)")
    parser.add_argument("--backend", default=None,
                        help="minitorch backend (default: the current one, normally numpy)")
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp",
                        help="mlp: 784-128-ReLU-10; cnn: two conv + max-pool stages and a "
                             "linear layer (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--optimizer", choices=sorted(DEFAULT_LR), default="sgd")
    parser.add_argument("--lr", type=float, default=None,
                        help="learning rate (default: 0.05 for sgd, 0.001 otherwise)")
    parser.add_argument("--momentum", type=float, default=0.9,
                        help="momentum of sgd and rmsprop (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N images of each split")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", metavar="PATH", help="save the trained state dict here")
    parser.add_argument("--plot", metavar="PNG",
                        help="draw loss and accuracy curves into this .png file")
    return parser


def parse_args(parser, argv=None):
    """The parsed options; any bad one ends the program through parser.error (a one-line
    message, exit status 2) before anything is loaded or changed."""
    args = parser.parse_args(argv)
    for option, value in (("--limit", args.limit), ("--epochs", args.epochs),
                          ("--batch-size", args.batch_size)):
        if value is not None and value < 1:
            parser.error(f"{option} must be at least 1, got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be at least 0, got {args.seed}")
    if args.lr is not None and not (math.isfinite(args.lr) and args.lr > 0):
        parser.error(f"--lr must be a finite number above 0, got {args.lr}")
    if not (math.isfinite(args.momentum) and args.momentum >= 0):
        parser.error(f"--momentum must be a finite number of at least 0, got {args.momentum}")
    if args.backend is not None:
        check_backend(parser, args.backend)
    for option, path, example in (("--save", args.save, "mlp.npz"),
                                  ("--plot", args.plot, "curves.png")):
        if path is not None:
            check_output_path(parser, option, path, example)
    if args.plot is not None and not args.plot.lower().endswith(".png"):
        parser.error(f"--plot writes a PNG image, so its file name must end in .png, "
                     f"got {args.plot}")
    return args


def check_backend(parser, name):
    """parser.error unless `name` is a backend that can be used here."""
    backends = {backend.name: backend for backend in minitorch.list_backends()}
    chosen = backends.get(name)
    if chosen is not None and chosen.available:
        return
    choices = ", ".join(other for other, backend in backends.items() if backend.available)
    if chosen is None:
        problem = "is not a minitorch backend"
    else:
        problem = f"is unavailable ({str(chosen.reason).splitlines()[0]})"
    parser.error(f"--backend {name!r} {problem}; choose from: {choices}")


def check_output_path(parser, option, path, example):
    """parser.error unless a file can be written at `path`: not a directory, in an
    existing, writable directory. `example` is a file name to suggest."""
    if os.path.isdir(path):
        parser.error(f"{option} {path} is a directory; give a file name, e.g. "
                     f"{os.path.join(path, example)}")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        parser.error(f"{option} {path}: {folder} is not an existing directory; create it "
                     "first")
    if not os.access(folder, os.W_OK):
        parser.error(f"{option} {path}: the directory {folder} is not writable")


def load_dataset(name):
    """(display name, X_train, Y_train, X_test, Y_test) as numpy arrays; MNIST falls back
    to Fashion-MNIST, saying why."""
    title, loader = DATASETS[name]
    try:
        return (title,) + loader()
    except DatasetError as error:
        if name != "mnist":
            raise
        details = str(error).replace("\n", "\n    ")
        print(f"MNIST is not available, using Fashion-MNIST instead. The reason:\n    "
              f"{details}", file=sys.stderr)
        return ("Fashion-MNIST",) + fashion_mnist()


def as_tensors(images, labels, limit):
    """Images flattened to (N, 784) float32 in [0, 1], labels int64 (N,)."""
    images, labels = images[:limit], labels[:limit]
    pixels = images.reshape(len(images), -1).astype(np.float32) / 255
    return minitorch.tensor(pixels), minitorch.tensor(labels)


def make_model(name):
    """The network called `name` in MODELS; both take the flattened (N, 784) images."""
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),     # 16 x 13 x 13
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),    # 32 x 5 x 5
        nn.Flatten(), nn.Linear(32 * 5 * 5, 10))


def make_optimizer(name, parameters, lr, momentum):
    if name == "sgd":
        return minitorch.optim.SGD(parameters, lr=lr, momentum=momentum)
    if name == "rmsprop":
        return minitorch.optim.RMSprop(parameters, lr=lr, momentum=momentum)
    optimizer_class = {"adam": minitorch.optim.Adam, "adamw": minitorch.optim.AdamW}[name]
    return optimizer_class(parameters, lr=lr)


def progress_bar(loader, description):
    """`loader` wrapped in a tqdm bar when stderr is a terminal and tqdm is installed."""
    if not sys.stderr.isatty():
        return loader
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=description, unit="batch", leave=False)


def train_epoch(model, loader, optimizer, loss_function, description):
    """One pass over `loader`; returns the mean training loss."""
    model.train()
    total, batches = 0.0, 0
    for inputs, targets in progress_bar(loader, description):
        optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches


def evaluate(model, loader, loss_function):
    """(mean loss per sample, accuracy in %) over `loader`."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with minitorch.no_grad():
        for inputs, targets in loader:
            logits = model(inputs)
            total_loss += loss_function(logits, targets).item()
            correct += (logits.argmax(dim=1) == targets).sum().item()
            count += len(targets)
    return total_loss / count, 100.0 * correct / count


def plot_curves(history, path, title):
    """Loss (train and test) and test accuracy against the epoch, written to `path`."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = range(1, len(history["train_loss"]) + 1)
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axes.plot(epochs, history["train_loss"], marker="o", label="train")
    loss_axes.plot(epochs, history["test_loss"], marker="o", label="test")
    loss_axes.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    loss_axes.legend()
    accuracy_axes.plot(epochs, history["test_accuracy"], marker="o", color="tab:green")
    accuracy_axes.set(xlabel="epoch", ylabel="test accuracy (%)", title="accuracy")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100, format="png")
    plt.close(figure)


def one_line(message):
    """`message` on one line: its lines joined, each but the last ended by punctuation."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    ended = [line if line.endswith((".", ":", ";", ",")) else line + ";" for line in lines[:-1]]
    return " ".join(ended + lines[-1:])


def main(argv=None):
    parser = make_parser()
    args = parse_args(parser, argv)
    if args.backend is not None:
        minitorch.set_backend(args.backend)
    minitorch.manual_seed(args.seed)
    try:
        title, x_train, y_train, x_test, y_test = load_dataset(args.dataset)
    except DatasetError as error:
        parser.exit(1, f"{parser.prog}: error: {one_line(error)}\n")
    train_set = TensorDataset(*as_tensors(x_train, y_train, args.limit))
    test_set = TensorDataset(*as_tensors(x_test, y_test, args.limit))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=EVAL_BATCH_SIZE)

    model = make_model(args.model)
    lr = DEFAULT_LR[args.optimizer] if args.lr is None else args.lr
    optimizer = make_optimizer(args.optimizer, model.parameters(), lr, args.momentum)
    print(f"{title}: {len(train_set)} training and {len(test_set)} test images; "
          f"{args.model}; backend {minitorch.get_backend().name}; {args.optimizer} lr={lr}; "
          f"batch size {args.batch_size}")

    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    sum_loss = nn.CrossEntropyLoss(reduction="sum")
    mean_loss = nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        train_loss = train_epoch(model, train_loader, optimizer, mean_loss,
                                 f"epoch {epoch}/{args.epochs}")
        seconds = time.perf_counter() - start
        test_loss, accuracy = evaluate(model, test_loader, sum_loss)
        for key, value in zip(history, (train_loss, test_loss, accuracy)):
            history[key].append(value)
        print(f"epoch {epoch:2d}/{args.epochs}  train loss {train_loss:.4f}  test loss "
              f"{test_loss:.4f}  test accuracy {accuracy:.2f}%  {seconds:.2f} s", flush=True)

    if args.save:
        minitorch.save(model.state_dict(), args.save)
        print(f"saved the trained weights to {args.save}")
    if args.plot:
        plot_curves(history, args.plot, f"{title}, {args.optimizer} lr={lr}")
        print(f"plotted the training curves to {args.plot}")
    return history


if __name__ == "__main__":
    main()
