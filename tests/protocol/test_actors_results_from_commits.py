"""The validator reads committed results from the commit transactions, as getTaskResults has them."""

from __future__ import annotations

from actor_helpers import run_population

from cortensor_sim.protocol.actors import PopulationConfig, Profile


def test_results_read_from_commit_calldata_equal_get_task_results_in_its_order() -> None:
    population = run_population(
        PopulationConfig(miners=4, redundancy=3, spare_nodes=1, profiles={1: Profile("malicious")}), tasks=3
    )
    handle = population.handle
    judged = [task for task in handle.view.tasks.values() if task.committed]
    assert len(judged) >= 3
    for task in judged:
        miners, texts = handle.call("queue", "getTaskResults", *task.key)
        expected = {bytes.fromhex(m[2:]): t for m, t in zip(miners, texts, strict=True)}
        read = handle.committed_results(task)
        assert read is not None
        assert list(read.items()) == list(expected.items())  # same results, same order
    texts = [text for task in judged for text in (handle.committed_results(task) or {}).values()]
    assert any(text.startswith("Made up:") for text in texts)  # the malicious miner's answers are among them


def test_a_commit_that_is_not_a_plain_commit_call_is_left_to_get_task_results() -> None:
    population = run_population(PopulationConfig(miners=3), tasks=1)
    handle = population.handle
    task = next(task for task in handle.view.tasks.values() if task.committed)
    miner = next(iter(task.committed))
    task.commit_txs[miner] = task.commit_txs[next(m for m in task.committed if m != miner)]  # another's
    assert handle.committed_results(task) is None
    task.commit_txs[miner] = b"\x00" * 32  # a transaction the chain does not know
    assert handle.committed_results(task) is None
