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
