"""GPU throughput: tensorlite's CUDA kernels vs torch's, same GPU, same process, same inputs.

    PYTHONPATH=python python bench/py/bench_cuda.py [--quick] [--reps N] [--rounds N]
    TENSORLITE_EMULATE_CUDA=1 PYTHONPATH=python python bench/py/bench_cuda.py --quick --emulated

Each case is timed with CUDA events around a batch of calls (after warm-up, synchronising before the
times are read), the two libraries in alternating rounds; the medians over rounds are reported. GB/s
is bytes read + written by the op / time. The ceiling is the device-to-device copy bandwidth
(`y.copy_(x)` of a large contiguous float32 tensor, the better of the two libraries): "%cp" is each
op's bandwidth as a share of it. ratio = tensorlite time / torch time (lower is better; 1.0 = parity).
matmul rows report GFLOP/s (2 M N K / time) and "%torch", tensorlite's rate as a share of torch's (cuBLAS),
with TF32 off in both libraries unless the row says "TF32 on".

Without a CUDA device for both torch and tensorlite the script prints "no CUDA device: skipped" and
exits 0. --emulated runs the tensorlite side alone on the emulated device (TENSORLITE_EMULATE_CUDA,
host memory running the CPU kernels) with tiny sizes, checked against torch on the CPU: it exercises
the script's code paths on machines without a GPU; its timings mean nothing.
"""
from __future__ import annotations

import math
import statistics
import sys
from dataclasses import dataclass

import numpy as np
import torch

import tensorlite as tl
from _harness import parser, set_threads
from tensorlite.tensor import _wrap

# The op layer's guards for families that do not dispatch to the device yet (removed as each lands).
_NOT_DISPATCHED = ("not implemented for device", "tensors are not supported yet")
TARGETS = ("targets (issue 3): large elementwise ops and reductions >= 80% of the copy bandwidth; "
           "softmax / log_softmax (forward and backward) at least as fast as torch (ratio <= 1.00)\n"
           "target (fast-GEMM issue): float32 matmul with TF32 off >= 90% of cuBLAS SGEMM (torch, TF32 off) at "
           "4096x4096x4096; the TF32-on rows (both libraries) are informative")


# -- the two libraries behind one face --------------------------------------------------------------------
class Lib:
    """What a case needs from a library: its module, where its tensors live, how to time on it."""

    def __init__(self, name, mod, device, cuda):
        self.name, self.mod, self.device, self.cuda = name, mod, device, cuda  # cuda: None = host timer

    def tensor(self, a):
        return self.mod.tensor(a, device=self.device)

    def numpy(self, t):
        return t.cpu().numpy()

    def softmax_backward(self, g, y, dim, log):
        # the fused backward kernel alone (what autograd calls), without the forward or graph bookkeeping
        if self.mod is tl:
            f = tl._C.log_softmax_backward if log else tl._C.softmax_backward
            return _wrap(f(g._t, y._t, dim))
        f = torch._log_softmax_backward_data if log else torch._softmax_backward_data
        return f(g, y, dim, torch.float32)

    def synchronize(self):
        if self.cuda is not None:
            self.cuda.synchronize()

    def batch_seconds(self, fn, reps):
        """Seconds per call of `fn`, from events recorded around `reps` calls on the current stream."""
        if self.cuda is None:  # torch on the CPU (emulated runs): only validated, never timed
            return math.nan
        start, end = self.cuda.Event(enable_timing=True), self.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3 / reps


def paired_event_median(libs_fns, reps, rounds):
    """Median seconds per call for each (lib, fn), timed in alternating rounds of `reps` calls each."""
    for lib, fn in libs_fns:
        for _ in range(3):
            fn()
        lib.synchronize()
    times = [[] for _ in libs_fns]
    for _ in range(rounds):
        for (lib, fn), ts in zip(libs_fns, times):
            ts.append(lib.batch_seconds(fn, reps))
    return [statistics.median(ts) for ts in times]


# -- cases ---------------------------------------------------------------------------------------------
@dataclass
class Case:
    section: str
    name: str
    shape: str
    arrays: list                 # numpy inputs, uploaded to each library's device
    fn: object                   # fn(lib, *tensors) -> tensor; the timed call
    nbytes: int                  # bytes read + written by one call
    prep: object = None          # prep(lib, *tensors) -> tensors passed to fn (untimed)
    flops: int = 0               # matmul: reported as GFLOP/s
    rtol: float = 1e-5
    atol: float = 1e-6
    exact: bool = False
    target: str = ""             # "copy80", "torch" or "" (informative)
    reps_div: int = 1            # fewer repetitions for slow cases
    tf32: bool = False           # matmul: allow_tf32 in both libraries while the case runs


def _sizes(args):
    if args.emulated:
        return dict(elem=[1 << 12], bcast=(64, 64), transpose=(64, 96), red_all=1 << 12, red2=(64, 96),
                    smax=[(16, 64), (8, 256), (2, 1024)], mm=[64], copy=1 << 12, scan1=1 << 12, scan2=(32, 64),
                    reps=2, rounds=2)
    if args.quick:
        return dict(elem=[1 << 20], bcast=(1024, 1024), transpose=(1024, 1024), red_all=1 << 22,
                    red2=(1024, 1024), smax=[(512, 1024), (128, 4096), (8, 32768)], mm=[1024], copy=1 << 22,
                    scan1=1 << 20, scan2=(1024, 1024), reps=5, rounds=3)
    return dict(elem=[1 << 24, 1 << 26], bcast=(4096, 4096), transpose=(8192, 8192), red_all=1 << 26,
                red2=(8192, 8192), smax=[(8192, 1024), (2048, 4096), (256, 32768)], mm=[1024, 2048, 4096],
                copy=1 << 26,
                scan1=1 << 24, scan2=(8192, 8192), reps=20, rounds=5)


def _pow2(n):
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else str(n)


def _cases(S, rng):
    F = 4  # float32 bytes
    normal = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    uniform = lambda *s: rng.random(s, dtype=np.float32)  # noqa: E731  positive: sums and scans compare well
    zeros = lambda *s: np.zeros(s, np.float32)  # noqa: E731
    big = max(S["elem"])

    for n in S["elem"]:
        tgt = "copy80" if n == big else ""
        yield Case("elementwise", "add", _pow2(n), [normal(n), normal(n)], lambda L, a, b: a + b, 3 * F * n,
                   target=tgt)
        yield Case("elementwise", "mul", _pow2(n), [normal(n), normal(n)], lambda L, a, b: a * b, 3 * F * n,
                   target=tgt)
        yield Case("elementwise", "exp", _pow2(n), [normal(n)], lambda L, a: a.exp(), 2 * F * n, rtol=2e-6,
                   target=tgt)
        yield Case("elementwise", "sigmoid", _pow2(n), [normal(n)], lambda L, a: a.sigmoid(), 2 * F * n, rtol=2e-6,
                   target=tgt)
        yield Case("elementwise", "relu", _pow2(n), [normal(n)], lambda L, a: a.relu(), 2 * F * n, target=tgt)
    r, c = S["bcast"]
    yield Case("elementwise", "add bcast (R,C)+(C,)", f"{r}x{c}", [normal(r, c), normal(c)], lambda L, a, b: a + b,
               F * (2 * r * c + c), target="copy80")
    r, c = S["transpose"]
    yield Case("elementwise", "copy_ transposed", f"{c}x{r}.t()", [normal(c, r), zeros(r, c)],
               lambda L, x, out: out.copy_(x.t()), 2 * F * r * c)

    n = S["red_all"]
    yield Case("reduction", "sum all", _pow2(n), [uniform(n)], lambda L, x: x.sum(), F * n, rtol=1e-4,
               target="copy80")
    r, c = S["red2"]
    yield Case("reduction", "sum dim=-1", f"{r}x{c}", [uniform(r, c)], lambda L, x: x.sum(-1), F * (r * c + r),
               rtol=1e-4, target="copy80")
    yield Case("reduction", "sum dim=0", f"{r}x{c}", [uniform(r, c)], lambda L, x: x.sum(0), F * (r * c + c),
               rtol=1e-4, target="copy80")
    yield Case("reduction", "argmax dim=-1", f"{r}x{c}", [normal(r, c)], lambda L, x: x.argmax(-1),
               F * r * c + 8 * r, exact=True, target="copy80")
    yield Case("reduction", "var dim=-1", f"{r}x{c}", [normal(r, c)], lambda L, x: x.var(-1), F * (r * c + r),
               rtol=1e-4, atol=1e-5, target="copy80")

    for rows, cols in S["smax"]:
        shp, nb = f"{rows}x{cols}", F * rows * cols
        for log in (False, True):
            nm = "log_softmax" if log else "softmax"
            yield Case("softmax", nm, shp, [normal(rows, cols)],
                       (lambda L, x: x.log_softmax(-1)) if log else (lambda L, x: x.softmax(-1)), 2 * nb,
                       rtol=1e-5, atol=1e-6, target="torch")
            # backward alone: grad_in from (grad_out, output), reads two tensors and writes one
            yield Case("softmax", nm + " backward", shp, [normal(rows, cols), normal(rows, cols)],
                       lambda L, g, y, log=log: L.softmax_backward(g, y, 1, log), 3 * nb,
                       prep=lambda L, g, x, log=log: (g, x.log_softmax(-1) if log else x.softmax(-1)),
                       rtol=1e-4, atol=1e-5, target="torch")

    for n in S["mm"]:
        big_mm = n == max(S["mm"])
        yield Case("matmul", "matmul (TF32 off)", f"{n}x{n}x{n}", [normal(n, n), normal(n, n)],
                   lambda L, a, b: a @ b, 3 * F * n * n, flops=2 * n ** 3, rtol=1e-3, atol=1e-3 * math.sqrt(n),
                   target="cublas90" if n == 4096 else "", reps_div=4)
        if big_mm:  # both libraries on TF32 tensor cores (validated loosely: each rounds its inputs)
            yield Case("matmul", "matmul (TF32 on)", f"{n}x{n}x{n}", [normal(n, n), normal(n, n)],
                       lambda L, a, b: a @ b, 3 * F * n * n, flops=2 * n ** 3, rtol=1e-2,
                       atol=1e-2 * math.sqrt(n), reps_div=4, tf32=True)

    n = S["scan1"]
    yield Case("scan", "cumsum", _pow2(n), [uniform(n)], lambda L, x: x.cumsum(0), 2 * F * n, rtol=1e-3)
    r, c = S["scan2"]
    yield Case("scan", "cumsum dim=-1", f"{r}x{c}", [uniform(r, c)], lambda L, x: x.cumsum(-1), 2 * F * r * c,
               rtol=1e-3)


# -- running ---------------------------------------------------------------------------------------------
def _fmt(x, w, spec):
    return f"{'-':>{w}}" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:>{w}{spec}}"


def _host_reference(case, lib, ts, want32):
    """The emulated run's reference: torch on the CPU in float64, rounded to float32. torch's float32 CPU
    kernels are not a safe reference inside this process: once in a few runs, with tensorlite loaded beside
    it, torch's exp returned half an array with 1.5e-4 relative error (tensorlite matched float64 there).
    Cases whose torch call does not take float64 keep the float32 answer."""
    try:
        out = case.fn(lib, *[t.double() if t.is_floating_point() else t for t in ts])
    except (RuntimeError, TypeError):
        return want32
    return out.cpu().numpy().astype(want32.dtype)


def _set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    tl.backends.cuda.matmul.allow_tf32 = on


def _run_case(case, libs, reps, rounds):
    _set_tf32(case.tf32)
    try:
        return _run_case_body(case, libs, reps, rounds)
    finally:
        _set_tf32(False)


def _run_case_body(case, libs, reps, rounds):
    inputs = []
    for L in libs:
        ts = [L.tensor(a) for a in case.arrays]
        if case.prep is not None:
            ts = list(case.prep(L, *ts))
        inputs.append(ts)
    with torch.no_grad():
        # validate before timing: tensorlite against torch (on the GPU, or on the CPU in emulated runs)
        got, want = (L.numpy(case.fn(L, *ts)) for L, ts in zip(libs, inputs))
        if libs[1].device == "cpu" and got.dtype == np.float32:
            want = _host_reference(case, libs[1], inputs[1], want)
        msg = f"{case.name} {case.shape}: tensorlite disagrees with torch"
        if case.exact:
            np.testing.assert_array_equal(got, want, err_msg=msg)
        else:
            np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol, err_msg=msg)
        fns = [(L, (lambda L=L, ts=ts: case.fn(L, *ts))) for L, ts in zip(libs, inputs)]
        return paired_event_median(fns, max(1, reps // case.reps_div), rounds)


def _skip(reason):
    print(f"no CUDA device: skipped ({reason})")
    sys.exit(0)


def main():
    ap = parser(__doc__)
    ap.add_argument("--reps", type=int, default=None, help="calls per timed batch")
    ap.add_argument("--rounds", type=int, default=None, help="alternating rounds (the median is over these)")
    ap.add_argument("--emulated", action="store_true",
                    help="tensorlite alone on the emulated device, tiny sizes (needs TENSORLITE_EMULATE_CUDA=1)")
    args = ap.parse_args()
    set_threads(args.threads)

    if args.emulated:
        if not (tl.cuda.is_available() and tl.cuda.is_emulated()):
            ap.error("--emulated needs the emulated device: set TENSORLITE_EMULATE_CUDA=1")
        libs = [Lib("tensorlite", tl, "cuda", tl.cuda), Lib("torch", torch, "cpu", None)]
    else:
        if not torch.cuda.is_available():
            _skip(f"torch {torch.__version__} sees no GPU")
        if not tl.cuda.is_available():
            _skip("tensorlite sees no GPU" + ("" if tl._C.cuda_built else " (built without CUDA)"))
        if tl.cuda.is_emulated():
            _skip("tensorlite's 'cuda' is the emulated device (TENSORLITE_EMULATE_CUDA); use --emulated")
        libs = [Lib("tensorlite", tl, "cuda", tl.cuda), Lib("torch", torch, "cuda", torch.cuda)]
    _set_tf32(False)

    S = _sizes(args)
    reps, rounds = args.reps or S["reps"], args.rounds or S["rounds"]
    quick = args.quick or args.emulated
    if args.emulated:
        print("EMULATED device (host memory, CPU kernels): a smoke run of this script; the timings mean nothing, "
              "torch runs on the CPU for validation only")
    else:
        print(f"GPU: tensorlite {tl.cuda.get_device_name()} | torch {torch.cuda.get_device_name()} "
              f"(torch {torch.__version__}, CUDA {torch.version.cuda})")
    print(f"float32; CUDA events around batches of {reps} calls, median of {rounds} alternating rounds")
    print(TARGETS + (" -- not judged in --quick runs (sizes too small)" if quick else ""))

    # the ceiling: device-to-device copy of a large contiguous tensor, in both libraries
    n = S["copy"]
    rng = np.random.default_rng(0)
    copy = Case("copy", "copy_ contiguous", _pow2(n), [rng.standard_normal(n).astype(np.float32),
                                                       np.zeros(n, np.float32)],
                lambda L, x, out: out.copy_(x), 2 * 4 * n, rtol=0, atol=0)
    t_tl, t_th = _run_case(copy, libs, reps, rounds)
    bw = [copy.nbytes / t / 1e9 for t in (t_tl, t_th)]
    ceiling = max(b for b in bw if not math.isnan(b))
    print(f"copy bandwidth (y.copy_(x), {copy.shape} float32): tensorlite {_fmt(bw[0], 0, '.1f')} GB/s, "
          f"torch {_fmt(bw[1], 0, '.1f')} GB/s; ceiling {ceiling:.1f} GB/s")

    head = (f"{'case':<26}{'shape':>15}{'tl ms':>10}{'torch ms':>10}{'tl GB/s':>10}{'th GB/s':>10}"
            f"{'tl %cp':>8}{'th %cp':>8}{'ratio':>7}  target")
    section, misses, judged, failed, skipped = None, [], 0, [], []
    for case in _cases(S, rng):
        if case.section != section:
            section = case.section
            print(f"\n[{section}]")
            print(head.replace("GB/s", "GF/s").replace("tl %cp", "%torch") if section == "matmul" else head)
        try:
            t_tl, t_th = _run_case(case, libs, reps, rounds)
        except Exception as e:  # report it and go on: one broken kernel must not hide the other figures
            msg = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            if args.emulated and any(m in str(e) for m in _NOT_DISPATCHED):
                skipped.append(f"{case.name} {case.shape}")
                print(f"{case.name:<26}{case.shape:>15}  skipped: {msg}")
            else:
                failed.append(f"{case.name} {case.shape}")
                print(f"{case.name:<26}{case.shape:>15}  FAILED: {msg}")
            continue
        ratio = t_tl / t_th if not math.isnan(t_th) else math.nan
        if case.flops:
            rate = [case.flops / t / 1e9 for t in (t_tl, t_th)]  # GFLOP/s
            pct = [100 * rate[0] / rate[1], None]  # tensorlite as a share of torch's (cuBLAS) rate
        else:
            rate = [case.nbytes / t / 1e9 for t in (t_tl, t_th)]
            pct = [100 * r / ceiling for r in rate]
        verdict = ""
        if case.target and not quick:
            judged += 1
            if case.target == "copy80":
                ok, why = pct[0] >= 80, "MISS (<80% copy)"
            elif case.target == "cublas90":
                ok, why = rate[0] >= 0.9 * rate[1], "MISS (<90% cuBLAS)"
            else:
                ok, why = ratio <= 1.0, "MISS (slower than torch)"
            verdict = "ok" if ok else why
            if not ok:
                misses.append(f"{case.name} {case.shape}")
        elif case.target:
            verdict = "(quick)"
        print(f"{case.name:<26}{case.shape:>15}{_fmt(t_tl * 1e3, 10, '.3f')}{_fmt(t_th * 1e3, 10, '.3f')}"
              f"{_fmt(rate[0], 10, '.1f')}{_fmt(rate[1], 10, '.1f')}{_fmt(pct[0], 8, '.0f')}{_fmt(pct[1], 8, '.0f')}"
              f"{_fmt(ratio, 7, '.2f')}  {verdict}".rstrip())
    print()
    if quick:
        print("targets not judged (--quick/--emulated sizes); run without --quick on a GPU")
    else:
        print(f"targets met: {judged - len(misses)}/{judged}" + (f"; missed: {', '.join(misses)}" if misses else ""))
    if skipped:
        print(f"skipped, op not dispatched on the device yet: {', '.join(skipped)}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
