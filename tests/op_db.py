"""The op database: one OpInfo per public op, collected from tests/opdb/<family>.py.

An OpInfo says how to call the op in tensorlite (`tl`) and in torch (`ref`) and which inputs to try
(`samples`). Inputs are built as numpy arrays by `make` and converted to identical tensorlite and torch
tensors, so the two libraries always see the same values. tests/test_ops.py runs every entry:
forward parity, backward parity with a random upstream gradient, float64 gradcheck, and the
exception types of `error_inputs` (checked against torch too, so the expectation itself is right).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np


class Arg:
    """A tensor argument: values (numpy) plus how to build it (non-contiguous layout, grad)."""

    def __init__(self, array, noncontig=False, requires_grad=None):
        self.array = array
        self.noncontig = noncontig
        self.requires_grad = requires_grad  # None: "if floating point and the op is differentiable"

    def __repr__(self):
        return f"Arg({self.array.dtype}{list(self.array.shape)}{', noncontig' if self.noncontig else ''})"


@dataclass
class SampleInput:
    args: Sequence[Any]
    kwargs: dict = field(default_factory=dict)
    name: str = ""

    def __repr__(self):
        return self.name or f"{list(self.args)} {self.kwargs}"


@dataclass
class ErrorInput:
    """fn(lib) calls the op through `lib` (the tensorlite or the torch module); both must raise `exc`."""
    fn: Callable
    exc: type
    match: Optional[str] = None  # a regex the tensorlite message must contain (optional)


@dataclass
class OpInfo:
    name: str
    tl: Callable
    ref: Callable
    samples: Callable                     # samples(make, dtype) -> list of SampleInput / tuples of args
    dtypes: Sequence[str] = ("float32", "float64")
    grad: bool = True                     # differentiable: run backward parity and gradcheck
    gradcheck: bool = True
    atol: Optional[float] = None
    rtol: Optional[float] = None
    grad_atol: Optional[float] = None
    grad_rtol: Optional[float] = None
    error_inputs: Sequence[ErrorInput] = ()
    check_dtype: bool = True
    nondeterministic: bool = False        # e.g. random ops: compare shapes/dtypes only

    def tolerances(self, dtype):
        atol = self.atol if self.atol is not None else (1e-5 if dtype == "float32" else 1e-10)
        rtol = self.rtol if self.rtol is not None else (1.3e-5 if dtype == "float32" else 1e-8)
        return atol, rtol

    def grad_tolerances(self, dtype):
        atol = self.grad_atol if self.grad_atol is not None else (1e-4 if dtype == "float32" else 1e-8)
        rtol = self.grad_rtol if self.grad_rtol is not None else (1e-4 if dtype == "float32" else 1e-7)
        return atol, rtol


class Maker:
    """make(*shape, dtype=None, low=-3, high=3, noncontig=False): a seeded random Arg."""

    def __init__(self, dtype, seed=0):
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)

    def __call__(self, *shape, dtype=None, low=-3.0, high=3.0, noncontig=False, requires_grad=None):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        dt = np.dtype(dtype or self.dtype)
        if dt.kind == "f":
            a = self.rng.uniform(low, high, size=shape).astype(dt)
        elif dt.kind == "b":
            a = self.rng.integers(0, 2, size=shape).astype(bool)
        else:
            a = self.rng.integers(int(low), int(high) + 1, size=shape).astype(dt)
        return Arg(a, noncontig=noncontig, requires_grad=requires_grad)


def to_lib(x, lib, requires_grad, device=None):
    """Converts a sample argument (Arg, list/tuple/dict of them, or anything else) to lib tensors, on
    `device` when given (the tensorlite device tests: the same values, moved to the device)."""
    kw = {} if device is None else {"device": device}
    if isinstance(x, Arg):
        a = x.array
        if x.noncontig and a.ndim > 0:
            # same values, but strided: a slice of an array twice as wide in the last dim
            wide = np.zeros(a.shape[:-1] + (a.shape[-1] * 2,), dtype=a.dtype)
            wide[..., ::2] = a
            w = lib.tensor(wide, **kw)
            strides = list(w.stride())
            strides[-1] *= 2
            t = w.as_strided(a.shape, strides, 0)
        else:
            t = lib.tensor(a, **kw)
        rg = x.requires_grad if x.requires_grad is not None else (requires_grad and a.dtype.kind == "f")
        if rg:
            if x.noncontig and a.ndim > 0:
                # keep it a non-contiguous leaf: make the wide tensor the leaf is not possible, so detach the view
                t = t.detach().requires_grad_(True)
            else:
                t.requires_grad_(True)
        return t
    if isinstance(x, list):
        return [to_lib(v, lib, requires_grad, device) for v in x]
    if isinstance(x, tuple):
        return tuple(to_lib(v, lib, requires_grad, device) for v in x)
    if isinstance(x, dict):
        return {k: to_lib(v, lib, requires_grad, device) for k, v in x.items()}
    return x


def collect():
    ops = []
    pkg = importlib.import_module("opdb")
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"opdb.{info.name}")
        ops.extend(getattr(mod, "OPS", []))
    names = [o.name for o in ops]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate OpInfo names: {dup}"
    return ops


OPS = collect()
