"""Fixtures shared by the chain tests (helpers live in ``chain_helpers``)."""

from __future__ import annotations

import pytest
from chain_helpers import interval_topology

from cortensor_sim.chains import Devnet


@pytest.fixture
def devnet() -> Devnet:
    """The default devnet: l1, base, arbitrum, l3 (all automine) and solana."""
    return Devnet()


@pytest.fixture
def interval_devnet() -> Devnet:
    return Devnet(interval_topology())
