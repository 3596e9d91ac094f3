"""tensorlite.backends: build and runtime switches, torch-shaped."""
from __future__ import annotations

import types

from . import _C

cuda = types.SimpleNamespace(is_built=lambda: bool(_C.cuda_built),
                             matmul=types.SimpleNamespace(allow_tf32=False))
cpu = types.SimpleNamespace(get_cpu_capability=lambda: _C.isa_selected().upper())
