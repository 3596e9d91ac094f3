"""torch.optim.Adam (and the decoupled weight decay AdamW uses): amsgrad, maximize; one fused C++ call per
group, which also advances the per-parameter 'step' counters and derives torch's bias corrections."""
from __future__ import annotations

from .. import _C
from ..tensor import Tensor
from ..ops.creation import zeros_like
from .optimizer import Optimizer, _check_fused, _check_lr, _new_step, _sparse_error, _to_float

__all__ = ["Adam"]


class Adam(Optimizer):
    _sparse_message = "Adam does not support sparse gradients, please consider SparseAdam instead"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        state_of = self.state
        for group in self.param_groups:
            amsgrad = group["amsgrad"]
            params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps = [], [], [], [], [], []
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                _sparse_error(g, self._sparse_message)
                state = state_of[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_like(p)
                params.append(p._t)
                grads.append(g._t)
                exp_avgs.append(state["exp_avg"]._t)
                exp_avg_sqs.append(state["exp_avg_sq"]._t)
                if amsgrad:
                    max_sqs.append(state["max_exp_avg_sq"]._t)
                steps.append(state["step"]._t)
            if params:
                beta1, beta2 = group["betas"]
                _C.adam_step_(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps, _to_float(group["lr"]),
                              _to_float(beta1), _to_float(beta2), float(group["eps"]),
                              float(group["weight_decay"]), bool(group["maximize"]),
                              bool(group["decoupled_weight_decay"]))
        return loss
