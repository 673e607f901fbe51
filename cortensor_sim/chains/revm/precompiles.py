"""A chain kind's precompiles on revm, which cannot call Python while it executes.

pyrevm 0.3.7 can neither register a precompile nor call back into Python during execution, so a
precompile reaches revm in one of two ways (docs/engines.md, "Nitro and Orbit chains on revm"):

* **As EVM code at its fixed address** (``Precompile.evm_code``; Nitro's ArbSys and ArbGasInfo): laid in the
  chain's genesis, run by revm like any contract, its state in its own storage as on py-evm. What
  ArbOS knows natively and EVM code cannot read (the chain's own block number, whether the
  transaction is a message from the parent chain, the transaction's top-level target, and the
  block's base fee, which BASEFEE reads as 0 inside pyrevm) the engine
  writes before each message into :data:`CONTEXT_SLOTS` of the precompile's account, in revm's
  database only: no block, state root, proof or state file holds them, so the chain's state is
  the same as if ArbOS had answered natively.
* **In Python, answered at the top level** (the others: ArbRetryableTx and NodeInterface):
  a transaction or ``eth_call`` addressed to the precompile runs its Python code here, on the
  engine's world state, with a :class:`RevmHost`; a message call the precompile makes (a retryable's
  retry) runs on revm inside the same transaction. The account holds ``0xFE`` as on Nitro, so a
  call from a contract to such a precompile fails (INVALID).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eth_hash.auto import keccak

from ..engine import CallOutcome, PrecompileHost, PrecompileRevert
from .blocks import Log
from .world import Account, WorldState


def _context_slot(name: str) -> int:
    return int.from_bytes(keccak(name.encode()), "big")


ARB_BLOCK_NUMBER_SLOT = _context_slot("arbos.context.arbBlockNumber")
"""The chain's own number of the block being built (what ``ArbSys.arbBlockNumber`` answers)."""
DEPOSIT_SLOT = _context_slot("arbos.context.deposit")
"""1 while a message from the parent chain runs (a system transaction, or a retryable's retry)."""
TOP_LEVEL_TARGET_SLOT = _context_slot("arbos.context.topLevelTarget")
"""The address the transaction (or the retry) called first."""
BASE_FEE_SLOT = _context_slot("arbos.context.baseFee")
"""The block's base fee (BASEFEE reads 0 inside pyrevm; ArbGasInfo reports it)."""
CONTEXT_SLOTS = (ARB_BLOCK_NUMBER_SLOT, DEPOSIT_SLOT, TOP_LEVEL_TARGET_SLOT, BASE_FEE_SLOT)


def context_values(
    arb_block_number: int, deposit: bool, top_level_target: bytes | None, base_fee: int
) -> dict[int, int]:
    """The context slots' values for one message (see the module notes)."""
    return {
        ARB_BLOCK_NUMBER_SLOT: arb_block_number,
        DEPOSIT_SLOT: int(deposit),
        TOP_LEVEL_TARGET_SLOT: int.from_bytes(top_level_target or b"", "big"),
        BASE_FEE_SLOT: base_fee,
    }


class OutOfGas(Exception):
    """A precompile spent more than the gas its call carried: the call fails and burns its gas."""


@dataclass(frozen=True)
class MessageResult:
    """What a message the precompile made did, as the engine ran it on revm."""

    success: bool
    output: bytes
    gas_used: int
    """Execution gas, before the refund (what the precompile is charged)."""
    refund: int
    logs: tuple[Log, ...]


RunMessage = Callable[[bytes, bytes, int, bytes, int], MessageResult]
"""(sender, to, value, data, gas) -> result: a message on revm, its changes kept in the world state."""


@dataclass
class RevmHost(PrecompileHost):
    """The state a Python precompile sees on revm: the engine's world state, newest block.

    The engine takes a world-state mark before the call and rewinds to it when the call reverts;
    ``touched`` collects what the call wrote, for the engine to copy into revm's database.
    """

    world: WorldState
    gas: int
    static: bool
    run_message: RunMessage
    hash_of_block: Callable[[int], bytes]
    used: int = 0
    refund: int = 0
    logs: list[Log] = field(default_factory=list)
    touched_accounts: set[bytes] = field(default_factory=set)
    touched_slots: dict[bytes, set[int]] = field(default_factory=dict)

    def _writable(self) -> None:
        if self.static:
            raise PrecompileRevert("state change in a static call")

    def get_storage(self, address: bytes, slot: int) -> int:
        return self.world.slot(address, slot)

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._writable()
        self.world.set_slot(address, slot, value)
        self.touched_slots.setdefault(address, set()).add(slot)

    def get_balance(self, address: bytes) -> int:
        return self.world.account(address).balance

    def add_balance(self, address: bytes, delta: int) -> None:
        self._writable()
        account = self.world.account(address)
        if delta < 0 and account.balance < -delta:
            raise PrecompileRevert(f"balance of 0x{address.hex()} is below {-delta}")
        self.world.set_account(address, Account(account.nonce, account.balance + delta, account.code_hash))
        self.touched_accounts.add(address)

    def emit_log(self, address: bytes, topics: Sequence[bytes], data: bytes) -> None:
        self._writable()
        self.logs.append(Log(address, tuple(topics), data))

    def charge_gas(self, amount: int) -> None:
        self.used += amount
        if self.used > self.gas:
            raise OutOfGas(f"precompile needs more than {self.gas} gas")

    def block_hash(self, number: int) -> bytes:
        return self.hash_of_block(number)

    def call(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int) -> CallOutcome:
        self._writable()
        result = self.run_message(sender, to, value, data, gas)
        self.charge_gas(result.gas_used)
        if result.success:
            self.refund += result.refund
            self.logs.extend(result.logs)  # its logs join this transaction's receipt
        return CallOutcome(result.success, result.output, result.gas_used)
