"""Indexing: Tensor.__getitem__ / __setitem__ with torch's semantics, and the gather/scatter family
(index_select, gather, scatter, scatter_add, index_add, index_put, masked_select, nonzero).

How an index expression is evaluated (as torch does):
  1. Basic part: ints (and 0-d integer tensors) select, slices slice, None inserts a dim, Ellipsis
     expands; this is one strided view of the input (shared storage).
  2. Advanced part: integer tensors/lists index the dims they stand on; a k-d bool mask stands for
     the k index tensors of its nonzero(); a bool scalar inserts a dim indexed by [0] (True) or []
     (False). The index tensors broadcast to a shape B.
  3. The view is permuted so the advanced dims lead, `_C.index` gathers (B + remaining dims), and B
     moves back to where the first advanced dim stood if the advanced dims were adjacent in the view
     (otherwise B stays in front): torch's (and numpy's) placement rule.
Backward: basic indexing is a view (its backward lives in views.py); advanced indexing scatters the
gradient into zeros with index_put(accumulate=True).
"""
from __future__ import annotations

import numbers
import operator

import numpy as np

from .. import _C
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _wrap_dim, _register_methods
from . import out as O
from . import views as V
from .views import _view_out

__all__ = ["index_select", "gather", "scatter", "scatter_add", "index_add", "index_put", "masked_select",
           "nonzero", "argwhere", "take_along_dim"]

_INDEX_DTYPES = (D.int64._id, D.int32._id)
_MASK_DTYPES = (D.bool._id, D.uint8._id)


def _zeros(shape, dtype_id, device="cpu"):
    return _C.full(list(shape), 0, dtype_id, device)


def _torch_name(dt_id):
    return ("Bool", "Byte", "Int", "Long", "Float", "Double")[dt_id]


# -- autograd Functions ----------------------------------------------------------------------------------
class Index(Function):
    """x[:s, i_0, .., i_{k-1}] over x's dims s..s+k-1 (s = start) -> x.shape[:s] + B + x.shape[s+k:]"""

    @staticmethod
    def forward(ctx, x, idx, start=0):
        ctx.in_shape, ctx.idx, ctx.start = x._t.shape, idx, start
        return _wrap(_C.index(x._t, idx, start))

    @staticmethod
    def backward(ctx, g):
        return IndexBackward.apply(g, ctx.in_shape, ctx.idx, ctx.start), None, None


class IndexBackward(Function):
    """zeros(in_shape) with g accumulated at the indexed positions (duplicates sum)."""

    @staticmethod
    def forward(ctx, g, in_shape, idx, start=0):
        ctx.idx, ctx.start = idx, start
        out = _zeros(in_shape, g._t.dtype, g._t.device)
        _C.index_put_(out, idx, g._t, True, start)
        return _wrap(out)

    @staticmethod
    def backward(ctx, gg):
        return _index(gg, ctx.idx, ctx.start), None, None, None


class IndexPut(Function):
    """Out of place: a copy of x with x[idx] (=|+=) values; values already have the shape B + rest."""

    @staticmethod
    def forward(ctx, x, values, idx, accumulate, start=0):
        ctx.idx, ctx.accumulate, ctx.start = idx, accumulate, start
        ctx.v_meta = (values._t.shape, values._t.dtype)
        out = x._t.clone()
        _C.index_put_(out, idx, values._t, accumulate, start)
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            if ctx.accumulate:
                gx = g
            else:
                zero = V.expand(_wrap(_C.full([], 0, g._t.dtype, g._t.device)), list(ctx.v_meta[0]))
                gx = _index_put(g, ctx.idx, zero, False, ctx.start)
        if ctx.needs_input_grad[1]:
            gv = _index(g, ctx.idx, ctx.start)
        return gx, gv, None, None, None


def _index(x, idx, start=0):
    if MODE.enabled and x._rg:
        return Index.apply(x, idx, start)
    return _wrap(_C.index(x._t, idx, start))


def _index_put(x, idx, values, accumulate, start=0):
    """Out-of-place index_put with values already broadcast to the index result's shape
    (differentiable in both)."""
    if MODE.enabled and (x._rg or values._rg):
        return IndexPut.apply(x, values, idx, accumulate, start)
    out = x._t.clone()
    _C.index_put_(out, idx, values._t, accumulate, start)
    return _wrap(out)


# -- parsing an index expression ----------------------------------------------------------------------------
def _as_index_impl(obj):
    """A list / numpy array / Tensor used as an index -> a TensorImpl (int64 or a mask dtype)."""
    if isinstance(obj, Tensor):
        return obj._t
    a = np.asarray(obj.numpy() if hasattr(obj, "numpy") and not isinstance(obj, np.ndarray) else obj)
    if a.size == 0 and a.dtype.kind not in "bu":
        a = a.astype(np.int64)
    if a.dtype.kind == "b":
        a = a.astype(np.bool_)
    elif a.dtype.kind in "iu" and a.dtype != np.uint8:
        a = a.astype(np.int64)
    elif a.dtype != np.uint8:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return _C.from_numpy(np.ascontiguousarray(a))


class _Parsed:
    __slots__ = ("spec", "adv", "single_mask", "trivial")


def _norm_slice(s, size):
    step = 1 if s.step is None else operator.index(s.step)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start = 0 if s.start is None else operator.index(s.start)
    stop = size if s.stop is None else operator.index(s.stop)
    if start < 0:
        start += size
    if stop < 0:
        stop += size
    start = min(max(start, 0), size)
    stop = min(max(stop, start), size)
    length = (stop - start + step - 1) // step
    return start, length, step


def _parse(x, index):
    """Splits an index expression into a basic-view spec (views._apply_spec) and a list of
    (dim of the view, index TensorImpl) advanced entries."""
    if not isinstance(index, tuple):
        index = (index,)
    shape = x._t.shape
    nd = len(shape)
    # classify and count the dims each item consumes
    items = []
    consumed = 0
    for it in index:
        if it is None or it is Ellipsis:
            items.append(("none" if it is None else "ell", it))
        elif isinstance(it, (bool, np.bool_)):
            items.append(("bool", bool(it)))
        elif isinstance(it, slice):
            items.append(("slice", it))
            consumed += 1
        elif isinstance(it, Tensor) or isinstance(it, (list, np.ndarray)):
            impl = _as_index_impl(it)
            if impl.ndim == 0 and impl.dtype in _INDEX_DTYPES:  # torch treats it as a Python int
                items.append(("int", int(impl.item())))
                consumed += 1
            elif impl.ndim == 0 and impl.dtype == D.bool._id:
                items.append(("bool", bool(impl.item())))
            elif impl.dtype in _MASK_DTYPES:
                items.append(("mask", impl))
                consumed += impl.ndim
            elif impl.dtype in _INDEX_DTYPES:
                items.append(("tensor", impl))
                consumed += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        else:
            try:
                v = operator.index(it)
            except TypeError:
                kind = type(it).__name__
                if isinstance(it, numbers.Number):
                    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                     f"Variables are valid indices (got {kind})") from None
                raise TypeError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                                f"are valid indices (got {kind})") from None
            items.append(("int", v))
            consumed += 1
    if consumed > nd:
        if nd == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")

    p = _Parsed()
    spec, adv = [], []
    xd = 0      # next dim of x
    yd = 0      # next dim of the basic view
    seen_ell = False
    trivial = True  # spec is all full slices: the view is x itself
    for kind, it in items:
        if kind == "ell":
            # torch: the first ellipsis takes every dim not otherwise consumed, later ones none
            n = 0 if seen_ell else nd - consumed
            seen_ell = True
            for _ in range(n):
                spec.append(("slice", 0, shape[xd], 1))
                xd += 1
                yd += 1
        elif kind == "none":
            spec.append(("new",))
            trivial = False
            yd += 1
        elif kind == "bool":
            spec.append(("new",))
            trivial = False
            adv.append((yd, _C.full([1 if it else 0], 0, D.int64._id)))
            yd += 1
        elif kind == "int":
            size = shape[xd]
            if not -size <= it < size:
                raise IndexError(f"index {it} is out of bounds for dimension {xd} with size {size}")
            spec.append(("select", it + size if it < 0 else it))
            trivial = False
            xd += 1
        elif kind == "slice":
            start, length, step = _norm_slice(it, shape[xd])
            spec.append(("slice", start, length, step))
            if not (start == 0 and length == shape[xd] and (step == 1 or length <= 1)):
                trivial = False
            xd += 1
            yd += 1
        elif kind == "tensor":
            spec.append(("slice", 0, shape[xd], 1))
            adv.append((yd, it))
            xd += 1
            yd += 1
        else:  # mask
            k = it.ndim
            mshape = list(it.shape)
            for j in range(k):
                if mshape[j] != shape[xd + j]:
                    raise IndexError(f"The shape of the mask {mshape} at index {j} does not match the shape of "
                                     f"the indexed tensor {list(shape)} at index {xd + j}")
            m = it if it.dtype == D.bool._id else _C.to_dtype(it, D.bool._id, False)
            nz = _C.nonzero(m)
            n = nz.shape[0]
            for j in range(k):
                spec.append(("slice", 0, shape[xd], 1))
                adv.append((yd, nz.as_strided([n], [k], nz.offset + j)))
                xd += 1
                yd += 1
            if k == 0:  # a 0-d uint8 mask behaves as a bool scalar
                spec.append(("new",))
                trivial = False
                adv.append((yd, _C.full([1 if m.item() else 0], 0, D.int64._id)))
                yd += 1
    # torch lets host index tensors (and lists) index a device tensor: they follow it there
    dev = x._t.device
    if dev != "cpu":
        adv = [(d, t if t.device == dev else _C.to_device(t, dev, t.dtype)) for d, t in adv]
    p.spec, p.adv, p.trivial = spec, adv, trivial
    p.single_mask = len(items) == 1 and items[0][0] in ("mask", "bool")
    return p


def _adv_layout(ynd, adv):
    """perm that brings the advanced dims of the view to the front, and where B goes back."""
    dims = [d for d, _ in adv]
    # one view dim may carry one index only; parse never produces duplicates
    rest = [d for d in range(ynd) if d not in dims]
    adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
    return dims + rest, (dims[0] if adjacent else 0)


def _check_index_broadcast(adv):
    shapes = [list(t.shape) for _, t in adv]
    try:
        b = ()
        for s in shapes:
            b = _C.broadcast_shapes(list(b), s)
    except RuntimeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(s) for s in shapes)) from None
    return list(b)


def _basic_view(x, p):
    return x if p.trivial else V.basic_index(x, p.spec)


_BASIC_TYPES = (int, slice, tuple, type(None), type(Ellipsis))
_BOOL_ID = D.bool._id


def _one_tensor_index(x, index):
    """x[:, .., idx, ...] (full slices, at most one Ellipsis, one integer index tensor) as one
    index(start) call, or None for any other tuple."""
    pos = ell = None
    for j, it in enumerate(index):
        if type(it) is slice:
            if it.start is not None or it.stop is not None or it.step is not None:
                return None
        elif it is Ellipsis and ell is None:
            ell = j
        elif type(it) is Tensor and pos is None:
            pos = j
        else:
            return None
    if pos is None:
        return None
    it = index[pos]._t
    nd, n = x._t.ndim, len(index)
    if not it.ndim or it.dtype not in _INDEX_DTYPES or n - (ell is not None) > nd:
        return None
    return _index(x, [it], pos if ell is None or pos < ell else nd - (n - pos))


def getitem(self, index):
    # Fast paths for the common forms, each exactly what the general path below computes: a basic
    # index (ints, slices, None, ...) is one C++ call that builds the view; a lone integer index
    # tensor is one gather; a lone bool mask of x's shape is masked_select.
    ti = type(index)
    if ti in _BASIC_TYPES:
        if not (self._rg and MODE.enabled):
            impl = _C.basic_view(self._t, index)
            if impl is not None:
                return _view_out(self, impl)
        if ti is tuple:
            r = _one_tensor_index(self, index)
            if r is not None:
                return r
    elif ti is Tensor:
        it, t = index._t, self._t
        if it.ndim and t.ndim:
            dt = it.dtype
            if dt in _INDEX_DTYPES:
                return _index(self, [it])
            if dt == _BOOL_ID and it.shape == t.shape:
                return masked_select(self, index)
    p = _parse(self, index)
    y = _basic_view(self, p)
    if not p.adv:
        return y
    idx = [t for _, t in p.adv]
    if len(idx) > 1:
        _check_index_broadcast(p.adv)
    dims = [d for d, _ in p.adv]
    if dims[-1] - dims[0] == len(dims) - 1:
        # adjacent advanced dims: the result keeps B where they stood, which is what index(start) gives
        return _index(y, idx, dims[0])
    perm, pos = _adv_layout(y._t.ndim, p.adv)
    yp = y if perm == list(range(len(perm))) else V.permute(y, perm)
    r = _index(yp, idx)
    if pos > 0:
        nb = r._t.ndim - (y._t.ndim - len(idx))
        order = list(range(nb, nb + pos)) + list(range(nb)) + list(range(nb + pos, r._t.ndim))
        r = V.permute(r, order)
    return r


def _strip_leading_ones(v, ndim):
    shape = list(v._t.shape)
    k = 0
    while len(shape) - k > ndim and shape[k] == 1:
        k += 1
    return V.reshape(v, shape[k:]) if k else v


_NUMBER_TYPES = (int, float, bool)


def setitem(self, index, value):
    if not (MODE.enabled and (self._rg or (type(value) is Tensor and value._rg))):
        # Fast paths (no autograd): a basic index takes fill_/copy_ on the view; x[mask] = number with
        # a full-shape bool mask is masked_fill_; x[idx] = number is one index_put_. The general path
        # below does the same through more steps.
        ti, tv = type(index), type(value)
        t = self._t
        if ti in _BASIC_TYPES:
            if tv in _NUMBER_TYPES or (tv is Tensor and value._t.dtype == t.dtype):
                impl = _C.basic_view(t, index)
                if impl is not None:
                    if tv is not Tensor:
                        if impl.numel:
                            _C.fill_(impl, value)
                            t.bump_version()
                        return
                    if value._t.shape == impl.shape:
                        if impl.numel:
                            _C.copy_(impl, value._t)
                            t.bump_version()
                        return
        elif ti is Tensor and tv in _NUMBER_TYPES:
            it = index._t
            if it.ndim and t.ndim:
                dt = it.dtype
                if dt == _BOOL_ID and it.shape == t.shape and it.storage_id != t.storage_id:
                    _C.masked_fill_(t, it, value)
                    t.bump_version()
                    return
                if dt in _INDEX_DTYPES:
                    _C.index_put_(t, [it], _C.full([], value, t.dtype, t.device), False)
                    t.bump_version()
                    return
    p = _parse(self, index)
    if isinstance(value, Tensor):
        v = value
    elif isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, (list, tuple)):
        v = None
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a tensorlite.{_type_name(self)}")
    grad = MODE.enabled and (self._rg or (v is not None and v._rg))
    if grad:
        from .inplace import check_inplace
        check_inplace(self)
    y = _basic_view(self, p)
    if y._t.numel == 0 and not grad and not p.adv:
        # nothing to write; only the shapes must agree (fill_/copy_ reject the stride-0 geometry
        # that empty tensors may carry)
        if v is not None:
            _strip_and_check(v, y)
        return
    if not p.adv:
        if not grad:
            if v is None:
                _C.fill_(y._t, value)
            else:
                v = _strip_leading_ones(v, y._t.ndim)
                _strip_and_check(v, y)
                _C.copy_(y._t, v._t)
            y._t.bump_version()
            return
        # x := x with the region replaced, recorded as one out-of-place op so that the overwritten
        # elements get no gradient even when the value is a constant
        if v is None:
            v = _wrap(_C.full([], value, self._t.dtype, self._t.device))
        v = _strip_leading_ones(v, y._t.ndim)
        _strip_and_check(v, y)
        if v.dtype != self.dtype:
            from .convert import _to_dtype
            v = _to_dtype(v, self.dtype, False)
        if tuple(v._t.shape) != tuple(y._t.shape):
            v = V.expand(v, list(y._t.shape))
        from .inplace import _inplace_op
        spec = [] if p.trivial else p.spec
        _inplace_op(self, lambda c: SliceScatter.apply(c, v, spec))
        return
    # advanced
    perm, pos = _adv_layout(y._t.ndim, p.adv)
    # Adjacent advanced dims are indexed in place (index_put_'s start = pos) and the values keep
    # torch's layout; otherwise pos is 0 and the advanced dims are permuted to the front.
    yp = y if pos > 0 or perm == list(range(len(perm))) else V.permute(y, perm)
    idx = [t for _, t in p.adv]
    b = _check_index_broadcast(p.adv)
    rest = [y._t.shape[d] for d in perm[len(idx):]]
    r_torch = rest[:pos] + b + rest[pos:]     # the indexing result's shape in torch's layout
    if v is None:
        v = _wrap(_C.full([], value, self._t.dtype, self._t.device))
    elif v.dtype != self.dtype:
        if p.single_mask and v._t.ndim == 0:
            from .convert import _to_dtype
            v = _to_dtype(v, self.dtype, False)
        else:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_torch_name(self._t.dtype)} for the destination and {_torch_name(v._t.dtype)} "
                               f"for the source.")
    v = _strip_leading_ones(v, len(r_torch))
    try:
        ok = tuple(_C.broadcast_shapes(r_torch, list(v._t.shape))) == tuple(r_torch)
    except RuntimeError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v._t.shape)} cannot be broadcast to "
                           f"indexing result of shape {r_torch}")
    if tuple(v._t.shape) != tuple(r_torch):
        v = V.expand(v, r_torch)
    if not grad:
        _C.index_put_(yp._t, idx, v._t, False, pos)
        yp._t.bump_version()
        return
    from .inplace import _inplace_op
    _inplace_op(yp, lambda c: _index_put(c, idx, v, False, pos))


def _strip_and_check(v, y):
    v = _strip_leading_ones(v, y._t.ndim)
    try:
        ok = tuple(_C.broadcast_shapes(list(y._t.shape), list(v._t.shape))) == tuple(y._t.shape)
    except RuntimeError:
        ok = False
    if not ok:
        raise RuntimeError(f"The expanded size of the tensor does not match: value of shape {list(v._t.shape)} "
                           f"cannot be broadcast to the indexed region of shape {list(y._t.shape)}")


class SliceScatter(Function):
    """Out of place: a copy of x whose basic-indexing region `spec` is replaced by v (v has the
    region's shape and x's dtype)."""

    @staticmethod
    def forward(ctx, x, v, spec):
        ctx.spec = spec
        out = x._t.clone()
        if v._t.numel:
            _C.copy_(out.as_strided(*V._apply_spec(list(out.shape), list(out.strides), 0, spec)), v._t)
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            region = V.basic_index(g, ctx.spec)
            zero = V.expand(_wrap(_C.full([], 0, g._t.dtype, g._t.device)), list(region._t.shape))
            gx = SliceScatter.apply(g, zero, ctx.spec)
        if ctx.needs_input_grad[1]:
            gv = V.basic_index(g, ctx.spec)
        return gx, gv, None


def _type_name(t):
    return {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor", "int32": "IntTensor",
            "uint8": "ByteTensor", "bool": "BoolTensor"}[t.dtype.name]


# -- index_select / gather / scatter / index_add ---------------------------------------------------------------
def _check_tensor(name, arg, x, like=None):
    """x must be a Tensor, on like's device when `like` is given (torch's check for these ops; only
    __getitem__/__setitem__ let host indices index a device tensor)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    if like is not None and like._t.device != x._t.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{like._t.device} and {x._t.device}! (when checking argument for argument {arg} in "
                           f"method {name})")


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.in_shape = dim, index, x._t.shape
        return _wrap(_C.index_select(x._t, dim, index._t))

    @staticmethod
    def backward(ctx, g):
        z = _wrap(_zeros(ctx.in_shape, g._t.dtype, g._t.device))
        return index_add(z, ctx.dim, ctx.index, g), None, None


def index_select(input, dim, index):
    _check_tensor("index_select", "index", index, input)
    if MODE.enabled and input._rg:
        return IndexSelect.apply(input, dim, index)
    return _wrap(_C.index_select(input._t, dim, index._t))


class IndexAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, index, source, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = x._t.clone()
        _C.index_add_(out, dim, index._t, source._t, alpha)
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        gx = g if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[3]:
            gs = index_select(g, ctx.dim, ctx.index)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return gx, None, None, gs, None


def index_add(input, dim, index, source, *, alpha=1):
    _check_tensor("index_add", "index", index, input)
    _check_tensor("index_add", "source", source, input)
    if MODE.enabled and (input._rg or source._rg):
        return IndexAdd.apply(input, dim, index, source, alpha)
    out = input._t.clone()
    _C.index_add_(out, dim, index._t, source._t, alpha)
    return _wrap(out)


def index_add_(self, dim, index, source, *, alpha=1):
    _check_tensor("index_add_", "index", index, self)
    _check_tensor("index_add_", "source", source, self)
    if MODE.enabled and (self._rg or source._rg):
        from .inplace import _inplace_op
        return _inplace_op(self, lambda c: index_add(c, dim, index, source, alpha=alpha))
    _C.index_add_(self._t, dim, index._t, source._t, alpha)
    self._t.bump_version()
    return self


class Gather(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.in_shape = dim, index, x._t.shape
        return _wrap(_C.gather(x._t, dim, index._t))

    @staticmethod
    def backward(ctx, g):
        z = _wrap(_zeros(ctx.in_shape, g._t.dtype, g._t.device))
        return scatter_add(z, ctx.dim, ctx.index, g), None, None


def gather(input, dim, index, *, sparse_grad=False):
    _check_tensor("gather", "index", index, input)
    if MODE.enabled and input._rg:
        return Gather.apply(input, dim, index)
    return _wrap(_C.gather(input._t, dim, index._t))


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(V.reshape(input, [-1]), 0, V.reshape(indices, [-1]))
    nd = max(input._t.ndim, indices._t.ndim)
    d = dim % max(nd, 1)
    # broadcast every dim but `dim`
    a = [1] * (nd - input._t.ndim) + list(input._t.shape)
    b = [1] * (nd - indices._t.ndim) + list(indices._t.shape)
    a1, b1 = list(a), list(b)
    a1[d] = b1[d] = 1
    shape = list(_C.broadcast_shapes(a1, b1))
    s_in, s_idx = list(shape), list(shape)
    s_in[d], s_idx[d] = a[d], b[d]
    x = V.reshape(input, a) if len(a) != input._t.ndim else input
    i = V.reshape(indices, b) if len(b) != indices._t.ndim else indices
    return gather(V.expand(x, s_in), d, V.expand(i, s_idx))


class Scatter(Function):
    """out = x.scatter(dim, index, src) (src a Tensor) or x.scatter(dim, index, value)."""

    @staticmethod
    def forward(ctx, x, dim, index, src, value):
        ctx.dim, ctx.index = dim, index
        ctx.src_shape = src._t.shape if src is not None else None
        out = x._t.clone()
        if src is not None:
            _C.scatter_(out, dim, index._t, src._t)
        else:
            _C.scatter_value_(out, dim, index._t, value)
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        gx = scatter(g, ctx.dim, ctx.index, 0.0) if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _gather_into(g, ctx.dim, ctx.index, ctx.src_shape)
        return gx, None, None, gs, None


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src._t.shape
        out = x._t.clone()
        _C.scatter_add_(out, dim, index._t, src._t)
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        gx = g if ctx.needs_input_grad[0] else None
        gs = _gather_into(g, ctx.dim, ctx.index, ctx.src_shape) if ctx.needs_input_grad[3] else None
        return gx, None, None, gs


def _gather_into(g, dim, index, src_shape):
    """grad of src for scatter: g gathered at index, placed in the leading corner of src's shape
    (src may be larger than index; the rest of src is not read)."""
    r = gather(g, dim, index)
    if tuple(r._t.shape) == tuple(src_shape):
        return r
    z = _wrap(_zeros(src_shape, g._t.dtype, g._t.device))
    if len(src_shape) == 0:
        return V.reshape(r, [])
    return _slice_scatter(z, r)


def _slice_scatter(z, r):
    """z with its leading corner (r's shape) replaced by r; differentiable in r."""
    spec = [("slice", 0, s, 1) for s in r._t.shape]
    return _CornerScatter.apply(r, z._t.shape, spec)


class _CornerScatter(Function):
    @staticmethod
    def forward(ctx, r, shape, spec):
        ctx.spec = spec
        out = _zeros(shape, r._t.dtype, r._t.device)
        sh, st, off = V._apply_spec(list(shape), V._contig(shape), 0, spec)
        _C.copy_(out.as_strided(sh, st, off), r._t)
        return _wrap(out)

    @staticmethod
    def backward(ctx, g):
        return V.basic_index(g, ctx.spec), None, None


def _scatter_args(name, src, value, kw):
    if "reduce" in kw and kw["reduce"] is not None:
        raise NotImplementedError(f"{name}: the reduce argument is not supported by tensorlite")
    if src is None and value is None:
        raise TypeError(f"{name}() missing required argument 'src' or 'value'")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    return src, value


def scatter(input, dim, index, src=None, value=None, **kw):
    _check_tensor("scatter", "index", index, input)
    src, value = _scatter_args("scatter", src, value, kw)
    if MODE.enabled and (input._rg or (src is not None and src._rg)):
        return Scatter.apply(input, dim, index, src, value)
    out = input._t.clone()
    if src is not None:
        _C.scatter_(out, dim, index._t, src._t)
    else:
        _C.scatter_value_(out, dim, index._t, value)
    return _wrap(out)


def scatter_(self, dim, index, src=None, value=None, **kw):
    _check_tensor("scatter_", "index", index, self)
    src, value = _scatter_args("scatter_", src, value, kw)
    if MODE.enabled and (self._rg or (src is not None and src._rg)):
        from .inplace import _inplace_op
        return _inplace_op(self, lambda c: scatter(c, dim, index, src, value))
    if src is not None:
        _C.scatter_(self._t, dim, index._t, src._t)
    else:
        _C.scatter_value_(self._t, dim, index._t, value)
    self._t.bump_version()
    return self


def scatter_add(input, dim, index, src):
    _check_tensor("scatter_add", "index", index, input)
    _check_tensor("scatter_add", "src", src, input)
    if MODE.enabled and (input._rg or src._rg):
        return ScatterAdd.apply(input, dim, index, src)
    out = input._t.clone()
    _C.scatter_add_(out, dim, index._t, src._t)
    return _wrap(out)


def scatter_add_(self, dim, index, src):
    _check_tensor("scatter_add_", "index", index, self)
    _check_tensor("scatter_add_", "src", src, self)
    if MODE.enabled and (self._rg or src._rg):
        from .inplace import _inplace_op
        return _inplace_op(self, lambda c: scatter_add(c, dim, index, src))
    _C.scatter_add_(self._t, dim, index._t, src._t)
    self._t.bump_version()
    return self


# -- index_put (the functional form of advanced __setitem__) ----------------------------------------------------
def _check_put_indices(name, indices):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")


def _put_prepare(x, indices, values):
    """indices over x's leading dims (bool masks expanded), values broadcast to B + rest."""
    adv = []
    d = 0
    for t in indices:
        impl = _as_index_impl(t)
        if impl.dtype in _MASK_DTYPES:
            m = impl if impl.dtype == D.bool._id else _C.to_dtype(impl, D.bool._id, False)
            nz = _C.nonzero(m)
            for j in range(m.ndim):
                adv.append((d, nz.as_strided([nz.shape[0]], [m.ndim], nz.offset + j)))
                d += 1
        else:
            adv.append((d, impl))
            d += 1
    if d > x._t.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x._t.ndim}")
    b = _check_index_broadcast(adv)
    r = b + list(x._t.shape[d:])
    if values.dtype != x.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_torch_name(x._t.dtype)} for the destination and {_torch_name(values._t.dtype)} for "
                           f"the source.")
    try:
        ok = tuple(_C.broadcast_shapes(r, list(values._t.shape))) == tuple(r)
    except RuntimeError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values._t.shape)} cannot be broadcast to "
                           f"indexing result of shape {r}")
    if tuple(values._t.shape) != tuple(r):
        values = V.expand(values, r)
    return [t for _, t in adv], values


def index_put(input, indices, values, accumulate=False):
    _check_put_indices("index_put", indices)
    idx, v = _put_prepare(input, indices, values)
    return _index_put(input, idx, v, accumulate)


def index_put_(self, indices, values, accumulate=False):
    _check_put_indices("index_put_", indices)
    idx, v = _put_prepare(self, indices, values)
    if MODE.enabled and (self._rg or v._rg):
        from .inplace import _inplace_op
        return _inplace_op(self, lambda c: _index_put(c, idx, v, accumulate))
    _C.index_put_(self._t, idx, v._t, accumulate)
    self._t.bump_version()
    return self


# -- masked_select / nonzero ---------------------------------------------------------------------------------
class MaskedSelect(Function):
    @staticmethod
    def forward(ctx, x, mask):
        ctx.in_shape = x._t.shape
        shape = list(_C.broadcast_shapes(list(x._t.shape), list(mask._t.shape)))
        ctx.shape = shape
        mb = mask._t
        if list(mb.shape) != shape:
            mb = V._expand_impl(mb, shape)
        nz = _C.nonzero(mb)
        ctx.idx = [nz.as_strided([nz.shape[0]], [len(shape)], nz.offset + j) for j in range(len(shape))]
        return _wrap(_C.masked_select(x._t, mask._t))

    @staticmethod
    def backward(ctx, g):
        if not ctx.shape:  # 0-d: the mask selects the single element or nothing
            gx = IndexBackward.apply(g, [1], [_C.full([g._t.shape[0]], 0, D.int64._id, g._t.device)])
            gx = V.reshape(gx, [])
        else:
            gx = IndexBackward.apply(g, ctx.shape, ctx.idx)
        if tuple(ctx.shape) != tuple(ctx.in_shape):
            gx = gx.sum_to_size(ctx.in_shape)
        return gx, None


def masked_select(input, mask):
    _check_tensor("masked_select", "mask", mask, input)
    if MODE.enabled and input._rg:
        return MaskedSelect.apply(input, mask)
    return _wrap(_C.masked_select(input._t, mask._t))


def nonzero(input, *, as_tuple=False):
    r = _wrap(_C.nonzero(input._t))
    if not as_tuple:
        return r
    if input._t.ndim == 0:
        return (V.reshape(r, [-1]) if r._t.shape[0] else _wrap(_C.full([0], 0, D.int64._id, input._t.device)),)
    n = r._t.shape[0]
    return tuple(_wrap(r._t.as_strided([n], [input._t.ndim], r._t.offset + j)) for j in range(input._t.ndim))


def argwhere(input):
    return _wrap(_C.nonzero(input._t))


_register_methods({
    "__getitem__": getitem, "__setitem__": setitem,
    "index_select": index_select, "gather": gather, "take_along_dim": take_along_dim,
    "scatter": scatter, "scatter_": scatter_, "scatter_add": scatter_add, "scatter_add_": scatter_add_,
    "index_add": index_add, "index_add_": index_add_, "index_put": index_put, "index_put_": index_put_,
    "masked_select": masked_select, "nonzero": nonzero, "argwhere": argwhere,
})


# -- index_fill / index_copy / masked_scatter / take / put, and the counting ops ------------------------------
# Composites of the kernels above (differentiable where torch is); bincount, unique, searchsorted,
# bucketize, isin and histc have no gradient in torch and are computed with numpy.
__all__ += ["index_fill", "index_copy", "masked_scatter", "take", "put", "bincount", "unique", "unique_consecutive",
            "searchsorted", "bucketize", "isin", "histc"]


def _index_arg(name, x, dim, index):
    _check_tensor(name, "index", index, x)
    if index.dtype is not D.int64:
        raise IndexError(f"{name}_(): Expected dtype int64 for index.")
    if index._t.ndim > 1:
        raise IndexError(f"{name}_(): Index is supposed to be a vector")
    nd = x._t.ndim
    d = _wrap_dim(dim, nd)
    n = x._t.shape[d] if nd else 1
    iv = index.reshape(-1)
    if iv.numel():
        lo, hi = int(iv.min()), int(iv.max())
        bad = hi if hi >= n else (lo if lo < -n else None)
        if bad is not None:
            raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}" if name == "index_fill"
                             else f"{name}_(): index {bad} is out of bounds for dimension {d} with size {n}")
    iv = iv + (iv < 0).long() * n
    return d, n, iv


def _dim_mask(x, d, n, iv):
    m = _wrap(_zeros([n], D.bool._id, x._t.device))
    if iv.numel():
        _C.index_put_(m._t, [iv._t], _C.full([], True, D.bool._id, x._t.device), False)
    shape = [1] * x._t.ndim
    if shape:
        shape[d] = n
    return V.reshape(m, shape)


def index_fill(input, dim, index, value):
    from .elementwise import where
    d, n, iv = _index_arg("index_fill", input, dim, index)
    if isinstance(value, Tensor):
        if value._t.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._t.ndim} dimension(s).")
        v = value.to(input.dtype) if value.dtype != input.dtype else value
    else:
        v = _wrap(_C.full([], value, input._t.dtype, input._t.device))
    return where(_dim_mask(input, d, n, iv), v, input)


def index_fill_(self, dim, index, value):
    from .elementwise import _maybe_inplace
    return _maybe_inplace(True, self, lambda x: index_fill(x, dim, index, value))


def index_copy(input, dim, index, source):
    from .elementwise import where
    _check_tensor("index_copy", "source", source, input)
    d, n, iv = _index_arg("index_copy", input, dim, index)
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{input.dtype.name.capitalize()} and (source) {source.dtype.name.capitalize()}")
    if input._t.ndim == 0:
        return where(_dim_mask(input, d, n, iv), V.reshape(source, []), input)
    placed = index_add(_wrap(_zeros(list(input._t.shape), input._t.dtype, input._t.device)), d, iv, source)
    return where(_dim_mask(input, d, n, iv), placed, input)


def index_copy_(self, dim, index, source):
    from .elementwise import _maybe_inplace
    return _maybe_inplace(True, self, lambda x: index_copy(x, dim, index, source))


def masked_scatter(input, mask, source):
    _check_tensor("masked_scatter", "mask", mask, input)
    _check_tensor("masked_scatter", "source", source, input)
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{input.dtype.name.capitalize()} and {source.dtype.name.capitalize()}")
    shape = list(_C.broadcast_shapes(list(input._t.shape), list(mask._t.shape)))
    x = V.expand(input, shape) if list(input._t.shape) != shape else input
    m = V.expand(mask, shape) if list(mask._t.shape) != shape else mask
    idx = nonzero(m, as_tuple=True)
    k = idx[0]._t.shape[0] if idx else int(m.item())
    if source.numel() < k:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    vals = V.narrow(V.reshape(source, [-1]), 0, 0, k)
    if not shape:
        from .elementwise import where
        return where(m, V.reshape(vals, []) if k else x, x)
    return index_put(x.clone() if x is not input else x, idx, vals)


def masked_scatter_(self, mask, source):
    from .elementwise import _maybe_inplace
    return _maybe_inplace(True, self, lambda x: masked_scatter(x, mask, source))


def _flat_index(name, x, index):
    _check_tensor(name, "index", index, x)
    if index.dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got {index.dtype.name.capitalize()}")
    n = x.numel()
    iv = V.reshape(index, [-1])
    if iv.numel():
        lo, hi = int(iv.min()), int(iv.max())
        bad = hi if hi >= n else (lo if lo < -n else None)
        if bad is not None:
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return iv + (iv < 0).long() * n


def take(input, index):
    iv = _flat_index("take", input, index)
    return V.reshape(index_select(V.reshape(input, [-1]), 0, iv), list(index._t.shape))


def put(input, index, source, accumulate=False):
    iv = _flat_index("put", input, index)
    if source.numel() != iv.numel():
        raise RuntimeError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source.numel()}, index.numel() = {iv.numel()}")
    flat = V.reshape(input.contiguous() if input._t.is_contiguous() else input.clone(), [-1])
    out = index_put(flat, (iv,), V.reshape(source, [-1]), accumulate)
    return V.reshape(out, list(input._t.shape))


def put_(self, index, source, accumulate=False):
    from .elementwise import _maybe_inplace
    return _maybe_inplace(True, self, lambda x: put(x, index, source, accumulate))


def _np(t):
    """t's values in a numpy array (a host copy for device tensors): the ops below compute in numpy."""
    return t.detach().cpu().numpy()


def bincount(input, weights=None, minlength=0):
    from .creation import tensor
    if input.dtype.is_floating_point or input.dtype is D.bool:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_torch_name(input._t.dtype)}'")
    if input._t.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    a = _np(input)
    if a.size and a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None:
        if tuple(weights.shape) != tuple(input.shape):
            raise RuntimeError("weights should be 1-d and have the same length as input")
        w = _np(weights)
        out_dt = weights.dtype if weights.dtype.is_floating_point else D.float64
        r = np.bincount(a, weights=w.astype(np.float64), minlength=minlength)
        return tensor(r, dtype=out_dt, device=input.device)
    return tensor(np.bincount(a, minlength=minlength).astype(np.int64), device=input.device)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    from .creation import tensor
    a = _np(input)
    if dim is None:
        vals, inv, cnt = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(a.shape)
    else:
        d = _wrap_dim(dim, input._t.ndim)
        if a.shape[d] == 0:
            vals, inv, cnt = a, np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            vals, inv, cnt = np.unique(a, return_inverse=True, return_counts=True, axis=d)
            inv = inv.reshape(-1)
    out = [tensor(np.ascontiguousarray(vals), dtype=input.dtype, device=input.device)]
    if return_inverse:
        out.append(tensor(inv.astype(np.int64), device=input.device))
    if return_counts:
        out.append(tensor(cnt.astype(np.int64), device=input.device))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    from .creation import tensor
    a = _np(input)
    d = 0 if dim is None else _wrap_dim(dim, input._t.ndim)
    x = a.reshape(-1) if dim is None else np.moveaxis(a, d, 0)
    n = x.shape[0]
    if n == 0:
        keep = np.zeros(0, bool)
    else:
        flat = x.reshape(n, -1)
        keep = np.ones(n, bool)
        keep[1:] = (flat[1:] != flat[:-1]).any(axis=1) if flat.shape[1] else False
    starts = np.nonzero(keep)[0]
    vals = x[starts]
    if dim is not None:
        vals = np.moveaxis(vals, 0, d)
    out = [tensor(np.ascontiguousarray(vals), dtype=input.dtype, device=input.device)]
    if return_inverse:
        inv = np.cumsum(keep) - 1
        out.append(tensor(inv.reshape(a.shape if dim is None else (-1,)).astype(np.int64), device=input.device))
    if return_counts:
        out.append(tensor(np.diff(np.append(starts, n)).astype(np.int64), device=input.device))
    return out[0] if len(out) == 1 else tuple(out)


def _searchsorted_rule(out_int32):
    def rule(op, out, r):
        if out.dtype is not (D.int32 if out_int32 else D.int64):
            raise RuntimeError(f"torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or "
                               f"Long(int64) depending on whether out_int32 flag is True, but we got output tensor's "
                               f"dtype {O.TORCH_NAME[out.dtype.name]} and out_int32 flag is {bool(out_int32)}")
    return rule


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    from .creation import tensor
    if out is not None:  # integer positions: nothing to differentiate, so no autograd refusal
        return O.into("searchsorted", out, lambda: searchsorted(sorted_sequence, input, out_int32=out_int32,
                      right=right, side=side, sorter=sorter), rule=_searchsorted_rule(out_int32), grad=False)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    s = _np(sorted_sequence)
    scalar = not isinstance(input, Tensor)
    v = np.asarray(input) if scalar else _np(input)
    if sorter is not None:
        s = np.take_along_axis(s, _np(sorter), -1)
    how = "right" if right else "left"
    if s.ndim == 1:
        r = np.searchsorted(s, v, side=how)
    else:
        if scalar or v.shape[:-1] != s.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(s.shape)} and input value tensor "
                               f"{list(v.shape) if not scalar else []}")
        rs = s.reshape(-1, s.shape[-1])
        rv = v.reshape(-1, v.shape[-1])
        r = np.stack([np.searchsorted(a, b, side=how) for a, b in zip(rs, rv)]).reshape(v.shape)
    return tensor(np.asarray(r).astype(np.int32 if out_int32 else np.int64), device=sorted_sequence.device)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    if out is not None:
        return O.into("bucketize", out, lambda: bucketize(input, boundaries, out_int32=out_int32, right=right),
                      rule=_searchsorted_rule(out_int32), grad=False)
    if boundaries._t.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._t.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    from .creation import tensor
    e = _np(elements) if isinstance(elements, Tensor) else np.asarray(elements)
    t = _np(test_elements) if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return tensor(np.isin(e, t, invert=invert), device=elements.device if isinstance(elements, Tensor) else test_elements.device)


def histc(input, bins=100, min=0, max=0):
    from .creation import tensor
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"\"histogram_cpu\" not implemented for '{_torch_name(input._t.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0")
    a = _np(input).reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    a = a[(a >= lo) & (a <= hi)]
    r, _ = np.histogram(a, bins=bins, range=(lo, hi))
    return tensor(r.astype(_np(input).dtype), dtype=input.dtype, device=input.device)


_register_methods({
    "index_fill": index_fill, "index_fill_": index_fill_, "index_copy": index_copy, "index_copy_": index_copy_,
    "masked_scatter": masked_scatter, "masked_scatter_": masked_scatter_, "take": take, "put": put, "put_": put_,
    "bincount": bincount, "unique": unique, "unique_consecutive": unique_consecutive,
    "histc": histc,
})
