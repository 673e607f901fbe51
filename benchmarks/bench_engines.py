"""The EVM engines side by side: the Cortensor pipeline and batched transfers on py-evm and on revm.

    python benchmarks/bench_engines.py [--tasks 100] [--redundancy 3] [--transfers 1000]
                                       [--profile-tasks 20] [--json out.json]

All in one process, one engine after the other, so both meet the same machine:

* **Cortensor pipeline**: ``bench_protocol.py``'s run (set-up in automine, then every phase of
  ``tasks`` tasks x ``redundancy`` batched into interval blocks on arbitrum), wall time of the
  pipeline, and the ratio py-evm / revm.
* **Batched transfers**: ``transfers`` signed EIP-1559 transfers from 10 senders sent to one
  interval-mining chain and sealed into one block (``chain.send_raw_transaction``, no web3; a
  block's 30M gas holds at most 1,428 transfers).
* **Profile split**: the pipeline again under cProfile (``profile-tasks`` tasks), its own time split
  into EVM execution, tries and state roots, the client path (web3, ABI, signing, the provider and
  the protocol driver), RLP and keccak, and the rest. cProfile slows pure Python more than native
  code, so the split is a picture of where the time goes, not a second timing.

Wall seconds and, beside them, CPU seconds (``time.process_time``): on a shared machine the wall
clock also counts other processes' time slices, CPU time does not. The pipeline's CPU figure is of
the whole run (set-up included), because bench_protocol times only the pipeline's wall clock.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_protocol
from bench_devnet import L1_CHAIN_ID, sign_transfers
from rich.console import Console
from rich.table import Table

from cortensor_sim import Devnet
from cortensor_sim.chains.accounts import dev_accounts
from cortensor_sim.chains.engines import ENGINE_VARIABLE
from cortensor_sim.chains.topology import ChainSpec, Topology

ENGINES = ("py-evm", "revm")
SENDERS = 10

# Where a function's own time goes, by the file (or built-in) it belongs to; first match wins.
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "tries and state roots",
        (
            "/trie/",
            "/eth/db/",
            "/chains/revm/world.py",
            "/chains/revm/blocks.py",
            "/chains/revm/trie_updates.py",
        ),
    ),
    ("EVM execution", ("/eth/", "builtins.EVM", "/chains/revm/executor.py", "re.Pattern")),
    (
        "client path",
        (
            "/web3/",
            "/eth_account/",
            "/eth_abi/",
            "/eth_utils/",
            "/eth_keys/",
            "/eth_typing/",
            "/hexbytes/",
            "/coincurve/",
            "/cortensor_sim/protocol/",
            "/chains/provider.py",
            "/chains/rpc.py",
            "inspect.py",
        ),
    ),
    ("RLP and keccak", ("/rlp/", "/Crypto/", "/eth_hash/", "_hashlib", "sha3")),
)


def pipeline(engine: str, tasks: int, redundancy: int) -> dict[str, Any]:
    """bench_protocol's run on ``engine``, plus the CPU time of the whole run (set-up included)."""
    os.environ[ENGINE_VARIABLE] = engine
    cpu = time.process_time()
    result = bench_protocol.run(tasks, redundancy)
    result["run_cpu_s"] = time.process_time() - cpu
    if not result["conserved"]:
        raise SystemExit(f"{engine}: COR was not conserved in the pipeline")
    return result


def batched_transfers(engine: str, raws: list[bytes]) -> tuple[float, float]:
    """Wall and CPU seconds to send ``raws`` and seal them into one block."""
    devnet = Devnet(
        Topology(
            accounts=SENDERS,
            chains=(
                ChainSpec(
                    name="l1",
                    kind="ethereum",
                    chain_id=L1_CHAIN_ID,
                    block_time=12,
                    mining="interval",
                    engine=engine,  # type: ignore[arg-type]
                ),
            ),
        )
    )
    chain = devnet.evm("l1")
    started, cpu = time.perf_counter(), time.process_time()
    for raw in raws:
        chain.send_raw_transaction(raw)
    (block,) = devnet.advance(12)["l1"]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if len(block.tx_hashes) != len(raws) or block.dropped:
        raise SystemExit(f"{engine}: {len(block.tx_hashes)} of {len(raws)} transfers sealed")
    return seconds, cpu


def profile_split(engine: str, tasks: int, redundancy: int) -> dict[str, float]:
    """Shares of the profiled pipeline's own time, by bucket."""
    profiler = cProfile.Profile()
    profiler.enable()
    pipeline(engine, tasks, redundancy)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {name: 0.0 for name, _ in BUCKETS} | {"other": 0.0}
    for (filename, _, function), (_, _, own, _, _) in stats.items():
        where = f"{filename} {function}"
        bucket = next((name for name, marks in BUCKETS if any(m in where for m in marks)), "other")
        totals[bucket] += own
    whole = sum(totals.values())
    return {name: seconds / whole for name, seconds in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--redundancy", type=int, default=3)
    parser.add_argument("--transfers", type=int, default=1000)
    parser.add_argument("--profile-tasks", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console()
    raws = sign_transfers([a.key for a in dev_accounts(SENDERS)], L1_CHAIN_ID, args.transfers)
    results: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        console.print(f"[bold]{engine}[/]: pipeline, transfers, profile ...")
        run = pipeline(engine, args.tasks, args.redundancy)
        seconds, cpu = batched_transfers(engine, raws)
        results[engine] = {
            "pipeline_wall_s": run["pipeline_wall_s"],
            "pipeline_cpu_s": run["pipeline_cpu_s"],
            "run_cpu_s": run["run_cpu_s"],
            "transfers_cpu_s": cpu,
            "pipeline_transactions": run["pipeline_transactions"],
            "pipeline_tx_per_s": run["pipeline_tx_per_s"],
            "transfers": len(raws),
            "transfers_s": seconds,
            "transfers_tx_per_s": len(raws) / seconds,
            "profile_split": profile_split(engine, args.profile_tasks, args.redundancy),
        }
    reference, fast = results["py-evm"], results["revm"]
    ratios = {
        "pipeline": reference["pipeline_wall_s"] / fast["pipeline_wall_s"],
        "pipeline_cpu": reference["pipeline_cpu_s"] / fast["pipeline_cpu_s"],
        "run_cpu": reference["run_cpu_s"] / fast["run_cpu_s"],
        "transfers": reference["transfers_s"] / fast["transfers_s"],
        "transfers_cpu": reference["transfers_cpu_s"] / fast["transfers_cpu_s"],
    }

    table = Table(
        title=f"{args.tasks} tasks x redundancy {args.redundancy}; {args.transfers} transfers in one block",
        title_justify="left",
    )
    columns = (
        "engine",
        "pipeline s",
        "pipeline CPU s",
        "tx/s",
        "whole run CPU s",
        "transfers s",
        "tx/s",
        "CPU s",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "engine" else "right")
    for engine, figures in results.items():
        table.add_row(
            engine,
            f"{figures['pipeline_wall_s']:.1f}",
            f"{figures['pipeline_cpu_s']:.1f}",
            f"{figures['pipeline_tx_per_s']:.0f}",
            f"{figures['run_cpu_s']:.1f}",
            f"{figures['transfers_s']:.2f}",
            f"{figures['transfers_tx_per_s']:.0f}",
            f"{figures['transfers_cpu_s']:.2f}",
        )
    table.add_row(
        "py-evm / revm",
        f"{ratios['pipeline']:.2f}x",
        f"{ratios['pipeline_cpu']:.2f}x",
        "",
        f"{ratios['run_cpu']:.2f}x",
        f"{ratios['transfers']:.2f}x",
        "",
        f"{ratios['transfers_cpu']:.2f}x",
    )
    console.print(table)

    split = Table(
        title=f"profile split of the pipeline ({args.profile_tasks} tasks, own time under cProfile)",
        title_justify="left",
    )
    split.add_column("share of time")
    for engine in ENGINES:
        split.add_column(engine, justify="right")
    for bucket in results["py-evm"]["profile_split"]:
        split.add_row(bucket, *(f"{results[e]['profile_split'][bucket]:.0%}" for e in ENGINES))
    console.print(split)
    if args.json:
        args.json.write_text(json.dumps({"engines": results, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
