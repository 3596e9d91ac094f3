"""Generic parity tests over every OpInfo in the op database (tests/op_db.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl
from op_db import OPS, Maker, SampleInput, to_lib


def _samples(op, dtype):
    out = op.samples(Maker(dtype), dtype)
    return [s if isinstance(s, SampleInput) else SampleInput(tuple(s) if isinstance(s, (tuple, list)) else (s,))
            for s in out]


def _cases(kind):
    cases = []
    for op in OPS:
        if kind in ("backward", "gradcheck") and not op.grad:
            continue
        if kind == "gradcheck" and not op.gradcheck:
            continue
        dtypes = ["float64"] if kind == "gradcheck" else op.dtypes
        for dt in dtypes:
            if kind in ("backward", "gradcheck") and dt not in ("float32", "float64"):
                continue
            n = len(_samples(op, dt))
            for i in range(n):
                cases.append(pytest.param(op, dt, i, id=f"{op.name}-{dt}-{i}"))
    return cases


def _to_numpy(x):
    if isinstance(x, (tl.Tensor, torch.Tensor)):
        return x.detach().cpu().numpy()
    return x


def _flatten(out):
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r.extend(_flatten(o))
        return r
    return [out]


def assert_same(actual, expected, atol, rtol, check_dtype=True, what="output"):
    a_list, e_list = _flatten(actual), _flatten(expected)
    assert len(a_list) == len(e_list), f"{what}: {len(a_list)} results, torch gives {len(e_list)}"
    for a, e in zip(a_list, e_list):
        if isinstance(e, torch.Tensor):
            assert isinstance(a, tl.Tensor), f"{what}: expected a Tensor, got {type(a).__name__}"
            assert tuple(a.shape) == tuple(e.shape), f"{what}: shape {tuple(a.shape)} != torch {tuple(e.shape)}"
            if check_dtype:
                assert a.dtype.name == str(e.dtype).replace("torch.", ""), \
                    f"{what}: dtype {a.dtype.name} != torch {e.dtype}"
            an, en = _to_numpy(a), _to_numpy(e)
            if en.dtype.kind == "f" or an.dtype.kind == "f":
                np.testing.assert_allclose(an.astype(np.float64), en.astype(np.float64), atol=atol, rtol=rtol,
                                           equal_nan=True, err_msg=what)
            else:
                np.testing.assert_array_equal(an, en, err_msg=what)
        elif isinstance(e, float):
            assert a == pytest.approx(e, rel=rtol, abs=atol, nan_ok=True), what
        else:
            assert a == e, f"{what}: {a!r} != torch {e!r}"


@pytest.mark.parametrize("op,dtype,i", _cases("forward"))
def test_forward(op, dtype, i):
    s = _samples(op, dtype)[i]
    tl_args, tl_kwargs = to_lib(tuple(s.args), tl, False), to_lib(s.kwargs, tl, False)
    t_args, t_kwargs = to_lib(tuple(s.args), torch, False), to_lib(s.kwargs, torch, False)
    expected = op.ref(*t_args, **t_kwargs)
    actual = op.tl(*tl_args, **tl_kwargs)
    if op.nondeterministic:
        for a, e in zip(_flatten(actual), _flatten(expected)):
            assert tuple(a.shape) == tuple(e.shape) and a.dtype.name == str(e.dtype).replace("torch.", "")
        return
    atol, rtol = op.tolerances(dtype)
    assert_same(actual, expected, atol, rtol, op.check_dtype)


def _diff_inputs(args, kwargs, lib_tensor):
    flat = _flatten(list(args)) + _flatten(list(kwargs.values()))
    return [t for t in flat if isinstance(t, lib_tensor) and t.requires_grad]


@pytest.mark.parametrize("op,dtype,i", _cases("backward"))
def test_backward(op, dtype, i):
    s = _samples(op, dtype)[i]
    tl_args, tl_kwargs = to_lib(tuple(s.args), tl, True), to_lib(s.kwargs, tl, True)
    t_args, t_kwargs = to_lib(tuple(s.args), torch, True), to_lib(s.kwargs, torch, True)
    t_in = _diff_inputs(t_args, t_kwargs, torch.Tensor)
    tl_in = _diff_inputs(tl_args, tl_kwargs, tl.Tensor)
    if not t_in:
        pytest.skip("no differentiable inputs in this sample")
    t_out = [o for o in _flatten(op.ref(*t_args, **t_kwargs)) if isinstance(o, torch.Tensor) and o.requires_grad]
    tl_out = [o for o in _flatten(op.tl(*tl_args, **tl_kwargs)) if isinstance(o, tl.Tensor) and o.requires_grad]
    assert len(tl_out) == len(t_out), "differentiable outputs differ from torch's"
    if not t_out:
        pytest.skip("no differentiable outputs")
    rng = np.random.default_rng(1)
    ups = [rng.standard_normal(tuple(o.shape)).astype(np.dtype(dtype)) for o in t_out]
    t_grads = torch.autograd.grad(t_out, t_in, [torch.tensor(u) for u in ups], allow_unused=True)
    tl_grads = tl.autograd.grad(tl_out, tl_in, [tl.tensor(u) for u in ups], allow_unused=True)
    atol, rtol = op.grad_tolerances(dtype)
    for k, (a, e) in enumerate(zip(tl_grads, t_grads)):
        if e is None:
            assert a is None or np.all(a.numpy() == 0), f"grad {k}: torch has none"
            continue
        assert a is not None, f"grad {k}: tensorlite gave None, torch a gradient"
        assert_same(a, e, atol, rtol, what=f"grad of input {k}")


@pytest.mark.parametrize("op,dtype,i", _cases("gradcheck"))
def test_gradcheck(op, dtype, i):
    s = _samples(op, dtype)[i]
    args, kwargs = to_lib(tuple(s.args), tl, True), to_lib(s.kwargs, tl, True)
    inputs = _diff_inputs(args, kwargs, tl.Tensor)
    if not inputs or sum(t.numel() for t in inputs) > 60:
        pytest.skip("gradcheck runs on small differentiable samples only")
    ids = {id(t): k for k, t in enumerate(inputs)}

    def rebuild(x, new):
        if isinstance(x, tl.Tensor) and id(x) in ids:
            return new[ids[id(x)]]
        if isinstance(x, list):
            return [rebuild(v, new) for v in x]
        if isinstance(x, tuple):
            return tuple(rebuild(v, new) for v in x)
        if isinstance(x, dict):
            return {k: rebuild(v, new) for k, v in x.items()}
        return x

    def fn(*new):
        return op.tl(*rebuild(args, new), **rebuild(kwargs, new))

    assert tl.autograd.gradcheck(fn, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)


def _error_cases():
    return [pytest.param(op, k, id=f"{op.name}-err{k}") for op in OPS for k in range(len(op.error_inputs))]


@pytest.mark.parametrize("op,k", _error_cases())
def test_error(op, k):
    e = op.error_inputs[k]
    with pytest.raises(e.exc):
        e.fn(torch)
    with pytest.raises(e.exc, match=e.match):
        e.fn(tl)


# -- every entry again on each available device ----------------------------------------------------------
# The samples are moved to the device; outputs must come back on it, equal (within the entry's tolerances)
# to torch's and to tensorlite's own CPU results, and so must the gradients. Without a device they skip;
# CI runs them on the emulated device (tests/test_device_emulated.py), a GPU machine on the real one.
_NO_DEVICE = "no CUDA device: tensorlite.cuda.is_available() is False (TENSORLITE_EMULATE_CUDA=1 emulates one)"


def _device_cases():
    if not tl.cuda.is_available():
        return [pytest.param(None, None, None, "cuda", id="cuda-skipped", marks=pytest.mark.skip(reason=_NO_DEVICE))]
    return [pytest.param(op, dt, i, "cuda", id=f"cuda-{op.name}-{dt}-{i}")
            for op in OPS for dt in op.dtypes for i in range(len(_samples(op, dt)))]


def _assert_on(out, device, what):
    want = tl.device(device)
    want = tl.device(want.type, tl.cuda.current_device() if want.index is None else want.index)
    for k, o in enumerate(_flatten(out)):
        if isinstance(o, tl.Tensor):
            assert o.device == want, f"{what} {k}: on {o.device}, expected {want}"


def _assert_close_tl(actual, expected, atol, rtol, what):
    """tensorlite on the device against tensorlite on the CPU."""
    for k, (a, e) in enumerate(zip(_flatten(actual), _flatten(expected))):
        if isinstance(e, tl.Tensor):
            assert isinstance(a, tl.Tensor) and tuple(a.shape) == tuple(e.shape) and a.dtype == e.dtype, \
                f"{what} {k}: {a!r} vs the CPU's {e!r}"
            an, en = _to_numpy(a), _to_numpy(e)
            if en.dtype.kind == "f":
                np.testing.assert_allclose(an, en, atol=atol, rtol=rtol, equal_nan=True, err_msg=f"{what} {k}")
            else:
                np.testing.assert_array_equal(an, en, err_msg=f"{what} {k}")
        elif isinstance(e, float):
            assert a == pytest.approx(e, rel=rtol, abs=atol, nan_ok=True), what
        else:
            assert a == e, f"{what} {k}: {a!r} != the CPU's {e!r}"


@pytest.mark.parametrize("op,dtype,i,device", _device_cases())
def test_device(op, dtype, i, device):
    s = _samples(op, dtype)[i]
    args, kwargs = tuple(s.args), s.kwargs
    atol, rtol = op.tolerances(dtype)
    # forward
    expected = op.ref(*to_lib(args, torch, False), **to_lib(kwargs, torch, False))
    actual = op.tl(*to_lib(args, tl, False, device), **to_lib(kwargs, tl, False, device))
    _assert_on(actual, device, "output")
    if op.nondeterministic:
        for a, e in zip(_flatten(actual), _flatten(expected)):
            assert tuple(a.shape) == tuple(e.shape) and a.dtype.name == str(e.dtype).replace("torch.", "")
    else:
        assert_same(actual, expected, atol, rtol, op.check_dtype)
        _assert_close_tl(actual, op.tl(*to_lib(args, tl, False), **to_lib(kwargs, tl, False)), atol, rtol, "output")
    if not op.grad or dtype not in ("float32", "float64"):
        return
    # backward, with the same random upstream gradient as torch's (moved to the device)
    t_args, t_kwargs = to_lib(args, torch, True), to_lib(kwargs, torch, True)
    d_args, d_kwargs = to_lib(args, tl, True, device), to_lib(kwargs, tl, True, device)
    t_in, d_in = _diff_inputs(t_args, t_kwargs, torch.Tensor), _diff_inputs(d_args, d_kwargs, tl.Tensor)
    t_out = [o for o in _flatten(op.ref(*t_args, **t_kwargs)) if isinstance(o, torch.Tensor) and o.requires_grad]
    d_out = [o for o in _flatten(op.tl(*d_args, **d_kwargs)) if isinstance(o, tl.Tensor) and o.requires_grad]
    assert len(d_out) == len(t_out), "differentiable outputs differ from torch's"
    if not t_in or not t_out:
        return
    rng = np.random.default_rng(1)
    ups = [rng.standard_normal(tuple(o.shape)).astype(np.dtype(dtype)) for o in t_out]
    t_grads = torch.autograd.grad(t_out, t_in, [torch.tensor(u) for u in ups], allow_unused=True)
    d_grads = tl.autograd.grad(d_out, d_in, [tl.tensor(u, device=device) for u in ups], allow_unused=True)
    gatol, grtol = op.grad_tolerances(dtype)
    for k, (a, e) in enumerate(zip(d_grads, t_grads)):
        if e is None:
            assert a is None or np.all(_to_numpy(a) == 0), f"grad {k}: torch has none"
            continue
        assert a is not None, f"grad {k}: tensorlite gave None, torch a gradient"
        _assert_on(a, device, "grad of input")
        assert_same(a, e, gatol, grtol, what=f"grad of input {k}")
