"""``cortensor-sim demo`` on the actors: every phase on arbitrum, a checkpoint on l1, COR conserved."""

from __future__ import annotations

import pytest

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.protocol.actors import Verdict
from cortensor_sim.protocol.demo import CHEAT, SLASH, DemoReport, run_demo

PRICE = 10**18
"""SessionPayment's default price per miner per task: 1 COR."""


@pytest.fixture(scope="module")
def demo() -> tuple[Devnet, DemoReport]:
    devnet = Devnet()
    return devnet, run_demo(devnet)


def test_cor_adds_up_to_the_supply_before_and_after(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    assert report.conserved
    assert sum(report.balances_after.values()) == report.total_supply == 10**9 * 10**18


def test_every_phase_runs_on_the_session_chain_in_order(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    actions = [s.action for s in report.steps if s.chain == "arbitrum"]
    for phase in ("assignTask", "ack", "precommit", "commit", "endAck", "endPrecommit", "endCommit", "end"):
        assert phase in actions, phase
    order = [
        actions.index(p) for p in ("submit", "assignTask", "ack", "precommit", "commit", "end", "finalize")
    ]
    assert order == sorted(order)
    assert all(s.gas_used > 21_000 for s in report.steps)
    blocks = [s.block for s in report.steps if s.chain == "arbitrum"]
    assert blocks == sorted(blocks)
    by_actor = {s.actor for s in report.steps}
    assert {"router", "oracle", "validator", "user0", "miner0"} <= by_actor


def test_made_up_results_are_invalid_slashed_and_unpaid(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    invalid = [(o.task_id, m) for o in report.outcomes for m, v in o.verdicts.items() if v == Verdict.INVALID]
    assert invalid and {m for _, m in invalid} == {f"miner{CHEAT}"}
    pool = "NodePool (stakes)"
    assert report.balances_before[pool] - report.balances_after[pool] == SLASH * len(invalid)
    assert report.balances_after["admin"] - report.balances_before["admin"] == SLASH * len(
        invalid
    )  # treasury
    for miner in (f"miner{i}" for i in range(4)):
        valid = sum(o.verdicts.get(miner) == Verdict.VALID for o in report.outcomes)
        assert report.balances_after[miner] - report.balances_before[miner] == valid * PRICE


def test_the_user_pays_only_for_valid_results_and_gets_the_rest_back(demo: tuple[Devnet, DemoReport]) -> None:
    """Before the tasks the user's bond and deposit sit in SessionPayment; after the session is
    closed all of it is back with the user but what the valid results earned."""
    _, report = demo
    valid = sum(v == Verdict.VALID for o in report.outcomes for v in o.verdicts.values())
    held = report.balances_before["SessionPayment"] + report.balances_before["user0"]
    assert report.balances_after["user0"] == held - valid * PRICE
    assert report.balances_after["SessionPayment"] == 0


def test_the_checkpoint_lands_on_l1(demo: tuple[Devnet, DemoReport]) -> None:
    devnet, report = demo
    (step,) = [s for s in report.steps if s.action == "postCheckpoint"]
    assert step.chain == "l1" and step.block == report.checkpoint_block
    l1 = devnet.evm("l1")
    receipt = l1.w3.eth.get_transaction_receipt(step.tx_hash)
    registry = l1.w3.eth.contract(address=receipt["to"], abi=load_artifact("CheckpointRegistry").abi)
    arbitrum = devnet.evm("arbitrum")
    block_number, session_root, result_root, _posted_at, poster = registry.functions.latestCheckpoint(
        arbitrum.chain_id
    ).call()
    last_session_block = max(s.block for s in report.steps if s.chain == "arbitrum")
    assert block_number == last_session_block
    assert session_root != b"\x00" * 32 and result_root != b"\x00" * 32
    assert poster == arbitrum.accounts[0].address


def test_the_demo_is_deterministic() -> None:
    first, second = run_demo(Devnet()), run_demo(Devnet())
    assert [(s.action, s.block, s.gas_used, s.tx_hash) for s in first.steps] == [
        (s.action, s.block, s.gas_used, s.tx_hash) for s in second.steps
    ]
