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
from . import out as O

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
        ones = _C.where(zero, _C.full([], 1, xt.dtype, xt.device), xt)
        nz_prod = _C.prod(ones, ctx.dims, True, None)
        n_zero = _C.sum(zero, ctx.dims, True, None)
        one_zero = _C.eq_scalar(n_zero, 1, False)
        no_zero = _C.eq_scalar(n_zero, 0, False)
        zeros = _C.full([], 0, nz_prod.dtype)
        at_zero = _C.where(one_zero, nz_prod, zeros)
        elsewhere = _C.where(no_zero, _C.div(nz_prod, xt), zeros)
        others = _C.where(zero, at_zero, elsewhere)
        return _to_in_dtype(g * _const(others, g._t.dtype), ctx.dt), None, None, None


# -- out= rules of the reductions (ops/out.py) -----------------------------------------------------------------
def _dtype_rule(dtype):
    """sum/mean/cumsum/cumprod: an explicit dtype must be out's exactly; otherwise the casting rule."""
    return O.cast_rule if dtype is None else O.same_rule


def _bool_rule(op, out, r):
    if out.dtype not in (D.bool, D.uint8):
        raise RuntimeError(f"{op} only supports bool tensor for result, got: {O.TORCH_NAME[out.dtype.name]}")


def _float_rule(op, out, r):
    if not out.dtype.is_floating_point:
        raise RuntimeError(f"{op}(): Expected floating point type for result tensor, but got: "
                           f"{O.TORCH_NAME[out.dtype.name]}")


def _extreme_all_rule(op, out, r):
    if not _C.can_cast(r._t.dtype, out._t.dtype):
        raise RuntimeError("Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType(out.dtype()))"
                           " to be true, but got false.  (Could this error message be improved?  If so, please "
                           "report an enhancement request to PyTorch.)")


def _quantile_rule(op, out, r):
    if out.dtype != r.dtype:
        raise RuntimeError("quantile() out tensor must be same dtype as the input tensor")  # nanquantile's too


def _cum_out(op, fn, input, dim, dtype, out):
    """cumsum/cumprod: with no dtype given, torch computes in out's dtype (the input is cast first)."""
    if isinstance(out, Tensor) and dtype is None:
        if out.dtype is D.bool:
            O.check_no_grad(op, out, input)
            raise NotImplementedError(f'"{op}_out_cpu" not implemented for \'Bool\'')
        dtype = out.dtype
    return O.into(op, out, lambda: fn(input, dim, dtype=dtype), input, rule=O.same_rule)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:  # like cumsum, torch sums in out's dtype when none is given
        dt = out.dtype if dtype is None and isinstance(out, Tensor) else dtype
        if dt is D.bool:  # a sum in bool: the input cast to bool, then "any"
            return O.into("sum", out, lambda: sum(input.bool(), dim, keepdim) != 0, input, rule=O.same_rule)
        return O.into("sum", out, lambda: sum(input, dim, keepdim, dtype=dt), input, rule=O.same_rule)
    dims = _dims(dim, "sum")
    if _needs_graph(input):
        return Sum.apply(input, dims, keepdim, _dt(dtype))
    return _wrap(_C.sum(input._t, dims, keepdim, _dt(dtype)))


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return O.into("mean", out, lambda: mean(input, dim, keepdim, dtype=dtype), input, rule=_dtype_rule(dtype))
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
        pos = _wrap(_C.arange(0, shape[ctx.d], 1, D.int64._id, g._t.device)).reshape(pos_shape)._t
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


def _extreme_api(input, dim, keepdim, is_max, other=None, out=None):
    op = "max" if is_max else "min"
    if out is not None:
        def compute():
            return _extreme_api(input, dim, keepdim, is_max, other)
        if other is not None or isinstance(dim, Tensor):
            return O.into("maximum" if is_max else "minimum", out, compute, input, other if other is not None else dim)
        if dim is None:
            return O.into(op, out, compute, input, rule=_extreme_all_rule)
        return O.into_pair(op, out, compute, input, rt=return_types.max if is_max else return_types.min)
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
    return _extreme_api(input, dim, keepdim, True, other, out)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    return _extreme_api(input, dim, keepdim, False, other, out)


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
    if out is not None:
        return O.into("var", out, lambda: var(input, dim, unbiased, keepdim, correction=correction), input)
    return _var_api("var", Var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    if out is not None:
        return O.into("std", out, lambda: std(input, dim, unbiased, keepdim, correction=correction), input)
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
        w = _C.where(_C.eq_scalar(nt, 0, False), _C.full([], 0, dt, nt.device), _C.div(num, den))
        return g * _const(w), None, None, None


Norm._backward_cls.__name__ = Norm._backward_cls.__qualname__ = "LinalgVectorNormBackward0"


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, out=None):
    if out is not None:
        return O.into("linalg_vector_norm", out, lambda: norm(input, p, dim, keepdim, dtype), input,
                      rule=O.same_rule)
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
    if out is not None:
        return O.into("all", out, lambda: all(input, dim, keepdim), input, rule=_bool_rule, grad=False)
    return _wrap(_C.all(input._t, _dims(dim, "all"), keepdim))


def any(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return O.into("any", out, lambda: any(input, dim, keepdim), input, rule=_bool_rule, grad=False)
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
    if out is not None:
        return O.into("logsumexp", out, lambda: logsumexp(input, dim, keepdim), input, rule=_float_rule)
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
    if out is not None:
        return _cum_out("cumsum", cumsum, input, dim, dtype, out)
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


# -- scans: cumprod, cummax/cummin, logcumsumexp (kernels: scan_kernel in csrc/cpu/reduce.cpp) -------------
# and composites built from sort and the reductions above: median, kthvalue, mode, quantile, nan-reductions.
__all__ += ["cumprod", "cummax", "cummin", "logcumsumexp", "nansum", "nanmean", "count_nonzero", "median",
            "nanmedian", "kthvalue", "mode", "var_mean", "std_mean", "aminmax", "dist", "diff", "trace", "quantile",
            "nanquantile"]

for _n in ["cummax", "cummin", "median", "nanmedian", "kthvalue", "mode", "aminmax"]:
    if not hasattr(return_types, _n):
        setattr(return_types, _n, collections.namedtuple(_n, ["min", "max"] if _n == "aminmax"
                                                           else ["values", "indices"]))


def _flip1(x, dim):
    from .shape import flip
    return flip(x, [dim])


class Cumprod(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim, ctx.dt = dim, x._t.dtype
        y = _wrap(_C.cumprod(x._t, dim, dtype))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.dim if x.dim() else 0
        x = x.to(g.dtype) if x.dtype != g.dtype else x
        if not bool((x == 0).any()):
            # dy_j/dx_k = y_j / x_k for j >= k: a suffix sum of g * y, divided by x
            gi = _cumsum(g * y, d, None, True) / x
        else:
            # zeros present: for each k, the cumprod of x with x_k replaced by 1 gives dy_j/dx_k (j >= k)
            from .views import movedim
            from .creation import eye
            from .elementwise import where
            xm = movedim(x.reshape([1]) if x.dim() == 0 else x, d, 0)
            gm = movedim(g.reshape([1]) if g.dim() == 0 else g, d, 0)
            n = xm.shape[0]
            tail = [1] * (xm.dim() - 1)
            diag = eye(n, dtype=D.bool, device=x.device).reshape([n, n] + tail)
            rep = where(diag, 1.0, xm.unsqueeze(0))                   # (k, j, ...)
            cp = cumprod(rep, 1)
            j = _wrap(_C.arange(0, n, 1, D.int64._id, x._t.device))
            upper = (j.unsqueeze(0) >= j.unsqueeze(1)).reshape([n, n] + tail)  # j >= k
            gi = sum(where(upper, cp * gm.unsqueeze(0), 0.0), 1)
            gi = movedim(gi, 0, d).reshape(list(x.shape))
        return _to_in_dtype(gi, ctx.dt), None, None


def cumprod(input, dim, *, dtype=None, out=None):
    if out is not None:
        return _cum_out("cumprod", cumprod, input, dim, dtype, out)
    d = _dim1(dim, "cumprod")
    if _needs_graph(input):
        return Cumprod.apply(input, d, _dt(dtype))
    return _wrap(_C.cumprod(input._t, d, _dt(dtype)))


class _CumExtreme(Function):
    @staticmethod
    def forward(ctx, x, dim, is_max):
        v, i = (_C.cummax if is_max else _C.cummin)(x._t, dim)
        ctx.dim, ctx.shape = dim, x._t.shape
        ctx.indices = _wrap(i)
        ctx.mark_non_differentiable(ctx.indices)
        return _wrap(v), ctx.indices

    @staticmethod
    def backward(ctx, g, _gi):
        from .indexing import scatter_add
        z = _wrap(_C.full(list(ctx.shape), 0, g._t.dtype, g._t.device))
        if not ctx.shape:
            return g, None, None
        return scatter_add(z, ctx.dim, ctx.indices, g), None, None


def _cum_extreme(input, dim, is_max):
    name = "cummax" if is_max else "cummin"
    d = _dim1(dim, name)
    ret = getattr(return_types, name)
    if _needs_graph(input):
        return ret(*_CumExtreme.apply(input, d, is_max))
    v, i = (_C.cummax if is_max else _C.cummin)(input._t, d)
    return ret(_wrap(v), _wrap(i))


def cummax(input, dim):
    return _cum_extreme(input, dim, True)


def cummin(input, dim):
    return _cum_extreme(input, dim, False)


class Logcumsumexp(Function):
    @staticmethod
    def forward(ctx, x, dim):
        y = _wrap(_C.logcumsumexp(x._t, dim))
        ctx.dim = dim if x._t.ndim else 0
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        # grad_k = sum_{j>=k} g_j exp(x_k - y_j), summed in log space, positive and negative parts apart
        from .elementwise import exp, log, relu, neg
        x, y = ctx.saved_tensors
        if x.dim() == 0:
            return g, None
        d = ctx.dim

        def rev_lcse(z):
            return _flip1(logcumsumexp(_flip1(z, d), d), d)
        pos = rev_lcse(log(relu(g)) - y)
        negp = rev_lcse(log(relu(neg(g))) - y)
        return exp(pos + x) - exp(negp + x), None


def logcumsumexp(input, dim):
    d = _dim1(dim, "logcumsumexp")
    if _needs_graph(input):
        return Logcumsumexp.apply(input, d)
    return _wrap(_C.logcumsumexp(input._t, d))


def _inplace_scan(scan):
    """x.cumsum_(dim) / x.cumprod_(dim): the scan written back into x (through autograd if needed)."""
    def method(self, dim, *, dtype=None):
        from .inplace import _inplace_op
        if MODE.enabled and self._rg:
            return _inplace_op(self, lambda v: scan(v, dim, dtype=dtype))
        r = scan(self, dim, dtype=dtype)
        _C.copy_(self._t, r._t)
        self._t.bump_version()
        return self
    method.__name__ = scan.__name__ + "_"
    return method


_cumsum_ = _inplace_scan(cumsum)
_cumprod_ = _inplace_scan(cumprod)


# -- nan-aware and counting reductions ------------------------------------------------------------------
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    from .elementwise import where, isnan
    x = where(isnan(input), 0, input) if input.dtype.is_floating_point else input
    return sum(x, dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    from .elementwise import isnan, logical_not
    if not input.dtype.is_floating_point and dtype is None:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{input.dtype.name.capitalize()}")
    cnt = sum(logical_not(isnan(input)), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / cnt


def count_nonzero(input, dim=None):
    from .elementwise import ne
    return sum(ne(input, 0), dim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def aminmax(input, *, dim=None, keepdim=False):
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                               "no identity.")
        if keepdim:
            return return_types.aminmax(amin(input, list(range(input.dim())), True),
                                        amax(input, list(range(input.dim())), True))
        return return_types.aminmax(amin(input), amax(input))
    return return_types.aminmax(amin(input, dim, keepdim), amax(input, dim, keepdim))


def dist(input, other, p=2):
    return norm(input - other, p)


def trace(input):
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    from .shape import diagonal
    return sum(diagonal(input))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    from .shape import cat
    from .views import narrow
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _wrap_dim(dim, input.dim())
    x = input
    if prepend is not None or append is not None:
        parts = ([prepend] if prepend is not None else []) + [x] + ([append] if append is not None else [])
        x = cat(parts, d)
    for _ in builtins.range(n):
        m = x.shape[d]
        if m == 0:
            break
        a, b = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        x = (a != b) if x.dtype is D.bool else a - b
    return x


# -- order statistics (through sort: NaN sorts last, the sort is stable) -----------------------------------
def _sorted_along(input, dim):
    from .sort import sort
    return sort(input, dim)


def _pick(s, idx, pos, d, keepdim):
    from .indexing import gather
    v = gather(s, d, pos)
    i = gather(idx, d, pos)
    if not keepdim:
        v, i = v.squeeze(d), i.squeeze(d)
    return v, i


def _median_impl(input, dim, keepdim, ignore_nan, name):
    from .elementwise import isnan, clamp, where
    no_bool = _no_bool_check(input, name)
    ret = getattr(return_types, name)
    if dim is None:
        x = input.reshape(-1)
        if x.numel():
            no_bool()
        if x.numel() == 0:
            # NaN cast to the dtype, as torch (INT64_MIN for int64); fill_ refuses NaN for integer dtypes
            return _wrap(_C.to_dtype(_C.full([], float("nan"), D.float64._id, input._t.device), input._t.dtype))
        s, _ = _sorted_along(x, 0)
        nn = x.numel() - int(isnan(x).sum()) if x.dtype.is_floating_point else x.numel()
        if ignore_nan:
            k = builtins.max((nn - 1) // 2, 0)
        else:
            k = (x.numel() - 1) // 2 if nn == x.numel() else nn
        return s[k]
    d = _wrap_dim(_dim1(dim, name), input.dim())
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    no_bool()
    x = input if input.dim() else input.reshape([1])
    s, idx = _sorted_along(x, d)
    n = x.shape[d]
    if x.dtype.is_floating_point:
        nn = sum(~isnan(x), d, True)
    else:
        nn = _wrap(_C.full(_keep_shape(x.shape, [d]), n, D.int64._id, x._t.device))
    if ignore_nan:
        pos = clamp(_floor_half(nn - 1), min=0)
    else:
        pos = where(nn == n, (n - 1) // 2, nn)
    v, i = _pick(s, idx, pos, d, keepdim or input.dim() == 0)
    if input.dim() == 0:
        v, i = v.reshape([]), i.reshape([])
    return ret(v, i)


def _no_bool_check(input, name):
    """torch has no bool kernel for the sort-based statistics; it says so after validating the dims."""
    def check():
        if input.dtype is D.bool:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    return check


def _floor_half(t):
    from .elementwise import floor_divide
    return floor_divide(t, 2)


def median(input, dim=None, keepdim=False):
    return _median_impl(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim=False):
    return _median_impl(input, dim, keepdim, True, "nanmedian")


def kthvalue(input, k, dim=-1, keepdim=False):
    d = _wrap_dim(_dim1(dim, "kthvalue"), input.dim())
    n = input.shape[d] if input.dim() else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    _no_bool_check(input, "kthvalue")()
    x = input if input.dim() else input.reshape([1])
    s, idx = _sorted_along(x, d)
    pos = _wrap(_C.full(_keep_shape(x.shape, [d]), k - 1, D.int64._id, x._t.device))
    v, i = _pick(s, idx, pos, d, keepdim or input.dim() == 0)
    if input.dim() == 0:
        v, i = v.reshape([]), i.reshape([])
    return return_types.kthvalue(v, i)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest among equally frequent ones) and the index of
    its last occurrence, as torch on CPU. Counting runs in numpy; the value is gathered (differentiable)."""
    d = _wrap_dim(_dim1(dim, "mode"), input.dim())
    x = input if input.dim() else input.reshape([1])
    if x.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    a = np.moveaxis(x.detach().cpu().numpy(), d, -1)
    rows = a.reshape(-1, a.shape[-1])
    out = np.empty(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        vals, counts = np.unique(row, return_counts=True)
        best = vals[np.argmax(counts)]  # np.unique sorts: the first maximum is the smallest value
        hits = np.nonzero((row == best) | (np.isnan(row) & np.isnan(best)) if row.dtype.kind == "f"
                          else row == best)[0]
        out[r] = hits[-1]
    pos = np.moveaxis(out.reshape(a.shape[:-1] + (1,)), -1, d)
    from .indexing import gather
    from .creation import tensor
    pi = tensor(np.ascontiguousarray(pos), device=x.device)
    v = gather(x, d, pi)
    if not keepdim or input.dim() == 0:
        v, pi = v.squeeze(d), pi.squeeze(d)
    if input.dim() == 0:
        v, pi = v.reshape([]), pi.reshape([])
    return return_types.mode(v, pi)


def _quantile_impl(input, q, dim, keepdim, interpolation, name, ignore_nan):
    from .elementwise import isnan, where, floor, ceil, clamp
    from .creation import tensor
    from .indexing import gather
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise ValueError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                         f"Got {interpolation}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor)
    qt = tensor(q, dtype=input.dtype, device=input.device) if scalar_q else q
    if qt.dim() > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if bool(((qt < 0) | (qt > 1)).any()):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    qv = qt.reshape(-1)
    if dim is None:
        x = input.reshape(-1)
        d = 0
    else:
        d = _wrap_dim(_dim1(dim, name), input.dim())
        x = input if input.dim() else input.reshape([1])
    if x.shape[d] == 0:
        raise IndexError(f"{name}() input tensor must be non-empty")
    s, _ = _sorted_along(x, d)
    s = s.movedim(d, -1).unsqueeze(-2)                              # (..., 1, n)
    n = s.shape[-1]
    nan_any = isnan(s).any(-1, keepdim=True)                       # (..., 1, 1)
    nn = (~isnan(s)).sum(-1, keepdim=True)
    cnt = nn if ignore_nan else _wrap(_C.full(list(nn.shape), n, D.int64._id, nn._t.device))
    cnt = clamp(cnt, min=1)
    pos = qv.to(input.dtype).reshape([1] * (s.dim() - 2) + [-1, 1]) * (cnt - 1).to(input.dtype)  # (..., nq, 1)
    lo, hi = floor(pos), ceil(pos)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = pos.round()
    shape = list(s.shape[:-2]) + [qv.shape[0], n]
    se = s.expand(shape)
    vlo = gather(se, -1, lo.long())
    vhi = gather(se, -1, hi.long())
    if interpolation == "midpoint":
        v = vlo + (vhi - vlo) * 0.5
    elif interpolation == "linear":
        v = vlo + (vhi - vlo) * (pos - lo)
    else:
        v = vlo
    v = v.squeeze(-1)                                               # (..., nq)
    bad = (nn == 0).squeeze(-1) if ignore_nan else nan_any.squeeze(-1)
    v = where(bad, float("nan"), v)
    v = v.movedim(-1, 0)                                            # (nq, ...)
    if dim is None:
        if keepdim:
            v = v.reshape([qv.shape[0]] + [1] * input.dim())
        else:
            v = v.reshape([qv.shape[0]])
    elif keepdim:
        v = v.unsqueeze(d + 1) if input.dim() else v
    if scalar_q or qt.dim() == 0:
        v = v.squeeze(0)
    return v


def _quantile_out(op, fn, input, q, dim, keepdim, interpolation, out):
    """torch's quantile is composite: out= is a recorded copy_, so it keeps the history (no refusal)."""
    O.check_tensor(op, out)
    r = fn(input, q, dim, keepdim, interpolation=interpolation)
    _quantile_rule(op, out, r)
    O.check_device(out, r._t.device)
    if not (MODE.enabled and (r.requires_grad or out.requires_grad)):
        return O.write(out, r)
    O.resize(out, r._t.shape)
    return out.copy_(r)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    if out is not None:
        return _quantile_out("quantile", quantile, input, q, dim, keepdim, interpolation, out)
    return _quantile_impl(input, q, dim, keepdim, interpolation, "quantile", False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    if out is not None:
        return _quantile_out("nanquantile", nanquantile, input, q, dim, keepdim, interpolation, out)
    return _quantile_impl(input, q, dim, keepdim, interpolation, "nanquantile", True)


def _m_var_mean(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var_mean(self, dim, unbiased, keepdim, correction=correction)


_register_methods({
    "cumprod": cumprod, "cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp, "cumsum_": _cumsum_,
    "cumprod_": _cumprod_, "nansum": nansum, "nanmean": nanmean, "count_nonzero": count_nonzero,
    "median": median, "nanmedian": nanmedian, "kthvalue": kthvalue, "mode": mode, "aminmax": aminmax,
    "dist": dist, "diff": diff, "trace": trace, "quantile": quantile, "nanquantile": nanquantile,
})
