"""Fixtures for the serve tests: a devnet served on free ports of 127.0.0.1 (see ``serve_helpers``).

The modules whose answers come from the engine (the execution API, the dev methods,
impersonation, the HTTP and WebSocket servers) run once per engine, ``[py-evm]`` and ``[revm]`` in
the test id, through ``$CORTENSOR_SIM_ENGINE`` as the chain tests do. The others (the CLI, the
fuzzer, Solana, the npm clients) run on the engine that variable names, once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_helpers import ServedDevnet

from cortensor_sim.chains import Devnet
from cortensor_sim.chains.engines import ENGINE_VARIABLE

ENGINES = ("py-evm", "revm")
ENGINE_MODULES = frozenset(
    {
        "test_rpc_conformance",
        "test_devnet_methods",
        "test_impersonation",
        "test_http_server",
        "test_websocket_server",
        "test_cross_chain_methods",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    if "evm_engine" in metafunc.fixturenames and module in ENGINE_MODULES:
        metafunc.parametrize("evm_engine", ENGINES, indirect=True)


@pytest.fixture(autouse=True)
def evm_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The engine this test's EVM chains run on, when its module runs on both."""
    name: str | None = getattr(request, "param", None)
    if name == "revm":
        pytest.importorskip("pyrevm", reason="the revm engine needs pyrevm (pip install '.[revm]')")
    if name is not None:
        monkeypatch.setenv(ENGINE_VARIABLE, name)
    return name


@pytest.fixture
def served() -> Iterator[ServedDevnet]:
    """The default devnet served with automine (deterministic: the clock moves only when asked)."""
    serving = ServedDevnet(Devnet(), automine=True)
    yield serving
    serving.close()
