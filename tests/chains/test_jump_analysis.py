"""py-evm frames of the same code share one jump-target analysis, and it answers as py-evm's own.

Whether a byte is an opcode or PUSH data depends on the code alone; the engine keeps what py-evm
works out per code instead of per call frame (``DevnetComputation``). A JUMPDEST byte inside PUSH
data must stay an invalid target however many frames, in whatever order, asked before.
"""

from __future__ import annotations

import pytest

from cortensor_sim.chains.engine import CallRequest, ExecutionReverted, Genesis, GenesisAccount
from cortensor_sim.chains.pyevm import vm
from cortensor_sim.chains.pyevm.engine import PyEvmEngine

JUMPER = b"\x0a" * 20
# jump(calldataload(0)); push1 0x5b (a JUMPDEST byte as data, at 4); jumpdest (at 5);
# mstore(0, 1); return(0, 32)
JUMPER_CODE = bytes.fromhex("5f3556" + "605b" + "5b" + "60015f52" + "60205ff3")


def _engine() -> PyEvmEngine:
    return PyEvmEngine(
        Genesis(chain_id=900, timestamp=0, accounts={JUMPER: GenesisAccount(code=JUMPER_CODE)})
    )


def _jump_to(engine: PyEvmEngine, target: int) -> bytes:
    return engine.call(CallRequest(sender=None, to=JUMPER, data=target.to_bytes(32, "big")))


@pytest.mark.parametrize("order", [(4, 5, 4, 5), (5, 4, 5, 4)])
def test_a_jumpdest_byte_in_push_data_stays_invalid_whatever_was_asked_before(order: tuple[int, ...]) -> None:
    vm._jump_analyses.clear()
    engine = _engine()
    for target in order:
        if target == 5:
            assert _jump_to(engine, target) == (1).to_bytes(32, "big")
        else:
            with pytest.raises(ExecutionReverted):
                _jump_to(engine, target)


def test_frames_of_the_same_code_share_one_analysis() -> None:
    vm._jump_analyses.clear()
    engine = _engine()
    _jump_to(engine, 5)
    with pytest.raises(ExecutionReverted):
        _jump_to(engine, 4)
    valid, invalid = vm._jump_analyses[JUMPER_CODE]
    assert 5 in valid and 4 in invalid  # the second frame found the first one's answer and added its own
