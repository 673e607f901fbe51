"""Which EVM engine runs a chain: the names a topology may give, and the class behind each.

``py-evm`` is the reference engine: every other is proven equal to it (the conformance suite and the
differential test). ``revm`` (pyrevm, a dependency) runs the same seam several times faster and is
the default wherever pyrevm can be imported; where it cannot (a platform without a pyrevm wheel),
py-evm is. A chain's ``engine`` field in the topology picks one; a chain that names none gets the
default, which the ``CORTENSOR_SIM_ENGINE`` environment variable can change for a whole run (the way
the test suite runs every chain test on both engines).

A chain kind with rules of its own (Nitro and Orbit: NUMBER reads L1's block number, PREVRANDAO is
1, ArbSys and the other precompiles sit at fixed addresses) runs only on an engine that can honour
them (``EvmEngine.supports_rules``). Both engines do: py-evm runs the precompiles' Python code, revm
runs ArbSys as EVM code and the others in Python when a transaction or call is addressed to them
(docs/engines.md, "Nitro and Orbit chains on revm"). An engine that could not would be refused for
such a chain, and the default would fall back to py-evm there.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from typing import Literal

from .engine import ChainRules, EvmEngine

EngineName = Literal["py-evm", "revm"]
ENGINE_NAMES: tuple[str, ...] = ("py-evm", "revm")
REFERENCE_ENGINE: EngineName = "py-evm"
"""The engine the others are proven equal to, and the one a chain kind falls back to."""
DEFAULT_ENGINE: EngineName = "revm" if find_spec("pyrevm") is not None else REFERENCE_ENGINE
"""revm where pyrevm is installed (it is a dependency), else py-evm."""
ENGINE_VARIABLE = "CORTENSOR_SIM_ENGINE"


class EngineChoiceError(ValueError):
    """An engine that does not exist, or cannot run here (pyrevm missing): the user's to fix."""


def default_engine() -> str:
    """The engine for chains whose topology names none: ``$CORTENSOR_SIM_ENGINE``, else
    :data:`DEFAULT_ENGINE`."""
    name = os.environ.get(ENGINE_VARIABLE, DEFAULT_ENGINE)
    if name not in ENGINE_NAMES:
        raise EngineChoiceError(
            f"{ENGINE_VARIABLE}={name!r}: unknown engine (engines: {', '.join(ENGINE_NAMES)})"
        )
    return name


def engine_class(name: str) -> type[EvmEngine]:
    """The engine class called ``name``; says how to install pyrevm when it is missing."""
    if name == "py-evm":
        from .pyevm.engine import PyEvmEngine

        return PyEvmEngine
    if name == "revm":
        try:
            from .revm import RevmEngine
        except ImportError as exc:
            raise EngineChoiceError(
                f"engine 'revm' needs pyrevm, which is not installed ({exc}): pip install pyrevm, "
                "or name engine: py-evm"
            ) from None
        return RevmEngine
    raise EngineChoiceError(f"unknown engine {name!r} (engines: {', '.join(ENGINE_NAMES)})")


def engine_for(chain: str, kind: str, requested: str | None, rules: ChainRules) -> type[EvmEngine]:
    """The engine class that runs ``chain``: the one its topology names, else the default engine,
    else (where the default cannot honour the chain kind's rules) py-evm, the reference engine."""
    if requested is not None:
        found = engine_class(requested)
        if not found.supports_rules(rules):
            raise EngineChoiceError(
                f"chain {chain!r}: engine {requested!r} cannot run a {kind} chain (its NUMBER, PREVRANDAO "
                "and precompile rules); use engine: py-evm, or name no engine"
            )
        return found
    found = engine_class(default_engine())
    return found if found.supports_rules(rules) else engine_class(REFERENCE_ENGINE)


def engine_name(engine: EvmEngine) -> str:
    """The name a state file records for ``engine``."""
    return str(getattr(engine, "name", "py-evm"))
