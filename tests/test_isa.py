"""The ISA variants of the matmul kernels (csrc/cpu/isa) against numpy in float64, and thread-count
independence of the results.

Each variant runs in its own subprocess, since the variant is chosen once per process from
TENSORLITE_ISA. Every variant must match the float64 reference; they need not match each other bitwise
(FMA vs separate multiply-add), but within one variant the result must not depend on the thread count."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tensorlite as tl

# the children import the tensorlite this process imported (a dev build or the installed package)
PYDIR = os.path.dirname(os.path.dirname(os.path.abspath(tl.__file__)))

# (M, K, N, layout): layouts cover row-major, transposed A, transposed B (x @ W^T), sliced A.
SHAPES = [(1, 1, 1, "nn"), (3, 17, 33, "nn"), (33, 127, 17, "tn"), (127, 33, 3, "nt"), (1, 300, 130, "nt"),
          (5, 64, 1, "nn"), (70, 260, 90, "nn"), (40, 300, 300, "ns"), (130, 20, 257, "tt"), (16, 513, 40, "nt")]

_CHILD = r"""
import json, sys
import numpy as np
import tensorlite as tl
from tensorlite import _C

def operand(rng, rows, cols, trans, dtype, sliced=False):
    # numpy views keep their strides through from_numpy: a transposed or sliced operand, not a copy
    if trans:
        return tl.from_numpy(rng.uniform(-1, 1, (cols, rows)).astype(dtype).T)
    if sliced:
        return tl.from_numpy(rng.uniform(-1, 1, (rows, 2 * cols)).astype(dtype)[:, ::2])
    return tl.from_numpy(rng.uniform(-1, 1, (rows, cols)).astype(dtype))

shapes = json.loads(sys.argv[1])
out = {"isa": _C.isa_selected(), "max_err": {}, "thread_equal": True}
for dtype in ("float32", "float64"):
    worst = 0.0
    for M, K, N, lay in shapes:
        rng = np.random.default_rng(M * 10007 + K * 101 + N)
        a = operand(rng, M, K, lay[0] == "t", dtype)
        b = operand(rng, K, N, lay[1] == "t", dtype, sliced=lay[1] == "s")
        ref = a.numpy().astype(np.float64) @ b.numpy().astype(np.float64)
        results = []
        for nt in (1, 2):
            _C.set_num_threads(nt)
            results.append((a @ b).numpy().copy())
        scale = np.abs(a.numpy()).astype(np.float64) @ np.abs(b.numpy()).astype(np.float64) + 1e-30
        worst = max(worst, float(np.max(np.abs(results[0] - ref) / scale)) if ref.size else 0.0)
        if not np.array_equal(results[0], results[1]):
            out["thread_equal"] = False
        # batched with a broadcast batch dim goes through the same kernels
        x = tl.from_numpy(rng.uniform(-1, 1, (3, M, K)).astype(dtype))
        bb = (x @ b).numpy().astype(np.float64)
        refb = x.numpy().astype(np.float64) @ b.numpy().astype(np.float64)
        worst = max(worst, float(np.max(np.abs(bb - refb) / (np.abs(x.numpy()) @ np.abs(b.numpy()) + 1e-30))))
    out["max_err"][dtype] = worst
print(json.dumps(out))
"""


def _supported():
    return tl._C.isa_supported().split(",")


def _run(isa):
    env = dict(os.environ, TENSORLITE_ISA=isa, PYTHONPATH=PYDIR + os.pathsep + os.environ.get("PYTHONPATH", ""),
               OMP_NUM_THREADS="2")
    r = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(SHAPES)], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("isa", ["generic", "avx2", "avx512"])
def test_isa_variant_matches_float64(isa):
    if isa not in _supported():
        pytest.skip(f"this CPU does not support {isa}")
    res = _run(isa)
    assert res["isa"] == isa
    # error relative to sum |a||b|: a few ulps times log-ish growth; anything wrong is O(1)
    assert res["max_err"]["float32"] < 2e-6, res
    assert res["max_err"]["float64"] < 1e-14, res
    assert res["thread_equal"], f"{isa}: results differ between 1 and 2 threads"


def test_unknown_isa_is_an_error():
    env = dict(os.environ, TENSORLITE_ISA="sse9", PYTHONPATH=PYDIR)
    r = subprocess.run([sys.executable, "-c", "import tensorlite as tl; tl.ones(2, 2) @ tl.ones(2, 2)"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "TENSORLITE_ISA" in r.stderr


def test_thread_count_independence_large():
    """Bitwise-equal results for 1, 2 and 3 threads on shapes that split into many tiles."""
    rng = np.random.default_rng(7)
    cases = [((300, 500), (500, 400)), ((64, 784), (784, 128)), ((5, 1000), (1000, 700)), ((700, 300), (300, 3)),
             ((4, 70, 90), (4, 90, 60))]
    old = tl._C.get_num_threads()
    try:
        for sa, sb in cases:
            a = tl.from_numpy(rng.standard_normal(sa).astype(np.float32))
            b = tl.from_numpy(rng.standard_normal(sb).astype(np.float32))
            outs = []
            for nt in (1, 2, 3):
                tl._C.set_num_threads(nt)
                outs.append((a @ b).numpy().copy())
            assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[0], outs[2]), (sa, sb)
    finally:
        tl._C.set_num_threads(old)
