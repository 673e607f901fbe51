"""The miner (Cortensor's ``minerv4``): polls for assigned tasks, acks, infers, precommits, commits.

A miner wakes every ``MINER_PULLING_INTERVAL_SECONDS`` (5 s by default, from Cortensor's installer
configuration), reads what was assigned to it from its view of the chain, and moves each task one
phase on per poll: ack in the ack phase, run the prompt through its backend and post a salted
precommitment in the precommit phase, reveal in the commit phase. Its behaviour profile decides
what it answers and whether it is on time; a backend that fails is a missed result for this poll.

In a private session it opens the prompt with the session key from its envelope, and precommits
and commits its answer sealed under that key (:mod:`.private`); a prompt it cannot open is a
missed result, like a failed backend.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from eth_hash.auto import keccak

from ..backends import Backend, BackendError
from ..client import Signer
from ..inference import made_up_answer
from .base import COMMIT, ProtocolActor, ProtocolHandle
from .private import Keyring, PrivatePayloadError
from .view import TaskStatus, TaskView

MINER_PULLING_INTERVAL_MS = 5_000
"""Cortensor's default ``MINER_PULLING_INTERVAL_SECONDS=5`` (cortensor/installer, dist/.env-example)."""

Behaviour = Literal["honest", "slow", "lazy", "malicious", "colluding", "offline"]
BEHAVIOURS: tuple[str, ...] = ("honest", "slow", "lazy", "malicious", "colluding", "offline")


@dataclass(frozen=True)
class Profile:
    """How one miner behaves.

    * ``slow``: misses a phase deadline on a ``rate`` share of its tasks (it acts after the window
      has closed, so its transaction reverts);
    * ``lazy``: answers with low-effort output (too short to be useful, unlike the others');
    * ``malicious``: answers something made up, its own (unlike any other miner's), on a ``rate``
      share of its tasks (all by default); ``colluding``: the same made-up answer as every other
      colluding miner for the same prompt;
    * ``offline``: stops polling at ``offline_at_s`` and comes back at ``back_at_s`` (or never).
    """

    behaviour: Behaviour = "honest"
    rate: float = 1.0
    offline_at_s: float | None = None
    back_at_s: float | None = None


def _fraction(*parts: object) -> float:
    """A deterministic number in [0, 1) from ``parts`` (the seeded coin of a behaviour)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def answer_for(profile: Profile, backend: Backend, prompt: str, miner: str, seed: int, key: object) -> str:
    """What a miner of ``profile`` commits for ``prompt`` (raises BackendError when it fails)."""
    if profile.behaviour == "malicious" and _fraction("lie", seed, miner, key) < profile.rate:
        # Its own made-up words, as the scripted dishonest miners answer: two liars do not agree
        # with each other, so they cannot outvote an honest miner (only colluders can).
        return made_up_answer(seed, miner, key)
    if profile.behaviour == "colluding":
        # Plausible on its face (it names the prompt's topic, so a usefulness judge passes it) and
        # the same for every member of the cartel: the attack redundancy alone cannot see.
        tag = hashlib.sha256(f"collude:{seed}:{prompt}".encode()).hexdigest()[:10]
        topic = " ".join(re.findall(r"\w+", prompt.lower())[:6])
        return f"Wrong: {topic} is unrelated to anything; invented claim {tag} repeated by the cartel."
    if profile.behaviour == "lazy":
        return "OK."
    return backend.complete(prompt)


class Miner(ProtocolActor):
    def __init__(
        self,
        name: str,
        handle: ProtocolHandle,
        signer: Signer,
        backend: Backend,
        profile: Profile,
        *,
        seed: int,
        first_wake_ms: int,
        interval_ms: int = MINER_PULLING_INTERVAL_MS,
        keyring: Keyring | None = None,
    ) -> None:
        self.name = name
        self.handle = handle
        self.signer = signer
        self.backend = backend
        self.profile = profile
        self.seed = seed
        self.interval_ms = interval_ms
        self.next_wake_ms: int | None = first_wake_ms
        self.address = signer.address
        self._answers: dict[tuple[int, int], tuple[str, bytes]] = {}
        self._sent: set[tuple[str, tuple[int, int]]] = set()
        self.keyring = keyring
        self.missed_backend = 0
        self.unreadable = 0
        """Private prompts this miner could not open (no envelope, or a payload that did not verify)."""
        self.outages: list[tuple[int, int | None]] = []
        """Spans (ms) in which the miner is down; from its profile, and from crash faults."""
        if profile.offline_at_s is not None:
            back = None if profile.back_at_s is None else round(profile.back_at_s * 1000)
            self.outages.append((round(profile.offline_at_s * 1000), back))

    def crash(self, at_ms: int, back_ms: int | None = None) -> None:
        """Go down at ``at_ms``; come back at ``back_ms`` (never if ``None``)."""
        self.outages.append((at_ms, back_ms))

    def offline(self, now_ms: int) -> bool:
        return any(start <= now_ms and (end is None or now_ms < end) for start, end in self.outages)

    def _late(self, task: TaskView) -> bool:
        return (
            self.profile.behaviour == "slow" and _fraction(self.seed, self.name, task.key) < self.profile.rate
        )

    def wake(self, now_ms: int) -> None:
        assert self.next_wake_ms is not None
        self.next_wake_ms += self.interval_ms * max(1, (now_ms - self.next_wake_ms) // self.interval_ms + 1)
        if self.offline(now_ms):
            return
        view = self.handle.view
        for key in sorted(view.by_miner.get(self.address, ())):
            self._poll(view.tasks[key], now_ms // 1000)

    def _poll(self, task: TaskView, now_s: int) -> None:
        d = self.handle.deadlines
        me = self.address
        if task.status == TaskStatus.QUEUED and me not in task.acked:
            self._act_once("ack", task, now_s, task.phase_started_at + d.ack)
        elif task.status == TaskStatus.ACKED and me in task.acked and me not in task.precommitted:
            if task.key not in self._answers and not self._infer(task):
                return
            answer, salt = self._answers[task.key]
            commitment = keccak(answer.encode() + salt + me)
            self._act_once("precommit", task, now_s, task.phase_started_at + d.precommit, commitment, "")
        elif task.status == TaskStatus.PRECOMMITTED and me in task.precommitted and me not in task.committed:
            answer, salt = self._answers[task.key]
            self._act_once("commit", task, now_s, task.phase_started_at + d.commit, answer, salt)

    def _infer(self, task: TaskView) -> bool:
        session = self.handle.view.sessions.get(task.session_id)
        private = session is not None and session.private and self.keyring is not None
        prompt = task.prompt
        if private:
            assert self.keyring is not None
            try:
                prompt = self.keyring.open_prompt(task)
            except PrivatePayloadError:
                self.unreadable += 1
                return False
        try:
            answer = answer_for(self.profile, self.backend, prompt, self.name, self.seed, task.key)
        except BackendError:
            self.missed_backend += 1
            return False
        if private:
            assert self.keyring is not None
            answer = self.keyring.seal_result(task, answer)
        salt = keccak(f"salt:{self.seed}:{self.name}:{task.session_id}:{task.task_id}".encode())
        self._answers[task.key] = (answer, salt)
        return True

    def _act_once(self, phase: str, task: TaskView, now_s: int, deadline_s: int, *extra: object) -> None:
        """Send ``phase`` for ``task`` once. A late miner holds it until the window has closed."""
        if (phase, task.key) in self._sent:
            return
        if self._late(task) and now_s <= deadline_s:
            return
        function = COMMIT if phase == "commit" else phase
        self._sent.add((phase, task.key))
        self.handle.send(self.name, self.signer, "queue", function, task.session_id, task.task_id, *extra)
