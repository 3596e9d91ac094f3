"""Training-step pieces: tensorlite vs torch in the same process.

    PYTHONPATH=python python bench/py/bench_train.py [--quick] [--threads N] [--repeats R]

Sections (each its own function):
  mlp_step        one training step of a 784-256-256-10 MLP (Linear/ReLU, batch 128, float32): forward,
                  F.cross_entropy, zero_grad, backward, Adam step, both libraries from the same weights
                  and batch (the first losses are checked equal before timing).
  cross_entropy   the fused softmax cross-entropy (float32 logits N x C, int64 class targets, mean):
                  forward alone, and forward + backward (the gradient of the logits), against
                  torch.nn.functional.cross_entropy. Prints median times, tensorlite's effective
                  bandwidth (logits read once forward; read once + gradient written once backward)
                  and torch/tensorlite speed-ups (> 1: tensorlite faster). Results are checked
                  against torch before timing.
These machines are noisy: compare ratios measured side by side, not absolute times across runs.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import tensorlite as tl
import tensorlite.nn.functional as TF
from _harness import paired_median, parser, set_threads


def bench_cross_entropy(quick, repeats):
    shapes = [(256, 100)] if quick else [(4096, 1000), (1024, 32000)]
    print("cross_entropy (float32, class-index targets, reduction='mean')")
    print(f"{'case':10s} {'shape':>14s} {'tl ms':>9s} {'torch ms':>9s} {'tl GB/s':>8s} {'speed-up':>9s}")
    rng = np.random.default_rng(0)
    for n, c in shapes:
        x = rng.standard_normal((n, c), dtype=np.float32) * 3
        t = rng.integers(0, c, n)
        x_tl, t_tl = tl.from_numpy(x), tl.from_numpy(t)
        x_th, t_th = torch.from_numpy(x), torch.from_numpy(t)
        xg_tl = x_tl.clone().requires_grad_()
        xg_th = x_th.clone().requires_grad_()

        def fwd_tl():
            return TF.cross_entropy(x_tl, t_tl)

        def fwd_th():
            return F.cross_entropy(x_th, t_th)

        def step_tl():
            xg_tl.grad = None
            TF.cross_entropy(xg_tl, t_tl).backward()

        def step_th():
            xg_th.grad = None
            F.cross_entropy(xg_th, t_th).backward()

        np.testing.assert_allclose(fwd_tl().item(), fwd_th().item(), rtol=1e-5)
        step_tl()
        step_th()
        np.testing.assert_allclose(np.asarray(xg_tl.grad), xg_th.grad.numpy(), rtol=1e-4, atol=1e-9)
        nbytes = x.nbytes
        for name, (f_tl, f_th), moved in (("forward", (fwd_tl, fwd_th), nbytes),
                                          ("fwd+bwd", (step_tl, step_th), 3 * nbytes)):
            a, b = paired_median([f_tl, f_th], repeats)
            print(f"{name:10s} {str((n, c)):>14s} {a * 1e3:9.3f} {b * 1e3:9.3f} {moved / a / 1e9:8.1f} "
                  f"{b / a:8.2f}x")


def _mlp(lib, sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [lib.nn.Linear(a, b), lib.nn.ReLU()]
    return lib.nn.Sequential(*layers[:-1])


def _mlp_step_case(lib, sizes, batch, seed_weights):
    """One training step closure: forward, cross-entropy, zero_grad, backward, Adam step. Both libraries
    start from the same weights and batch (copied through numpy)."""
    model = _mlp(lib, sizes)
    model.load_state_dict({k: lib.tensor(v) for k, v in seed_weights.items()})
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, sizes[0]), dtype=np.float32))
    y = lib.tensor(rng.integers(0, sizes[-1], batch))

    def step():
        loss = lib.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step


def bench_mlp_step(quick, repeats):
    """The MLP training step (784-256-256-10, Adam, batch 128) against torch's."""
    sizes, batch = (784, 256, 256, 10), 128
    weights = {k: v.detach().numpy().copy() for k, v in _mlp(torch, sizes).state_dict().items()}
    f_tl, f_th = _mlp_step_case(tl, sizes, batch, weights), _mlp_step_case(torch, sizes, batch, weights)
    # the same weights and data give the same first losses (a check that both sides do the same work)
    l_tl, l_th = f_tl().item(), f_th().item()
    assert abs(l_tl - l_th) <= 1e-4 * abs(l_th), (l_tl, l_th)
    t_tl, t_th = paired_median([f_tl, f_th], repeats)
    print("MLP training step (forward, cross-entropy, zero_grad, backward, Adam step)")
    print(f"{'case':40s} {'tl ms':>9s} {'torch ms':>9s} {'speed-up':>9s}")
    print(f"{'784-256-256-10, batch 128, float32':40s} {t_tl * 1e3:9.3f} {t_th * 1e3:9.3f} {t_th / t_tl:8.2f}x")


def main():
    ap = parser(__doc__)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    set_threads(args.threads)
    repeats = args.repeats or (3 if args.quick else 20)
    print(f"threads: tensorlite {tl.get_num_threads()}, torch {torch.get_num_threads()}; median of {repeats}")
    bench_mlp_step(args.quick, repeats)
    print()
    bench_cross_entropy(args.quick, repeats)


if __name__ == "__main__":
    main()
