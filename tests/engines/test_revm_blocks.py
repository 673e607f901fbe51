"""The revm engine's block roots, checked against the ``trie`` package's HexaryTrie."""

from __future__ import annotations

import random

import pytest
import rlp
from trie import HexaryTrie

from cortensor_sim.chains.revm.blocks import BLANK_ROOT
from cortensor_sim.chains.revm.trie_updates import ordered_trie_root


def hexary_root(items: list[bytes]) -> bytes:
    trie = HexaryTrie({})
    for index, item in enumerate(items):
        trie[rlp.encode(index)] = item
    return trie.root_hash


@pytest.mark.parametrize("count", [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 300])
def test_ordered_trie_root_equals_inserting_into_a_hexary_trie(count: int) -> None:
    rng = random.Random(count)
    # Short items make nodes under 32 bytes, which parents embed instead of hashing.
    items = [rng.randbytes(rng.choice([1, 5, 31, 32, 33, 120])) for _ in range(count)]
    assert ordered_trie_root(items) == hexary_root(items)


def test_no_items_give_the_empty_root() -> None:
    assert ordered_trie_root([]) == BLANK_ROOT == HexaryTrie({}).root_hash
