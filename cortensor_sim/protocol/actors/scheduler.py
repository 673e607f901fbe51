"""The Cortensor actors' clock: each actor wakes at its own simulated times, in time order.

The same shape as the settlement engine's scheduler (``cortensor_sim.bridge.scheduler``): find the
earliest time an actor is due, move the devnet there (``devnet.advance``, which seals the blocks
that fall due and lets the settlement actors act on the way), refresh the shared view of the
session chain, wake every actor due then, repeat. Nothing reads or waits on the wall clock; a run
is a pure function of the devnet, the actors and the seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...chains.devnet import Devnet
from .base import ProtocolActor
from .view import ChainView

MAX_WAKES = 10_000_000
"""A guard against an actor that keeps asking to wake without time moving on."""


class SchedulerError(RuntimeError):
    """An actor asked to wake in the past over and over."""


class ActorScheduler:
    def __init__(self, devnet: Devnet, view: ChainView, actors: Sequence[ProtocolActor]) -> None:
        self.devnet = devnet
        self.view = view
        self.actors = list(actors)
        self.wakes = 0

    def _next_due(self) -> int | None:
        return min((a.next_wake_ms for a in self.actors if a.next_wake_ms is not None), default=None)

    def run(self, seconds: float, *, stop: Callable[[], bool] | None = None) -> None:
        """Run every actor for ``seconds`` of simulated time (or until ``stop()`` holds)."""
        clock = self.devnet.clock
        target = clock.now_ms + round(seconds * 1000)
        for _ in range(MAX_WAKES):
            due = self._next_due()
            if due is None or due > target:
                break
            if due > clock.now_ms:
                self.devnet.advance((due - clock.now_ms) / 1000)
            now = clock.now_ms
            self.view.refresh()
            for actor in self.actors:
                if actor.next_wake_ms is not None and actor.next_wake_ms <= now:
                    actor.wake(now)
                    self.wakes += 1
                    if actor.next_wake_ms is not None and actor.next_wake_ms <= now:
                        raise SchedulerError(f"{actor.name} asked to wake again at t={now} ms")
            if stop is not None and stop():
                return
        else:
            raise SchedulerError(f"actors woke {MAX_WAKES} times in one run")
        if target > clock.now_ms:
            self.devnet.advance((target - clock.now_ms) / 1000)
        self.view.refresh()
