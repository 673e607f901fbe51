"""Fixtures shared by the chain tests (helpers live in ``chain_helpers``)."""

from __future__ import annotations

import pytest
from chain_helpers import interval_topology

from cortensor_sim.chains import Devnet


def _chains_only(devnet: Devnet) -> Devnet:
    """These tests pin the chains' own behaviour: the settlement actors stay in step mode, so no
    proposal or relay lands in the blocks they count (derivation still opens rollup blocks)."""
    assert devnet.settlement is not None
    devnet.settlement.auto = False
    return devnet


@pytest.fixture
def devnet() -> Devnet:
    """The default devnet: l1, base, arbitrum, l3 (all automine) and solana."""
    return _chains_only(Devnet())


@pytest.fixture
def interval_devnet() -> Devnet:
    return _chains_only(Devnet(interval_topology()))
