"""What a rollup stack plugs into the settlement engine.

A stack (the OP Stack, Arbitrum Nitro) is the off-chain half of one rollup: a child chain and its
parent. The engine asks each stack for four things, and nothing else:

* **genesis**: the accounts each side starts with (predeploys and system contracts, with code and
  storage, and the actors' funded accounts), laid in the chains' genesis as real devnets do;
* **derivation**: the system transactions (deposits) that open the child's next block, read from
  the parent's logs, the way op-node or Nitro's inbox reader derive them;
* **actors**: the off-chain parties on the clock (proposer or validator, challenger, batch poster,
  relayer), each waking when its cadence or a message's delay comes due and acting only through
  signed transactions;
* **records and registry**: the messages it sees (in the shared :class:`MessageBook`) and its system
  contracts' names and addresses on both sides.

Stacks read chains only through what a node exposes (blocks, logs, ``eth_getProof``, calls) and
write only through transactions; nothing here sets a balance or a storage slot.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chains.engine import GenesisAccount, SystemCall
from ..chains.topology import ChainSpec, Topology
from .records import MessageBook

if TYPE_CHECKING:
    from ..chains.devnet import Devnet
    from ..chains.evm import EvmChain


@dataclass(frozen=True)
class Action:
    """One thing an actor did: the transaction it sent (if any), and for which message."""

    actor: str
    chain: str
    what: str
    tx_hash: str | None = None
    message_id: str | None = None

    def __str__(self) -> str:
        target = f" {self.message_id}" if self.message_id else ""
        tx = f" ({self.chain} {self.tx_hash})" if self.tx_hash else f" ({self.chain})"
        return f"{self.actor}: {self.what}{target}{tx}"


class Actor(ABC):
    """An off-chain party on the simulated clock.

    The scheduler asks :meth:`due` for the earliest time (ms) the actor has work, given the end
    of the current advance (``horizon_ms``), and calls :meth:`act` at that time with every chain
    already advanced to it. An actor with a cadence (a proposer every ``proposal_interval``) may
    coalesce the ticks of a long jump into the last one before the horizon when nothing waits on
    the ticks between, as a chain coalesces a long jump's empty slots into one block.
    """

    name: str

    @abstractmethod
    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        """The earliest time at which :meth:`act` has work (may be ``<= now_ms``), or ``None``."""

    @abstractmethod
    def act(self, now_ms: int) -> list[Action]:
        """Do what is due at ``now_ms``: send transactions, move records; return what was done."""


class SettlementStack(ABC):
    """The off-chain half of one rollup (``spec``, whose parent is ``spec.parent``)."""

    kind: str
    """The child chain kind this stack serves (``"op-stack"``, ``"nitro"``...)."""

    def __init__(self, spec: ChainSpec, topology: Topology) -> None:
        assert spec.parent is not None  # the topology checked it
        self.spec = spec
        self.topology = topology
        self.name = spec.name
        self.parent_name: str = spec.parent
        self.book = MessageBook()
        self.parent: EvmChain | None = None
        self.child: EvmChain | None = None

    # -- genesis (before the chains are built) --
    @abstractmethod
    def genesis(self, chain: str) -> Mapping[bytes, GenesisAccount]:
        """What this stack lays into chain ``chain``'s genesis (its parent's or its child's)."""

    def link(self, stacks: Mapping[str, SettlementStack]) -> None:
        """See the devnet's other stacks before genesis (a stack whose genesis names another
        stack's contracts, such as the guardian bridge naming COR's gateway token, overrides it)."""
        return None

    # -- wiring (once the chains exist) --
    def bind(self, devnet: Devnet, book: MessageBook) -> None:
        """Find this stack's chains in ``devnet``: a rollup's parent and child, whose blocks its
        derivation opens. A stack between chains that are not parent and child overrides it."""
        child = devnet.evm(self.name)
        self.attach(devnet.evm(self.parent_name), child, book)
        child.block_prelude = self.derive

    def attach(self, parent: EvmChain, child: EvmChain, book: MessageBook) -> None:
        """Bind the stack to its two chains and the devnet's message book."""
        self.parent = parent
        self.child = child
        self.book = book

    @abstractmethod
    def derive(self, number: int, timestamp: int) -> Sequence[SystemCall]:
        """The system transactions that open child block ``number`` (at ``timestamp``), in order."""

    @abstractmethod
    def actors(self) -> Sequence[Actor]:
        """The stack's off-chain actors, in the order they act when due at the same time."""

    @abstractmethod
    def system_contracts(self) -> dict[str, str]:
        """Name -> checksummed address of this rollup's contracts, on the parent and the child."""

    def observe(self, now_ms: int) -> None:  # noqa: B027 - optional hook
        """Record messages sent since the last look (scan logs); called before actors act."""

    def pending_deposits(self) -> bool:
        """Whether the child's next block would carry a message (so ``relay()`` seals one now)."""
        return False

    # -- state (snapshots and state files) --
    @abstractmethod
    def state(self) -> dict[str, Any]:
        """The stack's own off-chain state (cursors, actor clocks) as JSON-able data."""

    @abstractmethod
    def load_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state` returned."""
