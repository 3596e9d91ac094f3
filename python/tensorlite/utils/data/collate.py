"""default_collate / default_convert (torch.utils.data._utils.collate): turn a list of samples into a
batch. Tensors are stacked (one tensorlite.stack), numpy arrays and Python/numpy numbers become tensors
with torch's dtypes (float -> float64, int -> int64, bool -> bool), strings stay a list, and
mappings, namedtuples and sequences are collated field by field.

`_BatchedSamples` is what a dataset's batched `__getitems__` (TensorDataset) answers: the fields already
gathered for the whole batch. It reads as a sequence of per-sample tuples, so any collate_fn works on
it, and default_collate returns its fields as they are (the same values and dtypes the per-sample
path would stack)."""
from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Sequence

import numpy as np

from ... import _dtype as D
from ...tensor import Tensor

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

_np_str_obj = re.compile(r"[SaUO]")
default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")


class _BatchedSamples(Sequence):
    """A batch gathered field by field: fields[k] holds field k of every sample along dim 0."""

    __slots__ = ("fields",)

    def __init__(self, fields):
        self.fields = fields

    def __len__(self):
        return self.fields[0].shape[0] if self.fields else 0

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return tuple(f[i] for f in self.fields)

    def __repr__(self):
        return repr(list(self))


def _as_tensor(x):
    from ...ops.creation import as_tensor
    return as_tensor(x)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    from ...ops.shape import stack
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _np_str_obj.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([_as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    # numpy scalars keep their dtype (np.float32 -> float32), as torch.as_tensor of them does
    return _as_tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    from ...ops.creation import tensor
    return tensor(list(batch), dtype=D.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    from ...ops.creation import tensor
    return tensor(list(batch))  # int64, or bool when every element is a bool


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {Tensor: collate_tensor_fn, np.ndarray: collate_numpy_array_fn,
                          (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
                          float: collate_float_fn, int: collate_int_fn, str: collate_str_fn,
                          bytes: collate_str_fn}


def collate(batch, *, collate_fn_map=None):
    """torch's general collate: the element type picks a function from collate_fn_map (exact type first,
    then the first key it is an instance of); containers are collated per field."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for key in collate_fn_map:
            if isinstance(elem, key):
                return collate_fn_map[key](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                out = copy.copy(elem)
                out.update({k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem})
                return out
            return elem_type({k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem})
        except TypeError:
            return {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]  # a list, as torch
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                out = copy.copy(elem)
                for i, s in enumerate(transposed):
                    out[i] = collate(s, collate_fn_map=collate_fn_map)
                return out
            return elem_type([collate(s, collate_fn_map=collate_fn_map) for s in transposed])
        except TypeError:
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_collate(batch):
    """torch.utils.data.default_collate: a list of samples -> a batch with a new leading dimension."""
    if isinstance(batch, _BatchedSamples):
        return list(batch.fields)
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """Converts numpy arrays/scalars (inside containers too) to tensors and leaves everything else: the
    collate_fn of a DataLoader with batch_size=None."""
    if isinstance(data, Tensor):
        return data
    t = type(data)
    if t.__module__ == "numpy" and t.__name__ not in ("str_", "string_", "bytes_"):
        if t.__name__ == "ndarray" and _np_str_obj.search(data.dtype.str) is not None:
            return data
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                out = copy.copy(data)
                out.update({k: default_convert(data[k]) for k in data})
                return out
            return t({k: default_convert(data[k]) for k in data})
        except TypeError:
            return {k: default_convert(data[k]) for k in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return t(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                out = copy.copy(data)
                for i, d in enumerate(data):
                    out[i] = default_convert(d)
                return out
            return t([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
