"""MNIST and FashionMNIST from the standard IDX files, as torchvision.datasets names them.

Where the files are looked for, in order (the first directory holding both files of the split wins):
  1. `root`, root/<ClassName>/raw, root/<ClassName>, root/<classname>, root/<classname>/raw
     (torchvision's layout and the plain one); for FashionMNIST also root/fashion-mnist
  2. the same under $TENSORLITE_DATA
  3. system copies: /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist), /usr/share/datasets/mnist
  4. MNIST only: the MNIST test set bundled in the package (tensorlite/datasets/_data/mnist, 10,000 images),
     split once and for all into 8,000 training and 2,000 test images: image i is a test image when
     i % 5 == 4, so both parts draw evenly from both halves of the t10k file (written by different
     populations) and hold every class; order within each part is the file's.
Each split needs `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte` (prefix train or t10k),
gzipped (.gz) or raw. There is no downloader: download=True only checks the files are there.

Samples are (image, target): the image is a uint8 tensor (28, 28), not a PIL image (tensorlite has no
PIL dependency); transforms.ToTensor turns it into float32 (1, 28, 28) in [0, 1] as torchvision's does
for a PIL image. target is a Python int. With no target_transform and a transform that has a batched
form (ToTensor, Normalize and Compose of those), the DataLoader fetches a whole batch at once through
__getitems__ (identical values, one gather instead of a Python loop per sample).
"""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

from .. import _dtype as D
from ..ops.creation import from_numpy, tensor

__all__ = ["MNIST", "FashionMNIST", "read_idx"]

_BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data", "mnist")
_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path, ndim=None):
    """An IDX file (gzipped when the name ends in .gz) as a numpy array of its native-endian dtype.
    Checks the magic number, the number of dimensions (when ndim is given) and that the file holds
    exactly the data its header announces; raises RuntimeError naming the file otherwise."""
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read()
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        raise RuntimeError(f"cannot read IDX file {path}: {type(e).__name__}: {e}") from None
    if len(raw) < 4:
        raise RuntimeError(f"IDX file {path} is truncated: {len(raw)} bytes, shorter than the 4-byte magic number")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"IDX file {path} has a bad magic number 0x{raw[:4].hex()} (expected 0x0000TTNN with a "
                           "type code TT in 08, 09, 0B, 0C, 0D, 0E)")
    nd = raw[3]
    if ndim is not None and nd != ndim:
        raise RuntimeError(f"IDX file {path} has {nd} dimensions, expected {ndim}")
    head = 4 + 4 * nd
    if len(raw) < head:
        raise RuntimeError(f"IDX file {path} is truncated: {len(raw)} bytes, shorter than its {head}-byte header")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=nd, offset=4))
    dt = _IDX_TYPES[raw[2]]
    want = head + int(np.prod(dims, dtype=np.int64)) * dt.itemsize
    if len(raw) != want:
        what = "truncated" if len(raw) < want else "longer than its header says"
        raise RuntimeError(f"IDX file {path} is {what}: {len(raw)} bytes, but a {dt.name} array of shape "
                           f"{list(dims)} needs {want}")
    return np.frombuffer(raw, dtype=dt, offset=head).reshape(dims).astype(dt.newbyteorder("="), copy=False)


def _find(directory, name):
    for cand in (name, name + ".gz"):
        p = os.path.join(directory, cand)
        if os.path.isfile(p):
            return p
    return None


class MNIST:
    """torchvision.datasets.MNIST's interface on IDX files (see the module docstring for where they are
    looked for). Attributes: data (uint8 N,28,28), targets (int64 N), classes, class_to_idx, files."""

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    _system_dirs = ("/usr/share/datasets/mnist",)
    _aliases = ()
    _bundled = True

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        if isinstance(root, (str, bytes, os.PathLike)):
            root = os.path.expanduser(os.fspath(root))
        self.root = root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        prefix = "train" if train else "t10k"
        found = self._locate(prefix)
        self.bundled_split = None
        if found is None and self._bundled:
            found = self._locate_in([_BUNDLED], "t10k")
            if found is not None:
                self.bundled_split = "train" if train else "test"
        if found is None:
            searched = ", ".join(self._search_dirs()) or "(none)"
            if download:
                raise RuntimeError(f"{type(self).__name__}: download=True, but tensorlite does not download "
                                   f"datasets. Put {prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz] "
                                   f"in one of: {searched}, or point $TENSORLITE_DATA at them")
            raise RuntimeError(f"Dataset not found. {type(self).__name__} looked for {prefix}-images-idx3-ubyte[.gz] "
                               f"and {prefix}-labels-idx1-ubyte[.gz] in: {searched}")
        images_path, labels_path = found
        images = read_idx(images_path, ndim=3)
        labels = read_idx(labels_path, ndim=1)
        if images.dtype != np.uint8 or labels.dtype != np.uint8:
            raise RuntimeError(f"{type(self).__name__}: expected unsigned-byte IDX files, got {images.dtype} in "
                               f"{images_path} and {labels.dtype} in {labels_path}")
        if images.shape[0] != labels.shape[0]:
            raise RuntimeError(f"{type(self).__name__}: {images_path} holds {images.shape[0]} images but "
                               f"{labels_path} holds {labels.shape[0]} labels")
        if labels.size and int(labels.max()) >= len(self.classes):
            raise RuntimeError(f"{type(self).__name__}: {labels_path} holds label {int(labels.max())}, but there "
                               f"are only {len(self.classes)} classes")
        if self.bundled_split is not None:
            test = np.arange(images.shape[0]) % 5 == 4
            keep = ~test if train else test
            images, labels = images[keep], labels[keep]
        self.files = (images_path, labels_path)
        self.data = from_numpy(np.ascontiguousarray(images))
        self.targets = from_numpy(labels.astype(np.int64))

    # -- file look-up --------------------------------------------------------------------------------------
    def _layouts(self, base):
        name = type(self).__name__
        return [base, os.path.join(base, name, "raw"), os.path.join(base, name), os.path.join(base, name.lower()),
                os.path.join(base, name.lower(), "raw")] + [os.path.join(base, a) for a in self._aliases]

    def _search_dirs(self):
        dirs = []
        if self.root is not None:
            dirs += self._layouts(self.root)
        env = os.environ.get("TENSORLITE_DATA")
        if env:
            dirs += self._layouts(env)
        dirs += list(self._system_dirs)
        return dirs

    def _locate_in(self, dirs, prefix):
        for d in dirs:
            images = _find(d, f"{prefix}-images-idx3-ubyte")
            labels = _find(d, f"{prefix}-labels-idx1-ubyte")
            if images and labels:
                return images, labels
        return None

    def _locate(self, prefix):
        return self._locate_in(self._search_dirs(), prefix)

    # -- torchvision's dataset interface -------------------------------------------------------------------
    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    @property
    def raw_folder(self):
        return os.path.dirname(self.files[0])

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices):
        from ..utils.data.collate import _BatchedSamples
        batch = getattr(self.transform, "_batch", None) if self.transform is not None else (lambda x: x)
        if self.target_transform is not None or batch is None:
            return [self[i] for i in indices]
        idx = tensor(list(indices), dtype=D.int64)
        return _BatchedSamples([batch(self.data[idx]), self.targets[idx]])

    def extra_repr(self):
        split = "Train" if self.train else "Test"
        lines = [f"Split: {split}"]
        if self.bundled_split is not None:
            lines.append(f"Files: {self.files[0]}, {self.files[1]} (the bundled MNIST t10k set, {self.bundled_split} "
                         "part of its fixed 8000/2000 split: test images are those with index % 5 == 4)")
        else:
            lines.append(f"Files: {self.files[0]}, {self.files[1]}")
        return "\n".join(lines)

    def __repr__(self):
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transform is not None:
            body.append("Transform: " + repr(self.transform).replace("\n", "\n    "))
        if self.target_transform is not None:
            body.append("Target transform: " + repr(self.target_transform))
        return "\n".join([f"Dataset {type(self).__name__}"] + ["    " + b for b in body])


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST, same file format and interface as MNIST (nothing is bundled)."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    _system_dirs = ("/usr/share/datasets/fashion-mnist",)
    _aliases = ("fashion-mnist",)
    _bundled = False
