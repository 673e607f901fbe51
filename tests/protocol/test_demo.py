"""The first end-to-end session: every phase on arbitrum, a checkpoint on l1, COR conserved."""

from __future__ import annotations

import pytest

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.protocol.demo import SLASH, DemoReport, run_demo
from cortensor_sim.protocol.inference import Verdict


@pytest.fixture(scope="module")
def demo() -> tuple[Devnet, DemoReport]:
    devnet = Devnet()
    return devnet, run_demo(devnet)


def test_cor_adds_up_to_the_supply_before_and_after(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    assert report.conserved
    assert sum(report.balances_after.values()) == report.total_supply == 10**9 * 10**18


def test_every_phase_runs_on_the_session_chain(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    actions = [s.action.split()[0] for s in report.steps if s.chain == "arbitrum"]
    for phase in ("assignTask", "ack", "precommit", "commit", "endAck", "endPrecommit", "endCommit", "end"):
        assert phase in actions, phase
    order = [actions.index(p) for p in ("assignTask", "ack", "precommit", "commit", "end", "finalize")]
    assert order == sorted(order)
    assert all(s.gas_used > 21_000 for s in report.steps)
    blocks = [s.block for s in report.steps if s.chain == "arbitrum"]
    assert blocks == sorted(blocks)


def test_the_dishonest_result_is_invalid_slashed_and_unpaid(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    invalid = [(o.task_id, m) for o in report.outcomes for m, v in o.verdicts.items() if v == Verdict.INVALID]
    assert len(invalid) == 1
    (task_id, cheat) = invalid[0]
    assert task_id == report.outcomes[1].task_id
    honest = [m for m in report.outcomes[0].verdicts if m != cheat]
    # 1 COR per valid result: honest miners earn 3, the cheat 2; its stake pays the slash.
    assert all(report.balances_after[m] - report.balances_before[m] == 3 * 10**18 for m in honest)
    assert report.balances_after[cheat] - report.balances_before[cheat] == 2 * 10**18
    pool = "NodePool (stakes)"
    assert report.balances_before[pool] - report.balances_after[pool] == SLASH
    assert report.balances_after["admin"] - report.balances_before["admin"] == SLASH  # the treasury


def test_the_user_pays_only_for_valid_results_and_gets_the_rest_back(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    valid = sum(v == Verdict.VALID for o in report.outcomes for v in o.verdicts.values())
    assert report.balances_before["user0"] - report.balances_after["user0"] == valid * 10**18
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
    assert first.balances_after == second.balances_after
