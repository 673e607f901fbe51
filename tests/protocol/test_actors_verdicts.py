"""Proof of Inference among redundant results, played by the actors on the clock."""

from __future__ import annotations

import pytest
from actor_helpers import run_population

from cortensor_sim.protocol.actors import Population, PopulationConfig, Profile, Verdict, verdicts_for
from cortensor_sim.protocol.backends import BuiltinBackend
from cortensor_sim.protocol.inference import majority_verdicts

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
    """Two identical low-effort answers are closest to each other of all five, but they are not
    useful, so the medoid is taken among the three honest answers, which are a majority."""
    backend = BuiltinBackend(0)
    prompt = "Explain topic number 1 of decentralized inference in two lines."
    honest, lazy = [bytes([i]) * 20 for i in (1, 2, 3)], [bytes([i]) * 20 for i in (4, 5)]
    results = {**dict.fromkeys(honest, backend.complete(prompt)), **dict.fromkeys(lazy, "OK.")}
    votes = verdicts_for(backend, prompt, results)
    assert votes == {**dict.fromkeys(honest, Verdict.VALID), **dict.fromkeys(lazy, Verdict.INVALID)}
    assert verdicts_for(backend, prompt, {b"\x01" * 20: "alone"}) == {b"\x01" * 20: Verdict.RETRY}


def test_without_a_majority_the_validator_accepts_no_answer_as_the_scripted_judge() -> None:
    """Honest, lazy and made-up answers disagree three ways: one agreeing result of three is no
    majority, so every vote is RETRY (nobody paid, nobody slashed), by the scripted judge's rule."""
    backend = BuiltinBackend(0)
    prompt = "Explain topic number 1 of decentralized inference in two lines."
    results = {b"\x01" * 20: backend.complete(prompt), b"\x02" * 20: "OK.", b"\x03" * 20: "lorem ipsum dolor"}
    votes = verdicts_for(backend, prompt, results)
    assert votes == dict.fromkeys(results, Verdict.RETRY)
    agrees = {m: m == b"\x01" * 20 for m in results}
    assert votes == majority_verdicts(agrees)  # the one rule both judges apply


class _LenientJudge(BuiltinBackend):
    """A usefulness judge that passes every answer (as a lenient LLM judge may): Proof of
    Inference alone must then keep liars from outvoting the honest miner."""

    def judge(self, prompt: str, answer: str) -> float:
        return 1.0


def _verdicts_by_name(population: Population) -> list[dict[str, Verdict]]:
    names = population.names
    votes = population.validator.votes  # type: ignore[union-attr]
    return [{names[m]: v for m, v in by_miner.items()} for _, by_miner in sorted(votes.items())]


def test_two_malicious_miners_of_three_win_nothing_and_condemn_nobody() -> None:
    """Each liar makes up its own answer, so no answer has a majority: every vote is RETRY, as
    the scripted judge rules, and the router's reassignments fail the same way."""
    profiles = {1: Profile("malicious"), 2: Profile("malicious")}
    config = PopulationConfig(miners=3, profiles=profiles)
    population = run_population(config, tasks=1, backend=_LenientJudge(0))
    metrics = population.metrics()
    assert metrics.tasks_completed == 0 and metrics.tasks_failed == 1
    votes = _verdicts_by_name(population)
    assert len(votes) == config.max_attempts  # the first attempt and two reassignments
    assert all(v == dict.fromkeys(("miner0", "miner1", "miner2"), Verdict.RETRY) for v in votes)
    assert metrics.earnings == {} and metrics.penalties == {}


@pytest.mark.parametrize(("rate", "liars_seen"), [(0.5, {0, 1, 2}), (1.0, {2})])
def test_a_sweep_over_the_malicious_rate_never_lets_two_liars_outvote_the_honest_miner(
    rate: float, liars_seen: set[int]
) -> None:
    """Two of three miners lie on ``rate`` of their tasks. On every judged task: with at most one
    liar the honest answer wins and the liar is INVALID; with two there is no majority and every
    vote is RETRY. Never is an honest result INVALID or a made-up one VALID (before the liars'
    answers differed, two of them agreed with each other and condemned the honest miner)."""
    profiles = {1: Profile("malicious", rate=rate), 2: Profile("malicious", rate=rate)}
    backend = _LenientJudge(0)
    population = run_population(PopulationConfig(miners=3, profiles=profiles), tasks=4, backend=backend)
    view, seen = population.handle.view, set()
    for key, votes in population.validator.votes.items():  # type: ignore[union-attr]
        task = view.tasks[key]
        results = population.handle.committed_results(task)
        assert results is not None and len(results) == 3
        liars = {m for m, r in results.items() if r != backend.complete(task.prompt)}
        seen.add(len(liars))
        if len(liars) < 2:
            assert votes == {m: Verdict.INVALID if m in liars else Verdict.VALID for m in results}
        else:
            assert votes == dict.fromkeys(results, Verdict.RETRY)
    assert seen == liars_seen  # the sweep reaches each case it claims to check


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
