"""Cortensor across the layers on the default devnet: a node staked on l1 and registered from base
is assigned a task on arbitrum; its INVALID result is slashed on l1 through the Outbox (once: a
replay is refused by the Outbox); a
checkpoint of the session reaches l1's CheckpointRegistry and matches arbitrum's roots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.protocol.funding import deploy_network
from cortensor_sim.protocol.inference import Verdict
from cortensor_sim.protocol.layers import CrossLayer, LayerOperationFailed
from cortensor_sim.protocol.network import COR, NODE_STAKE, CortensorNetwork

SLASH = 100 * COR
FEE = 10 * COR
NODE_ADDED, NODE_EPHEMERAL = 1, 2


@pytest.fixture(scope="module")
def world() -> tuple[Devnet, CortensorNetwork, CrossLayer]:
    """The protocol on arbitrum (two miners staked there), the cross-layer contracts around it,
    and a third miner staked on l1 and registered from base."""
    devnet = Devnet()
    net = deploy_network(devnet, "arbitrum", miners=3)
    layers = CrossLayer.deploy(devnet, net, registration_fee=FEE)
    net.configure_validation(reward_points=10, penalty_points=20, slash_amount=SLASH)
    for miner in net.actors.miners[:2]:
        net.fund(miner, NODE_STAKE)
        net.add_node(miner)
    return devnet, net, layers


@pytest.fixture
def fresh(
    world: tuple[Devnet, CortensorNetwork, CrossLayer],
) -> Iterator[tuple[Devnet, CortensorNetwork, CrossLayer]]:
    devnet = world[0]
    mark = devnet.snapshot()
    yield world
    devnet.revert(mark)


def _onboard(layers: CrossLayer, miner: str) -> list[Any]:
    """Stake on l1, bring the fee's COR to base, register there: the stake and registration records."""
    layers.fund_on_l1(miner, NODE_STAKE + FEE)
    records = layers.stake_on_l1(miner, NODE_STAKE)
    (deposit,) = layers.cor_to_base(miner, FEE)
    assert deposit.route == "l1 -> base" and deposit.status == MessageStatus.RELAYED
    return records + layers.register_from_base(miner, [0])


TASK_FUNDS = 1_000 * COR
"""COR each task's user gets on arbitrum, from the admin's (the treasury's) COR on l1."""


def _run_task(devnet: Devnet, net: CortensorNetwork, wrong: str) -> tuple[int, list[int], list[str]]:
    """One session of redundancy 3 and one task, ``wrong``'s answer differing; validated."""
    user = net.actors.users[0]
    net.fund(user, TASK_FUNDS)  # a deposit from the admin's COR on l1 through arbitrum's gateway
    session_id = net.open_session(user, redundancy=3, deposit=100 * COR)
    miners = net.session_miners(session_id)
    task_id = net.next_task_id(session_id)
    net.submit(user, session_id, "What is the capital of France?", task_id)
    devnet.advance(1)
    net.assign(session_id, [task_id], miners)
    net.ack(session_id, [task_id], miners)
    net.end_phase("ack", session_id, [task_id])
    answers = {task_id: {m: ("Lorem ipsum" if m == wrong else "Paris") for m in miners}}
    net.precommit(session_id, answers)
    net.end_phase("precommit", session_id, [task_id])
    net.commit(session_id, answers)
    net.end_phase("commit", session_id, [task_id])
    net.end_phase("end", session_id, [task_id])
    verdicts = {task_id: {m: (Verdict.INVALID if m == wrong else Verdict.VALID) for m in miners}}
    net.validate(session_id, verdicts)
    return session_id, [task_id], miners


def test_a_node_staked_on_l1_and_registered_from_base_is_assigned_a_task_on_arbitrum_and_slashed_on_l1(
    fresh: tuple[Devnet, CortensorNetwork, CrossLayer],
) -> None:
    devnet, net, layers = fresh
    pool = net.contracts.node_pool.functions
    miner = net.actors.miners[2]
    records = _onboard(layers, miner)
    assert [r.route for r in records] == ["l1 -> arbitrum", "base -> l1", "l1 -> arbitrum"]
    assert all(r.status == MessageStatus.RELAYED for r in records)
    # the registration's second hop was sent by the very l1 transaction that relayed the first
    assert records[2].legs["sent"].tx_hash == records[1].legs["relayed"].tx_hash
    node_id = keccak(bytes.fromhex(miner[2:]))
    cor_base = layers.contracts.cor_base
    assert cor_base is not None  # the fee went to the treasury in COR on base; the miner has none left
    assert cor_base.functions.balanceOf(net.actors.admin).call() == FEE
    assert cor_base.functions.balanceOf(miner).call() == 0
    assert pool.getNodeStatus(miner).call() == NODE_ADDED
    assert pool.isL1Backed(node_id).call() and pool.stakeOf(node_id).call() == NODE_STAKE
    assert net.contracts.cor.functions.balanceOf(net.contracts.node_pool.address).call() == 2 * NODE_STAKE

    net.contracts.node_pool.functions.markEphemeral(node_id).transact({"from": net.actors.validator})
    assert pool.getNodeStatus(miner).call() == NODE_EPHEMERAL
    treasury = net.actors.admin
    l1_cor = layers.contracts.cor_l1.functions
    treasury_before = l1_cor.balanceOf(treasury).call() - TASK_FUNDS  # the task's user is funded from l1
    session_id, task_ids, miners = _run_task(devnet, net, wrong=miner)
    assert miner in miners  # the l1-backed node was picked and did the work
    assert pool.stakeOf(node_id).call() == NODE_STAKE - SLASH  # the mirror moves at once

    (slash,) = layers.deliver_slashes()
    assert slash.route == "arbitrum -> l1" and slash.status == MessageStatus.RELAYED
    assert slash.detail["caller"] == net.contracts.node_pool.address
    assert layers.l1_bond(miner) == NODE_STAKE - SLASH
    assert l1_cor.balanceOf(treasury).call() == treasury_before + SLASH
    _assert_the_outbox_refuses_a_replay(devnet, slash.legs["relayed"].tx_hash)
    assert layers.l1_bond(miner) == NODE_STAKE - SLASH
    # arbitrum's COR in NodePool is the two arbitrum-staked nodes', untouched by the l1 slash
    assert net.contracts.cor.functions.balanceOf(net.contracts.node_pool.address).call() == 2 * NODE_STAKE

    (checkpoint,) = layers.checkpoint_to_l1(session_id, task_ids)
    assert checkpoint.route == "arbitrum -> l1" and checkpoint.status == MessageStatus.RELAYED
    arb = devnet.evm("arbitrum")
    stored = layers.contracts.registry.functions.latestCheckpoint(arb.chain_id).call()
    on_arbitrum = layers.contracts.checkpointer.functions.roots(session_id, task_ids).call()
    assert (stored[1], stored[2]) == tuple(on_arbitrum)
    results = net.task_results(session_id, task_ids[0])
    expected_results = keccak(
        keccak(encode(["address[]", "string[]"], [list(results), list(results.values())]))
    )
    assert stored[2] == expected_results
    assert stored[1] == keccak(encode(["uint256", "uint256[]"], [session_id, task_ids]))
    assert stored[4] == layers.contracts.checkpointer.address  # the Outbox's l2ToL1Sender


def test_forged_cross_layer_calls_are_refused(fresh: tuple[Devnet, CortensorNetwork, CrossLayer]) -> None:
    _, net, layers = fresh
    stranger = net.actors.users[0]
    pool = net.contracts.node_pool.functions
    with pytest.raises(Exception, match=_selector("NotFromL1Contract(address,address)")):
        pool.recordL1Stake(stranger, NODE_STAKE).call({"from": stranger})
    with pytest.raises(Exception, match=_selector("NotFromL1Contract(address,address)")):
        pool.registerL1Node(stranger, [0], b"").call({"from": stranger})
    relay = layers.contracts.onboarding_relay.functions
    with pytest.raises(Exception, match=_selector("NotFromMessenger(address)")):
        relay.relayRegistration(stranger, [0], b"").call({"from": stranger})
    stake = layers.contracts.stake.functions
    with pytest.raises(Exception, match=_selector("NotFromBridge(address)")):
        stake.slash(stranger, 1, stranger).call({"from": stranger})
    registry = layers.contracts.registry.functions
    with pytest.raises(Exception, match=_selector("UnknownRoute(address,address)")):
        registry.receiveCheckpoint(412346, 1, b"\1" * 32, b"\2" * 32).call({"from": stranger})
    with pytest.raises(LayerOperationFailed, match=r"register by .* refused on base"):
        layers.register_from_base(stranger, [0])  # no COR on base for the fee


def test_a_registration_before_any_l1_stake_fails_on_arbitrum_and_says_so(
    fresh: tuple[Devnet, CortensorNetwork, CrossLayer],
) -> None:
    _, net, layers = fresh
    miner = net.actors.miners[2]
    layers.fund_on_l1(miner, FEE)
    layers.cor_to_base(miner, FEE)
    with pytest.raises(
        LayerOperationFailed, match=r"registration of .* ticket 0x[0-9a-f]{64} stays redeemable"
    ):
        layers.register_from_base(miner, [0])
    assert net.contracts.node_pool.functions.getNodeStatus(miner).call() == 0


def test_unbonding_on_l1_takes_the_node_out_of_the_pool_and_waits_the_period(
    fresh: tuple[Devnet, CortensorNetwork, CrossLayer],
) -> None:
    devnet, net, layers = fresh
    miner = net.actors.miners[2]
    _onboard(layers, miner)
    node_id = keccak(bytes.fromhex(miner[2:]))
    pool = net.contracts.node_pool.functions
    pool.markEphemeral(node_id).transact({"from": net.actors.validator})
    (record,) = layers.unbond_on_l1(miner, NODE_STAKE)
    assert record.status == MessageStatus.RELAYED
    assert pool.getNodeStatus(miner).call() == 5  # Unbonding: out of the pool
    assert node_id not in pool.ephemeralNodes().call()
    stake = layers.contracts.stake.functions
    with pytest.raises(Exception, match=_selector("UnbondingNotFinished(address,uint256)")):
        stake.withdraw().call({"from": miner})
    devnet.advance(7 * 24 * 3600)
    before = layers.contracts.cor_l1.functions.balanceOf(miner).call()
    stake.withdraw().transact({"from": miner})
    assert layers.contracts.cor_l1.functions.balanceOf(miner).call() == before + NODE_STAKE


def _assert_the_outbox_refuses_a_replay(devnet: Devnet, executed_tx: str) -> None:
    """Send the Outbox the very executeTransaction that delivered a message: AlreadySpent."""
    l1 = devnet.evm("l1")
    outbox = l1.w3.eth.contract(address=devnet.system_contracts("arbitrum")["Outbox"], abi=_abi("Outbox"))
    _, args = outbox.decode_function_input(l1.w3.eth.get_transaction(executed_tx)["input"])
    with pytest.raises(Exception, match=_selector("AlreadySpent(uint256)")):
        outbox.functions.executeTransaction(*args.values()).call({"from": l1.accounts[5].address})


def _selector(signature: str) -> str:
    return keccak(text=signature)[:4].hex()


def _abi(name: str) -> Any:
    return load_artifact(name).abi
