"""The elementwise family (csrc/ops/elementwise.def, tensorlite/ops/elementwise.py), beyond the lead's
core arithmetic in opdb/arith.py. Kinks (relu at 0, abs at 0, clamp at its bounds, ...) are tested
deliberately in `*_kink` entries with gradcheck off (finite differences are meaningless there); the
regular entries draw values away from them."""
import numpy as np

from op_db import Arg, ErrorInput, OpInfo, SampleInput

import tensorlite.ops.elementwise as E


def _F(lib):
    """Where the functional-only activations live: torch.nn.functional, tensorlite.ops.elementwise."""
    return lib.nn.functional if lib.__name__ == "torch" else E


def _A(values, dtype="float64"):
    return Arg(np.array(values, dtype=dtype))


def _unary_samples(low=-3.0, high=3.0, ints=True):
    def samples(make, dtype):
        s = [
            SampleInput((make(3, 4, low=low, high=high),), name="2d"),
            SampleInput((make(2, 5, low=low, high=high, noncontig=True),), name="noncontig"),
            SampleInput((make(0, 3, low=low, high=high),), name="empty"),
            SampleInput((make(low=low, high=high),), name="0-d"),
        ]
        if ints and dtype == "float32":  # (results are float32: compared with float32 tolerances)
            s.append(SampleInput((make(2, 3, dtype="int64", low=max(low, -3), high=high),), name="int64"))
            s.append(SampleInput((make(4, dtype="bool"),), name="bool"))
        return s
    return samples


def _cast(dtype):
    return lambda a: Arg(a.array.astype(dtype)) if isinstance(a, Arg) else a


def _unary(name, low=-3.0, high=3.0, ints=True, method=True, **kw):
    fn = (lambda x: getattr(x, name)()) if method else None
    import tensorlite as tl
    return OpInfo(name, tl=fn or (lambda x: getattr(tl, name)(x)), ref=lambda x: getattr(x, name)(),
                  samples=_unary_samples(low, high, ints), **kw)


# values that keep sigmoid/tanh/softplus/exp-based ops honest at the extremes
def _large(make, dtype):
    return [SampleInput((_A([-1000.0, -100.0, -30.0, -5.0, 0.5, 5.0, 30.0, 100.0, 1000.0], dtype),), name="large"),
            SampleInput((make(3, 4),), name="2d"),
            SampleInput((make(2, 5, noncontig=True),), name="noncontig")]


def _kinks(values):
    return lambda make, dtype: [SampleInput((_A(values, dtype),), name="kinks")]


def _activation(name, extra=None, fn=None, samples=None, **kw):
    """A torch.nn.functional activation; `extra` are keyword arguments."""
    extra = extra or {}
    return OpInfo(name, tl=lambda x: getattr(E, fn or name)(x, **extra),
                  ref=lambda x: getattr(_F(__import__("torch")), fn or name)(x, **extra),
                  samples=samples or (lambda make, dt: [SampleInput((make(3, 4),), name="2d"),
                                                        SampleInput((make(2, 5, noncontig=True),), name="noncontig"),
                                                        SampleInput((make(0, 2),), name="empty"),
                                                        SampleInput((make(),), name="0-d")]), **kw)


def _binary_samples(low=-3.0, high=3.0, blow=None, bhigh=None, scalars=(2.5, 2), ints=True):
    blow = low if blow is None else blow
    bhigh = high if bhigh is None else bhigh

    def samples(make, dtype):
        s = [
            SampleInput((make(3, 4, low=low, high=high), make(3, 4, low=blow, high=bhigh)), name="same"),
            SampleInput((make(3, 4, low=low, high=high), make(4, low=blow, high=bhigh)), name="broadcast"),
            SampleInput((make(2, 1, 3, low=low, high=high), make(4, 1, low=blow, high=bhigh)), name="both"),
            SampleInput((make(3, 4, low=low, high=high, noncontig=True), make(3, 4, low=blow, high=bhigh)),
                        name="noncontig"),
            SampleInput((make(0, 3, low=low, high=high), make(3, low=blow, high=bhigh)), name="empty"),
            SampleInput((make(low=low, high=high), make(2, 3, low=blow, high=bhigh)), name="0-d"),
        ]
        s += [SampleInput((make(2, 3, low=low, high=high), v), name=f"scalar-{v!r}") for v in scalars]
        if ints:
            s.append(SampleInput((make(2, 3, low=low, high=high), make(2, 3, dtype="int64", low=max(blow, 1),
                                                                     high=max(bhigh, 2))), name="int-promote"))
        return s
    return samples


def _int_binary_samples(low=-5, high=5, blow=1, bhigh=4):
    def samples(make, dtype):
        return [
            SampleInput((make(3, 4, dtype="int64", low=low, high=high),
                         make(3, 4, dtype="int64", low=blow, high=bhigh)), name="int64"),
            SampleInput((make(3, 4, dtype="int32", low=low, high=high),
                         make(4, dtype="int64", low=blow, high=bhigh)), name="int32-int64"),
            SampleInput((make(5, dtype="int64", low=low, high=high), 3), name="scalar"),
            SampleInput((make(5, dtype="uint8", low=0, high=9), make(5, dtype="uint8", low=1, high=4)),
                        name="uint8"),
            SampleInput((make(5, dtype="int64", low=low, high=high), -3), name="neg-scalar"),
            SampleInput((make(5, dtype="int64", low=low, high=high), 2.5), name="float-scalar"),
        ]
    return samples


def _cmp_samples(make, dtype):
    a = make(3, 4)
    b = Arg(a.array.copy())
    b.array[0, :2] += 1  # some equal, some not
    return [
        SampleInput((a, b), name="same"),
        SampleInput((make(3, 4), make(4)), name="broadcast"),
        SampleInput((make(3, 4, noncontig=True), 0.5), name="scalar"),
        SampleInput((make(2, 3), make(2, 3, dtype="int64")), name="int-float"),
        SampleInput((make(2, 3, dtype="int64"), 1.5), name="int-vs-float-scalar"),
        SampleInput((make(3, dtype="bool"), True), name="bool"),
        SampleInput((make(0, 2), make(2)), name="empty"),
        SampleInput((make(), make(2)), name="0-d"),
    ]


def _bool_int_samples(make, dtype):
    return [
        SampleInput((make(3, 4, dtype="bool"), make(3, 4, dtype="bool")), name="bool"),
        SampleInput((make(3, 4, dtype="int64", low=-8, high=8), make(4, dtype="int64", low=-8, high=8)),
                    name="int64"),
        SampleInput((make(3, dtype="uint8", low=0, high=200), make(3, dtype="int32", low=-5, high=5)),
                    name="uint8-int32"),
        SampleInput((make(3, dtype="bool"), make(3, dtype="int64", low=0, high=5)), name="bool-int"),
        SampleInput((make(4, dtype="int64", low=-8, high=8), 6), name="int-scalar"),
        SampleInput((make(4, dtype="bool"), True), name="bool-scalar"),
        SampleInput((make(4, dtype="int32", low=-8, high=8, noncontig=True), True), name="noncontig"),
    ]


def _logical_samples(make, dtype):
    return _bool_int_samples(make, dtype) + [
        SampleInput((make(3, 4), make(3, 4, dtype="bool")), name="float-bool"),
        SampleInput((_A([0.0, 1.5, -0.0, np.nan], dtype), _A([0.0, 0.0, 2.0, 0.0], dtype)), name="zeros-nan"),
    ]


def _fill_float(make, dtype):
    return [SampleInput((make(3, 4),), name="2d"), SampleInput((make(2, 4, noncontig=True),), name="noncontig"),
            SampleInput((make(0, 2),), name="empty"), SampleInput((make(),), name="0-d")]


_NAN_INF = [np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0]


def _where_samples(make, dtype):
    c = make(3, 4, dtype="bool")
    return [
        SampleInput((c, make(3, 4), make(3, 4)), name="same"),
        SampleInput((make(3, 1, dtype="bool"), make(4), make(3, 4)), name="broadcast"),
        SampleInput((c, make(3, 4, noncontig=True), 0.5), name="scalar-other"),
        SampleInput((c, -2.0, make(3, 4)), name="scalar-input"),
        SampleInput((c, make(3, 4), make(3, 4, dtype="int64")), name="int-promote"),
        SampleInput((c, make(3, 4), make(dtype="float64")), name="0-d-other"),
        SampleInput((make(0, 4, dtype="bool"), make(4), make(1)), name="empty"),
        SampleInput((c, make(3, 4, dtype="int64"), 7), name="int-int"),
        SampleInput((c, make(3, 4, dtype="int64"), 2.5), name="int-float-scalar"),
    ]


def _clamp_samples(make, dtype):
    return [
        SampleInput((make(3, 4),), dict(min=-1.0, max=1.5), name="both"),
        SampleInput((make(3, 4, noncontig=True),), dict(min=-0.5), name="min"),
        SampleInput((make(3, 4),), dict(max=0.5), name="max"),
        SampleInput((make(3, 4),), dict(min=1.0, max=-1.0), name="min>max"),
        SampleInput((make(2, 3, dtype="int64"),), dict(min=-1, max=2), name="int"),
        SampleInput((make(2, 3, dtype="int64"),), dict(min=0.5), name="int-float-bound"),
        SampleInput((make(3, dtype="bool"),), dict(min=0), name="bool-int-bound"),
        SampleInput((make(0, 2),), dict(min=0.0), name="empty"),
        SampleInput((make(),), dict(min=-1.0, max=1.0), name="0-d"),
    ]


def _clamp_tensor_samples(make, dtype):
    return [
        SampleInput((make(3, 4), make(3, 4, low=-2, high=0), make(4, low=0.1, high=2)), name="both"),
        SampleInput((make(3, 4), make(4)), dict(), name="min"),
        SampleInput((make(3, 4),), dict(max=make(3, 1)), name="max"),
        SampleInput((make(3, 4), make(3, 4, low=0, high=2), make(3, 4, low=-2, high=0)), name="min>max"),
        SampleInput((make(2, 3, dtype="int64"), make(3, low=-1, high=1)), name="int-float-bound"),
    ]


def _clamp_kink_samples(make, dtype):
    x = _A([-2.0, -1.0, -0.5, 0.0, 1.5, 1.5, 3.0], dtype)
    return [SampleInput((x,), dict(min=-1.0, max=1.5), name="at-bounds"),
            SampleInput((x,), dict(min=-1.0), name="at-min"),
            SampleInput((x,), dict(max=1.5), name="at-max")]


def _pow_samples(make, dtype):
    return [
        SampleInput((make(3, 4, low=0.5, high=2.0), make(3, 4, low=-2.0, high=2.0)), name="tensor-tensor"),
        SampleInput((make(3, 4, low=0.5, high=2.0), make(4, low=-2, high=2)), name="broadcast"),
        SampleInput((make(3, 4, low=0.5, high=2.0, noncontig=True), make(low=-1.0, high=1.0)), name="0-d-exp"),
        SampleInput((make(2, 3), 2), name="square"),
        SampleInput((make(2, 3), 3), name="cube-negative-base"),
        SampleInput((make(2, 3, low=0.5, high=2.0), 0.5), name="sqrt"),
        SampleInput((make(2, 3, low=0.5, high=2.0), -1.5), name="neg-float-exp"),
        SampleInput((make(2, 3), 0), name="zero-exp"),
        SampleInput((make(2, 3, low=0.5, high=2.0), make(2, 3, dtype="int64", low=-2, high=3)), name="int-exp"),
        SampleInput((make(0, 3, low=0.5, high=2.0), make(3)), name="empty"),
    ]


def _fill_op(v):
    return lambda x: x.clone().fill_(v)


def _kink_relu(make, dtype):
    return [SampleInput((_A([-2.0, -0.0, 0.0, 0.5, 3.0], dtype),), name="zeros")]


OPS = [
    # -- unary math ---------------------------------------------------------------------------------------
    _unary("log", low=0.1, high=4.0),
    _unary("log1p", low=-0.9, high=4.0),
    _unary("expm1"),
    _unary("log2", low=0.1, high=4.0),
    _unary("log10", low=0.1, high=4.0),
    _unary("sqrt", low=0.1, high=4.0),
    _unary("rsqrt", low=0.2, high=4.0),
    _unary("reciprocal", low=0.5, high=3.0),
    _unary("sin"),
    _unary("cos"),
    _unary("tan", low=-1.2, high=1.2),
    _unary("tanh"),
    _unary("erf"),
    _unary("sigmoid"),
    _unary("abs", ints=False),
    _unary("sign", ints=False),
    _unary("floor", ints=False),
    _unary("ceil", ints=False),
    _unary("round", ints=False),
    _unary("trunc", ints=False),
    _unary("square", ints=False),
    _unary("relu", ints=False),
    OpInfo("log_large", tl=lambda x: x.log(), ref=lambda x: x.log(), gradcheck=False,
           samples=lambda make, dt: [SampleInput((_A([0.0, -1.0, 1e-30, 1e30, np.inf, np.nan], dt),))]),
    OpInfo("sqrt_at_zero", tl=lambda x: x.sqrt(), ref=lambda x: x.sqrt(), gradcheck=False,
           samples=lambda make, dt: [SampleInput((_A([0.0, 4.0, -1.0], dt),))]),  # sqrt'(0) = inf
    OpInfo("tanh_large", tl=lambda x: x.tanh(), ref=lambda x: x.tanh(), samples=_large, gradcheck=False),
    OpInfo("sigmoid_large", tl=lambda x: x.sigmoid(), ref=lambda x: x.sigmoid(), samples=_large, gradcheck=False),
    OpInfo("int_unary", tl=lambda x: (x.abs(), x.sign(), x.floor(), x.round(), x.square(), x.relu(), -x),
           ref=lambda x: (x.abs(), x.sign(), x.floor(), x.round(), x.square(), x.relu(), -x), grad=False,
           samples=lambda make, dt: [SampleInput((make(3, 4, dtype=d, low=lo, high=7),), name=d)
                                     for d, lo in (("int64", -7), ("int32", -7), ("uint8", 0))]),
    OpInfo("bool_unary", tl=lambda x: (x.sign(), x.square(), x.sqrt(), x.exp(), x.sigmoid()),
           ref=lambda x: (x.sign(), x.square(), x.sqrt(), x.exp(), x.sigmoid()), grad=False,
           samples=lambda make, dt: [SampleInput((make(5, dtype="bool"),))]),
    OpInfo("round_half_even", tl=lambda x: x.round(), ref=lambda x: x.round(), grad=False,
           samples=lambda make, dt: [SampleInput((_A([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.4999], dt),))]),
    OpInfo("round_decimals", tl=lambda x: x.round(decimals=2), ref=lambda x: x.round(decimals=2),
           samples=lambda make, dt: [SampleInput((make(3, 4),))], gradcheck=False,
           error_inputs=[ErrorInput(lambda lib: lib.round(lib.tensor([1, 2]), decimals=1), NotImplementedError)]),
    OpInfo("abs_kink", tl=lambda x: x.abs(), ref=lambda x: x.abs(), gradcheck=False, samples=_kink_relu,
           error_inputs=[ErrorInput(lambda lib: lib.abs(lib.tensor([True])), NotImplementedError, "abs")]),
    OpInfo("relu_kink", tl=lambda x: x.relu(), ref=lambda x: x.relu(), gradcheck=False, samples=_kink_relu,
           error_inputs=[ErrorInput(lambda lib: lib.relu(lib.tensor([True])), RuntimeError, "Boolean")]),
    OpInfo("floor_bool_error", tl=lambda x: x.floor(), ref=lambda x: x.floor(), grad=False,
           samples=lambda make, dt: [SampleInput((make(3),))],
           error_inputs=[ErrorInput(lambda lib: lib.floor(lib.tensor([True])), NotImplementedError),
                         ErrorInput(lambda lib: lib.tensor([1, 2]).sqrt_(), RuntimeError, "can't be cast"),
                         ErrorInput(lambda lib: lib.sqrt([1.0]), TypeError)]),
    OpInfo("inplace_unary", tl=lambda x: ((x * 1).sigmoid_(), (x * 1).tanh_(), (x * 1).abs_(), (x * 1).exp_(),
                                          (x * 1).cos_(), (x * 1).square_(), (x * 1).floor_()),
           ref=lambda x: ((x * 1).sigmoid_(), (x * 1).tanh_(), (x * 1).abs_(), (x * 1).exp_(),
                          (x * 1).cos_(), (x * 1).square_(), (x * 1).floor_()),
           samples=_unary_samples(ints=False)),

    # -- activations --------------------------------------------------------------------------------------
    _activation("leaky_relu", error_inputs=[ErrorInput(lambda lib: _F(lib).leaky_relu(lib.tensor([1])),
                                                       NotImplementedError, "leaky_relu")]),
    _activation("leaky_relu_slope", fn="leaky_relu", extra=dict(negative_slope=0.2)),
    _activation("elu", error_inputs=[ErrorInput(lambda lib: _F(lib).elu(lib.tensor([1])), NotImplementedError)]),
    _activation("elu_alpha", fn="elu", extra=dict(alpha=0.5)),
    _activation("selu", samples=_large),
    _activation("celu", extra=dict(alpha=0.7)),
    _activation("gelu", samples=_large,
                error_inputs=[ErrorInput(lambda lib: _F(lib).gelu(lib.tensor([1])), NotImplementedError),
                              ErrorInput(lambda lib: _F(lib).gelu(lib.ones(2), approximate="x"), RuntimeError,
                                         "approximate")]),
    _activation("gelu_tanh", fn="gelu", extra=dict(approximate="tanh"), samples=_large),
    _activation("silu", samples=_large,
                error_inputs=[ErrorInput(lambda lib: _F(lib).silu(lib.tensor([1])), NotImplementedError)]),
    _activation("softplus", samples=_large),
    _activation("softplus_beta", fn="softplus", extra=dict(beta=2.0, threshold=5.0), samples=_large),
    _activation("hardtanh", extra=dict(min_val=-0.5, max_val=1.5),
                error_inputs=[ErrorInput(lambda lib: _F(lib).hardtanh(lib.ones(2), 2.0, 1.0), ValueError),
                              ErrorInput(lambda lib: _F(lib).hardtanh(lib.tensor([True])), RuntimeError)]),
    _activation("relu6", samples=lambda make, dt: [SampleInput((make(3, 4, low=-3, high=9),)),
                                                   SampleInput((make(3, dtype="int64", low=-3, high=9),))]),
    _activation("hardtanh_kink", fn="hardtanh", gradcheck=False, samples=_kinks([-2.0, -1.0, 0.0, 1.0, 2.0])),
    _activation("relu6_kink", fn="relu6", gradcheck=False, samples=_kinks([-1.0, 0.0, 3.0, 6.0, 7.0])),
    _activation("leaky_relu_kink", fn="leaky_relu", gradcheck=False, samples=_kink_relu),
    _activation("elu_kink", fn="elu", gradcheck=False, samples=_kink_relu),
    OpInfo("activation_inplace", tl=lambda x: tuple(f(x * 1, inplace=True) for f in (E.silu, E.elu, E.relu6, E.selu)),
           ref=lambda x: tuple(f(x * 1, inplace=True) for f in (_F(__import__("torch")).silu, _F(__import__("torch")).elu,
                                                                 _F(__import__("torch")).relu6, _F(__import__("torch")).selu)),
           samples=lambda make, dt: [SampleInput((make(3, 4),))]),

    # -- clamp ----------------------------------------------------------------------------------------------
    OpInfo("clamp", tl=lambda x, **kw: x.clamp(**kw), ref=lambda x, **kw: x.clamp(**kw), samples=_clamp_samples,
           error_inputs=[ErrorInput(lambda lib: lib.clamp(lib.ones(2)), RuntimeError, "At least one of"),
                         ErrorInput(lambda lib: lib.ones(2, dtype=lib.int64).clamp_(min=0.5), RuntimeError)]),
    OpInfo("clamp_tensor", tl=lambda x, *a, **kw: E.clamp(x, *a, **kw),
           ref=lambda x, *a, **kw: __import__("torch").clamp(x, *a, **kw), samples=_clamp_tensor_samples),
    OpInfo("clamp_kink", tl=lambda x, **kw: x.clamp(**kw), ref=lambda x, **kw: x.clamp(**kw), gradcheck=False,
           samples=lambda make, dt: _clamp_kink_samples(make, dt) + [
               SampleInput((_A([np.nan, 1.0, -2.0], dt),), dict(min=-1.0, max=0.5), name="nan")]),
    OpInfo("clip", tl=lambda x: x.clip(-0.5, 0.5), ref=lambda x: x.clip(-0.5, 0.5),
           samples=lambda make, dt: [SampleInput((make(3, 4),))]),
    OpInfo("clamp_min_max", tl=lambda x: (x.clamp_min(0.3), x.clamp_max(-0.2)),
           ref=lambda x: (x.clamp_min(0.3), x.clamp_max(-0.2)), samples=lambda make, dt: [SampleInput((make(3, 4),))]),
    OpInfo("clamp_", tl=lambda x: (x * 1).clamp_(-1, 1), ref=lambda x: (x * 1).clamp_(-1, 1),
           samples=lambda make, dt: [SampleInput((make(3, 4),))]),

    # -- binary math ------------------------------------------------------------------------------------------
    OpInfo("pow", tl=lambda a, b: a ** b, ref=lambda a, b: a ** b, samples=_pow_samples,
           error_inputs=[ErrorInput(lambda lib: lib.tensor([1, 2]) ** -1, RuntimeError, "negative integer powers"),
                         ErrorInput(lambda lib: lib.tensor([True]) ** lib.tensor([True]), NotImplementedError),
                         ErrorInput(lambda lib: lib.ones(2, 3) ** lib.ones(4), RuntimeError, "must match")]),
    OpInfo("rpow", tl=lambda a: 2.0 ** a, ref=lambda a: 2.0 ** a, samples=_unary_samples()),
    OpInfo("rpow_zero_base", tl=lambda a: 0.0 ** a, ref=lambda a: 0.0 ** a, gradcheck=False,
           samples=lambda make, dt: [SampleInput((_A([-1.0, 0.0, 0.5, 2.0], dt),))]),
    OpInfo("pow_zero_base", tl=lambda a, b: a ** b, ref=lambda a, b: a ** b, gradcheck=False,
           samples=lambda make, dt: [SampleInput((_A([0.0, 0.0, 0.0, 2.0], dt), _A([-1.0, 0.0, 2.0, 0.0], dt)))]),
    OpInfo("pow_int", tl=lambda a, b: (a ** b, a.pow(b), 2 ** b), ref=lambda a, b: (a ** b, a.pow(b), 2 ** b),
           grad=False, samples=lambda make, dt: [
               SampleInput((make(3, 4, dtype="int64", low=-3, high=3), make(3, 4, dtype="int64", low=-2, high=4))),
               SampleInput((make(3, dtype="int32", low=-3, high=3), make(3, dtype="int64", low=0, high=4))),
               SampleInput((make(3, dtype="int64"), make(3, dtype="int64", low=-2, high=0)))]),
    OpInfo("pow_scalar_promote", tl=lambda a: (a ** 2, a ** 2.5, a ** True, a.pow(0)),
           ref=lambda a: (a ** 2, a ** 2.5, a ** True, a.pow(0)), grad=False,
           samples=lambda make, dt: [SampleInput((make(3, dtype=d, low=0, high=3),), name=d)
                                     for d in ("int64", "int32", "uint8", "bool")]),
    OpInfo("maximum", tl=lambda a, b: a.maximum(b), ref=lambda a, b: a.maximum(b),
           samples=_binary_samples(scalars=()),
           error_inputs=[ErrorInput(lambda lib: lib.maximum(lib.ones(2), 2), TypeError)]),
    OpInfo("minimum", tl=lambda a, b: E.minimum(a, b), ref=lambda a, b: a.minimum(b),
           samples=_binary_samples(scalars=())),
    OpInfo("maximum_ties", tl=lambda a, b: (a.maximum(b), a.minimum(b)), ref=lambda a, b: (a.maximum(b), a.minimum(b)),
           gradcheck=False, samples=lambda make, dt: [
               SampleInput((_A([1.0, 2.0, 3.0, np.nan], dt), _A([1.0, 3.0, 2.0, 1.0], dt)))]),
    OpInfo("fmax", tl=lambda a, b: (a.fmax(b), a.fmin(b)), ref=lambda a, b: (a.fmax(b), a.fmin(b)),
           samples=_binary_samples(scalars=(), ints=False)),
    OpInfo("fmax_nan", tl=lambda a, b: (a.fmax(b), a.fmin(b)), ref=lambda a, b: (a.fmax(b), a.fmin(b)),
           gradcheck=False, samples=lambda make, dt: [
               SampleInput((_A([1.0, np.nan, np.nan, 2.0], dt), _A([np.nan, 3.0, np.nan, 2.0], dt)))]),
    OpInfo("remainder", tl=lambda a, b: a % b, ref=lambda a, b: a % b,
           samples=_binary_samples(blow=0.5, bhigh=2.0, scalars=(1.5, -0.7, 2)),
           error_inputs=[ErrorInput(lambda lib: lib.tensor([1, 2]) % lib.tensor([0, 1]), RuntimeError,
                                    "ZeroDivisionError"),
                         ErrorInput(lambda lib: lib.tensor([1, 2]) % 0, RuntimeError, "ZeroDivisionError"),
                         ErrorInput(lambda lib: lib.tensor([True]) % lib.tensor([True]), NotImplementedError)]),
    OpInfo("remainder_neg", tl=lambda a, b: (a % b, a.remainder(b)), ref=lambda a, b: (a % b, a.remainder(b)),
           samples=lambda make, dt: [SampleInput((make(3, 4), make(3, 4, low=-2.0, high=-0.5)))]),
    OpInfo("rmod", tl=lambda a: (5.5 % a, E.remainder(3, a)), ref=lambda a: (5.5 % a, __import__("torch").remainder(3, a)),
           grad=False,  # torch has no derivative for number % tensor
           samples=lambda make, dt: [SampleInput((make(2, 3, low=0.7, high=2.0),))]),
    OpInfo("remainder_int", tl=lambda a, b: (a % b, a.fmod(b), a // b), ref=lambda a, b: (a % b, a.fmod(b), a // b),
           grad=False, samples=_int_binary_samples(blow=1, bhigh=4),
           error_inputs=[ErrorInput(lambda lib: lib.tensor([5], dtype=lib.uint8) // lib.tensor([0], dtype=lib.uint8),
                                    RuntimeError, "ZeroDivisionError"),
                         ErrorInput(lambda lib: lib.tensor([1, 2]).fmod(0), RuntimeError, "ZeroDivisionError"),
                         ErrorInput(lambda lib: lib.tensor([1, 2]).remainder_(lib.tensor([0])), RuntimeError,
                                    "ZeroDivisionError")]),
    OpInfo("remainder_int_negdiv", tl=lambda a, b: (a % b, a.fmod(b), a // b), ref=lambda a, b: (a % b, a.fmod(b), a // b),
           grad=False, samples=_int_binary_samples(blow=-4, bhigh=-1)),
    OpInfo("fmod", tl=lambda a, b: a.fmod(b), ref=lambda a, b: a.fmod(b),
           samples=_binary_samples(blow=0.5, bhigh=2.0, scalars=(1.5, -0.7))),
    OpInfo("floor_divide", tl=lambda a, b: (a // b, E.floor_divide(a, b)), ref=lambda a, b: (a // b, a.floor_divide(b)),
           grad=False, samples=_binary_samples(blow=0.5, bhigh=2.0, scalars=(0.1, -0.7, 2))),
    OpInfo("floor_divide_exact", tl=lambda a, b: a // b, ref=lambda a, b: a // b, grad=False,
           samples=lambda make, dt: [SampleInput((_A([1.0, -7.0, 7.5, -0.3, 1.0, -1.0, 0.0], dt),
                                                  _A([0.1, 2.0, -2.0, 0.7, 0.0, 0.0, -3.0], dt)))]),
    OpInfo("rfloordiv", tl=lambda a: 7 // a, ref=lambda a: 7 // a, grad=False,
           samples=lambda make, dt: [SampleInput((make(2, 3, low=0.5, high=3.0),)),
                                     SampleInput((make(2, 3, dtype="int64", low=1, high=4),))]),
    OpInfo("atan2", tl=lambda a, b: a.atan2(b), ref=lambda a, b: a.atan2(b), samples=_binary_samples(scalars=()),
           error_inputs=[ErrorInput(lambda lib: lib.atan2(lib.ones(2), 2), TypeError)]),
    OpInfo("lerp", tl=lambda a, b, w: a.lerp(b, w), ref=lambda a, b, w: a.lerp(b, w),
           samples=lambda make, dt: [SampleInput((make(3, 4), make(3, 4), 0.3)),
                                     SampleInput((make(3, 4), make(4), 0.8)),
                                     SampleInput((make(3, 4), make(3, 4), make(3, 4, low=0, high=1)))],
           error_inputs=[ErrorInput(lambda lib: lib.lerp(lib.tensor([1]), lib.tensor([2]), 0.5), NotImplementedError)]),

    # -- comparison / logical / bitwise -------------------------------------------------------------------------
    *[OpInfo(n, tl=(lambda op: lambda a, b: op(a, b))(f), ref=(lambda op: lambda a, b: op(a, b))(f), grad=False,
             samples=_cmp_samples)
      for n, f in (("eq", lambda a, b: a == b), ("ne", lambda a, b: a != b), ("lt", lambda a, b: a < b),
                   ("le", lambda a, b: a <= b), ("gt", lambda a, b: a > b), ("ge", lambda a, b: a >= b))],
    OpInfo("cmp_reflected", tl=lambda a: (1.5 < a, 0 == a, 2 >= a, 1 != a), ref=lambda a: (1.5 < a, 0 == a, 2 >= a, 1 != a),
           grad=False, samples=lambda make, dt: [SampleInput((make(3, 4),)),
                                                 SampleInput((make(4, dtype="int64", low=-2, high=2),))]),
    OpInfo("cmp_methods", tl=lambda a, b: (a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b), a.greater(b),
                                           a.less_equal(b), E.not_equal(a, b)),
           ref=lambda a, b: (a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b), a.greater(b), a.less_equal(b),
                             a.not_equal(b)), grad=False, samples=_cmp_samples,
           error_inputs=[ErrorInput(lambda lib: lib.gt(lib.ones(2), "a"), TypeError),
                         ErrorInput(lambda lib: lib.ones(2) < None, TypeError)]),
    OpInfo("eq_inplace", tl=lambda a, b: (a * 1).eq_(b), ref=lambda a, b: (a * 1).eq_(b), grad=False,
           samples=lambda make, dt: [SampleInput((make(3, 4), make(4)))]),
    OpInfo("logical_and", tl=lambda a, b: a.logical_and(b), ref=lambda a, b: a.logical_and(b), grad=False,
           samples=lambda make, dt: [s for s in _logical_samples(make, dt) if not isinstance(s.args[1], (bool, int))]),
    OpInfo("logical_or", tl=lambda a, b: E.logical_or(a, b), ref=lambda a, b: a.logical_or(b), grad=False,
           samples=lambda make, dt: [s for s in _logical_samples(make, dt) if not isinstance(s.args[1], (bool, int))]),
    OpInfo("logical_xor", tl=lambda a, b: a.logical_xor(b), ref=lambda a, b: a.logical_xor(b), grad=False,
           samples=lambda make, dt: [s for s in _logical_samples(make, dt) if not isinstance(s.args[1], (bool, int))]),
    OpInfo("logical_not", tl=lambda a: (a.logical_not(), E.logical_not(a)), ref=lambda a: (a.logical_not(), a.logical_not()),
           grad=False, samples=lambda make, dt: [SampleInput((s.args[0],)) for s in _logical_samples(make, dt)]),
    OpInfo("bitwise_and", tl=lambda a, b: (a & b, a.bitwise_and(b)), ref=lambda a, b: (a & b, a.bitwise_and(b)),
           grad=False, samples=_bool_int_samples,
           error_inputs=[ErrorInput(lambda lib: lib.ones(2) & 1, NotImplementedError, "bitwise_and"),
                         ErrorInput(lambda lib: lib.bitwise_and(lib.ones(2), lib.tensor([1, 1])), NotImplementedError)]),
    OpInfo("bitwise_or", tl=lambda a, b: (a | b, a.bitwise_or(b)), ref=lambda a, b: (a | b, a.bitwise_or(b)),
           grad=False, samples=_bool_int_samples),
    OpInfo("bitwise_xor", tl=lambda a, b: (a ^ b, a.bitwise_xor(b)), ref=lambda a, b: (a ^ b, a.bitwise_xor(b)),
           grad=False, samples=_bool_int_samples),
    OpInfo("bitwise_reflected", tl=lambda a: (True & a, 6 | a, 3 ^ a), ref=lambda a: (True & a, 6 | a, 3 ^ a),
           grad=False, samples=lambda make, dt: [SampleInput((make(4, dtype="int64", low=-8, high=8),)),
                                                 SampleInput((make(4, dtype="bool"),))]),
    OpInfo("bitwise_not", tl=lambda a: (~a, a.bitwise_not()), ref=lambda a: (~a, a.bitwise_not()), grad=False,
           samples=lambda make, dt: [SampleInput((s.args[0],)) for s in _bool_int_samples(make, dt)],
           error_inputs=[ErrorInput(lambda lib: ~lib.ones(2), TypeError),
                         ErrorInput(lambda lib: lib.bitwise_not(lib.ones(2)), NotImplementedError)]),
    OpInfo("bitwise_inplace", tl=lambda a, b: ((a * 1).__iand__(b), (a * 1).__ior__(b), (a * 1).__ixor__(b)),
           ref=lambda a, b: ((a * 1).__iand__(b), (a * 1).__ior__(b), (a * 1).__ixor__(b)), grad=False,
           samples=lambda make, dt: [SampleInput((make(3, dtype="int64", low=-8, high=8),
                                                  make(3, dtype="int64", low=-8, high=8)))]),

    # -- where / masked_fill / tests / fill -------------------------------------------------------------------------
    OpInfo("where", tl=lambda c, a, b: E.where(c, a, b), ref=lambda c, a, b: __import__("torch").where(c, a, b),
           samples=_where_samples,
           error_inputs=[ErrorInput(lambda lib: lib.where(lib.tensor([1, 0]), 1.0, 0.0), RuntimeError, "bool"),
                         ErrorInput(lambda lib: lib.where(lib.tensor([True, False]), lib.ones(3), 0.0), RuntimeError)]),
    OpInfo("where_scalars", tl=lambda c: (E.where(c, 1.0, 0), E.where(c, 1, 0), E.where(c, True, False)),
           ref=lambda c: tuple(__import__("torch").where(c, *v) for v in ((1.0, 0), (1, 0), (True, False))),
           grad=False, samples=lambda make, dt: [SampleInput((make(3, 4, dtype="bool"),))]),
    OpInfo("where_method", tl=lambda a, b: a.where(a > 0, b), ref=lambda a, b: a.where(a > 0, b),
           samples=lambda make, dt: [SampleInput((make(3, 4), make(4)))]),
    OpInfo("masked_fill", tl=lambda x, m, v: x.masked_fill(m, v), ref=lambda x, m, v: x.masked_fill(m, v),
           samples=lambda make, dt: [
               SampleInput((make(3, 4), make(3, 4, dtype="bool"), -1.5), name="number"),
               SampleInput((make(3, 4, noncontig=True), make(4, dtype="bool"), 2), name="broadcast-mask"),
               SampleInput((make(4), make(3, 4, dtype="bool"), 0.0), name="broadcast-self"),
               SampleInput((make(3, 4), make(3, 4, dtype="bool"), make()), name="0-d-value"),
               SampleInput((make(3, 4, dtype="int64"), make(3, 4, dtype="bool"), 2.7), name="int-truncates"),
               SampleInput((make(0, 4), make(4, dtype="bool"), 1.0), name="empty")],
           error_inputs=[ErrorInput(lambda lib: lib.ones(2).masked_fill(lib.tensor([1, 0]), 0.0), RuntimeError,
                                    "boolean masks"),
                         ErrorInput(lambda lib: lib.ones(2).masked_fill(lib.tensor([True, False]), lib.ones(2)),
                                    RuntimeError, "0-dimensional"),
                         ErrorInput(lambda lib: lib.ones(3).masked_fill_(lib.ones(2, 3).bool(), 0.0), RuntimeError,
                                    "doesn't match the broadcast shape")]),
    OpInfo("masked_fill_", tl=lambda x, m, v: (x * 1).masked_fill_(m, v), ref=lambda x, m, v: (x * 1).masked_fill_(m, v),
           samples=lambda make, dt: [SampleInput((make(3, 4), make(4, dtype="bool"), make()), name="0-d-value"),
                                     SampleInput((make(3, 4), make(3, 1, dtype="bool"), 3.0), name="number")]),
    OpInfo("isnan", tl=lambda x: (x.isnan(), x.isinf(), x.isfinite(), E.isnan(x)),
           ref=lambda x: (x.isnan(), x.isinf(), x.isfinite(), x.isnan()), grad=False,
           samples=lambda make, dt: [SampleInput((_A(_NAN_INF, dt),)), SampleInput((make(3, dtype="int64"),)),
                                     SampleInput((make(3, dtype="bool"),)), SampleInput((make(0),))]),
    OpInfo("nan_to_num", tl=lambda x, **kw: x.nan_to_num(**kw), ref=lambda x, **kw: x.nan_to_num(**kw), gradcheck=False,
           samples=lambda make, dt: [SampleInput((_A(_NAN_INF, dt),)),
                                     SampleInput((_A(_NAN_INF, dt),), dict(nan=1.0, posinf=9.0, neginf=-9.0)),
                                     SampleInput((make(3, dtype="int64"),))]),
    OpInfo("fill_", tl=_fill_op(2.5), ref=_fill_op(2.5), samples=_fill_float),
    OpInfo("fill_int", tl=lambda x: (x.clone().fill_(2.7), x.clone().zero_()), ref=lambda x: (x.clone().fill_(2.7), x.clone().zero_()),
           grad=False, samples=lambda make, dt: [SampleInput((make(3, dtype=d),), name=d) for d in ("int64", "bool", "uint8")],
           error_inputs=[ErrorInput(lambda lib: lib.ones(2).fill_(lib.ones(2)), RuntimeError, "0-dimension")]),
    OpInfo("fill_tensor_value", tl=lambda x, v: (x * 2).fill_(v), ref=lambda x, v: (x * 2).fill_(v),
           samples=lambda make, dt: [SampleInput((make(3, 4), make()))]),
    OpInfo("zero_", tl=lambda x: (x * 2).zero_(), ref=lambda x: (x * 2).zero_(), samples=_fill_float),
]
