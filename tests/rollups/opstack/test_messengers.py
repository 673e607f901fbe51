"""CrossDomainMessengers both ways: sendMessage -> deposit or withdrawal -> relayMessage, a target
that checks xDomainMessageSender(), which reverts outside a relay; failed messages replay once."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak
from op_helpers import contract, deploy, messenger
from web3.exceptions import ContractLogicError

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus


def _sender_checking_target(picky: bool = False) -> bytes:
    """A contract that asks its caller for ``xDomainMessageSender()`` (reverting if that reverts)
    and stores the answer in slot 0 and its caller in slot 1. A ``picky`` one also reverts while it
    holds no ETH (so a message to it fails until someone funds it)."""
    selector = keccak(b"xDomainMessageSender()")[:4]
    prefix = bytes.fromhex("4715602557") if picky else b""  # if iszero(selfbalance) jump to the revert
    revert_at = 0x20 + len(prefix)
    return (
        prefix
        + b"\x63" + selector + bytes.fromhex("60e01b5f52")  # mstore(0, selector << 224)
        + bytes.fromhex("60205f60045f335afa")  # staticcall(gas, caller, 0, 4, 0, 32)
        + bytes.fromhex("1560") + bytes([revert_at]) + b"\x57"  # if iszero(ok) jump to the revert
        + bytes.fromhex("5f515f55")  # sstore(0, mload(0))
        + bytes.fromhex("33600155")  # sstore(1, caller)
        + b"\x00"
        + bytes.fromhex("5b5f5ffd")  # revert(0, 0)
    )  # fmt: skip


def test_l1_to_base_message_reaches_a_target_that_checks_the_sender(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    target = deploy(base, _sender_checking_target())
    l1_messenger = messenger(devnet, "base", "L1CrossDomainMessenger")
    alice = l1.accounts[5].address
    nonce = l1_messenger.functions.messageNonce().call()
    assert nonce == 1 << 240
    receipt = l1.w3.eth.get_transaction_receipt(
        l1_messenger.functions.sendMessage(target, b"\x12\x34", 100_000).transact({"from": alice})
    )
    (sent,) = l1_messenger.events.SentMessage().process_receipt(receipt)
    assert sent["args"]["target"] == target and sent["args"]["sender"] == alice
    assert sent["args"]["messageNonce"] == nonce and sent["args"]["gasLimit"] == 100_000
    (ext,) = l1_messenger.events.SentMessageExtension1().process_receipt(receipt)
    assert ext["args"]["sender"] == alice and ext["args"]["value"] == 0
    devnet.advance(4)
    (record,) = devnet.messages("deposit")
    assert record.status == MessageStatus.RELAYED and record.detail["messenger"] == "relayed"
    assert base.w3.eth.get_storage_at(target, 0)[-20:].hex() == alice[2:].lower()
    assert base.w3.eth.get_storage_at(target, 1)[-20:].hex() == "4200000000000000000000000000000000000007"
    l2_messenger = messenger(devnet, "base", "L2CrossDomainMessenger")
    with pytest.raises(ContractLogicError, match="xDomainMessageSender is not set"):
        l2_messenger.functions.xDomainMessageSender().call()
    # relaying it again by hand is refused: it is not a failed message
    with pytest.raises(ContractLogicError, match="message cannot be replayed"):
        l2_messenger.functions.relayMessage(nonce, alice, target, 0, 100_000, b"\x12\x34").call(
            {"from": base.accounts[0].address}
        )


def test_a_relay_claiming_to_come_from_the_other_messenger_is_not_trusted(devnet: Devnet) -> None:
    base = devnet.evm("base")
    l2_messenger = messenger(devnet, "base", "L2CrossDomainMessenger")
    forged_sender = devnet.system_contracts("base")["L1CrossDomainMessenger"]
    with pytest.raises(ContractLogicError, match="message cannot be replayed"):
        l2_messenger.functions.relayMessage(
            1 << 240, forged_sender, base.accounts[1].address, 0, 0, b""
        ).call({"from": base.accounts[0].address})
    with pytest.raises(ContractLogicError, match="value must be zero"):
        l2_messenger.functions.relayMessage(
            1 << 240, forged_sender, base.accounts[1].address, 1, 0, b""
        ).call({"from": base.accounts[0].address, "value": 1})


def test_a_failed_message_is_replayable_once(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    l1_messenger = messenger(devnet, "base", "L1CrossDomainMessenger")
    alice = l1.accounts[5].address
    checker = deploy(base, _sender_checking_target(picky=True))
    nonce = l1_messenger.functions.messageNonce().call()
    l1_messenger.functions.sendMessage(checker, b"", 5_000).transact({"from": alice})
    devnet.advance(4)
    (record,) = devnet.messages("deposit")
    assert record.status == MessageStatus.FAILED and record.detail["messenger"] == "failed"
    l2_messenger = messenger(devnet, "base", "L2CrossDomainMessenger")
    message_hash = keccak(
        bytes.fromhex(
            l2_messenger.functions.relayMessage(
                nonce, alice, checker, 0, 5_000, b""
            )._encode_transaction_data()[2:]
        )
    )
    assert l2_messenger.functions.failedMessages(message_hash).call()
    assert base.w3.eth.get_storage_at(checker, 0) == b"\x00" * 32
    base.w3.eth.send_transaction(
        {"from": base.accounts[2].address, "to": checker, "value": 1, "gas": 100_000}
    )
    replay = l2_messenger.functions.relayMessage(nonce, alice, checker, 0, 5_000, b"")
    receipt = base.w3.eth.get_transaction_receipt(
        replay.transact({"from": base.accounts[2].address, "gas": 500_000})
    )
    (relayed,) = l2_messenger.events.RelayedMessage().process_receipt(receipt)
    assert relayed["args"]["msgHash"] == message_hash
    assert base.w3.eth.get_storage_at(checker, 0)[-20:].hex() == alice[2:].lower()
    with pytest.raises(ContractLogicError, match="message has already been relayed"):
        replay.call({"from": base.accounts[2].address, "gas": 500_000})


def test_base_to_l1_message_is_relayed_when_the_withdrawal_finalizes(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    target = deploy(l1, _sender_checking_target())
    bob = base.accounts[6].address
    l2_messenger = messenger(devnet, "base", "L2CrossDomainMessenger")
    receipt = base.w3.eth.get_transaction_receipt(
        l2_messenger.functions.sendMessage(target, b"", 100_000).transact({"from": bob})
    )
    (sent,) = l2_messenger.events.SentMessage().process_receipt(receipt)
    assert sent["args"]["sender"] == bob
    devnet.advance(60)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.RELAYED and record.detail["messenger"] == "relayed"
    assert record.detail["withdrawal"]["sender"] == "0x4200000000000000000000000000000000000007"
    assert l1.w3.eth.get_storage_at(target, 0)[-20:].hex() == bob[2:].lower()
    assert (
        l1.w3.eth.get_storage_at(target, 1)[-20:].hex()
        == devnet.system_contracts("base")["L1CrossDomainMessenger"][2:].lower()
    )
    assert contract(devnet, "base", "OptimismPortal").functions.l2Sender().call() == (
        "0x000000000000000000000000000000000000dEaD"
    )
