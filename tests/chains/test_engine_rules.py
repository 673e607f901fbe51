"""Conformance of every EVM engine to the chain-kind rules of the seam (``ChainRules``).

Each engine behind :class:`EvmEngine` must honour the same rules the same way: what NUMBER and
PREVRANDAO read, and precompiles at fixed addresses (their calls, state, logs, gas, reverts and the
caller frames they see). Add an engine to ``ENGINES`` and it must pass all of these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from chain_helpers import init_code
from eth_account import Account
from web3 import Web3

from cortensor_sim.chains.engine import (
    CallRequest,
    ChainRules,
    EngineError,
    EvmEngine,
    Genesis,
    GenesisAccount,
    Precompile,
    PrecompileCall,
    PrecompileHost,
    PrecompileRevert,
    SystemCall,
)
from cortensor_sim.chains.pyevm.engine import PyEvmEngine

ENGINES: dict[str, Callable[[Genesis], EvmEngine]] = {"py-evm": PyEvmEngine}
try:
    from cortensor_sim.chains.revm import RevmEngine
except ImportError:  # pyrevm is an optional extra
    pass
else:
    ENGINES["revm"] = RevmEngine

NESTED_ON_REVM = (
    "revm answers a Python precompile only when a transaction or call is addressed to it: pyrevm "
    "cannot call Python from inside EVM code (docs/engines.md); "
    "test_a_contract_cannot_reach_a_python_precompile_on_revm pins that"
)

ECHO = (0xEC).to_bytes(20, "big")
USER_KEY = Account.from_key(b"\x01" * 32)
USER = bytes.fromhex(USER_KEY.address[2:])
SYSTEM_SENDER = b"\x22" * 20
TOPIC = b"\x77" * 32

# mstore(0, number()); mstore(32, prevrandao()); return(0, 64)
BLOCK_INFO_RUNTIME = bytes.fromhex("435f5244602052604060" + "00f3")
# Forward the call's data to ECHO with the call's value and return its output (or revert with it):
# calldatacopy(0, 0, calldatasize()); call(gas(), ECHO, callvalue(), 0, calldatasize(), 0, 0);
# returndatacopy(0, 0, returndatasize()); if success return else revert
FORWARD_RUNTIME = bytes.fromhex(
    "365f5f37"  # calldatacopy(0, 0, calldatasize)
    "5f5f365f34" + "60ec" + "5af1"  # call(gas, 0xec, callvalue, 0, calldatasize, 0, 0)
    "3d5f5f3e"  # returndatacopy(0, 0, returndatasize)
    "6017573d5ffd"  # if success jump to 0x17, else revert(0, returndatasize)
    "5b3d5ff3"  # jumpdest; return(0, returndatasize)
)
# staticcall(gas, ECHO, 0, calldatasize, 0, 0) after copying calldata; same return/revert shape
STATIC_FORWARD_RUNTIME = bytes.fromhex("365f5f375f5f365f60ec5afa3d5f5f3e6016573d5ffd5b3d5ff3")


class Echo(Precompile):
    """A precompile exercising the whole host: it answers with what it saw, counts its calls in
    storage, logs, burns its value, charges gas, and reverts on request."""

    address = ECHO

    def run(self, call: PrecompileCall, host: PrecompileHost) -> bytes:
        host.charge_gas(1_000)
        if call.data == b"revert":
            raise PrecompileRevert("asked to", b"\xde\xad")
        if call.data == b"burn-all-gas":
            host.charge_gas(call.gas)
        if call.data.startswith(b"call:"):  # call the 20-byte address that follows, as SYSTEM_SENDER
            outcome = host.call(SYSTEM_SENDER, call.data[5:25], 0, b"", 100_000)
            host.set_storage(ECHO, 2, 1 + int(outcome.success))
            return b""
        count = host.get_storage(ECHO, 0) + 1
        host.set_storage(ECHO, 0, count)
        host.set_storage(ECHO, 1, 2 + int(call.deposit))  # 2: a transaction; 3: a deposit
        host.set_storage(ECHO, 3, 1 + int(call.simulated))
        host.emit_log(ECHO, [TOPIC], call.data)
        if call.value:
            host.add_balance(ECHO, -call.value)
        words = [
            count,
            call.depth,
            int(call.deposit),
            call.block_number,
            call.l1_block_number,
            call.chain_id,
            call.value,
            int.from_bytes(call.caller, "big"),
            int.from_bytes(call.frame_senders[0], "big"),
            int.from_bytes(call.origin, "big"),
            int(call.simulated),
        ]
        return b"".join(w.to_bytes(32, "big") for w in words)


def _words(output: bytes) -> list[int]:
    return [int.from_bytes(output[i : i + 32], "big") for i in range(0, len(output), 32)]


RULES = ChainRules(number="l1", prev_randao=1, precompiles=(Echo(),))


def _engine(factory: Callable[[Genesis], EvmEngine], rules: ChainRules = RULES) -> EvmEngine:
    engine = factory(
        Genesis(
            chain_id=4242,
            timestamp=1_000,
            accounts={USER: GenesisAccount(balance=10**21), ECHO: GenesisAccount(code=b"\xfe")},
            base_fee=0,
        )
    )
    engine.install_rules(rules)
    return engine


def _deploy(engine: EvmEngine, runtime: bytes, l1: int, salt: int) -> bytes:
    call = SystemCall(sender=USER, to=None, data=init_code(runtime), source_hash=salt.to_bytes(32, "big"))
    block = engine.seal_block([call], timestamp=1_000 + salt, l1_block_number=l1)
    receipt = engine.get_receipt(block.tx_hashes[0])
    assert receipt is not None and receipt["status"] == "0x1"
    return bytes.fromhex(receipt["contractAddress"][2:])


def _run(engine: EvmEngine, txs: Sequence[SystemCall], l1: int) -> list[dict]:
    block = engine.seal_block(list(txs), timestamp=2_000 + engine.head_number, l1_block_number=l1)
    return [engine.get_receipt(h) for h in block.tx_hashes]  # type: ignore[misc]


@pytest.fixture(params=list(ENGINES))
def factory(request: pytest.FixtureRequest) -> Callable[[Genesis], EvmEngine]:
    return ENGINES[request.param]


def test_number_reads_the_l1_block_number_each_block_was_sealed_with(factory: Callable) -> None:
    engine = _engine(factory)
    info = _deploy(engine, BLOCK_INFO_RUNTIME, l1=7, salt=1)
    first = engine.head_number
    engine.seal_block([], timestamp=1_100, l1_block_number=9)
    assert _words(engine.call(CallRequest(to=info))) == [9, 1]
    assert _words(engine.call(CallRequest(to=info), block=first)) == [7, 1]
    assert engine.get_block("latest")["number"] == hex(first + 1)


def test_default_rules_read_the_own_number_and_the_mix_hash(factory: Callable) -> None:
    engine = _engine(factory, ChainRules())
    info = _deploy(engine, BLOCK_INFO_RUNTIME, l1=7, salt=1)
    engine.seal_block([], timestamp=1_100, prev_randao=b"\x05" * 32, l1_block_number=123)
    number, randao = _words(engine.call(CallRequest(to=info)))
    assert number == engine.head_number
    assert randao == int.from_bytes(b"\x05" * 32, "big")


def test_precompile_answers_with_the_call_it_saw(factory: Callable) -> None:
    engine = _engine(factory)
    out = _words(engine.call(CallRequest(sender=USER, to=ECHO, data=b"hi")))
    count, depth, deposit, number, l1, chain_id, value, caller, first_sender, origin, simulated = out
    assert simulated == 1
    assert (count, depth, deposit, number, l1, chain_id, value) == (1, 1, 0, 0, 0, 4242, 0)
    assert caller == first_sender == origin == int.from_bytes(USER, "big")


def test_precompile_sees_the_frames_above_it_and_keeps_its_state(factory: Callable) -> None:
    if factory.__name__ == "RevmEngine":
        pytest.skip(NESTED_ON_REVM)
    engine = _engine(factory)
    forward = _deploy(engine, FORWARD_RUNTIME, l1=3, salt=1)
    (receipt,) = _run(
        engine, [SystemCall(sender=SYSTEM_SENDER, to=forward, data=b"x", mint=10, value=10)], l1=5
    )
    assert receipt["status"] == "0x1"
    (log,) = receipt["logs"]
    assert log["address"].lower() == "0x" + ECHO.hex() and log["topics"] == ["0x" + TOPIC.hex()]
    assert engine.get_storage(ECHO, 0) == 1
    assert engine.get_balance(ECHO) == 0  # the value reached the precompile and was burnt there
    out = _words(engine.call(CallRequest(sender=USER, to=forward, data=b"y")))
    count, depth, deposit, _, l1, _, _, caller, first_sender, origin, _ = out
    assert (count, depth, deposit, l1) == (2, 2, 0, 5)
    assert caller == int.from_bytes(forward, "big")
    assert first_sender == origin == int.from_bytes(USER, "big")


def test_a_deposit_is_flagged_to_the_precompile_and_a_signed_transaction_is_not(factory: Callable) -> None:
    if factory.__name__ == "RevmEngine":
        pytest.skip(NESTED_ON_REVM)
    engine = _engine(factory)
    forward = _deploy(engine, FORWARD_RUNTIME, l1=3, salt=1)
    (receipt,) = _run(engine, [SystemCall(sender=SYSTEM_SENDER, to=forward, data=b"d")], l1=4)
    assert receipt["status"] == "0x1"
    assert engine.get_storage(ECHO, 1) == 3
    signed = USER_KEY.sign_transaction(
        {
            "chainId": 4242,
            "nonce": engine.get_nonce(USER),
            "to": Web3.to_checksum_address(forward),
            "data": "0x74",
            "gas": 100_000,
            "maxFeePerGas": 10**9,
            "maxPriorityFeePerGas": 0,
            "value": 0,
        }
    )
    block = engine.seal_block([bytes(signed.raw_transaction)], timestamp=3_000, l1_block_number=4)
    assert engine.get_receipt(block.tx_hashes[0])["status"] == "0x1"  # type: ignore[index]
    assert engine.get_storage(ECHO, 1) == 2
    assert _words(engine.call(CallRequest(sender=SYSTEM_SENDER, to=forward, data=b"c")))[2] == 0


def test_precompile_writes_are_undone_with_a_reverting_caller(factory: Callable) -> None:
    engine = _engine(factory)
    (receipt,) = _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"revert")], l1=1)
    assert receipt["status"] == "0x0" and receipt["logs"] == []
    assert engine.get_storage(ECHO, 0) == 0
    with pytest.raises(EngineError) as raised:
        engine.call(CallRequest(sender=USER, to=ECHO, data=b"revert"))
    assert getattr(raised.value, "data", None) == b"\xde\xad"


def test_precompile_gas_is_charged_and_running_out_fails_the_call(factory: Callable) -> None:
    engine = _engine(factory)
    (cheap,) = _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"a", gas=100_000)], l1=1)
    assert cheap["status"] == "0x1"
    assert int(cheap["gasUsed"], 16) >= 21_000 + 1_000
    (starved,) = _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"burn-all-gas", gas=100_000)], l1=1)
    assert starved["status"] == "0x0"
    assert int(starved["gasUsed"], 16) == 100_000


def test_precompile_cannot_write_in_a_static_call(factory: Callable) -> None:
    if factory.__name__ == "RevmEngine":
        pytest.skip(NESTED_ON_REVM)
    engine = _engine(factory)
    static = _deploy(engine, STATIC_FORWARD_RUNTIME, l1=1, salt=1)
    (receipt,) = _run(engine, [SystemCall(sender=USER, to=static, data=b"s")], l1=1)
    assert receipt["status"] == "0x0"
    assert engine.get_storage(ECHO, 0) == 0


def test_precompile_state_follows_snapshots(factory: Callable) -> None:
    engine = _engine(factory)
    mark = engine.snapshot()
    _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"a")], l1=1)
    assert engine.get_storage(ECHO, 0) == 1
    engine.revert(mark)
    assert engine.get_storage(ECHO, 0) == 0
    _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"a")], l1=1)
    assert engine.get_storage(ECHO, 0) == 1


# sstore(0, caller()); sstore(1, origin()); stop
STORE_CALLER_AND_ORIGIN_RUNTIME = bytes.fromhex("335f55326001" + "5500")


def test_a_precompile_call_runs_as_a_transaction_of_its_own(factory: Callable) -> None:
    engine = _engine(factory)
    recorder = _deploy(engine, STORE_CALLER_AND_ORIGIN_RUNTIME, l1=1, salt=1)
    reverter = _deploy(engine, bytes.fromhex("5f5ffd"), l1=1, salt=2)
    (receipt,) = _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"call:" + recorder)], l1=1)
    assert receipt["status"] == "0x1" and engine.get_storage(ECHO, 2) == 2
    assert engine.get_storage(recorder, 0) == int.from_bytes(SYSTEM_SENDER, "big")  # msg.sender
    assert engine.get_storage(recorder, 1) == int.from_bytes(SYSTEM_SENDER, "big")  # tx.origin
    (receipt,) = _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"call:" + reverter)], l1=1)
    assert receipt["status"] == "0x1" and engine.get_storage(ECHO, 2) == 1  # failed, and carried on


def test_a_precompile_knows_an_eth_call_from_a_transaction(factory: Callable) -> None:
    engine = _engine(factory)
    _run(engine, [SystemCall(sender=USER, to=ECHO, data=b"t")], l1=1)
    assert engine.get_storage(ECHO, 3) == 1
    assert _words(engine.call(CallRequest(sender=USER, to=ECHO, data=b"c")))[-1] == 1
    assert engine.get_storage(ECHO, 3) == 1  # and nothing the call wrote was kept


def test_a_contract_cannot_reach_a_python_precompile_on_revm() -> None:
    """On revm a precompile without EVM code keeps Nitro's 0xFE: a contract calling it fails, and
    the transaction's writes are undone (see docs/engines.md)."""
    if "revm" not in ENGINES:
        pytest.skip("the revm engine needs pyrevm (pip install '.[revm]')")
    engine = _engine(ENGINES["revm"])
    forward = _deploy(engine, FORWARD_RUNTIME, l1=3, salt=1)
    (receipt,) = _run(engine, [SystemCall(sender=SYSTEM_SENDER, to=forward, data=b"x")], l1=5)
    assert receipt["status"] == "0x0"
    assert engine.get_storage(ECHO, 0) == 0
    assert engine.get_code(ECHO) == b"\xfe"
