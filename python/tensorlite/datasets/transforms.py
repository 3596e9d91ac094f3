"""torchvision.transforms' common image transforms on tensorlite tensors.

Images are tensors (C, H, W) (or (H, W), the form tensorlite's MNIST hands out), except for ToTensor,
which takes a uint8 (H, W) tensor or a numpy (H, W[, C]) array, as torchvision's takes a PIL image or
an ndarray. The random transforms draw from tensorlite's default Philox generator, so
tensorlite.manual_seed makes them reproducible. RandomAffine/RandomRotation follow torchvision's geometry
(pixel centres around the image centre) with nearest or bilinear sampling, computed with numpy on the
host: fine for MNIST-sized images, not a GPU kernel.

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
           "RandomCrop", "RandomAffine", "RandomRotation"]


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


# -- affine warps ------------------------------------------------------------------------------------------
def _inverse_affine(center, angle, translate, scale, shear):
    """torchvision's inverse affine matrix (output pixel -> input pixel), coordinates centred on `center`;
    angle and shear in degrees; a positive angle turns the image clockwise (F.affine's convention)."""
    import math
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
    m[2] += cx
    m[5] += cy
    return m


def _warp(img, m, interpolation, fill):
    """Samples img (..., H, W) at the inverse-mapped centre of every output pixel, as torchvision's tensor
    affine does (pixel centres at half-integers around the image centre); outside pixels get `fill`."""
    from ..ops.creation import from_numpy
    x = img.cpu().numpy()
    h, w = x.shape[-2], x.shape[-1]
    ys, xs = np.meshgrid(np.arange(h, dtype=np.float64) - h * 0.5 + 0.5,
                         np.arange(w, dtype=np.float64) - w * 0.5 + 0.5, indexing="ij")
    sx = m[0] * xs + m[1] * ys + m[2] + w * 0.5 - 0.5  # source pixel coordinates
    sy = m[3] * xs + m[4] * ys + m[5] + h * 0.5 - 0.5
    src = x.astype(np.float64) if interpolation == "bilinear" else x
    if interpolation == "nearest":
        ix, iy = np.rint(sx).astype(np.int64), np.rint(sy).astype(np.int64)  # round half to even, as grid_sample
        ok = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        out = np.where(ok, src[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)], np.array(fill, dtype=x.dtype))
    else:
        x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
        fx, fy = sx - x0, sy - y0
        out = np.zeros(x.shape, np.float64)
        for dy, wy in ((0, 1 - fy), (1, fy)):
            for dx, wx in ((0, 1 - fx), (1, fx)):
                xi, yi = x0 + dx, y0 + dy
                ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
                out += wy * wx * np.where(ok, src[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)], float(fill))
        if np.issubdtype(x.dtype, np.integer):
            out = np.rint(out)
        out = out.astype(x.dtype)
    return from_numpy(np.ascontiguousarray(out)).to(img.device)


def _range(value, name, center=0.0):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return [center - float(value), center + float(value)]
    if len(value) != 2:
        raise ValueError(f"If {name} is a sequence, it must be of len 2.")
    return [float(v) for v in value]


def _uniform_in(lo, hi):
    from ..ops.creation import empty
    return empty(1, dtype=D.float32).uniform_(lo, hi).item()


class RandomAffine:
    """Random rotation (degrees), translation (fractions of width/height), scale and shear of a tensor image
    (..., H, W) with nearest or bilinear sampling; torchvision's parameters and geometry, drawn from the
    default generator. interpolation is "nearest" or "bilinear" (torchvision's InterpolationMode names
    lower-cased, or an object whose .value is one of those)."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation="nearest", fill=0,
                 center=None):
        self.degrees = _range(degrees, "degrees")
        if translate is not None:
            if len(translate) != 2 or not all(0.0 <= t <= 1.0 for t in translate):
                raise ValueError("translation values should be between 0 and 1")
        if scale is not None:
            if len(scale) != 2 or any(s <= 0 for s in scale):
                raise ValueError("scale values should be positive")
        if shear is not None:
            if isinstance(shear, numbers.Number):
                shear = _range(shear, "shear")
            elif len(shear) not in (2, 4):
                raise ValueError("shear should be a sequence of length 2 or 4.")
            shear = [float(v) for v in shear]
        interpolation = getattr(interpolation, "value", interpolation)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"RandomAffine: tensorlite supports nearest and bilinear interpolation, got {interpolation!r}")
        if not isinstance(fill, numbers.Number):
            raise TypeError("RandomAffine: tensorlite supports a numeric fill only")
        self.translate, self.scale, self.shear = translate, scale, shear
        self.interpolation, self.fill, self.center = interpolation, fill, center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        angle = _uniform_in(degrees[0], degrees[1])
        if translate is not None:
            max_dx, max_dy = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
            tx, ty = int(round(_uniform_in(-max_dx, max_dx))), int(round(_uniform_in(-max_dy, max_dy)))
        else:
            tx, ty = 0, 0
        scale = _uniform_in(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform_in(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform_in(shears[2], shears[3])
        return angle, (tx, ty), scale, (shear_x, shear_y)

    def __call__(self, img):
        _check_image(img, type(self).__name__)
        h, w = img.shape[-2], img.shape[-1]
        angle, translate, scale, shear = self.get_params(self.degrees, self.translate, self.scale, self.shear, [w, h])
        center = [0.0, 0.0] if self.center is None else [c - s * 0.5 for c, s in zip(self.center, [w, h])]
        return _warp(img, _inverse_affine(center, angle, translate, scale, shear), self.interpolation, self.fill)

    def __repr__(self):
        return (f"{self.__class__.__name__}(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear}, interpolation={self.interpolation})")


class RandomRotation(RandomAffine):
    """A random rotation by an angle in `degrees` (expand=True is not supported)."""

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0):
        if expand:
            raise NotImplementedError("RandomRotation: expand=True is not supported by tensorlite")
        super().__init__(degrees, interpolation=interpolation, fill=fill, center=center)

    @staticmethod
    def get_params(degrees):
        return _uniform_in(degrees[0], degrees[1])

    def __call__(self, img):
        _check_image(img, type(self).__name__)
        h, w = img.shape[-2], img.shape[-1]
        angle = self.get_params(self.degrees)
        center = [0.0, 0.0] if self.center is None else [c - s * 0.5 for c, s in zip(self.center, [w, h])]
        # F.rotate turns counter-clockwise for a positive angle: the affine matrix of -angle
        return _warp(img, _inverse_affine(center, -angle, (0, 0), 1.0, (0.0, 0.0)), self.interpolation, self.fill)

    def __repr__(self):
        return f"{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation})"
