"""Metrics of a run, as data: latencies, gas, fees and transactions per chain, earnings, penalties.

The actors book every transaction they send (:class:`MetricsRecorder`); at the end of a run the
recorder reads the receipts in bulk, counts every block each chain sealed during the run, and
folds in what the chain's events say about payments, slashes and reputation. The result,
:class:`RunMetrics`, is plain data with :meth:`RunMetrics.to_dict` for the scenario's JSON report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..chains.devnet import Devnet
    from .client import LeanClient


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (``None`` for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


@dataclass
class ChainUsage:
    """One chain's share of a run: every block it sealed, and the actors' own transactions."""

    blocks: int = 0
    transactions: int = 0
    gas: int = 0
    actor_transactions: int = 0
    actor_gas: int = 0
    actor_fees: int = 0
    reverted: int = 0
    refused: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class RunMetrics:
    tasks_requested: int = 0
    tasks_completed: int = 0
    tasks_failed: int = 0
    tasks_reassigned: int = 0
    latencies_s: list[float] = field(default_factory=list)
    chains: dict[str, ChainUsage] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    reverted_actions: dict[str, int] = field(default_factory=dict)
    earnings: dict[str, int] = field(default_factory=dict)
    penalties: dict[str, int] = field(default_factory=dict)
    reputation: dict[str, dict[str, int]] = field(default_factory=dict)
    forced_phases: int = 0
    backend_failures: int = 0
    left_pool: list[str] = field(default_factory=list)
    messages: dict[str, int] = field(default_factory=dict)
    """Cross-chain messages per route (``devnet.messages()``), e.g. ``"l1 -> base": 2``."""
    message_latency_s: dict[str, float | None] = field(default_factory=dict)
    """Median time from sent to the newest status reached, per route."""
    simulated_s: float = 0.0

    def latency(self, pct: float) -> float | None:
        return percentile(self.latencies_s, pct)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks": {
                "requested": self.tasks_requested,
                "completed": self.tasks_completed,
                "failed": self.tasks_failed,
                "reassigned": self.tasks_reassigned,
            },
            "latency_s": {f"p{p}": self.latency(p) for p in (50, 90, 99)},
            "chains": {name: usage.to_dict() for name, usage in sorted(self.chains.items())},
            "actions": dict(sorted(self.actions.items())),
            "reverted_actions": dict(sorted(self.reverted_actions.items())),
            "earnings_wei": dict(sorted(self.earnings.items())),
            "penalties_wei": dict(sorted(self.penalties.items())),
            "reputation": dict(sorted(self.reputation.items())),
            "forced_phases": self.forced_phases,
            "backend_failures": self.backend_failures,
            "left_pool": sorted(self.left_pool),
            "messages": dict(sorted(self.messages.items())),
            "message_latency_s": dict(sorted(self.message_latency_s.items())),
            "simulated_s": self.simulated_s,
        }


@dataclass
class _Sent:
    chain: str
    actor: str
    action: str
    tx_hash: bytes


class MetricsRecorder:
    """Books what the actors do during a run; :meth:`finish` turns it into :class:`RunMetrics`."""

    def __init__(self, devnet: Devnet) -> None:
        self.devnet = devnet
        self._refused: Counter[str] = Counter()
        self._sent: list[_Sent] = []
        self._first_sealed = {name: len(chain.sealed) for name, chain in devnet.evm_chains.items()}
        self._started_ms = devnet.clock.now_ms
        self._first_messages = len(self._messages())

    def sent(self, chain: str, actor: str, action: str, tx_hash: bytes) -> None:
        self._sent.append(_Sent(chain, actor, action, tx_hash))

    def transactions(self) -> list[tuple[str, str, str, bytes]]:
        """(chain, actor, action, hash) of every transaction the actors sent, in order."""
        return [(s.chain, s.actor, s.action, s.tx_hash) for s in self._sent]

    def refused(self, chain: str, actor: str, action: str, reason: str) -> None:
        self._refused[chain] += 1

    def _messages(self) -> list[Any]:
        try:
            return list(self.devnet.messages())
        except RuntimeError:  # a devnet without a settlement engine carries no messages
            return []

    def finish(self, clients: Mapping[str, LeanClient]) -> RunMetrics:
        """Read receipts and blocks of the run so far (a new :class:`RunMetrics` at each call)."""
        m = RunMetrics()
        for chain, count in self._refused.items():
            m.chains.setdefault(chain, ChainUsage()).refused = count
        m.simulated_s = (self.devnet.clock.now_ms - self._started_ms) / 1000
        for name, chain in self.devnet.evm_chains.items():
            usage = m.chains.setdefault(name, ChainUsage())
            for block in chain.sealed[self._first_sealed.get(name, 0) :]:
                usage.blocks += 1
                usage.transactions += len(block.tx_hashes)
                if block.tx_hashes:
                    usage.gas += int(chain.engine.get_block(block.number)["gasUsed"], 16)
        actions: Counter[str] = Counter()
        reverted: Counter[str] = Counter()
        for sent in self._sent:
            receipt = clients[sent.chain].receipt(sent.tx_hash)
            actions[sent.action] += 1
            usage = m.chains.setdefault(sent.chain, ChainUsage())
            if receipt is None:
                continue
            usage.actor_transactions += 1
            usage.actor_gas += receipt.gas_used
            usage.actor_fees += receipt.fee
            if not receipt.status:
                usage.reverted += 1
                reverted[sent.action] += 1
        m.actions, m.reverted_actions = dict(actions), dict(reverted)
        records = self._messages()[self._first_messages :]
        routes: Counter[str] = Counter(record.route for record in records)
        m.messages = dict(routes)
        for route in routes:
            spans = [
                (max(r.times.values()) - min(r.times.values())) / 1000
                for r in records
                if r.route == route and r.times
            ]
            m.message_latency_s[route] = percentile(spans, 50)
        return m
