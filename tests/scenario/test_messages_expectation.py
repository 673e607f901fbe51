"""``expect: messages`` is the one expectation on cross-chain messages: any route the engine
carries (rollup and parent either way, the guardian bridge's Solana routes), counted by status or
by where a retryable's ticket stands, whoever sent the messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cortensor_sim.bridge import Leg, MessageRecord, MessageStatus
from cortensor_sim.scenario.expectations import ticket_state
from cortensor_sim.scenario.loader import InputError, load_scenario

SCENARIO = """\
name: messages
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
    - {name: solana, kind: solana, block_time: 0.4}
timeline:
  - {do: advance, by: 1s}
expectations:
  - EXPECTATION
"""


def _load(tmp_path: Path, expectation: str) -> None:
    path = tmp_path / "messages.yaml"
    path.write_text(SCENARIO.replace("EXPECTATION", expectation))
    load_scenario(path)


@pytest.mark.parametrize(
    "expectation",
    [
        "{expect: messages, route: base -> l1, status: relayed, count: 1}",
        "{expect: messages, route: l1 -> arbitrum, status: relayed, at_least: 1}",
        "{expect: messages, route: solana -> arbitrum, status: relayed, count: 2}",
        "{expect: messages, route: arbitrum -> solana, status: failed, count: 0}",
        "{expect: messages, route: l1 -> arbitrum, ticket: redeemed, count: 1}",
        "{expect: messages, route: l1 -> arbitrum, status: relayed, ticket: auto_redeemed, count: 1}",
    ],
)
def test_routes_of_every_bridge_and_ticket_states_are_accepted(tmp_path: Path, expectation: str) -> None:
    _load(tmp_path, expectation)


@pytest.mark.parametrize(
    ("expectation", "said"),
    [
        (
            "{expect: messages, route: base -> arbitrum, status: relayed, count: 1}",
            "no route base -> arbitrum",
        ),
        ("{expect: messages, route: solana -> mars, status: relayed, count: 1}", "unknown chain 'mars'"),
        ("{expect: messages, route: l1 -> arbitrum, count: 1}", "give status"),
        ("{expect: messages, route: l1 -> arbitrum, status: relayed}", "give count or at_least"),
        ("{expect: messages, route: l1 -> arbitrum, ticket: lost, count: 1}", "ticket"),
        ("{expect: messages, route: l1 -> base, ticket: redeemed, count: 1}", "not to 'base'"),
        ("{expect: layer_messages, route: base -> l1, status: relayed, count: 1}", "expect"),
    ],
)
def test_bad_messages_expectations_are_refused_naming_the_field(
    tmp_path: Path, expectation: str, said: str
) -> None:
    with pytest.raises(InputError, match=re.escape(said)):
        _load(tmp_path, expectation)


def _retryable(status: MessageStatus, **detail: str) -> MessageRecord:
    leg = Leg("l1", "0x01", 1, 0)
    return MessageRecord(
        id="arbitrum:delayed:0",
        kind="retryable",
        source="l1",
        destination="arbitrum",
        status=status,
        legs={"sent": leg},
        detail=dict(detail),
    )


def test_a_tickets_state_follows_its_record() -> None:
    assert ticket_state(_retryable(MessageStatus.SENT)) is None  # the child has not run it yet
    assert ticket_state(_retryable(MessageStatus.RELAYED)) == "auto_redeemed"
    assert ticket_state(_retryable(MessageStatus.INCLUDED, autoRedeem="failed")) == "waiting"
    relayed = _retryable(MessageStatus.RELAYED, autoRedeem="failed", ticketOutcome="redeemed")
    assert ticket_state(relayed) == "redeemed"
    expired = _retryable(MessageStatus.FAILED, autoRedeem="failed", ticketOutcome="expired")
    assert ticket_state(expired) == "expired"
    deposit = _retryable(MessageStatus.RELAYED)
    deposit.kind = "deposit"
    assert ticket_state(deposit) is None


def test_the_guardian_bridges_messages_are_counted_per_route(tmp_path: Path) -> None:
    from cortensor_sim.scenario.loader import bundled_scenarios
    from cortensor_sim.scenario.runner import run_scenario

    text = bundled_scenarios()["solana-bridge"].read_text()
    path = tmp_path / "solana-bridge.yaml"
    path.write_text(
        text
        + "  - {expect: messages, route: solana -> arbitrum, status: relayed, count: 2}\n"
        + "  - {expect: messages, route: arbitrum -> solana, status: relayed, count: 3}\n"
        + "  - {expect: messages, route: arbitrum -> solana, status: failed, count: 0}\n"
    )
    result = run_scenario(load_scenario(path))
    assert result.passed, [e for e in result.expectations if not e.passed]
    assert [e.observed for e in result.expectations[-3:]] == [
        "2 relayed (2 relayed)",
        "3 relayed (3 relayed)",  # two fundings from l1 and one transfer back
        "0 failed (3 relayed)",
    ]
