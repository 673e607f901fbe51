"""The default backend: deterministic for a seed, pure Python, no weights to download.

Its "model" answers with a pure function of (seed, model, prompt), so honest miners agree; its
embedding is a bag of hashed words (feature hashing), so answers sharing most words are close and a
made-up or low-effort answer is far; its judge scores how much of the prompt's vocabulary an answer
covers and whether it says enough. The same agreement structure as real inference, on any machine.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence

from .base import Backend

EMBEDDING_DIMENSIONS = 256
MIN_USEFUL_WORDS = 8
"""An answer shorter than this many words is judged as low effort, whatever it says."""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class BuiltinBackend(Backend):
    name = "builtin"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def complete(self, prompt: str, *, model: int = 0, max_tokens: int = 256) -> str:
        digest = hashlib.sha256(f"{self.seed}:{model}:{prompt}".encode()).hexdigest()[:12]
        topic = " ".join(_words(prompt)[:6]) or "the prompt"
        return f"Answer about {topic}: the model's deterministic completion {digest}."

    def embed(self, text: str) -> Sequence[float]:
        vector = [0.0] * EMBEDDING_DIMENSIONS
        for word, count in Counter(_words(text)).items():
            bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
            vector[bucket % EMBEDDING_DIMENSIONS] += count
        return vector

    def judge(self, prompt: str, answer: str) -> float:
        asked = set(_words(prompt)[:6])
        said = _words(answer)
        if len(said) < MIN_USEFUL_WORDS:
            return 0.1
        covered = len(asked & set(said)) / len(asked) if asked else 1.0
        return round(0.4 + 0.6 * covered, 4)
