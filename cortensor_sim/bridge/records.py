"""Message records: what the settlement engine knows about each cross-chain message.

Every message a rollup stack carries (an OP Stack deposit or withdrawal, a messenger message, an
Arbitrum retryable or outbox transaction) gets one record, created when the engine first sees the
source chain's event and moved forward as the off-chain actors act on it. Records are plain data
(JSON in state files, ``rich`` tables in reports), so a user and a test read the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class MessageStatus(StrEnum):
    """Where a message stands; the order is the order a withdrawal moves through.

    A deposit (parent -> child) goes ``sent`` -> ``relayed`` (or ``failed`` if its call reverted on
    the child; a deposit's mint is kept either way). A withdrawal (child -> parent) goes ``sent`` ->
    ``proposed`` (a root covering its block is on the parent) -> ``proven`` -> ``finalizable``
    (proof matured, game resolved) -> ``finalized`` (and ``relayed`` once a messenger delivered
    it) or ``failed``. ``included`` is for stacks that first include a message in a batch.
    """

    SENT = "sent"
    INCLUDED = "included"
    PROPOSED = "proposed"
    PROVEN = "proven"
    FINALIZABLE = "finalizable"
    FINALIZED = "finalized"
    RELAYED = "relayed"
    FAILED = "failed"


_ORDER = {status: index for index, status in enumerate(MessageStatus)}


class RecordError(ValueError):
    """A record moved backwards or a message id is unknown: a bug in a stack's actors."""


@dataclass(frozen=True)
class Leg:
    """One transaction a message took: on which chain, in which block, at what time."""

    chain: str
    tx_hash: str
    block: int
    timestamp: int

    @classmethod
    def from_receipt(cls, chain: str, receipt: dict[str, Any], timestamp: int) -> Leg:
        return cls(chain, str(receipt["transactionHash"]), int(receipt["blockNumber"], 16), timestamp)


@dataclass
class MessageRecord:
    """One cross-chain message, as the engine tracks it.

    ``legs`` maps a step (``"sent"``, ``"included"``, ``"proposed"``, ``"proven"``, ``"finalized"``,
    ``"relayed"``...) to the transaction that made it; ``times`` maps each status reached to the
    simulated time (ms) it was reached. ``detail`` is the stack's own JSON-able data (for an OP
    Stack withdrawal: the withdrawal transaction's fields, its hash, the game it was proven against).
    """

    id: str
    kind: str
    source: str
    destination: str
    status: MessageStatus
    legs: dict[str, Leg] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return f"{self.source} -> {self.destination}"

    def __str__(self) -> str:
        """One line for a report: id, route, status and the transaction of each step."""
        legs = ", ".join(
            f"{step} {leg.chain}#{leg.block} {leg.tx_hash[:10]}" for step, leg in self.legs.items()
        )
        return f"{self.id} [{self.kind}, {self.route}] {self.status}: {legs}"

    @property
    def done(self) -> bool:
        return self.status in (MessageStatus.RELAYED, MessageStatus.FINALIZED, MessageStatus.FAILED)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MessageRecord:
        return cls(
            id=data["id"],
            kind=data["kind"],
            source=data["source"],
            destination=data["destination"],
            status=MessageStatus(data["status"]),
            legs={step: Leg(**leg) for step, leg in data["legs"].items()},
            times={status: int(t) for status, t in data["times"].items()},
            detail=dict(data["detail"]),
        )


class MessageBook:
    """Every record, in the order the messages were sent; statuses only move forward."""

    def __init__(self, records: list[MessageRecord] | None = None) -> None:
        self._records: dict[str, MessageRecord] = {r.id: r for r in records or ()}

    def __iter__(self) -> Iterator[MessageRecord]:
        return iter(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._records

    def get(self, message_id: str) -> MessageRecord:
        try:
            return self._records[message_id]
        except KeyError:
            raise RecordError(f"no message {message_id!r}") from None

    def add(self, record: MessageRecord, at_ms: int) -> MessageRecord:
        """Record a newly seen message; seeing it again (a rescan) keeps the first record."""
        if record.id in self._records:
            return self._records[record.id]
        record.times.setdefault(str(record.status), at_ms)
        self._records[record.id] = record
        return record

    def add_sent(
        self,
        message_id: str,
        *,
        kind: str,
        source: str,
        destination: str,
        leg: Leg,
        detail: dict[str, Any],
    ) -> MessageRecord:
        """Record a message as its source chain's event first shows it: ``sent`` by the transaction
        ``leg``, at that block's time. Every stack's observer starts its records this way."""
        record = MessageRecord(
            id=message_id,
            kind=kind,
            source=source,
            destination=destination,
            status=MessageStatus.SENT,
            legs={"sent": leg},
            detail=detail,
        )
        return self.add(record, leg.timestamp * 1000)

    def advance(self, message_id: str, status: MessageStatus, at_ms: int, leg: Leg | None = None) -> None:
        """Move a message to ``status`` (never backwards; ``failed`` may follow anything but done)."""
        record = self.get(message_id)
        if status != MessageStatus.FAILED and _ORDER[status] < _ORDER[record.status]:
            raise RecordError(f"{message_id}: cannot go back from {record.status} to {status}")
        record.status = status
        record.times[str(status)] = at_ms
        if leg is not None:
            record.legs[str(status)] = leg

    def pending(self, kind: str | None = None) -> list[MessageRecord]:
        return [r for r in self._records.values() if not r.done and (kind is None or r.kind == kind)]

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self._records.values()]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> MessageBook:
        return cls([MessageRecord.from_json(r) for r in data])
