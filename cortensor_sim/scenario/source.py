"""Reading users' YAML into validated models, with errors that point at the file, line, column and field.

PyYAML's composer keeps each node's position; pydantic's errors carry the path of the bad field.
Joining the two turns "chains.2.parent: unknown parent" into
``topology.yaml:14:13: chains[2].parent: unknown parent 'l2'``.

Everything a user's file can hold is refused here with that shape, never with a traceback: bytes
that are not UTF-8 text, an empty document, a top-level list, a key written twice (YAML keeps the
last one silently), nesting deeper than any scenario needs (PyYAML's composer recurses), and every
error the model's validators raise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted; a scenario needs fewer than ten levels."""

MAX_BYTES = 4 * 1024 * 1024
"""Largest input file read; bundled scenarios are a few kilobytes."""

_PATH_IN_MESSAGE = re.compile(r"^(?:Value error, )?((?:\w+)(?:\[\d+\]|\.\w+)*): ")


class InputError(ValueError):
    """Bad input: ``file:line:column: field: what is wrong``."""

    def __init__(
        self,
        path: Path,
        line: int | None,
        field: str | None,
        message: str,
        column: int | None = None,
    ) -> None:
        where = str(path)
        if line:
            where += f":{line}" + (f":{column}" if column else "")
        text = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        super().__init__(text)
        self.path, self.line, self.column, self.field, self.message = path, line, column, field, message


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys and runaway nesting with their position."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=mark
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key (a list or mapping as a key)
                    raise yaml.MarkedYAMLError(
                        problem="a mapping key must be a plain value, not a list or mapping",
                        problem_mark=key_node.start_mark,
                    ) from None
                if first is not None:
                    raise yaml.MarkedYAMLError(
                        problem=f"duplicate key {key!r} (first at line {first.start_mark.line + 1}); "
                        "YAML would silently keep only the last one",
                        problem_mark=key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _decode(path: Path, raw: bytes) -> str:
    """The file's text, or an error naming the first byte that is not UTF-8 text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            path, line, None, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): expected a YAML file", column
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise InputError(path, line, None, "a NUL byte: this is a binary file, expected YAML text", column)
    return text


def read_text(path: Path) -> str:
    """Read a user's input file as UTF-8 text, refusing what cannot be one."""
    try:
        if path.is_dir():
            raise InputError(path, None, None, "is a directory, expected a YAML file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(path, None, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(
            path, None, None, f"larger than {MAX_BYTES // 1024 // 1024} MiB, expected a YAML file"
        )
    return _decode(path, raw)


def parse_yaml(path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for positions) and its plain value."""
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: checked before any parsing
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        what = f"control character U+{exc.character:04X} is not allowed in YAML text"
        raise InputError(path, line, None, f"not valid YAML: {what}", column) from None
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(path, line, None, f"not valid YAML: {problem}", column) from None
    except RecursionError:
        raise InputError(path, None, None, f"not valid YAML: nested too deeply (limit {MAX_DEPTH})") from None
    finally:
        loader.dispose()
    return root, data


def _node_at(node: yaml.Node | None, loc: tuple[str | int, ...]) -> yaml.Node | None:
    """The node at ``loc``, or its nearest ancestor that exists."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if getattr(k, "value", None) == part]
            if not match:
                return node
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def field_name(loc: tuple[str | int, ...]) -> str:
    """``("chains", 2, "parent")`` as a user writes it: ``chains[2].parent``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _loc_from_name(name: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for token in re.findall(r"\w+|\[\d+\]", name):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_at(path: Path, root: yaml.Node | None, loc: tuple[str | int, ...], message: str) -> InputError:
    """An :class:`InputError` for the field at ``loc``, placed at its line and column."""
    node = _node_at(root, loc)
    line, column = (
        (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (None, None)
    )
    return InputError(path, line, field_name(loc) or None, message, column)


def _most_specific(errors: list[Any]) -> Any:
    """The error to show: among those about the first error's top-level field, the deepest one.

    For ``topology: str | Topology`` given a mapping, pydantic reports "should be a valid string"
    for the ``str`` member before the real problem deep inside the ``Topology`` member.
    """
    first = errors[0]
    same_field = [e for e in errors if e["loc"][:1] == first["loc"][:1]]
    return max(same_field, key=lambda e: len(e["loc"]))


def validation_error(
    path: Path, root: yaml.Node | None, exc: ValidationError, prefix: tuple[str | int, ...] = ()
) -> InputError:
    """pydantic's first error, in the user's terms: where, which field, what was expected, what came."""
    error = _most_specific(exc.errors())
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    message = error["msg"]
    named = _PATH_IN_MESSAGE.match(message)
    if named:  # a whole-model check that names its field itself ("chains[2].parent: ...")
        loc = _loc_from_name(named.group(1))
        message = message[named.end() :]
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif error["type"] not in ("missing", "extra_forbidden") and not isinstance(
        error.get("input"), dict | list
    ):
        message += f", got {_shown(error.get('input'))}"
    if error["type"] == "extra_forbidden":
        message = "unknown field (a typo?)"
    return error_at(path, root, _without_tags(root, prefix + loc), message)


def _without_tags(root: yaml.Node | None, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the tags pydantic puts into a tagged union's ``loc`` (``timeline.1.fund.amount``: the
    ``fund`` is the value of the item's ``do:``, not a field the user wrote)."""
    kept: list[str | int] = []
    node = root
    for index, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            keys = {getattr(k, "value", None): v for k, v in node.value}
            tag = any(getattr(v, "value", None) == part for v in keys.values())
            member = index < len(loc) - 1  # a union member's name ("Topology") before a real field
            if part not in keys and (tag or member):
                continue
            node = keys.get(part)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        elif isinstance(node, yaml.ScalarNode):  # "seed.int": a union member's name under a plain value
            continue
        else:
            node = None
        kept.append(part)
    return tuple(kept)


def _is_union_tag(part: str | int) -> bool:
    """pydantic puts a tagged union's tag or a constrained type's name into ``loc``; users don't see those."""
    return isinstance(part, str) and (part.startswith(("function-", "constrained-")) or "[" in part)


def load_yaml_model(path: str | Path, model: type[Model], *, key: str | None = None) -> Model:
    """Parse ``path`` (or its top-level ``key``) as ``model``; raises :class:`InputError`."""
    return load_yaml_document(path, model, key=key)[0]


def load_yaml_document(
    path: str | Path, model: type[Model], *, key: str | None = None
) -> tuple[Model, yaml.Node | None]:
    """Like :func:`load_yaml_model`, also returning the node tree for later checks that point at lines."""
    path = Path(path)
    text = read_text(path)
    root, data = parse_yaml(path, text)
    if data is None:
        raise InputError(
            path, 1, None, f"the file is empty: expected a mapping of {model.__name__} fields", 1
        )
    prefix: tuple[str | int, ...] = ()
    if key is not None:
        if not isinstance(data, dict) or key not in data:
            raise InputError(path, 1, None, f"expected a top-level '{key}:' mapping", 1)
        data = data[key]
        prefix = (key,)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} ({_shown(data)})"
        raise error_at(path, root, prefix, f"expected a mapping of {model.__name__} fields, got {kind}")
    try:
        return model.model_validate(data), root
    except ValidationError as exc:
        raise validation_error(path, root, exc, prefix) from None
