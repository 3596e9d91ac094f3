"""Elementwise semantics the op_db cannot express: torch's type promotion over every dtype pair and
operand kind, and in-place behaviour (identity, casting errors, version counters, autograd rules)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import tensorlite as tl

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
KINDS = ["tensor", "0-d", "py"]  # a dimensioned tensor, a zero-dim tensor, a Python number


def _operand(lib, dtype, kind):
    if kind == "py":
        return {"bool": True, "uint8": 2, "int32": 2, "int64": 2, "float32": 2.5, "float64": 2.5}[dtype]
    v = np.array([1, 2, 3] if dtype != "bool" else [True, False, True]).astype(dtype)
    if kind == "0-d":
        v = v[1]
    return lib.tensor(np.array(v))


def _py_dtype_skip(dtype, kind):
    # Python numbers come in three kinds only: one representative per category
    return kind == "py" and dtype not in ("bool", "int64", "float64")


OPS = {
    "add": lambda lib, a, b: a + b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: a ** b,
    "eq": lambda lib, a, b: a == b,
    "where": lambda lib, a, b: lib.where(lib.tensor([True, False, True]), a, b),
}


def _cases():
    for op in OPS:
        for (da, ka), (db, kb) in itertools.product(itertools.product(DTYPES, KINDS), repeat=2):
            if ka == "py" and (kb == "py" or op != "where"):
                continue  # the first operand of an operator is a tensor (reflected forms are covered by `b`)
            if _py_dtype_skip(da, ka) or _py_dtype_skip(db, kb):
                continue
            yield op, da, ka, db, kb


@pytest.mark.parametrize("op,da,ka,db,kb", list(_cases()))
def test_type_promotion(op, da, ka, db, kb):
    f = OPS[op]
    try:
        expected = f(torch, _operand(torch, da, ka), _operand(torch, db, kb))
    except Exception as e:  # noqa: BLE001 - then tensorlite must refuse too, with the same type
        with pytest.raises(type(e)):
            f(tl, _operand(tl, da, ka), _operand(tl, db, kb))
        return
    actual = f(tl, _operand(tl, da, ka), _operand(tl, db, kb))
    assert actual.dtype.name == str(expected.dtype).replace("torch.", "")
    assert tuple(actual.shape) == tuple(expected.shape)
    np.testing.assert_allclose(actual.numpy().astype(np.float64), expected.numpy().astype(np.float64), rtol=1e-6)


@pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, repeat=2)))
def test_result_type(a, b):
    ta, tb = tl.ones(2, dtype=getattr(tl, a)), tl.ones((), dtype=getattr(tl, b))
    pa, pb = torch.ones(2, dtype=getattr(torch, a)), torch.ones((), dtype=getattr(torch, b))
    assert tl.result_type(ta, tb).name == str(torch.result_type(pa, pb)).replace("torch.", "")
    assert tl.result_type(tb, ta).name == str(torch.result_type(pb, pa)).replace("torch.", "")


# -- in-place -------------------------------------------------------------------------------------------------
def test_iadd_keeps_identity_and_bumps_version():
    a = tl.ones(3)
    b = tl.tensor([1.0, 2.0, 3.0])
    ident, ptr, v = id(a), a.data_ptr(), a._version
    a += b
    assert id(a) == ident and a.data_ptr() == ptr and a._version == v + 1
    a *= 2
    a.clamp_(max=5.0)
    a.sigmoid_()
    assert a._version == v + 4
    np.testing.assert_allclose(a.numpy(), torch.sigmoid(torch.tensor([4.0, 5.0, 5.0])).numpy(), rtol=1e-6)


@pytest.mark.parametrize("stmt", ["a += 1.5", "a *= tf", "a /= 2", "a.sqrt_()", "a.sigmoid_()", "a.clamp_(min=0.5)",
                                  "a.pow_(0.5)", "a += tb", "a.floor_divide_(2.5)"])
def test_int_inplace_refuses_float(stmt):
    def run(lib):
        env = {"a": lib.tensor([1, 2, 3]), "tf": lib.ones(3), "tb": lib.ones(3, dtype=lib.float64)}
        exec(stmt, {}, env)
    with pytest.raises(RuntimeError):
        run(torch)
    with pytest.raises(RuntimeError, match="can't be cast"):
        run(tl)


def test_bool_inplace_refuses_int():
    with pytest.raises(RuntimeError):
        torch.tensor([True]).add_(1)
    with pytest.raises(RuntimeError, match="can't be cast"):
        tl.tensor([True]).add_(1)


def test_inplace_broadcast_self_must_keep_shape():
    for lib in (torch, tl):
        a = lib.ones(3)
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            a.mul_(lib.ones(2, 3))


def test_inplace_on_leaf_requiring_grad_raises():
    for lib in (torch, tl):
        x = lib.ones(3, requires_grad=True)
        for f in (lambda: x.sigmoid_(), lambda: x.fill_(1.0), lambda: x.clamp_(0, 1), lambda: x.masked_fill_(x > 0, 0)):
            with pytest.raises(RuntimeError, match="leaf Variable"):
                f()
        with lib.no_grad():
            x.fill_(2.0)  # allowed without grad mode, as in torch
        assert x.detach().numpy().tolist() == [2.0, 2.0, 2.0]


def test_inplace_autograd_matches_torch():
    def run(lib):
        x = lib.tensor([-1.5, 0.5, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(x)
        y.tanh_()
        z = y.clone()
        z.narrow(0, 1, 3).fill_(0.5)
        z.masked_fill_(z > 0.6, 0.0)
        (z * x).backward(lib.ones(4))  # (no .sum(): reductions live elsewhere)
        return x.grad.numpy()
    np.testing.assert_allclose(run(tl), run(torch), rtol=1e-6)


def test_fill_tensor_value_gradient():
    def run(lib):
        v = lib.tensor(3.0, requires_grad=True)
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 2
        y.fill_(v)
        y.backward(lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
        return v.grad.numpy(), x.grad.numpy()
    (av, ax), (ev, ex) = run(tl), run(torch)
    np.testing.assert_allclose(av, ev)
    np.testing.assert_allclose(ax, ex)


def test_version_counter_detects_modified_saved_tensor():
    for lib in (torch, tl):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = x.sigmoid()  # saves its output
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward(lib.ones(2))


# -- operators -------------------------------------------------------------------------------------------------
def test_eq_returns_tensor_and_none_is_false():
    a = tl.tensor([1, 2])
    r = a == a
    assert isinstance(r, tl.Tensor) and r.dtype == tl.bool
    assert (a == None) is False and (a != None) is True  # noqa: E711 - torch's behaviour
    assert (a == "x") is False
    assert a in {a}  # still hashable


def test_comparison_results_never_require_grad():
    x = tl.ones(3, requires_grad=True)
    for r in (x > 0, x == x, x.isnan(), x.logical_not(), x.sign() > 0):
        assert not r.requires_grad


def test_int_division_by_zero_raises_not_crashes():
    for f in (lambda lib: lib.tensor([1, 2]) // 0, lambda lib: lib.tensor([1, 2]) % lib.tensor([1, 0]),
              lambda lib: lib.tensor([1, 2]).fmod(0), lambda lib: lib.tensor([7], dtype=lib.int32) // lib.zeros(
                  1, dtype=lib.int32), lambda lib: 5 // lib.zeros(2, dtype=lib.int64)):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            f(tl)
        with pytest.raises(RuntimeError):
            f(torch)
    # floats divide by zero to inf / nan, as torch
    np.testing.assert_array_equal(((tl.tensor([1.0, -1.0]) // 0).numpy()), (torch.tensor([1.0, -1.0]) // 0).numpy())


def test_double_backward_through_activations():
    for name in ("sigmoid", "tanh", "gelu", "silu", "softplus", "elu"):
        def run(lib):
            f = getattr(lib.nn.functional if lib is torch else tl.ops.elementwise, name)
            x = lib.tensor([-2.0, -0.3, 0.4, 1.7], dtype=lib.float64, requires_grad=True)
            g, = lib.autograd.grad(f(x), x, lib.ones(4, dtype=lib.float64), create_graph=True)
            gg, = lib.autograd.grad(g * g, x, lib.ones(4, dtype=lib.float64))
            return gg.numpy()
        np.testing.assert_allclose(run(tl), run(torch), rtol=1e-9, atol=1e-12, err_msg=name)


def test_public_names():
    for n in tl.ops.elementwise.__all__:
        assert hasattr(torch, n), f"tensorlite exports {n} at top level but torch does not"
        assert hasattr(tl, n)
    for n in ("leaky_relu", "elu", "gelu", "silu", "softplus", "hardtanh", "relu6"):
        assert n not in tl.ops.elementwise.__all__ and hasattr(tl.ops.elementwise, n)


def test_default_dtype_float64_reaches_kernels():
    import torch
    import tensorlite as tl
    old_t, old_tl = torch.get_default_dtype(), tl.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        tl.set_default_dtype(tl.float64)
        cases = [lambda lib: lib.tensor([1, 2]) + 1.5, lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 2]),
                 lambda lib: lib.tensor([1, 2]).exp(), lambda lib: lib.tensor([1.5]),
                 lambda lib: lib.tensor([1, 2]).logsumexp(0)]
        for f in cases:
            assert f(tl).dtype.name == str(f(torch).dtype).replace("torch.", "")
    finally:
        torch.set_default_dtype(old_t)
        tl.set_default_dtype(old_tl)
