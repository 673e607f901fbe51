"""The settlement steps and expectations: ``bridge``, ``withdraw_to_parent``, ``relay``, ``messages``,
COR balances on a bridged chain and the bridge supply invariant, driven through the CLI as a user
would, and refused with file:line:column when a chain, a route or an amount is wrong."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import run_scenario

runner = CliRunner()

TOPOLOGY = """\
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
"""

ROUND_TRIP = (
    "name: round-trip\nseed: 5\n"
    + TOPOLOGY
    + """\
parameters: {session_chain: l1}
actors: {users: 1, miners: 1}
timeline:
  - {do: deploy, chain: l1}
  - {do: fund, chain: l1, to: [user0], amount: 1000 COR}
  - {do: bridge, from: l1, to: base, actor: user0, amount: 400 COR}
  - {do: advance, by: 12s}
  - {do: withdraw_to_parent, from: base, actor: user0, amount: 150 COR}
  - {do: advance, by: 2m}
expectations:
  - {expect: messages, route: l1 -> base, status: relayed, count: 1}
  - {expect: messages, route: base -> l1, status: finalized, count: 1}
  - {expect: balance, of: user0, chain: base, equals: 250 COR}
  - {expect: balance, of: user0, chain: l1, equals: 750 COR}
"""
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def bad_input(tmp_path: Path, text: str) -> str:
    """Run ``text`` and return its one-line error, asserting exit code 2 and no traceback."""
    result = runner.invoke(app, ["run", str(write(tmp_path, text))])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_cor_crosses_to_base_and_back_through_the_standard_bridge(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["run", str(write(tmp_path, ROUND_TRIP)), "--json", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    assert [e["observed"] for e in data["expectations"][1:]] == [
        "1 relayed (1 relayed)",
        "1 finalized (1 relayed)",
        "250 COR",
        "750 COR",
    ]
    assert data["routes"] == {
        "base -> l1": {"bridged": {"COR": "150 COR"}, "messages": {"relayed": 1}, "in_flight": 0},
        "l1 -> base": {"bridged": {"COR": "400 COR"}, "messages": {"relayed": 1}, "in_flight": 0},
    }
    assert "cross-chain" in result.output


def test_the_bridge_invariant_counts_cor_in_flight_after_every_step(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, ROUND_TRIP))
    seen: list[tuple[int, int, int]] = []

    def after_step(index: int, total: int, step: object, run: object) -> None:
        bridging = run.bridging  # type: ignore[attr-defined]
        if "base" in bridging.cor_routes():
            locked, minted = bridging.locked_and_minted("base")
            seen.append((locked, minted, bridging.in_flight("base", "COR")))

    result = run_scenario(scenario, after_step=after_step)
    assert result.passed
    unit = 10**18
    assert seen == [
        (0, 0, 0),  # deploy on l1: base's COR is known from the start (a CREATE2 address), none yet
        (0, 0, 0),  # fund on l1
        (400 * unit, 0, 400 * unit),  # locked on l1, not yet minted on base
        (400 * unit, 400 * unit, 0),  # derived into base's next block
        (400 * unit, 250 * unit, 150 * unit),  # burned on base, still locked until finalized
        (250 * unit, 250 * unit, 0),  # finalized: released on l1
    ]
    # after each of 6 steps: l1's holders, l1's supply summed over chains, the l1 -> arbitrum
    # gateway route and the l1 -> base standard-bridge route (both COR known from the start)
    assert result.expectations[0].observed == "held at all 24 checks"
    # the first COR deposit creates base's COR through the factory, then approves and deposits
    assert [(t["chain"], t["action"]) for t in result.run.trace[2]["txs"]] == [
        ("base", "createOptimismMintableERC20"),
        ("l1", "approve"),
        ("l1", "bridgeERC20"),
    ]


def test_a_withdrawal_waits_for_relay_steps_in_step_mode(tmp_path: Path) -> None:
    text = (
        "name: step-mode\nseed: 1\n"
        + TOPOLOGY
        + """\
parameters: {session_chain: l1, settlement: step}
actors: {users: 1, miners: 1}
timeline:
  - {do: bridge, from: l1, to: base, actor: user0, amount: 2 ether}
  - {do: advance, by: 12s}
  - {do: withdraw_to_parent, from: base, actor: user0, amount: 1 ether}
  - {do: advance, by: 3m}
RELAYS
expectations:
  - {expect: messages, route: base -> l1, status: finalized, count: 1}
"""
    )
    waiting = run_scenario(load_scenario(write(tmp_path, text.replace("RELAYS\n", ""))))
    assert not waiting.passed
    assert waiting.expectations[1].observed == "0 finalized (1 sent)"
    relays = "  - do: relay\n  - {do: advance, by: 60s}\n" * 3
    relayed = run_scenario(load_scenario(write(tmp_path, text.replace("RELAYS\n", relays))))
    assert relayed.passed, relayed.expectations


def test_a_failed_messages_expectation_exits_1(tmp_path: Path) -> None:
    text = ROUND_TRIP.replace("status: finalized, count: 1", "status: finalized, count: 2")
    result = runner.invoke(app, ["run", str(write(tmp_path, text))])
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("to: base, actor", "to: mars, actor", ":13:", "unknown chain 'mars'"),
        ("from: l1, to: base", "from: base, to: l1", ":13:", "no route base -> l1: 'l1' is a root chain"),
        ("amount: 400 COR", "amount: 400", ":13:", "amount"),
        ("amount: 400 COR", "amount: 1 SOL", ":13:", "the standard bridge moves COR or ETH"),
        (
            "from: base, actor: user0",
            "from: l1, actor: user0",
            ":15:",
            "'l1' is a root chain: it has no parent",
        ),
        ("actor: user0, amount: 150", "actor: user7, amount: 150", ":15:", "unknown actor 'user7'"),
        ("route: l1 -> base", "route: base -> base", ":18:", "no route base -> base"),
        ("route: l1 -> base", "route: l1 to base", ":18:", "route"),
        ("chain: base, equals: 250", "chain: arbitrum, equals: 250", ":20:", "no COR on 'arbitrum'"),
    ],
)
def test_bad_settlement_input_is_refused_with_its_place(
    tmp_path: Path, old: str, new: str, where: str, message: str
) -> None:
    assert old in ROUND_TRIP
    line = bad_input(tmp_path, ROUND_TRIP.replace(old, new, 1))
    assert re.search(r"scenario\.yaml" + where + r"\d+", line), line
    assert message in line, line


def test_cor_cannot_be_bridged_before_it_exists(tmp_path: Path) -> None:
    no_cor = ROUND_TRIP.replace(
        "  - {do: deploy, chain: l1}\n  - {do: fund, chain: l1, to: [user0], amount: 1000 COR}\n", ""
    )
    assert "there is no COR on 'l1' yet" in bad_input(tmp_path, no_cor)


def test_relay_needs_a_rollup_with_a_settlement_engine(tmp_path: Path) -> None:
    text = """\
name: no-rollup
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
parameters: {session_chain: l1, settlement_chain: l1}
actors: {users: 1, miners: 1}
timeline:
  - do: relay
"""
    line = bad_input(tmp_path, text)
    assert re.search(r"scenario\.yaml:8:\d+", line) and "no rollup with a settlement engine" in line, line


CHALLENGE = (
    "name: challenge\nseed: 2\n"
    + TOPOLOGY
    + """\
parameters: {session_chain: l1}
actors: {users: 1, miners: 1}
timeline:
  - {do: bridge, from: l1, to: base, actor: user0, amount: 2 ether}
  - {do: advance, by: 12s}
FAULT
  - {do: withdraw_to_parent, from: base, actor: user0, amount: 1 ether}
  - {do: advance, by: 5m}
expectations:
  - {expect: disputes, chain: base, challenged: 1}
  - {expect: messages, route: base -> l1, status: finalized, count: 1}
"""
)


def test_an_invalid_output_root_is_challenged_and_the_withdrawal_still_finalizes(tmp_path: Path) -> None:
    faulty = CHALLENGE.replace("FAULT", "  - {do: challenge_output, chain: base}")
    result = runner.invoke(app, ["run", str(write(tmp_path, faulty))])
    assert result.exit_code == 0, result.output
    honest = run_scenario(load_scenario(write(tmp_path, CHALLENGE.replace("FAULT\n", ""))))
    disputes = honest.expectations[1]
    assert not disputes.passed and disputes.observed.startswith("0 of "), disputes
    assert honest.expectations[2].passed  # the withdrawal finalizes either way


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("{do: challenge_output, chain: l1}", "'l1' is a root chain"),
        ("{do: challenge_output, chain: arbitrum}", "use `do: invalid_assertion`"),
        ("{do: invalid_assertion, chain: base}", "use `do: challenge_output`"),
        ("{do: invalid_assertion, chain: l1}", "'l1' is a root chain"),
        ("{do: challenge_output}", "chain"),
    ],
)
def test_a_challenge_needs_a_settled_rollup(tmp_path: Path, fault: str, message: str) -> None:
    line = bad_input(tmp_path, CHALLENGE.replace("FAULT", f"  - {fault}"))
    assert re.search(r"scenario\.yaml:13:\d+", line) and message in line, line
