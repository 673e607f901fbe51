"""Private inference on l3: gas of each private step, wall time of a session, and of the leak scan.

    python benchmarks/bench_private.py [--tasks 5] [--json out.json]

On the default devnet's l3: four miners register their real public keys, a user opens a private
session (redundancy 3, the validator allowlisted), submits ``--tasks`` sealed prompts, and the
tasks run through every phase with sealed results. Reports the median gas of each private step
(against the same step of a clear session in bench_protocol.py), the wall time of the flow after
the devnet is built, and the wall time of ``find_leaks`` over every EVM chain.
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

from cortensor_sim import Devnet
from cortensor_sim.protocol.funding import deploy_network
from cortensor_sim.protocol.inference import honest_answer
from cortensor_sim.protocol.network import COR, NODE_STAKE
from cortensor_sim.protocol.privacy.crypto import Entropy
from cortensor_sim.protocol.privacy.leaks import find_leaks
from cortensor_sim.protocol.privacy.sessions import PrivateInference

STEPS = ("addNode", "enablePrivate", "allow", "postSessionKey", "submitPrivate", "precommit", "commit")


def run(tasks: int) -> dict[str, object]:
    devnet = Devnet()
    started = time.perf_counter()
    net = deploy_network(devnet, "l3", miners=4, users=1)
    user = net.actors.users[0]
    for miner in net.actors.miners:
        net.fund(miner, NODE_STAKE)
        net.add_node(miner)
    net.fund(user, (tasks * 3 + 100) * COR)
    private = PrivateInference(net, Entropy(b"bench_private"))
    session = private.open_session(user, readers=[net.actors.validator])
    prompts = [f"Private prompt {i}: summarize the quarterly figures of client {i}." for i in range(tasks)]
    task_ids = private.submit(session, prompts)
    devnet.advance(1)
    private.run_tasks(session, task_ids, lambda miner, task, prompt: honest_answer(prompt), devnet.advance)
    flow = time.perf_counter() - started
    started = time.perf_counter()
    leaks = find_leaks(devnet, private.plaintexts())
    scan = time.perf_counter() - started
    gas: dict[str, list[int]] = defaultdict(list)
    for step in net.steps:
        gas[step.action.split()[0]].append(step.gas_used)
    return {
        "tasks": tasks,
        "flow_wall_s": round(flow, 2),
        "leak_scan_wall_s": round(scan, 2),
        "leaks": len(leaks),
        "median_gas": {name: int(statistics.median(gas[name])) for name in STEPS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.tasks)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
