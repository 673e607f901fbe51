"""Verified Action Approvals: the signed envelope guardians put around an observed message.

Layout as wormhole-foundation/wormhole ``ethereum/contracts/Messages.sol`` parses it (all integers
big-endian):

* header: ``version u8 (= 1) ++ guardianSetIndex u32 ++ n u8 ++ n x (guardianIndex u8, r 32, s 32,
  v u8)``, where ``v`` is the recovery id (0 or 1; the contract adds 27 before ``ecrecover``);
* body: ``timestamp u32 ++ nonce u32 ++ emitterChainId u16 ++ emitterAddress bytes32 ++ sequence u64
  ++ consistencyLevel u8 ++ payload``.

Guardians sign the body's double hash ``keccak256(keccak256(body))`` with no message prefix; the same
double hash is the VAA's identity for replay protection (the token bridge's ``isTransferCompleted``).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak

VAA_VERSION = 1
SIGNATURE_LENGTH = 66
"""guardianIndex (1) + r (32) + s (32) + v (1)."""
BODY_FIXED_LENGTH = 4 + 4 + 2 + 32 + 8 + 1


class VAAFormatError(ValueError):
    """Bytes that are not a VAA (too short, wrong version, truncated signatures)."""


@dataclass(frozen=True)
class Body:
    """What guardians attest: one message an emitter published, and where and when."""

    timestamp: int
    nonce: int
    emitter_chain: int
    emitter_address: bytes
    sequence: int
    consistency_level: int
    payload: bytes

    def encode(self) -> bytes:
        if len(self.emitter_address) != 32:
            raise VAAFormatError("emitter address must be 32 bytes")
        return (
            self.timestamp.to_bytes(4, "big")
            + self.nonce.to_bytes(4, "big")
            + self.emitter_chain.to_bytes(2, "big")
            + self.emitter_address
            + self.sequence.to_bytes(8, "big")
            + self.consistency_level.to_bytes(1, "big")
            + self.payload
        )

    @classmethod
    def decode(cls, data: bytes) -> Body:
        if len(data) < BODY_FIXED_LENGTH:
            raise VAAFormatError(f"VAA body is {len(data)} bytes, shorter than {BODY_FIXED_LENGTH}")
        return cls(
            timestamp=int.from_bytes(data[0:4], "big"),
            nonce=int.from_bytes(data[4:8], "big"),
            emitter_chain=int.from_bytes(data[8:10], "big"),
            emitter_address=bytes(data[10:42]),
            sequence=int.from_bytes(data[42:50], "big"),
            consistency_level=data[50],
            payload=bytes(data[51:]),
        )

    @property
    def digest(self) -> bytes:
        return body_digest(self.encode())

    @property
    def message_key(self) -> tuple[int, bytes, int]:
        """(emitter chain, emitter, sequence): what guardians observe once and sign once."""
        return (self.emitter_chain, self.emitter_address, self.sequence)


@dataclass(frozen=True)
class GuardianSignature:
    guardian_index: int
    r: bytes
    s: bytes
    v: int

    def encode(self) -> bytes:
        return bytes([self.guardian_index]) + self.r + self.s + bytes([self.v])


@dataclass(frozen=True)
class VAA:
    """A parsed VAA: header fields, signatures in their given order, and the body."""

    guardian_set_index: int
    signatures: tuple[GuardianSignature, ...]
    body: Body
    version: int = VAA_VERSION

    def encode(self) -> bytes:
        return (
            bytes([self.version])
            + self.guardian_set_index.to_bytes(4, "big")
            + bytes([len(self.signatures)])
            + b"".join(sig.encode() for sig in self.signatures)
            + self.body.encode()
        )

    @classmethod
    def decode(cls, data: bytes) -> VAA:
        if len(data) < 6:
            raise VAAFormatError(f"VAA is {len(data)} bytes, shorter than its header")
        if data[0] != VAA_VERSION:
            raise VAAFormatError(f"VAA version {data[0]} is not {VAA_VERSION}")
        count = data[5]
        body_start = 6 + count * SIGNATURE_LENGTH
        if len(data) < body_start:
            raise VAAFormatError(f"VAA declares {count} signatures but is only {len(data)} bytes")
        signatures = tuple(
            GuardianSignature(
                guardian_index=data[i],
                r=bytes(data[i + 1 : i + 33]),
                s=bytes(data[i + 33 : i + 65]),
                v=data[i + 65],
            )
            for i in range(6, body_start, SIGNATURE_LENGTH)
        )
        return cls(
            guardian_set_index=int.from_bytes(data[1:5], "big"),
            signatures=signatures,
            body=Body.decode(data[body_start:]),
        )

    @property
    def digest(self) -> bytes:
        return self.body.digest

    def with_signatures(self, signatures: tuple[GuardianSignature, ...]) -> VAA:
        return VAA(self.guardian_set_index, signatures, self.body, self.version)


def body_digest(body: bytes) -> bytes:
    """``keccak256(keccak256(body))``: what guardians sign, and the VAA's replay key."""
    return keccak(keccak(body))
