"""Durations and amounts as users write them, exact, and refused with what was expected."""

from __future__ import annotations

import pytest

from cortensor_sim.scenario.units import Amount, UnitError, parse_amount, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        (90, 90),
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("7d", 604_800),
        ("1w", 604_800),
        ("1h30m", 5400),
        ("250ms", 0.25),
        (0.4, 0.4),
    ],
)
def test_durations(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "nan",
        "inf",
        float("inf"),
        float("nan"),
        "1e20",
        "-5",
        "-5s",
        "7 days",
        "1x",
        True,
        None,
        "0.0001s",
        [1],
    ],
)
def test_bad_durations(text: object) -> None:
    with pytest.raises(UnitError, match="expected"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("100 COR", Amount("COR", 100 * 10**18)),
        ("1 ether", Amount("ETH", 10**18)),
        ("0.1 ether", Amount("ETH", 10**17)),
        ("20 gwei", Amount("ETH", 20 * 10**9)),
        ("0.5 SOL", Amount("SOL", 5 * 10**8)),
        ("5000 lamports", Amount("SOL", 5000)),
        ("1_000 COR", Amount("COR", 1000 * 10**18)),
        ("6,000 cor", Amount("COR", 6000 * 10**18)),
    ],
)
def test_amounts(text: str, amount: Amount) -> None:
    assert parse_amount(text) == amount
    assert parse_amount(str(amount)) == amount


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("100", "with its unit"),
        (100, "with its unit"),
        ("1 doge", "unknown unit 'doge'"),
        ("0.1 wei", "finer than one base unit"),
        ("1e80 ether", "with its unit"),
        ("-1 COR", "with its unit"),
        (f"{2**256} wei", "256 bits"),
    ],
)
def test_bad_amounts(text: object, why: str) -> None:
    with pytest.raises(UnitError, match=why):
        parse_amount(text)
