"""The same scenario file and seed give the same event trace (and hash); another seed another one."""

from __future__ import annotations

from pathlib import Path

from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.report import summary
from cortensor_sim.scenario.runner import run_scenario

SCENARIO = """\
name: determinism
seed: 9
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
parameters: {redundancy: 3, slash: 5 COR}
actors: {users: 1, miners: 3, dishonest_rate: 0.3}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 200 COR}  # the deposit, and the session bond on top
  - {do: fund, to: [miners], amount: 6000 COR}
  - do: register_nodes
  - {do: open_session, name: s1}
  - {do: submit_tasks, session: s1, count: 2}
  - {do: run_tasks, session: s1}
  - {do: advance, by: 1d}
"""


def test_same_file_and_seed_same_trace_other_seed_other_trace(tmp_path: Path) -> None:
    path = tmp_path / "determinism.yaml"
    path.write_text(SCENARIO)
    first = run_scenario(load_scenario(path))
    second = run_scenario(load_scenario(path))
    other = run_scenario(load_scenario(path), seed=10)

    assert first.run.trace == second.run.trace
    assert first.run.trace_hash == second.run.trace_hash
    assert summary(first) == summary(second)
    assert len(first.run.trace) == 8 and sum(len(e["txs"]) for e in first.run.trace) > 50

    assert other.run.trace_hash != first.run.trace_hash
    # The seed reaches the chains (block hashes), not only the trace's label.
    assert other.run.trace[-1]["heads"]["l1"] != first.run.trace[-1]["heads"]["l1"]


def test_a_cross_layer_run_is_deterministic_and_its_bridge_transactions_are_in_the_trace() -> None:
    from cortensor_sim.scenario.loader import bundled_scenarios

    path = bundled_scenarios()["withdrawal-base-to-l1"]
    first, second = run_scenario(load_scenario(path)), run_scenario(load_scenario(path))
    assert first.run.trace_hash == second.run.trace_hash
    assert summary(first) == summary(second)
    actions = [t["action"] for entry in first.run.trace for t in entry["txs"]]
    assert actions.count("bridgeERC20") == 2 and actions.count("bridgeETH") == 1


ACTORS = """\
name: actors-trace
seed: 2
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
parameters: {session_chain: arbitrum, redundancy: 3}
actors: {users: 1, miners: 3, behaviour: {miner2: BEHAVIOUR}}
timeline:
  - {do: run_network, tasks: 1}
"""


def test_the_trace_holds_every_transaction_the_actors_sent(tmp_path: Path) -> None:
    """The actors sign through their own client, not the scripted steps: the trace still holds
    each of their transactions (status, gas, logs), so a run where one miner behaves otherwise
    has another trace and another hash, down to the transactions, not only the heads."""

    def run(behaviour: str) -> list[dict[str, object]]:
        path = tmp_path / f"{behaviour}.yaml"
        path.write_text(ACTORS.replace("BEHAVIOUR", behaviour))
        result = run_scenario(load_scenario(path))
        assert result.failed_step is None, result.failed_step
        (entry,) = result.run.trace
        assert result.run.steps[0].txs == len(entry["executed"])
        return [result.run.trace_hash, entry["executed"]]

    honest_hash, honest = run("honest")
    assert run("honest") == [honest_hash, honest]
    assert len(honest) > 20 and {t["chain"] for t in honest} >= {"arbitrum"}
    assert all(t["status"] in (0, 1) and t["gas"] > 0 for t in honest)
    malicious_hash, malicious = run("malicious")
    assert malicious_hash != honest_hash
    assert [(t["tx"], t["logs"]) for t in malicious] != [(t["tx"], t["logs"]) for t in honest]
