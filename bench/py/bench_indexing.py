"""tensorlite vs torch, same process and inputs: indexing, gather/scatter, sort, cat.

    PYTHONPATH=python python bench/py/bench_indexing.py [--quick] [--threads N]

Prints the median time of each op in both libraries and the ratio (tensorlite / torch; < 1 is faster).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import tensorlite as tl


def bench(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def cases(n):
    rng = np.random.default_rng(0)
    table = rng.standard_normal((n, 256)).astype(np.float32)
    rows = rng.integers(0, n, size=4 * n).astype(np.int64)
    mat = rng.standard_normal((n, 512)).astype(np.float32)
    gidx = rng.integers(0, 512, size=(n, 512)).astype(np.int64)
    mask = rng.random((n, 512)) > 0.5
    vec = rng.standard_normal(64 * n).astype(np.float32)
    grad_rows = rng.standard_normal((4 * n, 256)).astype(np.float32)
    return [
        ("index_select rows", lambda L, a: a["table"].index_select(0, a["rows"]),
         dict(table=table, rows=rows)),
        ("x[idx] (embedding)", lambda L, a: a["table"][a["rows"]], dict(table=table, rows=rows)),
        ("index_put_ accumulate", lambda L, a: L.zeros(n, 256).index_put_((a["rows"],), a["g"], accumulate=True),
         dict(rows=rows, g=grad_rows)),
        ("gather dim1", lambda L, a: a["mat"].gather(1, a["idx"]), dict(mat=mat, idx=gidx)),
        ("scatter_add dim1", lambda L, a: L.zeros(n, 512).scatter_add_(1, a["idx"], a["mat"]),
         dict(mat=mat, idx=gidx)),
        ("masked_select", lambda L, a: a["mat"][a["mask"]], dict(mat=mat, mask=mask)),
        ("sort rows", lambda L, a: a["mat"].sort(1), dict(mat=mat)),
        ("sort 1-D", lambda L, a: a["vec"].sort(), dict(vec=vec)),
        ("topk 10 rows", lambda L, a: a["mat"].topk(10, 1), dict(mat=mat)),
        ("cat dim1", lambda L, a: L.cat([a["mat"], a["mat"]], 1), dict(mat=mat)),
        ("flip dim0", lambda L, a: a["mat"].flip(0), dict(mat=mat)),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        tl.set_num_threads(args.threads)
        torch.set_num_threads(args.threads)
    n = 256 if args.quick else 4096
    reps = 3 if args.quick else 15
    print(f"n={n} threads tl={tl.get_num_threads()} torch={torch.get_num_threads()}")
    print(f"{'op':28s} {'tensorlite':>12s} {'torch':>12s} {'ratio':>7s}")
    for name, fn, arrays in cases(n):
        targs = {k: torch.from_numpy(v) for k, v in arrays.items()}
        largs = {k: tl.from_numpy(v) for k, v in arrays.items()}
        t_l = bench(lambda: fn(tl, largs), reps)
        t_t = bench(lambda: fn(torch, targs), reps)
        print(f"{name:28s} {t_l * 1e3:10.3f}ms {t_t * 1e3:10.3f}ms {t_l / t_t:7.2f}")


if __name__ == "__main__":
    main()
