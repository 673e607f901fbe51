"""The execution-API gaps a conformance run found, each closed in the dispatcher and pinned here
through ``chain.w3`` (the same dispatcher the HTTP server puts on a port)."""

from __future__ import annotations

import json

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from hexbytes import HexBytes
from serve_helpers import (
    BALANCE_OF_CALLER_ARG_RUNTIME,
    CALL_THEN_STORE_RUNTIME,
    EMIT_RUNTIME,
    GWEI,
    REVERT_RUNTIME,
    SLOAD_ARG_RUNTIME,
    deploy,
    interval_devnet,
    rpc,
)
from web3.exceptions import ContractLogicError, Web3RPCError

from cortensor_sim.chains import Devnet, EvmChain
from cortensor_sim.chains.engines import engine_name

L1_ATTRIBUTES = 1
"""Every block of an OP Stack chain (base) opens with its L1 attributes deposit."""


@pytest.fixture
def base() -> EvmChain:
    """An automine chain: every transaction is sealed at once."""
    return Devnet().evm("base")


@pytest.fixture
def pooled() -> EvmChain:
    """An interval chain: transactions wait in the pool until a block is sealed."""
    return interval_devnet().evm("base")


def _transfer(chain: EvmChain, nonce: int, tip: int, fee: int, value: int = 1) -> bytes:
    account = chain.accounts[0]
    tx = {
        "chainId": chain.chain_id,
        "nonce": nonce,
        "to": chain.accounts[1].address,
        "value": value,
        "gas": 21_000,
        "maxPriorityFeePerGas": tip,
        "maxFeePerGas": fee,
    }
    return bytes(account.sign_transaction(tx).raw_transaction)


def test_pooled_transaction_is_visible_by_hash_until_and_after_its_block(pooled: EvmChain) -> None:
    w3 = pooled.w3
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 7})
    seen = w3.eth.get_transaction(tx_hash)
    assert seen["hash"] == tx_hash
    assert seen["blockHash"] is None and seen["blockNumber"] is None
    assert seen["value"] == 7
    assert rpc(pooled, "eth_getTransactionReceipt", tx_hash.to_0x_hex())["result"] is None
    pooled.mine()
    mined = w3.eth.get_transaction(tx_hash)
    assert mined["blockNumber"] == w3.eth.block_number


def test_same_nonce_with_higher_fees_replaces_the_pooled_transaction(pooled: EvmChain) -> None:
    w3 = pooled.w3
    first = w3.eth.send_raw_transaction(_transfer(pooled, 0, GWEI, 10 * GWEI, value=1))
    with pytest.raises(Web3RPCError, match="replacement transaction underpriced"):
        w3.eth.send_raw_transaction(_transfer(pooled, 0, GWEI * 105 // 100, 11 * GWEI, value=2))
    second = w3.eth.send_raw_transaction(_transfer(pooled, 0, 2 * GWEI, 20 * GWEI, value=3))
    assert pooled.pending == 1
    assert w3.eth.get_transaction(second)["value"] == 3
    assert rpc(pooled, "eth_getTransactionByHash", first.to_0x_hex())["result"] is None
    block = pooled.mine()
    assert block.tx_hashes[L1_ATTRIBUTES:] == (bytes(second),)
    assert w3.eth.get_transaction_count(pooled.accounts[0].address) == 1


def test_same_nonce_on_an_automine_chain_is_still_nonce_too_low(base: EvmChain) -> None:
    base.w3.eth.send_raw_transaction(_transfer(base, 0, GWEI, 10 * GWEI))
    with pytest.raises(Web3RPCError, match="nonce too low"):
        base.w3.eth.send_raw_transaction(_transfer(base, 0, 5 * GWEI, 50 * GWEI))


def test_pending_tag_reads_the_pending_block(pooled: EvmChain) -> None:
    w3 = pooled.w3
    receiver = "0x" + "42" * 20
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": receiver, "value": 5})
    assert w3.eth.get_balance(receiver) == 0
    assert w3.eth.get_balance(receiver, "pending") == 5
    pending = w3.eth.get_block("pending")
    assert pending["number"] == w3.eth.block_number + 1
    assert pending["transactions"] == [tx_hash]
    assert pending["hash"] is None
    assert w3.eth.get_block_transaction_count("pending") == 1
    assert w3.eth.get_transaction_count(w3.eth.accounts[0], "pending") == 1
    # Reading the pending block changed nothing: the pool still waits, latest is as it was.
    assert pooled.pending == 1 and w3.eth.get_balance(receiver) == 0
    pooled.mine()
    assert w3.eth.get_balance(receiver) == 5


def test_revert_without_reason_says_execution_reverted(base: EvmChain) -> None:
    target = deploy(base, REVERT_RUNTIME)
    answer = rpc(base, "eth_call", {"to": target}, "latest")
    assert answer["error"] == {"code": 3, "message": "execution reverted", "data": "0x"}
    with pytest.raises(ContractLogicError, match="execution reverted"):
        base.w3.eth.call({"to": target})


def test_get_logs_with_from_after_to_is_an_error(base: EvmChain) -> None:
    base.w3.eth.send_transaction({"from": base.accounts[0].address, "to": base.accounts[1].address})
    answer = rpc(base, "eth_getLogs", {"fromBlock": "0x1", "toBlock": "0x0"})
    assert answer["error"]["code"] == -32602
    assert "fromBlock 1 is after toBlock 0" in answer["error"]["message"]


def test_estimate_gas_is_exact(base: EvmChain) -> None:
    w3 = base.w3
    sender, receiver = w3.eth.accounts[:2]
    assert w3.eth.estimate_gas({"from": sender, "to": receiver, "value": 1}) == 21_000
    caller, callee = deploy(base, CALL_THEN_STORE_RUNTIME), deploy(base, EMIT_RUNTIME)
    call = {"from": sender, "to": caller, "data": "0x" + "00" * 12 + callee[2:]}
    estimate = w3.eth.estimate_gas(call)
    # Exact: the estimate succeeds and one gas less does not (the nested call runs out).
    assert rpc(base, "eth_call", call | {"gas": hex(estimate)}, "latest")["result"] == "0x"
    assert "error" in rpc(base, "eth_call", call | {"gas": hex(estimate - 1)}, "latest")


def test_state_overrides_apply_to_the_call_and_leave_no_trace(base: EvmChain) -> None:
    w3 = base.w3
    probe = deploy(base, BALANCE_OF_CALLER_ARG_RUNTIME)
    somebody = "0x" + "77" * 20
    arg = "0x" + "00" * 12 + "77" * 20
    overrides = {somebody: {"balance": hex(123)}}
    assert int(w3.eth.call({"to": probe, "data": arg}, "latest", overrides).hex(), 16) == 123
    assert int(w3.eth.call({"to": probe, "data": arg}).hex(), 16) == 0
    # Code and storage: run SLOAD_ARG's code at an empty address, with one slot written.
    empty = "0x" + "99" * 20
    code_and_slot = {
        empty: {
            "code": "0x" + SLOAD_ARG_RUNTIME.hex(),
            "stateDiff": {"0x" + "00" * 31 + "05": "0x" + "00" * 31 + "2a"},
        }
    }
    answer = w3.eth.call({"to": empty, "data": "0x" + "00" * 31 + "05"}, "latest", code_and_slot)
    assert int(answer.hex(), 16) == 42
    assert w3.eth.get_code(empty) == b"" and w3.eth.get_balance(somebody) == 0
    estimate = rpc(
        base, "eth_estimateGas", {"to": empty, "data": "0x" + "00" * 31 + "05"}, "latest", code_and_slot
    )
    assert int(estimate["result"], 16) > 21_000


def test_state_overrides_that_cannot_apply_are_refused(base: EvmChain) -> None:
    answer = rpc(base, "eth_call", {"to": "0x" + "99" * 20}, "latest", {"0x" + "99" * 20: {"state": {}}})
    assert answer["error"]["code"] == -32602
    assert "state" in answer["error"]["message"] and "not supported" in answer["error"]["message"]
    answer = rpc(base, "eth_call", {"to": "0x" + "99" * 20}, "0x0", {"0x" + "99" * 20: {"balance": "0x1"}})
    assert "latest block only" in answer["error"]["message"]


def test_create_access_list_names_what_a_call_touches_and_its_gas(base: EvmChain) -> None:
    w3 = base.w3
    sender = w3.eth.accounts[0]
    reader, caller = deploy(base, SLOAD_ARG_RUNTIME), deploy(base, CALL_THEN_STORE_RUNTIME)
    call = {"from": sender, "to": caller, "data": "0x" + "00" * 12 + reader[2:].lower()}
    found = rpc(base, "eth_createAccessList", call, "latest")["result"]
    # The callee and the slot it reads; not the sender, the recipient or the coinbase.
    assert found["accessList"] == [{"address": reader.lower(), "storageKeys": ["0x" + "00" * 32]}]
    # The gas it reports is what the transaction carrying that list uses.
    tx_hash = w3.eth.send_transaction(call | {"accessList": found["accessList"], "gas": 200_000})
    assert w3.eth.get_transaction_receipt(tx_hash)["gasUsed"] == int(found["gasUsed"], 16)
    transfer = {"from": sender, "to": w3.eth.accounts[1], "value": "0x1"}
    assert rpc(base, "eth_createAccessList", transfer)["result"] == {"accessList": [], "gasUsed": hex(21_000)}


def test_block_and_transaction_lookups_by_number_hash_and_index(base: EvmChain) -> None:
    w3 = base.w3
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 1})
    block = w3.eth.get_block("latest")
    index = L1_ATTRIBUTES  # the transfer follows the block's L1 attributes deposit
    assert w3.eth.get_block_transaction_count(block["number"]) == index + 1
    assert w3.eth.get_block_transaction_count(block["hash"]) == index + 1
    assert w3.eth.get_transaction_by_block(block["number"], index)["hash"] == tx_hash
    assert w3.eth.get_transaction_by_block(block["hash"], index)["hash"] == tx_hash
    past_end = rpc(base, "eth_getTransactionByBlockNumberAndIndex", hex(block["number"]), hex(index + 1))
    assert past_end["result"] is None
    receipts = w3.eth.get_block_receipts(block["number"])
    assert [r["transactionHash"] for r in receipts][index:] == [tx_hash]
    raw = w3.eth.get_raw_transaction(tx_hash)
    assert HexBytes(Account.recover_transaction(raw)) == HexBytes(w3.eth.accounts[0])
    assert w3.eth.get_raw_transaction_by_block(block["number"], index) == raw


def test_fees_peers_and_blob_base_fee(base: EvmChain) -> None:
    w3 = base.w3
    assert w3.eth.blob_base_fee == 1
    assert w3.net.peer_count == 0
    history = w3.eth.fee_history(4, "latest", [50])
    assert len(history["baseFeePerGas"]) == len(history["gasUsedRatio"]) + 1
    assert history["reward"] == [[GWEI]] * len(history["gasUsedRatio"])


def test_signing_with_dev_accounts(base: EvmChain) -> None:
    w3 = base.w3
    sender = w3.eth.accounts[0]
    signature = w3.eth.sign(sender, text="hello devnet")
    assert Account.recover_message(encode_defunct(text="hello devnet"), signature=signature) == sender
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"}],
            "Mail": [{"name": "contents", "type": "string"}],
        },
        "primaryType": "Mail",
        "domain": {"name": "devnet", "chainId": base.chain_id},
        "message": {"contents": "hi"},
    }
    for form in (typed, json.dumps(typed)):
        signed = rpc(base, "eth_signTypedData_v4", sender, form)["result"]
        assert Account.recover_message(encode_typed_data(full_message=typed), signature=signed) == sender
    raw = rpc(base, "eth_signTransaction", {"from": sender, "to": w3.eth.accounts[1], "value": "0x5"})[
        "result"
    ]
    assert Account.recover_transaction(raw) == sender
    assert w3.eth.block_number == 0  # signed, not sent


def test_send_transaction_keeps_an_authorization_list(base: EvmChain) -> None:
    w3 = base.w3
    delegate = deploy(base, EMIT_RUNTIME)
    eoa = Account.from_key(b"\x11" * 32)
    authorization = eoa.sign_authorization({"chainId": base.chain_id, "address": delegate, "nonce": 0})
    entry = {
        "chainId": hex(authorization.chain_id),
        "address": delegate,
        "nonce": hex(authorization.nonce),
        "yParity": hex(authorization.y_parity),
        "r": hex(authorization.r),
        "s": hex(authorization.s),
    }
    sender = w3.eth.accounts[0]
    tx = {"from": sender, "to": sender, "gas": hex(100_000), "authorizationList": [entry]}
    if engine_name(base.engine) == "revm":  # Cancun: type-4 is refused by design (docs/engines.md)
        refused = rpc(base, "eth_sendTransaction", tx)["error"]["message"]
        assert "type-4 (EIP-7702 set-code) transactions need Prague" in refused
        return
    tx_hash = rpc(base, "eth_sendTransaction", tx)["result"]
    mined = w3.eth.get_transaction(tx_hash)
    assert mined["type"] == 4
    assert mined["authorizationList"][0]["address"] == delegate
    assert w3.eth.get_code(eoa.address) == HexBytes("0xef0100" + delegate[2:].lower())


def test_block_log_and_pending_filters(pooled: EvmChain) -> None:
    w3 = pooled.w3
    emitter = deploy(pooled, EMIT_RUNTIME)
    blocks = w3.eth.filter("latest")
    pending = w3.eth.filter("pending")
    logs = w3.eth.filter({"address": emitter})
    assert blocks.get_new_entries() == [] and logs.get_new_entries() == []
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": emitter, "data": "0x" + "ab" * 32})
    assert pending.get_new_entries() == [tx_hash]
    assert pending.get_new_entries() == []
    sealed = pooled.mine()
    assert blocks.get_new_entries() == [HexBytes(sealed.hash)]
    new_logs = logs.get_new_entries()
    assert [log["transactionHash"] for log in new_logs] == [tx_hash]
    assert logs.get_new_entries() == []
    assert [log["transactionHash"] for log in logs.get_all_entries()] == [tx_hash]
    assert w3.eth.uninstall_filter(logs.filter_id) is True
    assert w3.eth.uninstall_filter(logs.filter_id) is False
    assert rpc(pooled, "eth_getFilterChanges", logs.filter_id)["error"]["message"] == "filter not found"


def test_batch_requests(base: EvmChain) -> None:
    w3 = base.w3
    sender = w3.eth.accounts[0]
    with w3.batch_requests() as batch:
        batch.add(w3.eth.get_block(0))
        batch.add(w3.eth.get_balance(sender))
        batch.add(w3.eth.chain_id)
        answers = batch.execute()
    assert answers[0]["number"] == 0 and answers[2] == base.chain_id
    assert answers[1] == w3.eth.get_balance(sender)
    mixed = base.w3.provider.rpc.answer(
        [
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
            {"jsonrpc": "2.0", "id": 2, "method": "no_such_method"},
            {"jsonrpc": "2.0", "method": "eth_chainId"},  # a notification: no answer
            7,
        ]
    )
    assert [a.get("id") for a in mixed] == [1, 2, None]
    assert mixed[1]["error"]["code"] == -32601 and mixed[2]["error"]["code"] == -32600
