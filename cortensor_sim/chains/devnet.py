"""``Devnet``: every chain of a topology in one process, on one clock, snapshotted as one.

>>> from cortensor_sim import Devnet
>>> devnet = Devnet()                      # l1, base, arbitrum, l3, solana
>>> devnet.chains["base"].w3.eth.chain_id
901
>>> devnet.advance(12)                     # seals the blocks whose time has come, everywhere

Rollups settle through a settlement engine (``cortensor_sim.bridge``) that this module knows only
by the :class:`SettlementDriver` protocol: the engine registers itself as
:attr:`Devnet.settlement_factory` when it is imported, and ``cortensor_sim.register_layers()``
(called before the first chain is built) imports it by name, so ``chains`` never imports the
layers above it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .. import register_layers
from .accounts import dev_accounts
from .clock import SimClock
from .engine import GenesisAccount, SealedBlock
from .engines import engine_for
from .evm import ChainSnapshot, EvmChain
from .kinds import rules_for_kind
from .solana import SolanaChain
from .topology import LATEST_TIME, ChainSpec, Topology, default_topology

Chain = EvmChain | SolanaChain

ROLLUP_CREATION_L1_BLOCK = 1
"""The L1 block a rollup counts as created in. A real rollup is created by an L1 transaction, so no
block of a chain that reads L1's number (Nitro, Orbit) reads one below it; at genesis L1 is still
at block 0, and ``blockhash(block.number - 1)`` would underflow where it never can on a real chain."""


class SettlementDriver(Protocol):
    """What the devnet asks of the settlement engine (``cortensor_sim.bridge.Settlement``)."""

    auto: bool

    def genesis(self, chain: str) -> Mapping[bytes, GenesisAccount]: ...
    def attach(self, devnet: Devnet) -> None: ...
    def advance(self, now_ms: int, target_ms: int, step: Callable[[int], None]) -> list[Any]: ...
    def relay(self, now_ms: int, devnet: Devnet) -> list[Any]: ...
    def messages(self, kind: str | None = None, status: Any = None) -> list[Any]: ...
    def system_contracts(self, rollup: str) -> dict[str, str]: ...
    def pause(self, role: str, rollup: str | None, until_ms: int | None) -> list[str]: ...
    def resume(self, role: str, rollup: str | None) -> list[str]: ...
    def snapshot(self) -> object: ...
    def revert(self, snap: object) -> None: ...
    def export_state(self) -> dict[str, Any]: ...
    def import_state(self, state: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class _DevnetSnapshot:
    now_ms: int
    chains: Mapping[str, ChainSnapshot | object]
    settlement: object = None


class Devnet:
    """The chains of a topology, built from its seed so that every run is the same."""

    settlement_factory: ClassVar[Callable[[Topology], SettlementDriver] | None] = None
    """Builds the settlement engine of a topology; ``cortensor_sim.bridge`` sets it on import."""

    def __init__(self, topology: Topology | Mapping[str, Any] | None = None) -> None:
        if topology is None:
            topology = default_topology()
        elif not isinstance(topology, Topology):
            topology = Topology.model_validate(topology)
        self.topology = topology
        self.clock = SimClock(topology.genesis_time)
        self.settlement = self._new_settlement(topology)
        self.chains: dict[str, Chain] = {spec.name: self._build(spec) for spec in topology.chains}
        self._attach_settlement()
        self._snapshots: dict[int, _DevnetSnapshot] = {}
        self._next_snapshot = 1

    @classmethod
    def _new_settlement(cls, topology: Topology) -> SettlementDriver | None:
        register_layers()  # the engine and the rollups' kind rules register themselves on import
        factory = cls.settlement_factory
        return factory(topology) if factory is not None else None

    def _attach_settlement(self) -> None:
        if self.settlement is not None:
            self.settlement.attach(self)

    @property
    def seed(self) -> bytes:
        return hashlib.sha256(self.topology.seed.encode()).digest()

    def _build(self, spec: ChainSpec, state: Any = None) -> Chain:
        if spec.kind == "solana":
            kwargs = {
                "seed": self.seed,
                "genesis_time": self.topology.genesis_time,
                "slot_time": spec.block_time,
                "accounts": self.topology.accounts,
            }
            if state is not None:
                return SolanaChain.import_state(spec.name, state, **kwargs)
            return SolanaChain(spec.name, **kwargs)
        assert spec.chain_id is not None  # the topology checked it
        rules = rules_for_kind(spec.kind)
        return EvmChain(
            spec.name,
            kind=spec.kind,  # type: ignore[arg-type]
            chain_id=spec.chain_id,
            block_time_ms=spec.block_time_ms,
            genesis_time=self.topology.genesis_time,
            seed=self.seed,
            accounts=dev_accounts(self.topology.accounts),
            engine_factory=engine_for(spec.name, spec.kind, spec.engine, rules),
            parent=spec.parent,
            mining=spec.mining,
            predeploys=self._predeploys(spec.name) if state is None else None,
            engine=state,
            rules=rules,
            l1_block_number=lambda: max(
                ROLLUP_CREATION_L1_BLOCK, self.evm(self._l1_ancestor(spec.name)).height
            ),
        )

    def _predeploys(self, name: str) -> Mapping[bytes, GenesisAccount] | None:
        """What the stacks lay into a new chain's genesis; a chain loaded from a file has it already."""
        return self.settlement.genesis(name) if self.settlement is not None else None

    def _l1_ancestor(self, name: str) -> str:
        """The chain at the root of ``name``'s parents (itself if it has none)."""
        spec = self.topology.chain(name)
        return name if spec.parent is None else self._l1_ancestor(spec.parent)

    # ------------------------------------------------------------------ access
    def __getitem__(self, name: str) -> Chain:
        try:
            return self.chains[name]
        except KeyError:
            raise KeyError(f"no chain {name!r} in this devnet (chains: {', '.join(self.chains)})") from None

    def __iter__(self) -> Iterator[Chain]:
        return iter(self.chains.values())

    def evm(self, name: str) -> EvmChain:
        chain = self[name]
        if not isinstance(chain, EvmChain):
            raise TypeError(f"chain {name!r} is a {chain.kind} chain, not an EVM chain")
        return chain

    @property
    def evm_chains(self) -> dict[str, EvmChain]:
        return {n: c for n, c in self.chains.items() if isinstance(c, EvmChain)}

    # ------------------------------------------------------------------ time
    def advance(self, seconds: float) -> dict[str, list[SealedBlock]]:
        """Advance the shared clock and seal, on each chain, the blocks whose time has come.

        Parents move first, so a child chain's block never predates what its parent shows. In
        the settlement engine's auto mode, its actors (proposers, challengers, relayers) act at
        their own times within the advance, in time order. Time stays finite and before
        10000-01-01 (block timestamps are uint64 everywhere).
        """
        if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"cannot advance by {seconds!r} s: expected a finite, non-negative duration")
        if self.clock.now + seconds > LATEST_TIME:
            raise ValueError(
                f"cannot advance by {seconds:g} s: the clock would pass 9999-12-31 ({LATEST_TIME})"
            )
        target_ms = self.clock.now_ms + round(seconds * 1000)
        sealed: dict[str, list[SealedBlock]] = {name: [] for name in self.evm_chains}

        def step(now_ms: int) -> None:
            for name, blocks in self._advance_chains_to(now_ms).items():
                sealed[name].extend(blocks)

        if self.settlement is None:
            step(target_ms)
        else:
            self.settlement.advance(self.clock.now_ms, target_ms, step)
        return sealed

    def _advance_chains_to(self, now_ms: int) -> dict[str, list[SealedBlock]]:
        if now_ms > self.clock.now_ms:
            self.clock.set_ms(now_ms)
        sealed: dict[str, list[SealedBlock]] = {}
        for name in self._parents_first():
            chain = self.chains[name]
            if isinstance(chain, EvmChain):
                sealed[name] = chain.advance_to(now_ms)
            else:
                chain.advance_to(now_ms / 1000)
        return sealed

    # ------------------------------------------------------------------ settlement
    def _engine(self) -> SettlementDriver:
        if self.settlement is None:
            raise RuntimeError("this devnet has no settlement engine (import cortensor_sim.bridge)")
        return self.settlement

    def relay(self) -> list[Any]:
        """Step mode: deliver and act on every cross-chain message due now; returns what was done."""
        return self._engine().relay(self.clock.now_ms, self)

    def messages(self, kind: str | None = None, status: Any = None) -> list[Any]:
        """Every cross-chain message's record (optionally of one kind or status), oldest first."""
        return self._engine().messages(kind, status)

    def system_contracts(self, rollup: str) -> dict[str, str]:
        """Name -> address of ``rollup``'s system contracts, on its parent and on itself."""
        return self._engine().system_contracts(rollup)

    # ------------------------------------------------------------------ faults
    def sequencer_outage(self, chain: str, seconds: float) -> None:
        """Take ``chain``'s sequencer down for ``seconds`` of simulated time from now (see
        :meth:`EvmChain.halt`): it seals nothing and refuses transactions; parent messages queue."""
        if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds > 0):
            raise ValueError(f"an outage lasts a finite, positive time, got {seconds!r} s")
        self.evm(chain).halt(self.clock.now_ms + round(seconds * 1000))

    def pause(self, role: str, rollup: str | None = None, seconds: float | None = None) -> list[str]:
        """Pause the settlement actors of ``role`` (relayer, proposer, challenger, batcher) of
        ``rollup`` (or of every rollup) for ``seconds``, or until :meth:`resume`; returns the
        actors paused. Messages wait for them as they would for a real relayer that stopped."""
        if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
            raise ValueError(f"a pause lasts a finite, positive time, got {seconds!r} s")
        until = None if seconds is None else self.clock.now_ms + round(seconds * 1000)
        return self._engine().pause(role, rollup, until)

    def resume(self, role: str, rollup: str | None = None) -> list[str]:
        """End a pause of ``role``'s actors (of ``rollup``, or every rollup); returns them."""
        return self._engine().resume(role, rollup)

    def _parents_first(self) -> list[str]:
        return sorted(self.chains, key=self.topology.layer)

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> int:
        """Mark every chain, the clock and the pools at once; returns an id for :meth:`revert`."""
        snapshot_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = _DevnetSnapshot(
            now_ms=self.clock.now_ms,
            chains={name: chain.snapshot() for name, chain in self.chains.items()},
            settlement=self.settlement.snapshot() if self.settlement is not None else None,
        )
        return snapshot_id

    def revert(self, snapshot_id: int) -> None:
        """Bring back everything as it was at ``snapshot_id``.

        The snapshot stays usable (revert to it again later); snapshots taken after it are gone.
        """
        try:
            snap = self._snapshots[snapshot_id]
        except KeyError:
            raise KeyError(
                f"unknown snapshot {snapshot_id}: it was never taken, or a revert to an earlier "
                "snapshot discarded it"
            ) from None
        for name, chain in self.chains.items():
            chain.revert(snap.chains[name])  # type: ignore[arg-type]
        self.clock.set_ms(snap.now_ms)
        if self.settlement is not None:
            self.settlement.revert(snap.settlement)
        for later in [i for i in self._snapshots if i > snapshot_id]:
            del self._snapshots[later]

    # ------------------------------------------------------------------ files
    def dump(self, path: str | Path) -> Path:
        """Write every chain, the clock and the topology to one file (see :mod:`.statefile`)."""
        from .statefile import write_devnet

        return write_devnet(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> Devnet:
        """Read a file written by :meth:`dump`; a bad file is refused whole, nothing half-built."""
        from .statefile import read_devnet

        return read_devnet(cls, Path(path))

    @classmethod
    def _from_parts(cls, topology: Topology, now_ms: int, states: Mapping[str, Any]) -> Devnet:
        self = cls.__new__(cls)
        self.topology = topology
        self.clock = SimClock(topology.genesis_time)
        self.clock.set_ms(now_ms)
        self.settlement = self._new_settlement(topology)
        self.chains = {}
        for spec in topology.chains:
            self.chains[spec.name] = self._build(spec, states[spec.name])
        self._attach_settlement()
        self._snapshots = {}
        self._next_snapshot = 1
        return self

    # ------------------------------------------------------------------ reports
    def state_roots(self) -> dict[str, str]:
        """Each chain's latest state root (Solana: a digest of its accounts), for determinism checks."""
        roots: dict[str, str] = {}
        for name, chain in self.chains.items():
            if isinstance(chain, EvmChain):
                roots[name] = chain.engine.get_block("latest")["stateRoot"]
            else:
                roots[name] = chain.state_digest()
        return roots

    def __repr__(self) -> str:
        return f"Devnet({', '.join(self.chains)}; {self.clock!r})"
