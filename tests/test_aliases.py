"""Aliases, in-place forms and the smaller functions without an OpInfo of their own, each against
torch on a fixed input (the op database covers the underlying kernels in depth)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl

rng = np.random.default_rng(0)
X = rng.uniform(0.2, 0.9, size=(3, 4)).astype(np.float32)        # inside every domain below
S = np.sort(rng.uniform(-2, 2, size=(6,))).astype(np.float32)
V = rng.uniform(-1, 1, size=(4,)).astype(np.float32)
I = np.array([3, 1, 1, 0, 5, 3], dtype=np.int64)


def _x(lib):
    return lib.tensor(X)


INPLACE_UNARY = ["acos_", "acosh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "cosh_", "digamma_",
                 "erf_", "erfc_", "erfinv_", "exp2_", "expm1_", "frac_", "lgamma_", "log1p_", "log_", "neg_",
                 "reciprocal_", "relu_", "round_", "rsqrt_", "sin_", "sinh_", "trunc_", "nan_to_num_"]

CASES = {
    # aliases
    "arccos": lambda lib: lib.arccos(_x(lib)), "arccosh": lambda lib: lib.arccosh(_x(lib) + 1),
    "arcsin": lambda lib: lib.arcsin(_x(lib)), "arcsinh": lambda lib: lib.arcsinh(_x(lib)),
    "arctan": lambda lib: lib.arctan(_x(lib)), "arctanh": lambda lib: lib.arctanh(_x(lib)),
    "fix": lambda lib: lib.fix(_x(lib) * 7 - 3), "subtract": lambda lib: lib.subtract(_x(lib), 1.5),
    "greater_equal": lambda lib: lib.greater_equal(_x(lib), 0.5), "concat": lambda lib: lib.concat([_x(lib)] * 2, 1),
    "row_stack": lambda lib: lib.row_stack([_x(lib)] * 2), "swapdims": lambda lib: lib.swapdims(_x(lib), 0, 1),
    "adjoint": lambda lib: lib.adjoint(_x(lib)), "ravel": lambda lib: lib.ravel(_x(lib).t()),
    "broadcast_to": lambda lib: lib.broadcast_to(lib.tensor(V), (3, 4)),
    "clip_": lambda lib: _x(lib).clip_(0.3, 0.6), "celu_": lambda lib: lib.celu_(_x(lib) - 0.5),
    "selu_": lambda lib: lib.selu_(_x(lib) - 0.5), "clamp_min_": lambda lib: _x(lib).clamp_min_(0.5),
    # small functions
    "addmv": lambda lib: lib.addmv(lib.tensor(V[:3]), _x(lib), lib.tensor(V), beta=0.5, alpha=2.0),
    "chain_matmul": lambda lib: lib.chain_matmul(_x(lib), _x(lib).t(), _x(lib)),
    "ger": lambda lib: lib.ger(lib.tensor(V), lib.tensor(V)), "vdot": lambda lib: lib.vdot(lib.tensor(V), lib.tensor(V)),
    "argwhere": lambda lib: lib.argwhere(_x(lib) > 0.5),
    "atleast_1d": lambda lib: lib.atleast_1d(lib.tensor(1.5)), "atleast_2d": lambda lib: lib.atleast_2d(lib.tensor(V)),
    "atleast_3d": lambda lib: lib.atleast_3d(_x(lib)),
    "combinations": lambda lib: lib.combinations(lib.tensor(V), 2),
    "diagflat": lambda lib: lib.diagflat(lib.tensor(V)),
    "dsplit": lambda lib: lib.dsplit(_x(lib).reshape(1, 3, 4), 2), "hsplit": lambda lib: lib.hsplit(_x(lib), 2),
    "vsplit": lambda lib: lib.vsplit(_x(lib), 3),
    "heaviside": lambda lib: lib.heaviside(lib.tensor(S), lib.tensor(0.5)),
    "histc": lambda lib: lib.histc(lib.tensor(S), bins=4, min=-2, max=2),
    "isin": lambda lib: lib.isin(lib.tensor(I), lib.tensor([1, 5])),
    "isneginf": lambda lib: lib.isneginf(lib.tensor([-np.inf, 0.0, np.inf])),
    "isposinf": lambda lib: lib.isposinf(lib.tensor([-np.inf, 0.0, np.inf])),
    "isreal": lambda lib: lib.isreal(_x(lib)),
    "msort": lambda lib: lib.msort(_x(lib)), "nanquantile": lambda lib: lib.nanquantile(_x(lib), 0.3, dim=1),
    "searchsorted": lambda lib: lib.searchsorted(lib.tensor(S), lib.tensor(V)),
    "bucketize": lambda lib: lib.bucketize(lib.tensor(V), lib.tensor(S)),
    "tril_indices": lambda lib: lib.tril_indices(3, 4, 1), "triu_indices": lambda lib: lib.triu_indices(4, 3, -1),
    "unique_consecutive": lambda lib: lib.unique_consecutive(lib.tensor(I), return_counts=True),
}
for _name in INPLACE_UNARY:
    CASES[_name] = (lambda n: lambda lib: getattr(_x(lib), n)())(_name)


def _np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    got, want = CASES[name](tl), CASES[name](torch)
    got = list(got) if isinstance(got, (tuple, list)) else [got]
    want = list(want) if isinstance(want, (tuple, list)) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype.name == str(w.dtype).replace("torch.", ""), name
        assert tuple(g.shape) == tuple(w.shape), name
        np.testing.assert_allclose(_np(g).astype(np.float64), _np(w).astype(np.float64), rtol=2e-6, atol=1e-6,
                                   err_msg=name)


def test_inplace_forms_keep_identity_and_bump_version():
    for name in INPLACE_UNARY:
        x = _x(tl)
        v = x._version
        assert getattr(x, name)() is x, name
        assert x._version == v + 1, name
