"""Time stays finite and inside uint64 block timestamps: bad durations and genesis times are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cortensor_sim import Devnet
from cortensor_sim.chains.topology import LATEST_TIME, Topology

CHAINS = [{"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12}]


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0, "12"])
def test_advance_refuses_what_is_not_a_finite_forward_duration(seconds: object) -> None:
    devnet = Devnet({"chains": CHAINS})
    with pytest.raises(ValueError, match="finite, non-negative duration"):
        devnet.advance(seconds)  # type: ignore[arg-type]
    assert devnet.clock.elapsed == 0


def test_advance_refuses_to_pass_year_9999_and_keeps_the_clock() -> None:
    devnet = Devnet({"genesis_time": LATEST_TIME - 100, "chains": CHAINS})
    devnet.advance(60)
    with pytest.raises(ValueError, match="would pass 9999-12-31"):
        devnet.advance(41)
    assert devnet.clock.elapsed == 60
    devnet.advance(40)
    assert devnet.chains["l1"].w3.eth.get_block("latest")["timestamp"] <= LATEST_TIME


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("genesis_time", LATEST_TIME + 1, "less than or equal"),
        ("genesis_time", 2**64, "less than or equal"),
        ("genesis_time", True, "valid integer"),
        ("accounts", True, "valid integer"),
    ],
)
def test_topology_refuses_out_of_range_or_boolean_values(field: str, value: object, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        Topology.model_validate({field: value, "chains": CHAINS})


@pytest.mark.parametrize("block_time", [True, 1e308, float("inf"), float("nan"), 86_401])
def test_block_time_is_a_finite_number_up_to_a_day(block_time: object) -> None:
    with pytest.raises(ValidationError, match="block_time"):
        Topology.model_validate({"chains": [{**CHAINS[0], "block_time": block_time}]})
