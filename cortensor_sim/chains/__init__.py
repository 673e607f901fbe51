"""Chains: the EVM engine seam, ``EvmChain``, ``SolanaChain``, the clock, topologies and ``Devnet``.

The names below are looked up on first use (PEP 562), like the package's own: importing one light
submodule (``chains.topology``, ``chains.engines``) must not import web3, py-evm and solders
through this file, so that the command line's ``--help`` and the pytest plugin stay quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "ChainSpec": ".topology",
    "Devnet": ".devnet",
    "EvmChain": ".evm",
    "EvmEngine": ".engine",
    "SimClock": ".clock",
    "SolanaChain": ".solana",
    "StateFileError": ".statefile",
    "SystemCall": ".engine",
    "Topology": ".topology",
    "default_topology": ".topology",
}
"""Each public name and the submodule that defines it."""

__all__ = [
    "ChainSpec",
    "Devnet",
    "EvmChain",
    "EvmEngine",
    "SimClock",
    "SolanaChain",
    "StateFileError",
    "SystemCall",
    "Topology",
    "default_topology",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .clock import SimClock
    from .devnet import Devnet
    from .engine import EvmEngine, SystemCall
    from .evm import EvmChain
    from .solana import SolanaChain
    from .statefile import StateFileError
    from .topology import ChainSpec, Topology, default_topology
