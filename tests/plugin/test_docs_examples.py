"""The examples in docs/testing.md run and pass, so the page cannot drift from the plugin.

A ``python`` block whose first line is ``# test_<name>.py`` is a test file; a ``solidity`` block
whose first line is ``// src/<Name>.sol`` is a source those tests deploy (compiled with solc-js, so
the examples that deploy a source need Node.js and npm solc, as ``deploy`` does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_deploy import _solc_js_available

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
BLOCK = re.compile(r"```python\n# (test_\w+\.py)\n(.*?)```", re.DOTALL)
SOURCE = re.compile(r"```solidity\n// (src/\w+\.sol)\n(.*?)```", re.DOTALL)


def _examples() -> dict[str, str]:
    return {name: body for name, body in BLOCK.findall(DOC.read_text())}


def _sources() -> dict[str, str]:
    return {name: body for name, body in SOURCE.findall(DOC.read_text())}


def _needs_solc(body: str) -> bool:
    return any(path in body for path in _sources())


def _run(pytester: pytest.Pytester, examples: dict[str, str]) -> None:
    for name, body in examples.items():
        # inner files get a prefix: in this process, a bare test_*.py name may already be imported
        pytester.path.joinpath(name.replace("test_", "test_inner_docs_", 1)).write_text(body)
    for path, body in _sources().items():
        pytester.path.joinpath(path).parent.mkdir(exist_ok=True)
        pytester.path.joinpath(path).write_text(body)
    expected = sum(len(re.findall(r"^def test_", body, re.MULTILINE)) for body in examples.values())
    pytester.runpytest().assert_outcomes(passed=expected)


def test_the_docs_have_runnable_examples() -> None:
    examples = _examples()
    names = {
        "test_first.py",
        "test_cortensor_token.py",
        "test_module_scope.py",
        "test_greeting.py",
        "test_ping.py",
    }
    assert names <= set(examples)
    assert _needs_solc(examples["test_greeting.py"]) and "src/Greeting.sol" in _sources()
    assert _needs_solc(examples["test_ping.py"]) and "src/Ping.sol" in _sources()


def test_every_example_in_the_docs_passes(pytester: pytest.Pytester) -> None:
    _run(pytester, {name: body for name, body in _examples().items() if not _needs_solc(body)})


@pytest.mark.skipif(not _solc_js_available(), reason="needs Node.js and npm solc (cd contracts && npm ci)")
def test_every_example_that_deploys_a_solidity_source_passes(pytester: pytest.Pytester) -> None:
    _run(pytester, {name: body for name, body in _examples().items() if _needs_solc(body)})
