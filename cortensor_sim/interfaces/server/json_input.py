"""Decoding request bodies safely: JSON that is too deep is refused before the parser sees it.

py-evm raises Python's recursion limit to 100,000 when it is imported (``eth/__init__.py``), so
the C JSON decoder would follow 100,000 nested brackets down the C stack and crash the process
instead of raising ``RecursionError``. The nesting depth is therefore measured first, on the
body's brackets outside strings, and a body nested deeper than :data:`MAX_JSON_DEPTH` is a parse
error like any other malformed body.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_JSON_DEPTH = 64
"""Deepest nesting a request may have; real requests (a batch of calls with state overrides) use 6."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class MalformedJson(ValueError):
    """A body that is not JSON, or JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


def json_depth(body: bytes) -> int:
    """How deeply ``body``'s arrays and objects nest (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return body.count(b"[") + body.count(b"{")  # an upper bound, and already within the limit
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def decode_json(body: bytes | str) -> Any:
    """The JSON value of ``body``; raises :class:`MalformedJson` saying why it is not acceptable."""
    data = body.encode() if isinstance(body, str) else body
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise MalformedJson(f"JSON nested {depth} deep; the limit is {MAX_JSON_DEPTH}")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MalformedJson(f"not JSON: {exc}"[:200]) from None
