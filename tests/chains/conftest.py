"""Fixtures shared by the chain tests (helpers live in ``chain_helpers``).

Every EVM chain test runs once per engine (``[py-evm]`` and ``[revm]`` in its id): the engine
conformance suite is these tests. The engine reaches every devnet a test builds, however it builds
it, through ``$CORTENSOR_SIM_ENGINE`` (the default for chains whose topology names no engine).
"""

from __future__ import annotations

import pytest
from chain_helpers import ENGINE_NEUTRAL_MODULES, ENGINES, interval_topology

from cortensor_sim.chains import Devnet
from cortensor_sim.chains.engines import DEFAULT_ENGINE, ENGINE_VARIABLE


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    if "evm_engine" in metafunc.fixturenames and module not in ENGINE_NEUTRAL_MODULES:
        metafunc.parametrize("evm_engine", ENGINES, indirect=True)


@pytest.fixture(autouse=True)
def evm_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine this test's EVM chains run on."""
    name: str = getattr(request, "param", DEFAULT_ENGINE)
    if name == "revm":
        pytest.importorskip("pyrevm", reason="the revm engine needs pyrevm (pip install '.[revm]')")
    monkeypatch.setenv(ENGINE_VARIABLE, name)
    return name


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
