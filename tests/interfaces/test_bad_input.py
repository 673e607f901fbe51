"""Each bad input a new user tried gives exit 2 and one line saying where and what, never a traceback."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app

runner = CliRunner()

TOPOLOGY = """\
chains:
  - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
  - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
"""


def refused(args: list[str], *expected: str) -> str:
    """Run the CLI; it must exit 2 with a one-line error that contains each of ``expected``."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.output.replace("\n", "")
    for part in expected:
        assert part in text, result.output
    return text


def write(tmp_path: Path, text: str | bytes, name: str = "topology.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_binary_topology_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x1f\x8b\x08\x00\xff\xfe binary")
    refused(["devnet", "--topology", str(path)], f"{path}:1:2:", "not UTF-8")


def test_nul_byte_in_topology_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"chains:\n  - \x00\n")
    refused(["devnet", "--topology", str(path)], f"{path}:2:5:", "binary file")


def test_latin1_topology_file(tmp_path: Path) -> None:
    path = write(tmp_path, "seed: caf\xe9\n".encode("latin-1") + TOPOLOGY.encode())
    refused(["devnet", "--topology", str(path)], f"{path}:1:10:", "not UTF-8")


@pytest.mark.parametrize("value", ["1e308", ".inf", ".nan", "-.inf"])
def test_block_time_overflow_and_non_finite(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, TOPOLOGY.replace("block_time: 12", f"block_time: {value}"))
    refused(["devnet", "--topology", str(path)], f"{path}:2:", "chains[0].block_time")


def test_block_time_true_is_not_one_second(tmp_path: Path) -> None:
    path = write(tmp_path, TOPOLOGY.replace("block_time: 12", "block_time: true"))
    refused(["devnet", "--topology", str(path)], "chains[0].block_time", "got True")


def test_genesis_time_past_uint64(tmp_path: Path) -> None:
    path = write(tmp_path, f"genesis_time: {2**64}\n" + TOPOLOGY)
    refused(["devnet", "--topology", str(path)], f"{path}:1:15: genesis_time:", "less than or equal")


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "seed: a\nseed: b\n" + TOPOLOGY)
    refused(["devnet", "--topology", str(path)], f"{path}:2:1:", "duplicate key 'seed' (first at line 1)")


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    refused(["devnet", "--topology", str(path)], f"{path}:1:", "the file is empty")


def test_top_level_list(tmp_path: Path) -> None:
    path = write(tmp_path, "- l1\n- base\n")
    refused(["devnet", "--topology", str(path)], f"{path}:1:1:", "expected a mapping", "got a list")


def test_deeply_nested_brackets(tmp_path: Path) -> None:
    path = write(tmp_path, "[" * 100_000)
    refused(["devnet", "--topology", str(path)], f"{path}:1:", "nested more than")


def test_directory_as_topology(tmp_path: Path) -> None:
    refused(["devnet", "--topology", str(tmp_path)], "is a directory")


@pytest.mark.parametrize("value", ["nan", "inf", "1e20", "-5", "abc", "1e400"])
def test_advance_refuses_non_durations(value: str) -> None:
    refused(["devnet", "--advance", value], "--advance:")


def test_advance_takes_units() -> None:
    result = runner.invoke(app, ["devnet", "--advance", "2m"])
    assert result.exit_code == 0, result.output
    assert "120 s after genesis" in result.output


def test_dump_to_empty_name() -> None:
    refused(["devnet", "--dump", ""], "--dump: expected a file name")


def test_dump_to_a_directory(tmp_path: Path) -> None:
    refused(["devnet", "--dump", str(tmp_path)], "is a directory")


def test_dump_never_replaces_a_device(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(["devnet", "--dump", str(fifo)], "not a regular file")
    assert fifo.is_fifo()


def test_dump_to_dev_null_leaves_the_device() -> None:
    refused(["devnet", "--dump", "/dev/null"], "not a regular file")
    assert Path("/dev/null").is_char_device()


def test_dump_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.devnet.json.gz"
    target.write_bytes(b"old")
    link = tmp_path / "link.devnet.json.gz"
    link.symlink_to(target)
    result = runner.invoke(app, ["devnet", "--dump", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"\x1f\x8b")


DEFAULT_TOPOLOGY = Path(__file__).parents[2] / "scenarios" / "topologies" / "default.yaml"


def test_demo_with_too_few_accounts(tmp_path: Path) -> None:
    path = write(tmp_path, DEFAULT_TOPOLOGY.read_text().replace("accounts: 10", "accounts: 5"))
    refused(["demo", "--topology", str(path)], "funds 5 dev accounts", "accounts: 10")


def test_demo_on_an_interval_mined_chain(tmp_path: Path) -> None:
    text = DEFAULT_TOPOLOGY.read_text().replace("block_time: 0.25}", "block_time: 0.25, mining: interval}", 1)
    refused(
        ["demo", "--topology", str(write(tmp_path, text))], "'arbitrum' mines on an interval", "mining: auto"
    )


def test_demo_without_every_layer(tmp_path: Path) -> None:
    refused(["demo", "--topology", str(write(tmp_path, TOPOLOGY))], "needs 'base' (op-stack, on 'l1')")


def _resigned(state: Path, edit: object) -> None:
    """Apply ``edit`` to a state file's payload and re-sign it, as a hand-edited file would be."""
    document = json.loads(gzip.decompress(state.read_bytes()))
    edit(document["payload"])  # type: ignore[operator]
    canonical = json.dumps(document["payload"], sort_keys=True, separators=(",", ":")).encode()
    document["sha256"] = hashlib.sha256(canonical).hexdigest()
    state.write_bytes(gzip.compress(json.dumps(document).encode()))


@pytest.fixture(scope="module")
def dumped(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    state = tmp_path_factory.mktemp("state") / "net.devnet.json.gz"
    result = runner.invoke(app, ["devnet", "--advance", "60", "--dump", str(state)])
    assert result.exit_code == 0, result.output
    return state.read_bytes()


def test_state_file_with_its_clock_set_back(tmp_path: Path, dumped: bytes) -> None:
    state = write(tmp_path, dumped, "net.devnet.json.gz")

    def set_back(payload: dict) -> None:  # type: ignore[type-arg]
        payload["now_ms"] -= 30_000

    _resigned(state, set_back)
    refused(["devnet", "--state", str(state)], "inconsistent", "after the clock")


def test_state_file_whose_topology_names_another_chain_id(tmp_path: Path, dumped: bytes) -> None:
    state = write(tmp_path, dumped, "net.devnet.json.gz")

    def rename_id(payload: dict) -> None:  # type: ignore[type-arg]
        payload["topology"]["chains"][1]["chain_id"] = 902

    _resigned(state, rename_id)
    refused(
        ["devnet", "--state", str(state)], "inconsistent", "chain id 902", "engine state has chain id 901"
    )


def test_unexpected_error_is_exit_3_with_a_crash_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cortensor_sim.interfaces.cli as cli

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "chains_table", broken)
    monkeypatch.setenv("CORTENSOR_SIM_CRASH_DIR", str(tmp_path))
    result = runner.invoke(app, ["devnet"])
    assert result.exit_code == 3
    assert "internal error: ZeroDivisionError: a bug" in result.output
    (report,) = tmp_path.glob("cortensor-sim-crash-*.txt")
    assert str(report) in result.output.replace("\n", "")
    assert "Traceback" in report.read_text() and "Traceback" not in result.output


def test_control_character_in_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "seed: a\x11b\n" + TOPOLOGY)
    refused(["devnet", "--topology", str(path)], f"{path}:1:8:", "control character U+0011 is not allowed")


def test_ctrl_c_is_not_the_expectation_failed_code(monkeypatch: pytest.MonkeyPatch) -> None:
    import cortensor_sim.interfaces.cli as cli

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "chains_table", interrupted)
    result = runner.invoke(app, ["devnet"])
    assert result.exit_code == 130
    assert "interrupted" in result.output


@pytest.mark.parametrize("args", [["run", "no-such-scenario"], ["validate", "missing.yaml"]])
def test_a_missing_scenario(args: list[str]) -> None:
    refused(args, "cannot read: No such file or directory")


def test_a_reader_that_goes_away_is_not_a_crash() -> None:
    """``cortensor-sim list | head -0``: the pipe closes before the table is written. That is the
    reader's choice, not a bug: no crash report, the shell's code for a broken pipe (128 + SIGPIPE)."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "cortensor_sim", "list"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # long before the command has imported enough to print
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, errors
    assert "internal error" not in errors and "Traceback" not in errors
