"""Blocks, receipts and their roots, built the way py-evm's Prague VM builds them.

The revm engine seals its own blocks: revm executes, and this module turns the outcome into a
header whose every field (base fee, roots, bloom, the Prague header extensions) equals what py-evm
writes for the same transactions, so both engines give one chain the same block hashes. The header
fields and their order are those of the execution-layer header after Prague (EIP-1559, EIP-4895,
EIP-4844, EIP-4788, EIP-7685).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property

import rlp
from eth_hash.auto import keccak

BLANK_ROOT = keccak(rlp.encode(b""))
"""The root of an empty Merkle-Patricia trie."""
EMPTY_UNCLES_HASH = keccak(rlp.encode([]))
EMPTY_REQUESTS_HASH = hashlib.sha256(b"").digest()
"""EIP-7685's requests hash of a block with no requests."""
ZERO_HASH = b"\x00" * 32
ZERO_ADDRESS = b"\x00" * 20

ELASTICITY_MULTIPLIER = 2
BASE_FEE_MAX_CHANGE_DENOMINATOR = 8

SUCCESS_STATUS = b"\x01"
FAILURE_STATUS = b""


@dataclass(frozen=True)
class Header:
    """An execution-layer block header, Prague's fields in Prague's order."""

    parent_hash: bytes
    state_root: bytes
    transaction_root: bytes
    receipt_root: bytes
    bloom: int
    number: int
    gas_limit: int
    gas_used: int
    timestamp: int
    extra_data: bytes
    mix_hash: bytes
    base_fee: int
    coinbase: bytes = ZERO_ADDRESS
    uncles_hash: bytes = EMPTY_UNCLES_HASH
    difficulty: int = 0
    nonce: bytes = b"\x00" * 8
    withdrawals_root: bytes = BLANK_ROOT
    blob_gas_used: int = 0
    excess_blob_gas: int = 0
    parent_beacon_block_root: bytes = BLANK_ROOT
    requests_hash: bytes = EMPTY_REQUESTS_HASH

    def fields(self) -> list[object]:
        return [
            self.parent_hash,
            self.uncles_hash,
            self.coinbase,
            self.state_root,
            self.transaction_root,
            self.receipt_root,
            self.bloom.to_bytes(256, "big"),
            self.difficulty,
            self.number,
            self.gas_limit,
            self.gas_used,
            self.timestamp,
            self.extra_data,
            self.mix_hash,
            self.nonce,
            self.base_fee,
            self.withdrawals_root,
            self.blob_gas_used,
            self.excess_blob_gas,
            self.parent_beacon_block_root,
            self.requests_hash,
        ]

    @cached_property
    def encoded(self) -> bytes:
        return rlp.encode(self.fields())

    @cached_property
    def hash(self) -> bytes:
        return keccak(self.encoded)

    def with_(self, **changes: object) -> Header:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Log:
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class Receipt:
    """A transaction's receipt: status (EIP-658), cumulative gas, bloom and logs."""

    tx_type: int
    success: bool
    cumulative_gas_used: int
    logs: tuple[Log, ...]
    bloom: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bloom", logs_bloom(self.logs))

    @property
    def encoded(self) -> bytes:
        """What the receipts trie holds: the RLP, prefixed by the type for typed transactions."""
        body = rlp.encode(
            [
                SUCCESS_STATUS if self.success else FAILURE_STATUS,
                self.cumulative_gas_used,
                self.bloom.to_bytes(256, "big"),
                [[log.address, list(log.topics), log.data] for log in self.logs],
            ]
        )
        return body if self.tx_type == 0 else bytes([self.tx_type]) + body


def logs_bloom(logs: tuple[Log, ...] | list[Log]) -> int:
    """The 2048-bit bloom of the logs' addresses and topics (yellow paper, section 4.3.1)."""
    bloom = 0
    for log in logs:
        for item in (log.address, *log.topics):
            digest = keccak(item)
            for i in (0, 2, 4):
                bloom |= 1 << (((digest[i] << 8) | digest[i + 1]) & 2047)
    return bloom


def next_base_fee(parent: Header) -> int:
    """EIP-1559: the base fee moves toward a target of half the gas limit, by at most 1/8."""
    target = parent.gas_limit // ELASTICITY_MULTIPLIER
    if parent.gas_used == target:
        return parent.base_fee
    if parent.gas_used > target:
        delta = parent.base_fee * (parent.gas_used - target) // target // BASE_FEE_MAX_CHANGE_DENOMINATOR
        return parent.base_fee + max(delta, 1)
    delta = parent.base_fee * (target - parent.gas_used) // target // BASE_FEE_MAX_CHANGE_DENOMINATOR
    return max(parent.base_fee - delta, 0)


def child_header(parent: Header, *, number: int, timestamp: int, mix_hash: bytes) -> Header:
    """The header a block on ``parent`` starts from (roots and gas filled in when it is sealed)."""
    return Header(
        parent_hash=parent.hash,
        state_root=parent.state_root,
        transaction_root=BLANK_ROOT,
        receipt_root=BLANK_ROOT,
        bloom=0,
        number=number,
        gas_limit=parent.gas_limit,  # constant, as on anvil: no drift toward a target
        gas_used=0,
        timestamp=timestamp,
        extra_data=b"",
        mix_hash=mix_hash,
        base_fee=next_base_fee(parent),
    )


def header_from_fields(fields: list[bytes]) -> Header:
    """Decode :meth:`Header.fields` as RLP gives them back (for state files)."""

    def num(value: bytes) -> int:
        return int.from_bytes(value, "big")

    return Header(
        parent_hash=fields[0],
        uncles_hash=fields[1],
        coinbase=fields[2],
        state_root=fields[3],
        transaction_root=fields[4],
        receipt_root=fields[5],
        bloom=num(fields[6]),
        difficulty=num(fields[7]),
        number=num(fields[8]),
        gas_limit=num(fields[9]),
        gas_used=num(fields[10]),
        timestamp=num(fields[11]),
        extra_data=fields[12],
        mix_hash=fields[13],
        nonce=fields[14],
        base_fee=num(fields[15]),
        withdrawals_root=fields[16],
        blob_gas_used=num(fields[17]),
        excess_blob_gas=num(fields[18]),
        parent_beacon_block_root=fields[19],
        requests_hash=fields[20],
    )
