"""The backend interface the miners and validators call."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence


class BackendError(RuntimeError):
    """The backend could not answer (unreachable, bad reply); the caller's result is missed."""


class BackendTimeout(BackendError):
    """The backend did not answer within its time budget."""


class Backend(ABC):
    """Inference, embeddings and the Proof-of-Useful-Work judge behind one door."""

    name: str = "backend"

    @abstractmethod
    def complete(self, prompt: str, *, model: int = 0, max_tokens: int = 256) -> str:
        """The model's answer to ``prompt`` (what an honest miner commits)."""

    @abstractmethod
    def embed(self, text: str) -> Sequence[float]:
        """An embedding of ``text`` (Proof of Inference compares these by cosine similarity)."""

    @abstractmethod
    def judge(self, prompt: str, answer: str) -> float:
        """How useful ``answer`` is for ``prompt``, from 0 to 1 (Proof of Useful Work)."""


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two embeddings (0 when either is the zero vector)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
