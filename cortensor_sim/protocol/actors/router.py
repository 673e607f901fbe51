"""The router (Cortensor's ``routerv1``, the API front end): requests in, results out.

Users hand the router requests (a prompt and the user's own reference, as a REST client would).
The router resolves the user's session, submits the prompt on chain (``SessionV2.submit``, as a
router the session owner added), assigns it to the session's nodes (``assignTask``), and once the
validator has finalized the task, allocates the miners' payments (``allocateNodePayments``) and
returns the result. A task that ends without an agreeing result (the oracle forced it, nobody
committed, or the votes were inconclusive) is reassigned: submitted again, to nodes other than the
ones that missed it, up to ``max_attempts`` times.

Everything the router knows is rebuilt from the chain (:meth:`Router.restart`): on chain each
attempt carries ``<reference>/<attempt>`` as its client reference, so a restarted router finds
every request it had submitted, where each stands, and which ones were paid; the only thing it
waits for is its own transactions still in the pool, so that it never submits or pays twice.

In a private session (:mod:`.private`) the router seals each prompt under the session key it opens
from its envelope and submits ciphertext and commitment (``PrivateSessionV2.submitPrivate``); the
rest is the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..client import Signer
from .base import ProtocolActor, ProtocolHandle
from .private import Keyring, PrivatePayloadError
from .view import ChainView, TaskView

ROUTER_INTERVAL_MS = 1_000
MAX_ATTEMPTS = 3
LLM_PARAMS = (256, 7, 9, 40, 0, 0)
"""maxTokens, temperature x10, topP x10, topK, presence and frequency penalties."""

SUBMIT = "submit(uint256,uint256,string,uint256,string,uint256[],string)"
"""SessionV2's 7-argument ``submit`` (it is overloaded with the newer 8-argument form)."""
ASSIGN_TASK = "assignTask(uint256,uint256,address[])"
"""SessionQueueV2's ``assignTask`` without a model check (overloaded with the 4-argument form)."""


@dataclass(frozen=True)
class Request:
    """What a user asks the router for: ``reference`` is unique per request."""

    reference: str
    user: str
    prompt: str


@dataclass
class Outcome:
    """A request as the router returned it to its user."""

    request: Request
    task: tuple[int, int] | None
    result_valid: bool
    attempts: int
    submitted_at_s: int
    returned_at_ms: int


class Router(ProtocolActor):
    def __init__(
        self,
        name: str,
        handle: ProtocolHandle,
        signer: Signer,
        sessions: Mapping[str, int],
        redundancy: Mapping[int, int],
        *,
        interval_ms: int = ROUTER_INTERVAL_MS,
        max_attempts: int = MAX_ATTEMPTS,
        keyring: Keyring | None = None,
    ) -> None:
        self.name = name
        self.handle = handle
        self.signer = signer
        self.sessions = dict(sessions)
        """Which session serves each user (the router's configuration, not its state)."""
        self.redundancy = dict(redundancy)
        self.interval_ms = interval_ms
        self.max_attempts = max_attempts
        self.keyring = keyring
        """Opens the session keys of private sessions (from the router's envelopes on chain)."""
        self.next_wake_ms: int | None = 0
        self.restarts = 0
        self._reset()
        self._view = handle.view  # the population's shared view until a restart

    def _reset(self) -> None:
        self.inbox: dict[str, Request] = {}
        self.outcomes: dict[str, Outcome] = {}
        self._view: ChainView | None = None
        self._sent: set[tuple[str, str]] = set()
        self._next_task: dict[int, int] = {}
        """Private sessions: the task id the next submission will get (its payload is bound to it)."""

    def restart(self) -> None:
        """Drop every bit of state, the session keys opened included; the next wake rebuilds it
        from the chain (the keys from the router's envelopes)."""
        self._reset()
        if self.keyring is not None:
            self.keyring.keys.clear()
        self.restarts += 1

    def request(self, request: Request) -> None:
        """Take a request (idempotent: the same reference twice is one request)."""
        if request.reference not in self.outcomes:
            self.inbox.setdefault(request.reference, request)

    def wake(self, now_ms: int) -> None:
        self.next_wake_ms = now_ms + self.interval_ms
        if self._view is None:  # restarted: rebuild from the chain alone
            if self.signer.address in self.handle.chain.pooled_senders():
                return  # starting up: wait until our own pooled transactions are sealed
            self.signer.nonce = self.handle.chain.pending_nonce(self.signer.address)
            self._view = self.handle.new_view()
        view = self._view
        view.refresh()
        if self.signer.address not in self.handle.chain.pooled_senders():
            self._next_task.clear()  # nothing of ours in flight: read the count again when needed
        attempts = self._attempts_on_chain(view)
        for reference, request in sorted(self.inbox.items()):
            self._route(request, attempts.get(reference, []), now_ms)

    @staticmethod
    def _attempts_on_chain(view: ChainView) -> dict[str, list[TaskView]]:
        found: dict[str, list[TaskView]] = {}
        for task in view.tasks.values():
            reference, _, attempt = task.reference.rpartition("/")
            if reference and attempt.isdigit():
                found.setdefault(reference, []).append(task)
        for tasks in found.values():
            tasks.sort(key=lambda t: int(t.reference.rpartition("/")[2]))
        return found

    def _route(self, request: Request, tasks: Sequence[TaskView], now_ms: int) -> None:
        session_id = self.sessions[request.user]
        latest = tasks[-1] if tasks else None
        if latest is None or self._needs_reassignment(latest):
            if len(tasks) >= self.max_attempts:
                self._return(request, latest, tasks, now_ms)
                return
            reference = f"{request.reference}/{len(tasks) + 1}"
            session = self._view.sessions.get(session_id) if self._view else None
            if session is not None and session.private:
                self._submit_private(session_id, request.prompt, reference)
                return
            self._once(
                ("submit", reference),
                "session",
                SUBMIT,
                session_id,
                0,
                request.prompt,
                0,
                "",
                list(LLM_PARAMS),
                reference,
            )
            return
        if not latest.assigned:
            miners = self._choose(session_id, tasks)
            self._once(("assign", latest.reference), "queue", ASSIGN_TASK, session_id, latest.task_id, miners)
        elif latest.finalized and not latest.allocated:
            self._once(
                ("allocate", latest.reference), "payment", "allocateNodePayments", session_id, latest.task_id
            )
        elif latest.allocated:
            self._return(request, latest, tasks, now_ms)

    def _submit_private(self, session_id: int, prompt: str, reference: str) -> None:
        """Seal ``prompt`` for the task id it will get and submit ciphertext and commitment.

        The payload is bound to its task id, which the queue hands out in order: the router is its
        sessions' only submitter, so it is the queue's count plus what the router has sent since
        (read again whenever none of the router's transactions is in the pool)."""
        if ("submit", reference) in self._sent or self.keyring is None:
            return
        task_id = self._next_task.get(session_id)
        if task_id is None:
            task_id = int(self.handle.call("queue", "taskCount", session_id)[0])
        try:
            ciphertext, commitment = self.keyring.seal_prompt(session_id, task_id, prompt, reference)
        except PrivatePayloadError:
            return  # no envelope for the router yet: try again at the next wake
        self._sent.add(("submit", reference))
        sent = self.handle.send(
            self.name,
            self.signer,
            "private_sessions",
            "submitPrivate",
            session_id,
            0,
            ciphertext,
            commitment,
            0,
            list(LLM_PARAMS),
            reference,
        )
        if sent is not None:
            self._next_task[session_id] = task_id + 1

    @staticmethod
    def _needs_reassignment(task: TaskView) -> bool:
        return task.allocated and task.valid_count == 0

    def _choose(self, session_id: int, tasks: Sequence[TaskView]) -> list[str]:
        """The session's nodes, rotated by task id so the load spreads when the session holds
        spare nodes; those that missed a deadline in an earlier attempt of this request go last,
        and those that answered but went unpaid (a result left alone) just before them."""
        nodes = list(self._view.sessions[session_id].miners) if self._view else []
        earlier = tasks[:-1]
        late = {m for t in earlier for m in t.miners if m not in t.committed}
        unpaid = {m for t in earlier for m in t.miners if t.paid.get(m) is None}
        latest = tasks[-1]
        rotation = latest.task_id % len(nodes) if nodes else 0
        order = nodes[rotation:] + nodes[:rotation]
        order.sort(key=lambda m: (m in late, m in unpaid))
        return ["0x" + m.hex() for m in order[: self.redundancy.get(session_id, 3)]]

    def _once(self, key: tuple[str, str], contract: str, function: str, *args: object) -> None:
        if key in self._sent:
            return
        self._sent.add(key)
        self.handle.send(self.name, self.signer, contract, function, *args)

    def _return(
        self, request: Request, task: TaskView | None, tasks: Sequence[TaskView], now_ms: int
    ) -> None:
        self.inbox.pop(request.reference, None)
        self.outcomes[request.reference] = Outcome(
            request,
            task.key if task else None,
            bool(task and task.valid_count),
            len(tasks),
            tasks[0].submitted_at if tasks else now_ms // 1000,
            now_ms,
        )
