"""The dev verbs of the seam on revm (dev writes, impersonation, access lists, revert wording),
each against the py-evm engine doing the same: the serve tests reach them over JSON-RPC, these pin
what they leave in the engine (state roots, snapshots, state files)."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from cortensor_sim.chains.engine import (
    CallRequest,
    EvmEngine,
    ExecutionReverted,
    Genesis,
    GenesisAccount,
)
from cortensor_sim.chains.pyevm.engine import PyEvmEngine

pytest.importorskip("pyrevm")
from cortensor_sim.chains.revm import RevmEngine

CHAIN_ID = 900
START = 1_767_225_600
SIGNER = Account.from_key(b"\x07" * 32)
SENDER = bytes.fromhex(SIGNER.address[2:])
READER = b"\xc0" * 20
STRANGER = b"\x5a" * 20
# mstore(0, sload(0)); return(0, 32)
LOAD_RUNTIME = bytes.fromhex("6000545f5260205ff3")
# sstore(0, 1)
STORE_RUNTIME = bytes.fromhex("6001600055")
# revert(0, 0)
REVERT_RUNTIME = bytes.fromhex("5f5ffd")


def genesis() -> Genesis:
    return Genesis(
        chain_id=CHAIN_ID,
        timestamp=START,
        accounts={
            SENDER: GenesisAccount(balance=10**20),
            READER: GenesisAccount(code=LOAD_RUNTIME, storage={0: 7}),
        },
    )


def both() -> tuple[EvmEngine, EvmEngine]:
    return PyEvmEngine(genesis()), RevmEngine(genesis())


def call_tx(nonce: int, to: bytes, **fields: object) -> bytes:
    tx = {
        "chainId": CHAIN_ID,
        "nonce": nonce,
        "gas": 100_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
        "to": Web3.to_checksum_address(to),
        "type": 2,
        **fields,
    }
    return bytes(SIGNER.sign_transaction(tx).raw_transaction)


def dev_writes(engine: EvmEngine) -> None:
    engine.set_balance(STRANGER, 5 * 10**18)
    engine.set_code(STRANGER, STORE_RUNTIME)
    engine.set_storage(STRANGER, 1, 7)
    engine.set_nonce(STRANGER, 9)


def test_dev_writes_show_at_once_and_the_next_block_builds_on_them_as_on_py_evm() -> None:
    pyevm, revm = both()
    for engine in (pyevm, revm):
        head_root = engine.state_root()
        dev_writes(engine)
        assert engine.get_balance(STRANGER) == 5 * 10**18
        assert engine.get_code(STRANGER) == STORE_RUNTIME
        assert engine.get_storage(STRANGER, 1) == 7 and engine.get_nonce(STRANGER) == 9
        assert engine.state_root() == head_root  # the head keeps its header, as on anvil
        proven = engine.get_proof(STRANGER, [1])  # the newest state, dev writes included
        assert proven.balance == 5 * 10**18 and proven.storage_proof[0].value == 7
        engine.seal_block([call_tx(0, STRANGER)], timestamp=START + 12)
        assert engine.get_storage(STRANGER, 0) == 1
    assert revm.get_block("latest") == pyevm.get_block("latest")
    assert revm.state_root() == pyevm.state_root()
    assert revm.get_proof(STRANGER, [0, 1]) == pyevm.get_proof(STRANGER, [0, 1])


def test_a_snapshot_revert_undoes_later_dev_writes_and_keeps_earlier_ones() -> None:
    """What an ``eth_call`` with state overrides does: writes inside a snapshot, then its revert."""
    pyevm, revm = both()
    for engine in (pyevm, revm):
        engine.set_balance(STRANGER, 10**18)  # before the snapshot: stays
        mark = engine.snapshot()
        engine.set_storage(READER, 0, 42)
        engine.set_balance(STRANGER, 1)
        assert engine.call(CallRequest(to=READER)) == (42).to_bytes(32, "big")
        engine.revert(mark)
        assert engine.call(CallRequest(to=READER)) == (7).to_bytes(32, "big")
        assert engine.get_balance(STRANGER) == 10**18
        engine.seal_block([], timestamp=START + 12)
    # The write before the snapshot reached the tries, the undone ones did not.
    assert revm.get_proof(STRANGER, []).balance == 10**18
    assert revm.state_root() == pyevm.state_root()


def impersonated_transfer(engine: EvmEngine) -> bytes:
    fields = {
        "nonce": 0,
        "to": Web3.to_checksum_address(b"\x77" * 20),
        "value": 5,
        "data": b"",
        "gas": 30_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
    }
    return engine.impersonated_transaction(fields, STRANGER)


def test_an_impersonated_transaction_runs_as_its_sender_and_survives_a_state_file() -> None:
    pyevm, revm = both()
    for engine in (pyevm, revm):
        engine.set_balance(STRANGER, 10**18)
        raw = impersonated_transfer(engine)
        sealed = engine.seal_block([raw], timestamp=START + 12)
        assert not sealed.dropped
        receipt = engine.get_receipt(sealed.tx_hashes[0])
        assert receipt is not None and receipt["status"] == "0x1" and receipt["gasUsed"] == hex(21_000)
        assert engine.get_nonce(STRANGER) == 1
    assert revm.get_block("latest") == pyevm.get_block("latest")
    reloaded = RevmEngine.from_state(revm.export_state())
    transaction = reloaded.get_transaction(sealed.tx_hashes[0])
    assert transaction is not None and transaction["from"].lower() == "0x" + STRANGER.hex()


def test_an_impersonated_transaction_is_refused_by_another_engine() -> None:
    """The placeholder signature recovers no sender: only the engine that made it runs it."""
    first, other = RevmEngine(genesis()), RevmEngine(genesis())
    first.set_balance(STRANGER, 10**18)
    sealed = other.seal_block([impersonated_transfer(first)], timestamp=START + 12)
    assert sealed.tx_hashes == () and len(sealed.dropped) == 1


# sstore(1, caller())
KEEP_CALLER_RUNTIME = bytes.fromhex("3360015500")
CALLBACK = b"\xcb" * 20


def test_a_contract_sends_as_on_py_evm_and_its_code_still_runs_when_called_back() -> None:
    """anvil_impersonateAccount of a contract, and eth_call from one: revm's EIP-3607 check is
    passed (pyrevm 0.3.7 cannot switch it off; see RevmExecutor._let_code_send), and the sender
    keeps its code: CALLBACK calls the sender back, whose code records its caller."""
    pyevm, revm = both()
    # CALLBACK: call(gas(), STRANGER, 0, 0, 0, 0, 0); stop
    callback_runtime = bytes.fromhex("5f5f5f5f5f73" + STRANGER.hex() + "5af15000")
    for engine in (pyevm, revm):
        engine.set_code(STRANGER, KEEP_CALLER_RUNTIME)
        engine.set_balance(STRANGER, 10**18)
        engine.set_code(CALLBACK, callback_runtime)
        assert engine.call(CallRequest(sender=READER, to=STRANGER)) == b""  # eth_call from a contract
        fields = {
            "nonce": 0,
            "to": Web3.to_checksum_address(CALLBACK),
            "value": 0,
            "data": b"",
            "gas": 100_000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 10**9,
        }
        sealed = engine.seal_block([engine.impersonated_transaction(fields, STRANGER)], timestamp=START + 12)
        assert len(sealed.tx_hashes) == 1 and sealed.dropped == ()
        receipt = engine.get_receipt(sealed.tx_hashes[0])
        assert receipt is not None and receipt["status"] == "0x1"
        assert engine.get_storage(STRANGER, 1) == int.from_bytes(CALLBACK, "big")
        assert engine.get_code(STRANGER) == KEEP_CALLER_RUNTIME and engine.get_nonce(STRANGER) == 1
    assert revm.get_block("latest") == pyevm.get_block("latest")
    assert revm.state_root() == pyevm.state_root()
    assert revm.get_proof(STRANGER, [1]) == pyevm.get_proof(STRANGER, [1])


def test_extcodehash_of_a_sending_contract_reads_empty_on_revm_only() -> None:
    """The one trace of the EIP-3607 bypass (docs/engines.md): during its own message, a sender
    with code shows the empty code's hash to EXTCODEHASH on revm; after it, the true one."""
    pyevm, revm = both()
    # sstore(0, extcodehash(caller()))
    hash_of_caller = bytes.fromhex("333f5f5500")
    seen = {}
    for name, engine in (("py-evm", pyevm), ("revm", revm)):
        engine.set_code(STRANGER, KEEP_CALLER_RUNTIME)
        engine.set_balance(STRANGER, 10**18)
        engine.set_code(CALLBACK, hash_of_caller)
        fields = {
            "nonce": 0,
            "to": Web3.to_checksum_address(CALLBACK),
            "value": 0,
            "data": b"",
            "gas": 100_000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 10**9,
        }
        engine.seal_block([engine.impersonated_transaction(fields, STRANGER)], timestamp=START + 12)
        seen[name] = engine.get_storage(CALLBACK, 0).to_bytes(32, "big")
        assert engine.get_proof(STRANGER, []).code_hash == Web3.keccak(KEEP_CALLER_RUNTIME)
    assert seen["py-evm"] == Web3.keccak(KEEP_CALLER_RUNTIME)
    assert seen["revm"] == Web3.keccak(b"")


def test_create_access_list_matches_py_evm() -> None:
    pyevm, revm = both()
    request = CallRequest(sender=SENDER, to=STRANGER)
    for engine in (pyevm, revm):
        engine.set_code(STRANGER, bytes.fromhex("5f5f5f5f73" + READER.hex() + "5afa50") + LOAD_RUNTIME)
    # STRANGER staticcalls READER, which reads its slot 0.
    found = [engine.create_access_list(request) for engine in (pyevm, revm)]
    assert found[0] == found[1]
    assert found[1].entries == ((READER, (0,)),)
    plain = CallRequest(sender=SENDER, to=READER)
    assert revm.create_access_list(plain) == pyevm.create_access_list(plain)
    # The next call starts cold again: revm's executor kept nothing of the list warm.
    assert revm.estimate_gas(request) == pyevm.estimate_gas(request)


def test_a_revert_without_data_says_execution_reverted() -> None:
    pyevm, revm = both()
    for engine in (pyevm, revm):
        engine.set_code(STRANGER, REVERT_RUNTIME)
        with pytest.raises(ExecutionReverted) as raised:
            engine.call(CallRequest(to=STRANGER))
        assert str(raised.value) == "execution reverted" and raised.value.data == b""


def test_a_halt_names_what_stopped_it() -> None:
    """Out of gas is "execution failed: OutOfGas" on both engines (py-evm adds its own detail)."""
    pyevm, revm = both()
    for engine in (pyevm, revm):
        engine.set_code(STRANGER, bytes.fromhex("5b5f56"))  # JUMPDEST; PUSH0; JUMP: loops forever
        with pytest.raises(ExecutionReverted) as raised:
            engine.call(CallRequest(to=STRANGER, gas=50_000))
        assert str(raised.value).startswith("execution failed: OutOfGas") and raised.value.data == b""
