"""Indexing family: __getitem__/__setitem__ forms, index_select, gather/scatter, index_add, index_put,
masked_select, nonzero, sort/argsort/topk. (Random index expressions: tests/test_indexing.py.)"""
import numpy as np

from op_db import Arg, ErrorInput, OpInfo, SampleInput

_rng = np.random.default_rng(7)


def _idx(*shape, high):
    """int64 indices in [0, high]"""
    return Arg(_rng.integers(0, high + 1, size=shape).astype(np.int64))


def _perm_idx(shape, dim, size):
    """indices along `dim` that are distinct within every line (scatter without duplicates), each
    line a random choice of shape[dim] positions out of `size`."""
    lines = np.moveaxis(np.zeros(shape, dtype=np.int64), dim, -1)
    flat = lines.reshape(-1, shape[dim])
    for r in range(flat.shape[0]):
        flat[r] = _rng.permutation(size)[:shape[dim]]
    return Arg(np.moveaxis(flat.reshape(lines.shape), -1, dim).copy())


def _mask(*shape):
    return Arg(_rng.integers(0, 2, size=shape).astype(bool))


def _setitem(index):
    def f(x, v):
        y = x.clone()
        y[index] = v
        return y
    return f


def _setitem_t(x, v, i, j):
    y = x.clone()
    y[i, :, j] = v
    return y


def _getitem_samples(make, dtype):
    return [SampleInput((make(4, 5, 3),), name="contig"), SampleInput((make(4, 5, 3, noncontig=True),), name="nc")]


def _ref_like(fn):
    return dict(tl=fn, ref=fn)


def _sort_samples(make, dtype):
    return [
        SampleInput((make(5),), name="1d"),
        SampleInput((make(3, 6), 0), name="dim0"),
        SampleInput((make(3, 6, noncontig=True), -1, True), name="desc-nc"),
        SampleInput((make(2, 0, 3), 1), name="empty"),
        SampleInput((make(),), name="0d"),
    ]


OPS = [
    # -- __getitem__ ---------------------------------------------------------------------------------------
    OpInfo("getitem_basic", **_ref_like(lambda x: x[1:, ::2, -1]), samples=_getitem_samples),
    OpInfo("getitem_int_none_ellipsis", **_ref_like(lambda x: x[None, 2, ..., None, 1]), samples=_getitem_samples),
    OpInfo("getitem_adv_adjacent", **_ref_like(lambda x: x[:, [0, 2, 2, -1], [1, 0, 1, 2]]),
           samples=_getitem_samples),
    OpInfo("getitem_adv_separated", **_ref_like(lambda x: x[[0, 3, 3], :, [2, 0, 2]]), samples=_getitem_samples),
    OpInfo("getitem_adv_duplicates", **_ref_like(lambda x: x[[1, 1, 0, 1]]), samples=_getitem_samples),
    OpInfo("getitem_tensor_index",
           tl=lambda x, i: x[i, 1:], ref=lambda x, i: x[i, 1:],
           samples=lambda make, dt: [SampleInput((make(4, 5, 3), _idx(2, 3, high=3))),
                                     SampleInput((make(4, 5, 3, noncontig=True), _idx(5, high=3)))],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3)[lib.tensor([5])], IndexError, "out of bounds"),
                         ErrorInput(lambda lib: lib.zeros(2, 3)[lib.tensor([0.5])], IndexError),
                         ErrorInput(lambda lib: lib.zeros(2, 3)[::-1], ValueError, "step must be greater"),
                         ErrorInput(lambda lib: lib.zeros(2, 3)[0, 0, 0], IndexError, "too many indices")]),
    OpInfo("getitem_mask", tl=lambda x, m: x[m], ref=lambda x, m: x[m],
           samples=lambda make, dt: [SampleInput((make(4, 5), _mask(4, 5)), name="full"),
                                     SampleInput((make(4, 5, 2, noncontig=True), _mask(4, 5)), name="2d-of-3d"),
                                     SampleInput((make(4, 5), _mask(4)), name="1d")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3)[lib.tensor([True, False, True])], IndexError,
                                    "shape of the mask")]),
    OpInfo("getitem_mask_mixed", tl=lambda x, m: x[1:, m, [0, 1]], ref=lambda x, m: x[1:, m, [0, 1]],
           samples=lambda make, dt: [SampleInput((make(3, 4, 2), Arg(np.array([True, False, False, True]))))]),
    # -- __setitem__ (functional wrappers, so backward flows to both x and the value) ----------------------
    OpInfo("setitem_basic", tl=_setitem((slice(1, None), slice(None, None, 2))),
           ref=_setitem((slice(1, None), slice(None, None, 2))),
           samples=lambda make, dt: [SampleInput((make(3, 4), make(2)), name="broadcast"),
                                     SampleInput((make(3, 4, noncontig=True), make(2, 2)), name="full"),
                                     SampleInput((make(3, 4), 2.5), name="scalar")]),
    OpInfo("setitem_int", tl=_setitem((1, -1)), ref=_setitem((1, -1)),
           samples=lambda make, dt: [SampleInput((make(3, 4), make()), name="0d"),
                                     SampleInput((make(3, 4), 7), name="int")]),
    OpInfo("setitem_advanced", tl=_setitem(([0, 2, 1],)), ref=_setitem(([0, 2, 1],)),
           samples=lambda make, dt: [SampleInput((make(3, 4), make(3, 4)), name="full"),
                                     SampleInput((make(3, 4), make(1, 4)), name="broadcast"),
                                     SampleInput((make(3, 4), -1.0), name="scalar")],
           error_inputs=[ErrorInput(lambda lib: _setitem(([0],))(lib.zeros(3), lib.zeros(1, dtype=lib.float64)),
                                    RuntimeError, "dtypes match"),
                         ErrorInput(lambda lib: _setitem(([0],))(lib.zeros(3, 2), lib.zeros(3)), RuntimeError,
                                    "shape mismatch")]),
    OpInfo("setitem_separated", tl=_setitem_t, ref=_setitem_t,
           samples=lambda make, dt: [SampleInput((make(3, 2, 4), make(2, 2), Arg(np.array([0, 2])),
                                                  Arg(np.array([3, 1]))))]),
    OpInfo("setitem_mask", tl=lambda x, m, v: _setitem(m)(x, v), ref=lambda x, m, v: _setitem(m)(x, v),
           samples=lambda make, dt: [SampleInput((make(3, 4), _mask(3, 4), 0.5), name="scalar"),
                                     SampleInput((make(3, 4), Arg(np.array([True, False, True])), make(4)),
                                                 name="rows")]),
    # -- index_select / gather / scatter ----------------------------------------------------------------------
    OpInfo("index_select", tl=lambda x, d, i: x.index_select(d, i), ref=lambda x, d, i: x.index_select(d, i),
           samples=lambda make, dt: [SampleInput((make(4, 3), 0, _idx(6, high=3)), name="dim0-dup"),
                                     SampleInput((make(4, 3, noncontig=True), -1, _idx(2, high=2)), name="nc"),
                                     SampleInput((make(2, 3, 4), 1, Arg(np.zeros(0, np.int64))), name="empty"),
                                     SampleInput((make(), 0, Arg(np.array(0))), name="0d")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(3).index_select(0, lib.tensor([3])), IndexError),
                         ErrorInput(lambda lib: lib.zeros(3).index_select(0, lib.tensor([[0]])), IndexError),
                         ErrorInput(lambda lib: lib.zeros(3).index_select(0, lib.tensor([0.0])), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(3).index_select(1, lib.tensor([0])), IndexError)]),
    OpInfo("gather", tl=lambda x, d, i: x.gather(d, i), ref=lambda x, d, i: x.gather(d, i),
           samples=lambda make, dt: [SampleInput((make(4, 3), 0, _idx(5, 3, high=3)), name="dim0"),
                                     SampleInput((make(4, 3, noncontig=True), 1, _idx(2, 6, high=2)), name="nc"),
                                     SampleInput((make(3, 4, 2), -2, _idx(3, 2, 1, high=3)), name="smaller")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).gather(0, lib.tensor([[2]])), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).gather(0, lib.tensor([[-1]])), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).gather(0, lib.tensor([0])), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).gather(0, lib.zeros(1, 4, dtype=lib.int64)),
                                    RuntimeError)]),
    OpInfo("take_along_dim", tl=lambda x, i: x.take_along_dim(i, 1), ref=lambda x, i: x.take_along_dim(i, 1),
           samples=lambda make, dt: [SampleInput((make(3, 4), _idx(3, 2, high=3)))]),
    OpInfo("scatter", tl=lambda x, d, i, s: x.scatter(d, i, s), ref=lambda x, d, i, s: x.scatter(d, i, s),
           samples=lambda make, dt: [SampleInput((make(4, 3), 0, _perm_idx((2, 3), 0, 4), make(2, 3)), name="dim0"),
                                     SampleInput((make(4, 5, noncontig=True), 1, _perm_idx((3, 2), 1, 5),
                                                  make(3, 2)), name="nc")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).scatter(0, lib.tensor([[1]]), lib.ones(1, 1,
                                    dtype=lib.float64)), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).scatter(0, lib.tensor([[2]]), lib.ones(1, 1)),
                                    RuntimeError)]),
    OpInfo("scatter_value", tl=lambda x, i: x.scatter(1, i, -2.0), ref=lambda x, i: x.scatter(1, i, -2.0),
           samples=lambda make, dt: [SampleInput((make(3, 4), _idx(3, 2, high=3)))]),
    OpInfo("scatter_add", tl=lambda x, d, i, s: x.scatter_add(d, i, s), ref=lambda x, d, i, s: x.scatter_add(d, i, s),
           samples=lambda make, dt: [SampleInput((make(4, 3), 0, _idx(6, 3, high=3), make(6, 3)), name="dup"),
                                     SampleInput((make(3, 4, noncontig=True), 1, _idx(3, 2, high=3), make(3, 2)),
                                                 name="nc")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).scatter_add(0, lib.tensor([[0, 0, 0, 0]]),
                                    lib.ones(3, 4)), RuntimeError)]),
    # torch's backward rejects a src larger than the index, so these two are forward-only
    OpInfo("scatter_src_larger", tl=lambda x, i, s: x.scatter(1, i, s), ref=lambda x, i, s: x.scatter(1, i, s),
           grad=False, samples=lambda make, dt: [SampleInput((make(4, 5), _perm_idx((3, 2), 1, 5), make(4, 4)))]),
    OpInfo("scatter_add_src_larger", tl=lambda x, i, s: x.scatter_add(1, i, s),
           ref=lambda x, i, s: x.scatter_add(1, i, s), grad=False,
           samples=lambda make, dt: [SampleInput((make(3, 4), _idx(3, 2, high=3), make(3, 5)))]),
    OpInfo("scatter_inplace", tl=lambda x, i, s: x.clone().scatter_(0, i, s), ref=lambda x, i, s: x.clone().scatter_(0, i, s),
           samples=lambda make, dt: [SampleInput((make(4, 3), _perm_idx((2, 3), 0, 4), make(2, 3)))]),
    OpInfo("scatter_add_inplace", tl=lambda x, i, s: x.clone().scatter_add_(0, i, s),
           ref=lambda x, i, s: x.clone().scatter_add_(0, i, s),
           samples=lambda make, dt: [SampleInput((make(4, 3), _idx(5, 3, high=3), make(5, 3)))]),
    OpInfo("index_add", tl=lambda x, d, i, s: x.index_add(d, i, s, alpha=2.0),
           ref=lambda x, d, i, s: x.index_add(d, i, s, alpha=2.0),
           samples=lambda make, dt: [SampleInput((make(4, 3), 0, _idx(6, high=3), make(6, 3)), name="dup"),
                                     SampleInput((make(3, 4, noncontig=True), 1, _idx(2, high=3), make(3, 2)),
                                                 name="nc")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).index_add(0, lib.tensor([0, 2]), lib.ones(2, 3)),
                                    RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).index_add(0, lib.tensor([0, 1]), lib.ones(3, 3)),
                                    RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).index_add(0, lib.tensor([0, 1]), lib.ones(2, 4)),
                                    RuntimeError)]),
    OpInfo("index_put", tl=lambda x, i, v: x.index_put((i,), v), ref=lambda x, i, v: x.index_put((i,), v),
           samples=lambda make, dt: [SampleInput((make(4, 3), Arg(np.array([2, 0, -1])), make(3, 3)))],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2).index_put((lib.tensor([2]),), lib.ones(1)),
                                    IndexError)]),
    OpInfo("index_put_accumulate", tl=lambda x, i, j, v: x.index_put((i, j), v, accumulate=True),
           ref=lambda x, i, j, v: x.index_put((i, j), v, accumulate=True),
           samples=lambda make, dt: [SampleInput((make(4, 3), _idx(5, high=3), _idx(5, high=2), make(5)), name="dup"),
                                     SampleInput((make(4, 3, 2), _idx(2, 1, high=3), _idx(3, high=2), make(2)),
                                                 name="broadcast")]),
    OpInfo("masked_select", tl=lambda x, m: x.masked_select(m), ref=lambda x, m: x.masked_select(m),
           samples=lambda make, dt: [SampleInput((make(3, 4), _mask(3, 4)), name="same"),
                                     SampleInput((make(3, 4, noncontig=True), _mask(4)), name="mask-bcast"),
                                     SampleInput((make(4), _mask(2, 4)), name="x-bcast")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(3).masked_select(lib.tensor([1, 0, 1])), RuntimeError)]),
    OpInfo("nonzero", tl=lambda x: x.nonzero(), ref=lambda x: x.nonzero(), grad=False,
           dtypes=("float32", "int64", "bool"),
           samples=lambda make, dt: [SampleInput((make(3, 4, low=0, high=1),)), SampleInput((make(5, noncontig=True),)),
                                     SampleInput((make(),)), SampleInput((make(0, 2),))]),
    OpInfo("nonzero_tuple", tl=lambda x: x.nonzero(as_tuple=True), ref=lambda x: x.nonzero(as_tuple=True), grad=False,
           dtypes=("int64",), samples=lambda make, dt: [SampleInput((make(3, 4, low=0, high=1),))]),
    # -- sorting ---------------------------------------------------------------------------------------------
    OpInfo("sort", tl=lambda x, *a: x.sort(*a), ref=lambda x, *a: x.sort(*a), samples=_sort_samples,
           dtypes=("float32", "float64", "int64"),
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).sort(2), IndexError)]),
    OpInfo("sort_stable_nan", tl=lambda x: x.sort(stable=True, descending=True),
           ref=lambda x: x.sort(stable=True, descending=True), grad=False,
           samples=lambda make, dt: [SampleInput((Arg(np.array([3, np.nan, 1, 1, -np.inf, np.nan, 3],
                                                                dtype=dt)),))]),
    OpInfo("argsort", tl=lambda x, *a: x.argsort(*a), ref=lambda x, *a: x.argsort(*a), grad=False,
           dtypes=("float32", "int64"), samples=_sort_samples),
    OpInfo("topk", tl=lambda x, k, *a: x.topk(k, *a), ref=lambda x, k, *a: x.topk(k, *a),
           samples=lambda make, dt: [SampleInput((make(7), 3), name="1d"),
                                     SampleInput((make(4, 5), 2, 0, False), name="smallest-dim0"),
                                     SampleInput((make(4, 5, noncontig=True), 5, -1), name="all-nc"),
                                     SampleInput((make(3, 4), 0), name="k0")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(3).topk(4), RuntimeError),
                         ErrorInput(lambda lib: lib.tensor([True]).topk(1), RuntimeError)]),
    OpInfo("topk_nan", tl=lambda x: x.topk(3), ref=lambda x: x.topk(3), grad=False,
           samples=lambda make, dt: [SampleInput((Arg(np.array([3, np.nan, 1, np.nan, -np.inf], dtype=dt)),))]),
]
