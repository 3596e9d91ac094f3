"""Matrix products: matmul (torch's full semantics), mm, bmm, mv, dot, outer, addmm, baddbmm, linear, einsum.

Every kernel-backed op is one autograd Function whose forward is a single `_C` call (csrc/ops/matmul.cpp:
transposed and broadcast operands are strides there, never copies) and whose backward is written with
matmul of transposed *views*, so it is itself differentiable (double backward) and copies nothing.
Gradients of broadcast batch dims are summed with a matmul against a ones vector (`_sum_to`), which keeps
this family independent of the reductions and deterministic.

out= follows torch (ops/out.py): the GEMM writes straight into `out` when it already has the result's
shape, dtype and device and shares no memory with an operand; otherwise the product goes through a
temporary that is copied (and `out` resized) afterwards. Each op raises torch's own dtype message.
"""
from __future__ import annotations

import numbers

from .. import _C
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _register_methods
from .views import transpose, reshape, permute, unsqueeze, squeeze, expand, as_strided
from . import out as O

# `linear` is not in torch's top-level namespace: nn.functional re-exports it from here.
__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "baddbmm", "addmv",
           "einsum", "chain_matmul"]


# -- helpers ------------------------------------------------------------------------------------------------
def _check_tensor(op, name, pos, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _mT(x):
    return transpose(x, -1, -2)


def _ones(n, like):
    return _wrap(_C.full([n], 1, like._t.dtype, like._t.device))


def _sum_to(g, shape):
    """g summed down to `shape` (broadcasting's inverse), as a matmul with ones: differentiable, no copies
    beyond what a permute/reshape needs, and deterministic."""
    shape = tuple(shape)
    gs = tuple(g.shape)
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(shape) if s == 1 and gs[lead + i] != 1]
    if not dims:
        return reshape(g, shape)
    keep = [d for d in range(len(gs)) if d not in dims]
    r = 1
    for d in dims:
        r *= gs[d]
    x = permute(g, keep + dims)
    x = reshape(x, [gs[d] for d in keep] + [r])
    return reshape(matmul(x, _ones(r, g)), shape)


def _grad_needed(*xs):
    return MODE.enabled and any(isinstance(x, Tensor) and x._rg for x in xs)


def _matmul_backward(ctx, g, a, b):
    """Gradients of a @ b (torch.matmul semantics) for any operand ranks: matmul against transposed views."""
    da, db = a.dim(), b.dim()
    need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
    ga = gb = None
    if da == 1 and db == 1:
        return (g * b if need_a else None), (g * a if need_b else None)
    if da == 2 and db == 1:  # mv: g (M,)
        if need_a:
            ga = matmul(unsqueeze(g, 1), unsqueeze(b, 0))
        if need_b:
            gb = matmul(_mT(a), g)
        return ga, gb
    if da == 1 and db == 2:  # vector @ matrix: g (N,)
        if need_a:
            ga = matmul(b, g)
        if need_b:
            gb = matmul(unsqueeze(a, 1), unsqueeze(g, 0))
        return ga, gb
    a1 = unsqueeze(a, 0) if da == 1 else a
    b1 = unsqueeze(b, 1) if db == 1 else b
    g1 = g
    if da == 1:
        g1 = unsqueeze(g1, -2 if db != 1 else -1)
    if db == 1:
        g1 = unsqueeze(g1, -1)
    if need_a:
        if b1.dim() == 2 and a1.dim() > 2:
            ga = matmul(g1, _mT(b1))  # (..., M, N) @ (N, K): the batch folds into M, nothing to sum
        else:
            ga = _sum_to(matmul(g1, _mT(b1)), a1.shape)
        if da == 1:
            ga = squeeze(ga, 0)
    if need_b:
        if b1.dim() == 2 and a1.dim() > 2:
            # sum over the batch folded into the contraction: (K, B*M) @ (B*M, N)
            k, n = b1.shape
            gb = matmul(_mT(reshape(a1, (-1, k))), reshape(g1, (-1, n)))
        else:
            gb = _sum_to(matmul(_mT(a1), g1), b1.shape)
        if db == 1:
            gb = squeeze(gb, -1)
    return ga, gb


# -- autograd Functions ------------------------------------------------------------------------------------
class _Product(Function):
    """a @ b through one of the `_C` products (named by the subclass); backward as torch.matmul."""
    kernel = "matmul"

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return _wrap(getattr(_C, cls.kernel)(a._t, b._t))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _matmul_backward(ctx, g, a, b)


class Matmul(_Product):
    kernel = "matmul"


class Mm(_Product):
    kernel = "mm"


class Bmm(_Product):
    kernel = "bmm"


class Mv(_Product):
    kernel = "mv"


class Dot(_Product):
    kernel = "dot"


class _AddProduct(Function):
    """beta * input + alpha * (m1 @ m2), one GEMM call (addmm, baddbmm)."""
    kernel = None

    @classmethod
    def forward(cls, ctx, input, m1, m2, beta, alpha):
        ctx.save_for_backward(m1, m2)
        ctx.beta, ctx.alpha, ctx.in_shape = beta, alpha, input._t.shape
        return _wrap(getattr(_C, cls.kernel)(input._t, m1._t, m2._t, beta, alpha))

    @staticmethod
    def backward(ctx, g):
        m1, m2 = ctx.saved_tensors
        gi = g1 = g2 = None
        if ctx.needs_input_grad[0]:
            gi = _sum_to(g if ctx.beta == 1 else g * ctx.beta, ctx.in_shape)
        ga = g if ctx.alpha == 1 else g * ctx.alpha
        if ctx.needs_input_grad[1]:
            g1 = matmul(ga, _mT(m2))
        if ctx.needs_input_grad[2]:
            g2 = matmul(_mT(m1), ga)
        return gi, g1, g2, None, None


class Addmm(_AddProduct):
    kernel = "addmm"


class Baddbmm(_AddProduct):
    kernel = "baddbmm"


class Linear(Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.b_shape = b._t.shape if b is not None else None
        return _wrap(_C.linear(x._t, w._t, b._t if b is not None else None))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if not MODE.enabled and x._t.ndim == 2 and g._t.ndim == 2:
            # the usual MLP case, no graph of the gradient wanted: three kernel calls and no Python-level
            # view/reshape bookkeeping (which cost more than the GEMMs of a small layer)
            gt = g._t
            (n, o), (sn, so) = gt.shape, gt.strides
            gx = _wrap(_C.matmul(gt, w._t)) if need[0] else None
            gw = _wrap(_C.matmul(gt.as_strided([o, n], [so, sn], gt.offset), x._t)) if need[1] else None
            if need[2]:
                gb = _wrap(_C.sum(gt, [0], False, None)) if len(ctx.b_shape) == 1 and ctx.b_shape[0] == o \
                    else _sum_to(g, ctx.b_shape)  # a bias that broadcasts, e.g. shape (1,) or ()
            else:
                gb = None
            return gx, gw, gb
        gx = gw = gb = None
        out_f, in_f = w.shape
        if ctx.needs_input_grad[0]:
            gx = matmul(g, w)  # (..., out) @ (out, in)
        g2 = reshape(g, (-1, out_f))
        if ctx.needs_input_grad[1]:
            gw = matmul(_mT(g2), reshape(x, (-1, in_f)))  # (out, P) @ (P, in)
        if ctx.needs_input_grad[2]:
            gb = _sum_to(g, ctx.b_shape)
        return gx, gw, gb


# -- dispatch -----------------------------------------------------------------------------------------------
def _product(fn_cls, op, a, b, names=("input", "other")):
    _check_tensor(op, names[0], 1, a)
    _check_tensor(op, names[1], 2, b)
    if MODE.enabled and (a._rg or b._rg):
        return fn_cls.apply(a, b)
    return _wrap(getattr(_C, fn_cls.kernel)(a._t, b._t))


# -- out= ------------------------------------------------------------------------------------------------
# torch's dtype message differs by the kernel that ends up writing `out`; r is the computed result.
def _gemm_dtype(out, r, *inputs):
    if out.dtype != r.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {O.CPP_NAME[r.dtype.name]}, but got "
                           f"{O.CPP_NAME[out.dtype.name]} instead")


def _addmv_dtype(out, r, mat, vec):  # mv_out is addmv_out(out, out, mat, vec): out is checked as an input
    if out.dtype != r.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {O.TORCH_NAME[out.dtype.name]}, "
                           f"{O.TORCH_NAME[mat.dtype.name]}, and {O.TORCH_NAME[vec.dtype.name]}")


def _dot_dtype(out, r, x, y):
    if out.dtype != r.dtype:
        raise RuntimeError(f"result dtype {O.TORCH_NAME[out.dtype.name]} does not match input dtype "
                           f"{O.TORCH_NAME[x.dtype.name]}")


def _tensordot_dtype(out, r, *inputs):
    if out.dtype != r.dtype:
        raise RuntimeError(f"tensordot: Expected the output tensor to have dtype {O.TORCH_NAME[r.dtype.name]}, "
                           f"but got an output tensor with dtype {O.TORCH_NAME[out.dtype.name]}")


def _mul_dtype(out, r, *inputs):  # TensorIterator: any result dtype that casts safely is accepted
    if not _C.can_cast(r._t.dtype, out._t.dtype):
        raise RuntimeError(f"result type {O.TORCH_NAME[r.dtype.name]} can't be cast to the desired output type "
                           f"{O.TORCH_NAME[out.dtype.name]}")


def _write_out(out, r, check_dtype, *inputs):
    check_dtype(out, r, *inputs)
    O.check_device(out, r._t.device)
    if r.dtype != out.dtype:
        r = r.to(out.dtype)
    return O.write(out, r)


def _direct(out, shape, *inputs):
    """True when the kernel can take `out` as its output (see ops/out.py)."""
    a = inputs[0]
    return O.can_write_direct(out, shape, a._t.dtype, a._t.device, *inputs)


def _product_out(op, kernel, a, b, out, names, check_dtype, out_shape):
    """a @ b into `out` through `_C.<kernel>`: straight into `out` when possible, else via a temporary."""
    _check_tensor(op, names[0], 1, a)
    _check_tensor(op, names[1], 2, b)
    O.check_tensor(op, out)
    O.check_no_grad(op, out, a, b)
    shape = out_shape(a, b)
    fn = getattr(_C, kernel)
    if shape is not None and _direct(out, shape, a, b):
        fn(a._t, b._t, out=out._t)
        return O.finish_direct(out)
    return _write_out(out, _wrap(fn(a._t, b._t)), check_dtype, a, b)


def _mm_shape(a, b):
    return (a.shape[0], b.shape[1]) if a.dim() == 2 and b.dim() == 2 else None


def _bmm_shape(a, b):
    return (a.shape[0], a.shape[1], b.shape[2]) if a.dim() == 3 and b.dim() == 3 else None


def _mv_shape(a, x):
    return (a.shape[0],) if a.dim() == 2 and x.dim() == 1 else None


def _dot_shape(x, y):
    return () if x.dim() == 1 and y.dim() == 1 else None


def _matmul_out(input, other, out):
    _check_tensor("matmul", "input", 1, input)
    _check_tensor("matmul", "other", 2, other)
    O.check_tensor("matmul", out)
    O.check_no_grad("matmul", out, input, other)
    da, db = input.dim(), other.dim()
    # torch's matmul_out hands each rank pair to dot_out / mv_out / mm_out / bmm-style kernels, whose
    # messages it keeps; the same rank pairs reach the same direct paths here.
    if da == 1 and db == 1:
        return _product_out("matmul", "dot", input, other, out, ("input", "other"), _dot_dtype, _dot_shape)
    if da == 2 and db == 1:
        return _product_out("matmul", "mv", input, other, out, ("input", "other"), _addmv_dtype, _mv_shape)
    if da == 2 and db == 2:
        return _product_out("matmul", "mm", input, other, out, ("input", "other"), _gemm_dtype, _mm_shape)
    if da == 3 and db == 3 and input.shape[0] == other.shape[0]:
        return _product_out("matmul", "bmm", input, other, out, ("input", "other"), _gemm_dtype, _bmm_shape)
    r = _wrap(_C.matmul(input._t, other._t))
    if da == 1:
        # torch writes this case through a (1, N) view of `out`: its resize (and warning) is to [1, N],
        # even when `out` already had the final shape (N,).
        _gemm_dtype(out, r)
        O.check_device(out, r._t.device)
        O.resize(out, [1] + list(r._t.shape))
        O.resize(out, r._t.shape, warn=False)
        return O.write(out, r)
    return _write_out(out, r, _gemm_dtype, input, other)


# -- public API ---------------------------------------------------------------------------------------------
def matmul(input, other, *, out=None):
    if out is not None:
        return _matmul_out(input, other, out)
    return _product(Matmul, "matmul", input, other)


def mm(input, mat2, *, out=None):
    if out is not None:
        return _product_out("mm", "mm", input, mat2, out, ("input", "mat2"), _gemm_dtype, _mm_shape)
    return _product(Mm, "mm", input, mat2, ("input", "mat2"))


def bmm(input, mat2, *, out=None):
    if out is not None:
        return _product_out("bmm", "bmm", input, mat2, out, ("input", "mat2"), _gemm_dtype, _bmm_shape)
    return _product(Bmm, "bmm", input, mat2, ("input", "mat2"))


def mv(input, vec, *, out=None):
    if out is not None:
        return _product_out("mv", "mv", input, vec, out, ("input", "vec"), _addmv_dtype, _mv_shape)
    return _product(Mv, "mv", input, vec, ("input", "vec"))


def dot(input, tensor, *, out=None):
    if out is not None:
        return _product_out("dot", "dot", input, tensor, out, ("input", "tensor"), _dot_dtype, _dot_shape)
    return _product(Dot, "dot", input, tensor, ("input", "tensor"))


def vdot(input, other, *, out=None):
    # real dtypes only: no conjugation
    if out is not None:
        return _product_out("vdot", "dot", input, other, out, ("input", "other"), _dot_dtype, _dot_shape)
    return dot(input, other)


def inner(input, other, *, out=None):
    _check_tensor("inner", "input", 1, input)
    _check_tensor("inner", "other", 2, other)
    if out is not None:
        O.check_tensor("inner", out)
    if input.dim() == 0 or other.dim() == 0:
        if out is None:
            return input * other
        O.check_no_grad("mul", out, input, other)  # torch's inner_out is mul_out here
        return _write_out(out, input * other, _mul_dtype)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    a = reshape(input, (-1, input.shape[-1]))
    r = matmul(a, _mT(reshape(other, (-1, other.shape[-1]))))
    r = reshape(r, tuple(input.shape[:-1]) + tuple(other.shape[:-1]))
    if out is None:
        return r
    # torch's tensordot_out computes, then copies: out= is allowed under autograd and `out` takes the
    # result's history (through copy_, as torch's CopyBackwards).
    _tensordot_dtype(out, r)
    O.check_device(out, r._t.device)
    if MODE.enabled and (r._rg or out._rg):
        O.resize(out, r._t.shape)
        O.check_no_internal_overlap(out)
        return out.copy_(r)
    return O.write(out, r)


def outer(input, vec2, *, out=None):
    _check_tensor("outer", "input", 1, input)
    _check_tensor("outer", "vec2", 2, vec2)
    if input.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.dim()}-D")
    if vec2.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.dim()}-D")
    if out is not None:
        O.check_tensor("outer", out)
        O.check_no_grad("mul", out, input, vec2)  # torch's outer_out is mul_out
    dt = D._BY_ID[_C.result_type(input._t, vec2._t)]  # torch promotes here, unlike mm
    if input.dtype != dt:
        input = input.to(dt)
    if vec2.dtype != dt:
        vec2 = vec2.to(dt)
    r = matmul(unsqueeze(input, 1), unsqueeze(vec2, 0))  # K = 1: the GEMM writes each product once
    if out is None:
        return r
    return _write_out(out, r, _mul_dtype)


ger = outer


def _scalar_arg(op, name, v):
    if isinstance(v, Tensor):
        v = v.item()
    if not isinstance(v, numbers.Number):
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(v).__name__}")
    return v


def _add_product_out(op, kernel, input, m1, m2, beta, alpha, out, shape):
    O.check_tensor(op, out)
    O.check_no_grad(op, out, input, m1, m2)
    fn = getattr(_C, kernel)
    if shape is not None and _direct(out, shape, m1, m2, input):
        fn(input._t, m1._t, m2._t, beta, alpha, out=out._t)
        return O.finish_direct(out)
    return _write_out(out, _wrap(fn(input._t, m1._t, m2._t, beta, alpha)), _gemm_dtype)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    _check_tensor("addmm", "input", 1, input)
    _check_tensor("addmm", "mat1", 2, mat1)
    _check_tensor("addmm", "mat2", 3, mat2)
    beta, alpha = _scalar_arg("addmm", "beta", beta), _scalar_arg("addmm", "alpha", alpha)
    if out is not None:
        return _add_product_out("addmm", "addmm", input, mat1, mat2, beta, alpha, out, _mm_shape(mat1, mat2))
    if _grad_needed(input, mat1, mat2):
        return Addmm.apply(input, mat1, mat2, beta, alpha)
    return _wrap(_C.addmm(input._t, mat1._t, mat2._t, beta, alpha))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    _check_tensor("baddbmm", "input", 1, input)
    _check_tensor("baddbmm", "batch1", 2, batch1)
    _check_tensor("baddbmm", "batch2", 3, batch2)
    beta, alpha = _scalar_arg("baddbmm", "beta", beta), _scalar_arg("baddbmm", "alpha", alpha)
    if out is not None:
        return _add_product_out("baddbmm", "baddbmm", input, batch1, batch2, beta, alpha, out,
                                _bmm_shape(batch1, batch2))
    if _grad_needed(input, batch1, batch2):
        return Baddbmm.apply(input, batch1, batch2, beta, alpha)
    return _wrap(_C.baddbmm(input._t, batch1._t, batch2._t, beta, alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    _check_tensor("addmv", "input", 1, input)
    if out is not None:
        O.check_tensor("addmv", out)
        O.check_no_grad("addmv", out, input, mat, vec)
    r = mv(mat, vec)
    if alpha != 1:
        r = r * alpha
    if beta == 0:
        r = r + input * 0 if input.shape != r.shape else r
    else:
        r = r + (input if beta == 1 else input * beta)
    if out is None:
        return r
    return _write_out(out, r, _gemm_dtype)


def linear(input, weight, bias=None):
    """y = input @ weight^T + bias, the bias fused into the GEMM (C starts as the broadcast bias, beta = 1)."""
    _check_tensor("linear", "input", 1, input)
    _check_tensor("linear", "weight", 2, weight)
    if bias is not None:
        _check_tensor("linear", "bias", 3, bias)
    if weight.dim() != 2 and bias is None:
        return matmul(input, weight)
    if _grad_needed(input, weight, bias) and weight.dim() == 2:
        return Linear.apply(input, weight, bias)
    return _wrap(_C.linear(input._t, weight._t, bias._t if bias is not None else None))


def chain_matmul(*matrices):
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    r = matrices[0]
    for m in matrices[1:]:
        r = mm(r, m)
    return r


# -- einsum ---------------------------------------------------------------------------------------------------
def _parse_einsum(equation, operands):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError("einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(terms) else
                         "einsum(): fewer operands were provided than specified in the equation")
    # '...' becomes private labels (upper-case positions ordered right-aligned), one per broadcast dim.
    ell_rank = 0
    parsed = []
    for k, (term, x) in enumerate(zip(terms, operands)):
        if term.count("...") > 1 or (term.replace("...", "").count(".") > 0):
            raise ValueError(f"einsum(): found '.' for operand {k} that is not part of any ellipsis")
        for ch in term.replace("...", ""):
            if not ch.isalpha():
                raise ValueError(f"einsum(): invalid subscript given at index {term.index(ch)} in the equation "
                                 f"string, subscripts must be in [a-zA-Z]")
        n_named = len(term.replace("...", ""))
        if "..." in term:
            r = x.dim() - n_named
            if r < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_named}) is more than "
                                   f"the number of dimensions ({x.dim()}) for operand {k}")
            ell_rank = max(ell_rank, r)
        elif n_named != x.dim():
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_named}) does not match "
                               f"the number of dimensions ({x.dim()}) for operand {k} and no ellipsis was given")
        parsed.append(term)
    ell = [("...", i) for i in range(ell_rank)]  # label objects for ellipsis dims, outermost first
    labels = []
    for term, x in zip(parsed, operands):
        if "..." in term:
            pre, post = term.split("...")
            r = x.dim() - len(pre) - len(post)
            labels.append(list(pre) + ell[ell_rank - r:] + list(post))
        else:
            labels.append(list(term))
    if rhs is None:
        counts = {}
        for ls in labels:
            for c in ls:
                if isinstance(c, str):
                    counts[c] = counts.get(c, 0) + 1
        out = ell + sorted(c for c, n in counts.items() if n == 1)
    else:
        if rhs.count("...") > 1:
            raise ValueError("einsum(): found '.' for output but an ellipsis (...) was already found")
        pre, _, post = rhs.partition("...")
        seen = set()
        all_labels = {c for ls in labels for c in ls}
        for ch in pre + post:
            if ch in seen:
                raise ValueError(f"einsum(): output subscript {ch} appears more than once in the output")
            if ch not in all_labels:
                raise ValueError(f"einsum(): output subscript {ch} does not appear in the equation for any "
                                 f"input operand")
            seen.add(ch)
        out = list(pre) + (ell if "..." in rhs else []) + list(post)
    return labels, out


def _diagonalize(x, ls):
    """Takes diagonals over repeated labels of one operand (a strided view)."""
    if len(set(ls)) == len(ls):
        return x, ls
    shape, strides = list(x.shape), list(x.stride())
    new_ls, new_shape, new_strides = [], [], []
    for l, s, st in zip(ls, shape, strides):
        if l in new_ls:
            j = new_ls.index(l)
            if new_shape[j] != s:
                raise RuntimeError(f"einsum(): subscript {l} is repeated for operand but the sizes don't match, "
                                   f"{new_shape[j]} != {s}")
            new_strides[j] += st
        else:
            new_ls.append(l)
            new_shape.append(s)
            new_strides.append(st)
    return as_strided(x, new_shape, new_strides, x.storage_offset()), new_ls


def _sum_labels(x, ls, drop):
    """Sums the dims whose labels are in `drop`."""
    dims = [i for i, l in enumerate(ls) if l in drop]
    if not dims:
        return x, ls
    keep = [i for i in range(len(ls)) if i not in dims]
    r = 1
    for d in dims:
        r *= x.shape[d]
    y = reshape(permute(x, keep + dims), [x.shape[d] for d in keep] + [r])
    return matmul(y, _ones(r, x)), [ls[i] for i in keep]


def _contract(a, la, b, lb, keep):
    """a (labels la) x b (labels lb) -> labels: batch + left + right, with `keep` the labels still needed."""
    batch = [l for l in la if l in lb and l in keep]
    con = [l for l in la if l in lb and l not in keep]
    left = [l for l in la if l not in lb]
    right = [l for l in lb if l not in la]
    size = {}
    for x, ls in ((a, la), (b, lb)):
        for l, s in zip(ls, x.shape):
            cur = size.get(l, 1)
            if cur != s and cur != 1 and s != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast: subscript {l} has sizes {cur} and {s}")
            size[l] = s if cur == 1 else cur
    # contracted labels must agree exactly in size for the matmul: expand size-1 sides
    def prep(x, ls, order, mid, tail):
        x = permute(x, [ls.index(l) for l in order])
        shp = [x.shape[i] for i in range(len(batch))] + [size[l] for l in mid + tail]
        if tuple(x.shape[len(batch):]) != tuple(shp[len(batch):]):
            x = expand(x, list(x.shape[:len(batch)]) + [size[l] for l in mid + tail])
        nm = 1
        for l in mid:
            nm *= size[l]
        nt = 1
        for l in tail:
            nt *= size[l]
        return reshape(x, list(x.shape[:len(batch)]) + [nm, nt])
    am = prep(a, la, batch + left + con, left, con)            # (batch..., L, C)
    bm = prep(b, lb, batch + con + right, con, right)          # (batch..., C, R)
    r = matmul(am, bm)                                         # batch dims broadcast
    bshape = list(r.shape[:len(batch)])
    r = reshape(r, bshape + [size[l] for l in left] + [size[l] for l in right])
    return r, batch + left + right


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError("einsum(): argument 'equation' must be str")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for k, x in enumerate(operands):
        _check_tensor("einsum", "operands", k + 2, x)
    dt = operands[0].dtype
    for x in operands[1:]:
        if x.dtype != dt:
            raise RuntimeError(f"expected scalar type {_torch_name(dt)} but found {_torch_name(x.dtype)}")
    labels, out = _parse_einsum(equation, operands)
    xs = []
    for x, ls in zip(operands, labels):
        x, ls = _diagonalize(x, ls)
        xs.append([x, ls])
    # Sum labels that occur in one operand only and not in the output, before any contraction.
    for i, (x, ls) in enumerate(xs):
        elsewhere = set(out)
        for j, (_, lj) in enumerate(xs):
            if j != i:
                elsewhere.update(lj)
        xs[i] = list(_sum_labels(x, ls, {l for l in ls if l not in elsewhere}))
    x, ls = xs[0]
    for i in range(1, len(xs)):
        keep = set(out)
        for _, lj in xs[i + 1:]:
            keep.update(lj)
        y, ly = xs[i]
        x, ls = _contract(x, ls, y, ly, keep)
    x, ls = _sum_labels(x, ls, {l for l in ls if l not in out})
    # Output order; a broadcast size-1 dim of an output label stays as produced.
    if ls != out:
        x = permute(x, [ls.index(l) for l in out])
    return x


def _torch_name(dt):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "uint8": "Byte",
            "bool": "Bool"}[dt.name]


# -- Tensor methods ------------------------------------------------------------------------------------------
def _matmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


def _addmm_method(self, mat1, mat2, *, beta=1, alpha=1):
    return addmm(self, mat1, mat2, beta=beta, alpha=alpha)


def _baddbmm_method(self, batch1, batch2, *, beta=1, alpha=1):
    return baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)


def _addmv_method(self, mat, vec, *, beta=1, alpha=1):
    return addmv(self, mat, vec, beta=beta, alpha=alpha)


_register_methods({
    "matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot, "inner": inner, "outer": outer,
    "ger": ger, "addmm": _addmm_method, "baddbmm": _baddbmm_method, "addmv": _addmv_method,
    "__matmul__": _matmul_op, "__rmatmul__": _rmatmul_op,
})
