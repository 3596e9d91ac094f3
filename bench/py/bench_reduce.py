"""Reductions and softmax: tensorlite vs torch in the same process.

    PYTHONPATH=python python bench/py/bench_reduce.py [--quick] [--threads N] [--repeats R]

For each case (sum over all / last / first dim, softmax and log_softmax over rows) and size (1M-16M
float32 elements), prints the median time of R runs for both libraries, tensorlite's effective
bandwidth (bytes read + written / time) and the ratio tensorlite/torch (< 1: tensorlite faster). Each
result is checked against torch before timing. These machines are noisy: compare ratios measured
side by side, not absolute times across runs.
"""
from __future__ import annotations


import numpy as np
import torch

import tensorlite as tl
from _harness import paired_median, parser, set_threads


CASES = [
    # name, tensorlite fn, torch fn, bytes moved per element (read + write), rtol
    ("sum all", lambda x: x.sum(), lambda x: x.sum(), 4, 1e-5),
    ("sum last dim", lambda x: x.sum(-1), lambda x: x.sum(-1), 4, 1e-5),
    ("sum first dim", lambda x: x.sum(0), lambda x: x.sum(0), 4, 1e-5),
    ("softmax rows", lambda x: x.softmax(-1), lambda x: x.softmax(-1), 8, 1e-5),
    ("log_softmax rows", lambda x: x.log_softmax(-1), lambda x: x.log_softmax(-1), 8, 1e-5),
]


def main():
    ap = parser(__doc__)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    set_threads(args.threads)
    sizes = [1 << 20] if args.quick else [1 << 20, 1 << 22, 1 << 24]
    repeats = args.repeats or (3 if args.quick else 15)
    print(f"threads: tensorlite {tl.get_num_threads()}, torch {torch.get_num_threads()}; median of {repeats}")
    print(f"{'case':18s} {'elements':>10s} {'shape':>14s} {'tl ms':>9s} {'torch ms':>9s} {'tl GB/s':>8s} "
          f"{'ratio':>6s}")
    rng = np.random.default_rng(0)
    for n in sizes:
        cols = 1024
        a = rng.standard_normal((n // cols, cols), dtype=np.float32)
        xt, tt = tl.from_numpy(a), torch.from_numpy(a)
        for name, f_tl, f_torch, bpe, rtol in CASES:
            np.testing.assert_allclose(np.asarray(f_tl(xt)), f_torch(tt).numpy(), rtol=rtol, atol=1e-3)
            t_tl, t_torch = paired_median([lambda: f_tl(xt), lambda: f_torch(tt)], repeats)
            gbs = n * bpe / t_tl / 1e9
            print(f"{name:18s} {n:10d} {str(a.shape):>14s} {t_tl * 1e3:9.3f} {t_torch * 1e3:9.3f} {gbs:8.1f} "
                  f"{t_tl / t_torch:6.2f}")


if __name__ == "__main__":
    main()
