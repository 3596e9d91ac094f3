"""The backward engine: dependency counting over the graph, iteratively (no recursion, so a
100,000-op chain is fine), accumulating gradients per (node, output) before each node runs."""
from __future__ import annotations

from .function import AccumulateGrad
from .grad_mode import MODE


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _make_root_grads(tensors, grad_tensors, is_grads_batched=False):
    from ..tensor import Tensor
    from .. import ops
    grads = []
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"Mismatch in number of tensors and gradients: got {len(tensors)} tensors and "
                           f"{len(grad_tensors)} gradients")
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.dtype.is_floating_point:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                   + str(t.dtype))
            g = ops.ones_like(t)
        elif not isinstance(g, Tensor):
            g = ops.tensor(g, dtype=t.dtype, device=t.device)
        else:
            if tuple(g.shape) != tuple(t.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a shape "
                    f"of {t.shape}.")
            if g._t.device != t._t.device:
                raise RuntimeError(f"invalid gradient at index {i} - expected device {t.device} but got {g.device}")
        grads.append(g)
    return grads


def _root_edges(tensors):
    edges = []
    for i, t in enumerate(tensors):
        if t.grad_fn is not None:
            edges.append((t.grad_fn, t._output_nr))
        elif t._rg:
            edges.append((t._grad_accumulator(), 0))
        else:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    return edges


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, capture=None,
                 allow_unused=False):
    """Runs the graph below `tensors`. With `capture` (a list of (node, output_nr) edges), gradients
    reaching those edges are returned instead of being accumulated into leaves (autograd.grad). With
    `inputs` (backward(inputs=...)), gradients are accumulated into those tensors' .grad only."""
    if retain_graph is None:
        retain_graph = create_graph
    root_edges = _root_edges(tensors)
    root_grads = _make_root_grads(tensors, grad_tensors)

    # 1. Discover the graph and count, for each node, how many edges lead into it.
    deps = {}
    order = []  # every reachable node, discovery order
    stack = [e[0] for e in root_edges]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if id(nxt) not in seen:
                stack.append(nxt)

    # 2. With capture (autograd.grad) or inputs=, only run nodes from which a target is reachable;
    # a target node itself runs only if another target lies below it (as torch: autograd.grad(y, h)
    # neither computes nor frees anything below h).
    input_of = None  # backward(inputs=): (id(node), output_nr) -> tensor
    if inputs is not None:
        input_of = {}
        for t in inputs:
            input_of[_input_edge_key(t)] = t
        targets = {k[0] for k in input_of}
    elif capture is not None:
        targets = {id(n) for n, _ in capture}
    else:
        targets = None
    needed = _needed_nodes(order, targets) if targets is not None else None

    captured = {} if capture is not None else None
    capture_keys = {(id(n), nr) for n, nr in capture} if capture is not None else None

    buffers = {}
    for (node, nr), g in zip(root_edges, root_grads):
        buf = buffers.setdefault(node, {})
        buf[nr] = g if nr not in buf else buf[nr] + g
    ready = [n for n, _ in root_edges if deps.get(n, 0) == 0]
    ready = list(dict.fromkeys(ready))  # a node may be the root of several tensors

    prev_mode = MODE.enabled
    MODE.enabled = bool(create_graph)
    # storages the user can see (their gradient=, what hooks were shown or returned, what a user
    # Function's backward returned): a .grad must never be stored on them without a copy
    stolen = {g._t.storage_id for g in root_grads}
    try:
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, {})
            # tensor hooks (then retain_grad) registered on this node's outputs
            if node._pre_hooks or node._retain_hooks:
                _run_tensor_hooks(node, buf, stolen)
            is_acc = isinstance(node, AccumulateGrad)
            if is_acc and (captured is not None or input_of is not None):
                g = buf.get(0)
                if g is not None:
                    g = _run_leaf_hooks(node.variable, g, stolen)
                    buf[0] = g
            if captured is not None:
                for nr, g in buf.items():
                    if (id(node), nr) in capture_keys:
                        captured[(id(node), nr)] = g
            elif input_of is not None:
                for nr, g in buf.items():
                    t = input_of.get((id(node), nr))
                    if t is not None and not is_acc and not t.retains_grad:
                        _store_grad(t, g, create_graph, stolen)
            if is_acc:
                if captured is None and (input_of is None or (id(node), 0) in input_of):
                    _accumulate(node, buf.get(0), create_graph, stolen, hooks_done=input_of is not None)
                continue
            if needed is not None and id(node) not in needed:
                continue
            grads_in = _node_inputs(node, buf)
            if grads_in is not None and node._node_pre_hooks:
                grads_in = list(grads_in)
                for h in list(node._node_pre_hooks):
                    _expose(grads_in, stolen)
                    r = h(tuple(grads_in))
                    if r is not None:
                        grads_in = list(r)
                        _expose(grads_in, stolen)
            if grads_in is None:  # no gradient flows through this node
                outs = (None,) * len(node.next_functions)
            else:
                outs = node.apply(*grads_in)
                if not isinstance(outs, tuple):
                    outs = (outs,)
                outs = _check_outputs(node, outs)
                if node._user_backward:
                    outs = _validate_user_grads(node, outs)
                    _expose(outs, stolen)
                if node._post_hooks:
                    for h in node._post_hooks:
                        _expose(outs, stolen)
                        _expose(grads_in, stolen)
                        r = h(outs, grads_in)
                        if r is not None:
                            outs = tuple(r)
                            _expose(outs, stolen)
            if not retain_graph:
                node._release()
            for (nxt, nr), g in zip(node.next_functions, outs):
                if nxt is None:
                    continue
                if g is not None:
                    b = buffers.setdefault(nxt, {})
                    b[nr] = g if nr not in b else b[nr] + g
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    finally:
        MODE.enabled = prev_mode
    if capture is not None:
        return [captured.get((id(n), nr)) for n, nr in capture]
    return None


def _validate_user_grads(node, outs):
    """torch's validate_outputs for a user Function: a gradient of a broadcast shape is summed to the
    input's shape, one of another dtype is cast to the input's; anything else is an error."""
    meta = node._in_meta
    if meta is None:
        return outs
    from .._dtype import _BY_ID
    out = list(outs)
    for i, (g, m) in enumerate(zip(outs, meta)):
        if g is None or m is None or not hasattr(g, "_t"):
            continue
        shape, dt, dev = m
        if g._t.device != dev:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - expected device "
                               f"{dev} but got {g._t.device}")
        if tuple(g._t.shape) != tuple(shape):
            gs = tuple(g._t.shape)
            ok = len(shape) <= len(gs) and all(
                s == d or s == 1 for s, d in zip(reversed(tuple(shape)), reversed(gs)))
            if not ok:
                raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                                   f"{list(gs)} but expected shape compatible with {list(shape)}")
            g = g.sum_to_size(tuple(shape))
        if g._t.dtype != dt:
            g = g.to(_BY_ID[dt])
        out[i] = g
    return tuple(out)


def _input_edge_key(t):
    if t.grad_fn is not None:
        return (id(t.grad_fn), t._output_nr)
    return (id(t._grad_accumulator()), 0)


def _expose(grads, stolen):
    for g in grads:
        if g is not None and hasattr(g, "_t"):
            stolen.add(g._t.storage_id)


def _run_tensor_hooks(node, buf, stolen):
    pre = node._pre_hooks or {}
    retain = node._retain_hooks or {}
    for nr in list(buf):
        for h in list(pre.get(nr, ())):
            stolen.add(buf[nr]._t.storage_id)
            r = h(buf[nr])
            if r is not None:
                buf[nr] = r
                stolen.add(r._t.storage_id)
        h = retain.get(nr)
        if h is not None:
            h(buf[nr])


def _run_leaf_hooks(var, g, stolen):
    hooks = var._meta.hooks if var._meta is not None else None
    if hooks:
        for h in list(hooks):
            stolen.add(g._t.storage_id)
            r = h(g)
            if r is not None:
                g = r
                stolen.add(g._t.storage_id)
    return g


def _needed_nodes(order, targets):
    """Nodes from which some target node can be reached by at least one edge."""
    needed = set()
    # `order` is a DFS discovery order; iterate to a fixed point (graphs here are DAGs, so it ends).
    changed = True
    while changed:
        changed = False
        for node in reversed(order):
            if id(node) in needed:
                continue
            for nxt, _ in node.next_functions:
                if nxt is not None and (id(nxt) in needed or id(nxt) in targets):
                    needed.add(id(node))
                    changed = True
                    break
    return needed


def _node_inputs(node, buf):
    if not buf:
        return None
    out_meta = node._out_meta
    if out_meta is None or len(out_meta) == 1:  # a single output, and it has a gradient
        return [buf[0]]
    n_out = len(out_meta)
    grads = [buf.get(i) for i in range(n_out)]
    if node.materialize_grads:
        from .. import ops
        from .._dtype import _BY_ID
        for i, g in enumerate(grads):
            if g is None and node._out_meta[i] is not None:
                shape, dt, dev = node._out_meta[i]
                grads[i] = ops.zeros(shape, dtype=_BY_ID[dt], device=dev)
    return grads


def _check_outputs(node, outs):
    n = len(node.next_functions)
    if len(outs) == n:
        return outs
    if len(outs) < n:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected {n}, "
                           f"got {len(outs)})")
    if len(outs) > n:
        extra = outs[n:]
        if any(e is not None for e in extra):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected "
                               f"{n}, got {len(outs)})")
        outs = outs[:n]
    return outs


def _accumulate(node, g, create_graph, stolen, hooks_done=False):
    var = node.variable
    if g is None:
        return
    if not hooks_done:
        g = _run_leaf_hooks(var, g, stolen)
    _store_grad(var, g, create_graph, stolen)
    if var._meta is not None and var._meta.post_acc_hooks:
        for h in var._meta.post_acc_hooks:
            h(var)


def _store_grad(var, g, create_graph, stolen):
    if tuple(g.shape) != tuple(var.shape):
        g = g.sum_to_size(var.shape)
    if var._grad is None:
        # Store without a copy unless the memory is shared with another gradient or the user.
        sid = g._t.storage_id
        if sid in stolen or not g._t.is_contiguous():
            g = g.clone() if create_graph else g.detach().clone()
        elif not create_graph:
            g = g.detach()
        stolen.add(g._t.storage_id)
        var._grad = g
    elif create_graph or MODE.enabled:
        var._grad = var._grad + g
    else:
        var._grad.add_(g)
