"""tensorlite.__config__.show(): how this build was made and what it runs with."""
from __future__ import annotations

from . import _C


def show():
    """The build configuration as a string (and printed), like torch.__config__.show()."""
    lines = [
        f"tensorlite {_C.version}",
        f"  - C++ compiler: {_C.compiler}",
        f"  - CPU ISA variants built: {_C.isa_compiled()}",
        f"  - CPU ISA variants this CPU supports: {_C.isa_supported()}",
        f"  - CPU ISA selected: {_C.isa_selected()} (override with TENSORLITE_ISA)",
        f"  - OpenMP: {'yes' if _C.openmp else 'no'}, threads: {_C.get_num_threads()}",
        f"  - CUDA built: {'yes' if _C.cuda_built else 'no'}"
        + (f" (runtime {_C.cuda_runtime_version()}, devices visible: {_C.cuda_device_count()})"
           if _C.cuda_built else ""),
    ]
    s = "\n".join(lines)
    return s


def parallel_info():
    return f"ATen/Parallel:\n\tat::get_num_threads() : {_C.get_num_threads()}\n\tOpenMP enabled: {_C.openmp}"
