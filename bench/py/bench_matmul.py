"""tensorlite matmul vs numpy (its BLAS) vs torch, measured side by side in one process.

    python bench/py/bench_matmul.py [--quick] [--threads N] [--dtype float32|float64] [--repeats R]

For every shape the three libraries are timed interleaved (tl, numpy, torch, tl, numpy, torch, ...) so
that noise from other work on the machine hits them alike; the table gives median GFLOP/s and the
ratio of tensorlite's time to each reference (lower is better, 1.0 = parity). Shapes: square 64..1024,
and the MLP layers x @ W^T (batch 64: 784 -> 128 and 1024 -> 1024, plus batch 1 and 16) with W stored
(out, in) as nn.Linear keeps it, i.e. a transposed operand.

Three thread pools (ours, torch's OpenMP, numpy's BLAS) take turns here; idle ones spin for a while, so
the bench asks OpenMP for passive waiting (OMP_WAIT_POLICY=PASSIVE unless set). On a loaded machine
multi-threaded figures are still meaningless: use --threads 1 there, and read ratios, not absolutes."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

_DEV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
if any(f.startswith("_C") for f in os.listdir(os.path.join(_DEV, "tensorlite"))):
    sys.path.insert(0, _DEV)  # a dev build (tools/dev_build.sh) wins over an installed package
np = tl = torch = None  # imported in main(), after the thread-count variables are set


def shapes(quick):
    sq = [64, 128, 256] if quick else [64, 128, 256, 512, 768, 1024]
    out = [(n, n, n, False, f"square {n}") for n in sq]
    mlp = [(64, 784, 128), (16, 1024, 1024), (64, 1024, 1024)] if not quick else [(64, 784, 128)]
    if not quick:
        mlp.insert(0, (1, 1024, 1024))
    out += [(m, k, n, True, f"linear {m}x{k}->{n}") for m, k, n in mlp]
    return out


def timeit(fn, min_time):
    """Seconds per call: enough calls to last min_time, best of the batch average."""
    fn()
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t >= min_time:
            return t / n
        n *= 2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small shapes and few repeats (CI smoke run)")
    ap.add_argument("--threads", type=int, default=None, help="threads for all three libraries")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        # BLAS libraries read these once, at load time
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    global np, tl, torch
    import numpy as np
    import tensorlite as tl
    try:
        import torch
    except ImportError:  # numpy-only comparison
        torch = None
    repeats = args.repeats or (3 if args.quick else 7)
    min_time = 0.01 if args.quick else 0.05
    if args.threads:
        tl._C.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    dt = np.dtype(args.dtype)
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print(f"warning: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; timings are noisy")
    rng = np.random.default_rng(0)
    print(f"tensorlite {tl.__version__} isa={tl._C.isa_selected()} threads={tl._C.get_num_threads()} "
          f"numpy {np.__version__}" + (f" torch {torch.__version__} threads={torch.get_num_threads()}"
                                         if torch is not None else "") + f" dtype={args.dtype}")
    hdr = f"{'shape':<26}{'tl GF/s':>9}{'np GF/s':>9}{'torch GF/s':>11}{'tl/np':>8}{'tl/torch':>9}"
    print(hdr)
    print("-" * len(hdr))
    ok = True
    for m, k, n, wt, name in shapes(args.quick):
        a = rng.standard_normal((m, k)).astype(dt)
        b = rng.standard_normal((n, k)).astype(dt).T if wt else rng.standard_normal((k, n)).astype(dt)
        ta, tb = tl.from_numpy(a), tl.from_numpy(b)
        # validate before timing: a fast wrong answer is worth nothing
        ref = a.astype(np.float64) @ b.astype(np.float64)
        err = np.max(np.abs((ta @ tb).numpy() - ref)) / max(1.0, np.max(np.abs(ref)))
        if err > (1e-4 if dt == np.float32 else 1e-12):
            print(f"{name}: WRONG RESULT (max rel err {err:.2e})")
            ok = False
        fns = {"tl": lambda: ta @ tb, "np": lambda: a @ b}
        if torch is not None:
            xa, xb = torch.from_numpy(a), torch.from_numpy(b)
            fns["torch"] = lambda: xa @ xb
        times = {key: [] for key in fns}
        for _ in range(repeats):
            for key, fn in fns.items():
                times[key].append(timeit(fn, min_time))
        med = {key: statistics.median(v) for key, v in times.items()}
        gf = {key: 2.0 * m * n * k / t / 1e9 for key, t in med.items()}
        t_torch = f"{gf['torch']:>11.1f}" if "torch" in gf else f"{'-':>11}"
        r_torch = f"{med['tl'] / med['torch']:>9.2f}" if "torch" in med else f"{'-':>9}"
        print(f"{name:<26}{gf['tl']:>9.1f}{gf['np']:>9.1f}{t_torch}{med['tl'] / med['np']:>8.2f}{r_torch}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
