"""The pytest entry point: options, ini settings and the marker; the fixtures come from :mod:`.fixtures`.

Why two modules: pytest imports this module in every run of every project where cortensor-sim is
installed, so it only declares options; neither module imports web3 or py-evm before a fixture
asks for the devnet (``python -X importtime -m pytest`` shows it). The fixtures module is registered in
:func:`pytest_configure`, and only when the plugin is enabled, so ``cortensor_enabled = false``
removes the fixtures as completely as ``-p no:cortensor_sim`` does.
"""

from __future__ import annotations

import pytest

PLUGIN_NAME = "cortensor_sim"
"""The ``pytest11`` entry point's name: ``-p no:cortensor_sim`` turns the plugin off."""

NO_ISOLATION_MARKER = "cortensor_no_isolation"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cortensor_sim", "cortensor-sim devnet fixtures")
    group.addoption(
        "--cortensor-topology",
        metavar="PATH",
        default=None,
        help="topology YAML for the session's devnet (default: ini cortensor_topology, else "
        "l1, base, arbitrum, l3, solana)",
    )
    group.addoption(
        "--cortensor-seed",
        metavar="TEXT",
        default=None,
        help="seed of the session's devnet, overriding the topology's (default: ini cortensor_seed)",
    )
    parser.addini(
        "cortensor_enabled",
        type="bool",
        default=True,
        help="false turns the cortensor-sim fixtures off (as -p no:cortensor_sim does)",
    )
    parser.addini("cortensor_topology", type="string", default="", help="topology YAML, relative to rootdir")
    parser.addini("cortensor_seed", type="string", default="", help="seed of the session's devnet")
    parser.addini(
        "cortensor_protocol",
        type="bool",
        default=True,
        help="deploy the Cortensor contracts into the session's devnet (false: bare chains)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{NO_ISOLATION_MARKER}: this test's changes to the devnet are kept for the tests after it "
        "(no snapshot/revert around it); the enclosing module or class is still reverted at its end",
    )
    if not config.getini("cortensor_enabled"):
        return
    from . import fixtures  # light: the fixtures import the chains when first used

    if config.getoption("--cortensor-topology") or config.getini("cortensor_topology"):
        # a named topology file is read now, so that a bad one stops the run before any test
        from .settings import SettingsError, settings_from

        try:
            config.stash[fixtures.SETTINGS] = settings_from(config)
        except SettingsError as exc:
            raise pytest.UsageError(f"cortensor-sim: {exc}") from None
    config.pluginmanager.register(fixtures, "cortensor_sim.fixtures")
