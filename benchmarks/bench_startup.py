#!/usr/bin/env python
"""Start-up costs, each in a fresh process: what a user waits for before the first thing happens.

    python benchmarks/bench_startup.py               # 7 runs of each command, medians
    python benchmarks/bench_startup.py --runs 3 --json out.json
    python benchmarks/bench_startup.py --importtime  # also: the slowest imports of a fresh Devnet()

Commands, each run ``--runs`` times after one warm-up run (which fills the on-disk caches: the
genesis cache, the pytest devnet cache and the ``.pyc`` files):

- ``python -c pass`` and ``python -c "import cortensor_sim"``: the interpreter, and the package's
  own import (lazy: its public names are looked up on first use);
- ``cortensor-sim --help``: the command line, which imports the chains only in a command's body;
- ``python -c "from cortensor_sim import Devnet; Devnet()"``: the first devnet of a script, the
  five chains of the default topology laid from the warm genesis cache;
- ``python -m pytest`` of one test that uses the ``cortensor`` fixture (the devnet loaded from the
  plugin's warm cache, the Cortensor contracts deployed), beside the same pytest with the plugin
  off (``-p no:cortensor_sim``) and a test that uses nothing: issue 12's target is the first
  figure under 2 s; the second is what pytest and its other plugins cost alone.

Each figure is the median wall time and the median CPU time (user + system of the child), because
CPU time is what a shared, busy machine disturbs least; the load average is printed beside them.
``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment: an installed package has
its ``.pyc`` files, and without them every run would compile (and pytest assertion-rewrite) the
package's modules again, which is not what a user sees.
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
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

DEVNET = "from cortensor_sim import Devnet; Devnet()"
ONE_TEST = "def test_one(cortensor):\n    assert cortensor.node_pool.address\n"
PLAIN_TEST = "def test_plain():\n    pass\n"


@dataclass(frozen=True)
class Figure:
    name: str
    command: str
    wall_s: float
    cpu_s: float
    runs: int


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(argv: list[str], cwd: Path) -> tuple[float, float]:
    """One fresh process: its wall and CPU seconds; a failing command stops the benchmark."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=_child_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return wall, _children_cpu() - cpu_before


def measure(name: str, argv: list[str], runs: int, cwd: Path = REPO) -> Figure:
    _run_once(argv, cwd)  # warm-up: caches and .pyc files
    samples = [_run_once(argv, cwd) for _ in range(runs)]
    return Figure(
        name=name,
        command=" ".join(argv),
        wall_s=statistics.median(s[0] for s in samples),
        cpu_s=statistics.median(s[1] for s in samples),
        runs=runs,
    )


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("cortensor-sim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cortensor_sim"]


def _pytest_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "test_one.py").write_text(ONE_TEST)
    (root / "test_plain.py").write_text(PLAIN_TEST)
    return root


def figures(runs: int, scratch: Path) -> list[Figure]:
    py = sys.executable
    project = _pytest_project(scratch / "project")
    shutil.rmtree(project / ".pytest_cache", ignore_errors=True)
    return [
        measure("python -c pass", [py, "-c", "pass"], runs),
        measure("import cortensor_sim", [py, "-c", "import cortensor_sim"], runs),
        measure("cortensor-sim --help", [*_cli(), "--help"], runs),
        measure("first Devnet() of a script", [py, "-c", DEVNET], runs),
        measure("pytest, one test using cortensor", [py, "-m", "pytest", "-q", "test_one.py"], runs, project),
        measure(
            "pytest, plugin off, empty test",
            [py, "-m", "pytest", "-q", "-p", "no:cortensor_sim", "test_plain.py"],
            runs,
            project,
        ),
    ]


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def slowest_imports(count: int) -> list[tuple[str, float]]:
    """The top-level imports (and their children) of a fresh ``Devnet()``, slowest first (ms)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", DEVNET],
        cwd=REPO,
        env=_child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match and len(match.group(3)) <= 3:  # the direct imports and their direct children
            rows.append(
                (("  " if len(match.group(3)) > 1 else "") + match.group(4), int(match.group(2)) / 1000)
            )
    return sorted(rows, key=lambda row: -row[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command after a warm-up (median)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--importtime", action="store_true", help="list the slowest imports of Devnet()")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        measured = figures(args.runs, Path(tmp))
    print(
        f"load average (1 min) at start/end: {load:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(f"{'median of ' + str(args.runs) + ' fresh processes':44} {'wall s':>8} {'CPU s':>8}")
    for figure in measured:
        print(f"{figure.name:44} {figure.wall_s:8.3f} {figure.cpu_s:8.3f}")
    if args.importtime:
        print("\nslowest imports of a fresh Devnet() (cumulative ms, one run):")
        for name, ms in slowest_imports(20):
            print(f"{ms:9.1f}  {name}")
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in measured], indent=2))


if __name__ == "__main__":
    main()
