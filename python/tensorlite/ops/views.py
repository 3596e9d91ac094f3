"""View ops: results share storage with their input (reshape when it can, permute, transpose,
expand, squeeze, unsqueeze, flatten, unflatten, narrow, select, basic slicing, as_strided).

Every view records its root base (`_meta.base`): an in-place op on a view then rewrites the base's
history (see ops/inplace.py), as torch's CopySlices does.
"""
from __future__ import annotations

import numbers

from .. import _C
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _Meta, _wrap, _wrap_dim, _register_methods

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze", "unsqueeze", "flatten",
           "unflatten", "narrow", "select", "as_strided", "movedim", "moveaxis", "broadcast_to",
           "broadcast_tensors", "broadcast_shapes", "adjoint"]


def _view_out(x, impl):
    out = _wrap(impl)
    m = out._meta = _Meta()
    base = x._meta.base if x._meta is not None and x._meta.base is not None else x
    m.base = base
    m.view_version = impl.version
    return out


def _parse_shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    out = []
    for s in shape:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"view(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        out.append(int(s))
    return out


def _infer_size(shape, numel, op="view"):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {_fmt(shape)} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known != 0:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return shape


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _view_strides(old_shape, old_strides, new_shape):
    """Strides for viewing (old_shape, old_strides) as new_shape without a copy, or None (torch's
    computeStride: chunks of old dims that are contiguous among themselves can be re-split)."""
    numel = 1
    for s in old_shape:
        numel *= s
    if not old_shape:  # a 0-d tensor views as any all-ones shape
        return [1] * len(new_shape)
    if numel == 0:
        return list(_contig(new_shape)) if old_shape != new_shape else list(old_strides)
    if not old_shape:  # a 0-d tensor: any all-ones shape is a view
        return _contig(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1] if old_strides else 1
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return new_strides


def _contig(shape):
    st = []
    s = 1
    for d in reversed(shape):
        st.append(s)
        s *= max(d, 1)
    return list(reversed(st))


class Reshape(Function):
    @staticmethod
    def forward(ctx, x, shape, impl):
        ctx.in_shape = x._t.shape
        return _view_out(x, impl) if impl.storage_id == x._t.storage_id else _wrap(impl)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape), None, None


def _reshape_impl(x, shape, allow_copy, op):
    t = x._t
    shape = _infer_size(shape, t.numel, op)
    st = _view_strides(list(t.shape), list(t.strides), shape)
    if st is None:
        if not allow_copy:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return t.clone().as_strided(shape, _contig(shape), 0), False
    return t.as_strided(shape, st, t.offset), True


def view(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(self, shape[0])
    impl, _ = _reshape_impl(self, _parse_shape(shape), False, "view")
    if MODE.enabled and self._rg:
        return Reshape.apply(self, None, impl)
    return _view_out(self, impl)


def _view_dtype(self, dtype):
    if dtype.itemsize != self.dtype.itemsize:
        raise RuntimeError("view(dtype) with a different element size is not supported by tensorlite")
    if self._t.device != "cpu":
        raise RuntimeError(f"view(dtype) of a {self._t.device} tensor is not supported by tensorlite yet")
    return _view_out(self, _C.from_numpy(self._t.numpy().view(dtype._np)))


def reshape(input, *shape):
    impl, is_view = _reshape_impl(input, _parse_shape(shape), True, "reshape")
    if MODE.enabled and input._rg:
        return Reshape.apply(input, None, impl)
    return _view_out(input, impl) if is_view else _wrap(impl)


def view_as(self, other):
    return view(self, list(other._t.shape))


def reshape_as(self, other):
    return reshape(self, list(other._t.shape))


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._t.ndim
    if nd == 0:
        _wrap_dim(start_dim, 0)  # a 0-d tensor accepts dims -1 and 0 only, as torch
        _wrap_dim(end_dim, 0)
        return reshape(input, [1])
    s = _wrap_dim(start_dim, nd)
    e = _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input  # as torch: nothing to merge, the tensor itself
    shape = list(input._t.shape)
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + [n] + shape[e + 1:])


def unflatten(input, dim, sizes):
    nd = input._t.ndim
    d = _wrap_dim(dim, nd)
    shape = list(input._t.shape)
    sizes = list(sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    inner = _infer_size(sizes, shape[d], "unflatten") if -1 in sizes else sizes
    n = 1
    for s in inner:
        n *= s
    if n != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
                           f"({shape[d]}) in the input tensor")
    return reshape(input, shape[:d] + inner + shape[d + 1:])


# -- permutations ------------------------------------------------------------------------------------
class Permute(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _view_out(x, _permute_impl(x._t, dims))

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return permute(g, inv), None


def _permute_impl(t, dims):
    sh, st = t.shape, t.strides
    return t.as_strided([sh[d] for d in dims], [st[d] for d in dims], t.offset)


def _norm_perm(dims, nd):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to "
                           f"len(dims) = {len(dims)}")
    out = [_wrap_dim(int(d), nd) for d in dims]
    if len(set(out)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return out


def permute(input, *dims):
    dims = _norm_perm(dims, input._t.ndim)
    if MODE.enabled and input._rg:
        return Permute.apply(input, dims)
    return _view_out(input, _permute_impl(input._t, dims))


def transpose(input, dim0, dim1):
    nd = input._t.ndim
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    dims = list(range(nd))
    if nd == 0:
        return permute(input, [])
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(input, dims)


swapaxes = swapdims = transpose


def t(input):
    nd = input._t.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return transpose(input, 0, 1) if nd == 2 else permute(input, list(range(nd)))


def _T(self):
    nd = self._t.ndim
    return permute(self, list(range(nd - 1, -1, -1)))


def _mT(self):
    if self._t.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self._t.ndim}-D tensor.")
    return transpose(self, -2, -1)


adjoint = _mT


def movedim(input, source, destination):
    nd = input._t.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    src = [_wrap_dim(s, nd) for s in src]
    dst = [_wrap_dim(d, nd) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({[source] if isinstance(source, int) else list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` "
                           f"({[destination] if isinstance(destination, int) else list(destination)})")
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    order = [o if o is not None else next(rest) for o in order]
    return permute(input, order)


moveaxis = movedim


# -- expand / squeeze / unsqueeze -------------------------------------------------------------------------
class Expand(Function):
    @staticmethod
    def forward(ctx, x, shape, impl):
        ctx.in_shape = x._t.shape
        return _view_out(x, impl)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.in_shape), None, None


def _expand_impl(t, shape):
    shape = list(shape)
    nd = t.ndim
    if len(shape) < nd:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(t.shape)}}}, size={shape}): the number of sizes "
                           f"provided ({len(shape)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({nd})")
    off = len(shape) - nd
    new_strides = []
    new_shape = []
    for i, s in enumerate(shape):
        if i < off:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            new_shape.append(s)
            new_strides.append(None)  # filled below, as torch's inferExpandGeometry does
            continue
        cur = t.shape[i - off]
        if s == -1:
            s = cur
        if cur == s:
            new_strides.append(t.strides[i - off])
        elif cur == 1:
            new_strides.append(0)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {shape}.  Tensor sizes: "
                               f"{list(t.shape)}")
        new_shape.append(s)
    # a new leading dim of size 1 gets the stride a contiguous layout would give it; of any other size, 0
    for i in range(off - 1, -1, -1):
        nxt = new_shape[i + 1] * new_strides[i + 1] if i + 1 < len(shape) else 0
        new_strides[i] = nxt if new_shape[i] == 1 else 0
    return t.as_strided(new_shape, new_strides, t.offset)


def expand(self, *sizes):
    shape = _parse_shape(sizes)
    impl = _expand_impl(self._t, shape)
    if MODE.enabled and self._rg:
        return Expand.apply(self, None, impl)
    return _view_out(self, impl)


def expand_as(self, other):
    return expand(self, list(other._t.shape))


def broadcast_to(input, size):
    return expand(input, list(size))


def broadcast_shapes(*shapes):
    out = ()
    for s in shapes:
        s = (s,) if isinstance(s, int) else tuple(s)
        out = _C.broadcast_shapes(list(out), list(s))
    from ..tensor import Size
    return Size(out)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    shape = broadcast_shapes(*[t._t.shape for t in tensors])
    return tuple(expand(t, list(shape)) for t in tensors)


def squeeze(input, dim=None):
    shape = list(input._t.shape)
    nd = len(shape)
    if dim is None:
        keep = [i for i in range(nd) if shape[i] != 1]
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = {_wrap_dim(d, nd) for d in dims}
        keep = [i for i in range(nd) if not (i in dims and shape[i] == 1)]
    st = input._t.strides
    return _geometry_view(input, [shape[i] for i in keep], [st[i] for i in keep])


def unsqueeze(input, dim):
    nd = input._t.ndim
    d = _wrap_dim(dim, nd + 1)
    shape = list(input._t.shape)
    strides = list(input._t.strides)
    # torch's inferUnsqueezeGeometry: the new dim's stride is size * stride of the dim it precedes
    strides.insert(d, 1 if d >= nd else shape[d] * strides[d])
    shape.insert(d, 1)
    return _geometry_view(input, shape, strides)


def _geometry_view(x, shape, strides):
    """A view with explicit geometry whose backward is a reshape to the input's shape (squeeze, unsqueeze)."""
    impl = x._t.as_strided(shape, strides, x._t.offset)
    if MODE.enabled and x._rg:
        return Reshape.apply(x, None, impl)
    return _view_out(x, impl)


def _reshape_view(x, shape):
    impl, _ = _reshape_impl(x, shape, False, "view")
    if MODE.enabled and x._rg:
        return Reshape.apply(x, None, impl)
    return _view_out(x, impl)


# -- basic indexing: narrow, select, slicing ------------------------------------------------------------
def _apply_spec(shape, strides, offset, spec):
    """Applies a basic-indexing spec to a geometry. spec items, consumed left to right over dims:
    ("slice", start, length, step) keeps the dim, ("select", index) removes it, ("new",) inserts a
    size-1 dim; dims not reached are kept. Indices are already normalised and in range."""
    sh, st = [], []
    d = 0
    for item in spec:
        kind = item[0]
        if kind == "new":
            sh.append(1)
            st.append(0)
            continue
        if kind == "select":
            offset += item[1] * strides[d]
        else:
            _, start, length, step = item
            offset += start * strides[d] if length > 0 else 0
            sh.append(length)
            st.append(strides[d] * step)
        d += 1
    sh.extend(shape[d:])
    st.extend(strides[d:])
    return sh, st, offset


class BasicIndex(Function):
    @staticmethod
    def forward(ctx, x, spec):
        ctx.in_shape = x._t.shape
        ctx.spec = spec
        t = x._t
        return _view_out(x, t.as_strided(*_apply_spec(t.shape, t.strides, t.offset, spec)))

    @staticmethod
    def backward(ctx, g):
        return BasicIndexBackward.apply(g, ctx.in_shape, ctx.spec), None


class BasicIndexBackward(Function):
    """grad of a basic-indexing view: zeros of the input's shape with the view's region set to g."""

    @staticmethod
    def forward(ctx, g, in_shape, spec):
        ctx.spec = spec
        out = _C.full(list(in_shape), 0, g._t.dtype, g._t.device)
        sh, st, off = _apply_spec(list(in_shape), _contig(in_shape), 0, spec)
        _C.copy_(out.as_strided(sh, st, off), g._t)
        return _wrap(out)

    @staticmethod
    def backward(ctx, gg):
        return basic_index(gg, ctx.spec), None, None


def basic_index(x, spec):
    if MODE.enabled and x._rg:
        return BasicIndex.apply(x, spec)
    t = x._t
    return _view_out(x, t.as_strided(*_apply_spec(t.shape, t.strides, t.offset, spec)))


def narrow(input, dim, start, length):
    nd = input._t.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    size = input._t.shape[d]
    if isinstance(start, Tensor):
        start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return basic_index(input, [("slice", 0, s, 1) for s in input._t.shape[:d]] + [("slice", start, length, 1)])


def select(input, dim, index):
    nd = input._t.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    size = input._t.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input._t.shape)} at "
                         f"dimension {dim}")
    if index < 0:
        index += size
    return basic_index(input, [("slice", 0, s, 1) for s in input._t.shape[:d]] + [("select", index)])


# -- as_strided ------------------------------------------------------------------------------------------
class AsStrided(Function):
    """torch.as_strided (absolute storage offset). The backward scatters into a zero tensor laid out
    like a contiguous copy of the input, which is exact when the input is contiguous."""

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        if not x._t.is_contiguous():
            raise RuntimeError("as_strided: autograd through as_strided of a non-contiguous tensor is not "
                               "supported by tensorlite")
        ctx.in_shape = x._t.shape
        ctx.geom = (size, stride, offset - x._t.offset)
        return _view_out(x, x._t.as_strided(size, stride, offset))

    @staticmethod
    def backward(ctx, g):
        return AsStridedScatter.apply(g, ctx.in_shape, ctx.geom), None, None, None


class AsStridedScatter(Function):
    @staticmethod
    def forward(ctx, g, in_shape, geom):
        ctx.geom = geom
        ctx.in_shape = in_shape
        out = _C.full(list(in_shape), 0, g._t.dtype, g._t.device)
        region = out.as_strided(*geom)
        # overlapping windows accumulate, like torch's as_strided backward
        _C.add_(region, g._t) if _has_overlap(geom) else _C.copy_(region, g._t)
        return _wrap(out)

    @staticmethod
    def backward(ctx, gg):
        base = contiguous(gg)
        return as_strided(base, ctx.geom[0], ctx.geom[1], ctx.geom[2] + base._t.offset), None, None


def _has_overlap(geom):
    size, stride, _ = geom
    dims = sorted((st, sz) for sz, st in zip(size, stride) if sz > 1)
    extent = 1
    for st, sz in dims:
        if st < extent:
            return True
        extent = st * (sz - 1) + extent
    return False


def as_strided(input, size, stride, storage_offset=None):
    off = input._t.offset if storage_offset is None else storage_offset
    size, stride = list(size), list(stride)
    if MODE.enabled and input._rg:
        return AsStrided.apply(input, size, stride, off)
    return _view_out(input, input._t.as_strided(size, stride, off))


def contiguous(self, memory_format=None):
    if self._t.is_contiguous():
        return self
    from .convert import clone
    return clone(self)


_register_methods({
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as, "flatten": flatten,
    "unflatten": unflatten, "permute": permute, "transpose": transpose, "swapaxes": swapaxes, "swapdims": swapdims,
    "t": t, "T": property(_T), "mT": property(_mT), "H": property(_T), "mH": property(_mT), "adjoint": adjoint,
    "movedim": movedim, "moveaxis": moveaxis, "expand": expand, "expand_as": expand_as,
    "broadcast_to": broadcast_to, "squeeze": squeeze, "unsqueeze": unsqueeze, "narrow": narrow, "select": select,
    "as_strided": as_strided, "contiguous": contiguous,
})


# -- in-place view ops: self takes the geometry (and history) of the view ----------------------------------
def _inplace_view(fn):
    def op_(self, *args, **kwargs):
        from .inplace import check_inplace
        if MODE.enabled and self._rg:
            check_inplace(self)
        v = fn(self, *args, **kwargs)
        self._t = v._t
        if MODE.enabled and v._rg:
            self.grad_fn, self._output_nr = v.grad_fn, v._output_nr
        return self
    op_.__name__ = fn.__name__ + "_"
    return op_


_register_methods({"squeeze_": _inplace_view(squeeze), "unsqueeze_": _inplace_view(unsqueeze),
                   "t_": _inplace_view(t), "transpose_": _inplace_view(transpose),
                   "swapaxes_": _inplace_view(swapaxes), "swapdims_": _inplace_view(swapdims)})
