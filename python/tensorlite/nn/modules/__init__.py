"""The nn layers, one file per family as in torch.nn.modules; nn/__init__.py re-exports them."""
from .module import Module  # noqa: F401
