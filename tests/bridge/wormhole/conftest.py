"""One default devnet per module (building it lays the bridge and creates SPL COR); each test runs
from a snapshot of it and reverts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cortensor_sim import Devnet
from cortensor_sim.bridge.wormhole import WormholeStack


@pytest.fixture(scope="module")
def built() -> Devnet:
    return Devnet()


@pytest.fixture
def devnet(built: Devnet) -> Iterator[Devnet]:
    snapshot = built.snapshot()
    yield built
    built.revert(snapshot)


@pytest.fixture
def bridge(devnet: Devnet) -> WormholeStack:
    stack = devnet.settlement.stacks["solana"]
    assert isinstance(stack, WormholeStack)
    return stack
