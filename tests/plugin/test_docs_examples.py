"""The examples in docs/testing.md run and pass, so the page cannot drift from the plugin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
BLOCK = re.compile(r"```python\n# (test_\w+\.py)\n(.*?)```", re.DOTALL)


def _examples() -> dict[str, str]:
    return {name: body for name, body in BLOCK.findall(DOC.read_text())}


def test_the_docs_have_runnable_examples() -> None:
    assert {"test_first.py", "test_cortensor_token.py", "test_module_scope.py"} <= set(_examples())


def test_every_example_in_the_docs_passes(pytester: pytest.Pytester) -> None:
    examples = _examples()
    for name, body in examples.items():
        # inner files get a prefix: in this process, a bare test_*.py name may already be imported
        pytester.path.joinpath(name.replace("test_", "test_inner_docs_", 1)).write_text(body)
    expected = sum(len(re.findall(r"^def test_", body, re.MULTILINE)) for body in examples.values())
    pytester.runpytest().assert_outcomes(passed=expected)
