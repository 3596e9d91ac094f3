"""Matrix products beyond the generic op_db checks: double backward (the backward formulas are matmuls of
transposed views, so they must themselves be differentiable: second-order gradients against torch), and
the fast paths' results against torch on shapes that select each kernel path."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl
from tensorlite.ops.linalg import linear


def _pair(rng, *shape):
    a = rng.standard_normal(shape)
    return tl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


CASES = [
    ("2d@2d", lambda L, a, b: L.matmul(a, b), [(3, 4), (4, 2)]),
    ("3d@1d", lambda L, a, b: L.matmul(a, b), [(2, 3, 4), (4,)]),
    ("1d@3d", lambda L, a, b: L.matmul(a, b), [(4,), (2, 4, 3)]),
    ("broadcast", lambda L, a, b: L.matmul(a, b), [(2, 1, 3, 4), (3, 4, 2)]),
    ("dot", lambda L, a, b: L.dot(a, b), [(5,), (5,)]),
    ("addmm", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0), [(3,), (2, 4), (4, 3)]),
    ("linear", lambda L, x, w, b: (linear if L is tl else torch.nn.functional.linear)(x, w, b),
     [(2, 3, 4), (5, 4), (5,)]),
    ("einsum", lambda L, a, b: L.einsum("bij,jk->bik", a, b), [(2, 3, 4), (4, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_second_order_matches_torch(name, fn, shapes):
    rng = np.random.default_rng(1)
    pairs = [_pair(rng, *s) for s in shapes]
    results = []
    for lib, k in ((tl, 0), (torch, 1)):
        xs = [p[k] for p in pairs]
        y = fn(lib, *xs)
        gs = lib.autograd.grad(y, xs, lib.ones_like(y), create_graph=True)
        gs = [g for g in gs if g.requires_grad]
        hs = lib.autograd.grad([g * g for g in gs], xs, [lib.ones_like(g) for g in gs],
                               allow_unused=True)
        results.append([h.detach().numpy() if h is not None else None for h in hs])
    for a, e in zip(*results):
        if e is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


# (M, K, N, transposed B): small-M dot kernel, small-M block kernel, swapped small-N, packed general path
@pytest.mark.parametrize("m,k,n,tb", [(1, 300, 70, True), (7, 300, 70, False), (70, 300, 5, False),
                                      (70, 300, 90, True), (130, 40, 300, False)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_paths_match_torch(m, k, n, tb, dtype):
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (m, k)).astype(dtype)
    b = rng.uniform(-1, 1, (n, k)).astype(dtype).T if tb else rng.uniform(-1, 1, (k, n)).astype(dtype)
    got = (tl.from_numpy(a) @ tl.from_numpy(b)).numpy()
    ref = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    tol = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)


def test_rmatmul_and_type_errors():
    a = tl.ones(2, 3)
    assert (a.__rmatmul__(tl.ones(4, 2))).shape == (4, 3)
    with pytest.raises(TypeError):
        a @ 2
    with pytest.raises(TypeError):
        tl.mm(a, [[1.0]])


# -- out= (torch's contract: written in place, `out` returned, dtype errors, resize + warning, no autograd) ----
# (op, argument shapes); every case is run in tensorlite and torch side by side.
OUT_CASES = [
    ("matmul", [(2, 3), (3, 4)]), ("matmul", [(3,), (3,)]), ("matmul", [(2, 3), (3,)]), ("matmul", [(3,), (3, 4)]),
    ("matmul", [(5, 2, 3), (3, 4)]), ("matmul", [(5, 2, 3), (1, 3, 4)]), ("matmul", [(5, 2, 3), (5, 3, 4)]),
    ("mm", [(2, 3), (3, 4)]), ("bmm", [(5, 2, 3), (5, 3, 4)]), ("mv", [(2, 3), (3,)]), ("dot", [(3,), (3,)]),
    ("vdot", [(3,), (3,)]), ("inner", [(2, 3), (4, 3)]), ("inner", [(), (4, 3)]), ("outer", [(2,), (4,)]),
    ("ger", [(2,), (4,)]), ("addmm", [(4,), (2, 3), (3, 4)]), ("baddbmm", [(2, 4), (5, 2, 3), (5, 3, 4)]),
    ("addmv", [(2,), (2, 3), (3,)]),
]
OUT_IDS = [f"{op}-{'x'.join('_'.join(map(str, s)) for s in shapes)}" for op, shapes in OUT_CASES]


def _out_args(shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrs = [np.asarray(rng.standard_normal(s), dtype=np.float32) for s in shapes]
    return [tl.tensor(a) for a in arrs], [torch.tensor(a) for a in arrs]


def _both(fn):
    """fn(lib, args) in both libraries: (value or (exception type, message)) for each."""
    res = []
    for lib in (tl, torch):
        try:
            res.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            res.append((type(e).__name__, str(e).split(" (Triggered internally")[0]))
    return res


def _call(lib, op, args, **kw):
    import warnings
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="torch.ger is deprecated")
        return getattr(lib, op)(*args, **kw)


@pytest.mark.parametrize("op,shapes", OUT_CASES, ids=OUT_IDS)
def test_out_values_and_identity(op, shapes):
    A, B = _out_args(shapes)
    ref = getattr(torch, op)(*B)
    for make in (lambda L: L.empty(tuple(ref.shape)),  # right shape: the direct path where there is one
                 lambda L: L.empty(tuple(ref.shape[::-1])).t() if ref.dim() == 2 else None):  # transposed view
        o_tl, o_t = make(tl), make(torch)
        if o_tl is None:
            continue
        st_tl, st_t = o_tl.stride(), o_t.stride()
        assert _call(tl, op, A, out=o_tl) is o_tl
        assert _call(torch, op, B, out=o_t) is o_t
        assert o_tl.stride() == st_tl == st_t  # written through the view, not replaced
        np.testing.assert_allclose(o_tl.numpy(), o_t.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op,shapes", OUT_CASES, ids=OUT_IDS)
def test_out_resize_and_warning(op, shapes):
    A, B = _out_args(shapes)
    for size in ((7, 7), (0,)):  # a non-empty wrong shape warns, an empty one resizes silently
        def run(L, args=None):
            import warnings
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                o = L.empty(*size)
                _call(L, op, args, out=o)
            msgs = [str(x.message).split(" (Triggered internally")[0] for x in w if issubclass(x.category, UserWarning)
                    and "resized" in str(x.message)]
            return tuple(o.shape), tuple(o.stride()), np.round(np.asarray(o.tolist()), 4).tolist(), msgs
        assert run(tl, A) == run(torch, B)


@pytest.mark.parametrize("op,shapes", OUT_CASES, ids=OUT_IDS)
def test_out_dtype_and_grad_errors(op, shapes):
    A, B = _out_args(shapes)
    shape = tuple(getattr(torch, op)(*B).shape)
    for dt in ("float64", "int64"):
        res = _both(lambda L: _call(L, op, A if L is tl else B, out=L.empty(shape, dtype=getattr(L, dt))).dtype
                    and "ok")
        assert res[0] == res[1], res

    def grad(L):
        args = [a.clone() for a in (A if L is tl else B)]
        args[0].requires_grad_(True)
        o = L.empty(shape)
        r = _call(L, op, args, out=o)
        return r is o, o.requires_grad
    res = _both(grad)
    assert res[0] == res[1], res  # inner's tensordot path allows it (out takes the history); the rest raise
    with tl.no_grad():
        args = [a.clone().requires_grad_(i == 0) for i, a in enumerate(A)]
        o = tl.empty(shape)
        assert _call(tl, op, args, out=o) is o and not o.requires_grad


def test_out_aliasing_an_input():
    """out= an operand: the GEMM must not read what it is writing (torch gives the right answer)."""
    rng = np.random.default_rng(3)
    x, y = (np.asarray(rng.standard_normal((3, 3)), dtype=np.float32) for _ in range(2))
    a = tl.tensor(x)
    assert tl.mm(a, tl.tensor(y), out=a) is a
    np.testing.assert_allclose(a.numpy(), x @ y, rtol=1e-5, atol=1e-5)
    c = tl.tensor(x)
    tl.addmm(c, tl.tensor(x), tl.tensor(y), beta=0.5, alpha=2, out=c)
    np.testing.assert_allclose(c.numpy(), 0.5 * x + 2 * x @ y, rtol=1e-5, atol=1e-5)
    # torch refuses this in mm (its bmm/mv write one value over another; tensorlite refuses there too)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        tl.mm(tl.tensor(x), tl.tensor(y), out=tl.empty(1).expand(3, 3))


def test_out_keeps_storage_when_big_enough():
    base = tl.zeros(20)
    o = base[2:]
    x, y = tl.ones(2, 3), tl.ones(3, 4)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tl.mm(x, y, out=o)
    assert o.storage_offset() == 2 and o.stride() == (4, 1)
    np.testing.assert_array_equal(base.numpy()[2:10], np.full(8, 3.0, np.float32))  # visible through the base
