"""Sessions and unbonding from Solana: a user opens a session and submits tasks from Solana and gets
the results back there (Memo transactions) and its unspent COR refunded; a miner onboarded from
Solana unbonds and gets its stake back on Solana. Requests from the wrong account, replays and
results from an unregistered emitter are refused, by the contracts and by the engine; a request with
COR that the contracts refuse is refunded to Solana."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_utils import keccak
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from wormhole_helpers import conserved, fund_solana

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.records import MessageRecord
from cortensor_sim.bridge.wormhole import VAAVerificationError, WormholeStack
from cortensor_sim.bridge.wormhole.payloads import BridgeMemo
from cortensor_sim.bridge.wormhole.vaa import VAA, Body
from cortensor_sim.protocol.deployment import deploy_contract
from cortensor_sim.protocol.funding import fund_on_solana
from cortensor_sim.scenario.cortensor import Deployment, honest
from cortensor_sim.scenario.steps.solana import solana_node_key

UNIT = 10**9
COR = 10**18
STAKE = 6_000  # NodePool's minimum stake, in COR
USER, MINERS, SOLANA_MINER = 4, (5, 6, 7), 8
"""Actor indices: dev account i on arbitrum and dev keypair i on Solana belong to the same actor."""


@dataclass
class World:
    deployment: Deployment
    sessions: Contract
    onboarding: Contract


@pytest.fixture(scope="module")
def world(built: Devnet) -> World:
    """The protocol on arbitrum on l1's COR (what the token bridge locks), SolanaSessions and
    SolanaOnboarding beside it, and three miners that brought their stake from Solana and
    registered."""
    stack = built.settlement.stacks["solana"]
    assert isinstance(stack, WormholeStack) and stack.solana is not None and stack.cor is not None
    evm = built.evm("arbitrum")
    names = stack.system_contracts()
    messenger = bytes(Pubkey.from_string(names["SolanaMessenger"]))
    deployment = Deployment.deploy(
        built,
        "arbitrum",
        users=1,
        miners=3,
        validation={"reward_points": 1, "penalty_points": 1, "slash_amount": 0},
    )
    protocol = deployment.network.contracts
    assert protocol.cor.address == names["COR"]
    admin = evm.accounts[0].address
    sessions = deploy_contract(
        evm.w3,
        "SolanaSessions",
        names["WormholeTokenBridge"],
        messenger,
        protocol.session.address,
        protocol.payment.address,
        protocol.queue.address,
        protocol.validator.address,
        sender=admin,
    )
    onboarding = deploy_contract(
        evm.w3,
        "SolanaOnboarding",
        names["WormholeTokenBridge"],
        protocol.node_pool.address,
        messenger,
        sender=admin,
    )
    stack.accept_results_from(sessions.address)
    fund_on_solana(built, stack, {stack.solana.keypairs[index].pubkey(): STAKE * UNIT for index in MINERS})
    for index in MINERS:
        keypair = stack.solana.keypairs[index]
        stack.send_to_evm(keypair, STAKE * UNIT, evm.accounts[index].address)
    built.advance(20)
    for name in ("miner0", "miner1", "miner2"):
        deployment.register_node(name, STAKE * COR)
    return World(deployment, sessions, onboarding)


def _keypair(bridge: WormholeStack, index: int) -> Keypair:
    assert bridge.solana is not None
    return bridge.solana.keypairs[index]


def _record(devnet: Devnet, signature: object) -> MessageRecord:
    [record] = [r for r in devnet.messages() if r.legs["sent"].tx_hash == str(signature)]
    return record


def _open(devnet: Devnet, bridge: WormholeStack, world: World, units: int, prompts: tuple[str, ...]) -> int:
    request = BridgeMemo(
        bridge.evm_chain_id,
        bytes.fromhex(world.sessions.address[2:]),
        kind="session",
        name="from-solana",
        redundancy=3,
        prompts=prompts,
    )
    signature = bridge.send_with_payload(_keypair(bridge, USER), units, request)
    devnet.advance(20)
    record = _record(devnet, signature)
    assert record.kind == "session-request" and record.status == MessageStatus.RELAYED
    receipt = world.sessions.w3.eth.get_transaction_receipt(record.legs["relayed"].tx_hash)
    [opened] = world.sessions.events.SessionOpenedFromSolana().process_receipt(receipt, errors=DISCARD)
    return int(opened["args"]["sessionId"])


def _run_tasks(devnet: Devnet, deployment: Deployment, session_id: int, prompts: dict[int, str]) -> None:
    tasks = list(prompts)
    miners = deployment.session_miners(session_id)
    deployment.assign_and_ack(session_id, tasks, miners)
    devnet.advance(5)
    answers = {t: {m: honest(prompts[t]) for m in miners} for t in tasks}
    deployment.precommit(session_id, answers)
    devnet.advance(5)
    deployment.commit_and_end(session_id, answers)
    devnet.advance(5)
    deployment.judge_and_pay(session_id, tasks, miners)


def test_a_session_opened_from_solana_returns_its_results_and_refund_to_solana(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    assert bridge.cor is not None
    user = _keypair(bridge, USER)
    fund_solana(devnet, bridge, user.pubkey(), 100 * UNIT)
    prompts = ("What does a guardian set attest?", "Why wait for Solana finality?")
    session_id = _open(devnet, bridge, world, 50 * UNIT, prompts)

    # Owned by SolanaSessions for the user; the budget minus the bond (3 nodes x 1 COR) deposited.
    session = world.deployment.network.contracts.session
    payment = world.deployment.network.contracts.payment
    assert session.functions.sessionOwner(session_id).call() == world.sessions.address
    assert world.sessions.functions.ownerOf(session_id).call() == bytes(user.pubkey())
    assert world.deployment.network.next_task_id(session_id) == 2
    assert payment.functions.sessionBalance(session_id).call() == 47 * COR - 2 * 3 * COR  # escrowed

    # A third prompt from Solana, with 10 COR more.
    more = BridgeMemo(
        bridge.evm_chain_id,
        bytes.fromhex(world.sessions.address[2:]),
        kind="tasks",
        session=session_id,
        prompts=("Name one use of a VAA.",),
    )
    signature = bridge.send_with_payload(user, 10 * UNIT, more)
    devnet.advance(20)
    assert _record(devnet, signature).status == MessageStatus.RELAYED
    assert world.deployment.network.next_task_id(session_id) == 3

    _run_tasks(devnet, world.deployment, session_id, dict(enumerate((*prompts, "Name one use of a VAA."))))
    router = world.deployment.address_of("router")
    world.sessions.functions.publishResults(session_id, [0, 1, 2]).transact({"from": router})
    devnet.advance(5)

    [record] = devnet.messages(kind="results")
    assert (record.source, record.destination, record.status) == ("arbitrum", "solana", MessageStatus.RELAYED)
    delivered = [m for m in bridge.results_on_solana() if m["session"] == session_id]
    assert [m["task"] for m in delivered] == [0, 1, 2]
    for memo, prompt in zip(delivered, (*prompts, "Name one use of a VAA."), strict=True):
        assert memo["owner"] == str(user.pubkey())
        assert memo["result"] == honest(prompt)
        assert memo["digest"] == "0x" + keccak(text=honest(prompt)).hex()

    # Close from Solana: 60 sent, 9 paid to miners (3 tasks x 3 miners x 1 COR), 51 refunded.
    close = BridgeMemo(
        bridge.evm_chain_id, bytes.fromhex(world.sessions.address[2:]), kind="close", session=session_id
    )
    signature = bridge.send_message(user, close)
    devnet.advance(20)
    assert _record(devnet, signature).kind == "message"
    assert _record(devnet, signature).status == MessageStatus.RELAYED
    devnet.advance(5)  # the refund: locked on arbitrum, minted on Solana
    assert bridge.cor.balance(user.pubkey()) == 100 * UNIT - 60 * UNIT + 51 * UNIT
    assert bridge.cor_balance(world.sessions.address) == 0
    assert not session.functions.isSessionActive(session_id).call()
    # Supply: the token bridge locks exactly the SPL COR there is (the 9 COR of pay stay on arbitrum).
    assert bridge.locked() == bridge.minted() and conserved(bridge)
    assert all(r.status == MessageStatus.RELAYED for r in devnet.messages())


def test_requests_from_another_solana_account_are_refused_and_the_cor_refunded(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    assert bridge.cor is not None
    user, stranger = _keypair(bridge, USER), _keypair(bridge, 9)
    fund_solana(devnet, bridge, user.pubkey(), 50 * UNIT)
    fund_solana(devnet, bridge, stranger.pubkey(), 10 * UNIT)
    session_id = _open(devnet, bridge, world, 50 * UNIT, ("A prompt.",))
    to = bytes.fromhex(world.sessions.address[2:])
    locked = bridge.locked()

    tasks = BridgeMemo(bridge.evm_chain_id, to, kind="tasks", session=session_id, prompts=("Mine now.",))
    added = bridge.send_with_payload(stranger, 10 * UNIT, tasks)
    closed = bridge.send_message(
        stranger, BridgeMemo(bridge.evm_chain_id, to, kind="close", session=session_id)
    )
    devnet.advance(20)

    for signature in (added, closed):
        record = _record(devnet, signature)
        assert record.status == MessageStatus.FAILED
    assert "not the session's Solana owner" in _record(devnet, closed).detail["error"]
    # The tasks came with COR: SolanaSessions refused them and sent the COR back to the stranger.
    refused = _record(devnet, added)
    assert "not the session's Solana owner" in refused.detail["error"]
    [refund] = devnet.messages(kind="refund")
    assert (refused.detail["refund"], refund.detail["refundOf"]) == (refund.id, refused.id)
    assert refund.status == MessageStatus.RELAYED and refund.detail["recipient"] == str(stranger.pubkey())
    assert bridge.cor.balance(stranger.pubkey()) == 10 * UNIT and bridge.locked() == locked
    assert conserved(bridge) and bridge.stranded() == 0
    assert world.deployment.network.next_task_id(session_id) == 1
    assert world.deployment.network.contracts.session.functions.isSessionActive(session_id).call()


def test_a_session_its_budget_cannot_open_is_refused_and_the_budget_refunded(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    assert bridge.cor is not None
    user = _keypair(bridge, USER)
    fund_solana(devnet, bridge, user.pubkey(), 2 * UNIT)
    request = BridgeMemo(
        bridge.evm_chain_id,
        bytes.fromhex(world.sessions.address[2:]),
        kind="session",
        name="underfunded",
        redundancy=3,  # a bond of 3 COR: 2 COR does not cover it
        prompts=("Unanswered.",),
    )
    signature = bridge.send_with_payload(user, 2 * UNIT, request)
    assert bridge.cor.balance(user.pubkey()) == 0
    devnet.advance(20)
    record = _record(devnet, signature)
    assert record.status == MessageStatus.FAILED
    assert record.detail["error"] == "execution reverted: budget does not cover the session bond"
    refund = next(m for m in devnet.messages(kind="refund") if m.id == record.detail["refund"])
    assert refund.status == MessageStatus.RELAYED and refund.detail["amount"] == 2 * UNIT
    assert bridge.cor.balance(user.pubkey()) == 2 * UNIT
    assert bridge.cor_balance(world.sessions.address) == 0 and conserved(bridge)
    assert world.sessions.functions.ownerOf(
        world.deployment.network.contracts.session.functions.sessionCount().call()
    ).call() == bytes(32)


def test_a_request_without_cor_next_to_a_burn_fails_and_its_cor_is_stranded(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    assert bridge.cor is not None
    user = _keypair(bridge, USER)
    fund_solana(devnet, bridge, user.pubkey(), 5 * UNIT)
    close = BridgeMemo(
        bridge.evm_chain_id, bytes.fromhex(world.sessions.address[2:]), kind="close", session=0
    )
    signature = bridge.cor.burn(user, 5 * UNIT, close.encode())
    devnet.advance(20)
    record = _record(devnet, signature)
    assert record.status == MessageStatus.FAILED and "carries no COR" in record.detail["error"]
    assert bridge.stranded() == 5 * UNIT * UNIT and conserved(bridge)


def test_replayed_messages_and_results_are_refused_by_contract_and_engine(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    assert bridge.cor is not None
    user = _keypair(bridge, USER)
    fund_solana(devnet, bridge, user.pubkey(), 50 * UNIT)
    session_id = _open(devnet, bridge, world, 50 * UNIT, ("One prompt.",))
    _run_tasks(devnet, world.deployment, session_id, {0: "One prompt."})
    router = world.deployment.address_of("router")
    world.sessions.functions.publishResults(session_id, [0]).transact({"from": router})
    close = BridgeMemo(
        bridge.evm_chain_id, bytes.fromhex(world.sessions.address[2:]), kind="close", session=session_id
    )
    signature = bridge.send_message(user, close)
    devnet.advance(20)

    message_vaa = bytes.fromhex(_record(devnet, signature).detail["vaa"][2:])
    with pytest.raises(ContractLogicError, match="message already consumed"):
        world.sessions.functions.receiveMessage(message_vaa).call({"from": router})
    [results] = devnet.messages(kind="results")
    results_vaa = bytes.fromhex(results.detail["vaa"][2:])
    with pytest.raises(VAAVerificationError, match="message already delivered"):
        bridge.verify_results_for_solana(results_vaa)

    # The same results from an emitter Solana never registered are refused.
    body = VAA.decode(results_vaa).body
    forged = Body(
        body.timestamp,
        body.nonce,
        body.emitter_chain,
        bytes(12) + b"\x42" * 20,
        body.sequence,
        body.consistency_level,
        body.payload,
    )
    with pytest.raises(VAAVerificationError, match="invalid emitter"):
        bridge.verify_results_for_solana(bridge.guardians.sign(forged).encode())
    # A session that was not opened from Solana has no results to publish for Solana.
    with pytest.raises(ContractLogicError, match="not a Solana session"):
        world.sessions.functions.publishResults(session_id + 1, [0]).call({"from": router})


def test_a_miner_onboarded_from_solana_unbonds_and_its_stake_returns_to_solana(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    assert bridge.cor is not None
    miner = _keypair(bridge, SOLANA_MINER)
    owner = bytes(miner.pubkey())
    fund_solana(devnet, bridge, miner.pubkey(), STAKE * UNIT)
    pool = world.deployment.network.contracts.node_pool
    admin = world.deployment.address_of("admin")
    pool.functions.setUnbondingPeriod(3600).transact({"from": admin})
    onboarding = world.onboarding
    bridge.onboard_from_solana(miner, STAKE * UNIT, onboarding.address, [0], solana_node_key(miner))
    devnet.advance(20)
    operator = onboarding.functions.operatorOf(owner).call()
    node_id = pool.functions.getNodeId(operator).call()
    assert pool.functions.getNode(node_id).call()[2] == 1  # Added
    assert bridge.cor.balance(miner.pubkey()) == 0

    unbond = BridgeMemo(bridge.evm_chain_id, bytes.fromhex(onboarding.address[2:]), kind="unbond")
    signature = bridge.send_message(miner, unbond)
    devnet.advance(20)
    assert _record(devnet, signature).status == MessageStatus.RELAYED
    assert pool.functions.getNode(node_id).call()[2] == 5  # Unbonding
    router = world.deployment.address_of("router")
    with pytest.raises(ContractLogicError):  # UnbondingNotFinished
        onboarding.functions.releaseStake(owner).call({"from": router})

    devnet.advance(3600)
    onboarding.functions.releaseStake(owner).transact({"from": router})
    devnet.advance(5)
    assert pool.functions.getNode(node_id).call()[2] == 0  # gone
    assert bridge.cor.balance(miner.pubkey()) == STAKE * UNIT
    assert conserved(bridge)
    # Nothing is left to release, and the miner can onboard again through the same operator.
    with pytest.raises(ContractLogicError):
        onboarding.functions.releaseStake(owner).call({"from": router})
    bridge.onboard_from_solana(miner, STAKE * UNIT, onboarding.address, [0], solana_node_key(miner))
    devnet.advance(20)
    assert onboarding.functions.operatorOf(owner).call() == operator
    assert pool.functions.getNode(node_id).call()[2] == 1


def test_an_unbond_from_a_solana_account_that_never_onboarded_fails(
    devnet: Devnet, bridge: WormholeStack, world: World
) -> None:
    unbond = BridgeMemo(bridge.evm_chain_id, bytes.fromhex(world.onboarding.address[2:]), kind="unbond")
    signature = bridge.send_message(_keypair(bridge, USER), unbond)
    devnet.advance(20)
    record = _record(devnet, signature)
    assert record.status == MessageStatus.FAILED and "miner never onboarded" in record.detail["error"]


def test_a_state_file_carries_the_messenger_sequence_and_the_results_emitters(
    devnet: Devnet, bridge: WormholeStack, world: World, tmp_path: Path
) -> None:
    unbond = BridgeMemo(bridge.evm_chain_id, bytes.fromhex(world.onboarding.address[2:]), kind="unbond")
    bridge.send_message(_keypair(bridge, USER), unbond)
    devnet.advance(20)
    loaded = Devnet.load(devnet.dump(tmp_path / "devnet.json"))
    copy = loaded.settlement.stacks["solana"]
    assert isinstance(copy, WormholeStack)
    assert copy.message_sequence == bridge.message_sequence == 1
    assert copy.result_emitters == bridge.result_emitters == {bytes.fromhex(world.sessions.address[2:])}
    assert [m.id for m in loaded.messages(kind="message")] == ["solana:messenger:0"]
