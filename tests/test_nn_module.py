"""nn.Module / nn.Parameter / nn.Buffer against torch: registration and its errors, iteration order and
prefixes, train/eval, zero_grad, requires_grad_, apply, _apply (to/float/double), state_dict and
load_state_dict (keys, strictness, error text, returned keys, assign), hooks, repr, deepcopy."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import tensorlite as tl
from tensorlite import nn


def _mk(lib):
    """The same small tree in either library: parameters, a persistent and a non-persistent buffer,
    nested children, a shared child and a None slot."""
    class Leaf(lib.nn.Module):
        def __init__(self, n):
            super().__init__()
            self.w = lib.nn.Parameter(lib.ones(n, 2))
            self.b = lib.nn.Parameter(lib.zeros(n))
            self.register_buffer("stat", lib.full((n,), 2.0))
            self.register_buffer("tmp", lib.zeros(1), persistent=False)

        def forward(self, x):
            return x @ self.w

    class Tree(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Leaf(3)
            self.inner = lib.nn.Module()
            self.inner.c = Leaf(4)
            self.inner.shared = self.a
            self.scale = lib.nn.Parameter(lib.tensor(1.5))
            self.register_parameter("nothing", None)
            self.register_buffer("count", lib.tensor(0))

        def forward(self, x):
            return self.a(x) * self.scale

    return Tree()


def _names(it):
    return [n for n, _ in it]


def test_iteration_order_prefixes_and_duplicates_match_torch():
    t, m = _mk(torch), _mk(tl)
    assert _names(m.named_parameters()) == _names(t.named_parameters())
    assert _names(m.named_buffers()) == _names(t.named_buffers())
    assert _names(m.named_modules()) == _names(t.named_modules())
    assert _names(m.named_children()) == _names(t.named_children())
    assert _names(m.named_parameters(prefix="model", recurse=False)) == \
        _names(t.named_parameters(prefix="model", recurse=False))
    assert _names(m.named_parameters(remove_duplicate=False)) == _names(t.named_parameters(remove_duplicate=False))
    assert _names(m.named_modules(remove_duplicate=False)) == _names(t.named_modules(remove_duplicate=False))
    assert len(list(m.parameters())) == len(list(t.parameters())) == 5
    assert list(m.state_dict().keys()) == list(t.state_dict().keys())
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())


def test_state_dict_values_are_detached_and_share_memory():
    m = _mk(tl)
    sd = m.state_dict()
    assert not sd["a.w"].requires_grad and not isinstance(sd["a.w"], nn.Parameter)
    sd["a.w"].add_(1)  # state_dict values alias the parameters, as in torch
    assert m.a.w.detach().numpy()[0, 0] == 2.0
    kv = m.state_dict(keep_vars=True)
    assert kv["a.w"] is m.a.w
    assert list(sd._metadata.keys()) == list(_mk(torch).state_dict()._metadata.keys())


def test_torch_state_dict_through_numpy_loads_and_round_trips():
    t, m = _mk(torch), _mk(tl)
    with torch.no_grad():
        for p in t.parameters():
            p.copy_(torch.randn(p.shape))
        t.a.stat.copy_(torch.randn(3))
    r = m.load_state_dict({k: tl.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert r.missing_keys == [] and r.unexpected_keys == [] and repr(r) == "<All keys matched successfully>"
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), t.state_dict()[k].numpy())
    y = m(tl.ones(1, 3))
    np.testing.assert_allclose(y.detach().numpy(), t(torch.ones(1, 3)).detach().numpy(), rtol=1e-6)


def _both_errors(mutate):
    """The RuntimeError text of load_state_dict for the same bad dict in both libraries."""
    t, m = _mk(torch), _mk(tl)
    sd_t = t.state_dict()
    mutate(sd_t, torch)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(sd_t)
    sd_m = {k: tl.tensor(v.numpy()) for k, v in sd_t.items()}
    with pytest.raises(RuntimeError) as em:
        m.load_state_dict(sd_m)
    return str(et.value), str(em.value)


@pytest.mark.parametrize("case", ["missing", "unexpected", "unexpected_child", "shape", "all"])
def test_load_state_dict_errors_match_torch(case):
    def mutate(sd, lib):
        if case in ("missing", "all"):
            del sd["inner.c.b"]
        if case in ("unexpected", "all"):
            sd["extra"] = lib.zeros(1)
            sd["tmp"] = lib.zeros(1)
        if case == "unexpected_child":
            sd["a.nope.x"] = lib.zeros(1)
        if case in ("shape", "all"):
            sd["a.w"] = lib.zeros(5, 2)
    et, em = _both_errors(mutate)
    assert em == et.replace("torch.Size", "tensorlite.Size")


def test_load_state_dict_non_strict_returns_keys_and_loads_the_rest():
    t, m = _mk(torch), _mk(tl)
    sd_t = t.state_dict()
    del sd_t["a.b"]
    sd_t["zzz"] = torch.ones(2)
    rt = t.load_state_dict(sd_t, strict=False)
    r = m.load_state_dict({k: tl.tensor(v.numpy()) for k, v in sd_t.items()}, strict=False)
    assert (r.missing_keys, r.unexpected_keys) == (rt.missing_keys, rt.unexpected_keys)
    assert repr(r) == repr(rt)


def test_load_state_dict_bad_inputs():
    m = _mk(tl)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])
    sd = m.state_dict()
    sd["a.w"] = np.ones((3, 2), np.float32)
    with pytest.raises(RuntimeError, match='While copying the parameter named "a.w", expected torch.Tensor'):
        m.load_state_dict(sd)


def test_load_state_dict_copies_and_converts_dtype_and_assign_replaces():
    m = _mk(tl)
    w = m.a.w
    sd = {k: v.double() * 3 if v.is_floating_point() else v for k, v in m.state_dict().items()}
    m.load_state_dict(sd)
    assert m.a.w is w and m.a.w.dtype == tl.float32 and m.a.w.detach().numpy()[0, 0] == 3.0
    m.load_state_dict({k: v.clone() for k, v in m.state_dict().items()}, assign=True)
    assert m.a.w is not w and isinstance(m.a.w, nn.Parameter) and m.a.w.requires_grad


def test_registration_errors_match_torch():
    for lib in (torch, tl):
        m = lib.nn.Module()
        m.x = 1
        with pytest.raises(KeyError, match="attribute 'x' already exists"):
            m.register_buffer("x", lib.zeros(1))
        with pytest.raises(KeyError, match=r'buffer name can.*t contain "\."'):
            m.register_buffer("a.b", lib.zeros(1))
        with pytest.raises(KeyError, match=r'parameter name can.*t be empty string ""'):
            m.register_parameter("", None)
        with pytest.raises(TypeError, match="parameter name should be a string. Got int"):
            m.register_parameter(3, None)
        with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' object to parameter 'p' "
                                            r"\(torch.nn.Parameter or None required\)"):
            m.register_parameter("p", lib.zeros(1))
        with pytest.raises(TypeError, match=r"cannot assign 'int' object to buffer 'b'"):
            m.register_buffer("b", 3)
        with pytest.raises(TypeError, match="is not a Module subclass"):
            m.add_module("c", 3)
        with pytest.raises(KeyError, match=r"module name can.*t contain"):
            m.add_module("c.d", lib.nn.Module())
        m.p = lib.nn.Parameter(lib.zeros(2))
        with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'p' "
                                            r"\(torch.nn.Parameter or None expected\)"):
            m.p = lib.zeros(2)
        with pytest.raises(AttributeError, match="object has no attribute 'nothing_here'"):
            m.nothing_here  # noqa: B018
        with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
            class Bad(lib.nn.Module):
                def __init__(self):
                    self.w = lib.nn.Parameter(lib.zeros(1))
            Bad()


def test_reassignment_moves_between_registries_and_delattr():
    m = nn.Module()
    m.x = nn.Parameter(tl.zeros(1))
    m.x = None  # a registered parameter slot may be cleared
    assert "x" in m._parameters and m.x is None and list(m.parameters()) == []
    m.y = tl.zeros(1)  # a plain tensor attribute, not a buffer
    m.y = nn.Parameter(tl.ones(1))
    assert "y" in m._parameters and "y" not in m.__dict__
    m.register_buffer("z", tl.zeros(2))
    m.z = tl.ones(2)  # assigning a tensor to a buffer name updates the buffer
    assert m._buffers["z"].numpy().tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="as buffer 'z'"):
        m.z = 3
    m.plain = 1
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.plain = nn.Buffer(tl.ones(1))  # torch keeps plain attributes from being turned into buffers
    m.buf = nn.Buffer(tl.ones(3), persistent=False)
    assert "buf" in m._buffers and "buf" not in m.state_dict() and type(m.buf) is tl.Tensor
    del m.y, m.z
    assert "y" not in m._parameters and "z" not in m._buffers
    m.child = nn.Module()
    m.child = None
    assert list(m.children()) == []


def test_train_eval_zero_grad_requires_grad_apply():
    m = _mk(tl)
    assert m.training and m.inner.c.training
    assert m.eval() is m and not m.training and not m.inner.c.training
    m.train()
    assert m.inner.c.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)
    m(tl.ones(2, 3)).sum().backward()
    assert m.a.w.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.a.w.grad is not None and float(m.a.w.grad.abs().sum()) == 0.0
    m.zero_grad()
    assert m.a.w.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen, seen_t = [], []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    _mk(torch).apply(lambda mod: seen_t.append(type(mod).__name__))
    assert seen == seen_t == ["Leaf", "Leaf", "Leaf", "Module", "Tree"]  # children first, shared ones again


def test_to_float_double_keep_parameter_identity():
    m = _mk(tl)
    w = m.a.w
    m(tl.ones(1, 3)).sum().backward()
    assert m.double() is m and m.a.w is w and w.dtype == tl.float64 and w.grad.dtype == tl.float64
    assert m.count.dtype == tl.int64  # integer buffers are not converted
    m.to(tl.float32)
    assert w.dtype == tl.float32 and m.a.stat.dtype == tl.float32
    m.to("cpu", dtype=tl.float64)
    assert w.dtype == tl.float64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        m.to(tl.int64)


def test_forward_hooks_order_results_and_removal():
    for lib in (torch, tl):
        lin = _mk(lib).a
        calls = []
        h1 = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = lin.register_forward_hook(lambda mod, args, out: out + 1)
        h3 = lin.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
        h4 = lin.register_forward_pre_hook(lambda mod, args, kwargs: calls.append(sorted(kwargs)), with_kwargs=True)
        y = lin(lib.ones(1, 3))
        assert y.tolist() == [[7.0, 7.0]] and calls == [[], "first"]
        for h in (h1, h2, h3, h4):
            h.remove()
        assert lin(lib.ones(1, 3)).tolist() == [[3.0, 3.0]]
        with lin.register_forward_hook(lambda mod, args, out: out * 0):
            assert lin(lib.ones(1, 3)).tolist() == [[0.0, 0.0]]
        assert lin(lib.ones(1, 3)).tolist() == [[3.0, 3.0]]


def test_always_call_hook_runs_when_forward_raises():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    m, seen = Boom(), []
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        m(1)
    assert seen == [None]


def test_repr_and_extra_repr_match_torch():
    def build(lib):
        class Inner(lib.nn.Module):
            def extra_repr(self):
                return "k=3"

        class Multi(lib.nn.Module):
            def extra_repr(self):
                return "a=1\nb=2"

        class Outer(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.one = Inner()
                self.two = lib.nn.Module()
                self.two.deep = Multi()
        return Outer()
    assert repr(build(tl)) == repr(build(torch))


def test_missing_forward_and_get_submodule():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(1)
    m = _mk(tl)
    assert m.get_submodule("inner.c") is m.inner.c and m.get_parameter("inner.c.w") is m.inner.c.w
    assert m.get_buffer("a.stat") is m.a.stat
    with pytest.raises(AttributeError):
        m.get_submodule("inner.zz")


def test_parameter_semantics():
    base = tl.randn(3)
    p = nn.Parameter(base)
    assert isinstance(p, tl.Tensor) and p.requires_grad and p.is_leaf
    assert p.data_ptr() == base.data_ptr()  # shares memory, as torch
    assert type(p * 2) is tl.Tensor and repr(p).startswith("Parameter containing:\ntensor(")
    assert not nn.Parameter(tl.zeros(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q.data_ptr() != p.data_ptr()
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nn.Parameter(tl.zeros(2, dtype=tl.int64))


def test_deepcopy_module_is_independent():
    m = _mk(tl)
    m2 = copy.deepcopy(m)
    assert m2.inner.shared is m2.a  # sharing inside the tree is kept
    with tl.no_grad():
        m2.a.w.add_(1)
    assert float(m.a.w.sum()) == 6.0 and float(m2.a.w.sum()) == 12.0
    assert [n for n, _ in m2.named_parameters()] == [n for n, _ in m.named_parameters()]


def test_load_state_dict_pre_hook_receives_module_and_assign_keeps_requires_grad():
    # the public register_load_state_dict_pre_hook passes the module first (8 arguments), and
    # assign=True makes the loaded Parameter follow the model's requires_grad, as torch does
    def run(lib):
        m = lib.nn.Linear(2, 2)
        seen = []
        m.register_load_state_dict_pre_hook(lambda *a: seen.append((len(a), a[0] is m, a[2])))
        w = lib.nn.Parameter(lib.ones(2, 2), requires_grad=False)
        m.load_state_dict({"weight": w, "bias": lib.zeros(2)}, assign=True)
        return seen, m.weight is w, m.weight.requires_grad

    assert run(tl) == run(torch)


@pytest.mark.parametrize("kind", ["parameter", "module"])
def test_assigning_over_a_non_persistent_buffer_moves_it(kind):
    # the name leaves the buffer registry and the non-persistent set (a set, not a dict)
    def run(lib):
        m = lib.nn.Module()
        m.register_buffer("x", lib.zeros(1), persistent=False)
        m.x = lib.nn.Parameter(lib.ones(1)) if kind == "parameter" else lib.nn.ReLU()
        del m.x
        m.register_buffer("x", lib.zeros(1))
        return list(m._parameters), list(m._modules), sorted(m._non_persistent_buffers_set), list(m.state_dict())

    assert run(tl) == run(torch)


def test_deepcopy_of_a_model_drops_parameter_grads():
    # torch's Parameter.__deepcopy__ copies the values and requires_grad only: the copy has no .grad
    def run(lib):
        m = lib.nn.Linear(2, 1)
        m(lib.ones(1, 2)).sum().backward()
        m.bias.requires_grad_(False)
        c = copy.deepcopy(m)
        return ([p.grad is None for p in c.parameters()], [p.requires_grad for p in c.parameters()],
                [type(p).__name__ for p in c.parameters()], m.weight.grad is not None)

    assert run(tl) == run(torch)


def test_state_dict_post_hook_gets_metadata_and_must_return_none():
    # torch hands the module's own metadata entry to the public post-hook, and a public post-hook
    # that returns something is an error (it cannot replace the state_dict)
    def run(lib):
        m = lib.nn.Linear(1, 1)
        seen = []
        h = m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: seen.append((prefix, dict(meta))))
        m.state_dict(prefix="p.")
        h.remove()
        m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: {})
        try:
            m.state_dict()
        except RuntimeError as e:
            seen.append(str(e))
        return seen

    assert run(tl) == run(torch)
