"""Nitro's rules on revm: ArbSys as EVM code keeps the Python ArbSys's state and gives its answers,
and the context the engine hands the precompiles written as EVM code (ArbOS's block number, deposit,
top-level target, base fee) never reaches the chain's state (docs/engines.md, "Nitro and Orbit
chains on revm")."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from cortensor_sim import Devnet
from cortensor_sim.chains.engine import CallRequest
from cortensor_sim.chains.revm import RevmEngine
from cortensor_sim.chains.revm.precompiles import CONTEXT_SLOTS
from cortensor_sim.rollups.nitro import ARB_GAS_INFO, ARBSYS
from cortensor_sim.rollups.nitro.arbsys import SIZE_SLOT, item_slot, partial_slot

ENGINES = ("py-evm", "revm")
ARBSYS_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "sendTxToL1", "stateMutability": "payable",
     "inputs": [{"type": "address", "name": "destination"}, {"type": "bytes", "name": "data"}],
     "outputs": [{"type": "uint256", "name": ""}]},
    {"type": "function", "name": "withdrawEth", "stateMutability": "payable",
     "inputs": [{"type": "address", "name": "destination"}], "outputs": [{"type": "uint256", "name": ""}]},
    {"type": "function", "name": "arbBlockNumber", "stateMutability": "view", "inputs": [],
     "outputs": [{"type": "uint256", "name": ""}]},
    {"type": "function", "name": "sendMerkleTreeState", "stateMutability": "view", "inputs": [],
     "outputs": [{"type": "uint256", "name": "size"}, {"type": "bytes32", "name": "root"},
                 {"type": "bytes32[]", "name": "partials"}]},
]  # fmt: skip
SENDS = 6


def _topology(engine: str) -> dict[str, Any]:
    return {
        "chains": [
            {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
            {"name": "arb", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 0.25,
             "engine": engine},
        ]
    }  # fmt: skip


def _arbsys(devnet: Devnet) -> Any:
    return devnet.evm("arb").w3.eth.contract(address=Web3.to_checksum_address(ARBSYS), abi=ARBSYS_ABI)


@pytest.fixture(scope="module")
def sent() -> dict[str, tuple[Devnet, list[dict[str, Any]]]]:
    """The same messages to the parent sent on a nitro chain of each engine: (devnet, receipts)."""
    runs = {}
    for engine in ENGINES:
        devnet = Devnet(_topology(engine))
        chain = devnet.evm("arb")
        arbsys = _arbsys(devnet)
        sender, destination = chain.accounts[0].address, chain.accounts[1].address
        receipts = []
        for index in range(SENDS):
            devnet.advance(5)  # L1 moves on between sends: the messages carry different L1 numbers
            if index % 2:
                send = arbsys.functions.withdrawEth(destination)
            else:
                send = arbsys.functions.sendTxToL1(destination, bytes([index]) * (index * 7))
            tx = send.transact({"from": sender, "value": 1_000 + index})
            receipts.append(chain.w3.eth.get_transaction_receipt(tx))
        runs[engine] = (devnet, receipts)
    return runs


def _logs(receipt: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(log["address"], tuple(log["topics"]), log["data"]) for log in receipt["logs"]]


def test_arbsys_emits_the_same_logs_on_both_engines(sent: dict[str, Any]) -> None:
    (_, py_evm), (_, revm) = sent["py-evm"], sent["revm"]
    assert [r["status"] for r in revm] == [1] * SENDS
    assert [_logs(r) for r in revm] == [_logs(r) for r in py_evm]
    # SendMerkleUpdate events as the tree grows: 6 sends complete 4 inner nodes
    assert sum(len(r["logs"]) for r in revm) == SENDS + 4


def test_arbsys_keeps_the_accumulator_in_the_python_arbsys_slots(sent: dict[str, Any]) -> None:
    slots = [SIZE_SLOT, *(partial_slot(level) for level in range(4)), *(item_slot(i) for i in range(SENDS))]
    values = {
        engine: [devnet.evm("arb").engine.get_storage(ARBSYS, slot) for slot in slots]
        for engine, (devnet, _) in sent.items()
    }
    assert values["revm"] == values["py-evm"] and values["revm"][0] == SENDS
    states = {
        engine: _arbsys(devnet).functions.sendMerkleTreeState().call() for engine, (devnet, _) in sent.items()
    }
    assert states["revm"] == states["py-evm"] and states["revm"][0] == SENDS


def test_the_value_sent_to_arbsys_is_burnt(sent: dict[str, Any]) -> None:
    for devnet, _ in sent.values():
        assert devnet.evm("arb").engine.get_balance(ARBSYS) == 0


def test_the_context_never_reaches_the_chains_state(sent: dict[str, Any]) -> None:
    devnet, _ = sent["revm"]
    chain = devnet.evm("arb")
    engine = chain.engine
    assert isinstance(engine, RevmEngine)
    assert _arbsys(devnet).functions.arbBlockNumber().call() == chain.height  # the EVM code saw it
    for address in (ARBSYS, ARB_GAS_INFO):
        assert [engine.get_storage(address, slot) for slot in CONTEXT_SLOTS] == [0] * len(CONTEXT_SLOTS)
        proof = engine.get_proof(address, list(CONTEXT_SLOTS))
        assert [p.value for p in proof.storage_proof] == [0] * len(CONTEXT_SLOTS)
    # A state file holds no context either; the loaded engine hands it over again.
    loaded = RevmEngine.from_state(engine.export_state())
    loaded.install_rules(engine.rules)
    assert loaded.state_root() == engine.state_root()
    number = Web3.keccak(text="arbBlockNumber()")[:4]
    assert int.from_bytes(loaded.call(CallRequest(to=ARBSYS, data=number)), "big") == chain.height


def test_a_nitro_chain_holds_the_same_accounts_on_both_engines() -> None:
    """ArbSys's and ArbGasInfo's EVM code is revm's only: the chain holds 0xFE at 0x64 and 0x6C on
    either engine, so genesis and the blocks built on it have the same state roots and hashes (until
    an ArbSys call, whose gas differs: docs/engines.md)."""
    hashes = {}
    for engine in ENGINES:
        devnet = Devnet(_topology(engine))
        chain = devnet.evm("arb")
        assert [chain.w3.eth.get_code(Web3.to_checksum_address(a)) for a in (ARBSYS, ARB_GAS_INFO)] == [
            b"\xfe",
            b"\xfe",
        ]
        sender, receiver = chain.accounts[0].address, chain.accounts[1].address
        for value in (1, 2, 3):
            devnet.advance(5)
            chain.w3.eth.send_transaction({"from": sender, "to": receiver, "value": value})
        hashes[engine] = [
            (block["hash"], block["stateRoot"])
            for block in (chain.w3.eth.get_block(n) for n in range(chain.height + 1))
        ]
    assert len(hashes["revm"]) > 3 and hashes["revm"] == hashes["py-evm"]
