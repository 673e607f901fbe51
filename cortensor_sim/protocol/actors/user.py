"""A user: owns a session and hands the router its prompts, at its own times.

The user keeps each request until the router returns it and hands every outstanding one over
again at each wake (as an HTTP client retries): the router takes a reference once, so this
only matters when the router lost its state, and then nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import ProtocolActor
from .router import Request, Router

USER_INTERVAL_MS = 1_000


class User(ProtocolActor):
    def __init__(
        self,
        name: str,
        router: Router,
        schedule: Sequence[tuple[int, str]],
        *,
        interval_ms: int = USER_INTERVAL_MS,
    ) -> None:
        """``schedule``: (time in ms, prompt) of each request, in time order."""
        self.name = name
        self.router = router
        self.schedule = sorted(schedule)
        self.interval_ms = interval_ms
        self.requests: list[Request] = []
        self._next = 0
        self.next_wake_ms: int | None = self.schedule[0][0] if self.schedule else None

    @property
    def outstanding(self) -> list[Request]:
        return [r for r in self.requests if r.reference not in self.router.outcomes]

    def add(self, schedule: Sequence[tuple[int, str]], now_ms: int) -> None:
        """More requests for later (a scenario step submits again)."""
        self.schedule = sorted([*self.schedule[self._next :], *schedule])
        self._next = 0
        if self.schedule:
            first = max(self.schedule[0][0], now_ms)
            self.next_wake_ms = first if self.next_wake_ms is None else min(self.next_wake_ms, first)

    def wake(self, now_ms: int) -> None:
        while self._next < len(self.schedule) and self.schedule[self._next][0] <= now_ms:
            _, prompt = self.schedule[self._next]
            self.requests.append(Request(f"{self.name}-{len(self.requests)}", self.name, prompt))
            self._next += 1
        for request in self.outstanding:
            self.router.request(request)
        pending = self._next < len(self.schedule)
        if pending:
            self.next_wake_ms = min(self.schedule[self._next][0], now_ms + self.interval_ms)
        else:
            self.next_wake_ms = now_ms + self.interval_ms if self.outstanding else None
