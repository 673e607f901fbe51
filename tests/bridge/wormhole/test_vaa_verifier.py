"""The Python verifier alone: VAA layout, digest, quorum and every refusal, with no chain."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak

from cortensor_sim.bridge.wormhole import VAA, Body, Guardians, VAAVerificationError, quorum, verify
from cortensor_sim.bridge.wormhole.guardians import GUARDIAN_SET_GRACE_SECONDS, address_of, sign_digest
from cortensor_sim.bridge.wormhole.vaa import VAAFormatError

SEED = b"\x07" * 32
BODY = Body(1_700_000_000, 7, 1, b"\x11" * 32, 42, 32, b"payload")


@pytest.fixture
def guardians() -> Guardians:
    return Guardians(SEED, 7)


def test_quorum_is_two_thirds_plus_one() -> None:
    assert [quorum(n) for n in (1, 2, 3, 4, 7, 19)] == [1, 2, 3, 3, 5, 13]


def test_body_layout_and_double_keccak_digest() -> None:
    encoded = BODY.encode()
    assert len(encoded) == 51 + len(b"payload")
    assert encoded[:4] == (1_700_000_000).to_bytes(4, "big") and encoded[8:10] == b"\x00\x01"
    assert BODY.digest == keccak(keccak(encoded))
    assert Body.decode(encoded) == BODY


def test_header_round_trips_and_recovers_to_guardians(guardians: Guardians) -> None:
    vaa = guardians.sign(BODY)
    encoded = vaa.encode()
    assert encoded[0] == 1 and encoded[5] == quorum(7)
    assert VAA.decode(encoded) == vaa
    assert verify(encoded, guardians, now=0).body == BODY


def test_guardian_keys_come_from_the_seed() -> None:
    assert Guardians(SEED, 7).current.addresses == Guardians(SEED, 7).current.addresses
    assert Guardians(SEED, 7).current.addresses != Guardians(b"\x08" * 32, 7).current.addresses
    assert len(set(Guardians(SEED, 7).current.addresses)) == 7


def _refused(vaa: VAA | bytes, guardians: Guardians, reason: str, now: int = 0) -> None:
    with pytest.raises(VAAVerificationError) as caught:
        verify(vaa, guardians, now)
    assert caught.value.reason == reason


def test_too_few_signatures_refused(guardians: Guardians) -> None:
    _refused(guardians.sign(BODY, signers=range(4)), guardians, "no quorum")


def test_duplicate_signature_refused(guardians: Guardians) -> None:
    vaa = guardians.sign(BODY, signers=[0, 1, 2, 3, 3])
    _refused(vaa, guardians, "signature indices must be ascending")


def test_unordered_signatures_refused(guardians: Guardians) -> None:
    _refused(guardians.sign(BODY, signers=[0, 1, 3, 2, 4]), guardians, "signature indices must be ascending")


def test_forged_signature_refused(guardians: Guardians) -> None:
    vaa = guardians.sign(BODY)
    forged = sign_digest(b"\x42" * 32, 2, BODY.digest)
    signatures = list(vaa.signatures)
    signatures[2] = forged
    _refused(vaa.with_signatures(tuple(signatures)), guardians, "VM signature invalid")


def test_signature_over_another_body_refused(guardians: Guardians) -> None:
    other = guardians.sign(Body(1, 1, 1, b"\x22" * 32, 1, 1, b"x"))
    _refused(VAA(0, other.signatures, BODY), guardians, "VM signature invalid")


def test_guardian_index_out_of_bounds_refused(guardians: Guardians) -> None:
    vaa = guardians.sign(BODY)
    bad = vaa.signatures[-1]
    moved = type(bad)(7, bad.r, bad.s, bad.v)
    _refused(vaa.with_signatures((*vaa.signatures[:-1], moved)), guardians, "guardian index out of bounds")


def test_unknown_guardian_set_refused(guardians: Guardians) -> None:
    vaa = guardians.sign(BODY)
    _refused(VAA(3, vaa.signatures, BODY), guardians, "invalid guardian set")


def test_rotation_keeps_the_old_set_for_its_grace_period_then_refuses_it(guardians: Guardians) -> None:
    old = guardians.sign(BODY)
    guardians.rotate(now=1_000)
    assert guardians.current.index == 1
    assert guardians.current.addresses[0] == address_of(guardians.keys(1)[0])
    assert verify(old, guardians, now=1_000 + GUARDIAN_SET_GRACE_SECONDS).body == BODY
    _refused(old, guardians, "guardian set has expired", now=1_001 + GUARDIAN_SET_GRACE_SECONDS)
    assert verify(guardians.sign(BODY), guardians, now=10**9).guardian_set_index == 1


def test_malformed_bytes_are_a_format_error() -> None:
    with pytest.raises(VAAFormatError, match="version 2"):
        VAA.decode(b"\x02" + bytes(60))
    with pytest.raises(VAAFormatError, match="declares 3 signatures"):
        VAA.decode(b"\x01" + bytes(4) + b"\x03" + bytes(10))


def test_guardian_address_matches_wormholes_devnet_guardian() -> None:
    """Wormhole's devnet guardian key and address (wormhole-foundation/wormhole ethereum test
    helpers, ``singleGuardianKey`` / ``singleGuardianPrivKey``)."""
    key = bytes.fromhex("cfb12303a19cde580bb4dd771639b0d26bc68353645571a8cff516ab2ee113a0")
    assert address_of(key).hex() == "befa429d57cd18b7f8a4d91a2da9ab4af05d0fbe"
