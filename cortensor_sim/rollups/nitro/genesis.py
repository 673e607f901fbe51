"""What a Nitro rollup lays into genesis: on its parent Bridge, Inbox, SequencerInbox, Outbox, Rollup
and ParentCORGateway; on the child ChildCORGateway.

Nitro's contracts keep their wiring partly in immutables (``Bridge.owner``, ``Inbox.bridge``,
``Outbox.rollup``...), which live in the runtime code a constructor returns. So, as OP Stack's
genesis tooling does for its L2 predeploys (ethereum-optimism/optimism ``op-chain-ops/genesis``
runs the deploy scripts in a scratch EVM and dumps the state), the accounts are made by running the
real deployment (:func:`~.deployment.deploy_parent_contracts`: constructors and wiring
transactions) on a scratch chain and copying each contract's runtime code and storage.

A state trie keys storage by ``keccak(slot)``, so the slots are recovered by reading every slot the
contracts' Solidity layouts can use (the first words, array data and mapping entries keyed by the
wired addresses); :func:`parent_genesis` then checks that each copied account's storage root is the
scratch account's, so a missed slot is an error at build time, never a silently different chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak

from ...artifacts import load_artifact
from ...chains import genesis_cache
from ...chains.devnet import ROLLUP_CREATION_L1_BLOCK
from ...chains.engine import GenesisAccount
from ...chains.engines import engine_for
from ...chains.evm import EvmChain
from ...chains.kinds import rules_for_kind
from . import deployment
from .deployment import NitroParentContracts, deploy_gateways, deploy_parent_contracts
from .transactions import address_bytes

FIXED_SLOTS = 16
"""Value slots and array-length slots sit in the first words of each contract's layout."""
STRUCT_WORDS = 8
"""Words read after each array's data start and each mapping entry (covers every struct used)."""
SMALL_KEYS = range(4)
"""Integer mapping keys the wiring can touch (assertion numbers, indices)."""
_CODE_FILES = (Path(__file__), Path(deployment.__file__), Path(genesis_cache.__file__))
CACHE_NAMESPACE = "nitro-genesis"
CONTRACTS = (
    "Bridge",
    "Inbox",
    "ERC20Bridge",
    "ERC20Inbox",
    "SequencerInbox",
    "Outbox",
    "Rollup",
    "ParentCORGateway",
    "ChildCORGateway",
    "BridgedCORToken",
)
"""The artifacts a genesis deployment may run: their bytecode is part of the cache key."""
"""The code that shapes the genesis accounts: part of the on-disk cache's key."""


class GenesisLayoutError(RuntimeError):
    """A copied contract's storage does not match the deployment's: a slot was not recovered."""


@dataclass(frozen=True)
class NitroGenesisRoles:
    """The accounts a Nitro rollup's parent contracts name: its owner (the deployer) and actors."""

    owner: bytes
    owner_key: bytes
    validator: bytes
    challenger: bytes
    batch_poster: bytes


@dataclass(frozen=True)
class NitroGenesisParameters:
    """Everything a Nitro rollup's parent-side genesis depends on: what :func:`deploy_genesis`
    deploys from, and so what :func:`parent_genesis` caches by.

    With ``gateways`` the COR token gateways come too; with ``native_token`` (an ERC-20 on the
    parent) the child's gas is that token (ERC20Bridge and ERC20Inbox).
    """

    parent_kind: str
    parent_chain_id: int
    genesis_time: int
    roles: NitroGenesisRoles
    confirm_period_blocks: int
    gateways: bool = True
    native_token: str | None = None


@dataclass(frozen=True)
class NitroGenesis:
    """The accounts to lay in the parent's and the child's genesis, and where the contracts sit."""

    accounts: dict[bytes, GenesisAccount]
    contracts: NitroParentContracts
    child_accounts: dict[bytes, GenesisAccount]
    bridged_token_code: bytes = b""
    """Runtime code of the child gateway's ``BridgedCORToken`` (the gateway is an immutable in
    it), for a token the child holds at genesis; empty without gateways."""


def _candidate_slots(keys: Sequence[bytes]) -> list[int]:
    """Every slot the layouts can use: fixed words, array data, mapping entries by ``keys``."""
    words = [k.rjust(32, b"\0") for k in keys] + [i.to_bytes(32, "big") for i in SMALL_KEYS]
    slots: set[int] = set(range(FIXED_SLOTS))
    for position in range(FIXED_SLOTS):
        base = position.to_bytes(32, "big")
        start = int.from_bytes(keccak(base), "big")
        slots.update(start + i for i in range(STRUCT_WORDS))
        for word in words:
            entry = int.from_bytes(keccak(word + base), "big")
            slots.update(entry + i for i in range(STRUCT_WORDS))
    return sorted(slots)


@cache
def parent_genesis(parameters: NitroGenesisParameters) -> NitroGenesis:
    """The accounts :func:`deploy_genesis` makes for these parameters.

    Cached per process (every devnet of the same topology lays the same accounts) and on disk
    (``chains/genesis_cache.py``: keyed by the arguments, the contracts' bytecode and this code), so only
    the first ``Devnet()`` ever built with these inputs pays for the scratch deployment.
    """
    bytecodes = [load_artifact(name).bytecode for name in CONTRACTS]
    key = genesis_cache.cache_key((parameters,), bytecodes, _CODE_FILES)
    return genesis_cache.cached(CACHE_NAMESPACE, key, lambda: deploy_genesis(parameters), _encode, _decode)


def _encode(built: NitroGenesis) -> dict[str, Any]:
    return {
        "accounts": genesis_cache.encode_accounts(built.accounts),
        "contracts": asdict(built.contracts),
        "child_accounts": genesis_cache.encode_accounts(built.child_accounts),
        "bridged_token_code": built.bridged_token_code.hex(),
    }


def _decode(stored: dict[str, Any]) -> NitroGenesis:
    return NitroGenesis(
        genesis_cache.decode_accounts(stored["accounts"]),
        NitroParentContracts(**stored["contracts"]),
        genesis_cache.decode_accounts(stored["child_accounts"]),
        bytes.fromhex(stored["bridged_token_code"]),
    )


def deploy_genesis(parameters: NitroGenesisParameters) -> NitroGenesis:
    """Run the deployment on a scratch copy of the parent and return the contracts' accounts.

    With ``gateways`` the COR token gateways come too: the parent's beside the rollup's contracts,
    the child's (deployed on the scratch chain, its code independent of the chain) for the child's
    genesis, and the runtime code of the child gateway's ``BridgedCORToken``. With ``native_token``
    (an ERC-20 on the parent) the child's gas is that token: ERC20Bridge and ERC20Inbox.
    """
    parent_kind, parent_chain_id, roles = parameters.parent_kind, parameters.parent_chain_id, parameters.roles
    deployer: LocalAccount = Account.from_key(roles.owner_key)
    rules = rules_for_kind(parent_kind)
    scratch = EvmChain(
        "nitro-genesis",
        kind=parent_kind,  # type: ignore[arg-type]
        chain_id=parent_chain_id,
        block_time_ms=1000,
        genesis_time=parameters.genesis_time,
        seed=b"nitro-genesis",
        accounts=(deployer,),
        engine_factory=engine_for("nitro-genesis", parent_kind, None, rules),
        rules=rules,
        l1_block_number=lambda: ROLLUP_CREATION_L1_BLOCK,
    )
    contracts = deploy_parent_contracts(
        scratch,
        deployer,
        confirm_period_blocks=parameters.confirm_period_blocks,
        validators=["0x" + roles.validator.hex()],
        challengers=["0x" + roles.challenger.hex()],
        batch_posters=["0x" + roles.batch_poster.hex()],
        native_token=parameters.native_token,
    )
    bridged_token_code = b""
    if parameters.gateways:
        contracts, child_gateway_address = deploy_gateways(scratch, deployer, contracts)
        token = scratch.deploy(
            load_artifact("BridgedCORToken"), child_gateway_address, sender=deployer.address
        )
        bridged_token_code = scratch.engine.get_code(address_bytes(token.address))
    addresses = [address_bytes(a) for a in contracts.names().values()]
    keys = [*addresses, roles.owner, roles.validator, roles.challenger, roles.batch_poster]
    candidates = _candidate_slots(keys)
    engine = scratch.engine
    accounts: dict[bytes, GenesisAccount] = {}
    for address in addresses:
        storage = {slot: v for slot in candidates if (v := engine.get_storage(address, slot))}
        accounts[address] = GenesisAccount(
            code=engine.get_code(address), storage=storage, nonce=engine.get_nonce(address)
        )
    _check_storage_roots(scratch, accounts, parent_chain_id)
    child_gateway = address_bytes(contracts.child_gateway) if contracts.child_gateway else None
    child_accounts = {child_gateway: accounts.pop(child_gateway)} if child_gateway else {}
    return NitroGenesis(accounts, contracts, child_accounts, bridged_token_code)


def _check_storage_roots(scratch: EvmChain, accounts: dict[bytes, GenesisAccount], chain_id: int) -> None:
    """Lay ``accounts`` in a fresh chain and compare storage roots with the scratch deployment."""
    kind = scratch.kind
    rules = rules_for_kind(kind)
    check = EvmChain(
        "nitro-genesis-check",
        kind=kind,
        chain_id=chain_id,
        block_time_ms=1000,
        genesis_time=scratch.genesis_time,
        seed=b"nitro-genesis",
        accounts=(),
        engine_factory=engine_for("nitro-genesis-check", kind, None, rules),
        predeploys=accounts,
        rules=rules,
        l1_block_number=lambda: ROLLUP_CREATION_L1_BLOCK,
    )
    for address in accounts:
        laid = check.engine.get_proof(address, []).storage_hash
        deployed = scratch.engine.get_proof(address, []).storage_hash
        if laid != deployed:
            raise GenesisLayoutError(f"0x{address.hex()}: storage copied from the deployment is incomplete")
