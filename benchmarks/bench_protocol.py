"""Cortensor protocol benchmark: gas per step, and 100 tasks x redundancy 3 through every phase.

    python benchmarks/bench_protocol.py [--tasks 100] [--redundancy 3] [--json out.json]

Set-up (deploy, stake nodes, open and fund a session) runs on the arbitrum chain in automine.
Then the chain switches to interval mining and each phase is sent as one batch that lands when the
clock advances one Arbitrum block time (0.25 s), as a router, miners, the oracle and the validator
would drive it on a real chain: submit, assign, ack, endAck, precommit, endPrecommit, commit,
endCommit, end, verdicts, finalize, allocateNodePayments. The wall time of that pipeline is the
figure to quote; gas per step comes from every receipt.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from cortensor_sim import Devnet
from cortensor_sim.protocol.funding import deploy_network
from cortensor_sim.protocol.inference import honest_answer, judge
from cortensor_sim.protocol.network import COR, NODE_STAKE


def run(tasks: int, redundancy: int) -> dict[str, object]:
    devnet = Devnet()
    chain = devnet.evm("arbitrum")
    net = deploy_network(devnet, "arbitrum", miners=redundancy + 1, users=1)
    user = net.actors.users[0]
    net.fund(user, (tasks * redundancy + 100) * COR)
    for miner in net.actors.miners:
        net.fund(miner, NODE_STAKE)
        net.add_node(miner)
    session_id = net.open_session(user, redundancy=redundancy, deposit=(tasks * redundancy + 50) * COR)
    miners = net.session_miners(session_id)
    first = net.next_task_id(session_id)
    task_ids = list(range(first, first + tasks))
    prompts = {t: f"Benchmark prompt number {t}: explain inference routing." for t in task_ids}
    setup_steps = len(net.steps)

    chain.mining = "interval"
    phases: list[tuple[str, float, int]] = []
    start_height = chain.height

    def batch(name: str, send: object) -> None:
        started = time.perf_counter()
        send()  # type: ignore[operator]
        count = chain.pending
        devnet.advance(0.25)
        net.settle()
        phases.append((name, time.perf_counter() - started, count))

    answers = {t: {m: honest_answer(prompts[t]) for m in miners} for t in task_ids}
    wall, cpu = time.perf_counter(), time.process_time()
    batch("submit", lambda: [net.submit(user, session_id, prompts[t], t) for t in task_ids])
    batch("assignTask", lambda: net.assign(session_id, task_ids, miners))
    batch("ack", lambda: net.ack(session_id, task_ids, miners))
    batch("endAck", lambda: net.end_phase("ack", session_id, task_ids))
    batch("precommit", lambda: net.precommit(session_id, answers))
    batch("endPrecommit", lambda: net.end_phase("precommit", session_id, task_ids))
    batch("commit", lambda: net.commit(session_id, answers))
    batch("endCommit", lambda: net.end_phase("commit", session_id, task_ids))
    batch("end", lambda: net.end_phase("end", session_id, task_ids))
    verdicts = {t: judge(net.task_results(session_id, t), miners) for t in task_ids}
    # Verdicts then finalize, in one block: the pool is FIFO, so each task's verdicts land first.
    batch("verdicts + finalize", lambda: net.validate(session_id, verdicts))
    batch("allocateNodePayments", lambda: net.pay(session_id, task_ids))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    gas: dict[str, list[int]] = defaultdict(list)
    for step in net.steps:
        gas[step.action.split()[0]].append(step.gas_used)
    pipeline_steps = len(net.steps) - setup_steps
    return {
        "tasks": tasks,
        "redundancy": redundancy,
        "pipeline_wall_s": wall,
        "pipeline_cpu_s": cpu,
        "pipeline_transactions": pipeline_steps,
        "pipeline_tx_per_s": pipeline_steps / wall,
        "blocks": chain.height - start_height,
        "phases": [{"phase": n, "seconds": s, "transactions": c} for n, s, c in phases],
        "gas": {
            action: {
                "count": len(values),
                "min": min(values),
                "median": int(statistics.median(values)),
                "max": max(values),
            }
            for action, values in gas.items()
        },
        "conserved": sum(net.cor_balances().values()) == net.total_supply(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--redundancy", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.tasks, args.redundancy)
    console = Console()

    gas = Table(title="gas per protocol step (every receipt of the run)", title_justify="left")
    for column in ("step", "count", "min", "median", "max"):
        gas.add_column(column, justify="left" if column == "step" else "right")
    for action, figures in result["gas"].items():  # type: ignore[union-attr]
        gas.add_row(action, *(f"{figures[k]:,}" for k in ("count", "min", "median", "max")))
    console.print(gas)

    phases = Table(
        title=f"{result['tasks']} tasks x redundancy {result['redundancy']}, batched per phase",
        title_justify="left",
    )
    for column in ("phase", "transactions", "seconds"):
        phases.add_column(column, justify="left" if column == "phase" else "right")
    for phase in result["phases"]:  # type: ignore[union-attr]
        phases.add_row(phase["phase"], str(phase["transactions"]), f"{phase['seconds']:.2f}")
    console.print(phases)
    console.print(
        f"pipeline: {result['pipeline_transactions']} transactions in {result['blocks']} blocks, "
        f"{result['pipeline_wall_s']:.1f} s wall, {result['pipeline_cpu_s']:.1f} s CPU "
        f"({result['pipeline_tx_per_s']:.0f} tx/s); "
        f"COR conserved: {result['conserved']}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
