"""Quickstart: fit a small two-layer network to a noisy sine with tensorlite's autograd.

    python -m tensorlite.examples.quickstart [--steps 500] [--lr 0.05] [--seed 0]

Everything here is the PyTorch API: swap `import tensorlite as torch` for `import torch` and it
runs unchanged.
"""
from __future__ import annotations

import argparse
import math
import time

import tensorlite as torch


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    # data: y = sin(x) + noise on [-pi, pi]
    x = torch.linspace(-math.pi, math.pi, 256).unsqueeze(1)
    y = x.sin() + 0.05 * torch.randn(256, 1)

    # parameters, initialised like nn.Linear (uniform in +-1/sqrt(fan_in))
    def uniform(*shape, bound):
        return (torch.rand(*shape) * 2 - 1).mul_(bound).requires_grad_()

    w1 = uniform(1, args.hidden, bound=1.0)
    b1 = uniform(args.hidden, bound=1.0)
    w2 = uniform(args.hidden, 1, bound=1.0 / math.sqrt(args.hidden))
    b2 = uniform(1, bound=1.0 / math.sqrt(args.hidden))
    params = [w1, b1, w2, b2]
    velocity = [torch.zeros_like(p) for p in params]

    print(f"tensorlite {torch.__version__}: fitting sin(x) with a 1-{args.hidden}-1 tanh network, "
          f"{args.steps} steps of SGD with momentum")
    t0 = time.perf_counter()
    first = None
    for step in range(1, args.steps + 1):
        pred = (x @ w1 + b1).tanh() @ w2 + b2
        loss = ((pred - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p, v in zip(params, velocity):
                v.mul_(0.9).add_(p.grad)
                p.sub_(v, alpha=args.lr)
        if first is None:
            first = loss.item()
        if step == 1 or step % max(1, args.steps // 10) == 0:
            print(f"  step {step:5d}  loss {loss.item():.5f}")
    dt = time.perf_counter() - t0
    print(f"loss {first:.4f} -> {loss.item():.4f} in {dt:.2f} s ({args.steps / dt:.0f} steps/s)")
    return loss.item()


if __name__ == "__main__":
    main()
