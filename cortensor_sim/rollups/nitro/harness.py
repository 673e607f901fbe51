"""A Nitro rollup set up and driven on its own: parent contracts deployed, actors on the clock.

What the settlement engine will do for every Nitro and Orbit chain of a devnet, in the small: the
tests and ``benchmarks/bench_nitro.py`` use it until the engine plugs the actors in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from web3.contract import Contract

from ...artifacts import load_artifact
from ...chains.devnet import Devnet
from ...chains.evm import EvmChain
from .actors import BatchPoster, DelayedInboxReader, OutboxExecutor, Validator
from .deployment import NitroParentContracts, deploy_parent_contracts

ETH = 10**18
CONFIRM_PERIOD_BLOCKS = 2
ASSERTION_INTERVAL_MS = 12_000
BATCH_INTERVAL_MS = 6_000


@dataclass
class NitroRollup:
    """One Nitro chain with its parent contracts and its actors."""

    devnet: Devnet
    parent: EvmChain
    child: EvmChain
    contracts: NitroParentContracts
    reader: DelayedInboxReader
    validator: Validator
    executor: OutboxExecutor
    poster: BatchPoster

    def contract(self, name: str, address: str | None = None, chain: EvmChain | None = None) -> Contract:
        """A parent contract by its role's name; ``ERC20Bridge``/``ERC20Inbox`` name the token variants."""
        chain = chain or self.parent
        role = {"ERC20Bridge": "Bridge", "ERC20Inbox": "Inbox"}.get(name, name)
        address = address or self.contracts.names()[role]
        return chain.w3.eth.contract(address=address, abi=load_artifact(name).abi)

    @property
    def actors(self) -> list[Any]:
        return [self.reader, self.validator, self.executor]

    def save(self) -> tuple[Any, ...]:
        """The actors' off-chain state, for a test to put back after reverting the devnet."""
        return (
            self.reader.scanned_to,
            self.reader.messages_read,
            [dataclasses.replace(a) for a in self.validator.assertions],
            self.validator.next_tick_ms,
            set(self.executor.executed),
            (
                self.poster.next_tick_ms,
                self.poster.posted_to,
                self.poster.delayed_read,
                self.poster.timestamp,
                self.poster.l1_block_number,
                list(self.poster.batches),
                self.poster.committee,
            ),
        )

    def restore(self, saved: tuple[Any, ...]) -> None:
        (self.reader.scanned_to, self.reader.messages_read, self.validator.assertions,
         self.validator.next_tick_ms, self.executor.executed, poster) = saved  # fmt: skip
        (self.poster.next_tick_ms, self.poster.posted_to, self.poster.delayed_read, self.poster.timestamp,
         self.poster.l1_block_number, self.poster.batches, self.poster.committee) = poster  # fmt: skip

    def drive(self, seconds: float, actors: Sequence[Any] | None = None, step: float = 1.0) -> list[Any]:
        """Advance the clock ``seconds`` in steps, letting each actor act whenever it is due."""
        done = []
        for _ in range(round(seconds / step)):
            self.devnet.advance(step)
            now = self.devnet.clock.now_ms
            for actor in self.actors if actors is None else actors:
                due = actor.due(now, now)
                if due is not None and due <= now:
                    done.extend(actor.act(now))
        return done


def nitro_rollup(devnet: Devnet, child: str = "arbitrum", native_token: str | None = None) -> NitroRollup:
    child_chain = devnet.evm(child)
    parent = devnet.evm(devnet.topology.chain(child).parent or "")
    owner, poster, challenger, validator, executor = (parent.accounts[i] for i in (0, 6, 7, 8, 9))
    contracts = deploy_parent_contracts(
        parent,
        owner,
        confirm_period_blocks=CONFIRM_PERIOD_BLOCKS,
        validators=[validator.address],
        challengers=[challenger.address],
        batch_posters=[poster.address],
        native_token=native_token,
    )
    reader = DelayedInboxReader(parent, child_chain, contracts)
    validator_actor = Validator(
        parent, child_chain, contracts, validator, interval_ms=ASSERTION_INTERVAL_MS, reader=reader
    )
    outbox = OutboxExecutor(parent, child_chain, contracts, executor, validator_actor)
    batch_poster = BatchPoster(parent, child_chain, contracts, poster, interval_ms=BATCH_INTERVAL_MS)
    # Automined deployment ran the parent's block numbers ahead of its slots: let the slots catch up,
    # so that from here on the parent's numbers (and confirmation periods) follow the clock.
    devnet.advance(parent.height * parent.block_time_ms / 1000)
    return NitroRollup(devnet, parent, child_chain, contracts, reader, validator_actor, outbox, batch_poster)
