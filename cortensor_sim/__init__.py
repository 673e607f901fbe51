"""cortensor-sim: a local multi-chain devnet for cross-layer AI-inference protocols.

>>> from cortensor_sim import Devnet
>>> devnet = Devnet()
"""

from . import bridge  # noqa: F401  (registers the settlement engine with Devnet)
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
from .rollups import nitro as _nitro  # registers the nitro and orbit chain-kind rules

del _nitro

__version__ = "0.1.0"

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
]
