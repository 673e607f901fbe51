"""Nitro's parent-side contracts on l1 (Bridge, Inbox, Outbox, Rollup) with the validator, the
delayed-inbox reader and the outbox executor driven on the clock: deposits, withdrawals, assertions,
and each refusal."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from nitro_helpers import ETH, NitroRollup, events, expect_revert
from web3 import Web3

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.actors import execute_transaction_data, outbox_proof, outgoing_messages
from cortensor_sim.rollups.nitro.aliasing import apply_alias
from cortensor_sim.rollups.nitro.transactions import ActorTransactionError, send

ARBSYS_ADDRESS = Web3.to_checksum_address(ARBSYS)
WITHDRAW_ETH_ABI = [
    {
        "type": "function",
        "name": "withdrawEth",
        "inputs": [{"type": "address", "name": "destination"}],
        "outputs": [{"type": "uint256", "name": ""}],
        "stateMutability": "payable",
    }
]

PARENT_BASEFEE_ON_REVM = (
    "the parent (l1) runs on revm too, where BASEFEE reads 0 (pyrevm zeroes the block's base fee; "
    "docs/engines.md), so the Inbox prices the message's L1 base fee at 0"
)


def _deposit(rollup: NitroRollup, user: str, amount: int) -> dict:
    inbox = rollup.contract("Inbox")
    tx = inbox.functions.depositEth().transact({"from": user, "value": amount})
    return rollup.parent.w3.eth.get_transaction_receipt(tx)


def _withdraw(rollup: NitroRollup, user: str, amount: int) -> dict:
    arbsys = rollup.child.w3.eth.contract(address=ARBSYS_ADDRESS, abi=WITHDRAW_ETH_ABI)
    tx = arbsys.functions.withdrawEth(user).transact({"from": user, "value": amount})
    return rollup.child.w3.eth.get_transaction_receipt(tx)


def test_eth_deposit_is_delivered_with_the_specified_events_and_minted_on_the_child(
    rollup: NitroRollup,
    nitro_engine: str,
) -> None:
    if nitro_engine == "revm":
        pytest.skip(PARENT_BASEFEE_ON_REVM)
    user = rollup.parent.accounts[1].address
    child_before = rollup.child.balance(user)
    receipt = _deposit(rollup, user, 3 * ETH)
    bridge, inbox = rollup.contract("Bridge"), rollup.contract("Inbox")
    (delivered,) = events(bridge, "MessageDelivered", receipt)
    assert delivered["messageIndex"] == 0 and delivered["beforeInboxAcc"] == b"\x00" * 32
    assert delivered["inbox"] == inbox.address and delivered["kind"] == 12
    assert delivered["sender"] == Web3.to_checksum_address(apply_alias(bytes.fromhex(user[2:])))
    body = bytes.fromhex(user[2:]) + (3 * ETH).to_bytes(32, "big")
    assert delivered["messageDataHash"] == keccak(body)
    block = rollup.parent.w3.eth.get_block(receipt["blockNumber"])
    assert delivered["timestamp"] == block["timestamp"] and delivered["baseFeeL1"] == block["baseFeePerGas"]
    (message,) = events(inbox, "InboxMessageDelivered", receipt)
    assert message == {"messageNum": 0, "data": body}
    assert rollup.parent.balance(bridge.address) == 3 * ETH
    assert bridge.functions.delayedMessageCount().call() == 1

    rollup.drive(1, [rollup.reader])
    assert rollup.child.balance(user) == child_before + 3 * ETH
    assert rollup.reader.messages_read == 1


def test_eth_withdrawal_executes_through_the_outbox_once_confirmed(rollup: NitroRollup) -> None:
    user = rollup.parent.accounts[1].address
    _deposit(rollup, user, 2 * ETH)
    rollup.drive(1)
    _withdraw(rollup, user, ETH)
    l1_before = rollup.parent.balance(user)
    outbox = rollup.contract("Outbox")

    rollup.drive(12, [rollup.reader, rollup.validator])  # asserted, not confirmed yet
    (pending,) = [a for a in rollup.validator.assertions if a.send_count == 1]
    assert not pending.confirmed
    (message,) = outgoing_messages(rollup.child)
    data = execute_transaction_data(outbox_proof(rollup.child, 1, 0), message)
    with pytest.raises(ActorTransactionError, match="would revert"):
        send(rollup.parent, rollup.parent.accounts[9], outbox.address, data)

    rollup.drive(48)  # confirm period passes; the validator confirms; the executor executes
    assert pending.confirmed
    assert rollup.executor.executed == {0}
    assert rollup.parent.balance(user) == l1_before + ETH
    assert rollup.parent.balance(rollup.contracts.bridge) == ETH
    assert outbox.functions.isSpent(0).call()
    assert outbox.functions.l2ToL1Sender().call() == "0x" + "00" * 20
    assert outbox.functions.roots(pending.send_root).call() == pending.block_hash
    logs = outbox.events.OutBoxTransactionExecuted().get_logs(from_block=0)
    assert [
        (e["args"]["to"], e["args"]["l2Sender"], e["args"]["zero"], e["args"]["transactionIndex"])
        for e in logs
    ] == [(user, user, 0, 0)]
    # each index once
    expect_revert(
        outbox.functions.executeTransaction(
            [], 0, user, user, message.arb_block, message.eth_block, message.timestamp, message.value, b""
        ),
        {"from": rollup.parent.accounts[2].address},
        "AlreadySpent(uint256)",
        0,
    )


def _probe_and_receiver(rollup: NitroRollup) -> tuple:
    probe = rollup.child.deploy(load_artifact("NitroProbe"))
    receiver = rollup.parent.deploy(load_artifact("ParentReceiver"), rollup.contracts.bridge, probe.address)
    return probe, receiver


def test_send_tx_to_l1_reaches_a_contract_that_authenticates_the_l2_sender(rollup: NitroRollup) -> None:
    probe, receiver = _probe_and_receiver(rollup)
    impostor = rollup.child.deploy(load_artifact("NitroProbe"))
    payload = receiver.functions.receiveFromChild(b"hello")._encode_transaction_data()
    user = rollup.child.accounts[0].address
    probe.functions.sendToParent(receiver.address, bytes.fromhex(payload[2:])).transact({"from": user})
    impostor.functions.sendToParent(receiver.address, bytes.fromhex(payload[2:])).transact({"from": user})
    rollup.drive(60, [rollup.reader, rollup.validator])
    confirmed = rollup.validator.latest_confirmed()
    assert confirmed is not None and confirmed.send_count == 2
    genuine, forged = outgoing_messages(rollup.child)
    outbox = rollup.contract("Outbox")
    executor = rollup.parent.accounts[9]
    tx = send(
        rollup.parent,
        executor,
        outbox.address,
        execute_transaction_data(outbox_proof(rollup.child, 2, 0), genuine),
    )
    (received,) = events(receiver, "Received", rollup.parent.w3.eth.get_transaction_receipt(tx))
    assert received["l2Sender"] == probe.address and received["payload"] == b"hello"
    # the receiver refuses a message sent by any other child contract, and any direct call
    with pytest.raises(
        ActorTransactionError, match=Web3.keccak(text="WrongL2Sender(address,address)")[:4].hex()
    ):
        send(
            rollup.parent,
            executor,
            outbox.address,
            execute_transaction_data(outbox_proof(rollup.child, 2, 1), forged),
        )
    expect_revert(
        receiver.functions.receiveFromChild(b"x"),
        {"from": executor.address},
        "NotBridge(address)",
        executor.address,
    )
    assert receiver.functions.received().call() == 1


def test_each_bad_outbox_proof_is_refused(rollup: NitroRollup) -> None:
    user = rollup.child.accounts[0].address
    _deposit(rollup, user, 2 * ETH)
    rollup.drive(1)
    for _ in range(3):
        _withdraw(rollup, user, ETH // 4)
    rollup.drive(60, [rollup.reader, rollup.validator])
    confirmed = rollup.validator.latest_confirmed()
    assert confirmed is not None and confirmed.send_count == 3
    messages = outgoing_messages(rollup.child)
    outbox = rollup.contract("Outbox")
    sender = {"from": rollup.parent.accounts[2].address}

    def execute(proof: list[bytes], index: int, message, **override):  # type: ignore[no-untyped-def]
        fields = {
            "l2Sender": Web3.to_checksum_address(message.caller),
            "to": Web3.to_checksum_address(message.destination),
            "l2Block": message.arb_block, "l1Block": message.eth_block, "l2Timestamp": message.timestamp,
            "value": message.value, "data": message.data,
        } | override  # fmt: skip
        return outbox.functions.executeTransaction(proof, index, *fields.values())

    good = outbox_proof(rollup.child, 3, 1)
    tampered = [good[0], b"\x01" * 32]
    calc = outbox.functions.calculateMerkleRoot(tampered, 1, messages[1].send_hash).call()
    expect_revert(execute(tampered, 1, messages[1]), sender, "UnknownRoot(bytes32)", calc)
    foreign = outbox_proof(rollup.child, 3, 2)  # another message's proof
    expect_revert(execute(foreign, 1, messages[1]), sender, "UnknownRoot(bytes32)")
    expect_revert(
        execute(good, 1, messages[1], l2Sender=rollup.child.accounts[5].address),
        sender,
        "UnknownRoot(bytes32)",
    )
    expect_revert(execute(good, 1, messages[1], value=ETH), sender, "UnknownRoot(bytes32)")
    expect_revert(execute(good, 5, messages[1]), sender, "PathNotMinimal(uint256,uint256)", 5, 4)
    expect_revert(execute([b"\x00" * 32] * 256, 0, messages[1]), sender, "ProofTooLong(uint256)", 256)
    tx = execute(good, 1, messages[1]).transact(sender)
    assert rollup.parent.w3.eth.get_transaction_receipt(tx)["status"] == 1


def test_a_rejected_assertion_keeps_its_messages_locked_until_a_valid_one_confirms(
    rollup: NitroRollup,
) -> None:
    user = rollup.child.accounts[0].address
    _deposit(rollup, user, ETH)
    rollup.drive(1)
    _withdraw(rollup, user, ETH // 2)
    rollup.drive(12, [rollup.reader, rollup.validator])
    (bad,) = [a for a in rollup.validator.assertions if a.send_count == 1]
    rollup_contract = rollup.contract("Rollup")
    challenger = rollup.parent.accounts[7].address
    expect_revert(
        rollup_contract.functions.rejectAssertion(bad.number), {"from": user}, "NotChallenger(address)", user
    )
    rollup_contract.functions.rejectAssertion(bad.number).transact({"from": challenger})
    assert rollup_contract.functions.getAssertion(bad.number).call()[-1] == 3  # Rejected
    expect_revert(
        rollup_contract.functions.confirmAssertion(bad.number), {"from": user}, "NotPending(uint64,uint8)"
    )
    message = outgoing_messages(rollup.child)[0]
    data = execute_transaction_data(outbox_proof(rollup.child, 1, 0), message)
    with pytest.raises(ActorTransactionError, match="would revert"):
        send(rollup.parent, rollup.parent.accounts[9], rollup.contracts.outbox, data)
    # the validator asserts again; once that confirms, the message executes
    rollup.child.w3.eth.send_transaction({"from": user, "to": user, "value": 1})  # a new child block
    rollup.drive(120, step=4)
    assert bad not in rollup.validator.assertions  # the validator saw it rejected and moved on
    assert rollup.executor.executed == {0}


def test_rollup_refusals(rollup: NitroRollup) -> None:
    rollup_contract = rollup.contract("Rollup")
    validator = rollup.validator.account.address
    stranger = rollup.parent.accounts[3].address
    zero = b"\x00" * 32
    expect_revert(
        rollup_contract.functions.createAssertion(zero, zero, 0, 1),
        {"from": stranger},
        "NotValidator(address)",
        stranger,
    )
    expect_revert(
        rollup_contract.functions.createAssertion(zero, zero, 5, 1),
        {"from": validator},
        "InboxNotAdvancing(uint64,uint256)",
        5,
        0,
    )
    rollup_contract.functions.createAssertion(zero, zero, 0, 1).transact({"from": validator})
    created = rollup_contract.functions.getAssertion(1).call()[5]
    expect_revert(
        rollup_contract.functions.confirmAssertion(1),
        {"from": stranger},
        "ConfirmPeriodNotOver(uint64,uint256)",
        1,
        created + 2,
    )
    expect_revert(
        rollup_contract.functions.confirmAssertion(7), {"from": stranger}, "NoSuchAssertion(uint64)", 7
    )
    rollup.devnet.advance(36)
    expect_revert(
        rollup_contract.functions.rejectAssertion(1), {"from": rollup.parent.accounts[7].address},
        "ChallengeWindowOver(uint64,uint256)", 1, created + 2,
    )  # fmt: skip
    rollup_contract.functions.confirmAssertion(1).transact({"from": stranger})
    assert rollup_contract.functions.latestConfirmed().call() == 1


def test_bridge_and_outbox_take_calls_only_from_their_wired_contracts(rollup: NitroRollup) -> None:
    bridge, outbox = rollup.contract("Bridge"), rollup.contract("Outbox")
    stranger = rollup.parent.accounts[3].address
    expect_revert(
        bridge.functions.enqueueDelayedMessage(12, stranger, b"\x00" * 32),
        {"from": stranger},
        "NotDelayedInbox(address)",
        stranger,
    )
    expect_revert(
        bridge.functions.executeCall(stranger, 0, b""), {"from": stranger}, "NotOutbox(address)", stranger
    )
    expect_revert(
        outbox.functions.updateSendRoot(b"\x01" * 32, b"\x02" * 32),
        {"from": stranger},
        "NotRollup(address,address)",
        stranger,
        rollup.contracts.rollup,
    )
    assert bridge.functions.activeOutbox().call() == "0x" + "00" * 20


def test_retryable_creation_refuses_underpayment_and_answers_the_estimation_probe(
    rollup: NitroRollup,
    nitro_engine: str,
) -> None:
    if nitro_engine == "revm":
        pytest.skip(PARENT_BASEFEE_ON_REVM)
    inbox = rollup.contract("Inbox")
    user = rollup.parent.accounts[1].address
    submission = inbox.functions.calculateRetryableSubmissionFee(4, 0).call()
    base_fee = rollup.parent.w3.eth.get_block("latest")["baseFeePerGas"]
    assert submission == (1400 + 6 * 4) * base_fee > 0  # priced off the parent's base fee
    ticket = [user, 5, submission, user, user, 100_000, 10**9, b"\x01\x02\x03\x04"]
    needed = submission + 5 + 100_000 * 10**9
    expect_revert(
        inbox.functions.createRetryableTicket(*ticket),
        {"from": user, "value": needed - 1},
        "InsufficientValue(uint256,uint256)",
        needed,
        needed - 1,
    )
    low = [*ticket[:2], 1, *ticket[3:]]
    expect_revert(
        inbox.functions.createRetryableTicket(*low),
        {"from": user, "value": needed},
        "InsufficientSubmissionCost(uint256,uint256)",
    )
    probe = [*ticket[:5], 1, *ticket[6:]]
    expect_revert(
        inbox.functions.createRetryableTicket(*probe),
        {"from": user, "value": needed},
        "RetryableData(address,address,uint256,uint256,uint256,address,address,uint256,uint256,bytes)",
    )
    tx = inbox.functions.createRetryableTicket(*ticket).transact({"from": user, "value": needed})
    (delivered,) = events(
        rollup.contract("Bridge"), "MessageDelivered", rollup.parent.w3.eth.get_transaction_receipt(tx)
    )
    assert delivered["kind"] == 9


def test_send_l2_message_carries_a_signed_child_transaction(rollup: NitroRollup) -> None:
    sender = Account.from_key(b"\x42" * 32)
    rollup.child.w3.eth.send_transaction(
        {"from": rollup.child.accounts[0].address, "to": sender.address, "value": ETH}
    )
    raw = sender.sign_transaction(
        {"chainId": rollup.child.chain_id, "nonce": 0, "to": rollup.child.accounts[4].address, "value": 12345,
         "gas": 21_000, "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 0, "type": 2}
    ).raw_transaction  # fmt: skip
    inbox = rollup.contract("Inbox")
    before = rollup.child.balance(rollup.child.accounts[4].address)
    inbox.functions.sendL2Message(b"\x04" + bytes(raw)).transact({"from": rollup.parent.accounts[1].address})
    rollup.drive(1, [rollup.reader])
    assert rollup.child.balance(rollup.child.accounts[4].address) == before + 12345
