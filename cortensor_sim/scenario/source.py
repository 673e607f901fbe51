"""Reading users' YAML into validated models, with errors that point at the file, line and field.

PyYAML's composer keeps each node's position; pydantic's errors carry the path of the bad field.
Joining the two turns "chains.2.parent: unknown parent" into
``topology.yaml:14: chains[2].parent: unknown parent 'l2'``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

_PATH_IN_MESSAGE = re.compile(r"^(?:Value error, )?((?:\w+)(?:\[\d+\]|\.\w+)*): ")


class InputError(ValueError):
    """Bad input: ``file:line: field: what is wrong``."""

    def __init__(self, path: Path, line: int | None, field: str | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        text = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        super().__init__(text)
        self.path, self.line, self.field, self.message = path, line, field, message


def _line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the node at ``loc`` (or of its nearest ancestor that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if getattr(k, "value", None) == part]
            if not match:
                return line
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _field_name(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _loc_from_name(name: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for token in re.findall(r"\w+|\[\d+\]", name):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts)


def load_yaml_model(path: str | Path, model: type[Model], *, key: str | None = None) -> Model:
    """Parse ``path`` (or its top-level ``key``) as ``model``; raises :class:`InputError`."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(path, None, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        root = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, mark.line + 1 if mark else None, None, f"not valid YAML: {problem}") from None
    prefix: tuple[str | int, ...] = ()
    if key is not None:
        if not isinstance(data, dict) or key not in data:
            raise InputError(path, 1, None, f"expected a top-level '{key}:' mapping")
        data = data[key]
        prefix = (key,)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        message = error["msg"]
        named = _PATH_IN_MESSAGE.match(message)
        if named:  # a whole-model check that names its field itself ("chains[2].parent: ...")
            loc = _loc_from_name(named.group(1))
            message = message[named.end() :]
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        full = prefix + loc
        raise InputError(path, _line_of(root, full), _field_name(full) or None, message) from None
