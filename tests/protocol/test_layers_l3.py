"""Checkpoints from both session layers: a session on the l3 goes l3 -> arbitrum -> l1 (the l3's
Outbox executes CheckpointForwarder on arbitrum, arbitrum's Outbox executes CheckpointRegistry on
l1), a session on arbitrum goes straight to l1; each checkpoint on l1 matches its chain's roots."""

from __future__ import annotations

import pytest

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.protocol.funding import deploy_network
from cortensor_sim.protocol.inference import Verdict
from cortensor_sim.protocol.layers import CrossLayer
from cortensor_sim.protocol.network import COR, NODE_STAKE, CortensorNetwork


def _one_task(devnet: Devnet, net: CortensorNetwork, answer: str) -> tuple[int, list[int]]:
    """Three miners staked on ``net``'s chain give one task the same ``answer``; all VALID."""
    for miner in net.actors.miners:
        net.fund(miner, NODE_STAKE)
        net.add_node(miner)
    user = net.actors.users[0]
    net.fund(user, 1_000 * COR)
    session_id = net.open_session(user, redundancy=3, deposit=100 * COR)
    miners = net.session_miners(session_id)
    task_id = net.next_task_id(session_id)
    net.submit(user, session_id, "Name a prime number.", task_id)
    devnet.advance(1)
    net.assign(session_id, [task_id], miners)
    net.ack(session_id, [task_id], miners)
    net.end_phase("ack", session_id, [task_id])
    answers = {task_id: dict.fromkeys(miners, answer)}
    net.precommit(session_id, answers)
    net.end_phase("precommit", session_id, [task_id])
    net.commit(session_id, answers)
    net.end_phase("commit", session_id, [task_id])
    net.end_phase("end", session_id, [task_id])
    net.validate(session_id, {task_id: dict.fromkeys(miners, Verdict.VALID)})
    return session_id, [task_id]


@pytest.mark.slow
def test_checkpoints_on_l1_match_the_roots_on_arbitrum_and_l3() -> None:
    devnet = Devnet()
    arb_net = deploy_network(devnet, "arbitrum", miners=3)
    l3_net = deploy_network(devnet, "l3", miners=3)
    layers = CrossLayer.deploy(devnet, arb_net)
    layers.add_l3(l3_net)
    assert layers.l3 is not None
    registry = layers.contracts.registry.functions

    l3_session, l3_tasks = _one_task(devnet, l3_net, "7")
    records = layers.checkpoint_l3_to_l1(l3_session, l3_tasks)
    assert [r.route for r in records] == ["l3 -> arbitrum", "arbitrum -> l1"]
    assert all(r.status == MessageStatus.RELAYED for r in records)
    assert records[1].legs["sent"].tx_hash == records[0].legs["relayed"].tx_hash
    assert records[1].detail["caller"] == layers.l3.forwarder.address

    arb_session, arb_tasks = _one_task(devnet, arb_net, "11")
    (record,) = layers.checkpoint_to_l1(arb_session, arb_tasks)
    assert record.status == MessageStatus.RELAYED

    for chain, checkpointer, session, tasks in (
        ("l3", layers.l3.checkpointer, l3_session, l3_tasks),
        ("arbitrum", layers.contracts.checkpointer, arb_session, arb_tasks),
    ):
        chain_id = devnet.evm(chain).chain_id
        stored = registry.latestCheckpoint(chain_id).call()
        assert registry.checkpointCount(chain_id).call() == 1
        assert (stored[1], stored[2]) == tuple(checkpointer.functions.roots(session, tasks).call())
    l3_stored = registry.latestCheckpoint(devnet.evm("l3").chain_id).call()
    arb_stored = registry.latestCheckpoint(devnet.evm("arbitrum").chain_id).call()
    assert l3_stored[2] != arb_stored[2]  # different answers, different result roots
    assert l3_stored[4] == layers.l3.forwarder.address  # the route's Outbox sender on arbitrum
