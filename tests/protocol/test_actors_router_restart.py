"""A router that loses its state mid-run rebuilds it from the chain and loses or pays nothing twice."""

from __future__ import annotations

from collections import Counter

import pytest
from actor_helpers import PROMPTS, small_devnet

from cortensor_sim.protocol.actors import Population, PopulationConfig


@pytest.mark.parametrize("mining", ["auto", "interval"])
def test_a_restarted_router_resumes_without_losing_or_double_paying_a_task(mining: str) -> None:
    population = Population.deploy(small_devnet(mining=mining), PopulationConfig(miners=3))
    population.submit("user0", PROMPTS[:6], every_s=6)
    population.run(25)  # some tasks paid, some in flight, some not handed over yet
    router = population.router
    assert router is not None
    assert router.outcomes and router.inbox, "the restart must fall mid-run"
    router.restart()
    assert not router.outcomes and not router.inbox
    assert population.run_until_idle(900)

    view = population.handle.new_view()  # what the chain says, read from block 0
    attempts = Counter(t.reference.rpartition("/")[0] for t in view.tasks.values())
    assert attempts == {f"user0-{i}": 1 for i in range(6)}  # each request submitted exactly once
    assert all(t.allocated for t in view.tasks.values())
    paid = [amount for t in view.tasks.values() for amount in t.paid.values()]
    assert len(paid) == 6 * 3 and sum(view.earned.values()) == sum(paid)
    metrics = population.metrics()
    assert metrics.reverted_actions == {}
    assert metrics.tasks_completed == 6
