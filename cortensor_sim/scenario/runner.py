"""Running a scenario: build its devnet, drive its timeline, check invariants after every step.

The run records an event trace: per step, the clock, the scenario's own transactions by actor and
action, every transaction the chains executed meanwhile (:mod:`.trace`: the actors', the settlement
engine's and the layers' too, with status, gas and logs) and each chain's head after the step. The
trace is a pure function of the scenario file and its seed: its sha256, the trace hash, is what the
determinism test and CI compare.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from ..protocol.inference import made_up_answer
from .bridging import Bridging
from .cortensor import Deployment, StepFailed, Verdict, explain, honest
from .registry import Outcome, StepKind
from .schema import Scenario
from .trace import ExecutionCursor

if TYPE_CHECKING:
    from .record import RunRecord


@dataclass(frozen=True)
class ExpectationResult:
    name: str
    passed: bool
    observed: str


@dataclass
class SessionRecord:
    """A session the scenario opened: where, its id, its tasks and how they went."""

    chain: str
    user: str
    session_id: int
    task_ids: list[int] = field(default_factory=list)
    prompts: dict[int, str] = field(default_factory=dict)
    processed: list[int] = field(default_factory=list)
    verdicts: dict[int, dict[str, Verdict]] = field(default_factory=dict)
    submitted_at: dict[int, float] = field(default_factory=dict)
    finished_at: dict[int, float] = field(default_factory=dict)


@dataclass
class StepRecord:
    """One step as it ran: ``txs`` and ``gas`` count every transaction the chains executed
    meanwhile, whoever sent it (the scenario, the actors, the settlement engine)."""

    index: int
    label: str
    txs: int
    gas: int
    sim_time: float
    wall_seconds: float
    error: str | None = None


class Run:
    """Everything a step may touch: the devnet, the deployments, the sessions and the trace."""

    def __init__(self, scenario: Scenario, devnet: Devnet, seed: int | str) -> None:
        self.scenario = scenario
        self.devnet = devnet
        self.seed = seed
        self.rng = random.Random(f"{seed}")
        self.deployments: dict[str, Deployment] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.trace: list[dict[str, Any]] = []
        self.steps: list[StepRecord] = []
        self.invariant_checks = 0
        self.invariant_failure: str | None = None
        self._recorded: dict[str, int] = {}
        self.executed = ExecutionCursor(
            {n: c.height for n, c in devnet.chains.items() if isinstance(c, EvmChain)}
        )
        self.bridging = Bridging(devnet, self.address_of)

    # ------------------------------------------------------------------ helpers for steps
    @property
    def parameters(self) -> Any:
        return self.scenario.parameters

    def chain(self, name: str) -> EvmChain:
        return self.devnet.evm(name)

    def deployment(self, chain: str | None = None) -> Deployment:
        return self.deployments[chain or self.parameters.session_chain]

    def advance(self, seconds: float) -> None:
        try:
            self.devnet.advance(seconds)
        except ValueError as exc:  # past 9999-12-31: the scenario asked for more time than exists
            raise StepFailed(str(exc)) from None
        for deployment in self.deployments.values():
            if deployment.chain.mining == "interval":
                deployment.network.settle()

    @property
    def users(self) -> tuple[str, ...]:
        return self.scenario.actors.user_names

    @property
    def miners(self) -> tuple[str, ...]:
        return self.scenario.actors.miner_names

    def address_of(self, name: str, chain: str) -> str:
        """An actor's address (the dev accounts in order: admin, oracle, validator, router, users,
        miners), or a contract's where the protocol is deployed on ``chain``."""
        if chain in self.deployments:
            return self.deployments[chain].address_of(name)
        actors = ("admin", "oracle", "validator", "router", *self.users, *self.miners)
        if name in actors:
            return self.chain(chain).accounts[actors.index(name)].address
        raise KeyError(f"{name} is not deployed on {chain}")

    def answer(self, miner: str, task_id: int, prompt: str) -> str | None:
        """What ``miner`` answers, by its behaviour: honest, made up (its own, unrelated to any other
        miner's), the colluders' shared lie, or nothing at all (a silent miner)."""
        actors = self.scenario.actors
        behaviour = actors.behaviour.get(miner, "honest")
        if behaviour in ("silent", "offline", "slow"):  # the scripted phases wait for nobody
            return None
        if behaviour == "lazy":
            return "OK."
        if behaviour == "colluding":
            return f"Colluded reply {task_id}: lorem ipsum dolor sit amet, consectetur adipiscing."
        made_up = behaviour in ("dishonest", "malicious") or (
            actors.dishonest_rate > 0 and self.rng.random() < actors.dishonest_rate
        )
        if made_up:
            return made_up_answer(self.seed, miner, f"{task_id}:{prompt}")
        return honest(prompt)

    @property
    def now(self) -> float:
        """Simulated seconds since genesis."""
        return self.devnet.clock.elapsed

    # ------------------------------------------------------------------ trace
    def _new_transactions(self) -> list[dict[str, Any]]:
        """The scenario's own transactions since the last step, named by actor and action."""
        txs = []
        for chain_name, deployment in self.deployments.items():
            start = self._recorded.get(chain_name, 0)
            for step in deployment.steps[start:]:
                txs.append(
                    {
                        "actor": step.actor,
                        "action": step.action,
                        "chain": step.chain,
                        "block": step.block,
                        "gas": step.gas_used,
                        "tx": step.tx_hash,
                    }
                )
            self._recorded[chain_name] = len(deployment.steps)
        txs += self.bridging.sent
        self.bridging.sent = []
        return txs

    def _heads(self) -> dict[str, str]:
        heads = {}
        for name, chain in self.devnet.chains.items():
            if isinstance(chain, EvmChain):
                heads[name] = chain.engine.get_block("latest")["hash"]
            else:
                heads[name] = chain.state_digest()
        return heads

    def check_invariants(self) -> None:
        """COR held by every holder adds up to the supply, on every chain with the protocol; l1's
        COR supply is what every chain holds of it plus what is in flight; and on every route COR
        crossed, the COR locked in the parent's bridge is the COR minted on the child plus the COR
        the scenario sent that the engine has not delivered yet, plus the COR of transfers that
        failed for good (a retryable's ticket cancelled or expired, an execution the Outbox
        refused): stranded in the parent's bridge, as on a real chain, never minted back."""
        for chain_name, deployment in self.deployments.items():
            held, supply = deployment.supply_held()
            self.invariant_checks += 1
            if held != supply and self.invariant_failure is None:
                step = len(self.steps)
                self.invariant_failure = (
                    f"after step {step} on {chain_name}: COR held {held} != total supply {supply}"
                )
        supply, counted = self.bridging.cor_across_chains()
        self.invariant_checks += 1
        if supply != counted and self.invariant_failure is None:
            self.invariant_failure = (
                f"after step {len(self.steps)}: l1's COR supply {supply} != COR held on every chain"
                f" it reached plus in flight {counted}"
            )
        for rollup in self.bridging.cor_routes():
            locked, minted = self.bridging.locked_and_minted(rollup)
            in_flight = self.bridging.in_flight(rollup, "COR")
            lost = self.bridging.stranded(rollup)
            self.invariant_checks += 1
            if locked != minted + in_flight + lost and self.invariant_failure is None:
                self.invariant_failure = (
                    f"after step {len(self.steps)} on {rollup}: COR locked in its parent's bridge {locked}"
                    f" != COR minted on {rollup} {minted} + in flight {in_flight} + stranded {lost}"
                )

    @property
    def trace_hash(self) -> str:
        canonical = json.dumps(self.trace, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(canonical).hexdigest()


ProgressHook = Callable[[int, int, StepKind, Run], None]


@dataclass
class RunResult:
    run: Run
    expectations: list[ExpectationResult]
    failed_step: StepRecord | None
    wall_seconds: float

    @property
    def passed(self) -> bool:
        return self.failed_step is None and all(e.passed for e in self.expectations)

    @cached_property
    def record(self) -> RunRecord:
        """What the HTML report draws and a sweep measures, read back from the finished run once."""
        from .record import record_of

        return record_of(self)


def build_devnet(scenario: Scenario, seed: int | str) -> Devnet:
    topology = scenario.resolved_topology().model_copy(update={"seed": f"{seed}"})
    return Devnet(topology)


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | str | None = None,
    on_step: ProgressHook | None = None,
    after_step: ProgressHook | None = None,
) -> RunResult:
    """Run ``scenario`` (with ``seed`` instead of its own, if given) and evaluate its expectations."""
    started = time.perf_counter()
    seed = scenario.seed if seed is None else seed
    run = Run(scenario, build_devnet(scenario, seed), seed)
    if run.devnet.settlement is not None:
        run.devnet.settlement.auto = scenario.parameters.settlement == "auto"  # type: ignore[attr-defined]
    failed: StepRecord | None = None
    total = len(scenario.timeline)
    for index, step in enumerate(scenario.timeline):
        if on_step is not None:
            on_step(index, total, step, run)
        step_started = time.perf_counter()
        error = None
        try:
            step.run(run)
        except StepFailed as exc:
            error = explain(exc)
        txs = run._new_transactions()
        executed = run.executed.take(run.devnet.chains)
        record = StepRecord(
            index=index,
            label=step.label(),
            txs=len(executed),
            gas=sum(t["gas"] for t in executed),
            sim_time=run.now,
            wall_seconds=time.perf_counter() - step_started,
            error=error,
        )
        run.steps.append(record)
        run.trace.append(
            {
                "step": index,
                "do": step.kind_name(),
                "time_ms": run.devnet.clock.now_ms,
                "txs": txs,
                "executed": executed,
                "heads": run._heads(),
                **({"error": error} if error else {}),
            }
        )
        run.check_invariants()
        if after_step is not None:
            after_step(index, total, step, run)
        if error is not None:
            failed = record
            break
    results = [_invariant_result(run)]
    if failed is None:
        for expectation in scenario.expectations:
            outcome: Outcome = expectation.evaluate(run)
            results.append(ExpectationResult(expectation.label(), outcome.passed, outcome.observed))
    return RunResult(run, results, failed, time.perf_counter() - started)


def _invariant_result(run: Run) -> ExpectationResult:
    name = "COR supply held by its holders after every step"
    if run.invariant_failure is not None:
        return ExpectationResult(name, False, run.invariant_failure)
    return ExpectationResult(name, True, f"held at all {run.invariant_checks} checks")
