"""Which :class:`~.engine.ChainRules` each kind of chain runs under.

The rules of a rollup kind are written where the rollup is (``cortensor_sim.rollups``), which
imports this package, never the other way round: a rollup registers its kind's rules here when it
is imported, and the devnet asks for them by kind. A kind nobody registered runs plain Ethereum.
"""

from __future__ import annotations

from collections.abc import Callable

from .engine import ChainRules

_RULES: dict[str, Callable[[], ChainRules]] = {}


def register_kind_rules(kind: str, rules: Callable[[], ChainRules]) -> None:
    """Make chains of ``kind`` run under ``rules()`` (a later registration replaces an earlier one)."""
    _RULES[kind] = rules


def rules_for_kind(kind: str) -> ChainRules:
    factory = _RULES.get(kind)
    return factory() if factory is not None else ChainRules()
