"""tensorlite.nn.functional against torch.nn.functional: linear (the fused-bias GEMM path) and the
activations, forward and backward, with torch's signatures."""
import numpy as np
import pytest
import torch

import tensorlite as tl
import tensorlite.nn.functional as F


def _pair(shape, seed, requires_grad=True, dtype=np.float64):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return (tl.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad))


@pytest.mark.parametrize("x_shape", [(5, 7), (2, 3, 7), (7,), (1, 7), (64, 7)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(x_shape, bias):
    x, tx = _pair(x_shape, 1)
    w, tw = _pair((4, 7), 2)
    b, tb = _pair((4,), 3) if bias else (None, None)
    y, ty = F.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(4).standard_normal(ty.shape)
    y.backward(tl.tensor(g))
    ty.backward(torch.tensor(g))
    for ours, theirs in ((x, tx), (w, tw)) + (((b, tb),) if bias else ()):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_is_the_top_level_op():
    from tensorlite.ops.linalg import linear
    assert F.linear is linear
    assert tl.nn.functional is F


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "selu"])
def test_activations_match_torch(name):
    x, tx = _pair((3, 5), 5)
    y, ty = getattr(F, name)(x), getattr(torch.nn.functional, name)(tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_relu_inplace():
    a = np.array([-1.0, 2.0, -3.0])
    x = tl.tensor(a)
    assert F.relu(x, inplace=True) is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0, 0.0])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_default_dim_as_torch(name, shape):
    x, tx = _pair(shape, 6, requires_grad=False)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        y = getattr(F, name)(x)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        ty = getattr(torch.nn.functional, name)(tx)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(getattr(F, name)(x, dim=-1).numpy(), getattr(torch.nn.functional, name)(tx, dim=-1).numpy(),
                               rtol=1e-12, atol=1e-14)
