"""Tensor creation: tensor/as_tensor/from_numpy with torch's dtype inference, the filled constructors
(zeros, ones, full, empty, *_like), the range factories (arange, linspace, logspace, eye) and DLPack
interchange (from_dlpack, Tensor.__dlpack__)."""
from __future__ import annotations

import builtins
import numbers

import numpy as np

from .. import _C
from .. import _dtype as D
from ..tensor import Tensor, _wrap, _register_methods
from . import out as O

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "scalar_tensor", "empty_strided", "arange",
           "range", "linspace", "logspace", "eye"]

_range = builtins.range


def _check_device(device):
    """The C++ core's name for `device` ("cpu" or "cuda:N", the current device when no index is
    given), after checking that it can be used (torch's errors otherwise)."""
    if device is None:
        return "cpu"
    d = D._as_device(device)
    if d.type == "cpu":
        return "cpu"
    from ..cuda import _lazy_device_check
    _lazy_device_check(d)
    return f"cuda:{_C.cuda_current_device() if d.index is None else d.index}"


def _on(impl, dev):
    """impl moved to `dev` (a _check_device name), or impl itself when it is there already."""
    return impl if dev == "cpu" and impl.device == "cpu" else _C.to_device(impl, dev, impl.dtype)


def _like_device(input, device):
    return input._t.device if device is None else _check_device(device)


def _sizes(size, op="empty"):
    """torch's int-list argument: varargs ints, or one tuple/list/Size (elements may be 0-d int tensors)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif len(size) > 1 and any(isinstance(s, (tuple, list)) for s in size):
        raise TypeError(f"{op}() takes 1 positional argument but {len(size)} were given")
    out = []
    for i, s in enumerate(size):
        if isinstance(s, Tensor):
            if s.dtype.is_floating_point or s.numel() != 1:
                raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type Tensor "
                                f"at pos {i}")
            s = int(s)
        if not isinstance(s, numbers.Integral):
            raise TypeError(f"{op}(): argument 'size' (position 1) must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {i}")
        out.append(int(s))
    return out


def _finish(t, requires_grad):
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = True
    return t


# -- tensor(): torch's dtype inference ------------------------------------------------------------------------
_PY_SCALARS = (bool, int, float)


def _promote(a, b):
    if a is None:
        return b
    return a if a._id >= b._id else b  # the dtype ids are ordered as the promotion lattice


def _is_sequence(x):
    return isinstance(x, (list, tuple, _range)) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _scalar_dtype(x):
    """dtype torch infers for one non-sequence item (torch/csrc/utils/tensor_new.cpp infer_scalar_type)."""
    if isinstance(x, (np.generic, np.ndarray)):  # before float: np.float64 subclasses float
        return D._from_numpy_dtype(x.dtype)
    if isinstance(x, bool):
        return D.bool
    if isinstance(x, int):
        return D.int64
    if isinstance(x, float):
        return D.get_default_dtype()
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, complex):
        raise TypeError("tensorlite does not support complex tensors")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    if isinstance(x, numbers.Integral):
        return D.int64
    if isinstance(x, numbers.Real):
        return D.get_default_dtype()
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _infer_dtype(x):
    if not _is_sequence(x):
        return _scalar_dtype(x)
    if isinstance(x, np.ndarray):
        return D._from_numpy_dtype(x.dtype)
    if len(x) == 0:
        return D.get_default_dtype()
    types = set(map(type, x))
    if types <= {bool, int, float}:  # the common leaf list, without a Python call per item
        dt = None
        for t, d in ((bool, D.bool), (int, D.int64), (float, D.get_default_dtype())):
            if t in types:
                dt = _promote(dt, d)
        return dt
    dt = None
    for item in x:
        dt = _promote(dt, _infer_dtype(item))
    return dt


def _compute_sizes(x):
    sizes = []
    while _is_sequence(x):
        n = len(x)
        sizes.append(n)
        if n == 0:
            break
        x = x[0]
    return sizes


def _store(x, sizes, dim, out):
    """Flattens x into out (Python scalars), checking it has the shape `sizes` (torch's recursive_store)."""
    if dim == len(sizes):
        if isinstance(x, Tensor):
            if x.numel() != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            out.append(x.item())
        elif isinstance(x, (np.generic, np.ndarray)):
            if np.ndim(x) != 0:
                raise ValueError("only one element tensors can be converted to Python scalars")
            out.append(x.item())
        elif _is_sequence(x):
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as a number")
        else:
            out.append(x)
        return
    if not _is_sequence(x):
        raise TypeError("not a sequence")
    n = sizes[dim]
    if len(x) != n:
        raise ValueError(f"expected sequence of length {n} at dim {dim} (got {len(x)})")
    if dim + 1 == len(sizes) and isinstance(x, (list, tuple)) and set(map(type, x)) <= {bool, int, float}:
        out.extend(x)
        return
    for item in x:
        _store(item, sizes, dim + 1, out)


_INT_RANGE = {"uint8": (0, 255), "int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}


def _checked_cast(arr, dt):
    """Converts Python-scalar data (bool/int64/float64 array) to dt, raising torch's overflow error where it
    checks each value (c10::checked_convert)."""
    if dt.is_floating_point or dt == D.bool:
        with np.errstate(over="ignore"):
            return arr.astype(dt._np)
    lo, hi = _INT_RANGE[dt.name]
    if arr.size:
        if arr.dtype.kind == "f":
            bad = ~np.isfinite(arr) | (arr < lo) | (arr > hi)
        elif dt.name == "uint8":
            bad = (arr < -255) | (arr > 255)  # an unsigned target wraps negatives of the same width, as torch
        else:
            bad = (arr < lo) | (arr > hi)
        if np.any(bad):
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    if arr.dtype.kind == "f":
        arr = np.trunc(arr).astype(np.int64)
    return arr.astype(dt._np)


def _from_python(data, dtype):
    """(numpy array, dtype) for nested Python data, with torch's inference and checks."""
    inferred = _infer_dtype(data)
    dt = dtype or inferred
    sizes = _compute_sizes(data)
    numel = 1
    for s in sizes:
        numel *= s
    flat = []
    if numel:
        _store(data, sizes, 0, flat)
    try:
        arr = np.array(flat)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if arr.dtype == object or arr.dtype.kind == "u":
        raise ValueError("Overflow when unpacking long long")
    if arr.size == 0:
        arr = arr.astype(np.float64)
    return _checked_cast(arr, dt).reshape(sizes), dt


def _from_array(arr, dtype):
    src = D._from_numpy_dtype(arr.dtype)
    return np.array(arr, dtype=(dtype or src)._np, order="C", copy=True), dtype or src


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    dev = _check_device(device)
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
                      "sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        impl = _C.to_device(data._t, data._t.device if device is None else dev, (dtype or data.dtype)._id,
                            False, True)
        return _finish(_wrap(impl), requires_grad)
    if isinstance(data, np.ndarray):
        arr, dt = _from_array(data, dtype)
    else:
        arr, dt = _from_python(data, dtype)
    # from_numpy on a private contiguous copy: the new tensor owns its memory
    if not (arr.flags.c_contiguous and arr.flags.owndata):
        arr = np.array(arr, order="C", copy=True)
    return _finish(_wrap(_on(_C.from_numpy(arr), dev)), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Shares memory with `data` where it can (a Tensor of the same dtype, a numpy array of a supported
    dtype); copies otherwise."""
    dev = _check_device(device)
    if isinstance(data, Tensor):
        return data.to(dtype=dtype or data.dtype, device=device)
    if isinstance(data, np.ndarray):
        try:
            src = D._from_numpy_dtype(data.dtype)
        except TypeError:
            src = None
        if src is not None and (dtype is None or dtype == src) and all(s >= 0 for s in data.strides):
            return _wrap(_on(from_numpy(data)._t, dev))
        return tensor(data, dtype=dtype, device=device)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    if copy:
        t = tensor(obj, dtype=dtype) if not isinstance(obj, Tensor) else obj.to(dtype or obj.dtype, copy=True)
    elif hasattr(obj, "__dlpack__") and not isinstance(obj, (Tensor, np.ndarray)):
        t = from_dlpack(obj)
        t = t if dtype is None else t.to(dtype)
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    return _finish(t, requires_grad) if requires_grad else t


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _wrap(_C.from_numpy(ndarray))


def _rebuild(arr, requires_grad, device="cpu"):
    impl = _C.from_numpy(arr)
    t = _wrap(impl if device == "cpu" else _C.to_device(impl, _check_device(device), impl.dtype))
    t._rg = requires_grad
    return t


def _dt(dtype):
    return (dtype or D.get_default_dtype())._id


def _check_dtype(dtype, op):
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")


# -- filled constructors ----------------------------------------------------------------------------------
def _into(op, out, dtype, device, requires_grad, make, **kw):
    """A factory's out= form (ops/out.py): make(dtype, device) is the factory itself."""
    _check_dtype(dtype, op)
    return O.create_into(op, out, dtype, None if device is None else _check_device(device), make,
                         requires_grad, **kw)


def _arange_resized(out, r):
    import warnings
    warnings.warn(f"The number of elements in the out tensor of shape {list(out._t.shape)} is {out._t.numel} which "
                  f"does not match the computed number of elements {r._t.numel}. Note that this may occur as a "
                  f"result of rounding error. The out tensor will be resized to a tensor of shape "
                  f"({r._t.numel},).", UserWarning, stacklevel=O._caller_stacklevel())


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None, pin_memory=False,
          layout=None):
    if out is not None:
        return _into("empty", out, dtype, device, requires_grad, lambda dt, dev: empty(*size, dtype=dt, device=dev))
    dev = _check_device(device)
    _check_dtype(dtype, "empty")
    return _finish(_wrap(_C.empty(_sizes(size, "empty"), _dt(dtype), dev)), requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    dev = _check_device(device)
    return _finish(_wrap(_C.empty_strided(list(size), list(stride), _dt(dtype), dev)), requires_grad)


def _check_fill(fill_value, op):
    if isinstance(fill_value, Tensor):
        if fill_value.numel() != 1:
            raise RuntimeError(f"{op} only supports 0-dimension value tensor but got tensor with "
                               f"{fill_value.dim()} dimension(s).")
        return fill_value.item()
    if isinstance(fill_value, np.generic):
        return fill_value.item()
    if not isinstance(fill_value, numbers.Number) or isinstance(fill_value, complex):
        raise TypeError(f"{op}(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}")
    return fill_value


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    if out is not None:
        return _into("full", out, dtype, device, requires_grad,
                     lambda dt, dev: full(size, fill_value, dtype=dt, device=dev))
    dev = _check_device(device)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if dtype is None:
        if isinstance(fill_value, Tensor):
            dtype = fill_value.dtype if fill_value.dtype in (D.bool, D.int64) else D.get_default_dtype()
            if fill_value.dtype in (D.uint8, D.int32):
                dtype = D.int64
        elif isinstance(fill_value, (bool, np.bool_)):
            dtype = D.bool
        elif isinstance(fill_value, numbers.Integral):
            dtype = D.int64
        else:
            dtype = D.get_default_dtype()
    fill_value = _check_fill(fill_value, "full")
    return _finish(_wrap(_C.full(_sizes((size,), "full"), fill_value, dtype._id, dev)), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    if out is not None:
        return _into("zeros", out, dtype, device, requires_grad, lambda dt, dev: zeros(*size, dtype=dt, device=dev))
    dev = _check_device(device)
    _check_dtype(dtype, "zeros")
    return _finish(_wrap(_C.full(_sizes(size, "zeros"), 0, _dt(dtype), dev)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    if out is not None:
        return _into("ones", out, dtype, device, requires_grad, lambda dt, dev: ones(*size, dtype=dt, device=dev))
    dev = _check_device(device)
    _check_dtype(dtype, "ones")
    return _finish(_wrap(_C.full(_sizes(size, "ones"), 1, _dt(dtype), dev)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return full((), s, dtype=dtype or D.get_default_dtype(), device=device, requires_grad=requires_grad)


def _like_dtype(t, dtype):
    if not isinstance(t, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(t).__name__}")
    return (dtype or t.dtype)._id


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
               pin_memory=False):
    return _finish(_wrap(_C.empty(list(input._t.shape), _like_dtype(input, dtype), _like_device(input, device))), requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
               pin_memory=False):
    return _finish(_wrap(_C.full(list(input._t.shape), 0, _like_dtype(input, dtype), _like_device(input, device))), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
              pin_memory=False):
    return _finish(_wrap(_C.full(list(input._t.shape), 1, _like_dtype(input, dtype), _like_device(input, device))), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
              pin_memory=False):
    dt = _like_dtype(input, dtype)
    return _finish(_wrap(_C.full(list(input._t.shape), _check_fill(fill_value, "full_like"), dt,
                                 _like_device(input, device))), requires_grad)


# -- range factories ------------------------------------------------------------------------------------------
def _range_arg(x, name, op):
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise RuntimeError(f"{op}(): argument '{name}' must be a Number or a one-element Tensor")
        return x.item(), x.dtype.is_floating_point
    if isinstance(x, np.generic):
        x = x.item()
    if not isinstance(x, numbers.Number) or isinstance(x, complex):
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(x).__name__}")
    return x, isinstance(x, float) or not isinstance(x, numbers.Integral)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None, layout=None,
           pin_memory=False):
    """Values start, start + step, ... below end. dtype as torch: int64 when start, end and step are all
    integers, the default float dtype otherwise."""
    if out is not None:
        return _into("arange", out, dtype, device, requires_grad,
                     lambda dt, dev: arange(start, end, step, dtype=dt, device=dev), flat=True,
                     on_resize=_arange_resized)
    dev = _check_device(device)
    _check_dtype(dtype, "arange")
    if end is None:
        start, end = 0, start
    (start, f1), (end, f2), (step, f3) = (_range_arg(start, "start", "arange"), _range_arg(end, "end", "arange"),
                                          _range_arg(step, "step", "arange"))
    if dtype is None:
        dtype = D.get_default_dtype() if (f1 or f2 or f3) else D.int64
    return _finish(_wrap(_C.arange(start, end, step, dtype._id, dev)), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """torch.range (deprecated in torch): like arange but includes `end`; always a floating dtype."""
    import warnings
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if out is not None:
        import warnings
        with warnings.catch_warnings():  # warned once above
            warnings.simplefilter("ignore")
            return _into("range", out, dtype, device, requires_grad,
                         lambda dt, dev: range(start, end, step, dtype=dt, device=dev), flat=True)
    if end is None:
        start, end = 0, start
    n = int(np.floor((float(end) - float(start)) / float(step))) + 1
    dtype = dtype or D.get_default_dtype()
    return _finish(_wrap(_C.arange(float(start), float(start) + n * float(step) - float(step) / 2, float(step),
                                   D.float64._id, _check_device(device))).to(dtype), requires_grad)


def _steps_arg(steps, op):
    if isinstance(steps, Tensor):
        steps = int(steps)
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool):
        raise TypeError(f"{op}(): argument 'steps' (position 3) must be int, not {type(steps).__name__}")
    return int(steps)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None, layout=None,
             pin_memory=False):
    if out is not None:
        return _into("linspace", out, dtype, device, requires_grad,
                     lambda dt, dev: linspace(start, end, steps, dtype=dt, device=dev), flat=True)
    dev = _check_device(device)
    _check_dtype(dtype, "linspace")
    start, _ = _range_arg(start, "start", "linspace")
    end, _ = _range_arg(end, "end", "linspace")
    dtype = dtype or D.get_default_dtype()
    return _finish(_wrap(_C.linspace(start, end, _steps_arg(steps, "linspace"), dtype._id, dev)), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False, out=None, layout=None,
             pin_memory=False):
    if out is not None:
        return _into("logspace", out, dtype, device, requires_grad,
                     lambda dt, dev: logspace(start, end, steps, base, dtype=dt, device=dev), flat=True)
    dev = _check_device(device)
    _check_dtype(dtype, "logspace")
    start, _ = _range_arg(start, "start", "logspace")
    end, _ = _range_arg(end, "end", "logspace")
    dtype = dtype or D.get_default_dtype()
    return _finish(_wrap(_C.logspace(start, end, _steps_arg(steps, "logspace"), float(base), dtype._id, dev)),
                   requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    if out is not None:
        return _into("eye", out, dtype, device, requires_grad, lambda dt, dev: eye(n, m, dtype=dt, device=dev))
    dev = _check_device(device)
    _check_dtype(dtype, "eye")
    for name, v in (("n", n), ("m", m)):
        if v is not None and (not isinstance(v, numbers.Integral) or isinstance(v, bool)):
            raise TypeError(f"eye(): argument '{name}' (position {1 if name == 'n' else 2}) must be int, not "
                            f"{type(v).__name__}")
    m = n if m is None else m
    return _finish(_wrap(_C.eye(int(n), int(m), _dt(dtype), dev)), requires_grad)


# -- DLPack ----------------------------------------------------------------------------------------------------
_kDLCPU, _kDLCUDA = 1, 2


def from_dlpack(ext_tensor):
    """A tensor viewing the memory of `ext_tensor` (anything with __dlpack__: numpy arrays, torch tensors,
    or a raw DLPack capsule), without a copy. The producer's memory stays alive while the tensor (or any
    view of it) does."""
    if hasattr(ext_tensor, "__dlpack__"):
        dev = ext_tensor.__dlpack_device__()
        if int(dev[0]) != _kDLCPU:
            raise RuntimeError(f"from_dlpack: tensorlite can only import CPU memory, got DLPack device {tuple(dev)}")
        cap = None
        for kwargs in ({"max_version": (1, 0)}, {}):
            try:
                cap = ext_tensor.__dlpack__(**kwargs)
                break
            except TypeError:
                if not kwargs:
                    raise
    else:
        cap = ext_tensor
    impl, read_only = _C.from_dlpack(cap)
    t = _wrap(impl)
    if read_only:
        # tensorlite tensors are always writable: never hand out write access to read-only memory
        t = _wrap(impl.clone())
    return t


def __dlpack__(self, stream=None, *, max_version=None, dl_device=None, copy=None):
    if self._rg:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if dl_device is not None and tuple(int(v) for v in dl_device) != tuple(__dlpack_device__(self)):
        raise BufferError(f"tensorlite cannot export to DLPack device {tuple(dl_device)} from {self.device}")
    impl = self._t.clone() if copy else self._t
    versioned = max_version is not None and int(max_version[0]) >= 1
    return _C.to_dlpack(impl, versioned, bool(copy))


def __dlpack_device__(self):
    d = self.device
    if d.type == "cpu":
        return (_kDLCPU, 0)
    return (_kDLCUDA, d.index or 0)


_register_methods({"__dlpack__": __dlpack__, "__dlpack_device__": __dlpack_device__})


# -- Tensor.new_* : the same dtype (and device) as self unless given ------------------------------------------
def _new_dt(self, dtype):
    return self.dtype if dtype is None else dtype


def _new_dev(self, device):
    return self._t.device if device is None else device


def _new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return empty(*size, dtype=_new_dt(self, dtype), device=_new_dev(self, device), requires_grad=requires_grad)


def _new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return zeros(*size, dtype=_new_dt(self, dtype), device=_new_dev(self, device), requires_grad=requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return ones(*size, dtype=_new_dt(self, dtype), device=_new_dev(self, device), requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    return full(size, fill_value, dtype=_new_dt(self, dtype), device=_new_dev(self, device), requires_grad=requires_grad)


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                       pin_memory=False):
    return empty_strided(size, stride, dtype=_new_dt(self, dtype), device=_new_dev(self, device),
                         requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    if isinstance(data, Tensor):
        return _finish(_wrap(_C.to_device(data._t, _new_dev(self, device), _new_dt(self, dtype)._id, False, True)),
                       requires_grad)
    return tensor(data, dtype=_new_dt(self, dtype), device=_new_dev(self, device), requires_grad=requires_grad)


_register_methods({"new_empty": _new_empty, "new_zeros": _new_zeros, "new_ones": _new_ones, "new_full": _new_full,
                   "new_tensor": _new_tensor, "new_empty_strided": _new_empty_strided})
