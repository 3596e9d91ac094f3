"""Property tests: Tensor.__getitem__ / __setitem__ against torch on random shapes and random index
expressions (ints, slices with steps, None, Ellipsis, int lists and tensors, bool masks, bool scalars),
including results, views vs copies, error types, and gradients through both."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import tensorlite as tl

SETTINGS = dict(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def shapes(draw):
    nd = draw(st.integers(0, 4))
    return tuple(draw(st.lists(st.integers(0, 4), min_size=nd, max_size=nd)))


@st.composite
def index_items(draw, shape, allow_invalid=True):
    """A tuple of index items consuming at most len(shape) dims (plus, rarely, invalid ones)."""
    items = []
    d = 0
    nd = len(shape)
    used_ell = False
    n_items = draw(st.integers(0, nd + 2))
    for _ in range(n_items):
        kinds = ["none", "bool"]
        if d < nd:
            kinds += ["int", "slice", "slice", "list", "tensor", "mask"]
        if not used_ell:
            kinds.append("ell")
        kind = draw(st.sampled_from(kinds))
        if kind == "none":
            items.append(None)
        elif kind == "bool":
            items.append(draw(st.sampled_from([True, False, torch.tensor(True), torch.tensor(False)])))
        elif kind == "ell":
            used_ell = True
            items.append(Ellipsis)  # consumes whatever is left; the draw goes on from the current dim
        elif kind == "int":
            s = shape[d]
            lo, hi = (-s, s - 1) if s else (-1, 0)
            if allow_invalid and draw(st.integers(0, 30)) == 0:
                lo, hi = -s - 2, s + 2
            if s == 0 and not allow_invalid:
                items.append(slice(None))
            else:
                v = draw(st.integers(lo, hi))
                items.append(draw(st.sampled_from([v, torch.tensor(v)])))
            d += 1
        elif kind == "slice":
            s = shape[d]
            start = draw(st.one_of(st.none(), st.integers(-s - 1, s + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-s - 1, s + 1)))
            step = draw(st.sampled_from([None, 1, 2, 3]))
            items.append(slice(start, stop, step))
            d += 1
        elif kind in ("list", "tensor"):
            s = shape[d]
            if s == 0:
                vals_shape = (0,)
                vals = np.zeros(0, dtype=np.int64)
            else:
                vals_shape = draw(st.sampled_from([(1,), (2,), (3,), (2, 2), (1, 3), ()]))
                n = int(np.prod(vals_shape))
                vals = np.array(draw(st.lists(st.integers(-s, s - 1), min_size=n, max_size=n)),
                                dtype=np.int64).reshape(vals_shape)
            if kind == "list" and vals.ndim == 1:
                items.append([int(v) for v in vals])
            else:
                items.append(torch.tensor(vals))
            d += 1
        else:  # mask over the next k dims
            k = draw(st.integers(1, max(1, min(2, nd - d))))
            mshape = shape[d:d + k]
            n = int(np.prod(mshape))
            bits = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            items.append(torch.tensor(np.array(bits, dtype=bool).reshape(mshape)))
            d += k
    return tuple(items)


def to_tl_index(idx):
    def conv(it):
        if isinstance(it, torch.Tensor):
            return tl.tensor(it.numpy())
        return it
    return tuple(conv(i) for i in idx)


def run_both(fn_torch, fn_tl):
    try:
        e = fn_torch()
        e_exc = None
    except Exception as ex:  # noqa: BLE001
        e, e_exc = None, ex
    if e_exc is not None:
        with pytest.raises(type(e_exc)):
            fn_tl()
        return None, None
    return e, fn_tl()


def assert_equal(a, e):
    assert tuple(a.shape) == tuple(e.shape), (tuple(a.shape), tuple(e.shape))
    assert a.dtype.name == str(e.dtype).replace("torch.", "")
    np.testing.assert_array_equal(a.detach().numpy(), e.detach().numpy())


def make_pair(shape, dtype=np.float64):
    rng = np.random.default_rng(sum(shape) + len(shape))
    arr = rng.standard_normal(shape).astype(dtype) if shape else np.array(rng.standard_normal(), dtype=dtype)
    return torch.tensor(arr), tl.tensor(arr)


@settings(**SETTINGS)
@given(data=st.data())
def test_getitem_matches_torch(data):
    shape = data.draw(shapes())
    idx = data.draw(index_items(shape))
    xt, xl = make_pair(shape)
    e, a = run_both(lambda: xt[idx], lambda: xl[to_tl_index(idx)])
    if e is None:
        return
    assert_equal(a, e)
    # basic indexing gives a view (shared storage), advanced indexing a copy, exactly as torch
    e_view = e.untyped_storage().data_ptr() == xt.untyped_storage().data_ptr() and e.numel() > 0
    a_view = a._t.storage_id == xl._t.storage_id and a.numel() > 0
    assert a_view == e_view


@settings(**SETTINGS)
@given(data=st.data())
def test_getitem_backward_matches_torch(data):
    shape = data.draw(shapes())
    idx = data.draw(index_items(shape, allow_invalid=False))
    xt, xl = make_pair(shape)
    xt.requires_grad_(True)
    xl.requires_grad_(True)
    try:
        et = xt[idx]
    except Exception:  # noqa: BLE001
        return
    at = xl[to_tl_index(idx)]
    up = np.random.default_rng(0).standard_normal(tuple(et.shape))
    (gt,) = torch.autograd.grad(et, [xt], torch.tensor(up))
    (gl,) = tl.autograd.grad(at, [xl], tl.tensor(up))
    np.testing.assert_allclose(gl.numpy(), gt.numpy(), rtol=1e-12, atol=1e-12)


def _value_for(result_shape, draw):
    """A value broadcastable to result_shape: a number, the full shape, or a reduced shape."""
    kind = draw(st.sampled_from(["scalar", "full", "broadcast", "zero-d"]))
    rng = np.random.default_rng(len(result_shape))
    if kind == "scalar":
        return float(draw(st.integers(-5, 5)))
    if kind == "zero-d":
        return np.array(rng.standard_normal())
    shape = list(result_shape)
    if kind == "broadcast" and shape:
        drop = draw(st.integers(0, len(shape)))
        shape = shape[drop:]
        shape = [1 if draw(st.booleans()) else s for s in shape]
    return rng.standard_normal(shape) if shape else np.array(rng.standard_normal())


@settings(**SETTINGS)
@given(data=st.data())
def test_setitem_matches_torch(data):
    shape = data.draw(shapes())
    idx = data.draw(index_items(shape))
    xt, xl = make_pair(shape)
    try:
        rshape = tuple(xt[idx].shape)
    except Exception:  # noqa: BLE001
        rshape = ()
    value = _value_for(rshape, data.draw)
    vt = torch.tensor(value) if isinstance(value, np.ndarray) else value
    vl = tl.tensor(value) if isinstance(value, np.ndarray) else value

    def set_t():
        xt[idx] = vt
        return xt

    def set_l():
        xl[to_tl_index(idx)] = vl
        return xl

    e, a = run_both(set_t, set_l)
    if e is not None:
        assert_equal(a, e)


@settings(**SETTINGS)
@given(data=st.data())
def test_setitem_autograd_matches_torch(data):
    shape = data.draw(shapes())
    idx = data.draw(index_items(shape, allow_invalid=False))
    xt, xl = make_pair(shape)
    try:
        rshape = tuple(xt[idx].shape)
    except Exception:  # noqa: BLE001
        return
    value = _value_for(rshape, data.draw)
    if not isinstance(value, np.ndarray):
        value = np.array(value)
    xt.requires_grad_(True)
    xl.requires_grad_(True)
    vt, vl = torch.tensor(value, requires_grad=True), tl.tensor(value, requires_grad=True)
    zt, zl = xt * 1.0, xl * 1.0
    try:
        zt[idx] = vt
    except Exception as ex:  # noqa: BLE001
        with pytest.raises(type(ex)):
            zl[to_tl_index(idx)] = vl
        return
    zl[to_tl_index(idx)] = vl
    assert_equal(zl, zt)
    up = np.random.default_rng(1).standard_normal(tuple(zt.shape))
    gxt, gvt = torch.autograd.grad(zt, [xt, vt], torch.tensor(up), allow_unused=True)
    gxl, gvl = tl.autograd.grad(zl, [xl, vl], tl.tensor(up), allow_unused=True)
    # torch returns zeros for an input whose every element was overwritten; tensorlite may return None
    if gxl is None:
        assert not np.any(gxt.numpy())
    else:
        np.testing.assert_allclose(gxl.numpy(), gxt.numpy(), rtol=1e-12, atol=1e-12)
    if gvt is None:
        assert gvl is None or not np.any(gvl.numpy())
    else:
        np.testing.assert_allclose(gvl.numpy(), gvt.numpy(), rtol=1e-12, atol=1e-12)


# -- fixed cases worth keeping whatever hypothesis draws -----------------------------------------------------
@pytest.mark.parametrize("expr", [
    "x[0, :, [0, 1]]", "x[[0, 1], None, [0, 1]]", "x[:, [0, 1], None, [0, 1]]", "x[None, [0, 1], [0, 1]]",
    "x[[0, 1], ..., [0, 1]]", "x[[0, 1], 1, [0, 1]]", "x[[1], :, 1]", "x[..., [1]]", "x[True, [0, 1]]",
    "x[[0, 1], :, True]", "x[1:, ::2, T([[0, 1], [2, 3]])]", "x[T(0), :, [1]]", "x[..., 0, ...]",
    "x[M]", "x[0, M[0]]", "x[:, M[0]]", "x[False]", "x[[]]", "x[-1, -2, -3]", "x[T([-1, -2])]",
])
def test_fixed_expressions(expr):
    arr = np.arange(24.0).reshape(2, 3, 4)
    mask = (arr % 3 == 0)[..., 0]
    et = eval(expr, {"x": torch.tensor(arr), "T": torch.tensor, "M": torch.tensor(mask)})
    el = eval(expr, {"x": tl.tensor(arr), "T": tl.tensor, "M": tl.tensor(mask)})
    assert_equal(el, et)


@pytest.mark.parametrize("expr,exc", [
    ("x[5]", IndexError), ("x[0, 0, 0, 0]", IndexError), ("x[::-1]", ValueError), ("x[::0]", ValueError),
    ("x[[5]]", IndexError), ("x[T([0, 1]), T([0, 1, 2])]", IndexError), ("x[1.5]", IndexError),
    ("x[T([0.0])]", IndexError), ("x[M[:, :2]]", IndexError), ("s[0]", IndexError), ("s[[0]]", IndexError),
])
def test_getitem_errors(expr, exc):
    arr = np.arange(24.0).reshape(2, 3, 4)
    mask = (arr % 3 == 0)[..., 0]
    for lib in (torch, tl):
        env = {"x": lib.tensor(arr), "T": lib.tensor, "M": lib.tensor(mask), "s": lib.tensor(1.0)}
        with pytest.raises(exc):
            eval(expr, env)


def test_setitem_errors_and_casts():
    for lib in (torch, tl):
        x = lib.zeros(2, 3)
        with pytest.raises(RuntimeError):
            x[[0]] = lib.ones(1, 3, dtype=lib.float64)      # index_put needs equal dtypes
        with pytest.raises(RuntimeError):
            x[[0]] = lib.ones(4)                             # cannot broadcast
        with pytest.raises(RuntimeError):
            x[0] = lib.ones(4)
        with pytest.raises(TypeError):
            x[0] = "a"
        y = lib.zeros(3, dtype=lib.int64)
        y[0] = 1.7                                           # numbers are cast
        y[[1]] = 2.9
        y[lib.tensor([False, False, True])] = lib.tensor(3.5, dtype=lib.float64)  # 0-d value + mask: cast
        assert y.tolist() == [1, 2, 3]
        x[0] = lib.ones(3, dtype=lib.float64)                # basic assignment casts (copy_)
        assert x.tolist() == [[1, 1, 1], [0, 0, 0]]


def test_setitem_on_leaf_requiring_grad_raises():
    for lib in (torch, tl):
        x = lib.zeros(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            x[0] = 1.0
        with pytest.raises(RuntimeError, match="leaf Variable"):
            x[[0]] = 1.0


def test_views_share_storage_and_bump_version():
    x = tl.zeros(3, 4)
    v = x[1:, ::2]
    v[0, 1] = 5.0
    assert x[1, 2].item() == 5.0
    ver = x._version
    x[[0, 2], [1, 3]] = 7.0
    assert x._version > ver and x[0, 1].item() == 7.0 and x[2, 3].item() == 7.0


def test_accumulating_kernels_do_not_depend_on_thread_count():
    """Duplicate indices are summed in index order by one thread per destination, so results are
    bitwise equal for any thread count (and close to torch's)."""
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 50, size=4000)
    vals = rng.standard_normal((4000, 64)).astype(np.float32)
    cols = rng.integers(0, 50, size=(4000, 64))
    n0 = tl.get_num_threads()
    results = []
    try:
        for nt in (1, 3):
            tl.set_num_threads(nt)
            a = tl.zeros(50, 64).index_put_((tl.tensor(rows),), tl.tensor(vals), accumulate=True)
            b = tl.zeros(50, 64).index_add_(0, tl.tensor(rows), tl.tensor(vals))
            c = tl.zeros(50, 64).scatter_add_(0, tl.tensor(cols), tl.tensor(vals))
            results.append([t.numpy().copy() for t in (a, b, c)])
    finally:
        tl.set_num_threads(n0)
    for u, w in zip(*results):
        np.testing.assert_array_equal(u, w)
    ref = torch.zeros(50, 64).index_put_((torch.tensor(rows),), torch.tensor(vals), accumulate=True)
    np.testing.assert_allclose(results[0][0], ref.numpy(), rtol=1e-5, atol=1e-4)
    ref = torch.zeros(50, 64).scatter_add_(0, torch.tensor(cols), torch.tensor(vals))
    np.testing.assert_allclose(results[0][2], ref.numpy(), rtol=1e-5, atol=1e-4)
