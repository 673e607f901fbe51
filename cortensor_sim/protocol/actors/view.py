"""What an actor knows of the chain: the protocol's events, read block range by block range.

A Cortensor node learns about sessions and tasks from the contracts' events (its node's log
subscription) and reads the rest with calls. :class:`ChainView` is that: it pulls the logs of
every block sealed since its last look through the lean client, decodes them by topic and folds
them into per-task records. Rebuilding one from block 0 is how a restarted actor recovers its
state from the chain alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..client import DecodedLog, LeanClient

Address = bytes
TaskKey = tuple[int, int]


class TaskStatus:
    """SessionQueueV2.TaskStatus (the contract's values)."""

    QUEUED, ACKED, PRECOMMITTED, COMMITTED, COMPLETED = range(5)


def _address(value: str) -> Address:
    return bytes.fromhex(value[2:])


@dataclass
class TaskView:
    session_id: int
    task_id: int
    prompt: str = ""
    reference: str = ""
    submitted_at: int = 0
    status: int = TaskStatus.QUEUED
    miners: tuple[Address, ...] = ()
    acked: set[Address] = field(default_factory=set)
    precommitted: set[Address] = field(default_factory=set)
    committed: set[Address] = field(default_factory=set)
    commit_txs: dict[Address, bytes] = field(default_factory=dict)
    """The transaction that carried each miner's commit (its calldata holds the revealed result)."""
    phase_started_at: int = 0
    """Block time (s) the current phase started: SessionQueueV2 counts its deadlines from it."""
    ended_at: int | None = None
    finalized: bool = False
    valid_count: int = 0
    allocated: bool = False
    paid: dict[Address, int] = field(default_factory=dict)

    @property
    def key(self) -> TaskKey:
        return (self.session_id, self.task_id)

    @property
    def assigned(self) -> bool:
        return bool(self.miners)


@dataclass
class SessionView:
    session_id: int
    owner: Address
    miners: tuple[Address, ...]
    active: bool = True
    private: bool = False
    """Made private (PrivateSessionV2's ``SessionMadePrivate``): its prompts and results are sealed."""


@dataclass
class ChainView:
    """Sessions, tasks, payments, slashes and reputation records, as the events tell them."""

    client: LeanClient
    next_block: int = 0
    sessions: dict[int, SessionView] = field(default_factory=dict)
    tasks: dict[TaskKey, TaskView] = field(default_factory=dict)
    slashed: dict[Address, int] = field(default_factory=dict)
    earned: dict[Address, int] = field(default_factory=dict)
    reputation: dict[bytes, list[bool]] = field(default_factory=dict)
    released: list[tuple[bytes, Address]] = field(default_factory=list)
    ephemeral: set[Address] = field(default_factory=set)
    by_miner: dict[Address, set[TaskKey]] = field(default_factory=dict)
    """Tasks assigned to each miner and not completed yet (what a miner's poll looks at)."""
    running: set[TaskKey] = field(default_factory=set)
    """Assigned tasks not completed yet (what the oracle watches)."""
    unjudged: set[TaskKey] = field(default_factory=set)
    """Completed tasks without verdicts yet (what the validator works through)."""
    listeners: list[Callable[[DecodedLog, int], None]] = field(default_factory=list)

    def refresh(self) -> None:
        """Fold in the events of every block sealed since the last refresh."""
        chain = self.client.chain
        head = chain.height
        if head < self.next_block:
            return
        for log in self.client.logs(self.next_block, head):
            self._apply(log)
        self.next_block = head + 1

    def _task(self, args: dict) -> TaskView:
        key = (int(args["sessionId"]), int(args["taskId"]))
        task = self.tasks.get(key)
        if task is None:
            task = self.tasks[key] = TaskView(*key)
        return task

    def _apply(self, log: DecodedLog) -> None:
        args, event, at = dict(log.args), log.event, log.timestamp
        if event == "SessionCreated":
            sid = int(args["sessionId"])
            miners = tuple(_address(m) for m in args["miners"])
            self.sessions[sid] = SessionView(sid, _address(args["owner"]), miners)
        elif event == "SessionMadePrivate":
            self.sessions[int(args["sessionId"])].private = True
        elif event == "SessionDeactivated":
            self.sessions[int(args["sessionId"])].active = False
        elif event == "TaskSubmitted":
            task = self._task(args)
            task.prompt, task.reference, task.submitted_at = args["taskData"], args["clientReference"], at
        elif event == "TaskAssigned" and log.contract == "SessionQueueV2":
            task = self._task(args)
            task.miners = tuple(_address(m) for m in args["miners"])
            task.phase_started_at = at
            self.running.add(task.key)
            for miner in task.miners:
                self.by_miner.setdefault(miner, set()).add(task.key)
        elif event == "TaskAcked":
            self._task(args).acked.add(_address(args["miner"]))
        elif event == "TaskPrecommitted":
            self._task(args).precommitted.add(_address(args["miner"]))
        elif event == "TaskCommitted":
            task, miner = self._task(args), _address(args["miner"])
            task.committed.add(miner)
            task.commit_txs[miner] = log.tx_hash
        elif event in ("TaskAckEnded", "TaskPrecommitEnded", "TaskCommitEnded"):
            task = self._task(args)
            task.status = {"TaskAckEnded": 1, "TaskPrecommitEnded": 2, "TaskCommitEnded": 3}[event]
            task.phase_started_at = at
        elif event == "TaskEnded":
            task = self._task(args)
            task.status, task.ended_at, task.phase_started_at = TaskStatus.COMPLETED, at, at
            self.running.discard(task.key)
            self.unjudged.add(task.key)
            for miner in task.miners:
                self.by_miner.get(miner, set()).discard(task.key)
        elif event == "TaskFinalized":
            task = self._task(args)
            task.finalized, task.valid_count = True, int(args["validCount"])
            self.unjudged.discard(task.key)
        elif event == "NodePaymentAllocated":
            miner, amount = _address(args["miner"]), int(args["amount"])
            self._task(args).paid[miner] = amount
            self.earned[miner] = self.earned.get(miner, 0) + amount
        elif event == "TaskPaymentsAllocated":
            self._task(args).allocated = True
        elif event == "NodeSlashed":
            miner = _address(args["nodeAddress"])
            self.slashed[miner] = self.slashed.get(miner, 0) + int(args["amount"])
        elif event == "StateRecorded":
            self.reputation.setdefault(bytes(args["node"]), []).append(bool(args["success"]))
        elif event == "NodeReleased" and log.contract == "NodePool":
            self.released.append((bytes(args["nodeId"]), _address(args["nodeAddress"])))
            self.ephemeral.discard(_address(args["nodeAddress"]))
        elif event == "NodeEphemeral":
            self.ephemeral.add(_address(args["nodeAddress"]))
        elif event == "NodeReserved":
            self.ephemeral.discard(_address(args["nodeAddress"]))
        for listener in self.listeners:
            listener(log, at)
