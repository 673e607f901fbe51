"""Importing cortensor_sim makes eth-hash use pysha3's C keccak, unless the user chose a backend.

Each check runs in a fresh interpreter: eth-hash picks its backend once, at its first hash, and
the test process has hashed long before any test runs.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "import cortensor_sim\n"
    "from eth_hash.auto import keccak\n"
    "digest = keccak(b'cortensor')\n"
    "print(keccak.hasher.__module__, digest.hex())\n"
)


def _backend_and_digest(env_backend: str | None) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ETH_HASH_BACKEND"}
    if env_backend is not None:
        env["ETH_HASH_BACKEND"] = env_backend
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    module, digest = out.stdout.split()
    return module, digest


def test_importing_the_package_selects_pysha3() -> None:
    pytest.importorskip("sha3")
    module, _ = _backend_and_digest(None)
    assert module == "eth_hash.backends.pysha3"


def test_a_backend_the_user_chose_is_kept_and_hashes_alike() -> None:
    pytest.importorskip("sha3")
    chosen, chosen_digest = _backend_and_digest("pycryptodome")
    _, default_digest = _backend_and_digest(None)
    assert chosen == "eth_hash.backends.pycryptodome"
    assert chosen_digest == default_digest
