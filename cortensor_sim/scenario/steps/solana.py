"""Steps and expectations for Solana and its guardian bridge (``cortensor_sim.bridge.wormhole``).

SPL COR is the wrapped representation of l1's COR that the token bridge locks on its EVM chain.
``fund_solana_cor`` brings an actor SPL COR from l1's holder (the admin): a deposit through the COR
gateways to the bridge's EVM chain, then ``transferTokens``, which locks it there while the bridge
mints SPL COR. ``bridge_from_solana`` burns an actor's SPL COR with a bridge memo, and the
guardians and relayer unlock the COR to the same actor on the EVM chain. ``bridge_to_solana``
locks it there again with ``transferTokens``, and the bridge mints it on Solana. Actors are the
same on both sides: the n-th actor (admin, oracle, validator, router, users, miners) signs with
the n-th dev account of the EVM chain and the n-th dev keypair of the Solana chain.
``expect: solana_cor`` checks an actor's SPL COR, or the SPL COR supply (``of: supply``).

Onboarding: ``deploy_solana_pool`` deploys the protocol on the bridge's EVM chain on l1's COR
(the COR the token bridge locks), with SolanaOnboarding and SolanaSessions beside it;
``onboard_from_solana`` registers a miner from Solana (stake burned with the memo);
``unbond_to_solana`` and, after the unbonding period, ``release_stake_to_solana`` send its stake
back; ``expect: solana_miner`` reads its NodePool status.

Sessions: ``open_session_from_solana`` and ``submit_tasks_from_solana`` send prompts with COR from
Solana, ``results_to_solana`` publishes finished tasks' results for Solana, and
``close_session_from_solana`` closes the session, its refund going back to Solana;
``expect: solana_results`` counts results that reached the user on Solana.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from coincurve import PrivateKey
from eth_utils import keccak
from pydantic import Field, field_validator
from solders.pubkey import Pubkey
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from ...bridge.records import MessageRecord, MessageStatus
from ...bridge.transactions import ActorAccount, ExecutionReverted
from ...bridge.wormhole import BridgeError, WormholeStack, target_name
from ...bridge.wormhole.custody import to_spl
from ...bridge.wormhole.payloads import BridgeMemo
from ...chains.solana import SolanaTransactionError
from ...protocol.deployment import deploy_contract
from ...protocol.funding import FundingFailed, fund_on_solana
from ..cortensor import Deployment, StepFailed, explain
from ..registry import (
    ExpectationKind,
    Names,
    Outcome,
    ReferenceProblem,
    StepKind,
    register_expectation,
    register_step,
)
from ..units import Amount, AmountField
from .protocol import DEFAULT_PROMPTS, _expand

if TYPE_CHECKING:
    from solders.keypair import Keypair
    from solders.signature import Signature
    from web3.contract import Contract

    from ..runner import Run, SessionRecord


def _spl_cor(amount: Amount) -> Amount:
    """COR that SPL COR (9 decimals) can hold exactly."""
    if amount.asset != "COR":
        raise ValueError(f"the guardian bridge moves COR, got {amount}")
    units, dust = to_spl(amount.base_units)
    if units <= 0 or dust:
        raise ValueError(f"{amount} is not a positive whole number of SPL COR units (9 decimals)")
    if units >= 2**64:
        raise ValueError(f"{amount} is more than an SPL token account holds (a u64 of units)")
    return amount


def _solana_chain(names: Names) -> str:
    solana = [name for name, kind in names.chains.items() if kind == "solana"]
    if not solana:
        raise ReferenceProblem("do", "this topology has no Solana chain")
    if len(names.chains) == len(solana):
        raise ReferenceProblem("do", "the guardian bridge needs an EVM chain beside Solana")
    return solana[0]


def _bridge(run: Run) -> WormholeStack:
    for stack in run.devnet.settlement.stacks.values():
        if isinstance(stack, WormholeStack):
            return stack
    raise StepFailed("this devnet has no guardian bridge")


def _keypair(run: Run, bridge: WormholeStack, actor: str) -> Keypair:
    actors = ("admin", "oracle", "validator", "router", *run.users, *run.miners)
    assert bridge.solana is not None
    index = actors.index(actor)
    if index >= len(bridge.solana.keypairs):
        raise StepFailed(
            f"{actor} has no Solana dev keypair (the topology has {len(bridge.solana.keypairs)})"
        )
    return bridge.solana.keypairs[index]


class _SolanaStep(StepKind):
    actor: str
    amount: AmountField

    @field_validator("amount")
    @classmethod
    def _cor(cls, value: Amount) -> Amount:
        return _spl_cor(value)

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("actor", self.actor)


@register_step
class FundSolanaCOR(StepKind):
    """Bring actors SPL COR from l1's holder (the admin; ``to: [miners]`` for all miners), each
    ``amount``: one deposit of the total through the gateways to the bridge's EVM chain, then one
    ``transferTokens`` per actor to its Solana account; waits until all of it is minted."""

    do: Literal["fund_solana_cor"]
    to: list[str] = Field(min_length=1)
    amount: AmountField

    @field_validator("amount")
    @classmethod
    def _cor(cls, value: Amount) -> Amount:
        return _spl_cor(value)

    def check(self, names: Names) -> None:
        _solana_chain(names)
        for index, name in enumerate(self.to):
            if name not in ("users", "miners"):
                names.actor(f"to[{index}]", name)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        units = to_spl(self.amount.base_units)[0]
        owners = {_keypair(run, bridge, actor).pubkey(): units for actor in _expand(self.to, run)}
        try:
            fund_on_solana(run.devnet, bridge, owners)
        except FundingFailed as exc:
            raise StepFailed(f"fund_solana_cor: {exc}") from None

    def label(self) -> str:
        return f"fund {', '.join(self.to)} with {self.amount} each on Solana from l1"


@register_step
class BridgeFromSolana(_SolanaStep):
    """Burn an actor's SPL COR with a bridge memo; the same actor gets the COR unlocked on the EVM
    side."""

    do: Literal["bridge_from_solana"]

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        owner = _keypair(run, bridge, self.actor)
        recipient = run.address_of(self.actor, bridge.parent_name)
        try:
            bridge.send_to_evm(owner, to_spl(self.amount.base_units)[0], recipient)
        except (BridgeError, SolanaTransactionError) as exc:  # a Solana refusal names its program error
            raise StepFailed(f"bridge_from_solana: {exc}") from None

    def label(self) -> str:
        return f"bridge {self.amount} solana -> EVM ({self.actor})"


@register_step
class BridgeToSolana(_SolanaStep):
    """Lock an actor's COR on the EVM side with ``transferTokens``; the bridge mints it on Solana."""

    do: Literal["bridge_to_solana"]

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        evm = run.chain(bridge.parent_name)
        address = bytes.fromhex(run.address_of(self.actor, bridge.parent_name)[2:])
        account = evm.dev_account(address)
        if account is None:
            raise StepFailed(f"{self.actor} has no key on {bridge.parent_name}")
        recipient = _keypair(run, bridge, self.actor).pubkey()
        try:
            bridge.send_to_solana(ActorAccount(bytes(account.key)), self.amount.base_units, recipient)
        except ExecutionReverted as exc:
            raise StepFailed(f"bridge_to_solana: transferTokens reverted: {exc}") from None

    def label(self) -> str:
        return f"bridge {self.amount} EVM -> solana ({self.actor})"


@register_expectation
class SolanaCOR(ExpectationKind):
    """An actor's SPL COR on Solana, or SPL COR's supply (``of: supply``)."""

    expect: Literal["solana_cor"]
    of: str
    equals: AmountField

    @field_validator("equals")
    @classmethod
    def _cor(cls, value: Amount) -> Amount:
        if value.asset != "COR":
            raise ValueError(f"SPL COR is COR, got {value}")
        return value

    def check(self, names: Names) -> None:
        _solana_chain(names)
        if self.of == "custody":
            raise ReferenceProblem(
                "of", "SPL COR has no custody: COR is locked on the EVM side; use `of: supply`"
            )
        if self.of != "supply":
            names.actor("of", self.of)

    def evaluate(self, run: Run) -> Outcome:
        bridge = _bridge(run)
        assert bridge.cor is not None
        units = (
            bridge.cor.supply
            if self.of == "supply"
            else bridge.cor.balance(_keypair(run, bridge, self.of).pubkey())
        )
        held = Amount("COR", units * 10**9)
        return Outcome(held.base_units == self.equals.base_units, f"{held}")


# ---------------------------------------------------------------------- the protocol for Solana
@dataclass(frozen=True)
class SolanaProtocol:
    """The contracts that act for Solana users on the bridge's EVM chain."""

    pool: Contract
    onboarding: Contract
    sessions: Contract


_POOLS: weakref.WeakKeyDictionary[Run, SolanaProtocol] = weakref.WeakKeyDictionary()
"""Per run: the protocol on the COR the token bridge locks, and SolanaOnboarding and SolanaSessions
beside it."""
NODE_STATUSES = ("none", "added", "ephemeral", "reserved", "released", "unbonding")
"""NodePool.NodeStatus, in its order (contracts/src/NodePool.sol)."""
DELIVERY_WAIT = 120.0
"""Simulated seconds a Solana step waits for the bridge to deliver its request (Solana finality,
32 slots of 0.4 s, is about 13 s)."""


def _pool(run: Run) -> SolanaProtocol:
    try:
        return _POOLS[run]
    except KeyError:
        raise StepFailed(
            "no protocol for Solana users yet: add a `do: deploy_solana_pool` step before"
        ) from None


def bridge_target(names: Names) -> str:
    """The EVM chain the guardian bridge serves in this scenario's topology."""
    _solana_chain(names)
    target = target_name(names.chains)
    assert target is not None  # _solana_chain checked there is an EVM chain
    return target


@register_step
class DeploySolanaPool(StepKind):
    """Deploy the protocol on the bridge's EVM chain on l1's COR, the COR the token bridge locks
    (so stake and session budgets can come from Solana), with SolanaOnboarding and SolanaSessions
    beside it; the admin deploys. The other protocol steps (``register_nodes``, ``run_tasks``,
    ``withdraw``) then work on it; actors funded there are funded from l1, and COR from Solana
    arrives with ``bridge_from_solana``."""

    do: Literal["deploy_solana_pool"]

    def check(self, names: Names) -> None:
        chain = bridge_target(names)
        names.sealing_at_once("do", chain, "deploy_solana_pool (a session's id is read from its receipt)")
        if chain in names.deployed:
            raise ReferenceProblem("do", f"the protocol is already deployed on {chain!r}")
        names.deployed.add(chain)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        evm = run.chain(bridge.parent_name)
        admin = evm.accounts[0].address
        contracts = bridge.system_contracts()
        p = run.parameters
        deployment = Deployment.deploy(
            run.devnet,
            bridge.parent_name,
            users=run.scenario.actors.users,
            miners=run.scenario.actors.miners,
            validation={
                "reward_points": p.reward_points,
                "penalty_points": p.penalty_points,
                "slash_amount": p.slash.base_units,
            },
        )
        if deployment.network.contracts.cor.address.lower() != contracts["COR"].lower():
            raise StepFailed(
                f"deploy_solana_pool: l1's COR does not reach {bridge.parent_name}, so the protocol "
                "there cannot take COR from Solana"
            )
        run.deployments[bridge.parent_name] = deployment
        protocol = deployment.network.contracts
        messenger = bytes(Pubkey.from_string(contracts["SolanaMessenger"]))
        token_bridge = contracts["WormholeTokenBridge"]
        onboarding = deploy_contract(
            evm.w3, "SolanaOnboarding", token_bridge, protocol.node_pool.address, messenger, sender=admin
        )
        sessions = deploy_contract(
            evm.w3,
            "SolanaSessions",
            token_bridge,
            messenger,
            protocol.session.address,
            protocol.payment.address,
            protocol.queue.address,
            protocol.validator.address,
            sender=admin,
        )
        bridge.accept_results_from(sessions.address)
        _POOLS[run] = SolanaProtocol(protocol.node_pool, onboarding, sessions)

    def label(self) -> str:
        return "deploy the protocol on l1's COR, with SolanaOnboarding and SolanaSessions"


def _send_message(
    run: Run, bridge: WormholeStack, owner: Keypair, request: BridgeMemo, step: str, subject: str
) -> MessageRecord:
    """Send a Memo-only request from Solana (no COR moves) and wait until the bridge has carried it."""
    try:
        signature = bridge.send_message(owner, request)
    except (BridgeError, SolanaTransactionError) as exc:
        raise StepFailed(f"{step}: {exc}") from None
    return _await(run, bridge, signature, f"{step} {subject}")


def _await(run: Run, bridge: WormholeStack, signature: Signature, what: str) -> MessageRecord:
    """Advance the clock until the bridge has carried the request sent in ``signature`` (a step
    that needs its outcome, such as a session id); StepFailed if it failed or never arrived."""
    waited = 0.0
    while True:
        record = next(
            (
                r
                for r in run.devnet.messages()
                if r.legs.get("sent") and r.legs["sent"].tx_hash == str(signature)
            ),
            None,
        )
        if record is not None and record.status == MessageStatus.FAILED:
            refund = record.detail.get("refund")
            refunded = f" and refunded its COR to Solana ({refund})" if refund else ""
            raise StepFailed(
                f"{what}: the bridge refused it{refunded}: {record.detail.get('error', 'failed')}"
            )
        if record is not None and record.status == MessageStatus.RELAYED:
            return record
        if waited >= DELIVERY_WAIT:
            raise StepFailed(f"{what}: not delivered to {bridge.parent_name} within {DELIVERY_WAIT:g} s")
        run.advance(1.0)
        waited += 1.0


def _events(run: Run, contract: Contract, record: MessageRecord, event: str) -> list[Any]:
    receipt = contract.w3.eth.get_transaction_receipt(record.legs["relayed"].tx_hash)
    return list(getattr(contract.events, event)().process_receipt(receipt, errors=DISCARD))


class _SessionRequest(StepKind):
    user: str = "user0"
    amount: AmountField
    prompts: list[str] = Field(default_factory=list)
    count: int = Field(default=1, ge=1, le=16)

    @field_validator("amount")
    @classmethod
    def _cor(cls, value: Amount) -> Amount:
        return _spl_cor(value)

    def _prompts(self, first: int) -> tuple[str, ...]:
        pool = self.prompts or list(DEFAULT_PROMPTS)
        return tuple(pool[(first + i) % len(pool)] for i in range(len(self.prompts) or self.count))

    def _send(self, run: Run, request: BridgeMemo, what: str) -> tuple[WormholeStack, MessageRecord]:
        bridge = _bridge(run)
        owner = _keypair(run, bridge, self.user)
        try:
            signature = bridge.send_with_payload(owner, to_spl(self.amount.base_units)[0], request)
        except (BridgeError, SolanaTransactionError) as exc:
            raise StepFailed(f"{what}: {exc}") from None
        return bridge, _await(run, bridge, signature, what)

    def _record_tasks(
        self, run: Run, record: SessionRecord, relayed: MessageRecord, prompts: tuple[str, ...]
    ) -> None:
        [submitted] = _events(run, _pool(run).sessions, relayed, "TasksSubmittedFromSolana")
        first = int(submitted["args"]["firstTaskId"])
        for offset, prompt in enumerate(prompts):
            record.task_ids.append(first + offset)
            record.prompts[first + offset] = prompt
            record.submitted_at[first + offset] = run.now


@register_step
class OpenSessionFromSolana(_SessionRequest):
    """A Solana user opens a session with a budget of SPL COR and its first prompts: one Solana
    transaction (the request memo and the burn of the COR); SolanaSessions on the EVM side opens
    the session (owned by it for the user) and submits the prompts. The step waits for that."""

    do: Literal["open_session_from_solana"]
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    redundancy: int | None = Field(default=None, ge=1, le=16)
    model: int = Field(default=0, ge=0)

    def check(self, names: Names) -> None:
        chain = bridge_target(names)
        names.protocol_on("do", chain)
        names.actor("user", self.user, names.users)
        if self.name in names.sessions:
            raise ReferenceProblem("name", f"session {self.name!r} is opened twice")
        names.sessions[self.name] = chain

    def run(self, run: Run) -> None:
        from ..runner import SessionRecord

        bridge = _bridge(run)
        prompts = self._prompts(0)
        request = BridgeMemo(
            bridge.evm_chain_id,
            _raw(_pool(run).sessions.address),
            kind="session",
            name=self.name,
            model=self.model,
            redundancy=self.redundancy or run.parameters.redundancy,
            prompts=prompts,
        )
        bridge, relayed = self._send(run, request, f"open_session_from_solana {self.name}")
        [opened] = _events(run, _pool(run).sessions, relayed, "SessionOpenedFromSolana")
        record = SessionRecord(bridge.parent_name, self.user, int(opened["args"]["sessionId"]))
        run.sessions[self.name] = record
        self._record_tasks(run, record, relayed, prompts)

    def label(self) -> str:
        return f"{self.user} opens session {self.name} from Solana with {self.amount}"


@register_step
class SubmitTasksFromSolana(_SessionRequest):
    """The session's Solana user adds prompts, with SPL COR for them (added to the session's
    balance); the step waits until SolanaSessions has submitted them."""

    do: Literal["submit_tasks_from_solana"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)
        names.actor("user", self.user, names.users)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        record = run.sessions[self.session]
        prompts = self._prompts(len(record.task_ids))
        request = BridgeMemo(
            bridge.evm_chain_id,
            _raw(_pool(run).sessions.address),
            kind="tasks",
            session=record.session_id,
            prompts=prompts,
        )
        _, relayed = self._send(run, request, f"submit_tasks_from_solana {self.session}")
        self._record_tasks(run, record, relayed, prompts)

    def label(self) -> str:
        return f"{self.user} submits tasks to {self.session} from Solana with {self.amount}"


@register_step
class ResultsToSolana(StepKind):
    """Publish the session's finished tasks' results for Solana (SolanaSessions.publishResults,
    sent by the router; anyone may); the guardians sign them and the relayer posts them to Solana
    as Memo transactions, which the step waits for."""

    do: Literal["results_to_solana"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def run(self, run: Run) -> None:
        record = run.sessions[self.session]
        if not record.processed:
            raise StepFailed(f"results_to_solana: session {self.session!r} has no finished tasks (run_tasks)")
        sessions = _pool(run).sessions
        deployment = run.deployment(record.chain)
        router = deployment.address_of("router")
        evm = run.chain(record.chain)
        try:
            tx = sessions.functions.publishResults(record.session_id, list(record.processed)).transact(
                {"from": router}
            )
        except ContractLogicError as exc:
            raise StepFailed(f"results_to_solana: publishResults reverted: {exc}") from None
        receipt = evm.w3.eth.wait_for_transaction_receipt(tx)
        [published] = sessions.events.ResultsPublished().process_receipt(receipt, errors=DISCARD)
        bridge = _bridge(run)
        emitter = sessions.address.lower()
        sequence = int(published["args"]["sequence"])
        message_id = f"{bridge.parent_name}:wormhole:{emitter}:{sequence}"
        waited = 0.0
        while (status := _status(run, message_id)) not in (MessageStatus.RELAYED, MessageStatus.FAILED):
            if waited >= DELIVERY_WAIT:
                raise StepFailed(f"results_to_solana: not delivered within {DELIVERY_WAIT:g} s")
            run.advance(1.0)
            waited += 1.0
        if status == MessageStatus.FAILED:
            [message] = [r for r in run.devnet.messages() if r.id == message_id]
            raise StepFailed(f"results_to_solana: {message.detail.get('error', 'failed')}")

    def label(self) -> str:
        return f"results of {self.session} to Solana"


def _status(run: Run, message_id: str) -> MessageStatus | None:
    return next((r.status for r in run.devnet.messages() if r.id == message_id), None)


@register_step
class CloseSessionFromSolana(StepKind):
    """The session's Solana user closes it (a Memo it signs, no COR); SolanaSessions deactivates
    the session and sends the refund (unspent deposit and bond) back to the user on Solana."""

    do: Literal["close_session_from_solana"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        record = run.sessions[self.session]
        owner = _keypair(run, bridge, record.user)
        request = BridgeMemo(
            bridge.evm_chain_id, _raw(_pool(run).sessions.address), kind="close", session=record.session_id
        )
        _send_message(run, bridge, owner, request, "close_session_from_solana", self.session)

    def label(self) -> str:
        return f"close {self.session} from Solana (refund to Solana)"


@register_step
class UnbondToSolana(StepKind):
    """A miner onboarded from Solana starts unbonding (a Memo it signs); after NodePool's unbonding
    period, ``release_stake_to_solana`` sends its stake back to its Solana account."""

    do: Literal["unbond_to_solana"]
    actor: str

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("actor", self.actor, among=names.miners)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        owner = _keypair(run, bridge, self.actor)
        request = BridgeMemo(bridge.evm_chain_id, _raw(_pool(run).onboarding.address), kind="unbond")
        _send_message(run, bridge, owner, request, "unbond_to_solana", self.actor)

    def label(self) -> str:
        return f"{self.actor} unbonds from Solana"


@register_step
class ReleaseStakeToSolana(StepKind):
    """After the unbonding period, remove the Solana miner's node and send its stake to its Solana
    account (SolanaOnboarding.releaseStake, sent by the router; anyone may, the stake goes only
    to the miner)."""

    do: Literal["release_stake_to_solana"]
    actor: str

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("actor", self.actor, among=names.miners)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        onboarding = _pool(run).onboarding
        router = run.deployment(bridge.parent_name).address_of("router")
        owner = bytes(_keypair(run, bridge, self.actor).pubkey())
        try:
            tx = onboarding.functions.releaseStake(owner).transact({"from": router})
        except ContractLogicError as exc:
            raise StepFailed(f"release_stake_to_solana: {explain(StepFailed(str(exc)))}") from None
        onboarding.w3.eth.wait_for_transaction_receipt(tx)

    def label(self) -> str:
        return f"release {self.actor}'s stake to Solana"


def _raw(address: str) -> bytes:
    return bytes.fromhex(address.removeprefix("0x"))


@register_step
class OnboardFromSolana(_SolanaStep):
    """A miner registers from Solana: its SPL COR stake is burned with a registration memo;
    the relayer hands the VAA to SolanaOnboarding, which registers it in NodePool."""

    do: Literal["onboard_from_solana"]
    models: tuple[int, ...] = (1,)

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("actor", self.actor, among=names.miners)
        if not self.models:
            raise ReferenceProblem("models", "a miner serves at least one model")

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        onboarding = _pool(run).onboarding
        owner = _keypair(run, bridge, self.actor)
        units = to_spl(self.amount.base_units)[0]
        try:
            node_key = solana_node_key(owner)
            bridge.onboard_from_solana(owner, units, onboarding.address, self.models, node_key)
        except (BridgeError, SolanaTransactionError) as exc:
            raise StepFailed(f"onboard_from_solana: {exc}") from None

    def label(self) -> str:
        return f"onboard {self.actor} from Solana with {self.amount} stake"


def solana_node_key(owner: Keypair) -> bytes:
    """The secp256k1 node key a Solana miner registers (64 bytes, x || y): NodePool stores it so
    that private sessions can wrap keys to the node. A Solana keypair is ed25519, so the miner holds a
    second key; here it is derived from its Solana secret, so a scenario replays the same."""
    secret = keccak(b"cortensor-sim:node-key:" + bytes(owner))
    return PrivateKey(secret).public_key.format(compressed=False)[1:]


@register_expectation
class SolanaMiner(ExpectationKind):
    """The NodePool status of a miner who onboarded from Solana (``none`` if it never arrived)."""

    expect: Literal["solana_miner"]
    of: str
    status: Literal[NODE_STATUSES]  # type: ignore[valid-type]

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("of", self.of, among=names.miners)

    def evaluate(self, run: Run) -> Outcome:
        bridge = _bridge(run)
        protocol = _pool(run)
        pool, onboarding = protocol.pool, protocol.onboarding
        operator = onboarding.functions.operatorOf(bytes(_keypair(run, bridge, self.of).pubkey())).call()
        status = 0
        if int(operator, 16):
            status = pool.functions.getNode(pool.functions.getNodeId(operator).call()).call()[2]
        name = NODE_STATUSES[status] if status < len(NODE_STATUSES) else str(status)
        return Outcome(name == self.status, name)


@register_expectation
class SolanaResults(ExpectationKind):
    """How many tasks of a session opened from Solana have their result on Solana: a Memo of the
    bridge to the session's user whose digest is keccak256 of its result, and whose result is one
    a miner gave for that task on the EVM chain."""

    expect: Literal["solana_results"]
    session: str
    count: int = Field(ge=0)

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.session("session", self.session)

    def evaluate(self, run: Run) -> Outcome:
        record = run.sessions.get(self.session)
        if record is None:
            return Outcome(False, f"session {self.session!r} was never opened")
        bridge = _bridge(run)
        owner = str(_keypair(run, bridge, record.user).pubkey())
        network = run.deployment(record.chain).network
        memos = [
            m for m in bridge.results_on_solana() if m["session"] == record.session_id and m["owner"] == owner
        ]
        tasks = {
            m["task"]
            for m in memos
            if "result" in m
            and "0x" + keccak(text=m["result"]).hex() == m["digest"]
            and m["result"] in network.task_results(record.session_id, m["task"]).values()
        }
        return Outcome(len(tasks) == self.count, f"{len(tasks)} results on Solana ({len(memos)} memos)")
