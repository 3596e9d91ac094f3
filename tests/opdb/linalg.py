"""Matrix products: matmul and friends, addmm/baddbmm, linear, einsum (python/tensorlite/ops/linalg.py).

Odd sizes (1, 3, 17, 33, 127) cross the kernels' vector widths and tile edges; K = 0 and empty M/N take
the degenerate paths; transposed and sliced operands exercise the strided packing."""
import torch.nn.functional as TF

from op_db import OpInfo, SampleInput, ErrorInput


def _mT(x):
    return x.transpose(-1, -2)


def _matmul_samples(make, dtype):
    return [
        SampleInput((make(3, 4), make(4, 5)), name="2d@2d"),
        SampleInput((make(4), make(4)), name="1d@1d"),
        SampleInput((make(3, 4), make(4)), name="2d@1d"),
        SampleInput((make(4), make(4, 3)), name="1d@2d"),
        SampleInput((make(2, 3, 4), make(2, 4, 5)), name="3d@3d"),
        SampleInput((make(2, 1, 3, 4), make(3, 4, 2)), name="broadcast-batch"),
        SampleInput((make(2, 3, 4), make(4, 5)), name="3d@2d-fold"),
        SampleInput((make(3, 4), make(2, 4, 5)), name="2d@3d"),
        SampleInput((make(2, 3, 4), make(4)), name="3d@1d"),
        SampleInput((make(4), make(2, 4, 3)), name="1d@3d"),
        SampleInput((make(3, 4, noncontig=True), make(4, 5, noncontig=True)), name="noncontig"),
        SampleInput((make(1, 1), make(1, 1)), name="1x1"),
        SampleInput((make(3, 0), make(0, 4)), name="K=0"),
        SampleInput((make(0, 3), make(3, 4)), name="M=0"),
        SampleInput((make(2, 0, 3), make(2, 3, 5)), name="batched-M=0"),
        SampleInput((make(17, 3), make(3, 1)), name="17x3x1"),
        SampleInput((make(1, 33), make(33, 17)), name="1x33x17"),
    ]


def _matmul_large_samples(make, dtype):
    return [
        SampleInput((make(17, 33, low=-1, high=1), make(33, 127, low=-1, high=1)), name="17x33x127"),
        SampleInput((make(127, 17, low=-1, high=1), make(17, 33, low=-1, high=1)), name="127x17x33"),
        SampleInput((make(33, 127, low=-1, high=1), make(127, 3, low=-1, high=1)), name="33x127x3"),
        SampleInput((make(3, 17, 33, low=-1, high=1), make(1, 33, 17, low=-1, high=1)), name="batched-odd"),
        SampleInput((make(127, low=-1, high=1), make(127, 33, low=-1, high=1)), name="vec@mat"),
    ]


def _transposed_samples(make, dtype):
    # operands are transposed by the op lambdas: (4, 3)^T @ (5, 4)^T etc.
    return [
        SampleInput((make(4, 3), make(5, 4)), name="2d"),
        SampleInput((make(2, 33, 17), make(2, 3, 33)), name="3d"),
        SampleInput((make(4, 3, noncontig=True), make(5, 4)), name="noncontig"),
    ]


def _err(fn, exc=RuntimeError, match=None):
    return ErrorInput(fn, exc, match)


_MATMUL_ERRORS = [
    _err(lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(4, 5)), RuntimeError,
         r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    _err(lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(3, 5, dtype=lib.float64)), RuntimeError,
         "expected m1 and m2 to have the same dtype, but got: float != double"),
    _err(lambda lib: lib.matmul(lib.ones(3), lib.ones(4)), RuntimeError, "inconsistent tensor size"),
    _err(lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(4)), RuntimeError, "size mismatch"),
    _err(lambda lib: lib.matmul(lib.ones(2, 2, 3), lib.ones(2, 4, 5)), RuntimeError,
         "Expected size for first two dimensions of batch2 tensor"),
    _err(lambda lib: lib.matmul(lib.ones(2, 2, 3), lib.ones(3, 3, 5)), RuntimeError, "must match the size"),
    _err(lambda lib: lib.matmul(lib.tensor(1.0), lib.ones(3)), RuntimeError, "at least 1D"),
    _err(lambda lib: lib.matmul(lib.ones(2, 3, dtype=lib.bool), lib.ones(3, 2, dtype=lib.bool)),
         NotImplementedError),
    _err(lambda lib: lib.matmul(lib.ones(2, 3), 3), TypeError),
    _err(lambda lib: lib.ones(2, 3) @ 3, TypeError),
]


OPS = [
    OpInfo("matmul", tl=lambda a, b: a.matmul(b), ref=lambda a, b: a.matmul(b), samples=_matmul_samples,
           error_inputs=_MATMUL_ERRORS),
    OpInfo("matmul_operator", tl=lambda a, b: a @ b, ref=lambda a, b: a @ b,
           samples=lambda make, dt: [(make(3, 4), make(4, 2)), (make(2, 3, 4), make(4))]),
    OpInfo("matmul_large", tl=lambda a, b: a @ b, ref=lambda a, b: a @ b, samples=_matmul_large_samples,
           atol=1e-4, rtol=1e-4, grad_atol=1e-3, grad_rtol=1e-4),
    OpInfo("matmul_transposed", tl=lambda a, b: _mT(a) @ _mT(b), ref=lambda a, b: _mT(a) @ _mT(b),
           samples=_transposed_samples, atol=1e-4, rtol=1e-4),
    OpInfo("matmul_int64", tl=lambda a, b: a @ b, ref=lambda a, b: a @ b, dtypes=("int64",), grad=False,
           samples=lambda make, dt: [(make(3, 4), make(4, 5)), (make(4), make(4)), (make(2, 3, 4), make(4, 2)),
                                     (make(17, 33, noncontig=True), make(33, 3)), (make(2, 0), make(0, 3))]),
    OpInfo("mm", tl=lambda a, b: a.mm(b), ref=lambda a, b: a.mm(b),
           samples=lambda make, dt: [(make(3, 4), make(4, 5)), (make(1, 3), make(3, 1)), (make(3, 0), make(0, 2)),
                                     (make(33, 17, noncontig=True), make(17, 3))],
           error_inputs=[_err(lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3)), RuntimeError, "mat2 must be a matrix"),
                         _err(lambda lib: lib.mm(lib.ones(2, 2, 3), lib.ones(3, 3)), RuntimeError),
                         _err(lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 3)), RuntimeError,
                              r"\(2x3 and 4x3\)")]),
    OpInfo("bmm", tl=lambda a, b: a.bmm(b), ref=lambda a, b: a.bmm(b),
           samples=lambda make, dt: [(make(2, 3, 4), make(2, 4, 5)), (make(3, 1, 17), make(3, 17, 1)),
                                     (make(2, 3, 0), make(2, 0, 2)), (make(0, 3, 2), make(0, 2, 2)),
                                     (make(2, 3, 4, noncontig=True), make(2, 4, 3, noncontig=True))],
           error_inputs=[_err(lambda lib: lib.bmm(lib.ones(2, 3), lib.ones(2, 3, 4)), RuntimeError, "3D"),
                         _err(lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(3, 3, 4)), RuntimeError,
                              r"\[2, 3\] but got: \[3, 3\]"),
                         _err(lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 3, 4, dtype=lib.float64)),
                              RuntimeError, "expected scalar type Float but found Double")]),
    OpInfo("mv", tl=lambda a, b: a.mv(b), ref=lambda a, b: a.mv(b),
           samples=lambda make, dt: [(make(3, 4), make(4)), (make(17, 33, noncontig=True), make(33)),
                                     (make(1, 1), make(1)), (make(3, 0), make(0))],
           error_inputs=[_err(lambda lib: lib.mv(lib.ones(2, 3), lib.ones(4)), RuntimeError, "size mismatch")]),
    OpInfo("dot", tl=lambda a, b: a.dot(b), ref=lambda a, b: a.dot(b),
           samples=lambda make, dt: [(make(5), make(5)), (make(33, noncontig=True), make(33)), (make(0), make(0))],
           error_inputs=[_err(lambda lib: lib.dot(lib.ones(3), lib.ones(3, dtype=lib.float64)), RuntimeError,
                              "dot : expected both vectors to have same dtype"),
                         _err(lambda lib: lib.dot(lib.ones(3, 1), lib.ones(3)), RuntimeError, "1D tensors expected"),
                         _err(lambda lib: lib.dot(lib.ones(3, dtype=lib.bool), lib.ones(3, dtype=lib.bool)),
                              NotImplementedError)]),
    OpInfo("dot_int64", tl=lambda a, b: a.dot(b), ref=lambda a, b: a.dot(b), dtypes=("int64",), grad=False,
           samples=lambda make, dt: [(make(7), make(7))]),
    OpInfo("outer", tl=lambda a, b: a.outer(b), ref=lambda a, b: a.outer(b),
           samples=lambda make, dt: [(make(3), make(4)), (make(1), make(17)), (make(0), make(2))],
           error_inputs=[_err(lambda lib: lib.outer(lib.ones(2, 1), lib.ones(3)), RuntimeError, "1-D")]),
    OpInfo("inner", tl=lambda a, b: a.inner(b), ref=lambda a, b: a.inner(b),
           samples=lambda make, dt: [(make(3), make(3)), (make(2, 3), make(4, 3)), (make(2, 2, 3), make(3))]),
    OpInfo("addmm", tl=lambda c, a, b, **kw: c.addmm(a, b, **kw), ref=lambda c, a, b, **kw: c.addmm(a, b, **kw),
           samples=lambda make, dt: [
               SampleInput((make(3, 5), make(3, 4), make(4, 5)), name="plain"),
               SampleInput((make(5), make(3, 4), make(4, 5)), {"beta": 0.5, "alpha": -2.0}, name="bias-row"),
               SampleInput((make(3, 1), make(3, 4, noncontig=True), make(4, 5)), {"beta": 2}, name="bias-col"),
               SampleInput((make(3, 5), make(3, 0), make(0, 5)), {"beta": 3.0}, name="K=0"),
               SampleInput((make(3, 5), make(3, 4), make(4, 5)), {"beta": 0}, name="beta=0"),
           ],
           error_inputs=[_err(lambda lib: lib.addmm(lib.ones(4), lib.ones(2, 3), lib.ones(3, 3)), RuntimeError,
                              "expanded size"),
                         _err(lambda lib: lib.addmm(lib.ones(3), lib.ones(2, 3, dtype=lib.float64), lib.ones(3, 3)),
                              RuntimeError, "same dtype")]),
    OpInfo("baddbmm", tl=lambda c, a, b, **kw: c.baddbmm(a, b, **kw),
           ref=lambda c, a, b, **kw: c.baddbmm(a, b, **kw),
           samples=lambda make, dt: [
               SampleInput((make(2, 3, 5), make(2, 3, 4), make(2, 4, 5)), name="plain"),
               SampleInput((make(5), make(2, 3, 4), make(2, 4, 5)), {"beta": 0.5, "alpha": 2.0}, name="bcast"),
           ]),
    OpInfo("linear", tl=lambda x, w, b=None: _tl_linear(x, w, b), ref=lambda x, w, b=None: TF.linear(x, w, b),
           samples=lambda make, dt: [
               SampleInput((make(4, 3), make(5, 3), make(5)), name="bias"),
               SampleInput((make(4, 3), make(5, 3)), name="no-bias"),
               SampleInput((make(2, 4, 3), make(5, 3), make(5)), name="3d-input"),
               SampleInput((make(3), make(5, 3), make(5)), name="1d-input"),
               SampleInput((make(4, 3, noncontig=True), make(5, 3, noncontig=True), make(5)), name="noncontig"),
               SampleInput((make(4, 3), make(5, 3), make(4, 5)), name="full-bias"),
               SampleInput((make(4, 3), make(3)), name="vector-weight"),
               SampleInput((make(3, 17, low=-1, high=1), make(33, 17, low=-1, high=1), make(33)), name="odd"),
           ],
           error_inputs=[_err(lambda lib: _lib_linear(lib)(lib.ones(2, 3), lib.ones(4, 5)), RuntimeError,
                              r"\(2x3 and 5x4\)"),
                         _err(lambda lib: _lib_linear(lib)(lib.ones(2, 3), lib.ones(4, 3), lib.ones(5)),
                              RuntimeError, "expanded size")]),
    OpInfo("einsum", tl=lambda eq, *xs: _lib_einsum(xs[0])(eq, *xs), ref=lambda eq, *xs: _lib_einsum(xs[0])(eq, *xs),
           samples=lambda make, dt: [
               SampleInput(("ij,jk->ik", make(3, 4), make(4, 5)), name="mm"),
               SampleInput(("bij,bjk->bik", make(2, 3, 4), make(2, 4, 5)), name="bmm"),
               SampleInput(("ij,jk", make(3, 4), make(4, 5)), name="implicit"),
               SampleInput(("i,j->ij", make(3), make(4)), name="outer"),
               SampleInput(("ij->ji", make(3, 4)), name="transpose"),
               SampleInput(("ij->", make(3, 4)), name="sum-all"),
               SampleInput(("ii->i", make(3, 3)), name="diag"),
               SampleInput(("ii", make(3, 3)), name="trace"),
               SampleInput(("...ij,...jk->...ik", make(2, 3, 4), make(4, 5)), name="ellipsis-bcast"),
               SampleInput(("b...d,bd->b...", make(2, 3, 4), make(2, 4)), name="ellipsis-mid"),
               SampleInput(("bhqd,bhkd->bhqk", make(2, 2, 3, 4), make(2, 2, 5, 4)), name="attention"),
               SampleInput(("ij,ij->i", make(3, 4), make(3, 4)), name="rowdot"),
               SampleInput(("ijk,jl->il", make(2, 3, 4), make(3, 5)), name="sum-one-side"),
               SampleInput(("ij,jk,kl->il", make(2, 3), make(3, 4), make(4, 2)), name="three"),
           ]),
]


def _lib_linear(lib):
    if lib.__name__ == "torch":
        return TF.linear
    return lib.ops.linalg.linear


def _tl_linear(x, w, b=None):
    import tensorlite
    return tensorlite.ops.linalg.linear(x, w, b)


def _lib_einsum(x):
    import torch
    if isinstance(x, torch.Tensor):
        return torch.einsum
    import tensorlite
    return tensorlite.einsum
