"""How Nitro's off-chain actors write: signed transactions from their own accounts, nothing else.

Calldata is encoded once with eth-abi and the transaction signed locally and handed to the chain
raw: the hot path the devnet's actors share (no web3 middleware per transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from ...chains.abi_signatures import selector
from ...chains.engine import CallRequest, EngineError, ExecutionReverted
from ...chains.evm import EvmChain

GWEI = 10**9


class ActorTransactionError(EngineError):
    """An actor's transaction would revert or was not included: says which call, where, and why."""


def calldata(signature: str, types: Sequence[str], values: Sequence[Any]) -> bytes:
    """``signature``'s selector followed by ``values`` ABI-encoded as ``types``."""
    return selector(signature) + encode(list(types), list(values))


def address_bytes(address: str | bytes) -> bytes:
    if isinstance(address, bytes):
        return address
    return bytes.fromhex(address[2:] if address.startswith("0x") else address)


def call(chain: EvmChain, to: str | bytes, data: bytes, block: int | str = "latest") -> bytes:
    """A read (``eth_call``) against ``block`` (against now, for ``latest``)."""
    now = {"at_time": int(chain.now), **chain.l1_context()} if block == "latest" else {}
    return chain.engine.call(CallRequest(to=address_bytes(to), data=data), block=block, **now)


def send(chain: EvmChain, account: LocalAccount, to: str | bytes, data: bytes, value: int = 0) -> bytes:
    """Estimate, sign and send one call from ``account``; returns the transaction hash.

    The estimate runs the call first, so a call that would revert raises here with its reason
    instead of costing the actor a failed transaction.
    """
    sender = address_bytes(account.address)
    request = CallRequest(sender=sender, to=address_bytes(to), data=data, value=value)
    try:
        gas = chain.engine.estimate_gas(request, at_time=int(chain.now), **chain.l1_context())
    except ExecutionReverted as exc:
        raise ActorTransactionError(
            f"{chain.name}: call to 0x{address_bytes(to).hex()} from {account.address} would revert: {exc} "
            f"(data 0x{exc.data.hex()})"
        ) from exc
    base_fee = int(chain.engine.get_block("latest")["baseFeePerGas"], 16)
    raw = account.sign_transaction(
        {
            "chainId": chain.chain_id,
            "nonce": chain.pending_nonce(sender),
            "to": to_checksum_address(address_bytes(to)),
            "value": value,
            "data": data,
            "gas": gas + gas // 5,
            "maxFeePerGas": 2 * base_fee + GWEI,
            "maxPriorityFeePerGas": 0,
            "type": 2,
        }
    ).raw_transaction
    return chain.send_raw_transaction(bytes(raw))


def receipt(chain: EvmChain, tx_hash: bytes) -> dict[str, Any]:
    """The receipt of an actor's transaction, sealing the chain's pool first if it waits in one."""
    found = chain.engine.get_receipt(tx_hash)
    if found is None:
        chain.mine()
        found = chain.engine.get_receipt(tx_hash)
    if found is None:
        raise ActorTransactionError(f"{chain.name}: transaction 0x{tx_hash.hex()} was not included")
    return found
