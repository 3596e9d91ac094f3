"""tensorlite.nn.functional, torch's names and signatures: linear (the GEMM with the bias fused in as
beta = 1, one kernel call forward), the activations (thin wrappers of the element-wise ops, which carry
their own gradients; a few composites), dropout and embedding."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..ops import elementwise as _ew
from ..ops import softmax as _sm
from ..ops.indexing import index_select
from ..ops.linalg import linear  # noqa: F401  (x @ W^T + b: one GEMM call, bias fused)
from ..tensor import Tensor

__all__ = ["linear", "relu", "relu_", "sigmoid", "tanh", "softmax", "log_softmax", "softmin", "selu", "selu_",
           "leaky_relu", "leaky_relu_", "elu", "elu_", "celu", "celu_", "gelu", "silu", "mish", "softplus",
           "bilinear", "hardtanh", "hardtanh_", "relu6", "softsign", "tanhshrink", "logsigmoid",
           "dropout", "dropout1d", "dropout2d", "embedding"]


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


def selu_(input):
    return _ew.selu(input, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _ew.leaky_relu(input, negative_slope, inplace)


def leaky_relu_(input, negative_slope=0.01):
    return _ew.leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    return _ew.elu(input, alpha, inplace)


def elu_(input, alpha=1.0):
    return _ew.elu(input, alpha, True)


def celu(input, alpha=1.0, inplace=False):
    return _ew.celu(input, alpha, inplace)


def celu_(input, alpha=1.0):
    return _ew.celu(input, alpha, True)


def gelu(input, approximate="none"):
    return _ew.gelu(input, approximate)


def silu(input, inplace=False):
    return _ew.silu(input, inplace)


def mish(input, inplace=False):
    # x * tanh(softplus(x)): a composite, its gradient comes from the three ops' backward
    return _ew._maybe_inplace(inplace, input, lambda x: x * _ew.tanh(_ew.softplus(x)))


def softplus(input, beta=1.0, threshold=20.0):
    return _ew.softplus(input, beta, threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return _ew.hardtanh(input, min_val, max_val, inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return _ew.hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    return _ew.relu6(input, inplace)


def softsign(input):
    return input / (_ew.abs(input) + 1)


def tanhshrink(input):
    return input - _ew.tanh(input)


def logsigmoid(input):
    # log(sigmoid(x)) = -softplus(-x); softplus switches to the identity past its threshold, so large |x|
    # stays finite in both directions
    return -_ew.softplus(-input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    return _sm.softmax(-input, dim, dtype=dtype)


def bilinear(input1, input2, weight, bias=None):
    """y[..., k] = input1 W_k input2 (+ b_k): one GEMM of input1 against W viewed (in1, out * in2), then a
    product with input2 summed over in2; all differentiable ops."""
    out_f, in1, in2 = weight.shape
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
                           f"and {list(input2.shape[:-1])}")
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {in2}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    t = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out_f,))


# -- dropout -----------------------------------------------------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(input, p, shape):
    """The kept-and-rescaled mask, (U < 1 - p) / (1 - p) with U uniform from the default Philox generator,
    so forward and backward are each one multiply by the same tensor. Drawn as uniforms in the input's
    dtype rather than with bernoulli_, whose float64 probability tensor and output make it ~3x slower."""
    from ..ops.creation import empty
    keep = 1.0 - p
    u = empty(shape, dtype=input.dtype, device=input.device)
    u.uniform_()
    return (u < keep).to(input.dtype).mul_(1.0 / keep)


def _dropout_impl(input, p, training, inplace, shape):
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    # torch hands back the input itself when nothing is dropped (eval, p = 0, empty)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:  # torch multiplies by a zero scalar: zeros out, zero gradient, no draws
        from ..ops.creation import zeros
        mask = zeros([], dtype=input.dtype, device=input.device)
    else:
        mask = _dropout_mask(input, p, list(input.shape) if shape is None else shape)
    # the mask needs no gradient: mul's backward is then g * mask, the forward's own mask
    return input.mul_(mask) if inplace else input * mask


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, None)


def _feature_dropout(input, p, training, inplace, lead):
    # one draw per (sample, channel): the first `lead` dims, broadcast over the rest
    shape = list(input.shape[:lead]) + [1] * (input.dim() - lead)
    return _dropout_impl(input, p, training, inplace, shape)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 2 if nd == 3 else 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    import warnings
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in an "
                      "error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if nd == 3:  # torch's historical reading: (N, C, L), not an unbatched (C, H, W)
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=2)
    if nd < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _feature_dropout(input, p, training, inplace, 2)


# -- embedding ---------------------------------------------------------------------------------------------
class _Embedding(Function):
    """weight[indices] forward; backward scatters the rows of g into a zero (num, dim) gradient with
    index_add, skipping padding_idx and dividing by each index's count when scale_grad_by_freq."""

    @staticmethod
    def forward(ctx, weight, flat, out_shape, padding_idx, scale_grad_by_freq):
        ctx.flat, ctx.num = flat, weight.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        return _embedding_rows(weight, flat).reshape(out_shape)

    @staticmethod
    def backward(ctx, g):
        from ..ops.creation import zeros
        from ..ops.indexing import index_add
        idx = ctx.flat
        g2 = g.reshape(-1, g.shape[-1])
        if ctx.scale:
            counts = _bincount(idx, ctx.num).to(g.dtype)
            g2 = g2 / index_select(counts, 0, idx).unsqueeze(1)
        if ctx.padding_idx is not None:
            g2 = _ew.where((idx != ctx.padding_idx).unsqueeze(1), g2, 0.0)
        gw = index_add(zeros(ctx.num, g.shape[-1], dtype=g.dtype, device=g.device), 0, idx, g2)
        return gw, None, None, None, None


def _bincount(idx, n):
    from ..ops.indexing import bincount
    return bincount(idx, minlength=n)


def _embedding_rows(weight, flat):
    try:
        return index_select(weight, 0, flat)
    except IndexError:
        raise IndexError("index out of range in self") from None


_INDEX_TYPES = ("int64", "int32")


def _renorm_rows_(weight, input, max_norm, norm_type):
    """torch's embedding_renorm_: every row that input references and whose norm exceeds max_norm is
    scaled in place to norm max_norm (scale max_norm / (norm + 1e-7)); no gradient is recorded."""
    from ..autograd.grad_mode import no_grad
    from ..ops.indexing import unique
    with no_grad():
        rows = unique(input.reshape(-1))
        sel = index_select(weight, 0, rows)
        norms = sel.norm(p=norm_type, dim=1, keepdim=True)
        scale = _ew.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.index_copy_(0, rows, sel * scale)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding(): argument 'weight' (position 1) must be Tensor, not {type(weight).__name__}")
    if input.dtype.name not in _INDEX_TYPES:
        from ..ops.convert import _REV_TYPE_NAMES
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_REV_TYPE_NAMES.get(input.dtype.name, 'torch.Tensor')} instead "
                           "(while checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.shape[0] + padding_idx
    if sparse:
        raise NotImplementedError("embedding(sparse=True): tensorlite has no sparse tensors; use sparse=False")
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    flat = input.reshape(-1)
    out_shape = tuple(input.shape) + (weight.shape[1],)
    if MODE.enabled and weight.requires_grad:
        return _Embedding.apply(weight, flat, out_shape, padding_idx, scale_grad_by_freq)
    return _embedding_rows(weight, flat).reshape(out_shape)

from ..ops.loss import *  # noqa: E402,F401,F403  (the losses: cross_entropy's fused kernel and the composites)
from ..ops.loss import __all__ as _loss_all  # noqa: E402
__all__ += _loss_all
