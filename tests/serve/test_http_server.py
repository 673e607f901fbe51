"""The HTTP side of ``serve``: web3.py's own HTTPProvider against each chain's port."""

from __future__ import annotations

import json
import urllib.request

from serve_helpers import ServedDevnet
from web3 import Web3


def _post(url: str, body: bytes | str, method: str = "POST") -> tuple[int, bytes]:
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_each_chain_answers_on_its_own_port_with_its_chain_id(served: ServedDevnet) -> None:
    expected = {"l1": 900, "base": 901, "arbitrum": 412346, "l3": 333333}
    assert set(served.urls) == set(expected)
    for name, chain_id in expected.items():
        w3 = Web3(Web3.HTTPProvider(served.urls[name]))
        assert w3.is_connected()
        assert w3.eth.chain_id == chain_id
        assert w3.net.version == str(chain_id)


def test_web3_http_provider_transfers_and_reads_back(served: ServedDevnet) -> None:
    w3 = Web3(Web3.HTTPProvider(served.urls["base"]))
    sender, receiver = w3.eth.accounts[:2]
    before = w3.eth.get_balance(receiver)
    tx_hash = w3.eth.send_transaction({"from": sender, "to": receiver, "value": 10**18})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert receipt["status"] == 1 and receipt["gasUsed"] == 21_000
    assert w3.eth.get_balance(receiver) == before + 10**18
    # The same state is what the in-process chain shows.
    height = served.on_loop(lambda: served.server.devnet.evm("base").height)
    assert w3.eth.block_number == height == receipt["blockNumber"]


def test_batches_over_http(served: ServedDevnet) -> None:
    url = served.urls["l1"]
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId", "params": []} for i in range(50)]
    status, body = _post(url, json.dumps(batch))
    answers = json.loads(body)
    assert status == 200 and [a["id"] for a in answers] == list(range(50))
    assert {a["result"] for a in answers} == {hex(900)}


def test_time_methods_move_every_chain(served: ServedDevnet) -> None:
    l1 = Web3(Web3.HTTPProvider(served.urls["l1"]))
    base = Web3(Web3.HTTPProvider(served.urls["base"]))
    start = l1.eth.get_block("latest")["timestamp"]
    assert l1.provider.make_request("evm_increaseTime", [3600])["result"] == hex(3600)
    # A slot chain seals its slots as the one clock moves: both l1 and base moved an hour.
    assert l1.eth.get_block("latest")["timestamp"] == start + 3600
    assert base.eth.get_block("latest")["timestamp"] == start + 3600
    clock = base.provider.make_request("cortensor_clock", [])["result"]
    assert clock["nowMs"] == (start + 3600) * 1000


def test_snapshot_and_revert_cover_every_chain(served: ServedDevnet) -> None:
    l1 = Web3(Web3.HTTPProvider(served.urls["l1"]))
    arbitrum = Web3(Web3.HTTPProvider(served.urls["arbitrum"]))
    snapshot = l1.provider.make_request("evm_snapshot", [])["result"]
    sender, receiver = arbitrum.eth.accounts[:2]
    arbitrum.eth.send_transaction({"from": sender, "to": receiver, "value": 1})
    l1.provider.make_request("evm_increaseTime", [120])
    assert arbitrum.eth.block_number == 1
    # l1 sealed its ten slots (and the settlement engine's proposals, blocks of their own)
    assert l1.eth.get_block("latest").timestamp == l1.eth.get_block(0).timestamp + 120
    assert l1.eth.block_number >= 10
    assert arbitrum.provider.make_request("evm_revert", [snapshot])["result"] is True
    assert arbitrum.eth.block_number == 0 and l1.eth.block_number == 0


def test_dev_methods_write_state_on_request(served: ServedDevnet) -> None:
    w3 = Web3(Web3.HTTPProvider(served.urls["l3"]))
    target = "0x" + "ab" * 20
    w3.provider.make_request("anvil_setBalance", [target, hex(5 * 10**18)])
    w3.provider.make_request("hardhat_setCode", [target, "0x6001600055"])
    w3.provider.make_request("anvil_setStorageAt", [target, "0x1", "0x" + "00" * 31 + "07"])
    w3.provider.make_request("anvil_setNonce", [target, "0x9"])
    checksum = Web3.to_checksum_address(target)
    assert w3.eth.get_balance(checksum) == 5 * 10**18
    assert w3.eth.get_code(checksum).hex() == "6001600055"
    assert int(w3.eth.get_storage_at(checksum, 1).hex(), 16) == 7
    assert w3.eth.get_transaction_count(checksum) == 9
    # The next block is built on the written state: a call to the new code stores 1 in slot 0.
    sender = w3.eth.accounts[0]
    w3.eth.send_transaction({"from": sender, "to": checksum, "gas": 100_000})
    assert int(w3.eth.get_storage_at(checksum, 0).hex(), 16) == 1
    assert w3.eth.get_balance(checksum) == 5 * 10**18


def test_dump_and_load_state_over_rpc(served: ServedDevnet) -> None:
    w3 = Web3(Web3.HTTPProvider(served.urls["base"]))
    sender, receiver = w3.eth.accounts[:2]
    dumped = w3.provider.make_request("anvil_dumpState", [])["result"]
    w3.eth.send_transaction({"from": sender, "to": receiver, "value": 1})
    assert w3.eth.block_number == 1
    assert w3.provider.make_request("anvil_loadState", [dumped])["result"] is True
    assert w3.eth.block_number == 0
    tx_hash = w3.eth.send_transaction({"from": sender, "to": receiver, "value": 1})
    assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    refused = w3.provider.make_request("anvil_loadState", ["0x1f8b00"])
    assert refused["error"]["code"] == -32602


def test_non_post_and_preflight(served: ServedDevnet) -> None:
    status, body = _post(served.urls["l1"], b"", method="GET")
    assert status == 405 and json.loads(body)["error"]["code"] == -32600
    status, _ = _post(served.urls["l1"], b"", method="OPTIONS")
    assert status == 204
