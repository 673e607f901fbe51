"""What the guardian bridge lays into its EVM chain's genesis: WormholeCore and the token bridge,
which locks that chain's COR (l1's canonical COR, or the COR gateways' bridged COR on a rollup).

As for the Nitro parent contracts (``rollups/nitro/genesis.py``), the accounts are made by running
the real constructors on a scratch chain and copying each contract's runtime code (the immutables
live there) and storage, then checking that each copied account's storage root equals the scratch
account's, so a slot left behind is an error at build time.

Deployment order (one deployer, nonces 0, 1): WormholeCore(guardian set 0), then
WormholeTokenBridge(core, COR). COR's address is known before its chain is built (a fixed address on
l1; ``calculateL2TokenAddress`` on a rollup), so the bridge names it as an immutable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import rlp
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ...artifacts import load_artifact
from ...chains import genesis_cache
from ...chains.devnet import ROLLUP_CREATION_L1_BLOCK
from ...chains.engine import GenesisAccount
from ...chains.engines import engine_for
from ...chains.evm import EvmChain
from ...chains.kinds import rules_for_kind
from .addresses import GOVERNANCE_CHAIN_ID, GOVERNANCE_EMITTER, SOLANA_CHAIN_ID

FIXED_SLOTS = 8
GUARDIAN_SET_INDICES = range(4)
"""Guardian sets the scratch deployment can have written (only set 0 at genesis)."""
MAX_GUARDIANS = 19
CONTRACTS = ("WormholeCore", "WormholeTokenBridge")
"""The artifacts the genesis deployment runs."""
CACHE_NAMESPACE = "wormhole-genesis"


class WormholeGenesisError(RuntimeError):
    """A copied contract's storage does not match the deployment's: a slot was not recovered."""


@dataclass(frozen=True)
class WormholeContracts:
    core: bytes
    token_bridge: bytes
    cor: bytes
    """The COR the token bridge locks (deployed by its own chain's genesis or gateway, not here)."""

    def names(self) -> dict[str, str]:
        return {
            "WormholeCore": to_checksum_address(self.core),
            "WormholeTokenBridge": to_checksum_address(self.token_bridge),
            "COR": to_checksum_address(self.cor),
        }


@dataclass(frozen=True)
class WormholeGenesisParameters:
    """Everything the guardian bridge's genesis depends on: what :func:`deploy_wormhole_genesis`
    deploys from, and so what :func:`wormhole_genesis` caches by."""

    kind: str
    """The EVM chain's kind (the scratch chain runs its rules)."""
    chain_id: int
    wormhole_chain_id: int
    genesis_time: int
    deployer_key: bytes
    guardians: tuple[bytes, ...]
    """Guardian set 0's addresses."""
    solana_emitter: bytes
    """The Solana token bridge's emitter (the mint authority) the EVM bridge accepts."""
    solana_mint: bytes
    cor: bytes
    """The COR the token bridge locks, on the EVM chain (laid by its own genesis or gateway)."""


@dataclass(frozen=True)
class WormholeGenesis:
    accounts: dict[bytes, GenesisAccount]
    contracts: WormholeContracts


def create_address(sender: bytes, nonce: int) -> bytes:
    """The address a CREATE from ``sender`` at ``nonce`` takes."""
    return keccak(rlp.encode([sender, nonce]))[12:]


def _candidate_slots() -> list[int]:
    """The fixed words, and guardian set i's keys array (length, data) and expiry in the mapping."""
    slots: set[int] = set(range(FIXED_SLOTS))
    for position in range(FIXED_SLOTS):
        for index in GUARDIAN_SET_INDICES:
            entry = int.from_bytes(keccak(index.to_bytes(32, "big") + position.to_bytes(32, "big")), "big")
            slots.update((entry, entry + 1))
            data = int.from_bytes(keccak(entry.to_bytes(32, "big")), "big")
            slots.update(data + i for i in range(MAX_GUARDIANS))
    return sorted(slots)


def _scratch(
    name: str, kind: str, chain_id: int, genesis_time: int, accounts: object, **extra: object
) -> EvmChain:
    rules = rules_for_kind(kind)
    return EvmChain(
        name,
        kind=kind,  # type: ignore[arg-type]
        chain_id=chain_id,
        block_time_ms=1000,
        genesis_time=genesis_time,
        seed=b"wormhole-genesis",
        accounts=accounts,  # type: ignore[arg-type]
        engine_factory=engine_for(name, kind, None, rules),
        rules=rules,
        l1_block_number=lambda: ROLLUP_CREATION_L1_BLOCK,
        **extra,  # type: ignore[arg-type]
    )


def _deploy(chain: EvmChain, key: bytes, name: str, types: Sequence[str], args: Sequence[object]) -> bytes:
    account = Account.from_key(key)
    sender = bytes.fromhex(account.address[2:])
    nonce = chain.pending_nonce(sender)
    data = bytes(load_artifact(name).bytecode) + encode(list(types), list(args))
    base_fee = int(chain.engine.get_block("latest")["baseFeePerGas"], 16)
    raw = account.sign_transaction(
        {
            "type": 2,
            "chainId": chain.chain_id,
            "nonce": nonce,
            "to": "",
            "value": 0,
            "data": data,
            "gas": 8_000_000,
            "maxFeePerGas": 2 * base_fee + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
    ).raw_transaction
    tx_hash = chain.send_raw_transaction(bytes(raw))
    chain.mine()
    receipt = chain.engine.get_receipt(tx_hash)
    if receipt is None or receipt["status"] != "0x1":
        raise WormholeGenesisError(f"deploying {name} failed on the scratch chain")
    return create_address(sender, nonce)


@cache
def wormhole_genesis(parameters: WormholeGenesisParameters) -> WormholeGenesis:
    """The accounts :func:`deploy_wormhole_genesis` makes for these parameters.

    Cached per process (every devnet of the same seed and topology lays the same accounts) and on
    disk (``chains/genesis_cache.py``: keyed by the arguments, the contracts' bytecode and this
    code), so only the first ``Devnet()`` ever built with these inputs pays for the deployment.
    """
    bytecodes = [load_artifact(name).bytecode for name in CONTRACTS]
    key = genesis_cache.cache_key((parameters,), bytecodes, (Path(__file__),))
    return genesis_cache.cached(
        CACHE_NAMESPACE, key, lambda: deploy_wormhole_genesis(parameters), _encode, _decode
    )


def _encode(built: WormholeGenesis) -> dict[str, Any]:
    contracts = built.contracts
    return {
        "accounts": genesis_cache.encode_accounts(built.accounts),
        "contracts": {
            "core": contracts.core.hex(),
            "token_bridge": contracts.token_bridge.hex(),
            "cor": contracts.cor.hex(),
        },
    }


def _decode(stored: dict[str, Any]) -> WormholeGenesis:
    contracts = {name: bytes.fromhex(value) for name, value in stored["contracts"].items()}
    return WormholeGenesis(genesis_cache.decode_accounts(stored["accounts"]), WormholeContracts(**contracts))


def deploy_wormhole_genesis(parameters: WormholeGenesisParameters) -> WormholeGenesis:
    """Deploy the two contracts on a scratch chain of ``kind`` and return their accounts."""
    kind, chain_id, genesis_time = parameters.kind, parameters.chain_id, parameters.genesis_time
    deployer_key, guardians = parameters.deployer_key, parameters.guardians
    deployer = Account.from_key(deployer_key)
    scratch = _scratch("wormhole-genesis", kind, chain_id, genesis_time, (deployer,))
    core = _deploy(
        scratch,
        deployer_key,
        "WormholeCore",
        ["address[]", "uint16", "uint16", "bytes32"],
        [
            [to_checksum_address(g) for g in guardians],
            parameters.wormhole_chain_id,
            GOVERNANCE_CHAIN_ID,
            GOVERNANCE_EMITTER,
        ],
    )
    bridge = _deploy(
        scratch,
        deployer_key,
        "WormholeTokenBridge",
        ["address", "address", "uint16", "bytes32", "bytes32"],
        [
            to_checksum_address(core),
            to_checksum_address(parameters.cor),
            SOLANA_CHAIN_ID,
            parameters.solana_emitter,
            parameters.solana_mint,
        ],
    )
    candidates = _candidate_slots()
    engine = scratch.engine
    accounts: dict[bytes, GenesisAccount] = {}
    for address in (core, bridge):
        storage = {slot: v for slot in candidates if (v := engine.get_storage(address, slot))}
        accounts[address] = GenesisAccount(code=engine.get_code(address), storage=storage, nonce=1)
    check = _scratch("wormhole-genesis-check", kind, chain_id, genesis_time, (), predeploys=accounts)
    for address in accounts:
        if check.engine.get_proof(address, []).storage_hash != engine.get_proof(address, []).storage_hash:
            raise WormholeGenesisError(f"0x{address.hex()}: storage copied from the deployment is incomplete")
    return WormholeGenesis(accounts, WormholeContracts(core, bridge, parameters.cor))
