"""Per-sample gradients with minitorch.func: one gradient per example of a batch.

    python examples/per_sample_gradients.py
    python examples/per_sample_gradients.py --batch-size 16 --backend c

loss.backward() gives the gradient of the batch's loss: the per-example gradients are
summed away. Differential privacy (DP-SGD), gradient-noise studies and data debugging
need each example's own gradient. torch.func's recipe, which minitorch.func follows:

* functional_call(model, params, args) runs the model with the tensors of `params` in
  place of its parameters, so the loss becomes a plain function of the parameters;
* grad(f) is the function that returns f's gradient with respect to its first argument;
* vmap(g, in_dims=(None, 0, 0)) runs g on every example (dimension 0 of the data) with
  the same parameters (None: not mapped), and stacks the results. (minitorch's vmap
  is a loop over the examples: torch.vmap's interface and results, not its speed.)

The script prints each example's gradient norm, checks the gradients against a loop of
backward() calls (one example at a time), then uses them the DP-SGD way: clip each
example's gradient to norm at most --max-norm, then average (DP-SGD adds noise too).
"""
import argparse

import minitorch
from minitorch import nn
from minitorch.func import functional_call, grad, vmap


def parse_args(argv=None):
    """The options; bad values end the script with a one-line message (exit status 2)."""
    available = [backend.name for backend in minitorch.list_backends() if backend.available]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=available, default=None,
                        help="minitorch backend (default: the current one, normally numpy)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-norm", type=float, default=3.0,
                        help="clip each example's gradient to this norm (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.batch_size < 1 or not args.max_norm > 0:
        parser.error("--batch-size must be at least 1 and --max-norm above 0")
    return args


def per_sample_gradients(model, inputs, targets):
    """{parameter name: tensor of shape (batch, *parameter shape)}, whose row i is the
    gradient of the cross-entropy loss of example i alone."""
    # The loss of ONE example as a function of the parameters (a dict name -> tensor).
    # The model expects a batch, so the example becomes a batch of one.
    def loss_of_one(params, x, target):
        logits = functional_call(model, params, (x.unsqueeze(0),))
        return nn.functional.cross_entropy(logits, target.unsqueeze(0))

    params = {name: p.detach() for name, p in model.named_parameters()}
    return vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, inputs, targets)


def main(argv=None):
    """Run the demonstration; returns the norms, the max difference and the clipped mean."""
    args = parse_args(argv)
    if args.backend is not None:
        minitorch.set_backend(args.backend)
    minitorch.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 4))
    inputs = minitorch.randn(args.batch_size, 20)
    targets = minitorch.randint(0, 4, (args.batch_size,))
    per_sample = per_sample_gradients(model, inputs, targets)

    # Each example's gradient norm, over all the parameters together.
    flat = minitorch.cat([g.reshape(args.batch_size, -1) for g in per_sample.values()], dim=1)
    norms = minitorch.linalg.vector_norm(flat, dim=1)
    print(f"backend {minitorch.get_backend().name}; {args.batch_size} examples")
    print("per-sample gradient norms:", " ".join(f"{n:.4f}" for n in norms.tolist()))

    # The same gradients the slow way: one forward and backward() per example.
    largest = 0.0
    for i in range(args.batch_size):
        model.zero_grad()
        nn.functional.cross_entropy(model(inputs[i:i + 1]), targets[i:i + 1]).backward()
        for name, p in model.named_parameters():
            largest = max(largest, (p.grad - per_sample[name][i]).abs().max().item())
    print(f"max difference from a loop of backward(): {largest:.3e}")

    # DP-SGD style: scale each example's gradient down to norm <= max_norm, then average.
    # An example with a huge gradient can no longer dominate the update.
    scale = (args.max_norm / (norms + 1e-6)).clamp(max=1.0)     # shape (batch,)
    # reshape the scale to (batch, 1, ..., 1) so that it broadcasts over each gradient
    clipped = {name: (g * scale.reshape(-1, *[1] * (g.dim() - 1))).mean(dim=0)
               for name, g in per_sample.items()}
    clipped_norm = minitorch.linalg.vector_norm(
        minitorch.cat([g.reshape(-1) for g in clipped.values()])).item()
    print(f"clipped to norm {args.max_norm}: {int((norms > args.max_norm).sum().item())} "
          f"examples scaled down; averaged gradient norm {clipped_norm:.4f} "
          f"(at most {args.max_norm})")
    return {"norms": norms, "max_difference": largest, "clipped": clipped}


if __name__ == "__main__":
    main()
