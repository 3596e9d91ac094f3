"""tensorlite.nn: so far the functional interface (`tensorlite.nn.functional`) and `tensorlite.nn.init`.
Modules and losses come with the rest of the training-stack issue."""
from . import functional, init  # noqa: F401
