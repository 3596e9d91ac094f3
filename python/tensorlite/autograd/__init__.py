"""tensorlite.autograd: backward, grad, Function, grad modes, gradcheck."""
from __future__ import annotations

from .function import Function, Node, BackwardCFunction
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .engine import run_backward, _as_tuple
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from . import function, graph  # noqa: F401

__all__ = ["backward", "grad", "Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "inference_mode", "gradcheck", "gradgradcheck"]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    from ..tensor import Tensor
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for t in inputs:
            _input_edge(t)  # checks requires_grad
        run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs)
        return
    run_backward(tensors, grad_tensors, retain_graph, create_graph)


def _input_edge(t):
    if not t._rg:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._grad_accumulator(), 0)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    from ..tensor import Tensor
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    edges = [_input_edge(t) for t in inputs]
    grads = run_backward(outputs, grad_outputs, retain_graph, create_graph, capture=edges)
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
        elif tuple(g.shape) != tuple(t.shape):
            g = g.sum_to_size(t.shape)
        result.append(g)
    return tuple(result)
