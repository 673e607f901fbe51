"""revm through pyrevm: one message at a time, every transaction starting cold.

pyrevm 0.3.7 never finalizes revm's journal between calls, so what one call touched stays warm for
the next (EIP-2929 costs would drop) and the "original value" of a slot (EIP-2200 costs and
refunds) would stay the first call's. The executor therefore runs each message inside a journal
checkpoint, reads what changed, and reverts the checkpoint: revm's journal is empty again, and the
engine writes the changes into revm's database (where nothing is warm) as well as into its own
world state. What changed is read from revm's journal as pyrevm prints it (``journal_str``): the
only place pyrevm shows storage slots and account status.

pyrevm only imports here: this module is the whole of the engine's contact with it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

from eth_hash.auto import keccak
from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env, TxEnv

from .blocks import Log
from .world import EMPTY_CODE_HASH, Account

_ACCOUNT = re.compile(
    r"0x([0-9a-f]{40}): Account \{ info: AccountInfo \{ balance: (\d+), nonce: (\d+), "
    r"code_hash: 0x([0-9a-f]{64}), "
)
_SLOT = re.compile(r"(\d+): StorageSlot \{ previous_or_original_value: (\d+), present_value: (\d+) \}")
_STATUS = re.compile(r"status: AccountStatus\(([^)]*)\)")
_CODE = re.compile(r"code: Some\(Bytecode \{ bytecode: 0x([0-9a-f]*), state: (?:Analysed \{ len: (\d+))?")
_OUTPUT = re.compile(r"output: 0x([0-9a-f]*)")


@dataclass(frozen=True)
class AccountChange:
    """An account as a message left it: its fields, its changed slots, whether it was destroyed."""

    address: bytes
    account: Account
    storage: dict[int, int]
    touched: bool
    destroyed: bool
    code: bytes | None = None
    """The account's code, when it is not the code the world state already holds for it."""


@dataclass(frozen=True)
class Outcome:
    """What a message did: revm's gas figures (after its refund), output, logs and changes."""

    success: bool
    gas_used: int
    gas_refunded: int
    output: bytes
    logs: tuple[Log, ...]
    changes: tuple[AccountChange, ...]
    error: str = ""
    created: bytes | None = None
    accessed: tuple[tuple[bytes, tuple[int, ...]], ...] = ()
    """Every account the message loaded, with every slot it read or wrote (when asked for)."""


@dataclass(frozen=True)
class BlockContext:
    """What the block-level opcodes read (NUMBER, TIMESTAMP, PREVRANDAO, COINBASE, GASLIMIT)."""

    number: int
    timestamp: int
    prev_randao: bytes
    coinbase: bytes
    gas_limit: int
    base_fee: int


def _hex_address(address: bytes) -> str:
    return "0x" + address.hex()


class RevmExecutor:
    """A pyrevm ``EVM`` whose database always holds the world state as of the last message."""

    def __init__(self, chain_id: int, gas_limit: int) -> None:
        self.chain_id = chain_id
        # The EVM's own gas limit is what GASLIMIT reads (pyrevm overrides the block's with it).
        self._evm = EVM(env=Env(cfg=CfgEnv(chain_id=chain_id)), gas_limit=gas_limit)
        self._context: dict[tuple[bytes, int], int] = {}
        """Context slots as last written into the database (see :meth:`set_context`)."""
        self._stand_ins: dict[bytes, tuple[bytes, bytes]] = {}
        """Address -> (code, its hash) that revm runs there instead of what the world state holds."""
        self._held_code_hash: dict[bytes, bytes] = {}
        """Address -> the code hash the world state holds where a stand-in runs."""

    def run_code_at(self, address: bytes, code: bytes) -> None:
        """Have revm run ``code`` at ``address`` whatever code the world state holds there.

        A chain kind's precompile written as EVM code runs this way (``precompiles.py``): the
        world state keeps the chain's own code at the address (``0xFE`` on Nitro), so accounts,
        state roots and proofs are the same as on an engine that answers the precompile natively;
        only revm's database holds the EVM code. Call before the account is written.
        """
        self._stand_ins[address] = (code, keccak(code))

    # ------------------------------------------------------------------ the database
    def write_account(self, address: bytes, account: Account, code: bytes | None = None) -> None:
        """Put an account into revm's database (the journal is empty, so it lands there)."""
        if self._context:
            self._context = {key: v for key, v in self._context.items() if key[0] != address}
        code_hash = account.code_hash
        stand_in = self._stand_ins.get(address)
        if stand_in is not None:
            self._held_code_hash[address] = code_hash
            code, code_hash = stand_in
        self._evm.insert_account_info(
            _hex_address(address),
            AccountInfo(
                balance=account.balance,
                nonce=account.nonce,
                code_hash=code_hash,
                code=code if code_hash != EMPTY_CODE_HASH else None,
            ),
        )

    def write_slot(self, address: bytes, slot: int, value: int) -> None:
        """Put a slot into revm's database.

        pyrevm writes a cold account's slot to the database and then loads the account into the
        journal, where it would stay warm: the checkpoint around the write takes the load back.
        """
        checkpoint = self._evm.snapshot()
        self._evm.insert_account_storage(_hex_address(address), slot, value)
        self._evm.revert(checkpoint)

    def set_context(self, address: bytes, values: Mapping[int, int]) -> None:
        """Write context slots of ``address`` into the database only, where the next message reads
        them: what a chain kind's precompile written as EVM code is told about the message (see
        ``precompiles.py``). They never reach the engine's world state; unchanged ones are skipped."""
        for slot, value in values.items():
            if self._context.get((address, slot)) != value:
                self.write_slot(address, slot, value)
                self._context[(address, slot)] = value

    # ------------------------------------------------------------------ running
    def run(
        self,
        block: BlockContext,
        *,
        sender: bytes,
        to: bytes | None,
        data: bytes,
        value: int,
        gas: int,
        known_code: Container[bytes],
        access_list: Sequence[tuple[bytes, Sequence[int]]] = (),
        keep: bool = True,
        record_access: bool = False,
    ) -> Outcome:
        """Run one message from ``sender`` and return what it changed; revm's journal is left empty.

        ``known_code`` holds the hashes of the code the world state already stores, so that only new
        code is read back out of revm. ``access_list`` (EIP-2930) is warm from the start and costs
        its intrinsic gas. A call whose changes will not be kept (``eth_call``, gas estimation)
        skips reading them. ``record_access`` reports every account and slot the message loaded
        (``eth_createAccessList``).
        """
        evm = self._evm
        evm.set_block_env(
            BlockEnv(
                number=block.number,
                coinbase=_hex_address(block.coinbase),
                timestamp=block.timestamp,
                difficulty=0,
                prevrandao=block.prev_randao,
                basefee=block.base_fee,
                gas_limit=block.gas_limit,
                excess_blob_gas=0,
            )
        )
        # pyrevm builds each call's transaction from its arguments, except for the access list,
        # which it takes from the transaction environment: set it every time (empty included).
        evm.set_tx_env(TxEnv(access_list=[(_hex_address(a), list(keys)) for a, keys in access_list]))
        checkpoint = evm.snapshot()
        try:
            sender_code_hash = self._let_code_send(sender)
            output, created, error = self._call(sender, to, data, value, gas)
            result = evm.result
            if result is None:
                raise RuntimeError(f"pyrevm returned no result ({error})")
            changes = self._changes(known_code, sender, sender_code_hash) if keep else ()
            accessed = self._accessed() if record_access else ()
            logs = (
                tuple(
                    Log(
                        bytes.fromhex(log.address[2:]),
                        tuple(bytes.fromhex(topic[2:]) for topic in log.topics),
                        bytes(log.data[1]),
                    )
                    for log in result.logs
                )
                if result.is_success
                else ()
            )
            return Outcome(
                success=result.is_success,
                gas_used=result.gas_used,
                gas_refunded=result.gas_refunded,
                output=output,
                logs=logs,
                changes=changes,
                error=error,
                created=created,
                accessed=accessed,
            )
        finally:
            evm.revert(checkpoint)

    def _let_code_send(self, sender: bytes) -> bytes | None:
        """Let an account with code send this message, as py-evm and anvil do (an impersonated
        contract, an ``eth_call`` from a contract); returns its code hash, or None for an account
        without code.

        revm refuses a message whose sender's code hash is not the empty one (EIP-3607) and pyrevm
        0.3.7 cannot switch the check off (revm's ``disable_eip3607`` is a compile-time feature it
        is built without). The check reads the code hash only, while a call into the account runs
        its code: so, inside the message's checkpoint, the sender's journal entry gets the empty
        code hash and keeps its code. The checkpoint's revert takes the entry back, and
        :meth:`_changes` reports the true hash. The one thing the message can see of this is
        EXTCODEHASH of the sender, which reads the empty code's hash (docs/engines.md).
        """
        hex_sender = _hex_address(sender)
        info = self._evm.basic(hex_sender)  # loads the sender into the journal (it is warm anyway)
        code_hash = bytes(info.code_hash)
        if code_hash == EMPTY_CODE_HASH:
            return None
        code = self._evm.get_code(hex_sender) or b""
        masked = AccountInfo(balance=info.balance, nonce=info.nonce, code_hash=EMPTY_CODE_HASH, code=code)
        self._evm.insert_account_info(hex_sender, masked)  # a journal entry: replaced in place
        return code_hash

    def _call(
        self, sender: bytes, to: bytes | None, data: bytes, value: int, gas: int
    ) -> tuple[bytes, bytes | None, str]:
        """Run the message; pyrevm raises on revert and halt, with the payload in the message.

        A creation's output is what its init code returned, the new contract's code, as on py-evm:
        an ``eth_call`` of creation code answers it (viem's deployless multicall reads its results
        that way), while pyrevm's ``deploy`` returns only the address."""
        try:
            if to is None:
                address = self._evm.deploy(_hex_address(sender), data, value=value, gas=gas, gas_price=0)
                return self._deployed_code(address), bytes.fromhex(address[2:]), ""
            output = self._evm.message_call(
                _hex_address(sender), _hex_address(to), data, value=value, gas=gas, gas_price=0
            )
            return bytes(output), None, ""
        except RuntimeError as exc:
            text = str(exc)
            if not text.startswith(("Revert", "Halt")):
                raise
            found = _OUTPUT.search(text)
            return (bytes.fromhex(found.group(1)) if found else b""), None, text

    def _deployed_code(self, address: str) -> bytes:
        """The code at ``address`` as the init code returned it: revm's analysed code carries up to
        33 bytes of zero padding past its length, trimmed here to what its code hash covers."""
        code = bytes(self._evm.get_code(address) or b"")
        code_hash = bytes(self._evm.basic(address).code_hash)
        for end in range(len(code), max(len(code) - 34, -1), -1):
            if keccak(code[:end]) == code_hash:
                return code[:end]
        raise AssertionError(f"revm's code at {address} does not match its code hash")

    def _accessed(self) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
        """Every account in revm's journal and every slot loaded in it, sorted (revm's journal is a
        hash map, so the order of first touch is lost)."""
        journal = self._evm.journal_str
        state = journal[: journal.find(", transient_storage: {")]
        matches = list(_ACCOUNT.finditer(state))
        accessed = []
        for position, match in enumerate(matches):
            stop = matches[position + 1].start() if position + 1 < len(matches) else len(state)
            body = state[match.end() : stop]
            tail = body[body.find("}, storage: {") :]
            slots = tuple(sorted({int(slot) for slot, _, _ in _SLOT.findall(tail)}))
            accessed.append((bytes.fromhex(match.group(1)), slots))
        return tuple(sorted(accessed))

    def _changes(
        self, known_code: Container[bytes], sender: bytes, sender_code_hash: bytes | None
    ) -> tuple[AccountChange, ...]:
        journal = self._evm.journal_str
        end = journal.find(", transient_storage: {")
        state = journal[:end]
        matches = list(_ACCOUNT.finditer(state))
        changes = []
        for position, match in enumerate(matches):
            stop = matches[position + 1].start() if position + 1 < len(matches) else len(state)
            body = state[match.end() : stop]
            address = bytes.fromhex(match.group(1))
            code_hash = bytes.fromhex(match.group(4))
            if address == sender and sender_code_hash is not None:
                code_hash = sender_code_hash  # masked for EIP-3607 only (see _let_code_send)
            if address in self._stand_ins and code_hash == self._stand_ins[address][1]:
                code_hash = self._held_code_hash.get(address, code_hash)  # the world's code stays
            # The code's hex comes first and is long: search only what follows it.
            tail = body[body.find("}, storage: {") :]
            status_match = _STATUS.search(tail)
            status = status_match.group(1) if status_match else ""
            storage = {
                int(slot): int(present)
                for slot, original, present in _SLOT.findall(tail)
                if original != present
            }
            code = None
            if code_hash != EMPTY_CODE_HASH and code_hash not in known_code:
                code = _code(body)
            changes.append(
                AccountChange(
                    address=address,
                    account=Account(int(match.group(3)), int(match.group(2)), code_hash),
                    storage=storage,
                    touched="Touched" in status,
                    destroyed="SelfDestructed" in status,
                    code=code,
                )
            )
        return tuple(changes)


def _code(body: str) -> bytes:
    """An account's code from its journal entry; analysed code carries padding past its length."""
    found = _CODE.search(body)
    if found is None:
        return b""
    code = bytes.fromhex(found.group(1))
    return code[: int(found.group(2))] if found.group(2) is not None else code
