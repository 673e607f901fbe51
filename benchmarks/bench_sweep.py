"""Sweep benchmark: the malicious-miner fraction (0, 1, 2 of 3 miners dishonest) over many seeds.

    python benchmarks/bench_sweep.py [--seeds 20] [--timed-seeds 5] [--workers 1 2] [--out DIR]

The scenario (written into DIR) runs Cortensor on one l1 chain: three miners staked, a session of
redundancy 3 (so every task goes to all three), five tasks, a 10 COR slash per INVALID result.
One sweep over ``--seeds`` seeds gives the table (wrong answers accepted, miner pay and slashes per
fraction); the wall time of the sweep is measured again over ``--timed-seeds`` seeds with each
worker count, so the 1-worker and 2-worker figures cover the same runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from cortensor_sim.scenario.sweep import run_sweep, spread

SCENARIO = """\
# Three miners, every task to all three: how often is a made-up answer accepted?
name: malicious-fraction
seed: 0
topology:
  seed: malicious-fraction
  genesis_time: 1767225600
  accounts: 10
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
parameters: {session_chain: l1, settlement_chain: l1, redundancy: 3, slash: 10 COR}
actors: {users: 1, miners: 3}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 1000 COR}
  - {do: fund, to: [miners], amount: 6000 COR}
  - do: register_nodes
  - {do: open_session, name: s1, user: user0}
  - {do: submit_tasks, session: s1, count: 5}
  - {do: run_tasks, session: s1}
  - do: withdraw
expectations:
  - {expect: tasks, session: s1, state: completed, count: 5}
"""

FRACTIONS = {
    "0 of 3": {},
    "1 of 3": {"miner0": "dishonest"},
    "2 of 3": {"miner0": "dishonest", "miner1": "dishonest"},
}
METRICS = ("wrong_answer_share", "verdicts_invalid", "miner_paid_cor", "miner_slashed_cor", "latency_p95_s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=20, help="seeds for the table")
    parser.add_argument("--timed-seeds", type=int, default=5, help="seeds for each timed sweep")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=None, help="folder for the scenario and results")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    out = args.out or Path(mkdtemp(prefix="bench-sweep-"))
    out.mkdir(parents=True, exist_ok=True)
    scenario = out / "malicious-fraction.yaml"
    scenario.write_text(SCENARIO)
    behaviours = {"actors.behaviour": list(FRACTIONS.values())}
    console = Console(width=150)

    started = time.perf_counter()
    rows = run_sweep(scenario, behaviours, args.seeds, workers=max(args.workers), out=out / "table")
    table_wall = time.perf_counter() - started
    table = Table(title=f"{len(rows)} runs: {args.seeds} seeds per fraction ({table_wall:.0f} s wall)")
    for column in ("dishonest", "runs", "errors", *METRICS):
        table.add_column(column, justify="left" if column == "dishonest" else "right")
    figures: dict[str, object] = {
        "seeds": args.seeds,
        "table_wall_seconds": round(table_wall, 1),
        "fractions": {},
    }
    stats = {m: spread(rows, "actors.behaviour", m) for m in METRICS}
    for index, name in enumerate(FRACTIONS):
        errors = sum(1 for r in rows if r["parameters"]["actors.behaviour"] == FRACTIONS[name] and r["error"])
        cells = {m: stats[m][index] for m in METRICS}
        table.add_row(
            name,
            str(cells[METRICS[0]]["runs"]),
            str(errors),
            *(f"{cells[m]['mean']:.3g} ± {cells[m]['stdev']:.2g}" for m in METRICS),
        )
        figures["fractions"][name] = {m: cells[m] for m in METRICS} | {"errors": errors}  # type: ignore[index]
    console.print(table)

    walls = {}
    for workers in args.workers:
        started = time.perf_counter()
        run_sweep(scenario, behaviours, args.timed_seeds, workers=workers)
        walls[workers] = time.perf_counter() - started
        runs = len(FRACTIONS) * args.timed_seeds
        console.print(f"{runs} runs with {workers} worker(s): {walls[workers]:.1f} s wall")
    figures["timed_seeds"] = args.timed_seeds
    figures["wall_seconds_by_workers"] = {str(k): round(v, 1) for k, v in walls.items()}
    console.print(f"results and summary.html in {out / 'table'}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
