"""Elementwise ops: the Python side of csrc/ops/elementwise.def. Each op has a fast path (no graph
needed: straight to the kernel) and an autograd Function whose backward uses differentiable ops."""
from __future__ import annotations

import numbers

from .. import _C
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _register_methods
from .inplace import _inplace_op

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative", "rsub",
           "exp"]


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


def add(input, other, *, alpha=1, out=None):
    if not isinstance(input, Tensor):
        input, other = other, input
    _check_other("add", other)
    if _grad_needed(input, other):
        return Add.apply(input, other, alpha)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _run_binary("add", input, other)


def sub(input, other, *, alpha=1, out=None):
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
    if not isinstance(input, Tensor):
        input, other = other, input
    _check_other("mul", other)
    if _grad_needed(input, other):
        return Mul.apply(input, other)
    return _run_binary("mul", input, other)


def div(input, other, *, rounding_mode=None, out=None):
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
