"""The devnet state file: every chain, the clock and the topology in one gzip'd JSON document.

Layout::

    {"format": "cortensor-sim-devnet", "version": 1, "sha256": "<of the canonical payload JSON>",
     "payload": {"topology": {...}, "now_ms": ..., "chains": {"l1": {"engine": "py-evm",
                 "state": "<base64>", "pool": [...]}, "solana": {"engine": "litesvm", ...}},
                 "settlement": {"auto": true, "messages": [...], "stacks": {...}}}}

A file is read whole and checked (gzip's CRC, the format tag, the version, the payload's sha256)
before anything is built, and a devnet is built whole in new objects before it is returned: a
corrupt, truncated or foreign file leaves nothing half-loaded behind.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import os
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .engine import SystemCall
from .engines import ENGINE_NAMES, engine_class, engine_name
from .evm import EvmChain, _Pool
from .topology import Topology

if TYPE_CHECKING:
    from .devnet import Devnet

FORMAT = "cortensor-sim-devnet"
VERSION = 1


class StateFileError(ValueError):
    """A state file that cannot be loaded; the message names the file and what is wrong."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _canonical(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def _pool_entry(tx: bytes | SystemCall) -> dict[str, Any]:
    if isinstance(tx, bytes):
        return {"raw": tx.hex()}
    fields = asdict(tx)
    return {"system": {k: v.hex() if isinstance(v, bytes) else v for k, v in fields.items()}}


def _pool_from(entries: list[dict[str, Any]]) -> list[bytes | SystemCall]:
    pool: list[bytes | SystemCall] = []
    for entry in entries:
        if "raw" in entry:
            pool.append(bytes.fromhex(entry["raw"]))
        else:
            fields = dict(entry["system"])
            for key in ("sender", "to", "data", "source_hash"):
                if fields.get(key) is not None:
                    fields[key] = bytes.fromhex(fields[key])
            pool.append(SystemCall(**fields))
    return pool


def write_devnet(devnet: Devnet, path: Path) -> Path:
    chains: dict[str, Any] = {}
    for name, chain in devnet.chains.items():
        if isinstance(chain, EvmChain):
            chains[name] = {
                "engine": engine_name(chain.engine),
                "state": base64.b64encode(chain.engine.export_state()).decode(),
                "now_ms": chain._now_ms,
                "pool": [_pool_entry(tx) for tx in chain._pool.transactions],
                "pool_first_slot": chain._pool.first_slot,
                "pool_signers": {
                    raw.hex(): [sender.hex(), nonce] for raw, (sender, nonce) in chain._pool.signers.items()
                },
                "halted_until_ms": chain.halted_until_ms,
            }
        else:
            chains[name] = {"engine": "litesvm", "state": chain.export_state()}
    payload = {
        "topology": devnet.topology.model_dump(mode="json"),
        "now_ms": devnet.clock.now_ms,
        "chains": chains,
        "settlement": devnet.settlement.export_state() if devnet.settlement is not None else None,
    }
    document = {
        "format": FORMAT,
        "version": VERSION,
        "sha256": hashlib.sha256(_canonical(payload)).hexdigest(),
        "payload": payload,
    }
    path = _regular_file_target(path)
    tmp = path.with_name(path.name + ".tmp")
    # mtime=0: the same devnet gives the same bytes, so state files can be compared and cached.
    # filename="": gzip would otherwise record the temporary file's name in the header.
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out,
    ):
        out.write(_canonical(document))
    tmp.replace(path)
    return path


def _regular_file_target(path: Path) -> Path:
    """Where the dump goes: the file itself, or the file a symlink points to; never a device.

    The dump is written beside its target and renamed over it, so that a crash never leaves half a
    file. Renamed over ``/dev/null`` (as root) or over a symlink, that would replace the device or
    the link, so such targets are resolved or refused first.
    """
    if not str(path) or path.is_dir():
        raise StateFileError(path, "is a directory, expected a file name for the state file")
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        raise StateFileError(path, "is not a regular file (a device, pipe or socket): refusing to replace it")
    return target


def _check_consistent(path: Path, topology: Topology, now_ms: int, devnet: Devnet) -> None:
    """A state file must agree with itself, not only with its checksum (a file can be re-signed)."""
    if now_ms < topology.genesis_time * 1000:
        raise StateFileError(
            path, f"inconsistent: the clock ({now_ms} ms) is before genesis ({topology.genesis_time} s)"
        )
    for spec in topology.chains:
        if not spec.is_evm:
            continue
        chain = devnet.evm(spec.name)
        if chain.engine.chain_id != spec.chain_id:
            raise StateFileError(
                path,
                f"inconsistent: the topology gives {spec.name!r} chain id {spec.chain_id}, "
                f"its engine state has chain id {chain.engine.chain_id}",
            )
        if chain._now_ms > now_ms:
            raise StateFileError(
                path,
                f"inconsistent: chain {spec.name!r} is at {chain._now_ms} ms, after the clock ({now_ms} ms)",
            )
        latest = int(chain.engine.get_block("latest")["timestamp"], 16)
        if latest * 1000 > now_ms:
            raise StateFileError(
                path,
                f"inconsistent: the clock ({now_ms // 1000} s) was set back before {spec.name!r}'s latest "
                f"block ({latest} s)",
            )


def read_devnet(cls: type[Devnet], path: Path) -> Devnet:
    try:
        compressed = path.read_bytes()
    except OSError as exc:
        raise StateFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if not compressed.startswith(b"\x1f\x8b"):
        raise StateFileError(path, "not a cortensor-sim state file (not gzip data)")
    try:
        text = gzip.decompress(compressed)
    except (EOFError, OSError, zlib.error) as exc:
        raise StateFileError(path, f"corrupt or truncated gzip data ({exc})") from None
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(path, f"not a cortensor-sim state file (bad JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(path, f"not a cortensor-sim state file (no format {FORMAT!r})")
    if document.get("version") != VERSION:
        raise StateFileError(
            path,
            f"state file version {document.get('version')!r}; this cortensor-sim reads {VERSION}",
        )
    payload = document.get("payload")
    if hashlib.sha256(_canonical(payload)).hexdigest() != document.get("sha256"):
        raise StateFileError(path, "checksum mismatch: the file was modified or damaged")
    try:
        topology = Topology.model_validate(payload["topology"])
        now_ms = int(payload["now_ms"])
        chains = payload["chains"]
        states: dict[str, Any] = {}
        pools: dict[str, dict[str, Any]] = {}
        for spec in topology.chains:
            entry = chains[spec.name]
            state = entry["state"]
            if spec.is_evm:
                if entry.get("engine") not in ENGINE_NAMES or not isinstance(state, str):
                    raise ValueError(f"chain {spec.name!r}: expected an EVM engine's state")
                engine = engine_class(entry["engine"])
                states[spec.name] = engine.from_state(base64.b64decode(state, validate=True))  # type: ignore[attr-defined]
                pools[spec.name] = entry
            else:
                if entry.get("engine") != "litesvm" or not isinstance(state, dict):
                    raise ValueError(f"chain {spec.name!r}: expected a LiteSVM state")
                states[spec.name] = state
        devnet = cls._from_parts(topology, now_ms, states)
        for name, entry in pools.items():
            chain = devnet.evm(name)
            chain._now_ms = int(entry["now_ms"])
            chain._pool = _Pool.of(
                _pool_from(entry["pool"]),
                entry["pool_first_slot"],
                {
                    bytes.fromhex(raw): (bytes.fromhex(sender), int(nonce))
                    for raw, (sender, nonce) in entry["pool_signers"].items()
                },
            )
            halted = entry.get("halted_until_ms")  # absent in files written before outages existed
            chain.halted_until_ms = None if halted is None else int(halted)
        settlement = payload.get("settlement")
        if devnet.settlement is not None and settlement is not None:
            devnet.settlement.import_state(settlement)
        _check_consistent(path, topology, now_ms, devnet)
    except StateFileError:
        raise
    except ValidationError as exc:
        raise StateFileError(path, f"bad topology: {exc.errors()[0]['msg']}") from None
    except KeyError as exc:
        raise StateFileError(path, f"malformed state: missing {exc}") from None
    except (TypeError, ValueError, binascii.Error) as exc:
        raise StateFileError(path, f"malformed state: {exc}") from None
    return devnet
