"""Cortensor across the layers: wall and simulated time of each cross-layer operation, and the gas
of every transaction it took on each chain.

    python benchmarks/bench_layers.py [--json out.json]

On the default devnet (dev settlement settings), with the protocol on arbitrum and a 10 COR
registration fee on base: one miner stakes on l1, brings the fee's COR to base, registers from
base, is made ephemeral; two arbitrum-staked miners and it serve one task, it answers wrongly and
is slashed on l1; the session is checkpointed to l1. Each operation's row gives its wall time, the
simulated time its messages took, and the gas of each transaction it sent or that carried a
message (the protocol's own transactions are counted by benchmarks/bench_protocol.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageRecord
from cortensor_sim.protocol.funding import deploy_network
from cortensor_sim.protocol.inference import Verdict
from cortensor_sim.protocol.layers import CrossLayer
from cortensor_sim.protocol.network import COR, NODE_STAKE, CortensorNetwork

FEE = 10 * COR
SLASH = 100 * COR


def _measure(
    name: str, devnet: Devnet, net: CortensorNetwork, op: Callable[[], list[MessageRecord]]
) -> dict[str, Any]:
    first_step = len(net.steps)
    start_clock = devnet.clock.elapsed
    start = time.perf_counter()
    records = op()
    wall = time.perf_counter() - start
    sent = {f"{s.chain}: {s.action}": s.gas_used for s in net.steps[first_step:]}
    carried: dict[str, int] = {}
    for record in records:
        for step, leg in record.legs.items():
            if step == "sent":
                continue
            receipt = devnet.evm(leg.chain).w3.eth.get_transaction_receipt(leg.tx_hash)
            carried[f"{record.route} {step} ({leg.chain})"] = int(receipt["gasUsed"])
    return {
        "operation": name,
        "wall_s": round(wall, 3),
        "simulated_s": round(devnet.clock.elapsed - start_clock, 1),
        "routes": [r.route for r in records],
        "gas_sent": sent,
        "gas_carried": carried,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    start = time.perf_counter()
    devnet = Devnet()
    net = deploy_network(devnet, "arbitrum", miners=3)
    layers = CrossLayer.deploy(devnet, net, registration_fee=FEE)
    net.configure_validation(reward_points=10, penalty_points=20, slash_amount=SLASH)
    for miner in net.actors.miners[:2]:
        net.fund(miner, NODE_STAKE)
        net.add_node(miner)
    setup = time.perf_counter() - start
    miner = net.actors.miners[2]
    layers.fund_on_l1(miner, NODE_STAKE + FEE)

    rows = [
        _measure("stake_on_l1", devnet, net, lambda: layers.stake_on_l1(miner, NODE_STAKE)),
        _measure("cor_to_base", devnet, net, lambda: layers.cor_to_base(miner, FEE)),
        _measure("register_from_base", devnet, net, lambda: layers.register_from_base(miner, [0])),
    ]
    layers.mark_ephemeral(miner)
    session_id, task_id = _task(devnet, net, wrong=miner)
    rows.append(_measure("deliver_slashes", devnet, net, layers.deliver_slashes))
    rows.append(
        _measure("checkpoint_to_l1", devnet, net, lambda: layers.checkpoint_to_l1(session_id, [task_id]))
    )

    print(f"set-up (devnet, protocol on arbitrum, cross-layer contracts): {setup:.2f} s wall")
    for row in rows:
        times = f"{row['wall_s']:.2f} s wall, {row['simulated_s']:g} s simulated"
        print(f"\n{row['operation']}: {times}, {row['routes']}")
        for label, gas in {**row["gas_sent"], **row["gas_carried"]}.items():
            print(f"  {label:<48} {gas:>10,} gas")
    if args.json:
        args.json.write_text(json.dumps({"setup_s": setup, "operations": rows}, indent=2))


def _task(devnet: Devnet, net: CortensorNetwork, wrong: str) -> tuple[int, int]:
    user = net.actors.users[0]
    net.fund(user, 1_000 * COR)
    session_id = net.open_session(user, redundancy=3, deposit=100 * COR)
    miners = net.session_miners(session_id)
    task_id = net.next_task_id(session_id)
    net.submit(user, session_id, "What is the capital of France?", task_id)
    devnet.advance(1)
    net.assign(session_id, [task_id], miners)
    net.ack(session_id, [task_id], miners)
    net.end_phase("ack", session_id, [task_id])
    answers = {task_id: {m: ("Lorem ipsum" if m == wrong else "Paris") for m in miners}}
    net.precommit(session_id, answers)
    net.end_phase("precommit", session_id, [task_id])
    net.commit(session_id, answers)
    net.end_phase("commit", session_id, [task_id])
    net.end_phase("end", session_id, [task_id])
    net.validate(
        session_id, {task_id: {m: (Verdict.INVALID if m == wrong else Verdict.VALID) for m in miners}}
    )
    return session_id, task_id


if __name__ == "__main__":
    main()
