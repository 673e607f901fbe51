"""Faults the settlement engine and the chains can be put through: a rollup's sequencer outage
(nothing sealed, its RPC refusing transactions, parent messages queued until it is back) and a
paused settlement actor (a relayer that stopped: messages wait, then it catches up)."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3.exceptions import Web3RPCError

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.settlement import PauseError
from cortensor_sim.chains.evm import SequencerDown

ETH = 10**18


@pytest.fixture
def devnet() -> Devnet:
    return Devnet()


def _transfer(devnet: Devnet, chain: str) -> bytes:
    w3 = devnet.evm(chain).w3
    sender, receiver = w3.eth.accounts[5], w3.eth.accounts[6]
    return w3.eth.send_transaction({"from": sender, "to": receiver, "value": 1})


def _deposit_to_base(devnet: Devnet, user: str, value: int) -> None:
    address = devnet.system_contracts("base")["OptimismPortal"]
    portal = devnet.evm("l1").w3.eth.contract(address=address, abi=load_artifact("OptimismPortal2").abi)
    portal.functions.depositTransaction(user, 0, 100_000, False, b"").transact({"from": user, "value": value})


def _deposit_to_arbitrum(devnet: Devnet, user: str, value: int) -> None:
    address = devnet.system_contracts("arbitrum")["Inbox"]
    inbox = devnet.evm("l1").w3.eth.contract(address=address, abi=load_artifact("Inbox").abi)
    inbox.functions.depositEth().transact({"from": user, "value": value})


def _withdraw_from_base(devnet: Devnet, user: str, value: int) -> None:
    address = devnet.system_contracts("base")["L2ToL1MessagePasser"]
    passer = devnet.evm("base").w3.eth.contract(address=address, abi=load_artifact("L2ToL1MessagePasser").abi)
    passer.functions.initiateWithdrawal(user, 100_000, b"").transact({"from": user, "value": value})


# ---------------------------------------------------------------------- sequencer outage
def test_a_sequencer_outage_refuses_transactions_and_seals_nothing_until_it_ends(devnet: Devnet) -> None:
    base = devnet.evm("base")
    height = base.height
    devnet.sequencer_outage("base", 60)
    assert base.halted
    with pytest.raises(Web3RPCError, match="sequencer of base is down"):
        _transfer(devnet, "base")
    with pytest.raises(SequencerDown):
        base.mine()
    devnet.advance(30)
    assert base.height == height, "a chain whose sequencer is down seals no block"

    devnet.advance(40)  # the outage ended at +60 s
    assert not base.halted
    # op-node fills in the slots the outage missed: block numbers follow slots again.
    assert base.height >= height + 35
    timestamps = [base.w3.eth.get_block(n)["timestamp"] for n in range(height, base.height + 1)]
    assert timestamps == sorted(timestamps)
    receipt = base.w3.eth.get_transaction_receipt(_transfer(devnet, "base"))
    assert receipt["status"] == 1


def test_a_deposit_made_during_an_outage_arrives_when_the_sequencer_is_back(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    user = l1.accounts[4].address
    devnet.sequencer_outage("base", 120)
    before = base.balance(user)
    _deposit_to_base(devnet, user, ETH)
    devnet.advance(60)
    assert base.balance(user) == before, "nothing is sealed on base during the outage"
    (deposit,) = devnet.messages("deposit")
    assert deposit.status == MessageStatus.SENT

    devnet.advance(70)
    assert base.balance(user) == before + ETH
    (deposit,) = devnet.messages("deposit")
    assert deposit.status == MessageStatus.RELAYED


def test_a_nitro_chain_queues_parent_messages_through_an_outage(devnet: Devnet) -> None:
    l1, arbitrum = devnet.evm("l1"), devnet.evm("arbitrum")
    user = l1.accounts[4].address
    devnet.sequencer_outage("arbitrum", 300)
    before, height = arbitrum.balance(user), arbitrum.height
    _deposit_to_arbitrum(devnet, user, ETH)
    devnet.advance(120)
    assert arbitrum.height == height and arbitrum.balance(user) == before
    with pytest.raises(Web3RPCError, match="sequencer of arbitrum is down"):
        _transfer(devnet, "arbitrum")

    devnet.advance(200)
    assert arbitrum.balance(user) == before + ETH
    first = arbitrum.w3.eth.get_block(height + 1)
    assert first["timestamp"] >= devnet.topology.genesis_time, "sealed after the outage"
    assert arbitrum.w3.eth.get_block(height)["timestamp"] <= first["timestamp"]


def test_only_a_rollup_has_a_sequencer_and_an_outage_must_last(devnet: Devnet) -> None:
    with pytest.raises(ValueError, match="l1 is a root chain"):
        devnet.sequencer_outage("l1", 10)
    for bad in (0, -5, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="finite, positive"):
            devnet.sequencer_outage("base", bad)
    assert not devnet.evm("base").halted


def test_revert_and_reload_carry_an_outage(devnet: Devnet, tmp_path: Path) -> None:
    snap = devnet.snapshot()
    devnet.sequencer_outage("base", 60)
    path = devnet.dump(tmp_path / "outage.json")
    loaded = Devnet.load(path)
    assert loaded.evm("base").halted
    with pytest.raises(Web3RPCError, match="sequencer of base is down"):
        _transfer(loaded, "base")
    devnet.revert(snap)
    assert not devnet.evm("base").halted
    assert devnet.evm("base").w3.eth.get_transaction_receipt(_transfer(devnet, "base"))["status"] == 1


# ---------------------------------------------------------------------- paused actors
def test_a_paused_relayer_leaves_a_withdrawal_waiting_and_catches_up_after(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    user = l1.accounts[4].address
    _deposit_to_base(devnet, user, ETH)
    devnet.advance(2)
    assert devnet.pause("relayer", "base", seconds=600) == ["base/relayer"]
    _withdraw_from_base(devnet, user, ETH // 2)
    devnet.advance(300)
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.PROPOSED, "the proposer runs; nobody proves"

    before = l1.balance(user)
    devnet.advance(400)  # the pause ended at +600 s: the relayer proves, waits, finalizes
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.FINALIZED
    assert withdrawal.times["proven"] >= withdrawal.times["proposed"] + 500_000
    assert l1.balance(user) == before + ETH // 2


def test_a_pause_until_resumed_holds_through_relay_and_long_jumps(devnet: Devnet) -> None:
    user = devnet.evm("l1").accounts[4].address
    _deposit_to_base(devnet, user, ETH)
    devnet.advance(2)
    devnet.pause("relayer")
    _withdraw_from_base(devnet, user, ETH // 4)
    devnet.advance(7 * 86_400)
    devnet.relay()
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.PROPOSED
    assert sorted(devnet.resume("relayer")) == [
        "arbitrum/nitro-outbox-executor",
        "base/relayer",
        "l3/nitro-outbox-executor",
        "solana/relayer",  # the guardian bridge's relayer
    ]
    devnet.advance(60)
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.FINALIZED


def test_a_paused_proposer_posts_nothing(devnet: Devnet) -> None:
    user = devnet.evm("l1").accounts[4].address
    _deposit_to_base(devnet, user, ETH)
    devnet.advance(2)
    devnet.pause("proposer", "base", seconds=120)
    _withdraw_from_base(devnet, user, ETH // 4)
    devnet.advance(100)
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.SENT
    devnet.advance(100)
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.FINALIZED


def test_pauses_name_known_roles_and_rollups(devnet: Devnet) -> None:
    with pytest.raises(PauseError, match=r"unknown settlement role 'janitor'.*relayer"):
        devnet.pause("janitor")
    with pytest.raises(PauseError, match="'l1' has no settlement engine here"):
        devnet.pause("relayer", "l1")
    with pytest.raises(PauseError, match="no batcher runs on base"):
        devnet.pause("batcher", "base")
    with pytest.raises(ValueError, match="finite, positive"):
        devnet.pause("relayer", "base", seconds=0)
    assert devnet.settlement is not None and not devnet.settlement.pauses  # type: ignore[attr-defined]


def test_revert_and_reload_carry_a_pause(devnet: Devnet, tmp_path: Path) -> None:
    snap = devnet.snapshot()
    devnet.pause("relayer", "base")
    loaded = Devnet.load(devnet.dump(tmp_path / "paused.json"))
    assert loaded.settlement.pauses == {"base/relayer": None}  # type: ignore[union-attr]
    devnet.revert(snap)
    assert devnet.settlement.pauses == {}  # type: ignore[union-attr]
