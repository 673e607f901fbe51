"""The world state beside revm: accounts and storage as flat maps, Merkle-Patricia tries kept
incrementally, and an undo log for snapshots.

revm (through pyrevm) holds the state it executes against but computes no state root, gives no
proofs and cannot be snapshotted. So the engine keeps the authoritative state here: after each
transaction the changes revm reports are written into the flat maps (and back into revm's
database); when a block is sealed only the accounts and slots it changed are written into the
tries, so a block costs what it touched, not what the chain holds. Trie nodes are stored by hash
and never deleted, so every sealed block's root stays readable (historical reads and
``eth_getProof`` at old blocks) and a revert only has to move roots back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from .blocks import BLANK_ROOT
from .trie_updates import apply_changes

EMPTY_CODE_HASH = keccak(b"")


@dataclass(frozen=True)
class Account:
    """An account's fields as the state trie holds them, less the storage root."""

    nonce: int = 0
    balance: int = 0
    code_hash: bytes = EMPTY_CODE_HASH

    @property
    def is_empty(self) -> bool:
        """EIP-161: no nonce, no balance, no code."""
        return self.nonce == 0 and self.balance == 0 and self.code_hash == EMPTY_CODE_HASH


@dataclass(frozen=True)
class TrieAccount:
    """An account read from a state trie (at any sealed block)."""

    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes


_ABSENT = TrieAccount(0, 0, BLANK_ROOT, EMPTY_CODE_HASH)

# Undo entries: ("account", address, old Account | None), ("slot", address, slot, old value),
# ("storage", address, old storage dict), ("roots", old state root, old storage roots dict).
UndoEntry = tuple


class WorldState:
    """Flat accounts and storage (for execution and latest reads) plus tries (for roots and proofs)."""

    def __init__(self) -> None:
        self.accounts: dict[bytes, Account] = {}
        self.storage: dict[bytes, dict[int, int]] = {}
        self.codes: dict[bytes, bytes] = {EMPTY_CODE_HASH: b""}
        self.nodes: dict[bytes, bytes] = {}
        """Trie nodes by hash, for every root ever committed (never pruned)."""
        self.state_root: bytes = BLANK_ROOT
        self.storage_roots: dict[bytes, bytes] = {}
        self._dirty: dict[bytes, set[int]] = {}
        """Accounts changed since the last commit, with the slots changed in each."""
        self._wiped: set[bytes] = set()
        self._undo: list[UndoEntry] = []
        self.known: dict[bytes, set[int]] = {}
        """Every address ever written and the slots written in each (never undone): what an
        older block's state can hold, for rebuilding it (:meth:`state_at`)."""

    # ------------------------------------------------------------------ reading (latest)
    def account(self, address: bytes) -> Account:
        return self.accounts.get(address) or Account()

    def code(self, address: bytes) -> bytes:
        return self.codes[self.account(address).code_hash]

    def slot(self, address: bytes, slot: int) -> int:
        return self.storage.get(address, {}).get(slot, 0)

    # ------------------------------------------------------------------ writing
    def set_account(self, address: bytes, account: Account | None) -> None:
        """Write an account; ``None`` (or an empty account, EIP-161) removes it."""
        if account is not None and account.is_empty:
            account = None
        old = self.accounts.get(address)
        if old == account:
            return
        self._undo.append(("account", address, old))
        self.known.setdefault(address, set())
        if account is None:
            del self.accounts[address]
        else:
            self.accounts[address] = account
        self._dirty.setdefault(address, set())

    def set_code(self, code: bytes) -> bytes:
        """Store code by its hash (content-addressed, so never undone) and return the hash."""
        code_hash = keccak(code)
        self.codes[code_hash] = code
        return code_hash

    def set_slot(self, address: bytes, slot: int, value: int) -> None:
        slots = self.storage.setdefault(address, {})
        old = slots.get(slot, 0)
        if old == value:
            return
        self._undo.append(("slot", address, slot, old))
        self.known.setdefault(address, set()).add(slot)
        if value:
            slots[slot] = value
        else:
            del slots[slot]
        self._dirty.setdefault(address, set()).add(slot)

    def wipe_storage(self, address: bytes) -> dict[int, int]:
        """Clear an account's storage (it was destroyed); returns what it held."""
        old = self.storage.pop(address, {})
        self._undo.append(("storage", address, old))
        self._wiped.add(address)
        self._dirty[address] = set()
        return old

    # ------------------------------------------------------------------ tries
    def commit(self) -> bytes:
        """Write what changed since the last commit into the tries; returns the new state root.

        Each trie gets its block's changes as one batch (:func:`.trie_updates.apply_changes`),
        which encodes and hashes every node on the changed paths once per block.
        """
        if not self._dirty:
            return self.state_root
        self._undo.append(("roots", self.state_root, dict(self.storage_roots)))
        accounts: dict[bytes, bytes] = {}
        for address, slots in self._dirty.items():
            key = keccak(address)
            account = self.accounts.get(address)
            if account is None:
                accounts[key] = b""
                self.storage_roots.pop(address, None)
                continue
            root = BLANK_ROOT if address in self._wiped else self.storage_roots.get(address, BLANK_ROOT)
            if slots:
                root = self._commit_storage(address, root, slots)
            if root == BLANK_ROOT:
                self.storage_roots.pop(address, None)
            else:
                self.storage_roots[address] = root
            accounts[key] = rlp.encode([account.nonce, account.balance, root, account.code_hash])
        self.state_root = apply_changes(self.nodes, self.state_root, accounts)
        self._dirty = {}
        self._wiped = set()
        return self.state_root

    def _commit_storage(self, address: bytes, root: bytes, slots: Iterable[int]) -> bytes:
        storage = self.storage.get(address, {})
        changes = {}
        for slot in slots:
            value = storage.get(slot, 0)
            changes[keccak(slot.to_bytes(32, "big"))] = rlp.encode(value) if value else b""
        return apply_changes(self.nodes, root, changes)

    # ------------------------------------------------------------------ undo
    @property
    def mark(self) -> int:
        """A point to :meth:`rewind` to (take it between commits)."""
        return len(self._undo)

    def rewind(self, mark: int) -> tuple[set[bytes], dict[bytes, set[int]]]:
        """Undo every write after ``mark``; returns the accounts and slots it touched."""
        accounts: set[bytes] = set()
        slots: dict[bytes, set[int]] = {}
        while len(self._undo) > mark:
            entry = self._undo.pop()
            kind = entry[0]
            if kind == "account":
                _, address, old = entry
                if old is None:
                    self.accounts.pop(address, None)
                else:
                    self.accounts[address] = old
                accounts.add(address)
            elif kind == "slot":
                _, address, slot, old = entry
                current = self.storage.setdefault(address, {})
                if old:
                    current[slot] = old
                else:
                    current.pop(slot, None)
                slots.setdefault(address, set()).add(slot)
            elif kind == "storage":
                _, address, old = entry
                wiped = self.storage.get(address, {})
                slots.setdefault(address, set()).update(wiped, old)
                self.storage[address] = dict(old)
            else:
                _, self.state_root, self.storage_roots = entry
        self._dirty = {}
        self._wiped = set()
        return accounts, slots

    def forget_undo(self) -> None:
        """Drop the undo log (no snapshot can reach back past now)."""
        self._undo.clear()

    # ------------------------------------------------------------------ tries at any root
    def trie_account(self, state_root: bytes, address: bytes) -> TrieAccount:
        encoded = HexaryTrie(self.nodes, state_root).get(keccak(address))
        if not encoded:
            return _ABSENT
        nonce, balance, storage_root, code_hash = rlp.decode(encoded)
        return TrieAccount(
            int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash
        )

    def trie_slot(self, storage_root: bytes, slot: int) -> int:
        if storage_root == BLANK_ROOT:
            return 0
        raw = HexaryTrie(self.nodes, storage_root).get(keccak(slot.to_bytes(32, "big")))
        return int.from_bytes(rlp.decode(raw), "big") if raw else 0

    def account_proof(self, state_root: bytes, address: bytes) -> tuple[bytes, ...]:
        nodes = HexaryTrie(self.nodes, state_root).get_proof(keccak(address))
        return tuple(rlp.encode(node) for node in nodes)

    def storage_proof(self, storage_root: bytes, slot: int) -> tuple[bytes, ...]:
        if storage_root == BLANK_ROOT:
            return ()
        nodes = HexaryTrie(self.nodes, storage_root).get_proof(keccak(slot.to_bytes(32, "big")))
        return tuple(rlp.encode(node) for node in nodes)

    def state_at(self, state_root: bytes) -> Iterator[tuple[bytes, Account, dict[int, int]]]:
        """Every account of an older state (from its trie), with its storage."""
        for address, slots in self.known.items():
            found = self.trie_account(state_root, address)
            if found is _ABSENT:
                continue
            storage = {slot: self.trie_slot(found.storage_root, slot) for slot in slots}
            yield (
                address,
                Account(found.nonce, found.balance, found.code_hash),
                {slot: value for slot, value in storage.items() if value},
            )
