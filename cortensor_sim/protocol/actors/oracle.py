"""The oracle (Cortensor's ``oraclev3``): pushes each task's phases on, past their deadlines.

SessionQueueV2 lets anyone end a phase once every eligible miner has acted, and ORACLE_ROLE end it
at any time. The oracle ends a phase as soon as it is complete, and forces it when its deadline has
passed with miners missing, so one silent miner never stalls a task. A task nobody acked is ended
outright (``end(..., forceEnd=true)``); the router then reassigns the request to other nodes.
"""

from __future__ import annotations

from ..client import Signer
from .base import ProtocolActor, ProtocolHandle
from .view import TaskStatus, TaskView

ORACLE_INTERVAL_MS = 1_000


class Oracle(ProtocolActor):
    def __init__(
        self, name: str, handle: ProtocolHandle, signer: Signer, *, interval_ms: int = ORACLE_INTERVAL_MS
    ):
        self.name = name
        self.handle = handle
        self.signer = signer
        self.interval_ms = interval_ms
        self.next_wake_ms: int | None = 0
        self._sent: set[tuple[str, tuple[int, int]]] = set()
        self.forced = 0

    def wake(self, now_ms: int) -> None:
        self.next_wake_ms = now_ms + self.interval_ms
        view = self.handle.view
        for key in sorted(view.running):
            self._push(view.tasks[key], now_ms // 1000)

    def _push(self, task: TaskView, now_s: int) -> None:
        d = self.handle.deadlines
        started = task.phase_started_at
        if task.status == TaskStatus.QUEUED:
            done, deadline = len(task.acked) == len(task.miners), started + d.ack
            if not done and now_s > deadline and not task.acked:
                self._send("end", task, True, forced=True)
            elif done or now_s > deadline:
                self._send("endAck", task, forced=not done)
        elif task.status == TaskStatus.ACKED:
            done, deadline = task.precommitted >= task.acked, started + d.precommit
            if done or now_s > deadline:
                self._send("endPrecommit", task, True, forced=not done)
        elif task.status == TaskStatus.PRECOMMITTED:
            done, deadline = task.committed >= task.precommitted, started + d.commit
            if done or now_s > deadline:
                self._send("endCommit", task, True, forced=not done)
        elif task.status == TaskStatus.COMMITTED:
            self._send("end", task, False)

    def _send(self, function: str, task: TaskView, *extra: object, forced: bool = False) -> None:
        if (function, task.key) in self._sent:
            return
        self._sent.add((function, task.key))
        self.forced += forced
        self.handle.send(self.name, self.signer, "queue", function, task.session_id, task.task_id, *extra)
