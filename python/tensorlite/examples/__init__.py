"""Runnable examples: python -m tensorlite.examples.<name>."""
