"""tensorlite.nn: Module and Parameter, the layers and losses (nn/modules/), `nn.functional`, `nn.init`
and `nn.utils`, with torch.nn's names and semantics."""
from .parameter import Parameter, Buffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
