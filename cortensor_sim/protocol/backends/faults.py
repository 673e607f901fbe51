"""A backend that times out during given spans of simulated time (the ``backend_timeout`` fault)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .base import Backend, BackendTimeout


class OutageBackend(Backend):
    """Wraps ``inner``; while ``now_ms()`` is inside an outage span every call times out."""

    def __init__(self, inner: Backend, now_ms: Callable[[], int]) -> None:
        self.inner = inner
        self.name = inner.name
        self._now_ms = now_ms
        self.spans: list[tuple[int, int]] = []

    def add_outage(self, start_ms: int, end_ms: int) -> None:
        self.spans.append((start_ms, end_ms))

    def _check(self) -> None:
        now = self._now_ms()
        for start, end in self.spans:
            if start <= now < end:
                raise BackendTimeout(f"{self.inner.name} backend timed out (outage until t={end / 1000:g} s)")

    def complete(self, prompt: str, *, model: int = 0, max_tokens: int = 256) -> str:
        self._check()
        return self.inner.complete(prompt, model=model, max_tokens=max_tokens)

    def embed(self, text: str) -> Sequence[float]:
        self._check()
        return self.inner.embed(text)

    def judge(self, prompt: str, answer: str) -> float:
        self._check()
        return self.inner.judge(prompt, answer)
