"""torch's out= rules, shared by every op that takes an `out` tensor.

torch's contract: the result is written into `out` and `out` is returned; a wrong dtype raises (each op
family has its own wording, so the caller passes the message); a wrong shape resizes `out` (with a
UserWarning when `out` had elements: at::native::resize_output); an `out` whose elements alias each other
raises; and out= is refused when autograd would have to record the op.
"""
from __future__ import annotations

import os
import sys
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


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_stacklevel():
    """The stacklevel of the first frame outside tensorlite: the warning points at the user's call, however
    many helpers lie between."""
    f, level = sys._getframe(1), 1
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE_DIR + os.sep):
        f, level = f.f_back, level + 1
    return level


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
                      f"t.resize_(0).", UserWarning, stacklevel=_caller_stacklevel())
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


def write(out, result, warn=True):
    """Copies a computed `result` (already checked for dtype by the caller) into `out`, resizing as torch.
    A self-overlapping `out` is always refused: torch refuses it in most ops, but its bmm/mv/batched
    matmul write one value over another there, and a silently meaningless result is worse than an error."""
    resize(out, result._t.shape, warn)
    check_no_internal_overlap(out)
    _C.copy_(out._t, result._t)
    out._t.bump_version()
    return out


def finish_direct(out):
    """Bookkeeping after a kernel wrote into `out` in place."""
    out._t.bump_version()
    return out


# -- the generic path: compute the ordinary result, then write it into `out` ----------------------------------
# Each op's dtype rule is a check(op, out, r) that raises torch's message; the common ones are below.
def cast_rule(op, out, r):
    """TensorIterator ops: any `out` dtype the result type can be cast to (int -> float, not float -> int)."""
    if not _C.can_cast(r._t.dtype, out._t.dtype):
        raise RuntimeError(f"result type {TORCH_NAME[r.dtype.name]} can't be cast to the desired output type "
                           f"{TORCH_NAME[out.dtype.name]}")


def same_rule(op, out, r):
    """Structured kernels that allocate with the result's dtype (tril, sort, norm, ...): exactly that dtype."""
    if out.dtype != r.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {CPP_NAME[r.dtype.name]}, but got "
                           f"{CPP_NAME[out.dtype.name]} instead")


def _inputs(xs):
    """The tensors among the arguments, looking one level into lists (cat's and stack's sequence)."""
    for x in xs:
        if isinstance(x, (list, tuple)):
            yield from (y for y in x if isinstance(y, Tensor))
        elif isinstance(x, Tensor):
            yield x


def into(op, out, compute, *inputs, rule=cast_rule, grad=True, warn=True):
    """op(..., out=out) for an op whose ordinary form is compute(): torch's checks in torch's order (the
    autograd refusal comes before anything the kernel checks), then the result, cast to out's dtype where
    `rule` allows, is written into `out`, which is returned. grad=False for ops whose result carries no
    gradient (torch does not refuse those); warn=False for the few that resize `out` silently."""
    check_tensor(op, out)
    if grad:
        check_no_grad(op, out, *_inputs(inputs))
    r = compute()
    rule(op, out, r)
    check_device(out, r._t.device)
    return write(out, r if r.dtype == out.dtype else r.to(out.dtype), warn)


def into_pair(op, out, compute, *inputs, rt=tuple):
    """The (values, indices) ops (max/min over a dim, sort, topk): `out` is a pair of tensors, each of the
    result's exact dtype; the pair comes back as rt(values, indices) holding the same two objects."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2 and all(isinstance(o, Tensor) for o in out)):
        raise TypeError(f"{op}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}")
    check_no_grad(op, out[0], *_inputs(inputs))
    check_no_grad(op, out[1])
    rs = compute()
    for o, r in zip(out, rs):
        same_rule(op, o, r)
        check_device(o, r._t.device)
    for o, r in zip(out, rs):
        write(o, r)
    return rt(out[0], out[1])


def create_into(op, out, dtype, device, make, requires_grad=False, flat=False, on_resize=None):
    """Factories (zeros, arange, rand, ...) with out=: they build into `out`, taking its dtype and device
    unless given (which must then match; `device` in the core's spelling). make(dtype, device) builds the
    ordinary result. A wrong shape is resized without resize_output's warning (torch's factories resize_
    directly). flat: the range factories keep `out`'s shape when it has the right number of elements, and
    call on_resize(out, r) (a warning of their own) before resizing it otherwise."""
    check_tensor(op, out)
    if dtype is not None and dtype != out.dtype:
        raise RuntimeError(f"dtype {TORCH_NAME[dtype.name]} does not match dtype of out parameter "
                           f"({TORCH_NAME[out.dtype.name]})")
    if device is not None and device != out._t.device:  # both in the core's spelling ("cpu", "cuda:0")
        raise RuntimeError(f"device type {device.split(':')[0]} does not match device type of out parameter "
                           f"({out._t.device.split(':')[0]})")
    check_no_grad(f"aten::{op}", out)
    r = make(out.dtype, out._t.device)
    if flat and r._t.numel == out._t.numel:
        r = r.reshape(list(out._t.shape))
    elif flat and on_resize is not None and out._t.numel != 0:
        on_resize(out, r)
    write(out, r, warn=False)
    if requires_grad:
        out.requires_grad_(True)
    return out
