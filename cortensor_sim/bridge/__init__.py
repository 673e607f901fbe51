"""The settlement engine: the off-chain half of each rollup stack, on the devnet's clock.

Importing this package registers the engine with :class:`~cortensor_sim.chains.devnet.Devnet`
(``cortensor_sim`` imports it), and each stack registers the chain kind it settles.
"""

from ..chains.devnet import Devnet
from .records import Leg, MessageBook, MessageRecord, MessageStatus, RecordError
from .registry import UnknownRollup
from .settlement import STACKS, Settlement, register_stack
from .stack import Action, Actor, SettlementStack

Devnet.settlement_factory = Settlement

from . import nitro, opstack, wormhole  # noqa: E402, F401  (register the OP Stack, Nitro and guardian stacks)

__all__ = [
    "STACKS",
    "Action",
    "Actor",
    "Leg",
    "MessageBook",
    "MessageRecord",
    "MessageStatus",
    "RecordError",
    "Settlement",
    "SettlementStack",
    "UnknownRollup",
    "register_stack",
]
