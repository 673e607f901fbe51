"""Fault steps: a rollup's sequencer goes down, a settlement actor stops (and comes back).

Each fault acts where the real one would, and the rest follows from the chains and the engine:
during a sequencer outage the rollup seals nothing and refuses transactions while deposits posted
on its parent wait for it; a paused relayer leaves withdrawals proposed but unproven until it is
back, then it catches up. Expectations on ``messages`` and ``latency`` show what the fault cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field

from ..registry import Names, ReferenceProblem, StepKind, register_step
from ..units import Duration

if TYPE_CHECKING:
    from ..runner import Run

ENGINE_KINDS: dict[str, frozenset[str]] = {
    "op-stack": frozenset({"relayer", "proposer", "challenger"}),
    "nitro": frozenset({"relayer", "proposer", "challenger", "batcher"}),
    "orbit": frozenset({"relayer", "proposer", "challenger", "batcher"}),
}
"""Rollup kinds the settlement engine runs, and the roles a pause can stop on each (Nitro's
proposer is its validator, which posts assertions; only Nitro has a batch poster)."""

Role = Literal["relayer", "proposer", "challenger", "batcher"]


def _rollup(names: Names, field_name: str, name: str) -> str:
    """``name`` must be a rollup the settlement engine runs; returns its kind."""
    names.chain(field_name, name)
    kind = names.chains[name]
    if names.parents.get(name) is None:
        raise ReferenceProblem(
            field_name, f"{name!r} is a root chain: it has no sequencer or settlement actors"
        )
    if kind not in ENGINE_KINDS:
        raise ReferenceProblem(field_name, f"{name!r} ({kind}) has no settlement engine")
    return kind


def _rollups(names: Names) -> list[str]:
    return [c for c, p in names.parents.items() if p is not None and names.chains.get(c) in ENGINE_KINDS]


@register_step
class SequencerOutage(StepKind):
    """Fault: ``chain``'s sequencer is down ``for`` a while from now. The chain seals nothing and its
    RPC refuses transactions (a step that sends there fails, saying so); deposits posted on its parent
    meanwhile are sealed first when it is back. The clock does not move: advance to see it end."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    do: Literal["sequencer_outage"]
    chain: str
    duration: Duration = Field(alias="for", description="how long the sequencer stays down (`30m`)")

    def check(self, names: Names) -> None:
        _rollup(names, "chain", self.chain)

    def run(self, run: Run) -> None:
        run.devnet.sequencer_outage(self.chain, self.duration)

    def label(self) -> str:
        return f"{self.chain}'s sequencer down for {self.duration:g} s"


class _RoleStep(StepKind):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    role: Role = Field(description="relayer, proposer (OP Stack) / validator (Nitro), challenger, batcher")
    rollup: str | None = Field(default=None, description="one rollup; every rollup when left out")

    def check(self, names: Names) -> None:
        if self.rollup is not None:
            kind = _rollup(names, "rollup", self.rollup)
            if self.role not in ENGINE_KINDS[kind]:
                raise ReferenceProblem("role", f"no {self.role} runs on {self.rollup!r} ({kind})")
            return
        carrying = [r for r in _rollups(names) if self.role in ENGINE_KINDS[names.chains[r]]]
        if not carrying:
            raise ReferenceProblem("role", f"no rollup of this topology runs a {self.role}")

    @property
    def where(self) -> str:
        return self.rollup or "every rollup"


@register_step
class Pause(_RoleStep):
    """Fault: stop a settlement role (``role: relayer``) of one rollup or all, ``for`` a while or
    until a ``resume`` step. Messages wait for it, as for a real relayer that stopped; once back it
    acts on everything that fell due."""

    do: Literal["pause"]
    duration: Duration | None = Field(default=None, alias="for", description="until `resume` when left out")

    def run(self, run: Run) -> None:
        run.devnet.pause(self.role, self.rollup, self.duration)

    def label(self) -> str:
        span = f" for {self.duration:g} s" if self.duration is not None else ""
        return f"pause the {self.role} of {self.where}{span}"


@register_step
class Resume(_RoleStep):
    """End a ``pause`` early: the role's actors catch up on what fell due."""

    do: Literal["resume"]

    def run(self, run: Run) -> None:
        run.devnet.resume(self.role, self.rollup)

    def label(self) -> str:
        return f"resume the {self.role} of {self.where}"
