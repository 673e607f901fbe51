"""Helpers for the serve tests: hand-assembled contracts and small devnets."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from cortensor_sim.chains import Devnet, EvmChain
from cortensor_sim.interfaces.server import DevnetServer

GWEI = 10**9

REVERT_RUNTIME = bytes.fromhex("60006000fd")  # revert(0, 0): no reason, no data
BALANCE_OF_CALLER_ARG_RUNTIME = bytes.fromhex("6000353160005260206000f3")  # return balance(calldataload(0))
SLOAD_ARG_RUNTIME = bytes.fromhex("6000355460005260206000f3")  # return sload(calldataload(0))
EMIT_RUNTIME = bytes.fromhex("3360003560006000a200")  # log2(0, 0, calldataload(0), caller()); stop
# call(gas(), calldataload(0), 0, 0, 0, 0, 0); then sstore(0, 1): a nested call whose gas needs
# the all-but-one-64th reserve, so the exact estimate is not the gas a generous run consumed.
CALL_THEN_STORE_RUNTIME = bytes.fromhex("60006000600060006000600035" + "5af150" + "600160005500")


def init_code(runtime: bytes) -> bytes:
    """Minimal init code: codecopy the runtime that follows it to memory 0 and return it."""
    prefix = bytes.fromhex(f"60{len(runtime):02x}600c60003960{len(runtime):02x}6000f3")
    return prefix + runtime


def deploy(chain: EvmChain, runtime: bytes) -> str:
    """Deploy ``runtime`` from the first dev account; mines at once in interval mode."""
    w3 = chain.w3
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": init_code(runtime)})
    if chain.mining == "interval":
        chain.mine()
    address = w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
    assert address is not None
    return address


def interval_devnet() -> Devnet:
    """The default chains with every EVM chain in interval mode (transactions wait for a block)."""
    topology: dict[str, Any] = {
        "chains": [
            {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12, "mining": "interval"},
            {
                "name": "base",
                "kind": "op-stack",
                "parent": "l1",
                "chain_id": 901,
                "block_time": 2,
                "mining": "interval",
            },
        ]
    }
    return Devnet(topology)


def rpc(chain: EvmChain, method: str, *params: Any) -> dict[str, Any]:
    """A raw JSON-RPC answer from the chain's dispatcher (the response object, error or result)."""
    return chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type,return-value]


T = TypeVar("T")


class ServedDevnet:
    """A :class:`DevnetServer` running on its own event loop thread; :meth:`on_loop` reads its state."""

    def __init__(self, devnet: Devnet, **options: Any) -> None:
        ports = {name: 0 for name in devnet.evm_chains}
        self.server = DevnetServer(devnet, ports=ports, **options)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(timeout=30)

    @property
    def urls(self) -> dict[str, str]:
        return self.server.urls

    def ws_url(self, chain: str) -> str:
        return self.urls[chain].replace("http://", "ws://")

    def on_loop(self, read: Callable[[], T]) -> T:
        """Run ``read`` on the server's thread (the devnet is the loop's alone while it serves)."""

        async def run() -> T:
            return read()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
