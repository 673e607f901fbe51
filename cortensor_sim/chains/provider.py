"""A web3.py provider bound to a chain in the same process: no HTTP, no serialization.

web3 applies its usual request and result formatters to the answers, exactly as it does for a node
behind HTTP, so ``chain.w3`` behaves like a ``Web3(HTTPProvider(...))`` pointed at a real node.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Literal

from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from .rpc import EthRpc, RpcError

if TYPE_CHECKING:
    from .evm import EvmChain


class InProcessProvider(JSONBaseProvider):
    """Answers web3's requests by calling the chain's :class:`EthRpc` directly."""

    def __init__(self, chain: EvmChain) -> None:
        super().__init__()
        self.rpc = EthRpc(chain)
        self._ids = itertools.count()

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        request_id = next(self._ids)
        try:
            result = self.rpc.handle(method, params)
        except RpcError as exc:
            return {"jsonrpc": "2.0", "id": request_id, "error": exc.as_json()}  # type: ignore[typeddict-item]
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse]:
        """web3's ``w3.batch_requests()``: every request answered in order, as a node's batch."""
        batch = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": p} for m, p in requests]
        return self.rpc.answer(batch)  # type: ignore[no-any-return]

    def is_connected(self, show_traceback: bool = False) -> Literal[True]:
        return True
