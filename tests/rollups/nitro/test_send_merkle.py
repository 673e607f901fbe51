"""The send Merkle accumulator: ArbOS's partials agree with the zero-padded tree the Outbox proves against."""

from __future__ import annotations

from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from cortensor_sim.rollups.nitro import send_merkle as sm


def _items(count: int) -> list[bytes]:
    return [keccak(i.to_bytes(8, "big")) for i in range(count)]


def _accumulate(items: list[bytes]) -> tuple[list[bytes], list[list[bytes]]]:
    partials: list[bytes] = []
    completed: list[list[bytes]] = []
    for size, item in enumerate(items):
        partials, done = sm.append(size, partials, item)
        completed.append(done)
    return partials, completed


def test_empty_and_single_roots() -> None:
    assert sm.accumulator_root([]) == sm.ZERO == sm.root([])
    (item,) = _items(1)
    partials, _ = _accumulate([item])
    assert sm.accumulator_root(partials) == sm.leaf(item) == sm.root([sm.leaf(item)])
    assert sm.proof([sm.leaf(item)], 0) == []


def test_three_leaves_pad_with_a_zero_word_not_a_promoted_node() -> None:
    items = _items(3)
    leaves = [sm.leaf(i) for i in items]
    padded = sm.node(sm.node(leaves[0], leaves[1]), sm.node(leaves[2], sm.ZERO))
    promoted = sm.node(sm.node(leaves[0], leaves[1]), leaves[2])  # MerkleLib.generateRoot's way
    partials, _ = _accumulate(items)
    assert sm.accumulator_root(partials) == sm.root(leaves) == padded != promoted


def test_appending_reports_each_completed_inner_node() -> None:
    items = _items(4)
    leaves = [sm.leaf(i) for i in items]
    _, completed = _accumulate(items)
    left, right = sm.node(leaves[0], leaves[1]), sm.node(leaves[2], leaves[3])
    assert completed == [[], [left], [], [right, sm.node(left, right)]]


@given(st.integers(min_value=1, max_value=70), st.data())
def test_accumulator_root_matches_the_tree_and_every_proof_verifies(size: int, data: st.DataObject) -> None:
    items = _items(size)
    leaves = [sm.leaf(i) for i in items]
    partials, _ = _accumulate(items)
    root = sm.accumulator_root(partials)
    assert root == sm.root(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = sm.proof(leaves, index)
    assert len(proof) == sm.tree_depth(size)
    assert sm.calculate_root(proof, index, leaves[index]) == root
    other = (
        data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
        if size > 1
        else None
    )
    if other is not None:
        assert sm.calculate_root(proof, other, leaves[index]) != root  # a proof is bound to its index


def test_send_hash_packs_addresses_in_20_bytes_and_numbers_in_32() -> None:
    caller, destination = b"\x01" * 20, b"\x02" * 20
    packed = caller + destination + b"".join(n.to_bytes(32, "big") for n in (3, 4, 5, 6)) + b"data"
    assert sm.send_hash(caller, destination, 3, 4, 5, 6, b"data") == keccak(packed)
