"""The validator (Cortensor's ``validatorv2``/``validatorv3``): Proof of Inference and of Useful Work.

For each completed task the validator reads the committed results (``getTaskResults``) and votes
per miner:

* **Proof of Inference**: embeddings of the redundant results are compared by cosine similarity;
  the reference is the result closest to all others (the medoid), and a result at least
  ``threshold`` similar to it (0.85, Cortensor's documented example) agrees;
* **Proof of Useful Work**: the backend's judge scores each result's usefulness for the prompt; a
  result below ``usefulness`` is not useful, however similar it is, and is never the reference.

A result agrees when it is useful and similar to the reference. The verdicts then follow the
scripted judge's majority rule (:func:`cortensor_sim.protocol.inference.majority_verdicts`, one
function for both): when a strict majority of the results agree, those are VALID and the others
INVALID; otherwise no answer is accepted and every vote is RETRY, as with fewer than two results,
where there is nothing to compare (the router reassigns). Then ``finalize`` applies rewards,
penalties, slashing.

In a private session the validator opens the prompt and every committed result with the session
key from its envelope and judges the plaintexts; a result that does not open is INVALID.

The validator also revalidates released nodes: a node whose reputation NodePool's policy accepts
returns to the ephemeral pool (``promoteByReputation``); one it refuses has left the pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..backends import Backend, BackendError
from ..backends.base import cosine
from ..client import ClientError, Signer
from ..inference import SIMILARITY_THRESHOLD, Verdict, majority_verdicts
from .base import ProtocolActor, ProtocolHandle
from .private import Keyring, PrivatePayloadError
from .view import TaskView

__all__ = ["SIMILARITY_THRESHOLD", "Validator", "Verdict", "proof_of_inference", "verdicts_for"]

USEFULNESS_THRESHOLD = 0.5
VALIDATOR_INTERVAL_MS = 1_000


def proof_of_inference(
    embeddings: Mapping[bytes, Sequence[float]], threshold: float = SIMILARITY_THRESHOLD
) -> dict[bytes, bool]:
    """Which results agree with the medoid of all of them (needs at least two results)."""
    reference = _medoid(embeddings)
    return {m: cosine(e, embeddings[reference]) >= threshold for m, e in embeddings.items()}


def verdicts_for(
    backend: Backend,
    prompt: str,
    results: Mapping[bytes, str],
    *,
    threshold: float = SIMILARITY_THRESHOLD,
    usefulness: float = USEFULNESS_THRESHOLD,
) -> dict[bytes, Verdict]:
    """One vote per miner that committed a result (raises BackendError if the backend fails).

    A result agrees when it is useful and at least ``threshold`` similar to the reference, the
    medoid of the useful results only (a low-effort answer must not become the yardstick the
    others are measured by); the scripted judge's majority rule makes the votes."""
    if len(results) < 2:
        return {m: Verdict.RETRY for m in results}
    useful = {m for m, r in results.items() if backend.judge(prompt, r) >= usefulness}
    if not useful:
        return majority_verdicts(dict.fromkeys(results, False))
    embeddings = {m: backend.embed(r) for m, r in results.items()}
    reference = _medoid({m: embeddings[m] for m in useful})
    agrees = {m: m in useful and cosine(embeddings[m], embeddings[reference]) >= threshold for m in results}
    return majority_verdicts(agrees)


def _medoid(embeddings: Mapping[bytes, Sequence[float]]) -> bytes:
    """The result closest to all the others (ties: the lowest address)."""
    miners = sorted(embeddings)

    def closeness(m: bytes) -> tuple[float, int]:
        return (sum(cosine(embeddings[m], embeddings[o]) for o in miners), -miners.index(m))

    return max(miners, key=closeness)


class Validator(ProtocolActor):
    def __init__(
        self,
        name: str,
        handle: ProtocolHandle,
        signer: Signer,
        backend: Backend,
        *,
        threshold: float = SIMILARITY_THRESHOLD,
        usefulness: float = USEFULNESS_THRESHOLD,
        interval_ms: int = VALIDATOR_INTERVAL_MS,
        keyring: Keyring | None = None,
    ) -> None:
        self.name = name
        self.handle = handle
        self.signer = signer
        self.backend = backend
        self.threshold = threshold
        self.usefulness = usefulness
        self.interval_ms = interval_ms
        self.keyring = keyring
        self.next_wake_ms: int | None = 0
        self._judged: set[tuple[int, int]] = set()
        self._revalidated = 0
        self.left_pool: set[bytes] = set()
        self.votes: dict[tuple[int, int], dict[bytes, Verdict]] = {}

    def wake(self, now_ms: int) -> None:
        self.next_wake_ms = now_ms + self.interval_ms
        view = self.handle.view
        for key in sorted(view.unjudged - self._judged):
            self._judge(key)
        released = view.released[self._revalidated :]
        self._revalidated = len(view.released)
        for node_id, address in released:
            self._revalidate(node_id, address)

    def _judge(self, key: tuple[int, int]) -> None:
        session_id, task_id = key
        results = self.handle.committed_results(self.handle.view.tasks[key])
        if results is None:
            miners, texts = self.handle.call("queue", "getTaskResults", session_id, task_id)
            results = {bytes.fromhex(m[2:]): t for m, t in zip(miners, texts, strict=True)}
        task = self.handle.view.tasks[key]
        prompt, unreadable = task.prompt, set()
        session = self.handle.view.sessions.get(session_id)
        if session is not None and session.private and self.keyring is not None:
            try:
                prompt, results, unreadable = self._open(task, results)
            except PrivatePayloadError:
                return  # no envelope yet, or the prompt does not open: tried again at the next wake
        try:
            votes = verdicts_for(
                self.backend, prompt, results, threshold=self.threshold, usefulness=self.usefulness
            )
        except BackendError:
            return  # tried again at the next wake
        votes |= dict.fromkeys(unreadable, Verdict.INVALID)
        self._judged.add(key)
        self.votes[key] = votes
        if votes:
            addresses = ["0x" + m.hex() for m in votes]
            values = [int(v) for v in votes.values()]
            self.handle.send(
                self.name, self.signer, "validator", "submitVerdicts", session_id, task_id, addresses, values
            )
        self.handle.send(self.name, self.signer, "validator", "finalize", session_id, task_id)

    def _open(self, task: TaskView, sealed: dict[bytes, str]) -> tuple[str, dict[bytes, str], set[bytes]]:
        """A private task's prompt and results in clear, and the miners whose result does not open."""
        assert self.keyring is not None
        prompt = self.keyring.open_prompt(task)
        opened: dict[bytes, str] = {}
        unreadable: set[bytes] = set()
        for miner, result in sealed.items():
            try:
                opened[miner] = self.keyring.open_result(task, miner, result)
            except PrivatePayloadError:
                unreadable.add(miner)
        return prompt, opened, unreadable

    def _revalidate(self, node_id: bytes, address: bytes) -> None:
        try:
            self.handle.call("node_pool", "promoteByReputation", node_id, sender=self.signer.address)
        except ClientError:
            self.left_pool.add(address)  # NodePool's reputation policy keeps it out of the pool
            return
        self.handle.send(self.name, self.signer, "node_pool", "promoteByReputation", node_id)
