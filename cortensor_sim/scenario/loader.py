"""Loading a scenario file: its YAML, its topology, and every name it uses checked before anything runs.

Names (chains, actors, sessions, contracts) are checked in timeline order against what the
topology and earlier steps define, so a typo is reported as ``file:line:column: field: ...``
before a devnet is built, never as a failure halfway through a run.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..bridge import STACKS
from ..chains.topology import Topology
from .registry import Names, ReferenceProblem
from .schema import BUNDLED_TOPOLOGIES_DIR, Scenario, bundled_dir
from .source import InputError, _loc_from_name, error_at, load_yaml_document, load_yaml_model

STEPPED_KINDS = frozenset({"op-stack", "nitro", "orbit"})
"""Rollup kinds whose routes the settlement steps and expectations drive: the OP Stack's standard
bridges, and Nitro's and Orbit's Inbox, ArbSys and COR gateways."""

ACTOR_ACCOUNTS = 4
"""admin, oracle, validator and router come before users and miners among the dev accounts."""


def bundled_scenarios() -> dict[str, Path]:
    """The scenarios shipped with cortensor-sim, by name (file stem)."""
    return {path.stem: path for path in sorted(bundled_dir().glob("*.yaml"))}


def bundled_topologies() -> dict[str, Path]:
    return {path.stem: path for path in sorted((bundled_dir() / BUNDLED_TOPOLOGIES_DIR).glob("*.yaml"))}


def find_scenario(name_or_path: str | Path) -> Path:
    """A scenario file by path, or a bundled scenario by name (``default``)."""
    path = Path(name_or_path)
    bundled = bundled_scenarios()
    if not path.exists() and str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    return path


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario; raises :class:`InputError` on anything wrong."""
    path = find_scenario(name_or_path)
    scenario, root = load_yaml_document(path, Scenario)
    topology = _topology(path, root, scenario)
    scenario._topology = topology
    check_names(path, root, scenario, topology)
    return scenario


def _topology(path: Path, root: yaml.Node | None, scenario: Scenario) -> Topology:
    if isinstance(scenario.topology, Topology):
        return scenario.topology
    bundled = bundled_topologies()
    if scenario.topology in bundled:
        return load_yaml_model(bundled[scenario.topology], Topology)
    candidate = path.parent / scenario.topology
    if scenario.topology.endswith((".yaml", ".yml")) and candidate.is_file():
        return load_yaml_model(candidate, Topology)
    raise error_at(
        path,
        root,
        ("topology",),
        f"unknown topology {scenario.topology!r}: expected a bundled one ({', '.join(bundled)}), "
        "a .yaml file relative to the scenario, or the topology inline",
    )


def check_names(path: Path, root: yaml.Node | None, scenario: Scenario, topology: Topology) -> None:
    """Every chain, actor and session a scenario names exists where and when it is used."""
    actors = scenario.actors
    names = Names(
        chains={c.name: c.kind for c in topology.chains},
        interval_mined=frozenset(c.name for c in topology.chains if c.is_evm and c.mining == "interval"),
        users=actors.user_names,
        miners=actors.miner_names,
        session_chain=scenario.parameters.session_chain,
        settlement_chain=scenario.parameters.settlement_chain,
        parents={c.name: c.parent for c in topology.chains},
        settled=frozenset(c.name for c in topology.chains if c.kind in STACKS and c.kind in STEPPED_KINDS),
    )
    _at(path, root, ("parameters",), lambda: names.chain("session_chain", names.session_chain))
    _at(path, root, ("parameters",), lambda: names.chain("settlement_chain", names.settlement_chain))
    needed = ACTOR_ACCOUNTS + actors.users + actors.miners
    if needed > topology.accounts:
        raise error_at(
            path,
            root,
            ("actors",),
            f"{actors.users} users and {actors.miners} miners need {needed} dev accounts; the topology "
            f"funds {topology.accounts} (raise its `accounts`)",
        )
    for miner in actors.behaviour:
        if miner not in names.miners:
            raise error_at(
                path,
                root,
                ("actors", "behaviour", miner),
                f"unknown miner {miner!r} (miners: {', '.join(names.miners)})",
            )
    for index, step in enumerate(scenario.timeline):
        _at(path, root, ("timeline", index), lambda step=step: step.check(names))  # type: ignore[misc]
    for index, expectation in enumerate(scenario.expectations):
        _at(path, root, ("expectations", index), lambda e=expectation: e.check(names))  # type: ignore[misc]


def _at(path: Path, root: yaml.Node | None, where: tuple[str | int, ...], check: object) -> None:
    try:
        check()  # type: ignore[operator]
    except ReferenceProblem as problem:
        raise error_at(path, root, where + _loc_from_name(problem.field), str(problem)) from None


__all__ = ["InputError", "bundled_scenarios", "find_scenario", "load_scenario"]
