"""Step kinds a timeline may use. Each module registers its kinds; importing this package loads them all.

To add a kind: write a :class:`~cortensor_sim.scenario.registry.StepKind` subclass decorated with
:func:`~cortensor_sim.scenario.registry.register_step` in a module here (one module per capability:
``clock``, ``protocol``; settlement and Solana steps get their own), and import the module below.
"""

from . import clock, faults, layers, network, private, protocol, retryables, settlement, solana

__all__ = [
    "clock",
    "faults",
    "layers",
    "network",
    "private",
    "protocol",
    "retryables",
    "settlement",
    "solana",
]
