"""The cryptography of a private session: what is encrypted to whom, and in which byte layout.

- **Payloads** (prompts, results) are sealed with AES-256-GCM under the session key: a 16-byte
  nonce, the 16-byte tag, then the encrypted bytes (the layout of eciespy's symmetric part).
  Associated data binds a payload to its chain, session, task and author, so a ciphertext cannot
  be replayed into another task.
- **Envelopes** carry the 32-byte session key to one reader: ECIES on secp256k1 exactly as
  eciespy (ecies/py, ``ecies/__init__.py``) builds it with its default configuration: an
  ephemeral uncompressed public key (65 bytes), HKDF-SHA256 over the ephemeral key and the shared
  point, then AES-256-GCM with a 16-byte nonce. Any eciespy client opens them with ``ecies.decrypt``.
- **Commitments** are keccak256(plaintext ++ salt), the form PrivateSessionV2 recommends.

Randomness: a real client draws session keys, salts, ephemeral keys and nonces from the OS. The
simulator draws them from :class:`Entropy`, a keccak stream keyed by the run's seed and a label
per use, so that a run replays byte for byte (same transactions, same gas, same trace). Labels are
unique per use, so no nonce repeats under one key.
"""

from __future__ import annotations

from dataclasses import dataclass

import ecies
from Crypto.Cipher import AES
from ecies.keys import PrivateKey, PublicKey
from eth_abi import encode
from eth_keys import keys
from eth_utils import keccak

__all__ = [
    "ENVELOPE_LENGTH",
    "KEY_LENGTH",
    "NO_AUTHOR",
    "DecryptionFailed",
    "Entropy",
    "commitment",
    "open_payload",
    "payload_binding",
    "public_key_of",
    "seal_payload",
    "unwrap_key",
    "wrap_key",
]

KEY_LENGTH = 32
"""AES-256: a session key is 32 bytes."""
NONCE_LENGTH = 16
TAG_LENGTH = 16
EPHEMERAL_KEY_LENGTH = 65
ENVELOPE_LENGTH = EPHEMERAL_KEY_LENGTH + NONCE_LENGTH + TAG_LENGTH + KEY_LENGTH
"""129 bytes; PrivateSessionV2.ENVELOPE_LENGTH checks the same number on chain."""

_CURVE = "secp256k1"
_GROUP_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class DecryptionFailed(ValueError):
    """A payload or an envelope did not open with the key given: wrong key, or tampered bytes."""


@dataclass(frozen=True)
class Entropy:
    """A deterministic stand-in for the OS random source, keyed by a run's seed."""

    seed: bytes

    def draw(self, label: str, length: int = 32) -> bytes:
        """``length`` (<= 32) bytes for the use named ``label``; the same label gives the same bytes."""
        if not 0 < length <= 32:
            raise ValueError(f"draw gives 1 to 32 bytes, not {length}")
        return keccak(self.seed + b"\x00" + label.encode())[:length]

    def secret_key(self, label: str) -> bytes:
        """A valid secp256k1 secret (1 <= k < n) for ``label``."""
        counter = 0
        while True:
            candidate = self.draw(f"{label}#{counter}")
            if 0 < int.from_bytes(candidate, "big") < _GROUP_ORDER:
                return candidate
            counter += 1


def public_key_of(private_key: bytes) -> bytes:
    """The 64-byte public key (x || y, no 0x04 prefix) NodePool stores for a node's account key."""
    return keys.PrivateKey(private_key).public_key.to_bytes()


def commitment(plaintext: bytes, salt: bytes) -> bytes:
    """keccak256(plaintext ++ salt): binds a payload without revealing it (the salt hides guesses)."""
    return keccak(plaintext + salt)


NO_AUTHOR = "0x" + "00" * 20
"""The author field of a prompt's binding (only a result names its miner)."""


def payload_binding(
    kind: str, chain_id: int, contract: str, session_id: int, task_id: int, author: str = NO_AUTHOR
) -> bytes:
    """The associated data that ties a sealed payload to where it was posted: its kind ("prompt" or
    "result"), chain, PrivateSessionV2 contract, session, task and (for a result) the miner, so a
    ciphertext copied into another task, chain or miner's commit does not open."""
    fields = [kind, chain_id, contract, session_id, task_id, author]
    return keccak(encode(["string", "uint256", "address", "uint256", "uint256", "address"], fields))


def seal_payload(key: bytes, plaintext: bytes, nonce: bytes, associated: bytes) -> bytes:
    """AES-256-GCM: nonce (16) || tag (16) || encrypted ``plaintext``."""
    _check_key(key)
    if len(nonce) != NONCE_LENGTH:
        raise ValueError(f"a payload nonce is {NONCE_LENGTH} bytes, not {len(nonce)}")
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    cipher.update(associated)
    encrypted, tag = cipher.encrypt_and_digest(plaintext)
    return nonce + tag + encrypted


def open_payload(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    """The plaintext of :func:`seal_payload`'s output; :class:`DecryptionFailed` if it does not verify."""
    _check_key(key)
    if len(sealed) <= NONCE_LENGTH + TAG_LENGTH:
        raise DecryptionFailed(f"a sealed payload is longer than {NONCE_LENGTH + TAG_LENGTH} bytes")
    nonce, tag = sealed[:NONCE_LENGTH], sealed[NONCE_LENGTH : NONCE_LENGTH + TAG_LENGTH]
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    cipher.update(associated)
    try:
        return cipher.decrypt_and_verify(sealed[NONCE_LENGTH + TAG_LENGTH :], tag)
    except ValueError as exc:  # pycryptodome: "MAC check failed"
        raise DecryptionFailed("the payload does not open with this key") from exc


def wrap_key(recipient_public_key: bytes, session_key: bytes, ephemeral_secret: bytes, nonce: bytes) -> bytes:
    """ECIES envelope of ``session_key`` for the holder of ``recipient_public_key`` (33, 64 or 65 bytes).

    The ephemeral secret and nonce are parameters (see :class:`Entropy`); the bytes are what
    ``ecies.encrypt`` would produce had it drawn them.
    """
    _check_key(session_key)
    ephemeral = PrivateKey(_CURVE, ephemeral_secret)
    shared_key = ephemeral.encapsulate(PublicKey(_CURVE, recipient_public_key))
    cipher = AES.new(shared_key, AES.MODE_GCM, nonce=nonce)
    encrypted, tag = cipher.encrypt_and_digest(session_key)
    return ephemeral.public_key.to_bytes() + nonce + tag + encrypted


def unwrap_key(private_key: bytes, envelope: bytes) -> bytes:
    """The session key inside ``envelope``, opened with eciespy; :class:`DecryptionFailed` otherwise."""
    if len(envelope) != ENVELOPE_LENGTH:
        raise DecryptionFailed(f"an envelope is {ENVELOPE_LENGTH} bytes, not {len(envelope)}")
    try:
        return ecies.decrypt(private_key, envelope)
    except ValueError as exc:  # a wrong key fails the GCM tag; a bad point fails in coincurve
        raise DecryptionFailed("the envelope does not open with this key") from exc


def _check_key(key: bytes) -> None:
    if len(key) != KEY_LENGTH:
        raise ValueError(f"a session key is {KEY_LENGTH} bytes, not {len(key)}")
