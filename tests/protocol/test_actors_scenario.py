"""The actors in a scenario: run_network, the crash_miner and backend_timeout faults, the network
expectation, and the metrics in the JSON report."""

from __future__ import annotations

from pathlib import Path

import pytest

from cortensor_sim.protocol.network import StepFailed
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.report import json_report
from cortensor_sim.scenario.runner import run_scenario
from cortensor_sim.scenario.source import InputError
from cortensor_sim.scenario.steps.network import population_of

TOPOLOGY = """
topology:
  accounts: 8
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
"""


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: actors-test\nseed: 3\n{TOPOLOGY}actors: {{users: 1, miners: 3}}\n{body}")
    return path


def test_a_crashed_miner_and_a_timed_out_backend_miss_results_and_the_run_goes_on(tmp_path: Path) -> None:
    path = _scenario(
        tmp_path,
        """
timeline:
  - {do: crash_miner, miner: miner0, for: 10m}
  - {do: backend_timeout, miner: miner1, for: 2m}
  - {do: run_network, tasks: 2}
expectations:
  - {expect: network, metric: tasks.completed, equals: 2}
  - {expect: network, metric: earnings_wei.miner0, equals: 0}
  - {expect: network, metric: backend_failures, at_least: 1}
  - {expect: network, metric: forced_phases, at_least: 1}
""",
    )
    result = run_scenario(load_scenario(path))
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    report = json_report(result)
    assert report["metrics"]["tasks"]["completed"] == 2
    assert set(report["metrics"]["latency_s"]) == {"p50", "p90", "p99"}


def test_a_crashed_miner_comes_back_after_its_span(tmp_path: Path) -> None:
    path = _scenario(
        tmp_path,
        """
timeline:
  - {do: crash_miner, miner: miner2, for: 5s}
  - {do: advance, by: 10s}
  - {do: run_network, tasks: 1}
expectations:
  - {expect: network, metric: earnings_wei.miner2, at_least: 1}
""",
    )
    assert run_scenario(load_scenario(path)).passed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("timeline: [{do: backend_timeout, miner: miner1}]", "backend_timeout needs `for:`"),
        ("timeline: [{do: crash_miner, miner: miner9}]", "unknown actor 'miner9'"),
        (
            "timeline: [{do: run_network}]\nexpectations: [{expect: network, metric: nope, at_least: 1}]",
            "unknown metric 'nope'",
        ),
        ("parameters: {backend: {kind: openai}}\ntimeline: [{do: run_network}]", "needs `url` and `model`"),
    ],
)
def test_bad_actor_steps_are_refused_with_where_and_why(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_scenario(_scenario(tmp_path, body))


def test_run_network_private_seals_the_sessions_and_no_plaintext_finds_none(tmp_path: Path) -> None:
    """Every request handed over at once: the router seals several prompts into one block."""
    path = _scenario(
        tmp_path,
        """
timeline:
  - {do: run_network, tasks: 3, every: 0s, private: true}
expectations:
  - {expect: network, metric: tasks.completed, equals: 3}
  - {expect: network, metric: actions.submitPrivate, equals: 3}
  - {expect: no_plaintext}
""",
    )
    result = run_scenario(load_scenario(path))
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    outcomes = {e.name.split(":")[0]: (e.passed, e.observed) for e in result.expectations}
    assert outcomes["no_plaintext"] == (True, "none of 12 plaintexts on 2 chains")
    # A later run_network cannot turn the built population's sessions clear.
    with pytest.raises(StepFailed, match="give `private:` on the first run_network step only"):
        population_of(result.run, None, False)
