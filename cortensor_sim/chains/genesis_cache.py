"""An on-disk cache of genesis accounts that a stack builds by deploying contracts on a scratch chain.

Laying contracts in genesis (the Nitro parent contracts, the guardian bridge's contracts) runs
their real constructors on a throw-away chain and copies the resulting accounts, which costs about
a second per stack the first time a process builds a ``Devnet()``. The result depends only on the
deployment's arguments, the contracts' bytecode and the code that deploys and copies them, so it
is stored as JSON under a key hashing all of these: a change to any of them is a new key, never a
stale hit.

Where: ``$CORTENSOR_SIM_GENESIS_CACHE/<namespace>`` if the variable is set (``off`` disables the
cache), else ``$XDG_CACHE_HOME/cortensor-sim/<namespace>`` (``~/.cache`` when unset). A file that
cannot be read or parsed is ignored and rebuilt; a directory that cannot be written only costs the
rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .engine import GenesisAccount

FORMAT = 1
"""Bumped whenever the stored shape changes."""
VARIABLE = "CORTENSOR_SIM_GENESIS_CACHE"
T = TypeVar("T")


def cache_dir(namespace: str) -> Path | None:
    """Where ``namespace``'s cached genesis files live, or None when the cache is turned off."""
    configured = os.environ.get(VARIABLE)
    if configured is not None:
        if configured.strip().lower() in ("", "off", "0", "false"):
            return None
        return Path(configured) / namespace
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cortensor-sim" / namespace


def cache_key(arguments: Sequence[Any], bytecodes: Iterable[bytes], code_files: Sequence[Path]) -> str:
    """A hash of the deployment's arguments, the contracts' bytecode and the deploying code."""
    digest = hashlib.sha256(f"format {FORMAT}\n{arguments!r}\n".encode())
    for code in bytecodes:
        digest.update(len(code).to_bytes(8, "big") + code)
    for path in code_files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def encode_accounts(accounts: dict[bytes, GenesisAccount]) -> dict[str, Any]:
    return {
        "0x" + address.hex(): {
            "balance": account.balance,
            "nonce": account.nonce,
            "code": "0x" + account.code.hex(),
            "storage": {hex(slot): hex(value) for slot, value in sorted(account.storage.items())},
        }
        for address, account in accounts.items()
    }


def decode_accounts(data: dict[str, Any]) -> dict[bytes, GenesisAccount]:
    return {
        bytes.fromhex(address[2:]): GenesisAccount(
            balance=int(entry["balance"]),
            nonce=int(entry["nonce"]),
            code=bytes.fromhex(entry["code"][2:]),
            storage={int(slot, 16): int(value, 16) for slot, value in entry["storage"].items()},
        )
        for address, entry in data.items()
    }


def read(namespace: str, key: str) -> dict[str, Any] | None:
    """The stored entry for ``key``, or None (cache off, no file, or a file that does not parse)."""
    directory = cache_dir(namespace)
    if directory is None:
        return None
    try:
        data = json.loads((directory / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def write(namespace: str, key: str, entry: dict[str, Any]) -> None:
    """Store ``entry`` under ``key`` atomically (a rename), so a reader never sees half a file."""
    directory = cache_dir(namespace)
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False) as out:
            json.dump({"format": FORMAT, **entry}, out)
        os.replace(out.name, directory / f"{key}.json")
    except OSError:
        return  # an unwritable cache only costs the rebuild next time


def cached(
    namespace: str,
    key: str,
    build: Callable[[], T],
    encode: Callable[[T], dict[str, Any]],
    decode: Callable[[dict[str, Any]], T],
) -> T:
    """The genesis stored under ``key``, else ``build()``'s, stored for next time. An entry that does
    not decode (damaged, or written by other code under a colliding key) is rebuilt."""
    stored = read(namespace, key)
    if stored is not None:
        try:
            return decode(stored)
        except (KeyError, TypeError, ValueError):
            pass
    built = build()
    write(namespace, key, encode(built))
    return built
