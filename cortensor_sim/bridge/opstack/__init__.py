"""The OP Stack's off-chain half: op-node's derivation, op-proposer, op-challenger, a relayer."""

from ..settlement import register_stack
from .stack import OpStack

register_stack("op-stack", OpStack)

__all__ = ["OpStack"]
