"""op-challenger, permissioned (Base's challenger role): it checks each new game's root claim
against the output root its own view of the child gives, challenges a wrong one, and resolves
every game once the game's clock has run out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..stack import Action, Actor
from ..transactions import calldata

if TYPE_CHECKING:
    from .stack import Game, OpStack


class Challenger(Actor):
    def __init__(self, stack: OpStack) -> None:
        self.stack = stack
        self.name = f"{stack.name}/challenger"
        self.clock_s = round(stack.settings.game_clock_duration)

    def _resolve_at_ms(self, game: Game) -> int:
        return (game.created_at + self.clock_s) * 1000

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        times = []
        for game in self.stack.games:
            if game.resolved:
                continue
            times.append(now_ms if not game.checked else self._resolve_at_ms(game))
        return min(times, default=None)

    def act(self, now_ms: int) -> list[Action]:
        stack = self.stack
        parent = stack.parent_chain
        actions: list[Action] = []
        for game in stack.games:
            if game.resolved:
                continue
            address = bytes.fromhex(game.address[2:])
            if not game.checked:
                game.checked = True
                honest = "0x" + stack.honest_output_root(game.l2_block).hex()
                if honest != game.root_claim and now_ms < self._resolve_at_ms(game):
                    tx = stack.challenger_account.send(parent, address, calldata("challenge()"))
                    game.challenged = True
                    actions.append(
                        Action(self.name, parent.name, f"challenged game {game.index}", "0x" + tx.hex())
                    )
            if now_ms >= self._resolve_at_ms(game) and parent.now >= game.created_at + self.clock_s:
                tx = stack.challenger_account.send(parent, address, calldata("resolve()"))
                game.resolved = True  # its outcome is read back from the game once mined
                actions.append(Action(self.name, parent.name, f"resolved game {game.index}", "0x" + tx.hex()))
        return actions

    def state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        pass
