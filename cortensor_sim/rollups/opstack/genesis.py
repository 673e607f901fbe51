"""What an OP Stack rollup lays into genesis: predeploys on the child, system contracts on the parent.

The real OP genesis lays predeploys' runtime code with their configuration in storage (an
immutable would live in the code a constructor returns, and genesis runs no constructor). The
contracts here keep every setting in storage for that reason; the slots are the ones their sources
declare (pinned by the tests that read them back through the getters).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from ...artifacts import load_artifact
from ...chains.engine import GenesisAccount
from ...chains.topology import SettlementSpec
from .addresses import (
    DEFAULT_L2_SENDER,
    L1_BLOCK,
    L2_CROSS_DOMAIN_MESSENGER,
    L2_STANDARD_BRIDGE,
    L2_TO_L1_MESSAGE_PASSER,
    OPTIMISM_MINTABLE_ERC20_FACTORY,
    SystemAddresses,
    batch_inbox,
)

PERMISSIONED_GAME_TYPE = 1
ACTOR_BALANCE = 1_000 * 10**18
"""What each off-chain actor (proposer, challenger, relayer) holds at genesis to pay for gas."""


@cache
def _code(name: str) -> bytes:
    """Runtime code of a bundled contract, read once per process (every devnet's genesis needs it)."""
    return load_artifact(name).deployed_bytecode


def _word(address: bytes) -> int:
    return int.from_bytes(address, "big")


def _messenger(name: str, other: bytes, portal: bytes | None) -> GenesisAccount:
    """A CrossDomainMessenger: slot 0 the other side's messenger, 1 the portal, 2 the sender slot."""
    storage = {0: _word(other), 2: _word(DEFAULT_L2_SENDER)}
    if portal is not None:
        storage[1] = _word(portal)
    return GenesisAccount(code=_code(name), storage=storage)


def _bridge(name: str, messenger: bytes, other: bytes) -> GenesisAccount:
    """A StandardBridge: slot 0 its messenger, slot 1 the other side's bridge."""
    return GenesisAccount(code=_code(name), storage={0: _word(messenger), 1: _word(other)})


def child_genesis(addresses: SystemAddresses) -> dict[bytes, GenesisAccount]:
    """The predeploys an OP Stack child chain starts with (its messenger knows the parent's)."""
    return {
        L2_CROSS_DOMAIN_MESSENGER: _messenger(
            "L2CrossDomainMessenger", addresses.l1_cross_domain_messenger, None
        ),
        L2_STANDARD_BRIDGE: _bridge(
            "L2StandardBridge", L2_CROSS_DOMAIN_MESSENGER, addresses.l1_standard_bridge
        ),
        OPTIMISM_MINTABLE_ERC20_FACTORY: GenesisAccount(
            code=_code("OptimismMintableERC20Factory"), storage={0: _word(L2_STANDARD_BRIDGE)}
        ),
        L1_BLOCK: GenesisAccount(code=_code("L1Block")),
        L2_TO_L1_MESSAGE_PASSER: GenesisAccount(code=_code("L2ToL1MessagePasser")),
    }


def system_config(
    addresses: SystemAddresses, owner: bytes, child_chain_id: int, child_gas_limit: int
) -> GenesisAccount:
    """SystemConfig with its settings in the slots its source declares: 0 owner, 1 batcherHash,
    2 gasLimit | basefeeScalar << 64 | blobbasefeeScalar << 96 (packed), 3 unsafeBlockSigner,
    4 startBlock, 5 optimismPortal, 6 l1CrossDomainMessenger, 7 l1StandardBridge,
    8 disputeGameFactory, 9 batchInbox. The fee scalars start at zero: the devnet charges no L1 fee."""
    return GenesisAccount(
        code=_code("SystemConfig"),
        storage={
            0: _word(owner),
            1: _word(addresses.batcher),  # batcherHash: the batcher's address, left-padded
            2: child_gas_limit,
            5: _word(addresses.optimism_portal),
            6: _word(addresses.l1_cross_domain_messenger),
            7: _word(addresses.l1_standard_bridge),
            8: _word(addresses.dispute_game_factory),
            9: _word(batch_inbox(child_chain_id)),
        },
    )


def parent_genesis(
    addresses: SystemAddresses,
    settlement: SettlementSpec,
    proposer: bytes,
    challenger: bytes,
    actors: Mapping[bytes, int],
    config: GenesisAccount,
) -> dict[bytes, GenesisAccount]:
    """The rollup's system contracts on its parent, configured in storage, and its funded actors."""
    portal = GenesisAccount(
        code=_code("OptimismPortal2"),
        storage={
            0: _word(DEFAULT_L2_SENDER),  # l2Sender
            4: _word(addresses.dispute_game_factory),  # disputeGameFactory
            6: round(settlement.proof_maturity_delay),  # proofMaturityDelaySeconds
            7: round(settlement.dispute_game_finality_delay),  # disputeGameFinalityDelaySeconds
            8: PERMISSIONED_GAME_TYPE,  # respectedGameType
        },
    )
    factory = GenesisAccount(
        code=_code("DisputeGameFactory"),
        storage={
            0: _word(proposer),
            1: _word(challenger),
            4: round(settlement.game_clock_duration),  # maxClockDuration
        },
    )
    messenger = _messenger("L1CrossDomainMessenger", L2_CROSS_DOMAIN_MESSENGER, addresses.optimism_portal)
    accounts = {
        addresses.optimism_portal: portal,
        addresses.dispute_game_factory: factory,
        addresses.l1_cross_domain_messenger: messenger,
        addresses.l1_standard_bridge: _bridge(
            "L1StandardBridge", addresses.l1_cross_domain_messenger, L2_STANDARD_BRIDGE
        ),
        addresses.system_config: config,
    }
    accounts.update({address: GenesisAccount(balance=balance) for address, balance in actors.items()})
    return accounts
