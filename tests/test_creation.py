"""Creation functions against torch: values, dtypes (torch's inference rules), shapes and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tensorlite as tl


def _name(dt):
    return str(dt).split(".")[-1]


def same(a, b, exact=True):
    """a: tensorlite tensor, b: torch tensor."""
    assert isinstance(a, tl.Tensor), type(a)
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    assert _name(a.dtype) == _name(b.dtype), (a.dtype, b.dtype)
    assert a.requires_grad == b.requires_grad
    an, bn = a.detach().numpy(), b.detach().numpy()
    if exact:
        np.testing.assert_array_equal(an, bn)
    else:
        np.testing.assert_allclose(an, bn, rtol=2e-6, atol=1e-6)


def both(fn):
    """Runs fn(lib) for torch and tensorlite; the same exception type, or equal results."""
    try:
        expected = fn(torch)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            fn(tl)
        return None
    return fn(tl), expected


# -- tensor(): dtype inference -----------------------------------------------------------------------------
DATA = [
    1, 2.5, True, -7, 0.0, [], [[], []], [1, 2, 3], [1.0, 2], [True, False], [True, 2], [True, 2.5], [[1, 2], [3, 4]],
    [[[1.5]], [[2.5]]], (1, 2), ((1, 2), (3, 4)), range(4), [np.float32(1.5), 2], [np.float64(1.5), 2],
    [np.int32(1), np.int32(2)], [np.int32(1), 2], [np.uint8(3), True], np.float32(2.5), np.float64(2.5), np.int32(3),
    np.int64(-4), np.bool_(True), [np.array([1.0, 2.0], dtype=np.float32), [3, 4]], np.array([[1, 2]], dtype=np.int32),
    np.array([1.5, 2.5], dtype=np.float32), np.array(3.5), np.array([True, False]), np.arange(6).reshape(2, 3).T,
    np.zeros((2, 0)), [float("nan"), float("inf"), -float("inf")], [2 ** 40, -2 ** 62], [-2 ** 63], [1e300],
    [[1], [2.5]], [[True], [np.float32(1)]],
]


@pytest.mark.parametrize("data", DATA, ids=[repr(d)[:40] for d in DATA])
def test_tensor_inference(data):
    same(tl.tensor(data), torch.tensor(data))


def test_tensor_inference_0d_tensors_in_lists():
    for make in (lambda L: [L.tensor(1.0), L.tensor(2.0)], lambda L: [L.tensor(1, dtype=L.int32), 2],
                 lambda L: [L.tensor(1.0, dtype=L.float64), 2], lambda L: [L.tensor([1.0]), L.tensor([2.0])],
                 lambda L: [[L.tensor(True)], [L.tensor(3, dtype=L.uint8)]]):
        same(tl.tensor(make(tl)), torch.tensor(make(torch)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("data", [[1, 2, 3], [[1.5, -2.0]], [True, False], 3, 2.75, [0.5, 1e10]])
def test_tensor_explicit_dtype(data, dtype):
    r = both(lambda L: L.tensor(data, dtype=getattr(L, dtype)))
    if r:
        same(*r)


def test_tensor_default_dtype_float64():
    tl.set_default_dtype(tl.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for data in ([1.5, 2], [np.float32(1.5), 2.5], [], 3.0, [1, 2]):
            same(tl.tensor(data), torch.tensor(data))
        same(tl.arange(0.0, 3), torch.arange(0.0, 3))
        same(tl.zeros(2), torch.zeros(2))
    finally:
        tl.set_default_dtype(tl.float32)
        torch.set_default_dtype(torch.float32)


BAD = [
    ("ragged", lambda L: L.tensor([[1, 2], [3]]), ValueError),
    ("ragged-empty", lambda L: L.tensor([[1], []]), ValueError),
    ("scalar-then-list", lambda L: L.tensor([[1], 2]), TypeError),
    ("str", lambda L: L.tensor("abc"), TypeError),
    ("none", lambda L: L.tensor(None), RuntimeError),
    ("none-in-list", lambda L: L.tensor([1, None]), RuntimeError),
    ("overflow", lambda L: L.tensor(2 ** 63), ValueError),
    ("multi-element-tensor", lambda L: L.tensor([L.tensor([1.0, 3.0]), L.tensor([2.0, 4.0])]), ValueError),
    ("nan-to-int", lambda L: L.tensor([1.5, float("nan")], dtype=L.int64), RuntimeError),
    ("int32-overflow", lambda L: L.tensor([3e9], dtype=L.int32), RuntimeError),
    ("uint8-overflow", lambda L: L.tensor([300], dtype=L.uint8), RuntimeError),
    ("uint8-neg-float", lambda L: L.tensor([-1.5], dtype=L.uint8), RuntimeError),
    ("int-requires-grad", lambda L: L.tensor([1, 2], requires_grad=True), RuntimeError),
    ("bad-numpy-dtype", lambda L: L.tensor(np.array(["a"])), TypeError),
]


@pytest.mark.parametrize("name,fn,exc", BAD, ids=[b[0] for b in BAD])
def test_tensor_errors(name, fn, exc):
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc):
        fn(tl)


def test_tensor_wrapping_values():
    same(tl.tensor([-5, 255], dtype=tl.uint8), torch.tensor([-5, 255], dtype=torch.uint8))
    same(tl.tensor([2.5, -3.7, 0.0], dtype=tl.bool), torch.tensor([2.5, -3.7, 0.0], dtype=torch.bool))
    same(tl.tensor([3.7, -3.7], dtype=tl.int64), torch.tensor([3.7, -3.7], dtype=torch.int64))
    same(tl.tensor([1e300], dtype=tl.float32), torch.tensor([1e300], dtype=torch.float32))


def test_tensor_copies_and_requires_grad():
    a = np.arange(3.0)
    t = tl.tensor(a)
    a[0] = 9
    assert t.tolist()[0] == 0.0
    src = tl.tensor([1.0, 2.0])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = tl.tensor(src)
    assert any("clone().detach()" in str(x.message) for x in w)
    assert c.data_ptr() != src.data_ptr()
    r = tl.tensor([1.0, 2.0], requires_grad=True)
    assert r.requires_grad and r.is_leaf


# -- as_tensor / from_numpy / numpy() -------------------------------------------------------------------------
def test_as_tensor_shares_memory():
    a = np.arange(4.0)
    t = tl.as_tensor(a)
    a[1] = 42.0
    assert t.tolist() == [0.0, 42.0, 2.0, 3.0]
    t2 = tl.as_tensor(a, dtype=tl.float32)  # different dtype: a copy
    a[2] = -1.0
    assert t2.tolist() == [0.0, 42.0, 2.0, 3.0]
    assert tl.as_tensor(t) is t
    assert tl.as_tensor(t, dtype=tl.float64) is t
    same(tl.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    same(tl.as_tensor(a[::-1].copy()), torch.as_tensor(a[::-1].copy()))


def test_from_numpy_zero_copy_both_ways():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = tl.from_numpy(a)
    assert t.data_ptr() == a.ctypes.data
    a[0, 0] = 100.0
    assert t.tolist()[0][0] == 100.0
    t.numpy()[2, 3] = -1.0  # writes through the tensor's memory are seen by numpy
    assert a[2, 3] == -1.0
    v = tl.from_numpy(a[:, 1::2])
    assert v.stride() == torch.from_numpy(a[:, 1::2]).stride()
    same(v, torch.from_numpy(a[:, 1::2]))
    del a
    import gc
    gc.collect()
    assert t.tolist()[2][3] == -1.0  # the tensor keeps the array's memory alive


@pytest.mark.parametrize("dt", [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_])
def test_from_numpy_dtypes(dt):
    a = (np.arange(6) % 3).astype(dt).reshape(2, 3)
    same(tl.from_numpy(a), torch.from_numpy(a))
    back = tl.from_numpy(a).numpy()
    assert back.dtype == a.dtype and np.shares_memory(back, a)


def test_from_numpy_errors():
    for fn, exc in ((lambda L: L.from_numpy(np.arange(3)[::-1]), ValueError),
                    (lambda L: L.from_numpy([1, 2]), TypeError),
                    (lambda L: L.from_numpy(np.array(["a"])), TypeError)):
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(tl)


def test_numpy_item_tolist_array():
    for data in ([[1.5, 2.0], [3.0, 4.0]], [1, 2, 3], [True, False], 2.5, 7, []):
        a, b = tl.tensor(data), torch.tensor(data)
        assert a.tolist() == b.tolist()
        assert type(a.tolist()) is type(b.tolist())
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert np.asarray(a).dtype == np.asarray(b).dtype
    for data in (2.5, 7, True, [3.25], [[4]]):
        a, b = tl.tensor(data), torch.tensor(data)
        assert a.item() == b.item() and type(a.item()) is type(b.item())
    assert np.asarray(tl.tensor([1.5]), dtype=np.float64).dtype == np.float64
    t = tl.arange(4.0)
    assert np.shares_memory(np.asarray(t), t.numpy())
    for fn, exc in ((lambda L: L.tensor([1, 2]).item(), RuntimeError),
                    (lambda L: L.tensor([1.5], requires_grad=True).numpy(), RuntimeError),
                    (lambda L: np.asarray(L.tensor([1.5], requires_grad=True)), RuntimeError)):
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(tl)
    assert tl.tensor([1.5], requires_grad=True).tolist() == [1.5]
    assert tl.tensor([1.5], requires_grad=True).item() == 1.5


# -- filled constructors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda L: L.zeros(2, 3), lambda L: L.zeros((2, 3)), lambda L: L.zeros([2, 3]), lambda L: L.zeros(()),
    lambda L: L.zeros([]), lambda L: L.zeros(0, 3), lambda L: L.ones(4, dtype=L.int64),
    lambda L: L.ones((2, 2), dtype=L.bool), lambda L: L.zeros(L.Size([2, 1])), lambda L: L.zeros(L.tensor(2), 3),
    lambda L: L.full((2,), 3), lambda L: L.full((2,), True), lambda L: L.full((2, 2), 3.5), lambda L: L.full([2], 7,
                                                                                                        dtype=L.float64),
    lambda L: L.full((), 2), lambda L: L.full((2,), np.float32(1.5)), lambda L: L.full((2,), L.tensor(4)),
    lambda L: L.full((2, 2), 1.5, dtype=L.int64), lambda L: L.ones(3, requires_grad=True),
    lambda L: L.full((2,), 1.5, requires_grad=True), lambda L: L.zeros_like(L.ones(2, 3, dtype=L.int32)),
    lambda L: L.ones_like(L.ones(2), dtype=L.int32), lambda L: L.full_like(L.ones(2, dtype=L.int32), 2.7),
    lambda L: L.full_like(L.ones(2, 3), 7), lambda L: L.zeros_like(L.ones(2, 3), requires_grad=True),
    lambda L: L.scalar_tensor(3), lambda L: L.scalar_tensor(True, dtype=L.bool),
], ids=lambda f: "")
def test_filled(fn):
    same(fn(tl), fn(torch))


def test_empty_and_like():
    for fn in (lambda L: L.empty(2, 3), lambda L: L.empty((2, 3), dtype=L.int32), lambda L: L.empty(0),
               lambda L: L.empty_like(L.ones(2, 3, dtype=L.float64)), lambda L: L.empty(2, requires_grad=True)):
        a, b = fn(tl), fn(torch)
        assert tuple(a.shape) == tuple(b.shape) and _name(a.dtype) == _name(b.dtype)
        assert a.requires_grad == b.requires_grad and a.is_contiguous()
    s = tl.empty_strided((2, 3), (1, 2))
    assert s.stride() == torch.empty_strided((2, 3), (1, 2)).stride()


@pytest.mark.parametrize("fn,exc", [
    (lambda L: L.zeros(2, -3), RuntimeError), (lambda L: L.ones(-1), RuntimeError),
    (lambda L: L.empty(2, -1), RuntimeError), (lambda L: L.full((2, -1), 1.0), RuntimeError),
    (lambda L: L.zeros(2.5), TypeError), (lambda L: L.zeros(2, 3.0), TypeError),
    (lambda L: L.zeros((2, 3), (1,)), TypeError), (lambda L: L.full(2, 3.0), TypeError),
    (lambda L: L.full((2,), "a"), TypeError), (lambda L: L.ones(2, dtype=L.int64, requires_grad=True), RuntimeError),
    (lambda L: L.full((2,), 1, requires_grad=True), RuntimeError),
])
def test_filled_errors(fn, exc):
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc):
        fn(tl)


# -- range factories ------------------------------------------------------------------------------------------
ARANGE = [
    (5,), (0, 5), (1, 10, 3), (10, 1, -3), (0.0, 1.0, 0.1), (0, 5, 0.5), (-1.5, 2.5), (0.5, 5), (1, 2, 0.3),
    (5, 5), (0, -3, -1), (np.int32(5),), (np.float32(2.5),), (0, 1, 1e-3), (-3.7, 3.7, 0.9), (1e6, 1e6 + 10),
    (2 ** 40, 2 ** 40 + 5), (-2 ** 62, -2 ** 62 + 3),
]


@pytest.mark.parametrize("args", ARANGE, ids=[repr(a) for a in ARANGE])
def test_arange(args):
    same(tl.arange(*args), torch.arange(*args))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8"])
@pytest.mark.parametrize("args", [(5,), (0.5, 5), (-0.5, 5, 1.5), (0, 10, 2.5), (1, 4)])
def test_arange_dtype(args, dtype):
    r = both(lambda L: L.arange(*args, dtype=getattr(L, dtype)))
    if r:
        same(*r)


def test_arange_tensor_args_and_kwargs():
    same(tl.arange(tl.tensor(5)), torch.arange(torch.tensor(5)))
    same(tl.arange(tl.tensor(5.0)), torch.arange(torch.tensor(5.0)))
    same(tl.arange(start=1, end=4), torch.arange(start=1, end=4))
    same(tl.arange(end=4), torch.arange(end=4))
    same(tl.arange(1, 4, dtype=tl.float64, requires_grad=True), torch.arange(1, 4, dtype=torch.float64,
                                                                             requires_grad=True))


@pytest.mark.parametrize("fn,exc", [
    (lambda L: L.arange(0, 1, 0), RuntimeError), (lambda L: L.arange(0, 5, -1), RuntimeError),
    (lambda L: L.arange(5, 0), RuntimeError), (lambda L: L.arange(float("inf")), RuntimeError),
    (lambda L: L.arange(float("nan")), RuntimeError), (lambda L: L.arange(5, dtype=L.bool), NotImplementedError),
    (lambda L: L.arange(3, requires_grad=True), RuntimeError), (lambda L: L.arange("a"), TypeError),
])
def test_arange_errors(fn, exc):
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc, match=None):
        fn(tl)


def test_arange_error_messages():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        tl.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
        tl.arange(0, 5, -1)


LINSPACE = [(0, 1, 5), (0, 1, 1), (0, 1, 0), (-3.5, 7.25, 11), (1, 5, 3), (10, 0, 7), (0, 1, 100), (2, 2, 4),
            (0, 1e-5, 9), (-1e4, 1e4, 1001)]


@pytest.mark.parametrize("args", LINSPACE, ids=[repr(a) for a in LINSPACE])
@pytest.mark.parametrize("dtype", [None, "float64", "int64", "int32"])
def test_linspace(args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    a = tl.linspace(*args, **{k: getattr(tl, v) for k, v in kw.items()})
    b = torch.linspace(*args, **{k: getattr(torch, v) for k, v in kw.items()})
    same(a, b, exact=dtype is not None and "int" in dtype)


@pytest.mark.parametrize("args,kw", [((0, 2, 3), {}), ((0, 2, 3), {"base": 2}), ((-2, 2, 9), {}),
                                     ((0, 3, 4), {"base": 2, "dtype": "int64"}), ((1, 0, 5), {"base": 0.5}),
                                     ((0, 1, 1), {}), ((0, 1, 0), {}), ((0, 3, 4), {"base": -2})])
def test_logspace(args, kw):
    kt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kw.items()}
    kl = {k: (getattr(tl, v) if k == "dtype" else v) for k, v in kw.items()}
    same(tl.logspace(*args, **kl), torch.logspace(*args, **kt), exact=False)


def test_linspace_tensor_args_requires_grad_and_errors():
    same(tl.linspace(tl.tensor(0.0), tl.tensor(1.0), 3), torch.linspace(torch.tensor(0.0), torch.tensor(1.0), 3))
    same(tl.linspace(0, 1, 3, requires_grad=True), torch.linspace(0, 1, 3, requires_grad=True))
    for fn, exc in ((lambda L: L.linspace(0, 1, -1), RuntimeError), (lambda L: L.linspace(0, 1, 2.0), TypeError),
                    (lambda L: L.linspace(0, 1), TypeError), (lambda L: L.logspace(0, 1, -2), RuntimeError)):
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(tl)


@pytest.mark.parametrize("args,kw", [((3,), {}), ((2, 3), {}), ((3, 2), {"dtype": "int64"}), ((0,), {}),
                                     ((2, 0), {}), ((2,), {"dtype": "bool"}), ((4,), {"requires_grad": True}),
                                     ((1, 5), {"dtype": "float64"})])
def test_eye(args, kw):
    kt = {k: (getattr(torch, v) if k == "dtype" else v) for k, v in kw.items()}
    kl = {k: (getattr(tl, v) if k == "dtype" else v) for k, v in kw.items()}
    same(tl.eye(*args, **kl), torch.eye(*args, **kt))


def test_eye_errors():
    for fn, exc in ((lambda L: L.eye(-1), RuntimeError), (lambda L: L.eye(2, -1), RuntimeError),
                    (lambda L: L.eye(2.5), TypeError)):
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(tl)


def test_top_level_names():
    for name in ("arange", "linspace", "logspace", "eye", "full", "zeros", "ones", "empty", "zeros_like",
                 "ones_like", "full_like", "empty_like", "tensor", "as_tensor", "from_numpy", "from_dlpack",
                 "empty_strided", "scalar_tensor", "asarray"):
        assert callable(getattr(tl, name)), name
