"""Private sessions as the actors run them: each role opens what it was sent, with its own key.

A private session (docs/private-inference.md) puts only ciphertexts, commitments and key envelopes
on chain. The actors play it as they play a clear session, with one :class:`Keyring` each:

* the **user** (the session owner) makes its session private before any task, draws the session
  key and posts it wrapped (ECIES) to itself, to its router, to every node the session reserved and
  to the validator, allowlisting each (:func:`make_private`);
* the **router** seals each prompt under the session key it recovers from its envelope and submits
  ciphertext and commitment with ``PrivateSessionV2.submitPrivate``;
* a **miner** opens its envelope and the task's ciphertext, checks the commitment, answers, and
  precommits and commits its answer sealed (``private:0x<hex>``);
* the **validator** opens the committed results to run Proof of Inference and of Useful Work on
  the plaintexts; only verdicts go on chain.

Every key an actor uses comes from the chain (its envelope) and its own account key, so a
restarted actor recovers it as it recovers the rest of its state. The randomness (session keys,
salts, nonces, ephemeral keys) is drawn from :class:`Entropy`, keyed by the run's seed, with a
label per use, so that a run replays byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...artifacts import load_artifact
from ..client import ClientError, Signer
from ..privacy.crypto import (
    DecryptionFailed,
    Entropy,
    commitment,
    open_payload,
    payload_binding,
    seal_payload,
    unwrap_key,
    wrap_key,
)
from .base import ProtocolHandle
from .view import TaskView

PRIVATE_PREFIX = "private:0x"
"""How PrivateSessionV2 writes a private task's descriptor, and how a sealed result is committed."""
SALT_LENGTH = 32


class PrivatePayloadError(ValueError):
    """A private payload could not be read: no envelope for this actor, a ciphertext that does not
    open, or a prompt that does not match its commitment."""


def population_entropy(seed: int) -> Entropy:
    """The stand-in for the OS random source of one population's actors."""
    return Entropy(f"cortensor-sim actors {seed}".encode())


@dataclass
class Keyring:
    """What one actor holds of the private sessions: its account key and the session keys it
    has opened from its envelopes (a cache; the envelopes on chain are the truth)."""

    handle: ProtocolHandle
    signer: Signer
    entropy: Entropy
    keys: dict[int, bytes] = field(default_factory=dict)

    @property
    def _contract(self) -> str:
        return "0x" + self.handle.addresses["private_sessions"].hex()

    def _binding(self, kind: str, session_id: int, task_id: int, author: bytes | None = None) -> bytes:
        miner = "0x" + (author or bytes(20)).hex()
        return payload_binding(kind, self.handle.chain.chain_id, self._contract, session_id, task_id, miner)

    def session_key(self, session_id: int) -> bytes:
        """The session key, from this actor's envelope on chain opened with its account key."""
        if session_id not in self.keys:
            (envelope,) = self.handle.call(
                "private_sessions", "sessionKeyOf", session_id, self.signer.hex_address
            )
            if not envelope:
                raise PrivatePayloadError(
                    f"no session key is posted for {self.signer.hex_address} in session {session_id}"
                )
            try:
                self.keys[session_id] = unwrap_key(self.signer.key, bytes(envelope))
            except DecryptionFailed as exc:
                raise PrivatePayloadError(f"session {session_id}: {exc}") from None
        return self.keys[session_id]

    # ------------------------------------------------------------------ owner
    def draw_session_key(self, session_id: int) -> bytes:
        """A fresh session key for ``session_id`` (the owner draws it)."""
        key = self.entropy.draw(f"session key {self.handle.chain.chain_id}/{session_id}")
        self.keys[session_id] = key
        return key

    def envelope(self, session_id: int, recipient_public_key: bytes, recipient: str) -> bytes:
        """The session key wrapped to ``recipient``'s 64-byte public key (ECIES, eciespy's layout)."""
        label = f"envelope {self.handle.chain.chain_id}/{session_id}/{recipient}"
        return wrap_key(
            recipient_public_key,
            self.keys[session_id],
            self.entropy.secret_key(label),
            self.entropy.draw(label + " nonce", 16),
        )

    # ------------------------------------------------------------------ router
    def seal_prompt(self, session_id: int, task_id: int, prompt: str, reference: str) -> tuple[bytes, bytes]:
        """(ciphertext of salt || prompt, keccak256(prompt ++ salt)) for the task ``task_id`` will be."""
        label = f"prompt {self.handle.chain.chain_id}/{session_id}/{reference}"
        salt = self.entropy.draw(label + " salt")
        sealed = seal_payload(
            self.session_key(session_id),
            salt + prompt.encode(),
            self.entropy.draw(label + " nonce", 16),
            self._binding("prompt", session_id, task_id),
        )
        return sealed, commitment(prompt.encode(), salt)

    # ------------------------------------------------------------------ miner, validator
    def open_prompt(self, task: TaskView) -> str:
        """The task's prompt: its ciphertext from chain, opened and checked against its commitment."""
        try:
            ((sealed, posted),) = self.handle.call("private_sessions", "getPrivateTask", *task.key)
            key = self.session_key(task.session_id)
            payload = open_payload(key, bytes(sealed), self._binding("prompt", *task.key))
        except (ClientError, DecryptionFailed) as exc:
            raise PrivatePayloadError(f"task {task.key}: {exc}") from None
        salt, prompt = payload[:SALT_LENGTH], payload[SALT_LENGTH:]
        if commitment(prompt, salt) != bytes(posted):
            raise PrivatePayloadError(f"task {task.key}: the prompt does not match its commitment")
        return prompt.decode()

    def seal_result(self, task: TaskView, answer: str) -> str:
        """This miner's answer sealed under the session key, as the string it precommits and commits."""
        me = self.signer.address
        label = f"result {self.handle.chain.chain_id}/{task.session_id}/{task.task_id}/{me.hex()}"
        sealed = seal_payload(
            self.session_key(task.session_id),
            answer.encode(),
            self.entropy.draw(label + " nonce", 16),
            self._binding("result", *task.key, me),
        )
        return PRIVATE_PREFIX + sealed.hex()

    def open_result(self, task: TaskView, miner: bytes, result: str) -> str:
        """``miner``'s committed result in clear (the validator's and the owner's reading)."""
        if not result.startswith(PRIVATE_PREFIX):
            raise PrivatePayloadError(f"task {task.key}: the result of 0x{miner.hex()} is not sealed")
        try:
            sealed = bytes.fromhex(result[len(PRIVATE_PREFIX) :])
            key = self.session_key(task.session_id)
            return open_payload(key, sealed, self._binding("result", *task.key, miner)).decode()
        except (ValueError, DecryptionFailed) as exc:
            raise PrivatePayloadError(f"task {task.key}: 0x{miner.hex()}'s result: {exc}") from None


def node_public_key(handle: ProtocolHandle, node_id: bytes) -> bytes:
    """The 64-byte public key NodePool stores for a node (``getNode``'s ``publicKey`` field)."""
    (node,) = handle.call("node_pool", "getNode", node_id)
    outputs = load_artifact("NodePool").abi
    (output,) = next(item for item in outputs if item.get("name") == "getNode")["outputs"]
    fields = [component["name"] for component in output["components"]]
    return bytes(node[fields.index("publicKey")])


@dataclass(frozen=True)
class Reader:
    """An account the owner gives the session key: its name (for the metrics), address, public key."""

    name: str
    address: str
    public_key: bytes


def make_private(owner: str, keyring: Keyring, session_id: int, readers: list[Reader]) -> None:
    """The owner makes ``session_id`` private (before its first task), draws its key, and posts it
    wrapped to itself and to each reader, allowlisting each first (PrivateSessionV2 takes an
    envelope only for the owner or an allowlisted account)."""
    h, signer = keyring.handle, keyring.signer
    h.send(owner, signer, "private_sessions", "enablePrivate", session_id)
    keyring.draw_session_key(session_id)
    me = Reader(owner, signer.hex_address, signer.public_key)
    for reader in readers:
        h.send(owner, signer, "private_sessions", "allow", session_id, reader.address)
    for reader in [me, *readers]:
        envelope = keyring.envelope(session_id, reader.public_key, reader.address)
        h.send(owner, signer, "private_sessions", "postSessionKey", session_id, reader.address, envelope)
