"""A run's record: the data its HTML report draws and a sweep's row measures.

Everything here is read back from what the run left behind: the chains' blocks (gas and
transactions with their simulated time), the settlement engine's message records, the sessions'
tasks with their verdicts and revealed answers, and the protocol's payment and slashing events.
Nothing is written. The record is a plain, JSON-able value, so a sweep's worker process can send
it back and a report can be rebuilt from it.

Metrics are a flat mapping of name to number. Another part of the runner that adds a ``metrics``
mapping to the JSON report (the protocol actors do) extends them without a change here: every
number found there is merged in under its own name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..chains.evm import EvmChain
from .cortensor import Verdict, honest
from .report import json_report, percentile

if TYPE_CHECKING:
    from .runner import Run, RunResult

TERMINAL_STATUSES = ("relayed", "finalized", "failed")
"""Statuses after which a message has arrived (or has definitely not)."""

COR = 10**18


@dataclass(frozen=True)
class BlockActivity:
    """One sealed block that carried transactions: when (simulated seconds since genesis), where, how much."""

    chain: str
    number: int
    at: float
    transactions: int
    gas: int


@dataclass(frozen=True)
class MessageTrack:
    """One cross-chain message from its send to its delivery, with the time of every status reached."""

    id: str
    kind: str
    source: str
    destination: str
    status: str
    sent_at: float
    delivered_at: float | None
    statuses: dict[str, float]

    @property
    def route(self) -> str:
        return f"{self.source} -> {self.destination}"


@dataclass(frozen=True)
class MinerLedger:
    """What one miner earned and lost: COR allocated to it, COR slashed, and its verdicts by name."""

    miner: str
    paid: int
    slashed: int
    verdicts: dict[str, int]


@dataclass(frozen=True)
class TaskOutcome:
    """One processed task: its latency and whether the answer the verdicts accepted was wrong."""

    session: str
    task_id: int
    latency: float
    accepted: str  # "correct", "wrong" or "none" (no miner was judged VALID)


@dataclass
class RunRecord:
    scenario: str
    seed: int | str
    passed: bool
    trace_hash: str
    genesis_time: int
    simulated_seconds: float
    wall_seconds: float
    chains: list[str]
    expectations: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    blocks: list[BlockActivity] = field(default_factory=list)
    messages: list[MessageTrack] = field(default_factory=list)
    tasks: list[TaskOutcome] = field(default_factory=list)
    miners: list[MinerLedger] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def iso(self, seconds: float) -> str:
        """Simulated seconds since genesis as an ISO time, for date axes."""
        return datetime.fromtimestamp(self.genesis_time + seconds, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def record_of(result: RunResult) -> RunRecord:
    """Collect the record of a finished run."""
    run = result.run
    report = json_report(result)
    record = RunRecord(
        scenario=run.scenario.name,
        seed=run.seed,
        passed=result.passed,
        trace_hash=run.trace_hash,
        genesis_time=run.devnet.clock.genesis_time,
        simulated_seconds=run.now,
        wall_seconds=result.wall_seconds,
        chains=list(run.devnet.chains),
        expectations=report["expectations"],
        steps=[
            {
                "index": s.index,
                "label": s.label,
                "actions": s.txs,
                "gas": s.gas,
                "at": s.sim_time,
                "error": s.error,
            }
            for s in run.steps
        ],
        blocks=block_activity(run),
        messages=message_tracks(run),
        tasks=task_outcomes(run),
        miners=miner_ledgers(run),
    )
    record.metrics = metrics_of(record) | extra_metrics(report.get("metrics"))
    return record


def block_activity(run: Run) -> list[BlockActivity]:
    """Every block of every EVM chain that carried a transaction, oldest first per chain."""
    activity: list[BlockActivity] = []
    genesis = run.devnet.clock.genesis_time
    for name, chain in run.devnet.chains.items():
        if not isinstance(chain, EvmChain):
            continue
        found = []
        block = chain.engine.get_block("latest")
        while int(block["number"], 16) > 0:
            if block["transactions"]:
                found.append(
                    BlockActivity(
                        chain=name,
                        number=int(block["number"], 16),
                        at=int(block["timestamp"], 16) - genesis,
                        transactions=len(block["transactions"]),
                        gas=int(block["gasUsed"], 16),
                    )
                )
            block = chain.engine.get_block(bytes.fromhex(block["parentHash"][2:]))
        activity += reversed(found)
    return activity


def message_tracks(run: Run) -> list[MessageTrack]:
    """The engine's message records as tracks in simulated seconds since genesis."""
    if run.devnet.settlement is None:
        return []
    genesis_ms = run.devnet.clock.genesis_time * 1000
    tracks = []
    for message in run.devnet.messages():
        statuses = {status: (ms - genesis_ms) / 1000 for status, ms in message.times.items()}
        sent = statuses.get("sent", min(statuses.values(), default=0.0))
        arrived = [statuses[s] for s in TERMINAL_STATUSES if s in statuses]
        tracks.append(
            MessageTrack(
                id=message.id,
                kind=message.kind,
                source=message.source,
                destination=message.destination,
                status=str(message.status),
                sent_at=sent,
                delivered_at=min(arrived) if arrived else None,
                statuses=dict(sorted(statuses.items(), key=lambda item: item[1])),
            )
        )
    return tracks


def task_outcomes(run: Run) -> list[TaskOutcome]:
    """Each processed task's latency, and which answer its verdicts accepted.

    The accepted answer is the revealed result of a miner judged VALID; it is wrong when it differs
    from what an honest miner answers for the task's prompt. A task with no VALID miner accepted none.
    """
    outcomes = []
    for name, session in run.sessions.items():
        deployment = run.deployments[session.chain]
        for task_id in session.processed:
            results = deployment.network.task_results(session.session_id, task_id)
            valid = [m for m, v in session.verdicts.get(task_id, {}).items() if v is Verdict.VALID]
            answers = {results.get(deployment.names[m]) for m in valid}
            if not valid:
                accepted = "none"
            elif answers == {honest(session.prompts[task_id])}:
                accepted = "correct"
            else:
                accepted = "wrong"
            latency = session.finished_at[task_id] - session.submitted_at[task_id]
            outcomes.append(TaskOutcome(name, task_id, latency, accepted))
    return outcomes


def miner_ledgers(run: Run) -> list[MinerLedger]:
    """Per miner, over every chain with the protocol: COR allocated (SessionPayment's
    NodePaymentAllocated), COR slashed (NodePool's NodeSlashed) and the verdicts it received."""
    paid: dict[str, int] = {m: 0 for m in run.miners}
    slashed: dict[str, int] = {m: 0 for m in run.miners}
    verdicts: dict[str, dict[str, int]] = {m: {} for m in run.miners}
    for deployment in run.deployments.values():
        by_address = {a: n for n, a in deployment.names.items()}
        contracts, height = deployment.network.contracts, deployment.chain.height
        for log in contracts.payment.events.NodePaymentAllocated().get_logs(from_block=0, to_block=height):
            miner = by_address.get(log["args"]["miner"])
            if miner in paid:
                paid[miner] += log["args"]["amount"]
        for log in contracts.node_pool.events.NodeSlashed().get_logs(from_block=0, to_block=height):
            miner = by_address.get(log["args"]["nodeAddress"])
            if miner in slashed:
                slashed[miner] += log["args"]["amount"]
    for session in run.sessions.values():
        for by_miner in session.verdicts.values():
            for miner, verdict in by_miner.items():
                counts = verdicts.setdefault(miner, {})
                counts[verdict.name.lower()] = counts.get(verdict.name.lower(), 0) + 1
    return [MinerLedger(m, paid[m], slashed[m], dict(sorted(verdicts[m].items()))) for m in run.miners]


def metrics_of(record: RunRecord) -> dict[str, float]:
    """The run's measures as flat numbers: what a sweep tabulates and plots against its parameters."""
    latencies = [t.latency for t in record.tasks]
    wrong = sum(1 for t in record.tasks if t.accepted == "wrong")
    verdicts: dict[str, int] = {}
    for ledger in record.miners:
        for name, count in ledger.verdicts.items():
            verdicts[name] = verdicts.get(name, 0) + count
    metrics: dict[str, float] = {
        "passed": int(record.passed),
        "simulated_seconds": record.simulated_seconds,
        "tasks_processed": len(record.tasks),
        "wrong_answers_accepted": wrong,
        "wrong_answer_share": wrong / len(record.tasks) if record.tasks else 0.0,
        "tasks_without_answer": sum(1 for t in record.tasks if t.accepted == "none"),
        "latency_p50_s": percentile(latencies, 50) if latencies else 0.0,
        "latency_p95_s": percentile(latencies, 95) if latencies else 0.0,
        "miner_paid_cor": sum(m.paid for m in record.miners) / COR,
        "miner_slashed_cor": sum(m.slashed for m in record.miners) / COR,
        **{f"verdicts_{name}": verdicts.get(name, 0) for name in ("valid", "invalid", "none", "retry")},
        "messages": len(record.messages),
        "messages_delivered": sum(1 for m in record.messages if m.delivered_at is not None),
    }
    for chain in record.chains:
        blocks = [b for b in record.blocks if b.chain == chain]
        if blocks:
            metrics[f"gas_{chain}"] = sum(b.gas for b in blocks)
            metrics[f"txs_{chain}"] = sum(b.transactions for b in blocks)
    return metrics


def extra_metrics(found: Any, prefix: str = "") -> dict[str, float]:
    """Numbers from a report's ``metrics`` mapping (nested mappings flattened with dots)."""
    if not isinstance(found, dict):
        return {}
    flat: dict[str, float] = {}
    for key, value in found.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            flat[name] = int(value)
        elif isinstance(value, int | float):
            flat[name] = value
        elif isinstance(value, dict):
            flat |= extra_metrics(value, f"{name}.")
    return flat
