"""Elementwise ops: the Python side of csrc/ops/elementwise.def. Each op has a fast path (no graph
needed: straight to the kernel) and an autograd Function whose backward uses differentiable ops."""
from __future__ import annotations

import math
import numbers

from .. import _C
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _register_methods
from . import out as O
from .inplace import _inplace_op

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative", "rsub",
           "exp", "exp_",
           # unary math
           "log", "log1p", "expm1", "log2", "log10", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "tanh", "erf",
           "sigmoid", "abs", "absolute", "sign", "floor", "ceil", "round", "trunc", "fix", "square", "relu", "selu",
           "celu", "log_", "log1p_", "expm1_", "sqrt_", "rsqrt_", "reciprocal_", "sin_", "cos_", "tanh_", "erf_",
           "sigmoid_", "abs_", "floor_", "ceil_", "round_", "trunc_", "square_", "relu_", "selu_", "celu_", "neg_",
           # clamp, binary math
           "clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "pow", "maximum", "minimum",
           "fmax", "fmin", "remainder", "fmod", "floor_divide", "atan2", "arctan2", "lerp",
           # comparison, logical, bitwise
           "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal", "less_equal", "not_equal",
           "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_not",
           # selection, tests, filling
           "where", "masked_fill", "isnan", "isinf", "isfinite", "nan_to_num", "nan_to_num_", "fill_", "zero_",
           "fill"]


def _meta(x):
    """What a backward needs to know of an input it does not otherwise save: shape and dtype."""
    return (x._t.shape, x._t.dtype) if isinstance(x, Tensor) else None


def _unbroadcast(g, x):
    """Gradient g of a broadcast result, reduced to the shape and dtype of x (a Tensor or _meta(x))."""
    if x is None:
        return None
    shape, dt = (x._t.shape, x._t.dtype) if isinstance(x, Tensor) else x
    if tuple(g._t.shape) != tuple(shape):
        g = g.sum_to_size(shape)
    if g._t.dtype != dt:
        from .. import _dtype as D
        g = g.to(D._BY_ID[dt])
    return g


def _is_number(x):
    return isinstance(x, numbers.Number) or (hasattr(x, "dtype") and hasattr(x, "item") and not isinstance(x, Tensor))


def _bad_operand(op, other):
    raise TypeError(f"{op}(): argument 'other' (position 2) must be Tensor or Number, not {type(other).__name__}")


def _run_binary(name, a, b):
    """Calls the kernel: a is a Tensor, b a Tensor or a Python number."""
    if isinstance(b, Tensor):
        return _wrap(getattr(_C, name)(a._t, b._t))
    return _wrap(getattr(_C, name + "_scalar")(a._t, b, False))


class Add(Function):
    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        ctx.a, ctx.b = _meta(a), _meta(b)
        if alpha != 1:
            b = mul(b, alpha) if isinstance(b, Tensor) else b * alpha
        return _run_binary("add", a, b)

    @staticmethod
    def backward(ctx, g):
        ga = _unbroadcast(g, ctx.a) if ctx.needs_input_grad[0] else None
        gb = None
        if ctx.needs_input_grad[1]:
            gb = _unbroadcast(g if ctx.alpha == 1 else g * ctx.alpha, ctx.b)
        return ga, gb, None


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        ctx.a, ctx.b = _meta(a), _meta(b)
        if alpha != 1:
            b = mul(b, alpha) if isinstance(b, Tensor) else b * alpha
        return _run_binary("sub", a, b)

    @staticmethod
    def backward(ctx, g):
        ga = _unbroadcast(g, ctx.a) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(neg(g) if ctx.alpha == 1 else g * (-ctx.alpha), ctx.b) if ctx.needs_input_grad[1] else None
        return ga, gb, None


class RSub(Function):
    """other - alpha * a, with other a number"""

    @staticmethod
    def forward(ctx, a, other, alpha):
        ctx.alpha = alpha
        ctx.a = _meta(a)
        x = a if alpha == 1 else mul(a, alpha)
        return _wrap(_C.sub_scalar(x._t, other, True))

    @staticmethod
    def backward(ctx, g):
        return _unbroadcast(neg(g) if ctx.alpha == 1 else g * (-ctx.alpha), ctx.a), None, None


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b if isinstance(b, Tensor) else None)
        ctx.scalar = None if isinstance(b, Tensor) else b
        return _run_binary("mul", a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if b is None:
            return _unbroadcast(g * ctx.scalar, a), None
        ga = _unbroadcast(g * b, a) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(g * a, b) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b if isinstance(b, Tensor) else None)
        ctx.scalar = None if isinstance(b, Tensor) else b
        return _run_binary("div", a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if b is None:
            return _unbroadcast(g / ctx.scalar, a), None
        ga = _unbroadcast(g / b, a) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(neg(g) * a / (b * b), b) if ctx.needs_input_grad[1] else None
        return ga, gb


class RDiv(Function):
    """number / a"""

    @staticmethod
    def forward(ctx, a, other):
        ctx.save_for_backward(a)
        ctx.other = other
        return _wrap(_C.div_scalar(a._t, other, True))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return _unbroadcast(neg(g) * ctx.other / (a * a), a), None


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return _wrap(_C.neg(a._t))

    @staticmethod
    def backward(ctx, g):
        return neg(g)


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = _wrap(_C.exp(x._t))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y


def _grad_needed(a, b):
    return MODE.enabled and (a._rg or (isinstance(b, Tensor) and b._rg))


def _check_other(op, other):
    if not isinstance(other, Tensor) and not _is_number(other):
        _bad_operand(op, other)


def _check_input(op, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def add(input, other, *, alpha=1, out=None):
    if out is not None:
        return O.into("add", out, lambda: add(input, other, alpha=alpha), input, other)
    if not isinstance(input, Tensor):
        input, other = other, input
    _check_other("add", other)
    if _grad_needed(input, other):
        return Add.apply(input, other, alpha)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _run_binary("add", input, other)


def sub(input, other, *, alpha=1, out=None):
    if out is not None:
        return O.into("sub", out, lambda: sub(input, other, alpha=alpha), input, other)
    _check_other("sub", other)
    if _grad_needed(input, other):
        return Sub.apply(input, other, alpha)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _run_binary("sub", input, other)


def rsub(input, other, *, alpha=1):
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    if MODE.enabled and input._rg:
        return RSub.apply(input, other, alpha)
    x = input if alpha == 1 else mul(input, alpha)
    return _wrap(_C.sub_scalar(x._t, other, True))


def mul(input, other, *, out=None):
    if out is not None:
        return O.into("mul", out, lambda: mul(input, other), input, other)
    if not isinstance(input, Tensor):
        input, other = other, input
    _check_other("mul", other)
    if _grad_needed(input, other):
        return Mul.apply(input, other)
    return _run_binary("mul", input, other)


def div(input, other, *, rounding_mode=None, out=None):
    if out is not None:
        return O.into("div", out, lambda: div(input, other, rounding_mode=rounding_mode), input, other)
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return input.floor_divide(other)
        if rounding_mode == "trunc":
            return div(input, other).trunc() if input.dtype.is_floating_point or (
                isinstance(other, Tensor) and other.dtype.is_floating_point) or isinstance(other, float) \
                else _trunc_div_int(input, other)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    if not isinstance(input, Tensor):
        return rdiv(other, input)
    _check_other("div", other)
    if _grad_needed(input, other):
        return Div.apply(input, other)
    return _run_binary("div", input, other)


def _trunc_div_int(a, b):
    q = div(a, b).trunc()
    return q.to(a.dtype if not isinstance(b, Tensor) else _promote(a, b))


def _promote(a, b):
    from .. import _dtype as D
    return D._BY_ID[_C.result_type(a._t, b._t)]


def rdiv(input, other):
    """other / input for a number `other`"""
    if MODE.enabled and input._rg:
        return RDiv.apply(input, other)
    return _wrap(_C.div_scalar(input._t, other, True))


def neg(input):
    if MODE.enabled and input._rg:
        return Neg.apply(input)
    return _wrap(_C.neg(input._t))


def exp(input):
    if MODE.enabled and input._rg:
        return Exp.apply(input)
    return _wrap(_C.exp(input._t))


subtract = sub
multiply = mul
divide = div
true_divide = div
negative = neg


# -- in-place ---------------------------------------------------------------------------------------------
def _inplace_binary(name, fn):
    c_t, c_s = getattr(_C, name + "_"), getattr(_C, name + "_scalar_")

    def op_(self, other, **kw):
        if MODE.enabled and (self._rg or (isinstance(other, Tensor) and other._rg)):
            # x.mul_(x): both operands are the old value (the clone), as in torch
            return _inplace_op(self, lambda v: fn(v, v if other is self else other, **kw))
        if kw.get("alpha", 1) != 1:
            other = mul(other, kw["alpha"]) if isinstance(other, Tensor) else other * kw["alpha"]
        if isinstance(other, Tensor):
            c_t(self._t, other._t)
        else:
            _check_other(name + "_", other)
            c_s(self._t, other)
        self._t.bump_version()
        return self
    op_.__name__ = name + "_"
    return op_


def _inplace_unary(name, fn):
    c = getattr(_C, name + "_")

    def op_(self):
        if MODE.enabled and self._rg:
            return _inplace_op(self, fn)
        c(self._t)
        self._t.bump_version()
        return self
    op_.__name__ = name + "_"
    return op_


add_ = _inplace_binary("add", add)
sub_ = _inplace_binary("sub", sub)
mul_ = _inplace_binary("mul", mul)
div_ = _inplace_binary("div", div)
neg_ = _inplace_unary("neg", neg)
exp_ = _inplace_unary("exp", exp)


def _rev(fn):
    def r(self, other):
        if not isinstance(other, Tensor) and not _is_number(other):
            return NotImplemented
        return fn(other, self) if isinstance(other, Tensor) else fn(self, other)
    return r


def _fwd(fn):
    def f(self, other):
        if not isinstance(other, Tensor) and not _is_number(other):
            return NotImplemented
        return fn(self, other)
    return f


_register_methods({
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div, "divide": div,
    "true_divide": div, "neg": neg, "negative": neg, "exp": exp,
    "add_": add_, "sub_": sub_, "subtract_": sub_, "mul_": mul_, "multiply_": mul_, "div_": div_,
    "divide_": div_, "true_divide_": div_, "neg_": neg_, "negative_": neg_, "exp_": exp_,
    "__add__": _fwd(add), "__radd__": _rev(add), "__iadd__": add_,
    "__sub__": _fwd(sub), "__rsub__": lambda self, other: rsub(self, other), "__isub__": sub_,
    "__mul__": _fwd(mul), "__rmul__": _rev(mul), "__imul__": mul_,
    "__truediv__": _fwd(div), "__rtruediv__": lambda self, other: rdiv(self, other) if not isinstance(other, Tensor)
    else div(other, self), "__itruediv__": div_,
    "__neg__": neg, "__pos__": lambda self: self,
})


# =========================================================================================================
# The rest of the table: unary math, activations, clamp, binary math, comparisons, logical/bitwise ops,
# where / masked_fill, tests (isnan...), fill_. Backward formulas are torch's (derivatives.yaml), written
# with differentiable tensorlite ops so double backward works.
# =========================================================================================================
_FLOAT_RANK = 2
_INT_RANK = 1


def _category(d):
    """torch's promotion categories: bool < integer < floating."""
    return _FLOAT_RANK if d.is_floating_point else (0 if d is D.bool else _INT_RANK)


def _number_category(v):
    if isinstance(v, bool):
        return 0
    if isinstance(v, numbers.Integral):
        return _INT_RANK
    if hasattr(v, "dtype") and getattr(v.dtype, "kind", "f") in "biu":
        return 0 if v.dtype.kind == "b" else _INT_RANK
    return _FLOAT_RANK


def _number_dtype(v):
    return (D.bool, D.int64, D.get_default_dtype())[_number_category(v)]


def _result_type(*operands):
    """torch.result_type over any number of tensors and numbers (None is skipped): dimensioned tensors
    beat zero-dim tensors, which beat Python numbers, unless a lower priority operand has a higher
    category (then its dtype, or the category's default dtype for a number, is used)."""
    slots = [None, None, None]  # dim tensors, zero-dim tensors, numbers
    for o in operands:
        if o is None:
            continue
        if isinstance(o, Tensor):
            d, k = o.dtype, (0 if o._t.ndim > 0 else 1)
        else:
            d, k = _number_dtype(o), 2
        cur = slots[k]
        slots[k] = d if cur is None else (d if d._id > cur._id else cur)
    r = None
    for d in slots:
        if d is None:
            continue
        if r is None:
            r = d
        elif _category(d) > _category(r):
            r = d
    return r


def _zeros_like(x):
    return _wrap(_C.full(list(x._t.shape), 0, x._t.dtype, x._t.device))


def _scalar_tensor(v, dtype):
    return _wrap(_C.full([], v, dtype._id))


# -- unary ops --------------------------------------------------------------------------------------------
class _UnaryFn(Function):
    """Base of the table-driven unary Functions: `kernel` is the _C function, `saves` says what
    backward needs ("x", "y", "xy" or ""), `grad(g, *saved, p0, p1)` is the backward formula."""
    kernel = None
    saves = "x"

    @staticmethod
    def forward(ctx, x, p0, p1):
        cls = ctx._forward_cls
        y = _wrap(cls.kernel(x._t, p0, p1))
        ctx.p = (p0, p1)
        sv = cls.saves
        if sv == "x":
            ctx.save_for_backward(x)
        elif sv == "y":
            ctx.save_for_backward(y)
        elif sv == "xy":
            ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        return ctx._forward_cls.grad(g, *ctx.saved_tensors, *ctx.p), None, None


def _unary_cls(cls_name, c_name, saves, grad):
    return type(cls_name, (_UnaryFn,), {"kernel": staticmethod(getattr(_C, c_name)), "saves": saves,
                                        "grad": staticmethod(grad)})


def _unary_op(name, cls, c_name=None):
    """The public function: kernel directly when no graph is needed, else the Function."""
    c = getattr(_C, c_name or name)

    def fn(input):
        try:
            if MODE.enabled and input._rg:
                return cls.apply(input, 0.0, 0.0)
            return _wrap(c(input._t))
        except AttributeError:
            _check_input(name, input)
            raise
    fn.__name__ = fn.__qualname__ = name
    return fn


def _zero_grad(g, *_):
    return _zeros_like(g)


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

Log = _unary_cls("Log", "log", "x", lambda g, x, *p: g / x)
Log1p = _unary_cls("Log1p", "log1p", "x", lambda g, x, *p: g / (x + 1))
Expm1 = _unary_cls("Expm1", "expm1", "y", lambda g, y, *p: g * (y + 1))
Log2 = _unary_cls("Log2", "log2", "x", lambda g, x, *p: g / (x * _LN2))
Log10 = _unary_cls("Log10", "log10", "x", lambda g, x, *p: g / (x * _LN10))
Sqrt = _unary_cls("Sqrt", "sqrt", "y", lambda g, y, *p: g / (y * 2))            # sqrt'(0) = inf, as torch
Rsqrt = _unary_cls("Rsqrt", "rsqrt", "y", lambda g, y, *p: g * (y * y * y) * -0.5)
Reciprocal = _unary_cls("Reciprocal", "reciprocal", "y", lambda g, y, *p: neg(g) * (y * y))
Sin = _unary_cls("Sin", "sin", "x", lambda g, x, *p: g * cos(x))
Cos = _unary_cls("Cos", "cos", "x", lambda g, x, *p: g * neg(sin(x)))
Tan = _unary_cls("Tan", "tan", "y", lambda g, y, *p: g * (y * y + 1))
Tanh = _unary_cls("Tanh", "tanh", "y", lambda g, y, *p: g * rsub(y * y, 1))
Erf = _unary_cls("Erf", "erf", "x", lambda g, x, *p: g * (exp(neg(x * x)) * _TWO_OVER_SQRT_PI))
Sigmoid = _unary_cls("Sigmoid", "sigmoid", "y", lambda g, y, *p: g * (rsub(y, 1) * y))
Abs = _unary_cls("Abs", "abs", "x", lambda g, x, *p: g * sign(x))                 # abs'(0) = 0
Sign = _unary_cls("Sign", "sign", "", _zero_grad)
Floor = _unary_cls("Floor", "floor", "", _zero_grad)
Ceil = _unary_cls("Ceil", "ceil", "", _zero_grad)
Round = _unary_cls("Round", "round", "", _zero_grad)
Trunc = _unary_cls("Trunc", "trunc", "", _zero_grad)
Square = _unary_cls("Square", "square", "x", lambda g, x, *p: g * (x * 2))
Relu = _unary_cls("Relu", "relu", "y", lambda g, y, *p: where(y > 0, g, 0.0))  # relu'(0) = 0
LeakyRelu = _unary_cls("LeakyRelu", "leaky_relu", "x", lambda g, x, slope, _: where(x > 0, g, g * slope))
Elu = _unary_cls("Elu", "elu", "x", lambda g, x, alpha, _: where(x > 0, g, g * (exp(x) * alpha)))
Celu = _unary_cls("Celu", "celu", "x", lambda g, x, alpha, _: where(x > 0, g, g * exp(x / alpha)))
Selu = _unary_cls("Selu", "selu", "x", lambda g, x, *p: where(x > 0, g * _SELU_SCALE,
                                                               g * (exp(x) * (_SELU_SCALE * _SELU_ALPHA))))


def _gelu_grad(g, x, *p):
    cdf = (erf(x * math.sqrt(0.5)) + 1) * 0.5
    pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


def _gelu_tanh_grad(g, x, *p):
    beta, kappa = math.sqrt(2.0 / math.pi), 0.044715
    x_sq = x * x
    t = tanh((x + x_sq * x * kappa) * beta)
    left_d = (t + 1) * 0.5
    right_d = x * 0.5 * rsub(t * t, 1) * ((x_sq * (3 * kappa) + 1) * beta)
    return g * (left_d + right_d)


def _silu_grad(g, x, *p):
    s = sigmoid(x)
    return g * (s * (x * rsub(s, 1) + 1))


def _softplus_grad(g, x, beta, threshold):
    bx = x * beta
    return where(bx > threshold, g, g * sigmoid(bx))


Gelu = _unary_cls("Gelu", "gelu", "x", _gelu_grad)
GeluTanh = type("Gelu", (_UnaryFn,), {"kernel": staticmethod(_C.gelu_tanh), "saves": "x",
                                      "grad": staticmethod(_gelu_tanh_grad)})
Silu = _unary_cls("Silu", "silu", "x", _silu_grad)
Softplus = _unary_cls("Softplus", "softplus", "x", _softplus_grad)

log = _unary_op("log", Log)
log1p = _unary_op("log1p", Log1p)
expm1 = _unary_op("expm1", Expm1)
log2 = _unary_op("log2", Log2)
log10 = _unary_op("log10", Log10)
sqrt = _unary_op("sqrt", Sqrt)
rsqrt = _unary_op("rsqrt", Rsqrt)
reciprocal = _unary_op("reciprocal", Reciprocal)
sin = _unary_op("sin", Sin)
cos = _unary_op("cos", Cos)
tan = _unary_op("tan", Tan)
tanh = _unary_op("tanh", Tanh)
erf = _unary_op("erf", Erf)
sigmoid = _unary_op("sigmoid", Sigmoid)
abs = _unary_op("abs", Abs)  # noqa: A001 - torch's name
absolute = abs
sign = _unary_op("sign", Sign)
floor = _unary_op("floor", Floor)
ceil = _unary_op("ceil", Ceil)
trunc = _unary_op("trunc", Trunc)
fix = trunc
relu = _unary_op("relu", Relu)
_round0 = _unary_op("round", Round)


def round(input, *, decimals=0):  # noqa: A001 - torch's name
    if decimals == 0:
        return _round0(input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_torch_name(input.dtype)}'")
    # torch: nearbyint(x * 10^d) / 10^d (and the mirror image for negative d), in the input's dtype
    if decimals > 0:
        p = 10.0 ** decimals
        return _round0(input * p) / p
    p = 10.0 ** (-decimals)
    return _round0(input / p) * p


def square(input):
    _check_input("square", input)
    if input.dtype is D.bool:  # torch.square is pow(x, 2): bool promotes to int64
        return pow(input, 2)
    if MODE.enabled and input._rg:
        return Square.apply(input, 0.0, 0.0)
    return _wrap(_C.square(input._t))


def _torch_name(dt):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "uint8": "Byte",
            "bool": "Bool"}[dt.name]


def _param_unary(name, cls, c, x, p0=0.0, p1=0.0):
    _check_input(name, x)
    if MODE.enabled and x._rg:
        return cls.apply(x, p0, p1)
    return _wrap(c(x._t, p0, p1))


def _maybe_inplace(inplace, x, fn):
    """nn.functional's inplace=True: x := fn(x) with torch's in-place autograd rules."""
    if not inplace:
        return fn(x)
    if MODE.enabled and (x._rg or (x._meta is not None and x._meta.base is not None and x._meta.base._rg)):
        return _inplace_op(x, fn)
    r = fn(x)
    if r.dtype != x.dtype and not _C.can_cast(r._t.dtype, x._t.dtype):
        raise RuntimeError(f"result type {_torch_name(r.dtype)} can't be cast to the desired output type "
                           f"{_torch_name(x.dtype)}")
    _C.copy_(x._t, r._t)
    x._t.bump_version()
    return x


# Functional-only activations (torch.nn.functional); the future nn.functional re-exports them.
def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _maybe_inplace(inplace, input, lambda x: _param_unary("leaky_relu", LeakyRelu, _C.leaky_relu, x,
                                                                 float(negative_slope)))


def elu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(inplace, input, lambda x: _param_unary("elu", Elu, _C.elu, x, float(alpha)))


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(inplace, input, lambda x: _param_unary("celu", Celu, _C.celu, x, float(alpha)))


def selu(input, inplace=False):
    return _maybe_inplace(inplace, input, lambda x: _param_unary("selu", Selu, _C.selu, x))


def gelu(input, approximate="none"):
    if approximate == "none":
        return _param_unary("gelu", Gelu, _C.gelu, input)
    if approximate == "tanh":
        return _param_unary("gelu", GeluTanh, _C.gelu_tanh, input)
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    return _maybe_inplace(inplace, input, lambda x: _param_unary("silu", Silu, _C.silu, x))


def softplus(input, beta=1.0, threshold=20.0):
    return _param_unary("softplus", Softplus, _C.softplus, input, float(beta), float(threshold))


class Hardtanh(Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return _wrap(_C.clamp(x._t, lo, hi))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        # torch's hardtanh_backward is strict at the bounds (clamp's is not)
        return where(logical_and(x > ctx.lo, x < ctx.hi), g, 0.0), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _check_input("hardtanh", input)
    if input.dtype is D.bool:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def fn(x):
        if MODE.enabled and x._rg:
            return Hardtanh.apply(x, float(min_val), float(max_val))
        return _wrap(_C.clamp(x._t, float(min_val), float(max_val)))
    return _maybe_inplace(inplace, input, fn)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


# -- clamp ------------------------------------------------------------------------------------------------
class ClampScalar(Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return _wrap(_C.clamp(x._t, -math.inf if lo is None else lo, math.inf if hi is None else hi))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        # torch passes the gradient where min <= x <= max
        if lo is None:
            m = x <= hi
        elif hi is None:
            m = x >= lo
        else:
            m = logical_and(x >= lo, x <= hi)
        return where(m, g, 0.0), None, None


class ClampTensor(Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        ctx.metas = (_meta(x), _meta(lo), _meta(hi))
        r = x._t
        if lo is not None:
            r = _C.maximum(r, lo._t)
        if hi is not None:
            r = _C.minimum(r, hi._t)
        return _wrap(r)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        mx, mlo, mhi = ctx.metas
        need = ctx.needs_input_grad
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need[0]:
                gx = where(logical_and(x >= lo, x <= hi), g, 0.0)
            if need[1]:
                glo = where(logical_and(x < lo, lo < hi), g, 0.0)
            if need[2]:
                ghi = where(logical_or(x > hi, hi < lo), g, 0.0)
        elif lo is not None:
            gx = where(x >= lo, g, 0.0) if need[0] else None
            glo = where(x < lo, g, 0.0) if need[1] else None
        else:
            gx = where(x <= hi, g, 0.0) if need[0] else None
            ghi = where(x > hi, g, 0.0) if need[2] else None
        return (_unbroadcast(gx, mx) if gx is not None else None,
                _unbroadcast(glo, mlo) if glo is not None else None,
                _unbroadcast(ghi, mhi) if ghi is not None else None)


def _as_dtype(x, dt):
    if x is None or x.dtype is dt:
        return x
    from .convert import _to_dtype
    return _to_dtype(x, dt, False)


def clamp(input, min=None, max=None):  # noqa: A002 - torch's names
    _check_input("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = min if min is None or isinstance(min, Tensor) else _scalar_tensor(min, _number_dtype(min))
        hi = max if max is None or isinstance(max, Tensor) else _scalar_tensor(max, _number_dtype(max))
        dt = _result_type(input, lo, hi)
        x, lo, hi = _as_dtype(input, dt), _as_dtype(lo, dt), _as_dtype(hi, dt)
        if MODE.enabled and (x._rg or (lo is not None and lo._rg) or (hi is not None and hi._rg)):
            return ClampTensor.apply(x, lo, hi)
        r = x._t
        if lo is not None:
            r = _C.maximum(r, lo._t)
        if hi is not None:
            r = _C.minimum(r, hi._t)
        return _wrap(r) if r is not x._t else _wrap(r.clone())
    for v in (min, max):
        if v is not None and not _is_number(v):
            raise TypeError(f"clamp(): argument 'min' must be Number, not {type(v).__name__}")
    dt = _result_type(input, min, max)
    x = _as_dtype(input, dt)
    if dt is D.bool:  # +-inf would read as True
        min = False if min is None else min
        max = True if max is None else max
    if MODE.enabled and x._rg:
        return ClampScalar.apply(x, min, max)
    return _wrap(_C.clamp(x._t, -math.inf if min is None else min, math.inf if max is None else max))


clip = clamp


def clamp_min(input, min):  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input, max):  # noqa: A002
    return clamp(input, max=max)


def _inplace_via(fn):
    """self.op_(...) as x := fn(x, ...): the kernel's own in-place path is not needed for these."""
    def op_(self, *args, **kwargs):
        return _maybe_inplace(True, self, lambda x: fn(x, *args, **kwargs))
    return op_


clamp_ = _inplace_via(clamp)
clip_ = clamp_
clamp_min_ = _inplace_via(clamp_min)
clamp_max_ = _inplace_via(clamp_max)


# -- binary math ------------------------------------------------------------------------------------------
def _binary_args(op, input, other, scalar_ok=True):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(other, Tensor):
        return
    if not scalar_ok or not _is_number(other):
        raise TypeError(f"{op}(): argument 'other' (position 2) must be Tensor{'' if not scalar_ok else ' or Number'}"
                        f", not {type(other).__name__}")


class Pow(Function):
    """tensor ** tensor"""

    @staticmethod
    def forward(ctx, a, b):
        y = _wrap(_C.pow(a._t, b._t))
        ctx.save_for_backward(a, b, y)
        ctx.metas = (_meta(a), _meta(b))
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = _unbroadcast(where(b == 0, 0.0, g * (b * pow(a, b - 1))), ctx.metas[0])
        if ctx.needs_input_grad[1]:
            gb = _unbroadcast(g * where(logical_and(a == 0, b >= 0), 0.0, y * log(a)), ctx.metas[1])
        return ga, gb


class PowScalar(Function):
    """tensor ** number"""

    @staticmethod
    def forward(ctx, a, e):
        ctx.save_for_backward(a)
        ctx.e = e
        return _wrap(_C.pow_scalar(a._t, e, False))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        e = ctx.e
        if e == 0:
            return _zeros_like(a) if a.dtype == g.dtype else _zeros_like(g), None
        return _unbroadcast(g * (pow(a, e - 1) * e), _meta(a)), None


class RPow(Function):
    """number ** tensor"""

    @staticmethod
    def forward(ctx, b, base):
        y = _wrap(_C.pow_scalar(b._t, base, True))
        ctx.save_for_backward(b, y)
        ctx.base = base
        return y

    @staticmethod
    def backward(ctx, g):
        b, y = ctx.saved_tensors
        base = float(ctx.base)
        lg = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)
        if base == 0:
            return _unbroadcast(g * where(b >= 0, 0.0, y * lg), _meta(b)), None
        return _unbroadcast(g * (y * lg), _meta(b)), None


def pow(input, exponent):  # noqa: A001 - torch's name
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError(f"pow() received an invalid combination of arguments - got ({type(input).__name__}, "
                            f"{type(exponent).__name__})")
        if not _is_number(input):
            raise TypeError(f"pow(): argument 'self' must be Number, not {type(input).__name__}")
        if MODE.enabled and exponent._rg:
            return RPow.apply(exponent, input)
        return _wrap(_C.pow_scalar(exponent._t, input, True))
    if isinstance(exponent, Tensor):
        if MODE.enabled and (input._rg or exponent._rg):
            return Pow.apply(input, exponent)
        return _wrap(_C.pow(input._t, exponent._t))
    _binary_args("pow", input, exponent)
    if input._t.dtype == 0 and isinstance(exponent, bool):  # bool ** bool stays bool, as in torch
        return input.clone() if exponent else _wrap(_C.full(list(input._t.shape), True, 0, input._t.device))
    if MODE.enabled and input._rg:
        return PowScalar.apply(input, exponent)
    return _wrap(_C.pow_scalar(input._t, exponent, False))


def _rpow(self, other):
    if not _is_number(other):
        return NotImplemented
    return pow(other, self)


class _MinMax(Function):
    """maximum / minimum: where the operands tie each gets half the gradient (torch's rule)."""
    kernel = None
    is_max = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.metas = (_meta(a), _meta(b))
        return _wrap(ctx._forward_cls.kernel(a._t, b._t))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        half = where(a == b, g / 2, g)
        a_loses, b_loses = (a < b, a > b) if ctx._forward_cls.is_max else (a > b, a < b)
        ga = _unbroadcast(where(a_loses, 0.0, half), ctx.metas[0]) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(where(b_loses, 0.0, half), ctx.metas[1]) if ctx.needs_input_grad[1] else None
        return ga, gb


class _FMinMax(Function):
    """fmax / fmin: the NaN-ignoring variants; the selected operand takes the whole gradient."""
    kernel = None
    is_max = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.metas = (_meta(a), _meta(b))
        return _wrap(ctx._forward_cls.kernel(a._t, b._t))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_wins = logical_or(a >= b if ctx._forward_cls.is_max else a <= b, isnan(b))
        ga = _unbroadcast(where(a_wins, g, 0.0), ctx.metas[0]) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(where(a_wins, 0.0, g), ctx.metas[1]) if ctx.needs_input_grad[1] else None
        return ga, gb


Maximum = type("Maximum", (_MinMax,), {"kernel": staticmethod(_C.maximum), "is_max": True})
Minimum = type("Minimum", (_MinMax,), {"kernel": staticmethod(_C.minimum), "is_max": False})
Fmax = type("Fmax", (_FMinMax,), {"kernel": staticmethod(_C.fmax), "is_max": True})
Fmin = type("Fmin", (_FMinMax,), {"kernel": staticmethod(_C.fmin), "is_max": False})


def _tensor_binary(name, cls):
    c = getattr(_C, name)

    def fn(input, other):
        _binary_args(name, input, other, scalar_ok=False)
        if MODE.enabled and (input._rg or other._rg):
            return cls.apply(input, other)
        return _wrap(c(input._t, other._t))
    fn.__name__ = fn.__qualname__ = name
    return fn


maximum = _tensor_binary("maximum", Maximum)
minimum = _tensor_binary("minimum", Minimum)
fmax = _tensor_binary("fmax", Fmax)
fmin = _tensor_binary("fmin", Fmin)


class _DivLike(Function):
    """remainder / fmod: d/da = 1, d/db = -(a div b) rounded as the op rounds (floor / trunc)."""
    name = ""

    @staticmethod
    def forward(ctx, a, b, reverse):
        cls = ctx._forward_cls
        ctx.metas = (_meta(a), _meta(b))
        ctx.reverse = reverse
        ctx.save_for_backward(a if isinstance(a, Tensor) else None, b if isinstance(b, Tensor) else None)
        ctx.scalars = (None if isinstance(a, Tensor) else a, None if isinstance(b, Tensor) else b)
        if isinstance(b, Tensor):
            if isinstance(a, Tensor):
                return _wrap(getattr(_C, cls.name)(a._t, b._t))
            return _wrap(getattr(_C, cls.name + "_scalar")(b._t, a, True))
        return _wrap(getattr(_C, cls.name + "_scalar")(a._t, b, False))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.scalars
        a = a if a is not None else sa
        b = b if b is not None else sb
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = _unbroadcast(g, ctx.metas[0])
        if ctx.needs_input_grad[1]:
            if not isinstance(a, Tensor):  # number % tensor: torch has no derivative either
                raise RuntimeError(f"derivative for aten::{ctx._forward_cls.name} is not implemented")
            gb = _unbroadcast(neg(g) * div(a, b, rounding_mode=ctx._forward_cls.rounding), ctx.metas[1])
        return ga, gb, None


Remainder = type("Remainder", (_DivLike,), {"name": "remainder", "rounding": "floor"})
Fmod = type("Fmod", (_DivLike,), {"name": "fmod", "rounding": "trunc"})


class FloorDivide(Function):
    """floor_divide is recorded in the graph (its result requires grad) but, as in torch, has no
    derivative: backward through it raises."""

    @staticmethod
    def forward(ctx, a, b, reverse):
        if isinstance(b, Tensor):
            if isinstance(a, Tensor):
                return _wrap(_C.floor_divide(a._t, b._t))
            return _wrap(_C.floor_divide_scalar(b._t, a, True))
        return _wrap(_C.floor_divide_scalar(a._t, b, False))

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _divlike_op(name, cls, number_first=True):
    c, cs = getattr(_C, name), getattr(_C, name + "_scalar")

    def fn(input, other):
        if number_first and isinstance(other, Tensor) and _is_number(input):  # torch.remainder(2, t)
            return rfn(other, input)
        _binary_args(name, input, other)
        if isinstance(other, Tensor):
            if MODE.enabled and (input._rg or other._rg):
                return cls.apply(input, other, False)
            return _wrap(c(input._t, other._t))
        if MODE.enabled and input._rg:
            return cls.apply(input, other, False)
        return _wrap(cs(input._t, other, False))

    def rfn(self, other):
        """other <op> self, for a number other (__rmod__, __rfloordiv__)"""
        if not _is_number(other):
            return NotImplemented
        if MODE.enabled and self._rg:
            return cls.apply(other, self, True)
        return _wrap(cs(self._t, other, True))
    fn.__name__ = fn.__qualname__ = name
    return fn, rfn


remainder, _rremainder = _divlike_op("remainder", Remainder)
fmod, _rfmod = _divlike_op("fmod", Fmod, number_first=False)
floor_divide, _rfloor_divide = _divlike_op("floor_divide", FloorDivide)


class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.metas = (_meta(a), _meta(b))
        return _wrap(_C.atan2(a._t, b._t))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        r = g / (a * a + b * b)
        ga = _unbroadcast(r * b, ctx.metas[0]) if ctx.needs_input_grad[0] else None
        gb = _unbroadcast(r * neg(a), ctx.metas[1]) if ctx.needs_input_grad[1] else None
        return ga, gb


atan2 = _tensor_binary("atan2", Atan2)
arctan2 = atan2


def lerp(input, end, weight):
    """start + weight * (end - start), with torch's two-sided formula for accuracy near weight = 1."""
    _binary_args("lerp", input, end, scalar_ok=False)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{_torch_name(input.dtype)}'")
    if end.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {input.dtype.name.replace('float32', 'float').replace('float64', 'double')}"
                           f" for `end` but got dtype {end.dtype.name.replace('float32', 'float').replace('float64', 'double')}")
    diff = end - input
    if isinstance(weight, Tensor):
        small = abs(weight) < 0.5
        return where(small, input + weight * diff, end - diff * rsub(weight, 1))
    if builtins_abs(weight) < 0.5:
        return input + diff * weight
    return end - diff * (1 - weight)


import builtins as _builtins  # noqa: E402
builtins_abs = _builtins.abs


# -- comparison, logical, bitwise: no gradients -----------------------------------------------------------
def _nondiff_binary(name, commutative=False):
    c, cs = getattr(_C, name), getattr(_C, name + "_scalar")

    def fn(input, other):
        if isinstance(other, Tensor):
            if isinstance(input, Tensor):
                return _wrap(c(input._t, other._t))
            if commutative and _is_number(input):
                return _wrap(cs(other._t, input, True))
        elif isinstance(input, Tensor) and _is_number(other):
            return _wrap(cs(input._t, other, False))
        _binary_args(name, input, other)
    fn.__name__ = fn.__qualname__ = name
    return fn


eq = _nondiff_binary("eq")
ne = _nondiff_binary("ne")
lt = _nondiff_binary("lt")
le = _nondiff_binary("le")
gt = _nondiff_binary("gt")
ge = _nondiff_binary("ge")
greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne
logical_and = _nondiff_binary("logical_and")
logical_or = _nondiff_binary("logical_or")
logical_xor = _nondiff_binary("logical_xor")
bitwise_and = _nondiff_binary("bitwise_and", True)
bitwise_or = _nondiff_binary("bitwise_or", True)
bitwise_xor = _nondiff_binary("bitwise_xor", True)


def _nondiff_unary(name):
    c = getattr(_C, name)

    def fn(input):
        _check_input(name, input)
        return _wrap(c(input._t))
    fn.__name__ = fn.__qualname__ = name
    return fn


logical_not = _nondiff_unary("logical_not")
bitwise_not = _nondiff_unary("bitwise_not")
isnan = _nondiff_unary("isnan")
isinf = _nondiff_unary("isinf")
isfinite = _nondiff_unary("isfinite")


def _invert(self):
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


# -- where, masked_fill, nan_to_num -----------------------------------------------------------------------
class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        ctx.metas = (_meta(a), _meta(b))
        return _wrap(_C.where(cond._t, a._t, b._t))

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        ga = _unbroadcast(where(cond, g, 0.0), ctx.metas[0]) if ctx.needs_input_grad[1] else None
        gb = _unbroadcast(where(cond, 0.0, g), ctx.metas[1]) if ctx.needs_input_grad[2] else None
        return None, ga, gb


def where(condition, input=None, other=None):
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    a_t, b_t = isinstance(input, Tensor), isinstance(other, Tensor)
    if not (a_t and b_t):
        for v in (input, other):
            if not isinstance(v, Tensor) and not _is_number(v):
                raise TypeError(f"where(): argument 'input' must be Tensor or Number, not {type(v).__name__}")
        # numbers take part in type promotion as wrapped scalars, then become 0-d tensors of that dtype
        dt = _result_type(input, other)
        if not a_t:
            input = _scalar_tensor(input, dt)
        if not b_t:
            other = _scalar_tensor(other, dt)
    if MODE.enabled and (input._rg or other._rg):
        return Where.apply(condition, input, other)
    return _wrap(_C.where(condition._t, input._t, other._t))


def _tensor_where(self, condition, y):
    return where(condition, self, y)


def _fill_value(op, x, value):
    """value (number or 0-d tensor) as a 0-d tensor of x's dtype, differentiable if value is."""
    if isinstance(value, Tensor):
        if value._t.ndim != 0:
            raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._t.ndim} dimension(s).")
        return _as_dtype(value, x.dtype)
    if not _is_number(value):
        raise TypeError(f"{op}(): argument 'value' must be Number, not {type(value).__name__}")
    return _scalar_tensor(value, x.dtype)


def _check_mask(mask):
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): argument 'mask' (position 2) must be Tensor, not {type(mask).__name__}")
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_TYPE_NAMES[mask.dtype.name]}")


_C_TYPE_NAMES = {"uint8": "unsigned char", "int32": "int", "int64": "long int", "float32": "float",
                 "float64": "double", "bool": "bool"}


def masked_fill(input, mask, value):
    _check_input("masked_fill", input)
    _check_mask(mask)
    v = _fill_value("masked_fill_", input, value)
    return where(mask, v, input)


def masked_fill_(self, mask, value):
    _check_mask(mask)
    v = _fill_value("masked_fill_", self, value)
    if MODE.enabled and (self._rg or v._rg or (self._meta is not None and self._meta.base is not None
                                                and self._meta.base._rg)):
        return _inplace_op(self, lambda x: where(mask, v, x))
    r = _C.where(mask._t, v._t, self._t)
    if tuple(r.shape) != tuple(self._t.shape):
        raise RuntimeError(f"output with shape {list(self._t.shape)} doesn't match the broadcast shape "
                           f"{list(r.shape)}")
    _C.copy_(self._t, r)
    self._t.bump_version()
    return self


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    _check_input("nan_to_num", input)
    if not input.dtype.is_floating_point:
        return input.clone()
    info_max = 3.4028234663852886e38 if input.dtype is D.float32 else 1.7976931348623157e308
    posinf = info_max if posinf is None else posinf
    neginf = -info_max if neginf is None else neginf
    r = where(isnan(input), nan, input)
    r = where(input == math.inf, posinf, r)
    return where(input == -math.inf, neginf, r)


nan_to_num_ = _inplace_via(nan_to_num)


# -- fill_ / zero_ ----------------------------------------------------------------------------------------
class Fill(Function):
    """x := value: no gradient to the old x (zeros, as torch), the whole of it to a tensor value."""

    @staticmethod
    def forward(ctx, x, value):
        ctx.value_meta = _meta(value)
        v = value._t.item() if isinstance(value, Tensor) else value
        return _wrap(_C.full(list(x._t.shape), v, x._t.dtype, x._t.device))

    @staticmethod
    def backward(ctx, g):
        gv = None
        if ctx.needs_input_grad[1]:
            gv = _unbroadcast(g, ctx.value_meta)
        return _zeros_like(g), gv


def fill_(self, value):
    if isinstance(value, Tensor):
        if value._t.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._t.ndim} dimensions.")
    elif not _is_number(value):
        raise TypeError(f"fill_(): argument 'value' (position 1) must be Number, not {type(value).__name__}")
    grad_value = isinstance(value, Tensor) and value._rg
    if MODE.enabled and (self._rg or grad_value or (self._meta is not None and self._meta.base is not None
                                                     and self._meta.base._rg)):
        return _inplace_op(self, lambda x: Fill.apply(x, _as_dtype(value, x.dtype) if grad_value else value))
    from .inplace import check_inplace
    if MODE.enabled:
        check_inplace(self)
    _C.fill_(self._t, value._t.item() if isinstance(value, Tensor) else value)
    self._t.bump_version()
    return self


def zero_(self):
    return fill_(self, 0)


def fill(input, value):
    return fill_(input.clone(), value)


# -- in-place forms ---------------------------------------------------------------------------------------
log_ = _inplace_unary("log", log)
log1p_ = _inplace_unary("log1p", log1p)
expm1_ = _inplace_unary("expm1", expm1)
log2_ = _inplace_unary("log2", log2)
log10_ = _inplace_unary("log10", log10)
sqrt_ = _inplace_unary("sqrt", sqrt)
rsqrt_ = _inplace_unary("rsqrt", rsqrt)
reciprocal_ = _inplace_unary("reciprocal", reciprocal)
sin_ = _inplace_unary("sin", sin)
cos_ = _inplace_unary("cos", cos)
tan_ = _inplace_unary("tan", tan)
tanh_ = _inplace_unary("tanh", tanh)
erf_ = _inplace_unary("erf", erf)
sigmoid_ = _inplace_unary("sigmoid", sigmoid)
abs_ = _inplace_unary("abs", abs)
sign_ = _inplace_unary("sign", sign)
floor_ = _inplace_unary("floor", floor)
ceil_ = _inplace_unary("ceil", ceil)
trunc_ = _inplace_unary("trunc", trunc)
relu_ = _inplace_unary("relu", relu)
logical_not_ = _inplace_unary("logical_not", logical_not)
bitwise_not_ = _inplace_unary("bitwise_not", bitwise_not)
round_ = _inplace_via(round)
square_ = _inplace_via(square)
selu_ = _inplace_via(selu)
celu_ = _inplace_via(celu)
pow_ = _inplace_binary("pow", pow)
remainder_ = _inplace_binary("remainder", remainder)
fmod_ = _inplace_binary("fmod", fmod)
floor_divide_ = _inplace_binary("floor_divide", floor_divide)
atan2_ = _inplace_via(atan2)
lerp_ = _inplace_via(lerp)
eq_ = _inplace_binary("eq", eq)
ne_ = _inplace_binary("ne", ne)
lt_ = _inplace_binary("lt", lt)
le_ = _inplace_binary("le", le)
gt_ = _inplace_binary("gt", gt)
ge_ = _inplace_binary("ge", ge)
logical_and_ = _inplace_binary("logical_and", logical_and)
logical_or_ = _inplace_binary("logical_or", logical_or)
logical_xor_ = _inplace_binary("logical_xor", logical_xor)
bitwise_and_ = _inplace_binary("bitwise_and", bitwise_and)
bitwise_or_ = _inplace_binary("bitwise_or", bitwise_or)
bitwise_xor_ = _inplace_binary("bitwise_xor", bitwise_xor)


def _cmp_op(fn):
    """Comparison operators: a Tensor for tensors and numbers, NotImplemented otherwise (so that
    `t == None` is False, as in torch)."""
    def op(self, other):
        if not isinstance(other, Tensor) and not _is_number(other):
            return NotImplemented
        return fn(self, other)
    return op


def _r_commutative(fn):
    def op(self, other):
        if not isinstance(other, Tensor) and not _is_number(other):
            return NotImplemented
        return fn(self, other)
    return op


_register_methods({
    "log": log, "log1p": log1p, "expm1": expm1, "log2": log2, "log10": log10, "sqrt": sqrt, "rsqrt": rsqrt,
    "reciprocal": reciprocal, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh, "erf": erf, "sigmoid": sigmoid,
    "abs": abs, "absolute": abs, "sign": sign, "floor": floor, "ceil": ceil, "round": round, "trunc": trunc,
    "fix": trunc, "square": square, "relu": relu,
    "log_": log_, "log1p_": log1p_, "expm1_": expm1_, "log2_": log2_, "log10_": log10_, "sqrt_": sqrt_,
    "rsqrt_": rsqrt_, "reciprocal_": reciprocal_, "sin_": sin_, "cos_": cos_, "tan_": tan_, "tanh_": tanh_,
    "erf_": erf_, "sigmoid_": sigmoid_, "abs_": abs_, "absolute_": abs_, "sign_": sign_, "floor_": floor_,
    "ceil_": ceil_, "round_": round_, "trunc_": trunc_, "fix_": trunc_, "square_": square_, "relu_": relu_,
    "clamp": clamp, "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "clamp_": clamp_,
    "clip_": clamp_, "clamp_min_": clamp_min_, "clamp_max_": clamp_max_,
    "pow": pow, "pow_": pow_, "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin,
    "remainder": remainder, "remainder_": remainder_, "fmod": fmod, "fmod_": fmod_,
    "floor_divide": floor_divide, "floor_divide_": floor_divide_, "atan2": atan2, "atan2_": atan2_,
    "arctan2": atan2, "arctan2_": atan2_, "lerp": lerp, "lerp_": lerp_,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "less": lt, "greater_equal": ge,
    "less_equal": le, "not_equal": ne, "eq_": eq_, "ne_": ne_, "lt_": lt_, "le_": le_, "gt_": gt_, "ge_": ge_,
    "greater_": gt_, "less_": lt_, "greater_equal_": ge_, "less_equal_": le_, "not_equal_": ne_,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor, "logical_not": logical_not,
    "logical_and_": logical_and_, "logical_or_": logical_or_, "logical_xor_": logical_xor_,
    "logical_not_": logical_not_, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not, "bitwise_and_": bitwise_and_,
    "bitwise_or_": bitwise_or_, "bitwise_xor_": bitwise_xor_, "bitwise_not_": bitwise_not_,
    "where": _tensor_where, "masked_fill": masked_fill, "masked_fill_": masked_fill_,
    "isnan": isnan, "isinf": isinf, "isfinite": isfinite, "nan_to_num": nan_to_num, "nan_to_num_": nan_to_num_,
    "fill_": fill_, "zero_": zero_,
    "__pow__": _fwd(pow), "__rpow__": _rpow, "__ipow__": pow_,
    "__mod__": _fwd(remainder), "__rmod__": _rremainder, "__imod__": remainder_,
    "__floordiv__": _fwd(floor_divide), "__rfloordiv__": _rfloor_divide, "__ifloordiv__": floor_divide_,
    "__eq__": _cmp_op(eq), "__ne__": _cmp_op(ne), "__lt__": _cmp_op(lt), "__le__": _cmp_op(le),
    "__gt__": _cmp_op(gt), "__ge__": _cmp_op(ge),
    "__and__": _fwd(bitwise_and), "__rand__": _r_commutative(bitwise_and), "__iand__": bitwise_and_,
    "__or__": _fwd(bitwise_or), "__ror__": _r_commutative(bitwise_or), "__ior__": bitwise_or_,
    "__xor__": _fwd(bitwise_xor), "__rxor__": _r_commutative(bitwise_xor), "__ixor__": bitwise_xor_,
    "__invert__": _invert, "__abs__": abs,
})


# -- operator fast paths ----------------------------------------------------------------------------------
# `a + b` is the hottest call in any script. The generic path (operator wrapper -> add() -> argument checks
# -> getattr(_C, name)) costs about a microsecond more than the kernel call itself, so the arithmetic
# operators get direct versions: one isinstance, the grad-mode test, the _C call bound at import time.
_PY_NUMBERS = (int, float, bool)


def _fast_operator(c_tensor, c_scalar, slow):
    def op(self, other):
        if isinstance(other, Tensor):
            if MODE.enabled and (self._rg or other._rg):
                return slow(self, other)
            return _wrap(c_tensor(self._t, other._t))
        if type(other) in _PY_NUMBERS:
            if MODE.enabled and self._rg:
                return slow(self, other)
            return _wrap(c_scalar(self._t, other, False))
        if not _is_number(other):
            return NotImplemented
        return slow(self, other)
    return op


_register_methods({
    "__add__": _fast_operator(_C.add, _C.add_scalar, add),
    "__radd__": _fast_operator(_C.add, _C.add_scalar, add),
    "__sub__": _fast_operator(_C.sub, _C.sub_scalar, sub),
    "__mul__": _fast_operator(_C.mul, _C.mul_scalar, mul),
    "__rmul__": _fast_operator(_C.mul, _C.mul_scalar, mul),
    "__truediv__": _fast_operator(_C.div, _C.div_scalar, div),
})
