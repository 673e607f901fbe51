"""Chains: the EVM engine seam, ``EvmChain``, ``SolanaChain``, the clock, topologies and ``Devnet``."""

from .clock import SimClock
from .devnet import Devnet
from .engine import EvmEngine, SystemCall
from .evm import EvmChain
from .solana import SolanaChain
from .statefile import StateFileError
from .topology import ChainSpec, Topology, default_topology

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
