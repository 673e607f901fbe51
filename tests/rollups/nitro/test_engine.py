"""Nitro on the settlement engine: parent contracts from genesis, the actors under ``advance()`` and
``relay()``, a record per retryable and per ``ArbSys`` withdrawal, snapshots and state files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak
from web3 import Web3

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.nitro.stack import NitroStack
from cortensor_sim.rollups.nitro.aliasing import apply_alias
from cortensor_sim.rollups.nitro.genesis import _candidate_slots

ETH = 10**18
GAS_LIMIT = 300_000
MAX_FEE = 2 * 10**9
ARBSYS = "0x0000000000000000000000000000000000000064"
WITHDRAW_ETH_ABI = [
    {
        "type": "function",
        "name": "withdrawEth",
        "inputs": [{"type": "address", "name": "destination"}],
        "outputs": [{"type": "uint256", "name": ""}],
        "stateMutability": "payable",
    }
]


@pytest.fixture(scope="module")
def base_devnet(nitro_engine: str) -> Devnet:
    return Devnet()


@pytest.fixture
def devnet(base_devnet: Devnet) -> Any:
    mark = base_devnet.snapshot()
    yield base_devnet
    base_devnet.revert(mark)


def _contract(devnet: Devnet, chain: str, rollup: str, name: str) -> Any:
    address = devnet.system_contracts(rollup)[name]
    return devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)


def _retryable(devnet: Devnet) -> tuple[str, Any]:
    """A retryable from l1 to a RetryTarget on arbitrum; returns (sender, target)."""
    l1, arb = devnet.evm("l1"), devnet.evm("arbitrum")
    user = l1.accounts[1].address
    target = arb.deploy(load_artifact("RetryTarget"), user, True)
    inbox = _contract(devnet, "l1", "arbitrum", "Inbox")
    data = bytes.fromhex(target.functions.enter(b"hi")._encode_transaction_data()[2:])
    fee = 2 * inbox.functions.calculateRetryableSubmissionFee(len(data), 0).call()
    args = [target.address, 5, fee, user, user, GAS_LIMIT, MAX_FEE, data]
    value = fee + 5 + GAS_LIMIT * MAX_FEE
    inbox.functions.createRetryableTicket(*args).transact({"from": user, "value": value})
    return user, target


def _withdraw(devnet: Devnet, amount: int, *, deposit: bool = True) -> str:
    """Withdraw ``amount`` from arbitrum to l1 with ``ArbSys.withdrawEth`` (after a deposit of it
    through the Inbox, so that the Bridge escrows what the Outbox will pay out)."""
    arb = devnet.evm("arbitrum")
    user = arb.accounts[2].address
    if deposit:
        inbox = _contract(devnet, "l1", "arbitrum", "Inbox")
        inbox.functions.depositEth().transact({"from": user, "value": amount})
        devnet.advance(1)
    arbsys = arb.w3.eth.contract(address=ARBSYS, abi=WITHDRAW_ETH_ABI)
    arbsys.functions.withdrawEth(user).transact({"from": user, "value": amount})
    return user


def test_a_withdrawal_the_bridge_cannot_pay_is_refused_and_failed_not_a_crash(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    bridge = devnet.system_contracts("arbitrum")["Bridge"]
    assert l1.balance(bridge) == 0  # arbitrum's dev balances are genesis funds, not deposits
    _withdraw(devnet, ETH, deposit=False)
    devnet.advance(72)
    record = _by_kind(devnet, "withdrawal")
    assert record.status == MessageStatus.FAILED
    assert "would revert" in record.detail["refused"]


def _by_kind(devnet: Devnet, kind: str) -> Any:
    (record,) = [r for r in devnet.messages(kind) if r.id.startswith("arbitrum:")]
    return record


def test_parent_contracts_are_in_genesis_and_wired(devnet: Devnet) -> None:
    named = devnet.system_contracts("arbitrum")
    assert {"Bridge", "Inbox", "SequencerInbox", "Outbox", "Rollup"} <= set(named)
    assert {"ArbSys", "ArbGasInfo", "ArbRetryableTx", "NodeInterface"} <= set(named)
    assert named["ArbSys"] == Web3.to_checksum_address(ARBSYS)
    l1 = devnet.evm("l1")
    for name in ("Bridge", "Inbox", "SequencerInbox", "Outbox", "Rollup"):
        assert l1.engine.get_code(bytes.fromhex(named[name][2:]), 0), name  # there at block 0
    bridge = _contract(devnet, "l1", "arbitrum", "Bridge")
    assert bridge.functions.rollup().call(block_identifier=0) == named["Rollup"]
    assert bridge.functions.sequencerInbox().call(block_identifier=0) == named["SequencerInbox"]
    assert bridge.functions.allowedDelayedInboxes(named["Inbox"]).call(block_identifier=0)
    assert bridge.functions.allowedOutboxes(named["Outbox"]).call(block_identifier=0)
    l3 = devnet.system_contracts("l3")
    assert devnet.evm("arbitrum").engine.get_code(bytes.fromhex(l3["Rollup"][2:]), 0)
    assert l3["Bridge"] != named["Bridge"]


def test_genesis_slot_candidates_cover_mapping_entries() -> None:
    key = bytes(range(20))
    slots = _candidate_slots([key])
    assert int.from_bytes(keccak(key.rjust(32, b"\0") + (3).to_bytes(32, "big")), "big") in slots
    assert int.from_bytes(keccak((5).to_bytes(32, "big")), "big") + 2 in slots


def test_a_retryable_is_carried_by_advance_alone(devnet: Devnet) -> None:
    user, target = _retryable(devnet)
    devnet.advance(12)
    record = _by_kind(devnet, "retryable")
    assert record.status == MessageStatus.RELAYED
    assert (record.source, record.destination) == ("l1", "arbitrum")
    assert set(record.legs) == {"sent", "relayed"} and record.detail["ticket"].startswith("0x")
    assert target.functions.entered().call() == 1
    aliased = Web3.to_checksum_address(apply_alias(bytes.fromhex(user[2:])))
    assert record.detail["sender"] == aliased  # the Bridge records a retryable's sender aliased
    assert devnet.evm("arbitrum").balance(target.address) == 5


def test_an_arbsys_withdrawal_is_proposed_confirmed_and_executed_by_advance(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    user = _withdraw(devnet, ETH // 10)
    before = l1.balance(user)
    devnet.advance(72)
    record = _by_kind(devnet, "withdrawal")
    assert record.status == MessageStatus.RELAYED
    steps = ["sent", "proposed", "finalizable", "relayed"]
    times = [record.times[step] for step in steps]
    assert times == sorted(times) and times[-1] > times[0]
    assert record.legs["relayed"].chain == "l1"
    assert l1.balance(user) == before + ETH // 10


def test_the_outbox_executor_waits_the_relay_delay_once_a_message_is_executable() -> None:
    """``relay_delay`` holds the executor back, so that a user's client (the SDK) can execute first."""
    topology = {
        "chains": [
            {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
            {
                "name": "arbitrum",
                "kind": "nitro",
                "parent": "l1",
                "chain_id": 412346,
                "block_time": 0.25,
                "settlement": {"relay_delay": 600},
            },
        ]
    }
    devnet = Devnet(topology)
    _withdraw(devnet, ETH // 10)
    devnet.advance(72)  # what the default settlement needs to execute it
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.FINALIZABLE
    devnet.advance(600)
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.RELAYED


def test_step_mode_acts_only_on_relay(devnet: Devnet) -> None:
    devnet.settlement.auto = False
    _retryable(devnet)
    devnet.advance(12)
    assert _by_kind(devnet, "retryable").status == MessageStatus.SENT
    actions = devnet.relay()
    assert any("retryable" in a.what for a in actions)
    assert _by_kind(devnet, "retryable").status == MessageStatus.RELAYED


def test_a_revert_mid_flight_rewinds_the_records_and_the_actors(devnet: Devnet) -> None:
    _withdraw(devnet, ETH // 10)
    devnet.advance(2)
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.PROPOSED
    stack = devnet.settlement.stacks["arbitrum"]
    assert isinstance(stack, NitroStack)
    assertions = len(stack.validator.assertions)
    mark = devnet.snapshot()
    devnet.advance(60)
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.RELAYED
    devnet.revert(mark)
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.PROPOSED
    assert len(stack.validator.assertions) == assertions
    devnet.advance(60)
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.RELAYED


def test_a_dump_and_load_mid_flight_carries_on(devnet: Devnet, tmp_path: Path) -> None:
    _retryable(devnet)
    _withdraw(devnet, ETH // 10)
    devnet.advance(2)
    assert _by_kind(devnet, "withdrawal").status == MessageStatus.PROPOSED
    path = devnet.dump(tmp_path / "mid.json")
    loaded = Devnet.load(path)
    assert _by_kind(loaded, "retryable").status == MessageStatus.RELAYED
    assert _by_kind(loaded, "withdrawal").status == MessageStatus.PROPOSED
    loaded.advance(60)
    assert _by_kind(loaded, "withdrawal").status == MessageStatus.RELAYED
    assert {r.status for r in loaded.messages() if r.id.startswith("arbitrum:")} == {MessageStatus.RELAYED}
