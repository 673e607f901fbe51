"""The guardian-attested bridge (Wormhole style) between Solana and an EVM chain.

Importing it registers :class:`WormholeStack` for the ``solana`` chain kind: a devnet with a
Solana chain and an EVM chain gets the bridge, its contracts in the EVM chain's genesis and its
SPL COR mint and custody account on Solana.
"""

from ..settlement import register_stack
from .guardians import Guardians, GuardianSet, VAAVerificationError, quorum, verify
from .stack import BridgeError, WormholeStack, target_name
from .vaa import VAA, Body

register_stack("solana", WormholeStack.for_chain)

__all__ = [
    "VAA",
    "Body",
    "BridgeError",
    "GuardianSet",
    "Guardians",
    "VAAVerificationError",
    "WormholeStack",
    "quorum",
    "target_name",
    "verify",
]
