"""Autograd semantics against torch: graph shapes, accumulation, retain_graph, hooks, custom
Functions, higher-order gradients, grad modes, deep chains, and torch's errors."""
from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest
import torch

import tensorlite as tl


def both(fn):
    """Runs fn(lib) for tensorlite and torch and returns the two results."""
    return fn(tl), fn(torch)


def close(a, b, tol=1e-6):
    an = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    bn = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(an, bn, rtol=tol, atol=tol)


X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def leaf(lib, arr=X, dtype=None):
    return lib.tensor(arr, dtype=dtype or lib.float64, requires_grad=True)


def test_diamond():
    def f(lib):
        x = leaf(lib)
        a = x * 2
        b = a.exp()
        c = a * 3
        (b * c + a).backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad
    close(*both(f))


def test_fan_out_accumulates():
    def f(lib):
        x = leaf(lib)
        y = x * x * x + x
        y.backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad
    close(*both(f))


def test_grad_accumulates_across_backward_calls():
    def f(lib):
        x = leaf(lib)
        (x * 2).backward(lib.ones(2, 3, dtype=lib.float64))
        (x * x).backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad
    close(*both(f))


def test_broadcast_gradient_reduced_to_input_shape():
    def f(lib):
        a = leaf(lib)
        b = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        c = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        ((a * b + c) * a).backward(lib.ones(2, 3, dtype=lib.float64))
        return a.grad, b.grad, c.grad
    r_tl, r_t = both(f)
    for a, b in zip(r_tl, r_t):
        assert tuple(a.shape) == tuple(b.shape)
        close(a, b)


def test_backward_twice_raises_and_retain_graph_allows():
    x = leaf(tl)
    y = (x * x).exp()
    g = tl.ones(2, 3, dtype=tl.float64)
    y.backward(g, retain_graph=True)
    y.backward(g)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward(g)
    xt = leaf(torch)
    yt = (xt * xt).exp()
    yt.backward(torch.ones(2, 3, dtype=torch.float64), retain_graph=True)
    yt.backward(torch.ones(2, 3, dtype=torch.float64))
    close(x.grad, xt.grad)


def test_nonscalar_backward_needs_gradient():
    for lib in (tl, torch):
        y = leaf(lib) * 2
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            y.backward()


def test_backward_on_tensor_without_grad_raises():
    for lib in (tl, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.ones(1).backward()


def test_scalar_backward_implicit_one():
    def f(lib):
        x = leaf(lib, np.array([3.0]))
        y = (x * x).exp()[0] if False else (x * x * 2)
        y.backward()
        return x.grad
    close(*both(f))


def test_inplace_on_leaf_requiring_grad_raises():
    for lib in (tl, torch):
        x = leaf(lib)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1)
        with lib.no_grad():
            x.add_(1)  # allowed without grad mode (optimizers do this)


def test_inplace_on_view_of_leaf_raises():
    for lib in (tl, torch):
        x = leaf(lib)
        with pytest.raises(RuntimeError, match="view of a leaf Variable"):
            x.narrow(1, 0, 2).mul_(2)


def test_modified_saved_tensor_raises():
    for lib in (tl, torch):
        x = leaf(lib)
        y = x.exp()          # saves its output
        z = y * 1
        y.mul_(2)            # bumps y's version
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            (z + y).backward(lib.ones(2, 3, dtype=lib.float64))


def test_version_counter():
    for lib in (tl, torch):
        x = lib.ones(3)
        v0 = x._version
        x.add_(1)
        x.mul_(2)
        assert x._version == v0 + 2
        v = x.narrow(0, 0, 2)
        v.add_(1)
        assert x._version == v0 + 3  # views share the counter


def test_inplace_on_nonleaf_rewrites_history():
    def f(lib):
        x = leaf(lib)
        y = x * 2
        y.add_(x)
        y.mul_(3)
        y.exp_()
        y.backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad
    close(*both(f))


def test_inplace_on_view_updates_base_history():
    def f(lib):
        x = leaf(lib)
        w = leaf(lib, np.array([1.0, -2.0, 0.5]))
        base = x * 1
        base.select(0, 1).mul_(w)          # write through a view
        (base * base).backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad, w.grad
    (a1, b1), (a2, b2) = both(f)
    close(a1, a2)
    close(b1, b2)


def test_inplace_on_view_of_tensor_without_grad():
    """out = zeros(...); out[i] = f(w) makes out part of the graph (torch's CopySlices)."""
    def f(lib):
        w = leaf(lib, np.array([1.0, -2.0, 0.5]))
        out = lib.zeros(2, 3, dtype=lib.float64)
        out.select(0, 0).copy_(w * 3)
        out.select(0, 1).copy_(w.exp())
        assert out.requires_grad
        (out * out).backward(lib.ones(2, 3, dtype=lib.float64))
        return w.grad
    close(*both(f))


def test_hooks_on_leaf_and_nonleaf():
    def f(lib):
        seen = []
        x = leaf(lib)
        x.register_hook(lambda g: seen.append(("x", g.clone())) or g * 2)
        y = x * 3
        y.register_hook(lambda g: seen.append(("y", g.clone())))
        y.backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad, seen
    (g1, s1), (g2, s2) = both(f)
    close(g1, g2)
    assert [k for k, _ in s1] == [k for k, _ in s2]
    for (_, a), (_, b) in zip(s1, s2):
        close(a, b)


def test_hook_handle_remove():
    x = leaf(tl)
    h = x.register_hook(lambda g: g * 10)
    h.remove()
    (x * 1).backward(tl.ones(2, 3, dtype=tl.float64))
    close(x.grad, np.ones((2, 3)))


def test_retain_grad():
    def f(lib):
        x = leaf(lib)
        y = x * 2
        y.retain_grad()
        (y * y).backward(lib.ones(2, 3, dtype=lib.float64))
        return y.grad
    close(*both(f))


def test_no_grad_and_set_grad_enabled():
    x = leaf(tl)
    with tl.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    with tl.set_grad_enabled(False):
        assert not tl.is_grad_enabled()
        with tl.enable_grad():
            assert (x * 2).requires_grad
    assert tl.is_grad_enabled()

    @tl.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    tl.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    tl.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_detach_and_requires_grad_rules():
    x = leaf(tl)
    d = x.detach()
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="floating point"):
        tl.ones(2, dtype=tl.int64).requires_grad_()
    z = (x * 2).detach_()
    assert z.grad_fn is None and not z.requires_grad


def test_is_leaf_and_grad_fn_names():
    x = leaf(tl)
    y = x * 2 + 1
    assert x.is_leaf and not y.is_leaf
    assert y.grad_fn.name() == "AddBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert type(y.grad_fn.next_functions[0][0].next_functions[0][0]).__name__ == "AccumulateGrad"


def test_autograd_grad_and_second_derivative():
    def f(lib):
        x = leaf(lib)
        y = (x * x * x).exp() * x
        g, = lib.autograd.grad(y, x, lib.ones(2, 3, dtype=lib.float64), create_graph=True)
        g2, = lib.autograd.grad(g, x, lib.ones(2, 3, dtype=lib.float64))
        return g, g2
    (a1, b1), (a2, b2) = both(f)
    close(a1, a2)
    close(b1, b2)
    x = leaf(tl)
    assert x.grad is None  # autograd.grad does not touch .grad


def test_third_derivative():
    def f(lib):
        x = leaf(lib)
        y = x * x * x * x
        one = lib.ones(2, 3, dtype=lib.float64)
        g1, = lib.autograd.grad(y, x, one, create_graph=True)
        g2, = lib.autograd.grad(g1, x, one, create_graph=True)
        g3, = lib.autograd.grad(g2, x, one)
        return g3
    close(*both(f))


def test_grad_allow_unused():
    for lib in (tl, torch):
        x, z = leaf(lib), leaf(lib)
        y = x * 2
        with pytest.raises(RuntimeError, match="not have been used"):
            lib.autograd.grad(y, [x, z], lib.ones(2, 3, dtype=lib.float64), retain_graph=True)
        gx, gz = lib.autograd.grad(y, [x, z], lib.ones(2, 3, dtype=lib.float64), allow_unused=True)
        assert gz is None


def test_backward_inputs_argument():
    def f(lib):
        x, w = leaf(lib), leaf(lib)
        (x * w).backward(lib.ones(2, 3, dtype=lib.float64), inputs=[w])
        return x.grad, w.grad
    (x1, w1), (x2, w2) = both(f)
    assert x1 is None and x2 is None
    close(w1, w2)


def test_custom_function():
    def make(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.k = k
                return x * x * x * k

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                assert ctx.needs_input_grad == (True, False)
                return g * 3 * x * x * ctx.k, None
        return Cube

    def f(lib):
        x = leaf(lib)
        y = make(lib).apply(x, 2.0)
        y.backward(lib.ones(2, 3, dtype=lib.float64))
        return y, x.grad
    (y1, g1), (y2, g2) = both(f)
    close(y1, y2)
    close(g1, g2)


def test_custom_function_non_differentiable_output():
    class Split(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = (x > 0)
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 2

    x = leaf(tl)
    y, idx = Split.apply(x)
    assert y.requires_grad and not idx.requires_grad
    y.backward(tl.ones(2, 3, dtype=tl.float64))
    close(x.grad, np.full((2, 3), 2.0))


def test_custom_function_wrong_number_of_grads():
    class Bad(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf(tl)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, leaf(tl)).backward(tl.ones(2, 3, dtype=tl.float64))


def test_deep_chain_no_recursion_limit():
    x = tl.tensor([1.0], dtype=tl.float64, requires_grad=True)
    y = x
    n = 100_000
    for _ in range(n):
        y = y * 1.0000001
    y.backward(tl.ones(1, dtype=tl.float64))
    assert x.grad.item() == pytest.approx(1.0000001 ** n, rel=1e-9)
    assert n > sys.getrecursionlimit()


def test_graph_freed_after_backward():
    x = leaf(tl)
    y = (x * 2).exp()
    node = weakref.ref(y.grad_fn)
    y.backward(tl.ones(2, 3, dtype=tl.float64))
    del y
    gc.collect()
    assert node() is None


def test_gradcheck_catches_wrong_gradient():
    class Wrong(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g  # should be 2 * x * g

    x = leaf(tl)
    assert tl.autograd.gradcheck(lambda t: t * t, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        tl.autograd.gradcheck(Wrong.apply, (x,))
    assert tl.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_gradgradcheck():
    x = leaf(tl)
    assert tl.autograd.gradgradcheck(lambda t: t * t * t, (x,))
    assert tl.autograd.gradgradcheck(lambda t: (t * 2).exp() / (t * t + 1), (x,))


def test_copy_of_constant_into_nonleaf_blocks_old_history():
    def f(lib):
        x = leaf(lib)
        y = x * 2
        y.copy_(lib.ones(2, 3, dtype=lib.float64))
        (y * x).backward(lib.ones(2, 3, dtype=lib.float64))
        return x.grad, y.requires_grad
    (g1, r1), (g2, r2) = both(f)
    close(g1, g2)
    assert r1 == r2
