"""out= on every op that takes it (ops/out.py), side by side with torch: the values land in `out`, `out` itself
comes back, a wrong shape is resized (with torch's warning where torch warns), the out dtype is cast or refused
with torch's message, and an input that requires grad is refused. The matrix products are in test_linalg.py."""
import warnings

import numpy as np
import pytest
import torch

import tensorlite as tl

_RNG = np.random.default_rng(0)
F = np.round(_RNG.standard_normal((3, 4)), 2).astype(np.float32)
P = _RNG.uniform(0.5, 2.0, (3, 4)).astype(np.float32)   # positive: xlogy, logs
I = _RNG.integers(-4, 5, (3, 4)).astype(np.int64)
NZ = np.where(I == 0, 3, I)                             # no zero divisor
B = I > 0
SORTED = np.array([-1.0, 0.0, 0.5, 2.0], dtype=np.float32)
PROB = np.full((3, 4), 0.5, dtype=np.float32)

# (id, call(lib, inputs, out), input arrays, random): random ops are compared by shape and dtype only.
CASES = [
    ("add", lambda L, x, o: L.add(x[0], x[1], alpha=2, out=o), [F, P], False),
    ("add-int", lambda L, x, o: L.add(x[0], x[1], out=o), [I, I], False),
    ("add-scalar", lambda L, x, o: L.add(x[0], 1.5, out=o), [I], False),
    ("add-bool", lambda L, x, o: L.add(x[0], x[1], out=o), [B, B], False),
    ("sub", lambda L, x, o: L.sub(x[0], x[1], out=o), [F, P], False),
    ("mul", lambda L, x, o: L.mul(x[0], x[1], out=o), [I, F], False),
    ("div", lambda L, x, o: L.div(x[0], x[1], out=o), [I, NZ], False),
    ("div-floor", lambda L, x, o: L.div(x[0], x[1], rounding_mode="floor", out=o), [I, NZ], False),
    ("copysign", lambda L, x, o: L.copysign(x[0], x[1], out=o), [F, I], False),
    ("xlogy", lambda L, x, o: L.xlogy(x[0], x[1], out=o), [P, P], False),
    ("hypot", lambda L, x, o: L.hypot(x[0], x[1], out=o), [F, P], False),
    ("logaddexp", lambda L, x, o: L.logaddexp(x[0], x[1], out=o), [F, P], False),
    ("logaddexp2", lambda L, x, o: L.logaddexp2(x[0], x[1], out=o), [F, P], False),
    ("addcmul", lambda L, x, o: L.addcmul(x[0], x[1], x[2], value=0.5, out=o), [F, P, F], False),
    ("addcdiv", lambda L, x, o: L.addcdiv(x[0], x[1], x[2], value=2, out=o), [F, F, P], False),
    ("sum", lambda L, x, o: L.sum(x[0], 1, out=o), [F], False),
    ("sum-all-int", lambda L, x, o: L.sum(x[0], (0, 1), out=o), [I], False),
    ("sum-dtype", lambda L, x, o: L.sum(x[0], 0, dtype=L.float64, out=o), [F], False),
    ("mean", lambda L, x, o: L.mean(x[0], 0, keepdim=True, out=o), [F], False),
    ("max", lambda L, x, o: L.max(x[0], out=o), [F], False),
    ("max-int", lambda L, x, o: L.max(x[0], out=o), [I], False),
    ("max-other", lambda L, x, o: L.max(x[0], x[1], out=o), [F, P], False),
    ("max-dim", lambda L, x, o: L.max(x[0], 1, out=o), [F], False),
    ("min-dim", lambda L, x, o: L.min(x[0], 0, keepdim=True, out=o), [I], False),
    ("var", lambda L, x, o: L.var(x[0], 1, out=o), [F], False),
    ("std", lambda L, x, o: L.std(x[0], 0, correction=0, out=o), [F], False),
    ("norm", lambda L, x, o: L.norm(x[0], dim=1, out=o), [F], False),
    ("norm-p1", lambda L, x, o: L.norm(x[0], p=1, out=o), [F], False),
    ("all", lambda L, x, o: L.all(x[0], 1, out=o), [F], False),
    ("any", lambda L, x, o: L.any(x[0], out=o), [I], False),
    ("logsumexp", lambda L, x, o: L.logsumexp(x[0], 1, out=o), [F], False),
    ("cumsum", lambda L, x, o: L.cumsum(x[0], 1, out=o), [F], False),
    ("cumsum-dtype", lambda L, x, o: L.cumsum(x[0], 0, dtype=L.float64, out=o), [I], False),
    ("cumprod", lambda L, x, o: L.cumprod(x[0], 0, out=o), [F], False),
    ("quantile", lambda L, x, o: L.quantile(x[0], 0.3, 1, out=o), [F], False),
    ("nanquantile", lambda L, x, o: L.nanquantile(x[0], x[1], out=o), [F, np.array([0.2, 0.9], np.float32)], False),
    ("cat", lambda L, x, o: L.cat([x[0], x[1]], 1, out=o), [I, F], False),
    ("cat-int", lambda L, x, o: L.cat([x[0], x[1]], out=o), [I, I], False),
    ("stack", lambda L, x, o: L.stack([x[0], x[1]], out=o), [F, P], False),
    ("tril", lambda L, x, o: L.tril(x[0], out=o), [F], False),
    ("triu", lambda L, x, o: L.triu(x[0], 1, out=o), [I], False),
    ("sort", lambda L, x, o: L.sort(x[0], 1, descending=True, out=o), [F], False),
    ("topk", lambda L, x, o: L.topk(x[0], 2, out=o), [F], False),
    ("searchsorted", lambda L, x, o: L.searchsorted(x[1], x[0], out=o), [F, SORTED], False),
    ("searchsorted-int32", lambda L, x, o: L.searchsorted(x[1], x[0], out_int32=True, out=o), [F, SORTED], False),
    ("bucketize", lambda L, x, o: L.bucketize(x[0], x[1], right=True, out=o), [F, SORTED], False),
    ("empty", lambda L, x, o: L.empty(2, 3, out=o), [], True),
    ("full", lambda L, x, o: L.full((2, 3), 1.5, out=o), [], False),
    ("zeros", lambda L, x, o: L.zeros(2, 3, out=o), [], False),
    ("ones", lambda L, x, o: L.ones((4,), out=o), [], False),
    ("arange", lambda L, x, o: L.arange(1, 7, 2, out=o), [], False),
    ("linspace", lambda L, x, o: L.linspace(0, 10, 5, out=o), [], False),
    ("logspace", lambda L, x, o: L.logspace(0, 2, 3, out=o), [], False),
    ("eye", lambda L, x, o: L.eye(2, 3, out=o), [], False),
    ("rand", lambda L, x, o: L.rand(2, 3, out=o), [], True),
    ("randn", lambda L, x, o: L.randn(5, out=o), [], True),
    ("randint", lambda L, x, o: L.randint(0, 5, (2, 3), out=o), [], True),
    ("randperm", lambda L, x, o: L.randperm(6, out=o), [], True),
    ("bernoulli", lambda L, x, o: L.bernoulli(x[0], out=o), [PROB], True),
    ("normal", lambda L, x, o: L.normal(x[0], x[1], out=o), [F, P], True),
    ("normal-size", lambda L, x, o: L.normal(0.0, 2.0, (2, 3), out=o), [], True),
    ("multinomial", lambda L, x, o: L.multinomial(x[0][0], 2, out=o), [P], True),
]
IDS = [c[0] for c in CASES]
FACTORIES = {"empty", "full", "zeros", "ones", "arange", "linspace", "logspace", "eye", "rand", "randn", "randint",
             "randperm", "normal-size"}


def _inputs(L, arrays, grad=False):
    xs = [L.tensor(a) for a in arrays]
    if grad:
        for x in xs:
            if x.dtype.is_floating_point:
                x.requires_grad_(True)
                break
    return xs


def _reference(call, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = call(torch, _inputs(torch, arrays), None)
    return tuple(r) if isinstance(r, tuple) else r


def _make_out(L, ref, dtype=None, shape=(0,)):
    """An out like the reference result (a pair for the (values, indices) ops), optionally of another dtype."""
    if isinstance(ref, tuple):
        return (L.empty(*shape, dtype=getattr(L, dtype or str(ref[0].dtype)[6:])),
                L.empty(*shape, dtype=L.int64))
    dt = dtype or (str(ref.dtype)[6:] if isinstance(ref, torch.Tensor) else "float32")
    return L.empty(*shape, dtype=getattr(L, dt))


def _np(x):
    return np.asarray(x.detach().tolist() if hasattr(x, "detach") else x, dtype=np.float64)


def _outcome(L, call, arrays, out, random, grad=False):
    """What the call did: torch's exception (type, message), or the written values, dtype, shape and warnings."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = call(L, _inputs(L, arrays, grad), out)
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            return type(e).__name__, str(e).split(" (Triggered internally")[0]
    # a set: torch warns twice when TensorIterator also casts (once per operand it resizes)
    msgs = sorted({str(x.message).split(" (Triggered internally")[0] for x in w if "range is deprecated" not in
                   str(x.message)})
    outs = out if isinstance(out, tuple) else (out,)
    if isinstance(r, tuple):
        assert all(a is b for a, b in zip(r, outs)), "the pair returned is not the out pair"
    elif not isinstance(r, (torch.Size, tl.Size if hasattr(tl, "Size") else tuple)):
        assert r is out, "out= did not return `out` itself"
    res = [(str(o.dtype).split(".")[-1], tuple(o.shape), o.requires_grad) for o in outs]
    vals = None if random else [_np(o) for o in outs]
    return res, vals, msgs


def _compare(call, arrays, random, make_out, grad=False):
    a = _outcome(tl, call, arrays, make_out(tl), random, grad)
    b = _outcome(torch, call, arrays, make_out(torch), random, grad)
    if isinstance(a[0], str) or isinstance(b[0], str):
        assert a == b
        return
    assert a[0] == b[0] and a[2] == b[2], (a, b)
    if not random:
        for x, y in zip(a[1], b[1]):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5, equal_nan=True)


@pytest.mark.parametrize("name,call,arrays,random", CASES, ids=IDS)
def test_out_values_dtype_and_resize(name, call, arrays, random):
    ref = _reference(call, arrays)
    _compare(call, arrays, random, lambda L: _make_out(L, ref))                  # right dtype, empty: no warning
    _compare(call, arrays, random, lambda L: _make_out(L, ref, shape=(7,)))      # resized, warning where torch warns
    for dt in ("float64", "int64", "int32", "bool"):                             # cast, or torch's dtype error
        _compare(call, arrays, random, lambda L: _make_out(L, ref, dt))


@pytest.mark.parametrize("name,call,arrays,random", [c for c in CASES if c[2] or c[0] in ("zeros", "arange")],
                         ids=[c[0] for c in CASES if c[2] or c[0] in ("zeros", "arange")])
def test_out_refuses_autograd(name, call, arrays, random):
    ref = _reference(call, arrays)
    _compare(call, arrays, random, lambda L: _make_out(L, ref), grad=True)       # an input requires grad
    if name not in ("quantile", "nanquantile"):  # composite in torch: out takes the history
        def grad_out(L):
            o = _make_out(L, ref, "float32")
            for t in (o if isinstance(o, tuple) else (o,))[:1]:
                t.requires_grad_(True)
            return o
        _compare(call, arrays, random, grad_out)                                 # out itself requires grad
    with tl.no_grad():  # no graph: nothing to refuse
        o = _make_out(tl, ref)
        call(tl, _inputs(tl, arrays, True), o)


def test_out_keeps_a_view_and_its_strides():
    """The result goes through `out`'s own strides, so a view of a bigger tensor sees it."""
    for L in (tl, torch):
        base = L.zeros(4, 3)
        o = base.t()
        assert L.add(L.ones(3, 4), 1, out=o) is o and o.stride() == (1, 3)
        assert base.tolist() == [[2.0] * 3] * 4
        base = L.zeros(2, 4)
        assert L.arange(4, out=base[:, 1::2]).tolist() == [[0, 1], [2, 3]]  # right count: keeps its shape
        assert base.tolist() == [[0, 0, 0, 1], [0, 2, 0, 3]]


def test_out_aliasing_an_input_and_self_overlap():
    x = tl.tensor(F)
    assert tl.add(x, x, out=x) is x
    np.testing.assert_allclose(x.numpy(), 2 * F)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        tl.mul(tl.ones(3), 2, out=tl.empty(1).expand(3))


def test_factory_dtype_and_requires_grad():
    for L in (tl, torch):
        o = L.empty(0, dtype=L.int64)
        with pytest.raises(RuntimeError, match=r"dtype Float does not match dtype of out parameter \(Long\)"):
            L.zeros(2, dtype=L.float32, out=o)
        o = L.empty(0)
        assert L.ones(2, requires_grad=True, out=o) is o and o.requires_grad


def test_out_must_be_a_tensor():
    with pytest.raises(TypeError, match="argument 'out' must be Tensor"):
        tl.add(tl.ones(2), 1, out=[1.0])
    with pytest.raises(TypeError, match="argument 'out' must be tuple of Tensors"):
        tl.sort(tl.ones(2), out=tl.empty(0))


@pytest.mark.skipif(not tl.cuda.is_available(), reason="needs a second device")
def test_out_on_another_device():
    with pytest.raises(RuntimeError, match="Expected out tensor to have device"):
        tl.add(tl.ones(2), 1, out=tl.empty(2, device="cuda"))
    with pytest.raises(RuntimeError, match="does not match device type of out parameter"):
        tl.zeros(2, device="cuda", out=tl.empty(2))
