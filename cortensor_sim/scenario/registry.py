"""Registries of step and expectation kinds: each kind is one pydantic model that also knows how to run.

A scenario's timeline is a list of steps (``- do: advance``) and its expectations a list of checks
(``- expect: balance``). The field ``do`` (or ``expect``) names the kind; the registry maps that name
to its model, and :mod:`.schema` builds a tagged union of every registered model, so the JSON Schema,
the validation and the runner all follow from registering one class::

    @register_step
    class Advance(StepKind):
        do: Literal["advance"]
        by: Duration
        def run(self, run: Run) -> None:
            run.advance(self.by)

A kind's :meth:`check` refuses names the scenario does not define (chains, actors, sessions) before
anything runs, with the field that holds the bad name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from .runner import Run


class ReferenceProblem(ValueError):
    """A name a step uses that the scenario does not define; ``field`` is the field holding it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Names:
    """What a scenario defines, for checking the names its steps use before anything runs."""

    chains: dict[str, str]  # name -> kind
    interval_mined: frozenset[str]
    users: tuple[str, ...]
    miners: tuple[str, ...]
    session_chain: str
    settlement_chain: str
    sessions: dict[str, str] = field(default_factory=dict)  # session name -> its chain
    deployed: set[str] = field(default_factory=set)  # chains with the protocol deployed
    parents: dict[str, str | None] = field(default_factory=dict)  # chain -> its parent
    settled: frozenset[str] = frozenset()  # rollups the settlement engine carries messages for
    bridged: set[str] = field(default_factory=set)  # chains COR reached through a bridge step

    @property
    def actors(self) -> tuple[str, ...]:
        return ("admin", "oracle", "validator", "router", *self.users, *self.miners)

    def chain(self, field_name: str, name: str, *, evm: bool = True) -> None:
        if name not in self.chains:
            raise ReferenceProblem(field_name, f"unknown chain {name!r} (chains: {', '.join(self.chains)})")
        if evm and self.chains[name] == "solana":
            raise ReferenceProblem(field_name, f"{name!r} is a Solana chain; this needs an EVM chain")

    def sealing_at_once(self, field_name: str, name: str, why: str) -> None:
        """Refuse a chain that pools transactions (``mining: interval``) where a step needs each
        receipt as soon as it sends (a session id, a checkpoint's block)."""
        self.chain(field_name, name)
        if name in self.interval_mined:
            raise ReferenceProblem(
                field_name, f"{name!r} mines on an interval; {why} needs `mining: auto` there (topology)"
            )

    def protocol_on(self, field_name: str, name: str) -> None:
        self.chain(field_name, name)
        if name not in self.deployed:
            raise ReferenceProblem(
                field_name, f"the protocol is not deployed on {name!r} yet: add a `do: deploy` step before"
            )

    def rollup(self, field_name: str, parent: str | None, child: str) -> None:
        """Refuse a route the settlement engine does not carry: ``child`` must settle on ``parent``."""
        self.chain(field_name, child)
        if parent is not None:
            self.chain("from", parent)
        actual = self.parents.get(child)
        if parent is None and actual is None:
            raise ReferenceProblem(field_name, f"{child!r} is a root chain: it has no parent to settle on")
        if parent is not None and actual != parent:
            where = f"settles on {actual!r}" if actual else "is a root chain"
            routes = ", ".join(f"{p} -> {c}" for c, p in self.parents.items() if c in self.settled) or "none"
            raise ReferenceProblem(
                field_name, f"no route {parent} -> {child}: {child!r} {where} (routes: {routes})"
            )
        if child not in self.settled:
            kind = self.chains[child]
            raise ReferenceProblem(
                field_name,
                f"{child!r} ({kind}): no settlement stack carries this kind of rollup, so the "
                "scenario's settlement steps cannot drive it",
            )

    def has_cor(self, field_name: str, name: str) -> None:
        if name not in self.deployed and name not in self.bridged:
            raise ReferenceProblem(
                field_name, f"there is no COR on {name!r} yet: `do: deploy` there or bridge COR to it first"
            )

    def actor(self, field_name: str, name: str, among: tuple[str, ...] | None = None) -> None:
        allowed = self.actors if among is None else among
        if name not in allowed:
            raise ReferenceProblem(field_name, f"unknown actor {name!r} (here: {', '.join(allowed)})")

    def session(self, field_name: str, name: str) -> str:
        if name not in self.sessions:
            known = ", ".join(self.sessions) or "none opened yet"
            raise ReferenceProblem(
                field_name,
                f"unknown session {name!r} (sessions: {known}): open it with `do: open_session` first",
            )
        return self.sessions[name]


class StepKind(BaseModel):
    """One step of a timeline. Subclasses set ``do: Literal["name"]`` and implement :meth:`run`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def check(self, names: Names) -> None:
        """Refuse names the scenario does not define (raise :class:`ReferenceProblem`); record new ones."""

    def run(self, run: Run) -> None:
        raise NotImplementedError

    def label(self) -> str:
        """One line for progress displays and reports."""
        fields = self.model_dump(mode="json", exclude={"do"}, exclude_defaults=True)
        shown = ", ".join(f"{k}={v}" for k, v in fields.items())
        return f"{self.kind_name()}({shown})" if shown else self.kind_name()

    @classmethod
    def kind_name(cls) -> str:
        return _tag(cls, "do")


@dataclass(frozen=True)
class Outcome:
    """An expectation's verdict and what was observed, in words a report can show."""

    passed: bool
    observed: str


class ExpectationKind(BaseModel):
    """One expectation. Subclasses set ``expect: Literal["name"]`` and implement :meth:`evaluate`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def check(self, names: Names) -> None:
        """Refuse names the scenario does not define (raise :class:`ReferenceProblem`)."""

    def evaluate(self, run: Run) -> Outcome:
        raise NotImplementedError

    def label(self) -> str:
        fields = self.model_dump(mode="json", exclude={"expect"}, exclude_defaults=True)
        return f"{self.kind_name()}: " + ", ".join(f"{k}={v}" for k, v in fields.items())

    @classmethod
    def kind_name(cls) -> str:
        return _tag(cls, "expect")


def _tag(cls: type[BaseModel], field_name: str) -> str:
    (name,) = get_args(cls.model_fields[field_name].annotation)
    return str(name)


Kind = TypeVar("Kind", bound=BaseModel)


class Registry(Generic[Kind]):
    """Kinds by name, in registration order (the order the JSON Schema lists them)."""

    def __init__(self, tag_field: str) -> None:
        self.tag_field = tag_field
        self.kinds: dict[str, type[Kind]] = {}

    def register(self, cls: type[Kind]) -> type[Kind]:
        name = _tag(cls, self.tag_field)
        if name in self.kinds:
            raise ValueError(f"{self.tag_field} kind {name!r} registered twice")
        self.kinds[name] = cls
        return cls

    def models(self) -> tuple[type[Kind], ...]:
        return tuple(self.kinds.values())


STEPS: Registry[StepKind] = Registry("do")
EXPECTATIONS: Registry[ExpectationKind] = Registry("expect")


def register_step(cls: type[Any]) -> type[Any]:
    """Class decorator: make a :class:`StepKind` available to scenarios as ``do: <its name>``."""
    return STEPS.register(cls)


def register_expectation(cls: type[Any]) -> type[Any]:
    """Class decorator: make an :class:`ExpectationKind` available as ``expect: <its name>``."""
    return EXPECTATIONS.register(cls)
