"""YAML input errors point at the file, the line and the field, and say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cortensor_sim.chains.topology import Topology
from cortensor_sim.scenario.source import InputError, load_yaml_model

VALID = """\
seed: demo
chains:
  - name: l1
    kind: ethereum
    chain_id: 900
    block_time: 12
  - name: base
    kind: op-stack
    parent: l1
    chain_id: 901
    block_time: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topology.yaml"
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load_yaml_model(write(tmp_path, text), Topology)
    return caught.value


def test_valid_yaml_becomes_a_topology(tmp_path: Path) -> None:
    topology = load_yaml_model(write(tmp_path, VALID), Topology)
    assert [c.name for c in topology.chains] == ["l1", "base"]
    assert topology.seed == "demo"


def test_unknown_parent_names_file_line_and_field(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("parent: l1", "parent: l2"))
    assert error.line == 9
    assert error.field == "chains[1].parent"
    assert str(error).startswith(f"{tmp_path / 'topology.yaml'}:9:13: chains[1].parent: unknown parent 'l2'")
    assert error.column == 13


def test_field_level_error_points_at_the_value(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("block_time: 2", "block_time: -2"))
    assert (error.line, error.field) == (11, "chains[1].block_time")
    assert "must be positive" in error.message


def test_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("kind: op-stack", "kind: zk-rollup"))
    assert (error.line, error.field) == (8, "chains[1].kind")
    assert "'op-stack'" in error.message


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("    block_time: 12\n", "    block_time: 12\n    gas: 5\n"))
    assert error.field == "chains[0].gas"
    assert error.line == 7


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    error = error_for(tmp_path, "chains: [ {name: l1\n")
    assert error.line is not None
    assert "not valid YAML" in error.message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_yaml_model(tmp_path / "nope.yaml", Topology)


def test_key_selects_a_section(tmp_path: Path) -> None:
    text = "topology:\n" + "".join(f"  {line}\n" for line in VALID.splitlines())
    topology = load_yaml_model(write(tmp_path, text), Topology, key="topology")
    assert topology.chains[1].parent == "l1"
    error = error_for(tmp_path, "other: 1\n")
    assert "chains" in error.message or error.field == "chains"
