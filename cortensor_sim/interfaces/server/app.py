"""``cortensor-sim serve``: each EVM chain on a port of its own, HTTP and WebSocket on the same port.

One asyncio loop runs everything. The devnet is not thread-safe and py-evm is CPU-bound, so requests
are answered one at a time on the loop, in arrival order, which also makes the answers of many
clients a consistent sequence of states, as one node's are.

Block production, by default, follows the wall clock: a ticker moves the devnet's one clock to
"the time it was when serving started, plus the wall time since", and every chain seals the blocks
whose time has come (interval mining at its block time). Time methods move the clock ahead and
the ticker carries on from there. With ``automine`` every chain seals each transaction at once and
the clock moves only when a time method asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from ...chains import Devnet
from ...chains.rpc import INTERNAL_ERROR, INVALID_REQUEST, RpcError, error_response
from .devnet_rpc import DevnetRpc
from .json_input import MalformedJson, decode_json
from .subscriptions import Subscriptions

DEFAULT_PORTS: Mapping[str, int] = {"l1": 8545, "base": 9545, "arbitrum": 9546, "l3": 9547}
"""Ports of the default topology's chains; other chains take the next free numbers after 9547."""
DEFAULT_SOLANA_PORT = 8899
MAX_BODY_BYTES = 32 * 1024 * 1024
"""Largest request body or WebSocket message accepted (a large contract deploy is well under)."""
TICK_SECONDS = 0.05
PARSE_ERROR = -32700

RequestLog = Callable[[str, str], None]
"""Called with (chain name, method) for each request, when the server logs requests (``-v``)."""


def default_ports(names: list[str]) -> dict[str, int]:
    """A port for each EVM chain: the defaults above, then 9548, 9549, ... in topology order."""
    ports: dict[str, int] = {}
    spare = max(DEFAULT_PORTS.values()) + 1
    for name in names:
        if name in DEFAULT_PORTS:
            ports[name] = DEFAULT_PORTS[name]
        else:
            ports[name] = spare
            spare += 1
    return ports


@dataclass
class _Anchor:
    """The wall-clock instant and devnet time that the ticker measures from."""

    wall: float
    devnet_ms: int


class DevnetServer:
    """Serves a devnet's chains over JSON-RPC until :meth:`stop`."""

    def __init__(
        self,
        devnet: Devnet,
        *,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
        solana_port: int | None = None,
        automine: bool = False,
        log: RequestLog | None = None,
    ) -> None:
        self.host = host
        self.automine = automine
        self.log = log
        names = list(devnet.evm_chains)
        self.ports = default_ports(names) | dict(ports or {})
        unknown = set(self.ports) - set(names)
        if unknown:
            raise ValueError(
                f"ports given for unknown chains: {', '.join(sorted(unknown))} (chains: {', '.join(names)})"
            )
        self.solana_port = solana_port
        self.rpc = DevnetRpc(devnet)
        self.rpc.time_moved = self._reanchor
        self.rpc.replaced = self._rebind_solana
        for chain in devnet.evm_chains.values():
            chain.set_mining("auto" if automine else "interval")
        self.urls: dict[str, str] = {}
        self._runners: list[web.AppRunner] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._ticker: asyncio.Task[None] | None = None
        self._anchor = _Anchor(time.monotonic(), devnet.clock.now_ms)
        self.solana_rpc: Any = None

    @property
    def devnet(self) -> Devnet:
        return self.rpc.devnet

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Bind every port (port 0: a free one) and start answering; raises OSError if one is taken."""
        try:
            for name, port in self.ports.items():
                bound = await self._listen(self._chain_app(name), port)
                self.urls[name] = f"http://{self._url_host}:{bound}"
            if self.solana_port is not None and self._solana_chain() is not None:
                from .solana_rpc import SolanaRpc

                self.solana_rpc = SolanaRpc(self._solana_chain())  # type: ignore[arg-type]
                bound = await self._listen(self._solana_app(), self.solana_port)
                self.urls[self.solana_rpc.chain.name] = f"http://{self._url_host}:{bound}"
                if self.solana_port:
                    # WebSocket on the next port too: where a validator (and @solana/web3.js's
                    # default endpoint) has it. Port 0 asks for one free port, so only that one.
                    await self._listen(self._solana_app(), self.solana_port + 1)
        except BaseException:
            await self.stop()
            raise
        self.rpc.urls = dict(self.urls)
        self._reanchor()
        if not self.automine:
            self._ticker = asyncio.get_running_loop().create_task(self._follow_wall_clock())

    def _rebind_solana(self) -> None:
        """After ``anvil_loadState``, the Solana port serves the loaded devnet's Solana chain."""
        if self.solana_rpc is not None:
            self.solana_rpc.rebind(self._solana_chain())

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    def _solana_chain(self) -> Any:
        from ...chains import SolanaChain

        return next((c for c in self.devnet.chains.values() if isinstance(c, SolanaChain)), None)

    async def _listen(self, app: web.Application, port: int) -> int:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, port))
        except OSError:
            sock.close()
            raise
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        self._runners.append(runner)
        await web.SockSite(runner, sock).start()
        return int(sock.getsockname()[1])

    async def stop(self) -> None:
        """Stop the ticker, close every WebSocket and release every port."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for ws in tuple(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    # ------------------------------------------------------------------ the wall clock
    def _reanchor(self) -> None:
        self._anchor = _Anchor(time.monotonic(), self.devnet.clock.now_ms)

    def follow_wall_clock_once(self) -> None:
        """Move the devnet's clock to where the wall clock says it is now (one tick)."""
        target = self._anchor.devnet_ms + int((time.monotonic() - self._anchor.wall) * 1000)
        now_ms = self.devnet.clock.now_ms
        if target > now_ms:
            self.devnet.advance((target - now_ms) / 1000)

    async def _follow_wall_clock(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                self.follow_wall_clock_once()
            except Exception as exc:  # a failing block must not stop block production for good
                print(f"cortensor-sim serve: block production failed: {exc}", file=sys.stderr)

    # ------------------------------------------------------------------ answering
    def reply(self, chain: str, body: bytes | str, subscriptions: Subscriptions | None = None) -> str | None:
        """The JSON text answering one HTTP body or WebSocket message (None: nothing to send)."""
        try:
            message = decode_json(body)
        except MalformedJson as exc:
            return json.dumps(error_response(None, RpcError(PARSE_ERROR, f"parse error: {exc}")))
        if self.log is not None:
            for request in message if isinstance(message, list) else [message]:
                if isinstance(request, dict):
                    self.log(chain, str(request.get("method"))[:100])
        try:
            answer = subscriptions.answer(message) if subscriptions is not None else None
            if answer is None:
                answer = self.rpc.answer(chain, message)
            return None if answer is None else json.dumps(answer)
        except Exception as exc:  # a bug must cost one answer, never the server
            error = RpcError(INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}"[:500])
            return json.dumps(error_response(None, error))

    def _chain_app(self, name: str) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)

        async def handle(request: web.Request) -> web.StreamResponse:
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return await self._websocket(name, request)
            return await self._http(request, lambda body: self.reply(name, body))

        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    async def _http(self, request: web.Request, reply: Callable[[bytes], str | None]) -> web.StreamResponse:
        if request.method == "OPTIONS":  # a browser's CORS preflight (wallets, dapps)
            return web.Response(status=204, headers=_CORS)
        if request.method != "POST":
            error = RpcError(INVALID_REQUEST, "send JSON-RPC with POST, or upgrade to a WebSocket")
            return web.json_response(error_response(None, error), status=405, headers=_CORS)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            error = RpcError(INVALID_REQUEST, f"request body larger than {MAX_BODY_BYTES} bytes")
            return web.json_response(error_response(None, error), status=413, headers=_CORS)
        text = reply(body)
        return web.Response(text=text or "", content_type="application/json", headers=_CORS)

    async def _websocket(self, name: str, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_BODY_BYTES, heartbeat=30.0)
        await ws.prepare(request)
        self._sockets.append(ws)
        outbox: asyncio.Queue[str | None] = asyncio.Queue(maxsize=Subscriptions.MAX_QUEUED)
        subscriptions = Subscriptions(self.rpc, name, outbox)
        writer = asyncio.get_running_loop().create_task(_drain(ws, outbox))
        try:
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                text = self.reply(name, msg.data, subscriptions)
                if text is not None and not subscriptions.send(text):
                    break
        finally:
            subscriptions.close()
            with contextlib.suppress(asyncio.QueueFull):
                outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, timeout=1.0)
            writer.cancel()
            self._sockets.remove(ws)
            await ws.close()
        return ws

    async def _solana_websocket(self, request: web.Request) -> web.StreamResponse:
        from .solana_rpc import SignatureWatches

        ws = web.WebSocketResponse(max_msg_size=MAX_BODY_BYTES, heartbeat=30.0)
        await ws.prepare(request)
        self._sockets.append(ws)
        watches = SignatureWatches(self.solana_rpc)

        async def notify_landed() -> None:
            while not ws.closed:
                for note in watches.due():
                    await ws.send_str(note)
                await asyncio.sleep(TICK_SECONDS)

        poller = asyncio.get_running_loop().create_task(notify_landed())
        try:
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                text = watches.reply(msg.data)
                if text is not None:
                    await ws.send_str(text)
                for note in watches.due():
                    await ws.send_str(note)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await poller
            self._sockets.remove(ws)
            await ws.close()
        return ws

    def _solana_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)

        async def handle(request: web.Request) -> web.StreamResponse:
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return await self._solana_websocket(request)
            return await self._http(request, self.solana_rpc.reply)

        app.router.add_route("*", "/{tail:.*}", handle)
        return app


_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
}


async def _drain(ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None]) -> None:
    """Send what the connection's outbox holds, in order, until it is closed (None)."""
    while (text := await outbox.get()) is not None:
        await ws.send_str(text)
