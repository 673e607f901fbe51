"""What the plugin's options and ini settings ask for, read and checked once per session.

A bad topology file is refused here, before any test runs, with the file, line and field
(``topology.yaml:7: chains[2].parent: unknown parent 'l2'``), never with a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ..chains.topology import Topology, default_topology
from ..scenario.source import InputError, load_yaml_model


class SettingsError(ValueError):
    """An option or ini setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    topology: Topology
    protocol: bool
    """Whether the session's devnet has the Cortensor contracts deployed."""
    topology_source: str
    """Where the topology came from (a path, or "default"), for the session header."""


def settings_from(config: pytest.Config) -> Settings:
    path_text = config.getoption("--cortensor-topology") or config.getini("cortensor_topology")
    seed = config.getoption("--cortensor-seed") or config.getini("cortensor_seed")
    if path_text:
        path = Path(path_text)
        if not path.is_absolute() and not config.getoption("--cortensor-topology"):
            path = config.rootpath / path  # ini paths are relative to the ini file's rootdir
        try:
            topology = load_yaml_model(path, Topology)
        except InputError as exc:
            raise SettingsError(f"--cortensor-topology: {exc}") from None
        source = str(path)
    else:
        topology = default_topology()
        source = "default"
    if seed:
        topology = topology.model_copy(update={"seed": seed})
    protocol = bool(config.getini("cortensor_protocol"))
    return Settings(topology=topology, protocol=protocol, topology_source=source)
