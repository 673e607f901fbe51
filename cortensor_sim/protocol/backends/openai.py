"""An adapter for any OpenAI-compatible HTTP server (llama.cpp ``server``, Ollama, vLLM).

Configured by base URL and model name; speaks ``POST /v1/chat/completions`` and
``POST /v1/embeddings`` as the OpenAI API reference defines them. The judge asks the same chat
model for a 0-10 usefulness score. Every failure (connection, HTTP status, malformed JSON,
timeout) becomes :class:`BackendError` / :class:`BackendTimeout`, so a miner with a broken
backend misses its result instead of crashing the run. Standard library only: one blocking
request per call, as a miner process would make.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from .base import Backend, BackendError, BackendTimeout

JUDGE_PROMPT = (
    "Rate how useful the answer is for the question, from 0 (useless) to 10 (fully useful). "
    "Reply with the number only.\nQuestion: {prompt}\nAnswer: {answer}"
)


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(
        self,
        url: str,
        model: str,
        *,
        embedding_model: str | None = None,
        timeout: float = 30.0,
        api_key: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        if self.url.endswith("/v1"):
            self.url = self.url[: -len("/v1")]
        self.model = model
        self.embedding_model = embedding_model or model
        self.timeout = timeout
        self.api_key = api_key

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            f"{self.url}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read())
        except TimeoutError as exc:
            raise BackendTimeout(f"{self.url}{path}: no answer within {self.timeout:g} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise BackendTimeout(f"{self.url}{path}: no answer within {self.timeout:g} s") from exc
            raise BackendError(f"{self.url}{path}: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise BackendError(f"{self.url}{path}: {exc}") from exc
        if not isinstance(reply, dict):
            raise BackendError(f"{self.url}{path}: expected a JSON object, got {type(reply).__name__}")
        return reply

    def complete(self, prompt: str, *, model: int = 0, max_tokens: int = 256) -> str:
        reply = self._post(
            "/v1/chat/completions",
            {
                "model": self.model,
                "messages": [{"role": "user", "content": prompt}],
                "max_tokens": max_tokens,
                "temperature": 0,
            },
        )
        try:
            return str(reply["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"{self.url}/v1/chat/completions: no choices[0].message.content") from exc

    def embed(self, text: str) -> Sequence[float]:
        reply = self._post("/v1/embeddings", {"model": self.embedding_model, "input": text})
        try:
            return [float(x) for x in reply["data"][0]["embedding"]]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise BackendError(f"{self.url}/v1/embeddings: no data[0].embedding") from exc

    def judge(self, prompt: str, answer: str) -> float:
        score = self.complete(JUDGE_PROMPT.format(prompt=prompt, answer=answer), max_tokens=4)
        found = re.search(r"\d+(\.\d+)?", score)
        if found is None:
            raise BackendError(f"the judge answered {score!r}, not a score")
        return max(0.0, min(1.0, float(found.group()) / 10))
