"""What the revm engine does that the shared chain tests cannot show: its refusals, its choice in
the topology, and the pyrevm behaviour it works around (every transaction starts cold)."""

from __future__ import annotations

import pytest
import rlp
from eth_account import Account
from pydantic import ValidationError
from web3 import Web3
from web3.exceptions import Web3RPCError

from cortensor_sim.chains import Devnet, Topology
from cortensor_sim.chains.engine import CallRequest, EngineError, Genesis, GenesisAccount, InvalidTransaction
from cortensor_sim.chains.engines import ENGINE_VARIABLE, default_engine, engine_class
from cortensor_sim.chains.pyevm.engine import PyEvmEngine
from cortensor_sim.rollups.nitro import ARB_RETRYABLE_TX, ARBSYS, ArbSys

pytest.importorskip("pyrevm")
from cortensor_sim.chains.revm import RevmEngine

CHAIN_ID = 900
SIGNER = Account.from_key(b"\x07" * 32)
SENDER = bytes.fromhex(SIGNER.address[2:])
# mstore(0, sload(0)); return(0, 32): reads a slot, so its first read in a transaction is cold.
LOAD_RUNTIME = bytes.fromhex("6000545f5260205ff3")
CONTRACT = b"\xc0" * 20


def engine() -> RevmEngine:
    return RevmEngine(
        Genesis(
            chain_id=CHAIN_ID,
            timestamp=1_767_225_600,
            accounts={
                SENDER: GenesisAccount(balance=10**20),
                CONTRACT: GenesisAccount(code=LOAD_RUNTIME, storage={0: 7}),
            },
        )
    )


def signed(nonce: int, **fields: object) -> bytes:
    tx = {
        "chainId": CHAIN_ID,
        "nonce": nonce,
        "gas": 60_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
        "to": Web3.to_checksum_address(CONTRACT),
        "type": 2,
        **fields,
    }
    return bytes(SIGNER.sign_transaction(tx).raw_transaction)


def test_every_transaction_starts_cold() -> None:
    """pyrevm keeps what one call touched warm for the next; the engine must not (EIP-2929)."""
    chain = engine()
    sealed = chain.seal_block([signed(0), signed(1)], timestamp=1_767_225_612)
    first, second = (chain.get_receipt(tx_hash) for tx_hash in sealed.tx_hashes)
    assert first is not None and second is not None
    assert first["gasUsed"] == second["gasUsed"]
    # 21,000 + a cold SLOAD (2,100) + the code around it: a warm read would cost 100.
    assert int(first["gasUsed"], 16) > 21_000 + 2_100


def test_an_access_list_warms_its_own_transaction_only() -> None:
    """revm keeps access-listed accounts in its journal past a revert; the engine must not let
    them stay warm (or keep stale slots) for the transactions after."""
    listed = [{"address": Web3.to_checksum_address(CONTRACT), "storageKeys": ["0x" + "00" * 32]}]
    with_list = signed(0, accessList=listed)
    chain = engine()
    sealed = chain.seal_block([with_list, signed(1)], timestamp=1_767_225_612)
    after = chain.get_receipt(sealed.tx_hashes[1])
    fresh = engine()
    alone = fresh.get_receipt(fresh.seal_block([signed(0)], timestamp=1_767_225_612).tx_hashes[0])
    assert after is not None and alone is not None
    assert after["gasUsed"] == alone["gasUsed"]


def test_type_4_transactions_are_refused_with_the_reason() -> None:
    set_code = bytes([4]) + rlp.encode([CHAIN_ID, 0, 1, 1, 21_000, CONTRACT, 0, b"", [], [], 0, 1, 1])
    with pytest.raises(InvalidTransaction, match=r"EIP-7702.*Cancun.*py-evm"):
        engine().decode_transaction(set_code)


def test_type_4_refusal_reaches_a_web3_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VARIABLE, "revm")
    chain = Devnet().evm("l1")
    with pytest.raises(Web3RPCError, match="EIP-7702"):
        chain.w3.eth.send_raw_transaction(
            bytes([4]) + rlp.encode([900, 0, 1, 1, 21_000, b"", 0, b"", [], []])
        )


def test_blob_transactions_are_refused() -> None:
    with pytest.raises(InvalidTransaction, match="blob"):
        engine().decode_transaction(bytes([3]) + rlp.encode([CHAIN_ID]))


def test_calls_at_an_old_block_see_that_blocks_state() -> None:
    chain = engine()
    store = bytes.fromhex("6020356000355500")  # sstore(calldataload(0), calldataload(32))
    init = bytes.fromhex(f"60{len(store):02x}600c60003960{len(store):02x}6000f3") + store
    sealed = chain.seal_block([signed(0, to=None, data=init, gas=100_000)], timestamp=1_767_225_612)
    receipt = chain.get_receipt(sealed.tx_hashes[0])
    assert receipt is not None and receipt["contractAddress"] is not None
    contract = Web3.to_checksum_address(receipt["contractAddress"])
    chain.seal_block(
        [signed(1, to=contract, data=(0).to_bytes(32, "big") + (9).to_bytes(32, "big"))],
        timestamp=1_767_225_624,
    )
    chain.seal_block([signed(2)], timestamp=1_767_225_636)  # CONTRACT's slot 0 reads 7 throughout
    read = CallRequest(to=CONTRACT)
    assert chain.call(read, block=0) == chain.call(read) == (7).to_bytes(32, "big")
    # The stored 9 exists from block 2 on; at block 1 the slot was empty.
    assert chain.get_storage(bytes.fromhex(contract[2:]), 0, 2) == 9
    assert chain.get_storage(bytes.fromhex(contract[2:]), 0, 1) == 0
    balance_then = chain.get_balance(SENDER, 1)
    probe = CallRequest(sender=SENDER, to=CONTRACT, value=balance_then)
    chain.call(probe, block=1)  # the whole balance of then is still spendable at block 1
    with pytest.raises(EngineError, match="InsufficientFunds"):
        chain.call(probe)


def test_a_topology_picks_the_engine_per_chain() -> None:
    devnet = Devnet(
        {
            "chains": [
                {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12, "engine": "py-evm"},
                {
                    "name": "op",
                    "kind": "op-stack",
                    "parent": "l1",
                    "chain_id": 901,
                    "block_time": 2,
                    "engine": "revm",
                },
            ]
        }
    )
    assert isinstance(devnet.evm("l1").engine, PyEvmEngine)
    assert isinstance(devnet.evm("op").engine, RevmEngine)


def test_revm_runs_a_nitro_chain_asked_for_by_name() -> None:
    """A nitro chain on revm keeps Nitro's rules: ArbSys runs as EVM code at 0x64, NUMBER reads l1's;
    the chain holds 0xFE there as on Nitro (and py-evm): the EVM code is revm's only."""
    topology = {
        "chains": [
            {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
            {"name": "arb", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 0.25,
             "engine": "revm"},
        ]
    }  # fmt: skip
    devnet = Devnet(topology)
    arb = devnet.evm("arb")
    assert isinstance(arb.engine, RevmEngine) and arb.engine.rules.number == "l1"
    assert arb.engine.get_code(ARBSYS) == b"\xfe" and ArbSys().evm_code != b""
    number = Web3.keccak(text="arbBlockNumber()")[:4]
    assert int.from_bytes(arb.engine.call(CallRequest(to=ARBSYS, data=number)), "big") == arb.height
    assert arb.engine.get_code(ARB_RETRYABLE_TX) == b"\xfe"  # answered in Python, as on Nitro


def test_the_default_engine_applies_to_nitro_chains_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VARIABLE, "revm")
    devnet = Devnet()
    engines = {name: type(chain.engine) for name, chain in devnet.evm_chains.items()}
    assert engines == {"l1": RevmEngine, "base": RevmEngine, "arbitrum": RevmEngine, "l3": RevmEngine}
    assert devnet.evm("arbitrum").engine.rules.number == "l1"


def test_an_engine_on_a_solana_chain_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"chains\[0\].engine: a solana chain has no EVM engine"):
        Topology.model_validate(
            {"chains": [{"name": "sol", "kind": "solana", "block_time": 0.4, "engine": "revm"}]}
        )


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValidationError, match="engine"):
        Topology.model_validate(
            {
                "chains": [
                    {"name": "l1", "kind": "ethereum", "chain_id": 1, "block_time": 12, "engine": "geth"}
                ]
            }
        )
    with pytest.raises(ValueError, match="unknown engine 'geth'"):
        engine_class("geth")


def test_the_default_engine_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert default_engine() == "revm"  # pyrevm is installed: revm is the default
    monkeypatch.setenv(ENGINE_VARIABLE, "py-evm")
    assert default_engine() == "py-evm"
    monkeypatch.setenv(ENGINE_VARIABLE, "revm")
    assert default_engine() == "revm"
    monkeypatch.setenv(ENGINE_VARIABLE, "evmone")
    with pytest.raises(ValueError, match="CORTENSOR_SIM_ENGINE='evmone': unknown engine"):
        default_engine()


def test_a_revm_state_file_round_trips(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VARIABLE, "revm")
    devnet = Devnet()
    chain = devnet.evm("base")
    chain.w3.eth.send_transaction(
        {"from": chain.accounts[0].address, "to": chain.accounts[1].address, "value": 5}
    )
    path = devnet.dump(tmp_path / "state.json.gz")  # type: ignore[operator]
    loaded = Devnet.load(path)
    assert isinstance(loaded.evm("base").engine, RevmEngine)
    assert loaded.evm("base").engine.get_block("latest") == chain.engine.get_block("latest")
    garbage = RevmEngine.from_state
    with pytest.raises(ValueError, match="not a cortensor-sim revm state"):
        garbage(b"nonsense")


def test_an_unknown_engine_in_the_environment_is_a_clear_cli_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cortensor_sim.interfaces.cli import app

    monkeypatch.setenv(ENGINE_VARIABLE, "evmone")
    result = CliRunner().invoke(app, ["devnet"])
    assert result.exit_code == 2
    assert "CORTENSOR_SIM_ENGINE='evmone': unknown engine" in result.output
    assert "Traceback" not in result.output
