"""Kernel-backed ops, one module per family (see docs/adding_an_op.md)."""
from .creation import *  # noqa: F401,F403
from .creation import tensor, zeros, ones, zeros_like, ones_like, full, empty  # noqa: F401
