"""The execution API's header and log objects, shaped once for both engines: quantities as minimal
hex, data as 0x-hex, the block number and base fee taken beside the header (the engines' headers
name them differently), and each log placed in its block and transaction."""

from __future__ import annotations

from dataclasses import dataclass

from cortensor_sim.chains.rpc_objects import header_object, log_object


@dataclass(frozen=True)
class _Header:
    hash: bytes = b"\x01" * 32
    parent_hash: bytes = b"\x02" * 32
    nonce: bytes = b"\x00" * 8
    uncles_hash: bytes = b"\x03" * 32
    bloom: int = 1
    transaction_root: bytes = b"\x04" * 32
    state_root: bytes = b"\x05" * 32
    receipt_root: bytes = b"\x06" * 32
    coinbase: bytes = b"\xab" * 20
    difficulty: int = 0
    extra_data: bytes = b""
    gas_limit: int = 30_000_000
    gas_used: int = 21_000
    timestamp: int = 1_767_225_600
    mix_hash: bytes = b"\x07" * 32
    withdrawals_root: bytes = b"\x08" * 32
    blob_gas_used: int = 0
    excess_blob_gas: int = 0
    parent_beacon_block_root: bytes = b"\x09" * 32
    requests_hash: bytes = b"\x0a" * 32


def test_a_header_object_takes_number_and_base_fee_beside_the_header() -> None:
    shaped = header_object(_Header(), number=16, base_fee=7)
    assert (shaped["number"], shaped["baseFeePerGas"], shaped["gasUsed"]) == ("0x10", "0x7", "0x5208")
    assert shaped["miner"] == "0x" + "ab" * 20 and shaped["extraData"] == "0x"
    assert shaped["logsBloom"] == "0x" + "00" * 255 + "01"
    assert (shaped["totalDifficulty"], shaped["withdrawals"]) == ("0x0", [])


def test_a_log_object_names_its_block_and_transaction() -> None:
    shaped = log_object(
        b"\x11" * 20,
        [b"\x22" * 32],
        b"\x33",
        block=(5, b"\x44" * 32, 12),
        tx_hash=b"\x55" * 32,
        tx_index=2,
        log_index=9,
    )
    assert shaped == {
        "address": "0x" + "11" * 20,
        "topics": ["0x" + "22" * 32],
        "data": "0x33",
        "blockNumber": "0x5",
        "blockHash": "0x" + "44" * 32,
        "blockTimestamp": "0xc",
        "transactionHash": "0x" + "55" * 32,
        "transactionIndex": "0x2",
        "logIndex": "0x9",
        "removed": False,
    }
