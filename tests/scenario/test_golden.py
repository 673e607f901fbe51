"""Every bundled scenario passes and its summary matches its golden file (scenarios/golden/NAME.json).

A drift fails with a unified diff of the two summaries. After an intended change, rewrite the
golden files with ``CORTENSOR_SIM_UPDATE_GOLDEN=1 python -m pytest -m slow tests/scenario/test_golden.py``
and review the diff in git.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from cortensor_sim.scenario.loader import bundled_scenarios, load_scenario
from cortensor_sim.scenario.report import golden_text
from cortensor_sim.scenario.runner import run_scenario

GOLDEN = Path(__file__).resolve().parents[2] / "scenarios" / "golden"
BUNDLED = bundled_scenarios()
QUICK = {"default", "withdrawal-base-to-l1"}
"""Run by the default test run; the others are slow and run in CI's second step."""


def golden_drift(actual: str, path: Path) -> str | None:
    """None when ``actual`` is the golden file's text, else a unified diff from it."""
    expected = path.read_text()
    if actual == expected:
        return None
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"golden/{path.name}",
            tofile="this run",
        )
    )


def check_golden(name: str) -> None:
    result = run_scenario(load_scenario(BUNDLED[name]))
    actual = golden_text(result)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("CORTENSOR_SIM_UPDATE_GOLDEN"):
        path.write_text(actual)
    assert path.is_file(), f"no golden summary for {name}: run with CORTENSOR_SIM_UPDATE_GOLDEN=1"
    drift = golden_drift(actual, path)
    if drift is not None:
        pytest.fail(f"scenario {name} drifted from its golden summary:\n{drift}", pytrace=False)
    assert result.passed, f"scenario {name} has a failing expectation"


def test_every_bundled_scenario_has_a_golden_summary() -> None:
    assert "default" in BUNDLED
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(BUNDLED)


@pytest.mark.parametrize("name", sorted(QUICK))
def test_quick_bundled_scenario_matches_its_golden_summary(name: str) -> None:
    check_golden(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(BUNDLED) - QUICK))
def test_bundled_scenario_matches_its_golden_summary(name: str) -> None:
    check_golden(name)


def test_drift_is_shown_as_a_readable_diff(tmp_path: Path) -> None:
    """A changed figure shows as one removed and one added line, naming the field that moved."""
    golden = (GOLDEN / "default.json").read_text()
    found = re.search(r'"simulated_seconds": ([0-9.]+),', golden)
    assert found is not None
    was, now = float(found[1]), float(found[1]) + 1
    drifted = golden.replace(f'"simulated_seconds": {was},', f'"simulated_seconds": {now},')
    assert drifted != golden
    copy = tmp_path / "default.json"
    copy.write_text(golden)
    assert golden_drift(golden, copy) is None
    diff = golden_drift(drifted, copy)
    assert diff is not None
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [f'-  "simulated_seconds": {was},', f'+  "simulated_seconds": {now},']
