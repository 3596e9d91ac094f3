"""dtypes and devices, named and printed as torch names them."""
from __future__ import annotations

import numpy as np


class dtype:
    __slots__ = ("name", "_id", "itemsize", "is_floating_point", "is_signed", "_np")

    def __init__(self, name, _id, itemsize, is_floating_point, is_signed, np_dtype):
        self.name = name
        self._id = _id
        self.itemsize = itemsize
        self.is_floating_point = is_floating_point
        self.is_signed = is_signed
        self._np = np.dtype(np_dtype)

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return "tensorlite." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


# The ids are the C++ enum values (csrc/core/dtype.h); their order is the promotion lattice.
bool = dtype("bool", 0, 1, False, False, np.bool_)
uint8 = dtype("uint8", 1, 1, False, False, np.uint8)
int32 = dtype("int32", 2, 4, False, True, np.int32)
int64 = dtype("int64", 3, 8, False, True, np.int64)
float32 = dtype("float32", 4, 4, True, True, np.float32)
float64 = dtype("float64", 5, 8, True, True, np.float64)

_BY_ID = (bool, uint8, int32, int64, float32, float64)
_BY_NAME = {d.name: d for d in _BY_ID}
_BY_NP = {d._np: d for d in _BY_ID}

# torch's aliases
float = float32
double = float64
long = int64
int = int32

_default_dtype = float32


def _dtype_by_name(name):
    return _BY_NAME[name]


def _from_numpy_dtype(npd):
    try:
        return _BY_NP[np.dtype(npd)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(npd).type.__name__}. The only supported types are: "
            "float64, float32, int64, int32, uint8, and bool.") from None


def get_default_dtype():
    return _default_dtype


def set_default_dtype(d):
    global _default_dtype
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    from . import _C  # the C++ side uses it for Python floats and int -> float results
    _C.set_default_dtype(d._id)
    _default_dtype = d


class device:
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type!r}")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type}")
            type, idx = type.split(":", 1)
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = builtins_int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"


import builtins as _builtins  # noqa: E402

builtins_int = _builtins.int
_CPU = device("cpu")


def _as_device(d):
    if d is None:
        return _CPU
    if isinstance(d, device):
        return d
    if isinstance(d, _builtins.int):
        return device("cuda", d)
    return device(d)
