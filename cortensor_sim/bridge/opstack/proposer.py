"""op-proposer: every ``proposal_interval`` it posts the child's newest output root (version 0) to
the DisputeGameFactory as a permissioned game (type 1), as Base's proposer does.

Over a long jump it coalesces its ticks: while no withdrawal waits for a proposal it wakes only at
the last tick before the jump's end, as a chain seals only the last of a long jump's empty slots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_abi import encode

from ..stack import Action, Actor
from ..transactions import calldata

if TYPE_CHECKING:
    from .stack import OpStack

PERMISSIONED_GAME_TYPE = 1
COALESCE_AFTER_TICKS = 32
"""Beyond this many ticks in one advance with nothing waiting, the ticks coalesce into the last."""


class Proposer(Actor):
    def __init__(self, stack: OpStack) -> None:
        self.stack = stack
        self.name = f"{stack.name}/proposer"
        self.interval_ms = round(stack.settings.proposal_interval * 1000)
        self.last_tick_ms = stack.topology.genesis_time * 1000
        self.last_proposed = 0
        self.corrupt_next = False
        """Test hook: the next proposal claims a wrong root (as a faulty proposer would), for the
        challenger to catch."""

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        waiting = any(
            r.source == self.stack.name and int(r.detail["l2Block"]) > self.last_proposed
            for r in self.stack.book.pending("withdrawal")
        )
        span = horizon_ms - self.last_tick_ms
        if not waiting and span > COALESCE_AFTER_TICKS * self.interval_ms:
            return self.last_tick_ms + span // self.interval_ms * self.interval_ms
        return self.last_tick_ms + self.interval_ms

    def act(self, now_ms: int) -> list[Action]:
        self.last_tick_ms = now_ms
        stack = self.stack
        head = stack.child_chain.height
        if head <= self.last_proposed:
            return []
        root = stack.honest_output_root(head)
        if self.corrupt_next:
            root = bytes(b ^ 0xFF for b in root)
            self.corrupt_next = False
        data = calldata(
            "create(uint32,bytes32,bytes)", PERMISSIONED_GAME_TYPE, root, encode(["uint256"], [head])
        )
        parent = stack.parent_chain
        tx_hash = stack.proposer_account.send(parent, stack.addresses.dispute_game_factory, data)
        self.last_proposed = head
        return [Action(self.name, parent.name, f"proposed {stack.name} block {head}", "0x" + tx_hash.hex())]

    def state(self) -> dict[str, Any]:
        return {"last_tick_ms": self.last_tick_ms, "last_proposed": self.last_proposed}

    def load_state(self, state: dict[str, Any]) -> None:
        self.last_tick_ms = int(state["last_tick_ms"])
        self.last_proposed = int(state["last_proposed"])
