"""The fast paths of the indexing family, each against torch: contiguous gather / scatter / scatter_add /
index_select / cat kernels (and the strided inputs, empty tensors and negative dims that must bypass or
survive them), sort without NaN, and the Python shortcuts of __getitem__ / __setitem__ (a single
non-tuple index, x[:, idx], x[mask] = v, x[idx] = v, and advanced indices after leading dims)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import tensorlite as tl

from test_indexing import assert_equal, index_items, make_pair, run_both, shapes, to_tl_index

SETTINGS = dict(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(fn, *arrays):
    """fn(lib, *tensors) in both libraries on the same arrays: same result or same exception type."""
    e, a = run_both(lambda: fn(torch, *[torch.tensor(x) for x in arrays]),
                    lambda: fn(tl, *[tl.tensor(x) for x in arrays]))
    if e is not None:
        assert_equal(a, e)


RNG = np.random.default_rng(7)


def lay(lib, x, how):
    """The same values contiguous, transposed (a strided view) or sliced (a strided view)."""
    if how == "t":
        return x.transpose(0, -1).contiguous().transpose(0, -1)
    if how == "slice":
        return lib.cat([x, x], -1)[..., : x.shape[-1]]
    return x


# -- gather ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1, -2])
@pytest.mark.parametrize("how", ["contig", "t", "slice"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_gather(dim, how, dtype):
    x = (RNG.standard_normal((5, 7)) * 4).astype(dtype)
    d = dim % 2
    ishape = [5, 7]
    ishape[d] = 9
    idx = RNG.integers(0, x.shape[d], size=ishape)
    check(lambda L, a, i: lay(L, a, how).gather(dim, i), x, idx)


def test_gather_shapes_and_edges():
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    check(lambda L, a, i: a.gather(1, i), x, RNG.integers(0, 4, size=(3, 6, 5)))       # inner > 1, contiguous
    check(lambda L, a, i: a.gather(2, i), x, RNG.integers(0, 5, size=(2, 3, 4)))       # idx smaller than x
    check(lambda L, a, i: a.gather(0, i), x, np.zeros((0, 4, 5), np.int64))            # empty
    check(lambda L, a, i: a.gather(2, i), np.zeros((3, 0), np.float32), np.zeros((3, 0), np.int64))
    check(lambda L, a, i: a.gather(-1, i), np.zeros((2, 0), np.float32), np.zeros((2, 3), np.int64))  # size-0 dim
    check(lambda L, a, i: a.gather(0, i), np.float32(2.5), np.int64(0))                # 0-d
    idx = np.array([[0, 1], [2, 3]])
    check(lambda L, a, i: a.gather(0, i.expand(2, 2)), x[0], idx)                      # expanded (stride 0) idx


@pytest.mark.parametrize("bad", [5, -1, 1 << 40])
def test_gather_out_of_range_raises_runtime_error(bad):
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    idx = RNG.integers(0, 5, size=(4, 6))
    idx[2, 3] = bad
    for lib in (torch, tl):
        with pytest.raises(RuntimeError, match="out of bounds"):
            lib.tensor(x).gather(1, lib.tensor(idx))


# -- scatter / scatter_add -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("how", ["contig", "t", "slice"])
@pytest.mark.parametrize("add", [False, True])
def test_scatter(dim, how, add):
    d = dim % 2
    sshape = [6, 5]
    ishape = [6, 5]
    ishape[d] = 8
    src = RNG.standard_normal(ishape).astype(np.float64)
    if add:
        idx = RNG.integers(0, sshape[d], size=ishape)   # duplicates are summed in index order
    else:  # unique targets per line, so the result does not depend on which duplicate wins
        ishape[d] = 4
        src = src[:4] if d == 0 else src[:, :4]
        idx = np.argsort(RNG.random(sshape), axis=d)[:4] if d == 0 else np.argsort(RNG.random(sshape), axis=d)[:, :4]
    base = RNG.standard_normal(sshape)

    def fn(L, b, i, s):
        b = lay(L, b, how).clone() if how == "contig" else lay(L, b, how)
        return b.scatter_add_(dim, i, s) if add else b.scatter_(dim, i, s)
    check(fn, base, idx, src)


def test_scatter_add_int_bool_and_empty():
    idx = RNG.integers(0, 3, size=(4, 6))
    check(lambda L, i, s: L.zeros(4, 3, dtype=L.int64).scatter_add_(1, i, s), idx, RNG.integers(-5, 5, (4, 6)))
    check(lambda L, i, s: L.zeros(4, 3, dtype=L.bool).scatter_add_(1, i, s), idx, RNG.random((4, 6)) > 0.5)
    check(lambda L, i, s: L.zeros(4, 3).scatter_add_(1, i, s), np.zeros((4, 0), np.int64), np.zeros((4, 0)))


def test_scatter_add_out_of_range_leaves_self_unchanged():
    idx = np.zeros((3, 4), np.int64)
    idx[2, 1] = 7
    x = tl.ones(3, 5)
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.scatter_add_(1, tl.tensor(idx), tl.ones(3, 4))
    assert x.tolist() == [[1.0] * 5] * 3


# -- index_select ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("how", ["contig", "t"])
def test_index_select(dim, how):
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    idx = RNG.integers(0, x.shape[dim], size=11)
    check(lambda L, a, i: lay(L, a, how).index_select(dim, i), x, idx)
    check(lambda L, a, i: a.index_select(dim, i[::2]), x, idx)                          # strided index
    check(lambda L, a, i: a.index_select(dim, i), x, np.zeros(0, np.int64))            # empty index


def test_index_select_inner_one_rows_cross_chunks():
    # inner == 1 with many rows: the row walk carries (o, k) across thread chunks
    x = RNG.standard_normal((300, 257)).astype(np.float32)
    idx = RNG.integers(0, 257, size=130)
    n0 = tl.get_num_threads()
    try:
        for nt in (1, 2, 3):
            tl.set_num_threads(nt)
            check(lambda L, a, i: a.index_select(1, i), x, idx)
    finally:
        tl.set_num_threads(n0)


# -- cat ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_cat_rows(dim):
    a = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    shp = list(a.shape)
    shp[dim] = 5
    b = RNG.standard_normal(shp).astype(np.float32)
    shp[dim] = 0
    e = np.zeros(shp, np.float32)
    check(lambda L, x, y, z: L.cat([x, y, z, x], dim), a, b, e)
    check(lambda L, x, y: L.cat([x.transpose(0, 2).contiguous().transpose(0, 2), y], dim), a, b)  # strided input
    check(lambda L, x, y: L.cat([x, y.double()], dim), a, b)                                        # promotion
    check(lambda L, x: L.cat([x, L.zeros(0)], dim), a)                                               # legacy (0,)


def test_cat_large_multithreaded_matches():
    a = RNG.standard_normal((700, 33)).astype(np.float32)
    b = RNG.standard_normal((700, 70)).astype(np.float32)
    n0 = tl.get_num_threads()
    try:
        for nt in (1, 2):
            tl.set_num_threads(nt)
            check(lambda L, x, y: L.cat([x, y, x], 1), a, b)
    finally:
        tl.set_num_threads(n0)


# -- sort ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("kind", ["float", "dups", "nan", "int", "signed-zero"])
def test_sort_stable_matches_torch(descending, kind):
    if kind == "float":
        x = RNG.standard_normal((4, 50))
    elif kind == "dups":
        x = RNG.integers(0, 4, (4, 50)).astype(np.float32)
    elif kind == "nan":
        x = RNG.integers(0, 4, (4, 50)).astype(np.float64)
        x[RNG.random((4, 50)) > 0.7] = np.nan
    elif kind == "int":
        x = RNG.integers(-3, 3, (4, 50))
    else:
        x = np.where(RNG.random((4, 50)) > 0.5, 0.0, -0.0)
    for dim in (1, 0, -1):
        vt, it = torch.tensor(x).sort(stable=True, dim=dim, descending=descending)
        vl, il = tl.tensor(x).sort(dim, descending=descending)
        np.testing.assert_array_equal(vl.numpy(), vt.numpy())
        np.testing.assert_array_equal(il.numpy(), it.numpy())


# -- __getitem__ / __setitem__ shortcuts ------------------------------------------------------------------------
@settings(**SETTINGS)
@given(data=st.data())
def test_single_item_index_matches_torch(data):
    """x[item] with item not wrapped in a tuple: the form the getitem/setitem shortcuts see."""
    shape = data.draw(shapes())
    items = data.draw(index_items(shape))
    if len(items) != 1:
        return
    item = items[0]
    tl_item = to_tl_index(items)[0]
    xt, xl = make_pair(shape)
    e, a = run_both(lambda: xt[item], lambda: xl[tl_item])
    if e is not None:
        assert_equal(a, e)
    value = float(data.draw(st.integers(-5, 5)))

    def set_t():
        xt[item] = value
        return xt

    def set_l():
        xl[tl_item] = value
        return xl
    e, a = run_both(set_t, set_l)
    if e is not None:
        assert_equal(a, e)


@pytest.mark.parametrize("expr", [
    "x[:, I]", "x[..., I]", "x[:, :, I]", "x[I, :]", "x[..., I, :]", "x[:, I2]", "x[:, -1 - I]", "x[:, E]",
    "x[1:, I]", "x[:, I, I]", "x[I, I]", "x[:, [0, 2]]", "x[2]", "x[-1]", "x[1:3]", "x[::2, 1]", "x[None, ..., 0]",
    "x[M]", "x[M2]", "x[I]", "x.transpose(0, 2)[I]", "x.transpose(0, 2)[:, I]",
    # basic views of a strided view with a storage offset
    "y[1]", "y[-1, 1:]", "y[:, ::2]", "y[..., None, -1]", "y[None, 1, :, 0]", "y[:, 1:, 1::3]", "y[5:]",
])
def test_shortcut_expressions(expr):
    arr = np.arange(60.0).reshape(3, 4, 5)
    env = {}
    for lib in (torch, tl):
        x = lib.tensor(arr)
        env[lib] = {"x": x, "y": x[1:, :, ::2].transpose(0, 2), "I": lib.tensor([0, 2, 1, 2]), "I2": lib.tensor([[1, 0], [3, 3]]),
                    "E": lib.tensor(np.zeros(0, np.int64)), "M": lib.tensor(arr % 3 == 0),
                    "M2": lib.tensor((arr % 2 == 0)[..., 0])}
    assert_equal(eval(expr, env[tl]), eval(expr, env[torch]))


@pytest.mark.parametrize("expr", ["x[:, I]", "x[..., I]", "x[1:, I]", "x[:, I, I]", "x[I]", "x[M]", "x[2]",
                                  "x[:, 1:3]", "x[:, I2]"])
def test_shortcut_gradients(expr):
    arr = np.random.default_rng(2).standard_normal((3, 4, 5))
    grads = {}
    for lib in (torch, tl):
        x = lib.tensor(arr, requires_grad=True)
        env = {"x": x, "I": lib.tensor([0, 2, 2]), "I2": lib.tensor([[1, 0], [3, 3]]),
               "M": lib.tensor(arr > 0)}
        y = eval(expr, env)
        up = np.random.default_rng(3).standard_normal(tuple(y.shape))
        (g,) = lib.autograd.grad(y, [x], lib.tensor(up))
        grads[lib] = g.numpy()
    np.testing.assert_allclose(grads[tl], grads[torch], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
@pytest.mark.parametrize("how", ["contig", "t"])
def test_setitem_mask_number(dtype, how):
    arr = (RNG.standard_normal((4, 6)) * 3).astype(dtype)
    mask = RNG.random((4, 6)) > 0.5
    for value in (0, 1, True, 2.0):
        out = []
        for lib in (torch, tl):
            x = lay(lib, lib.tensor(arr), how)
            m = lay(lib, lib.tensor(mask), how)
            x[m] = value
            out.append(x)
        assert_equal(out[1], out[0])


def test_setitem_mask_aliasing_and_empty():
    for lib in (torch, tl):
        b = lib.tensor([True, False, True])
        b[b] = False                        # mask aliases the target
        assert b.tolist() == [False, False, False]
        e = lib.zeros(0, 3)
        e[lib.zeros(0, 3, dtype=lib.bool)] = 1.0
        assert tuple(e.shape) == (0, 3)


@pytest.mark.parametrize("expr,value", [
    ("x[I]", 3.0), ("x[-1 - I]", 1), ("x[I2]", 2.5), ("x[E]", 1.0), ("x[:, I]", 4.0), ("x[..., I]", -1.0),
    ("x[1:, I]", 5.0), ("x[:, I, I]", 6.0), ("x[:, I]", "V"), ("x[..., I]", "V"), ("x[I, :, 1]", 2.0),
])
def test_setitem_index_tensor(expr, value):
    arr = np.arange(60.0).reshape(3, 4, 5)
    res = []
    for lib in (torch, tl):
        x = lib.tensor(arr)
        env = {"x": x, "I": lib.tensor([0, 2, 2]), "I2": lib.tensor([[1, 0], [2, 2]]),
               "E": lib.tensor(np.zeros(0, np.int64))}
        target = expr[2:-1]
        v = value
        if value == "V":
            shape = tuple(eval(expr, {**env, "x": lib.tensor(arr)}).shape)
            v = lib.tensor(np.random.default_rng(4).standard_normal(shape))
        exec(f"x[{target}] = v", {**env, "v": v})
        res.append(x)
    assert_equal(res[1], res[0])


def test_setitem_index_tensor_out_of_range_raises_index_error():
    for lib in (torch, tl):
        x = lib.zeros(3, 4)
        with pytest.raises(IndexError):
            x[lib.tensor([0, 3])] = 1.0
        with pytest.raises(IndexError):
            x[:, lib.tensor([4])] = 1.0


# -- masked_select (branch-free compaction in chunks of 16384) ---------------------------------------------------
@pytest.mark.parametrize("pattern", ["random", "none", "all", "head-only", "tail-only"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_masked_select_chunks(pattern, dtype):
    n = 40000                                # three chunks, the last one partial
    x = (RNG.standard_normal(n) * 5).astype(dtype)
    m = {"random": RNG.random(n) > 0.5, "none": np.zeros(n, bool), "all": np.ones(n, bool),
         "head-only": np.arange(n) < 100, "tail-only": np.arange(n) >= n - 3}[pattern]
    n0 = tl.get_num_threads()
    try:
        for nt in (1, 2):
            tl.set_num_threads(nt)
            check(lambda L, a, b: a.masked_select(b), x, m)
            check(lambda L, a, b: a.reshape(200, 200)[b.reshape(200, 200)], x, m)
    finally:
        tl.set_num_threads(n0)


@pytest.mark.parametrize("threads", [1, 2])
def test_cat_few_long_rows_split_across_threads(threads):
    """cat along dim 0 is one long output row: it is split by position, pieces straddling inputs."""
    old = tl.get_num_threads()
    try:
        tl.set_num_threads(threads)
        rng = np.random.default_rng(3)
        parts = [rng.standard_normal(n).astype(np.float32) for n in (131071, 5, 200003, 0, 77)]
        got = tl.cat([tl.tensor(p) for p in parts]).numpy()
        np.testing.assert_array_equal(got, torch.cat([torch.tensor(p) for p in parts]).numpy())
        mats = [rng.standard_normal((40000, 3)).astype(np.float32) for _ in range(3)]
        got = tl.cat([tl.tensor(m) for m in mats], 0).numpy()
        np.testing.assert_array_equal(got, np.concatenate(mats, 0))
    finally:
        tl.set_num_threads(old)
