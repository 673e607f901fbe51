"""COR in a devnet's genesis: canonical COR on every root EVM chain, and the backing of each
COR-gas Orbit chain's native currency, escrowed hop by hop as real deposits would leave it.

An Orbit chain whose gas is COR (``native_token: COR``) starts with its dev accounts funded in its
native currency. On a real chain every unit of that currency was deposited through the parent's
ERC20Bridge, which escrows the parent's COR; on the parent (a Nitro chain) that COR is the
``BridgedCORToken`` its ChildCORGateway minted, backed by canonical COR its ParentCORGateway
escrows on l1. So genesis lays that state, and COR's total supply stays l1's:

- on l1, :data:`~cortensor_sim.rollups.cor_token.CANONICAL_COR` with the parent gateway's escrow,
  the rest with :data:`~cortensor_sim.rollups.cor_token.COR_HOLDER`;
- on the Nitro parent, its gateway's ``BridgedCORToken`` (at ``calculateL2TokenAddress``) holding
  that amount in the Orbit chain's ERC20Bridge;
- on the Orbit chain, the dev accounts' balances (``accounts * DEV_BALANCE``), which is its whole
  native supply at genesis, and :data:`~cortensor_sim.rollups.cor_token.WRAPPED_COR`, empty: the
  protocol's ERC-20 COR there wraps that native COR (``docs/layers.md``, "COR on every chain").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..chains.engine import GenesisAccount
from ..chains.evm import DEV_BALANCE
from ..chains.topology import Topology
from ..rollups.cor_token import (
    CANONICAL_COR,
    WRAPPED_COR,
    bridged_cor,
    calculate_l2_token_address,
    canonical_cor,
    wrapped_cor,
)


def _address(checksummed: str) -> bytes:
    return bytes.fromhex(checksummed[2:])


def cor_backing(topology: Topology) -> int:
    """The native currency a COR-gas chain's genesis holds: every dev account's balance."""
    return topology.accounts * DEV_BALANCE


def cor_genesis(topology: Topology, stacks: Mapping[str, Any]) -> dict[str, dict[bytes, GenesisAccount]]:
    """Chain -> the COR accounts its genesis holds (``stacks``: the Nitro stacks by rollup name)."""
    escrows: dict[str, dict[str, int]] = {}  # root chain -> parent gateway -> COR escrowed
    bridged: dict[str, dict[str, int]] = {}  # nitro chain -> ERC20Bridge -> bridged COR held
    for spec in topology.chains:
        if spec.native_token != "COR":
            continue
        assert spec.parent is not None  # the topology checked it: an orbit chain on a nitro chain
        root = topology.chain(spec.parent).parent
        assert root is not None
        gateway = stacks[spec.parent].laid.contracts.parent_gateway
        erc20_bridge = stacks[spec.name].laid.contracts.bridge
        root_escrows = escrows.setdefault(root, {})
        root_escrows[gateway] = root_escrows.get(gateway, 0) + cor_backing(topology)
        held = bridged.setdefault(spec.parent, {})
        held[erc20_bridge] = held.get(erc20_bridge, 0) + cor_backing(topology)
    accounts: dict[str, dict[bytes, GenesisAccount]] = {}
    for spec in topology.chains:
        if spec.is_evm and spec.parent is None:
            accounts[spec.name] = {_address(CANONICAL_COR): canonical_cor(escrows.get(spec.name, {}))}
    for chain, balances in bridged.items():
        laid = stacks[chain].laid
        token = calculate_l2_token_address(laid.contracts.child_gateway, CANONICAL_COR)
        accounts[chain] = {_address(token): bridged_cor(laid.bridged_token_code, balances)}
    for spec in topology.chains:
        if spec.native_token == "COR":
            accounts.setdefault(spec.name, {})[_address(WRAPPED_COR)] = wrapped_cor()
    return accounts
