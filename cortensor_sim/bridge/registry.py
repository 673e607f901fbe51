"""The system-contract registry: each rollup's contracts by name, on both of its sides.

``devnet.system_contracts("base")`` answers with the OP Stack's own names (``OptimismPortal``,
``DisputeGameFactory``, ``L1CrossDomainMessenger``, ``L2ToL1MessagePasser``...) so users and tests
never hard-code an address; a Nitro rollup answers with Nitro's (``Inbox``, ``Bridge``, ``Outbox``...).
"""

from __future__ import annotations

from collections.abc import Mapping


class UnknownRollup(KeyError):
    """A name that is not a rollup of this devnet."""

    def __str__(self) -> str:
        return str(self.args[0])


def lookup(contracts: Mapping[str, Mapping[str, str]], rollup: str) -> dict[str, str]:
    """The contracts of ``rollup`` (a copy), or a clear error naming the rollups there are."""
    try:
        return dict(contracts[rollup])
    except KeyError:
        known = ", ".join(contracts) or "none"
        raise UnknownRollup(f"no rollup {rollup!r} in this devnet (rollups: {known})") from None
