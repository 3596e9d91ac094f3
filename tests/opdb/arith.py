"""Core arithmetic (the lead's part of the elementwise family; the rest lives in opdb/elementwise.py)."""
from op_db import OpInfo, SampleInput, ErrorInput


def _binary_samples(make, dtype):
    return [
        SampleInput((make(3, 4), make(3, 4)), name="same"),
        SampleInput((make(3, 4), make(4)), name="broadcast"),
        SampleInput((make(2, 1, 3), make(4, 1)), name="both"),
        SampleInput((make(3, 4, noncontig=True), make(3, 4)), name="noncontig"),
        SampleInput((make(0, 3), make(3)), name="empty"),
        SampleInput((make(), make(2, 3)), name="scalar-tensor"),
        SampleInput((make(2, 3), 2.5), name="python-float"),
        SampleInput((make(2, 3), make(2, 3, dtype="int64")), name="int-promote"),
    ]


def _div_samples(make, dtype):
    return [
        SampleInput((make(3, 4), make(3, 4, low=0.5, high=2.0)), name="same"),
        SampleInput((make(3, 4), make(4, low=0.5, high=2.0)), name="broadcast"),
        SampleInput((make(2, 3), 2.5), name="python-float"),
        SampleInput((make(2, 3, noncontig=True), make(1, 3, low=1.0, high=3.0)), name="noncontig"),
    ]


OPS = [
    OpInfo("add", tl=lambda a, b: a + b, ref=lambda a, b: a + b, samples=_binary_samples,
           error_inputs=[ErrorInput(lambda lib: lib.ones(2, 3) + lib.ones(4), RuntimeError, "must match")]),
    OpInfo("add_alpha", tl=lambda a, b: a.add(b, alpha=-2), ref=lambda a, b: a.add(b, alpha=-2),
           samples=_binary_samples),
    OpInfo("sub", tl=lambda a, b: a - b, ref=lambda a, b: a - b, samples=_binary_samples,
           error_inputs=[ErrorInput(lambda lib: lib.tensor([True]) - lib.tensor([False]), RuntimeError)]),
    OpInfo("rsub", tl=lambda a: 3.0 - a, ref=lambda a: 3.0 - a, samples=lambda make, dt: [(make(2, 3),)]),
    OpInfo("mul", tl=lambda a, b: a * b, ref=lambda a, b: a * b, samples=_binary_samples),
    OpInfo("div", tl=lambda a, b: a / b, ref=lambda a, b: a / b, samples=_div_samples),
    OpInfo("rdiv", tl=lambda a: 2.0 / a, ref=lambda a: 2.0 / a,
           samples=lambda make, dt: [(make(2, 3, low=0.5, high=2),)]),
    OpInfo("div_int", tl=lambda a, b: a / b, ref=lambda a, b: a / b, dtypes=("int64",), grad=False,
           samples=lambda make, dt: [(make(3, 4), make(3, 4, low=1, high=5))]),
    OpInfo("neg", tl=lambda a: -a, ref=lambda a: -a, samples=lambda make, dt: [(make(3, 4),), (make(),)],
           error_inputs=[ErrorInput(lambda lib: -lib.tensor([True]), RuntimeError)]),
    OpInfo("exp", tl=lambda a: a.exp(), ref=lambda a: a.exp(),
           samples=lambda make, dt: [(make(3, 4),), (make(2, 3, noncontig=True),), (make(0),), (make(),)]),
]
