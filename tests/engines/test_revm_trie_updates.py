"""Batched trie updates (revm/trie_updates.py) give HexaryTrie's roots and a trie HexaryTrie can read."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie

from cortensor_sim.chains.revm.blocks import BLANK_ROOT
from cortensor_sim.chains.revm.trie_updates import apply_changes, hex_prefix, hex_prefix_decode


def batches(key_size: int, min_size: int | None = None) -> st.SearchStrategy[list[dict[bytes, bytes]]]:
    """Batches of writes and deletions over a small key space, so batches hit the same paths.

    Values of 1 to 40 bytes make leaves both under and over 32 bytes of RLP (inline and hashed);
    keys of mixed lengths make one key a prefix of another (a value in a branch).
    """
    low = key_size if min_size is None else min_size
    keys = st.binary(min_size=low, max_size=key_size).filter(lambda k: not k or k[0] < 24)
    values = st.one_of(st.just(b""), st.binary(min_size=1, max_size=40))
    return st.lists(st.dictionaries(keys, values, max_size=24), min_size=1, max_size=6)


def check_batches(changes: list[dict[bytes, bytes]]) -> None:
    nodes: dict[bytes, bytes] = {}
    root = BLANK_ROOT
    reference = HexaryTrie({})
    expected: dict[bytes, bytes] = {}
    for batch in changes:
        root = apply_changes(nodes, root, batch)
        for key, value in batch.items():
            if value:
                reference[key] = value
                expected[key] = value
            else:
                if key in reference:
                    del reference[key]
                expected.pop(key, None)
        assert root == reference.root_hash
        reader = HexaryTrie(nodes, root)
        for key, value in expected.items():
            assert reader.get(key) == value
            assert reader.get_proof(key)


@settings(max_examples=150, deadline=None)
@given(batches(1))
def test_one_byte_keys_give_hexary_roots(changes: list[dict[bytes, bytes]]) -> None:
    check_batches(changes)


@settings(max_examples=150, deadline=None)
@given(batches(2))
def test_two_byte_keys_give_hexary_roots(changes: list[dict[bytes, bytes]]) -> None:
    check_batches(changes)


@settings(max_examples=150, deadline=None)
@given(batches(2, min_size=0))
def test_keys_that_prefix_other_keys_give_hexary_roots(changes: list[dict[bytes, bytes]]) -> None:
    check_batches(changes)


@settings(max_examples=60, deadline=None)
@given(batches(32))
def test_hashed_keys_give_hexary_roots(changes: list[dict[bytes, bytes]]) -> None:
    check_batches(changes)


def test_a_large_trie_emptied_in_two_batches_returns_to_the_blank_root() -> None:
    rng = random.Random(7)
    keys = [rng.randbytes(32) for _ in range(400)]
    nodes: dict[bytes, bytes] = {}
    root = apply_changes(nodes, BLANK_ROOT, {key: rng.randbytes(rng.choice([1, 33])) for key in keys})
    reference = HexaryTrie({})
    for key in keys:
        reference[key] = HexaryTrie(nodes, root)[key]
    assert root == reference.root_hash
    half = apply_changes(nodes, root, {key: b"" for key in keys[:200]})
    for key in keys[:200]:
        del reference[key]
    assert half == reference.root_hash
    assert apply_changes(nodes, half, {key: b"" for key in keys[200:]}) == BLANK_ROOT


def test_deleting_everything_below_an_extension_leaves_the_sibling_leaf() -> None:
    nodes: dict[bytes, bytes] = {}
    under = {b"\x12\x34" + bytes([i]): b"v" * 40 for i in range(3)}  # a branch below an extension
    root = apply_changes(nodes, BLANK_ROOT, {**under, b"\x99\x00\x00": b"sibling"})
    root = apply_changes(nodes, root, dict.fromkeys(under, b""))
    reference = HexaryTrie({})
    reference[b"\x99\x00\x00"] = b"sibling"
    assert root == reference.root_hash


def test_no_changes_keep_the_root() -> None:
    nodes: dict[bytes, bytes] = {}
    root = apply_changes(nodes, BLANK_ROOT, {b"\x01": b"one"})
    assert apply_changes(nodes, root, {}) == root


@given(st.binary(max_size=8).map(lambda b: bytes(x & 0x0F for x in b)), st.booleans())
def test_hex_prefix_round_trips(path: bytes, leaf: bool) -> None:
    assert hex_prefix_decode(hex_prefix(path, leaf)) == (path, leaf)
