"""Where the serve tests' npm clients are: ethers, viem, @solana/web3.js, cast, anvil (tests/serve/clients).

They are installed by ``npm ci`` in tests/serve/clients (pinned by its package-lock.json; CI runs
it where npm can reach its registry). Without Node.js or that install, the tests that need them
skip and say why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent / "clients"
MODULES = CLIENTS / "node_modules"
CAST = MODULES / "@foundry-rs" / "cast-linux-amd64" / "bin" / "cast"
ANVIL = MODULES / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
INSTALL_HINT = "run `npm ci` in tests/serve/clients"


def node() -> str | None:
    return shutil.which("node")


def missing_package(name: str) -> str | None:
    """Why a test driving the npm package ``name`` cannot run here, or None if it can."""
    if node() is None:
        return "Node.js is not installed"
    if not (MODULES / name).is_dir():
        return f"{name} is not installed ({INSTALL_HINT})"
    return None


def missing_binary(binary: Path) -> str | None:
    """Why a Foundry binary from npm cannot run here, or None if it can."""
    if not binary.is_file():
        return f"{binary.name} is not installed ({INSTALL_HINT})"
    return None
