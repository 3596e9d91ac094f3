"""tensorlite.cuda: devices, memory, streams and events, with torch.cuda's names.

Everything here goes through the device runtime of the C++ core (csrc/core/runtime.h): the CUDA runtime
when tensorlite was built with nvcc and a GPU is present, or the emulated device when the environment
variable TENSORLITE_EMULATE_CUDA is set (host memory posing as a GPU, for testing the device plumbing
on machines without one). Without either, `is_available()` is False and anything that needs a device
raises a RuntimeError that says why."""
from __future__ import annotations

import contextlib

from . import _C
from . import _dtype as D

OutOfMemoryError = _C.OutOfMemoryError


def is_available():
    return _C.cuda_device_count() > 0


def device_count():
    return _C.cuda_device_count()


def is_emulated():
    """True when "cuda" tensors live on the emulated device (see the module docstring)."""
    return bool(_C.cuda_emulated())


def is_initialized():
    return is_available()


def init():
    _require()


def _require():
    if not is_available():
        if not _C.cuda_built:
            raise AssertionError("tensorlite not compiled with CUDA enabled")
        raise RuntimeError("Found no NVIDIA driver on your system, or no CUDA GPU is available. tensorlite was "
                           "built with CUDA, but cannot use it on this machine.")


def _index(device):
    """torch's device argument for tensorlite.cuda functions: None (current), int, str or device."""
    if device is None:
        return current_device()
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    d = D.device(device) if not isinstance(device, D.device) else device
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_device() if d.index is None else d.index


def current_device():
    _require()
    return _C.cuda_current_device()


def set_device(device):
    _require()
    _C.cuda_set_device(_index(device))


def synchronize(device=None):
    _require()
    _C.cuda_synchronize(_index(device))


def get_device_name(device=None):
    _require()
    return _C.cuda_device_name(_index(device))


class _DeviceProperties:
    def __init__(self, idx):
        self.name = _C.cuda_device_name(idx)
        self.total_memory = _C.cuda_mem_get_info(idx)[1]

    def __repr__(self):
        return f"_CudaDeviceProperties(name='{self.name}', total_memory={self.total_memory // (1 << 20)}MB)"


def get_device_properties(device=None):
    _require()
    return _DeviceProperties(_index(device))


class device:
    """Context manager that makes `device` the current CUDA device (torch.cuda.device)."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)
        self.prev = -1

    def __enter__(self):
        if self.idx >= 0:
            self.prev = current_device()
            if self.prev != self.idx:
                set_device(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx >= 0 and self.prev != self.idx:
            set_device(self.prev)
        return False


# -- memory ------------------------------------------------------------------------------------------
def memory_stats(device=None):
    _require()
    return dict(_C.cuda_memory_stats(_index(device)))


def memory_allocated(device=None):
    return memory_stats(device)["allocated_bytes.all.current"]


def max_memory_allocated(device=None):
    return memory_stats(device)["allocated_bytes.all.peak"]


def memory_reserved(device=None):
    return memory_stats(device)["reserved_bytes.all.current"]


def max_memory_reserved(device=None):
    return memory_stats(device)["reserved_bytes.all.peak"]


def reset_peak_memory_stats(device=None):
    _require()
    _C.cuda_reset_peak_memory_stats(_index(device))


reset_max_memory_allocated = reset_peak_memory_stats


def empty_cache():
    if is_available():
        _C.cuda_empty_cache()


def mem_get_info(device=None):
    """(free, total) bytes of the device, as the driver reports them."""
    _require()
    return tuple(_C.cuda_mem_get_info(_index(device)))


# -- streams and events -------------------------------------------------------------------------------
class Stream:
    """A CUDA stream. Kernels launched while it is current (`with tensorlite.cuda.stream(s):`) run on it,
    in order; work on different streams may overlap."""

    def __init__(self, device=None, priority=0, *, _handle=None):
        _require()
        self.device_index = _index(device)
        if _handle is None:
            self._handle = _C.cuda_stream_create(self.device_index)
            self._owned = True
        else:
            self._handle, self._owned = _handle, False

    @property
    def device(self):
        return D.device("cuda", self.device_index)

    @property
    def cuda_stream(self):
        return self._handle

    def synchronize(self):
        _C.cuda_stream_synchronize(self._handle, self.device_index)

    def query(self):
        return _C.cuda_stream_query(self._handle, self.device_index)

    def wait_event(self, event):
        event._ensure(self.device_index)
        _C.cuda_stream_wait_event(self._handle, event._handle, self.device_index)

    def wait_stream(self, stream):
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def __eq__(self, other):
        return isinstance(other, Stream) and (self._handle, self.device_index) == (other._handle, other.device_index)

    def __hash__(self):
        return hash((self._handle, self.device_index))

    def __repr__(self):
        return f"<tensorlite.cuda.Stream device=cuda:{self.device_index} cuda_stream={self._handle:#x}>"

    def __del__(self):
        if getattr(self, "_owned", False):
            # finish its work first: the allocator's pool for this stream may hand its blocks out again
            try:
                _C.cuda_stream_synchronize(self._handle, self.device_index)
                _C.cuda_stream_destroy(self._handle, self.device_index)
            except Exception:
                pass


def current_stream(device=None):
    _require()
    idx = _index(device)
    return Stream(idx, _handle=_C.cuda_current_stream(idx))


def default_stream(device=None):
    _require()
    return Stream(_index(device), _handle=0)


def set_stream(stream):
    if stream is not None:
        _C.cuda_set_current_stream(stream.device_index, stream._handle)


@contextlib.contextmanager
def stream(stream):
    """Makes `stream` current on its device for the block (torch.cuda.stream). None is a no-op."""
    if stream is None:
        yield
        return
    prev = _C.cuda_current_stream(stream.device_index)
    _C.cuda_set_current_stream(stream.device_index, stream._handle)
    try:
        yield stream
    finally:
        _C.cuda_set_current_stream(stream.device_index, prev)


class Event:
    """A marker in a stream: record it, wait for it, or time the work between two of them
    (`start.elapsed_time(end)` in milliseconds, with enable_timing=True)."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self.enable_timing = enable_timing
        self._handle = None
        self.device_index = None

    def _ensure(self, idx):
        if self._handle is None:
            self.device_index = idx
            self._handle = _C.cuda_event_create(idx, self.enable_timing)

    def record(self, stream=None):
        stream = stream or current_stream()
        self._ensure(stream.device_index)
        if stream.device_index != self.device_index:
            raise RuntimeError(f"Event device cuda:{self.device_index} does not match recording stream's device "
                               f"cuda:{stream.device_index}")
        _C.cuda_event_record(self._handle, stream._handle, self.device_index)

    def wait(self, stream=None):
        (stream or current_stream()).wait_event(self)

    def query(self):
        return True if self._handle is None else _C.cuda_event_query(self._handle, self.device_index)

    def synchronize(self):
        if self._handle is not None:
            _C.cuda_event_synchronize(self._handle, self.device_index)

    def elapsed_time(self, end_event):
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if self._handle is None or end_event._handle is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return _C.cuda_event_elapsed_ms(self._handle, end_event._handle, self.device_index)

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            try:
                _C.cuda_event_destroy(self._handle, self.device_index)
            except Exception:
                pass


# -- random numbers --------------------------------------------------------------------------------------
def manual_seed(seed):
    """Same Philox stream as the CPU: seeding the default generator seeds both."""
    from .random import manual_seed as _ms
    _ms(seed)


manual_seed_all = manual_seed


def _lazy_device_check(d):
    """Raises the RuntimeError torch gives when a tensor is asked for on an unusable CUDA device."""
    if not is_available():
        if not _C.cuda_built:
            raise AssertionError("tensorlite not compiled with CUDA enabled")
        raise RuntimeError(f"Found no NVIDIA driver on your system, or no CUDA GPU is available: cannot create a "
                           f"tensor on '{d}'. Use device='cpu', or check tensorlite.cuda.is_available() first.")
    n = device_count()
    if d.index is not None and d.index >= n:
        raise RuntimeError(f"CUDA error: invalid device ordinal (asked for {d}, {n} device{'s' if n != 1 else ''} "
                           "available)")
