"""Arbitrum Nitro and Orbit: the chain-kind rules, precompiles, contracts and off-chain actors.

Importing this package registers the rules of the ``nitro`` and ``orbit`` kinds with the devnet:
``block.number`` reads the L1 ancestor's block number, ``block.prevrandao`` is 1, the
precompiles sit at their fixed addresses, and each block's header carries ArbSys's send root and
count (Nitro's header info).
"""

from __future__ import annotations

from ...chains.engine import ChainRules
from ...chains.kinds import register_kind_rules
from .arb_gas_info import ARB_GAS_INFO, ArbGasInfo
from .arbsys import ARBSYS, ArbSys, send_state
from .node_interface import NODE_INTERFACE, NodeInterface
from .retryables import ARB_RETRYABLE_TX, ArbRetryableTx

NITRO_PREV_RANDAO = 1
"""What ``block.prevrandao`` (DIFFICULTY) reads on Arbitrum chains: the header's difficulty, 1."""


def nitro_rules() -> ChainRules:
    """The EVM rules of an Arbitrum (nitro) or Orbit chain."""
    return ChainRules(
        number="l1",
        prev_randao=NITRO_PREV_RANDAO,
        precompiles=(ArbSys(), ArbGasInfo(), ArbRetryableTx(), NodeInterface()),
        send_state=send_state,
    )


CHILD_SYSTEM_CONTRACTS: dict[str, bytes] = {
    "ArbSys": ARBSYS,
    "ArbGasInfo": ARB_GAS_INFO,
    "ArbRetryableTx": ARB_RETRYABLE_TX,
    "NodeInterface": NODE_INTERFACE,
}
"""The child's precompiles by name, for ``devnet.system_contracts()`` beside the parent's contracts."""


register_kind_rules("nitro", nitro_rules)
register_kind_rules("orbit", nitro_rules)

__all__ = [
    "ARBSYS",
    "ARB_GAS_INFO",
    "ARB_RETRYABLE_TX",
    "CHILD_SYSTEM_CONTRACTS",
    "NITRO_PREV_RANDAO",
    "NODE_INTERFACE",
    "ArbGasInfo",
    "ArbRetryableTx",
    "ArbSys",
    "NodeInterface",
    "nitro_rules",
]
