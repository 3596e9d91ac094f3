"""Sorting: sort, argsort, topk (kernels in csrc/cpu/sort.cpp).

sort is always stable (so `stable=False` gives one of the orders torch may give, and `stable=True`
exactly torch's); NaN sorts as the largest value. topk returns its k values sorted, ties going to the
lower index. Backward scatters the gradient back to the positions the values came from.
"""
from __future__ import annotations

from collections import namedtuple

from .. import _C
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _register_methods
from . import out as O

__all__ = ["sort", "argsort", "topk", "msort"]

# torch.return_types.sort / topk: tuples with named fields
sort_return = namedtuple("sort", ["values", "indices"])
topk_return = namedtuple("topk", ["values", "indices"])


class _ScatterBack(Function):
    """Shared by sort and topk: values = x gathered along dim at `indices`."""

    @staticmethod
    def forward(ctx, x, dim, run):
        ctx.dim, ctx.in_shape = dim, x._t.shape
        v, i = run(x._t)
        ctx.indices = _wrap(i)
        ctx.mark_non_differentiable(ctx.indices)
        return _wrap(v), ctx.indices

    @staticmethod
    def backward(ctx, g, _gi):
        from .indexing import scatter
        z = _wrap(_C.full(list(ctx.in_shape), 0, g._t.dtype, g._t.device))
        return scatter(z, ctx.dim, ctx.indices, g), None, None


def _check_input(name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _run(x, dim, run, ret):
    if MODE.enabled and x._rg:
        return ret(*_ScatterBack.apply(x, dim, run))
    v, i = run(x._t)
    return ret(_wrap(v), _wrap(i))


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    if out is not None:
        return O.into_pair("sort", out, lambda: sort(input, dim, descending, stable=stable), input, rt=sort_return)
    _check_input("sort", input)
    return _run(input, dim, lambda t: _C.sort(t, dim, bool(descending)), sort_return)


def argsort(input, dim=-1, descending=False, *, stable=False):
    _check_input("argsort", input)
    return _wrap(_C.sort(input._t, dim, bool(descending))[1])


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    if out is not None:
        return O.into_pair("topk", out, lambda: topk(input, k, dim, largest, sorted), input, rt=topk_return)
    _check_input("topk", input)
    if isinstance(k, Tensor):
        k = int(k)
    return _run(input, dim, lambda t: _C.topk(t, k, dim, bool(largest), bool(sorted)), topk_return)


_register_methods({"sort": sort, "argsort": argsort, "topk": topk, "msort": msort})
