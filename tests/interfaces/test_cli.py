"""The command line: tables for people, exit code 2 and a one-line error for bad input."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app

runner = CliRunner()


def test_devnet_prints_every_chain_with_id_parent_and_height() -> None:
    result = runner.invoke(app, ["devnet", "--advance", "24"])
    assert result.exit_code == 0, result.output
    for name, chain_id in [("l1", "900"), ("base", "901"), ("arbitrum", "412346"), ("l3", "333333")]:
        row = next(line for line in result.output.splitlines() if f" {name} " in line and chain_id in line)
        assert chain_id in row
    l1_row = next(line for line in result.output.splitlines() if "│ l1 " in line)
    # 24 s of 12 s blocks, and base's proposer's two output proposals (automined blocks of their own)
    assert l1_row.rstrip(" │").endswith("4")
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in result.output
    assert "10,000.0000" in result.output


def test_bad_topology_exits_2_with_file_line_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("chains:\n  - {name: l1, kind: ethereum, chain_id: 900, block_time: 0}\n")
    result = runner.invoke(app, ["devnet", "--topology", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2:59: chains[0].block_time: must be positive" in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_dump_then_start_from_state(tmp_path: Path) -> None:
    state = tmp_path / "net.devnet.json.gz"
    first = runner.invoke(app, ["devnet", "--advance", "60", "--dump", str(state)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["devnet", "--state", str(state)])
    assert second.exit_code == 0, second.output
    assert "60 s after genesis" in second.output


def test_corrupt_state_file_exits_2(tmp_path: Path) -> None:
    state = tmp_path / "broken.devnet.json.gz"
    state.write_bytes(b"not gzip at all")
    result = runner.invoke(app, ["devnet", "--state", str(state)])
    assert result.exit_code == 2
    assert "not a cortensor-sim state file" in result.output


def test_negative_advance_is_refused() -> None:
    result = runner.invoke(app, ["devnet", "--advance", "-5"])
    assert result.exit_code == 2
    assert "from 0 to 100 years" in result.output


def test_demo_prints_what_each_layer_did() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    for heading in ("What each layer did", "Cross-layer messages", "Proof of Inference verdicts"):
        assert heading in result.output
    for carried in ("COR from Solana", "stake record", "slash", "checkpoint"):
        assert carried in result.output
    assert "INVALID" in result.output
    assert "slashed on l1: miner3 " in result.output
    words = " ".join(result.output.split())  # rich wraps titles and lines at the terminal's width
    assert "private session 0 on l3" in words and "l3 checkpoint" in words
    assert "private prompts and results readable on any chain: none" in words


def test_demo_refuses_an_unknown_option() -> None:
    result = runner.invoke(app, ["demo", "--chain", "zksync"])
    assert result.exit_code == 2
    assert "No such option" in result.output
