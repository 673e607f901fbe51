"""``EvmChain``: one EVM layer of the devnet, its blocks on the simulated clock, and web3 bound to it.

Block production follows the chain's kind, as the real chains do:

* **Slot chains** (``ethereum``, ``op-stack``) produce a block every ``block_time`` whether or not
  there are transactions, and block ``n`` belongs to slot ``n``: its timestamp is
  ``genesis_time + n * block_time`` (floored to a second). Block numbers therefore always follow
  elapsed time, which is what challenge windows counted in parent blocks need.
* **Sequenced chains** (``nitro``, ``orbit``) produce a block only when there are transactions
  (Arbitrum's sequencer makes no empty blocks); numbers are consecutive.

Long clock jumps: sealing 50,400 empty L1 blocks for a 7-day jump one by one would take a minute,
and Base would need 302,400. When more than :data:`MAX_EMPTY_BLOCKS` empty slots fall due at once,
only the last is sealed, at its own number and time: the block numbers in between are a *gap* that
holds no block (``eth_getBlockByNumber`` returns null there, ``BLOCKHASH`` of them is zero). Up to
that many, every empty slot is sealed, so the 256-block ``BLOCKHASH`` window is always real.

Mining modes, per chain, as anvil offers them:

* ``auto``: every transaction is sealed at once in a block of its own, at the clock's current time
  (numbers may then run ahead of slots; the slots they took are not sealed again).
* ``interval``: transactions wait in the chain's pool and land together in the next block whose
  time comes when the clock advances. A transaction that reverts in that block gets a failed
  receipt; one that cannot be included (nonce, funds) is dropped; the rest of the block stands.

Sequencer outage (a rollup's fault, :meth:`EvmChain.halt`): the sequencer seals nothing and its
RPC refuses transactions, as a real sequencer's endpoint does while it is down. Messages from the
parent (deposits, retryables, delayed-inbox transactions) still reach the chain's queue, because
users post them on the parent; they are sealed first when the sequencer is back. A slot chain
then seals the slots it missed, at their own times (an OP Stack chain's timestamps must follow its
block time, so op-node fills the outage in after the fact); a sequenced chain's next block takes
the time the outage ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3
from web3.contract import Contract

from .engine import (
    ChainRules,
    EngineError,
    EvmEngine,
    Genesis,
    GenesisAccount,
    InvalidTransaction,
    PendingTransaction,
    SealedBlock,
    SystemCall,
)

MiningMode = Literal["auto", "interval"]
ChainEvent = Literal["block", "transaction"]
Watcher = Callable[[ChainEvent, Any], None]
"""Told of each sealed block (a :class:`SealedBlock`) and each accepted transaction (its hash)."""

PRICE_BUMP_PERCENT = 10
"""How much higher both fee caps of a same-nonce replacement must be (geth's txpool default)."""
EvmKind = Literal["ethereum", "op-stack", "nitro", "orbit"]

MAX_EMPTY_BLOCKS = 256
"""Most empty slots sealed one by one in a single advance; beyond it the jump leaves a gap."""

SLOT_KINDS: frozenset[str] = frozenset({"ethereum", "op-stack"})
"""Kinds that seal a block every slot, empty or not; the others seal only when there is work."""

DEV_BALANCE = 10_000 * 10**18
"""What each dev account holds at genesis on every EVM chain (as on anvil)."""


@dataclass
class _Pool:
    """Transactions waiting for the next block, and the nonces they take."""

    transactions: list[PendingTransaction] = field(default_factory=list)
    first_slot: int | None = None
    signers: dict[bytes, tuple[bytes, int]] = field(default_factory=dict)
    """Sender and nonce of each signed transaction in the pool."""
    nonces: dict[bytes, int] = field(default_factory=dict)
    """The next nonce of each sender with a pooled transaction: derived from ``signers``, kept
    up to date on every send so that ``pending_nonce`` stays O(1)."""

    @classmethod
    def of(
        cls,
        transactions: Sequence[PendingTransaction],
        first_slot: int | None,
        signers: dict[bytes, tuple[bytes, int]],
    ) -> _Pool:
        """A pool holding ``transactions``, its nonces counted from ``signers``."""
        if not transactions:
            return cls()
        kept = {tx: signers[tx] for tx in transactions if isinstance(tx, bytes)}
        nonces: dict[bytes, int] = {}
        for sender, nonce in kept.values():
            nonces[sender] = max(nonces.get(sender, 0), nonce + 1)
        return cls(list(transactions), first_slot, kept, nonces)

    def find(self, tx_hash: bytes) -> bytes | None:
        """The signed transaction with hash ``tx_hash`` waiting here, if any."""
        return next((tx for tx in self.signers if keccak(tx) == tx_hash), None)

    def holding(self, sender: bytes, nonce: int) -> bytes | None:
        """The signed transaction from ``sender`` with ``nonce`` waiting here, if any."""
        return next((tx for tx, signer in self.signers.items() if signer == (sender, nonce)), None)

    def replace(self, old: bytes, new: bytes) -> None:
        """Put ``new`` in ``old``'s place (same sender and nonce, so nonces stay as they are)."""
        self.transactions[self.transactions.index(old)] = new
        self.signers[new] = self.signers.pop(old)

    def keep(self, remaining: Sequence[PendingTransaction]) -> _Pool:
        """The pool after a block took what it could: ``remaining`` waits, nonces recounted."""
        return _Pool.of(remaining, self.first_slot, self.signers)


class SequencerDown(InvalidTransaction):
    """A rollup's sequencer is in an outage: its RPC takes no transactions until it is back."""


@dataclass(frozen=True)
class ChainSnapshot:
    engine_snapshot: int
    pool: _Pool
    now_ms: int
    sealed_count: int
    halted_until_ms: int | None = None


class EvmChain:
    """An EVM chain of the devnet: an engine, a block schedule on the clock, and ``w3``."""

    def __init__(
        self,
        name: str,
        *,
        kind: EvmKind,
        chain_id: int,
        block_time_ms: int,
        genesis_time: int,
        seed: bytes,
        accounts: Sequence[LocalAccount],
        engine_factory: Callable[[Genesis], EvmEngine],
        parent: str | None = None,
        mining: MiningMode = "auto",
        predeploys: Mapping[bytes, GenesisAccount] | None = None,
        dev_balance: int = DEV_BALANCE,
        engine: EvmEngine | None = None,
        rules: ChainRules | None = None,
        l1_block_number: Callable[[], int] | None = None,
    ) -> None:
        """``rules`` are the chain kind's EVM rules (see :class:`ChainRules`); each precompile's
        address gets the code ``0xFE`` at genesis, as on Nitro, so that EXTCODESIZE sees a contract
        there. ``l1_block_number`` reads the L1 ancestor's newest block number, which each block of
        a chain under the ``l1`` NUMBER rule records when it is sealed."""
        if block_time_ms <= 0:
            raise ValueError(f"{name}: block time must be positive, got {block_time_ms} ms")
        self.name = name
        self.kind = kind
        self.parent = parent
        self.block_time_ms = block_time_ms
        self.genesis_time = genesis_time
        self.mining: MiningMode = mining
        self.accounts: tuple[LocalAccount, ...] = tuple(accounts)
        self._keys = {bytes.fromhex(a.address[2:]): a for a in self.accounts}
        self._seed = seed
        rules = rules or ChainRules()
        if rules.number == "l1" and l1_block_number is None:
            raise ValueError(f"{name}: the l1 NUMBER rule needs the L1 ancestor's block number")
        self._l1_block_number = l1_block_number
        if engine is None:
            genesis_accounts = {address: GenesisAccount(balance=dev_balance) for address in self._keys}
            genesis_accounts.update({p.address: GenesisAccount(code=b"\xfe") for p in rules.precompiles})
            genesis_accounts.update(predeploys or {})
            engine = engine_factory(
                Genesis(
                    chain_id=chain_id,
                    timestamp=genesis_time,
                    accounts=genesis_accounts,
                    extra_data=f"cortensor-sim:{name}".encode()[:32],
                )
            )
        if not rules.is_default:
            engine.install_rules(rules)
        self.engine = engine
        self._now_ms = genesis_time * 1000
        self.halted_until_ms: int | None = None
        """While the clock is before this time the sequencer is down (see :meth:`halt`)."""
        self.watchers: list[Watcher] = []
        """Called on each sealed block and pending transaction (RPC filters and subscriptions)."""
        self._rpc_snapshots: dict[int, ChainSnapshot] = {}
        self._pool = _Pool()
        self.sealed: list[SealedBlock] = []
        """Blocks this chain sealed since it was built or loaded, in order (for reports and tests)."""
        self.block_prelude: Callable[[int, int], Sequence[SystemCall]] | None = None
        """What opens each block (number, timestamp): a rollup's derived deposits, set by the
        settlement engine, as op-node puts the L1 attributes and user deposits first."""
        from .provider import InProcessProvider

        self.w3 = Web3(InProcessProvider(self))

    # ------------------------------------------------------------------ identity
    @property
    def chain_id(self) -> int:
        return self.engine.chain_id

    @property
    def height(self) -> int:
        """The number of the newest sealed block."""
        return self.engine.head_number

    @property
    def slot_chain(self) -> bool:
        return self.kind in SLOT_KINDS

    @property
    def now(self) -> float:
        """The simulated time this chain has been advanced to, in seconds."""
        return self._now_ms / 1000

    def dev_account(self, address: bytes) -> LocalAccount | None:
        return self._keys.get(address)

    # ------------------------------------------------------------------ outages
    @property
    def halted(self) -> bool:
        """Whether the sequencer is down at the chain's current time."""
        return self.halted_until_ms is not None and self._now_ms < self.halted_until_ms

    def halt(self, until_ms: int) -> None:
        """A sequencer outage from now until ``until_ms`` (simulated time): nothing is sealed and
        transactions sent to the chain are refused with :class:`SequencerDown`; what the parent
        delivers waits in the queue. Only a rollup has a sequencer to lose."""
        if self.parent is None:
            raise ValueError(f"{self.name} is a root chain: it has no sequencer to take down")
        if until_ms <= self._now_ms:
            raise ValueError(f"{self.name}: an outage must end after now ({self._now_ms} ms)")
        self.halted_until_ms = until_ms

    def _refuse_if_halted(self) -> None:
        if self.halted:
            assert self.halted_until_ms is not None
            until = datetime.fromtimestamp(self.halted_until_ms / 1000, UTC).isoformat(timespec="seconds")
            left = (self.halted_until_ms - self._now_ms) / 1000
            raise SequencerDown(
                f"the sequencer of {self.name} is down until {until.replace('+00:00', 'Z')} "
                f"({left:g} s from now): it takes no transactions; messages sent on {self.parent} "
                "still reach it when it is back"
            )

    # ------------------------------------------------------------------ sending
    def send_raw_transaction(self, raw: bytes, *, from_parent: bool = False) -> bytes:
        """Accept a signed transaction: sealed at once in ``auto`` mode, pooled in ``interval``.

        A pooled transaction is replaced by one with the same sender and nonce whose fee caps are
        both at least :data:`PRICE_BUMP_PERCENT` higher (geth's rule: speed-up and cancel).
        ``from_parent``: delivered from the parent's inbox rather than sent to the sequencer, so
        an outage queues it instead of refusing it.
        """
        if not from_parent:
            self._refuse_if_halted()
        tx = self.engine.decode_transaction(raw)
        sender = bytes.fromhex(tx["from"][2:])
        nonce = int(tx["nonce"], 16)
        tx_hash = bytes.fromhex(tx["hash"][2:])
        expected = self.pending_nonce(sender)
        if nonce < expected:
            pooled = self._pool.holding(sender, nonce)
            if pooled is None:
                raise InvalidTransaction(
                    f"nonce too low: next nonce of {tx['from']} is {expected}, got {nonce}"
                )
            self._replace(pooled, raw, tx)
            self._notify("transaction", tx_hash)
            return tx_hash
        if nonce > expected:
            raise InvalidTransaction(
                f"nonce too high: next nonce of {tx['from']} is {expected}, got {nonce} "
                "(the devnet keeps no queue of future nonces)"
            )
        if self.mining == "auto" and not self.halted:
            self._notify("transaction", tx_hash)  # pending for a moment, as on anvil
            self._seal_now([raw], all_or_nothing=True)
        else:
            self._enqueue(raw, (sender, nonce))
        return tx_hash

    def _replace(self, pooled: bytes, raw: bytes, tx: Mapping[str, Any]) -> None:
        old_fee, old_tip = _fee_caps(self.engine.decode_transaction(pooled))
        new_fee, new_tip = _fee_caps(tx)
        bump = 100 + PRICE_BUMP_PERCENT
        if new_fee * 100 < old_fee * bump or new_tip * 100 < old_tip * bump:
            raise InvalidTransaction(
                f"replacement transaction underpriced: a transaction from {tx['from']} with nonce "
                f"{int(tx['nonce'], 16)} is pooled; both fee caps must be {PRICE_BUMP_PERCENT}% higher"
            )
        self._pool.replace(pooled, raw)

    def pooled_senders(self) -> set[bytes]:
        """The senders with a signed transaction waiting in the pool."""
        return set(self._pool.nonces)

    def set_mining(self, mode: MiningMode) -> None:
        """Switch mining mode; switching to ``auto`` seals what waits in the pool first."""
        if mode == "auto" and self._pool.transactions:
            self.mine()
        self.mining = mode

    def pooled_transaction(self, tx_hash: bytes) -> bytes | None:
        """The signed transaction ``tx_hash`` if it waits in the pool for the next block."""
        return self._pool.find(tx_hash)

    def _notify(self, event: ChainEvent, value: Any) -> None:
        for watcher in tuple(self.watchers):
            watcher(event, value)

    def send_system_transaction(self, call: SystemCall) -> bytes:
        """Run an unsigned transaction as ``call.sender`` (how deposits enter a chain)."""
        if self.mining == "auto" and not self.halted:
            self._seal_now([call], all_or_nothing=True)
        else:
            self._enqueue(call, None)
        return self.engine.system_transaction_hash(call)

    def pending_nonce(self, address: bytes) -> int:
        """The nonce the next transaction from ``address`` must carry, pool included."""
        if address in self._pool.nonces:
            return self._pool.nonces[address]
        return self.engine.get_nonce(address)

    def _enqueue(self, tx: PendingTransaction, signer: tuple[bytes, int] | None) -> None:
        tx_hash = keccak(tx) if isinstance(tx, bytes) else self.engine.system_transaction_hash(tx)
        self._notify("transaction", tx_hash)
        if not self._pool.transactions:
            self._pool.first_slot = self._slot_at(self._now_ms)
        self._pool.transactions.append(tx)
        if signer is not None and isinstance(tx, bytes):
            sender, nonce = signer
            self._pool.signers[tx] = signer
            self._pool.nonces[sender] = nonce + 1

    @property
    def pending(self) -> int:
        """How many transactions wait for the next block."""
        return len(self._pool.transactions)

    # ------------------------------------------------------------------ blocks on the clock
    def _slot_at(self, time_ms: int) -> int:
        return max(0, (time_ms - self.genesis_time * 1000) // self.block_time_ms)

    def _slot_timestamp(self, slot: int) -> int:
        return (self.genesis_time * 1000 + slot * self.block_time_ms) // 1000

    def _prev_randao(self, number: int) -> bytes:
        # Deterministic stand-in for the beacon chain's randomness: same seed, same blocks.
        return keccak(self._seed + self.name.encode() + number.to_bytes(8, "big"))

    def _seal(
        self,
        txs: Sequence[PendingTransaction],
        number: int,
        timestamp: int,
        *,
        all_or_nothing: bool = False,
    ) -> SealedBlock:
        if self.block_prelude is not None:
            txs = (*self.block_prelude(number, timestamp), *txs)
        block = self.engine.seal_block(
            txs,
            timestamp=timestamp,
            number=number,
            prev_randao=self._prev_randao(number),
            all_or_nothing=all_or_nothing,
            **self.l1_context(),
        )
        self.sealed.append(block)
        self._notify("block", block)
        return block

    def l1_context(self) -> dict[str, int]:
        """``{"l1_block_number": n}`` for a block sealed (or a call made) now, on a chain under the
        ``l1`` NUMBER rule; empty otherwise, so an engine without rules needs no new keyword."""
        if self._l1_block_number is None or self.engine.rules.number != "l1":
            return {}
        return {"l1_block_number": self._l1_block_number()}

    def _next_number_now(self) -> int:
        """The number of a block sealed at the clock's current time (automine, ``evm_mine``)."""
        number = self.height + 1
        if self.slot_chain:
            number = max(number, self._slot_at(self._now_ms))
        return number

    def _seal_now(self, txs: Sequence[PendingTransaction], *, all_or_nothing: bool = False) -> SealedBlock:
        return self._seal(txs, self._next_number_now(), self._now_ms // 1000, all_or_nothing=all_or_nothing)

    def _seal_pool(self, number: int, timestamp: int) -> SealedBlock:
        """Seal what of the pool fits into one block; what does not fit waits for the next."""
        block = self._seal(tuple(self._pool.transactions), number, timestamp)
        self._pool = self._pool.keep(block.deferred)
        return block

    def pending_view(self, read: Callable[[], Any]) -> Any:
        """``read()`` against the pending block: the pool sealed into the next block, then undone.

        What geth's ``pending`` tag means. With an empty pool it is the newest state (``read``
        runs directly); otherwise the block is built in an engine snapshot that is reverted.
        """
        if not self._pool.transactions:
            return read()
        mark = self.engine.snapshot()
        try:
            number = self._next_number_now()
            self.engine.seal_block(
                tuple(self._pool.transactions),
                timestamp=self._now_ms // 1000,
                number=number,
                prev_randao=self._prev_randao(number),
                **self.l1_context(),
            )
            return read()
        finally:
            self.engine.revert(mark)

    def mine(self) -> SealedBlock:
        """Seal the pool now, at the clock's current time (``evm_mine``), whatever the mode."""
        self._refuse_if_halted()
        return self._seal_pool(self._next_number_now(), self._now_ms // 1000)

    def advance_to(self, now_ms: int) -> list[SealedBlock]:
        """Move this chain's time to ``now_ms`` and seal the blocks whose time has come."""
        if now_ms < self._now_ms:
            raise ValueError(f"{self.name}: the clock cannot run backwards")
        self._now_ms = now_ms
        if self.halted:
            return []
        if self.halted_until_ms is not None:
            self._resume()
        target = self._slot_at(now_ms)
        sealed: list[SealedBlock] = []
        if self.slot_chain:
            due = range(self.height + 1, target + 1)
            # A congested pool fills consecutive slots; what is left waits for later ones.
            while due and self._pool.transactions:
                sealed.append(self._seal_pool(due[0], self._slot_timestamp(due[0])))
                due = due[1:]
            if len(due) > MAX_EMPTY_BLOCKS:
                due = due[-1:]
            for number in due:
                sealed.append(self._seal((), number, self._slot_timestamp(number)))
        elif self._pool.transactions and self._pool.first_slot is not None:
            slot = self._pool.first_slot + 1
            # The sequencer emits as many blocks as the pool needs, all at that slot's time.
            while slot <= target and self._pool.transactions:
                sealed.append(self._seal_pool(self.height + 1, self._slot_timestamp(slot)))
        return sealed

    def _resume(self) -> None:
        """The sequencer is back: a sequenced chain seals what queued up at the outage's end."""
        assert self.halted_until_ms is not None
        if not self.slot_chain and self._pool.transactions:
            self._pool.first_slot = self._slot_at(self.halted_until_ms) - 1
        self.halted_until_ms = None

    # ------------------------------------------------------------------ conveniences
    def balance(self, address: str | bytes) -> int:
        return self.engine.get_balance(_to_bytes_address(address))

    def deploy(
        self,
        artifact: Any,
        *args: Any,
        sender: str | None = None,
        value: int = 0,
        gas: int | None = None,
    ) -> Contract:
        """Deploy an artifact (ours, Foundry's or Hardhat's) and return its web3 contract object.

        In ``interval`` mode the deployment waits for the next block: the pool is sealed at once so
        the returned contract exists (an ``evm_mine``), as a deploy script run against anvil would.
        """
        sender = sender or self.accounts[0].address
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        tx: dict[str, Any] = {"from": sender, "value": value}
        if gas is not None:
            tx["gas"] = gas
        tx_hash = factory.constructor(*args).transact(tx)  # type: ignore[arg-type]
        if self.mining == "interval":
            self.mine()
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        if receipt["status"] != 1 or receipt["contractAddress"] is None:
            raise EngineError(f"{self.name}: deployment of {artifact.name} failed")
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> ChainSnapshot:
        return ChainSnapshot(
            engine_snapshot=self.engine.snapshot(),
            pool=_Pool.of(self._pool.transactions, self._pool.first_slot, self._pool.signers),
            now_ms=self._now_ms,
            sealed_count=len(self.sealed),
            halted_until_ms=self.halted_until_ms,
        )

    def revert(self, snap: ChainSnapshot) -> None:
        self.engine.revert(snap.engine_snapshot)
        pool = snap.pool
        self._pool = _Pool.of(pool.transactions, pool.first_slot, pool.signers)
        self._now_ms = snap.now_ms
        self.halted_until_ms = snap.halted_until_ms
        del self.sealed[snap.sealed_count :]

    def rpc_snapshot(self) -> int:
        """``evm_snapshot``: this chain alone (the devnet's own snapshots cover every chain)."""
        snapshot_id = max(self._rpc_snapshots, default=0) + 1
        self._rpc_snapshots[snapshot_id] = self.snapshot()
        return snapshot_id

    def rpc_revert(self, snapshot_id: int) -> bool:
        """``evm_revert``: as on anvil, the snapshot and every later one are used up."""
        snap = self._rpc_snapshots.get(snapshot_id)
        if snap is None:
            return False
        self.revert(snap)
        for later in [i for i in self._rpc_snapshots if i >= snapshot_id]:
            del self._rpc_snapshots[later]
        return True

    def __repr__(self) -> str:
        return f"EvmChain({self.name!r}, kind={self.kind!r}, chain_id={self.chain_id}, height={self.height})"


def _fee_caps(tx: Mapping[str, Any]) -> tuple[int, int]:
    """A decoded transaction's fee cap and tip cap (a legacy price is both)."""
    if "maxFeePerGas" in tx:
        return int(tx["maxFeePerGas"], 16), int(tx["maxPriorityFeePerGas"], 16)
    price = int(tx["gasPrice"], 16)
    return price, price


def _to_bytes_address(address: str | bytes) -> bytes:
    if isinstance(address, bytes):
        return address
    return bytes.fromhex(address[2:] if address.startswith("0x") else address)
