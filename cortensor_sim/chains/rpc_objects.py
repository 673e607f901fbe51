"""Block headers and logs in the Ethereum execution API's JSON shape, written once for every engine.

Both engines (py-evm and revm) answer the seam's ``get_block``, ``get_receipt`` and ``get_logs``
with these objects, so the provider and the RPC server above never learn which engine answered.
The keys and their encodings are the execution API's (ethereum/execution-apis, src/schemas/block.yaml
and receipt.yaml): quantities as minimal hex, data as ``0x``-prefixed hex.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .engine import RpcObject


def quantity(value: int) -> str:
    """A QUANTITY: an integer as minimal hex."""
    return hex(value)


def data(value: bytes) -> str:
    """DATA: bytes as 0x-prefixed hex (addresses too, in lower case)."""
    return "0x" + value.hex()


class HeaderFields(Protocol):
    """The header fields the block object shows, by the names both engines' headers share (the
    block number and base fee, which they name differently, are passed beside it)."""

    @property
    def hash(self) -> bytes: ...
    @property
    def parent_hash(self) -> bytes: ...
    @property
    def nonce(self) -> bytes: ...
    @property
    def uncles_hash(self) -> bytes: ...
    @property
    def bloom(self) -> int: ...
    @property
    def transaction_root(self) -> bytes: ...
    @property
    def state_root(self) -> bytes: ...
    @property
    def receipt_root(self) -> bytes: ...
    @property
    def coinbase(self) -> bytes: ...
    @property
    def difficulty(self) -> int: ...
    @property
    def extra_data(self) -> bytes: ...
    @property
    def gas_limit(self) -> int: ...
    @property
    def gas_used(self) -> int: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def mix_hash(self) -> bytes: ...
    @property
    def withdrawals_root(self) -> bytes: ...
    @property
    def blob_gas_used(self) -> int: ...
    @property
    def excess_blob_gas(self) -> int: ...
    @property
    def parent_beacon_block_root(self) -> bytes: ...
    @property
    def requests_hash(self) -> bytes: ...


def header_object(header: HeaderFields, *, number: int, base_fee: int) -> RpcObject:
    """A block object's header fields (Prague's), without its transactions, size and uncles."""
    return {
        "number": quantity(number),
        "hash": data(header.hash),
        "parentHash": data(header.parent_hash),
        "nonce": data(header.nonce),
        "sha3Uncles": data(header.uncles_hash),
        "logsBloom": data(header.bloom.to_bytes(256, "big")),
        "transactionsRoot": data(header.transaction_root),
        "stateRoot": data(header.state_root),
        "receiptsRoot": data(header.receipt_root),
        "miner": data(header.coinbase),
        "difficulty": quantity(header.difficulty),
        "totalDifficulty": quantity(0),
        "extraData": data(header.extra_data),
        "gasLimit": quantity(header.gas_limit),
        "gasUsed": quantity(header.gas_used),
        "timestamp": quantity(header.timestamp),
        "mixHash": data(header.mix_hash),
        "baseFeePerGas": quantity(base_fee),
        "withdrawals": [],
        "withdrawalsRoot": data(header.withdrawals_root),
        "blobGasUsed": quantity(header.blob_gas_used),
        "excessBlobGas": quantity(header.excess_blob_gas),
        "parentBeaconBlockRoot": data(header.parent_beacon_block_root),
        "requestsHash": data(header.requests_hash),
    }


def log_object(
    address: bytes,
    topics: Sequence[bytes],
    payload: bytes,
    *,
    block: tuple[int, bytes, int],
    tx_hash: bytes,
    tx_index: int,
    log_index: int,
) -> RpcObject:
    """A log as receipts and ``eth_getLogs`` show it; ``block`` is (number, hash, timestamp)."""
    number, block_hash, timestamp = block
    return {
        "address": data(address),
        "topics": [data(topic) for topic in topics],
        "data": data(payload),
        "blockNumber": quantity(number),
        "blockHash": data(block_hash),
        "blockTimestamp": quantity(timestamp),
        "transactionHash": data(tx_hash),
        "transactionIndex": quantity(tx_index),
        "logIndex": quantity(log_index),
        "removed": False,
    }
