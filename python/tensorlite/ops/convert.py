"""Copies and conversions: clone, to / type / float / double / long / int / bool, copy_."""
from __future__ import annotations

from .. import _C
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import Tensor, _wrap, _register_methods

__all__ = ["clone"]


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return _wrap(x._t.clone())

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None):
    if MODE.enabled and input._rg:
        return Clone.apply(input)
    return _wrap(input._t.clone())


class ToDtype(Function):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return _wrap(_C.to_dtype(x._t, dtype._id, True))

    @staticmethod
    def backward(ctx, g):
        return _to_dtype(g, ctx.in_dtype, False), None


def _to_dtype(x, dtype, copy):
    if dtype == x.dtype and not copy:
        return x
    if MODE.enabled and x._rg and dtype.is_floating_point:
        return ToDtype.apply(x, dtype)
    return _wrap(_C.to_dtype(x._t, dtype._id, True))


class ToDevice(Function):
    """x moved to another device (and maybe dtype); the gradient goes back the same way."""

    @staticmethod
    def forward(ctx, x, device, dtype, non_blocking):
        ctx.src = (x._t.device, x.dtype)
        return _wrap(_C.to_device(x._t, device, dtype._id, non_blocking, True))

    @staticmethod
    def backward(ctx, g):
        dev, dt = ctx.src
        return _wrap(_C.to_device(g._t, dev, dt._id)), None, None, None


def _to_device(x, device, dtype, non_blocking=False, copy=False):
    """x on `device` (a name from creation._check_device) with `dtype`, differentiable."""
    if device == x._t.device:
        return _to_dtype(x, dtype, copy)
    if MODE.enabled and x._rg and dtype.is_floating_point:
        return ToDevice.apply(x, device, dtype, non_blocking)
    return _wrap(_C.to_device(x._t, device, dtype._id, non_blocking, True))


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, D.device, int)) and not isinstance(a, bool):
            device = a
        elif isinstance(a, bool):
            copy = a
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {type(a).__name__}")
    return dtype, device, copy


def to(self, *args, **kwargs):
    non_blocking = bool(kwargs.get("non_blocking", False))
    dtype, device, copy = _parse_to(args, kwargs)
    if device is None:
        return _to_dtype(self, dtype or self.dtype, copy)
    from .creation import _check_device
    return _to_device(self, _check_device(device), dtype or self.dtype, non_blocking, copy)


_TYPE_NAMES = {"torch.FloatTensor": D.float32, "torch.DoubleTensor": D.float64, "torch.LongTensor": D.int64,
               "torch.IntTensor": D.int32, "torch.ByteTensor": D.uint8, "torch.BoolTensor": D.bool}
_REV_TYPE_NAMES = {v.name: k for k, v in _TYPE_NAMES.items()}


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """x.type() names the tensor type ("torch.cuda.FloatTensor" on a GPU); x.type(t) converts to it (a
    "torch.cuda.*" name also moves to the current CUDA device, a plain one to the CPU, as in torch)."""
    if dtype is None:
        name = _REV_TYPE_NAMES[self.dtype.name]
        return name if self._t.device == "cpu" else name.replace("torch.", "torch.cuda.", 1)
    if isinstance(dtype, str):
        on_cuda = dtype.startswith("torch.cuda.")
        name = dtype.replace("torch.cuda.", "torch.", 1)
        if name not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        from .creation import _check_device
        return _to_device(self, _check_device("cuda" if on_cuda else "cpu"), _TYPE_NAMES[name], non_blocking)
    return _to_dtype(self, dtype, False)


def cpu(self, memory_format=None):
    return _to_device(self, "cpu", self.dtype)


def cuda(self, device=None, non_blocking=False, memory_format=None):
    from .creation import _check_device
    dev = "cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device)
    return _to_device(self, _check_device(dev), self.dtype, non_blocking)


def pin_memory(self, device=None):
    """torch's pin_memory(), for DataLoader(pin_memory=True) scripts. tensorlite has no page-locked host
    allocator: host-to-device copies are synchronous, so the tensor itself serves."""
    if self._t.device != "cpu":
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    return self


def is_pinned(self, device=None):
    return False


def record_stream(self, stream):
    """torch's Tensor.record_stream: this tensor's memory is also used by work queued on `stream`, so
    when it is freed the allocator waits for that work before handing the memory out again."""
    if not self.is_cuda:
        raise RuntimeError(f"record_stream: expected a CUDA tensor, got one on {self.device}")
    _C.cuda_record_stream(self._t, stream._handle)


def copy_(self, src, non_blocking=False):
    from .inplace import _inplace_op
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    if MODE.enabled and (self._rg or src._rg):
        def compute(dst):
            return expand_like(_to_device(src, dst._t.device, dst.dtype), dst)
        return _inplace_op(self, compute)
    _C.copy_(self._t, src._t, bool(non_blocking))
    self._t.bump_version()
    return self


def expand_like(x, target):
    if tuple(x._t.shape) == tuple(target._t.shape):
        return x
    return x.expand(list(target._t.shape))


def _caster(dt):
    def cast(self, memory_format=None):
        return _to_dtype(self, dt, False)
    cast.__name__ = dt.name
    return cast


_register_methods({
    "clone": clone, "to": to, "type": type_, "cpu": cpu, "cuda": cuda, "record_stream": record_stream, "copy_": copy_, "pin_memory": pin_memory,
    "is_pinned": is_pinned,
    "float": _caster(D.float32), "double": _caster(D.float64), "long": _caster(D.int64), "int": _caster(D.int32),
    "bool": _caster(D.bool), "byte": _caster(D.uint8),
})


def type_as(self, other):
    return _to_dtype(self, other.dtype, False)


_register_methods({"type_as": type_as})
