"""GEMM kernel correctness (csrc/cpu/matmul.cpp and its ISA micro-kernels), through the public ops.

Every product is checked against numpy in float64 on the same inputs, two ways:
  - exact: operands hold small integers (|x| <= 4), so every product and partial sum is exactly
    representable in float32 (|sum| < 2^24 for K <= 2^19): the result must equal the reference
    bitwise, whatever the blocking or summation order. A dropped, doubled or misplaced term of the
    K loop, a wrong edge tile or a stale accumulator is caught here however large K is.
  - rounding: uniform(-1, 1) operands, error relative to the magnitude sum |alpha||A||B| + |beta||C|,
    within 8 eps sqrt(K) (catches accumulation in too low a precision).
The shape sweep crosses register-tile and cache-block edges; layouts (transposes, steps, padded leading
dims, 0-stride broadcasts) are strides the kernel must honour without the op layer copying. Thread-count
independence is bitwise; the ISA variants (one subprocess each, TENSORLITE_ISA) are compared with the
reference and with each other. tests/test_linalg.py keeps the op-level checks (double backward, paths
against torch); tests/test_isa.py the older per-ISA smoke test."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import zlib

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.ops.linalg import linear

F64 = np.float64
DTYPES = ["float32", "float64"]

# the subprocesses import the tensorlite this process imported (a dev build or the installed package)
PYDIR = os.path.dirname(os.path.dirname(os.path.abspath(tl.__file__)))
TESTS = os.path.dirname(os.path.abspath(__file__))


# ---- operands ---------------------------------------------------------------------------------------------
def _values(rng, shape, dtype, kind):
    if kind == "int":
        return rng.integers(-4, 5, shape).astype(dtype)
    return rng.uniform(-1, 1, shape).astype(dtype)


# Layouts of an (r, c) operand. Each is built as a tensorlite view (not a numpy view passed through), so
# the op layer sees the strides a user's view would have.
LAYOUTS = ["n", "t", "mT", "colstep", "rowstep", "ld", "tld", "both", "bcast_row", "bcast_col"]


def _operand(rng, r, c, dtype, kind, layout):
    """(tensorlite tensor with that layout, its values as float64 numpy)."""
    if layout == "bcast_row":  # 0 row stride: every row is the same vector
        v = _values(rng, (1, c), dtype, kind)
        return tl.from_numpy(v).expand(r, c), np.broadcast_to(v, (r, c)).astype(F64)
    if layout == "bcast_col":  # 0 column stride
        v = _values(rng, (r, 1), dtype, kind)
        return tl.from_numpy(v).expand(r, c), np.broadcast_to(v, (r, c)).astype(F64)
    v = _values(rng, (r, c), dtype, kind)
    if layout == "n":
        t = tl.from_numpy(v.copy())
    elif layout in ("t", "mT"):
        base = tl.from_numpy(np.ascontiguousarray(v.T))
        t = base.t() if layout == "t" else base.mT
    elif layout == "colstep":
        base = np.zeros((r, 2 * c), dtype)
        base[:, ::2] = v
        t = tl.from_numpy(base)[:, ::2]
    elif layout == "rowstep":
        base = np.zeros((3 * r, c), dtype)
        base[::3] = v
        t = tl.from_numpy(base)[::3]
    elif layout == "both":
        base = np.zeros((2 * r, 3 * c), dtype)
        base[::2, ::3] = v
        t = tl.from_numpy(base)[::2, ::3]
    elif layout == "ld":  # row-major, odd leading dim, odd storage offset
        ld = c + 3
        flat = np.full(r * ld + 5, np.nan, dtype)  # the gaps are NaN: reading one shows in the result
        np.lib.stride_tricks.as_strided(flat[5:], (r, c), (ld * flat.itemsize, flat.itemsize))[...] = v
        t = tl.as_strided(tl.from_numpy(flat), (r, c), (ld, 1), 5)
    elif layout == "tld":  # column-major, odd leading dim
        ld = r + 5
        flat = np.full(c * ld, np.nan, dtype)
        np.lib.stride_tricks.as_strided(flat, (r, c), (flat.itemsize, ld * flat.itemsize))[...] = v
        t = tl.as_strided(tl.from_numpy(flat), (r, c), (1, ld))
    else:
        raise ValueError(layout)
    return t, v.astype(F64)


def _seed(*parts):
    """A seed from the case (str hashes change from run to run)."""
    return zlib.crc32(repr(parts).encode())


def _tol(K, dtype):
    return 8 * np.finfo(dtype).eps * np.sqrt(max(K, 1))


def _compare(got, ref, scale, K, dtype, exact):
    """None when got (a tensorlite tensor) matches ref (float64), else a description of the worst error."""
    g = got.numpy()
    if g.shape != ref.shape or g.dtype != np.dtype(dtype):
        return f"shape/dtype {g.shape} {g.dtype}, expected {ref.shape} {dtype}"
    if exact:
        if np.array_equal(g.astype(F64), ref):
            return None
        bad = np.argwhere(g.astype(F64) != ref)
        i = tuple(bad[0])
        return f"not exact at {len(bad)} entries, first {i}: {g[i]} vs {ref[i]}"
    if not np.all(np.isfinite(g)):
        return "non-finite entries"
    err = np.abs(g.astype(F64) - ref) / (scale + 1e-300)
    if err.size == 0 or err.max() <= _tol(K, dtype):
        return None
    i = np.unravel_index(err.argmax(), err.shape)
    return f"relative error {err.max():.3g} > {_tol(K, dtype):.3g} at {i}: {g[i]} vs {ref[i]}"


def _mm_case(M, K, N, la, lb, dtype, kind, seed):
    rng = np.random.default_rng(seed)
    a, a64 = _operand(rng, M, K, dtype, kind, la)
    b, b64 = _operand(rng, K, N, dtype, kind, lb)
    return tl.mm(a, b), a64 @ b64, np.abs(a64) @ np.abs(b64)


def _run_cases(cases, fn):
    """Runs fn(*case) -> error or None over cases, and fails once listing the first failures."""
    bad = []
    for case in cases:
        e = fn(*case)
        if e is not None:
            bad.append(f"{case}: {e}")
    assert not bad, f"{len(bad)} of {len(cases)} cases failed:\n" + "\n".join(bad[:12])


# ---- shapes -----------------------------------------------------------------------------------------------
SIZES = (1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 127, 129, 257)
_CORE = (1, 3, 8, 17, 33, 65)
# every triple of a small set, plus lines through all SIZES along each axis and the diagonal
SWEEP = sorted(set(itertools.product(_CORE, _CORE, _CORE))
               | {t for s in SIZES for t in ((s, 17, 33), (33, s, 17), (17, 33, s), (s, 65, 7), (7, s, 65),
                                             (65, 7, s), (s, s, s))})
# the layout pair of a sweep case cycles through the main ones, so the sweep also covers transposes
_SWEEP_LAYOUTS = [("n", "n"), ("t", "n"), ("n", "t"), ("t", "t"), ("n", "colstep"), ("ld", "n"), ("n", "tld")]


@pytest.mark.parametrize("dtype", DTYPES)
def test_shape_sweep_exact(dtype):
    cases = [(M, K, N) + _SWEEP_LAYOUTS[i % len(_SWEEP_LAYOUTS)] for i, (M, K, N) in enumerate(SWEEP)]

    def one(M, K, N, la, lb):
        got, ref, _ = _mm_case(M, K, N, la, lb, dtype, "int", M * 1000003 + K * 1009 + N)
        return _compare(got, ref, None, K, dtype, exact=True)
    _run_cases(cases, one)


@pytest.mark.parametrize("dtype", DTYPES)
def test_shape_sweep_rounding(dtype):
    cases = [(M, K, N) + _SWEEP_LAYOUTS[(i + 3) % len(_SWEEP_LAYOUTS)] for i, (M, K, N) in enumerate(SWEEP)]

    def one(M, K, N, la, lb):
        got, ref, scale = _mm_case(M, K, N, la, lb, dtype, "uniform", M * 7919 + K * 31 + N)
        return _compare(got, ref, scale, K, dtype, exact=False)
    _run_cases(cases, one)


# primes, block-crossing sizes (K across kc = 256/384/512 multiples), N beyond 4096, tall-skinny and
# short-wide, M or N = 1 against large other dims.
BIG = [(97, 193, 389), (389, 97, 193), (193, 389, 97), (300, 700, 520), (1000, 33, 1000), (513, 1025, 257),
       (31, 1000, 45), (17, 1023, 33), (40, 1024, 40), (33, 1025, 17), (9, 1536, 70), (65, 2047, 9), (20, 2100, 50),
       (12, 300, 4103), (4096, 64, 8), (8, 64, 4096), (4096, 8, 64), (1, 4099, 1), (1, 1000, 2000), (2000, 1000, 1),
       (600, 1, 700)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("M,K,N", BIG, ids=[f"{m}x{k}x{n}" for m, k, n in BIG])
def test_large_and_block_crossing(M, K, N, dtype):
    lay = [("n", "n"), ("t", "n"), ("n", "t"), ("t", "t")][(M + K + N) % 4]
    got, ref, _ = _mm_case(M, K, N, *lay, dtype, "int", M + K + N)
    assert _compare(got, ref, None, K, dtype, exact=True) is None, (lay, _compare(got, ref, None, K, dtype, True))
    got, ref, scale = _mm_case(M, K, N, *lay, dtype, "uniform", M + K + N + 1)
    err = _compare(got, ref, scale, K, dtype, exact=False)
    assert err is None, (lay, err)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layout_combinations(dtype):
    """Every layout of A against every layout of B, on shapes off and on the tile edges."""
    cases = [(M, K, N, la, lb) for M, K, N in ((33, 65, 17), (64, 96, 48), (7, 130, 70))
             for la in LAYOUTS for lb in LAYOUTS]

    def one(M, K, N, la, lb):
        got, ref, _ = _mm_case(M, K, N, la, lb, dtype, "int", _seed(M, la, lb))
        return _compare(got, ref, None, K, dtype, exact=True)
    _run_cases(cases, one)


def test_layouts_are_views():
    """The layouts above really are non-contiguous strided views (else the layout tests test nothing)."""
    rng = np.random.default_rng(0)
    want = {"t": (1, 5), "mT": (1, 5), "colstep": (14, 2), "rowstep": (21, 1), "ld": (10, 1), "tld": (1, 10),
            "both": (42, 3), "bcast_row": (0, 1), "bcast_col": (1, 0)}
    for lay, st in want.items():
        t, _ = _operand(rng, 5, 7, "float32", "int", lay)
        assert not t.is_contiguous() and t.shape == (5, 7), lay
        assert tuple(t.stride()) == st, (lay, t.stride())


def test_small_batch_times_weight():
    """Linear layers at batch 1..64 (the small-M paths) with 784x128 and 1024x1024 weights (W stored (N, K))."""
    cases = [(m, k, n, bias, dtype) for m in (1, 2, 3, 4, 7, 8, 16, 31, 64) for k, n in ((784, 128), (1024, 1024))
             for bias in (False, True) for dtype in DTYPES if not (dtype == "float64" and m not in (1, 7, 64))]

    rng = np.random.default_rng(14)
    weights = {(k, n, dtype, kind): _values(rng, (n, k), dtype, kind) for k, n in ((784, 128), (1024, 1024))
               for dtype in DTYPES for kind in ("int", "uniform")}

    def one(m, k, n, bias, dtype):
        x = _values(rng, (m, k), dtype, "int")
        w = weights[k, n, dtype, "int"]
        b = _values(rng, (n,), dtype, "int")
        ref = x.astype(F64) @ w.astype(F64).T + (b.astype(F64) if bias else 0)
        got = linear(tl.from_numpy(x), tl.from_numpy(w), tl.from_numpy(b) if bias else None)
        e = _compare(got, ref, None, k, dtype, exact=True)
        if e is None:
            xu, wu = _values(rng, (m, k), dtype, "uniform"), weights[k, n, dtype, "uniform"]
            ref = xu.astype(F64) @ wu.astype(F64).T
            got = linear(tl.from_numpy(xu), tl.from_numpy(wu))
            e = _compare(got, ref, np.abs(xu.astype(F64)) @ np.abs(wu.astype(F64)).T, k, dtype, exact=False)
        return e
    _run_cases(cases, one)


# ---- K = 0, vectors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES + ["int64"])
def test_k_zero(dtype):
    nan = np.nan if dtype != "int64" else 7
    a, b = tl.zeros(5, 0, dtype=getattr(tl, dtype)), tl.zeros(0, 3, dtype=getattr(tl, dtype))
    z = np.zeros((5, 3))
    assert np.array_equal(tl.mm(a, b).numpy(), z)
    assert np.array_equal((a @ b).numpy(), z)
    assert np.array_equal(tl.matmul(a.expand(2, 5, 0), b).numpy(), np.zeros((2, 5, 3)))
    assert np.array_equal(tl.bmm(a.expand(2, 5, 0), b.expand(2, 0, 3)).numpy(), np.zeros((2, 5, 3)))
    c = np.arange(15).reshape(5, 3).astype(dtype)
    assert np.array_equal(tl.addmm(tl.from_numpy(c), a, b, beta=3).numpy(), 3 * c)
    assert np.array_equal(tl.addmm(tl.from_numpy(c), a, b, beta=1, alpha=2).numpy(), c)
    cn = np.full((5, 3), nan, dtype)
    assert np.array_equal(tl.addmm(tl.from_numpy(cn), a, b, beta=0).numpy(), z)  # beta = 0: C is not read
    assert np.array_equal(tl.baddbmm(tl.from_numpy(np.stack([c, c])), a.expand(2, 5, 0), b.expand(2, 0, 3),
                                     beta=2).numpy(), np.stack([2 * c, 2 * c]))
    assert np.array_equal(tl.baddbmm(tl.from_numpy(np.stack([cn, cn])), a.expand(2, 5, 0), b.expand(2, 0, 3),
                                     beta=0).numpy(), np.zeros((2, 5, 3)))
    bias = np.arange(3).astype(dtype)
    w = tl.zeros(3, 0, dtype=getattr(tl, dtype))
    assert np.array_equal(linear(a, w, tl.from_numpy(bias)).numpy(), np.broadcast_to(bias, (5, 3)))
    assert np.array_equal(linear(a, w).numpy(), z)
    assert tl.dot(tl.zeros(0, dtype=getattr(tl, dtype)), tl.zeros(0, dtype=getattr(tl, dtype))).item() == 0
    assert np.array_equal(tl.mv(a, tl.zeros(0, dtype=getattr(tl, dtype))).numpy(), np.zeros(5))


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_products(dtype):
    """mv, dot, outer and the 1-D matmul forms (N = 1, M = N = 1, K = 1 GEMMs), with strided vectors."""
    rng = np.random.default_rng(3)
    for n, k in ((1, 1), (3, 5), (17, 33), (64, 1), (257, 1031), (1, 5000), (4100, 3)):
        for kind in ("int", "uniform"):
            A, a64 = _operand(rng, n, k, dtype, kind, "t" if n % 2 else "n")
            base = _values(rng, (2 * k,), dtype, kind)
            x, x64 = tl.from_numpy(base)[::2], base[::2].astype(F64)
            exact = kind == "int"
            e = _compare(tl.mv(A, x), a64 @ x64, np.abs(a64) @ np.abs(x64), k, dtype, exact)
            assert e is None, ("mv", n, k, kind, e)
            e = _compare(tl.matmul(x, A.t()), x64 @ a64.T, np.abs(x64) @ np.abs(a64.T), k, dtype, exact)
            assert e is None, ("vec @ mat", n, k, kind, e)
            y = _values(rng, (k,), dtype, kind)
            e = _compare(tl.dot(x, tl.from_numpy(y)), np.array(x64 @ y.astype(F64)),
                         np.array(np.abs(x64) @ np.abs(y.astype(F64))), k, dtype, exact)
            assert e is None, ("dot", k, kind, e)
            u = _values(rng, (n,), dtype, kind)
            e = _compare(tl.outer(tl.from_numpy(u), x), np.outer(u.astype(F64), x64),
                         np.abs(np.outer(u.astype(F64), x64)), 1, dtype, exact)
            assert e is None, ("outer", n, k, kind, e)


# ---- alpha / beta -----------------------------------------------------------------------------------------
ALPHA_BETA = [(1, 0), (1, 1), (1, 0.5), (-2, 1), (-2, 0.5), (-2, 0), (0.5, -1), (0, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha,beta", ALPHA_BETA)
def test_addmm_alpha_beta(alpha, beta, dtype):
    """alpha and beta (powers of two, so exact on integer data) on tile-edge shapes and C layouts; with
    beta = 0, NaN and Inf in C must not leak (C is write-only, as in BLAS and torch)."""
    rng = np.random.default_rng(5)
    for (M, K, N), la, lb in zip(((1, 1, 1), (7, 33, 65), (65, 17, 7), (130, 257, 40), (150, 300, 70)),
                                 ("n", "t", "n", "t", "ld"), ("n", "n", "t", "t", "colstep")):
        for cl in ("n", "t", "bcast_row", "bcast_col", "vec", "scalar"):
            for kind in ("int", "uniform") if cl == "n" else ("int",):
                a, a64 = _operand(rng, M, K, dtype, kind, la)
                b, b64 = _operand(rng, K, N, dtype, kind, lb)
                if cl == "vec":
                    cv = _values(rng, (N,), dtype, kind)
                    c, c64 = tl.from_numpy(cv), np.broadcast_to(cv.astype(F64), (M, N))
                elif cl == "scalar":
                    c, c64 = tl.tensor(1.5, dtype=getattr(tl, dtype)), np.full((M, N), 1.5)
                else:
                    c, c64 = _operand(rng, M, N, dtype, kind, cl)
                if beta == 0:  # poison C: a kernel that reads it shows NaN
                    cp = np.full((M, N), np.nan, dtype)
                    cp.flat[::3] = np.inf
                    c, c64 = tl.from_numpy(cp), np.zeros((M, N))
                got = tl.addmm(c, a, b, beta=beta, alpha=alpha)
                ref = alpha * (a64 @ b64) + beta * c64
                scale = abs(alpha) * (np.abs(a64) @ np.abs(b64)) + abs(beta) * np.abs(c64)
                e = _compare(got, ref, scale, K + 1, dtype, exact=kind == "int")
                assert e is None, ((M, K, N), la, lb, cl, kind, e)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha,beta", [(1, 0), (0.5, 1), (-2, 0.5), (0, 1.5)])
def test_baddbmm_alpha_beta(alpha, beta, dtype):
    rng = np.random.default_rng(6)
    for B, M, K, N in ((1, 1, 1, 1), (3, 7, 33, 17), (5, 65, 40, 33), (2, 129, 300, 9)):
        a = _values(rng, (B, M, K), dtype, "int")
        b = _values(rng, (B, N, K), dtype, "int")  # used as b.mT: batched transposed operand
        c = _values(rng, (B, M, N), dtype, "int")
        if beta == 0:
            c = np.full_like(c, np.nan)
        bt = tl.from_numpy(b).mT
        got = tl.baddbmm(tl.from_numpy(c), tl.from_numpy(a), bt, beta=beta, alpha=alpha)
        ref = alpha * (a.astype(F64) @ b.astype(F64).transpose(0, 2, 1)) + (beta * c.astype(F64) if beta else 0)
        assert _compare(got, ref, None, K, dtype, exact=True) is None, (B, M, K, N)


@pytest.mark.parametrize("dtype", DTYPES)
def test_addmm_alpha_zero_finite(dtype):
    """alpha = 0 with finite operands: beta * C, also with beta = 0 (zeros, C not read)."""
    rng = np.random.default_rng(8)
    a, b = _values(rng, (33, 65), dtype, "uniform"), _values(rng, (65, 17), dtype, "uniform")
    c = _values(rng, (33, 17), dtype, "uniform")
    got = tl.addmm(tl.from_numpy(c), tl.from_numpy(a), tl.from_numpy(b), beta=0.5, alpha=0).numpy()
    assert np.array_equal(got, (0.5 * c.astype(F64)).astype(dtype))
    got = tl.addmm(tl.from_numpy(np.full_like(c, np.nan)), tl.from_numpy(a), tl.from_numpy(b), beta=0, alpha=0)
    assert np.array_equal(got.numpy(), np.zeros_like(c))


@pytest.mark.parametrize("dtype", DTYPES)
def test_addmm_alpha_zero_ignores_inf_like_torch(dtype):
    import torch
    rng = np.random.default_rng(9)
    for (M, K, N), beta in (((2, 2, 2), 0.5), ((64, 64, 64), 1), ((300, 200, 100), 0), ((1, 50, 1), 2)):
        a, b, c = (_values(rng, s, dtype, "uniform") for s in ((M, K), (K, N), (M, N)))
        a[0, 0], b[-1, -1] = np.inf, np.nan
        want = torch.addmm(torch.from_numpy(c), torch.from_numpy(a), torch.from_numpy(b), beta=beta, alpha=0).numpy()
        got = tl.addmm(tl.from_numpy(c), tl.from_numpy(a), tl.from_numpy(b), beta=beta, alpha=0).numpy()
        np.testing.assert_array_equal(got, want, err_msg=str((M, K, N, beta)))


# ---- linear, batched, broadcast -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_linear(dtype):
    rng = np.random.default_rng(10)
    for xs, (n, k) in (((1, 1), (1, 1)), ((7, 33), (65, 33)), ((3, 5, 17), (9, 17)), ((2, 3, 4, 65), (129, 65)),
                       ((200, 300), (70, 300))):
        for bias in (None, "vec", "row"):
            for permuted in (False, True):
                x = _values(rng, xs, dtype, "int")
                w = _values(rng, (n, k), dtype, "int")
                tx = tl.from_numpy(x)
                if permuted and len(xs) > 2:  # batch dims that do not fold into one stride: the op copies
                    tx = tl.from_numpy(np.ascontiguousarray(np.swapaxes(x, 0, 1))).transpose(0, 1)
                elif permuted:  # x transposed: a column-major A
                    tx = tl.from_numpy(np.ascontiguousarray(x.T)).t()
                bv = _values(rng, (n,) if bias == "vec" else (1, n), dtype, "int") if bias else None
                got = linear(tx, tl.from_numpy(w), tl.from_numpy(bv) if bias else None)
                ref = x.astype(F64) @ w.astype(F64).T + (bv.astype(F64) if bias else 0)
                assert _compare(got, ref, None, k, dtype, exact=True) is None, (xs, n, k, bias, permuted)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batched_and_broadcast(dtype):
    """bmm and matmul over batches: folded (..., M, K) @ (K, N), broadcast batch dims, 0-stride (expanded)
    batches, transposed batched operands."""
    rng = np.random.default_rng(11)
    cases = [((4, 7, 33), (4, 33, 17)), ((3, 65, 9), (9, 129)), ((2, 1, 17, 40), (5, 40, 3)), ((1, 31, 64), (6, 64, 33)),
             ((6, 1, 300), (6, 300, 70)), ((2, 3, 47, 5), (2, 3, 5, 63)), ((8, 129, 257), (257, 1))]
    for sa, sb in cases:
        for ta, tb in ((False, False), (True, False), (False, True), (True, True)):
            a = _values(rng, sa, dtype, "int")
            b = _values(rng, sb, dtype, "int")
            x = tl.from_numpy(np.ascontiguousarray(np.swapaxes(a, -1, -2))).mT if ta else tl.from_numpy(a)
            y = tl.from_numpy(np.ascontiguousarray(np.swapaxes(b, -1, -2))).mT if tb else tl.from_numpy(b)
            ref = a.astype(F64) @ b.astype(F64)
            assert _compare(tl.matmul(x, y), ref, None, sa[-1], dtype, True) is None, (sa, sb, ta, tb)
            if len(sa) == 3 and len(sb) == 3 and sa[0] == sb[0]:
                assert _compare(tl.bmm(x, y), ref, None, sa[-1], dtype, True) is None, ("bmm", sa, sb, ta, tb)
    # batch of 5 where A is one matrix expanded (batch stride 0) and B a sliced batch
    a = _values(rng, (1, 33, 65), dtype, "int")
    b = _values(rng, (10, 65, 17), dtype, "int")
    got = tl.bmm(tl.from_numpy(a).expand(5, 33, 65), tl.from_numpy(b)[::2])
    ref = np.broadcast_to(a.astype(F64), (5, 33, 65)) @ b[::2].astype(F64)
    assert _compare(got, ref, None, 65, dtype, True) is None


# ---- integers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_integer_matmul(dtype):
    rng = np.random.default_rng(12)
    for (M, K, N), lay in zip(((1, 1, 1), (7, 33, 17), (65, 8, 129), (40, 300, 30)), (("n", "n"), ("t", "n"),
                                                                                       ("n", "colstep"), ("t", "t"))):
        a, a64 = _operand(rng, M, K, dtype, "int", lay[0])
        b, b64 = _operand(rng, K, N, dtype, "int", lay[1])
        got = tl.mm(a, b).numpy()
        assert got.dtype == np.dtype(dtype) and np.array_equal(got, (a64 @ b64).astype(dtype)), (M, K, N, lay)
        c = _values(rng, (M, N), dtype, "int")
        got = tl.addmm(tl.from_numpy(c), a, b, beta=2, alpha=-3).numpy()
        assert np.array_equal(got, (-3 * (a64 @ b64) + 2 * c).astype(dtype)), (M, K, N, lay)
    # int32 wraps modulo 2^32 as torch's CPU path does (exact python-int reference)
    a = rng.integers(-2**31, 2**31, (5, 9)).astype(np.int32)
    b = rng.integers(-2**31, 2**31, (9, 4)).astype(np.int32)
    ref = (a.astype(object) @ b.astype(object)) % 2**32
    ref = np.array([[v - 2**32 if v >= 2**31 else v for v in row] for row in ref], dtype=np.int32)
    t32 = tl.mm(tl.from_numpy(a), tl.from_numpy(b)).numpy()
    assert np.array_equal(t32, ref)
    a64 = rng.integers(-2**62, 2**62, (3, 7))
    b64 = rng.integers(-2**62, 2**62, (7, 2))
    ref = (a64.astype(object) @ b64.astype(object)) % 2**64
    ref = np.array([[v - 2**64 if v >= 2**63 else v for v in row] for row in ref], dtype=np.int64)
    assert np.array_equal(tl.mm(tl.from_numpy(a64), tl.from_numpy(b64)).numpy(), ref)


# ---- thread count -----------------------------------------------------------------------------------------
@pytest.fixture
def restore_threads():
    old = tl.get_num_threads()
    yield
    tl.set_num_threads(old)


THREAD_CASES = [("mm", (5, 7, 9)), ("mm", (1, 300, 700)), ("mm", (3, 1000, 50)), ("mm", (700, 300, 2)),
                ("mm", (70, 300, 90)), ("mm", (129, 257, 65)), ("mm", (600, 700, 800)), ("mm", (8, 64, 4096)),
                ("mmT", (64, 784, 128)), ("mmT", (300, 520, 200)), ("linear", (64, 1024, 1024)),
                ("bmm", (8, 65, 33, 129)), ("bmm", (3, 200, 300, 100)), ("addmm", (130, 400, 70))]


@pytest.mark.parametrize("dtype", DTYPES)
def test_thread_count_bitwise(dtype, restore_threads):
    rng = np.random.default_rng(13)
    for op, shape in THREAD_CASES:
        if op == "bmm":
            B, M, K, N = shape
            args = (tl.from_numpy(_values(rng, (B, M, K), dtype, "uniform")),
                    tl.from_numpy(_values(rng, (B, K, N), dtype, "uniform")))
        else:
            M, K, N = shape
            a = tl.from_numpy(_values(rng, (M, K), dtype, "uniform"))
            bs = (N, K) if op in ("mmT", "linear") else (K, N)
            b = tl.from_numpy(_values(rng, bs, dtype, "uniform"))
            args = (a, b.t() if op == "mmT" else b)
            if op == "addmm":
                args = (tl.from_numpy(_values(rng, (M, N), dtype, "uniform")),) + args
        fn = {"mm": tl.mm, "mmT": tl.mm, "bmm": tl.bmm, "linear": linear,
              "addmm": lambda c, a, b: tl.addmm(c, a, b, beta=0.5, alpha=-2)}[op]
        outs = []
        for nt in (1, 2):
            tl.set_num_threads(nt)
            outs.append(fn(*args).numpy().copy())
        assert np.array_equal(outs[0], outs[1]), (op, shape, "1 vs 2 threads differ")


# ---- ISA variants -----------------------------------------------------------------------------------------
# (op, M, K, N, layout of A, layout of B): sizes around the register tiles (8/16 lanes, 6-14 rows) and the
# cache blocks, with every transpose.
ISA_CASES = ([("mm", m, k, n, la, lb) for (m, k, n), (la, lb) in zip(
    [(1, 1, 1), (5, 7, 9), (6, 64, 16), (7, 65, 17), (8, 31, 32), (13, 100, 33), (14, 257, 48), (15, 33, 49),
     (16, 16, 16), (31, 129, 63), (47, 300, 65), (97, 193, 130), (1, 1031, 70), (70, 1031, 1), (3, 520, 300),
     (260, 600, 5), (200, 700, 300)],
    itertools.cycle([("n", "n"), ("t", "n"), ("n", "t"), ("t", "t"), ("colstep", "ld"), ("tld", "rowstep")]))]
    + [("addmm", 33, 65, 47, "n", "t"), ("addmm", 129, 300, 17, "t", "n"), ("linear", 7, 784, 128, "n", "n"),
       ("linear", 64, 1024, 130, "n", "n"), ("bmm", 65, 40, 33, "n", "n")])


def _isa_inputs(i, case, dtype, kind):
    op, M, K, N, la, lb = case
    rng = np.random.default_rng(1000 * i + (kind == "int"))
    if op == "bmm":
        a, b = _values(rng, (3, M, K), dtype, kind), _values(rng, (3, K, N), dtype, kind)
        return (tl.from_numpy(a), tl.from_numpy(b)), a.astype(F64) @ b.astype(F64), \
            np.abs(a.astype(F64)) @ np.abs(b.astype(F64))
    if op == "linear":
        x, w = _values(rng, (M, K), dtype, kind), _values(rng, (N, K), dtype, kind)
        bias = _values(rng, (N,), dtype, kind)
        return (tl.from_numpy(x), tl.from_numpy(w), tl.from_numpy(bias)), \
            x.astype(F64) @ w.astype(F64).T + bias, np.abs(x.astype(F64)) @ np.abs(w.astype(F64)).T + np.abs(bias)
    a, a64 = _operand(rng, M, K, dtype, kind, la)
    b, b64 = _operand(rng, K, N, dtype, kind, lb)
    if op == "addmm":
        c = _values(rng, (M, N), dtype, kind)
        return (tl.from_numpy(c), a, b), 0.5 * c + -2 * (a64 @ b64), 0.5 * np.abs(c) + 2 * (np.abs(a64) @ np.abs(b64))
    return (a, b), a64 @ b64, np.abs(a64) @ np.abs(b64)


def _isa_call(op, args):
    if op == "addmm":
        return tl.addmm(*args, beta=0.5, alpha=-2)
    return {"mm": tl.mm, "linear": linear, "bmm": tl.bmm}[op](*args)


def _isa_child(path):
    """Runs in a subprocess with TENSORLITE_ISA set: computes every ISA case with 1 and 2 threads."""
    res = {"isa": np.array(tl._C.isa_selected()), "thread_equal": np.array(True)}
    if hasattr(tl._C, "gemm_config"):
        cfg = tl._C.gemm_config
        res["gemm_config"] = np.array(json.dumps(cfg() if callable(cfg) else cfg, default=str))
    for dtype in DTYPES:
        for kind in ("int", "uniform"):
            for i, case in enumerate(ISA_CASES):
                args, _, _ = _isa_inputs(i, case, dtype, kind)
                outs = []
                for nt in (1, 2):
                    tl.set_num_threads(nt)
                    outs.append(_isa_call(case[0], args).numpy().copy())
                if not np.array_equal(outs[0], outs[1]):
                    res["thread_equal"] = np.array(False)
                res[f"{dtype}_{kind}_{i}"] = outs[0]
    np.savez(path, **res)


def _supported():
    return tl._C.isa_supported().split(",")


_isa_cache = {}


def _isa_run(isa, tmp_path_factory):
    if isa not in _isa_cache:
        path = tmp_path_factory.mktemp("gemm_isa") / f"{isa}.npz"
        env = dict(os.environ, TENSORLITE_ISA=isa, OMP_NUM_THREADS="2",
                   PYTHONPATH=os.pathsep.join([PYDIR, TESTS, os.environ.get("PYTHONPATH", "")]))
        code = f"import test_gemm; test_gemm._isa_child({str(path)!r})"
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
        _isa_cache[isa] = dict(np.load(path))
    return _isa_cache[isa]


@pytest.mark.parametrize("isa", ["generic", "avx2", "avx512"])
def test_isa_variant_gemm(isa, tmp_path_factory):
    if isa not in _supported():
        pytest.skip(f"this CPU does not support {isa}")
    res = _isa_run(isa, tmp_path_factory)
    assert str(res["isa"]) == isa
    if "gemm_config" in res:
        cfg = json.loads(str(res["gemm_config"]))
        print(isa, "gemm_config:", cfg)
        if isinstance(cfg, dict) and "isa" in cfg:
            assert cfg["isa"] == isa, cfg
    assert bool(res["thread_equal"]), f"{isa}: results differ between 1 and 2 threads"
    bad = []
    for dtype in DTYPES:
        for kind in ("int", "uniform"):
            for i, case in enumerate(ISA_CASES):
                _, ref, scale = _isa_inputs(i, case, dtype, kind)
                e = _compare(tl.from_numpy(res[f"{dtype}_{kind}_{i}"]), ref, scale, case[2] + 1, dtype, kind == "int")
                if e is not None:
                    bad.append((isa, dtype, kind, case, e))
    assert not bad, bad[:10]


def test_isa_variants_agree(tmp_path_factory):
    """The variants differ only in rounding (FMA, summation order): within the rounding tolerance of each
    other, and bitwise on the exact (integer-valued) cases."""
    isas = [i for i in ("generic", "avx2", "avx512") if i in _supported()]
    if len(isas) < 2:
        pytest.skip("only one ISA variant runs on this CPU")
    base = _isa_run(isas[0], tmp_path_factory)
    for isa in isas[1:]:
        other = _isa_run(isa, tmp_path_factory)
        for dtype in DTYPES:
            for i, case in enumerate(ISA_CASES):
                k = f"{dtype}_int_{i}"
                assert np.array_equal(base[k], other[k]), (isas[0], isa, k, case)
                k = f"{dtype}_uniform_{i}"
                _, _, scale = _isa_inputs(i, case, dtype, "uniform")
                d = np.abs(base[k].astype(F64) - other[k]) / (scale + 1e-300)
                assert d.size == 0 or d.max() <= 2 * _tol(case[2] + 1, dtype), (isas[0], isa, k, case, d.max())


def test_gemm_config_if_exposed():
    if not hasattr(tl._C, "gemm_config"):
        pytest.skip("_C.gemm_config is not exposed")
    cfg = tl._C.gemm_config
    cfg = cfg() if callable(cfg) else cfg
    print("gemm_config:", cfg)
    assert isinstance(cfg, dict) and cfg
    if "isa" in cfg:
        assert cfg["isa"] == tl._C.isa_selected()
    for k, v in cfg.items():
        if isinstance(v, int) and not isinstance(v, bool):
            assert v > 0, (k, v)


# ---- gradients --------------------------------------------------------------------------------------------
def _grad_pair(rng, shape, trans):
    """A float64 leaf in both libraries and the operand used (its transpose view when trans)."""
    import torch
    v = rng.standard_normal(shape[::-1] if trans else shape)
    a, b = tl.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    return (a, b), (a.t() if trans else a, b.t() if trans else b)


GRAD_CASES = [("mm", (1, 1, 1)), ("mm", (7, 33, 17)), ("mm", (65, 3, 31)), ("matmul", (17, 129, 5)),
              ("addmm", (33, 16, 15)), ("linear", (31, 47, 9)), ("linear3d", (13, 65, 7)), ("bmm", (7, 5, 33))]


@pytest.mark.parametrize("op,shape", GRAD_CASES, ids=[f"{o}-{'x'.join(map(str, s))}" for o, s in GRAD_CASES])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gradients_match_torch(op, shape, ta, tb):
    import torch
    rng = np.random.default_rng(_seed(op, shape, ta, tb))
    M, K, N = shape
    if op == "bmm":
        leaves, args = [], []
        for s, t in (((3, M, K), ta), ((3, K, N), tb)):
            v = rng.standard_normal(s[:1] + s[:0:-1] if t else s)
            pair = (tl.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True))
            leaves.append(pair)
            args.append(tuple(x.mT if t else x for x in pair))
    elif op.startswith("linear"):
        xs = (3, M, K) if op == "linear3d" else (M, K)
        lx = rng.standard_normal(xs)
        x = (tl.tensor(lx, requires_grad=True), torch.tensor(lx, requires_grad=True))
        (wl, w) = _grad_pair(rng, (N, K), ta)  # a transposed weight: W^T stored (K, N)
        bv = rng.standard_normal(N)
        bias = (tl.tensor(bv, requires_grad=True), torch.tensor(bv, requires_grad=True)) if tb else (None, None)
        leaves = [x, wl] + ([bias] if tb else [])
        args = [x, w, bias]
    else:
        la, a = _grad_pair(rng, (M, K), ta)
        lb, b = _grad_pair(rng, (K, N), tb)
        leaves, args = [la, lb], [a, b]
        if op == "addmm":
            cv = rng.standard_normal(N)
            c = (tl.tensor(cv, requires_grad=True), torch.tensor(cv, requires_grad=True))
            leaves.append(c)
            args = [c] + args
    ys = []
    for lib, k in ((tl, 0), (torch, 1)):
        xs = [x[k] if x is not None else None for x in args]
        if op in ("mm", "matmul", "bmm"):
            y = getattr(lib, op)(*xs)
        elif op == "addmm":
            y = lib.addmm(*xs, beta=0.5, alpha=-2)
        else:
            y = (linear if lib is tl else torch.nn.functional.linear)(*xs)
        g = np.random.default_rng(1).standard_normal(tuple(y.shape))
        y.backward(lib.tensor(g))
        ys.append(y.detach().numpy())
    np.testing.assert_allclose(ys[0], ys[1], rtol=1e-12, atol=1e-12)
    for pair in leaves:
        assert pair[0].grad is not None, (op, "missing gradient")
        np.testing.assert_allclose(pair[0].grad.numpy(), pair[1].grad.numpy(), rtol=1e-11, atol=1e-11)


# ---- every driver path, forced through the debug overrides ---------------------------------------------------
@pytest.fixture
def gemm_overrides():
    yield tl._C._gemm_set_overrides
    tl._C._gemm_set_overrides()


_FORCED = [dict(orient=1), dict(orient=2), dict(pack_a=1), dict(pack_a=2), dict(path=1),
           dict(kc=16, mc=12, nc=128), dict(kc=7, mc=6, nc=64, orient=2, pack_a=1), dict(kc=32, orient=2, pack_a=2)]


@pytest.mark.parametrize("forced", _FORCED, ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()))
@pytest.mark.parametrize("dtype", DTYPES)
def test_forced_paths(gemm_overrides, forced, dtype):
    """Orientation, in-place vs packed A, the matrix-vector shortcut and tiny blocks (many K, M and N
    blocks, so every edge of the loop nest is crossed) give exact results on integer-valued inputs, with
    threads (bitwise equal to one thread) and with beta, on row-major and transposed operands."""
    gemm_overrides(**forced)
    for (M, K, N), (la, lb) in itertools.product(((1, 37, 70), (70, 37, 1), (13, 100, 131), (67, 5, 200), (131, 300, 9)),
                                                 (("n", "n"), ("t", "t"), ("n", "t"))):
        for threads in (1, 2):
            old = tl.get_num_threads()
            tl.set_num_threads(threads)
            try:
                got, ref, _ = _mm_case(M, K, N, la, lb, dtype, "int", seed=M * K + N)
            finally:
                tl.set_num_threads(old)
            assert _compare(got, ref, None, K, dtype, exact=True) is None, (forced, M, K, N, la, lb, threads)
        c = np.arange(M * N, dtype=dtype).reshape(M, N) % 7
        a, b = (np.arange(n, dtype=dtype).reshape(s) % 5 - 2 for n, s in ((M * K, (M, K)), (K * N, (K, N))))
        got = tl.addmm(tl.from_numpy(c), tl.from_numpy(a), tl.from_numpy(b), beta=3, alpha=-2).numpy()
        np.testing.assert_array_equal(got, -2 * (a.astype(F64) @ b) + 3 * c, err_msg=str((forced, M, K, N)))
