"""Training-step pieces: tensorlite vs torch in the same process.

    PYTHONPATH=python python bench/py/bench_train.py [--quick] [--threads N] [--repeats R]

Sections (each its own function):
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


def main():
    ap = parser(__doc__)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    set_threads(args.threads)
    repeats = args.repeats or (3 if args.quick else 20)
    print(f"threads: tensorlite {tl.get_num_threads()}, torch {torch.get_num_threads()}; median of {repeats}")
    bench_cross_entropy(args.quick, repeats)


if __name__ == "__main__":
    main()
