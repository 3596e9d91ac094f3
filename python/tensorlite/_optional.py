"""Op families that live in their own modules are imported here, so that `tensorlite/__init__.py`
lists them once and a family being absent (during development) is not an import error."""
from __future__ import annotations

import importlib

FAMILIES = ["reduce", "softmax", "indexing", "sort", "shape", "linalg", "math"]


def import_families(namespace):
    for fam in FAMILIES:
        try:
            mod = importlib.import_module(f"tensorlite.ops.{fam}")
        except ModuleNotFoundError as e:
            if e.name == f"tensorlite.ops.{fam}":
                continue
            raise
        for name in getattr(mod, "__all__", ()):
            namespace[name] = getattr(mod, name)
