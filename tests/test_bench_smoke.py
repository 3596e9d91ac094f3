"""Every Python benchmark runs in --quick mode (they validate against torch before timing), so a
benchmark cannot rot unnoticed. Timings are not checked here: targets live in bench/RESULTS.md."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

BENCH = pathlib.Path(__file__).resolve().parent.parent / "bench" / "py"
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
