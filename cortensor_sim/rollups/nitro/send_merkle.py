"""The send Merkle accumulator: how messages from an Arbitrum chain to its parent are committed to.

ArbSys appends one leaf per ``sendTxToL1``; an assertion carries the accumulator's root (the *send
root*), and the parent's Outbox accepts a message with a Merkle proof against a confirmed root.
Sources: OffchainLabs/nitro ``arbos/merkleAccumulator/merkleAccumulator.go`` (append and root),
``precompiles/ArbSys.go`` (the send hash), OffchainLabs/nitro-contracts ``src/libraries/MerkleLib.sol``
(``calculateRoot``) and ``src/bridge/AbsOutbox.sol`` (``calculateItemHash``).

* ``sendHash = keccak256(caller ++ destination ++ l2Block ++ l1Block ++ l2Timestamp ++ value ++ data)``
  (addresses 20 bytes, numbers 32 bytes), and the leaf is ``keccak256(sendHash)``.
* Inner nodes are ``keccak256(left ++ right)``. A level with an odd node out is padded on the right
  with a **zero word**, not with the hash of an empty subtree; MerkleLib's ``generateRoot`` promotes
  odd nodes instead and gives a different root, so it is not used here.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_hash.auto import keccak

ZERO = b"\x00" * 32


def send_hash(
    caller: bytes,
    destination: bytes,
    l2_block: int,
    l1_block: int,
    l2_timestamp: int,
    value: int,
    data: bytes,
) -> bytes:
    """The hash ArbSys emits as ``L2ToL1Tx.hash`` and the Outbox recomputes from the message."""
    numbers = b"".join(n.to_bytes(32, "big") for n in (l2_block, l1_block, l2_timestamp, value))
    return keccak(caller + destination + numbers + data)


def leaf(item_hash: bytes) -> bytes:
    """A tree leaf: the accumulator hashes each appended item once more."""
    return keccak(item_hash)


def node(left: bytes, right: bytes) -> bytes:
    return keccak(left + right)


def tree_depth(size: int) -> int:
    """Levels above the leaves of a tree of ``size`` leaves (the length of every proof in it)."""
    return max(0, (size - 1).bit_length())


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        if len(below) % 2:
            below = [*below, ZERO]
        levels.append([node(below[i], below[i + 1]) for i in range(0, len(below), 2)])
    return levels


def root(leaves: Sequence[bytes]) -> bytes:
    """The send root over ``leaves`` (zero for none; the leaf itself for one)."""
    if not leaves:
        return ZERO
    return _levels(leaves)[-1][0]


def proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The sibling of ``leaves[index]`` at each level, bottom first (what the Outbox takes)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    siblings: list[bytes] = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        siblings.append(level[sibling] if sibling < len(level) else ZERO)
        index //= 2
    return siblings


def calculate_root(siblings: Sequence[bytes], index: int, item: bytes) -> bytes:
    """MerkleLib.calculateRoot: fold ``item`` up through ``siblings`` along ``index``'s bits."""
    for sibling in siblings:
        item = node(item, sibling) if index % 2 == 0 else node(sibling, item)
        index //= 2
    return item


# ---------------------------------------------------------------------- the accumulator's state
def append(size: int, partials: Sequence[bytes], item_hash: bytes) -> tuple[list[bytes], list[bytes]]:
    """Append ``item_hash`` to an accumulator of ``size`` leaves kept as per-level ``partials``.

    Returns the new partials and the inner nodes completed on the way (one per merged level, the
    ``SendMerkleUpdate`` events ArbSys emits). ``partials[level]`` is the root of a full subtree of
    ``2**level`` leaves still waiting for its right sibling, or zero.
    """
    partials = list(partials) + [ZERO] * (tree_depth(size + 1) + 1 - len(partials))
    completed: list[bytes] = []
    so_far = leaf(item_hash)
    level = 0
    while partials[level] != ZERO:
        so_far = node(partials[level], so_far)
        partials[level] = ZERO
        completed.append(so_far)
        level += 1
    partials[level] = so_far
    return partials, completed


def accumulator_root(partials: Sequence[bytes]) -> bytes:
    """The root of the accumulator whose per-level partials are ``partials`` (zero if empty).

    Partials are folded from the lowest level up; before a higher partial joins, the running hash
    is padded with zero words until it covers as many leaves as that partial does.
    """
    so_far: bytes | None = None
    covered = 0
    for level, partial in enumerate(partials):
        if partial == ZERO:
            continue
        capacity = 1 << level
        if so_far is None:
            so_far, covered = partial, capacity
            continue
        while covered < capacity:
            so_far = node(so_far, ZERO)
            covered *= 2
        so_far = node(partial, so_far)
        covered = 2 * capacity
    return so_far or ZERO
