"""Deadlines on the clock: the oracle forces phases past a slow miner and the router reassigns."""

from __future__ import annotations

from actor_helpers import run_population

from cortensor_sim.protocol.actors import PopulationConfig, Profile


def test_a_slow_miners_missed_deadline_is_forced_by_the_oracle_and_the_task_reassigned() -> None:
    """Redundancy 2 in a session of 3 nodes: wherever the always-late miner0 is assigned, its
    partner's result is alone (RETRY), so the router submits the request again to the other two."""
    config = PopulationConfig(
        miners=3, redundancy=2, spare_nodes=1, deadlines=(10, 10, 10), profiles={0: Profile("slow", rate=1.0)}
    )
    population = run_population(config, tasks=3)
    metrics = population.metrics()
    assert metrics.forced_phases >= 1
    assert metrics.tasks_reassigned >= 1
    assert metrics.tasks_completed == 3 and metrics.tasks_failed == 0
    assert metrics.reputation["miner0"]["success"] == 0 < metrics.reputation["miner0"]["failure"]
    assert "miner0" not in metrics.earnings
    assert metrics.penalties == {}  # missing is penalized in points and reputation, not slashed


def test_an_offline_miner_misses_its_tasks_and_the_others_carry_them() -> None:
    config = PopulationConfig(
        miners=3, deadlines=(10, 10, 10), profiles={1: Profile("offline", offline_at_s=0)}
    )
    population = run_population(config, tasks=2)
    metrics = population.metrics()
    assert metrics.tasks_completed == 2
    assert metrics.forced_phases >= 2
    assert "miner1" not in metrics.earnings and metrics.reputation["miner1"]["failure"] == 2
