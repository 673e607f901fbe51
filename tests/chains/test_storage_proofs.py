"""eth_getProof answers verify against the block's stateRoot with a verifier written here,
independent of the engine's trie library."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from chain_helpers import STORE_ARGS_RUNTIME, checksum, deploy_runtime, send
from eth_hash.auto import keccak

from cortensor_sim.chains import Devnet, EvmChain

EMPTY_TRIE_ROOT = keccak(rlp.encode(b""))
EMPTY_CODE_HASH = keccak(b"")


class ProofError(AssertionError):
    pass


def _nibbles(data: bytes) -> list[int]:
    return [n for byte in data for n in (byte >> 4, byte & 0x0F)]


def _hex_prefix_decode(encoded: bytes) -> tuple[list[int], bool]:
    """Hex-prefix encoding (Yellow Paper appendix C): flag nibble 2 = leaf, 1 = odd length."""
    nibbles = _nibbles(encoded)
    flag = nibbles[0]
    if flag > 3:
        raise ProofError(f"bad hex-prefix flag {flag}")
    path = nibbles[1:] if flag & 1 else nibbles[2:]
    return path, bool(flag & 2)


def walk_proof(root: bytes, key: bytes, proof: list[bytes]) -> tuple[bytes | None, str]:
    """Follow ``proof`` from ``root`` along keccak(key); return (value or None, how it ended).

    Every hashed reference must be the keccak of the next proof node; nodes shorter than 32
    bytes are embedded in their parent. Raises ProofError on any inconsistency.
    """
    path = _nibbles(keccak(key))
    if root == EMPTY_TRIE_ROOT and not proof:
        return None, "empty trie"
    remaining = list(proof)
    ref: Any = root
    while True:
        if isinstance(ref, bytes):
            if ref == b"":
                raise ProofError("reference to nothing")
            if len(ref) != 32:
                raise ProofError(f"bad reference of {len(ref)} bytes")
            if not remaining:
                raise ProofError("proof ended before the path did")
            raw = remaining.pop(0)
            if keccak(raw) != ref:
                raise ProofError("node hash does not match its parent's reference")
            node = rlp.decode(raw)
        else:
            node = ref  # embedded node (< 32 bytes), already decoded
        if len(node) == 17:
            if not path:
                value = node[16]
                end = "branch value"
            else:
                child = node[path[0]]
                path = path[1:]
                if child == b"":
                    value, end = None, "empty branch slot"
                else:
                    ref = child
                    continue
        elif len(node) == 2:
            node_path, is_leaf = _hex_prefix_decode(node[0])
            if is_leaf:
                if node_path == path:
                    value, end = node[1], "leaf"
                else:
                    value, end = None, "mismatched leaf"
            elif path[: len(node_path)] != node_path:
                value, end = None, "mismatched extension"
            else:
                path = path[len(node_path) :]
                ref = node[1]
                continue
        else:
            raise ProofError(f"node with {len(node)} items")
        if remaining:
            raise ProofError(f"{len(remaining)} proof nodes left over")
        return value, end


def _get_proof(chain: EvmChain, address: str, slots: list[int], block: Any) -> dict[str, Any]:
    response = chain.w3.provider.make_request("eth_getProof", [address, [hex(s) for s in slots], block])
    assert "error" not in response, response
    return response["result"]


def _b(hex_str: str) -> bytes:
    return bytes.fromhex(hex_str[2:])


def verify_account_and_slots(
    chain: EvmChain, address: str, slots: list[int], block: Any = "latest"
) -> tuple[dict[int, int], list[str], dict[str, Any]]:
    """Verify an eth_getProof answer independently; return slot values and how each walk ended."""
    header = chain.w3.provider.make_request("eth_getBlockByNumber", [block, False])["result"]
    state_root = _b(header["stateRoot"])
    answer = _get_proof(chain, address, slots, block)
    account_rlp, _ = walk_proof(state_root, _b(address), [_b(n) for n in answer["accountProof"]])
    if account_rlp is None:
        nonce, balance, storage_root, code_hash = 0, 0, EMPTY_TRIE_ROOT, EMPTY_CODE_HASH
    else:
        fields = rlp.decode(account_rlp)
        assert len(fields) == 4
        nonce, balance = int.from_bytes(fields[0], "big"), int.from_bytes(fields[1], "big")
        storage_root, code_hash = fields[2], fields[3]
    assert int(answer["nonce"], 16) == nonce
    assert int(answer["balance"], 16) == balance
    assert _b(answer["storageHash"]) == storage_root
    assert _b(answer["codeHash"]) == code_hash
    values: dict[int, int] = {}
    ends: list[str] = []
    assert [int(e["key"], 16) for e in answer["storageProof"]] == slots
    for entry in answer["storageProof"]:
        slot = int(entry["key"], 16)
        raw, end = walk_proof(storage_root, slot.to_bytes(32, "big"), [_b(n) for n in entry["proof"]])
        value = 0 if raw is None else int.from_bytes(rlp.decode(raw), "big")
        assert int(entry["value"], 16) == value
        values[slot] = value
        ends.append(end)
    return values, ends, answer


def _store(chain: EvmChain, contract: str, slot: int, value: int) -> None:
    data = slot.to_bytes(32, "big") + value.to_bytes(32, "big")
    tx_hash = send(chain, chain.accounts[0], to=contract, data=data, gas=100_000)
    assert chain.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1


@pytest.fixture
def stored(devnet: Devnet) -> tuple[EvmChain, str]:
    chain = devnet.evm("base")
    contract = deploy_runtime(chain, STORE_ARGS_RUNTIME)
    for slot, value in [(0, 1), (1, 0xDEADBEEF), (5, 2**255 + 7), (2**200, 42)]:
        _store(chain, contract, slot, value)
    return chain, contract


def test_storage_proof_verifies_against_the_state_root(stored) -> None:
    chain, contract = stored
    slots = [0, 1, 5, 2**200]
    values, ends, answer = verify_account_and_slots(chain, contract, slots)
    assert values == {0: 1, 1: 0xDEADBEEF, 5: 2**255 + 7, 2**200: 42}
    assert set(ends) == {"leaf"}
    assert _b(answer["codeHash"]) == keccak(STORE_ARGS_RUNTIME)
    assert int(answer["nonce"], 16) == 1  # EIP-161: contracts start at nonce 1


def test_engine_get_proof_agrees_with_rpc(stored) -> None:
    chain, contract = stored
    proof = chain.engine.get_proof(_b(contract), [1])
    assert proof.state_root == _b(chain.engine.get_block("latest")["stateRoot"])
    value, _ = walk_proof(proof.state_root, _b(contract), list(proof.account_proof))
    assert value is not None and rlp.decode(value)[2] == proof.storage_hash
    raw, _ = walk_proof(proof.storage_hash, (1).to_bytes(32, "big"), list(proof.storage_proof[0].proof))
    assert raw is not None and int.from_bytes(rlp.decode(raw), "big") == 0xDEADBEEF


def test_dev_account_proof_verifies(devnet: Devnet) -> None:
    chain = devnet.evm("l1")
    account = chain.accounts[0].address
    values, ends, answer = verify_account_and_slots(chain, account, [0])
    assert int(answer["balance"], 16) == chain.w3.eth.get_balance(account)
    assert _b(answer["storageHash"]) == EMPTY_TRIE_ROOT
    assert values == {0: 0} and ends == ["empty trie"]


def test_historical_proof_verifies_against_that_blocks_root(stored) -> None:
    chain, contract = stored
    old_block = chain.height
    _store(chain, contract, 1, 0xBEEF)
    _store(chain, contract, 7, 70)
    old_values, _, old_answer = verify_account_and_slots(chain, contract, [1, 7], hex(old_block))
    new_values, _, new_answer = verify_account_and_slots(chain, contract, [1, 7], "latest")
    assert old_values == {1: 0xDEADBEEF, 7: 0}
    assert new_values == {1: 0xBEEF, 7: 70}
    assert old_answer["storageHash"] != new_answer["storageHash"]
    # the old proof does not verify against the new root (the verifier is not vacuous)
    latest_root = _b(chain.engine.get_block("latest")["stateRoot"])
    with pytest.raises(ProofError):
        walk_proof(latest_root, _b(contract), [_b(n) for n in old_answer["accountProof"]])


def test_exclusion_proof_for_an_absent_slot_and_an_absent_account(stored) -> None:
    chain, contract = stored
    values, ends, _ = verify_account_and_slots(chain, contract, [2, 3, 999, 2**256 - 1])
    assert values == {2: 0, 3: 0, 999: 0, 2**256 - 1: 0}
    assert set(ends) <= {"empty branch slot", "mismatched leaf", "mismatched extension"}

    nobody = checksum(b"\x13" * 20)
    values, ends, answer = verify_account_and_slots(chain, nobody, [0])
    assert answer["balance"] == "0x0" and answer["nonce"] == "0x0"
    assert _b(answer["codeHash"]) == EMPTY_CODE_HASH
    assert _b(answer["storageHash"]) == EMPTY_TRIE_ROOT
    assert values == {0: 0}


def test_tampered_proof_is_rejected(stored) -> None:
    chain, contract = stored
    answer = _get_proof(chain, contract, [1], "latest")
    root = _b(chain.engine.get_block("latest")["stateRoot"])
    nodes = [_b(n) for n in answer["accountProof"]]
    tampered = bytearray(nodes[-1])
    tampered[-1] ^= 1
    with pytest.raises(ProofError):
        walk_proof(root, _b(contract), [*nodes[:-1], bytes(tampered)])
