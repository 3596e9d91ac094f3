"""Reduction properties the op database does not cover: thread-count independence, accuracy of long
float32 sums, second derivatives, and the max/min return type."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl


@pytest.fixture
def restore_threads():
    n = tl.get_num_threads()
    yield
    tl.set_num_threads(n)


# Shapes that exercise every kernel path: contiguous rows, kept-inner blocks, split rows/columns.
_SHAPES = [(200003,), (3, 70001), (70001, 3), (40, 5000), (300, 2, 300)]


@pytest.mark.parametrize("shape", _SHAPES)
def test_same_bits_with_1_and_2_threads(shape, restore_threads):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape).astype(np.float32)
    a.flat[::7] = np.round(a.flat[::7])  # ties for the arg reductions
    x = tl.tensor(a)
    results = {}
    for nt in (1, 2):
        tl.set_num_threads(nt)
        r = []
        for d in [None] + list(range(len(shape))):
            dims = None if d is None else d
            r += [x.sum(dims), x.mean(dims), x.var(dims), x.norm(dim=dims), x.amax(dims if d is not None else ()),
                  x.logsumexp(d if d is not None else tuple(range(len(shape))))]
            if d is not None:
                v, i = x.max(d)
                r += [v, i, x.argmin(d), x.cumsum(d), x.softmax(d), x.log_softmax(d)]
            else:
                r += [x.argmax(), x.argmin()]
        results[nt] = [t.numpy().copy() for t in r]
    for a1, a2 in zip(results[1], results[2]):
        np.testing.assert_array_equal(a1, a2)


def test_long_float32_sum_accuracy():
    rng = np.random.default_rng(0)
    # 4M values around 1 (a naive float32 running sum loses ~3 digits here), plus a mean offset
    a = (rng.random(1 << 22) + 1.0).astype(np.float32)
    exact = a.astype(np.float64).sum()
    got = float(tl.tensor(a).sum())
    assert abs(got - exact) / exact < 1e-7
    m = a.reshape(1024, 4096)
    for d in (0, 1):
        exact_d = m.astype(np.float64).sum(axis=d)
        got_d = tl.tensor(m).sum(d).numpy().astype(np.float64)
        np.testing.assert_allclose(got_d, exact_d, rtol=2e-7)


def test_var_large_offset_is_accurate():
    a = (np.float32(1e4) + np.arange(1000, dtype=np.float32) * np.float32(1e-2))
    exact = a.astype(np.float64).var(ddof=1)
    assert abs(float(tl.tensor(a).var()) - exact) / exact < 1e-5


def test_softmax_large_logits_no_nan():
    a = np.array([[1e4, 1e4 + 1, -1e4], [-np.inf, 0.0, 1.0]], dtype=np.float32)
    y = tl.tensor(a).softmax(1).numpy()
    ref = torch.tensor(a).softmax(1).numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-7)
    assert y[1, 0] == 0.0
    ly = tl.tensor(a).log_softmax(1).numpy()
    np.testing.assert_allclose(ly, torch.tensor(a).log_softmax(1).numpy(), rtol=1e-6)


_DOUBLE = [
    ("sum", lambda x: x.sum(1)),
    ("mean", lambda x: x.mean((0, 1), keepdim=True)),
    ("var", lambda x: x.var(0)),
    ("std", lambda x: x.std(1, correction=0)),
    ("logsumexp", lambda x: x.logsumexp(1)),
    ("softmax", lambda x: x.softmax(1)),
    ("log_softmax", lambda x: x.log_softmax(0)),
    ("norm2", lambda x: x.norm(dim=1)),
    ("prod", lambda x: x.prod(1)),
    ("cumsum", lambda x: x.cumsum(1)),
    ("amax", lambda x: x.amax(1)),
    ("max_dim", lambda x: x.max(1).values),
]


@pytest.mark.parametrize("name,fn", _DOUBLE, ids=[n for n, _ in _DOUBLE])
def test_second_derivative_matches_torch(name, fn):
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 2.0, size=(3, 4)) * rng.choice([-1, 1], size=(3, 4))
    up = rng.standard_normal(tuple(fn(torch.tensor(a)).shape))
    v = rng.standard_normal((3, 4))
    outs = []
    for lib in (tl, torch):
        x = lib.tensor(a, requires_grad=True)
        y = fn(x)
        (g,) = lib.autograd.grad((y * lib.tensor(up)).sum(), x, create_graph=True)
        gg = None
        if g.requires_grad:  # linear ops (sum, cumsum, max): the gradient does not depend on x
            (gg,) = lib.autograd.grad((g * lib.tensor(v)).sum(), x, allow_unused=True)
        outs.append((g.detach().numpy(), None if gg is None else gg.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-10, atol=1e-12)
    if outs[1][1] is None:
        assert outs[0][1] is None or np.all(outs[0][1] == 0)
    else:
        np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-9, atol=1e-12)


def test_max_min_return_type():
    x = tl.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    r = x.max(dim=1)
    values, indices = r
    assert r.values is values and r.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert type(r).__name__ == "max" and type(x.min(0)).__name__ == "min"
    assert tl.max(x, 1, keepdim=True).values.shape == (2, 1)
    assert tl.max(x, tl.tensor([3.0, 3.0, 3.0])).tolist() == [[3.0, 5.0, 3.0], [7.0, 3.0, 7.0]]
    assert float(tl.max(x)) == 7.0 and float(x.min()) == 0.0


def test_sum_to_size_reduces_broadcast_gradient():
    a = tl.ones(3, 1, requires_grad=True)
    b = tl.ones(4, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.tolist() == [[4.0], [4.0], [4.0]]
    assert b.grad.tolist() == [3.0] * 4
