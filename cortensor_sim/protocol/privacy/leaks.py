"""Search every EVM chain of a devnet for plaintext: blocks, calldata, logs and contract storage.

Where plaintext could land, and how each place is read:

- **calldata**: the ``input`` of every transaction of every block;
- **logs**: the ``data`` and topics of every receipt's logs;
- **storage**: the engine's whole-state dump (:meth:`EvmEngine.export_state`). On py-evm it holds
  every trie node ever written (storage leaves of every contract and every past block included),
  on revm every account's slots. A Solidity string longer than 31 bytes is split over 32-byte
  slots, so storage is searched for 16-byte windows of the plaintext taken every 16 bytes: any
  run of 31 or more plaintext bytes in one slot contains one of them whole.

Each plaintext is searched in three forms: its UTF-8 bytes, and its hex digits in lower and upper
case (as a client that hex-encodes before sending would write them). Finding nothing is only
meaningful because :func:`find_leaks` does find a plaintext written in clear (its tests put one
in each place).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ...chains.devnet import Devnet
from ...chains.engine import UnknownBlock
from ...chains.evm import EvmChain

__all__ = ["Leak", "find_leaks", "forms_of"]

WINDOW = 16
"""Length of the pieces searched for in storage (see the module docstring)."""


@dataclass(frozen=True)
class Leak:
    chain: str
    place: str  # "calldata", "log" or "storage"
    where: str  # a transaction hash, or "state dump"
    plaintext: str

    def __str__(self) -> str:
        return f"{self.plaintext[:40]!r} in {self.place} on {self.chain} ({self.where})"


def forms_of(plaintext: str) -> list[bytes]:
    """The byte forms a plaintext could take on chain: UTF-8, and hex digits in either case."""
    raw = plaintext.encode()
    return [raw, raw.hex().encode(), raw.hex().upper().encode()]


def windows(form: bytes) -> list[bytes]:
    """Pieces of ``form`` at least one of which lies whole in any storage slot holding >= 31 of its
    bytes; the whole form when it is shorter than two windows."""
    if len(form) < 2 * WINDOW:
        return [form]
    return [form[i : i + WINDOW] for i in range(0, len(form) - WINDOW + 1, WINDOW)]


def find_leaks(devnet: Devnet, plaintexts: Iterable[str], public: Iterable[str] = ()) -> list[Leak]:
    """Every place on every EVM chain of ``devnet`` where one of ``plaintexts`` can be read.

    ``public`` are texts that are on chain in clear by design (a clear session's prompts and
    results beside the private ones). A storage window that also occurs in one of them proves
    nothing (a template phrase two answers share), so it is not searched for; the distinctive
    windows of a plaintext still are, and calldata and logs are searched for the whole text."""
    texts = [t for t in dict.fromkeys(plaintexts) if t]
    shared = [form for text in dict.fromkeys(public) for form in forms_of(text)]
    leaks: list[Leak] = []
    for name, chain in devnet.evm_chains.items():
        leaks += _in_blocks(name, chain, texts)
        leaks += _in_state(name, chain, texts, shared)
    return leaks


def _in_blocks(name: str, chain: EvmChain, texts: list[str]) -> Iterator[Leak]:
    for number in range(chain.engine.head_number + 1):
        try:
            block = chain.engine.get_block(number, full_transactions=True)
        except UnknownBlock:  # a long jump leaves numbers without a block
            continue
        for tx in block["transactions"]:
            calldata = bytes.fromhex(tx["input"][2:])
            for text in texts:
                if any(form in calldata for form in forms_of(text)):
                    yield Leak(name, "calldata", tx["hash"], text)
            receipt = chain.engine.get_receipt(bytes.fromhex(tx["hash"][2:]))
            logs = b"".join(
                bytes.fromhex(part[2:]) for log in (receipt or {}).get("logs", []) for part in _log_parts(log)
            )
            for text in texts:
                if any(form in logs for form in forms_of(text)):
                    yield Leak(name, "log", tx["hash"], text)


def _log_parts(log: dict[str, object]) -> list[str]:
    topics = log.get("topics", [])
    assert isinstance(topics, list)
    return [*topics, str(log["data"])]


def _in_state(name: str, chain: EvmChain, texts: list[str], shared: list[bytes]) -> Iterator[Leak]:
    dump = chain.engine.export_state()
    for text in texts:
        pieces = [p for form in forms_of(text) for p in windows(form) if not any(p in s for s in shared)]
        if any(piece in dump for piece in pieces):
            yield Leak(name, "storage", "state dump", text)
