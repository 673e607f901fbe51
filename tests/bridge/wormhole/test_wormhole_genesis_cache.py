"""The guardian bridge's genesis accounts come from the on-disk genesis cache after the first build:
a second build reads the file and lays the same accounts; other guardians are another key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cortensor_sim.bridge.wormhole.genesis import (
    WormholeGenesisParameters,
    deploy_wormhole_genesis,
    wormhole_genesis,
)

GUARDIANS = (b"\x01" * 20, b"\x02" * 20, b"\x03" * 20)
COR = b"\xc0" * 20
ARGS = WormholeGenesisParameters(
    "nitro", 412346, 23, 1_767_225_600, (7).to_bytes(32, "big"), GUARDIANS, b"\xaa" * 32, b"\xbb" * 32, COR
)


def _build(parameters: WormholeGenesisParameters) -> object:
    """``wormhole_genesis`` without its in-process cache: the disk is the only memory."""
    return wormhole_genesis.__wrapped__(parameters)  # type: ignore[attr-defined]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORTENSOR_SIM_GENESIS_CACHE", str(tmp_path))
    return tmp_path / "wormhole-genesis"


def test_a_second_build_reads_the_file_and_lays_the_same_accounts(cache: Path) -> None:
    first = _build(ARGS)
    (stored,) = cache.glob("*.json")
    assert _build(ARGS) == first == deploy_wormhole_genesis(ARGS)
    stored.write_text(stored.read_text().replace('"nonce": 1', '"nonce": 7', 1))
    assert _build(ARGS) != first  # the file is what is read: the cache is really used


def test_other_guardians_are_another_key_and_a_damaged_file_is_rebuilt(cache: Path) -> None:
    first = _build(ARGS)
    other = _build(replace(ARGS, guardians=GUARDIANS[:2]))
    assert other != first
    assert len(list(cache.glob("*.json"))) == 2
    for stored in cache.glob("*.json"):
        stored.write_text("{not json")
    assert _build(ARGS) == first
