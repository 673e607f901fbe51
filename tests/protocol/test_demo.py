"""``cortensor-sim demo`` on every layer: each chain holds the state its part leaves behind (read
from the chains, not from the printed tables)."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from cortensor_sim import Devnet
from cortensor_sim.bridge.wormhole.custody import to_spl
from cortensor_sim.protocol.actors import NODE_STAKE, Verdict
from cortensor_sim.protocol.actors.population import node_id
from cortensor_sim.protocol.demo import (
    CHEAT,
    L3_CHEAT,
    L3_MINERS,
    MIX,
    PRIVATE_PROMPTS,
    SLASH,
    DemoReport,
    run_demo,
)
from cortensor_sim.protocol.onboarding import guardian_bridge
from cortensor_sim.protocol.privacy.leaks import find_leaks
from cortensor_sim.protocol.privacy.sessions import RESULT_PREFIX

TASK_COMPLETED, NODE_ABSENT = 4, 0
L1_MINERS = [f"miner{i}" for i, kind in MIX.items() if kind == "l1_stake"]
(SOLANA_MINER,) = [f"miner{i}" for i, kind in MIX.items() if kind == "solana"]


@pytest.fixture(scope="module")
def demo() -> tuple[Devnet, DemoReport]:
    devnet = Devnet()
    return devnet, run_demo(devnet)


def _address(report: DemoReport, name: str) -> str:
    return report.population.chain.w3.to_checksum_address(report.population.signers[name].hex_address)


def test_the_solana_miners_stake_came_from_l1_and_left_no_spl_cor(demo: tuple[Devnet, DemoReport]) -> None:
    devnet, report = demo
    bridge = guardian_bridge(devnet, "arbitrum")
    assert bridge.cor is not None
    # The stake went l1 -> arbitrum (locked) -> Solana (SPL COR) -> the node key (burned, unlocked):
    # what the token bridge holds is exactly what is minted on Solana or on its way.
    assert bridge.locked() == bridge.minted() + bridge.in_flight() + bridge.stranded()
    assert to_spl(NODE_STAKE)[0] > 0
    node = _address(report, SOLANA_MINER)  # the node key derived from its Solana secret
    pool = report.population.contracts.node_pool.functions
    _, address, status, stake, *_ = pool.getNode(pool.getNodeId(node).call()).call()
    assert (address, stake) == (node, NODE_STAKE) and status != NODE_ABSENT


def test_base_sent_the_registrations_of_the_l1_miners(demo: tuple[Devnet, DemoReport]) -> None:
    devnet, report = demo
    layers = report.onboarding.layers
    assert layers is not None
    base = devnet.evm("base")
    sent = layers.contracts.onboarding.events.RegistrationSent().get_logs(from_block=0)
    assert sorted(log["args"]["operator"] for log in sent) == sorted(_address(report, m) for m in L1_MINERS)
    assert all(base.w3.eth.get_transaction_receipt(log["transactionHash"])["status"] == 1 for log in sent)


def test_l1_holds_the_bonds_minus_the_slashes_of_invalid_results(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    layers = report.onboarding.layers
    assert layers is not None
    invalid = sum(o.verdicts.get(f"miner{CHEAT}") == Verdict.INVALID for o in report.outcomes)
    assert invalid == sum(f"miner{CHEAT}" in o.verdicts for o in report.outcomes) > 0  # every answer
    for name in L1_MINERS:
        lost = SLASH * invalid if name == f"miner{CHEAT}" else 0
        assert layers.l1_bond(_address(report, name)) == NODE_STAKE - lost
        assert report.slashed_on_l1[name] == lost


def test_l1_holds_arbitrums_checkpoint_of_the_session(demo: tuple[Devnet, DemoReport]) -> None:
    devnet, report = demo
    layers = report.onboarding.layers
    assert layers is not None
    arbitrum = devnet.evm("arbitrum")
    checkpoint = layers.contracts.registry.functions.latestCheckpoint(arbitrum.chain_id).call()
    session_root, result_root = layers.contracts.checkpointer.functions.roots(
        report.session_id, report.task_ids
    ).call()
    assert (checkpoint[1], checkpoint[2]) == (session_root, result_root)
    assert checkpoint[4] == layers.contracts.checkpointer.address  # sent by arbitrum's checkpointer


def test_arbitrum_ran_the_session_with_the_l1_backed_nodes(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    population = report.population
    pool = population.contracts.node_pool.functions
    for name in L1_MINERS:
        assert pool.isL1Backed(node_id(population.signers[name].address)).call()
    view = population.handle.view
    tasks = [view.tasks[(report.session_id, t)] for t in report.task_ids]
    cheat = population.signers[f"miner{CHEAT}"].address
    assert len(tasks) == 3 and all(t.finalized and t.valid_count == 3 - (cheat in t.miners) for t in tasks)
    # The session holds 4 of the 5 nodes (redundancy 3 and a spare), NodePool picking which: an
    # l1-backed node serves in it, every honest node that served was paid, the cheat never.
    served = {m for t in tasks for m in t.miners}
    l1_backed = {population.signers[name].address for name in L1_MINERS}
    assert served & l1_backed
    assert all(view.earned.get(m, 0) > 0 for m in served - {cheat}) and cheat not in view.earned


def test_the_actors_ran_a_private_session_on_l3_with_sealed_payloads_only(
    demo: tuple[Devnet, DemoReport],
) -> None:
    devnet, report = demo
    private = report.private_population
    assert private.chain.name == "l3" and len(report.private_tasks) == len(PRIVATE_PROMPTS)
    view = private.handle.view
    assert view.sessions[report.private_session].private
    liar = private.signers[f"miner{L3_CHEAT}"].address
    for task_id in report.private_tasks:
        task = view.tasks[(report.private_session, task_id)]
        assert task.finalized and task.valid_count == L3_MINERS - 1
        assert task.prompt.startswith(RESULT_PREFIX)  # the queue holds "private:0x<commitment>"
        results = private.handle.committed_results(task)
        assert results and all(r.startswith(RESULT_PREFIX) for r in results.values())
        ((_sealed, posted),) = private.handle.call("private_sessions", "getPrivateTask", *task.key)
        assert bytes(posted) not in {keccak(text=p) for p in PRIVATE_PROMPTS}  # salted commitments
    assert all(o.verdicts[f"miner{L3_CHEAT}"] == Verdict.INVALID for o in report.private_outcomes)
    assert view.slashed[liar] == SLASH * len(PRIVATE_PROMPTS)
    assert report.leaks == [] and find_leaks(devnet, PRIVATE_PROMPTS) == []


def test_l1_holds_the_l3_checkpoint_forwarded_by_arbitrum(demo: tuple[Devnet, DemoReport]) -> None:
    devnet, report = demo
    layers = report.onboarding.layers
    assert layers is not None and layers.l3 is not None
    checkpoint = layers.contracts.registry.functions.latestCheckpoint(devnet.evm("l3").chain_id).call()
    roots = layers.l3.checkpointer.functions.roots(report.private_session, report.private_tasks).call()
    assert (checkpoint[1], checkpoint[2]) == tuple(roots)
    routes = [record.route for what, record in report.messages if what == "l3 checkpoint"]
    assert routes == ["l3 -> arbitrum", "arbitrum -> l1"]


def test_each_layer_reports_its_own_transactions(demo: tuple[Devnet, DemoReport]) -> None:
    _, report = demo
    for name in ("l1", "base", "arbitrum", "l3"):
        activity = report.layers[name]
        assert (
            activity.happened and activity.transactions > 0 and activity.gas > 21_000 * activity.transactions
        )
    assert report.layers["solana"].transactions >= 2  # the stake minted, then burned with its memo


@pytest.mark.slow
def test_the_demo_is_deterministic() -> None:
    first, second = run_demo(Devnet()), run_demo(Devnet())
    assert [(s.action, s.block, s.gas_used, s.tx_hash) for s in first.steps] == [
        (s.action, s.block, s.gas_used, s.tx_hash) for s in second.steps
    ]
