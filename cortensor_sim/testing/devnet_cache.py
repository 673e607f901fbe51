"""The session's devnet, with the Cortensor contracts deployed, from a cached state file when it can.

Why a cache: a test session should start in well under two seconds, and deploying and wiring the
protocol is dozens of transactions through the interpreter. The first session dumps the deployed
devnet (:meth:`Devnet.dump`) and the contracts' manifest; later sessions load them.

The cache is keyed by everything the deployed state depends on, so a stale file is never used:
the topology (chains, seed, genesis time, accounts), whether the protocol is deployed, the bytes
of every bundled contract artifact, the source of every module of this package (the deployment
helper, the engine, the chains) and the versions of the libraries that execute or encode
(py-evm, web3, eth-account, solders). A file that fails to load is rebuilt, not trusted.
Files are written to a temporary name and renamed, so parallel workers (pytest-xdist) never read
half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..artifacts import artifact_dirs
from ..chains.devnet import Devnet
from ..chains.statefile import StateFileError
from ..chains.topology import Topology
from .cortensor import ProtocolManifest, deploy_cortensor, protocol_chain

__all__ = ["CACHE_FORMAT", "SessionDevnet", "cache_key", "session_devnet"]

CACHE_FORMAT = "cortensor-sim-pytest-cache/1"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_LIBRARIES = ("py-evm", "web3", "eth-account", "eth-abi", "solders")


@dataclass(frozen=True)
class SessionDevnet:
    devnet: Devnet
    protocol: ProtocolManifest | None
    from_cache: bool


def _file_digests(paths: list[Path], root: Path) -> list[str]:
    return [f"{p.relative_to(root).as_posix()}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in paths]


def cache_key(topology: Topology, *, protocol: bool) -> str:
    """A digest of everything a deployed session devnet depends on (see the module's docstring)."""
    parts = [CACHE_FORMAT, topology.model_dump_json(), f"protocol={protocol}"]
    for directory in artifact_dirs():
        parts += _file_digests(sorted(directory.glob("*.json")), directory)
    parts += _file_digests(sorted(_PACKAGE_DIR.rglob("*.py")), _PACKAGE_DIR)
    for library in _LIBRARIES:
        try:
            parts.append(f"{library}=={metadata.version(library)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{library}: absent")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _build(topology: Topology, protocol: bool) -> tuple[Devnet, ProtocolManifest | None]:
    devnet = Devnet(topology)
    manifest = deploy_cortensor(devnet, protocol_chain(topology)) if protocol else None
    return devnet, manifest


def session_devnet(topology: Topology, *, protocol: bool, cache_dir: Path | None) -> SessionDevnet:
    """The session's devnet: loaded from ``cache_dir`` when a file for this exact key is there,
    else built (and the protocol deployed) and stored there for the next session."""
    if cache_dir is None:
        devnet, manifest = _build(topology, protocol)
        return SessionDevnet(devnet, manifest, from_cache=False)
    key = cache_key(topology, protocol=protocol)
    state_file = cache_dir / f"{key}.devnet.json.gz"
    manifest_file = cache_dir / f"{key}.cortensor.json"
    if state_file.is_file() and (manifest_file.is_file() or not protocol):
        try:
            devnet = Devnet.load(state_file)
            manifest = ProtocolManifest.from_json(manifest_file.read_text()) if protocol else None
        except (StateFileError, OSError, ValueError, KeyError, TypeError):
            pass  # unreadable or foreign: rebuild below and overwrite it
        else:
            return SessionDevnet(devnet, manifest, from_cache=True)
    devnet, manifest = _build(topology, protocol)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in cache_dir.glob("*.devnet.json.gz"):
        if not stale.name.startswith(key):
            stale.unlink(missing_ok=True)
            (cache_dir / stale.name.replace(".devnet.json.gz", ".cortensor.json")).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as scratch:
        dumped = devnet.dump(Path(scratch) / state_file.name)
        if manifest is not None:
            _write_atomically(manifest_file, manifest.to_json().encode())
        _write_atomically(state_file, dumped.read_bytes())
    return SessionDevnet(devnet, manifest, from_cache=False)
