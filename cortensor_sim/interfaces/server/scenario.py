"""``cortensor-sim serve scenario.yaml``: the devnet a scenario leaves, served for the user's tools.

The scenario runs exactly as ``cortensor-sim run`` runs it (same devnet, seed and steps, so the
same trace hash), then its devnet is served: a user pokes with cast, ethers or a wallet at the
sessions, tasks and messages the scenario made. With ``setup_only`` only the scenario's leading
set-up steps run (deploy, fund, register_nodes: the state a scenario starts its story from), and
the expectations are not checked, since they describe the end of the story.

A failed expectation or step does not stop the serving: the state it left is what the user wants
to look at. It is reported in the summary line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...scenario.loader import find_scenario, load_scenario
from ...scenario.runner import RunResult, run_scenario

if TYPE_CHECKING:
    from ...chains.devnet import Devnet
    from ...scenario.schema import Scenario

__all__ = ["SETUP_STEPS", "ServedScenario", "run_for_serving", "setup_part"]

SETUP_STEPS = frozenset({"deploy", "fund", "register_nodes"})
"""Step kinds that prepare the state a scenario's story starts from."""


@dataclass(frozen=True)
class ServedScenario:
    devnet: Devnet
    summary: str
    """One line: the scenario, the steps run, the expectations' verdict and the trace hash."""


def setup_part(scenario: Scenario) -> Scenario:
    """The scenario cut after its leading set-up steps, without expectations."""
    count = 0
    for step in scenario.timeline:
        if step.kind_name() not in SETUP_STEPS:
            break
        count += 1
    return scenario.model_copy(update={"timeline": scenario.timeline[:count], "expectations": []})


def _summary(scenario: Scenario, result: RunResult, *, setup_only: bool) -> str:
    run = result.run
    steps = f"{len(run.steps)} of {len(scenario.timeline)} steps"
    if result.failed_step is not None:
        step = result.failed_step
        verdict = f"stopped at step {step.index} ({step.label}): {step.error}"
    elif setup_only:
        verdict = "set-up steps only, expectations not checked"
    else:
        failed = [e.name for e in result.expectations if not e.passed]
        verdict = (
            "all expectations held"
            if not failed
            else f"{len(failed)} expectation(s) failed: " + "; ".join(failed)
        )
    return (
        f"scenario {scenario.name!r}: ran {steps}, simulated {run.now:g} s; {verdict}; trace {run.trace_hash}"
    )


def run_for_serving(name_or_path: str, *, setup_only: bool = False) -> ServedScenario:
    """Load and run a scenario (a path or a bundled name); raises the loader's ``InputError`` on
    bad input, with file, line and column, before anything runs."""
    scenario = load_scenario(name_or_path)
    result = run_scenario(setup_part(scenario) if setup_only else scenario)
    summary = _summary(scenario, result, setup_only=setup_only)
    return ServedScenario(result.run.devnet, f"{summary} ({find_scenario(name_or_path)})")
