"""Chain-kind rules (:class:`~cortensor_sim.chains.engine.ChainRules`) on py-evm.

py-evm's VM is a stack of classes (VM -> state -> computation -> opcode table and precompile
map), so a chain's rules become one more layer of each: a VM class built per rule set.

* The ``l1`` NUMBER rule keeps the L1 block number in the header's mix hash, at bytes 8..16, where
  Nitro keeps it (``mixHash = sendCount(8) ++ l1BlockNumber(8) ++ arbosVersion(8) ++ 0(8)``,
  OffchainLabs/go-ethereum ``core/types/arb_types.go`` HeaderInfo); NUMBER reads it from there, so
  a call against an old block reads that block's L1 number.
* A constant PREVRANDAO replaces the opcode (0x44).
* Precompiles join py-evm's own map; a frame stack on the state gives them each frame's sender.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from eth import constants
from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.exceptions import Revert
from eth.vm.message import Message
from eth.vm.opcode import as_opcode

from ..engine import (
    CallOutcome,
    ChainRules,
    Precompile,
    PrecompileCall,
    PrecompileHost,
    PrecompileRevert,
)
from ..header_info import HeaderInfo, l1_block_number_of
from .vm import DevnetComputation, DevnetState, DevnetVM

NUMBER = 0x43
PREVRANDAO = 0x44


def nitro_mix_hash(l1_block_number: int) -> bytes:
    """The header mix hash of a block built on L1 block ``l1_block_number`` (Nitro's layout), before
    its transactions ran (the send count is written once they have)."""
    return HeaderInfo(l1_block_number=l1_block_number).mix_hash


def _number_from_l1(computation: ComputationAPI) -> None:
    computation.stack_push_int(l1_block_number_of(computation.state.mix_hash))


def _constant_prev_randao(value: int) -> Any:
    def prev_randao(computation: ComputationAPI) -> None:
        computation.stack_push_int(value)

    return prev_randao


class _PyEvmHost(PrecompileHost):
    """The host a precompile sees: py-evm state under the precompile call's own snapshot."""

    def __init__(self, computation: ComputationAPI) -> None:
        self._computation = computation
        self._state = computation.state

    def _writable(self) -> None:
        if self._computation.msg.is_static:
            raise PrecompileRevert("state change in a static call")

    def get_storage(self, address: bytes, slot: int) -> int:
        return self._state.get_storage(address, slot)

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._writable()
        self._state.set_storage(address, slot, value)

    def get_balance(self, address: bytes) -> int:
        return self._state.get_balance(address)

    def add_balance(self, address: bytes, delta: int) -> None:
        self._writable()
        if delta < 0 and self._state.get_balance(address) < -delta:
            raise PrecompileRevert(f"balance of 0x{address.hex()} is below {-delta}")
        self._state.delta_balance(address, delta)

    def emit_log(self, address: bytes, topics: Sequence[bytes], data: bytes) -> None:
        self._writable()
        self._computation.add_log_entry(address, tuple(int.from_bytes(t, "big") for t in topics), data)

    def charge_gas(self, amount: int) -> None:
        self._computation.consume_gas(amount, "precompile")

    def block_hash(self, number: int) -> bytes:
        return bytes(self._state.get_ancestor_hash(number)).rjust(32, b"\x00")

    def call(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int) -> CallOutcome:
        self._writable()
        parent = self._computation
        state = self._state
        message = Message(
            gas=gas,
            to=to,
            sender=sender,
            value=value,
            data=data,
            code=state.get_code(to),
            depth=parent.msg.depth + 1,
        )
        context = state.get_transaction_context_class()(
            gas_price=parent.transaction_context.gas_price, origin=sender
        )
        saved = (getattr(state, "frame_senders", []), state.deposit)
        state.frame_senders, state.deposit = [], True  # a retry: a transaction of its own
        try:
            child = type(parent).apply_message(state, message, context)
        finally:
            state.frame_senders, state.deposit = saved
        gas_used = gas - child.get_gas_remaining()
        parent.consume_gas(gas_used, "retry")
        if child.is_success:
            parent.children.append(child)  # its logs join this transaction's receipt
        return CallOutcome(child.is_success, bytes(child.output), gas_used)


def _adapter(precompile: Precompile, number_rule: str) -> Any:
    def run(computation: ComputationAPI) -> ComputationAPI:
        msg = computation.msg
        state = computation.state
        l1_number = l1_block_number_of(state.mix_hash) if number_rule == "l1" else state.block_number
        call = PrecompileCall(
            caller=msg.sender,
            value=msg.value,
            data=bytes(msg.data),
            gas=msg.gas,
            static=msg.is_static,
            frame_senders=tuple(getattr(state, "frame_senders", ())),
            origin=computation.transaction_context.origin,
            deposit=getattr(state, "deposit", False),
            simulated=getattr(state, "simulated", False),
            block_number=state.block_number,
            l1_block_number=l1_number,
            timestamp=state.timestamp,
            chain_id=state.execution_context.chain_id,
            base_fee=state.base_fee,
        )
        try:
            computation.output = precompile.run(call, _PyEvmHost(computation))
        except PrecompileRevert as exc:
            raise Revert(exc.data) from exc
        return computation

    return run


class _FrameTrackingComputation(DevnetComputation):
    """Keeps the sender of every open frame on the state, for precompiles that ask for it."""

    @classmethod
    def apply_message(
        cls,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
        parent_computation: ComputationAPI | None = None,
    ) -> ComputationAPI:
        frames: list[bytes] = state.__dict__.setdefault("frame_senders", [])
        frames.append(message.sender)
        try:
            return super().apply_message(state, message, transaction_context, parent_computation)
        finally:
            frames.pop()


@cache
def vm_for_rules(rules: ChainRules) -> type[DevnetVM]:
    """The py-evm VM class that runs blocks under ``rules`` (``DevnetVM`` itself for the default)."""
    if rules.is_default:
        return DevnetVM
    opcodes = dict(DevnetComputation.opcodes)
    if rules.number == "l1":
        opcodes[NUMBER] = as_opcode(_number_from_l1, "NUMBER", constants.GAS_BASE)
    if rules.prev_randao is not None:
        opcodes[PREVRANDAO] = as_opcode(
            _constant_prev_randao(rules.prev_randao), "PREVRANDAO", constants.GAS_BASE
        )
    precompiles = dict(DevnetComputation.get_precompiles())
    for precompile in rules.precompiles:
        precompiles[precompile.address] = _adapter(precompile, rules.number)
    computation = type(
        "RulesComputation", (_FrameTrackingComputation,), {"opcodes": opcodes, "_precompiles": precompiles}
    )
    state = type("RulesState", (DevnetState,), {"computation_class": computation})
    return type("RulesVM", (DevnetVM,), {"_state_class": state})


__all__ = ["l1_block_number_of", "nitro_mix_hash", "vm_for_rules"]
