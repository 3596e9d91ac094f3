"""tensorlite.save / tensorlite.load: exact round trips of tensors and the containers around them
(state_dicts, optimizer states with int keys), map_location, and the safety of the format: corrupt,
truncated, tampered and pickle files raise clear RuntimeErrors naming the file, and nothing is unpickled."""
import io
import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tensorlite as tl


def _roundtrip(obj, **kw):
    buf = io.BytesIO()
    tl.save(obj, buf)
    buf.seek(0)
    return tl.load(buf, **kw)


def _bits(t):
    a = t.numpy()
    return a.dtype, a.shape, a.tobytes()


def _tensors():
    nan_payload = np.array([0x7FC00001, 0xFFC0BEEF], dtype=np.uint32).view(np.float32)
    return {
        "f32": tl.from_numpy(np.array([-0.0, 0.0, np.inf, -np.inf, 1e-45, 3.4e38], np.float32)),
        "nan": tl.from_numpy(nan_payload.copy()),
        "f64": tl.from_numpy(np.array([[np.pi, -0.0], [5e-324, np.nan]], np.float64)),
        "i64": tl.tensor([-2 ** 63, 2 ** 63 - 1, 0]),
        "i32": tl.tensor([1, -2], dtype=tl.int32),
        "u8": tl.tensor([0, 255], dtype=tl.uint8),
        "bool": tl.tensor([[True, False]]),
        "zero_d": tl.tensor(2.5),
        "zero_d_int": tl.tensor(7),
        "empty": tl.zeros(0, 3),
        "empty_i": tl.zeros(2, 0, dtype=tl.int64),
        "view": tl.arange(12.).reshape(3, 4).t()[1:],  # non-contiguous
    }


def test_tensor_round_trips_are_bitwise():
    src = _tensors()
    got = _roundtrip(src)
    assert list(got) == list(src) and type(got) is dict
    for k, t in src.items():
        assert got[k].dtype == t.dtype and tuple(got[k].shape) == tuple(t.shape), k
        assert _bits(got[k]) == _bits(t.contiguous()), k
        assert got[k].device == t.device and not got[k].requires_grad


def test_python_values_and_containers():
    obj = {"epoch": 3, "big": 2 ** 70, "neg": -1, "lr": 0.1, "negzero": -0.0, "inf": float("inf"), "flag": True,
           "none": None, "name": "run/1 é", 5: "int key", "5": "str key", (1, 2): "tuple key", 2.5: "float key",
           "nested": [1, (2, [3.0, {"x": (None,)}]), ()], "od": OrderedDict([("b", 1), ("a", 2)]),
           "size": tl.zeros(2, 3).shape, "dtype": tl.float64, "device": tl.device("cpu"), "empty": {}, "t": (),
           "np": np.float32(1.5)}
    got = _roundtrip(obj)
    assert got[5] == "int key" and got["5"] == "str key" and got[(1, 2)] == "tuple key" and got[2.5] == "float key"
    assert type(got["nested"]) is list and type(got["nested"][1]) is tuple and type(got["nested"][1][1]) is list
    assert type(got["od"]) is OrderedDict and list(got["od"]) == ["b", "a"]
    assert type(got["size"]) is tl.Size and got["size"] == (2, 3)
    assert got["dtype"] is tl.float64 and got["device"] == tl.device("cpu")
    assert str(got["negzero"]) == "-0.0" and got["inf"] == float("inf") and got["big"] == 2 ** 70
    assert got["flag"] is True and type(got["epoch"]) is int and got["np"] == 1.5
    obj["np"] = 1.5
    assert got == obj
    assert np.isnan(_roundtrip(float("nan")))
    assert _roundtrip(None) is None and _roundtrip([]) == []


def test_optimizer_state_and_sharing():
    w = tl.randn(3, 2, requires_grad=True)
    state = {"state": {0: {"step": tl.tensor(4.0), "exp_avg": tl.zeros(3, 2)}, 1: {"momentum_buffer": None}},
             "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": False}]}
    ck = {"model": OrderedDict(w=w, tied=w), "optim": state, "epoch": 7}
    got = _roundtrip(ck)
    assert set(got["optim"]["state"]) == {0, 1}
    assert got["optim"]["param_groups"] == state["param_groups"]
    assert got["model"]["w"] is got["model"]["tied"]  # one object saved once stays one object
    assert got["model"]["w"].requires_grad and got["model"]["w"].is_leaf and type(got["model"]["w"]) is tl.Tensor
    np.testing.assert_array_equal(got["model"]["w"].detach().numpy(), w.detach().numpy())


def test_torch_state_dict_through_numpy(tmp_path):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    net(torch.randn(5, 4))  # running stats and num_batches_tracked move
    sd = OrderedDict((k, tl.from_numpy(v.detach().numpy().copy())) for k, v in net.state_dict().items())
    path = tmp_path / "model.tl"
    tl.save(sd, path)
    got = tl.load(str(path))
    assert type(got) is OrderedDict and list(got) == list(net.state_dict())
    for k, v in net.state_dict().items():
        assert got[k].dtype.name == str(v.dtype).split(".")[-1]
        np.testing.assert_array_equal(got[k].numpy(), v.numpy())
    assert got["1.num_batches_tracked"].dtype == tl.int64 and got["1.num_batches_tracked"].item() == 1


def test_paths_and_file_objects(tmp_path):
    t = tl.arange(5)
    tl.save(t, tmp_path / "a.tl")            # PathLike
    tl.save(t, str(tmp_path / "b.tl"))       # str
    with open(tmp_path / "c.tl", "wb") as fh:
        tl.save(t, fh)
    with open(tmp_path / "c.tl", "rb") as fh:
        assert tl.load(fh).tolist() == [0, 1, 2, 3, 4]
    assert tl.load(tmp_path / "a.tl").tolist() == tl.load(str(tmp_path / "b.tl")).tolist() == [0, 1, 2, 3, 4]
    # deterministic bytes: the same object saves to the same file
    assert (tmp_path / "a.tl").read_bytes() == (tmp_path / "b.tl").read_bytes()
    with pytest.raises(FileNotFoundError):
        tl.load(tmp_path / "missing.tl")


def test_map_location_forms(monkeypatch):
    buf = io.BytesIO()
    tl.save({"a": tl.ones(2)}, buf)
    raw = buf.getvalue()
    for ml in (None, "cpu", tl.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage,
               lambda storage, loc: None):
        got = tl.load(io.BytesIO(raw), map_location=ml)
        assert got["a"].device == tl.device("cpu") and got["a"].tolist() == [1.0, 1.0]
    seen = []
    tl.load(io.BytesIO(raw), map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cpu"]
    # a checkpoint made on a GPU: map it to the CPU, or get torch's error where no GPU exists
    cuda_ck = _tamper(raw, lambda m: m["tensors"][0].update(device="cuda:0"))
    got = tl.load(io.BytesIO(cuda_ck), map_location="cpu")
    assert got["a"].device == tl.device("cpu")
    got = tl.load(io.BytesIO(cuda_ck), map_location={"cuda:0": "cpu"})
    assert got["a"].device == tl.device("cpu")
    if not tl.cuda.is_available():
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device but "
                                               r"torch.cuda.is_available\(\) is False"):
            tl.load(io.BytesIO(cuda_ck))
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            tl.load(io.BytesIO(raw), map_location="cuda")


@pytest.mark.skipif(not tl.cuda.is_available(), reason="needs a GPU")
def test_cuda_round_trip():
    t = tl.arange(4.).to("cuda")
    got = _roundtrip(t)
    assert got.device.type == "cuda" and got.cpu().tolist() == [0.0, 1.0, 2.0, 3.0]
    assert _roundtrip(t, map_location="cpu").device == tl.device("cpu")


# -- safety ------------------------------------------------------------------------------------------------
def _tamper(raw, edit_manifest=None, edit_files=None):
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json" and edit_manifest is not None:
                m = json.loads(data)
                edit_manifest(m)
                data = json.dumps(m).encode()
            if edit_files is not None:
                data = edit_files(name, data)
            if data is not None:
                z.writestr(name, data)
    return out.getvalue()


def _good():
    buf = io.BytesIO()
    tl.save({"w": tl.ones(2, 3), "step": 1}, buf)
    return buf.getvalue()


class _Named(io.BytesIO):
    name = "ckpt.tl"


def _load_error(raw):
    with pytest.raises(RuntimeError) as e:
        tl.load(_Named(raw))
    assert "ckpt.tl" in str(e.value)
    return str(e.value)


def test_truncated_and_corrupt_files(tmp_path):
    raw = _good()
    for cut in (10, len(raw) // 2, len(raw) - 5):
        assert "truncated" in _load_error(raw[:cut]) or "corrupt" in _load_error(raw[:cut])
    assert "not a readable zip archive" in _load_error(b"definitely not a zip file")
    assert "not a readable zip archive" in _load_error(b"")
    flipped = bytearray(raw)
    pos = raw.index(b"\x93NUMPY") + 130  # inside the tensor's data: the CRC check catches it
    flipped[pos] ^= 0xFF
    assert "corrupt" in _load_error(bytes(flipped)) and "CRC" in _load_error(bytes(flipped))
    central = bytearray(raw)
    pos = raw.rindex(b"manifest.json")  # the central directory's name of the manifest
    central[pos] ^= 0xFF
    assert "corrupt" in _load_error(bytes(central))
    path = tmp_path / "cut.tl"
    path.write_bytes(raw[:40])
    with pytest.raises(RuntimeError, match=str(path)):
        tl.load(path)


@pytest.mark.parametrize("edit,msg", [
    (lambda m: m.update(version=2), "format version 2, but this tensorlite reads version 1"),
    (lambda m: m.pop("version"), "format version None"),
    (lambda m: m.update(format="other"), "is not a tensorlite manifest"),
    (lambda m: m["tensors"][0].update(dtype="float16"), "tensor entry 0 is malformed"),
    (lambda m: m["tensors"][0].update(dtype="float64"), "holds float32\\[2, 3\\] but the manifest says float64"),
    (lambda m: m["tensors"][0].update(shape=[3, 2]), "but the manifest says float32\\[3, 2\\]"),
    (lambda m: m["tensors"][0].update(file="tensors/9.npy"), "missing tensor file"),
    (lambda m: m["root"]["items"][0].__setitem__(1, {"t": "tensor", "id": 5}), "tensor id 5 is not in the tensor table"),
    (lambda m: m["root"]["items"][0].__setitem__(1, {"t": "pickle", "data": "gASV"}), "unknown node type 'pickle'"),
    (lambda m: m["root"]["items"][0].__setitem__(1, [1, 2]), "unexpected manifest node"),
    (lambda m: m["root"]["items"][0].__setitem__(0, {"t": "list", "items": []}), "malformed 'dict' node"),
    (lambda m: m["root"].update(items=5), "malformed 'dict' node"),
    (lambda m: m.pop("tensors"), "lacks its tensor table"),
])
def test_tampered_manifest(edit, msg):
    assert msg.replace("\\", "") in _load_error(_tamper(_good(), edit)) or pytest.fail(_load_error(
        _tamper(_good(), edit)))


def test_tampered_members():
    assert "no manifest.json" in _load_error(_tamper(_good(), edit_files=lambda n, d: None if n == "manifest.json"
                                                     else d))
    assert "unreadable manifest.json" in _load_error(_tamper(_good(), edit_files=lambda n, d: b"{not json"
                                                             if n == "manifest.json" else d))
    assert "is not a valid .npy array" in _load_error(_tamper(_good(), edit_files=lambda n, d: d[:20]
                                                              if n.endswith(".npy") else d))


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/tensorlite_pwned",))


def test_pickles_are_refused_and_never_run(tmp_path):
    marker = "/tmp/tensorlite_pwned"
    if os.path.exists(marker):
        os.remove(marker)
    assert "is a pickle file" in _load_error(pickle.dumps(_Evil()))
    # an object array smuggled in as a tensor file is refused by np.load(allow_pickle=False)
    obj = io.BytesIO()
    np.save(obj, np.array([_Evil()], dtype=object), allow_pickle=True)
    msg = _load_error(_tamper(_good(), edit_files=lambda n, d: obj.getvalue() if n.endswith(".npy") else d))
    assert "is not a valid .npy array" in msg
    # torch's own zip checkpoints carry a pickle: refused with a pointer to the numpy route
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(RuntimeError, match="is a PyTorch checkpoint"):
        tl.load(path)
    assert not os.path.exists(marker)


def test_save_refuses_unsupported_objects():
    with pytest.raises(TypeError, match="cannot save an object of type _Evil"):
        tl.save(_Evil(), io.BytesIO())
    with pytest.raises(TypeError, match="cannot save an object of type set"):
        tl.save({"s": {1, 2}}, io.BytesIO())


def test_manifest_is_plain_json_and_npy():
    z = zipfile.ZipFile(io.BytesIO(_good()))
    m = json.loads(z.read("manifest.json"))
    assert m["format"] == "tensorlite" and m["version"] == 1
    assert m["tensors"] == [{"file": "tensors/0.npy", "dtype": "float32", "shape": [2, 3], "device": "cpu",
                             "requires_grad": False}]
    arr = np.load(io.BytesIO(z.read("tensors/0.npy")), allow_pickle=False)
    assert arr.dtype == np.float32 and arr.shape == (2, 3)
    assert struct.unpack("<I", _good()[:4])[0] == 0x04034B50  # a zip local header


def test_multisteplr_state_dict_round_trips():
    # MultiStepLR keeps its milestones in a collections.Counter (as torch does), so a training
    # checkpoint holding a scheduler's state_dict must save and load one
    from collections import Counter

    def state(lib):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        return lib.optim.lr_scheduler.MultiStepLR(opt, [3, 1, 3], gamma=0.5).state_dict()

    buf = io.BytesIO()
    torch.save(state(torch), buf)
    buf.seek(0)
    want = torch.load(buf)
    got = _roundtrip(state(tl))
    assert type(got["milestones"]) is Counter and got["milestones"] == want["milestones"]
    assert got == state(tl)
    lrs = []
    for lib, sd in ((torch, want), (tl, got)):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        sched = lib.optim.lr_scheduler.MultiStepLR(opt, [5])
        sched.load_state_dict(sd)
        for _ in range(3):
            opt.step()
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs[1] == pytest.approx(lrs[0])


def test_tampered_npz_member_and_deep_manifest_raise_runtime_error():
    # a member that is an .npz (np.load answers an NpzFile) or a manifest nested past Python's
    # recursion limit is a tampered file: the documented RuntimeError, not AttributeError/RecursionError
    npz = io.BytesIO()
    np.savez(npz, x=np.ones((2, 3), np.float32))
    msg = _load_error(_tamper(_good(), edit_files=lambda n, d: npz.getvalue() if n.endswith(".npy") else d))
    assert "is not a valid .npy array" in msg
    deep = ('{"format":"tensorlite","version":1,"tensors":[],"root":' + '{"t":"list","items":[' * 5000
            + "]}" * 5000 + "}")
    msg = _load_error(_tamper(_good(), edit_files=lambda n, d: deep.encode() if n == "manifest.json" else d))
    assert "corrupt or was tampered with" in msg
    deep = ('{"format":"tensorlite","version":1,"tensors":[],"root":' + '{"t":"list","items":[' * 900
            + "]}" * 900 + "}")
    msg = _load_error(_tamper(_good(), edit_files=lambda n, d: deep.encode() if n == "manifest.json" else d))
    assert "corrupt or was tampered with" in msg
