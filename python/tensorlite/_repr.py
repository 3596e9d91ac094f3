"""repr(tensor) in torch's format: tensor([[1., 2.]], requires_grad=True)."""
from __future__ import annotations

import numpy as np

PRINT_OPTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    if profile == "default":
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        PRINT_OPTS.update(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            PRINT_OPTS[k] = v
    PRINT_OPTS["sci_mode"] = sci_mode


def _float_formatter(values):
    """torch's _Formatter for floats: integer mode ("1."), fixed or scientific notation."""
    prec = PRINT_OPTS["precision"]
    finite = values[np.isfinite(values)]
    int_mode = finite.size == 0 or np.all(finite == np.ceil(finite))
    sci = False
    if finite.size:
        nz = np.abs(finite[finite != 0])
        if nz.size:
            mx, mn = nz.max(), nz.min()
            sci = (mx / mn > 1000.0 or mx > 1.0e8) if not int_mode else mx > 1.0e8
            if not int_mode:
                sci = sci or mn < 1.0e-4
    if PRINT_OPTS["sci_mode"] is not None:
        sci = PRINT_OPTS["sci_mode"]
    if int_mode and not sci:
        fmt = lambda v: ("%.0f." % v) if np.isfinite(v) else _nonfinite(v)  # noqa: E731
    elif sci:
        fmt = lambda v: ("%.*e" % (prec, v)) if np.isfinite(v) else _nonfinite(v)  # noqa: E731
    else:
        fmt = lambda v: ("%.*f" % (prec, v)) if np.isfinite(v) else _nonfinite(v)  # noqa: E731
    width = max((len(fmt(v)) for v in values.ravel()), default=1)
    return lambda v: fmt(v).rjust(width)


def _nonfinite(v):
    return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")




def _format_array(a, formatter, indent, summarize):
    edge = PRINT_OPTS["edgeitems"]
    if a.ndim == 0:
        return formatter(a[()])
    n = a.shape[0]
    if summarize and n > 2 * edge:
        idx = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        idx = list(range(n))
    if a.ndim == 1:
        items = ["..." if i is None else formatter(a[i]) for i in idx]
        # wrap lines like torch: as many items per line as fit in linewidth
        width = len(items[0]) + 2 if items else 0
        per_line = max(1, (PRINT_OPTS["linewidth"] - indent) // max(width, 1))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    parts = ["..." if i is None else _format_array(a[i], formatter, indent + 1, summarize) for i in idx]
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    from . import _dtype as D
    a = t._t.numpy()
    prefix = "tensor("
    summarize = a.size > PRINT_OPTS["threshold"]
    suffixes = []
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
    else:
        if t.dtype.is_floating_point:
            vals = a.astype(np.float64)
            shown = vals if not summarize else _edge_values(vals)
            f = _float_formatter(shown)
            formatter = f
        elif t.dtype == D.bool:
            width = 5 if not a.all() else 4
            formatter = lambda v: str(bool(v)).rjust(width)  # noqa: E731
            vals = a
        else:
            shown = a if not summarize else _edge_values(a)
            width = max(len(str(int(v))) for v in shown.ravel())
            formatter = lambda v: str(int(v)).rjust(width)  # noqa: E731
            vals = a
        body = _format_array(vals, formatter, len(prefix), summarize)
    if t.dtype not in (D.get_default_dtype(), D.int64, D.bool) or (a.size == 0 and t.dtype != D.get_default_dtype()
                                                                   and t.dtype != D.int64):
        suffixes.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffixes) + ")"


def _edge_values(a):
    edge = PRINT_OPTS["edgeitems"]
    for d in range(a.ndim):
        if a.shape[d] > 2 * edge:
            a = np.concatenate([np.take(a, range(edge), axis=d), np.take(a, range(a.shape[d] - edge, a.shape[d]),
                                                                          axis=d)], axis=d)
    return a
