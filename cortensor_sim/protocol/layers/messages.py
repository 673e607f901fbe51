"""Following a transaction's cross-chain messages to their end, on the simulated clock.

A cross-layer operation is a chain of messages: a registration sent on base is a withdrawal to
l1 whose relay transaction on l1 sends a retryable to arbitrum. The engine records each message
with the transaction that sent it (``legs["sent"]``) and the one that delivered it
(``legs["relayed"]`` or ``legs["finalized"]``), so the chain is found by matching the one's
delivery to the next one's sending.
"""

from __future__ import annotations

from ...bridge import MessageRecord, MessageStatus
from ...chains.devnet import Devnet
from ..network import StepFailed

#: Simulated seconds between looks at the records while waiting (one l1 slot).
POLL_SECONDS = 12
#: Simulated time a chain of messages gets before ``follow`` gives up (dev settlement settings
#: deliver a base withdrawal in about a minute and an arbitrum outbox message in about 72 s).
DEFAULT_TIMEOUT_SECONDS = 3_600


class DeliveryTimeout(StepFailed):
    """Messages still in flight when the time given to them ran out."""


def sent_by(devnet: Devnet, tx_hash: str) -> list[MessageRecord]:
    """The records of the messages a transaction sent (none yet if the engine has not looked)."""
    wanted = _norm(tx_hash)
    return [r for r in devnet.messages() if "sent" in r.legs and _norm(r.legs["sent"].tx_hash) == wanted]


def stopped(record: MessageRecord) -> bool:
    """Whether a message will move no further by itself: done, or a retryable whose auto-redeem
    failed (its ticket waits for a manual ``redeem`` until it expires, as on Arbitrum)."""
    return record.done or auto_redeem_failed(record)


def auto_redeem_failed(record: MessageRecord) -> bool:
    return record.detail.get("autoRedeem") == "failed" and record.status != MessageStatus.RELAYED


def delivery_tx(record: MessageRecord) -> str | None:
    """The transaction that delivered a message on its destination, once it has."""
    for step in (MessageStatus.RELAYED, MessageStatus.FINALIZED):
        if str(step) in record.legs:
            return record.legs[str(step)].tx_hash
    return None


def follow(
    devnet: Devnet,
    tx_hash: str,
    *,
    hops: int = 1,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> list[MessageRecord]:
    """Advance the clock until the messages ``tx_hash`` sent, and ``hops - 1`` further hops of
    messages their deliveries sent, have stopped (:func:`stopped`); return every record, in hop
    order. A hop that delivered nothing ends the chain early (the caller checks statuses).

    Raises DeliveryTimeout when the time runs out first, naming the messages still pending.
    """
    waited = 0.0
    frontier = [_norm(tx_hash)]
    found: list[MessageRecord] = []
    for hop in range(hops):
        records: list[MessageRecord] = []
        while True:
            records = [r for tx in frontier for r in sent_by(devnet, tx)]
            if records and all(stopped(r) for r in records):
                break
            if waited >= timeout_seconds:
                raise DeliveryTimeout(_pending_message(hop, frontier, records, timeout_seconds))
            devnet.advance(POLL_SECONDS)
            waited += POLL_SECONDS
        found += records
        frontier = [_norm(tx) for r in records if (tx := delivery_tx(r)) is not None]
        if not frontier:
            break
    return found


def _pending_message(hop: int, frontier: list[str], records: list[MessageRecord], timeout: float) -> str:
    if not records:
        return f"hop {hop + 1}: no message sent by {', '.join(frontier)} seen within {timeout:g} s"
    pending = "; ".join(str(r) for r in records if not stopped(r))
    return f"hop {hop + 1}: still in flight after {timeout:g} s: {pending}"


def _norm(tx_hash: str) -> str:
    text = tx_hash if isinstance(tx_hash, str) else "0x" + bytes(tx_hash).hex()
    return text.lower() if text.startswith("0x") else "0x" + text.lower()
