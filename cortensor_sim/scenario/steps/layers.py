"""Steps and expectations of Cortensor across the layers (docs/layers.md): stake on l1, onboarding
on base, slashes carried back to l1, checkpoints through arbitrum's Outbox.

The cross-layer contracts are deployed by the first of these steps, around the protocol on the
session chain (which must be a Nitro child of l1; base must be an OP Stack child of l1). Every
step is transactions only; the settlement engine carries the messages and the step follows them to
their end on the simulated clock (:mod:`cortensor_sim.protocol.layers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from weakref import WeakKeyDictionary

from pydantic import Field, field_validator, model_validator

from ...bridge import MessageRecord
from ...protocol.layers import CrossLayer
from ...protocol.layers.deployment import LayerNames
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

if TYPE_CHECKING:
    from ..runner import Run

#: NodePool.NodeStatus, in order (docs/contracts.md).
NODE_STATES = ("none", "added", "ephemeral", "reserved", "released", "unbonding")


@dataclass
class _LayersOfRun:
    """What the layers steps of one run keep: the contracts, and every message they followed."""

    layers: CrossLayer
    messages: list[MessageRecord] = field(default_factory=list)


_RUNS: WeakKeyDictionary[Run, _LayersOfRun] = WeakKeyDictionary()


def _layers(run: Run) -> _LayersOfRun:
    """The run's cross-layer contracts, deployed the first time a step needs them."""
    if run not in _RUNS:
        deployment = run.deployment(run.parameters.session_chain)
        names = LayerNames(l1=_L1, base=_BASE, arbitrum=run.parameters.session_chain)
        _RUNS[run] = _LayersOfRun(CrossLayer.deploy(run.devnet, deployment.network, names=names))
    return _RUNS[run]


_L1, _BASE = "l1", "base"


def _check_layers(names: Names) -> None:
    """The layers these steps use: base and the session chain settle on l1; the protocol is deployed."""
    names.chain("chain", _L1)
    for child, kind in ((_BASE, "op-stack"), (names.session_chain, "nitro")):
        names.chain("chain", child)
        if names.parents.get(child) != _L1 or names.chains[child] != kind:
            raise ReferenceProblem(
                "do", f"the cross-layer steps need {child!r} to be a {kind} chain settling on {_L1!r}"
            )
    names.protocol_on("do", names.session_chain)


def _miners(field_name: str, miners: list[str], names: Names) -> None:
    for index, name in enumerate(miners):
        names.actor(f"{field_name}[{index}]", name, names.miners)


def _cor(value: Amount | None) -> Amount | None:
    if value is not None and value.asset != "COR":
        raise ValueError(f"expected an amount of COR (such as '6000 COR'), got {value}")
    return value


@register_step
class StakeOnL1(StepKind):
    """The admin hands each miner canonical COR on l1, and the miner bonds it in NodeStakeL1; the
    stake record reaches NodePool on the session chain as a retryable (l1 -> arbitrum)."""

    do: Literal["stake_on_l1"]
    miners: list[str] = Field(min_length=1)
    stake: AmountField | None = None

    @field_validator("stake")
    @classmethod
    def _stake_in_cor(cls, value: Amount | None) -> Amount | None:
        return _cor(value)

    def check(self, names: Names) -> None:
        _check_layers(names)
        _miners("miners", self.miners, names)

    def run(self, run: Run) -> None:
        state = _layers(run)
        amount = (self.stake or run.parameters.node_stake).base_units
        for miner in self.miners:
            address = run.address_of(miner, run.parameters.session_chain)
            state.layers.fund_on_l1(address, amount)
            state.messages += state.layers.stake_on_l1(address, amount)


@register_step
class OnboardFromBase(StepKind):
    """Each miner registers its node on base (Onboarding); the registration goes base -> l1
    (CrossDomainMessenger) -> arbitrum (retryable), NodePool adds the l1-backed node, and the
    validator's network check makes it ephemeral."""

    do: Literal["onboard_from_base"]
    miners: list[str] = Field(min_length=1)
    models: list[int] = Field(default_factory=lambda: [0], min_length=1, max_length=16)

    def check(self, names: Names) -> None:
        _check_layers(names)
        _miners("miners", self.miners, names)

    def run(self, run: Run) -> None:
        state = _layers(run)
        for miner in self.miners:
            address = run.address_of(miner, run.parameters.session_chain)
            state.messages += state.layers.register_from_base(address, self.models)
            state.layers.mark_ephemeral(address)


@register_step
class DeliverSlashes(StepKind):
    """Follow every slash NodePool sent back to l1 (arbitrum -> l1 through the Outbox) to its end."""

    do: Literal["deliver_slashes"]

    def check(self, names: Names) -> None:
        _check_layers(names)

    def run(self, run: Run) -> None:
        state = _layers(run)
        seen = {r.id for r in state.messages}
        state.messages += [r for r in state.layers.deliver_slashes() if r.id not in seen]


@register_step
class CheckpointToL1(StepKind):
    """Checkpoint a session's processed tasks into l1's CheckpointRegistry through
    SessionCheckpointer, ArbSys and the Outbox (no poster account): from the session chain
    directly, or from an Orbit chain settling on it through CheckpointForwarder there (l3 ->
    arbitrum -> l1; the first such step deploys that route)."""

    do: Literal["checkpoint_to_l1"]
    session: str

    def check(self, names: Names) -> None:
        _check_layers(names)
        chain = names.session("session", self.session)
        on_orbit = names.parents.get(chain) == names.session_chain and names.chains[chain] == "orbit"
        if chain != names.session_chain and not on_orbit:
            raise ReferenceProblem(
                "session",
                f"session {self.session!r} is on {chain!r}: checkpoints leave {names.session_chain!r} "
                f"or an orbit chain settling on it",
            )

    def run(self, run: Run) -> None:
        state = _layers(run)
        record = run.sessions[self.session]
        layers = state.layers
        if record.chain == run.parameters.session_chain:
            state.messages += layers.checkpoint_to_l1(record.session_id, record.processed)
            return
        if layers.l3 is None:
            layers.names = replace(layers.names, l3=record.chain)
            layers.add_l3(run.deployment(record.chain).network)
        state.messages += layers.checkpoint_l3_to_l1(record.session_id, record.processed)


@register_expectation
class Node(ExpectationKind):
    """A miner's node in NodePool on the session chain: its status, whether it is backed by l1
    stake, and (optionally) the COR it has bonded on l1."""

    expect: Literal["node"]
    miner: str
    status: Literal[NODE_STATES]  # type: ignore[valid-type]
    l1_backed: bool | None = None
    l1_bond: AmountField | None = None

    @model_validator(mode="after")
    def _bond_in_cor(self) -> Node:
        _cor(self.l1_bond)
        return self

    def check(self, names: Names) -> None:
        names.actor("miner", self.miner, names.miners)
        names.protocol_on("miner", names.session_chain)

    def evaluate(self, run: Run) -> Outcome:
        chain = run.parameters.session_chain
        deployment = run.deployment(chain)
        address = run.address_of(self.miner, chain)
        pool = deployment.network.contracts.node_pool.functions
        status = NODE_STATES[int(pool.getNodeStatus(address).call())]
        backed = bool(pool.isL1Backed(pool.getNodeId(address).call()).call())
        state = _RUNS.get(run)
        bond = state.layers.l1_bond(address) if state else 0
        passed = status == self.status
        passed &= self.l1_backed is None or backed == self.l1_backed
        passed &= self.l1_bond is None or bond == self.l1_bond.base_units
        shown = (
            f"{status}, {'l1-backed' if backed else 'staked on ' + chain}, {Amount('COR', bond)} bonded on l1"
        )
        return Outcome(passed, shown)


@register_expectation
class CheckpointOnL1(ExpectationKind):
    """The newest checkpoint l1's CheckpointRegistry holds for a session's chain carries the roots
    that chain's SessionCheckpointer computes now for the session's processed tasks."""

    expect: Literal["checkpoint_on_l1"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def evaluate(self, run: Run) -> Outcome:
        state = _RUNS.get(run)
        record = run.sessions.get(self.session)
        if state is None or record is None:
            return Outcome(False, "no cross-layer checkpoint was sent")
        layers = state.layers
        on_l3 = record.chain != run.parameters.session_chain
        checkpointer = layers.l3.checkpointer if on_l3 and layers.l3 else layers.contracts.checkpointer
        if on_l3 and layers.l3 is None:
            return Outcome(False, f"no checkpoint route from {record.chain}")
        registry = layers.contracts.registry.functions
        chain_id = run.chain(record.chain).chain_id
        count = int(registry.checkpointCount(chain_id).call())
        if count == 0:
            return Outcome(False, f"no checkpoint of {record.chain} on l1")
        stored = registry.latestCheckpoint(chain_id).call()
        roots = checkpointer.functions.roots(record.session_id, record.processed).call()
        matches = (stored[1], stored[2]) == tuple(roots)
        verdict = "matches" if matches else "differs from"
        shown = f"{count} checkpoint(s) of {record.chain}; newest {verdict} its roots"
        return Outcome(matches, shown)
