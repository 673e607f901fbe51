"""Every topology shipped under scenarios/topologies builds a devnet, and default.yaml is Devnet()."""

from __future__ import annotations

from pathlib import Path

import pytest

from cortensor_sim import Devnet
from cortensor_sim.chains.topology import Topology
from cortensor_sim.scenario.source import load_yaml_model

TOPOLOGIES = sorted((Path(__file__).resolve().parents[2] / "scenarios" / "topologies").glob("*.yaml"))


def test_there_are_bundled_topologies() -> None:
    assert len(TOPOLOGIES) >= 3


@pytest.mark.parametrize("path", TOPOLOGIES, ids=lambda p: p.stem)
def test_bundled_topology_builds_and_advances(path: Path) -> None:
    topology = load_yaml_model(path, Topology)
    devnet = Devnet(topology)
    devnet.advance(24)
    assert set(devnet.chains) == {c.name for c in topology.chains}
    for spec in topology.chains:
        if spec.is_evm:
            assert devnet.evm(spec.name).w3.eth.chain_id == spec.chain_id


def test_default_yaml_is_the_default_devnet() -> None:
    spelled_out = Devnet(load_yaml_model(TOPOLOGIES[0].with_name("default.yaml"), Topology))
    assert spelled_out.state_roots() == Devnet().state_roots()
    assert spelled_out.topology == Devnet().topology
