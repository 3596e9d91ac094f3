"""Views against torch: shapes, strides, storage sharing (writes through views), errors, and hypothesis
property tests over random chains of view ops and broadcasting binary ops."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import tensorlite as tl


def pair(shape, dtype=np.float32, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return tl.tensor(a), torch.tensor(a)


def geometry(t):
    return tuple(t.shape), tuple(t.stride()), t.storage_offset()


VIEWS = [
    lambda x: x.view(6, 4), lambda x: x.view(-1), lambda x: x.reshape(4, -1), lambda x: x.permute(2, 0, 1),
    lambda x: x.transpose(0, 2), lambda x: x.swapaxes(1, 2), lambda x: x.mT, lambda x: x.unsqueeze(1),
    lambda x: x.unsqueeze(-1).expand(2, 3, 4, 5), lambda x: x.flatten(1), lambda x: x.unflatten(2, (2, 2)),
    lambda x: x.narrow(2, 1, 2), lambda x: x.select(1, 2), lambda x: x.movedim(0, -1), lambda x: x[None] if False
    else x.unsqueeze(0).squeeze(0), lambda x: x.as_strided((2, 2), (5, 1), 3), lambda x: x.t() if x.dim() <= 2
    else x.flatten(0, 1).t(), lambda x: x.expand(3, 2, 3, 4), lambda x: x.narrow(0, 1, 1).squeeze(),
]


@pytest.mark.parametrize("k", range(len(VIEWS)))
def test_view_geometry_and_sharing(k):
    f = VIEWS[k]
    a, b = pair((2, 3, 4))
    va, vb = f(a), f(b)
    assert geometry(va) == geometry(vb)
    np.testing.assert_array_equal(va.numpy(), vb.numpy())
    # same memory: the view's first element sits where torch's does, relative to the base
    assert va.data_ptr() - a.data_ptr() == vb.data_ptr() - b.data_ptr()
    assert va.is_contiguous() == vb.is_contiguous()


def test_writes_through_views():
    a, b = pair((3, 4))
    for f in (lambda x: x.t().narrow(0, 1, 2), lambda x: x.view(2, 6).select(1, 3), lambda x: x.reshape(12),
              lambda x: x.unsqueeze(0).permute(2, 0, 1)):
        va, vb = f(a), f(b)
        src = np.arange(np.prod(vb.shape), dtype=np.float32).reshape(tuple(vb.shape)) + 100
        va.copy_(tl.tensor(src))
        vb.copy_(torch.tensor(src))
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # and writes to the base are seen through the view
    v = a.t()
    a.copy_(tl.zeros(3, 4))
    assert v.numpy().sum() == 0


def test_reshape_copies_only_when_needed():
    a, b = pair((3, 4))
    assert a.reshape(12).data_ptr() == a.data_ptr()
    c = a.t().reshape(12)
    assert c.data_ptr() != a.data_ptr()
    np.testing.assert_array_equal(c.numpy(), b.t().reshape(12).numpy())
    assert a.contiguous() is a
    assert a.t().contiguous().is_contiguous() and a.t().contiguous().data_ptr() != a.data_ptr()
    assert a.clone().data_ptr() != a.data_ptr()


def test_conversions():
    a, b = pair((2, 3))
    for f in (lambda x: x.to(x.dtype), lambda x: x.float(), lambda x: x.type(x.dtype)):
        assert f(a) is a and f(b) is b
    for f in (lambda x, L: x.double(), lambda x, L: x.long(), lambda x, L: x.bool(), lambda x, L: x.int(),
              lambda x, L: x.to(L.float64), lambda x, L: x.to(dtype=L.int64), lambda x, L: x.to("cpu", L.float64),
              lambda x, L: x.type("torch.LongTensor"), lambda x, L: x.to(L.zeros(1, dtype=L.float64)),
              lambda x, L: x.to(L.float32, copy=True)):
        ra, rb = f(a, tl), f(b, torch)
        assert ra.dtype.name == str(rb.dtype).split(".")[-1]
        np.testing.assert_array_equal(ra.numpy(), rb.numpy())
    assert a.to(tl.float32, copy=True).data_ptr() != a.data_ptr()
    assert a.type() == b.type()
    assert a.long().type() == b.long().type()
    c = tl.tensor([1.7, -2.5, 0.0, 3.0])
    assert c.long().tolist() == torch.tensor([1.7, -2.5, 0.0, 3.0]).long().tolist()
    assert c.bool().tolist() == torch.tensor([1.7, -2.5, 0.0, 3.0]).bool().tolist()


@pytest.mark.parametrize("fn,exc,msg", [
    (lambda L: L.zeros(2, 3).t().view(6), RuntimeError, "view size is not compatible with input tensor's size and stride"),
    (lambda L: L.zeros(6).view(4, 2), RuntimeError, r"shape '\[4, 2\]' is invalid for input of size 6"),
    (lambda L: L.zeros(2, 3).transpose(0, 2), IndexError, "Dimension out of range"),
    (lambda L: L.zeros(2, 3).squeeze(5), IndexError, "Dimension out of range"),
    (lambda L: L.zeros(2, 3).unsqueeze(-4), IndexError, "Dimension out of range"),
    (lambda L: L.zeros(2, 3).select(-3, 0), IndexError, "Dimension out of range"),
    (lambda L: L.zeros(2, 3).flatten(0, 3), IndexError, "Dimension out of range"),
    (lambda L: L.zeros(2, 3).movedim(0, 2), IndexError, "Dimension out of range"),
    (lambda L: L.zeros(2, 3).expand(2, 4), RuntimeError, "must match the existing size"),
    (lambda L: L.zeros(2, 3).view(-1, 4), RuntimeError, "is invalid for input of size"),
    (lambda L: L.zeros(2, 3).reshape(-2, 3), RuntimeError, "invalid shape dimension -2"),
    (lambda L: L.zeros(0, 3).view(-1, 0), RuntimeError, "cannot reshape tensor of 0 elements"),
    (lambda L: L.zeros(2, 3).view(2.5, 2), TypeError, None),
])
def test_errors(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn(torch)
    with pytest.raises(exc, match=msg):
        fn(tl)


def test_views_backward_into_base():
    x = np.random.default_rng(3).standard_normal((3, 4))
    a, b = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (a.t().narrow(0, 1, 2).reshape(-1) * tl.arange(6.0, dtype=tl.float64)).backward(tl.ones(6, dtype=tl.float64))
    (b.t().narrow(0, 1, 2).reshape(-1) * torch.arange(6.0, dtype=torch.float64)).backward(torch.ones(6, dtype=torch.float64))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
    # in-place write into a view of a non-leaf flows back to the base (CopySlices)
    a, b = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a * 2, b * 2
    ya.select(0, 1).copy_(tl.zeros(4, dtype=tl.float64))
    yb.select(0, 1).copy_(torch.zeros(4, dtype=torch.float64))
    (ya * ya).backward(tl.ones(3, 4, dtype=tl.float64))
    (yb * yb).backward(torch.ones(3, 4, dtype=torch.float64))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


# -- hypothesis: random view chains and broadcasting ---------------------------------------------------------
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4)


@st.composite
def view_chain(draw):
    shape = draw(shapes)
    ops = []
    cur = list(shape)
    for _ in range(draw(st.integers(1, 5))):
        nd = len(cur)
        choices = ["unsqueeze", "reshape_flat"]
        if nd:
            choices += ["permute", "transpose", "select", "narrow", "flatten", "expand", "squeeze", "movedim"]
        kind = draw(st.sampled_from(choices))
        if kind == "unsqueeze":
            d = draw(st.integers(-nd - 1, nd))
            ops.append(("unsqueeze", d))
            cur.insert(d if d >= 0 else d + nd + 1, 1)
        elif kind == "reshape_flat":
            ops.append(("reshape", (-1,)))
            n = 1
            for s in cur:
                n *= s
            cur = [n]
        elif kind == "permute":
            perm = draw(st.permutations(list(range(nd))))
            ops.append(("permute", tuple(perm)))
            cur = [cur[p] for p in perm]
        elif kind == "transpose":
            a, b = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
            ops.append(("transpose", a, b))
            cur[a], cur[b] = cur[b], cur[a]
        elif kind == "select":
            d = draw(st.integers(0, nd - 1))
            if cur[d] == 0:
                continue
            i = draw(st.integers(-cur[d], cur[d] - 1))
            ops.append(("select", d, i))
            cur.pop(d)
        elif kind == "narrow":
            d = draw(st.integers(0, nd - 1))
            start = draw(st.integers(0, cur[d]))
            length = draw(st.integers(0, cur[d] - start))
            ops.append(("narrow", d, start, length))
            cur[d] = length
        elif kind == "flatten":
            a = draw(st.integers(0, nd - 1))
            b = draw(st.integers(a, nd - 1))
            ops.append(("flatten", a, b))
            n = 1
            for s in cur[a:b + 1]:
                n *= s
            cur = cur[:a] + [n] + cur[b + 1:]
        elif kind == "expand":
            new = [draw(st.integers(0, 3)) if s == 1 else s for s in cur]
            lead = draw(st.lists(st.integers(0, 3), max_size=1))
            ops.append(("expand", tuple(lead + new)))
            cur = lead + new
        elif kind == "squeeze":
            ops.append(("squeeze",))
            cur = [s for s in cur if s != 1]
        elif kind == "movedim":
            a, b = draw(st.integers(0, nd - 1)), draw(st.integers(0, nd - 1))
            ops.append(("movedim", a, b))
            cur.insert(b, cur.pop(a))
    return shape, ops


def _apply(x, ops):
    for op in ops:
        x = getattr(x, op[0])(*op[1:])
    return x


@SETTINGS
@given(view_chain(), st.booleans())
def test_random_view_chains(chain, make_noncontig):
    shape, ops = chain
    a, b = pair(shape)
    if make_noncontig and len(shape) >= 2:
        a, b = a.transpose(0, -1).contiguous().transpose(0, -1), b.transpose(0, -1).contiguous().transpose(0, -1)
    va, vb = _apply(a, ops), _apply(b, ops)
    assert tuple(va.shape) == tuple(vb.shape)
    shares = vb.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    assert (va._t.storage_id == a._t.storage_id) == shares, ops  # a view exactly when torch's is one
    if vb.numel():
        assert va.stride() == vb.stride(), ops
        if shares:
            assert va.data_ptr() - a.data_ptr() == vb.data_ptr() - b.data_ptr()
    np.testing.assert_array_equal(va.numpy(), vb.numpy())
    # a final view() follows torch: succeeds (same strides) or raises RuntimeError
    try:
        wb = vb.view(-1)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            va.view(-1)
    else:
        wa = va.view(-1)
        assert tuple(wa.shape) == tuple(wb.shape)
        if wb.numel():  # strides of empty tensors carry no meaning (and differ with their history)
            assert wa.stride() == wb.stride()


@st.composite
def broadcastable_pair(draw):
    out = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    def operand():
        k = draw(st.integers(0, len(out)))
        return [1 if draw(st.booleans()) else s for s in out[len(out) - k:]]
    return operand(), operand()


@SETTINGS
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "div"]),
       st.sampled_from(["float32", "float64", "int64"]), st.booleans())
def test_random_broadcasting_binary_ops(shapes_, op, dtype, transpose):
    sa, sb = shapes_
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(sa) * 4).astype(dtype)
    y = (rng.standard_normal(sb) * 4).astype(dtype)
    if op == "div":
        y = np.where(y == 0, 1, y).astype(dtype)
    ta, tb = tl.tensor(x), tl.tensor(y)
    ra, rb = torch.tensor(x), torch.tensor(y)
    if transpose and len(sa) >= 2:
        ta, ra = ta.transpose(0, 1).contiguous().transpose(0, 1), ra.transpose(0, 1).contiguous().transpose(0, 1)
    got = getattr(ta, op)(tb)
    exp = getattr(ra, op)(rb)
    assert tuple(got.shape) == tuple(exp.shape)
    assert got.dtype.name == str(exp.dtype).split(".")[-1]
    np.testing.assert_allclose(got.numpy(), exp.numpy(), rtol=1e-6, atol=1e-6)
    assert tuple(tl.broadcast_shapes(sa, sb)) == tuple(torch.broadcast_shapes(sa, sb))
    ea, eb = tl.broadcast_tensors(ta, tb)
    fa, fb = torch.broadcast_tensors(ra, rb)
    assert ea.stride() == fa.stride() and eb.stride() == fb.stride()
