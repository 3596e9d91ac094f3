"""gradcheck / gradgradcheck: analytical gradients (the engine) against central differences."""
from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _diff_outputs(outputs):
    from ..tensor import Tensor
    return [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]


def _numerical_jacobian(func, inputs, idx, eps):
    """J[out_k][:, i] = d out_k / d inputs[idx].flat[i] by central differences, in float64."""
    from .grad_mode import no_grad
    x = inputs[idx]
    # a CPU input is perturbed in place through its numpy view; a device input through a host copy that
    # _sync writes back before each evaluation
    arr = x.detach()._t.numpy() if x.is_cpu else _np(x)
    n = arr.size
    cols = []
    with no_grad():
        for i in range(n):
            orig = arr.flat[i]
            arr.flat[i] = orig - eps
            lo = [_np(o).astype(np.float64).ravel().copy() for o in _as_tuple(func(*_sync(inputs, idx, arr)))
                  if _is_float_tensor(o)]
            arr.flat[i] = orig + eps
            hi = [_np(o).astype(np.float64).ravel().copy() for o in _as_tuple(func(*_sync(inputs, idx, arr)))
                  if _is_float_tensor(o)]
            arr.flat[i] = orig
            _sync(inputs, idx, arr)
            cols.append([(h - l) / (2 * eps) for h, l in zip(hi, lo)])
    n_out = len(cols[0]) if cols else 0
    return [np.stack([c[k] for c in cols], axis=1) if cols else None for k in range(n_out)]


def _np(t):
    """t's values as a numpy array (a view for CPU tensors, a host copy otherwise)."""
    from ..tensor import _host
    return _host(t.detach()._t).numpy()


def _sync(inputs, idx, arr):
    x = inputs[idx]
    if not x.is_cpu:
        from .. import _C
        _C.copy_(x._t, _C.from_numpy(arr))
    return inputs


def _is_float_tensor(o):
    from ..tensor import Tensor
    return isinstance(o, Tensor) and o.dtype.is_floating_point


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    from ..tensor import Tensor
    from . import grad as autograd_grad
    from ..ops.creation import zeros_like
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype.name != "float64":
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. This check "
                          "will likely fail if all the inputs are not of double precision floating point. ")
    outputs = [o for o in _as_tuple(func(*inputs)) if _is_float_tensor(o)]
    for out_k, o in enumerate(outputs):
        n_out = o.numel()
        # analytical jacobian, one row per output element
        analytical = {i: np.zeros((n_out, inputs[i].numel())) for i in diff_idx}
        if o.requires_grad:
            for j in range(n_out):
                go = zeros_like(o)
                if go.is_cpu:
                    go._t.numpy().flat[j] = 1.0
                else:
                    go.view(-1)[j] = 1.0
                grads = autograd_grad([o], [inputs[i] for i in diff_idx], [go], retain_graph=True, allow_unused=True)
                for i, g in zip(diff_idx, grads):
                    if g is not None:
                        if tuple(g.shape) != tuple(inputs[i].shape):
                            return _fail(raise_exception, f"Gradient has incorrect size for input {i}: expected "
                                         f"{tuple(inputs[i].shape)}, got {tuple(g.shape)}")
                        analytical[i][j] = _np(g).astype(np.float64).ravel()
        for i in diff_idx:
            if inputs[i].numel() == 0 or n_out == 0:
                continue
            numerical = _numerical_jacobian(func, inputs, i, eps)[out_k]
            a = analytical[i]
            if numerical is None:
                continue
            if not np.allclose(a, numerical, rtol=rtol, atol=atol):
                bad = np.argmax(np.abs(a - numerical))
                return _fail(raise_exception,
                             f"Jacobian mismatch for output {out_k} with respect to input {i},\n"
                             f"numerical:{numerical}\nanalytical:{a}\n(largest difference at flat index {bad})")
    return True


def _fail(raise_exception, msg):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    from ..tensor import Tensor
    from . import grad as autograd_grad
    from ..ops.creation import tensor
    inputs = _as_tuple(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if _is_float_tensor(o) and o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, device=o.device, requires_grad=True)
                        for o in outputs]
    grad_outputs = _as_tuple(grad_outputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    n_in = len(inputs)

    def first_grads(*args):
        from .grad_mode import enable_grad
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # also when gradcheck perturbs inputs under no_grad
            outs = [o for o in _as_tuple(func(*ins)) if _is_float_tensor(o) and o.requires_grad]
            gs = autograd_grad(outs, [ins[i] for i in diff_idx], list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
