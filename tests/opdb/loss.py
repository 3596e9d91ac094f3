"""Losses (csrc/ops/loss.cpp for cross_entropy's fused kernel; tensorlite/ops/loss.py). Called through
nn.functional in both libraries; class targets and weights never require grad (torch has no weight
gradient for cross_entropy / nll_loss)."""
from __future__ import annotations

import numpy as np

from op_db import Arg, ErrorInput, OpInfo, SampleInput

S = SampleInput


def _F(lib):
    return lib.nn.functional


def _fn(name):
    def tl_fn(*a, **kw):
        import tensorlite
        return getattr(_F(tensorlite), name)(*a, **kw)

    def ref_fn(*a, **kw):
        import torch
        return getattr(_F(torch), name)(*a, **kw)
    return tl_fn, ref_fn


def _idx(*shape, c, seed=1, ignore=None):
    t = np.random.default_rng(seed).integers(0, c, size=shape).astype(np.int64)
    if ignore is not None and t.size:
        t.flat[0] = ignore
    return Arg(t, requires_grad=False)


def _w(c, dt, seed=2):
    return Arg(np.random.default_rng(seed).uniform(0.2, 2.0, size=c).astype(dt), requires_grad=False)


def _probs(make, *shape, dim=1):
    a = make(*shape)
    e = np.exp(a.array)
    a.array = (e / e.sum(axis=dim, keepdims=True)).astype(a.array.dtype)
    return a


def _ce_samples(make, dt):
    s = [S((make(4, 5), _idx(4, c=5)), {}, "mean"),
         S((make(4, 5), _idx(4, c=5)), {"reduction": "none"}, "none"),
         S((make(4, 5), _idx(4, c=5)), {"reduction": "sum", "weight": _w(5, dt)}, "sum-weight"),
         S((make(6, 5), _idx(6, c=5, ignore=3)), {"weight": _w(5, dt), "ignore_index": 3}, "weight-ignore"),
         S((make(6, 5), _idx(6, c=5, ignore=-100)), {"label_smoothing": 0.2, "weight": _w(5, dt)}, "smooth-weight"),
         S((make(2, 5, 3, 2), _idx(2, 3, 2, c=5, ignore=-100)), {"label_smoothing": 0.1}, "spatial"),
         S((make(2, 4, 3), _idx(2, 3, c=4)), {"reduction": "none", "weight": _w(4, dt)}, "spatial-none"),
         S((make(5), _idx(c=5)), {}, "unbatched"),
         S((make(4, 5, noncontig=True), _idx(4, c=5)), {}, "noncontig"),
         S((make(3, 5, low=1e4, high=1e4 + 5), _idx(3, c=5)), {}, "large"),
         S((make(3, 300), _idx(3, c=300)), {"label_smoothing": 0.05}, "wide"),
         S((make(4, 5), _probs(make, 4, 5)), {}, "probs"),
         S((make(4, 5), _probs(make, 4, 5)), {"label_smoothing": 0.3, "weight": _w(5, dt), "reduction": "none"},
           "probs-smooth-weight"),
         S((make(2, 4, 3), _probs(make, 2, 4, 3)), {"reduction": "sum"}, "probs-spatial")]
    return s


def _nll_samples(make, dt):
    return [S((make(4, 5), _idx(4, c=5)), {}, "mean"),
            S((make(6, 5), _idx(6, c=5, ignore=2)), {"weight": _w(5, dt), "ignore_index": 2}, "weight-ignore"),
            S((make(2, 4, 3), _idx(2, 3, c=4)), {"reduction": "none"}, "spatial"),
            S((make(5), _idx(c=5)), {"reduction": "sum"}, "unbatched")]


def _reg_samples(make, dt):
    return [S((make(3, 4), make(3, 4)), {}, "mean"), S((make(3, 4), make(3, 4)), {"reduction": "none"}, "none"),
            S((make(2, 3), make(2, 3)), {"reduction": "sum"}, "sum"), S((make(), make()), {}, "scalar")]


def _bce_samples(make, dt):
    return [S((make(3, 4, low=0.05, high=0.95), make(3, 4, low=0, high=1)), {}, "mean"),
            S((make(3, 4, low=0.05, high=0.95), make(3, 4, low=0, high=1)),
              {"weight": make(4, requires_grad=False), "reduction": "none"}, "weight")]


def _bcel_samples(make, dt):
    return [S((make(3, 4), make(3, 4, low=0, high=1)), {}, "mean"),
            S((make(3, 4), make(3, 4, low=0, high=1)),
              {"pos_weight": make(4, low=0.5, high=2, requires_grad=False), "weight": make(3, 4, requires_grad=False),
               "reduction": "sum"}, "pos-weight"),
            S((make(2, 3, low=-50, high=50), make(2, 3, low=0, high=1)), {"reduction": "none"}, "large")]


def _kl_samples(make, dt):
    return [S((make(3, 4), _probs(make, 3, 4)), {"reduction": "batchmean"}, "batchmean"),
            S((make(3, 4), make(3, 4)), {"reduction": "sum", "log_target": True}, "log-target"),
            S((make(3, 4), _probs(make, 3, 4)), {"reduction": "none"}, "none")]


def _op(name, fn, samples, **kw):
    tl_fn, ref_fn = _fn(fn)
    return OpInfo(name, tl=tl_fn, ref=ref_fn, samples=samples, **kw)


def _ce_err(lib, x, t, **kw):
    return lambda lib: _F(lib).cross_entropy(lib.tensor(x), lib.tensor(t), **kw)


OPS = [
    _op("cross_entropy", "cross_entropy", _ce_samples, atol=1e-5, rtol=1e-5, error_inputs=[
        ErrorInput(lambda lib: _F(lib).cross_entropy(lib.ones(3, 5), lib.tensor([0, 5, 1])), IndexError,
                   "Target 5 is out of bounds."),
        ErrorInput(lambda lib: _F(lib).cross_entropy(lib.ones(3, 5), lib.tensor([0, 1])), ValueError,
                   r"Expected input batch_size \(3\) to match target batch_size \(2\)"),
        ErrorInput(lambda lib: _F(lib).cross_entropy(lib.ones(2, 5, 4), lib.zeros(2, 3, dtype=lib.int64)),
                   RuntimeError, r"Expected target size \[2, 4\], got \[2, 3\]"),
        ErrorInput(lambda lib: _F(lib).cross_entropy(lib.ones(3, 5), lib.tensor([0, 1, 2]), weight=lib.ones(3)),
                   RuntimeError, "weight tensor should be defined either for all 5 classes"),
        ErrorInput(lambda lib: _F(lib).cross_entropy(lib.ones(3, 5), lib.tensor([0, 1, 2]), reduction="avg"),
                   ValueError, "avg is not a valid value for reduction")]),
    _op("nll_loss", "nll_loss", _nll_samples, error_inputs=[
        ErrorInput(lambda lib: _F(lib).nll_loss(lib.ones(3, 5), lib.tensor([0, 7, 1])), IndexError,
                   "Target 7 is out of bounds.")]),
    _op("mse_loss", "mse_loss", _reg_samples),
    _op("l1_loss", "l1_loss", _reg_samples),
    _op("smooth_l1_loss", "smooth_l1_loss", lambda make, dt: _reg_samples(make, dt) + [
        S((make(3, 4), make(3, 4)), {"beta": 0.5}, "beta"), S((make(3, 4), make(3, 4)), {"beta": 0.0}, "beta0")]),
    _op("huber_loss", "huber_loss", lambda make, dt: _reg_samples(make, dt) + [
        S((make(3, 4), make(3, 4)), {"delta": 0.5}, "delta")]),
    _op("binary_cross_entropy", "binary_cross_entropy", _bce_samples, error_inputs=[
        ErrorInput(lambda lib: _F(lib).binary_cross_entropy(lib.rand(3), lib.rand(4)), ValueError)]),
    _op("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", _bcel_samples, error_inputs=[
        ErrorInput(lambda lib: _F(lib).binary_cross_entropy_with_logits(lib.rand(3), lib.rand(4)), ValueError)]),
    _op("kl_div", "kl_div", _kl_samples),
]
