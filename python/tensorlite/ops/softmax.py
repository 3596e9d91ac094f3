"""softmax / log_softmax over a dim: fused C++ kernels (csrc/ops/softmax.cpp), max-subtracted.

Backward: when no graph of the gradient is needed (the usual case) the fused C++ backward runs;
under create_graph the same formula is built from differentiable ops so double backward works.
"""
from __future__ import annotations

from .. import _C
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import _wrap, _register_methods
from .reduce import _dim1, _dt, _to_in_dtype

__all__ = ["softmax", "log_softmax"]


class _SoftmaxBase(Function):
    """Fused forward kernel `_C.<kernel>`; the output is saved, as backward needs only it."""
    kernel = None

    @classmethod
    def forward(cls, ctx, x, dim, dtype):
        ctx.dim, ctx.dt = dim, x._t.dtype
        y = _wrap(getattr(_C, cls.kernel)(x._t, dim, dtype))
        ctx.save_for_backward(y)
        return y


class Softmax(_SoftmaxBase):
    kernel = "softmax"

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if MODE.enabled:
            gi = y * (g - (g * y).sum(ctx.dim, keepdim=True))
        else:
            gi = _wrap(_C.softmax_backward(g._t, y._t, ctx.dim))
        return _to_in_dtype(gi, ctx.dt), None, None


class LogSoftmax(_SoftmaxBase):
    kernel = "log_softmax"

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if MODE.enabled:
            gi = g - y.exp() * g.sum(ctx.dim, keepdim=True)
        else:
            gi = _wrap(_C.log_softmax_backward(g._t, y._t, ctx.dim))
        return _to_in_dtype(gi, ctx.dt), None, None


def softmax(input, dim, dtype=None):
    d = _dim1(dim, "softmax")
    if MODE.enabled and input._rg:
        return Softmax.apply(input, d, _dt(dtype))
    return _wrap(_C.softmax(input._t, d, _dt(dtype)))


def log_softmax(input, dim, dtype=None):
    d = _dim1(dim, "log_softmax")
    if MODE.enabled and input._rg:
        return LogSoftmax.apply(input, d, _dt(dtype))
    return _wrap(_C.log_softmax(input._t, d, _dt(dtype)))


_register_methods({"softmax": softmax, "log_softmax": log_softmax})
