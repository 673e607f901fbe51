"""Expectation kinds: what must hold at the end of a run (``- expect: balance``).

The supply invariant is not listed here: the runner checks it after every step of every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from ..bridge import MessageRecord, MessageStatus
from ..bridge.wormhole import target_name
from .cortensor import CONTRACTS, TASK_STATES, Verdict
from .registry import ExpectationKind, Names, Outcome, ReferenceProblem, register_expectation
from .units import ROUTE_PATTERN, Amount, AmountField, Duration, route_ends

if TYPE_CHECKING:
    from .runner import Run


def check_route(names: Names, route: str) -> None:
    """A route must join a rollup and its parent, or Solana and the EVM chain its guardian bridge
    serves, one way or the other."""
    source, destination = route_ends(route)
    if solana_route(names, source, destination):
        return
    if names.parents.get(destination) == source:
        names.rollup("route", source, destination)
    elif names.parents.get(source) == destination:
        names.rollup("route", destination, source)
    else:
        names.chain("route", source)
        names.chain("route", destination)
        routes = ", ".join(f"{p} -> {c}, {c} -> {p}" for c, p in names.parents.items() if c in names.settled)
        raise ReferenceProblem("route", f"no route {route.strip()} (routes: {routes or 'none'})")


def solana_route(names: Names, source: str, destination: str) -> bool:
    """``solana -> arbitrum`` or back: a Solana chain and the EVM chain the guardian bridge serves
    (any other route from or to Solana is refused here, naming the one there is)."""
    kinds = (names.chains.get(source), names.chains.get(destination))
    if "solana" not in kinds:
        return False
    for end, kind in zip((source, destination), kinds, strict=True):
        if kind != "solana":
            names.chain("route", end)  # an unknown chain is named as such
    target = target_name(names.chains)
    if kinds.count("solana") == 1 and target in (source, destination):
        return True
    solana = source if kinds[0] == "solana" else destination
    raise ReferenceProblem(
        "route", f"no route {source} -> {destination}: the guardian bridge joins {solana} and {target}"
    )


@register_expectation
class Tasks(ExpectationKind):
    """How many of a session's tasks are in a state on chain (SessionQueueV2's task status)."""

    expect: Literal["tasks"]
    session: str
    state: Literal[TASK_STATES]  # type: ignore[valid-type]
    count: int = Field(ge=0)

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def evaluate(self, run: Run) -> Outcome:
        record = run.sessions.get(self.session)
        if record is None:
            return Outcome(False, f"session {self.session!r} was never opened")
        deployment = run.deployment(record.chain)
        states = [deployment.task_state(record.session_id, t) for t in record.task_ids]
        found = states.count(self.state)
        tally = ", ".join(f"{states.count(s)} {s}" for s in TASK_STATES if s in states) or "no tasks"
        return Outcome(found == self.count, f"{found} {self.state} ({tally})")


@register_expectation
class Verdicts(ExpectationKind):
    """How many of a session's tasks gave a miner a Proof-of-Inference verdict."""

    expect: Literal["verdicts"]
    session: str
    miner: str
    verdict: Literal["valid", "invalid", "none", "retry"]
    count: int = Field(ge=0)

    def check(self, names: Names) -> None:
        names.session("session", self.session)
        names.actor("miner", self.miner, names.miners)

    def evaluate(self, run: Run) -> Outcome:
        record = run.sessions.get(self.session)
        if record is None:
            return Outcome(False, f"session {self.session!r} was never opened")
        wanted = Verdict[self.verdict.upper()]
        found = sum(1 for by in record.verdicts.values() if by.get(self.miner) == wanted)
        return Outcome(found == self.count, f"{found} {self.verdict}")


@register_expectation
class Balance(ExpectationKind):
    """An actor's or a contract's balance, in COR or ETH, with bounds written with units; on a chain
    COR reached through a bridge, the balance of its mintable COR."""

    expect: Literal["balance"]
    of: str
    chain: str | None = None
    equals: AmountField | None = None
    at_least: AmountField | None = None
    at_most: AmountField | None = None

    @model_validator(mode="after")
    def _one_asset_and_a_bound(self) -> Balance:
        bounds = [b for b in (self.equals, self.at_least, self.at_most) if b is not None]
        if not bounds:
            raise ValueError("give equals, at_least or at_most (an amount such as '100 COR')")
        if len({b.asset for b in bounds}) > 1:
            raise ValueError("the bounds name different assets")
        if bounds[0].asset == "SOL":
            raise ValueError("SOL balances come with the Solana steps; use COR or ETH")
        return self

    @property
    def asset(self) -> str:
        bound = self.equals or self.at_least or self.at_most
        assert bound is not None
        return bound.asset

    def check(self, names: Names) -> None:
        chain = self.chain or names.session_chain
        names.chain("chain", chain)
        if self.asset == "COR":
            names.has_cor("chain", chain)
        if self.of not in names.actors and self.of not in CONTRACTS:
            known = ", ".join((*names.actors, *CONTRACTS))
            raise ReferenceProblem("of", f"unknown actor or contract {self.of!r} (known: {known})")

    def evaluate(self, run: Run) -> Outcome:
        chain = self.chain or run.parameters.session_chain
        try:
            if self.asset == "COR":
                if chain in run.deployments:
                    value = run.deployments[chain].cor_balance(self.of)
                elif chain in run.bridging.cor:
                    value = run.bridging.cor_balance(chain, run.address_of(self.of, chain))
                else:
                    return Outcome(False, f"no COR reached {chain}")
            else:
                value = run.chain(chain).balance(run.address_of(self.of, chain))
        except KeyError as exc:
            return Outcome(False, str(exc).strip("'\""))
        shown = str(Amount(self.asset, value))  # type: ignore[arg-type]
        passed = (
            (self.equals is None or value == self.equals.base_units)
            and (self.at_least is None or value >= self.at_least.base_units)
            and (self.at_most is None or value <= self.at_most.base_units)
        )
        return Outcome(passed, shown)


@register_expectation
class Event(ExpectationKind):
    """How many times a protocol contract emitted an event (exactly ``count``, or ``at_least``)."""

    expect: Literal["event"]
    contract: Literal[CONTRACTS]  # type: ignore[valid-type]
    event: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    chain: str | None = None
    count: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _a_bound(self) -> Event:
        if (self.count is None) == (self.at_least is None):
            raise ValueError("give count or at_least (not both)")
        return self

    def check(self, names: Names) -> None:
        if self.contract == "CheckpointRegistry":
            names.chain("chain", self.chain or names.settlement_chain)
        else:
            names.protocol_on("chain", self.chain or names.session_chain)

    def evaluate(self, run: Run) -> Outcome:
        if self.contract == "CheckpointRegistry":
            chain = self.chain or run.parameters.settlement_chain
            posted = [d for d in run.deployments.values() if d.registry_chain is run.chain(chain)]
            if not posted:
                return Outcome(self.count == 0 or self.at_least == 0, f"no checkpoint was posted on {chain}")
            deployment = posted[0]
        else:
            deployment = run.deployment(self.chain)
        try:
            found = deployment.event_count(self.contract, self.event)
        except KeyError as exc:
            return Outcome(False, str(exc).strip("'\""))
        if self.count is not None:
            return Outcome(found == self.count, f"{found} seen")
        return Outcome(found >= (self.at_least or 0), f"{found} seen")


@register_expectation
class Latency(ExpectationKind):
    """Simulated time at a percentile, within bounds: of a session's tasks, from submission to
    payment (``session: s1``); or of a route's delivered messages, from sending to delivery on the
    other side (``route: base -> l1``: relayed, or finalized for a withdrawal no messenger relays)."""

    expect: Literal["latency"]
    session: str | None = None
    route: str | None = Field(default=None, pattern=ROUTE_PATTERN, description="source -> destination")
    percentile: float = Field(default=100, gt=0, le=100)
    at_most: Duration | None = None
    at_least: Duration | None = None

    @model_validator(mode="after")
    def _what_and_bounds(self) -> Latency:
        if (self.session is None) == (self.route is None):
            raise ValueError("give session (tasks) or route (messages), not both")
        if self.at_most is None and self.at_least is None:
            raise ValueError("give at_most, at_least or both")
        return self

    def check(self, names: Names) -> None:
        if self.session is not None:
            names.session("session", self.session)
        else:
            assert self.route is not None
            check_route(names, self.route)

    def _latencies(self, run: Run) -> list[float]:
        if self.session is not None:
            record = run.sessions.get(self.session)
            if record is None:
                return []
            return [record.finished_at[t] - record.submitted_at[t] for t in record.finished_at]
        assert self.route is not None
        ends = route_ends(self.route)
        latencies = []
        for message in run.devnet.messages():
            if (message.source, message.destination) != ends:
                continue
            delivered = message.times.get("relayed", message.times.get("finalized"))
            if delivered is not None:
                latencies.append((delivered - message.times["sent"]) / 1000)
        return latencies

    def evaluate(self, run: Run) -> Outcome:
        latencies = sorted(self._latencies(run))
        if not latencies:
            return Outcome(False, "no task finished" if self.session else "no message delivered")
        rank = max(0, -(-len(latencies) * self.percentile // 100) - 1)
        value = latencies[int(rank)]
        held = (self.at_most is None or value <= self.at_most) and (
            self.at_least is None or value >= self.at_least
        )
        return Outcome(held, f"p{self.percentile:g} = {value:g} s")


@register_expectation
class Disputes(ExpectationKind):
    """How many of a rollup's output proposals its challenger disputed (an invalid root is)."""

    expect: Literal["disputes"]
    chain: str
    challenged: int = Field(ge=0)

    def check(self, names: Names) -> None:
        names.rollup("chain", None, self.chain)

    def evaluate(self, run: Run) -> Outcome:
        challenged, proposed = run.bridging.challenged_games(self.chain)
        return Outcome(challenged == self.challenged, f"{challenged} of {proposed} proposals challenged")


TICKETS = ("auto_redeemed", "waiting", "redeemed", "cancelled", "expired")
"""Where a retryable's ticket stands: redeemed by its auto-redeem, or (the auto-redeem failed)
waiting for a redeem by hand, redeemed by hand, cancelled by its beneficiary, or expired."""


def ticket_state(record: MessageRecord) -> str | None:
    """Where a retryable's ticket stands (:data:`TICKETS`); None for other messages, and for a
    retryable the child has not run yet."""
    if record.kind != "retryable":
        return None
    if record.detail.get("autoRedeem") == "failed":
        return str(record.detail.get("ticketOutcome", "waiting"))
    return "auto_redeemed" if record.status == MessageStatus.RELAYED else None


@register_expectation
class Messages(ExpectationKind):
    """How many cross-chain messages on a route (``base -> l1``, ``l1 -> arbitrum``, ``solana ->
    arbitrum``) reached a status, as the settlement engine's records show every message on it,
    whoever sent it (bridge steps, the layers' steps, the actors). Reached, not stopped at: a bridge
    withdrawal is ``finalized`` on the parent and then ``relayed`` by the messenger, and counts for
    both. ``ticket`` counts retryables by where their ticket stands (``redeemed``: the auto-redeem
    failed, the ticket waited, and a redeem by hand delivered it)."""

    expect: Literal["messages"]
    route: str = Field(pattern=ROUTE_PATTERN, description="source -> destination, such as 'base -> l1'")
    status: Literal[tuple(str(s) for s in MessageStatus)] | None = None  # type: ignore[valid-type]
    ticket: Literal[TICKETS] | None = Field(  # type: ignore[valid-type]
        default=None, description="retryables only: auto_redeemed, waiting, redeemed, cancelled, expired"
    )
    count: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _a_bound(self) -> Messages:
        if (self.count is None) == (self.at_least is None):
            raise ValueError("give count or at_least (not both)")
        if self.status is None and self.ticket is None:
            raise ValueError("give status (such as 'relayed'), ticket (such as 'redeemed') or both")
        return self

    @property
    def ends(self) -> tuple[str, str]:
        return route_ends(self.route)

    def check(self, names: Names) -> None:
        check_route(names, self.route)
        destination = self.ends[1]
        if self.ticket is not None and names.chains.get(destination) not in ("nitro", "orbit"):
            raise ReferenceProblem(
                "ticket", f"retryables go to nitro or orbit chains, not to {destination!r}"
            )

    def _counted(self, record: MessageRecord) -> bool:
        reached = self.status is None or record.status == self.status or self.status in record.times
        return reached and (self.ticket is None or ticket_state(record) == self.ticket)

    def evaluate(self, run: Run) -> Outcome:
        on_route = [r for r in run.bridging.messages() if (r.source, r.destination) == self.ends]
        found = sum(1 for r in on_route if self._counted(r))
        tally = ", ".join(
            f"{n} {s}" for s in MessageStatus if (n := sum(1 for r in on_route if r.status == s))
        )
        what = " ".join(str(w) for w in (self.status, self.ticket and f"ticket {self.ticket}") if w)
        observed = f"{found} {what} ({tally or 'no messages'})"
        if self.count is not None:
            return Outcome(found == self.count, observed)
        return Outcome(found >= (self.at_least or 0), observed)
