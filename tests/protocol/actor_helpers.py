"""A small devnet for the actor tests: l1 and arbitrum only (the session chain and its parent)."""

from __future__ import annotations

from typing import Any

from cortensor_sim.chains import Devnet
from cortensor_sim.protocol.actors import Population, PopulationConfig

PROMPTS = [f"Explain topic number {i} of decentralized inference in two lines." for i in range(12)]


def small_devnet(accounts: int = 12, mining: str = "auto") -> Devnet:
    topology: dict[str, Any] = {
        "accounts": accounts,
        "chains": [
            {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
            {
                "name": "arbitrum",
                "kind": "nitro",
                "parent": "l1",
                "chain_id": 412346,
                "block_time": 0.25,
                "mining": mining,
            },
        ],
    }
    return Devnet(topology)


def run_population(config: PopulationConfig, tasks: int, **kwargs: Any) -> Population:
    population = Population.deploy(small_devnet(), config, **kwargs)
    population.submit("user0", PROMPTS[:tasks], every_s=1)
    assert population.run_until_idle(900), "the requests were not all returned within 15 minutes"
    return population
