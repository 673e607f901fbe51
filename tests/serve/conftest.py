"""Fixtures for the serve tests: a devnet served on free ports of 127.0.0.1 (see ``serve_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_helpers import ServedDevnet

from cortensor_sim.chains import Devnet


@pytest.fixture
def served() -> Iterator[ServedDevnet]:
    """The default devnet served with automine (deterministic: the clock moves only when asked)."""
    serving = ServedDevnet(Devnet(), automine=True)
    yield serving
    serving.close()
