"""The session devnet comes from a cached state file keyed by everything it depends on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cortensor_sim import default_topology
from cortensor_sim.testing import devnet_cache
from cortensor_sim.testing.devnet_cache import cache_key, session_devnet


def test_a_cached_devnet_is_the_devnet_it_was_built_as(tmp_path: Path) -> None:
    cold = session_devnet(default_topology(), protocol=True, cache_dir=tmp_path)
    warm = session_devnet(default_topology(), protocol=True, cache_dir=tmp_path)
    assert not cold.from_cache and warm.from_cache
    assert warm.devnet.state_roots() == cold.devnet.state_roots()
    assert warm.protocol == cold.protocol
    assert warm.protocol is not None and warm.protocol.chain == "arbitrum"
    pool = warm.protocol.contracts["node_pool"]
    assert pool.artifact == "NodePool"
    assert warm.devnet.evm("arbitrum").w3.eth.get_code(pool.address) != b""


def test_a_corrupt_cache_file_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    topology = default_topology().model_copy(update={"seed": "corrupt"})
    session_devnet(topology, protocol=False, cache_dir=tmp_path)
    (state_file,) = tmp_path.glob("*.devnet.json.gz")
    state_file.write_bytes(b"\x1f\x8b not really gzip")
    rebuilt = session_devnet(topology, protocol=False, cache_dir=tmp_path)
    assert not rebuilt.from_cache
    assert session_devnet(topology, protocol=False, cache_dir=tmp_path).from_cache


def test_a_new_key_replaces_the_old_files(tmp_path: Path) -> None:
    for seed in ("first", "second"):
        session_devnet(
            default_topology().model_copy(update={"seed": seed}), protocol=False, cache_dir=tmp_path
        )
    assert len(list(tmp_path.glob("*.devnet.json.gz"))) == 1


def test_the_key_follows_topology_seed_and_protocol() -> None:
    topology = default_topology()
    key = cache_key(topology, protocol=True)
    assert cache_key(default_topology(), protocol=True) == key
    assert cache_key(topology.model_copy(update={"seed": "other"}), protocol=True) != key
    assert cache_key(topology.model_copy(update={"accounts": 3}), protocol=True) != key
    assert cache_key(topology, protocol=False) != key


def test_the_key_follows_the_artifacts_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = devnet_cache.artifact_dirs()[0]
    copy = tmp_path / "artifacts"
    shutil.copytree(source, copy)
    monkeypatch.setattr(devnet_cache, "artifact_dirs", lambda: [copy])
    key = cache_key(default_topology(), protocol=True)
    victim = sorted(copy.glob("*.json"))[0]
    victim.write_text(victim.read_text().replace('"abi"', '"abi" ', 1))
    assert cache_key(default_topology(), protocol=True) != key


def test_the_key_follows_the_packages_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    copy = tmp_path / "cortensor_sim"
    shutil.copytree(
        devnet_cache._PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "_artifacts")
    )
    monkeypatch.setattr(devnet_cache, "_PACKAGE_DIR", copy)
    key = cache_key(default_topology(), protocol=True)
    deployment = copy / "protocol" / "deployment.py"
    deployment.write_text(deployment.read_text() + "\n# a change to the deployment helper\n")
    assert cache_key(default_topology(), protocol=True) != key


def test_the_key_follows_library_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache_key(default_topology(), protocol=True)
    real = devnet_cache.metadata.version
    monkeypatch.setattr(
        devnet_cache.metadata, "version", lambda name: "99.0" if name == "py-evm" else real(name)
    )
    assert cache_key(default_topology(), protocol=True) != key


def test_the_second_session_loads_the_first_sessions_devnet(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner_it="def test_it(cortensor):\n    assert cortensor.node_pool.address\n")
    first = pytester.runpytest()
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(
        ["cortensor-sim: session devnet built and cached for the next session (*) in *"]
    )
    second = pytester.runpytest()
    second.assert_outcomes(passed=1)
    second.stdout.fnmatch_lines(["cortensor-sim: session devnet loaded from the cache (*) in *"])
    uncached = pytester.runpytest("-p", "no:cacheprovider")
    uncached.stdout.fnmatch_lines(["cortensor-sim: session devnet built (no cache: * is off) in *"])
