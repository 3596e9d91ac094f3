"""tensorlite.autograd.graph: the Node type, as torch.autograd.graph exposes it."""
from .function import Node

__all__ = ["Node"]
