"""Guardian sets, their signatures, and the one verifier of VAAs.

The rules are those of wormhole-foundation/wormhole ``ethereum/contracts/Messages.sol``
(``verifyVMInternal``, ``verifySignatures``) and ``Setters.sol``/``Governance.sol``:

* a VAA names the guardian set that signed it; the current set never expires, a replaced set is
  honoured until its ``expiration_time`` (24 hours after the rotation);
* quorum is ``floor(2N/3) + 1`` signatures of an N-guardian set;
* signature guardian indices must be strictly ascending (so distinct) and below N, and each must
  recover (plain ``ecrecover`` over the digest) to that guardian's address.

:func:`verify` is the only verifier in Python: the engine calls it before it releases tokens on
Solana, and tests hold it to the same refusals as the Solidity core contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from coincurve import PrivateKey, PublicKey
from eth_hash.auto import keccak

from .vaa import VAA, Body, GuardianSignature

GUARDIAN_SET_GRACE_SECONDS = 86_400
"""How long a replaced guardian set still verifies VAAs (Wormhole's 24 hours)."""


class VAAVerificationError(ValueError):
    """A VAA the core contract would refuse; ``reason`` is the contract's revert string."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def quorum(guardians: int) -> int:
    """``floor(2N/3) + 1``: the least number of signatures a set of N guardians must give."""
    return guardians * 2 // 3 + 1


def guardian_key(seed: bytes, set_index: int, guardian: int) -> bytes:
    """The private key of guardian ``guardian`` in set ``set_index``, derived from the devnet seed."""
    material = b"cortensor-sim/wormhole/guardian\0" + seed + set_index.to_bytes(4, "big") + bytes([guardian])
    return hashlib.sha256(material).digest()


def address_of(key: bytes) -> bytes:
    """The 20-byte Ethereum address of a secp256k1 private key."""
    public = PrivateKey(key).public_key.format(compressed=False)[1:]
    return keccak(public)[12:]


@dataclass(frozen=True)
class GuardianSet:
    """One guardian set: its index, the guardians' addresses, and when it stops verifying."""

    index: int
    addresses: tuple[bytes, ...]
    expiration_time: int = 0
    """0 while it is the current set; set to rotation time + grace when replaced."""

    def expired(self, now: int) -> bool:
        return self.expiration_time != 0 and self.expiration_time < now


@dataclass
class Guardians:
    """The guardian network of a devnet: every set so far, and the keys of each to sign with."""

    seed: bytes
    size: int
    sets: list[GuardianSet] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 19:
            raise ValueError(f"a guardian set has 1 to 19 guardians, not {self.size}")
        if not self.sets:
            self.sets.append(GuardianSet(0, self._addresses(0)))

    def _addresses(self, set_index: int) -> tuple[bytes, ...]:
        return tuple(address_of(self.keys(set_index)[i]) for i in range(self.size))

    def keys(self, set_index: int) -> list[bytes]:
        return [guardian_key(self.seed, set_index, i) for i in range(self.size)]

    @property
    def current(self) -> GuardianSet:
        return self.sets[-1]

    def next_set(self) -> GuardianSet:
        """The set a rotation would install (next index, keys derived from the seed)."""
        index = self.current.index + 1
        return GuardianSet(index, self._addresses(index))

    def rotate(self, now: int) -> GuardianSet:
        """Install the next set; the old one expires ``GUARDIAN_SET_GRACE_SECONDS`` after ``now``.

        Call it when the EVM core contract accepted the governance VAA, so both agree.
        """
        old = self.current
        self.sets[-1] = GuardianSet(old.index, old.addresses, now + GUARDIAN_SET_GRACE_SECONDS)
        new = self.next_set()
        self.sets.append(new)
        return new

    def get(self, index: int) -> GuardianSet | None:
        return self.sets[index] if 0 <= index < len(self.sets) else None

    def sign(self, body: Body, set_index: int | None = None, signers: Sequence[int] | None = None) -> VAA:
        """A VAA of ``body`` signed by ``signers`` (default: a quorum) of set ``set_index``."""
        index = self.current.index if set_index is None else set_index
        keys = self.keys(index)
        chosen = range(quorum(self.size)) if signers is None else signers
        digest = body.digest
        return VAA(index, tuple(sign_digest(keys[i], i, digest) for i in chosen), body)

    def to_json(self) -> list[dict[str, object]]:
        return [{"index": s.index, "expiration_time": s.expiration_time} for s in self.sets]

    def load_json(self, data: list[dict[str, object]]) -> None:
        self.sets = [
            GuardianSet(
                int(str(s["index"])), self._addresses(int(str(s["index"]))), int(str(s["expiration_time"]))
            )
            for s in data
        ]


def sign_digest(key: bytes, guardian_index: int, digest: bytes) -> GuardianSignature:
    """A guardian's recoverable signature of a digest (no prefix), as Wormhole's guardians sign."""
    signature = PrivateKey(key).sign_recoverable(digest, hasher=None)
    return GuardianSignature(guardian_index, signature[:32], signature[32:64], signature[64])


def recover(digest: bytes, signature: GuardianSignature) -> bytes | None:
    """``ecrecover(digest, v + 27, r, s)``: the signer's address, or None if it does not recover."""
    if signature.v > 1:
        return None
    try:
        public = PublicKey.from_signature_and_message(
            signature.r + signature.s + bytes([signature.v]), digest, hasher=None
        )
    except Exception:  # coincurve raises a bare Exception for an invalid signature
        return None
    return keccak(public.format(compressed=False)[1:])[12:]


def verify(vaa: VAA | bytes, guardians: Guardians, now: int) -> VAA:
    """Check ``vaa`` as the core contract's ``parseAndVerifyVM`` does at time ``now`` (seconds).

    Returns the parsed VAA; raises :class:`VAAVerificationError` with the contract's revert reason.
    """
    parsed = VAA.decode(vaa) if isinstance(vaa, bytes | bytearray) else vaa
    guardian_set = guardians.get(parsed.guardian_set_index)
    if guardian_set is None or not guardian_set.addresses:
        raise VAAVerificationError("invalid guardian set")
    if parsed.guardian_set_index != guardians.current.index and guardian_set.expired(now):
        raise VAAVerificationError("guardian set has expired")
    if len(parsed.signatures) < quorum(len(guardian_set.addresses)):
        raise VAAVerificationError("no quorum")
    digest = parsed.digest
    last_index = -1
    for signature in parsed.signatures:
        if signature.guardian_index <= last_index:
            raise VAAVerificationError("signature indices must be ascending")
        last_index = signature.guardian_index
        if signature.guardian_index >= len(guardian_set.addresses):
            raise VAAVerificationError("guardian index out of bounds")
        if recover(digest, signature) != guardian_set.addresses[signature.guardian_index]:
            raise VAAVerificationError("VM signature invalid")
    return parsed
