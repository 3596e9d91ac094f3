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
