"""What laying Nitro's parent contracts in genesis costs ``Devnet()``: first build and cached build.

    python benchmarks/bench_nitro_genesis.py

Each figure comes from a fresh process (the genesis accounts are cached per process), with the
Nitro stacks registered (``with nitro``) and unregistered (``without nitro``: the devnet as it was
before Nitro joined the settlement engine). Prints the median of ``--runs`` processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

PROBE = """
import sys, time
from cortensor_sim import Devnet
from cortensor_sim.bridge import STACKS
if sys.argv[1] == "without":
    STACKS.pop("nitro"); STACKS.pop("orbit")
t = time.perf_counter(); Devnet(); a = time.perf_counter(); Devnet(); b = time.perf_counter()
print(a - t, b - a)
"""


def measure(mode: str, runs: int) -> tuple[float, float]:
    firsts, seconds = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
        first, second = (float(x) for x in out.stdout.split())
        firsts.append(first)
        seconds.append(second)
    return statistics.median(firsts), statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for mode in ("without", "with"):
        first, second = measure(mode, args.runs)
        print(f"Devnet() {mode} nitro: first build {first:.2f} s, next build in the process {second:.2f} s")


if __name__ == "__main__":
    main()
