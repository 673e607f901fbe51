"""Proof of Inference: redundant results judged by similarity, deterministically."""

from __future__ import annotations

from cortensor_sim.protocol.inference import (
    SIMILARITY_THRESHOLD,
    Verdict,
    cosine_similarity,
    honest_answer,
    judge,
    made_up_answer,
)

A, B, C = "0xa", "0xb", "0xc"


def test_honest_answers_are_deterministic_and_prompt_specific() -> None:
    assert honest_answer("What is L3?") == honest_answer("What is L3?")
    assert honest_answer("What is L3?") != honest_answer("What is L2?")
    assert honest_answer("What is L3?", model_id=1) != honest_answer("What is L3?")


def test_identical_results_are_fully_similar_and_unrelated_ones_are_not() -> None:
    answer = honest_answer("Explain rollups")
    assert abs(cosine_similarity(answer, answer) - 1.0) < 1e-9
    assert cosine_similarity(answer, "Lorem ipsum: an unrelated, made-up reply.") < SIMILARITY_THRESHOLD


def test_agreeing_miners_are_valid_and_the_outlier_invalid() -> None:
    answer = honest_answer("Explain rollups")
    verdicts = judge({A: answer, B: answer, C: "Completely different text about cooking pasta."}, [A, B, C])
    assert verdicts == {A: Verdict.VALID, B: Verdict.VALID, C: Verdict.INVALID}


def test_a_missing_result_is_none_and_a_lone_result_is_retry() -> None:
    answer = honest_answer("Explain rollups")
    assert judge({A: answer, B: answer}, [A, B, C])[C] == Verdict.NONE
    assert judge({A: answer}, [A, B]) == {A: Verdict.RETRY, B: Verdict.NONE}


def test_results_from_unassigned_miners_are_ignored() -> None:
    answer = honest_answer("Explain rollups")
    verdicts = judge({A: answer, B: answer, "0xd": "noise"}, [A, B])
    assert verdicts == {A: Verdict.VALID, B: Verdict.VALID}


def test_made_up_answers_are_each_their_own_and_reproducible() -> None:
    first = made_up_answer(7, "miner1", 3)
    assert first == made_up_answer(7, "miner1", 3)
    others = [made_up_answer(7, "miner2", 3), made_up_answer(8, "miner1", 3), made_up_answer(7, "miner1", 4)]
    honest = honest_answer("Explain rollups")
    for other in [*others, honest]:
        assert other != first
        assert cosine_similarity(first, other) < SIMILARITY_THRESHOLD / 2


def test_without_a_majority_every_result_is_retry() -> None:
    honest = honest_answer("Explain rollups")
    liars = {B: made_up_answer(1, "b", 0), C: made_up_answer(1, "c", 0)}
    assert judge({A: honest, **liars}, [A, B, C]) == dict.fromkeys((A, B, C), Verdict.RETRY)
    assert judge({A: honest, B: liars[B]}, [A, B]) == {A: Verdict.RETRY, B: Verdict.RETRY}
