"""Registering a kind adds it to the format: every registered step and expectation is in the schema."""

from __future__ import annotations

from typing import Literal

import pytest

from cortensor_sim.scenario.registry import EXPECTATIONS, STEPS, Registry, StepKind
from cortensor_sim.scenario.schema import json_schema


def test_every_registered_kind_is_in_the_json_schema_and_documented() -> None:
    schema = json_schema()
    steps = schema["properties"]["timeline"]["items"]["discriminator"]["mapping"]
    checks = schema["properties"]["expectations"]["items"]["discriminator"]["mapping"]
    assert set(steps) == set(STEPS.kinds) and len(steps) >= 10
    assert set(checks) == set(EXPECTATIONS.kinds) and len(checks) >= 5
    for kind in (*STEPS.models(), *EXPECTATIONS.models()):
        assert kind.__doc__ and kind.__doc__.strip(), f"{kind.__name__} needs a docstring for the schema"


def test_a_kind_name_is_registered_once() -> None:
    registry: Registry[StepKind] = Registry("do")

    class Warp(StepKind):
        """Jump."""

        do: Literal["warp"]

    registry.register(Warp)
    assert registry.kinds == {"warp": Warp}
    with pytest.raises(ValueError, match="'warp' registered twice"):
        registry.register(Warp)
