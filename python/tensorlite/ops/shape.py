"""Shape ops that join, split or rearrange data: cat/concat, stack, split, chunk, unbind, flip,
repeat, tile. cat and flip are C++ (csrc/ops/shape.cpp); split/chunk/unbind are views (narrow,
select); stack is cat of unsqueezed views; repeat is one copy of an expanded view.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _C
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _wrap_dim, _register_methods
from . import views as V

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "split", "chunk", "unbind", "flip",
           "fliplr", "flipud", "tile"]


def _tensor_list(name, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {tensors.index(t)} in argument 0, but got "
                            f"{type(t).__name__}")
    return list(tensors)


# -- cat / stack -------------------------------------------------------------------------------------------
def _skipped(t):
    return t._t.ndim == 1 and t._t.shape[0] == 0


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        out = _C.cat([t._t for t in tensors], dim)
        ref = next((t for t in tensors if not _skipped(t)), None)
        ctx.dim = _wrap_dim(dim, ref._t.ndim) if ref is not None else 0
        ctx.parts = [(t._t.shape, t.dtype, _skipped(t)) for t in tensors]
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        from .convert import _to_dtype
        grads = [None]
        pos = 0
        for k, (shape, dt, skipped) in enumerate(ctx.parts):
            if not ctx.needs_input_grad[k + 1]:
                if not skipped:
                    pos += shape[ctx.dim]
                grads.append(None)
                continue
            if skipped:
                grads.append(_wrap(_C.full([0], 0, dt._id)))
                continue
            n = shape[ctx.dim]
            gk = V.narrow(g, ctx.dim, pos, n)
            pos += n
            grads.append(_to_dtype(gk, dt, False) if dt != g.dtype else gk)
        return tuple(grads)


def cat(tensors, dim=0, *, out=None, axis=None):
    if axis is not None:
        dim = axis
    tensors = _tensor_list("cat", tensors)
    if MODE.enabled and any(t._rg for t in tensors):
        return Cat.apply(dim, *tensors)
    return _wrap(_C.cat([t._t for t in tensors], dim))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tuple(tensors[0]._t.shape)
    for i, t in enumerate(tensors):
        if tuple(t._t.shape) != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                               f"{list(t._t.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1)
    # 0-d inputs: reshape, since views.unsqueeze cannot view a 0-d tensor as (1,) yet
    return cat([V.unsqueeze(t, d) if t._t.ndim else V.reshape(t, [1]) for t in tensors], d)


def hstack(tensors):
    tensors = _tensor_list("hstack", tensors)
    ts = [V.reshape(t, [1]) if t._t.ndim == 0 else t for t in tensors]
    return cat(ts, 0 if ts and ts[0]._t.ndim == 1 else 1)


def vstack(tensors):
    tensors = _tensor_list("vstack", tensors)
    ts = [V.reshape(t, [1, -1]) if t._t.ndim < 2 else t for t in tensors]
    return cat(ts, 0)


# -- split / chunk / unbind (views) -------------------------------------------------------------------------
def split(tensor, split_size_or_sections, dim=0):
    nd = tensor._t.ndim
    if nd == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, nd)
    size = tensor._t.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral) and not isinstance(split_size_or_sections, bool):
        s = int(split_size_or_sections)
        if s < 0 or (s == 0 and size != 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
                               if s == 0 else f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0:
            return (V.narrow(tensor, d, 0, 0),)
        sizes = [s] * (size // s) + ([size % s] if size % s else [])
        if not sizes:
            sizes = [0]
    else:
        sizes = [int(v) for v in split_size_or_sections]
        if sum(sizes) != size or any(v < 0 for v in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    out, pos = [], 0
    for n in sizes:
        out.append(V.narrow(tensor, d, pos, n))
        pos += n
    return tuple(out)


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    nd = input._t.ndim
    if nd == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, nd)
    size = input._t.shape[d]
    step = (size + chunks - 1) // chunks
    if step == 0:  # torch: an empty dim splits into `chunks` empty pieces
        return tuple(V.narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, step, d)


def unbind(input, dim=0):
    nd = input._t.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, nd)
    return tuple(V.select(input, d, i) for i in range(input._t.shape[d]))


# -- flip ------------------------------------------------------------------------------------------------------
class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _wrap(_C.flip(x._t, dims))

    @staticmethod
    def backward(ctx, g):
        return flip(g, ctx.dims), None


def _dims_arg(dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return [int(d) for d in dims]


def flip(input, *dims):
    dims = _dims_arg(dims)
    if MODE.enabled and input._rg:
        return Flip.apply(input, dims)
    return _wrap(_C.flip(input._t, dims))


def fliplr(input):
    if input._t.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, [1])


def flipud(input):
    if input._t.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, [0])


# -- repeat / tile -------------------------------------------------------------------------------------------
class Repeat(Function):
    """x (padded with leading 1s to len(reps)) tiled reps[d] times along each dim d."""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape = x._t.shape
        return _wrap(_repeat_impl(x._t, reps))

    @staticmethod
    def backward(ctx, g):
        from .indexing import index_add
        in_shape = list(ctx.in_shape)
        nd = g._t.ndim
        padded = [1] * (nd - len(in_shape)) + in_shape
        # Fold each repeated dim back onto its source positions (i -> i % s): index_add sums the
        # tiles in a fixed order, and stays differentiable for double backward.
        for d in range(nd):
            n, s = g._t.shape[d], padded[d]
            if n == s:
                continue
            idx = _wrap(_C.from_numpy(np.arange(n, dtype=np.int64) % max(s, 1)))
            z = _wrap(_C.full(list(g._t.shape[:d]) + [s] + list(g._t.shape[d + 1:]), 0, g._t.dtype))
            g = index_add(z, d, idx, g) if s > 0 else z
        return V.reshape(g, in_shape), None


def _repeat_impl(t, reps):
    shape = list(t.shape)
    padded = [1] * (len(reps) - len(shape)) + shape
    base = t.as_strided(padded, [0] * (len(reps) - len(shape)) + list(t.strides), t.offset)
    # (r0, s0, r1, s1, ...) with stride 0 on the r dims, copied out contiguously
    ex_shape, ex_strides = [], []
    for r, s, st in zip(reps, padded, base.strides):
        ex_shape += [r, s]
        ex_strides += [0, st]
    out_shape = [r * s for r, s in zip(reps, padded)]
    out = _C.empty(out_shape, t.dtype)
    if 0 not in out_shape:
        src = base.as_strided(ex_shape, ex_strides, base.offset)
        _C.copy_(out.as_strided(ex_shape, V._contig(ex_shape), 0), src)
    return out


def repeat(self, *sizes):
    reps = V._parse_shape(sizes) if sizes else []
    if len(reps) < self._t.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {r}: {reps}")
    if MODE.enabled and self._rg:
        return Repeat.apply(self, reps)
    return _wrap(_repeat_impl(self._t, reps))


def tile(input, dims):
    dims = [int(d) for d in (dims if isinstance(dims, (tuple, list)) else (dims,))]
    if len(dims) < input._t.ndim:
        dims = [1] * (input._t.ndim - len(dims)) + dims
    return repeat(input, dims)


_register_methods({
    "split": _split_method, "chunk": chunk, "unbind": unbind, "flip": flip, "fliplr": fliplr, "flipud": flipud,
    "repeat": repeat, "tile": tile,
})
