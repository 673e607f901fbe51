"""Scripted dishonest miners each make up their own answer, so two of them never outvote an honest
one; two colluding miners share one lie and do (the known limit of redundancy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cortensor_sim.protocol.inference import Verdict
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.record import task_outcomes
from cortensor_sim.scenario.runner import RunResult, run_scenario

SCENARIO = """\
name: two-of-three
seed: 5
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
parameters: {redundancy: 3, slash: 5 COR}
actors: {users: 1, miners: 3, behaviour: {miner1: BEHAVIOUR, miner2: BEHAVIOUR}}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 200 COR}
  - {do: fund, to: [miners], amount: 6000 COR}
  - do: register_nodes
  - {do: open_session, name: s1}
  - {do: submit_tasks, session: s1, count: 2}
  - {do: run_tasks, session: s1}
"""


def _run(tmp_path: Path, behaviour: str) -> RunResult:
    path = tmp_path / f"{behaviour}.yaml"
    path.write_text(SCENARIO.replace("BEHAVIOUR", behaviour))
    result = run_scenario(load_scenario(path))
    assert result.failed_step is None, result.failed_step
    return result


def _slashes(result: RunResult) -> int:
    return result.run.deployment().event_count("NodePool", "NodeSlashed")


@pytest.mark.parametrize("behaviour", ["dishonest", "malicious"])
def test_two_dishonest_of_three_do_not_win_the_task(tmp_path: Path, behaviour: str) -> None:
    result = _run(tmp_path, behaviour)
    verdicts = result.run.sessions["s1"].verdicts
    assert len(verdicts) == 2
    for by_miner in verdicts.values():
        assert by_miner == dict.fromkeys(("miner0", "miner1", "miner2"), Verdict.RETRY)
    assert [o.accepted for o in task_outcomes(result.run)] == ["none", "none"]
    assert _slashes(result) == 0  # inconclusive: nobody is slashed, the honest miner least of all


def test_two_colluding_of_three_win_the_task(tmp_path: Path) -> None:
    result = _run(tmp_path, "colluding")
    for by_miner in result.run.sessions["s1"].verdicts.values():
        assert by_miner == {"miner0": Verdict.INVALID, "miner1": Verdict.VALID, "miner2": Verdict.VALID}
    assert [o.accepted for o in task_outcomes(result.run)] == ["wrong", "wrong"]
    assert _slashes(result) == 2
