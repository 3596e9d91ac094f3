"""Reductions and cumsum: the Python side of csrc/ops/reduce.cpp.

Each differentiable reduction is an autograd Function whose backward is written with differentiable
tensorlite ops (expand, mul, div, exp and these reductions), so second derivatives work. Gradient
masks (which element was the max, the sign of x) are constants: their derivative is zero anyway.
Public functions follow torch's signatures; `max(dim=...)`/`min(dim=...)` return a
`return_types.max`-like namedtuple (values, indices).
"""
from __future__ import annotations

import builtins
import collections
import math

import numpy as np

from .. import _C
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _wrap_dim, _register_methods

__all__ = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var", "std", "norm", "all",
           "any", "logsumexp", "cumsum", "return_types"]


class return_types:
    """torch.return_types: namedtuples that also unpack as (values, indices)."""
    max = collections.namedtuple("max", ["values", "indices"])
    min = collections.namedtuple("min", ["values", "indices"])


# -- argument parsing -----------------------------------------------------------------------------------

def _is_int(d):
    return isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_))


def _dims(dim, op):
    """None, an int, or a tuple/list of ints -> None or a list of ints (TypeError otherwise, as torch)."""
    if dim is None:
        return None
    if _is_int(dim):
        return [int(dim)]
    if isinstance(dim, (tuple, list)) and builtins.all(_is_int(d) for d in dim):
        return [int(d) for d in dim]
    if isinstance(dim, Tensor) and dim.dim() == 0 and not dim.is_floating_point():
        return [int(dim.item())]
    raise TypeError(f"{op}() received an invalid combination of arguments - got (dim={type(dim).__name__}), "
                    f"but expected (tuple of ints dim, bool keepdim)")


def _dim1(dim, op, name="dim"):
    if _is_int(dim):
        return int(dim)
    if isinstance(dim, Tensor) and dim.dim() == 0 and not dim.is_floating_point():
        return int(dim.item())
    raise TypeError(f"{op}(): argument '{name}' must be int, not {type(dim).__name__}")


def _dt(dtype):
    return None if dtype is None else dtype._id


def _keep_shape(shape, dims, empty_means_all=True):
    """The keepdim=True shape of a reduction of `shape` over `dims` (None: all dims)."""
    nd = len(shape)
    if dims is None or (not dims and empty_means_all):
        return [1] * nd
    keep = list(shape)
    for d in dims:
        if nd:
            keep[_wrap_dim(d, nd)] = 1
    return keep


def _n_reduced(shape, keep):
    n = 1
    for s, k in zip(shape, keep):
        if s != k or k == 1:
            n *= s
    return n


def _expand_back(g, keep, shape):
    """Gradient of a reduction output (keepdim or not) broadcast back to the input's shape."""
    if list(g.shape) != list(keep):
        g = g.reshape(keep)
    if list(keep) != list(shape):
        g = g.expand(list(shape))
    return g


def _const(impl, dtype_id=None):
    """A constant (no autograd history) tensor from a _C result, optionally cast."""
    if dtype_id is not None and impl.dtype != dtype_id:
        impl = _C.to_dtype(impl, dtype_id)
    return _wrap(impl)


def _needs_graph(x):
    return MODE.enabled and x._rg


def _to_in_dtype(g, dtype_id):
    return g if g._t.dtype == dtype_id else g.to(D._BY_ID[dtype_id])


# -- sum / mean / prod ----------------------------------------------------------------------------------

class Sum(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dt = list(x.shape), x._t.dtype
        ctx.keep = _keep_shape(ctx.shape, dims)
        return _wrap(_C.sum(x._t, dims, keepdim, dtype))

    @staticmethod
    def backward(ctx, g):
        return _to_in_dtype(_expand_back(g, ctx.keep, ctx.shape), ctx.dt), None, None, None


class Mean(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dt = list(x.shape), x._t.dtype
        ctx.keep = _keep_shape(ctx.shape, dims)
        ctx.n = _n_reduced(ctx.shape, ctx.keep)
        return _wrap(_C.mean(x._t, dims, keepdim, dtype))

    @staticmethod
    def backward(ctx, g):
        return _to_in_dtype(_expand_back(g, ctx.keep, ctx.shape) / ctx.n, ctx.dt), None, None, None


class Prod(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.dims, ctx.dt = dims, x._t.dtype
        ctx.keep = _keep_shape(list(x.shape), dims)
        out = _wrap(_C.prod(x._t, dims, keepdim, dtype))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape = list(x.shape)
        g = _expand_back(g, ctx.keep, shape)
        zero = _C.eq_scalar(x._t, 0, False)
        if not _C.any(zero, None, False).item():
            # d prod / d x_i = prod / x_i; differentiable (double backward) when no x_i is zero
            return _to_in_dtype(g * _expand_back(out, ctx.keep, shape) / x, ctx.dt), None, None, None
        # With zeros: the product of the others is the product of the non-zero elements for the single
        # zero (if there is exactly one) and 0 everywhere else. A constant in x (first order only).
        xt = x._t
        ones = _C.where(zero, _C.full([], 1, xt.dtype), xt)
        nz_prod = _C.prod(ones, ctx.dims, True, None)
        n_zero = _C.sum(zero, ctx.dims, True, None)
        one_zero = _C.eq_scalar(n_zero, 1, False)
        no_zero = _C.eq_scalar(n_zero, 0, False)
        zeros = _C.full([], 0, nz_prod.dtype)
        at_zero = _C.where(one_zero, nz_prod, zeros)
        elsewhere = _C.where(no_zero, _C.div(nz_prod, xt), zeros)
        others = _C.where(zero, at_zero, elsewhere)
        return _to_in_dtype(g * _const(others, g._t.dtype), ctx.dt), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dims = _dims(dim, "sum")
    if _needs_graph(input):
        return Sum.apply(input, dims, keepdim, _dt(dtype))
    return _wrap(_C.sum(input._t, dims, keepdim, _dt(dtype)))


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    dims = _dims(dim, "mean")
    if _needs_graph(input):
        return Mean.apply(input, dims, keepdim, _dt(dtype))
    return _wrap(_C.mean(input._t, dims, keepdim, _dt(dtype)))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    dims = None if dim is None else [_dim1(dim, "prod")]
    if _needs_graph(input):
        return Prod.apply(input, dims, keepdim, _dt(dtype))
    return _wrap(_C.prod(input._t, dims, keepdim, _dt(dtype)))


# -- amax / amin / max / min / argmax / argmin ---------------------------------------------------------------

class _Extreme(Function):
    """amax/amin and full max()/min(): the gradient is shared evenly between tied extremes (as torch)."""
    is_max = True

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        ctx.keep = _keep_shape(list(x.shape), dims)
        ctx.dims = dims
        impl = (_C.amax if cls.is_max else _C.amin)(x._t, dims, keepdim)
        out = _wrap(impl)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape = list(x.shape)
        o = out.detach().reshape(ctx.keep)._t
        mask = _C.to_dtype(_C.eq(x._t, o), x._t.dtype, False)
        count = _C.sum(mask, ctx.dims, True, None)
        w = _const(_C.div(mask, count))
        return _expand_back(g, ctx.keep, shape) * w, None, None


class Amax(_Extreme):
    is_max = True


class Amin(_Extreme):
    is_max = False


class Max(_Extreme):  # max() over everything: MaxBackward1 in torch
    is_max = True


class Min(_Extreme):
    is_max = False


class _ExtremeDim(Function):
    """max(dim)/min(dim): the gradient goes to the returned index only."""
    is_max = True

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        nd = x.dim()
        d = _wrap_dim(dim, nd)
        ctx.shape, ctx.keep = list(x.shape), _keep_shape(list(x.shape), [d])
        v, i = (_C.max_dim if cls.is_max else _C.min_dim)(x._t, dim, keepdim)
        ctx.d, ctx.nd = d, nd
        ctx.idx = i
        values, indices = _wrap(v), _wrap(i)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, g, _gi=None):
        shape, keep = ctx.shape, ctx.keep
        idx = ctx.idx
        if list(idx.shape) != keep:
            idx = _wrap(idx).reshape(keep)._t
        if ctx.nd == 0:
            return g.reshape([]), None, None
        pos_shape = [1] * ctx.nd
        pos_shape[ctx.d] = shape[ctx.d]
        pos = _C.from_numpy(np.arange(shape[ctx.d], dtype=np.int64).reshape(pos_shape))
        mask = _const(_C.eq(pos, idx), g._t.dtype)
        return _expand_back(g, keep, shape) * mask, None, None


# torch's node names: MaxBackward0 (with dim), MaxBackward1 (full reduction)
MaxDim = type("Max", (_ExtremeDim,), {"is_max": True})
MinDim = type("Min", (_ExtremeDim,), {"is_max": False})
Max._backward_cls.__name__ = Max._backward_cls.__qualname__ = "MaxBackward1"
Min._backward_cls.__name__ = Min._backward_cls.__qualname__ = "MinBackward1"


def amax(input, dim=(), keepdim=False):
    dims = _dims(dim, "amax")
    if _needs_graph(input):
        return Amax.apply(input, dims, keepdim)
    return _wrap(_C.amax(input._t, dims, keepdim))


def amin(input, dim=(), keepdim=False):
    dims = _dims(dim, "amin")
    if _needs_graph(input):
        return Amin.apply(input, dims, keepdim)
    return _wrap(_C.amin(input._t, dims, keepdim))


def _binary_extreme(input, other, is_max):
    import tensorlite
    name = "maximum" if is_max else "minimum"
    fn = getattr(tensorlite, name, None)
    if fn is not None:
        return fn(input, other)
    return _wrap(getattr(_C, name)(input._t, other._t))


def _extreme_api(input, dim, keepdim, is_max, other=None):
    op = "max" if is_max else "min"
    if other is not None or isinstance(dim, Tensor):
        return _binary_extreme(input, other if other is not None else dim, is_max)
    if dim is None:
        if keepdim:
            raise TypeError(f"{op}() received an invalid combination of arguments - got (keepdim=bool), but "
                            "expected one of: (), (int dim, bool keepdim), (Tensor other)")
        if _needs_graph(input):
            return (Max if is_max else Min).apply(input, None, False)
        return _wrap((_C.max_all if is_max else _C.min_all)(input._t))
    d = _dim1(dim, op)
    rt = return_types.max if is_max else return_types.min
    if _needs_graph(input):
        v, i = (MaxDim if is_max else MinDim).apply(input, d, keepdim)
        return rt(v, i)
    v, i = (_C.max_dim if is_max else _C.min_dim)(input._t, d, keepdim)
    return rt(_wrap(v), _wrap(i))


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """max(input) | max(input, dim, keepdim=False) -> (values, indices) | max(input, other)."""
    return _extreme_api(input, dim, keepdim, True, other)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    return _extreme_api(input, dim, keepdim, False, other)


def argmax(input, dim=None, keepdim=False):
    return _wrap(_C.argmax(input._t, None if dim is None else _dim1(dim, "argmax"), keepdim))


def argmin(input, dim=None, keepdim=False):
    return _wrap(_C.argmin(input._t, None if dim is None else _dim1(dim, "argmin"), keepdim))


# -- var / std -------------------------------------------------------------------------------------------

class Var(Function):
    take_sqrt = False

    @classmethod
    def forward(cls, ctx, x, dims, correction, keepdim):
        ctx.shape, ctx.dims, ctx.corr = list(x.shape), dims, correction
        ctx.keep = _keep_shape(ctx.shape, dims)
        ctx.n = _n_reduced(ctx.shape, ctx.keep)
        out = _wrap((_C.std if cls.take_sqrt else _C.var)(x._t, dims, correction, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @classmethod
    def backward(cls, ctx, g):
        x, out = ctx.saved_tensors
        dof = builtins.max(0.0, ctx.n - ctx.corr)
        centered = x - mean(x, ctx.dims, True)
        g = _expand_back(g, ctx.keep, ctx.shape)
        if cls.take_sqrt:
            s = _expand_back(out, ctx.keep, ctx.shape)
            return g * centered / (s * dof), None, None, None
        return g * centered * (2.0 / dof if dof > 0 else math.inf), None, None, None


class Std(Var):
    take_sqrt = True


def _correction(op, unbiased, correction):
    if correction is not None and unbiased is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments - got both 'unbiased' and "
                        "'correction'")
    if correction is not None:
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def _var_api(op, cls, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # var(x, False): the legacy `unbiased` positional
        dim, unbiased = None, dim
    dims = _dims(dim, op)
    c = _correction(op, unbiased, correction)
    if _needs_graph(input):
        return cls.apply(input, dims, c, keepdim)
    return _wrap(getattr(_C, op)(input._t, dims, c, keepdim))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return _var_api("var", Var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return _var_api("std", Std, input, dim, unbiased, keepdim, correction)


# -- norm ------------------------------------------------------------------------------------------------

class Norm(Function):
    """Vector p-norm. Backward is differentiable for p = 1, 2 (and trivially 0); for inf/-inf and other p
    the factor that depends on x is treated as a constant (correct first derivative)."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.shape, ctx.p, ctx.dims = list(x.shape), p, dims
        ctx.keep = _keep_shape(ctx.shape, dims)
        out = _wrap(_C.norm(x._t, p, dims, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p, shape, keep = ctx.p, ctx.shape, ctx.keep
        xt, dt = x._t, x._t.dtype
        g = _expand_back(g, keep, shape)
        if p == 0:
            return g * 0.0, None, None, None
        sign = _const(_C.sign(xt))
        if p == 1:
            return g * sign, None, None, None
        n = _expand_back(out, keep, shape)
        nt = n.detach()._t
        if p == 2:
            is_zero = _C.eq_scalar(nt, 0, False)
            safe = n + _const(is_zero, dt)           # 1 where the norm is 0: no 0/0
            keep_mask = _const(_C.logical_not(is_zero), dt)
            return x * (g / safe) * keep_mask, None, None, None
        absx = _C.abs(xt)
        if math.isinf(p):
            mask = _C.to_dtype(_C.eq(absx, nt), dt, False)
            count = _C.sum(mask, ctx.dims, True, None)
            w = _C.mul(_C.div(mask, count), _C.sign(xt))
            return g * _const(w), None, None, None
        # sign(x) |x|^(p-1) / norm^(p-1), 0 where the norm is 0
        num = _C.mul(_C.sign(xt), _C.pow_scalar(absx, p - 1.0, False))
        den = _C.pow_scalar(nt, p - 1.0, False)
        w = _C.where(_C.eq_scalar(nt, 0, False), _C.full([], 0, dt), _C.div(num, den))
        return g * _const(w), None, None, None


Norm._backward_cls.__name__ = Norm._backward_cls.__qualname__ = "LinalgVectorNormBackward0"


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, out=None):
    if p is None or p == "fro":
        if p == "fro" and dim is not None and len(_dims(dim, "norm")) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " + str(dim))
        p = 2.0
    elif isinstance(p, str):
        raise RuntimeError(f"norm(): p={p!r} (matrix norms other than 'fro') is not supported by tensorlite")
    p = float(p)
    if dtype is not None:
        input = input.to(dtype)
    dims = _dims(dim, "norm")
    if _needs_graph(input):
        return Norm.apply(input, p, dims, keepdim)
    return _wrap(_C.norm(input._t, p, dims, keepdim))


# -- all / any -------------------------------------------------------------------------------------------

def all(input, dim=None, keepdim=False, *, out=None):
    return _wrap(_C.all(input._t, _dims(dim, "all"), keepdim))


def any(input, dim=None, keepdim=False, *, out=None):
    return _wrap(_C.any(input._t, _dims(dim, "any"), keepdim))


# -- logsumexp -------------------------------------------------------------------------------------------

class Logsumexp(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape = list(x.shape)
        ctx.keep = _keep_shape(ctx.shape, dims)
        out = _wrap(_C.logsumexp(x._t, dims, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, keep = ctx.shape, ctx.keep
        return _expand_back(g, keep, shape) * (x - _expand_back(out, keep, shape)).exp(), None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    dims = _dims(dim, "logsumexp")
    if _needs_graph(input):
        return Logsumexp.apply(input, dims, keepdim)
    return _wrap(_C.logsumexp(input._t, dims, keepdim))


# -- cumsum ----------------------------------------------------------------------------------------------

class Cumsum(Function):
    """Prefix sums; the gradient is the suffix sum of the upstream gradient (and vice versa)."""

    @staticmethod
    def forward(ctx, x, dim, dtype, reverse):
        ctx.dim, ctx.reverse, ctx.dt = dim, reverse, x._t.dtype
        return _wrap(_C.cumsum(x._t, dim, dtype, reverse))

    @staticmethod
    def backward(ctx, g):
        gi = _cumsum(g, ctx.dim, None, not ctx.reverse)
        return _to_in_dtype(gi, ctx.dt), None, None, None


def _cumsum(x, dim, dtype, reverse):
    if _needs_graph(x):
        return Cumsum.apply(x, dim, dtype, reverse)
    return _wrap(_C.cumsum(x._t, dim, dtype, reverse))


def cumsum(input, dim, *, dtype=None, out=None):
    return _cumsum(input, _dim1(dim, "cumsum"), _dt(dtype), False)


# -- sum_to_size: used by the autograd engine to reduce broadcast gradients ---------------------------------

def sum_to_size(self, *size):
    shape = list(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else list(size)
    cur = list(self.shape)
    lead = len(cur) - len(shape)
    ok = lead >= 0 and builtins.all(s == c or s == 1 for s, c in zip(shape, cur[lead:]))
    if not ok:
        raise RuntimeError(f"size {{{', '.join(map(str, shape))}}} is not expandable to size "
                           f"{{{', '.join(map(str, cur))}}}.")
    dims = list(range(lead)) + [lead + i for i, (s, c) in enumerate(zip(shape, cur[lead:])) if s == 1 and c != 1]
    if not dims:
        return self
    r = sum(self, dims, True)
    return r.reshape(shape) if lead else r


# -- Tensor methods --------------------------------------------------------------------------------------

def _m_var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(self, dim, unbiased, keepdim, correction=correction)


def _m_std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(self, dim, unbiased, keepdim, correction=correction)


_register_methods({
    "sum": sum, "mean": mean, "prod": prod, "amax": amax, "amin": amin, "max": max, "min": min,
    "argmax": argmax, "argmin": argmin, "var": _m_var, "std": _m_std, "norm": norm, "all": all, "any": any,
    "logsumexp": logsumexp, "cumsum": cumsum, "sum_to_size": sum_to_size,
})
