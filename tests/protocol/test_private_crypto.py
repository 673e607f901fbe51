"""The cryptography of private sessions: eciespy-compatible envelopes, authenticated payloads."""

from __future__ import annotations

import ecies
import pytest
from eth_account import Account
from eth_utils import keccak

from cortensor_sim.protocol.privacy.crypto import (
    ENVELOPE_LENGTH,
    DecryptionFailed,
    Entropy,
    commitment,
    open_payload,
    public_key_of,
    seal_payload,
    unwrap_key,
    wrap_key,
)
from cortensor_sim.protocol.privacy.leaks import forms_of, windows

ENTROPY = Entropy(b"crypto tests")
READER = ENTROPY.secret_key("reader")
OTHER = ENTROPY.secret_key("other")
SESSION_KEY = ENTROPY.draw("session key")


def _envelope(secret: bytes = READER, label: str = "e") -> bytes:
    return wrap_key(public_key_of(secret), SESSION_KEY, ENTROPY.secret_key(label), ENTROPY.draw(label, 16))


def test_a_node_public_key_is_the_64_bytes_its_address_is_derived_from() -> None:
    key = public_key_of(READER)
    assert len(key) == 64
    assert "0x" + keccak(key)[12:].hex() == Account.from_key(READER).address.lower()


def test_envelopes_are_eciespy_envelopes_both_ways() -> None:
    envelope = _envelope()
    assert len(envelope) == ENVELOPE_LENGTH and envelope[0] == 0x04
    assert ecies.decrypt(READER, envelope) == SESSION_KEY
    assert unwrap_key(READER, ecies.encrypt(public_key_of(READER), SESSION_KEY)) == SESSION_KEY


def test_an_envelope_opens_only_with_its_readers_key() -> None:
    with pytest.raises(DecryptionFailed):
        unwrap_key(OTHER, _envelope())
    tampered = bytearray(_envelope())
    tampered[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        unwrap_key(READER, bytes(tampered))
    with pytest.raises(DecryptionFailed, match="129 bytes"):
        unwrap_key(READER, _envelope()[:-1])


def test_a_payload_opens_only_with_its_key_and_its_associated_data() -> None:
    sealed = seal_payload(SESSION_KEY, b"the prompt", ENTROPY.draw("n", 16), b"task 1")
    assert b"the prompt" not in sealed and len(sealed) == 16 + 16 + len(b"the prompt")
    assert open_payload(SESSION_KEY, sealed, b"task 1") == b"the prompt"
    with pytest.raises(DecryptionFailed):
        open_payload(SESSION_KEY, sealed, b"task 2")  # replayed into another task
    with pytest.raises(DecryptionFailed):
        open_payload(ENTROPY.draw("another key"), sealed, b"task 1")
    with pytest.raises(DecryptionFailed):
        open_payload(SESSION_KEY, sealed[:32], b"task 1")


def test_randomness_replays_for_a_seed_and_differs_per_label() -> None:
    assert Entropy(b"s").draw("a") == Entropy(b"s").draw("a")
    assert len({Entropy(b"s").draw("a"), Entropy(b"s").draw("b"), Entropy(b"t").draw("a")}) == 3
    assert _envelope(label="x") == _envelope(label="x") != _envelope(label="y")


def test_a_commitment_binds_the_salt() -> None:
    assert commitment(b"p", b"s1") != commitment(b"p", b"s2")
    assert commitment(b"p", b"s1") == keccak(b"ps1")


def test_the_leak_search_covers_every_slot_that_holds_31_bytes_of_a_plaintext() -> None:
    text = "A prompt long enough to be split over three storage slots of a contract."
    (raw, lower_hex, upper_hex) = forms_of(text)
    assert (
        raw == text.encode() and lower_hex == raw.hex().encode() and upper_hex == raw.hex().upper().encode()
    )
    pieces = windows(raw)
    for offset in range(len(raw) - 31 + 1):
        run = raw[offset : offset + 31]
        assert any(piece in run for piece in pieces), offset
    assert windows(b"short") == [b"short"]
