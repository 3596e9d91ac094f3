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
from . import out as O
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
                grads.append(_wrap(_C.full([0], 0, dt._id, g._t.device)))
                continue
            n = shape[ctx.dim]
            gk = V.narrow(g, ctx.dim, pos, n)
            pos += n
            grads.append(_to_dtype(gk, dt, False) if dt != g.dtype else gk)
        return tuple(grads)


def _cat_rule(op, out, r):
    if not _C.can_cast(r._t.dtype, out._t.dtype):
        raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                        f"{O.TORCH_NAME[out.dtype.name]}")


def cat(tensors, dim=0, *, out=None, axis=None):
    if axis is not None:
        dim = axis
    if out is not None:
        return O.into("cat", out, lambda: cat(tensors, dim), tensors, rule=_cat_rule)
    tensors = _tensor_list("cat", tensors)
    if MODE.enabled and any(t._rg for t in tensors):
        return Cat.apply(dim, *tensors)
    return _wrap(_C.cat([t._t for t in tensors], dim))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    if out is not None:  # torch's stack_out is a cat_out: cat's messages
        return O.into("stack", out, lambda: stack(tensors, dim), tensors, rule=_cat_rule)
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tuple(tensors[0]._t.shape)
    _wrap_dim(dim, len(s0) + 1)  # torch checks the dim before the sizes
    for i, t in enumerate(tensors):
        if tuple(t._t.shape) != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                               f"{list(t._t.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1)
    if d == 0 and s0 and not (MODE.enabled and any(t._rg for t in tensors)):
        # The DataLoader's collate path: along dim 0 a stack is the cat of the samples viewed as
        # (N*s0[0], ...); one C++ cat and one view instead of N Python-level unsqueezes.
        return V.reshape(_wrap(_C.cat([t._t for t in tensors], 0)), [len(tensors)] + list(s0))
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
            idx = _wrap(_C.arange(0, n, 1, _INT64, g._t.device)) % max(s, 1)
            z = _wrap(_C.full(list(g._t.shape[:d]) + [s] + list(g._t.shape[d + 1:]), 0, g._t.dtype, g._t.device))
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
    out = _C.empty(out_shape, t.dtype, t.device)
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


# -- more shape ops: diagonals, triangles, roll/rot90, repeat_interleave, splits and stacks, kron, unfold ----
# Composites of the ops above; diagonal and unfold are strided views whose backward index_adds the
# gradient back (deterministic, and exact for overlapping windows).
__all__ += ["diagonal", "diag", "diag_embed", "diagflat", "tril", "triu", "tril_indices", "triu_indices", "roll",
            "rot90", "repeat_interleave", "ravel", "meshgrid", "tensor_split", "hsplit", "vsplit", "dsplit",
            "dstack", "column_stack", "row_stack", "block_diag", "kron", "cross", "cartesian_prod",
            "atleast_1d", "atleast_2d", "atleast_3d", "combinations"]


class _GeomView(Function):
    """A strided view described by geom(shape, strides, offset) -> (size, stride, offset)."""

    @staticmethod
    def forward(ctx, x, geom):
        shape = list(x._t.shape)
        ctx.in_shape = shape
        n = 1
        for s in shape:
            n *= s
        contig = [1] * len(shape)
        for i in range(len(shape) - 2, -1, -1):
            contig[i] = contig[i + 1] * builtins_max(shape[i + 1], 1)
        ar = _C.arange(0, n, 1, _INT64, x._t.device)
        ctx.flat = _wrap(ar.as_strided(*geom(shape, contig, 0)))
        return V._view_out(x, x._t.as_strided(*geom(shape, list(x._t.strides), x._t.offset)))

    @staticmethod
    def backward(ctx, g):
        from .indexing import index_add
        n = 1
        for s in ctx.in_shape:
            n *= s
        z = _wrap(_C.full([n], 0, g._t.dtype, g._t.device))
        return V.reshape(index_add(z, 0, V.reshape(ctx.flat, [-1]), V.reshape(g, [-1])), ctx.in_shape), None


def _geom_view(x, geom):
    if MODE.enabled and x._rg:
        return _GeomView.apply(x, geom)
    return V._view_out(x, x._t.as_strided(*geom(list(x._t.shape), list(x._t.strides), x._t.offset)))


def builtins_max(a, b):
    return a if a > b else b


from .. import _dtype as _D  # noqa: E402
_INT64 = _D.int64._id


def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input._t.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")

    def geom(shape, strides, off):
        n1, n2 = shape[d1], shape[d2]
        if offset >= 0:
            ln = builtins_max(min(n1, n2 - offset), 0)
            off2 = off + (offset * strides[d2] if ln > 0 else 0)
        else:
            ln = builtins_max(min(n1 + offset, n2), 0)
            off2 = off + (-offset * strides[d1] if ln > 0 else 0)
        size = [s for i, s in enumerate(shape) if i not in (d1, d2)] + [ln]
        st = [s for i, s in enumerate(strides) if i not in (d1, d2)] + [strides[d1] + strides[d2]]
        return size, st, off2
    return _geom_view(input, geom)


def unfold(self, dimension, size, step):
    nd = self._t.ndim
    d = _wrap_dim(dimension, nd) if nd else 0
    n = self._t.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")

    def geom(shape, strides, off):
        if not shape:
            return [size], [1], off
        cnt = (shape[d] - size) // step + 1
        sz = list(shape)
        sz[d] = cnt
        st = list(strides)
        st[d] = strides[d] * step
        return sz + [size], st + [strides[d]], off
    return _geom_view(self, geom)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    nd = input._t.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input._t.shape[-1] + abs(offset)
    shape = list(input._t.shape[:-1])
    out_shape = []
    it = iter(shape)
    for i in range(nd):
        out_shape.append(n if i in (d1, d2) else next(it))
    z = _wrap(_C.full(out_shape, 0, input._t.dtype, input._t.device))
    return _diag_scatter(z, input, offset, d1, d2)


def _diag_scatter(z, src, offset, d1, d2):
    """z with its (offset, d1, d2) diagonal replaced by src, differentiable in src."""
    nd = z._t.ndim
    ln = src._t.shape[-1]
    i = _wrap(_C.arange(0, ln, 1, _INT64, src._t.device))
    r = i + (-offset if offset < 0 else 0)
    c = i + (offset if offset > 0 else 0)
    # move d1, d2 last, index_put the last two dims with (r, c), move back
    perm = [k for k in range(nd) if k not in (d1, d2)] + [d1, d2]
    zp = V.permute(z, perm)
    idx = tuple([slice(None)] * (nd - 2))
    zp = zp.clone()
    zp[idx + (r, c)] = src
    inv = [perm.index(k) for k in range(nd)]
    return V.permute(zp, inv).contiguous()


def diag(input, diagonal=0):
    nd = input._t.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return _diag2(input, diagonal)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{nd}D")


def _diag2(input, k):
    from .convert import clone
    return clone(diagonal(input, k))


def diagflat(input, offset=0):
    return diag_embed(V.reshape(input, [-1]), offset, 0, 1)


def _tri_mask(n, m, k, lower, like):
    r = _wrap(_C.arange(0, n, 1, _INT64, like._t.device)).unsqueeze(1)
    c = _wrap(_C.arange(0, m, 1, _INT64, like._t.device)).unsqueeze(0)
    return (c - r <= k) if lower else (c - r >= k)


def _tri(input, diagonal, lower):
    from .elementwise import where
    nd = input._t.ndim
    if nd < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions")
    n, m = input._t.shape[-2], input._t.shape[-1]
    mask = _tri_mask(n, m, diagonal, lower, input)
    return where(mask, input, _wrap(_C.full([], 0, input._t.dtype, input._t.device)))


def tril(input, diagonal=0, *, out=None):
    if out is not None:
        return O.into("tril", out, lambda: tril(input, diagonal), input, rule=O.same_rule)
    return _tri(input, diagonal, True)


def triu(input, diagonal=0, *, out=None):
    if out is not None:
        return O.into("triu", out, lambda: triu(input, diagonal), input, rule=O.same_rule)
    return _tri(input, diagonal, False)


def _tri_inplace(lower):
    def op_(self, diagonal=0):
        from .elementwise import _maybe_inplace
        return _maybe_inplace(True, self, lambda x: _tri(x, diagonal, lower))
    return op_


def _tri_indices(row, col, offset, lower, dtype, device=None):
    import numpy as _np
    from .creation import tensor
    from .. import _dtype as D
    r, c = _np.nonzero(_np.tri(row, col, offset, dtype=bool) if lower
                       else ~_np.tri(row, col, offset - 1, dtype=bool))
    return tensor(_np.stack([r, c]).astype(_np.int64), dtype=dtype or D.int64, device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, True, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, False, dtype, device)


def roll(input, shifts, dims=None):
    from .views import narrow
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        flat = V.reshape(input, [-1])
        s = shifts[0] if isinstance(shifts, (tuple, list)) else shifts
        return V.reshape(roll(flat, s, 0), list(input._t.shape))
    shifts = list(shifts) if isinstance(shifts, (tuple, list)) else [shifts]
    dims = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input.numel() == 0:  # torch returns a copy of an empty tensor without looking at dims
        return input.clone()
    x = input
    for s, d in zip(shifts, dims):
        d = _wrap_dim(d, x._t.ndim)
        n = x._t.shape[d]
        if n == 0:
            continue
        s = int(s) % n
        if s == 0:
            continue
        x = cat([narrow(x, d, n - s, s), narrow(x, d, 0, n - s)], d)
    return x


def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._t.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k = k % 4
    if k == 1:
        return V.transpose(flip(input, [d1]), d0, d1)
    if k == 2:
        return flip(input, [d0, d1])
    if k == 3:
        return flip(V.transpose(input, d0, d1), [d1])
    return input.clone()


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    from .indexing import index_select
    from .creation import tensor
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts
        reps = input
        if reps._t.ndim != 1 or reps.dtype.is_floating_point:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        r = reps.cpu().numpy()
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        return tensor(np.repeat(np.arange(len(r), dtype=np.int64), r), device=reps.device)
    x = V.reshape(input, [-1]) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._t.ndim)
    n = x._t.shape[d] if x._t.ndim else 1
    if isinstance(repeats, Tensor):
        if repeats.dtype.is_floating_point:
            raise RuntimeError("repeat_interleave: repeats must be an integer tensor")
        r = repeats.reshape(-1).cpu().numpy()
        if r.size == 1:
            r = np.full(n, int(r[0]))
    else:
        r = np.full(n, int(repeats))
    if r.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{r.size} and input.size({d}) = {n}")
    if (r < 0).any():
        raise RuntimeError("repeats can not be negative")
    idx = tensor(np.repeat(np.arange(n, dtype=np.int64), r), device=x.device)
    if x._t.ndim == 0:
        x = V.reshape(x, [1])
    return index_select(x, d, idx)


def ravel(input):
    return V.reshape(input.contiguous(), [-1])


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t._t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    ts = [V.reshape(t, [-1]) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2  # xy: the first two inputs swap roles, outputs keep their order
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t._t.shape[0] for t in ts]
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(V.reshape(t, view).expand(shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def tensor_split(input, indices_or_sections, dim=0):
    from .views import narrow
    nd = input._t.ndim
    if nd == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap_dim(dim, nd)
    n = input._t.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.tolist() if ios._t.ndim else int(ios.item())
    if isinstance(ios, numbers.Integral):
        k = int(ios)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        bounds, pos = [], 0
        for s in sizes:
            bounds.append((pos, s))
            pos += s
    else:
        # piece k is input[idx[k-1]:idx[k]] with Python slice clamping (a decreasing index gives an empty piece)
        idx = [int(i) for i in ios]
        bounds, prev = [], 0
        for i in idx + [n]:
            i = min(max(i if i >= 0 else i + n, 0), n)
            bounds.append((prev, max(i - prev, 0)))
            prev = i
    return tuple(narrow(input, d, a, s) for a, s in bounds)


def _dir_split(name, dim, min_nd):
    def fn(input, indices_or_sections):
        nd = input._t.ndim
        if nd < min_nd:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_nd} dimension, but got a tensor "
                               f"with {nd} dimensions!")
        d = 1 if (name == "hsplit" and nd > 1) else (0 if name == "hsplit" else dim)
        if isinstance(indices_or_sections, numbers.Integral):
            if indices_or_sections <= 0 or input._t.shape[d] % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the "
                                   f"dimension {input._t.shape[d]} is not divisible by the split_size "
                                   f"{indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)
    fn.__name__ = name
    return fn


hsplit = _dir_split("hsplit", 1, 1)
vsplit = _dir_split("vsplit", 0, 2)
dsplit = _dir_split("dsplit", 2, 3)


def atleast_1d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    r = tuple(V.reshape(t, [1]) if t._t.ndim == 0 else t for t in ts)
    return r[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else r


def atleast_2d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    r = tuple(V.reshape(t, [1, -1]) if t._t.ndim < 2 else t for t in ts)
    return r[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else r


def atleast_3d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors

    def one(t):
        if t._t.ndim == 0:
            return V.reshape(t, [1, 1, 1])
        if t._t.ndim == 1:
            return V.reshape(t, [1, -1, 1])
        if t._t.ndim == 2:
            return t.unsqueeze(-1)
        return t
    r = tuple(one(t) for t in ts)
    return r[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else r


def dstack(tensors):
    tensors = _tensor_list("dstack", tensors)
    return cat(list(atleast_3d(tensors)), 2)


def column_stack(tensors):
    tensors = _tensor_list("column_stack", tensors)
    ts = [V.reshape(t, [-1, 1]) if t._t.ndim < 2 else t for t in tensors]
    return cat(ts, 1)


def row_stack(tensors):
    return vstack(tensors)


def block_diag(*tensors):
    ts = [V.reshape(t, [1, -1]) if t._t.ndim == 1 else (V.reshape(t, [1, 1]) if t._t.ndim == 0 else t)
          for t in tensors]
    for i, t in enumerate(ts):
        if t._t.ndim != 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t._t.ndim} dimensions")
    from .. import _dtype as D
    dt = ts[0].dtype if ts else D.get_default_dtype()
    for t in ts[1:]:
        dt = D._BY_ID[max(dt._id, t._t.dtype)] if t.dtype.is_floating_point == dt.is_floating_point else \
            (t.dtype if t.dtype.is_floating_point else dt)
    R = sum(t._t.shape[0] for t in ts)
    C = sum(t._t.shape[1] for t in ts)
    rows, r0, c0 = [], 0, 0
    for t in ts:
        r, c = t._t.shape
        parts = []
        if c0:
            parts.append(_wrap(_C.full([r, c0], 0, dt._id, t._t.device)))
        parts.append(t.to(dt))
        if C - c0 - c:
            parts.append(_wrap(_C.full([r, C - c0 - c], 0, dt._id, t._t.device)))
        rows.append(cat(parts, 1))
        r0, c0 = r0 + r, c0 + c
    if not rows:
        return _wrap(_C.full([R, C], 0, dt._id))
    return cat(rows, 0)


def kron(input, other):
    a, b = input, other
    nd = max(a._t.ndim, b._t.ndim)
    a = V.reshape(a, [1] * (nd - a._t.ndim) + list(a._t.shape))
    b = V.reshape(b, [1] * (nd - b._t.ndim) + list(b._t.shape))
    ash, bsh = list(a._t.shape), list(b._t.shape)
    inter_a, inter_b = [], []
    for s in ash:
        inter_a += [s, 1]
    for s in bsh:
        inter_b += [1, s]
    out = V.reshape(a, inter_a) * V.reshape(b, inter_b)
    return V.reshape(out, [x * y for x, y in zip(ash, bsh)])


def cross(input, other, dim=None):
    from .views import broadcast_tensors, select
    if input._t.ndim != other._t.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    a, b = broadcast_tensors(input, other)
    if dim is None:
        dims = [i for i, s in enumerate(a._t.shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        d = dims[0]
    else:
        d = _wrap_dim(dim, a._t.ndim)
    if a._t.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {input._t.shape[d]} and "
                           f"{other._t.shape[d] if other._t.ndim > d else 1}")
    a0, a1, a2 = (select(a, d, i) for i in range(3))
    b0, b1, b2 = (select(b, d, i) for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([V.reshape(g, [-1]) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    import itertools
    from .creation import tensor
    from .indexing import index_select
    if input._t.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._t.shape)}")
    n = input._t.shape[0]
    it = itertools.combinations_with_replacement(range(n), r) if with_replacement else \
        itertools.combinations(range(n), r)
    idx = np.array(list(it), dtype=np.int64).reshape(-1, r)
    if idx.shape[0] == 0:
        return _wrap(_C.full([0] if r != 1 else [0], 0, input._t.dtype, input._t.device)) if r == 0 else \
            V.reshape(index_select(input, 0, tensor(idx.reshape(-1), device=input.device)), [0, r])
    return V.reshape(index_select(input, 0, tensor(idx.reshape(-1), device=input.device)), [-1, r])


_register_methods({
    "diagonal": diagonal, "diag": diag, "diag_embed": diag_embed, "tril": tril, "triu": triu,
    "tril_": _tri_inplace(True), "triu_": _tri_inplace(False), "roll": roll, "rot90": rot90,
    "repeat_interleave": repeat_interleave, "ravel": ravel, "tensor_split": tensor_split, "hsplit": hsplit,
    "vsplit": vsplit, "dsplit": dsplit, "kron": kron, "cross": cross, "unfold": unfold, "diagflat": diagflat,
})


def fill_diagonal_(self, fill_value, wrap=False):
    """torch's fill_diagonal_: the main diagonal of a 2-D (or all-equal-dims N-D) tensor; with wrap, a tall
    matrix restarts the diagonal every (cols + 1) rows."""
    from .indexing import put
    from .elementwise import _maybe_inplace
    nd = self._t.ndim
    if nd < 2:
        raise RuntimeError("dimensions must larger than 1")
    shape = list(self._t.shape)
    if nd > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = min(shape)
    step = 0
    acc = 1
    for s in reversed(shape):
        step += acc
        acc *= s
    total = acc
    if nd == 2 and wrap and shape[0] > shape[1] + 1:
        count = (total + step - 1) // step
    else:
        count = n
    idx = _wrap(_C.arange(0, count, 1, _INT64, self._t.device)) * step
    val = _wrap(_C.full([count], fill_value, self._t.dtype, self._t.device))
    return _maybe_inplace(True, self, lambda x: put(x, idx, val))


_register_methods({"fill_diagonal_": fill_diagonal_})
