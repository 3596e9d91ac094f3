"""In-place ops under autograd.

When no graph is involved an in-place op is just the `_C` kernel on the tensor's memory. When one
is, `x.op_(...)` runs as: value = op(clone(x), ...) out of place (so whatever the backward saves
stays intact), the result is copied into x's memory, and x takes the result's history. If x is a
view, its base's history is rewritten instead (CopySlices, as torch does), and x becomes a view of
the new base.
"""
from __future__ import annotations

from .. import _C
from ..autograd.function import Function
from ..tensor import _wrap
from . import views as V
from .convert import clone, _to_dtype


_LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_LEAF_MSG = "a view of a leaf Variable that requires grad is being used in an in-place operation."


def check_inplace(x):
    """torch's rules: no in-place change of a leaf (or of a view of a leaf) that requires grad."""
    base = x._meta.base if x._meta is not None else None
    if base is not None and base.grad_fn is None and base._rg:
        raise RuntimeError(_VIEW_LEAF_MSG)
    if x.grad_fn is None and x._rg:
        raise RuntimeError(_LEAF_MSG)
    return base


def _inplace_op(x, compute):
    """x := compute(value of x), recorded in the graph. compute gets a differentiable tensor with
    x's current value and returns the new value (any broadcastable shape equal to x's)."""
    base = check_inplace(x)
    r = compute(clone(x))
    if r.dtype != x.dtype:
        if not _C.can_cast(r._t.dtype, x._t.dtype):
            raise RuntimeError(f"result type {_torch_name(r.dtype)} can't be cast to the desired output type "
                               f"{_torch_name(x.dtype)}")
        r = _to_dtype(r, x.dtype, False)
    if tuple(r._t.shape) != tuple(x._t.shape):
        raise RuntimeError(f"output with shape {list(x._t.shape)} doesn't match the broadcast shape "
                           f"{list(r._t.shape)}")
    _C.copy_(x._t, r._t)
    x._t.bump_version()
    if base is None:
        if not r._rg:
            if x._rg:  # overwritten by a constant: the old history gets zero gradient, as in torch
                r = _Overwrite.apply(r, x)
            else:
                return x
        elif r.grad_fn is None:  # the new value is a leaf: x must not become that leaf
            r = clone(r)
        x.grad_fn = r.grad_fn
        x._output_nr = r._output_nr
        x._rg = True
        return x
    if r._rg or x._rg or base._rg:
        _rebase_view(x, base, r)
    return x


class _Overwrite(Function):
    """The new value (a constant) of a tensor that required grad: no gradient reaches its old history."""

    @staticmethod
    def forward(ctx, value, old):
        return _wrap(value._t)

    @staticmethod
    def backward(ctx, g):
        return None, None


def _torch_name(dt):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "uint8": "Byte",
            "bool": "Bool"}[dt.name]


class CopySlices(Function):
    """base with the region `geom` replaced by src (the data is already in place)."""

    @staticmethod
    def forward(ctx, base, src, geom):
        ctx.geom = geom
        ctx.in_shape = base._t.shape
        ctx.mark_dirty(base)
        return base

    @staticmethod
    def backward(ctx, g):
        gc = V.contiguous(g)
        size, stride, off = ctx.geom
        g_src = V.as_strided(gc, size, stride, off + gc._t.offset)
        g_base = g - V.AsStridedScatter.apply(g_src, ctx.in_shape, ctx.geom)
        return g_base, g_src, None


def _rebase_view(x, base, r):
    if not base._t.is_contiguous():
        raise RuntimeError("in-place operation on a view of a non-contiguous tensor is not supported by "
                           "tensorlite's autograd; call .contiguous() on the base first")
    geom = (list(x._t.shape), list(x._t.strides), x._t.offset - base._t.offset)
    CopySlices.apply(base, r, geom)
    v = V.as_strided(base, geom[0], geom[1], x._t.offset)
    x.grad_fn = v.grad_fn
    x._output_nr = 0
    x._rg = True
