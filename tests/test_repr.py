"""repr(tensor) is torch's, character for character (modulo the module name)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl


def check(a, **kw):
    t, x = tl.tensor(a, **kw), torch.tensor(a, **kw if "dtype" not in kw else
                                             {**kw, "dtype": getattr(torch, kw["dtype"].name)})
    assert repr(t).replace("tensorlite.", "torch.") == repr(x)
    assert str(t).replace("tensorlite.", "torch.") == str(x)


def _generated():
    rng = np.random.default_rng(0)
    out = []
    shapes = [(), (1,), (5,), (3, 4), (2, 3, 4), (0,), (0, 3), (2, 0, 1), (30,), (1001,), (40, 40), (3, 400),
              (2, 2, 300), (12, 100), (1, 1, 1), (7, 1)]
    for shape in shapes:
        for dt in (np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_):
            for kind in range(6) if np.dtype(dt).kind == "f" else range(2):
                if dt == np.bool_:
                    a = rng.integers(0, 2, shape).astype(bool)
                elif np.dtype(dt).kind in "iu":
                    hi = 255 if dt == np.uint8 else 10 ** (3 * kind + 2)
                    a = rng.integers(0 if dt == np.uint8 else -hi, hi, shape).astype(dt)
                else:
                    a = (rng.standard_normal(shape) * [1, 1e-6, 1e9, 1e3, 1, 100][kind]).astype(dt)
                    if kind == 4:
                        a = np.round(a * 10)
                    if kind == 5 and a.size:
                        a.flat[0] = np.nan
                        a.flat[-1] = -np.inf
                out.append(a)
    return out


CASES = _generated()


@pytest.mark.parametrize("i", range(len(CASES)))
def test_generated(i):
    a = CASES[i]
    check(a)
    if a.dtype.kind == "f":
        check(a, requires_grad=True)


@pytest.mark.parametrize("data", [
    0.0, -0.0, 1.0, -1.5, 1e-5, 1e8, 1e9, 123456789.0, 0.1, [0.0, -0.0], [1.0, 2.0], [1.5, -2.25], [1e-5, 1.0],
    [1e10, 1.0], [0.0, float("nan")], [float("inf"), 1.0], [float("nan")], [-float("inf"), float("inf")],
    [1e-4, 1.0], [1e-4 * 0.99, 1.0], [1000.0, 1.0], [1001.0, 1.0], [1.25, 1000.5], [100000000.0], [100000001.0],
    [[1, -2], [30, 4]], [True, False], [[True]], 5, -7, True, [2 ** 40, -3], [1e300, 1.0], [123.456, -0.001],
    [[0.5] * 30], list(range(100)), [[1.0, 2.0]] * 500, [[[1.5]] * 3] * 3,
])
def test_values(data):
    check(np.array(data) if not isinstance(data, (int, float, bool)) else data)


@pytest.mark.parametrize("dtype", [tl.float32, tl.float64, tl.int32, tl.int64, tl.uint8, tl.bool])
def test_dtype_suffix_rules(dtype):
    for data in ([1, 2], [], [[]], 3, [[1, 0], [0, 1]]):
        check(data, dtype=dtype)


def test_default_dtype_float64_changes_suffixes():
    tl.set_default_dtype(tl.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for data, kw in (([1.5, 2], {}), ([1.5], {"dtype": tl.float32}), ([], {}), ([], {"dtype": tl.float32})):
            check(data, **kw)
    finally:
        tl.set_default_dtype(tl.float32)
        torch.set_default_dtype(torch.float32)


def test_printoptions():
    data = np.random.default_rng(1).standard_normal((5, 30)) * 100
    for opts in ({"precision": 2}, {"sci_mode": True}, {"sci_mode": False}, {"threshold": 5}, {"edgeitems": 1,
                                                                                                 "threshold": 10},
                 {"linewidth": 40}, {"profile": "short"}, {"profile": "full"}):
        tl.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        try:
            check(data)
            check(data.astype(np.float32))
            check(np.arange(30))
        finally:
            tl.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")


def test_grad_fn_and_views():
    t, x = tl.tensor([1.5, 2.0], requires_grad=True), torch.tensor([1.5, 2.0], requires_grad=True)
    assert repr(t * 2).replace("tensorlite.", "torch.") == repr(x * 2)
    assert repr((t + 1).exp()) == repr((x + 1).exp())
    # non-contiguous views print their logical values
    a, b = tl.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4)
    assert repr(a.t()) == repr(b.t())
    assert repr(a.narrow(1, 1, 2)) == repr(b.narrow(1, 1, 2))
    assert repr(a.expand(2, 3, 4)) == repr(b.expand(2, 3, 4))
    assert repr(tl.Size([2, 3])).replace("tensorlite.", "torch.") == repr(torch.Size([2, 3]))


def test_format():
    assert f"{tl.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"
    assert f"{tl.tensor(3)}" == f"{torch.tensor(3)}"
