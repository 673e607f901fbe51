"""The Solana steps and expectations: the bundled solana-bridge scenario passes through the CLI, and
bad input (an amount SPL COR cannot hold, a topology without Solana, an unknown actor) is refused
with exit code 2 and the file's line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app

runner = CliRunner()
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

SMALL = """\
name: solana-small
seed: 3
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
    - {name: solana, kind: solana, block_time: 0.4}
parameters: {session_chain: arbitrum}
actors: {users: 1, miners: 1}
timeline:
  - {do: issue_solana_cor, actor: user0, amount: 10 COR}
  - {do: bridge_from_solana, actor: user0, amount: 4 COR}
  - {do: advance, by: 15s}
expectations:
  - {expect: solana_cor, of: user0, equals: 6 COR}
  - {expect: solana_cor, of: custody, equals: 4 COR}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def test_bundled_solana_bridge_scenario_passes() -> None:
    result = runner.invoke(app, ["run", str(SCENARIOS / "solana-bridge.yaml")])
    assert result.exit_code == 0, result.output
    assert "all expectations held" in result.output


def test_a_failed_solana_expectation_exits_1(tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL.replace("equals: 6 COR", "equals: 7 COR"))
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 1, result.output
    assert "6 COR" in result.output


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("amount: 4 COR", "amount: 4.0000000001 COR"), "whole number of SPL COR units"),
        (("amount: 4 COR", "amount: 4 ether"), "moves COR"),
        (("actor: user0, amount: 4", "actor: user7, amount: 4"), "unknown actor 'user7'"),
        (("    - {name: solana, kind: solana, block_time: 0.4}\n", ""), "no Solana chain"),
    ],
    ids=["dust", "not-cor", "unknown-actor", "no-solana"],
)
def test_bad_solana_steps_are_refused_with_a_location(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, SMALL.replace(*edit))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    text = result.output.replace("\n", "")
    assert message in text and str(path) in text and "Traceback" not in text
