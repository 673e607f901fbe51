"""A private session on the protocol: who holds the session key, and how each actor uses it.

The owner opens a session, makes it private (PrivateSessionV2.enablePrivate), draws a session key
and posts it wrapped to itself and to each account it allowlists (the session's miners, and the
validator that must read results to judge them). Prompts enter as sealed payloads with a
commitment; each assigned miner fetches its envelope and the ciphertext from chain, opens them
with its own account key, checks the commitment, answers, seals the answer and precommits /
commits the sealed text. The validator opens the results with its envelope and runs Proof of
Inference on the plaintexts. Nothing here writes plaintext into a transaction.

Every actor's key lives in the simulation (the dev accounts); each method names whose key it uses,
so the code reads as the party that would run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from web3.contract import Contract

from ..inference import Verdict, judge
from ..network import CortensorNetwork
from .crypto import (
    NO_AUTHOR,
    DecryptionFailed,
    Entropy,
    commitment,
    open_payload,
    payload_binding,
    public_key_of,
    seal_payload,
    unwrap_key,
    wrap_key,
)

__all__ = [
    "RESULT_PREFIX",
    "CommitmentMismatch",
    "KeyNotDelivered",
    "PrivateInference",
    "PrivateSession",
    "node_public_key",
]

RESULT_PREFIX = "private:0x"
"""How a sealed result is written into SessionQueueV2's ``string`` result (like the task descriptor)."""

SALT_LENGTH = 32
LLM_PARAMS = [256, 7, 9, 40, 0, 0]  # maxTokens, temperature x10, topP x10, topK, penalties

Respond = Callable[[str, int, str], str | None]
"""(miner address, task id, prompt) -> the miner's answer, or None for no answer."""


class KeyNotDelivered(LookupError):
    """No envelope of the session key is posted for this reader (never allowlisted, or removed)."""


class CommitmentMismatch(ValueError):
    """A decrypted prompt does not match the commitment posted with it."""


@dataclass
class PrivateSession:
    """What the owner keeps off chain: the session key and, per task, the prompt and its salt."""

    session_id: int
    owner: str
    key: bytes
    prompts: dict[int, str] = field(default_factory=dict)
    salts: dict[int, bytes] = field(default_factory=dict)


@dataclass
class PrivateInference:
    """Private sessions on ``network``'s chain, through its PrivateSessionV2."""

    network: CortensorNetwork
    entropy: Entropy
    sessions: dict[int, PrivateSession] = field(default_factory=dict)
    _deliveries: int = 0

    # ------------------------------------------------------------------ owner
    def open_session(
        self,
        user: str,
        *,
        name: str = "private",
        redundancy: int = 3,
        deposit: int = 100 * 10**18,
        readers: Iterable[str] = (),
    ) -> int:
        """Open and fund a session, make it private, and give its key to the owner, the session's
        miners and ``readers`` (the validator, typically), allowlisting each."""
        session_id = self.network.open_session(user, name=name, redundancy=redundancy, deposit=deposit)
        who = self.network.actors.name_of(user)
        private = self.network.contracts.private_sessions.functions
        self.network._send(who, "enablePrivate", private.enablePrivate(session_id), user)
        key = self.entropy.draw(f"session key {self.network.chain.chain_id}/{session_id}")
        self.sessions[session_id] = PrivateSession(session_id, user, key)
        self.deliver_key(session_id, user)
        for reader in [*self.network.session_miners(session_id), *readers]:
            self.allow(session_id, reader)
            self.deliver_key(session_id, reader)
        return session_id

    def allow(self, session_id: int, account: str) -> None:
        owner = self.sessions[session_id].owner
        private = self.network.contracts.private_sessions.functions
        name = self.network.actors.name_of(account)
        self.network._send(
            self.network.actors.name_of(owner), f"allow {name}", private.allow(session_id, account), owner
        )

    def disallow(self, session_id: int, account: str) -> None:
        owner = self.sessions[session_id].owner
        private = self.network.contracts.private_sessions.functions
        name = self.network.actors.name_of(account)
        self.network._send(
            self.network.actors.name_of(owner),
            f"disallow {name}",
            private.disallow(session_id, account),
            owner,
        )

    def deliver_key(self, session_id: int, recipient: str) -> bytes:
        """Wrap the session key to ``recipient``'s public key and post the envelope; returns it."""
        session = self.sessions[session_id]
        self._deliveries += 1
        label = f"envelope {self.network.chain.chain_id}/{session_id}/{recipient}/{self._deliveries}"
        envelope = wrap_key(
            self.reader_public_key(recipient),
            session.key,
            self.entropy.secret_key(label),
            self.entropy.draw(label + " nonce", 16),
        )
        private = self.network.contracts.private_sessions.functions
        name = self.network.actors.name_of(recipient)
        self.network._send(
            self.network.actors.name_of(session.owner),
            f"postSessionKey to {name}",
            private.postSessionKey(session_id, recipient, envelope),
            session.owner,
        )
        return envelope

    def reader_public_key(self, account: str) -> bytes:
        """A node's key as NodePool stores it; another account's (the validator's, the owner's) as
        it would publish it."""
        pool = self.network.contracts.node_pool.functions
        node_id = pool.nodeIdOf(account).call()
        if node_id != bytes(32):
            return node_public_key(self.network.contracts.node_pool, node_id)
        return public_key_of(self.network.account_key(account))

    def submit(self, session_id: int, prompts: Sequence[str]) -> list[int]:
        """The owner seals each prompt (salt || prompt) and submits ciphertext and commitment."""
        session = self.sessions[session_id]
        private = self.network.contracts.private_sessions.functions
        who = self.network.actors.name_of(session.owner)
        first = self.network.next_task_id(session_id)
        task_ids = list(range(first, first + len(prompts)))
        for task_id, prompt in zip(task_ids, prompts, strict=True):
            label = f"prompt {self.network.chain.chain_id}/{session_id}/{task_id}"
            salt = self.entropy.draw(label + " salt")
            sealed = seal_payload(
                session.key,
                salt + prompt.encode(),
                self.entropy.draw(label + " nonce", 16),
                self._associated("prompt", session_id, task_id),
            )
            call = private.submitPrivate(
                session_id, 0, sealed, commitment(prompt.encode(), salt), 0, LLM_PARAMS, f"ref-{task_id}"
            )
            self.network._send(who, f"submitPrivate task {task_id}", call, session.owner)
            session.prompts[task_id] = prompt
            session.salts[task_id] = salt
        return task_ids

    # ------------------------------------------------------------------ any reader
    def session_key(self, reader: str, session_id: int) -> bytes:
        """The session key as ``reader`` recovers it: its envelope from chain, opened with its key."""
        private = self.network.contracts.private_sessions.functions
        envelope = bytes(private.sessionKeyOf(session_id, reader).call())
        if not envelope:
            name = self.network.actors.name_of(reader)
            raise KeyNotDelivered(f"no session key is posted for {name} in session {session_id}")
        return unwrap_key(self.network.account_key(reader), envelope)

    # ------------------------------------------------------------------ miner
    def read_prompt(self, miner: str, session_id: int, task_id: int) -> str:
        """What ``miner`` reads of a task: decrypted with its envelope, checked against the commitment."""
        key = self.session_key(miner, session_id)
        sealed, posted = self.network.contracts.private_sessions.functions.getPrivateTask(
            session_id, task_id
        ).call()
        payload = open_payload(key, bytes(sealed), self._associated("prompt", session_id, task_id))
        salt, prompt = payload[:SALT_LENGTH], payload[SALT_LENGTH:]
        if commitment(prompt, salt) != bytes(posted):
            raise CommitmentMismatch(f"task {task_id} of session {session_id}: prompt does not match")
        return prompt.decode()

    def seal_result(self, miner: str, session_id: int, task_id: int, answer: str) -> str:
        """``miner``'s answer sealed under the session key, as the string it precommits and commits."""
        key = self.session_key(miner, session_id)
        label = f"result {self.network.chain.chain_id}/{session_id}/{task_id}/{miner}"
        sealed = seal_payload(
            key,
            answer.encode(),
            self.entropy.draw(label + " nonce", 16),
            self._associated("result", session_id, task_id, miner),
        )
        return RESULT_PREFIX + sealed.hex()

    def answer(
        self, session_id: int, task_ids: Sequence[int], miners: Sequence[str], respond: Respond
    ) -> dict[int, dict[str, str]]:
        """Each miner decrypts each task, answers as ``respond`` says, and seals its answer."""
        sealed: dict[int, dict[str, str]] = {}
        for task_id in task_ids:
            sealed[task_id] = {}
            for miner in miners:
                answer = respond(miner, task_id, self.read_prompt(miner, session_id, task_id))
                if answer is not None:
                    sealed[task_id][miner] = self.seal_result(miner, session_id, task_id, answer)
        return sealed

    # ------------------------------------------------------------------ validator, owner
    def read_results(self, reader: str, session_id: int, task_id: int) -> dict[str, str]:
        """The committed results of a task, decrypted by ``reader`` (the validator or the owner)."""
        key = self.session_key(reader, session_id)
        opened = {}
        for miner, data in self.network.task_results(session_id, task_id).items():
            if not data.startswith(RESULT_PREFIX):
                raise DecryptionFailed(f"{miner}'s result for task {task_id} is not sealed")
            sealed = bytes.fromhex(data[len(RESULT_PREFIX) :])
            associated = self._associated("result", session_id, task_id, miner)
            opened[miner] = open_payload(key, sealed, associated).decode()
        return opened

    def judge_and_pay(
        self, session_id: int, task_ids: Sequence[int], miners: Sequence[str]
    ) -> dict[int, dict[str, Verdict]]:
        """The validator opens the results, runs Proof of Inference on the plaintexts, posts and
        finalizes the verdicts (only verdicts go on chain), and the miners are paid."""
        validator = self.network.actors.validator
        verdicts = {t: judge(self.read_results(validator, session_id, t), miners) for t in task_ids}
        posted = {t: {m: v for m, v in vs.items() if v is not Verdict.NONE} for t, vs in verdicts.items()}
        self.network.validate(session_id, posted)
        self.network.pay(session_id, task_ids)
        return verdicts

    def run_tasks(
        self,
        session_id: int,
        task_ids: Sequence[int],
        respond: Respond,
        advance: Callable[[float], object],
        poll: float = 5.0,
    ) -> dict[int, dict[str, Verdict]]:
        """Every phase for ``task_ids``: assign and ack, sealed precommits and commits, end, then
        verdicts and payment; ``advance`` moves the clock ``poll`` seconds between phases (the
        miners' MINER_PULLING_INTERVAL_SECONDS)."""
        net = self.network
        miners = net.session_miners(session_id)
        net.assign(session_id, task_ids, miners)
        net.ack(session_id, task_ids, miners)
        net.end_phase("ack", session_id, task_ids)
        advance(poll)
        sealed = self.answer(session_id, task_ids, miners, respond)
        net.precommit(session_id, sealed)
        net.end_phase("precommit", session_id, task_ids)
        advance(poll)
        net.commit(session_id, sealed)
        net.end_phase("commit", session_id, task_ids)
        net.end_phase("end", session_id, task_ids)
        advance(poll)
        return self.judge_and_pay(session_id, task_ids, miners)

    def plaintexts(self, session_ids: Iterable[int] | None = None) -> list[str]:
        """Every prompt and every decrypted result of the sessions (what must never be on chain)."""
        out: list[str] = []
        owner_reads = self.sessions if session_ids is None else {s: self.sessions[s] for s in session_ids}
        for session_id, session in owner_reads.items():
            out += session.prompts.values()
            for task_id in session.prompts:
                out += self.read_results(session.owner, session_id, task_id).values()
        return out

    def _associated(self, kind: str, session_id: int, task_id: int, author: str | None = None) -> bytes:
        """Associated data (:func:`payload_binding`), so a ciphertext opens only where it was posted."""
        contract = self.network.contracts.private_sessions.address
        chain_id = self.network.chain.chain_id
        return payload_binding(kind, chain_id, contract, session_id, task_id, author or NO_AUTHOR)


def node_public_key(node_pool: Contract, node_id: bytes) -> bytes:
    """The public key NodePool stores for a node, found by its field name in getNode's ABI."""
    (output,) = next(item for item in node_pool.abi if item.get("name") == "getNode")["outputs"]
    fields = [component["name"] for component in output["components"]]
    return bytes(node_pool.functions.getNode(node_id).call()[fields.index("publicKey")])
