"""How a retryable whose auto-redeem failed ends, in ``devnet.messages()``: redeemed by hand
(``relayed``), cancelled by its beneficiary or expired (``failed``), each named in
``detail.ticketOutcome``; never ``relayed`` unless its call ran."""

from __future__ import annotations

from typing import Any

import pytest

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.rollups.nitro.retryables import RETRYABLE_LIFETIME

GAS_LIMIT = 300_000
MAX_FEE = 2 * 10**9


@pytest.fixture(scope="module")
def base_devnet(nitro_engine: str) -> Devnet:
    return Devnet()


@pytest.fixture
def devnet(base_devnet: Devnet) -> Any:
    mark = base_devnet.snapshot()
    yield base_devnet
    base_devnet.revert(mark)


def _stuck_retryable(devnet: Devnet) -> tuple[str, Any, Any, bytes]:
    """A retryable from l1 to a closed RetryTarget on arbitrum: its auto-redeem fails.
    Returns (sender, target, ArbRetryableTx, ticket id)."""
    l1, arb = devnet.evm("l1"), devnet.evm("arbitrum")
    user = l1.accounts[1].address
    target = arb.deploy(load_artifact("RetryTarget"), user, False)
    named = devnet.system_contracts("arbitrum")
    inbox = l1.w3.eth.contract(address=named["Inbox"], abi=load_artifact("Inbox").abi)
    data = bytes.fromhex(target.functions.enter(b"hi")._encode_transaction_data()[2:])
    fee = 2 * inbox.functions.calculateRetryableSubmissionFee(len(data), 0).call()
    args = [target.address, 5, fee, user, user, GAS_LIMIT, MAX_FEE, data]
    inbox.functions.createRetryableTicket(*args).transact(
        {"from": user, "value": fee + 5 + GAS_LIMIT * MAX_FEE}
    )
    devnet.advance(12)
    record = _retryable(devnet)
    assert record.status == MessageStatus.INCLUDED and record.detail["autoRedeem"] == "failed"
    arb_retryable = arb.w3.eth.contract(address=named["ArbRetryableTx"], abi=_ARB_RETRYABLE_TX)
    return user, target, arb_retryable, bytes.fromhex(record.detail["ticket"][2:])


def _retryable(devnet: Devnet) -> Any:
    (record,) = [r for r in devnet.messages("retryable") if r.id.startswith("arbitrum:")]
    return record


def test_a_ticket_redeemed_by_hand_is_relayed_with_the_redeem_as_its_leg(devnet: Devnet) -> None:
    user, target, arb_retryable, ticket = _stuck_retryable(devnet)
    target.functions.setOpen(True).transact({"from": devnet.evm("arbitrum").accounts[0].address})
    tx = arb_retryable.functions.redeem(ticket).transact({"from": user, "gas": 2_000_000})
    devnet.advance(2)
    record = _retryable(devnet)
    assert record.status == MessageStatus.RELAYED and record.detail["ticketOutcome"] == "redeemed"
    assert record.legs["relayed"].tx_hash == "0x" + bytes(tx).hex()
    assert target.functions.entered().call() == 1


def test_a_failed_redeem_by_hand_keeps_the_ticket_included(devnet: Devnet) -> None:
    user, _, arb_retryable, ticket = _stuck_retryable(devnet)
    arb_retryable.functions.redeem(ticket).transact({"from": user, "gas": 2_000_000})  # still closed
    devnet.advance(2)
    assert _retryable(devnet).status == MessageStatus.INCLUDED


def test_a_cancelled_ticket_is_failed_and_says_cancelled(devnet: Devnet) -> None:
    user, target, arb_retryable, ticket = _stuck_retryable(devnet)
    tx = arb_retryable.functions.cancel(ticket).transact({"from": user})
    devnet.advance(2)
    record = _retryable(devnet)
    assert record.status == MessageStatus.FAILED and record.detail["ticketOutcome"] == "cancelled"
    assert record.legs["failed"].tx_hash == "0x" + bytes(tx).hex()
    assert target.functions.entered().call() == 0


def test_an_expired_ticket_is_failed_and_says_expired(devnet: Devnet) -> None:
    user, _, arb_retryable, ticket = _stuck_retryable(devnet)
    arb_retryable.functions.redeem(ticket).transact({"from": user, "gas": 2_000_000})  # fails: closed
    devnet.advance(RETRYABLE_LIFETIME - 3_600)
    assert _retryable(devnet).status == MessageStatus.INCLUDED  # still redeemable
    devnet.advance(7_200)
    record = _retryable(devnet)
    assert record.status == MessageStatus.FAILED and record.detail["ticketOutcome"] == "expired"
    assert "failed" not in record.legs  # nothing on chain marks an expiry


_ARB_RETRYABLE_TX = [
    {
        "type": "function",
        "name": name,
        "inputs": [{"type": "bytes32", "name": "ticketId"}],
        "outputs": outputs,
        "stateMutability": "nonpayable",
    }
    for name, outputs in (("redeem", [{"type": "bytes32", "name": ""}]), ("cancel", []))
]
