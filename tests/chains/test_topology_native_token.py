"""``native_token`` on a topology's chains: COR as gas only on an orbit chain whose nitro parent
settles to l1, refused elsewhere with the field named; the default l3's gas is COR."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cortensor_sim.chains.topology import Topology, default_topology

L1 = {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12}
ARBITRUM = {"name": "arbitrum", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 0.25}
BASE = {"name": "base", "kind": "op-stack", "parent": "l1", "chain_id": 901, "block_time": 2}


def _l3(parent: str, **extra: Any) -> dict[str, Any]:
    return {"name": "l3", "kind": "orbit", "parent": parent, "chain_id": 333333, "block_time": 0.25, **extra}


def test_the_default_l3_pays_its_gas_in_cor() -> None:
    topology = default_topology()
    assert topology.chain("l3").native_token == "COR"
    assert topology.chain("arbitrum").native_token == "ETH"


def test_an_orbit_chain_on_arbitrum_may_take_cor_as_gas() -> None:
    topology = Topology.model_validate({"chains": [L1, ARBITRUM, _l3("arbitrum", native_token="COR")]})
    assert topology.chain("l3").native_token == "COR"


def test_a_chain_without_a_gas_token_of_its_own_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"chains\[1\]\.native_token: only an orbit chain"):
        Topology.model_validate({"chains": [L1, {**ARBITRUM, "native_token": "COR"}]})


def test_cor_as_gas_on_an_orbit_chain_over_base_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"chains\[2\]\.native_token: COR as gas needs a nitro parent"):
        Topology.model_validate({"chains": [L1, BASE, _l3("base", native_token="COR")]})


def test_an_unknown_gas_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="native_token"):
        Topology.model_validate({"chains": [L1, ARBITRUM, _l3("arbitrum", native_token="DOGE")]})
