"""Transactions as the revm engine sees them: decoded, signature-checked and costed outside revm.

pyrevm runs message calls only: it checks no signature and knows no transaction encoding. So every
rule a node applies before execution lives here, written from the specs rather than borrowed from
py-evm (which only ``chains/pyevm`` may import): the encodings of EIP-2718 types 0 (with EIP-155),
1 (EIP-2930) and 2 (EIP-1559), sender recovery with libsecp256k1 (coincurve), the intrinsic gas of
EIP-2028/2930/3860, and the calldata floor of EIP-7623 (Prague, which py-evm runs). The devnet's
unsigned system transaction (type 0x7E, the OP Stack deposit layout) is built here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import rlp
from coincurve import PublicKey
from eth_hash.auto import keccak
from rlp.sedes import Binary, CountableList, List, big_endian_int, binary, boolean

from ..engine import InvalidTransaction, SystemCall

SYSTEM_TRANSACTION_TYPE = 0x7E
"""The OP Stack deposit type, used for the devnet's unsigned system transactions."""

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# Gas schedule (EIP-2028, EIP-2930, EIP-3860, EIP-7623).
TX_BASE_GAS = 21_000
TX_CREATE_GAS = 32_000
TX_DATA_ZERO_GAS = 4
TX_DATA_NONZERO_GAS = 16
ACCESS_LIST_ADDRESS_GAS = 2_400
ACCESS_LIST_STORAGE_KEY_GAS = 1_900
INITCODE_WORD_GAS = 2
FLOOR_GAS_PER_TOKEN = 10
NONZERO_BYTE_TOKENS = 4

address_sedes = Binary.fixed_length(20)
to_sedes = Binary.fixed_length(20, allow_empty=True)
hash32 = Binary.fixed_length(32)
access_list_sedes = CountableList(List([address_sedes, CountableList(hash32)]))

_SIGNATURE = [big_endian_int, big_endian_int, big_endian_int]
"""v (or y parity), r, s."""
LEGACY_FIELDS = List(
    [big_endian_int, big_endian_int, big_endian_int, to_sedes, big_endian_int, binary, *_SIGNATURE]
)
"""nonce, gasPrice, gas, to, value, data, v, r, s."""
ACCESS_LIST_FIELDS = List(
    [
        big_endian_int,
        big_endian_int,
        big_endian_int,
        big_endian_int,
        to_sedes,
        big_endian_int,
        binary,
        access_list_sedes,
        *_SIGNATURE,
    ]
)
"""EIP-2930: chainId, nonce, gasPrice, gas, to, value, data, accessList, yParity, r, s."""
DYNAMIC_FEE_FIELDS = List(
    [
        big_endian_int,
        big_endian_int,
        big_endian_int,
        big_endian_int,
        big_endian_int,
        to_sedes,
        big_endian_int,
        binary,
        access_list_sedes,
        *_SIGNATURE,
    ]
)
"""EIP-1559: chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data, accessList,
yParity, r, s."""
SYSTEM_FIELDS = List(
    [hash32, address_sedes, to_sedes, big_endian_int, big_endian_int, big_endian_int, boolean, binary]
)

AccessList = tuple[tuple[bytes, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Transaction:
    """A transaction ready to run: signed ones carry a recovered sender, system ones a given one."""

    type: int
    sender: bytes
    to: bytes | None
    value: int
    data: bytes
    gas: int
    nonce: int
    encoded: bytes
    """The EIP-2718 encoding (the legacy RLP for type 0): what the transactions trie holds."""
    chain_id: int | None = None
    gas_price: int = 0
    max_fee_per_gas: int = 0
    max_priority_fee_per_gas: int = 0
    access_list: AccessList = ()
    v: int = 0
    r: int = 0
    s: int = 0
    mint: int = 0
    source_hash: bytes = b""
    is_system_tx: bool = False

    @cached_property
    def hash(self) -> bytes:
        return keccak(self.encoded)

    @property
    def is_system(self) -> bool:
        return self.type == SYSTEM_TRANSACTION_TYPE

    @property
    def is_create(self) -> bool:
        return self.to is None

    @property
    def fee_cap(self) -> int:
        """The most a unit of gas may cost (the gas price before EIP-1559)."""
        return self.max_fee_per_gas if self.type == 2 else self.gas_price

    @property
    def tip_cap(self) -> int:
        return self.max_priority_fee_per_gas if self.type == 2 else self.gas_price

    def effective_gas_price(self, base_fee: int) -> int:
        """What a unit of gas costs in a block of ``base_fee`` (EIP-1559; zero for system calls)."""
        if self.is_system:
            return 0
        return min(self.fee_cap, base_fee + self.tip_cap)


# ---------------------------------------------------------------------- gas
def calldata_tokens(data: bytes) -> tuple[int, int]:
    """(zero bytes, non-zero bytes) of calldata."""
    zeros = data.count(0)
    return zeros, len(data) - zeros


def intrinsic_gas(tx: Transaction) -> int:
    """Gas charged before execution: base, calldata, creation with its initcode words, access list."""
    zeros, nonzeros = calldata_tokens(tx.data)
    gas = TX_BASE_GAS + zeros * TX_DATA_ZERO_GAS + nonzeros * TX_DATA_NONZERO_GAS
    if tx.is_create:
        gas += TX_CREATE_GAS
        if not tx.is_system:  # py-evm costs a system transaction on the Istanbul schedule
            gas += INITCODE_WORD_GAS * ((len(tx.data) + 31) // 32)
    for _, keys in tx.access_list:
        gas += ACCESS_LIST_ADDRESS_GAS + ACCESS_LIST_STORAGE_KEY_GAS * len(keys)
    return gas


def floor_data_gas(data: bytes) -> int:
    """EIP-7623's least gas a transaction with this calldata pays (Prague)."""
    zeros, nonzeros = calldata_tokens(data)
    return TX_BASE_GAS + FLOOR_GAS_PER_TOKEN * (zeros + NONZERO_BYTE_TOKENS * nonzeros)


# ---------------------------------------------------------------------- decoding
def decode_transaction(raw: bytes, chain_id: int) -> Transaction:
    """Decode a signed transaction, recover its sender and check it belongs to ``chain_id``.

    Raises :class:`InvalidTransaction` saying what is wrong: encoding, signature, type or chain id.
    """
    if not raw:
        raise InvalidTransaction("cannot decode transaction: empty input")
    kind = raw[0]
    try:
        if kind >= 0xC0:
            tx = _decode_legacy(raw)
        elif kind == 1:
            tx = _decode_access_list(raw)
        elif kind == 2:
            tx = _decode_dynamic_fee(raw)
        elif kind == 4:
            raise InvalidTransaction(
                "type-4 (EIP-7702 set-code) transactions need Prague, and the revm engine runs "
                "Cancun (pyrevm 0.3.7): use the py-evm engine for this chain"
            )
        elif kind == 3:
            raise InvalidTransaction("type-3 (blob) transactions are not supported by the revm engine")
        elif kind == SYSTEM_TRANSACTION_TYPE:
            raise InvalidTransaction("system transactions (type 0x7e) cannot be sent, only derived")
        else:
            raise InvalidTransaction(f"cannot decode transaction: unknown type {kind:#x}")
    except (rlp.DecodingError, rlp.DeserializationError, ValueError) as exc:
        raise InvalidTransaction(f"cannot decode transaction: {exc}") from exc
    if tx.chain_id is not None and tx.chain_id != chain_id:
        raise InvalidTransaction(
            f"transaction is signed for chain id {tx.chain_id}, but this chain's id is "
            f"{chain_id} (refused: cross-chain replay)"
        )
    return tx


def _decode_legacy(raw: bytes) -> Transaction:
    nonce, gas_price, gas, to, value, data, v, r, s = rlp.decode(raw, sedes=LEGACY_FIELDS)
    if v in (27, 28):
        chain_id = None
        parity = v - 27
        unsigned = [nonce, gas_price, gas, to, value, data]
    elif v >= 35:
        chain_id = (v - 35) // 2
        parity = (v - 35) % 2
        unsigned = [nonce, gas_price, gas, to, value, data, chain_id, 0, 0]
    else:
        raise InvalidTransaction(f"cannot decode transaction: invalid v {v}")
    signing_hash = keccak(rlp.encode(unsigned))
    sender = recover_sender(signing_hash, parity, r, s)
    return Transaction(
        type=0,
        sender=sender,
        to=to or None,
        value=value,
        data=data,
        gas=gas,
        nonce=nonce,
        encoded=raw,
        chain_id=chain_id,
        gas_price=gas_price,
        v=v,
        r=r,
        s=s,
    )


def _decode_access_list(raw: bytes) -> Transaction:
    fields = rlp.decode(raw[1:], sedes=ACCESS_LIST_FIELDS)
    chain_id, nonce, gas_price, gas, to, value, data, access_list, parity, r, s = fields
    signing_hash = keccak(b"\x01" + rlp.encode(list(fields[:8])))
    return Transaction(
        type=1,
        sender=recover_sender(signing_hash, parity, r, s),
        to=to or None,
        value=value,
        data=data,
        gas=gas,
        nonce=nonce,
        encoded=raw,
        chain_id=chain_id,
        gas_price=gas_price,
        access_list=_access_list(access_list),
        v=parity,
        r=r,
        s=s,
    )


def _decode_dynamic_fee(raw: bytes, sender: bytes | None = None) -> Transaction:
    fields = rlp.decode(raw[1:], sedes=DYNAMIC_FEE_FIELDS)
    chain_id, nonce, tip_cap, fee_cap, gas, to, value, data, access_list, parity, r, s = fields
    if sender is None:
        sender = recover_sender(keccak(b"\x02" + rlp.encode(list(fields[:9]))), parity, r, s)
    return Transaction(
        type=2,
        sender=sender,
        to=to or None,
        value=value,
        data=data,
        gas=gas,
        nonce=nonce,
        encoded=raw,
        chain_id=chain_id,
        max_fee_per_gas=fee_cap,
        max_priority_fee_per_gas=tip_cap,
        access_list=_access_list(access_list),
        v=parity,
        r=r,
        s=s,
    )


# ---------------------------------------------------------------------- impersonation
IMPERSONATED_SIGNATURE = (0, 1, 1)
"""The placeholder (y parity, r, s) of an impersonated transaction: its sender is given, not
recovered (``anvil_impersonateAccount``), as the py-evm engine's placeholder."""


def impersonated_transaction(chain_id: int, fields: Mapping[str, Any]) -> bytes:
    """An EIP-1559 transaction from eth-account's ``fields``, with the placeholder signature.

    The engine that makes it remembers its sender by its hash; nothing can recover one from it.
    """
    fee_cap = fields.get("maxFeePerGas", fields.get("gasPrice", 0))
    tip_cap = fields.get("maxPriorityFeePerGas", fields.get("gasPrice", 0))
    to = fields.get("to")
    access_list = [
        [
            bytes.fromhex(entry["address"][2:]),
            [int(key, 16).to_bytes(32, "big") for key in entry["storageKeys"]],
        ]
        for entry in fields.get("accessList", ())
    ]
    body = [
        chain_id,
        fields["nonce"],
        tip_cap,
        fee_cap,
        fields["gas"],
        bytes.fromhex(to[2:]) if to else b"",
        fields.get("value", 0),
        fields.get("data", b""),
        access_list,
        *IMPERSONATED_SIGNATURE,
    ]
    return b"\x02" + rlp.encode(body, sedes=DYNAMIC_FEE_FIELDS)


def decode_impersonated(raw: bytes, sender: bytes, chain_id: int) -> Transaction:
    """An impersonated transaction (:func:`impersonated_transaction`) sent as ``sender``."""
    try:
        tx = _decode_dynamic_fee(raw, sender)
    except (rlp.DecodingError, rlp.DeserializationError, ValueError) as exc:
        raise InvalidTransaction(f"cannot decode transaction: {exc}") from exc
    if tx.chain_id != chain_id:
        raise InvalidTransaction(f"impersonated transaction for chain id {tx.chain_id}, not {chain_id}")
    return tx


def _access_list(decoded: list[list[object]]) -> AccessList:
    return tuple(
        (bytes(address), tuple(int.from_bytes(key, "big") for key in keys))  # type: ignore[arg-type, union-attr]
        for address, keys in decoded  # type: ignore[misc]
    )


def recover_sender(signing_hash: bytes, parity: int, r: int, s: int) -> bytes:
    """The address that signed ``signing_hash``; low-s only (EIP-2), as libsecp256k1 verifies."""
    if parity not in (0, 1):
        raise InvalidTransaction(f"cannot decode transaction: invalid y parity {parity}")
    if not (0 < r < SECP256K1_N and 0 < s <= SECP256K1_N // 2):
        raise InvalidTransaction("cannot decode transaction: Invalid Signature: r or s out of range")
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([parity])
    try:
        public_key = PublicKey.from_signature_and_message(signature, signing_hash, hasher=None)
    except Exception as exc:  # coincurve raises a bare Exception for an unrecoverable signature
        raise InvalidTransaction(f"cannot decode transaction: bad signature ({exc})") from exc
    return keccak(public_key.format(compressed=False)[1:])[12:]


def system_transaction(call: SystemCall) -> Transaction:
    """The type-0x7E transaction a system call becomes: ``[sourceHash, from, to, mint, value, gas,
    isSystemTx, data]``, hashed like py-evm's so both engines name a deposit the same."""
    fields = [
        call.source_hash,
        call.sender,
        call.to or b"",
        call.mint,
        call.value,
        call.gas,
        call.is_system_tx,
        call.data,
    ]
    encoded = bytes([SYSTEM_TRANSACTION_TYPE]) + rlp.encode(fields, sedes=SYSTEM_FIELDS)
    return Transaction(
        type=SYSTEM_TRANSACTION_TYPE,
        sender=call.sender,
        to=call.to or None,
        value=call.value,
        data=call.data,
        gas=call.gas,
        nonce=0,
        encoded=encoded,
        mint=call.mint,
        source_hash=call.source_hash,
        is_system_tx=call.is_system_tx,
    )
