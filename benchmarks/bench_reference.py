"""The reference workload: Cortensor's actors on the clock, 100 miners and 1,000 tasks by default.

    python benchmarks/bench_reference.py                                   # 100 miners, 1,000 tasks
    python benchmarks/bench_reference.py --tasks 100 --miners 20           # scaled down
    python benchmarks/bench_reference.py --tasks 100 --miners 20 --profile # and where the time goes
    python benchmarks/bench_reference.py --json out.json

The default devnet (l1, base, arbitrum, l3, solana) with arbitrum interval-mined (transactions
land in 0.25 s blocks, as on the real sequencer) and enough dev accounts. One user per session,
sessions of ``--redundancy`` nodes, every miner in one session; the users hand the router their
share of the tasks one per second each. Miners are mixed: 80 % honest, 10 % slow (late on 30 % of
their tasks), 5 % lazy, 5 % malicious, placed by a seeded shuffle. Deployment and onboarding are
set-up, outside the timed region; the figure is the wall time from the first request to the last
result returned. Each request returned without a valid result is listed with its cause (the
attempts' miners by profile, how many committed, the validator's votes).

``--profile`` runs the timed region under cProfile and splits its own time by where the code
lives: EVM execution (py-evm's interpreter), tries and state roots (``trie``, py-evm's databases),
RLP and keccak, signing and sender recovery, ABI encoding, the actors (scheduler, reads, lean
client) and the devnet (clock, chains, settlement actors). Time in builtins (``isinstance``,
``len``, C hashing) is charged to the group of the code that called them. cProfile's cost per
call inflates call-heavy pure Python (RLP, tries) against the interpreter: a sampling profiler
gives smaller shares there (docs/actors.md has both).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cortensor_sim.chains import Devnet
from cortensor_sim.chains.topology import default_topology
from cortensor_sim.protocol.actors import Population, PopulationConfig, Profile

MIX = (("honest", 0.80), ("slow", 0.10), ("lazy", 0.05), ("malicious", 0.05))

GROUPS = (
    ("tries and state roots", ("/trie/", "/eth/db/")),
    ("RLP and keccak", ("/rlp/", "/eth_hash/", "/Crypto/", "/eth_rlp/")),
    ("signing and sender recovery", ("coincurve", "/eth_keys/", "/eth_account/")),
    ("ABI encoding", ("/eth_abi/",)),
    ("EVM execution", ("/eth/", "pyrevm")),
    ("actors and lean client", ("cortensor_sim/protocol/",)),
    (
        "devnet, clock and settlement",
        ("cortensor_sim/chains/", "cortensor_sim/bridge/", "cortensor_sim/rollups/", "/solders/", "/solana/"),
    ),
)
"""Profile groups by file path, first match wins (py-evm's databases before the rest of py-evm)."""


def profiles(miners: int, seed: int) -> dict[int, Profile]:
    """The mix: 80 % honest, then slow, lazy and malicious miners, placed by a seeded shuffle.

    Placed, not in blocks: NodePool reserves a session's nodes as consecutive entries of its pool
    (from a pseudo-random start), and the pool is in onboarding order, so faulty miners in one
    block of indices made whole sessions of lazy or of malicious miners, each of whose requests
    failed three times over (30 to 60 of 1,000, depending on where the draws fell).
    """
    behaviours: list[str] = []
    for behaviour, share in MIX:
        behaviours += [behaviour] * round(miners * share)
    behaviours = (behaviours + ["honest"] * miners)[:miners]
    random.Random(seed).shuffle(behaviours)
    out: dict[int, Profile] = {}
    for i, behaviour in enumerate(behaviours):
        if behaviour == "slow":
            out[i] = Profile("slow", rate=0.3)
        elif behaviour != "honest":
            out[i] = Profile(behaviour)  # type: ignore[arg-type]
    return out


def build(tasks: int, miners: int, redundancy: int, seed: int) -> Population:
    users = miners // redundancy
    topology = default_topology().model_dump()
    topology["accounts"] = max(topology["accounts"], 4 + users + miners)
    for chain in topology["chains"]:
        if chain["name"] == "arbitrum":
            chain["mining"] = "interval"
    devnet = Devnet(topology)
    config = PopulationConfig(
        miners=miners,
        users=users,
        redundancy=redundancy,
        profiles=profiles(miners, seed),
        seed=seed,
        deposit=(tasks // users + 10) * redundancy * 10**18 * 3,
    )
    population = Population.deploy(devnet, config)
    per_user = [tasks // users + (1 if i < tasks % users else 0) for i in range(users)]
    for i, count in enumerate(per_user):
        prompts = [f"Reference prompt {i}-{k}: explain how inference is routed." for k in range(count)]
        population.submit(f"user{i}", prompts, every_s=1)
    return population


def failures(population: Population) -> list[dict[str, Any]]:
    """Each request returned without a valid result, with every attempt's miners (by profile),
    how many of them committed, the validator's votes, and the cause read from them."""
    assert population.router is not None and population.validator is not None
    view = population.handle.view
    attempts_of = population.router._attempts_on_chain(view)
    behaviour = {m.address: m.profile.behaviour for m in population.miners.values()}
    found = []
    for reference, outcome in sorted(population.router.outcomes.items()):
        if outcome.result_valid:
            continue
        attempts = []
        for task in attempts_of.get(reference, []):
            votes = population.validator.votes.get(task.key, {})
            attempts.append(
                {
                    "task": list(task.key),
                    "miners": [f"{population.names[m]} ({behaviour[m]})" for m in task.miners],
                    "committed": len(task.committed),
                    "votes": sorted(v.name for v in votes.values()),
                    "cause": cause_of(
                        len(task.miners), len(task.committed), [v.name for v in votes.values()]
                    ),
                }
            )
        causes = sorted({a["cause"] for a in attempts})
        found.append({"request": reference, "cause": " / ".join(causes), "attempts": attempts})
    return found


def cause_of(assigned: int, committed: int, votes: list[str]) -> str:
    """Why one attempt ended without a valid result, in the validator's terms."""
    if committed < 2:
        return f"fewer than two results committed ({committed} of {assigned}): nothing to compare, RETRY"
    if "VALID" not in votes:
        return "no committed result both useful and agreeing with the reference: all INVALID"
    return "judged valid by the validator but not by the contract"


def group_of(filename: str) -> str | None:
    """The group of a file, or None for builtins and helpers (charged to their callers)."""
    for group, needles in GROUPS:
        if any(needle in filename for needle in needles):
            return group
    return None


def split(profile: cProfile.Profile) -> dict[str, float]:
    """Percent of own time per group; a builtin's time goes to its callers' groups pro rata."""
    stats = pstats.Stats(profile)
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        group = group_of(filename)
        edges = [(group_of(caller[0]) or "other", edge[2]) for caller, edge in callers.items()]
        called_for = sum(seconds for _, seconds in edges)
        if group is None and called_for > 0:
            for caller_group, seconds in edges:
                totals[caller_group] = totals.get(caller_group, 0.0) + tottime * seconds / called_for
            continue
        totals[group or "other"] = totals.get(group or "other", 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    return {
        group: round(100 * seconds / whole, 1)
        for group, seconds in sorted(totals.items(), key=lambda g: -g[1])
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000)
    parser.add_argument("--miners", type=int, default=100)
    parser.add_argument("--redundancy", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="split the time by cProfile")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    if args.miners < args.redundancy or args.tasks < 1:
        parser.error("need at least --redundancy miners and one task")

    started = time.perf_counter()
    population = build(args.tasks, args.miners, args.redundancy, args.seed)
    setup_s = time.perf_counter() - started
    profiler = cProfile.Profile() if args.profile else None
    wall = time.perf_counter()
    cpu = time.process_time()
    if profiler:
        profiler.enable()
    finished = population.run_until_idle(limit_s=24 * 3600)
    if profiler:
        profiler.disable()
    wall_s = time.perf_counter() - wall
    cpu_s = time.process_time() - cpu
    metrics = population.metrics()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, Any] = {
        "tasks": args.tasks,
        "miners": args.miners,
        "redundancy": args.redundancy,
        "finished": finished,
        "setup_s": round(setup_s, 2),
        "wall_s": round(wall_s, 2),
        "cpu_s": round(cpu_s, 2),
        "tasks_per_s": round(args.tasks / wall_s, 2),
        "transactions_per_s": {
            name: round(usage.transactions / wall_s, 1)
            for name, usage in sorted(metrics.chains.items())
            if usage.transactions
        },
        "peak_rss_mb": round(peak_mb, 1),
        "simulated_s": metrics.simulated_s,
        "metrics": metrics.to_dict(),
    }
    failed = failures(population)
    result["failures"] = failed
    causes: dict[str, int] = {}
    for failure in failed:
        causes[failure["cause"]] = causes.get(failure["cause"], 0) + 1
    result["failure_causes"] = causes
    if profiler:
        result["profile_split_pct"] = split(profiler)
    print(f"reference workload: {args.tasks} tasks, {args.miners} miners, redundancy {args.redundancy}")
    print(f"  set-up (deploy, onboard, sessions): {setup_s:.1f} s")
    print(f"  run: {wall_s:.1f} s wall, {cpu_s:.1f} s CPU, {metrics.simulated_s:.0f} s simulated")
    print(
        f"  tasks/s: {result['tasks_per_s']}"
        f"  (completed {metrics.tasks_completed}, failed {metrics.tasks_failed})"
    )
    for cause, count in sorted(causes.items(), key=lambda c: -c[1]):
        print(f"  failed {count}: {cause}")
    print(f"  transactions/s per chain: {result['transactions_per_s']}")
    print(f"  peak memory (max RSS): {peak_mb:.0f} MB")
    latency = metrics.to_dict()["latency_s"]
    print(f"  task latency p50/p90/p99: {latency['p50']} / {latency['p90']} / {latency['p99']} s (simulated)")
    if profiler:
        print(f"  profile split (% of own time): {result['profile_split_pct']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return result


if __name__ == "__main__":
    main()
