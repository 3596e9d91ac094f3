"""tensorlite.cuda: device queries. The CUDA runtime issue adds allocator, streams and kernels; until
then tensors live on the CPU and asking for a CUDA tensor raises a clear RuntimeError."""
from __future__ import annotations

from . import _C


def is_available():
    return _C.cuda_device_count() > 0


def device_count():
    return _C.cuda_device_count()


def get_device_name(device=None):
    idx = 0 if device is None else (device if isinstance(device, int) else (device.index or 0))
    return _C.cuda_device_name(idx)


def is_built():
    return bool(_C.cuda_built)


def manual_seed(seed):
    """Same Philox stream as the CPU: seeding the default generator seeds both."""
    from .random import manual_seed as _ms
    _ms(seed)


manual_seed_all = manual_seed


def _lazy_device_check(d):
    if not _C.cuda_built:
        raise RuntimeError("Torch not compiled with CUDA enabled" .replace("Torch", "tensorlite"))
    if not is_available():
        raise RuntimeError("Found no NVIDIA driver on your system / no CUDA GPU is available: cannot create a "
                           f"tensor on '{d}'")
    raise RuntimeError(f"tensorlite: CUDA tensors ('{d}') are not implemented yet in this build")
