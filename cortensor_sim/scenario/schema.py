"""The scenario format: pydantic models, exported as JSON Schema by ``cortensor-sim schema``.

A scenario names a topology (bundled, a file, or inline), the protocol's parameters, its actors,
a timeline of steps and the expectations that must hold. Steps and expectations are tagged unions
built from the registries in :mod:`.registry`: registering a kind adds it to the format, the schema
and the runner at once.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from ..chains.topology import Topology, default_topology
from . import expectations as _expectations  # noqa: F401  (registers the expectation kinds)
from . import steps as _steps  # noqa: F401  (registers the step kinds)
from .registry import EXPECTATIONS, STEPS
from .units import AmountField, Duration

Step = Annotated[Union[STEPS.models()], Field(discriminator="do")]  # type: ignore[valid-type]  # noqa: UP007
Expectation = Annotated[Union[EXPECTATIONS.models()], Field(discriminator="expect")]  # type: ignore[valid-type]  # noqa: UP007

BUNDLED_TOPOLOGIES_DIR = "topologies"


Behaviour = Literal["honest", "dishonest", "colluding", "silent", "slow", "lazy", "malicious", "offline"]


class BackendConfig(BaseModel):
    """Where the actors' miners infer and the validator embeds and judges (``do: run_network``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["builtin", "openai"] = Field(
        default="builtin", description="builtin: deterministic, offline; openai: any OpenAI-compatible server"
    )
    url: str | None = Field(default=None, description="the server's base URL, e.g. http://127.0.0.1:8080/v1")
    model: str | None = Field(default=None, description="the chat model's name on that server")
    embedding_model: str | None = Field(default=None, description="the embedding model (default: model)")
    timeout: float = Field(default=30.0, gt=0, le=3600, description="seconds before a request times out")

    @model_validator(mode="after")
    def _openai_needs_url_and_model(self) -> BackendConfig:
        if self.kind == "openai" and not (self.url and self.model):
            raise ValueError("an openai backend needs `url` and `model`")
        return self


class Parameters(BaseModel):
    """Protocol parameters: where sessions run and settle, redundancy, prices, penalties, cadences."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    session_chain: str = Field(default="arbitrum", description="the chain that hosts sessions and tasks")
    settlement_chain: str = Field(default="l1", description="the chain checkpoints go to")
    redundancy: int = Field(default=3, ge=1, le=16, description="miners per task")
    deposit: AmountField = Field(default="100 COR", description="a session's deposit")  # type: ignore[assignment]
    node_stake: AmountField = Field(default="6000 COR", description="stake per node")  # type: ignore[assignment]
    reward_points: int = Field(default=10, ge=0, le=10**6)
    penalty_points: int = Field(default=20, ge=0, le=10**6)
    slash: AmountField = Field(default="0 COR", description="stake an INVALID result costs")  # type: ignore[assignment]
    poll_interval: Duration = Field(default=5, description="time between task phases (miners poll)")
    backend: BackendConfig = Field(default_factory=BackendConfig)
    network_deposit: AmountField = Field(  # type: ignore[assignment]
        default="1000 COR", description="each user's session deposit when the actors run (`do: run_network`)"
    )
    settlement: Literal["auto", "step"] = Field(
        default="auto",
        description="auto: settlement actors act as the clock reaches their time; step: only on `do: relay`",
    )


class Actors(BaseModel):
    """Who takes part: counts of users and miners, and how miners behave."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: int = Field(default=1, ge=1, le=100)
    miners: int = Field(default=4, ge=1, le=100)
    behaviour: dict[str, Behaviour] = Field(
        default_factory=dict,
        description="per miner (miner0, miner1, ...): dishonest (or malicious) miners answer with "
        "made-up text; colluding miners all give the same wrong answer; silent miners ack a task and "
        "never answer (a crashed miner, a backend that timed out); with `do: run_network`, slow "
        "miners miss deadlines at `slow_rate`, lazy ones give low-effort answers, offline ones never poll",
    )
    slow_rate: float = Field(default=0.5, ge=0, le=1, description="share of tasks a slow miner is late on")
    dishonest_rate: float = Field(
        default=0.0, ge=0, le=1, description="chance that any other answer is made up (drawn from the seed)"
    )

    @field_validator("dishonest_rate", "slow_rate")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"expected a number from 0 to 1, got {value}")
        return value

    @property
    def user_names(self) -> tuple[str, ...]:
        return tuple(f"user{i}" for i in range(self.users))

    @property
    def miner_names(self) -> tuple[str, ...]:
        return tuple(f"miner{i}" for i in range(self.miners))


class Scenario(BaseModel):
    """A cross-layer scenario: a devnet, a timeline of steps, and what must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    description: str = ""
    seed: StrictInt | StrictStr = Field(
        default=0, description="drives the devnet (block hashes) and behaviour draws"
    )
    topology: str | Topology = Field(
        default="default",
        description="a bundled topology (default, superchain-l3, two-orbits), a YAML file relative to "
        "the scenario, or the topology inline",
    )
    parameters: Parameters = Field(default_factory=Parameters)
    actors: Actors = Field(default_factory=Actors)
    timeline: list[Step] = Field(min_length=1, max_length=10_000)  # type: ignore[valid-type]
    expectations: list[Expectation] = Field(default_factory=list, max_length=10_000)  # type: ignore[valid-type]

    _topology: Topology | None = PrivateAttr(default=None)

    @field_validator("seed")
    @classmethod
    def _seed_in_range(cls, value: int | str) -> int | str:
        if isinstance(value, bool):
            raise ValueError("expected an integer or a text, got a boolean")
        if isinstance(value, int) and not 0 <= value < 2**64:
            raise ValueError(f"expected 0 to 2**64 - 1, got {value}")
        if isinstance(value, str) and len(value) > 256:
            raise ValueError("expected at most 256 characters")
        return value

    def resolved_topology(self) -> Topology:
        """The topology, once the loader has resolved a bundled name or file (or inline)."""
        if isinstance(self.topology, Topology):
            return self.topology
        if self._topology is None:
            if self.topology == "default":
                return default_topology()
            raise RuntimeError("the loader resolves topology names; use load_scenario()")
        return self._topology


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors (``# yaml-language-server: $schema=...``)."""
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cortensor-sim scenario"
    return schema


def bundled_dir() -> Path:
    """The bundled scenarios: ``scenarios/`` in a checkout, ``cortensor_sim/_scenarios`` in a wheel."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_scenarios", package.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    return package.parent / "scenarios"
