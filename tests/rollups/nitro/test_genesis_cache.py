"""The on-disk cache of Nitro's genesis accounts: a second build with the same inputs reads the file
and lays the same accounts; other inputs miss; a damaged file is rebuilt; ``off`` writes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cortensor_sim.chains import genesis_cache
from cortensor_sim.rollups.nitro.genesis import (
    NitroGenesisParameters,
    NitroGenesisRoles,
    deploy_genesis,
    parent_genesis,
)

ROLES = NitroGenesisRoles(
    owner=bytes.fromhex("7e5f4552091a69125d5dfcb7b8c2659029395bdf"),  # the address of key 0x..01
    owner_key=(1).to_bytes(32, "big"),
    validator=b"\x11" * 20,
    challenger=b"\x22" * 20,
    batch_poster=b"\x33" * 20,
)
ARGS = NitroGenesisParameters("ethereum", 900, 1_767_225_600, ROLES, 2)


def _build(parameters: NitroGenesisParameters) -> object:
    """``parent_genesis`` without its in-process cache: the disk is the only memory."""
    return parent_genesis.__wrapped__(parameters)  # type: ignore[attr-defined]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORTENSOR_SIM_GENESIS_CACHE", str(tmp_path))
    return tmp_path


def test_a_second_build_reads_the_file_and_lays_the_same_accounts(cache: Path) -> None:
    first = _build(ARGS)
    (stored,) = cache.rglob("*.json")
    again = _build(ARGS)
    assert again == first == deploy_genesis(ARGS)
    assert list(cache.rglob("*.json")) == [stored]
    stored.write_text(stored.read_text().replace('"nonce": 1', '"nonce": 7', 1))
    tampered = _build(ARGS)  # the file is what is read: the cache is really used
    assert tampered != first


def test_other_inputs_are_another_key(cache: Path) -> None:
    _build(ARGS)
    _build(replace(ARGS, confirm_period_blocks=3))
    assert len(list(cache.rglob("*.json"))) == 2


def test_a_damaged_file_is_rebuilt(cache: Path) -> None:
    first = _build(ARGS)
    (stored,) = cache.rglob("*.json")
    stored.write_text("{not json")
    assert _build(ARGS) == first
    stored.write_text('{"format": 1, "accounts": {}}')
    assert _build(ARGS) == first


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORTENSOR_SIM_GENESIS_CACHE", "off")
    assert genesis_cache.cache_dir("nitro-genesis") is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _build(ARGS)
    assert not list(tmp_path.rglob("*.json"))
