"""Per-test isolation: every test starts from the state its enclosing scopes left, as ape does.

Each scope (package, module, class, function) takes a devnet snapshot when it starts and reverts
to it when it ends. A fixture of module scope therefore runs after its module's snapshot and
before its tests' snapshots: what it deploys is there for each test of the module and gone after
the module. A snapshot covers every chain, the pools and the clock (:meth:`Devnet.snapshot`).

Only nodes that contain a test using the devnet snapshot anything, so test suites that never ask
for it never build one. A test marked ``cortensor_no_isolation`` runs without its own snapshot:
what it changes stays for the tests after it, until its module (or class) ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ..chains.devnet import Devnet

__all__ = ["DEVNET_FIXTURE", "devnet_users", "isolated"]

DEVNET_FIXTURE = "_cortensor_session_devnet"
"""The private session fixture behind ``devnet``: a test that uses it (directly or through any
fixture) is a devnet user. A project's own fixture named ``devnet`` overrides the public name
without being taken for the plugin's."""


def devnet_users(items: Iterable[pytest.Item]) -> set[str]:
    """Node ids of every collected node (package, module, class, test) that holds a devnet user."""
    users: set[str] = set()
    for item in items:
        if DEVNET_FIXTURE in getattr(item, "fixturenames", ()):
            users.update(node.nodeid for node in item.listchain())
    return users


@contextmanager
def isolated(devnet: Devnet) -> Iterator[int]:
    """Snapshot on entry and revert on exit, whatever happened in between."""
    snapshot_id = devnet.snapshot()
    try:
        yield snapshot_id
    finally:
        devnet.revert(snapshot_id)
