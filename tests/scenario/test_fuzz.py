"""Mutations of the bundled scenario and topology files give exit 0 or 2, and never a traceback.

Each example mutates a bundled file (a line dropped, repeated or swapped, a value replaced by a
hostile one, bytes inserted, the file cut short) and runs ``validate`` (scenarios) or ``devnet``
(topologies) through the CLI. The default run tries 50 files; CI's slow step tries 1,000.
"""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIOS = sorted(ROOT.glob("*.yaml"))
TOPOLOGIES = sorted((ROOT / "topologies").glob("*.yaml"))

HOSTILE = [
    "-1", "0", "1e308", "-1e308", ".inf", "-.inf", ".nan", "true", "null", "~", "''", "[", "{", "]",
    "[]", "{}", "18446744073709551616", "0x10", "7d", "-7d", "1 doge", "0 COR", "1e80 COR",
    "0.0000000000000000001 COR", "nan", "'\\x00'", "&a", "*a", "!!python/object:os.system ''",
    "l9", "miner99", "user0", "arbitrum", "solana", "acme", "\u00e9\u00e8", "\"\\ud800\"",
    "[[[[[[[[[[", "a: b: c", "- - -", "|", ">", "%YAML 1.1", "---", "...",
]  # fmt: skip

TOKEN = re.compile(r"(?<=: )[^,}\]\n]+|(?<=- )[^\n]+|(?<=\[)[^\]\n]+")


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> bytes:
    text = draw(st.sampled_from(files)).read_text()
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or ["\n"]
        kind = draw(st.sampled_from(["replace", "drop", "repeat", "swap", "insert", "cut", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "replace":
            spans = [m.span() for m in TOKEN.finditer(text)]
            if spans:
                start, end = draw(st.sampled_from(spans))
                value = draw(st.sampled_from(HOSTILE) | st.text(max_size=12))
                text = text[:start] + value + text[end:]
        elif kind == "drop":
            text = "".join(lines[:i] + lines[i + 1 :])
        elif kind == "repeat":
            text = "".join(lines[: i + 1] + lines[i:])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif kind == "insert":
            text = "".join([*lines[:i], draw(st.sampled_from(HOSTILE)) + "\n", *lines[i:]])
        elif kind == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        else:
            text = "".join([*lines[:i], " " * draw(st.integers(1, 3)) + lines[i], *lines[i + 1 :]])
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw


def assert_clean(args: list[str], raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{suffix}"
        path.write_bytes(raw)
        if args[0] == "validate":
            # A mutated scenario that names a topology file resolves it beside itself.
            (Path(folder) / "topologies").symlink_to(ROOT / "topologies")
        result = CliRunner().invoke(app, [*args, str(path)])
    assert result.exit_code in (0, 2), (raw, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith("error: "), result.output
        assert len(result.output.strip().splitlines()) <= 6, result.output  # one message, wrapped


def _fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )  # fmt: skip


@_fuzz(25)
@given(mutated(SCENARIOS))
def test_mutated_scenarios_validate_or_exit_2(raw: bytes) -> None:
    assert_clean(["validate"], raw, ".yaml")


@_fuzz(25)
@given(mutated(TOPOLOGIES))
def test_mutated_topologies_build_or_exit_2(raw: bytes) -> None:
    assert_clean(["devnet", "--topology"], raw, ".yaml")


@pytest.mark.slow
@_fuzz(600)
@given(mutated(SCENARIOS))
def test_600_mutated_scenarios_validate_or_exit_2(raw: bytes) -> None:
    assert_clean(["validate"], raw, ".yaml")


@pytest.mark.slow
@_fuzz(400)
@given(mutated(TOPOLOGIES))
def test_400_mutated_topologies_build_or_exit_2(raw: bytes) -> None:
    assert_clean(["devnet", "--topology"], raw, ".yaml")


RUNNABLE = """\
name: fuzzed
seed: 1
topology:
  accounts: 12
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
parameters: {redundancy: 2, deposit: 10 COR, slash: 1 COR, poll_interval: 5s}
actors: {users: 1, miners: 3, behaviour: {miner2: dishonest}}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 100 COR}
  - {do: fund, to: [miners], amount: 6000 COR}
  - {do: register_nodes, stake: 6000 COR}
  - {do: open_session, name: s1, redundancy: 2}
  - {do: submit_tasks, session: s1, count: 1}
  - {do: run_tasks, session: s1}
  - {do: advance, by: 1h}
expectations:
  - {expect: tasks, session: s1, state: completed, count: 1}
  - {expect: balance, of: user0, at_most: 100 COR}
"""

VALUE = re.compile(r"(?<=: )[^,{}\[\]\n]+")
PLAUSIBLE = {
    "amount": ["0 COR", "1 COR", "5000 COR", "7000 COR", "1e30 COR", "1 wei", "1 ether", "0.5 SOL"],
    "count": ["0", "1", "2", "3", "5", "16", "-1"],
    "duration": ["0s", "1ms", "7d", "90s"],
    "name": ["dishonest", "colluding", "silent", "honest", "miner0", "miner5", "user1", "l1", "s2",
             "completed", "queued", "arbitrum"],
}  # fmt: skip


FIXED = ("do: ", "expect: ", "name: ", "session: ")
"""Keys whose values stay: a mutant that renames a step kind or a session only tests validation."""


def _kind(value: str) -> str:
    if value.endswith("COR"):
        return "amount"
    if value.isdigit():
        return "count"
    if re.fullmatch(r"\d+[a-z]+", value):
        return "duration"
    return "name"


def plausible_mutation(rng: random.Random) -> str:
    """RUNNABLE with one or two values swapped for ones of the same kind (an amount for an amount,
    a count for a count): many still validate, so they run."""
    text = RUNNABLE
    for _ in range(rng.randint(1, 2)):
        spans = [
            m.span()
            for m in VALUE.finditer(text)
            if m.start() > text.index("parameters:") and not text[: m.start()].endswith(FIXED)
        ]
        start, end = rng.choice(spans)
        text = text[:start] + rng.choice(PLAUSIBLE[_kind(text[start:end].strip())]) + text[end:]
    return text


@pytest.mark.slow
def test_mutated_scenarios_run_to_a_verdict_or_exit_2(tmp_path: Path) -> None:
    """Run, not only validate: each mutant passes (0), fails an expectation or a step (1), or is
    bad input (2), never a crash; and enough of them get past validation to run."""
    rng = random.Random(2026)
    codes: list[int] = []
    for index in range(24):
        path = tmp_path / f"fuzzed{index}.yaml"
        path.write_text(plausible_mutation(rng))
        result = CliRunner().invoke(app, ["run", str(path)])
        assert result.exit_code in (0, 1, 2), (path.read_text(), result.output, result.exception)
        assert "Traceback" not in result.output and "internal error" not in result.output
        codes.append(result.exit_code)
    assert codes.count(0) + codes.count(1) >= 8, codes
    assert codes.count(1) >= 2 and codes.count(2) >= 2, codes
