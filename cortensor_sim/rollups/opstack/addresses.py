"""Where the OP Stack's contracts live.

Predeploys sit at their canonical addresses on every OP Stack chain
(ethereum-optimism/specs ``specs/protocol/predeploys.md``). The parent-side system contracts of a
rollup have no canonical address (each deployment has its own), so the devnet derives them from the
rollup's name: the same topology always gives the same addresses, and two rollups never share one.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak


def _address(hex_address: str) -> bytes:
    return bytes.fromhex(hex_address[2:])


L2_CROSS_DOMAIN_MESSENGER = _address("0x4200000000000000000000000000000000000007")
L2_STANDARD_BRIDGE = _address("0x4200000000000000000000000000000000000010")
OPTIMISM_MINTABLE_ERC20_FACTORY = _address("0x4200000000000000000000000000000000000012")
L1_BLOCK = _address("0x4200000000000000000000000000000000000015")
L2_TO_L1_MESSAGE_PASSER = _address("0x4200000000000000000000000000000000000016")

DEPOSITOR_ACCOUNT = _address("0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001")
"""The sender of the L1 attributes deposit (specs/protocol/deposits.md)."""

DEFAULT_L2_SENDER = _address("0x000000000000000000000000000000000000dead")
"""OptimismPortal's ``l2Sender`` outside a withdrawal's execution."""

PREDEPLOYS: dict[str, bytes] = {
    "L2CrossDomainMessenger": L2_CROSS_DOMAIN_MESSENGER,
    "L2StandardBridge": L2_STANDARD_BRIDGE,
    "OptimismMintableERC20Factory": OPTIMISM_MINTABLE_ERC20_FACTORY,
    "L1Block": L1_BLOCK,
    "L2ToL1MessagePasser": L2_TO_L1_MESSAGE_PASSER,
}
"""Predeploys this devnet lays in an OP Stack child's genesis, by the name the registry gives."""


def _derived(rollup: str, contract: str) -> bytes:
    return keccak(f"cortensor-sim:op-stack:{rollup}:{contract}".encode())[12:]


def batch_inbox(chain_id: int) -> bytes:
    """The batch inbox address by the OP Stack's convention: 0xff00..00 followed by the chain id
    (ethereum-optimism/optimism ``op-chain-ops`` deploy configs, e.g. Base's 0xff00...8453)."""
    return b"\xff" + chain_id.to_bytes(19, "big")


@dataclass(frozen=True)
class SystemAddresses:
    """The parent-side contracts of one OP Stack rollup."""

    optimism_portal: bytes
    dispute_game_factory: bytes
    l1_cross_domain_messenger: bytes
    l1_standard_bridge: bytes
    system_config: bytes
    batcher: bytes
    """The account named in ``SystemConfig.batcherHash`` (this devnet derives the child from the
    parent's state, so it posts no OP Stack batches: the batcher is a name, not an actor)."""

    @classmethod
    def of(cls, rollup: str) -> SystemAddresses:
        return cls(
            optimism_portal=_derived(rollup, "OptimismPortal"),
            dispute_game_factory=_derived(rollup, "DisputeGameFactory"),
            l1_cross_domain_messenger=_derived(rollup, "L1CrossDomainMessenger"),
            l1_standard_bridge=_derived(rollup, "L1StandardBridge"),
            system_config=_derived(rollup, "SystemConfig"),
            batcher=_derived(rollup, "batcher"),
        )

    def named(self) -> dict[str, bytes]:
        return {
            "OptimismPortal": self.optimism_portal,
            "DisputeGameFactory": self.dispute_game_factory,
            "L1CrossDomainMessenger": self.l1_cross_domain_messenger,
            "L1StandardBridge": self.l1_standard_bridge,
            "SystemConfig": self.system_config,
        }
