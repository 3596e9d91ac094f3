"""parameters_to_vector / vector_to_parameters: a model's parameters as one flat vector and back (used
by second-order methods and by tests that compare whole models)."""
from __future__ import annotations

from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param, old):
    # -1 stands for the CPU, otherwise the CUDA ordinal; every parameter must be on the first one's device
    dev = param.get_device() if param.device.type == "cuda" else -1
    if old is None:
        return dev
    if dev != old:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return old


def parameters_to_vector(parameters):
    from ...ops.shape import cat
    device = None
    vec = []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    if not isinstance(vec, Tensor):
        from ..modules.module import _typename
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        # .data: the parameter keeps its identity (an optimizer holding it still sees the new values)
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
