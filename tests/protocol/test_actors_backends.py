"""Backends: the built-in one, the OpenAI-compatible adapter, and failures that never crash a run."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from actor_helpers import PROMPTS, small_devnet
from aiohttp import web

from cortensor_sim.protocol.actors import Population, PopulationConfig
from cortensor_sim.protocol.backends import (
    BackendError,
    BackendTimeout,
    BuiltinBackend,
    OpenAIBackend,
)
from cortensor_sim.protocol.backends.base import cosine


def test_the_builtin_backend_is_deterministic_for_a_seed() -> None:
    a, b, other = BuiltinBackend(1), BuiltinBackend(1), BuiltinBackend(2)
    assert a.complete("why rollups") == b.complete("why rollups") != other.complete("why rollups")
    honest = a.complete("why rollups")
    assert cosine(a.embed(honest), a.embed(b.complete("why rollups"))) == pytest.approx(1.0)
    assert cosine(a.embed(honest), a.embed("OK.")) < 0.85
    assert a.judge("why rollups", honest) >= 0.5 > a.judge("why rollups", "OK.")


class _Server:
    """A tiny OpenAI-compatible server on a free local port, in a thread of this test."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.requests: list[tuple[str, dict]] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(("chat", body))
        await asyncio.sleep(self.delay_s)
        prompt = body["messages"][-1]["content"]
        content = "7" if prompt.startswith("Rate how useful") else f"echo: {prompt}"
        return web.json_response({"choices": [{"message": {"role": "assistant", "content": content}}]})

    async def _embed(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(("embed", body))
        await asyncio.sleep(self.delay_s)
        return web.json_response({"data": [{"embedding": [float(len(body["input"])), 1.0]}]})

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embed)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> _Server:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def server() -> Iterator[_Server]:
    with _Server() as running:
        yield running


def test_the_openai_adapter_speaks_chat_completions_and_embeddings(server: _Server) -> None:
    backend = OpenAIBackend(server.url + "/v1", "tiny-model", embedding_model="tiny-embed")
    assert backend.complete("hello there") == "echo: hello there"
    assert backend.embed("abc") == [3.0, 1.0]
    assert backend.judge("q", "a") == pytest.approx(0.7)
    kinds = [(kind, body["model"]) for kind, body in server.requests]
    assert kinds == [("chat", "tiny-model"), ("embed", "tiny-embed"), ("chat", "tiny-model")]


def test_a_slow_or_absent_server_is_a_backend_error_not_a_crash() -> None:
    with _Server(delay_s=2.0) as slow, pytest.raises(BackendTimeout, match=r"no answer within 0\.2 s"):
        OpenAIBackend(slow.url, "m", timeout=0.2).complete("hi")
    with pytest.raises(BackendError):
        OpenAIBackend("http://127.0.0.1:9", "m", timeout=0.5).complete("hi")


def test_a_miner_whose_backend_times_out_misses_its_result_and_the_run_goes_on() -> None:
    with _Server(delay_s=2.0) as slow:
        config = PopulationConfig(miners=3, deadlines=(10, 10, 10))
        population = Population.deploy(small_devnet(), config)
        miner = population.miners["miner1"]
        miner.backend = OpenAIBackend(slow.url, "m", timeout=0.1)
        population.submit("user0", PROMPTS[:2], every_s=1)
        assert population.run_until_idle(900)
    metrics = population.metrics()
    assert metrics.backend_failures >= 2
    assert metrics.tasks_completed == 2
    assert "miner1" not in metrics.earnings


def test_a_backend_outage_span_ends_and_the_miner_answers_again() -> None:
    population = Population.deploy(small_devnet(), PopulationConfig(miners=3))
    now = population.devnet.clock.now_ms
    population.miners["miner0"].backend.add_outage(now, now + 20_000)  # type: ignore[attr-defined]
    population.submit("user0", PROMPTS[:1])
    assert population.run_until_idle(900)
    metrics = population.metrics()
    assert metrics.backend_failures >= 1  # polled during the outage
    assert metrics.earnings.get("miner0")  # and answered in time once it ended
