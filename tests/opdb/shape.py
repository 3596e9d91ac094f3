"""Shape ops that move data: cat, stack, split, chunk, unbind, flip, repeat, tile."""
import torch

import tensorlite as tl
from op_db import ErrorInput, OpInfo, SampleInput


def _cat_samples(make, dtype):
    return [
        SampleInput(([make(2, 3), make(4, 3)],), name="dim0"),
        SampleInput(([make(2, 3), make(2, 1, noncontig=True), make(2, 0)], 1), name="dim1-nc-empty"),
        SampleInput(([make(2, 3), make(0)], -2), name="skip-1d-empty"),
        SampleInput(([make(2, 3), make(2, 3, dtype="int64")], 1), name="promote"),
        SampleInput(([make(3)],), name="single"),
    ]


def _seq(out):
    return tuple(out)


OPS = [
    OpInfo("cat", tl=lambda ts, *a: tl.cat(ts, *a), ref=lambda ts, *a: torch.cat(ts, *a),
           samples=_cat_samples,
           error_inputs=[ErrorInput(lambda lib: lib.cat([]), ValueError),
                         ErrorInput(lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(2, 4)]), RuntimeError,
                                    "Sizes of tensors must match"),
                         ErrorInput(lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3)]), RuntimeError),
                         ErrorInput(lambda lib: lib.cat([lib.tensor(1.0)]), RuntimeError),
                         ErrorInput(lambda lib: lib.cat([lib.zeros(2)], 1), IndexError),
                         ErrorInput(lambda lib: lib.cat(lib.zeros(2)), TypeError)]),
    OpInfo("cat_promote_float", tl=lambda a, b: tl.cat([a, b.double()], 1),
           ref=lambda a, b: torch.cat([a, b.double()], 1), dtypes=("float32",),
           samples=lambda make, dt: [SampleInput((make(2, 2), make(2, 3)))]),
    OpInfo("stack", tl=lambda ts, *a: tl.stack(ts, *a),
           ref=lambda ts, *a: torch.stack(ts, *a),
           samples=lambda make, dt: [SampleInput(([make(2, 3), make(2, 3, noncontig=True)],), name="dim0"),
                                     SampleInput(([make(2, 3), make(2, 3), make(2, 3)], -1), name="last"),
                                     SampleInput(([make(), make()],), name="0d")],
           error_inputs=[ErrorInput(lambda lib: lib.stack([lib.zeros(2, 3), lib.zeros(1, 3)]), RuntimeError),
                         ErrorInput(lambda lib: lib.stack([lib.zeros(2)], 2), IndexError)]),
    OpInfo("hstack", tl=lambda ts: tl.hstack(ts), ref=lambda ts: torch.hstack(ts),
           samples=lambda make, dt: [SampleInput(([make(2, 3), make(2, 1)],)), SampleInput(([make(2), make(3)],))]),
    OpInfo("vstack", tl=lambda ts: tl.vstack(ts), ref=lambda ts: torch.vstack(ts),
           samples=lambda make, dt: [SampleInput(([make(2, 3), make(1, 3)],)), SampleInput(([make(3), make(3)],))]),
    OpInfo("split", tl=lambda x, s, *a: _seq(x.split(s, *a)), ref=lambda x, s, *a: _seq(x.split(s, *a)),
           samples=lambda make, dt: [SampleInput((make(5, 3), 2), name="int"),
                                     SampleInput((make(3, 6, noncontig=True), [1, 0, 5], 1), name="sizes"),
                                     SampleInput((make(4, 2), 4), name="whole")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(5).split([2, 2]), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(5).split(2, 1), IndexError)]),
    OpInfo("chunk", tl=lambda x, c, *a: _seq(x.chunk(c, *a)), ref=lambda x, c, *a: _seq(x.chunk(c, *a)),
           samples=lambda make, dt: [SampleInput((make(5, 3), 3), name="uneven"),
                                     SampleInput((make(6, 4), 4, 0), name="fewer"),
                                     SampleInput((make(2, 6, noncontig=True), 2, -1), name="nc")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(5).chunk(0), RuntimeError)]),
    OpInfo("unbind", tl=lambda x, *a: x.unbind(*a), ref=lambda x, *a: x.unbind(*a),
           samples=lambda make, dt: [SampleInput((make(3, 2),)), SampleInput((make(2, 4, noncontig=True), 1))],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2).unbind(1), IndexError)]),
    OpInfo("flip", tl=lambda x, d: x.flip(d), ref=lambda x, d: x.flip(d),
           samples=lambda make, dt: [SampleInput((make(3, 4), [0]), name="dim0"),
                                     SampleInput((make(2, 3, 4, noncontig=True), [0, -1]), name="nc-two"),
                                     SampleInput((make(2, 3), []), name="none"),
                                     SampleInput((make(), [0]), name="0d"),
                                     SampleInput((make(0, 3), [1]), name="empty")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).flip([0, 0]), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2, 3).flip([2]), IndexError)]),
    OpInfo("flip_int", tl=lambda x: x.flip(0, 1), ref=lambda x: x.flip(0, 1), dtypes=("int64", "bool"), grad=False,
           samples=lambda make, dt: [SampleInput((make(3, 4),))]),
    OpInfo("fliplr", tl=lambda x: x.fliplr(), ref=lambda x: x.fliplr(),
           samples=lambda make, dt: [SampleInput((make(3, 4),))],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(3).fliplr(), RuntimeError)]),
    OpInfo("flipud", tl=lambda x: x.flipud(), ref=lambda x: x.flipud(),
           samples=lambda make, dt: [SampleInput((make(3, 4),))]),
    OpInfo("repeat", tl=lambda x, *r: x.repeat(*r), ref=lambda x, *r: x.repeat(*r),
           samples=lambda make, dt: [SampleInput((make(2, 3), 2, 1), name="rows"),
                                     SampleInput((make(2, 3, noncontig=True), 3, 2, 2), name="new-dim"),
                                     SampleInput((make(3), 0), name="zero"),
                                     SampleInput((make(), 2), name="0d")],
           error_inputs=[ErrorInput(lambda lib: lib.zeros(2, 3).repeat(2), RuntimeError),
                         ErrorInput(lambda lib: lib.zeros(2).repeat(-1), RuntimeError)]),
    OpInfo("repeat_int", tl=lambda x: x.repeat(2, 2), ref=lambda x: x.repeat(2, 2), dtypes=("int64",), grad=False,
           samples=lambda make, dt: [SampleInput((make(2, 3),))]),
    OpInfo("tile", tl=lambda x, r: x.tile(r), ref=lambda x, r: x.tile(r),
           samples=lambda make, dt: [SampleInput((make(2, 3), (2,))), SampleInput((make(3), (2, 2)))]),
]
