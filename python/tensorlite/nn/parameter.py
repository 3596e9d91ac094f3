"""nn.Parameter and nn.Buffer: tensors a Module registers when they are assigned as attributes.

A Parameter is a Tensor subclass that shares the memory of the tensor it wraps and requires grad by
default; ops on it return plain Tensors (as in torch), so only the leaf is a Parameter. A Buffer is
the marker torch 2.x uses to register a buffer by assignment (`self.running_mean = nn.Buffer(t)`).
"""
from __future__ import annotations

from ..tensor import Tensor, _init, _new

__all__ = ["Parameter", "Buffer"]


def _impl_of(data, what):
    if data is None:
        from .. import _C
        from .._dtype import get_default_dtype
        return _C.empty([0], get_default_dtype()._id)
    if not isinstance(data, Tensor):
        raise TypeError(f"{what}(): argument 'data' must be Tensor, not {type(data).__name__}")
    return data._t


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        t = _new(cls)
        _init(t, _impl_of(data, "Parameter"))
        if requires_grad and not t.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = bool(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        # as torch: the values and requires_grad, not .grad (a deep-copied model starts without grads)
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._t.clone()), self._rg)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        # pickling (deepcopy of a module, DataLoader workers): the values, then a Parameter around them
        return (_rebuild_parameter, (Tensor._make(self._t), self._rg))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    # isinstance(t, Buffer) is true for the tensors Buffer() returns, as torch's Buffer does
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and getattr(obj, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """nn.Buffer(data, persistent=True): assigning one to a Module attribute registers a buffer."""

    def __new__(cls, data=None, *, persistent=True):
        impl = _impl_of(data, "Buffer")
        t = _BufferTensor.__new__(_BufferTensor)
        _init(t, impl)
        t._is_buffer = True
        t.persistent = persistent
        return t


class _BufferTensor(Tensor):
    """The tensor Buffer() hands back; Module.__setattr__ unwraps it into a plain tensor."""

    def __new__(cls, *args, **kwargs):
        return _new(cls)
