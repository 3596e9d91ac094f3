"""Fused optimizer step vs torch: one optimizer.step() over the parameters of a 784-256-256-10 MLP.

    PYTHONPATH=python python bench/py/bench_optim.py [--quick] [--threads N] [--repeats R]

tensorlite updates a whole param group in one C++ call (one fused kernel per parameter); torch on the
CPU runs its default single-tensor path (a for-loop of several ops per parameter; foreach is only
picked for CUDA params). Each case first checks that one step from identical params, grads and state
agrees with torch, then times step() alone (the grads stay fixed). Prints medians and the ratio
tensorlite/torch (< 1: tensorlite faster). These machines are noisy: quote the ratios.
"""
from __future__ import annotations

import numpy as np
import torch

import tensorlite as tl
from _harness import paired_median, parser, set_threads

LAYERS = [784, 256, 256, 10]

CASES = [
    ("SGD momentum=0.9", "SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD nesterov+wd", "SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    ("Adam", "Adam", dict(lr=1e-3)),
    ("AdamW amsgrad", "AdamW", dict(lr=1e-3, amsgrad=True)),
    ("RMSprop centered", "RMSprop", dict(lr=1e-3, centered=True, momentum=0.9)),
    ("Adagrad", "Adagrad", dict(lr=1e-2)),
]


def mlp_arrays(rng):
    arrays = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:]):
        arrays.append((rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)).astype(np.float32))
        arrays.append((rng.standard_normal(fan_out) * 0.01).astype(np.float32))
    return arrays


def make(lib, arrays, grads):
    ps = [lib.tensor(a, requires_grad=True) for a in arrays]
    for p, g in zip(ps, grads):
        p.grad = lib.tensor(g)
    return ps


def main():
    ap = parser(__doc__)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    set_threads(args.threads)
    repeats = args.repeats or (5 if args.quick else 200)
    cases = CASES[:3:2] if args.quick else CASES
    rng = np.random.default_rng(0)
    arrays = mlp_arrays(rng)
    grads = [rng.standard_normal(a.shape).astype(np.float32) * 0.1 for a in arrays]
    n = sum(a.size for a in arrays)
    print(f"threads: tensorlite {tl.get_num_threads()}, torch {torch.get_num_threads()}; MLP {LAYERS}: "
          f"{len(arrays)} params, {n} floats; median of {repeats} steps x 5 rounds")
    print(f"{'case':20s} {'tl us':>9s} {'torch us':>9s} {'ratio':>6s}")
    for label, name, kwargs in cases:
        ps_tl, ps_torch = make(tl, arrays, grads), make(torch, arrays, grads)
        opt_tl = getattr(tl.optim, name)(ps_tl, **kwargs)
        opt_torch = getattr(torch.optim, name)(ps_torch, **kwargs)
        for _ in range(2):  # the second step exercises the steady-state path (momentum buffers exist)
            opt_tl.step()
            opt_torch.step()
        for p, q in zip(ps_tl, ps_torch):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
        t_tl, t_torch = paired_median([opt_tl.step, opt_torch.step], repeats)
        print(f"{label:20s} {t_tl * 1e6:9.1f} {t_torch * 1e6:9.1f} {t_tl / t_torch:6.2f}")


if __name__ == "__main__":
    main()
