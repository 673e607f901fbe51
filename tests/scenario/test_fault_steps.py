"""The fault steps (``sequencer_outage``, ``pause``, ``resume``) and route latency bounds, driven
through the CLI as a user would, and refused with file:line:column when a chain, a role or a
duration is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app

runner = CliRunner()

HEAD = """\
name: faults
seed: 3
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
parameters: {session_chain: l1}
actors: {users: 1, miners: 1}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def run(tmp_path: Path, text: str) -> tuple[int, str, dict[str, object]]:
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["run", str(write(tmp_path, text)), "--json", str(report)])
    assert "Traceback" not in result.output
    data = json.loads(report.read_text()) if report.exists() else {}
    return result.exit_code, " ".join(result.output.split()), data


def test_a_deposit_waits_out_an_outage_and_a_withdrawal_waits_out_a_paused_relayer(tmp_path: Path) -> None:
    text = (
        HEAD
        + """\
timeline:
  - {do: bridge, from: l1, to: base, actor: user0, amount: 2 ether}
  - {do: advance, by: 12s}
  - {do: sequencer_outage, chain: base, for: 5m}
  - {do: bridge, from: l1, to: base, actor: user0, amount: 1 ether}
  - {do: advance, by: 6m}
  - {do: pause, role: relayer, rollup: base}
  - {do: withdraw_to_parent, from: base, actor: user0, amount: 1 ether}
  - {do: advance, by: 1h}
  - {do: resume, role: relayer, rollup: base}
  - {do: advance, by: 2m}
expectations:
  - {expect: messages, route: l1 -> base, status: relayed, count: 2}
  - {expect: latency, route: l1 -> base, percentile: 100, at_least: 4m, at_most: 6m}
  - {expect: messages, route: base -> l1, status: finalized, count: 1}
  - {expect: latency, route: base -> l1, at_least: 1h, at_most: 70m}
"""
    )
    code, output, data = run(tmp_path, text)
    assert code == 0, output
    observed = [e["observed"] for e in data["expectations"]]  # type: ignore[index]
    assert observed[1] == "2 relayed (2 relayed)"
    assert observed[3] == "1 finalized (1 relayed)"
    assert "base's sequencer down for 300 s" in output
    assert "pause the relayer of base" in output and "resume the relayer of base" in output


def test_a_step_sending_to_a_chain_whose_sequencer_is_down_fails_saying_so(tmp_path: Path) -> None:
    timeline = """\
timeline:
  - {do: deploy, chain: l1}
  - {do: fund, chain: l1, to: [user0], amount: 10 COR}
  - {do: sequencer_outage, chain: base, for: 1h}
  - {do: bridge, from: l1, to: base, actor: user0, amount: 10 COR}
"""
    code, output, data = run(tmp_path, HEAD + timeline)
    assert code == 1, output
    error = data["steps"][-1]["error"]  # type: ignore[index]
    assert "the sequencer of base is down until 2026-01-01T01:00:00Z (3600 s from now)" in error
    assert "messages sent on l1 still reach it" in error


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{do: sequencer_outage, chain: l1, for: 1h}", "timeline[0].chain: 'l1' is a root chain"),
        ("{do: sequencer_outage, chain: mars, for: 1h}", "timeline[0].chain: unknown chain 'mars'"),
        ("{do: sequencer_outage, chain: base}", "timeline[0].for: Field required"),
        ("{do: sequencer_outage, chain: base, for: -1m}", "timeline[0].for"),
        ("{do: pause, role: batcher, rollup: base}", "timeline[0].role: no batcher runs on 'base'"),
        ("{do: pause, role: janitor}", "timeline[0].role: Input should be"),
        ("{do: pause, role: relayer, rollup: l1}", "timeline[0].rollup: 'l1' is a root chain"),
        ("{do: resume, role: batcher, rollup: base}", "timeline[0].role: no batcher runs on 'base'"),
    ],
)
def test_bad_fault_steps_are_refused_with_where_and_why(tmp_path: Path, step: str, message: str) -> None:
    code, output, _ = run(tmp_path, HEAD + f"timeline:\n  - {step}\n")
    assert code == 2, output
    assert "scenario.yaml:" in output and message in output, output


def test_a_latency_bound_needs_one_subject_and_a_bound(tmp_path: Path) -> None:
    for expectation, message in [
        ("{expect: latency, route: l1 -> base}", "give at_most, at_least or both"),
        ("{expect: latency, at_most: 1m}", "give session (tasks) or route (messages)"),
        ("{expect: latency, route: l1 -> mars, at_most: 1m}", "unknown chain 'mars'"),
    ]:
        text = HEAD + f"timeline:\n  - {{do: advance, by: 1s}}\nexpectations:\n  - {expectation}\n"
        code, output, _ = run(tmp_path, text)
        assert code == 2, output
        assert message in output, output
