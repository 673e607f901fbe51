"""Nitro's header information: what an Arbitrum block's header carries beyond Ethereum's fields.

Source: OffchainLabs/go-ethereum (Nitro's fork) ``core/types/arb_types.go`` ``HeaderInfo``:

* ``extraData`` is the **send root**, the root of the chain's send Merkle accumulator (ArbSys's
  messages to the parent) after the block;
* ``mixHash`` is ``sendCount(8) ++ l1BlockNumber(8) ++ arbosFormatVersion(8) ++ 0(8)``, big-endian:
  how many messages that accumulator holds, and the L1 block the block was built on (what NUMBER
  reads on a Nitro chain).

Nitro's RPC adds the decoded fields to every block object as ``sendRoot``, ``sendCount`` and
``l1BlockNumber`` (``internal/ethapi`` ``fillArbitrumNitroHeaderInfo``); @arbitrum/sdk reads them to
match a block against the send root an assertion claims. The codec lives here, engine-neutral, so
every engine writes and reads the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

StorageReader = Callable[[bytes, int], int]
"""``(address, slot) -> value`` over a block's state after its transactions."""

SendState = Callable[[StorageReader], tuple[int, bytes]]
"""How a chain kind reads its send accumulator ``(sendCount, sendRoot)`` from state (Nitro: ArbSys)."""

_SEND_COUNT = slice(0, 8)
_L1_BLOCK_NUMBER = slice(8, 16)
_ARBOS_FORMAT_VERSION = slice(16, 24)
ZERO_HASH = b"\x00" * 32


@dataclass(frozen=True)
class HeaderInfo:
    send_root: bytes = ZERO_HASH
    send_count: int = 0
    l1_block_number: int = 0
    arbos_format_version: int = 0
    """Not modelled by the devnet (it runs no ArbOS versions): always 0."""

    @property
    def extra_data(self) -> bytes:
        return self.send_root

    @property
    def mix_hash(self) -> bytes:
        numbers = (self.send_count, self.l1_block_number, self.arbos_format_version)
        return b"".join(n.to_bytes(8, "big") for n in numbers) + bytes(8)

    @classmethod
    def from_header(cls, extra_data: bytes, mix_hash: bytes) -> HeaderInfo:
        """Decode a header's fields. As in Nitro's ``DeserializeHeaderExtraInformation``, an
        ``extraData`` that is not 32 bytes (a genesis label) reads as no send root; the L1 block
        number is kept either way, since NUMBER reads it from every block."""
        return cls(
            send_root=extra_data if len(extra_data) == 32 else ZERO_HASH,
            send_count=int.from_bytes(mix_hash[_SEND_COUNT], "big"),
            l1_block_number=int.from_bytes(mix_hash[_L1_BLOCK_NUMBER], "big"),
            arbos_format_version=int.from_bytes(mix_hash[_ARBOS_FORMAT_VERSION], "big"),
        )

    def rpc_fields(self) -> dict[str, Any]:
        """The fields Nitro's RPC adds to a block object."""
        return {
            "l1BlockNumber": hex(self.l1_block_number),
            "sendCount": hex(self.send_count),
            "sendRoot": "0x" + self.send_root.hex(),
        }


def l1_block_number_of(mix_hash: bytes) -> int:
    """What NUMBER reads in a Nitro block whose header has ``mix_hash``."""
    return int.from_bytes(mix_hash[_L1_BLOCK_NUMBER], "big")
