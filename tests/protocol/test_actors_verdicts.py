"""Proof of Inference among redundant results, played by the actors on the clock."""

from __future__ import annotations

from actor_helpers import run_population

from cortensor_sim.protocol.actors import PopulationConfig, Profile, Verdict, verdicts_for
from cortensor_sim.protocol.backends import BuiltinBackend

SLASH = 50 * 10**18


def test_one_malicious_miner_of_three_is_outvoted_penalized_and_slashed() -> None:
    population = run_population(PopulationConfig(miners=3, profiles={2: Profile("malicious")}), tasks=2)
    metrics = population.metrics()
    assert metrics.tasks_completed == 2 and metrics.tasks_failed == 0
    assert metrics.penalties == {"miner2": 2 * SLASH}
    assert set(metrics.earnings) == {"miner0", "miner1"}
    assert metrics.reputation["miner2"] == {"success": 0, "failure": 2}
    assert metrics.reputation["miner0"] == {"success": 2, "failure": 0}
    votes = population.validator.votes  # type: ignore[union-attr]
    bad = population.signers["miner2"].address
    assert all(v[bad] == Verdict.INVALID for v in votes.values())
    assert metrics.chains["arbitrum"].reverted == 0
    assert metrics.latency(50) is not None and metrics.latency(50) < 60
    assert population.metrics().to_dict() == metrics.to_dict()  # read again, counted once


def test_a_colluding_majority_makes_the_wrong_answer_win() -> None:
    """The known limit of redundancy: two miners committing the same made-up answer are the
    medoid, so the one honest miner is judged INVALID and slashed, and the cartel is paid.
    Cortensor's docs rely on node selection and stake to make such a majority unlikely."""
    profiles = {0: Profile("colluding"), 1: Profile("colluding")}
    population = run_population(PopulationConfig(miners=3, profiles=profiles), tasks=1)
    metrics = population.metrics()
    assert metrics.penalties == {"miner2": SLASH}
    assert set(metrics.earnings) == {"miner0", "miner1"}
    assert metrics.tasks_completed == 1  # returned as valid: nothing on chain tells it is wrong


def test_a_lazy_miner_fails_the_usefulness_and_similarity_checks() -> None:
    population = run_population(PopulationConfig(miners=3, profiles={1: Profile("lazy")}), tasks=1)
    metrics = population.metrics()
    assert metrics.penalties == {"miner1": SLASH}
    assert set(metrics.earnings) == {"miner0", "miner2"}


def test_the_reference_answer_is_chosen_among_useful_results_only() -> None:
    """Honest, lazy and malicious disagree three ways: the low-effort answer is not useful, so it
    cannot be the medoid; the honest answer is the reference and the only VALID one."""
    backend = BuiltinBackend(0)
    prompt = "Explain topic number 1 of decentralized inference in two lines."
    results = {b"\x01" * 20: backend.complete(prompt), b"\x02" * 20: "OK.", b"\x03" * 20: "lorem ipsum dolor"}
    votes = verdicts_for(backend, prompt, results)
    assert votes == {
        b"\x01" * 20: Verdict.VALID,
        b"\x02" * 20: Verdict.INVALID,
        b"\x03" * 20: Verdict.INVALID,
    }
    assert verdicts_for(backend, prompt, {b"\x01" * 20: "alone"}) == {b"\x01" * 20: Verdict.RETRY}


def test_a_node_that_fails_its_checks_leaves_the_pool_when_its_session_releases_it() -> None:
    """NodePool's reputation policy (3 recent validations, 80 % successful) decides who returns:
    the validator revalidates each released node through promoteByReputation; the malicious one
    is refused and stays out of the ephemeral pool."""
    population = run_population(PopulationConfig(miners=3, profiles={2: Profile("malicious")}), tasks=3)
    population.close_sessions()
    population.run(5)
    metrics = population.metrics()
    assert metrics.left_pool == ["miner2"]
    ephemeral = population.handle.view.ephemeral
    assert population.signers["miner0"].address in ephemeral
    assert population.signers["miner2"].address not in ephemeral
    assert (
        int(population.handle.call("node_pool", "getNodeStatus", population.signers["miner2"].hex_address)[0])
        == 4
    )
