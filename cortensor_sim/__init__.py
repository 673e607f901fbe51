"""cortensor-sim: a local multi-chain devnet for cross-layer AI-inference protocols.

>>> from cortensor_sim import Devnet
>>> devnet = Devnet()

Importing this package is cheap: the public names below are looked up on first use (PEP 562),
because every pytest run of every project where cortensor-sim is installed imports the package
for its plugin (``cortensor_sim.testing.plugin``), and web3 and py-evm take a second or more to
import. The layers that register themselves with the chains (the settlement engine of
``cortensor_sim.bridge`` and the Nitro/Orbit chain-kind rules of ``cortensor_sim.rollups.nitro``)
are imported by :func:`register_layers`, which :class:`~cortensor_sim.chains.devnet.Devnet` calls
before it builds any chain, so ``Devnet()`` has its settlement engine however it was imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_FROM_CHAINS = (
    "ChainSpec",
    "Devnet",
    "EvmChain",
    "SimClock",
    "SolanaChain",
    "StateFileError",
    "SystemCall",
    "Topology",
    "default_topology",
)

__all__ = [
    "ChainSpec",
    "Devnet",
    "EvmChain",
    "SimClock",
    "SolanaChain",
    "StateFileError",
    "SystemCall",
    "Topology",
    "__version__",
    "default_topology",
    "register_layers",
]

_LAYERS = (".bridge", ".rollups.nitro")
"""The packages that register into ``cortensor_sim.chains`` when imported (imports flow downward,
so the chains cannot import them): the settlement engine, and the nitro and orbit kinds' rules."""


def _prefer_c_keccak() -> None:
    """Have eth-hash hash with pysha3's C keccak rather than pycryptodome's, when it is installed.

    Why: py-evm, trie, rlp users and this package all hash through ``eth_hash.auto.keccak``, which
    takes the first backend it finds, and pycryptodome (a dependency for AES) comes first. Its
    per-call overhead made keccak about 7 % of an actor run; pysha3's call costs a seventh of it,
    with the same digests. eth-hash reads ``ETH_HASH_BACKEND`` at its first hash, so this runs at
    import; a backend the user chose in the environment is left as it is.
    """
    if "ETH_HASH_BACKEND" not in os.environ and importlib.util.find_spec("sha3") is not None:
        os.environ["ETH_HASH_BACKEND"] = "pysha3"


_prefer_c_keccak()


def register_layers() -> None:
    """Import the layers that register themselves with the chains (idempotent, cheap once done)."""
    for name in _LAYERS:
        importlib.import_module(name, __name__)


def __getattr__(name: str) -> Any:
    if name in _FROM_CHAINS:
        value = getattr(importlib.import_module(".chains", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .chains import (
        ChainSpec,
        Devnet,
        EvmChain,
        SimClock,
        SolanaChain,
        StateFileError,
        SystemCall,
        Topology,
        default_topology,
    )
