"""Tiny neural-network building blocks on top of the scalar `Value` engine.

Weights are drawn from Python's `random` module (uniform in [-1, 1]), so call
`random.seed(...)` before building a model to make it reproducible.
"""

import random

from minitorch.scalar.engine import Value


class Module:
    """Something with trainable `Value` parameters."""

    def parameters(self):
        """Return a list of every trainable Value, in a fixed order."""
        return []

    def zero_grad(self):
        """Set the grad of every parameter to 0.0."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One unit: relu(w . x + b), or just w . x + b when `nonlin` is False.

    Weights start uniform in [-1, 1] and the bias at 0.
    """

    def __init__(self, nin, nonlin=True):
        if nin < 1:
            raise ValueError(f"a Neuron needs at least one input, got nin={nin}")
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        """Apply the neuron to a sequence of exactly nin Values or numbers; any other
        length raises ValueError."""
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"Neuron({len(self.w)}, {'relu' if self.nonlin else 'linear'})"


class Layer(Module):
    """`nout` independent Neurons reading the same `nin` inputs.

    Extra keyword arguments (e.g. `nonlin=False`) are passed to each Neuron.
    """

    def __init__(self, nin, nout, **kwargs):
        if nout < 1:
            raise ValueError(f"a Layer needs at least one output, got nout={nout}")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        """Return the list of the nout neuron outputs (a list even when nout == 1)."""
        return [n(x) for n in self.neurons]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        first = self.neurons[0]
        kind = "relu" if first.nonlin else "linear"
        return f"Layer({len(first.w)} -> {len(self.neurons)}, {kind})"


class MLP(Module):
    """A multi-layer perceptron: ReLU hidden layers and a linear last layer.

    `MLP(2, [16, 16, 1])` maps 2 inputs through two hidden layers of 16 units
    to one output.
    """

    def __init__(self, nin, nouts):
        if not nouts:
            raise ValueError("an MLP needs at least one layer size in nouts")
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(nouts))
        ]

    def __call__(self, x):
        """Run the network on nin inputs.

        Returns a single Value when the last layer has one output, otherwise the
        list of outputs.
        """
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP({', '.join(repr(layer) for layer in self.layers)})"
