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


# ---- transcendental / softmax / sum row kernels (csrc/cpu/isa/vmath.cpp) ------------------------------
# Each variant computes the same inputs in a subprocess and saves its outputs; the parent compares them
# with float64 numpy references, with torch on the special values, and across variants.

_VEC_CHILD = r"""
import sys
import numpy as np
import tensorlite as tl
from tensorlite import _C
import tensorlite.ops.elementwise as F  # silu, gelu (tensorlite.nn.functional re-exports them)

rng = np.random.default_rng(11)

def inputs(dtype):
    big = 700.0 if dtype == "float64" else 87.0
    x = {
        "exp": np.concatenate([rng.uniform(-big, big, 3001), rng.uniform(-2, 2, 1000)]),
        "sigmoid": rng.uniform(-80, 80, 3001),
        "silu": rng.uniform(-80, 80, 3001),
        "tanh": np.concatenate([rng.uniform(-10, 10, 3001), rng.uniform(-0.7, 0.7, 1000), [1e-30, -1e-20]]),
        "gelu_tanh": rng.uniform(-10, 10, 3001),
        "log": np.concatenate([np.exp(rng.uniform(-80, 80, 3001)), rng.uniform(0.5, 2, 1000), [1e-40, 1e-45]]),
    }
    return {k: v.astype(dtype) for k, v in x.items()}

SPECIAL = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, -1.0, 100.0, -120.0, 800.0, -800.0, 1e-30]
FUNCS = {"exp": lambda t: t.exp(), "sigmoid": lambda t: t.sigmoid(), "silu": lambda t: F.silu(t),
         "tanh": lambda t: t.tanh(), "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"), "log": lambda t: t.log()}

res = {"isa": np.array(_C.isa_selected())}
equal = True
for dtype in ("float32", "float64"):
    for name, x in inputs(dtype).items():
        res[f"{name}_{dtype}_in"] = x
        outs = []
        for nt in (1, 2):
            _C.set_num_threads(nt)
            xs = np.repeat(x, 12)  # long enough to be split across threads
            outs.append(FUNCS[name](tl.from_numpy(xs)).numpy()[::12].copy())
        equal &= np.array_equal(outs[0], outs[1], equal_nan=True)
        res[f"{name}_{dtype}"] = outs[0]
        res[f"{name}_{dtype}_special"] = FUNCS[name](tl.tensor(SPECIAL, dtype=getattr(tl, dtype))).numpy()
    for shape, dim in (((7, 1000), -1), ((3, 37), -1), ((50, 300), 0), ((4, 5, 33), 1), ((2, 4099), -1)):
        x = (rng.standard_normal(shape) * 5).astype(dtype)
        key = f"{shape}_{dim}_{dtype}"
        res["sm_in_" + key] = x
        for op in ("softmax", "log_softmax", "logsumexp"):
            outs = []
            for nt in (1, 2):
                _C.set_num_threads(nt)
                t = tl.from_numpy(x)
                outs.append(getattr(t, op)(dim).numpy().copy())
            equal &= np.array_equal(outs[0], outs[1])
            res[f"{op}_{key}"] = outs[0]
x = rng.standard_normal((1000, 1003)).astype(np.float32)
res["sum_in"] = x
for nt in (1, 2):
    _C.set_num_threads(nt)
    t = tl.from_numpy(x)
    s = [t.sum().numpy(), t.sum(-1).numpy(), t.sum(0).numpy()]
    if nt == 2:
        equal &= all(np.array_equal(a, b) for a, b in zip(s, prev))
    prev = s
res["sum_all"], res["sum_last"], res["sum_first"] = prev
res["thread_equal"] = np.array(equal)
np.savez(sys.argv[1], **res)
"""

_VEC_OPS = ("exp", "sigmoid", "silu", "tanh", "gelu_tanh", "log")


def _ref64(name, x):
    """The reference in long double (x87 80-bit where numpy has it), returned as float64."""
    x = x.astype(np.longdouble)
    with np.errstate(all="ignore"):
        if name == "exp":
            return (np.exp(x)).astype(np.float64)
        if name == "sigmoid":
            return (1 / (1 + np.exp(-x))).astype(np.float64)
        if name == "silu":
            return (x / (1 + np.exp(-x))).astype(np.float64)
        if name == "tanh":
            return (np.tanh(x)).astype(np.float64)
        if name == "gelu_tanh":
            return (0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))).astype(np.float64)
        return np.log(x).astype(np.float64)


def _ulps(got, ref, dtype):
    """|got - ref| in units of the spacing of the reference rounded to dtype (subnormal spacing floor)."""
    r = ref.astype(dtype)
    sp = np.maximum(np.spacing(np.abs(r)).astype(np.float64), np.finfo(dtype).smallest_subnormal)
    with np.errstate(invalid="ignore"):
        return np.where(got == ref, 0.0, np.abs(got.astype(np.float64) - ref) / sp)


_vec_cache = {}


def _vec_run(isa, tmp_path_factory):
    if isa not in _vec_cache:
        path = tmp_path_factory.mktemp("isa") / f"{isa}.npz"
        env = dict(os.environ, TENSORLITE_ISA=isa,
                   PYTHONPATH=PYDIR + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="2")
        r = subprocess.run([sys.executable, "-c", _VEC_CHILD, str(path)], env=env, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr
        _vec_cache[isa] = dict(np.load(path))
    return _vec_cache[isa]


@pytest.mark.parametrize("isa", ["generic", "avx2", "avx512"])
def test_isa_vec_unary_matches_float64(isa, tmp_path_factory):
    if isa not in _supported():
        pytest.skip(f"this CPU does not support {isa}")
    res = _vec_run(isa, tmp_path_factory)
    assert str(res["isa"]) == isa
    assert bool(res["thread_equal"]), f"{isa}: results differ between 1 and 2 threads"
    for dtype in ("float32", "float64"):
        for name in _VEC_OPS:
            x, got = res[f"{name}_{dtype}_in"], res[f"{name}_{dtype}"]
            ref = _ref64(name, x)
            if dtype == "float64" and name != "gelu_tanh":
                # numpy's float64 reference is itself off by up to ~0.5 ulp
                err = _ulps(got, ref, dtype)
                assert err.max() <= 2.5, (isa, name, dtype, float(err.max()), x[err.argmax()])
            elif name == "gelu_tanh":
                # 1 + tanh(..) cancels for negative x in any implementation (torch's too): absolute error
                # in units of |x| * eps
                err = np.abs(got - ref) / (np.abs(x.astype(np.float64)) * np.finfo(dtype).eps + 1e-300)
                assert err.max() <= 3, (isa, name, dtype, float(err.max()))
            else:
                err = _ulps(got, ref, dtype)
                assert err.max() <= 2, (isa, name, dtype, float(err.max()), x[err.argmax()])


@pytest.mark.parametrize("isa", ["generic", "avx2", "avx512"])
def test_isa_vec_special_values_match_torch(isa, tmp_path_factory):
    if isa not in _supported():
        pytest.skip(f"this CPU does not support {isa}")
    import torch
    res = _vec_run(isa, tmp_path_factory)
    special = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, -1.0, 100.0, -120.0, 800.0, -800.0, 1e-30]
    fn = {"exp": torch.exp, "sigmoid": torch.sigmoid, "silu": torch.nn.functional.silu, "tanh": torch.tanh,
          "gelu_tanh": lambda t: torch.nn.functional.gelu(t, approximate="tanh"), "log": torch.log}
    for dtype in ("float32", "float64"):
        for name in _VEC_OPS:
            got = res[f"{name}_{dtype}_special"]
            want = fn[name](torch.tensor(special, dtype=getattr(torch, dtype))).numpy()
            np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=0,
                                       err_msg=f"{isa} {name} {dtype}")
            assert np.array_equal(np.isnan(got), np.isnan(want)), (isa, name, dtype, got, want)
            zero = want == 0
            assert np.array_equal(np.signbit(got[zero]), np.signbit(want[zero])), (isa, name, dtype, got, want)


@pytest.mark.parametrize("isa", ["generic", "avx2", "avx512"])
def test_isa_vec_softmax_and_sum_match_float64(isa, tmp_path_factory):
    if isa not in _supported():
        pytest.skip(f"this CPU does not support {isa}")
    res = _vec_run(isa, tmp_path_factory)
    for key in [k[len("sm_in_"):] for k in res if k.startswith("sm_in_")]:
        x = res["sm_in_" + key]
        dim = int(key.split("_")[1])
        dtype = key.split("_")[2]
        eps = np.finfo(dtype).eps
        x64 = x.astype(np.longdouble)  # the reference is computed in long double
        m = x64.max(axis=dim, keepdims=True)
        lse = np.log(np.exp(x64 - m).sum(axis=dim, keepdims=True)) + m
        # softmax rounds x - max to the dtype first (as torch does): the reference starts from there
        d = (x - x.max(axis=dim, keepdims=True)).astype(np.longdouble)
        sm = np.exp(d) / np.exp(d).sum(axis=dim, keepdims=True)
        # exp, the sum (accumulated in double: exact-ish for float32, a few ulp for float64), 1/sum, scale;
        # torch is at ~3 ulp (float32) and ~5 ulp (float64) on these inputs
        tol = (4 if dtype == "float32" else 8) * eps
        assert np.all(np.abs(res["softmax_" + key] - sm) <= tol * sm + 1e-300), (isa, key)
        # log_softmax: (x - m) - log(s), exact up to the roundings of those terms
        ls = x64 - lse
        assert np.all(np.abs(res["log_softmax_" + key] - ls) <= tol * (np.abs(x64 - m) + np.abs(lse - m) + 1)), (isa, key)
        got = res["logsumexp_" + key]
        assert np.all(np.abs(got - lse.squeeze(dim)) <= tol * (np.abs(lse.squeeze(dim)) + 1)), (isa, key)
    x = res["sum_in"].astype(np.float64)
    for got, ref, scale in ((res["sum_all"], x.sum(), np.abs(x).sum()), (res["sum_last"], x.sum(-1), np.abs(x).sum(-1)),
                            (res["sum_first"], x.sum(0), np.abs(x).sum(0))):
        # float32 output rounding plus double-accumulated float partials of 8 terms (measured: <= 0.07 eps sum|x|)
        assert np.all(np.abs(got - ref) <= np.finfo(np.float32).eps * (np.abs(ref) + 0.25 * scale)), isa


def test_isa_vec_variants_agree(tmp_path_factory):
    """Every supported variant gives the same values within 2 ulp (they differ only by FMA contraction)."""
    isas = [i for i in ("generic", "avx2", "avx512") if i in _supported()]
    if len(isas) < 2:
        pytest.skip("only one ISA variant runs on this CPU")
    base = _vec_run(isas[0], tmp_path_factory)
    for isa in isas[1:]:
        other = _vec_run(isa, tmp_path_factory)
        for k, v in base.items():
            if k == "isa" or k.endswith("_in") or v.dtype.kind != "f":
                continue
            w = other[k]
            assert np.array_equal(np.isnan(v), np.isnan(w)), (isa, k)
            ok = ~np.isnan(v)
            if k.startswith("gelu_tanh"):
                x = base[k.replace("_special", "") + "_in"] if not k.endswith("special") else None
                if x is not None:  # cancellation in 1 + tanh: compare in units of |x| eps
                    d = np.abs(v - w) / (np.abs(x.astype(np.float64)) * np.finfo(v.dtype).eps + 1e-300)
                    assert d.max() <= 4, (isa, k, float(d.max()))
                    continue
            if k.startswith("log_softmax"):
                sc = np.abs(v[ok]).astype(np.float64) + 1
                assert np.all(np.abs(v[ok] - w[ok]) <= 8 * np.finfo(v.dtype).eps * sc), (isa, k)
                continue
            d = _ulps(w[ok], v[ok].astype(np.float64), v.dtype)
            assert d.size == 0 or d.max() <= 2, (isa, k, float(d.max()))
