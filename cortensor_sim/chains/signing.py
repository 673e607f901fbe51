"""EIP-1559 transactions of the unlocked dev accounts, signed with libsecp256k1 directly.

``eth_sendTransaction`` from a dev account is signed by the node (as anvil does). eth-account's
``sign_transaction`` spends most of its time validating and converting the transaction dict
through several layers before it signs; for the plain type-2 transaction the node fills in, the
envelope is short enough to build here: ``0x02 || rlp([chainId, nonce, maxPriorityFeePerGas,
maxFeePerGas, gas, to, value, data, accessList, yParity, r, s])`` signed over the keccak of the
same list without the signature (EIP-1559, EIP-2718). libsecp256k1 signs deterministically
(RFC 6979) with a low ``s``, as it does under eth-account (eth-keys' coincurve backend), so the
bytes are the ones eth-account would give; anything else (legacy or access-list transactions,
authorizations) is left to eth-account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rlp
from coincurve import PrivateKey
from eth_hash.auto import keccak

PLAIN_DYNAMIC_FEE_FIELDS = frozenset(
    {"chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gas", "to", "value", "data"}
)
"""The fields of a type-2 transaction without an access list (``to`` absent for a creation)."""

_keys: dict[bytes, PrivateKey] = {}


def sign_plain_dynamic_fee(key: bytes, unsigned: Mapping[str, Any]) -> bytes | None:
    """The raw signed transaction for ``unsigned`` (eth-account's field names; ``to`` a hex
    address, ``data`` bytes), or None when it is not a plain type-2 transaction."""
    if not PLAIN_DYNAMIC_FEE_FIELDS.issuperset(unsigned) or "maxFeePerGas" not in unsigned:
        return None
    to = unsigned.get("to")
    fields = [
        unsigned["chainId"],
        unsigned["nonce"],
        unsigned["maxPriorityFeePerGas"],
        unsigned["maxFeePerGas"],
        unsigned["gas"],
        bytes.fromhex(to[2:]) if to else b"",
        unsigned["value"],
        bytes(unsigned["data"]),
        [],
    ]
    private = _keys.get(key)
    if private is None:
        private = _keys[key] = PrivateKey(key)
    signature = private.sign_recoverable(keccak(b"\x02" + rlp.encode(fields)), hasher=None)
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    return b"\x02" + rlp.encode([*fields, signature[64], r, s])
