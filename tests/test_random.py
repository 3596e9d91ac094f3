"""Random numbers: determinism (seed, Generator, thread count), distributions' statistics, and
torch's argument forms and exception types."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl

SAMPLERS = {
    "rand": lambda g=None: tl.rand(3, 5, generator=g),
    "randn": lambda g=None: tl.randn(4, 2, dtype=tl.float64, generator=g),
    "randint": lambda g=None: tl.randint(-5, 17, (6,), generator=g),
    "randperm": lambda g=None: tl.randperm(20, generator=g),
    "normal": lambda g=None: tl.normal(2.0, 3.0, (7,), generator=g),
    "bernoulli": lambda g=None: tl.bernoulli(tl.full((9,), 0.3), generator=g),
    "multinomial": lambda g=None: tl.multinomial(tl.tensor([0.1, 0.5, 0.4]), 6, replacement=True, generator=g),
    "uniform_": lambda g=None: tl.empty(5).uniform_(-2, 3, generator=g),
    "normal_": lambda g=None: tl.empty(5).normal_(1, 2, generator=g),
    "random_": lambda g=None: tl.empty(5, dtype=tl.int64).random_(0, 100, generator=g),
    "bernoulli_": lambda g=None: tl.empty(5).bernoulli_(0.5, generator=g),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_manual_seed_determinism(name):
    f = SAMPLERS[name]
    tl.manual_seed(1234)
    a, b = f().tolist(), f().tolist()
    tl.manual_seed(1234)
    assert f().tolist() == a and f().tolist() == b
    assert a != b or name == "bernoulli"  # the stream advances
    g1, g2 = tl.Generator().manual_seed(7), tl.Generator().manual_seed(7)
    assert f(g1).tolist() == f(g2).tolist()
    # a Generator is independent of the default stream
    tl.manual_seed(1234)
    f(tl.Generator().manual_seed(99))
    assert f().tolist() == a


def test_rng_state_roundtrip():
    tl.manual_seed(5)
    tl.rand(10)
    st = tl.get_rng_state()
    assert st.dtype == tl.uint8
    x = tl.rand(10).tolist()
    tl.set_rng_state(st)
    assert tl.rand(10).tolist() == x
    g = tl.Generator().manual_seed(3)
    gs = g.get_state()
    y = tl.randn(4, generator=g).tolist()
    g.set_state(gs)
    assert tl.randn(4, generator=g).tolist() == y
    assert tl.Generator().manual_seed(3).initial_seed() == torch.Generator().manual_seed(3).initial_seed()
    assert tl.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert tl.Generator().initial_seed() == torch.Generator().initial_seed()
    with pytest.raises(ValueError):
        torch.manual_seed(2 ** 64)
    with pytest.raises(ValueError):
        tl.manual_seed(2 ** 64)


@pytest.mark.parametrize("name", ["rand", "randn", "randint", "bernoulli", "normal_", "randperm"])
def test_thread_count_does_not_change_results(name):
    big = {
        "rand": lambda: tl.rand(300_001),
        "randn": lambda: tl.randn(200_003, dtype=tl.float64),
        "randint": lambda: tl.randint(0, 1000, (250_000,)),
        "bernoulli": lambda: tl.bernoulli(tl.full((200_000,), 0.25)),
        "normal_": lambda: tl.empty(100_000, 3).normal_(),
        "randperm": lambda: tl.randperm(100_000),
    }[name]
    old = tl.get_num_threads()
    try:
        tl.set_num_threads(1)
        tl.manual_seed(42)
        a = big().numpy().copy()
        tl.set_num_threads(2)
        tl.manual_seed(42)
        b = big().numpy().copy()
    finally:
        tl.set_num_threads(old)
    np.testing.assert_array_equal(a, b)


def test_statistics():
    tl.manual_seed(0)
    n = 100_000
    u = tl.rand(n).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.std() - (1 / 12) ** 0.5) < 0.01
    z = tl.randn(n, dtype=tl.float64).numpy()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.mean(z ** 3)) < 0.05 and abs(np.mean(z ** 4) - 3) < 0.1  # skewness, kurtosis of a normal
    w = tl.normal(3.0, 2.0, (n,)).numpy()
    assert abs(w.mean() - 3) < 0.04 and abs(w.std() - 2) < 0.04
    r = tl.randint(-3, 7, (n,)).numpy()
    assert r.min() == -3 and r.max() == 6
    counts = np.bincount(r + 3) / n
    assert np.all(np.abs(counts - 0.1) < 0.01)
    b = tl.bernoulli(tl.full((n,), 0.3)).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.01
    e = tl.empty(n).uniform_(-2, 3).numpy()
    assert e.min() >= -2 and e.max() < 3 and abs(e.mean() - 0.5) < 0.03
    m = tl.multinomial(tl.tensor([0.2, 0.0, 0.5, 0.3]), n, replacement=True).numpy()
    freq = np.bincount(m, minlength=4) / n
    np.testing.assert_allclose(freq, [0.2, 0.0, 0.5, 0.3], atol=0.01)
    # without replacement: all distinct, zero-weight categories last
    for _ in range(20):
        s = tl.multinomial(tl.tensor([1.0, 0.0, 2.0, 3.0]), 3).tolist()
        assert sorted(s) == [0, 2, 3]
    p = tl.randperm(1000).numpy()
    assert sorted(p.tolist()) == list(range(1000))
    firsts = np.array([tl.randperm(4).tolist()[0] for _ in range(4000)])
    assert np.all(np.abs(np.bincount(firsts) / 4000 - 0.25) < 0.03)


@pytest.mark.parametrize("fn", [
    lambda L: L.rand(2, 3), lambda L: L.rand((2, 3)), lambda L: L.rand([2, 3], dtype=L.float64), lambda L: L.rand(()),
    lambda L: L.randn(4), lambda L: L.rand(3, requires_grad=True), lambda L: L.randint(5, (3,)),
    lambda L: L.randint(3, 10, (2, 2), dtype=L.uint8), lambda L: L.randint(3, (3,), dtype=L.float32),
    lambda L: L.randint(low=2, high=5, size=(3,)), lambda L: L.randint(5, size=(3,)),
    lambda L: L.randint(high=5, size=(3,)), lambda L: L.randperm(4), lambda L: L.randperm(0),
    lambda L: L.randperm(4, dtype=L.float32), lambda L: L.normal(L.zeros(2, 1), L.ones(3)),
    lambda L: L.normal(0.0, L.ones(3)), lambda L: L.normal(L.zeros(3), 2.0), lambda L: L.normal(2.0, 3.0, (4, 2)),
    lambda L: L.normal(2.0, 3.0, size=(4, 2), dtype=L.float64), lambda L: L.bernoulli(L.full((3,), 0.5), 0.3),
    lambda L: L.bernoulli(L.full((2, 3), 0.5, dtype=L.float64)), lambda L: L.rand_like(L.ones(2, dtype=L.float64)),
    lambda L: L.randn_like(L.ones(2, 3)), lambda L: L.randint_like(L.ones(2), 5),
    lambda L: L.randint_like(L.ones(2, dtype=L.int32), 1, 5), lambda L: L.multinomial(L.tensor([[1.0, 1.0, 0.0]]), 2),
    lambda L: L.multinomial(L.tensor([1.0, 2.0]), 5, replacement=True), lambda L: L.ones(3).random_(5),
    lambda L: L.ones(3, dtype=L.bool).random_(), lambda L: L.ones(3, dtype=L.int32).random_(-5, 5),
    lambda L: L.ones(2, 2).exponential_(), lambda L: L.ones(2, 2).bernoulli_(L.full((2,), 0.5)),
])
def test_shapes_and_dtypes(fn):
    a, b = fn(tl), fn(torch)
    assert tuple(a.shape) == tuple(b.shape)
    assert a.dtype.name == str(b.dtype).split(".")[-1]
    assert a.requires_grad == b.requires_grad


ERRORS = [
    (lambda L: L.randint(5, 5, (3,)), RuntimeError), (lambda L: L.randint(6, 5, (3,)), RuntimeError),
    (lambda L: L.randint(0, 3, 3), TypeError), (lambda L: L.randint(0, 300, (3,), dtype=L.uint8), RuntimeError),
    (lambda L: L.randint(-1, 3, (3,), dtype=L.uint8), RuntimeError),
    (lambda L: L.bernoulli(L.ones(3), p=1.5), RuntimeError), (lambda L: L.bernoulli(L.ones(3) * 2), RuntimeError),
    (lambda L: L.bernoulli(L.ones(3, dtype=L.int64)), NotImplementedError),
    (lambda L: L.ones(3).bernoulli_(1.5), RuntimeError), (lambda L: L.ones(3).bernoulli_(-0.5), RuntimeError),
    (lambda L: L.normal(0.0, -1.0, (3,)), RuntimeError), (lambda L: L.normal(L.zeros(3), -1.0), RuntimeError),
    (lambda L: L.normal(L.zeros(3), L.tensor([1.0, -1.0, 1.0])), RuntimeError),
    (lambda L: L.normal(0.0, 1.0), TypeError), (lambda L: L.normal(L.zeros(3, dtype=L.int64), 1.0),
                                                NotImplementedError),
    (lambda L: L.randperm(-1), RuntimeError), (lambda L: L.randperm(3.5), TypeError),
    (lambda L: L.multinomial(L.tensor([0.2, 0.8]), 3), RuntimeError),
    (lambda L: L.multinomial(L.tensor([-0.2, 0.8]), 1), RuntimeError),
    (lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1), RuntimeError),
    (lambda L: L.multinomial(L.tensor([1.0, 0.0]), 0), RuntimeError),
    (lambda L: L.multinomial(L.ones(2, 2, 2), 1), RuntimeError),
    (lambda L: L.multinomial(L.tensor([1, 2]), 1), RuntimeError),
    (lambda L: L.multinomial(L.tensor([1.0, float("inf")]), 1), RuntimeError),
    (lambda L: L.rand(2, 3, dtype=L.int64), NotImplementedError), (lambda L: L.randn(2, dtype=L.int64),
                                                                    NotImplementedError),
    (lambda L: L.rand(2, -1), RuntimeError), (lambda L: L.ones(3).uniform_(2, 1), RuntimeError),
    (lambda L: L.ones(3, dtype=L.int64).uniform_(), NotImplementedError),
    (lambda L: L.ones(3, dtype=L.int64).normal_(), NotImplementedError),
    (lambda L: L.ones(3).normal_(0, -1), RuntimeError), (lambda L: L.ones(3).random_(5, 2), RuntimeError),
    (lambda L: L.ones(3, dtype=L.uint8).random_(0, 300), RuntimeError),
    (lambda L: L.ones(3, dtype=L.bool).random_(0, 3), RuntimeError),
    (lambda L: L.ones(3, dtype=L.int32).random_(-2 ** 31 - 1, 5), RuntimeError),
    (lambda L: L.rand_like(L.ones(2, dtype=L.int64)), NotImplementedError),
    (lambda L: L.empty(3).exponential_(-1), RuntimeError), (lambda L: L.randint(2.5, 5.5, (3,)), TypeError),
    (lambda L: L.rand(3, dtype=L.int64, requires_grad=True), NotImplementedError),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    fn, exc = ERRORS[k]
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc):
        fn(tl)


def test_error_messages():
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but got from=5 >= to=5"):
        tl.randint(5, 5, (3,))
    with pytest.raises(RuntimeError, match=r"bernoulli_ expects p to be in \[0, 1\], but got p=1.5"):
        tl.bernoulli(tl.ones(3), p=1.5)
    with pytest.raises(RuntimeError, match="to - 1 is out of bounds for unsigned char"):
        tl.ones(3, dtype=tl.uint8).random_(0, 300)


def test_inplace_samplers_bump_version_and_keep_identity():
    x = tl.zeros(4)
    v = x._version
    assert x.uniform_() is x and x._version > v
    assert x.normal_() is x and x.bernoulli_(0.5) is x
    leaf = tl.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.zeros(3, requires_grad=True).uniform_()
    with pytest.raises(RuntimeError):
        leaf.uniform_()
    with tl.no_grad():
        leaf.uniform_()
