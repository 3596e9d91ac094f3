"""Ops added by the API review (tensorlite/ops/math.py, the scans and order statistics in reduce.py, the
diagonal/triangle/roll/split helpers in shape.py, index_fill/index_copy/masked_scatter/take/put in
indexing.py): forward, backward and gradcheck parity with torch through the generic op tests."""
import numpy as np

from op_db import Arg, ErrorInput, OpInfo, SampleInput

S = SampleInput


def _un(make, dt, low=-3.0, high=3.0):
    return [S((make(3, 4, low=low, high=high),)), S((make(2, 5, noncontig=True, low=low, high=high),)),
            S((make(0, 3, low=low, high=high),)), S((make(low=low, high=high),))]


def _unary(name, low=-3.0, high=3.0, grad=True, **kw):
    return OpInfo(name, tl=lambda x, n=name: getattr(x, n)(), ref=lambda x, n=name: getattr(x, n)(),
                  samples=lambda make, dt: _un(make, dt, low, high), grad=grad, **kw)


def _bin(make, dt, low=-3.0, high=3.0):
    return [S((make(3, 4, low=low, high=high), make(3, 4, low=low, high=high))),
            S((make(3, 4, low=low, high=high), make(4, low=low, high=high)), {}, "broadcast"),
            S((make(2, 3, noncontig=True, low=low, high=high), make(1, 3, low=low, high=high)), {}, "noncontig")]


def _binary(name, low=-3.0, high=3.0, **kw):
    return OpInfo(name, tl=lambda lib, a, b, n=name: getattr(lib, n)(a, b),
                  ref=lambda lib, a, b, n=name: getattr(lib, n)(a, b),
                  samples=lambda make, dt: _bin(make, dt, low, high), **kw)


def _lib(fn):
    """tl/ref callables that receive the module first."""
    import tensorlite
    import torch
    return dict(tl=lambda *a, **k: fn(tensorlite, *a, **k), ref=lambda *a, **k: fn(torch, *a, **k))


def _binary_lib(name, low=-3.0, high=3.0, **kw):
    return OpInfo(name, **_lib(lambda lib, a, b, n=name: getattr(lib, n)(a, b)),
                  samples=lambda make, dt: _bin(make, dt, low, high), **kw)


def _scan(name, dtypes=("float32", "float64"), grad=True, pick=None):
    def call(lib, x, dim, n=name):
        r = getattr(lib, n)(x, dim)
        return r if pick is None else r[pick]
    return OpInfo(name, **_lib(call), dtypes=dtypes, grad=grad,
                  samples=lambda make, dt: [S((make(3, 4), 1)), S((make(3, 4), 0)), S((make(2, 3, 4), -2)),
                                            S((make(4, 5, noncontig=True), 1)), S((make(), 0)),
                                            S((make(0, 3), 0))])


def _cumprod_zero_samples(make, dt):
    a = make(3, 5).array.copy()
    a[1, 2] = 0
    a[2, 0] = 0
    a[2, 3] = 0
    return [S((Arg(a), 1), {}, "zeros")]


OPS = [
    _unary("asin", -0.9, 0.9), _unary("acos", -0.9, 0.9), _unary("atan"), _unary("sinh"), _unary("cosh"),
    _unary("asinh"), _unary("acosh", 1.1, 4.0), _unary("atanh", -0.9, 0.9), _unary("exp2"), _unary("erfc"),
    _unary("erfinv", -0.95, 0.95), _unary("lgamma", 0.2, 5.0), _unary("digamma", 0.2, 5.0, gradcheck=True,
                                                                       grad_atol=1e-3, grad_rtol=1e-3),
    _unary("frac", -3.0, 3.0), _unary("sinc"), _unary("deg2rad"), _unary("rad2deg"), _unary("sgn", grad=False),  # torch returns a ZeroTensor gradient numpy cannot read
   
    _unary("logit", 0.05, 0.95),
    OpInfo("signbit", tl=lambda x: x.signbit(), ref=lambda x: x.signbit(), samples=lambda m, dt: _un(m, dt),
           grad=False, error_inputs=[]),
    _binary_lib("copysign"), _binary_lib("hypot"), _binary_lib("logaddexp"), _binary_lib("logaddexp2"),
    _binary_lib("xlogy", 0.1, 3.0), _binary_lib("arctan2"),
    OpInfo("float_power", **_lib(lambda lib, a, b: lib.float_power(a, b)), check_dtype=True,
           samples=lambda m, dt: [S((m(3, 4, low=0.5, high=2.0), m(3, 4))), S((m(3, 4, low=0.5, high=2.0), 2.5))]),
    OpInfo("addcmul", **_lib(lambda lib, a, b, c, **k: lib.addcmul(a, b, c, **k)),
           samples=lambda m, dt: [S((m(3, 4), m(3, 4), m(4)), {"value": 0.5}), S((m(3, 4), m(1, 4), m(3, 1)))]),
    OpInfo("addcdiv", **_lib(lambda lib, a, b, c, **k: lib.addcdiv(a, b, c, **k)),
           samples=lambda m, dt: [S((m(3, 4), m(3, 4), m(4, low=1.0, high=2.0)), {"value": -2})]),
    OpInfo("isclose", **_lib(lambda lib, a, b: lib.isclose(a, b, rtol=0.1, atol=0.5)), grad=False,
           samples=lambda m, dt: _bin(m, dt)),
    # scans
    _scan("cumprod"), _scan("logcumsumexp"), _scan("cummax", pick=0), _scan("cummin", pick=0),
    OpInfo("cummax_indices", **_lib(lambda lib, x, d: lib.cummax(x, d)[1]), dtypes=("float32", "int64"), grad=False,
           samples=lambda m, dt: [S((m(4, 6, low=-2, high=2), 1)), S((m(4, 6, low=-2, high=2), 0))]),
    OpInfo("cumprod_zeros", **_lib(lambda lib, x, d: lib.cumprod(x, d)), samples=_cumprod_zero_samples,
           dtypes=("float64",)),
    OpInfo("cumprod_int", **_lib(lambda lib, x, d: lib.cumprod(x, d)), dtypes=("int64",), grad=False,
           samples=lambda m, dt: [S((m(3, 4), 1))]),
    # order statistics and friends
    OpInfo("median", **_lib(lambda lib, x, *a, **k: lib.median(x, *a, **k)[0] if a or k else lib.median(x)),
           samples=lambda m, dt: [S((m(3, 5),)), S((m(3, 5), 1)), S((m(3, 4), 0), {"keepdim": True}),
                                  S((m(6),)), S((m(), 0))]),
    OpInfo("nanmedian", **_lib(lambda lib, x, *a: lib.nanmedian(x, *a)[0] if a else lib.nanmedian(x)),
           samples=lambda m, dt: [S((m(3, 5),)), S((m(3, 5), 1))]),
    OpInfo("kthvalue", **_lib(lambda lib, x, k, d: lib.kthvalue(x, k, d)),
           samples=lambda m, dt: [S((m(3, 5), 2, 1)), S((m(4, 3), 4, 0))],
           error_inputs=[ErrorInput(lambda lib: lib.kthvalue(lib.ones(3), 4), RuntimeError)]),
    OpInfo("quantile", **_lib(lambda lib, x, q, **k: lib.quantile(x, q, **k)),
           samples=lambda m, dt: [S((m(3, 5), 0.3)), S((m(3, 5), 0.5), {"dim": 1}),
                                  S((m(4, 5), 0.75), {"dim": 0, "keepdim": True, "interpolation": "midpoint"}),
                                  S((m(4, 5), 0.2), {"dim": 1, "interpolation": "lower"}),
                                  S((m(4, 5), 0.2), {"dim": 1, "interpolation": "nearest"})]),
    OpInfo("nansum", **_lib(lambda lib, x, *a: lib.nansum(x, *a)),
           samples=lambda m, dt: [S((m(3, 4),)), S((m(3, 4), 1))]),
    OpInfo("nanmean", **_lib(lambda lib, x, *a: lib.nanmean(x, *a)),
           samples=lambda m, dt: [S((m(3, 4),)), S((m(3, 4), 0))]),
    OpInfo("count_nonzero", **_lib(lambda lib, x, *a: lib.count_nonzero(x, *a)), grad=False,
           dtypes=("float32", "int64"), samples=lambda m, dt: [S((m(3, 4, low=-1, high=1),)),
                                                              S((m(3, 4, low=-1, high=1), 1))]),
    OpInfo("var_mean", **_lib(lambda lib, x, *a: lib.var_mean(x, *a)), samples=lambda m, dt: [S((m(3, 4), 1))]),
    OpInfo("std_mean", **_lib(lambda lib, x, *a: lib.std_mean(x, *a)), samples=lambda m, dt: [S((m(3, 4), 0))]),
    OpInfo("aminmax", **_lib(lambda lib, x, **k: tuple(lib.aminmax(x, **k))), grad=False,
           samples=lambda m, dt: [S((m(3, 4),)), S((m(3, 4),), {"dim": 1, "keepdim": True})]),
    OpInfo("dist", **_lib(lambda lib, a, b, *p: lib.dist(a, b, *p)),
           samples=lambda m, dt: [S((m(3, 4), m(4))), S((m(3, 4), m(3, 4), 1))]),
    OpInfo("diff", **_lib(lambda lib, x, **k: lib.diff(x, **k)),
           samples=lambda m, dt: [S((m(3, 5),)), S((m(4, 3),), {"n": 2, "dim": 0}),
                                  S((m(3, 4),), {"prepend": m(3, 1), "append": m(3, 2)})]),
    OpInfo("trace", **_lib(lambda lib, x: lib.trace(x)), samples=lambda m, dt: [S((m(3, 4),)), S((m(4, 4),))],
           error_inputs=[ErrorInput(lambda lib: lib.trace(lib.ones(3)), RuntimeError)]),
    # shape
    OpInfo("diagonal", **_lib(lambda lib, x, *a: lib.diagonal(x, *a)),
           samples=lambda m, dt: [S((m(3, 4),)), S((m(3, 4), 1)), S((m(3, 4), -2)), S((m(2, 3, 4), 0, 0, 2)),
                                  S((m(3, 4, noncontig=True), 1)), S((m(3, 4), 5))]),
    OpInfo("diag", **_lib(lambda lib, x, *a: lib.diag(x, *a)),
           samples=lambda m, dt: [S((m(3),)), S((m(3), 1)), S((m(3, 4),)), S((m(3, 4), -1))]),
    OpInfo("diag_embed", **_lib(lambda lib, x, *a: lib.diag_embed(x, *a)),
           samples=lambda m, dt: [S((m(2, 3),)), S((m(2, 3), 1, 0, 2))]),
    OpInfo("tril", **_lib(lambda lib, x, *a: lib.tril(x, *a)),
           samples=lambda m, dt: [S((m(3, 4),)), S((m(2, 3, 4), -1)), S((m(4, 3), 2))]),
    OpInfo("triu", **_lib(lambda lib, x, *a: lib.triu(x, *a)),
           samples=lambda m, dt: [S((m(3, 4),)), S((m(2, 3, 4), 1)), S((m(4, 3, noncontig=True), -1))]),
    OpInfo("roll", **_lib(lambda lib, x, *a: lib.roll(x, *a)),
           samples=lambda m, dt: [S((m(3, 4), 1)), S((m(3, 4), (1, -2), (0, 1))), S((m(5,), 7, 0))]),
    OpInfo("rot90", **_lib(lambda lib, x, *a: lib.rot90(x, *a)),
           samples=lambda m, dt: [S((m(3, 4),)), S((m(3, 4), 2)), S((m(2, 3, 4), 3, (1, 2))), S((m(3, 4), -1))]),
    OpInfo("repeat_interleave", **_lib(lambda lib, x, r, **k: lib.repeat_interleave(x, r, **k)),
           samples=lambda m, dt: [S((m(3, 2), 2)), S((m(3, 2), 2), {"dim": 0}),
                                  S((m(3, 2), Arg(np.array([1, 0, 2]))), {"dim": 0})]),
    OpInfo("kron", **_lib(lambda lib, a, b: lib.kron(a, b)), samples=lambda m, dt: [S((m(2, 3), m(3, 2))),
                                                                                   S((m(2), m(2, 2)))]),
    OpInfo("cross", **_lib(lambda lib, a, b, **k: lib.cross(a, b, **k)),
           samples=lambda m, dt: [S((m(4, 3), m(4, 3)), {"dim": 1}), S((m(3, 2), m(3, 2)), {"dim": 0})]),
    OpInfo("unfold", tl=lambda x, *a: x.unfold(*a), ref=lambda x, *a: x.unfold(*a),
           samples=lambda m, dt: [S((m(3, 7), 1, 3, 2)), S((m(6, 2), 0, 2, 1)), S((m(5,), 0, 5, 1))]),
    OpInfo("tensor_split", **_lib(lambda lib, x, s, **k: lib.tensor_split(x, s, **k)),
           samples=lambda m, dt: [S((m(7, 3), 3)), S((m(3, 7), [1, 5]), {"dim": 1}), S((m(5,), [3, 1, 9]))]),
    OpInfo("dstack", **_lib(lambda lib, a, b: lib.dstack([a, b])), samples=lambda m, dt: [S((m(3), m(3))),
                                                                                          S((m(2, 3), m(2, 3)))]),
    OpInfo("column_stack", **_lib(lambda lib, a, b: lib.column_stack([a, b])),
           samples=lambda m, dt: [S((m(3), m(3, 2)))]),
    OpInfo("block_diag", **_lib(lambda lib, a, b: lib.block_diag(a, b)), samples=lambda m, dt: [S((m(2, 3), m(1, 2)))]),
    OpInfo("cartesian_prod", **_lib(lambda lib, a, b: lib.cartesian_prod(a, b)),
           samples=lambda m, dt: [S((m(3), m(2)))]),
    OpInfo("meshgrid_xy", **_lib(lambda lib, a, b: lib.meshgrid(a, b, indexing="xy")),
           samples=lambda m, dt: [S((m(3), m(2)))]),
    # indexing
    OpInfo("index_fill", **_lib(lambda lib, x, d, i, v: lib.index_fill(x, d, i, v) if hasattr(lib, "index_fill")
                                else x.index_fill(d, i, v)),
           samples=lambda m, dt: [S((m(3, 4), 1, Arg(np.array([0, 2])), -1.5)), S((m(3, 4), 0, Arg(np.array([-1])), 2.0))],
           error_inputs=[ErrorInput(lambda lib: lib.ones(3).index_fill(0, lib.tensor([5]), 1.0), IndexError),
                         ErrorInput(lambda lib: lib.ones(3).index_fill(0, lib.tensor([1.0]), 1.0), IndexError)]),
    OpInfo("index_copy", **_lib(lambda lib, x, d, i, s: x.index_copy(d, i, s)),
           samples=lambda m, dt: [S((m(4, 3), 0, Arg(np.array([3, 0])), m(2, 3))),
                                  S((m(4, 3), 1, Arg(np.array([1])), m(4, 1)))],
           error_inputs=[ErrorInput(lambda lib: lib.ones(3).index_copy(0, lib.tensor([5]), lib.ones(1)), IndexError)]),
    OpInfo("masked_scatter", **_lib(lambda lib, x, mk, s: x.masked_scatter(mk, s)),
           samples=lambda m, dt: [S((m(3, 4), Arg(np.arange(12).reshape(3, 4) % 3 == 0), m(8))),
                                  S((m(3, 4), Arg(np.array([True, False, True, True])), m(3, 4)))],
           error_inputs=[ErrorInput(lambda lib: lib.ones(4).masked_scatter(lib.ones(4, dtype=lib.bool), lib.ones(2)),
                                    RuntimeError)]),
    OpInfo("take", **_lib(lambda lib, x, i: lib.take(x, i)),
           samples=lambda m, dt: [S((m(3, 4), Arg(np.array([[0, 11], [-1, 5]])))),
                                  S((m(3, 4, noncontig=True), Arg(np.array([1, 6]))))],
           error_inputs=[ErrorInput(lambda lib: lib.take(lib.ones(4), lib.tensor([4])), IndexError)]),
    OpInfo("put", **_lib(lambda lib, x, i, s, **k: x.put(i, s, **k)),
           samples=lambda m, dt: [S((m(3, 4), Arg(np.array([0, 11])), m(2))),
                                  S((m(3, 4), Arg(np.array([1, 1])), m(2)), {"accumulate": True})]),
]
