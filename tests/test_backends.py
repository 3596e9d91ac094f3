"""tensorlite.backends and the float32 matmul precision switches, against torch's behaviour (CPU-runnable: the
switch is process state in C++, csrc/core/precision.h, read by the CUDA GEMM)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tensorlite as tl


@pytest.fixture(autouse=True)
def _restore():
    yield
    tl.set_float32_matmul_precision("highest")
    torch.set_float32_matmul_precision("highest")


def _both(fn):
    """fn(lib) in both libraries: the result, or the exception type and message."""
    out = []
    for lib in (tl, torch):
        try:
            out.append(("ok", fn(lib)))
        except Exception as e:  # noqa: BLE001  compared, not swallowed
            out.append((type(e).__name__, str(e)))
    return out


def test_allow_tf32_round_trips_and_defaults_off():
    assert tl.backends.cuda.matmul.allow_tf32 is False
    assert tl._C.get_allow_tf32() is False
    tl.backends.cuda.matmul.allow_tf32 = True
    assert tl.backends.cuda.matmul.allow_tf32 is True and tl._C.get_allow_tf32() is True
    assert tl.get_float32_matmul_precision() == "high"
    tl.backends.cuda.matmul.allow_tf32 = False
    assert tl.backends.cuda.matmul.allow_tf32 is False and tl.get_float32_matmul_precision() == "highest"


@pytest.mark.parametrize("level", ["highest", "high", "medium"])
def test_precision_levels_match_torch(level):
    def f(lib):
        lib.set_float32_matmul_precision(level)
        return lib.get_float32_matmul_precision(), lib.backends.cuda.matmul.allow_tf32

    a, b = _both(f)
    assert a == b and a[1] == (level, level != "highest")


@pytest.mark.parametrize("value", ["x", None, 1, 1.0, np.bool_(True)])
def test_allow_tf32_rejects_non_bools_as_torch(value):
    def f(lib):
        lib.backends.cuda.matmul.allow_tf32 = value

    a, b = _both(f)
    assert a == b and a[0] == "RuntimeError"
    assert tl.backends.cuda.matmul.allow_tf32 is False


def test_unknown_attribute_as_torch():
    a, b = _both(lambda lib: lib.backends.cuda.matmul.no_such_flag)
    assert a == b == ("AttributeError", "Unknown attribute no_such_flag")

    def g(lib):
        lib.backends.cuda.matmul.no_such_flag = 1

    a, b = _both(g)
    assert a == b == ("AttributeError", "Unknown attribute no_such_flag")


@pytest.mark.parametrize("bad", [3, None, 1.5])
def test_precision_rejects_non_strings_as_torch(bad):
    a, b = _both(lambda lib: lib.set_float32_matmul_precision(bad))
    assert a == b and a[0] == "RuntimeError"


@pytest.mark.parametrize("bad", ["HIGH", "low", ""])
def test_unknown_precision_warns_and_changes_nothing_as_torch(bad):
    msgs = []
    for lib in (tl, torch):
        lib.set_float32_matmul_precision("medium")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.set_float32_matmul_precision(bad)
        # torch appends where its C++ raised the warning
        msgs.append([(x.category, str(x.message).split(" (Triggered internally")[0]) for x in w])
        assert lib.get_float32_matmul_precision() == "medium"
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1 and msgs[0][0][0] is UserWarning


def test_cpu_matmul_ignores_tf32():
    """As torch's CPU matmul: the switch only concerns CUDA float32 products."""
    a = np.full((4, 16), 1 + 2 ** -12, np.float32)
    b = np.ones((16, 3), np.float32)
    tl.backends.cuda.matmul.allow_tf32 = True
    got = (tl.tensor(a) @ tl.tensor(b)).numpy()
    assert (got == np.float32(16 + 2 ** -8)).all()
