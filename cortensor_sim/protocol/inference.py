"""Inference and its Proof-of-Inference check, offline and deterministic.

Cortensor's miners run an LLM; its validators compare the redundant results by embedding
similarity (cosine; the docs give 0.85 as an example threshold). Here a miner's "model" is a
deterministic function of the prompt, and the embedding is a bag of hashed word features: the same
agreement/disagreement structure, no weights to download, the same answer on every machine.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from enum import IntEnum
from typing import TypeVar

SIMILARITY_THRESHOLD = 0.85
"""Cortensor's example rejection threshold for cosine similarity of result embeddings."""

EMBEDDING_DIMENSIONS = 256

Miner = TypeVar("Miner", bound=Hashable)


class Verdict(IntEnum):
    """TaskValidator.Verdict (our values; see docs/contracts.md)."""

    NONE = 0
    VALID = 1
    INVALID = 2
    RETRY = 3


def honest_answer(prompt: str, model_id: int = 0) -> str:
    """What an honest miner's model answers: a pure function of the prompt and the model."""
    digest = hashlib.sha256(f"{model_id}:{prompt}".encode()).hexdigest()[:12]
    words = re.findall(r"\w+", prompt.lower())
    topic = " ".join(words[:6]) or "the prompt"
    return f"Answer about {topic}: the model's deterministic completion {digest}."


MADE_UP_SYLLABLES = (
    "ba", "cu", "de", "fi", "go", "ha", "ji", "ko", "lu", "me",
    "ni", "po", "qua", "ri", "su", "ta", "vo", "xe", "yu", "zo",
)  # fmt: skip
"""Syllables of made-up words: 20 ** 3 three-syllable words, so two replies rarely share one."""

MADE_UP_WORDS = 12


def made_up_answer(seed: int | str, miner: str, task: object) -> str:
    """What a dishonest miner answers: words drawn from the run's seed, the miner and the task.

    Each dishonest reply is its own, unrelated to the honest answer and to every other dishonest
    reply (cosine near 0), so liars acting alone never form a majority the way colluders do.
    """
    rng = random.Random(f"made-up:{seed}:{miner}:{task}")
    words = ("".join(rng.choice(MADE_UP_SYLLABLES) for _ in range(3)) for _ in range(MADE_UP_WORDS))
    return "Made up: " + " ".join(words) + "."


def embed(text: str) -> list[float]:
    """A unit vector of hashed word counts (feature hashing), the stand-in for an embedding model."""
    vector = [0.0] * EMBEDDING_DIMENSIONS
    for word, count in Counter(re.findall(r"\w+", text.lower())).items():
        bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
        vector[bucket % EMBEDDING_DIMENSIONS] += count
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


def cosine_similarity(a: str, b: str) -> float:
    return sum(x * y for x, y in zip(embed(a), embed(b), strict=True))


def judge(
    results: Mapping[str, str], assigned: Sequence[str], threshold: float = SIMILARITY_THRESHOLD
) -> dict[str, Verdict]:
    """Proof of Inference: agreement among redundant results.

    The reference is the result most similar to all the others (the medoid); a miner whose result
    is at least ``threshold`` similar to it agrees, and :func:`majority_verdicts` turns the
    agreement into verdicts (VALID/INVALID when a majority agrees, else RETRY for all); an
    assigned miner with no result is NONE (missing, penalized like INVALID but not slashed). A
    single result is RETRY: there is nothing to compare it against.
    """
    submitted = {m: r for m, r in results.items() if m in assigned}
    verdicts = {m: Verdict.NONE for m in assigned}
    if len(submitted) < 2:
        verdicts.update({m: Verdict.RETRY for m in submitted})
        return verdicts
    scores = {
        m: sum(cosine_similarity(r, other) for n, other in submitted.items() if n != m)
        for m, r in submitted.items()
    }
    reference = submitted[max(sorted(scores), key=lambda m: scores[m])]
    agree = {m: cosine_similarity(r, reference) >= threshold for m, r in submitted.items()}
    verdicts.update(majority_verdicts(agree))
    return verdicts


def majority_verdicts(agrees: Mapping[Miner, bool]) -> dict[Miner, Verdict]:
    """Proof of Inference's verdicts once each committed result is known to agree with the
    reference answer or not: the one rule of the scripted judge and of the actors' validator.

    An answer is accepted only when a strict majority of the results agree on it: then those
    results are VALID and the others INVALID. Otherwise no answer is accepted and every result is
    RETRY (inconclusive: unpaid, penalized, not slashed). Redundancy cannot say which minority is wrong, so
    liars who each make up their own answer cannot condemn an honest miner by outnumbering it;
    only liars who share one answer (colluders) can, the known limit of redundancy.
    """
    if 2 * sum(agrees.values()) <= len(agrees):
        return dict.fromkeys(agrees, Verdict.RETRY)
    return {m: Verdict.VALID if ok else Verdict.INVALID for m, ok in agrees.items()}
