"""The actors' clock: within one ``advance``, every actor acts at its own times, in time order.

The devnet hands the scheduler a ``step`` function that moves the clock and every chain to a given
time (parents first, sealing the blocks that fall due). The scheduler then alternates: find the
earliest time any actor is due, step there, let each actor due then act, and repeat until the
advance's end. So a proposal made at t=12 s sits in the L1 block of that time, the relayer that
proves against it wakes after it, and a 7-day advance proves and finalizes in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .stack import Action, Actor

MAX_WAKES_PER_ADVANCE = 100_000
"""A guard against an actor that keeps asking to be woken at the same time (a bug, not a load)."""


class SchedulerError(RuntimeError):
    """An actor kept asking to act without time moving on."""


def _next_due(actors: Sequence[Actor], now_ms: int, horizon_ms: int, acted: set[str]) -> int | None:
    """The earliest time any actor is due; one that already acted at ``now_ms`` waits 1 ms."""
    times: list[int] = []
    for actor in actors:
        due = actor.due(now_ms, horizon_ms)
        if due is None:
            continue
        due = max(due, now_ms)
        if due == now_ms and actor.name in acted:
            due = now_ms + 1
        times.append(due)
    return min(times, default=None)


def run_until(
    actors: Sequence[Actor],
    now_ms: int,
    target_ms: int,
    step: Callable[[int], None],
    observe: Callable[[int], None],
) -> list[Action]:
    """Step to ``target_ms``, waking each actor when due; returns what the actors did, in order."""
    actions: list[Action] = []
    acted: set[str] = set()
    for _ in range(MAX_WAKES_PER_ADVANCE):
        observe(now_ms)  # what the last actions and blocks changed decides who is due next
        due = _next_due(actors, now_ms, target_ms, acted)
        if due is None or due > target_ms:
            break
        if due > now_ms:
            step(due)
            now_ms = due
            acted = set()
            observe(now_ms)
        for actor in actors:
            if actor.name in acted:
                continue
            actor_due = actor.due(now_ms, target_ms)
            if actor_due is not None and actor_due <= now_ms:
                actions.extend(actor.act(now_ms))
                acted.add(actor.name)
    else:
        raise SchedulerError(f"actors woke {MAX_WAKES_PER_ADVANCE} times in one advance")
    step(target_ms)
    return actions


def act_now(actors: Sequence[Actor], now_ms: int, observe: Callable[[int], None]) -> list[Action]:
    """Step mode: let every actor with work due at ``now_ms`` act once (``devnet.relay()``)."""
    observe(now_ms)
    actions: list[Action] = []
    for actor in actors:
        due = actor.due(now_ms, now_ms)
        if due is not None and due <= now_ms:
            actions.extend(actor.act(now_ms))
    return actions
