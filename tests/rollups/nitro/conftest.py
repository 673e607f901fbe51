"""Fixtures of the Nitro tests: one devnet with arbitrum's parent contracts per module, reverted
(chains and actors) after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nitro_helpers import NitroRollup, nitro_rollup

from cortensor_sim import Devnet


@pytest.fixture(scope="module")
def base_rollup() -> NitroRollup:
    return nitro_rollup(Devnet())


@pytest.fixture
def rollup(base_rollup: NitroRollup) -> Iterator[NitroRollup]:
    mark = base_rollup.devnet.snapshot()
    saved = base_rollup.save()
    yield base_rollup
    base_rollup.devnet.revert(mark)
    base_rollup.restore(saved)
