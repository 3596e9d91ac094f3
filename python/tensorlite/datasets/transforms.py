"""torchvision.transforms' common image transforms on tensorlite tensors.

Images are tensors (C, H, W) (or (H, W), the form tensorlite's MNIST hands out), except for ToTensor,
which takes a uint8 (H, W) tensor or a numpy (H, W[, C]) array, as torchvision's takes a PIL image or
an ndarray. The random transforms draw from tensorlite's default Philox generator, so
tensorlite.manual_seed makes them reproducible.

Batched form: ToTensor, Normalize, and Compose of those have `_batch(x)`, the same transform applied
to a whole batch (N, ...) at once with bitwise-identical results. Datasets use it in __getitems__ so
the DataLoader normalises a batch in one pass; in your own loop you can equally apply
Normalize to a whole (N, C, H, W) batch (as torchvision's Normalize also accepts (..., C, H, W)).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..tensor import Tensor

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomCrop"]


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    @property
    def _batch(self):
        fns = [getattr(t, "_batch", None) for t in self.transforms]
        if any(f is None for f in fns):
            return None  # some member has no batched form: the dataset goes sample by sample

        def run(x):
            for f in fns:
                x = f(x)
            return x
        return run

    def __repr__(self):
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({body}\n)"


def _float_from_uint8(t):
    from ..ops.convert import to
    # float32 / 255 exactly as torchvision computes it (a true division, not a multiply by 1/255)
    return to(t, D.float32) / 255


class ToTensor:
    """uint8 (H, W) tensor -> float32 (1, H, W) in [0, 1]; numpy (H, W) or (H, W, C) -> (C, H, W), uint8
    scaled to [0, 1], other dtypes kept unscaled (torchvision's rule for arrays)."""

    def __call__(self, pic):
        from ..ops.creation import from_numpy
        if isinstance(pic, Tensor):
            if pic.dim() == 2:
                pic = pic.unsqueeze(0)
            elif pic.dim() == 3:
                pic = pic.permute(2, 0, 1).contiguous()
            else:
                raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
            return _float_from_uint8(pic) if pic.dtype == D.uint8 else pic
        if isinstance(pic, np.ndarray):
            if pic.ndim not in (2, 3):
                raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
            if pic.ndim == 2:
                pic = pic[:, :, None]
            img = from_numpy(np.ascontiguousarray(pic.transpose(2, 0, 1)))
            return _float_from_uint8(img) if img.dtype == D.uint8 else img
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")

    def _batch(self, x):
        # a batch of what __call__ takes as tensors: (N, H, W) -> (N, 1, H, W); (N, H, W, C) -> (N, C, H, W)
        x = x.unsqueeze(1) if x.dim() == 3 else x.permute(0, 3, 1, 2).contiguous()
        return _float_from_uint8(x) if x.dtype == D.uint8 else x

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Normalize:
    """(x - mean) / std per channel of a float tensor (..., C, H, W)."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        from ..ops.creation import as_tensor
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.dim() < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                             f"{tensor.size()}")
        if not self.inplace:
            tensor = tensor.clone()
        mean = as_tensor(self.mean, dtype=tensor.dtype, device=tensor.device)
        std = as_tensor(self.std, dtype=tensor.dtype, device=tensor.device)
        if bool((std == 0).any()):
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
        if mean.dim() == 1:
            mean = mean.view(-1, 1, 1)
        if std.dim() == 1:
            std = std.view(-1, 1, 1)
        return tensor.sub_(mean).div_(std)

    _batch = __call__  # (..., C, H, W) already covers a batch

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


def _uniform():
    from ..random import rand
    return rand(1).item()


def _check_image(img, name):
    if not isinstance(img, Tensor):
        raise TypeError(f"{name}: img should be a tensorlite Tensor (C, H, W) or (H, W). Got {type(img)}")
    if img.dim() < 2:
        raise TypeError(f"{name}: tensor is not a torch image (expected at least 2 dimensions, got {img.dim()})")


class RandomHorizontalFlip:
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        _check_image(img, "RandomHorizontalFlip")
        if _uniform() < self.p:
            return img.flip(-1)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    def __call__(self, img):
        _check_image(img, "RandomVerticalFlip")
        if _uniform() < self.p:
            return img.flip(-2)
        return img


def _pad(img, padding, fill, mode):
    """torchvision's pad of the last two dims; padding is (left, top, right, bottom)."""
    from ..ops.creation import from_numpy
    left, top, right, bottom = padding
    arr = img.cpu().numpy()
    widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        out = np.pad(arr, widths, mode="constant", constant_values=np.array(fill).astype(arr.dtype))
    else:
        out = np.pad(arr, widths, mode=mode)
    return from_numpy(np.ascontiguousarray(out)).to(img.device)


def _padding4(padding):
    if isinstance(padding, numbers.Number):
        return (int(padding),) * 4
    padding = tuple(int(p) for p in padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return (padding[0], padding[1], padding[0], padding[1])
    return padding


class RandomCrop:
    """A random (h, w) window, after optional padding (int, (lr, tb) or (l, t, r, b)) with padding_mode
    constant (fill: a number), edge, reflect or symmetric; pad_if_needed pads images smaller than size."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        if isinstance(size, numbers.Number):
            size = (int(size), int(size))
        elif isinstance(size, (tuple, list)) and len(size) == 1:
            size = (size[0], size[0])
        elif not isinstance(size, (tuple, list)) or len(size) != 2:
            raise ValueError("Please provide only two dimensions (h, w) for size.")
        self.size = tuple(size)
        if padding is not None and not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element "
                             "tuple")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if not isinstance(fill, numbers.Number):
            raise TypeError("RandomCrop: tensorlite supports a numeric fill only")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        from ..random import randint
        h, w = img.shape[-2], img.shape[-1]
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = randint(0, h - th + 1, size=(1,)).item()
        j = randint(0, w - tw + 1, size=(1,)).item()
        return i, j, th, tw

    def __call__(self, img):
        _check_image(img, "RandomCrop")
        if self.padding is not None:
            img = _pad(img, _padding4(self.padding), self.fill, self.padding_mode)
        h, w = img.shape[-2], img.shape[-1]
        if self.pad_if_needed and w < self.size[1]:
            img = _pad(img, (self.size[1] - w, 0, self.size[1] - w, 0), self.fill, self.padding_mode)
        if self.pad_if_needed and h < self.size[0]:
            img = _pad(img, (0, self.size[0] - h, 0, self.size[0] - h), self.fill, self.padding_mode)
        i, j, th, tw = self.get_params(img, self.size)
        return img[..., i:i + th, j:j + tw]

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"
