"""A batch of changes applied to a Merkle-Patricia trie in one pass (yellow paper, appendix D).

``HexaryTrie`` (the ``trie`` package) applies one key at a time: every ``set`` decodes, re-encodes
and re-hashes each node on the key's path, so a block that writes ``k`` slots of a storage trie
of depth ``d`` pays ``k * d`` node encodings and hashes, most of them for nodes that the next key
rewrites again. Sealing a block needs only the final root, so here the block's changes to one
trie are sorted by key and the trie is walked once: each node on a changed path is decoded once,
rebuilt with all of its changes, and encoded and hashed once. The resulting trie is the same set
of nodes ``HexaryTrie`` would produce (so the root, ``HexaryTrie`` reads and ``eth_getProof`` over
the node store are unchanged); nodes are added to the store and never deleted, as before.

Nodes are handled as RLP decodes them: ``b""`` for the blank node, ``[path, value]`` for a leaf,
``[path, child]`` for an extension (the path hex-prefix encoded, appendix C) and a list of 17 for
a branch. A child is referenced by its hash, or inline when its RLP is shorter than 32 bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import rlp
from eth_hash.auto import keccak
from rlp.codec import encode_raw

from .blocks import BLANK_ROOT

Node = bytes | list
"""A decoded trie node: ``b""`` (blank), a 2-item leaf or extension, or a 17-item branch."""

NodeStore = MutableMapping[bytes, bytes]
"""Trie nodes by the keccak of their RLP."""

Pair = tuple[bytes, bytes]
"""A key as nibbles (one per byte) and its new value (``b""`` deletes the key)."""


def apply_changes(nodes: NodeStore, root: bytes, changes: Mapping[bytes, bytes]) -> bytes:
    """The root after writing ``changes`` (key -> value, ``b""`` deletes) into the trie at ``root``.

    New nodes are added to ``nodes``; the root node is stored by its hash whatever its size (as
    ``HexaryTrie`` does), so a reader can open the trie at the returned root.
    """
    if not changes:
        return root
    pairs = sorted((nibbles(key), value) for key, value in changes.items())
    start = b"" if root == BLANK_ROOT else rlp.decode(nodes[root])
    node = _update(nodes, start, pairs, 0)
    if node == b"":
        return BLANK_ROOT
    encoded = encode_raw(node)
    digest = keccak(encoded)
    nodes[digest] = encoded
    return digest


def ordered_trie_root(items: list[bytes]) -> bytes:
    """The root of a trie keyed by ``rlp(index)``: a block's transactions and receipts roots.

    The same one-pass build as a batch of changes to the blank trie (into a throwaway node store),
    instead of inserting into a ``HexaryTrie`` one key at a time: for a block of 1,000 transfers
    that was most of the sealing time.
    """
    return apply_changes({}, BLANK_ROOT, {rlp.encode(index): item for index, item in enumerate(items)})


_HEX_DIGIT_VALUES = bytes.maketrans(b"0123456789abcdef", bytes(range(16)))


def nibbles(key: bytes) -> bytes:
    """A key's nibbles, high half of each byte first (through ``hex``, which runs in C)."""
    return key.hex().encode().translate(_HEX_DIGIT_VALUES)


def hex_prefix(path: bytes, leaf: bool) -> bytes:
    """Appendix C's compact encoding of a nibble path, flagged as a leaf's or an extension's."""
    flag = 2 if leaf else 0
    if len(path) % 2:
        return bytes([(flag + 1) << 4 | path[0]]) + _pack(path[1:])
    return bytes([flag << 4]) + _pack(path)


def hex_prefix_decode(encoded: bytes) -> tuple[bytes, bool]:
    """The nibble path of a hex-prefix encoding and whether it is a leaf's."""
    flag = encoded[0] >> 4
    path = nibbles(encoded[1:])
    if flag & 1:
        path = bytes([encoded[0] & 0x0F]) + path
    return path, bool(flag & 2)


def _pack(path: bytes) -> bytes:
    return bytes(path[i] << 4 | path[i + 1] for i in range(0, len(path), 2))


def _resolve(nodes: NodeStore, reference: Node) -> Node:
    """The node a parent's slot refers to: blank, an inline (or not yet stored) node, or a hash."""
    if isinstance(reference, list) or reference == b"":
        return reference
    return rlp.decode(nodes[reference])


def _reference(nodes: NodeStore, node: Node) -> Node:
    """How a parent refers to a non-blank ``node``: inline below 32 bytes of RLP, else by hash."""
    encoded = encode_raw(node)
    if len(encoded) < 32:
        return node
    digest = keccak(encoded)
    nodes[digest] = encoded
    return digest


def _update(nodes: NodeStore, node: Node, pairs: list[Pair], depth: int) -> Node:
    """``node`` (the subtree below the first ``depth`` nibbles of every key in ``pairs``) rebuilt
    with ``pairs`` written into it."""
    if node == b"":
        return _build(nodes, [pair for pair in pairs if pair[1]], depth)
    if len(node) == 17:
        return _update_branch(nodes, list(node), pairs, depth)
    path, leaf = hex_prefix_decode(node[0])
    if leaf:
        merged = {pairs[0][0][:depth] + path: node[1]}
        merged.update(pairs)
        return _build(nodes, sorted(pair for pair in merged.items() if pair[1]), depth)
    end = depth + len(path)
    if all(key[depth:end] == path for key, _ in pairs):
        child = _update(nodes, _resolve(nodes, node[1]), pairs, end)
        return _under_path(nodes, path, child)
    # A key leaves the extension's path: split it into a branch and write into that.
    branch: list = [b""] * 17
    rest = path[1:]
    branch[path[0]] = [hex_prefix(rest, leaf=False), node[1]] if rest else node[1]
    return _update_branch(nodes, branch, pairs, depth)


def _update_branch(nodes: NodeStore, branch: list, pairs: list[Pair], depth: int) -> Node:
    """A branch with ``pairs`` written into its children, then reduced if one entry is left."""
    for nibble, group in _into_branch(branch, pairs, depth).items():
        branch[nibble] = _update(nodes, _resolve(nodes, branch[nibble]), group, depth + 1)
    live = [nibble for nibble in range(16) if branch[nibble] != b""]
    if not live:
        return [hex_prefix(b"", leaf=True), branch[16]] if branch[16] else b""
    if len(live) == 1 and not branch[16]:
        only = live[0]
        return _under_path(nodes, bytes([only]), _resolve(nodes, branch[only]))
    return [_reference(nodes, entry) if isinstance(entry, list) else entry for entry in branch]


def _under_path(nodes: NodeStore, path: bytes, child: Node) -> Node:
    """``child`` placed below ``path``: paths of leaves and extensions join, a branch gets an extension."""
    if child == b"":
        return b""
    if len(child) == 17:
        return [hex_prefix(path, leaf=False), _reference(nodes, child)]
    child_path, leaf = hex_prefix_decode(child[0])
    return [hex_prefix(path + child_path, leaf), child[1]]


def _build(nodes: NodeStore, pairs: list[Pair], depth: int) -> Node:
    """A fresh subtree holding ``pairs`` (sorted, unique, non-blank values, sharing ``depth`` nibbles)."""
    if not pairs:
        return b""
    if len(pairs) == 1:
        key, value = pairs[0]
        return [hex_prefix(key[depth:], leaf=True), value]
    first, last = pairs[0][0], pairs[-1][0]
    shared = 0
    while depth + shared < min(len(first), len(last)) and first[depth + shared] == last[depth + shared]:
        shared += 1
    if shared:
        child = _build(nodes, pairs, depth + shared)
        return [hex_prefix(first[depth : depth + shared], leaf=False), _reference(nodes, child)]
    branch: list = [b""] * 17
    for nibble, group in _into_branch(branch, pairs, depth).items():
        branch[nibble] = _reference(nodes, _build(nodes, group, depth + 1))
    return branch


def _into_branch(branch: list, pairs: list[Pair], depth: int) -> dict[int, list[Pair]]:
    """Sort ``pairs`` under a branch at ``depth``: a key that ends here sets the branch's value
    (slot 16); the others are returned grouped by their next nibble, for the children."""
    groups: dict[int, list[Pair]] = {}
    for key, value in pairs:
        if len(key) == depth:
            branch[16] = value
        else:
            groups.setdefault(key[depth], []).append((key, value))
    return groups
