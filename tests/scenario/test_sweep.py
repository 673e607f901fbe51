"""Parameter sweeps: the grid, bad input, failed runs as rows, resume, replay, determinism and Ray.

The runs use a small one-chain scenario (the protocol on l1, three miners, two tasks) so that a
sweep of a few runs stays within seconds of CPU; the end-to-end comparisons are marked slow.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app
from cortensor_sim.scenario.sweep import (
    RESULTS_CSV,
    RESULTS_JSON,
    SUMMARY_HTML,
    Parameter,
    SweepError,
    grid,
    load_point,
    parse_parameter,
    run_sweep,
    with_field,
)

SCENARIO = """\
name: small
seed: 0
topology:
  seed: small
  genesis_time: 1767225600
  accounts: 10
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
parameters: {session_chain: l1, settlement_chain: l1, redundancy: 3, slash: 10 COR}
actors: {users: 1, miners: 3}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 1000 COR}
  - {do: fund, to: [miners], amount: 6000 COR}
  - do: register_nodes
  - {do: open_session, name: s1, user: user0}
  - {do: submit_tasks, session: s1, count: 2}
  - {do: run_tasks, session: s1}
expectations:
  - {expect: tasks, session: s1, state: completed, count: 2}
"""


@pytest.fixture
def scenario(tmp_path: Path) -> str:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO)
    return str(path)


def without_wall_time(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "wall_seconds"} for row in rows]


# ---------------------------------------------------------------------- the grid and bad input


def test_parameter_values_are_one_yaml_flow_sequence() -> None:
    assert parse_parameter("parameters.redundancy=1,2, 3").values == (1, 2, 3)
    assert parse_parameter("parameters.slash=0 COR,50 COR").values == ("0 COR", "50 COR")
    behaviours = parse_parameter("actors.behaviour={},{miner0: dishonest, miner1: dishonest}")
    assert behaviours.values == ({}, {"miner0": "dishonest", "miner1": "dishonest"})


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("parameters.redundancy", "expected NAME=V1,V2"),
        ("=1,2", "expected NAME=V1,V2"),
        ("parameters.redundancy=", "expected NAME=V1,V2"),
        ("parameters.redundancy=1,,2", "cannot read the values"),
        ("parameters.redundancy=1,~", "expected one or more values"),
        ("actors.behaviour={miner0: dishonest", "cannot read the values"),
    ],
)
def test_bad_parameter_text_says_what(text: str, said: str) -> None:
    with pytest.raises(SweepError, match=said):
        parse_parameter(text)


def test_grid_is_every_combination_times_every_seed_with_its_replay_command() -> None:
    specs = grid(
        "small.yaml",
        [Parameter("parameters.redundancy", (2, 3)), Parameter("parameters.slash", ("0 COR",))],
        [0, 1],
    )
    assert [(s.parameters["parameters.redundancy"], s.seed) for s in specs] == [
        (2, 0),
        (2, 1),
        (3, 0),
        (3, 1),
    ]
    assert specs[1].command == (
        "cortensor-sim run small.yaml --seed 1 --set parameters.redundancy=2 "
        "--set 'parameters.slash=\"0 COR\"'"
    )
    with pytest.raises(SweepError, match="named twice"):
        grid("small.yaml", [Parameter("a.b", (1,)), Parameter("a.b", (2,))], [0])


def test_with_field_creates_missing_mappings_and_indexes_lists() -> None:
    data = {"timeline": [{"do": "deploy"}, {"do": "advance", "by": 1}]}
    assert with_field(data, "parameters.redundancy", 2)["parameters"] == {"redundancy": 2}
    assert with_field(data, "timeline.1.by", 5)["timeline"][1]["by"] == 5
    assert data["timeline"][1]["by"] == 1  # the caller's data is left alone
    with pytest.raises(SweepError, match="expected an index below 2"):
        with_field(data, "timeline.7.by", 5)
    with pytest.raises(SweepError, match="holds a value"):
        with_field(data, "timeline.0.do.x", 5)


def test_load_point_sets_the_fields(scenario: str) -> None:
    point = load_point(scenario, {"parameters.redundancy": 2, "actors.behaviour.miner1": "colluding"})
    assert point.parameters.redundancy == 2
    assert point.actors.behaviour == {"miner1": "colluding"}


@pytest.mark.parametrize(
    ("param", "said"),
    [
        ("parameters.redundncy=2", "parameters.redundncy: no such field"),
        ("parameters.redundancy=two", "parameters.redundancy: Input should be a valid integer"),
        ("actors.behaviour.miner9=dishonest", "unknown miner 'miner9'"),
        ("actors.behaviour.miner0=sleepy", "actors.behaviour.miner0: Input should be"),
    ],
)
def test_sweep_cli_refuses_bad_names_and_values_before_running(
    scenario: str, tmp_path: Path, param: str, said: str
) -> None:
    outcome = CliRunner().invoke(
        app, ["sweep", scenario, "--param", param, "--seeds", "2", "--out", str(tmp_path / "out")]
    )
    assert outcome.exit_code == 2, outcome.output
    assert said in " ".join(outcome.output.split())
    assert not (tmp_path / "out").exists()


def test_sweep_cli_refuses_a_folder_with_results_unless_resuming(scenario: str, tmp_path: Path) -> None:
    (tmp_path / RESULTS_JSON).write_text("{}")
    args = ["sweep", scenario, "--param", "parameters.redundancy=2", "--out", str(tmp_path)]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 2
    assert "--resume continues it" in " ".join(outcome.output.split())


def test_ray_missing_or_unreachable_is_a_clear_error(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(SweepError, match=r"pip install 'cortensor-sim\[ray\]'"):
        run_sweep(scenario, {"parameters.redundancy": [2]}, 1, ray="auto")


# ---------------------------------------------------------------------- runs


def test_failed_run_is_a_row_the_others_finish_and_resume_skips_done_rows(
    scenario: str, tmp_path: Path
) -> None:
    out = tmp_path / "sweep"
    seen: list[int] = []
    rows = run_sweep(
        scenario,
        ["parameters.node_stake=6000 COR,1 COR"],
        1,
        workers=2,
        out=out,
        on_row=lambda row, done, total: seen.append(row["run"]),
    )
    assert sorted(seen) == [0, 1]
    good, bad = rows
    assert good["outcome"] == "passed" and good["error"] is None
    assert good["metrics"]["tasks_processed"] == 2 and good["metrics"]["wrong_answers_accepted"] == 0
    assert bad["outcome"] == "failed" and bad["trace_hash"]
    assert bad["error"].startswith("step 3 (register_nodes") and "miner0" in bad["error"]
    saved = json.loads((out / RESULTS_JSON).read_text())
    assert saved["rows"] == json.loads(json.dumps(list(rows)))
    assert (
        (out / RESULTS_CSV).read_text().splitlines()[0].startswith("run,seed,parameters.node_stake,outcome")
    )
    assert "Metrics against parameters.node_stake" in (out / SUMMARY_HTML).read_text()

    # Resume: nothing left to run; with the failed row taken out, only that run again.
    again = run_sweep(
        scenario,
        ["parameters.node_stake=6000 COR,1 COR"],
        1,
        out=out,
        resume=True,
        on_row=lambda *a: seen.append(-1),
    )
    assert sorted(seen) == [0, 1]  # no run again
    assert list(again) == json.loads(json.dumps(list(rows)))
    saved["rows"] = saved["rows"][:1]
    (out / RESULTS_JSON).write_text(json.dumps(saved))
    redone: list[int] = []
    resumed = run_sweep(
        scenario,
        ["parameters.node_stake=6000 COR,1 COR"],
        1,
        out=out,
        resume=True,
        on_row=lambda row, done, total: redone.append(row["run"]),
    )
    assert redone == [1]
    assert without_wall_time(list(resumed)) == without_wall_time(list(rows))

    # The failed row's command replays that run alone, to the same trace.
    report = tmp_path / "replay.json"
    replay = CliRunner().invoke(app, [*shlex.split(bad["command"])[1:], "--json", str(report)])
    assert replay.exit_code == 1, replay.output
    assert json.loads(report.read_text())["trace_hash"] == bad["trace_hash"]


@pytest.mark.slow
def test_same_grid_and_seeds_give_the_same_table_twice(scenario: str) -> None:
    grid_ = {"actors.dishonest_rate": [0.0, 0.6]}
    first = run_sweep(scenario, grid_, 2, workers=2)
    second = run_sweep(scenario, grid_, [0, 1], workers=1)
    assert without_wall_time(list(first)) == without_wall_time(list(second))
    assert len({row["trace_hash"] for row in first}) == 4  # every seed and rate is its own run
    assert all(row["outcome"] == "passed" for row in first)
    pandas = pytest.importorskip("pandas")
    frame = first.to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["actors.dishonest_rate"]) == [0.0, 0.0, 0.6, 0.6]


@pytest.mark.slow
def test_local_processes_and_a_local_ray_cluster_give_identical_rows(scenario: str, tmp_path: Path) -> None:
    """The same grid in local worker processes and on a local Ray cluster (``--ray local``, 2 CPUs
    here). Ray runs in its own process, as a user runs it, so that Ray's native core (which has
    aborted inside a long pytest session, std::bad_alloc, while the same sweep passes in a fresh
    process) can only fail this test, never end the session."""
    pytest.importorskip("ray", reason="ray is not installed (pip install 'cortensor-sim[ray]')")
    local = run_sweep(scenario, {"actors.behaviour.miner0": ["honest", "colluding"]}, 2, workers=2)
    out = tmp_path / "on-ray"
    command = [sys.executable, "-m", "cortensor_sim", "sweep", scenario, "--seeds", "2", "--ray", "local"]
    command += ["--param", "actors.behaviour.miner0=honest,colluding", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    on_ray = json.loads((out / "results.json").read_text())["rows"]
    assert without_wall_time(on_ray) == without_wall_time(list(local))
    assert [row["outcome"] for row in local] == ["passed"] * 4
