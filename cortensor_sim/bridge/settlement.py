"""The settlement engine: every rollup stack of a devnet, its actors on the clock, its records.

The devnet builds one :class:`Settlement` per topology (through the factory this package
registers with :class:`~cortensor_sim.chains.devnet.Devnet`, so ``chains`` never imports
``bridge``). The engine

* merges each stack's genesis accounts into the chains' genesis;
* installs each stack's derivation as its child chain's block prelude (deposits open each block);
* runs the actors on the clock: in **auto** mode ``devnet.advance`` wakes them when due; in **step**
  mode (``auto = False``) only ``devnet.relay()`` does, acting on everything due now;
* keeps the message records and the system-contract registry, and their state for snapshots and
  state files.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chains.engine import GenesisAccount
from ..chains.topology import ChainSpec, Topology
from .cor_genesis import cor_genesis
from .records import MessageBook, MessageRecord, MessageStatus
from .registry import lookup
from .scheduler import act_now, run_until
from .stack import Action, Actor, SettlementStack

if TYPE_CHECKING:
    from ..chains.devnet import Devnet

StackFactory = Callable[[ChainSpec, Topology], SettlementStack | None]
"""Builds the stack of one chain, or ``None`` when that chain needs none in this topology."""

STACKS: dict[str, StackFactory] = {}
"""Chain kind -> the stack that settles a chain of that kind (``register_stack`` fills it)."""


def register_stack(kind: str, factory: StackFactory) -> None:
    """Make chains of ``kind`` settle through ``factory``'s stack (one per rollup)."""
    STACKS[kind] = factory


ROLES: dict[str, frozenset[str]] = {
    "relayer": frozenset({"relayer", "nitro-outbox-executor"}),
    "proposer": frozenset({"proposer", "nitro-validator"}),
    "challenger": frozenset({"challenger", "nitro-challenger"}),
    "batcher": frozenset({"nitro-batch-poster"}),
}
"""A role a fault can pause -> the actors that play it on each stack (OP Stack, Nitro). The
relayer proves and finalizes OP Stack withdrawals and executes Nitro's outbox messages; the
proposer posts output roots (OP Stack) or assertions (Nitro's validator)."""


class PauseError(ValueError):
    """A pause names a role or rollup the engine does not run."""


class _Paused(Actor):
    """An actor that sits out until ``until_ms`` (or until resumed): its work waits, then it acts
    on everything that fell due, as a relayer catching up after a restart."""

    def __init__(self, inner: Actor, until_ms: int | None) -> None:
        self.inner = inner
        self.until_ms = until_ms
        self.name = inner.name

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        if self.until_ms is None or self.until_ms > horizon_ms:
            return None
        due = self.inner.due(now_ms, horizon_ms)
        return None if due is None else max(due, self.until_ms)

    def act(self, now_ms: int) -> list[Action]:
        return self.inner.act(now_ms)


@dataclass
class _EngineSnapshot:
    book: MessageBook
    stacks: dict[str, dict[str, Any]]
    auto: bool
    pauses: dict[str, int | None]


class Settlement:
    """The off-chain half of every rollup of one devnet."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.book = MessageBook()
        self.auto = True
        """Auto mode: actors act under ``devnet.advance``. Step mode (False): only ``relay()``."""
        self.stacks: dict[str, SettlementStack] = {}
        for spec in topology.chains:
            stack = STACKS[spec.kind](spec, topology) if spec.kind in STACKS else None
            if stack is not None:
                self.stacks[spec.name] = stack
        for stack in self.stacks.values():
            stack.link(self.stacks)
        self._cor_genesis: dict[str, dict[bytes, GenesisAccount]] | None = None
        self._clock: Any = None
        self.pauses: dict[str, int | None] = {}
        """Actor name -> the time its pause ends (``None``: until resumed)."""
        self.log: list[Action] = []
        """Everything the actors did since the devnet was built or loaded."""

    # ------------------------------------------------------------------ building
    def genesis(self, chain: str) -> dict[bytes, GenesisAccount]:
        """The accounts every stack lays into ``chain``'s genesis (as parent or as child)."""
        accounts: dict[bytes, GenesisAccount] = {}
        for stack in self.stacks.values():
            if chain in (stack.name, stack.parent_name):
                accounts.update(stack.genesis(chain))
        if self._cor_genesis is None:
            self._cor_genesis = cor_genesis(self.topology, self.stacks)
        accounts.update(self._cor_genesis.get(chain, {}))
        return accounts

    def attach(self, devnet: Devnet) -> None:
        """Bind each stack to its chains; its derivation opens each of its child's blocks."""
        self._clock = devnet.clock
        for stack in self.stacks.values():
            stack.bind(devnet, self.book)

    # ------------------------------------------------------------------ the clock
    @property
    def actors(self) -> list[Actor]:
        actors = [actor for stack in self.stacks.values() for actor in stack.actors()]
        now = self._clock.now_ms if self._clock is not None else 0
        for name, until in list(self.pauses.items()):
            if until is not None and until <= now:
                del self.pauses[name]  # over: the actor is itself again
        return [_Paused(a, self.pauses[a.name]) if a.name in self.pauses else a for a in actors]

    # ------------------------------------------------------------------ faults
    def _role_actors(self, role: str, rollup: str | None) -> list[str]:
        if role not in ROLES:
            raise PauseError(f"unknown settlement role {role!r} (roles: {', '.join(ROLES)})")
        if rollup is not None and rollup not in self.stacks:
            known = ", ".join(self.stacks) or "none"
            raise PauseError(f"{rollup!r} has no settlement engine here (rollups: {known})")
        names = [
            actor.name
            for name, stack in self.stacks.items()
            if rollup in (None, name)
            for actor in stack.actors()
            if actor.name.rsplit("/", 1)[-1] in ROLES[role]
        ]
        if not names:
            where = rollup or "any rollup"
            raise PauseError(f"no {role} runs on {where}")
        return names

    def pause(self, role: str, rollup: str | None, until_ms: int | None) -> list[str]:
        """Pause ``role``'s actors (of one rollup or all) until ``until_ms`` or :meth:`resume`."""
        names = self._role_actors(role, rollup)
        for name in names:
            self.pauses[name] = until_ms
        return names

    def resume(self, role: str, rollup: str | None) -> list[str]:
        names = self._role_actors(role, rollup)
        for name in names:
            self.pauses.pop(name, None)
        return names

    def observe(self, now_ms: int) -> None:
        for stack in self.stacks.values():
            stack.observe(now_ms)

    def advance(self, now_ms: int, target_ms: int, step: Callable[[int], None]) -> list[Action]:
        """Step the devnet to ``target_ms``, the actors acting when due (auto mode)."""
        if not self.auto or not self.stacks:
            step(target_ms)
            return []
        actions = run_until(self.actors, now_ms, target_ms, step, self.observe)
        self.observe(target_ms)
        self.log.extend(actions)
        return actions

    def relay(self, now_ms: int, devnet: Devnet) -> list[Action]:
        """Deliver and act on everything due now: seal child blocks that carry deposits, then
        let every actor with work due act once."""
        actions: list[Action] = []
        for stack in self.stacks.values():
            if stack.pending_deposits() and not devnet.evm(stack.name).halted:
                block = devnet.evm(stack.name).mine()
                actions.append(Action(f"{stack.name}/derivation", stack.name, f"sealed block {block.number}"))
        actions.extend(act_now(self.actors, now_ms, self.observe))
        self.observe(now_ms)
        self.log.extend(actions)
        return actions

    # ------------------------------------------------------------------ queries
    def messages(
        self, kind: str | None = None, status: MessageStatus | str | None = None
    ) -> list[MessageRecord]:
        """The records, brought up to date with what the chains show now."""
        if self.stacks:
            self.observe(self._clock.now_ms)
        return [
            r
            for r in self.book
            if (kind is None or r.kind == kind) and (status is None or r.status == MessageStatus(status))
        ]

    @property
    def contracts(self) -> dict[str, dict[str, str]]:
        return {name: stack.system_contracts() for name, stack in self.stacks.items()}

    def system_contracts(self, rollup: str) -> dict[str, str]:
        return lookup(self.contracts, rollup)

    # ------------------------------------------------------------------ state
    def snapshot(self) -> _EngineSnapshot:
        return _EngineSnapshot(
            book=copy.deepcopy(self.book),
            stacks={name: copy.deepcopy(stack.state()) for name, stack in self.stacks.items()},
            auto=self.auto,
            pauses=dict(self.pauses),
        )

    def revert(self, snap: object) -> None:
        assert isinstance(snap, _EngineSnapshot)
        self._restore(copy.deepcopy(snap.book), copy.deepcopy(snap.stacks), snap.auto)
        self.pauses = dict(snap.pauses)

    def _restore(self, book: MessageBook, stacks: Mapping[str, dict[str, Any]], auto: bool) -> None:
        self.book = book
        self.auto = auto
        for name, stack in self.stacks.items():
            stack.book = book
            stack.load_state(dict(stacks.get(name, {})))

    def export_state(self) -> dict[str, Any]:
        return {
            "auto": self.auto,
            "messages": self.book.to_json(),
            "stacks": {name: stack.state() for name, stack in self.stacks.items()},
            "pauses": dict(self.pauses),
        }

    def import_state(self, state: Mapping[str, Any]) -> None:
        book = MessageBook.from_json(list(state["messages"]))
        self._restore(book, dict(state["stacks"]), bool(state["auto"]))
        pauses = state.get("pauses", {})  # absent in files written before pauses existed
        self.pauses = {str(name): None if until is None else int(until) for name, until in pauses.items()}
