"""The ``relay`` fixture's object: deliver cross-chain messages from a test, through the settlement engine.

A test sends a message on one chain (a deposit, a withdrawal, a messenger message) and wants it
on the other. The settlement engine's actors (proposer, challenger, relayer) carry it with real
transactions as simulated time passes (``docs/settlement.md``); :class:`Relay` only moves time and
asks the engine to act, through its generic API (``devnet.relay()``, ``devnet.advance()``,
``devnet.messages()``), so it works for every rollup stack the engine knows.

A message that does not arrive raises :class:`MessageNotDelivered`, whose text lists the message's
route, status and the transaction of every step it took, and every other message on the devnet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..bridge import MessageRecord, MessageStatus
from ..chains.devnet import Devnet

__all__ = ["MessageNotDelivered", "Relay", "describe_messages"]

MessageRef = MessageRecord | str | bytes
"""A message as a test names it: its record, its id, or the hash of the transaction that sent it."""

_STEPS_PER_WINDOW = 16
"""``until_delivered`` moves time in this many steps per challenge window (at least a block each)."""


class MessageNotDelivered(AssertionError):
    """A message did not reach its destination (or failed there); the text says where it stands."""


def describe_messages(records: Iterable[MessageRecord], indent: str = "  ") -> str:
    """One line per record (id, kind, route, status, each step's chain, block and transaction)."""
    lines = [f"{indent}{record}" for record in records]
    return "\n".join(lines) if lines else f"{indent}(no cross-chain messages)"


def _tx_hash(ref: str | bytes) -> str | None:
    """The ``0x``-hex transaction hash ``ref`` names, or None if it is a message id."""
    if isinstance(ref, bytes):
        return "0x" + ref.hex()
    if ref.startswith("0x") and len(ref) == 66:
        return ref.lower()
    return None


def _sent_by(record: MessageRecord, tx_hash: str) -> bool:
    sent = record.legs.get("sent")
    return sent is not None and sent.tx_hash.lower() == tx_hash


class Relay:
    """Deliver what is due (``relay()``), pass a challenge window (``relay.past_window()``), or run
    the clock until a message arrives (``relay.until_delivered(tx_hash)``)."""

    def __init__(self, devnet: Devnet) -> None:
        self.devnet = devnet

    def __call__(self) -> list[Any]:
        """Deliver and act on everything due now (deposits sealed into a child block, proofs,
        finalizations whose time has come); returns the actions the engine took."""
        return self.devnet.relay()

    @property
    def window_seconds(self) -> float:
        """The longest time any rollup of the topology needs to carry a withdrawal to its parent:
        a proposal, the game's clock, its finality delay, the proof's maturity and the relayer's
        delays, plus two parent blocks for the transactions to land."""
        longest = 0.0
        for spec in self.devnet.topology.chains:
            if spec.parent is None:
                continue
            s = spec.settlement
            parent_block = self.devnet.topology.chain(spec.parent).block_time
            need = (
                s.proposal_interval
                + s.game_clock_duration
                + s.dispute_game_finality_delay
                + s.proof_maturity_delay
                + 4 * s.relay_delay
                + 2 * parent_block
            )
            longest = max(longest, need)
        return longest

    def past_window(self) -> list[Any]:
        """Move the devnet's clock past the longest challenge window, the actors acting on the way
        (propose, prove, resolve, finalize), then relay what is due; returns the actions taken."""
        return self._advance(self.window_seconds)

    def until_delivered(self, *messages: MessageRef, within: float | None = None) -> list[MessageRecord]:
        """Run the clock until the given messages (every pending one if none is given) are
        delivered: relayed, or finalized with nothing left to relay. Gives up after ``within``
        seconds of simulated time (default: twice :attr:`window_seconds`).

        Raises :class:`MessageNotDelivered` if one failed, is still on its way at the end, or a
        transaction hash given sent no message.
        """
        limit = 2 * self.window_seconds if within is None else within
        step = max(self._smallest_block_time(), self.window_seconds / _STEPS_PER_WINDOW, 1.0)
        self.devnet.relay()
        if not messages:  # the messages on their way now, followed by id as they move on
            messages = tuple(r.id for r in self.devnet.messages() if not r.done)
        waited = 0.0
        records = self._find(messages)
        while not all(r.done for r in records) and waited < limit:
            amount = min(step, limit - waited)
            self._advance(amount)
            waited += amount
            records = self._find(messages)
        failed = [r for r in records if r.status == MessageStatus.FAILED]
        late = [r for r in records if not r.done]
        if failed or late:
            what = "failed" if failed else f"was not delivered within {waited:g} s of simulated time"
            raise MessageNotDelivered(self._report(failed or late, what))
        return records

    # ------------------------------------------------------------------ helpers
    def _advance(self, seconds: float) -> list[Any]:
        self.devnet.advance(seconds)
        return self.devnet.relay()

    def _smallest_block_time(self) -> float:
        return min((spec.block_time for spec in self.devnet.topology.chains), default=1.0)

    def _find(self, messages: tuple[MessageRef, ...]) -> list[MessageRecord]:
        everything: list[MessageRecord] = self.devnet.messages()
        found: list[MessageRecord] = []
        for ref in messages:
            found.extend(self._match(ref, everything))
        return found

    def _match(self, ref: MessageRef, everything: list[MessageRecord]) -> list[MessageRecord]:
        if isinstance(ref, MessageRecord):
            ref = ref.id
        tx_hash = _tx_hash(ref)
        if tx_hash is None:
            matches = [r for r in everything if r.id == ref]
            what = f"no cross-chain message has the id {ref!r}"
        else:
            matches = [
                r for r in everything if "sent" in r.legs and r.legs["sent"].tx_hash.lower() == tx_hash
            ]
            what = f"transaction {tx_hash} sent no cross-chain message"
        if not matches:
            raise MessageNotDelivered(
                f"{what}\nevery message on the devnet:\n{describe_messages(everything)}"
            )
        return matches

    def _report(self, records: list[MessageRecord], what: str) -> str:
        clock = self.devnet.clock
        head = f"{len(records)} message(s) {what} (devnet time {clock.elapsed:g} s after genesis):"
        return (
            f"{head}\n{describe_messages(records)}\nevery message on the devnet:\n"
            f"{describe_messages(self.devnet.messages())}"
        )
