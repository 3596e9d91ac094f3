"""Tensor creation: tensor/as_tensor/from_numpy with torch's dtype inference, and the filled
constructors (zeros, ones, full, empty, *_like)."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _C
from .. import _dtype as D
from ..tensor import Tensor, _wrap

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
           "full_like", "empty_like", "scalar_tensor", "empty_strided"]


def _check_device(device):
    d = D._as_device(device)
    if d.type != "cpu":
        from ..cuda import _lazy_device_check
        _lazy_device_check(d)
    return d


def _sizes(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        out.append(int(s))
    return out


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad = True
    return t


def _infer_numpy(data):
    """numpy array with torch's dtype inference for Python data (floats -> default dtype)."""
    if isinstance(data, np.ndarray):
        return data, D._from_numpy_dtype(data.dtype)
    if isinstance(data, Tensor):
        return data._t.numpy(), data.dtype
    if isinstance(data, (list, tuple)):
        data = [_to_py(x) for x in data]
    else:
        data = _to_py(data)
    try:
        arr = np.array(data)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal-length sequences: {e}") from None
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    k = arr.dtype.kind
    if k == "f":
        # Python floats take the default dtype; only all-float32 inputs (numpy scalars, tensors) stay float32.
        return arr, (D.float32 if arr.dtype == np.float32 else D.get_default_dtype())
    if k == "b":
        return arr, D.bool
    if k in "iu":
        return arr, (D._from_numpy_dtype(arr.dtype) if arr.dtype in (np.uint8, np.int32) else D.int64)
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


def _to_py(x):
    if isinstance(x, Tensor):
        if x._t.ndim == 0:
            return x._t.numpy()[()]
        return x._t.numpy()
    if isinstance(x, (list, tuple)):
        return [_to_py(v) for v in x]
    return x


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    _check_device(device)
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
                      "sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        impl = _C.to_dtype(data._t, (dtype or data.dtype)._id, True)
        return _finish(_wrap(impl), requires_grad)
    arr, inferred = _infer_numpy(data)
    dt = dtype or inferred
    # from_numpy on a private copy: the new tensor owns its memory
    impl = _C.from_numpy(np.array(arr, dtype=dt._np, order="C", copy=True))
    return _finish(_wrap(impl), requires_grad)


def as_tensor(data, dtype=None, device=None):
    _check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or dtype == data.dtype:
            return data
        return data.to(dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data) if data.dtype.kind in "biuf" and data.dtype.itemsize in (1, 4, 8) else None
        if t is not None and (dtype is None or dtype == t.dtype):
            return t
        return tensor(data, dtype=dtype)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _wrap(_C.from_numpy(ndarray))


def _rebuild(arr, requires_grad):
    t = _wrap(_C.from_numpy(arr))
    t._rg = requires_grad
    return t


def _dt(dtype):
    return (dtype or D.get_default_dtype())._id


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None, pin_memory=False):
    _check_device(device)
    return _finish(_wrap(_C.empty(_sizes(size), _dt(dtype))), requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(_wrap(_C.empty_strided(list(size), list(stride), _dt(dtype))), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = D.bool
        elif isinstance(fill_value, numbers.Integral):
            dtype = D.int64
        else:
            dtype = D.get_default_dtype()
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish(_wrap(_C.full(_sizes((size,) if isinstance(size, int) else size), fill_value, dtype._id)),
                   requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    _check_device(device)
    return _finish(_wrap(_C.full(_sizes(size), 0, _dt(dtype))), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    _check_device(device)
    return _finish(_wrap(_C.full(_sizes(size), 1, _dt(dtype))), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return full((), s, dtype=dtype or D.get_default_dtype(), device=device, requires_grad=requires_grad)


def _like_dtype(t, dtype):
    return (dtype or t.dtype)._id


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(_wrap(_C.empty(list(input._t.shape), _like_dtype(input, dtype))), requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(_wrap(_C.full(list(input._t.shape), 0, _like_dtype(input, dtype))), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(_wrap(_C.full(list(input._t.shape), 1, _like_dtype(input, dtype))), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(_wrap(_C.full(list(input._t.shape), fill_value, _like_dtype(input, dtype))), requires_grad)
