"""Grad mode: whether operations record the graph (torch.no_grad and friends)."""
from __future__ import annotations

import functools


class _Mode:
    __slots__ = ("enabled",)


MODE = _Mode()
MODE.enabled = True


def is_grad_enabled():
    return MODE.enabled


class _DecoratorContextManager:
    """A context manager that also works as a decorator (with or without parentheses)."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return func(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()


class no_grad(_DecoratorContextManager):
    def __new__(cls, func=None):
        # `@no_grad` without parentheses decorates directly, as torch allows.
        if callable(func):
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func=None):
        self.prev = None

    def __enter__(self):
        self.prev = MODE.enabled
        MODE.enabled = False

    def __exit__(self, *exc):
        MODE.enabled = self.prev
        return False


class enable_grad(no_grad):
    def __enter__(self):
        self.prev = MODE.enabled
        MODE.enabled = True


class inference_mode(no_grad):
    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.prev = None

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        self.prev = MODE.enabled
        if self.mode:
            MODE.enabled = False


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode on construction (so it works as a plain call) and restores it on exit."""

    def __init__(self, mode):
        self.prev = MODE.enabled
        self.mode = bool(mode)
        MODE.enabled = self.mode

    def _args(self):
        return (self.mode,)

    def __call__(self, func):
        MODE.enabled = self.prev  # used as a decorator: the mode applies only inside calls
        return super().__call__(func)

    def __enter__(self):
        MODE.enabled = self.mode

    def __exit__(self, *exc):
        MODE.enabled = self.prev
        return False
