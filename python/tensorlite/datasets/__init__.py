"""tensorlite.datasets: torchvision-style datasets (MNIST, FashionMNIST read from IDX files, with the MNIST
test set bundled so examples run offline) and `transforms` on tensorlite tensors."""
from . import transforms  # noqa: F401
from .mnist import MNIST, FashionMNIST, read_idx  # noqa: F401

__all__ = ["MNIST", "FashionMNIST", "read_idx", "transforms"]
