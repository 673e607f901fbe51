"""Fixtures of the OP Stack tests."""

from __future__ import annotations

import pytest

from cortensor_sim import Devnet


@pytest.fixture
def devnet() -> Devnet:
    """The default devnet (base settles to l1 with the dev settlement settings), actors in auto mode."""
    return Devnet()
