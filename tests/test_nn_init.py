"""tensorlite.nn.init against torch.nn.init: exact gains, fans and errors; distributions checked by their
bounds and moments (the RNGs differ, the distributions must not); determinism under a seeded generator."""
import math
import warnings

import numpy as np
import pytest
import torch

import tensorlite as tl
import tensorlite.nn.init as I


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                                  ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu",)])
def test_calculate_gain(args):
    assert I.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


@pytest.mark.parametrize("args", [("softsign",), ("leaky_relu", True), ("leaky_relu", "x")])
def test_calculate_gain_errors(args):
    with pytest.raises(ValueError) as want:
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError) as got:
        I.calculate_gain(*args)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("fn", ["xavier_uniform_", "kaiming_uniform_", "kaiming_normal_", "xavier_normal_"])
def test_fan_errors_match_torch(fn):
    with pytest.raises(ValueError) as want:
        getattr(torch.nn.init, fn)(torch.empty(5))
    with pytest.raises(ValueError) as got:
        getattr(I, fn)(tl.empty(5))
    assert str(got.value) == str(want.value)
    if fn.startswith("kaiming"):
        with pytest.raises(ValueError) as want:
            getattr(torch.nn.init, fn)(torch.empty(3, 4), mode="fan_avg")
        with pytest.raises(ValueError) as got:
            getattr(I, fn)(tl.empty(3, 4), mode="fan_avg")
        assert str(got.value) == str(want.value)


def _bound_and_std(fn, shape, **kw):
    """(bound, std) torch's formulas imply for this init, from torch's own fan computation."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    if fn.startswith("xavier"):
        std = kw.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    else:
        fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
        std = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)) / math.sqrt(fan)
    return math.sqrt(3.0) * std, std


@pytest.mark.parametrize("fn,kw", [("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}),
                                   ("xavier_normal_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
                                   ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
                                   ("kaiming_normal_", {"nonlinearity": "relu"}),
                                   ("kaiming_normal_", {"mode": "fan_out"})])
@pytest.mark.parametrize("shape", [(256, 300), (64, 16, 3, 3)])
def test_variance_scaling_distributions(fn, kw, shape):
    w = tl.empty(*shape)
    assert getattr(I, fn)(w, **kw) is w
    x = w.numpy().astype(np.float64)
    bound, std = _bound_and_std(fn, shape, **kw)
    n = x.size
    assert abs(x.std() - std) < 5 * std / math.sqrt(2 * n)
    assert abs(x.mean()) < 5 * std / math.sqrt(n)
    if fn.endswith("uniform_"):
        assert x.min() >= -bound and x.max() <= bound and x.max() > 0.99 * bound


def test_seeded_generator_is_deterministic_and_grad_free():
    w = tl.empty(30, 40, requires_grad=True)
    a = I.kaiming_uniform_(w, a=math.sqrt(5), generator=tl.Generator().manual_seed(3)).detach().numpy().copy()
    b = I.kaiming_uniform_(w, a=math.sqrt(5), generator=tl.Generator().manual_seed(3)).detach().numpy()
    np.testing.assert_array_equal(a, b)
    assert w.requires_grad and w.grad_fn is None and w.is_leaf


def test_constant_ones_zeros_eye_uniform_normal():
    w = tl.empty(3, 5)
    np.testing.assert_array_equal(I.constant_(w, 0.25).numpy(), np.full((3, 5), 0.25, np.float32))
    np.testing.assert_array_equal(I.ones_(w).numpy(), np.ones((3, 5), np.float32))
    np.testing.assert_array_equal(I.zeros_(w).numpy(), np.zeros((3, 5), np.float32))
    np.testing.assert_array_equal(I.eye_(w).numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        I.eye_(tl.empty(2, 2, 2))
    u = I.uniform_(tl.empty(10000), -3, 5).numpy()
    assert u.min() >= -3 and u.max() <= 5 and abs(u.mean() - 1) < 0.1
    g = I.normal_(tl.empty(10000, dtype=tl.float64), 2, 0.5).numpy()
    assert abs(g.mean() - 2) < 0.03 and abs(g.std() - 0.5) < 0.03


def test_trunc_normal():
    x = I.trunc_normal_(tl.empty(20000, dtype=tl.float64), mean=0.5, std=2.0, a=-1.0, b=3.0).numpy()
    assert x.min() >= -1.0 and x.max() <= 3.0
    ref = torch.nn.init.trunc_normal_(torch.empty(200000, dtype=torch.float64), mean=0.5, std=2.0, a=-1.0, b=3.0)
    assert abs(x.mean() - ref.mean().item()) < 0.05 and abs(x.std() - ref.std().item()) < 0.05


@pytest.mark.parametrize("shape,gain", [((20, 50), 1.0), ((50, 20), 2.0), ((8, 4, 3, 3), 1.0)])
def test_orthogonal(shape, gain):
    w = I.orthogonal_(tl.empty(*shape), gain=gain).numpy().astype(np.float64).reshape(shape[0], -1)
    rows, cols = w.shape
    prod = w @ w.T if rows <= cols else w.T @ w
    np.testing.assert_allclose(prod, gain ** 2 * np.eye(min(rows, cols)), atol=1e-5 * gain ** 2)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        I.orthogonal_(tl.empty(4))


def test_kaiming_zero_element_is_a_no_op_with_torchs_warning():
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        torch.nn.init.kaiming_uniform_(torch.empty(0, 3))
    with pytest.warns(UserWarning) as got:
        I.kaiming_uniform_(tl.empty(0, 3))
    assert str(got[0].message) == str(want[0].message)
