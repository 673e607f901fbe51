"""Arbitrum's L1-to-L2 address aliasing.

Every message from the parent's delayed inbox runs on the child from the *aliased* sender, EOAs
included (unlike the OP Stack, which aliases only contract callers): a contract on the child can then
never mistake a parent-chain account for one of its own chain's. Source: OffchainLabs/nitro-contracts
``src/libraries/AddressAliasHelper.sol``.
"""

from __future__ import annotations

ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
_MOD = 1 << 160


def apply_alias(address: bytes) -> bytes:
    """The child-chain address a parent-chain ``address`` sends from."""
    return ((int.from_bytes(address, "big") + ALIAS_OFFSET) % _MOD).to_bytes(20, "big")


def undo_alias(address: bytes) -> bytes:
    """The parent-chain address behind an aliased child-chain ``address``."""
    return ((int.from_bytes(address, "big") - ALIAS_OFFSET) % _MOD).to_bytes(20, "big")
