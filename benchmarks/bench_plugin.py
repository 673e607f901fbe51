#!/usr/bin/env python
"""The pytest plugin's costs: per-test isolation and the session's start-up, measured in one run.

    python benchmarks/bench_plugin.py            # N=200 tests per session, 5 repetitions
    python benchmarks/bench_plugin.py --quick    # N=50, 3 repetitions
    python benchmarks/bench_plugin.py --json out.json
    python benchmarks/bench_plugin.py --startup-only   # section 3 alone, 5 repetitions

1. **Per-test isolation, in pytest.** Two generated projects of N tests run in fresh pytest
   processes; every test asks for ``l1``, ``base`` and ``accounts`` and makes one transfer on each
   chain. In one project every test is isolated (a devnet snapshot before it, a revert after it);
   in the other every test carries ``@pytest.mark.cortensor_no_isolation``. A conftest in each
   project times every test's setup and teardown phases (hook wrappers around
   ``pytest_runtest_setup`` and ``pytest_runtest_teardown``), where the snapshot and the revert
   happen; the first test, which builds the session's fixtures, is left out. The difference of the
   two projects' medians is what isolation adds per test, pytest's fixture machinery included;
   the isolated project's median is reported too, as an upper bound. Sessions alternate.
2. **Snapshot + revert alone.** In process, the session devnet with the Cortensor contracts: a
   transfer on every EVM chain and on Solana between ``devnet.snapshot()`` and
   ``devnet.revert(id)``; only those two calls are timed (median of 300).
3. **Session start-up.** A fresh ``python -m pytest`` of one test that uses ``cortensor``:
   wall time with the devnet cache cold (deleted first) and warm, beside the same process with the
   plugin off (``-p no:cortensor_sim``, a test that uses nothing) to show what pytest and the
   imports cost alone. The plugin's own figure (the terminal summary's "session devnet ... in X s",
   from the first fixture to a deployed devnet) is reported too, and each process's CPU time
   (user + system), which a busy machine disturbs less than wall time. Target: warm, whole
   process, under 2 s. ``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment,
   as a user's installed package has its ``.pyc`` files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TEST_BODY = """
{marker}
def test_{n}(l1, base, accounts):
    for chain in (l1, base):
        chain.w3.eth.send_transaction({{"from": accounts[0].address, "to": accounts[1].address, "value": 1}})
"""

LAST_CPU = [0.0]
"""CPU seconds (user + system) of the last pytest process: steadier than wall time on a busy machine."""

PASSED = re.compile(r"(\d+) passed in ([\d.]+)s")

PHASE_TIMER = """
import json, os, time
import pytest

PHASES = {}

def _timed(name):
    @pytest.hookimpl(wrapper=True)
    def wrapper(item, **kwargs):
        started = time.perf_counter()
        try:
            return (yield)
        finally:
            PHASES[item.nodeid] = PHASES.get(item.nodeid, 0.0) + time.perf_counter() - started
    return wrapper

pytest_runtest_setup = _timed("setup")
pytest_runtest_teardown = _timed("teardown")

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_PHASES"], "w") as out:
        json.dump(list(PHASES.values()), out)
"""
STARTUP = re.compile(r"cortensor-sim: session devnet (.*) in ([\d.]+) s")


def _project(root: Path, n: int, *, isolated: bool) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\ncortensor_protocol = false\n")
    marker = "" if isolated else "@pytest.mark.cortensor_no_isolation"
    body = "import pytest\n" + "".join(TEST_BODY.format(marker=marker, n=i) for i in range(n))
    (root / "test_many.py").write_text(body)
    (root / "conftest.py").write_text(PHASE_TIMER)
    return root


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _user_env() -> dict[str, str]:
    """This environment without ``PYTHONDONTWRITEBYTECODE``: an installed package has its ``.pyc``
    files (pytest's assertion-rewritten ones included), and without them every run would compile
    the package's modules again, which is not what a user sees (as in bench_startup.py)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _pytest(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run pytest in a fresh process; returns its wall time and output (CPU time in ``LAST_CPU``)."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args],
        cwd=root,
        env={**_user_env(), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    LAST_CPU[0] = _children_cpu() - cpu_before
    if run.returncode != 0:
        raise SystemExit(f"pytest failed in {root}:\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}")
    return wall, run.stdout


def per_test_isolation(n: int, repetitions: int, scratch: Path) -> dict[str, float]:
    on = _project(scratch / "isolated", n, isolated=True)
    off = _project(scratch / "not_isolated", n, isolated=False)
    phases = scratch / "phases.json"
    env = {"BENCH_PHASES": str(phases)}
    for root in (on, off):
        _pytest(root, env=env)  # warm the devnet cache
    with_isolation: list[float] = []
    without: list[float] = []
    for _ in range(repetitions):
        for root, times in ((on, with_isolation), (off, without)):
            _, out = _pytest(root, env=env)
            match = PASSED.search(out)
            assert match and int(match.group(1)) == n, out[-500:]
            times += json.loads(phases.read_text())[1:]  # the first test builds the session fixtures
    a, b = statistics.median(with_isolation), statistics.median(without)
    return {
        "tests": n,
        "setup_teardown_isolated_ms": a * 1000,
        "setup_teardown_not_isolated_ms": b * 1000,
        "per_test_ms": (a - b) * 1000,
    }


def snapshot_revert_alone(cycles: int) -> dict[str, float]:
    from cortensor_sim import default_topology
    from cortensor_sim.chains.solana import SolanaChain
    from cortensor_sim.testing.devnet_cache import session_devnet

    with tempfile.TemporaryDirectory() as cache:
        devnet = session_devnet(default_topology(), protocol=True, cache_dir=Path(cache)).devnet
    evm = list(devnet.evm_chains.values())
    solana = next(c for c in devnet if isinstance(c, SolanaChain))
    alice, bob = evm[0].accounts[0].address, evm[0].accounts[1].address
    samples = []
    for _ in range(cycles):
        t0 = time.perf_counter()
        snapshot = devnet.snapshot()
        t1 = time.perf_counter()
        for chain in evm:
            chain.w3.eth.send_transaction({"from": alice, "to": bob, "value": 1})
        solana.transfer(solana.keypairs[0], solana.keypairs[1].pubkey(), 5_000)
        t2 = time.perf_counter()
        devnet.revert(snapshot)
        t3 = time.perf_counter()
        samples.append((t1 - t0) + (t3 - t2))
    return {"cycles": cycles, "median_ms": statistics.median(samples) * 1000}


def session_startup(repetitions: int, scratch: Path) -> dict[str, float]:
    root = scratch / "startup"
    root.mkdir(parents=True, exist_ok=True)
    (root / "test_one.py").write_text("def test_one(cortensor):\n    assert cortensor.node_pool.address\n")
    (root / "test_plain.py").write_text("def test_plain():\n    pass\n")
    cache = root / ".pytest_cache"
    cold, warm, plain, cold_inner, warm_inner, warm_cpu, plain_cpu = [], [], [], [], [], [], []
    for _ in range(repetitions):
        shutil.rmtree(cache, ignore_errors=True)
        wall, out = _pytest(root, "test_one.py")
        cold.append(wall)
        cold_inner.append(float(STARTUP.search(out).group(2)))  # type: ignore[union-attr]
        wall, out = _pytest(root, "test_one.py")
        match = STARTUP.search(out)
        assert match and match.group(1).startswith("loaded from the cache"), out[-500:]
        warm.append(wall)
        warm_cpu.append(LAST_CPU[0])
        warm_inner.append(float(match.group(2)))
        plain.append(_pytest(root, "-p", "no:cortensor_sim", "test_plain.py")[0])
        plain_cpu.append(LAST_CPU[0])
    return {
        "cold_process_s": statistics.median(cold),
        "warm_process_s": statistics.median(warm),
        "warm_process_cpu_s": statistics.median(warm_cpu),
        "plugin_off_process_s": statistics.median(plain),
        "plugin_off_process_cpu_s": statistics.median(plain_cpu),
        "cold_devnet_s": statistics.median(cold_inner),
        "warm_devnet_s": statistics.median(warm_inner),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=50 tests, 3 repetitions")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--startup-only", action="store_true", help="measure the session start-up alone")
    args = parser.parse_args()
    if args.startup_only:
        with tempfile.TemporaryDirectory(prefix="bench-plugin-") as tmp:
            start = session_startup(3 if args.quick else 5, Path(tmp))
        _print_startup(start)
        if args.json:
            args.json.write_text(json.dumps({"session_startup": start}, indent=2))
        return
    n, repetitions = (50, 3) if args.quick else (200, 5)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-plugin-") as tmp:
        scratch = Path(tmp)
        figures = {
            "per_test_isolation": per_test_isolation(n, repetitions, scratch),
            "snapshot_revert_alone": snapshot_revert_alone(300),
            "session_startup": session_startup(repetitions, scratch),
        }
    figures["load_average_start_end"] = [load, os.getloadavg()[0]]
    iso, alone, start = (
        figures["per_test_isolation"],
        figures["snapshot_revert_alone"],
        figures["session_startup"],
    )
    print(
        f"load average (1 min) at start/end: {load:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"per-test isolation in pytest ({iso['tests']} tests, 2 transfers each): "
        f"{iso['per_test_ms']:.2f} ms per test (target < 10 ms); median setup+teardown "
        f"{iso['setup_teardown_isolated_ms']:.2f} ms isolated, "
        f"{iso['setup_teardown_not_isolated_ms']:.2f} ms not"
    )
    print(f"snapshot + revert around a transfer on every chain: {alone['median_ms']:.2f} ms (median)")
    _print_startup(start)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def _print_startup(start: dict[str, float]) -> None:
    print(
        "session start-up, one test using cortensor, fresh process: "
        f"warm cache {start['warm_process_s']:.2f} s wall, {start['warm_process_cpu_s']:.2f} s CPU "
        f"(target < 2 s), cold {start['cold_process_s']:.2f} s; "
        f"plugin off {start['plugin_off_process_s']:.2f} s wall, "
        f"{start['plugin_off_process_cpu_s']:.2f} s CPU; "
        "devnet ready in "
        f"{start['warm_devnet_s']:.2f} s warm, {start['cold_devnet_s']:.2f} s cold"
    )


if __name__ == "__main__":
    main()
