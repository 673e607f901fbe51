"""Blocks, transactions, receipts and logs in the JSON-RPC shape the seam speaks.

The keys and their encodings are the Ethereum execution API's, and the same as the py-evm engine's,
so the provider and RPC server above never learn which engine answered: headers and logs are
shaped by the one ``chains/rpc_objects.py`` both engines use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine import RpcObject
from ..rpc_objects import data, header_object, log_object, quantity
from .blocks import Header, Log, Receipt
from .transactions import Transaction


def format_header(header: Header) -> RpcObject:
    return header_object(header, number=header.number, base_fee=header.base_fee)


def format_transaction(tx: Transaction, header: Header | None, index: int | None, base_fee: int) -> RpcObject:
    out: RpcObject = {
        "hash": data(tx.hash),
        "type": quantity(tx.type),
        "from": data(tx.sender),
        "to": data(tx.to) if tx.to else None,
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "input": data(tx.data),
        "blockHash": data(header.hash) if header else None,
        "blockNumber": quantity(header.number) if header else None,
        "transactionIndex": quantity(index) if index is not None else None,
    }
    if tx.is_system:
        return out | {
            "nonce": quantity(0),
            "gasPrice": quantity(0),
            "sourceHash": data(tx.source_hash),
            "mint": quantity(tx.mint),
            "isSystemTx": tx.is_system_tx,
        }
    out |= {"nonce": quantity(tx.nonce), "r": quantity(tx.r), "s": quantity(tx.s)}
    if tx.type == 0:
        out |= {"gasPrice": quantity(tx.gas_price), "v": quantity(tx.v)}
        if tx.chain_id is not None:
            out["chainId"] = quantity(tx.chain_id)
        return out
    out |= {
        "chainId": quantity(tx.chain_id or 0),
        "yParity": quantity(tx.v),
        "v": quantity(tx.v),
        "accessList": [
            {"address": data(address), "storageKeys": [data(key.to_bytes(32, "big")) for key in keys]}
            for address, keys in tx.access_list
        ],
    }
    if tx.type == 1:
        out["gasPrice"] = quantity(tx.gas_price)
        return out
    return out | {
        "maxFeePerGas": quantity(tx.max_fee_per_gas),
        "maxPriorityFeePerGas": quantity(tx.max_priority_fee_per_gas),
        "gasPrice": quantity(tx.effective_gas_price(base_fee)),
    }


def format_log(log: Log, header: Header, tx_index: int, tx_hash: bytes, log_index: int) -> RpcObject:
    return log_object(
        log.address,
        log.topics,
        log.data,
        block=(header.number, header.hash, header.timestamp),
        tx_hash=tx_hash,
        tx_index=tx_index,
        log_index=log_index,
    )


def format_receipt(
    header: Header,
    index: int,
    tx: Transaction,
    receipts: Sequence[Receipt],
    created: bytes | None,
) -> RpcObject:
    receipt = receipts[index]
    previous = receipts[index - 1].cumulative_gas_used if index else 0
    first_log = sum(len(r.logs) for r in receipts[:index])
    price: Any = 0 if tx.is_system else tx.effective_gas_price(header.base_fee)
    return {
        "transactionHash": data(tx.hash),
        "transactionIndex": quantity(index),
        "blockHash": data(header.hash),
        "blockNumber": quantity(header.number),
        "from": data(tx.sender),
        "to": data(tx.to) if tx.to else None,
        "cumulativeGasUsed": quantity(receipt.cumulative_gas_used),
        "gasUsed": quantity(receipt.cumulative_gas_used - previous),
        "effectiveGasPrice": quantity(price),
        "contractAddress": data(created) if created else None,
        "logs": [
            format_log(log, header, index, tx.hash, first_log + i) for i, log in enumerate(receipt.logs)
        ],
        "logsBloom": data(receipt.bloom.to_bytes(256, "big")),
        "status": quantity(1 if receipt.success else 0),
        "type": quantity(tx.type),
    }
