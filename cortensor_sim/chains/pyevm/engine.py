"""The py-evm engine: one chain's state and blocks in an in-memory, content-addressed store.

Blocks are built in one pass (a devnet-owned equivalent of py-evm's ``mine_all``): each transaction
is applied once on top of the previous one and the tries are built once per block. eth-tester's
pending-block path re-applies every pending transaction at each insertion and is quadratic
(measured at 9 transfers/s), so it is not used.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import rlp
from eth.abc import BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI
from eth.chains.base import MiningChain
from eth.constants import BLANK_ROOT_HASH, SECPK1_N, ZERO_ADDRESS
from eth.db.atomic import AtomicDB
from eth.exceptions import HeaderNotFound, PyEVMError, Revert, TransactionNotFound
from eth.rlp.accounts import Account
from eth.vm.forks.london.constants import DYNAMIC_FEE_TRANSACTION_TYPE
from eth.vm.forks.london.transactions import DynamicFeeTransaction
from eth.vm.forks.prague.transactions import SetCodeTransaction
from eth_hash.auto import keccak
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError, to_canonical_address
from trie import HexaryTrie

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
    RpcObject,
    SealedBlock,
    StorageProof,
    SystemCall,
    UnknownBlock,
)
from ..header_info import HeaderInfo
from ..rpc_objects import data as _data
from ..rpc_objects import header_object, log_object
from ..rpc_objects import quantity as _hex
from .layered_db import LayeredDB
from .rules import nitro_mix_hash, vm_for_rules
from .vm import SYSTEM_TRANSACTION_TYPE, DevnetVM, ImpersonatedTransaction, MessageCall, SystemTransaction

STATE_FORMAT = b"cortensor-sim/py-evm/1"
_META_KEY = b"cortensor-sim:meta"
_CREATED_PREFIX = b"cortensor-sim:created:"
_IMPERSONATED_PREFIX = b"cortensor-sim:impersonated:"
"""Transaction hash -> the sender it was sent as (impersonation), kept in the store like the rest."""
_DEV_ROOT_KEY = b"cortensor-sim:dev-state-root"
"""Head hash ++ the state root that dev writes made on top of that head (stale once a block follows).

Kept in the store itself, so snapshots, reverts and state files carry it with everything else."""
_DECODED_CACHE_LIMIT = 100_000
_PRECOMPILES = frozenset(i.to_bytes(20, "big") for i in range(1, 0x12))
"""Prague's precompiles, 0x01 (ecrecover) to 0x11 (BLS12-381 map fp2 to G2): always warm."""
_ACCESS_LIST_ADDRESS_COST = 2_400  # EIP-2930 ACCESS_LIST_ADDRESS_COST
_ACCESS_LIST_SLOT_COST = 1_900  # EIP-2930 ACCESS_LIST_STORAGE_KEY_COST


def _chain_class(chain_id: int, rules: ChainRules | None = None) -> type[MiningChain]:
    """A py-evm chain class per chain id and rules: CHAINID, EIP-155 and replay checks read it."""
    return cast(
        type[MiningChain],
        type(
            f"DevnetChain{chain_id}",
            (MiningChain,),
            {"chain_id": chain_id, "vm_configuration": ((0, vm_for_rules(rules or ChainRules())),)},
        ),
    )


class PyEvmEngine(EvmEngine):
    """:class:`EvmEngine` on py-evm (Prague) with an O(1)-snapshot key-value store."""

    def __init__(self, genesis: Genesis) -> None:
        self._store = LayeredDB()
        self._db = AtomicDB(self._store)
        self._chain_id = genesis.chain_id
        self._chain_cls = _chain_class(genesis.chain_id)
        params = {
            "coinbase": ZERO_ADDRESS,
            "difficulty": 0,
            "extra_data": genesis.extra_data[:32],
            "gas_limit": genesis.gas_limit,
            "mix_hash": b"\x00" * 32,
            "nonce": b"\x00" * 8,
            "timestamp": genesis.timestamp,
            "base_fee_per_gas": genesis.base_fee,
        }
        state = {
            address: {
                "balance": account.balance,
                "nonce": account.nonce,
                "code": account.code,
                "storage": dict(account.storage),
            }
            for address, account in genesis.accounts.items()
        }
        self._chain = self._chain_cls.from_genesis(self._db, params, state)
        self._rules = ChainRules()
        self._db[_META_KEY] = rlp.encode([genesis.chain_id])
        self._reset_pending_header()
        self._snapshots: dict[int, int] = {}
        self._next_snapshot = 1
        self._read_state: tuple[bytes, Any] | None = None
        self._decoded: dict[bytes, SignedTransactionAPI] = {}
        self._init_block_caches()

    @classmethod
    def from_state(cls, data: bytes) -> PyEvmEngine:
        """Rebuild an engine from :meth:`export_state` bytes; raises ``ValueError`` if they are not."""
        store = LayeredDB(dict(_unpack_pairs(data)))
        try:
            (chain_id_bytes,) = rlp.decode(store[_META_KEY])
        except (KeyError, rlp.DecodingError) as exc:
            raise ValueError("not a cortensor-sim py-evm state (no chain metadata)") from exc
        self = cls.__new__(cls)
        self._store = store
        self._db = AtomicDB(store)
        self._chain_id = int.from_bytes(chain_id_bytes, "big")
        self._chain_cls = _chain_class(self._chain_id)
        self._rules = ChainRules()
        try:
            self._chain = self._chain_cls(self._db)
        except (PyEVMError, KeyError) as exc:
            raise ValueError("state has no canonical head") from exc
        self._reset_pending_header()
        self._snapshots = {}
        self._next_snapshot = 1
        self._read_state = None
        self._decoded = {}
        self._init_block_caches()
        return self

    def _init_block_caches(self) -> None:
        # Keyed by block hash, so a revert never makes an entry wrong: a hash names one content.
        self._formatted_blocks: OrderedDict[tuple[bytes, bool], RpcObject] = OrderedDict()
        self._transactions_cache: OrderedDict[bytes, tuple[SignedTransactionAPI, ...]] = OrderedDict()
        self._receipts_cache: OrderedDict[bytes, tuple[ReceiptAPI, ...]] = OrderedDict()

    def _reset_pending_header(self) -> None:
        # MiningChain builds its pending header with the wall clock; pin it to the head's time.
        head = self._chain.get_canonical_head()
        self._chain.header = self._chain.create_header_from_parent(head, timestamp=head.timestamp)

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @classmethod
    def supports_rules(cls, rules: ChainRules) -> bool:
        return True  # NUMBER, PREVRANDAO and Python precompiles (see .rules)

    def install_rules(self, rules: ChainRules) -> None:
        self._rules = rules
        self._chain_cls = _chain_class(self._chain_id, rules)
        self._chain = self._chain_cls(self._db)
        self._reset_pending_header()
        self._read_state = None

    @property
    def rules(self) -> ChainRules:
        return self._rules

    # ------------------------------------------------------------------ blocks
    def _builder(self) -> Any:
        return DevnetVM.block_class.transaction_builder

    def _impersonated_sender(self, tx_hash: bytes) -> bytes | None:
        try:
            return self._db[_IMPERSONATED_PREFIX + tx_hash]
        except KeyError:
            return None

    def _decode(self, raw: bytes) -> SignedTransactionAPI:
        cached = self._decoded.pop(raw, None)
        if cached is not None:
            return cached
        sender = self._impersonated_sender(keccak(raw))
        if sender is not None:
            return ImpersonatedTransaction.wrapping(self._builder().decode(raw), sender)
        try:
            tx = self._builder().decode(raw)
            # check_signature_validity() recovers the key and then verifies with it, which only
            # adds libsecp256k1's low-s rule: check the ranges here and recover once (tx.sender is
            # cached on the object, so the block's apply_transaction reuses it).
            if not (0 < tx.r < SECPK1_N and 0 < tx.s <= SECPK1_N // 2):
                raise ValidationError("Invalid Signature: r or s out of range")
            _ = tx.sender  # recovers the key, or raises BadSignature
        except (ValidationError, BadSignature, rlp.DecodingError, ValueError, TypeError) as exc:
            raise InvalidTransaction(f"cannot decode transaction: {exc}") from exc
        if isinstance(tx, SystemTransaction):
            raise InvalidTransaction("system transactions (type 0x7e) cannot be sent, only derived")
        chain_id = tx.chain_id
        if chain_id is not None and chain_id != self._chain_id:
            raise InvalidTransaction(
                f"transaction is signed for chain id {chain_id}, but this chain's id is "
                f"{self._chain_id} (refused: cross-chain replay)"
            )
        return tx

    def decode_transaction(self, raw: bytes) -> RpcObject:
        tx = self._decode(raw)
        # Keep the decoded transaction for the block it will be sealed into: recovering the sender
        # is the most expensive step of a transfer, and it would otherwise run twice.
        if len(self._decoded) >= _DECODED_CACHE_LIMIT:
            self._decoded.clear()
        self._decoded[raw] = tx
        return _format_transaction(tx, None, None, self._chain.get_canonical_head())

    def seal_block(
        self,
        transactions: Sequence[PendingTransaction],
        *,
        timestamp: int,
        number: int | None = None,
        prev_randao: bytes = b"\x00" * 32,
        all_or_nothing: bool = False,
        l1_block_number: int | None = None,
    ) -> SealedBlock:
        parent = self._chain.get_canonical_head()
        if self._rules.number == "l1":
            # Nitro's header carries the L1 block number in the mix hash (see .rules).
            prev_randao = nitro_mix_hash(l1_block_number or 0)
        header = self._chain.create_header_from_parent(
            parent,
            timestamp=max(timestamp, parent.timestamp),
            mix_hash=prev_randao,
            gas_limit=parent.gas_limit,  # constant, as on anvil: no drift toward a target
        )
        header = header.copy(state_root=self._newest_root(parent))  # dev writes land in this block
        if number is not None:
            if number <= parent.block_number:
                raise EngineError(f"block #{number} does not follow head #{parent.block_number}")
            header = header.copy(block_number=number)
        vm = self._chain.get_vm(header)
        included: list[SignedTransactionAPI] = []
        receipts: list[ReceiptAPI] = []
        dropped: list[DroppedTransaction] = []
        created: list[tuple[bytes, bytes]] = []
        result_header: BlockHeaderAPI = header
        deferred: tuple[PendingTransaction, ...] = ()
        for position, pending in enumerate(transactions):
            try:
                tx = self._to_evm_transaction(pending)
            except InvalidTransaction as exc:
                raw_hash = keccak(pending) if isinstance(pending, bytes) else b""
                dropped.append(DroppedTransaction(raw_hash, str(exc)))
                continue
            if tx.gas > header.gas_limit:
                dropped.append(DroppedTransaction(tx.hash, f"gas {tx.gas} exceeds the block gas limit"))
                continue
            if result_header.gas_used + tx.gas > result_header.gas_limit and not all_or_nothing:
                deferred = tuple(transactions[position:])
                if isinstance(pending, bytes):
                    self._decoded[pending] = tx  # decoded already: keep it for the next block
                break
            try:
                # Validate first: py-evm's apply_transaction locks the journal, so a failure inside
                # it cannot be reverted, and an invalid transaction must leave no trace.
                # Intrinsic gas: py-evm checks it for legacy transactions only, and a typed one
                # below it makes apply_transaction raise out of the block instead of being dropped.
                tx.validate()
                if tx.gas < tx.intrinsic_gas:
                    raise ValidationError(f"Insufficient gas: {tx.gas} < intrinsic {tx.intrinsic_gas}")
                vm.validate_transaction_against_header(result_header, tx)
                vm.state.validate_transaction(tx)
            except ValidationError as exc:
                dropped.append(DroppedTransaction(tx.hash, str(exc)))
                continue
            receipt, computation = vm.apply_transaction(result_header, tx)
            result_header = vm.add_receipt_to_header(result_header, receipt)
            result_header = vm.increment_blob_gas_used(result_header, tx)
            included.append(tx)
            receipts.append(receipt)
            if computation.msg.is_create and computation.is_success:
                created.append((tx.hash, computation.msg.storage_address))
        if dropped and all_or_nothing:
            # Nothing is persisted before mine_block: the VM's state is simply discarded.
            raise InvalidTransaction(dropped[0].reason)
        if self._rules.number == "l1" and self._rules.send_state is not None:
            result_header = self._with_header_info(result_header, vm.state, l1_block_number or 0)
        block = vm.set_block_transactions_and_withdrawals(
            vm.get_block(), result_header, included, receipts, withdrawals=None
        )
        mined = vm.mine_block(block).block
        # chaindb directly: Chain.persist_block would re-read and re-decode the block just written.
        self._chain.chaindb.persist_block(mined)
        # The actors read every new block's logs at once: keep what was just built instead of
        # decoding it back from the store (a block's hash names its content, so this never goes stale).
        _remember(self._transactions_cache, mined.hash, tuple(included))
        _remember(self._receipts_cache, mined.hash, tuple(receipts))
        for tx_hash, address in created:
            self._db[_CREATED_PREFIX + tx_hash] = address
        return SealedBlock(
            number=mined.number,
            hash=mined.hash,
            timestamp=mined.header.timestamp,
            tx_hashes=tuple(tx.hash for tx in included),
            dropped=tuple(dropped),
            deferred=deferred,
        )

    def _with_header_info(self, header: BlockHeaderAPI, state: Any, l1_block_number: int) -> BlockHeaderAPI:
        """``header`` carrying Nitro's header info (see ..header_info) read from the block's state
        after its transactions: NUMBER reads only the L1 block number, which does not change."""
        assert self._rules.send_state is not None
        send_count, send_root = self._rules.send_state(state.get_storage)
        info = HeaderInfo(send_root=send_root, send_count=send_count, l1_block_number=l1_block_number)
        return header.copy(extra_data=info.extra_data, mix_hash=info.mix_hash)

    def impersonated_transaction(self, fields: Mapping[str, Any], sender: bytes) -> bytes:
        fee = fields.get("maxFeePerGas", fields.get("gasPrice", 0))
        tip = fields.get("maxPriorityFeePerGas", fields.get("gasPrice", 0))
        inner = DynamicFeeTransaction(
            self._chain_id,
            fields["nonce"],
            tip,
            fee,
            fields["gas"],
            to_canonical_address(fields["to"]) if fields.get("to") else b"",
            fields.get("value", 0),
            fields.get("data", b""),
            [
                (to_canonical_address(entry["address"]), [int(k, 16) for k in entry["storageKeys"]])
                for entry in fields.get("accessList", ())
            ],
            0,
            1,  # a placeholder signature: the sender is remembered, not recovered
            1,
        )
        tx = ImpersonatedTransaction(DYNAMIC_FEE_TRANSACTION_TYPE, inner, sender)
        raw = tx.encode()
        self._db[_IMPERSONATED_PREFIX + tx.hash] = sender
        return raw

    def system_transaction_hash(self, call: SystemCall) -> bytes:
        return self._to_evm_transaction(call).hash

    def _to_evm_transaction(self, pending: PendingTransaction) -> SignedTransactionAPI:
        if isinstance(pending, SystemCall):
            return SystemTransaction.build(
                sender=pending.sender,
                to=pending.to,
                data=pending.data,
                value=pending.value,
                gas=pending.gas,
                mint=pending.mint,
                source_hash=pending.source_hash,
                is_system_tx=pending.is_system_tx,
            )
        return self._decode(pending)

    # ------------------------------------------------------------------ state
    def _header(self, block: BlockId) -> BlockHeaderAPI:
        chaindb = self._chain.chaindb
        try:
            if block in ("latest", "pending", "safe", "finalized"):
                return self._chain.get_canonical_head()
            if block == "earliest":
                return chaindb.get_canonical_block_header_by_number(0)
            if isinstance(block, bytes):
                header = chaindb.get_block_header_by_hash(block)
                if chaindb.get_canonical_block_hash(header.block_number) != header.hash:
                    raise UnknownBlock(f"block {_data(block)} is not canonical")
                return header
            if isinstance(block, int):
                return chaindb.get_canonical_block_header_by_number(block)
        except HeaderNotFound as exc:
            raise UnknownBlock(f"no block {block!r} on chain {self._chain_id}") from exc
        raise UnknownBlock(f"unknown block identifier {block!r}")

    def _newest_root(self, head: BlockHeaderAPI) -> bytes:
        """The state root reads of ``latest`` see: the head's, or what dev writes made of it."""
        try:
            entry = self._db[_DEV_ROOT_KEY]
        except KeyError:
            return head.state_root
        return entry[32:] if entry[:32] == head.hash else head.state_root

    def _state_header(self, block: BlockId) -> BlockHeaderAPI:
        """``block``'s header, carrying the dev-written state root when ``block`` is the newest."""
        header = self._header(block)
        if block in ("latest", "pending"):
            root = self._newest_root(header)
            if root != header.state_root:
                header = header.copy(state_root=root)
        return header

    def _state(self, block: BlockId) -> Any:
        header = self._state_header(block)
        cached = self._read_state
        if cached is not None and cached[0] == header.state_root:
            return cached[1]
        state = self._chain.get_vm(header).state  # about 160 us: keep it for the next read
        self._read_state = (header.state_root, state)
        return state

    # ------------------------------------------------------------------ dev writes
    def _dev_write(self, change: Callable[[Any], None]) -> None:
        head = self._chain.get_canonical_head()
        state = self._chain.get_vm(head.copy(state_root=self._newest_root(head))).state
        change(state)
        state.persist()
        self._db[_DEV_ROOT_KEY] = head.hash + state.state_root
        self._read_state = None

    def set_balance(self, address: bytes, balance: int) -> None:
        self._dev_write(lambda state: state.set_balance(address, balance))

    def set_nonce(self, address: bytes, nonce: int) -> None:
        self._dev_write(lambda state: state.set_nonce(address, nonce))

    def set_code(self, address: bytes, code: bytes) -> None:
        self._dev_write(lambda state: state.set_code(address, code))

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._dev_write(lambda state: state.set_storage(address, slot, value))

    def get_balance(self, address: bytes, block: BlockId = "latest") -> int:
        return self._state(block).get_balance(address)

    def get_nonce(self, address: bytes, block: BlockId = "latest") -> int:
        return self._state(block).get_nonce(address)

    def get_code(self, address: bytes, block: BlockId = "latest") -> bytes:
        return self._state(block).get_code(address)

    def get_storage(self, address: bytes, slot: int, block: BlockId = "latest") -> int:
        return self._state(block).get_storage(address, slot)

    def get_proof(self, address: bytes, slots: Sequence[int], block: BlockId = "latest") -> AccountProof:
        header = self._state_header(block)
        state_trie = HexaryTrie(self._db, header.state_root)
        account_key = keccak(address)
        account_proof = tuple(rlp.encode(node) for node in state_trie.get_proof(account_key))
        encoded = state_trie.get(account_key)
        account = rlp.decode(encoded, sedes=Account) if encoded else Account()
        storage_trie = HexaryTrie(self._db, account.storage_root)
        storage_proofs = []
        for slot in slots:
            slot_key = keccak(slot.to_bytes(32, "big"))
            raw = storage_trie.get(slot_key)
            value = rlp.decode(raw, sedes=rlp.sedes.big_endian_int) if raw else 0
            nodes = storage_trie.get_proof(slot_key) if account.storage_root != BLANK_ROOT_HASH else ()
            storage_proofs.append(StorageProof(slot, value, tuple(rlp.encode(n) for n in nodes)))
        return AccountProof(
            address=address,
            balance=account.balance,
            nonce=account.nonce,
            code_hash=account.code_hash,
            storage_hash=account.storage_root,
            account_proof=account_proof,
            storage_proof=tuple(storage_proofs),
            state_root=header.state_root,
            block_number=header.block_number,
        )

    def _call_header(
        self, block: BlockId, at_time: int | None, l1_block_number: int | None
    ) -> BlockHeaderAPI:
        header = self._state_header(block)
        if at_time is not None and at_time > header.timestamp:
            header = header.copy(timestamp=at_time)
        if l1_block_number is not None and self._rules.number == "l1":
            header = header.copy(mix_hash=nitro_mix_hash(l1_block_number))
        return header

    @staticmethod
    def _message(request: CallRequest, gas: int) -> MessageCall:
        """A call as an unsigned transaction: no signature, no fee, never a deposit (eth_call)."""
        return MessageCall.build(
            sender=request.sender or ZERO_ADDRESS,
            to=request.to,
            data=request.data,
            value=request.value,
            gas=gas,
        )

    def _execute(self, request: CallRequest, header: BlockHeaderAPI, gas: int) -> Any:
        vm = self._chain.get_vm(header)
        tx = self._message(request, gas)
        try:
            # A VM of its own, over the block's state root: nothing it writes is persisted.
            return vm.state.apply_transaction(tx)
        except ValidationError as exc:
            raise EngineError(str(exc)) from exc

    def call(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> bytes:
        header = self._call_header(block, at_time, l1_block_number)
        computation = self._execute(request, header, request.gas or header.gas_limit)
        if computation.is_error:
            raise _reverted(computation)
        return computation.output

    def create_access_list(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> AccessList:
        header = self._call_header(block, at_time, l1_block_number)
        gas = request.gas or header.gas_limit
        touched: dict[bytes, list[int]] = {}
        state = self._chain.get_vm(header).state
        accounts = state._account_db  # py-evm marks every warm access here: record them as they come
        mark_address, mark_storage = accounts.mark_address_warm, accounts.mark_storage_warm

        def address_warm(address: bytes) -> None:
            touched.setdefault(address, [])
            mark_address(address)

        def storage_warm(address: bytes, slot: int) -> None:
            slots = touched.setdefault(address, [])
            if slot not in slots:
                slots.append(slot)
            mark_storage(address, slot)

        accounts.mark_address_warm, accounts.mark_storage_warm = address_warm, storage_warm
        traced = state.apply_transaction(self._message(request, gas))
        if traced.is_error:
            raise _reverted(traced)
        excluded = {request.sender or ZERO_ADDRESS, request.to, header.coinbase, *_PRECOMPILES}
        entries = tuple((a, tuple(slots)) for a, slots in touched.items() if a not in excluded)
        # Run again with the list warm from the start, as a type-1/2 transaction carrying it would.
        with_list = self._message(request, gas)
        with_list.access_list = entries  # type: ignore[misc]
        computation = self._chain.get_vm(header).state.apply_transaction(with_list)
        if computation.is_error:
            raise _reverted(computation)
        used = gas - computation.get_gas_remaining()
        used += sum(_ACCESS_LIST_ADDRESS_COST + _ACCESS_LIST_SLOT_COST * len(s) for _, s in entries)
        refund = min(computation.get_gas_refund(), used // 5)
        return AccessList(entries=entries, gas_used=used - refund)

    def estimate_gas(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> int:
        """The least gas with which the call succeeds, exactly (a plain transfer: 21,000).

        The gas a successful run consumed (before refunds) is a lower bound and usually the answer;
        when it is not (the all-but-one-64th rule of nested calls, a GAS-dependent branch), a
        binary search between it and the cap finds the least gas that succeeds.
        """
        header = self._call_header(block, at_time, l1_block_number)
        cap = request.gas or header.gas_limit
        computation = self._execute(request, header, cap)
        if computation.is_error:
            raise _reverted(computation)
        used = cap - computation.get_gas_remaining()
        if used >= cap or not self._execute(request, header, used).is_error:
            return used
        low, high = used, min(cap, used + used // 63 + 2_300)  # low fails; high is the usual fit
        if self._execute(request, header, high).is_error:
            low, high = high, cap
        while high - low > 1:
            middle = (low + high) // 2
            if self._execute(request, header, middle).is_error:
                low = middle
            else:
                high = middle
        return high

    # ------------------------------------------------------------------ reading blocks
    @property
    def head_number(self) -> int:
        return self._chain.get_canonical_head().block_number

    def _block_transactions(self, header: BlockHeaderAPI) -> tuple[SignedTransactionAPI, ...]:
        txs = self._transactions_cache.get(header.hash)
        if txs is None:
            txs = tuple(
                ImpersonatedTransaction.wrapping(tx, sender)
                if (sender := self._impersonated_sender(tx.hash)) is not None
                else tx
                for tx in self._chain.chaindb.get_block_transactions(header, self._builder())
            )
            _remember(self._transactions_cache, header.hash, txs)
        return txs

    def get_block(self, block: BlockId, full_transactions: bool = False) -> RpcObject:
        header = self._header(block)
        key = (header.hash, full_transactions)
        formatted = self._formatted_blocks.get(key)
        if formatted is None:
            # A sealed block never changes (its hash is its content): format it once. Clients ask
            # for "latest" before every transaction they send, and a block may hold thousands.
            txs = self._block_transactions(header)
            body: list[Any]
            if full_transactions:
                body = [_format_transaction(tx, header, i, header) for i, tx in enumerate(txs)]
            else:
                body = [_data(tx.hash) for tx in txs]
            block_rlp = rlp.encode([header, [tx.encode() if _tx_type(tx) else tx for tx in txs], [], []])
            formatted = _format_header(header) | {
                "transactions": body,
                "size": _hex(len(block_rlp)),
                "uncles": [],
            }
            if self._rules.number == "l1":
                formatted |= HeaderInfo.from_header(header.extra_data, header.mix_hash).rpc_fields()
            _remember(self._formatted_blocks, key, formatted)
        return dict(formatted)

    def _locate(self, tx_hash: bytes) -> tuple[BlockHeaderAPI, int, SignedTransactionAPI] | None:
        chaindb = self._chain.chaindb
        try:
            number, index = chaindb.get_transaction_index(tx_hash)
        except TransactionNotFound:
            return None
        header = chaindb.get_canonical_block_header_by_number(number)
        tx = self._block_transactions(header)[index]
        if tx.hash != tx_hash:  # an index entry left behind by a reverted block
            return None
        return header, index, tx

    def get_transaction(self, tx_hash: bytes) -> RpcObject | None:
        found = self._locate(tx_hash)
        if found is None:
            return None
        header, index, tx = found
        return _format_transaction(tx, header, index, header)

    def get_raw_transaction(self, tx_hash: bytes) -> bytes | None:
        found = self._locate(tx_hash)
        if found is None:
            return None
        tx = found[2]
        return tx.encode() if _tx_type(tx) else rlp.encode(tx)

    def _receipts(self, header: BlockHeaderAPI) -> tuple[ReceiptAPI, ...]:
        receipts = self._receipts_cache.get(header.hash)
        if receipts is None:
            receipts = tuple(self._chain.chaindb.get_receipts(header, DevnetVM.block_class.receipt_builder))
            _remember(self._receipts_cache, header.hash, receipts)
        return receipts

    def get_receipt(self, tx_hash: bytes) -> RpcObject | None:
        found = self._locate(tx_hash)
        if found is None:
            return None
        header, index, tx = found
        receipts = self._receipts(header)
        return self._format_receipt(header, index, tx, receipts, self._log_offset(receipts, index))

    @staticmethod
    def _log_offset(receipts: Sequence[ReceiptAPI], index: int) -> int:
        return sum(len(r.logs) for r in receipts[:index])

    def _format_receipt(
        self,
        header: BlockHeaderAPI,
        index: int,
        tx: SignedTransactionAPI,
        receipts: Sequence[ReceiptAPI],
        first_log_index: int,
    ) -> RpcObject:
        receipt = receipts[index]
        previous = receipts[index - 1].gas_used if index else 0
        created = None
        if tx.to == b"":
            try:
                created = _data(self._db[_CREATED_PREFIX + tx.hash])
            except KeyError:
                created = None
        status = 1 if receipt.state_root == b"\x01" else 0
        return {
            "transactionHash": _data(tx.hash),
            "transactionIndex": _hex(index),
            "blockHash": _data(header.hash),
            "blockNumber": _hex(header.block_number),
            "from": _data(tx.sender),
            "to": _data(tx.to) if tx.to else None,
            "cumulativeGasUsed": _hex(receipt.gas_used),
            "gasUsed": _hex(receipt.gas_used - previous),
            "effectiveGasPrice": _hex(_effective_gas_price(tx, header)),
            "contractAddress": created,
            "logs": [
                _format_log(log, header, index, tx.hash, first_log_index + i)
                for i, log in enumerate(receipt.logs)
            ],
            "logsBloom": _data(receipt.bloom.to_bytes(256, "big")),
            "status": _hex(status),
            "type": _hex(_tx_type(tx)),
        }

    def get_logs(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[bytes] = (),
        topics: Sequence[Sequence[bytes] | None] = (),
    ) -> list[RpcObject]:
        wanted = set(addresses)
        logs: list[RpcObject] = []
        for header in reversed(list(self._headers_between(from_block, to_block))):
            if header.gas_used == 0:
                continue
            txs = self._block_transactions(header)
            receipts = self._receipts(header)
            log_index = 0
            for tx_index, (tx, receipt) in enumerate(zip(txs, receipts, strict=True)):
                for log in receipt.logs:
                    if (not wanted or log.address in wanted) and _topics_match(log.topics, topics):
                        logs.append(_format_log(log, header, tx_index, tx.hash, log_index))
                    log_index += 1
        return logs

    def _headers_between(self, first: int, last: int) -> Iterator[BlockHeaderAPI]:
        """Canonical headers from ``last`` down to ``first``, walking parents so gaps cost nothing."""
        header = self._chain.get_canonical_head()
        chaindb = self._chain.chaindb
        while header.block_number > last:
            header = chaindb.get_block_header_by_hash(header.parent_hash)
        while header.block_number >= first:
            yield header
            if header.block_number == 0:
                return
            header = chaindb.get_block_header_by_hash(header.parent_hash)

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> int:
        snapshot_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = self._store.push()
        return snapshot_id

    def revert(self, snapshot_id: int) -> None:
        try:
            depth = self._snapshots[snapshot_id]
        except KeyError:
            raise EngineError(f"unknown or discarded snapshot {snapshot_id}") from None
        changed = self._store.pop_to(depth)
        self._snapshots = {i: d for i, d in self._snapshots.items() if i <= snapshot_id}
        if changed:
            # py-evm caches headers and state in the chain object: rebuild it over the reverted store.
            self._chain = self._chain_cls(self._db)
            self._reset_pending_header()
            self._read_state = None

    def export_state(self) -> bytes:
        return _pack_pairs(self._store.items())

    def state_root(self, block: BlockId = "latest") -> bytes:
        return self._header(block).state_root


# ---------------------------------------------------------------------- caches
_BLOCK_CACHE_SIZE = 64


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    if len(cache) > _BLOCK_CACHE_SIZE:
        cache.popitem(last=False)


# ---------------------------------------------------------------------- formatting
def _tx_type(tx: SignedTransactionAPI) -> int:
    return getattr(tx, "type_id", None) or 0


def _effective_gas_price(tx: SignedTransactionAPI, header: BlockHeaderAPI) -> int:
    if isinstance(tx, SystemTransaction):
        return 0
    if _tx_type(tx) in (0, 1):
        return tx.gas_price
    return min(tx.max_fee_per_gas, header.base_fee_per_gas + tx.max_priority_fee_per_gas)


def _format_header(header: BlockHeaderAPI) -> RpcObject:
    return header_object(header, number=header.block_number, base_fee=header.base_fee_per_gas)


def _format_transaction(
    tx: SignedTransactionAPI,
    header: BlockHeaderAPI | None,
    index: int | None,
    base_header: BlockHeaderAPI,
) -> RpcObject:
    tx_type = _tx_type(tx)
    out: RpcObject = {
        "hash": _data(tx.hash),
        "type": _hex(tx_type),
        "from": _data(tx.sender),
        "to": _data(tx.to) if tx.to else None,
        "value": _hex(tx.value),
        "gas": _hex(tx.gas),
        "input": _data(tx.data),
        "blockHash": _data(header.hash) if header else None,
        "blockNumber": _hex(header.block_number) if header else None,
        "transactionIndex": _hex(index) if index is not None else None,
    }
    if isinstance(tx, SystemTransaction):
        return out | {
            "nonce": _hex(0),
            "gasPrice": _hex(0),
            "sourceHash": _data(tx.source_hash),
            "mint": _hex(tx.mint),
            "isSystemTx": tx.is_system_tx,
        }
    out |= {
        "nonce": _hex(tx.nonce),
        "r": _hex(tx.r),
        "s": _hex(tx.s),
    }
    if tx_type == 0:
        out |= {"gasPrice": _hex(tx.gas_price), "v": _hex(tx.v)}
        if tx.chain_id is not None:
            out["chainId"] = _hex(tx.chain_id)
        return out
    out |= {
        "chainId": _hex(tx.chain_id),
        "yParity": _hex(tx.y_parity),
        "v": _hex(tx.y_parity),
        "accessList": [
            {"address": _data(a), "storageKeys": [_data(k.to_bytes(32, "big")) for k in keys]}
            for a, keys in tx.access_list
        ],
    }
    if tx_type == 1:
        out["gasPrice"] = _hex(tx.gas_price)
        return out
    out |= {
        "maxFeePerGas": _hex(tx.max_fee_per_gas),
        "maxPriorityFeePerGas": _hex(tx.max_priority_fee_per_gas),
        "gasPrice": _hex(_effective_gas_price(tx, base_header)),
    }
    if isinstance(tx, SetCodeTransaction) or tx_type == 4:
        out["authorizationList"] = [
            {
                "chainId": _hex(a.chain_id),
                "address": _data(a.address),
                "nonce": _hex(a.nonce),
                "yParity": _hex(a.y_parity),
                "r": _hex(a.r),
                "s": _hex(a.s),
            }
            for a in tx.authorization_list
        ]
    return out


def _format_log(log: Any, header: BlockHeaderAPI, tx_index: int, tx_hash: bytes, log_index: int) -> RpcObject:
    topics = [t.to_bytes(32, "big") for t in log.topics]
    block = (header.block_number, header.hash, header.timestamp)
    return log_object(
        log.address, topics, log.data, block=block, tx_hash=tx_hash, tx_index=tx_index, log_index=log_index
    )


def _topics_match(log_topics: Sequence[int], wanted: Sequence[Sequence[bytes] | None]) -> bool:
    if len(wanted) > len(log_topics):
        return False
    for position, options in enumerate(wanted):
        if options is None or len(options) == 0:
            continue
        if log_topics[position].to_bytes(32, "big") not in options:
            return False
    return True


def _reverted(computation: Any) -> ExecutionReverted:
    error = computation.error
    first = error.args[0] if error.args else b""
    # A revert carries its return data; other errors (insufficient funds for a call's value, an
    # invalid opcode...) carry py-evm's text, which becomes the message instead.
    data = bytes(first) if isinstance(first, bytes | bytearray) else b""
    text = first if isinstance(first, str) else ""
    message = "execution reverted"
    if data[:4] == bytes.fromhex("08c379a0") and len(data) >= 68:
        from eth_abi import decode

        try:
            (reason,) = decode(["string"], data[4:])
            message = f"execution reverted: {reason}"
        except Exception:  # a malformed Error(string) payload: keep the raw data
            pass
    elif not data and not isinstance(error, Revert):
        message = f"execution failed: {type(error).__name__}" + (f": {text}" if text else "")
    return ExecutionReverted(message, data)


# ---------------------------------------------------------------------- export format
def _pack_pairs(pairs: Iterator[tuple[bytes, bytes]]) -> bytes:
    chunks = [STATE_FORMAT]
    for key, value in sorted(pairs):
        chunks.append(struct.pack(">II", len(key), len(value)))
        chunks.append(key)
        chunks.append(value)
    return b"".join(chunks)


def _unpack_pairs(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    if not data.startswith(STATE_FORMAT):
        raise ValueError("not a cortensor-sim py-evm state")
    offset = len(STATE_FORMAT)
    end = len(data)
    while offset < end:
        if offset + 8 > end:
            raise ValueError("truncated py-evm state")
        key_len, value_len = struct.unpack_from(">II", data, offset)
        offset += 8
        if offset + key_len + value_len > end:
            raise ValueError("truncated py-evm state")
        yield data[offset : offset + key_len], data[offset + key_len : offset + key_len + value_len]
        offset += key_len + value_len


__all__ = ["SYSTEM_TRANSACTION_TYPE", "PyEvmEngine", "to_canonical_address"]
