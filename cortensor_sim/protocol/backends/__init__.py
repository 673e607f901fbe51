"""Inference backends: what a miner runs a prompt through, what a validator embeds and judges with.

One small interface (:class:`Backend`), a built-in default that needs nothing (pure Python,
deterministic for a seed) and an adapter for any OpenAI-compatible HTTP server (llama.cpp's
``server``, Ollama, vLLM). A backend that fails or times out raises :class:`BackendError`; the
miner treats that as a missed result, never as a crash of the run.
"""

from .base import Backend, BackendError, BackendTimeout
from .builtin import BuiltinBackend
from .faults import OutageBackend
from .openai import OpenAIBackend

__all__ = ["Backend", "BackendError", "BackendTimeout", "BuiltinBackend", "OpenAIBackend", "OutageBackend"]
