"""Every benchmark runs in --quick mode (the Python ones validate against torch, the C++ ones against a
long-double reference, before timing), so a benchmark cannot rot unnoticed. Timings are not checked
here: targets live in bench/RESULTS.md."""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "py"
SCRIPTS = sorted(p.name for p in BENCH.glob("bench_*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_quick(script):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, str(BENCH / script), "--quick", "--threads", "1"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert r.stdout.strip(), "the benchmark printed nothing"


def test_bench_cuda_emulated():
    """bench_cuda.py's code paths (case setup, validation, event timing, report) on the emulated device:
    without a GPU the plain --quick run above only reaches its skip line."""
    env = dict(os.environ, TENSORLITE_EMULATE_CUDA="1")
    r = subprocess.run([sys.executable, str(BENCH / "bench_cuda.py"), "--quick", "--emulated"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    for want in ("EMULATED", "copy bandwidth", "[softmax]", "[matmul]", "cumsum dim=-1", "targets not judged"):
        assert want in r.stdout, (want, r.stdout[-2000:])


def _cmake(args, timeout):
    r = subprocess.run(["cmake", *args], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout


def _run_bench_gemm(binary):
    r = subprocess.run([str(binary), "--quick", "--threads", "1,2"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = r.stdout
    assert "peak f32" in out and "peak f64" in out, out[-3000:]
    assert out.count("  ok  ") >= 10, out[-3000:]  # every quick case passed its validation
    rows = [ln for ln in out.splitlines() if "/threads:" in ln and ln.split()[-1][:1].isdigit()]
    assert len(rows) >= 20, out[-3000:]  # 10 cases x 2 thread counts, each with GFLOP/s and peak%
    assert "GFLOP/s" in out and "summary" in out, out[-3000:]
    return out


@pytest.mark.skipif(shutil.which("cmake") is None or not (os.environ.get("CXX") or shutil.which("c++")),
                    reason="needs cmake and a C++ compiler")
def test_bench_gemm_cpp(tmp_path):
    """bench/cpp/bench_gemm from a clean CPU-only configure (Release, 2 jobs, as bench/cpp/run.sh does),
    run with --quick: it validates every case at 1 and 2 threads, exits non-zero on a mismatch, then
    times. Built with Google Benchmark when installed, then again with the built-in harness (only the
    benchmark file recompiles), so both timing paths keep working."""
    bdir = tmp_path / "bench"
    gen = ["-G", "Ninja"] if shutil.which("ninja") else []
    common = ["-S", str(ROOT), "-B", str(bdir), "-DCMAKE_BUILD_TYPE=Release", "-DTENSORLITE_CUDA=OFF",
              "-DTENSORLITE_PYTHON=OFF", "-DTENSORLITE_BUILD_BENCH=ON"]
    binary = bdir / "bench" / "cpp" / "bench_gemm"
    log = _cmake([*common, *gen], 300)
    _cmake(["--build", str(bdir), "-j", "2", "--target", "bench_gemm"], 1200)
    out = _run_bench_gemm(binary)
    if "harness:   Google Benchmark" not in out:
        return  # not installed: the run above already used the built-in harness
    assert "Google Benchmark" in log
    _cmake([*common, "-DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON"], 300)
    _cmake(["--build", str(bdir), "-j", "2", "--target", "bench_gemm"], 1200)
    assert "harness:   built-in" in _run_bench_gemm(binary)
