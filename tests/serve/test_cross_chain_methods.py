"""Cross-chain messages over JSON-RPC: ``cortensor_messages``, ``cortensor_relay`` and
``cortensor_systemContracts`` through web3.py's HTTPProvider, the start-up table of system
contracts, and a deposit then a withdrawal l1 <-> base driven entirely over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from serve_helpers import ServedDevnet
from web3 import Web3

from cortensor_sim.chains import Devnet
from cortensor_sim.interfaces.server.command import system_contracts_table

PASSER = "0x4200000000000000000000000000000000000016"
"""L2ToL1MessagePasser: a plain transfer to it withdraws the value to the sender (docs/opstack.md)."""


def _call(w3: Web3, method: str, *params: Any) -> Any:
    answer = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def _error(w3: Web3, method: str, *params: Any) -> dict[str, Any]:
    answer = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" in answer, answer
    return dict(answer["error"])


def test_system_contracts_by_rollup_and_for_every_rollup(served: ServedDevnet) -> None:
    w3 = Web3(Web3.HTTPProvider(served.urls["l1"]))
    base = _call(w3, "cortensor_systemContracts", "base")
    assert base["L2CrossDomainMessenger"] == "0x4200000000000000000000000000000000000007"
    assert base["L2ToL1MessagePasser"] == PASSER
    assert Web3.is_checksum_address(base["OptimismPortal"])
    assert w3.eth.get_code(base["OptimismPortal"]) != b""  # the portal lives on l1, served here
    every = _call(w3, "cortensor_systemContracts")
    assert every["base"] == base
    refused = _error(w3, "cortensor_systemContracts", "mars")
    assert refused["code"] == -32602 and "no rollup 'mars'" in refused["message"]
    assert "rollups: " in refused["message"]


def test_a_deposit_and_a_withdrawal_driven_entirely_over_json_rpc(served: ServedDevnet) -> None:
    l1 = Web3(Web3.HTTPProvider(served.urls["l1"]))
    base = Web3(Web3.HTTPProvider(served.urls["base"]))
    alice = l1.eth.accounts[3]
    portal = _call(l1, "cortensor_systemContracts", "base")["OptimismPortal"]

    # l1 -> base: a plain transfer to the portal deposits to the sender; under automine the
    # deposit is due at once and cortensor_relay seals the base block that carries it.
    base_before = base.eth.get_balance(alice)
    deposit = l1.eth.send_transaction({"from": alice, "to": portal, "value": 2 * 10**18, "gas": 200_000})
    assert [m["status"] for m in _call(l1, "cortensor_messages", {"kind": "deposit"})] == ["sent"]
    actions = _call(base, "cortensor_relay")
    assert any(a["chain"] == "base" for a in actions)
    (record,) = _call(base, "cortensor_messages", {"kind": "deposit", "status": "relayed"})
    assert record["route"] == "l1 -> base"
    assert record["legs"]["sent"]["transactionHash"] == deposit.to_0x_hex()
    assert base.eth.get_balance(alice) == base_before + 2 * 10**18

    # base -> l1: the withdrawal waits for a proposal, the game and the proof's maturity; moving
    # the one clock past the window lets the engine's actors propose, prove and finalize.
    withdrawal = base.eth.send_transaction({"from": alice, "to": PASSER, "value": 10**18, "gas": 200_000})
    assert base.eth.get_transaction_receipt(withdrawal)["status"] == 1
    (sent,) = _call(l1, "cortensor_messages", {"kind": "withdrawal"})
    assert sent["status"] == "sent" and sent["route"] == "base -> l1"
    l1_before = l1.eth.get_balance(alice)
    _call(l1, "evm_increaseTime", 60)
    (done,) = _call(base, "cortensor_messages", {"kind": "withdrawal", "status": "finalized"})
    assert {"sent", "proposed", "proven", "finalized"} <= set(done["legs"])
    assert int(done["legs"]["finalized"]["blockNumber"], 16) <= l1.eth.block_number
    assert l1.eth.get_balance(alice) == l1_before + 10**18
    assert _call(l1, "cortensor_messages", {"status": "sent"}) == []


def test_a_bad_message_filter_is_a_clear_error(served: ServedDevnet) -> None:
    w3 = Web3(Web3.HTTPProvider(served.urls["base"]))
    bad_status = _error(w3, "cortensor_messages", {"status": "arrived"})
    assert bad_status["code"] == -32602 and "status must be one of sent, included" in bad_status["message"]
    bad_field = _error(w3, "cortensor_messages", {"route": "base -> l1"})
    assert bad_field["code"] == -32602 and '{"kind": ..., "status": ...}' in bad_field["message"]
    assert _error(w3, "cortensor_messages", "deposit")["code"] == -32602
    assert _call(w3, "cortensor_messages") == []


@pytest.mark.parametrize("rollups", [True, False])
def test_the_start_up_table_names_each_rollups_system_contracts(rollups: bool) -> None:
    topology = {"chains": [{"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12}]}
    if rollups:
        topology["chains"].append(
            {"name": "base", "kind": "op-stack", "parent": "l1", "chain_id": 901, "block_time": 2}
        )
    devnet = Devnet(topology)
    table = system_contracts_table(devnet)
    if not rollups:
        assert table is None
        return
    assert table is not None
    console = Console(record=True, width=200)
    console.print(table)
    text = console.export_text()
    portal = devnet.system_contracts("base")["OptimismPortal"]
    (row,) = [line for line in text.splitlines() if " OptimismPortal " in line]
    assert "base" in row.split() and portal in row.split()
    assert PASSER in text
