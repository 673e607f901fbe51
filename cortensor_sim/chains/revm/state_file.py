"""The revm engine's state as bytes: every block, the world state and every trie node, in RLP.

What ``export_state`` writes, ``from_state`` reads back into an engine that continues the same
chain: the same head, the same roots, historical reads and proofs at old blocks included. Signed
transactions are stored as sent and their senders recovered again on load; the senders of
impersonated transactions (which carry no signature to recover) are stored beside them, in a fifth
field that files written before impersonation lack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rlp
from eth_hash.auto import keccak

from ..engine import InvalidTransaction, SystemCall
from .blocks import Log, Receipt, header_from_fields
from .transactions import (
    SYSTEM_FIELDS,
    SYSTEM_TRANSACTION_TYPE,
    Transaction,
    decode_impersonated,
    decode_transaction,
    system_transaction,
)
from .world import Account, WorldState

if TYPE_CHECKING:
    from .engine import Block

STATE_FORMAT = b"cortensor-sim/revm/1"


def _int(value: bytes) -> int:
    return int.from_bytes(value, "big")


def pack(
    chain_id: int, gas_limit: int, blocks: list[Block], world: WorldState, impersonated: dict[bytes, bytes]
) -> bytes:
    encoded_blocks = [
        [
            block.header.fields(),
            [tx.encoded for tx in block.transactions],
            [
                [
                    r.tx_type,
                    r.success,
                    r.cumulative_gas_used,
                    [[g.address, list(g.topics), g.data] for g in r.logs],
                ]
                for r in block.receipts
            ],
            [created or b"" for created in block.created],
        ]
        for block in blocks
    ]
    encoded_world = [
        [[a, acc.nonce, acc.balance, acc.code_hash] for a, acc in sorted(world.accounts.items())],
        [
            [a, [[s, v] for s, v in sorted(slots.items())]]
            for a, slots in sorted(world.storage.items())
            if slots
        ],
        sorted(world.codes.values()),
        [[k, v] for k, v in sorted(world.nodes.items())],
        world.state_root,
        [[a, root] for a, root in sorted(world.storage_roots.items())],
        [[a, sorted(slots)] for a, slots in sorted(world.known.items())],
    ]
    senders = [[tx_hash, sender] for tx_hash, sender in sorted(impersonated.items())]
    return STATE_FORMAT + rlp.encode([chain_id, gas_limit, encoded_blocks, encoded_world, senders])


def unpack(data: bytes) -> tuple[int, int, list[Block], WorldState, dict[bytes, bytes]]:
    """Decode :func:`pack`'s bytes; raises ``ValueError`` saying what is wrong."""
    from .engine import Block

    if not data.startswith(STATE_FORMAT):
        raise ValueError("not a cortensor-sim revm state")
    try:
        chain_id_raw, gas_limit_raw, encoded_blocks, encoded_world, *rest = rlp.decode(
            data[len(STATE_FORMAT) :]
        )
        impersonated = {tx_hash: sender for tx_hash, sender in (rest[0] if rest else [])}
        chain_id = _int(chain_id_raw)
        blocks = [_block(Block, fields, chain_id, impersonated) for fields in encoded_blocks]
        world = _world(encoded_world)
    except (rlp.DecodingError, ValueError, IndexError, TypeError, InvalidTransaction) as exc:
        raise ValueError(f"malformed revm state: {exc}") from exc
    if not blocks:
        raise ValueError("malformed revm state: no genesis block")
    return chain_id, _int(gas_limit_raw), blocks, world, impersonated


def _block(block_class: Any, fields: list[Any], chain_id: int, impersonated: dict[bytes, bytes]) -> Block:
    header_fields, txs, receipts, created = fields
    return block_class(
        header_from_fields(header_fields),
        tuple(_transaction(raw, chain_id, impersonated) for raw in txs),
        tuple(
            Receipt(
                _int(tx_type),
                bool(_int(success)),
                _int(gas),
                tuple(Log(address, tuple(topics), log_data) for address, topics, log_data in logs),
            )
            for tx_type, success, gas, logs in receipts
        ),
        tuple(address or None for address in created),
    )


def _transaction(raw: bytes, chain_id: int, impersonated: dict[bytes, bytes]) -> Transaction:
    sender = impersonated.get(keccak(raw))
    if sender is not None:
        return decode_impersonated(raw, sender, chain_id)
    if raw[:1] != bytes([SYSTEM_TRANSACTION_TYPE]):
        return decode_transaction(raw, chain_id)
    source_hash, sender, to, mint, value, gas, is_system_tx, data = rlp.decode(raw[1:], sedes=SYSTEM_FIELDS)
    return system_transaction(
        SystemCall(
            sender=sender,
            to=to or None,
            data=data,
            value=value,
            gas=gas,
            mint=mint,
            source_hash=source_hash,
            is_system_tx=is_system_tx,
        )
    )


def _world(fields: list[Any]) -> WorldState:
    accounts, storage, codes, nodes, state_root, storage_roots, known = fields
    world = WorldState()
    for code in codes:
        world.set_code(code)
    world.accounts = {a: Account(_int(n), _int(b), h) for a, n, b, h in accounts}
    world.storage = {a: {_int(s): _int(v) for s, v in slots} for a, slots in storage}
    world.nodes = {k: v for k, v in nodes}
    world.state_root = state_root
    world.storage_roots = {a: root for a, root in storage_roots}
    world.known = {a: {_int(s) for s in slots} for a, slots in known}
    return world
