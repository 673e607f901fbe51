"""The Solana steps and expectations: the bundled solana-bridge scenario passes through the CLI, and
bad input (an amount SPL COR cannot hold, a topology without Solana, an unknown actor) is refused
with exit code 2 and the file's line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cortensor_sim.bridge.wormhole import WormholeStack
from cortensor_sim.interfaces.cli import app
from cortensor_sim.rollups.cor_token import COR_SUPPLY
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import run_scenario

runner = CliRunner()
COR = 10**18
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
  - {do: fund_solana_cor, to: [user0], amount: 10 COR}
  - {do: bridge_from_solana, actor: user0, amount: 4 COR}
  - {do: advance, by: 15s}
expectations:
  - {expect: solana_cor, of: user0, equals: 6 COR}
  - {expect: solana_cor, of: supply, equals: 6 COR}
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
        (("of: supply", "of: custody"), "SPL COR has no custody"),
    ],
    ids=["dust", "not-cor", "unknown-actor", "no-solana", "no-custody"],
)
def test_bad_solana_steps_are_refused_with_a_location(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, SMALL.replace(*edit))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    text = result.output.replace("\n", "")
    assert message in text and str(path) in text and "Traceback" not in text


SESSIONS = """\
name: solana-sessions-small
seed: 3
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
    - {name: solana, kind: solana, block_time: 0.4}
parameters: {session_chain: arbitrum}
actors: {users: 1, miners: 1}
timeline:
  - {do: deploy_solana_pool}
  - {do: fund_solana_cor, to: [miner0, user0], amount: 6000 COR}
  - {do: onboard_from_solana, actor: miner0, amount: 6000 COR}
  - {do: advance, by: 20s}
  - {do: open_session_from_solana, name: ask, user: user0, amount: 5 COR}
  - {do: unbond_to_solana, actor: miner0}
  - {do: release_stake_to_solana, actor: miner0}
expectations:
  - {expect: messages, route: solana -> arbitrum, status: relayed, at_least: 1}
  - {expect: solana_results, session: ask, count: 0}
"""


@pytest.mark.slow
def test_bundled_solana_sessions_scenario_passes() -> None:
    result = runner.invoke(app, ["run", str(SCENARIOS / "solana-sessions.yaml")])
    assert result.exit_code == 0, result.output
    assert "all expectations held" in result.output


def test_solana_routes_are_accepted_by_the_messages_expectation(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_write(tmp_path, SESSIONS))])
    assert result.exit_code == 0, result.output
    back = SESSIONS.replace("route: solana -> arbitrum", "route: arbitrum -> solana")
    assert runner.invoke(app, ["validate", str(_write(tmp_path, back))]).exit_code == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("route: solana -> arbitrum", "route: solana -> l1"),
         "no route solana -> l1: the guardian bridge joins solana and arbitrum"),
        (("  - {do: deploy_solana_pool}\n", ""), "the protocol is not deployed on 'arbitrum'"),
        (("  - {do: deploy_solana_pool}\n", "  - {do: deploy}\n  - {do: deploy_solana_pool}\n"),
         "already deployed"),
        (("{do: unbond_to_solana, actor: miner0}", "{do: unbond_to_solana, actor: user0}"),
         "unknown actor 'user0'"),
        (("session: ask, count: 0", "session: asked, count: 0"), "unknown session 'asked'"),
        (("name: ask, user: user0, amount: 5 COR", "name: ask, user: user0, amount: 5 COR, redundancy: 0"),
         "greater than or equal to 1"),
    ],
    ids=["route", "no-pool", "deployed-twice", "not-a-miner", "unknown-session", "redundancy"],
)  # fmt: skip
def test_bad_solana_session_steps_are_refused_with_a_location(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, SESSIONS.replace(*edit))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    text = result.output.replace("\n", "")
    assert message in text and str(path) in text and "Traceback" not in text


def test_a_session_nobody_can_serve_fails_naming_the_contract_error(tmp_path: Path) -> None:
    """No miner can take tasks (the Solana miner is added, not ephemeral): SolanaSessions cannot
    reserve nodes and refuses the request, the step says why, and the COR goes back to Solana."""
    result = runner.invoke(app, ["run", str(_write(tmp_path, SESSIONS))])
    assert result.exit_code == 1, result.output
    text = result.output.replace("\n", " ").replace("│", " ")
    text = " ".join(text.split())
    assert "the bridge refused it and refunded its COR to Solana (arbitrum:wormhole:" in text
    assert "NotEnoughEphemeralNodes(1, 0)" in text
    assert "Traceback" not in text


def test_spl_cor_counts_in_l1s_supply_and_a_mint_without_a_lock_breaks_it(tmp_path: Path) -> None:
    """SPL COR is wrapped l1 COR: after the SMALL run l1's supply is every chain's COR plus SPL COR
    (the token bridge's lock is an escrow), and the Solana route balances; SPL COR minted by the
    bridge's authority with nothing locked for it breaks both sums, so the checks can fail."""
    result = run_scenario(load_scenario(_write(tmp_path, SMALL)))
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    run = result.run
    assert "solana" in run.bridging.cor_routes()
    locked, minted = run.bridging.locked_and_minted("solana")
    assert locked == minted == 6 * COR and run.bridging.in_flight("solana", "COR") == 0
    assert run.bridging.cor_across_chains() == (COR_SUPPLY, COR_SUPPLY)

    bridge = run.devnet.settlement.stacks["solana"]
    assert isinstance(bridge, WormholeStack) and bridge.cor is not None and bridge.solana is not None
    bridge.cor.release(bridge.solana.keypairs[9].pubkey(), 5 * 10**9)  # a mint no VAA asked for
    supply, counted = run.bridging.cor_across_chains()
    assert counted == supply + 5 * COR
    locked, minted = run.bridging.locked_and_minted("solana")
    assert minted == locked + 5 * COR
    run.check_invariants()
    assert run.invariant_failure is not None and "l1's COR supply" in run.invariant_failure
