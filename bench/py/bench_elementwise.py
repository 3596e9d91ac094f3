"""Elementwise throughput: tensorlite vs torch, same process, same inputs, same thread count.

    PYTHONPATH=python python bench/py/bench_elementwise.py [--quick] [--threads N]

Prints, per op and size, the median time of each library, the effective bandwidth (bytes read +
written / time) and the ratio tensorlite / torch (lower is better; 1.0 = parity).
"""
from __future__ import annotations


import numpy as np
import torch

import tensorlite as tl
from _harness import paired_median, parser, set_threads


def _cases(sizes):
    for n in sizes:
        yield ("add", (n,), (n,), lambda lib, a, b: a + b, 3)
        yield ("mul", (n,), (n,), lambda lib, a, b: a * b, 3)
        yield ("exp", (n,), None, lambda lib, a, b: a.exp(), 2)
        yield ("sigmoid", (n,), None, lambda lib, a, b: a.sigmoid(), 2)
        yield ("relu", (n,), None, lambda lib, a, b: a.relu(), 2)
    # broadcast: a row vector added to every row of a matrix
    n = sizes[-1]
    cols = 1024
    yield ("add bcast (R,C)+(C,)", (n // cols, cols), (cols,), lambda lib, a, b: a + b, 2)


def main():
    ap = parser(__doc__)
    ap.add_argument("--reps", type=int, default=None)
    args = ap.parse_args()
    set_threads(args.threads)
    sizes = [1 << 18] if args.quick else [1 << 20, 1 << 22, 1 << 24]
    reps = args.reps or (5 if args.quick else 15)
    print(f"threads: tensorlite {tl.get_num_threads()}, torch {torch.get_num_threads()}; float32; median of {reps}")
    print(f"{'op':<24}{'elements':>10}{'tl ms':>10}{'torch ms':>10}{'tl GB/s':>10}{'torch GB/s':>11}{'ratio':>8}")
    rng = np.random.default_rng(0)
    for name, sa, sb, f, nbuf in _cases(sizes):
        a_np = rng.standard_normal(sa).astype(np.float32)
        b_np = rng.standard_normal(sb).astype(np.float32) if sb else None
        ta, tb = tl.tensor(a_np), (tl.tensor(b_np) if sb else None)
        pa, pb = torch.tensor(a_np), (torch.tensor(b_np) if sb else None)
        got, want = f(tl, ta, tb).numpy(), f(torch, pa, pb).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)  # validate before timing
        with torch.no_grad():
            t_tl, t_th = paired_median([lambda: f(tl, ta, tb), lambda: f(torch, pa, pb)], reps)
        n = a_np.size
        nbytes = 4 * n * nbuf if sb is None or sb == sa else 4 * (2 * n + b_np.size)
        print(f"{name:<24}{n:>10}{t_tl * 1e3:>10.3f}{t_th * 1e3:>10.3f}{nbytes / t_tl / 1e9:>10.2f}"
              f"{nbytes / t_th / 1e9:>11.2f}{t_tl / t_th:>8.2f}")


if __name__ == "__main__":
    main()
