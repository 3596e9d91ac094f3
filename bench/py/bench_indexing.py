"""tensorlite vs torch, same process and inputs: indexing, gather/scatter, sort, cat, and the Python
overhead of Tensor.__getitem__ / __setitem__ on a small tensor.

    PYTHONPATH=python python bench/py/bench_indexing.py [--quick] [--threads N] [--only kernels|getitem]

Prints the median time of each op in both libraries and the ratio (tensorlite / torch; < 1 is faster).
The two libraries are timed in alternating rounds, so load on a shared machine hits both alike.
"""
from __future__ import annotations


import numpy as np
import torch

import tensorlite as tl
from _harness import paired_median, parser, set_threads


def cases(n):
    rng = np.random.default_rng(0)
    table = rng.standard_normal((n, 256)).astype(np.float32)
    rows = rng.integers(0, n, size=4 * n).astype(np.int64)
    mat = rng.standard_normal((n, 512)).astype(np.float32)
    gidx = rng.integers(0, 512, size=(n, 512)).astype(np.int64)
    mask = rng.random((n, 512)) > 0.5
    vec = rng.standard_normal(64 * n).astype(np.float32)
    grad_rows = rng.standard_normal((4 * n, 256)).astype(np.float32)
    cols = rng.integers(0, 512, size=256).astype(np.int64)
    gidx0 = rng.integers(0, n, size=(n, 512)).astype(np.int64)
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
        ("cat dim0 x8", lambda L, a: L.cat([a["mat"]] * 8, 0), dict(mat=mat)),
        ("flip dim0", lambda L, a: a["mat"].flip(0), dict(mat=mat)),
        ("index_select dim1", lambda L, a: a["mat"].index_select(1, a["cols"]), dict(mat=mat, cols=cols)),
        ("gather dim0", lambda L, a: a["mat"].gather(0, a["idx0"]), dict(mat=mat, idx0=gidx0)),
        ("scatter_add dim0", lambda L, a: L.zeros(n, 512).scatter_add_(0, a["idx0"], a["mat"]),
         dict(mat=mat, idx0=gidx0)),
    ]


def getitem_cases():
    """Small tensors: the time is the Python/binding overhead of the index expression."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 64)).astype(np.float32)
    arrays = dict(x=x, m=x > 0, idx=np.arange(0, 64, 3), v=np.ones(64, np.float32))
    return arrays, [
        ("x[i]", lambda a: a["x"][3]),
        ("x[:, j]", lambda a: a["x"][:, 5]),
        ("x[a:b]", lambda a: a["x"][2:40]),
        ("x[i, j]", lambda a: a["x"][3, 5]),
        ("x[..., j]", lambda a: a["x"][..., 1]),
        ("x[mask]", lambda a: a["x"][a["m"]]),
        ("x[idx]", lambda a: a["x"][a["idx"]]),
        ("x[:, idx]", lambda a: a["x"][:, a["idx"]]),
        ("x[[1, 2, 3]]", lambda a: a["x"][[1, 2, 3]]),
        ("x[i] = v", lambda a: a["x"].__setitem__(3, a["v"])),
        ("x[:, j] = 1.0", lambda a: a["x"].__setitem__((slice(None), 5), 1.0)),
        ("x[mask] = 0.0", lambda a: a["x"].__setitem__(a["m"], 0.0)),
        ("x[idx] = 2.0", lambda a: a["x"].__setitem__(a["idx"], 2.0)),
    ]


def main():
    ap = parser(__doc__)
    ap.add_argument("--only", choices=["kernels", "getitem"], default=None)
    args = ap.parse_args()
    set_threads(args.threads)
    n = 256 if args.quick else 4096
    reps = 5 if args.quick else 9
    print(f"n={n} threads tl={tl.get_num_threads()} torch={torch.get_num_threads()}")
    print(f"{'op':28s} {'tensorlite':>12s} {'torch':>12s} {'ratio':>7s}")
    if args.only != "getitem":
        for name, fn, arrays in cases(n):
            targs = {k: torch.from_numpy(v) for k, v in arrays.items()}
            largs = {k: tl.from_numpy(v) for k, v in arrays.items()}
            t_l, t_t = paired_median([lambda: fn(tl, largs), lambda: fn(torch, targs)], reps)
            print(f"{name:28s} {t_l * 1e3:10.3f}ms {t_t * 1e3:10.3f}ms {t_l / t_t:7.2f}")
    if args.only != "kernels":
        arrays, gcases = getitem_cases()
        for name, fn in gcases:
            targs = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
            largs = {k: tl.from_numpy(v.copy()) for k, v in arrays.items()}
            t_l, t_t = paired_median([lambda: fn(largs), lambda: fn(targs)], 200 if args.quick else 1000)
            print(f"{name:28s} {t_l * 1e6:10.2f}us {t_t * 1e6:10.2f}us {t_l / t_t:7.2f}")


if __name__ == "__main__":
    main()
