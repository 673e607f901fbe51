"""dump()/load(): identical state after the round trip, and a bad file is refused whole."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest
import rlp
from chain_helpers import EVM_CHAINS, STORE_ARGS_RUNTIME, checksum, deploy_runtime, send

from cortensor_sim.chains import Devnet, StateFileError
from cortensor_sim.chains.pyevm.engine import _META_KEY, STATE_FORMAT

WATCHED = checksum(b"\x31" * 20)


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _summary(devnet: Devnet) -> dict[str, Any]:
    out: dict[str, Any] = {"roots": devnet.state_roots(), "now_ms": devnet.clock.now_ms}
    for name, chain in devnet.evm_chains.items():
        out[name] = (
            chain.height,
            chain.engine.get_block("latest")["hash"],
            chain.w3.eth.get_balance(WATCHED),
            [chain.w3.eth.get_balance(a.address) for a in chain.accounts[:3]],
            [chain.w3.eth.get_transaction_count(a.address) for a in chain.accounts[:3]],
            chain.pending,
        )
    sol = devnet.chains["solana"]
    out["solana"] = (sol.slot, str(sol.latest_blockhash()), sol.balance(sol.keypairs[1].pubkey()))
    return out


def _busy(devnet: Devnet) -> None:
    for chain in devnet.evm_chains.values():
        send(chain, chain.accounts[0], to=WATCHED, value=77)
        contract = deploy_runtime(chain, STORE_ARGS_RUNTIME, chain.accounts[1])
        send(
            chain, chain.accounts[1], to=contract, data=bytes(31) + b"\x01" + bytes(31) + b"\x02", gas=100_000
        )
    sol = devnet.chains["solana"]
    sol.transfer(sol.keypairs[0], sol.keypairs[1].pubkey(), 12_345)
    devnet.advance(37)


def _next_step(devnet: Devnet) -> dict[str, Any]:
    for chain in devnet.evm_chains.values():
        send(chain, chain.accounts[2], to=WATCHED, value=5)
    sol = devnet.chains["solana"]
    sol.transfer(sol.keypairs[2], sol.keypairs[1].pubkey(), 999)
    devnet.advance(25)
    return _summary(devnet)


@pytest.fixture
def dumped(devnet: Devnet, tmp_path: Path) -> tuple[Devnet, Path]:
    _busy(devnet)
    path = devnet.dump(tmp_path / "devnet.state")
    return devnet, path


def test_round_trip_gives_identical_state_and_continues_identically(dumped) -> None:
    devnet, path = dumped
    loaded = Devnet.load(path)
    assert loaded is not devnet
    assert _summary(loaded) == _summary(devnet)
    assert loaded.topology == devnet.topology
    assert _next_step(loaded) == _next_step(devnet)
    for name in EVM_CHAINS:
        assert (
            loaded.evm(name).engine.get_block("latest")["hash"]
            == (devnet.evm(name).engine.get_block("latest")["hash"])
        )


def test_dump_is_reproducible(dumped, tmp_path: Path) -> None:
    devnet, path = dumped
    first = path.read_bytes()
    assert devnet.dump(path).read_bytes() == first  # same devnet, same path: same bytes
    reloaded = Devnet.load(path).dump(tmp_path / "reloaded.state")
    assert gzip.decompress(reloaded.read_bytes()) == gzip.decompress(first)


def test_dump_bytes_do_not_depend_on_the_file_name(dumped, tmp_path: Path) -> None:
    devnet, path = dumped
    assert devnet.dump(tmp_path / "another-name.state").read_bytes() == path.read_bytes()


def test_round_trip_keeps_interval_pools(interval_devnet: Devnet, tmp_path: Path) -> None:
    op, arb = interval_devnet.evm("op"), interval_devnet.evm("arb")
    interval_devnet.advance(5)
    pooled = [send(c, c.accounts[0], to=WATCHED, value=1) for c in (op, arb)]
    loaded = Devnet.load(interval_devnet.dump(tmp_path / "pools.state"))
    assert loaded.evm("op").pending == 1 and loaded.evm("arb").pending == 1
    interval_devnet.advance(4)
    loaded.advance(4)
    assert _summary(loaded) == _summary(interval_devnet)
    for name, tx_hash in zip(("op", "arb"), pooled, strict=True):
        assert loaded.evm(name).w3.eth.get_transaction_receipt(tx_hash)["status"] == 1


def _refused(path: Path, *fragments: str) -> StateFileError:
    with pytest.raises(StateFileError) as info:
        Devnet.load(path)
    message = str(info.value)
    assert str(path) in message
    assert info.value.path == path
    for fragment in fragments:
        assert fragment in message, message
    return info.value


def test_corrupt_file_is_refused_and_the_original_is_untouched(dumped, tmp_path: Path) -> None:
    devnet, path = dumped
    before = _summary(devnet)
    data = path.read_bytes()
    for offset in range(len(data) // 4, 3 * len(data) // 4, max(1, len(data) // 40)):
        corrupt = bytearray(data)
        corrupt[offset : offset + 4] = bytes(b ^ 0xA5 for b in corrupt[offset : offset + 4])
        target = tmp_path / f"corrupt-{offset}.state"
        target.write_bytes(bytes(corrupt))
        error = _refused(target)
        assert any(word in error.reason for word in ("corrupt", "checksum", "bad JSON")), error
    assert _summary(devnet) == before


@pytest.mark.parametrize("keep", [0.0, 0.001, 0.5, 0.99])
def test_truncated_file_is_refused(dumped, tmp_path: Path, keep: float) -> None:
    _, path = dumped
    data = path.read_bytes()
    cut = max(2, int(len(data) * keep)) if keep else 0
    target = tmp_path / "truncated.state"
    target.write_bytes(data[:cut] if keep else b"")
    if cut < 2:
        _refused(target, "not a cortensor-sim state file", "not gzip")
    else:
        _refused(target, "truncated")


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, I am a text file\n")
    _refused(text, "not a cortensor-sim state file", "not gzip")

    other_json = tmp_path / "other.json.gz"
    other_json.write_bytes(gzip.compress(json.dumps({"hello": [1, 2, 3]}).encode()))
    _refused(other_json, "not a cortensor-sim state file", "format")

    a_list = tmp_path / "list.json.gz"
    a_list.write_bytes(gzip.compress(b"[1, 2, 3]"))
    _refused(a_list, "not a cortensor-sim state file")

    binary = tmp_path / "binary.gz"
    binary.write_bytes(gzip.compress(bytes(range(256)) * 4))
    _refused(binary, "bad JSON")

    _refused(tmp_path / "missing.state", "cannot read")
    _refused(tmp_path, "cannot read")  # a directory


def _rewrite(path: Path, target: Path, edit) -> Path:
    """Edit a state file's document and write it back with a valid checksum."""
    document = json.loads(gzip.decompress(path.read_bytes()))
    edit(document)
    document["sha256"] = hashlib.sha256(_canonical(document["payload"])).hexdigest()
    target.write_bytes(gzip.compress(_canonical(document)))
    return target


def test_wrong_version_and_checksum_are_refused(dumped, tmp_path: Path) -> None:
    _, path = dumped

    def bump(doc: dict[str, Any]) -> None:
        doc["version"] = 99

    _refused(_rewrite(path, tmp_path / "v99.state", bump), "version 99")

    document = json.loads(gzip.decompress(path.read_bytes()))
    document["payload"]["now_ms"] += 1
    tampered = tmp_path / "tampered.state"
    tampered.write_bytes(gzip.compress(_canonical(document)))
    _refused(tampered, "checksum mismatch")


def test_valid_checksum_but_malformed_payload_is_refused(dumped, tmp_path: Path) -> None:
    _, path = dumped

    def bad_topology(doc: dict[str, Any]) -> None:
        doc["payload"]["topology"]["chains"][1]["parent"] = "nowhere"

    _refused(_rewrite(path, tmp_path / "topo.state", bad_topology), "bad topology")

    def missing_chain(doc: dict[str, Any]) -> None:
        del doc["payload"]["chains"]["base"]

    _refused(_rewrite(path, tmp_path / "missing.state", missing_chain), "malformed state")

    def garbage_state(doc: dict[str, Any]) -> None:
        doc["payload"]["chains"]["l1"]["state"] = base64.b64encode(b"garbage").decode()

    _refused(_rewrite(path, tmp_path / "garbage.state", garbage_state), "malformed state")

    def bad_solana(doc: dict[str, Any]) -> None:
        doc["payload"]["chains"]["solana"]["state"]["format"] = "something else"

    _refused(_rewrite(path, tmp_path / "solana.state", bad_solana), "malformed state")


def test_engine_state_without_a_head_is_refused(dumped, tmp_path: Path) -> None:
    _, path = dumped
    meta = rlp.encode([900])
    headless = STATE_FORMAT + struct.pack(">II", len(_META_KEY), len(meta)) + _META_KEY + meta

    def edit(doc: dict[str, Any]) -> None:
        doc["payload"]["chains"]["l1"]["state"] = base64.b64encode(headless).decode()

    _refused(_rewrite(path, tmp_path / "headless.state", edit), "malformed state")


def test_null_solana_state_is_refused(dumped, tmp_path: Path) -> None:
    _, path = dumped

    def edit(doc: dict[str, Any]) -> None:
        doc["payload"]["chains"]["solana"]["state"] = None

    _refused(_rewrite(path, tmp_path / "null.state", edit), "malformed state")


def test_failed_load_leaves_nothing_behind(dumped, tmp_path: Path) -> None:
    devnet, path = dumped
    before = _summary(devnet)
    data = path.read_bytes()
    target = tmp_path / "half.state"
    target.write_bytes(data[: len(data) // 2])
    result = None
    with pytest.raises(StateFileError):
        result = Devnet.load(target)
    assert result is None
    assert target.read_bytes() == data[: len(data) // 2]  # the file itself is not touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["devnet.state", "half.state"]
    assert _summary(devnet) == before
    # ... and the good file still loads afterwards
    assert _summary(Devnet.load(path)) == before
