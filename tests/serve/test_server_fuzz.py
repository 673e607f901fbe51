"""Hostile and malformed requests: each gets a JSON-RPC error, the server stays up, state is unchanged."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serve_helpers import ServedDevnet

from cortensor_sim.chains import Devnet
from cortensor_sim.interfaces.server import DevnetRpc

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
# Methods whose purpose is to change state, and which plausible random params can satisfy (any
# number is a time for evm_increaseTime, evm_mine takes anything), are left out of the random
# requests; the hostile bodies below give them invalid params. The point is that bad input to
# every other method changes nothing.
MUTATING_BY_DESIGN = {
    "evm_mine",
    "evm_snapshot",
    "evm_increaseTime",
    "evm_setNextBlockTimestamp",
    "evm_setAutomine",
    "evm_setIntervalMining",
    "anvil_mine",
    "hardhat_mine",
    "eth_newBlockFilter",
    "eth_newPendingTransactionFilter",
}


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[ServedDevnet]:
    serving = ServedDevnet(Devnet(), automine=True, solana_port=0)
    yield serving
    serving.close()


def _post(url: str, body: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return status, json.loads(text) if text else None


def _fingerprint(served: ServedDevnet) -> tuple[Any, ...]:
    devnet = served.server.devnet
    return served.on_loop(
        lambda: (
            devnet.state_roots(),
            devnet.clock.now_ms,
            tuple(c.height for c in devnet.evm_chains.values()),
        )
    )


def _methods() -> list[str]:
    """Every method a served chain answers, less those that change state whatever they are given."""
    return sorted(set(DevnetRpc(Devnet()).chains["l1"].methods) - MUTATING_BY_DESIGN)


HOSTILE_BODIES = [
    b"",
    b"{",
    b"not json at all",
    b"\xff\xfe\x00garbage",
    b"[" * 100_000 + b"]" * 100_000,  # deep JSON
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"to": [[[[[[[]]]]]]]}]}
    ).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": [[] * 3, {"a": [1] * 1000}]}
    ).encode(),
    json.dumps([]).encode(),
    json.dumps(
        [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(5_000)]
    ).encode(),  # huge batch
    json.dumps({"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"}).encode(),
    json.dumps({"jsonrpc": "2.0", "id": {"nested": 1}, "method": "eth_chainId"}).encode(),
    json.dumps({"jsonrpc": "2.0", "id": 1, "method": 42}).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": {"address": "0x0"}}
    ).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": ["0x" + "ab" * 5000]}
    ).encode(),
    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "evm_increaseTime", "params": [-5]}).encode(),
    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "evm_revert", "params": ["0x99"]}).encode(),
    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "no_such_method", "params": []}).encode(),
    b"12345",
    b"null",
]


def test_hostile_bodies_get_errors_and_change_nothing(fuzzed: ServedDevnet) -> None:
    before = _fingerprint(fuzzed)
    url = fuzzed.urls["l1"]
    for body in HOSTILE_BODIES:
        status, answer = _post(url, body)
        assert status == 200, body[:80]
        answers = answer if isinstance(answer, list) else [answer]
        for one in answers:
            assert one is not None and one.get("result") in (None, False), body[:80]
            if "error" in one:
                assert one["error"]["code"] in (-32700, -32600, -32601, -32602, -32000, -32001, 3)
                assert one["error"]["message"]
    assert _fingerprint(fuzzed) == before
    assert _post(url, b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}') == (
        200,
        {"jsonrpc": "2.0", "id": 1, "result": hex(900)},
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(_methods()), params=st.lists(JSON_VALUES, max_size=4), request_id=JSON_VALUES)
def test_random_params_to_every_method_get_answers_and_change_nothing(
    fuzzed: ServedDevnet, method: str, params: list[Any], request_id: Any
) -> None:
    before = _fingerprint(fuzzed)
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode()
    status, answer = _post(fuzzed.urls["base"], body)
    assert status == 200
    assert isinstance(answer, dict) and ("result" in answer or "error" in answer)
    if "error" in answer:
        assert isinstance(answer["error"]["code"], int) and answer["error"]["message"]
        assert answer["error"]["code"] != -32603, answer  # no internal errors: every bad input is named
    assert _fingerprint(fuzzed) == before, (method, params)


SOLANA_HOSTILE = [
    *HOSTILE_BODIES[:9],
    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getBalance", "params": ["not a key"]}).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": ["!!", {"encoding": "base64"}]}
    ).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": ["AAAA", {"encoding": "base64"}]}
    ).encode(),
    json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "requestAirdrop",
            "params": ["11111111111111111111111111111111", -1],
        }
    ).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "getMultipleAccounts", "params": [["x"] * 1000]}
    ).encode(),
    json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "getMinimumBalanceForRentExemption", "params": [True]}
    ).encode(),
    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getTokenAccountsByOwner", "params": ["x", 5]}).encode(),
]


def test_hostile_bodies_to_the_solana_port_get_errors_and_change_nothing(fuzzed: ServedDevnet) -> None:
    before = _fingerprint(fuzzed)
    url = fuzzed.urls["solana"]
    for body in SOLANA_HOSTILE:
        status, answer = _post(url, body)
        assert status == 200, body[:80]
        for one in answer if isinstance(answer, list) else [answer]:
            assert "error" in one, (body[:80], one)
            assert one["error"]["code"] in (-32700, -32600, -32601, -32602, -32002), one
    assert _fingerprint(fuzzed) == before
    assert _post(url, b'{"jsonrpc":"2.0","id":1,"method":"getHealth"}')[1]["result"] == "ok"
