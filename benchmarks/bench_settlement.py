"""Settlement benchmark: an ETH deposit + withdrawal round trip l1 <-> base, the window passed by
the clock, and the l1 gas of each settlement step.

    python benchmarks/bench_settlement.py [--rounds 5] [--settlement dev|mainnet-like] [--json out.json]

Each round builds the default devnet, deposits 1 ETH through OptimismPortal2 on l1, withdraws half
of it through L2ToL1MessagePasser on base, and advances the clock until the settlement engine's
actors have proposed, proven and finalized it (with ``mainnet-like`` that is one 8-day advance).
The wall time of that round trip is the figure to quote (median of the rounds); gas per step comes
from the receipts of the proposal, proof and finalization on l1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.chains.topology import default_topology

ETH = 10**18


def round_trip(settlement: str) -> tuple[float, dict[str, int]]:
    topology = default_topology().model_dump()
    topology["chains"][1]["settlement"] = settlement
    devnet = Devnet(topology)
    l1, base = devnet.evm("l1"), devnet.evm("base")
    contracts = devnet.system_contracts("base")
    portal = l1.w3.eth.contract(address=contracts["OptimismPortal"], abi=load_artifact("OptimismPortal2").abi)
    passer = base.w3.eth.contract(
        address=contracts["L2ToL1MessagePasser"], abi=load_artifact("L2ToL1MessagePasser").abi
    )
    user = l1.accounts[1].address
    start = time.perf_counter()
    deposit = portal.functions.depositTransaction(user, 0, 100_000, False, b"").transact(
        {"from": user, "value": ETH}
    )
    devnet.advance(2)
    passer.functions.initiateWithdrawal(user, 100_000, b"").transact({"from": user, "value": ETH // 2})
    window = 8 * 86_400 if settlement == "mainnet-like" else 60
    devnet.advance(window)
    elapsed = time.perf_counter() - start
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.FINALIZED, record.status
    gas = {
        "deposit (depositTransaction)": l1.w3.eth.get_transaction_receipt(deposit)["gasUsed"],
        "propose (DisputeGameFactory.create)": l1.w3.eth.get_transaction_receipt(
            record.legs["proposed"].tx_hash
        )["gasUsed"],
        "prove (proveWithdrawalTransaction)": l1.w3.eth.get_transaction_receipt(
            record.legs["proven"].tx_hash
        )["gasUsed"],
        "finalize (finalizeWithdrawalTransaction)": l1.w3.eth.get_transaction_receipt(
            record.legs["finalized"].tx_hash
        )["gasUsed"],
    }
    return elapsed, gas


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--settlement", choices=["dev", "mainnet-like"], default="mainnet-like")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    times: list[float] = []
    gas: dict[str, int] = {}
    for _ in range(args.rounds):
        elapsed, gas = round_trip(args.settlement)
        times.append(elapsed)
    table = Table(title=f"deposit + withdrawal round trip l1 <-> base ({args.settlement})")
    table.add_column("measurement")
    table.add_column("result", justify="right")
    table.add_row("round trip, wall time (median)", f"{statistics.median(times):.2f} s")
    table.add_row("round trip, wall time (best)", f"{min(times):.2f} s")
    for step, used in gas.items():
        table.add_row(f"l1 gas: {step}", f"{used:,}")
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps({"round_trip_s": times, "gas": gas}, indent=2))


if __name__ == "__main__":
    main()
