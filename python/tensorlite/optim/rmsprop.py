"""torch.optim.RMSprop: smoothing constant alpha, centered variant, momentum, weight decay, maximize."""
from __future__ import annotations

from .. import _C
from ..ops.creation import zeros_like
from .optimizer import Optimizer, _check_lr, _new_step, _sparse_error, _to_float

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            momentum, centered = group["momentum"], group["centered"]
            params, grads, square_avgs, grad_avgs, bufs, steps = [], [], [], [], [], []
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                _sparse_error(g, "RMSprop does not support sparse gradients")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if centered:
                        state["grad_avg"] = zeros_like(p)
                params.append(p._t)
                grads.append(g._t)
                square_avgs.append(state["square_avg"]._t)
                if momentum > 0:
                    bufs.append(state["momentum_buffer"]._t)
                if centered:
                    grad_avgs.append(state["grad_avg"]._t)
                steps.append(state["step"]._t)
            if params:
                _C.rmsprop_step_(params, grads, square_avgs, grad_avgs, bufs, steps, _to_float(group["lr"]),
                                 float(group["alpha"]), float(group["eps"]), float(group["weight_decay"]),
                                 float(momentum), bool(group["maximize"]))
        return loss
