"""Realistic small PyTorch scripts run unchanged with `torch` and with `tensorlite`.

Each script is a function of the module (`torch` or `tensorlite`); inputs come from numpy with a fixed
seed (the two libraries' random generators differ), and everything a script returns -- values, dtypes,
shapes, gradients -- is compared with torch's. These scripts use the tensor + autograd API the way
users write it (no nn/optim), so a missing method, a wrong dtype or a wrong gradient shows up here the
way it would in a user's notebook.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tensorlite as tl


def _flatten(obj, prefix="out"):
    """Yield (path, leaf) for nested tuples/lists/dicts of tensors and Python scalars."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}.{k}")
    elif isinstance(obj, (tuple, list)) and not hasattr(obj, "numel"):
        for i, v in enumerate(obj):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def _compare(a, b, atol, rtol):
    fa, fb = list(_flatten(a)), list(_flatten(b))
    assert [p for p, _ in fa] == [p for p, _ in fb], "scripts returned different structures"
    for (path, x), (_, y) in zip(fa, fb):
        if isinstance(y, torch.Tensor):
            assert isinstance(x, tl.Tensor), f"{path}: expected a Tensor, got {type(x).__name__}"
            assert str(x.dtype).split(".")[-1] == str(y.dtype).split(".")[-1], f"{path}: dtype {x.dtype} vs {y.dtype}"
            assert tuple(x.shape) == tuple(y.shape), f"{path}: shape {tuple(x.shape)} vs {tuple(y.shape)}"
            assert x.requires_grad == y.requires_grad, f"{path}: requires_grad {x.requires_grad} vs {y.requires_grad}"
            xa, ya = x.detach().numpy(), y.detach().numpy()
            if ya.dtype.kind in "biu":
                np.testing.assert_array_equal(xa, ya, err_msg=path)
            else:
                np.testing.assert_allclose(xa, ya, atol=atol, rtol=rtol, err_msg=path)
        elif isinstance(y, torch.Size):
            assert tuple(x) == tuple(y), path
        elif isinstance(y, torch.dtype):
            assert str(x).split(".")[-1] == str(y).split(".")[-1], path
        elif isinstance(y, float):
            assert isinstance(x, float), f"{path}: {type(x).__name__} vs float"
            assert math.isclose(x, y, rel_tol=rtol, abs_tol=atol) or (math.isnan(x) and math.isnan(y)), \
                f"{path}: {x} vs {y}"
        else:
            assert type(x) is type(y), f"{path}: {type(x).__name__} vs {type(y).__name__}"
            assert x == y, f"{path}: {x!r} vs {y!r}"


SCRIPTS = []


def script(atol=1e-5, rtol=1e-5):
    def deco(fn):
        SCRIPTS.append(pytest.param(fn, atol, rtol, id=fn.__name__))
        return fn
    return deco


def _data(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------------------------------------------------------
@script(atol=1e-5, rtol=1e-4)
def logistic_regression(T):
    X = T.from_numpy(_data(64, 5, seed=1))
    true_w = T.tensor([1.5, -2.0, 0.5, 0.0, 1.0])
    y = (X @ true_w + 0.3 > 0).float()
    w = T.zeros(5, requires_grad=True)
    b = T.zeros(1, requires_grad=True)
    losses = []
    for step in range(30):
        logits = X @ w + b
        p = T.sigmoid(logits)
        loss = -(y * T.log(p + 1e-7) + (1 - y) * T.log(1 - p + 1e-7)).mean()
        loss.backward()
        with T.no_grad():
            w -= 0.5 * w.grad
            b.sub_(0.5 * b.grad)
            w.grad.zero_()
            b.grad = None
        losses.append(loss.item())
    acc = ((X @ w + b > 0).float() == y).float().mean()
    return w, b, losses, acc, w.is_leaf, b.grad is None


@script(atol=1e-5, rtol=1e-4)
def mlp_softmax_nll(T):
    X = T.tensor(_data(32, 8, seed=2))
    y = T.tensor(np.random.default_rng(3).integers(0, 4, 32))
    W1 = (T.tensor(_data(8, 16, seed=4)) * 0.3).requires_grad_()
    b1 = T.zeros(16, requires_grad=True)
    W2 = (T.tensor(_data(16, 4, seed=5)) * 0.3).requires_grad_()
    b2 = T.zeros(4, requires_grad=True)
    params = [W1, b1, W2, b2]
    hist = []
    for it in range(10):
        h = T.relu(X @ W1 + b1)
        logits = h.mm(W2) + b2
        logp = logits - logits.logsumexp(dim=1, keepdim=True)
        nll1 = -logp[T.arange(32), y].mean()
        nll2 = -logp.gather(1, y.unsqueeze(1)).squeeze(1).mean()
        probs = T.softmax(logits, dim=-1)
        nll3 = -T.log(probs.gather(1, y.view(-1, 1))).mean()
        loss = nll1 + 0 * nll2 + 0 * nll3
        for p in params:
            p.grad = None
        loss.backward()
        with T.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-0.1)
        hist.append((nll1.item(), nll2.item(), nll3.item()))
    pred = logits.argmax(dim=1)
    acc = (pred == y).sum().item() / len(y)
    return hist, pred, acc, [p.detach().clone() for p in params], probs.sum(1)


@script(atol=1e-5, rtol=1e-4)
def rnn_loop_prealloc(T):
    Tn, B, I, H = 6, 3, 4, 5
    xs = T.tensor(_data(Tn, B, I, seed=6))
    Wx = T.tensor(_data(I, H, seed=7) * 0.5, requires_grad=True)
    Wh = T.tensor(_data(H, H, seed=8) * 0.5, requires_grad=True)
    h = T.zeros(B, H)
    out = T.empty(Tn, B, H)
    for t in range(Tn):
        h = T.tanh(xs[t] @ Wx + h @ Wh)
        out[t] = h
    loss = out.pow(2).sum() + out[-1].abs().mean()
    loss.backward()
    hs = []
    h2 = T.zeros(B, H)
    for t in range(Tn):
        h2 = T.tanh(T.matmul(xs[t], Wx) + T.matmul(h2, Wh))
        hs.append(h2)
    stacked = T.stack(hs)
    return out, loss, Wx.grad, Wh.grad, out.grad_fn is not None, stacked, T.allclose(stacked, out)


@script(atol=1e-4, rtol=1e-4)
def kmeans(T):
    rng = np.random.default_rng(9)
    centers_true = np.array([[0, 0], [5, 5], [-5, 5]], dtype=np.float32)
    pts = np.concatenate([c + rng.standard_normal((20, 2)).astype(np.float32) for c in centers_true])
    X = T.from_numpy(pts)
    C = X[T.tensor([0, 20, 40])].clone()
    K = 3
    for it in range(5):
        d = ((X[:, None, :] - C[None]) ** 2).sum(-1).sqrt()
        d2 = ((X.unsqueeze(1) - C.unsqueeze(0)) ** 2).sum(dim=-1)
        assign = d2.argmin(dim=1)
        counts = T.bincount(assign, minlength=K)
        sums = T.zeros(K, 2).index_add_(0, assign, X)
        sums2 = T.zeros(K, 2).scatter_add_(0, assign.unsqueeze(1).expand(-1, 2), X)
        C = sums / counts.unsqueeze(1).clamp(min=1)
    onehot = T.zeros(X.shape[0], K).scatter_(1, assign.view(-1, 1), 1.0)
    inertia = d2.min(dim=1).values.sum()
    return C, assign, counts, sums2, onehot.sum(0), inertia, d.shape, T.unique(assign), counts.dtype


@script(atol=1e-5, rtol=1e-4)
def attention(T):
    B, Hh, L, D = 2, 3, 5, 4
    q = T.tensor(_data(B, Hh, L, D, seed=10), requires_grad=True)
    k = T.tensor(_data(B, Hh, L, D, seed=11), requires_grad=True)
    v = T.tensor(_data(B, Hh, L, D, seed=12), requires_grad=True)
    scores = T.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(D)
    mask = T.triu(T.ones(L, L, dtype=T.bool), diagonal=1)
    scores = scores.masked_fill(mask, float("-inf"))
    attn = scores.softmax(dim=-1)
    out = attn @ v
    out2 = T.matmul(T.softmax(q @ k.transpose(-2, -1) / D ** 0.5 + T.where(mask, -1e9, 0.0), -1), v)
    merged = out.transpose(1, 2).contiguous().view(B, L, Hh * D)
    merged2 = out.permute(0, 2, 1, 3).reshape(B, L, -1)
    loss = (merged * T.linspace(-1, 1, Hh * D)).sum()
    loss.backward()
    return out, out2, merged2, attn.sum(-1), q.grad, k.grad, v.grad, mask.dtype


@script(atol=1e-6, rtol=1e-5)
def numerical_gradcheck(T):
    def f(x, y):
        return (T.sin(x) * y.exp() + x.pow(3) / (1 + y * y)).sum() + T.norm(x * y)
    x = T.tensor(_data(3, 4, seed=13, dtype=np.float64), requires_grad=True)
    y = T.tensor(_data(3, 4, seed=14, dtype=np.float64), requires_grad=True)
    gx, gy = T.autograd.grad(f(x, y), (x, y))
    eps = 1e-6
    num = T.zeros_like(x)
    with T.no_grad():
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                xp = x.clone(); xp[i, j] += eps
                xm = x.clone(); xm[i, j] -= eps
                num[i, j] = (f(xp, y) - f(xm, y)) / (2 * eps)
    ok = T.autograd.gradcheck(lambda a, b: T.tanh(a) * b, (x, y))
    # second derivative through create_graph
    z = (x ** 2 * y).sum()
    g, = T.autograd.grad(z, x, create_graph=True)
    gg, = T.autograd.grad(g.sum(), y)
    return gx, gy, num, ok, (num - gx).abs().max() < 1e-5, gg


@script()
def manipulation_idioms(T):
    a = T.arange(24).view(2, 3, 4)
    b = a.permute(2, 0, 1)
    c = b.contiguous().view(4, -1)
    parts = a.chunk(2, dim=2)
    parts3 = T.arange(10).chunk(3)
    sp = T.arange(10).split([3, 7])
    sp2 = T.arange(10).split(4)
    st = T.stack(parts, dim=0)
    ct = T.cat(parts, dim=-1)
    w = T.where(a > 10, a, -a)
    cl = a.float().clamp(3.5, 20).clamp_(max=15)
    f = T.tensor(_data(4, 6, seed=15))
    tv, ti = f.topk(3, dim=1)
    tv2, ti2 = T.topk(f, 2, dim=0, largest=False)
    sv, si = f.sort(dim=-1, descending=True)
    cs = T.cumsum(f, dim=1)
    cp = f.cumprod(0)
    ft = a.flatten(1)
    us = a.unsqueeze(-1).squeeze()
    tr = a.transpose(0, 2).is_contiguous()
    ex = T.tensor([1.0, 2.0]).expand(3, 2)
    rep = T.tensor([1, 2]).repeat(2, 3)
    ri = T.tensor([1, 2, 3]).repeat_interleave(2)
    fl = a.flip(0)
    rl = T.roll(T.arange(5), 2)
    nz = T.nonzero(a % 5 == 0)
    nzt = (a % 7 == 0).nonzero(as_tuple=True)
    ms = a[a > 20]
    mn = T.minimum(f, T.zeros(1))
    uniq, inv, cnt = T.unique(T.tensor([3, 1, 3, 2, 1]), return_inverse=True, return_counts=True)
    return (a, b, b.stride(), c, parts, parts3, sp, sp2, st, ct, w, cl, tv, ti, tv2, ti2, sv, si, cs, cp, ft, us,
            tr, ex, ex.stride(), rep, ri, fl, rl, nz, nzt, ms, mn, uniq, inv, cnt, a.numel(), a.dim(), a.size(1),
            a.shape[-1], a.sum().item(), a.float().mean().item(), a.max().item(), a.dtype, cl.dtype)


@script()
def inplace_under_no_grad(T):
    w = T.tensor(_data(3, 3, seed=16), requires_grad=True)
    with T.no_grad():
        w[0] = 0.0
        w[:, 1] *= 2
        w.mul_(0.5).add_(1.0)
        w.clamp_(-1, 1)
        w.fill_diagonal_(3.0) if hasattr(w, "fill_diagonal_") else None
        u = w * 2
    loss = (w * w).sum()
    loss.backward()
    x = T.ones(4)
    x.add_(T.arange(4.0)).div_(2).pow_(2)
    x.masked_fill_(x > 3, -1.0)
    x[T.tensor([0, 2])] = T.tensor([7.0, 8.0])
    y = T.zeros(2, 3)
    y.copy_(T.tensor([1.0, 2.0, 3.0]))
    y.index_fill_(1, T.tensor([0]), 9.0)
    v = y.view(-1)
    v[1] = 42.0
    return w, w.grad, u.requires_grad, loss, x, y, w._version > 0


@script()
def hooks(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.clone()))
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.retain_grad()
    z = (y ** 2).sum()
    z.backward()
    h.remove()
    gx = x.grad.clone()
    x.grad = None
    (x * 3).sum().backward()
    return gx, seen, y.grad, x.grad, len(seen)


@script(atol=1e-5, rtol=1e-4)
def linear_regression_closed_form_and_gd(T):
    X = T.tensor(_data(50, 3, seed=17, dtype=np.float64))
    w_true = T.tensor([[1.0], [-2.0], [0.5]], dtype=T.float64)
    y = X @ w_true + 0.01 * T.tensor(_data(50, 1, seed=18, dtype=np.float64))
    Xb = T.cat([X, T.ones(50, 1, dtype=T.float64)], dim=1)
    w = T.zeros(4, 1, dtype=T.float64, requires_grad=True)
    for _ in range(50):
        loss = ((Xb @ w - y) ** 2).mean()
        (g,) = T.autograd.grad(loss, [w])
        with T.no_grad():
            w -= 0.1 * g
    return w, loss, loss.dtype


@script()
def dtype_promotion_idioms(T):
    i = T.tensor([1, 2, 3])
    f = T.tensor([0.5, 1.5, 2.5])
    d = T.tensor([1.0], dtype=T.float64)
    b = T.tensor([True, False, True])
    return (i / 2, i // 2, i * 1.5, i + f, f + d, b + b, b * 2, b.sum(), i.sum(), i.float().mean(), i.mean(dtype=T.float32),
            i % 2, -i, i ** 2, 2 ** i, i.double().dtype, (i > 1).dtype, i.to(T.float32).dtype, f.long(), f.int().dtype,
            T.tensor(3).dtype, T.tensor(3.0).dtype, T.tensor(True).dtype, T.tensor([]).dtype, T.tensor([[1, 2]]).shape,
            i.type(T.float64).dtype, T.zeros(2, dtype=T.int64).dtype, T.full((2,), 3).dtype, T.full((2,), 3.0).dtype,
            T.arange(3).dtype, T.arange(3.0).dtype, T.arange(0, 1, 0.25), T.linspace(0, 1, 5).dtype,
            T.ones_like(i, dtype=T.float32), T.randn(2, 3).shape, T.rand(4).dtype, i.abs(), f.round(), f.floor(),
            f.ceil(), f.trunc(), f.frac(), T.sign(T.tensor([-2.0, 0.0, 3.0])), T.isnan(T.tensor([float("nan")])),
            i.bool(), i.prod(), f.std(), f.var(unbiased=False), f.median(), i.max(), i.argmax(), f.norm(),
            i.eq(2), i.ne(2).any(), i.all(), f.add(i, alpha=2), T.true_divide(i, 2), T.floor_divide(i, 2))


@script(atol=1e-5, rtol=1e-4)
def softmax_classifier_with_bmm_and_baddbmm(T):
    A = T.tensor(_data(4, 3, 5, seed=19), requires_grad=True)
    B = T.tensor(_data(4, 5, 2, seed=20), requires_grad=True)
    C = T.bmm(A, B)
    D = T.baddbmm(T.zeros(4, 3, 2), A, B, beta=0.5, alpha=2.0) if hasattr(T, "baddbmm") else C * 2
    E = T.addmm(T.ones(2), A[0], B[0]) if hasattr(T, "addmm") else A[0] @ B[0] + 1
    o = T.outer(T.arange(3.0), T.arange(2.0))
    ls = T.log_softmax(C.view(4, -1), dim=1)
    loss = -ls[:, 0].mean() + D.mean() + E.sum() * 0.1
    loss.backward()
    return C, D, E, o, ls, A.grad, B.grad


@script(atol=1e-5, rtol=1e-4)
def grad_accumulation_and_detach(T):
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    for _ in range(3):
        y = (x.exp() * x.detach()).sum()
        y.backward()
    g1 = x.grad.clone()
    x.grad.zero_()
    y = x.sum() * 2
    y.backward(retain_graph=True)
    y.backward()
    g2 = x.grad.clone()
    with T.enable_grad():
        z = x * 2
    with T.no_grad():
        zz = x * 2
    with T.set_grad_enabled(False):
        zzz = x + 1
    xs = T.tensor([1.0, 2.0], requires_grad=True)
    out = xs * xs
    out.backward(T.tensor([1.0, 0.5]))
    return g1, g2, z.requires_grad, zz.requires_grad, zzz.requires_grad, xs.grad, T.is_grad_enabled()


@script(atol=1e-5, rtol=1e-4)
def batched_norm_stats(T):
    x = T.tensor(_data(8, 3, 4, 4, seed=21), requires_grad=True)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    xh = (x - mean) / T.sqrt(var + 1e-5)
    gamma = T.ones(1, 3, 1, 1, requires_grad=True)
    y = xh * gamma
    loss = (y * T.arange(3.0).view(1, 3, 1, 1)).sum()
    loss.backward()
    ln_mean = x.mean(-1, keepdim=True)
    ln_std = x.std(-1, keepdim=True)
    amax = x.amax(dim=(2, 3))
    return mean.squeeze(), var.flatten(), x.grad, gamma.grad, ln_mean.shape, ln_std, amax, T.var_mean(x, dim=1)[0].shape


@script()
def indexing_patterns(T):
    a = T.arange(60).reshape(3, 4, 5)
    r = (a[1], a[:, 2], a[..., -1], a[0, 1:3, ::2], a[None, 0].shape, a[:, None].shape, a[[0, 2]],
         a[T.tensor([0, 2]), T.tensor([1, 3])], a[:, [1, 2], :], a[a.sum(-1) > 100], a[0][a[0] % 2 == 0],
         a[T.tensor([[0, 1], [2, 0]])].shape, a[1, ..., 2], a[-1, -1, -1].item(), a[0, :, T.tensor([1, 2])])
    b = T.zeros(3, 4)
    b[1:, ::2] = 5
    b[0] = T.tensor([1.0, 2.0, 3.0, 4.0])
    b[b > 4] += 1
    b[:, 0] = T.tensor([9.0, 9.0, 9.0])
    b[T.tensor([0, 0, 2]), T.tensor([1, 1, 3])] = T.tensor([-1.0, -2.0, -3.0])
    c = T.zeros(5)
    c.index_put_((T.tensor([0, 0, 1]),), T.tensor([1.0, 2.0, 3.0]), accumulate=True)
    g = T.tensor(_data(3, 4, seed=22), requires_grad=True)
    sel = g[T.tensor([0, 0, 2])].sum() + g[:, 1].sum() + g[g > 0].sum()
    sel.backward()
    return r, b, c, g.grad, T.take(a, T.tensor([0, 59])), T.index_select(a, 1, T.tensor([3, 0]))


@script()
def masked_and_where_grads(T):
    x = T.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
    y = T.where(x > 0, x ** 2, -x)
    z = x.clamp(-1, 1)
    m = x.masked_fill(x < 0, 0.0)
    r = T.relu(x) + T.abs(x) + T.maximum(x, T.zeros_like(x)) + x.max() + x.amin()
    loss = y.sum() + z.sum() + m.sum() + r.sum()
    loss.backward()
    return y, z, m, r, x.grad


@script(atol=1e-5, rtol=1e-4)
def misc_reductions(T):
    x = T.tensor(_data(4, 5, seed=23))
    i = T.tensor([[3, 1, 2], [0, 5, 5]])
    return (x.sum(), x.sum(0), x.sum(dim=1, keepdim=True), x.mean(-1), x.prod(1), x.max(dim=1), x.min(0),
            x.max(dim=1)[1], x.argmin(), x.logsumexp(0), x.std(0), x.var(1, correction=0), x.norm(dim=1),
            x.norm(p=1), T.count_nonzero(x > 0), x.any(), (x > 0).all(dim=1), i.sum(1), i.max(), i.float().mean(),
            T.median(x, dim=1).values, x.cummax(1).values, x.abs().log().nansum(), T.dist(x, x + 1), x.kthvalue(2, 1),
            x.mode(0).values.shape, T.mean(x, (0, 1)), x.sum((-1, -2)), x.softmax(0).sum(0), x.log_softmax(1).exp().sum(1))


# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,atol,rtol", SCRIPTS)
def test_script_matches_torch(fn, atol, rtol):
    expected = fn(torch)
    got = fn(tl)
    _compare(got, expected, atol, rtol)
