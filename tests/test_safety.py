"""Bad input must give a Python exception (or torch's answer), never a crash, UB or a silent wrong answer.

Cases that used to kill the interpreter (SIGFPE, SIGSEGV) run in a child process, so a regression fails
the test instead of taking pytest down with it.
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import tensorlite as tl
from tensorlite import _C

# the child imports the same tensorlite as this process (the source tree or the installed package)
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(tl.__file__)))


def run_isolated(body):
    """Runs `body` (defines CASES: name -> zero-arg callable) in a child; returns name -> outcome.

    An outcome is ["raised", ExceptionType, message] or ["returned", tolist-able value]. The child prints
    each outcome as soon as it has it, so a crash names the case that caused it."""
    script = textwrap.dedent("""
        import json, sys
        import tensorlite as tl
        """) + textwrap.dedent(body) + textwrap.dedent("""
        for name, fn in CASES.items():
            try:
                r = fn()
                out = ["returned", r.tolist() if hasattr(r, "tolist") else repr(r)]
            except Exception as e:
                out = ["raised", type(e).__name__, str(e)]
            print(json.dumps([name, out]), flush=True)
        """)
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    results = dict(json.loads(line) for line in p.stdout.splitlines() if line.startswith("["))
    assert p.returncode == 0, (f"child died with {p.returncode} after {list(results)}; "
                               f"stderr: {p.stderr[-2000:]}")
    return results


# ---- sizes whose element or byte count overflows int64 ------------------------------------------------

def test_overflowing_sizes_raise():
    res = run_isolated("""
        CASES = {
            "empty": lambda: tl.empty(2**62, 4),
            "zeros3": lambda: tl.zeros(2**31, 2**31, 4),
            "full": lambda: tl.full((2**40, 2**40), 1.0),
            "empty_strided": lambda: tl.empty_strided((2**40, 2**40), (2**40, 1)),
            "linspace": lambda: tl.linspace(0, 1, 2**62),
            "arange": lambda: tl.arange(0, 2**62, 1),
            "arange_wide": lambda: tl.arange(-2**63, 2**63 - 1, 1),
            "expand_sum": lambda: tl.ones(1).expand(2**62, 2**62).sum(),
            "as_strided": lambda: tl.ones(4).as_strided((2, 2), (2**62, 2**62)),
        }
        """)
    for name, out in res.items():
        assert out[0] == "raised" and out[1] == "RuntimeError", (name, out)


def test_empty_as_strided_view_with_any_offset_is_allowed():
    # torch accepts it (nothing is read); the view must still be usable
    t = tl.empty(4).as_strided((0,), (1,), 100)
    assert t.shape == (0,) and t.sum().item() == 0


# ---- integer kernels: INT_MIN / -1 traps on x86 --------------------------------------------------------

def test_int_min_division_by_minus_one_matches_torch():
    res = run_isolated("""
        x64 = [-2**63, 5, -7, 0]
        x32 = [-2**31, 5, -7, 0]
        CASES = {
            "floordiv64": lambda: tl.tensor(x64) // -1,
            "rem64": lambda: tl.tensor(x64) % -1,
            "fmod64": lambda: tl.fmod(tl.tensor(x64), -1),
            "floordiv32": lambda: tl.tensor(x32, dtype=tl.int32) // -1,
            "rem32": lambda: tl.remainder(tl.tensor(x32, dtype=tl.int32), tl.tensor(-1, dtype=tl.int32)),
            "fmod32": lambda: tl.fmod(tl.tensor(x32, dtype=tl.int32), -1),
        }
        """)
    x64 = torch.tensor([-2**63, 5, -7, 0])
    x32 = torch.tensor([-2**31, 5, -7, 0], dtype=torch.int32)
    want = {
        "floordiv64": x64 // -1, "rem64": x64 % -1, "fmod64": torch.fmod(x64, -1),
        "floordiv32": x32 // -1, "rem32": torch.remainder(x32, torch.tensor(-1, dtype=torch.int32)),
        "fmod32": torch.fmod(x32, -1),
    }
    for name, out in res.items():
        assert out == ["returned", want[name].tolist()], (name, out)


# ---- float -> int conversion of NaN, inf and out-of-range values -----------------------------------------

@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_float_to_int_cast_of_nonfinite_matches_torch(dtype):
    vals = [float("nan"), float("inf"), float("-inf"), 1e30, -1e30, 3e9, -3e9, 300.0, -1.0, 2.7]
    got = tl.tensor(vals).to(getattr(tl, dtype)).tolist()
    want = torch.tensor(vals).to(getattr(torch, dtype)).tolist()
    assert got == want


def _outcome(fn):
    try:
        return ["ok", fn().tolist()]
    except RuntimeError as e:
        return ["RuntimeError", str(e)]


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e30, 300.0, -1.0, 2.5, 300, -1,
                                   -300, 2**40, 2**63 - 1, -2**63])
def test_fill_with_unrepresentable_value_matches_torch(dtype, value):
    # torch raises "value cannot be converted to type ... without overflow" instead of wrapping
    got = _outcome(lambda: tl.zeros(2, dtype=getattr(tl, dtype)).fill_(value))
    want = _outcome(lambda: torch.zeros(2, dtype=getattr(torch, dtype)).fill_(value))
    assert got == want
    got = _outcome(lambda: tl.full((2,), value, dtype=getattr(tl, dtype)))
    want = _outcome(lambda: torch.full((2,), value, dtype=getattr(torch, dtype)))
    assert got == want


# ---- in-place ops whose input partially overlaps the output -----------------------------------------------

PARTIAL = "some elements of the input tensor and the written-to tensor refer to a single memory location"


@pytest.mark.parametrize("case", [
    lambda m, x: x[1:].add_(x[:-1]),
    lambda m, x: x[:-1].mul_(x[1:]),
    lambda m, x: x[1:].copy_(x[:-1]),
    lambda m, x: x[:-1].copy_(x[1:]),
    lambda m, x: x.view(2, 3).add_(x[:3]),
    lambda m, x: x.view(2, 3).copy_(x[3:]),
    lambda m, x: x.view(2, 3).t().add_(x.view(3, 2)),
    lambda m, x: x[:4].view(2, 2).sub_(x[:4].view(2, 2).t()),
])
def test_partial_overlap_raises_like_torch(case):
    with pytest.raises(RuntimeError, match=PARTIAL):
        case(torch, torch.arange(6.0))
    with pytest.raises(RuntimeError, match=PARTIAL):
        case(tl, tl.arange(6.0))


@pytest.mark.parametrize("case", [
    lambda x: x.add_(x),                      # the same elements: fine
    lambda x: x[::2].add_(x[1::2]),           # interleaved, disjoint
    lambda x: x[:3].add_(x[3:]),              # disjoint halves
    lambda x: x.copy_(x),
    lambda x: x[1:].add_(x[:-1].double()),    # a converted (fresh) input
])
def test_non_partial_aliasing_matches_torch(case):
    a, b = tl.arange(6.0), torch.arange(6.0)
    case(a)
    case(b)
    assert a.tolist() == b.tolist()


def test_strided_overlap_reads_inputs_before_writing():
    # both sides non-dense: torch cannot tell and gives a loop-order-dependent answer; we give the
    # answer of an out-of-place op written back (every input read before the first write)
    a = tl.arange(12.0).view(3, 4)
    a[:, 1:].add_(a[:, :-1])
    b = torch.arange(12.0).view(3, 4)
    want = b.clone()
    want[:, 1:] = b[:, 1:] + b[:, :-1]
    assert a.tolist() == want.tolist()


# ---- numpy interop ---------------------------------------------------------------------------------------

def test_from_numpy_rejects_non_native_byte_order():
    arr = np.array([1, 2], dtype=">i4" if sys.byteorder == "little" else "<i4")
    with pytest.raises(ValueError, match="byte order"):
        torch.from_numpy(arr)
    with pytest.raises(ValueError, match="byte order"):
        tl.from_numpy(arr)


def test_invalid_dtype_code_raises():
    for code in (-1, 6, 100):
        with pytest.raises(ValueError, match="invalid dtype code"):
            _C.empty([2], code)
        with pytest.raises(ValueError, match="invalid dtype code"):
            _C.to_dtype(tl.ones(2)._t, code)
