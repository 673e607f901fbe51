"""Mutations of the bundled scenario and topology files give exit 0 or 2, and never a traceback.

Each example mutates a bundled file (a line dropped, repeated or swapped, a value replaced by a
hostile one, bytes inserted, the file cut short) and runs ``validate`` (scenarios) or ``devnet``
(topologies) through the CLI. The default run tries 50 files; CI's slow step tries 1,000.
"""

from __future__ import annotations

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
