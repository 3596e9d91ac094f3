"""torch.optim.Adagrad: lr_decay, weight decay, initial accumulator, maximize. As torch, the state
('step', 'sum') is created for every parameter in the constructor."""
from __future__ import annotations

from .. import _C
from ..ops.creation import full_like
from .optimizer import Optimizer, _check_fused, _check_lr, _new_step, _sparse_error, _to_float

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _new_step()
                state["sum"] = full_like(p, initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads, sums, steps = [], [], [], []
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                _sparse_error(g, "Adagrad with sparse gradients is not supported by tensorlite")
                state = self.state[p]
                params.append(p._t)
                grads.append(g._t)
                sums.append(state["sum"]._t)
                steps.append(state["step"]._t)
            if params:
                _C.adagrad_step_(params, grads, sums, steps, _to_float(group["lr"]), float(group["lr_decay"]),
                                 float(group["weight_decay"]), float(group["eps"]), bool(group["maximize"]))
        return loss
