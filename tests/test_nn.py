"""tensorlite.nn layers, containers, dropout, embedding and nn.utils against torch: identical weights
(torch's state_dict converted through numpy), outputs and every gradient under a random upstream
gradient, reprs, default initialisations, error types and texts."""
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tensorlite as tl
import tensorlite.nn as nn
import tensorlite.nn.functional as F

_NP = {tl.float32: np.float32, tl.float64: np.float64}
_TORCH = {tl.float32: torch.float32, tl.float64: torch.float64}
_TOL = {tl.float32: dict(rtol=2e-5, atol=2e-6), tl.float64: dict(rtol=1e-10, atol=1e-12)}


def _rng(seed):
    return np.random.default_rng(seed)


def _copy_weights(tm, m):
    m.load_state_dict({k: tl.tensor(v.numpy()) for k, v in tm.state_dict().items()})


def _close(ours, theirs, tol):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol)


def _run_both(m, tm, shapes, dtype=tl.float32, scale=2.0, seed=0):
    """Forward both modules on the same inputs, backward the same random upstream gradient, compare
    the output, the inputs' gradients and every parameter's gradient."""
    tm = tm.to(_TORCH[dtype])
    m = m.to(dtype)
    _copy_weights(tm, m)
    r = _rng(seed)
    arrays = [(r.standard_normal(s) * scale).astype(_NP[dtype]) for s in shapes]
    xs = [tl.tensor(a, requires_grad=True) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = m(*xs), tm(*txs)
    tol = _TOL[dtype]
    assert tuple(y.shape) == tuple(ty.shape)
    _close(y, ty, tol)
    g = r.standard_normal(tuple(ty.shape)).astype(_NP[dtype])
    y.backward(tl.tensor(g))
    ty.backward(torch.tensor(g))
    for x, tx in zip(xs, txs):
        _close(x.grad, tx.grad, tol)
    theirs = dict(tm.named_parameters())
    ours = dict(m.named_parameters())
    assert list(ours) == list(theirs)
    for name, tp in theirs.items():
        assert ours[name].grad is not None, name
        _close(ours[name].grad, tp.grad, tol)
    return m, tm


# -- layers and activations against torch ------------------------------------------------------------------
# (constructor taking the nn namespace, input shapes); the same constructor builds both sides
_MODULES = [
    ("linear", lambda n: n.Linear(5, 4), [(3, 5)]),
    ("linear_3d", lambda n: n.Linear(5, 4), [(2, 3, 5)]),
    ("linear_nobias", lambda n: n.Linear(5, 4, bias=False), [(3, 5)]),
    ("linear_1d", lambda n: n.Linear(5, 2), [(5,)]),
    ("bilinear", lambda n: n.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("bilinear_nobias", lambda n: n.Bilinear(3, 4, 2, bias=False), [(2, 5, 3), (2, 5, 4)]),
    ("identity", lambda n: n.Identity(3, foo=1), [(2, 3)]),
    ("flatten", lambda n: n.Flatten(), [(2, 3, 4)]),
    ("flatten_0_1", lambda n: n.Flatten(0, 1), [(2, 3, 4)]),
    ("unflatten", lambda n: n.Unflatten(1, (2, 3)), [(4, 6)]),
    ("unflatten_neg", lambda n: n.Unflatten(-1, (2, -1)), [(4, 6)]),
    ("relu", lambda n: n.ReLU(), [(4, 6)]),
    ("relu6", lambda n: n.ReLU6(), [(4, 6)]),
    ("leaky_relu", lambda n: n.LeakyReLU(0.2), [(4, 6)]),
    ("elu", lambda n: n.ELU(0.5), [(4, 6)]),
    ("selu", lambda n: n.SELU(), [(4, 6)]),
    ("celu", lambda n: n.CELU(0.7), [(4, 6)]),
    ("gelu", lambda n: n.GELU(), [(4, 6)]),
    ("gelu_tanh", lambda n: n.GELU("tanh"), [(4, 6)]),
    ("silu", lambda n: n.SiLU(), [(4, 6)]),
    ("mish", lambda n: n.Mish(), [(4, 6)]),
    ("sigmoid", lambda n: n.Sigmoid(), [(4, 6)]),
    ("tanh", lambda n: n.Tanh(), [(4, 6)]),
    ("softplus", lambda n: n.Softplus(), [(4, 6)]),
    ("softplus_beta", lambda n: n.Softplus(2.0, 1.5), [(4, 6)]),
    ("hardtanh", lambda n: n.Hardtanh(-0.5, 0.7), [(4, 6)]),
    ("softsign", lambda n: n.Softsign(), [(4, 6)]),
    ("tanhshrink", lambda n: n.Tanhshrink(), [(4, 6)]),
    ("logsigmoid", lambda n: n.LogSigmoid(), [(4, 6)]),
    ("softmax", lambda n: n.Softmax(dim=1), [(4, 6)]),
    ("log_softmax", lambda n: n.LogSoftmax(dim=-1), [(2, 4, 6)]),
    ("softmin", lambda n: n.Softmin(dim=0), [(4, 6)]),
    ("dropout_eval", lambda n: n.Dropout(0.3).eval(), [(4, 6)]),
    ("mlp", lambda n: n.Sequential(n.Linear(6, 16), n.ReLU(), n.Dropout(0.5), n.Linear(16, 8), n.Tanh(),
                                   n.Linear(8, 3)).eval(), [(7, 6)]),
]


@pytest.mark.parametrize("name,make,shapes", _MODULES, ids=[c[0] for c in _MODULES])
def test_module_matches_torch_float32(name, make, shapes):
    torch.manual_seed(0)
    _run_both(make(nn), make(torch.nn), shapes, tl.float32)


@pytest.mark.parametrize("name", ["linear", "bilinear", "gelu", "softplus_beta", "mish", "log_softmax", "mlp"])
def test_module_matches_torch_float64(name):
    _, make, shapes = next(c for c in _MODULES if c[0] == name)
    torch.manual_seed(1)
    _run_both(make(nn), make(torch.nn), shapes, tl.float64)


def test_mlp_trains_like_torch():
    """Two SGD steps by hand (no optim) from identical weights: the losses and weights stay equal."""
    def make(n):
        return n.Sequential(n.Flatten(), n.Linear(12, 16), n.GELU(), n.Dropout(0.2), n.Linear(16, 4))
    torch.manual_seed(2)
    tm, m = make(torch.nn).double(), make(nn).double()
    _copy_weights(tm, m)
    m.eval()
    tm.eval()
    r = _rng(3)
    x = r.standard_normal((8, 3, 4))
    for _ in range(2):
        loss = (m(tl.tensor(x)) ** 2).mean()
        tloss = (tm(torch.tensor(x)) ** 2).mean()
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
        loss.backward()
        tloss.backward()
        with tl.no_grad():
            for p in m.parameters():
                p -= 0.1 * p.grad
                p.grad = None
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
                p.grad = None
    for (k, p), (tk, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert k == tk
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-12, atol=1e-14)


# -- functional forms ------------------------------------------------------------------------------------
_FUNCTIONAL = [
    ("leaky_relu", (0.2,)), ("elu", (0.5,)), ("celu", (0.7,)), ("gelu", ()), ("silu", ()), ("mish", ()),
    ("softplus", (2.0, 1.0)), ("hardtanh", (-0.3, 0.4)), ("relu6", ()), ("selu", ()), ("relu", ()),
    ("softsign", ()), ("tanhshrink", ()), ("logsigmoid", ()),
]


@pytest.mark.parametrize("name,args", _FUNCTIONAL, ids=[c[0] for c in _FUNCTIONAL])
def test_functional_matches_torch(name, args):
    a = _rng(4).standard_normal((3, 5)) * 4
    x, tx = tl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = getattr(F, name)(x, *args), getattr(torch.nn.functional, name)(tx, *args)
    tol = _TOL[tl.float64]
    _close(y, ty, tol)
    g = _rng(5).standard_normal((3, 5))
    y.backward(tl.tensor(g))
    ty.backward(torch.tensor(g))
    # torch's celu backward rounds 1/alpha to float (derivatives.yaml: 1.0 / alpha.toFloat()), so its
    # float64 gradient is only float-accurate; ours uses the double
    _close(x.grad, tx.grad, dict(rtol=1e-6, atol=1e-12) if name == "celu" else tol)


@pytest.mark.parametrize("name,args", [("relu_", ()), ("leaky_relu_", (0.1,)), ("elu_", (0.4,)), ("celu_", (0.6,)),
                                       ("selu_", ()), ("hardtanh_", (-0.2, 0.5))])
def test_functional_inplace_variants(name, args):
    a = _rng(6).standard_normal((4, 3)) * 2
    x, tx = tl.tensor(a), torch.tensor(a)
    y = getattr(F, name)(x, *args)
    getattr(torch.nn.functional, name)(tx, *args)
    assert y is x
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "ELU", "CELU", "SELU", "SiLU", "Mish", "Hardtanh", "ReLU6"])
def test_inplace_modules_write_through_a_non_leaf(name):
    a = _rng(7).standard_normal((3, 4)) * 3
    x, tx = tl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    h, th = x * 1.5, tx * 1.5
    y, ty = getattr(nn, name)(inplace=True)(h), getattr(torch.nn, name)(inplace=True)(th)
    assert y is h
    _close(y, ty, _TOL[tl.float64])
    y.sum().backward()
    ty.sum().backward()
    _close(x.grad, tx.grad, _TOL[tl.float64])


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        nn.GELU("fast")(tl.ones(2))


def test_softmax_module_without_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = nn.Softmax()(tl.tensor([[1.0, 2.0], [3.0, 5.0]]))
    np.testing.assert_allclose(y.numpy(), torch.softmax(torch.tensor([[1.0, 2.0], [3.0, 5.0]]), 1).numpy(),
                               rtol=1e-6)


# -- reprs ------------------------------------------------------------------------------------------------
_REPRS = [
    lambda n: n.Linear(3, 4), lambda n: n.Linear(3, 4, bias=False), lambda n: n.Bilinear(2, 3, 4),
    lambda n: n.Identity(), lambda n: n.Flatten(), lambda n: n.Flatten(0, 2), lambda n: n.Unflatten(1, (2, 3)),
    lambda n: n.Embedding(10, 3), lambda n: n.Embedding(10, 3, padding_idx=-2, max_norm=1.5, norm_type=1.0,
                                                         scale_grad_by_freq=True),
    lambda n: n.Dropout(), lambda n: n.Dropout(0.2, inplace=True), lambda n: n.Dropout1d(0.1),
    lambda n: n.Dropout2d(), lambda n: n.ReLU(), lambda n: n.ReLU(inplace=True), lambda n: n.ReLU6(True),
    lambda n: n.LeakyReLU(), lambda n: n.LeakyReLU(0.2, True), lambda n: n.ELU(), lambda n: n.ELU(0.5, True),
    lambda n: n.CELU(), lambda n: n.SELU(True), lambda n: n.GELU(), lambda n: n.GELU(approximate="tanh"),
    lambda n: n.SiLU(), lambda n: n.Mish(True), lambda n: n.Sigmoid(), lambda n: n.Tanh(), lambda n: n.Softplus(),
    lambda n: n.Softplus(2, 10), lambda n: n.Hardtanh(), lambda n: n.Hardtanh(-2.0, 3.0, True),
    lambda n: n.Softmax(), lambda n: n.Softmax(dim=1), lambda n: n.LogSoftmax(0), lambda n: n.Softmin(-1),
    lambda n: n.Softsign(), lambda n: n.Tanhshrink(), lambda n: n.LogSigmoid(),
    lambda n: n.Sequential(n.Linear(2, 3), n.Sequential(n.ReLU(), n.Linear(3, 1)), n.ModuleList()),
    lambda n: n.Sequential(OrderedDict([("fc", n.Linear(2, 2)), ("act", n.Tanh())])),
    lambda n: n.ModuleList([n.Linear(2, 2) for _ in range(3)] + [n.ReLU(), n.ReLU(), n.Linear(2, 2)]),
    lambda n: n.ModuleList([n.Sequential(n.Linear(2, 2), n.ReLU()) for _ in range(2)]),
    lambda n: n.ModuleDict({"a": n.Linear(1, 2), "b": n.ModuleList([n.ReLU()] * 2)}),
    lambda n: n.ModuleList(),
]


@pytest.mark.parametrize("make", _REPRS)
def test_repr_matches_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_parameter_container_reprs():
    a = np.zeros((2, 3), np.float32)
    pd, tpd = (nn.ParameterDict({"w": tl.tensor(a), "b": tl.tensor(a[0])}),
               torch.nn.ParameterDict({"w": torch.tensor(a), "b": torch.tensor(a[0])}))
    assert repr(pd) == repr(tpd)  # the tensor type ("torch.FloatTensor") is spelled as torch does
    pl, tpl = nn.ParameterList([tl.tensor(a), "x"]), torch.nn.ParameterList([torch.tensor(a), "x"])
    # ParameterList prints the dtype, whose name is the library's own
    assert repr(pl) == repr(tpl).replace("torch.float32", str(tl.float32))


# -- containers -------------------------------------------------------------------------------------------
def _both(fn):
    """Run the same container manipulation in both libraries and require the same repr."""
    ours, theirs = fn(nn), fn(torch.nn)
    assert repr(ours) == repr(theirs)
    return ours


def test_sequential_indexing():
    def make(n):
        return n.Sequential(n.Linear(1, 2), n.ReLU(), n.Linear(2, 3), n.Tanh())
    s = make(nn)
    assert isinstance(s[0], nn.Linear) and isinstance(s[-1], nn.Tanh) and s[-4] is s[0]
    assert len(s) == 4 and list(s) == [s[0], s[1], s[2], s[3]]
    sl = s[1:3]
    assert type(sl) is nn.Sequential and list(sl) == [s[1], s[2]]
    assert repr(sl) == repr(make(torch.nn)[1:3])
    assert repr(s[::-2]) == repr(make(torch.nn)[::-2])
    for bad in (4, -5):
        with pytest.raises(IndexError, match=f"index {bad} is out of range"):
            s[bad]
    with pytest.raises(TypeError):
        s["0"]


@pytest.mark.parametrize("op", [
    lambda n, s: s.append(n.Sigmoid()),
    lambda n, s: s.insert(1, n.Sigmoid()),
    lambda n, s: s.insert(-1, n.Sigmoid()),
    lambda n, s: s.insert(3, n.Sigmoid()),
    lambda n, s: s.extend([n.Sigmoid(), n.Tanh()]),
    lambda n, s: s.pop(1),
    lambda n, s: s.__delitem__(0),
    lambda n, s: s.__delitem__(slice(0, 2)),
    lambda n, s: s.__setitem__(-1, n.Sigmoid()),
    lambda n, s: s.__iadd__(n.Sequential(n.Tanh())),
])
def test_sequential_mutation(op):
    def run(n):
        s = n.Sequential(n.Linear(1, 2), n.ReLU(), n.Linear(2, 3))
        op(n, s)
        return s
    s = _both(run)
    assert [k for k, _ in s.named_children()] == [str(i) for i in range(len(s))]


def test_sequential_add_mul_and_errors():
    _both(lambda n: n.Sequential(n.ReLU()) + n.Sequential(n.Tanh(), n.Linear(2, 2)))
    _both(lambda n: n.Sequential(n.ReLU(), n.Tanh()) * 2)
    s = nn.Sequential(nn.ReLU())
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
        s + nn.ReLU()
    with pytest.raises(IndexError, match="Index out of range: 5"):
        s.insert(5, nn.ReLU())
    with pytest.raises(AssertionError):
        s.insert(0, "relu")
    with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
        s * 0


def test_sequential_ordered_dict_names_and_state_dict_keys():
    def make(n):
        return n.Sequential(OrderedDict([("fc1", n.Linear(2, 3)), ("act", n.ReLU()),
                                         ("blocks", n.ModuleList([n.Linear(3, 3), n.Linear(3, 3)])),
                                         ("head", n.ModuleDict({"out": n.Linear(3, 1)}))]))
    s, ts = make(nn), make(torch.nn)
    assert list(s.state_dict()) == list(ts.state_dict())
    assert s.fc1 is s[0]
    ts_params = {k: tl.tensor(v.numpy()) for k, v in ts.state_dict().items()}
    s.load_state_dict(ts_params)  # torch's keys load unchanged


def test_sequential_forward_chains_and_shares_modules():
    lin = nn.Linear(2, 2)
    s = nn.Sequential(lin, lin)
    assert len(list(s.parameters())) == 2
    x = tl.randn(3, 2)
    np.testing.assert_allclose(s(x).detach().numpy(), lin(lin(x)).detach().numpy(), rtol=1e-6)


def test_modulelist():
    ml = _both(lambda n: n.ModuleList([n.Linear(2, 2), n.ReLU()]))
    assert len(ml) == 2 and isinstance(ml[-1], nn.ReLU)
    assert type(ml[0:1]) is nn.ModuleList and ml[0:1][0] is ml[0]
    _both(lambda n: n.ModuleList([n.Linear(2, 2)]).append(n.ReLU()).extend([n.Tanh(), n.Tanh()]))

    def ins(n):
        ml = n.ModuleList([n.ReLU(), n.Tanh()])
        ml.insert(1, n.Sigmoid())
        ml.insert(0, n.Linear(1, 1))
        ml += [n.ReLU()]
        del ml[1]
        ml[0] = n.Linear(3, 3)
        ml.pop(-1)
        return ml
    _both(ins)
    _both(lambda n: n.ModuleList([n.ReLU()]) + n.ModuleList([n.Tanh()]))

    def del_slice(n):
        ml = n.ModuleList([n.Linear(i + 1, 1) for i in range(5)])
        del ml[1:4]
        return ml
    assert [k for k, _ in _both(del_slice).named_children()] == ["0", "1"]
    with pytest.raises(IndexError, match="index 2 is out of range"):
        ml[2]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable, but got ReLU"):
        ml.extend(nn.ReLU())
    with pytest.raises(TypeError, match="is not a Module subclass"):
        ml.append(3)


def test_moduledict():
    def build(n):
        d = n.ModuleDict({"b": n.ReLU(), "a": n.Linear(2, 2)})  # insertion order, not sorted
        d["c"] = n.Tanh()
        d.update([("d", n.Sigmoid()), ("a", n.Linear(3, 3))])
        d.update(OrderedDict([("e", n.ReLU())]))
        d.pop("b")
        del d["c"]
        return d
    d, td = build(nn), build(torch.nn)
    assert repr(d) == repr(td)
    assert list(d.keys()) == list(td.keys()) == list(d) and len(d) == 3
    assert "a" in d and "b" not in d
    assert [type(v).__name__ for v in d.values()] == [type(v).__name__ for v in td.values()]
    assert [k for k, _ in d.items()] == list(td.keys())
    with pytest.raises(ValueError, match="ModuleDict update sequence element #0 has length 1; 2 is required"):
        d.update([("x",)])
    with pytest.raises(TypeError, match="ModuleDict.update should be called with an iterable"):
        d.update(3)
    with pytest.raises(KeyError):
        d["zz"]
    d.clear()
    assert len(d) == 0 and list(d.parameters()) == []


def test_parameter_list_and_dict():
    pl = nn.ParameterList([tl.zeros(2), nn.Parameter(tl.ones(3))])
    assert len(pl) == 2 and all(isinstance(p, nn.Parameter) for p in pl)
    pl.append(tl.ones(1))
    pl += [tl.ones(4)]
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3"]
    assert pl[-1].shape == (4,) and len(pl[1:3]) == 2
    with pytest.raises(IndexError, match="index 4 is out of range"):
        pl[4]
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable, but got Tensor"):
        pl.extend(tl.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl()
    pd = nn.ParameterDict({"b": tl.zeros(2), "a": tl.ones(1)})
    assert list(pd.keys()) == ["a", "b"]  # a plain dict is sorted, as in torch
    pd["c"] = tl.ones(3)
    assert isinstance(pd["c"], nn.Parameter) and "c" in pd and len(pd) == 3
    assert pd.pop("a").shape == (1,)
    assert [k for k, _ in pd.named_parameters()] == ["b", "c"]
    assert [k for k, _ in pd.items()] == ["b", "c"]
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key"):
        pd[1] = tl.ones(1)
    m = nn.Module()
    m.p = pd
    assert list(m.state_dict()) == ["p.b", "p.c"]


# -- default initialisation -------------------------------------------------------------------------------
def test_linear_default_init_distribution():
    tl.manual_seed(0)
    m = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert abs(w.mean()) < 0.02 * bound and abs(w.std() / (bound / math.sqrt(3)) - 1) < 0.01
    assert abs(b.std() / (bound / math.sqrt(3)) - 1) < 0.15
    assert m.weight.requires_grad and m.weight.dtype is tl.float32


def test_bilinear_default_init_distribution():
    m = nn.Bilinear(50, 20, 30)
    bound = 1 / math.sqrt(50)
    w = m.weight.detach().numpy()
    assert w.shape == (30, 50, 20)
    assert np.abs(w).max() <= bound and abs(w.std() / (bound / math.sqrt(3)) - 1) < 0.02


def test_init_is_seeded():
    tl.manual_seed(5)
    a = nn.Linear(4, 3).weight.detach().numpy().copy()
    tl.manual_seed(5)
    b = nn.Linear(4, 3).weight.detach().numpy()
    tl.manual_seed(6)
    c = nn.Linear(4, 3).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_embedding_default_init_distribution():
    tl.manual_seed(1)
    e = nn.Embedding(1000, 64, padding_idx=3)
    w = e.weight.detach().numpy()
    np.testing.assert_array_equal(w[3], 0)
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01


def test_factory_kwargs():
    m = nn.Linear(3, 2, dtype=tl.float64, device="cpu")
    assert m.weight.dtype is tl.float64 and m.bias.dtype is tl.float64 and m.weight.device.type == "cpu"
    e = nn.Embedding(5, 2, dtype=tl.float64)
    assert e.weight.dtype is tl.float64
    b = nn.Bilinear(2, 2, 2, dtype=tl.float64)
    assert b.weight.dtype is tl.float64
    assert nn.Linear(3, 2, bias=False).bias is None
    assert [k for k, _ in nn.Linear(3, 2, bias=False).named_parameters()] == ["weight"]


# -- dropout --------------------------------------------------------------------------------------------
def test_dropout_rate_and_scale():
    tl.manual_seed(0)
    x = tl.ones(200, 500)
    y = F.dropout(x, 0.3).numpy()
    assert abs((y == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1) < 0.01  # inverted dropout keeps the expectation


def test_dropout_backward_uses_the_forward_mask():
    tl.manual_seed(1)
    a = _rng(8).standard_normal((64, 32)) + 5  # no zero inputs: y == 0 exactly where dropped
    x = tl.tensor(a, requires_grad=True)
    y = nn.Dropout(0.4)(x)
    g = _rng(9).standard_normal((64, 32))
    y.backward(tl.tensor(g))
    mask_scale = y.detach().numpy() / a
    assert set(np.unique(np.round(mask_scale, 9))) == {0.0, round(1 / 0.6, 9)}
    np.testing.assert_allclose(x.grad.numpy(), g * mask_scale, rtol=1e-12)


def test_dropout_seeded_reproducibility():
    x = tl.ones(50, 40)
    tl.manual_seed(7)
    a = F.dropout(x, 0.5).numpy()
    tl.manual_seed(7)
    b = F.dropout(x, 0.5).numpy()
    c = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_identity_cases():
    x = tl.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    d = nn.Dropout(0.9)
    d.eval()
    assert d(x) is x
    d.train()
    assert d(x) is not x
    y = F.dropout(x, 1.0)
    np.testing.assert_array_equal(y.detach().numpy(), 0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)
    e = tl.ones(0, 3)
    assert F.dropout(e, 0.5) is e


@pytest.mark.parametrize("p", [1.5, -0.1])
def test_dropout_p_validation(p):
    msg = f"dropout probability has to be between 0 and 1, but got {p}"
    with pytest.raises(ValueError) as theirs:
        torch.nn.functional.dropout(torch.ones(2), p)
    assert str(theirs.value) == msg
    with pytest.raises(ValueError, match=msg.replace(".", r"\.")):
        F.dropout(tl.ones(2), p)
    with pytest.raises(ValueError, match=msg.replace(".", r"\.")):
        nn.Dropout(p)


def test_dropout_inplace():
    tl.manual_seed(2)
    x = tl.ones(30, 30)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    v = x.numpy()
    assert set(np.unique(v)) == {0.0, 2.0}
    h = tl.ones(10, 10, requires_grad=True)
    z = h * 1.0
    nn.Dropout(0.5, inplace=True)(z)
    z.sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), z.detach().numpy())


def test_channel_dropout_zeroes_whole_channels():
    tl.manual_seed(3)
    y = nn.Dropout2d(0.5)(tl.ones(8, 16, 3, 3)).numpy()
    per_channel = y.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8
    y1 = F.dropout1d(tl.ones(16, 5), 0.5).numpy()  # unbatched (C, L): channels are rows
    assert ((y1 == 0).all(-1) | (y1 == 2).all(-1)).all()
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(tl.ones(2, 2, 2, 2))
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(tl.ones(2, 3, 4))


# -- embedding ------------------------------------------------------------------------------------------
def _emb_pair(dtype=torch.float64, **kw):
    torch.manual_seed(4)
    te = torch.nn.Embedding(10, 4, dtype=dtype, **kw)
    e = nn.Embedding(10, 4, dtype=tl.float64 if dtype is torch.float64 else tl.float32, **kw)
    _copy_weights(te, e)
    return e, te


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True}])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_embedding_matches_torch(kw, dtype):
    e, te = _emb_pair(dtype, **kw)
    idx = np.array([[1, 2, 9, 2], [0, 2, 5, 1], [9, 9, 9, 3]])
    y, ty = e(tl.tensor(idx)), te(torch.tensor(idx))
    tol = _TOL[tl.float64 if dtype is torch.float64 else tl.float32]
    _close(y, ty, tol)
    g = _rng(10).standard_normal(tuple(ty.shape))
    y.backward(tl.tensor(g, dtype=y.dtype))
    ty.backward(torch.tensor(g, dtype=dtype))
    _close(e.weight.grad, te.weight.grad, tol)
    if e.padding_idx is not None:
        np.testing.assert_array_equal(e.weight.grad.numpy()[e.padding_idx], 0)


def test_embedding_int32_indices_and_scalar_index():
    e, te = _emb_pair()
    _close(e(tl.tensor([3, 4], dtype=tl.int32)), te(torch.tensor([3, 4], dtype=torch.int32)), _TOL[tl.float64])
    assert tuple(e(tl.tensor(3)).shape) == (4,)


def test_embedding_max_norm_renormalises_like_torch():
    e, te = _emb_pair(max_norm=1.0)
    idx = [1, 4, 4, 7]
    y, ty = e(tl.tensor(idx)), te(torch.tensor(idx))
    _close(y, ty, _TOL[tl.float64])
    _close(e.weight, te.weight, _TOL[tl.float64])  # the referenced rows were rescaled in place, no others


def test_embedding_errors():
    e = nn.Embedding(5, 2)
    with pytest.raises(IndexError, match="^index out of range in self$"):
        e(tl.tensor([1, 5]))
    with pytest.raises(IndexError, match="^index out of range in self$"):
        e(tl.tensor([-1]))
    with pytest.raises(RuntimeError) as ours:
        e(tl.tensor([1.0]))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Embedding(5, 2)(torch.tensor([1.0]))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=-6)
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(5, 2, _weight=tl.zeros(4, 2))


def test_embedding_from_pretrained():
    w = tl.tensor(_rng(11).standard_normal((6, 3)))
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and e.num_embeddings == 6 and e.embedding_dim == 3
    np.testing.assert_array_equal(e(tl.tensor([2])).numpy()[0], w.numpy()[2])
    e2 = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    assert e2.weight.requires_grad
    np.testing.assert_array_equal(e2.weight.detach().numpy()[1], w.numpy()[1])  # the padding row is kept
    assert repr(e2) == repr(torch.nn.Embedding.from_pretrained(torch.tensor(w.numpy()), padding_idx=1))
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(tl.zeros(3))


def test_functional_embedding_matches_torch():
    a = _rng(12).standard_normal((7, 3))
    w, tw = tl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    idx = np.array([[0, 6], [3, 3]])
    y = F.embedding(tl.tensor(idx), w, padding_idx=3)
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=3)
    _close(y, ty, _TOL[tl.float64])
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    _close(w.grad, tw.grad, _TOL[tl.float64])


# -- flatten / unflatten ----------------------------------------------------------------------------------
def test_flatten_unflatten_shapes_and_errors():
    x = tl.zeros(2, 3, 4, 5)
    assert tuple(nn.Flatten()(x).shape) == (2, 60)
    assert tuple(nn.Flatten(1, 2)(x).shape) == (2, 12, 5)
    assert tuple(nn.Flatten(-3, -2)(x).shape) == (2, 12, 5)
    assert tuple(nn.Unflatten(1, (3, 1))(tl.zeros(2, 3)).shape) == (2, 3, 1)
    assert tuple(nn.Unflatten(-1, [2, 2])(tl.zeros(2, 4)).shape) == (2, 2, 2)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element of type float "
                                        "at pos 1"):
        nn.Unflatten(1, (2, 2.0))
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 4)
    with pytest.raises(RuntimeError):
        nn.Unflatten(1, (2, 4))(tl.zeros(2, 6))


# -- nn.utils ---------------------------------------------------------------------------------------------
def _grad_pairs(seed=13, scale=1.0, shapes=((4, 3), (3,), (2, 2, 2))):
    r = _rng(seed)
    ours, theirs = [], []
    for s in shapes:
        g = r.standard_normal(s) * scale
        p, tp = nn.Parameter(tl.zeros(*s, dtype=tl.float64)), torch.nn.Parameter(torch.zeros(s, dtype=torch.float64))
        p.grad, tp.grad = tl.tensor(g), torch.tensor(g)
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ps, tps = _grad_pairs()
    total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    assert isinstance(total, tl.Tensor) and total.dim() == 0
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-12)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_float32_generator_single_tensor_and_missing_grads():
    from tensorlite.nn.utils import clip_grad_norm_
    m, tm = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    g = _rng(14).standard_normal((2, 3)).astype(np.float32) * 5
    m.weight.grad, tm.weight.grad = tl.tensor(g), torch.tensor(g)  # bias has no grad: skipped
    t = clip_grad_norm_(m.parameters(), 1.0)
    tt = torch.nn.utils.clip_grad_norm_(tm.parameters(), 1.0)
    np.testing.assert_allclose(t.item(), tt.item(), rtol=1e-6)
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-6)
    assert m.bias.grad is None
    p = nn.Parameter(tl.zeros(3))
    p.grad = tl.tensor([3.0, 4.0, 0.0])
    np.testing.assert_allclose(clip_grad_norm_(p, 1.0).item(), 5.0)
    np.testing.assert_allclose(p.grad.numpy(), np.array([3, 4, 0]) / (5 + 1e-6), rtol=1e-6)
    assert clip_grad_norm_([], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        clip_grad_norm_((q for q in []), 1.0)


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_clip_grad_norm_nonfinite(bad):
    ps, tps = _grad_pairs()
    for p, tp in ((ps[0], tps[0]),):
        p.grad[0, 0] = bad
        tp.grad[0, 0] = bad
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_(tps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ours:
        nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)
    before = ps[1].grad.numpy().copy()
    total = nn.utils.clip_grad_norm_(ps, 1.0)  # no error: scaled by the non-finite norm, as torch does
    ttotal = torch.nn.utils.clip_grad_norm_(tps, 1.0)
    assert np.isnan(total.item()) == np.isnan(ttotal.item())
    np.testing.assert_array_equal(ps[1].grad.numpy(), tps[1].grad.numpy())
    assert not np.array_equal(before, ps[1].grad.numpy())


def test_get_total_norm_and_clip_grads_with_norm():
    ps, tps = _grad_pairs(scale=3.0)
    grads, tgrads = [p.grad for p in ps], [p.grad for p in tps]
    n, tn = nn.utils.get_total_norm(grads, 3.0), torch.nn.utils.get_total_norm(tgrads, 3.0)
    np.testing.assert_allclose(n.item(), tn.item(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(ps, 2.0, n)
    torch.nn.utils.clip_grads_with_norm_(tps, 2.0, tn)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_value():
    ps, tps = _grad_pairs(scale=2.0)
    nn.utils.clip_grad_value_(ps, 0.7)
    torch.nn.utils.clip_grad_value_(tps, 0.7)
    for p, tp in zip(ps, tps):
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())


def test_parameters_vector_round_trip():
    torch.manual_seed(5)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    m = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    _copy_weights(tm, m)
    v, tv = nn.utils.parameters_to_vector(m.parameters()), torch.nn.utils.parameters_to_vector(tm.parameters())
    np.testing.assert_array_equal(v.detach().numpy(), tv.detach().numpy())
    new = _rng(15).standard_normal(v.shape[0]).astype(np.float32)
    w0 = m[0].weight
    nn.utils.vector_to_parameters(tl.tensor(new), m.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tm.parameters())
    assert m[0].weight is w0  # the same Parameter, new data
    for p, tp in zip(m.parameters(), tm.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0], m.parameters())


def test_public_names():
    import tensorlite.nn.utils as U
    from tensorlite.nn.utils import clip_grad_norm_  # noqa: F401
    assert tl.nn.utils is U
    for name in ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Identity", "Linear",
                 "Bilinear", "Flatten", "Unflatten", "Embedding", "Dropout", "Dropout1d", "Dropout2d", "ReLU",
                 "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
                 "Softplus", "Softsign", "Tanhshrink", "LogSigmoid", "Hardtanh", "Softmax", "LogSoftmax", "Softmin"]:
        assert isinstance(getattr(nn, name), type) and issubclass(getattr(nn, name), nn.Module), name
        assert hasattr(torch.nn, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in F.__all__:
            assert hasattr(torch.nn.functional, name), name
