"""tensorlite.datasets: IDX parsing against files written here (gz and raw), clear errors on corrupt or
truncated files, the bundled MNIST split, FashionMNIST from the system copy, and the transforms against
values computed by hand with numpy; random transforms follow tensorlite.manual_seed."""
import gzip
import os
import struct
import time

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.datasets import MNIST, FashionMNIST, read_idx, transforms as T
from tensorlite.utils.data import DataLoader

FASHION = "/usr/share/datasets/fashion-mnist"


def _idx_bytes(arr, code=0x08):
    arr = np.asarray(arr)
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write(path, data):
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        with open(path, "wb") as fh:
            fh.write(data)
    return str(path)


def _tiny_mnist(directory, prefix="train", n=6, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) * 3 % 10).astype(np.uint8)
    ext = ".gz" if gz else ""
    os.makedirs(directory, exist_ok=True)
    _write(os.path.join(directory, f"{prefix}-images-idx3-ubyte{ext}"), _idx_bytes(images))
    _write(os.path.join(directory, f"{prefix}-labels-idx1-ubyte{ext}"), _idx_bytes(labels))
    return images, labels


# -- IDX parsing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_types_and_shapes(tmp_path, gz):
    ext = ".gz" if gz else ""
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(_write(tmp_path / f"a{ext}", _idx_bytes(a)), ndim=3), a)
    b = np.array([[-5, 70000], [1, 2]], dtype=np.int32)
    got = read_idx(_write(tmp_path / f"b{ext}", _idx_bytes(b, 0x0C)))
    assert got.dtype == np.int32 and got.dtype.isnative
    np.testing.assert_array_equal(got, b)
    c = np.array([1.5, -2.25], dtype=np.float64)
    np.testing.assert_array_equal(read_idx(_write(tmp_path / f"c{ext}", _idx_bytes(c, 0x0E))), c)
    assert read_idx(_write(tmp_path / f"e{ext}", _idx_bytes(np.zeros((0, 28, 28), np.uint8)))).shape == (0, 28, 28)


@pytest.mark.parametrize("mutate,msg", [
    (lambda b: b[:-1], "is truncated"),
    (lambda b: b + b"\0", "longer than its header says"),
    (lambda b: b[:2], "shorter than the 4-byte magic number"),
    (lambda b: b[:10], "shorter than its 16-byte header"),
    (lambda b: b"\1" + b[1:], "bad magic number"),
    (lambda b: b[:2] + b"\x07" + b[3:], "bad magic number"),
    (lambda b: b[:3] + b"\2" + b[4:], "has 2 dimensions, expected 3"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_rejects_bad_files_naming_them(tmp_path, mutate, msg, gz):
    good = _idx_bytes(np.zeros((2, 28, 28), np.uint8))
    path = _write(tmp_path / ("bad.gz" if gz else "bad"), mutate(good))
    with pytest.raises(RuntimeError, match=msg) as e:
        read_idx(path, ndim=3)
    assert path in str(e.value)


def test_corrupt_gzip_names_the_file(tmp_path):
    raw = gzip.compress(_idx_bytes(np.zeros((2, 28, 28), np.uint8)))
    for name, data in [("cut.gz", raw[:len(raw) // 2]), ("notgz.gz", b"plain bytes, no gzip")]:
        path = _write(tmp_path / name, b"")
        with open(path, "wb") as fh:
            fh.write(data)
        with pytest.raises(RuntimeError, match="cannot read IDX file") as e:
            read_idx(path)
        assert path in str(e.value)


@pytest.mark.parametrize("layout", ["", "MNIST/raw", "MNIST", "mnist"])
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_root_layouts(tmp_path, layout, gz):
    images, labels = _tiny_mnist(os.path.join(tmp_path, layout), gz=gz)
    ds = MNIST(str(tmp_path), train=True)
    assert len(ds) == 6 and ds.data.dtype == tl.uint8 and ds.targets.dtype == tl.int64
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    img, target = ds[4]
    assert isinstance(target, int) and target == int(labels[4])
    assert img.dtype == tl.uint8 and tuple(img.shape) == (28, 28)
    assert "Files: " + os.path.join(str(tmp_path), layout).rstrip("/") in repr(ds)


def test_mnist_env_var_and_mismatched_labels(tmp_path, monkeypatch):
    _tiny_mnist(tmp_path / "env", prefix="t10k", n=4)
    monkeypatch.setenv("TENSORLITE_DATA", str(tmp_path / "env"))
    assert len(MNIST(train=False)) == 4
    d = tmp_path / "bad"
    _tiny_mnist(d, n=5)
    _write(d / "train-labels-idx1-ubyte.gz", _idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(RuntimeError, match="holds 5 images but .*holds 4 labels"):
        MNIST(str(d))


def test_fashion_mnist_not_found_and_download(tmp_path, monkeypatch):
    monkeypatch.setattr(FashionMNIST, "_system_dirs", ())
    monkeypatch.delenv("TENSORLITE_DATA", raising=False)
    with pytest.raises(RuntimeError, match="^Dataset not found"):
        FashionMNIST(str(tmp_path))
    with pytest.raises(RuntimeError, match="download=True, but tensorlite does not download"):
        FashionMNIST(str(tmp_path), download=True)
    _tiny_mnist(tmp_path / "FashionMNIST" / "raw", n=3)
    ds = FashionMNIST(str(tmp_path), download=True)  # found: download is a no-op
    assert len(ds) == 3 and ds.classes[9] == "Ankle boot"


# -- the bundled MNIST split -------------------------------------------------------------------------------
def test_bundled_mnist_split(monkeypatch, tmp_path):
    monkeypatch.delenv("TENSORLITE_DATA", raising=False)
    monkeypatch.setattr(MNIST, "_system_dirs", ())
    t0 = time.perf_counter()
    train = MNIST(str(tmp_path), train=True, download=True)
    assert time.perf_counter() - t0 < 1.0
    test = MNIST(train=False)
    assert (len(train), len(test)) == (8000, 2000)
    assert "bundled MNIST t10k set" in repr(train) and "t10k-images-idx3-ubyte.gz" in repr(test)
    for ds in (train, test):
        assert ds.data.dtype == tl.uint8 and tuple(ds.data.shape[1:]) == (28, 28)
        assert ds.targets.dtype == tl.int64
        assert sorted(set(ds.targets.tolist())) == list(range(10))
        assert int(ds.data.max()) == 255 and int(ds.data.min()) == 0
    # the documented split: image i of the file is a test image iff i % 5 == 4
    full = read_idx(os.path.join(os.path.dirname(T.__file__), "_data", "mnist", "t10k-images-idx3-ubyte.gz"))
    assert full.shape == (10000, 28, 28)
    np.testing.assert_array_equal(test.data.numpy(), full[4::5])
    np.testing.assert_array_equal(train.data.numpy()[:4], full[:4])
    assert train.classes[3] == "3 - three" and train.class_to_idx["9 - nine"] == 9


def test_mnist_batched_fetch_equals_per_sample():
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    ds = MNIST(train=False, transform=tf)
    x, y = next(iter(DataLoader(ds, batch_size=16)))
    ref = [ds[i] for i in range(16)]
    np.testing.assert_array_equal(x.numpy(), np.stack([r[0].numpy() for r in ref]))
    assert y.tolist() == [r[1] for r in ref] and y.dtype == tl.int64 and x.dtype == tl.float32
    want = (ds.data[:16].numpy().astype(np.float32) / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081)
    np.testing.assert_allclose(x.numpy()[:, 0], want, rtol=1e-6, atol=1e-6)
    # a target_transform forces the per-sample path, same result
    ds.target_transform = lambda t: t
    x2, y2 = next(iter(DataLoader(ds, batch_size=16)))
    np.testing.assert_array_equal(x2.numpy(), x.numpy())


@pytest.mark.skipif(not os.path.isfile(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz")),
                    reason="dataset-fashion-mnist is not installed")
def test_fashion_mnist_system_copy():
    with gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")) as fh:
        magic, n = struct.unpack(">II", fh.read(8))
    assert (magic, n) == (2049, 60000)
    ds = FashionMNIST(train=False)
    assert len(ds) == 10000 and FASHION in repr(ds)
    assert sorted(set(ds.targets.tolist())) == list(range(10))


# -- transforms --------------------------------------------------------------------------------------------
def test_to_tensor():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    for src in (a, tl.from_numpy(a)):
        out = T.ToTensor()(src)
        assert out.dtype == tl.float32 and tuple(out.shape) == (1, 3, 4)
        np.testing.assert_array_equal(out.numpy()[0], a.astype(np.float32) / np.float32(255))
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    np.testing.assert_array_equal(T.ToTensor()(hwc).numpy(), hwc.transpose(2, 0, 1) / np.float32(255))
    f = np.ones((2, 2), np.float64) * 7
    out = T.ToTensor()(f)
    assert out.dtype == tl.float64 and out.numpy().max() == 7  # non-uint8 arrays are not scaled
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])


def test_normalize():
    x = np.random.default_rng(0).random((3, 4, 5)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    t = tl.from_numpy(x.copy())
    out = T.Normalize(mean, std)(t)
    want = (x - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    np.testing.assert_array_equal(out.numpy(), want)
    np.testing.assert_array_equal(t.numpy(), x)  # not in place by default
    T.Normalize(mean, std, inplace=True)(t)
    np.testing.assert_array_equal(t.numpy(), want)
    batch = tl.from_numpy(np.stack([x, x]))
    np.testing.assert_array_equal(T.Normalize(mean, std)(batch).numpy(), np.stack([want, want]))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize(0.0, 0.0)(tl.ones(1, 2, 2))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize(0.0, 1.0)(tl.ones(1, 2, 2, dtype=tl.int64))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C, H, W\)"):
        T.Normalize(0.0, 1.0)(tl.ones(2, 2))


def test_flip_and_lambda():
    img = tl.arange(12.).reshape(1, 3, 4)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(img).numpy(), img.numpy()[..., ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(img).numpy(), img.numpy()[..., ::-1, :])
    assert T.RandomHorizontalFlip(p=0.0)(img) is img
    assert T.Lambda(lambda v: v * 2)(3) == 6
    with pytest.raises(TypeError, match="Argument lambd should be callable"):
        T.Lambda(3)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_with_padding_covers_the_padded_image(mode):
    x = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6)
    padded = np.pad(x, [(0, 0), (2, 2), (2, 2)], mode=mode, **({"constant_values": -1} if mode == "constant" else {}))
    crop = T.RandomCrop(5, padding=2, fill=-1, padding_mode=mode)
    tl.manual_seed(0)
    offsets = set()
    for _ in range(40):
        out = crop(tl.from_numpy(x)).numpy()
        assert out.shape == (2, 5, 5)
        hits = [(i, j) for i in range(5) for j in range(6) if np.array_equal(padded[:, i:i + 5, j:j + 5], out)]
        assert hits
        offsets.update(hits)
    assert len(offsets) > 5


def test_random_crop_options_and_errors():
    x = tl.arange(6.).reshape(1, 2, 3)
    out = T.RandomCrop((4, 5), pad_if_needed=True)(x)
    assert tuple(out.shape) == (1, 4, 5)
    assert float(out.sum()) == float(x.sum())  # only zeros were added
    np.testing.assert_array_equal(T.RandomCrop((2, 3))(x).numpy(), x.numpy())
    pad = T.RandomCrop(3, padding=(1, 0, 2, 0))
    assert tuple(pad(tl.ones(1, 3, 3)).shape) == (1, 3, 3)
    with pytest.raises(ValueError, match=r"Required crop size \(4, 4\) is larger than input image size \(2, 3\)"):
        T.RandomCrop(4)(x)
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.RandomCrop(2, padding_mode="wrap")


def test_random_transforms_follow_manual_seed():
    tf = T.Compose([T.RandomCrop(24, padding=2), T.RandomHorizontalFlip()])
    img = tl.rand(1, 28, 28)
    tl.manual_seed(11)
    a = [tf(img).numpy() for _ in range(5)]
    tl.manual_seed(11)
    b = [tf(img).numpy() for _ in range(5)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(a[0], u) for u in a[1:])
    assert tf._batch is None and T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)])._batch is not None


def test_affine_geometry_by_hand():
    x = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4)
    t = tl.from_numpy(x)
    # RandomRotation turns counter-clockwise (F.rotate), RandomAffine's angle clockwise (F.affine)
    np.testing.assert_array_equal(T.RandomRotation((90, 90))(t).numpy(), np.rot90(x, 1, axes=(1, 2)))
    np.testing.assert_array_equal(T.RandomAffine((90, 90))(t).numpy(), np.rot90(x, -1, axes=(1, 2)))
    np.testing.assert_array_equal(T.RandomRotation((180, 180))(t).numpy(), x[:, ::-1, ::-1])
    np.testing.assert_allclose(T.RandomAffine((90, 90), interpolation="bilinear")(t).numpy(),
                               np.rot90(x, -1, axes=(1, 2)), atol=1e-5)
    u8 = tl.from_numpy(x.astype(np.uint8))
    same = T.RandomAffine(0)(u8)
    assert same.dtype == tl.uint8 and np.array_equal(same.numpy(), x.astype(np.uint8))
    # a translation is a shift with the fill entering at the border
    tl.manual_seed(5)
    out = T.RandomAffine(0, translate=(0.5, 0.5), fill=-1)(t).numpy()
    hits = [(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3)
            if np.array_equal(out, _shift(x, dx, dy, -1))]
    assert len(hits) == 1
    # scale 2 about the centre: the output's centre 2x2 comes from the input's centre pixels
    big = T.RandomAffine(0, scale=(2, 2))(tl.from_numpy(np.arange(64, dtype=np.float32).reshape(1, 8, 8))).numpy()
    assert big.shape == (1, 8, 8) and set(np.unique(big[0, 3:5, 3:5])) <= {27.0, 28.0, 35.0, 36.0}
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))


def _shift(x, dx, dy, fill):
    out = np.full_like(x, fill)
    h, w = x.shape[-2:]
    for i in range(h):
        for j in range(w):
            si, sj = i - dy, j - dx
            if 0 <= si < h and 0 <= sj < w:
                out[..., i, j] = x[..., si, sj]
    return out
