"""Fixtures of the Nitro tests: one devnet with arbitrum's parent contracts per module, reverted
(chains and actors) after each test.

Every Nitro test runs once per EVM engine (``[py-evm]`` and ``[revm]`` in its id): the engine
reaches every devnet a module builds through ``$CORTENSOR_SIM_ENGINE``, set for the whole module by
:func:`nitro_engine`, which each module-scoped devnet fixture names so that it is built per engine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nitro_helpers import NitroRollup, nitro_rollup

from cortensor_sim import Devnet
from cortensor_sim.chains.engines import ENGINE_NAMES, ENGINE_VARIABLE


@pytest.fixture(scope="module", params=ENGINE_NAMES, autouse=True)
def nitro_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The engine this module's chains run on (Nitro's rules on py-evm's and on revm's)."""
    name: str = request.param
    if name == "revm":
        pytest.importorskip("pyrevm", reason="the revm engine needs pyrevm (pip install '.[revm]')")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENGINE_VARIABLE, name)
        yield name


@pytest.fixture(scope="module")
def base_rollup(nitro_engine: str) -> NitroRollup:
    return nitro_rollup(Devnet())


@pytest.fixture
def rollup(base_rollup: NitroRollup) -> Iterator[NitroRollup]:
    mark = base_rollup.devnet.snapshot()
    saved = base_rollup.save()
    yield base_rollup
    base_rollup.devnet.revert(mark)
    base_rollup.restore(saved)
