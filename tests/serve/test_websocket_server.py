"""The WebSocket side of ``serve``: web3.py's WebSocketProvider, requests and ``eth_subscribe``."""

from __future__ import annotations

import asyncio
from typing import Any

from serve_helpers import ServedDevnet
from web3 import AsyncWeb3, WebSocketProvider

EMIT_INIT = bytes.fromhex("600a600c600039600a6000f3" + "3360003560006000a200")  # log2(0,0,arg,caller)


async def _next(w3: AsyncWeb3, count: int) -> list[dict[str, Any]]:
    """The next ``count`` subscription messages (bounded: each must come within 10 s)."""
    received: list[dict[str, Any]] = []
    stream = w3.socket.process_subscriptions()
    while len(received) < count:
        received.append(await asyncio.wait_for(anext(stream), timeout=10))
    return received


def test_requests_and_subscriptions_over_a_websocket(served: ServedDevnet) -> None:
    async def session() -> None:
        async with AsyncWeb3(WebSocketProvider(served.ws_url("arbitrum"))) as w3:
            assert await w3.eth.chain_id == 412346
            sender, receiver = (await w3.eth.accounts)[:2]
            deploy = await w3.eth.send_transaction({"from": sender, "data": EMIT_INIT})
            emitter = (await w3.eth.get_transaction_receipt(deploy))["contractAddress"]

            heads = await w3.eth.subscribe("newHeads")
            pending = await w3.eth.subscribe("newPendingTransactions")
            logs = await w3.eth.subscribe("logs", {"address": emitter})
            tx_hash = await w3.eth.send_transaction({"from": sender, "to": emitter, "data": "0x" + "cd" * 32})
            messages = await _next(w3, 3)
            by_subscription = {m["subscription"]: m["result"] for m in messages}
            assert by_subscription[pending] == tx_hash
            block = await w3.eth.get_block("latest")
            assert by_subscription[heads]["hash"] == block["hash"]
            assert by_subscription[logs]["transactionHash"] == tx_hash
            assert by_subscription[logs]["topics"][0] == b"\xcd" * 32

            assert await w3.eth.unsubscribe(heads) is True
            assert await w3.eth.unsubscribe(pending) is True
            await w3.eth.send_transaction({"from": sender, "to": receiver, "value": 1})  # no log: no message
            tx_hash = await w3.eth.send_transaction({"from": sender, "to": emitter, "data": "0x" + "ef" * 32})
            (message,) = await _next(w3, 1)
            assert message["subscription"] == logs and message["result"]["transactionHash"] == tx_hash

    asyncio.run(session())


def test_many_websocket_clients_at_once(served: ServedDevnet) -> None:
    async def client(index: int) -> int:
        async with AsyncWeb3(WebSocketProvider(served.ws_url("base"))) as w3:
            accounts = await w3.eth.accounts
            tx_hash = await w3.eth.send_transaction({"from": accounts[index], "to": accounts[9], "value": 1})
            return (await w3.eth.get_transaction_receipt(tx_hash))["status"]

    async def all_clients() -> list[int]:
        return await asyncio.gather(*(client(i) for i in range(8)))

    assert asyncio.run(all_clients()) == [1] * 8
    assert served.on_loop(lambda: served.server.devnet.evm("base").height) == 8
