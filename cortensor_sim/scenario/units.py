"""Values written the way users think: durations (``7d``, ``90s``) and amounts (``100 COR``, ``1 ether``).

Amounts are parsed with :class:`decimal.Decimal`, never floats, so ``0.1 ether`` is exactly
10**17 wei; a fraction finer than the asset's base unit is refused rather than rounded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

Asset = Literal["COR", "ETH", "SOL"]

DECIMALS: dict[Asset, int] = {"COR": 18, "ETH": 18, "SOL": 9}
"""COR and ether have 18 decimals; SOL has 9 (a lamport is 10**-9 SOL)."""

UNITS: dict[str, tuple[Asset, int]] = {
    "cor": ("COR", 18),
    "eth": ("ETH", 18),
    "ether": ("ETH", 18),
    "gwei": ("ETH", 9),
    "wei": ("ETH", 0),
    "sol": ("SOL", 9),
    "lamport": ("SOL", 0),
    "lamports": ("SOL", 0),
}
"""Each unit a user may write, the asset it counts and its power of ten in base units."""

SECONDS: dict[str, Decimal] = {
    "ms": Decimal("0.001"),
    "s": Decimal(1),
    "m": Decimal(60),
    "min": Decimal(60),
    "h": Decimal(3600),
    "d": Decimal(86400),
    "w": Decimal(7 * 86400),
}

MAX_DURATION = 100 * 365 * 86_400
"""A century, in seconds: the longest duration a scenario may ask for."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d|w)")
_AMOUNT = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*$")


_AMOUNT_EXPECTED = "expected an amount with its unit such as '100 COR', '1 ether' or '0.5 SOL'"


class UnitError(ValueError):
    """A value that is not a duration or an amount; says what was expected."""


def parse_duration(value: Any) -> float:
    """Seconds in a number (``90``) or a text (``90s``, ``1h30m``, ``7d``, ``250ms``), whole milliseconds."""
    if isinstance(value, bool):
        raise UnitError(f"expected a duration such as 90s, 2h or 7d, got {value!r}")
    if isinstance(value, int | float):
        seconds = Decimal(str(value)) if math.isfinite(value) else None
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        seconds = _duration_text(text)
    else:
        seconds = None
    if seconds is None:
        raise UnitError(f"expected a duration such as 90s, 2h or 7d, got {value!r}")
    if not 0 <= seconds <= MAX_DURATION:
        raise UnitError(f"expected a duration from 0 to 100 years, got {value!r}")
    if seconds * 1000 != (seconds * 1000).to_integral_value():
        raise UnitError(f"expected whole milliseconds, got {value!r}")
    return float(seconds)


def _duration_text(text: str) -> Decimal | None:
    try:
        number = Decimal(text)  # a bare number of seconds ("90")
    except InvalidOperation:
        pass
    else:
        return number if number.is_finite() else None
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum((Decimal(n) * SECONDS[u] for n, u in parts), Decimal(0))


@dataclass(frozen=True, order=True)
class Amount:
    """A quantity of an asset in its base units (wei, COR's 10**-18, lamports)."""

    asset: Asset
    base_units: int

    def __str__(self) -> str:
        whole = Decimal(self.base_units).scaleb(-DECIMALS[self.asset])
        text = f"{whole:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return f"{text} {self.asset}"


def parse_amount(value: Any) -> Amount:
    """``100 COR``, ``1 ether``, ``20 gwei``, ``0.5 SOL``, ``1_000 COR`` as an :class:`Amount`."""
    if isinstance(value, Amount):
        return value
    if not isinstance(value, str):
        raise UnitError(
            f"expected an amount with its unit such as '100 COR', '1 ether' or '0.5 SOL', got {value!r}"
        )
    match = _AMOUNT.match(value)
    if not match:
        raise UnitError(
            f"expected an amount with its unit such as '100 COR', '1 ether' or '0.5 SOL', got {value!r}"
        )
    number, unit = match.group(1).replace("_", "").replace(",", ""), match.group(2).lower()
    if unit not in UNITS:
        known = ", ".join(sorted(UNITS))
        raise UnitError(f"unknown unit {match.group(2)!r} in {value!r} (units: {known})")
    asset, power = UNITS[unit]
    whole, _, fraction = number.partition(".")
    if len(fraction.rstrip("0")) > power:
        raise UnitError(f"{value!r} is finer than one base unit of {asset}")
    base_units = int(whole) * 10**power + int(fraction.ljust(power, "0")[:power] or "0")
    if base_units >= 2**256:
        raise UnitError(f"{value!r} does not fit in 256 bits")
    return Amount(asset, base_units)


def _as_duration(value: Any) -> float:
    try:
        return parse_duration(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _as_amount(value: Any) -> Amount:
    try:
        return parse_amount(value)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


Duration = Annotated[
    float,
    BeforeValidator(_as_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*(ms|min|s|m|h|d|w)?\s*)+$"},
            ],
            "description": "seconds, or a duration such as 250ms, 90s, 15m, 2h, 7d, 1w",
        }
    ),
]
"""Seconds, written as a number or with units."""

AmountField = Annotated[
    Amount,
    BeforeValidator(_as_amount),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[0-9][0-9_,]*(\.[0-9]+)?\s*[A-Za-z]+\s*$",
            "description": "an amount with its unit: 100 COR, 1 ether, 20 gwei, 0.5 SOL, 5000 lamports",
        }
    ),
]
"""An amount with its unit."""


ROUTE_PATTERN = r"^\s*([A-Za-z0-9_.-]+)\s*->\s*([A-Za-z0-9_.-]+)\s*$"
"""A route between two chains as users write it: ``base -> l1``."""


def route_ends(route: str) -> tuple[str, str]:
    """``"base -> l1"`` -> ``("base", "l1")``."""
    source, destination = (part.strip() for part in route.split("->"))
    return source, destination
