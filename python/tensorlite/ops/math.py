"""More elementwise math: inverse/hyperbolic trig, special functions (erfc, erfinv, lgamma, digamma),
sign tests, and the binary ops copysign, xlogy, hypot, logaddexp(2) -- table lines in
csrc/ops/elementwise.def with Functions here -- plus composites built from differentiable ops
(sgn, deg2rad, logit, sinc, float_power, heaviside, addcmul/addcdiv, isclose/allclose/equal)."""
from __future__ import annotations

import math

from .. import _C
from .. import _dtype as D
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _register_methods
from . import elementwise as E
from . import out as O
from .elementwise import (_unary_cls, _unary_op, _inplace_unary, _inplace_via, _unbroadcast, _meta,
                          _binary_args, exp, log, sin, where, neg, rsub, pow, abs)

__all__ = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan",
           "arcsinh", "arccosh", "arctanh", "exp2", "erfc", "erfinv", "lgamma", "digamma", "frac", "signbit",
           "isposinf", "isneginf", "sgn", "positive", "deg2rad", "rad2deg", "logit", "sinc", "copysign", "xlogy",
           "hypot", "logaddexp", "logaddexp2", "float_power", "heaviside", "addcmul", "addcdiv", "isclose",
           "allclose", "equal", "isreal", "asin_", "acos_", "atan_", "sinh_", "cosh_", "asinh_", "acosh_",
           "atanh_", "exp2_", "erfc_", "erfinv_", "lgamma_", "digamma_", "frac_"]

_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)

Asin = _unary_cls("Asin", "asin", "x", lambda g, x, *p: g * E.rsqrt(rsub(x * x, 1)))
Acos = _unary_cls("Acos", "acos", "x", lambda g, x, *p: neg(g) * E.rsqrt(rsub(x * x, 1)))
Atan = _unary_cls("Atan", "atan", "x", lambda g, x, *p: g / (x * x + 1))
Sinh = _unary_cls("Sinh", "sinh", "x", lambda g, x, *p: g * cosh(x))
Cosh = _unary_cls("Cosh", "cosh", "x", lambda g, x, *p: g * sinh(x))
Asinh = _unary_cls("Asinh", "asinh", "x", lambda g, x, *p: g * E.rsqrt(x * x + 1))
Acosh = _unary_cls("Acosh", "acosh", "x", lambda g, x, *p: g * E.rsqrt(x * x - 1))
Atanh = _unary_cls("Atanh", "atanh", "x", lambda g, x, *p: g / rsub(x * x, 1))
Exp2 = _unary_cls("Exp2", "exp2", "y", lambda g, y, *p: g * (y * _LN2))
Erfc = _unary_cls("Erfc", "erfc", "x", lambda g, x, *p: g * (exp(neg(x * x)) * -_TWO_OVER_SQRT_PI))
Erfinv = _unary_cls("Erfinv", "erfinv", "y", lambda g, y, *p: g * (exp(y * y) * _SQRT_PI_OVER_2))
Lgamma = _unary_cls("Lgamma", "lgamma", "x", lambda g, x, *p: g * digamma(x))
Trigamma = _unary_cls("Trigamma", "trigamma", "x", lambda g, x, *p: _no_grad("polygamma(2)"))
Digamma = _unary_cls("Digamma", "digamma", "x", lambda g, x, *p: g * _trigamma(x))
Frac = _unary_cls("Frac", "frac", "", lambda g, *p: g)


def _no_grad(what):
    raise RuntimeError(f"tensorlite: the derivative of {what} is not implemented")


asin = _unary_op("asin", Asin)
acos = _unary_op("acos", Acos)
atan = _unary_op("atan", Atan)
sinh = _unary_op("sinh", Sinh)
cosh = _unary_op("cosh", Cosh)
asinh = _unary_op("asinh", Asinh)
acosh = _unary_op("acosh", Acosh)
atanh = _unary_op("atanh", Atanh)
exp2 = _unary_op("exp2", Exp2)
erfc = _unary_op("erfc", Erfc)
erfinv = _unary_op("erfinv", Erfinv)
lgamma = _unary_op("lgamma", Lgamma)
digamma = _unary_op("digamma", Digamma)
_trigamma = _unary_op("trigamma", Trigamma)
frac = _unary_op("frac", Frac)
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def _bool_unary(name):
    c = getattr(_C, name)

    def fn(input):
        E._check_input(name, input)
        return _wrap(c(input._t))
    fn.__name__ = fn.__qualname__ = name
    return fn


signbit = _bool_unary("signbit")
isposinf = _bool_unary("isposinf")
isneginf = _bool_unary("isneginf")


def isreal(input):
    E._check_input("isreal", input)
    return E._wrap(_C.full(list(input._t.shape), True, D.bool._id, input._t.device))


def sgn(input):
    return E.sign(input)  # real tensors: sgn is sign


def positive(input):
    if input.dtype is D.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _to_float(x):
    return x if x.dtype.is_floating_point else x.to(D.get_default_dtype())


def deg2rad(input):
    E._check_input("deg2rad", input)
    return _to_float(input) * (math.pi / 180.0)


def rad2deg(input):
    E._check_input("rad2deg", input)
    return _to_float(input) * (180.0 / math.pi)


def logit(input, eps=None):
    E._check_input("logit", input)
    x = _to_float(input)
    if eps is not None:
        x = E.clamp(x, eps, 1.0 - eps)
    return log(x / rsub(x, 1))


def sinc(input):
    E._check_input("sinc", input)
    x = _to_float(input)
    zero = x == 0
    px = where(zero, 1.0, x) * math.pi  # a safe operand: no 0/0 in the branch where() discards
    return where(zero, 1.0, sin(px) / px)


def float_power(input, exponent):
    """pow computed in float64 (the result is always double)."""
    base = input.double() if isinstance(input, Tensor) else float(input)
    exp_ = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(base, exp_)


def float_power_(self, exponent):
    if self.dtype is not D.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {E._torch_name(self.dtype)} but the "
                           f"operation's result requires dtype Double")
    return _inplace_via(float_power)(self, exponent)


def heaviside(input, values):
    _binary_args("heaviside", input, values, scalar_ok=False)
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    dt = input.dtype
    step = (input > 0).to(dt)
    return where(input == 0, values, step)


# -- binary ops from the table ------------------------------------------------------------------------------
class _Binary(E.Function):
    name = ""

    @staticmethod
    def forward(ctx, a, b):
        cls = ctx._forward_cls
        y = _wrap(getattr(_C, cls.name)(a._t, b._t))
        ctx.save_for_backward(a, b, y)
        ctx.metas = (_meta(a), _meta(b))
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        ga, gb = ctx._forward_cls.grads(g, a, b, y, ctx.needs_input_grad)
        return (_unbroadcast(ga, ctx.metas[0]) if ga is not None else None,
                _unbroadcast(gb, ctx.metas[1]) if gb is not None else None)


def _copysign_grads(g, a, b, y, need):
    ga = where(a == 0, 0.0, g * (y / where(a == 0, 1.0, a))) if need[0] else None
    gb = E._zeros_like(g) if need[1] else None
    return ga, gb


def _xlogy_grads(g, a, b, y, need):
    ga = g * xlogy((a != 0), b) if need[0] else None
    gb = g * a / b if need[1] else None
    return ga, gb


def _hypot_grads(g, a, b, y, need):
    return (g * a / y if need[0] else None), (g * b / y if need[1] else None)


def _logaddexp_grads(g, a, b, y, need):
    return (g / (exp(b - a) + 1) if need[0] else None), (g / (exp(a - b) + 1) if need[1] else None)


def _logaddexp2_grads(g, a, b, y, need):
    return (g / (E.pow(2.0, b - a) + 1) if need[0] else None), (g / (E.pow(2.0, a - b) + 1) if need[1] else None)


def _binary_op(name, grads):
    cls = type(name.capitalize(), (_Binary,), {"name": name, "grads": staticmethod(grads)})
    c = getattr(_C, name)
    cs = getattr(_C, name + "_scalar")

    def fn(input, other, *, out=None):
        if out is not None:
            return O.into(name, out, lambda: fn(input, other), input, other)
        if not isinstance(input, Tensor) and isinstance(other, Tensor) and E._is_number(input):
            input = _wrap(_C.full([], input, _C.result_type_scalar(other._t, input)))
        _binary_args(name, input, other)
        if not isinstance(other, Tensor):
            if MODE.enabled and input._rg:
                other = _wrap(_C.full([], other, _C.result_type_scalar(input._t, other)))
            else:
                return _wrap(cs(input._t, other, False))
        if MODE.enabled and (input._rg or other._rg):
            return cls.apply(input, other)
        return _wrap(c(input._t, other._t))
    fn.__name__ = fn.__qualname__ = name
    return fn


copysign = _binary_op("copysign", _copysign_grads)
xlogy = _binary_op("xlogy", _xlogy_grads)
hypot = _binary_op("hypot", _hypot_grads)
logaddexp = _binary_op("logaddexp", _logaddexp_grads)
logaddexp2 = _binary_op("logaddexp2", _logaddexp2_grads)


# -- fused arithmetic, closeness ----------------------------------------------------------------------------
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    if out is not None:
        return O.into("addcmul", out, lambda: addcmul(input, tensor1, tensor2, value=value), input, tensor1, tensor2)
    r = tensor1 * tensor2
    return input + (r * value if value != 1 else r)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    if out is not None:
        return O.into("addcdiv", out, lambda: addcdiv(input, tensor1, tensor2, value=value), input, tensor1, tensor2)
    if not tensor1.dtype.is_floating_point and not tensor2.dtype.is_floating_point:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to("
                           "input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float "
                           "inputs. The future addcdiv behavior is just the latter implementation: (input + value "
                           "* tensor1 / tensor2), for all dtypes.")
    r = tensor1 / tensor2
    return input + (r * value if value != 1 else r)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _binary_args("isclose", input, other, scalar_ok=False)
    if input.dtype != other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if input.dtype is D.bool or not input.dtype.is_floating_point and rtol == 0 and atol == 0:
        return E.eq(input, other)
    a, b = input.detach(), other.detach()
    close = E.eq(a, b)
    if equal_nan:
        close = close | (E.isnan(a) & E.isnan(b))
    fa, fb = (a, b) if a.dtype.is_floating_point else (a.double(), b.double())
    diff = abs(fa - fb)
    finite = E.isfinite(diff)
    tol = abs(fb) * rtol + atol
    return close | (finite & (diff <= tol))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    _binary_args("equal", input, other, scalar_ok=False)
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool(E.eq(input.detach(), other.detach()).all())


asin_ = _inplace_unary("asin", asin)
acos_ = _inplace_unary("acos", acos)
atan_ = _inplace_unary("atan", atan)
sinh_ = _inplace_unary("sinh", sinh)
cosh_ = _inplace_unary("cosh", cosh)
asinh_ = _inplace_unary("asinh", asinh)
acosh_ = _inplace_unary("acosh", acosh)
atanh_ = _inplace_unary("atanh", atanh)
exp2_ = _inplace_unary("exp2", exp2)
erfc_ = _inplace_unary("erfc", erfc)
erfinv_ = _inplace_unary("erfinv", erfinv)
lgamma_ = _inplace_unary("lgamma", lgamma)
digamma_ = _inplace_unary("digamma", digamma)
frac_ = _inplace_unary("frac", frac)
copysign_ = _inplace_via(copysign)
xlogy_ = _inplace_via(xlogy)
hypot_ = _inplace_via(hypot)
logit_ = _inplace_via(logit)
sgn_ = _inplace_via(sgn)
deg2rad_ = _inplace_via(deg2rad)
rad2deg_ = _inplace_via(rad2deg)
addcmul_ = _inplace_via(addcmul)
addcdiv_ = _inplace_via(addcdiv)

_methods = {}
for _n in ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2", "erfc", "erfinv", "lgamma",
           "digamma", "frac"]:
    _methods[_n] = globals()[_n]
    _methods[_n + "_"] = globals()[_n + "_"]
for _a, _n in [("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("arcsinh", "asinh"),
               ("arccosh", "acosh"), ("arctanh", "atanh")]:
    _methods[_a] = globals()[_n]
    _methods[_a + "_"] = globals()[_n + "_"]
for _n in ["signbit", "isposinf", "isneginf", "isreal", "sgn", "positive", "deg2rad", "rad2deg", "logit", "sinc",
           "copysign", "xlogy", "hypot", "logaddexp", "logaddexp2", "float_power", "heaviside", "addcmul",
           "addcdiv", "isclose", "allclose", "equal", "copysign_", "xlogy_", "hypot_", "logit_", "sgn_", "deg2rad_",
           "rad2deg_", "float_power_", "addcmul_", "addcdiv_"]:
    _methods[_n] = globals()[_n]
_register_methods(_methods)
