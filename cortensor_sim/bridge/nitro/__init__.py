"""Arbitrum Nitro and Orbit settlement: the ``nitro`` and ``orbit`` chain kinds' stack."""

from ..settlement import register_stack
from .stack import NitroStack

register_stack("nitro", NitroStack)
register_stack("orbit", NitroStack)

__all__ = ["NitroStack"]
