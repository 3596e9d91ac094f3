"""GEMM throughput: tensorlite vs numpy (its BLAS, OpenBLAS here) vs torch (MKL / oneDNN), side by side.

    python bench/py/bench_gemm.py [--quick] [--threads 1,2] [--peak GFLOPS] [--rounds R] [--filter REGEX]

Cases: square float32 64..4096 (4096 only without --quick); the MLP layers as nn.Linear computes them,
x (M, K) @ W^T with W stored (N, K): 64x784->128, 64x1024->1024, 256x4096->1000, 1x4096->4096; A^T @ B and
A @ B^T at 1024 (transposed views, not copies); float64 at 256 and 1024. Every case is validated first
(tensorlite against a float64 numpy reference and against torch): a fast wrong answer is worth nothing.

The table gives median GFLOP/s of each library and the throughput ratios tl/np and tl/torch: > 1 means
tensorlite is faster, 1.0 is parity. The three libraries are timed in alternating rounds (tl, np, torch,
tl, ...) so that noise from other work on the machine hits them alike; quote the ratios, not absolutes.

Threads: each thread count of --threads runs in its own child process whose environment sets
OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS before numpy and torch are imported (OpenBLAS
reads its thread count once, at load, and threadpoolctl is not a dependency); the child also calls
tensorlite.set_num_threads and torch.set_num_threads. Where threadpoolctl is installed the child
confirms numpy's BLAS thread count with it. The three pools take turns here, and idle OpenMP threads spin
for a while, so the children default to OMP_WAIT_POLICY=PASSIVE and OPENBLAS_THREAD_TIMEOUT=4 (OpenBLAS's
workers otherwise busy-wait after each call, long enough to halve the next library's 2-thread figure).

--peak GFLOPS is the float32 peak of ONE core (FMA peak; about 173 on the AVX-512 machine of
bench/RESULTS.md); the % of peak columns scale it by the thread count, and halve it for float64."""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_DEV = os.path.join(HERE, "..", "..", "python")
if any(f.startswith("_C") for f in os.listdir(os.path.join(_DEV, "tensorlite"))):
    sys.path.insert(0, _DEV)  # a dev build (tools/dev_build.sh) wins over an installed package
sys.path.insert(0, HERE)
_CHILD = "TL_BENCH_GEMM_CHILD"  # set in the children: run the cases instead of spawning


def cases(quick):
    """(label, M, K, N, op, dtype); op: nn (A @ B), tn (A^T @ B), nt (A @ B^T), linear (x @ W^T)."""
    sq = [64, 128, 256] if quick else [64, 128, 256, 512, 1024, 2048, 4096]
    out = [(f"square {n}", n, n, n, "nn", "float32") for n in sq]
    mlp = [(64, 784, 128)] if quick else [(64, 784, 128), (64, 1024, 1024), (256, 4096, 1000), (1, 4096, 4096)]
    out += [(f"linear {m}x{k}->{n}", m, k, n, "linear", "float32") for m, k, n in mlp]
    t = 256 if quick else 1024
    out += [(f"A^T @ B {t}", t, t, t, "tn", "float32"), (f"A @ B^T {t}", t, t, t, "nt", "float32")]
    out += [(f"f64 square {n}", n, n, n, "nn", "float64") for n in ([128] if quick else [256, 1024])]
    return out


def operands(np, rng, M, K, N, op, dtype):
    """numpy operands with the case's layout: transposed ones are views of a contiguous array."""
    a = rng.standard_normal((K, M) if op == "tn" else (M, K)).astype(dtype)
    b = rng.standard_normal((N, K) if op in ("nt", "linear") else (K, N)).astype(dtype)
    return a, b  # linear: b is W (N, K); the product is a @ b.T


def run_child(args):
    import numpy as np
    import tensorlite as tl
    import torch
    from tensorlite.ops.linalg import linear
    from _harness import paired_median

    n = args.threads[0]
    tl.set_num_threads(n)
    torch.set_num_threads(n)
    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "?") + " (OPENBLAS_NUM_THREADS)"
    try:
        from threadpoolctl import threadpool_info
        blas_threads = ",".join(str(i["num_threads"]) for i in threadpool_info() if i.get("user_api") == "blas") \
            + " (threadpoolctl)"
    except ImportError:
        pass
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print(f"warning: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; timings are noisy")
    print(f"threads={n}: tensorlite {tl.__version__} isa={tl._C.isa_selected()} threads={tl.get_num_threads()} | "
          f"numpy {np.__version__} BLAS threads={blas_threads} | torch {torch.__version__} "
          f"threads={torch.get_num_threads()}")
    if hasattr(tl._C, "gemm_config"):
        cfg = tl._C.gemm_config
        print("gemm_config:", cfg() if callable(cfg) else cfg)
    peak = args.peak
    hdr = f"{'case':<24}{'tl GF/s':>9}{'np GF/s':>9}{'torch GF/s':>11}{'tl/np':>8}{'tl/torch':>9}"
    if peak:
        hdr += f"{'tl %pk':>8}{'np %pk':>8}{'th %pk':>8}"
    print(hdr)
    print("-" * len(hdr))
    rng = np.random.default_rng(0)
    ok = True
    target = 0.005 if args.quick else 0.05  # seconds of calls per library per round
    for label, M, K, N, op, dtype in cases(args.quick):
        if args.filter and not re.search(args.filter, label):
            continue
        a, b = operands(np, rng, M, K, N, op, dtype)
        ta, tb = tl.from_numpy(a), tl.from_numpy(b)
        xa, xb = torch.from_numpy(a), torch.from_numpy(b)
        if op == "linear":
            fns = [lambda: linear(ta, tb), lambda: a @ b.T, lambda: torch.nn.functional.linear(xa, xb)]
            a64, b64 = a.astype(np.float64), b.astype(np.float64).T
        else:
            if op == "tn":
                ta, xa, a = ta.t(), xa.t(), a.T
            if op == "nt":
                tb, xb, b = tb.t(), xb.t(), b.T
            fns = [lambda: ta @ tb, lambda: a @ b, lambda: xa @ xb]
            a64, b64 = a.astype(np.float64), b.astype(np.float64)
        # validate before timing: against float64 (error relative to sum |a||b|) and against torch
        got = fns[0]().numpy()
        ref = a64 @ b64
        scale = np.abs(a64) @ np.abs(b64) + 1e-300
        tol = 8 * np.finfo(dtype).eps * np.sqrt(K)
        err = float(np.max(np.abs(got - ref) / scale))
        err_t = float(np.max(np.abs(got - fns[2]().numpy()) / scale))
        if got.dtype != np.dtype(dtype) or not err <= tol or not err_t <= 2 * tol:
            print(f"{label}: WRONG RESULT (rel err {err:.2e} vs float64, {err_t:.2e} vs torch; tol {tol:.1e})")
            ok = False
            continue
        t0 = time.perf_counter()
        for f in fns:
            f()
        reps = max(1, int(target / max((time.perf_counter() - t0) / 3, 1e-9)))
        med = paired_median(fns, reps, rounds=3 if args.quick else args.rounds)
        gf = [2.0 * M * N * K / t / 1e9 for t in med]
        row = f"{label:<24}{gf[0]:>9.1f}{gf[1]:>9.1f}{gf[2]:>11.1f}{gf[0] / gf[1]:>8.2f}{gf[0] / gf[2]:>9.2f}"
        if peak:
            p = peak * n * (0.5 if dtype == "float64" else 1.0)
            row += "".join(f"{100 * g / p:>8.1f}" for g in gf)
        print(row, flush=True)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, few repetitions (CI smoke run)")
    ap.add_argument("--threads", default=None,
                    help="comma-separated thread counts, one child process each (default: all cores)")
    ap.add_argument("--peak", type=float, default=None, help="float32 peak GFLOP/s of one core: adds %% of peak")
    ap.add_argument("--rounds", type=int, default=7, help="alternating timing rounds per case (median)")
    ap.add_argument("--filter", default="", help="only the cases whose label matches this regular expression")
    args = ap.parse_args()
    try:
        args.threads = [int(t) for t in (args.threads or str(os.cpu_count() or 1)).split(",")]
        assert all(t > 0 for t in args.threads)
    except (ValueError, AssertionError):
        ap.error(f"--threads takes positive integers separated by commas, got {args.threads!r}")
    if os.environ.get(_CHILD):
        return run_child(args)
    print("GFLOP/s are medians; tl/np and tl/torch are THROUGHPUT ratios: > 1 means tensorlite is faster.",
          flush=True)
    rc = 0
    for n in args.threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(n), OPENBLAS_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))
        env[_CHILD] = "1"
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        env.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
        cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(n), "--rounds", str(args.rounds), "--filter", args.filter]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--peak", str(args.peak)] if args.peak else []
        print(flush=True)
        rc |= subprocess.run(cmd, env=env).returncode
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
