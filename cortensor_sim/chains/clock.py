"""One simulated time for every chain of a devnet.

Time is kept in whole milliseconds: block times like 0.25 s and 0.4 s are exact there, so slot
arithmetic never drifts the way repeated float additions would. Nothing here reads the wall clock:
a challenge window of 7 days passes by advancing, not by waiting.
"""

from __future__ import annotations


class SimClock:
    """Simulated time, in milliseconds since the Unix epoch."""

    def __init__(self, genesis_time: int) -> None:
        self.genesis_time = genesis_time
        self._now_ms = genesis_time * 1000

    @property
    def now_ms(self) -> int:
        return self._now_ms

    @property
    def now(self) -> float:
        """Seconds since the Unix epoch."""
        return self._now_ms / 1000

    @property
    def elapsed(self) -> float:
        """Seconds since genesis."""
        return (self._now_ms - self.genesis_time * 1000) / 1000

    def advance(self, seconds: float) -> int:
        """Move time forward; returns the new time in milliseconds."""
        if not seconds >= 0:
            raise ValueError(f"the clock only moves forward: cannot advance by {seconds} s")
        self._now_ms += round(seconds * 1000)
        return self._now_ms

    def set_ms(self, now_ms: int) -> None:
        """Put the clock at ``now_ms`` (used by revert and load, which restore a recorded time)."""
        self._now_ms = now_ms

    def __repr__(self) -> str:
        return f"SimClock(elapsed={self.elapsed:g}s)"
