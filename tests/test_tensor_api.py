"""Tensor API surface: DLPack interchange (numpy and torch, both directions, lifetimes) and the type
promotion helpers (result_type, promote_types, can_cast) against torch's tables."""
from __future__ import annotations

import gc
import itertools

import numpy as np
import pytest
import torch

import tensorlite as tl

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


def _np(dt):
    return np.dtype(dt if dt != "bool" else np.bool_)


def _sample(dt, shape=(3, 4)):
    a = np.arange(int(np.prod(shape))).reshape(shape)
    return (a % 2).astype(bool) if dt == "bool" else (a * 3 - 5).astype(_np(dt)) if dt != "uint8" else \
        a.astype(np.uint8)


# -- DLPack ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dt", DTYPES)
def test_dlpack_numpy_roundtrip(dt):
    a = _sample(dt)
    t = tl.from_dlpack(a)
    assert t.dtype == getattr(tl, dt) and tuple(t.shape) == a.shape
    assert t.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(t.numpy(), a)
    b = np.from_dlpack(t)
    assert b.dtype == a.dtype and np.shares_memory(a, b)


@pytest.mark.parametrize("dt", DTYPES)
def test_dlpack_torch_roundtrip(dt):
    x = torch.from_numpy(_sample(dt))
    t = tl.from_dlpack(x)
    assert t.data_ptr() == x.data_ptr()
    np.testing.assert_array_equal(t.numpy(), x.numpy())
    y = torch.from_dlpack(t)
    assert y.dtype == x.dtype and y.data_ptr() == x.data_ptr()
    assert y.shape == x.shape and y.stride() == x.stride()


def test_dlpack_writes_are_shared():
    x = torch.zeros(2, 3)
    t = tl.from_dlpack(x)
    x[1, 2] = 5.0
    assert t.tolist()[1][2] == 5.0
    y = torch.from_dlpack(t)
    t.numpy()[0, 0] = -1.0
    assert x[0, 0].item() == -1.0 and y[0, 0].item() == -1.0
    a = np.from_dlpack(tl.arange(4.0))
    a[0] = 7  # numpy arrays from DLPack of a writable producer are writable
    tt = tl.arange(4.0)
    n = np.from_dlpack(tt)
    n[2] = 9.0
    assert tt.tolist() == [0.0, 1.0, 9.0, 3.0]


@pytest.mark.parametrize("make", [
    lambda: torch.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1),
    lambda: torch.arange(24.0).reshape(4, 6)[1:, ::2],
    lambda: torch.arange(3.0).expand(4, 3),
    lambda: torch.zeros(0, 3),
    lambda: torch.tensor(3.5),
    lambda: torch.arange(10, dtype=torch.int64)[3:7],
])
def test_dlpack_strided_views(make):
    x = make()
    t = tl.from_dlpack(x)
    assert tuple(t.shape) == tuple(x.shape)
    if x.numel():
        assert t.stride() == x.stride()
        assert t.data_ptr() == x.data_ptr()
    np.testing.assert_array_equal(t.numpy(), x.numpy())
    back = torch.from_dlpack(t)
    assert back.stride() == x.stride() or x.numel() == 0
    np.testing.assert_array_equal(back.numpy(), x.numpy())


def test_dlpack_view_of_tensorlite_tensor():
    base = tl.arange(24.0).reshape(4, 6)
    v = base.t().narrow(0, 1, 5)
    y = torch.from_dlpack(v)
    ref = torch.arange(24.0).reshape(4, 6).t().narrow(0, 1, 5)
    assert y.stride() == ref.stride() and torch.equal(y, ref)
    assert y.data_ptr() == v.data_ptr()


def test_dlpack_lifetime_producer_dies_first():
    # tensorlite consumer keeps torch's memory alive
    x = torch.arange(1000.0)
    t = tl.from_dlpack(x)
    del x
    gc.collect()
    torch.ones(1000) * 7  # reuse the allocator
    assert t.tolist()[:3] == [0.0, 1.0, 2.0] and t.tolist()[-1] == 999.0
    # a view of the consumer keeps it alive as well
    v = t.reshape(10, 100).select(0, 3)
    del t
    gc.collect()
    assert v.tolist()[0] == 300.0
    # torch consumer keeps tensorlite's memory alive
    s = tl.arange(500.0)
    y = torch.from_dlpack(s)
    del s
    gc.collect()
    tl.ones(500)
    assert y[499].item() == 499.0  # torch indexing
    # numpy consumer
    s = tl.arange(50, dtype=tl.int64)
    n = np.from_dlpack(s)
    del s
    gc.collect()
    assert n[49] == 49


def test_dlpack_chain_numpy_torch_tensorlite():
    a = np.arange(6.0)
    t = tl.from_dlpack(torch.from_dlpack(tl.from_dlpack(a)))
    del a
    gc.collect()
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_dlpack_capsules():
    t = tl.ones(3)
    cap = t.__dlpack__()
    assert "dltensor" in repr(cap)
    u = tl.from_dlpack(cap)
    assert u.data_ptr() == t.data_ptr()
    with pytest.raises(RuntimeError):
        tl.from_dlpack(cap)  # a capsule is consumed once
    # versioned capsules (DLPack 1.0) when the consumer asks for them
    capv = t.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(capv)
    assert tl.from_dlpack(capv).data_ptr() == t.data_ptr()
    # an unconsumed capsule frees its reference when it dies (no leak, no crash)
    for _ in range(100):
        t.__dlpack__()
        t.__dlpack__(max_version=(1, 0))
    gc.collect()
    assert t.tolist() == [1.0, 1.0, 1.0]
    # torch's capsules
    x = torch.arange(3.0)
    assert tl.from_dlpack(torch.utils.dlpack.to_dlpack(x)).tolist() == [0.0, 1.0, 2.0]


def test_dlpack_device_and_errors():
    assert tl.ones(2).__dlpack_device__() == torch.ones(2).__dlpack_device__()
    with pytest.raises(BufferError):
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError):
        tl.ones(2, requires_grad=True).__dlpack__()
    assert torch.from_dlpack(tl.ones(2, requires_grad=True).detach()).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError):
        tl.from_dlpack(torch.ones(2, dtype=torch.float16))
    with pytest.raises(Exception):
        tl.from_dlpack(object())
    # copy=True exports a copy
    t = tl.zeros(2)
    y = torch.from_dlpack(t.__dlpack__(copy=True))
    assert y.data_ptr() != t.data_ptr()


def test_dlpack_readonly_numpy_is_copied():
    a = np.arange(3.0)
    a.flags.writeable = False
    t = tl.from_dlpack(a)
    assert t.tolist() == [0.0, 1.0, 2.0]
    assert t.data_ptr() != a.ctypes.data  # never writable access to read-only memory


# -- type promotion ---------------------------------------------------------------------------------------------
PAIRS = list(itertools.product(DTYPES, DTYPES))


def test_promote_types_table():
    for a, b in PAIRS:
        assert tl.promote_types(getattr(tl, a), getattr(tl, b)).name == \
            str(torch.promote_types(getattr(torch, a), getattr(torch, b))).split(".")[-1], (a, b)


def test_can_cast_table():
    for a, b in PAIRS:
        assert tl.can_cast(getattr(tl, a), getattr(tl, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b)), \
            (a, b)


def _operand(lib, dt, kind):
    if kind == "dim":
        return lib.tensor(_sample(dt, (2,)))
    if kind == "zerodim":
        return lib.tensor(_sample(dt, ()))
    return {"bool": True, "uint8": 3, "int32": 3, "int64": 3, "float32": 2.5, "float64": 2.5}[dt]


@pytest.mark.parametrize("ka,kb", [("dim", "dim"), ("dim", "zerodim"), ("zerodim", "dim"), ("zerodim", "zerodim"),
                                   ("dim", "scalar"), ("zerodim", "scalar"), ("scalar", "dim")])
def test_result_type_table(ka, kb):
    for a, b in PAIRS:
        if (ka == "scalar" and a not in ("bool", "int64", "float64")) or \
                (kb == "scalar" and b not in ("bool", "int64", "float64")):
            continue
        e = torch.result_type(_operand(torch, a, ka), _operand(torch, b, kb))
        got = tl.result_type(_operand(tl, a, ka), _operand(tl, b, kb))
        assert got.name == str(e).split(".")[-1], (a, ka, b, kb)


def test_creation_promotes_like_torch():
    for data in ([True, 1], [1, 2.0], [np.int32(1), 2], [np.uint8(1), np.int32(2)], [np.float32(1), 2.5],
                 [np.float64(1), np.float32(2)], [True, np.uint8(3)], [[1], [np.float32(2)]]):
        assert tl.tensor(data).dtype.name == str(torch.tensor(data).dtype).split(".")[-1], data


def test_dtype_objects():
    for dt in DTYPES:
        a, b = getattr(tl, dt), getattr(torch, dt)
        assert a.is_floating_point == b.is_floating_point and a.itemsize == b.itemsize
        assert a.is_signed == b.is_signed
        assert repr(a).replace("tensorlite.", "torch.") == repr(b)
    assert tl.float is tl.float32 and tl.double is tl.float64 and tl.long is tl.int64 and tl.int is tl.int32
    assert tl.get_default_dtype() is tl.float32
    with pytest.raises(TypeError):
        tl.set_default_dtype(tl.int64)
