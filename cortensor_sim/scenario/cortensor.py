"""The scenario runner's one door to the Cortensor protocol.

Every call into :mod:`cortensor_sim.protocol` and every contract function, event or contract name
the scenarios use is here, so that when the contracts' ABI moves (toward Cortensor's published
one) this module is the only part of :mod:`cortensor_sim.scenario` that changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from ..artifacts import available_artifacts, load_artifact
from ..chains.devnet import Devnet
from ..chains.engine import UnknownBlock
from ..chains.evm import EvmChain
from ..protocol.deployment import ROLE
from ..protocol.funding import GatewayFunding, cor_address, cor_hop, cor_route
from ..protocol.inference import Verdict, honest_answer, judge
from ..protocol.network import CortensorNetwork, Step, StepFailed
from ..protocol.privacy.crypto import DecryptionFailed, Entropy
from ..protocol.privacy.leaks import Leak, find_leaks
from ..protocol.privacy.sessions import KeyNotDelivered, PrivateInference

__all__ = [
    "CONTRACTS",
    "TASK_STATES",
    "Deployment",
    "Leak",
    "Step",
    "StepFailed",
    "Verdict",
    "cor_address",
    "cor_hop",
    "cor_route",
    "find_leaks",
]

TASK_STATES = ("queued", "acked", "precommitted", "committed", "completed")
"""SessionQueueV2.TaskStatus, in order (docs/contracts.md)."""

CONTRACTS = (
    "CORToken",
    "NodePool",
    "SessionV2",
    "SessionQueueV2",
    "SessionPayment",
    "TaskValidator",
    "CheckpointRegistry",
)
"""Contracts a scenario may name in balances and events."""

_ATTRIBUTES = {
    "CORToken": "cor",
    "NodePool": "node_pool",
    "SessionV2": "session",
    "SessionQueueV2": "queue",
    "SessionPayment": "payment",
    "TaskValidator": "validator",
}


@dataclass
class Deployment:
    """The protocol deployed on one chain, with its actors, driven through :class:`CortensorNetwork`."""

    network: CortensorNetwork
    names: dict[str, str]  # actor name -> address
    registry: Any = None  # CheckpointRegistry on the settlement chain, once a checkpoint is posted
    registry_chain: EvmChain | None = None
    _holders: set[str] = field(default_factory=set)
    _scanned_to: int = -1
    _private: PrivateInference | None = None

    @classmethod
    def deploy(
        cls,
        devnet: Devnet,
        chain_name: str,
        *,
        users: int,
        miners: int,
        validation: Mapping[str, int],
        cor: str | None = None,
    ) -> Deployment:
        """The protocol on ``chain_name``: on ``cor`` when given (a token its actors already hold);
        else on l1's COR (canonical on l1; on a rollup bridged through each bridge on the way, or
        wrapped native COR on a COR-gas chain, its actors funded by deposits from l1:
        ``protocol/funding.py``); else, where no route brings l1's COR, on a CORToken of its own."""
        chain = devnet.evm(chain_name)
        route = None if cor is not None else cor_route(devnet, chain_name)
        funding = GatewayFunding(devnet, chain_name) if route else None
        token = cor if cor is not None else cor_address(devnet, chain_name)
        network = CortensorNetwork.deploy(
            chain, miners=miners, users=users, cor_address=token, funding=funding
        )
        if funding is not None:
            funding.name_of = network.actors.name_of
        network.configure_validation(
            reward_points=validation["reward_points"],
            penalty_points=validation["penalty_points"],
            slash_amount=validation["slash_amount"],
        )
        actors = network.actors
        names = {"admin": actors.admin, "oracle": actors.oracle, "validator": actors.validator}
        names["router"] = actors.router
        names |= {f"user{i}": a for i, a in enumerate(actors.users)}
        names |= {f"miner{i}": a for i, a in enumerate(actors.miners)}
        deployment = cls(network, names)
        if route is not None:  # l1's COR: genesis gave it holders no Transfer log names
            deployment._holders |= {actors.admin, *_genesis_holders(devnet, chain_name)}
        return deployment

    @property
    def chain(self) -> EvmChain:
        return self.network.chain

    @property
    def bridged(self) -> bool:
        """Whether the protocol here runs on l1's COR brought through bridges (funded by deposits)."""
        return self.network.funding is not None

    @property
    def steps(self) -> list[Step]:
        return self.network.steps

    # ------------------------------------------------------------------ actions
    def fund(self, actors: Sequence[str], amount: int) -> None:
        """Each of ``actors`` gets ``amount`` COR (on bridged COR: deposits from l1, landed; one
        that fails raises :class:`~cortensor_sim.protocol.funding.FundingFailed`, a StepFailed)."""
        self.network.fund_all({self.names[a]: amount for a in actors})

    def register_node(self, miner: str, stake: int) -> None:
        self.network.add_node(self.names[miner], stake=stake)

    def open_session(self, user: str, *, name: str, redundancy: int, deposit: int) -> int:
        return self.network.open_session(self.names[user], name=name, redundancy=redundancy, deposit=deposit)

    def submit(self, user: str, session_id: int, prompts: Sequence[str]) -> list[int]:
        first = self.network.next_task_id(session_id)
        task_ids = list(range(first, first + len(prompts)))
        for task_id, prompt in zip(task_ids, prompts, strict=True):
            self.network.submit(self.names[user], session_id, prompt, task_id)
        return task_ids

    def session_miners(self, session_id: int) -> list[str]:
        """The miners the session reserved, by actor name."""
        by_address = {a: n for n, a in self.names.items()}
        return [by_address[a] for a in self.network.session_miners(session_id)]

    def assign_and_ack(self, session_id: int, task_ids: Sequence[int], miners: Sequence[str]) -> None:
        addresses = [self.names[m] for m in miners]
        self.network.assign(session_id, task_ids, addresses)
        self.network.ack(session_id, task_ids, addresses)
        self.network.end_phase("ack", session_id, task_ids)

    def precommit(self, session_id: int, answers: Mapping[int, Mapping[str, str]]) -> None:
        self.network.precommit(session_id, self._by_address(answers))
        self.network.end_phase("precommit", session_id, list(answers))

    def commit_and_end(self, session_id: int, answers: Mapping[int, Mapping[str, str]]) -> None:
        self.network.commit(session_id, self._by_address(answers))
        self.network.end_phase("commit", session_id, list(answers))
        self.network.end_phase("end", session_id, list(answers))

    def judge_and_pay(
        self, session_id: int, task_ids: Sequence[int], miners: Sequence[str]
    ) -> dict[int, dict[str, Verdict]]:
        """Proof of Inference on the revealed results, the verdicts posted and finalized, miners paid."""
        addresses = [self.names[m] for m in miners]
        by_address = {a: n for n, a in self.names.items()}
        verdicts = {t: judge(self.network.task_results(session_id, t), addresses) for t in task_ids}
        # A miner that never answered has no verdict to post: TaskValidator reads a missing one
        # as NONE (penalized at finalize, not slashed), and refuses NONE as a posted value.
        posted = {t: {a: v for a, v in vs.items() if v is not Verdict.NONE} for t, vs in verdicts.items()}
        self.network.validate(session_id, posted)
        self.network.pay(session_id, task_ids)
        return {t: {by_address[a]: v for a, v in vs.items()} for t, vs in verdicts.items()}

    def withdraw(self, miners: Sequence[str]) -> None:
        self.network.withdraw([self.names[m] for m in miners])

    def close_session(self, user: str, session_id: int) -> None:
        self.network.close_session(self.names[user], session_id)

    def post_checkpoint(self, settlement: EvmChain, session_id: int, task_ids: Sequence[int]) -> int:
        """Anchor the session's results in CheckpointRegistry on ``settlement``; returns its block."""
        admin = self.names["admin"]
        if self.registry is None or self.registry_chain is not settlement:
            first_block = settlement.height + 1
            self.registry = settlement.deploy(load_artifact("CheckpointRegistry"), admin, sender=admin)
            self.registry_chain = settlement
            grant = self.registry.functions.grantRole(ROLE["POSTER_ROLE"], admin).transact({"from": admin})
            settlement.w3.eth.wait_for_transaction_receipt(grant)
            gas = sum(_block_gas(settlement, n) for n in range(first_block, settlement.height + 1))
            self.steps.append(
                Step("admin", "deploy CheckpointRegistry", settlement.name, settlement.height, gas, "-")
            )
        hashes = []
        for task_id in task_ids:
            results = self.network.task_results(session_id, task_id)
            hashes.append(keccak(encode(["address[]", "string[]"], [list(results), list(results.values())])))
        result_root = keccak(b"".join(hashes))
        session_root = keccak(encode(["uint256", "uint256[]"], [session_id, list(task_ids)]))
        call = self.registry.functions.postCheckpoint(
            self.chain.chain_id, self.chain.height, session_root, result_root
        )
        try:
            tx_hash = call.transact({"from": admin})
        except Exception as exc:  # web3 raises a family of errors for a call that would revert
            raise StepFailed(f"admin could not postCheckpoint on {settlement.name}: {exc}") from exc
        receipt = settlement.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise StepFailed(f"admin's postCheckpoint reverted on {settlement.name}")
        self.steps.append(
            Step(
                "admin",
                "postCheckpoint",
                settlement.name,
                receipt["blockNumber"],
                receipt["gasUsed"],
                receipt["transactionHash"].to_0x_hex(),
            )
        )
        return int(receipt["blockNumber"])

    # ------------------------------------------------------------------ private sessions
    def open_private_session(
        self, user: str, *, name: str, redundancy: int, deposit: int, readers: Sequence[str], seed: str
    ) -> int:
        """Open a session made private, its key posted to the owner, its miners and ``readers``.
        ``seed`` keys the run's stand-in randomness (session keys, salts, nonces)."""
        if self._private is None:
            self._private = PrivateInference(self.network, Entropy(f"scenario seed {seed}".encode()))
        return self._private.open_session(
            self.names[user],
            name=name,
            redundancy=redundancy,
            deposit=deposit,
            readers=[self.names[r] for r in readers],
        )

    def is_private(self, session_id: int) -> bool:
        return self._private is not None and session_id in self._private.sessions

    def submit_private(self, session_id: int, prompts: Sequence[str]) -> list[int]:
        return self._privacy(session_id).submit(session_id, prompts)

    def run_private_tasks(
        self,
        session_id: int,
        task_ids: Sequence[int],
        respond: Any,
        advance: Any,
        poll: float,
    ) -> dict[int, dict[str, Verdict]]:
        """Every phase with sealed payloads; ``respond(miner name, task id, decrypted prompt)``."""
        by_address = {a: n for n, a in self.names.items()}
        privacy = self._privacy(session_id)
        try:
            verdicts = privacy.run_tasks(
                session_id,
                task_ids,
                lambda miner, task_id, prompt: respond(by_address[miner], task_id, prompt),
                advance,
                poll,
            )
        except (KeyNotDelivered, DecryptionFailed) as exc:
            raise StepFailed(f"a reader could not open session {session_id}'s payloads: {exc}") from exc
        return {t: {by_address[a]: v for a, v in vs.items()} for t, vs in verdicts.items()}

    def private_plaintexts(self, session_ids: Sequence[int]) -> list[str]:
        """The prompts and (decrypted) results of private sessions: what must not be on any chain."""
        return self._private.plaintexts(session_ids) if self._private is not None else []

    def _privacy(self, session_id: int) -> PrivateInference:
        if self._private is None or session_id not in self._private.sessions:
            raise StepFailed(f"session {session_id} on {self.chain.name} is not private")
        return self._private

    # ------------------------------------------------------------------ reads
    def task_state(self, session_id: int, task_id: int) -> str:
        status = self.network.contracts.queue.functions.getTaskStatus(session_id, task_id).call()
        return TASK_STATES[int(status)]

    def address_of(self, name: str) -> str:
        """An actor's or a contract's address on this chain."""
        if name in self.names:
            return self.names[name]
        return str(self._contract(name).address)

    def cor_balance(self, name: str) -> int:
        return self.network.cor_balance(self.address_of(name))

    def event_count(self, contract: str, event: str) -> int:
        """How many ``event`` logs ``contract`` has emitted since it was deployed."""
        target = self._contract(contract)
        chain = self.registry_chain if contract == "CheckpointRegistry" else self.chain
        assert chain is not None
        if not any(item.get("name") == event and item["type"] == "event" for item in target.abi):
            raise KeyError(f"{contract} has no event {event!r}")
        return len(getattr(target.events, event)().get_logs(from_block=0, to_block=chain.height))

    def supply_held(self) -> tuple[int, int]:
        """COR held by every address that ever received some, and COR's total supply.

        Holders are found from the token's Transfer logs (scanned once each), so a new contract
        that receives COR is counted without being listed anywhere.
        """
        cor = self.network.contracts.cor
        height = self.chain.height
        if height > self._scanned_to:
            for log in cor.events.Transfer().get_logs(from_block=self._scanned_to + 1, to_block=height):
                self._holders.add(log["args"]["to"])
            self._scanned_to = height
        held = sum(self.network.cor_balance(holder) for holder in sorted(self._holders))
        return held, self.network.total_supply()

    def _contract(self, name: str) -> Any:
        if name == "CheckpointRegistry":
            if self.registry is None:
                raise KeyError("CheckpointRegistry is deployed by the first checkpoint step")
            return self.registry
        if name not in _ATTRIBUTES:
            raise KeyError(f"unknown contract {name!r} (contracts: {', '.join(CONTRACTS)})")
        return getattr(self.network.contracts, _ATTRIBUTES[name])

    def _by_address(self, answers: Mapping[int, Mapping[str, str]]) -> dict[int, dict[str, str]]:
        return {t: {self.names[m]: a for m, a in by.items()} for t, by in answers.items()}


def _genesis_holders(devnet: Devnet, chain: str) -> list[str]:
    """Who may hold COR on ``chain`` from genesis: the contracts of the rollups settling to it
    (a gateway's escrow on l1, a COR-gas chain's ERC20Bridge on arbitrum)."""
    children = [c.name for c in devnet.topology.chains if c.parent == chain]
    return [address for child in children for address in devnet.system_contracts(child).values()]


def _block_gas(chain: EvmChain, number: int) -> int:
    """Gas used by block ``number``; 0 for a number a long jump left without a block."""
    try:
        return int(chain.engine.get_block(number)["gasUsed"], 16)
    except UnknownBlock:
        return 0


_REVERT_DATA = re.compile(r"0x([0-9a-fA-F]{8})([0-9a-fA-F]*)")


@cache
def _custom_errors() -> dict[bytes, tuple[str, tuple[str, ...]]]:
    """Every custom error of the protocol's contracts, by selector."""
    errors: dict[bytes, tuple[str, tuple[str, ...]]] = {}
    for name in available_artifacts():
        for item in load_artifact(name).abi:
            if item.get("type") == "error":
                types = tuple(_abi_type(i) for i in item.get("inputs", []))
                signature = f"{item['name']}({','.join(types)})"
                errors[keccak(text=signature)[:4]] = (item["name"], types)
    return errors


def _abi_type(item: Mapping[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + item["type"][5:]
    return str(item["type"])


def explain(failure: StepFailed) -> str:
    """A failed step in one line, naming the custom error it reverted with (web3 shows raw data)."""
    text = str(failure).splitlines()[0] if str(failure) else type(failure).__name__
    match = _REVERT_DATA.search(text)
    known = _custom_errors().get(bytes.fromhex(match.group(1))) if match else None
    if match is None or known is None:
        return text
    name, types = known
    try:
        values = decode(list(types), bytes.fromhex(match.group(2)))
    except (DecodingError, ValueError, OverflowError):
        values = ()
    shown = ", ".join("0x" + v.hex() if isinstance(v, bytes) else str(v) for v in values)
    prefix = text[: match.start()].rstrip(" :('\"")
    return f"{prefix}: reverted with {name}({shown})"


def honest(prompt: str) -> str:
    """What an honest miner answers."""
    return honest_answer(prompt)
