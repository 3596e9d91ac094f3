"""nn.functional composites added with the layers (tensorlite/nn/functional.py): the activations built
from other ops, softmin, bilinear, embedding, dropout. Called through nn.functional in both libraries."""
from __future__ import annotations

import numpy as np

from op_db import Arg, ErrorInput, OpInfo, SampleInput
from opdb.loss import _F, _fn

S = SampleInput


def _op(name, samples, **kw):
    tl_fn, ref_fn = _fn(name)
    return OpInfo(name, tl=tl_fn, ref=ref_fn, samples=samples, **kw)


def _unary(make, dt):
    return [S((make(3, 4),), {}, "2d"), S((make(),), {}, "scalar"), S((make(0, 3),), {}, "empty"),
            S((make(4, 3, noncontig=True),), {}, "noncontig"), S((make(5, low=-30, high=30),), {}, "wide")]


def _softmin(make, dt):
    return [S((make(3, 4),), {"dim": 1}, "dim1"), S((make(2, 3, 4),), {"dim": 0}, "dim0")]


def _bilinear(make, dt):
    return [S((make(4, 3), make(4, 2), make(5, 3, 2), make(5)), {}, "bias"),
            S((make(2, 4, 3), make(2, 4, 2), make(5, 3, 2)), {}, "batched-nobias")]


def _emb_idx(*shape, n, seed=3):
    return Arg(np.random.default_rng(seed).integers(0, n, size=shape).astype(np.int64), requires_grad=False)


def _embedding(make, dt):
    return [S((_emb_idx(5, n=6), make(6, 3)), {}, "1d"),
            S((_emb_idx(2, 4, n=6), make(6, 3)), {"padding_idx": 2}, "padding")]
    # scale_grad_by_freq is not a derivative (gradcheck fails in torch too): tests/test_nn.py has it


def _dropout(make, dt):
    # the identity cases only: a training-mode mask is random (its rate, scaling and backward are in test_nn)
    return [S((make(3, 4),), {"p": 0.3, "training": False}, "eval"), S((make(3, 4),), {"p": 0.0}, "p0")]


OPS = [
    _op("mish", _unary),
    _op("softsign", _unary),
    _op("tanhshrink", _unary),
    _op("logsigmoid", _unary),
    _op("softmin", _softmin),
    _op("bilinear", _bilinear, error_inputs=[
        ErrorInput(lambda lib: _F(lib).bilinear(lib.ones(4, 3), lib.ones(3, 2), lib.ones(5, 3, 2)), RuntimeError)]),
    _op("embedding", _embedding, error_inputs=[
        ErrorInput(lambda lib: _F(lib).embedding(lib.tensor([0, 6]), lib.ones(6, 3)), IndexError,
                   "index out of range in self")]),
    _op("dropout", _dropout, error_inputs=[
        ErrorInput(lambda lib: _F(lib).dropout(lib.ones(2), p=1.5), ValueError,
                   "dropout probability has to be between 0 and 1")]),
]
