"""The devnet behind standard JSON-RPC: HTTP and WebSocket per EVM chain, and a Solana port."""

from .app import DEFAULT_PORTS, DEFAULT_SOLANA_PORT, DevnetServer, default_ports
from .devnet_rpc import DevnetRpc

__all__ = ["DEFAULT_PORTS", "DEFAULT_SOLANA_PORT", "DevnetRpc", "DevnetServer", "default_ports"]
