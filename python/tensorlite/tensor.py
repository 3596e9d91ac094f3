"""tensorlite.Tensor: a Python handle on a C++ TensorImpl plus autograd state.

Ops live in tensorlite/ops/*.py and register themselves as methods (`_register_methods`); this
module holds only what every tensor has: metadata, conversion to Python/numpy, and the autograd
attributes (requires_grad, grad, grad_fn, hooks, backward).
"""
from __future__ import annotations

import numpy as np

from . import _C
from . import _dtype as D

_new = object.__new__


class _Meta:
    """Per-tensor state that most tensors never need, kept out of the hot path."""

    __slots__ = ("hooks", "retains_grad", "base", "grad_acc", "post_acc_hooks", "name", "view_version")

    def __init__(self):
        self.hooks = None
        self.retains_grad = False
        self.base = None        # the tensor this one is a view of (root base), for in-place autograd
        self.grad_acc = None    # weakref to this leaf's AccumulateGrad node
        self.post_acc_hooks = None
        self.name = None
        self.view_version = -1  # a view: the storage version its grad_fn was made at


class Tensor:
    __slots__ = ("_t", "_rg", "_grad", "_grad_fn", "_output_nr", "_meta", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    # torch.Tensor(data) / torch.Tensor(*sizes): the legacy constructor, always the default dtype.
    def __new__(cls, *args, **kwargs):
        from .ops import creation
        if len(args) == 1 and not isinstance(args[0], int):
            src = args[0]
            if isinstance(src, Tensor):
                impl = src._t
            else:
                impl = creation.tensor(src, dtype=D.get_default_dtype())._t
        else:
            sizes = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            impl = _C.empty(list(sizes), D.get_default_dtype()._id)
        t = _new(cls)
        _init(t, impl)
        return t

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _make(impl, requires_grad=False):
        t = _wrap(impl)
        t._rg = requires_grad
        return t

    # -- metadata -------------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._t.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._t.shape)
        return self._t.shape[_wrap_dim(dim, self._t.ndim)]

    def stride(self, dim=None):
        if dim is None:
            return self._t.strides
        return self._t.strides[_wrap_dim(dim, self._t.ndim)]

    def storage_offset(self):
        return self._t.offset

    @property
    def dtype(self):
        return D._BY_ID[self._t.dtype]

    @property
    def device(self):
        return D.device(self._t.device)

    @property
    def is_cuda(self):
        return self._t.device.startswith("cuda")

    @property
    def is_cpu(self):
        return self._t.device == "cpu"

    @property
    def layout(self):
        return "strided"

    def dim(self):
        return self._t.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._t.ndim

    def numel(self):
        return self._t.numel

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.dtype.itemsize * self._t.numel

    def is_contiguous(self, memory_format=None):
        return self._t.is_contiguous()

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return False

    def data_ptr(self):
        return self._t.data_ptr

    def get_device(self):
        d = self._t.device
        return -1 if d == "cpu" else (int(d.split(":")[1]) if ":" in d else 0)

    @property
    def _version(self):
        return self._t.version

    def __len__(self):
        if self._t.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._t.shape[0]

    def __iter__(self):
        if self._t.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    # -- conversion ---------------------------------------------------------------------------------
    def item(self):
        return self._t.item()

    def tolist(self):
        if self._t.ndim == 0:
            return self._t.item()
        return _host(self._t).numpy().tolist()

    def numpy(self, *, force=False):
        if force:  # torch: detach().cpu().numpy()
            return _host(self._t).numpy()
        if self._rg:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._t.numpy()  # a CUDA tensor: torch's TypeError ("... Use Tensor.cpu() ...")

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()  # as torch: refuses tensors that require grad
        if dtype is not None:
            a = a.astype(dtype, copy=bool(copy))
        elif copy:
            a = a.copy()
        return a

    def _scalar_check(self, kind):
        if self._t.numel != 1:
            raise RuntimeError(f"a Tensor with {self._t.numel} elements cannot be converted to Scalar")

    def __bool__(self):
        if self._t.numel != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous"
                               if self._t.numel > 1 else "Boolean value of Tensor with no values is ambiguous")
        return bool(self._t.item())

    def __float__(self):
        self._scalar_check("float")
        return float(self._t.item())

    def __int__(self):
        self._scalar_check("int")
        return int(self._t.item())

    def __index__(self):
        if self.dtype.is_floating_point or self._t.numel != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._t.item())

    def __complex__(self):
        return complex(self.item())

    def __format__(self, spec):
        if self._t.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self):
        from ._repr import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        # pickling (DataLoader workers, deepcopy): through numpy, keeping requires_grad and the device
        from .ops.creation import _rebuild
        dev = self._t.device
        return (_rebuild, (np.array(_host(self._t).numpy()), self._rg) + ((dev,) if dev != "cpu" else ()))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.")
        r = type(self).__new__(type(self)) if type(self) is not Tensor else _new(Tensor)
        _init(r, self._t.clone())
        r._rg = self._rg
        if self._grad is not None:
            r._grad = self._grad.__deepcopy__(memo)
        if type(self) is not Tensor and hasattr(self, "__dict__"):
            import copy as _copy
            r.__dict__.update(_copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = r
        return r

    # -- autograd attributes ----------------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use "
                                   "a computed variable in a subgraph that doesn't require differentiation use "
                                   "var_no_grad = var.detach().")
            return
        if value and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        m = self._meta
        if m is None or m.base is None or self._t.version == m.view_version:
            return self._grad_fn
        return _refresh_view_grad_fn(self)

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node
        m = self._meta
        if m is not None and m.base is not None:
            m.view_version = self._t.version

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not (self._meta is not None and self._meta.retains_grad):
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf "
                          "Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a tensor with "
                    f"grad_dtype '{_c_name(self.dtype).capitalize()}'. The gradient must match the tensor's "
                    "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute "
                    "with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging "
                    "the dtypes of a tensor and its gradient may break downstream systems that assume they match.")
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                                   f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are "
                                   "the same size")
            if value._t.device != self._t.device:
                raise RuntimeError(f"attempting to assign a gradient located on device with index "
                                   f"'{value.get_device()}' to a tensor located on device with index "
                                   f"'{self.get_device()}'. Please ensure that the gradient and the tensor are on "
                                   "the same device")
        self._grad = value

    @property
    def data(self):
        return Tensor._make(self._t)

    @data.setter
    def data(self, value):
        self._t = value._t

    @property
    def retains_grad(self):
        return self._meta is not None and self._meta.retains_grad

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def name(self):
        return None if self._meta is None else self._meta.name

    def _get_meta(self):
        if self._meta is None:
            self._meta = _Meta()
        return self._meta

    def _grad_accumulator(self):
        m = self._meta
        if m is None:
            m = self._meta = _Meta()
        node = m.grad_acc() if m.grad_acc is not None else None
        if node is None:
            node = _AccumulateGrad(self)
            m.grad_acc = _weakref.ref(node)
        return node

    def retain_grad(self):
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        m = self._get_meta()
        if m.retains_grad:
            return
        m.retains_grad = True
        import weakref
        from .autograd.grad_mode import MODE
        ref = weakref.ref(self)

        def _retain(grad):
            t = ref()
            if t is not None:
                g = grad if MODE.enabled else grad.detach()  # under create_graph the retained grad keeps its graph
                t._grad = g.clone() if t._grad is None else t._grad + g
            return None

        node = self.grad_fn
        if node._retain_hooks is None:
            node._retain_hooks = {}
        node._retain_hooks[self._output_nr] = _retain

    def register_hook(self, hook):
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_pre_hook(self._output_nr, hook)
        m = self._get_meta()
        if m.hooks is None:
            m.hooks = []
        m.hooks.append(hook)
        from .autograd.function import _RemovableHandle
        return _RemovableHandle(m.hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        m = self._get_meta()
        if m.post_acc_hooks is None:
            m.post_acc_hooks = []
        m.post_acc_hooks.append(hook)
        from .autograd.function import _RemovableHandle
        return _RemovableHandle(m.post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward as _backward
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        return Tensor._make(self._t)

    def detach_(self):
        if self._meta is not None and self._meta.base is not None and self._meta.base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                               "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                               "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                               "function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._rg = False
        return self


from .autograd import function as _function  # noqa: E402
from .autograd.function import AccumulateGrad as _AccumulateGrad  # noqa: E402
import weakref as _weakref  # noqa: E402

_function._Tensor = Tensor


def _init(t, impl):
    t._t = impl
    t._rg = False
    t._grad = None
    t._grad_fn = None
    t._output_nr = 0
    t._meta = None


def _host(impl):
    """impl, or a copy of it in host memory: everything that reads values through numpy goes through here."""
    return impl if impl.device == "cpu" else _C.to_device(impl, "cpu", impl.dtype)


def _wrap(impl):
    """A new Tensor around a TensorImpl, with no autograd state: the ops' fast path."""
    t = _new(Tensor)
    t._t = impl
    t._rg = False
    t._grad = None
    t._grad_fn = None
    t._output_nr = 0
    t._meta = None
    return t


def _c_name(dt):
    return {"float32": "float", "float64": "double", "int64": "long", "int32": "int", "uint8": "unsigned char",
            "bool": "bool"}.get(dt.name, dt.name)


def _refresh_view_grad_fn(view):
    """The memory of a view changed in place since its grad_fn was made (an in-place op on its base
    or on another view of it): as torch does, its history becomes a view of the base's current one,
    so gradients flow through whatever the in-place op recorded."""
    m = view._meta
    m.view_version = view._t.version
    base = m.base
    if base.grad_fn is not None and base._t.is_contiguous():
        from .autograd.grad_mode import MODE
        from .ops.views import AsStrided
        prev, MODE.enabled = MODE.enabled, True
        try:
            t = view._t
            v = AsStrided.apply(base, list(t.shape), list(t.strides), t.offset)
        finally:
            MODE.enabled = prev
        view._grad_fn = v._grad_fn
        view._output_nr = 0
        view._rg = True
    return view._grad_fn


def _wrap_dim(dim, ndim):
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _register_methods(table):
    for name, fn in table.items():
        setattr(Tensor, name, fn)


class Size(tuple):
    """torch.Size: a tuple that prints as tensorlite.Size([2, 3])."""

    def __repr__(self):
        return f"tensorlite.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))
