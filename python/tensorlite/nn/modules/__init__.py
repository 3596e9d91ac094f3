"""The nn layers, one file per family as in torch.nn.modules; nn/__init__.py re-exports them."""
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401
from .linear import Identity, Linear, Bilinear  # noqa: F401
from .flatten import Flatten, Unflatten  # noqa: F401
from .sparse import Embedding  # noqa: F401
from .dropout import Dropout, Dropout1d, Dropout2d  # noqa: F401
from .activation import (ReLU, ReLU6, LeakyReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Sigmoid, Tanh,  # noqa: F401
                         Softplus, Softsign, Tanhshrink, LogSigmoid, Hardtanh, Softmax, LogSoftmax, Softmin)
from .loss import (CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss,  # noqa: F401
                   BCEWithLogitsLoss, KLDivLoss)
