"""Fuzzing the tensor API against torch (tests/fuzz_ops.py), in a subprocess so that a crash in a kernel
fails the test instead of killing pytest. A few seeds, bounded to a few seconds each."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fuzz_ops_match_torch(seed):
    env = dict(os.environ)
    import tensorlite
    pkg_root = os.path.dirname(os.path.dirname(os.path.abspath(tensorlite.__file__)))
    env["PYTHONPATH"] = pkg_root + os.pathsep + env.get("PYTHONPATH", "")
    p = subprocess.run([sys.executable, os.path.join(HERE, "fuzz_ops.py"), str(seed), "1500"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"fuzzer crashed (rc={p.returncode}):\n{p.stderr[-3000:]}"
    bad = json.loads(p.stdout.strip().splitlines()[-1])
    assert not bad, f"{len(bad)} mismatches with torch, e.g.:\n" + "\n".join(bad[:15])


# Regressions the fuzzer found, pinned as direct checks against torch.
import torch  # noqa: E402

import tensorlite as tl  # noqa: E402

CASES = [
    ("int - bool tensor", lambda L: L.tensor([1, 2]) - L.tensor([True, False])),
    ("float - bool tensor", lambda L: L.tensor([1.0]) - L.tensor(True)),
    ("scalar - bool tensor", lambda L: 1 - L.tensor([True])),
    ("float - python bool", lambda L: L.tensor([1.0]) - True),
    ("int // 0 on an empty tensor", lambda L: L.zeros(2, 0, dtype=L.int64) // 0),
    ("mean(int, bad dim): dtype first", lambda L: L.tensor([1]).mean(5)),
    ("var(int, bad dim): dtype first", lambda L: L.tensor([1]).var(5)),
    ("bitwise_or(float, mismatched): shape first", lambda L: L.ones(2) | L.ones(3)),
    ("stack: dim checked before sizes", lambda L: L.stack([L.ones(1), L.ones(2)], 3)),
    ("flatten 0-d with a bad dim", lambda L: L.tensor(1.0).flatten(-2)),
    ("roll of an empty tensor ignores dims", lambda L: L.ones(0).roll(1, 3)),
    ("bincount of floats", lambda L: L.bincount(L.ones(3))),
    ("median of bools", lambda L: L.tensor([True, False]).median()),
    ("kthvalue into an empty dim", lambda L: L.ones(3, 0).kthvalue(1, 1)),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_fuzz_regressions(name, fn):
    def run(L):
        try:
            r = fn(L)
            return ("ok", tuple(r.shape), str(r.dtype).split(".")[-1], r.tolist())
        except Exception as e:  # noqa: BLE001
            return ("exc", type(e).__name__)
    assert run(tl) == run(torch)
