"""The revm engine: revm executes, and the engine does everything a node does around it.

revm (pyrevm 0.3.7) runs message calls. Around each one the engine applies the rules py-evm's
Prague VM applies, so that both engines give the same receipts, balances, nonces, storage, state
roots and block hashes for the same transactions:

* **Before execution**: decode and recover the sender (``transactions``), then check chain id,
  nonce, fee cap against the base fee, funds for ``gas * max_fee + value`` and intrinsic gas. The
  sender pays ``gas * effective_gas_price`` up front and its nonce moves (a CREATE's nonce is moved
  by revm itself, which derives the new address from it).
* **After execution**: the unused gas and the refund (capped at a fifth, EIP-3529) go back to the
  sender, the EIP-7623 calldata floor applies, the priority fee goes to the coinbase and the base fee
  is burned; empty touched accounts are removed (EIP-161).
* **System transactions** (type 0x7E deposits): no fee and no nonce check, the ``mint`` credited
  before execution and kept on revert, and a value the sender cannot cover fails with a receipt.

Where revm's Cancun differs from py-evm's Prague the engine refuses (type-4 transactions) or the
difference is documented in docs/engines.md (BLOCKHASH, BASEFEE and GASPRICE read inside revm).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rlp
from eth_abi import decode as abi_decode
from eth_hash.auto import keccak

from ..engine import (
    AccessList,
    AccountProof,
    BlockId,
    CallRequest,
    ChainRules,
    DroppedTransaction,
    EngineError,
    EvmEngine,
    ExecutionReverted,
    Genesis,
    InvalidTransaction,
    PendingTransaction,
    Precompile,
    PrecompileCall,
    PrecompileRevert,
    RpcObject,
    SealedBlock,
    StorageProof,
    SystemCall,
    UnknownBlock,
)
from ..header_info import HeaderInfo
from ..pyevm.rules import l1_block_number_of, nitro_mix_hash
from . import state_file
from .blocks import BLANK_ROOT, ZERO_ADDRESS, ZERO_HASH, Header, Receipt, child_header
from .executor import BlockContext, Outcome, RevmExecutor
from .formatting import format_header, format_log, format_receipt, format_transaction
from .precompiles import MessageResult, OutOfGas, RevmHost, context_values
from .transactions import (
    TX_BASE_GAS,
    TX_DATA_NONZERO_GAS,
    TX_DATA_ZERO_GAS,
    Transaction,
    calldata_tokens,
    decode_impersonated,
    decode_transaction,
    floor_data_gas,
    impersonated_transaction,
    intrinsic_gas,
    system_transaction,
)
from .trie_updates import ordered_trie_root
from .world import Account, WorldState

_DECODED_CACHE_LIMIT = 100_000
_HALT_REASON = re.compile(r"reason: (\w+)")
_PRECOMPILES = frozenset(i.to_bytes(20, "big") for i in range(1, 0x12))
"""Prague's precompile addresses, left out of access lists as on py-evm (revm, on Cancun, has
0x01 to 0x0a; 0x0b to 0x11 are empty accounts there, see docs/engines.md)."""
AccessListEntries = tuple[tuple[bytes, tuple[int, ...]], ...]
_FORMATTED_CACHE_SIZE = 64
_ERROR_STRING = bytes.fromhex("08c379a0")


@dataclass(frozen=True)
class Block:
    """A sealed block: its header, its transactions and their receipts and created addresses."""

    header: Header
    transactions: tuple[Transaction, ...]
    receipts: tuple[Receipt, ...]
    created: tuple[bytes | None, ...]

    @property
    def hash(self) -> bytes:
        return self.header.hash


class RevmEngine(EvmEngine):
    """:class:`EvmEngine` on revm (pyrevm), with its own blocks, tries and snapshots."""

    name = "revm"

    def __init__(self, genesis: Genesis) -> None:
        self._chain_id = genesis.chain_id
        self._world = WorldState()
        for address, account in genesis.accounts.items():
            code_hash = self._world.set_code(account.code)
            self._world.set_account(address, Account(account.nonce, account.balance, code_hash))
            for slot, value in account.storage.items():
                self._world.set_slot(address, slot, value)
        state_root = self._world.commit()
        self._world.forget_undo()
        genesis_header = Header(
            parent_hash=ZERO_HASH,
            state_root=state_root,
            transaction_root=BLANK_ROOT,
            receipt_root=BLANK_ROOT,
            bloom=0,
            number=0,
            gas_limit=genesis.gas_limit,
            gas_used=0,
            timestamp=genesis.timestamp,
            extra_data=genesis.extra_data[:32],
            mix_hash=ZERO_HASH,
            base_fee=genesis.base_fee,
        )
        self._no_rules()
        self._init_chain([Block(genesis_header, (), (), ())])
        self._executor = self._loaded_executor()

    def _init_chain(self, blocks: list[Block], impersonated: dict[bytes, bytes] | None = None) -> None:
        self._impersonated: dict[bytes, bytes] = dict(impersonated or {})
        """Senders of impersonated transactions by hash (``anvil_impersonateAccount``)."""
        self._blocks: list[Block] = []
        self._numbers: list[int] = []
        self._by_number: dict[int, Block] = {}
        self._by_hash: dict[bytes, Block] = {}
        self._tx_index: dict[bytes, tuple[int, int]] = {}
        for block in blocks:
            self._append(block)
        self._snapshots: dict[int, tuple[int, int]] = {}
        self._next_snapshot = 1
        self._decoded: dict[bytes, Transaction] = {}
        self._formatted: dict[tuple[bytes, bool], RpcObject] = {}
        self._old_executor: tuple[bytes, RevmExecutor] | None = None

    def _append(self, block: Block) -> None:
        self._blocks.append(block)
        self._numbers.append(block.header.number)
        self._by_number[block.header.number] = block
        self._by_hash[block.hash] = block
        for index, tx in enumerate(block.transactions):
            self._tx_index[tx.hash] = (block.header.number, index)

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @property
    def _head(self) -> Block:
        return self._blocks[-1]

    # ------------------------------------------------------------------ chain-kind rules
    def _no_rules(self) -> None:
        self._rules = ChainRules()
        self._hosted: dict[bytes, Precompile] = {}
        self._coded: tuple[bytes, ...] = ()
        self._stand_ins: dict[bytes, bytes] = {}
        """Precompiles given as EVM code: the code revm runs at each address (see install_rules)."""

    @classmethod
    def supports_rules(cls, rules: ChainRules) -> bool:
        """NUMBER and PREVRANDAO come from the block environment; a precompile runs as its EVM
        code, or in Python when a transaction or call is addressed to it (see .precompiles)."""
        return True

    def install_rules(self, rules: ChainRules) -> None:
        """Apply ``rules``; a precompile with EVM code runs that code at its address.

        The code is revm's only (``RevmExecutor.run_code_at``): the world state keeps what the
        chain's genesis holds there (``0xFE`` on Nitro), so genesis, state roots and proofs are the
        same as py-evm's, which answers the precompile in Python.
        """
        self._rules = rules
        self._hosted = {p.address: p for p in rules.precompiles if p.evm_code is None}
        self._coded = tuple(p.address for p in rules.precompiles if p.evm_code is not None)
        self._stand_ins = {p.address: p.evm_code for p in rules.precompiles if p.evm_code is not None}
        for address, code in self._stand_ins.items():
            self._executor.run_code_at(address, code)
        self._sync_executor(set(self._stand_ins), {})
        self._old_executor = None

    @property
    def rules(self) -> ChainRules:
        return self._rules

    def _block_context(self, header: Header, l1_block_number: int | None = None) -> BlockContext:
        """What the block-level opcodes read in ``header``'s block, under the chain's rules."""
        number = header.number
        if self._rules.number == "l1":
            number = l1_block_number if l1_block_number is not None else l1_block_number_of(header.mix_hash)
        prev_randao = header.mix_hash
        if self._rules.prev_randao is not None:
            prev_randao = self._rules.prev_randao.to_bytes(32, "big")
        return BlockContext(
            number=number,
            timestamp=header.timestamp,
            prev_randao=prev_randao,
            coinbase=header.coinbase,
            gas_limit=header.gas_limit,
            base_fee=header.base_fee,
        )

    def _set_context(
        self,
        executor: RevmExecutor,
        context: BlockContext,
        arb_block_number: int,
        deposit: bool,
        target: bytes | None,
    ) -> None:
        """Hand ArbOS's per-message context to the precompiles that are EVM code (see .precompiles)."""
        if self._coded:
            values = context_values(arb_block_number, deposit, target, context.base_fee)
            for address in self._coded:
                executor.set_context(address, values)

    # ------------------------------------------------------------------ transactions
    def _decode(self, raw: bytes) -> Transaction:
        cached = self._decoded.get(raw)
        if cached is None:
            sender = self._impersonated.get(keccak(raw)) if self._impersonated else None
            if sender is not None:
                cached = decode_impersonated(raw, sender, self._chain_id)
            else:
                cached = decode_transaction(raw, self._chain_id)
            if len(self._decoded) >= _DECODED_CACHE_LIMIT:
                self._decoded.clear()
            self._decoded[raw] = cached
        return cached

    def decode_transaction(self, raw: bytes) -> RpcObject:
        return format_transaction(self._decode(raw), None, None, self._head.header.base_fee)

    def impersonated_transaction(self, fields: Mapping[str, Any], sender: bytes) -> bytes:
        raw = impersonated_transaction(self._chain_id, fields)
        self._impersonated[keccak(raw)] = sender
        return raw

    def system_transaction_hash(self, call: SystemCall) -> bytes:
        return system_transaction(call).hash

    def _to_transaction(self, pending: PendingTransaction) -> Transaction:
        if isinstance(pending, SystemCall):
            return system_transaction(pending)
        return self._decode(pending)

    def _refusal(self, tx: Transaction, base_fee: int) -> str | None:
        """Why ``tx`` cannot be included now (py-evm's checks, in py-evm's order), or ``None``."""
        if tx.gas < intrinsic_gas(tx):
            what = "system transaction gas is below its intrinsic gas" if tx.is_system else "Insufficient gas"
            return f"{what}: {tx.gas} < {intrinsic_gas(tx)}"
        if tx.is_system:
            return None
        if tx.type == 2 and tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
            return (
                f"max_priority_fee_per_gas ({tx.max_priority_fee_per_gas}) is higher than "
                f"max_fee_per_gas ({tx.max_fee_per_gas})"
            )
        if tx.fee_cap < base_fee:
            return (
                f"Sender's max fee per gas ({tx.fee_cap}) is lower than block's base fee per gas ({base_fee})"
            )
        account = self._world.account(tx.sender)
        max_gas_cost = tx.gas * tx.effective_gas_price(base_fee)
        if account.balance < max_gas_cost:
            return (
                f"Sender {tx.sender!r} cannot afford txn gas {max_gas_cost} with account balance "
                f"{account.balance}"
            )
        if account.balance < tx.value + max_gas_cost:
            return (
                "Sender does not have enough balance to cover transaction value and gas "
                f" (has {account.balance}, needs {tx.value + max_gas_cost})"
            )
        if account.nonce != tx.nonce:
            return f"Invalid transaction nonce: Expected {account.nonce}, but got {tx.nonce}"
        if account.balance < tx.gas * tx.fee_cap:
            return "Sender has insufficient funds for blob fee."
        return None

    # ------------------------------------------------------------------ blocks
    def seal_block(
        self,
        transactions: Sequence[PendingTransaction],
        *,
        timestamp: int,
        number: int | None = None,
        prev_randao: bytes = ZERO_HASH,
        all_or_nothing: bool = False,
        l1_block_number: int | None = None,
    ) -> SealedBlock:
        parent = self._head.header
        if number is None:
            number = parent.number + 1
        elif number <= parent.number:
            raise EngineError(f"block #{number} does not follow head #{parent.number}")
        if self._rules.number == "l1":
            # Nitro's header carries the L1 block number in the mix hash, as on py-evm.
            prev_randao = nitro_mix_hash(l1_block_number or 0)
        header = child_header(
            parent, number=number, timestamp=max(timestamp, parent.timestamp), mix_hash=prev_randao
        )
        context = self._block_context(header)
        mark = self._world.mark
        included: list[Transaction] = []
        receipts: list[Receipt] = []
        created: list[bytes | None] = []
        dropped: list[DroppedTransaction] = []
        deferred: tuple[PendingTransaction, ...] = ()
        gas_used = 0
        for position, pending in enumerate(transactions):
            try:
                tx = self._to_transaction(pending)
            except InvalidTransaction as exc:
                raw_hash = keccak(pending) if isinstance(pending, bytes) else b""
                dropped.append(DroppedTransaction(raw_hash, str(exc)))
                continue
            if tx.gas > header.gas_limit:
                dropped.append(DroppedTransaction(tx.hash, f"gas {tx.gas} exceeds the block gas limit"))
                continue
            if gas_used + tx.gas > header.gas_limit:
                if not all_or_nothing:
                    deferred = tuple(transactions[position:])
                    break
                dropped.append(
                    DroppedTransaction(
                        tx.hash,
                        f"Transaction exceeds gas limit: using {tx.gas}, bringing total to "
                        f"{gas_used + tx.gas}, but limit is {header.gas_limit}",
                    )
                )
                continue
            refusal = self._refusal(tx, header.base_fee)
            if refusal is not None:
                dropped.append(DroppedTransaction(tx.hash, refusal))
                continue
            tx_gas, outcome = self._apply(tx, context, header.number)
            gas_used += tx_gas
            included.append(tx)
            receipts.append(Receipt(tx.type, outcome.success, gas_used, outcome.logs))
            created.append(outcome.created if outcome.success else None)
        if dropped and all_or_nothing:
            self._rewind(mark)
            raise InvalidTransaction(dropped[0].reason)
        bloom = 0
        for receipt in receipts:
            bloom |= receipt.bloom
        if self._rules.number == "l1" and self._rules.send_state is not None:
            # Nitro's header info (see ..header_info), read from the state after the transactions.
            send_count, send_root = self._rules.send_state(self._world.slot)
            info = HeaderInfo(
                send_root=send_root, send_count=send_count, l1_block_number=l1_block_number or 0
            )
            header = header.with_(extra_data=info.extra_data, mix_hash=info.mix_hash)
        header = header.with_(
            state_root=self._world.commit(),
            transaction_root=ordered_trie_root([tx.encoded for tx in included]),
            receipt_root=ordered_trie_root([receipt.encoded for receipt in receipts]),
            bloom=bloom,
            gas_used=gas_used,
        )
        block = Block(header, tuple(included), tuple(receipts), tuple(created))
        self._append(block)
        if not self._snapshots:
            self._world.forget_undo()  # no snapshot can reach back past this block
        return SealedBlock(
            number=header.number,
            hash=block.hash,
            timestamp=header.timestamp,
            tx_hashes=tuple(tx.hash for tx in included),
            dropped=tuple(dropped),
            deferred=deferred,
        )

    def _apply(self, tx: Transaction, context: BlockContext, arb_block_number: int) -> tuple[int, Outcome]:
        """Run a checked transaction; returns the gas its receipt records and revm's outcome.

        ``arb_block_number`` is the block's own number (NUMBER may read L1's under the chain's rules).
        """
        world = self._world
        before = world.account(tx.sender)
        price = tx.effective_gas_price(context.base_fee)
        # Bought gas and the mint come first; a CALL moves the nonce now, a CREATE inside revm.
        prepaid = Account(
            before.nonce + (0 if tx.is_create else 1),
            before.balance - tx.gas * price + tx.mint,
            before.code_hash,
        )
        world.set_account(tx.sender, prepaid)
        self._executor.write_account(tx.sender, prepaid, world.codes[prepaid.code_hash])
        if tx.is_system and tx.value > prepaid.balance:
            # A deposit is never dropped: it fails with a receipt, its gas spent, nonce and mint kept.
            world.set_account(tx.sender, Account(before.nonce + 1, prepaid.balance, before.code_hash))
            self._sync_executor({tx.sender}, {})
            return tx.gas, Outcome(False, tx.gas, 0, b"", (), (), "value exceeds the sender's balance")
        hosted = self._hosted.get(tx.to) if tx.to is not None else None
        if hosted is not None:
            outcome = self._run_hosted(
                hosted,
                context,
                arb_block_number,
                sender=tx.sender,
                value=tx.value,
                data=tx.data,
                gas=tx.gas,
                intrinsic=intrinsic_gas(tx),
                deposit=tx.is_system,
                simulated=False,
            )
        else:
            self._set_context(self._executor, context, arb_block_number, tx.is_system, tx.to)
            outcome = self._executor.run(
                context,
                sender=tx.sender,
                to=tx.to,
                data=tx.data,
                value=tx.value,
                gas=tx.gas,
                known_code=world.codes,
                access_list=tx.access_list,
            )
        touched_slots = self._absorb(outcome)
        spent = outcome.gas_used + outcome.gas_refunded
        refund = outcome.gas_refunded
        floor_extra = max(floor_data_gas(tx.data) - (spent - refund), 0)
        consumed = spent + floor_extra
        receipt_gas = consumed - min(refund, consumed // 5)
        sender = world.account(tx.sender)
        world.set_account(
            tx.sender,
            Account(
                sender.nonce,
                sender.balance + (refund + tx.gas - spent - floor_extra) * price,
                sender.code_hash,
            ),
        )
        tip = 0 if tx.is_system else (spent - refund + floor_extra) * (price - context.base_fee)
        coinbase = world.account(context.coinbase)
        world.set_account(
            context.coinbase, Account(coinbase.nonce, coinbase.balance + tip, coinbase.code_hash)
        )
        burnt = self._burn_precompile_balances()
        if tx.access_list:
            # revm loads access-listed accounts into its journal without journaling the load, so
            # reverting the checkpoint leaves them there, warm and holding stale slots for every
            # later transaction: start a fresh revm from the world state instead.
            self._executor = self._loaded_executor()
        else:
            changed = {change.address for change in outcome.changes} | {tx.sender, context.coinbase}
            self._sync_executor(changed | burnt, touched_slots)
        return receipt_gas, outcome

    def _absorb(self, outcome: Outcome) -> dict[bytes, set[int]]:
        """Write what a message changed into the world state; returns the slots it wrote."""
        world = self._world
        touched_slots: dict[bytes, set[int]] = {}
        for change in outcome.changes:
            if change.code is not None:
                world.set_code(change.code)
            if change.destroyed:
                touched_slots[change.address] = set(world.wipe_storage(change.address))
                world.set_account(change.address, None)
                continue
            world.set_account(change.address, change.account)
            for slot, value in change.storage.items():
                world.set_slot(change.address, slot, value)
            if change.storage:
                touched_slots.setdefault(change.address, set()).update(change.storage)
        return touched_slots

    def _burn_precompile_balances(self) -> set[bytes]:
        """Burn what a transaction left at a precompile that is EVM code: ArbOS burns the value sent
        with ``sendTxToL1`` at once (OffchainLabs/nitro precompiles/ArbSys.go), EVM code cannot, so
        the engine does it as the transaction ends. Returns the accounts it burnt from."""
        burnt: set[bytes] = set()
        for address in self._coded:
            account = self._world.account(address)
            if account.balance:
                self._world.set_account(address, Account(account.nonce, 0, account.code_hash))
                burnt.add(address)
        return burnt

    # ------------------------------------------------------------------ precompiles in Python
    def _run_hosted(
        self,
        precompile: Precompile,
        context: BlockContext,
        arb_block_number: int,
        *,
        sender: bytes,
        value: int,
        data: bytes,
        gas: int,
        intrinsic: int,
        deposit: bool,
        simulated: bool,
    ) -> Outcome:
        """Run a message addressed to a Python precompile on the world state (see .precompiles).

        Its gas is the intrinsic gas plus what the precompile charges, as on py-evm; a revert
        undoes its writes and keeps the gas spent, running out of gas burns all of it.
        """
        world = self._world
        mark = world.mark
        address = precompile.address
        host = RevmHost(
            world=world,
            gas=max(gas - intrinsic, 0),
            static=False,
            run_message=lambda *message: self._host_message(host, context, arb_block_number, *message),
            hash_of_block=self._hash_of_block,
        )
        call = PrecompileCall(
            caller=sender,
            value=value,
            data=data,
            gas=host.gas,
            static=False,
            frame_senders=(sender,),
            origin=sender,
            deposit=deposit,
            simulated=simulated,
            block_number=arb_block_number,
            l1_block_number=context.number,
            timestamp=context.timestamp,
            chain_id=self._chain_id,
            base_fee=context.base_fee,
        )
        success, output, error = True, b"", ""
        try:
            if value:
                host.add_balance(sender, -value)
                host.add_balance(address, value)
            output = precompile.run(call, host)
        except PrecompileRevert as exc:
            success, output, error = False, exc.data, f"Revert {exc}"
        except OutOfGas as exc:
            success, error = False, f"Halt OutOfGas {exc}"
            host.used = host.gas
        if not success:
            accounts, slots = world.rewind(mark)
            host.touched_accounts |= accounts
            for changed_address, changed in slots.items():
                host.touched_slots.setdefault(changed_address, set()).update(changed)
        self._sync_executor(host.touched_accounts, host.touched_slots)
        spent = intrinsic + host.used
        refund = host.refund if success else 0
        return Outcome(
            success=success,
            gas_used=spent - refund,
            gas_refunded=refund,
            output=output,
            logs=tuple(host.logs) if success else (),
            changes=(),
            error=error,
        )

    def _host_message(
        self,
        host: RevmHost,
        context: BlockContext,
        arb_block_number: int,
        sender: bytes,
        to: bytes,
        value: int,
        data: bytes,
        gas: int,
    ) -> MessageResult:
        """A message call a Python precompile makes, run on revm as a transaction of its own
        inside the current one (a retryable's retry): ``sender`` is its origin, it is a message from
        the parent chain, and its changes join the world state."""
        self._sync_executor(host.touched_accounts, host.touched_slots)
        if value > self._world.account(sender).balance:
            return MessageResult(False, b"", gas, 0, ())
        zeros, nonzeros = calldata_tokens(data)
        intrinsic = TX_BASE_GAS + zeros * TX_DATA_ZERO_GAS + nonzeros * TX_DATA_NONZERO_GAS
        self._set_context(self._executor, context, arb_block_number, True, to)
        outcome = self._executor.run(
            context,
            sender=sender,
            to=to,
            data=data,
            value=value,
            gas=min(gas + intrinsic, self._executor_gas_limit),
            known_code=self._world.codes,
        )
        touched_slots = self._absorb(outcome)  # pyrevm's message call moves no nonce
        self._sync_executor({change.address for change in outcome.changes}, touched_slots)
        host.touched_accounts |= {change.address for change in outcome.changes}
        for address, slots in touched_slots.items():
            host.touched_slots.setdefault(address, set()).update(slots)
        used = outcome.gas_used + outcome.gas_refunded - intrinsic
        return MessageResult(outcome.success, outcome.output, used, outcome.gas_refunded, outcome.logs)

    def _hash_of_block(self, number: int) -> bytes:
        block = self._by_number.get(number)
        return block.hash if block is not None else ZERO_HASH

    def _new_executor(self, gas_limit: int) -> RevmExecutor:
        """An empty revm that runs the chain kind's precompiles given as EVM code."""
        executor = RevmExecutor(self._chain_id, gas_limit)
        for address, code in self._stand_ins.items():
            executor.run_code_at(address, code)
        return executor

    def _loaded_executor(self) -> RevmExecutor:
        """A new revm whose database holds the whole world state."""
        world = self._world
        executor = self._new_executor(self._blocks[0].header.gas_limit)
        for address, account in world.accounts.items():
            executor.write_account(address, account, world.codes[account.code_hash])
        for address, slots in world.storage.items():
            for slot, value in slots.items():
                executor.write_slot(address, slot, value)
        return executor

    def _sync_executor(self, accounts: set[bytes], slots: dict[bytes, set[int]]) -> None:
        """Write the world state's view of these accounts and slots into revm's database."""
        world = self._world
        for address in accounts | set(slots):
            account = world.account(address)
            self._executor.write_account(address, account, world.codes[account.code_hash])
        for address, changed in slots.items():
            for slot in changed:
                self._executor.write_slot(address, slot, world.slot(address, slot))

    def _rewind(self, mark: int) -> None:
        accounts, slots = self._world.rewind(mark)
        self._sync_executor(accounts, slots)

    # ------------------------------------------------------------------ state
    def _block(self, block: BlockId) -> Block:
        if block in ("latest", "pending", "safe", "finalized"):
            return self._head
        if block == "earliest":
            return self._blocks[0]
        if isinstance(block, bytes):
            found = self._by_hash.get(block)
            if found is None:
                raise UnknownBlock(f"no block 0x{block.hex()} on chain {self._chain_id}")
            return found
        if isinstance(block, int):
            found = self._by_number.get(block)
            if found is None:
                raise UnknownBlock(f"no block {block!r} on chain {self._chain_id}")
            return found
        raise UnknownBlock(f"unknown block identifier {block!r}")

    def _older_block(self, block: BlockId) -> Block | None:
        """The block, or ``None`` when it is the head (whose state the flat maps hold)."""
        found = self._block(block)
        return None if found is self._head else found

    def get_balance(self, address: bytes, block: BlockId = "latest") -> int:
        old = self._older_block(block)
        if old is None:
            return self._world.account(address).balance
        return self._world.trie_account(old.header.state_root, address).balance

    def get_nonce(self, address: bytes, block: BlockId = "latest") -> int:
        old = self._older_block(block)
        if old is None:
            return self._world.account(address).nonce
        return self._world.trie_account(old.header.state_root, address).nonce

    def get_code(self, address: bytes, block: BlockId = "latest") -> bytes:
        old = self._older_block(block)
        if old is None:
            return self._world.code(address)
        return self._world.codes[self._world.trie_account(old.header.state_root, address).code_hash]

    def get_storage(self, address: bytes, slot: int, block: BlockId = "latest") -> int:
        old = self._older_block(block)
        if old is None:
            return self._world.slot(address, slot)
        account = self._world.trie_account(old.header.state_root, address)
        return self._world.trie_slot(account.storage_root, slot)

    def get_proof(self, address: bytes, slots: Sequence[int], block: BlockId = "latest") -> AccountProof:
        header = self._block(block).header
        world = self._world
        # The newest state is proven against the tries' root, which holds dev writes made since
        # the head was sealed (as on py-evm); every other block against its header's root.
        state_root = world.state_root if block in ("latest", "pending") else header.state_root
        account = world.trie_account(state_root, address)
        return AccountProof(
            address=address,
            balance=account.balance,
            nonce=account.nonce,
            code_hash=account.code_hash,
            storage_hash=account.storage_root,
            account_proof=world.account_proof(state_root, address),
            storage_proof=tuple(
                StorageProof(
                    slot,
                    world.trie_slot(account.storage_root, slot),
                    world.storage_proof(account.storage_root, slot),
                )
                for slot in slots
            ),
            state_root=state_root,
            block_number=header.number,
        )

    # ------------------------------------------------------------------ dev writes
    def _dev_write(
        self, address: bytes, account: Account | None = None, slot: tuple[int, int] | None = None
    ) -> None:
        """One dev write (``anvil_set*``, a state override) into the newest state, without a block.

        It goes through the world state, so the undo log (and with it every snapshot, and the
        revert that ends an overridden ``eth_call``) covers it; revm's database gets the same
        account or slot, and the tries take it at once, so that a snapshot's mark falls between
        commits. The head's header keeps its own state root, as on anvil and on py-evm.
        """
        world = self._world
        slots: dict[bytes, set[int]] = {}
        if account is not None:
            world.set_account(address, account)
        if slot is not None:
            world.set_slot(address, *slot)
            slots[address] = {slot[0]}
        self._sync_executor({address}, slots)
        world.commit()

    def set_balance(self, address: bytes, balance: int) -> None:
        self._dev_write(address, dataclasses.replace(self._world.account(address), balance=balance))

    def set_nonce(self, address: bytes, nonce: int) -> None:
        self._dev_write(address, dataclasses.replace(self._world.account(address), nonce=nonce))

    def set_code(self, address: bytes, code: bytes) -> None:
        code_hash = self._world.set_code(code)
        self._dev_write(address, dataclasses.replace(self._world.account(address), code_hash=code_hash))

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._dev_write(address, slot=(slot, value))

    # ------------------------------------------------------------------ calls
    def _run_call(
        self,
        request: CallRequest,
        block: BlockId,
        at_time: int | None,
        gas: int | None,
        l1_block_number: int | None = None,
        access_list: AccessListEntries = (),
        record_access: bool = False,
    ) -> Outcome:
        found = self._block(block)
        header = found.header
        context = self._block_context(header, l1_block_number)
        if at_time is not None and at_time > header.timestamp:
            context = dataclasses.replace(context, timestamp=at_time)
        sender = request.sender or ZERO_ADDRESS
        if request.value > self.get_balance(sender, block):
            raise ExecutionReverted("execution failed: InsufficientFunds")
        hosted = self._hosted.get(request.to) if request.to is not None else None
        if hosted is not None:
            return self._simulate_hosted(
                hosted, found, context, request, gas or request.gas or header.gas_limit
            )
        executor = self._executor if found is self._head else self._executor_at(found)
        self._set_context(executor, context, header.number, False, request.to)
        try:
            return executor.run(
                context,
                sender=sender,
                to=request.to,
                data=request.data,
                value=request.value,
                gas=gas or request.gas or header.gas_limit,
                known_code=self._world.codes,
                keep=False,
                access_list=access_list,
                record_access=record_access,
            )
        except RuntimeError as exc:
            raise EngineError(f"call refused: {exc}") from exc

    def _executor_at(self, block: Block) -> RevmExecutor:
        """A revm loaded with an older block's state, rebuilt from its trie (kept for the next call)."""
        cached = self._old_executor
        if cached is not None and cached[0] == block.hash:
            return cached[1]
        executor = self._new_executor(block.header.gas_limit)
        for address, account, storage in self._world.state_at(block.header.state_root):
            executor.write_account(address, account, self._world.codes[account.code_hash])
            for slot, value in storage.items():
                executor.write_slot(address, slot, value)
        self._old_executor = (block.hash, executor)
        return executor

    def _simulate_hosted(
        self, precompile: Precompile, block: Block, context: BlockContext, request: CallRequest, gas: int
    ) -> Outcome:
        """``eth_call`` of a Python precompile: run on the newest state, then everything undone."""
        if block is not self._head:
            raise EngineError(
                f"0x{precompile.address.hex()} answers calls at the newest block only on the revm engine"
            )
        mark = self._world.mark
        sender = request.sender or ZERO_ADDRESS
        zeros, nonzeros = calldata_tokens(request.data)
        try:
            return self._run_hosted(
                precompile,
                context,
                block.header.number,
                sender=sender,
                value=request.value,
                data=request.data,
                gas=gas,
                intrinsic=TX_BASE_GAS + zeros * TX_DATA_ZERO_GAS + nonzeros * TX_DATA_NONZERO_GAS,
                deposit=False,
                simulated=True,
            )
        finally:
            self._rewind(mark)

    def call(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> bytes:
        outcome = self._run_call(request, block, at_time, None, l1_block_number)
        if not outcome.success:
            raise _reverted(outcome)
        return outcome.output

    def create_access_list(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> AccessList:
        """geth's ``eth_createAccessList``: what the call loads, less its sender, its recipient, the
        coinbase and the precompiles, then the gas of a transaction carrying that list.

        revm's journal is a hash map, so entries come sorted by address and slot, not in the order
        of first touch as on py-evm (an access list's order does not change its gas).
        """
        traced = self._run_call(request, block, at_time, None, l1_block_number, record_access=True)
        if not traced.success:
            raise _reverted(traced)
        header = self._block(block).header
        excluded = {request.sender or ZERO_ADDRESS, request.to, header.coinbase, *_PRECOMPILES, *self._coded}
        entries = tuple((address, slots) for address, slots in traced.accessed if address not in excluded)
        try:
            with_list = self._run_call(request, block, at_time, None, l1_block_number, access_list=entries)
        finally:
            # revm keeps access-listed accounts warm past the run's checkpoint (see _apply): start
            # afresh from the world state, and drop a cached older block's revm.
            if entries:
                self._executor = self._loaded_executor()
                self._old_executor = None
        if not with_list.success:
            raise _reverted(with_list)
        return AccessList(entries=entries, gas_used=_transaction_gas(with_list, request.data))

    def estimate_gas(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> int:
        """The least gas with which the call succeeds, exactly, as the py-evm engine answers.

        The gas the run spent before its refund is the usual answer; it is checked (one unit less
        must fail) rather than trusted, and where it falls short (the all-but-one-64th rule of nested
        calls, a GAS-dependent branch) a binary search between a failing and a succeeding gas finds
        the least that succeeds.
        """
        cap = request.gas or self._block(block).header.gas_limit
        outcome = self._run_call(request, block, at_time, cap, l1_block_number)
        if not outcome.success:
            raise _reverted(outcome)

        def succeeds(gas: int) -> bool:
            return bool(self._run_call(request, block, at_time, gas, l1_block_number).success)

        low = max(outcome.gas_used - 1, 0)  # below what the run kept after its refund: fails
        spent = min(cap, outcome.gas_used + outcome.gas_refunded)
        if succeeds(spent):
            if spent - 1 <= low or not succeeds(spent - 1):
                return spent
            high = spent
        else:
            low = spent
            high = min(cap, spent + spent // 63 + 2_300)
            if not succeeds(high):
                low, high = high, cap
        while high - low > 1:
            middle = (low + high) // 2
            if succeeds(middle):
                high = middle
            else:
                low = middle
        return high

    # ------------------------------------------------------------------ reading blocks
    @property
    def head_number(self) -> int:
        return self._head.header.number

    def get_block(self, block: BlockId, full_transactions: bool = False) -> RpcObject:
        found = self._block(block)
        key = (found.hash, full_transactions)
        formatted = self._formatted.get(key)
        if formatted is None:
            # A sealed block never changes (its hash is its content): format it once. Clients ask
            # for "latest" before every transaction they send, and a block may hold thousands.
            header = found.header
            body: list[object]
            if full_transactions:
                body = [
                    format_transaction(tx, header, i, header.base_fee)
                    for i, tx in enumerate(found.transactions)
                ]
            else:
                body = ["0x" + tx.hash.hex() for tx in found.transactions]
            # A legacy transaction sits in the block as an RLP list, a typed one as a byte string.
            txs = [rlp.decode(tx.encoded) if tx.type == 0 else tx.encoded for tx in found.transactions]
            size = len(rlp.encode([header.fields(), txs, [], []]))
            formatted = format_header(header) | {"transactions": body, "size": hex(size), "uncles": []}
            if self._rules.number == "l1":
                formatted |= HeaderInfo.from_header(header.extra_data, header.mix_hash).rpc_fields()
            self._formatted[key] = formatted
            if len(self._formatted) > _FORMATTED_CACHE_SIZE:
                self._formatted.pop(next(iter(self._formatted)))
        return dict(formatted)

    def _locate(self, tx_hash: bytes) -> tuple[Block, int] | None:
        found = self._tx_index.get(tx_hash)
        if found is None:
            return None
        number, index = found
        return self._by_number[number], index

    def get_transaction(self, tx_hash: bytes) -> RpcObject | None:
        found = self._locate(tx_hash)
        if found is None:
            return None
        block, index = found
        return format_transaction(block.transactions[index], block.header, index, block.header.base_fee)

    def get_raw_transaction(self, tx_hash: bytes) -> bytes | None:
        found = self._locate(tx_hash)
        if found is None:
            return None
        block, index = found
        return block.transactions[index].encoded

    def get_receipt(self, tx_hash: bytes) -> RpcObject | None:
        found = self._locate(tx_hash)
        if found is None:
            return None
        block, index = found
        return format_receipt(
            block.header, index, block.transactions[index], block.receipts, block.created[index]
        )

    def get_logs(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[bytes] = (),
        topics: Sequence[Sequence[bytes] | None] = (),
    ) -> list[RpcObject]:
        wanted = set(addresses)
        logs: list[RpcObject] = []
        for block in self._blocks_between(from_block, to_block):
            log_index = 0
            for tx_index, (tx, receipt) in enumerate(zip(block.transactions, block.receipts, strict=True)):
                for log in receipt.logs:
                    if (not wanted or log.address in wanted) and _topics_match(log.topics, topics):
                        logs.append(format_log(log, block.header, tx_index, tx.hash, log_index))
                    log_index += 1
        return logs

    def _blocks_between(self, first: int, last: int) -> Iterator[Block]:
        start = bisect.bisect_left(self._numbers, first)
        stop = bisect.bisect_right(self._numbers, last)
        yield from self._blocks[start:stop]

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> int:
        snapshot_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = (len(self._blocks), self._world.mark)
        return snapshot_id

    def revert(self, snapshot_id: int) -> None:
        try:
            length, mark = self._snapshots[snapshot_id]
        except KeyError:
            raise EngineError(f"unknown or discarded snapshot {snapshot_id}") from None
        for block in self._blocks[length:]:
            del self._by_number[block.header.number]
            del self._by_hash[block.hash]
            for tx in block.transactions:
                self._tx_index.pop(tx.hash, None)
        del self._blocks[length:]
        del self._numbers[length:]
        self._rewind(mark)
        self._snapshots = {i: s for i, s in self._snapshots.items() if i <= snapshot_id}

    def export_state(self) -> bytes:
        return state_file.pack(
            self._chain_id, self._executor_gas_limit, self._blocks, self._world, self._impersonated
        )

    @property
    def _executor_gas_limit(self) -> int:
        return self._blocks[0].header.gas_limit

    @classmethod
    def from_state(cls, data: bytes) -> RevmEngine:
        """Rebuild an engine from :meth:`export_state` bytes; raises ``ValueError`` if they are not."""
        chain_id, _, blocks, world, impersonated = state_file.unpack(data)
        self = cls.__new__(cls)
        self._chain_id = chain_id
        self._world = world
        self._no_rules()
        self._init_chain(blocks, impersonated)
        self._executor = self._loaded_executor()
        return self

    def state_root(self, block: BlockId = "latest") -> bytes:
        return self._block(block).header.state_root


def _topics_match(log_topics: Sequence[bytes], wanted: Sequence[Sequence[bytes] | None]) -> bool:
    if len(wanted) > len(log_topics):
        return False
    for position, options in enumerate(wanted):
        if options and log_topics[position] not in options:
            return False
    return True


def _transaction_gas(outcome: Outcome, data: bytes) -> int:
    """The gas a transaction's receipt shows for this run: revm's figure after its refund, raised
    to EIP-7623's calldata floor (as :meth:`RevmEngine._apply` charges it)."""
    spent = outcome.gas_used + outcome.gas_refunded
    consumed = spent + max(floor_data_gas(data) - outcome.gas_used, 0)
    return consumed - min(outcome.gas_refunded, consumed // 5)


def _reverted(outcome: Outcome) -> ExecutionReverted:
    """The seam's error for a failed call, worded as the py-evm engine words it."""
    payload = outcome.output
    if payload[:4] == _ERROR_STRING and len(payload) >= 68:
        try:
            (reason,) = abi_decode(["string"], payload[4:])
            return ExecutionReverted(f"execution reverted: {reason}", payload)
        except Exception:  # a malformed Error(string) payload: keep the raw data
            pass
    if payload or outcome.error.startswith("Revert"):
        # REVERT, with or without data, is "execution reverted" (geth's and py-evm's wording); only
        # a halt (out of gas, an invalid opcode...) names what stopped it.
        return ExecutionReverted("execution reverted", payload)
    halt = _HALT_REASON.search(outcome.error)  # "Halt { reason: OutOfGas(Basic), gas_used: ... }"
    kind = halt.group(1) if halt else outcome.error.split("{")[0].strip() or "Halt"
    return ExecutionReverted(f"execution failed: {kind}", payload)
