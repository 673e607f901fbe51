"""The actors run a private session on l3 as they run a clear one on arbitrum: the user makes its
session private and posts the key to its readers, the router submits sealed prompts, the miners
open them and commit sealed answers, the validator judges the plaintexts; no plaintext reaches
any chain."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from actor_helpers import PROMPTS as HELPER_PROMPTS
from actor_helpers import small_devnet

from cortensor_sim import Devnet
from cortensor_sim.protocol.actors import Population, PopulationConfig, Profile, Verdict
from cortensor_sim.protocol.actors.private import PRIVATE_PREFIX, PrivatePayloadError
from cortensor_sim.protocol.privacy.leaks import find_leaks

PROMPTS = [
    "Draft a confidential memo on the Q3 acquisition of Northwind Robotics for the board.",
    "Summarize patient 4471's lab results: glucose 182 mg/dL, HbA1c 8.9 percent.",
]
COR = 10**18


def l3_devnet() -> Devnet:
    """l1, arbitrum and a COR-gas l3 on it: the layers a private session on l3 needs."""
    topology: dict[str, Any] = {
        "chains": [
            {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
            {"name": "arbitrum", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 0.25},
            {
                "name": "l3",
                "kind": "orbit",
                "parent": "arbitrum",
                "chain_id": 333333,
                "block_time": 0.25,
                "native_token": "COR",
            },
        ],
    }
    return Devnet(topology)


@pytest.fixture(scope="module")
def private_population() -> Population:
    config = PopulationConfig(miners=3, profiles={2: Profile("malicious")}, private=True, deposit=100 * COR)
    population = Population.deploy(l3_devnet(), config, chain="l3")
    population.submit("user0", PROMPTS, every_s=1)
    assert population.run_until_idle(600), "the private requests were not all returned in 10 minutes"
    return population


def test_the_actors_complete_a_private_session_on_l3(private_population: Population) -> None:
    metrics = private_population.metrics()
    assert (metrics.tasks_requested, metrics.tasks_completed, metrics.tasks_failed) == (2, 2, 0)
    assert metrics.actions["submitPrivate"] == 2
    assert "submit" not in metrics.actions  # the router never submitted a prompt in clear
    assert metrics.reverted_actions == {}
    view = private_population.handle.view
    (session,) = view.sessions.values()
    assert session.private


def test_the_validator_judges_the_opened_results_and_the_liar_is_slashed(
    private_population: Population,
) -> None:
    liar = private_population.signers["miner2"].address
    validator = private_population.validator
    assert validator is not None
    assert len(validator.votes) == 2
    for votes in validator.votes.values():
        assert votes[liar] == Verdict.INVALID
        assert sorted(v for m, v in votes.items() if m != liar) == [Verdict.VALID, Verdict.VALID]
    metrics = private_population.metrics()
    assert metrics.penalties == {"miner2": 2 * private_population.config.slash}
    assert set(metrics.earnings) == {"miner0", "miner1"}


def test_only_ciphertexts_and_commitments_are_on_chain(private_population: Population) -> None:
    view = private_population.handle.view
    for task in view.tasks.values():
        assert task.prompt.startswith(PRIVATE_PREFIX)  # the queue holds the commitment only
        results = private_population.handle.committed_results(task)
        assert results and all(r.startswith(PRIVATE_PREFIX) for r in results.values())


def test_no_prompt_or_result_is_on_any_chain(private_population: Population) -> None:
    texts = private_population.plaintexts()
    assert set(PROMPTS) <= set(texts)
    assert any(t.startswith("Made up: ") for t in texts)  # the liar's answer, opened
    assert len(texts) == len(PROMPTS) * 4  # each prompt and its three results
    assert find_leaks(private_population.devnet, texts) == []
    # The search reaches where the payloads are: the task descriptors it does find.
    descriptor = next(iter(private_population.handle.view.tasks.values())).prompt
    assert find_leaks(private_population.devnet, [descriptor])


def test_an_actor_without_an_envelope_cannot_read_the_session(private_population: Population) -> None:
    task = next(iter(private_population.handle.view.tasks.values()))
    with pytest.raises(PrivatePayloadError, match="no session key is posted"):
        private_population.keyrings["oracle"].open_prompt(task)
    assert private_population.keyrings["miner0"].open_prompt(task) in PROMPTS


def test_windows_shared_with_public_texts_are_not_counted_as_storage_leaks(
    private_population: Population,
) -> None:
    """The descriptor is on chain in logs and storage; named public, its storage windows are
    skipped (a phrase shared with a clear session proves nothing) but its log is still found."""
    devnet = private_population.devnet
    descriptor = next(iter(private_population.handle.view.tasks.values())).prompt
    assert {leak.place for leak in find_leaks(devnet, [descriptor])} >= {"log", "storage"}
    shared = {leak.place for leak in find_leaks(devnet, [descriptor], public=[descriptor])}
    assert "storage" not in shared and "log" in shared


def test_a_restarted_router_reopens_its_key_and_submits_each_sealed_prompt_once() -> None:
    """On an interval chain, with several sealed prompts pooled at once: the restart drops the
    router's state and its opened keys; it waits for its pooled transactions, reads the task
    count again, and reopens the key from its envelope."""
    population = Population.deploy(small_devnet(mining="interval"), PopulationConfig(miners=3, private=True))
    population.submit("user0", HELPER_PROMPTS[:4], every_s=3)
    population.run(8)  # some sealed prompts submitted, some not handed over yet
    router = population.router
    assert router is not None and router.keyring is not None
    assert router.outcomes == {} and router.inbox and router.keyring.keys, "the restart must fall mid-run"
    router.restart()
    assert not router.inbox and not router.keyring.keys
    assert population.run_until_idle(900)
    view = population.handle.new_view()
    attempts = Counter(t.reference.rpartition("/")[0] for t in view.tasks.values())
    assert attempts == {f"user0-{i}": 1 for i in range(4)}  # each request submitted exactly once
    metrics = population.metrics()
    assert metrics.tasks_completed == 4 and metrics.reverted_actions == {}
    assert find_leaks(population.devnet, population.plaintexts()) == []
