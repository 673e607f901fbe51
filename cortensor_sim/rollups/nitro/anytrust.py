"""AnyTrust: a data-availability committee keeps a batch's data and only a certificate is posted.

Nitro's certificate (OffchainLabs/nitro ``arbstate/daprovider``, ``das/dasutil``) is
``0x80 ++ keysetHash(32) ++ dataHash(32) ++ timeout(u64) ++ signersMask(u64) ++ BLS signature(96)``,
the committee members signing ``dataHash ++ timeout`` with BLS keys, aggregated into one signature.

**Stand-in, documented as such**: the committee here holds secp256k1 keys. In place of the one
96-byte aggregate the certificate carries each signer's 65-byte signature (``r ++ s ++ v``) of
``keccak256(dataHash ++ timeout)``, in the order of the signers mask; the data hash is
``keccak256(data)`` (Nitro's is a tree hash). The keyset is ``abi.encode(uint64 assumedHonest,
address[] members)`` and its hash, as on Nitro, ``keccak256(0xfe ++ keccak256(keyset))``. A
certificate is valid with at least ``members - assumedHonest + 1`` signatures (Nitro's quorum: with
at most that many dishonest members missing, one honest member holds the data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from coincurve import PrivateKey, PublicKey
from eth_abi import encode
from eth_hash.auto import keccak

from .batches import DAS_HEADER, BatchFormatError

SIGNATURE_LENGTH = 65
CERTIFICATE_HEAD = 1 + 32 + 32 + 8 + 8


def address_of(public_key: PublicKey) -> bytes:
    return keccak(public_key.format(compressed=False)[1:])[12:]


@dataclass(frozen=True)
class Certificate:
    keyset_hash: bytes
    data_hash: bytes
    timeout: int
    signers_mask: int
    signatures: tuple[bytes, ...]

    def encode(self) -> bytes:
        return (
            bytes([DAS_HEADER])
            + self.keyset_hash
            + self.data_hash
            + self.timeout.to_bytes(8, "big")
            + self.signers_mask.to_bytes(8, "big")
            + b"".join(self.signatures)
        )

    @classmethod
    def decode(cls, data: bytes) -> Certificate:
        if len(data) < CERTIFICATE_HEAD or data[0] != DAS_HEADER:
            raise BatchFormatError("not an AnyTrust certificate (header 0x80 and 81 bytes at least)")
        body = data[CERTIFICATE_HEAD:]
        if len(body) % SIGNATURE_LENGTH:
            raise BatchFormatError(f"certificate signatures are {len(body)} bytes, not a multiple of 65")
        return cls(
            keyset_hash=data[1:33],
            data_hash=data[33:65],
            timeout=int.from_bytes(data[65:73], "big"),
            signers_mask=int.from_bytes(data[73:81], "big"),
            signatures=tuple(body[i : i + SIGNATURE_LENGTH] for i in range(0, len(body), SIGNATURE_LENGTH)),
        )


def signed_digest(data_hash: bytes, timeout: int) -> bytes:
    return keccak(data_hash + timeout.to_bytes(8, "big"))


@dataclass
class Committee:
    """The data-availability committee: its keys, its honesty assumption, and the data it stores."""

    keys: tuple[bytes, ...]
    assumed_honest: int = 1
    store: dict[bytes, bytes] = field(default_factory=dict)

    @property
    def members(self) -> list[bytes]:
        return [address_of(PrivateKey(k).public_key) for k in self.keys]

    @property
    def quorum(self) -> int:
        return len(self.keys) - self.assumed_honest + 1

    def keyset(self) -> bytes:
        return encode(["uint64", "address[]"], [self.assumed_honest, ["0x" + m.hex() for m in self.members]])

    def keyset_hash(self) -> bytes:
        return keccak(b"\xfe" + keccak(self.keyset()))

    def certify(self, data: bytes, timeout: int, signers: Sequence[int] | None = None) -> Certificate:
        """Store ``data`` with the members and return their certificate (signed by ``signers``)."""
        data_hash = keccak(data)
        self.store[data_hash] = data
        chosen = sorted(range(len(self.keys)) if signers is None else signers)
        digest = signed_digest(data_hash, timeout)
        signatures = tuple(PrivateKey(self.keys[i]).sign_recoverable(digest, hasher=None) for i in chosen)
        mask = sum(1 << i for i in chosen)
        return Certificate(self.keyset_hash(), data_hash, timeout, mask, signatures)

    def verify(self, certificate: Certificate) -> None:
        """Check a certificate as a child node does; raises :class:`BatchFormatError` saying why."""
        if certificate.keyset_hash != self.keyset_hash():
            raise BatchFormatError(f"certificate names keyset 0x{certificate.keyset_hash.hex()}, not ours")
        signers = [i for i in range(len(self.keys)) if certificate.signers_mask >> i & 1]
        if len(signers) < self.quorum:
            raise BatchFormatError(f"certificate has {len(signers)} signers, the quorum is {self.quorum}")
        if len(signers) != len(certificate.signatures):
            raise BatchFormatError("certificate's signers mask and signatures disagree")
        digest = signed_digest(certificate.data_hash, certificate.timeout)
        members = self.members
        for index, signature in zip(signers, certificate.signatures, strict=True):
            try:
                signer = address_of(PublicKey.from_signature_and_message(signature, digest, hasher=None))
            except ValueError as exc:
                raise BatchFormatError(f"signature of member {index} does not recover: {exc}") from exc
            if signer != members[index]:
                raise BatchFormatError(f"signature of member {index} is not that member's")

    def data(self, certificate: Certificate) -> bytes:
        """The batch data behind a certificate, from the committee's store."""
        self.verify(certificate)
        return self.store[certificate.data_hash]
