"""tensorlite.save / tensorlite.load: checkpoints in a format that cannot run code when loaded.

A checkpoint is a zip archive (stored, not compressed; fixed timestamps, so equal objects give equal
bytes) holding
  manifest.json      {"format": "tensorlite", "version": 1, "tensors": [...], "root": <node>}
  tensors/<i>.npy    one numpy .npy file per distinct Tensor object (read with allow_pickle=False)
The manifest lists each tensor's file, dtype, shape, device and requires_grad, and `root` encodes the
saved object as JSON nodes: null/true/false/ints/strings as themselves, everything else tagged:
{"t": "float", "hex": float.hex()} (exact: -0.0, inf, nan), {"t": "tensor", "id": i},
{"t": "list"|"tuple"|"size", "items": [...]}, {"t": "dict"|"odict"|"counter", "items": [[key, value], ...]} (keys are
nodes too, so int and str keys stay distinct), {"t": "dtype", "name": ...}, {"t": "device", "name": ...}.

Sharing: the same Tensor object saved twice (tied weights) is stored once and loads as one object.
Different tensors that are views of one memory are stored as separate arrays and load as
independent tensors (torch would keep them sharing a storage). Tensors load as plain tensors with
their requires_grad flag: an nn.Parameter comes back as a Tensor, as state_dict values are.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter, OrderedDict

import numpy as np

from . import _C
from . import _dtype as D
from .tensor import Tensor, Size, _host

__all__ = ["save", "load"]

_FORMAT = "tensorlite"
_VERSION = 1
_MANIFEST = "manifest.json"
_STAMP = (1980, 1, 1, 0, 0, 0)


def _name(f):
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return getattr(f, "name", None) or repr(f)


# -- save --------------------------------------------------------------------------------------------------
class _Saver:
    def __init__(self):
        self.tensors = []
        self.meta = []
        self.ids = {}  # id(Tensor) -> index: one entry per Tensor object

    def encode(self, obj):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return {"t": "float", "hex": float(obj).hex()}
        if isinstance(obj, Tensor):
            i = self.ids.get(id(obj))
            if i is None:
                i = self.ids[id(obj)] = len(self.tensors)
                self.tensors.append(obj)
                dev = obj.device
                self.meta.append({"file": f"tensors/{i}.npy", "dtype": obj.dtype.name, "shape": list(obj.shape),
                                  "device": _location(dev), "requires_grad": bool(obj.requires_grad)})
            return {"t": "tensor", "id": i}
        if isinstance(obj, Size):
            return {"t": "size", "items": [int(s) for s in obj]}
        if isinstance(obj, D.dtype):
            return {"t": "dtype", "name": obj.name}
        if isinstance(obj, D.device):
            return {"t": "device", "name": str(obj)}
        if isinstance(obj, (np.integer, np.bool_)):
            return self.encode(obj.item())
        if isinstance(obj, np.floating):
            return self.encode(float(obj))
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return {"t": "tuple", "items": [self.encode(v) for v in obj]}
        if type(obj) is list:
            return {"t": "list", "items": [self.encode(v) for v in obj]}
        if type(obj) is Counter:  # MultiStepLR's milestones
            return {"t": "counter", "items": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if type(obj) in (dict, OrderedDict):
            return {"t": "odict" if isinstance(obj, OrderedDict) else "dict",
                    "items": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        raise TypeError(f"tensorlite.save: cannot save an object of type {type(obj).__name__}; the safe format "
                        "holds tensors, dicts (incl. OrderedDict), lists, tuples, ints, floats, bools, None, "
                        "strings, dtypes and devices (save model.state_dict(), not the model)")


def _location(dev):
    dev = D.device(dev) if not isinstance(dev, D.device) else dev
    if dev.type == "cuda":
        return f"cuda:{dev.index or 0}"  # torch's storage location tag
    return "cpu"


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves obj (tensors in nested dicts/lists/tuples with plain Python values) to a path or a binary
    file object. pickle_module/pickle_protocol are accepted for torch's signature and unused: nothing is
    pickled."""
    s = _Saver()
    manifest = {"format": _FORMAT, "version": _VERSION, "root": s.encode(obj), "tensors": s.meta}
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _write(fh, manifest, s.tensors)
    else:
        _write(f, manifest, s.tensors)


def _write(fh, manifest, tensors):
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo(_MANIFEST, _STAMP), json.dumps(manifest, separators=(",", ":")))
        for t, m in zip(tensors, manifest["tensors"]):
            buf = io.BytesIO()
            np.save(buf, np.asarray(_host(t._t).numpy(), order="C"), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(m["file"], _STAMP), buf.getbuffer())


# -- load --------------------------------------------------------------------------------------------------
class _Loader:
    def __init__(self, z, name, map_location):
        self.z = z
        self.name = name
        self.map_location = map_location
        self.cache = {}

    def bad(self, what):
        return RuntimeError(f"tensorlite.load: {self.name} is corrupt or was tampered with: {what}")

    def decode(self, node):
        if node is None or isinstance(node, (bool, str)):
            return node
        if isinstance(node, int):
            return node
        if not isinstance(node, dict) or "t" not in node:
            raise self.bad(f"unexpected manifest node {str(node)[:80]!r}")
        tag = node["t"]
        try:
            if tag == "float":
                return float.fromhex(node["hex"])
            if tag == "tensor":
                return self.tensor(node["id"])
            if tag in ("list", "tuple", "size"):
                items = [self.decode(v) for v in node["items"]]
                return items if tag == "list" else tuple(items) if tag == "tuple" else Size(items)
            if tag in ("dict", "odict", "counter"):
                out = OrderedDict() if tag == "odict" else Counter() if tag == "counter" else {}
                for k, v in node["items"]:
                    out[self.decode(k)] = self.decode(v)
                return out
            if tag == "dtype":
                return D._BY_NAME[node["name"]]
            if tag == "device":
                return D.device(node["name"])
        except (KeyError, TypeError, ValueError) as e:
            raise self.bad(f"malformed {tag!r} node ({type(e).__name__}: {e})") from None
        raise self.bad(f"unknown node type {tag!r}")

    def tensor(self, i):
        if i in self.cache:
            return self.cache[i]
        metas = self.metas
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(metas):
            raise self.bad(f"tensor id {i!r} is not in the tensor table ({len(metas)} entries)")
        m = metas[i]
        try:
            fname, dtype, shape = m["file"], D._BY_NAME[m["dtype"]], tuple(m["shape"])
            location, requires_grad = m["device"], bool(m["requires_grad"])
        except (KeyError, TypeError) as e:
            raise self.bad(f"tensor entry {i} is malformed ({type(e).__name__}: {e})") from None
        try:
            raw = self.z.read(fname)
        except KeyError:
            raise self.bad(f"missing tensor file {fname!r}") from None
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise self.bad(f"cannot read {fname!r} ({e})") from None
        try:
            arr = np.load(io.BytesIO(raw), allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise self.bad(f"{fname!r} is not a valid .npy array ({e})") from None
        if not isinstance(arr, np.ndarray):  # an .npz archive: np.load answers an NpzFile
            arr.close()
            raise self.bad(f"{fname!r} is not a valid .npy array (it is an .npz archive)")
        if arr.dtype != dtype._np or arr.shape != shape:
            raise self.bad(f"{fname!r} holds {arr.dtype}{list(arr.shape)} but the manifest says "
                           f"{dtype.name}{list(shape)}")
        t = self.restore(np.asarray(arr, order="C"), location)
        if requires_grad and t.dtype.is_floating_point:
            t.requires_grad_(True)
        self.cache[i] = t
        return t

    def restore(self, arr, location):
        from .ops.creation import from_numpy
        ml = self.map_location
        cpu = from_numpy(arr)
        if callable(ml) and not isinstance(ml, (str, D.device, dict)):
            out = ml(cpu, location)
            if out is not None:
                if not isinstance(out, Tensor):
                    raise RuntimeError(f"tensorlite.load: map_location returned {type(out).__name__}, expected a "
                                       "Tensor or None")
                return out
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        elif ml is None:
            target = location
        else:
            target = ml
        dev = D.device(target) if not isinstance(target, D.device) else target
        if dev.type == "cuda":
            from . import cuda
            if not cuda.is_available():
                raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                                   "is False. If you are running on a CPU-only machine, please use torch.load with "
                                   "map_location=torch.device('cpu') to map your storages to the CPU.")
            n = cuda.device_count()
            if (dev.index or 0) >= n:
                raise RuntimeError(f"Attempting to deserialize object on CUDA device {dev.index} but "
                                   f"torch.cuda.device_count() is {n}. Please use torch.load with map_location to "
                                   "map your storages to an existing device.")
            return cpu.to(dev)
        return cpu


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads what save() wrote. Never unpickles and never runs code, whatever weights_only says.
    map_location: None (the saved devices), a device or string, a dict {saved location: new location}
    ('cpu', 'cuda:0', ...), or a callable (tensor_on_cpu, saved_location) -> Tensor or None."""
    name = _name(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load(fh, name, map_location)
    return _load(f, name, map_location)


def _load(fh, name, map_location):
    head = fh.read(4) if hasattr(fh, "read") else b""
    try:
        fh.seek(-len(head), os.SEEK_CUR)
    except (OSError, AttributeError, io.UnsupportedOperation):
        fh = io.BytesIO(head + fh.read())
    if head[:1] == b"\x80":
        raise RuntimeError(f"tensorlite.load: {name} is a pickle file (e.g. a legacy torch.save); tensorlite.load "
                           "never unpickles, since unpickling can run arbitrary code")
    try:
        z = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise RuntimeError(f"tensorlite.load: {name} is not a tensorlite checkpoint or is truncated "
                           f"(not a readable zip archive: {e})") from None
    with z:
        names = set(z.namelist())
        if _MANIFEST not in names:
            if any(n.endswith("data.pkl") for n in names):
                raise RuntimeError(f"tensorlite.load: {name} is a PyTorch checkpoint (pickle-based); tensorlite.load "
                                   "never unpickles. Load it with torch, convert the tensors through numpy and "
                                   "save them with tensorlite.save")
            raise RuntimeError(f"tensorlite.load: {name} is not a tensorlite checkpoint, or is corrupt (no {_MANIFEST})")
        try:
            manifest = json.loads(z.read(_MANIFEST).decode("utf-8"))
        except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError, RecursionError) as e:
            raise RuntimeError(f"tensorlite.load: {name} is corrupt or was tampered with: unreadable {_MANIFEST} "
                               f"({e})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
            raise RuntimeError(f"tensorlite.load: {name} is corrupt or was tampered with: {_MANIFEST} is not a "
                               "tensorlite manifest")
        version = manifest.get("version")
        if version != _VERSION:
            raise RuntimeError(f"tensorlite.load: {name} has checkpoint format version {version!r}, but this "
                               f"tensorlite reads version {_VERSION}")
        ld = _Loader(z, name, map_location)
        ld.metas = manifest.get("tensors")
        if not isinstance(ld.metas, list) or "root" not in manifest:
            raise ld.bad(f"{_MANIFEST} lacks its tensor table or root")
        try:
            return ld.decode(manifest["root"])
        except RecursionError:
            raise ld.bad(f"{_MANIFEST} is nested too deeply") from None
