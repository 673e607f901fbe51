"""Every event and custom error of the protocol contracts is asserted by some contract test.

Why (issue 6): an event nobody checks can lose its emit, and an error nobody provokes may be
unreachable; either would pass CI unnoticed. This test reads the compiled ABIs of NodePool,
NodeReputation, NodeStats, SessionQueueV2, SessionV2 and TaskValidator, and the sources of
tests/contracts/, and fails naming each event or error that no test asserts.

"Asserted" means named where a test checks it, found in the test sources' syntax trees:
- an event: `event_args(contract, "Name", receipt)`, `events(contract, "Name", receipt)` or
  `contract.events.Name()`;
- an error: the signature given to `expect_revert(fn, sender, "Name(types)", ...)` (a string, or
  a name a plain assignment bound to one), or hashed for a selector check (`selector("Name(types)")`,
  `keccak(text="Name(types)")`).
A mention in a comment or docstring does not count.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cortensor_sim.artifacts import load_artifact

CONTRACTS = ("NodePool", "NodeReputation", "NodeStats", "SessionQueueV2", "SessionV2", "TaskValidator")
TESTS = Path(__file__).resolve().parent


@dataclass
class Asserted:
    """Event names and error names the tests check."""

    events: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)


def _name_of_signature(text: str) -> str | None:
    """'Name(bytes32,uint8)' -> 'Name'; anything else -> None."""
    if "(" not in text or not text.endswith(")"):
        return None
    name = text[: text.index("(")]
    return name if name.isidentifier() else None


def _string(node: ast.expr, bindings: dict[str, list[tuple[int, str]]]) -> str | None:
    """The string an argument holds: a literal, or the value of the nearest plain assignment to
    that name above it (tests rebind short names like `sig` from one check to the next)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        above = [value for line, value in bindings.get(node.id, []) if line < node.lineno]
        return above[-1] if above else None
    return None


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def asserted_in(source: str) -> Asserted:
    """What one test module asserts (see the module docstring for the forms recognised)."""
    tree = ast.parse(source)
    constants: dict[str, list[tuple[int, str]]] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    constants.setdefault(t.id, []).append((n.lineno, n.value.value))
    for bound in constants.values():
        bound.sort()
    found = Asserted()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "events"
        ):
            found.events.add(node.attr)
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        if callee in ("event_args", "events") and len(node.args) >= 2:
            name = _string(node.args[1], constants)
            if name:
                found.events.add(name)
        signatures: list[ast.expr] = []
        if callee == "expect_revert" and len(node.args) >= 3:
            signatures.append(node.args[2])
        if callee == "selector" and node.args:
            signatures.append(node.args[0])
        if callee == "keccak":
            signatures.extend(k.value for k in node.keywords if k.arg == "text")
        for arg in signatures:
            text = _string(arg, constants)
            name = _name_of_signature(text) if text else None
            if name:
                found.errors.add(name)
    return found


def asserted_by_the_tests() -> Asserted:
    total = Asserted()
    for path in sorted(TESTS.glob("*.py")):
        one = asserted_in(path.read_text())
        total.events |= one.events
        total.errors |= one.errors
    return total


@pytest.fixture(scope="module")
def asserted() -> Asserted:
    return asserted_by_the_tests()


@pytest.mark.parametrize("contract", CONTRACTS)
def test_every_event_is_asserted(contract: str, asserted: Asserted) -> None:
    names = {e["name"] for e in load_artifact(contract).abi if e["type"] == "event"}
    assert sorted(names - asserted.events) == [], f"{contract}: events no test asserts"


@pytest.mark.parametrize("contract", CONTRACTS)
def test_every_custom_error_is_asserted(contract: str, asserted: Asserted) -> None:
    names = {e["name"] for e in load_artifact(contract).abi if e["type"] == "error"}
    assert sorted(names - asserted.errors) == [], f"{contract}: custom errors no test provokes"


def test_the_scan_recognises_assertions_not_mentions() -> None:
    """The scanner can fail: a docstring or comment naming an event or error does not count,
    and each recognised form does."""
    source = '''
"""Mentions NodeAdded and UnknownNode(bytes32) only in prose."""
STATUS = "InvalidNodeStatus(bytes32,uint8)"
def test_x(env):
    event_args(pool, "NodeEphemeral", r)  # NodeRemoved in a comment
    events(pool, "NodeReserved", r)
    pool.events.NodeReleased().process_receipt(r)
    expect_revert(fn, who, STATUS, 1, 2)
    sig = "StakeOutOfRange(uint256,uint256,uint256)"
    expect_revert(fn, who, sig)
    sig = "NoTaskUnderJudgement(bytes32)"
    expect_revert(fn, who, sig)
    expect_revert(fn, who, "NotNodeOwner(bytes32,address)")
    assert data[:10] == selector("NoModels()")
    assert data[:10] == keccak(text="TooManyModels(uint256,uint256)")[:4].hex()
'''
    found = asserted_in(source)
    assert found.events == {"NodeEphemeral", "NodeReserved", "NodeReleased"}
    assert found.errors == {
        "InvalidNodeStatus",
        "StakeOutOfRange",
        "NoTaskUnderJudgement",
        "NotNodeOwner",
        "NoModels",
        "TooManyModels",
    }
