"""Reductions, cumsum, softmax (csrc/ops/reduce.cpp, csrc/ops/softmax.cpp; tensorlite/ops/reduce.py, softmax.py)."""
import math

import numpy as np

from op_db import Arg, ErrorInput, OpInfo, SampleInput

S = SampleInput


def _dims_samples(make, dt, *, none=True, tuples=True, empty=True, extra=()):
    """Reductions over a set of dims: dims in every form torch accepts, layouts, degenerate sizes."""
    out = []
    if none:
        out += [S((make(3, 4),), {}, "all"), S((make(),), {}, "scalar-all")]
    out += [
        S((make(3, 4),), {"dim": 1}, "last"),
        S((make(3, 4),), {"dim": 0}, "first"),
        S((make(2, 3, 4),), {"dim": -2, "keepdim": True}, "middle-neg-keepdim"),
        S((make(5, 6, noncontig=True),), {"dim": 0}, "noncontig-first"),
        S((make(5, 6, noncontig=True),), {"dim": 1, "keepdim": True}, "noncontig-last"),
        S((make(4, 1, 3),), {"dim": 1}, "size1-dim"),
        S((make(),), {"dim": 0}, "scalar-dim0"),
        S((make(1),), {"dim": -1, "keepdim": True}, "single"),
    ]
    if tuples:
        out += [
            S((make(2, 3, 4),), {"dim": (0, 2)}, "tuple-outer-inner"),
            S((make(2, 3, 4),), {"dim": [-1, 1], "keepdim": True}, "list-neg-keepdim"),
            S((make(2, 3, 4),), {"dim": (0, 1, 2)}, "tuple-all"),
        ]
    if empty:
        out += [S((make(0, 3),), {"dim": 0}, "empty-reduced"), S((make(0, 3),), {"dim": 1}, "empty-kept")]
    return out + [s(make, dt) for s in extra]


def _sum_samples(make, dt):
    s = _dims_samples(make, dt)
    s += [S((make(0, 3),), {}, "empty-all"), S((make(2, 300),), {"dim": 1}, "wide-row"),
          S((make(300, 2),), {"dim": 0}, "tall-col")]
    if dt == "float32":
        s.append(S((make(3, 4),), {"dim": 1, "dtype": np.float64}, "dtype-kwarg"))
    return s


def _dtype_kw(lib, kw):
    kw = dict(kw)
    if "dtype" in kw:
        kw["dtype"] = getattr(lib, np.dtype(kw["dtype"]).name)
    return kw


def _mean_samples(make, dt):
    return _dims_samples(make, dt) + [S((make(0, 3),), {}, "empty-all")]


def _single_dim_samples(make, dt, empty=True, keepdim=True):
    s = [S((make(3, 4),), {"dim": 1}, "last"),
         S((make(3, 4),), {"dim": 0, "keepdim": True} if keepdim else {"dim": 0}, "first-keepdim"),
         S((make(2, 3, 4),), {"dim": -2}, "middle-neg"), S((make(5, 6, noncontig=True),), {"dim": 1}, "noncontig"),
         S((make(4, 1, 3),), {"dim": 1}, "size1"), S((make(),), {"dim": 0}, "scalar")]
    if empty:
        s.append(S((make(0, 3),), {"dim": 1}, "empty-kept"))
    return s


def _ties(dt):
    return Arg(np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [2.0, -1.0, 2.0, 2.0]], dtype=dt))


def _extreme_samples(make, dt):
    s = _dims_samples(make, dt, none=False, empty=False) + [S((make(3, 4),), {}, "all")]
    s += [S((make(0, 3),), {"dim": 1}, "empty-kept")]
    return s


def _extreme_ties(make, dt):
    return [S((_ties(dt),), {"dim": 1}, "ties"), S((_ties(dt),), {}, "ties-all"),
            S((_ties(dt),), {"dim": (0, 1), "keepdim": True}, "ties-tuple")]


def _arg_samples(make, dt):
    s = _single_dim_samples(make, dt) + [S((make(3, 4),), {}, "flat"), S((make(2, 3),), {"keepdim": True},
                                                                             "flat-keepdim")]
    if dt in ("float32", "float64"):
        nan = Arg(np.array([[1.0, np.nan, 5.0, np.nan], [3.0, 3.0, -1.0, -1.0]], dtype=dt))
        s += [S((_ties(dt),), {"dim": 1}, "ties"), S((nan,), {"dim": 1}, "nan"), S((nan,), {}, "nan-flat")]
    else:
        s += [S((make(4, 6, low=0, high=2),), {"dim": 1}, "int-ties")]
    return s


def _var_degenerate(make, dt):
    """One element per output: no degrees of freedom, nan/inf as torch (not differentiable)."""
    return [S((make(),), {}, "scalar-all"), S((make(),), {"dim": 0}, "scalar-dim0"),
            S((make(1),), {"dim": -1, "keepdim": True}, "single"), S((make(4, 1, 3),), {"dim": 1}, "size1-dim"),
            S((make(0, 3),), {"dim": 0}, "empty"), S((make(3, 4),), {"dim": 1, "correction": 10}, "big-correction")]


def _var_samples(make, dt):
    s = [x for x in _dims_samples(make, dt, empty=False) if "scalar" not in x.name and "single" not in x.name
         and "size1" not in x.name]
    s += [S((make(3, 4),), {"dim": 1, "correction": 0}, "correction0"),
          S((make(3, 5),), {"dim": (0, 1), "correction": 2, "keepdim": True}, "correction2"),
          S((make(3, 4),), {"dim": 0, "unbiased": False}, "unbiased-false"),
          S((Arg(np.full((2, 3), 1e4, dtype=dt) + np.arange(6, dtype=dt).reshape(2, 3)),), {"dim": 1}, "offset")]
    return s


def _norm_samples(make, dt):
    s = []
    for p in (2, 1, math.inf, -math.inf, 3, 0.5):
        s += [S((make(3, 4),), {"p": p}, f"p{p}-all"), S((make(3, 4),), {"p": p, "dim": 1}, f"p{p}-last"),
              S((make(2, 3, 4, noncontig=True),), {"p": p, "dim": (0, 2), "keepdim": True}, f"p{p}-tuple")]
    s += [S((make(3, 4),), {"p": 0, "dim": 0}, "p0"), S((make(3, 4),), {}, "default-fro"),
          S((make(0, 3),), {"dim": 0}, "empty-p2"), S((make(),), {}, "scalar"),
          S((Arg(np.array([[0.0, 0.0], [3.0, -4.0]], dtype=dt)),), {"dim": 1}, "zero-row")]
    return s


def _lse_samples(make, dt):
    s = _dims_samples(make, dt, none=False)
    s += [S((make(3, 5, low=1e4, high=1e4 + 5),), {"dim": 1}, "large"),
          S((make(3, 5, low=-1e4 - 5, high=-1e4),), {"dim": 0}, "large-neg")]
    return s


def _lse_special(make, dt):
    inf = np.inf
    a = Arg(np.array([[inf, 1.0, 2.0], [-inf, -inf, -inf], [-inf, 0.0, 1.0], [np.nan, 1.0, 0.0]], dtype=dt))
    return [S((a,), {"dim": 1}, "inf-nan")]


def _cumsum_samples(make, dt):
    s = _single_dim_samples(make, dt, keepdim=False) + [S((make(2, 3, 4),), {"dim": 0}, "outer"),
                                         S((make(3, 300),), {"dim": 1}, "long")]
    if dt == "float32":
        s.append(S((make(3, 4),), {"dim": 1, "dtype": np.float64}, "dtype-kwarg"))
    if dt == "int64":
        s.append(S((make(3, 4),), {"dim": 0, "dtype": np.float32}, "int-to-float"))
    return s


def _softmax_samples(make, dt):
    s = _single_dim_samples(make, dt, keepdim=False)
    s += [S((make(2, 3, 4),), {"dim": 0}, "outer"), S((make(2, 3, 4, noncontig=True),), {"dim": 1}, "noncontig-mid"),
          S((make(3, 5, low=1e4, high=1e4 + 5),), {"dim": 1}, "large"),
          S((make(3, 5, low=-1e4, high=1e4),), {"dim": 0}, "huge-spread"),
          S((make(2, 300),), {"dim": 1}, "wide"), S((make(0, 3),), {"dim": 0}, "empty-reduced")]
    if dt == "float32":
        s.append(S((make(3, 4),), {"dim": 1, "dtype": np.float64}, "dtype-kwarg"))
    return s


def _softmax_special(make, dt):
    a = Arg(np.array([[-np.inf, 1.0, 2.0], [-np.inf, -np.inf, 0.0]], dtype=dt))
    return [S((a,), {"dim": 1}, "masked")]


def _prod_samples(make, dt):
    s = [S((make(3, 4),), {}, "all"), S((make(3, 4),), {"dim": 1}, "last"),
         S((make(3, 4),), {"dim": 0, "keepdim": True}, "first"), S((make(5, 6, noncontig=True),), {"dim": 1}, "nc"),
         S((make(0, 3),), {"dim": 0}, "empty"), S((make(),), {}, "scalar")]
    if dt in ("float32", "float64"):
        z = Arg(np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [2.0, -1.0, 0.5]], dtype=dt))
        s += [S((z,), {"dim": 1}, "zeros"), S((z,), {"dim": 0}, "zeros-col")]
    return s


def _sum_to_size_samples(make, dt):
    return [S((make(3, 4),), {"size": (1, 4)}, "rows"), S((make(2, 3, 4),), {"size": (3, 1)}, "lead+inner"),
            S((make(3, 4),), {"size": (3, 4)}, "same"), S((make(2, 3),), {"size": ()}, "to-scalar")]




def _call(method):
    def tl_fn(x, **kw):
        import tensorlite
        return getattr(x, method)(**_dtype_kw(tensorlite, kw))

    def ref_fn(x, **kw):
        import torch
        return getattr(x, method)(**_dtype_kw(torch, kw))
    return tl_fn, ref_fn


def _op(name, method, samples, **kw):
    tl_fn, ref_fn = _call(method)
    return OpInfo(name, tl=tl_fn, ref=ref_fn, samples=samples, **kw)


FI = ("float32", "float64", "int64")
ALLDT = ("float32", "float64", "int64", "bool")

OPS = [
    _op("sum", "sum", _sum_samples, dtypes=ALLDT,
        error_inputs=[ErrorInput(lambda lib: lib.ones(2, 3).sum(2), IndexError, "out of range"),
                      ErrorInput(lambda lib: lib.ones(2, 3).sum((0, -2)), RuntimeError, "multiple times"),
                      ErrorInput(lambda lib: lib.ones(2, 3).sum(1.5), TypeError)]),
    OpInfo("torch.sum", tl=lambda x: __import__("tensorlite").sum(x, 1, True),
           ref=lambda x: __import__("torch").sum(x, 1, True), samples=lambda make, dt: [(make(3, 4),)]),
    _op("mean", "mean", _mean_samples,
        error_inputs=[ErrorInput(lambda lib: lib.tensor([1, 2]).mean(), RuntimeError, "mean\\(\\)"),
                      ErrorInput(lambda lib: lib.tensor([1.0]).mean(dtype=lib.int64), RuntimeError),
                      ErrorInput(lambda lib: lib.ones(2).mean(3), IndexError)]),
    _op("prod", "prod", _prod_samples, dtypes=FI),
    _op("amax", "amax", _extreme_samples, dtypes=ALLDT,
        error_inputs=[ErrorInput(lambda lib: lib.zeros(0, 3).amax(0), IndexError, "non-zero size"),
                      ErrorInput(lambda lib: lib.zeros(0, 3).amax(), RuntimeError, "numel\\(\\) == 0")]),
    _op("amin", "amin", _extreme_samples, dtypes=FI),
    _op("amax_ties", "amax", _extreme_ties, gradcheck=False),
    _op("amin_ties", "amin", _extreme_ties, gradcheck=False),
    OpInfo("max_all", tl=lambda x: x.max(), ref=lambda x: x.max(), dtypes=ALLDT,
           samples=lambda make, dt: [(make(3, 4),), (make(),), (make(5, 6, noncontig=True),)],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(0).max(), RuntimeError, "numel")]),
    OpInfo("min_all", tl=lambda x: x.min(), ref=lambda x: x.min(), dtypes=FI,
           samples=lambda make, dt: [(make(3, 4),), (make(),)]),
    OpInfo("max_dim", tl=lambda x, **kw: tuple(x.max(**kw)), ref=lambda x, **kw: tuple(x.max(**kw)), dtypes=ALLDT,
           samples=lambda make, dt: _single_dim_samples(make, dt),
           error_inputs=[ErrorInput(lambda lib: lib.zeros(0, 3).max(0), IndexError, "non-zero size"),
                         ErrorInput(lambda lib: lib.zeros(2, 3).max(2), IndexError)]),
    OpInfo("max_dim_ties", tl=lambda x, **kw: tuple(x.max(**kw)), ref=lambda x, **kw: tuple(x.max(**kw)),
           gradcheck=False, samples=lambda make, dt: [S((_ties(dt),), {"dim": 1}, "ties")]),
    OpInfo("min_dim_named", tl=lambda x, **kw: (x.min(**kw).values, x.min(**kw).indices),
           ref=lambda x, **kw: (x.min(**kw).values, x.min(**kw).indices), dtypes=FI,
           samples=lambda make, dt: _single_dim_samples(make, dt)),
    OpInfo("torch.max_binary", tl=lambda a, b: __import__("tensorlite").max(a, b),
           ref=lambda a, b: __import__("torch").max(a, b), grad=False,
           samples=lambda make, dt: [(make(3, 4), make(4))]),
    OpInfo("argmax", tl=lambda x, **kw: x.argmax(**kw), ref=lambda x, **kw: x.argmax(**kw), dtypes=FI, grad=False,
           samples=_arg_samples,
           error_inputs=[ErrorInput(lambda lib: lib.zeros(0, 3).argmax(), IndexError),
                         ErrorInput(lambda lib: lib.zeros(0, 3).argmax(0), IndexError, "non-zero size")]),
    OpInfo("argmin", tl=lambda x, **kw: x.argmin(**kw), ref=lambda x, **kw: x.argmin(**kw), dtypes=FI, grad=False,
           samples=_arg_samples),
    _op("var", "var", _var_samples,
        error_inputs=[ErrorInput(lambda lib: lib.tensor([1, 2]).var(), RuntimeError, "floating point")]),
    _op("std", "std", _var_samples),
    _op("var_degenerate", "var", _var_degenerate, grad=False),
    _op("std_degenerate", "std", _var_degenerate, grad=False),
    OpInfo("var_legacy_positional", tl=lambda x: (x.var(False), x.std(0, True, True)),
           ref=lambda x: (x.var(False), x.std(0, True, True)), samples=lambda make, dt: [(make(3, 4),)]),
    _op("norm", "norm", _norm_samples,
        error_inputs=[ErrorInput(lambda lib: lib.tensor([1, 2]).norm(), RuntimeError, "floating point"),
                      ErrorInput(lambda lib: lib.zeros(0).norm(float("inf")), RuntimeError, "identity")]),
    OpInfo("all", tl=lambda x, **kw: x.all(**kw), ref=lambda x, **kw: x.all(**kw), dtypes=ALLDT, grad=False,
           samples=lambda make, dt: _dims_samples(make, dt, none=False) + [(make(3, 4, low=0, high=1),),
                                                                           (make(0, 2),)]),
    OpInfo("any", tl=lambda x, **kw: x.any(**kw), ref=lambda x, **kw: x.any(**kw), dtypes=ALLDT, grad=False,
           samples=lambda make, dt: _dims_samples(make, dt, none=False) + [(make(3, 4, low=0, high=1),),
                                                                           (make(0, 2),)]),
    _op("logsumexp_int", "logsumexp", lambda make, dt: [S((make(3, 4),), {"dim": 1})], dtypes=("int64",),
        atol=1e-5, rtol=1.3e-5),
    _op("logsumexp", "logsumexp", _lse_samples,
        error_inputs=[ErrorInput(lambda lib: lib.ones(2, 3).logsumexp(2), IndexError)]),
    _op("logsumexp_special", "logsumexp", _lse_special, grad=False),
    _op("cumsum", "cumsum", _cumsum_samples, dtypes=ALLDT,
        error_inputs=[ErrorInput(lambda lib: lib.ones(2, 3).cumsum(2), IndexError)]),
    _op("softmax", "softmax", _softmax_samples,
        error_inputs=[ErrorInput(lambda lib: lib.tensor([1, 2]).softmax(0), NotImplementedError, "Long"),
                      ErrorInput(lambda lib: lib.ones(2, 3).softmax(2), IndexError)]),
    _op("log_softmax", "log_softmax", _softmax_samples,
        error_inputs=[ErrorInput(lambda lib: lib.tensor([True]).log_softmax(0), NotImplementedError)]),
    _op("softmax_masked", "softmax", _softmax_special, grad=False),
    _op("log_softmax_masked", "log_softmax", _softmax_special, grad=False),
    OpInfo("torch.softmax", tl=lambda x: __import__("tensorlite").softmax(x, 0),
           ref=lambda x: __import__("torch").softmax(x, 0), samples=lambda make, dt: [(make(3, 4),)]),
    OpInfo("sum_to_size", tl=lambda x, size: x.sum_to_size(size), ref=lambda x, size: x.sum_to_size(size),
           samples=_sum_to_size_samples,
           error_inputs=[ErrorInput(lambda lib: lib.ones(2, 3).sum_to_size(3, 3), RuntimeError, "expandable")]),
]
