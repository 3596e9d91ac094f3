"""tensorlite.nn: so far the functional interface (`tensorlite.nn.functional`). Modules, losses and init
come with the training-stack issue."""
from . import functional  # noqa: F401
