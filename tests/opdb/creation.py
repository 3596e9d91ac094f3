"""Creation functions that take tensors (the *_like family): forward parity; the rest is in test_creation.py."""
from op_db import OpInfo, SampleInput


def _s(*args, **kw):
    return SampleInput(args, kw)


OPS = [
    OpInfo("zeros_like", tl=lambda x: __import__("tensorlite").zeros_like(x),
           ref=lambda x: __import__("torch").zeros_like(x), grad=False,
           dtypes=("float32", "float64", "int64", "bool"), samples=lambda make, dt: [_s(make(2, 3)), _s(make())]),
    OpInfo("ones_like", tl=lambda x: __import__("tensorlite").ones_like(x), ref=lambda x: __import__("torch").ones_like(x),
           grad=False, dtypes=("float32", "int64", "bool"), samples=lambda make, dt: [_s(make(2, 3)), _s(make(0))]),
    OpInfo("full_like", tl=lambda x: __import__("tensorlite").full_like(x, 7),
           ref=lambda x: __import__("torch").full_like(x, 7), grad=False, dtypes=("float32", "int64"),
           samples=lambda make, dt: [_s(make(2, 3, noncontig=True))]),
]
