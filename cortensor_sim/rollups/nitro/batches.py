"""Sequencer batches as Nitro posts them: segments, RLP, brotli, and a header byte.

After OffchainLabs/nitro ``arbstate/inbox.go`` (the inbox multiplexer that reads batches back) and
``arbnode/batch_poster.go`` (the segment builder). A batch's payload is a stream of RLP byte strings,
each one *segment* whose first byte is its kind:

* ``3`` advance the timestamp by the RLP-encoded delta; ``4`` advance the L1 block number likewise;
* ``2`` take the next delayed message (the sequencer includes the parent's inbox in order);
* ``0`` an L2 message: here, kind ``3`` (a batch of sub-messages, each an 8-byte big-endian length and
  the message), whose sub-messages are kind ``4``, one signed transaction each.

The stream is brotli-compressed (quality 11, Nitro's default) behind the header byte ``0x00``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import brotli
import rlp

BROTLI_HEADER = 0x00
DAS_HEADER = 0x80

SEGMENT_L2_MESSAGE = 0
SEGMENT_DELAYED_MESSAGE = 2
SEGMENT_ADVANCE_TIMESTAMP = 3
SEGMENT_ADVANCE_L1_BLOCK = 4
L2_MESSAGE_BATCH = 3
L2_MESSAGE_SIGNED_TX = 4
BROTLI_QUALITY = 11


class BatchFormatError(ValueError):
    """Batch data that does not decode: says which part and why."""


@dataclass(frozen=True)
class BlockContent:
    """What one child block contributes to a batch."""

    timestamp: int
    l1_block_number: int
    delayed_messages: int
    transactions: tuple[bytes, ...]
    """Signed transactions, as encoded on the chain."""


def _segment(kind: int, payload: bytes = b"") -> bytes:
    return rlp.encode(bytes([kind]) + payload)


def encode_segments(blocks: Sequence[BlockContent], timestamp: int, l1_block_number: int) -> bytes:
    """The uncompressed segment stream of ``blocks``, starting from the given time and L1 block."""
    out = []
    for block in blocks:
        if block.timestamp > timestamp:
            out.append(_segment(SEGMENT_ADVANCE_TIMESTAMP, rlp.encode(block.timestamp - timestamp)))
            timestamp = block.timestamp
        if block.l1_block_number > l1_block_number:
            out.append(
                _segment(SEGMENT_ADVANCE_L1_BLOCK, rlp.encode(block.l1_block_number - l1_block_number))
            )
            l1_block_number = block.l1_block_number
        out.extend(_segment(SEGMENT_DELAYED_MESSAGE) for _ in range(block.delayed_messages))
        if block.transactions:
            messages = [bytes([L2_MESSAGE_SIGNED_TX]) + tx for tx in block.transactions]
            body = b"".join(len(m).to_bytes(8, "big") + m for m in messages)
            out.append(_segment(SEGMENT_L2_MESSAGE, bytes([L2_MESSAGE_BATCH]) + body))
    return b"".join(out)


def decode_segments(stream: bytes) -> list[tuple[int, bytes]]:
    """``(kind, payload)`` of each segment in ``stream``."""
    segments = []
    offset = 0
    while offset < len(stream):
        try:
            item, offset = _next_rlp(stream, offset)
        except (rlp.DecodingError, IndexError) as exc:
            raise BatchFormatError(f"segment at byte {offset}: {exc}") from exc
        if not item:
            raise BatchFormatError(f"empty segment at byte {offset}")
        segments.append((item[0], item[1:]))
    return segments


def _next_rlp(stream: bytes, offset: int) -> tuple[bytes, int]:
    prefix = stream[offset]
    if prefix < 0x80:
        return stream[offset : offset + 1], offset + 1
    if prefix <= 0xB7:
        end = offset + 1 + prefix - 0x80
        return stream[offset + 1 : end], end
    if prefix <= 0xBF:
        size_length = prefix - 0xB7
        size = int.from_bytes(stream[offset + 1 : offset + 1 + size_length], "big")
        start = offset + 1 + size_length
        return stream[start : start + size], start + size
    raise rlp.DecodingError("a segment must be an RLP byte string", stream)


def transactions_of(segments: Sequence[tuple[int, bytes]]) -> list[bytes]:
    """The signed transactions the L2-message segments carry, in order."""
    out = []
    for kind, payload in segments:
        if kind != SEGMENT_L2_MESSAGE:
            continue
        if payload[:1] != bytes([L2_MESSAGE_BATCH]):
            raise BatchFormatError(f"unsupported L2 message kind {payload[:1].hex()}")
        body, offset = payload[1:], 0
        while offset < len(body):
            length = int.from_bytes(body[offset : offset + 8], "big")
            message = body[offset + 8 : offset + 8 + length]
            offset += 8 + length
            if message[:1] != bytes([L2_MESSAGE_SIGNED_TX]):
                raise BatchFormatError(f"unsupported sub-message kind {message[:1].hex()}")
            out.append(message[1:])
    return out


def compress(stream: bytes) -> bytes:
    """The batch data a sequencer inbox takes: ``0x00 ++ brotli(stream)``."""
    return bytes([BROTLI_HEADER]) + brotli.compress(stream, quality=BROTLI_QUALITY)


def decompress(data: bytes) -> bytes:
    if not data or data[0] != BROTLI_HEADER:
        raise BatchFormatError(f"not a brotli batch (header byte {data[:1].hex() or 'missing'})")
    try:
        return brotli.decompress(data[1:])
    except brotli.error as exc:
        raise BatchFormatError(f"brotli payload does not decompress: {exc}") from exc
