#!/usr/bin/env python
"""Transfers per second over HTTP JSON-RPC: ``cortensor-sim serve`` beside anvil, in one run.

    python benchmarks/bench_rpc.py               # N=500 transfers per measurement, 3 repetitions
    python benchmarks/bench_rpc.py --quick       # N=100, 1 repetition
    python benchmarks/bench_rpc.py --json out.json

Both servers get the same work: N EIP-1559 transfers pre-signed outside the timed region (from the
ten standard dev accounts, round robin, for the server's chain id), sent as
``eth_sendRawTransaction`` over one keep-alive HTTP connection, either one request per transfer
("single") or in JSON-RPC batches of B ("batched"). In the automine modes a transfer is executed
and sealed before its answer is sent (anvil may seal transfers that arrive together in one block);
in the pooled modes automine is off and one ``evm_mine`` at the end, inside the timed region, seals
them all. The timed region ends when the receiver's balance shows every transfer landed. Each
repetition starts a fresh server outside the timed region; the figure is the median, and the
servers alternate.

anvil is ``@foundry-rs/anvil-linux-amd64`` from npm (``npm ci`` in tests/serve/clients); without
it the devnet's figures are printed alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cortensor_sim.chains import Devnet  # noqa: E402
from cortensor_sim.chains.accounts import dev_accounts  # noqa: E402
from cortensor_sim.interfaces.server import DevnetRpc  # noqa: E402

ANVIL = (
    ROOT
    / "tests"
    / "serve"
    / "clients"
    / "node_modules"
    / "@foundry-rs"
    / "anvil-linux-amd64"
    / "bin"
    / "anvil"
)
RECEIVER = "0x" + "42" * 20
CHAIN_ID = 901  # one chain id for both servers, so the same signed transfers fit both


def signed_transfers(count: int, chain_id: int) -> list[str]:
    """``count`` raw transfers round robin from the ten dev accounts, as 0x-hex."""
    accounts = dev_accounts(10)
    raws = []
    for index in range(count):
        account = accounts[index % 10]
        tx = {
            "chainId": chain_id,
            "nonce": index // 10,
            "to": RECEIVER,
            "value": 1,
            "gas": 21_000,
            "maxFeePerGas": 100 * 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        raws.append("0x" + bytes(account.sign_transaction(tx).raw_transaction).hex())
    return raws


class Client:
    """One keep-alive HTTP connection posting JSON-RPC bodies."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        self.next_id = 0

    def post(self, body: object) -> object:
        self.connection.request("POST", "/", json.dumps(body), {"Content-Type": "application/json"})
        return json.loads(self.connection.getresponse().read())

    def request(self, method: str, *params: object) -> dict[str, object]:
        self.next_id += 1
        return self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})  # type: ignore[return-value]

    def close(self) -> None:
        self.connection.close()


def send_single(client: Client, raws: Sequence[str]) -> None:
    for raw in raws:
        answer = client.request("eth_sendRawTransaction", raw)
        if "error" in answer:
            raise RuntimeError(f"transfer refused: {answer['error']}")


def send_batched(client: Client, raws: Sequence[str], batch: int) -> None:
    for start in range(0, len(raws), batch):
        body = [
            {"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}
            for i, raw in enumerate(raws[start : start + batch], start)
        ]
        answers = client.post(body)
        refused = [a for a in answers if "error" in a]  # type: ignore[union-attr]
        if refused:
            raise RuntimeError(f"transfer refused: {refused[0]['error']}")


def wait_landed(client: Client, expected: int, timeout: float = 120) -> None:
    """Until every transfer landed: the receiver holds one wei per transfer.

    anvil answers ``eth_sendRawTransaction`` before its automine has sealed the transfer, so
    landing is part of the timed work; the devnet has sealed each one before it answers.
    """
    deadline = time.monotonic() + timeout
    while True:
        balance = int(client.request("eth_getBalance", RECEIVER, "latest")["result"], 16)  # type: ignore[arg-type]
        if balance == expected:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"expected {expected} transfers to land, {balance} did")
        time.sleep(0.005)


ONE_CHAIN = {"chains": [{"name": "l1", "kind": "ethereum", "chain_id": CHAIN_ID, "block_time": 12}]}
SERVE_ONE_CHAIN = f"""
import asyncio, sys
sys.path.insert(0, {str(ROOT)!r})
from cortensor_sim.chains import Devnet
from cortensor_sim.interfaces.server import DevnetServer

async def main():
    devnet = Devnet({ONE_CHAIN!r})
    server = DevnetServer(devnet, ports={{"l1": 0}}, automine=True)
    await server.start()
    print(server.urls["l1"], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@contextmanager
def devnet_server() -> Iterator[str]:
    """A one-chain devnet (an L1 with anvil's chain id) on a free port, automining, in a process of its
    own, as anvil is (a server thread in this process would fight the client for the GIL)."""
    process = subprocess.Popen([sys.executable, "-c", SERVE_ONE_CHAIN], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError("the devnet server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def anvil_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--chain-id", str(CHAIN_ID), "--silent", "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                Client(url).request("eth_chainId")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(server: Callable[[], object], raws: Sequence[str], batch: int | None, pooled: bool) -> float:
    """Transfers per second for one fresh server: the sends (and, pooled, the one evm_mine) are timed."""
    with server() as url:  # type: ignore[attr-defined]
        client = Client(url)
        client.request("eth_chainId")  # connect outside the timed region
        if pooled:
            client.request("evm_setAutomine", False)
        started = time.perf_counter()
        if batch is None:
            send_single(client, raws)
        else:
            send_batched(client, raws, batch)
        if pooled:
            client.request("evm_mine")
        wait_landed(client, len(raws))
        elapsed = time.perf_counter() - started
        client.close()
    return len(raws) / elapsed


def measure_in_process(raws: Sequence[str], batch: int | None, pooled: bool) -> float:
    """The same work handed to the server's dispatcher directly: no HTTP, no JSON text.

    For reading the figures: the gap between this and the HTTP figure is the server's own cost;
    the rest is the engine's.
    """
    rpc = DevnetRpc(Devnet(ONE_CHAIN))

    def ask(method: str, *params: object) -> object:
        return rpc.answer("l1", {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})

    if pooled:
        ask("evm_setAutomine", False)
    started = time.perf_counter()
    size = batch or 1
    for start in range(0, len(raws), size):
        body = [
            {"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}
            for i, raw in enumerate(raws[start : start + size], start)
        ]
        rpc.answer("l1", body if batch else body[0])
    if pooled:
        ask("evm_mine")
    elapsed = time.perf_counter() - started
    landed = int(ask("eth_getBalance", RECEIVER, "latest")["result"], 16)  # type: ignore[index]
    if landed != len(raws):
        raise RuntimeError(f"expected {len(raws)} transfers to land, {landed} did")
    return len(raws) / elapsed


MODES = (
    ("automine, single", False, False),
    ("automine, batched", True, False),
    ("pooled + evm_mine, single", False, True),
    ("pooled + evm_mine, batched", True, True),
)
"""(name, batched, pooled): pooled turns automine off (evm_setAutomine false) and seals everything
with one evm_mine at the end, inside the timed region (the serve default's shape: a block per slot)."""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="N=100, one repetition")
    parser.add_argument("-n", type=int, default=None, help="transfers per measurement (default 500)")
    parser.add_argument("--batch", type=int, default=100, help="requests per JSON-RPC batch (default 100)")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    count = args.n or (100 if args.quick else 500)
    repeat = args.repeat or (1 if args.quick else 3)
    raws = signed_transfers(count, CHAIN_ID)
    servers: dict[str, Callable[[], object]] = {"cortensor-sim serve": devnet_server}
    if ANVIL.is_file():
        servers["anvil 1.7.1 (npm)"] = anvil_server
    else:
        print(f"anvil not found at {ANVIL}: run `npm ci` in tests/serve/clients for the side-by-side figures")
    print(
        f"{count} transfers per measurement, batches of {args.batch}, median of {repeat}; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    figures: dict[str, dict[str, float]] = {}
    in_process: dict[str, float] = {}
    for mode, batch, pooled in MODES:
        runs: dict[str, list[float]] = {name: [] for name in servers}
        direct: list[float] = []
        for _ in range(repeat):  # alternate, so drift of the machine hits both sides alike
            for name, server in servers.items():
                runs[name].append(measure(server, raws, args.batch if batch else None, pooled))
            direct.append(measure_in_process(raws, args.batch if batch else None, pooled))
        figures[mode] = {name: statistics.median(values) for name, values in runs.items()}
        in_process[mode] = statistics.median(direct)
    print(
        f"{'tx/s':<30}"
        + "".join(f"{name:>22}" for name in servers)
        + ("  ratio" if len(servers) == 2 else "")
    )
    for mode, _, _ in MODES:
        row = [figures[mode][name] for name in servers]
        ratio = f"  {row[0] / row[1]:.3f}" if len(row) == 2 else ""
        print(f"{mode:<30}" + "".join(f"{value:>22,.0f}" for value in row) + ratio)
    print("for reference, the devnet's dispatcher in process (no HTTP, no JSON text), tx/s:")
    for mode, _, _ in MODES:
        print(f"  {mode:<28}{in_process[mode]:>10,.0f}")
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "count": count,
                    "batch": args.batch,
                    "repeat": repeat,
                    "tx_per_s": figures,
                    "in_process": in_process,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
