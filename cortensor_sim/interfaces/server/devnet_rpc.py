"""The devnet behind JSON-RPC: one dispatcher per EVM chain, plus the methods that act on the whole.

Each chain's :class:`~cortensor_sim.chains.rpc.EthRpc` answers the execution API and the per-chain
dev methods. What no single chain can answer is added here, to every chain's dispatcher alike:

* **Time** (``evm_increaseTime``, ``evm_setNextBlockTimestamp``, ``evm_mine`` with a timestamp,
  ``anvil_mine``): the devnet has one simulated clock, so moving it on any port moves it for every
  chain, and each chain seals the blocks whose time has come (a rollup's block never predates its
  parent's view of time).
* **Snapshots and state** (``evm_snapshot``/``evm_revert``, ``anvil_dumpState``/``anvil_loadState``):
  the whole devnet, every chain, the pools and the clock at once, so a cross-chain flow reverts as
  one.
* **The devnet itself** (``cortensor_*``): its chains, their URLs and its clock.
* **Cross-chain messages** (``cortensor_messages``, ``cortensor_relay``,
  ``cortensor_systemContracts``): the settlement engine's records, a relay of what is due now, and
  each rollup's system contracts. The engine's actors act whenever the clock moves (its auto
  mode: the wall-clock ticker, ``evm_increaseTime`` and the other time methods);
  ``cortensor_relay`` is for what is due without a move of the clock (a deposit under automine).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...bridge import MessageRecord, MessageStatus, UnknownRollup
from ...chains import Devnet, EvmChain, StateFileError
from ...chains.evm import ChainEvent
from ...chains.rpc import INVALID_PARAMS, EthRpc, RpcError, _bytes, _quantity

MAX_MINED_PER_CALL = 10_000
"""Most blocks one ``anvil_mine`` seals (every request loop is bounded)."""

ChainWatcher = Callable[[str, ChainEvent, Any], None]
"""Told of every chain's events as (chain name, event, value); survives ``anvil_loadState``."""


class DevnetRpc:
    """Answers JSON-RPC messages addressed to one of the devnet's EVM chains."""

    def __init__(self, devnet: Devnet, urls: Mapping[str, str] | None = None) -> None:
        self.urls = dict(urls or {})
        self.watchers: list[ChainWatcher] = []
        self.time_moved: Callable[[], None] = lambda: None
        """Called after a time method or a revert moved the clock (the server re-anchors to it)."""
        self.replaced: Callable[[], None] = lambda: None
        """Called after ``anvil_loadState`` put a new devnet in place (the Solana port rebinds)."""
        self._attach(devnet)

    def _attach(self, devnet: Devnet) -> None:
        self.devnet = devnet
        self.chains: dict[str, EthRpc] = {}
        for name, chain in devnet.evm_chains.items():
            rpc = EthRpc(chain)
            rpc.methods.update(self._devnet_methods(name))
            chain.watchers.append(lambda event, value, name=name: self._fan_out(name, event, value))
            self.chains[name] = rpc

    def _fan_out(self, name: str, event: ChainEvent, value: Any) -> None:
        for watcher in tuple(self.watchers):
            watcher(name, event, value)

    def answer(self, chain: str, message: Any) -> Any:
        """The response to a decoded JSON-RPC message (one request or a batch) sent to ``chain``."""
        return self.chains[chain].answer(message)

    def chain(self, name: str) -> EvmChain:
        return self.chains[name].chain

    # ------------------------------------------------------------------ the devnet-wide methods
    def _devnet_methods(self, name: str) -> dict[str, Callable[..., Any]]:
        return {
            "evm_increaseTime": self.increase_time,
            "evm_setNextBlockTimestamp": self.set_next_block_timestamp,
            "evm_mine": lambda timestamp=None: self.mine(name, timestamp),
            "anvil_mine": lambda count="0x1", interval="0x0": self.mine_many(name, count, interval),
            "hardhat_mine": lambda count="0x1", interval="0x0": self.mine_many(name, count, interval),
            "evm_setIntervalMining": lambda ms: self.set_interval_mining(name, ms),
            "evm_snapshot": self.snapshot,
            "evm_revert": self.revert,
            "anvil_dumpState": self.dump_state,
            "anvil_loadState": self.load_state,
            "cortensor_chains": self.describe_chains,
            "cortensor_clock": self.describe_clock,
            "cortensor_messages": self.messages,
            "cortensor_relay": self.relay,
            "cortensor_systemContracts": self.system_contracts,
        }

    def _advance_to(self, target_ms: int) -> None:
        now_ms = self.devnet.clock.now_ms
        if target_ms < now_ms:
            raise RpcError(
                -32000,
                f"timestamp {target_ms // 1000} is before the devnet's time {now_ms // 1000}: "
                "time never runs back",
            )
        self.devnet.advance((target_ms - now_ms) / 1000)
        self.time_moved()

    def increase_time(self, seconds: Any) -> str:
        """Move the one clock forward for every chain; returns the seconds moved, as anvil does."""
        amount = _whole(seconds, "seconds")
        self._advance_to(self.devnet.clock.now_ms + amount * 1000)
        return hex(amount)

    def set_next_block_timestamp(self, timestamp: Any) -> None:
        """Move the one clock to ``timestamp``: the next block on any chain is sealed at it."""
        self._advance_to(_whole(timestamp, "timestamp") * 1000)

    def mine(self, name: str, timestamp: Any = None) -> str:
        if timestamp is not None:
            self.set_next_block_timestamp(timestamp)
        self.chain(name).mine()
        return "0x0"

    def mine_many(self, name: str, count: Any, interval: Any) -> None:
        blocks, gap = _quantity(count, "count"), _quantity(interval, "interval")
        if not 0 < blocks <= MAX_MINED_PER_CALL:
            raise RpcError(INVALID_PARAMS, f"invalid params: count must be 1 to {MAX_MINED_PER_CALL}")
        for index in range(blocks):
            if gap and index:
                self._advance_to(self.devnet.clock.now_ms + gap * 1000)
            self.chain(name).mine()

    def set_interval_mining(self, name: str, interval_ms: Any) -> bool:
        """Interval mining at the chain's block time; the block time itself is the topology's."""
        chain = self.chain(name)
        wanted = _whole(interval_ms, "interval")
        if wanted not in (0, chain.block_time_ms):
            raise RpcError(
                INVALID_PARAMS,
                f"invalid params: {name}'s block time is {chain.block_time_ms} ms, set by the topology; "
                f"give {chain.block_time_ms} (interval mining) or 0 (automine)",
            )
        chain.set_mining("interval" if wanted else "auto")
        return True

    def snapshot(self) -> str:
        return hex(self.devnet.snapshot())

    def revert(self, snapshot_id: Any) -> bool:
        """Every chain, pool and the clock back to the snapshot.

        The snapshot stays usable, as ``Devnet.revert`` keeps it (anvil uses it up; a client that
        takes a fresh snapshot after each revert, as Hardhat's helpers do, sees no difference).
        """
        number = _quantity(snapshot_id, "snapshot id")
        try:
            self.devnet.revert(number)
        except KeyError:
            return False
        self.time_moved()
        return True

    def dump_state(self) -> str:
        """The whole devnet as a cortensor-sim state file (gzip'd JSON), hex-encoded as anvil's is."""
        with tempfile.TemporaryDirectory() as folder:
            path = self.devnet.dump(Path(folder) / "devnet.state")
            return "0x" + path.read_bytes().hex()

    def load_state(self, state: Any) -> bool:
        """Replace the whole devnet with a dumped one; its EVM chains must be the ones served here."""
        data = _bytes(state, "state")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "devnet.state"
            path.write_bytes(data)
            try:
                loaded = Devnet.load(path)
            except StateFileError as exc:
                raise RpcError(INVALID_PARAMS, f"invalid params: {exc.reason}") from None
        if set(loaded.evm_chains) != set(self.chains):
            raise RpcError(
                INVALID_PARAMS,
                f"invalid params: the state has chains {sorted(loaded.evm_chains)}, this server serves "
                f"{sorted(self.chains)}",
            )
        self.replace(loaded)
        return True

    def replace(self, devnet: Devnet) -> None:
        """Serve ``devnet`` from now on (filters of the old one are gone, subscriptions carry on)."""
        for chain in self.devnet.evm_chains.values():
            chain.watchers.clear()
        self._attach(devnet)
        self.replaced()
        self.time_moved()

    def describe_chains(self) -> list[dict[str, Any]]:
        """Every chain of the topology: name, kind, parent, chain id, block time, URL if served."""
        return [
            {
                "name": spec.name,
                "kind": spec.kind,
                "parent": spec.parent,
                "chainId": hex(spec.chain_id) if spec.chain_id is not None else None,
                "blockTimeMs": spec.block_time_ms,
                "url": self.urls.get(spec.name),
            }
            for spec in self.devnet.topology.chains
        ]

    def describe_clock(self) -> dict[str, Any]:
        clock = self.devnet.clock
        return {"nowMs": clock.now_ms, "genesisTime": clock.genesis_time, "elapsedSeconds": clock.elapsed}

    # ------------------------------------------------------------------ cross-chain messages
    def _settlement(self) -> Any:
        if self.devnet.settlement is None:
            raise RpcError(-32000, "this devnet has no settlement engine")
        return self.devnet.settlement

    def messages(self, where: Any = None) -> list[dict[str, Any]]:
        """The settlement engine's message records, oldest first; ``{"kind": ..., "status": ...}``
        keeps those of one kind and/or status."""
        kind, status = _message_filter(where)
        self._settlement()
        return [_record_json(record) for record in self.devnet.messages(kind, status)]

    def relay(self) -> list[dict[str, Any]]:
        """Deliver and act on everything due now (``devnet.relay()``); the actions taken."""
        self._settlement()
        return [
            {
                "actor": action.actor,
                "chain": action.chain,
                "what": action.what,
                "transactionHash": action.tx_hash,
                "messageId": action.message_id,
            }
            for action in self.devnet.relay()
        ]

    def system_contracts(self, rollup: Any = None) -> dict[str, Any]:
        """Name -> address of one rollup's system contracts, or rollup -> those of every rollup."""
        engine = self._settlement()
        if rollup is None:
            return {name: dict(contracts) for name, contracts in engine.contracts.items()}
        if not isinstance(rollup, str):
            raise RpcError(INVALID_PARAMS, "invalid params: rollup must be a chain name")
        try:
            return self.devnet.system_contracts(rollup)
        except UnknownRollup as exc:
            raise RpcError(INVALID_PARAMS, f"invalid params: {exc}") from None


def _message_filter(where: Any) -> tuple[str | None, str | None]:
    """``cortensor_messages``' optional filter object, checked: (kind, status)."""
    if where is None:
        return None, None
    if not isinstance(where, dict) or not set(where) <= {"kind", "status"}:
        raise RpcError(INVALID_PARAMS, 'invalid params: the filter is {"kind": ..., "status": ...}')
    kind, status = where.get("kind"), where.get("status")
    if kind is not None and not isinstance(kind, str):
        raise RpcError(INVALID_PARAMS, "invalid params: kind must be a string")
    if status is not None and status not in {str(s) for s in MessageStatus}:
        known = ", ".join(str(s) for s in MessageStatus)
        raise RpcError(INVALID_PARAMS, f"invalid params: status must be one of {known}")
    return kind, status


def _record_json(record: MessageRecord) -> dict[str, Any]:
    """A message record as JSON-RPC gives it: camelCase, legs with hex block numbers."""
    return {
        "id": record.id,
        "kind": record.kind,
        "source": record.source,
        "destination": record.destination,
        "route": record.route,
        "status": str(record.status),
        "legs": {
            step: {
                "chain": leg.chain,
                "transactionHash": leg.tx_hash,
                "blockNumber": hex(leg.block),
                "timestamp": hex(leg.timestamp),
            }
            for step, leg in record.legs.items()
        },
        "timesMs": dict(record.times),
        "detail": record.detail,
    }


def _whole(value: Any, what: str) -> int:
    """A non-negative whole number given as a JSON number (Hardhat's habit) or a hex quantity."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RpcError(INVALID_PARAMS, f"invalid params: {what} must be a number or a hex quantity")
    number = value if isinstance(value, int) else _quantity(value, what)
    if number < 0:
        raise RpcError(INVALID_PARAMS, f"invalid params: {what} must not be negative")
    return number
