"""Loss functions with torch.nn.functional's names, signatures, semantics and errors.

cross_entropy runs the fused softmax cross-entropy kernel (csrc/ops/loss.cpp): forward reads each row
once and saves only per-row {max, log-sum-exp}; backward writes (softmax - target distribution) * scale
in one pass. Under create_graph the same gradient is built from differentiable ops (double backward).
binary_cross_entropy is a Function because torch's gradient (clamped denominator) is not the gradient
of its clamped-log forward. The others are composites of differentiable ops.
"""
from __future__ import annotations

import warnings

from .. import _C
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..tensor import _wrap
from . import elementwise as _ew
from .softmax import log_softmax as _log_softmax, softmax as _softmax

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduction_enum(reduction):
    r = _REDUCTIONS.get(reduction)
    if r is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return r


def _legacy_get_string(size_average, reduce, emit_warning=True):
    """torch's mapping of the deprecated size_average/reduce pair (each None meaning True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _resolve(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce)
    return reduction


def _reduce(loss, reduction):
    r = _reduction_enum(reduction)
    return loss if r == 0 else (loss.mean() if r == 1 else loss.sum())


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


# ---- cross_entropy: the fused kernel --------------------------------------------------------------------

def _cdim(x):
    return 0 if x.dim() == 1 else 1


def _ce_grad_composite(g, x, target, weight, tw, red, ignore_index, eps):
    """The gradient of cross_entropy wrt x from differentiable ops (create_graph): scale * (p - B)."""
    cd = _cdim(x)
    C = x.shape[cd]
    wshape = [1] * x.dim()
    wshape[cd] = C
    wv = weight.reshape(wshape) if weight is not None else None
    sc = g / tw if red == 1 else g

    def u(t):  # a per-row quantity, broadcast along the class dim
        return t.unsqueeze(cd) if (x.dim() > 1 and t.dim() > 0) else t

    p = _softmax(x, cd)
    if target.shape == x.shape:  # probabilities
        b = target * (1 - eps) + eps / C
        if wv is not None:
            b = b * wv
        return u(sc) * (p * b.sum(cd, keepdim=True) - b)
    t = target.reshape(()) if x.dim() == 1 else target
    valid = t != ignore_index
    ts = t.where(valid, t.new_zeros(()))
    valid_f = valid.to(x.dtype)
    if weight is not None:
        wt = weight.index_select(0, ts.reshape(-1)).reshape(ts.shape) * valid_f
        sumw = weight.sum()
    else:
        wt, sumw = valid_f, float(C)
    from .creation import arange
    onehot = (arange(C, device=x.device).reshape(wshape) == u(ts)).to(x.dtype)
    coef = sc * ((1 - eps) * wt + (eps / C) * sumw * valid_f)
    gi = u(coef) * p - onehot * u(sc * (1 - eps) * wt)
    if eps > 0:
        gi = gi - (eps / C) * (wv if wv is not None else 1.0) * u(sc * valid_f)
    return gi


class CrossEntropy(Function):
    @staticmethod
    def forward(ctx, input, target, weight, red, ignore_index, eps):
        loss, stats, tw = _C.cross_entropy_forward(input._t, target._t, None if weight is None else weight._t,
                                                   red, ignore_index, eps)
        ctx.args = (red, ignore_index, eps)
        ctx.save_for_backward(input, target, weight, _wrap(stats), _wrap(tw))
        return _wrap(loss)

    @staticmethod
    def backward(ctx, g):
        input, target, weight, stats, tw = ctx.saved_tensors
        red, ignore_index, eps = ctx.args
        gi = gt = None
        if ctx.needs_input_grad[0]:
            if MODE.enabled:
                gi = _ce_grad_composite(g, input, target, weight, tw, red, ignore_index, eps)
            else:
                gi = _wrap(_C.cross_entropy_backward(g._t, input._t, target._t,
                                                     None if weight is None else weight._t, stats._t, tw._t,
                                                     red, ignore_index, eps))
        if ctx.needs_input_grad[1]:  # probability targets: d loss / d t_c = -(1 - eps) w_c log p_c * scale
            cd = _cdim(input)
            sc = g / tw if red == 1 else g
            if red == 0 and input.dim() > 1:
                sc = sc.unsqueeze(cd)
            gt = -(1 - eps) * _log_softmax(input, cd) * sc
            if weight is not None:
                wshape = [1] * input.dim()
                wshape[cd] = input.shape[cd]
                gt = gt * weight.reshape(wshape)
        return gi, gt, None, None, None, None


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    red = _reduction_enum(_resolve(size_average, reduce, reduction))
    ignore_index, label_smoothing = int(ignore_index), float(label_smoothing)
    if MODE.enabled and (input._rg or target._rg):
        return CrossEntropy.apply(input, target, weight, red, ignore_index, label_smoothing)
    loss, _, _ = _C.cross_entropy_forward(input._t, target._t, None if weight is None else weight._t, red,
                                          ignore_index, label_smoothing)
    return _wrap(loss)


# ---- nll_loss: a composite over gather --------------------------------------------------------------------

def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    red = _reduction_enum(_resolve(size_average, reduce, reduction))
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    else:
        tb = target.shape[0] if target.dim() > 0 else 0
        if tb != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).")
        if input.dim() == 2 and target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        want = (input.shape[0],) + tuple(input.shape[2:])
        if input.dim() > 2 and tuple(target.shape) != want:
            raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(target.dtype)}")
    if target.dtype.name == "uint8":  # class indices, compared with a (possibly negative) ignore_index
        from .._dtype import int64
        target = target.to(int64)
    cd = _cdim(input)
    C = input.shape[cd]
    if weight is not None and (weight.dim() != 1 or weight.numel() != C):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    t = target.reshape(()) if input.dim() == 1 else target
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bool(bad.any()):
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0].item())} is out of bounds.")
    ts = t.where(valid, t.new_zeros(()))
    picked = input.gather(cd, ts.unsqueeze(cd) if input.dim() > 1 else ts.reshape(1)).squeeze(cd)
    w = valid.to(input.dtype)
    if weight is not None:
        w = weight.index_select(0, ts.reshape(-1)).reshape(ts.shape) * w
    loss = -picked * w
    if red == 0:
        return loss
    if red == 2:
        return loss.sum()
    return loss.sum() / w.sum()  # 0 / 0 = NaN when every target is ignored, as torch


def _dtype_name(dt):
    return {"int32": "Int", "int16": "Short", "int8": "Char", "float32": "Float", "float64": "Double",
            "bool": "Bool"}.get(str(dt).split(".")[-1], str(dt))


# ---- regression losses --------------------------------------------------------------------------------------

def _weighted(loss, weight, input, reduction):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _size_warning(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    d = input - target
    if weight is not None:
        return _weighted(d * d, weight, input, reduction)
    return _reduce(d * d, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _size_warning(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    d = (input - target).abs()
    if weight is not None:
        return _weighted(d, weight, input, reduction)
    return _reduce(d, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _size_warning(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = (input - target).abs()
    if beta == 0.0:
        return _reduce(d, reduction)
    loss = (0.5 / beta * d * d).where(d < beta, d - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = (input - target).abs()
    loss = (0.5 * d * d).where(d < delta, delta * (d - 0.5 * delta))
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        loss = loss * weight
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return _reduce(loss, reduction)


# ---- binary cross-entropy -------------------------------------------------------------------------------------

_BCE_EPS = 9.999999960041972e-13  # torch's EPSILON, 1e-12 rounded to float32 (it shows at x = 0 or 1)


class _BCE(Function):
    """-(t log x + (1 - t) log(1 - x)), each log clamped to >= -100; torch's gradient
    (x - t) / max(x (1 - x), 1e-12f), which stays finite at x = 0 and 1."""

    @staticmethod
    def forward(ctx, x, t):
        ctx.save_for_backward(x, t)
        return _bce_value(x, t)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - t) / (x * (1 - x)).clamp_min(_BCE_EPS)
        if ctx.needs_input_grad[1]:
            gt = g * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
        return gx, gt


def _bce_value(x, t):
    return -(t * x.log().clamp_min(-100) + (1 - t) * (1 - x).log().clamp_min(-100))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _resolve(size_average, reduce, reduction)
    _reduction_enum(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if bool(((input < 0) | (input > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if MODE.enabled and (input._rg or target._rg):
        loss = _BCE.apply(input, target)
    else:
        loss = _bce_value(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    reduction = _resolve(size_average, reduce, reduction)
    _reduction_enum(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    # (1 - t) x + (1 + (pw - 1) t) softplus(-x): softplus(-x) = -log(sigmoid(x)) without overflow
    sp = _ew.softplus(-input)
    if pos_weight is not None:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * sp
    else:
        loss = (1 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---- KL divergence -----------------------------------------------------------------------------------------------

def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        loss = loss.sum()
        return loss / input.shape[0] if input.dim() != 0 else loss
    return _reduce(loss, reduction)
