"""Helpers for the chain tests: hand-assembled contracts, signing, small topologies."""

from __future__ import annotations

from typing import Any

import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3

from cortensor_sim.chains import EvmChain

GENESIS = 1_767_225_600  # the default topology's genesis time
GWEI = 10**9

# Runtimes, hand-assembled (no compiler needed):
CHAINID_RUNTIME = bytes.fromhex("4660005260206000f3")  # mstore(0, chainid()); return(0, 32)
REVERT_RUNTIME = bytes.fromhex("600080fd")  # revert(0, 0)
STORE_CALLER_RUNTIME = bytes.fromhex("3360005500")  # sstore(0, caller()); stop
# sstore(calldataload(0), calldataload(32)); stop
STORE_ARGS_RUNTIME = bytes.fromhex("6020356000355500")
# log2(0, 0, calldataload(0), caller()); stop
EMIT_RUNTIME = bytes.fromhex("3360003560006000a200")


def init_code(runtime: bytes) -> bytes:
    """Minimal init code: codecopy the runtime that follows it to memory 0 and return it."""
    assert len(runtime) < 256
    prefix = bytes.fromhex(f"60{len(runtime):02x}600c60003960{len(runtime):02x}6000f3")
    assert len(prefix) == 12
    return prefix + runtime


def fresh_account(tag: int) -> LocalAccount:
    """A deterministic account with no balance on any chain."""
    return Account.from_key(bytes([tag]) * 32)


def sign(
    account: LocalAccount,
    chain_id: int,
    nonce: int,
    *,
    to: str | None = None,
    value: int = 0,
    data: bytes = b"",
    gas: int = 21_000,
) -> bytes:
    tx: dict[str, Any] = {
        "chainId": chain_id,
        "nonce": nonce,
        "value": value,
        "data": data,
        "gas": gas,
        "maxFeePerGas": 10 * GWEI,
        "maxPriorityFeePerGas": GWEI,
        "type": 2,
    }
    if to is not None:
        tx["to"] = to
    return bytes(account.sign_transaction(tx).raw_transaction)


def send(chain: EvmChain, account: LocalAccount, **kwargs: Any) -> bytes:
    """Sign for ``chain`` with the next pending nonce and send through web3."""
    nonce = chain.w3.eth.get_transaction_count(account.address, "pending")
    raw = sign(account, chain.chain_id, nonce, **kwargs)
    return bytes(chain.w3.eth.send_raw_transaction(raw))


def deploy_runtime(chain: EvmChain, runtime: bytes, account: LocalAccount | None = None) -> str:
    """Deploy ``runtime`` and return its checksum address (mines at once in interval mode)."""
    account = account or chain.accounts[0]
    nonce = chain.w3.eth.get_transaction_count(account.address, "pending")
    tx_hash = send(chain, account, data=init_code(runtime), gas=200_000)
    if chain.mining == "interval":
        chain.mine()
    receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    address = receipt["contractAddress"]
    assert address == create_address(account.address, nonce)
    assert chain.w3.eth.get_code(address) == runtime
    return address


def create_address(sender: str, nonce: int) -> str:
    """CREATE's address: keccak(rlp([sender, nonce]))[12:]."""
    return checksum(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def checksum(raw: bytes | str) -> str:
    if isinstance(raw, bytes):
        return Web3.to_checksum_address("0x" + raw.hex())
    return Web3.to_checksum_address(raw)


def interval_topology(seed: str = "cortensor-sim", **overrides: Any) -> dict[str, Any]:
    """Every EVM kind, all in ``interval`` mining, plus Solana."""
    chains = [
        {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12, "mining": "interval"},
        {
            "name": "op",
            "kind": "op-stack",
            "parent": "l1",
            "chain_id": 901,
            "block_time": 2,
            "mining": "interval",
        },
        {
            "name": "arb",
            "kind": "nitro",
            "parent": "l1",
            "chain_id": 412346,
            "block_time": 0.25,
            "mining": "interval",
        },
        {
            "name": "orb",
            "kind": "orbit",
            "parent": "arb",
            "chain_id": 333333,
            "block_time": 0.25,
            "mining": "interval",
        },
        {"name": "solana", "kind": "solana", "block_time": 0.4},
    ]
    return {"seed": seed, "chains": chains, **overrides}


EVM_CHAINS = {"l1": 900, "base": 901, "arbitrum": 412346, "l3": 333333}
"""The default devnet's EVM chains and their ids."""

ENGINES = ("py-evm", "revm")
"""The EVM engines every chain test runs on."""

ENGINE_NEUTRAL_MODULES = frozenset({"test_solana", "test_topology_validation", "test_engine_rules"})
"""Chain test modules with no EVM execution in them, or that pick each engine themselves
(test_engine_rules): the environment variable does not multiply them."""


def opening_deposits(chain: EvmChain) -> int:
    """How many derived deposits open each block of ``chain``: the L1 attributes deposit on an OP
    Stack chain (one per block), none elsewhere."""
    return 1 if chain.kind == "op-stack" else 0
