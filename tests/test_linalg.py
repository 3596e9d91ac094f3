"""Matrix products beyond the generic op_db checks: double backward (the backward formulas are matmuls of
transposed views, so they must themselves be differentiable: second-order gradients against torch), and
the fast paths' results against torch on shapes that select each kernel path."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl
from tensorlite.ops.linalg import linear


def _pair(rng, *shape):
    a = rng.standard_normal(shape)
    return tl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


CASES = [
    ("2d@2d", lambda L, a, b: L.matmul(a, b), [(3, 4), (4, 2)]),
    ("3d@1d", lambda L, a, b: L.matmul(a, b), [(2, 3, 4), (4,)]),
    ("1d@3d", lambda L, a, b: L.matmul(a, b), [(4,), (2, 4, 3)]),
    ("broadcast", lambda L, a, b: L.matmul(a, b), [(2, 1, 3, 4), (3, 4, 2)]),
    ("dot", lambda L, a, b: L.dot(a, b), [(5,), (5,)]),
    ("addmm", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0), [(3,), (2, 4), (4, 3)]),
    ("linear", lambda L, x, w, b: (linear if L is tl else torch.nn.functional.linear)(x, w, b),
     [(2, 3, 4), (5, 4), (5,)]),
    ("einsum", lambda L, a, b: L.einsum("bij,jk->bik", a, b), [(2, 3, 4), (4, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_second_order_matches_torch(name, fn, shapes):
    rng = np.random.default_rng(1)
    pairs = [_pair(rng, *s) for s in shapes]
    results = []
    for lib, k in ((tl, 0), (torch, 1)):
        xs = [p[k] for p in pairs]
        y = fn(lib, *xs)
        gs = lib.autograd.grad(y, xs, lib.ones_like(y), create_graph=True)
        gs = [g for g in gs if g.requires_grad]
        hs = lib.autograd.grad([g * g for g in gs], xs, [lib.ones_like(g) for g in gs],
                               allow_unused=True)
        results.append([h.detach().numpy() if h is not None else None for h in hs])
    for a, e in zip(*results):
        if e is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


# (M, K, N, transposed B): small-M dot kernel, small-M block kernel, swapped small-N, packed general path
@pytest.mark.parametrize("m,k,n,tb", [(1, 300, 70, True), (7, 300, 70, False), (70, 300, 5, False),
                                      (70, 300, 90, True), (130, 40, 300, False)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_paths_match_torch(m, k, n, tb, dtype):
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (m, k)).astype(dtype)
    b = rng.uniform(-1, 1, (n, k)).astype(dtype).T if tb else rng.uniform(-1, 1, (k, n)).astype(dtype)
    got = (tl.from_numpy(a) @ tl.from_numpy(b)).numpy()
    ref = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    tol = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)


def test_rmatmul_and_type_errors():
    a = tl.ones(2, 3)
    assert (a.__rmatmul__(tl.ones(4, 2))).shape == (4, 3)
    with pytest.raises(TypeError):
        a @ 2
    with pytest.raises(TypeError):
        tl.mm(a, [[1.0]])
