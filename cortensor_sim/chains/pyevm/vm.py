"""The devnet's py-evm virtual machine: Prague, plus the two things a devnet needs that mainnet lacks.

1. **System transactions** (EIP-2718 type ``0x7E``, the OP Stack deposit transaction layout):
   unsigned, executed as a given sender, gas bought at price zero, an optional ``mint`` credited to
   the sender before execution and kept even if the call reverts. Rollup deposits run this way on the
   real chains, so they must be real transactions in real blocks with real receipts here too.
2. **Header rules of a simulated clock**: block numbers may skip (a long clock jump seals one block at
   the number that elapsed time implies, instead of millions of empty ones), and timestamps may repeat
   (chains with sub-second block times, like Arbitrum's 0.25 s, give several blocks one timestamp).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

import rlp
from eth.abc import BlockHeaderAPI, ComputationAPI, MessageAPI, ReceiptAPI, SignedTransactionAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.exceptions import InsufficientFunds
from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth.rlp.sedes import address
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlock, PragueBlockHeader
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.receipts import PragueReceiptBuilder, PragueTypedReceipt
from eth.vm.forks.prague.state import PragueState, PragueTransactionExecutor
from eth.vm.forks.prague.transactions import PragueTransactionBuilder, PragueTypedTransaction
from eth.vm.forks.shanghai.withdrawals import Withdrawal
from eth_hash.auto import keccak
from eth_utils import ValidationError
from rlp.sedes import Binary, CountableList, big_endian_int, binary, boolean

SYSTEM_TRANSACTION_TYPE = 0x7E
"""The OP Stack's deposit transaction type; chosen so deposits later need no second encoding."""

hash32 = Binary.fixed_length(32)


class SystemTransactionPayload(rlp.Serializable):
    """RLP body of a system transaction: ``[sourceHash, from, to, mint, value, gas, isSystemTx, data]``."""

    fields: ClassVar = [
        ("source_hash", hash32),
        ("sender", address),
        ("to", Binary.fixed_length(20, allow_empty=True)),
        ("mint", big_endian_int),
        ("value", big_endian_int),
        ("gas", big_endian_int),
        ("is_system_tx", boolean),
        ("data", binary),
    ]


class SystemTransaction(PragueTypedTransaction):
    """An unsigned transaction executed as ``sender``: no signature, no fee, no nonce check.

    py-evm's executor still increments the sender's nonce and charges intrinsic gas against
    ``gas``, which is what OP Stack deposits do.
    """

    def __init__(self, type_id: int, proxy_target: SystemTransactionPayload) -> None:
        self.type_id = type_id
        self._inner = proxy_target  # type: ignore[assignment]

    @classmethod
    def build(
        cls,
        *,
        sender: bytes,
        to: bytes | None,
        data: bytes = b"",
        value: int = 0,
        gas: int = 30_000_000,
        mint: int = 0,
        source_hash: bytes = b"\x00" * 32,
        is_system_tx: bool = False,
    ) -> SystemTransaction:
        payload = SystemTransactionPayload(
            source_hash, sender, to or b"", mint, value, gas, is_system_tx, data
        )
        return cls(SYSTEM_TRANSACTION_TYPE, payload)

    def encode(self) -> bytes:
        return bytes([SYSTEM_TRANSACTION_TYPE]) + rlp.encode(self._inner)

    @cached_property
    def hash(self) -> bytes:  # type: ignore[override]
        return keccak(self.encode())

    # -- the fields py-evm reads --
    @property
    def payload(self) -> SystemTransactionPayload:
        return self._inner  # type: ignore[return-value]

    @property
    def sender(self) -> bytes:  # type: ignore[override]
        return self.payload.sender

    def get_sender(self) -> bytes:
        return self.payload.sender

    @property
    def to(self) -> bytes:  # type: ignore[override]
        return self.payload.to or CREATE_CONTRACT_ADDRESS

    @property
    def value(self) -> int:  # type: ignore[override]
        return self.payload.value

    @property
    def gas(self) -> int:  # type: ignore[override]
        return self.payload.gas

    @property
    def data(self) -> bytes:  # type: ignore[override]
        return self.payload.data

    @property
    def mint(self) -> int:
        return self.payload.mint

    @property
    def source_hash(self) -> bytes:
        return self.payload.source_hash

    @property
    def is_system_tx(self) -> bool:
        return self.payload.is_system_tx

    nonce = 0
    chain_id = None
    gas_price = 0
    max_fee_per_gas = 0
    max_priority_fee_per_gas = 0
    max_fee_per_blob_gas = 0
    blob_versioned_hashes = ()
    access_list = ()
    authorization_list = ()
    y_parity = 0
    r = 0
    s = 0

    def check_signature_validity(self) -> None:
        """Nothing to check: a system transaction is authorized by whoever derives it, not signed."""

    def validate(self) -> None:
        if len(self.payload.sender) != 20:
            raise ValidationError("system transaction sender must be a 20-byte address")

    def get_intrinsic_gas(self) -> int:
        from eth._utils.transactions import calculate_intrinsic_gas
        from eth.vm.forks.berlin.transactions import ISTANBUL_TX_GAS_SCHEDULE

        return calculate_intrinsic_gas(ISTANBUL_TX_GAS_SCHEDULE, self)

    @property
    def intrinsic_gas(self) -> int:
        return self.get_intrinsic_gas()

    def gas_used_by(self, computation: ComputationAPI) -> int:
        return self.gas - computation.get_gas_remaining()

    def make_receipt(
        self,
        status: bytes,
        gas_used: int,
        log_entries: tuple[tuple[bytes, tuple[int, ...], bytes], ...],
    ) -> ReceiptAPI:
        logs = [Log(address, topics, data) for address, topics, data in log_entries]
        inner = Receipt(state_root=status, gas_used=gas_used, logs=logs)
        return DevnetTypedReceipt(SYSTEM_TRANSACTION_TYPE, inner)

    def copy(self, **overrides: Any) -> SystemTransaction:
        return SystemTransaction(SYSTEM_TRANSACTION_TYPE, self.payload.copy(**overrides))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SystemTransaction) and self.encode() == other.encode()

    def __hash__(self) -> int:
        return hash(self.encode())


class MessageCall(SystemTransaction):
    """The unsigned stand-in transaction of ``eth_call``/``eth_estimateGas``: never a deposit."""


class SystemTransactionDecoder:
    @classmethod
    def decode(cls, payload: bytes) -> SystemTransactionPayload:
        return rlp.decode(payload, sedes=SystemTransactionPayload)


class DevnetTypedTransaction(PragueTypedTransaction):
    """Prague's typed transactions, plus type 0x7E."""

    @classmethod
    def decode(cls, encoded: bytes) -> SignedTransactionAPI:
        if encoded and encoded[0] == SYSTEM_TRANSACTION_TYPE:
            return SystemTransaction(SYSTEM_TRANSACTION_TYPE, SystemTransactionDecoder.decode(encoded[1:]))
        return super().decode(encoded)


class ImpersonatedTransaction(DevnetTypedTransaction):
    """A typed transaction whose sender is given, not recovered (``anvil_impersonateAccount``).

    Its signature is a placeholder. The engine remembers the sender by the transaction's hash and
    rebuilds this class whenever it reads the transaction back. Everything else (fees, nonce,
    gas, receipt) is an ordinary transaction's, as on anvil.
    """

    def __init__(self, type_id: int, proxy_target: Any, sender: bytes) -> None:
        super().__init__(type_id, proxy_target)
        self._impersonated = sender

    @classmethod
    def wrapping(cls, tx: Any, sender: bytes) -> ImpersonatedTransaction:
        return cls(tx.type_id, tx._inner, sender)

    def get_sender(self) -> bytes:  # type: ignore[override]
        return self._impersonated

    def check_signature_validity(self) -> None:
        """Nothing to check: the user asked for this sender to be impersonated."""

    def validate(self) -> None:
        if self.gas < self.intrinsic_gas:
            raise ValidationError("Insufficient gas")

    def copy(self, **overrides: Any) -> ImpersonatedTransaction:
        return ImpersonatedTransaction(self.type_id, self._inner.copy(**overrides), self._impersonated)


class DevnetTypedReceipt(PragueTypedReceipt):
    codecs: ClassVar = {**PragueTypedReceipt.codecs, SYSTEM_TRANSACTION_TYPE: Receipt}


class DevnetReceiptBuilder(PragueReceiptBuilder):
    typed_receipt_class = DevnetTypedReceipt


class DevnetTransactionBuilder(PragueTransactionBuilder):
    typed_transaction = DevnetTypedTransaction

    @classmethod
    def serialize(cls, obj: SignedTransactionAPI) -> Any:
        if isinstance(obj, SystemTransaction):
            return obj.encode()
        return super().serialize(obj)


class DevnetBlock(PragueBlock):
    transaction_builder = DevnetTransactionBuilder
    receipt_builder = DevnetReceiptBuilder
    fields: ClassVar = [
        ("header", PragueBlockHeader),
        ("transactions", CountableList(DevnetTransactionBuilder)),
        ("uncles", CountableList(None, max_length=0)),
        ("withdrawals", CountableList(Withdrawal)),
    ]


class DevnetTransactionExecutor(PragueTransactionExecutor):
    def build_computation(self, message: MessageAPI, transaction: SignedTransactionAPI) -> ComputationAPI:
        if (
            isinstance(transaction, SystemTransaction)
            and message.value
            and self.vm_state.get_balance(transaction.sender) < message.value
        ):
            # An OP deposit whose value its sender cannot cover fails with a receipt (the mint and
            # the nonce stay); it is never dropped, because deposits must be included.
            computation = self.vm_state.get_computation(
                message, self.vm_state.get_transaction_context(transaction)
            )
            computation.error = InsufficientFunds(
                f"system transaction value {message.value} exceeds the sender's balance"
            )
            return computation
        return super().build_computation(message, transaction)


_JUMP_ANALYSES_LIMIT = 4_096
_jump_analyses: dict[bytes, tuple[set[int], set[int]]] = {}
"""Code -> (valid, invalid) jump target positions py-evm has worked out for it so far."""


class DevnetComputation(PragueComputation):
    """Prague's computation, with one JUMP/JUMPI target analysis per contract code, not per frame.

    py-evm works out lazily whether a jump target is code or PUSH data, by looking back up to 32
    bytes, and keeps what it found on the frame's ``CodeStream``, so every call frame starts over:
    a contract called a thousand times is analysed a thousand times (about 3 % of an actor run).
    Whether a position is an opcode depends on the code alone, so frames of the same code share the
    two sets that py-evm fills.
    """

    def __init__(self, state: Any, message: MessageAPI, transaction_context: Any) -> None:
        super().__init__(state, message, transaction_context)
        code = message.code
        analysis = _jump_analyses.get(code)
        if analysis is None:
            if len(_jump_analyses) >= _JUMP_ANALYSES_LIMIT:
                _jump_analyses.clear()
            analysis = _jump_analyses[code] = (set(), set())
        self.code.valid_positions, self.code.invalid_positions = analysis


class DevnetState(PragueState):
    """Prague state whose fee rules step aside for system transactions."""

    computation_class = DevnetComputation
    transaction_executor_class = DevnetTransactionExecutor

    def validate_transaction(self, transaction: SignedTransactionAPI) -> None:
        if isinstance(transaction, SystemTransaction):
            transaction.validate()
            if transaction.gas < transaction.intrinsic_gas:
                raise ValidationError("system transaction gas is below its intrinsic gas")
            return
        super().validate_transaction(transaction)

    def get_tip(self, transaction: SignedTransactionAPI) -> int:
        if isinstance(transaction, SystemTransaction):
            return 0
        return super().get_tip(transaction)

    def get_gas_price(self, transaction: SignedTransactionAPI) -> int:
        if isinstance(transaction, SystemTransaction):
            return 0
        return super().get_gas_price(transaction)

    deposit = False
    """Whether the transaction being applied is a deposit (a system transaction, not a call):
    Nitro's ArbSys tells contracts whether their caller's address was aliased from it."""

    simulated = False
    """Whether the transaction is a message call of ``eth_call``/``eth_estimateGas``."""

    def apply_transaction(self, transaction: SignedTransactionAPI) -> ComputationAPI:
        self.deposit = isinstance(transaction, SystemTransaction) and not isinstance(transaction, MessageCall)
        self.simulated = isinstance(transaction, MessageCall)
        if isinstance(transaction, SystemTransaction) and transaction.mint:
            # The mint happens before execution and survives a revert, as an OP deposit's does.
            self.delta_balance(transaction.sender, transaction.mint)
        return super().apply_transaction(transaction)


class DevnetVM(PragueVM):
    """Prague with system transactions and the simulated clock's header rules."""

    block_class = DevnetBlock
    _state_class = DevnetState

    @classmethod
    def validate_header(cls, header: BlockHeaderAPI, parent_header: BlockHeaderAPI) -> None:
        if parent_header is None:
            raise ValidationError("Must have access to parent header to validate current header")
        cls.validate_gas(header, parent_header)
        if header.block_number <= parent_header.block_number:
            raise ValidationError(
                f"block #{header.block_number} does not follow its parent #{parent_header.block_number}"
            )
        if header.timestamp < parent_header.timestamp:
            raise ValidationError(
                f"block timestamp {header.timestamp} is before its parent's {parent_header.timestamp}"
            )
