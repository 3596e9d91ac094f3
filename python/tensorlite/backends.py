"""tensorlite.backends: build and runtime switches, torch-shaped."""
from __future__ import annotations

import types

from . import _C


def _typename(v):
    t = type(v)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


class _CudaMatmul:
    """torch.backends.cuda.matmul. `allow_tf32` lives in C++ (csrc/core/precision.h), where the CUDA GEMM
    reads it: True lets float32 products run on TF32 tensor cores (about 10 mantissa bits per input,
    float32 accumulation). Default False, as torch. Unknown names raise as torch's cuBLASModule does."""

    __slots__ = ()

    @property
    def allow_tf32(self):
        return bool(_C.get_allow_tf32())

    @allow_tf32.setter
    def allow_tf32(self, value):
        if not isinstance(value, bool):
            raise RuntimeError(f"set_allow_tf32_cublas expects a bool, but got {_typename(value)}")
        _C.set_allow_tf32(value)

    def __getattr__(self, name):  # only reached for names the class does not define
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name, value):
        if name != "allow_tf32":
            raise AttributeError("Unknown attribute " + name)
        object.__setattr__(self, name, value)


cuda = types.SimpleNamespace(is_built=lambda: bool(_C.cuda_built), matmul=_CudaMatmul())
cpu = types.SimpleNamespace(get_cpu_capability=lambda: _C.isa_selected().upper())
