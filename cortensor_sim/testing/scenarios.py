"""The ``scenario`` fixture: run a YAML scenario inside a test and inspect what it did.

A scenario builds its own devnet from its own topology (as ``cortensor-sim run`` does), so it never
touches the session's devnet and needs no isolation. The outcome keeps that devnet, so a test can
read the chains afterwards, and says what failed the way the run command does: the expectation,
what was observed, the step that failed and why.

    def test_withdrawal(scenario):
        outcome = scenario("withdrawal-base-to-l1")
        outcome.assert_passed()
        assert outcome.messages(status="finalized")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..bridge import MessageRecord
    from ..chains.devnet import Devnet
    from ..chains.evm import EvmChain
    from ..scenario.runner import ExpectationResult, RunResult
    from ..scenario.schema import Scenario

__all__ = ["ScenarioOutcome", "ScenarioRunner"]


@dataclass(frozen=True)
class ScenarioOutcome:
    """What a scenario run left: its expectations, trace hash, messages and the devnet itself."""

    scenario: Scenario
    source: Path
    result: RunResult

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def passed(self) -> bool:
        """Every step ran and every expectation (the COR supply invariant included) held."""
        return self.result.passed

    @property
    def expectations(self) -> list[ExpectationResult]:
        """Each expectation with ``passed`` and what was ``observed``; the first is the invariant."""
        return self.result.expectations

    @property
    def failures(self) -> list[ExpectationResult]:
        return [e for e in self.result.expectations if not e.passed]

    @property
    def failed_step(self) -> str | None:
        """``"step 3 (bridge ...): why"`` for the step that stopped the run, else None."""
        step = self.result.failed_step
        return None if step is None else f"step {step.index} ({step.label}): {step.error}"

    @property
    def trace_hash(self) -> str:
        """The digest ``cortensor-sim run`` prints: equal runs of one scenario and seed agree."""
        return self.result.run.trace_hash

    @property
    def devnet(self) -> Devnet:
        """The scenario's devnet as the run left it."""
        return self.result.run.devnet

    def chain(self, name: str) -> EvmChain:
        return self.devnet.evm(name)

    def messages(self, kind: str | None = None, status: Any = None) -> list[MessageRecord]:
        """The cross-chain messages of the run (``devnet.messages``), by kind and status."""
        return self.devnet.messages(kind, status)

    def address_of(self, actor: str, chain: str) -> str:
        """The address of a scenario actor (``user0``, ``miner1``, ``admin``) or contract on ``chain``."""
        return self.result.run.address_of(actor, chain)

    def summary(self) -> str:
        """One line per expectation, then the failed step if any, as the run command shows them."""
        lines = [f"scenario {self.name!r} ({self.source}), trace {self.trace_hash[:16]}"]
        for expectation in self.expectations:
            mark = "ok  " if expectation.passed else "FAIL"
            lines.append(f"  {mark} {expectation.name}: {expectation.observed}")
        if self.failed_step is not None:
            lines.append(f"  stopped at {self.failed_step}")
        return "\n".join(lines)

    def assert_passed(self) -> None:
        """Fail the test with :meth:`summary` unless the scenario passed."""
        if not self.passed:
            pytest.fail(self.summary(), pytrace=False)


class ScenarioRunner:
    """``scenario(name_or_path, seed=None)``: load, check and run a scenario; bad input fails the
    test with the file, line, column and field, as ``cortensor-sim validate`` reports it."""

    def __init__(self, rootpath: Path) -> None:
        self.rootpath = rootpath

    def _path(self, name_or_path: str | Path) -> str | Path:
        path = Path(name_or_path)
        if not path.is_absolute() and (self.rootpath / path).exists():
            return self.rootpath / path
        return name_or_path

    def load(self, name_or_path: str | Path) -> tuple[Scenario, Path]:
        from ..scenario.loader import find_scenario, load_scenario
        from ..scenario.source import InputError

        where = self._path(name_or_path)
        try:
            return load_scenario(where), find_scenario(where)
        except InputError as exc:
            pytest.fail(f"cortensor-sim: scenario {str(name_or_path)!r}: {exc}", pytrace=False)

    def __call__(self, name_or_path: str | Path, *, seed: int | str | None = None) -> ScenarioOutcome:
        from ..scenario.runner import run_scenario

        scenario, source = self.load(name_or_path)
        return ScenarioOutcome(scenario, source, run_scenario(scenario, seed=seed))
