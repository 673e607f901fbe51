"""Solana on LiteSVM, with slot and unix time tied to the devnet's simulated clock.

LiteSVM (bundled in solders) executes real Solana programs (System, SPL Token, Associated Token
Account, Memo, ...) in process, but it is a test harness, not a cluster: it has no blocks, no
snapshots, a transaction history that cannot be rolled back, a blockhash that only moves when told
to, and an airdrop keypair that is random per instance. This module turns it into a devnet chain:

* **Blockhashes** are derived from ``(seed, name, slot, n)``, so they are deterministic, change
  whenever the slot changes, and come back after a revert. LiteSVM's own blockhash check is off;
  this class checks that a transaction's blockhash is one it produced in the last
  :data:`MAX_PROCESSING_AGE` slots (Solana's rule), so old transactions expire as on a cluster.
* **Transaction history** (the duplicate-signature check) is kept here, not in LiteSVM (whose
  history is switched off): it is unbounded, exportable, and rolled back by
  :meth:`SolanaChain.revert`, so a transaction sent after a snapshot can be sent again after
  reverting to it, as on a reverted anvil.
* **Accounts** written by transactions are mirrored in a dict of immutable solders ``Account``
  values. A snapshot is a copy of that dict (no LiteSVM call); a revert writes back only the
  accounts whose value changed. Building a fresh LiteSVM costs about 7 ms, so rebuilding on
  revert was rejected (see docs/solana.md for the measurements).
* **Preflight**: like an RPC node's ``sendTransaction`` (``skipPreflight=false``), a failing
  transaction is refused without a trace: no fee is charged and its signature is not recorded.
  ``send(tx, skip_preflight=True)`` lets it land instead (fee charged, signature recorded).
* **Imports**: solana-py's ``spl`` helpers (token and memo instructions) are imported by the
  methods that build those instructions, not here: they pull in solana-py's pydantic models,
  which a devnet that never mints or sends a memo need not load.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from solders import system_program
from solders.account import Account
from solders.clock import Clock
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.token.associated import get_associated_token_address
from solders.token.state import Mint, TokenAccount
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata

__all__ = [
    "ASSOCIATED_TOKEN_PROGRAM_ID",
    "FAUCET_LAMPORTS",
    "GENESIS_SLOT",
    "LAMPORTS_PER_SIGNATURE",
    "LAMPORTS_PER_SOL",
    "MAX_PROCESSING_AGE",
    "MEMO_PROGRAM_ID",
    "SYSTEM_PROGRAM_ID",
    "TOKEN_PROGRAM_ID",
    "SolanaChain",
    "SolanaTransactionError",
    "TransactionRecord",
]

LAMPORTS_PER_SOL = 1_000_000_000
FAUCET_LAMPORTS = 1_000_000_000 * LAMPORTS_PER_SOL
"""What the faucet holds at genesis: a billion SOL, far more than a devnet run can spend."""
#: LiteSVM charges Solana's base fee: 5,000 lamports per signature.
LAMPORTS_PER_SIGNATURE = 5_000
#: The slot of genesis. LiteSVM's default clock says slot 435888000 and unix time 0; the devnet
#: starts every Solana chain at slot 0 so that ``slot`` is simply "slots since genesis".
GENESIS_SLOT = 0
#: A blockhash is accepted for this many slots after the slot that produced it (Solana's
#: MAX_PROCESSING_AGE), about 60 s at 0.4 s per slot.
MAX_PROCESSING_AGE = 150
#: Upper bound on remembered blockhashes, in case many are produced within one slot.
_MAX_RECENT_BLOCKHASHES = 1024

SYSTEM_PROGRAM_ID: Pubkey = system_program.ID
TOKEN_PROGRAM_ID = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ASSOCIATED_TOKEN_PROGRAM_ID = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO_PROGRAM_ID = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
_ALT_PROGRAM_ID = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
_ALT_META_SIZE = 56
#: Owners of built-in accounts that never change through transactions; never mirrored.
_UNTRACKED_OWNERS = frozenset(
    Pubkey.from_string(s)
    for s in (
        "Sysvar1111111111111111111111111111111111111",
        "NativeLoader1111111111111111111111111111111",
        "BPFLoader1111111111111111111111111111111111",
        "BPFLoader2111111111111111111111111111111111",
    )
)

_MINT_SIZE = 82

_STATE_FORMAT = "cortensor-sim/solana-state"
_STATE_VERSION = 1
_EMPTY_ACCOUNT = Account(0, b"", SYSTEM_PROGRAM_ID)


class SolanaTransactionError(Exception):
    """A transaction was refused or failed; carries the error and the program logs.

    ``landed`` says whether it was recorded on chain (fee charged, signature used up): only with
    ``skip_preflight=True`` and an error raised during execution.
    """

    def __init__(
        self,
        message: str,
        *,
        signature: Signature | None,
        error: str,
        logs: Sequence[str] = (),
        landed: bool = False,
    ) -> None:
        self.signature = signature
        self.error = error
        self.logs = list(logs)
        self.landed = landed
        text = message
        if self.logs:
            text += "\nprogram logs:\n  " + "\n  ".join(self.logs)
        super().__init__(text)


@dataclass(frozen=True)
class TransactionRecord:
    """What the chain remembers about a landed transaction (for the duplicate check and lookups)."""

    signature: Signature
    slot: int
    error: str | None
    meta: TransactionMetadata | None = None  # not kept through export_state/import_state
    transaction: Transaction | VersionedTransaction | None = None
    """The signed transaction (kept through exports): what an indexer or a guardian reads."""

    @property
    def logs(self) -> list[str]:
        return list(self.meta.logs()) if self.meta is not None else []


@dataclass(frozen=True)
class _Snapshot:
    """Opaque snapshot: values only (solders ``Account`` objects are immutable)."""

    chain_token: object
    serial: int
    accounts: dict[Pubkey, Account]
    slot: int
    unix_timestamp: int
    blockhash_seq: int
    recent: dict[Hash, int]
    history_len: int
    mint_counter: int


def _lp(data: bytes) -> bytes:
    """Length-prefix a byte string so concatenations used as hash input are unambiguous."""
    return len(data).to_bytes(4, "big") + data


def _export_record(record: TransactionRecord) -> list[Any]:
    """``[signature, slot, error, base64 transaction]`` (the transaction when it is known)."""
    entry: list[Any] = [str(record.signature), record.slot, record.error]
    if record.transaction is not None:
        entry.append(base64.b64encode(bytes(record.transaction)).decode())
    return entry


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


class SolanaChain:
    """Solana on LiteSVM, with slot and unix time tied to the devnet's simulated clock."""

    kind: ClassVar[str] = "solana"

    name: str
    parent: str | None
    slot_time: float
    genesis_time: int
    seed: bytes
    keypairs: list[Keypair]
    svm: LiteSVM

    def __init__(
        self,
        name: str,
        *,
        seed: bytes,
        genesis_time: int,
        slot_time: float = 0.4,
        accounts: int = 10,
        airdrop_lamports: int = 1_000 * LAMPORTS_PER_SOL,
        parent: str | None = None,
    ) -> None:
        self._boot(
            name,
            seed=seed,
            genesis_time=genesis_time,
            slot_time=slot_time,
            accounts=accounts,
            parent=parent,
        )
        # Genesis allocations (as an EVM genesis allocates): the faucet, then the dev keypairs.
        self._allocate_at_genesis(self._pubkey(self.faucet), FAUCET_LAMPORTS)
        if airdrop_lamports:
            for kp in self.keypairs:
                self._allocate_at_genesis(self._pubkey(kp), airdrop_lamports)

    # ------------------------------------------------------------------ construction
    def _boot(
        self,
        name: str,
        *,
        seed: bytes,
        genesis_time: int,
        slot_time: float = 0.4,
        accounts: int = 10,
        airdrop_lamports: int = 0,
        parent: str | None = None,
    ) -> None:
        """Build the engine at genesis with no funded account (shared by __init__ and import)."""
        del airdrop_lamports  # accepted so import_state takes the same keyword arguments
        if not isinstance(seed, bytes | bytearray):
            raise TypeError("seed must be bytes")
        if not slot_time > 0:
            raise ValueError("slot_time must be positive")
        if accounts < 0:
            raise ValueError("accounts must be >= 0")
        self.name = name
        self.parent = parent
        self.seed = bytes(seed)
        self.slot_time = float(slot_time)
        self.genesis_time = int(genesis_time)
        self.keypairs = [self._derive_keypair(b"account", i) for i in range(accounts)]
        self.faucet = self._derive_keypair(b"faucet", 0)
        """Funded at genesis; :meth:`airdrop` pays from it with an ordinary System transfer."""
        self._pubkeys: dict[bytes, Pubkey] = {}  # Keypair.pubkey() costs ~30 us: cache it
        # History 0: LiteSVM's duplicate check cannot be rolled back or exported; ours can.
        # Blockhash check off: LiteSVM accepts only its single latest blockhash; ours keeps a
        # window of MAX_PROCESSING_AGE slots of deterministic blockhashes.
        self.svm = LiteSVM().with_transaction_history(0).with_blockhash_check(False)
        self._epoch_schedule = self.svm.get_epoch_schedule()
        self._token = object()
        self._accounts: dict[Pubkey, Account] = {}
        self._history: dict[Signature, TransactionRecord] = {}
        self._history_order: list[Signature] = []
        self._recent: dict[Hash, int] = {}
        self._snap_serial = 0
        self._live_snapshots: list[int] = []
        self._mint_counter = 0
        self._slot = GENESIS_SLOT
        self._unix = self.genesis_time
        self._blockhash_seq = 0
        self._blockhash = self._derive_blockhash(self._slot, 0)
        self._recent[self._blockhash] = self._slot
        self._apply_clock()

    def _derive_keypair(self, purpose: bytes, index: int) -> Keypair:
        material = (
            b"cortensor-sim/solana/keypair\0"
            + _lp(self.seed)
            + _lp(self.name.encode())
            + _lp(purpose)
            + index.to_bytes(8, "big")
        )
        return Keypair.from_seed(hashlib.sha256(material).digest())

    def _derive_blockhash(self, slot: int, seq: int) -> Hash:
        material = (
            b"cortensor-sim/solana/blockhash\0"
            + _lp(self.seed)
            + _lp(self.name.encode())
            + _u64(slot)
            + _u64(seq)
        )
        return Hash(hashlib.sha256(material).digest())

    def _pubkey(self, kp: Keypair) -> Pubkey:
        key = bytes(kp)
        pk = self._pubkeys.get(key)
        if pk is None:
            pk = self._pubkeys[key] = kp.pubkey()
        return pk

    # ------------------------------------------------------------------ time
    @property
    def slot(self) -> int:
        return self._slot

    @property
    def height(self) -> int:
        """Same as :attr:`slot`: the devnet's chain table shows one "height" per chain."""
        return self._slot

    @property
    def unix_timestamp(self) -> int:
        return self._unix

    def _apply_clock(self) -> None:
        """Write slot and unix time into the Clock sysvar that programs read."""
        es = self._epoch_schedule
        epoch = es.get_epoch(self._slot)
        first_slot = es.get_first_slot_in_epoch(epoch)
        epoch_start = self.genesis_time + math.floor((first_slot - GENESIS_SLOT) * self.slot_time)
        self.svm.set_clock(
            Clock(
                slot=self._slot,
                epoch_start_timestamp=min(epoch_start, self._unix),
                epoch=epoch,
                leader_schedule_epoch=es.get_leader_schedule_epoch(self._slot),
                unix_timestamp=self._unix,
            )
        )

    def advance_to(self, now: float) -> None:
        """Move slot and unix time to absolute simulated time ``now`` (seconds).

        slot = GENESIS_SLOT + floor((now - genesis_time) / slot_time) and unix_timestamp =
        floor(now). Time never goes backwards here (an earlier ``now`` leaves it unchanged); only
        :meth:`revert` and :meth:`import_state` move it back. Each new slot produces a new
        blockhash, so the same transfer signed in two different slots has two signatures.
        """
        elapsed = max(0.0, now - self.genesis_time)
        # A tiny epsilon: 1.2 / 0.4 == 2.9999999999999996 in floats, but it is slot 3.
        slot = GENESIS_SLOT + math.floor(elapsed / self.slot_time + 1e-9)
        unix = math.floor(now)
        new_slot = max(slot, self._slot)
        new_unix = max(unix, self._unix)
        if new_slot == self._slot and new_unix == self._unix:
            return
        slot_changed = new_slot != self._slot
        self._slot, self._unix = new_slot, new_unix
        self._apply_clock()
        if slot_changed:
            self._blockhash_seq = 0
            self._new_blockhash()

    def _new_blockhash(self) -> None:
        """Produce the next blockhash for the current slot and forget expired ones."""
        self._blockhash = self._derive_blockhash(self._slot, self._blockhash_seq)
        self._recent[self._blockhash] = self._slot
        oldest_ok = self._slot - MAX_PROCESSING_AGE
        while self._recent:
            first = next(iter(self._recent))
            if self._recent[first] >= oldest_ok and len(self._recent) <= _MAX_RECENT_BLOCKHASHES:
                break
            del self._recent[first]

    def latest_blockhash(self) -> Hash:
        return self._blockhash

    def is_blockhash_valid(self, blockhash: Hash) -> bool:
        """Whether a transaction using ``blockhash`` would pass the age check now."""
        produced = self._recent.get(blockhash)
        return produced is not None and self._slot - produced <= MAX_PROCESSING_AGE

    # ------------------------------------------------------------------ accounts
    def _allocate_at_genesis(self, pubkey: Pubkey, lamports: int) -> None:
        """A genesis allocation: the one place an account is written without a transaction."""
        account = Account(lamports, b"", SYSTEM_PROGRAM_ID)
        self.svm.set_account(pubkey, account)
        self._accounts[pubkey] = account

    def airdrop(self, pubkey: Pubkey, lamports: int) -> Signature:
        """Send ``lamports`` from the faucet, as a cluster's faucet does: a signed System transfer.

        The faucet pays the fee. Like the faucet, it refuses to create a system account below the
        rent-exempt minimum (before sending, so nothing is charged).
        """
        if not isinstance(lamports, int) or lamports <= 0:
            raise ValueError(f"airdrop amount must be a positive int, got {lamports!r}")
        if self.svm.get_account(pubkey) is None:
            minimum = self.svm.minimum_balance_for_rent_exemption(0)
            if lamports < minimum:
                raise ValueError(
                    f"airdrop of {lamports} lamports to new account {pubkey} is below the "
                    f"rent-exempt minimum of {minimum}"
                )
        return self.transfer(self.faucet, pubkey, lamports)

    def balance(self, pubkey: Pubkey) -> int:
        return self.svm.get_balance(pubkey) or 0

    def get_account(self, pubkey: Pubkey) -> Account | None:
        return self.svm.get_account(pubkey)

    @property
    def transaction_count(self) -> int:
        """How many transactions have landed (the length of the history)."""
        return len(self._history_order)

    def transactions(self, start: int = 0) -> list[TransactionRecord]:
        """The landed transactions from position ``start`` on, in the order they landed (what an
        indexer following the chain reads; the guardians observe Solana through it)."""
        return [self._history[sig] for sig in self._history_order[start:]]

    def get_transaction(self, signature: Signature) -> TransactionRecord | None:
        """The record of a landed transaction, or None (refused ones are never recorded)."""
        return self._history.get(signature)

    # ------------------------------------------------------------------ transactions
    def _writable_keys(self, message: Message | MessageV0) -> list[Pubkey]:
        """Every account a transaction may write: only these can change when it runs."""
        keys = message.account_keys
        header = message.header
        n_sig = header.num_required_signatures
        n_keys = len(keys)
        writable = keys[: n_sig - header.num_readonly_signed_accounts]
        writable += keys[n_sig : n_keys - header.num_readonly_unsigned_accounts]
        if isinstance(message, MessageV0):
            for lookup in message.address_table_lookups:
                if not lookup.writable_indexes:
                    continue
                table = self.svm.get_account(lookup.account_key)
                if table is None or table.owner != _ALT_PROGRAM_ID:
                    continue  # the engine will refuse the transaction
                data = table.data
                for index in lookup.writable_indexes:
                    start = _ALT_META_SIZE + 32 * index
                    if start + 32 <= len(data):
                        writable.append(Pubkey.from_bytes(data[start : start + 32]))
        return writable

    def send(self, tx: VersionedTransaction | Transaction, *, skip_preflight: bool = False) -> Signature:
        """Execute a signed transaction now, in the current slot.

        Raises :class:`SolanaTransactionError` (never a pyo3 ``PanicException``) if the signature
        was already processed, the blockhash is unknown or too old, signatures do not verify, or
        execution fails. By default a failure leaves no trace, like RPC preflight; with
        ``skip_preflight=True`` a transaction that fails during execution still lands: the fee is
        charged and the signature is used up (``error.landed`` is True).
        """
        signatures = tx.signatures
        if not signatures:
            raise SolanaTransactionError(
                "transaction has no signatures", signature=None, error="MissingSignature"
            )
        sig = signatures[0]
        if sig in self._history:
            raise SolanaTransactionError(
                f"transaction {sig} refused: AlreadyProcessed (already processed)",
                signature=sig,
                error="AlreadyProcessed",
            )
        message = tx.message
        if not self.is_blockhash_valid(message.recent_blockhash):
            raise SolanaTransactionError(
                f"transaction {sig} refused: BlockhashNotFound ({message.recent_blockhash} is "
                f"unknown or expired; "
                f"blockhashes are valid for {MAX_PROCESSING_AGE} slots, now slot {self._slot})",
                signature=sig,
                error="BlockhashNotFound",
            )
        writable = self._writable_keys(message)
        mirror = self._accounts
        svm = self.svm
        # Pre-state of every writable key, to undo a refused transaction. Keys missing from the
        # mirror are read from the engine (new accounts, or built-ins marked writable that the
        # runtime demotes): assuming "nonexistent" would delete a sysvar on restore.
        pre = {key: mirror[key] if key in mirror else svm.get_account(key) for key in writable}
        try:
            result = svm.send_transaction(tx)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # pyo3 PanicException is a BaseException
            self._restore(pre)
            raise SolanaTransactionError(
                f"transaction {sig}: LiteSVM panicked: {exc}",
                signature=sig,
                error=f"{type(exc).__name__}: {exc}",
            ) from exc

        if isinstance(result, FailedTransactionMetadata):
            meta = result.meta()
            error = str(result.err())
            logs = list(meta.logs())
            if not skip_preflight or not self._changed(pre):
                self._restore(pre)
                raise SolanaTransactionError(
                    f"transaction {sig} failed: {error}", signature=sig, error=error, logs=logs
                )
            self._read_back(writable)
            self._record(TransactionRecord(sig, self._slot, error, meta, tx))
            raise SolanaTransactionError(
                f"transaction {sig} failed on chain (fee charged): {error}",
                signature=sig,
                error=error,
                logs=logs,
                landed=True,
            )
        self._read_back(writable)
        self._record(TransactionRecord(sig, self._slot, None, result, tx))
        return sig

    def _changed(self, pre: dict[Pubkey, Account | None]) -> bool:
        for key, before in pre.items():
            after = self.svm.get_account(key)
            if (before is None) != (after is None) or (before is not None and before != after):
                return True
        return False

    def _restore(self, pre: dict[Pubkey, Account | None]) -> None:
        for key, before in pre.items():
            self.svm.set_account(key, _EMPTY_ACCOUNT if before is None else before)

    def _read_back(self, keys: Iterable[Pubkey]) -> None:
        """Update the mirror, keeping the old object if unchanged (revert compares identities)."""
        mirror = self._accounts
        get = self.svm.get_account
        for key in keys:
            acc = get(key)
            if acc is None:
                mirror.pop(key, None)
            elif acc.owner in _UNTRACKED_OWNERS:
                continue
            else:
                old = mirror.get(key)
                if old is None or old != acc:
                    mirror[key] = acc

    def _record(self, record: TransactionRecord) -> None:
        self._history[record.signature] = record
        self._history_order.append(record.signature)

    def _send_instructions(
        self, instructions: Sequence[Instruction], payer: Keypair, signers: Sequence[Keypair]
    ) -> Signature:
        """Sign with the latest blockhash and send. If this exact transaction already landed in
        this slot, take a fresh blockhash (within the same slot) so helpers never collide."""
        payer_pk = self._pubkey(payer)
        unique: dict[bytes, Keypair] = {bytes(payer): payer}
        for kp in signers:
            unique.setdefault(bytes(kp), kp)
        keypairs = list(unique.values())
        tx = Transaction.new_signed_with_payer(instructions, payer_pk, keypairs, self._blockhash)
        while tx.signatures[0] in self._history:
            self._blockhash_seq += 1
            self._new_blockhash()
            tx = Transaction.new_signed_with_payer(instructions, payer_pk, keypairs, self._blockhash)
        return self.send(tx)

    def transfer(self, sender: Keypair, recipient: Pubkey, lamports: int) -> Signature:
        """System-program SOL transfer, fee (5,000 lamports) paid by the sender."""
        ix = system_program.transfer(
            system_program.TransferParams(
                from_pubkey=self._pubkey(sender), to_pubkey=recipient, lamports=lamports
            )
        )
        return self._send_instructions([ix], sender, [sender])

    # ------------------------------------------------------------------ SPL Token
    def create_mint(
        self,
        authority: Keypair,
        decimals: int,
        *,
        mint: Keypair | None = None,
        freeze_authority: Pubkey | None = None,
    ) -> Pubkey:
        """Create and initialise a classic SPL Token mint; ``authority`` pays and may mint.

        Without ``mint`` the mint keypair is derived from (seed, name, a counter), so mint
        addresses are deterministic and the counter is part of snapshots and exports.
        """
        if mint is None:
            mint = self._derive_keypair(b"mint", self._mint_counter)
            self._mint_counter += 1
        authority_pk = self._pubkey(authority)
        from spl.token import instructions as spl_token
        from spl.token import models as spl_models

        mint_pk = self._pubkey(mint)
        create = system_program.create_account(
            system_program.CreateAccountParams(
                from_pubkey=authority_pk,
                to_pubkey=mint_pk,
                lamports=self.svm.minimum_balance_for_rent_exemption(_MINT_SIZE),
                space=_MINT_SIZE,
                owner=TOKEN_PROGRAM_ID,
            )
        )
        init = spl_token.initialize_mint2(
            spl_models.InitializeMint2Params(
                decimals=decimals,
                program_id=TOKEN_PROGRAM_ID,
                mint=mint_pk,
                mint_authority=authority_pk,
                freeze_authority=freeze_authority,
            )
        )
        self._send_instructions([create, init], authority, [authority, mint])
        return mint_pk

    def associated_token_address(self, owner: Pubkey, mint: Pubkey) -> Pubkey:
        return get_associated_token_address(owner, mint)

    def create_associated_token_account(self, payer: Keypair, owner: Pubkey, mint: Pubkey) -> Pubkey:
        """Create ``owner``'s associated token account for ``mint`` (fails if it exists)."""
        from spl.token import instructions as spl_token

        ix = spl_token.create_associated_token_account(self._pubkey(payer), owner, mint)
        self._send_instructions([ix], payer, [payer])
        return self.associated_token_address(owner, mint)

    def mint_to(self, authority: Keypair, mint: Pubkey, destination: Pubkey, amount: int) -> Signature:
        from spl.token import instructions as spl_token
        from spl.token import models as spl_models

        ix = spl_token.mint_to(
            spl_models.MintToParams(
                program_id=TOKEN_PROGRAM_ID,
                mint=mint,
                dest=destination,
                mint_authority=self._pubkey(authority),
                amount=amount,
            )
        )
        return self._send_instructions([ix], authority, [authority])

    def transfer_checked(
        self,
        owner: Keypair,
        mint: Pubkey,
        source: Pubkey,
        destination: Pubkey,
        amount: int,
        decimals: int,
        *,
        memo: str | None = None,
        payer: Keypair | None = None,
    ) -> Signature:
        """SPL TransferChecked, optionally preceded by a Memo (v2) instruction signed by owner.

        ``payer`` (default: ``owner``) pays the fee, as a relayer or custody authority might.
        """
        from spl.token import instructions as spl_token
        from spl.token import models as spl_models

        owner_pk = self._pubkey(owner)
        instructions = [] if memo is None else [_memo_instruction(owner_pk, memo)]
        instructions.append(
            spl_token.transfer_checked(
                spl_models.TransferCheckedParams(
                    program_id=TOKEN_PROGRAM_ID,
                    source=source,
                    mint=mint,
                    dest=destination,
                    owner=owner_pk,
                    amount=amount,
                    decimals=decimals,
                )
            )
        )
        return self._send_instructions(instructions, payer or owner, [owner])

    def burn_checked(
        self,
        owner: Keypair,
        mint: Pubkey,
        account: Pubkey,
        amount: int,
        decimals: int,
        *,
        memo: str | None = None,
    ) -> Signature:
        """SPL BurnChecked of ``amount`` from ``account`` (``owner`` signs and pays), optionally
        preceded by a Memo (v2) instruction signed by ``owner``: how a wrapped token leaves Solana
        through a bridge that mints it."""
        from spl.token import instructions as spl_token
        from spl.token import models as spl_models

        owner_pk = self._pubkey(owner)
        instructions = [] if memo is None else [_memo_instruction(owner_pk, memo)]
        instructions.append(
            spl_token.burn_checked(
                spl_models.BurnCheckedParams(
                    program_id=TOKEN_PROGRAM_ID,
                    mint=mint,
                    account=account,
                    owner=owner_pk,
                    amount=amount,
                    decimals=decimals,
                )
            )
        )
        return self._send_instructions(instructions, owner, [owner])

    def send_memo(self, signer: Keypair, memo: str) -> Signature:
        """A transaction with one Memo (v2) instruction that ``signer`` signs and pays for: how a
        Solana account puts a signed note on chain (a request, or a delivery record)."""
        return self._send_instructions([_memo_instruction(self._pubkey(signer), memo)], signer, [signer])

    def token_balance(self, token_account: Pubkey) -> int:
        """Raw token amount (no decimals) of an SPL token account; ValueError if there is none."""
        acc = self.svm.get_account(token_account)
        if acc is None or acc.owner != TOKEN_PROGRAM_ID:
            raise ValueError(f"{token_account} is not an SPL token account on {self.name}")
        return TokenAccount.from_bytes(acc.data).amount

    def token_supply(self, mint: Pubkey) -> int:
        """Raw supply (no decimals) of an SPL mint; ValueError if there is none."""
        acc = self.svm.get_account(mint)
        if acc is None or acc.owner != TOKEN_PROGRAM_ID:
            raise ValueError(f"{mint} is not an SPL mint on {self.name}")
        return Mint.from_bytes(acc.data).supply

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> object:
        """An opaque, cheap snapshot (copies of two small dicts; no engine call)."""
        self._snap_serial += 1
        self._live_snapshots.append(self._snap_serial)
        return _Snapshot(
            chain_token=self._token,
            serial=self._snap_serial,
            accounts=dict(self._accounts),
            slot=self._slot,
            unix_timestamp=self._unix,
            blockhash_seq=self._blockhash_seq,
            recent=dict(self._recent),
            history_len=len(self._history_order),
            mint_counter=self._mint_counter,
        )

    def revert(self, snap: object) -> None:
        """Restore accounts, slot, clock, blockhashes and history exactly as at ``snap``.

        A snapshot stays usable after reverting to it (revert to the same baseline repeatedly);
        snapshots taken after it become invalid, as do snapshots of other chains.
        """
        if not isinstance(snap, _Snapshot) or snap.chain_token is not self._token:
            raise ValueError(f"not a snapshot of Solana chain {self.name!r}")
        live = self._live_snapshots  # increasing serials
        index = bisect.bisect_left(live, snap.serial)
        if index == len(live) or live[index] != snap.serial:
            raise ValueError(
                f"snapshot {snap.serial} of {self.name!r} is no longer valid: the chain was "
                "reverted to an earlier snapshot since it was taken"
            )
        del live[index + 1 :]
        svm = self.svm
        current = self._accounts
        saved = snap.accounts
        for key, acc in current.items():
            old = saved.get(key)
            if old is None:
                svm.set_account(key, _EMPTY_ACCOUNT)  # 0 lamports: LiteSVM drops the account
            elif old is not acc:
                svm.set_account(key, old)
        for key, old in saved.items():
            if key not in current:
                svm.set_account(key, old)
        self._accounts = dict(saved)
        order = self._history_order
        history = self._history
        while len(order) > snap.history_len:
            del history[order.pop()]
        self._slot = snap.slot
        self._unix = snap.unix_timestamp
        self._blockhash_seq = snap.blockhash_seq
        self._blockhash = self._derive_blockhash(snap.slot, snap.blockhash_seq)
        self._recent = dict(snap.recent)
        self._mint_counter = snap.mint_counter
        self._apply_clock()

    # ------------------------------------------------------------------ export / import
    def export_state(self) -> dict[str, Any]:
        """Everything needed to rebuild this chain, as JSON-serialisable values."""
        accounts = {
            str(key): {
                "lamports": acc.lamports,
                "data": base64.b64encode(acc.data).decode(),
                "owner": str(acc.owner),
                "executable": acc.executable,
                "rent_epoch": acc.rent_epoch,
            }
            for key, acc in sorted(self._accounts.items(), key=lambda kv: bytes(kv[0]))
        }
        return {
            "format": _STATE_FORMAT,
            "version": _STATE_VERSION,
            "name": self.name,
            "slot": self._slot,
            "unix_timestamp": self._unix,
            "blockhash_seq": self._blockhash_seq,
            "mint_counter": self._mint_counter,
            "recent_blockhashes": [[str(h), s] for h, s in self._recent.items()],
            "accounts": accounts,
            "transactions": [_export_record(self._history[sig]) for sig in self._history_order],
        }

    @classmethod
    def import_state(
        cls,
        name: str,
        state: dict[str, Any],
        *,
        seed: bytes,
        genesis_time: int,
        slot_time: float = 0.4,
        accounts: int = 10,
        airdrop_lamports: int = 1_000 * LAMPORTS_PER_SOL,
        parent: str | None = None,
    ) -> SolanaChain:
        """Rebuild a chain from :meth:`export_state` output; ValueError if it is malformed.

        Takes the constructor's keyword arguments (``airdrop_lamports`` is ignored: balances come
        from the state). Transaction logs are not exported, so imported records have none.
        """
        chain = cls.__new__(cls)
        chain._boot(
            name,
            seed=seed,
            genesis_time=genesis_time,
            slot_time=slot_time,
            accounts=accounts,
            airdrop_lamports=airdrop_lamports,
            parent=parent,
        )
        chain._load(state)
        return chain

    def _load(self, state: Any) -> None:
        def fail(why: str) -> ValueError:
            return ValueError(f"malformed Solana state for {self.name!r}: {why}")

        def need_int(obj: dict[str, Any], key: str, where: str, minimum: int = 0) -> int:
            value = obj.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise fail(f"{where}{key!r} must be an int >= {minimum}, got {value!r}")
            return value

        def pubkey(text: Any, where: str) -> Pubkey:
            if not isinstance(text, str):
                raise fail(f"{where} must be a base58 pubkey string, got {text!r}")
            try:
                return Pubkey.from_string(text)
            except ValueError as exc:
                raise fail(f"{where}: invalid pubkey {text!r} ({exc})") from None

        if not isinstance(state, dict):
            raise fail(f"expected a dict, got {type(state).__name__}")
        if state.get("format") != _STATE_FORMAT or state.get("version") != _STATE_VERSION:
            raise fail(
                f"expected format {_STATE_FORMAT!r} version {_STATE_VERSION}, got "
                f"{state.get('format')!r} version {state.get('version')!r}"
            )
        slot = need_int(state, "slot", "", GENESIS_SLOT)
        unix = need_int(state, "unix_timestamp", "", -(2**63))
        seq = need_int(state, "blockhash_seq", "")
        mint_counter = need_int(state, "mint_counter", "")

        raw_accounts = state.get("accounts")
        if not isinstance(raw_accounts, dict):
            raise fail("'accounts' must be a dict of pubkey -> account")
        loaded: dict[Pubkey, Account] = {}
        for key_text, raw in raw_accounts.items():
            key = pubkey(key_text, "account key")
            where = f"account {key_text}: "
            if not isinstance(raw, dict):
                raise fail(f"{where}expected a dict, got {type(raw).__name__}")
            lamports = need_int(raw, "lamports", where, 1)
            rent_epoch = need_int(raw, "rent_epoch", where)
            if not isinstance(raw.get("executable"), bool):
                raise fail(f"{where}'executable' must be a bool")
            if not isinstance(raw.get("data"), str):
                raise fail(f"{where}'data' must be a base64 string")
            try:
                data = base64.b64decode(raw["data"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise fail(f"{where}'data' is not valid base64 ({exc})") from None
            owner = pubkey(raw.get("owner"), f"{where}owner")
            try:
                loaded[key] = Account(lamports, data, owner, raw["executable"], rent_epoch)
            except (OverflowError, ValueError, TypeError) as exc:
                raise fail(f"{where}{exc}") from None

        raw_recent = state.get("recent_blockhashes")
        if not isinstance(raw_recent, list):
            raise fail("'recent_blockhashes' must be a list of [hash, slot]")
        recent: dict[Hash, int] = {}
        for item in raw_recent:
            if (
                not isinstance(item, list | tuple)
                or len(item) != 2
                or not isinstance(item[0], str)
                or not isinstance(item[1], int)
            ):
                raise fail(f"bad recent blockhash entry {item!r}")
            try:
                recent[Hash.from_string(item[0])] = item[1]
            except ValueError:
                raise fail(f"bad blockhash {item[0]!r}") from None

        raw_txs = state.get("transactions")
        if not isinstance(raw_txs, list):
            raise fail("'transactions' must be a list of [signature, slot, error, transaction]")
        records: list[TransactionRecord] = []
        for item in raw_txs:
            if (
                not isinstance(item, list | tuple)
                or len(item) not in (3, 4)
                or not isinstance(item[0], str)
                or not isinstance(item[1], int)
                or not (item[2] is None or isinstance(item[2], str))
                or not (len(item) == 3 or isinstance(item[3], str))
            ):
                raise fail(f"bad transaction entry {item!r}")
            try:
                sig = Signature.from_string(item[0])
            except ValueError:
                raise fail(f"bad signature {item[0]!r}") from None
            tx: VersionedTransaction | None = None
            if len(item) == 4:
                try:
                    tx = VersionedTransaction.from_bytes(base64.b64decode(item[3], validate=True))
                except (ValueError, binascii.Error):
                    raise fail(f"bad transaction bytes for {item[0]}") from None
            records.append(TransactionRecord(sig, item[1], item[2], None, tx))

        # Validated: apply.
        for key, acc in loaded.items():
            self.svm.set_account(key, acc)
        self._accounts = loaded
        for record in records:
            self._record(record)
        self._slot, self._unix = slot, unix
        self._blockhash_seq = seq
        self._blockhash = self._derive_blockhash(slot, seq)
        self._recent = recent
        self._recent.setdefault(self._blockhash, slot)
        self._mint_counter = mint_counter
        self._apply_clock()

    def state_digest(self) -> str:
        """SHA-256 over every tracked account (sorted by address), the slot and the unix time."""
        h = hashlib.sha256(b"cortensor-sim/solana/state\0")
        h.update(_u64(self._slot) + self._unix.to_bytes(8, "little", signed=True))
        for key, acc in sorted(self._accounts.items(), key=lambda kv: bytes(kv[0])):
            h.update(bytes(key))
            h.update(_u64(acc.lamports) + bytes(acc.owner))
            h.update(bytes([acc.executable]) + _u64(acc.rent_epoch))
            h.update(_lp(acc.data))
        return h.hexdigest()

    def __repr__(self) -> str:
        return f"SolanaChain(name={self.name!r}, slot={self._slot}, accounts={len(self._accounts)})"


def _memo_instruction(signer: Pubkey, memo: str) -> Instruction:
    """A Memo (v2) instruction that ``signer`` signs (solana-py's builder, imported on first use)."""
    from spl.memo.instructions import create_memo
    from spl.memo.models import MemoParams

    return create_memo(MemoParams(program_id=MEMO_PROGRAM_ID, signer=signer, message=memo.encode()))
