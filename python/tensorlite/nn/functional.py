"""tensorlite.nn.functional, torch's names and signatures: linear (the GEMM with the bias fused in as
beta = 1, one kernel call forward) and the activations the op library already has. The training-stack
issue adds the rest (losses, dropout, the other activations)."""
from __future__ import annotations

from ..ops import elementwise as _ew
from ..ops import softmax as _sm
from ..ops.linalg import linear  # noqa: F401  (x @ W^T + b: one GEMM call, bias fused)

__all__ = ["linear", "relu", "relu_", "sigmoid", "tanh", "softmax", "log_softmax", "selu"]


def relu(input, inplace=False):
    return _ew.relu_(input) if inplace else _ew.relu(input)


def relu_(input):
    return _ew.relu_(input)


def sigmoid(input):
    return _ew.sigmoid(input)


def tanh(input):
    return _ew.tanh(input)


def _softmax_dim(name, ndim):
    # torch's legacy default (with a deprecation warning): dim 0 for 0-, 1- and 3-D inputs, else 1
    import warnings
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  f"as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    return _sm.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    return _sm.log_softmax(input, dim, dtype=dtype)


def selu(input, inplace=False):
    return _ew.selu(input, inplace=inplace)

from ..ops.loss import *  # noqa: E402,F401,F403  (the losses: cross_entropy's fused kernel and the composites)
from ..ops.loss import __all__ as _loss_all  # noqa: E402
__all__ += _loss_all
