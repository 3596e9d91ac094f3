"""Losses against torch: the fused cross-entropy's edge cases (all-ignored mean, huge logits, probability
targets with a target gradient, double backward, float64 gradcheck, every ISA variant, thread-count
independence), the loss Modules (forward, input gradient, buffers, legacy size_average/reduce), and the
warnings/errors torch gives. op_db (tests/opdb/loss.py) covers the plain option grid of every loss."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import tensorlite as tl
import tensorlite.nn.functional as TF

RNG = np.random.default_rng(0)


def _pair(a, requires_grad=False):
    return tl.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach())


def _close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, equal_nan=True)


# ---- cross_entropy: edge cases ------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.1}, {"weight": True}, {"weight": True, "label_smoothing": 0.2}])
def test_all_ignored_mean_is_nan(kw):
    x = RNG.standard_normal((3, 4))
    w = RNG.uniform(0.5, 1.5, 4) if kw.get("weight") else None
    kw = dict(kw)
    kw.pop("weight", None)
    t = np.full(3, -100)
    for fn_tl, fn_th in ((TF.cross_entropy, F.cross_entropy), (TF.nll_loss, F.nll_loss)):
        if fn_tl is TF.nll_loss and kw:
            continue
        a = fn_tl(tl.tensor(x), tl.tensor(t), weight=None if w is None else tl.tensor(w), **kw)
        b = fn_th(torch.tensor(x), torch.tensor(t), weight=None if w is None else torch.tensor(w), **kw)
        assert np.isnan(b.item()) and np.isnan(a.item())
        a = fn_tl(tl.tensor(x), tl.tensor(t), reduction="sum", **kw)
        assert a.item() == 0.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1e4, 1e5, 1e30])
def test_huge_logits_stable(dtype, scale):
    x = (RNG.standard_normal((6, 7)) * scale).astype(dtype)
    x[0, :] = scale  # ties at the max
    t = RNG.integers(0, 7, 6)
    for kw in ({}, {"label_smoothing": 0.1}, {"reduction": "none"}):
        xl, xt = _pair(x, True)
        a = TF.cross_entropy(xl, tl.tensor(t), **kw)
        b = F.cross_entropy(xt, torch.tensor(t), **kw)
        assert np.all(np.isfinite(_np(a)))
        _close(a, b, rtol=1e-5 if dtype == "float32" else 1e-12, atol=0)
        a.sum().backward()
        b.sum().backward()
        assert np.all(np.isfinite(_np(xl.grad)))
        _close(xl.grad, xt.grad, rtol=1e-5, atol=1e-7)


def test_probability_targets_with_target_grad():
    x = RNG.standard_normal((4, 5, 2))
    p = RNG.random((4, 5, 2))
    w = RNG.uniform(0.5, 2, 5)
    for kw in ({}, {"label_smoothing": 0.25}, {"reduction": "none"}):
        xl, xt = _pair(x, True)
        pl, pt = _pair(p, True)
        a = TF.cross_entropy(xl, pl, weight=tl.tensor(w), **kw)
        b = F.cross_entropy(xt, pt, weight=torch.tensor(w), **kw)
        _close(a, b, 1e-12, 1e-12)
        g = RNG.standard_normal(b.shape)
        a.backward(tl.tensor(g))
        b.backward(torch.tensor(g))
        _close(xl.grad, xt.grad, 1e-10, 1e-12)
        _close(pl.grad, pt.grad, 1e-10, 1e-12)


@pytest.mark.parametrize("kw", [{}, {"reduction": "none", "label_smoothing": 0.1}, {"weight": True, "ignore_index": 1},
                                {"probs": True}])
def test_double_backward(kw):
    kw = dict(kw)
    x = RNG.standard_normal((3, 4))
    if kw.pop("probs", False):
        t = RNG.random((3, 4))
    else:
        t = np.array([1, 0, 3])
    w = RNG.uniform(0.5, 2, 4) if kw.pop("weight", False) else None
    res = []
    for lib, fn in ((tl, TF.cross_entropy), (torch, F.cross_entropy)):
        xx = lib.tensor(x, requires_grad=True)
        loss = fn(xx, lib.tensor(t), weight=None if w is None else lib.tensor(w), **kw)
        g, = lib.autograd.grad(loss.sum(), xx, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), xx)
        res.append((g, gg))
    _close(res[0][0], res[1][0], 1e-10, 1e-12)
    _close(res[0][1], res[1][1], 1e-9, 1e-12)


def test_gradcheck_fused_kernel():
    x = tl.tensor(RNG.standard_normal((3, 5, 2)), requires_grad=True)
    t = tl.tensor(RNG.integers(0, 5, (3, 2)))
    w = tl.tensor(RNG.uniform(0.5, 2, 5))
    for kw in ({}, {"weight": w, "label_smoothing": 0.3}, {"reduction": "none", "ignore_index": int(t[0, 0])}):
        assert tl.autograd.gradcheck(lambda x: TF.cross_entropy(x, t, **kw), (x,))
    p = tl.tensor(RNG.random((3, 5)), requires_grad=True)
    x2 = tl.tensor(RNG.standard_normal((3, 5)), requires_grad=True)
    assert tl.autograd.gradcheck(lambda x, p: TF.cross_entropy(x, p, label_smoothing=0.1), (x2, p))


def test_errors_match_torch():
    cases = [
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.tensor([0, -3, 1])), IndexError, "Target -3 is out of bounds."),
        (lambda F_, L: F_.cross_entropy(L.ones(5), L.tensor([1, 2])), ValueError, "For 1D input, 1D target must"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.tensor([[0, 1, 2]] * 3)), RuntimeError, "0D or 1D target"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.tensor([0, 1, 2], dtype=L.int32)), RuntimeError,
         "expected target dtype to be Long or Byte, but got Int"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.ones(3, 5, dtype=L.int64)), RuntimeError,
         "Expected floating point type for target with class probabilities"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.ones(3, 5), ignore_index=1), RuntimeError,
         "ignore_index is not supported for floating point target"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.tensor([0, 1, 2]), label_smoothing=1.5), RuntimeError,
         "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5), L.tensor([0, 1, 2]), weight=L.ones(5, dtype=L.float64)),
         RuntimeError, "expected scalar type Float but found Double"),
        (lambda F_, L: F_.cross_entropy(L.ones(3, 5, dtype=L.int64), L.tensor([0, 1, 2])), NotImplementedError,
         "not implemented for 'Long'"),
        (lambda F_, L: F_.nll_loss(L.ones(3, 5), L.tensor([0, 1])), ValueError, "Expected input batch_size"),
        (lambda F_, L: F_.binary_cross_entropy(L.ones(3) * 2, L.ones(3)), RuntimeError,
         "all elements of input should be between 0 and 1"),
        (lambda F_, L: F_.mse_loss(L.ones(3, 5), L.ones(4)), RuntimeError, "must match the size"),
        (lambda F_, L: F_.smooth_l1_loss(L.ones(3), L.ones(3), beta=-1.0), RuntimeError, "negative values for beta"),
        (lambda F_, L: F_.huber_loss(L.ones(3), L.ones(3), delta=0.0), RuntimeError, "non-positive values for delta"),
        (lambda F_, L: F_.mse_loss(L.ones(3), L.ones(3), weight=L.ones(2)), ValueError,
         "Weights and input must have the same size."),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc):
            fn(F, torch)
        with pytest.raises(exc, match=msg.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
            fn(TF, tl)


def test_empty_batch():
    for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}):
        a = TF.cross_entropy(tl.ones(0, 5), tl.zeros(0, dtype=tl.int64), **kw)
        b = F.cross_entropy(torch.ones(0, 5), torch.zeros(0, dtype=torch.int64), **kw)
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)


_CHILD = r"""
import json, sys
import numpy as np
import tensorlite as tl
import tensorlite.nn.functional as TF
rng = np.random.default_rng(3)
out = {}
for c in (1, 7, 128, 1000, 1031):
    x = tl.tensor(rng.standard_normal((64, c)).astype(np.float32) * 4, requires_grad=True)
    t = tl.tensor(rng.integers(0, c, 64))
    loss = TF.cross_entropy(x, t, reduction="none")
    loss.sum().backward()
    out[c] = [np.asarray(loss.detach()).tolist(), np.asarray(x.grad).tolist()]
print(json.dumps(out))
"""


def test_isa_variants_and_threads():
    """Every ISA variant's row kernels (masked tails at several widths) against torch; one variant at
    1 and 2 threads gives bitwise-equal results."""
    pydir = os.path.dirname(os.path.dirname(os.path.abspath(tl.__file__)))
    supported = tl._C.isa_supported().split(",") if hasattr(tl._C, "isa_supported") else ["generic"]
    rng = np.random.default_rng(3)
    ref = {}
    for c in (1, 7, 128, 1000, 1031):
        x = torch.tensor(rng.standard_normal((64, c)).astype(np.float32) * 4, requires_grad=True)
        t = torch.tensor(rng.integers(0, c, 64))
        loss = F.cross_entropy(x, t, reduction="none")
        loss.sum().backward()
        ref[str(c)] = (loss.detach().numpy(), x.grad.numpy())
    runs = []
    for isa, threads in [(i, "2") for i in supported] + [(supported[0], "1")]:
        env = dict(os.environ, TENSORLITE_ISA=isa, OMP_NUM_THREADS=threads, PYTHONPATH=pydir)
        r = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        got = json.loads(r.stdout)
        for c, (loss, grad) in got.items():
            np.testing.assert_allclose(loss, ref[c][0], rtol=2e-6, atol=1e-6, err_msg=f"{isa} C={c}")
            np.testing.assert_allclose(grad, ref[c][1], rtol=1e-5, atol=1e-7, err_msg=f"{isa} C={c}")
        runs.append(got)
    assert runs[0] == runs[-1]  # same variant, 2 threads vs 1: bitwise


# ---- the Modules --------------------------------------------------------------------------------------

def _module_cases():
    x = RNG.standard_normal((4, 5))
    t_idx = RNG.integers(0, 5, 4)
    t_idx[1] = 2
    w5 = RNG.uniform(0.5, 2, 5)
    y = RNG.standard_normal((4, 5))
    pr = RNG.uniform(0.05, 0.95, (4, 5))
    tgt01 = RNG.random((4, 5))
    lp = np.log(RNG.dirichlet(np.ones(5), 4))
    return [
        ("CrossEntropyLoss", {"weight": w5, "ignore_index": 2, "label_smoothing": 0.1}, x, t_idx),
        ("CrossEntropyLoss", {"reduction": "sum"}, x, t_idx),
        ("NLLLoss", {"weight": w5}, lp, t_idx),
        ("MSELoss", {}, x, y),
        ("L1Loss", {"reduction": "sum"}, x, y),
        ("SmoothL1Loss", {"beta": 0.5}, x, y),
        ("HuberLoss", {"delta": 0.7, "reduction": "none"}, x, y),
        ("BCELoss", {"weight": RNG.uniform(0.5, 2, 5)}, pr, tgt01),
        ("BCEWithLogitsLoss", {"pos_weight": RNG.uniform(0.5, 2, 5), "weight": RNG.uniform(0.5, 2, 5)}, x, tgt01),
        ("KLDivLoss", {"reduction": "batchmean"}, lp, np.exp(lp[::-1].copy())),
        ("KLDivLoss", {"reduction": "sum", "log_target": True}, lp, lp[::-1].copy()),
    ]


@pytest.mark.parametrize("case", _module_cases(), ids=lambda c: c[0])
def test_modules(case):
    name, kw, x, t = case
    res = []
    for lib in (tl, torch):
        kk = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        m = getattr(lib.nn, name)(**kk)
        xx = lib.tensor(x, requires_grad=True)
        loss = m(xx, lib.tensor(t))
        loss.sum().backward()
        res.append((loss, xx.grad, m))
    _close(res[0][0], res[1][0], 1e-10, 1e-12)
    _close(res[0][1], res[1][1], 1e-10, 1e-12)
    mt, mr = res[0][2], res[1][2]
    assert repr(mt) == repr(mr)
    assert list(mt.state_dict().keys()) == list(mr.state_dict().keys())
    for k, v in mr.state_dict().items():
        _close(mt.state_dict()[k], v)
    assert mt.reduction == mr.reduction


def test_module_legacy_args_and_buffers():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        for sa, red in ((None, None), (False, None), (True, False), (False, False)):
            a = tl.nn.MSELoss(size_average=sa, reduce=red) if (sa, red) != (None, None) else tl.nn.MSELoss()
            b = torch.nn.MSELoss(size_average=sa, reduce=red) if (sa, red) != (None, None) else torch.nn.MSELoss()
            assert a.reduction == b.reduction
    assert any("size_average and reduce args will be deprecated" in str(r.message) for r in rec)
    x = RNG.standard_normal((3, 4))
    a = TF.l1_loss(tl.tensor(x), tl.zeros(3, 4), size_average=False)
    b = F.l1_loss(torch.tensor(x), torch.zeros(3, 4), size_average=False)
    _close(a, b)
    m = tl.nn.CrossEntropyLoss(weight=tl.ones(3))
    assert "weight" in dict(m.named_buffers())
    m2 = tl.nn.BCEWithLogitsLoss(pos_weight=tl.ones(2))
    assert set(dict(m2.named_buffers())) == {"pos_weight"}


# ---- functional details ---------------------------------------------------------------------------------

def test_mse_size_warning_and_broadcast():
    x, y = RNG.standard_normal((3, 5)), RNG.standard_normal(5)
    with pytest.warns(UserWarning, match="Using a target size"):
        a = TF.mse_loss(tl.tensor(x), tl.tensor(y))
    b = F.mse_loss(torch.tensor(x), torch.tensor(y))
    _close(a, b, 1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TF.mse_loss(tl.tensor(x), tl.tensor(x))


def test_kl_div_mean_warns():
    x, y = RNG.standard_normal((3, 4)), RNG.random((3, 4))
    with pytest.warns(UserWarning, match="batchmean"):
        a = TF.kl_div(tl.tensor(x), tl.tensor(y))
    _close(a, F.kl_div(torch.tensor(x), torch.tensor(y)), 1e-12)


def test_bce_saturated_inputs():
    """log clamped to >= -100 and torch's clamped-denominator gradient at x = 0 and 1."""
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3])
    xl, xt = _pair(x, True)
    a = TF.binary_cross_entropy(xl, tl.tensor(t), reduction="none")
    b = F.binary_cross_entropy(xt, torch.tensor(t), reduction="none")
    _close(a, b, 1e-12)
    a.sum().backward()
    b.sum().backward()
    _close(xl.grad, xt.grad, 1e-12)


def test_bce_with_logits_extreme():
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    t = np.array([1.0, 0.0, 0.5, 1.0, 0.0])
    pw = np.array([2.0])
    xl, xt = _pair(x, True)
    a = TF.binary_cross_entropy_with_logits(xl, tl.tensor(t), pos_weight=tl.tensor(pw), reduction="none")
    b = F.binary_cross_entropy_with_logits(xt, torch.tensor(t), pos_weight=torch.tensor(pw), reduction="none")
    assert np.all(np.isfinite(_np(a)))
    _close(a, b, 1e-12)
    a.sum().backward()
    b.sum().backward()
    _close(xl.grad, xt.grad, 1e-12)


def test_cross_entropy_no_grad_path_matches_graph_path():
    """The forward-only call (no autograd) and the Function give torch's value."""
    x = RNG.standard_normal((5, 6)).astype(np.float32)
    t = RNG.integers(0, 6, 5)
    with tl.no_grad():
        a = TF.cross_entropy(tl.tensor(x, requires_grad=True), tl.tensor(t))
    assert a.grad_fn is None
    _close(a, F.cross_entropy(torch.tensor(x), torch.tensor(t)), 1e-6)


def test_byte_targets_and_target_check_order_match_torch():
    # torch takes uint8 class indices ("Long or Byte"), and checks the target's shape before its dtype
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    tgt = np.array([0, 1, 4, 2], dtype=np.uint8)
    for name in ("cross_entropy", "nll_loss"):
        for kw in ({}, {"reduction": "none"}, {"label_smoothing": 0.1} if name == "cross_entropy" else {"weight": 1}):
            kw = dict(kw)
            if "weight" in kw:
                kw_t, kw_l = {"weight": torch.arange(1.0, 6.0)}, {"weight": tl.arange(1.0, 6.0)}
            else:
                kw_t, kw_l = kw, kw
            (xl, xt), (tl_t, tt) = _pair(x, True), _pair(tgt)
            lt, ll = getattr(F, name)(xt, tt, **kw_t), getattr(TF, name)(xl, tl_t, **kw_l)
            np.testing.assert_allclose(_np(ll), _np(lt), rtol=1e-6, atol=1e-6)
            lt.sum().backward()
            ll.sum().backward()
            np.testing.assert_allclose(_np(xl.grad), _np(xt.grad), rtol=1e-6, atol=1e-6)
        bad = np.zeros(3, dtype=np.float32)  # wrong batch and wrong dtype: the batch error wins
        with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(3\)"):
            getattr(F, name)(torch.tensor(x), torch.tensor(bad))
        with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(3\)"):
            getattr(TF, name)(tl.tensor(x), tl.tensor(bad))
