"""tensorlite.utils: torch.utils's covered part, the data-loading package."""
from . import data  # noqa: F401
