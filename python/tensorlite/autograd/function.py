"""Graph nodes and torch.autograd.Function.

Every differentiable op is a Function: `forward(ctx, *args)` runs the kernel with grad mode off,
`backward(ctx, *grads)` returns one gradient per forward argument (None for non-tensors). When an
input requires grad, `apply` turns `ctx` into the graph node (as torch does: ctx *is* the
`grad_fn`), links it to the inputs' nodes and marks the outputs.
"""
from __future__ import annotations

from .grad_mode import MODE

_Tensor = None  # tensorlite.Tensor, set by tensor.py (a module-level name keeps imports off the hot path)
_NO_EDGE = (None, 0)


class Node:
    """Base of every backward node: `next_functions` holds (node, input_nr) edges to the inputs."""

    # Class-level defaults: most nodes never set these, and not initialising them per instance keeps
    # graph recording cheap.
    next_functions = ()
    _pre_hooks = None   # {output_nr: [hook(grad) -> grad | None]}: tensor hooks, retain_grad
    _post_hooks = None  # [hook(grad_inputs, grad_outputs)]
    _retain_hooks = None  # {output_nr: hook}: retain_grad, run after the tensor hooks (as torch does)
    _node_pre_hooks = None  # [hook(grad_outputs) -> grad_outputs | None]: Node.register_prehook
    _user_backward = False  # a user-defined Function: its backward may return tensors the user holds

    def name(self):
        return type(self).__name__

    def register_hook(self, fn):
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._node_pre_hooks.append(fn)
        return _RemovableHandle(self._node_pre_hooks, fn)

    def _add_tensor_pre_hook(self, output_nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        lst = self._pre_hooks.setdefault(output_nr, [])
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    def apply(self, *grads):  # pragma: no cover - every node overrides it
        raise NotImplementedError

    def _release(self):
        pass

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


class _RemovableHandle:
    __slots__ = ("_lst", "_fn")

    def __init__(self, lst, fn):
        self._lst, self._fn = lst, fn

    def remove(self):
        try:
            self._lst.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The sink of a leaf that requires grad: adds the incoming gradient into `variable.grad`."""

    def __init__(self, variable):
        self.variable = variable

    def apply(self, grad):  # called by the engine; accumulation lives in the engine (it knows the mode)
        raise RuntimeError("AccumulateGrad is applied by the engine")


_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class BackwardCFunction(Node):
    """The ctx object handed to forward/backward, which becomes the node of the graph."""

    _forward_cls = None
    needs_input_grad = ()
    materialize_grads = True
    _to_save = None
    _saved = None   # after apply: tuples (object or None, impl, version, output_nr or -1)
    _freed = False
    _non_differentiable = None
    _dirty = None
    _in_meta = None   # user Functions: per input (shape, dtype, device) or None
    _out_meta = None  # per output (shape, dtype, device) or None; None here means "a single tensor output"

    # -- the ctx API ------------------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        if self._saved is None:
            return tuple(self._to_save) if self._to_save else ()
        Tensor = _Tensor
        out = []
        for sv in self._saved:
            if sv is None:
                out.append(None)
                continue
            obj, impl, version, output_nr = sv
            if impl.version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{_type_str(impl)} {list(impl.shape)}]"
                    f"{', which is output ' + str(output_nr) + ' of ' + self.name() if output_nr >= 0 else ''}, "
                    f"is at version {impl.version}; expected version {version} instead. Hint: the "
                    "backtrace further above can point to the operation that failed to compute its gradient.")
            if output_nr >= 0:
                # An output is saved without its Python object (that would be a cycle output ->
                # grad_fn -> output); it comes back as a new tensor on the same memory and node.
                t = Tensor._make(impl, True)
                t.grad_fn = self
                t._output_nr = output_nr
                out.append(t)
            else:
                out.append(obj)
        return tuple(out)

    # -- the node API -----------------------------------------------------------------------------
    def apply(self, *grads):
        return self._forward_cls.backward(self, *grads)

    def _release(self):
        if self._saved is not None or self._to_save:
            self._freed = True
        self._saved = None
        self._to_save = None


def _type_str(impl):
    from .._dtype import _BY_ID
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
             "int32": "IntTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
    return "torch." + names[_BY_ID[impl.dtype].name]


class _FunctionMeta(type):
    """Gives every Function subclass its node class, named as torch names them (ExpBackward0)."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        user = not cls.__module__.startswith("tensorlite.")
        # torch names built-in nodes MulBackward0 and a user Function F's node FBackward
        backward_name = name + ("Backward" if user else "Backward0" if not name.endswith("Backward") else "0")
        cls._backward_cls = type(backward_name, (BackwardCFunction,), {"_forward_cls": cls, "_user_backward": user})


class Function(metaclass=_FunctionMeta):
    """torch.autograd.Function: subclass it with static forward(ctx, ...) and backward(ctx, ...)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor = _Tensor
        ctx = cls._backward_cls()
        grad_on = MODE.enabled
        if grad_on:
            needs = tuple([isinstance(a, Tensor) and a._rg for a in args])
        else:
            needs = (False,) * len(args)
        ctx.needs_input_grad = needs
        MODE.enabled = False
        try:
            outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            MODE.enabled = grad_on
        if not any(needs):
            if ctx._dirty:
                for t in ctx._dirty:
                    t._t.bump_version()
            return outputs
        return _link(ctx, args, outputs, needs)


def _link(ctx, args, outputs, needs):
    Tensor = _Tensor
    is_tuple = type(outputs) is tuple
    outs = outputs if is_tuple else (outputs,)
    edges = []
    for a, n in zip(args, needs):
        if n:
            gf = a.grad_fn
            edges.append((gf, a._output_nr) if gf is not None else (a._grad_accumulator(), 0))
        else:
            edges.append(_NO_EDGE)
    ctx.next_functions = tuple(edges)
    if ctx._user_backward:  # what a user's backward returns is checked against this (shape, dtype)
        ctx._in_meta = [(a._t.shape, a._t.dtype, a._t.device) if n else None for a, n in zip(args, needs)]
    if ctx._dirty is None and ctx._non_differentiable is None and isinstance(outputs, Tensor):
        # the common case, one output and nothing marked: no per-output bookkeeping needed
        o = outputs
        for a in args:
            if o is a:
                o = Tensor._make(o._t, False)
                break
        o._rg = True
        o.grad_fn = ctx
        o._output_nr = 0
        new_outs = [o]
        is_tuple = False
    else:
        new_outs = _link_outputs(ctx, args, outs)
    if ctx._to_save:
        _record_saved(ctx, new_outs)
    return tuple(new_outs) if is_tuple else new_outs[0]


def _link_outputs(ctx, args, outs):
    Tensor = _Tensor
    non_diff = ctx._non_differentiable or ()
    dirty = ctx._dirty or ()
    for t in dirty:
        if t.grad_fn is None and t._rg:
            if t._meta is not None and t._meta.base is not None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        t._t.bump_version()
    new_outs = []
    meta = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            new_outs.append(o)
            meta.append(None)
            continue
        for a in args:
            if o is a:
                if not any(o is d for d in dirty):
                    # forward returned an input unchanged: the output is a new tensor object aliasing it
                    o = Tensor._make(o._t, False)
                break
        t = o._t
        meta.append((t.shape, t.dtype, t.device))
        if non_diff and any(o is n for n in non_diff):
            o._rg = False
        else:
            o._rg = True
            o.grad_fn = ctx
            o._output_nr = i
        new_outs.append(o)
    ctx._out_meta = meta
    # the marks are used up: keeping them would be a cycle output -> grad_fn (ctx) -> output
    ctx._dirty = ctx._non_differentiable = None
    return new_outs


def _record_saved(ctx, new_outs):
    saved = []
    for t in ctx._to_save:
        if t is None:
            saved.append(None)
            continue
        output_nr = -1
        for i, o in enumerate(new_outs):
            if o is t and o.grad_fn is ctx:
                output_nr = i
                break
        impl = t._t
        saved.append((None if output_nr >= 0 else t, impl, impl.version, output_nr))
    ctx._saved = saved
    ctx._to_save = None
