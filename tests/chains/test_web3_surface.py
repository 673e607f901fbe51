"""web3.py against chain.w3, as against a node: deploy, receipts, logs, gas estimates, fees."""

from __future__ import annotations

import pytest
from chain_helpers import EMIT_RUNTIME, GWEI, checksum, init_code
from web3.exceptions import TransactionNotFound

from cortensor_sim.chains import Devnet


def _deploy_emitter(chain) -> str:
    w3 = chain.w3
    factory = w3.eth.contract(abi=[], bytecode=init_code(EMIT_RUNTIME))
    tx_hash = factory.constructor().transact({"from": w3.eth.accounts[0]})
    if chain.mining == "interval":
        chain.mine()
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    assert receipt["transactionHash"] == tx_hash
    assert receipt["from"] == w3.eth.accounts[0]
    assert receipt["to"] is None
    assert w3.eth.get_code(receipt["contractAddress"]) == EMIT_RUNTIME
    return receipt["contractAddress"]


@pytest.mark.parametrize("name", ["base", "arbitrum"])
def test_contract_deploy_and_logs_filtered_by_address_and_topic(devnet: Devnet, name) -> None:
    chain = devnet.evm(name)
    w3 = chain.w3
    assert w3.is_connected()
    assert w3.eth.accounts[0] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    first, second = _deploy_emitter(chain), _deploy_emitter(chain)
    start = w3.eth.block_number
    senders = w3.eth.accounts[:2]
    topic_a, topic_b = b"\x0a" * 32, b"\x0b" * 32
    hex_a, hex_b = "0x" + topic_a.hex(), "0x" + topic_b.hex()
    sent = []
    for contract, topic, sender in [
        (first, topic_a, senders[0]),
        (first, topic_b, senders[1]),
        (second, topic_a, senders[0]),
        (first, topic_a, senders[1]),
    ]:
        tx_hash = w3.eth.send_transaction({"from": sender, "to": contract, "data": topic})
        sent.append(tx_hash)
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        assert len(receipt["logs"]) == 1
        log = receipt["logs"][0]
        assert log["address"] == contract
        assert log["topics"] == [topic, bytes(12) + bytes.fromhex(sender[2:])]
    end = w3.eth.block_number
    assert end == start + 4

    all_logs = w3.eth.get_logs({"fromBlock": start + 1, "toBlock": end})
    assert [log["transactionHash"] for log in all_logs] == sent
    by_address = w3.eth.get_logs({"fromBlock": start + 1, "toBlock": "latest", "address": first})
    assert [log["transactionHash"] for log in by_address] == [sent[0], sent[1], sent[3]]
    by_topic = w3.eth.get_logs({"fromBlock": start + 1, "toBlock": end, "topics": [hex_a]})
    assert [log["transactionHash"] for log in by_topic] == [sent[0], sent[2], sent[3]]
    sender_topic = "0x" + (bytes(12) + bytes.fromhex(senders[1][2:])).hex()
    both = w3.eth.get_logs(
        {"fromBlock": start + 1, "toBlock": end, "address": [first], "topics": [[hex_a, hex_b], sender_topic]}
    )
    assert [log["transactionHash"] for log in both] == [sent[1], sent[3]]
    narrow = w3.eth.get_logs({"fromBlock": start + 2, "toBlock": start + 3})
    assert [log["transactionHash"] for log in narrow] == sent[1:3]
    assert w3.eth.get_logs({"fromBlock": 0, "toBlock": start}) == []


def test_estimate_gas_is_enough_and_close(devnet: Devnet) -> None:
    chain = devnet.evm("base")
    w3 = chain.w3
    contract = _deploy_emitter(chain)
    sender = w3.eth.accounts[3]
    transfer = w3.eth.estimate_gas({"from": sender, "to": checksum(b"\x51" * 20), "value": 1})
    assert 21_000 <= transfer <= 22_000
    call = {"from": sender, "to": contract, "data": b"\x01" * 32}
    estimate = w3.eth.estimate_gas(call)
    tx_hash = w3.eth.send_transaction({**call, "gas": estimate})
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= estimate <= receipt["gasUsed"] * 1.1 + 3_000


def test_fee_history_and_gas_price(devnet: Devnet) -> None:
    chain = devnet.evm("l1")
    w3 = chain.w3
    devnet.advance(12 * 5)
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": checksum(b"\x52" * 20), "value": 1})
    head = w3.eth.block_number
    history = w3.eth.fee_history(4, "latest", [25, 75])
    assert history["oldestBlock"] == head - 3
    assert len(history["baseFeePerGas"]) == 5
    assert len(history["gasUsedRatio"]) == 4
    assert history["gasUsedRatio"][-1] > 0
    assert all(r == 0 for r in history["gasUsedRatio"][:-1])
    assert len(history["reward"]) == 4 and all(len(r) == 2 for r in history["reward"])
    latest = w3.eth.get_block("latest")
    assert history["baseFeePerGas"][-2] == latest["baseFeePerGas"]
    assert w3.eth.gas_price == latest["baseFeePerGas"] + GWEI
    assert w3.eth.max_priority_fee == GWEI


def test_pending_transaction_has_no_receipt_yet(interval_devnet: Devnet) -> None:
    chain = interval_devnet.evm("l1")
    w3 = chain.w3
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": checksum(b"\x53" * 20), "value": 1})
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction_receipt(tx_hash)
    interval_devnet.advance(12)
    assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=1)["blockNumber"] == 1


def test_get_logs_accepts_hexbytes_topics_and_block_hash(devnet: Devnet) -> None:
    chain = devnet.evm("base")
    w3 = chain.w3
    contract = _deploy_emitter(chain)
    topic = w3.keccak(text="Ping()")
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": contract, "data": topic})
    block_hash = w3.eth.get_transaction_receipt(tx_hash)["blockHash"]
    by_topic = w3.eth.get_logs({"fromBlock": 0, "topics": [topic]})
    assert [log["transactionHash"] for log in by_topic] == [tx_hash]
    by_block = w3.eth.get_logs({"blockHash": block_hash})
    assert [log["transactionHash"] for log in by_block] == [tx_hash]


def test_a_call_whose_value_the_sender_cannot_pay_says_so(devnet: Devnet) -> None:
    """Without ``from`` (the zero address, no balance), a call or estimate that moves value fails
    with an error that says why, on every engine, not a malformed-params error."""
    w3 = devnet.evm("l1").w3
    request = {"to": "0x" + "11" * 20, "value": hex(10**30)}
    for method, params in (("eth_estimateGas", [request]), ("eth_call", [request, "latest"])):
        response = w3.provider.make_request(method, params)  # type: ignore[arg-type]
        error = response["error"]
        assert error["code"] != -32602, error
        assert "insufficient" in error["message"].lower() or "funds" in error["message"].lower(), error


def test_a_call_of_creation_code_answers_what_the_init_code_returns(devnet: Devnet) -> None:
    """``eth_call`` without ``to`` runs the init code and answers the bytes it returns (the new
    contract's code), as geth and anvil do: viem's deployless multicall reads its results so."""
    w3 = devnet.evm("l1").w3
    returns_42 = bytes.fromhex("602a60005260206000f3")  # MSTORE(0, 42); RETURN(0, 32)
    assert w3.eth.call({"data": returns_42}) == (42).to_bytes(32, "big")
    returns_nothing = bytes.fromhex("60006000f3")  # RETURN(0, 0)
    assert w3.eth.call({"data": returns_nothing}) == b""
