"""What every Cortensor actor shares: the protocol's contracts as the lean client reaches them.

:class:`ProtocolHandle` is one actor population's door to the session chain: the contracts'
addresses and codecs, the shared :class:`ChainView`, the phase deadlines read from the queue, and
:meth:`ProtocolHandle.send`, which signs and hands over a transaction and books it in the run's
metrics. :class:`ProtocolActor` is a role on the clock: it says when it next wants to wake and acts
then; nothing in an actor reads or waits on the wall clock.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...chains.evm import EvmChain
from ..client import ClientError, ContractCodec, LeanClient, Signer
from ..metrics import MetricsRecorder
from .view import ChainView, TaskView

ARTIFACTS: Mapping[str, str] = {
    "cor": "CORToken",
    "node_pool": "NodePool",
    "node_reputation": "NodeReputation",
    "node_stats": "NodeStats",
    "queue": "SessionQueueV2",
    "session": "SessionV2",
    "payment": "SessionPayment",
    "validator": "TaskValidator",
    "private_sessions": "PrivateSessionV2",
}
"""The contracts the actors talk to, by ProtocolContracts field name."""

COMMIT = "commit(uint256,uint256,string,bytes32)"
"""SessionQueueV2's clear-text ``commit`` (overloaded): the reveal of a miner's result."""

GAS: Mapping[str, int] = {
    "transfer": 120_000,
    "approve": 100_000,
    "addNode": 600_000,
    "markEphemeral": 250_000,
    "promoteByReputation": 400_000,
    "create": 2_500_000,
    "addRouter": 250_000,
    "depositToSession": 200_000,
    "submit": 900_000,
    "assignTask": 700_000,
    "ack": 200_000,
    "endAck": 200_000,
    "precommit": 250_000,
    "endPrecommit": 300_000,
    "commit": 400_000,
    "endCommit": 300_000,
    "end": 300_000,
    "submitVerdicts": 500_000,
    "finalize": 1_200_000,
    "allocateNodePayments": 500_000,
    "withdrawNodePayment": 200_000,
    "deactivateSession": 1_500_000,
    "setConfig": 200_000,
    "setDeadlines": 200_000,
    "enablePrivate": 150_000,
    "allow": 150_000,
    "postSessionKey": 400_000,
    "submitPrivate": 1_500_000,
}
"""Gas limit per function: measured use plus a wide margin. Fixed limits instead of an estimate per
transaction, because estimating runs the EVM twice and, on an interval chain, against a state the
pool has not reached yet."""


@dataclass(frozen=True)
class Deadlines:
    """SessionQueueV2's phase windows in seconds (read from the contract)."""

    ack: int
    precommit: int
    commit: int


class ProtocolHandle:
    """The protocol on one session chain, for actors: contracts, view, deadlines, sending."""

    def __init__(self, chain: EvmChain, addresses: Mapping[str, str], metrics: MetricsRecorder) -> None:
        self.chain = chain
        self.client = LeanClient(chain)
        self.metrics = metrics
        self.addresses = {field: bytes.fromhex(addresses[field][2:]) for field in ARTIFACTS}
        self.codecs = {field: ContractCodec.of_artifact(name) for field, name in ARTIFACTS.items()}
        for field, address in self.addresses.items():
            self.client.register(address, self.codecs[field])
        self.view = ChainView(self.client)
        ack, precommit, commit = (
            int(self.call("queue", name)[0])
            for name in ("ackDeadline", "precommitDeadline", "commitDeadline")
        )
        self.deadlines = Deadlines(ack, precommit, commit)
        self.redundancy_of: dict[int, int] = {}

    def new_view(self) -> ChainView:
        """A view of its own, read from block 0 (what a restarted actor rebuilds)."""
        view = ChainView(self.client)
        view.refresh()
        return view

    def call(self, contract: str, function: str, *args: Any, sender: bytes | None = None) -> tuple[Any, ...]:
        return self.client.call(
            self.addresses[contract], self.codecs[contract].fn(function), *args, sender=sender
        )

    def committed_results(self, task: TaskView) -> dict[bytes, str] | None:
        """Each committed miner's result, in assignment order (``getTaskResults``'s order), read
        from the commit transactions the view saw, which carry the revealed result as calldata.

        Why: ``getTaskResults`` as an ``eth_call`` runs the EVM over cold storage, a few strings of
        slots per miner (6 % of an actor run); the same text is in the sealed transactions the view
        already knows. None when a commit did not come as a plain ``commit`` call to the queue
        (through another contract, say): then only the call can say.
        """
        queue, commit = self.addresses["queue"], self.codecs["queue"].fn(COMMIT)
        results: dict[bytes, str] = {}
        for miner in task.miners:
            if miner not in task.committed:
                continue
            sealed = self.client.transaction(task.commit_txs.get(miner, b""))
            if sealed is None or sealed.to != queue or sealed.sender != miner:
                return None
            if sealed.data[:4] != commit.selector:
                return None
            session_id, task_id, result, _ = commit.decode_input(sealed.data)
            if (session_id, task_id) != task.key:
                return None
            results[miner] = result
        return results

    def send(self, actor: str, signer: Signer, contract: str, function: str, *args: Any) -> bytes | None:
        """Sign and hand over ``contract.function(*args)``; a refused transaction is booked, not raised."""
        fn = self.codecs[contract].fn(function)
        try:
            tx_hash = self.client.send(signer, self.addresses[contract], fn.encode(*args), GAS[fn.name])
        except ClientError as exc:
            self.metrics.refused(self.chain.name, actor, fn.name, str(exc))
            return None
        self.metrics.sent(self.chain.name, actor, fn.name, tx_hash)
        return tx_hash


class ProtocolActor(ABC):
    """A Cortensor role on the simulated clock."""

    name: str
    next_wake_ms: int | None

    @abstractmethod
    def wake(self, now_ms: int) -> None:
        """Act at ``now_ms`` (every chain is already there) and set :attr:`next_wake_ms`."""
