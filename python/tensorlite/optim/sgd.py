"""torch.optim.SGD: momentum, dampening, Nesterov, weight decay, maximize; one fused C++ call per group."""
from __future__ import annotations

from .. import _C
from ..ops.creation import empty_like
from .optimizer import Optimizer, _check_fused, _check_lr, _sparse_error, _to_float

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            momentum = group["momentum"]
            params, grads, bufs, fresh, new_bufs = [], [], [], [], []
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                _sparse_error(g, "SGD does not support sparse gradients")
                params.append(p._t)
                grads.append(g._t)
                if momentum != 0:
                    # torch's first step copies the (decayed) gradient into a new buffer: the kernel
                    # fills this uninitialised one when fresh is set.
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    fresh.append(buf is None)
                    if buf is None:
                        buf = state["momentum_buffer"] = empty_like(p)
                        new_bufs.append(p)
                    bufs.append(buf._t)
            if params:
                try:
                    _C.sgd_step_(params, grads, bufs, fresh, _to_float(group["lr"]), float(momentum),
                                 float(group["dampening"]), _to_float(group["weight_decay"]),
                                 bool(group["nesterov"]), bool(group["maximize"]))
                except Exception:
                    # a rejected step (validation runs before any write) must not leave a buffer that
                    # was never filled behind as if it held momentum
                    for p in new_bufs:
                        del self.state[p]["momentum_buffer"]
                    raise
        return loss
