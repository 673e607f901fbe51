"""The devnet-wide methods every served chain answers: one clock, mining switches, the chain list."""

from __future__ import annotations

from typing import Any

import pytest

from cortensor_sim.chains import Devnet
from cortensor_sim.interfaces.server import DevnetRpc


@pytest.fixture
def rpc() -> DevnetRpc:
    return DevnetRpc(Devnet(), urls={"l1": "http://127.0.0.1:8545"})


def call(rpc: DevnetRpc, chain: str, method: str, *params: Any) -> Any:
    answer = rpc.answer(chain, {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    if "error" in answer:
        raise AssertionError(answer["error"])
    return answer["result"]


def error(rpc: DevnetRpc, chain: str, method: str, *params: Any) -> dict[str, Any]:
    answer = rpc.answer(chain, {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    assert "error" in answer, answer
    return answer["error"]  # type: ignore[no-any-return]


def test_set_next_block_timestamp_moves_the_one_clock_for_every_chain(rpc: DevnetRpc) -> None:
    start = rpc.devnet.clock.now_ms // 1000
    call(rpc, "arbitrum", "evm_setNextBlockTimestamp", hex(start + 24))
    assert rpc.devnet.clock.now_ms == (start + 24) * 1000
    # l1 sealed its slots up to the new time (the settlement engine's proposals add blocks of their own)
    assert int(call(rpc, "l1", "eth_getBlockByNumber", "latest", False)["timestamp"], 16) == start + 24
    call(rpc, "arbitrum", "evm_mine")
    block = call(rpc, "arbitrum", "eth_getBlockByNumber", "latest", False)
    assert int(block["timestamp"], 16) == start + 24
    assert "time never runs back" in error(rpc, "base", "evm_setNextBlockTimestamp", start)["message"]


def test_evm_mine_with_a_timestamp_and_anvil_mine_with_an_interval(rpc: DevnetRpc) -> None:
    start = rpc.devnet.clock.now_ms // 1000
    call(rpc, "l3", "evm_mine", start + 5)
    assert int(call(rpc, "l3", "eth_getBlockByNumber", "latest", False)["timestamp"], 16) == start + 5
    call(rpc, "l3", "anvil_mine", "0x3", "0xa")
    numbers = [call(rpc, "l3", "eth_getBlockByNumber", hex(n), False) for n in (2, 3, 4)]
    assert [int(b["timestamp"], 16) for b in numbers] == [start + 5, start + 15, start + 25]
    assert error(rpc, "l3", "anvil_mine", hex(10**6))["code"] == -32602


def test_automine_and_interval_mining_switch_per_chain(rpc: DevnetRpc) -> None:
    sender, receiver = call(rpc, "base", "eth_accounts")[:2]
    assert call(rpc, "base", "evm_setAutomine", False) is True
    tx_hash = call(rpc, "base", "eth_sendTransaction", {"from": sender, "to": receiver, "value": "0x1"})
    assert call(rpc, "base", "eth_getTransactionReceipt", tx_hash) is None
    assert call(rpc, "l1", "eth_mining") is False  # l1 is still automining
    call(rpc, "base", "evm_setAutomine", True)  # seals what waited
    assert call(rpc, "base", "eth_getTransactionReceipt", tx_hash)["status"] == "0x1"
    assert call(rpc, "base", "evm_setIntervalMining", 2000) is True
    assert rpc.chain("base").mining == "interval"
    refused = error(rpc, "base", "evm_setIntervalMining", 1000)
    assert "block time is 2000 ms" in refused["message"]
    assert error(rpc, "base", "evm_setAutomine", "yes")["code"] == -32602


def test_cortensor_chains_and_clock(rpc: DevnetRpc) -> None:
    chains = call(rpc, "base", "cortensor_chains")
    assert [c["name"] for c in chains] == ["l1", "base", "arbitrum", "l3", "solana"]
    base = chains[1]
    assert base == {
        "name": "base",
        "kind": "op-stack",
        "parent": "l1",
        "chainId": hex(901),
        "blockTimeMs": 2000,
        "url": None,
    }
    assert chains[0]["url"] == "http://127.0.0.1:8545"
    clock = call(rpc, "l1", "cortensor_clock")
    assert clock["nowMs"] == rpc.devnet.clock.now_ms and clock["elapsedSeconds"] == 0
