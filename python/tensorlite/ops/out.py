"""torch's out= rules, shared by every op that takes an `out` tensor.

torch's contract: the result is written into `out` and `out` is returned; a wrong dtype raises (each op
family has its own wording, so the caller passes the message); a wrong shape resizes `out` (with a
UserWarning when `out` had elements: at::native::resize_output); an `out` whose elements alias each other
raises; and out= is refused when autograd would have to record the op.
"""
from __future__ import annotations

import warnings

from .. import _C
from ..autograd.grad_mode import MODE
from ..tensor import Tensor

# torch names dtypes two ways in these messages: caffe2 C++ type names ("float") and ScalarType names ("Float").
CPP_NAME = {"bool": "bool", "uint8": "unsigned char", "int32": "int", "int64": "long int", "float32": "float",
            "float64": "double"}
TORCH_NAME = {"bool": "Bool", "uint8": "Byte", "int32": "Int", "int64": "Long", "float32": "Float",
              "float64": "Double"}


def check_tensor(op, out):
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")


def check_no_grad(op, out, *inputs):
    """torch refuses out= when the op would be recorded (an input or `out` itself requires grad)."""
    if MODE.enabled and any(isinstance(x, Tensor) and x._rg for x in (out,) + inputs):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           f"but one of the arguments requires grad.")


def check_device(out, device):
    if out._t.device != device:
        raise RuntimeError(f"Expected out tensor to have device {device}, but got {out._t.device} instead")


def _contiguous_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return st[::-1]


def resize(out, shape, warn=True):
    """at::native::resize_output: `out` takes `shape` (contiguous strides, same storage offset) when its
    shape differs, warning when it held elements. The storage is kept when it is big enough, as resize_
    does; otherwise `out` gets a fresh storage (torch would grow the shared storage in place, so other views
    of the old storage would see the result there; here they do not)."""
    shape = [int(s) for s in shape]
    if list(out._t.shape) == shape:
        return False
    if warn and out._t.numel != 0:
        warnings.warn(f"An output with one or more elements was resized since it had shape {list(out._t.shape)}, "
                      f"which does not match the required output shape {shape}. This behavior is deprecated, and "
                      f"in a future PyTorch release outputs will not be resized unless they have zero elements. "
                      f"You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                      f"t.resize_(0).", UserWarning, stacklevel=4)
    n = 1
    for s in shape:
        n *= s
    t = out._t
    if (t.offset + n) * out.dtype.itemsize <= t.storage_nbytes:
        out._t = t.as_strided(shape, _contiguous_strides(shape), t.offset)
    else:
        out._t = _C.empty(shape, t.dtype, t.device)
        if out._meta is not None:
            out._meta.base = None  # no longer a view of anything
    return True


def check_no_internal_overlap(out):
    for s, st in zip(out._t.shape, out._t.strides):
        if s > 1 and st == 0:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")


def can_write_direct(out, shape, dtype_id, device, *inputs):
    """True when a kernel may use `out` itself as its output: right shape, dtype and device, no stride-0
    dims, and no memory shared with an input (the GEMM reads its operands while it writes)."""
    t = out._t
    if t.dtype != dtype_id or t.device != device or list(t.shape) != list(shape):
        return False
    if any(s > 1 and st == 0 for s, st in zip(t.shape, t.strides)):
        return False
    return all(x._t.storage_id != t.storage_id for x in inputs)


def write(out, result):
    """Copies a computed `result` (already checked for dtype by the caller) into `out`, resizing as torch.
    A self-overlapping `out` is always refused: torch refuses it in most ops, but its bmm/mv/batched
    matmul write one value over another there, and a silently meaningless result is worse than an error."""
    resize(out, result._t.shape)
    check_no_internal_overlap(out)
    _C.copy_(out._t, result._t)
    out._t.bump_version()
    return out


def finish_direct(out):
    """Bookkeeping after a kernel wrote into `out` in place."""
    out._t.bump_version()
    return out
