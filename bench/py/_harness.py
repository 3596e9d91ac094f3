"""Shared timing and command-line helpers for the benchmarks in bench/py.

These machines are noisy (2 shared cores), so libraries are timed in alternating rounds, never one
after the other, and results are medians; quote the ratios, not the absolute times.
"""
from __future__ import annotations

import argparse
import statistics
import time


def paired_median(fns, reps, rounds=5):
    """Median seconds per call of each callable in `fns`, timed in alternating rounds of `reps`
    calls each (after one warm-up call each), so that machine noise hits all of them alike."""
    for f in fns:
        f()
    times = [[] for _ in fns]
    for _ in range(rounds):
        for f, ts in zip(fns, times):
            for _ in range(reps):
                t0 = time.perf_counter()
                f()
                ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def parser(doc):
    """An ArgumentParser with the options every benchmark takes: --quick and --threads."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, few repetitions (CI smoke run)")
    ap.add_argument("--threads", type=int, default=None, help="threads for every library (default: all cores)")
    return ap


def set_threads(n):
    """Gives tensorlite and torch the same thread count (numpy's BLAS follows OMP_NUM_THREADS)."""
    import tensorlite as tl
    import torch
    if n:
        tl.set_num_threads(n)
        torch.set_num_threads(n)
    return tl.get_num_threads(), torch.get_num_threads()
