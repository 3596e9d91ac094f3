"""tensorlite: a small deep-learning framework with hand-written C++/CUDA kernels and PyTorch's API.

    import tensorlite as torch
"""
from __future__ import annotations

import builtins as _builtins

from . import _C
from ._dtype import (dtype, device, bool, uint8, int32, int64, float32, float64, float, double, long, int,
                     get_default_dtype, set_default_dtype)
from .tensor import Tensor, Size
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from . import autograd
from .ops import *  # noqa: F401,F403
from .ops import creation, views, convert, elementwise  # noqa: F401
from .ops.creation import *  # noqa: F401,F403
from .ops.views import *  # noqa: F401,F403
from .ops.convert import *  # noqa: F401,F403
from .ops.elementwise import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .random import default_generator  # noqa: F401
from ._repr import set_printoptions  # noqa: F401
from . import cuda  # noqa: F401
from .cuda import OutOfMemoryError  # noqa: F401  (torch.OutOfMemoryError, a RuntimeError)
from . import backends  # noqa: F401
from . import __config__  # noqa: F401
from ._optional import import_families as _import_families

__version__ = _C.version

_import_families(globals())
from . import nn  # noqa: E402,F401  (after the op families: nn.functional wraps them)
from .serialization import save, load  # noqa: E402,F401
from . import utils  # noqa: E402,F401  (torch.utils.data is reachable after import torch)


def set_num_threads(n):
    """Threads used by tensorlite's OpenMP kernels (default: all cores, or OMP_NUM_THREADS)."""
    if not isinstance(n, _builtins.int) or isinstance(n, _builtins.bool) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n!r}")
    _C.set_num_threads(n)


def get_num_threads():
    return _C.get_num_threads()


def set_float32_matmul_precision(precision):
    """torch.set_float32_matmul_precision: "highest" (default: full float32), "high" or "medium" (both let
    CUDA float32 matrix products use TF32 tensor cores; tensorlite has no bfloat16 path for "medium").
    The same switch as backends.cuda.matmul.allow_tf32. An unknown level warns and changes nothing, as torch."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if not _C.set_float32_matmul_precision(precision):
        import warnings
        # torch's wording, missing space included
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)


def get_float32_matmul_precision():
    return _C.get_float32_matmul_precision()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    from ._dtype import _BY_ID
    if isinstance(tensor1, Tensor) and isinstance(tensor2, Tensor):
        return _BY_ID[_C.result_type(tensor1._t, tensor2._t)]
    if isinstance(tensor1, Tensor):
        return _BY_ID[_C.result_type_scalar(tensor1._t, tensor2)]
    if isinstance(tensor2, Tensor):
        return _BY_ID[_C.result_type_scalar(tensor2._t, tensor1)]
    from .ops.creation import tensor
    return _BY_ID[_C.result_type(tensor(tensor1)._t, tensor(tensor2)._t)]


def can_cast(from_, to):
    return _C.can_cast(from_._id, to._id)


def promote_types(type1, type2):
    from ._dtype import _BY_ID
    return _BY_ID[_builtins.max(type1._id, type2._id)]
