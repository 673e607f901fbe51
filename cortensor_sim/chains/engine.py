"""The EVM engine seam: the verbs every chain above needs, and nothing of the engine behind them.

py-evm is the engine today; a faster one (revm) will sit behind the same interface, the way vyper's
test suite keeps py-evm and revm behind one ``BaseEnv``. Nothing outside ``chains/pyevm/`` imports
py-evm. Values cross the seam as bytes and ints, and blocks, transactions and receipts as
JSON-RPC-shaped dicts (the Ethereum execution API's own, engine-neutral vocabulary), so the web3
provider and any RPC server format nothing engine-specific.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .header_info import SendState

BlockId = int | Literal["latest", "earliest", "pending", "safe", "finalized"] | bytes
"""A block number, a tag, or a 32-byte block hash."""

RpcObject = dict[str, Any]
"""A block, transaction, receipt or log in the Ethereum JSON-RPC shape (hex quantities and data)."""


class EngineError(Exception):
    """Base of errors an engine raises for a caller's mistake (not for a bug in the engine)."""


class InvalidTransaction(EngineError):
    """A transaction that can never be included: bad signature, encoding, nonce, funds or chain id."""


class ExecutionReverted(EngineError):
    """A call reverted; ``data`` carries the revert payload (an ``Error(string)`` or custom error)."""

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data


class UnknownBlock(EngineError):
    """The block asked for does not exist on this chain (or lies in a clock jump's gap)."""


@dataclass(frozen=True)
class GenesisAccount:
    """An account as genesis holds it: dev accounts carry a balance, predeploys code and storage."""

    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Genesis:
    """What a chain starts from; everything here goes into the genesis hash, so it is deterministic."""

    chain_id: int
    timestamp: int
    accounts: Mapping[bytes, GenesisAccount]
    gas_limit: int = 30_000_000
    base_fee: int = 1_000_000_000
    extra_data: bytes = b""


@dataclass(frozen=True)
class SystemCall:
    """An unsigned transaction to run as ``sender``: how rollup deposits enter a chain.

    It pays no fee and needs no signature; ``mint`` is credited to ``sender`` before execution and
    stays even if the call reverts (the OP Stack deposit rule). ``source_hash`` makes two otherwise
    identical deposits distinct transactions.
    """

    sender: bytes
    to: bytes | None
    data: bytes = b""
    value: int = 0
    gas: int = 5_000_000
    mint: int = 0
    source_hash: bytes = b"\x00" * 32
    is_system_tx: bool = False


PendingTransaction = bytes | SystemCall
"""What a block is built from: a signed raw transaction, or a system call."""


@dataclass(frozen=True)
class DroppedTransaction:
    """A transaction a block could not include (the rest of the block stands without it)."""

    tx_hash: bytes
    reason: str


@dataclass(frozen=True)
class SealedBlock:
    number: int
    hash: bytes
    timestamp: int
    tx_hashes: tuple[bytes, ...]
    dropped: tuple[DroppedTransaction, ...] = ()
    deferred: tuple[PendingTransaction, ...] = ()
    """Transactions that did not fit the block's gas limit, in order, for the next block."""


@dataclass(frozen=True)
class StorageProof:
    key: int
    value: int
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class AccountProof:
    """EIP-1186 (``eth_getProof``): an account and some of its slots, proven against a state root."""

    address: bytes
    balance: int
    nonce: int
    code_hash: bytes
    storage_hash: bytes
    account_proof: tuple[bytes, ...]
    storage_proof: tuple[StorageProof, ...]
    state_root: bytes
    block_number: int


@dataclass(frozen=True)
class AccessList:
    """``eth_createAccessList``'s answer: what a call touches, and the gas it uses with that list."""

    entries: tuple[tuple[bytes, tuple[int, ...]], ...]
    """(address, storage slots) in first-touch order; sender, recipient and precompiles left out."""
    gas_used: int


@dataclass(frozen=True)
class CallRequest:
    """A message call (``eth_call``/``eth_estimateGas``): nothing signed, nothing kept."""

    sender: bytes | None = None
    to: bytes | None = None
    data: bytes = b""
    value: int = 0
    gas: int | None = None


# ---------------------------------------------------------------------- chain-kind rules
class PrecompileRevert(EngineError):
    """Raised by a precompile to revert its call with ``data`` (an ABI-encoded error or nothing)."""

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data


@dataclass(frozen=True)
class PrecompileCall:
    """One call into a precompile, as every engine hands it over.

    ``frame_senders`` lists the ``msg.sender`` of each frame from the transaction's own (its
    origin) down to this call's (the precompile's caller, last): Nitro's ArbSys answers "my
    caller's caller" and "is this a top-level call" from it, so it is part of the seam.
    """

    caller: bytes
    value: int
    data: bytes
    gas: int
    static: bool
    frame_senders: tuple[bytes, ...]
    origin: bytes
    deposit: bool
    """The transaction is a system transaction (a message delivered from the parent chain)."""
    simulated: bool
    """The call runs under ``eth_call``/``eth_estimateGas``, so nothing it writes is kept (Nitro's
    NodeInterface answers only there)."""
    block_number: int
    """The chain's own number for the block being built (what ``ArbSys.arbBlockNumber`` answers)."""
    l1_block_number: int
    """What NUMBER reads in this block (the L1 ancestor's number under the ``l1`` NUMBER rule)."""
    timestamp: int
    chain_id: int
    base_fee: int
    """The block's base fee per gas (what ArbOS charges a retry's gas at)."""

    @property
    def depth(self) -> int:
        """1 when the transaction calls the precompile itself, 2 from a contract it called, ..."""
        return len(self.frame_senders)


class PrecompileHost(ABC):
    """What an engine lends a precompile for one call: the state under the call's own journal.

    Writes are undone with the call if it (or a caller) reverts, as any contract's are. A write
    in a static call raises :class:`PrecompileRevert`.
    """

    @abstractmethod
    def get_storage(self, address: bytes, slot: int) -> int: ...

    @abstractmethod
    def set_storage(self, address: bytes, slot: int, value: int) -> None: ...

    @abstractmethod
    def get_balance(self, address: bytes) -> int: ...

    @abstractmethod
    def add_balance(self, address: bytes, delta: int) -> None:
        """Credit (or, negative, debit) an account: how ArbOS burns withdrawn value and mints deposits."""

    @abstractmethod
    def emit_log(self, address: bytes, topics: Sequence[bytes], data: bytes) -> None: ...

    @abstractmethod
    def charge_gas(self, amount: int) -> None:
        """Spend ``amount`` of the call's gas; running out fails the call and burns its gas."""

    @abstractmethod
    def block_hash(self, number: int) -> bytes:
        """The hash of this chain's block ``number`` (zero outside the last 256), as BLOCKHASH has it."""

    @abstractmethod
    def call(self, sender: bytes, to: bytes, value: int, data: bytes, gas: int) -> CallOutcome:
        """Run a message call from ``sender`` as if it were a transaction of its own, inside this one.

        How ArbOS runs a retryable's retry: the callee sees ``sender`` as both ``msg.sender`` and
        ``tx.origin``, a new frame stack that starts at ``sender``, and ``deposit`` set (a retry is
        a delayed-inbox transaction, so its sender counts as aliased). The value moves from
        ``sender``; a failed call's changes are undone and the precompile carries on. Its logs join
        the current transaction's receipt, its gas is charged to the precompile call.
        """


@dataclass(frozen=True)
class CallOutcome:
    """What :meth:`PrecompileHost.call` returns."""

    success: bool
    output: bytes
    gas_used: int


class Precompile(ABC):
    """A contract at a fixed address whose code is Python (Nitro's ArbSys, NodeInterface, ...).

    It holds no state of its own: everything it keeps lives in chain storage through the host,
    so snapshots, reverts, state files and state roots cover it like any contract.
    """

    address: bytes
    evm_code: bytes | None = None
    """The same contract as EVM code, for an engine that cannot call Python while it executes
    (revm): such an engine runs it at ``address`` while the chain's state keeps the code genesis
    put there (``0xFE`` on Nitro), so both engines hold the same accounts. With ``None`` that engine
    answers only transactions and calls addressed to the precompile, not calls from contracts."""

    @abstractmethod
    def run(self, call: PrecompileCall, host: PrecompileHost) -> bytes:
        """Execute ``call`` and return its output; raise :class:`PrecompileRevert` to revert."""


NumberRule = Literal["own", "l1"]


@dataclass(frozen=True)
class ChainRules:
    """What a chain's kind changes in the EVM itself; every engine honours these the same way.

    * ``number``: what the NUMBER opcode (``block.number``) reads. ``own`` is the block's number;
      ``l1`` is the L1 ancestor's block number the block was built on, passed to
      :meth:`EvmEngine.seal_block` as ``l1_block_number`` (Arbitrum Nitro and Orbit chains).
    * ``prev_randao``: a constant PREVRANDAO (``block.prevrandao``/DIFFICULTY), or ``None`` for the
      header's mix hash. Nitro answers 1.
    * ``precompiles``: contracts at fixed addresses implemented in Python.
    * ``send_state``: under the ``l1`` rule, how to read the chain's send accumulator from a block's
      state once its transactions ran; the engine writes it into that block's header with the L1
      block number (Nitro's :class:`~.header_info.HeaderInfo`: ``extraData`` and ``mixHash``).
    """

    number: NumberRule = "own"
    prev_randao: int | None = None
    precompiles: tuple[Precompile, ...] = ()
    send_state: SendState | None = None

    @property
    def is_default(self) -> bool:
        return (
            self.number == "own"
            and self.prev_randao is None
            and not self.precompiles
            and self.send_state is None
        )


class EvmEngine(ABC):
    """One EVM chain's state and blocks. Blocks are sealed only through :meth:`seal_block`."""

    @property
    @abstractmethod
    def chain_id(self) -> int: ...

    # -- building blocks --
    @abstractmethod
    def decode_transaction(self, raw: bytes) -> RpcObject:
        """Decode and check a signed transaction (signature, chain id) without running it.

        Raises :class:`InvalidTransaction` for a bad encoding or signature, or a chain id other
        than this chain's (py-evm itself accepts any: a devnet must refuse cross-chain replay).
        """

    @abstractmethod
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
        """Execute ``transactions`` in order into one new block on top of the head, in one pass.

        A transaction that reverts is included with a failed receipt; one that cannot be included
        at all (nonce, funds) is dropped and reported, and the rest of the block stands. Once a
        transaction does not fit the gas left in the block, it and every one after it are returned
        as ``deferred``, in order (a mempool's FIFO: later nonces never overtake earlier ones).
        ``number`` defaults to the head's number plus one; a larger number leaves a gap.
        A ``timestamp`` before the head's is raised to the head's (timestamps never run backwards).
        With ``all_or_nothing``, a transaction that would be dropped raises
        :class:`InvalidTransaction` instead and no block is sealed (automine's refusal).
        ``l1_block_number`` is what NUMBER reads in this block under the ``l1`` rule (and is kept
        with the block, so calls against it later read the same); ignored under ``own``.
        """

    @classmethod
    def supports_rules(cls, rules: ChainRules) -> bool:
        """Whether this engine can run a chain under ``rules``; the devnet asks before it builds one,
        so a chain whose kind an engine cannot honour is never built on it."""
        return rules.is_default

    def install_rules(self, rules: ChainRules) -> None:
        """Apply a chain kind's rules (see :class:`ChainRules`) to every block sealed from now on.

        Called once after construction or loading (precompiles are code, not state, so a loaded
        engine needs them again). An engine that cannot honour a rule must refuse it here rather
        than run a chain that differs from the real one.
        """
        if not rules.is_default:
            raise EngineError(f"{type(self).__name__} does not implement chain-kind rules")

    @property
    def rules(self) -> ChainRules:
        return ChainRules()

    @abstractmethod
    def system_transaction_hash(self, call: SystemCall) -> bytes:
        """The hash the transaction ``call`` becomes will have (its type-0x7E encoding's)."""

    # -- reading state --
    @abstractmethod
    def get_balance(self, address: bytes, block: BlockId = "latest") -> int: ...

    @abstractmethod
    def get_nonce(self, address: bytes, block: BlockId = "latest") -> int: ...

    @abstractmethod
    def get_code(self, address: bytes, block: BlockId = "latest") -> bytes: ...

    @abstractmethod
    def get_storage(self, address: bytes, slot: int, block: BlockId = "latest") -> int: ...

    @abstractmethod
    def get_proof(self, address: bytes, slots: Sequence[int], block: BlockId = "latest") -> AccountProof: ...

    @abstractmethod
    def call(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> bytes:
        """Run a message call against ``block``'s state; raises :class:`ExecutionReverted`.

        ``at_time``, if later than the block's timestamp, is what ``block.timestamp`` reads: the
        devnet's clock can run ahead of a chain's newest block (a sequenced chain makes no empty
        blocks), and a call made now must see now, as the transaction sent next will. For the
        same reason ``l1_block_number``, if given, is what NUMBER reads under the ``l1`` rule.
        """

    @abstractmethod
    def estimate_gas(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> int:
        """The gas a transaction needs (see :meth:`call` for ``at_time`` and ``l1_block_number``)."""

    # -- reading blocks --
    @property
    @abstractmethod
    def head_number(self) -> int: ...

    @abstractmethod
    def get_block(self, block: BlockId, full_transactions: bool = False) -> RpcObject: ...

    @abstractmethod
    def get_transaction(self, tx_hash: bytes) -> RpcObject | None: ...

    @abstractmethod
    def get_receipt(self, tx_hash: bytes) -> RpcObject | None: ...

    def get_raw_transaction(self, tx_hash: bytes) -> bytes | None:
        """A sealed transaction's EIP-2718 encoding, or None (``eth_getRawTransactionByHash``; what a
        batch poster reads)."""
        raise EngineError(f"{type(self).__name__} does not serve raw transactions")

    @abstractmethod
    def get_logs(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[bytes] = (),
        topics: Sequence[Sequence[bytes] | None] = (),
    ) -> list[RpcObject]: ...

    # -- whole-state operations --
    @abstractmethod
    def snapshot(self) -> int:
        """Mark the current state; cheap, nestable."""

    @abstractmethod
    def revert(self, snapshot_id: int) -> None:
        """Return to a mark; the mark and those before it stay usable, later ones are dropped."""

    @abstractmethod
    def export_state(self) -> bytes:
        """Everything the engine holds, as bytes that :meth:`import_state` takes back."""

    # -- dev writes (anvil_set*, and eth_call state overrides) --
    # Not abstract: an engine that cannot write state directly still serves every other verb, and
    # the dev methods that need these answer with this error instead.
    def set_balance(self, address: bytes, balance: int) -> None:
        """Set ``address``'s balance in the newest state, without a transaction (``anvil_setBalance``).

        Dev writes change the state that reads of ``latest`` and the next block build on; the
        newest block's header keeps its own state root, as on anvil. They are the one place state
        is written without a transaction, and exist only for users who ask (dev RPC methods).
        """
        raise EngineError(f"{type(self).__name__} does not support dev state writes")

    def set_nonce(self, address: bytes, nonce: int) -> None:
        """Set ``address``'s nonce in the newest state (``anvil_setNonce``); see :meth:`set_balance`."""
        raise EngineError(f"{type(self).__name__} does not support dev state writes")

    def set_code(self, address: bytes, code: bytes) -> None:
        """Set ``address``'s code in the newest state (``anvil_setCode``); see :meth:`set_balance`."""
        raise EngineError(f"{type(self).__name__} does not support dev state writes")

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        """Set one storage slot in the newest state (``anvil_setStorageAt``); see :meth:`set_balance`."""
        raise EngineError(f"{type(self).__name__} does not support dev state writes")

    def create_access_list(
        self,
        request: CallRequest,
        block: BlockId = "latest",
        at_time: int | None = None,
        l1_block_number: int | None = None,
    ) -> AccessList:
        """The EIP-2930 access list of a call (as geth's ``eth_createAccessList``: the accounts and
        slots it touches other than its sender, recipient and the precompiles) and the gas the
        call uses when sent with it; raises :class:`ExecutionReverted` (see :meth:`call`)."""
        raise EngineError(f"{type(self).__name__} does not build access lists")

    def impersonated_transaction(self, fields: Mapping[str, Any], sender: bytes) -> bytes:
        """Encode an unsigned transaction as raw bytes this engine runs as sent by ``sender``.

        For ``anvil_impersonateAccount``: ``fields`` are eth-account's names (``nonce``, ``to``,
        ``value``, ``data``, ``gas``, fee caps, ``accessList``). The signature is a placeholder and
        the engine remembers the sender by the transaction's hash; any other engine or chain
        refuses the bytes. A dev method, like :meth:`set_balance`.
        """
        raise EngineError(f"{type(self).__name__} does not support impersonation")
