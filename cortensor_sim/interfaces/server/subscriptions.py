"""``eth_subscribe`` over a WebSocket: ``newHeads``, ``logs`` and ``newPendingTransactions``.

Subscriptions belong to one connection. Chains tell the server of each sealed block and accepted
transaction; each matching subscription queues an ``eth_subscription`` notification in the
connection's outbox. A client that reads too slowly to keep the outbox under
:attr:`Subscriptions.MAX_QUEUED` messages is disconnected rather than buffered without bound.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from ...chains.engine import SealedBlock
from ...chains.evm import ChainEvent
from ...chains.rpc import INVALID_PARAMS, RpcError, error_response
from .devnet_rpc import DevnetRpc

KINDS = ("newHeads", "logs", "newPendingTransactions")
_ids = itertools.count(1)


@dataclass
class _Subscription:
    kind: str
    criteria: dict[str, Any] = field(default_factory=dict)


class Subscriptions:
    """The subscriptions of one WebSocket connection to one chain."""

    MAX_QUEUED = 10_000
    MAX_SUBSCRIPTIONS = 100

    def __init__(self, rpc: DevnetRpc, chain: str, outbox: asyncio.Queue[str | None]) -> None:
        self.rpc = rpc
        self.chain = chain
        self.outbox = outbox
        self.active: dict[str, _Subscription] = {}
        self.overflowed = False
        rpc.watchers.append(self._on_event)

    def close(self) -> None:
        if self._on_event in self.rpc.watchers:
            self.rpc.watchers.remove(self._on_event)
        self.active.clear()

    def send(self, text: str) -> bool:
        """Queue ``text`` for the client; False once the outbox is full (the connection ends)."""
        if self.overflowed:
            return False
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True
            self.close()
            return False
        return True

    # ------------------------------------------------------------------ requests
    def answer(self, request: Any) -> dict[str, Any] | None:
        """The answer to an ``eth_subscribe``/``eth_unsubscribe`` request; None for anything else."""
        if not isinstance(request, dict) or request.get("method") not in ("eth_subscribe", "eth_unsubscribe"):
            return None
        request_id = request.get("id")
        params = request.get("params") or []
        try:
            if not isinstance(params, list) or not params:
                raise RpcError(INVALID_PARAMS, f"invalid params: {request['method']} needs a parameter")
            if request["method"] == "eth_unsubscribe":
                result: Any = (
                    self.active.pop(params[0], None) is not None if isinstance(params[0], str) else False
                )
            else:
                result = self.subscribe(params[0], params[1] if len(params) > 1 else None)
        except RpcError as exc:
            return error_response(request_id, exc)
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    def subscribe(self, kind: Any, options: Any) -> str:
        if kind not in KINDS:
            raise RpcError(
                INVALID_PARAMS, f"invalid params: subscription kind must be one of {', '.join(KINDS)}"
            )
        if len(self.active) >= self.MAX_SUBSCRIPTIONS:
            raise RpcError(
                -32000, f"too many subscriptions on one connection (limit {self.MAX_SUBSCRIPTIONS})"
            )
        criteria: dict[str, Any] = {}
        if kind == "logs":
            if options is not None and not isinstance(options, dict):
                raise RpcError(INVALID_PARAMS, "invalid params: a logs subscription takes a filter object")
            criteria = {k: v for k, v in (options or {}).items() if k in ("address", "topics")}
            self.rpc.chains[self.chain].logs_between(criteria, 1, 0)  # refuse bad addresses/topics now
        subscription_id = f"0x{next(_ids):032x}"
        self.active[subscription_id] = _Subscription(kind, criteria)
        return subscription_id

    # ------------------------------------------------------------------ notifications
    def _on_event(self, chain: str, event: ChainEvent, value: Any) -> None:
        if chain != self.chain or not self.active:
            return
        for subscription_id, subscription in tuple(self.active.items()):
            for result in self._results(subscription, event, value):
                notification = {
                    "jsonrpc": "2.0",
                    "method": "eth_subscription",
                    "params": {"subscription": subscription_id, "result": result},
                }
                if not self.send(json.dumps(notification)):
                    return

    def _results(self, subscription: _Subscription, event: ChainEvent, value: Any) -> list[Any]:
        if event == "transaction":
            return ["0x" + value.hex()] if subscription.kind == "newPendingTransactions" else []
        if not isinstance(value, SealedBlock):
            return []
        rpc = self.rpc.chains[self.chain]
        if subscription.kind == "newHeads":
            header = rpc.chain.engine.get_block(value.hash)
            header.pop("transactions", None)
            return [header]
        if subscription.kind == "logs":
            return rpc.logs_between(subscription.criteria, value.number, value.number)
        return []
