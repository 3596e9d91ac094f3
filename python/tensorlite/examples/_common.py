"""What the example scripts share: the image data as tensors, a batch-level augmentation, the progress
bar, a PNG writer for image grids and the curve plot.

The images are decoded once into one float tensor and fed through a DataLoader over a TensorDataset,
so a batch is one indexing call, not 64 Python-level transforms; augmentation then works on the whole
batch (one gather). That keeps the examples fast on two cores without hiding the torch-style API.
"""
from __future__ import annotations

import os
import struct
import sys
import time
import zlib

import tensorlite as torch
from tensorlite import datasets
from tensorlite.utils.data import TensorDataset

# MNIST's and Fashion-MNIST's pixel statistics over their training sets (the usual Normalize values)
STATS = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}


def pick_device(name):
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"--device {name}: no CUDA device is available here")
    return name


def load_images(dataset, root=None, normalize=True):
    """(train_x, train_y, test_x, test_y, source): images as float (N, 1, 28, 28), normalised with the
    dataset's mean/std (or in [0, 1] with normalize=False), labels int64."""
    cls = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST}[dataset]
    out = []
    for train in (True, False):
        ds = cls(root=root, train=train)
        x = ds.data.float().div_(255.0).unsqueeze(1)
        if normalize:
            mean, std = STATS[dataset]
            x = x.sub_(mean).div_(std)
        out += [x, ds.targets]
    return (*out, ds)


def split_train_val(x, y, val_fraction, seed):
    """A fixed random hold-out of the training images for validation (early stopping, the schedule)."""
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(x.shape[0], generator=g)
    n_val = max(1, int(round(x.shape[0] * val_fraction)))
    val, tr = perm[:n_val], perm[n_val:]
    return TensorDataset(x[tr], y[tr]), TensorDataset(x[val], y[val])


def random_shift(x, max_shift, fill):
    """Each image of the batch x (N, C, H, W) moved by its own random offset in [-max_shift, max_shift]^2,
    the uncovered border set to `fill`: RandomCrop(size, padding=max_shift) applied to a whole batch at
    the cost of one gather."""
    n, c, h, w = x.shape
    p = max_shift
    padded = torch.full((n, c, h + 2 * p, w + 2 * p), fill, dtype=x.dtype, device=x.device)
    padded[:, :, p:p + h, p:p + w] = x
    wp = w + 2 * p
    dy = torch.randint(0, 2 * p + 1, (n, 1), device=x.device)
    dx = torch.randint(0, 2 * p + 1, (n, 1), device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    idx = ((rows + dy.view(n, 1, 1)) * wp + cols + dx.view(n, 1, 1)).view(n, 1, h * w).expand(n, c, h * w)
    return padded.view(n, c, -1).gather(2, idx).view(n, c, h, w)


class Progress:
    """A tqdm bar over an iterable (loss and images/s in its postfix); a plain line per epoch when tqdm
    is not installed."""

    def __init__(self, iterable, desc, total, enabled=True):
        self.desc, self.it = desc, iterable
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm
                self.bar = tqdm(iterable, desc=desc, total=total, unit="batch", leave=False, dynamic_ncols=True,
                                file=sys.stdout)
            except ImportError:
                pass
        self.t0 = time.perf_counter()
        self.seen = 0

    def __iter__(self):
        return iter(self.bar if self.bar is not None else self.it)

    def update(self, n, **postfix):
        self.seen += n
        if self.bar is not None:
            rate = self.seen / max(time.perf_counter() - self.t0, 1e-9)
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in postfix.items()} | {"img/s": f"{rate:.0f}"},
                                 refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        return self.seen / max(time.perf_counter() - self.t0, 1e-9)


def write_png(path, pixels):
    """Write a 2-D grid of 8-bit grey values (a list of rows of ints 0..255, or a uint8 tensor (H, W)) as a
    PNG: signature, IHDR, one zlib-compressed IDAT with filter byte 0 per row, IEND. No dependency."""
    if isinstance(pixels, torch.Tensor):
        h, w = pixels.shape
        raw = b"".join(b"\x00" + bytes(pixels[r].tolist()) for r in range(h))
    else:
        h, w = len(pixels), len(pixels[0])
        raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def image_grid(images, nrow, pad=2):
    """images (N, 1, H, W) with values in [0, 1] -> a uint8 (rows*(H+pad)+pad, nrow*(W+pad)+pad) grid."""
    images = images.detach().cpu().clamp(0, 1)
    n, _, h, w = images.shape
    ncol = nrow
    nrows = (n + ncol - 1) // ncol
    grid = torch.ones(nrows * (h + pad) + pad, ncol * (w + pad) + pad)
    for i in range(n):
        r, c = divmod(i, ncol)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = images[i, 0]
    return (grid * 255).round().to(torch.uint8)


def plot_curves(path, history, title):
    """Loss and accuracy per epoch as a PNG (matplotlib, an optional extra). Returns the path, or None
    with the reason printed when matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot: matplotlib is not installed (pip install 'tensorlite[examples]'), so no plot was made")
        return None
    epochs = range(1, len(history["train_loss"]) + 1)
    panels = [("loss", "train_loss", "val_loss")] + ([("accuracy", "train_acc", "val_acc")]
                                                     if "train_acc" in history else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for ax, (name, tr, va) in zip(axes[0], panels):
        ax.plot(epochs, history[tr], label="train")
        ax.plot(epochs, history[va], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def out_dir(path):
    os.makedirs(path, exist_ok=True)
    return path
