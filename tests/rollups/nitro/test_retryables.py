"""Retryables from l1 to arbitrum: submission and auto-redeem from the aliased sender, a failed
auto-redeem redeemed by hand or left to expire, keepalive, cancel, refunds, and each refusal."""

from __future__ import annotations

from typing import Any

import pytest
from eth_hash.auto import keccak
from nitro_helpers import ETH, NitroRollup, events
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro.aliasing import apply_alias
from cortensor_sim.rollups.nitro.retryables import (
    ARB_RETRYABLE_TX,
    RETRYABLE_LIFETIME,
    TICKET_CREATED,
    escrow_address,
)

GAS_LIMIT = 300_000
MAX_FEE = 2 * 10**9
ARB_RETRYABLE_TX_ABI = [
    {"type": "function", "name": name, "inputs": inputs, "outputs": outputs, "stateMutability": "nonpayable"}
    for name, inputs, outputs in [
        ("redeem", [{"type": "bytes32", "name": "ticketId"}], [{"type": "bytes32", "name": ""}]),
        ("getTimeout", [{"type": "bytes32", "name": "ticketId"}], [{"type": "uint256", "name": ""}]),
        ("keepalive", [{"type": "bytes32", "name": "ticketId"}], [{"type": "uint256", "name": ""}]),
        ("getBeneficiary", [{"type": "bytes32", "name": "ticketId"}], [{"type": "address", "name": ""}]),
        ("getLifetime", [], [{"type": "uint256", "name": ""}]),
        ("cancel", [{"type": "bytes32", "name": "ticketId"}], []),
        (
            "submitRetryable",
            [{"type": t, "name": f"a{i}"} for i, t in enumerate(
                ["bytes32", "uint256", "uint256", "uint256", "uint256", "uint64", "uint256", "address",
                 "address", "address", "bytes"])],
            [],
        ),
    ]
]  # fmt: skip
NO_TICKET = "0x" + keccak(b"NoTicketWithID()")[:4].hex()
NOT_CALLABLE = "0x" + keccak(b"NotCallable()")[:4].hex()


def _arb_retryable(rollup: NitroRollup) -> Contract:
    return rollup.child.w3.eth.contract(
        address=Web3.to_checksum_address(ARB_RETRYABLE_TX), abi=ARB_RETRYABLE_TX_ABI
    )


def _target(rollup: NitroRollup, parent_sender: str, *, open_: bool) -> Contract:
    return rollup.child.deploy(load_artifact("RetryTarget"), parent_sender, open_)


def _create(
    rollup: NitroRollup,
    sender: str,
    target: Contract,
    *,
    value: int = 5,
    refund: str | None = None,
    beneficiary: str | None = None,
    unsafe: bool = False,
    deposit: int | None = None,
    gas_limit: int = GAS_LIMIT,
) -> tuple[bytes, dict[str, Any]]:
    """Create a retryable on l1, let the inbox reader deliver it; returns (ticket id, child receipt)."""
    inbox = rollup.contract("Inbox")
    payload = target.functions.enter(b"hi")._encode_transaction_data()
    data = bytes.fromhex(payload[2:])
    max_submission = 2 * inbox.functions.calculateRetryableSubmissionFee(len(data), 0).call()
    needed = max_submission + value + gas_limit * MAX_FEE
    args = [
        target.address,
        value,
        max_submission,
        refund or sender,
        beneficiary or sender,
        gas_limit,
        MAX_FEE,
        data,
    ]
    create = inbox.functions.unsafeCreateRetryableTicket if unsafe else inbox.functions.createRetryableTicket
    create(*args).transact({"from": sender, "value": needed if deposit is None else deposit})
    actions = rollup.drive(1, [rollup.reader])
    (action,) = [a for a in actions if a.what.startswith("retryable")]
    receipt = rollup.child.w3.eth.get_transaction_receipt(action.tx_hash)
    ticket = bytes.fromhex(action.what.split("0x")[1])
    return ticket, receipt


def _expect_no_ticket(fn: Any, tx: dict[str, Any] | None = None) -> None:
    with pytest.raises(ContractCustomError) as info:
        fn.call(tx or {})
    assert info.value.data == NO_TICKET


def test_a_retryable_runs_its_call_from_the_aliased_sender_and_refunds_the_excess(
    rollup: NitroRollup,
) -> None:
    user = rollup.parent.accounts[1].address
    refund = rollup.child.accounts[6].address
    target = _target(rollup, user, open_=True)
    refund_before = rollup.child.balance(refund)
    ticket, receipt = _create(rollup, user, target, value=5, refund=refund)
    assert receipt["status"] == 1
    assert receipt["from"] == Web3.to_checksum_address(apply_alias(bytes.fromhex(user[2:])))
    (entered,) = events(target, "Entered", receipt)
    assert entered["sender"] == receipt["from"]  # the target saw the aliased sender
    assert entered["parentSender"] == user  # and ArbSys un-aliased it: a top-level retry
    assert entered["value"] == 5 and entered["payload"] == b"hi"
    assert rollup.child.balance(target.address) == 5
    topics = [log["topics"][0] for log in receipt["logs"]]
    assert TICKET_CREATED in topics
    assert ticket.hex() in [t.hex() for log in receipt["logs"] for t in log["topics"]]
    _expect_no_ticket(_arb_retryable(rollup).functions.getTimeout(ticket))  # redeemed: gone
    # every wei of the deposit is accounted for: fee + value + gas at the base fee + refund
    inbox = rollup.contract("Inbox")
    data_length = len(bytes.fromhex(target.functions.enter(b"hi")._encode_transaction_data()[2:]))
    refunded = rollup.child.balance(refund) - refund_before
    (delivered,) = rollup.contract("Bridge").events.MessageDelivered().get_logs(from_block=0)
    fee = (1400 + 6 * data_length) * delivered["args"]["baseFeeL1"]
    (message,) = inbox.events.InboxMessageDelivered().get_logs(from_block=0)
    deposit = int.from_bytes(message["args"]["data"][64:96], "big")
    base_fee = rollup.child.w3.eth.get_block(receipt["blockNumber"])["baseFeePerGas"]
    gas_spent = deposit - 5 - refunded - fee
    assert 0 < gas_spent < GAS_LIMIT * base_fee and gas_spent % base_fee == 0
    assert rollup.child.balance(receipt["from"]) == 0


def test_a_failed_auto_redeem_is_redeemed_by_hand_once(rollup: NitroRollup) -> None:
    user = rollup.parent.accounts[1].address
    beneficiary = rollup.child.accounts[7].address
    target = _target(rollup, user, open_=False)
    ticket, receipt = _create(rollup, user, target, value=7, beneficiary=beneficiary)
    assert receipt["status"] == 1 and events(target, "Entered", receipt) == []
    arb_retryable = _arb_retryable(rollup)
    created = rollup.child.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert arb_retryable.functions.getTimeout(ticket).call() == created + RETRYABLE_LIFETIME
    assert arb_retryable.functions.getBeneficiary(ticket).call() == beneficiary
    assert arb_retryable.functions.getLifetime().call() == 604_800
    escrow = Web3.to_checksum_address(escrow_address(ticket))
    assert rollup.child.balance(escrow) == 7

    target.functions.setOpen(True).transact({"from": rollup.child.accounts[0].address})
    redeemer = rollup.child.accounts[2].address
    tx = arb_retryable.functions.redeem(ticket).transact({"from": redeemer, "gas": 2_000_000})
    redeemed = rollup.child.w3.eth.get_transaction_receipt(tx)
    (entered,) = events(target, "Entered", redeemed)
    assert entered["parentSender"] == user and entered["value"] == 7
    assert rollup.child.balance(escrow) == 0 and rollup.child.balance(target.address) == 7
    # a ticket that already succeeded cannot be redeemed again
    _expect_no_ticket(arb_retryable.functions.redeem(ticket), {"from": redeemer})


def test_a_ticket_left_alone_expires_unless_kept_alive(rollup: NitroRollup) -> None:
    user = rollup.parent.accounts[1].address
    target = _target(rollup, user, open_=False)
    kept, _ = _create(rollup, user, target)
    left, _ = _create(rollup, user, target)
    arb_retryable = _arb_retryable(rollup)
    someone = {"from": rollup.child.accounts[3].address}
    timeout = arb_retryable.functions.getTimeout(kept).call()
    with pytest.raises(ContractLogicError):  # at most one lifetime ahead
        arb_retryable.functions.keepalive(kept).transact(someone)
        arb_retryable.functions.keepalive(kept).transact(someone)
    assert arb_retryable.functions.getTimeout(kept).call() == timeout + RETRYABLE_LIFETIME
    rollup.devnet.advance(RETRYABLE_LIFETIME + 60)
    _expect_no_ticket(arb_retryable.functions.redeem(left), someone)
    _expect_no_ticket(arb_retryable.functions.getTimeout(left))
    assert arb_retryable.functions.getTimeout(kept).call() == timeout + RETRYABLE_LIFETIME


def test_only_the_beneficiary_cancels_and_gets_the_call_value(rollup: NitroRollup) -> None:
    user = rollup.parent.accounts[1].address
    beneficiary = rollup.child.accounts[7].address
    target = _target(rollup, user, open_=False)
    ticket, _ = _create(rollup, user, target, value=9, beneficiary=beneficiary)
    arb_retryable = _arb_retryable(rollup)
    with pytest.raises(ContractLogicError):
        arb_retryable.functions.cancel(ticket).transact({"from": rollup.child.accounts[3].address})
    before = rollup.child.balance(beneficiary)
    tx = arb_retryable.functions.cancel(ticket).transact({"from": beneficiary})
    receipt = rollup.child.w3.eth.get_transaction_receipt(tx)
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert rollup.child.balance(beneficiary) == before + 9 - fee
    _expect_no_ticket(arb_retryable.functions.getTimeout(ticket))


def test_a_retryable_from_the_wrong_parent_sender_is_refused_by_its_target(rollup: NitroRollup) -> None:
    expected, impostor = rollup.parent.accounts[1].address, rollup.parent.accounts[3].address
    target = _target(rollup, expected, open_=True)
    ticket, receipt = _create(rollup, impostor, target)
    assert events(target, "Entered", receipt) == []
    assert target.functions.entered().call() == 0
    assert _arb_retryable(rollup).functions.getBeneficiary(ticket).call() == impostor  # still redeemable


def test_a_deposit_too_small_for_gas_skips_the_auto_redeem(rollup: NitroRollup) -> None:
    user = rollup.parent.accounts[1].address
    target = _target(rollup, user, open_=True)
    inbox = rollup.contract("Inbox")
    data = bytes.fromhex(target.functions.enter(b"hi")._encode_transaction_data()[2:])
    max_submission = 2 * inbox.functions.calculateRetryableSubmissionFee(len(data), 0).call()
    ticket, receipt = _create(rollup, user, target, value=5, unsafe=True, deposit=max_submission + 5)
    assert receipt["status"] == 1 and events(target, "Entered", receipt) == []
    tx = (
        _arb_retryable(rollup)
        .functions.redeem(ticket)
        .transact({"from": rollup.child.accounts[2].address, "gas": 2_000_000})
    )
    assert len(events(target, "Entered", rollup.child.w3.eth.get_transaction_receipt(tx))) == 1


def test_a_deposit_below_the_submission_cost_fails_on_the_child(rollup: NitroRollup) -> None:
    user = rollup.parent.accounts[1].address
    target = _target(rollup, user, open_=True)
    _, receipt = _create(rollup, user, target, value=5, unsafe=True, deposit=1)
    assert receipt["status"] == 0  # no ticket; the deposit stays with the aliased sender
    assert rollup.child.balance(receipt["from"]) == 1


def test_submit_retryable_is_not_callable_by_a_transaction(rollup: NitroRollup) -> None:
    arb_retryable = _arb_retryable(rollup)
    user = rollup.child.accounts[0].address
    with pytest.raises(ContractCustomError) as info:
        arb_retryable.functions.submitRetryable(b"\x00" * 32, 0, ETH, 0, 0, 0, 0, user, user, user, b"").call(
            {"from": user}
        )
    assert info.value.data == NOT_CALLABLE
