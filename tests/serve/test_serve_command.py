"""``cortensor-sim serve`` as a user runs it: a process that prints its URLs and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

from cortensor_sim.chains import Devnet

FREE_PORTS = [
    "--port",
    "l1=0",
    "--port",
    "base=0",
    "--port",
    "arbitrum=0",
    "--port",
    "l3=0",
    "--solana-port",
    "0",
]


def _start(*args: str) -> subprocess.Popen[str]:
    env = os.environ | {"COLUMNS": "200", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "cortensor_sim", "serve", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _urls(process: subprocess.Popen[str], timeout: float = 60) -> dict[str, str]:
    """Read the printed table until 'serving' (bounded), and return each chain's URL."""
    assert process.stdout is not None
    urls: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"(\w+)\s.*(http://127\.0\.0\.1:\d+)", line)
        if match:
            urls[match[1]] = match[2]
        if line.startswith("serving"):
            return urls
    raise AssertionError(f"serve did not start: {process.stderr.read() if process.stderr else ''}")


def _rpc(url: str, method: str, params: list[object]) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["result"]


def test_serve_prints_urls_answers_and_saves_state_on_ctrl_c(tmp_path: Path) -> None:
    saved = tmp_path / "devnet.state"
    process = _start("--automine", "--dump-state", str(saved), *FREE_PORTS)
    try:
        urls = _urls(process)
        assert set(urls) == {"l1", "base", "arbitrum", "l3", "solana"}
        assert _rpc(urls["l1"], "eth_chainId", []) == hex(900)
        accounts = _rpc(urls["base"], "eth_accounts", [])
        _rpc(urls["base"], "eth_sendTransaction", [{"from": accounts[0], "to": accounts[1], "value": "0x1"}])
        assert _rpc(urls["solana"], "getHealth", []) == "ok"
        # A client still subscribed over a WebSocket does not hold the shutdown up.
        with connect(urls["l1"].replace("http://", "ws://"), open_timeout=30) as ws:
            ws.send(
                json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]})
            )
            assert json.loads(ws.recv(timeout=30))["result"].startswith("0x")
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "state saved" in out and "stopped" in out
    assert "Traceback" not in err
    assert Devnet.load(saved).evm("base").height == 1


@pytest.mark.slow
def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _start("--automine", *FREE_PORTS, "--port", f"l1={port}")
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "cannot listen on 127.0.0.1" in err and "Traceback" not in err


@pytest.mark.slow
def test_a_bad_port_spec_is_a_clear_error() -> None:
    process = _start("--port", "nowhere=1")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "--port 'nowhere=1'" in err and "Traceback" not in err


DEPOSIT_SCENARIO = """
name: eth-deposit
seed: 1
topology:
  seed: eth-deposit
  accounts: 10
  chains:
    - {name: l1,   kind: ethereum,             chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
parameters:
  session_chain: l1
actors:
  users: 1
  miners: 1
timeline:
  - {do: deploy, chain: l1}
  - {do: fund, chain: l1, to: [user0], amount: 1000 COR}
  - {do: bridge, from: l1, to: base, actor: user0, amount: 1 ether}
  - {do: advance, by: 1m}
expectations:
  - {expect: messages, route: l1 -> base, status: relayed, count: 1}
"""


def _serve_scenario(tmp_path: Path, *args: str) -> tuple[str, dict[str, str], subprocess.Popen[str]]:
    path = tmp_path / "deposit.yaml"
    path.write_text(DEPOSIT_SCENARIO)
    process = _start(
        str(path), "--automine", "--port", "l1=0", "--port", "base=0", "--solana-port", "-1", *args
    )
    assert process.stdout is not None
    summary = process.stdout.readline()
    return summary, _urls(process), process


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and "Traceback" not in err, err
    return err


def test_serve_a_scenario_serves_the_devnet_its_timeline_left(tmp_path: Path) -> None:
    summary, urls, process = _serve_scenario(tmp_path)
    try:
        assert summary.startswith("scenario 'eth-deposit': ran 4 of 4 steps, simulated 60")
        assert "all expectations held" in summary and re.search(r"trace [0-9a-f]{64}", summary)
        assert set(urls) == {"l1", "base"}
        (message,) = _rpc(urls["l1"], "cortensor_messages", [])  # type: ignore[misc]
        assert message["route"] == "l1 -> base" and message["status"] == "relayed"
        assert int(_rpc(urls["base"], "eth_blockNumber", []), 16) > 0  # type: ignore[arg-type]
    finally:
        _stop(process)


def test_serve_a_scenarios_setup_only_stops_before_its_story(tmp_path: Path) -> None:
    summary, urls, process = _serve_scenario(tmp_path, "--setup-only")
    try:
        assert summary.startswith("scenario 'eth-deposit': ran 2 of 4 steps")
        assert "set-up steps only, expectations not checked" in summary
        assert _rpc(urls["l1"], "cortensor_messages", []) == []
        assert int(_rpc(urls["l1"], "eth_blockNumber", []), 16) > 0  # type: ignore[arg-type]  # deployed
    finally:
        _stop(process)


def test_serve_a_bad_scenario_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DEPOSIT_SCENARIO.replace("to: base, actor", "to: nowhere, actor"))
    process = _start(str(path), "--automine")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "bad.yaml:" in err and "unknown chain 'nowhere'" in err and "Traceback" not in err
