"""`run`, `validate`, `list`, `init`, `schema` and `--version`: every command and every exit code."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app

runner = CliRunner()

SMALL = """\
name: small
seed: 3
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
actors: {users: 1, miners: 3}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 500 COR}
  - {do: advance, by: 90s}
expectations:
  - {expect: balance, of: user0, equals: 500 COR}
  - {expect: event, contract: CORToken, event: Transfer, at_least: 1}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_run_passes_and_writes_json_and_junit(tmp_path: Path) -> None:
    scenario = write(tmp_path, SMALL)
    report, junit = tmp_path / "report.json", tmp_path / "report.xml"
    result = runner.invoke(app, ["run", str(scenario), "--json", str(report), "--junit", str(junit)])
    assert result.exit_code == 0, result.output
    assert "all expectations held" in result.output
    data = json.loads(report.read_text())
    assert data["scenario"] == "small" and data["passed"] is True
    assert data["trace_hash"] in result.output.replace("\n", "")
    assert [e["passed"] for e in data["expectations"]] == [True, True, True]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "3" and suite.get("failures") == "0"
    assert len(suite.findall("testcase")) == 3


def test_a_failed_expectation_exits_1_and_junit_marks_it(tmp_path: Path) -> None:
    scenario = write(tmp_path, SMALL.replace("equals: 500 COR", "equals: 501 COR"))
    junit = tmp_path / "report.xml"
    result = runner.invoke(app, ["run", str(scenario), "--junit", str(junit)])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output and "500 COR" in result.output
    failures = ET.parse(junit).getroot().findall(".//failure")
    assert len(failures) == 1
    assert "observed: 500 COR" in (failures[0].get("message") or "")


def test_a_reverting_step_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    text = SMALL.replace("amount: 500 COR", "amount: 2000000000 COR").replace(
        "equals: 500 COR", "equals: 0 COR"
    )
    result = runner.invoke(app, ["run", str(write(tmp_path, text))])
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output


def test_run_dumps_the_devnet(tmp_path: Path) -> None:
    state = tmp_path / "end.devnet.json.gz"
    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), "--dump", str(state)])
    assert result.exit_code == 0, result.output
    loaded = runner.invoke(app, ["devnet", "--state", str(state)])
    assert loaded.exit_code == 0, loaded.output
    # 90 s advanced, after 1 s in which fund's deposit from l1 landed on arbitrum
    assert "91 s after genesis" in loaded.output


def test_run_with_another_seed_changes_the_trace(tmp_path: Path) -> None:
    scenario = str(write(tmp_path, SMALL))
    hashes = []
    for args in ([], ["--seed", "3"], ["--seed", "4"]):
        result = runner.invoke(app, ["run", scenario, *args, "--json", str(tmp_path / "r.json")])
        assert result.exit_code == 0, result.output
        hashes.append(json.loads((tmp_path / "r.json").read_text())["trace_hash"])
    assert hashes[0] == hashes[1] != hashes[2]


@pytest.mark.parametrize("option", ["--json", "--junit", "--dump"])
def test_run_refuses_an_unwritable_report_before_running(tmp_path: Path, option: str) -> None:
    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), option, str(tmp_path / "no" / "r")])
    assert result.exit_code == 2
    assert "is not a directory" in result.output


def test_run_refuses_a_negative_seed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), "--seed", "-1"])
    assert result.exit_code == 2


def test_validate_accepts_and_names_what_it_checked(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path, SMALL))])
    assert result.exit_code == 0, result.output
    assert "valid scenario 'small': 3 steps, 2 expectations, chains l1, arbitrum" in result.output.replace(
        "\n", " "
    )


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("amount: 500 COR", "amount: 500 DOGE"), ":10:37: timeline[1].amount: unknown unit 'DOGE'"),
        (("amount: 500 COR", "amount: 1 ether"), ":10:37: timeline[1].amount: expected an amount of COR"),
        (("to: [user0]", "to: [user7]"), ":10:21: timeline[1].to[0]: unknown actor 'user7'"),
        (("by: 90s", "by: forever"), ":11:23: timeline[2].by: expected a duration"),
        (("do: advance", "do: warp"), ":11:5: timeline[2]: Input tag 'warp'"),
        (("  - do: deploy\n", ""), ":9:5: timeline[0].chain: the protocol is not deployed on 'arbitrum' yet"),
        (("of: user0", "of: nobody"), ":13:27: expectations[0].of: unknown actor or contract 'nobody'"),
        (("seed: 3", "seed: true"), ":2:7: seed:"),
        (("name: small", "name: Small Scenario"), ":1:7: name: String should match pattern"),
        (
            ("actors: {users: 1, miners: 3}", "actors: {users: 1, miners: 30}"),
            ":7:9: actors: 1 users and 30 miners",
        ),
    ],
)
def test_validate_points_at_file_line_column_and_field(
    tmp_path: Path, edit: tuple[str, str], where: str
) -> None:
    scenario = write(tmp_path, SMALL.replace(*edit))
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2, result.output
    assert f"{scenario}{where}" in result.output.replace("\n", ""), result.output


def test_validate_an_unknown_topology_name(tmp_path: Path) -> None:
    text = SMALL.split("topology:")[0] + "topology: mainnet\ntimeline: [{do: advance, by: 1s}]\n"
    result = runner.invoke(app, ["validate", str(write(tmp_path, text))])
    assert result.exit_code == 2
    assert "unknown topology 'mainnet'" in result.output and "two-orbits" in result.output


def test_list_shows_every_bundled_scenario() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    bundled = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))
    assert "default" in bundled
    for name in bundled:
        assert name in result.output


def test_init_writes_a_starter_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# A cortensor-sim scenario")
    checked = runner.invoke(app, ["validate", str(target)])
    assert checked.exit_code == 0, checked.output
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2 and "--force" in again.output


def test_schema_is_json_schema_listing_every_step_kind(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    steps = schema["properties"]["timeline"]["items"]
    assert set(steps["discriminator"]["mapping"]) >= {"deploy", "advance", "run_tasks", "checkpoint"}
    out = tmp_path / "s.json"
    assert runner.invoke(app, ["schema", "--output", str(out)]).exit_code == 0
    assert json.loads(out.read_text()) == schema


def test_version() -> None:
    from cortensor_sim import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"cortensor-sim {__version__}"


@pytest.mark.parametrize("command", ["run", "validate", "list", "init", "schema", "devnet", "demo"])
def test_help_shows_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: cortensor-sim" in result.output


def test_validate_refuses_protocol_on_an_interval_mined_chain(tmp_path: Path) -> None:
    text = SMALL.replace("block_time: 0.25}", "block_time: 0.25, mining: interval}")
    scenario = write(tmp_path, text)
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert f"{scenario}:9:5: timeline[0].chain: 'arbitrum' mines on an interval" in result.output.replace(
        "\n", ""
    )


def test_validate_refuses_a_checkpoint_to_an_interval_mined_chain(tmp_path: Path) -> None:
    text = SMALL.replace("block_time: 12}", "block_time: 12, mining: interval}").replace(
        "  - {do: advance, by: 90s}\n",
        "  - {do: open_session, name: s1}\n  - {do: checkpoint, session: s1, to: l1}\n",
    )
    result = runner.invoke(app, ["validate", str(write(tmp_path, text))])
    assert result.exit_code == 2
    assert (
        "timeline[3].to: 'l1' mines on an interval; a checkpoint needs `mining: auto`"
        in result.output.replace("\n", "")
    )


def test_a_reverting_step_names_the_custom_error(tmp_path: Path) -> None:
    text = SMALL.replace("  - {do: advance, by: 90s}\n", "  - {do: register_nodes, stake: 10 COR}\n")
    text = text.replace("to: [user0], amount: 500 COR", "to: [miners], amount: 10 COR")
    junit = tmp_path / "r.xml"
    result = runner.invoke(app, ["run", str(write(tmp_path, text)), "--junit", str(junit)])
    assert result.exit_code == 1, result.output
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert (
        "miner0 could not addNode on arbitrum: reverted with StakeOutOfRange(10000000000000000000, "
        in message
    )


def test_an_inline_topology_error_points_into_the_topology(tmp_path: Path) -> None:
    scenario = write(tmp_path, SMALL.replace("block_time: 0.25}", "block_time: -1}"))
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert f"{scenario}:6:79: topology.chains[1].block_time: must be positive" in result.output.replace(
        "\n", ""
    )


def test_a_topology_file_beside_the_scenario_is_read_and_checked(tmp_path: Path) -> None:
    topology = SMALL.split("topology:\n")[1].split("actors:")[0]
    (tmp_path / "net.yaml").write_text(topology.replace("    - ", "  - ").replace("  chains:", "chains:"))
    scenario = write(
        tmp_path, SMALL.split("topology:")[0] + "topology: net.yaml\n" + "actors:" + SMALL.split("actors:")[1]
    )
    assert runner.invoke(app, ["validate", str(scenario)]).exit_code == 0
    (tmp_path / "net.yaml").write_text("chains: []\n")
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'net.yaml'}:1:9: chains: Tuple should have at least 1 item" in result.output.replace(
        "\n", ""
    )


def test_eth_balances_need_no_protocol(tmp_path: Path) -> None:
    text = SMALL.split("timeline:")[0] + (
        "timeline:\n  - {do: advance, by: 1m}\n"
        "expectations:\n"
        "  - {expect: balance, of: user0, chain: l1, equals: 10000 ether}\n"
        "  - {expect: balance, of: miner2, equals: 10000 ether}\n"
        "  - {expect: balance, of: NodePool, at_least: 1 wei}\n"
    )
    result = runner.invoke(app, ["run", str(write(tmp_path, text)), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 1, result.output
    observed = [
        (e["passed"], e["observed"]) for e in json.loads((tmp_path / "r.json").read_text())["expectations"]
    ]
    assert observed[1:] == [
        (True, "10000 ETH"),
        (True, "10000 ETH"),
        (False, "NodePool is not deployed on arbitrum"),
    ]


def test_advancing_past_year_9999_fails_the_step_cleanly(tmp_path: Path) -> None:
    text = SMALL.replace("topology:\n", "topology:\n  genesis_time: 253402300000\n").replace(
        "by: 90s", "by: 7d"
    )
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["run", str(write(tmp_path, text)), "--json", str(report)])
    assert result.exit_code == 1, result.output
    failed = json.loads(report.read_text())["steps"][-1]
    assert failed["step"] == "advance 604800 s"
    assert "the clock would pass 9999-12-31" in failed["error"]


def test_a_second_checkpoint_of_the_same_block_is_refused_by_the_registry(tmp_path: Path) -> None:
    text = SMALL.replace(
        "  - {do: advance, by: 90s}\n",
        "  - {do: fund, to: [miners], amount: 6000 COR}\n  - do: register_nodes\n"
        "  - {do: open_session, name: s1}\n"
        "  - {do: checkpoint, session: s1, to: l1}\n  - {do: checkpoint, session: s1, to: l1}\n",
    )
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["run", str(write(tmp_path, text)), "--json", str(report)])
    assert result.exit_code == 1, result.output
    failed = json.loads(report.read_text())["steps"][-1]
    assert failed["step"] == "checkpoint(session=s1, to=l1)"
    assert failed["error"].startswith("admin could not postCheckpoint on l1: reverted with ")
