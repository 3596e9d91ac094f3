"""Per-call overhead of an elementwise op on a 1-element tensor: tensorlite vs torch, in microseconds.

    PYTHONPATH=python python bench/py/bench_overhead.py [--quick]

Cases: `a + b`, `a.exp()`, `a + 1.0` with autograd off (plain tensors), and `a * b` / `a.exp()` on a
tensor that requires grad (graph recording). Median over repeated batches of calls.
"""
from __future__ import annotations

import statistics
import time

import torch

import tensorlite as tl
from _harness import parser, set_threads


def _per_call_us(fn, n, batches):
    for _ in range(n // 10 + 1):
        fn()
    ts = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        ts.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(ts)


def _cases(lib):
    a, b = lib.ones(1), lib.ones(1)
    g = lib.ones(1, requires_grad=True)
    return [
        ("add (no grad)", lambda: a + b),
        ("exp (no grad)", lambda: a.exp()),
        ("add scalar (no grad)", lambda: a + 1.0),
        ("relu (no grad)", lambda: a.relu()),
        ("mul (requires_grad)", lambda: g * b),
        ("exp (requires_grad)", lambda: g.exp()),
    ]


def main():
    args = parser(__doc__).parse_args()
    set_threads(args.threads)
    n, batches = (2000, 5) if args.quick else (20000, 9)
    print(f"{'case':<24}{'tl us':>9}{'torch us':>10}{'ratio':>8}")
    for (name, f_tl), (_, f_th) in zip(_cases(tl), _cases(torch)):
        t_tl = _per_call_us(f_tl, n, batches)
        t_th = _per_call_us(f_th, n, batches)
        print(f"{name:<24}{t_tl:>9.2f}{t_th:>10.2f}{t_tl / t_th:>8.2f}")


if __name__ == "__main__":
    main()
