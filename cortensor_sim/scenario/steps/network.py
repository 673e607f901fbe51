"""Steps that let Cortensor's actors run on the clock, and the actor-level faults.

* ``do: run_network``: the population (router, oracle, validator, the scenario's users and miners
  with their behaviours) on the session chain; hand it ``tasks: N`` new requests and run it
  ``for: 10m`` or until every request is returned. Built at its first use, on its own deployment.
  ``onboarding: {miner2: l1_stake, miner3: solana}`` says how miners join the pool (the others
  ``on_chain``): staked on l1 and registered from base, or from Solana (the stake sent through
  the guardians to a node key derived from the miner's Solana secret, which then serves like any
  node; :mod:`cortensor_sim.protocol.onboarding`).
  ``private: true`` makes the users' sessions private: sealed prompts and results, keys as ECIES
  envelopes (docs/actors.md).
* ``do: crash_miner``: a miner goes offline at this point of the timeline, ``for: 10m`` or for good.
* ``do: backend_timeout``: a miner's inference backend times out ``for:`` a span.
* ``expect: network``: a number from the run's metrics (``metric: tasks.completed``) bounded by
  ``at_least`` / ``at_most`` / ``equals``.

The metrics of the population's run go into the JSON report under ``metrics``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from weakref import WeakKeyDictionary

from pydantic import ConfigDict, Field, model_validator

from ...protocol.actors import Population, PopulationConfig, PopulationError, Profile
from ...protocol.backends import Backend, BuiltinBackend, OpenAIBackend
from ...protocol.metrics import RunMetrics
from ...protocol.network import StepFailed
from ...protocol.onboarding import LayeredOnboarding, OnboardingKind, deploy_population
from ..registry import (
    ExpectationKind,
    Names,
    Outcome,
    ReferenceProblem,
    StepKind,
    register_expectation,
    register_step,
)
from ..units import Duration

if TYPE_CHECKING:
    from ..runner import Run

_POPULATIONS: WeakKeyDictionary[Any, Population] = WeakKeyDictionary()
_METRICS: WeakKeyDictionary[Any, RunMetrics] = WeakKeyDictionary()
_ONBOARDINGS: WeakKeyDictionary[Any, LayeredOnboarding] = WeakKeyDictionary()


def profile_of(behaviour: str, slow_rate: float) -> Profile:
    """A scenario behaviour name as an actor profile (the scripted names map onto the actors')."""
    if behaviour in ("dishonest", "malicious"):
        return Profile("malicious")
    if behaviour in ("colluding", "lazy"):
        return Profile(behaviour)  # type: ignore[arg-type]
    if behaviour == "slow":
        return Profile("slow", rate=slow_rate)
    if behaviour == "silent":
        return Profile("slow", rate=1.0)  # acks nothing in time, answers nothing in time
    if behaviour == "offline":
        return Profile("offline", offline_at_s=0.0)
    return Profile()


def backend_of(run: Run) -> Backend:
    config = run.parameters.backend
    if config.kind == "openai":
        return OpenAIBackend(
            config.url, config.model, embedding_model=config.embedding_model, timeout=config.timeout
        )
    return BuiltinBackend(_seed_int(run.seed))


def _seed_int(seed: int | str) -> int:
    return seed if isinstance(seed, int) else int.from_bytes(str(seed).encode()[:8], "big")


def population_of(
    run: Run, onboarding: dict[str, OnboardingKind] | None = None, private: bool | None = None
) -> Population:
    """The run's population, built (deployed, onboarded, sessions opened) at its first use, its
    miners joining by ``onboarding`` (miner name -> route; the others ``on_chain``), its sessions
    private when ``private``."""
    population = _POPULATIONS.get(run)
    if population is not None:
        built = _ONBOARDINGS[run]
        asked = {run.scenario.actors.miner_names.index(m): k for m, k in (onboarding or {}).items()}
        if onboarding is not None and asked != built.mix:
            raise StepFailed(
                "run_network: the population was already built with another `onboarding:`; give it "
                "on the first run_network step only"
            )
        if private is not None and private != population.config.private:
            raise StepFailed(
                f"run_network: the population's sessions were built {'private' if not private else 'clear'}; "
                "give `private:` on the first run_network step only"
            )
        return population
    p, actors = run.parameters, run.scenario.actors
    miners = actors.miner_names
    config = PopulationConfig(
        miners=actors.miners,
        users=actors.users,
        redundancy=p.redundancy,
        spare_nodes=max(0, (actors.miners // actors.users) - p.redundancy) if actors.users else 0,
        profiles={
            i: profile_of(actors.behaviour.get(m, "honest"), actors.slow_rate) for i, m in enumerate(miners)
        },
        seed=_seed_int(run.seed),
        deposit=p.network_deposit.base_units,
        slash=p.slash.base_units,
        private=bool(private),
    )
    mix = {miners.index(m): kind for m, kind in (onboarding or {}).items()}
    try:
        population, layered = deploy_population(
            run.devnet, config, mix, chain=p.session_chain, backend=backend_of(run)
        )
    except (PopulationError, StepFailed) as exc:  # a refused mix, or a message that never arrived
        raise StepFailed(f"run_network: {exc}") from None
    _POPULATIONS[run] = population
    _ONBOARDINGS[run] = layered
    return population


def built_population(run: Run) -> Population | None:
    """The run's population if a step built it (``None``: no actor step ran)."""
    return _POPULATIONS.get(run)


def metrics_of(run: Run) -> RunMetrics | None:
    """The metrics of the run's population (``None`` if no actor step ran)."""
    return _METRICS.get(run)


def _refresh_metrics(run: Run, population: Population) -> None:
    _METRICS[run] = population.metrics()


@register_step
class RunNetwork(StepKind):
    """Run the actors: ``tasks: N`` new requests (spread over the users, one per ``every`` each), then
    ``for: 10m`` of simulated time, or until every request is returned (at most ``limit``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    do: Literal["run_network"]
    tasks: int = Field(default=0, ge=0, le=100_000)
    every: Duration = Field(default=1.0, description="time between one user's requests")
    for_: Duration | None = Field(
        default=None, alias="for", description="run this long (default: until idle)"
    )
    limit: Duration = Field(default=3600.0, description="most time to wait for every request to return")
    onboarding: dict[str, OnboardingKind] | None = Field(
        default=None,
        description="how miners join the pool, by name: on_chain (default), l1_stake (bonded on l1, "
        "registered from base) or solana (stake sent from Solana to the miner's own node key); "
        "first run_network step only",
    )
    private: bool | None = Field(
        default=None,
        description="the users' sessions are private: prompts and results sealed, keys as ECIES "
        "envelopes to the router, the session's nodes and the validator; first run_network step only",
    )

    def check(self, names: Names) -> None:
        names.chain("session_chain", names.session_chain)
        for miner, kind in (self.onboarding or {}).items():
            names.actor(f"onboarding.{miner}", miner, names.miners)
            _check_route(names, f"onboarding.{miner}", kind)

    def run(self, run: Run) -> None:
        population = population_of(run, self.onboarding, self.private)
        users = list(population.users)
        for i, user in enumerate(users):
            count = self.tasks // len(users) + (1 if i < self.tasks % len(users) else 0)
            prompts = [f"Scenario request {user}-{len(population.users[user].requests) + k}: "
                       "explain how decentralized inference is verified." for k in range(count)]  # fmt: skip
            population.submit(user, prompts, every_s=self.every)
        if self.for_ is not None:
            population.run(self.for_)
        elif not population.run_until_idle(self.limit):
            raise StepFailed(f"run_network: requests still outstanding after {self.limit:g} s")
        _refresh_metrics(run, population)

    def label(self) -> str:
        span = f"for {self.for_:g} s" if self.for_ is not None else "until idle"
        return f"run_network(tasks={self.tasks}, {span})"


def _check_route(names: Names, field_name: str, kind: str) -> None:
    """The layers a miner's onboarding route crosses must be in the topology."""
    session = names.session_chain
    if kind == "l1_stake":
        l1 = names.parents.get(session)
        if l1 is None or names.chains[session] != "nitro":
            raise ReferenceProblem(
                field_name, f"l1_stake needs the session chain {session!r} to be a nitro rollup of an l1"
            )
        bases = [c for c, k in names.chains.items() if k == "op-stack" and names.parents.get(c) == l1]
        if "base" not in bases:
            raise ReferenceProblem(
                field_name, f"l1_stake registers from 'base': it needs an op-stack chain 'base' on {l1!r}"
            )
    elif kind == "solana" and "solana" not in names.chains.values():
        raise ReferenceProblem(field_name, "solana onboarding needs a Solana chain in the topology")


class _MinerFault(StepKind):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    miner: str
    for_: Duration | None = Field(default=None, alias="for")

    def check(self, names: Names) -> None:
        names.actor("miner", self.miner, names.miners)

    def _span(self, run: Run) -> tuple[Population, int, int | None]:
        population = population_of(run)
        now = run.devnet.clock.now_ms
        return population, now, None if self.for_ is None else now + round(self.for_ * 1000)


@register_step
class CrashMiner(_MinerFault):
    """A miner goes offline now (its process stops polling), ``for: 10m`` then back, or for good."""

    do: Literal["crash_miner"]

    def run(self, run: Run) -> None:
        population, start, end = self._span(run)
        population.miners[self.miner].crash(start, end)


@register_step
class BackendTimeout(_MinerFault):
    """A miner's inference backend times out ``for:`` a span: its results in that span are missed."""

    do: Literal["backend_timeout"]

    @model_validator(mode="after")
    def _needs_span(self) -> BackendTimeout:
        if self.for_ is None:
            raise ValueError("backend_timeout needs `for:` (how long the backend times out)")
        return self

    def run(self, run: Run) -> None:
        population, start, end = self._span(run)
        assert end is not None
        population.miners[self.miner].backend.add_outage(start, end)  # type: ignore[attr-defined]


@register_expectation
class Network(ExpectationKind):
    """A figure from the actors' run metrics, e.g. ``metric: tasks.completed, at_least: 10`` or
    ``metric: penalties_wei.miner2, at_least: 1`` (dotted path into the report's ``metrics``)."""

    expect: Literal["network"]
    metric: str = Field(pattern=r"^[A-Za-z0-9_.]+$")
    at_least: float | None = None
    at_most: float | None = None
    equals: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Network:
        if self.at_least is None and self.at_most is None and self.equals is None:
            raise ValueError("give at_least, at_most or equals")
        return self

    def check(self, names: Names) -> None:
        if self.metric.split(".")[0] not in RunMetrics().to_dict():
            known = ", ".join(RunMetrics().to_dict())
            raise ReferenceProblem("metric", f"unknown metric {self.metric!r} (top level: {known})")

    def evaluate(self, run: Run) -> Outcome:
        metrics = metrics_of(run)
        if metrics is None:
            return Outcome(False, "no `do: run_network` step ran")
        value: Any = metrics.to_dict()
        for part in self.metric.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            value = 0  # a miner with no earnings or penalties, a route with no messages
        if not isinstance(value, int | float):
            return Outcome(False, f"{self.metric} is not a number ({value!r})")
        ok = (
            (self.at_least is None or value >= self.at_least)
            and (self.at_most is None or value <= self.at_most)
            and (self.equals is None or value == self.equals)
        )
        return Outcome(ok, f"{self.metric} = {value:g}")
