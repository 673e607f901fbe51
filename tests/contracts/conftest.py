"""Fixtures for the contract tests: ``w3``, ``accounts``, ``deploy``.

The tests use only these three fixtures (plus ``cortensor_sim.protocol.deployment``), so the
chain behind them can be swapped for the project's own devnet by rewriting ``_backing_chain``
alone. It is the default devnet's ``arbitrum`` chain (``base`` on revm), built once per test
session; each test runs between a ``devnet.snapshot()`` and a ``devnet.revert()``, so tests cannot
see each other's state.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3
from web3.contract import Contract

_REPO = Path(__file__).resolve().parents[2]
if str(_REPO) not in sys.path:  # running pytest without installing the package
    sys.path.insert(0, str(_REPO))

from contract_helpers import Env, make_env  # noqa: E402

from cortensor_sim import Devnet  # noqa: E402
from cortensor_sim.chains import default_topology  # noqa: E402
from cortensor_sim.chains.engines import ENGINE_NAMES  # noqa: E402
from cortensor_sim.protocol.deployment import deploy_contract  # noqa: E402

DeployFn = Callable[..., Contract]


@dataclass
class BackingChain:
    """What the fixtures need from a chain: a web3 handle, funded unlocked accounts, snapshots."""

    devnet: Devnet
    w3: Web3
    accounts: list[str]

    def snapshot(self) -> int:
        return self.devnet.snapshot()

    def revert(self, snapshot_id: int) -> None:
        self.devnet.revert(snapshot_id)


@pytest.fixture(scope="session", params=ENGINE_NAMES)
def _backing_chain(request: pytest.FixtureRequest) -> BackingChain:
    """The default devnet's arbitrum chain (automine), where Cortensor's sessions live, on each
    EVM engine in turn (``[py-evm]``, ``[revm]``): the contract tests are engine conformance tests.

    Every EVM chain of the devnet runs on that engine (revm is the default, so the py-evm run names
    it on each). On revm the contracts run on base, an OP Stack chain: a contract on a revm Nitro
    chain cannot call ArbRetryableTx or NodeInterface (docs/engines.md)."""
    if request.param == "revm":
        pytest.importorskip("pyrevm", reason="the revm engine needs pyrevm (pip install '.[revm]')")
    topology = default_topology().model_dump()
    for spec in topology["chains"]:
        if spec["kind"] != "solana":  # every EVM chain: the default engine is revm now
            spec["engine"] = request.param
    devnet = Devnet(topology)
    chain = devnet.evm("arbitrum" if request.param == "py-evm" else "base")
    accounts = [a.address for a in chain.accounts]
    assert len(accounts) >= 10, "contract tests need at least 10 funded accounts"
    return BackingChain(devnet=devnet, w3=chain.w3, accounts=accounts)


@pytest.fixture
def w3(_backing_chain: BackingChain) -> Iterator[Web3]:
    """Automining web3 handle; chain state is reverted after each test."""
    snap = _backing_chain.snapshot()
    try:
        yield _backing_chain.w3
    finally:
        _backing_chain.revert(snap)


@pytest.fixture
def advance(_backing_chain: BackingChain, w3: Web3) -> Callable[[float], None]:
    """``advance(seconds)``: move the devnet's shared clock (deadlines pass without waiting)."""

    def _advance(seconds: float) -> None:
        _backing_chain.devnet.advance(seconds)

    return _advance


@pytest.fixture
def accounts(_backing_chain: BackingChain, w3: Web3) -> list[str]:
    """At least 10 funded, unlocked, checksummed accounts (accounts[0] is the usual deployer)."""
    return list(_backing_chain.accounts)


@pytest.fixture
def deploy(w3: Web3, accounts: list[str]) -> DeployFn:
    """``deploy(name, *args, sender=None)``: deploy a bundled artifact, return the contract."""

    def _deploy(name: str, *args: Any, sender: str | None = None) -> Contract:
        return deploy_contract(w3, name, *args, sender=sender or accounts[0])

    return _deploy


@pytest.fixture(scope="session")
def _protocol_env(_backing_chain: BackingChain) -> Env:
    """A deployed protocol with 4 staked, validated nodes, built ONCE per test session.

    Session scope makes it exist before any test's snapshot, so each test starts from it and
    reverts back to it (deploying the suite costs ~55 transactions). Built only from
    ``_backing_chain``, so swapping the chain there swaps it here too.
    """
    return make_env(_backing_chain.w3, _backing_chain.accounts, n_miners=4)


@pytest.fixture(scope="session")
def _protocol_env_unvalidated(_backing_chain: BackingChain) -> Env:
    """Like ``_protocol_env`` but with 3 nodes left in state Added (not yet ephemeral)."""
    return make_env(_backing_chain.w3, _backing_chain.accounts, n_miners=3, ephemeral=False)


@pytest.fixture
def env(_protocol_env: Env, w3: Web3) -> Env:
    """The shared protocol environment, inside this test's snapshot."""
    return _protocol_env
